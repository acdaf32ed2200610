"""``python -m torch_activations``: the comparison table, plots, the gallery,
per-activation analysis, the selection shoot-out and the demo.

    python -m torch_activations list
    python -m torch_activations table [--all | --category C] [--format markdown|csv|json] [--out FILE]
    python -m torch_activations plot elu --param alpha=0.5,1,2 --order 2 --out elu.png
    python -m torch_activations gallery --out gallery/
    python -m torch_activations analyze gelu [--param approximate=tanh] [--format json]
    python -m torch_activations shootout [--epochs 15] [--seeds 0,1,2]
    python -m torch_activations demo [--out demo-output] [--quick]

Every property in the table except the formula, torch peer and use case is
computed from the implementation (see :mod:`torch_activations.analysis` for
the definitions); the registry's recorded values are only compared with it.
Progress goes to stderr, results to stdout (or ``--out``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

from . import analysis
from .registry import ActivationInfo, get_info, list_activations
from .report import FORMATS, Column, fmt_number, fmt_share, progress, render, write_or_print

__all__ = ["main", "build_parser", "comparison_rows", "TABLE_COLUMNS"]

CATEGORIES = ("pointwise", "dim", "learnable")
DEMO_BENCH_OPS = "relu,gelu,mish,silu,softplus,tanh"
QUICK_NAMES = ("relu", "gelu", "sigmoid")


# ------------------------------------------------------------------ helpers

def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _select(args: argparse.Namespace, default_category: Optional[str] = "pointwise") -> List[ActivationInfo]:
    """The activations named by ``--names``, ``--all`` or ``--category``."""
    names = getattr(args, "names", None)
    if names:
        return [get_info(n.strip()) for n in names.split(",") if n.strip()]
    if getattr(args, "all", False):
        return list_activations()
    return list_activations(getattr(args, "category", None) or default_category)


def _add_selection(p: argparse.ArgumentParser, default: str) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--all", action="store_true", help="every registry entry, all categories")
    g.add_argument("--category", choices=CATEGORIES, help=f"one category (default: {default})")
    g.add_argument("--names", metavar="A,B,...", help="a comma list of activations")


def _add_format(p: argparse.ArgumentParser, choices: Sequence[str] = FORMATS) -> None:
    p.add_argument("--format", choices=choices, default=choices[0], help=f"output format (default {choices[0]})")


def _param_text(info: ActivationInfo) -> str:
    return ", ".join(p.name if p.required else f"{p.name}={p.default!r}" for p in info.ctor_params) or "–"


def _params_of(info: ActivationInfo, specs: Sequence[str]) -> Dict[str, List[Any]]:
    try:
        return analysis.parse_param_specs(info, specs or [])
    except ValueError as e:
        raise SystemExit(f"error: {e}") from None


# --------------------------------------------------------------------- list

LIST_COLUMNS = [
    Column("name", "name", str),
    Column("category", "category", str),
    Column("module", "module", str),
    Column("parameters", "parameters (defaults)", str),
    Column("torch_peer", "torch peer", lambda v: v or "–"),
    Column("title", "description", str),
]


def cmd_list(args: argparse.Namespace) -> int:
    rows = [{"name": i.name, "category": i.category, "module": i.module, "parameters": _param_text(i),
             "defaults": i.defaults, "torch_peer": i.torch_peer, "title": i.title}
            for i in _select(args, default_category=None)]
    write_or_print(render(rows, LIST_COLUMNS, args.format), None)
    return 0


# -------------------------------------------------------------------- table

def _cost(v: Optional[float]) -> str:
    return "–" if v is None else f"{v:.2f}x"


TABLE_COLUMNS = [
    Column("display_name", "activation", str),
    Column("formula", "formula", lambda v: f"${v}$"),
    Column("range_text", "range", str),
    Column("monotonic", "monotonic"),
    Column("smoothness", "smoothness", lambda v: v or "–"),
    Column("zero_centred", "zero-centred"),
    Column("lipschitz", "Lipschitz max|f'|"),
    Column("vanishing_share", f"|f'|<{analysis.VANISH:g} on [-5,5]", fmt_share),
    Column("relative_cost", "cost vs relu", _cost),
    Column("torch_peer", "torch peer", lambda v: v or "–"),
    Column("use_case", "use case", str),
]

_TABLE_NOTES = f"""
Computed from the implementation (`python -m torch_activations table`), float64, default parameters.
Range: inf/sup over [-20, 20] (step 1e-4), ±logspace to 1e6 and f(±inf); `[` a bound reached on [-10, 10],
`(` one only approached. Monotonic: non-decreasing. Smoothness: the first of f, f', f'' with a jump.
Zero-centred: |E f(X)| <= 0.1 sqrt(E f(X)^2) for X ~ N(0, 1). Lipschitz: max |f'| over the same grid.
|f'| < {analysis.VANISH:g}: share of [-5, 5] where the gradient vanishes. Cost: forward+backward on 2^20
float32 over relu's, one thread, same process.
"""


def comparison_rows(infos: Sequence[ActivationInfo], timing: bool = True, explode: float = analysis.EXPLODE,
                    verbose: bool = True) -> List[Dict[str, Any]]:
    """One row per activation: its computed profile (default parameters), the
    relative cost (when ``timing``), and the registry's formula, torch peer and
    use case."""
    rows = []
    for info in progress(infos, lambda i: f"analyse {i.name}", enabled=verbose):
        prof = analysis.analyze(info.name, explode=explode)
        flag = " ‡" if prof.registry_mismatches else ""
        rows.append({"display_name": info.name + flag, **prof.as_dict(), "title": info.title,
                     "formula": info.formula, "torch_peer": info.torch_peer, "use_case": info.use_case})
    if timing:
        costs = analysis.relative_costs(infos, progress=(lambda n: _say(f"time {n}")) if verbose else None)
        for row in rows:
            row["relative_cost"] = costs.get(row["name"])
    return rows


def table_text(rows: Sequence[Dict[str, Any]], fmt: str) -> str:
    """The comparison table in ``fmt``; markdown gets the definitions and any
    registry disagreement (‡) below the table."""
    text = render(rows, TABLE_COLUMNS, fmt)
    if fmt != "markdown":
        return text
    text += _TABLE_NOTES
    bad = [f"- ‡ {r['name']}: " + "; ".join(r["registry_mismatches"]) for r in rows if r["registry_mismatches"]]
    if bad:
        text += "\nThe registry disagrees with the implementation (a bug):\n" + "\n".join(bad) + "\n"
    return text


def cmd_table(args: argparse.Namespace) -> int:
    rows = comparison_rows(_select(args), timing=not args.no_timing)
    write_or_print(table_text(rows, args.format), args.out)
    return 1 if args.strict and any(r["registry_mismatches"] for r in rows) else 0


# -------------------------------------------------------------- plot, gallery

def cmd_plot(args: argparse.Namespace) -> int:
    from .plots import plot_activation

    info = get_info(args.name)
    out = plot_activation(info.name, _params_of(info, args.param), args.out, order=args.order,
                          xlim=tuple(args.xlim))
    _say(f"wrote {out}")
    return 0


def cmd_gallery(args: argparse.Namespace) -> int:
    from .plots import gallery

    entries = gallery(args.out, _select(args, default_category=None), order=args.order,
                      overlay=not args.defaults_only)
    failed = [e for e in entries if not e.image]
    for e in failed:
        _say(f"no plot for {e.info.name}: {e.error}")
    _say(f"wrote {len(entries) - len(failed)} plots and {os.path.join(args.out, 'index.html')} (+ index.md)")
    return 0


# ------------------------------------------------------------------ analyze

def _profile_lines(info: ActivationInfo, prof: analysis.Profile) -> List[str]:
    params = {**info.defaults, **prof.params}
    head = f"{info.name} ({info.title}); parameters: " + (", ".join(f"{k}={v!r}" for k, v in params.items())
                                                          or "none")
    lines = [head]
    add = lambda k, v: lines.append(f"  {k:<16} {v}")  # noqa: E731
    if not prof.elementwise:
        add("profile", prof.note)
    else:
        at_defaults = all(info.defaults.get(k) == v for k, v in prof.params.items())
        add("range", prof.range_text() + (f"   (registry: {info.range})" if at_defaults else ""))
        add("monotonic", fmt_number(prof.monotonic))
        add("smoothness", prof.smoothness)
        add("zero-centred", f"{fmt_number(prof.zero_centred)}   (E f(X) = {prof.gaussian_mean:.4g}, "
                            f"sqrt(E f(X)^2) = {prof.gaussian_rms:.4g}, X ~ N(0, 1))")
        add("Lipschitz", f"{prof.lipschitz:.6g}   (max |f'|, at x = {prof.lipschitz_at:.4g})")
        add("vanishing", f"{fmt_share(prof.vanishing_share)} of [-5, 5] has |f'| < {analysis.VANISH:g}")
        add("exploding", f"{fmt_share(prof.exploding_share)} of [-5, 5] has |f'| > {prof.explode_threshold:g}")
    if prof.relative_cost is not None:
        add("cost vs relu", f"{prof.relative_cost:.2f}x   (forward+backward, 2^20 float32, one thread)")
    if prof.registry_mismatches:
        add("REGISTRY", "disagrees: " + "; ".join(prof.registry_mismatches))
    return lines


def cmd_analyze(args: argparse.Namespace) -> int:
    import json

    from .report import jsonable

    info = get_info(args.name)
    profiles = [analysis.analyze(info.name, ps, explode=args.explode_threshold, timing=not args.no_timing)
                for ps in analysis.param_sets(_params_of(info, args.param))]
    if args.format == "json":
        data = [p.as_dict() for p in profiles]
        print(json.dumps(jsonable(data[0] if len(data) == 1 else data), indent=2))
    else:
        print("\n\n".join("\n".join(_profile_lines(info, p)) for p in profiles))
    return 0


# ----------------------------------------------------------------- shootout

def _seeds(text: str) -> List[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def shootout_text(args: argparse.Namespace, names: Sequence[str]) -> str:
    """Runs the shoot-out with the options in ``args``; returns its table."""
    from .shootout import COLUMNS, run_shootout

    results = run_shootout(names, epochs=args.epochs, seeds=args.seeds, threads=args.threads)
    text = render([r.as_dict() for r in results], COLUMNS, args.format)
    if args.format == "markdown":
        text += (f"\nscikit-learn digits (1437 train / 360 test), MLP 64-128-act-128-act-10, Adam lr 1e-3, "
                 f"batch 64, {args.epochs} epoch(s), seeds {','.join(map(str, args.seeds))}; "
                 f"time per epoch on {args.threads or 'torch default'} thread(s).\n")
    return text


def cmd_shootout(args: argparse.Namespace) -> int:
    if args.quick:
        args.epochs, args.seeds = 1, [0]
        names = args.names.split(",") if args.names else list(QUICK_NAMES)
    else:
        names = [i.name for i in _select(args)]
    write_or_print(shootout_text(args, names), args.out)
    return 0


# --------------------------------------------------------------------- demo

def _repo_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _banner(step: int, total: int, title: str) -> None:
    print(f"\n=== [{step}/{total}] {title} ===", flush=True)


def _run_benchmark(out_dir: str, quick: bool) -> Optional[int]:
    """benchmarks/run.py on a small selection (None when the benchmark suite is
    not there, e.g. in an installed wheel)."""
    script = os.path.join(_repo_root(), "benchmarks", "run.py")
    if not os.path.exists(script):
        print(f"(skipped: {script} not found; the benchmark suite lives in the source tree)")
        return None
    opts = (["--ops", "relu", "--sizes", "2^12", "--modes", "fwd", "--min-time", "0.01"] if quick else
            ["--ops", DEMO_BENCH_OPS, "--sizes", "2^20", "--modes", "fwd,fwdbwd", "--min-time", "0.1"])
    cmd = [sys.executable, script, *opts, "--rounds", "1", "--no-compile", "--threads", "1",
           "--dtypes", "float32", "--devices", "cpu", "--tag", "demo", "--out", out_dir]
    print("$ " + " ".join(os.path.relpath(c) if c == script else c for c in cmd[1:]), flush=True)
    return subprocess.run(cmd, cwd=_repo_root()).returncode


def cmd_demo(args: argparse.Namespace) -> int:
    import torch

    from . import cpu_capability, library_path
    from .plots import gallery

    start = time.perf_counter()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    infos = [get_info(n) for n in QUICK_NAMES] if args.quick else list_activations("pointwise")
    steps = 5
    timings: Dict[str, float] = {}

    def timed(key: str, fn: Callable[[], Any]) -> Any:
        t = time.perf_counter()
        result = fn()
        timings[key] = time.perf_counter() - t
        return result

    _banner(1, steps, "extension")
    print(f"torch {torch.__version__}; operator library {library_path()}; CPU kernels {cpu_capability()}; "
          f"{len(list_activations())} activations registered")

    _banner(2, steps, f"comparison table ({len(infos)} activations, computed from the implementation)")
    rows = timed("table", lambda: comparison_rows(infos, timing=True))
    text = table_text(rows, "markdown")
    print(text)
    write_or_print(text, os.path.join(out, "table.md"))

    _banner(3, steps, "gallery")
    gallery_dir = os.path.join(out, "gallery")
    timed("gallery", lambda: gallery(gallery_dir, infos))
    print(f"gallery: {os.path.join(gallery_dir, 'index.html')}")

    _banner(4, steps, "benchmark (benchmarks/run.py, one thread)")
    rc = 0 if args.skip_benchmark else timed("benchmark", lambda: _run_benchmark(os.path.join(out, "bench"), args.quick))
    if rc:
        print(f"benchmark exited with status {rc}")

    _banner(5, steps, "selection shoot-out (scikit-learn digits)")
    shoot_args = argparse.Namespace(epochs=1 if args.quick else args.epochs, seeds=[0] if args.quick else args.seeds,
                                    threads=1, format="markdown")
    text = timed("shootout", lambda: shootout_text(shoot_args, [i.name for i in infos]))
    print(text)
    write_or_print(text, os.path.join(out, "shootout.md"))

    total = time.perf_counter() - start
    parts = ", ".join(f"{k} {v:.0f}s" for k, v in timings.items())
    print(f"\ndemo finished in {total:.0f}s ({parts}); results in {out}/")
    return 1 if rc else 0


# ------------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m torch_activations``."""
    p = argparse.ArgumentParser(prog="python -m torch_activations", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("list", help="every activation with its parameters")
    _add_selection(s, "all")
    _add_format(s)
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("table", help="the comparison table, computed from the implementation")
    _add_selection(s, "pointwise")
    _add_format(s)
    s.add_argument("--out", metavar="FILE", help="write the table here instead of stdout")
    s.add_argument("--no-timing", action="store_true", help="leave out the relative cost (saves a few seconds)")
    s.add_argument("--strict", action="store_true", help="exit 1 when the registry disagrees with the computed values")
    s.set_defaults(func=cmd_table)

    param_help = "parameter value(s): NAME=V or NAME=V1,V2,... (repeatable; every combination is drawn)"
    s = sub.add_parser("plot", help="an activation and its derivatives (3-D surfaces for ops over a dimension)")
    s.add_argument("name", help="activation name (op or module name)")
    s.add_argument("--param", action="append", metavar="K=V[,V...]", help=param_help)
    s.add_argument("--order", type=int, choices=(1, 2), default=1,
                   help="highest derivative drawn (default 1); surfaces always show the value and both "
                        "first partial derivatives")
    s.add_argument("--xlim", type=float, nargs=2, default=(-6.0, 6.0), metavar=("LO", "HI"),
                   help="input range (default -6 6)")
    s.add_argument("--out", required=True, metavar="FILE", help="image file (.png, .svg, .pdf)")
    s.set_defaults(func=cmd_plot)

    s = sub.add_parser("gallery", help="every plot plus index.html and index.md")
    _add_selection(s, "all")
    s.add_argument("--out", required=True, metavar="DIR", help="output folder")
    s.add_argument("--order", type=int, choices=(1, 2), default=1, help="highest derivative drawn (default 1)")
    s.add_argument("--defaults-only", action="store_true",
                   help="draw only the default parameters (default: the first float parameter at 0.5x, 1x, 2x)")
    s.set_defaults(func=cmd_gallery)

    s = sub.add_parser("analyze", help="the numerical profile of one activation")
    s.add_argument("name", help="activation name")
    s.add_argument("--param", action="append", metavar="K=V[,V...]", help=param_help)
    s.add_argument("--explode-threshold", type=float, default=analysis.EXPLODE,
                   help=f"|f'| above this counts as exploding (default {analysis.EXPLODE:g})")
    s.add_argument("--no-timing", action="store_true", help="do not measure the cost relative to relu")
    _add_format(s, ("text", "json"))
    s.set_defaults(func=cmd_analyze)

    s = sub.add_parser("shootout", help="train a small MLP on scikit-learn digits with each activation")
    _add_selection(s, "pointwise")
    s.add_argument("--epochs", type=int, default=15, help="epochs per run (default 15)")
    s.add_argument("--seeds", type=_seeds, default=[0, 1, 2], help="comma list of seeds (default 0,1,2)")
    s.add_argument("--threads", type=int, default=1, help="torch threads while training (default 1)")
    s.add_argument("--quick", action="store_true",
                   help=f"1 epoch, seed 0, {','.join(QUICK_NAMES)} (or --names)")
    s.add_argument("--out", metavar="FILE", help="write the table here instead of stdout")
    _add_format(s)
    s.set_defaults(func=cmd_shootout)

    s = sub.add_parser("demo", help="table, gallery, a short benchmark and the shoot-out, in a few minutes")
    s.add_argument("--out", default="demo-output", metavar="DIR", help="output folder (default demo-output)")
    s.add_argument("--epochs", type=int, default=15, help="shoot-out epochs (default 15)")
    s.add_argument("--seeds", type=_seeds, default=[0, 1, 2], help="shoot-out seeds (default 0,1,2)")
    s.add_argument("--skip-benchmark", action="store_true", help="do not run benchmarks/run.py")
    s.add_argument("--quick", action="store_true",
                   help=f"a smoke run: {','.join(QUICK_NAMES)} only, a tiny benchmark, 1 epoch")
    s.set_defaults(func=cmd_demo)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return args.func(args)
    except KeyError as e:  # unknown activation name
        print(f"error: {e.args[0]}", file=sys.stderr)
        return 2
