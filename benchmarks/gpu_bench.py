#!/usr/bin/env python
"""Short GPU benchmark with CUDA-event timing (benchmarks/gpu_check.sh, stage 5).

    python benchmarks/gpu_bench.py --out DIR [--size 2^26] [--dtypes float32,bfloat16]
        [--ops pointwise] [--gated swiglu,geglu] [--gated-shape 8192x8192] [--iters 10]
        [--budget SECONDS] [--compile-timeout 60]

1. every pointwise case of benchmarks/bench_cases.py at --size elements, in each
   dtype, forward and forward+backward: ours, the torch peer, a same-size copy;
2. the gated cases (--gated) at --gated-shape in bfloat16, forward and
   forward+backward: ours, the eager formula, torch.compile of it, a copy.

Timing: after two warm-up calls, `--iters` calls between two CUDA events
(torch.cuda.Event(enable_timing=True)), three such blocks, the median block
mean per call; one round, no interleaving.  Bandwidth is counted from a byte
model of the minimum traffic: pointwise fwd reads x and writes y (2N
elements), fwd+bwd also reads grad_out and x and writes grad_x (5N); a gated
op on [T, 2H] reads 2TH and writes TH forward, and fwd+bwd adds grad_out (TH),
x (2TH) and grad_x (2TH).  The copy is x.clone() (fwd) or x.clone() and
g.clone() (fwd+bwd, 4N), so "% of copy" compares achieved bandwidths:
(our bytes / our time) / (copy bytes / copy time).

Writes DIR/bench.json (every number, rewritten after each row: a run cut
short keeps what it measured) and DIR/bench.md, and prints one line per row.
Exits 0 without CUDA (prints why).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Optional

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)
for _p in (_ROOT, os.path.join(_ROOT, "tests"), _HERE):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import torch  # noqa: E402

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16,
          "float64": torch.float64}


def parse_size(s: str) -> int:
    if "^" in s:
        b, e = s.split("^")
        return int(b) ** int(e)
    return int(s)


def args_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--size", default="2^26")
    p.add_argument("--dtypes", default="float32,bfloat16")
    p.add_argument("--modes", default="fwd,fwdbwd")
    p.add_argument("--ops", default="pointwise", help="'pointwise', 'none' or a comma list of case ids")
    p.add_argument("--gated", default="swiglu,geglu", help="gated case ids, or 'none'")
    p.add_argument("--gated-shape", default="8192x8192")
    p.add_argument("--gated-dtypes", default="bfloat16")
    p.add_argument("--gated-modes", default="fwdbwd,fwd")
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--blocks", type=int, default=3)
    p.add_argument("--budget", type=float, default=0.0,
                   help="seconds: stop starting new rows after this long (0: no limit)")
    p.add_argument("--compile-timeout", type=float, default=60.0)
    p.add_argument("--no-compile", action="store_true")
    p.add_argument("--dry-run", action="store_true",
                   help="no CUDA: run every code path on the CPU with wall-clock timing (rehearsal; "
                        "the numbers mean nothing)")
    return p


# The compile-time limit of benchmarks/run.py (SIGALRM).
from run import CompileTimeout as Timeout, _with_timeout as with_timeout  # noqa: E402


DEVICE = "cuda"


def cuda_time(step: Callable[[], Any], iters: int, blocks: int) -> float:
    """Median over `blocks` of the mean seconds per call of `iters` calls."""
    for _ in range(2):
        step()
    means = []
    if DEVICE == "cpu":  # --dry-run
        for _ in range(blocks):
            t0 = time.perf_counter()
            for _ in range(iters):
                step()
            means.append((time.perf_counter() - t0) / iters)
        return statistics.median(means)
    torch.cuda.synchronize()
    for _ in range(blocks):
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        for _ in range(iters):
            step()
        b.record()
        b.synchronize()
        means.append(a.elapsed_time(b) * 1e-3 / iters)
    return statistics.median(means)


def make_step(fn: Callable, inputs, mode: str, grad_out: Optional[torch.Tensor]) -> Callable[[], Any]:
    if mode == "fwd":
        return lambda: fn(*inputs)
    diff = [t for t in inputs if t.requires_grad]
    return lambda: torch.autograd.grad(fn(*inputs), diff, grad_out)


def max_rel(a: torch.Tensor, b: Any) -> float:
    if not isinstance(b, torch.Tensor) or a.shape != b.shape:
        return math.inf
    a, b = a.detach().float(), b.detach().float()
    d = (a - b).abs()
    d = torch.where(torch.isnan(a) & torch.isnan(b), torch.zeros_like(d), d)
    return float((d / a.abs().clamp_min(1.0)).max()) if d.numel() else 0.0


def run_row(case, kind: str, size: int, dtype: torch.dtype, mode: str, args) -> Dict[str, Any]:
    dev = torch.device(DEVICE)
    rec: Dict[str, Any] = {"case": case.id, "kind": kind, "dtype": str(dtype).replace("torch.", ""),
                           "size": size, "mode": mode, "times_s": {}, "errors": {}, "max_rel_diff": {}}
    torch.manual_seed(0)
    setup = case.setup(size, dev, dtype, mode == "fwdbwd")
    inputs = setup.inputs
    fns: Dict[str, Callable] = {"ours": setup.ours}
    if kind == "pointwise":
        if setup.peer is not None:
            fns["peer"] = setup.peer
    else:
        if setup.formula is not None:
            fns["eager"] = setup.formula
            if not args.no_compile:
                torch._dynamo.reset()
                fns["compiled"] = torch.compile(setup.formula, dynamic=False)
    with torch.no_grad():
        ref = setup.ours(*[t.detach() for t in inputs])
    g = torch.randn_like(ref) if mode == "fwdbwd" else None
    for name, fn in fns.items():
        step = make_step(fn, inputs, mode, g)
        try:
            if name == "compiled":
                t0 = time.perf_counter()
                with_timeout(args.compile_timeout, lambda: (step(), DEVICE == "cuda" and torch.cuda.synchronize()))
                rec["compile_s"] = time.perf_counter() - t0
            if name != "ours":
                with torch.no_grad():
                    det = [t.detach() for t in inputs]
                    out = fn(*det)
                    rec["max_rel_diff"][name] = max_rel(ref, out)
                    if name == "peer":  # nn.Identity: no kernel to race
                        rec["peer_is_input"] = any(isinstance(out, torch.Tensor) and out.numel() > 0
                                                   and out.data_ptr() == t.data_ptr() for t in det)
                    del out
            rec["times_s"][name] = cuda_time(step, args.iters, args.blocks)
        except Exception as e:  # noqa: BLE001  (record, carry on)
            msg = str(e).strip().splitlines()[0][:200] if str(e).strip() else ""
            rec["errors"][name] = f"{type(e).__name__}: {msg}"
    src = setup.copy_of.detach()
    if mode == "fwd":
        rec["times_s"]["copy"] = cuda_time(lambda: src.clone(), args.iters, args.blocks)
    else:
        g2 = torch.randn_like(src)
        rec["times_s"]["copy"] = cuda_time(lambda: (src.clone(), g2.clone()), args.iters, args.blocks)
    n, e = src.numel(), src.element_size()
    if kind == "pointwise":
        ours_bytes = (2 if mode == "fwd" else 5) * n * e
    else:  # [T, 2H]: n = 2TH
        ours_bytes = (3 * n // 2 if mode == "fwd" else 4 * n) * e
    copy_bytes = (2 if mode == "fwd" else 4) * n * e
    t = rec["times_s"]
    rec["bytes"] = {"ours": ours_bytes, "copy": copy_bytes}
    if "ours" in t:
        rec["ours_GBps"] = ours_bytes / t["ours"] / 1e9
        rec["copy_GBps"] = copy_bytes / t["copy"] / 1e9
        rec["pct_of_copy_bw"] = 100.0 * rec["ours_GBps"] / rec["copy_GBps"]
        for alt in ("peer", "eager", "compiled"):
            if alt in t:
                rec.setdefault("alt_over_ours", {})[alt] = t[alt] / t["ours"]
    if kind == "gated" and mode == "fwdbwd":  # the target: only the input kept for backward
        for name, fn in fns.items():
            if name in t:
                try:
                    rec.setdefault("saved_bytes", {})[name] = saved_bytes(fn, inputs)
                except Exception as e:  # noqa: BLE001
                    rec["errors"][f"saved_{name}"] = f"{type(e).__name__}: {e}"[:200]
        rec["input_bytes"] = n * e
    del inputs, setup, ref, g
    if "compiled" in fns:
        torch._dynamo.reset()
    return rec


def saved_bytes(fn: Callable, inputs) -> int:
    """Bytes of the storages autograd keeps for backward of fn(*inputs)."""
    storages: Dict[Any, int] = {}

    def pack(x):
        st = x.untyped_storage()
        storages[st.data_ptr() or id(x)] = st.nbytes()
        return x

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda x: x):
        out = fn(*inputs)
    del out
    return sum(storages.values())


def fmt_us(t: Optional[float]) -> str:
    return "–" if t is None else f"{t * 1e6:.1f}"


def line(r: Dict[str, Any]) -> str:
    t = r["times_s"]
    alts = " ".join(f"{a}={fmt_us(t.get(a))}us({r.get('alt_over_ours', {}).get(a, float('nan')):.2f}x)"
                    for a in ("peer", "eager", "compiled") if a in t)
    err = f" ERR {r['errors']}" if r["errors"] else ""
    if "saved_bytes" in r:
        err = " saved/input: " + " ".join(f"{k}={v / r['input_bytes']:.2f}" for k, v in r["saved_bytes"].items()) + err
    bw = f"{r['pct_of_copy_bw']:.0f}% of copy bw ({r['ours_GBps']:.0f} GB/s)" if "pct_of_copy_bw" in r else "–"
    return (f"{r['case']:<22} {r['dtype']:<8} {r['mode']:<6} ours={fmt_us(t.get('ours'))}us "
            f"copy={fmt_us(t.get('copy'))}us {bw} {alts}{err}")


def markdown(rows: List[Dict[str, Any]], meta: Dict[str, Any]) -> str:
    out = [f"# GPU benchmark: {meta.get('device')}", "",
           f"- torch {meta.get('torch')}, CUDA {meta.get('cuda')}, git {meta.get('git')}, {meta.get('date')}",
           "- CUDA-event timing: median of block means, one round; times in µs; ratio = alternative / ours "
           "(above 1: ours faster); % of copy bw = (our bytes/our time) / (copy bytes/copy time), "
           "see benchmarks/gpu_bench.py for the byte model", "",
           "| case | dtype | mode | ours | copy | % of copy bw | peer (ratio) | eager (ratio) | compiled (ratio) | errors |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        t, q = r["times_s"], r.get("alt_over_ours", {})

        def alt(a):
            return f"{fmt_us(t[a])} ({q[a]:.2f})" if a in t and a in q else "–"
        pct = f"{r['pct_of_copy_bw']:.0f}" if "pct_of_copy_bw" in r else "–"
        errs = "; ".join(f"{k}: {v}" for k, v in r["errors"].items()).replace("|", "/")
        out.append(f"| {r['case']} | {r['dtype']} | {r['mode']} | {fmt_us(t.get('ours'))} | "
                   f"{fmt_us(t.get('copy'))} | {pct} | {alt('peer')} | {alt('eager')} | {alt('compiled')} | {errs} |")
    return "\n".join(out) + "\n"


def git_rev() -> str:
    """The checkout's revision (the device copy may have no .git, or no git)."""
    import subprocess
    try:
        return subprocess.run(["git", "-C", _ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip() or os.environ.get("TA_GIT_REV", "unknown")
    except Exception:  # noqa: BLE001
        return os.environ.get("TA_GIT_REV", "unknown")


def main(argv=None) -> int:
    args = args_parser().parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    global DEVICE
    if args.dry_run:
        DEVICE = "cpu"
        print("gpu_bench: --dry-run on the CPU: code paths only, the numbers mean nothing")
    elif not torch.cuda.is_available():
        print("gpu_bench: torch.cuda.is_available() is False: nothing to time (skipped)")
        return 0
    from bench_cases import CASES, select_cases  # noqa: E402  (imports torch_activations)
    start = time.perf_counter()
    meta = {"device": torch.cuda.get_device_name() if DEVICE == "cuda" else "cpu (dry run)", "torch": torch.__version__, "cuda": torch.version.cuda,
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
            "git": git_rev(),
            "args": vars(args)}
    plan = []
    if args.ops != "none":
        for c in select_cases(args.ops):
            if c.category != "pointwise":
                continue
            for d in args.dtypes.split(","):
                for m in args.modes.split(","):
                    plan.append((c, "pointwise", parse_size(args.size), DTYPES[d], m))
    if args.gated != "none":
        rows_, cols_ = (int(v) for v in args.gated_shape.lower().split("x"))
        for cid in args.gated.split(","):
            for d in args.gated_dtypes.split(","):
                for m in args.gated_modes.split(","):
                    plan.append((CASES[cid], "gated", rows_ * cols_, DTYPES[d], m))
    rows: List[Dict[str, Any]] = []
    print(f"gpu_bench: {len(plan)} rows on {meta['device']}", flush=True)

    def save():
        meta["wall_s"] = time.perf_counter() - start
        with open(os.path.join(args.out, "bench.json"), "w") as f:
            json.dump({"meta": meta, "rows": rows}, f, indent=1)
        with open(os.path.join(args.out, "bench.md"), "w") as f:
            f.write(markdown(rows, meta))

    for case, kind, size, dtype, mode in plan:
        if args.budget and time.perf_counter() - start > args.budget:
            print(f"gpu_bench: budget of {args.budget:.0f}s spent; {len(plan) - len(rows)} rows not run", flush=True)
            meta["cut_short"] = len(plan) - len(rows)
            break
        try:
            r = run_row(case, kind, size, dtype, mode, args)
        except Exception as e:  # noqa: BLE001
            r = {"case": case.id, "kind": kind, "dtype": str(dtype).replace("torch.", ""), "size": size,
                 "mode": mode, "times_s": {}, "errors": {"setup": f"{type(e).__name__}: {e}"[:300]}}
        rows.append(r)
        print(line(r), flush=True)
        save()
        if DEVICE == "cuda":
            torch.cuda.empty_cache()
    save()
    print(f"gpu_bench: done in {time.perf_counter() - start:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
