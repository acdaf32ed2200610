"""Numerical profile of an activation, computed from the implementation.

Everything here evaluates the real operator (in float64, derivatives by
autograd through the op's own C++ backward), so the comparison table cannot
drift from the code.  Definitions (the registry's, :mod:`torch_activations.registry`):

* **range**: ``(inf f, sup f)`` over :func:`wide_grid` (a dense grid on
  [-20, 20], ±logspace out to 1e6) and the limits f(±inf).  A bound is
  *closed* when f reaches it on [-10, 10]; otherwise it is only approached
  (open).  Bounds beyond 1e5 that grow with the grid are infinite.
* **monotonic**: f is non-decreasing on the grid (relative tolerance 1e-12).
* **smoothness**: the first of f, f', f'' that jumps on [-20, 20]:
  ``"discontinuous"`` (f jumps), ``"C0"`` (f' jumps: a kink), ``"C1"`` (f''
  jumps), else ``"Cinf"``.  A grid cell is a jump when refining it 256-fold
  leaves the change inside one sub-cell at more than half the cell's change
  (a continuous function's change shrinks with the step) and that change is
  above 1e-6 of the values' scale.
* **zero_centred**: for X ~ N(0, 1), ``|E f(X)| <= 0.1 sqrt(E f(X)^2)``
  (201-point Gauss-Hermite quadrature).
* **lipschitz**: max |f'| over the wide grid (an estimate: a lower bound of
  the true constant, exact for the ops here up to the grid step).
* **vanishing share**: the fraction of [-5, 5] (uniform grid) where
  |f'| < 1e-3, where gradients effectively stop.
* **exploding share**: the fraction of [-5, 5] where |f'| > ``explode``
  (default 1.5: ten layers at that gain multiply a gradient by ~58).
* **relative cost**: forward+backward time of the op on 2^20 float32 elements
  over relu's, both measured in this process with torch.utils.benchmark.

Elementwise ops are analysed: the "pointwise" category through
:mod:`torch_activations.functional`, other categories through their module
(constructed with the registry defaults) when it acts elementwise on a
``(N, 1)`` input.  Ops over a dimension (softmax, the GLU family) have no
scalar profile; :func:`module_fn` and :func:`surface_fn` give callables for
them (used by the plots, the cost measurement and the shoot-out).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from . import functional as F
from .registry import ActivationInfo, Param, get_activation, get_info

__all__ = [
    "Profile", "analyze", "derivatives", "elementwise_fn", "elementwise_or_reason", "module_fn", "surface_fn",
    "parse_param_specs", "param_sets", "uniform_grid", "wide_grid", "measure_cost", "relative_costs",
    "torch_threads", "VANISH", "EXPLODE",
]

VANISH = 1e-3
EXPLODE = 1.5
_DENSE_HALF_WIDTH, _DENSE_STEPS_PER_UNIT = 20, 10_000  # [-20, 20], step 1e-4
_CLOSED_WITHIN = 10.0
_SHARE_HALF_WIDTH = 5
_INF_BOUND = 1e5
_REFINE = 256
_MAX_CANDIDATES = 256

Fn = Callable[[Tensor], Tensor]


# ----------------------------------------------------------------- parameters

def _convert(param: Param, text: str) -> Any:
    """``text`` as a value of ``param``'s type."""
    kind = {"float": float, "int": int, "bool": bool, "str": str}.get(param.type, type(param.default))
    if kind is bool:
        low = text.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{param.name}: expected a boolean, got {text!r}")
    if kind is int:
        return int(text)
    if kind is float:
        return float(Fraction(text.strip())) if "/" in text else float(text)
    if param.required or param.default is None:  # no type to follow: a number if it reads as one
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return text
    return text


def parse_param_specs(info: ActivationInfo, specs: Sequence[str]) -> Dict[str, List[Any]]:
    """``["alpha=0.5,1,2", "beta=1/6"]`` as ``{"alpha": [0.5, 1.0, 2.0], "beta": [0.1666...]}``,
    typed like the registry defaults.  Unknown names raise ``ValueError``."""
    known = {p.name: p for p in info.ctor_params}
    out: Dict[str, List[Any]] = {}
    for spec in specs:
        name, sep, values = spec.partition("=")
        name = name.strip()
        if not sep or not values.strip():
            raise ValueError(f"--param expects NAME=VALUE[,VALUE...], got {spec!r}")
        if name not in known:
            have = ", ".join(known) or "none"
            raise ValueError(f"{info.name} has no parameter {name!r} (parameters: {have})")
        out.setdefault(name, []).extend(_convert(known[name], v) for v in values.split(",") if v.strip())
    return out


def param_sets(values: Dict[str, List[Any]]) -> List[Dict[str, Any]]:
    """Every combination of the given parameter values (one empty set when none)."""
    names = list(values)
    return [dict(zip(names, combo)) for combo in itertools.product(*(values[n] for n in names))]


# ------------------------------------------------------------------ callables

def _is_elementwise(fn: Fn) -> bool:
    """Whether ``fn`` maps each element independently: the result on a whole
    probe equals the results on its halves (batch statistics would differ)."""
    probe = torch.linspace(-3.0, 3.0, 64, dtype=torch.float64)
    with torch.no_grad():
        whole = fn(probe)
        parts = torch.cat([fn(probe[:32]), fn(probe[32:])])
    return whole.shape == probe.shape and torch.allclose(whole, parts, equal_nan=True)


def module_fn(info: ActivationInfo, params: Optional[Dict[str, Any]] = None,
              dtype: torch.dtype = torch.float64) -> torch.nn.Module:
    """The activation's module built with ``params`` on top of the registry
    defaults, in ``dtype`` and eval mode.  Raises ``TypeError``/``ValueError``/
    ``RuntimeError`` when it cannot be built (e.g. a required argument the
    registry has no default for)."""
    kwargs = dict(info.defaults)
    kwargs.update(params or {})
    if "dim" in kwargs and kwargs["dim"] is None:
        kwargs["dim"] = -1
    try:
        mod = get_activation(info.name, **kwargs)
    except TypeError:
        if params:
            raise
        mod = get_activation(info.name)  # a registry param that is not a constructor argument
    return mod.to(dtype).eval()


def elementwise_fn(info: ActivationInfo, params: Optional[Dict[str, Any]] = None) -> Optional[Fn]:
    """A callable ``x -> f(x)`` on 1-D float64 tensors, or None when the op is
    not an elementwise scalar function (ops over a dimension, normalisations,
    modules that need constructor arguments): see :func:`elementwise_or_reason`."""
    return elementwise_or_reason(info, params)[0]


def elementwise_or_reason(info: ActivationInfo, params: Optional[Dict[str, Any]] = None) -> Tuple[Optional[Fn], str]:
    """``(fn, "")`` with ``fn`` as in :func:`elementwise_fn`, or ``(None, why)``.

    Pointwise ops call :mod:`torch_activations.functional` (every parameter,
    including ones the module takes from its state such as rrelu's
    ``training``); other categories call their module on an ``(N, 1)`` view
    and must pass an elementwise probe."""
    params = dict(params or {})
    if info.category == "pointwise" and hasattr(F, info.name):
        return functools.partial(getattr(F, info.name), **params), ""
    if info.category == "dim":
        return None, "operates over a dimension: no scalar profile"
    try:
        mod = module_fn(info, params)

        def fn(x: Tensor) -> Tensor:
            return mod(x.reshape(-1, 1)).reshape(x.shape)

        if _is_elementwise(fn):
            return fn, ""
        return None, "not an elementwise function of its input"
    except Exception as e:  # noqa: BLE001 - any failure means: not usable as a scalar function
        return None, f"cannot be evaluated elementwise ({type(e).__name__}: {e})".splitlines()[0]


def surface_fn(info: ActivationInfo, params: Optional[Dict[str, Any]] = None) -> Callable[[Tensor, Tensor], Tensor]:
    """``(a, b) -> y0``: the op's first output for the two-element input
    ``[a, b]`` along its dimension (softmax's first probability, a·gate(b) for
    the GLU family, relu(a) for crelu, max(a, b) for maxout with k = 2).  The
    input has shape ``(N, 2)``, so ``dim=1`` and ``dim=-1`` agree."""
    mod = module_fn(info, params)

    def fn(a: Tensor, b: Tensor) -> Tensor:
        out = mod(torch.stack([a.reshape(-1), b.reshape(-1)], dim=1))
        return out.reshape(out.shape[0], -1)[:, 0].reshape(a.shape)

    return fn


# ----------------------------------------------------------------- derivatives

def derivatives(fn: Fn, x: Tensor, order: int = 2) -> List[Tensor]:
    """``[f(x), f'(x), ..., f^(order)(x)]`` elementwise, by autograd through
    the op's backward (a derivative that autograd reports as unused or
    constant is zero)."""
    x = x.detach().clone().requires_grad_(True)
    current = fn(x)
    values = [current.detach()]
    for k in range(order):
        if current.requires_grad:
            (current,) = torch.autograd.grad(current, x, torch.ones_like(current), create_graph=k + 1 < order,
                                             allow_unused=True, materialize_grads=True)
        else:
            current = torch.zeros_like(x)
        values.append(current.detach())
    return values


# --------------------------------------------------------------------- grids

def uniform_grid(half_width: float, steps_per_unit: int = _DENSE_STEPS_PER_UNIT) -> Tensor:
    """``k / steps_per_unit`` for every integer k with |k| <= half_width *
    steps_per_unit, in float64 (so 0 and the integers are exact grid points)."""
    n = int(round(half_width * steps_per_unit))
    return torch.arange(-n, n + 1, dtype=torch.float64) / steps_per_unit


def wide_grid() -> Tensor:
    """A dense grid on [-20, 20] (step 1e-4) and ±logspace from 20 to 1e6."""
    tail = torch.logspace(math.log10(_DENSE_HALF_WIDTH), 6.0, 1001, dtype=torch.float64)[1:]
    return torch.cat([-tail.flip(0), uniform_grid(_DENSE_HALF_WIDTH), tail])


def _finite(v: Tensor) -> Tensor:
    return v[torch.isfinite(v)]


# ---------------------------------------------------------------- properties

def _range(fn: Fn, x: Tensor, y: Tensor) -> Tuple[Tuple[float, float], Tuple[bool, bool]]:
    with torch.no_grad():
        ends = _finite_or_inf(fn(torch.tensor([-math.inf, math.inf], dtype=torch.float64)))
    ys = torch.cat([_finite(y), ends])
    lo, hi = ys.min().item(), ys.max().item()
    if lo < -_INF_BOUND:
        lo = -math.inf
    if hi > _INF_BOUND:
        hi = math.inf
    inner = y[(x.abs() <= _CLOSED_WITHIN) & torch.isfinite(y)]
    closed = (math.isfinite(lo) and bool((inner == lo).any()), math.isfinite(hi) and bool((inner == hi).any()))
    return (lo, hi), closed


def _finite_or_inf(v: Tensor) -> Tensor:
    """The non-NaN entries (±inf limits are kept: they are the range's ends)."""
    return v[~torch.isnan(v)]


def _monotonic(y: Tensor) -> bool:
    y = y[torch.isfinite(y)]
    scale = torch.maximum(y[1:].abs(), y[:-1].abs()).clamp_min(1.0)
    return bool((y.diff() >= -1e-12 * scale).all())


def _jumps(values_at: Callable[[Tensor], Tensor], x: Tensor, v: Tensor) -> bool:
    """Whether ``v`` (= values_at(x), x a uniform grid) has a jump: see the
    module docstring."""
    ok = torch.isfinite(v)
    scale = max(1.0, _finite(v).abs().max().item()) if ok.any() else 1.0
    tol = 1e-6 * scale
    dv = v.diff().abs().nan_to_num(0.0, 0.0, 0.0)
    big = dv > tol
    if not bool(big.any()):
        return False
    # A jump stands out from its neighbours; a steep smooth stretch does not.
    padded = torch.nn.functional.pad(dv, (1, 1))
    neighbours = torch.maximum(padded[:-2], padded[2:]).clamp_min(tol)
    score = torch.where(big, dv / neighbours, torch.zeros_like(dv))
    cells = score.topk(min(_MAX_CANDIDATES, int(big.sum()))).indices
    t = torch.linspace(0.0, 1.0, _REFINE + 1, dtype=x.dtype)
    fine_x = x[cells, None] + (x[cells + 1] - x[cells])[:, None] * t
    fine = values_at(fine_x.reshape(-1)).reshape(fine_x.shape)
    sub = fine.diff(dim=1).abs().nan_to_num(0.0, 0.0, 0.0).amax(dim=1)
    return bool(((sub > 0.5 * dv[cells]) & (sub > tol)).any())


def _smoothness(fn: Fn, x: Tensor, values: Sequence[Tensor]) -> str:
    labels = ("discontinuous", "C0", "C1")
    for k, v in enumerate(values):
        def order_k(pts: Tensor, k: int = k) -> Tensor:
            return derivatives(fn, pts, k)[k]

        if _jumps(order_k, x, v):
            return labels[k]
    return "Cinf"


def _gaussian_moments(fn: Fn) -> Tuple[float, float]:
    """E f(X) and sqrt(E f(X)^2) for X ~ N(0, 1)."""
    import numpy as np

    nodes, weights = np.polynomial.hermite_e.hermegauss(201)
    w = torch.tensor(weights / weights.sum(), dtype=torch.float64)
    with torch.no_grad():
        y = fn(torch.tensor(nodes, dtype=torch.float64))
    return (w * y).sum().item(), (w * y * y).sum().sqrt().item()


# ---------------------------------------------------------------------- cost

@contextlib.contextmanager
def torch_threads(n: Optional[int]) -> Iterator[None]:
    """Runs the block with ``torch.set_num_threads(n)`` (unchanged when None).
    Timings use one thread by default: on a shared machine a multi-threaded
    op waits for its slowest thread, so a busy core would dominate them."""
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _fwd_bwd_timer(fn: Fn, size: int, min_time: float) -> float:
    import torch.utils.benchmark as tbench

    x = torch.randn(size // 1024, 1024).requires_grad_(True)
    g = torch.randn_like(fn(x))
    t = tbench.Timer("torch.autograd.grad(fn(x), x, g)", globals={"torch": torch, "fn": fn, "x": x, "g": g})
    return t.blocked_autorange(min_run_time=min_time).median


def measure_cost(info: ActivationInfo, params: Optional[Dict[str, Any]] = None, size: int = 2**20,
                 min_time: float = 0.05) -> Optional[float]:
    """Median seconds of one forward+backward of the op on ``size`` float32
    elements (shape ``(size/1024, 1024)``), or None when it cannot run."""
    try:
        if info.category == "pointwise" and hasattr(F, info.name):
            fn: Fn = functools.partial(getattr(F, info.name), **(params or {}))
        else:
            fn = module_fn(info, params, dtype=torch.float32)
        return _fwd_bwd_timer(fn, size, min_time)
    except Exception:  # noqa: BLE001 - an op that cannot run here has no cost figure
        return None


def relative_costs(infos: Sequence[ActivationInfo], size: int = 2**20, min_time: float = 0.05,
                   threads: Optional[int] = 1,
                   progress: Optional[Callable[[str], None]] = None) -> Dict[str, Optional[float]]:
    """Forward+backward time of each op (default parameters) over relu's,
    relu timed before and after the others (the faster of the two is the
    reference, so relu itself is 1), on ``threads`` threads (None: torch's
    setting)."""
    relu = get_info("relu")
    with torch_threads(threads):
        measure_cost(relu, size=size, min_time=min_time / 5)  # warm-up: allocator, caches
        before = measure_cost(relu, size=size, min_time=min_time)
        times = {}
        for info in infos:
            if progress:
                progress(info.name)
            if info.name != "relu":
                times[info.name] = measure_cost(info, size=size, min_time=min_time)
        after = measure_cost(relu, size=size, min_time=min_time)
    ref: float = min(t for t in (before, after) if t is not None)
    times["relu"] = ref
    return {i.name: (None if (t := times[i.name]) is None else t / ref) for i in infos}


# ------------------------------------------------------------------- profile

@dataclass
class Profile:
    """The computed properties of one activation at some parameter values
    (fields are None where they do not apply: ops over a dimension)."""

    name: str
    params: Dict[str, Any]
    category: str
    elementwise: bool
    range: Optional[Tuple[float, float]] = None
    range_closed: Optional[Tuple[bool, bool]] = None
    monotonic: Optional[bool] = None
    smoothness: Optional[str] = None
    zero_centred: Optional[bool] = None
    gaussian_mean: Optional[float] = None
    gaussian_rms: Optional[float] = None
    lipschitz: Optional[float] = None
    lipschitz_at: Optional[float] = None
    vanishing_share: Optional[float] = None
    exploding_share: Optional[float] = None
    explode_threshold: float = EXPLODE
    relative_cost: Optional[float] = None
    registry_mismatches: List[str] = field(default_factory=list)
    note: str = ""

    def range_text(self) -> str:
        """The range in interval notation, e.g. ``(0, 1)`` or ``[-0.17, inf)``."""
        if self.range is None or self.range_closed is None:
            return "–"

        def end(v: float) -> str:
            return "inf" if v == math.inf else "-inf" if v == -math.inf else f"{v:.4g}"

        lo, hi = self.range
        left = "[" if self.range_closed[0] else "("
        right = "]" if self.range_closed[1] else ")"
        return f"{left}{end(lo)}, {end(hi)}{right}"

    def as_dict(self) -> Dict[str, Any]:
        """A plain dictionary (for JSON), with the range also as text."""
        d = asdict(self)
        d["range_text"] = self.range_text()
        return d


def _check_registry(info: ActivationInfo, p: Profile) -> List[str]:
    """Disagreements between the registry's recorded properties and the
    computed ones (only meaningful at the default parameters)."""
    out = []
    for (rec, seen) in zip(info.range, p.range or ()):
        same = (math.isinf(rec) and rec == seen) or (math.isfinite(rec) and math.isfinite(seen)
                                                     and abs(rec - seen) <= 1e-6 * max(1.0, abs(rec)))
        if not same:
            out.append(f"range: registry {info.range}, computed {p.range}")
            break
    for key in ("monotonic", "smoothness", "zero_centred"):
        if getattr(info, key) != getattr(p, key):
            out.append(f"{key}: registry {getattr(info, key)!r}, computed {getattr(p, key)!r}")
    return out


def analyze(name: str, params: Optional[Dict[str, Any]] = None, *, explode: float = EXPLODE,
            timing: bool = False, threads: Optional[int] = 1) -> Profile:
    """The numerical profile of activation ``name`` at ``params`` (registry
    defaults for the rest).  With ``timing`` the relative cost against relu is
    measured too (about half a second).  Runs on ``threads`` torch threads
    (default 1: the grids are too small to gain from more, and on a busy
    machine a multi-threaded op waits for its slowest thread)."""
    with torch_threads(threads):
        return _analyze(get_info(name), dict(params or {}), explode, timing)


def _analyze(info: ActivationInfo, params: Dict[str, Any], explode: float, timing: bool) -> Profile:
    fn, why = elementwise_or_reason(info, params)
    prof = Profile(info.name, params, info.category, fn is not None, explode_threshold=explode, note=why)
    if timing:
        prof.relative_cost = relative_costs([info])[info.name]
    if fn is None:
        return prof

    x = wide_grid()
    y, d1 = derivatives(fn, x, order=1)
    prof.range, prof.range_closed = _range(fn, x, y)
    prof.monotonic = _monotonic(y)
    finite_d1 = torch.where(torch.isfinite(d1), d1.abs(), torch.zeros_like(d1))
    i = int(finite_d1.argmax())
    prof.lipschitz, prof.lipschitz_at = finite_d1[i].item(), x[i].item()

    dense = uniform_grid(_DENSE_HALF_WIDTH)
    prof.smoothness = _smoothness(fn, dense, derivatives(fn, dense, order=2))

    mean, rms = _gaussian_moments(fn)
    prof.gaussian_mean, prof.gaussian_rms = mean, rms
    prof.zero_centred = abs(mean) <= 0.1 * rms

    slope = derivatives(fn, uniform_grid(_SHARE_HALF_WIDTH), order=1)[1].abs()
    prof.vanishing_share = (slope < VANISH).double().mean().item()
    prof.exploding_share = (slope > explode).double().mean().item()

    if all(params.get(k, v) == v for k, v in info.defaults.items()) and \
            set(params) <= set(info.defaults):
        prof.registry_mismatches = _check_registry(info, prof)
    return prof
