"""Fits the polynomial P of the float32 erfc used by csrc/math/fastmath.h:

    erfc(z) = t * exp(-z^2 + P(t)),   t = 1 / (1 + z/2),   z >= 0

(t maps [0, inf) onto (0, 1]; P is smooth there, tending to log(1/(2 sqrt(pi)))
as t -> 0).  Least squares in the Chebyshev basis on t, against mpmath at 50
digits, then reports the maximum relative error of the float64 evaluation
over z in [0, 12] (float32 erfc underflows beyond z ~ 10).

    python csrc/math/tools/fit_erfc.py [degree]
"""

import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 50
deg = int(sys.argv[1]) if len(sys.argv) > 1 else 9

t = np.cos(np.linspace(0, np.pi, 4000)) * 0.5 + 0.5  # Chebyshev nodes on [0, 1]
t = t[t > 1e-6]
z = 2.0 / t - 2.0
target = np.array([float(mp.log(mp.erfc(mp.mpf(zz)) / mp.mpf(tt)) + mp.mpf(zz) ** 2) for zz, tt in zip(z, t)])
cheb = np.polynomial.chebyshev.Chebyshev.fit(t, target, deg, domain=[0, 1])
coef = cheb.convert(kind=np.polynomial.Polynomial, domain=[0, 1], window=[0, 1]).coef

zs = np.concatenate([np.linspace(0, 12, 20001), np.logspace(-8, 0, 200)])
ts = 1.0 / (1.0 + zs / 2.0)
approx = ts * np.exp(-zs * zs + np.polynomial.polynomial.polyval(ts, coef))
truth = np.array([float(mp.erfc(mp.mpf(v))) for v in zs])
rel = np.abs(approx / truth - 1)
print(f"degree {deg}: max relative error {rel.max():.3e} at z = {zs[rel.argmax()]:.4f}")
print("coefficients, t^0 first:")
for c in coef:
    print(f"  {c:.17g},")
