"""The analyst's ignore list: kept in the store, carried between cases, used by cluster."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from graphthb.analysis.graph import IDENTIFIER_RELS, Settings
from graphthb.analysis.groups import cluster
from graphthb.audit import AuditTrail
from graphthb.cli import main
from graphthb.errors import InputError
from graphthb.ignorelist import KINDS, for_run, normalise, read_run_file
from graphthb.ingest.loader import load
from graphthb.store import Store, open_store

DESK = "+34910000000"
FRONT = "reception@hotel-sol.example"
HOSTILE = [
    "hotel desk",
    "it's \"the\" desk'); MATCH (n) DETACH DELETE n //",
    "<script>alert('x')</script> & <b>bold</b>",
    "}) RETURN 1 UNION MATCH (m) SET m.key = 'x' //",
]


def _entry(kind: str, value: str, reason: str = "hotel desk") -> dict[str, str]:
    return {"kind": kind, "value": value, "reason": reason, "added_by": "a1", "found_in": "case-17"}


# -- the store's part, on both stores ----------------------------------------------------


def test_entries_are_added_once_and_removed(store: Store) -> None:
    assert store.read_ignored() == []
    added = store.add_ignored([_entry("Phone", DESK), _entry("Phone", DESK, "again")])
    assert [e["value"] for e in added] == [DESK]
    # Adding again changes nothing: the first reason stays.
    assert store.add_ignored([_entry("Phone", DESK, "other")]) == []
    assert [(e["kind"], e["value"], e["reason"]) for e in store.read_ignored()] == [
        ("Phone", DESK, "hotel desk")
    ]
    assert store.remove_ignored("Phone", DESK)["reason"] == "hotel desk"
    assert store.remove_ignored("Phone", DESK) is None
    assert store.read_ignored() == []


def test_hostile_values_stay_data(store: Store) -> None:
    entries = [_entry("Agency", f"agency {i} {r}", r) for i, r in enumerate(HOSTILE)]
    store.merge_nodes("Ad", pd.DataFrame({"key": ["s/1"], "text": ["an ad"]}))
    assert len(store.add_ignored(entries)) == len(HOSTILE)
    back = store.read_ignored()
    assert sorted(e["reason"] for e in back) == sorted(HOSTILE)
    assert sorted(e["value"] for e in back) == sorted(e["value"] for e in entries)
    # Nothing ran: the ad is still there, and the list is no part of the graph's counts.
    assert store.count_nodes()["Ad"] == 1
    assert "GraphthbIgnore" not in store.count_nodes()


def test_purge_keeps_the_list(store: Store) -> None:
    store.merge_nodes(
        "Ad", pd.DataFrame({"key": ["crawl/1", "other/1"], "source": ["crawl", "other"]})
    )
    store.merge_nodes("Phone", pd.DataFrame({"key": [DESK]}))
    store.merge_edges(
        ("HAS_PHONE", "Ad", "Phone"),
        pd.DataFrame({"src": ["crawl/1"], "dst": [DESK], "source": ["crawl"]}),
    )
    store.add_ignored([_entry("Phone", DESK, HOSTILE[1])])
    removed = store.purge_source("crawl")
    assert removed["Ad"] == 1 and removed["Phone"] == 1
    # The embedded store was rebuilt into a new file (compact): the list came along.
    assert [(e["value"], e["reason"], e["found_in"]) for e in store.read_ignored()] == [
        (DESK, HOSTILE[1], "case-17")
    ]


def test_an_embedded_store_without_a_list_reads_empty_and_the_first_entry_makes_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.lbug"
    with open_store(str(path)) as s:
        load(s, [_records(tmp_path / "records.csv")], [], rejects=tmp_path / "r.csv")
        # A load does not make the table: on a nearly full disk it has no room
        # for what it does not need (tests/test_load.py's full-disk tests).
        assert "GraphthbIgnore" not in s._tables()
    with open_store(str(path), read_only=True) as s:
        assert s.read_ignored() == []
    with open_store(str(path)) as s:
        assert s.add_ignored([_entry("Phone", DESK)])
        assert s.add_ignored([]) == []
    with open_store(str(path), read_only=True) as s:
        assert [e["value"] for e in s.read_ignored()] == [DESK]


# -- normalising values as a load does ----------------------------------------------------


def test_values_are_normalised_as_a_load_normalises_them() -> None:
    assert set(KINDS) == set(IDENTIFIER_RELS.values())
    assert normalise("phone", "+34 910 00 00 00") == ("Phone", DESK)
    assert normalise("Phone", "0034-910-000-000") == ("Phone", DESK)
    assert normalise("phone", "910 00 00 00", "Spain") == ("Phone", DESK)
    assert normalise("email", " Reception@Hotel-Sol.example ") == ("Email", FRONT)
    assert normalise("handle", "tg: @Desk_Hotel") == ("Handle", "telegram:desk_hotel")
    # A WhatsApp handle is its number, as in a load.
    assert normalise("handle", "wa.me/34910000000") == ("Phone", DESK)
    with pytest.raises(InputError, match="give --country"):
        normalise("phone", "910 00 00 00")
    with pytest.raises(InputError, match="unknown kind 'person'"):
        normalise("person", "P-1")
    with pytest.raises(InputError, match="not a valid email"):
        normalise("email", "<script>@")
    with pytest.raises(InputError, match="not a country"):
        normalise("phone", "910000000", "Atlantis")


# -- the commands ---------------------------------------------------------------------


def _run(args: list[str], db: Path, **kw: object) -> object:
    result = CliRunner().invoke(main, ["--db", str(db), *args], **kw)
    assert "Traceback" not in result.output
    return result


def test_add_list_export_import_round_trip(tmp_path: Path) -> None:
    one, two = tmp_path / "case-17.lbug", tmp_path / "case-18.lbug"
    assert (
        _run(
            ["ignore", "add", "phone", "910 00 00 00", "--country", "ES", "--reason", "hotel desk"],
            one,
        ).exit_code
        == 0
    )
    for i, reason in enumerate(HOSTILE):
        r = _run(["ignore", "add", "agency", f'=HYPERLINK("x") {i}', "--reason", reason], one)
        assert r.exit_code == 0, r.output
    r = _run(["ignore", "add", "email", FRONT, "--reason", "front desk", "--case", "case 17"], one)
    assert r.exit_code == 0 and f"on the ignore list: email {FRONT}" in r.output
    again = _run(["ignore", "add", "phone", "+34910000000", "--reason", "x"], one)
    assert again.exit_code == 0 and "already on the ignore list" in again.output

    listed = json.loads(_run(["ignore", "list", "--format", "json"], one).stdout)
    assert len(listed) == 2 + len(HOSTILE)
    by_value = {e["value"]: e for e in listed}
    assert by_value[DESK]["reason"] == "hotel desk"
    assert by_value[FRONT]["found_in"] == "case 17"
    assert by_value[DESK]["found_in"] == str(one)
    table = _run(["ignore", "list"], one).stdout
    assert DESK in table and f"({len(listed)} rows)" in table

    out = tmp_path / "ignore.csv"
    assert _run(["ignore", "export", "-o", str(out)], one).exit_code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # A formula-looking value is quoted for spreadsheets, and still reads back exactly.
    assert any(r["value"].startswith("'=") for r in rows)

    first = _run(["ignore", "import", str(out)], two)
    assert first.exit_code == 0, first.output
    assert f"added {len(listed)}, already listed 0, rejected 0" in first.output
    second = _run(["ignore", "import", str(out)], two)
    assert f"added 0, already listed {len(listed)}, rejected 0" in second.output
    assert json.loads(_run(["ignore", "list", "--format", "json"], two).stdout) == listed


def test_import_sends_bad_rows_to_the_rejects_file(tmp_path: Path) -> None:
    db = tmp_path / "case.lbug"
    sheet = tmp_path / "list.csv"
    sheet.write_text(
        "kind,value,reason\n"
        "phone,+34 910 000 000,hotel desk\n"
        "phone,910 000 001,no country\n"
        "fax,123,unknown kind\n"
        "email,not-an-email,bad value\n"
        f"email,{FRONT},\n"
        "\n"
        f"email,{FRONT},front desk,extra\n"
        'handle,telegram:@desk_2,"quoted, with comma"\n',
        encoding="utf-8",
    )
    r = _run(["ignore", "import", str(sheet)], db)
    assert r.exit_code == 0, r.output
    assert "read 7, added 2, already listed 0, rejected 5" in r.output
    with (tmp_path / "ignore-rejects.csv").open(encoding="utf-8", newline="") as fh:
        rejects = list(csv.DictReader(fh))
    assert [x["line"] for x in rejects] == ["3", "4", "5", "6", "8"]
    problems = [x["problem"] for x in rejects]
    assert "give --country" in problems[0] and "unknown kind 'fax'" in problems[1]
    assert "not a valid email" in problems[2] and "give a --reason" in problems[3]
    assert "4 cells, header has 3" in problems[4]
    assert all(x["file"] == str(sheet) for x in rejects)
    # With --country the national number is usable; the rest are already listed.
    r = _run(
        ["ignore", "import", str(sheet), "--country", "ES", "--rejects", str(tmp_path / "r.csv")],
        db,
    )
    assert "read 7, added 1, already listed 2, rejected 4" in r.output

    nothing = tmp_path / "nothing.csv"
    nothing.write_text("kind,value,reason\nfax,1,x\n", encoding="utf-8")
    r = _run(["ignore", "import", str(nothing)], db)
    assert r.exit_code == 1 and "no usable row" in r.output
    headless = tmp_path / "headless.csv"
    headless.write_text("phone,+34910000000\n", encoding="utf-8")
    r = _run(["ignore", "import", str(headless)], db)
    assert r.exit_code == 1 and "the header has no kind, value, reason column" in r.output
    r = _run(["ignore", "import", str(tmp_path / "absent.csv")], db)
    assert r.exit_code == 1 and "cannot read" in r.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes("kind,value,reason\nagency,Caf\xe9,x\n".encode("latin-1"))
    r = _run(["ignore", "import", str(latin)], db)
    assert r.exit_code == 1 and "not UTF-8" in r.output
    assert len(json.loads(_run(["ignore", "list", "--format", "json"], db).stdout)) == 3


def test_bad_values_are_one_line_errors(tmp_path: Path) -> None:
    db = tmp_path / "case.lbug"
    for args, said in [
        (["ignore", "add", "phone", "12345", "--reason", "x"], "not a valid phone number"),
        (["ignore", "add", "phone", "910000000", "--reason", "x"], "give --country"),
        (["ignore", "add", "fax", "1", "--reason", "x"], "unknown kind 'fax'"),
        (["ignore", "add", "phone", DESK, "--reason", "  "], "give a --reason"),
        (["ignore", "remove", "phone", DESK], "is not on the ignore list; nothing changed"),
        (["ignore", "export", "-o", str(db)], "store's own file"),
    ]:
        r = _run(args, db)
        assert r.exit_code == 1, (args, r.output)
        assert said in r.output and len(r.output.strip().splitlines()) == 1, r.output
    r = _run(["ignore", "add", "phone", DESK], db)
    assert r.exit_code == 2 and "--reason" in r.output


def test_every_change_is_in_the_audit_trail(tmp_path: Path) -> None:
    db = tmp_path / "case.lbug"
    sheet = tmp_path / "list.csv"
    sheet.write_text(f"kind,value,reason\nemail,{FRONT},front desk\n", encoding="utf-8")
    _run(["--reason", "case 17", "ignore", "add", "phone", DESK, "--reason", "hotel desk"], db)
    _run(["ignore", "import", str(sheet)], db)
    _run(["ignore", "remove", "phone", DESK], db)
    entries = AuditTrail(Path(str(db) + ".audit.jsonl")).entries()
    ends = [e for e in entries if e["outcome"] != "started"]
    assert [e["command"] for e in ends] == ["ignore add", "ignore import", "ignore remove"]
    assert ends[0]["reason"] == "case 17" and f"value={DESK}" in ends[0]["args"]
    assert ends[1]["changed"] == [f"added email:{FRONT}"] and ends[1]["touched"] == 1
    assert "changed" not in ends[0]
    assert all(e["outcome"] == "ok" for e in ends)
    # The writing commands moved the store's head: the trail verifies against it.
    r = _run(["audit", "verify"], db)
    assert r.exit_code == 0 and "found in the trail" in r.output


# -- cluster ----------------------------------------------------------------------------


def _records(path: Path) -> Path:
    """Two ads bound by the hotel desk alone; two bound by a phone and a front-desk
    address; independents with phones of their own."""
    rows = [
        ("a1", "Ana", "ES", DESK, ""),
        ("a2", "Bea", "ES", DESK, ""),
        ("b1", "Cleo", "ES", "+34611000002", FRONT),
        ("b2", "Dana", "ES", "+34611000002", FRONT),
    ] + [(f"i{n}", "Eva", "PT", f"+35191200000{n}", "") for n in range(4)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "source", "persona", "country", "phones", "emails"])
        w.writerows([(r, "crawl", *rest) for r, *rest in rows])
    return path


def _groups(db: Path) -> list[list[str]]:
    out = json.loads(_run(["groups", "--all", "--format", "json"], db).stdout)
    return sorted(sorted(g["ads"]) for g in out)


def test_a_listed_phone_splits_what_it_alone_bound(tmp_path: Path) -> None:
    db = tmp_path / "case.lbug"
    assert _run(["load", str(_records(tmp_path / "records.csv"))], db).exit_code == 0
    assert _run(["cluster"], db).exit_code == 0
    default = json.loads(_run(["groups", "--all", "--format", "json"], db).stdout)
    assert ["crawl/a1", "crawl/a2"] in _groups(db)

    _run(["ignore", "add", "phone", DESK, "--reason", "hotel desk"], db)
    _run(["ignore", "add", "email", FRONT, "--reason", "front desk <b>"], db)
    r = _run(["cluster"], db)
    assert r.exit_code == 0, r.output
    assert (
        "note: 2 identifier(s) on the ignore list set aside (carried by 4 ad link(s))" in r.stderr
    )
    found = _groups(db)
    assert ["crawl/a1"] in found and ["crawl/a2"] in found
    # The phone and address the analyst listed do not bind b1 and b2; their own phone does.
    assert ["crawl/b1", "crawl/b2"] in found
    groups = json.loads(_run(["groups", "--all", "--format", "json"], db).stdout)
    pair = next(g for g in groups if sorted(g["ads"]) == ["crawl/b1", "crawl/b2"])
    front = next(e for e in pair["evidence"] if e["key"] == FRONT)
    assert front["generic"] and front["set_aside"] == "on the ignore list (front desk <b>)"
    shown = " ".join(_run(["show", pair["group_id"], "--evidence"], db).stdout.split())
    assert (
        f"email {FRONT}: in 2 of these ads; set aside: on the ignore list (front desk <b>)" in shown
    )

    # Off the list again, the result is the default one, id for id.
    _run(["ignore", "remove", "phone", DESK], db)
    _run(["ignore", "remove", "email", FRONT], db)
    r = _run(["cluster"], db)
    assert "ignore list" not in r.stderr
    again = json.loads(_run(["groups", "--all", "--format", "json"], db).stdout)
    assert again == default
    assert all("set_aside" not in e for g in again for e in g["evidence"])


def test_an_ignore_file_for_one_run(tmp_path: Path) -> None:
    db = tmp_path / "case.lbug"
    _run(["load", str(_records(tmp_path / "records.csv"))], db)
    lines = tmp_path / "ignore.txt"
    lines.write_text(f"# desks\nphone:{DESK}\n", encoding="utf-8")
    sheet = tmp_path / "ignore.csv"
    sheet.write_text(f"kind,value,reason\nphone,{DESK},hotel desk\n", encoding="utf-8")
    for given in (lines, sheet):
        r = _run(["cluster", "--ignore", str(given)], db)
        assert r.exit_code == 0 and "1 identifier(s) on the ignore list" in r.stderr
        assert ["crawl/a1"] in _groups(db)
    # Only for that run: the store's list is still empty.
    assert _run(["ignore", "list", "--format", "json"], db).stdout.strip() == "[]"
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,value,reason\nphone,123,x\n", encoding="utf-8")
    r = _run(["cluster", "--ignore", str(bad)], db)
    assert r.exit_code == 1 and f"{bad}:2: '123' is not a valid phone number" in r.output
    assert read_run_file(sheet) == {("Phone", DESK): "hotel desk"}


@pytest.mark.neo4j
def test_cluster_on_neo4j_uses_the_stored_list(neo4j_store: Store, tmp_path: Path) -> None:

    load(neo4j_store, [_records(tmp_path / "records.csv")], [], rejects=tmp_path / "r.csv")
    neo4j_store.add_ignored([_entry("Phone", DESK)])
    result = cluster(neo4j_store, settings=Settings(ignore=for_run(neo4j_store)), write=False)
    members = sorted(sorted(g.members) for g in result.groups)
    assert ["crawl/a1"] in members and ["crawl/b1", "crawl/b2"] in members
    assert any("1 identifier(s) on the ignore list" in n for n in result.notes)


def test_ignore_add_then_cluster_in_a_real_terminal(tmp_path: Path) -> None:
    """As an analyst types it: `script` gives the commands a real pty."""
    if shutil.which("script") is None:
        pytest.skip("util-linux `script` is not installed")
    _records(tmp_path / "records.csv")
    exe = Path(sys.executable).with_name("graphthb")
    cmd = (
        f"{exe} load records.csv && "
        f"{exe} ignore add phone '+34 910 00 00 00' --reason 'hotel desk' && {exe} cluster"
    )
    env = {**os.environ, "GRAPHTHB_DB": str(tmp_path / "case.lbug"), "TERM": "xterm"}
    done = subprocess.run(
        ["script", "-qec", cmd, "/dev/null"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    assert f"on the ignore list: phone {DESK} (hotel desk)" in done.stdout
    assert "1 identifier(s) on the ignore list set aside (carried by 2 ad link(s))" in done.stdout
    assert "Traceback" not in done.stdout


def test_every_ignore_command_has_help_and_an_example() -> None:
    runner = CliRunner()
    assert "ignore" in runner.invoke(main, ["--help"]).output
    for sub in ("add", "remove", "list", "export", "import"):
        result = runner.invoke(main, ["ignore", sub, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, sub
