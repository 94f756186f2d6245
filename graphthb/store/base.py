"""The store interface both backends implement, and the reads derived from it.

A backend supplies a handful of primitives (create the schema, merge a table of
nodes, merge a table of relationships, read a kind or a relationship type back
as a table, run Cypher). Everything else — counts, the projection of the graph
into arrays and NetworkX, replacing the groups — is written once here.

Tables travel as pandas DataFrames. Node tables have a ``key`` column plus any
of the kind's properties; relationship tables have ``src`` and ``dst`` (the two
ends' keys) plus provenance and the type's properties.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa

from graphthb.errors import StoreError
from graphthb.schema import SCHEMA

__all__ = [
    "Store",
    "Projection",
    "QueryResult",
    "EdgeKey",
    "arrow_table",
    "first_values",
    "rel_props",
    "IGNORE_COLUMNS",
    "ignore_key",
]

# (relationship type, source kind, target kind): one physical edge table.
EdgeKey = tuple[str, str, str]

_ARROW = {"STRING": pa.string(), "INT64": pa.int64(), "DOUBLE": pa.float64(), "BOOL": pa.bool_()}


def arrow_table(df: pd.DataFrame, columns: dict[str, str]) -> pa.Table:
    """Typed Arrow table of ``columns`` (name -> schema type) taken from ``df``.

    Missing columns become all-null columns of the right type, so a backend
    never has to guess a column's type from its values (and an all-empty
    column still has one).
    """
    arrays = {}
    for name, typ in columns.items():
        if name not in df.columns:
            arrays[name] = pa.nulls(len(df), _ARROW[typ])
            continue
        values = df[name]
        try:
            arrays[name] = pa.array(values, _ARROW[typ], from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # Mixed Python values (a number in a text column, say): coerce one by one.
            if typ == "STRING":
                coerced = [None if _missing(v) else str(v) for v in values]
            else:
                coerced = [None if _missing(v) else v for v in values]
            arrays[name] = pa.array(coerced, _ARROW[typ])
    return pa.table(arrays)


def first_values(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per key, each property its first non-empty value in the batch.

    A batch may name the same node several times (a phone in many ads, a person
    once with a role and once without); no mention may blank another.
    """
    if not rows["key"].duplicated().any():
        return rows
    return rows.groupby("key", sort=False, as_index=False).first()


def rel_props(rel: str, columns: list[str] | None) -> list[str]:
    """The relationship properties to read: all of the type's, or the asked ones checked."""
    cols = SCHEMA.rel_columns(rel)
    props = list(cols) if columns is None else list(columns)
    for p in props:
        if p not in cols:
            raise StoreError(f"{rel} has no property {p!r}")
    return props


def _plain(value: Any) -> Any:
    if _missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


#: Where the audit trail's head is kept in the store: outside the schema, so no
#: export, count or analysis ever sees it.
AUDIT_HEAD_LABEL = "GraphthbAuditHead"
#: The analyst's ignore list (graphthb.ignorelist), kept outside the schema for
#: the same reason: it is about identifiers, not a fact any source gave.
IGNORE_LABEL = "GraphthbIgnore"
#: What an ignore-list entry holds: ``key`` is ``Kind:value``, unique.
IGNORE_COLUMNS = ("kind", "value", "reason", "added_by", "added_at", "found_in")
#: Tables kept beside the graph's own, with their columns (``key`` first): the
#: embedded store creates them and carries them through a rebuild.
SIDE_TABLES: dict[str, dict[str, str]] = {
    AUDIT_HEAD_LABEL: {"key": "STRING", "seq": "INT64", "hash": "STRING"},
    IGNORE_LABEL: {"key": "STRING", **dict.fromkeys(IGNORE_COLUMNS, "STRING")},
}


def ignore_key(kind: str, value: str) -> str:
    """The unique key of an ignore-list entry: the kind has no colon, so it reads back."""
    return f"{kind}:{value}"


@dataclass(frozen=True)
class Rederive:
    """How purge recomputes properties a source may have written on a shared node.

    ``props`` maps the node's property to the Ad property it was taken from
    along ``rel`` (None: no ad gives it); ``from_key`` gives each property's
    value from the key alone, for a node no remaining ad names.
    """

    rel: str | None
    props: dict[str, str]
    from_key: Any


def _location_from_key(key: str) -> tuple[str | None, str | None]:
    country, _, city = key.partition("|")
    return (city or None, None if country in ("", "??") else country)


#: The node properties that record how one source wrote a shared thing: the
#: spelling of an agency, platform or city, and a person's role. Phone regions,
#: handle services, URL domains and wallet chains are computed from the key
#: alone, so every source writes the same value and none needs recomputing.
REDERIVED: dict[str, Rederive] = {
    "Agency": Rederive("NAMES_AGENCY", {"name": "agency"}, lambda k: (k,)),
    "Platform": Rederive(
        "POSTED_ON", {"name": "platform", "platform_type": "platform_type"}, lambda k: (k, None)
    ),
    "Location": Rederive("LOCATED_IN", {"city": "city", "country": "country"}, _location_from_key),
    # A role comes only from links rows, and no relationship says which row gave
    # it: it is cleared, and loading the remaining links files gives it back.
    "Person": Rederive(None, {"role": "role"}, lambda k: (None,)),
}


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


@dataclass
class QueryResult:
    """Rows of a Cypher query: column names and a list of row lists."""

    columns: list[str]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.columns)


@dataclass
class Projection:
    """The graph as arrays: node ``i`` is row ``i`` of ``nodes``.

    ``nodes`` has columns ``kind`` and ``key``; ``edges`` has ``src`` and
    ``dst`` (node positions), ``rel`` and the provenance columns.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame

    def node_index(self) -> pd.Series:
        """Map (kind, key) to a node position."""
        return pd.Series(np.arange(len(self.nodes)), index=pd.MultiIndex.from_frame(self.nodes))

    def to_networkx(self) -> nx.MultiDiGraph:
        """A NetworkX multigraph with ``kind``/``key`` on nodes and attributes on edges."""
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(
            (i, {"kind": k, "key": key})
            for i, k, key in zip(
                range(len(self.nodes)), self.nodes["kind"], self.nodes["key"], strict=True
            )
        )
        attrs = [c for c in self.edges.columns if c not in ("src", "dst")]
        graph.add_edges_from(
            (s, d, dict(zip(attrs, rest, strict=True)))
            for s, d, *rest in self.edges[["src", "dst", *attrs]].itertuples(index=False)
        )
        return graph


class Store(ABC):
    """A graph store. Use as a context manager; writes are idempotent merges."""

    #: "embedded" or "neo4j"
    backend: str = ""
    #: what to show the analyst: a path or a URI (never a password)
    location: str = ""
    #: records the loader reads before each ``write_batch``: what suits the backend
    batch_records: int = 5_000

    # -- primitives every backend supplies -------------------------------------------

    @abstractmethod
    def init_schema(self) -> None:
        """Create tables, constraints and indexes; safe to call on every open."""

    @abstractmethod
    def merge_nodes(self, kind: str, rows: pd.DataFrame) -> None:
        """Merge nodes of ``kind`` on ``key``; non-empty given properties are set, others kept.

        A null never overwrites a stored value, so a later, sparser mention of a
        node cannot erase what an earlier one said.
        """

    @abstractmethod
    def merge_edges(self, edge: EdgeKey, rows: pd.DataFrame) -> None:
        """Merge relationships on (src, dst, type, source); the ends must exist."""

    @abstractmethod
    def read_nodes(self, kind: str, columns: list[str] | None = None) -> pd.DataFrame:
        """All nodes of ``kind`` as a table with ``key`` and the asked properties."""

    @abstractmethod
    def read_edges(self, edge: EdgeKey, columns: list[str] | None = None) -> pd.DataFrame:
        """All relationships of one edge table: ``src``, ``dst`` keys and asked properties."""

    @abstractmethod
    def read_rel(self, rel: str, columns: list[str] | None = None) -> pd.DataFrame:
        """All relationships of one type, whatever their ends' kinds: ``src_kind``,
        ``src``, ``dst_kind``, ``dst`` and the asked properties."""

    @abstractmethod
    def query(
        self, cypher: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> QueryResult:
        """Run Cypher with bound parameters; read-only unless ``write``."""

    @abstractmethod
    def close(self) -> None: ...

    # -- derived, written once --------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def edge_keys(self) -> list[EdgeKey]:
        """Every physical edge table the schema defines."""
        return [(r.name, a, b) for r in SCHEMA.relationships.values() for a, b in r.pairs]

    def write_batch(
        self, nodes: dict[str, pd.DataFrame], edges: dict[EdgeKey, pd.DataFrame]
    ) -> None:
        """Write nodes first so every relationship finds both of its ends."""
        for kind, df in nodes.items():
            if len(df):
                self.merge_nodes(kind, df)
        for edge, df in edges.items():
            if len(df):
                self.merge_edges(edge, df)

    def count_nodes(self) -> dict[str, int]:
        return {k: int(self._count(f"MATCH (n:{k}) RETURN count(n)")) for k in SCHEMA.nodes}

    def count_edges(self) -> dict[str, int]:
        return {
            r: int(self._count(f"MATCH ()-[e:{r}]->() RETURN count(e)"))
            for r in SCHEMA.relationships
        }

    def _count(self, cypher: str) -> int:
        return self.query(cypher).rows[0][0]

    def projection(
        self, rels: list[str] | None = None, edge_columns: list[str] | None = None
    ) -> Projection:
        """Nodes and relationships as arrays; ``rels`` limits the relationship types.

        Only nodes that some selected relationship touches are kept, plus every Ad,
        so a lone ad is still there.
        """
        wanted = set(rels) if rels else set(SCHEMA.relationships)
        cols = edge_columns if edge_columns is not None else list(SCHEMA.provenance)
        # One read per relationship type, whatever kinds it joins.
        parts = []
        for rel in SCHEMA.relationships:
            if rel not in wanted:
                continue
            df = self.read_rel(rel, cols)
            if len(df):
                parts.append(df.assign(rel=rel))
        edges = (
            pd.concat(parts, ignore_index=True)
            if parts
            else pd.DataFrame(columns=["src", "dst", "rel", "src_kind", "dst_kind", *cols])
        )
        ads = self.read_nodes("Ad", [])[["key"]].assign(kind="Ad")
        ends = pd.concat(
            [
                edges[["src_kind", "src"]].set_axis(["kind", "key"], axis=1),
                edges[["dst_kind", "dst"]].set_axis(["kind", "key"], axis=1),
                ads[["kind", "key"]],
            ],
            ignore_index=True,
        ).drop_duplicates()
        # A stable order (by kind, then key) makes every downstream result independent
        # of the order the store returned rows in.
        nodes = ends.sort_values(["kind", "key"], kind="stable").reset_index(drop=True)
        index = pd.Series(np.arange(len(nodes)), index=pd.MultiIndex.from_frame(nodes))
        src = index.reindex(pd.MultiIndex.from_arrays([edges["src_kind"], edges["src"]])).to_numpy()
        dst = index.reindex(pd.MultiIndex.from_arrays([edges["dst_kind"], edges["dst"]])).to_numpy()
        out = edges.drop(columns=["src", "dst", "src_kind", "dst_kind"]).assign(
            src=src.astype(np.int64), dst=dst.astype(np.int64)
        )
        out["rel"] = out["rel"].astype("category")
        nodes["kind"] = nodes["kind"].astype("category")
        return Projection(
            nodes, out[["src", "dst", *[c for c in out.columns if c not in ("src", "dst")]]]
        )

    def sources(self) -> dict[str, int]:
        """Every source named in the store, with how many facts carry it."""
        counts: dict[str, int] = {}
        for rel in SCHEMA.relationships:
            if rel == "MEMBER_OF":
                continue
            for source, n in self.query(
                f"MATCH ()-[e:{rel}]->() RETURN e.source AS source, count(e) AS n"
            ).rows:
                counts[source or ""] = counts.get(source or "", 0) + n
        return dict(sorted(counts.items()))

    def purge_source(self, source: str) -> dict[str, int]:
        """Remove everything ``source`` put in the store; what remains is re-derived.

        Ads whose own ``source`` is ``source`` go with all their relationships;
        every relationship whose ``source`` is ``source`` goes; nodes left
        without any relationship go. Nodes that survive because another source
        names them too, but that ``source`` touched, lose what ``source`` may
        have written on them (see :data:`REDERIVED`): each such property is
        recomputed from the remaining ads, else from the node's key, and a
        person's role is cleared. Groups are removed: they were computed from
        facts that are gone, and `graphthb cluster` makes them again. Then the
        backend's :meth:`compact` makes the deleted bytes unreadable where it
        can. Raises NotFoundError, changing nothing, when nothing carries
        ``source``.

        The result counts what went, by kind or type, and ``re-derived KIND``
        for the surviving nodes whose properties were recomputed.
        """
        from graphthb.errors import NotFoundError

        known = self.sources()
        ads = self._count_param("MATCH (a:Ad) WHERE a.source = $s RETURN count(a)", source)
        if not known.get(source) and not ads:
            names = ", ".join(repr(k) for k in known) or "none"
            raise NotFoundError(
                f"no fact comes from source {source!r}; nothing changed (sources: {names})"
            )
        # Which surviving nodes the source may have written on: read before deleting.
        touched = {kind: self._touched_by(kind, source) for kind in REDERIVED}
        removed: dict[str, int] = {}
        for rel in SCHEMA.relationships:
            n = self._count_param(
                f"MATCH ()-[e:{rel}]->() WHERE e.source = $s RETURN count(e)", source
            )
            if n:
                self.query(
                    f"MATCH ()-[e:{rel}]->() WHERE e.source = $s DELETE e",
                    {"s": source},
                    write=True,
                )
                removed[rel] = n
        if ads:
            # By the ad's own source, never by its key: another source may hold
            # a record with the same record_id.
            self.query(
                "MATCH (a:Ad) WHERE a.source = $s DETACH DELETE a", {"s": source}, write=True
            )
            removed["Ad"] = ads
        groups = self._count("MATCH (g:Group) RETURN count(g)")
        if groups:
            self.delete_groups()
            removed["Group"] = groups
        for kind in SCHEMA.nodes:
            if kind in ("Ad", "Group"):
                continue
            n = self._count(f"MATCH (n:{kind}) WHERE NOT (n)--() RETURN count(n)")
            if n:
                self.query(f"MATCH (n:{kind}) WHERE NOT (n)--() DELETE n", write=True)
                removed[kind] = n
        for kind, keys in touched.items():
            n = self._rederive(kind, keys)
            if n:
                removed[f"re-derived {kind}"] = n
        self.compact()
        return removed

    def _touched_by(self, kind: str, source: str) -> set[str]:
        """Keys of ``kind`` nodes joined to a fact of ``source`` or to one of its ads."""
        keys: set[str] = set()
        for cypher in (
            f"MATCH (n:{kind})-[e]-() WHERE e.source = $s RETURN DISTINCT n.key",
            f"MATCH (n:{kind})--(a:Ad) WHERE a.source = $s RETURN DISTINCT n.key",
        ):
            keys.update(row[0] for row in self.query(cypher, {"s": source}).rows)
        return keys

    def _rederive(self, kind: str, keys: set[str]) -> int:
        """Recompute the :data:`REDERIVED` properties of the surviving ``keys``."""
        if not keys:
            return 0
        rule = REDERIVED[kind]
        alive = self.read_nodes(kind, [])
        alive = alive[alive["key"].isin(keys)]
        if not len(alive):
            return 0
        table = pd.DataFrame({"key": alive["key"].astype(str)})
        for prop in rule.props:
            table[prop] = None
        if rule.rel is not None:
            edges = self.read_rel(rule.rel, ["observed_at"])
            edges = edges[(edges["src_kind"] == "Ad") & edges["dst"].isin(keys)]
            if len(edges):
                ads = self.read_nodes("Ad", list(rule.props.values()))
                joined = edges.merge(ads, left_on="src", right_on="key", suffixes=("", "_ad"))
                # The latest observation wins; among equals the smallest ad key, so the
                # answer does not depend on the order the store returns rows in.
                joined = joined.assign(_at=joined["observed_at"].fillna("")).sort_values(
                    ["dst", "_at", "src"], ascending=[True, False, True], kind="stable"
                )
                best = joined.drop_duplicates("dst").set_index("dst")
                for prop, ad_prop in rule.props.items():
                    values = table["key"].map(best[ad_prop])
                    table[prop] = values.where(values.notna(), None)
        fallback = table["key"].map(rule.from_key)
        for i, prop in enumerate(rule.props):
            missing = table[prop].isna()
            table.loc[missing, prop] = fallback[missing].map(lambda v, i=i: v[i])
        self.set_node_properties(kind, table)
        return len(table)

    def set_node_properties(self, kind: str, rows: pd.DataFrame) -> None:
        """Set the given properties of existing nodes exactly: a null clears a value.

        Unlike :meth:`merge_nodes`, which never lets a null erase what is stored;
        purge needs to erase. Backends may override with a faster form.
        """
        node = SCHEMA.node(kind)
        props = [c for c in rows.columns if c != "key"]
        for p in props:
            if p not in node.properties:
                raise StoreError(f"{kind} has no property {p!r}")
        for row in rows.to_dict("records"):
            sets = ", ".join(f"n.{p} = $v_{p}" for p in props)
            params = {"k": row["key"], **{f"v_{p}": _plain(row[p]) for p in props}}
            self.query(f"MATCH (n:{kind}) WHERE n.key = $k SET {sets}", params, write=True)

    def compact(self) -> None:
        """Make deleted data unreadable in the store's files, where the backend can.

        The base does nothing: a server's store files are its administrator's
        (docs/data-protection.md says what to do on Neo4j).
        """
        return None

    # -- the audit trail's head ---------------------------------------------------------

    def read_audit_head(self) -> tuple[int, str] | None:
        """The sequence number and hash of the last audit entry of a command that
        wrote to this store, or None when none was recorded."""
        rows = self.query(
            f"MATCH (h:{AUDIT_HEAD_LABEL}) WHERE h.key = 'head' RETURN h.seq, h.hash"
        ).rows
        if not rows or rows[0][0] is None:
            return None
        return int(rows[0][0]), str(rows[0][1])

    def write_audit_head(self, seq: int, digest: str) -> None:
        """Record the audit trail's head in the store itself (see graphthb.audit)."""
        self.query(
            f"MERGE (h:{AUDIT_HEAD_LABEL} {{key: 'head'}}) SET h.seq = $seq, h.hash = $hash",
            {"seq": int(seq), "hash": digest},
            write=True,
        )

    # -- the analyst's ignore list ------------------------------------------------------

    def read_ignored(self) -> list[dict[str, Any]]:
        """Every ignore-list entry, by kind and value: dicts of :data:`IGNORE_COLUMNS`."""
        ret = ", ".join(f"n.{c} AS {c}" for c in IGNORE_COLUMNS)
        result = self.query(f"MATCH (n:{IGNORE_LABEL}) RETURN {ret} ORDER BY n.kind, n.value")
        return result.records()

    def add_ignored(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Put ``entries`` (dicts of :data:`IGNORE_COLUMNS`) on the ignore list; returns
        those added. An entry already listed is left as it is, so adding twice changes
        nothing; values go in as parameters only."""
        have = {ignore_key(e["kind"], e["value"]) for e in self.read_ignored()}
        new: list[dict[str, Any]] = []
        for e in entries:
            key = ignore_key(e["kind"], e["value"])
            if key not in have:
                have.add(key)
                new.append({"key": key, **{c: str(e.get(c) or "") for c in IGNORE_COLUMNS}})
        if new:
            sets = ", ".join(f"n.{c} = r.{c}" for c in IGNORE_COLUMNS)
            self.query(
                f"UNWIND $rows AS r MERGE (n:{IGNORE_LABEL} {{key: r.key}}) SET {sets}",
                {"rows": new},
                write=True,
            )
        return [{c: e[c] for c in IGNORE_COLUMNS} for e in new]

    def remove_ignored(self, kind: str, value: str) -> dict[str, Any] | None:
        """Take one entry off the ignore list; returns it, or None when it was not listed."""
        key = ignore_key(kind, value)
        found = [e for e in self.read_ignored() if ignore_key(e["kind"], e["value"]) == key]
        if not found:
            return None
        self.query(f"MATCH (n:{IGNORE_LABEL}) WHERE n.key = $k DELETE n", {"k": key}, write=True)
        return found[0]

    def _count_param(self, cypher: str, value: str) -> int:
        return int(self.query(cypher, {"s": value}).rows[0][0])

    def delete_groups(self) -> None:
        """Remove every Group node and its MEMBER_OF relationships."""
        self.query("MATCH (g:Group) DETACH DELETE g", write=True)

    def write_groups(self, groups: pd.DataFrame, members: pd.DataFrame) -> None:
        """Replace the groups: ``groups`` is a Group node table, ``members`` MEMBER_OF rows."""
        self.delete_groups()
        self.merge_nodes("Group", groups)
        self.merge_edges(("MEMBER_OF", "Ad", "Group"), members)

    @staticmethod
    def _require_columns(df: pd.DataFrame, needed: tuple[str, ...], what: str) -> None:
        missing = [c for c in needed if c not in df.columns]
        if missing:
            raise StoreError(f"{what}: missing column(s) {', '.join(missing)}")
