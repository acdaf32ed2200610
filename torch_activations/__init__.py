"""torch_activations: every common activation function as a PyTorch operator.

    import torch_activations as ta
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), ta.Mish())
    y = ta.functional.gelu(x, approximate="tanh")
    ta.get_activation("softplus", beta=2.0)
    ta.list_activations()

The operators are ``torch.ops.torch_activations.<name>`` (CPU kernels for
DEFAULT/AVX2/AVX-512 chosen at run time, CUDA kernels in CUDA builds, C++
autograd to second order, Meta kernels for torch.compile/export).
"""

from . import _library

_library.load()

import torch  # noqa: E402

from . import functional  # noqa: E402
from .modules import *  # noqa: E402,F401,F403
from .modules import __all__ as _module_names  # noqa: E402
from .learnable import *  # noqa: E402,F401,F403
from .learnable import __all__ as _learnable_names  # noqa: E402
from .registry import ActivationInfo, get_activation, get_info, list_activations  # noqa: E402

__version__ = "0.1.0"


def library_path() -> str:
    """The compiled operator library (also usable from C++ with torch::jit)."""
    return _library.load()


def cpu_capability() -> str:
    """The instruction set the CPU kernels use: 'DEFAULT', 'AVX2' or 'AVX512'."""
    return torch.ops.torch_activations._get_cpu_capability()


def set_cpu_capability(capability: str) -> str:
    """Use the CPU kernels built for ``capability`` ('default', 'avx2' or
    'avx512'; at most what the machine supports); returns the previous one.
    The environment variable TORCH_ACTIVATIONS_CPU_CAPABILITY (or torch's
    ATEN_CPU_CAPABILITY) sets the starting value."""
    return torch.ops.torch_activations._set_cpu_capability(capability)


__all__ = [
    "functional",
    "ActivationInfo",
    "get_activation",
    "get_info",
    "list_activations",
    "cpu_capability",
    "set_cpu_capability",
    "library_path",
    *_module_names,
    *_learnable_names,
]
