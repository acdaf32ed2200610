"""Fits the polynomial of the float32 mish kernel near 0 (mish_value in
csrc/math/fastmath.h):

    |x| <= X1:  mish(x) = x t(x),  t(x) = tanh(softplus(x)) = 3/5 + x P(x)

Least squares in the Chebyshev basis against mpmath at 50 digits; prints the
maximum error of x P(x) relative to t(x) (in units of 2^-24).

    python csrc/math/tools/fit_mish.py [degree] [X1]
"""

import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 50
deg = int(sys.argv[1]) if len(sys.argv) > 1 else 9
X1 = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0


def t_exact(x):
    return mp.tanh(mp.log1p(mp.exp(x)))


def p_exact(x):
    if x == 0:
        return mp.diff(t_exact, 0)
    return (t_exact(x) - mp.mpf(3) / 5) / x


xs = np.cos(np.linspace(0, np.pi, 3000)) * X1
ys = np.array([float(p_exact(mp.mpf(float(x)))) for x in xs])
cheb = np.polynomial.chebyshev.Chebyshev.fit(xs, ys, deg, domain=[-X1, X1])
coef = cheb.convert(kind=np.polynomial.Polynomial, domain=[-X1, X1], window=[-X1, X1]).coef
vs = np.linspace(-X1, X1, 4001)
err = max(abs(float(mp.mpf(v) * (np.polynomial.polynomial.polyval(v, coef) - p_exact(mp.mpf(v))) / t_exact(mp.mpf(v))))
          for v in vs)
print(f"degree {deg} on [-{X1}, {X1}]: max |error of x P| / t = {err:.3e} ({err / 2**-24:.4f} x 2^-24)")
print("P, x^0 first:", ", ".join(f"{c:.17g}" for c in coef))
