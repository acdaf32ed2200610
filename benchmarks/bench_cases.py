"""Benchmark cases: for each activation, what is timed and against what.

A :class:`Case` knows how to build, for one (size, device, dtype), the inputs
and the alternatives a user could run instead of our operator:

* ``ours``: ``torch_activations.functional.<op>``,
* ``peer``: the native torch op (``tests/reference.TORCH_PEERS``), or ``None``
  where torch has none for these parameters,
* ``formula``: the same formula in eager torch (``tests/reference.formula``);
  the runner also times it under ``torch.compile``,
* ``copy_of``: the tensor whose ``clone()`` is the memory-bandwidth floor.

Every callable takes the tensors of ``Setup.inputs`` positionally and returns
one tensor; for forward+backward the runner differentiates with respect to
every input that ``requires_grad`` (so learnable ops pass their parameters as
inputs: ``prelu(x, weight)``).

Every pointwise registry entry gets a case automatically.  Entries of the other
categories ("dim": swiglu, softmax...; "learnable": prelu, pade...) need their
input shapes chosen, so they are added by registering a case, e.g.::

    def _swiglu_setup(size, device, dtype, requires_grad):
        x = _randn((size // 1024, 2 * 512), device, dtype, requires_grad)
        return Setup(inputs=(x,), ours=lambda x: taF.swiglu(x),
                     formula=lambda x: (lambda a, b: a * F.silu(b))(*x.chunk(2, -1)),
                     peer=None)

    register_case(Case("swiglu", "swiglu", "dim", {}, _swiglu_setup))

``size`` is the number of elements of the main input; the runner reports it
as 2^k.  Entries of the registry without a case are listed by ``--list`` and
in the run's metadata, so a missing benchmark is visible.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _p in (_ROOT, os.path.join(_ROOT, "tests")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import torch  # noqa: E402
from torch import Tensor  # noqa: E402

import reference as R  # noqa: E402  (tests/reference.py)
import torch_activations as ta  # noqa: E402
from torch_activations import functional as taF  # noqa: E402

__all__ = ["Setup", "Case", "CASES", "register_case", "pointwise_case", "select_cases", "uncovered_entries"]


@dataclass
class Setup:
    inputs: Tuple[Tensor, ...]
    ours: Callable[..., Tensor]
    formula: Optional[Callable[..., Tensor]]
    peer: Optional[Callable[..., Tensor]]
    copy_of: Optional[Tensor] = None  # defaults to inputs[0]

    def __post_init__(self):
        if self.copy_of is None:
            self.copy_of = self.inputs[0]


@dataclass(frozen=True)
class Case:
    id: str  # unique, e.g. "gelu" or "gelu[approximate=tanh]"
    op: str  # registry name
    category: str  # "pointwise", "dim", "learnable"
    params: Dict[str, Any]
    setup: Callable[[int, torch.device, torch.dtype, bool], Setup]
    default: bool = True  # part of --ops all
    notes: str = field(default="", compare=False)


CASES: Dict[str, Case] = {}


def register_case(case: Case) -> Case:
    if case.id in CASES:
        raise ValueError(f"benchmark case {case.id!r} registered twice")
    CASES[case.id] = case
    return case


def _randn(shape, device, dtype, requires_grad, scale=3.0) -> Tensor:
    # N(0, 3^2): both sides of every kink (sqnl at +-2, hard_swish at +-3)
    # and the saturating tails are hit, without overflowing the naive formulas.
    x = torch.randn(shape, device=device, dtype=torch.float32) * scale
    return x.to(dtype).requires_grad_(requires_grad)


def pointwise_case(op: str, default: bool = True, **params: Any) -> Case:
    """A case for the pointwise registry entry ``op`` at ``params`` (the
    catalog defaults where not given)."""
    info = ta.get_info(op)
    ours_fn = getattr(taF, op)
    ref_fn = R.formula(op)
    peer_fn = R.TORCH_PEERS.get(op)
    case_id = op + ("[" + ",".join(f"{k}={v}" for k, v in params.items()) + "]" if params else "")

    def setup(size: int, device: torch.device, dtype: torch.dtype, requires_grad: bool) -> Setup:
        x = _randn((size,), device, dtype, requires_grad)
        peer = None
        # A peer lambda returning None means "no torch op for these params".
        if peer_fn is not None and peer_fn(x.detach()[:1], **params) is not None:
            peer = lambda x: peer_fn(x, **params)  # noqa: E731
        return Setup(
            inputs=(x,),
            ours=lambda x: ours_fn(x, **params),
            formula=lambda x: ref_fn(x, **params),
            peer=peer,
        )

    return Case(case_id, info.name, info.category, dict(params), setup, default)


for _info in ta.list_activations("pointwise"):
    register_case(pointwise_case(_info.name))
# Parameter values that run a different kernel path than the defaults.
register_case(pointwise_case("gelu", approximate="tanh"))


# --------------------------------------------------------------- gated ops
# The feed-forward activation of a transformer: x = [tokens, 2 * hidden]
# (hidden 4096, so 2^26 elements are [8192, 8192]), split in halves a, b
# along the last dim.  Against the formula a user writes instead,
# a * act(b) over x.chunk(2, -1), eager and under torch.compile.
GATED_WIDTH = 2 * 4096

_GATES = {
    "glu": torch.sigmoid,
    "geglu": torch.nn.functional.gelu,
    "swiglu": torch.nn.functional.silu,
    "reglu": torch.nn.functional.relu,
}


def gated_case(op: str) -> Case:
    ours_fn = getattr(taF, op)
    gate = _GATES[op]

    def formula(x: Tensor) -> Tensor:
        a, b = x.chunk(2, -1)
        return a * gate(b)

    def setup(size: int, device: torch.device, dtype: torch.dtype, requires_grad: bool) -> Setup:
        width = min(GATED_WIDTH, size)  # small sizes: one row
        x = _randn((size // width, width), device, dtype, requires_grad)
        peer = (lambda x: torch.nn.functional.glu(x, -1)) if op == "glu" else None
        return Setup(inputs=(x,), ours=lambda x: ours_fn(x), formula=formula, peer=peer)

    return Case(op, op, "dim", {}, setup)


for _op in _GATES:
    register_case(gated_case(_op))


def uncovered_entries() -> List[str]:
    """Registry entries no case benchmarks."""
    covered = {c.op for c in CASES.values()}
    return [i.name for i in ta.list_activations() if i.name not in covered]


def select_cases(spec: str) -> List[Case]:
    """``'all'`` (every default case), or a comma list of case ids, op names
    (every case of that op) or categories (``pointwise``, ``dim``,
    ``learnable``)."""
    if spec.strip() == "all":
        return [c for c in CASES.values() if c.default]
    chosen: List[Case] = []
    for word in (w.strip() for w in spec.split(",")):
        if not word:
            continue
        if word in CASES:
            hits = [CASES[word]]
        elif word in ("pointwise", "dim", "learnable"):
            hits = [c for c in CASES.values() if c.category == word and c.default]
        else:
            try:
                name = ta.get_info(word).name
            except KeyError:
                raise SystemExit(f"--ops: unknown op or case {word!r}; see --list") from None
            hits = [c for c in CASES.values() if c.op == name]
            if not hits:
                raise SystemExit(f"--ops: {name!r} is in the registry but has no benchmark case yet")
        chosen += [c for c in hits if c not in chosen]
    return chosen
