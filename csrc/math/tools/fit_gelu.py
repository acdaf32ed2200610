"""Fits the two approximations of the float32 gelu kernel (gelu_parts in
csrc/math/fastmath.h, AVX-512), the second also the polynomial of every
AVX-512 float exp (kExpQ in csrc/math/overloads.h):

    Φ(-a) = e^{-a²/2} R(a),  R(a) = P(a)/S(a),  a = |x| in [0, 15]

R is the Mills ratio over √(2π) (0.5·erfcx(a/√2)): smooth, 1/2 at 0, ~1/(a√(2π))
for large a, so a rational of degree 4/5 with S(0) = 1 fits it to 2^-27 relative;
and e^r = 1 + r + r² Q(r) for |r| <= ln2/2 (the reduced argument of the exp),
Q of degree 4 minimax to 2^-28 relative to e^r (a Taylor Q needs one more term).

Both are minimax fits of the relative error: least squares of |err|^k for
growing k (scipy's Levenberg-Marquardt, started from the linearised fit),
then checked against mpmath at 40 digits on a dense grid.

    python csrc/math/tools/fit_gelu.py        (needs numpy, scipy, mpmath)
"""

import mpmath as mp
import numpy as np
from scipy.optimize import least_squares

mp.mp.dps = 40
A = 15.0  # Φ(-15) e^{...}: below every float32 gelu result once multiplied by 15
M, K = 4, 5


def r_exact(a):
    a = mp.mpf(a)
    return mp.erfc(a / mp.sqrt(2)) / 2 * mp.exp(a * a / 2)


def minimax(residual, c0):
    c = c0
    for k in (2, 4, 8, 16, 32):
        c = least_squares(lambda c: np.abs(residual(c)) ** (k / 2) * np.sign(residual(c)), c,
                          xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=20000, method="lm").x
    return c


# --- R = P/S on [0, A]
xs = (1 - np.cos(np.linspace(0, np.pi, 3000))) / 2 * A
y = np.array([float(r_exact(x)) for x in xs])


def split(c):
    return c[: M + 1], np.concatenate([[1.0], c[M + 1:]])


def rel_r(c, x=xs, yy=y):
    p, s = split(c)
    return np.polyval(p[::-1], x) / np.polyval(s[::-1], x) / yy - 1


lin = np.hstack([np.vander(xs, M + 1, increasing=True), -y[:, None] * np.vander(xs, K + 1, increasing=True)[:, 1:]])
c0 = np.linalg.lstsq(lin / y[:, None], np.ones_like(y), rcond=None)[0]
p, s = split(minimax(rel_r, c0))
xs2 = np.linspace(0, A, 30001)
err = max(abs(float(mp.mpf(np.polyval(p[::-1], x) / np.polyval(s[::-1], x)) / r_exact(x) - 1)) for x in xs2)
print(f"R = P/S, degree {M}/{K} on [0, {A}]: max relative error {err:.3e} ({err / 2**-24:.4f} x 2^-24)")
print("P, a^0 first:", ", ".join(f"{v:.17g}" for v in p))
print("S, a^0 first:", ", ".join(f"{v:.17g}" for v in s))

# --- e^r = 1 + r + r^2 Q(r), |r| <= ln2/2 (a little beyond: the reduced argument also holds -l)
L = float(mp.log(2) / 2) * 1.001
rs = np.cos(np.linspace(0, np.pi, 2000)) * L


def q_exact(r):
    r = mp.mpf(r)
    return (mp.expm1(r) - r) / r**2 if r != 0 else mp.mpf(1) / 2


qy = np.array([float(q_exact(r)) for r in rs])
scale = rs**2 / np.exp(rs)  # an error of Q, relative to e^r
q = minimax(lambda c: (np.polyval(c[::-1], rs) - qy) * scale, np.polyfit(rs, qy, 4)[::-1])
rs2 = np.linspace(-L, L, 20001)
err = max(abs(float((mp.mpf(np.polyval(q[::-1], r)) - q_exact(r)) * mp.mpf(r) ** 2 / mp.exp(r))) for r in rs2)
print(f"Q, degree 4 on |r| <= ln2/2: max error relative to e^r {err:.3e} ({err / 2**-24:.4f} x 2^-24)")
print("Q, r^0 first:", ", ".join(f"{v:.17g}" for v in q))
