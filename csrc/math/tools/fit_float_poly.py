"""Fits the float32 polynomials whose coefficients are themselves rounded to
float (the kernels keep them as float constants):

    sin:   sin(r)  = r + r^3 S(r^2),  |r| <= pi/4        (trig::kernel, trig.h)
    cos:   cos(r)  = 1 + r^2 C(r^2),  |r| <= pi/4
    tanhexp': tanh(e)/e = 1 + y T1(y), sech^2(e) = 1 + y S1(y),  y = e^2 <= 1
           (kTanhOverEm1, kSech2m1: tanhexp_deriv, fastmath.h)

and one with double coefficients, for a float result evaluated in double:

    atan:  atan(s) = s + s^3 P(s^2),  |s| <= tan(pi/8)   (atan(Wide), wide.h)

Minimax of the error relative to the function (Lawson's reweighted least
squares on Chebyshev nodes, against mpmath at 40 digits), one coefficient at
a time: coefficient j is rounded to float and the rest refitted around it,
so the printed error is that of the float coefficients (as_float=False keeps
them in double).  The intervals are
widened by a hair for the reduction's own rounding.

    python csrc/math/tools/fit_float_poly.py
"""

import mpmath as mp
import numpy as np

mp.mp.dps = 40


def fit(name, R, terms, target, nodes=800, as_float=True):
    zs = [R * R * (1 - mp.cos(mp.pi * (i + 0.5) / nodes)) / 2 for i in range(nodes)]
    A, b, wt = [], [], []
    for z in zs:
        t, w = target(z)
        A.append([float(z ** k) for k in range(terms)])
        b.append(float(t))
        wt.append(float(w))
    A, b, wt = np.array(A), np.array(b), np.array(wt)
    fixed = []
    for j in range(terms):
        bb = b - (A[:, :j] @ np.array(fixed) if j else 0)
        AA = A[:, j:]
        W = np.ones(len(b))
        for _ in range(80):
            c, *_ = np.linalg.lstsq(AA * (wt * W)[:, None], bb * wt * W, rcond=None)
            e = np.abs((AA @ c - bb) * wt)
            W = W * (e / e.max() + 1e-3) ** 0.5
            W /= W.max()
        fixed.append(float(np.float32(c[0])) if as_float else float(c[0]))
    err = np.abs((A @ np.array(fixed) - b) * wt).max()
    print(f"{name}: {terms} {'float' if as_float else 'double'} coefficients, max relative error {err:.3g} (2^{np.log2(err):.1f})")
    print("   ", ", ".join(repr(x) for x in fixed))


def atan_t(z):
    s = mp.sqrt(z)
    a = mp.atan(s)
    return (a - s) / s ** 3, s ** 3 / a


def sin_t(z):
    r = mp.sqrt(z)
    v = mp.sin(r)
    return (v - r) / r ** 3, r ** 3 / v


def cos_t(z):
    v = mp.cos(mp.sqrt(z))
    return (v - 1) / z, z / v


def tanh_over_e_t(z):
    e = mp.sqrt(z)
    t = mp.tanh(e) / e
    return (t - 1) / z, z / t


def sech2_t(z):
    s = 1 / mp.cosh(mp.sqrt(z)) ** 2
    return (s - 1) / z, z / s


fit("atan", float(mp.tan(mp.pi / 8)) * 1.0001, 8, atan_t, as_float=False)
fit("sin", float(mp.pi / 4) * 1.01, 4, sin_t)
fit("cos", float(mp.pi / 4) * 1.01, 4, cos_t)
fit("tanh(e)/e", 1.005, 7, tanh_over_e_t)
fit("sech2(e)", 1.005, 8, sech2_t)
