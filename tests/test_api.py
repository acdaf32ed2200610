"""The Python API: registry (and its recorded properties, checked against the
implementation), functional signatures against the operator schemas, modules,
TorchScript, torch.compile, torch.export and AOTInductor."""

import inspect
import math

import numpy as np
import pytest
import torch

import torch_activations as ta
from cases import CASES
from util import derivatives

POINTWISE = ta.list_activations("pointwise")
NAMES = [i.name for i in POINTWISE]


# ------------------------------------------------------------ registry
def test_registry_covers_every_pointwise_op():
    assert set(NAMES) == set(CASES)
    for info in POINTWISE:
        assert hasattr(torch.ops.torch_activations, info.name)
        assert callable(getattr(ta.functional, info.name))
        assert issubclass(getattr(ta, info.module), torch.nn.Module)
        assert info.formula and info.use_case and info.title


# (The defaults of every entry against the schema, the function and the
# module: tests/test_spec.py.)


def test_get_activation_and_list():
    m = ta.get_activation("softplus", beta=2.0)
    assert isinstance(m, ta.Softplus) and m.beta == 2.0
    assert isinstance(ta.get_activation("HardSwish"), ta.HardSwish)
    assert isinstance(ta.get_activation("hard-swish"), ta.HardSwish)
    with pytest.raises(KeyError, match="unknown activation 'nope'"):
        ta.get_activation("nope")
    with pytest.raises(ValueError, match="unknown activation 'mihs'; did you mean 'mish'"):
        ta.get_activation("mihs")
    with pytest.raises(TypeError, match="get_activation\\('mish'\\)"):
        ta.get_activation("mish", beta=1.0)
    assert [i.name for i in ta.list_activations()][:3] == ["sigmoid", "tanh", "linear"]
    with pytest.raises(ValueError):
        ta.list_activations("nonsense")


def test_docstrings_and_repr():
    assert "x \\tanh" in ta.functional.mish.__doc__
    assert "Torch peer" in ta.Mish.__doc__
    assert repr(ta.GELU(approximate="tanh")) == "GELU(approximate='tanh')"
    assert repr(ta.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(ta.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    assert repr(ta.RReLU()) == "RReLU(lower=0.125, upper=0.3333333333333333)"


# ------------------------------------- recorded properties vs the code
_GRID = torch.cat([torch.linspace(-20, 20, 400_001, dtype=torch.float64),
                   torch.logspace(-6, 6, 2001, dtype=torch.float64),
                   -torch.logspace(-6, 6, 2001, dtype=torch.float64)]).sort().values


def _values(name):
    return getattr(ta.functional, name)(_GRID)


@pytest.mark.parametrize("name", NAMES)
def test_recorded_range(name):
    info = ta.get_info(name)
    y = _values(name)
    ends = getattr(ta.functional, name)(torch.tensor([-math.inf, math.inf], dtype=torch.float64))
    lo = min(y.min().item(), ends.nan_to_num(nan=math.inf).min().item())
    hi = max(y.max().item(), ends.nan_to_num(nan=-math.inf).max().item())
    for recorded, seen in ((info.range[0], lo), (info.range[1], hi)):
        if math.isinf(recorded):
            assert abs(seen) > 1e5 and math.copysign(1, seen) == math.copysign(1, recorded), (recorded, seen)
        else:
            assert seen == pytest.approx(recorded, abs=1e-6), (recorded, seen)


@pytest.mark.parametrize("name", NAMES)
def test_recorded_monotonic(name):
    y = _values(name)
    nondecreasing = bool((y.diff() >= -1e-12).all())
    assert nondecreasing == ta.get_info(name).monotonic


@pytest.mark.parametrize("name", NAMES)
def test_recorded_zero_centred(name):
    nodes, weights = np.polynomial.hermite_e.hermegauss(201)
    x = torch.tensor(nodes, dtype=torch.float64)
    w = torch.tensor(weights / weights.sum(), dtype=torch.float64)
    y = getattr(ta.functional, name)(x)
    mean, rms = (w * y).sum().item(), (w * y * y).sum().sqrt().item()
    assert (abs(mean) <= 0.1 * rms) == ta.get_info(name).zero_centred, (mean, rms)


@pytest.mark.parametrize("name", NAMES)
def test_recorded_smoothness(name):
    x = torch.linspace(-10, 10, 200_001, dtype=torch.float64)
    y, d1, d2 = derivatives(getattr(ta.functional, name), x)

    def jumps(v):
        return bool((v.diff().abs() > 1e-2).any())

    if jumps(y):
        seen = "discontinuous"
    elif jumps(d1):
        seen = "C0"
    elif jumps(d2):
        seen = "C1"
    else:
        seen = "Cinf"
    assert seen == ta.get_info(name).smoothness


# ------------------------------------------------------------ modules
@pytest.mark.parametrize("name", NAMES)
def test_module_matches_functional_and_scripts(name, tmp_path):
    info = ta.get_info(name)
    m = getattr(ta, info.module)()
    m.eval()
    x = torch.randn(3, 5)
    torch.testing.assert_close(m(x), getattr(ta.functional, name)(x))
    s = torch.jit.script(m)
    torch.testing.assert_close(s(x), m(x))
    if "inplace" in inspect.signature(type(m).__init__).parameters:
        mi = getattr(ta, info.module)(inplace=True).eval()
        u = x.clone()
        assert mi(u) is u
        torch.testing.assert_close(u, m(x))


def _model():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(6, 16), ta.Mish(),
        torch.nn.Linear(16, 16), ta.GELU(approximate="tanh"),
        torch.nn.Linear(16, 16), ta.Softplus(beta=2.0),
        torch.nn.Linear(16, 16), ta.ELU(alpha=0.5, inplace=True),
        torch.nn.Linear(16, 16), ta.HardSwish(),
        torch.nn.Linear(16, 16), ta.Sinc(),
        torch.nn.Linear(16, 3), ta.LogSigmoid(),
    ).double()


def _out_and_grads(model, x):
    x = x.clone().requires_grad_()
    y = model(x)
    grads = torch.autograd.grad(y.square().sum(), [x, *model.parameters()])
    return y.detach(), grads


def test_torchscript_round_trip(tmp_path):
    model = _model()
    x = torch.randn(8, 6, dtype=torch.float64)
    scripted = torch.jit.script(model)
    path = tmp_path / "model.pt"
    scripted.save(str(path))
    loaded = torch.jit.load(str(path))
    y0, g0 = _out_and_grads(model, x)
    y1, g1 = _out_and_grads(loaded, x)
    torch.testing.assert_close(y1, y0, rtol=0, atol=0)
    for a, b in zip(g0, g1):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert "torch_activations::mish" in loaded.code or "torch_activations" in str(loaded.graph)


def test_compile_fullgraph_matches_eager():
    model = _model()
    x = torch.randn(8, 6, dtype=torch.float64)
    compiled = torch.compile(model, fullgraph=True)
    y0, g0 = _out_and_grads(model, x)
    y1, g1 = _out_and_grads(compiled, x)
    torch.testing.assert_close(y1, y0, rtol=1e-12, atol=1e-12)
    for a, b in zip(g0, g1):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_compile_dynamic_shapes():
    f = torch.compile(lambda t: ta.functional.swish(t, 1.5) * 2, fullgraph=True, dynamic=True)
    for n in (3, 7, 11):
        x = torch.randn(n, 2)
        torch.testing.assert_close(f(x), ta.functional.swish(x, 1.5) * 2)


def test_export_and_run():
    model = _model()
    x = torch.randn(8, 6, dtype=torch.float64)
    ep = torch.export.export(model, (x,))
    assert "torch_activations.mish" in str(ep.graph)
    torch.testing.assert_close(ep.module()(x), model(x), rtol=1e-12, atol=1e-12)


@pytest.mark.slow
def test_aot_inductor_package(tmp_path):
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), ta.Mish(), torch.nn.Linear(8, 4), ta.GELU()).eval()
    x = torch.randn(5, 6)
    ep = torch.export.export(model, (x,))
    path = torch._inductor.aoti_compile_and_package(ep, package_path=str(tmp_path / "m.pt2"))
    runner = torch._inductor.aoti_load_package(path)
    torch.testing.assert_close(runner(x), model(x), rtol=1e-5, atol=1e-6)


def test_readme_is_true():
    """The README lists every activation with the registry's facts, and its two
    quick-start commands exist."""
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    text = open(os.path.join(root, "README.md")).read()
    for info in ta.list_activations():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{info.name}` |")), None)
        assert row is not None, f"README table lacks {info.name}"
        assert f"`{info.module}`" in row
        monotonic = row.split("|")[5].strip()
        assert monotonic in (("yes" if info.monotonic else "no"), "–")
    for script in ("examples/demo.sh", "tests/run.sh"):
        assert f"bash {script}" in text and os.path.exists(os.path.join(root, script))
