"""Every query of the Cypher library runs on both stores and gives the same rows."""

from __future__ import annotations

import pandas as pd
import pytest
from test_analysis import _world

from graphthb.analysis.groups import cluster
from graphthb.queries import library
from graphthb.store import Store

QUERIES = library()


def _case(store: Store) -> str:
    _world(store)
    store.write_batch(
        {
            "Person": pd.DataFrame(
                {
                    "key": ["P-1", "P-2", "P-3"],
                    "role": ["controller", "potential_victim", "potential_victim"],
                }
            ),
            "Platform": pd.DataFrame({"key": ["a.example", "b.example"]}),
        },
        {
            ("CONTROLS", "Person", "Person"): pd.DataFrame(
                {
                    "src": ["P-1", "P-1"],
                    "dst": ["P-2", "P-3"],
                    "source": "links",
                    "relation": "CONTROLS",
                }
            ),
            ("APPEARS_IN", "Person", "Ad"): pd.DataFrame(
                {"src": ["P-2"], "dst": ["g1-00"], "source": "links", "relation": "APPEARS_IN"}
            ),
            ("POSTED_ON", "Ad", "Platform"): pd.DataFrame(
                {
                    "src": ["g1-00", "g1-01", "ind-00-0"],
                    "dst": ["a.example", "b.example", "a.example"],
                    "source": "s",
                }
            ),
        },
    )
    result = cluster(store, seed=0)
    return result.groups[0].group_id


def test_every_query_documents_itself() -> None:
    assert {"schema", "phones_across_countries", "personas_per_phone", "controllers_with_victims",
            "groups_many_countries", "group_timeline", "bridging_identifiers",
            "wallets_across_platforms", "within_two_hops"} <= set(QUERIES)  # fmt: skip
    for query in QUERIES.values():
        assert query.text.lstrip().startswith("//"), query.name
        assert query.doc, query.name


def _params(name: str, group: str) -> dict:
    given = {"group_id": group, "key": "+48512000001"}
    return QUERIES[name].bind({k: v for k, v in given.items() if k in QUERIES[name].required})


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_same_rows_on_both_stores(name: str, embedded_store: Store, neo4j_store: Store) -> None:
    group_a = _case(embedded_store)
    group_b = _case(neo4j_store)
    assert group_a == group_b
    a = embedded_store.query(QUERIES[name].text, _params(name, group_a))
    b = neo4j_store.query(QUERIES[name].text, _params(name, group_b))
    assert a.columns == b.columns
    if "ORDER BY" in QUERIES[name].text:
        assert a.rows == b.rows
    else:
        # Without ORDER BY neither engine promises an order (LadybugDB runs the
        # parts of a UNION ALL in parallel): the same rows, in any order.
        assert sorted(map(repr, a.rows)) == sorted(map(repr, b.rows))
    assert a.rows, f"{name} found nothing in the test case"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_runs_on_the_embedded_store(name: str, embedded_store: Store) -> None:
    group = _case(embedded_store)
    result = embedded_store.query(QUERIES[name].text, _params(name, group))
    assert result.rows, f"{name} found nothing in the test case"
