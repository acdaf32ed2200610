"""Activations with learnable parameters (catalog section 3).

The ops (prelu, swish_learnable, learnable_sigmoid, parametric_softplus,
srelu, pau, pade, pact, relu_polymix, dynamic_relu, lut, evonorm_b0,
evonorm_s0): forward and first derivatives (input and every parameter)
against the plain-torch formulas of tests/reference.py with random
parameters, shared ([1]) and per channel ([C]), on 4-D, 3-D, 2-D (the
kernels' row and lane loops) and 1-D inputs; gradcheck and gradgradcheck over
the input and all parameters; opcheck on every op and backward op; half
types; layouts; empty tensors; deterministic parameter gradients; errors.

The modules: forward against the references (DynamicReLU and EvoNorm: the
papers' formulas in plain torch), a few optimizer steps lower a loss, train
and eval modes (EvoNormB0's running variance), reset_parameters, extra_repr,
TorchScript, state_dict round trips, the registry, and the two accuracy
figures of the issue (PadeActivation() against leaky_relu, the 257-entry
gelu table against gelu).
"""

import copy
import math
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

import pytest
import torch
import torch.nn.functional as TF

import reference as R
import torch_activations as ta
from util import num_threads, strided_copy, ulp

OPS = torch.ops.torch_activations
F = ta.functional
f64 = torch.float64


@pytest.fixture(autouse=True)
def one_thread():
    # single-threaded, as in test_dim_ops (the threaded paths: determinism test)
    with num_threads(1):
        yield


# The op and module specs (what each learnable op is tested with) are in
# tests/cases.py, beside the pointwise and dim cases.
from cases import (ALL_IDS, ALL_SPECS, KERNEL_LAYOUTS, KERNEL_SPECS, SMALL, LEARNABLE_SPECS as OP_SPECS, LUT_TABLE,
                   MOD_IDS, MODULE_SPECS as MODULES, PACT, SPEC_IDS, Mod, Op, _groups, _params, _spec, _u)


def _layout_id(layout):
    shape, pc = layout
    return "x".join(map(str, shape)) + ("-perchannel" if pc else "-shared")


def _cases(which):
    return [(s, lay) for s in OP_SPECS for lay in getattr(s, which)]


FWD = _cases("layouts")
FWD_IDS = [f"{s.id}-{_layout_id(lay)}" for s, lay in FWD]
SMALL_CASES = _cases("small")
SMALL_IDS = [f"{s.id}-{_layout_id(lay)}" for s, lay in SMALL_CASES]


def _away(x, points, eps):
    """x with the entries closer than eps to a point moved 1.5 eps away from it."""
    for _ in range(3):
        for p in points:
            d = x - p
            x = torch.where(d.abs() < eps, x + torch.where(d >= 0, 1.5 * eps, -1.5 * eps) - d, x)
    return x


def setup(spec, layout, dtype=f64, device="cpu", seed=0, scale=2.0, eps=0.03):
    """Input (away from the op's kinks) and parameters for one layout."""
    shape, pc = layout
    g = torch.Generator().manual_seed(seed)
    params = spec.make(shape, pc, g)
    x = torch.randn(shape, generator=g, dtype=f64) * scale
    x = _away(x, spec.kinks(x, params), eps)
    return x.to(device, dtype), {k: v.to(device, dtype) for k, v in params.items()}


def _grad_params(spec, params):
    return [k for k in params if k not in spec.nograd]


def _all_grads(spec, fn, x, params, gy=None, create_graph=False):
    """fn(x, **params), grad_output and the gradients of x and the parameters
    (new leaves that share x's and the parameters' memory and layout)."""
    x = x.detach().requires_grad_()
    p = {k: v.detach().requires_grad_(k not in spec.nograd) for k, v in params.items()}
    y = fn(x, **p)
    gy = torch.randn_like(y) if gy is None else gy
    names = _grad_params(spec, p)
    grads = torch.autograd.grad(y, [x] + [p[k] for k in names], gy, create_graph=create_graph)
    return y, gy, dict(zip(["input"] + names, grads))


# ------------------------------------------------------------ forward
@pytest.mark.parametrize("spec,layout", FWD, ids=FWD_IDS)
def test_forward_matches_reference(spec, layout, device):
    x, p = setup(spec, layout, device=device)
    y = spec(x, **p)
    assert y.shape == x.shape and y.dtype == x.dtype
    torch.testing.assert_close(y, spec.ref(x, **p), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("spec,layout", FWD, ids=FWD_IDS)
def test_first_derivatives_match_reference(spec, layout, device):
    """The gradients of the input and of every parameter (reduced over the
    batch and spatial dims inside the kernel) against autograd of the formula."""
    x, p = setup(spec, layout, device=device)
    _, gy, ours = _all_grads(spec, spec, x, p)
    _, _, ref = _all_grads(spec, spec.ref, x, p, gy)
    for k in ours:
        torch.testing.assert_close(ours[k], ref[k], rtol=1e-11, atol=1e-12, msg=lambda m: f"d/d{k}: {m}")


@pytest.mark.parametrize("spec,layout", SMALL_CASES, ids=SMALL_IDS)
def test_gradcheck_and_gradgradcheck(spec, layout, device):
    """Float64 gradcheck and gradgradcheck over the input and all parameters."""
    x, p = setup(spec, layout, device=device)
    names = _grad_params(spec, p)
    fixed = {k: v for k, v in p.items() if k in spec.nograd}

    def fn(x, *ps):
        return spec(x, **dict(zip(names, ps)), **fixed)

    inputs = (x.requires_grad_(),) + tuple(p[k].requires_grad_() for k in names)
    assert torch.autograd.gradcheck(fn, inputs)
    assert torch.autograd.gradgradcheck(fn, inputs)


MEDIUM = (((2, 3, 40, 40), True), ((2, 3, 40, 40), False), ((3000, 5), True))


@pytest.mark.parametrize("spec", OP_SPECS, ids=SPEC_IDS)
def test_second_derivatives_match_reference(spec):
    """Hessian-vector products (the double backward: grad_output, input and
    parameter terms, the parameter terms reduced over several chunks of the
    kernels' fixed chunking) against autograd of the formula, on 9,600- and
    15,000-element inputs, row and lane loops."""
    tested = 0
    for layout in MEDIUM:
        if not any(layout[1] == pc and len(layout[0]) == len(shape) for shape, pc in spec.layouts):
            continue
        tested += 1
        shape, pc = layout
        if spec.name == "evonorm_s0":
            shape = (shape[0], 6) + shape[2:]
        x, p = setup(spec, (shape, pc), seed=4)
        g = torch.Generator().manual_seed(7)
        gy = torch.randn(x.shape, generator=g, dtype=f64)
        names = _grad_params(spec, p)
        vs = None
        results = []
        for fn in (spec, spec.ref):
            xs = x.clone().requires_grad_()
            ps = {k: v.clone().requires_grad_(k in names) for k, v in p.items()}
            gys = gy.clone().requires_grad_()
            leaves = [xs] + [ps[k] for k in names]
            first = torch.autograd.grad(fn(xs, **ps), leaves, gys, create_graph=True)
            if vs is None:
                vs = [torch.randn(t.shape, generator=g, dtype=f64) for t in first]
            hvp = torch.autograd.grad(sum((v * t).sum() for v, t in zip(vs, first)), leaves + [gys],
                                      allow_unused=True, materialize_grads=True)
            results.append(hvp)
        for k, a, b in zip(["input"] + names + ["grad_output"], *results):
            torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-10, msg=lambda m: f"{layout} {k}: {m}")
    assert tested


def test_third_derivative_raises():
    x, p = setup(OP_SPECS[2], SMALL[0])
    x.requires_grad_()
    (g,) = torch.autograd.grad(F.learnable_sigmoid(x, **p).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="learnable_sigmoid: the derivative of its double backward"):
        torch.autograd.grad(h.sum(), x)


# ------------------------------------------------------------ opcheck
OPCHECK = [(s, suffix) for s in OP_SPECS if not s.composite for suffix in ("", "_backward", "_double_backward")] \
    + [(PACT, suffix) for suffix in ("", "_backward", "_double_backward")] \
    + [(s, "") for s in OP_SPECS if s.composite]


@pytest.mark.parametrize("spec,suffix", OPCHECK, ids=[s.id + suffix for s, suffix in OPCHECK])
def test_opcheck(spec, suffix, device):
    x, p = setup(spec, spec.small[0], device=device)
    weight, *extra = spec.pack(p)
    op = getattr(OPS, spec.name + suffix).default
    if spec.composite:
        # evonorm_*: CompositeImplicitAutograd (autograd from the composition):
        # input, gamma, beta, v, then running_var or groups, ...
        args = (x.requires_grad_(), *(t.requires_grad_() for t in (weight, *extra[:2])), *extra[2:])
        torch.library.opcheck(op, args)
        return
    if suffix == "":
        args = (x.requires_grad_(), weight.requires_grad_())
    elif suffix == "_backward":
        args = (torch.randn_like(x).requires_grad_(), x.requires_grad_(), weight.requires_grad_())
    else:
        # The double backward ops raise for a third derivative by design, so
        # their inputs do not require grad here (opcheck's aot_dispatch test
        # would differentiate them); gradgradcheck checks their values.
        args = (torch.randn_like(x), torch.randn_like(weight), torch.randn_like(x), x, weight)
    torch.library.opcheck(op, (*args, *extra))


# ------------------------------------------------------------- PACT
def test_pact_forward_and_straight_through_gradients(device):
    """PACT's derivatives are the catalog's, not the forward's (a staircase):
    d/dx = 1 on (0, alpha), d/dalpha = 1 where x >= alpha (summed per
    channel); the second derivatives are 0."""
    for layout in KERNEL_LAYOUTS:
        x, p = setup(PACT, layout, device=device, seed=3)
        torch.testing.assert_close(PACT(x, **p), R.pact(x, **p, levels=3), rtol=1e-12, atol=1e-13)
        xr = x.clone().requires_grad_()
        alpha = p["max_val"].clone().requires_grad_()
        y = F.pact(xr, alpha, 3)
        gy = torch.randn_like(y)
        gx, ga = torch.autograd.grad(y, [xr, alpha], gy, create_graph=True)
        dx, da = R.pact_ste_grads(x, p["max_val"])
        torch.testing.assert_close(gx, gy * dx, rtol=0, atol=0)
        dims = [0] + list(range(2, x.dim())) if alpha.numel() > 1 else list(range(x.dim()))
        torch.testing.assert_close(ga, (gy * da).sum(dims).reshape(alpha.shape), rtol=1e-12, atol=1e-12)
        h = torch.autograd.grad((gx * gx).sum() + ga.sum(), [xr, alpha], allow_unused=True, materialize_grads=True)
        assert all((t == 0).all() for t in h)
    # the staircase: alpha = 1, 3 levels, round half to even
    y = F.pact(torch.tensor([-1.0, 0.1, 0.2, 0.5, 0.9, 1.0, 5.0], dtype=f64), torch.ones(1, dtype=f64), 3)
    assert y.tolist() == pytest.approx([0, 0, 1 / 3, 2 / 3, 1, 1, 1])


# -------------------------------------------------------- conventions
def test_pau_gradient_at_zero():
    """At x = 0 the input gradient takes |x|^{p-1} as 1 for p = 1 and 0
    otherwise (csrc/math/learnable.h); d/dp = 0 there."""
    x = torch.tensor([0.0, 0.0], dtype=f64, requires_grad=True)
    coeffs = torch.tensor([[1.5], [0.5], [2.0]], dtype=f64, requires_grad=True)
    for powers, expect in (((1.0, 2.0, 3.0), 1.5), ((0.5, 2.0, 1.0), 2.0), ((0.5, 1.5, 2.0), 0.0)):
        pw = torch.tensor(powers, dtype=f64).reshape(3, 1).requires_grad_()
        y = F.pau(x, coeffs, pw)
        assert (y == 0).all()
        gx, gc, gp = torch.autograd.grad(y.sum(), [x, coeffs, pw])
        assert gx.tolist() == [expect, expect]
        assert (gc == 0).all() and (gp == 0).all()


def test_prelu_matches_torch():
    x = torch.randn(4, 3, 5, 5, dtype=f64)
    for w in (torch.tensor([0.3], dtype=f64), torch.tensor([0.1, -0.2, 0.7], dtype=f64)):
        xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
        wa, wb = w.clone().requires_grad_(), w.clone().requires_grad_()
        ya, yb = F.prelu(xa, wa), TF.prelu(xb, wb)
        torch.testing.assert_close(ya, yb, rtol=0, atol=0)
        gy = torch.randn_like(ya)
        for a, b in zip(torch.autograd.grad(ya, [xa, wa], gy), torch.autograd.grad(yb, [xb, wb], gy)):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_swish_beta_derivative():
    """d/dbeta x sigma(beta x) = x^2 sigma(beta x)(1 - sigma(beta x)); beta = 1 is silu."""
    x = torch.randn(50, dtype=f64)
    beta = torch.tensor([1.0], dtype=f64, requires_grad=True)
    y = F.swish_learnable(x, beta)
    torch.testing.assert_close(y, TF.silu(x), rtol=1e-14, atol=1e-15)
    (gb,) = torch.autograd.grad(y.sum(), beta)
    s = torch.sigmoid(x)
    torch.testing.assert_close(gb, (x * x * s * (1 - s)).sum().reshape(1), rtol=1e-12, atol=0)


def test_lut_gradients_are_slopes_and_interpolation_weights():
    table = torch.tensor([0.0, 1.0, 4.0, 2.0, -1.0], dtype=f64, requires_grad=True)  # knots -1, -0.5, 0, .5, 1
    x = torch.tensor([-3.0, -0.75, 0.25, 0.6, 2.0], dtype=f64, requires_grad=True)
    y = F.lut(x, table, -1.0, 1.0)
    torch.testing.assert_close(y, torch.tensor([0.0, 0.5, 3.0, 1.4, -1.0], dtype=f64))
    gx, gt = torch.autograd.grad(y.sum(), [x, table])
    torch.testing.assert_close(gx, torch.tensor([0.0, 2.0, -4.0, -6.0, 0.0], dtype=f64))
    # weights: x=-3 -> T0; -0.75 -> .5 T0 + .5 T1; 0.25 -> .5 T2 + .5 T3; 0.6 -> .8 T3 + .2 T4; 2 -> T4
    torch.testing.assert_close(gt, torch.tensor([1.5, 0.5, 0.5, 1.3, 1.2], dtype=f64))


# ---------------------------------------------------------- half types
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "f16"])
@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_half_types_match_float32(spec, dtype, device):
    """16-bit input and parameters: the values and the input gradient are the
    float32 results for the same rounded values, to one ulp of the 16-bit
    output; parameter gradients (sums over the batch) to a few ulps.  (The
    EvoNorms are compositions of ATen ops, which round every intermediate
    to 16 bits: to a few 16-bit epsilons.)"""
    x, p = setup(spec, spec.layouts[0], dtype=dtype, device=device)
    y16, gy, g16 = _all_grads(spec, spec, x, p)
    y32, _, g32 = _all_grads(spec, spec, x.float(), {k: v.float() for k, v in p.items()}, gy.float())
    if spec.composite:
        eps = torch.finfo(dtype).eps
        for key, got, expect in [("output", y16, y32)] + [(k, g16[k], g32[k]) for k in g16]:
            assert got.dtype == dtype
            scale = expect.abs().max().item()
            torch.testing.assert_close(got.float(), expect, rtol=8 * eps, atol=8 * eps * scale,
                                       msg=lambda m: f"{key}: {m}")
        return
    for key, got, expect in [("output", y16, y32)] + [(k, g16[k], g32[k]) for k in g16]:
        assert got.dtype == dtype
        got, expect = got.double(), expect.detach().to(dtype).double()
        diff = (got - expect).abs()
        tol = ulp(expect, dtype) * (1 if key in ("output", "input") else 4)
        assert (diff <= tol).all(), f"{key}: max diff {diff.max().item()}"


# ------------------------------------------------------ layouts, shapes
@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_noncontiguous_and_channels_last(spec, device):
    """The same values and gradients (input and parameters) for any layout of
    the input: channels_last, a transposed storage, a strided view."""
    shape, pc = spec.layouts[0]
    if len(shape) != 4:
        pytest.skip("4-D layouts")
    x, p = setup(spec, (shape, pc), dtype=torch.float32, device=device)
    y, gy, g = _all_grads(spec, spec, x, p)
    for v in (x.to(memory_format=torch.channels_last), x.transpose(1, 3).contiguous().transpose(1, 3),
              strided_copy(x)):
        assert torch.equal(v, x) and not v.is_contiguous()
        yv, _, gv = _all_grads(spec, spec, v, p, gy)
        torch.testing.assert_close(yv, y, rtol=1e-6, atol=1e-6)
        for k in g:
            torch.testing.assert_close(gv[k], g[k], rtol=1e-5, atol=1e-5)
    if not spec.composite:
        # the raw op with a non-contiguous weight
        weight, *extra = spec.pack(p)
        strided = strided_copy(weight)
        assert not strided.is_contiguous()
        torch.testing.assert_close(getattr(OPS, spec.name)(x, strided, *extra), y, rtol=0, atol=0)
        gx, gw = getattr(OPS, spec.name + "_backward")(gy, x, strided, *extra)
        gx0, gw0 = getattr(OPS, spec.name + "_backward")(gy, x, weight, *extra)
        assert torch.equal(gx, gx0) and torch.equal(gw, gw0) and gw.shape == weight.shape


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_empty_input(spec, device):
    """No elements: an empty output, zero parameter gradients."""
    shape, pc = spec.layouts[0]
    _, p = setup(spec, (shape, pc), device=device)
    empties = [(shape[0], shape[1], 0) + tuple(shape[3:])]
    if not spec.composite and spec.name != "dynamic_relu":  # (coefs are per sample)
        empties.append((0,) + tuple(shape[1:]))
    for empty in empties:
        x = torch.empty(empty, dtype=f64, device=device)
        y, _, g = _all_grads(spec, spec, x, p)
        assert y.shape == x.shape
        for k, t in g.items():
            assert t.shape == (x.shape if k == "input" else p[k].shape) and (t == 0).all(), k


# ------------------------------------------------------- determinism
@pytest.mark.parametrize("spec", KERNEL_SPECS, ids=[s.id for s in KERNEL_SPECS])
def test_parameter_gradients_are_deterministic(spec):
    """Parameter gradients reduced over 2^16 float32 elements (16 or more
    chunks): bitwise the same across runs and with 1 or 2 threads (fixed
    chunking), on the row (4-D) and lane (2-D) loops and shared; and the
    float32 sums agree with the float64 formula."""
    for layout in (((4, 4, 64, 64), True), ((8192, 8), True), ((4, 4, 64, 64), False)):
        x, p = setup(spec, layout, dtype=torch.float32, seed=5)
        gy = torch.randn(x.shape, generator=torch.Generator().manual_seed(6))
        runs = []
        for threads in (1, 2, 2):
            with num_threads(threads):
                runs.append(_all_grads(spec, spec, x, p, gy)[2])
        for k in runs[0]:
            for r in runs[1:]:
                assert torch.equal(r[k], runs[0][k]), f"d/d{k} differs between runs"
        # and the float32 sums are right (the float64 formula at the same values)
        if spec is not PACT:
            _, _, ref = _all_grads(spec, spec.ref, x.double(), {k: v.double() for k, v in p.items()}, gy.double())
            for k in runs[0]:
                scale = ref[k].abs().max().item()
                torch.testing.assert_close(runs[0][k].double(), ref[k], rtol=1e-4, atol=1e-5 * scale,
                                           msg=lambda m: f"d/d{k}: {m}")


def _capabilities():
    return ta.cpu_capabilities_up_to_current()


@pytest.mark.parametrize("spec", KERNEL_SPECS, ids=[s.id for s in KERNEL_SPECS])
def test_instruction_sets_agree(spec):
    """The scalar (DEFAULT) and vectorized builds: the same values and
    gradients to float32 rounding, on both loop shapes."""
    previous = ta.cpu_capability()
    for layout in spec.layouts[:3]:
        x, p = setup(spec, layout, dtype=torch.float32)
        results = {}
        try:
            for cap in _capabilities():
                ta.set_cpu_capability(cap)
                y, gy, g = _all_grads(spec, spec, x, p, torch.ones_like(x))
                results[cap] = [y] + list(g.values())
        finally:
            ta.set_cpu_capability(previous)
        for cap, vals in results.items():
            for a, b in zip(vals, results["DEFAULT"]):
                torch.testing.assert_close(a, b, rtol=2e-5, atol=2e-5, msg=lambda m: f"{cap}: {m}")


# ------------------------------------------------------------- errors
ERRORS = [
    (lambda: ta.PReLU(3)(torch.randn(2, 4)),
     r"^prelu: weight has 3 groups but the input has C = input.size\(1\) = 4 channels"),
    (lambda: F.prelu(torch.randn(2, 4, 5), torch.ones(2, 4)), r"^prelu: weight must be 1-D"),
    (lambda: F.prelu(torch.randn(7), torch.ones(7)), r"^prelu: the input has no channel dimension"),
    (lambda: F.prelu(torch.randn(2, 3), torch.ones(3, dtype=f64)),
     r"^prelu: input has dtype Float but weight has dtype Double"),
    (lambda: ta.SReLU(5)(torch.randn(2, 3, 4)),
     r"^srelu: weight has 5 groups but the input has C = input.size\(1\) = 3"),
    (lambda: OPS.srelu(torch.randn(2, 3), torch.ones(3, 3)), r"^srelu: expected 4 parameters per group"),
    (lambda: OPS.pade(torch.randn(2, 3), torch.ones(9, 1), 5, 4), r"^pade: expected 10 parameters per group"),
    (lambda: OPS.pade(torch.randn(2, 3), torch.ones(10, 1), 9, 0), r"^pade: num_degree must be in \[0, 8\]"),
    (lambda: ta.PadeActivation(degrees=(5, 0)), r"^PadeActivation: degrees must be"),
    (lambda: F.pau(torch.randn(2, 3), torch.ones(2, 1), torch.tensor([[1.0], [-0.5]])),
     r"^pau: powers must be positive"),
    (lambda: OPS.pau(torch.randn(2, 3), torch.ones(3, 1)), r"^pau: expected 2K parameters per group"),
    (lambda: ta.PAU(powers=(1.0, 0.0)), r"^PAU: powers must be positive"),
    (lambda: F.parametric_softplus(torch.randn(2, 3), torch.ones(1), torch.zeros(1)),
     r"^parametric_softplus: beta must be positive"),
    (lambda: F.pact(torch.randn(2, 3), torch.zeros(1)), r"^pact: max_val must be positive"),
    (lambda: F.pact(torch.randn(2, 3), torch.ones(1), 0), r"^pact: levels must be >= 1"),
    (lambda: F.relu_polymix(torch.randn(2, 3), torch.ones(1), torch.ones(1), 0),
     r"^relu_polymix: degree must be in \[1, 16\]"),
    (lambda: ta.ReLUPolyMix(degree=17), r"^ReLUPolyMix: degree must be in \[1, 16\]"),
    (lambda: F.dynamic_relu(torch.randn(2, 3, 4), torch.randn(2, 4, 2, 2)),
     r"^dynamic_relu: coefs have shape \[2, 4, 2, 2\] but the input has N = 2 and C = 3"),
    (lambda: F.dynamic_relu(torch.randn(2, 3), torch.randn(2, 3, 2)),
     r"^dynamic_relu: coefs must have shape \[N, C or 1, K, 2\]"),
    (lambda: F.dynamic_relu(torch.randn(2, 3), torch.randn(2, 3, 5, 2)),
     r"^dynamic_relu: coefs must have shape .* 1 <= K <= 4"),
    (lambda: F.dynamic_relu(torch.randn(6), torch.randn(6, 1, 2, 2)), r"^dynamic_relu: "),
    (lambda: ta.DynamicReLU(8, mode="C"), r"^DynamicReLU: mode must be 'A' or 'B'"),
    (lambda: ta.DynamicReLU(8)(torch.randn(2, 6, 3, 3)), r"^DynamicReLU: .*C = channels = 8, got shape \[2, 6, 3, 3\]"),
    (lambda: ta.DynamicReLU(8)(torch.randn(8)), r"^DynamicReLU: .*got shape \[8\]"),
    (lambda: ta.EvoNormS0(6, groups=4), r"^EvoNormS0: num_features \(6\) must be divisible by groups \(4\)"),
    (lambda: F.evonorm_s0(torch.randn(2, 6, 3), torch.ones(6), torch.zeros(6), torch.ones(6), 4),
     r"^evonorm_s0: the number of channels \(6\) is not divisible by groups \(4\)"),
    (lambda: ta.EvoNormS0(8, groups=4)(torch.randn(2, 6, 3)),
     r"^evonorm_s0: gamma must have shape \[C\] = \[6\], got \[8\]"),
    (lambda: ta.EvoNormB0(4)(torch.randn(2, 4)),
     r"^evonorm_b0: expected an input \[N, C, \*\] with at least one spatial"),
    (lambda: ta.EvoNormB0(4)(torch.randn(2, 5, 3)), r"^evonorm_b0: gamma must have shape \[C\] = \[5\], got \[4\]"),
    (lambda: F.evonorm_b0(torch.randn(2, 4, 3), torch.ones(4), torch.zeros(4), torch.ones(4), None, False),
     r"^evonorm_b0: running_var is required in eval mode"),
    (lambda: ta.LUTActivation(torch.tensor([1.0])),
     r"^LUTActivation: table must be 1-D with at least 2 entries, got shape \(1,\)"),
    (lambda: ta.LUTActivation(torch.ones(2, 3)), r"^LUTActivation: table must be 1-D"),
    (lambda: ta.LUTActivation(torch.ones(4), (1.0, 1.0)), r"^LUTActivation: range must be finite with lo < hi"),
    (lambda: F.lut(torch.randn(3), torch.ones(1)), r"^lut: table must have at least 2 entries, got 1"),
    (lambda: F.lut(torch.randn(3), torch.ones(4), 2.0, -2.0), r"^lut: lo must be < hi"),
    (lambda: F.lut(torch.randn(3), torch.ones(4), -math.inf, 2.0), r"^lut: lo must be finite"),
    (lambda: F.lut(torch.randn(3), torch.ones(4, dtype=f64)),
     r"^lut: input has dtype Float but table has dtype Double"),
    (lambda: ta.MaxoutLinear(4, 3, 0), r"^MaxoutLinear: pieces must be >= 1"),
    (lambda: ta.PReLU(0), r"^PReLU: num_parameters must be >= 1, got 0"),
    (lambda: ta.Swish(learnable=True, inplace=True), r"^Swish: inplace=True is not supported with learnable=True"),
    (lambda: OPS.prelu_backward(torch.randn(2, 4), torch.randn(2, 3), torch.ones(1)),
     r"^prelu_backward: grad_output has shape \[2, 4\] but self has shape \[2, 3\]"),
    (lambda: OPS.lut_backward(torch.randn(2, 4), torch.randn(2, 3), torch.ones(3), -1.0, 1.0),
     r"^lut_backward: grad_output has shape \[2, 4\] but self has shape \[2, 3\]"),
]


def _error_id(i, e):
    message = e.values[1] if hasattr(e, "values") else e[1]
    return f"{i}-" + message.strip("^").split(":")[0]


@pytest.mark.parametrize("fn,message", ERRORS, ids=[_error_id(i, e) for i, e in enumerate(ERRORS)])
def test_errors(fn, message):
    with pytest.raises((RuntimeError, ValueError), match=message):
        fn()


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_integer_input_errors(spec):
    _, p = setup(spec, spec.layouts[0])
    bad = torch.zeros(spec.layouts[0][0], dtype=torch.long)
    with pytest.raises(RuntimeError, match=rf"^{spec.name}: expected input to be a floating-point tensor"):
        spec(bad, **p)




def randomized(mod, channels=4, per_channel=True, seed=0, shape=(2, 4, 3, 3)):
    """The module in float64 with random, non-default parameter values (the
    op's random values where the parameter names match)."""
    torch.manual_seed(seed)
    m = mod.build(channels, per_channel).double()
    if mod.op is not None:
        values = mod.op.make(shape, per_channel, torch.Generator().manual_seed(seed))
        with torch.no_grad():
            for name, prm in m.named_parameters():
                prm.copy_(values[name].reshape(prm.shape))
    return m


def module_ref(mod, m, x):
    if mod.ref is not None:
        return mod.ref(m, x)
    kw = dict(mod.op.kw)  # the module's arguments, from the module
    if isinstance(m, ta.QuantReLU):
        kw["levels"] = m.levels
    if isinstance(m, ta.LUTActivation):
        kw.update(lo=m.lo, hi=m.hi)
    if isinstance(m, ta.ReLUPolyMix):
        kw["degree"] = m.degree
    return getattr(R, mod.op.name)(x, **_params(m), **kw)


MODULE_FWD = [(mod, shape, pc) for mod in MODULES for shape in mod.shapes for pc in mod.per_channel]


@pytest.mark.parametrize("mod,shape,per_channel", MODULE_FWD,
                         ids=[f"{m.id}-{'x'.join(map(str, s))}-{'C' if pc else '1'}" for m, s, pc in MODULE_FWD])
def test_module_forward_matches_reference(mod, shape, per_channel):
    m = randomized(mod, 4, per_channel, shape=shape)
    x = torch.randn(shape, dtype=f64)
    if mod.op is not None:
        x = _away(x, mod.op.kinks(x, _params(m)) if mod.op.name != "dynamic_relu" else [], 0.03)
    for training in (True, False):
        m.train(training)
        with torch.no_grad():
            torch.testing.assert_close(m(x), module_ref(mod, m, x), rtol=1e-12, atol=1e-13)


def _loss_target(x):
    return 0.8 * torch.tanh(1.5 * x) + 0.3 * x


@pytest.mark.parametrize("mod", MODULES, ids=MOD_IDS)
def test_module_lowers_a_loss(mod):
    """A few Adam steps on a simple regression: every parameter changes and
    the loss goes down."""
    torch.manual_seed(1)
    m = mod.build(4, True)
    x = torch.randn((64, 4) if mod.id == "MaxoutLinear" else (16, 4, 3, 3)) * 2
    target = _loss_target(x) if mod.id != "MaxoutLinear" else _loss_target(x[:, :3])
    before = copy.deepcopy(m.state_dict())
    opt = torch.optim.Adam(m.parameters(), lr=0.03)
    losses = []
    for _ in range(8):
        opt.zero_grad()
        loss = TF.mse_loss(m(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0], losses
    for name, prm in m.named_parameters():
        assert not torch.equal(prm.detach(), before[name]), f"{name} did not change"


@pytest.mark.parametrize("mod", MODULES, ids=MOD_IDS)
def test_module_script_state_dict_and_repr(mod, tmp_path):
    assert mod.build(4, False).extra_repr() == mod.repr
    m = randomized(mod, per_channel=mod.per_channel[-1]).float()
    x = torch.randn((5, 4) if mod.id == "MaxoutLinear" else (2, 4, 3, 3))
    # TorchScript: same values and gradients, in train and eval mode, and saved/loaded
    s = torch.jit.script(copy.deepcopy(m))
    path = tmp_path / "m.pt"
    s.save(str(path))
    loaded = torch.jit.load(str(path))
    for training in (True, False):
        for mm in (m, s, loaded):
            mm.train(training)
        xs = [x.clone().requires_grad_() for _ in range(3)]
        outs = [mm(xi) for mm, xi in zip((m, s, loaded), xs)]
        grads = [torch.autograd.grad(o.square().sum(), [xi] + list(mm.parameters()))
                 for o, xi, mm in zip(outs, xs, (m, s, loaded))]
        for o, g in zip(outs[1:], grads[1:]):
            torch.testing.assert_close(o, outs[0], rtol=1e-6, atol=1e-6)
            for a, b in zip(g, grads[0]):
                torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    # state_dict into a fresh module
    m.eval()
    other = mod.build(4, mod.per_channel[-1]).float().eval()
    other.load_state_dict(m.state_dict())
    torch.testing.assert_close(other(x), m(x), rtol=0, atol=0)
    assert set(other.state_dict()) == set(m.state_dict())


DEFAULTS = {
    "PReLU": {"weight": [0.25]},
    "Swish": {"beta": [1.0]},
    "LearnableSigmoid": {"alpha": [1.0], "beta": [0.0]},
    "ParametricSoftplus": {"alpha": [1.0], "beta": [1.0]},
    "SReLU": {"t_left": [0.0], "a_left": [0.01], "t_right": [1.0], "a_right": [0.01]},
    "PAU": {"coeffs": [[1.0], [0.1]], "powers": [[1.0], [2.0]]},
    "PadeActivation": {"numerator": [[v] for v in (0.0335583603, 0.505000375, 1.65343934, 2.01001052,
                                                   0.931901999, 0.152424124)],
                       "denominator": [[v] for v in (3.30847488e-6, 3.98021568, 5.12471206e-7, 0.301830109)]},
    "ReLUPolyMix": {"a": [0.25], "b": [0.0]},
    "QuantReLU": {"max_val": [1.0]},
    "EvoNormB0": {"gamma": [1.0] * 4, "beta": [0.0] * 4, "v": [1.0] * 4, "running_var": [1.0] * 4},
    "EvoNormS0": {"gamma": [1.0] * 4, "beta": [0.0] * 4, "v": [1.0] * 4},
    "DynamicReLU": {"init_a": [1.0, 0.0], "init_b": [0.0, 0.0]},
}


def _default_module(name):
    return {"PReLU": ta.PReLU(), "Swish": ta.Swish(learnable=True), "LearnableSigmoid": ta.LearnableSigmoid(),
            "ParametricSoftplus": ta.ParametricSoftplus(), "SReLU": ta.SReLU(), "PAU": ta.PAU(),
            "PadeActivation": ta.PadeActivation(), "ReLUPolyMix": ta.ReLUPolyMix(),
            "QuantReLU": ta.QuantReLU(learnable=True), "EvoNormB0": ta.EvoNormB0(4),
            "EvoNormS0": ta.EvoNormS0(4, groups=2), "DynamicReLU": ta.DynamicReLU(4)}[name]


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_catalog_defaults_and_reset_parameters(name):
    """Fresh modules hold the catalog's initial values; reset_parameters()
    restores them after training has moved them (and EvoNormB0's running
    variance)."""
    m = _default_module(name)
    state = m.state_dict()
    for k, v in DEFAULTS[name].items():
        torch.testing.assert_close(state[k], torch.tensor(v), rtol=0, atol=0)
    if name == "DynamicReLU":
        assert m.lambda_a == 1.0 and m.lambda_b == 0.5 and m.k == 2 and m.mode == "B"
    with torch.no_grad():
        for t in list(m.parameters()) + [b for k, b in m.named_buffers() if k == "running_var"]:
            t.add_(0.37)
    m.reset_parameters()
    for k, v in state.items():
        if name == "DynamicReLU" and k.startswith("fc"):
            continue
        torch.testing.assert_close(m.state_dict()[k], v, rtol=0, atol=0, msg=lambda s: f"{k}: {s}")


@pytest.mark.parametrize("cls,args", [(ta.DynamicReLU, (8,)), (ta.MaxoutLinear, (8, 3, 2))])
def test_reset_parameters_of_linear_layers(cls, args):
    m = cls(*args)
    with torch.no_grad():
        for p in m.parameters():
            p.fill_(100.0)
    m.reset_parameters()
    linears = [lin for lin in m.modules() if isinstance(lin, torch.nn.Linear)]
    assert linears
    for lin in linears:
        bound = 1 / math.sqrt(lin.in_features)  # nn.Linear's initialisation
        for p in (lin.weight, lin.bias):
            assert 0 < p.abs().max() <= bound


def test_lut_reset_parameters_restores_the_table():
    m = ta.LUTActivation(LUT_TABLE, (-2.0, 1.5))
    with torch.no_grad():
        m.table.mul_(3)
    m.reset_parameters()
    assert torch.equal(m.table.detach(), LUT_TABLE)


def test_registry_entries_build_the_modules():
    required = {"dynamic_relu": {"channels": 8}, "evonorm_b0": {"num_features": 8},
                "evonorm_s0": {"num_features": 8, "groups": 4}, "lut": {"table": LUT_TABLE},
                "maxout_linear": {"in_features": 4, "out_features": 3, "pieces": 2}}
    infos = ta.list_activations("learnable")
    assert {i.name for i in infos} == {"prelu", "swish_learnable", "learnable_sigmoid", "parametric_softplus",
                                       "srelu", "pau", "pade", "dynamic_relu", "evonorm_b0", "evonorm_s0", "pact",
                                       "lut", "maxout_linear", "relu_polymix"}
    for info in infos:
        m = ta.get_activation(info.name, **required.get(info.name, {}))
        assert type(m).__name__ == info.module
        assert any(True for _ in m.parameters()), info.name
    assert ta.get_activation("swish_learnable").learnable and ta.get_activation("pact").learnable


# ------------------------------------------------------------ EvoNorm
def test_evonorm_b0_running_variance():
    """Training updates the running variance as BatchNorm does (momentum, the
    unbiased batch variance); eval uses it, and the reference agrees."""
    torch.manual_seed(2)
    m = randomized(MODULES[MOD_IDS.index("EvoNormB0")]).train()
    running = torch.ones(4, dtype=f64)
    for step in range(3):
        x = torch.randn(3, 4, 5, 6, dtype=f64) * (step + 1) + step
        y = m(x)
        ref, batch_var = R.evonorm_b0(x, m.gamma, m.beta, m.v, None, True, m.eps)
        running = R.evonorm_b0_running_var(running, batch_var, count=3 * 5 * 6, momentum=m.momentum)
        torch.testing.assert_close(y, ref, rtol=1e-12, atol=1e-13)
        torch.testing.assert_close(m.running_var, running.detach(), rtol=1e-13, atol=0)
    assert not torch.allclose(m.running_var, torch.ones(4, dtype=f64))
    m.eval()
    x = torch.randn(2, 4, 5, 6, dtype=f64)
    with torch.no_grad():
        expect = R.evonorm_b0(x, m.gamma, m.beta, m.v, running, False, m.eps)[0]
        torch.testing.assert_close(m(x), expect, rtol=1e-12, atol=1e-13)
        before = m.running_var.clone()
        m(x)
    assert torch.equal(m.running_var, before), "eval must not update the running variance"
    # the scripted module updates its buffer in the same way
    s = torch.jit.script(randomized(MODULES[MOD_IDS.index("EvoNormB0")]).train())
    s(torch.randn(3, 4, 5, 6, dtype=f64))
    assert not torch.allclose(s.running_var, torch.ones(4, dtype=f64))


def test_evonorm_s0_groups():
    """groups = 1 (layer-norm-like) and groups = C (instance-norm-like)."""
    x = torch.randn(3, 6, 4, 4, dtype=f64)
    for groups in (1, 2, 6):
        m = ta.EvoNormS0(6, groups=groups).double()
        with torch.no_grad():
            m.v.uniform_(-1, 1)
            m.gamma.uniform_(0.5, 1.5)
            torch.testing.assert_close(m(x), R.evonorm_s0(x, m.gamma, m.beta, m.v, groups), rtol=1e-12, atol=1e-13)


# -------------------------------------------------------- DynamicReLU
@pytest.mark.parametrize("mode", ["A", "B"])
def test_dynamic_relu_coefficients(mode):
    """coefficients(): [N, C (B) or 1 (A), k, 2] with a in alpha + lambda_a [-1, 1]
    and b in lambda_b [-1, 1]; at zero hyper-network output the module is relu."""
    m = ta.DynamicReLU(6, reduction=3, k=3, mode=mode).double()
    x = torch.randn(4, 6, 5, 5, dtype=f64)
    c = m.coefficients(x)
    assert c.shape == (4, 6 if mode == "B" else 1, 3, 2)
    init_a = torch.tensor([1.0, 0.0, 0.0], dtype=f64)
    assert ((c[..., 0] - init_a).abs() <= 1.0).all() and (c[..., 1].abs() <= 0.5).all()
    torch.testing.assert_close(m(x), R.dynamic_relu(x, c))
    with torch.no_grad():
        m.fc2.weight.zero_()
        m.fc2.bias.zero_()
    torch.testing.assert_close(m(x), torch.relu(x), rtol=0, atol=0)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_dynamic_relu_op_number_of_pieces(k):
    g = torch.Generator().manual_seed(k)
    x = torch.randn(3, 5, 4, 2, generator=g, dtype=f64)
    for groups in (5, 1):
        coefs = torch.randn(3, groups, k, 2, generator=g, dtype=f64)
        torch.testing.assert_close(F.dynamic_relu(x, coefs), R.dynamic_relu(x, coefs), rtol=1e-14, atol=1e-15)


# ---------------------------------------------- PadeActivation, LUTActivation
def test_pade_default_approximates_leaky_relu():
    """The issue's figure: max |PadeActivation()(x) - leaky_relu(x, 0.01)| on [-3, 3]."""
    x = torch.linspace(-3, 3, 60001, dtype=f64)
    m = ta.PadeActivation().double()
    with torch.no_grad():
        err = (m(x) - TF.leaky_relu(x, 0.01)).abs().max().item()
    print(f"\nPadeActivation() vs leaky_relu(0.01) on [-3, 3]: max error {err:.4g}")
    assert err < 0.05
    # the fitted initialisation of other degrees is a leaky-ReLU too
    m = ta.PadeActivation(degrees=(4, 3)).double()
    with torch.no_grad():
        assert (m(x) - TF.leaky_relu(x, 0.01)).abs().max().item() < 0.1


def test_lut_from_activation_gelu():
    """The issue's figure: max |LUTActivation.from_activation('gelu', 257, (-6, 6))(x) - gelu(x)|
    on [-6, 6]; the module's own max_error says the same."""
    m = ta.LUTActivation.from_activation("gelu", 257, (-6, 6))
    x = torch.linspace(-6, 6, 120001)
    with torch.no_grad():
        err = (m(x).double() - TF.gelu(x.double())).abs().max().item()
    print(f"\nLUTActivation.from_activation('gelu', 257, (-6, 6)) vs gelu on [-6, 6]: max error {err:.4g} "
          f"(module.max_error {m.max_error:.4g})")
    assert err < 1e-3
    assert m.max_error == pytest.approx(err, rel=0.05)
    assert m.extra_repr() == "size=257, range=(-6.0, 6.0)"
    # outside the range: the end values (clamped input)
    torch.testing.assert_close(m(torch.tensor([-50.0, 50.0])), m.table.detach()[[0, -1]])
    # from other activations, with parameters
    s = ta.LUTActivation.from_activation("softplus", 65, (-4, 4), beta=2.0)
    assert s.max_error < 1e-2
    x = torch.linspace(-5, 5, 101)
    torch.testing.assert_close(torch.jit.script(s)(x), s(x), rtol=0, atol=0)


# ------------------------------------------------------------ ReLUPolyMix
def test_relu_polymix_regularization_loss():
    m = ta.ReLUPolyMix(3, degree=2)
    with torch.no_grad():
        m.a.copy_(torch.tensor([0.1, 0.2, 0.3]))
        m.b.copy_(torch.tensor([0.0, 1.0, 2.0]))
    loss = m.regularization_loss()
    expect = (0.01 + 0.04 + 0.09) / 3 + (0.25 + 0.25 + 2.25) / 3
    assert loss.item() == pytest.approx(expect)
    loss.backward()
    torch.testing.assert_close(m.a.grad, 2 * m.a.detach() / 3)
    torch.testing.assert_close(m.b.grad, 2 * (m.b.detach() - 0.5) / 3)
