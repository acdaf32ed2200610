#!/usr/bin/env python
"""Accuracy report: the error of every pointwise activation's value and first
and second derivatives, against exact references, beside the torch peer.

    python benchmarks/accuracy.py                       # everything (several minutes)
    python benchmarks/accuracy.py --ops gelu,sinc --dtypes float32 --points 200000
    python benchmarks/accuracy.py --params default      # catalog defaults only

What is measured
----------------
For every pointwise op of the registry (``list_activations("pointwise")``),
with every parameter set of tests/cases.py (the catalog default first;
``--params default`` keeps only that one), and each dtype:

* ours, vector path: ``torch_activations.functional.<op>`` on a contiguous
  tensor; f' and f'' through autograd (``torch.autograd.grad`` with
  ``create_graph=True`` for f''), i.e. the op's backward and double-backward
  ops, with contiguous all-ones grad_outputs;
* ours, strided/scalar path: the same on ``x[::2]`` of an interleaved buffer
  (grad_outputs strided the same way); the report says whether the two paths
  give bitwise identical f, f', f'' (NaN == NaN);
* the torch peer (tests/reference.py TORCH_PEERS) on the contiguous tensor;
  f' and f'' where torch's autograd supports them;
* with ``--formula``, for the ops without a torch peer: the catalog formula
  a user would write instead (tests/reference.py ``formula``), in eager
  torch (f, f', f'') and under ``torch.compile`` (f, and f' from the
  compiled backward): what benchmarks/run.py times as "eager formula" and
  "compiled formula", so that a speed ratio against them can be read beside
  what each computes.

Sweep (float32; ``--points N``, default 10^6, sets the first two parts;
at least N unique points in all): 0.64·N log-spaced magnitudes from the
smallest subnormal 2^-149 to FLT_MAX, both signs (0.32·N per sign, some of
which coincide in the subnormal range); a uniform grid of 0.4·N+1 points on [-10, 10];
every kink of the op (tests/cases.py ``CASES[name].kinks``) rounded to
float32 and its 300 neighbouring floats on each side (``torch.nextafter``);
the zeros of the function where they are the hard cases: normalized sinc at
the integers -32..32, unnormalized sinc at the float32 nearest kπ, sine and
cosine at the float32 nearest kπ/(2 w0) (|k| <= 64), each ± 300 floats; the
1000 smallest and 1000 largest subnormals, FLT_MIN and its 300 upper
neighbours, the 300 floats below FLT_MAX, each with both signs; ±0, ±inf and
NaN.  Duplicates (by bit pattern) are removed; one NaN is kept.
bfloat16 and float16: every one of the 65536 bit patterns (exhaustive).
float64 (``--f64-points``, default 2000): 0.4·n log-spaced magnitudes from
2^-1074 to DBL_MAX (both signs), 0.4·n grid points on [-10, 10], kinks ± 30
neighbours, the extra zeros above ± 3, subnormals, ±DBL_MAX, ±0, ±inf, NaN;
the exact values of this sample all come from mpmath.

Exact values
------------
tests/reference_exact.py: float64 numerically stable formulas for f, f',
f'', f''' (validated here against mpmath at ``--validate-points`` points per
case, including the extremes and kinks, and their algebra checked against
mp.diff of the plain formulas of tests/cases.py); every point among the
``--refine`` worst of each implementation, order and metric is then
recomputed with mpmath (25 digits) and the metrics recomputed, until the
worst point of each is an mpmath value.  For float32 the exact value is
the float64 (or mpmath) value at the float32 input; for bfloat16/float16 it
is the exact value at the 16-bit input rounded (half to even) to the dtype;
for float64 it is mpmath rounded to float64.  At ±inf the exact values are
the catalog's limits (tests/cases.py), NaN gives NaN.

Metrics (per implementation, order n = 0, 1, 2 and dtype)
--------------------------------------------------------
ref = the exact value (float32, float64: unrounded; 16-bit: rounded to the
dtype), R = ref rounded to the dtype, ulp(v) = 2^(max(e, emin) - p) with
e = floor(log2 |v|), p the dtype's fraction bits.  A point is *counted* when
R is finite and |ref| >= the dtype's smallest normal number.

* strict ulp = |ours - ref| / ulp(ref) (non-finite ours: inf).
* cond-adjusted ulp = |ours - ref| / (ulp(ref) + cond), with
  cond = |f^(n+1)(x)| · ulp_c(x): what a change of the input by one ulp
  causes to first order.  Equivalently strict / (1 + k), k = cond / ulp(ref)
  = |x f^(n+1)/f^(n)| · (ulp_c(x)/|x|) / (ulp(ref)/|ref|), the number of
  output ulps a one-ulp change of the input moves f^(n): the error in units
  of "one ulp of the result plus what one ulp of the input causes".  (It
  stays bounded near the zeros of f^(n) — where the alternative
  max(0, err - cond)/ulp(ref) grows without bound as the sweep approaches
  the zero — and is the strict ulp where f^(n) is well conditioned.)
  ulp_c is the ulp of x in the computation type
  (float32 for the 16-bit dtypes, which compute in float32; the dtype
  otherwise); cond = 0 at ±inf.  f^(n+1) is the derivative of the smooth
  piece (0 for piecewise-linear f'; for quant_relu's f, 0 — its f' is the
  straight-through estimator): jumps at kinks are never forgiven.
* non-finite: ours is ±inf/NaN where R is finite, or NaN where R is ±inf.
* flushed: ours == 0 where the point is counted (|ref| normal).
* spurious: ours is a finite normal number where R == 0 (the exact value
  rounds to zero in the dtype, e.g. normalized sinc at nonzero integers).
* special: ours is not NaN where ref is NaN (NaN input — required of f
  only: torch's piecewise-linear backwards give 0 at NaN —, sine(inf)), or
  is finite or the wrong infinity where R is ±inf.

Output: benchmarks/results/<date>[_<tag>]_accuracy.md (the tables) and .json
(every number, the worst points, the validation), unless ``--out`` says
elsewhere.  ``main(argv)`` is the entry point (``python -m torch_activations
accuracy`` can call it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)
_TESTS = os.path.join(_ROOT, "tests")
if _TESTS not in sys.path:
    sys.path.append(_TESTS)  # cases.py, reference.py, reference_exact.py
try:
    import torch_activations as ta  # noqa: E402  (an installed or PYTHONPATH build wins)
except ImportError:  # pragma: no cover - running from a source tree built in place
    sys.path.append(_ROOT)
    import torch_activations as ta  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import reference  # noqa: E402
import reference_exact as RX  # noqa: E402
from cases import CASES, case_id  # noqa: E402

__all__ = ["main", "select_cases", "sweep", "measure_case", "FORMATS"]

# fraction bits, minimum normal exponent, largest finite value
FORMATS = {
    "float32": (23, -126, float(np.finfo(np.float32).max)),
    "float64": (52, -1022, float(np.finfo(np.float64).max)),
    "bfloat16": (7, -126, float(torch.finfo(torch.bfloat16).max)),
    "float16": (10, -14, 65504.0),
}
TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64,
                "bfloat16": torch.bfloat16, "float16": torch.float16}
INT_VIEW = {"float32": torch.int32, "float64": torch.int64, "bfloat16": torch.int16, "float16": torch.int16}
ORDER_NAMES = ("f", "f'", "f''")
FLT_MAX = FORMATS["float32"][2]
DBL_MAX = FORMATS["float64"][2]
TOL_ULP = 4.0  # the target (issue 9): cond-adjusted ulps of f, f', f''


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------ float formats
def tiny(fmt: str) -> float:
    return math.ldexp(1.0, FORMATS[fmt][1])


def round_to(v: np.ndarray, fmt: str) -> np.ndarray:
    """float64 values rounded to nearest (ties to even) in fmt, as float64;
    overflow gives ±inf, subnormals are kept."""
    v = np.asarray(v, dtype=np.float64)
    if fmt == "float64":
        return v.copy()
    mant, emin, vmax = FORMATS[fmt]
    with np.errstate(all="ignore"):
        a = np.abs(v)
        e = np.frexp(a)[1] - 1
        q = np.maximum(e, emin) - mant
        r = np.ldexp(np.rint(np.ldexp(a, -q)), q)
        r = np.where(r > vmax, np.inf, r)
        r = np.where(np.isfinite(a), r, a)
    return np.copysign(r, v)


def ulp_of(v: np.ndarray, fmt: str) -> np.ndarray:
    mant, emin, _ = FORMATS[fmt]
    with np.errstate(all="ignore"):
        e = np.frexp(np.abs(v))[1] - 1
    e = np.where((v == 0) | ~np.isfinite(v), emin, e)
    return np.ldexp(1.0, np.maximum(e, emin) - mant)


# ------------------------------------------------------------------- cases
def select_cases(ops: Optional[Sequence[str]] = None, params: str = "all") -> List[Tuple[str, dict]]:
    """(name, params) of every pointwise registry op (or of `ops`: op names
    or case ids such as gelu[approximate=tanh]), with every parameter set of
    tests/cases.py or only the catalog default."""
    names = [a.name for a in ta.list_activations("pointwise")]
    out = []
    for n in names:
        if n not in CASES:
            raise KeyError(f"pointwise op {n!r} has no entry in tests/cases.py")
        sets = CASES[n].params if params == "all" else CASES[n].params[:1]
        for p in sets:
            cid = case_id(n, p)
            if ops is None or n in ops or cid in ops:
                out.append((n, p))
    if ops is not None:
        known = {n for n, _ in out} | {case_id(n, p) for n, p in out}
        unknown = [o for o in ops if o not in known]
        if unknown:
            raise KeyError(f"unknown pointwise ops or cases: {unknown}")
    return out


def _functional(name: str, params: dict) -> Callable:
    fn = getattr(ta.functional, name)
    return lambda t: fn(t, **params)


def _formula(name: str, params: dict) -> Callable:
    fn = reference.formula(name)
    return lambda t: fn(t, **params)


def compiled_derivs(fn: Callable, x: torch.Tensor) -> Tuple[List[Optional[torch.Tensor]], str]:
    """f and f' of ``torch.compile(fn)`` (f' from the compiled backward of a
    forward on an input that requires grad, as benchmarks/run.py times it);
    f'' is not measured (None)."""
    out: List[Optional[torch.Tensor]] = [None, None, None]
    note = ""
    try:
        torch._dynamo.reset()
        cf = torch.compile(fn, dynamic=False)
        with torch.no_grad():
            out[0] = cf(x.detach().clone()).detach().clone()
        xs = x.detach().clone().requires_grad_(True)
        cf(xs).backward(torch.ones_like(xs))
        out[1] = xs.grad.detach().clone()
    except Exception as e:  # no compiler on this machine, ...
        note = f"{type(e).__name__}: {str(e).splitlines()[0][:120]}"
    return out, note


def _peer(name: str, params: dict) -> Optional[Callable]:
    p = reference.TORCH_PEERS.get(name)
    if p is None:
        return None
    probe = p(torch.zeros(1), **params)
    if probe is None:
        return None
    return lambda t: p(t, **params)


# ------------------------------------------------------------------- sweeps
def _neighbours(values: Sequence[float], n: int, dtype: torch.dtype) -> np.ndarray:
    """The floats of dtype nearest each value and n neighbours each side."""
    if not len(values):
        return np.zeros(0)
    v = torch.tensor(list(values), dtype=torch.float64).to(dtype)
    v = v[torch.isfinite(v)]
    out = [v]
    up, down = v.clone(), v.clone()
    pinf = torch.full_like(v, math.inf)
    for _ in range(n):
        up = torch.nextafter(up, pinf)
        down = torch.nextafter(down, -pinf)
        out += [up, down]
    t = torch.cat(out)
    return t[torch.isfinite(t)].double().numpy()


def _zeros_of(name: str, params: dict, span: int, dtype: torch.dtype) -> List[float]:
    """Zeros of the function that are hard cases (argument reduction)."""
    if name == "sinc":
        if params.get("normalized", True):
            return [float(k) for k in range(-span, span + 1) if k]
        return [k * math.pi for k in range(-span, span + 1) if k]
    if name in ("sine", "cosine"):
        w0 = params.get("w0", 1.0)
        return [k * math.pi / (2 * w0) for k in range(-2 * span, 2 * span + 1) if k]
    return []


def _sort_unique(x: np.ndarray, dtype: str) -> np.ndarray:
    t = torch.from_numpy(np.ascontiguousarray(x)).to(TORCH_DTYPES[dtype])
    bits = t.view(INT_VIEW[dtype]).numpy()
    _, idx = np.unique(bits, return_index=True)
    v = t[torch.from_numpy(np.sort(idx))].double().numpy()
    v = np.sort(v[~np.isnan(v)], kind="stable")
    return np.concatenate([v, [math.nan]])  # one NaN, last


def sweep(name: str, params: dict, dtype: str = "float32", n_points: int = 10**6,
          neighbours: int = 300, span: int = 32) -> Tuple[np.ndarray, Dict[str, int]]:
    """The input values (float64 array of dtype values, sorted, unique by bit
    pattern) and the size of each part of the sweep (before de-duplication)."""
    parts: Dict[str, np.ndarray] = {}
    kinks = list(CASES[name].kinks(params))
    if dtype in ("bfloat16", "float16"):
        allbits = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16)
        x = allbits.view(TORCH_DTYPES[dtype]).double().numpy()
        return _sort_unique(x, dtype), {"all 65536 bit patterns": 65536}
    tdt = TORCH_DTYPES[dtype]
    if dtype == "float32":
        n_log = max(2, int(0.32 * n_points))
        mags = np.geomspace(2.0**-149, FLT_MAX, n_log).astype(np.float32).astype(np.float64)
        parts["log-spaced |x| 2^-149..FLT_MAX, both signs"] = np.concatenate([mags, -mags])
        parts["uniform grid on [-10, 10]"] = np.linspace(-10, 10, int(0.4 * n_points) + 1).astype(np.float32)
        parts[f"kinks ± {neighbours}"] = _neighbours(kinks, neighbours, tdt)
        parts[f"zeros ± {neighbours}"] = _neighbours(_zeros_of(name, params, span, tdt), neighbours, tdt)
        sub = np.arange(1, 1001, dtype=np.int64)
        subs = np.concatenate([sub, (1 << 23) - sub]).astype(np.int32).view(np.float32).astype(np.float64)
        edge = np.concatenate([_neighbours([tiny("float32")], neighbours, tdt),
                               _neighbours([FLT_MAX], neighbours, tdt)])
        parts["subnormals, FLT_MIN, FLT_MAX neighbours"] = np.concatenate([subs, -subs, edge, -edge])
    else:  # float64: the smaller mpmath sample
        n_log = max(2, int(0.2 * n_points))
        mags = np.geomspace(5e-324, DBL_MAX, n_log)
        mags[-1] = DBL_MAX
        parts["log-spaced |x| 2^-1074..DBL_MAX, both signs"] = np.concatenate([mags, -mags])
        parts["uniform grid on [-10, 10]"] = np.linspace(-10, 10, int(0.4 * n_points) + 1)
        parts["kinks ± 30"] = _neighbours(kinks, 30, tdt)
        parts["zeros ± 3"] = _neighbours(_zeros_of(name, params, span, tdt), 3, tdt)
        subs = np.concatenate([np.arange(1, 11), (1 << 52) - np.arange(1, 11)]).astype(np.int64).view(np.float64)
        parts["subnormals, DBL_MIN, DBL_MAX"] = np.concatenate(
            [subs, -subs, [tiny("float64"), -tiny("float64"), DBL_MAX, -DBL_MAX]])
    parts["±0, ±inf, NaN"] = np.array([0.0, -0.0, math.inf, -math.inf, math.nan])
    x = np.concatenate([np.asarray(p, dtype=np.float64) for p in parts.values()])
    return _sort_unique(x, dtype), {k: int(len(p)) for k, p in parts.items()}


# --------------------------------------------------------------- evaluation
def autograd_derivs(fn: Callable, x: torch.Tensor, strided: bool = False) -> Tuple[List[Optional[torch.Tensor]], str]:
    """f, f', f'' of fn at x by autograd (f' and f'' as the gradients with
    all-ones grad_outputs).  strided: x, and the grad_outputs, are x[::2]
    views of interleaved buffers.  Returns the three tensors (None for an
    order autograd does not support) and an error note."""
    n = x.numel()
    if strided:
        buf = torch.full((2 * n,), 0.5, dtype=x.dtype)
        buf[0::2] = x
        xs = buf[0::2].detach()
        ones = torch.full((2 * n,), 3.0, dtype=x.dtype)
        ones[0::2] = 1
        v1, v2 = ones[0::2], ones.clone()[0::2]
    else:
        xs = x.detach().clone()
        v1, v2 = torch.ones_like(xs), torch.ones_like(xs)
    xs.requires_grad_(True)
    out: List[Optional[torch.Tensor]] = [None, None, None]
    note = ""
    try:
        y = fn(xs)
        out[0] = y.detach().clone()
        (g1,) = torch.autograd.grad(y, xs, v1, create_graph=True, allow_unused=True, materialize_grads=True)
        out[1] = g1.detach().clone()
        if g1.requires_grad:
            (g2,) = torch.autograd.grad(g1, xs, v2, allow_unused=True, materialize_grads=True)
            out[2] = g2.detach().clone()
        else:
            out[2] = torch.zeros_like(out[1])
    except Exception as e:  # a peer without double backward, ...
        note = f"{type(e).__name__}: {str(e).splitlines()[0][:120]}"
    return out, note


def bits_equal(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Elementwise: same bit pattern, or both NaN."""
    iv = {torch.float32: torch.int32, torch.float64: torch.int64,
          torch.bfloat16: torch.int16, torch.float16: torch.int16}[a.dtype]
    a, b = a.contiguous(), b.contiguous()
    return (a.view(iv) == b.view(iv)) | (torch.isnan(a) & torch.isnan(b))


# ----------------------------------------------------------------- metrics
def _metrics(x: np.ndarray, ours: np.ndarray, exact: np.ndarray, cond_d: Optional[np.ndarray],
             fmt: str, comp_fmt: str, order: int = 0) -> Dict[str, np.ndarray]:
    """Per-point metric arrays for one implementation and order."""
    R = round_to(exact, fmt)
    ref = R if fmt in ("bfloat16", "float16") else exact
    with np.errstate(all="ignore"):
        counted = np.isfinite(R) & (np.abs(ref) >= tiny(fmt))
        err = np.where(np.isfinite(ours), np.abs(ours - ref), np.inf)
        u = ulp_of(ref, fmt)
        if cond_d is None:
            cond = np.zeros_like(x)
        else:
            cond = np.abs(cond_d) * ulp_of(x, comp_fmt)
            cond = np.where(np.isinf(x) | np.isnan(cond), 0.0, cond)
        strict = np.where(counted, err / u, 0.0)
        condu = np.where(counted, err / (u + cond), 0.0)
        nonfinite = (np.isfinite(R) & ~np.isfinite(ours)) | (np.isinf(R) & np.isnan(ours))
        flushed = counted & (ours == 0)
        spurious = (R == 0) & np.isfinite(ours) & (np.abs(ours) >= tiny(fmt))
        special = (np.isnan(ref) & ~np.isnan(ours)) | (np.isinf(R) & ~np.isnan(ours) & (ours != R))
        if order > 0:  # NaN propagation is required of f only (torch's piecewise-linear
            special &= ~np.isnan(x)  # backwards give 0 at NaN)
    return {"strict": strict, "cond": condu, "counted": counted, "nonfinite": nonfinite,
            "flushed": flushed, "spurious": spurious, "special": special, "ref": ref}


def _summary(x, ours, m, top: int = 5) -> Dict[str, Any]:
    s: Dict[str, Any] = {"n": int(m["counted"].sum())}
    for key in ("strict", "cond"):
        a = m[key]
        i = int(np.argmax(a)) if a.size else 0
        s[f"max_{key}"] = float(a[i]) if a.size else 0.0
        s[f"x_{key}"] = float(x[i]) if a.size else math.nan
        s[f"ours_{key}"] = float(ours[i]) if a.size else math.nan
        s[f"exact_{key}"] = float(m["ref"][i]) if a.size else math.nan
    near = np.abs(x) <= 10.0  # the grid's range: what the formulas meet in a model
    for key in ("strict", "cond"):
        a = m[key][near]
        s[f"max_{key}_10"] = float(a.max()) if a.size else 0.0
    worst = np.argsort(-m["cond"], kind="stable")[:top]
    s["worst"] = [{"x": float(x[i]), "ours": float(ours[i]), "exact": float(m["ref"][i]),
                   "cond_ulp": float(m["cond"][i]), "strict_ulp": float(m["strict"][i])}
                  for i in worst if m["cond"][i] > 0]
    for key in ("nonfinite", "flushed", "spurious", "special"):
        idx = np.flatnonzero(m[key])
        s[key] = int(idx.size)
        s[f"{key}_examples"] = [{"x": float(x[i]), "ours": float(ours[i]), "exact": float(m["ref"][i])}
                                for i in idx[:5]]
    return s


def measure_case(name: str, params: dict, dtype: str = "float32", n_points: int = 10**6,
                 f64_points: int = 2000, refine: int = 32, peer: bool = True, strided: bool = True,
                 neighbours: int = 300, span: int = 32, formula: bool = False) -> Dict[str, Any]:
    """Every metric of one case and dtype: {"rows": [one per order], ...}."""
    t0 = time.perf_counter()
    n = f64_points if dtype == "float64" else n_points
    x, parts = sweep(name, params, dtype, n, neighbours=neighbours, span=span)
    tdt = TORCH_DTYPES[dtype]
    xt = torch.from_numpy(x).to(tdt)
    comp_fmt = "float32" if dtype in ("bfloat16", "float16") else dtype

    impls: Dict[str, Tuple[List[Optional[torch.Tensor]], str]] = {}
    impls["ours"] = autograd_derivs(_functional(name, params), xt)
    if strided:
        impls["strided"] = autograd_derivs(_functional(name, params), xt, strided=True)
    pf = _peer(name, params) if peer else None
    if pf is not None:
        impls["peer"] = autograd_derivs(pf, xt)
    elif formula:
        impls["formula"] = autograd_derivs(_formula(name, params), xt)
        impls["compiled"] = compiled_derivs(_formula(name, params), xt)

    if dtype == "float64":
        exact = RX.mp_many(name, x, params)
        refined = np.ones(x.size, dtype=bool)
    else:
        exact = RX.derivs_f64(name, x, params)
        refined = np.zeros(x.size, dtype=bool)
    values = {k: [None if t is None else t.double().numpy() for t in v[0]] for k, v in impls.items()}

    def all_metrics():
        res = {}
        for k, vals in values.items():
            for o in range(3):
                if vals[o] is None:
                    continue
                co = RX.cond_derivative_order(name, o)
                res[(k, o)] = _metrics(x, vals[o], exact[o], exact[co] if co >= 0 else None, dtype, comp_fmt, o)
        return res

    mets = all_metrics()
    rounds = 0
    while refine and rounds < 6:
        want = set()
        for (k, o), m in mets.items():
            for key in ("strict", "cond"):
                a = m[key]
                pos = np.flatnonzero(a > 0)
                if pos.size == 0:
                    continue
                top = pos[np.argsort(-a[pos], kind="stable")[:refine]]
                if not refined[top[0]]:
                    want.update(int(i) for i in top if not refined[i])
        if not want:
            break
        idx = np.array(sorted(want))
        exact[:, idx] = RX.mp_many(name, x[idx], params)
        refined[idx] = True
        mets = all_metrics()
        rounds += 1

    rows = []
    eq = {}
    if strided and impls["strided"][0][0] is not None and impls["ours"][0][0] is not None:
        for o in range(3):
            a, b = impls["ours"][0][o], impls["strided"][0][o]
            if a is None or b is None:
                eq[o] = None
                continue
            same = bits_equal(a, b).numpy()
            bad = np.flatnonzero(~same)
            eq[o] = {"differ": int(bad.size), "examples": [
                {"x": float(x[i]), "vector": float(a[i]), "strided": float(b[i])} for i in bad[:5]]}
    for o in range(3):
        row: Dict[str, Any] = {"case": case_id(name, params), "op": name, "params": params,
                               "dtype": dtype, "order": o, "points": int(x.size)}
        for k in impls:
            if (k, o) in mets:
                row[k] = _summary(x, values[k][o], mets[(k, o)])
            else:
                row[k] = None
            if impls[k][1]:
                row[f"{k}_note"] = impls[k][1]
        row["vector_vs_strided"] = eq.get(o)
        rows.append(row)
    return {"case": case_id(name, params), "dtype": dtype, "rows": rows, "parts": parts,
            "points": int(x.size), "mp_refined": int(refined.sum()) if dtype != "float64" else int(x.size),
            "refine_rounds": rounds, "seconds": time.perf_counter() - t0}


# --------------------------------------------------------------- validation
def validation_points(name: str, params: dict, n: int, seed: int = 0) -> np.ndarray:
    """float32 points for validating the float64 references: a random part
    of the sweep (log-spaced and grid), every kink and zero ± 5 floats, the
    extremes."""
    rng = np.random.default_rng(seed)
    x, _ = sweep(name, params, "float32", n_points=max(4 * n, 2000), neighbours=5, span=8)
    x = x[np.isfinite(x)]
    pick = x[rng.choice(x.size, size=min(n, x.size), replace=False)]
    ext = np.array([FLT_MAX, -FLT_MAX, tiny("float32"), -tiny("float32"), 2.0**-149, -2.0**-149,
                    1e-30, -1e-30, 1e30, -1e30, 88.5, -88.5, 103.0, -103.0, 1e4, -1e4])
    kz = _neighbours(list(CASES[name].kinks(params)) + _zeros_of(name, params, 8, torch.float32), 5,
                     torch.float32)
    return np.unique(np.concatenate([pick, ext.astype(np.float32), kz]))


def validate_case(name: str, params: dict, n: int = 1500) -> Dict[str, Any]:
    t0 = time.perf_counter()
    xs = validation_points(name, params, n)
    res = RX.validate(name, params, xs)
    rng = np.random.default_rng(1)
    kinks = list(CASES[name].kinks(params))
    moderate = [v for v in list(rng.uniform(-8, 8, 16)) + [0.37, -1.3, 12.5, -15.0, 30.0, -40.0]
                if all(abs(v - k) > 1e-2 for k in kinks)]
    problems = RX.check_algebra(name, params, moderate)
    return {"case": case_id(name, params), "points": int(xs.size),
            "orders": {str(k): v for k, v in res.items()}, "algebra_problems": problems,
            "seconds": time.perf_counter() - t0}


# ------------------------------------------------------------------ report
def _num(v: Optional[float], digits: int = 3) -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    if v == 0:
        return "0"
    if abs(v) >= 1e5 or abs(v) < 1e-3:
        return f"{v:.{digits - 1}e}"
    return f"{v:.{digits}g}"


def _xs(v: float, dtype: str = "float32") -> str:
    """An input or result value: enough digits to identify a float32 (or,
    for float64 rows, the float64) value."""
    return repr(float(v)) if dtype == "float64" else f"{float(v):.9g}"


def split_list(text: str) -> List[str]:
    """Comma-separated items; commas inside [...] (case ids) do not split."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch == "[") - (ch == "]")
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return [o for o in out if o]


def _eq(e) -> str:
    if e is None:
        return "–"
    return "yes" if e["differ"] == 0 else f"no ({e['differ']})"


def row_flags(r: Dict[str, Any]) -> List[str]:
    """Why a row is an offender (empty: it meets the targets)."""
    s = r["ours"]
    if s is None:
        return ["not measured"]
    flags = []
    if s["max_cond"] > TOL_ULP:
        flags.append(f"cond {_num(s['max_cond'])} ulp > {TOL_ULP:g}")
    for k in ("nonfinite", "flushed", "spurious", "special"):
        if s[k]:
            flags.append(f"{k} {s[k]}")
    st = r.get("strided")
    if st is not None:
        for k in ("nonfinite",):
            if st[k] and not s[k]:
                flags.append(f"strided {k} {st[k]}")
        if st["max_cond"] > TOL_ULP and s["max_cond"] <= TOL_ULP:
            flags.append(f"strided cond {_num(st['max_cond'])}")
    p = r.get("peer")
    if r["order"] == 0 and p is not None and s["max_strict"] > p["max_strict"]:
        flags.append(f"f worse than peer ({_num(s['max_strict'])} > {_num(p['max_strict'])} strict)")
    e = r.get("vector_vs_strided")
    if e is not None and e["differ"]:
        flags.append(f"vector != strided ({e['differ']})")
    return flags


def render_markdown(results: List[Dict[str, Any]], validation: List[Dict[str, Any]], meta: Dict[str, Any]) -> str:
    L: List[str] = []
    L.append(f"# Accuracy of the pointwise activations ({meta['date']})")
    L.append("")
    L.append(f"torch {meta['torch']}, torch_activations from `{meta['package']}`, CPU kernels "
             f"{meta['capability']}, {meta['threads']} thread(s), {meta['machine']}. "
             f"Run time {meta['seconds']:.0f} s. Command: `{meta['command']}`.")
    L.append("")
    L.append("Definitions (module docstring of `benchmarks/accuracy.py`): **strict** = |ours − exact| / "
             "ulp(exact); **cond** = |ours − exact| / (ulp(exact) + |f⁽ⁿ⁺¹⁾(x)|·ulp(x)): the error in units of "
             "one ulp of the result plus what a one-ulp change of the input causes (for bf16/fp16: ulp(x) in "
             "float32, the computation type, and the exact value rounded to the dtype). Counted only where the exact value is a finite normal number "
             "of the dtype. **nonfin**: non-finite where the exact value is finite (or NaN where it is ±inf); "
             "**flush**: 0 where the exact value is normal; **≠0**: a normal number where the exact value "
             "rounds to 0; **spec**: wrong result where the exact value is NaN or ±inf. **peer**: the torch "
             "peer measured the same way (strict / cond). **vec≡str**: contiguous and strided inputs give "
             "bitwise identical results (number of differing points otherwise).")
    L.append("")
    sweeps = {}
    for res in results:
        sweeps.setdefault(res["dtype"], res["parts"])
    L.append("Sweep per case (sizes before de-duplication, first case shown; kinks and zeros vary by op):")
    L.append("")
    for dt, parts in sweeps.items():
        npts = [r["points"] for r in results if r["dtype"] == dt]
        L.append(f"- {dt}: " + "; ".join(f"{k}: {v}" for k, v in parts.items())
                 + f" — {min(npts)}..{max(npts)} unique points per case")
    L.append("")
    # offenders
    L.append(f"## Offenders (cond > {TOL_ULP:g} ulp, non-finite, flushed, spurious, special, forward worse "
             "than the peer, vector ≠ strided)")
    L.append("")
    L.append("| case | dtype | order | strict max | at x | cond max | at x | ours | exact | why |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    offenders = []
    for res in results:
        for r in res["rows"]:
            fl = row_flags(r)
            if fl:
                offenders.append((r, fl))
    offenders.sort(key=lambda rf: -(rf[0]["ours"] or {}).get("max_cond", 0.0))
    for r, fl in offenders:
        s = r["ours"]
        if s is None:
            L.append(f"| {r['case']} | {r['dtype']} | {ORDER_NAMES[r['order']]} | – | – | – | – | – | – | "
                     f"{'; '.join(fl)} |")
            continue
        d = r["dtype"]
        L.append(f"| {r['case']} | {d} | {ORDER_NAMES[r['order']]} | {_num(s['max_strict'])} | "
                 f"{_xs(s['x_strict'], d)} | {_num(s['max_cond'])} | {_xs(s['x_cond'], d)} | "
                 f"{_xs(s['ours_cond'], d)} | {_xs(s['exact_cond'], d)} | {'; '.join(fl)} |")
    if not offenders:
        L.append("| – | | | | | | | | | none |")
    L.append("")
    for dt in [d for d in ("float32", "bfloat16", "float16", "float64") if any(r["dtype"] == d for r in results)]:
        L.append(f"## {dt}")
        L.append("")
        L.append("| case | order | counted | strict max | at x | cond max | at x | nonfin | flush | ≠0 | spec "
                 "| peer strict | peer cond | strided cond | vec≡str |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for res in results:
            if res["dtype"] != dt:
                continue
            for r in res["rows"]:
                s, p, st = r["ours"], r.get("peer"), r.get("strided")
                if s is None:
                    L.append(f"| {r['case']} | {ORDER_NAMES[r['order']]} | not measured: "
                             f"{r.get('ours_note', '')} |" + " |" * 12)
                    continue
                L.append(
                    f"| {r['case']} | {ORDER_NAMES[r['order']]} | {s['n']} | {_num(s['max_strict'])} | "
                    f"{_xs(s['x_strict'], dt) if s['max_strict'] else '–'} | {_num(s['max_cond'])} | "
                    f"{_xs(s['x_cond'], dt) if s['max_cond'] else '–'} | {s['nonfinite']} | {s['flushed']} | "
                    f"{s['spurious']} | {s['special']} | "
                    f"{_num(p['max_strict']) if p else ('n/a' if r.get('peer_note') else '–')} | "
                    f"{_num(p['max_cond']) if p else ('n/a' if r.get('peer_note') else '–')} | "
                    f"{_num(st['max_cond']) if st else '–'} | {_eq(r.get('vector_vs_strided'))} |")
        L.append("")
    frows = [r for res in results for r in res["rows"] if "formula" in r]
    if frows:
        L.append("## Against the formula (ops without a torch peer, `--formula`)")
        L.append("")
        L.append("The catalog formula of tests/reference.py in eager torch and under torch.compile (what "
                 "benchmarks/run.py times as the eager and compiled formula), measured like ours: max "
                 "cond ulp over the whole sweep and over |x| <= 10 (the uniform grid, kinks and zeros "
                 "there: the range a model's activations meet), and the non-finite / flushed / special "
                 "counts (f'' is not measured for the compiled formula).")
        L.append("")
        L.append("| case | dtype | order | ours cond | ours cond, abs(x) <= 10 | formula cond | "
                 "formula cond, abs(x) <= 10 | formula nonfin/flush/spec | compiled cond | "
                 "compiled cond, abs(x) <= 10 | compiled nonfin/flush/spec |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|")

        def cols(m, counts=True):
            if m is None:
                return "– | – | –" if counts else "– | –"
            c = f"{_num(m['max_cond'])} | {_num(m['max_cond_10'])}"
            return c + (f" | {m['nonfinite']}/{m['flushed']}/{m['special']}" if counts else "")

        for r in frows:
            L.append(f"| {r['case']} | {r['dtype']} | {ORDER_NAMES[r['order']]} | "
                     f"{cols(r['ours'], counts=False)} | {cols(r.get('formula'))} | {cols(r.get('compiled'))} |")
        L.append("")
    notes = sorted({(r["case"], r["dtype"], r.get("peer_note")) for res in results for r in res["rows"]
                    if r.get("peer_note")})
    if notes:
        L.append("Peer derivatives not available (torch autograd): " + "; ".join(
            f"{c} {d}: {n}" for c, d, n in notes))
        L.append("")
    if validation:
        L.append("## Reference validation (float64 formulas of tests/reference_exact.py against mpmath)")
        L.append("")
        L.append("Max error of the float64 reference in float32 ulps of the exact value (f, f', f'', f'''), "
                 "worst x of f'', and the algebra check (mp.diff of the plain catalog formula of "
                 "tests/cases.py at moderate points). The worst points of every measurement are "
                 "recomputed with mpmath in any case.")
        L.append("")
        L.append("| case | points | f | f' | f'' | f''' | worst x (f'') | special mismatches | algebra |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        for v in validation:
            o = v["orders"]
            sp = sum(o[k]["special_mismatch"] for k in o)
            L.append(f"| {v['case']} | {v['points']} | " + " | ".join(_num(o[str(k)]["max_ulp32"]) for k in range(4))
                     + f" | {_xs(o['2']['x32'])} | {sp} | "
                     + ("ok" if not v["algebra_problems"] else f"{len(v['algebra_problems'])} problems") + " |")
        L.append("")
    return "\n".join(L) + "\n"


def _jsonable(o):
    if isinstance(o, float):
        if math.isnan(o):
            return "nan"
        if math.isinf(o):
            return "inf" if o > 0 else "-inf"
        return o
    if isinstance(o, dict):
        return {str(k): _jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_jsonable(v) for v in o]
    if isinstance(o, (np.floating, np.integer)):
        return _jsonable(o.item())
    return o


# -------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="accuracy", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ops", help="comma list of ops or case ids, e.g. gelu,softplus[beta=2.0,threshold=10.0] "
                   "(default: every pointwise op)")
    p.add_argument("--params", choices=("all", "default"), default="all",
                   help="every parameter set of tests/cases.py (default) or the catalog default only")
    p.add_argument("--dtypes", default="float32,bfloat16,float16,float64")
    p.add_argument("--points", type=int, default=10**6, help="float32 sweep size N (default 10^6)")
    p.add_argument("--f64-points", type=int, default=2000, help="float64 mpmath sample size (default 2000)")
    p.add_argument("--refine", type=int, default=32, help="worst points per metric recomputed by mpmath")
    p.add_argument("--validate-points", type=int, default=1500,
                   help="points per case for validating the float64 references (0: skip)")
    p.add_argument("--no-peer", action="store_true", help="skip the torch peer")
    p.add_argument("--formula", action="store_true",
                   help="also measure the eager and compiled catalog formula of the ops without a peer")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--capability", default=None, choices=ta.CPU_CAPABILITIES,
                   help="CPU kernels to measure (torch_activations.set_cpu_capability; default: the best "
                        "this machine runs)")
    p.add_argument("--out", default=os.path.join(_HERE, "results"), help="output directory")
    p.add_argument("--tag", default="", help="a name in the output file names")
    return p


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} CPUs)"
    except OSError:
        pass
    return f"{platform.machine()} {platform.processor()}".strip()


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    previous = ta.cpu_capability()
    if args.capability:
        ta.set_cpu_capability(args.capability)
    try:
        return _report(args, argv)
    finally:
        ta.set_cpu_capability(previous)


def _report(args, argv: Optional[Sequence[str]]) -> int:
    torch.set_num_threads(args.threads)
    ops = split_list(args.ops) if args.ops else None
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    for d in dtypes:
        if d not in TORCH_DTYPES:
            raise SystemExit(f"unknown dtype {d!r} (choose from {', '.join(TORCH_DTYPES)})")
    cases = select_cases(ops, args.params)
    t0 = time.perf_counter()
    _say(f"accuracy: {len(cases)} cases x {dtypes}; torch_activations from {os.path.dirname(ta.__file__)}")
    validation = []
    if args.validate_points > 0:
        for name, params in cases:
            v = validate_case(name, params, args.validate_points)
            worst = max(v["orders"][k]["max_ulp32"] for k in v["orders"])
            _say(f"  validate {v['case']:36s} worst {worst:.2g} f32-ulp, algebra "
                 f"{'ok' if not v['algebra_problems'] else v['algebra_problems'][:2]} ({v['seconds']:.1f} s)")
            validation.append(v)
    results = []
    for dt in dtypes:
        for name, params in cases:
            res = measure_case(name, params, dt, n_points=args.points, f64_points=args.f64_points,
                               refine=args.refine, peer=not args.no_peer, formula=args.formula)
            r = res["rows"]
            _say(f"  {dt:8s} {res['case']:36s} cond " + " / ".join(
                _num(x["ours"]["max_cond"]) if x["ours"] else "–" for x in r)
                + f"  ({res['points']} points, {res['mp_refined']} by mpmath, {res['seconds']:.1f} s)")
            results.append(res)
    seconds = time.perf_counter() - t0
    now = datetime.datetime.now()
    meta = {"date": now.strftime("%Y-%m-%d %H:%M:%S"), "torch": torch.__version__,
            "package": os.path.dirname(ta.__file__), "capability": ta.cpu_capability(),
            "threads": torch.get_num_threads(), "machine": _cpu_model(),
            "python": platform.python_version(), "numpy": np.__version__,
            "mpmath": __import__("mpmath").__version__, "seconds": seconds,
            "command": "python benchmarks/accuracy.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "tolerance_cond_ulp": TOL_ULP}
    md = render_markdown(results, validation, meta)
    os.makedirs(args.out, exist_ok=True)
    stem = now.strftime("%Y%m%d-%H%M%S") + (f"_{args.tag}" if args.tag else "") + "_accuracy"
    md_path = os.path.join(args.out, stem + ".md")
    with open(md_path, "w") as fh:
        fh.write(md)
    with open(os.path.join(args.out, stem + ".json"), "w") as fh:
        json.dump(_jsonable({"meta": meta, "results": results, "validation": validation}), fh, indent=1)
    print(md)
    _say(f"wrote {md_path} and .json ({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
