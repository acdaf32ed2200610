"""torch.func and forward-mode AD over the whole registry, against the
pure-torch reference formulas of tests/reference.py (float64): jacrev,
jacfwd, hessian, vmap, vmap(grad), nested jacrev, functional_call and dual
tensors, for every pointwise op, every op over a dimension and every
learnable op (with respect to the input and to every parameter), ensembles
of modules through stack_module_state, and the SIREN Poisson loss (a
Laplacian, trained: third derivatives of sine) against the same model built
with torch.sin.  No transform may take torch's per-example fallback: the
fallback's warning is an error here."""

import warnings

import pytest
import torch
import torch.autograd.forward_ad as fwAD
from torch.func import functional_call, grad, hessian, jacfwd, jacrev, jvp, stack_module_state, vjp, vmap

import reference as R
import torch_activations as ta
from cases import CASES, DIM_CASES, GATED, LEARNABLE_SPECS, PACT, all_cases, case_id
from util import away_from, call

F = ta.functional
f64 = torch.float64


@pytest.fixture(autouse=True)
def no_fallback():
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*batching rule.*")
        yield


def _close(a, b, **kw):
    torch.testing.assert_close(a, b, rtol=kw.get("rtol", 1e-9), atol=kw.get("atol", 1e-10))


# ------------------------------------------------------------ pointwise
SMOOTH = [(n, p) for n, p in all_cases() if not CASES[n].piecewise_constant]


def _input(name, params, n=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(8 * n, generator=g, dtype=f64) * 2
    return away_from(x, list(CASES[name].kinks(params)) + list(CASES[name].singular), 5e-2)[:n]


@pytest.mark.parametrize("name,params", SMOOTH, ids=[case_id(n, p) for n, p in SMOOTH])
def test_pointwise_transforms(name, params):
    if name == "rrelu":
        params = {**params, "training": False}
    f = lambda t: call(name, t, params)  # noqa: E731
    r = lambda t: R.formula(name)(t, **params)  # noqa: E731
    x = _input(name, params)
    _close(jacrev(f)(x), jacrev(r)(x))
    _close(jacfwd(f)(x), jacfwd(r)(x))
    _close(hessian(lambda t: f(t).sum())(x), hessian(lambda t: r(t).sum())(x), rtol=1e-8, atol=1e-9)
    _close(jacrev(jacrev(f))(x), jacrev(jacrev(r))(x), rtol=1e-8, atol=1e-9)
    X = torch.stack([x, x.flip(0), 0.5 * x])
    _close(vmap(f)(X), f(X))
    _close(vmap(grad(lambda t: f(t).sum()))(X), vmap(grad(lambda t: r(t).sum()))(X))
    t = torch.randn_like(x)
    _close(jvp(f, (x,), (t,))[1], jvp(r, (x,), (t,))[1])
    _, pull = vjp(f, x)
    _close(pull(t)[0], vjp(r, x)[1](t)[0])
    # dual tensors of torch.autograd.forward_ad
    expected = jvp(r, (x,), (t,))[1]
    with fwAD.dual_level():
        tangent = fwAD.unpack_dual(f(fwAD.make_dual(x, t))).tangent
    _close(tangent, expected)


def test_in_place_under_forward_mode():
    x, t = torch.randn(6, dtype=f64), torch.randn(6, dtype=f64)
    for name in ("mish", "sigmoid", "elu"):
        expected = jvp(lambda s: getattr(R, name)(s), (x,), (t,))[1]
        with fwAD.dual_level():
            d = fwAD.make_dual(x.clone(), t)
            u = d * 1.0
            getattr(F, name)(u, inplace=True)
            tangent = fwAD.unpack_dual(u).tangent
        _close(tangent, expected)


def test_straight_through_under_transforms():
    """quant_relu's gradient is the straight-through estimator under every transform."""
    x = torch.tensor([-1.0, 0.3, 0.6, 2.0], dtype=f64)
    ste = R.quant_relu_ste_grad(x)
    _close(jacrev(F.quant_relu)(x).diag(), ste)
    _close(jacfwd(F.quant_relu)(x).diag(), ste)
    _close(vmap(grad(lambda t: F.quant_relu(t).sum()))(x.unsqueeze(1)).squeeze(1), ste)


# ------------------------------------------------------ over a dimension
DIM = [(n, kw) for n, kw in DIM_CASES if kw.get("dim", 1) in (-1, 1)]


def _dim_input(name, shape=(2, 4, 3)):
    g = torch.Generator().manual_seed(1)
    n = 1
    for s in shape:
        n *= s
    if name == "maxout":
        return ((torch.randperm(n, generator=g).to(f64) - n / 2) * 0.1).reshape(shape)
    x = torch.randn(n, generator=g, dtype=f64) * 2
    return torch.where(x.abs() < 0.05, x + 0.1, x).reshape(shape)


@pytest.mark.parametrize("name,kw", DIM, ids=[f"{n}{kw}" for n, kw in DIM])
def test_dim_op_transforms(name, kw):
    x = _dim_input(name, (2, 12, 2))
    f = lambda t: getattr(F, name)(t, **kw)  # noqa: E731
    r = lambda t: getattr(R, name)(t, **kw)  # noqa: E731
    _close(jacrev(f)(x), jacrev(r)(x))
    _close(jacfwd(f)(x), jacfwd(r)(x))
    _close(hessian(lambda t: (f(t) ** 2).sum())(x), hessian(lambda t: (r(t) ** 2).sum())(x), rtol=1e-8, atol=1e-9)
    X = torch.stack([x, -x, 0.5 * x])
    _close(vmap(f)(X), torch.stack([f(v) for v in X]))
    _close(vmap(grad(lambda t: (f(t) ** 2).sum()))(X), vmap(grad(lambda t: (r(t) ** 2).sum()))(X))


# ------------------------------------------------------------ learnable
LEARN = [s for s in LEARNABLE_SPECS + [PACT] if not s.composite or s.name == "evonorm_s0"]


@pytest.mark.parametrize("spec", LEARN, ids=[s.id for s in LEARN])
def test_learnable_transforms_in_input_and_parameters(spec):
    g = torch.Generator().manual_seed(2)
    shape = (2, 3, 2) if spec.name != "evonorm_s0" else (2, 6, 2)
    params = spec.make(shape, True, g)
    names = [k for k in params if k not in spec.nograd]
    x = torch.randn(shape, generator=g, dtype=f64) * 2
    kinks = spec.kinks(x, params)
    for k in kinks:
        x = torch.where((x - k).abs() < 0.05, x + 0.1, x)

    def call(fn, x, *ps):
        return fn(x, **{**params, **dict(zip(names, ps))})

    ours = lambda x, *ps: call(spec, x, *ps)  # noqa: E731
    ref = lambda x, *ps: call(spec.ref, x, *ps)  # noqa: E731
    ps = [params[k] for k in names]
    argnums = tuple(range(len(ps) + 1))
    if spec.name != "pact":  # straight-through: not the reference's derivative
        for a, b in zip(jacrev(ours, argnums)(x, *ps), jacrev(ref, argnums)(x, *ps)):
            _close(a, b)
        for a, b in zip(jacfwd(ours, argnums)(x, *ps), jacfwd(ref, argnums)(x, *ps)):
            _close(a, b)
        # second order in the parameters (the Hessian of a loss in the weights)
        hs = hessian(lambda *q: (ours(x, *q) ** 2).sum(), tuple(range(len(ps))))(*ps)
        hr = hessian(lambda *q: (ref(x, *q) ** 2).sum(), tuple(range(len(ps))))(*ps)
        for a, b in zip(torch.utils._pytree.tree_leaves(hs), torch.utils._pytree.tree_leaves(hr)):
            _close(a, b, rtol=1e-8, atol=1e-9)
    # per-sample gradients: vmap over the batch with shared parameters
    X = torch.stack([x, -x, 0.5 * x])
    loss = lambda x, *q: (ours(x, *q) ** 2).sum()  # noqa: E731
    per_sample = vmap(grad(loss, argnums), in_dims=(0,) + (None,) * len(ps))(X, *ps)
    looped = [grad(loss, argnums)(v, *ps) for v in X]
    for k, a in enumerate(per_sample):
        _close(a, torch.stack([lp[k] for lp in looped]))


def test_ensemble_of_modules_with_stack_module_state():
    """8 PReLU/SReLU/PadeActivation models with their own weights, vmapped."""
    torch.manual_seed(3)
    for make in (lambda: ta.PReLU(4), lambda: ta.SReLU(4), lambda: ta.PadeActivation(4),
                 lambda: ta.LearnableSigmoid(1)):
        models = [make().double() for _ in range(8)]
        for m in models:
            with torch.no_grad():
                for p in m.parameters():
                    p.add_(torch.randn_like(p) * 0.1)
        params, buffers = stack_module_state(models)
        base = make().double().to("meta")
        x = torch.randn(5, 4, 3, dtype=f64)

        def run(p, b, x):
            return functional_call(base, (p, b), (x,))

        out = vmap(run, in_dims=(0, 0, None))(params, buffers, x)
        _close(out, torch.stack([m(x) for m in models]))
        grads = vmap(grad(lambda p, b, x: run(p, b, x).pow(2).sum()), in_dims=(0, 0, None))(params, buffers, x)
        for name in params:
            loop = [torch.autograd.grad(m(x).pow(2).sum(), dict(m.named_parameters())[name])[0] for m in models]
            _close(grads[name], torch.stack(loop))


def test_functional_call_of_a_model():
    torch.manual_seed(4)
    model = torch.nn.Sequential(torch.nn.Linear(3, 6), ta.PReLU(6), torch.nn.Linear(6, 6), ta.GELU(),
                                torch.nn.Linear(6, 4), ta.SwiGLU()).double()
    params = dict(model.named_parameters())
    x = torch.randn(5, 3, dtype=f64)
    g = grad(lambda p: functional_call(model, p, (x,)).pow(2).sum())(params)
    model(x).pow(2).sum().backward()
    for k, p in model.named_parameters():
        _close(g[k], p.grad)


# ------------------------------------------------------------ SIREN / PINN
class Siren(torch.nn.Module):
    def __init__(self, act):
        super().__init__()
        self.l1, self.l2, self.l3 = torch.nn.Linear(2, 16), torch.nn.Linear(16, 16), torch.nn.Linear(16, 1)
        self.act = act

    def forward(self, x):
        return self.l3(self.act(self.l2(self.act(self.l1(x)))))


def _poisson_loss(model, x):
    """|Δu - f|² with the Laplacian of u by autograd (second derivatives of
    the network in its input), f = -2π² sin(πx) sin(πy)."""
    x = x.clone().requires_grad_()
    u = model(x)
    (gu,) = torch.autograd.grad(u.sum(), x, create_graph=True)
    lap = sum(torch.autograd.grad(gu[:, i].sum(), x, create_graph=True)[0][:, i] for i in range(2))
    f = -2 * torch.pi**2 * torch.sin(torch.pi * x[:, 0]) * torch.sin(torch.pi * x[:, 1])
    return ((lap - f) ** 2).mean()


def test_siren_poisson_loss_trains_like_torch_sin():
    """The Poisson loss of a SIREN (sine, w0 = 30) needs the third derivative
    of the activation to train; its gradients equal those of the same model
    with torch.sin(30 x), and a few steps lower the loss the same way."""
    torch.manual_seed(5)
    ours = Siren(ta.Sine(w0=30.0)).double()
    theirs = Siren(lambda t: torch.sin(30.0 * t)).double()
    theirs.load_state_dict(ours.state_dict())
    x = torch.rand(32, 2, dtype=f64)
    for a, b in zip(torch.autograd.grad(_poisson_loss(ours, x), list(ours.parameters()), materialize_grads=True),
                    torch.autograd.grad(_poisson_loss(theirs, x), list(theirs.parameters()),
                                        materialize_grads=True)):
        _close(a, b, rtol=1e-9, atol=1e-9)
    losses = []
    for model in (ours, theirs):
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        trace = []
        for _ in range(5):
            opt.zero_grad()
            loss = _poisson_loss(model, x)
            loss.backward()
            opt.step()
            trace.append(loss.item())
        losses.append(trace)
    assert losses[0][-1] < losses[0][0]
    torch.testing.assert_close(torch.tensor(losses[0]), torch.tensor(losses[1]), rtol=1e-8, atol=0)


def test_softplus_sdf_hessian():
    """softplus(beta=100) networks (SDFs): the Hessian in the input, by
    forward-over-reverse, equals the pure-torch model's."""
    torch.manual_seed(6)
    l1, l2 = torch.nn.Linear(3, 8).double(), torch.nn.Linear(8, 1).double()
    ours = lambda x: l2(F.softplus(l1(x), beta=100.0)).sum()  # noqa: E731
    theirs = lambda x: l2(torch.nn.functional.softplus(l1(x), beta=100.0)).sum()  # noqa: E731
    x = torch.randn(3, dtype=f64) * 0.1
    _close(hessian(ours)(x), hessian(theirs)(x), rtol=1e-7, atol=1e-8)
