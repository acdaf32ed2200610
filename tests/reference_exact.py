"""Exact references for the accuracy report (benchmarks/accuracy.py) and its
test slice (tests/test_accuracy.py): f, f', f'' (and f''', used only for the
condition-number allowance) of every pointwise activation, written from
docs/activations.md.  Independent of csrc/.

Each formula is written once against a small "math backend" and evaluated
two ways:

* ``derivs_f64(name, x, params)``: numpy float64, vectorized.  The formulas
  are the numerically stable forms (no overflow, no cancellation away from the
  zeros of the function itself), e.g. sigmoid via e^-|v| so that
  σ(v)σ(-v) never computes 1 - σ; softplus as max(v,0) + log1p(e^-|v|);
  gelu with erfc; mish with t = tanh(sp(x)) = (1+2q)/(1+2q+2q²), q = e^-x
  (x > 0) or q(q+2)/(q²+2q+2), q = e^x (x <= 0), and 1-t² in closed form;
  normalized sinc with an exact sinpi/cospi argument reduction and Taylor
  series for |u| < 1; bent identity as x(1 + x/(2(hypot(x,1)+1))); tanhexp
  with wΔ = 4 e^(x-2w)/(1+e^-2w)² (w = e^x, Δ = 1-tanh²w) so that no
  inf·0 appears for large x.
* ``derivs_mp(name, x, params)``: mpmath, the same algebra at high precision,
  evaluated at increasing precision until two precisions agree to 25
  digits (so the float64 rounding of the numpy forms is what the comparison
  of the two measures).  Normalized sinc uses mp.sinpi/mp.cospi and the
  plain (cancelling) quotient formulas, resolved by the precision.

The algebra itself (that the stable rewrites and the derivatives are right)
is checked independently by ``check_algebra``: mp.diff of the plain catalog
formula of tests/cases.py (CASES[name].mp) against our f', f'', f''' at
moderate points.  ``validate`` measures the float64 forms against mpmath
(error in float64 ulps and in float32 ulps of the exact value).

Conventions at kinks (where the catalog leaves a choice, the torch peer's):
relu/relu6/leaky_relu/elu/selu/celu/rrelu use x > 0 for the right branch of
f' and f'' (so f'(0) of rrelu is its negative slope, as F.rrelu in eval mode,
and f''(0) of elu/selu/celu is the left branch's alpha·e^0, as the catalog
writes it: torch's double backward gives 0 there), softplus's f'' at the
threshold itself is beta·σσ̄ (torch: 0), sqnl's f'' is -1/2 on [0, 2]
and +1/2 on [-2, 0), softsign''(0) = 0, hard_swish' is 0 for x <= -3 and 1
for x >= 3 (F.hardswish), hard_sigmoid' is the slope strictly inside
0 < s·x + o < 1 — the default slope (the double nearest 1/6) is taken as
exactly 1/6, as the catalog writes it and as F.hardsigmoid computes it —
softplus is the identity strictly above the threshold, quant_relu rounds half
to even with the straight-through f' = 1 on (0, max_val).  For the condition
term, ``cond_derivative`` is the a.e. derivative of the smooth piece
(0 for quant_relu's f, whose f' is the straight-through estimator).

At ±inf the references are the catalog limits (tests/cases.py); NaN gives NaN.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable, Dict, List, Sequence

import mpmath as mp
import numpy as np

from cases import CASES

SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_LAMBDA = "1.0507009873554804934193349852946"
GELU_TANH_K = "0.044715"
ORDERS = 4  # f, f', f'', f'''
_SIXTH = 1.0 / 6.0


# ---------------------------------------------------------------- backends
class _NumpyBackend:
    is_mp = False
    pi = math.pi
    exp = staticmethod(np.exp)
    expm1 = staticmethod(np.expm1)
    log1p = staticmethod(np.log1p)
    tanh = staticmethod(np.tanh)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    atan = staticmethod(np.arctan)
    hypot = staticmethod(np.hypot)
    abs = staticmethod(np.abs)
    sign = staticmethod(np.sign)
    where = staticmethod(np.where)
    minimum = staticmethod(np.minimum)
    maximum = staticmethod(np.maximum)
    _erfc = np.frompyfunc(math.erfc, 1, 1)

    @staticmethod
    def const(s):
        return float(s)

    @staticmethod
    def full(x, v):
        return np.full(np.shape(x), float(v))

    @classmethod
    def erfc(cls, z):
        return cls._erfc(z).astype(np.float64)

    @staticmethod
    def sinpi_cospi(x):
        """sin(πx), cos(πx) with the exact reduction r = x - 2·round(x/2)."""
        r = x - 2.0 * np.round(x / 2.0)   # exact, in [-1, 1]
        a = np.abs(r)
        d = a - 0.5                       # exact
        e = 1.0 - a                       # exact
        p = math.pi
        s = np.where(a <= 0.25, np.sin(p * a), np.where(a <= 0.75, np.cos(p * d), np.sin(p * e)))
        c = np.where(a <= 0.25, np.cos(p * a), np.where(a <= 0.75, -np.sin(p * d), -np.cos(p * e)))
        return np.copysign(1.0, r) * s, c


class _MpBackend:
    is_mp = True

    @property
    def pi(self):
        return +mp.pi

    @staticmethod
    def exp(v):
        # Results beyond e^±1e6 are far outside every float type: taken as
        # 0 / inf (mpmath could compute them, but e^(e^x) cannot).
        if v < -1e6:
            return mp.mpf(0)
        if v > 1e6:
            return mp.inf
        return mp.exp(v)

    expm1 = staticmethod(mp.expm1)
    log1p = staticmethod(mp.log1p)

    @staticmethod
    def tanh(v):
        if abs(v) > 1e4:  # 1 - 2e^-2e4: 1 to 8000 digits
            return mp.sign(v) * (1 - 2 * _MpBackend.exp(-2 * abs(v)))
        return mp.tanh(v)

    sin = staticmethod(mp.sin)
    cos = staticmethod(mp.cos)
    atan = staticmethod(mp.atan)
    hypot = staticmethod(mp.hypot)
    abs = staticmethod(abs)
    sign = staticmethod(mp.sign)
    minimum = staticmethod(min)
    maximum = staticmethod(max)

    @staticmethod
    def where(c, a, b):
        return a if c else b

    @staticmethod
    def const(s):
        return mp.mpf(s)

    @staticmethod
    def full(x, v):
        return mp.mpf(v)

    @staticmethod
    def erfc(z):
        if z > 1e5:
            return mp.mpf(0)
        if z < -1e5:
            return mp.mpf(2)
        return mp.erfc(z)

    @staticmethod
    def sinpi_cospi(x):
        return mp.sinpi(x), mp.cospi(x)


NP = _NumpyBackend()
MP = _MpBackend()


def _logistic(B, v):
    """σ(v), σ(-v), σ(v)σ(-v), tanh(v/2) (= σ(v) - σ(-v)), without overflow
    or cancellation."""
    e = B.exp(-B.abs(v))          # in (0, 1]
    r = 1 / (1 + e)
    pos = v >= 0
    s = B.where(pos, r, e * r)
    sb = B.where(pos, e * r, r)
    return s, sb, e * r * r, B.tanh(v / 2)


def _sech2(B, v):
    """1 - tanh(v)², as 4q/(1+q)², q = e^-2|v|."""
    q = B.exp(-2 * B.abs(v))
    return 4 * q / ((1 + q) * (1 + q))


# ----------------------------------------------------------------- formulas
# Each returns (f, f', f'', f''') at x (a numpy float64 array of finite values,
# or an mpf), with the catalog parameters as keywords.

def _sigmoid(B, x):
    s, sb, ss, th = _logistic(B, x)
    return s, ss, -ss * th, ss * (1 - 6 * ss)


def _tanh(B, x):
    t = B.tanh(x)
    d = _sech2(B, x)
    return t, d, -2 * t * d, d * (6 * t * t - 2)


def _linear(B, x):
    return x + 0 * x, B.full(x, 1), B.full(x, 0), B.full(x, 0)


def _relu(B, x):
    z = B.full(x, 0)
    return B.where(x > 0, x, z), B.where(x > 0, B.full(x, 1), z), z, z


def _relu6(B, x):
    z = B.full(x, 0)
    inside = (x > 0) & (x < 6) if not B.is_mp else (0 < x < 6)
    return (B.minimum(B.maximum(x, z), B.full(x, 6)), B.where(inside, B.full(x, 1), z), z, z)


def _leaky_relu(B, x, negative_slope=0.01):
    a = B.const(negative_slope)
    z = B.full(x, 0)
    return B.where(x > 0, x, a * x), B.where(x > 0, B.full(x, 1), a + z), z, z


def _elu_like(B, x, scale, alpha, inner):
    """scale·(x if x > 0 else alpha·(e^(x·inner) - 1)) and its derivatives."""
    v = x * inner
    ex = B.exp(B.minimum(v, B.full(x, 0)))
    pos = x > 0
    neg1 = scale * alpha * B.expm1(B.minimum(v, B.full(x, 0)))
    f = B.where(pos, scale * x, neg1)
    f1 = B.where(pos, scale + 0 * x, scale * alpha * inner * ex)
    f2 = B.where(pos, B.full(x, 0), scale * alpha * inner * inner * ex)
    f3 = B.where(pos, B.full(x, 0), scale * alpha * inner * inner * inner * ex)
    return f, f1, f2, f3


def _elu(B, x, alpha=1.0):
    return _elu_like(B, x, B.const(1), B.const(alpha), B.const(1))


def _selu(B, x):
    return _elu_like(B, x, B.const(SELU_LAMBDA), B.const(SELU_ALPHA), B.const(1))


def _celu(B, x, alpha=1.0):
    a = B.const(alpha)
    if alpha > 0:
        return _elu_like(B, x, B.const(1), a, 1 / a)
    # alpha < 0: x/alpha > 0 for x < 0 (e^(x/alpha) grows); no clamping of the
    # exponent, the left branch is selected only for x <= 0.
    v = x / a
    ex = B.exp(B.where(x > 0, B.full(x, 0), v))
    pos = x > 0
    f = B.where(pos, x, a * B.expm1(B.where(pos, B.full(x, 0), v)))
    f1 = B.where(pos, B.full(x, 1), ex)
    f2 = B.where(pos, B.full(x, 0), ex / a)
    f3 = B.where(pos, B.full(x, 0), ex / (a * a))
    return f, f1, f2, f3


def _gelu(B, x, approximate="none"):
    if approximate == "none":
        if B.is_mp:
            big = abs(x) > 1e5     # phi < e^-5e9: zero in every format
            phi = mp.mpf(0) if big else mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)
            cdf = B.erfc(-x / mp.sqrt(2)) / 2
        else:
            phi = np.exp(-x * x / 2) * (1.0 / math.sqrt(2 * math.pi))
            cdf = B.erfc(-x * math.sqrt(0.5)) / 2
        return x * cdf, cdf + x * phi, phi * (2 - x * x), phi * x * (x * x - 4)
    c = mp.sqrt(2 / mp.pi) if B.is_mp else math.sqrt(2 / math.pi)
    k = B.const(GELU_TANH_K)
    x2 = x * x
    u = c * (x + k * x2 * x)
    u1 = c * (1 + 3 * k * x2)
    u2 = 6 * c * k * x
    u3 = 6 * c * k
    s, sb, P, T = _logistic(B, 2 * u)   # σ(2u), σ(-2u), σσ̄, tanh(u)
    f = x * s
    f1 = s + 2 * x * P * u1
    Q = 2 * u1 - 2 * x * T * u1 * u1 + x * u2
    f2 = 2 * P * Q
    # d/dx Q, with 1 - T² written as 4σσ̄ (no cancellation)
    dQ = (2 * u2 - 2 * T * u1 * u1 - 2 * x * (4 * P) * u1 * u1 * u1 - 4 * x * T * u1 * u2 + u2 + x * u3)
    f3 = 2 * P * (-2 * T * u1 * Q + dQ)
    return f, f1, f2, f3


def _g_swish(B, v):
    """g(v) = v σ(v) and its derivatives g', g'', g''' at v."""
    s, sb, ss, th = _logistic(B, v)
    return s, s + v * ss, ss * (2 - v * th), ss * (-th * (3 - v * th) - 2 * v * ss)


def _swish(B, x, beta=1.0):
    b = B.const(beta)
    v = b * x
    s, g1, g2, g3 = _g_swish(B, v)
    return x * s, g1, b * g2, b * b * g3


def _silu(B, x):
    return _swish(B, x, 1.0)


def _eswish(B, x, beta=1.5):
    b = B.const(beta)
    s, g1, g2, g3 = _g_swish(B, x)
    return b * x * s, b * g1, b * g2, b * g3


def _mish(B, x):
    pos = x > 0
    q = B.exp(-B.abs(x))
    # x > 0: q = e^-x, t = (1+2q)/(1+2q+2q²), 1-t² = 4q²(1+q)²/D²
    # x <= 0: q = e^x, t = q(q+2)/(q²+2q+2), 1-t² = 4(1+q)²/D²
    Dp = 1 + 2 * q + 2 * q * q
    Dn = q * q + 2 * q + 2
    t = B.where(pos, (1 + 2 * q) / Dp, q * (q + 2) / Dn)
    w = (1 + q) / B.where(pos, Dp, Dn)
    delta = 4 * w * w * B.where(pos, q * q, 1 + 0 * q)
    s, sb, ss, _ = _logistic(B, x)
    ds = delta * s
    f = x * t
    f1 = t + x * ds
    R = 2 + x * sb - 2 * x * t * s
    f2 = ds * R
    dR = sb - x * ss - 2 * t * s - 2 * x * s * (ds + t * sb)
    f3 = ds * ((sb - 2 * t * s) * R + dR)
    return f, f1, f2, f3


def _sqnl(B, x):
    if B.is_mp:
        if x > 2:
            return mp.mpf(1), mp.mpf(0), mp.mpf(0), mp.mpf(0)
        if x >= 0:
            return x - x * x / 4, 1 - x / 2, mp.mpf(-0.5), mp.mpf(0)
        if x >= -2:
            return x + x * x / 4, 1 + x / 2, mp.mpf(0.5), mp.mpf(0)
        return mp.mpf(-1), mp.mpf(0), mp.mpf(0), mp.mpf(0)
    f = np.where(x > 2, 1.0, np.where(x >= 0, x - x * x / 4, np.where(x >= -2, x + x * x / 4, -1.0)))
    f1 = np.where(np.abs(x) <= 2, 1 - np.abs(x) / 2, 0.0)
    f2 = np.where((x >= 0) & (x <= 2), -0.5, np.where((x >= -2) & (x < 0), 0.5, 0.0))
    return f, f1, f2, np.zeros_like(x)


def _bent_identity(B, x):
    if B.is_mp:  # the catalog's formula (its cancellation is resolved by the precision)
        h = mp.sqrt(x * x + 1)
        return (h - 1) / 2 + x, x / (2 * h) + 1, 1 / (2 * h**3), -3 * x / (2 * h**5)
    h = np.hypot(x, 1.0)
    f = x * (1 + x / (2 * (h + 1)))
    r = x / h
    return f, 1 + 0.5 * r, 0.5 / h / h / h, -1.5 * r / h / h / h / h


def _softplus(B, x, beta=1.0, threshold=20.0):
    b = B.const(beta)
    v = b * x
    above = v > threshold
    s, sb, ss, th = _logistic(B, v)
    sp = B.maximum(v, B.full(x, 0)) + B.log1p(B.exp(-B.abs(v)))
    z = B.full(x, 0)
    return (B.where(above, x, sp / b), B.where(above, B.full(x, 1), s), B.where(above, z, b * ss),
            B.where(above, z, -b * b * ss * th))


def _softsign(B, x):
    a = 1 + B.abs(x)
    return x / a, 1 / (a * a), -2 * B.sign(x) / (a * a * a), 6 / (a * a * a * a)


def _squareplus(B, x, b=4.0):
    bb = B.const(b)
    if B.is_mp:
        h = mp.sqrt(x * x + bb)
        f = (x + h) / 2 if x >= 0 else bb / (2 * (h - x))  # no cancellation for x < 0
        return f, (1 + x / h) / 2, bb / (2 * h**3), -3 * bb * x / (2 * h**5)
    h = np.hypot(x, math.sqrt(b))
    neg = x < 0
    f = np.where(neg, b / (2 * (h - x)), (x + h) / 2)
    f1 = np.where(neg, b / (2 * h * (h - x)), (1 + x / h) / 2)
    return f, f1, b / (2 * h * h * h), -3 * b * (x / h) / (2 * h * h * h * h)


def _sine(B, x, w0=1.0):
    w = B.const(w0)
    v = w * x
    sn, cs = B.sin(v), B.cos(v)
    return sn, w * cs, -w * w * sn, -w * w * w * cs


def _cosine(B, x, w0=1.0):
    w = B.const(w0)
    v = w * x
    sn, cs = B.sin(v), B.cos(v)
    return cs, -w * sn, -w * w * cs, w * w * w * sn


def _sinc_series(u, one=1.0):
    """g = sin(u)/u and g', g'', g''' by their Taylor series (|u| < 1: 15
    terms, the first omitted one below u^30/31!)."""
    g = g1 = g2 = g3 = 0 * u
    u2 = u * u
    for k in range(15):
        c = (-1) ** k * one / math.factorial(2 * k + 1)
        g = g + c * u2**k
        if k >= 1:
            g1 = g1 + c * (2 * k) * u**(2 * k - 1)
            g2 = g2 + c * (2 * k) * (2 * k - 1) * u2**(k - 1)
        if k >= 2:
            g3 = g3 + c * (2 * k) * (2 * k - 1) * (2 * k - 2) * u**(2 * k - 3)
    return g, g1, g2, g3


def _sinc(B, x, normalized=True):
    p = B.pi if normalized else 1
    if normalized:
        sn, cs = B.sinpi_cospi(x)
    else:
        sn, cs = B.sin(x), B.cos(x)
    u = p * x
    if B.is_mp:
        if abs(u) < 1e-2:   # the plain quotients could cancel to exactly 0
            g, g1, g2, g3 = _sinc_series(u, mp.mpf(1))
        else:  # the plain quotients; the precision resolves their cancellation
            g = sn / u
            g1 = (u * cs - sn) / u**2
            g2 = (2 * sn - 2 * u * cs - u**2 * sn) / u**3
            g3 = -g1 - 2 * g2 / u + 2 * g1 / u**2
    else:
        small = np.abs(u) < 1
        uu = np.where(small, 1.0, u)
        g = sn / uu
        g1 = (cs - g) / uu
        g2 = -g - 2 * g1 / uu
        g3 = -g1 - 2 * g2 / uu + 2 * g1 / uu / uu
        sg = _sinc_series(np.where(small, u, 0.0))
        g, g1, g2, g3 = (np.where(small, a, b) for a, b in zip(sg, (g, g1, g2, g3)))
    return g, p * g1, p * p * g2, p * p * p * g3


def _arctan(B, x):
    d = 1 + x * x
    return B.atan(x), 1 / d, -2 * x / (d * d), (6 * x * x - 2) / (d * d * d)


def _logsigmoid(B, x):
    s, sb, ss, th = _logistic(B, x)
    return B.minimum(x, B.full(x, 0)) - B.log1p(B.exp(-B.abs(x))), sb, -ss, ss * th


def _tanhexp(B, x):
    w = B.exp(x)
    t = B.tanh(w)
    q = B.exp(-2 * w)
    den = (1 + q) * (1 + q)
    A = 4 * B.exp(x - 2 * w) / den          # w (1 - t²)
    Bq = 4 * B.exp(2 * x - 2 * w) / den     # w² (1 - t²)
    C = 4 * B.exp(3 * x - 2 * w) / den      # w³ (1 - t²)
    f = x * t
    f1 = t + x * A
    f2 = A * (2 + x) - 2 * x * t * Bq
    f3 = A * (3 + x) - t * Bq * (6 + 6 * x) - 2 * x * A * Bq + 4 * x * t * t * C
    return f, f1, f2, f3


def _hard_swish(B, x):
    z = B.full(x, 0)
    if B.is_mp:
        if x <= -3:
            return z, z, z, z
        if x >= 3:
            return x, mp.mpf(1), z, z
        return x * (x + 3) / 6, x / 3 + mp.mpf(0.5), 1 / mp.mpf(3), z
    f = np.where(x < -3, 0.0, np.where(x <= 3, x * (x + 3) / 6, x))
    f1 = np.where(x <= -3, 0.0, np.where(x >= 3, 1.0, x / 3 + 0.5))
    f2 = np.where((x > -3) & (x < 3), 1.0 / 3.0, 0.0)
    return f, f1, f2, z


def _kink_compare(x, k: Fraction, greater: bool):
    """x > k (greater) or x < k, exactly, for floats x and a rational k."""
    kf = float(k)
    at = Fraction(kf)
    if greater:
        return (x > kf) | ((x == kf) & (at > k))
    return (x < kf) | ((x == kf) & (at < k))


def _hard_sigmoid(B, x, slope=_SIXTH, offset=0.5):
    s = Fraction(1, 6) if slope == _SIXTH else Fraction(slope)
    o = Fraction(offset)
    lo, hi = (-o) / s, (1 - o) / s     # 0 < s x + o < 1  <=>  lo < x < hi (s > 0)
    if s < 0:
        lo, hi = hi, lo
    if B.is_mp:
        sm = mp.mpf(s.numerator) / s.denominator
        inside = lo < Fraction(float(x)) < hi
        f = min(max(sm * x + mp.mpf(o.numerator) / o.denominator, mp.mpf(0)), mp.mpf(1))
        return f, (sm if inside else mp.mpf(0)), mp.mpf(0), mp.mpf(0)
    sf = float(s)
    if s == Fraction(1, 6) and o == Fraction(1, 2):
        y = (x + 3) / 6            # x + 3 is exact for |x| < 2^21
    else:
        y = sf * x + float(o)
        # near the kinks s·x + o cancels: exact rational arithmetic there
        for i in np.flatnonzero((np.abs(y) < 1e-3) | (np.abs(1 - y) < 1e-3)):
            y[i] = float(s * Fraction(float(x[i])) + o)
    inside = _kink_compare(x, lo, True) & _kink_compare(x, hi, False)
    return np.clip(y, 0.0, 1.0), np.where(inside, sf, 0.0), np.zeros_like(x), np.zeros_like(x)


def _quant_relu_value(xv: float, levels: int, max_val: float) -> Fraction:
    m = Fraction(max_val)
    c = min(max(Fraction(xv), Fraction(0)), m)
    t = c / m * levels
    n = round(t)  # Fraction.__round__: half to even
    return n * m / levels


def _quant_relu(B, x, levels=4, max_val=1.0):
    m = float(max_val)
    if B.is_mp:
        v = _quant_relu_value(float(x), levels, max_val)
        d = mp.mpf(1) if 0 < x < m else mp.mpf(0)
        return mp.mpf(v.numerator) / v.denominator, d, mp.mpf(0), mp.mpf(0)
    t = np.clip(x, 0.0, m) / m * levels
    f = np.rint(t) * m / levels
    frac = t - np.floor(t)
    ambiguous = np.abs(frac - 0.5) < 1e-9
    for i in np.flatnonzero(ambiguous):
        f[i] = float(_quant_relu_value(float(x[i]), levels, max_val))
    return f, np.where((x > 0) & (x < m), 1.0, 0.0), np.zeros_like(x), np.zeros_like(x)


def _rrelu(B, x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False):
    if training:
        raise ValueError("rrelu: the exact reference is the eval-mode function (training=False)")
    a = (B.const(lower) + B.const(upper)) / 2
    z = B.full(x, 0)
    # F.rrelu in eval mode is leaky_relu: slope a at x = 0
    return B.where(x > 0, x, a * x), B.where(x > 0, B.full(x, 1), a + z), z, z


FORMULAS: Dict[str, Callable] = {
    "sigmoid": _sigmoid, "tanh": _tanh, "linear": _linear, "relu": _relu, "relu6": _relu6,
    "leaky_relu": _leaky_relu, "elu": _elu, "selu": _selu, "celu": _celu, "gelu": _gelu,
    "swish": _swish, "silu": _silu, "eswish": _eswish, "mish": _mish, "sqnl": _sqnl,
    "bent_identity": _bent_identity, "softplus": _softplus, "softsign": _softsign, "squareplus": _squareplus, "sine": _sine,
    "cosine": _cosine, "sinc": _sinc, "arctan": _arctan, "logsigmoid": _logsigmoid,
    "tanhexp": _tanhexp, "hard_swish": _hard_swish, "hard_sigmoid": _hard_sigmoid,
    "quant_relu": _quant_relu, "rrelu": _rrelu,
}


def cond_derivative_order(name: str, order: int) -> int:
    """The order of the derivative whose magnitude times ulp(x) the cond
    allowance of f^(order) uses: order + 1, except where the catalog's f' is
    not the derivative of f (quant_relu: f is piecewise constant -> none)."""
    if CASES[name].piecewise_constant and order == 0:
        return -1
    return order + 1


# ------------------------------------------------------------ public API
def derivs_f64(name: str, x: np.ndarray, params: dict) -> np.ndarray:
    """(4, n) float64: f, f', f'', f''' at the float64 values x (any values:
    ±inf give the catalog limits, f''' 0 there; NaN gives NaN)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.full((ORDERS, x.size), np.nan)
    fin = np.isfinite(x)
    with np.errstate(all="ignore"):
        vals = FORMULAS[name](NP, x[fin], **params)
    for k in range(ORDERS):
        out[k, fin] = np.broadcast_to(vals[k], (int(fin.sum()),))
    lim = CASES[name].limits(params)
    for k in range(3):
        out[k, x == -np.inf] = lim[k][0]
        out[k, x == np.inf] = lim[k][1]
    out[3, np.isinf(x)] = 0.0
    return out


def _to_float(v) -> float:
    try:
        return float(v)
    except OverflowError:
        return math.copysign(math.inf, float(mp.sign(v)))


def derivs_mp(name: str, x: float, params: dict, digits: int = 25, max_dps: int = 2400) -> List[float]:
    """f, f', f'', f''' at the float x by mpmath, each correct to `digits`
    significant digits (precision doubled until two precisions agree),
    rounded to float64.  ±inf: the catalog limits; NaN: NaN."""
    if math.isnan(x):
        return [math.nan] * ORDERS
    if math.isinf(x):
        lim = CASES[name].limits(params)
        return [lim[k][0 if x < 0 else 1] for k in range(3)] + [0.0]
    return [_to_float(v) for v in derivs_mp_raw(name, x, params, digits, max_dps)]


def derivs_mp_raw(name: str, x: float, params: dict, digits: int = 25, max_dps: int = 2400):
    fn = FORMULAS[name]
    dps = 30 + int(max(0.0, math.log10(abs(x) + 1.0)))
    tol = mp.mpf(10) ** -digits
    prev = None
    while True:
        with mp.workdps(dps):
            cur = [mp.mpf(v) for v in fn(MP, mp.mpf(x), **params)]
        if prev is not None:
            # a value that is 0 at two precisions may be a cancellation to 0:
            # retried up to 240 digits (structural zeros cost little)
            ok = all((a == b != 0) or (a == b == 0 and dps >= 240) or (mp.isnan(a) and mp.isnan(b))
                     or (a != 0 and abs(a - b) <= abs(a) * tol) for a, b in zip(cur, prev))
            if ok or dps >= max_dps:
                return cur
        prev = cur
        dps *= 2


def mp_many(name: str, xs: Sequence[float], params: dict) -> np.ndarray:
    """(4, len(xs)) derivs_mp at each x."""
    out = np.empty((ORDERS, len(xs)))
    for i, xv in enumerate(xs):
        out[:, i] = derivs_mp(name, float(xv), params)
    return out


# ------------------------------------------------------------- validation
def _ulp(v: np.ndarray, mant: int, emin: int) -> np.ndarray:
    a = np.abs(v)
    e = np.frexp(a)[1] - 1
    return np.ldexp(1.0, np.maximum(e, emin) - mant)


def validate(name: str, params: dict, xs: np.ndarray) -> dict:
    """The float64 forms against mpmath at the points xs: max error in
    float64 ulps and in float32 ulps of the exact value (where it is a
    finite nonzero float64), per order; the worst point of each."""
    xs = np.asarray(xs, dtype=np.float64)
    xs = xs[np.isfinite(xs)]
    got = derivs_f64(name, xs, params)
    ref = mp_many(name, xs, params)
    res = {}
    for k in range(ORDERS):
        r, g = ref[k], got[k]
        ok = np.isfinite(r) & (r != 0)
        n64 = ok & (np.abs(r) >= 2.2250738585072014e-308)
        n32 = ok & (np.abs(r) >= 1.1754943508222875e-38) & (np.abs(r) <= 3.4028234663852886e38)
        same = (r == g) | (np.isnan(r) & np.isnan(g))
        with np.errstate(invalid="ignore"):
            err = np.abs(g - r)
        u64 = _ulp(r, 52, -1022)
        u32 = _ulp(r, 23, -126)
        e64 = np.where(n64, err / u64, 0.0)
        e32 = np.where(n32, err / u32, 0.0)
        # exact 0 / ±inf / NaN not matched (a difference below 1e-300 passes)
        bad_special = ~ok & ~same & ~(err <= 1e-300)
        i = int(np.argmax(e64)) if e64.size else 0
        j = int(np.argmax(e32)) if e32.size else 0
        res[k] = {"max_ulp64": float(e64.max(initial=0.0)), "max_ulp32": float(e32.max(initial=0.0)),
                  "x64": float(xs[i]) if xs.size else math.nan, "x32": float(xs[j]) if xs.size else math.nan,
                  "special_mismatch": int(bad_special.sum()),
                  "special_x": [float(v) for v in xs[bad_special][:5]], "n": int(ok.sum())}
    return res


def check_algebra(name: str, params: dict, xs: Sequence[float]) -> List[str]:
    """Our mpmath f, f', f'', f''' against mp.diff of the plain catalog
    formula of tests/cases.py at points xs away from kinks (relative
    agreement 1e-12, or absolute 1e-12 times the local scale)."""
    case = CASES[name]
    if case.mp is None:
        return []
    problems = []
    f = lambda t: case.mp(t, **params)  # noqa: E731
    for xv in xs:
        with mp.workdps(60):
            t = mp.mpf(xv)
            ours = [mp.mpf(v) for v in FORMULAS[name](MP, t, **params)]
            nd = [f(t)] + [mp.diff(f, t, n) for n in (1, 2, 3)]
        orders = range(1) if case.piecewise_constant else range(ORDERS)
        for k in orders:
            scale = max(abs(v) for v in nd[: k + 2]) + mp.mpf(10) ** -30
            if abs(ours[k] - nd[k]) > mp.mpf(10) ** -12 * max(abs(nd[k]), scale):
                problems.append(f"{name}{params} x={xv!r} order {k}: formula {mp.nstr(ours[k], 17)} "
                                f"vs mp.diff {mp.nstr(nd[k], 17)}")
    return problems
