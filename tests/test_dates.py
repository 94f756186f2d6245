"""Day-month-year dates: what one value tells of its file's order, and reading it in an order."""

from __future__ import annotations

import pytest

from graphthb.ingest.normalize import date_order, iso_datetime, local_datetime


@pytest.mark.parametrize(
    ("raw", "order"),
    [
        ("13/09/2025", "day"),
        ("03.09.2025", "day"),
        ("3.9.25", "day"),
        ("09/13/2025", "month"),
        ("3/9/2025", "either"),
        ("03-09-2025 14:05", "either"),
        ("13/13/2025", "neither"),
        ("00/09/2025", "neither"),
        ("2025-09-03", None),
        ("2025/09/03", None),
        ("1.2.3", None),
        ("03.09.2025 abc", None),
        (20250903, None),
    ],
)
def test_date_order(raw: object, order: str | None) -> None:
    assert date_order(raw) == order


@pytest.mark.parametrize(
    ("raw", "dayfirst", "iso"),
    [
        ("03.09.2025", True, "2025-09-03"),
        ("3/9/2025", False, "2025-03-09"),
        ("03-09-25", True, "2025-09-03"),
        ("03-09-99", True, "1999-09-03"),
        ("3.9.2025 14:05", True, "2025-09-03T14:05:00"),
        ("03.09.2025, 14.05", True, "2025-09-03T14:05:00"),
        ("9/3/2025 2:05 PM", False, "2025-09-03T14:05:00"),
        ("9/3/2025 12:30 am", False, "2025-09-03T00:30:00"),
        ("03/09/2025 14:05:30", True, "2025-09-03T14:05:30"),
        ("2025/09/03", False, "2025-09-03"),
        ("2025.09.03 08:00", True, "2025-09-03T08:00:00"),
        ("31.02.2025", True, None),
        ("09/13/2025", True, None),
        ("13/09/2025", False, None),
        ("9/3/2025 13:05 PM", False, None),
        ("03.09.2025 25:00", True, None),
        ("yesterday", True, None),
        (None, True, None),
    ],
)
def test_local_datetime(raw: object, dayfirst: bool, iso: str | None) -> None:
    assert local_datetime(raw, dayfirst) == iso
    if iso is not None:
        # The result is a normal form: the ISO reader hands it back unchanged.
        assert iso_datetime(iso) == iso
