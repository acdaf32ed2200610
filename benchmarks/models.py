"""Whole models with torch's activations against the same models with ours.

Each model is built once with torch's activation modules, copied, and the
copy gets ours through ``torch_activations.replace_activations`` (module by
module, same weights); the outputs are checked equal before timing.  Then,
interleaved in one process, both are timed for

- ``train``: one training step, forward + ``loss.backward()`` (gradients
  zeroed with ``set_to_none``), and
- ``infer``: forward under ``torch.inference_mode()``,

at each thread count, with the bytes autograd keeps for backward
(``saved_tensors_hooks``, unique storages) for both.

Models (the issue's list):

- ``cnn``: a MobileNet-style CNN, batch 8, 3x160x160: conv-bn-act stem,
  depthwise-separable blocks with ReLU, Hardswish and SiLU, a squeeze-excite
  block (ReLU, Hardsigmoid), pooled classifier;
- ``transformer-gelu``: 4 pre-norm transformer blocks, d=256, 4 heads,
  sequence 128, batch 8, MLP with GELU;
- ``transformer-swiglu``: the same with a SwiGLU MLP;
- ``mlp``: 3 layers of width 512 with Mish, batch 64.

    python benchmarks/models.py [--threads 1,2] [--rounds 3] [--min-time 1.0] [--models cnn,mlp]

Writes ``benchmarks/results/<stamp>_models_cpu.{json,md}``.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import json
import os
import platform
import statistics
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(_HERE))

import torch  # noqa: E402
import torch.nn.functional as TF  # noqa: E402
from torch import nn  # noqa: E402

import torch_activations as ta  # noqa: E402


# ---------------------------------------------------------------- models
def conv_bn_act(cin, cout, k, stride, act, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), act())


class SqueezeExcite(nn.Module):
    def __init__(self, c, r=4):
        super().__init__()
        self.fc1, self.act, self.fc2, self.gate = nn.Conv2d(c, c // r, 1), nn.ReLU(inplace=True), \
            nn.Conv2d(c // r, c, 1), nn.Hardsigmoid(inplace=True)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        return x * self.gate(self.fc2(self.act(self.fc1(s))))


class Block(nn.Module):  # MobileNetV3 inverted residual
    def __init__(self, cin, cout, stride, act, se=False, expand=4):
        super().__init__()
        mid = cin * expand
        self.body = nn.Sequential(conv_bn_act(cin, mid, 1, 1, act), conv_bn_act(mid, mid, 3, stride, act, groups=mid),
                                  SqueezeExcite(mid) if se else nn.Identity(),
                                  nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


def cnn():
    relu = lambda: nn.ReLU(inplace=True)  # noqa: E731
    return nn.Sequential(
        conv_bn_act(3, 16, 3, 2, nn.Hardswish),
        Block(16, 24, 2, relu), Block(24, 24, 1, relu),
        Block(24, 40, 2, nn.Hardswish, se=True), Block(40, 40, 1, nn.Hardswish, se=True),
        Block(40, 80, 2, nn.SiLU), Block(80, 80, 1, nn.SiLU),
        conv_bn_act(80, 320, 1, 1, nn.Hardswish), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(320, 100))


class TorchSwiGLU(nn.Module):
    """What a user writes without this library: a * silu(b), (a, b) = chunk(x)."""

    def forward(self, x):
        a, b = x.chunk(2, dim=-1)
        return a * TF.silu(b)


class TransformerBlock(nn.Module):
    def __init__(self, d, heads, gated):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        hidden = 4 * d
        if gated:
            self.mlp = nn.Sequential(nn.Linear(d, 2 * hidden), TorchSwiGLU(), nn.Linear(hidden, d))
        else:
            self.mlp = nn.Sequential(nn.Linear(d, hidden), nn.GELU(), nn.Linear(hidden, d))

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


def transformer(gated):
    return nn.Sequential(*[TransformerBlock(256, 4, gated) for _ in range(4)], nn.LayerNorm(256), nn.Linear(256, 256))


def mlp():
    return nn.Sequential(nn.Linear(512, 512), nn.Mish(), nn.Linear(512, 512), nn.Mish(), nn.Linear(512, 512), nn.Mish(),
                         nn.Linear(512, 10))


MODELS = {
    "cnn": (cnn, lambda: torch.randn(8, 3, 160, 160)),
    "transformer-gelu": (lambda: transformer(False), lambda: torch.randn(8, 128, 256)),
    "transformer-swiglu": (lambda: transformer(True), lambda: torch.randn(8, 128, 256)),
    "mlp": (mlp, lambda: torch.randn(64, 512)),
}
MAPPING = {**ta._replace.default_mapping(), TorchSwiGLU: lambda m: ta.SwiGLU(dim=-1)}


# ---------------------------------------------------------------- timing
def saved_bytes(model, x):
    storages = {}

    def pack(t):
        if isinstance(t, torch.Tensor):
            s = t.untyped_storage()
            storages[s.data_ptr()] = s.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x).float().pow(2).mean().backward()
    model.zero_grad(set_to_none=True)
    return sum(storages.values())


def step_fns(model, x):
    def train():
        model(x).float().pow(2).mean().backward()
        model.zero_grad(set_to_none=True)

    def infer():
        with torch.inference_mode():
            model(x)

    return {"train": train, "infer": infer}


def timed(fn, min_time):
    fn()
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_time or len(times) < 3:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(names, threads, rounds, min_time):
    rows = []
    for name in names:
        build, make_x = MODELS[name]
        torch.manual_seed(0)
        theirs = build().train()
        ours = ta.replace_activations(copy.deepcopy(theirs), MAPPING)
        n_ours = sum(type(m).__module__.startswith("torch_activations") for m in ours.modules())
        x = make_x()
        with torch.no_grad():  # eval: batch norm uses its running statistics, no update
            theirs.eval(), ours.eval()
            torch.testing.assert_close(ours(x), theirs(x), rtol=1e-4, atol=1e-5)
            theirs.train(), ours.train()
        mem = {"torch": saved_bytes(theirs, x), "ours": saved_bytes(ours, x)}
        for nt in threads:
            torch.set_num_threads(nt)
            fns = {"torch": step_fns(theirs, x), "ours": step_fns(ours, x)}
            for mode in ("train", "infer"):
                best = {"torch": [], "ours": []}
                for _ in range(rounds):
                    for impl in ("torch", "ours"):
                        best[impl].append(timed(fns[impl][mode], min_time))
                t_torch, t_ours = min(best["torch"]), min(best["ours"])
                row = {"model": name, "threads": nt, "mode": mode, "torch_ms": 1e3 * t_torch, "ours_ms": 1e3 * t_ours,
                       "ours_over_torch": t_ours / t_torch, "replaced_modules": n_ours,
                       "saved_bytes_torch": mem["torch"], "saved_bytes_ours": mem["ours"]}
                rows.append(row)
                print(f"{name:20s} {nt} thread(s) {mode:5s}: torch {row['torch_ms']:9.2f} ms  ours "
                      f"{row['ours_ms']:9.2f} ms  ours/torch {row['ours_over_torch']:.3f}   saved for backward "
                      f"torch {mem['torch'] / 2**20:.1f} MiB, ours {mem['ours'] / 2**20:.1f} MiB", flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--min-time", type=float, default=1.0)
    ap.add_argument("--out", default=os.path.join(_HERE, "results"))
    args = ap.parse_args()
    names = [m for m in args.models.split(",") if m]
    threads = [int(t) for t in args.threads.split(",")]
    started = time.time()
    rows = run(names, threads, args.rounds, args.min_time)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = os.path.join(args.out, f"{stamp}_models_cpu")
    meta = {"torch": torch.__version__, "cpu": platform.processor() or platform.machine(),
            "capability": ta.cpu_capability(), "rounds": args.rounds, "min_time": args.min_time,
            "seconds": round(time.time() - started), "command": "python benchmarks/models.py " + " ".join(sys.argv[1:])}
    with open(base + ".json", "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)
    lines = [f"# Whole models: torch's activations vs ours ({stamp})", "",
             f"`{meta['command']}`; torch {meta['torch']}, CPU kernels {meta['capability']}; best of {args.rounds} "
             f"interleaved rounds of medians over >= {args.min_time} s; {meta['seconds']} s in all.", "",
             "| model | threads | mode | torch (ms) | ours (ms) | ours / torch | saved for backward, torch / ours (MiB) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['threads']} | {r['mode']} | {r['torch_ms']:.2f} | {r['ours_ms']:.2f} | "
                     f"{r['ours_over_torch']:.3f} | {r['saved_bytes_torch'] / 2**20:.1f} / "
                     f"{r['saved_bytes_ours'] / 2**20:.1f} |")
    with open(base + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", base + ".md")


if __name__ == "__main__":
    main()
