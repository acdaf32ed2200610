"""Plots of activations and their derivatives, and the gallery (needs matplotlib).

Curves are computed from the operator itself: f by the op, f' and f'' by
autograd through its C++ backward (:func:`torch_activations.analysis.derivatives`).
Elementwise activations get one panel per order (f, f', f''), with one curve
per parameter combination (as the source article overlays PReLU and ELU slopes);
ops over a dimension (softmax, the GLU family) get 3-D surfaces of their first
output over a two-element input ``[a, b]`` and its two partial derivatives.

Figures are drawn with :class:`matplotlib.figure.Figure` (the Agg canvas, no
pyplot state), so this works headless.
"""

from __future__ import annotations

import html
import math
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from .analysis import derivatives, elementwise_fn, elementwise_or_reason, param_sets, surface_fn
from .registry import ActivationInfo, get_info
from .report import progress

__all__ = ["plot_activation", "overlay_values", "gallery", "GalleryEntry"]

_ORDER_LABELS = ("f(x)", "f'(x)", "f''(x)")
_SURFACE_LABELS = ("y0(a, b)", "∂y0/∂a", "∂y0/∂b")


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _label(params: Dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()) or "defaults"


def _curves(fig, info: ActivationInfo, sets: List[Dict[str, Any]], order: int,
            xlim: Tuple[float, float], points: int) -> None:
    x = torch.linspace(xlim[0], xlim[1], points, dtype=torch.float64)
    axes = fig.subplots(1, order + 1, squeeze=False)[0]
    for params in sets:
        fn = elementwise_fn(info, params)
        if fn is None:
            raise ValueError(f"{info.name} is not an elementwise function at {params}")
        for ax, values in zip(axes, derivatives(fn, x, order)):
            ax.plot(x.numpy(), values.numpy(), label=_label(params), linewidth=1.6)
    for ax, label in zip(axes, _ORDER_LABELS):
        ax.set_title(label)
        ax.set_xlabel("x")
        ax.axhline(0.0, color="0.6", linewidth=0.6)
        ax.axvline(0.0, color="0.6", linewidth=0.6)
        ax.grid(alpha=0.3)
        ax.set_xlim(*xlim)
    if len(sets) > 1 or sets[0]:
        axes[0].legend(fontsize="small")


def _surfaces(fig, info: ActivationInfo, sets: List[Dict[str, Any]], xlim: Tuple[float, float],
              points: int) -> None:
    n = max(2, min(points, 81))
    grid = torch.linspace(xlim[0], xlim[1], n, dtype=torch.float64)
    a, b = torch.meshgrid(grid, grid, indexing="ij")
    for row, params in enumerate(sets):
        fn = surface_fn(info, params)
        a_, b_ = a.clone().requires_grad_(True), b.clone().requires_grad_(True)
        y = fn(a_, b_)
        da, db = torch.autograd.grad(y.sum(), (a_, b_), allow_unused=True, materialize_grads=True)
        for col, (z, label) in enumerate(zip((y.detach(), da, db), _SURFACE_LABELS)):
            ax = fig.add_subplot(len(sets), 3, 3 * row + col + 1, projection="3d")
            ax.plot_surface(a.numpy(), b.numpy(), z.numpy(), cmap="viridis", linewidth=0, antialiased=True)
            ax.set_xlabel("a")
            ax.set_ylabel("b")
            ax.set_title(f"{label}  [{_label(params)}]" if len(sets) > 1 or params else label, fontsize="small")


def plot_activation(name: str, values: Optional[Dict[str, List[Any]]] = None, out: str = "activation.png",
                    order: int = 1, xlim: Tuple[float, float] = (-6.0, 6.0), points: int = 2001) -> str:
    """Draws activation ``name`` and its derivatives up to ``order`` (1 or 2)
    into ``out`` (PNG, SVG or PDF by extension); ``values`` maps parameter
    names to lists of values, and every combination is overlaid.  Ops that are
    not elementwise (category "dim") are drawn as surfaces over two inputs.
    Returns ``out``."""
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order}")
    info = get_info(name)
    sets = param_sets(values or {})
    fn, why = elementwise_or_reason(info, sets[0])
    if fn is None and info.category != "dim":
        raise ValueError(f"cannot plot {info.name}: {why}")
    if fn is None:
        fig = _figure(13.5, 4.2 * len(sets))
        _surfaces(fig, info, sets, xlim, points)
    else:
        fig = _figure(4.6 * (order + 1), 3.8)
        _curves(fig, info, sets, order, xlim, points)
    what = ": first output for the input [a, b] along its dimension" if fn is None else ""
    fig.suptitle(f"{info.title} ({info.name}){what}", fontweight="bold")
    folder = os.path.dirname(os.path.abspath(out))
    os.makedirs(folder, exist_ok=True)
    fig.savefig(out)
    return out


def overlay_values(info: ActivationInfo) -> Dict[str, List[Any]]:
    """The gallery's overlay: the first float parameter at half, one and two
    times its default (e.g. ELU's alpha 0.5, 1, 2); no overlay when there is
    no such parameter."""
    for p in info.ctor_params:
        if isinstance(p.default, float) and not isinstance(p.default, bool) and p.default != 0.0 \
                and math.isfinite(p.default):
            return {p.name: [p.default * s for s in (0.5, 1.0, 2.0)]}
    return {}


@dataclass
class GalleryEntry:
    """One activation in the gallery: its image (None when it could not be
    drawn, with the reason in ``error``)."""

    info: ActivationInfo
    image: Optional[str]
    overlay: Dict[str, List[Any]]
    error: str = ""


def _draw_entry(info: ActivationInfo, out_dir: str, order: int, overlay: bool) -> GalleryEntry:
    image = f"{info.name}.png"
    tries = [overlay_values(info)] if overlay else []
    tries.append({})
    error = ""
    for values in tries:
        try:
            plot_activation(info.name, values, os.path.join(out_dir, image), order=order)
            return GalleryEntry(info, image, values)
        except Exception as e:  # noqa: BLE001 - recorded in the index instead of stopping the gallery
            error = f"{type(e).__name__}: {e}".splitlines()[0]
    return GalleryEntry(info, None, {}, error)


def _index_md(entries: Sequence[GalleryEntry]) -> str:
    lines = ["# Activation gallery", "",
             "Each plot shows the function and its derivatives, computed from the operator "
             "(derivatives by autograd through its backward). Generated by "
             "`python -m torch_activations gallery`.", ""]
    for e in entries:
        i = e.info
        lines += [f"## {i.name} — {i.title}", "", f"$$ {i.formula} $$", ""]
        if e.image:
            lines += [f"![{i.name}]({e.image})", ""]
        else:
            lines += [f"_No plot: {e.error}_", ""]
        params = ", ".join(f"`{p.name}`" if p.required else f"`{p.name}={p.default!r}`" for p in i.ctor_params) or "none"
        lines += [f"Parameters: {params}. Torch peer: {f'`{i.torch_peer}`' if i.torch_peer else 'none'}. "
                  f"Use: {i.use_case}", ""]
    return "\n".join(lines)


_HTML_HEAD = """<!doctype html>
<html><head><meta charset="utf-8"><title>torch_activations gallery</title>
<script>window.MathJax = {tex: {inlineMath: [['\\\\(', '\\\\)']]}};</script>
<script async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>
<style>
body { font-family: sans-serif; margin: 2em; }
.card { border: 1px solid #ccc; border-radius: 6px; padding: 1em; margin-bottom: 1.5em; }
.card img { max-width: 100%; }
.meta { color: #444; font-size: 90%; }
.tex { font-family: monospace; }
nav a { margin-right: 0.6em; }
</style></head><body>
<h1>Activation gallery</h1>
<p>Each plot shows the function and its derivatives, computed from the operator
(derivatives by autograd through its backward). Formulas render with MathJax when online.</p>
"""


def _index_html(entries: Sequence[GalleryEntry]) -> str:
    esc = html.escape
    parts = [_HTML_HEAD, "<nav>" + "\n".join(f'<a href="#{esc(e.info.name)}">{esc(e.info.name)}</a>'
                                             for e in entries) + "</nav>"]
    for e in entries:
        i = e.info
        body = (f'<img src="{esc(e.image)}" alt="{esc(i.name)}">' if e.image
                else f"<p><em>No plot: {esc(e.error)}</em></p>")
        params = ", ".join(p.name if p.required else f"{p.name}={p.default!r}" for p in i.ctor_params) or "none"
        parts.append(
            f'<div class="card" id="{esc(i.name)}"><h2>{esc(i.name)} — {esc(i.title)}</h2>'
            f'<p class="tex">\\({esc(i.formula)}\\)</p>{body}'
            f'<p class="meta">Category: {esc(i.category)}. Parameters: {esc(params)}. '
            f"Torch peer: {esc(i.torch_peer or 'none')}. Use: {esc(i.use_case)}</p></div>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def gallery(out_dir: str, infos: Optional[Sequence[ActivationInfo]] = None, order: int = 1,
            overlay: bool = True, verbose: bool = True) -> List[GalleryEntry]:
    """Writes one plot per activation (default: every registry entry) into
    ``out_dir`` with ``index.html`` and ``index.md`` linking them with their
    formulas; entries that cannot be drawn are listed with the reason."""
    from .registry import list_activations

    infos = list(infos) if infos is not None else list_activations()
    os.makedirs(out_dir, exist_ok=True)
    entries = [_draw_entry(info, out_dir, order, overlay)
               for info in progress(infos, lambda i: f"plot {i.name}", enabled=verbose)]
    with open(os.path.join(out_dir, "index.md"), "w", encoding="utf-8") as f:
        f.write(_index_md(entries))
    with open(os.path.join(out_dir, "index.html"), "w", encoding="utf-8") as f:
        f.write(_index_html(entries))
    return entries
