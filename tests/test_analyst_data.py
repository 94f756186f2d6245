"""An analyst's own spreadsheet loads whole: CSV from Excel, .xlsx and .ods (issue 16).

Each file is the same thirty synthetic ads (tests/analyst_sheet.py), loaded
through the command line into a real embedded store and read back from it.
"""

from __future__ import annotations

from pathlib import Path

import analyst_sheet as sheet
import pytest
from click.testing import CliRunner

from graphthb.cli import main
from graphthb.store import open_store

ROOT = Path(__file__).resolve().parent.parent
N = len(sheet.rows())
MAP_ARGS = [a for theirs, ours in sheet.MAPPING.items() for a in ("--map", f"{theirs}={ours}")]


def _load(tmp_path: Path, *args: str) -> tuple[int, str]:
    db = tmp_path / "case.lbug"
    result = CliRunner().invoke(
        main, ["--db", str(db), "load", *args], env={"GRAPHTHB_DB": None}, catch_exceptions=False
    )
    return result.exit_code, result.output


def _stored(tmp_path: Path) -> tuple[dict[str, dict], dict[str, set[str]], dict[str, set[str]]]:
    """Ads by record_id, and each ad's phones and handles."""
    with open_store(str(tmp_path / "case.lbug")) as store:
        ads = store.read_nodes("Ad", ["record_id", "persona", "posted_at", "price", "city"])
        phones = store.read_rel("HAS_PHONE")
        handles = store.read_rel("HAS_HANDLE")
    by_key = {k: r for k, r in zip(ads["key"], ads["record_id"], strict=True)}
    rows = {r["record_id"]: r for r in ads.to_dict("records")}
    phone_of: dict[str, set[str]] = {rid: set() for rid in rows}
    for src, dst in zip(phones["src"], phones["dst"], strict=True):
        phone_of[by_key[src]].add(dst)
    handle_of: dict[str, set[str]] = {rid: set() for rid in rows}
    for src, dst in zip(handles["src"], handles["dst"], strict=True):
        handle_of[by_key[src]].add(dst)
    return rows, phone_of, handle_of


def _check_all_thirty(tmp_path: Path, output: str, *, dates_have_time: bool = True) -> None:
    assert f"read {N}, loaded {N}, rejected 0" in output, output
    assert "left unparsed" not in output, output
    ads, phones, handles = _stored(tmp_path)
    assert len(ads) == N
    for i, row in enumerate(sheet.rows()):
        rid = row["Anzeige-ID"]
        ad = ads[rid]
        assert phones[rid] == {sheet.expected_phone(i)}, rid
        assert handles[rid] == {sheet.expected_handle(i)}, rid
        moment = row["Datum"]
        want = moment.isoformat(timespec="seconds") if dates_have_time else moment.date()
        assert ad["posted_at"] == str(want), rid
        assert ad["persona"] == row["Name"] and ad["city"] == row["Stadt"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_semicolon_csv_with_german_columns_loads_every_row(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "blatt.csv"
    path.write_bytes(sheet.csv_text().encode(encoding))
    code, output = _load(tmp_path, str(path), *MAP_ARGS)
    assert code == 0, output
    _check_all_thirty(tmp_path, output)
    ads, _, _ = _stored(tmp_path)
    # The euro sign survives Excel's Windows "CSV" (cp1252), where Latin-1 made it \x80.
    assert ads["BL-001"]["price"] == "150 €"
    assert "dates read day-first" in output
    if encoding == "cp1252":
        assert "Windows-1252" in output


def test_same_csv_with_a_map_file(tmp_path: Path) -> None:
    path = tmp_path / "blatt.csv"
    path.write_text(sheet.csv_text(), encoding="utf-8")
    mapping = tmp_path / "blatt.map"
    mapping.write_text(sheet.map_file_text(), encoding="utf-8")
    code, output = _load(tmp_path, str(path), "--map-file", str(mapping))
    assert code == 0, output
    _check_all_thirty(tmp_path, output)


def test_xlsx_loads_every_row_with_typed_cells(tmp_path: Path) -> None:
    path = tmp_path / "blatt.xlsx"
    sheet.write_xlsx(path)
    code, output = _load(tmp_path, str(path), *MAP_ARGS)
    assert code == 0, output
    _check_all_thirty(tmp_path, output)
    assert "sheet 'Anzeigen' read (1 of 2)" in output
    ads, _, _ = _stored(tmp_path)
    # A price typed as a number reads as its digits, not "150.0".
    assert ads["BL-001"]["price"] == "150"


def test_xlsx_of_text_cells_with_dotted_dates(tmp_path: Path) -> None:
    path = tmp_path / "blatt.xlsx"
    sheet.write_xlsx(path, numbers_as_numbers=False)
    code, output = _load(tmp_path, str(path), *MAP_ARGS)
    assert code == 0, output
    _check_all_thirty(tmp_path, output)


def test_ods_loads_every_row(tmp_path: Path) -> None:
    path = tmp_path / "blatt.ods"
    sheet.write_ods(path)
    code, output = _load(tmp_path, str(path), *MAP_ARGS)
    assert code == 0, output
    _check_all_thirty(tmp_path, output)


def test_sheet_is_chosen_by_name_or_number(tmp_path: Path) -> None:
    path = tmp_path / "blatt.xlsx"
    sheet.write_xlsx(path)
    code, output = _load(tmp_path, str(path), "--sheet", "Notizen")
    assert code == 1 and "blatt.xlsx is not a records file" in output
    assert "columns found: Stand, Bearbeiter" in output
    code, output = _load(tmp_path, str(path), "--sheet", "3")
    assert code == 1 and "no sheet '3'; its sheets are 1: 'Anzeigen', 2: 'Notizen'" in output
    code, output = _load(tmp_path, str(path), "--sheet", "1", *MAP_ARGS)
    assert code == 0 and f"loaded {N}" in output


def test_a_sheet_named_for_text_files_only_is_refused(tmp_path: Path) -> None:
    """--sheet given with CSV files alone was ignored: the analyst meant another file."""
    path = tmp_path / "blatt.csv"
    path.write_text("record_id,phones,country\n1,06 12 34 56 78,FR\n", "utf-8")
    code, output = _load(tmp_path, str(path), "--sheet", "Anzeigen")
    assert code == 1 and output.strip().splitlines() == [
        "Error: --sheet picks a sheet of an .xlsx or .ods file, and no file given is one"
    ]
    assert not (tmp_path / "case.lbug").exists()


def test_sample_sheet_is_the_synthetic_one(tmp_path: Path) -> None:
    """sample_data/analyst-sheet.xlsx holds exactly these rows, and its map file loads it."""
    code, output = _load(
        tmp_path,
        str(ROOT / "sample_data" / "analyst-sheet.xlsx"),
        "--map-file",
        str(ROOT / "sample_data" / "analyst-sheet.map"),
    )
    assert code == 0, output
    _check_all_thirty(tmp_path, output)
    assert (ROOT / "sample_data" / "analyst-sheet.map").read_text("utf-8") == (
        sheet.map_file_text()
    )


def test_date_order_options_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text(
        "record_id,posted_at,title\nr1,03/09/2025,a\nr2,04/10/2025 2:05 PM,b\n", "utf-8"
    )
    code, output = _load(tmp_path, str(path))
    assert code == 1 and output.count("\n") == 1
    assert "may be day-first or month-first" in output and "--dayfirst or --monthfirst" in output
    code, output = _load(tmp_path, str(path), "--monthfirst")
    assert code == 0 and "loaded 2" in output and "dates read month-first as asked" in output
    ads, _, _ = _stored(tmp_path)
    assert {a["posted_at"] for a in ads.values()} == {"2025-03-09", "2025-04-10T14:05:00"}
