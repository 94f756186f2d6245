"""The rows graphthb writes, captured for the reference loaders to write too.

The references must do the same work as graphthb, not an easier version of it.
So the rows are not re-derived here: graphthb's own loader runs against
:class:`RowRecorder`, a store that writes nothing and keeps every table the
loader hands it, batch by batch. :func:`export_for_neo4j` turns those tables
into exactly what :class:`graphthb.store.neo4j.Neo4jStore` would send (the same
per-batch de-duplication, the same typed columns, ``source`` never null) as CSV
files, and pairs each file with the MERGE statement graphthb runs for it,
rewritten for ``LOAD CSV``.
"""

from __future__ import annotations

import contextlib
import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from graphthb.ingest.loader import load
from graphthb.schema import SCHEMA
from graphthb.store.base import EdgeKey, QueryResult, Store, arrow_table, first_values

__all__ = [
    "RowRecorder",
    "Table",
    "export_for_neo4j",
    "merge_statement",
    "load_csv_statement",
    "single_row_statement",
    "TX_ROWS",
]

#: Rows per transaction, as graphthb's Neo4j store batches them (BATCH_ROWS there).
TX_ROWS = 5_000

# How a CSV text field becomes the type graphthb sends as a parameter.
_CAST = {"STRING": "{}", "INT64": "toInteger({})", "DOUBLE": "toFloat({})", "BOOL": "toBoolean({})"}


class RowRecorder(Store):
    """A store that writes nothing and hands every table it is given to a callback.

    Reads answer "empty", as a fresh store would, so the loader behaves as it
    does on a first load.
    """

    backend = "recorder"
    location = "(recorder)"

    def __init__(self, on_nodes: Any, on_edges: Any) -> None:
        self._on_nodes = on_nodes
        self._on_edges = on_edges

    def init_schema(self) -> None:
        pass

    def merge_nodes(self, kind: str, rows: pd.DataFrame) -> None:
        self._on_nodes(kind, rows)

    def merge_edges(self, edge: EdgeKey, rows: pd.DataFrame) -> None:
        self._on_edges(edge, rows)

    def read_nodes(self, kind: str, columns: list[str] | None = None) -> pd.DataFrame:
        return pd.DataFrame(columns=["key", *(columns or [])])

    def read_edges(self, edge: EdgeKey, columns: list[str] | None = None) -> pd.DataFrame:
        return pd.DataFrame(columns=["src", "dst", *(columns or [])])

    def read_rel(self, rel: str, columns: list[str] | None = None) -> pd.DataFrame:
        return pd.DataFrame(columns=["src_kind", "src", "dst_kind", "dst", *(columns or [])])

    def query(
        self, cypher: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> QueryResult:
        return QueryResult([], [])

    def close(self) -> None:
        pass


@dataclass
class Table:
    """One CSV file of rows for one node kind or one edge table, and how to merge it."""

    file: str
    kind: str | None = None  # a node kind, or None for relationships
    edge: EdgeKey | None = None
    columns: dict[str, str] = field(default_factory=dict)  # property -> schema type
    rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "edge": list(self.edge) if self.edge else None,
            "columns": self.columns,
            "rows": self.rows,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Table:
        return cls(
            d["file"], d["kind"], tuple(d["edge"]) if d["edge"] else None, d["columns"], d["rows"]
        )


def merge_statement(table: Table, row: str = "r") -> tuple[str, str]:
    """(MATCH/MERGE part, SET part) of graphthb's statement for one row named ``row``.

    Mirrors graphthb/store/neo4j.py: nodes ``MERGE (n:Kind {key: r.key}) SET
    n.p = coalesce(r.p, n.p)``; relationships ``MATCH`` both ends, ``MERGE`` on
    type and ``source``, ``SET e.p = coalesce(e.p, r.p)``.
    """
    if table.kind is not None:
        sets = ", ".join(
            f"n.{p} = coalesce({_cast(row, p, t)}, n.{p})" for p, t in table.columns.items()
        )
        return f"MERGE (n:{table.kind} {{key: {row}.key}})", (f"SET {sets}" if sets else "")
    assert table.edge is not None
    rel, a, b = table.edge
    others = {p: t for p, t in table.columns.items() if p != "source"}
    sets = ", ".join(f"e.{p} = coalesce(e.{p}, {_cast(row, p, t)})" for p, t in others.items())
    head = (
        f"MATCH (a:{a} {{key: {row}.src}}) MATCH (b:{b} {{key: {row}.dst}}) "
        f"MERGE (a)-[e:{rel} {{source: coalesce({row}.source, '')}}]->(b)"
    )
    return head, (f"SET {sets}" if sets else "")


def _cast(row: str, prop: str, typ: str) -> str:
    return _CAST[typ].format(f"{row}.{prop}")


def load_csv_statement(table: Table) -> str:
    """``LOAD CSV ... CALL { MERGE ... } IN TRANSACTIONS`` of one file; the URL is ``$url``."""
    head, sets = merge_statement(table)
    return (
        "LOAD CSV WITH HEADERS FROM $url AS r "
        f"CALL {{ WITH r {head} {sets} }} IN TRANSACTIONS OF {TX_ROWS} ROWS"
    )


def single_row_statement(table: Table) -> str:
    """The same MERGE for one row given as the parameter ``$r``: one transaction per row."""
    head, sets = merge_statement(table, "$r")
    return f"{head} {sets}".strip()


class _Sink:
    """Tables written as CSV as they arrive, one file per table and column set."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.tables: dict[tuple[Any, ...], Table] = {}
        self._files: dict[tuple[Any, ...], Any] = {}
        self._writers: dict[tuple[Any, ...], Any] = {}

    def nodes(self, kind: str, rows: pd.DataFrame) -> None:
        # As Neo4jStore.merge_nodes: only the properties present, one row per key.
        node = SCHEMA.node(kind)
        props = {p: t for p, t in node.properties.items() if p in rows.columns}
        records = arrow_table(first_values(rows), {"key": "STRING", **props}).to_pylist()
        self._write(("node", kind, tuple(props)), Table("", kind=kind, columns=props), records)

    def edges(self, edge: EdgeKey, rows: pd.DataFrame) -> None:
        # As Neo4jStore.merge_edges: every column of the type, source never null.
        columns = SCHEMA.rel_columns(edge[0])
        records = arrow_table(rows, {"src": "STRING", "dst": "STRING", **columns}).to_pylist()
        for r in records:
            r["source"] = r["source"] or ""
        self._write(("edge", *edge), Table("", edge=edge, columns=dict(columns)), records)

    def _write(self, key: tuple[Any, ...], template: Table, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        if key not in self.tables:
            what = template.kind or "_".join(template.edge or ())
            name = f"{len(self.tables):02d}_{what}.csv"
            template.file = name
            self.tables[key] = template
            fh = (self.folder / name).open("w", encoding="utf-8", newline="")
            self._files[key] = fh
            self._writers[key] = csv.DictWriter(fh, fieldnames=list(records[0]))
            self._writers[key].writeheader()
        self._writers[key].writerows(records)
        self.tables[key].rows += len(records)

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()


def export_for_neo4j(
    records: Path, links: Path, folder: Path, *, sample_rows: int = 2_000
) -> dict[str, Any]:
    """Run graphthb's loader into CSV files (``folder``) and write ``manifest.json``.

    Also keeps ``sample.jsonl``: the rows of the first records, loaded one record at
    a time, until ``sample_rows`` rows, for the one-transaction-per-row reference.
    Returns the manifest: the tables in the order to load them (nodes, then
    relationships) and the row counts.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sink = _Sink(folder)
    recorder = RowRecorder(sink.nodes, sink.edges)
    report = load(recorder, [records], [links], rejects=folder / "rejects.csv")
    sink.close()

    nodes = [t for t in sink.tables.values() if t.kind is not None]
    edges = [t for t in sink.tables.values() if t.edge is not None]
    sample = _per_row_sample(records, links, folder / "sample.jsonl", sample_rows)
    manifest = {
        "records": report.read,
        "loaded": report.loaded,
        "rejected": report.rejected,
        "tables": [t.as_dict() for t in nodes + edges],
        "node_rows": sum(t.rows for t in nodes),
        "edge_rows": sum(t.rows for t in edges),
        "sample": sample,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def _per_row_sample(records: Path, links: Path, out: Path, limit: int) -> dict[str, Any]:
    """The first records' rows as the tutorial approach writes them: record by record,
    each record's nodes and then its relationships, one row per transaction."""
    rows: list[dict[str, Any]] = []
    per_table: dict[str, int] = defaultdict(int)
    count = {"records": 0}

    class _Enough(Exception):
        pass

    def on_nodes(kind: str, df: pd.DataFrame) -> None:
        node = SCHEMA.node(kind)
        props = {p: t for p, t in node.properties.items() if p in df.columns}
        table = Table("", kind=kind, columns=props)
        for r in arrow_table(first_values(df), {"key": "STRING", **props}).to_pylist():
            rows.append({"table": table.as_dict(), "row": r})
            per_table[kind] += 1

    def on_edges(edge: EdgeKey, df: pd.DataFrame) -> None:
        columns = SCHEMA.rel_columns(edge[0])
        table = Table("", edge=edge, columns=dict(columns))
        for r in arrow_table(df, {"src": "STRING", "dst": "STRING", **columns}).to_pylist():
            r["source"] = r["source"] or ""
            rows.append({"table": table.as_dict(), "row": r})
            per_table[edge[0]] += 1

    def progress(n: int) -> None:
        count["records"] += n
        if len(rows) >= limit:
            raise _Enough

    with contextlib.suppress(_Enough):
        load(
            RowRecorder(on_nodes, on_edges),
            [records],
            [],
            rejects=out.with_name("sample-rejects.csv"),
            batch_records=1,
            progress=progress,
        )
    with out.open("w", encoding="utf-8") as fh:
        for item in rows:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    return {"file": out.name, "rows": len(rows), "records": count["records"]}
