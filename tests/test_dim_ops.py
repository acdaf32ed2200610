"""Ops over a dimension (catalog section 2): softmax, glu, geglu, swiglu,
reglu, crelu, maxout.  Forward and first derivatives against the plain-torch
formulas of tests/reference.py, gradcheck/gradgradcheck, opcheck on every op
and backward op, what the autograd graph keeps (the gated ops: only the
input; softmax: only the output), half types, memory layouts, empty tensors,
the modules, and the error messages."""

import pytest
import torch
import torch.nn.functional as TF

import reference as R
import torch_activations as ta
from cases import DIM_CASES, DIM_SHAPE, GATED
from util import num_threads, strided_copy, ulp

OPS = torch.ops.torch_activations
F = ta.functional


@pytest.fixture(autouse=True)
def one_thread():
    """The tests run single-threaded: gradcheck and opcheck make thousands of
    calls on tiny tensors, which on a busy 2-core machine would time thread
    hand-offs.  The threaded paths are checked on large inputs by the tests
    that set the thread count themselves."""
    with num_threads(1):
        yield


# The cases (op, keyword arguments) for an input of shape SHAPE are in
# tests/cases.py (DIM_CASES).
SHAPE = DIM_SHAPE
CASES = DIM_CASES


def case_id(name, kw):
    return name + "[" + ",".join(f"{k}={v}" for k, v in kw.items()) + "]"


IDS = [case_id(n, kw) for n, kw in CASES]
# One or two cases of each op (and approximate) for the slower checks.
SOME = [c for c in CASES if case_id(*c) in {
    "softmax[dim=1]", "softmax[dim=-1]", "glu[dim=0]", "geglu[dim=-1]", "geglu[dim=1,approximate=tanh]",
    "swiglu[dim=-1]", "swiglu[dim=1]", "reglu[dim=-1]", "crelu[dim=1]", "crelu[dim=-1]",
    "maxout[pool_size=3,dim=1]", "maxout[pool_size=2,dim=-1]"}]
SOME_IDS = [case_id(n, kw) for n, kw in SOME]


def ours(name, x, kw):
    return getattr(F, name)(x, **kw)


def ref(name, x, kw):
    return getattr(R, name)(x, **kw)


def make_input(name, shape=SHAPE, dtype=torch.float64, device="cpu", seed=0):
    """Random inputs away from the kinks: |x| >= 0.05 (relu in reglu and
    crelu), and for maxout distinct values 0.1 apart (no near ties, where
    finite differences would cross from one maximum to the other)."""
    g = torch.Generator().manual_seed(seed)
    n = 1
    for s in shape:
        n *= s
    if name == "maxout":
        x = (torch.randperm(n, generator=g).double() - n / 2) * 0.1
    else:
        x = torch.randn(n, generator=g, dtype=torch.float64) * 2
        x = torch.where(x.abs() < 0.05, x + 0.1 * torch.sign(x + 1e-30), x)
    return x.reshape(shape).to(device=device, dtype=dtype)


def out_shape(name, kw, shape):
    shape = list(shape)
    d = kw.get("dim", 0) % len(shape)
    if name in GATED:
        shape[d] //= 2
    elif name == "crelu":
        shape[d] *= 2
    elif name == "maxout":
        shape[d] //= kw["pool_size"]
    return torch.Size(shape)


# ------------------------------------------------------------ forward
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_forward_matches_reference(name, kw, device):
    x = make_input(name, device=device)
    y = ours(name, x, kw)
    expect = ref(name, x, kw)
    assert y.shape == expect.shape and y.dtype == x.dtype
    torch.testing.assert_close(y, expect, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_first_derivative_matches_reference(name, kw, device):
    x = make_input(name, device=device).requires_grad_()
    y = ours(name, x, kw)
    gy = torch.randn_like(y)
    (g,) = torch.autograd.grad(y, x, gy)
    xr = x.detach().clone().requires_grad_()
    (gr,) = torch.autograd.grad(ref(name, xr, kw), xr, gy)
    torch.testing.assert_close(g, gr, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_gradcheck_and_gradgradcheck(name, kw, device):
    x = make_input(name, shape=(2, 6, 3, 4), device=device).requires_grad_()
    f = lambda t: ours(name, t, kw)  # noqa: E731
    assert torch.autograd.gradcheck(f, (x,))
    assert torch.autograd.gradgradcheck(f, (x,))


@pytest.mark.parametrize("name,approximate", [("glu", None), ("geglu", "none"), ("geglu", "tanh"),
                                              ("swiglu", None), ("reglu", None)])
def test_gated_float32_long_rows(name, approximate, device):
    """Float32, long rows (vector bodies and tails): values and gradients
    against the eager torch formula a*act(b) evaluated in float64 (torch's own
    float32 tanh-gelu gradient cancels to 0 near x = -5, ours does not); glu
    also against F.glu."""
    act = {"glu": torch.sigmoid, "geglu": lambda b: TF.gelu(b, approximate=approximate),
           "swiglu": TF.silu, "reglu": TF.relu}[name]
    kw = {} if approximate is None else {"approximate": approximate}
    for shape, dim in (((37, 2 * 515), -1), ((2 * 33, 17), 0), ((3, 2 * 21, 5), 1)):
        x = make_input(name, shape, torch.float32, device, seed=1).requires_grad_()
        y = ours(name, x, {"dim": dim, **kw})
        x64 = x.detach().double().requires_grad_()
        a, b = x64.chunk(2, dim)
        expect = a * act(b)
        torch.testing.assert_close(y, expect.float(), rtol=1e-5, atol=1e-6)
        gy = torch.randn_like(y)
        (g,) = torch.autograd.grad(y, x, gy)
        (ge,) = torch.autograd.grad(expect, x64, gy.double())
        torch.testing.assert_close(g, ge.float(), rtol=1e-5, atol=1e-6)
        if name == "glu":
            torch.testing.assert_close(y, TF.glu(x, dim), rtol=1e-6, atol=1e-7)


def test_softmax_matches_torch(device):
    """Float32 against torch.softmax, values and gradients: long and short
    rows, every dim, large inputs (no overflow), masked (-inf) entries."""
    g = torch.Generator().manual_seed(2)
    big = torch.randn(5, 1030, generator=g) * 30
    masked = torch.randn(6, 19, generator=g)
    masked[:, ::3] = -float("inf")
    cases = [(torch.randn(37, 1030, generator=g), -1), (torch.randn(37, 1030, generator=g), 0),
             (torch.randn(3, 7, 9, generator=g), 1), (big, -1), (big + 1e4, -1), (masked, 1),
             (torch.randn(4, 1, generator=g), 1)]
    for x, dim in cases:
        x = x.to(device).requires_grad_()
        y = F.softmax(x, dim)
        expect = torch.softmax(x, dim)
        torch.testing.assert_close(y, expect, rtol=1e-5, atol=1e-7)
        gy = torch.randn_like(y)
        (gx,) = torch.autograd.grad(y, x, gy)
        (ge,) = torch.autograd.grad(expect, x, gy)
        torch.testing.assert_close(gx, ge, rtol=1e-5, atol=1e-6)
    # a fully masked row is NaN, as torch's
    row = torch.full((1, 4), -float("inf"), device=device)
    assert F.softmax(row, 1).isnan().all() and torch.softmax(row, 1).isnan().all()
    # 0-dim: 1
    assert F.softmax(torch.tensor(3.0, device=device), 0).item() == 1.0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_softmax_same_bits_wherever_a_value_sits_in_its_row(dtype):
    # Rows of 16 + 7 values whose tail repeats the first 7, all with the same
    # max and sum: each repeated value gives the same bits in the vector part
    # and in the tail (formerly std::exp in the tail).
    g = torch.Generator().manual_seed(3)
    head = torch.randn(256, 16, generator=g, dtype=torch.float64) * 4
    x = torch.cat([head, head[:, :7]], dim=1).to(dtype)
    y = ta.functional.softmax(x, dim=1)
    assert torch.equal(y[:, 16:], y[:, :7])
    # and in the column layout (vectors across rows) as in the row layout
    yt = ta.functional.softmax(x.t().contiguous(), dim=0).t()
    torch.testing.assert_close(yt, y, rtol=4e-7 if dtype == torch.float32 else 1e-15 if dtype == torch.float64 else 1e-2, atol=0)


def test_softmax_backward_formula_and_no_jacobian():
    """softmax_backward(g, y) = y*(g - sum(g*y)); on rows of 400,000 entries
    (a Jacobian would be 1.3 TB) it runs in memory of the input's size."""
    x = torch.randn(2, 400_000, dtype=torch.float64)
    y = F.softmax(x, 1)
    g = torch.randn_like(x)
    got = OPS.softmax_backward(g, y, 1)
    torch.testing.assert_close(got, y * (g - (g * y).sum(1, keepdim=True)), rtol=1e-10, atol=1e-18)


def test_maxout_gradient_goes_to_first_maximum():
    x = torch.tensor([[1.0, 3.0, 3.0, 2.0, 5.0, 5.0, 5.0, 5.0]], dtype=torch.float64, requires_grad=True)
    y = F.maxout(x, 4, 1)
    assert y.tolist() == [[3.0, 5.0]]
    (g,) = torch.autograd.grad(y, x, torch.tensor([[10.0, 20.0]], dtype=torch.float64), create_graph=True)
    assert g.tolist() == [[0, 10, 0, 0, 20, 0, 0, 0]]
    # along a middle dim too
    xm = x.detach().reshape(1, 8, 1).repeat(2, 1, 3).requires_grad_()
    (gm,) = torch.autograd.grad(F.maxout(xm, 2, 1).sum(), xm)
    assert gm[:, :, 0].tolist() == [[0, 1, 1, 0, 1, 0, 1, 0]] * 2


@pytest.mark.parametrize("name,kw", SOME, ids=SOME_IDS)
def test_one_and_two_threads_agree(name, kw):
    """Inputs large enough to be split between threads: the same values and
    gradients with 1 and 2 threads."""
    x = make_input(name, (64, 6, 32, 48), torch.float32, seed=3)
    gy = torch.randn(out_shape(name, kw, x.shape), generator=torch.Generator().manual_seed(4))
    results = []
    for threads in (1, 2):
        with num_threads(threads):
            xr = x.clone().requires_grad_()
            y = ours(name, xr, kw)
            results.append((y, *torch.autograd.grad(y, xr, gy)))
    for a, b in zip(*results):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)


# ------------------------------------------------------------ opcheck
def _opcheck_cases():
    """Each op (and approximate) once, with its backward ops."""
    out, seen = [], set()
    for name, kw in SOME:
        if (name, kw.get("approximate")) in seen:
            continue
        seen.add((name, kw.get("approximate")))
        out.append((name, kw, ""))
        if name != "maxout":  # maxout is composed of ATen ops: no backward op of its own
            out.append((name, kw, "_backward"))
        if name in GATED:
            out.append((name, kw, "_double_backward"))
    return out


OPCHECK = _opcheck_cases()


@pytest.mark.parametrize("name,kw,suffix", OPCHECK, ids=[case_id(n, kw) + s for n, kw, s in OPCHECK])
def test_opcheck(name, kw, suffix, device):
    op = getattr(OPS, name + suffix).default
    x = make_input(name, shape=(2, 6, 2, 4), device=device)
    y = ours(name, x, kw)
    extra = [kw[a.name] if a.name in kw else a.default_value
             for a in getattr(OPS, name).default._schema.arguments[1:]]
    if suffix == "":
        args = (x.requires_grad_(),)
    elif suffix == "_backward":
        # softmax_backward takes the output, the others the input
        saved = y if name == "softmax" else x
        args = (torch.randn_like(y).requires_grad_(), saved.clone().requires_grad_())
    else:
        # The double backward ops raise for a third derivative by design, so
        # their inputs do not require grad here (opcheck's aot_dispatch test
        # would differentiate them); their values are checked by gradgradcheck.
        args = (torch.randn_like(x), torch.randn_like(y), x)
    torch.library.opcheck(op, (*args, *extra))


# ---------------------------------------- what autograd keeps for backward
def _saved(fn, x):
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        y = fn(x)
    return y, saved


@pytest.mark.parametrize("name,kw", [(g, {}) for g in GATED] + [("geglu", {"approximate": "tanh"}),
                                                                 ("crelu", {})])
def test_backward_keeps_only_the_input(name, kw):
    x = torch.randn(8, 16, requires_grad=True)
    _, saved = _saved(lambda t: ours(name, t, kw), x)
    assert len(saved) == 1
    assert saved[0].data_ptr() == x.data_ptr() and saved[0].shape == x.shape


def test_softmax_backward_keeps_only_the_output():
    x = torch.randn(8, 16, requires_grad=True)
    y, saved = _saved(lambda t: F.softmax(t, 1), x)
    assert len(saved) == 1 and saved[0].data_ptr() == y.data_ptr()


def test_third_derivative_of_gated_op_raises():
    x = torch.randn(4, 6, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(F.swiglu(x).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="swiglu: the derivative of the double backward with respect to the input"):
        torch.autograd.grad(h.sum(), x)


# ---------------------------------------------------------- half types
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "f16"])
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_half_types_match_float32(name, kw, dtype, device):
    """16-bit inputs: the float32 result of the same rounded input, rounded,
    to one ulp of the 16-bit output (values and input gradients)."""
    x = make_input(name, device=device).to(dtype)
    x16 = x.clone().requires_grad_()
    y16 = ours(name, x16, kw)
    gy = torch.randn_like(y16)
    (g16,) = torch.autograd.grad(y16, x16, gy)
    x32 = x.float().requires_grad_()
    y32 = ours(name, x32, kw)
    if name == "softmax":
        # The backward reads the saved 16-bit output: the float32 reference is
        # the same formula at the rounded output.
        g32 = OPS.softmax_backward(gy.float(), y16.detach().float(), kw["dim"])
    else:
        (g32,) = torch.autograd.grad(y32, x32, gy.float())
    for got, expect in ((y16, y32), (g16, g32)):
        assert got.dtype == dtype
        got, expect = got.double(), expect.detach().to(dtype).double()
        diff = (got - expect).abs()
        assert (diff <= ulp(expect, dtype)).all(), f"max diff {diff.max().item()}"


# ------------------------------------------------------ layouts, shapes
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_noncontiguous_and_channels_last(name, kw, device):
    base = make_input(name, dtype=torch.float32, device=device)
    expect = ours(name, base, kw)
    gy = torch.randn_like(expect)
    xb = base.clone().requires_grad_()
    (g_expect,) = torch.autograd.grad(ours(name, xb, kw), xb, gy)
    variants = [base.to(memory_format=torch.channels_last),  # a permuted layout
                base.transpose(0, 3).contiguous().transpose(0, 3),  # the same values, transposed storage
                strided_copy(base)]
    for v in variants:
        assert torch.equal(v, base) and not v.is_contiguous()
        xv = v.detach().requires_grad_()
        y = ours(name, xv, kw)
        torch.testing.assert_close(y, expect, rtol=1e-6, atol=1e-7)
        (g,) = torch.autograd.grad(y, xv, gy)
        torch.testing.assert_close(g, g_expect, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_empty_tensors(name, kw, device):
    for shape in ((0, 6, 3, 4), (2, 6, 0, 4)):
        x = torch.empty(shape, device=device, requires_grad=True)
        y = ours(name, x, kw)
        assert y.shape == out_shape(name, kw, shape) and y.numel() == 0
        y.sum().backward()
        assert x.grad.shape == x.shape


def test_meta_shapes():
    x = torch.empty(2, 6, 3, 4, device="meta")
    for name, kw in CASES:
        y = ours(name, x, kw)
        assert y.device.type == "meta" and y.shape == out_shape(name, kw, x.shape)


# ------------------------------------------------------------ modules
MODULES = [
    (ta.Softmax, {"dim": 1}, "softmax", "Softmax(dim=1)"),
    (ta.Softmax, {}, "softmax", "Softmax(dim=-1)"),
    (ta.GLU, {}, "glu", "GLU(dim=-1)"),
    (ta.GEGLU, {"approximate": "tanh"}, "geglu", "GEGLU(dim=-1, approximate='tanh')"),
    (ta.SwiGLU, {"dim": 1}, "swiglu", "SwiGLU(dim=1)"),
    (ta.ReGLU, {}, "reglu", "ReGLU(dim=-1)"),
    (ta.CReLU, {}, "crelu", "CReLU(dim=1)"),
    (ta.Maxout, {"pool_size": 3}, "maxout", "Maxout(pool_size=3, dim=1)"),
    (ta.Maxout, {"pool_size": 2, "dim": -1}, "maxout", "Maxout(pool_size=2, dim=-1)"),
]


@pytest.mark.parametrize("cls,kw,name,text", MODULES, ids=[t for *_, t in MODULES])
def test_modules(cls, kw, name, text):
    m = cls(**kw)
    assert repr(m) == text
    x = make_input(name, dtype=torch.float32)
    full = {"dim": m.dim, **({"pool_size": m.pool_size} if name == "maxout" else {}),
            **({"approximate": m.approximate} if name == "geglu" else {})}
    torch.testing.assert_close(m(x), ours(name, x, full), rtol=0, atol=0)
    torch.testing.assert_close(m(x), ref(name, x, full), rtol=1e-6, atol=1e-6)
    s = torch.jit.script(m)
    torch.testing.assert_close(s(x), m(x), rtol=0, atol=0)
    info = ta.get_info(name)
    assert info.category == "dim" and info.module == cls.__name__
    assert isinstance(ta.get_activation(name, **kw), cls)
    assert list(m.state_dict()) == []


def test_registry_lists_every_dim_op():
    assert [i.name for i in ta.list_activations("dim")] == [
        "softmax", "glu", "geglu", "swiglu", "reglu", "crelu", "maxout"]


# ------------------------------------------------------------- errors
ERRORS = [
    (lambda: F.swiglu(torch.randn(3, 7)), r"^swiglu: size of dim -1 must be even, got 7"),
    (lambda: F.glu(torch.randn(5, 4), 0), r"^glu: size of dim 0 must be even, got 5"),
    (lambda: F.geglu(torch.randn(2, 3, 4), 1), r"^geglu: size of dim 1 must be even, got 3"),
    (lambda: ta.ReGLU()(torch.randn(9)), r"^reglu: size of dim -1 must be even, got 9"),
    (lambda: F.swiglu(torch.tensor(1.0)), r"^swiglu: expected a tensor with at least one dimension"),
    (lambda: F.swiglu(torch.randn(2, 4), 2), r"^swiglu: dim 2 is out of range for a tensor with 2 dimension"),
    (lambda: OPS.glu_backward(torch.randn(2, 2), torch.randn(2, 4), -3),
     r"^glu_backward: dim -3 is out of range for a tensor with 2 dimension"),
    (lambda: F.maxout(torch.randn(2, 7), 2), r"^maxout: size of dim 1 \(7\) is not divisible by pool_size 2"),
    (lambda: ta.Maxout(3, dim=-1)(torch.randn(2, 4)),
     r"^maxout: size of dim -1 \(4\) is not divisible by pool_size 3"),
    (lambda: F.maxout(torch.randn(2, 4), 0), r"^maxout: pool_size must be >= 1, got 0"),
    (lambda: F.maxout(torch.randn(2, 4), 2, 2), r"^maxout: dim 2 is out of range for a tensor with 2 dimension"),
    (lambda: F.softmax(torch.randn(2, 4), 2), r"^softmax: dim 2 is out of range for a tensor with 2 dimension"),
    (lambda: F.softmax(torch.randn(2, 4), -3), r"^softmax: dim -3 is out of range"),
    (lambda: F.crelu(torch.randn(2, 4), 3), r"^crelu: dim 3 is out of range for a tensor with 2 dimension"),
    (lambda: F.crelu(torch.tensor(1.0)), r"^crelu: dim 1 is out of range for a tensor with 0 dimension"),
    (lambda: OPS.swiglu_backward(torch.randn(3, 4), torch.randn(3, 6), -1),
     r"^swiglu_backward: grad_output has shape \[3, 4\] but the output of swiglu has shape \[3, 3\]"),
    (lambda: OPS.softmax_backward(torch.randn(3, 4), torch.randn(3, 5), 1),
     r"^softmax_backward: grad_output has shape \[3, 4\] but output has shape \[3, 5\]"),
    (lambda: OPS.crelu_backward(torch.randn(3, 4), torch.randn(3, 4), 1),
     r"^crelu_backward: grad_output has shape \[3, 4\] but the output of crelu has shape \[3, 8\]"),
    (lambda: ta.Maxout(0), r"^maxout: pool_size must be >= 1, got 0"),
    (lambda: ta.GEGLU(approximate="fast"), r"^geglu: approximate must be 'none' or 'tanh'"),
    (lambda: F.geglu(torch.randn(2, 4), -1, "fast"), r"^geglu: approximate must be 'none' or 'tanh', got 'fast'"),
    (lambda: F.gelu(torch.randn(2, 4), "fast"), r"^gelu: approximate must be 'none' or 'tanh', got 'fast'"),
]


def _error_id(i, e):
    message = e.values[1] if hasattr(e, "values") else e[1]
    return f"{i}-" + message.strip("^").split(":")[0]


@pytest.mark.parametrize("fn,message", ERRORS, ids=[_error_id(i, e) for i, e in enumerate(ERRORS)])
def test_errors(fn, message):
    with pytest.raises((RuntimeError, ValueError, IndexError), match=message):
        fn()


@pytest.mark.parametrize("name,kw", [("softmax", {"dim": 0})] + [(g, {}) for g in GATED]
                         + [("crelu", {"dim": 0}), ("maxout", {"pool_size": 2, "dim": 0})])
def test_integer_input_errors(name, kw):
    for bad in (torch.arange(4), torch.tensor([True, False, True, False])):
        with pytest.raises(RuntimeError, match=rf"^{name}: expected input to be a floating-point tensor"):
            ours(name, bad, kw)
