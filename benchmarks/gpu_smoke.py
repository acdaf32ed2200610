#!/usr/bin/env python
"""One op per family on CUDA against the same op on CPU (benchmarks/gpu_check.sh, stage 3).

    python benchmarks/gpu_smoke.py

Each check runs on its own (a failure is printed and the next runs) and prints
the largest |cuda - cpu| / max(|cpu|, 1) of the output and of every gradient.
Float32 checks pass below 1e-5, bfloat16 below 1e-2 (one rounding of a float32
result).  Exits 1 if a check fails, 0 without CUDA (prints why).
"""

from __future__ import annotations

import os
import sys
import traceback

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, _ROOT)

import torch  # noqa: E402


def rel(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a.detach().double().cpu(), b.detach().double().cpu()
    if a.shape != b.shape:
        return float("inf")
    if a.numel() == 0:
        return 0.0
    return float(((a - b).abs() / b.abs().clamp_min(1.0)).max())


def fwd_bwd(fn, tensors, device):
    """fn(*tensors moved to device) and the gradients of every floating input."""
    ts = [t.detach().to(device).requires_grad_(t.is_floating_point()) for t in tensors]
    y = fn(*ts)
    # the same random grad_output on both devices
    g = torch.randn(y.shape, generator=torch.Generator().manual_seed(0)).to(y.dtype).to(device)
    diff = [t for t in ts if t.requires_grad]
    grads = torch.autograd.grad(y, diff, g)
    return [y] + list(grads)


DEVICE = "cuda"


def compare(name, fn, tensors, tol):
    cpu = fwd_bwd(fn, tensors, "cpu")
    cuda = fwd_bwd(fn, tensors, DEVICE)
    if DEVICE == "cuda":
        torch.cuda.synchronize()
    errs = [rel(c, r) for c, r in zip(cuda, cpu)]
    ok = all(e <= tol for e in errs)
    labels = ["out"] + [f"grad{i}" for i in range(len(errs) - 1)]
    print(f"{'ok  ' if ok else 'FAIL'} {name:<34} max rel err " +
          ", ".join(f"{lab} {e:.2e}" for lab, e in zip(labels, errs)) + f"  (tol {tol:g})", flush=True)
    return ok


def main(argv) -> int:
    global DEVICE
    if "--dry-run" in argv:  # rehearsal without CUDA: every code path, CPU against CPU
        DEVICE = "cpu"
        print("gpu_smoke: --dry-run: CPU against CPU (code paths only)")
    elif not torch.cuda.is_available():
        print("gpu_smoke: torch.cuda.is_available() is False: skipped")
        return 0
    import torch_activations as ta  # noqa: F401  (loads the library)
    from torch_activations import functional as F

    print(f"gpu_smoke: {torch.cuda.get_device_name() if DEVICE == 'cuda' else 'cpu'}, torch {torch.__version__}, "
          f"library {ta._library.library_path() if hasattr(ta, '_library') else '?'}", flush=True)
    torch.manual_seed(0)
    x = torch.randn(1 << 20) * 3
    checks = [
        ("mish float32 fwd+bwd", lambda t: F.mish(t), [x], 1e-5),
        ("mish bfloat16 fwd+bwd", lambda t: F.mish(t), [x.bfloat16()], 1e-2),
        ("gelu tanh float32 fwd+bwd", lambda t: F.gelu(t, approximate="tanh"), [x], 1e-5),
        ("swiglu [256, 1024] float32", lambda t: F.swiglu(t), [torch.randn(256, 1024)], 1e-5),
        ("geglu [256, 1024] bfloat16", lambda t: F.geglu(t), [torch.randn(256, 1024).bfloat16()], 1e-2),
        ("softmax [64, 1000] dim=-1 float32", lambda t: F.softmax(t, -1), [torch.randn(64, 1000)], 1e-5),
        ("softmax [8, 300, 5] dim=1 float32", lambda t: F.softmax(t, 1), [torch.randn(8, 300, 5)], 1e-5),
        ("prelu [8,16,32] + weight grad", lambda t, w: F.prelu(t, w),
         [torch.randn(8, 16, 32), torch.rand(16) * 0.5], 1e-5),
        ("lut [4096] + table grad", lambda t, tab: F.lut(t, tab, -1.0, 1.0),
         [torch.rand(4096) * 2.4 - 1.2, torch.randn(33)], 1e-5),
    ]
    failed = 0
    for name, fn, tensors, tol in checks:
        try:
            failed += not compare(name, fn, tensors, tol)
        except Exception:  # noqa: BLE001
            failed += 1
            print(f"FAIL {name}: exception\n" + traceback.format_exc(limit=3), flush=True)

    # rrelu training: random slopes, so properties rather than a CPU comparison.
    try:
        lo, hi = 0.1, 0.3
        xc = torch.randn(1 << 20, device=DEVICE, requires_grad=True)
        torch.manual_seed(1)
        y = F.rrelu(xc, lo, hi, training=True)
        torch.manual_seed(1)
        y2 = F.rrelu(xc.detach(), lo, hi, training=True)
        (gx,) = torch.autograd.grad(y, xc, torch.ones_like(y))
        neg = xc.detach() <= 0
        slope = (y.detach()[neg] / xc.detach()[neg])
        ok = (bool(torch.equal(y.detach()[~neg], xc.detach()[~neg])) and
              float(slope.min()) >= lo - 1e-6 and float(slope.max()) <= hi + 1e-6 and
              bool(torch.equal(y.detach(), y2)) and
              float((gx[neg] - slope).abs().max()) < 1e-6 and float(slope.std()) > 0.03)
        print(f"{'ok  ' if ok else 'FAIL'} rrelu training [2^20] float32       slopes in "
              f"[{float(slope.min()):.4f}, {float(slope.max()):.4f}] mean {float(slope.mean()):.4f} "
              f"(expect {(lo + hi) / 2:.2f}), reproducible under manual_seed: {bool(torch.equal(y.detach(), y2))}",
              flush=True)
        failed += not ok
    except Exception:  # noqa: BLE001
        failed += 1
        print("FAIL rrelu training: exception\n" + traceback.format_exc(limit=3), flush=True)
    print(f"gpu_smoke: {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
