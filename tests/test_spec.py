"""The one op table (torch_activations/_spec.py) against everything derived
from it: the compiled schemas, the generated files (C++ op table, C++ API,
Python functions and modules, README tables, docstrings), the hand-written
modules' constructors, the catalog in docs/activations.md, and the tests'
own case lists (every entry must have a case in each family's spec)."""

import importlib.util
import inspect
import math
import os
import re
import sys

import pytest
import torch

import cases
import torch_activations as ta
from torch_activations import _spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPS = torch.ops.torch_activations
WITH_OP = [op for op in _spec.OPS if op.has_op]


def _gen_api():
    path = os.path.join(ROOT, "tools", "gen_api.py")
    spec = importlib.util.spec_from_file_location("_ta_gen_api", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ----------------------------------------------------------- the schemas
def _table_default(p):
    if p.required:
        return None
    return p.default


def _schema_type(arg) -> str:
    t = str(arg.type)
    return {"number": "float"}.get(t, t)


@pytest.mark.parametrize("op", WITH_OP, ids=[op.name for op in WITH_OP])
def test_compiled_schema_is_the_table(op):
    """torch.ops.torch_activations.<op>.default._schema says what the table says:
    argument names, types and defaults, and the returns."""
    schema = getattr(OPS, op.name).default._schema
    want = torch._C.parse_schema("torch_activations::" + op.op_schema())
    assert [a.name for a in schema.arguments] == [a.name for a in want.arguments], schema
    for got, exp in zip(schema.arguments, want.arguments):
        assert str(got.type) == str(exp.type), (op.name, got.name)
        assert got.default_value == exp.default_value, (op.name, got.name, got.default_value, exp.default_value)
        assert got.kwarg_only == exp.kwarg_only
    assert [str(r.type) for r in schema.returns] == [str(r.type) for r in want.returns]


def test_every_op_of_the_library_is_in_the_table():
    """No op of the compiled library outside the table and its derived ops."""
    derived = ("_", "_backward", "_double_backward", "_jet", "_backward_from_result",
               "_double_backward_from_result", "_jet_from_result")
    names = {op.name for op in WITH_OP} | {"rrelu_with_noise", "_get_cpu_capability", "_set_cpu_capability"}
    for name in dir(OPS):
        if name.startswith("__") or not isinstance(getattr(OPS, name), torch._ops.OpOverloadPacket):
            continue
        base = next((name[: -len(s)] for s in sorted(derived, key=len, reverse=True)
                     if name.endswith(s) and name[: -len(s)] in names), name)
        assert base in names, f"torch.ops.torch_activations.{name} is not an op of the table"


# ---------------------------------------------------- the generated files
def test_generated_files_are_fresh():
    """Every file tools/gen_api.py writes equals what it would write now."""
    import difflib

    stale = []
    for path, text in _gen_api().generate().items():
        with open(os.path.join(ROOT, path)) as f:
            old = f.read()
        if old != text:
            diff = "".join(difflib.unified_diff(old.splitlines(True), text.splitlines(True), f"a/{path}",
                                                f"b/{path}", n=1))
            stale.append(diff[:3000])
    assert not stale, "stale generated files (run python tools/gen_api.py):\n" + "\n".join(stale)


def test_generated_code_names_no_shared_folder():
    for root in ("README.md", "csrc", "torch_activations", "tests", "benchmarks", "examples", "docs"):
        full = os.path.join(ROOT, root)
        paths = [full] if os.path.isfile(full) else [os.path.join(d, f) for d, _, fs in os.walk(full) for f in fs]
        for path in paths:
            if path.endswith((".py", ".h", ".cpp", ".cu", ".cuh", ".md", ".txt", ".sh", ".cmake")):
                with open(path, errors="replace") as f:
                    assert ".." + "/shared" not in f.read(), f"{path} points outside the repository"


# ------------------------------------------------------ signatures, modules
def _defaults(fn, skip=("self", "input", "inplace", "device", "dtype")):
    sig = inspect.signature(fn)
    return {k: (None if v.default is inspect.Parameter.empty else v.default)
            for k, v in sig.parameters.items() if k not in skip}


def _norm(v):
    return list(v) if isinstance(v, tuple) else v


@pytest.mark.parametrize("op", WITH_OP, ids=[op.name for op in WITH_OP])
def test_function_signature_is_the_table(op):
    fn = getattr(ta.functional, op.name)
    got = _defaults(fn, skip=("input", "inplace", "dtype"))
    assert got == {p.name: _table_default(p) for p in op.params}
    assert ("inplace" in inspect.signature(fn).parameters) == op.inplace
    assert op.title in fn.__doc__ and op.latex in fn.__doc__


@pytest.mark.parametrize("op", list(_spec.OPS), ids=[op.name for op in _spec.OPS])
def test_module_constructor_is_the_table(op):
    """The module's constructor takes the table's module parameters with the
    same defaults (hand-written modules too), and its docstring is the
    table's."""
    cls = getattr(ta, op.module)
    got = {k: _norm(v) for k, v in _defaults(cls.__init__).items()}
    for extra in ("learnable", "bias"):  # behaviour switches of hand-written modules
        got.pop(extra, None)
    assert got == {p.name: _norm(_table_default(p)) for p in op.ctor_params}, op.name
    if op.name not in ("swish_learnable", "pact"):  # modules shared with their pointwise entry
        assert op.title in cls.__doc__, op.name
    if op.nn_peer:
        assert issubclass(cls, getattr(torch.nn, op.nn_peer))


def test_no_import_circle():
    """registry -> modules, learnable -> functional; nothing imports back."""
    pkg = os.path.join(ROOT, "torch_activations")
    imports = {}
    for name in ("functional", "modules", "learnable", "registry", "_spec"):
        with open(os.path.join(pkg, name + ".py")) as f:
            imports[name] = set(re.findall(r"^\s*from \.(\w*) import|^\s*from \. import (\w+)", f.read(), re.M))
    deps = {k: {a or b for a, b in v} for k, v in imports.items()}
    assert deps["_spec"] == set()
    assert "registry" not in deps["modules"] | deps["learnable"] | deps["functional"]
    assert "learnable" not in deps["modules"] and "modules" not in deps["functional"]


# ----------------------------------------------------- the catalog (docs/)
def _catalog_rows():
    with open(os.path.join(ROOT, "docs", "activations.md")) as f:
        text = f.read()
    rows = {}
    for m in re.finditer(r"^\| `(\w+)`[^\n]*", text, re.M):
        rows.setdefault(m.group(1), m.group(0))  # the first row: sections 1 and 2 before 3
    return rows


def test_catalog_lists_every_op():
    rows = _catalog_rows()
    for op in _spec.OPS:
        if op.category == "learnable":
            continue  # listed by module name in section 3 (checked below)
        assert op.name in rows, f"docs/activations.md lacks {op.name}"
    with open(os.path.join(ROOT, "docs", "activations.md")) as f:
        text = f.read()
    for op in _spec.by_category("learnable"):
        assert f"`{op.module}" in text or f"`{op.name}`" in text, op.name


@pytest.mark.parametrize("op", _spec.by_category("pointwise"), ids=[o.name for o in _spec.by_category("pointwise")])
def test_catalog_defaults_are_the_table(op):
    """Each default of a pointwise op is the catalog's (`name=value` in its row)."""
    row = _catalog_rows()[op.name]
    for p in op.params:
        if p.required or p.type == "Generator?":
            continue
        m = re.search(rf"\b{p.name}=([^,|\s]+)", row)
        assert m, f"{op.name}: the catalog row has no {p.name}="
        text = m.group(1).strip("'")
        if p.type == "float":
            num, _, den = text.partition("/")
            value = float(num) / float(den) if den else float(num)
            assert math.isclose(value, p.default, rel_tol=1e-15), (op.name, p.name, text)
        else:
            assert text == str(p.default), (op.name, p.name, text)


# ------------------------------------------------------ the tests' cases
def test_every_entry_has_test_cases():
    """Adding an op without test cases fails here: each family's spec in
    tests/cases.py has an entry for every table op of that family."""
    for op in _spec.by_category("pointwise"):
        assert op.name in cases.CASES, f"tests/cases.py: no pointwise case for {op.name}"
    for op in _spec.by_category("dim"):
        assert op.name in {n for n, _ in cases.DIM_CASES}, f"tests/cases.py: no dim case for {op.name}"
    op_specs = {s.name for s in cases.LEARNABLE_SPECS} | {cases.PACT.name}
    module_specs = {m.id.split("-")[0] for m in cases.MODULE_SPECS}
    for op in _spec.by_category("learnable"):
        if op.has_op:
            assert op.name in op_specs, f"tests/cases.py: no learnable op case for {op.name}"
        assert op.module in module_specs, f"tests/cases.py: no module case for {op.module}"
