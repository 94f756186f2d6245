"""Deletion: a purged source leaves the store as if it had never been loaded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from graphthb.cli import main
from graphthb.errors import NotFoundError
from graphthb.exporting import export
from graphthb.schema import SCHEMA
from graphthb.store import Store, open_store


def _source(store: Store, source: str, ads: list[str], phone_of: dict[str, str]) -> None:
    store.write_batch(
        {
            "Ad": pd.DataFrame({"key": ads, "source": source, "title": [f"ad {a}" for a in ads]}),
            "Phone": pd.DataFrame({"key": sorted(set(phone_of.values()))}),
            "Person": pd.DataFrame({"key": [f"P-{source}"], "role": ["suspect"]}),
        },
        {
            ("HAS_PHONE", "Ad", "Phone"): pd.DataFrame(
                {"src": list(phone_of), "dst": list(phone_of.values()), "source": source}
            ),
            ("USES", "Person", "Phone"): pd.DataFrame(
                {
                    "src": [f"P-{source}"],
                    "dst": [next(iter(phone_of.values()))],
                    "source": source,
                    "relation": "USES",
                }
            ),
        },
    )


def _load_a(store: Store) -> None:
    # Source a also names an ad of source b, so a fact of a touches b's ad.
    _source(
        store, "a", ["a1", "a2"], {"a1": "+31612345678", "a2": "+31611111111", "b1": "+31611111111"}
    )


def _load_b(store: Store) -> None:
    _source(store, "b", ["b1", "b2"], {"b1": "+31612345678", "b2": "+32470123456"})


def _snapshot(store: Store) -> dict[str, list]:
    snap = {}
    for kind in SCHEMA.nodes:
        snap[kind] = sorted(map(tuple, store.read_nodes(kind).astype(str).to_numpy().tolist()))
    for rel in SCHEMA.relationships:
        snap[rel] = sorted(map(tuple, store.read_rel(rel).astype(str).to_numpy().tolist()))
    return snap


def test_purge_equals_never_loaded(store: Store, tmp_path) -> None:
    _load_b(store)
    _load_a(store)
    store.write_groups(
        pd.DataFrame({"key": ["G-1"], "score": [1.0], "size": [1]}),
        pd.DataFrame({"src": ["a1"], "dst": ["G-1"], "source": "graphthb cluster"}),
    )
    removed = store.purge_source("a")
    assert removed["Ad"] == 2 and removed["HAS_PHONE"] == 3 and removed["Group"] == 1
    assert (
        removed["Phone"] == 1 and removed["Person"] == 1
    )  # +31611111111 and P-a had only a's facts
    with open_store(str(tmp_path / "never.lbug")) as never:
        _load_b(never)
        assert _snapshot(store) == _snapshot(never)


def test_purge_of_an_unknown_source_changes_nothing(store: Store) -> None:
    _load_b(store)
    before = _snapshot(store)
    with pytest.raises(NotFoundError, match="no fact comes from source 'zzz'"):
        store.purge_source("zzz")
    assert _snapshot(store) == before


# -- nothing of a purged source stays readable ---------------------------------------

#: What source "sweep-a" writes that no other source does: a word in its ads'
#: text, its spelling of an agency, a city and a platform that source "sweep-b"
#: also names (so those nodes survive the purge), and a rejected row.
MARKERS = ("QX7-PURGE-MARK", "RÔSA  ÉSCORT", "ŽÜRICH", "AdsMarket.EXAMPLE")

_COLUMNS = "record_id,source,collected_at,platform,title,text,city,country,phones,agency"


def _inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    files = {
        "b": folder / "b.csv",
        "a": folder / "a.csv",
        "links_b": folder / "links-b.csv",
        "links_a": folder / "links-a.csv",
    }
    files["b"].write_text(
        f"{_COLUMNS}\n"
        "B-1,sweep-b,2025-03-01T10:00:00Z,adsmarket.example,Lea in Zurich,new here,"
        "Zurich,CH,+41791234567,Rosa Escort\n"
        "B-2,sweep-b,2025-03-02T10:00:00Z,adsmarket.example,Mia,call me,Zurich,CH,"
        "+41797654321,\n"
        ",sweep-b,2025-03-02T10:00:00Z,,no id,KEEP-B-REJECT,,,,\n",
        encoding="utf-8",
    )
    files["a"].write_text(
        f"{_COLUMNS}\n"
        "A-1,sweep-a,2025-04-01T10:00:00Z,AdsMarket.EXAMPLE,Lea QX7-PURGE-MARK,"
        "ring QX7-PURGE-MARK,ŽÜRICH,CH,+41791234567,RÔSA  ÉSCORT\n"
        ",sweep-a,2025-04-01T10:00:00Z,,rejected,QX7-PURGE-MARK,,,,\n",
        encoding="utf-8",
    )
    head = "subject_kind,subject,relation,object_kind,object,role,source,observed_at,note\n"
    files["links_b"].write_text(
        head + "person,P-9,USES,phone,+41797654321,,sweep-b,2025-03-05,seen by b\n",
        encoding="utf-8",
    )
    files["links_a"].write_text(
        head + "person,P-9,USES,phone,+41791234567,controller,sweep-a,2025-04-05,QX7-PURGE-MARK\n",
        encoding="utf-8",
    )
    return files


def _cli(db: str, *args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(main, ["--db", db, *args], env=env or {})
    assert result.exit_code == 0, result.output
    return result.output


def _hits(folder: Path) -> dict[str, list[str]]:
    """Which markers each file under ``folder`` holds, read as raw bytes."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            hits = [m for m in MARKERS if m.encode() in data]
            if hits:
                found[str(path.relative_to(folder))] = hits
    return found


def _outputs(db: str, out: Path, env: dict[str, str] | None = None) -> None:
    """An export in every format and a view of the shared phone, written under ``out``."""
    out.mkdir()
    for fmt in ("json", "graphml", "gexf"):
        _cli(db, "export", "--format", fmt, "--reveal", "-o", str(out / f"case.{fmt}"), env=env)
    _cli(db, "export", "--format", "csv", "--reveal", "-o", str(out / "csv"), env=env)
    _cli(db, "view", "--around", "phone:+41791234567", "--hops", "3", "--reveal",
         "-o", str(out / "around.html"), env=env)  # fmt: skip


def _load_both(db: str, inputs: dict[str, Path], env: dict[str, str] | None = None) -> None:
    _cli(db, "load", str(inputs["b"]), str(inputs["a"]), "--links", str(inputs["links_b"]),
         "--links", str(inputs["links_a"]), env=env)  # fmt: skip


def test_purge_leaves_no_byte_of_the_source_in_store_files_exports_or_views(
    tmp_path: Path,
) -> None:
    inputs = _inputs(tmp_path / "in")
    case = tmp_path / "case"
    case.mkdir()
    db = str(case / "case.lbug")
    _load_both(db, inputs)
    _outputs(db, tmp_path / "before")
    # The search finds the markers where they are: the test can fail.
    assert set(_hits(case)) >= {"case.lbug", "rejects.csv"}
    assert {"case.json", "case.graphml", "case.gexf", "around.html"} <= set(
        _hits(tmp_path / "before")
    )

    out = _cli(db, "--reason", "retention ended", "purge", "--source", "sweep-a", "--yes")
    assert "removed 1 Ad" in out and "removed 1 rejected rows" in out

    assert _hits(case) == {}
    _outputs(db, tmp_path / "after")
    assert _hits(tmp_path / "after") == {}

    # What sweep-b wrote is all there, spelled as sweep-b spelled it.
    with open_store(db) as store:
        ads = store.read_nodes("Ad").set_index("key")
        assert sorted(ads["record_id"]) == ["B-1", "B-2"] and set(ads["source"]) == {"sweep-b"}
        assert store.read_nodes("Agency")[["key", "name"]].values.tolist() == [
            ["rosa escort", "Rosa Escort"]
        ]
        assert store.read_nodes("Location")[["city", "country"]].values.tolist() == [
            ["Zurich", "CH"]
        ]
        assert store.read_nodes("Platform")["name"].tolist() == ["adsmarket.example"]
        # P-9's role came from sweep-a's links row only: cleared, the person stays.
        assert store.read_nodes("Person")[["key", "role"]].fillna("").values.tolist() == [
            ["P-9", ""]
        ]
        phones = store.read_rel("HAS_PHONE", ["source"])
        assert sorted(phones["src"]) == sorted(ads.index) and set(phones["source"]) == {"sweep-b"}
    rejects = (case / "rejects.csv").read_text(encoding="utf-8")
    assert "KEEP-B-REJECT" in rejects and rejects.count("\n") == 2
    assert "chain intact" in _cli(db, "audit", "verify")


def test_purge_rebuild_keeps_every_remaining_row_and_type(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path / "in")
    db = str(tmp_path / "case.lbug")
    _load_both(db, inputs)
    with open_store(db) as store:
        store.purge_source("sweep-a")
        after = _snapshot(store)
        kinds = store.read_nodes("Ad").dtypes.astype(str).to_dict()
    with open_store(str(tmp_path / "never.lbug")) as never:
        from graphthb.ingest.loader import load

        load(never, [inputs["b"]], [inputs["links_b"]], rejects=tmp_path / "r.csv")
        assert after == _snapshot(never)
        assert kinds == never.read_nodes("Ad").dtypes.astype(str).to_dict()


def test_purge_rederives_shared_nodes_on_both_stores(store: Store, tmp_path: Path) -> None:
    """The contract part, on each backend: shared nodes lose the purged spelling."""

    def batch(source: str, ad: str, at: str, agency: str, city: str, role: str | None):
        store.write_batch(
            {
                "Ad": pd.DataFrame(
                    {
                        "key": [ad],
                        "source": source,
                        "agency": agency,
                        "city": city,
                        "country": "CH",
                        "text": f"text of {source}",
                    }
                ),  # fmt: skip
                "Agency": pd.DataFrame({"key": ["rosa escort"], "name": [agency]}),
                "Location": pd.DataFrame({"key": ["CH|zurich"], "city": [city], "country": "CH"}),
                "Person": pd.DataFrame({"key": ["P-9"], "role": [role]}),
            },
            {
                ("NAMES_AGENCY", "Ad", "Agency"): pd.DataFrame(
                    {"src": [ad], "dst": ["rosa escort"], "source": source, "observed_at": at}
                ),
                ("LOCATED_IN", "Ad", "Location"): pd.DataFrame(
                    {"src": [ad], "dst": ["CH|zurich"], "source": source, "observed_at": at}
                ),
                ("APPEARS_IN", "Person", "Ad"): pd.DataFrame(
                    {"src": ["P-9"], "dst": [ad], "source": source, "relation": "APPEARS_IN"}
                ),
            },
        )

    batch("b", "b1", "2025-01-01", "Rosa Escort", "Zurich", None)
    batch("c", "c1", "2025-02-01", "Rosa escort", "Zürich", None)
    batch("a", "a1", "2025-03-01", MARKERS[1], MARKERS[2], "controller")
    assert store.read_nodes("Agency")["name"].tolist() == [MARKERS[1]]
    removed = store.purge_source("a")
    assert removed["Ad"] == 1 and removed["re-derived Agency"] == 1
    # The latest remaining observation gives the value (source c, February).
    assert store.read_nodes("Agency")["name"].tolist() == ["Rosa escort"]
    assert store.read_nodes("Location")[["city", "country"]].values.tolist() == [["Zürich", "CH"]]
    assert store.read_nodes("Person")["role"].isna().all()
    for fmt in ("json", "graphml", "gexf", "csv"):
        files, _ = export(store, fmt, tmp_path / f"out-{fmt}", reveal=True)
        for f in files:
            data = f.read_bytes()
            assert not [m for m in MARKERS if m.encode() in data], f
    # A node no remaining ad names (an analyst's assertion holds it) keeps what
    # its key says, never the purged spelling.
    store.write_batch(
        {
            "Ad": pd.DataFrame({"key": ["a2"], "source": "a", "agency": "ZÉTA  CLUB"}),
            "Agency": pd.DataFrame({"key": ["zeta club"], "name": ["ZÉTA  CLUB"]}),
        },
        {
            ("NAMES_AGENCY", "Ad", "Agency"): pd.DataFrame(
                {"src": ["a2"], "dst": ["zeta club"], "source": "a"}
            ),
            ("USES", "Person", "Agency"): pd.DataFrame(
                {"src": ["P-9"], "dst": ["zeta club"], "source": "b", "relation": "USES"}
            ),
        },
    )
    store.purge_source("a")
    names = dict(store.read_nodes("Agency")[["key", "name"]].values.tolist())
    assert names == {"rosa escort": "Rosa escort", "zeta club": "zeta club"}


@pytest.mark.neo4j
def test_purge_on_neo4j_leaves_nothing_in_exports_views_or_rejects(
    neo4j_server: dict[str, str], neo4j_store: Store, tmp_path: Path
) -> None:
    """The same markers through the command line on a real Neo4j server; the
    server's own files are its administrator's (docs/data-protection.md)."""
    inputs = _inputs(tmp_path / "in")
    case = tmp_path / "case"
    case.mkdir()
    rejects = case / "rejects.csv"
    env = {
        "GRAPHTHB_AUDIT": str(case / "audit.jsonl"),
        "NEO4J_USERNAME": neo4j_server["user"],
        "NEO4J_PASSWORD": neo4j_server["password"],
    }
    db = neo4j_server["uri"]
    _cli(db, "load", str(inputs["b"]), str(inputs["a"]), "--links", str(inputs["links_b"]),
         "--links", str(inputs["links_a"]), "--rejects", str(rejects), env=env)  # fmt: skip
    _outputs(db, tmp_path / "before", env=env)
    assert "case.json" in _hits(tmp_path / "before") and "rejects.csv" in _hits(case)
    out = _cli(db, "purge", "--source", "sweep-a", "--rejects", str(rejects), "--yes", env=env)
    assert "removed 1 rejected rows" in out
    _outputs(db, tmp_path / "after", env=env)
    assert _hits(tmp_path / "after") == {} and _hits(case) == {}
    assert neo4j_store.read_nodes("Agency")["name"].tolist() == ["Rosa Escort"]
    assert sorted(neo4j_store.read_nodes("Ad")["record_id"]) == ["B-1", "B-2"]
    assert "KEEP-B-REJECT" in rejects.read_text(encoding="utf-8")
    assert "chain intact" in _cli(db, "audit", "verify", env=env)


def test_purge_keeps_the_other_sources_ad_with_the_same_record_id(store: Store) -> None:
    """Deletion goes by the ad's own source, never by its record_id."""
    store.write_batch(
        {
            "Ad": pd.DataFrame(
                {
                    "key": ["a/R-1", "b/R-1"],
                    "record_id": "R-1",
                    "source": ["a", "b"],
                    "title": ["of a", "of b"],
                }
            ),  # fmt: skip
            "Phone": pd.DataFrame({"key": ["+31612345678"]}),
        },
        {
            ("HAS_PHONE", "Ad", "Phone"): pd.DataFrame(
                {"src": ["a/R-1", "b/R-1"], "dst": ["+31612345678"] * 2, "source": ["a", "b"]}
            )
        },
    )
    store.purge_source("a")
    ads = store.read_nodes("Ad")
    assert ads[["key", "record_id", "source", "title"]].values.tolist() == [
        ["b/R-1", "R-1", "b", "of b"]
    ]
    assert store.read_rel("HAS_PHONE", ["source"])["src"].tolist() == ["b/R-1"]
