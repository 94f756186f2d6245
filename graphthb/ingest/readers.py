"""Streaming readers for CSV, JSON Lines, JSON arrays and spreadsheets.

Every reader yields :class:`RawRow` objects one at a time, so memory stays flat
however long the file is (a spreadsheet is read whole: its reader gives no
other way). A row that cannot be parsed is yielded with an ``error`` instead
of being skipped, so the loader can reject it with its line number: nothing
read is silently lost.

Whatever can be known of a file before its first row is used is checked when
it is opened, so that a wrong file is refused before anything is written:
whether it is a regular file, its encoding, its columns against the mapping
(and, for records, whether any column says something about an ad), duplicate
columns, and the order its dates are written in.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import phonenumbers

from graphthb.errors import InputError
from graphthb.ingest import normalize as norm
from graphthb.ingest.records import LINK_COLUMNS, RECORD_COLUMNS

__all__ = [
    "DATE_COLUMNS",
    "RawRow",
    "ReadInfo",
    "check_mapping",
    "file_format",
    "parse_mapping",
    "read_rows",
]

_SAMPLE_BYTES = 64 * 1024
_CHUNK_BYTES = 1 << 20

# Some spreadsheets put whole ad texts in one cell.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
#: Columns holding dates, in records and in links files.
DATE_COLUMNS = ("collected_at", "posted_at", "observed_at")
# A records file must have one of these (after mapping) to say anything about
# an ad: a file of record_id and something else is another kind of file
# (truth.csv, a list of groups) and loading it would overwrite real ads.
_RECORD_CONTENT = frozenset(
    {"phones", "emails", "handles", "links", "wallets", "image_hashes", "url", "title", "text",
     "persona"}
)  # fmt: skip
# Columns of several values: duplicates of these are read together.
_MULTI_VALUED = frozenset({"phones", "emails", "handles", "links", "wallets", "image_hashes"})
_KNOWN = frozenset(RECORD_COLUMNS) | frozenset(LINK_COLUMNS)
_SERVICES = frozenset(norm.SERVICE_ALIASES.values())
# A column named after a messenger holds its handles. "line" and "session"
# are services too, but as column names they mean something else far more often.
_MESSENGER_COLUMNS = _SERVICES - {"line", "session"}
# How many rows are looked at for dates written day-month-year before the
# whole file is read for them (see _date_order).
_DATE_HEAD_ROWS = 1_000
# JSON objects whose keys are taken as a JSON file's columns, for the checks.
_JSON_HEAD_OBJECTS = 1_000
_LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB]|\\u[dD][c-fC-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(slots=True)
class RawRow:
    """One input row: its line number, its fields (lower-case names) or why it failed.

    A row that failed may still carry ``data``: what was read of it, for the
    rejects file.
    """

    line: int
    data: dict[str, Any] | None
    error: str | None = None


@dataclass
class ReadInfo:
    """What the reader found out about a file, for the checks and the load report."""

    path: Path
    format: str
    encoding: str = "utf-8"
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    #: The file's column names as written (for a JSON file, the keys of its
    #: first objects), in order.
    columns: list[str] = field(default_factory=list)
    sheet: str | None = None
    #: ``"day"`` or ``"month"`` when the file's dates are written day-month-year.
    date_order: str | None = None


def file_format(path: Path) -> str:
    """``csv``, ``jsonl``, ``json`` or ``sheet``, from the file's name."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".xz", ".zip"):
        raise InputError(f"{path}: compressed files are not read; decompress it first")
    ext = suffixes[-1] if suffixes else ""
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext == ".json":
        return "json"
    if ext in SPREADSHEET_SUFFIXES:
        return "sheet"
    if ext in (".csv", ".tsv", ".txt", ""):
        return "csv"
    raise InputError(
        f"{path}: unknown file type {ext!r}; use .csv, .tsv, .jsonl, .json, .xlsx or .ods"
    )


def _target(pair: str, ours: str) -> str:
    """``ours`` checked: a column graphthb knows, or ``handles:SERVICE``."""
    column, colon, service = ours.partition(":")
    if colon:
        canonical = norm.SERVICE_ALIASES.get(service.strip().replace(" ", ""))
        if column.strip() != "handles" or canonical is None:
            raise InputError(
                f"column mapping {pair!r}: {ours!r} is not a column role; use handles:SERVICE "
                f"with a service such as telegram, whatsapp, signal, instagram, snapchat, wechat"
            )
        return f"handles:{canonical}"
    if ours not in _KNOWN:
        raise InputError(
            f"column mapping {pair!r}: graphthb has no column {ours!r}; records columns are "
            f"{', '.join(RECORD_COLUMNS)}, links columns {', '.join(LINK_COLUMNS)} "
            f"(or handles:SERVICE)"
        )
    return ours


def parse_mapping(items: list[str] | None, path: Path | None = None) -> dict[str, str]:
    """Column renames from ``their=ours`` pairs and/or a file of such lines (or CSV pairs).

    ``ours`` is a records or links column, or ``handles:SERVICE`` for a column
    of one messenger's handles (``Telegram=handles:telegram``). An unknown
    ``ours`` is an error: a typo would otherwise load nothing into it, silently.
    """
    pairs: list[str] = []
    if path is not None:
        try:
            text = path.read_text("utf-8-sig")
        except OSError as exc:
            raise InputError(f"cannot read mapping file {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"mapping file {path} is not UTF-8 text") from None
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            pairs.append(line.replace(",", "=", 1) if "=" not in line else line)
    pairs.extend(items or [])
    mapping: dict[str, str] = {}
    for pair in pairs:
        theirs, sep, ours = pair.partition("=")
        if not sep or not theirs.strip() or not ours.strip():
            raise InputError(f"column mapping {pair!r} is not of the form their_name=our_name")
        mapping[theirs.strip().lower()] = _target(pair, ours.strip().lower())
    return mapping


def check_mapping(mapping: Mapping[str, str], infos: Sequence[ReadInfo]) -> None:
    """Raise :class:`InputError` for a mapped column that none of the files has."""
    if not mapping or not infos:
        return
    have = {c.strip().lower() for info in infos for c in info.columns}
    for theirs, ours in mapping.items():
        if theirs in have:
            continue
        where = "; ".join(
            f"{info.path.name}: {', '.join(info.columns) or '(none)'}" for info in infos
        )
        raise InputError(
            f"--map {theirs}={ours}: no file has a column {theirs!r} (columns found: {where}); "
            "check the spelling"
        )


def read_rows(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    *,
    kind: str | None = None,
    sheet: str | int | None = None,
    dayfirst: bool | None = None,
) -> tuple[ReadInfo, Iterator[RawRow]]:
    """Open ``path`` and return what was learned about it and an iterator of its rows.

    ``kind`` (``"records"`` or ``"links"``) turns on the checks of that kind's
    columns. ``sheet`` picks a spreadsheet's sheet by name or number (from 1;
    default the first; a text file has none and ignores it). ``dayfirst``
    says how the file writes day-month-year dates; when None the file's own
    dates must tell (see :func:`_date_order`).

    Raises :class:`InputError` at once when the file cannot be read at all or
    is not a file of that kind.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a folder, not a file")
    if not stat.S_ISREG(mode):
        # A pipe or a device would block or never end; a file has an end.
        raise InputError(f"{path}: not a regular file (a pipe or device); save it to a file first")
    fmt = file_format(path)
    mapping = dict(mapping or {})
    info = ReadInfo(path, fmt)
    if fmt == "sheet":
        grid, first_row = _open_sheet(path, info, sheet)
        header = [_cell(v) for v in grid[first_row]] if first_row < len(grid) else []
        while header and not header[-1].strip():
            header.pop()
        plan = _plan(path, _sheet_header(header), mapping)
        info.columns = list(plan.header)

        def make() -> Iterator[RawRow]:
            return _sheet_rows(grid, first_row, plan)

    else:
        try:
            with path.open("rb") as fh:
                head = fh.read(_SAMPLE_BYTES)
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        info.encoding = _detect_encoding(path, head)
        if info.encoding == "latin-1":
            info.notes.append("not valid UTF-8: read as Latin-1; check accented letters")
        elif info.encoding == "cp1252":
            info.notes.append(
                "not valid UTF-8: read as Windows-1252 (cp1252, Excel's CSV on Windows)"
            )
        elif info.encoding.startswith("utf-16"):
            info.notes.append("read as UTF-16")
        if fmt == "csv":
            header = _csv_header(path, info)
            plan = _plan(path, header, mapping)
            info.columns = list(header)

            def make() -> Iterator[RawRow]:
                return _csv_rows(path, info, plan)

        else:
            reader = _jsonl_rows if fmt == "jsonl" else _json_rows
            plans = _ObjectPlans(path, mapping)

            def make() -> Iterator[RawRow]:
                return reader(path, info, plans)

            head = make()
            try:
                for _ in itertools.islice(head, _JSON_HEAD_OBJECTS):
                    pass
            finally:
                head.close()  # type: ignore[attr-defined]
            info.columns = list(plans.keys)
            plan = _plan(path, info.columns, mapping, strict=False)
    info.notes.extend(plan.notes)
    if kind == "records":
        _check_record_columns(info, plan)
    elif kind == "links":
        _check_link_columns(info, plan)
    dates = [c for c in DATE_COLUMNS if c in plan.targets]
    info.date_order = _date_order(info, make, dates, dayfirst)
    rows = make()
    if info.date_order is not None:
        rows = _with_dates(rows, dates, info.date_order == "day")
    return info, rows


def _check_record_columns(info: ReadInfo, plan: _Plan) -> None:
    # An empty file has no columns to judge; it loads nothing, and says so.
    if not info.columns or plan.targets & _RECORD_CONTENT:
        return
    found = ", ".join(info.columns) if info.columns else "none"
    hint = (
        "load it with --links, it looks like a links file"
        if "relation" in plan.targets
        else "name yours with --map THEIRS=OURS, e.g. --map Telefon=phones"
    )
    raise InputError(
        f"{info.path.name} is not a records file: no column of phones, emails, handles, links, "
        f"wallets, image_hashes, url, title, text or persona (columns found: {found}); {hint}"
    )


_LINK_NEEDS = ("subject_kind", "subject", "relation", "object_kind", "object")


def _check_link_columns(info: ReadInfo, plan: _Plan) -> None:
    # Without these every row would be rejected for the same missing field,
    # row after row; one line saying which columns are missing is the answer.
    missing = [c for c in _LINK_NEEDS if c not in plan.targets]
    if not info.columns or not missing:
        return
    hint = (
        "load it without --links, it looks like a records file"
        if plan.targets & _RECORD_CONTENT and "relation" not in plan.targets
        else f"name yours with --map THEIRS=OURS, e.g. --map {info.columns[0]}={missing[0]}"
    )
    raise InputError(
        f"{info.path.name} is not a links file: no column {', '.join(missing)} "
        f"(columns found: {', '.join(info.columns)}); {hint}"
    )


# ---------------------------------------------------------------------------
# Columns: names, roles and duplicates


@dataclass
class _Plan:
    """How a file's columns become a row's fields."""

    header: list[str]
    names: list[str]
    #: Columns read together into one list: name -> [(position, service)].
    combine: dict[str, list[tuple[int, str | None]]]
    targets: frozenset[str]
    notes: list[str]
    #: Why a row with these columns cannot be used (JSON objects only).
    clash: str | None = None

    def row(self, values: Sequence[Any]) -> dict[str, Any]:
        row = dict(zip(self.names, values, strict=False))
        for name, columns in self.combine.items():
            merged: list[Any] = []
            for i, service in columns:
                if i >= len(values):
                    continue
                if name in _MULTI_VALUED:
                    for value in norm.split_multi(values[i]):
                        merged.append(_as_handle(value, service) if service else value)
                elif str(values[i]).strip():
                    merged.append(values[i])
            row[name] = merged or ""
        return row


def _as_handle(value: str, service: str) -> str:
    # A value that names its service or is a link says more than the column.
    if ":" in value or "/" in value:
        return value
    return f"{service}:{value}"


def _plan(
    path: Path, header: Sequence[str], mapping: Mapping[str, str], *, strict: bool = True
) -> _Plan:
    """The columns' names after ``mapping``, roles, and what to do with duplicates.

    Duplicates of a multi-valued column (two ``phones``, or ``Telefon`` mapped
    onto a file's own ``phones``) and of a column graphthb does not know are
    read together; two columns giving one single value of an ad (two
    ``title``) are refused, since either choice would lose the other silently.
    With ``strict`` False (JSON objects, whose keys differ from row to row)
    the refusal is left to the row.
    """
    names: list[str] = []
    services: list[str | None] = []
    for column in header:
        key = column.strip().lower()
        ours = mapping.get(key, key)
        if ours.startswith("handles:"):
            names.append("handles")
            services.append(ours.partition(":")[2])
        elif ours in _MESSENGER_COLUMNS:
            names.append("handles")
            services.append(ours)
        else:
            names.append(ours)
            services.append(None)
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        positions.setdefault(name, []).append(i)
    combine: dict[str, list[tuple[int, str | None]]] = {}
    notes: list[str] = []
    clash = None
    for name, where in positions.items():
        roles = [services[i] for i in where if services[i]]
        if len(where) == 1 and not roles:
            continue
        columns = ", ".join(repr(header[i].strip()) for i in where)
        if len(where) > 1 and name in _KNOWN and name not in _MULTI_VALUED:
            if strict:
                raise InputError(
                    f"{path.name}: columns {columns} all give {name}, which an ad has once; "
                    "keep one of them (rename the others in the file, or map them elsewhere)"
                )
            clash = f"keys {columns} all give {name}, which an ad has once"
            continue
        combine[name] = [(i, services[i]) for i in where]
        if roles:
            for i in where:
                if services[i]:
                    notes.append(f"column {header[i].strip()!r} read as {services[i]} handles")
        if len(where) > 1:
            notes.append(f"columns {columns} read together as {name}")
    return _Plan(list(header), names, combine, frozenset(names), notes, clash)


class _ObjectPlans:
    """Plans for JSON objects, one per set of keys (most files have one or two)."""

    def __init__(self, path: Path, mapping: Mapping[str, str]) -> None:
        self.path = path
        self.mapping = mapping
        self._plans: dict[tuple[str, ...], _Plan] = {}
        #: Every key seen so far, in the order first seen: the file's columns.
        self.keys: dict[str, None] = {}

    def row(self, line: int, obj: Any) -> RawRow:
        if not isinstance(obj, dict):
            return RawRow(line, None, f"expected a JSON object, found {type(obj).__name__}")
        keys = tuple(map(str, obj))
        plan = self._plans.get(keys)
        if plan is None:
            if len(self._plans) > 1_000:
                self._plans.clear()
            plan = self._plans[keys] = _plan(self.path, keys, self.mapping, strict=False)
            if len(self.keys) < 10_000:
                self.keys.update(dict.fromkeys(keys))
        if plan.clash is not None:
            return RawRow(line, obj, plan.clash)
        if not plan.combine:
            return RawRow(line, dict(zip(plan.names, obj.values(), strict=True)))
        return RawRow(line, plan.row(list(obj.values())))


# ---------------------------------------------------------------------------
# Dates written day-month-year


def _date_order(
    info: ReadInfo,
    make: Callable[[], Iterator[RawRow]],
    columns: list[str],
    dayfirst: bool | None,
) -> str | None:
    """``"day"`` or ``"month"`` for a file whose dates need it, else None.

    Given ``dayfirst``, that. Otherwise the file's own dates decide, all of
    them together: a day above 12 (``13/09/2025``) or dots (``03.09.2025``,
    only ever day-first) say day-first, a second number above 12 says
    month-first. A file with no such date, or with both, is refused: a date
    is never read one way in one row and the other way in the next.

    Only the first rows are looked at when none of them holds such a date
    (a file of ISO dates is not read twice); a day-month-year date further
    down is then rejected with its row, with the reason.
    """
    if dayfirst is not None:
        order = "day" if dayfirst else "month"
        info.notes.append(
            f"dates read {order}-first as asked (03/09/2025 = "
            f"{'3 September' if dayfirst else 'March 9'} 2025)"
        )
        return order
    if not columns:
        return None
    evidence: dict[str, tuple[int, str]] = {}
    rows = make()
    try:
        for count, raw in enumerate(rows):
            if raw.data is None:
                continue
            for column in columns:
                value = raw.data.get(column)
                if type(value) is not str or not value:
                    continue
                hint = norm.date_order(value)
                if hint is not None and hint != "neither":
                    evidence.setdefault(hint, (raw.line, value.strip()))
            if not evidence and count >= _DATE_HEAD_ROWS:
                return None
    finally:
        rows.close()  # type: ignore[attr-defined]
    if not evidence:
        return None
    name = info.path.name
    if "day" in evidence and "month" in evidence:
        (dl, dv), (ml, mv) = evidence["day"], evidence["month"]
        raise InputError(
            f"{name}: dates in both orders ({dv!r} on line {dl} is day-first, {mv!r} on line "
            f"{ml} month-first); say which the file uses with --dayfirst or --monthfirst, and "
            "rows in the other order are rejected"
        )
    for order in ("day", "month"):
        if order in evidence:
            line, value = evidence[order]
            info.notes.append(f"dates read {order}-first, as {value!r} on line {line} shows")
            return order
    line, value = evidence["either"]
    raise InputError(
        f"{name}: dates such as {value!r} (line {line}) may be day-first or month-first and no "
        "date in the file tells which; say which with --dayfirst or --monthfirst"
    )


def _with_dates(rows: Iterator[RawRow], columns: list[str], dayfirst: bool) -> Iterator[RawRow]:
    for raw in rows:
        data = raw.data
        if data is not None and raw.error is None:
            for column in columns:
                value = data.get(column)
                # ISO dates match neither of its forms and are left as they are.
                if type(value) is str and value:
                    data[column] = norm.local_datetime(value, dayfirst) or value
        yield raw


# ---------------------------------------------------------------------------
# Text files: encodings, CSV


_C1_BYTES = re.compile(rb"[\x80-\x9f]")
# The five bytes Windows-1252 leaves undefined.
_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def _detect_encoding(path: Path, head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _whole(path, "utf-16")
    # UTF-16 without a BOM still shows itself by NUL bytes next to ASCII.
    if head and head.count(0) > len(head) // 4:
        return _whole(path, "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be")
    if head.startswith(codecs.BOM_UTF8):
        return _whole(path, "utf-8-sig")
    try:
        return _decodes(path, "utf-8")
    except UnicodeDecodeError:
        return _eight_bit(path)


def _decodes(path: Path, encoding: str) -> str:
    """``encoding`` if the whole file decodes with it; raises UnicodeDecodeError if not.

    The whole file is checked, because one bad byte near the end would
    otherwise fail the load after half of it was written.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK_BYTES):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise UnicodeDecodeError(
                    exc.encoding, exc.object, offset + exc.start, offset + exc.end, exc.reason
                ) from None
            offset += len(chunk)
        decoder.decode(b"", final=True)
    return encoding


def _whole(path: Path, encoding: str) -> str:
    try:
        return _decodes(path, encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding == "utf-8-sig" else "UTF-16"
        raise InputError(
            f"{path}: marked as {name} but not valid {name} near byte {exc.start} "
            f"({exc.reason}); save it again as UTF-8"
        ) from None


def _eight_bit(path: Path) -> str:
    """``cp1252`` or ``latin-1`` for a file that is not UTF-8.

    The two differ only in bytes 0x80-0x9F: control codes nobody types in
    Latin-1, letters and signs in Windows-1252 (€ is 0x80, „ “ ” – — …).
    Such bytes mean Windows-1252 unless one of them is a byte it leaves
    undefined. Without any, both read the file alike; it is called Latin-1.
    """
    seen = False
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK_BYTES):
            if _NOT_CP1252.search(chunk):
                return "latin-1"
            seen = seen or _C1_BYTES.search(chunk) is not None
    return "cp1252" if seen else "latin-1"


def _open_text(path: Path, info: ReadInfo) -> io.TextIOWrapper:
    return path.open("r", encoding=info.encoding, newline="")


def _csv_header(path: Path, info: ReadInfo) -> list[str]:
    with _open_text(path, info) as fh:
        sample = fh.read(_SAMPLE_BYTES)
        if path.suffix.lower() == ".tsv":
            delimiter = "\t"
        else:
            delimiter = _delimiter(sample, whole=len(sample) < _SAMPLE_BYTES)
        info.delimiter = delimiter
        fh.seek(0)
        try:
            return next(csv.reader(fh, delimiter=delimiter))
        except StopIteration:
            return []
        except csv.Error as exc:
            raise InputError(f"{path}: unreadable header ({exc})") from None


#: The delimiters a spreadsheet program writes: Excel in much of Europe saves
#: "CSV" with semicolons, since there the comma is the decimal mark.
_DELIMITERS = (",", ";", "\t", "|")


def _delimiter(sample: str, *, whole: bool) -> str:
    """The delimiter that cuts the sample's rows into as many cells as its header.

    csv.Sniffer gives up on ordinary analyst files (a semicolon file whose ad
    text holds commas, an empty row of bare semicolons) and a comma guess then
    reads the whole header as one column. Here each candidate reads the first
    rows; it counts only if the header has two or more cells, and the one whose
    rows most often have the header's width wins (then the wider header).
    ``whole`` says the sample is the whole file; if not, its last line may be
    cut and is left out.
    """
    lines = sample.splitlines(keepends=True)
    if not whole and len(lines) > 1:
        lines = lines[:-1]
    lines = lines[:200]
    best: tuple[float, int] = (0.0, 0)
    chosen = ","
    for candidate in _DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=candidate))
        except csv.Error:
            continue
        rows = [row for row in rows if any(cell.strip() for cell in row)]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:] or rows
        fit = sum(1 for row in body if len(row) == width) / len(body)
        if (fit, width) > best:
            best, chosen = (fit, width), candidate
    return chosen


def _row_like(line: str, delimiter: str, width: int) -> bool:
    try:
        values = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    return len(values) == width and bool(values[0].strip())


def _swallowed(lines: list[str], delimiter: str, width: int) -> bool:
    """Whether a row spanning ``lines`` is one whose quote was never closed.

    An unbalanced quote makes the reader take every following line, up to the
    next quote in the file, as part of one value. Such lines are whole rows of
    the file, which the lines of an ad's text (a field legitimately quoted over
    several lines) almost never are: each would need exactly as many
    delimiters as the header, and a first field.
    """
    if width < 2:
        return False
    rest = lines[1:]
    like = sum(1 for line in rest if _row_like(line, delimiter, width))
    if like == len(rest):
        return width >= 3 or like >= 3
    return width >= 3 and like >= 2 and 2 * like >= len(rest)


def _csv_rows(path: Path, info: ReadInfo, plan: _Plan) -> Iterator[RawRow]:
    delimiter = info.delimiter or ","
    width = len(plan.names)
    fast = not plan.combine
    names = plan.names
    taken: list[str] = []  # the physical lines of the row being read

    def lines(source: Iterable[str]) -> Iterator[str]:
        for text in source:
            taken.append(text)
            yield text

    with _open_text(path, info) as fh:
        reader = csv.reader(lines(fh), delimiter=delimiter)
        try:
            next(reader)
        except (StopIteration, csv.Error):
            return
        line = len(taken) + 1
        while True:
            taken.clear()
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RawRow(line, {"raw": "".join(taken)}, f"malformed CSV ({exc})")
                line += len(taken)
                continue
            start, span = line, len(taken)
            if span > 1 and _swallowed(taken, delimiter, width):
                yield RawRow(
                    start,
                    {"raw": taken[0]},
                    f"a quote opened on this line is not closed where its row ends: the "
                    f"{span - 1} lines after it would have become part of one value; this row "
                    "is rejected and those lines are read as rows",
                )
                reader = csv.reader(lines(itertools.chain(taken[1:], fh)), delimiter=delimiter)
                line = start + 1
                continue
            line += span
            # A blank line, or a row of empty cells (most rows fail the first test).
            if not (values and (values[0].strip() or "".join(values).strip())):
                continue
            if len(values) > width:
                yield RawRow(
                    start,
                    {"raw": "".join(taken)},
                    f"row has {len(values)} fields, header has {width}",
                )
                continue
            yield RawRow(
                start, dict(zip(names, values, strict=False)) if fast else plan.row(values)
            )


# ---------------------------------------------------------------------------
# JSON


def _decode_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"malformed JSON ({exc.msg} at column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "malformed JSON (nested too deeply to read)"
    # int() refuses numbers of thousands of digits (CVE-2020-10735).
    return f"malformed JSON ({str(exc).splitlines()[0][:120]})"


def _surrogates(obj: Any) -> bool:
    if isinstance(obj, str):
        return _SURROGATE.search(obj) is not None
    if isinstance(obj, dict):
        return any(_surrogates(k) or _surrogates(v) for k, v in obj.items())
    if isinstance(obj, list):
        return any(_surrogates(v) for v in obj)
    return False


def _checked(line: int, text: str, obj: Any, plans: _ObjectPlans) -> RawRow:
    # A lone surrogate decodes but cannot be written anywhere (UTF-8 has no
    # form for it); it only comes from a \\u escape, so only those are searched.
    if "\\u" in text and _LONE_SURROGATE_ESCAPE.search(text) and _surrogates(obj):
        return RawRow(line, None, "malformed JSON (a \\u escape that is half of a character)")
    return plans.row(line, obj)


def _jsonl_rows(path: Path, info: ReadInfo, plans: _ObjectPlans) -> Iterator[RawRow]:
    with _open_text(path, info) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError) as exc:
                yield RawRow(number, None, _decode_error(exc))
                continue
            yield _checked(number, line, obj, plans)


def _json_rows(path: Path, info: ReadInfo, plans: _ObjectPlans) -> Iterator[RawRow]:
    """Objects of a top-level JSON array, decoded one at a time from a sliding buffer."""
    decoder = json.JSONDecoder()
    with _open_text(path, info) as fh:
        buf = fh.read(_CHUNK_BYTES)
        eof = not buf
        # Line numbers are counted incrementally: `line` is the line at `counted`.
        line, counted = 1, 0
        pos = _skip_ws(buf, 0)
        if pos >= len(buf) or buf[pos] != "[":
            raise InputError(
                f"{path}: a .json file must hold an array of objects; use .jsonl for one object a line"
            )
        pos += 1
        while True:
            pos = _skip_ws(buf, pos)
            if pos < len(buf) and buf[pos] == ",":
                pos = _skip_ws(buf, pos + 1)
            if pos < len(buf) and buf[pos] == "]":
                yield from _after_array(fh, buf, pos + 1, line + buf.count("\n", counted, pos))
                return
            if len(buf) - pos < _CHUNK_BYTES // 2 and not eof:
                line += buf.count("\n", counted, pos)
                more = fh.read(_CHUNK_BYTES)
                eof = not more
                buf, pos, counted = buf[pos:] + more, 0, 0
                continue
            line += buf.count("\n", counted, pos)
            counted = pos
            try:
                obj, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                if not eof:
                    more = fh.read(_CHUNK_BYTES)
                    eof = not more
                    buf, pos, counted = buf[pos:] + more, 0, 0
                    continue
                if pos >= len(buf):
                    msg = "malformed JSON (the array is not closed)"
                else:
                    msg = f"malformed JSON ({exc.msg}); the rest of the file cannot be read"
                yield RawRow(line, None, msg)
                return
            except (ValueError, RecursionError) as exc:
                # Well-formed but unreadable (too deep, too many digits): its
                # end is found by its brackets, and the array goes on after it.
                end = _value_end(buf, pos)
                if end is None and not eof:
                    more = fh.read(_CHUNK_BYTES)
                    eof = not more
                    buf, pos, counted = buf[pos:] + more, 0, 0
                    continue
                if end is None:
                    yield RawRow(line, None, f"{_decode_error(exc)}; the rest cannot be read")
                    return
                yield RawRow(line, None, _decode_error(exc))
                pos = end
                continue
            yield _checked(line, buf[pos:end], obj, plans)
            pos = end


_JSON_TOKEN = re.compile(r'["\[\]{},]')
_JSON_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def _value_end(buf: str, pos: int) -> int | None:
    """Where the well-formed JSON value at ``pos`` ends, or None if not in ``buf``."""
    depth = 0
    i = pos
    while True:
        m = _JSON_TOKEN.search(buf, i)
        if m is None:
            return None
        token, i = m.group(), m.end()
        if token == '"':
            rest = _JSON_STRING_REST.match(buf, i)
            if rest is None:
                return None
            i = rest.end()
        elif token in "[{":
            depth += 1
        elif token in "]}" and depth > 1:
            depth -= 1
        elif token in "]}" and depth == 1:
            return i
        elif depth == 0:  # a scalar ends at the "," or "]" after it
            return m.start()


def _after_array(fh: io.TextIOBase, buf: str, pos: int, line: int) -> Iterator[RawRow]:
    """A reject for anything but white space after the array's closing bracket."""
    while True:
        rest = _skip_ws(buf, pos)
        if rest < len(buf):
            line += buf.count("\n", pos, rest)
            yield RawRow(
                line,
                {"raw": buf[rest : rest + 200]},
                "content after the end of the JSON array is not read",
            )
            return
        line += buf.count("\n", pos, rest)
        buf, pos = fh.read(_CHUNK_BYTES), 0
        if not buf:
            return


def _skip_ws(buf: str, pos: int) -> int:
    while pos < len(buf) and buf[pos] in " \t\r\n":
        pos += 1
    return pos


# ---------------------------------------------------------------------------
# Spreadsheets


def _open_sheet(path: Path, info: ReadInfo, sheet: str | int | None) -> tuple[list[list[Any]], int]:
    """The chosen sheet's cells (from A1) and the index of its header row."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise InputError(
            "reading spreadsheets needs python-calamine: pip install python-calamine"
        ) from None
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
    except Exception as exc:  # calamine's errors have no common base but Exception
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        raise InputError(f"{path}: cannot read it as a spreadsheet ({first})") from None
    if not names:
        raise InputError(f"{path}: the spreadsheet has no sheet")
    chosen = _choose_sheet(path, names, sheet)
    try:
        grid = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except Exception as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        raise InputError(f"{path}: cannot read sheet {chosen!r} ({first})") from None
    info.sheet = chosen
    number = names.index(chosen) + 1
    info.notes.append(f"sheet {chosen!r} read ({number} of {len(names)})")
    first_row = next(
        (i for i, row in enumerate(grid) if any(_cell(v).strip() for v in row)), len(grid)
    )
    return grid, first_row


def _choose_sheet(path: Path, names: list[str], sheet: str | int | None) -> str:
    if sheet is None:
        return names[0]
    text = str(sheet).strip()
    if text in names:
        return text
    folded = [n for n in names if n.casefold() == text.casefold()]
    if folded:
        return folded[0]
    if text.isdigit() and 1 <= int(text) <= len(names):
        return names[int(text) - 1]
    listed = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names, start=1))
    raise InputError(f"{path.name} has no sheet {text!r}; its sheets are {listed}")


def _cell(value: Any) -> str:
    """A spreadsheet cell as the text an analyst sees in it.

    Cells come typed: a phone number typed as a number is a float
    (31612345678.0) and must read as its digits; dates read as ISO 8601.
    """
    kind = type(value)
    if kind is str:
        return value
    if kind is float:
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return "" if value is None else str(value)


def _sheet_header(cells: list[str]) -> list[str]:
    # A column with no name still holds values; it is named by its letter.
    return [c if c.strip() else f"column {_letters(i)}" for i, c in enumerate(cells)]


def _letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _typed_phone(digits: str, country: str) -> str:
    """A phone the spreadsheet holds as a number, as the text to read it from.

    Excel stores a typed ``+31612345678`` as the number 31612345678 and a
    typed ``0612345678`` as 612345678: the ``+`` or the leading 0 is gone. The
    digits are international when they start with the row's country code and
    make a valid number that way (without a country: when only that way).
    """
    international = "+" + digits
    if norm.phone(international) is None:
        return digits
    region = norm.country(country) if country else None
    if region is None:
        return international if norm.phone(digits) is None else digits
    code = str(phonenumbers.country_code_for_region(region))
    return international if digits.startswith(code) else digits


def _sheet_rows(grid: list[list[Any]], first_row: int, plan: _Plan) -> Iterator[RawRow]:
    width = len(plan.header)
    fast = not plan.combine
    names = plan.names
    phones = [i for i, n in enumerate(names) if n == "phones"]
    country = names.index("country") if "country" in names else None
    for index in range(first_row + 1, len(grid)):
        cells = grid[index]
        values = [_cell(v) for v in cells]
        for i in phones:
            if type(cells[i]) in (float, int) and values[i].isdigit():
                values[i] = _typed_phone(values[i], values[country] if country is not None else "")
        if not "".join(values).strip():
            continue
        line = index + 1  # the spreadsheet's own row number
        if any(v.strip() for v in values[width:]):
            yield RawRow(
                line,
                {"raw": values},
                f"row has values beyond the header's {width} columns",
            )
            continue
        values = values[:width]
        yield RawRow(line, dict(zip(names, values, strict=False)) if fast else plan.row(values))
