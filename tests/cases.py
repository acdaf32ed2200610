"""Per-activation test data, written from ../shared/ACTIVATIONS.md.

For every pointwise activation: parameter sets to test (the catalog default
first), the points where the function or its derivatives jump ("kinks": the
finite-difference checks stay away from them), the limits at -inf and +inf of
f, f' and f'' (from the catalog's math; NaN where none exists), and mpmath
versions of the formulas for high-precision accuracy checks.
"""

import math
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import mpmath as mp

NAN = math.nan
INF = math.inf
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946


@dataclass
class Case:
    name: str
    params: List[dict] = field(default_factory=lambda: [{}])
    kinks: Callable[[dict], List[float]] = lambda p: []
    # (f(-inf), f(+inf)), (f'(-inf), f'(+inf)), (f''(-inf), f''(+inf))
    limits: Callable[[dict], Tuple[Tuple[float, float], ...]] = None
    # mpmath formula f(x, **params) (None: skip the mpmath checks)
    mp: Optional[Callable] = None
    # the derivatives are defined by the catalog, not by calculus (STE)
    piecewise_constant: bool = False
    # f'' = 0 almost everywhere
    piecewise_linear: bool = False
    # the derivative is computed from the output (relative accuracy of f'
    # is limited by the rounding of y)
    output_based: bool = False
    # removable singularities of the plain formula (0/0): its autograd
    # derivatives are wrong there, so reference comparisons skip them
    singular: Tuple[float, ...] = ()


def _lim(f, d1, d2=(0.0, 0.0)):
    return lambda p: (f, d1, d2)


def _mp_sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def _mp_softplus(v):
    return mp.log(1 + mp.exp(v))


def _mp_gelu(x):
    # x*Phi(x); outside [-1e4, 40] the result is x or 0 to far beyond double
    # precision (and mpmath's erfc overflows converting huge arguments).
    if x > 40:
        return x
    if x < -1e4:
        return mp.mpf(0)
    return x * mp.erfc(-x / mp.sqrt(2)) / 2


def _mp_tanh_big(e):
    # tanh(e) = 1 - 2e^-2e: exactly 1 to ~870 digits once e > 1000 (mpmath
    # chokes on tanh of astronomically large arguments).
    return mp.mpf(1) if e > 1000 else mp.tanh(e)


CASES: Dict[str, Case] = {}


def _add(case: Case):
    CASES[case.name] = case


_add(Case("sigmoid", limits=_lim((0, 1), (0, 0)), mp=_mp_sigmoid, output_based=True))
_add(Case("tanh", limits=_lim((-1, 1), (0, 0)), mp=mp.tanh, output_based=True))
_add(Case("linear", limits=_lim((-INF, INF), (1, 1)), mp=lambda x: x, piecewise_linear=True))
_add(Case("relu", kinks=lambda p: [0.0], limits=_lim((0, INF), (0, 1)),
          mp=lambda x: max(x, 0), piecewise_linear=True))
_add(Case("relu6", kinks=lambda p: [0.0, 6.0], limits=_lim((0, 6), (0, 0)),
          mp=lambda x: min(max(x, 0), 6), piecewise_linear=True))
_add(Case("leaky_relu", params=[{}, {"negative_slope": 0.2}, {"negative_slope": -0.5}],
          kinks=lambda p: [0.0],
          limits=lambda p: ((-INF * _sgn(p.get("negative_slope", 0.01)), INF),
                            (p.get("negative_slope", 0.01), 1), (0, 0)),
          mp=lambda x, negative_slope=0.01: x if x > 0 else negative_slope * x, piecewise_linear=True))
_add(Case("elu", params=[{}, {"alpha": 0.5}, {"alpha": -0.3}], kinks=lambda p: [0.0],
          limits=lambda p: ((-p.get("alpha", 1.0), INF), (0, 1), (0, 0)),
          mp=lambda x, alpha=1.0: x if x > 0 else alpha * (mp.exp(x) - 1)))
_add(Case("selu", kinks=lambda p: [0.0], limits=_lim((-SELU_LAMBDA * SELU_ALPHA, INF), (0, SELU_LAMBDA)),
          mp=lambda x: SELU_LAMBDA * (x if x > 0 else SELU_ALPHA * (mp.exp(x) - 1))))
_add(Case("celu", params=[{}, {"alpha": 2.0}, {"alpha": -0.7}], kinks=lambda p: [0.0],
          # alpha < 0: x/alpha -> +inf as x -> -inf, so f, f', f'' diverge there
          limits=lambda p: (((-p.get("alpha", 1.0), INF), (0, 1), (0, 0)) if p.get("alpha", 1.0) > 0
                            else ((-INF, INF), (INF, 1), (-INF, 0))),
          mp=lambda x, alpha=1.0: x if x > 0 else alpha * (mp.exp(x / alpha) - 1)))
_add(Case("gelu", params=[{}, {"approximate": "tanh"}], limits=_lim((0, INF), (0, 1)),
          mp=lambda x, approximate="none": (
              _mp_gelu(x) if approximate == "none"
              else x * _mp_sigmoid(2 * mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3)))))
_add(Case("swish", params=[{}, {"beta": 2.5}, {"beta": 0.5}], limits=_lim((0, INF), (0, 1)),
          mp=lambda x, beta=1.0: x * _mp_sigmoid(beta * x)))
_add(Case("silu", limits=_lim((0, INF), (0, 1)), mp=lambda x: x * _mp_sigmoid(x)))
_add(Case("eswish", params=[{}, {"beta": 1.25}],
          limits=lambda p: ((0, INF), (0, p.get("beta", 1.5)), (0, 0)),
          mp=lambda x, beta=1.5: beta * x * _mp_sigmoid(x)))
_add(Case("mish", limits=_lim((0, INF), (0, 1)), mp=lambda x: x * mp.tanh(_mp_softplus(x))))
_add(Case("sqnl", kinks=lambda p: [-2.0, 0.0, 2.0], limits=_lim((-1, 1), (0, 0)),
          mp=lambda x: 1 if x > 2 else (x - x**2 / 4 if x >= 0 else (x + x**2 / 4 if x >= -2 else -1))))
_add(Case("bent_identity", limits=_lim((-INF, INF), (0.5, 1.5)),
          mp=lambda x: (mp.sqrt(x**2 + 1) - 1) / 2 + x))
_add(Case("softplus", params=[{}, {"beta": 2.0, "threshold": 10.0}, {"beta": 0.5, "threshold": 100.0}],
          kinks=lambda p: [p.get("threshold", 20.0) / p.get("beta", 1.0)],
          limits=_lim((0, INF), (0, 1)),
          mp=lambda x, beta=1.0, threshold=20.0: x if beta * x > threshold else _mp_softplus(beta * x) / beta))
_add(Case("softsign", kinks=lambda p: [0.0], limits=_lim((-1, 1), (0, 0)), mp=lambda x: x / (1 + abs(x))))
_add(Case("sine", params=[{}, {"w0": 30.0}], limits=_lim((NAN, NAN), (NAN, NAN), (NAN, NAN)),
          mp=lambda x, w0=1.0: mp.sin(w0 * x)))
_add(Case("cosine", params=[{}, {"w0": 2.5}], limits=_lim((NAN, NAN), (NAN, NAN), (NAN, NAN)),
          mp=lambda x, w0=1.0: mp.cos(w0 * x)))
_add(Case("sinc", params=[{}, {"normalized": False}], limits=_lim((0, 0), (0, 0)), singular=(0.0,),
          mp=lambda x, normalized=True: mp.sinc(mp.pi * x if normalized else x)))
_add(Case("arctan", limits=_lim((-math.pi / 2, math.pi / 2), (0, 0)), mp=mp.atan))
_add(Case("logsigmoid", limits=_lim((-INF, 0), (1, 0)), mp=lambda x: -mp.log(1 + mp.exp(-x))))
_add(Case("tanhexp", limits=_lim((0, INF), (0, 1)), mp=lambda x: x * _mp_tanh_big(mp.exp(x))))
_add(Case("hard_swish", kinks=lambda p: [-3.0, 3.0], limits=_lim((0, INF), (0, 1)),
          mp=lambda x: x * min(max(x + 3, 0), 6) / 6))
_add(Case("hard_sigmoid", params=[{}, {"slope": 0.2, "offset": 0.5}],
          kinks=lambda p: [(-p.get("offset", 0.5)) / p.get("slope", 1 / 6),
                           (1 - p.get("offset", 0.5)) / p.get("slope", 1 / 6)],
          limits=_lim((0, 1), (0, 0)),
          mp=lambda x, slope=1 / 6, offset=0.5: min(max(slope * x + offset, 0), 1), piecewise_linear=True))
_add(Case("quant_relu", params=[{}, {"levels": 8, "max_val": 6.0}],
          kinks=lambda p: [p.get("max_val", 1.0) * (k + 0.5) / p.get("levels", 4)
                           for k in range(-1, p.get("levels", 4) + 1)] + [0.0, p.get("max_val", 1.0)],
          limits=lambda p: ((0, p.get("max_val", 1.0)), (0, 0), (0, 0)),
          mp=None, piecewise_constant=True, piecewise_linear=True))
_add(Case("rrelu", params=[{}, {"lower": 0.1, "upper": 0.5}], kinks=lambda p: [0.0],
          limits=lambda p: ((-INF, INF), ((p.get("lower", 1 / 8) + p.get("upper", 1 / 3)) / 2, 1), (0, 0)),
          mp=lambda x, lower=1 / 8, upper=1 / 3: x if x >= 0 else (lower + upper) / 2 * x, piecewise_linear=True))

# Ops whose derivative uses the output (torch's convention for these)
for _n in ("sigmoid", "tanh"):
    CASES[_n].output_based = True


def _sgn(v):
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)


def all_cases():
    """(name, params) pairs: every op with every parameter set."""
    return [(c.name, p) for c in CASES.values() for p in c.params]


def case_id(name, params):
    if not params:
        return name
    return name + "[" + ",".join(f"{k}={v}" for k, v in params.items()) + "]"
