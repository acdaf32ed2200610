"""The jet path (derivatives of any order from f, csrc/math/jet.h) against
the hand-written first and second derivatives, per pointwise op.

    python benchmarks/jets.py [--size 2^20] [--threads 1] [--ops mish,gelu] [--out benchmarks/results]

For each smooth pointwise op, float32: the time of g·f'(x) by the backward
op and by the jet op at order 1, and of gg·g·f''(x) by the double backward
op and by the jet op at order 2 (its gg·g product included), in one
interleaved run (torch.utils.benchmark, the minimum of three rounds), and
the jet's third and fourth orders for scale.  The library keeps the faster
path for orders 1 and 2: the table says which that is.
"""

import argparse
import datetime
import os
import sys

import torch
import torch.utils.benchmark as tb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch_activations as ta  # noqa: E402
from torch_activations import _spec  # noqa: E402

OPS = torch.ops.torch_activations


def _size(text):
    return int(eval(text.replace("^", "**"), {}))  # "2^20"


def _time(fn, rounds=3):
    best = float("inf")
    for _ in range(rounds):
        best = min(best, tb.Timer("fn()", globals={"fn": fn}).blocked_autorange(min_run_time=0.2).median)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="2^20")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ops", default="")
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results"))
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    n = _size(args.size)
    names = [o.name for o in _spec.by_category("pointwise") if hasattr(OPS, o.name + "_jet")]
    if args.ops:
        names = [x for x in names if x in args.ops.split(",")]
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, generator=g) * 3
    gy = torch.randn(n, generator=g)
    gg = torch.randn(n, generator=g)
    rows = []
    with torch.inference_mode():
        for name in names:
            bwd, dbwd, jet = (getattr(OPS, name + s) for s in ("_backward", "_double_backward", "_jet"))
            t = {
                "bwd": _time(lambda: bwd(gy, x)),
                "jet1": _time(lambda: jet(gy, x, 1)),
                "dbwd": _time(lambda: dbwd(gg, gy, x)),
                "jet2": _time(lambda: jet(gg * gy, x, 2)),
                "jet3": _time(lambda: jet(gy, x, 3)),
                "jet4": _time(lambda: jet(gy, x, 4)),
            }
            rows.append((name, t))
            print(f"{name:14s} " + "  ".join(f"{k} {v * 1e3:7.2f} ms" for k, v in t.items()), flush=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"{stamp}_jets-{args.size.replace('^', 'p')}-{args.threads}thread_cpu.md")
    with open(path, "w") as f:
        f.write(f"# Jets against the hand-written derivatives\n\n`python benchmarks/jets.py --size {args.size} "
                f"--threads {args.threads}`; float32, {n} elements, {args.threads} thread(s), CPU kernels "
                f"{ta.cpu_capability()}, torch {torch.__version__}; ms, minimum of three rounds.\n\n")
        f.write("| op | f' hand-written | f' jet | jet/hand | f'' hand-written | f'' jet | jet/hand | f''' jet | "
                "f'''' jet |\n|---|---|---|---|---|---|---|---|---|\n")
        for name, t in rows:
            f.write(f"| {name} | {t['bwd'] * 1e3:.2f} | {t['jet1'] * 1e3:.2f} | {t['jet1'] / t['bwd']:.1f} | "
                    f"{t['dbwd'] * 1e3:.2f} | {t['jet2'] * 1e3:.2f} | {t['jet2'] / t['dbwd']:.1f} | "
                    f"{t['jet3'] * 1e3:.2f} | {t['jet4'] * 1e3:.2f} |\n")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
