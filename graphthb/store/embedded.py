"""The embedded store: a LadybugDB database in one file, no server needed.

LadybugDB (the maintained fork of Kùzu) speaks Cypher, so an analyst without a
server still queries the case directly. It has typed tables, so the schema is
created up front from ``schema.toml``: one node table per kind, one relationship
table per type with every pair of kinds the schema allows.

Writes: measured on this project's 2-core machine, ``UNWIND $rows ... MERGE`` of
relationships runs at a few hundred rows a second and a re-MERGE of existing
relationships exhausts the buffer pool, while ``COPY`` of an Arrow table adds
200,000 relationships in under half a second. So nodes are merged from an
Arrow table with ``LOAD FROM``, and relationships are anti-joined in memory
against the ones already stored (same ends, type and source) and the new ones
bulk-copied. That keeps loads idempotent and fast.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from graphthb.errors import ConfigError, QueryError, StoreError
from graphthb.schema import SCHEMA
from graphthb.store.base import (
    EdgeKey,
    QueryResult,
    Store,
    arrow_table,
    first_values,
    rel_props,
)

__all__ = ["EmbeddedStore", "WRITING_CLAUSES"]

# Clauses that change the database; a read-only query may contain none of them.
WRITING_CLAUSES = re.compile(
    r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|ALTER|COPY|INSTALL|LOAD\s+EXTENSION|"
    r"IMPORT|EXPORT|ATTACH|CHECKPOINT|BEGIN|COMMIT|ROLLBACK)\b",
    re.IGNORECASE,
)
_STRING_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_IDENTITY_SEP = "\x1f"
# LadybugDB reserves GROUP, so the Group label must be quoted there; analysts can
# still write `(g:Group)` as on Neo4j, because queries are rewritten before they run.
_BARE_GROUP_LABEL = re.compile(r"(?<=:)(\s*)Group\b")


def _quote_reserved_labels(cypher: str) -> str:
    """Quote the Group label outside string literals and comments."""
    out, pos = [], 0
    for m in re.finditer(_STRING_LITERAL.pattern + "|" + _COMMENT.pattern, cypher, re.DOTALL):
        out.append(_BARE_GROUP_LABEL.sub(r"\1`Group`", cypher[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_BARE_GROUP_LABEL.sub(r"\1`Group`", cypher[pos:]))
    return "".join(out)


def _writes(cypher: str) -> bool:
    """Whether ``cypher`` has a writing clause outside strings and comments."""
    bare = _STRING_LITERAL.sub("''", _COMMENT.sub(" ", cypher))
    # CALL procedures may write too; the read-only ones analysts need are allowed.
    if re.search(r"\bCALL\b", bare, re.IGNORECASE) and not re.search(
        r"\bCALL\s+(show_tables|table_info|show_connection|db_version|current_setting|"
        r"show_functions|show_indexes)\s*\(",
        bare,
        re.IGNORECASE,
    ):
        return True
    return bool(WRITING_CLAUSES.search(bare))


class EmbeddedStore(Store):
    backend = "embedded"

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False) -> None:
        import ladybug

        self.path = Path(path)
        self.location = str(self.path)
        if self.path.is_dir():
            raise ConfigError(
                f"--db {self.path} is a folder; give a file path for the embedded store"
            )
        parent = self.path.parent
        if not parent.exists():
            raise ConfigError(f"--db {self.path}: folder {parent} does not exist")
        if not os.access(parent, os.W_OK) or (
            self.path.exists() and not os.access(self.path, os.W_OK)
        ):
            raise ConfigError(f"--db {self.path}: cannot write there; choose another path")
        try:
            # A bounded buffer pool: the default takes most of the machine's memory.
            self._db = ladybug.Database(str(self.path), buffer_pool_size=2 << 30)
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            raise ConfigError(
                f"--db {self.path}: cannot open the embedded store: {_one_line(exc)}"
            ) from None
        self._edge_ids: dict[EdgeKey, np.ndarray] = {}
        self.init_schema()

    # -- schema ---------------------------------------------------------------------

    def init_schema(self) -> None:
        existing = {row[1] for row in self._run("CALL show_tables() RETURN *").rows}
        for kind in SCHEMA.nodes.values():
            if kind.name in existing:
                continue
            cols = ", ".join(f"{c} {t}" for c, t in kind.columns.items())
            self._run(f"CREATE NODE TABLE `{kind.name}`({cols}, PRIMARY KEY (key))")
        for rel in SCHEMA.relationships.values():
            if rel.name in existing:
                continue
            pairs = ", ".join(f"FROM `{a}` TO `{b}`" for a, b in rel.pairs)
            cols = ", ".join(f"{c} {t}" for c, t in SCHEMA.rel_columns(rel.name).items())
            self._run(f"CREATE REL TABLE {rel.name}({pairs}, {cols})")

    # -- writes ---------------------------------------------------------------------

    def merge_nodes(self, kind: str, rows: pd.DataFrame) -> None:
        self._require_columns(rows, ("key",), f"{kind} nodes")
        node = SCHEMA.node(kind)
        rows = first_values(rows)
        props = [c for c in node.properties if c in rows.columns]
        # Columns get a prefix so no property name can clash with a Cypher variable.
        table = arrow_table(rows, {"key": "STRING", **{p: node.properties[p] for p in props}})
        table = table.rename_columns(["k", *[f"c_{p}" for p in props]])
        sets = ", ".join(f"n.{p} = coalesce(c_{p}, n.{p})" for p in props)
        cypher = f"LOAD FROM $rows MERGE (n:{kind} {{key: k}})" + (f" SET {sets}" if sets else "")
        self._run(cypher, {"rows": table}, write=True)

    def merge_edges(self, edge: EdgeKey, rows: pd.DataFrame) -> None:
        rel, src_kind, dst_kind = edge
        self._require_columns(rows, ("src", "dst"), f"{rel} relationships")
        if not SCHEMA.rel(rel).allows(src_kind, dst_kind):
            raise StoreError(f"{rel} does not join {src_kind} to {dst_kind}")
        columns = SCHEMA.rel_columns(rel)
        rows = rows.copy()
        if "source" not in rows.columns:
            rows["source"] = None
        ids = _identity(rows)
        keep = ~pd.Series(ids).duplicated().to_numpy() & ~np.isin(ids, self._stored_ids(edge))
        if not keep.any():
            return
        new = rows.loc[keep]
        table = arrow_table(new, {"src": "STRING", "dst": "STRING", **columns})
        table = table.rename_columns(["from", "to", *columns])
        self._run(
            f"COPY {rel} FROM $rows (from='{src_kind}', to='{dst_kind}')",
            {"rows": table},
            write=True,
        )
        self._edge_ids[edge] = np.concatenate([self._edge_ids[edge], ids[keep]])

    def _stored_ids(self, edge: EdgeKey) -> np.ndarray:
        """Identities of the relationships already stored in one edge table, read once."""
        if edge not in self._edge_ids:
            df = self.read_edges(edge, ["source"])
            self._edge_ids[edge] = _identity(df)
        return self._edge_ids[edge]

    # -- reads ----------------------------------------------------------------------

    def read_nodes(self, kind: str, columns: list[str] | None = None) -> pd.DataFrame:
        node = SCHEMA.node(kind)
        props = list(node.properties) if columns is None else [c for c in columns if c != "key"]
        ret = ", ".join(["n.key AS key", *[f"n.{node_prop(node, p)} AS {p}" for p in props]])
        return self._frame(f"MATCH (n:{kind}) RETURN {ret}")

    def read_edges(self, edge: EdgeKey, columns: list[str] | None = None) -> pd.DataFrame:
        rel, a, b = edge
        props = rel_props(rel, columns)
        ret = ", ".join(["a.key AS src", "b.key AS dst", *[f"e.{p} AS {p}" for p in props]])
        return self._frame(f"MATCH (a:{a})-[e:{rel}]->(b:{b}) RETURN {ret}")

    def read_rel(self, rel: str, columns: list[str] | None = None) -> pd.DataFrame:
        props = rel_props(rel, columns)
        ret = ", ".join(
            ["label(a) AS src_kind", "a.key AS src", "label(b) AS dst_kind", "b.key AS dst"]
            + [f"e.{p} AS {p}" for p in props]
        )
        return self._frame(f"MATCH (a)-[e:{rel}]->(b) RETURN {ret}")

    def _frame(self, cypher: str) -> pd.DataFrame:
        try:
            result = self._conn.execute(_quote_reserved_labels(cypher))
            return result.get_as_arrow().to_pandas()
        except RuntimeError as exc:
            raise QueryError(f"embedded store: {_one_line(exc)}") from None

    def query(
        self, cypher: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> QueryResult:
        if not write and _writes(cypher):
            raise QueryError("this query writes to the store; add --write if that is what you mean")
        result = self._run(cypher, params, write=write)
        if write:
            self._edge_ids.clear()
        return result

    def _run(
        self, cypher: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> QueryResult:
        try:
            result = self._conn.execute(_quote_reserved_labels(cypher), params or {})
        except RuntimeError as exc:
            raise QueryError(_one_line(exc)) from None
        if isinstance(result, list):  # several statements: the last one's rows
            result = result[-1]
        columns = result.get_column_names()
        rows = result.get_all()
        return QueryResult(columns, rows)

    def close(self) -> None:
        if getattr(self, "_conn", None) is not None:
            self._conn.close()
            self._db.close()
            self._conn = None


def node_prop(node: Any, prop: str) -> str:
    if prop not in node.properties:
        raise StoreError(f"{node.name} has no property {prop!r}")
    return prop


def _identity(df: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of (src, dst, source) per row: a relationship's identity."""
    if not len(df):
        return np.empty(0, dtype=np.uint64)
    keys = (
        df["src"].astype(str)
        + _IDENTITY_SEP
        + df["dst"].astype(str)
        + _IDENTITY_SEP
        + df["source"].fillna("").astype(str)
    )
    return pd.util.hash_pandas_object(keys, index=False).to_numpy()


def _one_line(exc: BaseException) -> str:
    """The database's message on one line, with its position but without the
    parser's list of every token it would have accepted."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return re.sub(r"\s*expecting \{[^}]*\}", "", first)
