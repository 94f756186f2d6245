"""``graphthb export``: the whole graph in formats other tools read.

* GraphML and GEXF for Gephi (node id ``Kind:key``, every property kept);
* CSV in the layout ``neo4j-admin database import`` reads: one nodes file per
  kind with ``key:ID(Kind)``, one relationships file per type and pair of kinds
  with ``:START_ID(Kind)`` and ``:END_ID(Kind)``, plus the command to run;
* JSON: ``{"nodes": [...], "relationships": [...]}`` for scripts.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from graphthb.errors import GraphthbError
from graphthb.privacy import Minimiser
from graphthb.privacy import minimiser as make_minimiser
from graphthb.schema import SCHEMA
from graphthb.store.base import Store

__all__ = ["export", "EXPORT_FORMATS"]

EXPORT_FORMATS = ("graphml", "gexf", "csv", "json")
_ADMIN_TYPES = {"STRING": "", "INT64": ":long", "DOUBLE": ":double", "BOOL": ":boolean"}


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _tables(
    store: Store,
) -> tuple[dict[str, pd.DataFrame], dict[tuple[str, str, str], pd.DataFrame]]:
    nodes = {kind: store.read_nodes(kind) for kind in SCHEMA.nodes}
    edges: dict[tuple[str, str, str], pd.DataFrame] = {}
    for rel in SCHEMA.relationships:
        df = store.read_rel(rel)
        for (a, b), part in df.groupby(["src_kind", "dst_kind"], sort=True):
            edges[(rel, a, b)] = part.drop(columns=["src_kind", "dst_kind"])
    return {k: v for k, v in nodes.items() if len(v)}, edges


def _minimise(
    nodes: dict[str, pd.DataFrame],
    edges: dict[tuple[str, str, str], pd.DataFrame],
    minimiser: Minimiser,
) -> None:
    """Pseudonymise potential victims' persona names, ages and pictures in place."""
    if "Ad" in nodes:
        nodes["Ad"] = pd.DataFrame(
            [minimiser.ad(r["key"], r) for r in nodes["Ad"].to_dict("records")]
        )
    if "Image" in nodes:
        nodes["Image"] = nodes["Image"].assign(key=nodes["Image"]["key"].map(minimiser.image_key))
    for (rel, a, b), df in list(edges.items()):
        if a == "Image":
            df = df.assign(src=df["src"].map(minimiser.image_key))
        if b == "Image":
            df = df.assign(dst=df["dst"].map(minimiser.image_key))
        edges[(rel, a, b)] = df


def export(
    store: Store, fmt: str, out: Path, *, reveal: bool = False
) -> tuple[list[Path], list[str]]:
    """Write the store's graph as ``fmt`` to ``out``; returns the files written and notes."""
    if fmt not in EXPORT_FORMATS:
        raise GraphthbError(
            f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}"
        )
    nodes, edges = _tables(store)
    appears = store.read_rel("APPEARS_IN", []).assign(rel="APPEARS_IN")
    minimiser = make_minimiser(store, appears, reveal=reveal)
    _minimise(nodes, edges, minimiser)
    notes = [n for n in [minimiser.note()] if n]
    return _write(nodes, edges, fmt, Path(out)), notes


def _write(
    nodes: dict[str, pd.DataFrame],
    edges: dict[tuple[str, str, str], pd.DataFrame],
    fmt: str,
    out: Path,
) -> list[Path]:
    if fmt == "csv":
        return _admin_csv(nodes, edges, out)
    if not out.parent.exists():
        raise GraphthbError(f"folder {out.parent} does not exist")
    if fmt == "json":
        doc = {
            "nodes": [
                {"kind": kind, **{c: _clean(v) for c, v in row.items()}}
                for kind, df in nodes.items()
                for row in df.to_dict("records")
            ],
            "relationships": [
                {
                    "type": rel,
                    "src_kind": a,
                    "dst_kind": b,
                    **{c: _clean(v) for c, v in row.items()},
                }
                for (rel, a, b), df in edges.items()
                for row in df.to_dict("records")
            ],
        }
        out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        return [out]
    graph = nx.MultiDiGraph()
    for kind, df in nodes.items():
        for row in df.to_dict("records"):
            attrs = {c: _clean(v) for c, v in row.items()}
            graph.add_node(
                f"{kind}:{row['key']}",
                kind=kind,
                **{k: v for k, v in attrs.items() if v is not None},
            )
    for (rel, a, b), df in edges.items():
        for row in df.to_dict("records"):
            attrs = {c: _clean(v) for c, v in row.items() if c not in ("src", "dst")}
            graph.add_edge(
                f"{a}:{row['src']}", f"{b}:{row['dst']}", label=rel,
                **{k: v for k, v in attrs.items() if v is not None},
            )  # fmt: skip
    if fmt == "graphml":
        nx.write_graphml(graph, out, encoding="utf-8")
    else:
        nx.write_gexf(graph, out, encoding="utf-8")
    return [out]


def _admin_csv(
    nodes: dict[str, pd.DataFrame], edges: dict[tuple[str, str, str], pd.DataFrame], out: Path
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    args: list[str] = []
    for kind, df in nodes.items():
        props = SCHEMA.node(kind).properties
        header = (
            [f"key:ID({kind})"] + [f"{p}{_ADMIN_TYPES[t]}" for p, t in props.items()] + [":LABEL"]
        )
        path = out / f"nodes_{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in df.to_dict("records"):
                writer.writerow([row["key"], *[_cell(row.get(p)) for p in props], kind])
        written.append(path)
        args.append(f"--nodes={path.name}")
    for (rel, a, b), df in edges.items():
        cols = SCHEMA.rel_columns(rel)
        header = (
            [f":START_ID({a})", f":END_ID({b})"]
            + [f"{p}{_ADMIN_TYPES[t]}" for p, t in cols.items()]
            + [":TYPE"]
        )
        path = out / f"rels_{rel}_{a}_{b}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in df.to_dict("records"):
                writer.writerow([row["src"], row["dst"], *[_cell(row.get(p)) for p in cols], rel])
        written.append(path)
        args.append(f"--relationships={path.name}")
    script = out / "IMPORT.txt"
    script.write_text(
        "Import into an empty Neo4j database (run from this folder, server stopped):\n\n"
        "neo4j-admin database import full neo4j \\\n  " + " \\\n  ".join(args) + "\n",
        encoding="utf-8",
    )
    written.append(script)
    return written


def _cell(value: Any) -> Any:
    value = _clean(value)
    return "" if value is None else value
