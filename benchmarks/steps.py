"""The measured steps, each run by benchmarks/run.py in a fresh Python process.

    python -m benchmarks.steps STEP PARAMS_JSON RESULT_JSON

Each step times its own work with ``time.perf_counter`` (imports and interpreter
start are left out; the runner also records the process's whole wall time and
its peak resident memory) and writes a JSON object to RESULT_JSON: ``seconds``
plus whatever the step counted. A Neo4j password comes in the environment
(``BENCH_NEO4J_PASSWORD``), never on a command line.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

STEPS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}

#: Relationship types that tie an ad to an identifier: the raw bipartite graph
#: the reference community detections run on (graphthb.analysis.graph reads the same).
IDENTIFIER_RELS = (
    "HAS_PHONE", "HAS_EMAIL", "HAS_HANDLE", "HAS_WALLET", "HAS_IMAGE", "LINKS_TO", "NAMES_AGENCY",
)  # fmt: skip


def step(
    func: Callable[[dict[str, Any]], dict[str, Any]],
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    STEPS[func.__name__.replace("_", "-")] = func
    return func


class Clock:
    """Seconds spent inside wrapped functions, by name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.notes: dict[str, Any] = {}

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed


def _neo4j_store(p: dict[str, Any]) -> Any:
    from graphthb.store import open_store

    return open_store(p["uri"], user=p["user"], password=os.environ.get("BENCH_NEO4J_PASSWORD", ""))


def _count_rows(conn_params: dict[str, Any]) -> tuple[int, int]:
    import neo4j

    auth = (conn_params["user"], os.environ.get("BENCH_NEO4J_PASSWORD", ""))
    with neo4j.GraphDatabase.driver(conn_params["uri"], auth=auth) as driver:
        nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
        rels = driver.execute_query("MATCH ()-[e]->() RETURN count(e) AS n").records[0]["n"]
    return int(nodes), int(rels)


# ---------------------------------------------------------------------------------
# Ingest and load


@step
def generate(p: dict[str, Any]) -> dict[str, Any]:
    """The synthetic world (``graphthb.synth.generate``); set-up, not a measurement."""
    from graphthb.synth import generate as make

    start = time.perf_counter()
    counts = make(Path(p["out"]), p["records"], p["seed"])
    return {**counts, "seconds": time.perf_counter() - start}


@step
def export_neo4j(p: dict[str, Any]) -> dict[str, Any]:
    """The rows graphthb sends to Neo4j, as CSV (benchmarks/tables.py); set-up."""
    from benchmarks.tables import export_for_neo4j

    start = time.perf_counter()
    manifest = export_for_neo4j(
        Path(p["records"]), Path(p["links"]), Path(p["folder"]), sample_rows=p["sample_rows"]
    )
    return {
        "seconds": time.perf_counter() - start,
        "node_rows": manifest["node_rows"],
        "edge_rows": manifest["edge_rows"],
        "tables": [t["file"] for t in manifest["tables"]],
        "sample": manifest["sample"],
    }


@step
def count_groups(p: dict[str, Any]) -> dict[str, Any]:
    """How many groups ``graphthb groups --all --format json`` printed; not a measurement."""
    groups = json.loads(Path(p["file"]).read_text(encoding="utf-8"))
    return {
        "seconds": 0.0,
        "groups": len(groups),
        "organised": sum(1 for g in groups if g["size"] > 1),
    }


@step
def ingest(p: dict[str, Any]) -> dict[str, Any]:
    """Read, normalise and extract every row, as the loader does, writing nowhere."""
    from graphthb.ingest.loader import BATCH_RECORDS, release_settled, settle_batch
    from graphthb.ingest.readers import read_rows
    from graphthb.ingest.records import GraphRows, Reject, link_rows, record_rows

    start = time.perf_counter()
    records = rows_out = rejected = 0
    for kind, path in (("records", Path(p["records"])), ("links", Path(p["links"]))):
        info, rows = read_rows(path)
        name = info.path.name
        roles: dict[str, str] = {}
        batch, in_batch = GraphRows(), 0
        for raw in rows:
            origin = f"{name}:{raw.line}"
            try:
                if raw.error is not None:
                    raise Reject(raw.error)
                if kind == "records":
                    record_rows(raw.data, origin, info.path.stem, batch)
                    records += 1
                else:
                    link_rows(raw.data, origin, info.path.stem, batch, roles)
            except Reject:
                rejected += 1
                continue
            in_batch += 1
            if in_batch >= BATCH_RECORDS:
                rows_out += len(batch)
                batch, in_batch = GraphRows(), 0
                settle_batch()
        rows_out += len(batch)
    release_settled()
    return {
        "seconds": time.perf_counter() - start,
        "records": records,
        "graph_rows": rows_out,
        "rejected": rejected,
    }


@step
def read_csv(p: dict[str, Any]) -> dict[str, Any]:
    """The records file through Python's csv module into a dict a row, and nothing else.

    The floor under ingest in this interpreter on this machine: no reader of
    graphthb's can take less for the same file.
    """
    start = time.perf_counter()
    records = 0
    with open(p["records"], encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        names = next(reader)
        for values in reader:
            dict(zip(names, values, strict=False))
            records += 1
    return {"seconds": time.perf_counter() - start, "records": records}


def _load(store: Any, p: dict[str, Any]) -> dict[str, Any]:
    """graphthb's loader into ``store``, with the time spent writing to it."""
    from graphthb.ingest.loader import load

    clock = Clock()
    store.write_batch = clock.wrap("write", store.write_batch)
    start = time.perf_counter()
    report = load(store, [Path(p["records"])], [Path(p["links"])], rejects=Path(p["rejects"]))
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "write_seconds": clock.seconds.get("write", 0.0),
        "read": report.read,
        "loaded": report.loaded,
        "rejected": report.rejected,
    }


@step
def load_embedded(p: dict[str, Any]) -> dict[str, Any]:
    """``graphthb.ingest.loader.load`` into a new embedded store."""
    from graphthb.store import open_store

    with open_store(p["db"]) as store:
        out = _load(store, p)
        out["nodes"] = sum(store.count_nodes().values())
        out["relationships"] = sum(store.count_edges().values())
    return out


@step
def copy_embedded(p: dict[str, Any]) -> dict[str, Any]:
    """LadybugDB's own bulk COPY of the tables graphthb stored, into a new database.

    The tables are read out of the store graphthb loaded (so they are the same
    rows, de-duplicated as a bulk import needs) and written as Parquet first;
    only the COPY statements are timed.
    """
    import ladybug
    import pyarrow.parquet as pq

    from graphthb.schema import SCHEMA
    from graphthb.store import open_store
    from graphthb.store.base import arrow_table

    folder = Path(p["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    nodes: list[tuple[str, Path, int]] = []
    edges: list[tuple[tuple[str, str, str], Path, int]] = []
    with open_store(p["source_db"]) as source:
        for kind, node in SCHEMA.nodes.items():
            df = source.read_nodes(kind)
            if len(df):
                path = folder / f"{kind}.parquet"
                pq.write_table(arrow_table(df, node.columns), path)
                nodes.append((kind, path, len(df)))
        for edge in source.edge_keys():
            df = source.read_edges(edge)
            if len(df):
                cols = {"src": "STRING", "dst": "STRING", **SCHEMA.rel_columns(edge[0])}
                table = arrow_table(df, cols).rename_columns(["from", "to", *list(cols)[2:]])
                path = folder / f"{'_'.join(edge)}.parquet"
                pq.write_table(table, path)
                edges.append((edge, path, len(df)))
    # An empty database with graphthb's schema: the same tables, same types.
    with open_store(p["db"]):
        pass
    db = ladybug.Database(p["db"], buffer_pool_size=2 << 30)
    conn = ladybug.Connection(db)
    start = time.perf_counter()
    for kind, path, _ in nodes:
        conn.execute(f"COPY `{kind}` FROM '{path}'")
    for (rel, a, b), path, _ in edges:
        conn.execute(f"COPY {rel} FROM '{path}' (from='{a}', to='{b}')")
    seconds = time.perf_counter() - start
    n_nodes = sum(
        conn.execute(f"MATCH (n:`{k}`) RETURN count(n)").get_next()[0] for k, _, _ in nodes
    )
    n_rels = sum(
        conn.execute(f"MATCH ()-[e:{r}]->() RETURN count(e)").get_next()[0]
        for r in {e[0] for e, _, _ in edges}
    )
    conn.close()
    db.close()
    return {
        "seconds": seconds,
        "nodes": int(n_nodes),
        "relationships": int(n_rels),
        "tables": len(nodes) + len(edges),
    }


@step
def load_neo4j(p: dict[str, Any]) -> dict[str, Any]:
    """``graphthb.ingest.loader.load`` into Neo4j (UNWIND ... MERGE batches)."""
    store = _neo4j_store(p)
    try:
        out = _load(store, p)
    finally:
        store.close()
    out["nodes"], out["relationships"] = _count_rows(p)
    return out


@step
def load_csv_neo4j(p: dict[str, Any]) -> dict[str, Any]:
    """Neo4j's own LOAD CSV of the rows graphthb sends, with graphthb's MERGE statements."""
    import neo4j

    from benchmarks.tables import Table, load_csv_statement

    store = _neo4j_store(p)  # the same constraints graphthb creates
    store.close()
    manifest = json.loads(Path(p["manifest"]).read_text(encoding="utf-8"))
    auth = (p["user"], os.environ.get("BENCH_NEO4J_PASSWORD", ""))
    per_table: dict[str, float] = {}
    with neo4j.GraphDatabase.driver(p["uri"], auth=auth) as driver:
        start = time.perf_counter()
        for t in manifest["tables"]:
            table = Table.from_dict(t)
            began = time.perf_counter()
            with driver.session() as session:
                # CALL { } IN TRANSACTIONS needs an auto-commit transaction.
                session.run(
                    load_csv_statement(table), url=f"{p['base_url']}/{table.file}"
                ).consume()
            per_table[table.file] = time.perf_counter() - began
        seconds = time.perf_counter() - start
    nodes, rels = _count_rows(p)
    return {
        "seconds": seconds,
        "rows": manifest["node_rows"] + manifest["edge_rows"],
        "nodes": nodes,
        "relationships": rels,
        "slowest_tables": dict(sorted(per_table.items(), key=lambda kv: -kv[1])[:3]),
    }


@step
def per_row_neo4j(p: dict[str, Any]) -> dict[str, Any]:
    """The tutorial approach: graphthb's MERGE for one row per transaction, on a sample."""
    import neo4j

    from benchmarks.tables import Table, single_row_statement

    store = _neo4j_store(p)
    store.close()
    items = [
        json.loads(line) for line in Path(p["sample"]).read_text(encoding="utf-8").splitlines()
    ]
    prepared = [(single_row_statement(Table.from_dict(i["table"])), i["row"]) for i in items]
    auth = (p["user"], os.environ.get("BENCH_NEO4J_PASSWORD", ""))

    def one(tx: Any, cypher: str, row: dict[str, Any]) -> None:
        tx.run(cypher, r=row).consume()

    with neo4j.GraphDatabase.driver(p["uri"], auth=auth) as driver, driver.session() as session:
        start = time.perf_counter()
        for cypher, row in prepared:
            session.execute_write(one, cypher, row)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(prepared), "rows_per_second": len(prepared) / seconds}


# ---------------------------------------------------------------------------------
# Clustering and its references


@step
def cluster(p: dict[str, Any]) -> dict[str, Any]:
    """``graphthb.analysis.groups.cluster`` on the loaded embedded store, timed by part."""
    import graphthb.analysis.graph as graph_mod
    import graphthb.analysis.groups as groups_mod
    from graphthb.analysis.evaluate import read_truth, score, truth_by_ad
    from graphthb.analysis.neardup import search_plan
    from graphthb.store import open_store

    clock = Clock()
    sizes: dict[str, int] = {}

    def image_pairs(hashes: Any, max_distance: int = 10) -> np.ndarray:
        sizes["images"] = len(hashes)
        found = clock.wrap("image_pairs", real_image_pairs)(hashes, max_distance)
        sizes["image_pairs"] = len(found)
        return found

    real_image_pairs = graph_mod.image_pairs
    graph_mod.image_pairs = image_pairs
    graph_mod.text_pairs = clock.wrap("text_pairs", graph_mod.text_pairs)
    graph_mod.read_inputs = clock.wrap("read", graph_mod.read_inputs)
    groups_mod.build = clock.wrap("build", groups_mod.build)
    groups_mod.detect = clock.wrap("detect", groups_mod.detect)
    groups_mod.describe = clock.wrap("describe", groups_mod.describe)
    groups_mod._write = clock.wrap("write", groups_mod._write)

    with open_store(p["db"]) as store:
        start = time.perf_counter()
        result = groups_mod.cluster(store, method="louvain", seed=0)
        seconds = time.perf_counter() - start
    membership = {rid: g.group_id for g in result.groups for rid in g.members}
    truth = truth_by_ad(read_truth(p["truth"]), list(membership))
    quality = score(membership, truth, [g.group_id for g in result.groups])
    parts = {k: round(v, 3) for k, v in clock.seconds.items()}
    # build() includes reading the store and both near-duplicate searches; the
    # text search runs on a thread of its own alongside the rest of the linking,
    # so it is part of "link" and timed on its own as well.
    parts["link"] = round(
        clock.seconds["build"] - clock.seconds.get("read", 0) - clock.seconds.get("image_pairs", 0),
        3,
    )
    parts["texts_alongside"] = True
    return {
        "seconds": seconds,
        "groups": len(result.groups),
        "organised": len(result.organised),
        "largest": max((g.size for g in result.groups), default=0),
        "parts": parts,
        "images": sizes.get("images", 0),
        "image_pairs": sizes.get("image_pairs", 0),
        "image_exact_bits": search_plan(sizes.get("images", 0), 10)[2],
        "pairwise_f1": quality["pairwise_f1"],
        "groups_recovered": f"{quality['groups_recovered']}/{quality['groups_planted']}",
    }


def _bipartite(db: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, int]:
    """Ads and every ad–identifier link read from the store: (ads, src, dst, n_nodes).

    Node ``i < len(ads)`` is an ad; identifiers follow. No weights, nothing set aside.
    """
    from graphthb.store import open_store

    with open_store(db) as store:
        ads = store.read_nodes("Ad", [])["key"].sort_values().reset_index(drop=True)
        parts = []
        for rel in IDENTIFIER_RELS:
            for edge in store.edge_keys():
                if edge[0] == rel and edge[1] == "Ad":
                    df = store.read_edges(edge, [])
                    parts.append(
                        pd.DataFrame({"ad": df["src"], "ident": edge[2] + ":" + df["dst"]})
                    )
    links = pd.concat(parts, ignore_index=True).drop_duplicates()
    ad_pos = pd.Series(np.arange(len(ads)), index=ads.to_numpy())
    idents, ident_codes = np.unique(links["ident"].to_numpy(), return_inverse=True)
    src = ad_pos.reindex(links["ad"].to_numpy()).to_numpy().astype(np.int64)
    dst = ident_codes.astype(np.int64) + len(ads)
    return ads, src, dst, len(ads) + len(idents)


def _quality(ads: pd.Series, labels: np.ndarray, truth: str) -> dict[str, Any]:
    from graphthb.analysis.evaluate import read_truth, score, truth_by_ad

    membership = {rid: f"c{label}" for rid, label in zip(ads, labels[: len(ads)], strict=True)}
    q = score(membership, truth_by_ad(read_truth(truth), list(membership)))
    return {
        "pairwise_f1": q["pairwise_f1"],
        "groups_recovered": f"{q['groups_recovered']}/{q['groups_planted']}",
    }


@step
def louvain_networkx(p: dict[str, Any]) -> dict[str, Any]:
    """Plain ``networkx.community.louvain_communities`` on the raw ad–identifier graph."""
    import networkx as nx

    ads, src, dst, n = _bipartite(p["db"])
    start = time.perf_counter()
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    found = nx.community.louvain_communities(g, seed=0)
    seconds = time.perf_counter() - start
    labels = np.empty(n, dtype=np.int64)
    for i, members in enumerate(found):
        labels[list(members)] = i
    return {
        "seconds": seconds,
        "nodes": n,
        "edges": int(g.number_of_edges()),
        "communities": len(found),
        **_quality(ads, labels, p["truth"]),
    }


@step
def louvain_igraph(p: dict[str, Any]) -> dict[str, Any]:
    """igraph's compiled ``community_multilevel`` on the same raw graph."""
    import random

    import igraph as ig

    ads, src, dst, n = _bipartite(p["db"])
    random.seed(0)  # igraph draws from Python's random generator
    ig.set_random_number_generator(random)
    start = time.perf_counter()
    g = ig.Graph(n=n, edges=np.stack([src, dst], axis=1), directed=False)
    found = g.community_multilevel()
    seconds = time.perf_counter() - start
    labels = np.asarray(found.membership, dtype=np.int64)
    return {
        "seconds": seconds,
        "nodes": n,
        "edges": int(g.ecount()),
        "communities": len(found),
        **_quality(ads, labels, p["truth"]),
    }


@step
def image_pairs_random(p: dict[str, Any]) -> dict[str, Any]:
    """``neardup.image_pairs`` on ``n`` uniformly random 64-bit hashes (no true pairs)."""
    from graphthb.analysis.neardup import image_pairs, search_plan

    rng = np.random.default_rng(0)
    hashes = [f"{v:016x}" for v in rng.integers(0, 2**63, p["n"], dtype=np.int64).tolist()]
    start = time.perf_counter()
    found = image_pairs(hashes, 10)
    seconds = time.perf_counter() - start
    blocks, radius, exact = search_plan(p["n"], 10)
    return {
        "seconds": seconds,
        "n": p["n"],
        "pairs": len(found),
        "plan": f"{blocks} blocks, radius {radius}, exact to {exact} bits",
    }


@step
def image_recall(p: dict[str, Any]) -> dict[str, Any]:
    """The world's distinct picture hashes searched as graphthb does (approximate past
    ``EXACT_MAX_IMAGES``) and exactly: how many of the exact pairs the default finds."""
    import graphthb.analysis.neardup as neardup
    from graphthb.store import open_store

    with open_store(p["db"]) as store:
        hashes = store.read_nodes("Image", [])["key"].sort_values().tolist()
    start = time.perf_counter()
    default = neardup.image_pairs(hashes, 10)
    default_seconds = time.perf_counter() - start
    neardup.EXACT_MAX_IMAGES = len(hashes)  # force the exact plan
    start = time.perf_counter()
    exact = neardup.image_pairs(hashes, 10)
    exact_seconds = time.perf_counter() - start
    found = {(int(a), int(b)) for a, b in default}
    truth = {(int(a), int(b)) for a, b in exact}
    values = np.array([int(h, 16) for h in hashes], dtype=np.uint64)
    missed = np.array(sorted(truth - found), dtype=np.int64).reshape(-1, 2)
    missed_bits = (
        np.bincount(neardup.hamming(values[missed[:, 0]], values[missed[:, 1]]), minlength=11)
        if len(missed)
        else np.zeros(11, dtype=np.int64)
    )
    return {
        "seconds": default_seconds,
        "exact_seconds": exact_seconds,
        "images": len(hashes),
        "pairs_default": len(found),
        "pairs_exact": len(truth),
        "recall": len(found & truth) / len(truth) if truth else 1.0,
        "missed_by_distance": {str(d): int(c) for d, c in enumerate(missed_bits) if c},
    }


# ---------------------------------------------------------------------------------
# Views


@step
def group_view(p: dict[str, Any]) -> dict[str, Any]:
    """``graphthb.views.group_view`` of the largest group."""
    from graphthb import views
    from graphthb.store import open_store

    with open_store(p["db"]) as store:
        rows = store.query(
            "MATCH (g:Group) RETURN g.key AS key, g.size AS size ORDER BY size DESC, key LIMIT 1"
        ).rows
        group, size = rows[0]
        start = time.perf_counter()
        info = views.group_view(store, group, Path(p["out"]))
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "group": group,
        "ads": int(size),
        "nodes": info.nodes,
        "edges": info.edges,
        "html_mb": info.path.stat().st_size / 1e6,
        "notes": info.notes,
    }


@step
def view_browser(p: dict[str, Any]) -> dict[str, Any]:
    """Open the view in headless Chromium until it is ready (benchmarks/bench_views.py)."""
    from benchmarks.bench_views import browser, open_until_ready

    with browser() as driver:
        page, wall = open_until_ready(driver, Path(p["html"]))
        version = driver.capabilities.get("browserVersion")
    return {"seconds": wall, "page_seconds": page, "chromium": version}


def main(argv: list[str]) -> int:
    name, params, out = argv
    result = STEPS[name](json.loads(params))
    Path(out).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
