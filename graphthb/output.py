"""Rows to text: an aligned table for people, JSON for scripts, CSV for spreadsheets.

CSV output is what an analyst opens in a spreadsheet, and scraped text is
hostile: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is a formula to Excel and LibreOffice (``=HYPERLINK(...)`` leaks, ``=cmd|``
runs). Such text cells get a leading ``'``, which spreadsheets show as text and
hide, unless the text is only digits and number punctuation (a phone number).
Numbers are written as numbers. JSON keeps every value exactly.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import textwrap
from collections.abc import Sequence
from typing import Any

__all__ = ["FORMATS", "render", "plain", "terminal_width", "wrap"]

FORMATS = ("table", "json", "csv")


def plain(value: Any) -> Any:
    """A value as JSON can carry it: graph nodes and relationships become maps."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    # neo4j.graph.Node / Relationship behave as mappings of their properties.
    items = getattr(value, "items", None)
    if callable(items):
        return {str(k): plain(v) for k, v in items()}
    return str(value)


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Digits and number punctuation only (a phone such as +31612345678): a spreadsheet
# may compute it but cannot call anything with it, so it stays exact.
_JUST_A_NUMBER = re.compile(r"[+-]?[0-9][0-9 ().-]*")


def _spreadsheet_cell(value: Any) -> str:
    """A CSV cell no spreadsheet runs as a formula (see the module docstring)."""
    text = _cell(value)
    if isinstance(plain(value), (bool, int, float)) or _JUST_A_NUMBER.fullmatch(text):
        return text
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_line(cells: list[str]) -> str:
    """One CSV row. Written with a CRLF terminator so that the csv module quotes a
    cell holding a lone CR as well as one holding LF; rows are then joined by LF."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(cells)
    return buf.getvalue()[:-2]


def terminal_width() -> int:
    """Columns to fit text into: the terminal's, else ``COLUMNS``, else 100."""
    return max(40, shutil.get_terminal_size((100, 24)).columns)


def render(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str,
    *,
    width: int = 60,
    max_width: int | None = None,
) -> str:
    """Format rows as ``table``, ``json`` (an array of objects) or ``csv``.

    A table's cells are cut at ``width`` characters, and the widest columns
    are narrowed further until each line fits in ``max_width``; a cut cell
    ends in "…". JSON and CSV always carry full values.
    """
    if fmt == "json":
        objects = [{c: plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        return json.dumps(objects, ensure_ascii=False, indent=2)
    if fmt == "csv":
        lines = [_csv_line(list(columns))]
        lines.extend(_csv_line([_spreadsheet_cell(v) for v in row]) for row in rows)
        return "\n".join(lines)
    cells = [[_clip(_cell(v), width) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    if max_width is not None:
        widths = _fit(widths, [len(c) for c in columns], max_width)
        cells = [[_clip(v, w) for v, w in zip(row, widths, strict=True)] for row in cells]
    head = [_clip(c, w) for c, w in zip(columns, widths, strict=True)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _fit(widths: list[int], headers: list[int], max_width: int) -> list[int]:
    """Narrow the widest columns, one character at a time, until the table fits.

    A column keeps at least its header's width (up to 12) or 4 characters,
    so that what is left is still readable; a table of many columns in a
    narrow terminal may still be wider than it.
    """
    widths = list(widths)
    floor = [max(4, min(h, 12)) for h in headers]
    gaps = 2 * (len(widths) - 1)
    while sum(widths) + gaps > max_width:
        widest = max(range(len(widths)), key=lambda i: widths[i] - floor[i])
        if widths[widest] <= floor[widest]:
            break
        widths[widest] -= 1
    return widths


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def wrap(text: str, width: int) -> str:
    """Each line of ``text`` wrapped to ``width``, continuations indented under it."""
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")) + 4)
        out.extend(
            textwrap.wrap(
                line,
                width,
                subsequent_indent=indent,
                break_long_words=True,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)
