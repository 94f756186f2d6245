"""Files that are not what they seem: refused before anything is written, or rejected by row.

Issue 16 (items 3-8: the wrong file, --map typos, dates as people write them,
messenger columns, spreadsheets, cp1252) and the reader part of issue 17
(unbalanced quotes, hostile JSON, duplicate columns, pipes and devices).
Every test loads into a real embedded store through the loader, or reads
through the reader the loader uses.
"""

from __future__ import annotations

import csv
import json
import os
import threading
from datetime import datetime
from pathlib import Path

import pytest

from graphthb.errors import InputError
from graphthb.ingest.loader import load
from graphthb.ingest.readers import parse_mapping, read_rows
from graphthb.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _rows(path: Path, **kw) -> list:
    _, rows = read_rows(path, **kw)
    return list(rows)


def _ads(store: Store) -> dict[str, dict]:
    ads = store.read_nodes("Ad", ["record_id", "title", "persona", "posted_at", "price", "extra"])
    return {r["record_id"]: r for r in ads.to_dict("records")}


def _rel(store: Store, rel: str) -> set[tuple[str, str]]:
    """(record_id, key) of every relationship ``rel`` from an ad."""
    ads = store.read_nodes("Ad", ["record_id"])
    rid = dict(zip(ads["key"], ads["record_id"], strict=True))
    df = store.read_rel(rel)
    return {(rid[s], d) for s, d in zip(df["src"], df["dst"], strict=True)}


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# -- item 3: the wrong file ------------------------------------------------------------


def test_truth_file_is_refused_and_nothing_is_written(
    embedded_store: Store, tmp_path: Path
) -> None:
    records = ROOT / "sample_data" / "records.csv"
    load(embedded_store, [records], rejects=tmp_path / "rejects.csv")
    before = _ads(embedded_store)
    with pytest.raises(InputError) as err:
        load(embedded_store, [ROOT / "sample_data" / "truth.csv"], rejects=tmp_path / "r.csv")
    message = str(err.value)
    assert "truth.csv is not a records file" in message
    assert "columns found: record_id, group" in message and "--map" in message
    assert "\n" not in message
    assert _ads(embedded_store) == before


def test_a_file_named_only_by_record_id_is_refused(embedded_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("record_id,Telefon\nr1,0612345678\n", encoding="utf-8")
    with pytest.raises(InputError, match="columns found: record_id, Telefon"):
        load(embedded_store, [path], rejects=tmp_path / "r.csv")
    # Mapped, the same file is a records file.
    report = load(embedded_store, [path], rejects=tmp_path / "r.csv", mapping={"telefon": "phones"})
    assert report.loaded == 1


def test_a_links_file_without_the_link_columns_is_one_line(
    embedded_store: Store, tmp_path: Path
) -> None:
    # An analyst's own sheet of who-knows-whom, headed in their words: every
    # row would be rejected for the same missing field; one line says why.
    path = tmp_path / "Verbindungen.csv"
    path.write_text("Person;Beziehung;Anzeige\nP-1;kontrolliert;R-1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(embedded_store, [], [path], rejects=tmp_path / "r.csv")
    message = str(err.value)
    assert "Verbindungen.csv is not a links file" in message and "\n" not in message
    assert "no column subject_kind, subject, relation, object_kind, object" in message
    assert "columns found: Person, Beziehung, Anzeige" in message and "--map" in message
    # A records file given as --links is told so.
    with pytest.raises(InputError, match="load it without --links"):
        load(embedded_store, [], [ROOT / "sample_data" / "records.csv"], rejects=tmp_path / "r.csv")
    assert embedded_store.count_nodes()["Ad"] == 0
    # Mapped, it is read as a links file (only the missing columns are named).
    with pytest.raises(InputError, match="no column subject_kind, object_kind, object"):
        load(
            embedded_store,
            [],
            [path],
            rejects=tmp_path / "r.csv",
            mapping=parse_mapping(["Person=subject", "Beziehung=relation"]),
        )


# -- item 4: --map typos ------------------------------------------------------------------


def test_map_naming_a_missing_column_is_refused(embedded_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("record_id,Telefon,title\nr1,0612345678,hi\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(
            embedded_store,
            [path],
            rejects=tmp_path / "r.csv",
            mapping=parse_mapping(["Telefn=phones"]),
        )
    assert "no file has a column 'telefn'" in str(err.value)
    assert "record_id, Telefon, title" in str(err.value)
    assert embedded_store.count_nodes()["Ad"] == 0


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("Telefon=phone", "graphthb has no column 'phone'"),
        ("views=page_views", "graphthb has no column 'page_views'"),
        ("Telegram=handles:telegramm2", "not a column role"),
        ("Telegram=phones:telegram", "not a column role"),
    ],
)
def test_map_to_an_unknown_target_is_refused(pair: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_mapping([pair])


# -- item 5: dates as people write them ---------------------------------------------------


def _dated(tmp_path: Path, dates: list[str], name: str = "d.csv") -> Path:
    path = tmp_path / name
    lines = ["record_id,posted_at,title"] + [f"r{i},{d},t" for i, d in enumerate(dates)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _dates(path: Path, **kw) -> list[str]:
    return [r.data["posted_at"] for r in _rows(path, **kw)]


def test_dotted_dates_are_day_first(tmp_path: Path) -> None:
    path = _dated(tmp_path, ["03.09.2025", "3.9.2025 14:05", "2025-09-03 14:05"])
    info, _ = read_rows(path)
    assert info.date_order == "day"
    assert _dates(path) == ["2025-09-03", "2025-09-03T14:05:00", "2025-09-03 14:05"]


def test_order_inferred_from_the_whole_file(tmp_path: Path) -> None:
    # The only date that tells is on the last line.
    dates = ["03/09/2025"] * 1500 + ["09/13/2025"]
    assert _dates(_dated(tmp_path, dates))[:1] == ["2025-03-09"]
    dates = ["3/9/2025"] * 5 + ["13/9/2025 09:30"]
    assert _dates(_dated(tmp_path, dates, "e.csv"))[::5] == ["2025-09-03", "2025-09-13T09:30:00"]


def test_ambiguous_file_is_refused(embedded_store: Store, tmp_path: Path) -> None:
    path = _dated(tmp_path, ["03/09/2025", "04/10/2025"])
    with pytest.raises(InputError, match="may be day-first or month-first.*--dayfirst"):
        load(embedded_store, [path], rejects=tmp_path / "r.csv")
    assert embedded_store.count_nodes()["Ad"] == 0
    report = load(embedded_store, [path], rejects=tmp_path / "r.csv", dayfirst=False)
    assert report.loaded == 2
    assert {a["posted_at"] for a in _ads(embedded_store).values()} == {"2025-03-09", "2025-04-10"}


def test_both_orders_in_one_file_are_refused_then_rejected_by_row(
    embedded_store: Store, tmp_path: Path
) -> None:
    path = _dated(tmp_path, ["13/09/2025", "09/13/2025", "01/02/2025"])
    with pytest.raises(InputError, match="both orders.*line 2.*line 3"):
        load(embedded_store, [path], rejects=tmp_path / "r.csv")
    report = load(embedded_store, [path], rejects=tmp_path / "r.csv", dayfirst=True)
    assert (report.loaded, report.rejected) == (2, 1)
    (reject,) = _rejects(tmp_path / "r.csv")
    assert reject["line"] == "3" and "09/13/2025" in reject["reason"]
    assert "--dayfirst" in reject["reason"]


def test_a_late_day_month_date_after_many_iso_rows_is_left_for_the_row(tmp_path: Path) -> None:
    # Only the first rows are searched when they are all ISO: the late one is
    # rejected with its row (the reason names the options), never guessed.
    path = _dated(tmp_path, ["2025-09-03"] * 1200 + ["03.09.2025"])
    info, rows = read_rows(path)
    assert info.date_order is None and list(rows)[-1].data["posted_at"] == "03.09.2025"
    assert _dates(path, dayfirst=True)[-1] == "2025-09-03"


def test_iso_files_are_read_as_before(tmp_path: Path) -> None:
    dates = ["2025-09-03", "2025-09-03T14:05:00Z", "2025-09-03 14:05"]
    path = _dated(tmp_path, dates)
    info, _ = read_rows(path)
    assert info.date_order is None and _dates(path) == dates


# -- item 6: a messenger's own column ----------------------------------------------------


def test_telegram_column_of_bare_handles(embedded_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "record_id,title,Telegram,WhatsApp,Kontakt,Line\n"
        "r1,a,@anna_vip,+31 6 1234 5678,zora.01,7\n"
        "r2,b,anna_vip; t.me/mia_vip,,,8\n",
        encoding="utf-8",
    )
    report = load(
        embedded_store,
        [path],
        rejects=tmp_path / "r.csv",
        mapping=parse_mapping(["Kontakt=handles:signal"]),
    )
    assert report.loaded == 2 and not report.unparsed_by_type
    assert _rel(embedded_store, "HAS_HANDLE") == {
        ("r1", "telegram:anna_vip"),
        ("r2", "telegram:anna_vip"),
        ("r2", "telegram:mia_vip"),
        ("r1", "signal:zora.01"),
    }
    assert _rel(embedded_store, "HAS_PHONE") == {("r1", "+31612345678")}
    # "Line" is a messenger too, but as a column name it is kept as it is.
    assert json.loads(_ads(embedded_store)["r1"]["extra"]) == {"line": "7"}


def test_map_role_names_the_service(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("record_id,Kontakt\nr1,@anna_vip\n", encoding="utf-8")
    (row,) = _rows(path, mapping=parse_mapping(["Kontakt=handles:tg"]))
    assert row.data == {"record_id": "r1", "handles": ["telegram:@anna_vip"]}
    map_file = tmp_path / "m.txt"
    map_file.write_text("Kontakt=handles:snapchat\n", encoding="utf-8")
    (row,) = _rows(path, mapping=parse_mapping(None, map_file))
    assert row.data["handles"] == ["snapchat:@anna_vip"]


# -- item 8: cp1252 -----------------------------------------------------------------------


def test_cp1252_euro_sign_survives(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("record_id;title;price\nr1;Zoë „neu“ – café;200 €\n".encode("cp1252"))
    info, rows = read_rows(path)
    (row,) = list(rows)
    assert row.data["price"] == "200 €" and row.data["title"] == "Zoë „neu“ – café"
    assert info.encoding == "cp1252" and "Windows-1252" in info.notes[0]


def test_latin1_when_no_windows_letters(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    # 0x81 is no letter of Windows-1252: this is Latin-1 with a control code.
    path.write_bytes(b"record_id,title\nr1,caf\xe9\x81\n")
    info, rows = read_rows(path)
    assert info.encoding == "latin-1" and list(rows)[0].data["title"] == "café\x81"


# -- issue 17: unbalanced quotes ---------------------------------------------------------


def test_unbalanced_quote_rejects_its_row_and_keeps_the_rest(
    embedded_store: Store, tmp_path: Path
) -> None:
    lines = ["record_id,title,phones,persona"]
    lines += [f"r{i},ad {i},+31 6 1234 {i:04d},P{i}" for i in range(1, 5)]
    lines.append('r5,"Anna is new here,+31 6 1234 0005,Anna')
    lines += [f"r{i},ad {i},+31 6 1234 {i:04d},P{i}" for i in range(6, 106)]
    lines.append('r106,"a ""quoted"" title",+31 6 1234 0106,P106')
    path = tmp_path / "ads.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = load(embedded_store, [path], rejects=tmp_path / "r.csv")
    assert (report.read, report.loaded, report.rejected) == (106, 105, 1)
    (reject,) = _rejects(tmp_path / "r.csv")
    assert reject["line"] == "6" and "quote" in reject["reason"]
    assert "Anna is new here" in reject["row"]
    ads = _ads(embedded_store)
    assert ads["r6"]["title"] == "ad 6" and ads["r106"]["title"] == 'a "quoted" title'
    assert "\n" not in "".join(a["title"] for a in ads.values())


def test_unbalanced_quote_running_to_the_end(tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    path.write_text('record_id,title,persona\nr1,"open,A\nr2,two,B\nr3,three,C\n', "utf-8")
    rows = _rows(path)
    assert [(r.line, r.error is None) for r in rows] == [(2, False), (3, True), (4, True)]


def test_a_quoted_text_over_many_lines_is_kept(tmp_path: Path) -> None:
    text = "\n".join(["Hi, I am Anna, 23", "new in town", "call me, 24/7", "", "kisses"] * 10)
    path = tmp_path / "ads.csv"
    path.write_text(f'record_id,text,persona\nr1,"{text}",Anna\nr2,x,Mia\n', "utf-8")
    rows = _rows(path)
    assert [r.data["text"] for r in rows] == [text, "x"] and [r.line for r in rows] == [2, 52]


# -- issue 17: hostile JSON ----------------------------------------------------------------

HOSTILE_JSON = {
    "surrogate": '{"record_id": "r2", "title": "\\ud800 x"}',
    "deep": '{"record_id": "r2", "title": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "digits": '{"record_id": "r2", "age": ' + "9" * 5000 + "}",
    # Brackets and an escaped quote in a string must not end the object early.
    "digits_after_brackets": '{"record_id": "r2", "title": "a \\"]}, {", "age": '
    + "9" * 5000
    + ', "n": [{"x": "]"}]}',
}


@pytest.mark.parametrize("case", sorted(HOSTILE_JSON))
@pytest.mark.parametrize("form", ["jsonl", "json"])
def test_hostile_json_is_one_reject(
    embedded_store: Store, tmp_path: Path, case: str, form: str
) -> None:
    good = ['{"record_id": "r1", "title": "a"}', '{"record_id": "r3", "title": "c"}']
    objects = [good[0], HOSTILE_JSON[case], good[1]]
    path = tmp_path / f"ads.{form}"
    body = "\n".join(objects) if form == "jsonl" else "[\n" + ",\n".join(objects) + "\n]"
    path.write_text(body + "\n", encoding="utf-8")
    report = load(embedded_store, [path], rejects=tmp_path / "r.csv")
    # The objects after it are read too, in a JSON array as in JSON Lines.
    assert report.rejected == 1 and report.loaded == 2
    assert {a["title"] for a in _ads(embedded_store).values()} == {"a", "c"}
    (reject,) = _rejects(tmp_path / "r.csv")
    assert reject["line"] == ("2" if form == "jsonl" else "3")
    assert reject["reason"].startswith("malformed JSON")
    assert "\n" not in reject["reason"]


def test_content_after_the_json_array_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "ads.json"
    path.write_text('[{"record_id": "r1", "title": "a"}]\n\n{"record_id": "r2"}\n', "utf-8")
    rows = _rows(path)
    assert rows[0].data == {"record_id": "r1", "title": "a"}
    assert rows[1].line == 3 and "after the end of the JSON array" in rows[1].error
    assert '"r2"' in rows[1].data["raw"]


# -- issue 17: duplicate columns ----------------------------------------------------------


def test_duplicate_multi_valued_columns_are_read_together(
    embedded_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "record_id,phones,title,phones,Telefon,country\n"
        "r1,+31 6 1234 5678,t,+31 6 1234 5679,0612345670,NL\n",
        encoding="utf-8",
    )
    report = load(embedded_store, [path], rejects=tmp_path / "r.csv", mapping={"telefon": "phones"})
    assert "columns 'phones', 'phones', 'Telefon' read together as phones" in report.files[0].notes
    assert {p for _, p in _rel(embedded_store, "HAS_PHONE")} == {
        "+31612345678",
        "+31612345679",
        "+31612345670",
    }


def test_duplicate_single_valued_columns_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("record_id,title,Titel\nr1,a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="columns 'title', 'Titel' all give title"):
        read_rows(path, {"titel": "title"})


# -- issue 17: pipes and devices ---------------------------------------------------------


def test_fifo_and_devices_are_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "ads.csv"
    os.mkfifo(fifo)
    result: list[BaseException] = []

    def attempt(path: Path) -> None:
        try:
            read_rows(path)
        except BaseException as exc:
            result.append(exc)

    for path in (fifo, Path("/dev/zero")):
        worker = threading.Thread(target=attempt, args=(path,), daemon=True)
        worker.start()
        worker.join(20)
        if worker.is_alive():
            # Unblock the reader stuck on the pipe so the test process can end.
            if path == fifo:
                with open(fifo, "w"):
                    pass
            pytest.fail(f"reading {path} did not return")
        assert isinstance(result[-1], InputError) and "not a regular file" in str(result[-1])


# -- item 7: spreadsheets, typed cells, row numbers --------------------------------------


def test_spreadsheet_rows_keep_their_row_numbers_and_typed_cells(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = "ID", "Telefon", "posted_at", "Land"
    sheet.append([None, "a1", 31612345678, datetime(2025, 9, 3, 14, 5), "NL"])
    sheet.append([])
    sheet.append([None, "a2", 612345678, "03.09.2025", "NL"])
    sheet.append([None, 3, 15123456701.0, "13.09.2025", "DE", "beyond the header"])
    path = tmp_path / "ads.xlsx"
    book.save(path)
    info, rows = read_rows(path, {"id": "record_id", "telefon": "phones", "land": "country"})
    rows = list(rows)
    assert info.sheet == "Sheet" and info.columns == [
        "column A",
        "ID",
        "Telefon",
        "posted_at",
        "Land",
    ]
    assert [r.line for r in rows] == [4, 6, 7]
    assert rows[0].data["phones"] == "+31612345678"
    assert rows[0].data["posted_at"] == "2025-09-03T14:05:00"
    assert rows[1].data == {
        "column a": "", "record_id": "a2", "phones": "612345678", "posted_at": "2025-09-03",
        "country": "NL",
    }  # fmt: skip
    assert "beyond the header" in rows[2].error


@pytest.mark.parametrize(
    ("start", "encoding", "bad"),
    [(b"\xff\xfe", "utf-16-le", b"\x00\xd8"), (b"\xef\xbb\xbf", "utf-8", b"\xff")],
)
def test_a_file_broken_in_its_own_encoding_is_refused(
    tmp_path: Path, start: bytes, encoding: str, bad: bytes
) -> None:
    path = tmp_path / "ads.csv"
    head = "record_id,title\nr1,a\n".encode(encoding)
    path.write_bytes(start + head + bad + "r2,b\n".encode(encoding))
    with pytest.raises(InputError, match=r"not valid UTF-(8|16) near byte \d+"):
        list(read_rows(path)[1])
