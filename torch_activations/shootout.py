"""Selection shoot-out: the same small network trained with each activation.

The data set is scikit-learn's handwritten digits (``load_digits``: 1797 8x8
images shipped inside the package, no download), split 80/20 stratified with
a fixed seed, pixels scaled to [0, 1].  The network is an MLP
``64 -> H -> act -> H -> act -> 10`` (H = 128 by default) trained with Adam
(lr 1e-3, minibatches of 64, cross-entropy) for a few epochs; for each seed
the initial weights and the batch order are the same for every activation
whose output keeps the width.  An activation that changes the width (GLU
halves it, CReLU doubles it) is followed by a linear layer sized to its
output, found by a probe.

Reported per activation: test accuracy (mean and spread over seeds), the
final epoch's mean training loss, and wall-clock time per epoch (training
only, one torch thread by default).  It is the measured version of the source
articles' selection advice; on a data set this small, differences under about
one point of accuracy are noise.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

from .analysis import module_fn, torch_threads
from .registry import ActivationInfo, get_info
from .report import Column, fmt_number, progress

__all__ = ["ShootoutResult", "load_digits", "build_mlp", "train_once", "run_shootout", "COLUMNS"]

DATA_SEED = 0


@dataclass
class ShootoutResult:
    """One activation's outcome over the seeds (None fields: it was skipped,
    with the reason in ``error``)."""

    name: str
    accuracy: Optional[float] = None
    accuracy_std: Optional[float] = None
    train_loss: Optional[float] = None
    epoch_ms: Optional[float] = None
    seeds: int = 0
    epochs: int = 0
    error: str = ""

    def as_dict(self) -> Dict[str, Any]:
        """Plain dictionary (for JSON and tables)."""
        return asdict(self)


def load_digits(seed: int = DATA_SEED) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """``(x_train, y_train, x_test, y_test)`` from scikit-learn's digits,
    float32 pixels in [0, 1], an 80/20 stratified split."""
    try:
        from sklearn.datasets import load_digits as _load  # type: ignore[import-untyped]
        from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("the shoot-out needs scikit-learn: pip install scikit-learn") from e
    data = _load()
    x_tr, x_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=0.2,
                                              random_state=seed, stratify=data.target)
    as_x = lambda a: torch.tensor(a, dtype=torch.float32) / 16.0  # noqa: E731
    as_y = lambda a: torch.tensor(a, dtype=torch.long)  # noqa: E731
    return as_x(x_tr), as_y(y_tr), as_x(x_te), as_y(y_te)


def _activation(info: ActivationInfo) -> nn.Module:
    """A fresh float32 module of the activation with its registry defaults."""
    mod = module_fn(info, dtype=torch.float32)
    return mod.train()


def build_mlp(info: ActivationInfo, inputs: int = 64, hidden: int = 128, classes: int = 10) -> nn.Sequential:
    """``inputs -> hidden -> act -> hidden -> act -> classes``; each layer after
    an activation takes the width the activation actually outputs."""
    layers: List[nn.Module] = []
    width = inputs
    for _ in range(2):
        layers.append(nn.Linear(width, hidden))
        act = _activation(info)
        with torch.no_grad():
            width = act(torch.zeros(2, hidden)).shape[1]
        layers.append(act)
    layers.append(nn.Linear(width, classes))
    return nn.Sequential(*layers)


def train_once(info: ActivationInfo, data: Tuple[Tensor, Tensor, Tensor, Tensor], epochs: int, seed: int,
               batch_size: int = 64, lr: float = 1e-3, hidden: int = 128) -> Tuple[float, float, float]:
    """Trains one network; returns (test accuracy, last epoch's mean training
    loss, seconds per epoch)."""
    x_tr, y_tr, x_te, y_te = data
    torch.manual_seed(seed)
    model = build_mlp(info, x_tr.shape[1], hidden, int(y_tr.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        total, batches = 0.0, 0
        for idx in torch.randperm(len(x_tr), generator=order).split(batch_size):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_tr[idx]), y_tr[idx])
            loss.backward()
            opt.step()
            total += loss.item()
            batches += 1
    per_epoch = (time.perf_counter() - start) / max(epochs, 1)
    model.eval()
    with torch.no_grad():
        accuracy = (model(x_te).argmax(1) == y_te).float().mean().item()
    return accuracy, total / max(batches, 1), per_epoch


def run_shootout(names: Sequence[str], epochs: int = 15, seeds: Sequence[int] = (0, 1, 2),
                 batch_size: int = 64, lr: float = 1e-3, hidden: int = 128, threads: Optional[int] = 1,
                 verbose: bool = True) -> List[ShootoutResult]:
    """Trains the MLP with each activation in ``names`` for every seed and
    returns the results sorted by mean test accuracy (skipped ones last).
    ``threads``: torch threads while training (default 1: these matrices are
    too small to gain from more, and a busy core would stall every step)."""
    data = load_digits()
    results = []
    for name in progress(names, lambda n: f"train with {n}", enabled=verbose):
        info = get_info(name)
        res = ShootoutResult(info.name, seeds=len(seeds), epochs=epochs)
        try:
            with torch_threads(threads):
                runs = [train_once(info, data, epochs, s, batch_size, lr, hidden) for s in seeds]
        except Exception as e:  # noqa: BLE001 - reported in the table; the other activations still run
            res.error = f"{type(e).__name__}: {e}".splitlines()[0]
            results.append(res)
            continue
        accs = [r[0] for r in runs]
        res.accuracy = statistics.fmean(accs)
        res.accuracy_std = statistics.stdev(accs) if len(accs) > 1 else 0.0
        res.train_loss = statistics.fmean(r[1] for r in runs)
        res.epoch_ms = 1e3 * statistics.fmean(r[2] for r in runs)
        results.append(res)
    results.sort(key=lambda r: (r.accuracy is None, -(r.accuracy or 0.0), r.name))
    return results


def _pct(v: Optional[float]) -> str:
    return "–" if v is None else f"{100.0 * v:.2f}"


COLUMNS = [
    Column("name", "activation", str),
    Column("accuracy", "test accuracy (%)", _pct),
    Column("accuracy_std", "± (std over seeds)", _pct),
    Column("train_loss", "final train loss", lambda v: fmt_number(v, 3)),
    Column("epoch_ms", "ms / epoch", lambda v: fmt_number(v, 3)),
    Column("error", "note", str),
]
