"""torch_activations: every common activation function as a PyTorch operator.

    import torch_activations as ta
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), ta.Mish())
    y = ta.functional.gelu(x, approximate="tanh")
    ta.get_activation("softplus", beta=2.0)
    ta.list_activations()

The operators are ``torch.ops.torch_activations.<name>`` (CPU kernels for
DEFAULT/AVX2/AVX-512 chosen at run time, CUDA kernels in CUDA builds,
autograd in C++ for every transform of torch.func and forward mode, Meta
kernels for torch.compile/export).  The table of every op is
:mod:`torch_activations._spec`.
"""

from . import _library

_library.load()

import os  # noqa: E402

import torch  # noqa: E402

from . import _onnx, _vmap, distributed, functional  # noqa: E402
from .registry import (  # noqa: E402
    ActivationInfo,
    UnknownActivationError,
    get_activation,
    get_info,
    list_activations,
)

# <generated:exports>
from .modules import (  # noqa: E402
    Sigmoid,
    Tanh,
    Linear,
    ReLU,
    ReLU6,
    LeakyReLU,
    ELU,
    SELU,
    CELU,
    GELU,
    SiLU,
    ESwish,
    Mish,
    SQNL,
    BentIdentity,
    Softplus,
    Softsign,
    Sine,
    Cosine,
    Sinc,
    Arctan,
    LogSigmoid,
    TanhExp,
    Squareplus,
    HardSwish,
    HardSigmoid,
    Softmax,
    GLU,
    GEGLU,
    SwiGLU,
    ReGLU,
    CReLU,
    Maxout,
    Hardsigmoid,
    Hardswish,
)
from .learnable import (  # noqa: E402
    Swish,
    QuantReLU,
    RReLU,
    PReLU,
    LearnableSigmoid,
    ParametricSoftplus,
    SReLU,
    PAU,
    PadeActivation,
    DynamicReLU,
    EvoNormB0,
    EvoNormS0,
    LUTActivation,
    MaxoutLinear,
    ReLUPolyMix,
)

__all__ = [
    "functional",
    "ActivationInfo",
    "UnknownActivationError",
    "get_activation",
    "get_info",
    "list_activations",
    "CPU_CAPABILITIES",
    "cpu_capabilities_up_to_current",
    "cpu_capability",
    "set_cpu_capability",
    "library_path",
    "replace_activations",
    "cmake_prefix_path",
    "__version__",
    "Sigmoid",
    "Tanh",
    "Linear",
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "ELU",
    "SELU",
    "CELU",
    "GELU",
    "SiLU",
    "ESwish",
    "Mish",
    "SQNL",
    "BentIdentity",
    "Softplus",
    "Softsign",
    "Sine",
    "Cosine",
    "Sinc",
    "Arctan",
    "LogSigmoid",
    "TanhExp",
    "Squareplus",
    "HardSwish",
    "HardSigmoid",
    "Softmax",
    "GLU",
    "GEGLU",
    "SwiGLU",
    "ReGLU",
    "CReLU",
    "Maxout",
    "Hardsigmoid",
    "Hardswish",
    "Swish",
    "QuantReLU",
    "RReLU",
    "PReLU",
    "LearnableSigmoid",
    "ParametricSoftplus",
    "SReLU",
    "PAU",
    "PadeActivation",
    "DynamicReLU",
    "EvoNormB0",
    "EvoNormS0",
    "LUTActivation",
    "MaxoutLinear",
    "ReLUPolyMix",
]
# </generated:exports>

_vmap.register()  # batching rules: torch.vmap, jacrev, jacfwd, hessian
_onnx.register()  # decompositions for torch.onnx.export (applied when the exporter loads)
distributed.register_when_imported()  # DTensor sharding rules (when DTensor is imported)

from ._replace import replace_activations  # noqa: E402
from ._version import __version__  # noqa: E402

#: Directory for CMAKE_PREFIX_PATH: ``find_package(TorchActivations)`` then
#: links a C++ program against this package's operator library (README, C++).
cmake_prefix_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "share", "cmake")


def library_path() -> str:
    """The compiled operator library (also usable from C++ with torch::jit)."""
    return _library.load()


#: The instruction-set builds of the CPU kernels, lowest first: what
#: :func:`set_cpu_capability` accepts (up to what the machine runs) and
#: :func:`cpu_capability` returns (tests/test_pointwise_math.py checks both).
CPU_CAPABILITIES = ("DEFAULT", "AVX2", "AVX512")


def cpu_capabilities_up_to_current() -> tuple:
    """The entries of :data:`CPU_CAPABILITIES` up to and including the one in use."""
    return CPU_CAPABILITIES[: CPU_CAPABILITIES.index(cpu_capability()) + 1]


def cpu_capability() -> str:
    """The instruction set the CPU kernels use: 'DEFAULT', 'AVX2' or 'AVX512'."""
    return torch.ops.torch_activations._get_cpu_capability()


def set_cpu_capability(capability: str) -> str:
    """Use the CPU kernels built for ``capability`` ('default', 'avx2' or
    'avx512'; at most what the machine supports); returns the previous one.
    The environment variable TORCH_ACTIVATIONS_CPU_CAPABILITY (or torch's
    ATEN_CPU_CAPABILITY) sets the starting value."""
    return torch.ops.torch_activations._set_cpu_capability(capability)
