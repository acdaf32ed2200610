"""Functional interface, in the style of :mod:`torch.nn.functional`.

Every function calls the registered operator ``torch.ops.torch_activations.<name>``
(CPU and CUDA kernels, C++ autograd to second order), so it works in eager
mode, under :func:`torch.compile`, :func:`torch.export` and in TorchScript.
Parameter names and defaults follow the catalog (``shared/ACTIVATIONS.md``);
the docstrings (formula, parameters, torch peer) come from the registry.

``inplace=True`` overwrites ``input``.  For activations whose derivative can
be written in terms of the output (sigmoid, tanh, relu, relu6, leaky_relu with
slope >= 0, elu with alpha >= 0, selu, celu, hard_sigmoid, linear) the backward
then keeps only the output; for the others a copy of the input is kept when a
gradient is needed, so in-place saves no memory during training.
"""

from typing import Optional

import torch
from torch import Tensor

from . import _library

_library.load()
_ops = torch.ops.torch_activations

__all__ = [
    "sigmoid", "tanh", "linear", "relu", "relu6", "leaky_relu", "elu", "selu",
    "celu", "gelu", "swish", "silu", "eswish", "mish", "sqnl", "bent_identity",
    "softplus", "softsign", "sine", "cosine", "sinc", "arctan", "logsigmoid",
    "tanhexp", "hard_swish", "hard_sigmoid", "quant_relu", "rrelu",
]


def sigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.sigmoid_(input)
        return input
    return _ops.sigmoid(input)


def tanh(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.tanh_(input)
        return input
    return _ops.tanh(input)


def linear(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.linear_(input)
        return input
    return _ops.linear(input)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.relu_(input)
        return input
    return _ops.relu(input)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.relu6_(input)
        return input
    return _ops.relu6(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.leaky_relu_(input, negative_slope)
        return input
    return _ops.leaky_relu(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.elu_(input, alpha)
        return input
    return _ops.elu(input, alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.selu_(input)
        return input
    return _ops.selu(input)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.celu_(input, alpha)
        return input
    return _ops.celu(input, alpha)


def gelu(input: Tensor, approximate: str = "none", inplace: bool = False) -> Tensor:
    if inplace:
        _ops.gelu_(input, approximate)
        return input
    return _ops.gelu(input, approximate)


def swish(input: Tensor, beta: float = 1.0, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.swish_(input, beta)
        return input
    return _ops.swish(input, beta)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.silu_(input)
        return input
    return _ops.silu(input)


def eswish(input: Tensor, beta: float = 1.5, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.eswish_(input, beta)
        return input
    return _ops.eswish(input, beta)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.mish_(input)
        return input
    return _ops.mish(input)


def sqnl(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.sqnl_(input)
        return input
    return _ops.sqnl(input)


def bent_identity(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.bent_identity_(input)
        return input
    return _ops.bent_identity(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.softplus_(input, beta, threshold)
        return input
    return _ops.softplus(input, beta, threshold)


def softsign(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.softsign_(input)
        return input
    return _ops.softsign(input)


def sine(input: Tensor, w0: float = 1.0, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.sine_(input, w0)
        return input
    return _ops.sine(input, w0)


def cosine(input: Tensor, w0: float = 1.0, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.cosine_(input, w0)
        return input
    return _ops.cosine(input, w0)


def sinc(input: Tensor, normalized: bool = True, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.sinc_(input, normalized)
        return input
    return _ops.sinc(input, normalized)


def arctan(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.arctan_(input)
        return input
    return _ops.arctan(input)


def logsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.logsigmoid_(input)
        return input
    return _ops.logsigmoid(input)


def tanhexp(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.tanhexp_(input)
        return input
    return _ops.tanhexp(input)


def hard_swish(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.hard_swish_(input)
        return input
    return _ops.hard_swish(input)


def hard_sigmoid(input: Tensor, slope: float = 1.0 / 6.0, offset: float = 0.5, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.hard_sigmoid_(input, slope, offset)
        return input
    return _ops.hard_sigmoid(input, slope, offset)


def quant_relu(input: Tensor, levels: int = 4, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    if inplace:
        _ops.quant_relu_(input, levels, max_val)
        return input
    return _ops.quant_relu(input, levels, max_val)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8.0,
    upper: float = 1.0 / 3.0,
    training: bool = False,
    inplace: bool = False,
    generator: Optional[torch.Generator] = None,
) -> Tensor:
    if inplace:
        _ops.rrelu_(input, lower, upper, training, generator)
        return input
    return _ops.rrelu(input, lower, upper, training, generator)


# ------------------------------------------------------------------------
# Ops over a dimension (catalog section 2)
# ------------------------------------------------------------------------
def softmax(input: Tensor, dim: int) -> Tensor:
    return _ops.softmax(input, dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    return _ops.glu(input, dim)


def geglu(input: Tensor, dim: int = -1, approximate: str = "none") -> Tensor:
    return _ops.geglu(input, dim, approximate)


def swiglu(input: Tensor, dim: int = -1) -> Tensor:
    return _ops.swiglu(input, dim)


def reglu(input: Tensor, dim: int = -1) -> Tensor:
    return _ops.reglu(input, dim)


def crelu(input: Tensor, dim: int = 1) -> Tensor:
    return _ops.crelu(input, dim)


def maxout(input: Tensor, pool_size: int, dim: int = 1) -> Tensor:
    return _ops.maxout(input, pool_size, dim)


# ------------------------------------------------------------------------
# Ops with learnable parameters (catalog section 3).  Each parameter is a
# tensor of shape [1] (shared) or [C] (per channel, C = input.size(1)); the
# operators take them stacked as a [P, C or 1] weight.
# ------------------------------------------------------------------------
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    return _ops.prelu(input, weight)


def swish_learnable(input: Tensor, beta: Tensor) -> Tensor:
    return _ops.swish_learnable(input, beta.reshape(1, -1))


def learnable_sigmoid(input: Tensor, alpha: Tensor, beta: Tensor) -> Tensor:
    return _ops.learnable_sigmoid(input, torch.stack([alpha, beta]))


def parametric_softplus(input: Tensor, alpha: Tensor, beta: Tensor) -> Tensor:
    return _ops.parametric_softplus(input, torch.stack([alpha, beta]))


def srelu(input: Tensor, t_left: Tensor, a_left: Tensor, t_right: Tensor, a_right: Tensor) -> Tensor:
    return _ops.srelu(input, torch.stack([t_left, a_left, t_right, a_right]))


def pau(input: Tensor, coeffs: Tensor, powers: Tensor) -> Tensor:
    return _ops.pau(input, torch.cat([coeffs, powers]))


def pade(input: Tensor, numerator: Tensor, denominator: Tensor) -> Tensor:
    return _ops.pade(input, torch.cat([numerator, denominator]), numerator.size(0) - 1, denominator.size(0))


def pact(input: Tensor, max_val: Tensor, levels: int = 4) -> Tensor:
    return _ops.pact(input, max_val.reshape(1, -1), levels)


def relu_polymix(input: Tensor, a: Tensor, b: Tensor, degree: int = 3) -> Tensor:
    return _ops.relu_polymix(input, torch.stack([a, b]), degree)


def dynamic_relu(input: Tensor, coefs: Tensor) -> Tensor:
    return _ops.dynamic_relu(input, coefs)


def lut(input: Tensor, table: Tensor, lo: float = -1.0, hi: float = 1.0) -> Tensor:
    return _ops.lut(input, table, lo, hi)


def evonorm_b0(
    input: Tensor,
    gamma: Tensor,
    beta: Tensor,
    v: Tensor,
    running_var: Optional[Tensor] = None,
    training: bool = True,
    eps: float = 1e-5,
) -> Tensor:
    return _ops.evonorm_b0(input, gamma, beta, v, running_var, training, eps)[0]


def evonorm_s0(input: Tensor, gamma: Tensor, beta: Tensor, v: Tensor, groups: int = 32, eps: float = 1e-5) -> Tensor:
    return _ops.evonorm_s0(input, gamma, beta, v, groups, eps)


__all__ += [
    "softmax", "glu", "geglu", "swiglu", "reglu", "crelu", "maxout",
    "prelu", "swish_learnable", "learnable_sigmoid", "parametric_softplus", "srelu", "pau", "pade",
    "pact", "relu_polymix", "dynamic_relu", "lut", "evonorm_b0", "evonorm_s0",
]
