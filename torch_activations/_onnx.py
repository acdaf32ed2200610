"""ONNX export of every torch_activations op (``torch.onnx.export(..., dynamo=True)``).

Each forward op has a decomposition into plain torch (ATen) ops, written from
the catalog (``shared/ACTIVATIONS.md``), using the torch peer where one exists
(so the exporter emits ONNX's own ``Mish``, ``Gelu``, ``Softplus``, ...).
They are in :data:`DECOMPOSITIONS`, keyed by op name, so each formula can move
into the project's single op table later.

:func:`register` makes the dynamo ONNX exporter apply them, and only the ONNX
exporter.  It does *not* put them into ``torch._decomp.decomposition_table``:
that global table is also read by FakeTensorMode (with symbolic shapes it runs
a table entry instead of the op's C++ Meta kernel, so the op's own shape
checks and metadata would be bypassed under ``torch.compile(dynamic=True)``,
``torch.export`` with dynamic dims and ``make_fx(tracing_mode="symbolic")``),
by DTensor (an entry makes it shard the op through the decomposition) and by
TorchRefsMode.  Instead it wraps two functions of torch's ONNX exporter that
nothing else calls (both run in its step 2/3, "decompose the graph"):

* ``_decomp.create_onnx_friendly_decomposition_table``: our entries are added
  for the ops with no ONNX translation in the registry (so a user's
  ``custom_translation_table`` for one of our ops still wins);
* ``_fx_passes.decompose_with_registry``: first rewrites each in-place call
  ``relu_(x)`` (``inplace=True``) into ``x.copy_(relu(x))``, which the
  exporter's functionalization handles like any ATen in-place op (left as is,
  it becomes ``auto_functionalized_v2``, which the exporter cannot translate).

Both are private to torch (the project pins torch 2.13.*); tests/test_onnx.py
checks the export end to end, so a torch upgrade that moves them fails there.
``register()`` is lazy: it imports nothing (the exporter pulls in onnx and
onnxscript, ~2.5 s) and applies the wrappers when torch.onnx.export first
imports ``_fx_passes``; if they are missing then, it warns instead of
breaking torch.onnx.

The ``evonorm_*`` ops are CompositeImplicitAutograd: the exporter already
decomposes them into their ATen ops, so they need no entry here.
"""

from __future__ import annotations

import importlib.abc
import sys
import warnings
from typing import Callable, Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from . import _library

__all__ = ["DECOMPOSITIONS", "INPLACE", "register", "is_registered", "decomposition_table"]

_library.load()
_ops = torch.ops.torch_activations

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_LAMBDA = 1.0507009873554804934193349852946


# ------------------------------------------------------------------------
# 1. Stateless pointwise activations
# ------------------------------------------------------------------------
def _sigmoid(x: Tensor) -> Tensor:
    return torch.sigmoid(x)


def _tanh(x: Tensor) -> Tensor:
    return torch.tanh(x)


def _linear(x: Tensor) -> Tensor:
    return x.clone()


def _relu(x: Tensor) -> Tensor:
    return torch.relu(x)


def _relu6(x: Tensor) -> Tensor:
    return F.relu6(x)


def _leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return F.leaky_relu(x, negative_slope)


def _elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return F.elu(x, alpha)


def _selu(x: Tensor) -> Tensor:
    return F.selu(x)


def _celu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return F.celu(x, alpha)


def _gelu(x: Tensor, approximate: str = "none") -> Tensor:
    return F.gelu(x, approximate=approximate)


def _swish(x: Tensor, beta: float = 1.0) -> Tensor:
    return F.silu(x) if beta == 1.0 else x * torch.sigmoid(beta * x)


def _silu(x: Tensor) -> Tensor:
    return F.silu(x)


def _eswish(x: Tensor, beta: float = 1.5) -> Tensor:
    return beta * F.silu(x)


def _mish(x: Tensor) -> Tensor:
    return F.mish(x)


def _sqnl(x: Tensor) -> Tensor:
    # c - c|c|/4 with c = clamp(x, -2, 2): x -/+ x²/4 inside, ±1 outside.
    c = torch.clamp(x, -2.0, 2.0)
    return c - c * torch.abs(c) * 0.25


def _bent_identity(x: Tensor) -> Tensor:
    # (sqrt(x²+1) - 1)/2 + x, with sqrt(x²+1) - 1 = x²/(sqrt(x²+1) + 1) (no cancellation near 0).
    a = torch.abs(x)
    return x + 0.5 * a * (a / (torch.sqrt(x * x + 1.0) + 1.0))


def _softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return F.softplus(x, beta, threshold)


def _softsign(x: Tensor) -> Tensor:
    return F.softsign(x)


def _sine(x: Tensor, w0: float = 1.0) -> Tensor:
    return torch.sin(x * w0)


def _cosine(x: Tensor, w0: float = 1.0) -> Tensor:
    return torch.cos(x * w0)


def _sinc(x: Tensor, normalized: bool = True) -> Tensor:
    if normalized:
        return torch.sinc(x)
    safe = torch.where(x == 0, torch.ones_like(x), x)
    return torch.where(x == 0, torch.ones_like(x), torch.sin(safe) / safe)


def _arctan(x: Tensor) -> Tensor:
    return torch.atan(x)


def _logsigmoid(x: Tensor) -> Tensor:
    # log σ(x) = -softplus(-x): ONNX's Softplus is stable, while the
    # translation of F.logsigmoid (Log(Sigmoid(x))) gives -inf below x ~ -104.
    return -F.softplus(-x)


def _tanhexp(x: Tensor) -> Tensor:
    return x * torch.tanh(torch.exp(x))


def _squareplus(x: Tensor, b: float = 4.0) -> Tensor:
    h = torch.sqrt(x * x + b)
    return torch.where(x >= 0, 0.5 * (x + h), 0.5 * b / (h - x))


def _hard_swish(x: Tensor) -> Tensor:
    return F.hardswish(x)


def _hard_sigmoid(x: Tensor, slope: float = 1.0 / 6.0, offset: float = 0.5) -> Tensor:
    if slope == 1.0 / 6.0 and offset == 0.5:
        return F.hardsigmoid(x)
    return torch.clamp(x * slope + offset, 0.0, 1.0)


def _quant_relu(x: Tensor, levels: int = 4, max_val: float = 1.0) -> Tensor:
    # torch.round and ONNX Round both round half to even, as the catalog says.
    return torch.round(torch.clamp(x, 0.0, max_val) / max_val * levels) * max_val / levels


def _rrelu_slopes(x: Tensor, lower: float, upper: float) -> Tensor:
    return torch.rand_like(x) * (upper - lower) + lower


def _rrelu(x: Tensor, lower: float = 1.0 / 8.0, upper: float = 1.0 / 3.0, training: bool = False,
           generator: Optional[torch.Generator] = None) -> Tensor:
    if not training:
        return F.leaky_relu(x, (lower + upper) / 2.0)
    # Training draws a slope per element (ONNX RandomUniformLike: not the
    # numbers torch's generator would give, as for any random op).
    return torch.where(x >= 0, x, x * _rrelu_slopes(x, lower, upper))


def _rrelu_with_noise(x: Tensor, lower: float = 1.0 / 8.0, upper: float = 1.0 / 3.0,
                      generator: Optional[torch.Generator] = None):
    noise = torch.where(x >= 0, torch.ones_like(x), _rrelu_slopes(x, lower, upper))
    return x * noise, noise


# ------------------------------------------------------------------------
# 2. Ops over a dimension
# ------------------------------------------------------------------------
def _softmax(x: Tensor, dim: int) -> Tensor:
    return torch.softmax(x, dim)


def _glu(x: Tensor, dim: int = -1) -> Tensor:
    return F.glu(x, dim)


def _geglu(x: Tensor, dim: int = -1, approximate: str = "none") -> Tensor:
    a, b = x.chunk(2, dim)
    return a * F.gelu(b, approximate=approximate)


def _swiglu(x: Tensor, dim: int = -1) -> Tensor:
    a, b = x.chunk(2, dim)
    return a * F.silu(b)


def _reglu(x: Tensor, dim: int = -1) -> Tensor:
    a, b = x.chunk(2, dim)
    return a * torch.relu(b)


def _crelu(x: Tensor, dim: int = 1) -> Tensor:
    return torch.cat([torch.relu(x), torch.relu(-x)], dim)


def _chan(p: Tensor, x: Tensor) -> Tensor:
    """A [G] parameter row against x: a scalar for G = 1, [1, C, 1, ...] otherwise."""
    if p.size(0) == 1:
        return p.reshape(())
    return p.reshape([1, -1] + [1] * (x.dim() - 2))


def _rows(w: Tensor, x: Tensor) -> List[Tensor]:
    return [_chan(w[i], x) for i in range(w.size(0))]


def _prelu(x: Tensor, weight: Tensor) -> Tensor:
    return F.prelu(x, weight)


def _swish_learnable(x: Tensor, weight: Tensor) -> Tensor:
    (beta,) = _rows(weight, x)
    return x * torch.sigmoid(beta * x)


def _learnable_sigmoid(x: Tensor, weight: Tensor) -> Tensor:
    alpha, beta = _rows(weight, x)
    return torch.sigmoid(alpha * x + beta)


def _parametric_softplus(x: Tensor, weight: Tensor) -> Tensor:
    alpha, beta = _rows(weight, x)
    return F.softplus(alpha * x) / beta


def _srelu(x: Tensor, weight: Tensor) -> Tensor:
    tl, al, tr, ar = _rows(weight, x)
    return torch.where(x >= tr, tr + ar * (x - tr), torch.where(x <= tl, tl + al * (x - tl), x))


def _pau(x: Tensor, weight: Tensor) -> Tensor:
    # Σ_k a_k sign(x) |x|^{p_k}; rows a_1..a_K, then p_1..p_K.
    rows = _rows(weight, x)
    k = len(rows) // 2
    ax = torch.abs(x)
    acc = sum(rows[i] * torch.pow(ax, rows[k + i]) for i in range(k))
    return torch.sign(x) * acc


def _pade(x: Tensor, weight: Tensor, num_degree: int = 5, den_degree: int = 4) -> Tensor:
    # Σ_j a_j x^j / (1 + Σ_k |b_k| |x|^k), both by Horner; rows a_0..a_m, b_1..b_n.
    rows = _rows(weight, x)
    a, b = rows[: num_degree + 1], rows[num_degree + 1:]
    num = a[num_degree] * torch.ones_like(x)
    for j in range(num_degree - 1, -1, -1):
        num = num * x + a[j]
    ax = torch.abs(x)
    den = torch.abs(b[den_degree - 1]) * ax
    for k in range(den_degree - 2, -1, -1):
        den = (den + torch.abs(b[k])) * ax
    return num / (den + 1.0)


def _pact(x: Tensor, weight: Tensor, levels: int = 4) -> Tensor:
    (alpha,) = _rows(weight, x)
    xc = torch.minimum(torch.relu(x), alpha * torch.ones_like(x))
    return torch.round(xc / alpha * levels) * alpha / levels


def _relu_polymix(x: Tensor, weight: Tensor, degree: int = 3) -> Tensor:
    # σ(b) relu(x) + (1 - σ(b)) a Σ_{i=1}^{d} x^i / i, the sum by Horner.
    a, b = _rows(weight, x)
    s = torch.full_like(x, 1.0 / degree)
    for i in range(degree - 1, 0, -1):
        s = s * x + 1.0 / i
    sb = torch.sigmoid(b)
    return sb * torch.relu(x) + (1.0 - sb) * a * (s * x)


def _dynamic_relu(x: Tensor, weight: Tensor) -> Tensor:
    # weight: per-sample coefficients [N, C or 1, K, 2] = (a_k, b_k); max_k a_k x + b_k.
    spatial = (slice(None), slice(None)) + (None,) * (x.dim() - 2)
    out = weight[:, :, 0, 0][spatial] * x + weight[:, :, 0, 1][spatial]
    for k in range(1, weight.size(2)):
        out = torch.maximum(out, weight[:, :, k, 0][spatial] * x + weight[:, :, k, 1][spatial])
    return out


def _lut(x: Tensor, table: Tensor, lo: float = -1.0, hi: float = 1.0) -> Tensor:
    # Linear interpolation of n table values spread over [lo, hi], input clamped.
    n = table.size(0)
    t = (torch.clamp(x, lo, hi) - lo) * ((n - 1) / (hi - lo))
    i = torch.clamp(torch.floor(t), 0.0, n - 2.0)
    i = torch.where(torch.isnan(i), torch.zeros_like(i), i)  # NaN in: NaN out, a valid index
    w = t - i
    idx = i.to(torch.int64)
    return table[idx] * (1.0 - w) + table[idx + 1] * w


# ------------------------------------------------------------------------
# The table, keyed by op name.
# ------------------------------------------------------------------------
DECOMPOSITIONS: Dict[str, Callable] = {
    "sigmoid": _sigmoid, "tanh": _tanh, "linear": _linear, "relu": _relu, "relu6": _relu6,
    "leaky_relu": _leaky_relu, "elu": _elu, "selu": _selu, "celu": _celu, "gelu": _gelu,
    "swish": _swish, "silu": _silu, "eswish": _eswish, "mish": _mish, "sqnl": _sqnl,
    "bent_identity": _bent_identity, "softplus": _softplus, "softsign": _softsign,
    "sine": _sine, "cosine": _cosine, "sinc": _sinc, "arctan": _arctan,
    "logsigmoid": _logsigmoid, "tanhexp": _tanhexp, "squareplus": _squareplus, "hard_swish": _hard_swish,
    "hard_sigmoid": _hard_sigmoid, "quant_relu": _quant_relu, "rrelu": _rrelu,
    "rrelu_with_noise": _rrelu_with_noise,
    "softmax": _softmax, "glu": _glu, "geglu": _geglu, "swiglu": _swiglu, "reglu": _reglu,
    "crelu": _crelu,
    "prelu": _prelu, "swish_learnable": _swish_learnable, "learnable_sigmoid": _learnable_sigmoid,
    "parametric_softplus": _parametric_softplus, "srelu": _srelu, "pau": _pau, "pade": _pade,
    "pact": _pact, "relu_polymix": _relu_polymix, "dynamic_relu": _dynamic_relu, "lut": _lut,
}

# Ops with an in-place form ``<name>_`` (returning nothing): the exporter hook
# rewrites ``<name>_(x)`` into ``x.copy_(<name>(x))`` before decomposing.
INPLACE = [name for name in DECOMPOSITIONS if hasattr(_ops, name + "_")]


def decomposition_table() -> Dict[torch._ops.OpOverload, Callable]:
    """{op overload: decomposition} for every forward op."""
    return {getattr(_ops, name).default: fn for name, fn in DECOMPOSITIONS.items()}


# ------------------------------------------------------------------------
# The hook into the dynamo ONNX exporter.
# ------------------------------------------------------------------------
_MARK = "_torch_activations_onnx"
_DECOMP = "torch.onnx._internal.exporter._decomp"
_FX_PASSES = "torch.onnx._internal.exporter._fx_passes"


def _exporter_modules():
    from torch.onnx._internal.exporter import _decomp, _fx_passes

    for mod, name in ((_decomp, "create_onnx_friendly_decomposition_table"),
                      (_fx_passes, "decompose_with_registry")):
        if not callable(getattr(mod, name, None)):
            raise RuntimeError(
                f"torch_activations: the ONNX exporter of torch {torch.__version__} has no "
                f"{mod.__name__}.{name}; torch_activations/_onnx.py needs updating"
            )
    return _decomp, _fx_passes


def _inplace_to_functional(exported_program) -> int:
    """Rewrites every call of an in-place op (``relu_(x)``, as torch.export
    records ``inplace=True``) into ``x.copy_(relu(x))``.  The exporter's
    functionalization then handles the mutation (views included) as for any
    ATen in-place op; left alone, it would wrap the op in
    ``auto_functionalized_v2``, which the ONNX exporter cannot translate.
    The program is modified in place (an equivalent graph; a user's
    ExportedProgram passed to torch.onnx.export keeps working).  Returns the
    number of nodes rewritten."""
    functional = {getattr(_ops, n + "_").default: getattr(_ops, n).default for n in INPLACE}
    count = 0
    for gm in exported_program.graph_module.modules():
        if not isinstance(gm, torch.fx.GraphModule):
            continue
        graph = gm.graph
        changed = False
        for node in list(graph.nodes):
            if node.op != "call_function" or node.target not in functional or node.users:
                continue
            with graph.inserting_before(node):
                out = graph.call_function(functional[node.target], node.args, node.kwargs)
                copy = graph.call_function(torch.ops.aten.copy_.default, (node.args[0], out))
            for new in (out, copy):
                new.meta = {k: v for k, v in node.meta.items() if k != "val"}
                val = getattr(node.args[0], "meta", {}).get("val")
                if val is not None:
                    new.meta["val"] = val
            graph.erase_node(node)
            changed = True
            count += 1
        if changed:
            gm.recompile()
    return count


def is_registered() -> bool:
    """Whether the dynamo ONNX exporter (if imported) applies our decompositions."""
    fx_passes = sys.modules.get(_FX_PASSES)
    decomp = sys.modules.get(_DECOMP)
    if fx_passes is None or decomp is None:
        return False
    return bool(getattr(decomp.create_onnx_friendly_decomposition_table, _MARK, False)
                and getattr(fx_passes.decompose_with_registry, _MARK, False))


def _patch() -> None:
    """Wraps the exporter's two functions (idempotent); raises if torch's
    exporter no longer has them."""
    _decomp, _fx_passes = _exporter_modules()

    make_table = _decomp.create_onnx_friendly_decomposition_table
    if not getattr(make_table, _MARK, False):
        ours = decomposition_table()

        def create_onnx_friendly_decomposition_table(onnx_registered_ops):
            table = make_table(onnx_registered_ops)
            for op, fn in ours.items():
                # An op with an ONNX translation in the registry (e.g. from a
                # user's custom_translation_table) is translated, not decomposed.
                if op not in onnx_registered_ops:
                    table[op] = fn
            return table

        create_onnx_friendly_decomposition_table.__doc__ = make_table.__doc__
        setattr(create_onnx_friendly_decomposition_table, _MARK, True)
        _decomp.create_onnx_friendly_decomposition_table = create_onnx_friendly_decomposition_table

    decompose = _fx_passes.decompose_with_registry
    if not getattr(decompose, _MARK, False):

        def decompose_with_registry(exported_program, registry):
            _inplace_to_functional(exported_program)
            return decompose(exported_program, registry)

        decompose_with_registry.__doc__ = decompose.__doc__
        setattr(decompose_with_registry, _MARK, True)
        _fx_passes.decompose_with_registry = decompose_with_registry


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Applies _patch() right after the exporter's _fx_passes module is first
    imported (by torch.onnx.export), so that register() at ``import
    torch_activations`` neither imports onnx/onnxscript (~2.5 s) nor needs them."""

    def find_spec(self, name, path, target=None):
        if name != _FX_PASSES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        real, finder = spec.loader, self

        class Loader(importlib.abc.Loader):
            def create_module(self, spec):
                return real.create_module(spec)

            def exec_module(self, module):
                real.exec_module(module)
                if finder in sys.meta_path:
                    sys.meta_path.remove(finder)
                try:
                    _patch()
                except Exception as e:  # never break torch.onnx itself
                    warnings.warn(f"torch_activations: ONNX export of its ops is not available: {e}",
                                  stacklevel=2)

            def __getattr__(self, name):  # get_source, get_filename, ...
                return getattr(real, name)

        spec.loader = Loader()
        return spec


def register(lazy: bool = True) -> None:
    """Make ``torch.onnx.export(..., dynamo=True)`` export every torch_activations
    op, functional and in-place (idempotent).  It touches only the exporter's
    decomposition step (2/3): nothing that eager mode, torch.compile,
    torch.export, FakeTensor, DTensor, AOTInductor or TorchScript read.

    With ``lazy=True`` (for ``import torch_activations``) nothing is imported
    now: if the exporter is not loaded yet, the hook is applied when it is."""
    if _FX_PASSES in sys.modules or not lazy:
        _patch()
        return
    if not any(isinstance(f, _PatchAfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchAfterImport())
