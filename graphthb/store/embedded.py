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

Nodes go the same way: ``LOAD FROM ... MERGE`` into a node table of 130,000 ads
failed on a 1,000,000-record load with "the buffer pool is full" (2 GB pool),
and each batch took longer than the one before. So new node keys are found in
memory too and bulk-copied; only keys that may already exist (checked exactly
in the database) are updated, and with ``MATCH``, not ``MERGE``.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from graphthb.errors import ConfigError, QueryError, StoreError
from graphthb.schema import SCHEMA
from graphthb.store.base import (
    AUDIT_HEAD_LABEL,
    IGNORE_LABEL,
    SIDE_TABLES,
    EdgeKey,
    QueryResult,
    Store,
    arrow_table,
    first_values,
    rel_props,
)
from graphthb.store.cypher_guard import quote_labels, read_only_text

__all__ = ["EmbeddedStore"]

_IDENTITY_SEP = "\x1f"


def _quote_reserved_labels(cypher: str) -> str:
    """LadybugDB reserves GROUP, so the Group label must be quoted there; analysts
    still write `(g:Group)` as on Neo4j, because queries are rewritten before they run."""
    return quote_labels(cypher, "Group")


class EmbeddedStore(Store):
    backend = "embedded"

    def __init__(self, path: str | os.PathLike[str], *, read_only: bool = False) -> None:
        """``read_only`` opens the database so that the engine itself refuses every
        write; :meth:`query` then runs only what the read-only guard lets through."""
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
        self.read_only = read_only
        # Queries share the store; a writer has it to itself (see _StoreLock).
        self._lock = _StoreLock.take(self.path, shared=read_only)
        self._edge_ids: dict[EdgeKey, _HashSet] = {}
        self._node_ids: dict[str, _HashSet] = {}
        # LadybugDB can neither create a database read-only nor add tables to
        # one: a new store, or one made before the schema grew, is set up in a
        # writable open first and then reopened read-only.
        try:
            self._open(read_only and self.path.exists())
            if not (self._opened_read_only and self._has_schema()):
                if self._opened_read_only:
                    self._reopen(False)
                self.init_schema()
                if read_only:
                    self._reopen(True)
        except BaseException:
            self.close()
            raise

    def _open(self, read_only: bool | None = None) -> None:
        import ladybug

        self._opened_read_only = self.read_only if read_only is None else read_only
        try:
            # A bounded buffer pool: the default takes most of the machine's memory.
            self._db = ladybug.Database(
                str(self.path), buffer_pool_size=2 << 30, read_only=self._opened_read_only
            )
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            raise ConfigError(
                f"--db {self.path}: cannot open the embedded store: {_one_line(exc)}"
            ) from None

    def _reopen(self, read_only: bool) -> None:
        self._conn.close()
        self._db.close()
        self._open(read_only)

    def _has_schema(self) -> bool:
        tables = {row[1] for row in self._run("CALL show_tables() RETURN *").rows}
        return tables >= set(SCHEMA.nodes) | set(SCHEMA.relationships)

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
        if AUDIT_HEAD_LABEL not in existing:
            self._create_side_table(AUDIT_HEAD_LABEL)

    def _tables(self) -> set[str]:
        return {row[1] for row in self._run("CALL show_tables() RETURN *").rows}

    def _create_side_table(self, name: str) -> None:
        cols = ", ".join(f"{c} {t}" for c, t in SIDE_TABLES[name].items())
        self._run(f"CREATE NODE TABLE {name}({cols}, PRIMARY KEY (key))")

    # -- writes ---------------------------------------------------------------------

    #: Fewer, larger COPYs: at 5,000 records a batch a 1,000,000-record load spent
    #: most of its time in per-statement overhead; 50,000 took it from over 20
    #: minutes (projected) to about 7.
    batch_records = 50_000

    def write_batch(
        self, nodes: dict[str, pd.DataFrame], edges: dict[EdgeKey, pd.DataFrame]
    ) -> None:
        # One transaction a batch: a batch that fails half-way (a full disk)
        # leaves nothing of itself, so the store is as after the batch before.
        self._run("BEGIN TRANSACTION")
        try:
            super().write_batch(nodes, edges)
            self._run("COMMIT")
        except BaseException:
            # The engine may have ended the transaction itself.
            with contextlib.suppress(StoreError):
                self._run("ROLLBACK")
            # The remembered keys may name what was just rolled back.
            self._edge_ids.clear()
            self._node_ids.clear()
            raise
        # LadybugDB keeps memory it used for COPYs until the database is closed:
        # measured +400 MB a 50,000-record batch, 9.1 GB peak at 1,000,000 records.
        # Reopening after each batch gives it back (1.6 GB peak at 300,000 instead
        # of 3.2 GB) for a fraction of a second; what is written is committed.
        self._conn.close()
        self._db.close()
        self._open()

    def merge_nodes(self, kind: str, rows: pd.DataFrame) -> None:
        self._require_columns(rows, ("key",), f"{kind} nodes")
        node = SCHEMA.node(kind)
        rows = first_values(rows)
        rows = rows.assign(key=rows["key"].astype(str))
        ids = _hashes(rows["key"])
        stored = self._stored_node_ids(kind)
        maybe = stored.contains(ids)
        existing = np.zeros(len(rows), dtype=bool)
        if maybe.any():
            # The hash says "perhaps stored"; ask the database, so that a collision
            # of two keys' hashes can never make a new node look old.
            found = set(self._existing_keys(kind, rows["key"][maybe]))
            existing = rows["key"].isin(found).to_numpy()
        if existing.any():
            self._update_nodes(kind, rows.loc[existing])
        new = rows.loc[~existing]
        if len(new):
            table = arrow_table(new, node.columns)
            self._run(f"COPY `{kind}` FROM $rows", {"rows": table}, write=True)
            stored.add(ids[~existing])

    def _existing_keys(self, kind: str, keys: pd.Series) -> list[str]:
        table = arrow_table(pd.DataFrame({"k": keys}), {"k": "STRING"})
        result = self._run(
            f"LOAD FROM $rows MATCH (n:{kind} {{key: k}}) RETURN n.key", {"rows": table}
        )
        return [row[0] for row in result.rows]

    def _update_nodes(self, kind: str, rows: pd.DataFrame) -> None:
        """Fill stored nodes' properties from ``rows``; a null never erases a value."""
        node = SCHEMA.node(kind)
        props = [c for c in node.properties if c in rows.columns and rows[c].notna().any()]
        if not props:
            return
        # Columns get a prefix so no property name can clash with a Cypher variable.
        table = arrow_table(rows, {"key": "STRING", **{p: node.properties[p] for p in props}})
        table = table.rename_columns(["k", *[f"c_{p}" for p in props]])
        sets = ", ".join(f"n.{p} = coalesce(c_{p}, n.{p})" for p in props)
        self._run(
            f"LOAD FROM $rows MATCH (n:{kind} {{key: k}}) SET {sets}", {"rows": table}, write=True
        )

    def _stored_node_ids(self, kind: str) -> _HashSet:
        """Hashes of the keys already stored in one node table, read once a session."""
        if kind not in self._node_ids:
            keys = self._frame(f"MATCH (n:{kind}) RETURN n.key AS key")["key"]
            self._node_ids[kind] = _HashSet(_hashes(keys.astype(str)))
        return self._node_ids[kind]

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
        stored = self._stored_ids(edge)
        keep = ~pd.Series(ids).duplicated().to_numpy() & ~stored.contains(ids)
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
        stored.add(ids[keep])

    def _stored_ids(self, edge: EdgeKey) -> _HashSet:
        """Identities of the relationships already stored in one edge table, read once."""
        if edge not in self._edge_ids:
            df = self.read_edges(edge, ["source"])
            self._edge_ids[edge] = _HashSet(_identity(df))
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
        if not write:
            cypher = read_only_text(cypher, "embedded")
        result = self._run(cypher, params, write=write)
        if write:  # the query may have deleted anything: read the stored keys anew
            self._edge_ids.clear()
            self._node_ids.clear()
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

    def read_audit_head(self) -> tuple[int, str] | None:
        # A store made before the head was kept has no table for it: no head yet.
        tables = {row[1] for row in self._run("CALL show_tables() RETURN *").rows}
        return super().read_audit_head() if AUDIT_HEAD_LABEL in tables else None

    def read_ignored(self) -> list[dict[str, Any]]:
        # The table is made by the first entry: a store without one has no list.
        return super().read_ignored() if IGNORE_LABEL in self._tables() else []

    def add_ignored(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # Made here, not with the schema: a load never writes it, and a load on
        # a nearly full disk has no room for tables it does not need.
        if entries and IGNORE_LABEL not in self._tables():
            self._create_side_table(IGNORE_LABEL)
        return super().add_ignored(entries)

    # -- purge ----------------------------------------------------------------------

    def set_node_properties(self, kind: str, rows: pd.DataFrame) -> None:
        node = SCHEMA.node(kind)
        props = [c for c in rows.columns if c != "key"]
        types = {"key": "STRING", **{p: node.properties[p] for p in props}}
        table = arrow_table(rows, types).rename_columns(["k", *[f"c_{p}" for p in props]])
        sets = ", ".join(f"n.{p} = c_{p}" for p in props)
        self._run(
            f"LOAD FROM $rows MATCH (n:{kind} {{key: k}}) SET {sets}", {"rows": table}, write=True
        )

    def compact(self) -> None:
        """Rebuild the database file from what it holds now, and scrub the old one.

        LadybugDB marks deleted rows free and reuses the pages later; until then
        a deleted ad's text is still in the file (tests/test_purge.py's markers
        were there 2 to 4 times each after a purge without this). A fresh database holds only live rows: every table is
        read as Arrow and bulk-copied into a new file beside this one, which is
        renamed over it; the old file's bytes are then overwritten with zeros
        (:func:`graphthb.safefile.replace_scrubbed`). It needs free space for a
        second copy of the store while it runs.
        """
        from graphthb.safefile import replace_scrubbed

        # A rebuild killed midway leaves its file: only the remaining data, but not
        # to be kept beside the store.
        for stale in self.path.parent.iterdir():
            if stale.name.startswith(f".{self.path.name}.rebuild-"):
                stale.unlink()
        tmp = self.path.with_name(f".{self.path.name}.rebuild-{os.getpid()}")
        fresh = EmbeddedStore(tmp)
        try:
            tables = [(kind, ["key", *node.properties]) for kind, node in SCHEMA.nodes.items()]
            # The audit head and the ignore list are the case's too: a purge keeps them.
            have = self._tables()
            for name, columns in SIDE_TABLES.items():
                if name in have:
                    if name not in fresh._tables():
                        fresh._create_side_table(name)
                    tables.append((name, list(columns)))
            for kind, cols in tables:
                ret = ", ".join(f"n.{c}" for c in cols)
                self._copy_into(
                    fresh, f"MATCH (n:{kind}) RETURN {ret}", f"COPY `{kind}` FROM $rows"
                )
            for rel in SCHEMA.relationships:
                # One read per type, split by its ends' kinds: asserted types join
                # up to a hundred pairs of kinds, nearly all of them empty.
                cols = SCHEMA.rel_columns(rel)
                ret = ", ".join(
                    ["label(x)", "label(y)", "x.key", "y.key", *[f"e.{c}" for c in cols]]
                )
                table = self._conn.execute(f"MATCH (x)-[e:{rel}]->(y) RETURN {ret}").get_as_arrow()
                if not table.num_rows:
                    continue
                pairs = table.select([0, 1]).group_by([0, 1]).aggregate([]).to_pylist()
                for pair in pairs:
                    a, b = pair.values()
                    part = table.filter(
                        pc.and_(pc.equal(table.column(0), a), pc.equal(table.column(1), b))
                    ).drop_columns([table.column_names[0], table.column_names[1]])
                    fresh._run(
                        f"COPY {rel} FROM $rows (from='{a}', to='{b}')", {"rows": part}, write=True
                    )
        except BaseException:
            fresh.close()
            for stale in [*self._side_files(tmp), tmp.with_name(tmp.name + ".lock")]:
                stale.unlink(missing_ok=True)
            raise
        fresh.close()
        tmp.with_name(tmp.name + ".lock").unlink(missing_ok=True)
        # The database closes, the store's lock stays held: no other process
        # may open the store while its file is swapped.
        self._conn.close()
        self._db.close()
        self._conn = None
        old_sides = self._side_files(self.path)[1:]
        replace_scrubbed(self.path, tmp)
        for side in old_sides:
            # A write-ahead file left beside the old database belongs to it alone.
            replace_scrubbed(side, _empty_beside(side))
            side.unlink(missing_ok=True)
        self._open()
        self._edge_ids.clear()
        self._node_ids.clear()

    def _copy_into(self, fresh: EmbeddedStore, read: str, copy: str) -> None:
        table = self._conn.execute(_quote_reserved_labels(read)).get_as_arrow()
        if table.num_rows:
            fresh._run(copy, {"rows": table}, write=True)

    @staticmethod
    def _side_files(path: Path) -> list[Path]:
        """The database file and LadybugDB's files beside it that exist."""
        names = [path, *[path.with_name(path.name + s) for s in (".wal", ".shadow", ".tmp")]]
        return [p for p in names if p.exists()]

    def close(self) -> None:
        if getattr(self, "_conn", None) is not None:
            self._conn.close()
            self._db.close()
            self._conn = None
        lock = getattr(self, "_lock", None)
        if lock is not None:
            self._lock = None
            lock.release()


class _StoreLock:
    """A lock on ``PATH.lock``, held from opening a store to closing it.

    LadybugDB's own lock goes with the database object, and the store closes
    and reopens that object after every batch (see ``write_batch``): without a
    lock of our own another process could open the store in between and the
    long load would fail half-way. Every graphthb process takes this lock
    before it opens the database: shared for a read-only open (queries may
    run side by side, as LadybugDB allows), exclusive otherwise. Within one
    process, opening the same store twice shares one lock.
    """

    _held: dict[str, _StoreLock] = {}
    _guard = threading.Lock()

    def __init__(self, name: str, fd: int, shared: bool) -> None:
        self.name = name
        self.fd = fd
        self.shared = shared
        self.count = 1

    @classmethod
    def take(cls, store_path: Path, *, shared: bool = False) -> _StoreLock:
        path = store_path.with_name(store_path.name + ".lock")
        name = str(path.resolve())
        with cls._guard:
            held = cls._held.get(name)
            if held is not None:
                if held.shared and not shared:
                    _flock(held.fd, store_path, shared=False)
                    held.shared = False
                held.count += 1
                return held
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise ConfigError(
                    f"--db {store_path}: cannot create {path}: {exc.strerror}"
                ) from None
            try:
                _flock(fd, store_path, shared=shared)
            except ConfigError:
                os.close(fd)
                raise
            if not shared:
                os.ftruncate(fd, 0)
                os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
            lock = cls._held[name] = cls(name, fd, shared)
            return lock

    def release(self) -> None:
        with self._guard:
            self.count -= 1
            if self.count > 0:
                return
            self._held.pop(self.name, None)
            os.close(self.fd)  # closing the descriptor releases the flock


def _flock(fd: int, store_path: Path, *, shared: bool) -> None:
    import fcntl

    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        # The file names the last writer; readers do not write into it.
        who = f" (process {holder})" if holder.isdigit() and _alive(int(holder)) else ""
        raise ConfigError(
            f"--db {store_path} is in use by another graphthb command{who}; "
            "wait for it to finish and run this again"
        ) from None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _empty_beside(path: Path) -> Path:
    empty = path.with_name(f".{path.name}.{os.getpid()}.empty")
    empty.write_bytes(b"")
    return empty


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
    return _hashes(keys)


def _hashes(values: pd.Series) -> np.ndarray:
    if not len(values):
        return np.empty(0, dtype=np.uint64)
    return pd.util.hash_pandas_object(values, index=False).to_numpy()


class _HashSet:
    """A growing set of 64-bit hashes kept as one sorted array.

    ``np.isin`` against an array that grows every batch sorts both each time;
    a sorted array answers with a binary search and grows by a merge, so a load's
    cost stays linear in its batches.
    """

    def __init__(self, values: np.ndarray) -> None:
        self._sorted = np.unique(values)

    def contains(self, values: np.ndarray) -> np.ndarray:
        if not len(self._sorted):
            return np.zeros(len(values), dtype=bool)
        pos = np.searchsorted(self._sorted, values)
        pos[pos == len(self._sorted)] = 0
        return self._sorted[pos] == values

    def add(self, values: np.ndarray) -> None:
        if len(values):
            # Two sorted runs: the stable sort (a merge sort) joins them in linear time.
            merged = np.concatenate([self._sorted, np.sort(values)])
            merged.sort(kind="stable")
            self._sorted = merged


def _one_line(exc: BaseException) -> str:
    """The database's message on one line, with its position but without the
    parser's list of every token it would have accepted."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return re.sub(r"\s*expecting \{[^}]*\}", "", first)
