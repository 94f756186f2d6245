"""Exports for Gephi, neo4j-admin and scripts, with potential victims minimised."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from graphthb.cli import main
from graphthb.exporting import export
from graphthb.store import Store, open_store


@pytest.fixture
def case(embedded_store: Store) -> Store:
    embedded_store.write_batch(
        {
            "Ad": pd.DataFrame({"key": ["r1", "r2"], "persona": ["Anna", "Mia"], "age": [19, 30]}),
            "Phone": pd.DataFrame({"key": ["+31612345678"]}),
            "Image": pd.DataFrame({"key": ["00ff00ff00ff00ff", "1111222233334444"]}),
            "Person": pd.DataFrame({"key": ["P-1"], "role": ["potential_victim"]}),
        },
        {
            ("HAS_PHONE", "Ad", "Phone"): pd.DataFrame(
                {"src": ["r1", "r2"], "dst": ["+31612345678"] * 2, "source": "s"}
            ),
            ("HAS_IMAGE", "Ad", "Image"): pd.DataFrame(
                {
                    "src": ["r1", "r2"],
                    "dst": ["00ff00ff00ff00ff", "1111222233334444"],
                    "source": "s",
                }
            ),
            ("APPEARS_IN", "Person", "Ad"): pd.DataFrame(
                {"src": ["P-1"], "dst": ["r1"], "source": "links", "relation": "APPEARS_IN"}
            ),
        },
    )
    return embedded_store


def test_json_export_minimises_potential_victims(case: Store, tmp_path: Path) -> None:
    files, notes = export(case, "json", tmp_path / "case.json")
    doc = json.loads(files[0].read_text())
    ads = {n["key"]: n for n in doc["nodes"] if n["kind"] == "Ad"}
    assert ads["r2"]["persona"] == "Mia" and ads["r2"]["age"] == 30
    assert ads["r1"]["persona"] == "persona-1" and ads["r1"]["age"] is None
    images = {n["key"] for n in doc["nodes"] if n["kind"] == "Image"}
    assert "00ff00ff00ff00ff" not in images and "1111222233334444" in images
    assert "Potential victims protected" in notes[0] and "(1 ad)" in notes[0]
    revealed, notes = export(case, "json", tmp_path / "open.json", reveal=True)
    doc = json.loads(revealed[0].read_text())
    assert {n["persona"] for n in doc["nodes"] if n["kind"] == "Ad"} == {"Anna", "Mia"}
    assert "--reveal" in notes[0] and "Shown as recorded" in notes[0]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_gephi_formats_read_back(case: Store, tmp_path: Path, fmt: str) -> None:
    files, _ = export(case, fmt, tmp_path / f"case.{fmt}", reveal=True)
    graph = nx.read_graphml(files[0]) if fmt == "graphml" else nx.read_gexf(files[0])
    assert graph.number_of_nodes() == 6 and graph.number_of_edges() == 5
    assert graph.nodes["Ad:r1"]["persona"] == "Anna"


def test_csv_in_neo4j_admin_layout(case: Store, tmp_path: Path) -> None:
    files, _ = export(case, "csv", tmp_path / "import", reveal=True)
    names = sorted(p.name for p in files)
    assert (
        "nodes_Ad.csv" in names and "rels_HAS_PHONE_Ad_Phone.csv" in names and "IMPORT.txt" in names
    )
    with (tmp_path / "import" / "rels_HAS_PHONE_Ad_Phone.csv").open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:2] == [":START_ID(Ad)", ":END_ID(Phone)"] and rows[0][-1] == ":TYPE"
    assert sorted(r[0] for r in rows[1:]) == ["r1", "r2"]
    with (tmp_path / "import" / "nodes_Ad.csv").open() as fh:
        header = next(csv.reader(fh))
    assert header[0] == "key:ID(Ad)" and "age:long" in header and header[-1] == ":LABEL"


# -- hostile text in exports -------------------------------------------------------------

CONTROL = "call\x0bme\x1b[31m now\x00\x7f\x08 end"


@pytest.fixture
def hostile(embedded_store: Store) -> Store:
    embedded_store.write_batch(
        {
            "Ad": pd.DataFrame(
                {"key": ["r1", "r\x01x"], "title": [CONTROL, '=HYPERLINK("http://x")']}
            ),
            "Phone": pd.DataFrame({"key": ["+31612345678"]}),
        },
        {
            ("HAS_PHONE", "Ad", "Phone"): pd.DataFrame(
                {"src": ["r1", "r\x01x"], "dst": ["+31612345678"] * 2, "source": "s\x02"}
            )
        },
    )
    return embedded_store


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_control_characters_do_not_break_xml_exports(
    hostile: Store, tmp_path: Path, fmt: str
) -> None:
    files, notes = export(hostile, fmt, tmp_path / f"case.{fmt}", reveal=True)
    graph = nx.read_graphml(files[0]) if fmt == "graphml" else nx.read_gexf(files[0])
    assert graph.number_of_nodes() == 3 and graph.number_of_edges() == 2
    title = graph.nodes["Ad:r1"]["title"]
    assert title == "call\ufffdme\ufffd[31m now\ufffd\x7f\ufffd end"  # DEL is legal XML
    assert "Ad:r\ufffdx" in graph.nodes
    assert any("6 values held characters XML cannot carry" in n for n in notes), notes


def test_json_and_neo4j_admin_csv_keep_values_exact(hostile: Store, tmp_path: Path) -> None:
    files, _ = export(hostile, "json", tmp_path / "case.json", reveal=True)
    doc = json.loads(files[0].read_text(encoding="utf-8"))
    titles = {n["title"] for n in doc["nodes"] if n["kind"] == "Ad"}
    assert titles == {CONTROL, '=HYPERLINK("http://x")'}
    export(hostile, "csv", tmp_path / "import", reveal=True)
    with (tmp_path / "import" / "nodes_Ad.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # The neo4j-admin layout is data for an import, not a spreadsheet: unchanged.
    assert {r["title"] for r in rows} == {'=HYPERLINK("http://x")', CONTROL}
    assert "--multiline-fields=true" in (tmp_path / "import" / "IMPORT.txt").read_text()


def test_spreadsheet_csv_neutralises_formulas(tmp_path: Path) -> None:
    from graphthb.output import render

    rows = [
        ["=1+1", "+1+cmd|' /C calc'!A0", "-2+HYPERLINK(\"x\")", "@SUM(A1)", "\tx", "\rx",
         "plain", "a\rb", -5, 2.5, None, "+31612345678", "-12.5"]
    ]  # fmt: skip
    out = render([f"c{i}" for i in range(13)], rows, "csv")
    cells = list(csv.reader(io.StringIO(out, newline="")))
    assert len(cells) == 2
    assert cells[1] == ["'=1+1", "'+1+cmd|' /C calc'!A0", "'-2+HYPERLINK(\"x\")", "'@SUM(A1)",
                        "'\tx", "'\rx", "plain", "a\rb", "-5", "2.5", "",
                        "+31612345678", "-12.5"]  # fmt: skip
    # JSON keeps the values as they are.
    assert json.loads(render(["c"], [["=1+1"]], "json")) == [{"c": "=1+1"}]


# -- outputs never overwrite what they do not own ------------------------------------------


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    db = str(folder / "case.lbug")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "load", str(SAMPLE)]).exit_code == 0
    (folder / "rejects.csv").write_text("file,line,kind,reason,row\n")
    return folder


SAMPLE = Path(__file__).parent.parent / "sample_data" / "records.csv"


def _attempts(folder: Path) -> list[tuple[str, list[str]]]:
    fifo = folder.parent / "pipe"
    if not fifo.exists():
        os.mkfifo(fifo)
    link = folder.parent / "innocent.html"
    if not link.is_symlink():
        link.symlink_to(folder / "case.lbug")
    hard = folder.parent / "hard.gexf"
    if not hard.exists():
        os.link(folder / "case.lbug.audit.jsonl", hard)
    targets = [
        str(folder / "case.lbug"),
        str(folder / "case.lbug.audit.jsonl"),
        str(folder / "rejects.csv"),
        str(link),
        str(hard),
        str(fifo),
        "/dev/null",
    ]
    out = []
    for t in targets:
        out.append((t, ["view", "--around", "phone:+31657598389", "-o", t]))
        out.append((t, ["export", "--format", "gexf", "-o", t]))
        out.append((t, ["export", "--format", "json", "-o", t]))
    out.append(
        (str(folder / "case.lbug"), ["export", "--format", "csv", "-o", str(folder / "case.lbug")])
    )  # noqa: E501
    return out


def _fingerprint(path: str) -> tuple[int, int, bytes]:
    st = os.stat(path)
    # The database file changes when the store opens it; its inode must not.
    own = os.path.realpath(path).endswith(".lbug")
    data = b"" if own or not stat.S_ISREG(st.st_mode) else Path(path).read_bytes()
    return st.st_mode, st.st_ino, data


def _kept(after: tuple[int, int, bytes], before: tuple[int, int, bytes]) -> bool:
    # Same file, same content, but for the audit entry the refusal itself appends.
    return after[:2] == before[:2] and after[2].startswith(before[2])


def test_outputs_refuse_the_store_its_trail_devices_and_links_to_them(case_dir: Path) -> None:
    db = str(case_dir / "case.lbug")
    for target, args in _attempts(case_dir):
        before = _fingerprint(target) if os.path.exists(target) else None
        protected = {p: _fingerprint(str(p)) for p in case_dir.iterdir()}
        result = CliRunner().invoke(main, ["--db", db, *args])
        assert result.exit_code == 1, (args, result.output)
        message = result.output.strip().splitlines()[-1]
        assert message.startswith("Error: -o ") and "Traceback" not in result.output, message
        if before is not None:
            assert _kept(_fingerprint(target), before), args
        for p, fp in protected.items():
            assert _kept(_fingerprint(str(p)), fp), (args, p)
        assert not list(case_dir.parent.glob(".*.tmp")) and not list(case_dir.glob(".*.tmp"))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with open_store(db) as store:
        assert store.count_nodes()["Ad"] == 3000


def test_outputs_replace_a_regular_file_whole(case_dir: Path, tmp_path: Path) -> None:
    db = str(case_dir / "case.lbug")
    out = tmp_path / "case.json"
    out.write_text("old")
    result = CliRunner().invoke(main, ["--db", db, "export", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["nodes"]
    # A symlink to an ordinary file is written through: the link stays a link.
    link = tmp_path / "link.json"
    link.symlink_to(out)
    result = CliRunner().invoke(main, ["--db", db, "export", "--format", "gexf", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and out.read_text().startswith("<?xml")


def test_load_rejects_never_overwrite_the_store_or_its_trail(
    case_dir: Path, tmp_path: Path
) -> None:
    db = str(case_dir / "case.lbug")
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,title\n,no id\n")
    for target in ("case.lbug", "case.lbug.audit.jsonl"):
        before = _fingerprint(str(case_dir / target))
        result = CliRunner().invoke(
            main, ["--db", db, "load", str(bad), "--rejects", str(case_dir / target)]
        )
        assert result.exit_code == 1 and "--rejects" in result.output, result.output
        assert "is the store's own file" in result.output
        assert _kept(_fingerprint(str(case_dir / target)), before)
    with open_store(db) as store:
        assert store.count_nodes()["Ad"] == 3000
