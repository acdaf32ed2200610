"""The cheaper vector helpers of csrc/math/overloads.h (scale2n_nonpos,
pow2n, exp_neg_abs) give the bits of the general forms they replace, in
each x86 instruction-set build this CPU can run (tests/vector_helpers.cpp,
compiled with setup.py's flags by benchmarks/kernel_cycles.py's builder)."""
import importlib.util
import os
import platform
import shutil
import subprocess

import pytest
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _kernel_cycles():
    spec = importlib.util.spec_from_file_location("kernel_cycles", os.path.join(ROOT, "benchmarks", "kernel_cycles.py"))
    kc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kc)
    return kc


def _runnable(isa):
    cap = torch.backends.cpu.get_cpu_capability()
    return isa == "AVX2" or (isa == "AVX512" and cap.startswith("AVX512"))


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64") or shutil.which("g++") is None,
                    reason="x86-64 with g++ only")
@pytest.mark.parametrize("isa", ["AVX2", "AVX512"])
def test_vector_helpers_same_bits(isa, tmp_path):
    if not _runnable(isa):
        pytest.skip(f"this CPU cannot run {isa} code")
    kc = _kernel_cycles()
    exe = str(tmp_path / "vector_helpers")
    kc.build(isa, os.path.join(ROOT, "csrc"), exe, source=os.path.join(ROOT, "tests", "vector_helpers.cpp"))
    r = subprocess.run([exe], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith("0 mismatches"), r.stdout
