#!/usr/bin/env python
"""Benchmark every activation against what a user would run instead.

    python benchmarks/run.py                     # the curve: all ops, 2^10..2^24
    python benchmarks/run.py --sizes 2^22 --dtypes float32 --devices cpu --modes fwd,fwdbwd
    python benchmarks/run.py --quick             # smoke test, well under a minute

For each case (benchmarks/bench_cases.py), device, dtype, size and mode (forward, or
forward+backward with a random grad_output) it times, in the same run and
interleaved: our operator, its torch peer, the same formula in eager torch,
that formula under torch.compile, and a tensor copy (two for fwd+bwd), with
torch.utils.benchmark; it also measures the bytes each implementation keeps
for backward.  Results go to benchmarks/results/ as JSON (every raw number)
and markdown (see benchmarks/README.md for the columns).  Benchmarks are never
part of the tests' pass/fail.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import signal
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Optional

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)
for _p in (_ROOT, os.path.join(_ROOT, "tests"), _HERE):  # _HERE ends up first
    if _p not in sys.path:
        sys.path.insert(0, _p)

# Large CPU tensors come from mmap in glibc malloc and go back to the system on
# free, so every call of an op on 2^22+ elements page-faults its output in
# again (a 16 MiB copy measured 1.2 ms steady, 10+ ms with the faults): the
# timings would measure the kernel's page faults, not the kernel.  With
# --allocator retain (the default) the process re-executes itself with glibc
# told to keep freed memory (no mmap, no trimming), before torch is imported;
# release_retained_memory() gives the free pages back between measurements.
_RETAIN_ENV = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(2**40)}


def _allocator_choice(argv: List[str]) -> str:
    for i, a in enumerate(argv):
        if a.startswith("--allocator="):
            return a.split("=", 1)[1]
        if a == "--allocator" and i + 1 < len(argv):
            return argv[i + 1]
    return "retain"


if __name__ == "__main__" and _allocator_choice(sys.argv[1:]) == "retain" \
        and not os.environ.get("TA_BENCH_ALLOCATOR") and sys.platform.startswith("linux"):
    os.environ.update({k: os.environ.get(k, v) for k, v in _RETAIN_ENV.items()})
    os.environ["TA_BENCH_ALLOCATOR"] = "retain"
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable] + sys.argv)

import ctypes  # noqa: E402
import resource  # noqa: E402

import torch  # noqa: E402
import torch.utils.benchmark as tbench  # noqa: E402

import torch_activations as ta  # noqa: E402
from bench_cases import CASES, Case, Setup, select_cases, uncovered_entries  # noqa: E402

IMPLS = ("ours", "peer", "eager", "compiled", "copy")
ALTERNATIVES = ("peer", "eager", "compiled")  # reported as alternative_time / our_time
DTYPES = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
    "bfloat16": torch.bfloat16, "half": torch.float16, "float": torch.float32, "double": torch.float64,
}
QUICK_OPS = "relu,gelu,sqnl"
NOISY_MARGIN = 0.25  # a row is noisy when other processes + our threads exceed the cores by this


# --------------------------------------------------------------------------- options

def parse_sizes(spec: str) -> List[int]:
    """'2^22', '4096', '10:24:2' (exponents, inclusive), or a comma list of these."""
    sizes: List[int] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        if ":" in part:
            lo, hi, *step = (int(v) for v in part.split(":"))
            sizes += [2**e for e in range(lo, hi + 1, step[0] if step else 1)]
        elif "^" in part:
            base, exp = part.split("^")
            sizes.append(int(base) ** int(exp))
        else:
            sizes.append(int(part))
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"bad --sizes {spec!r}")
    return sizes


def fmt_size(n: int) -> str:
    e = int(round(math.log2(n)))
    return f"2^{e}" if 2**e == n else str(n)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ops", default="all", help="comma list of ops / case ids / categories, or 'all' (default)")
    p.add_argument("--devices", default=None, help="comma list of cpu,cuda (default: cpu, plus cuda if available)")
    p.add_argument("--dtypes", default="float32", help="comma list, e.g. float32,bfloat16 (default float32)")
    p.add_argument("--sizes", type=parse_sizes, default=None,
                   help="element counts: 2^22, 4096, or exponent ranges lo:hi:step (default 10:24:2)")
    p.add_argument("--modes", default="fwd,fwdbwd",
                   help="comma list of fwd, fwdbwd, nograd (fwd under torch.no_grad), inference "
                        "(fwd under torch.inference_mode); default fwd,fwdbwd")
    p.add_argument("--no-compile", action="store_true", help="do not time the formula under torch.compile")
    p.add_argument("--compile-timeout", type=float, default=300.0,
                   help="seconds one torch.compile (first forward+backward) may take before it is abandoned")
    p.add_argument("--min-time", type=float, default=None,
                   help="seconds of timing per implementation per round (default 0.2; --quick 0.02)")
    p.add_argument("--rounds", type=int, default=None,
                   help="interleaved rounds over the implementations; the minimum of the round medians "
                        "is reported (default 3; --quick 1)")
    p.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                   help="before each round, wait up to SECONDS for other processes to use less than "
                        "--quiet-load cores (default 0: do not wait)")
    p.add_argument("--quiet-load", type=float, default=0.3, help="see --wait-quiet (cores, default 0.3)")
    p.add_argument("--allocator", choices=("retain", "system"), default="retain",
                   help="retain (default): glibc keeps freed memory (MALLOC_MMAP_MAX_=0, no trimming; freed pages "
                        "go back between measurements) so "
                        "timings do not include page faults; system: malloc as configured")
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    p.add_argument("--out", default=os.path.join(_HERE, "results"), help="output folder (default benchmarks/results)")
    p.add_argument("--tag", default="", help="name put in the output file names")
    p.add_argument("--quick", action="store_true",
                   help=f"smoke test: ops {QUICK_OPS}, size 2^16, one thread, short timings (explicit options still win)")
    p.add_argument("--list", action="store_true", help="list the benchmark cases and exit")
    p.add_argument("--report", metavar="JSON", help="only rewrite the markdown of an earlier run from its JSON")
    a = p.parse_args(argv)
    if a.quick:
        a.ops = QUICK_OPS if a.ops == "all" else a.ops
        a.sizes = a.sizes or [2**16]
        a.min_time = a.min_time if a.min_time is not None else 0.02
        a.rounds = a.rounds or 1
        a.threads = a.threads or 1  # a smoke test should not depend on what else the machine runs
        a.tag = a.tag or "quick"
    a.sizes = a.sizes or parse_sizes("10:24:2")
    a.min_time = a.min_time if a.min_time is not None else 0.2
    a.rounds = a.rounds or 3
    a.modes = [m.strip() for m in a.modes.split(",") if m.strip()]
    for m in a.modes:
        if m not in MODES:
            p.error(f"--modes: unknown mode {m!r} ({', '.join(MODES)})")
    try:
        a.dtypes = [DTYPES[d.strip()] for d in a.dtypes.split(",") if d.strip()]
    except KeyError as e:
        p.error(f"--dtypes: unknown dtype {e.args[0]!r}; known: {', '.join(DTYPES)}")
    if a.devices is None:
        a.devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    else:
        a.devices = [d.strip() for d in a.devices.split(",") if d.strip()]
        for d in a.devices:
            if d not in ("cpu", "cuda"):
                p.error(f"--devices: unknown device {d!r}")
        if "cuda" in a.devices and not torch.cuda.is_available():
            print("warning: --devices cuda asked for, but torch.cuda.is_available() is False: skipping cuda")
            a.devices.remove("cuda")
    return a


# --------------------------------------------------------------------------- machine

def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "-C", _ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", _ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except Exception:  # noqa: BLE001
        return "unknown"


def machine_info(args) -> Dict[str, Any]:
    info = {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch_activations": getattr(ta, "__version__", "?"),
        "torch_activations_cpu_capability": ta.cpu_capability(),
        "threads": torch.get_num_threads(),
        "git": git_revision(),
        # The library may be rebuilt from a dirty tree: when and what was loaded.
        "library": {"path": os.path.relpath(ta.library_path(), _ROOT),
                    "mtime": datetime.datetime.fromtimestamp(os.path.getmtime(ta.library_path()))
                    .isoformat(timespec="seconds")},
        "loadavg_start": os.getloadavg(),
        "cuda": None,
        "allocator": {"choice": args.allocator,
                      "env": {k: os.environ.get(k) for k in _RETAIN_ENV if k in os.environ}},
    }
    if not args.no_compile:
        from torch._inductor import config as inductor_config
        from torch._inductor.runtime.cache_dir_utils import cache_dir

        info["inductor"] = {"fx_graph_cache": inductor_config.fx_graph_cache,
                            "autotune_local_cache": inductor_config.autotune_local_cache,
                            "cache_dir": cache_dir(), "compile_threads": inductor_config.compile_threads}
    if "cuda" in args.devices:
        info["cuda"] = {"device": torch.cuda.get_device_name(), "cuda": torch.version.cuda}
    return info


def print_machine(info: Dict[str, Any]) -> None:
    print(f"machine: {info['cpu_model']}, {info['cpu_count']} cores ({info['cpu_affinity']} usable); "
          f"load average {', '.join(f'{v:.2f}' for v in info['loadavg_start'])}")
    print(f"torch {info['torch']} (ATen CPU capability {info['torch_cpu_capability']}), "
          f"torch_activations {info['torch_activations']} CPU capability {info['torch_activations_cpu_capability']}, "
          f"{info['threads']} threads, git {info['git']}, library built {info['library']['mtime']}")
    if info["cuda"]:
        print(f"cuda: {info['cuda']['device']} (CUDA {info['cuda']['cuda']})")


# --------------------------------------------------------------------------- measuring

class CpuMonitor:
    """CPU time used by *other* processes while we measure (from /proc/stat
    minus our own CPU time), in cores: on a shared machine it says which
    numbers were taken under foreign load.  None where /proc/stat is missing."""

    _TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    @classmethod
    def snapshot(cls):
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        busy = sum(v) - v[3] - (v[4] if len(v) > 4 else 0)  # minus idle and iowait
        t = os.times()
        return busy / cls._TICK, t.user + t.system, time.perf_counter()

    @staticmethod
    def foreign(a, b) -> Optional[float]:
        if a is None or b is None or b[2] <= a[2]:
            return None
        return max(0.0, ((b[0] - a[0]) - (b[1] - a[1])) / (b[2] - a[2]))

    @classmethod
    def wait_quiet(cls, max_load: float, timeout: float, sample: float = 0.5) -> Optional[float]:
        """Sleep until other processes use less than max_load cores over a
        `sample`-second window (at most `timeout` seconds); returns the last load."""
        deadline = time.perf_counter() + timeout
        while True:
            a = cls.snapshot()
            time.sleep(sample)
            load = cls.foreign(a, cls.snapshot())
            if load is None or load < max_load or time.perf_counter() >= deadline:
                return load


class CompileTimeout(Exception):
    pass


def _with_timeout(seconds: float, fn: Callable[[], Any]) -> Any:
    """Run fn, raising CompileTimeout after `seconds` (SIGALRM; main thread)."""
    if seconds <= 0 or not hasattr(signal, "SIGALRM"):
        return fn()

    def on_alarm(signum, frame):
        raise CompileTimeout(f"torch.compile took more than {seconds:.0f}s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def saved_bytes(fn: Callable, inputs) -> Dict[str, int]:
    """Bytes of the tensors autograd keeps for backward when running fn(*inputs),
    counting tensors that share storage once."""
    storages: Dict[Any, int] = {}
    count = [0]

    def pack(t):
        count[0] += 1
        s = t.untyped_storage()
        key = (t.device, s.data_ptr()) if s.data_ptr() else id(t)
        storages[key] = max(storages.get(key, 0), s.nbytes())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn(*inputs)
    del out
    return {"bytes": sum(storages.values()), "tensors": count[0], "storages": len(storages)}


MODES = {"fwd": "forward", "fwdbwd": "forward+backward", "nograd": "forward under torch.no_grad()",
         "inference": "forward under torch.inference_mode()"}


def make_step(fn: Callable, inputs, mode: str, grad_out: Optional[torch.Tensor]) -> Callable[[], Any]:
    if mode == "fwd":
        return lambda: fn(*inputs)
    if mode in ("nograd", "inference"):
        guard = torch.no_grad if mode == "nograd" else torch.inference_mode

        def step():
            with guard():
                return fn(*inputs)
        return step
    diff = [t for t in inputs if t.requires_grad]
    return lambda: torch.autograd.grad(fn(*inputs), diff, grad_out)


def time_step(step: Callable[[], Any], min_time: float, threads: int) -> Dict[str, Any]:
    timer = tbench.Timer(stmt="step()", globals={"step": step}, num_threads=threads)
    a = CpuMonitor.snapshot()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    m = timer.blocked_autorange(min_run_time=min_time)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    calls = len(m.times) * m.number_per_run  # (blocked_autorange's calibration calls come on top)
    return {"median": m.median, "iqr": m.iqr, "mean": m.mean, "number_per_run": m.number_per_run,
            "times": m.times, "foreign_load": CpuMonitor.foreign(a, CpuMonitor.snapshot()),
            "page_faults_per_call": faults / max(calls, 1)}


def compare(a: torch.Tensor, b: torch.Tensor) -> float:
    """Largest |a-b| relative to max(|a|, 1), in float64; inf on shape mismatch."""
    if not isinstance(b, torch.Tensor) or a.shape != b.shape:
        return math.inf
    a64, b64 = a.detach().double(), b.detach().double()
    both_nan = torch.isnan(a64) & torch.isnan(b64)
    d = torch.where(both_nan, torch.zeros_like(a64), (a64 - b64).abs())
    return float((d / a64.abs().clamp_min(1.0)).max()) if d.numel() else 0.0


def release_retained_memory() -> None:
    """Give the heap's free pages back to the system between measurements.
    With --allocator retain glibc never returns freed memory, and the free
    blocks left by one measurement's tensors do not always fit the next
    one's: a run of the 11 no-peer ops at 2^26 grew past 24 GiB and was
    killed.  Called outside the timed region (each measurement warms up
    before it is timed)."""
    if os.environ.get("TA_BENCH_ALLOCATOR") != "retain":
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def run_one(case: Case, device: str, dtype: torch.dtype, size: int, mode: str, args) -> Dict[str, Any]:
    rec: Dict[str, Any] = {
        "case": case.id, "op": case.op, "category": case.category, "params": case.params,
        "device": device, "dtype": str(dtype).replace("torch.", ""), "size": size, "mode": mode,
        "times": {}, "errors": {}, "saved": {}, "max_rel_diff": {}, "compile_s": None,
    }
    torch.manual_seed(0)
    try:
        setup: Setup = case.setup(size, torch.device(device), dtype, mode == "fwdbwd")
    except Exception as e:  # noqa: BLE001
        rec["errors"]["setup"] = f"{type(e).__name__}: {e}"
        return rec
    inputs = setup.inputs
    fns: Dict[str, Callable] = {"ours": setup.ours}
    if setup.peer is not None:
        fns["peer"] = setup.peer
    else:
        rec["errors"]["peer"] = "no torch peer"
    if setup.formula is not None:
        fns["eager"] = setup.formula
        if args.no_compile:
            rec["errors"]["compiled"] = "--no-compile"
        else:
            torch._dynamo.reset()  # a fresh cache per case: no recompile limits, no stale guards
            fns["compiled"] = torch.compile(setup.formula, dynamic=False)

    with torch.no_grad():
        reference = setup.ours(*[t.detach() for t in inputs])
    grad_out = torch.randn_like(reference) if mode == "fwdbwd" else None

    steps: Dict[str, Callable[[], Any]] = {}
    for name, fn in fns.items():
        step = make_step(fn, inputs, mode, grad_out)
        try:
            if name == "compiled":
                t0 = time.perf_counter()
                _with_timeout(args.compile_timeout, step)
                rec["compile_s"] = time.perf_counter() - t0
            step()  # warm up (allocator, lazy init)
            with torch.no_grad():
                out = fn(*[t.detach() for t in inputs])
                rec["max_rel_diff"][name] = compare(reference, out)
                if name == "peer":
                    # nn.Identity returns its input: a no-op, not a kernel to race.
                    rec["peer_is_input"] = any(out is t or (out.data_ptr() == t.data_ptr() and out.numel())
                                               for t in inputs)
            steps[name] = step
        except Exception as e:  # noqa: BLE001  (record, carry on with the others)
            rec["errors"][name] = f"{type(e).__name__}: {str(e).strip().splitlines()[0][:300] if str(e).strip() else ''}"
            if name == "compiled":
                torch._dynamo.reset()
    src = setup.copy_of.detach()
    if mode != "fwdbwd":
        steps["copy"] = lambda: src.clone()
    else:
        g = torch.randn_like(src)
        steps["copy"] = lambda: (src.clone(), g.clone())

    # Interleaved rounds: a burst of load from elsewhere on the machine hits one
    # round of every implementation rather than all rounds of one.
    rounds: Dict[str, List[Dict[str, Any]]] = {n: [] for n in steps}
    for _ in range(args.rounds):
        if args.wait_quiet:
            CpuMonitor.wait_quiet(args.quiet_load, args.wait_quiet)
        for name, step in list(steps.items()):
            try:
                rounds[name].append(time_step(step, args.min_time, args.threads))
            except Exception as e:  # noqa: BLE001
                rec["errors"][name] = f"{type(e).__name__}: {e}"
                steps.pop(name)
                rounds.pop(name)
    for name, rs in rounds.items():
        best = min(rs, key=lambda r: r["median"])
        rec["times"][name] = {"median_s": best["median"], "iqr_s": best["iqr"],
                              "foreign_load": best["foreign_load"],
                              "page_faults_per_call": best["page_faults_per_call"],
                              "round_medians_s": [r["median"] for r in rs], "rounds": rs}
    loads = [t["foreign_load"] for t in rec["times"].values() if t["foreign_load"] is not None]
    rec["foreign_load"] = max(loads) if loads else None

    if mode == "fwdbwd":
        for name, fn in fns.items():
            if name in steps:
                try:
                    rec["saved"][name] = saved_bytes(fn, inputs)
                except Exception as e:  # noqa: BLE001
                    rec["errors"][f"saved_{name}"] = f"{type(e).__name__}: {e}"
    ours = rec["times"].get("ours", {}).get("median_s")
    rec["ratios"] = {a: rec["times"][a]["median_s"] / ours for a in ALTERNATIVES
                     if ours and a in rec["times"]}
    if ours and "copy" in rec["times"]:
        rec["copy_pct"] = 100.0 * rec["times"]["copy"]["median_s"] / ours
    rec["loadavg"] = os.getloadavg()[0]
    if "compiled" in fns:
        torch._dynamo.reset()
    return rec


# --------------------------------------------------------------------------- reporting

def us(t: Optional[float]) -> str:
    if t is None:
        return "–"
    v = t * 1e6
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def fmt_bytes(n: Optional[int]) -> str:
    if n is None:
        return "–"
    for unit, f in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= f:
            return f"{n / f:.1f} {unit}"
    return f"{n} B"


def geomean(xs: List[float]) -> Optional[float]:
    xs = [x for x in xs if x and x > 0 and math.isfinite(x)]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def summarize(recs: List[Dict[str, Any]]) -> Dict[str, Any]:
    no_peer = [r for r in recs if "peer" not in r["times"]]
    return {
        "geomean_eager_over_ours_no_peer": geomean([r["ratios"].get("eager") for r in no_peer]),
        "geomean_compiled_over_ours_no_peer": geomean([r["ratios"].get("compiled") for r in no_peer]),
        "no_peer_ops": [r["case"] for r in no_peer],
        "geomean_peer_over_ours": geomean([r["ratios"].get("peer") for r in recs]),
        "geomean_eager_over_ours_all": geomean([r["ratios"].get("eager") for r in recs]),
        "geomean_compiled_over_ours_all": geomean([r["ratios"].get("compiled") for r in recs]),
        # ours slower than 1.1x the peer <=> peer/ours < 1/1.1
        "slower_than_1.1x_peer": [(r["case"], r["ratios"]["peer"]) for r in recs
                                  if "peer" in r["ratios"] and r["ratios"]["peer"] < 1 / 1.1
                                  and not r.get("peer_is_input")],
        "peer_returns_input": [r["case"] for r in recs if r.get("peer_is_input")],
        "less_than_1.5x_faster_than_eager": [(r["case"], r["ratios"]["eager"]) for r in recs
                                             if "eager" in r["ratios"] and r["ratios"]["eager"] < 1.5],
        "ours_saves_more_than_one_tensor": [
            (r["case"], r["saved"]["ours"]["bytes"]) for r in recs
            if "ours" in r["saved"] and r["saved"]["ours"]["storages"] > 1],
    }


def _cell(rec: Dict[str, Any], impl: str) -> str:
    t = rec["times"].get(impl)
    if t is None:
        err = rec["errors"].get(impl, "")
        return "–" if err in ("", "no torch peer", "--no-compile") else "error"
    return f"{us(t['median_s'])} ({rec['ratios'][impl]:.2f}x)"


def noisy_limit(meta: Dict[str, Any]) -> float:
    """Cores other processes may use before a row is marked noisy: the cores
    our threads do not need, plus a margin."""
    m = meta["machine"]
    cores = m.get("cpu_affinity") or m.get("cpu_count") or 1
    return max(cores - meta["args"]["threads"], 0) + NOISY_MARGIN


def markdown(recs: List[Dict[str, Any]], meta: Dict[str, Any]) -> str:
    m = meta["machine"]
    limit = noisy_limit(meta)
    lines = [
        f"# torch_activations benchmark: {meta['started']}{' (' + meta['tag'] + ')' if meta['tag'] else ''}",
        "",
        f"- command: `{meta['command']}`",
        f"- machine: {m['cpu_model']}, {m['cpu_count']} cores; {m['threads']} torch threads; "
        f"load average at start {m['loadavg_start'][0]:.2f}, at end {meta['loadavg_end'][0]:.2f}",
        f"- torch {m['torch']}, torch_activations CPU capability {m['torch_activations_cpu_capability']}, "
        f"git {m['git']}" + (f", library built {m['library']['mtime']}" if m.get("library") else "")
        + (f"; cuda {m['cuda']['device']}" if m.get("cuda") else ""),
        f"- timing: torch.utils.benchmark blocked_autorange, {meta['args']['min_time']}s per implementation "
        f"per round, {meta['args']['rounds']} interleaved rounds, minimum of the round medians; "
        f"wall time {meta['wall_s']:.0f}s" + (f" (of which torch.compile {meta['compile_s']:.0f}s)"
                                               if meta.get("compile_s") else ""),
    ]
    if meta.get("warning"):
        lines.append(f"- **warning**: {meta['warning']}")
    lines += [
        "- ratios are alternative time / our time (above 1: ours is faster); bandwidth % = copy time / our time "
        "(fwd: one copy of the input, fwd+bwd: two copies); saved = bytes kept for backward.",
        "",
    ]
    groups: Dict[tuple, List[Dict[str, Any]]] = {}
    for r in recs:
        groups.setdefault((r["device"], r["dtype"], r["size"], r["mode"]), []).append(r)
    for (device, dtype, size, mode), rs in groups.items():
        title = MODES[mode]
        lines += [f"## {device} {dtype} {fmt_size(size)} elements, {title}", "",
                  "| op | ours (µs) | torch peer (µs, ratio) | eager formula (µs, ratio) | "
                  "compiled formula (µs, ratio) | copy (µs) | our bandwidth, % of copy | saved bytes ours / eager / compiled |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rs:
            sv = r["saved"]
            saved = " / ".join(fmt_bytes(sv[k]["bytes"]) if k in sv else "–" for k in ("ours", "eager", "compiled"))
            saved = "–" if saved == "– / – / –" else saved
            cp = r.get("copy_pct")
            mark = " †" if (r.get("foreign_load") or 0) > limit else ""
            lines.append(
                f"| {r['case']}{mark} | {us(r['times'].get('ours', {}).get('median_s'))} | {_cell(r, 'peer')} | "
                f"{_cell(r, 'eager')} | {_cell(r, 'compiled')} | "
                f"{us(r['times'].get('copy', {}).get('median_s'))} | "
                f"{'–' if cp is None else f'{cp:.0f}%'} | {saved} |")
        s = summarize(rs)
        dag = {r["case"]: " †" for r in rs if (r.get("foreign_load") or 0) > limit}

        def g(v):
            return "–" if v is None else f"{v:.2f}x"

        lines += [
            "",
            f"- geometric mean over the ops without a torch peer ({len(s['no_peer_ops'])}): "
            f"eager/ours {g(s['geomean_eager_over_ours_no_peer'])}, "
            f"compiled/ours {g(s['geomean_compiled_over_ours_no_peer'])}",
            f"- geometric mean over all ops: peer/ours {g(s['geomean_peer_over_ours'])}, "
            f"eager/ours {g(s['geomean_eager_over_ours_all'])}, compiled/ours {g(s['geomean_compiled_over_ours_all'])}",
            "- slower than 1.1x their torch peer: "
            + (", ".join(f"{c}{dag.get(c, '')} ({1 / x:.2f}x the peer's time)" for c, x in s["slower_than_1.1x_peer"]) or "none")
            + (f" (not counting {', '.join(s['peer_returns_input'])}, whose peer returns its input: no work)"
               if s["peer_returns_input"] else ""),
            "- less than 1.5x faster than the eager formula: "
            + (", ".join(f"{c}{dag.get(c, '')} ({x:.2f}x)" for c, x in s["less_than_1.5x_faster_than_eager"]) or "none"),
        ]
        if mode == "fwdbwd":
            lines.append("- ours keeps more than one tensor for backward: "
                         + (", ".join(f"{c} ({fmt_bytes(b)})" for c, b in s["ours_saves_more_than_one_tensor"])
                            or "none"))
        noisy = [r["case"] for r in rs if (r.get("foreign_load") or 0) > limit]
        if noisy:
            lines.append(f"- † other processes used more than {limit:g} cores (of the cores our "
                         f"{meta['args']['threads']} thread(s) left free, plus {NOISY_MARGIN}) during the best round of "
                         f"at least one implementation: {len(noisy)} of {len(rs)} rows")
        errs = [(r["case"], k, v) for r in rs for k, v in r["errors"].items()
                if v not in ("no torch peer", "--no-compile")]
        if errs:
            lines.append("- errors: " + "; ".join(f"{c} {k}: {v}" for c, k, v in errs))
        lines.append("")
    return "\n".join(lines)


def progress_line(i: int, n: int, r: Dict[str, Any]) -> str:
    t = r["times"]
    parts = [f"[{i}/{n}] {r['device']} {r['dtype']} {fmt_size(r['size'])} {r['mode']:<6} {r['case']:<24}"
             f" ours {us(t.get('ours', {}).get('median_s')):>7}us"]
    for a in ALTERNATIVES:
        if a in r["ratios"]:
            parts.append(f"{a} {r['ratios'][a]:.2f}x")
        elif a in r["errors"] and r["errors"][a] not in ("no torch peer", "--no-compile"):
            parts.append(f"{a} ERROR")
    if "copy_pct" in r:
        parts.append(f"copy {us(t['copy']['median_s'])}us ({r['copy_pct']:.0f}%)")
    if "ours" in r["saved"]:
        parts.append(f"saved {fmt_bytes(r['saved']['ours']['bytes'])}")
    if r["compile_s"] is not None:
        parts.append(f"compile {r['compile_s']:.1f}s")
    faults = max((t.get("page_faults_per_call") or 0) for t in t.values()) if t else 0
    if faults > 100:
        parts.append(f"{faults:.0f} page faults/call")
    if r.get("foreign_load") is not None:
        parts.append(f"other load {r['foreign_load']:.2f} cores")
    bad = [k for k, v in r["max_rel_diff"].items() if v > (1e-3 if r["dtype"] in ("float32", "float64") else 5e-2)]
    if bad:
        parts.append("WARNING differs from ours: " + ", ".join(f"{k} {r['max_rel_diff'][k]:.2g}" for k in bad))
    return " | ".join(parts)


# --------------------------------------------------------------------------- main

def main(argv=None) -> int:
    args = parse_args(argv)
    if args.report:
        return rerender(args.report)
    if args.list:
        for c in CASES.values():
            print(f"{c.id:<28} {c.category:<10} {'' if c.default else '(not in all)'}")
        missing = uncovered_entries()
        print("registry entries without a case:", ", ".join(missing) if missing else "none")
        return 0
    if args.threads:
        torch.set_num_threads(args.threads)
    args.threads = torch.get_num_threads()
    cases = select_cases(args.ops)
    started = datetime.datetime.now()
    meta: Dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "tag": args.tag,
        "command": "python " + " ".join([os.path.relpath(__file__, _ROOT)] + sys.argv[1:]),
        "args": {k: (v if not isinstance(v, list) else [str(x).replace("torch.", "") for x in v])
                 for k, v in vars(args).items()},
        "machine": machine_info(args),
        "cases_without_benchmark": uncovered_entries(),
    }
    print_machine(meta["machine"])
    a = CpuMonitor.snapshot()
    time.sleep(0.5)
    meta["foreign_load_start"] = other = CpuMonitor.foreign(a, CpuMonitor.snapshot())
    if other is not None and other + args.threads > (meta["machine"]["cpu_affinity"] or os.cpu_count() or 1) + 0.25:
        cores = meta["machine"]["cpu_affinity"] or os.cpu_count()
        meta["warning"] = (f"other processes use {other:.1f} of {cores} cores: our {args.threads} thread(s) "
                           "share cores with them, so timings include time-slicing"
                           + ("; a multi-threaded op waits for its slowest thread (consider --threads 1)"
                              if args.threads > 1 else ""))
        print("warning: " + meta["warning"])
    combos = [(d, dt, s, m, c) for d in args.devices for dt in args.dtypes for s in args.sizes
              for m in args.modes for c in cases]
    print(f"{len(cases)} ops x {len(args.devices)} devices x {len(args.dtypes)} dtypes x {len(args.sizes)} sizes "
          f"x {len(args.modes)} modes = {len(combos)} measurements; compile {'off' if args.no_compile else 'on'}",
          flush=True)
    t0 = time.perf_counter()
    recs: List[Dict[str, Any]] = []
    for i, (device, dtype, size, mode, case) in enumerate(combos, 1):
        r = run_one(case, device, dtype, size, mode, args)
        release_retained_memory()
        recs.append(r)
        print(progress_line(i, len(combos), r), flush=True)
    meta["wall_s"] = time.perf_counter() - t0
    meta["compile_s"] = sum(r["compile_s"] or 0.0 for r in recs)
    meta["loadavg_end"] = os.getloadavg()

    os.makedirs(args.out, exist_ok=True)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    written = []
    for device in args.devices:
        base = os.path.join(args.out, "_".join(p for p in (stamp, args.tag, device) if p))
        written += write_reports([r for r in recs if r["device"] == device], meta, base)
    print(f"wall time {meta['wall_s']:.1f}s (torch.compile {meta['compile_s']:.1f}s); wrote:")
    for w in written:
        print("  " + os.path.relpath(w))
    return 0


def write_reports(recs: List[Dict[str, Any]], meta: Dict[str, Any], base: str) -> List[str]:
    """base.json (everything) and base.md (the tables) for one device; prints the markdown."""
    groups = sorted({(r["device"], r["dtype"], r["size"], r["mode"]) for r in recs})
    summaries = {f"{d} {dt} {fmt_size(s)} {m}": summarize([r for r in recs if (r["device"], r["dtype"], r["size"],
                                                                              r["mode"]) == (d, dt, s, m)])
                 for d, dt, s, m in groups}
    md = markdown(recs, meta)
    with open(base + ".json", "w") as f:
        json.dump({"meta": meta, "summary": summaries, "results": recs}, f, separators=(",", ":"), default=str)
    with open(base + ".md", "w") as f:
        f.write(md)
    print()
    print(md)
    return [base + ".json", base + ".md"]


def rerender(path: str) -> int:
    """--report: rewrite the markdown (and the summary in the JSON) of an
    earlier run from its JSON, with this version of the report code."""
    with open(path) as f:
        data = json.load(f)
    for r in data["results"]:
        if "peer" in r["times"] and "peer_is_input" not in r and r["case"] in CASES:
            # Older files: ask the case (on 4 elements) whether its peer returns its input.
            st = CASES[r["case"]].setup(4, torch.device("cpu"), torch.float32, False)
            out = st.peer(*st.inputs) if st.peer else None
            r["peer_is_input"] = any(out is t for t in st.inputs)
    base = path[:-5] if path.endswith(".json") else path
    for w in write_reports(data["results"], data["meta"], base):
        print("wrote " + os.path.relpath(w))
    return 0


if __name__ == "__main__":
    sys.exit(main())
