"""Per-activation test data, written from docs/activations.md.

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
    # is limited by the rounding of y); out of place, no op does this now
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


_add(Case("sigmoid", limits=_lim((0, 1), (0, 0)), mp=_mp_sigmoid))
_add(Case("tanh", limits=_lim((-1, 1), (0, 0)), mp=mp.tanh))
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
_add(Case("squareplus", params=[{}, {"b": 0.5}], limits=_lim((0, INF), (0, 1)),
          mp=lambda x, b=4.0: (x + mp.sqrt(x * x + b)) / 2))
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



def _sgn(v):
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)


def all_cases():
    """(name, params) pairs: every op with every parameter set."""
    return [(c.name, p) for c in CASES.values() for p in c.params]


def case_id(name, params):
    if not params:
        return name
    return name + "[" + ",".join(f"{k}={v}" for k, v in params.items()) + "]"

# =====================================================================
# Ops with learnable parameters (catalog section 3): for each op, random
# parameters for an input shape (shared or per channel), the raw op's
# arguments, the kinks, the reference (tests/reference.py) and the layouts
# tested; and for each module, how to build it.
# =====================================================================
import torch  # noqa: E402

import reference as R  # noqa: E402
import torch_activations as ta  # noqa: E402

F = ta.functional
f64 = torch.float64

def _u(g, shape, lo, hi):
    return torch.rand(shape, generator=g, dtype=f64) * (hi - lo) + lo


def _signed(g, shape, lo, hi):
    """|v| in [lo, hi] with a random sign (away from the kink of |b|)."""
    s = torch.where(torch.rand(shape, generator=g, dtype=f64) < 0.5, -1.0, 1.0).to(f64)
    return s * _u(g, shape, lo, hi)


def _groups(shape, per_channel):
    return shape[1] if per_channel else 1


def _dyrelu_crossings(x, p):
    """Where two pieces a_i x + b_i and a_j x + b_j of dynamic_relu meet."""
    c = p["coefs"]
    shape = list(c.shape[:2]) + [1] * (x.dim() - 2)
    out = []
    for i in range(c.size(2)):
        for j in range(i + 1, c.size(2)):
            da = c[:, :, i, 0] - c[:, :, j, 0]
            out.append(((c[:, :, j, 1] - c[:, :, i, 1]) / da).reshape(shape))
    return out


@dataclass
class Op:
    name: str
    # random parameter values (float64) for an input shape, shared or per channel
    make: Callable[[tuple, bool, torch.Generator], Dict[str, torch.Tensor]]
    # the raw operator's arguments after the input, from the parameters
    pack: Callable[[Dict[str, torch.Tensor]], tuple]
    kw: Dict = field(default_factory=dict)  # non-tensor arguments of the functional form
    kinks: Callable = lambda x, p: []  # points (broadcastable to x) the inputs stay away from
    ref: Optional[Callable] = None  # default: reference.<name>
    layouts: Tuple = ()  # (input shape, per channel) pairs tested
    small: Tuple = ()  # the same for gradcheck
    composite: bool = False  # CompositeImplicitAutograd (no backward ops)
    nograd: Tuple[str, ...] = ()  # parameters that are not differentiated (buffers)
    tag: str = ""  # tells apart two specs of one op

    def __post_init__(self):
        if self.ref is None:
            fn = getattr(R, self.name)
            self.ref = lambda x, **p: fn(x, **p, **self.kw)

    @property
    def id(self):
        return self.name + self.tag + "".join(f"[{k}={v}]" for k, v in self.kw.items() if k not in ("lo", "hi"))

    def __call__(self, x, **params):
        return getattr(F, self.name)(x, **params, **self.kw)


KERNEL_LAYOUTS = (((2, 3, 4, 5), True), ((2, 3, 4, 5), False), ((6, 5), True), ((6, 5), False),
                  ((2, 3, 7), True), ((11,), False), ((3, 33, 1), True), ((40, 19), True))
SMALL = (((2, 3, 2, 2), True), ((4, 3), False), ((5, 3), True))

LEARNABLE_SPECS = OP_SPECS = [
    Op("prelu", lambda s, pc, g: {"weight": _u(g, _groups(s, pc), -0.5, 0.8)},
       lambda p: (p["weight"],), kinks=lambda x, p: [0.0]),
    Op("swish_learnable", lambda s, pc, g: {"beta": _u(g, _groups(s, pc), 0.3, 2.0)},
       lambda p: (p["beta"].reshape(1, -1),)),
    Op("learnable_sigmoid", lambda s, pc, g: {"alpha": _u(g, _groups(s, pc), 0.5, 2.0),
                                              "beta": _u(g, _groups(s, pc), -1.0, 1.0)},
       lambda p: (torch.stack([p["alpha"], p["beta"]]),)),
    Op("parametric_softplus", lambda s, pc, g: {"alpha": _u(g, _groups(s, pc), 0.5, 2.0),
                                                "beta": _u(g, _groups(s, pc), 0.5, 2.0)},
       lambda p: (torch.stack([p["alpha"], p["beta"]]),)),
    Op("srelu", lambda s, pc, g: {"t_left": _u(g, _groups(s, pc), -1.5, -0.5),
                                  "a_left": _u(g, _groups(s, pc), 0.01, 0.3),
                                  "t_right": _u(g, _groups(s, pc), 0.5, 1.5),
                                  "a_right": _u(g, _groups(s, pc), 0.01, 0.3)},
       lambda p: (torch.stack([p["t_left"], p["a_left"], p["t_right"], p["a_right"]]),),
       kinks=lambda x, p: [R._chan(p["t_left"], x), R._chan(p["t_right"], x)]),
    Op("pau", lambda s, pc, g: {"coeffs": _u(g, (3, _groups(s, pc)), -1.0, 1.5),
                                "powers": _u(g, (3, _groups(s, pc)), 0.7, 2.5)},
       lambda p: (torch.cat([p["coeffs"], p["powers"]]),), kinks=lambda x, p: [0.0]),
    Op("pade", lambda s, pc, g: {"numerator": _u(g, (6, _groups(s, pc)), -1.0, 1.0),
                                 "denominator": _signed(g, (4, _groups(s, pc)), 0.2, 1.0)},
       lambda p: (torch.cat([p["numerator"], p["denominator"]]), 5, 4), kinks=lambda x, p: [0.0]),
    Op("pade", lambda s, pc, g: {"numerator": _u(g, (3, _groups(s, pc)), -1.0, 1.0),
                                 "denominator": _signed(g, (5, _groups(s, pc)), 0.2, 1.0)},
       lambda p: (torch.cat([p["numerator"], p["denominator"]]), 2, 5), kinks=lambda x, p: [0.0], tag="[2,5]",
       layouts=(((2, 3, 4, 5), True), ((6, 5), False)), small=(((2, 3, 2, 2), True),)),
    Op("relu_polymix", lambda s, pc, g: {"a": _u(g, _groups(s, pc), 0.1, 0.5),
                                         "b": _u(g, _groups(s, pc), -1.5, 1.5)},
       lambda p: (torch.stack([p["a"], p["b"]]), 3), kinks=lambda x, p: [0.0]),
    Op("relu_polymix", lambda s, pc, g: {"a": _u(g, _groups(s, pc), 0.1, 0.5),
                                         "b": _u(g, _groups(s, pc), -1.5, 1.5)},
       lambda p: (torch.stack([p["a"], p["b"]]), 5), kw={"degree": 5}, kinks=lambda x, p: [0.0],
       layouts=(((2, 3, 4, 5), True), ((6, 5), True)), small=(((5, 3), True),)),
    Op("dynamic_relu", lambda s, pc, g: {"coefs": torch.stack([
        _u(g, (s[0], _groups(s, pc), 3), -1.0, 1.5), _u(g, (s[0], _groups(s, pc), 3), -0.5, 0.5)], -1)},
        lambda p: (p["coefs"],), kinks=_dyrelu_crossings,
        layouts=tuple(lay for lay in KERNEL_LAYOUTS if len(lay[0]) > 1)),
    Op("lut", lambda s, pc, g: {"table": torch.randn(9, generator=g, dtype=f64)},
       lambda p: (p["table"], -2.0, 1.5), kw={"lo": -2.0, "hi": 1.5},
       kinks=lambda x, p: [-2.0 + 3.5 * i / 8 for i in range(9)],
       layouts=(((2, 3, 4, 5), False), ((6, 5), False), ((11,), False)), small=(((3, 4), False),)),
    Op("evonorm_b0", lambda s, pc, g: {"gamma": _u(g, s[1], 0.5, 1.5), "beta": _u(g, s[1], -0.5, 0.5),
                                       "v": _u(g, s[1], -1.0, 1.0)},
       lambda p: (p["gamma"], p["beta"], p["v"], None, True, 1e-5),
       ref=lambda x, **p: R.evonorm_b0(x, **p)[0], composite=True,
       layouts=(((2, 3, 4, 5), True), ((2, 3, 7), True)), small=(((2, 3, 2, 2), True),)),
    Op("evonorm_b0", lambda s, pc, g: {"gamma": _u(g, s[1], 0.5, 1.5), "beta": _u(g, s[1], -0.5, 0.5),
                                       "v": _u(g, s[1], -1.0, 1.0), "running_var": _u(g, s[1], 0.5, 2.0)},
       lambda p: (p["gamma"], p["beta"], p["v"], p["running_var"], False, 1e-5),
       kw={"training": False}, ref=lambda x, **p: R.evonorm_b0(x, **p, training=False)[0], composite=True,
       layouts=(((2, 3, 4, 5), True),), small=(((2, 3, 2, 2), True),), nograd=("running_var",)),
    Op("evonorm_s0", lambda s, pc, g: {"gamma": _u(g, s[1], 0.5, 1.5), "beta": _u(g, s[1], -0.5, 0.5),
                                       "v": _u(g, s[1], -1.0, 1.0)},
       lambda p: (p["gamma"], p["beta"], p["v"], 3, 1e-5), kw={"groups": 3}, composite=True,
       layouts=(((2, 6, 4, 5), True), ((5, 6), True), ((2, 6, 7), True)),
       small=(((2, 6, 2, 2), True), ((4, 6), True))),
]
# pact (PACT's straight-through gradients) is tested on its own below.
PACT = Op("pact", lambda s, pc, g: {"max_val": _u(g, _groups(s, pc), 0.5, 2.0)},
          lambda p: (p["max_val"].reshape(1, -1), 3), kw={"levels": 3})
for _s in OP_SPECS + [PACT]:
    _s.layouts = _s.layouts or KERNEL_LAYOUTS
    _s.small = _s.small or SMALL
SPEC_IDS = [s.id for s in OP_SPECS]
assert len(set(SPEC_IDS)) == len(SPEC_IDS)
KERNEL_SPECS = [s for s in OP_SPECS if not s.composite] + [PACT]
ALL_SPECS = OP_SPECS + [PACT]
ALL_IDS = [s.id for s in ALL_SPECS]

@dataclass
class Mod:
    id: str
    build: Callable[[int, bool], torch.nn.Module]  # (channels, per channel) -> module
    op: Optional[Op]  # the op whose random parameters and reference the module uses
    ref: Optional[Callable] = None  # (module, x) -> reference output (default: op.ref)
    shapes: Tuple = ((2, 4, 3, 3), (5, 4))
    per_channel: Tuple = (False, True)
    repr: str = ""


def _spec(spec_id):
    return next(s for s in OP_SPECS + [PACT] if s.id == spec_id)


def _params(m):
    return {k: v for k, v in m.named_parameters()}


def _dyrelu_ref(m, x):
    return R.dynamic_relu_module(x, m.fc1.weight, m.fc1.bias, m.fc2.weight, m.fc2.bias, m.k, m.mode)


def _evonorm_b0_ref(m, x):
    if m.training:
        return R.evonorm_b0(x, m.gamma, m.beta, m.v, None, True, m.eps)[0]
    return R.evonorm_b0(x, m.gamma, m.beta, m.v, m.running_var, False, m.eps)[0]


LUT_TABLE = torch.tensor([-0.5, 0.0, 0.2, 1.0, 0.3, 2.0, 1.5, 1.0, 3.0])
MODULE_SPECS = MODULES = [
    Mod("PReLU", lambda c, pc: ta.PReLU(c if pc else 1), _spec("prelu"), repr="num_parameters=1, init=0.25"),
    Mod("Swish", lambda c, pc: ta.Swish(learnable=True), _spec("swish_learnable"), per_channel=(False,),
        repr="beta=1.0, learnable=True"),
    Mod("LearnableSigmoid", lambda c, pc: ta.LearnableSigmoid(c if pc else 1), _spec("learnable_sigmoid"),
        repr="num_parameters=1"),
    Mod("ParametricSoftplus", lambda c, pc: ta.ParametricSoftplus(c if pc else 1), _spec("parametric_softplus"),
        repr="num_parameters=1"),
    Mod("SReLU", lambda c, pc: ta.SReLU(c if pc else 1), _spec("srelu"), repr="num_parameters=1"),
    Mod("PAU", lambda c, pc: ta.PAU(c if pc else 1, coeffs=(1.0, 0.1, 0.0), powers=(1.0, 2.0, 3.0)), _spec("pau"),
        repr="num_parameters=1, coeffs=(1.0, 0.1, 0.0), powers=(1.0, 2.0, 3.0)"),
    Mod("PadeActivation", lambda c, pc: ta.PadeActivation(c if pc else 1), _spec("pade"),
        repr="num_parameters=1, degrees=(5, 4)"),
    Mod("PadeActivation-2-5", lambda c, pc: ta.PadeActivation(c if pc else 1, degrees=(2, 5)), _spec("pade[2,5]"),
        repr="num_parameters=1, degrees=(2, 5)"),
    Mod("ReLUPolyMix", lambda c, pc: ta.ReLUPolyMix(c if pc else 1, degree=5), _spec("relu_polymix[degree=5]"),
        repr="num_parameters=1, degree=5"),
    Mod("QuantReLU", lambda c, pc: ta.QuantReLU(levels=3, learnable=True), PACT, per_channel=(False,),
        repr="levels=3, max_val=1.0, learnable=True"),
    Mod("LUTActivation", lambda c, pc: ta.LUTActivation(LUT_TABLE, (-2.0, 1.5)), _spec("lut"), per_channel=(False,),
        repr="size=9, range=(-2.0, 1.5)"),
    Mod("EvoNormS0", lambda c, pc: ta.EvoNormS0(c, groups=2), _spec("evonorm_s0[groups=3]"),
        per_channel=(True,), repr="4, groups=2, eps=1e-05",
        ref=lambda m, x: R.evonorm_s0(x, m.gamma, m.beta, m.v, m.groups, m.eps)),
    Mod("EvoNormB0", lambda c, pc: ta.EvoNormB0(c), _spec("evonorm_b0"), ref=_evonorm_b0_ref,
        shapes=((2, 4, 3, 3), (3, 4, 5)), per_channel=(True,), repr="4, eps=1e-05, momentum=0.1"),
    Mod("DynamicReLU-B", lambda c, pc: ta.DynamicReLU(c, reduction=2), None, ref=_dyrelu_ref, per_channel=(True,),
        repr="channels=4, reduction=2, k=2, mode='B'"),
    Mod("DynamicReLU-A-k3", lambda c, pc: ta.DynamicReLU(c, reduction=1, k=3, mode="A"), None, ref=_dyrelu_ref,
        per_channel=(True,), repr="channels=4, reduction=1, k=3, mode='A'"),
    Mod("MaxoutLinear", lambda c, pc: ta.MaxoutLinear(c, 3, 2), None, per_channel=(True,),
        ref=lambda m, x: R.maxout_linear(x, m.linear.weight, m.linear.bias, m.pieces),
        shapes=((5, 4), (2, 3, 4)), repr="in_features=4, out_features=3, pieces=2"),
]
MOD_IDS = [m.id for m in MODULES]


# =====================================================================
# Ops over a dimension (catalog section 2)
# =====================================================================
GATED = ("glu", "geglu", "swiglu", "reglu")
# (op, keyword arguments) for an input of shape SHAPE = [2, 6, 3, 4]: every
# dim the op can split or pool, positive and negative.
DIM_SHAPE = (2, 6, 3, 4)
DIM_CASES = (
    [("softmax", {"dim": d}) for d in (-1, 0, 1, 2)]
    + [(g, {"dim": d}) for g in GATED for d in (-1, 0, 1)]
    + [("geglu", {"dim": d, "approximate": "tanh"}) for d in (-1, 1)]
    + [("crelu", {"dim": d}) for d in (1, -1, 0, 2)]
    + [("maxout", {"pool_size": k, "dim": d}) for k, d in ((2, 1), (3, 1), (6, 1), (2, -1), (4, 3), (2, 0), (1, 2))]
)


