"""Cycles per 16 floats of the float forward kernels, one instruction set.

Compiles benchmarks/kernel_cycles/cycles.cpp against a tree's csrc/ (this
one by default) with the flags of the chosen build and runs it:

    python benchmarks/kernel_cycles.py --isa AVX2
    python benchmarks/kernel_cycles.py --isa AVX512 --csrc /path/to/old/csrc --ops tanh,gelu

rdtsc over 4096 floats in L1, minimum of 400 passes: repeatable to a few
per cent on the shared VM where wall-clock timings at 2^22 move by ±20 %
(callgrind cannot count AVX-512 code with valgrind 3.19).  x86-64 only.
Where the clock itself moves between runs (seen on a Zen 3 VM: the same
binary 23.4 -> 28.7 cycles), give two trees and --repeat: op by op, the
binaries run in turns and each reports its minimum over the turns, side by
side:

    python benchmarks/kernel_cycles.py --isa AVX2 --csrc /tmp/old/csrc --csrc csrc --repeat 5
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


def build(isa: str, csrc: str, out: str, source: str = os.path.join(_HERE, "kernel_cycles", "cycles.cpp")) -> None:
    """Compiles source (the harness; tests/vector_helpers.cpp uses it too)
    against csrc with the flags of the isa build."""
    inc = os.path.join(os.path.dirname(torch.__file__), "include")
    lib = os.path.join(os.path.dirname(torch.__file__), "lib")
    cmd = (["g++", "-O3", "-std=c++20", *FLAGS[isa], f"-DCPU_CAPABILITY={isa}", f"-DCPU_CAPABILITY_{isa}",
            "-I", inc, "-I", os.path.join(inc, "torch", "csrc", "api", "include"), "-I", csrc,
            source, "-o", out,
            "-Wl,--no-as-needed", f"-L{lib}", "-ltorch_cpu", "-lc10", f"-Wl,-rpath,{lib}"])
    subprocess.run(cmd, check=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--isa", choices=sorted(FLAGS), default="AVX512")
    p.add_argument("--csrc", action="append",
                   help="the csrc/ directory to build against (default: this tree's); repeat to compare trees")
    p.add_argument("--ops", default="", help="comma list (default: every op of cycles.cpp)")
    p.add_argument("--repeat", type=int, default=1, help="runs of each binary, in turns (minimum reported)")
    args = p.parse_args(argv)
    trees = [os.path.abspath(c) for c in (args.csrc or [os.path.join(_ROOT, "csrc")])]
    best: list = [{} for _ in trees]
    with tempfile.TemporaryDirectory() as tmp:
        built: dict = {}  # a tree given twice is built once (its columns then show the spread)
        exes = []
        for tree in trees:
            if tree not in built:
                built[tree] = os.path.join(tmp, f"cycles{len(built)}")
                build(args.isa, tree, built[tree])
            exes.append(built[tree])
        def run(exe, ops):
            out = subprocess.run([exe, ops], check=True, capture_output=True, text=True).stdout
            return [(ln.split()[0], float(ln.split()[1])) for ln in out.splitlines()]

        # the op names, from one run; then op by op, the binaries in turns
        order = [name for name, _ in run(exes[0], args.ops)]
        for name in order:
            for _ in range(max(1, args.repeat)):
                for i, exe in enumerate(exes):
                    for got, value in run(exe, name):
                        best[i][got] = min(best[i].get(got, float("inf")), value)
    print(f"TSC cycles per 16 floats, {args.isa}, minimum of {max(1, args.repeat)} run(s); columns: "
          + ", ".join(trees))
    for name in order:
        print(name, *(f"{b[name]:.1f}" if name in b else "-" for b in best))
    return 0


if __name__ == "__main__":
    sys.exit(main())
