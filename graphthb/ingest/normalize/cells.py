"""The values of a multi-valued column (:func:`split_multi`)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

_MULTI_SEPARATORS = re.compile(r"[;\r\n]+")


def split_multi(value: Any) -> list[str]:
    """The values of a multi-valued column: a JSON list, or text separated by ``;``.

    Newlines separate values too (analysts paste lists into one cell). Blank
    values are dropped; a number becomes its digits (``3.1612345678e10`` from a
    spreadsheet gives ``"31612345678"``).

    >>> split_multi("a; b ;;c"), split_multi('["x", " y "]'), split_multi(None)
    (['a', 'b', 'c'], ['x', 'y'], [])
    """
    if type(value) is str:  # the common case first: one value, or none, in a CSV cell
        text = value.strip()
        if not text:
            return []
        if not text.startswith("[") and ";" not in text and "\n" not in text and "\r" not in text:
            return [text]
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return []
        return [str(int(value)) if value.is_integer() else repr(value)]
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for item in value:
            if isinstance(item, str):
                if item.strip():
                    out.append(item.strip())
            else:
                out.extend(split_multi(item))
        return out
    if not isinstance(value, str):
        return []
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return split_multi(parsed)
    return [part.strip() for part in _MULTI_SEPARATORS.split(text) if part.strip()]
