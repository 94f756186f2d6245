"""The analyst's ignore list: identifiers never to link ads on, kept in the store.

A hotel desk number, a booking line or a platform's abuse address sits in the
ads of advertisers who share nothing else. `graphthb cluster` finds many such
lines itself (docs/analysis.md, "Generic identifiers"), but a small case may
hold one in only three ads, too few to tell. An analyst who has found one
generic in one case puts it on the list, and every later `cluster` of the
store sets it aside; `ignore export` and `ignore import` carry the list to the
next case.

Values are normalised exactly as a load normalises them (a phone written
without ``+`` takes the country given), so a listed number meets the number
found in ads. An entry records why (``reason``), who added it and when, and the
case it was found generic in (``found_in``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphthb.errors import InputError
from graphthb.schema import SCHEMA
from graphthb.store.base import IGNORE_COLUMNS, Store

__all__ = [
    "KINDS",
    "COLUMNS",
    "ImportReport",
    "normalise",
    "make_entry",
    "read_entries",
    "import_file",
    "read_run_file",
    "for_run",
]

#: The kinds an ad is linked on (graphthb.analysis.graph.IDENTIFIER_RELS): only
#: these can be set aside. Persons are an analyst's own assertions, never generic.
KINDS = ("Phone", "Email", "Handle", "Wallet", "Image", "Url", "Agency")
#: The columns of an exported list, and those an imported file may have.
COLUMNS = IGNORE_COLUMNS
_REQUIRED = ("kind", "value", "reason")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A reason is for a person to read; longer text is most likely a pasted ad.
MAX_REASON = 500


def normalise(kind_word: str, value: str, country: str | None = None) -> tuple[str, str]:
    """The (kind, key) a load would give ``value``, or an InputError saying why not.

    ``country`` is the hint a load takes from the ad's country: a phone written
    without ``+`` or ``00`` needs it.

    >>> normalise("phone", "0034 910 000 000"), normalise("phone", "910 00 00 00", "ES")
    (('Phone', '+34910000000'), ('Phone', '+34910000000'))
    """
    from graphthb.ingest import normalize as norm
    from graphthb.ingest.records import Reject, resolve

    kind = SCHEMA.kind_from_word(kind_word or "")
    if kind not in KINDS:
        allowed = ", ".join(k.lower() for k in KINDS)
        raise InputError(f"unknown kind {str(kind_word)[:40]!r} (use one of: {allowed})")
    value = (value or "").strip()
    if not value:
        raise InputError(f"no {kind.lower()} given")
    region = None
    if country:
        region = norm.country(country)
        if region is None:
            raise InputError(f"--country {country[:40]!r} is not a country (use a code such as ES)")
    if kind == "Phone":
        key = norm.phone(value, region)
        if key is None:
            hint = (
                ""
                if region or value.startswith(("+", "00"))
                else " (give --country for a national number)"
            )
            raise InputError(f"{value[:60]!r} is not a valid phone number{hint}")
        return kind, key
    if kind == "Handle":
        found = norm.handle(value, region)
        if found is None:
            raise InputError(
                f"{value[:60]!r} is not a handle: write service:name, e.g. telegram:@anna_vip"
            )
        return found
    try:
        kind, key, _ = resolve(kind, value, "ignored")
    except Reject:
        raise InputError(f"{value[:60]!r} is not a valid {kind.lower()}") from None
    return kind, key


def make_entry(
    kind_word: str,
    value: str,
    reason: str,
    *,
    country: str | None = None,
    added_by: str = "",
    found_in: str = "",
    added_at: str | None = None,
) -> dict[str, str]:
    """One ignore-list entry, its value normalised; an InputError when it cannot be."""
    kind, key = normalise(kind_word, value, country)
    reason = " ".join((reason or "").split())
    if not reason:
        raise InputError(
            "give a --reason: why this identifier says nothing about who is behind an ad"
        )
    if len(reason) > MAX_REASON:
        raise InputError(f"the reason is {len(reason)} characters; keep it under {MAX_REASON}")
    at = added_at or datetime.now(UTC).isoformat(timespec="seconds")
    return {
        "kind": kind,
        "value": key,
        "reason": reason,
        "added_by": added_by,
        "added_at": at,
        "found_in": found_in,
    }


@dataclass
class ImportReport:
    read: int = 0
    added: list[dict[str, str]] = field(default_factory=list)
    already: int = 0
    #: rejected rows: file line, the row's cells, and why
    rejects: list[dict[str, str]] = field(default_factory=list)


def _unquote(cell: str) -> str:
    """A cell as exported: graphthb's CSV puts ``'`` before text a spreadsheet would
    run as a formula (graphthb.output); reading it back takes that off."""
    if cell.startswith("'") and cell[1:2] and cell[1:].startswith(_FORMULA_START):
        return cell[1:]
    return cell


def read_entries(
    path: Path, *, country: str | None = None, added_by: str = "", found_in: str = ""
) -> ImportReport:
    """Entries of a CSV file with columns kind,value,reason (and optionally added_by,
    added_at, found_in, as ``ignore export`` writes them). Rows that cannot be used
    are in the report's ``rejects`` with their line and reason; nothing is stored."""
    try:
        text = Path(path).read_text("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save it as CSV (UTF-8)") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{path} is empty; write a header kind,value,reason") from None
    except csv.Error as exc:
        raise InputError(f"{path}: not CSV ({exc})") from None
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"{path}: the header has no {', '.join(missing)} column; write kind,value,reason"
        )
    report = ImportReport()
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            report.rejects.append({"line": str(reader.line_num), "problem": f"not CSV: {exc}"})
            break
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        report.read += 1
        row = {h: _unquote(c.strip()) for h, c in zip(header, cells, strict=False)}
        shown = {c: row.get(c, "") for c in _REQUIRED}
        if len(cells) > len(header):
            report.rejects.append(
                {
                    "line": str(line),
                    **shown,
                    "problem": f"{len(cells)} cells, header has {len(header)}",
                }
            )
            continue
        try:
            entry = make_entry(
                row.get("kind", ""),
                row.get("value", ""),
                row.get("reason", ""),
                country=country,
                added_by=row.get("added_by") or added_by,
                found_in=row.get("found_in") or found_in,
                added_at=row.get("added_at") or None,
            )
        except InputError as exc:
            report.rejects.append({"line": str(line), **shown, "problem": str(exc)})
            continue
        report.added.append(entry)
    return report


def import_file(store: Store, path: Path, **options: Any) -> ImportReport:
    """Read ``path`` (see :func:`read_entries`) and put its entries on ``store``'s list.

    ``added`` ends as the entries that were new; ``already`` counts those already
    listed (left as they were), so importing a file twice changes nothing.
    """
    report = read_entries(path, **options)
    wanted = report.added
    report.added = store.add_ignored(wanted) if wanted else []
    report.already = len(wanted) - len(report.added)
    return report


def reasons(entries: Iterable[dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {(e["kind"], e["value"]): e.get("reason") or "" for e in entries}


def read_run_file(path: Path) -> dict[tuple[str, str], str]:
    """The entries of a one-run ignore file (`cluster --ignore FILE`), as (kind, key)
    -> reason: a CSV as :func:`read_entries` reads, or lines of ``kind:value``
    (``#`` comments). Any bad line is an error: a one-run list that is half read
    would set aside less than the analyst meant."""
    try:
        text = Path(path).read_text("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"ignore file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"cannot read ignore file {path}: {exc.strerror}") from None
    lines = [line.strip() for line in text.splitlines()]
    first = next((line for line in lines if line and not line.startswith("#")), "")
    if {"kind", "value"} <= {c.strip().lower() for c in first.split(",")}:
        report = read_entries(path)
        if report.rejects:
            bad = report.rejects[0]
            raise InputError(f"{path}:{bad['line']}: {bad['problem']}")
        return reasons(report.added)
    out = {}
    for number, line in enumerate(lines, start=1):
        if not line or line.startswith("#"):
            continue
        kind, sep, value = line.partition(":")
        if not sep:
            raise InputError(f"{path}:{number}: write `kind:value`, e.g. phone:+31201234567")
        try:
            out[normalise(kind, value)] = f"listed in {Path(path).name}"
        except InputError as exc:
            raise InputError(f"{path}:{number}: {exc}") from None
    return out


def for_run(
    store: Store, extra: dict[tuple[str, str], str] | None = None
) -> dict[tuple[str, str], str]:
    """What one `cluster` run sets aside: the store's list plus ``extra`` (from
    :func:`read_run_file`), as (kind, key) -> reason; the store's reason wins."""
    return {**(extra or {}), **reasons(store.read_ignored())}
