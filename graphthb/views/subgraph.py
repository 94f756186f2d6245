"""What a view draws: a set of nodes and the relationships among them, read from the store.

Every query here is portable Cypher (``MATCH``, ``WHERE x.key IN $list``,
``RETURN``) that runs unchanged on LadybugDB and Neo4j. Labels and relationship
types are never found with ``label()``/``labels()``/``type()``: each query names
one edge table from the schema, so the kinds at both ends are known. Values go
in as parameters only; the names formatted into the text come from the schema.

Analyst assertions are the exception: they may join any two assertable kinds
(800 possible edge tables), so they are read per type with
:meth:`Store.read_rel`, which each backend implements, and filtered here.
Assertions are few (a links file an analyst writes), records are many.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graphthb.schema import SCHEMA
from graphthb.store.base import EdgeKey, Store

__all__ = [
    "NodeId",
    "Edge",
    "Subgraph",
    "ASSERTION_COLUMNS",
    "RECORD_TABLES",
    "CONTEXT_KINDS",
    "IDENTIFIER_TABLES",
    "read_assertions",
    "neighbours",
    "induced_edges",
    "node_props",
    "ad_counts",
    "ad_groups",
    "exists",
    "clean",
]

NodeId = tuple[str, str]  # (kind, key)

# Kinds that describe where an ad ran rather than who is behind it. Thousands of
# unrelated ads share a platform or a city, so a view draws them but never walks
# on through them (except from the one the analyst asked about).
CONTEXT_KINDS = frozenset({"Platform", "Location", "Domain"})

# Relationships read from records, one edge table each; MEMBER_OF is drawn
# differently (as the group itself), so it is not among them.
RECORD_TABLES: tuple[EdgeKey, ...] = tuple(
    (r.name, a, b)
    for r in SCHEMA.relationships.values()
    if not r.asserted and r.name != "MEMBER_OF"
    for a, b in r.pairs
)
# Ad -> identifier tables: what makes two ads (and two groups) share something.
IDENTIFIER_TABLES: tuple[EdgeKey, ...] = tuple(
    t for t in RECORD_TABLES if t[1] == "Ad" and t[2] not in CONTEXT_KINDS
)
ASSERTED_RELS: tuple[str, ...] = tuple(r.name for r in SCHEMA.relationships.values() if r.asserted)
PROVENANCE: tuple[str, ...] = tuple(SCHEMA.provenance)
ASSERTION_COLUMNS: tuple[str, ...] = (
    *PROVENANCE,
    *(p for p in ("relation", "confidence", "note") if p in SCHEMA.rel_columns("ASSERTED")),
)

# Named queries; {a}, {b}, {rel}, {kind} and {props} are filled from the schema only.
Q_EXISTS = "MATCH (n:{kind}) WHERE n.key = $key RETURN n.key AS key"
Q_FORWARD = "MATCH (a:{a})-[:{rel}]->(b:{b}) WHERE a.key IN $keys RETURN DISTINCT b.key AS key"
Q_BACKWARD = "MATCH (a:{a})-[:{rel}]->(b:{b}) WHERE b.key IN $keys RETURN DISTINCT a.key AS key"
Q_INDUCED = (
    "MATCH (a:{a})-[e:{rel}]->(b:{b}) WHERE a.key IN $src AND b.key IN $dst "
    "RETURN a.key AS src, b.key AS dst, {props}"
)
Q_PROPS = "MATCH (n:{kind}) WHERE n.key IN $keys RETURN n.key AS key, {props}"
Q_AD_COUNT = (
    "MATCH (a:Ad)-[:{rel}]->(x:{kind}) WHERE x.key IN $keys "
    "RETURN x.key AS key, count(DISTINCT a) AS ads"
)
Q_DOMAIN_AD_COUNT = (
    "MATCH (a:Ad)-[:LINKS_TO]->(:Url)-[:ON_DOMAIN]->(d:Domain) WHERE d.key IN $keys "
    "RETURN d.key AS key, count(DISTINCT a) AS ads"
)
Q_AD_GROUPS = (
    "MATCH (a:Ad)-[:MEMBER_OF]->(g:Group) WHERE a.key IN $keys "
    "RETURN a.key AS ad, g.key AS grp, g.score AS score"
)


@dataclass
class Edge:
    """One drawn relationship: every stored fact (one per source) between two nodes."""

    rel: str
    src: NodeId
    dst: NodeId
    facts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Subgraph:
    nodes: list[NodeId]
    edges: list[Edge]
    notes: list[str] = field(default_factory=list)


def clean(value: Any) -> Any:
    """A stored value made safe to encode: no NaN, and text without lone surrogates.

    Ad texts come from scraped pages; a broken surrogate would make the page
    unwritable as UTF-8, so it becomes U+FFFD like any other undecodable byte.
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if hasattr(value, "item"):  # numpy scalars
        return clean(value.item())
    return value


def exists(store: Store, kind: str, key: str) -> bool:
    SCHEMA.node(kind)
    return bool(store.query(Q_EXISTS.format(kind=kind), {"key": key}).rows)


def read_assertions(store: Store) -> pd.DataFrame:
    """Every analyst assertion: ``rel``, both ends' kinds and keys, provenance and notes."""
    parts = []
    for rel in ASSERTED_RELS:
        df = store.read_rel(rel, list(ASSERTION_COLUMNS))
        if len(df):
            parts.append(df.assign(rel=rel))
    if not parts:
        return pd.DataFrame(
            columns=["rel", "src_kind", "src", "dst_kind", "dst", *ASSERTION_COLUMNS]
        )
    return pd.concat(parts, ignore_index=True)


def _by_kind(nodes: Iterable[NodeId]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind, key in nodes:
        out.setdefault(kind, []).append(key)
    for keys in out.values():
        keys.sort()
    return out


def neighbours(
    store: Store,
    frontier: Iterable[NodeId],
    assertions: pd.DataFrame,
    *,
    tables: Iterable[EdgeKey] = RECORD_TABLES,
    asserted: bool = True,
) -> set[NodeId]:
    """Nodes one relationship away from ``frontier`` (either direction)."""
    frontier = set(frontier)
    by_kind = _by_kind(frontier)
    found: set[NodeId] = set()
    for rel, a, b in tables:
        if a in by_kind:
            res = store.query(Q_FORWARD.format(a=a, rel=rel, b=b), {"keys": by_kind[a]})
            found.update((b, row[0]) for row in res.rows)
        if b in by_kind:
            res = store.query(Q_BACKWARD.format(a=a, rel=rel, b=b), {"keys": by_kind[b]})
            found.update((a, row[0]) for row in res.rows)
    if asserted and len(assertions):
        for row in assertions[["src_kind", "src", "dst_kind", "dst"]].itertuples(index=False):
            s, d = (row.src_kind, row.src), (row.dst_kind, row.dst)
            if s in frontier:
                found.add(d)
            if d in frontier:
                found.add(s)
    return found


def induced_edges(store: Store, nodes: Iterable[NodeId], assertions: pd.DataFrame) -> list[Edge]:
    """Every relationship with both ends among ``nodes``, facts from several sources merged."""
    wanted = set(nodes)
    by_kind = _by_kind(wanted)
    merged: dict[tuple[str, NodeId, NodeId], Edge] = {}

    def add(rel: str, src: NodeId, dst: NodeId, fact: dict[str, Any]) -> None:
        edge = merged.get((rel, src, dst))
        if edge is None:
            edge = merged[(rel, src, dst)] = Edge(rel, src, dst)
        edge.facts.append({k: clean(v) for k, v in fact.items()})

    props = ", ".join(f"e.{p} AS {p}" for p in PROVENANCE)
    for rel, a, b in RECORD_TABLES:
        if a not in by_kind or b not in by_kind:
            continue
        res = store.query(
            Q_INDUCED.format(a=a, rel=rel, b=b, props=props),
            {"src": by_kind[a], "dst": by_kind[b]},
        )
        for src, dst, *rest in res.rows:
            add(rel, (a, src), (b, dst), dict(zip(PROVENANCE, rest, strict=True)))
    if len(assertions):
        cols = ["rel", "src_kind", "src", "dst_kind", "dst", *ASSERTION_COLUMNS]
        for rel, sk, s, dk, d, *rest in assertions[cols].itertuples(index=False):
            if (sk, s) in wanted and (dk, d) in wanted:
                add(rel, (sk, s), (dk, d), dict(zip(ASSERTION_COLUMNS, rest, strict=True)))
    edges = list(merged.values())
    for edge in edges:
        edge.facts.sort(key=lambda f: tuple(str(f.get(p) or "") for p in PROVENANCE))
    edges.sort(key=lambda e: (e.rel, e.src, e.dst))
    return edges


def node_props(
    store: Store, nodes: Iterable[NodeId], wanted: dict[str, list[str]]
) -> dict[NodeId, dict[str, Any]]:
    """The properties ``wanted`` (kind -> names) of each node; other kinds get none."""
    out: dict[NodeId, dict[str, Any]] = {n: {} for n in nodes}
    for kind, keys in _by_kind(out).items():
        names = [p for p in wanted.get(kind, []) if p in SCHEMA.node(kind).properties]
        if not names:
            continue
        props = ", ".join(f"n.{p} AS {p}" for p in names)
        res = store.query(Q_PROPS.format(kind=kind, props=props), {"keys": keys})
        for key, *values in res.rows:
            out[(kind, key)] = {p: clean(v) for p, v in zip(names, values, strict=True)}
    return out


def ad_counts(store: Store, nodes: Iterable[NodeId]) -> dict[NodeId, int]:
    """For each identifier, in how many ads of the whole store it appears."""
    by_kind = _by_kind(nodes)
    out: dict[NodeId, int] = {}
    for rel, a, b in RECORD_TABLES:
        if a != "Ad" or b not in by_kind:
            continue
        res = store.query(Q_AD_COUNT.format(rel=rel, kind=b), {"keys": by_kind[b]})
        for key, count in res.rows:
            out[(b, key)] = out.get((b, key), 0) + int(count)
    if "Domain" in by_kind and "Url" in SCHEMA.nodes:
        res = store.query(Q_DOMAIN_AD_COUNT, {"keys": by_kind["Domain"]})
        for key, count in res.rows:
            out[("Domain", key)] = int(count)
    return out


def ad_groups(store: Store, ads: list[str]) -> dict[str, tuple[str, float | None]]:
    """The group (id, score) each ad belongs to, for the ads that have one."""
    if not ads:
        return {}
    res = store.query(Q_AD_GROUPS, {"keys": sorted(ads)})
    return {ad: (grp, clean(score)) for ad, grp, score in res.rows}
