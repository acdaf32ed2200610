"""Small helpers shared by the tests."""

import contextlib

import torch

import torch_activations as ta


def op_fn(name):
    """The functional form torch_activations.functional.<name>."""
    return getattr(ta.functional, name)


def call(name, x, params, **kw):
    return op_fn(name)(x, **params, **kw)


def derivatives(f, x, order=2):
    """f(x), f'(x), f''(x) elementwise, by autograd (f applied elementwise)."""
    x = x.detach().requires_grad_(True)
    y = f(x)
    out = [y.detach()]
    g = y
    for _ in range(order):
        if not g.requires_grad:
            out.append(torch.zeros_like(x))
            g = out[-1]
            continue
        (g,) = torch.autograd.grad(g.sum(), x, create_graph=True, allow_unused=True, materialize_grads=True)
        out.append(g.detach())
    return out


def away_from(x, points, eps):
    """The entries of x at least eps away from every point."""
    keep = torch.ones_like(x, dtype=torch.bool)
    for p in points:
        keep &= (x - p).abs() > eps
    return x[keep]


def ulp(t, dtype):
    """The unit in the last place of float values t (float64 tensor) in dtype."""
    mant = {torch.float32: 23, torch.float64: 52, torch.float16: 10, torch.bfloat16: 7}[dtype]
    a = t.abs().clamp_min(torch.finfo(dtype).smallest_normal)
    return torch.exp2(torch.floor(torch.log2(a)) - mant)


@contextlib.contextmanager
def num_threads(n):
    """torch's intra-op thread count set to n inside the block."""
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def strided_copy(t):
    """t's values in every other element (along the last dim) of a larger
    tensor: a non-contiguous view equal to t."""
    big = torch.zeros(*t.shape[:-1], 2 * t.shape[-1], dtype=t.dtype, device=t.device)
    big[..., ::2] = t
    return big[..., ::2]
