"""Rendering of tables (markdown, CSV, JSON) and progress lines for the CLI.

A table is a list of row dictionaries and a list of :class:`Column`; markdown
and CSV show each cell through the column's formatter, JSON keeps the raw
values (with ``inf``/``nan`` made portable: JSON has no infinity).
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Optional, Sequence

__all__ = ["Column", "render", "fmt_number", "fmt_share", "jsonable", "progress", "write_or_print", "FORMATS"]

FORMATS = ("markdown", "csv", "json")


def fmt_number(v: Optional[float], digits: int = 4) -> str:
    """A float for a table: ``inf``/``-inf``, ``–`` for a missing value,
    otherwise ``digits`` significant digits."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if isinstance(v, (int, float)):
        return f"{v:.{digits}g}"
    return str(v)


def fmt_share(v: Optional[float]) -> str:
    """A fraction in [0, 1] as a percentage (``–`` when missing)."""
    return "–" if v is None else f"{100.0 * v:.1f}%"


@dataclass(frozen=True)
class Column:
    """One column: the row key, its header, and how markdown/CSV show a value."""

    key: str
    header: str
    fmt: Callable[[Any], str] = fmt_number


def jsonable(v: Any) -> Any:
    """``v`` with non-finite floats replaced by the strings ``"inf"``/``"-inf"``
    (and NaN by ``None``), recursively, so any JSON parser reads it."""
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return v


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(rows: Sequence[Dict[str, Any]], columns: Sequence[Column], fmt: str = "markdown") -> str:
    """The table as ``markdown`` (GitHub style), ``csv`` or ``json`` (a list of
    objects holding every key of every row, not only the columns)."""
    if fmt == "json":
        return json.dumps(jsonable(list(rows)), indent=2)
    cells = [[c.fmt(r.get(c.key)) for c in columns] for r in rows]
    headers = [c.header for c in columns]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(headers)
        w.writerows(cells)
        return buf.getvalue()
    if fmt != "markdown":
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    lines = ["| " + " | ".join(_md_cell(h) for h in headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in cells]
    return "\n".join(lines) + "\n"


def progress(items: Iterable[Any], label: Callable[[Any], str], enabled: bool = True,
             stream=None) -> Iterable[Any]:
    """Yields ``items``, writing ``[i/n] label(item)`` to stderr before each."""
    items = list(items)
    stream = stream or sys.stderr
    for i, item in enumerate(items, 1):
        if enabled:
            print(f"[{i}/{len(items)}] {label(item)}", file=stream, flush=True)
        yield item


def write_or_print(text: str, out: Optional[str]) -> None:
    """Writes ``text`` to the file ``out``, or prints it when ``out`` is None."""
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text if text.endswith("\n") else text + "\n")
        print(f"wrote {out}", file=sys.stderr)
    else:
        print(text, end="" if text.endswith("\n") else "\n")

