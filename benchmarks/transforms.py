"""The cost of torch.func transforms over our ops against torch's own.

Two tables, each timed interleaved in one process (ratios are what count on
a noisy machine):

1. ``sine`` against ``torch.sin`` (w0 = 30) and ``softplus(beta=100)``
   against ``F.softplus``, under: eager forward+backward, ``grad``,
   ``vmap(grad)`` (per-sample), ``jacfwd``, ``hessian`` (forward over
   reverse), and a third derivative by nested ``grad``, on a small MLP
   (SIREN / SDF shaped: 3 -> 64 -> 64 -> 1, a batch of 256 points).
2. Ensembling: 8 MLPs with learnable activations (``ta.PReLU``,
   ``ta.ParametricSoftplus``) run with ``vmap`` over
   ``torch.func.stack_module_state`` against a Python loop over the models.

    python benchmarks/transforms.py [--repeat 20] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(_HERE))

import torch  # noqa: E402
import torch.nn.functional as TF  # noqa: E402
from torch import nn  # noqa: E402
from torch.func import functional_call, grad, hessian, jacfwd, stack_module_state, vmap  # noqa: E402

import torch_activations as ta  # noqa: E402


class Mlp(nn.Module):
    def __init__(self, act):
        super().__init__()
        self.l1, self.l2, self.l3 = nn.Linear(3, 64), nn.Linear(64, 64), nn.Linear(64, 1)
        self.act = act

    def forward(self, x):
        return self.l3(self.act(self.l2(self.act(self.l1(x)))))


class Fn(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


PAIRS = {
    "sine(w0=30)": (lambda x: ta.functional.sine(x, 30.0), lambda x: torch.sin(30.0 * x)),
    "softplus(beta=100)": (lambda x: ta.functional.softplus(x, 100.0), lambda x: TF.softplus(x, 100.0)),
}


def transforms(model: nn.Module, x: torch.Tensor):
    params = {k: v.detach() for k, v in model.named_parameters()}

    def scalar(p):  # the network at one point
        return functional_call(model, params, (p,)).squeeze()

    def loss(ps):
        return functional_call(model, ps, (x,)).pow(2).mean()

    def third(p):  # d^3/dp0^3 of the network at one point, by nested grad
        def f0(t):
            return scalar(torch.stack([t, p[1], p[2]]))
        return grad(grad(grad(f0)))(p[0])

    def fwd_bwd():
        xr = x.detach().requires_grad_()
        model(xr).sum().backward()

    return {
        "eager fwd+bwd": fwd_bwd,
        "grad (params)": lambda: grad(loss)(params),
        "vmap(grad) per point": lambda: vmap(grad(scalar))(x),
        "vmap(jacfwd) per point": lambda: vmap(jacfwd(scalar))(x),
        "vmap(hessian) per point": lambda: vmap(hessian(scalar))(x[:64]),
        "vmap(third derivative)": lambda: vmap(third)(x[:64]),
    }


def timeit(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def transform_table(repeat):
    torch.manual_seed(0)
    x = torch.rand(256, 3) * 2 - 1
    rows = []
    for pair, (ours_f, torch_f) in PAIRS.items():
        torch.manual_seed(1)
        ours = Mlp(Fn(ours_f))
        theirs = Mlp(Fn(torch_f))
        theirs.load_state_dict(ours.state_dict())
        a, b = transforms(ours, x), transforms(theirs, x)
        for name in a:
            ta_t, to_t = [], []
            for _ in range(3):  # interleaved rounds
                ta_t.append(timeit(a[name], repeat))
                to_t.append(timeit(b[name], repeat))
            t_ours, t_torch = min(ta_t), min(to_t)
            rows.append({"activation": pair, "transform": name, "ours_ms": 1e3 * t_ours,
                         "torch_ms": 1e3 * t_torch, "torch_over_ours": t_torch / t_ours})
            print(f"{pair:20s} {name:26s} ours {1e3 * t_ours:8.3f} ms  torch {1e3 * t_torch:8.3f} ms  "
                  f"torch/ours {t_torch / t_ours:5.2f}", flush=True)
    return rows


def ensemble_table(repeat, n_models=8):
    rows = []
    x = torch.randn(64, 32)
    for act_name, make in (("PReLU", lambda: ta.PReLU(64)), ("ParametricSoftplus", lambda: ta.ParametricSoftplus(64))):
        torch.manual_seed(0)
        models = [nn.Sequential(nn.Linear(32, 64), make(), nn.Linear(64, 64), make(), nn.Linear(64, 10))
                  for _ in range(n_models)]
        params, buffers = stack_module_state(models)
        base = models[0]

        def one(p, b, xx):
            return functional_call(base, (p, b), (xx,))

        def vmapped():
            out = vmap(one, in_dims=(0, 0, None))(params, buffers, x)
            out.sum().backward()

        def loop():
            out = torch.stack([m(x) for m in models])
            out.sum().backward()

        with torch.no_grad():
            ref = torch.stack([m(x) for m in models])
            torch.testing.assert_close(vmap(one, in_dims=(0, 0, None))(params, buffers, x), ref)
        tv, tl = [], []
        for _ in range(3):
            tv.append(timeit(vmapped, repeat))
            tl.append(timeit(loop, repeat))
        t_v, t_l = min(tv), min(tl)
        rows.append({"activation": act_name, "models": n_models, "vmap_ms": 1e3 * t_v, "loop_ms": 1e3 * t_l,
                     "loop_over_vmap": t_l / t_v})
        print(f"ensemble of {n_models} ({act_name}): vmap {1e3 * t_v:.3f} ms, loop {1e3 * t_l:.3f} ms, "
              f"loop/vmap {t_l / t_v:.2f}", flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(_HERE, "results"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t_rows = transform_table(args.repeat)
    e_rows = ensemble_table(args.repeat)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = os.path.join(args.out, f"{stamp}_transforms_cpu")
    meta = {"torch": torch.__version__, "threads": args.threads, "repeat": args.repeat,
            "command": "python benchmarks/transforms.py " + " ".join(sys.argv[1:])}
    with open(base + ".json", "w") as f:
        json.dump({"meta": meta, "transforms": t_rows, "ensembles": e_rows}, f, indent=1)
    lines = [f"# torch.func transforms: ours vs torch ({stamp})", "",
             f"`{meta['command']}`, torch {meta['torch']}, {args.threads} thread(s); median of {args.repeat}, "
             "best of 3 interleaved rounds. MLP 3-64-64-1, 256 points (hessian and third derivative: 64).", "",
             "| activation | transform | ours (ms) | torch (ms) | torch / ours |", "|---|---|---|---|---|"]
    for r in t_rows:
        lines.append(f"| {r['activation']} | {r['transform']} | {r['ours_ms']:.3f} | {r['torch_ms']:.3f} | "
                     f"{r['torch_over_ours']:.2f} |")
    lines += ["", "Ensembles (fwd+bwd, MLP 32-64-64-10, batch 64):", "",
              "| activation | models | vmap (ms) | loop (ms) | loop / vmap |", "|---|---|---|---|---|"]
    for r in e_rows:
        lines.append(f"| {r['activation']} | {r['models']} | {r['vmap_ms']:.3f} | {r['loop_ms']:.3f} | "
                     f"{r['loop_over_vmap']:.2f} |")
    with open(base + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", base + ".md")


if __name__ == "__main__":
    main()
