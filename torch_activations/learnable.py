"""Modules with learnable parameters (catalog section 3).

Parameters are per channel (shape [C], C = input.size(1)) when
``num_parameters=C``, or one shared value (shape [1]) with the default
``num_parameters=1``.  Every module has ``reset_parameters()`` and
``extra_repr()``, scripts with TorchScript and round-trips its ``state_dict``.
The operators compute the gradients of the input and of every parameter (to
second order) in C++, with the parameter gradients reduced inside the kernel,
deterministically.
"""

import math
from typing import List, Optional, Tuple

import torch
from torch import Tensor, nn

from . import functional as F
from . import registry

__all__: List[str] = []


def _public(cls):
    __all__.append(cls.__name__)
    return cls


def _check_num_parameters(name: str, num_parameters: int) -> None:
    if num_parameters < 1:
        raise ValueError(f"{name}: num_parameters must be >= 1, got {num_parameters}")


class _Learnable(nn.Module):
    """Per-channel (or shared) parameters, each of shape [num_parameters]."""

    _op: str = ""
    _inits: Tuple[Tuple[str, float], ...] = ()
    __jit_ignored_attributes__ = ["_inits", "_op"]

    def __init__(self, num_parameters: int = 1) -> None:
        super().__init__()
        _check_num_parameters(type(self).__name__, num_parameters)
        self.num_parameters = num_parameters
        for name, _ in self._inits:
            setattr(self, name, nn.Parameter(torch.empty(num_parameters)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        with torch.no_grad():
            for name, value in self._inits:
                getattr(self, name).fill_(value)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


@_public
class PReLU(_Learnable):
    """x if x > 0 else w·x with a learnable slope w (as torch.nn.PReLU)."""

    _op = "prelu"

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        self.init = float(init)
        self._inits = (("weight", self.init),)
        super().__init__(num_parameters)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}, init={self.init}"


@_public
class LearnableSigmoid(_Learnable):
    """σ(αx + β) with learnable α (1.0) and β (0.0)."""

    _op = "learnable_sigmoid"
    _inits = (("alpha", 1.0), ("beta", 0.0))

    def forward(self, input: Tensor) -> Tensor:
        return F.learnable_sigmoid(input, self.alpha, self.beta)


@_public
class ParametricSoftplus(_Learnable):
    """(1/β)·log(1 + e^{αx}) with learnable α (1.0) and β (1.0); β must stay
    positive (the CPU kernel raises otherwise)."""

    _op = "parametric_softplus"
    _inits = (("alpha", 1.0), ("beta", 1.0))

    def forward(self, input: Tensor) -> Tensor:
        return F.parametric_softplus(input, self.alpha, self.beta)


@_public
class SReLU(_Learnable):
    """S-shaped ReLU (Jin et al., AAAI 2016) with learnable thresholds and
    slopes: t_left (0.0), a_left (0.01), t_right (1.0), a_right (0.01)."""

    _op = "srelu"
    _inits = (("t_left", 0.0), ("a_left", 0.01), ("t_right", 1.0), ("a_right", 0.01))

    def forward(self, input: Tensor) -> Tensor:
        return F.srelu(input, self.t_left, self.a_left, self.t_right, self.a_right)


@_public
class PAU(nn.Module):
    """Power activation unit of the source article: Σ_k a_k·sign(x)·|x|^{p_k},
    K = 2 terms with coefficients (1.0, 0.1) and powers (1.0, 2.0), all
    learnable; powers must stay positive.  At x = 0 the input gradient takes
    |x|^{p-1} as 1 for p = 1 and 0 otherwise (the limit for p > 1; for p < 1
    the true derivative is infinite)."""

    _op = "pau"

    def __init__(self, num_parameters: int = 1, coeffs: Tuple[float, ...] = (1.0, 0.1),
                 powers: Tuple[float, ...] = (1.0, 2.0)) -> None:
        super().__init__()
        _check_num_parameters("PAU", num_parameters)
        if len(coeffs) != len(powers) or not 1 <= len(coeffs) <= 4:
            raise ValueError("PAU: coeffs and powers must have the same length, 1 to 4")
        if any(p <= 0 for p in powers):
            raise ValueError(f"PAU: powers must be positive, got {powers}")
        self.num_parameters = num_parameters
        self._init_coeffs = tuple(float(c) for c in coeffs)
        self._init_powers = tuple(float(p) for p in powers)
        self.coeffs = nn.Parameter(torch.empty(len(coeffs), num_parameters))
        self.powers = nn.Parameter(torch.empty(len(powers), num_parameters))
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


@_public
class PadeActivation(nn.Module):
    """Padé activation unit, safe variant (Molina et al., ICLR 2020):
    F(x) = Σ_j a_j x^j / (1 + Σ_k |b_k| |x|^k), numerator degree m and
    denominator degree n = ``degrees``; initialised to approximate
    leaky_relu(0.01) on [-3, 3] (the catalog's coefficients for (5, 4), a
    least-squares fit for other degrees)."""

    _op = "pade"

    def __init__(self, num_parameters: int = 1, degrees: Tuple[int, int] = (5, 4)) -> None:
        super().__init__()
        _check_num_parameters("PadeActivation", num_parameters)
        m, n = int(degrees[0]), int(degrees[1])
        if not (0 <= m <= 8 and 1 <= n <= 8):
            raise ValueError(f"PadeActivation: degrees must be (0..8, 1..8), got {degrees}")
        self.num_parameters = num_parameters
        self.degrees = (m, n)
        self.numerator = nn.Parameter(torch.empty(m + 1, num_parameters))
        self.denominator = nn.Parameter(torch.empty(n, num_parameters))
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


@_public
class DynamicReLU(nn.Module):
    """DY-ReLU (Chen et al., ECCV 2020): y^c = max_k (a^c_k x^c + b^c_k) with
    coefficients computed from the input: Δ = 2σ(FC(ReLU(FC(avgpool(x))))) - 1,
    a_k = α_k + λ_a Δa_k, b_k = β_k + λ_b Δb_k; α = (1, 0, ...), β = 0,
    λ_a = 1.0, λ_b = 0.5.  mode 'B': coefficients per channel; 'A': shared
    across channels.  The piecewise maximum is the fused op dynamic_relu."""

    __constants__ = ["channels", "k", "mode", "lambda_a", "lambda_b"]

    def __init__(self, channels: int, reduction: int = 4, k: int = 2, mode: str = "B") -> None:
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
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, out)
        init_a = torch.zeros(k)
        init_a[0] = 1.0
        self.register_buffer("init_a", init_a)
        self.register_buffer("init_b", torch.zeros(k))
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


@_public
class EvoNormB0(nn.Module):
    """EvoNorm-B0 (Liu et al., NeurIPS 2020):
    y = x / max(sqrt(s²_batch + ε), v·x + sqrt(s²_instance + ε))·γ + β, with
    the batch variance over (N, spatial) in training and a running variance
    (updated with momentum, unbiased, as BatchNorm) in eval."""

    __constants__ = ["num_features", "eps", "momentum"]

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        if num_features < 1:
            raise ValueError(f"EvoNormB0: num_features must be >= 1, got {num_features}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.gamma = nn.Parameter(torch.empty(num_features))
        self.beta = nn.Parameter(torch.empty(num_features))
        self.v = nn.Parameter(torch.empty(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
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


@_public
class EvoNormS0(nn.Module):
    """EvoNorm-S0 (Liu et al., NeurIPS 2020): y = x·σ(v·x)/sqrt(s²_group + ε)·γ + β,
    s²_group over each group of num_features/groups channels (and the
    spatial dims) per sample; no running statistics."""

    __constants__ = ["num_features", "groups", "eps"]

    def __init__(self, num_features: int, groups: int = 32, eps: float = 1e-5) -> None:
        super().__init__()
        if groups < 1 or num_features % groups != 0:
            raise ValueError(f"EvoNormS0: num_features ({num_features}) must be divisible by groups ({groups})")
        self.num_features = num_features
        self.groups = groups
        self.eps = eps
        self.gamma = nn.Parameter(torch.empty(num_features))
        self.beta = nn.Parameter(torch.empty(num_features))
        self.v = nn.Parameter(torch.empty(num_features))
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


@_public
class LUTActivation(nn.Module):
    """A learnable look-up table: linear interpolation of ``table`` (n >= 2
    values evenly spread over ``range`` = (lo, hi)) of the clamped input.
    The input gradient is the segment's slope inside (lo, hi) and 0 outside;
    the table's gradient is the interpolation weights."""

    __constants__ = ["lo", "hi"]
    __jit_ignored_attributes__ = ["max_error", "_init_table"]

    def __init__(self, table: Tensor, range: Tuple[float, float] = (-1.0, 1.0)) -> None:
        super().__init__()
        table = torch.as_tensor(table, dtype=torch.get_default_dtype()).detach().clone()
        if table.dim() != 1 or table.numel() < 2:
            raise ValueError(f"LUTActivation: table must be 1-D with at least 2 entries, got shape {tuple(table.shape)}")
        lo, hi = float(range[0]), float(range[1])
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"LUTActivation: range must be finite with lo < hi, got {range}")
        self.lo = lo
        self.hi = hi
        self._init_table = table.clone()
        self.table = nn.Parameter(table)
        self.max_error = None  # set by from_activation

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.table.copy_(self._init_table)

    @classmethod
    def from_activation(cls, name: str, size: int = 257, range: Tuple[float, float] = (-6.0, 6.0),
                        **params) -> "LUTActivation":
        """A table of ``size`` samples of activation ``name`` (any pointwise
        activation of the registry, with ``params``) over ``range``; the max
        error against the activation on that range (on a grid 16x finer than
        the table) is in ``.max_error``."""
        lo, hi = float(range[0]), float(range[1])
        act = registry.get_activation(name, **params).eval()
        with torch.no_grad():
            xs = torch.linspace(lo, hi, size, dtype=torch.float64)
            module = cls(act(xs).to(torch.get_default_dtype()), (lo, hi))
            dense = torch.linspace(lo, hi, 16 * (size - 1) + 1, dtype=torch.float64)
            approx = F.lut(dense, module.table.detach().double(), lo, hi)
            module.max_error = float((approx - act(dense)).abs().max())
        return module

    def forward(self, input: Tensor) -> Tensor:
        return F.lut(input, self.table, self.lo, self.hi)

    def extra_repr(self) -> str:
        return f"size={self.table.numel()}, range=({self.lo}, {self.hi})"


@_public
class MaxoutLinear(nn.Module):
    """Maxout unit: the maximum over ``pieces`` linear maps of the input,
    y_j = max_i (W_ij x + b_ij) (a Linear to out_features·pieces, then maxout
    over consecutive groups of ``pieces``)."""

    __constants__ = ["in_features", "out_features", "pieces"]

    def __init__(self, in_features: int, out_features: int, pieces: int, bias: bool = True) -> None:
        super().__init__()
        if pieces < 1:
            raise ValueError(f"MaxoutLinear: pieces must be >= 1, got {pieces}")
        self.in_features = in_features
        self.out_features = out_features
        self.pieces = pieces
        self.linear = nn.Linear(in_features, out_features * pieces, bias=bias)

    def reset_parameters(self) -> None:
        self.linear.reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        return F.maxout(self.linear(input), self.pieces, -1)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, pieces={self.pieces}"


@_public
class ReLUPolyMix(_Learnable):
    """A learnable mix of ReLU and a polynomial (the second source article):
    σ(b)·relu(x) + (1 - σ(b))·Σ_{i=1}^{degree} a·x^i/i with a (0.25), b (0.0);
    ``regularization_loss()`` = mean(a²) + mean((b - 0.5)²)."""

    _op = "relu_polymix"
    _inits = (("a", 0.25), ("b", 0.0))

    def __init__(self, num_parameters: int = 1, degree: int = 3) -> None:
        if not 1 <= degree <= 16:
            raise ValueError(f"ReLUPolyMix: degree must be in [1, 16], got {degree}")
        self.degree = degree
        super().__init__(num_parameters)

    def forward(self, input: Tensor) -> Tensor:
        return F.relu_polymix(input, self.a, self.b, self.degree)

    def regularization_loss(self) -> Tensor:
        return (self.a**2).mean() + ((self.b - 0.5) ** 2).mean()

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}, degree={self.degree}"
