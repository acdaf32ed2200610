"""The one table of every operator of torch_activations.

Each entry states an op's public face once: its name, category and module
class, its parameters (name, schema type, default, one-line doc, and the
argument checks the C++ op applies), its flags, its formula (LaTeX and text),
its torch peer, its use case and the properties the registry records.
Everything else is generated from this table by ``tools/gen_api.py`` (run by
hand; a test fails when a generated file is stale):

* ``csrc/generated/spec.h``: the schema arguments of every op, the op lists
  of each family and the pointwise descriptors (argument checks, the functor's
  ``Args``);
* ``csrc/torch_activations.h`` and ``csrc/api.cpp``: the C++ API;
* ``torch_activations/functional.py`` and ``torch_activations/modules.py``:
  the typed functions and ``nn.Module`` classes with their docstrings;
* the README's activation tables.

The compiled schemas are checked against this table by a test
(``tests/test_spec.py``).  This module imports nothing of the package, so
everything may import it.

Parameter types are schema types: ``float``, ``int``, ``bool``, ``str``,
``Tensor``, ``Tensor?``, ``Generator?``.  ``checks`` names what the op
verifies (the C++ descriptors of the pointwise ops are generated from them):

* ``finite`` (every float, implied): finite, and representable in the
  computation type (float32 for float32/float16/bfloat16 input, float64 for
  float64);
* ``positive``: > 0 after conversion to the computation type;
* ``invertible``: nonzero, with a finite reciprocal in the computation type;
* ``not_nan``: instead of ``finite``: ±inf is allowed (a threshold);
* ``min=N`` (int): at least N;
* ``choices`` (str): one of the listed strings (the C++ side sees its index).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

__all__ = ["REQUIRED", "Param", "Op", "OPS", "SPEC", "by_category"]

INF = math.inf


class _Required:
    """The default of a parameter that has none."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any = REQUIRED
    doc: str = ""
    checks: Tuple[str, ...] = ()
    choices: Tuple[str, ...] = ()
    # Python: the parameter follows ``inplace`` (``generator`` of rrelu).
    after_inplace: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def python_type(self) -> str:
        return _PY_TYPES[self.type]

    def schema(self) -> str:
        """This parameter as a schema argument: ``float beta=1.0``."""
        if self.required:
            return f"{self.type} {self.name}"
        return f"{self.type} {self.name}={_schema_default(self.default)}"


_PY_TYPES = {"float": "float", "int": "int", "bool": "bool", "str": "str", "Tensor": "Tensor",
             "Tensor?": "Optional[Tensor]", "Generator?": "Optional[torch.Generator]",
             "int[2]": "Tuple[int, int]", "float[2]": "Tuple[float, float]"}


def _schema_default(v: Any) -> str:
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, str):
        return f"'{v}'"
    if isinstance(v, float):
        return repr(v)
    return str(v)


@dataclass(frozen=True)
class Op:
    """One operator (one registry entry)."""

    name: str
    category: str  # "pointwise", "dim" or "learnable"
    module: str  # nn.Module class name
    title: str
    latex: str  # the formula, LaTeX
    text: str  # the formula, plain text
    # Parameters of the functional form and of the op (after the input).
    params: Tuple[Param, ...] = ()
    # The constructor's parameters where they are not `params` (learnable
    # modules; a dim op whose module has a default the function lacks).
    module_params: Optional[Tuple[Param, ...]] = None
    # ---- flags
    inplace: bool = False  # the functional form takes inplace=
    output_backward: bool = False  # in place, the backward reads the output only
    learnable: bool = False  # the module owns learnable parameters
    straight_through: bool = False  # the gradient is a straight-through estimator
    # ---- the C++ side
    functor: str = ""  # pointwise and gated ops: the math functor (csrc/math)
    # learnable ops: how the functional's tensor parameters become the op's
    # `weight`: "weight" (as is), "row" ([G] -> [1, G]), "stack" (k x [G] ->
    # [k, G]), "cat" ([K_i, G] -> [sum K_i, G]); `op_extra` are further op
    # arguments computed from the parameters (Python and C++ expressions).
    weight: str = ""
    op_extra: Tuple[Tuple[Param, str], ...] = ()
    returns: str = "Tensor"  # the op's schema return type
    # ---- documentation and the recorded properties (at the defaults)
    torch_peer: Optional[str] = None
    use_case: str = ""
    notes: str = ""
    shape: str = "(*): any shape; the output has the shape of the input."
    range: Tuple[float, float] = (-INF, INF)
    monotonic: Optional[bool] = False  # None: not an elementwise function
    smoothness: Optional[str] = "Cinf"
    zero_centred: Optional[bool] = False
    # Keyword arguments get_activation passes to the module (Swish(learnable=True)).
    module_kwargs: Dict[str, Any] = field(default_factory=dict)
    has_op: bool = True  # maxout_linear is a module only
    # ---- the Python module
    # The torch.nn class the module subclasses (a drop-in for it), if any.
    nn_peer: Optional[str] = None
    # The module is written by hand (torch_activations/learnable.py): its
    # behaviour differs from "call the function with my attributes".
    handwritten: bool = False
    # An expression that runs the op's argument checks when the module is built
    # (default: the function on an empty input; "" for none).
    validate: Optional[str] = None

    # ------------------------------------------------------------ derived
    @property
    def formula(self) -> str:
        return self.latex

    @property
    def ctor_params(self) -> Tuple[Param, ...]:
        """The module constructor's catalog parameters."""
        if self.module_params is not None:
            return self.module_params
        return tuple(p for p in self.params if p.type not in ("Generator?",) and p.name != "training")

    @property
    def defaults(self) -> Dict[str, Any]:
        """The constructor's parameters that have defaults, with them."""
        return {p.name: p.default for p in self.ctor_params if not p.required}

    def op_schema(self) -> str:
        """The schema of torch.ops.torch_activations.<name>.default."""
        head = "Tensor self, Tensor weight" if self.weight else "Tensor self"
        tail = self.schema_tail()
        return f"{self.name}({head}{', ' + tail if tail else ''}) -> {self.returns}"

    def schema_tail(self) -> str:
        """The op's arguments after its tensors, for the C++ schema builders."""
        if self.weight:
            extra = [p.schema() for p in self.params if p.type not in ("Tensor", "Tensor?")]
            extra += [p.schema() for p, _ in self.op_extra]
        else:
            extra = [p.schema() for p in self.params]
        return ", ".join(extra)


def P(name: str, type: str, default: Any = REQUIRED, doc: str = "", checks: Tuple[str, ...] = (),
      choices: Tuple[str, ...] = (), after_inplace: bool = False) -> Param:
    return Param(name, type, default, doc, tuple(checks), tuple(choices), after_inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_LAMBDA = 1.0507009873554804934193349852946
_SWISH_MIN = -0.2784645427610738
_GELU_APPROX = P("approximate", "str", "none",
                 "'none' (exact) or 'tanh' (x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))).",
                 choices=("none", "tanh"))
_NUM_PARAMETERS = P("num_parameters", "int", 1, "1 (one shared value) or C = input.size(1).")

OPS: Tuple[Op, ...] = (
    # ================================================== 1. pointwise
    Op("sigmoid", "pointwise", "Sigmoid", "Logistic sigmoid",
       r"\sigma(x) = \frac{1}{1 + e^{-x}}", "1 / (1 + exp(-x))",
       inplace=True, output_backward=True, functor="Sigmoid",
       range=(0.0, 1.0), monotonic=True, torch_peer="torch.sigmoid",
       use_case="gates and binary probabilities; saturates, avoid in deep hidden stacks",
       nn_peer="Sigmoid"),
    Op("tanh", "pointwise", "Tanh", "Hyperbolic tangent",
       r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}", "tanh(x)",
       inplace=True, output_backward=True, functor="Tanh",
       range=(-1.0, 1.0), monotonic=True, zero_centred=True, torch_peer="torch.tanh",
       use_case="RNN cells and bounded zero-centred outputs",
       nn_peer="Tanh"),
    Op("linear", "pointwise", "Linear", "Identity (linear) activation", r"f(x) = x", "x",
       inplace=True, output_backward=True, functor="Linear",
       monotonic=True, zero_centred=True, torch_peer="torch.nn.Identity",
       use_case="regression outputs; a placeholder when comparing activations",
       notes="The module ``Linear`` is the identity activation, not a fully connected layer.",
       nn_peer="Identity"),
    Op("relu", "pointwise", "ReLU", "Rectified linear unit",
       r"\mathrm{ReLU}(x) = \max(0, x)", "max(0, x)",
       inplace=True, output_backward=True, functor="Relu",
       range=(0.0, INF), monotonic=True, smoothness="C0", torch_peer="torch.nn.functional.relu",
       use_case="default hidden activation for CNNs and MLPs; cheapest",
       nn_peer="ReLU"),
    Op("relu6", "pointwise", "ReLU6", "ReLU capped at 6",
       r"\mathrm{ReLU6}(x) = \min(\max(0, x), 6)", "min(max(0, x), 6)",
       inplace=True, output_backward=True, functor="Relu6",
       range=(0.0, 6.0), monotonic=True, smoothness="C0", torch_peer="torch.nn.functional.relu6",
       use_case="mobile networks with low-precision arithmetic (MobileNet)",
       nn_peer="ReLU6"),
    Op("leaky_relu", "pointwise", "LeakyReLU", "Leaky ReLU",
       r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}", "x if x > 0 else negative_slope * x",
       params=(P("negative_slope", "float", 0.01, "slope a for x <= 0."),),
       inplace=True, output_backward=True, functor="LeakyRelu",
       monotonic=True, smoothness="C0", torch_peer="torch.nn.functional.leaky_relu",
       use_case="ReLU without dead units (GANs, detection)",
       notes="In place, the backward reads the output when negative_slope >= 0.",
       nn_peer="LeakyReLU"),
    Op("elu", "pointwise", "ELU", "Exponential linear unit",
       r"f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
       "x if x > 0 else alpha * expm1(x)",
       params=(P("alpha", "float", 1.0, "saturation value -alpha for x -> -inf."),),
       inplace=True, output_backward=True, functor="Elu",
       range=(-1.0, INF), monotonic=True, smoothness="C1", torch_peer="torch.nn.functional.elu",
       use_case="smooth negative saturation, mean activations nearer zero than ReLU",
       notes="In place, the backward reads the output when alpha >= 0.",
       nn_peer="ELU"),
    Op("selu", "pointwise", "SELU", "Scaled ELU (self-normalising)",
       r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases},"
       r"\ \lambda \approx 1.0507,\ \alpha \approx 1.6733",
       "lambda * (x if x > 0 else alpha * expm1(x)), lambda = 1.0507009873554805, alpha = 1.6732632423543772",
       inplace=True, output_backward=True, functor="Selu",
       range=(-_SELU_LAMBDA * _SELU_ALPHA, INF), monotonic=True, smoothness="C0", zero_centred=True,
       torch_peer="torch.nn.functional.selu",
       use_case="self-normalising fully connected networks (with lecun_normal init, AlphaDropout)",
       nn_peer="SELU"),
    Op("celu", "pointwise", "CELU", "Continuously differentiable ELU",
       r"f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x/\alpha} - 1) & x \le 0 \end{cases}",
       "x if x > 0 else alpha * expm1(x / alpha)",
       params=(P("alpha", "float", 1.0, "saturation value; must be nonzero.", checks=("invertible",)),),
       inplace=True, output_backward=True, functor="Celu",
       range=(-1.0, INF), monotonic=True, smoothness="C1", torch_peer="torch.nn.functional.celu",
       use_case="ELU that stays C1 for every alpha",
       notes="In place, the backward reads the output when alpha > 0.",
       nn_peer="CELU"),
    Op("gelu", "pointwise", "GELU", "Gaussian error linear unit",
       r"\mathrm{GELU}(x) = x\,\Phi(x) = \tfrac{x}{2}\left(1 + \mathrm{erf}(x/\sqrt{2})\right)",
       "x * Phi(x) = x/2 * (1 + erf(x / sqrt(2)))",
       params=(_GELU_APPROX,), inplace=True, functor="Gelu",
       range=(-0.16997120747888436, INF), torch_peer="torch.nn.functional.gelu",
       use_case="transformers (BERT, GPT)",
       nn_peer="GELU"),
    Op("swish", "pointwise", "Swish", "Swish", r"f(x) = x\,\sigma(\beta x)", "x * sigmoid(beta * x)",
       params=(P("beta", "float", 1.0, "sharpness; beta = 1 is SiLU."),), inplace=True, functor="Swish",
       range=(_SWISH_MIN, INF), torch_peer="torch.nn.functional.silu (beta = 1)",
       use_case="deep CNNs (EfficientNet); learnable beta in the Swish module",
       notes='``Swish(learnable=True)`` makes beta a parameter of shape [1] (the op swish_learnable), trained by ∂f/∂β = x²σ(βx)(1-σ(βx)).',
       handwritten=True),
    Op("silu", "pointwise", "SiLU", "Sigmoid linear unit", r"\mathrm{SiLU}(x) = x\,\sigma(x)",
       "x * sigmoid(x)", inplace=True, functor="Silu",
       range=(_SWISH_MIN, INF), torch_peer="torch.nn.functional.silu",
       use_case="EfficientNet, YOLO, the gate of SwiGLU",
       nn_peer="SiLU"),
    Op("eswish", "pointwise", "ESwish", "E-swish", r"f(x) = \beta\,x\,\sigma(x)", "beta * x * sigmoid(x)",
       params=(P("beta", "float", 1.5, "output scale."),), inplace=True, functor="Eswish",
       range=(1.5 * _SWISH_MIN, INF),
       use_case="Swish with a larger slope for deep networks"),
    Op("mish", "pointwise", "Mish", "Mish", r"\mathrm{Mish}(x) = x \tanh(\ln(1 + e^{x}))",
       "x * tanh(softplus(x))", inplace=True, functor="Mish",
       range=(-0.30884303198675553, INF), torch_peer="torch.nn.functional.mish",
       use_case="detection backbones (YOLOv4); smooth self-gated ReLU replacement",
       nn_peer="Mish"),
    Op("sqnl", "pointwise", "SQNL", "Square nonlinearity",
       r"f(x) = \begin{cases} 1 & x > 2 \\ x - x^2/4 & 0 \le x \le 2 \\ x + x^2/4 & -2 \le x < 0"
       r" \\ -1 & x < -2 \end{cases}",
       "c - c * |c| / 4, c = clamp(x, -2, 2)", inplace=True, functor="Sqnl",
       range=(-1.0, 1.0), monotonic=True, smoothness="C1", zero_centred=True,
       use_case="cheap tanh substitute without exponentials (hardware)"),
    Op("bent_identity", "pointwise", "BentIdentity", "Bent identity",
       r"f(x) = \frac{\sqrt{x^2 + 1} - 1}{2} + x", "(sqrt(x^2 + 1) - 1) / 2 + x",
       inplace=True, functor="BentIdentity", monotonic=True,
       use_case="smooth, unbounded, never-saturating alternative to identity/ReLU"),
    Op("softplus", "pointwise", "Softplus", "Softplus",
       r"f(x) = \frac{1}{\beta} \ln(1 + e^{\beta x})\ (x\ \text{when}\ \beta x > \text{threshold})",
       "log(1 + exp(beta * x)) / beta, x where beta * x > threshold",
       params=(P("beta", "float", 1.0, "sharpness; must be positive.", checks=("positive",)),
               P("threshold", "float", 20.0, "above beta*x > threshold the function is the identity.",
                 checks=("not_nan",))),
       inplace=True, functor="Softplus",
       range=(0.0, INF), monotonic=True, torch_peer="torch.nn.functional.softplus",
       use_case="smooth ReLU; positive outputs (variances, rates)",
       nn_peer="Softplus"),
    Op("softsign", "pointwise", "Softsign", "Softsign", r"f(x) = \frac{x}{1 + |x|}", "x / (1 + |x|)",
       inplace=True, functor="Softsign",
       range=(-1.0, 1.0), monotonic=True, smoothness="C1", zero_centred=True,
       torch_peer="torch.nn.functional.softsign",
       use_case="tanh-like with polynomial (slower) saturation",
       nn_peer="Softsign"),
    Op("sine", "pointwise", "Sine", "Sine", r"f(x) = \sin(\omega_0 x)", "sin(w0 * x)",
       params=(P("w0", "float", 1.0, "frequency (SIREN uses 30)."),), inplace=True, functor="Sine",
       range=(-1.0, 1.0), zero_centred=True,
       use_case="implicit neural representations (SIREN)"),
    Op("cosine", "pointwise", "Cosine", "Cosine", r"f(x) = \cos(\omega_0 x)", "cos(w0 * x)",
       params=(P("w0", "float", 1.0, "frequency."),), inplace=True, functor="Cosine",
       range=(-1.0, 1.0), use_case="periodic features, Fourier-feature networks"),
    Op("sinc", "pointwise", "Sinc", "Sinc",
       r"f(x) = \frac{\sin(u)}{u},\ u = \pi x\ (\text{normalized}),\ f(0) = 1",
       "sin(u) / u, u = pi * x (normalized) or x, 1 at 0",
       params=(P("normalized", "bool", True, "use u = pi*x (as torch.sinc) instead of u = x."),),
       inplace=True, functor="Sinc",
       range=(-0.21723362821122166, 1.0), torch_peer="torch.sinc",
       use_case="band-limited signal models, oscillatory regression"),
    Op("arctan", "pointwise", "Arctan", "Arctangent", r"f(x) = \arctan(x)", "atan(x)",
       inplace=True, functor="Arctan",
       range=(-math.pi / 2, math.pi / 2), monotonic=True, zero_centred=True, torch_peer="torch.atan",
       use_case="bounded zero-centred activation with slow saturation"),
    Op("logsigmoid", "pointwise", "LogSigmoid", "Log-sigmoid",
       r"f(x) = \ln \sigma(x) = -\ln(1 + e^{-x})", "min(x, 0) - log1p(exp(-|x|))",
       inplace=True, functor="LogSigmoid",
       range=(-INF, 0.0), monotonic=True, torch_peer="torch.nn.functional.logsigmoid",
       use_case="log-probabilities of binary events (stable BCE)",
       nn_peer="LogSigmoid"),
    Op("tanhexp", "pointwise", "TanhExp", "TanhExp", r"f(x) = x \tanh(e^{x})", "x * tanh(exp(x))",
       inplace=True, functor="TanhExp",
       range=(-0.35328577756703905, INF),
       use_case="lightweight real-time networks (TanhExp paper)"),
    Op("squareplus", "pointwise", "Squareplus", "Squareplus",
       r"f(x) = \frac{x + \sqrt{x^2 + b}}{2}", "(x + sqrt(x^2 + b)) / 2",
       params=(P("b", "float", 4.0, "smoothness near 0 (b -> 0 is ReLU); must be positive.",
                 checks=("positive",)),),
       inplace=True, functor="Squareplus",
       range=(0.0, INF), monotonic=True,
       use_case="softplus-like smooth ReLU from algebraic operations only (Barron, 2021)"),
    Op("hard_swish", "pointwise", "HardSwish", "Hard swish",
       r"f(x) = x\,\frac{\mathrm{ReLU6}(x + 3)}{6}", "x * relu6(x + 3) / 6",
       inplace=True, functor="HardSwish",
       range=(-0.375, INF), smoothness="C0", torch_peer="torch.nn.functional.hardswish",
       use_case="mobile networks (MobileNetV3): swish without exponentials",
       nn_peer="Hardswish"),
    Op("hard_sigmoid", "pointwise", "HardSigmoid", "Hard sigmoid",
       r"f(x) = \mathrm{clamp}(s x + o, 0, 1)", "clamp(slope * x + offset, 0, 1)",
       params=(P("slope", "float", 1.0 / 6.0, "slope s (torch's 1/6; 0.2 is the Keras form)."),
               P("offset", "float", 0.5, "offset o.")),
       inplace=True, output_backward=True, functor="HardSigmoid",
       range=(0.0, 1.0), monotonic=True, smoothness="C0", torch_peer="torch.nn.functional.hardsigmoid",
       use_case="cheap gates (squeeze-and-excitation in MobileNetV3)",
       nn_peer="Hardsigmoid"),
    Op("quant_relu", "pointwise", "QuantReLU", "Quantized ReLU",
       r"f(x) = \mathrm{round}\!\left(\frac{\mathrm{clamp}(x, 0, m)}{m} L\right) \frac{m}{L}",
       "round(clamp(x, 0, max_val) / max_val * levels) * max_val / levels",
       params=(P("levels", "int", 4, "number of quantization steps L (>= 1).", checks=("min=1",)),
               P("max_val", "float", 1.0, "clipping value m (> 0).", checks=("positive",))),
       inplace=True, straight_through=True, functor="QuantRelu",
       range=(0.0, 1.0), monotonic=True, smoothness="discontinuous",
       use_case="quantization-aware training (straight-through gradient on (0, m))",
       notes='Ties round to even; the gradient is the straight-through estimator 1 on (0, max_val). ``QuantReLU(learnable=True)`` learns max_val (PACT, the op pact; the paper initialises max_val = 10 when training from scratch).',
       handwritten=True),
    Op("rrelu", "pointwise", "RReLU", "Randomized leaky ReLU",
       r"f(x) = \begin{cases} x & x \ge 0 \\ a x & x < 0 \end{cases},\ "
       r"a \sim U(\text{lower}, \text{upper})\ \text{(training)},\ a = \tfrac{\text{lower} + \text{upper}}{2}\ "
       r"\text{(eval)}",
       "x if x >= 0 else a * x, a ~ U(lower, upper) in training, (lower + upper) / 2 in eval",
       params=(P("lower", "float", 1.0 / 8.0, "lower bound of the slope."),
               P("upper", "float", 1.0 / 3.0, "upper bound of the slope."),
               P("training", "bool", False, "draw random slopes (from torch's generator)."),
               P("generator", "Generator?", None, "the generator of the random slopes.", after_inplace=True)),
       inplace=True,
       monotonic=True, smoothness="C0", torch_peer="torch.nn.functional.rrelu",
       use_case="regularising leaky ReLU for small datasets",
       notes="The module draws slopes in training mode (``module.train()``) and uses their mean in eval mode.",
       nn_peer="RReLU",
       handwritten=True),
    # ============================================ 2. ops over a dimension
    Op("softmax", "dim", "Softmax", "Softmax over a dimension",
       r"y_i = \frac{e^{x_i - \max_j x_j}}{\sum_j e^{x_j - \max_j x_j}}", "exp(x - max(x)) / sum(exp(x - max(x)))",
       params=(P("dim", "int", REQUIRED, "dimension to normalise over."),),
       module_params=(P("dim", "int", -1, "dimension to normalise over."),),
       range=(0.0, 1.0), monotonic=None, smoothness=None, zero_centred=None, torch_peer="torch.softmax",
       use_case="class probabilities; attention weights",
       notes="The backward is y ⊙ (g - Σ g⊙y), never the Jacobian.",
       nn_peer="Softmax"),
    Op("glu", "dim", "GLU", "Gated linear unit",
       r"a \otimes \sigma(b),\ (a, b) = \mathrm{chunk}(x, 2, \mathrm{dim})", "a * sigmoid(b), (a, b) = x.chunk(2, dim)",
       params=(P("dim", "int", -1, "dimension split into halves a, b (its size must be even)."),),
       functor="Sigmoid", monotonic=None, smoothness=None, zero_centred=None,
       torch_peer="torch.nn.functional.glu", use_case="gated convolutional language models",
       shape="(*, 2n, *) -> (*, n, *): ``dim`` is halved.",
       nn_peer="GLU"),
    Op("geglu", "dim", "GEGLU", "GELU-gated linear unit", r"a \otimes \mathrm{GELU}(b)",
       "a * gelu(b), (a, b) = x.chunk(2, dim)",
       params=(P("dim", "int", -1, "dimension split into halves a, b (its size must be even)."), _GELU_APPROX),
       functor="Gelu", monotonic=None, smoothness=None, zero_centred=None,
       use_case="transformer feed-forward blocks (T5 v1.1)",
       shape="(*, 2n, *) -> (*, n, *): ``dim`` is halved.",
       validate="F.geglu(torch.empty(0, 2), -1, self.approximate)"),
    Op("swiglu", "dim", "SwiGLU", "Swish-gated linear unit", r"a \otimes \mathrm{SiLU}(b)",
       "a * silu(b), (a, b) = x.chunk(2, dim)",
       params=(P("dim", "int", -1, "dimension split into halves a, b (its size must be even)."),),
       functor="Silu", monotonic=None, smoothness=None, zero_centred=None,
       use_case="transformer feed-forward blocks (LLaMA, PaLM)",
       shape="(*, 2n, *) -> (*, n, *): ``dim`` is halved."),
    Op("reglu", "dim", "ReGLU", "ReLU-gated linear unit", r"a \otimes \mathrm{ReLU}(b)",
       "a * relu(b), (a, b) = x.chunk(2, dim)",
       params=(P("dim", "int", -1, "dimension split into halves a, b (its size must be even)."),),
       functor="Relu", monotonic=None, smoothness=None, zero_centred=None,
       use_case="transformer feed-forward blocks (GLU variants)",
       shape="(*, 2n, *) -> (*, n, *): ``dim`` is halved."),
    Op("crelu", "dim", "CReLU", "Concatenated ReLU",
       r"\mathrm{cat}(\mathrm{ReLU}(x), \mathrm{ReLU}(-x))\ \text{along dim}", "cat(relu(x), relu(-x), dim)",
       params=(P("dim", "int", 1, "dimension along which the output doubles."),),
       range=(0.0, INF), monotonic=None, smoothness=None, zero_centred=None,
       use_case="early CNN layers that learn both phases of a filter",
       shape="(*, n, *) -> (*, 2n, *): ``dim`` doubles."),
    Op("maxout", "dim", "Maxout", "Maxout over groups of a dimension",
       r"y_j = \max_{i < k} x_{jk + i}\ \text{along dim}", "max over groups of pool_size consecutive entries of dim",
       params=(P("pool_size", "int", REQUIRED, "group size k (the size of dim must be divisible by it)."),
               P("dim", "int", 1, "dimension pooled.")),
       monotonic=None, smoothness=None, zero_centred=None,
       use_case="maxout networks (piecewise-linear convex units)",
       notes="The gradient goes to the first maximum of each group.",
       shape="(*, k n, *) -> (*, n, *): ``dim`` shrinks by pool_size.",
       validate="F.maxout(torch.empty(0, 2 * max(self.pool_size, 1)), self.pool_size, -1)"),
    # ================================================= 3. learnable
    Op("prelu", "learnable", "PReLU", "Parametric ReLU",
       r"f(x) = \begin{cases} x & x > 0 \\ w x & x \le 0 \end{cases},\ w\ \text{learnable}",
       "x if x > 0 else weight * x",
       params=(P("weight", "Tensor", REQUIRED, "the slopes, [1] or [C]."),),
       module_params=(_NUM_PARAMETERS, P("init", "float", 0.25, "initial slope.")),
       learnable=True, weight="weight",
       monotonic=True, smoothness="C0", torch_peer="torch.nn.PReLU",
       use_case="ReLU with a learned negative slope (ImageNet-era CNNs)",
       nn_peer="PReLU",
       handwritten=True),
    Op("swish_learnable", "learnable", "Swish", "Swish with a learnable beta",
       r"f(x) = x\,\sigma(\beta x),\ \beta\ \text{learnable}", "x * sigmoid(beta * x)",
       params=(P("beta", "Tensor", REQUIRED, "beta, [1] or [C]."),),
       module_params=(P("beta", "float", 1.0, "initial beta."),),
       learnable=True, weight="row", module_kwargs={"learnable": True},
       range=(_SWISH_MIN, INF),
       use_case="Swish whose sharpness is learned (Ramachandran et al.)",
       handwritten=True),
    Op("learnable_sigmoid", "learnable", "LearnableSigmoid", "Learnable sigmoid",
       r"f(x) = \sigma(\alpha x + \beta)", "sigmoid(alpha * x + beta)",
       params=(P("alpha", "Tensor", REQUIRED, "the slopes, [1] or [C] (init 1)."),
               P("beta", "Tensor", REQUIRED, "the offsets, [1] or [C] (init 0).")),
       module_params=(_NUM_PARAMETERS,), learnable=True, weight="stack",
       range=(0.0, 1.0), monotonic=True,
       use_case="gates whose slope and offset are learned",
       handwritten=True),
    Op("parametric_softplus", "learnable", "ParametricSoftplus", "Parametric softplus",
       r"f(x) = \frac{1}{\beta} \ln(1 + e^{\alpha x})", "log(1 + exp(alpha * x)) / beta",
       params=(P("alpha", "Tensor", REQUIRED, "input scale, [1] or [C] (init 1)."),
               P("beta", "Tensor", REQUIRED, "output divisor, [1] or [C] (init 1); must stay > 0.")),
       module_params=(_NUM_PARAMETERS,), learnable=True, weight="stack",
       range=(0.0, INF), monotonic=True,
       notes='beta must stay positive (the CPU kernel checks).',
       use_case="smooth ReLU with learned sharpness and scale",
       handwritten=True),
    Op("srelu", "learnable", "SReLU", "S-shaped ReLU",
       r"f(x) = \begin{cases} t_r + a_r (x - t_r) & x \ge t_r \\ x & t_l < x < t_r \\ "
       r"t_l + a_l (x - t_l) & x \le t_l \end{cases}",
       "t_right + a_right (x - t_right) if x >= t_right; t_left + a_left (x - t_left) if x <= t_left; else x",
       params=(P("t_left", "Tensor", REQUIRED, "left threshold (init 0)."),
               P("a_left", "Tensor", REQUIRED, "left slope (init 0.01)."),
               P("t_right", "Tensor", REQUIRED, "right threshold (init 1)."),
               P("a_right", "Tensor", REQUIRED, "right slope (init 0.01).")),
       module_params=(_NUM_PARAMETERS,), learnable=True, weight="stack",
       monotonic=True, smoothness="C0",
       use_case="learned piecewise-linear S shape (Jin et al., AAAI 2016)",
       notes="A NaN threshold or slope gives NaN outputs.",
       handwritten=True),
    Op("pau", "learnable", "PAU", "Power activation unit",
       r"f(x) = \sum_k a_k\,\mathrm{sign}(x)\,|x|^{p_k}", "sum_k coeffs_k * sign(x) * |x|^powers_k",
       params=(P("coeffs", "Tensor", REQUIRED, "coefficients a_k, [K, 1] or [K, C]."),
               P("powers", "Tensor", REQUIRED, "powers p_k > 0, [K, 1] or [K, C].")),
       module_params=(_NUM_PARAMETERS, P("coeffs", "float[2]", (1.0, 0.1), "initial coefficients (K <= 4)."),
                      P("powers", "float[2]", (1.0, 2.0), "initial powers (> 0).")),
       learnable=True, weight="cat",
       monotonic=True, smoothness="C1", zero_centred=True,
       use_case="learned odd power mixture (the source article's PAU)",
       notes='Powers must stay positive. At x = 0 the input gradient takes |x|^(p-1) as 1 for p = 1 and 0 otherwise (the limit for p > 1; for p < 1 the true derivative is infinite).',
       handwritten=True),
    Op("pade", "learnable", "PadeActivation", "Padé activation unit (safe)",
       r"F(x) = \frac{\sum_{j=0}^{m} a_j x^j}{1 + \sum_{k=1}^{n} |b_k|\,|x|^k}",
       "sum_j numerator_j x^j / (1 + sum_k |denominator_k| |x|^k)",
       params=(P("numerator", "Tensor", REQUIRED, "a_0..a_m, [m + 1, G]."),
               P("denominator", "Tensor", REQUIRED, "b_1..b_n, [n, G].")),
       module_params=(_NUM_PARAMETERS, P("degrees", "int[2]", (5, 4), "(m, n).")),
       learnable=True, weight="cat",
       op_extra=((P("num_degree", "int", 5, "m."), "numerator.size(0) - 1"),
                 (P("den_degree", "int", 4, "n."), "denominator.size(0)")),
       smoothness="C1", notes="Initialised to approximate leaky_relu(0.01) on [-3, 3] (the catalog's coefficients for degrees (5, 4), a least-squares fit for other degrees).",
       use_case="learned rational activation (Molina et al., ICLR 2020)",
       handwritten=True),
    Op("dynamic_relu", "learnable", "DynamicReLU", "Dynamic ReLU",
       r"y^c = \max_k (a^c_k(x)\,x^c + b^c_k(x))", "max_k (a_k x + b_k), coefficients from the input",
       params=(P("coefs", "Tensor", REQUIRED, "per-sample (a_k, b_k), [N, C or 1, K, 2]."),),
       module_params=(P("channels", "int", REQUIRED, "C."), P("reduction", "int", 4, "hidden width C/reduction."),
                      P("k", "int", 2, "pieces."), P("mode", "str", "B", "'B' per channel, 'A' shared.")),
       learnable=True, weight="weight", monotonic=None, smoothness=None, zero_centred=None,
       notes="The module computes the coefficients from the input: Δ = 2σ(FC(ReLU(FC(avgpool(x))))) - 1, a_k = α_k + λ_a Δa_k, b_k = β_k + λ_b Δb_k with α = (1, 0, ...), β = 0, λ_a = 1.0, λ_b = 0.5; mode 'B' gives coefficients per channel, 'A' shared ones. The piecewise maximum is the fused op dynamic_relu.",
       use_case="input-dependent piecewise-linear activation (Chen et al., ECCV 2020)",
       handwritten=True),
    Op("evonorm_b0", "learnable", "EvoNormB0", "EvoNorm-B0",
       r"y = \frac{x}{\max(\sqrt{s^2_{b} + \epsilon},\ v x + \sqrt{s^2_{i} + \epsilon})} \gamma + \beta",
       "x / max(sqrt(var_batch + eps), v x + sqrt(var_instance + eps)) * gamma + beta",
       params=(P("gamma", "Tensor", REQUIRED, "scale [C]."), P("beta", "Tensor", REQUIRED, "shift [C]."),
               P("v", "Tensor", REQUIRED, "the x coefficient [C]."),
               P("running_var", "Tensor?", None, "running variance [C] (eval)."),
               P("training", "bool", True, "batch statistics (True) or running_var."),
               P("eps", "float", 1e-5, "epsilon.")),
       module_params=(P("num_features", "int", REQUIRED, "C."), P("eps", "float", 1e-5, "epsilon."),
                      P("momentum", "float", 0.1, "running variance momentum.")),
       learnable=True, returns="(Tensor, Tensor)",
       monotonic=None, smoothness=None, zero_centred=None,
       notes='The batch variance is over (N, spatial) in training; in eval the running variance (updated with momentum, unbiased, as BatchNorm) is used.',
       use_case="normalisation-activation layer replacing BN-ReLU (Liu et al., 2020)",
       shape="(N, C, *) -> (N, C, *).",
       handwritten=True),
    Op("evonorm_s0", "learnable", "EvoNormS0", "EvoNorm-S0",
       r"y = \frac{x\,\sigma(v x)}{\sqrt{s^2_{g} + \epsilon}} \gamma + \beta",
       "x * sigmoid(v x) / sqrt(var_group + eps) * gamma + beta",
       params=(P("gamma", "Tensor", REQUIRED, "scale [C]."), P("beta", "Tensor", REQUIRED, "shift [C]."),
               P("v", "Tensor", REQUIRED, "the gate coefficient [C]."),
               P("groups", "int", 32, "groups."), P("eps", "float", 1e-5, "epsilon.")),
       module_params=(P("num_features", "int", REQUIRED, "C."), P("groups", "int", 32, "groups."),
                      P("eps", "float", 1e-5, "epsilon.")),
       learnable=True, monotonic=None, smoothness=None, zero_centred=None,
       notes='The variance is over each group of num_features/groups channels and the spatial dims, per sample; no running statistics.',
       use_case="batch-independent normalisation-activation (Liu et al., 2020)",
       shape="(N, C, *) -> (N, C, *).",
       handwritten=True),
    Op("pact", "learnable", "QuantReLU", "PACT (quantised ReLU with learnable clipping)",
       r"f(x) = \mathrm{round}\!\left(\frac{\mathrm{clip}(x, 0, \alpha)}{\alpha} L\right) \frac{\alpha}{L}",
       "round(clamp(x, 0, max_val) / max_val * levels) * max_val / levels",
       params=(P("max_val", "Tensor", REQUIRED, "clipping value alpha, [1] or [C]."),
               P("levels", "int", 4, "quantisation levels L.", checks=("min=1",))),
       module_params=(P("levels", "int", 4, "quantisation levels L."), P("max_val", "float", 1.0, "initial alpha.")),
       learnable=True, straight_through=True, weight="row", module_kwargs={"learnable": True},
       range=(0.0, 1.0), monotonic=True, smoothness="discontinuous",
       use_case="quantisation-aware training with a learned range (Choi et al., 2018)",
       handwritten=True),
    Op("lut", "learnable", "LUTActivation", "Look-up-table activation",
       r"f(x) = (1 - w) T_i + w T_{i+1},\ i + w = \frac{\mathrm{clamp}(x, lo, hi) - lo}{hi - lo}(n - 1)",
       "linear interpolation of table over the clamped input",
       params=(P("table", "Tensor", REQUIRED, "n >= 2 values spread evenly over [lo, hi]."),
               P("lo", "float", -1.0, "input range start."), P("hi", "float", 1.0, "input range end (> lo).")),
       module_params=(P("table", "Tensor", REQUIRED, "n >= 2 values."),
                      P("range", "float[2]", (-1.0, 1.0), "(lo, hi).")),
       learnable=True, monotonic=None, smoothness=None, zero_centred=None,
       notes="The input gradient is the segment's slope inside (lo, hi) and 0 outside; the table's gradient is the interpolation weights. ``LUTActivation.from_activation(name, size, range)`` builds a table from a pointwise activation and reports its max error on that range in ``.max_error``.",
       use_case="learned or tabulated activations for fixed-point hardware",
       handwritten=True),
    Op("maxout_linear", "learnable", "MaxoutLinear", "Maxout unit",
       r"y_j = \max_{i} (W_{ij} x + b_{ij})", "max over pieces of linear maps",
       module_params=(P("in_features", "int", REQUIRED, "inputs."), P("out_features", "int", REQUIRED, "outputs."),
                      P("pieces", "int", REQUIRED, "linear pieces per output.")),
       learnable=True, has_op=False, monotonic=None, smoothness=None, zero_centred=None,
       notes='A Linear to out_features·pieces, then maxout over consecutive groups of ``pieces``.',
       use_case="maxout networks (Goodfellow et al., 2013)", shape="(*, in) -> (*, out).",
       handwritten=True),
    Op("relu_polymix", "learnable", "ReLUPolyMix", "ReLU/polynomial mix",
       r"f(x) = \sigma(b)\,\mathrm{ReLU}(x) + (1 - \sigma(b)) \sum_{i=1}^{d} \frac{a x^i}{i}",
       "sigmoid(b) relu(x) + (1 - sigmoid(b)) sum_i a x^i / i",
       params=(P("a", "Tensor", REQUIRED, "polynomial scale, [1] or [C] (init 0.25)."),
               P("b", "Tensor", REQUIRED, "mixing logit, [1] or [C] (init 0)."),
               P("degree", "int", 3, "d, in [1, 16].")),
       module_params=(_NUM_PARAMETERS, P("degree", "int", 3, "d.")),
       learnable=True, weight="stack",
       monotonic=True, smoothness="C0",
       notes='``regularization_loss()`` = mean(a²) + mean((b - 0.5)²).',
       use_case="learned mix of ReLU and a polynomial (second source article)",
       handwritten=True),
)

SPEC: Dict[str, Op] = {op.name: op for op in OPS}
assert len(SPEC) == len(OPS), "an op is listed twice"


def by_category(category: str) -> Tuple[Op, ...]:
    return tuple(op for op in OPS if op.category == category)
