"""Exports for Gephi, neo4j-admin and scripts, with potential victims minimised."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from graphthb.exporting import export
from graphthb.store import Store


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
