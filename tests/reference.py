"""Reference formulas, written from docs/activations.md in plain torch.

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


def squareplus(x, b=4.0):
    return (x + torch.sqrt(x**2 + b)) / 2


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


# ------------------------------------------------------------------------
# Ops over a dimension (catalog section 2)
# ------------------------------------------------------------------------
def softmax(x, dim):
    e = torch.exp(x - x.amax(dim, keepdim=True))
    return e / e.sum(dim, keepdim=True)


def _gated(gate):
    def f(x, dim=-1, **params):
        a, b = x.chunk(2, dim)
        return a * gate(b, **params)

    return f


glu = _gated(sigmoid)
geglu = _gated(gelu)
swiglu = _gated(silu)
reglu = _gated(relu)


def crelu(x, dim=1):
    return torch.cat([relu(x), relu(-x)], dim)


def maxout(x, pool_size, dim=1):
    d = dim % x.dim()
    groups = x.unflatten(d, (x.size(d) // pool_size, pool_size))
    return groups.max(d + 1).values


# ------------------------------------------------------------------------
# Ops with learnable parameters (catalog section 3).  Parameters are [G]
# (G = 1 shared, or C = x.size(1)), or [K, G] for the coefficient lists of
# pau and pade; _chan views a [G] parameter against x's channel dimension.
# ------------------------------------------------------------------------
def _chan(p, x):
    if x.dim() < 2:
        return p.reshape(()) if p.numel() == 1 else p
    return p.reshape([1, -1] + [1] * (x.dim() - 2))


def prelu(x, weight):
    return torch.where(x > 0, x, _chan(weight, x) * x)


def swish_learnable(x, beta):
    return x * sigmoid(_chan(beta, x) * x)


def learnable_sigmoid(x, alpha, beta):
    return sigmoid(_chan(alpha, x) * x + _chan(beta, x))


def parametric_softplus(x, alpha, beta):
    return torch.log(1 + torch.exp(_chan(alpha, x) * x)) / _chan(beta, x)


def srelu(x, t_left, a_left, t_right, a_right):
    tl, al, tr, ar = (_chan(p, x) for p in (t_left, a_left, t_right, a_right))
    return torch.where(x >= tr, tr + ar * (x - tr), torch.where(x <= tl, tl + al * (x - tl), x))


def pau(x, coeffs, powers):
    # sum_k a_k sign(x) |x|^{p_k}; coeffs, powers: [K, G]
    return sum(_chan(a, x) * torch.sign(x) * torch.abs(x) ** _chan(p, x) for a, p in zip(coeffs, powers))


def pade(x, numerator, denominator):
    # safe PAU: sum_j a_j x^j / (1 + sum_k |b_k| |x|^k); numerator [m+1, G], denominator [n, G]
    num = sum(_chan(a, x) * x**j for j, a in enumerate(numerator))
    den = 1 + sum(torch.abs(_chan(b, x)) * torch.abs(x) ** (k + 1) for k, b in enumerate(denominator))
    return num / den


def pact(x, max_val, levels=4):
    # PACT's forward (its straight-through derivatives are not autograd's: the
    # tests check them with pact_ste_grads).
    alpha = _chan(max_val, x)
    return torch.round(torch.minimum(torch.clamp(x, min=0), alpha) / alpha * levels) * alpha / levels


def pact_ste_grads(x, max_val):
    """PACT's catalog derivatives: d/dx = 1 on (0, alpha), d/dalpha = 1 where x >= alpha."""
    alpha = _chan(max_val, x)
    return ((x > 0) & (x < alpha)).to(x.dtype), (x >= alpha).to(x.dtype)


def relu_polymix(x, a, b, degree=3):
    sb = sigmoid(_chan(b, x))
    poly = sum(x**i / i for i in range(1, degree + 1))
    return sb * relu(x) + (1 - sb) * _chan(a, x) * poly


def dynamic_relu(x, coefs):
    # coefs [N, C or 1, K, 2] = (a_k, b_k) per sample (and channel): max_k a_k x + b_k
    shape = list(coefs.shape[:2]) + [1] * (x.dim() - 2)
    pieces = [coefs[:, :, k, 0].reshape(shape) * x + coefs[:, :, k, 1].reshape(shape)
              for k in range(coefs.size(2))]
    return torch.stack(pieces).amax(0)


def dynamic_relu_module(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias, k=2, mode="B",
                        lambda_a=1.0, lambda_b=0.5):
    """DY-ReLU (Chen et al., ECCV 2020), the whole module: the hyper function
    Δ = 2σ(FC(ReLU(FC(avgpool(x))))) - 1, a_k = α_k + λ_a Δa_k,
    b_k = β_k + λ_b Δb_k with α = (1, 0, ...), β = 0, then y = max_k a_k x + b_k.
    The second FC's 2K (per channel in mode 'B') outputs are read as [2, K]:
    the K slope residuals, then the K intercept residuals."""
    theta = x.mean(dim=tuple(range(2, x.dim()))) if x.dim() > 2 else x
    hidden = relu(theta @ fc1_weight.t() + fc1_bias)
    delta = 2 * sigmoid(hidden @ fc2_weight.t() + fc2_bias) - 1
    groups = x.size(1) if mode == "B" else 1
    delta = delta.reshape(x.size(0), groups, 2, k)
    alpha = torch.zeros(k, dtype=x.dtype, device=x.device)
    alpha[0] = 1.0
    a = alpha + lambda_a * delta[:, :, 0]
    b = lambda_b * delta[:, :, 1]
    shape = [x.size(0), groups] + [1] * (x.dim() - 2)
    return torch.stack([a[:, :, i].reshape(shape) * x + b[:, :, i].reshape(shape) for i in range(k)]).amax(0)


def lut(x, table, lo=-1.0, hi=1.0):
    # linear interpolation of n table values spread evenly over [lo, hi], input clamped
    n = table.numel()
    t = (torch.clamp(x, lo, hi) - lo) / (hi - lo) * (n - 1)
    i = torch.floor(t).clamp(max=n - 2).long()
    w = t - i
    return (1 - w) * table[i] + w * table[i + 1]


def evonorm_b0(x, gamma, beta, v, running_var=None, training=True, eps=1e-5):
    """EvoNorm-B0 (Liu et al., NeurIPS 2020): x / max(sqrt(s2_batch + eps),
    v x + sqrt(s2_instance + eps)) gamma + beta.  Returns (y, the biased batch
    variance [C]) in training, (y, running_var) in eval."""
    spatial = tuple(range(2, x.dim()))
    if training:
        var = x.var(dim=(0,) + spatial, unbiased=False)
    else:
        var = running_var
    inst = x.var(dim=spatial, unbiased=False, keepdim=True)
    den = torch.maximum(torch.sqrt(_chan(var, x) + eps), _chan(v, x) * x + torch.sqrt(inst + eps))
    return x / den * _chan(gamma, x) + _chan(beta, x), var


def evonorm_b0_running_var(running_var, batch_var, count, momentum=0.1):
    """BatchNorm's update of the running variance (unbiased batch variance)."""
    return (1 - momentum) * running_var + momentum * batch_var * count / (count - 1)


def evonorm_s0(x, gamma, beta, v, groups=32, eps=1e-5):
    """EvoNorm-S0 (Liu et al., NeurIPS 2020): x σ(v x) / sqrt(s2_group + eps)
    gamma + beta, s2_group over each group of C/groups channels (and the
    spatial dims) of each sample."""
    n, c = x.shape[:2]
    g = x.reshape(n, groups, -1)
    std = torch.sqrt(g.var(dim=2, unbiased=False, keepdim=True) + eps).expand_as(g).reshape(x.shape)
    return x * sigmoid(_chan(v, x) * x) / std * _chan(gamma, x) + _chan(beta, x)


def maxout_linear(x, weight, bias, pieces):
    # max over `pieces` consecutive outputs of the linear map
    z = x @ weight.t() + bias
    return z.unflatten(-1, (z.size(-1) // pieces, pieces)).amax(-1)
