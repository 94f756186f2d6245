"""Phone numbers to E.164 (:func:`phone`), and the parse caches every reader shares."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from graphthb.ingest import numbering
from graphthb.ingest.normalize.countries import country

_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)
# Letters that stand in for digits when an ad hides a number from scrapers.
# phonenumbers would read letters as a vanity number (O -> 6 on a keypad),
# which is never what these ads mean.
LOOKALIKE_DIGITS = str.maketrans(
    {"O": "0", "o": "0", "О": "0", "о": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8",
     "Z": "2"}
)  # fmt: skip
_KEYCAP_MARKS = str.maketrans("", "", "\ufe0f\u20e3")
_PHONE_LABEL = re.compile(
    r"^(?:tel|phone|ph|mob|mobile|cell|handy|gsm|tél|тел|call)\s*[.:]*\s*", re.IGNORECASE
)
_PHONE_CHARS = re.compile(r"\+?[\d\s().\-/–]+")
_NOT_DIGIT = re.compile(r"\D+")


def _region(region: Any) -> str | None:
    if not isinstance(region, str) or not region:
        return None
    code = region.strip().upper()
    if code in _REGIONS:
        return code
    code = country(region) or ""
    return code if code in _REGIONS else None


@lru_cache(maxsize=200_000)
def valid_number(text: str, region: str | None) -> tuple[str, int] | None:
    """(E.164, count of national significant digits) if phonenumbers calls ``text`` valid.

    ``text`` is ``+`` and digits (``region`` None) or a national number's
    digits. Parsing is the dearest step of ingest, and a number turns up in
    columns, in ad text and in links files, spelled the same or with other
    punctuation: every reader comes here with the bare digits, so each number
    is parsed once per region. :mod:`numbering` answers from phonenumbers'
    metadata several times faster; the library itself decides only what that
    module leaves undecided.
    """
    found = numbering.valid_number(text, region)
    if found is numbering.UNDECIDED:
        return library_valid_number(text, region)
    return found


def library_valid_number(text: str, region: str | None) -> tuple[str, int] | None:
    """:func:`valid_number` as phonenumbers' own parse and validation answer it."""
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return (
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        len(phonenumbers.national_significant_number(number)),
    )


@lru_cache(maxsize=100_000)
def parse_digits(digits: str, international: bool, region: str | None) -> str | None:
    """E.164 for a bare digit string, or None unless phonenumbers calls it valid.

    ``international`` means the digits followed a ``+``; a leading ``00`` means
    the same. Otherwise the digits are a national number of ``region``.
    """
    if not international and digits.startswith("00"):
        digits, international = digits[2:], True
    if not 4 <= len(digits) <= 17:
        return None
    if international:
        found = valid_number("+" + digits, None)
    elif region is None:
        return None
    else:
        found = valid_number(digits, region)
    return found[0] if found else None


def phone_region(e164: str) -> str | None:
    """The region a valid E.164 number belongs to (``NL``), for the Phone node.

    Most calling codes belong to one region, read from the code alone; a
    shared one (+1, +44, +7 ...) needs the whole number parsed, which
    :mod:`numbering` does from the metadata as phonenumbers would.
    """
    if e164.startswith("+") and e164[1:].isdigit():
        # Calling codes are prefix-free: the first one to match is the code.
        for size in (1, 2, 3):
            regions = phonenumbers.region_codes_for_country_code(int(e164[1 : 1 + size]))
            if regions:
                if len(regions) == 1:
                    return regions[0] or None
                break
    found = numbering.region_of(e164)
    if found is numbering.UNDECIDED:
        return library_phone_region(e164)
    return found


def library_phone_region(e164: str) -> str | None:
    """The region phonenumbers' own parse and region lookup give ``e164``."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or None
    except NumberParseException:
        return None


def phone(raw: Any, region: str | None = None) -> str | None:
    """E.164 form of a phone number as written, using ``region`` for national numbers.

    Accepts ``+``, ``00`` and national forms with spaces, dots, dashes, slashes
    and parentheses, ``tel:`` links, fullwidth and keycap digits, and the
    letters ads use for digits (``O6 I2 34 S6 78``). Only numbers that
    phonenumbers judges valid come back.

    >>> phone("06 12 34 56 78", "NL"), phone("0049 30 12345678")
    ('+31612345678', '+493012345678')
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 64:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_KEYCAP_MARKS)
    text = _PHONE_LABEL.sub("", text).translate(LOOKALIKE_DIGITS).strip()
    if not _PHONE_CHARS.fullmatch(text):
        return None
    return parse_digits(_NOT_DIGIT.sub("", text), text.startswith("+"), _region(region))
