"""The modules whose behaviour is more than a call of the function with
their attributes: the learnable activations (catalog section 3), which own
their parameters, and ``Swish(learnable=True)``, ``QuantReLU(learnable=True)``
and ``RReLU`` (random slopes in training mode).  The other modules are
generated (:mod:`torch_activations.modules`); the docstrings here are too
(the regions between ``# <generated:doc NAME>`` markers, from the op table).

Parameters are per channel (shape [C], C = input.size(1)) when
``num_parameters=C``, or one shared value (shape [1]) with the default
``num_parameters=1``; like torch's modules, every constructor takes
``device=`` and ``dtype=`` for its parameters.  Every module has
``reset_parameters()`` and ``extra_repr()``, scripts with TorchScript and
round-trips its ``state_dict``.  The operators compute the gradients of the
input and of every parameter in C++, with the parameter gradients reduced
inside the kernel, deterministically.
"""

import math
from typing import Any, Dict, Optional, Tuple

import torch
from torch import Tensor, nn

from . import functional as F

__all__ = [
    "Swish", "QuantReLU", "RReLU", "PReLU", "LearnableSigmoid", "ParametricSoftplus", "SReLU", "PAU",
    "PadeActivation", "DynamicReLU", "EvoNormB0", "EvoNormS0", "LUTActivation", "MaxoutLinear", "ReLUPolyMix",
]


def _factory(device: Any, dtype: Any) -> Dict[str, Any]:
    return {"device": device, "dtype": dtype}


def _check_num_parameters(name: str, num_parameters: int) -> None:
    if num_parameters < 1:
        raise ValueError(f"{name}: num_parameters must be >= 1, got {num_parameters}")


def _with_inplace(text: str, inplace: bool) -> str:
    return f"{text}, inplace=True" if inplace else text


# ------------------------------------------------------------------------
# Pointwise activations with a learnable (or random) variant
# ------------------------------------------------------------------------
class Swish(nn.Module):
    # <generated:doc swish>
    r"""Swish.

    .. math::

        f(x) = x\,\sigma(\beta x)

    Formula: ``x * sigmoid(beta * x)``.

    ``Swish(learnable=True)`` makes beta a parameter of shape [1] (the op swish_learnable), trained by ∂f/∂β = x²σ(βx)(1-σ(βx)).

    Args:
        beta (float): sharpness; beta = 1 is SiLU. Default: ``1.0``.
        inplace (bool): overwrite ``input``. Default: ``False``.

    Shape: (*): any shape; the output has the shape of the input.

    Output range (-0.278465, inf); monotonic: False; smoothness: Cinf; zero-centred: False.

    Torch peer: ``torch.nn.functional.silu (beta = 1)``.
    Use: deep CNNs (EfficientNet); learnable beta in the Swish module.
    """
    # </generated:doc>
    __constants__ = ["learnable", "inplace"]

    def __init__(self, beta: float = 1.0, learnable: bool = False, inplace: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.learnable = learnable
        self.inplace = inplace
        self._init_beta = float(beta)
        self.beta: Any  # a Parameter [1] (learnable) or a float
        if learnable:
            if inplace:
                raise ValueError("Swish: inplace=True is not supported with learnable=True")
            self.beta = nn.Parameter(torch.empty(1, **_factory(device, dtype)))
            self.reset_parameters()
        else:
            self.beta = float(beta)
            F.swish(torch.empty(0), self.beta)  # the op's argument checks

    def reset_parameters(self) -> None:
        if self.learnable:
            with torch.no_grad():
                self.beta.fill_(self._init_beta)

    def forward(self, input: Tensor) -> Tensor:
        if self.learnable:
            return F.swish_learnable(input, self.beta)
        return F.swish(input, self.beta, self.inplace)

    def extra_repr(self) -> str:
        if self.learnable:
            return f"beta={self._init_beta!r}, learnable=True"
        return _with_inplace(f"beta={self.beta!r}", self.inplace)


class QuantReLU(nn.Module):
    # <generated:doc quant_relu>
    r"""Quantized ReLU.

    .. math::

        f(x) = \mathrm{round}\!\left(\frac{\mathrm{clamp}(x, 0, m)}{m} L\right) \frac{m}{L}

    Formula: ``round(clamp(x, 0, max_val) / max_val * levels) * max_val / levels``.

    Ties round to even; the gradient is the straight-through estimator 1 on (0, max_val). ``QuantReLU(learnable=True)`` learns max_val (PACT, the op pact; the paper initialises max_val = 10 when training from scratch).

    Args:
        levels (int): number of quantization steps L (>= 1). Default: ``4``.
        max_val (float): clipping value m (> 0). Default: ``1.0``.
        inplace (bool): overwrite ``input``. Default: ``False``.

    Shape: (*): any shape; the output has the shape of the input.

    Output range (0, 1); monotonic: True; smoothness: discontinuous; zero-centred: False.

    Torch peer: none.
    Use: quantization-aware training (straight-through gradient on (0, m)).
    """
    # </generated:doc>
    __constants__ = ["levels", "learnable", "inplace"]

    def __init__(self, levels: int = 4, max_val: float = 1.0, learnable: bool = False,
                 inplace: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.levels = levels
        self.learnable = learnable
        self.inplace = inplace
        self._init_max_val = float(max_val)
        if learnable:
            if inplace:
                raise ValueError("QuantReLU: inplace=True is not supported with learnable=True")
            self.max_val: Any = nn.Parameter(torch.empty(1, **_factory(device, dtype)))
            self.reset_parameters()
            F.pact(torch.empty(0), torch.ones(1), self.levels)  # the op's argument checks
        else:
            self.max_val = float(max_val)
            F.quant_relu(torch.empty(0), self.levels, self.max_val)

    def reset_parameters(self) -> None:
        if self.learnable:
            with torch.no_grad():
                self.max_val.fill_(self._init_max_val)

    def forward(self, input: Tensor) -> Tensor:
        if self.learnable:
            return F.pact(input, self.max_val, self.levels)
        return F.quant_relu(input, self.levels, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        if self.learnable:
            return f"levels={self.levels}, max_val={self._init_max_val!r}, learnable=True"
        return _with_inplace(f"levels={self.levels}, max_val={self.max_val!r}", self.inplace)


class RReLU(nn.RReLU):
    # <generated:doc rrelu>
    r"""Randomized leaky ReLU.

    .. math::

        f(x) = \begin{cases} x & x \ge 0 \\ a x & x < 0 \end{cases},\ a \sim U(\text{lower}, \text{upper})\ \text{(training)},\ a = \tfrac{\text{lower} + \text{upper}}{2}\ \text{(eval)}

    Formula: ``x if x >= 0 else a * x, a ~ U(lower, upper) in training, (lower + upper) / 2 in eval``.

    The module draws slopes in training mode (``module.train()``) and uses their mean in eval mode.

    Args:
        lower (float): lower bound of the slope. Default: ``1.0 / 8.0``.
        upper (float): upper bound of the slope. Default: ``1.0 / 3.0``.
        inplace (bool): overwrite ``input``. Default: ``False``.

    Shape: (*): any shape; the output has the shape of the input.

    Output range (-inf, inf); monotonic: True; smoothness: C0; zero-centred: False.

    Torch peer: ``torch.nn.functional.rrelu``.
    Use: regularising leaky ReLU for small datasets.
    """
    # </generated:doc>
    __constants__ = ["lower", "upper", "inplace"]
    lower: float
    upper: float
    inplace: bool

    def __init__(self, lower: float = 1.0 / 8.0, upper: float = 1.0 / 3.0, inplace: bool = False) -> None:
        nn.Module.__init__(self)
        self.lower = lower
        self.upper = upper
        self.inplace = inplace
        F.rrelu(torch.empty(0), self.lower, self.upper)  # the op's argument checks

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return _with_inplace(f"lower={self.lower!r}, upper={self.upper!r}", self.inplace)


# ------------------------------------------------------------------------
# Learnable activations
# ------------------------------------------------------------------------
class _Learnable(nn.Module):
    """Per-channel (or shared) parameters, each of shape [num_parameters]."""

    _inits: Tuple[Tuple[str, float], ...] = ()
    __jit_ignored_attributes__ = ["_inits"]

    def __init__(self, num_parameters: int = 1, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_num_parameters(type(self).__name__, num_parameters)
        self.num_parameters = num_parameters
        for name, _ in self._inits:
            setattr(self, name, nn.Parameter(torch.empty(num_parameters, **_factory(device, dtype))))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        with torch.no_grad():
            for name, value in self._inits:
                getattr(self, name).fill_(value)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class PReLU(_Learnable, nn.PReLU):
    # <generated:doc prelu>
    r"""Parametric ReLU.

    .. math::

        f(x) = \begin{cases} x & x > 0 \\ w x & x \le 0 \end{cases},\ w\ \text{learnable}

    Formula: ``x if x > 0 else weight * x``.

    Args:
        num_parameters (int): 1 (one shared value) or C = input.size(1). Default: ``1``.
        init (float): initial slope. Default: ``0.25``.

    Shape: (*): any shape; the output has the shape of the input.

    Output range (-inf, inf); monotonic: True; smoothness: C0; zero-centred: False.

    Torch peer: ``torch.nn.PReLU``.
    Use: ReLU with a learned negative slope (ImageNet-era CNNs).
    """
    # </generated:doc>

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        self.init = float(init)
        self._inits = (("weight", self.init),)
        _Learnable.__init__(self, num_parameters, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}, init={self.init}"


class LearnableSigmoid(_Learnable):
    # <generated:doc learnable_sigmoid>
    r"""Learnable sigmoid.

    .. math::

        f(x) = \sigma(\alpha x + \beta)

    Formula: ``sigmoid(alpha * x + beta)``.

    Args:
        num_parameters (int): 1 (one shared value) or C = input.size(1). Default: ``1``.

    Shape: (*): any shape; the output has the shape of the input.

    Output range (0, 1); monotonic: True; smoothness: Cinf; zero-centred: False.

    Torch peer: none.
    Use: gates whose slope and offset are learned.
    """
    # </generated:doc>
    _inits = (("alpha", 1.0), ("beta", 0.0))
    alpha: Tensor
    beta: Tensor

    def forward(self, input: Tensor) -> Tensor:
        return F.learnable_sigmoid(input, self.alpha, self.beta)


class ParametricSoftplus(_Learnable):
    # <generated:doc parametric_softplus>
    r"""Parametric softplus.

    .. math::

        f(x) = \frac{1}{\beta} \ln(1 + e^{\alpha x})

    Formula: ``log(1 + exp(alpha * x)) / beta``.

    beta must stay positive (the CPU kernel checks).

    Args:
        num_parameters (int): 1 (one shared value) or C = input.size(1). Default: ``1``.

    Shape: (*): any shape; the output has the shape of the input.

    Output range (0, inf); monotonic: True; smoothness: Cinf; zero-centred: False.

    Torch peer: none.
    Use: smooth ReLU with learned sharpness and scale.
    """
    # </generated:doc>
    _inits = (("alpha", 1.0), ("beta", 1.0))
    alpha: Tensor
    beta: Tensor

    def forward(self, input: Tensor) -> Tensor:
        return F.parametric_softplus(input, self.alpha, self.beta)


class SReLU(_Learnable):
    # <generated:doc srelu>
    r"""S-shaped ReLU.

    .. math::

        f(x) = \begin{cases} t_r + a_r (x - t_r) & x \ge t_r \\ x & t_l < x < t_r \\ t_l + a_l (x - t_l) & x \le t_l \end{cases}

    Formula: ``t_right + a_right (x - t_right) if x >= t_right; t_left + a_left (x - t_left) if x <= t_left; else x``.

    A NaN threshold or slope gives NaN outputs.

    Args:
        num_parameters (int): 1 (one shared value) or C = input.size(1). Default: ``1``.

    Shape: (*): any shape; the output has the shape of the input.

    Output range (-inf, inf); monotonic: True; smoothness: C0; zero-centred: False.

    Torch peer: none.
    Use: learned piecewise-linear S shape (Jin et al., AAAI 2016).
    """
    # </generated:doc>
    _inits = (("t_left", 0.0), ("a_left", 0.01), ("t_right", 1.0), ("a_right", 0.01))
    t_left: Tensor
    a_left: Tensor
    t_right: Tensor
    a_right: Tensor

    def forward(self, input: Tensor) -> Tensor:
        return F.srelu(input, self.t_left, self.a_left, self.t_right, self.a_right)


class PAU(nn.Module):
    # <generated:doc pau>
    r"""Power activation unit.

    .. math::

        f(x) = \sum_k a_k\,\mathrm{sign}(x)\,|x|^{p_k}

    Formula: ``sum_k coeffs_k * sign(x) * |x|^powers_k``.

    Powers must stay positive. At x = 0 the input gradient takes |x|^(p-1) as 1 for p = 1 and 0 otherwise (the limit for p > 1; for p < 1 the true derivative is infinite).

    Args:
        num_parameters (int): 1 (one shared value) or C = input.size(1). Default: ``1``.
        coeffs (Tuple[float, float]): initial coefficients (K <= 4). Default: ``(1.0, 0.1)``.
        powers (Tuple[float, float]): initial powers (> 0). Default: ``(1.0, 2.0)``.

    Shape: (*): any shape; the output has the shape of the input.

    Output range (-inf, inf); monotonic: True; smoothness: C1; zero-centred: True.

    Torch peer: none.
    Use: learned odd power mixture (the source article's PAU).
    """
    # </generated:doc>

    def __init__(self, num_parameters: int = 1, coeffs: Tuple[float, ...] = (1.0, 0.1),
                 powers: Tuple[float, ...] = (1.0, 2.0), device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_num_parameters("PAU", num_parameters)
        if len(coeffs) != len(powers) or not 1 <= len(coeffs) <= 4:
            raise ValueError("PAU: coeffs and powers must have the same length, 1 to 4")
        if any(p <= 0 for p in powers):
            raise ValueError(f"PAU: powers must be positive, got {powers}")
        self.num_parameters = num_parameters
        self._init_coeffs = tuple(float(c) for c in coeffs)
        self._init_powers = tuple(float(p) for p in powers)
        self.coeffs = nn.Parameter(torch.empty(len(coeffs), num_parameters, **_factory(device, dtype)))
        self.powers = nn.Parameter(torch.empty(len(powers), num_parameters, **_factory(device, dtype)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.coeffs.copy_(torch.tensor(self._init_coeffs).unsqueeze(1).expand_as(self.coeffs))
            self.powers.copy_(torch.tensor(self._init_powers).unsqueeze(1).expand_as(self.powers))

    def forward(self, input: Tensor) -> Tensor:
        return F.pau(input, self.coeffs, self.powers)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}, coeffs={self._init_coeffs}, powers={self._init_powers}"


# Catalog: the safe PAU initialisation that approximates leaky_relu(0.01).
_PADE_LEAKY_RELU_5_4 = (
    (0.0335583603, 0.505000375, 1.65343934, 2.01001052, 0.931901999, 0.152424124),
    (3.30847488e-6, 3.98021568, 5.12471206e-7, 0.301830109),
)


def _fit_pade(m: int, n: int, slope: float = 0.01, lo: float = -3.0, hi: float = 3.0):
    """Numerator and denominator coefficients of degrees (m, n) fitted to
    leaky_relu(slope) on [lo, hi] by linearised least squares:
    N(x) - y Σ_k b_k |x|^k = y."""
    x = torch.linspace(lo, hi, 2001, dtype=torch.float64)
    y = torch.where(x > 0, x, slope * x)
    cols = [x**j for j in range(m + 1)] + [-y * x.abs() ** k for k in range(1, n + 1)]
    sol = torch.linalg.lstsq(torch.stack(cols, 1), y.unsqueeze(1)).solution.squeeze(1)
    return tuple(sol[: m + 1].tolist()), tuple(sol[m + 1:].abs().tolist())


class PadeActivation(nn.Module):
    # <generated:doc pade>
    r"""Padé activation unit (safe).

    .. math::

        F(x) = \frac{\sum_{j=0}^{m} a_j x^j}{1 + \sum_{k=1}^{n} |b_k|\,|x|^k}

    Formula: ``sum_j numerator_j x^j / (1 + sum_k |denominator_k| |x|^k)``.

    Initialised to approximate leaky_relu(0.01) on [-3, 3] (the catalog's coefficients for degrees (5, 4), a least-squares fit for other degrees).

    Args:
        num_parameters (int): 1 (one shared value) or C = input.size(1). Default: ``1``.
        degrees (Tuple[int, int]): (m, n). Default: ``(5, 4)``.

    Shape: (*): any shape; the output has the shape of the input.

    Output range (-inf, inf); monotonic: False; smoothness: C1; zero-centred: False.

    Torch peer: none.
    Use: learned rational activation (Molina et al., ICLR 2020).
    """
    # </generated:doc>

    def __init__(self, num_parameters: int = 1, degrees: Tuple[int, int] = (5, 4), device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _check_num_parameters("PadeActivation", num_parameters)
        m, n = int(degrees[0]), int(degrees[1])
        if not (0 <= m <= 8 and 1 <= n <= 8):
            raise ValueError(f"PadeActivation: degrees must be (0..8, 1..8), got {degrees}")
        self.num_parameters = num_parameters
        self.degrees = (m, n)
        self.numerator = nn.Parameter(torch.empty(m + 1, num_parameters, **_factory(device, dtype)))
        self.denominator = nn.Parameter(torch.empty(n, num_parameters, **_factory(device, dtype)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        m, n = self.degrees
        a, b = _PADE_LEAKY_RELU_5_4 if (m, n) == (5, 4) else _fit_pade(m, n)
        with torch.no_grad():
            self.numerator.copy_(torch.tensor(a).unsqueeze(1).expand_as(self.numerator))
            self.denominator.copy_(torch.tensor(b).unsqueeze(1).expand_as(self.denominator))

    def forward(self, input: Tensor) -> Tensor:
        return F.pade(input, self.numerator, self.denominator)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}, degrees={self.degrees}"


class DynamicReLU(nn.Module):
    # <generated:doc dynamic_relu>
    r"""Dynamic ReLU.

    .. math::

        y^c = \max_k (a^c_k(x)\,x^c + b^c_k(x))

    Formula: ``max_k (a_k x + b_k), coefficients from the input``.

    The module computes the coefficients from the input: Δ = 2σ(FC(ReLU(FC(avgpool(x))))) - 1, a_k = α_k + λ_a Δa_k, b_k = β_k + λ_b Δb_k with α = (1, 0, ...), β = 0, λ_a = 1.0, λ_b = 0.5; mode 'B' gives coefficients per channel, 'A' shared ones. The piecewise maximum is the fused op dynamic_relu.

    Args:
        channels (int): C. Required.
        reduction (int): hidden width C/reduction. Default: ``4``.
        k (int): pieces. Default: ``2``.
        mode (str): 'B' per channel, 'A' shared. Default: ``'B'``.

    Shape: (*): any shape; the output has the shape of the input.

    Torch peer: none.
    Use: input-dependent piecewise-linear activation (Chen et al., ECCV 2020).
    """
    # </generated:doc>
    __constants__ = ["channels", "k", "mode", "lambda_a", "lambda_b"]
    init_a: Tensor
    init_b: Tensor

    def __init__(self, channels: int, reduction: int = 4, k: int = 2, mode: str = "B", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if mode not in ("A", "B"):
            raise ValueError(f"DynamicReLU: mode must be 'A' or 'B', got {mode!r}")
        if channels < 1 or reduction < 1 or not 1 <= k <= 4:
            raise ValueError("DynamicReLU: channels >= 1, reduction >= 1 and 1 <= k <= 4 are required")
        self.channels = channels
        self.reduction = reduction
        self.k = k
        self.mode = mode
        self.lambda_a = 1.0
        self.lambda_b = 0.5
        hidden = max(channels // reduction, 1)
        out = 2 * k * (channels if mode == "B" else 1)
        self.fc1 = nn.Linear(channels, hidden, **_factory(device, dtype))
        self.fc2 = nn.Linear(hidden, out, **_factory(device, dtype))
        init_a = torch.zeros(k, **_factory(device, dtype))
        init_a[0] = 1.0
        self.register_buffer("init_a", init_a)
        self.register_buffer("init_b", torch.zeros(k, **_factory(device, dtype)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        self.fc1.reset_parameters()
        self.fc2.reset_parameters()
    def coefficients(self, input: Tensor) -> Tensor:
        """The per-sample coefficients [N, C or 1, k, 2] (a_k, b_k)."""
        if input.dim() < 2 or input.size(1) != self.channels:
            raise ValueError("DynamicReLU: expected an input [N, C, ...] with C = channels = " + str(self.channels)
                             + ", got shape " + str(list(input.shape)))
        theta = input.mean(dim=list(range(2, input.dim()))) if input.dim() > 2 else input
        delta = 2.0 * torch.sigmoid(self.fc2(torch.relu(self.fc1(theta)))) - 1.0
        groups = self.channels if self.mode == "B" else 1
        delta = delta.reshape(input.size(0), groups, 2, self.k)
        a = self.init_a + self.lambda_a * delta[:, :, 0]
        b = self.init_b + self.lambda_b * delta[:, :, 1]
        return torch.stack([a, b], dim=-1)

    def forward(self, input: Tensor) -> Tensor:
        return F.dynamic_relu(input, self.coefficients(input))

    def extra_repr(self) -> str:
        return f"channels={self.channels}, reduction={self.reduction}, k={self.k}, mode={self.mode!r}"


class EvoNormB0(nn.Module):
    # <generated:doc evonorm_b0>
    r"""EvoNorm-B0.

    .. math::

        y = \frac{x}{\max(\sqrt{s^2_{b} + \epsilon},\ v x + \sqrt{s^2_{i} + \epsilon})} \gamma + \beta

    Formula: ``x / max(sqrt(var_batch + eps), v x + sqrt(var_instance + eps)) * gamma + beta``.

    The batch variance is over (N, spatial) in training; in eval the running variance (updated with momentum, unbiased, as BatchNorm) is used.

    Args:
        num_features (int): C. Required.
        eps (float): epsilon. Default: ``1e-05``.
        momentum (float): running variance momentum. Default: ``0.1``.

    Shape: (N, C, *) -> (N, C, *).

    Torch peer: none.
    Use: normalisation-activation layer replacing BN-ReLU (Liu et al., 2020).
    """
    # </generated:doc>
    running_var: Tensor
    __constants__ = ["num_features", "eps", "momentum"]

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if num_features < 1:
            raise ValueError(f"EvoNormB0: num_features must be >= 1, got {num_features}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.gamma = nn.Parameter(torch.empty(num_features, **_factory(device, dtype)))
        self.beta = nn.Parameter(torch.empty(num_features, **_factory(device, dtype)))
        self.v = nn.Parameter(torch.empty(num_features, **_factory(device, dtype)))
        self.register_buffer("running_var", torch.ones(num_features, **_factory(device, dtype)))
        self.reset_parameters()
    def reset_running_stats(self) -> None:
        self.running_var.fill_(1.0)

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.gamma.fill_(1.0)
            self.beta.fill_(0.0)
            self.v.fill_(1.0)
        self.reset_running_stats()

    def forward(self, input: Tensor) -> Tensor:
        if self.training:
            y, var = torch.ops.torch_activations.evonorm_b0(
                input, self.gamma, self.beta, self.v, None, True, self.eps)
            n = input.numel() // input.size(1)
            with torch.no_grad():
                unbiased = var.detach() * (n / max(n - 1, 1))
                self.running_var.mul_(1.0 - self.momentum).add_(unbiased.to(self.running_var.dtype),
                                                                alpha=self.momentum)
            return y
        return torch.ops.torch_activations.evonorm_b0(
            input, self.gamma, self.beta, self.v, self.running_var, False, self.eps)[0]

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class EvoNormS0(nn.Module):
    # <generated:doc evonorm_s0>
    r"""EvoNorm-S0.

    .. math::

        y = \frac{x\,\sigma(v x)}{\sqrt{s^2_{g} + \epsilon}} \gamma + \beta

    Formula: ``x * sigmoid(v x) / sqrt(var_group + eps) * gamma + beta``.

    The variance is over each group of num_features/groups channels and the spatial dims, per sample; no running statistics.

    Args:
        num_features (int): C. Required.
        groups (int): groups. Default: ``32``.
        eps (float): epsilon. Default: ``1e-05``.

    Shape: (N, C, *) -> (N, C, *).

    Torch peer: none.
    Use: batch-independent normalisation-activation (Liu et al., 2020).
    """
    # </generated:doc>
    __constants__ = ["num_features", "groups", "eps"]

    def __init__(self, num_features: int, groups: int = 32, eps: float = 1e-5, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if groups < 1 or num_features % groups != 0:
            raise ValueError(f"EvoNormS0: num_features ({num_features}) must be divisible by groups ({groups})")
        self.num_features = num_features
        self.groups = groups
        self.eps = eps
        self.gamma = nn.Parameter(torch.empty(num_features, **_factory(device, dtype)))
        self.beta = nn.Parameter(torch.empty(num_features, **_factory(device, dtype)))
        self.v = nn.Parameter(torch.empty(num_features, **_factory(device, dtype)))
        self.reset_parameters()
    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.gamma.fill_(1.0)
            self.beta.fill_(0.0)
            self.v.fill_(1.0)

    def forward(self, input: Tensor) -> Tensor:
        return F.evonorm_s0(input, self.gamma, self.beta, self.v, self.groups, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_features}, groups={self.groups}, eps={self.eps}"


class LUTActivation(nn.Module):
    # <generated:doc lut>
    r"""Look-up-table activation.

    .. math::

        f(x) = (1 - w) T_i + w T_{i+1},\ i + w = \frac{\mathrm{clamp}(x, lo, hi) - lo}{hi - lo}(n - 1)

    Formula: ``linear interpolation of table over the clamped input``.

    The input gradient is the segment's slope inside (lo, hi) and 0 outside; the table's gradient is the interpolation weights. ``LUTActivation.from_activation(name, size, range)`` builds a table from a pointwise activation and reports its max error on that range in ``.max_error``.

    Args:
        table (Tensor): n >= 2 values. Required.
        range (Tuple[float, float]): (lo, hi). Default: ``(-1.0, 1.0)``.

    Shape: (*): any shape; the output has the shape of the input.

    Torch peer: none.
    Use: learned or tabulated activations for fixed-point hardware.
    """
    # </generated:doc>
    __constants__ = ["lo", "hi"]
    __jit_ignored_attributes__ = ["max_error", "_init_table"]

    def __init__(self, table: Tensor, range: Tuple[float, float] = (-1.0, 1.0), device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        table = torch.as_tensor(table, dtype=dtype or torch.get_default_dtype(), device=device).detach().clone()
        if table.dim() != 1 or table.numel() < 2:
            raise ValueError(f"LUTActivation: table must be 1-D with at least 2 entries, got shape {tuple(table.shape)}")
        lo, hi = float(range[0]), float(range[1])
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"LUTActivation: range must be finite with lo < hi, got {range}")
        self.lo = lo
        self.hi = hi
        self._init_table = table.clone()
        self.table = nn.Parameter(table)
        self.max_error: Optional[float] = None  # set by from_activation

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.table.copy_(self._init_table)

    @classmethod
    def from_activation(cls, name: str, size: int = 257, range: Tuple[float, float] = (-6.0, 6.0),
                        **params: Any) -> "LUTActivation":
        """A table of ``size`` samples of the pointwise activation ``name``
        (with ``params``) over ``range``; the max error against the activation
        on that range (on a grid 16x finer than the table) is in ``.max_error``."""
        lo, hi = float(range[0]), float(range[1])
        fn = getattr(F, name, None)
        if fn is None or name not in _POINTWISE:
            raise ValueError(f"LUTActivation.from_activation: {name!r} is not a pointwise activation")
        with torch.no_grad():
            xs = torch.linspace(lo, hi, size, dtype=torch.float64)
            module = cls(fn(xs, **params).to(torch.get_default_dtype()), (lo, hi))
            dense = torch.linspace(lo, hi, 16 * (size - 1) + 1, dtype=torch.float64)
            approx = F.lut(dense, module.table.detach().double(), lo, hi)
            module.max_error = float((approx - fn(dense, **params)).abs().max())
        return module

    def forward(self, input: Tensor) -> Tensor:
        return F.lut(input, self.table, self.lo, self.hi)

    def extra_repr(self) -> str:
        return f"size={self.table.numel()}, range=({self.lo}, {self.hi})"


class MaxoutLinear(nn.Module):
    # <generated:doc maxout_linear>
    r"""Maxout unit.

    .. math::

        y_j = \max_{i} (W_{ij} x + b_{ij})

    Formula: ``max over pieces of linear maps``.

    A Linear to out_features·pieces, then maxout over consecutive groups of ``pieces``.

    Args:
        in_features (int): inputs. Required.
        out_features (int): outputs. Required.
        pieces (int): linear pieces per output. Required.

    Shape: (*, in) -> (*, out).

    Torch peer: none.
    Use: maxout networks (Goodfellow et al., 2013).
    """
    # </generated:doc>
    __constants__ = ["in_features", "out_features", "pieces"]

    def __init__(self, in_features: int, out_features: int, pieces: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if pieces < 1:
            raise ValueError(f"MaxoutLinear: pieces must be >= 1, got {pieces}")
        self.in_features = in_features
        self.out_features = out_features
        self.pieces = pieces
        self.linear = nn.Linear(in_features, out_features * pieces, bias=bias, **_factory(device, dtype))
    def reset_parameters(self) -> None:
        self.linear.reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        return F.maxout(self.linear(input), self.pieces, -1)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, pieces={self.pieces}"


class ReLUPolyMix(_Learnable):
    # <generated:doc relu_polymix>
    r"""ReLU/polynomial mix.

    .. math::

        f(x) = \sigma(b)\,\mathrm{ReLU}(x) + (1 - \sigma(b)) \sum_{i=1}^{d} \frac{a x^i}{i}

    Formula: ``sigmoid(b) relu(x) + (1 - sigmoid(b)) sum_i a x^i / i``.

    ``regularization_loss()`` = mean(a²) + mean((b - 0.5)²).

    Args:
        num_parameters (int): 1 (one shared value) or C = input.size(1). Default: ``1``.
        degree (int): d. Default: ``3``.

    Shape: (*): any shape; the output has the shape of the input.

    Output range (-inf, inf); monotonic: True; smoothness: C0; zero-centred: False.

    Torch peer: none.
    Use: learned mix of ReLU and a polynomial (second source article).
    """
    # </generated:doc>
    _inits = (("a", 0.25), ("b", 0.0))
    a: Tensor
    b: Tensor

    def __init__(self, num_parameters: int = 1, degree: int = 3, device: Any = None, dtype: Any = None) -> None:
        if not 1 <= degree <= 16:
            raise ValueError(f"ReLUPolyMix: degree must be in [1, 16], got {degree}")
        self.degree = degree
        super().__init__(num_parameters, device, dtype)
    def forward(self, input: Tensor) -> Tensor:
        return F.relu_polymix(input, self.a, self.b, self.degree)

    def regularization_loss(self) -> Tensor:
        return (self.a**2).mean() + ((self.b - 0.5) ** 2).mean()

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}, degree={self.degree}"


# The pointwise activations LUTActivation.from_activation accepts.
_POINTWISE = frozenset(F.__all__[: F.__all__.index("rrelu") + 1])
