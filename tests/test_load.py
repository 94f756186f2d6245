"""The loader end to end on both stores: nothing lost, rejects with reasons, idempotent."""

from __future__ import annotations

import contextlib
import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphthb.errors import InputError
from graphthb.ingest.loader import load
from graphthb.ingest.records import (
    GraphRows,
    Reject,
    _json_object,
    ad_key,
    link_rows,
    record_rows,
    split_ad_key,
)
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
    assert {(r["ad"], r["phone"]) for r in rows} == {
        ("sweep-1/r1", "+31612345678"),
        ("sweep-1/r2", "+31612345678"),
    }
    # the analyst's phone, written another way, is the same node
    uses = store.query(
        "MATCH (p:Person)-[:USES]->(x:Phone) RETURN p.key AS person, x.key AS phone"
    ).records()
    assert uses == [{"person": "P-1", "phone": "+31612345678"}]
    ad = (
        store.read_nodes("Ad", ["country", "unparsed", "extra", "origin", "age"])
        .set_index("key")
        .loc["sweep-1/r1"]
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
    assert ad["key"].tolist() == [ad_key("evil", evil)] and ad["title"].tolist() == [evil]


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


# -- an ad is its source and its record_id -------------------------------------------


def test_two_files_numbering_rows_from_one_stay_two_ads(store: Store, tmp_path: Path) -> None:
    # The reproduction: two spreadsheets, both starting at record 1.
    a = tmp_path / "a.csv"
    a.write_text("record_id,phones,country,persona\n1,06 12 34 56 78,FR,Anna\n", "utf-8")
    b = tmp_path / "b.csv"
    b.write_text("record_id,phones,country,persona\n1,0160 5555555,DE,Zora\n", "utf-8")
    first = load(store, [a], rejects=tmp_path / "r.csv")
    second = load(store, [b], rejects=tmp_path / "r.csv")
    assert first.files[0].sources == {"a": 1} and second.files[0].sources == {"b": 1}
    rows = store.query(
        "MATCH (a:Ad)-[:HAS_PHONE]->(p:Phone) "
        "RETURN a.key AS ad, a.source AS source, a.record_id AS id, a.persona AS persona, "
        "p.key AS phone ORDER BY ad"
    ).rows
    assert rows == [
        ["a/1", "a", "1", "Anna", "+33612345678"],
        ["b/1", "b", "1", "Zora", "+491605555555"],
    ]
    # loading one of them again changes nothing
    nodes, edges = store.count_nodes(), store.count_edges()
    load(store, [a], rejects=tmp_path / "r.csv")
    assert store.count_nodes() == nodes and store.count_edges() == edges


def test_one_file_may_hold_one_record_id_in_two_sources(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "record_id,source,persona\n7,sweep-1,Anna\n7,sweep-2,Zora\n7,sweep-1,X\n", "utf-8"
    )
    report = load(store, [path], rejects=tmp_path / "r.csv")
    assert (report.loaded, report.rejected) == (2, 1)
    assert (
        "duplicate record_id '7' of source 'sweep-1'" in _rejects(tmp_path / "r.csv")[0]["reason"]
    )
    assert sorted(store.read_nodes("Ad", [])["key"]) == ["sweep-1/7", "sweep-2/7"]


@given(st.text(max_size=8), st.text(max_size=8), st.text(max_size=8), st.text(max_size=8))
def test_ad_keys_never_collide_and_split_back(s1: str, r1: str, s2: str, r2: str) -> None:
    if (s1, r1) != (s2, r2):
        assert ad_key(s1, r1) != ad_key(s2, r2)
    if s1 and r1:
        assert split_ad_key(ad_key(s1, r1)) == (s1, r1)
    assert ad_key("sweeps/2025%", "R/1") == "sweeps%2F2025%25/R/1"


def _links(path: Path, *objects: str) -> Path:
    rows = [
        {
            "subject_kind": "person",
            "subject": "P-1",
            "relation": "APPEARS_IN",
            "object_kind": "ad",
            "object": o,
        }  # fmt: skip
        for o in objects
    ]
    return _write_csv(path, rows)


def test_links_name_ads_by_key_or_by_a_record_id_that_is_unique(
    store: Store, tmp_path: Path
) -> None:
    a = tmp_path / "a.csv"
    a.write_text("record_id,persona\n1,Anna\n2,Mia\n", "utf-8")
    b = tmp_path / "b.csv"
    b.write_text("record_id,persona\n1,Zora\n", "utf-8")
    load(store, [a, b], rejects=tmp_path / "r.csv")
    links = _links(tmp_path / "links.csv", "2", "b/1", "1", "9", "later/5")
    report = load(store, [], [links], rejects=tmp_path / "r.csv")
    assert (report.loaded, report.rejected) == (3, 2)
    reasons = [r["reason"] for r in _rejects(tmp_path / "r.csv")]
    assert reasons == [
        "object ad '1' names 2 ads (a/1, b/1); write it as source/record_id",
        "object ad '9' is in no records file loaded so far; load its records first, "
        "or write it as source/record_id",
    ]
    appears = store.query(
        "MATCH (:Person)-[:APPEARS_IN]->(a:Ad) RETURN a.key, a.source, a.record_id ORDER BY a.key"
    ).rows
    # an ad named in full before its records file is loaded waits under its own key
    assert appears == [["a/2", "a", "2"], ["b/1", "b", "1"], ["later/5", "later", "5"]]


def test_a_store_keyed_by_record_id_alone_is_refused(store: Store, tmp_path: Path) -> None:
    import pandas as pd

    from graphthb.errors import StoreError

    # what an earlier graphthb wrote: the key is the record_id
    store.write_batch({"Ad": pd.DataFrame({"key": ["1"], "record_id": ["1"], "source": ["a"]})}, {})
    path = tmp_path / "a.csv"
    path.write_text("record_id,persona\n1,Anna\n", "utf-8")
    with pytest.raises(StoreError, match="keyed ads by record_id alone.*new store"):
        load(store, [path], rejects=tmp_path / "r.csv")
    assert store.read_nodes("Ad", [])["key"].tolist() == ["1"]


# -- the rejects file ------------------------------------------------------------------


def test_an_earlier_rejects_file_does_not_outlive_a_clean_load(
    embedded_store: Store, tmp_path: Path
) -> None:
    bad = _write_csv(tmp_path / "bad.csv", [RECORDS[0], RECORDS[3]])
    load(embedded_store, [bad], rejects=tmp_path / "rejects.csv")
    assert len(_rejects(tmp_path / "rejects.csv")) == 1
    good = _write_csv(tmp_path / "good.csv", [RECORDS[1]])
    report = load(embedded_store, [good], rejects=tmp_path / "rejects.csv")
    assert report.rejects_path is None and report.rejects_removed == tmp_path / "rejects.csv"
    assert not (tmp_path / "rejects.csv").exists()
    # a file that is not a rejects file is never removed
    other = tmp_path / "notes.csv"
    other.write_text("my,own\nnotes,here\n", "utf-8")
    assert load(embedded_store, [good], rejects=other).rejects_removed is None
    assert other.read_text("utf-8") == "my,own\nnotes,here\n"


@pytest.mark.parametrize("where", ["no-such-folder/rejects.csv", "a-folder"])
def test_an_unwritable_rejects_path_stops_before_writing(
    embedded_store: Store, files, tmp_path: Path, where: str
) -> None:
    from graphthb.errors import ConfigError

    (tmp_path / "a-folder").mkdir()
    records, _ = files
    with pytest.raises(ConfigError, match="rejects file .*give another with --rejects"):
        load(embedded_store, [records], rejects=tmp_path / where)
    assert embedded_store.count_nodes()["Ad"] == 0


# -- faults: a full disk, another process ----------------------------------------------

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real 14 MB file system (tmpfs), made bigger on demand: root only."""
    import os
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=14m", "tmpfs", str(mount)])
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")

    def grow() -> None:
        subprocess.run(["mount", "-o", "remount,size=64m", str(mount)], check=True)

    try:
        yield mount, grow
    finally:
        subprocess.run(["umount", "-l", str(mount)])


def test_a_full_disk_stops_the_load_at_a_whole_batch(small_disk) -> None:
    from graphthb.errors import StoreError
    from graphthb.store import open_store

    mount, grow = small_disk
    db = str(mount / "case.lbug")
    with open_store(db) as store, pytest.raises(StoreError, match="the disk is full") as err:
        load(store, [SAMPLE / "records.csv"], rejects=mount / "rejects.csv", batch_records=300)
    assert "\n" not in str(err.value) and "run the same load again" in str(err.value)
    grow()
    with open_store(db) as store:
        ads, posted = store.count_nodes()["Ad"], store.count_edges()["POSTED_ON"]
        # whole batches only: every sample ad names its platform
        assert ads % 300 == 0 and 0 < ads < 3000 and posted == ads
        load(store, [SAMPLE / "records.csv"], rejects=mount / "rejects.csv", batch_records=300)
        assert store.count_nodes()["Ad"] == 3000 and store.count_edges()["POSTED_ON"] == 3000


def test_a_full_disk_is_one_line_from_the_command(small_disk) -> None:
    import subprocess
    import sys

    mount, _ = small_disk
    filler = mount / "filler"
    filler.write_bytes(b"\0" * (13 << 20))  # leave the store too little room
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "graphthb",
            "--db",
            str(mount / "case.lbug"),
            "load",
            str(SAMPLE / "records.csv"),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "the disk is full" in errors[0], done.stderr


def test_another_process_cannot_take_the_store_between_batches(tmp_path: Path) -> None:
    """The embedded store is closed and reopened after every batch: another
    process opening it right then must be refused, and the load go on."""
    import subprocess
    import sys

    from graphthb.store import open_store
    from graphthb.store.embedded import EmbeddedStore

    db = tmp_path / "case.lbug"
    holder = (
        "import sys, time\n"
        "from graphthb.store import open_store\n"
        "print('trying', flush=True)\n"
        "s = open_store(sys.argv[1])\n"
        "time.sleep(2)\n"
        "s.close()\n"
    )
    tries: list[tuple[int | None, str]] = []
    real_open = EmbeddedStore._open
    opens = [0]

    def open_after_someone_tried(self: EmbeddedStore, *args: object) -> None:
        opens[0] += 1
        if opens[0] > 1:  # a reopen between two batches, not the first open
            proc = subprocess.Popen(
                [sys.executable, "-c", holder, str(db)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert proc.stdout is not None and proc.stdout.readline().strip() == "trying"
            # Still running after this long: it holds the store, and our reopen fails.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=1.0)
            tries.append((proc.poll(), proc.stderr.read() if proc.poll() is not None else ""))
        real_open(self, *args)

    EmbeddedStore._open = open_after_someone_tried  # type: ignore[method-assign]
    try:
        with open_store(str(db)) as store:
            report = load(
                store, [SAMPLE / "records.csv"], rejects=tmp_path / "r.csv", batch_records=1000
            )
            assert report.loaded == 3000 and store.count_nodes()["Ad"] == 3000
    finally:
        EmbeddedStore._open = real_open  # type: ignore[method-assign]
    assert len(tries) == 3
    for code, stderr in tries:
        assert code == 1 and "is in use by another graphthb command" in stderr
