"""The math of every pointwise activation: values and first/second derivatives
against independent references (plain-torch float64 formulas differentiated
by autograd, and mpmath at high precision), the catalog's numerical rules at
extreme inputs, half types, and agreement between instruction sets."""

import math
import os
import subprocess
import sys

import mpmath as mp
import pytest
import torch

import reference
import torch_activations as ta
from cases import CASES, all_cases, case_id
from util import away_from, call, derivatives, ulp

sys.set_int_max_str_digits(0)  # mpmath at thousands of digits

CASE_LIST = all_cases()
IDS = [case_id(n, p) for n, p in CASE_LIST]


def _grid(device, dtype=torch.float64):
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.linspace(-8, 8, 161, dtype=torch.float64),
                   torch.randn(300, generator=g, dtype=torch.float64) * 4])
    return x.to(device=device, dtype=dtype)


# --------------------------------------------------------------- references
@pytest.mark.parametrize("name,params", CASE_LIST, ids=IDS)
def test_forward_matches_reference(name, params, device):
    x = _grid(device)
    ours = call(name, x, params)
    ref = reference.formula(name)(x, **params)
    torch.testing.assert_close(ours, ref, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("name,params", CASE_LIST, ids=IDS)
def test_derivatives_match_reference(name, params, device):
    case = CASES[name]
    x = away_from(_grid(device), list(case.kinks(params)) + list(case.singular), 1e-4)
    _, d1, d2 = derivatives(lambda t: call(name, t, params), x)
    if name in reference.NON_AUTOGRAD_DERIVATIVE:
        r1 = reference.NON_AUTOGRAD_DERIVATIVE[name](x, **params)
        r2 = torch.zeros_like(x)
    else:
        _, r1, r2 = derivatives(lambda t: reference.formula(name)(t, **params), x)
    torch.testing.assert_close(d1, r1, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(d2, r2, rtol=1e-9, atol=1e-11)


# ------------------------------------------------------- mpmath accuracy
_MAG = [0.0, 1e-30, 1e-10, 1e-5, 1e-3, 0.02, 0.1, 0.3, 0.5, 0.9, 1.0, 1.5, 2.5, 3.7, 5.0, 7.5, 12.0,
        19.0, 30.0, 60.0, 100.0, 500.0, 1e4, 1e10, 1e30]


def _points(dtype, params, case):
    finfo = torch.finfo(dtype)
    vals = sorted({s * m for m in _MAG for s in (-1.0, 1.0)} | {finfo.max, -finfo.max, finfo.tiny, -finfo.tiny})
    x = torch.tensor(vals, dtype=torch.float64).to(dtype)
    x = x[x.abs() <= finfo.max]
    if case.name in ("sine", "cosine"):  # the argument w0*x is rounded: keep it small
        x = x[(x.double() * params.get("w0", 1.0)).abs() <= 100]
    return away_from(x, case.kinks(params), 1e-3)


def _to_float(v):
    try:
        return float(v)
    except OverflowError:
        return math.copysign(math.inf, float(mp.sign(v)))


def _mp_eval(fn, x):
    """fn(mpf(x)) to ~25 correct digits: evaluated at increasing precision
    until two precisions agree (the plain formulas cancel, e.g.
    log(1 + e^-100), and numerical derivatives need digits to spare; a
    value that comes out exactly 0 is retried up to 800 digits, since
    elu'(-500) = e^-500 hides next to elu(-500) = -1)."""
    dps = 40 + int(max(0.0, math.log10(abs(x) + 1.0)) * 2)
    prev = None
    while True:
        with mp.workdps(dps):
            v = fn(mp.mpf(x))
        if prev is not None and dps > 3000:
            return v
        if prev is not None:
            if v == prev == 0:
                if dps >= 800:
                    return v
            elif v != 0 and abs(v - prev) <= abs(v) * mp.mpf(10) ** -25:
                return v
        prev = v
        dps *= 2


def _mp_derivs(case, params, x):
    """f and its first three derivatives at x, by mpmath (steps relative to
    x for |x| > 1, so that x = 1e308 is resolved)."""
    f = (lambda t: case.mp(t, **params))
    rel = abs(x) > 1

    def nth(n):
        return (lambda t: f(t)) if n == 0 else (lambda t: mp.diff(f, t, n, relative=rel))

    return [_to_float(_mp_eval(nth(n), x)) for n in range(4)]


# Allowed error: ULPS units in the last place of the true value, plus what
# rounding the input by a relative eps can change (|x f^(n+1)(x)| eps: the
# products w0*x, beta*x, x/alpha are rounded before exp/sin amplify them), plus
# an absolute floor of the smallest normal number: results (or intermediates)
# in the subnormal range may flush to zero, as torch's own kernels do
# (x*sigmoid(x) at x = -100 is 3.7e-42 in float32).
ULPS = 16


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name,params", [c for c in CASE_LIST if CASES[c[0]].mp is not None],
                         ids=[case_id(n, p) for n, p in CASE_LIST if CASES[n].mp is not None])
def test_accuracy_against_mpmath(name, params, dtype):
    """Values and derivatives accurate to a few ulps at every finite input,
    from 1e-30 to the dtype's maximum (no overflow, underflow or cancellation)."""
    case = CASES[name]
    x = _points(dtype, params, case)
    ours = derivatives(lambda t: call(name, t, params), x)
    eps = torch.finfo(dtype).eps
    normal_min = float(torch.finfo(dtype).tiny)
    failures = []
    for i, xv in enumerate(x.double().tolist()):
        truth = _mp_derivs(case, params, xv)
        for order in range(3):
            t = truth[order]
            r = float(ours[order][i])
            big = abs(t) > torch.finfo(dtype).max
            if big:
                ok = math.isinf(r) and (r > 0) == (t > 0)
            else:
                tol = ULPS * float(ulp(torch.tensor(t, dtype=torch.float64), dtype))
                tol += 2 * eps * abs(xv * truth[order + 1])
                tol += (abs(xv) + 1) * normal_min
                if case.output_based and order >= 1:
                    tol += 8 * eps  # f' = g(y): limited by the rounding of y
                ok = math.isfinite(r) and abs(r - t) <= tol
            if not ok:
                failures.append(f"x={xv!r} order={order}: ours={r!r} mpmath={t!r}")
    assert not failures, "\n".join(failures[:20])


# ------------------------------------------------------------ extreme inputs
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.float16],
                         ids=["f32", "f64", "bf16", "f16"])
@pytest.mark.parametrize("name,params", CASE_LIST, ids=IDS)
def test_limits_and_nan(name, params, dtype, device):
    """±inf gives the mathematical limit of f, f' and f''; NaN gives NaN;
    f, f' and f'' are finite at every finite input where the math is."""
    case = CASES[name]
    finfo = torch.finfo(dtype)
    x = torch.tensor([-math.inf, math.inf, math.nan, -finfo.max, finfo.max, -finfo.tiny, finfo.tiny, 0.0],
                     dtype=dtype, device=device)
    vals = derivatives(lambda t: call(name, t, params), x)
    limits = case.limits(params)
    for order in range(3):
        v = vals[order].double().cpu()
        for j, lim in enumerate(limits[order]):
            got = float(v[j])
            if math.isnan(lim):
                assert math.isnan(got), f"order {order} at {x[j].item()}: expected NaN, got {got}"
            else:
                assert got == pytest.approx(lim, rel=1e-2, abs=1e-6 if dtype in (torch.float32, torch.float64)
                                            else 1e-2), f"order {order} at {x[j].item()}: {got} != {lim}"
        if order == 0:
            assert math.isnan(float(v[2])), "NaN in must give NaN out"
        finite_x = v[3:]
        if order > 0 or not math.isinf(limits[0][0]) and not math.isinf(limits[0][1]):
            if not any(math.isnan(lv) or math.isinf(lv) for lv in limits[order]):
                assert torch.isfinite(finite_x).all(), f"order {order}: non-finite {finite_x.tolist()}"


def test_catalog_examples():
    F = ta.functional
    assert F.softplus(torch.tensor(1000.0)).item() == 1000.0
    m = F.mish(torch.tensor(-1000.0))
    assert m.item() == 0.0 and math.copysign(1.0, m.item()) == -1.0, "mish(-1000) must be -0.0"
    x = torch.tensor(100.0, requires_grad=True)
    (g,) = torch.autograd.grad(F.tanhexp(x), x)
    assert g.item() == 1.0
    # sinc near 0, to the last bit (values in [0.5, 1): one ulp is 2^-53)
    with mp.workdps(40):
        for v in (1e-8, 1e-4, 3e-3, -2e-2):
            truth = float(mp.sinc(mp.pi * mp.mpf(v)))
            assert abs(F.sinc(torch.tensor(v, dtype=torch.float64)).item() - truth) <= 2.0**-53
    # sinc's derivatives at 0 (removable singularity): 0 and -pi^2/3
    _, d1, d2 = derivatives(F.sinc, torch.zeros(1, dtype=torch.float64))
    assert d1.item() == 0.0 and d2.item() == pytest.approx(-math.pi**2 / 3, rel=1e-15)
    assert torch.isfinite(F.bent_identity(torch.tensor(1e30))).item()
    assert F.bent_identity(torch.tensor(1e30)).item() == pytest.approx(1.5e30, rel=1e-6)


# ------------------------------------------------------------- half types
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "f16"])
@pytest.mark.parametrize("name,params", CASE_LIST, ids=IDS)
def test_half_types_match_float32(name, params, dtype, device):
    """16-bit inputs compute in float32 and round once: the result equals the
    float32 result of the same rounded input, rounded, within one ulp."""
    g = torch.Generator().manual_seed(1)
    x = (torch.randn(517, generator=g) * 4).to(dtype).to(device)
    gy = torch.randn(517, generator=g).to(dtype).to(device)
    x16 = x.clone().requires_grad_()
    y16 = call(name, x16, params)
    (d16,) = torch.autograd.grad(y16, x16, gy)
    x32 = x.float().requires_grad_()
    y32 = call(name, x32, params)
    if CASES[name].output_based:
        # The backward reads the saved 16-bit output: the float32 reference
        # is the same derivative formula at the rounded output.
        backward = getattr(torch.ops.torch_activations, name + "_backward_from_result")
        d32 = backward(gy.float(), y16.detach().float(), **params)
    else:
        (d32,) = torch.autograd.grad(y32, x32, gy.float())
    for ours, ref in ((y16, y32), (d16, d32)):
        assert ours.dtype == dtype
        ours, ref = ours.double(), ref.detach().to(dtype).double()
        same = (ours == ref) | (ours.isnan() & ref.isnan())
        diff = torch.where(same, 0.0, (ours - ref).abs())
        tol = ulp(ref, dtype)
        assert (diff <= tol).all(), f"max diff {diff.max().item()}"


# ------------------------------------------------------ instruction sets
def _capabilities():
    return ta.cpu_capabilities_up_to_current()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16], ids=["f32", "f64", "bf16"])
@pytest.mark.parametrize("name,params", CASE_LIST, ids=IDS)
def test_instruction_sets_agree(name, params, dtype):
    """The DEFAULT (scalar-emulated) build and each vectorized build give the
    same values and derivatives to within a few ulps (different libm/Sleef
    functions and FMA contraction are the only differences)."""
    g = torch.Generator().manual_seed(2)
    x = torch.cat([torch.randn(1000, generator=g) * 5, torch.tensor([0.0, 1e-20, -1e-20, 50.0, -50.0])]).to(dtype)
    results = {}
    previous = ta.cpu_capability()
    try:
        for cap in _capabilities():
            ta.set_cpu_capability(cap)
            results[cap] = derivatives(lambda t: call(name, t, params), x)
    finally:
        ta.set_cpu_capability(previous)
    base = results["DEFAULT"]
    rtol = {torch.float32: 2e-5, torch.float64: 1e-12, torch.bfloat16: 1.6e-2}[dtype]
    for cap, vals in results.items():
        for order in range(3):
            torch.testing.assert_close(vals[order], base[order], rtol=rtol, atol=rtol,
                                       msg=lambda m: f"{cap} vs DEFAULT, order {order}: {m}")


def test_capability_env_and_errors():
    assert ta.cpu_capability() in ta.CPU_CAPABILITIES
    previous = ta.cpu_capability()
    try:  # every name of the list up to the machine's is one the C++ side knows, in both spellings
        for cap in ta.cpu_capabilities_up_to_current():
            for spelling in (cap, cap.lower()):
                ta.set_cpu_capability(spelling)
                assert ta.cpu_capability() == cap
    finally:
        ta.set_cpu_capability(previous)
    with pytest.raises(RuntimeError, match="unknown CPU capability"):
        ta.set_cpu_capability("sse9")
    prev = ta.set_cpu_capability("default")
    try:
        assert ta.cpu_capability() == "DEFAULT"
    finally:
        ta.set_cpu_capability(prev)
    assert ta.cpu_capability() == prev


_PREFETCH_SCRIPT = """
import sys, torch, torch_activations as ta
x = (torch.arange(70001, dtype=torch.float32) * 0.00037 - 13).requires_grad_()
outs = []
F = ta.functional
for f in (F.relu, F.gelu, F.silu, F.tanh):
    y = f(x)
    (g,) = torch.autograd.grad(y.sum(), x)
    outs += [y.detach(), g]
torch.save(outs, sys.argv[1])
"""


def test_prefetch_env_same_bits(tmp_path):
    """TORCH_ACTIVATIONS_CPU_PREFETCH (capability.h: whether the contiguous
    loops prefetch ahead) changes speed only: 0 and 1 give the same bits, and
    any other value is an error that names the variable."""
    results = {}
    for v in ("0", "1", "2"):
        out = tmp_path / f"p{v}.pt"
        env = dict(os.environ, TORCH_ACTIVATIONS_CPU_PREFETCH=v)
        r = subprocess.run([sys.executable, "-c", _PREFETCH_SCRIPT, str(out)], env=env,
                           capture_output=True, text=True, timeout=300)
        if v == "2":
            assert r.returncode != 0 and "RuntimeError: torch_activations: TORCH_ACTIVATIONS_CPU_PREFETCH must be 0 or 1" in r.stderr, r.stderr[-2000:]
        else:
            assert r.returncode == 0, r.stderr[-2000:]
            results[v] = torch.load(out)
    for a, b in zip(results["0"], results["1"]):
        assert torch.equal(a.view(torch.int32), b.view(torch.int32))


_HIGH = [c for c in CASE_LIST if CASES[c[0]].mp is not None and not CASES[c[0]].piecewise_linear
         and not CASES[c[0]].piecewise_constant]


@pytest.mark.parametrize("name,params", _HIGH, ids=[case_id(n, p) for n, p in _HIGH])
def test_third_and_fourth_derivatives_against_mpmath(name, params):
    """f''' and f'''' (the jets) in float64 against mpmath's derivatives of
    the catalog formula, at points across [-6, 6] away from kinks."""
    case = CASES[name]
    x = torch.linspace(-6, 6, 23, dtype=torch.float64) + 0.0123
    kinks = list(case.kinks(params)) + list(getattr(case, "singular", ()))
    x = away_from(x, kinks, 0.05)
    ours = derivatives(lambda t: call(name, t, params), x, order=4)
    failures = []
    with mp.workdps(40):
        for i, xv in enumerate(x.tolist()):
            for order in (3, 4):
                truth = float(mp.diff(lambda t: case.mp(t, **params), mp.mpf(xv), order))
                got = float(ours[order][i])
                if not abs(got - truth) <= 1e-9 * abs(truth) + 1e-11:
                    failures.append(f"x={xv!r} order {order}: ours {got!r}, mpmath {truth!r}")
    assert not failures, f"{name} {params}:\n" + "\n".join(failures[:10])
