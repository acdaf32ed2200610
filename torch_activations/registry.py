"""The registry: metadata for every activation (catalog section 4).

Each :class:`ActivationInfo` records the name, the LaTeX formula, the
parameters with their defaults, the output range, monotonicity, smoothness,
zero-centredness, the torch peer and a one-line use case.  The tests check the
numeric properties (range, monotonic, zero-centred, smoothness class) against
the implementation, so this table cannot drift from the code; the docstrings
of :mod:`torch_activations.functional` and of the modules are built from it.

Definitions used for the recorded properties, all at the default parameters:

* ``range``: (inf f, sup f) over the real line, ±inf for unbounded.
* ``monotonic``: f is non-decreasing.
* ``smoothness``: ``"C0"`` (continuous, with a kink), ``"C1"`` (f' continuous,
  f'' jumps), ``"Cinf"`` (smooth), ``"discontinuous"`` (steps).
* ``zero_centred``: for X ~ N(0, 1), |E f(X)| <= 0.1 * sqrt(E f(X)^2), i.e. a
  unit-Gaussian input gives outputs whose mean is small next to their size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

__all__ = ["Param", "ActivationInfo", "REGISTRY", "get_info", "list_activations", "get_activation"]

INF = math.inf


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    doc: str


@dataclass(frozen=True)
class ActivationInfo:
    name: str
    module: str
    category: str  # "pointwise", "dim" or "learnable"
    title: str
    formula: str  # LaTeX
    params: Tuple[Param, ...] = ()
    range: Tuple[float, float] = (-INF, INF)
    monotonic: bool = False
    smoothness: str = "Cinf"
    zero_centred: bool = False
    torch_peer: Optional[str] = None
    use_case: str = ""
    inplace: bool = True  # the functional form takes inplace=
    notes: str = ""
    extra: Dict[str, Any] = field(default_factory=dict)

    @property
    def defaults(self) -> Dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def docstring(self) -> str:
        """The docstring of the functional form, built from this entry."""
        lines = [f"{self.title}.", "", ".. math::", "", f"    {self.formula}", ""]
        if self.notes:
            lines += [self.notes, ""]
        lines += ["Args:", "    input (Tensor): any shape, float32/float64/float16/bfloat16."]
        for p in self.params:
            lines.append(f"    {p.name} ({type(p.default).__name__}): {p.doc} Default: ``{p.default!r}``.")
        if self.inplace:
            lines.append("    inplace (bool): overwrite ``input``. Default: ``False``.")
        rng = ", ".join(_fmt(v) for v in self.range)
        lines += [
            "",
            f"Output range ({rng}); monotonic: {self.monotonic}; smoothness: {self.smoothness}; "
            f"zero-centred: {self.zero_centred}.",
            f"Torch peer: ``{self.torch_peer}``." if self.torch_peer else "Torch peer: none.",
            f"Use: {self.use_case}",
        ]
        return "\n".join(lines)


def _fmt(v: float) -> str:
    if v == INF:
        return "inf"
    if v == -INF:
        return "-inf"
    return f"{v:.6g}"


def _p(name: str, default: Any, doc: str) -> Param:
    return Param(name, default, doc)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_LAMBDA = 1.0507009873554804934193349852946

_POINTWISE = [
    ActivationInfo(
        "sigmoid", "Sigmoid", "pointwise", "Logistic sigmoid",
        r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        range=(0.0, 1.0), monotonic=True, torch_peer="torch.sigmoid",
        use_case="gates and binary probabilities; saturates, avoid in deep hidden stacks",
    ),
    ActivationInfo(
        "tanh", "Tanh", "pointwise", "Hyperbolic tangent",
        r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        range=(-1.0, 1.0), monotonic=True, zero_centred=True, torch_peer="torch.tanh",
        use_case="RNN cells and bounded zero-centred outputs",
    ),
    ActivationInfo(
        "linear", "Linear", "pointwise", "Identity (linear) activation",
        r"f(x) = x",
        monotonic=True, zero_centred=True, torch_peer="torch.nn.Identity",
        use_case="regression outputs; a placeholder when comparing activations",
        notes="The module ``Linear`` is the identity activation, not a fully connected layer.",
    ),
    ActivationInfo(
        "relu", "ReLU", "pointwise", "Rectified linear unit",
        r"\mathrm{ReLU}(x) = \max(0, x)",
        range=(0.0, INF), monotonic=True, smoothness="C0", torch_peer="torch.nn.functional.relu",
        use_case="default hidden activation for CNNs and MLPs; cheapest",
    ),
    ActivationInfo(
        "relu6", "ReLU6", "pointwise", "ReLU capped at 6",
        r"\mathrm{ReLU6}(x) = \min(\max(0, x), 6)",
        range=(0.0, 6.0), monotonic=True, smoothness="C0", torch_peer="torch.nn.functional.relu6",
        use_case="mobile networks with low-precision arithmetic (MobileNet)",
    ),
    ActivationInfo(
        "leaky_relu", "LeakyReLU", "pointwise", "Leaky ReLU",
        r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}",
        params=(_p("negative_slope", 0.01, "slope a for x <= 0."),),
        monotonic=True, smoothness="C0", torch_peer="torch.nn.functional.leaky_relu",
        use_case="ReLU without dead units (GANs, detection)",
    ),
    ActivationInfo(
        "elu", "ELU", "pointwise", "Exponential linear unit",
        r"f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
        params=(_p("alpha", 1.0, "saturation value -alpha for x -> -inf."),),
        range=(-1.0, INF), monotonic=True, smoothness="C1", torch_peer="torch.nn.functional.elu",
        use_case="smooth negative saturation, mean activations nearer zero than ReLU",
    ),
    ActivationInfo(
        "selu", "SELU", "pointwise", "Scaled ELU (self-normalising)",
        r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases},"
        r"\ \lambda \approx 1.0507,\ \alpha \approx 1.6733",
        range=(-_SELU_LAMBDA * _SELU_ALPHA, INF), monotonic=True, smoothness="C0", zero_centred=True,
        torch_peer="torch.nn.functional.selu",
        use_case="self-normalising fully connected networks (with lecun_normal init, AlphaDropout)",
    ),
    ActivationInfo(
        "celu", "CELU", "pointwise", "Continuously differentiable ELU",
        r"f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x/\alpha} - 1) & x \le 0 \end{cases}",
        params=(_p("alpha", 1.0, "saturation value; must be nonzero."),),
        range=(-1.0, INF), monotonic=True, smoothness="C1", torch_peer="torch.nn.functional.celu",
        use_case="ELU that stays C1 for every alpha",
    ),
    ActivationInfo(
        "gelu", "GELU", "pointwise", "Gaussian error linear unit",
        r"\mathrm{GELU}(x) = x\,\Phi(x) = \tfrac{x}{2}\left(1 + \mathrm{erf}(x/\sqrt{2})\right)",
        params=(_p("approximate", "none", "'none' (exact) or 'tanh' "
                   "(x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))))."),),
        range=(-0.16997120747888436, INF), torch_peer="torch.nn.functional.gelu",
        use_case="transformers (BERT, GPT)",
    ),
    ActivationInfo(
        "swish", "Swish", "pointwise", "Swish",
        r"f(x) = x\,\sigma(\beta x)",
        params=(_p("beta", 1.0, "sharpness; beta = 1 is SiLU."),),
        range=(-0.2784645427610738, INF), torch_peer="torch.nn.functional.silu (beta = 1)",
        use_case="deep CNNs (EfficientNet); learnable beta in the Swish module",
    ),
    ActivationInfo(
        "silu", "SiLU", "pointwise", "Sigmoid linear unit",
        r"\mathrm{SiLU}(x) = x\,\sigma(x)",
        range=(-0.2784645427610738, INF), torch_peer="torch.nn.functional.silu",
        use_case="EfficientNet, YOLO, the gate of SwiGLU",
    ),
    ActivationInfo(
        "eswish", "ESwish", "pointwise", "E-swish",
        r"f(x) = \beta\,x\,\sigma(x)",
        params=(_p("beta", 1.5, "output scale."),),
        range=(-1.5 * 0.2784645427610738, INF),
        use_case="Swish with a larger slope for deep networks",
    ),
    ActivationInfo(
        "mish", "Mish", "pointwise", "Mish",
        r"\mathrm{Mish}(x) = x \tanh(\ln(1 + e^{x}))",
        range=(-0.30884303198675553, INF), torch_peer="torch.nn.functional.mish",
        use_case="detection backbones (YOLOv4); smooth self-gated ReLU replacement",
    ),
    ActivationInfo(
        "sqnl", "SQNL", "pointwise", "Square nonlinearity",
        r"f(x) = \begin{cases} 1 & x > 2 \\ x - x^2/4 & 0 \le x \le 2 \\ x + x^2/4 & -2 \le x < 0"
        r" \\ -1 & x < -2 \end{cases}",
        range=(-1.0, 1.0), monotonic=True, smoothness="C1", zero_centred=True,
        use_case="cheap tanh substitute without exponentials (hardware)",
    ),
    ActivationInfo(
        "bent_identity", "BentIdentity", "pointwise", "Bent identity",
        r"f(x) = \frac{\sqrt{x^2 + 1} - 1}{2} + x",
        monotonic=True,
        use_case="smooth, unbounded, never-saturating alternative to identity/ReLU",
    ),
    ActivationInfo(
        "softplus", "Softplus", "pointwise", "Softplus",
        r"f(x) = \frac{1}{\beta} \ln(1 + e^{\beta x})\ (x\ \text{when}\ \beta x > \text{threshold})",
        params=(_p("beta", 1.0, "sharpness; must be positive."),
                _p("threshold", 20.0, "above beta*x > threshold the function is the identity.")),
        range=(0.0, INF), monotonic=True, torch_peer="torch.nn.functional.softplus",
        use_case="smooth ReLU; positive outputs (variances, rates)",
    ),
    ActivationInfo(
        "softsign", "Softsign", "pointwise", "Softsign",
        r"f(x) = \frac{x}{1 + |x|}",
        range=(-1.0, 1.0), monotonic=True, smoothness="C1", zero_centred=True,
        torch_peer="torch.nn.functional.softsign",
        use_case="tanh-like with polynomial (slower) saturation",
    ),
    ActivationInfo(
        "sine", "Sine", "pointwise", "Sine",
        r"f(x) = \sin(\omega_0 x)",
        params=(_p("w0", 1.0, "frequency (SIREN uses 30)."),),
        range=(-1.0, 1.0), zero_centred=True,
        use_case="implicit neural representations (SIREN)",
    ),
    ActivationInfo(
        "cosine", "Cosine", "pointwise", "Cosine",
        r"f(x) = \cos(\omega_0 x)",
        params=(_p("w0", 1.0, "frequency."),),
        range=(-1.0, 1.0),
        use_case="periodic features, Fourier-feature networks",
    ),
    ActivationInfo(
        "sinc", "Sinc", "pointwise", "Sinc",
        r"f(x) = \frac{\sin(u)}{u},\ u = \pi x\ (\text{normalized}),\ f(0) = 1",
        params=(_p("normalized", True, "use u = pi*x (as torch.sinc) instead of u = x."),),
        range=(-0.21723362821122166, 1.0), torch_peer="torch.sinc",
        use_case="band-limited signal models, oscillatory regression",
    ),
    ActivationInfo(
        "arctan", "Arctan", "pointwise", "Arctangent",
        r"f(x) = \arctan(x)",
        range=(-math.pi / 2, math.pi / 2), monotonic=True, zero_centred=True, torch_peer="torch.atan",
        use_case="bounded zero-centred activation with slow saturation",
    ),
    ActivationInfo(
        "logsigmoid", "LogSigmoid", "pointwise", "Log-sigmoid",
        r"f(x) = \ln \sigma(x) = -\ln(1 + e^{-x})",
        range=(-INF, 0.0), monotonic=True, torch_peer="torch.nn.functional.logsigmoid",
        use_case="log-probabilities of binary events (stable BCE)",
    ),
    ActivationInfo(
        "tanhexp", "TanhExp", "pointwise", "TanhExp",
        r"f(x) = x \tanh(e^{x})",
        range=(-0.35328577756703905, INF),
        use_case="lightweight real-time networks (TanhExp paper)",
    ),
    ActivationInfo(
        "hard_swish", "HardSwish", "pointwise", "Hard swish",
        r"f(x) = x\,\frac{\mathrm{ReLU6}(x + 3)}{6}",
        range=(-0.375, INF), smoothness="C0", torch_peer="torch.nn.functional.hardswish",
        use_case="mobile networks (MobileNetV3): swish without exponentials",
    ),
    ActivationInfo(
        "hard_sigmoid", "HardSigmoid", "pointwise", "Hard sigmoid",
        r"f(x) = \mathrm{clamp}(s x + o, 0, 1)",
        params=(_p("slope", 1.0 / 6.0, "slope s (torch's 1/6; 0.2 is the Keras form)."),
                _p("offset", 0.5, "offset o.")),
        range=(0.0, 1.0), monotonic=True, smoothness="C0", torch_peer="torch.nn.functional.hardsigmoid",
        use_case="cheap gates (squeeze-and-excitation in MobileNetV3)",
    ),
    ActivationInfo(
        "quant_relu", "QuantReLU", "pointwise", "Quantized ReLU",
        r"f(x) = \mathrm{round}\!\left(\frac{\mathrm{clamp}(x, 0, m)}{m} L\right) \frac{m}{L}",
        params=(_p("levels", 4, "number of quantization steps L (>= 1)."),
                _p("max_val", 1.0, "clipping value m (> 0).")),
        range=(0.0, 1.0), monotonic=True, smoothness="discontinuous",
        use_case="quantization-aware training (straight-through gradient on (0, m))",
        notes="Ties round to even; the gradient is the straight-through estimator 1 on (0, max_val).",
    ),
    ActivationInfo(
        "rrelu", "RReLU", "pointwise", "Randomized leaky ReLU",
        r"f(x) = \begin{cases} x & x \ge 0 \\ a x & x < 0 \end{cases},\ "
        r"a \sim U(\text{lower}, \text{upper})\ \text{(training)},\ a = \tfrac{\text{lower} + \text{upper}}{2}\ "
        r"\text{(eval)}",
        params=(_p("lower", 1.0 / 8.0, "lower bound of the slope."),
                _p("upper", 1.0 / 3.0, "upper bound of the slope."),
                _p("training", False, "draw random slopes (from torch's generator).")),
        monotonic=True, smoothness="C0", torch_peer="torch.nn.functional.rrelu",
        use_case="regularising leaky ReLU for small datasets",
    ),
]

_DIM = [
    ActivationInfo(
        "softmax", "Softmax", "dim", "Softmax over a dimension",
        r"y_i = \frac{e^{x_i - \max_j x_j}}{\sum_j e^{x_j - \max_j x_j}}",
        params=(_p("dim", None, "dimension to normalise over (module default -1)."),),
        range=(0.0, 1.0), torch_peer="torch.softmax", inplace=False,
        use_case="class probabilities; attention weights",
        notes="The backward is y ⊙ (g - Σ g⊙y), never the Jacobian.",
    ),
    ActivationInfo(
        "glu", "GLU", "dim", "Gated linear unit",
        r"a \otimes \sigma(b),\ (a, b) = \mathrm{chunk}(x, 2, \mathrm{dim})",
        params=(_p("dim", -1, "dimension split into halves a, b (size must be even)."),),
        torch_peer="torch.nn.functional.glu", inplace=False,
        use_case="gated convolutional language models",
    ),
    ActivationInfo(
        "geglu", "GEGLU", "dim", "GELU-gated linear unit",
        r"a \otimes \mathrm{GELU}(b)",
        params=(_p("dim", -1, "dimension split into halves a, b."),
                _p("approximate", "none", "'none' or 'tanh', as gelu.")),
        inplace=False, use_case="transformer feed-forward blocks (T5 v1.1)",
    ),
    ActivationInfo(
        "swiglu", "SwiGLU", "dim", "Swish-gated linear unit",
        r"a \otimes \mathrm{SiLU}(b)",
        params=(_p("dim", -1, "dimension split into halves a, b."),),
        inplace=False, use_case="transformer feed-forward blocks (LLaMA, PaLM)",
    ),
    ActivationInfo(
        "reglu", "ReGLU", "dim", "ReLU-gated linear unit",
        r"a \otimes \mathrm{ReLU}(b)",
        params=(_p("dim", -1, "dimension split into halves a, b."),),
        inplace=False, use_case="transformer feed-forward blocks (GLU variants)",
    ),
    ActivationInfo(
        "crelu", "CReLU", "dim", "Concatenated ReLU",
        r"\mathrm{cat}(\mathrm{ReLU}(x), \mathrm{ReLU}(-x))\ \text{along dim}",
        params=(_p("dim", 1, "dimension along which the output doubles."),),
        range=(0.0, INF), inplace=False,
        use_case="early CNN layers that learn both phases of a filter",
    ),
    ActivationInfo(
        "maxout", "Maxout", "dim", "Maxout over groups of a dimension",
        r"y_j = \max_{i < k} x_{jk + i}\ \text{along dim}",
        params=(_p("pool_size", None, "group size k (the size of dim must be divisible by it)."),
                _p("dim", 1, "dimension pooled.")),
        inplace=False, use_case="maxout networks (piecewise-linear convex units)",
        notes="The gradient goes to the first maximum of each group.",
    ),
]

_LEARNABLE = [
    ActivationInfo(
        "prelu", "PReLU", "learnable", "Parametric ReLU",
        r"f(x) = \begin{cases} x & x > 0 \\ w x & x \le 0 \end{cases},\ w\ \text{learnable}",
        params=(_p("num_parameters", 1, "1 (shared) or C."), _p("init", 0.25, "initial slope.")),
        monotonic=True, smoothness="C0", torch_peer="torch.nn.PReLU", inplace=False,
        use_case="ReLU with a learned negative slope (ImageNet-era CNNs)",
    ),
    ActivationInfo(
        "swish_learnable", "Swish", "learnable", "Swish with a learnable beta",
        r"f(x) = x\,\sigma(\beta x),\ \beta\ \text{learnable}",
        params=(_p("beta", 1.0, "initial beta."),),
        range=(-0.2784645427610738, INF), inplace=False,
        use_case="Swish whose sharpness is learned (Ramachandran et al.)",
        extra={"module_kwargs": {"learnable": True}},
    ),
    ActivationInfo(
        "learnable_sigmoid", "LearnableSigmoid", "learnable", "Learnable sigmoid",
        r"f(x) = \sigma(\alpha x + \beta)",
        params=(_p("num_parameters", 1, "1 (shared) or C."),),
        range=(0.0, 1.0), monotonic=True, inplace=False,
        use_case="gates whose slope and offset are learned",
    ),
    ActivationInfo(
        "parametric_softplus", "ParametricSoftplus", "learnable", "Parametric softplus",
        r"f(x) = \frac{1}{\beta} \ln(1 + e^{\alpha x})",
        params=(_p("num_parameters", 1, "1 (shared) or C."),),
        range=(0.0, INF), monotonic=True, inplace=False,
        use_case="smooth ReLU with learned sharpness and scale",
    ),
    ActivationInfo(
        "srelu", "SReLU", "learnable", "S-shaped ReLU",
        r"f(x) = \begin{cases} t_r + a_r (x - t_r) & x \ge t_r \\ x & t_l < x < t_r \\ "
        r"t_l + a_l (x - t_l) & x \le t_l \end{cases}",
        params=(_p("num_parameters", 1, "1 (shared) or C."),),
        monotonic=True, smoothness="C0", inplace=False,
        use_case="learned piecewise-linear S shape (Jin et al., AAAI 2016)",
    ),
    ActivationInfo(
        "pau", "PAU", "learnable", "Power activation unit",
        r"f(x) = \sum_k a_k\,\mathrm{sign}(x)\,|x|^{p_k}",
        params=(_p("num_parameters", 1, "1 (shared) or C."),),
        monotonic=True, smoothness="C1", zero_centred=True, inplace=False,
        use_case="learned odd power mixture (the source article's PAU)",
    ),
    ActivationInfo(
        "pade", "PadeActivation", "learnable", "Padé activation unit (safe)",
        r"F(x) = \frac{\sum_{j=0}^{m} a_j x^j}{1 + \sum_{k=1}^{n} |b_k|\,|x|^k}",
        params=(_p("num_parameters", 1, "1 (shared) or C."), _p("degrees", (5, 4), "(m, n).")),
        smoothness="C1", inplace=False, use_case="learned rational activation (Molina et al., ICLR 2020)",
    ),
    ActivationInfo(
        "dynamic_relu", "DynamicReLU", "learnable", "Dynamic ReLU",
        r"y^c = \max_k (a^c_k(x)\,x^c + b^c_k(x))",
        params=(_p("channels", None, "C."), _p("reduction", 4, "hidden width C/reduction."),
                _p("k", 2, "pieces."), _p("mode", "B", "'B' per channel, 'A' shared.")),
        inplace=False, use_case="input-dependent piecewise-linear activation (Chen et al., ECCV 2020)",
    ),
    ActivationInfo(
        "evonorm_b0", "EvoNormB0", "learnable", "EvoNorm-B0",
        r"y = \frac{x}{\max(\sqrt{s^2_{b} + \epsilon},\ v x + \sqrt{s^2_{i} + \epsilon})} \gamma + \beta",
        params=(_p("num_features", None, "C."), _p("eps", 1e-5, "epsilon."), _p("momentum", 0.1, "running variance.")),
        inplace=False, use_case="normalisation-activation layer replacing BN-ReLU (Liu et al., 2020)",
    ),
    ActivationInfo(
        "evonorm_s0", "EvoNormS0", "learnable", "EvoNorm-S0",
        r"y = \frac{x\,\sigma(v x)}{\sqrt{s^2_{g} + \epsilon}} \gamma + \beta",
        params=(_p("num_features", None, "C."), _p("groups", 32, "groups."), _p("eps", 1e-5, "epsilon.")),
        inplace=False, use_case="batch-independent normalisation-activation (Liu et al., 2020)",
    ),
    ActivationInfo(
        "pact", "QuantReLU", "learnable", "PACT (quantised ReLU with learnable clipping)",
        r"f(x) = \mathrm{round}\!\left(\frac{\mathrm{clip}(x, 0, \alpha)}{\alpha} L\right) \frac{\alpha}{L}",
        params=(_p("levels", 4, "quantisation levels L."), _p("max_val", 1.0, "initial alpha.")),
        range=(0.0, 1.0), monotonic=True, smoothness="discontinuous", inplace=False,
        use_case="quantisation-aware training with a learned range (Choi et al., 2018)",
        extra={"module_kwargs": {"learnable": True}},
    ),
    ActivationInfo(
        "lut", "LUTActivation", "learnable", "Look-up-table activation",
        r"f(x) = (1 - w) T_i + w T_{i+1},\ i + w = \frac{\mathrm{clamp}(x, lo, hi) - lo}{hi - lo}(n - 1)",
        params=(_p("table", None, "n >= 2 values."), _p("range", (-1.0, 1.0), "(lo, hi).")),
        inplace=False, use_case="learned or tabulated activations for fixed-point hardware",
    ),
    ActivationInfo(
        "maxout_linear", "MaxoutLinear", "learnable", "Maxout unit",
        r"y_j = \max_{i} (W_{ij} x + b_{ij})",
        params=(_p("in_features", None, "inputs."), _p("out_features", None, "outputs."),
                _p("pieces", None, "linear pieces per output.")),
        inplace=False, use_case="maxout networks (Goodfellow et al., 2013)",
    ),
    ActivationInfo(
        "relu_polymix", "ReLUPolyMix", "learnable", "ReLU/polynomial mix",
        r"f(x) = \sigma(b)\,\mathrm{ReLU}(x) + (1 - \sigma(b)) \sum_{i=1}^{d} \frac{a x^i}{i}",
        params=(_p("num_parameters", 1, "1 (shared) or C."), _p("degree", 3, "d.")),
        monotonic=True, smoothness="C0", inplace=False,
        use_case="learned mix of ReLU and a polynomial (second source article)",
    ),
]

REGISTRY: Dict[str, ActivationInfo] = {}


def register(info: ActivationInfo) -> ActivationInfo:
    if info.name in REGISTRY:
        raise ValueError(f"activation {info.name!r} is registered twice")
    REGISTRY[info.name] = info
    return info


for _info in _POINTWISE + _DIM + _LEARNABLE:
    register(_info)


def _normalise(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def get_info(name: str) -> ActivationInfo:
    """The registry entry of an activation, by op name (``"hard_swish"``) or
    module name (``"HardSwish"``), case-insensitively."""
    if name in REGISTRY:
        return REGISTRY[name]
    key = _normalise(name)
    for info in REGISTRY.values():
        if key in (_normalise(info.name), _normalise(info.module)):
            return info
    known = ", ".join(sorted(REGISTRY))
    raise KeyError(f"unknown activation {name!r}; known: {known}")


def list_activations(category: Optional[str] = None) -> List[ActivationInfo]:
    """All registry entries (optionally only one category: "pointwise",
    "dim" or "learnable"), in catalog order."""
    if category is not None and category not in ("pointwise", "dim", "learnable"):
        raise ValueError(f"category must be 'pointwise', 'dim' or 'learnable', got {category!r}")
    return [i for i in REGISTRY.values() if category is None or i.category == category]


def get_activation(name: str, **kwargs: Any):
    """A new ``nn.Module`` for the activation ``name`` (op or module name),
    constructed with ``kwargs`` (the catalog's parameters)."""
    from . import modules

    from . import learnable

    info = get_info(name)
    cls = getattr(modules, info.module, None) or getattr(learnable, info.module)
    kwargs = {**info.extra.get("module_kwargs", {}), **kwargs}
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise TypeError(f"get_activation({name!r}): {e}") from None
