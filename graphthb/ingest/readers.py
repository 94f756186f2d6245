"""Streaming readers for CSV, JSON Lines and JSON arrays.

Every reader yields :class:`RawRow` objects one at a time, so memory stays flat
however long the file is. A row that cannot be parsed is yielded with an
``error`` instead of being skipped, so the loader can reject it with its line
number: nothing read is silently lost.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphthb.errors import InputError

__all__ = ["RawRow", "ReadInfo", "read_rows", "parse_mapping", "file_format"]

_SAMPLE_BYTES = 64 * 1024
_CHUNK_BYTES = 1 << 20

# Some spreadsheets put whole ad texts in one cell.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(slots=True)
class RawRow:
    """One input row: its line number, its fields (lower-case names) or why it failed."""

    line: int
    data: dict[str, Any] | None
    error: str | None = None


@dataclass
class ReadInfo:
    """What the reader found out about a file, for the load report."""

    path: Path
    format: str
    encoding: str = "utf-8"
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def file_format(path: Path) -> str:
    """``csv``, ``jsonl`` or ``json``, from the file's name."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".xz"):
        raise InputError(f"{path}: compressed files are not read; decompress it first")
    ext = suffixes[-1] if suffixes else ""
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext == ".json":
        return "json"
    if ext in (".csv", ".tsv", ".txt", ""):
        return "csv"
    raise InputError(f"{path}: unknown file type {ext!r}; use .csv, .tsv, .jsonl or .json")


def parse_mapping(items: list[str] | None, path: Path | None = None) -> dict[str, str]:
    """Column renames from ``their=ours`` pairs and/or a file of such lines (or CSV pairs)."""
    pairs: list[str] = []
    if path is not None:
        try:
            text = path.read_text("utf-8-sig")
        except OSError as exc:
            raise InputError(f"cannot read mapping file {path}: {exc.strerror}") from None
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
        mapping[theirs.strip().lower()] = ours.strip().lower()
    return mapping


def read_rows(
    path: Path, mapping: Mapping[str, str] | None = None
) -> tuple[ReadInfo, Iterator[RawRow]]:
    """Open ``path`` and return what was learned about it and an iterator of its rows.

    Raises :class:`InputError` at once when the file cannot be read at all.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    fmt = file_format(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(_SAMPLE_BYTES)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    info = ReadInfo(path, fmt, encoding=_detect_encoding(path, head))
    if info.encoding == "latin-1":
        info.notes.append("not valid UTF-8: read as Latin-1; check accented letters")
    mapping = dict(mapping or {})
    if fmt == "csv":
        return info, _csv_rows(path, info, mapping)
    if fmt == "jsonl":
        return info, _jsonl_rows(path, info, mapping)
    return info, _json_rows(path, info, mapping)


def _detect_encoding(path: Path, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 without a BOM still shows itself by NUL bytes next to ASCII.
    if head and head.count(0) > len(head) // 4:
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    # The whole file is checked, because one bad byte near the end would otherwise
    # fail the load after half of it was written.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def _open_text(path: Path, info: ReadInfo) -> io.TextIOWrapper:
    return path.open("r", encoding=info.encoding, newline="")


def _rename(name: str, mapping: Mapping[str, str]) -> str:
    key = name.strip().lower()
    return mapping.get(key, key)


def _csv_rows(path: Path, info: ReadInfo, mapping: dict[str, str]) -> Iterator[RawRow]:
    with _open_text(path, info) as fh:
        sample = fh.read(_SAMPLE_BYTES)
        fh.seek(0)
        if path.suffix.lower() == ".tsv":
            delimiter = "\t"
        else:
            try:
                delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
            except csv.Error:
                delimiter = ","
        info.delimiter = delimiter
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{path}: unreadable header ({exc})") from None
        names = [_rename(h, mapping) for h in header]
        while True:
            start = reader.line_num + 1  # a quoted cell may span lines: report the first
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RawRow(start, None, f"malformed CSV ({exc})")
                continue
            # A blank line, or a row of empty cells (most rows fail the first test).
            if not (values and (values[0].strip() or "".join(values).strip())):
                continue
            if len(values) > len(names):
                yield RawRow(start, None, f"row has {len(values)} fields, header has {len(names)}")
                continue
            yield RawRow(start, dict(zip(names, values, strict=False)))


def _jsonl_rows(path: Path, info: ReadInfo, mapping: dict[str, str]) -> Iterator[RawRow]:
    with _open_text(path, info) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield RawRow(number, None, f"malformed JSON ({exc.msg} at column {exc.colno})")
                continue
            yield _object_row(number, obj, mapping)


def _object_row(line: int, obj: Any, mapping: Mapping[str, str]) -> RawRow:
    if not isinstance(obj, dict):
        return RawRow(line, None, f"expected a JSON object, found {type(obj).__name__}")
    return RawRow(line, {_rename(str(k), mapping): v for k, v in obj.items()})


def _json_rows(path: Path, info: ReadInfo, mapping: dict[str, str]) -> Iterator[RawRow]:
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
            yield _object_row(line, obj, mapping)
            pos = end


def _skip_ws(buf: str, pos: int) -> int:
    while pos < len(buf) and buf[pos] in " \t\r\n":
        pos += 1
    return pos
