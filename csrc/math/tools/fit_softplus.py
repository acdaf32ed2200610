"""Fits the two polynomials of the float32 softplus/logsigmoid kernel
(softplus_raw in csrc/math/fastmath.h):

    |v| <= V1:  log(1 + e^v) = ln2 + v/2 + z R(z),  z = v^2
                (log(1 + e^v) - v/2 = log(2 cosh(v/2)) is even in v)
    |v| >  V1:  log(1 + e^v) = max(v, 0) + log1p(e),  e = e^{-|v|} <= e^{-V1},
                log1p(e) = e + e^2 H(e)

Least squares in the Chebyshev basis against mpmath at 50 digits; prints the
maximum absolute error of z R(z) (in units of 2^-24 of the result's
magnitude) and the relative error of e^2 H(e) against log1p(e).

    python csrc/math/tools/fit_softplus.py [deg_R] [deg_H] [V1]
"""

import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 50
V1 = float(sys.argv[3]) if len(sys.argv) > 3 else 0.7
deg_r = int(sys.argv[1]) if len(sys.argv) > 1 else 6
deg_h = int(sys.argv[2]) if len(sys.argv) > 2 else 7
ln2 = mp.log(2)


def fit(xs, fn, deg, lo, hi):
    ys = np.array([float(fn(mp.mpf(float(x)))) for x in xs])
    cheb = np.polynomial.chebyshev.Chebyshev.fit(xs, ys, deg, domain=[lo, hi])
    return cheb.convert(kind=np.polynomial.Polynomial, domain=[lo, hi], window=[lo, hi]).coef


def r_exact(z):
    if z == 0:
        return mp.mpf(1) / 8
    v = mp.sqrt(z)
    return (mp.log(2 * mp.cosh(v / 2)) - ln2) / z


def h_exact(e):
    if e == 0:
        return mp.mpf(-1) / 2
    return (mp.log1p(e) - e) / e ** 2


z1, e1 = V1 * V1, float(mp.exp(-V1))
nodes = np.cos(np.linspace(0, np.pi, 3000)) * 0.5 + 0.5
cr = fit(nodes * z1, r_exact, deg_r, 0.0, z1)
ch = fit(nodes * e1, h_exact, deg_h, 0.0, e1)

vs = np.linspace(-V1, V1, 4001)
err_r = max(abs(float(mp.mpf(v) ** 2 * (np.polynomial.polynomial.polyval(v * v, cr) - r_exact(mp.mpf(v) ** 2))))
            / float(mp.log1p(mp.exp(v))) for v in vs)
es = np.linspace(0, e1, 4001)[1:]
err_h = max(abs(float(mp.mpf(e) ** 2 * (np.polynomial.polynomial.polyval(e, ch) - h_exact(mp.mpf(e)))
                      / mp.log1p(e))) for e in es)
print(f"R: degree {deg_r}, max |error of z R| / softplus = {err_r:.3e} ({err_r / 2**-24:.4f} x 2^-24)")
print(f"H: degree {deg_h}, max |error of e^2 H| / log1p(e) = {err_h:.3e} ({err_h / 2**-24:.4f} x 2^-24)")
print("R, z^0 first:", ", ".join(f"{c:.17g}" for c in cr))
print("H, e^0 first:", ", ".join(f"{c:.17g}" for c in ch))
