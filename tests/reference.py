"""Reference formulas, written from ../shared/ACTIVATIONS.md in plain torch.

Independent of csrc/: these are the textbook formulas a user would write in
eager torch.  The tests evaluate them in float64 (and differentiate them with
torch.autograd to get reference first and second derivatives); the benchmarks
time them as "the same formula in eager torch" and under torch.compile.

They are deliberately naive: at extreme inputs they may overflow or give NaN
where the library must not, so the tests compare against them on moderate
inputs and check the extreme inputs against the catalog's limits instead.
Each takes the input tensor and the catalog parameters as keywords with the
catalog's defaults.
"""

import math

import torch
import torch.nn.functional as F

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946


def sigmoid(x):
    return 1 / (1 + torch.exp(-x))


def tanh(x):
    return (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))


def linear(x):
    return x.clone()


def relu(x):
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu6(x):
    return torch.clamp(x, 0, 6)


def leaky_relu(x, negative_slope=0.01):
    return torch.where(x > 0, x, negative_slope * x)


def elu(x, alpha=1.0):
    return torch.where(x > 0, x, alpha * (torch.exp(x) - 1))


def selu(x):
    return SELU_LAMBDA * torch.where(x > 0, x, SELU_ALPHA * (torch.exp(x) - 1))


def celu(x, alpha=1.0):
    return torch.where(x > 0, x, alpha * (torch.exp(x / alpha) - 1))


def gelu(x, approximate="none"):
    if approximate == "tanh":
        u = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
        return 0.5 * x * (1 + torch.tanh(u))
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def swish(x, beta=1.0):
    return x * sigmoid(beta * x)


def silu(x):
    return x * sigmoid(x)


def eswish(x, beta=1.5):
    return beta * x * sigmoid(x)


def mish(x):
    return x * torch.tanh(torch.log(1 + torch.exp(x)))


def sqnl(x):
    return torch.where(
        x > 2, torch.ones_like(x),
        torch.where(x >= 0, x - x**2 / 4, torch.where(x >= -2, x + x**2 / 4, -torch.ones_like(x))),
    )


def bent_identity(x):
    return (torch.sqrt(x**2 + 1) - 1) / 2 + x


def softplus(x, beta=1.0, threshold=20.0):
    return torch.where(beta * x > threshold, x, torch.log(1 + torch.exp(beta * x)) / beta)


def softsign(x):
    return x / (1 + torch.abs(x))


def sine(x, w0=1.0):
    return torch.sin(w0 * x)


def cosine(x, w0=1.0):
    return torch.cos(w0 * x)


def sinc(x, normalized=True):
    u = math.pi * x if normalized else x
    safe = torch.where(u == 0, torch.ones_like(u), u)
    return torch.where(u == 0, torch.ones_like(u), torch.sin(safe) / safe)


def arctan(x):
    return torch.atan(x)


def logsigmoid(x):
    return torch.log(sigmoid(x))


def tanhexp(x):
    return x * torch.tanh(torch.exp(x))


def hard_swish(x):
    return x * torch.clamp(x + 3, 0, 6) / 6


def hard_sigmoid(x, slope=1.0 / 6.0, offset=0.5):
    return torch.clamp(slope * x + offset, 0, 1)


def quant_relu(x, levels=4, max_val=1.0):
    # The forward of the catalog; torch.round rounds half to even.  (Its
    # autograd derivative is 0, not the straight-through estimator: the tests
    # use quant_relu_ste_grad for that.)
    return torch.round(torch.clamp(x, 0, max_val) / max_val * levels) * max_val / levels


def quant_relu_ste_grad(x, levels=4, max_val=1.0):
    return ((x > 0) & (x < max_val)).to(x.dtype)


def rrelu(x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False):
    # Eval-mode definition (training draws random slopes: tested separately).
    return leaky_relu(x, (lower + upper) / 2)


# Formulas whose autograd derivative is not the catalog's derivative.
NON_AUTOGRAD_DERIVATIVE = {"quant_relu": quant_relu_ste_grad}

# What a user would call instead, where torch has the op (catalog "torch peer").
TORCH_PEERS = {
    "sigmoid": lambda x: torch.sigmoid(x),
    "tanh": lambda x: torch.tanh(x),
    "linear": lambda x: x,
    "relu": lambda x: F.relu(x),
    "relu6": lambda x: F.relu6(x),
    "leaky_relu": lambda x, negative_slope=0.01: F.leaky_relu(x, negative_slope),
    "elu": lambda x, alpha=1.0: F.elu(x, alpha),
    "selu": lambda x: F.selu(x),
    "celu": lambda x, alpha=1.0: F.celu(x, alpha),
    "gelu": lambda x, approximate="none": F.gelu(x, approximate=approximate),
    "silu": lambda x: F.silu(x),
    "swish": lambda x, beta=1.0: F.silu(x) if beta == 1.0 else None,
    "mish": lambda x: F.mish(x),
    "softplus": lambda x, beta=1.0, threshold=20.0: F.softplus(x, beta, threshold),
    "softsign": lambda x: F.softsign(x),
    "sinc": lambda x, normalized=True: torch.sinc(x) if normalized else None,
    "arctan": lambda x: torch.atan(x),
    "logsigmoid": lambda x: F.logsigmoid(x),
    "hard_swish": lambda x: F.hardswish(x),
    "hard_sigmoid": lambda x, slope=1.0 / 6.0, offset=0.5: (
        F.hardsigmoid(x) if (slope, offset) == (1.0 / 6.0, 0.5) else None),
    "rrelu": lambda x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False: F.rrelu(x, lower, upper, training),
}


def formula(name):
    """The reference function of activation `name`."""
    return globals()[name]
