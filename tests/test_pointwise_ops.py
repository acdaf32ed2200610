"""The operators themselves: gradcheck/gradgradcheck, opcheck on every op and
backward op, agreement with the torch peers (values, gradients, kink
conventions), memory layouts, empty and 0-dim tensors, in-place variants and
error messages."""

import math

import pytest
import torch
import torch.nn.functional as TF

import reference
import torch_activations as ta
from cases import CASES, all_cases, case_id
from util import away_from, call, derivatives

OPS = torch.ops.torch_activations
CASE_LIST = all_cases()
IDS = [case_id(n, p) for n, p in CASE_LIST]


def _smooth_input(name, params, device, n=24, dtype=torch.float64):
    """Random inputs kept away from the op's kinks (finite differences
    straddling a kink measure neither side's derivative)."""
    g = torch.Generator().manual_seed(3)
    x = torch.randn(4 * n, generator=g, dtype=torch.float64) * 3
    x = away_from(x, CASES[name].kinks(params), 1e-2)[:n]
    return x.to(device=device, dtype=dtype)


def _schema_args(name, params):
    """The op's non-tensor arguments in schema order, defaults filled in."""
    schema = getattr(OPS, name).default._schema
    args = []
    for a in schema.arguments[1:]:
        args.append(params[a.name] if a.name in params else a.default_value)
    return args


# --------------------------------------------------------- gradcheck
@pytest.mark.parametrize("name,params", CASE_LIST, ids=IDS)
def test_gradcheck_and_gradgradcheck(name, params, device):
    if CASES[name].piecewise_constant:
        pytest.skip("straight-through gradient: not the derivative of the forward (tested below)")
    x = _smooth_input(name, params, device).requires_grad_()
    f = lambda t: call(name, t, params)  # noqa: E731
    assert torch.autograd.gradcheck(f, (x,))
    assert torch.autograd.gradgradcheck(f, (x,))


@pytest.mark.parametrize("name,params", CASE_LIST, ids=IDS)
def test_inplace_gradcheck(name, params, device):
    """In place through a non-leaf: same values and gradients (to second
    order) as out of place, whichever tensor the backward keeps."""
    if CASES[name].piecewise_constant:
        pytest.skip("straight-through gradient")
    x = _smooth_input(name, params, device).requires_grad_()

    def f(t):
        u = t * 1.0
        return call(name, u, params, inplace=True)

    assert torch.autograd.gradcheck(f, (x,))
    assert torch.autograd.gradgradcheck(f, (x,))
    torch.testing.assert_close(f(x), call(name, x, params), rtol=0, atol=0)


def test_quant_relu_straight_through():
    x = torch.tensor([-1.0, 0.0, 0.1, 0.5, 0.99, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = ta.functional.quant_relu(x)
    torch.testing.assert_close(y, torch.tensor([0, 0, 0, 0.5, 1.0, 1.0, 1.0], dtype=torch.float64))
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    torch.testing.assert_close(g, torch.tensor([0, 0, 1, 1, 1, 0, 0], dtype=torch.float64))
    (h,) = torch.autograd.grad(g.sum(), x)
    assert (h == 0).all()
    # round half to even: 0.125*4 = 0.5 -> 0, 0.375*4 = 1.5 -> 2
    torch.testing.assert_close(ta.functional.quant_relu(torch.tensor([0.125, 0.375])), torch.tensor([0.0, 0.5]))


@pytest.mark.parametrize("name,params", [c for c in CASE_LIST if not CASES[c[0]].piecewise_linear],
                         ids=[case_id(n, p) for n, p in CASE_LIST if not CASES[n].piecewise_linear])
def test_third_and_fourth_derivatives(name, params):
    """Derivatives of order 3 and 4 (jets, csrc/math/jet.h) against the plain
    float64 formula differentiated by autograd, and gradcheck of the double
    backward op (its derivative is the third derivative)."""
    x = _smooth_input(name, params, "cpu", n=16)
    kinks = list(CASES[name].kinks(params)) + list(CASES[name].singular)
    x = away_from(x, kinks, 1e-2)
    ours = derivatives(lambda t: call(name, t, params), x, order=4)
    ref = derivatives(lambda t: reference.formula(name)(t, **params), x, order=4)
    for order in (3, 4):
        torch.testing.assert_close(ours[order], ref[order], rtol=1e-8, atol=1e-9,
                                   msg=lambda m: f"{name} order {order}: {m}")
    xs = x.clone().requires_grad_()
    g = torch.randn_like(x, requires_grad=True)
    dbwd = getattr(OPS, name + "_double_backward")
    extra = _schema_args(name, params)
    gg = torch.randn_like(x, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b, t: dbwd(a, b, t, *extra), (gg, g, xs))


# ----------------------------------------------------------- opcheck
def _opcheck_cases():
    out = []
    for name, params in CASE_LIST:
        out.append((name, params, ""))
        out.append((name, params, "_"))
        for suffix in ("_backward", "_double_backward", "_backward_from_result",
                       "_double_backward_from_result"):
            if hasattr(OPS, name + suffix):
                out.append((name, params, suffix))
    return out


OPCHECK = _opcheck_cases()


@pytest.mark.parametrize("name,params,suffix", OPCHECK,
                         ids=[case_id(n, p) + s for n, p, s in OPCHECK])
def test_opcheck(name, params, suffix, device):
    op = getattr(OPS, name + suffix).default
    x = _smooth_input(name, params, device, n=12).reshape(3, 4)
    extra = _schema_args(name, params)
    if suffix in ("", "_"):
        tensors = [x.clone().requires_grad_(suffix == "")]
    elif suffix.startswith("_backward"):
        g = torch.randn_like(x)
        tensors = [g.requires_grad_(), x.clone().requires_grad_()]
    else:  # double backward: differentiable in grad_grad and grad_output only
        tensors = [torch.randn_like(x).requires_grad_(), torch.randn_like(x).requires_grad_(), x]
    torch.library.opcheck(op, (*tensors, *extra))


def test_opcheck_rrelu_training():
    # Random op: run opcheck's schema/registration/fake-tensor checks (the
    # aot_dispatch check compares two runs, which differ by design).
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    torch.library.opcheck(OPS.rrelu.default, (x, 0.1, 0.3, True, None),
                          test_utils=("test_schema", "test_autograd_registration", "test_faketensor"))
    torch.library.opcheck(OPS.rrelu_with_noise.default, (x, 0.1, 0.3, None),
                          test_utils=("test_schema", "test_autograd_registration", "test_faketensor"))


# ------------------------------------------------------- torch peers
PEER_CASES = [(n, p) for n, p in CASE_LIST if n in reference.TORCH_PEERS
              and reference.TORCH_PEERS[n](torch.zeros(1), **p) is not None]


# Where torch itself is less accurate than the catalog asks, the comparison
# allows torch's error (ours is checked against mpmath in test_pointwise_math):
#  - celu: torch's backward rounds 1/alpha to float32 (alpha = -0.7: 5e-7);
#  - hard_sigmoid: torch's backward uses the float32 constant 1/6, also for
#    float64 (3e-8 relative);
#  - sinc: torch's derivative (u cos u - sin u)/u^2 cancels near 0;
#  - gelu (tanh): torch's 1 + tanh(u) cancels for x << 0.
PEER_GRAD_RTOL = {"celu": 1e-6, "hard_sigmoid": 1e-7}
PEER_ATOL_F32 = {"sinc": 5e-5, "gelu": 4e-6}
PEER_ATOL_F64 = {"sinc": 1e-12, "gelu": 1e-13}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name,params", PEER_CASES, ids=[case_id(n, p) for n, p in PEER_CASES])
def test_matches_torch_peer(name, params, dtype, device):
    """Same values and gradients as the torch function a user would swap for,
    including the gradient at the kinks (x > 0 versus x >= 0), wherever the
    torch function is finite (torch's softplus overflows where ours does not)."""
    peer = reference.TORCH_PEERS[name]
    g = torch.Generator().manual_seed(4)
    kinks = CASES[name].kinks(params)
    x = torch.cat([torch.randn(2000, generator=g, dtype=torch.float64) * 6,
                   torch.tensor(kinks + [0.0, -0.0, 1e-30, -1e-30], dtype=torch.float64)]).to(device, dtype)
    if name == "rrelu":
        params = {**params, "training": False}
    xa = x.clone().requires_grad_()
    xb = x.clone().requires_grad_()
    ya = call(name, xa, params)
    yb = peer(xb, **params)
    gy = torch.randn(x.shape, generator=g, dtype=torch.float64).to(device, dtype)
    (ga,) = torch.autograd.grad(ya, xa, gy)
    (gb,) = torch.autograd.grad(yb, xb, gy)
    ok = torch.isfinite(yb) & torch.isfinite(gb)
    if dtype == torch.float32:
        tol = dict(rtol=1e-5, atol=PEER_ATOL_F32.get(name, 1e-6))
    else:
        tol = dict(rtol=1e-12, atol=PEER_ATOL_F64.get(name, 1e-14))
    torch.testing.assert_close(ya[ok], yb[ok], **tol)
    torch.testing.assert_close(ga[ok], gb[ok], **{**tol, "rtol": max(tol["rtol"], PEER_GRAD_RTOL.get(name, 0))})
    # at the kinks the gradients are exactly torch's
    at_kinks = torch.zeros_like(ok)
    at_kinks[2000:2000 + len(kinks)] = True
    at_kinks &= ok
    torch.testing.assert_close(ga[at_kinks], gb[at_kinks], rtol=PEER_GRAD_RTOL.get(name, 1e-6), atol=0)


def test_rrelu_training_matches_torch_and_is_reproducible():
    x = torch.randn(1000, dtype=torch.float64)
    torch.manual_seed(123)
    a = ta.functional.rrelu(x, training=True)
    torch.manual_seed(123)
    b = TF.rrelu(x, training=True)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    slopes = (a / x)[x < 0]
    assert slopes.min() >= 1 / 8 - 1e-12 and slopes.max() <= 1 / 3 + 1e-12 and slopes.std() > 0.02
    gen = torch.Generator().manual_seed(5)
    c = ta.functional.rrelu(x, training=True, generator=gen)
    gen.manual_seed(5)
    assert torch.equal(c, ta.functional.rrelu(x, training=True, generator=gen))
    # the backward multiplies by the same slopes, to second order
    xr = x.clone().requires_grad_()
    torch.manual_seed(7)
    y = ta.functional.rrelu(xr, training=True)
    (g,) = torch.autograd.grad(y.sum(), xr, create_graph=True)
    torch.testing.assert_close(g, torch.where(x >= 0, 1.0, y.detach() / x).to(g.dtype), rtol=1e-12, atol=0)
    torch.manual_seed(7)
    assert torch.autograd.gradcheck(lambda t: ta.functional.rrelu(t, training=True, generator=gen.manual_seed(1)),
                                    (x[:20].clone().requires_grad_(),))
    # in place, training
    u = xr * 1.0
    torch.manual_seed(7)
    ta.functional.rrelu(u, training=True, inplace=True)
    torch.testing.assert_close(u, y)


def test_rrelu_module_train_and_eval():
    m = ta.RReLU(0.1, 0.3)
    x = -torch.ones(100)
    assert not torch.allclose(m(x), m(x))
    m.eval()
    torch.testing.assert_close(m(x), -0.2 * torch.ones(100))


# ---------------------------------------------------- layouts, shapes
@pytest.mark.parametrize("name,params", CASE_LIST, ids=IDS)
def test_layouts_empty_and_scalar(name, params, device):
    g = torch.Generator().manual_seed(5)
    base = (torch.randn(2, 3, 5, 7, generator=g) * 3).to(device)
    expect = call(name, base, params)
    cl = base.to(memory_format=torch.channels_last)
    out = call(name, cl, params)
    assert out.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(out, expect, rtol=1e-6, atol=1e-7)
    tr = base.transpose(1, 3)
    torch.testing.assert_close(call(name, tr, params), expect.transpose(1, 3), rtol=1e-6, atol=1e-7)
    sl = base[:, :, ::2, 1:]
    torch.testing.assert_close(call(name, sl, params), expect[:, :, ::2, 1:], rtol=1e-6, atol=1e-7)
    # backward through non-contiguous input
    xs = sl.clone().requires_grad_()
    call(name, xs.transpose(0, 2), params).sum().backward()
    assert xs.grad.shape == sl.shape and torch.isfinite(xs.grad).all()
    # empty and 0-dim
    e = torch.empty(0, 3, device=device, requires_grad=True)
    ye = call(name, e, params)
    assert ye.shape == (0, 3)
    ye.sum().backward()
    assert e.grad.shape == (0, 3)
    s = torch.tensor(0.7, device=device, requires_grad=True)
    ys = call(name, s, params)
    assert ys.dim() == 0
    torch.testing.assert_close(ys, call(name, s.detach().reshape(1), params).reshape(()))
    ys.backward()
    assert s.grad.dim() == 0


def test_meta_tensors():
    x = torch.empty(4, 5, device="meta").to(memory_format=torch.contiguous_format)
    for name, params in CASE_LIST:
        y = call(name, x, params)
        assert y.device.type == "meta" and y.shape == x.shape
    cl = torch.empty(2, 3, 4, 5, device="meta").to(memory_format=torch.channels_last)
    assert ta.functional.gelu(cl).is_contiguous(memory_format=torch.channels_last)


# ------------------------------------------------------------ in place
@pytest.mark.parametrize("name,params", CASE_LIST, ids=IDS)
def test_inplace_semantics(name, params):
    x = torch.randn(10)
    expect = call(name, x, params)
    y = x.clone()
    v = y._version
    out = call(name, y, params, inplace=True)
    assert out is y and y._version > v
    torch.testing.assert_close(y, expect, rtol=0, atol=0)
    leaf = torch.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        call(name, leaf, params, inplace=True)
    with torch.no_grad():
        z = x.clone()
        call(name, z, params, inplace=True)
        torch.testing.assert_close(z, expect, rtol=0, atol=0)


def test_inplace_saves_output_only_when_valid():
    # elu with alpha < 0 cannot recover its branch from y: the in-place form
    # keeps the input instead, and the gradient is still right.
    x = torch.randn(50, dtype=torch.float64, requires_grad=True)
    for alpha in (1.0, -0.5):
        u = x * 1
        ta.functional.elu(u, alpha, inplace=True)
        (g,) = torch.autograd.grad(u.sum(), x)
        torch.testing.assert_close(g, torch.where(x > 0, 1.0, alpha * x.detach().exp()))


# --------------------------------------------------------------- errors
@pytest.mark.parametrize("name", sorted({n for n, _ in CASE_LIST}))
def test_integer_and_bool_input_errors(name):
    for bad in (torch.arange(4), torch.tensor([True, False]), torch.zeros(2, dtype=torch.complex64)):
        with pytest.raises(RuntimeError, match=rf"^{name}: expected input to be a floating-point tensor"):
            call(name, bad, {})


@pytest.mark.parametrize("name,kwargs,message", [
    ("celu", {"alpha": 0.0}, "celu: alpha must be nonzero"),
    ("quant_relu", {"levels": 0}, "quant_relu: levels must be >= 1"),
    ("quant_relu", {"max_val": 0.0}, "quant_relu: max_val must be positive"),
    ("quant_relu", {"max_val": math.inf}, "quant_relu: max_val must be finite"),
    ("softplus", {"beta": -1.0}, "softplus: beta must be positive"),
    ("softplus", {"beta": 0.0}, "softplus: beta must be positive"),
    ("gelu", {"approximate": "fast"}, "gelu: approximate must be 'none' or 'tanh'"),
    ("rrelu", {"lower": 0.5, "upper": 0.1}, "rrelu: lower must be <= upper"),
    ("leaky_relu", {"negative_slope": math.nan}, "leaky_relu: negative_slope must be finite"),
    ("sine", {"w0": math.inf}, "sine: w0 must be finite"),
    ("elu", {"alpha": math.nan}, "elu: alpha must be finite"),
])
def test_bad_parameters(name, kwargs, message):
    with pytest.raises(RuntimeError, match=message):
        call(name, torch.randn(3), kwargs)
    with pytest.raises(RuntimeError, match=message):  # also at trace time
        call(name, torch.randn(3, device="meta"), kwargs)
    with pytest.raises(RuntimeError, match=message):  # and when the module is built
        ta.get_activation(name, **kwargs)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float64])
def test_hard_sigmoid_slopes_too_small_for_their_reciprocal(dtype):
    # 1/slope (and offset/slope) overflow the computation type: the direct
    # form s x + o, never NaN; the gradient is the slope where 0 < s x + o < 1.
    x = torch.tensor([-1e30, -3.0, -0.0, 0.0, 2.0, 1e30], dtype=torch.float64)
    for slope, offset in [(1e-50, 0.5), (1e-40, 0.25), (-1e-45, 0.75), (1e-38, 100.0), (1e-38, -5.0), (1e-300, 0.5)]:
        xt = x.to(dtype).requires_grad_()
        y = ta.functional.hard_sigmoid(xt, slope, offset)
        ref = (slope * xt.detach().double() + offset).clamp(0, 1)
        torch.testing.assert_close(y.double(), ref, atol=1e-6, rtol=0)
        (g,) = torch.autograd.grad(y.sum(), xt)
        inside = (ref > 0) & (ref < 1)
        expect = torch.where(inside, torch.tensor(slope, dtype=dtype).double(), 0.0)
        assert not g.isnan().any(), (slope, offset, g)
        torch.testing.assert_close(g.double(), expect, atol=0, rtol=0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_hard_sigmoid_is_torchs_quotient_bitwise(dtype):
    # z = (x + offset/slope)/(1/slope) is computed without a division (a
    # product and one fma correction, csrc/math/pointwise.h): it must give
    # the bits of the division, which for the default slope and offset are
    # F.hardsigmoid's, at every input (every 4099th float32 bit pattern, a
    # dense grid over the kinks, ±0, ±inf, NaN), and those of the division
    # in double for a slope whose reciprocal is inexact (0.3).
    bits = torch.arange(0, 2 ** 32, 4099, dtype=torch.int64)
    x = (bits - 2 ** 31).to(torch.int32).view(torch.float32)
    grid = torch.linspace(-3.5, 3.5, 70001)
    special = torch.tensor([0.0, -0.0, float("inf"), -float("inf"), float("nan"), 3.0, -3.0])
    x = torch.cat([x, grid, special]).to(dtype)
    ours = ta.functional.hard_sigmoid(x)
    assert torch.equal(ours.isnan(), TF.hardsigmoid(x).isnan())
    assert torch.equal(ours.nan_to_num(7.0), TF.hardsigmoid(x).nan_to_num(7.0))
    slope, offset = 0.3, 0.2
    inv = torch.tensor(1.0 / slope, dtype=dtype)
    ref = ((x + torch.tensor(offset * (1.0 / slope), dtype=dtype)) / inv).clamp(0, 1)
    got = ta.functional.hard_sigmoid(x, slope, offset)
    assert torch.equal(got.nan_to_num(7.0), ref.nan_to_num(7.0))


def test_relu_keeps_the_sign_of_zero_like_torch():
    x = torch.tensor([-0.0, 0.0, -1.0, 1.0])
    for ours, theirs in [(ta.functional.relu(x), torch.relu(x)),
                         (ta.functional.crelu(x, dim=0), torch.cat([torch.relu(x), torch.relu(-x)]))]:
        assert torch.equal(ours.view(torch.int32), theirs.view(torch.int32)), (ours, theirs)


def test_backward_op_errors():
    x = torch.randn(3, 4)
    with pytest.raises(RuntimeError, match=r"mish_backward: grad_output has shape \[3, 5\] but self has shape \[3, 4\]"):
        OPS.mish_backward(torch.randn(3, 5), x)
    with pytest.raises(RuntimeError, match="mish_backward: grad_output has dtype Double but self has dtype Float"):
        OPS.mish_backward(torch.randn(3, 4, dtype=torch.float64), x)
    with pytest.raises(RuntimeError, match="sigmoid_backward_from_result: expected result to be a floating-point"):
        OPS.sigmoid_backward_from_result(torch.randn(3), torch.arange(3))
