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
from collections.abc import Sequence
from typing import Any

__all__ = ["FORMATS", "render", "plain"]

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


def render(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, *, width: int = 60
) -> str:
    """Format rows as ``table``, ``json`` (an array of objects) or ``csv``."""
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
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
