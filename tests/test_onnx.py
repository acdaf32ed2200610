"""ONNX export (torch.onnx.export(..., dynamo=True)) of every op, run in onnxruntime.

Every registry entry with a deterministic forward (rrelu in eval mode; its
training mode is checked for its bounds) is exported with a dynamic batch
dimension, run by onnxruntime at two batch sizes other than the example's and
compared with eager mode.  To keep the suite fast, the entries of each group
are branches of one model: one export and one session per group.

torch_activations._onnx.register() hooks the decompositions into the ONNX
exporter's decomposition step only; the last tests check that nothing else
(the global decomposition tables, FakeTensor tracing, torch.export,
torch.compile) sees them.
"""

import contextlib

import numpy as np
import pytest
import torch
from torch import nn

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxscript")
ort = pytest.importorskip("onnxruntime")

import torch_activations as ta  # noqa: E402
from torch_activations import _onnx  # noqa: E402
from torch_activations import learnable as L  # noqa: E402

_onnx.register()
ops = torch.ops.torch_activations

pytestmark = [
    pytest.mark.filterwarnings("ignore:Exporting a model while it is in training mode"),
    pytest.mark.filterwarnings("ignore:.*dynamic_axes.*:UserWarning"),
    pytest.mark.filterwarnings("ignore:from_dynamic_axes_to_dynamic_shapes is deprecated"),
    pytest.mark.filterwarnings("ignore:.*LeafSpec.*:FutureWarning"),
]

RTOL = 1e-5  # on |onnx - eager| / max(|eager|, 1), float32
# PAU sums terms a_k |x|^{p_k} that can cancel; the kernel computes |x|^p as
# exp(p ln|x|), ONNX as Pow: each within float32 rounding of the terms.
TOLERANCE = {"pau": 5e-5}
BATCHES = (1, 7)  # run sizes; the export example has batch 3


@contextlib.contextmanager
def _one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _session(model_proto):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(model_proto.SerializeToString(), so, providers=["CPUExecutionProvider"])


def _export(model, x, dynamic=True, **kwargs):
    shapes = ({0: torch.export.Dim("batch", min=1, max=4096)},) if dynamic else None
    with _one_thread():
        return torch.onnx.export(model, (x,), dynamo=True, dynamic_shapes=shapes, verbose=False, **kwargs)


def _run(session, x):
    return session.run(None, {session.get_inputs()[0].name: x.numpy()})


def _op_types(program):
    return {node.op_type for node in program.model.graph}


class Branches(nn.Module):
    """Applies each module to (a copy of) the input; returns all outputs."""

    def __init__(self, modules):
        super().__init__()
        self.branches = nn.ModuleList(modules)

    def forward(self, x):
        return tuple(m(x.clone()) for m in self.branches)


def _randomize(module, gen):
    """Random parameters around the initialisation (positive where the op requires it)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.add_(0.2 * torch.randn(p.shape, generator=gen))
            if name in ("powers", "max_val") or (isinstance(module, L.ParametricSoftplus) and name == "beta"):
                p.abs_().add_(0.3)
    return module


def _pointwise_cases():
    cases = []
    for info in ta.list_activations("pointwise"):
        cases.append((info.name, ta.get_activation(info.name)))
        if info.inplace:
            cases.append((info.name + "[inplace]", ta.get_activation(info.name, inplace=True)))
    cases += [
        ("leaky_relu(0.2)", ta.LeakyReLU(0.2)), ("elu(0.5)", ta.ELU(0.5)), ("celu(2)", ta.CELU(2.0)),
        ("gelu(tanh)", ta.GELU("tanh")), ("swish(2)", ta.Swish(2.0)), ("eswish(1.25)", ta.ESwish(1.25)),
        ("softplus(2,5)", ta.Softplus(2.0, 5.0)), ("sine(3)", ta.Sine(3.0)), ("cosine(0.5)", ta.Cosine(0.5)),
        ("sinc(unnormalized)", ta.Sinc(False)), ("hard_sigmoid(0.2)", ta.HardSigmoid(0.2, 0.5)),
        ("quant_relu(8,2)", ta.QuantReLU(8, 2.0)), ("rrelu(0.1,0.3)", ta.RReLU(0.1, 0.3)),
    ]
    return cases, (4, 5)


def _dim_cases():
    return [
        ("softmax", ta.Softmax(-1)), ("softmax(dim1)", ta.Softmax(1)), ("glu", ta.GLU(-1)), ("glu(dim1)", ta.GLU(1)),
        ("geglu", ta.GEGLU(-1)), ("geglu(tanh)", ta.GEGLU(-1, "tanh")), ("swiglu", ta.SwiGLU(-1)),
        ("reglu", ta.ReGLU(1)), ("crelu", ta.CReLU(1)), ("crelu(-1)", ta.CReLU(-1)),
        ("maxout", ta.Maxout(2, 1)), ("maxout(3,-1)", ta.Maxout(3, -1)),
    ], (8, 6)


def _learnable_cases():
    gen = torch.Generator().manual_seed(1234)
    cases = []
    for c in (1, 4):
        cases += [
            (f"prelu[{c}]", L.PReLU(c)), (f"learnable_sigmoid[{c}]", L.LearnableSigmoid(c)),
            (f"parametric_softplus[{c}]", L.ParametricSoftplus(c)), (f"srelu[{c}]", L.SReLU(c)),
            (f"pau[{c}]", L.PAU(c)), (f"pade[{c}]", L.PadeActivation(c)), (f"relu_polymix[{c}]", L.ReLUPolyMix(c)),
        ]
    cases += [
        ("pade(3,2)", L.PadeActivation(4, (3, 2))), ("relu_polymix(degree5)", L.ReLUPolyMix(4, 5)),
        ("swish_learnable", ta.Swish(learnable=True)), ("pact", ta.QuantReLU(learnable=True)),
        ("dynamic_relu", L.DynamicReLU(4)), ("dynamic_relu(A,k3)", L.DynamicReLU(4, k=3, mode="A")),
        ("evonorm_b0", L.EvoNormB0(4)), ("evonorm_s0", L.EvoNormS0(4, groups=2)),
        ("lut", L.LUTActivation.from_activation("gelu", 33, (-3.0, 3.0))),
        ("maxout_linear", nn.Sequential(nn.Flatten(), L.MaxoutLinear(20, 3, 2))),
    ]
    for _, m in cases:
        _randomize(m, gen)
    return cases, (4, 5)


GROUPS = {"pointwise": _pointwise_cases, "dim": _dim_cases, "learnable": _learnable_cases}


def _base_name(label):
    return label.split("[")[0].split("(")[0]


def test_every_forward_op_has_a_decomposition():
    names = {s.split("::")[1] for s in torch._C._dispatch_get_all_op_names() if s.startswith("torch_activations::")}
    forward = set()
    for n in names:
        op = getattr(ops, n).default
        cia = torch._C._dispatch_has_kernel_for_dispatch_key(op.name(), "CompositeImplicitAutograd")
        if n.startswith("_") or "backward" in n or n.endswith(("_", "_jet", "_jet_from_result")) or cia:
            continue
        forward.add(n)
    assert forward == set(_onnx.DECOMPOSITIONS), forward ^ set(_onnx.DECOMPOSITIONS)
    assert {n[:-1] for n in names if n.endswith("_") and not n.startswith("_")} == set(_onnx.INPLACE)


def test_every_registry_entry_is_tested():
    covered = {_base_name(label) for group in GROUPS.values() for label, _ in group()[0]}
    assert {info.name for info in ta.list_activations()} <= covered


def test_register_is_idempotent_and_touches_only_the_onnx_exporter():
    from torch._decomp import decomposition_table, meta_table, pre_autograd_decomposition_table
    from torch._inductor.decomposition import select_decomp_table
    from torch.onnx._internal.exporter import _decomp, _fx_passes

    before = (_decomp.create_onnx_friendly_decomposition_table, _fx_passes.decompose_with_registry)
    _onnx.register()
    _onnx.register()
    assert _onnx.is_registered()
    assert (_decomp.create_onnx_friendly_decomposition_table, _fx_passes.decompose_with_registry) == before
    ours = set(_onnx.decomposition_table())
    inplace = {getattr(ops, n + "_").default for n in _onnx.INPLACE}
    for table in (decomposition_table, meta_table, pre_autograd_decomposition_table, select_decomp_table(),
                  torch.export.default_decompositions()):
        assert not (ours | inplace) & set(table)
    assert not any(op.py_kernels for op in ours | inplace)
    # ... while the exporter's table has them (except where ONNX has a translation).
    assert ours <= set(_decomp.create_onnx_friendly_decomposition_table(set()))
    assert ops.mish.default not in _decomp.create_onnx_friendly_decomposition_table({ops.mish.default})


@pytest.mark.parametrize("group", list(GROUPS))
def test_onnxruntime_matches_eager_with_dynamic_batch(group):
    cases, shape = GROUPS[group]()
    labels = [label for label, _ in cases]
    model = Branches([m for _, m in cases]).eval()
    gen = torch.Generator().manual_seed(7)
    program = _export(model, 3 * torch.randn(3, *shape, generator=gen))
    onnx.checker.check_model(program.model_proto, full_check=True)
    session = _session(program.model_proto)
    batch_dim = program.model_proto.graph.input[0].type.tensor_type.shape.dim[0]
    assert batch_dim.dim_param, "the batch dimension was not exported as dynamic"
    assert not any("torch_activations" in n.domain for n in program.model_proto.graph.node)
    worst = {}
    for b in BATCHES:
        x = 3 * torch.randn(b, *shape, generator=gen)
        outputs = _run(session, x)
        with torch.no_grad(), _one_thread():
            expected = model(x)
        assert len(outputs) == len(expected)
        for label, got, want in zip(labels, outputs, expected):
            want = want.numpy()
            assert got.shape == want.shape, (label, got.shape, want.shape)
            diff = np.abs(got.astype(np.float64) - want)
            rel = float(np.max(diff / np.maximum(np.abs(want), 1.0)))
            worst[label] = max(worst.get(label, 0.0), rel)
    bad = {k: v for k, v in worst.items() if not v <= TOLERANCE.get(_base_name(k), RTOL)}
    assert not bad, f"onnxruntime differs from eager: {bad}"


def test_plain_export_inplace_and_dynamic_axes():
    """No extra argument; in-place modules; the legacy-style dynamic_axes."""
    model = nn.Sequential(nn.Linear(6, 8), ta.Mish(), ta.ReLU(inplace=True), ta.SwiGLU(), ta.PReLU(1)).eval()
    x = torch.randn(3, 6)
    with torch.no_grad():
        want = model(x).numpy()
    with _one_thread():
        program = torch.onnx.export(model, (x,), dynamo=True, verbose=False)
    np.testing.assert_allclose(_run(_session(program.model_proto), x)[0], want, rtol=RTOL, atol=RTOL)
    with _one_thread():
        program = torch.onnx.export(model, (x,), dynamo=True, verbose=False, input_names=["x"],
                                    dynamic_axes={"x": {0: "batch"}})
    x5 = torch.randn(5, 6)
    with torch.no_grad():
        want5 = model(x5).numpy()
    np.testing.assert_allclose(_run(_session(program.model_proto), x5)[0], want5, rtol=RTOL, atol=RTOL)


def test_exported_program_with_inplace_views():
    """An ExportedProgram as input, with an in-place op on a view."""

    class M(nn.Module):
        def forward(self, x):
            y = x * 2.0
            ta.functional.leaky_relu(y[:, :3], 0.2, inplace=True)
            return ta.functional.hard_swish(y, inplace=True) + 1.0

    x = 3 * torch.randn(4, 5)
    want = M()(x.clone())
    ep = torch.export.export(M(), (x.clone(),))
    with _one_thread():
        program = torch.onnx.export(ep, dynamo=True, verbose=False)
    np.testing.assert_allclose(_run(_session(program.model_proto), x)[0], want.numpy(), rtol=RTOL, atol=RTOL)
    torch.testing.assert_close(ep.module()(x.clone()), want)  # the program still runs as before


def test_rrelu_training_mode_exports_random_slopes():
    lower, upper = 0.1, 0.3
    model = ta.RReLU(lower, upper).train()
    x = 3 * torch.randn(64, 16)
    program = _export(model, x, dynamic=False)
    assert "RandomUniformLike" in _op_types(program)
    y = _run(_session(program.model_proto), x)[0]
    x = x.numpy()
    neg = x < 0
    np.testing.assert_array_equal(y[~neg], x[~neg])
    slopes = y[neg] / x[neg]
    assert slopes.min() >= lower - 1e-6 and slopes.max() <= upper + 1e-6 and slopes.std() > 0.01


def test_custom_translation_table_takes_precedence():
    from onnxscript import opset18 as op

    def mish_as_relu(x):
        return op.Relu(x)

    x = torch.randn(2, 3)
    with _one_thread():
        program = torch.onnx.export(ta.Mish().eval(), (x,), dynamo=True, verbose=False,
                                    custom_translation_table={ops.mish.default: mish_as_relu})
    assert _op_types(program) == {"Relu"}


def test_tracing_systems_are_unchanged_after_an_onnx_export():
    """After an ONNX export the library's ops are still ops everywhere else:
    torch.export keeps them, and FakeTensor tracing with symbolic shapes uses
    their Meta kernels (whose own error message shows here)."""
    from torch.fx.experimental.proxy_tensor import make_fx

    model = nn.Sequential(nn.Linear(4, 8), ta.Mish(), ta.GLU(-1)).eval()
    x = torch.randn(3, 4)
    _export(model, x)
    ep = torch.export.export(model, (x,), dynamic_shapes=({0: torch.export.Dim("b")},))
    assert "torch_activations.mish" in str(ep.graph) and "torch_activations.glu" in str(ep.graph)
    with pytest.raises(RuntimeError, match="glu: size of dim -1 must be even"):
        make_fx(lambda t: ops.glu(t, -1), tracing_mode="symbolic")(torch.randn(4, 5))


def test_register_at_import_is_lazy():
    """register() (to be called by ``import torch_activations``) imports
    neither the exporter nor onnx/onnxscript, and the hook still applies."""
    import subprocess
    import sys

    code = (
        "import sys, torch\n"
        "from torch_activations import _onnx\n"
        "_onnx.register(); _onnx.register()\n"
        "assert not {'onnx', 'onnxscript', _onnx._FX_PASSES} & set(sys.modules), 'not lazy'\n"
        "assert not _onnx.is_registered()\n"
        "from torch.onnx._internal.exporter import _fx_passes\n"
        "assert _onnx.is_registered()\n"
        "assert sum(type(f).__name__ == '_PatchAfterImport' for f in sys.meta_path) == 0\n"
    )
    env = {**__import__("os").environ, "PYTHONPATH": __import__("os").pathsep.join(p for p in sys.path if p)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
