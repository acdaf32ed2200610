"""The registry: metadata for every activation (catalog section 4).

Each entry is the op's row of the one table, :mod:`torch_activations._spec`
(an :class:`ActivationInfo`): the name, category and module, the formula
(LaTeX and text), the parameters with their defaults, the output range,
monotonicity, smoothness, zero-centredness, the torch peer and a one-line
use case.  The tests check the numeric properties (range, monotonic,
zero-centred, smoothness class) against the implementation, so this table
cannot drift from the code.

Definitions used for the recorded properties, all at the default parameters:

* ``range``: (inf f, sup f) over the real line, ±inf for unbounded.
* ``monotonic``: f is non-decreasing.
* ``smoothness``: ``"C0"`` (continuous, with a kink), ``"C1"`` (f' continuous,
  f'' jumps), ``"Cinf"`` (smooth), ``"discontinuous"`` (steps).
* ``zero_centred``: for X ~ N(0, 1), |E f(X)| <= 0.1 * sqrt(E f(X)^2), i.e. a
  unit-Gaussian input gives outputs whose mean is small next to their size.

(None for the entries that are not elementwise functions of their input.)
"""

from __future__ import annotations

import difflib
from typing import Any, Dict, List, Optional

from torch import nn

from . import learnable, modules
from ._spec import REQUIRED, SPEC, Op, Param

__all__ = ["ActivationInfo", "Param", "REQUIRED", "REGISTRY", "UnknownActivationError", "get_info",
           "list_activations", "get_activation"]

ActivationInfo = Op
REGISTRY: Dict[str, ActivationInfo] = dict(SPEC)


class UnknownActivationError(KeyError, ValueError):
    """An activation name the registry does not know (a KeyError, and a
    ValueError as torch raises for a bad name)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def _normalise(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def get_info(name: str) -> ActivationInfo:
    """The registry entry of an activation, by op name (``"hard_swish"``) or
    module name (``"HardSwish"``), case-insensitively."""
    if name in REGISTRY:
        return REGISTRY[name]
    key = _normalise(name)
    for info in REGISTRY.values():
        if key in (_normalise(info.name), _normalise(info.module)):
            return info
    known = sorted({*REGISTRY, *(i.module for i in REGISTRY.values())})
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6) or \
        difflib.get_close_matches(key, [_normalise(k) for k in known], n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownActivationError(f"unknown activation {name!r}{hint} (known: {', '.join(sorted(REGISTRY))})")


def list_activations(category: Optional[str] = None) -> List[ActivationInfo]:
    """All registry entries (optionally only one category: "pointwise",
    "dim" or "learnable"), in catalog order."""
    if category is not None and category not in ("pointwise", "dim", "learnable"):
        raise ValueError(f"category must be 'pointwise', 'dim' or 'learnable', got {category!r}")
    return [i for i in REGISTRY.values() if category is None or i.category == category]


def module_class(info: ActivationInfo) -> type:
    """The nn.Module class of an entry."""
    cls = getattr(modules, info.module, None) or getattr(learnable, info.module)
    assert issubclass(cls, nn.Module)
    return cls


def get_activation(name: str, **kwargs: Any) -> nn.Module:
    """A new ``nn.Module`` for the activation ``name`` (op or module name),
    constructed with ``kwargs`` (the catalog's parameters)."""
    info = get_info(name)
    cls = module_class(info)
    kwargs = {**info.module_kwargs, **kwargs}
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise TypeError(f"get_activation({name!r}): {e}") from None
