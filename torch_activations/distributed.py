"""DTensor sharding rules for the torch_activations operators.

Tensor parallelism (``torch.distributed.tensor.parallel``) runs every op on
:class:`~torch.distributed.tensor.DTensor` arguments, forward and backward.
DTensor needs to know how each op maps input placements to output
placements. :func:`register_sharding_rules` registers one rule per op family
for every ``torch.ops.torch_activations`` op that exists when it is called:
the forward ops named by :func:`torch_activations.list_activations`, their
in-place forms (``X_``) and their derived ops (``X_backward``,
``X_double_backward``, ``X_backward_from_result``, ...), found by name.

Every rule keeps DTensor's global meaning: the local result on each rank is
exactly the shard, under the output placement, of the op applied to the
global tensors. If no rule fits the inputs' placements, DTensor moves the
inputs to one that does (an all-gather, say). The answer is then still
right, just slower.

Pointwise ops (category ``pointwise``) take every tensor argument with the
same placement. That can be Replicate, Shard(d) or _StridedShard(d, sf)
for any d, and the output gets the same placement. A Partial input is
reduced first, because f(a + b) != f(a) + f(b). The identity ``linear`` is
the one exception: any Partial passes through it. Some derived ops are
linear in their first tensor argument: ``*_backward``, ``*_jet`` (g f'(x),
g f^(n)(x)), ``*_double_backward`` (a b f''(x)) and their ``_from_result``
forms. That argument may be Partial(sum|avg) when every other tensor is
Replicate, and the outputs are then Partial of the same kind (see
``_LINEAR_IN_FIRST``, which also covers the other families).

Ops over a dimension (category ``dim``) take any shard on a dimension other
than ``dim``. A shard on ``dim`` itself is only taken where the op's
structure allows it:

- gated units (the output halves ``dim``: glu, geglu, swiglu, reglu):
  input ``_StridedShard(dim, split_factor=2)`` (rank r owns the r-th chunk
  of a and the r-th chunk of b) gives output ``Shard(dim)``, and in general
  ``_StridedShard(dim, 2k)`` gives ``_StridedShard(dim, k)``. With
  ``Shard(dim)`` on the input, rank 0 would own all of a and rank 1 all of
  b, so that input is redistributed. See :func:`gated_colwise_parallel`
  for the column-parallel Linear that produces this layout.
- concatenating ops (the output doubles ``dim``: crelu): input
  ``Shard(dim)`` gives output ``_StridedShard(dim, 2)``.
- pooling ops (an int ``pool_size`` argument: maxout): ``Shard(dim)`` in
  and out, but only when every shard boundary falls on a group boundary.
- anything else (softmax): ``dim`` must not be sharded.

Learnable ops (category ``learnable``: ``op(self, weight, ...)``, where the
weight is [C], [P, C] or [1], the coefficients [N, C or 1, K, 2], or a value
table): input ``Shard(d)`` on a dimension that the weight indexes (channel
dimension 1, or the batch dimension of per-sample coefficients) goes with
the weight sharded on its matching dimension. Every other ``Shard(d)``
goes with a replicated weight. In the backward, grad_weight follows the
weight's placement, or becomes ``Partial(sum)`` when the weight is
replicated and the input sharded, because grad_weight is a sum over the
positions that the shards split. Tables (``lut``) are always replicated.

Random ops (a ``Generator`` argument, unless ``training`` is False) raise.
Each rank would draw its own numbers, which breaks Replicate and diverges
from one process.

The rules are registered by themselves: when ``torch_activations`` is
imported after ``torch.distributed.tensor``, at once; otherwise when
``torch.distributed.tensor`` is first imported (an import hook, so a program
that never uses DTensor does not pay its import, about 0.7 s).

FSDP2 (``fully_shard``) needs none of this: it gathers the parameters
before each forward, so the ops see plain tensors. The rules only matter
for tensor parallelism.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence

import torch

__all__ = ["register_sharding_rules", "registered_ops", "gated_colwise_parallel", "register_when_imported"]

_NS = "torch_activations"

# Derived ops (by family and suffix) whose outputs are all linear in their
# first tensor argument when the other arguments are fixed:
#   X_backward(g, x) = g f'(x), X_jet(g, x, n) = g f^(n)(x),
#   X_double_backward(a, b, x) = a b f''(x) (pointwise), and the gated
#   double backward (grad_grad, grad_output, self): linear in grad_grad.
# For these, a Partial(sum|avg) first argument passes through when the other
# tensors are Replicate. The learnable double backward is not linear in
# grad_grad_self alone (its grad_grad_output also has a grad_grad_weight
# term), so it is not listed. tests/test_distributed.py checks the linearity
# of every op listed here.
_LINEAR_IN_FIRST = {
    "pointwise": frozenset({"backward", "backward_from_result", "double_backward",
                            "double_backward_from_result", "jet", "jet_from_result"}),
    "dim": frozenset({"backward", "double_backward", "jet"}),
    "learnable": frozenset({"backward"}),
}
# Suffixes whose output roles follow the convention of csrc/ops/learnable.h:
# X(self, weight) -> y; X_backward -> (grad_self, grad_weight);
# X_double_backward -> (grad_grad_output, grad_self, grad_weight).
_KNOWN_SUFFIXES = frozenset({None, "", "backward", "backward_from_result", "double_backward",
                             "double_backward_from_result", "jet", "jet_from_result", "with_noise"})
# Forward ops that are linear in their input (identity): every Partial passes.
_LINEAR_FORWARD = frozenset({"linear"})
_LINEAR_REDUCE_OPS = ("sum", "avg")

_lock = threading.Lock()
_registered: Dict[str, str] = {}  # "torch_activations.relu.default" -> family
_linear_in_first: set = set()     # the registered ops that take a Partial first argument


def registered_ops() -> Dict[str, str]:
    """The ops registered so far, each with its family ("pointwise", "dim",
    "learnable", or "replicate" where only the all-Replicate rule is known)."""
    return dict(_registered)


def _dtensor_available() -> bool:
    if not torch.distributed.is_available():
        return False
    try:
        from torch.distributed import tensor as _dtensor  # noqa: F401
        from torch.distributed.tensor._ops.utils import expand_to_full_mesh_op_strategy  # noqa: F401
    except ImportError:
        return False
    return True


# ----------------------------------------------------------------------------
# Helpers over an OpSchema
# ----------------------------------------------------------------------------
class _Call:
    """The arguments of one op call as DTensor's sharding propagation sees them."""

    def __init__(self, op_schema) -> None:
        from torch.distributed.tensor._op_schema import OpStrategy

        self.op_schema = op_schema
        schema = op_schema.op._schema
        self.values: Dict[str, Any] = {}
        self.tensors: List[tuple] = []  # (arg name, OpStrategy) in input order
        for i, arg in enumerate(schema.arguments):
            if i < len(op_schema.args_schema):
                v = op_schema.args_schema[i]
            elif arg.name in op_schema.kwargs_schema:
                v = op_schema.kwargs_schema[arg.name]
            else:
                v = arg.default_value if arg.has_default_value() else None
            self.values[arg.name] = v
            if isinstance(v, OpStrategy):
                self.tensors.append((arg.name, v))
        self.n_out = len(schema.returns)

    def shape(self, name: str):
        return tuple(self.values[name].shape)

    def placements(self, index: int):
        return self.tensors[index][1].strategies[0].output_spec.placements

    def seen(self, indices: Optional[Sequence[int]] = None):
        """The placements on the inputs (all mesh dimensions)."""
        out = []
        for i in range(len(self.tensors)) if indices is None else indices:
            out.extend(self.placements(i))
        return out

    def output_shapes(self) -> List[tuple]:
        """The outputs' shapes, from the op's Meta kernel."""
        from torch.distributed.tensor._op_schema import OpStrategy

        def meta(v):
            if isinstance(v, OpStrategy):
                return torch.empty(v.shape, dtype=v.tensor_meta.dtype, device="meta")
            return v

        out = self.op_schema.op(*[meta(v) for v in self.op_schema.args_schema],
                                **{k: meta(v) for k, v in self.op_schema.kwargs_schema.items()})
        if isinstance(out, torch.Tensor):
            return [tuple(out.shape)]
        if out is None:
            return []
        return [tuple(t.shape) for t in out]


def _expand(call: _Call, rows: List[list], is_valid: Optional[Callable] = None):
    from torch.distributed.tensor._ops.utils import expand_to_full_mesh_op_strategy

    op_schema = call.op_schema
    # Drop duplicate rows (the same candidate reached twice).
    unique, keys = [], set()
    for row in rows:
        key = tuple(repr(p) for p in row)
        if key not in keys:
            keys.add(key)
            unique.append(row)
    return expand_to_full_mesh_op_strategy(
        op_schema.get_mesh_from_args(), op_schema, unique,
        input_index=call.n_out, inplace_op=op_schema.is_inplace_op(),
        is_valid_strategy_cb=is_valid)


def _like(p, dim: int, sf: Optional[int] = None):
    """Shard(dim), or _StridedShard(dim, sf) when p is strided (sf overrides)."""
    from torch.distributed.tensor.placement_types import Shard, _StridedShard

    factor: Any = sf if sf is not None else (p.split_factor if isinstance(p, _StridedShard) else 1)
    return Shard(dim) if factor == 1 else _StridedShard(dim, split_factor=factor)


def _shard_kinds(placements, ndim: int):
    """Shard(d) for every d, plus each _StridedShard seen, as (dim, placement)."""
    from torch.distributed.tensor.placement_types import Shard, _StridedShard

    out: List[tuple] = [(d, Shard(d)) for d in range(ndim)]
    for p in placements:
        if isinstance(p, _StridedShard) and 0 <= p.dim < ndim:
            out.append((p.dim, p))
    return out


def _check_random(call: _Call) -> None:
    schema = call.op_schema.op._schema
    if any("Generator" in str(a.type) for a in schema.arguments):
        if "training" in call.values and call.values["training"] is False:
            return
        raise NotImplementedError(
            f"{call.op_schema.op}: draws random numbers; on DTensor every rank would draw its own, "
            "which breaks Replicate placements and differs from one process. Use training=False, "
            "or run it on local tensors (DTensor.to_local / from_local).")


def _partial_grad_rows(call: _Call) -> List[list]:
    """The first tensor argument Partial, the rest Replicate, the outputs
    Partial: valid for ops linear in their first tensor argument."""
    from torch.distributed.tensor.placement_types import Partial, Replicate

    rows = []
    for r in _LINEAR_REDUCE_OPS:
        rows.append([Partial(r)] * call.n_out + [Partial(r)] + [Replicate()] * (len(call.tensors) - 1))
    return rows


# ----------------------------------------------------------------------------
# Rules per family
# ----------------------------------------------------------------------------
def _pointwise_rule(base: str, suffix: Optional[str]):
    def rule(op_schema):
        from torch.distributed.tensor.placement_types import Partial, Replicate

        call = _Call(op_schema)
        _check_random(call)
        n = call.n_out + len(call.tensors)
        ndim = len(call.tensors[0][1].shape)
        rows = [[Replicate()] * n]
        rows += [[p] * n for _, p in _shard_kinds(call.seen(), ndim)]
        if base in _LINEAR_FORWARD and suffix in (None, ""):
            rows += [[p] * n for p in call.seen() if isinstance(p, Partial)]
        if suffix in _LINEAR_IN_FIRST["pointwise"]:
            rows += _partial_grad_rows(call)
        return _expand(call, rows)

    return rule


def _dim_kind(base: str) -> str:
    """gated, concat, pool or slice: what a dim op does along its dimension,
    from its schema and the output shape of its Meta kernel."""
    op = getattr(torch.ops.torch_activations, base).default
    names = [a.name for a in op._schema.arguments]
    if "pool_size" in names:
        return "pool"
    if "dim" not in names:
        return "slice"
    try:
        y = op(torch.empty(2, 4, device="meta"), dim=1)
    except Exception:
        return "slice"
    if isinstance(y, (tuple, list)):
        y = y[0]
    size = y.shape[1] if y.dim() == 2 else 4
    return {2: "gated", 8: "concat"}.get(size, "slice")


def _dim_rule(base: str, suffix: Optional[str], kind: str):
    def rule(op_schema):
        from torch.distributed.tensor.placement_types import Replicate, Shard, _StridedShard

        call = _Call(op_schema)
        _check_random(call)
        names = [n for n, _ in call.tensors]
        ref = "self" if "self" in names else names[-1]
        x_shape = call.shape(ref)
        ndim = len(x_shape)
        dim = call.values.get("dim")
        dim = 0 if dim is None else (dim + ndim if dim < 0 else dim)
        if kind == "slice":
            in_roles = ["x"] * len(call.tensors)
            out_roles = ["x"] * call.n_out
        else:
            in_roles = ["x" if s.shape[dim] == x_shape[dim] else "y" for _, s in call.tensors]
            out_roles = ["x" if s[dim] == x_shape[dim] else "y" for s in call.output_shapes()]

        def row(px, py):
            pick = {"x": px, "y": py}
            return [pick[r] for r in out_roles] + [pick[r] for r in in_roles]

        rows = [row(Replicate(), Replicate())]
        for d, p in _shard_kinds(call.seen(), ndim):
            if d != dim:
                rows.append(row(p, p))

        x_in = [i for i, r in enumerate(in_roles) if r == "x"]
        y_in = [i for i, r in enumerate(in_roles) if r == "y"]
        is_valid = None
        if kind in ("gated", "concat"):
            # k: the split factor of the narrower side (1: Shard).
            narrow, wide = (y_in, x_in) if kind == "gated" else (x_in, y_in)
            ks = {1}
            for p in call.seen(wide):
                if isinstance(p, _StridedShard) and p.dim == dim and p.split_factor % 2 == 0:
                    ks.add(p.split_factor // 2)
            for p in call.seen(narrow):
                if isinstance(p, _StridedShard) and p.dim == dim:
                    ks.add(p.split_factor)
            for k in sorted(ks):
                n_p = Shard(dim) if k == 1 else _StridedShard(dim, split_factor=k)
                w_p = _StridedShard(dim, split_factor=2 * k)
                rows.append(row(w_p, n_p) if kind == "gated" else row(n_p, w_p))
        elif kind == "pool":
            pool = int(call.values["pool_size"])
            size = x_shape[dim]
            rows.append(row(Shard(dim), Shard(dim)))
            mesh = op_schema.get_mesh_from_args()
            x_index = names.index(ref)

            def is_valid(input_specs, output_specs):
                shards = 1
                for mesh_dim, p in enumerate(input_specs[x_index].placements):
                    if isinstance(p, (Shard, _StridedShard)) and p.dim == dim:
                        shards *= mesh.size(mesh_dim)
                return size % (pool * shards) == 0

        if suffix in _LINEAR_IN_FIRST["dim"]:
            rows += _partial_grad_rows(call)
        return _expand(call, rows, is_valid)

    return rule


def _weight_dim_map(name: str, w_shape: tuple, x_shape: tuple) -> Dict[int, int]:
    """Input dim -> weight dim that the weight indexes (equal sizes > 1)."""
    if "table" in name or len(x_shape) < 2:
        return {}
    pairs = {1: {1: 0}, 2: {1: 1}, 4: {0: 0, 1: 1}}.get(len(w_shape), {})
    return {xd: wd for xd, wd in pairs.items() if w_shape[wd] == x_shape[xd] and x_shape[xd] > 1}


def _is_weight(name: str) -> bool:
    return "weight" in name or "table" in name


def _learnable_rule(base: str, suffix: Optional[str]):
    def rule(op_schema):
        from torch.distributed.tensor.placement_types import Partial, Replicate

        call = _Call(op_schema)
        _check_random(call)
        names = [n for n, _ in call.tensors]
        in_roles = ["w" if _is_weight(n) else "x" for n in names]
        x_shape = call.shape("self")
        w_names = [n for n in names if _is_weight(n) and not n.startswith("grad")]
        rows_r = [[Replicate()] * (call.n_out + len(names))]
        if not w_names:
            return _expand(call, rows_r)
        w_name = w_names[0]
        w_shape = call.shape(w_name)
        out_roles = []
        for i, s in enumerate(call.output_shapes()):
            if s == x_shape and s != w_shape:
                out_roles.append("x")
            elif s == w_shape and s != x_shape:
                out_roles.append("w")
            elif suffix in _KNOWN_SUFFIXES:
                out_roles.append("w" if call.n_out > 1 and i == call.n_out - 1 else "x")
            else:
                return _expand(call, rows_r)  # unknown layout: replicate only
        dmap = _weight_dim_map(w_name, w_shape, x_shape)
        inverse = {wd: xd for xd, wd in dmap.items()}

        def row(px, pw_in, pw_out):
            return ([px if r == "x" else pw_out for r in out_roles]
                    + [px if r == "x" else pw_in for r in in_roles])

        x_idx = [i for i, r in enumerate(in_roles) if r == "x"]
        w_idx = [i for i, r in enumerate(in_roles) if r == "w"]
        seen = list(call.seen(x_idx))
        for p in call.seen(w_idx):  # a weight's strided shard, seen on the input's dim
            if getattr(p, "dim", None) in inverse:
                seen.append(_like(p, inverse[p.dim]))
        rows = rows_r
        for d, p in _shard_kinds(seen, len(x_shape)):
            if d in dmap:
                wp = _like(p, dmap[d])
                rows.append(row(p, wp, wp))
            else:
                rows.append(row(p, Replicate(), Partial("sum")))
        if suffix in _LINEAR_IN_FIRST["learnable"]:
            rows += _partial_grad_rows(call)
        return _expand(call, rows)

    return rule


def _replicate_rule(op_schema):
    from torch.distributed.tensor.placement_types import Replicate

    call = _Call(op_schema)
    _check_random(call)
    return _expand(call, [[Replicate()] * (call.n_out + len(call.tensors))])


# ----------------------------------------------------------------------------
# Registration
# ----------------------------------------------------------------------------
def _ops_by_name():
    prefix = _NS + "::"
    for qual in sorted(torch._C._dispatch_get_all_op_names()):
        if not qual.startswith(prefix):
            continue
        name, _, overload = qual[len(prefix):].partition(".")
        packet = getattr(torch.ops.torch_activations, name, None)
        if packet is None:
            continue
        op = getattr(packet, overload or "default", None)
        if op is not None:
            yield qual, name, op


def register_sharding_rules() -> List[str]:
    """Register DTensor sharding rules for every torch_activations op.

    Idempotent, and safe without an initialised process group. Ops added
    since the last call (a rebuilt extension) are registered when it is
    called again. Returns the ops registered by this call, e.g.
    ``["torch_activations.swiglu.default", ...]``; an empty list when
    DTensor is unavailable.
    """
    if not _dtensor_available():
        return []
    from torch.distributed.tensor import DTensor
    from torch.distributed.tensor._op_schema import RuntimeSchemaInfo

    from . import _library
    from .registry import list_activations

    _library.load()
    categories = {a.name: a.category for a in list_activations()}
    forwards = sorted(categories, key=len, reverse=True)  # longest prefix wins
    propagator = DTensor._op_dispatcher.sharding_propagator
    new: List[str] = []
    with _lock:
        kinds: Dict[str, str] = {}
        for qual, name, op in _ops_by_name():
            key = str(op)
            if key in _registered:
                continue
            schema = op._schema
            tensor_args = [a for a in schema.arguments if isinstance(a.type, torch.TensorType)]
            if not tensor_args:
                continue
            # CompositeImplicitAutograd ops (evonorm) decompose before DTensor sees them.
            if torch._C._dispatch_has_kernel_for_dispatch_key(qual, "CompositeImplicitAutograd"):
                continue
            base = next((f for f in forwards if name == f or name.startswith(f + "_")), None)
            if base is None:
                continue
            suffix = None if name == base else name[len(base) + 1:]
            category = categories[base]
            if category == "pointwise":
                family, rule = "pointwise", _pointwise_rule(base, suffix)
            elif category == "dim":
                if base not in kinds:
                    kinds[base] = _dim_kind(base)
                family, rule = "dim", _dim_rule(base, suffix, kinds[base])
            elif category == "learnable":
                family, rule = "learnable", _learnable_rule(base, suffix)
            else:
                family, rule = "replicate", _replicate_rule
            # Every non-tensor argument is part of the sharding cache key.
            first_static = next((i for i, a in enumerate(schema.arguments)
                                 if not isinstance(a.type, torch.TensorType)), len(schema.arguments))
            static_kw = [a.name for a in schema.arguments if not isinstance(a.type, torch.TensorType)]
            propagator.register_op_strategy(
                op, rule, RuntimeSchemaInfo(static_argnum=first_static,
                                            static_kwargkey=static_kw or None))
            _registered[key] = family
            if suffix in _LINEAR_IN_FIRST.get(family, ()):
                _linear_in_first.add(key)
            new.append(key)
        if new:
            cache: Any = getattr(propagator, "propagate_op_sharding", None)
            if hasattr(cache, "cache_clear"):
                cache.cache_clear()
    return new


_DTENSOR = "torch.distributed.tensor"


class _RegisterAfterImport(importlib.abc.MetaPathFinder):
    """Finds torch.distributed.tensor as the other finders do, and registers
    the rules once that module has executed."""

    def find_spec(self, name, path, target=None):
        if name != _DTENSOR:
            return None
        _remove_hook()
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module):
            run(module)
            try:
                register_sharding_rules()
            except Exception as e:  # never break the user's import
                import warnings
                warnings.warn(f"torch_activations: DTensor sharding rules not registered: {e}")

        loader.exec_module = exec_module
        return spec


_hook: Optional[_RegisterAfterImport] = None


def _remove_hook() -> None:
    global _hook
    if _hook is not None and _hook in sys.meta_path:
        sys.meta_path.remove(_hook)
    _hook = None


def register_when_imported() -> None:
    """Registers the sharding rules now if DTensor is loaded, else when it is
    (called by ``import torch_activations``)."""
    global _hook
    if _DTENSOR in sys.modules:
        register_sharding_rules()
    elif _hook is None and torch.distributed.is_available():
        _hook = _RegisterAfterImport()
        sys.meta_path.insert(0, _hook)


# ----------------------------------------------------------------------------
# Column-parallel Linear feeding a gated unit
# ----------------------------------------------------------------------------
_gated_style_cls = None


def gated_colwise_parallel(*, input_layouts=None, use_local_output: bool = True):
    """A ``ColwiseParallel`` for the Linear in front of a gated unit
    (glu/geglu/swiglu/reglu over the last dim), as in a Megatron MLP:
    ``w1 -> SwiGLU -> w2`` with ``{"w1": gated_colwise_parallel(), "w2": RowwiseParallel()}``.

    The weight and bias are distributed as ``_StridedShard(0, split_factor=2)``,
    not ``Shard(0)``. Their global values stay the single-process ones, but rank
    r holds rows r of the a-half and r of the b-half. ``F.linear`` then gives
    ``_StridedShard(-1, 2)``, the gated op gives ``Shard(-1)`` with no
    communication, and that is what ``RowwiseParallel`` expects.
    ``use_local_output=True`` (ColwiseParallel's default) runs the gated op
    on the local tensor, which is the same computation. With False, it runs
    on the DTensor through the rules of :func:`register_sharding_rules`.

    With a plain ``ColwiseParallel`` the result is still right, because the
    gated op gathers its input first, but every forward pays an all-gather.
    """
    global _gated_style_cls
    if _gated_style_cls is None:
        from torch import nn
        from torch.distributed.tensor import distribute_tensor
        from torch.distributed.tensor.parallel import ColwiseParallel
        from torch.distributed.tensor.placement_types import _StridedShard

        class GatedColwiseParallel(ColwiseParallel):
            def _partition_linear_fn(self, name, module, device_mesh):
                for pname, param in module.named_parameters():
                    dist_param = nn.Parameter(
                        distribute_tensor(param, device_mesh, [_StridedShard(0, split_factor=2)],
                                          src_data_rank=self.src_data_rank),
                        requires_grad=param.requires_grad)
                    module.register_parameter(pname, dist_param)

            @staticmethod
            def _prepare_output_fn(output_layouts, use_local_output, mod, outputs, device_mesh):
                # Already _StridedShard(-1, 2): leave it as it is.
                return outputs.to_local() if use_local_output else outputs

            def _apply(self, module, device_mesh):
                if not isinstance(module, nn.Linear):
                    raise NotImplementedError("gated_colwise_parallel supports nn.Linear only")
                return super()._apply(module, device_mesh)

        _gated_style_cls = GatedColwiseParallel
    register_sharding_rules()
    return _gated_style_cls(input_layouts=input_layouts, use_local_output=use_local_output)
