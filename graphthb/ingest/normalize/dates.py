"""ISO 8601 and day-month-year dates and date-times (:func:`iso_datetime`,
:func:`date_order`, :func:`local_datetime`)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

# Already normal: seconds, no fractions, UTC written "Z" or no offset at all.
_PLAIN_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z?")


def iso_datetime(raw: Any) -> str | None:
    """An ISO 8601 date (``2025-05-12``) or date-time, normalised; None otherwise.

    Date-times come back as ``YYYY-MM-DDTHH:MM:SS`` (with ``.ffffff`` when
    there are fractions). A date-time with an offset is converted to UTC and
    written with ``Z``; one without an offset stays as it was (local time of
    whoever wrote it). Non-ISO spellings such as ``12.05.2025`` are refused.
    """
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, date):
        return raw.isoformat()
    elif isinstance(raw, str):
        text = raw.strip()
        # Scrapers write one spelling, already the normal form: check it is a
        # real moment and hand it back, instead of parsing it twice.
        if _PLAIN_DATETIME.fullmatch(text):
            try:
                datetime.fromisoformat(text[:19])
            except ValueError:
                return None
            return text
        if not 8 <= len(text) <= 40 or not text[:4].isdigit():
            return None
        if text[-1] in "zZ":
            text = text[:-1] + "+00:00"
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    spec = "microseconds" if moment.microsecond else "seconds"
    if moment.tzinfo is None:
        return moment.isoformat(timespec=spec)
    try:
        utc = moment.astimezone(UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return None
    return utc.isoformat(timespec=spec) + "Z"


# Dates as people write them: day, month and year as numbers, in an order the
# writer's country decides. Which order a file uses is decided for the whole
# file (graphthb.ingest.readers), never value by value: 03/09/2025 is March or
# September depending on who wrote it, and nothing in the value itself says.
_LOCAL_DATE = re.compile(
    r"(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\.?"
    r"(?:(?:\s+|\s*,\s*|T)(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?"
)
_YEAR_FIRST = re.compile(
    r"(\d{4})([./])(\d{1,2})\2(\d{1,2})"
    r"(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


def date_order(raw: Any) -> str | None:
    """What a day-month-year date tells of its file's order, or None if it is not one.

    ``"day"`` when only day-first reads it (``13/09/2025``, or dots, which only
    day-first countries write: ``03.09.2025``), ``"month"`` when only
    month-first does (``09/13/2025``), ``"either"`` when both do
    (``03/09/2025``) and ``"neither"`` when no order does (``13/13/2025``).

    >>> date_order("13/09/2025"), date_order("3.9.2025"), date_order("3/9/2025")
    ('day', 'day', 'either')
    """
    if not isinstance(raw, str):
        return None
    m = _LOCAL_DATE.fullmatch(raw.strip())
    if m is None:
        return None
    first, sep, second = int(m.group(1)), m.group(2), int(m.group(3))
    if not (1 <= first <= 31 and 1 <= second <= 31) or (first > 12 and second > 12):
        return "neither"
    if first > 12:
        return "day"
    if second > 12:
        return "month"
    return "day" if sep == "." else "either"


def local_datetime(raw: Any, dayfirst: bool) -> str | None:
    """A day-month-year date (or date-time) in the given order, as ISO 8601; None otherwise.

    Takes ``03.09.2025``, ``3/9/2025``, ``03-09-25``, ``3.9.2025 14:05``,
    ``9/3/2025 2:05 PM`` (two-digit years as POSIX reads them: 69-99 are
    19xx), and year-first ``2025/09/03``, whose order is never in doubt. The
    result has the same form as :func:`iso_datetime`'s, without an offset.

    >>> local_datetime("03.09.2025 14:05", True), local_datetime("9/3/2025", False)
    ('2025-09-03T14:05:00', '2025-09-03')
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    m = _LOCAL_DATE.fullmatch(text)
    meridiem = None
    if m is not None:
        first, second, year_text = m.group(1), m.group(3), m.group(4)
        day, month = (first, second) if dayfirst else (second, first)
        year = int(year_text)
        if len(year_text) == 2:
            year += 1900 if year >= 69 else 2000
        hour, minute, second_text, meridiem = m.group(5, 6, 7, 8)
    else:
        m = _YEAR_FIRST.fullmatch(text)
        if m is None:
            return None
        year, month, day = int(m.group(1)), m.group(3), m.group(4)
        hour, minute, second_text = m.group(5, 6, 7)
    try:
        day_value = date(year, int(month), int(day))
        if hour is None:
            return day_value.isoformat()
        h = int(hour)
        if meridiem is not None:
            if not 1 <= h <= 12:
                return None
            h = h % 12 + (12 if meridiem in "Pp" else 0)
        moment = datetime(year, int(month), int(day), h, int(minute), int(second_text or 0))
    except ValueError:
        return None
    return moment.isoformat(timespec="seconds")
