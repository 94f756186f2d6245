"""A synthetic analyst's spreadsheet, as a German-speaking analyst would keep it.

Thirty ads in the analyst's own column names, dates written day-month-year
with dots, phones in the local forms people type, a Telegram column of bare
``@name`` handles and prices with the euro sign. Every name, number and
handle is made up here; none is anyone's. The same rows are written as a
semicolon CSV (Excel's "CSV" in a German locale), as .xlsx and as .ods by the
tests, and ``sample_data/analyst-sheet.xlsx`` holds them too (see
:func:`write_sample`).

Three small rings share phones and handles: ads 1-10 (persona names change,
the phone and the Telegram handle stay), ads 11-18 and ads 19-24; ads 25-30
are independent advertisers.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

HEADER = [
    "Anzeige-ID", "Datum", "Telefon", "Telegram", "Titel", "Name", "Stadt", "Land", "Preis",
    "Webseite",
]  # fmt: skip

#: The mapping an analyst writes for these columns (Telegram is known by its name).
MAPPING = {
    "Anzeige-ID": "record_id",
    "Datum": "posted_at",
    "Telefon": "phones",
    "Titel": "title",
    "Name": "persona",
    "Stadt": "city",
    "Land": "country",
    "Preis": "price",
    "Webseite": "platform",
}

_PERSONAS = [
    "Mila", "Lara", "Nina", "Sofi", "Jana", "Kira", "Lena", "Maja", "Tara", "Vera",
    "Alina", "Bella", "Carla", "Dana", "Elli", "Fina", "Gina", "Hanna",
    "Ida", "Jola", "Kaja", "Luna", "Mira", "Nela",
    "Olga", "Paula", "Rita", "Selma", "Tilda", "Uma",
]  # fmt: skip
_CITIES = ["Berlin", "Hamburg", "München", "Köln", "Leipzig", "Dresden"]
# The local forms of one number that people type (all +49 151 2345 67xx).
_FORMS = ["0151 2345{:04d}", "0151/2345 {:04d}", "(0151) 2345-{:04d}", "+49 151 2345{:04d}",
          "0049 151 2345{:04d}", "01512345{:04d}"]  # fmt: skip


def _ring(index: int) -> tuple[int, str] | None:
    """(phone suffix, telegram handle) shared by the ring an ad belongs to, if any."""
    if index < 10:
        return 6701, "@mila_vip_berlin"
    if index < 18:
        return 6702, "@sweet_lara_hh"
    if index < 24:
        return 6703, "@nina_muc_top"
    return None


def rows() -> list[dict[str, object]]:
    """The thirty ads: text cells, a ``datetime`` for the date and an ``int`` price."""
    out: list[dict[str, object]] = []
    for i in range(30):
        ring = _ring(i)
        suffix, tg = ring if ring else (6710 + i, f"@{_PERSONAS[i].lower()}_solo{i:02d}")
        out.append(
            {
                "Anzeige-ID": f"BL-{i + 1:03d}",
                "Datum": datetime(2025, 9, 1 + i % 28, 10 + i % 12, (7 * i) % 60),
                "Telefon": _FORMS[i % len(_FORMS)].format(suffix),
                # Some analysts paste the @, some do not.
                "Telegram": tg if i % 3 else tg.lstrip("@"),
                "Titel": f"{_PERSONAS[i]}, neu in {_CITIES[i % len(_CITIES)]} – diskret",
                "Name": _PERSONAS[i],
                "Stadt": _CITIES[i % len(_CITIES)],
                "Land": "DE",
                "Preis": 150 + 10 * (i % 6),
                "Webseite": "anzeigen-markt.example",
            }
        )
    return out


def expected_phone(i: int) -> str:
    ring = _ring(i)
    return f"+491512345{(ring[0] if ring else 6710 + i):04d}"


def expected_handle(i: int) -> str:
    ring = _ring(i)
    name = ring[1] if ring else f"@{_PERSONAS[i].lower()}_solo{i:02d}"
    return "telegram:" + name.lstrip("@")


def _as_text(value: object, dot_dates: bool = True) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M") if dot_dates else value.isoformat()
    if isinstance(value, int):
        return f"{value} €"
    return str(value)


def csv_text() -> str:
    """The sheet as Excel writes a CSV in a German locale: semicolons, dd.mm.yyyy."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows():
        writer.writerow([_as_text(row[c]) for c in HEADER])
    return buf.getvalue()


def write_xlsx(path: Path, *, numbers_as_numbers: bool = True) -> None:
    """The sheet as .xlsx: dates as real dates, prices and some phones as numbers.

    Excel types what looks like a number as one, so every fifth phone is a
    number here; ``numbers_as_numbers=False`` writes every cell as text. A
    second sheet of notes gives ``--sheet`` something to choose between.
    """
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Anzeigen"
    sheet.append(HEADER)
    for i, row in enumerate(rows()):
        cells = [row[c] for c in HEADER]
        if numbers_as_numbers and i % 5 == 0:
            # Excel turns a typed +49151... into a number: 4915123456701.0.
            cells[HEADER.index("Telefon")] = int(expected_phone(i)[1:])
        if not numbers_as_numbers:
            cells = [_as_text(v) for v in cells]
        sheet.append(cells)
    notes = book.create_sheet("Notizen")
    notes.append(["Stand", "Bearbeiter"])
    notes.append(["Sichtung September", "A-07"])
    book.save(path)


def write_ods(path: Path) -> None:
    """The sheet as a minimal OpenDocument spreadsheet, written by hand."""

    def cell(value: object) -> str:
        if isinstance(value, datetime):
            stamp = value.isoformat()
            return (
                f'<table:table-cell office:value-type="date" office:date-value="{stamp}">'
                f"<text:p>{stamp}</text:p></table:table-cell>"
            )
        if isinstance(value, int):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
            "</table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in values) + "</table:table-row>"
        for values in [HEADER, *([r[c] for c in HEADER] for r in rows())]
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Anzeigen">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


def map_file_text() -> str:
    lines = ["# Spalten des Analyse-Blatts -> graphthb (the analyst's columns)"]
    lines += [f"{theirs}={ours}" for theirs, ours in MAPPING.items()]
    lines.append("Telegram=handles:telegram")
    return "\n".join(lines) + "\n"


def write_sample(folder: Path) -> None:
    """``sample_data/analyst-sheet.xlsx`` and its map file (run: python tests/analyst_sheet.py)."""
    write_xlsx(folder / "analyst-sheet.xlsx")
    (folder / "analyst-sheet.map").write_text(map_file_text(), encoding="utf-8")


if __name__ == "__main__":
    write_sample(Path(__file__).resolve().parent.parent / "sample_data")
