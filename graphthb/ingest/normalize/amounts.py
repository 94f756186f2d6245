"""Claimed ages (:func:`age`) and prices with their currency (:func:`price`)."""

from __future__ import annotations

import math
import re
from typing import Any

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def age(raw: Any) -> int | None:
    """The age an ad claims, 10 to 99, from ``23``, ``"23 y.o."``, ``23.0``.

    Claimed ages under 18 are kept on purpose: an ad that says 16 is exactly
    what an analyst must see. Below 10 or above 99 is not an age (a typo, a
    price, a phone number) and gives None, as does text with two numbers
    (``"23-25"``).
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        n = raw
    elif isinstance(raw, float):
        if not math.isfinite(raw) or not raw.is_integer():
            return None
        n = int(raw)
    elif isinstance(raw, str):
        if len(raw) > 40:
            return None
        numbers = _NUMBER.findall(raw)
        if len(numbers) != 1:
            return None
        whole, _, fraction = numbers[0].replace(",", ".").partition(".")
        if fraction.strip("0"):
            return None
        n = int(whole)
    else:
        return None
    return n if 10 <= n <= 99 else None


CURRENCIES = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "евро": "EUR", "євро": "EUR",
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "us$": "USD",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "chf": "CHF", "zł": "PLN", "zl": "PLN", "pln": "PLN", "lei": "RON", "ron": "RON",
    "kč": "CZK", "kc": "CZK", "czk": "CZK", "ft": "HUF", "huf": "HUF", "грн": "UAH",
    "uah": "UAH", "₴": "UAH", "₽": "RUB", "руб": "RUB", "rub": "RUB", "лв": "BGN",
    "bgn": "BGN", "sek": "SEK", "nok": "NOK", "dkk": "DKK", "isk": "ISK", "₺": "TRY",
    "try": "TRY", "tl": "TRY", "mdl": "MDL", "rsd": "RSD", "din": "RSD", "bam": "BAM",
    "mkd": "MKD", "cad": "CAD", "aud": "AUD", "₿": "BTC", "btc": "BTC", "eth": "ETH",
    "usdt": "USDT", "usdc": "USDC",
}  # fmt: skip
_CURRENCY_TOKEN = re.compile(
    r"[€$£₴₽₺₿]|\b(?:"
    + "|".join(sorted((re.escape(k) for k in CURRENCIES if k[0].isalpha()), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"\d{1,3}(?:[ \u00a0,.'’]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d+)?")
_DURATION_AFTER = re.compile(
    r"\s*(?:h|hr|hrs|hour|hours|min|mins|minutes|std|stunde|stunden|ч|час|godz|óra|ora|ore|uur|"
    r"heure|heures|hora|horas)\b",
    re.IGNORECASE,
)


# What no price in an ad looks like, and what a reading would only get wrong:
# a minus sign before the amount ("-100" is not 100), an exponent ("1e308
# USD" is not 308), a list or object ("[1,2]" is not 1).
_UNREADABLE_PRICE = re.compile(r"(?:^|[(€$£:=]\s*)[-−]\s*\d|\d[eE][-+]?\d|[\[\]{}]")


def _amount(token: str) -> float:
    text = re.sub(r"[ \u00a0'’]", "", token)
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in text or "." in text:
        sep = "," if "," in text else "."
        head, *rest = text.split(sep)
        if len(rest) > 1 or (len(rest[0]) == 3 and head != "0"):
            text = head + "".join(rest)  # thousands: 1.500 / 1,500
        else:
            text = f"{head}.{rest[0]}"
    return float(text)


def price(raw: Any) -> tuple[float, str | None] | None:
    """(amount, ISO 4217 code or None) from ``150 EUR``, ``€150``, ``1.500,00 Kč``, ``150/h``.

    The amount next to a currency wins; otherwise the first number that is not
    a duration (``1h 150`` gives 150). ``1.500`` and ``1,500`` are thousands,
    ``150,50`` is a decimal. ``kr`` is left without a code (SEK, NOK or DKK).
    What cannot be read as one amount gives None, to be kept as written: a
    negative amount, an exponent (``1e308``), a list (``[1,2]``).
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return (float(raw), None) if math.isfinite(raw) and raw >= 0 else None
    if not isinstance(raw, str) or len(raw) > 200:
        return None
    text = raw.strip()
    if _UNREADABLE_PRICE.search(text):
        return None  # kept as written (unparsed) rather than read as another amount
    amounts = [m for m in _AMOUNT.finditer(text) if not _DURATION_AFTER.match(text, m.end())]
    if not amounts:
        return None
    currency_match = _CURRENCY_TOKEN.search(text)
    chosen = amounts[0]
    currency = None
    if currency_match is not None:
        currency = CURRENCIES[currency_match.group(0).lower()]
        chosen = min(
            amounts,
            key=lambda m: min(
                abs(m.start() - currency_match.end()), abs(currency_match.start() - m.end())
            ),
        )
    try:
        amount = _amount(chosen.group(0))
    except ValueError:
        return None
    return (amount, currency) if math.isfinite(amount) else None
