"""Cycles per 16 floats of the float forward kernels, one instruction set.

Compiles benchmarks/kernel_cycles/cycles.cpp against a tree's csrc/ (this
one by default) with the flags of the chosen build and runs it:

    python benchmarks/kernel_cycles.py --isa AVX2
    python benchmarks/kernel_cycles.py --isa AVX512 --csrc /path/to/old/csrc --ops tanh,gelu

rdtsc over 4096 floats in L1, minimum of 400 passes: repeatable to a few
per cent on the shared VM where wall-clock timings at 2^22 move by ±20 %
(callgrind cannot count AVX-512 code with valgrind 3.19).  x86-64 only.
"""

import argparse
import ast
import os
import subprocess
import sys
import tempfile

import torch

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)


def _isa_flags() -> dict:
    """setup.py's ISA_FLAGS["AVX2"] and ["AVX512"] (the flags the extension's
    per-ISA kernels are compiled with), read from its source."""
    flags = {}
    for node in ast.walk(ast.parse(open(os.path.join(_ROOT, "setup.py")).read())):
        if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript)
                and getattr(node.targets[0].value, "id", None) == "ISA_FLAGS"):
            flags[ast.literal_eval(node.targets[0].slice)] = ast.literal_eval(node.value)
    return flags


FLAGS = _isa_flags()


def build(isa: str, csrc: str, out: str) -> None:
    inc = os.path.join(os.path.dirname(torch.__file__), "include")
    lib = os.path.join(os.path.dirname(torch.__file__), "lib")
    cmd = (["g++", "-O3", "-std=c++20", *FLAGS[isa], f"-DCPU_CAPABILITY={isa}", f"-DCPU_CAPABILITY_{isa}",
            "-I", inc, "-I", os.path.join(inc, "torch", "csrc", "api", "include"), "-I", csrc,
            os.path.join(_HERE, "kernel_cycles", "cycles.cpp"), "-o", out,
            "-Wl,--no-as-needed", f"-L{lib}", "-ltorch_cpu", "-lc10", f"-Wl,-rpath,{lib}"])
    subprocess.run(cmd, check=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--isa", choices=sorted(FLAGS), default="AVX512")
    p.add_argument("--csrc", default=os.path.join(_ROOT, "csrc"), help="the csrc/ directory to build against")
    p.add_argument("--ops", default="", help="comma list (default: every op of cycles.cpp)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "cycles")
        build(args.isa, os.path.abspath(args.csrc), exe)
        out = subprocess.run([exe, args.ops], check=True, capture_output=True, text=True).stdout
    print(f"TSC cycles per 16 floats, {args.isa}, {args.csrc}")
    print(out, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
