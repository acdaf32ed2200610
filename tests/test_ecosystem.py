"""The library in the rest of the PyTorch ecosystem (issue: "Fits the ecosystem").

- Autocast: a kernel for every op on AutocastCPU and AutocastCUDA; pointwise
  ops keep their input's dtype; every learnable module trains under bf16
  autocast on CPU with float32 master weights; PReLU matches nn.PReLU there.
- torch.compile of in-place activations (a mobilenet-style squeeze-excite
  block, 1x1 map, inplace=True), forward and backward equal to eager.
- torch's spellings (Hardswish, F.hardswish, ...), isinstance against the
  torch modules, a type-matching helper in the style of timm/torchvision.
- replace_activations on a ResNet-style CNN and a small transformer (float64,
  outputs equal to torch's), functional calls through torch.fx.
- DTensor sharding rules registered by importing torch.distributed.tensor,
  and not imported by `import torch_activations`.
- mypy: the package is clean; --strict on a user script finds every name
  and catches a wrong argument type.
"""

import inspect
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as TF

import torch_activations as ta
from cases import MODULE_SPECS
from torch_activations import _spec

ROOT = Path(__file__).resolve().parents[1]
OPS = torch.ops.torch_activations


def _library_ops():
    names = set()
    for qual in torch._C._dispatch_get_all_op_names():
        if qual.startswith("torch_activations::"):
            names.add(qual)
    return sorted(names)


# --------------------------------------------------------------- autocast
@pytest.mark.parametrize("key", ["AutocastCPU", "AutocastCUDA"])
def test_every_op_has_an_autocast_kernel(key):
    ops = _library_ops()
    assert len(ops) > 100
    missing = [q for q in ops if not torch._C._dispatch_has_kernel_for_dispatch_key(q, key)]
    assert not missing, missing


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_autocast_pointwise_keeps_input_dtype(dtype):
    x = torch.randn(4, 8, dtype=dtype)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        for op in ("gelu", "mish", "silu", "softplus", "tanh"):
            y = getattr(ta.functional, op)(x)
            assert y.dtype == dtype, op
            torch.testing.assert_close(y, getattr(ta.functional, op)(x.float()).to(dtype), atol=0, rtol=0)


def test_autocast_casts_parameters_not_written_arguments():
    # prelu_: the input is written (never cast), the weight follows the input.
    x = torch.randn(3, 4, dtype=torch.bfloat16)
    w = torch.full((4,), 0.5)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = ta.functional.prelu(x, w)
    assert y.dtype == torch.bfloat16
    torch.testing.assert_close(y, TF.prelu(x, w.bfloat16()))
    # outside autocast the mismatch stays an error that names the op
    with pytest.raises(RuntimeError, match="prelu"):
        ta.functional.prelu(x, w)


def _channels(spec):
    return spec.shapes[0][1] if len(spec.shapes[0]) > 1 else spec.shapes[0][0]


@pytest.mark.parametrize("spec", MODULE_SPECS, ids=[m.id for m in MODULE_SPECS])
def test_learnable_module_trains_under_bf16_autocast(spec):
    torch.manual_seed(0)
    shape = spec.shapes[0]
    c = shape[1]
    per_channel = spec.per_channel[-1]
    act = spec.build(c, per_channel)
    front = nn.Conv2d(c, c, 1) if len(shape) == 4 else nn.Linear(c, c) if len(shape) == 2 else nn.Conv1d(c, c, 1)
    if spec.id == "MaxoutLinear":
        front = nn.Linear(shape[-1], shape[-1])
    model = nn.Sequential(front, act)
    x = torch.randn(*shape)
    with torch.no_grad():
        target = torch.randn_like(model(x))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(40):
        opt.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = model(x)
            loss = (out.float() - target).pow(2).mean()
        assert out.dtype == torch.bfloat16
        loss.backward()
        for name, p in act.named_parameters():
            assert p.dtype == torch.float32 and p.grad is not None and p.grad.dtype == torch.float32, name
            assert torch.isfinite(p.grad).all(), name
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.9 * losses[0], losses


def test_prelu_under_autocast_matches_nn_prelu():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 6, 3)
    ours, theirs = nn.Sequential(conv, ta.PReLU(6)), nn.Sequential(conv, nn.PReLU(6))
    x = torch.randn(2, 3, 8, 8)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        a, b = ours(x), theirs(x)
    assert a.dtype == b.dtype == torch.bfloat16
    torch.testing.assert_close(a, b)
    a.float().sum().backward()
    g_ours = ours[1].weight.grad.clone()
    conv.zero_grad()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        theirs(x).float().sum().backward()
    torch.testing.assert_close(g_ours, theirs[1].weight.grad, rtol=2e-2, atol=2e-2)


# --------------------------------------------------- compiled in-place
class _SqueezeExcite(nn.Module):
    """mobilenetv3's SE block: pool to 1x1, conv, act (in place), conv, gate."""

    def __init__(self, act, gate, c=8, r=4):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1, self.act, self.fc2, self.gate = nn.Conv2d(c, r, 1), act, nn.Conv2d(r, c, 1), gate

    def forward(self, x):
        return x * self.gate(self.fc2(self.act(self.fc1(self.pool(x)))))


@pytest.mark.parametrize("act,gate", [
    (lambda: ta.ReLU(inplace=True), lambda: ta.Hardsigmoid(inplace=True)),
    (lambda: ta.ReLU6(inplace=True), lambda: ta.Sigmoid(inplace=True)),
], ids=["relu-hardsigmoid", "relu6-sigmoid"])
def test_compiled_inplace_squeeze_excite(act, gate):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(8, 8, 1), _SqueezeExcite(act(), gate()), ta.ReLU(inplace=True)).double()
    x = torch.randn(2, 8, 5, 5, dtype=torch.float64, requires_grad=True)

    def step(m):
        for p in model.parameters():
            p.grad = None
        x.grad = None
        y = m(x)
        (y * torch.arange(y.numel(), dtype=y.dtype).reshape(y.shape)).sum().backward()
        return y.detach(), x.grad.clone(), [p.grad.clone() for p in model.parameters()]

    eager = step(model)
    torch._dynamo.reset()
    compiled = step(torch.compile(model, fullgraph=True))
    torch.testing.assert_close(compiled[0], eager[0])
    torch.testing.assert_close(compiled[1], eager[1])
    for a, b in zip(compiled[2], eager[2]):
        torch.testing.assert_close(a, b)


def test_inplace_still_writes_the_input_when_compiled():
    @torch.compile(fullgraph=True)
    def f(x):
        ta.functional.relu(x, inplace=True)
        return x

    x = torch.randn(16)
    expected = x.clamp_min(0)
    f(x)
    torch.testing.assert_close(x, expected)


# --------------------------------------------------------- drop-in
def test_torch_spellings():
    assert ta.Hardswish is ta.HardSwish and ta.Hardsigmoid is ta.HardSigmoid
    x = torch.linspace(-5, 5, 101)
    torch.testing.assert_close(ta.functional.hardswish(x), TF.hardswish(x))
    torch.testing.assert_close(ta.functional.hardsigmoid(x), TF.hardsigmoid(x))
    for name in ("hardswish", "hardsigmoid"):
        assert list(inspect.signature(getattr(ta.functional, name)).parameters) == \
            list(inspect.signature(getattr(TF, name)).parameters)
        y = x.clone()
        assert getattr(ta.functional, name)(y, True) is y


def test_softmax_dtype():
    x = torch.randn(3, 5)
    y = ta.functional.softmax(x, 1, dtype=torch.float64)
    assert y.dtype == torch.float64
    torch.testing.assert_close(y, TF.softmax(x, 1, dtype=torch.float64))


PEERS = [op for op in _spec.OPS if op.nn_peer]


@pytest.mark.parametrize("op", PEERS, ids=[op.name for op in PEERS])
def test_isinstance_of_the_torch_module(op):
    ours = getattr(ta, op.module)
    assert issubclass(ours, getattr(nn, op.nn_peer))


def test_type_matching_helper_accepts_ours():
    """The pattern of timm's and torchvision's helpers: find activations by
    isinstance, build an activation layer from a class with inplace=."""

    def count_relus(model):  # e.g. timm's / torchvision's module walkers
        return sum(isinstance(m, (nn.ReLU, nn.ReLU6, nn.Hardswish, nn.SiLU, nn.GELU)) for m in model.modules())

    def conv_norm_act(cin, cout, activation_layer=nn.ReLU, inplace=True):  # torchvision's Conv2dNormActivation
        params = {} if inplace is None else {"inplace": inplace}
        layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), activation_layer(**params)]
        return nn.Sequential(*layers)

    model = nn.Sequential(conv_norm_act(3, 8, ta.ReLU), conv_norm_act(8, 8, ta.Hardswish), conv_norm_act(8, 8, ta.SiLU))
    assert count_relus(model) == 3
    assert model(torch.randn(1, 3, 4, 4)).shape == (1, 8, 4, 4)


def test_prelu_factory_kwargs():
    m = ta.PReLU(3, device="cpu", dtype=torch.float64)
    assert m.weight.dtype == torch.float64
    for spec in MODULE_SPECS:
        cls = type(spec.build(4, True))
        params = inspect.signature(cls.__init__).parameters
        if list(spec.build(4, True).parameters(recurse=False)):
            assert "device" in params and "dtype" in params, spec.id


# ------------------------------------------------- replace_activations
class _Block(nn.Module):  # torchvision's BasicBlock
    def __init__(self, c):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)
        self.conv2, self.bn2 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)

    def forward(self, x):
        return self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))) + x)


def _resnet():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
                         _Block(8), _Block(8), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10),
                         nn.PReLU(), nn.LeakyReLU(0.2), nn.Softmax(dim=1))


class _TransformerBlock(nn.Module):
    def __init__(self, d=16, heads=2):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(approximate="tanh"), nn.Linear(4 * d, d), nn.SiLU(),
                                 nn.Softplus(beta=2.0, threshold=10.0), nn.Mish(), nn.ELU(0.5), nn.Tanh())

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


@pytest.mark.parametrize("build,shape", [(_resnet, (2, 3, 8, 8)), (_TransformerBlock, (2, 5, 16))],
                         ids=["resnet", "transformer"])
def test_replace_activations(build, shape):
    torch.manual_seed(0)
    model = build().double().eval()
    x = torch.randn(*shape, dtype=torch.float64)
    with torch.no_grad():
        expected = model(x)
    params = {id(p) for p in model.parameters()}
    state = list(model.state_dict())
    torch_types = {type(m) for m in model.modules()}
    out = ta.replace_activations(model)
    assert out is model
    assert {id(p) for p in model.parameters()} == params and list(model.state_dict()) == state
    mapping = ta._replace.default_mapping()
    for m in model.modules():
        assert type(m) not in mapping, type(m)  # every torch activation replaced
    replaced = [m for m in model.modules() if type(m).__module__.startswith("torch_activations")]
    assert len(replaced) >= len(torch_types & set(mapping))
    with torch.no_grad():
        got = model(x)
    torch.testing.assert_close(got, expected, rtol=1e-13, atol=1e-13)
    assert ta.replace_activations(model) is model  # idempotent


def test_replace_activations_keeps_what_ours_cannot_express():
    model = nn.Sequential(nn.Softmax(), nn.Identity(), nn.ReLU())
    ta.replace_activations(model)
    assert type(model[0]) is nn.Softmax and type(model[1]) is nn.Identity and type(model[2]) is ta.ReLU


def test_replace_activations_custom_mapping_and_root():
    model = ta.replace_activations(nn.GELU(), {nn.GELU: lambda m: ta.Mish()})
    assert type(model) is ta.Mish
    with pytest.raises(TypeError, match="replace_activations"):
        ta.replace_activations("relu")


def test_replace_activations_functional():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            x = TF.gelu(self.fc(x), approximate="tanh")
            x = torch.sigmoid(x) + x.relu() + TF.softplus(x, beta=2.0) + TF.hardswish(x)
            return TF.softmax(x, dim=-1) + TF.softmax(x, None, 3)  # the second: torch's implicit dim

    torch.manual_seed(0)
    net = Net().double()
    x = torch.randn(3, 4, dtype=torch.float64)
    expected = net(x)
    traced = ta.replace_activations(net, functional=True)
    targets = {n.target for n in traced.graph.nodes if n.op in ("call_function", "call_method")}
    for fn in (ta.functional.gelu, ta.functional.sigmoid, ta.functional.relu, ta.functional.softplus,
               ta.functional.hardswish, ta.functional.softmax):
        assert fn in targets, fn
    assert TF.gelu not in targets and "relu" not in targets
    assert TF.softmax in targets  # the implicit-dim call stays with torch
    torch.testing.assert_close(traced(x), expected, rtol=1e-13, atol=1e-13)


# --------------------------------------------------------------- DTensor
def _python(code):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


@pytest.mark.skipif(not torch.distributed.is_available(), reason="no torch.distributed")
def test_sharding_rules_register_when_dtensor_is_imported():
    proc = _python("""
        import sys
        import torch_activations as ta
        assert "torch.distributed.tensor" not in sys.modules
        assert not ta.distributed.registered_ops()
        from torch.distributed.tensor import parallel  # imports torch.distributed.tensor
        ops = ta.distributed.registered_ops()
        assert "torch_activations.swiglu.default" in ops and "torch_activations.gelu.default" in ops, ops
        print("ok", len(ops))
    """)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stdout + proc.stderr
    proc = _python("""
        import torch.distributed.tensor
        import torch_activations as ta
        assert "torch_activations.mish.default" in ta.distributed.registered_ops()
    """)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ------------------------------------------------------------------ mypy
_USER_SCRIPT = '''
import torch
import torch_activations as ta
from torch_activations import functional as F

model = torch.nn.Sequential(torch.nn.Linear(8, 8), ta.Mish(), ta.PReLU(8), ta.Hardswish(), ta.SwiGLU())
x: torch.Tensor = torch.randn(2, 8)
y: torch.Tensor = F.gelu(x, approximate="tanh") + F.softplus(x, beta=2.0) + F.hardsigmoid(x)
act: torch.nn.Module = ta.get_activation("silu")
names: list[str] = [a.name for a in ta.list_activations()]
swapped: torch.nn.Module = ta.replace_activations(model)
capability: str = ta.cpu_capability()
'''


def _mypy():
    try:
        import mypy  # noqa: F401
    except ImportError:
        pytest.skip("mypy is not installed (pip install mypy; the README's test command installs it)")
    return [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", os.devnull]


# mypy cannot follow the import hook of a setuptools editable install (the
# test set-up's `pip install -e .`), so it reads the package from the checkout
# and, as for an installed package, reports errors of the script only
# (--follow-imports=silent).
_MYPY_ENV = {**os.environ, "MYPYPATH": str(ROOT)}


@pytest.mark.slow
def test_mypy_strict_user_script(tmp_path):
    mypy = _mypy()
    good = tmp_path / "good.py"
    good.write_text(_USER_SCRIPT)
    proc = subprocess.run([*mypy, "--strict", "--follow-imports=silent", str(good)], capture_output=True, text=True, cwd=tmp_path, timeout=900,
                          env=_MYPY_ENV)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bad = tmp_path / "bad.py"
    bad.write_text(_USER_SCRIPT + 'z = F.softplus(x, beta="two")\nw = ta.NotAnActivation()\n')
    proc = subprocess.run([*mypy, "--strict", "--follow-imports=silent", str(bad)], capture_output=True, text=True, cwd=tmp_path, timeout=900,
                          env=_MYPY_ENV)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'Argument "beta" to "softplus" has incompatible type "str"' in proc.stdout, proc.stdout
    assert 'has no attribute "NotAnActivation"' in proc.stdout, proc.stdout


@pytest.mark.slow
def test_mypy_package_is_clean():
    mypy = _mypy()
    proc = subprocess.run([*mypy, "-p", "torch_activations"], capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ------------------------------------------------------ fast entry points
def test_fast_entry_points_match_the_ops():
    from torch_activations import _fast

    x = torch.randn(64)
    for name, args in (("relu", ()), ("gelu", ("tanh",)), ("softplus", (2.0, 10.0)), ("sinc", (False,)),
                       ("quant_relu", (3, 1.5)), ("softmax", (0,)), ("swiglu", (-1,))):
        torch.testing.assert_close(getattr(_fast, name)(x, *args),
                                   getattr(OPS, name)(x, *args), rtol=0, atol=0)
    y = x.clone()
    assert _fast.leaky_relu_(y, 0.2) is None
    torch.testing.assert_close(y, TF.leaky_relu(x, 0.2))
    # anything else goes to the op: its errors, its argument conversion
    with pytest.raises(RuntimeError, match="gelu"):
        _fast.gelu(x, "fast")
    with pytest.raises(RuntimeError, match="relu"):
        _fast.relu("not a tensor")
    torch.testing.assert_close(_fast.softplus(x, 2, 10), OPS.softplus(x, 2.0, 10.0))  # ints for floats


def test_fast_entry_points_respect_torch_function():
    seen = []

    class Logged(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            seen.append(func)
            return super().__torch_function__(func, types, args, kwargs or {})

    x = torch.randn(4).as_subclass(Logged)
    ta.functional.mish(x)
    assert OPS.mish.default in seen or OPS.mish in seen, seen

    class Mode(torch.overrides.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            seen.append(("mode", func))
            return func(*args, **(kwargs or {}))

    seen.clear()
    with Mode():
        ta.functional.relu(torch.randn(3))
    assert seen and seen[0][0] == "mode", seen


def test_fast_entry_points_under_autograd_and_compile():
    x = torch.randn(8, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: ta.functional.gelu(t, approximate="tanh"), (x,))
    f = torch.compile(lambda t: ta.functional.silu(t) + ta.functional.relu(t), fullgraph=True)
    torch.testing.assert_close(f(x), TF.silu(x) + TF.relu(x))
