"""``replace_activations``: put this library's activations into an existing model.

The torch module each of ours stands in for comes from the op table
(``nn_peer`` in :mod:`torch_activations._spec`); the arguments are copied
from the torch module's attributes, and a learnable module keeps its
``Parameter`` objects (an optimizer built before the swap still updates them).
"""

import inspect
from typing import Any, Callable, Dict, Mapping, Optional, Type, Union

import torch
from torch import nn

from . import _spec
from . import functional as F

__all__ = ["replace_activations", "default_mapping"]

# What a mapping value may be: one of our module classes (constructed with the
# torch module's arguments) or a function from the torch module to a module.
Replacement = Union[Type[nn.Module], Callable[[nn.Module], Optional[nn.Module]]]

# Torch modules left alone by default: nn.Identity is a placeholder, not an
# activation, and replacing it gains nothing.
_SKIP = ("Identity",)


def default_mapping() -> Dict[Type[nn.Module], Type[nn.Module]]:
    """{torch module class: our class} for every op of the table with a torch
    peer module (``nn.ReLU``, ``nn.GELU``, ..., ``nn.PReLU``)."""
    import torch_activations as ta

    out: Dict[Type[nn.Module], Type[nn.Module]] = {}
    for op in _spec.OPS:
        if op.nn_peer and op.nn_peer not in _SKIP and hasattr(nn, op.nn_peer):
            out[getattr(nn, op.nn_peer)] = getattr(ta, op.module)
    return out


def _converted(module: nn.Module, ours: Type[nn.Module]) -> Optional[nn.Module]:
    """``ours`` built with ``module``'s arguments, or None when ``module`` uses
    an argument ours does not take (at a value other than torch's default)."""
    theirs = inspect.signature(type(module).__init__).parameters
    accepted = inspect.signature(ours.__init__).parameters
    kwargs: Dict[str, Any] = {}
    for name, p in theirs.items():
        if name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or name in ("device", "dtype"):
            continue
        if not hasattr(module, name):
            continue
        value = getattr(module, name)
        if name in accepted:
            kwargs[name] = value
        elif p.default is inspect.Parameter.empty or value != p.default:
            return None
    if isinstance(module, nn.Softmax) and module.dim is None:
        return None  # torch's implicit dimension: no equivalent
    params = dict(module.named_parameters(recurse=False))
    if params:
        # Factory kwargs of the parameters, then the very same Parameter objects.
        first = next(iter(params.values()))
        if "device" in accepted:
            kwargs["device"] = first.device
        if "dtype" in accepted:
            kwargs["dtype"] = first.dtype
    new = ours(**kwargs)
    for name, param in params.items():
        own = getattr(new, name, None)
        if not isinstance(own, nn.Parameter) or own.shape != param.shape:
            return None
        setattr(new, name, param)
    for name, b in module.named_buffers(recurse=False):
        setattr(new, name, b)
    new.train(module.training)
    return new


def _convert(module: nn.Module, mapping: Mapping[Type[nn.Module], Replacement]) -> Optional[nn.Module]:
    # Exact types only: our modules subclass torch's and must not be rebuilt.
    replacement = mapping.get(type(module))
    if replacement is None:
        return None
    if isinstance(replacement, type) and issubclass(replacement, nn.Module):
        return _converted(module, replacement)
    make: Callable[[nn.Module], Optional[nn.Module]] = replacement  # type: ignore[assignment]
    return make(module)


# torch functions (and Tensor methods) whose call ours take unchanged:
# {torch callable: our function}, from the table's torch peers.
def _functional_mapping() -> Dict[Any, Callable[..., torch.Tensor]]:
    out: Dict[Any, Callable[..., torch.Tensor]] = {}
    tf = torch.nn.functional
    for op in _spec.OPS:
        peer = (op.torch_peer or "").split(" ")[0]
        ours = getattr(F, op.name, None)
        if ours is None or "(" in (op.torch_peer or ""):
            continue
        if peer.startswith("torch.nn.functional."):
            target = getattr(tf, peer.rsplit(".", 1)[1], None)
        elif peer.startswith("torch.") and peer.count(".") == 1:
            target = getattr(torch, peer.split(".")[1], None)
        else:
            continue
        if callable(target):
            out[target] = ours
        # torch.nn.functional's namesake (F.softmax beside torch.softmax),
        # unless the peer is a module (F.linear is not nn.Identity).
        if not peer.startswith("torch.nn.") or peer.startswith("torch.nn.functional."):
            if callable(getattr(tf, op.name, None)):
                out[getattr(tf, op.name)] = ours
    for name in ("relu", "sigmoid", "tanh", "hardswish", "hardsigmoid"):
        if hasattr(tf, name) and hasattr(F, name):
            out[getattr(tf, name)] = getattr(F, name)
    for name in ("relu", "sigmoid", "tanh"):
        out[getattr(torch, name)] = getattr(F, name)
        out[getattr(torch.Tensor, name)] = getattr(F, name)
        out[name] = getattr(F, name)  # fx call_method targets are names
    return out


def _signature(fn: Any) -> Optional[inspect.Signature]:
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def _accepts(fn: Callable[..., Any], args: tuple, kwargs: Mapping[str, Any]) -> bool:
    sig = inspect.signature(fn)
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError:
        return False
    # None where ours wants a value (F.softmax(x) with torch's implicit dim)
    return all(value is not None or sig.parameters[name].default is None
               for name, value in bound.arguments.items())


def _replace_functional(model: nn.Module) -> nn.Module:
    import torch.fx

    table = _functional_mapping()
    graph_module = torch.fx.symbolic_trace(model)
    for node in graph_module.graph.nodes:
        if node.op not in ("call_function", "call_method"):
            continue
        ours = table.get(node.target)
        if ours is None:
            continue
        # Keyword arguments of torch's that ours lacks are dropped when they
        # hold torch's default (F.softmax's _stacklevel); any other call
        # ours cannot take as it is stays with torch.
        kwargs = dict(node.kwargs)
        theirs = _signature(node.target)
        if theirs is not None:
            ours_params = inspect.signature(ours).parameters
            for name in list(kwargs):
                p = theirs.parameters.get(name)
                if name not in ours_params and p is not None and p.default is not inspect.Parameter.empty \
                        and kwargs[name] == p.default:
                    del kwargs[name]
        if not _accepts(ours, tuple(node.args), kwargs):
            continue
        node.op, node.target, node.kwargs = "call_function", ours, kwargs
    graph_module.graph.lint()
    graph_module.recompile()
    return graph_module


def replace_activations(
    model: nn.Module,
    mapping: Optional[Mapping[Type[nn.Module], Replacement]] = None,
    *,
    functional: bool = False,
) -> nn.Module:
    """Swaps torch's activation modules in ``model`` for this library's.

    Args:
        model: the model; its submodules are replaced in place.
        mapping: ``{torch module class: replacement}``, where a replacement
            is one of our module classes (built with the torch module's
            arguments: ``nn.LeakyReLU(0.2)`` becomes ``ta.LeakyReLU(0.2)``)
            or a function from the torch module to a new module (or None to
            keep it).  Default: :func:`default_mapping`, every torch module
            with a counterpart here (``nn.ReLU``, ``nn.GELU``, ``nn.SiLU``,
            ``nn.Softplus``, ..., ``nn.PReLU``).  Only exact types match.
        functional: also replace calls of torch's functions
            (``F.gelu(x)``, ``torch.sigmoid(x)``, ``x.relu()``) inside
            ``forward``.  This needs a model torch.fx can trace, and returns a
            ``torch.fx.GraphModule`` rather than ``model``.

    Returns:
        ``model`` (or, with ``functional=True``, the traced module).

    A torch module whose arguments ours cannot express (``nn.Softmax()``
    with no ``dim``) is kept.  Learnable modules keep their ``Parameter``
    objects, so optimizers and ``state_dict`` keys are unchanged; our modules
    subclass torch's, so code matching ``isinstance(m, nn.ReLU)`` still works.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"replace_activations: model must be an nn.Module, got {type(model).__name__}")
    table = default_mapping() if mapping is None else dict(mapping)
    root = _convert(model, table)
    if root is not None:
        model = root
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            new = _convert(child, table)
            if new is not None:
                setattr(parent, name, new)
    if functional:
        return _replace_functional(model)
    return model
