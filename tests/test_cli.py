"""``python -m torch_activations``: list, table, plot, gallery, analyze,
shootout and demo, and the computed properties against known facts."""

import csv
import io
import json
import math
import os
import subprocess
import sys

import pytest
import torch

import torch_activations as ta
from torch_activations import analysis, modules, registry
from torch_activations.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEW = "sigmoid,tanh,relu,softsign"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_cli(capsys, *argv):
    """main(argv) in-process: (exit status, stdout)."""
    rc = main(list(argv))
    return rc, capsys.readouterr().out


def assert_png(path):
    with open(path, "rb") as f:
        head = f.read(8)
    assert head == PNG_MAGIC and os.path.getsize(path) > 5000, path


class _GatedHalves(torch.nn.Module):
    """Stand-in for a GLU-family op over a dimension: a * sigmoid(b)."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        a, b = x.chunk(2, self.dim)
        return a * torch.sigmoid(b)


class _ScaledTanh(torch.nn.Module):
    """Stand-in for a learnable elementwise op: tanh(alpha * x), alpha learnable."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = torch.nn.Parameter(torch.tensor(alpha))

    def forward(self, x):
        return torch.tanh(self.alpha * x)


class _NeedsTable(torch.nn.Module):
    """Stand-in for a module whose constructor needs an argument the registry has no default for."""

    def __init__(self, table):
        super().__init__()


class _BatchCentre(torch.nn.Module):
    """Stand-in for a normalisation: not an elementwise function."""

    def forward(self, x):
        return x - x.mean(0, keepdim=True)


_FAKES = [
    (_GatedHalves, registry.ActivationInfo("fake_glu", "dim", "_GatedHalves", "Test GLU", r"a\,\sigma(b)",
                                           "a sigmoid(b)", params=(registry.Param("dim", "int", -1, "split dimension."),),
                                           monotonic=None, smoothness=None, zero_centred=None)),
    (_ScaledTanh, registry.ActivationInfo("fake_stanh", "learnable", "_ScaledTanh", "Test scaled tanh",
                                          r"\tanh(\alpha x)", "tanh(alpha x)",
                                          module_params=(registry.Param("alpha", "float", 1.0, "scale."),),
                                          range=(-1.0, 1.0), monotonic=True, zero_centred=True)),
    (_NeedsTable, registry.ActivationInfo("fake_lut", "learnable", "_NeedsTable", "Test LUT", "f(x)", "f(x)",
                                          module_params=(registry.Param("table", "Tensor"),),
                                          monotonic=None, smoothness=None, zero_centred=None)),
    (_BatchCentre, registry.ActivationInfo("fake_norm", "learnable", "_BatchCentre", "Test norm", "x - E x",
                                           "x - E x", module_params=(),
                                           monotonic=None, smoothness=None, zero_centred=None)),
]


@pytest.fixture
def fake_ops(monkeypatch):
    """Registry entries of the categories still to come ("dim", "learnable"),
    to exercise the surface plots, modules with parameters, and the graceful
    skipping of entries that cannot be evaluated elementwise."""
    for cls, info in _FAKES:
        monkeypatch.setitem(registry.REGISTRY, info.name, info)
        monkeypatch.setattr(modules, cls.__name__, cls, raising=False)
    return [info.name for _, info in _FAKES]


@pytest.fixture
def fake_dim_op(fake_ops):
    return "fake_glu"


# ------------------------------------------------------------------ list

def test_list_subprocess():
    out = subprocess.run([sys.executable, "-m", "torch_activations", "list"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "| leaky_relu | pointwise | LeakyReLU | negative_slope=0.01 |" in out.stdout
    for info in ta.list_activations():
        assert f"| {info.name} |" in out.stdout


def test_list_json(capsys):
    rc, out = run_cli(capsys, "list", "--format", "json")
    assert rc == 0
    rows = json.loads(out)
    assert [r["name"] for r in rows] == [i.name for i in ta.list_activations()]
    assert next(r for r in rows if r["name"] == "softplus")["defaults"] == {"beta": 1.0, "threshold": 20.0}


# ----------------------------------------------------------------- table

def test_table_markdown_rows(capsys):
    rc, out = run_cli(capsys, "table", "--names", FEW, "--no-timing")
    assert rc == 0
    rows = {line.split("|")[1].strip(): line for line in out.splitlines() if line.startswith("| ")}
    assert set(FEW.split(",")) <= set(rows)
    assert "| (0, 1) | yes | Cinf | no | 0.25 |" in rows["sigmoid"]
    assert "| [0, inf) | yes | C0 | no | 1 | 50.0% |" in rows["relu"]
    assert "\\|x\\|" in rows["softsign"]  # pipes in formulas are escaped
    assert "‡" not in out


def test_table_csv_and_json_with_timing(capsys, tmp_path):
    rc, out = run_cli(capsys, "table", "--names", "relu,gelu", "--format", "csv", "--no-timing")
    assert rc == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["activation"] for r in rows] == ["relu", "gelu"]
    assert rows[1]["range"] == "[-0.17, inf)" and rows[1]["monotonic"] == "no"

    path = tmp_path / "table.json"
    rc, _ = run_cli(capsys, "table", "--names", "relu,gelu", "--format", "json", "--out", str(path))
    data = json.loads(path.read_text())
    assert rc == 0 and [r["name"] for r in data] == ["relu", "gelu"]
    assert data[0]["relative_cost"] == 1.0 and data[1]["relative_cost"] > 0
    assert data[0]["range"] == [0.0, "inf"] and data[0]["range_closed"] == [True, False]


def test_computed_properties_agree_with_registry():
    """Every elementwise entry: the registry records what the code computes."""
    for info in ta.list_activations():
        prof = analysis.analyze(info.name)
        assert prof.registry_mismatches == [], (info.name, prof.registry_mismatches)


# ----------------------------------------------------- known facts (issue 5)

def test_known_facts():
    sig = analysis.analyze("sigmoid")
    assert sig.range == (0.0, 1.0) and sig.range_closed == (False, False) and sig.monotonic
    assert sig.range_text() == "(0, 1)"
    assert analysis.analyze("tanh").zero_centred
    assert not analysis.analyze("sigmoid").zero_centred
    assert analysis.analyze("relu").smoothness == "C0"
    assert analysis.analyze("softsign").lipschitz == pytest.approx(1.0, abs=1e-12)
    gelu_max_slope = 0.5 * (1 + math.erf(1.0)) + math.exp(-1.0) / math.sqrt(math.pi)  # at x = sqrt(2)
    gelu = analysis.analyze("gelu")
    assert gelu.lipschitz == pytest.approx(gelu_max_slope, rel=1e-7)
    assert gelu.lipschitz == pytest.approx(1.129, abs=5e-4)
    assert analysis.analyze("quant_relu").smoothness == "discontinuous"
    assert analysis.analyze("sqnl").smoothness == "C1"
    relu = analysis.analyze("relu")
    assert relu.vanishing_share == pytest.approx(0.5, abs=1e-3) and relu.exploding_share == 0.0


def test_parameters_change_the_profile():
    elu = analysis.analyze("elu", {"alpha": 0.5})  # f'(0-) = 0.5, f'(0+) = 1: a kink
    assert elu.smoothness == "C0" and elu.range == (-0.5, math.inf)
    assert elu.registry_mismatches == []  # not compared away from the defaults
    assert analysis.analyze("sine", {"w0": 30.0}).lipschitz == pytest.approx(30.0, rel=1e-6)
    info = ta.get_info("hard_sigmoid")
    assert analysis.parse_param_specs(info, ["slope=1/5,0.25"]) == {"slope": [0.2, 0.25]}
    with pytest.raises(ValueError, match="no parameter 'beta'"):
        analysis.parse_param_specs(info, ["beta=1"])


# ------------------------------------------------------------------ plots

def test_plot_png_order_2_and_overlay(capsys, tmp_path):
    out = tmp_path / "elu.png"
    rc, _ = run_cli(capsys, "plot", "elu", "--param", "alpha=0.5,1,2", "--order", "2", "--out", str(out))
    assert rc == 0
    assert_png(out)
    out2 = tmp_path / "hs.png"
    assert main(["plot", "hard_sigmoid", "--param", "slope=0.2", "--param", "offset=0.4,0.5",
                 "--out", str(out2)]) == 0
    assert_png(out2)


def test_plot_errors(tmp_path, capsys):
    with pytest.raises(SystemExit, match="no parameter 'beta'"):
        main(["plot", "elu", "--param", "beta=1", "--out", str(tmp_path / "x.png")])
    assert main(["plot", "no_such_op", "--out", str(tmp_path / "x.png")]) == 2
    assert "unknown activation" in capsys.readouterr().err


def test_surface_plot_and_profile_of_a_dim_op(fake_dim_op, tmp_path, capsys):
    out = tmp_path / "glu.png"
    assert main(["plot", fake_dim_op, "--out", str(out)]) == 0
    assert_png(out)
    rc, text = run_cli(capsys, "analyze", fake_dim_op, "--no-timing")
    assert rc == 0 and "operates over a dimension" in text
    rc, text = run_cli(capsys, "table", "--names", f"relu,{fake_dim_op}", "--format", "json")
    row = json.loads(text)[1]
    assert row["elementwise"] is False and row["range"] is None and row["relative_cost"] > 0


def test_gallery(fake_ops, tmp_path):
    out = tmp_path / "gallery"
    assert main(["gallery", "--names", "relu,elu," + ",".join(fake_ops), "--out", str(out)]) == 0
    html = (out / "index.html").read_text()
    md = (out / "index.md").read_text()
    for name in ("relu", "elu", "fake_glu", "fake_stanh"):
        assert_png(out / f"{name}.png")
        assert f'src="{name}.png"' in html and f"({name}.png)" in md
    assert r"\alpha (e^{x} - 1)" in md
    for name in ("fake_lut", "fake_norm"):  # listed with the reason, no image
        assert not (out / f"{name}.png").exists()
        assert f'id="{name}"' in html and "No plot" in html


def test_learnable_and_unusable_entries(fake_ops, capsys):
    rc, text = run_cli(capsys, "table", "--category", "learnable", "--format", "json", "--no-timing")
    rows = {r["name"]: r for r in json.loads(text)}
    assert rc == 0 and {"fake_stanh", "fake_lut", "fake_norm"} <= set(rows)
    assert {r["category"] for r in rows.values()} == {"learnable"}
    stanh = rows["fake_stanh"]
    assert stanh["elementwise"] and stanh["registry_mismatches"] == [] and stanh["lipschitz"] == pytest.approx(1.0)
    assert "TypeError" in rows["fake_lut"]["note"] and not rows["fake_lut"]["elementwise"]
    assert rows["fake_norm"]["note"] == "not an elementwise function of its input"
    prof = analysis.analyze("fake_stanh", {"alpha": 2.0})
    assert prof.lipschitz == pytest.approx(2.0) and prof.range == (-1.0, 1.0)
    rc, text = run_cli(capsys, "shootout", "--names", "fake_stanh,fake_lut", "--epochs", "1", "--seeds", "0",
                       "--format", "json")
    rows = json.loads(text)
    assert [r["name"] for r in rows] == ["fake_stanh", "fake_lut"]
    assert rows[0]["accuracy"] > 0.5 and rows[1]["accuracy"] is None and "TypeError" in rows[1]["error"]


# ---------------------------------------------------------------- analyze

def test_analyze_text_and_json(capsys):
    rc, text = run_cli(capsys, "analyze", "softsign")
    assert rc == 0
    assert "range            (-1, 1)" in text and "Lipschitz        1 " in text
    assert "cost vs relu" in text and "REGISTRY" not in text
    rc, text = run_cli(capsys, "analyze", "leaky_relu", "--param", "negative_slope=0.1,0.2",
                       "--format", "json", "--no-timing")
    data = json.loads(text)
    assert rc == 0 and [d["params"] for d in data] == [{"negative_slope": 0.1}, {"negative_slope": 0.2}]
    assert all(d["vanishing_share"] == 0.0 and d["smoothness"] == "C0" for d in data)


# --------------------------------------------------------------- shootout

def test_shootout_quick(capsys):
    rc, text = run_cli(capsys, "shootout", "--quick", "--format", "json")
    rows = json.loads(text)
    assert rc == 0 and sorted(r["name"] for r in rows) == ["gelu", "relu", "sigmoid"]
    accs = {r["name"]: r["accuracy"] for r in rows}
    assert list(accs.values()) == sorted(accs.values(), reverse=True)
    assert accs["relu"] > 0.5 and all(0.0 <= a <= 1.0 for a in accs.values())  # sigmoid: slow start
    assert all(r["epochs"] == 1 and r["seeds"] == 1 and r["epoch_ms"] > 0 for r in rows)


def test_shootout_is_reproducible_and_probes_width(fake_dim_op):
    from torch_activations.shootout import build_mlp, run_shootout

    first, second = (run_shootout(["relu", fake_dim_op], epochs=1, seeds=[3], verbose=False) for _ in range(2))
    assert [(r.name, r.accuracy, r.train_loss) for r in first] == [(r.name, r.accuracy, r.train_loss) for r in second]
    widths = [m.in_features for m in build_mlp(ta.get_info(fake_dim_op)) if isinstance(m, torch.nn.Linear)]
    assert widths == [64, 64, 64]  # the gated op halves the 128-wide hidden layers


# ------------------------------------------------------------------- demo

def test_demo_quick(tmp_path, capsys):
    rc, out = run_cli(capsys, "demo", "--quick", "--out", str(tmp_path))
    assert rc == 0
    assert "| relu |" in out and "demo finished" in out
    assert (tmp_path / "table.md").read_text().count("| gelu |") == 1
    assert (tmp_path / "gallery" / "index.html").exists()
    assert "test accuracy" in (tmp_path / "shootout.md").read_text()
    if os.path.exists(os.path.join(ROOT, "benchmarks", "run.py")):
        assert any(p.suffix == ".json" for p in (tmp_path / "bench").iterdir())
