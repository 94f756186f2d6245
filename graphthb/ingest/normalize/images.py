"""Perceptual image hashes (:func:`image_hash`)."""

from __future__ import annotations

import re
from typing import Any

_HEX16 = re.compile(r"[0-9a-f]{16}")


def image_hash(raw: Any) -> str | None:
    """A 64-bit perceptual hash as 16 lower-case hex digits (``0x`` prefix allowed)."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower()
    if text.startswith("0x"):
        text = text[2:]
    return text if _HEX16.fullmatch(text) else None
