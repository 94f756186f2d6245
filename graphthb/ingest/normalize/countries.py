"""Country names, codes and flags to ISO 3166-1 alpha-2 (:func:`country`)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from graphthb.ingest.countries import parse_table

_DROP_IN_NAMES = str.maketrans("", "", ".'’ʼ`´")
_SPACE_IN_NAMES = re.compile(r"[\s,;:()\[\]/\\_\-–—]+")


def _fold_name(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a country name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.translate(_DROP_IN_NAMES).replace("&", " and ")
    folded = " ".join(_SPACE_IN_NAMES.sub(" ", plain).split())
    return folded[4:] if folded.startswith("the ") else folded


def _country_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for alpha2, alpha3, names in parse_table():
        for spelling in (alpha2, alpha3, *names):
            keys.setdefault(_fold_name(spelling), alpha2)
    return keys


_COUNTRY_KEYS = _country_keys()
_REGIONAL_A = 0x1F1E6  # flag emoji are two "regional indicator" letters


def country(raw: Any) -> str | None:
    """ISO 3166-1 alpha-2 code for a code, an English or native name, or a flag emoji.

    >>> country("Nederland"), country("UKR"), country("Czech Republic"), country("uk")
    ('NL', 'UA', 'CZ', 'GB')
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 120:
        return None
    if len(text) == 2 and all(_REGIONAL_A <= ord(c) < _REGIONAL_A + 26 for c in text):
        text = "".join(chr(ord(c) - _REGIONAL_A + ord("A")) for c in text)
    return _COUNTRY_KEYS.get(_fold_name(text))
