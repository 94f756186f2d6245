"""Streaming readers: encodings, delimiters, JSON forms, and rows that fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphthb.errors import InputError
from graphthb.ingest.readers import parse_mapping, read_rows

ROWS = [
    {"record_id": "r1", "title": "Żaneta — nowa w mieście", "phones": "+48 512 345 678"},
    {"record_id": "r2", "title": "Zoë, café", "phones": "06 12345678; +31 6 1234 5679"},
]


def _csv(rows: list[dict[str, str]], delimiter: str = ",") -> str:
    header = delimiter.join(rows[0])
    lines = [delimiter.join(f'"{v}"' for v in r.values()) for r in rows]
    return "\n".join([header, *lines]) + "\n"


def _rows(path: Path, mapping: dict[str, str] | None = None) -> list:
    _, rows = read_rows(path, mapping)
    return list(rows)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "ads.csv"
    path.write_text(_csv(ROWS, delimiter), encoding="utf-8")
    info, rows = read_rows(path)
    got = [r.data for r in rows]
    assert info.delimiter == delimiter
    assert got == ROWS


def test_semicolon_sheet_that_csv_sniffer_gives_up_on(tmp_path: Path) -> None:
    # As Excel saves "CSV" where the comma is the decimal mark: a BOM, CRLF,
    # semicolons, ad text with commas and a quoted semicolon, a row of bare
    # semicolons. csv.Sniffer cannot tell the delimiter of this file, and the
    # comma it fell back to read the header as one column.
    path = tmp_path / "Anzeigen.csv"
    path.write_bytes(
        (
            "\ufeffAnzeige;Telefon;Stadt;Text\r\n"
            "A1;0176 1234567;Berlin;Neu in Berlin, ruf an\r\n"
            ";;;\r\n"
            'A2;+49 176 1234567;Köln;"Nur Krypto; ""sofort"", 24/7"\r\n'
        ).encode("utf-8")
    )
    info, rows = read_rows(
        path, parse_mapping(["Anzeige=record_id", "Telefon=phones", "Text=text"])
    )
    got = [r.data for r in rows]
    assert info.delimiter == ";"
    assert [r["record_id"] for r in got] == ["A1", "A2"]
    assert got[1]["text"] == 'Nur Krypto; "sofort", 24/7'
    assert got[0]["phones"] == "0176 1234567"


def test_delimiter_of_a_file_longer_than_the_sample(tmp_path: Path) -> None:
    # The sample ends inside a row; that cut row must not outvote the others.
    path = tmp_path / "ads.csv"
    row = "r{};+34 612 345 {:03d};" + "texto, largo, " * 30 + "\n"
    path.write_text(
        "record_id;phones;text\n" + "".join(row.format(i, i % 1000) for i in range(400))
    )
    info, rows = read_rows(path)
    assert info.delimiter == ";"
    assert sum(1 for _ in rows) == 400


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le"])
def test_csv_unicode_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "ads.csv"
    path.write_bytes(_csv(ROWS).encode(encoding))
    info, rows = read_rows(path)
    assert [r.data for r in rows] == ROWS
    assert info.notes == (["read as UTF-16"] if encoding.startswith("utf-16") else [])


def test_latin1_fallback_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    rows = [{"record_id": "r1", "title": "Zoë, café à Liège"}]
    path.write_bytes(_csv(rows).encode("latin-1"))
    info, got = read_rows(path)
    assert [r.data for r in got] == rows
    assert info.encoding == "latin-1"
    assert "Latin-1" in info.notes[0]


def test_header_names_are_case_insensitive_and_mapped(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("ID,Telefon,TITLE,Views\nr1,0612345678,hi,12\n", encoding="utf-8")
    mapping = parse_mapping(["ID=record_id", "telefon=phones"])
    assert _rows(path, mapping)[0].data == {
        "record_id": "r1",
        "phones": "0612345678",
        "title": "hi",
        "views": "12",
    }


def test_mapping_file_and_bad_mapping(tmp_path: Path) -> None:
    path = tmp_path / "map.txt"
    path.write_text("# ours\nTelefon=phones\nStadt,city\n", encoding="utf-8")
    assert parse_mapping(None, path) == {"telefon": "phones", "stadt": "city"}
    with pytest.raises(InputError, match="their_name=our_name"):
        parse_mapping(["telefon"])


def test_csv_rows_that_fail_keep_their_line(tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    path.write_text('record_id,title\nr1,"two\nlines"\n\nr2,a,extra\nr3,ok\n', encoding="utf-8")
    rows = _rows(path)
    assert [(r.line, r.error is None) for r in rows] == [(2, True), (5, False), (6, True)]
    assert "3 fields" in rows[1].error


def test_jsonl_malformed_line_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "ads.jsonl"
    path.write_text(
        '{"record_id": "r1", "phones": ["a", "b"]}\n{oops\n\n[1]\n{"Record_ID": "r2"}\n',
        encoding="utf-8",
    )
    rows = _rows(path)
    assert [(r.line, r.data) for r in rows if r.error is None] == [
        (1, {"record_id": "r1", "phones": ["a", "b"]}),
        (5, {"record_id": "r2"}),
    ]
    assert [r.line for r in rows if r.error] == [2, 4]


def test_json_array_is_streamed_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "ads.json"
    objects = [{"record_id": f"r{i}", "text": "x" * (i * 100)} for i in range(400)]
    path.write_text("[\n" + ",\n".join(json.dumps(o) for o in objects) + "\n]\n", encoding="utf-8")
    rows = _rows(path)
    assert [r.data for r in rows] == objects
    assert [r.line for r in rows] == list(range(2, 402))


def test_json_array_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "ads.json"
    path.write_text('[{"record_id": "r1"}, {"record_id": "r2", "te', encoding="utf-8")
    rows = _rows(path)
    assert rows[0].data == {"record_id": "r1"}
    assert rows[1].error and "malformed JSON" in rows[1].error


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("ads.xlsx", b"PK", "cannot read it as a spreadsheet"),
        ("ads.pdf", b"%PDF", "unknown file type"),
        ("ads.json", b'{"record_id": 1}', "array of objects"),
        ("ads.csv.gz", b"\x1f\x8b", "compressed"),
    ],
)
def test_unreadable_files_are_errors(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        _, rows = read_rows(path)
        list(rows)
