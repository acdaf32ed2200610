"""Batching rules (``torch.vmap``) for every op of the library.

Registered with :func:`torch.library.register_vmap`, one rule per family,
for the forward, in-place and backward ops of every entry of the op table
(:mod:`torch_activations._spec`), so ``vmap`` (and ``jacrev``, ``jacfwd``,
``hessian``, which vmap over basis vectors) never takes torch's slow
per-example fallback:

* pointwise ops are batch-agnostic: the batch dimension of every tensor is
  moved to the front (unbatched tensors broadcast as expanded views) and the
  op runs once on the whole batch;
* ops over a dimension (softmax, the GLU family, crelu) do the same and
  shift ``dim`` past the batch dimension;
* learnable ops take batched inputs and batched weights (ensembles built
  with ``torch.func.stack_module_state``): the batch becomes part of the
  channels, each batch element with its own weights (per-sample parameter
  gradients come out the same way); the look-up table runs once per table
  when the tables are batched;
* rrelu in training mode draws per element ('different', as if unbatched),
  one draw shared by the batch ('same'), or refuses (vmap's default
  'error' randomness).

The autograd of the ops is in C++ (a VariableType-style kernel per op), so
these rules only change how a batch is laid out.
"""

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from . import _spec

_OPS = torch.ops.torch_activations
_REGISTERED: Dict[str, Callable] = {}


def _with_defaults(op: Any, args: Sequence[Any], kwargs: Dict[str, Any]) -> List[Any]:
    """All of the op's arguments, positionally (the dispatcher leaves out
    trailing arguments that equal their defaults)."""
    schema = op._schema if hasattr(op, "_schema") else op.default._schema
    out = list(args)
    for a in schema.arguments[len(args):]:
        out.append(kwargs[a.name] if a.name in kwargs else a.default_value)
    return out


def _batch_front(args: Sequence[Any], in_dims: Sequence[Optional[int]], size: int) -> List[Any]:
    """Every tensor argument with its batch dimension first; unbatched tensors
    as expanded views (no copy)."""
    out = list(args)
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            d = in_dims[i]
            out[i] = a.movedim(d, 0) if d is not None else a.unsqueeze(0).expand(size, *a.shape)
    return out


def _out_dims(result: Any) -> Any:
    if isinstance(result, tuple):
        return tuple(0 for _ in result)
    return None if result is None else 0


# ------------------------------------------------------------ pointwise
def _pointwise_rule(op: Callable) -> Callable:
    def rule(info, in_dims, *args):
        tensors = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if len(tensors) == 1:  # one tensor: the op as is, the batch dim where it was
            result = op(*args)
            return result, (None if result is None else in_dims[tensors[0]])
        result = op(*_batch_front(args, in_dims, info.batch_size))
        return result, _out_dims(result)

    return rule


# ------------------------------------------------------ over a dimension
def _dim_rule(op: Callable, dim_index: int) -> Callable:
    """`dim_index`: the position of the `dim` argument."""

    def rule(info, in_dims, *args):
        args = _batch_front(args, in_dims, info.batch_size)
        ref = next(a for a in args if isinstance(a, Tensor))
        logical_rank = ref.dim() - 1
        dim = args[dim_index]
        if logical_rank == 0:  # a 0-dim tensor per example: a line of one
            args = [a.unsqueeze(-1) if isinstance(a, Tensor) else a for a in args]
            args[dim_index] = 1
            result = op(*args)
            squeeze = (lambda t: t.squeeze(-1))
            result = tuple(map(squeeze, result)) if isinstance(result, tuple) else squeeze(result)
            return result, _out_dims(result)
        if not -logical_rank <= dim < logical_rank:
            raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {logical_rank} dimension(s)")
        args[dim_index] = dim % logical_rank + 1
        result = op(*args)
        return result, _out_dims(result)

    return rule


# ------------------------------------------------------------ learnable
def _weight_roles(name: str, suffix: str) -> Tuple[List[int], List[int]]:
    """(positions of input-shaped tensors, positions of weight-shaped tensors)."""
    if suffix == "":
        return [0], [1]
    if suffix == "_backward":
        return [0, 1], [2]
    return [0, 2, 3], [1, 4]  # (ggx, ggw, g, x, w)


def _learnable_rule(op: Callable, name: str, suffix: str, layout: str) -> Callable:
    xs, ws = _weight_roles(name, suffix)

    def rule(info, in_dims, *args):
        B = info.batch_size
        args = list(args)
        weights_batched = any(in_dims[i] is not None for i in ws)
        if layout == "coefs" or (not weights_batched and suffix == ""):
            return _merge_into_batch(op, args, in_dims, xs, ws, B, layout)
        return _ensemble(op, args, in_dims, xs, ws, B, layout, suffix)

    return rule


def _merge_into_batch(op, args, in_dims, xs, ws, B, layout):
    """The batch merged into the samples: x [B, N, ...] -> [B N, ...] (the
    weights are shared, or per sample: dynamic_relu's coefficients)."""
    args = _batch_front(args, in_dims, B) if layout == "coefs" else list(args)
    if layout != "coefs":  # the forward, shared weights, batched x
        i = xs[0]
        x = args[i].movedim(in_dims[i], 0)
        if x.dim() <= 2:  # logical rank <= 1: one group of weights, elementwise
            args[i] = x
            return op(*args), 0
        args[i] = x.reshape(B * x.size(1), *x.shape[2:])
        y = op(*args)
        return y.reshape(B, x.size(1), *y.shape[1:]), 0
    ref = args[xs[0]]
    shapes = {}
    for i in xs + ws:
        t = args[i]
        shapes[i] = t.shape
        args[i] = t.reshape(B * t.size(1), *t.shape[2:])
    result = op(*args)
    outs = result if isinstance(result, tuple) else (result,)
    like = [ref.shape] * len(outs)
    if len(outs) > 1:  # backward: (gx, gcoefs); double backward: (dg, dx, dcoefs)
        like = [ref.shape] * (len(outs) - 1) + [shapes[ws[0]]]
    outs = tuple(o.reshape(s) for o, s in zip(outs, like))
    return (outs if isinstance(result, tuple) else outs[0]), _out_dims(result)


def _ensemble(op, args, in_dims, xs, ws, B, layout, suffix):
    """Each batch element with its own weights: the batch joins the channels
    (x [B, N, C, S...] -> [N, B C, S...], weights [B, P, G] -> [P, B C])."""
    args = _batch_front(args, in_dims, B)
    x = args[xs[0]]
    logical_rank = x.dim() - 1
    one_d = layout == "1d"
    w0 = args[ws[0]]
    G = w0.size(-1)
    if logical_rank >= 2:
        C = x.size(2)
        to_x = (lambda t: t.transpose(0, 1).reshape(t.size(1), B * C, *t.shape[3:]))
        back_x = (lambda t: t.reshape(t.size(0), B, C, *t.shape[2:]).transpose(0, 1))
    else:  # [B, S] as one sample with B channels of S elements (G must be 1)
        C = 1
        to_x = (lambda t: t.reshape(1, B, -1))
        back_x = (lambda t, shape=x.shape: t.reshape(shape))

    def to_w(t):  # [B, (P,) G] -> [(P,) B C]
        t = t.expand(*t.shape[:-1], C) if t.size(-1) != C else t
        return t.reshape(B * C) if one_d else t.transpose(0, 1).reshape(t.size(1), B * C)

    def back_w(t):  # [(P,) B C] -> [B, (P,) G]
        t = t.reshape(B, C) if one_d else t.reshape(t.size(0), B, C).transpose(0, 1)
        return t.sum(-1, keepdim=True) if G == 1 and C != 1 else t

    for i in xs:
        args[i] = to_x(args[i])
    for i in ws:
        args[i] = to_w(args[i])
    result = op(*args)
    if suffix == "":
        return back_x(result), 0
    if suffix == "_backward":
        gx, gw = result
        return (back_x(gx), back_w(gw)), (0, 0)
    dg, dx, dw = result
    return (back_x(dg), back_x(dx), back_w(dw)), (0, 0, 0)


def _lut_rule(op: Callable, suffix: str) -> Callable:
    """The forward with one table: the op as is; otherwise (batched tables,
    or a table gradient per example) one run per example."""

    def rule(info, in_dims, *args):
        if suffix == "" and in_dims[1] is None:
            return op(*args), in_dims[0]
        args = _batch_front(args, in_dims, info.batch_size)
        per = [op(*[a[b] if isinstance(a, Tensor) else a for a in args]) for b in range(info.batch_size)]
        if isinstance(per[0], tuple):
            outs = tuple(torch.stack([p[k] for p in per]) for k in range(len(per[0])))
            return outs, tuple(0 for _ in outs)
        return torch.stack(per), 0

    return rule


# ---------------------------------------------------------------- rrelu
def _rrelu_rule(op_name: str) -> Callable:
    op = getattr(_OPS, op_name)

    def rule(info, in_dims, *args):
        training = op_name == "rrelu_with_noise" or (len(args) > 3 and args[3])
        if not training or info.randomness == "different":
            result = op(*args)
            return result, (tuple(in_dims[0] for _ in result) if isinstance(result, tuple) else
                            (None if result is None else in_dims[0]))
        if info.randomness != "same":
            raise RuntimeError(f"vmap: {op_name} in training mode draws random slopes: call vmap with "
                               "randomness='different' or 'same'")
        x = args[0].movedim(in_dims[0], 0)
        lower, upper = args[1], args[2]
        noise = torch.where(x[0] >= 0, torch.ones_like(x[0]),
                            lower + (upper - lower) * torch.rand_like(x[0]))
        out = x * noise
        if op_name == "rrelu_with_noise":
            return (out, noise.expand_as(x)), (0, 0)
        if op_name == "rrelu_":
            args[0].copy_(out.movedim(0, in_dims[0]))
            return None, None
        return out, 0

    return rule


# ---------------------------------------------------------- registration
_POINTWISE_SUFFIXES = ("", "_", "_backward", "_double_backward", "_jet", "_backward_from_result",
                       "_double_backward_from_result", "_jet_from_result")
_LAYOUTS = {"prelu": "1d", "dynamic_relu": "coefs"}


def _register(name: str, rule: Callable) -> None:
    if name in _REGISTERED or not hasattr(_OPS, name):
        return
    op = getattr(_OPS, name).default

    def full(info, in_dims, *args, **kwargs):
        args = _with_defaults(op, args, kwargs)
        return rule(info, tuple(in_dims) + (None,) * (len(args) - len(in_dims)), *args)

    torch.library.register_vmap(f"torch_activations::{name}", full)
    _REGISTERED[name] = full


def register() -> List[str]:
    """Registers the batching rules of every op (idempotent); returns the
    names registered now."""
    before = set(_REGISTERED)
    for entry in _spec.OPS:
        if not entry.has_op:
            continue
        name = entry.name
        if name == "rrelu":
            for n in ("rrelu", "rrelu_", "rrelu_with_noise"):
                _register(n, _rrelu_rule(n))
        elif entry.category == "pointwise":
            for s in _POINTWISE_SUFFIXES:
                if hasattr(_OPS, name + s):
                    _register(name + s, _pointwise_rule(getattr(_OPS, name + s)))
        elif entry.category == "dim":
            if name == "maxout":
                continue  # CompositeImplicitAutograd: vmap goes through ATen
            _register(name, _dim_rule(getattr(_OPS, name), 1))
            if name == "softmax":
                _register("softmax_backward", _dim_rule(_OPS.softmax_backward, 2))
            elif name == "crelu":
                _register("crelu_backward", _dim_rule(_OPS.crelu_backward, 2))
            else:
                _register(name + "_backward", _dim_rule(getattr(_OPS, name + "_backward"), 2))
                _register(name + "_double_backward", _dim_rule(getattr(_OPS, name + "_double_backward"), 3))
        elif name == "lut":
            for s in ("", "_backward", "_double_backward"):
                _register(name + s, _lut_rule(getattr(_OPS, name + s), s))
        elif entry.weight:
            layout = _LAYOUTS.get(name, "2d")
            for s in ("", "_backward", "_double_backward"):
                _register(name + s, _learnable_rule(getattr(_OPS, name + s), name, s, layout))
    return sorted(set(_REGISTERED) - before)
