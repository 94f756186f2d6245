"""The Neo4j store: the server a team shares.

Uniqueness constraints on every kind's ``key`` come first (they are also the
index that makes MERGE fast). Writes are ``UNWIND $rows ... MERGE`` batches in
managed write transactions, which the driver retries on transient errors; a
relationship is merged on its two ends, its type and its ``source``. Reads run
in read transactions, so a query that writes is refused by the server itself;
an analyst's query without ``--write`` first passes the read-only guard
(:mod:`graphthb.store.cypher_guard`), which refuses what a read transaction
still allows, such as ``LOAD CSV`` reading the server's files.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import pandas as pd

from graphthb.errors import ConfigError, QueryError, StoreError
from graphthb.schema import SCHEMA
from graphthb.store.base import (
    IGNORE_LABEL,
    EdgeKey,
    QueryResult,
    Store,
    arrow_table,
    first_values,
    rel_props,
)
from graphthb.store.cypher_guard import read_only_text

__all__ = ["Neo4jStore", "BATCH_ROWS"]

#: Rows per write transaction: large enough to amortise a round trip, small
#: enough that a retried transaction repeats little work.
BATCH_ROWS = 5_000


class Neo4jStore(Store):
    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        *,
        metadata: dict[str, Any] | None = None,
        read_only: bool = False,
    ) -> None:
        """``read_only`` leaves the schema as it is, so that a user with a
        read-only role on the server can query the case."""
        import neo4j
        from neo4j import exceptions as nx_exc

        self.location = uri
        self.database = database or None
        self.metadata = metadata or {}
        auth = (user or "neo4j", password or "")
        # How long a managed transaction is retried on transient errors and lost
        # connections before the command gives up (the driver's default is 30 s).
        retry = float(os.environ.get("GRAPHTHB_NEO4J_RETRY_SECONDS", "30"))
        # How long to wait for a connection, Bolt's handshake included: with the
        # driver's defaults a port that accepts but does not speak Bolt (an HTTP
        # port) kept the analyst waiting 61 s for "Couldn't connect".
        connect = float(os.environ.get("GRAPHTHB_NEO4J_CONNECT_SECONDS", "5"))
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri,
                auth=auth,
                max_transaction_retry_time=retry,
                connection_timeout=connect,
                connection_acquisition_timeout=connect,
            )
            self._driver.verify_connectivity()
            # A database that does not exist only shows itself on first use.
            with self._driver.session(database=self.database) as session:
                session.run("RETURN 1").consume()
        except nx_exc.AuthError:
            self._close_driver()
            raise ConfigError(
                f"Neo4j at {uri} refused the user name or password; "
                "set NEO4J_USERNAME and NEO4J_PASSWORD (or --user/--password)"
            ) from None
        except (nx_exc.ServiceUnavailable, OSError) as exc:
            self._close_driver()
            try:
                reason = unreachable_reason(exc, uri, connect)
            except Exception:  # the diagnosis must never hide the failure itself
                reason = _first_line(exc)
            raise ConfigError(f"cannot reach Neo4j at {uri}: {reason}") from None
        except nx_exc.ClientError as exc:
            self._close_driver()
            if "DatabaseNotFound" in (exc.code or ""):
                raise ConfigError(
                    f"Neo4j at {uri} has no database {database!r}; set NEO4J_DATABASE "
                    "(or --database) to one that exists"
                ) from None
            raise ConfigError(f"Neo4j at {uri}: {_first_line(exc)}") from None
        except (ValueError, nx_exc.ConfigurationError) as exc:
            self._close_driver()
            raise ConfigError(f"--db {uri}: {_first_line(exc)}") from None
        if not read_only:
            self.init_schema()

    def _close_driver(self) -> None:
        driver = getattr(self, "_driver", None)
        if driver is not None:
            self._driver = None
            # Closing a dead connection must not mask the error that killed it.
            with contextlib.suppress(Exception):
                driver.close()

    # -- schema ---------------------------------------------------------------------

    def init_schema(self) -> None:
        for kind in SCHEMA.nodes:
            # Names come from the schema, never from input.
            self._write_tx(
                f"CREATE CONSTRAINT graphthb_{kind.lower()}_key IF NOT EXISTS "
                f"FOR (n:{kind}) REQUIRE n.key IS UNIQUE"
            )
        # The ignore list lives beside the graph (base.IGNORE_LABEL), one entry a key.
        self._write_tx(
            f"CREATE CONSTRAINT graphthb_ignore_key IF NOT EXISTS "
            f"FOR (n:{IGNORE_LABEL}) REQUIRE n.key IS UNIQUE"
        )
        # No index on relationship `source`: measured, the planner then seeks
        # MERGE's relationship through that index, scanning every relationship
        # of the source, and a load slows to a few hundred rows a second.

    # -- writes ---------------------------------------------------------------------

    #: Write transactions run at once by :meth:`write_batch`.
    write_threads = 2

    def write_batch(
        self, nodes: dict[str, pd.DataFrame], edges: dict[EdgeKey, pd.DataFrame]
    ) -> None:
        """Nodes first, then relationships, each table in its own transactions,
        ``write_threads`` of them at once: the server works on several cores
        while one transaction waits for its locks or the network. Two
        transactions that lock the same nodes in opposite orders are a
        deadlock that the server breaks and the driver retries.
        """
        from concurrent.futures import ThreadPoolExecutor

        if self.write_threads <= 1:
            super().write_batch(nodes, edges)
            return
        node_jobs = [(k, df) for k, df in nodes.items() if len(df)]
        edge_jobs = [(e, df) for e, df in edges.items() if len(df)]
        with ThreadPoolExecutor(self.write_threads) as pool:
            for _ in pool.map(lambda job: self.merge_nodes(*job), node_jobs):
                pass
            for _ in pool.map(lambda job: self.merge_edges(*job), edge_jobs):
                pass

    def merge_nodes(self, kind: str, rows: pd.DataFrame) -> None:
        self._require_columns(rows, ("key",), f"{kind} nodes")
        node = SCHEMA.node(kind)
        props = {p: t for p, t in node.properties.items() if p in rows.columns}
        rows = first_values(rows)
        records = arrow_table(rows, {"key": "STRING", **props}).to_pylist()
        sets = ", ".join(f"n.{p} = coalesce(r.{p}, n.{p})" for p in props)
        cypher = f"UNWIND $rows AS r MERGE (n:{kind} {{key: r.key}})" + (
            f" SET {sets}" if sets else ""
        )
        self._write_batches(cypher, records)

    def merge_edges(self, edge: EdgeKey, rows: pd.DataFrame) -> None:
        rel, src_kind, dst_kind = edge
        self._require_columns(rows, ("src", "dst"), f"{rel} relationships")
        if not SCHEMA.rel(rel).allows(src_kind, dst_kind):
            raise StoreError(f"{rel} does not join {src_kind} to {dst_kind}")
        columns = SCHEMA.rel_columns(rel)
        records = arrow_table(rows, {"src": "STRING", "dst": "STRING", **columns}).to_pylist()
        for r in records:
            # MERGE cannot match on null; an absent source is stored as "".
            r["source"] = r["source"] or ""
        others = [c for c in columns if c != "source"]
        sets = ", ".join(f"e.{p} = coalesce(e.{p}, r.{p})" for p in others)
        cypher = (
            f"UNWIND $rows AS r MATCH (a:{src_kind} {{key: r.src}}) MATCH (b:{dst_kind} {{key: r.dst}}) "
            f"MERGE (a)-[e:{rel} {{source: r.source}}]->(b) SET {sets}"
        )
        self._write_batches(cypher, records)

    def _write_batches(self, cypher: str, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), BATCH_ROWS):
            self._write_tx(cypher, {"rows": records[start : start + BATCH_ROWS]})

    def _write_tx(self, cypher: str, params: dict[str, Any] | None = None) -> None:
        from neo4j import unit_of_work

        @unit_of_work(metadata=self.metadata or None)
        def work(tx: Any) -> None:
            tx.run(cypher, params or {}).consume()

        self._session_call("execute_write", work, cypher)

    def _session_call(self, how: str, work: Any, cypher: str) -> Any:
        from neo4j import exceptions as nx_exc

        try:
            with self._driver.session(database=self.database) as session:
                return getattr(session, how)(work)
        except nx_exc.ServiceUnavailable:
            raise StoreError(
                f"lost the connection to Neo4j at {self.location}; what was committed stays, "
                "and running the same command again completes it"
            ) from None
        except nx_exc.SessionExpired as exc:
            raise StoreError(
                f"Neo4j session expired: {_first_line(exc)}; run the command again"
            ) from None
        except nx_exc.Neo4jError as exc:
            raise QueryError(_first_line(exc.message or str(exc))) from None

    # -- reads ----------------------------------------------------------------------

    def read_nodes(self, kind: str, columns: list[str] | None = None) -> pd.DataFrame:
        node = SCHEMA.node(kind)
        props = list(node.properties) if columns is None else [c for c in columns if c != "key"]
        for p in props:
            if p not in node.properties:
                raise StoreError(f"{kind} has no property {p!r}")
        ret = ", ".join(["n.key AS key", *[f"n.{p} AS {p}" for p in props]])
        return self._frame(f"MATCH (n:{kind}) RETURN {ret}", ["key", *props])

    def read_edges(self, edge: EdgeKey, columns: list[str] | None = None) -> pd.DataFrame:
        rel, a, b = edge
        props = rel_props(rel, columns)
        ret = ", ".join(["a.key AS src", "b.key AS dst", *[f"e.{p} AS {p}" for p in props]])
        return self._frame(f"MATCH (a:{a})-[e:{rel}]->(b:{b}) RETURN {ret}", ["src", "dst", *props])

    def read_rel(self, rel: str, columns: list[str] | None = None) -> pd.DataFrame:
        props = rel_props(rel, columns)
        kinds = list(SCHEMA.nodes)
        # A node carries exactly one schema label; pick it out of labels().
        ret = ", ".join(
            [
                "[x IN labels(a) WHERE x IN $kinds][0] AS src_kind",
                "a.key AS src",
                "[x IN labels(b) WHERE x IN $kinds][0] AS dst_kind",
                "b.key AS dst",
            ]
            + [f"e.{p} AS {p}" for p in props]
        )
        result = self._read(f"MATCH (a)-[e:{rel}]->(b) RETURN {ret}", {"kinds": kinds})
        return pd.DataFrame(result.rows, columns=["src_kind", "src", "dst_kind", "dst", *props])

    def _frame(self, cypher: str, columns: list[str]) -> pd.DataFrame:
        result = self._read(cypher, {})
        return pd.DataFrame(result.rows, columns=columns)

    def query(
        self, cypher: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> QueryResult:
        if not write:
            cypher = read_only_text(cypher, "neo4j")
        return self._rows("execute_write" if write else "execute_read", cypher, params)

    def _read(self, cypher: str, params: dict[str, Any] | None) -> QueryResult:
        return self._rows("execute_read", cypher, params)

    def _rows(self, how: str, cypher: str, params: dict[str, Any] | None) -> QueryResult:
        from neo4j import unit_of_work

        @unit_of_work(metadata=self.metadata or None)
        def work(tx: Any) -> QueryResult:
            result = tx.run(cypher, params or {})
            return QueryResult(list(result.keys()), [list(r.values()) for r in result])

        return self._session_call(how, work, cypher)

    def set_node_properties(self, kind: str, rows: pd.DataFrame) -> None:
        node = SCHEMA.node(kind)
        props = [c for c in rows.columns if c != "key"]
        types = {"key": "STRING", **{p: node.properties[p] for p in props}}
        records = arrow_table(rows, types).to_pylist()
        # SET to null removes the property: nothing of the old value is left.
        sets = ", ".join(f"n.{p} = r.{p}" for p in props)
        self._write_batches(
            f"UNWIND $rows AS r MATCH (n:{kind} {{key: r.key}}) SET {sets}", records
        )

    def delete_groups(self) -> None:
        # Deleting in slices keeps each transaction small on a large case.
        while self.query(
            "MATCH (g:Group) WITH g LIMIT 5000 DETACH DELETE g RETURN count(*) AS n", write=True
        ).rows[0][0]:
            pass

    def close(self) -> None:
        self._close_driver()


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything behind it: causes, contexts and the members of
    exception groups (a routing failure wraps each router's error in one)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop()
        if any(e is s for s in seen):
            continue
        seen.append(e)
        todo.extend(getattr(e, "exceptions", ()) or ())
        todo.extend(x for x in (e.__cause__, e.__context__) if x is not None)
    return seen


def unreachable_reason(exc: BaseException, uri: str, timeout: float) -> str:
    """Why the driver could not connect, in words an analyst can act on.

    The driver's own message ("Couldn't connect to host:port:", "Unable to
    retrieve routing information") keeps the reason on a later line or in a
    wrapped exception; what it is decides what to do about it.
    """
    import socket
    import ssl
    from urllib.parse import urlsplit

    parts = urlsplit(uri)
    where = parts.netloc or uri
    tls = "+s" in parts.scheme
    causes = _causes(exc)

    def has(*types: type) -> bool:
        return any(isinstance(c, types) for c in causes)

    if has(socket.gaierror):
        return f"no host {parts.hostname!r} is known (a typing error in --db?)"
    if has(ConnectionRefusedError):
        return (
            f"nothing listens at {where} (connection refused); is the server running, "
            "and is that its Bolt port (7687 unless it was changed)?"
        )
    if has(ssl.SSLError):
        if tls:
            return (
                f"the TLS handshake with {where} failed; a server without encryption "
                f"is reached as {parts.scheme.replace('+ssc', '').replace('+s', '')}://{where}"
            )
        return f"the TLS connection to {where} failed ({_first_line(causes[-1])})"
    text = " ".join(str(c) for c in causes)
    if has(TimeoutError, socket.timeout) or "handshake" in text:
        return (
            f"{where} answers but does not speak Bolt within {timeout:g} s: is it Neo4j's "
            "Bolt port (7687 by default), not its web port (7474) or another service?"
        )
    if has(ConnectionResetError, BrokenPipeError):
        return f"{where} closed the connection at once: is it Neo4j's Bolt port?"
    deepest = causes[-1]
    return _first_line(deepest) + "; check --db or GRAPHTHB_DB"


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
