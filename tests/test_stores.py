"""The store contract: one suite, run unchanged against both real stores."""

from __future__ import annotations

import os
import stat

import networkx as nx
import pandas as pd
import pytest

from graphthb.errors import ConfigError, QueryError, StoreError
from graphthb.store import Store, open_store

HOSTILE = "x'}) DETACH DELETE n //\"<script>alert(1)</script>"


def _batch(
    suffix: str = "",
) -> tuple[dict[str, pd.DataFrame], dict[tuple[str, str, str], pd.DataFrame]]:
    ads = pd.DataFrame(
        {
            "key": ["r1", "r2", "r3"],
            "record_id": ["r1", "r2", "r3"],
            "title": ["Anna new in town", HOSTILE, None],
            "age": [23, None, 31],
            "country": ["NL", "BE", None],
            "price_amount": [150.0, None, 200.5],
        }
    )
    phones = pd.DataFrame({"key": ["+31612345678", "+32470123456"], "region": ["NL", "BE"]})
    wallets = pd.DataFrame({"key": ["btc:1abc" + suffix], "chain": ["btc"]})
    prov = {"observed_at": "2025-05-01T10:00:00", "collector": "A-01"}
    has_phone = pd.DataFrame(
        {
            "src": ["r1", "r2", "r3"],
            "dst": ["+31612345678", "+31612345678", "+32470123456"],
            "source": ["batch-a", "batch-a", "batch-b"],
            "origin": ["ads.csv:2", "ads.csv:3", "ads.csv:4"],
            "via": ["phones", "text", "phones"],
            **prov,
        }
    )
    has_wallet = pd.DataFrame(
        {
            "src": ["r1"],
            "dst": ["btc:1abc" + suffix],
            "source": ["batch-a"],
            "origin": ["ads.csv:2"],
            **prov,
        }
    )
    return (
        {"Ad": ads, "Phone": phones, "Wallet": wallets},
        {("HAS_PHONE", "Ad", "Phone"): has_phone, ("HAS_WALLET", "Ad", "Wallet"): has_wallet},
    )


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


def test_write_then_read_back(store: Store) -> None:
    store.write_batch(*_batch())
    assert _nonzero(store.count_nodes()) == {"Ad": 3, "Phone": 2, "Wallet": 1}
    assert _nonzero(store.count_edges()) == {"HAS_PHONE": 3, "HAS_WALLET": 1}
    ads = store.read_nodes("Ad", ["title", "age", "price_amount"]).sort_values("key")
    assert ads["title"].tolist()[:2] == ["Anna new in town", HOSTILE]
    assert ads["age"].tolist()[0] == 23 and pd.isna(ads["age"].tolist()[1])
    edges = store.read_edges(("HAS_PHONE", "Ad", "Phone"), ["source", "via", "origin"]).sort_values(
        "src"
    )
    assert edges["via"].tolist() == ["phones", "text", "phones"]
    assert edges["origin"].tolist() == ["ads.csv:2", "ads.csv:3", "ads.csv:4"]


def test_loading_twice_changes_nothing(store: Store) -> None:
    store.write_batch(*_batch())
    nodes, edges = store.count_nodes(), store.count_edges()
    before = store.read_nodes("Ad").sort_values("key").reset_index(drop=True)
    store.write_batch(*_batch())
    assert store.count_nodes() == nodes
    assert store.count_edges() == edges
    after = store.read_nodes("Ad").sort_values("key").reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)


def test_a_fact_from_another_source_is_kept_beside_the_first(store: Store) -> None:
    store.write_batch(*_batch())
    again = pd.DataFrame({"src": ["r1"], "dst": ["+31612345678"], "source": ["batch-c"]})
    store.merge_edges(("HAS_PHONE", "Ad", "Phone"), again)
    assert store.count_edges()["HAS_PHONE"] == 4


def test_a_sparser_mention_never_erases_a_value(store: Store) -> None:
    store.write_batch(*_batch())
    store.merge_nodes("Ad", pd.DataFrame({"key": ["r1"], "title": [None], "persona": ["Anna"]}))
    row = store.read_nodes("Ad", ["title", "persona"]).set_index("key").loc["r1"]
    assert row["title"] == "Anna new in town"
    assert row["persona"] == "Anna"


def test_values_are_parameters_never_cypher(store: Store) -> None:
    store.write_batch(*_batch())
    result = store.query("MATCH (a:Ad) WHERE a.title = $t RETURN a.key AS key", {"t": HOSTILE})
    assert result.columns == ["key"]
    assert result.rows == [["r2"]]
    assert store.count_nodes()["Ad"] == 3


def test_projection_is_arrays_and_networkx(store: Store) -> None:
    store.write_batch(*_batch())
    proj = store.projection()
    assert set(proj.nodes["kind"]) == {"Ad", "Phone", "Wallet"}
    assert len(proj.nodes) == 6 and len(proj.edges) == 4
    keys = proj.nodes["key"].to_numpy()
    pairs = sorted(zip(keys[proj.edges["src"]], keys[proj.edges["dst"]], strict=True))
    assert ("r1", "btc:1abc") in pairs and ("r3", "+32470123456") in pairs
    graph = proj.to_networkx()
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.number_of_nodes() == 6 and graph.number_of_edges() == 4
    shared = [n for n, d in graph.in_degree() if d == 2]
    assert [graph.nodes[n]["key"] for n in shared] == ["+31612345678"]


def test_projection_keeps_lone_ads(store: Store) -> None:
    store.merge_nodes("Ad", pd.DataFrame({"key": ["alone"]}))
    proj = store.projection()
    assert proj.nodes.to_dict("records") == [{"kind": "Ad", "key": "alone"}]


def test_reads_refuse_writing_queries(store: Store) -> None:
    store.write_batch(*_batch())
    with pytest.raises(QueryError):
        store.query("MATCH (a:Ad) DETACH DELETE a")
    assert store.count_nodes()["Ad"] == 3
    store.query("MATCH (a:Ad {key: $k}) DETACH DELETE a", {"k": "r3"}, write=True)
    assert store.count_nodes()["Ad"] == 2


def test_a_bad_query_is_one_line(store: Store) -> None:
    with pytest.raises(QueryError) as info:
        store.query("MATCH (a:Ad RETURN a")
    assert "\n" not in str(info.value)


def test_groups_are_replaced_not_piled_up(store: Store) -> None:
    store.write_batch(*_batch())
    groups = pd.DataFrame({"key": ["G-1"], "score": [50.0], "size": [3]})
    members = pd.DataFrame(
        {"src": ["r1", "r2", "r3"], "dst": ["G-1"] * 3, "source": "graphthb cluster"}
    )
    store.write_groups(groups, members)
    store.write_groups(
        pd.DataFrame({"key": ["G-2"], "score": [10.0], "size": [1]}),
        pd.DataFrame({"src": ["r1"], "dst": ["G-2"], "source": "graphthb cluster"}),
    )
    assert store.count_nodes()["Group"] == 1
    assert store.count_edges()["MEMBER_OF"] == 1
    rows = store.query("MATCH (a:Ad)-[:MEMBER_OF]->(g:Group) RETURN a.key, g.key").rows
    assert rows == [["r1", "G-2"]]


def test_read_rel_names_both_ends(store: Store) -> None:
    store.write_batch(
        {
            "Person": pd.DataFrame(
                {"key": ["P-1", "P-2"], "role": ["controller", "potential_victim"]}
            )
        },
        {
            ("CONTROLS", "Person", "Person"): pd.DataFrame(
                {"src": ["P-1"], "dst": ["P-2"], "source": ["links"], "relation": ["CONTROLS"]}
            )
        },
    )
    df = store.read_rel("CONTROLS", ["relation"])
    assert df.to_dict("records") == [
        {
            "src_kind": "Person",
            "src": "P-1",
            "dst_kind": "Person",
            "dst": "P-2",
            "relation": "CONTROLS",
        }
    ]


def test_edges_need_a_pair_the_schema_allows(store: Store) -> None:
    with pytest.raises(StoreError):
        store.merge_edges(("HAS_PHONE", "Phone", "Ad"), pd.DataFrame({"src": ["x"], "dst": ["y"]}))


@pytest.mark.neo4j
def test_both_stores_hold_the_same_graph(embedded_store: Store, neo4j_store: Store) -> None:
    for s in (embedded_store, neo4j_store):
        s.write_batch(*_batch())
        s.write_batch(*_batch("x"))
    assert embedded_store.count_nodes() == neo4j_store.count_nodes()
    assert embedded_store.count_edges() == neo4j_store.count_edges()
    a, b = embedded_store.projection(), neo4j_store.projection()
    pd.testing.assert_frame_equal(a.nodes, b.nodes)
    cols = ["src", "dst", "rel", "source"]
    pd.testing.assert_frame_equal(
        a.edges[cols].astype(str).sort_values(cols).reset_index(drop=True),
        b.edges[cols].astype(str).sort_values(cols).reset_index(drop=True),
    )


# -- settings that are wrong get one line naming what to fix ---------------------------


def test_embedded_path_in_a_missing_folder(tmp_path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        open_store(str(tmp_path / "nope" / "case.lbug"))


def test_embedded_path_that_cannot_be_written(tmp_path) -> None:
    if os.geteuid() == 0:
        # root writes anywhere; a folder path is the unwritable case root still meets
        with pytest.raises(ConfigError, match="folder"):
            open_store(str(tmp_path))
        return
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    with pytest.raises(ConfigError, match="cannot write"):
        open_store(str(locked / "case.lbug"))


def test_unreachable_neo4j() -> None:
    with pytest.raises(ConfigError, match="cannot reach Neo4j") as err:
        open_store("bolt://127.0.0.1:9", user="neo4j", password="x")
    # The cause, not the driver's "Couldn't connect to 127.0.0.1:9 (...):"
    assert "nothing listens at 127.0.0.1:9 (connection refused)" in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_neo4j_host() -> None:
    with pytest.raises(ConfigError, match="no host 'graphthb-no-such-host.invalid' is known"):
        open_store("neo4j://graphthb-no-such-host.invalid:7687", user="neo4j", password="x")


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_a_port_that_does_not_speak_bolt(scheme: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A listener that accepts and never answers the handshake, as a web port or
    another service would: the driver's defaults waited 61 s and then said only
    "Couldn't connect"."""
    import socket
    import threading

    monkeypatch.setenv("GRAPHTHB_NEO4J_CONNECT_SECONDS", "1")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        with pytest.raises(ConfigError) as err:
            open_store(f"{scheme}://127.0.0.1:{port}", user="neo4j", password="x")
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
    message = str(err.value)
    assert f"127.0.0.1:{port} answers but does not speak Bolt within 1 s" in message
    assert "7687" in message and "\n" not in message


@pytest.mark.neo4j
@pytest.mark.parametrize("scheme", ["bolt+s", "neo4j+ssc"])
def test_tls_to_a_server_without_encryption(scheme: str, neo4j_server: dict[str, str]) -> None:
    plain = neo4j_server["uri"]
    if not plain.startswith("bolt://"):
        pytest.skip("the server given by NEO4J_URI is not a plain bolt:// one")
    where = plain.removeprefix("bolt://")
    with pytest.raises(ConfigError) as err:
        open_store(f"{scheme}://{where}", user=neo4j_server["user"], password="x")
    base = scheme.split("+")[0]
    assert f"the TLS handshake with {where} failed" in str(err.value)
    assert f"reached as {base}://{where}" in str(err.value)


def test_not_a_store_setting() -> None:
    with pytest.raises(ConfigError, match="not a Neo4j URI"):
        open_store("http://example.invalid/db")


@pytest.mark.neo4j
def test_wrong_neo4j_password(neo4j_server: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="NEO4J_PASSWORD"):
        open_store(
            neo4j_server["uri"],
            user=neo4j_server["user"],
            password="wrong-" + neo4j_server["password"],
        )


@pytest.mark.neo4j
def test_missing_neo4j_database(neo4j_server: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="NEO4J_DATABASE"):
        open_store(
            neo4j_server["uri"],
            user=neo4j_server["user"],
            password=neo4j_server["password"],
            database="nosuchcase",
        )
