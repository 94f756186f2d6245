"""The loader end to end on both stores: nothing lost, rejects with reasons, idempotent."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphthb.errors import InputError
from graphthb.ingest.loader import load
from graphthb.ingest.records import GraphRows, Reject, _json_object, link_rows, record_rows
from graphthb.store import Store

RECORDS = [
    {
        "record_id": "r1",
        "source": "sweep-1",
        "collected_at": "2025-05-01T10:00:00",
        "collector": "A-01",
        "platform": "escort-directory.example",
        "country": "Netherlands",
        "city": "Amsterdam",
        "persona": "Anna",
        "age": "23",
        "phones": "+31 6 1234 5678; 12345",
        "handles": "telegram:@anna_vip",
        "wallets": "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        "title": "Anna new in town",
        "text": "Call 06 1234 5678, 24/7, 150 EUR, age 23",
        "agency": "Red Velvet",
        "views": "77",
    },
    {
        "record_id": "r2",
        "source": "sweep-1",
        "collected_at": "2025-05-02",
        "platform": "dates4u.example",
        "country": "BE",
        "city": "Antwerpen",
        "persona": "Mia",
        "phones": "0031612345678",
        "emails": "Booking@Example.com",
        "title": "Mia",
        "text": "write anna [at] example [dot] com",
    },
    {"record_id": "", "title": "no id"},
    {"record_id": "r4", "collected_at": "yesterday-ish", "title": "bad date"},
]
LINKS = [
    {
        "subject_kind": "person",
        "subject": "P-1",
        "relation": "CONTROLS",
        "object_kind": "person",
        "object": "P-2",
        "role": "controller",
    },
    {
        "subject_kind": "person",
        "subject": "P-2",
        "relation": "APPEARS_IN",
        "object_kind": "ad",
        "object": "r1",
        "role": "potential_victim",
    },
    {
        "subject_kind": "person",
        "subject": "P-1",
        "relation": "USES",
        "object_kind": "phone",
        "object": "+31 6 12345678",
        "role": "controller",
    },
    {
        "subject_kind": "person",
        "subject": "P-1",
        "relation": "USES",
        "object_kind": "wallet",
        "object": "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        "role": "suspect",
    },
    {
        "subject_kind": "starship",
        "subject": "x",
        "relation": "USES",
        "object_kind": "phone",
        "object": "+31612345678",
    },
]


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    fields = sorted({k for r in rows for k in r})
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return _write_csv(tmp_path / "ads.csv", RECORDS), _write_csv(tmp_path / "links.csv", LINKS)


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_row_loaded_or_rejected_with_a_reason(store: Store, files, tmp_path: Path) -> None:
    records, links = files
    report = load(store, [records], [links], rejects=tmp_path / "rejects.csv")
    assert (report.read, report.loaded, report.rejected) == (9, 5, 4)
    rejects = _rejects(tmp_path / "rejects.csv")
    assert [(r["file"], r["line"], r["kind"]) for r in rejects] == [
        ("ads.csv", "4", "records"),
        ("ads.csv", "5", "records"),
        ("links.csv", "5", "links"),
        ("links.csv", "6", "links"),
    ]
    reasons = [r["reason"] for r in rejects]
    assert reasons[0] == "missing record_id"
    assert "collected_at" in reasons[1] and "ISO 8601" in reasons[1]
    assert reasons[2] == "person P-1 is already recorded as controller, not suspect"
    assert "starship" in reasons[3]
    assert json.loads(rejects[3]["row"])["subject_kind"] == "starship"


def test_identifiers_meet_across_formats_and_text(store: Store, files, tmp_path: Path) -> None:
    records, links = files
    load(store, [records], [links], rejects=tmp_path / "rejects.csv")
    rows = store.query(
        "MATCH (a:Ad)-[e:HAS_PHONE]->(p:Phone) RETURN a.key AS ad, p.key AS phone, e.via AS via ORDER BY ad, via"
    ).records()
    assert {(r["ad"], r["phone"]) for r in rows} == {("r1", "+31612345678"), ("r2", "+31612345678")}
    # the analyst's phone, written another way, is the same node
    uses = store.query(
        "MATCH (p:Person)-[:USES]->(x:Phone) RETURN p.key AS person, x.key AS phone"
    ).records()
    assert uses == [{"person": "P-1", "phone": "+31612345678"}]
    ad = (
        store.read_nodes("Ad", ["country", "unparsed", "extra", "origin", "age"])
        .set_index("key")
        .loc["r1"]
    )
    assert ad["country"] == "NL"
    assert json.loads(ad["unparsed"]) == {"phones": ["12345"]}
    assert json.loads(ad["extra"]) == {"views": "77"}
    assert ad["origin"] == "ads.csv:2"
    emails = sorted(store.query("MATCH (e:Email) RETURN e.key").rows)
    assert emails == [["anna@example.com"], ["booking@example.com"]]


def test_roles_are_kept_apart(store: Store, files, tmp_path: Path) -> None:
    records, links = files
    load(store, [records], [links], rejects=tmp_path / "rejects.csv")
    roles = dict(store.query("MATCH (p:Person) RETURN p.key, p.role").rows)
    assert roles == {"P-1": "controller", "P-2": "potential_victim"}
    # a later load cannot give P-2 another role either: the store remembers
    again = _write_csv(tmp_path / "more.csv", [{**LINKS[1], "role": "suspect"}])
    report = load(store, [], [again], rejects=tmp_path / "rejects2.csv")
    assert report.rejected == 1
    assert dict(store.query("MATCH (p:Person) RETURN p.key, p.role").rows) == roles


def test_loading_twice_leaves_the_same_graph(store: Store, files, tmp_path: Path) -> None:
    records, links = files
    load(store, [records], [links], rejects=tmp_path / "r1.csv")
    nodes, edges = store.count_nodes(), store.count_edges()
    ads = store.read_nodes("Ad").sort_values("key").reset_index(drop=True)
    load(store, [records], [links], rejects=tmp_path / "r2.csv")
    assert store.count_nodes() == nodes and store.count_edges() == edges
    assert store.read_nodes("Ad").sort_values("key").reset_index(drop=True).equals(ads)


def test_no_rejects_file_when_nothing_is_rejected(embedded_store: Store, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "ok.csv", [RECORDS[0]])
    report = load(embedded_store, [path], rejects=tmp_path / "rejects.csv")
    assert report.rejected == 0 and report.rejects_path is None
    assert not (tmp_path / "rejects.csv").exists()


def test_a_file_with_no_usable_row_writes_nothing(embedded_store: Store, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "bad.csv", [RECORDS[2], RECORDS[3]])
    report = load(embedded_store, [path], rejects=tmp_path / "rejects.csv")
    assert [f.path for f in report.unusable_files()] == [str(path)]
    assert embedded_store.count_nodes()["Ad"] == 0


def test_an_unreadable_file_stops_before_writing(
    embedded_store: Store, files, tmp_path: Path
) -> None:
    records, _ = files
    with pytest.raises(InputError):
        load(embedded_store, [records, tmp_path / "missing.csv"], rejects=tmp_path / "rejects.csv")
    assert embedded_store.count_nodes()["Ad"] == 0


def test_hostile_text_is_stored_as_text(embedded_store: Store, tmp_path: Path) -> None:
    evil = "'}) MATCH (n) DETACH DELETE n // <script>alert(1)</script>"
    path = _write_csv(
        tmp_path / "evil.csv", [{"record_id": evil, "title": evil, "persona": evil, "city": evil}]
    )
    load(embedded_store, [path], rejects=tmp_path / "rejects.csv")
    ad = embedded_store.read_nodes("Ad", ["title", "persona"])
    assert ad["key"].tolist() == [evil] and ad["title"].tolist() == [evil]


_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {"record_id": _cell, "collected_at": _cell, "phones": _cell, "text": _cell}
        ),
        max_size=8,
    )
)
def test_property_every_row_ends_loaded_or_rejected(
    embedded_store: Store, tmp_path_factory, rows
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = load(embedded_store, [path], rejects=folder / "rejects.csv")
    assert report.read == len(rows)
    assert report.loaded + report.rejected == report.read
    rejected = _rejects(folder / "rejects.csv") if report.rejects_path else []
    assert len(rejected) == report.rejected


FULL_AD = {"record_id": "r9", "collected_at": "2025-05-01T10:00:00", "country": "NL",
           "phones": "+31 6 1234 5678", "title": "Anna", "text": "tg: @anna_vip",
           "platform": "escort-directory.example", "city": "Amsterdam"}  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [{"record_id": ""}, {"collected_at": "yesterday"}, {"posted_at": "12.05.2025"}],
)
def test_a_rejected_record_adds_nothing(change: dict[str, str]) -> None:
    # The loader adds rows straight to its batch, so a reject must come first.
    kept = GraphRows()
    record_rows(FULL_AD, "ads.csv:2", "ads", kept)
    assert len(kept) > 5
    out = GraphRows()
    with pytest.raises(Reject):
        record_rows({**FULL_AD, **change}, "ads.csv:2", "ads", out)
    assert len(out) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"subject_kind": "starship"},
        {"object": ""},
        {"object": "12"},
        {"relation": "uses-it"},
        {"role": "boss"},
        {"role": "witness"},
        {"observed_at": "last week"},
        {"confidence": "2"},
        {"relation": "SAME_AS"},
    ],
)
def test_a_rejected_link_adds_nothing(change: dict[str, str]) -> None:
    row = {"subject_kind": "person", "subject": "P-1", "relation": "USES",
           "object_kind": "phone", "object": "+31 6 12345678", "role": "controller"}  # fmt: skip
    kept = GraphRows()
    link_rows(row, "links.csv:2", "links", kept, {})
    assert len(kept) >= 3
    out = GraphRows()
    with pytest.raises(Reject):
        link_rows({**row, **change}, "links.csv:2", "links", out, {"P-1": "controller"})
    assert len(out) == 0


_JSON_VALUES = st.one_of(
    st.text(), st.lists(st.text(), max_size=3), st.integers(), st.none(), st.lists(st.integers())
)


@given(st.dictionaries(st.text(), _JSON_VALUES, max_size=5))
def test_extra_and_unparsed_json_is_what_json_writes(obj: dict) -> None:
    # Written by hand for speed; must stay byte for byte json's own output.
    assert _json_object(obj) == json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)


def test_a_load_leaves_the_cycle_collector_as_it_found_it(
    embedded_store: Store, files, tmp_path: Path
) -> None:
    # Ingest freezes what each batch leaves alive (gc.freeze); a load must end
    # with everything given back to the collector.
    import gc

    records, links = files
    load(embedded_store, [records], [links], rejects=tmp_path / "r.csv", batch_records=1)
    assert gc.get_freeze_count() == 0
