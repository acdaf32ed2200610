"""benchmarks/run.py helpers that do not time anything, and that
benchmarks/kernel_cycles.py builds and runs."""
import ctypes
import importlib.util
import os
import platform
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_CODE = r"""
import os, sys
sys.path.insert(0, os.path.join(sys.argv[1], "benchmarks"))
import run
import torch

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

big = torch.ones(2**26)       # 256 MiB, from the heap (no mmap under retain)
pin = torch.ones(2**18)       # 1 MiB above it: big's pages cannot go back as the heap's top
del big
before = rss()
run.release_retained_memory()
print(before - rss(), pin.numel())
"""


def _glibc():
    try:
        return hasattr(ctypes.CDLL("libc.so.6"), "malloc_trim")
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux") or not _glibc(), reason="glibc malloc")
def test_release_retained_memory_returns_free_pages():
    """Under --allocator retain glibc keeps freed memory, so a long run at
    2^26 grew past 24 GiB (the free blocks of one measurement did not fit
    the next); run.py hands the free pages back between measurements."""
    env = dict(os.environ, MALLOC_MMAP_MAX_="0", MALLOC_TRIM_THRESHOLD_=str(2**40), TA_BENCH_ALLOCATOR="retain")
    out = subprocess.run([sys.executable, "-c", _CODE, ROOT], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    released = int(out.stdout.split()[0])
    assert released > 200 * 2**20, f"released {released / 2**20:.0f} MiB of a freed 256 MiB block"


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64") or shutil.which("g++") is None,
                    reason="x86-64 with g++ only")
def test_kernel_cycles_builds_and_reports(capsys):
    """benchmarks/kernel_cycles.py compiles its harness for the AVX2 build
    and prints one number per selected op (the AVX2 instructions must run
    here: every x86 CI machine of this project has them)."""
    spec = importlib.util.spec_from_file_location("kernel_cycles", os.path.join(ROOT, "benchmarks", "kernel_cycles.py"))
    kc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kc)
    csrc = os.path.join(ROOT, "csrc")
    # one tree in two columns (built once), two turns: a column per tree
    assert kc.main(["--isa", "AVX2", "--ops", "relu,elu,torch_gelu", "--csrc", csrc, "--csrc", csrc,
                    "--repeat", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [ln.split()[0] for ln in lines[1:]] == ["relu", "elu", "torch_gelu"], lines
    assert all(len(ln.split()) == 3 and float(ln.split()[1]) > 0 and float(ln.split()[2]) > 0
               for ln in lines[1:]), lines
