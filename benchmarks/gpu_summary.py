#!/usr/bin/env python
"""One-screen summary of a benchmarks/gpu_check.sh run (its stage 6).

    python benchmarks/gpu_summary.py OUTDIR

Reads OUTDIR/{env,build,smoke,tests}.txt and OUTDIR/bench.json, whichever
exist (a stage cut short by its timeout leaves a partial log: the summary says
so), and prints: the device and versions, build status and time, smoke
results, test counts (pytest's last line, or counted from the -v lines when
pytest was stopped) with the first failures, the 10 lowest bandwidths as a
share of a copy's, every op slower than its torch peer, and the gated ops
against the eager and compiled formula.  Uses no torch: it runs anywhere.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, Dict, List


def read(outdir: str, name: str) -> str:
    try:
        with open(os.path.join(outdir, name), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def env_lines(txt: str) -> List[str]:
    keep = ("device:", "torch:", "driver:", "nvcc:", "python:", "cpus:")
    return [ln for ln in txt.splitlines() if ln.startswith(keep)][:6]


def build_line(txt: str) -> str:
    m = re.search(r"^BUILD (\w+) in (\d+)s(.*)$", txt, re.M)
    if m:
        return f"build: {m.group(1)} in {m.group(2)}s{m.group(3)}"
    if not txt:
        return "build: no log"
    return "build: no result line (stopped by its timeout?); last line: " + (txt.strip().splitlines() or [""])[-1][:150]


PYTEST_LAST = re.compile(r"^=+ (.*\b(passed|failed|error|errors|skipped|deselected|no tests ran)\b.*) in [\d.]+s.*=+$", re.M)
VLINE = re.compile(r"\b(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b\s+(tests/\S+)|(tests/\S+::\S+)\s+(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b")


def tests_summary(txt: str) -> List[str]:
    if not txt:
        return ["tests: no log"]
    out = []
    last = PYTEST_LAST.findall(txt)
    counts: Dict[str, int] = {}
    failed: List[str] = []
    for m in VLINE.finditer(txt):
        status = m.group(1) or m.group(4)
        test = m.group(2) or m.group(3)
        counts[status] = counts.get(status, 0) + 1
        if status in ("FAILED", "ERROR") and test not in failed:
            failed.append(test)
    # the short summary (-rfE) names failures too: "FAILED tests/x.py::t - msg"
    for m in re.finditer(r"^(FAILED|ERROR) (tests/\S+)", txt, re.M):
        if m.group(2) not in failed:
            failed.append(m.group(2))
    status_line = re.search(r"^TESTS (.*)$", txt, re.M)
    coll = re.search(r"^(\d+)/(\d+) tests collected \((\d+) deselected\).*$|^(\d+) tests collected.*$", txt, re.M)
    if "--collect-only" in txt.split("\n", 1)[0] and coll:
        out.append(f"tests: collect only (no CUDA): {coll.group(0)}")
    elif last:
        out.append(f"tests: {last[-1][0]}")
    else:
        out.append("tests: pytest did not finish (timeout?); counted from its -v lines: " +
                   (", ".join(f"{v} {k.lower()}" for k, v in sorted(counts.items())) or "none"))
    if status_line:
        out[-1] += f"  [{status_line.group(1)}]"
    collected = re.search(r"\d+ workers \[\d+ items?\]|collected \d+ items?(?: / \d+ deselected)?(?: / \d+ selected)?", txt)
    if collected:
        out.append("  " + collected.group(0))
    for t in failed[:10]:
        out.append(f"  FAILED {t[:150]}")
    if len(failed) > 10:
        out.append(f"  ... and {len(failed) - 10} more (tests.txt)")
    return out


def smoke_summary(txt: str) -> List[str]:
    if not txt:
        return ["smoke: no log"]
    oks = len(re.findall(r"^ok  ", txt, re.M))
    fails = [ln for ln in txt.splitlines() if ln.startswith("FAIL")]
    skipped = "skipped" in txt and oks == 0 and not fails
    if skipped:
        return ["smoke: " + next((ln for ln in txt.splitlines() if "skipped" in ln), "skipped")]
    done = re.search(r"gpu_smoke: \d+ failed", txt)
    lines = [f"smoke: {oks} ok, {len(fails)} failed" + ("" if done else " (cut short)")]
    lines += ["  " + ln[:160] for ln in fails[:6]]
    return lines


def bench_summary(outdir: str) -> List[str]:
    txt = read(outdir, "bench.json")
    if not txt:
        skipped = read(outdir, "bench.txt").strip().splitlines()
        return ["bench: no bench.json" + (f" ({skipped[-1][:120]})" if skipped else "")]
    try:
        data = json.loads(txt)
    except json.JSONDecodeError as e:
        return [f"bench: bench.json unreadable ({e})"]
    rows: List[Dict[str, Any]] = data.get("rows", [])
    meta = data.get("meta", {})
    out = [f"bench: {len(rows)} rows in {meta.get('wall_s', 0):.0f}s"
           + (f", {meta['cut_short']} rows not run (budget)" if meta.get("cut_short") else "")]
    errs = [r for r in rows if r.get("errors")]
    pw = [r for r in rows if r.get("kind") == "pointwise" and "pct_of_copy_bw" in r]
    if pw:
        below = [r for r in pw if r["pct_of_copy_bw"] < 90]
        out.append(f"  pointwise: {len(pw) - len(below)}/{len(pw)} rows at >= 90% of copy bandwidth; lowest 10:")
        for r in sorted(pw, key=lambda r: r["pct_of_copy_bw"])[:10]:
            out.append(f"    {r['case']:<24} {r['dtype']:<8} {r['mode']:<6} {r['pct_of_copy_bw']:5.1f}%  "
                       f"({r['ours_GBps']:.0f} GB/s vs copy {r['copy_GBps']:.0f} GB/s)")
        peer = [r for r in pw if "peer" in r.get("alt_over_ours", {}) and not r.get("peer_is_input")]
        noop = sorted({r["case"] for r in pw if r.get("peer_is_input")})
        slower = sorted((r for r in peer if r["alt_over_ours"]["peer"] < 1.0),
                        key=lambda r: r["alt_over_ours"]["peer"])
        out.append(f"  vs torch peer: slower than the peer in {len(slower)}/{len(peer)} rows"
                   + (f" (peer returns its input, not counted: {', '.join(noop)})" if noop else "")
                   + (" (peer time / our time):" if slower else ""))
        for r in slower[:10]:
            out.append(f"    {r['case']:<24} {r['dtype']:<8} {r['mode']:<6} {r['alt_over_ours']['peer']:.2f}x")
        if peer:
            ratios = sorted(r["alt_over_ours"]["peer"] for r in peer)
            out.append(f"    peer/ours median {ratios[len(ratios) // 2]:.2f}x, min {ratios[0]:.2f}x, max {ratios[-1]:.2f}x")
    gated = [r for r in rows if r.get("kind") == "gated"]
    for r in gated:
        t = r.get("times_s", {})
        q = r.get("alt_over_ours", {})
        sv = r.get("saved_bytes")
        saved = ""
        if sv and r.get("input_bytes"):
            saved = "  saved/input " + " ".join(f"{k} {v / r['input_bytes']:.2f}" for k, v in sv.items())
        out.append(f"  {r['case']:<7} {r['dtype']:<8} {r['mode']:<6} ours {t.get('ours', 0) * 1e6:7.0f}us"
                   f"  eager/ours {q.get('eager', float('nan')):.2f}x  compiled/ours {q.get('compiled', float('nan')):.2f}x"
                   f"  {r.get('pct_of_copy_bw', float('nan')):.0f}% copy bw{saved}")
    if errs:
        out.append(f"  {len(errs)} rows with errors, e.g. {errs[0]['case']} {errs[0]['dtype']} {errs[0]['mode']}: "
                   + "; ".join(f"{k}: {v}" for k, v in list(errs[0]['errors'].items())[:2])[:200])
    return out


def main(argv: List[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    outdir = argv[0]
    lines = ["=" * 30 + " gpu_check summary " + "=" * 30]
    lines += env_lines(read(outdir, "env.txt"))
    lines.append(build_line(read(outdir, "build.txt")))
    lines += smoke_summary(read(outdir, "smoke.txt"))
    lines += tests_summary(read(outdir, "tests.txt"))
    lines += bench_summary(outdir)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
