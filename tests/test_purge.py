"""Deletion: a purged source leaves the store as if it had never been loaded."""

from __future__ import annotations

import pandas as pd
import pytest

from graphthb.errors import NotFoundError
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
