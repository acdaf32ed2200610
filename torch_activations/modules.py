"""``nn.Module`` forms of the activations, in the style of :mod:`torch.nn`.

Each module stores the catalog's parameters as attributes (shown by
``repr``), validates them when it is constructed (the same checks as the
operator), and calls :mod:`torch_activations.functional` in ``forward``, so it
can be scripted with TorchScript, compiled and exported.  Docstrings (formula,
parameters, range, torch peer) come from the registry.
"""

from typing import List

import torch
from torch import Tensor, nn

from . import functional as F
from . import registry

__all__: List[str] = []


def _public(cls):
    __all__.append(cls.__name__)
    return cls


class _Activation(nn.Module):
    """Common behaviour: parameter validation and ``extra_repr``."""

    _op: str = ""

    def _validate(self) -> None:
        # Run the operator once on an empty tensor: the C++ argument checks
        # raise here, at construction, with the op's own message.
        self.forward(torch.empty(0))

    def extra_repr(self) -> str:
        info = registry.get_info(self._op)
        parts = [f"{p.name}={getattr(self, p.name)!r}" for p in info.params
                 if p.name != "training" and isinstance(getattr(self, p.name, None), (int, float, str, bool))]
        if getattr(self, "inplace", False):
            parts.append("inplace=True")
        return ", ".join(parts)


@_public
class Sigmoid(_Activation):
    _op = "sigmoid"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input, self.inplace)


@_public
class Tanh(_Activation):
    _op = "tanh"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input, self.inplace)


@_public
class Linear(_Activation):
    _op = "linear"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.inplace)


@_public
class ReLU(_Activation):
    _op = "relu"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, self.inplace)


@_public
class ReLU6(_Activation):
    _op = "relu6"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu6(input, self.inplace)


@_public
class LeakyReLU(_Activation):
    _op = "leaky_relu"
    __constants__ = ["negative_slope", "inplace"]

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace
        self._validate()

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)


@_public
class ELU(_Activation):
    _op = "elu"
    __constants__ = ["alpha", "inplace"]

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace
        self._validate()

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)


@_public
class SELU(_Activation):
    _op = "selu"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)


@_public
class CELU(_Activation):
    _op = "celu"
    __constants__ = ["alpha", "inplace"]

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace
        self._validate()

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)


@_public
class GELU(_Activation):
    _op = "gelu"
    __constants__ = ["approximate", "inplace"]

    def __init__(self, approximate: str = "none", inplace: bool = False) -> None:
        super().__init__()
        self.approximate = approximate
        self.inplace = inplace
        self._validate()

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, self.approximate, self.inplace)


@_public
class Swish(_Activation):
    """With ``learnable=True`` beta is a parameter of shape [1] and the
    gradient ∂f/∂β = x²σ(βx)(1-σ(βx)) trains it."""

    _op = "swish"
    __constants__ = ["learnable", "inplace"]

    def __init__(self, beta: float = 1.0, learnable: bool = False, inplace: bool = False) -> None:
        super().__init__()
        self.learnable = learnable
        self.inplace = inplace
        self._init_beta = float(beta)
        if learnable:
            if inplace:
                raise ValueError("Swish: inplace=True is not supported with learnable=True")
            self.beta = nn.Parameter(torch.empty(1))
            self.reset_parameters()
        else:
            self.beta = float(beta)
            self._validate()

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
        return super().extra_repr()


@_public
class SiLU(_Activation):
    _op = "silu"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, self.inplace)


@_public
class ESwish(_Activation):
    _op = "eswish"
    __constants__ = ["beta", "inplace"]

    def __init__(self, beta: float = 1.5, inplace: bool = False) -> None:
        super().__init__()
        self.beta = beta
        self.inplace = inplace
        self._validate()

    def forward(self, input: Tensor) -> Tensor:
        return F.eswish(input, self.beta, self.inplace)


@_public
class Mish(_Activation):
    _op = "mish"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input, self.inplace)


@_public
class SQNL(_Activation):
    _op = "sqnl"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.sqnl(input, self.inplace)


@_public
class BentIdentity(_Activation):
    _op = "bent_identity"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.bent_identity(input, self.inplace)


@_public
class Softplus(_Activation):
    _op = "softplus"
    __constants__ = ["beta", "threshold", "inplace"]

    def __init__(self, beta: float = 1.0, threshold: float = 20.0, inplace: bool = False) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold
        self.inplace = inplace
        self._validate()

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold, self.inplace)


@_public
class Softsign(_Activation):
    _op = "softsign"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input, self.inplace)


@_public
class Sine(_Activation):
    _op = "sine"
    __constants__ = ["w0", "inplace"]

    def __init__(self, w0: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.w0 = w0
        self.inplace = inplace
        self._validate()

    def forward(self, input: Tensor) -> Tensor:
        return F.sine(input, self.w0, self.inplace)


@_public
class Cosine(_Activation):
    _op = "cosine"
    __constants__ = ["w0", "inplace"]

    def __init__(self, w0: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.w0 = w0
        self.inplace = inplace
        self._validate()

    def forward(self, input: Tensor) -> Tensor:
        return F.cosine(input, self.w0, self.inplace)


@_public
class Sinc(_Activation):
    _op = "sinc"
    __constants__ = ["normalized", "inplace"]

    def __init__(self, normalized: bool = True, inplace: bool = False) -> None:
        super().__init__()
        self.normalized = normalized
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.sinc(input, self.normalized, self.inplace)


@_public
class Arctan(_Activation):
    _op = "arctan"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.arctan(input, self.inplace)


@_public
class LogSigmoid(_Activation):
    _op = "logsigmoid"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input, self.inplace)


@_public
class TanhExp(_Activation):
    _op = "tanhexp"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhexp(input, self.inplace)


@_public
class HardSwish(_Activation):
    _op = "hard_swish"
    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hard_swish(input, self.inplace)


@_public
class HardSigmoid(_Activation):
    _op = "hard_sigmoid"
    __constants__ = ["slope", "offset", "inplace"]

    def __init__(self, slope: float = 1.0 / 6.0, offset: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.slope = slope
        self.offset = offset
        self.inplace = inplace
        self._validate()

    def forward(self, input: Tensor) -> Tensor:
        return F.hard_sigmoid(input, self.slope, self.offset, self.inplace)


@_public
class QuantReLU(_Activation):
    """With ``learnable=True`` the clipping value is a parameter (PACT, Choi et
    al. 2018): ∂/∂max_val = 1 where x >= max_val, straight-through ∂/∂x = 1
    on (0, max_val); the paper initialises max_val = 10 when training from
    scratch."""

    _op = "quant_relu"
    __constants__ = ["levels", "learnable", "inplace"]

    def __init__(self, levels: int = 4, max_val: float = 1.0, learnable: bool = False,
                 inplace: bool = False) -> None:
        super().__init__()
        self.levels = levels
        self.learnable = learnable
        self.inplace = inplace
        self._init_max_val = float(max_val)
        if learnable:
            if inplace:
                raise ValueError("QuantReLU: inplace=True is not supported with learnable=True")
            self.max_val = nn.Parameter(torch.empty(1))
            self.reset_parameters()
        else:
            self.max_val = float(max_val)
        self._validate()

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
        return super().extra_repr()


@_public
class RReLU(_Activation):
    """Random slopes in training mode (``module.train()``), their mean in eval
    mode; the ``training`` argument of the functional form is the module's
    training flag."""

    _op = "rrelu"
    __constants__ = ["lower", "upper", "inplace"]

    def __init__(self, lower: float = 1.0 / 8.0, upper: float = 1.0 / 3.0, inplace: bool = False) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace
        self._validate()

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)


# ------------------------------------------------------------------------
# Ops over a dimension
# ------------------------------------------------------------------------
class _DimActivation(_Activation):
    """An op over one dimension, ``dim`` (default -1, the feature dimension
    of a transformer's activations)."""

    __constants__ = ["dim"]

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim


@_public
class Softmax(_DimActivation):
    _op = "softmax"

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)


@_public
class GLU(_DimActivation):
    _op = "glu"

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)


@_public
class GEGLU(_DimActivation):
    _op = "geglu"
    __constants__ = ["dim", "approximate"]

    def __init__(self, dim: int = -1, approximate: str = "none") -> None:
        super().__init__(dim)
        self.approximate = approximate
        F.geglu(torch.empty(0, 2), -1, approximate)  # the op's own argument check

    def forward(self, input: Tensor) -> Tensor:
        return F.geglu(input, self.dim, self.approximate)


@_public
class SwiGLU(_DimActivation):
    _op = "swiglu"

    def forward(self, input: Tensor) -> Tensor:
        return F.swiglu(input, self.dim)


@_public
class ReGLU(_DimActivation):
    _op = "reglu"

    def forward(self, input: Tensor) -> Tensor:
        return F.reglu(input, self.dim)


@_public
class CReLU(_DimActivation):
    _op = "crelu"

    def __init__(self, dim: int = 1) -> None:
        super().__init__(dim)

    def forward(self, input: Tensor) -> Tensor:
        return F.crelu(input, self.dim)


@_public
class Maxout(_DimActivation):
    _op = "maxout"
    __constants__ = ["pool_size", "dim"]

    def __init__(self, pool_size: int, dim: int = 1) -> None:
        super().__init__(dim)
        if pool_size < 1:
            raise ValueError(f"maxout: pool_size must be >= 1, got {pool_size}")
        self.pool_size = pool_size

    def forward(self, input: Tensor) -> Tensor:
        return F.maxout(input, self.pool_size, self.dim)


def _attach_docs() -> None:
    import sys

    mod = sys.modules[__name__]
    for info in registry.list_activations():
        fn = getattr(F, info.name, None)
        if fn is not None and not fn.__doc__:
            fn.__doc__ = info.docstring()
        cls = getattr(mod, info.module, None)
        if cls is not None and not getattr(cls, "_doc_attached", False):
            own = f"\n\n{cls.__doc__.strip()}" if cls.__doc__ else ""
            cls.__doc__ = info.docstring() + own + "\n\nShape: input (*), output (*) of the same shape."
            cls._doc_attached = True


_attach_docs()
