"""``graphthb export``: the whole graph in formats other tools read.

* GraphML and GEXF for Gephi (node id ``Kind:key``, every property kept);
* CSV in the layout ``neo4j-admin database import`` reads: one nodes file per
  kind with ``key:ID(Kind)``, one relationships file per type and pair of kinds
  with ``:START_ID(Kind)`` and ``:END_ID(Kind)``, plus the command to run;
* JSON: ``{"nodes": [...], "relationships": [...]}`` for scripts.

JSON and the neo4j-admin CSV keep every value exactly as stored: the CSV is
for ``neo4j-admin``, not for a spreadsheet (a cell may begin with ``=``; open
``graphthb query --format csv`` output in a spreadsheet instead, which
neutralises formulas). GraphML and GEXF are XML, and XML 1.0 cannot hold most
control characters (scraped text has them: a vertical tab, an escape, a lone
surrogate); those are replaced by U+FFFD there, and the export says how many
values it changed.

Every file is written through :mod:`graphthb.safefile`: never over the store's
own files, a device or a folder, and whole or not at all.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from graphthb.errors import GraphthbError
from graphthb.privacy import Minimiser
from graphthb.privacy import minimiser as make_minimiser
from graphthb.safefile import check_output, protected_paths, write_bytes, write_text
from graphthb.schema import SCHEMA
from graphthb.store.base import Store

__all__ = ["export", "EXPORT_FORMATS"]

EXPORT_FORMATS = ("graphml", "gexf", "csv", "json")
_ADMIN_TYPES = {"STRING": "", "INT64": ":long", "DOUBLE": ":double", "BOOL": ":boolean"}
#: What XML 1.0 cannot carry: C0 controls but tab, LF and CR; surrogates; U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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
    protected = protected_paths(store.location)
    # Refused before the graph is read: a wrong -o costs nothing.
    if fmt != "csv":
        check_output(out, protected)
    nodes, edges = _tables(store)
    appears = store.read_rel("APPEARS_IN", []).assign(rel="APPEARS_IN")
    minimiser = make_minimiser(store, appears, reveal=reveal)
    _minimise(nodes, edges, minimiser)
    notes = [n for n in [minimiser.note()] if n]
    written = _write(nodes, edges, fmt, Path(out), protected, notes)
    return written, notes


def _xml_safe(value: Any, changed: list[int]) -> Any:
    if isinstance(value, str) and _NOT_XML.search(value):
        changed[0] += 1
        return _NOT_XML.sub("\ufffd", value)
    return value


def _write(
    nodes: dict[str, pd.DataFrame],
    edges: dict[tuple[str, str, str], pd.DataFrame],
    fmt: str,
    out: Path,
    protected: list[Path],
    notes: list[str],
) -> list[Path]:
    if fmt == "csv":
        return _admin_csv(nodes, edges, out, protected)
    check_output(out, protected)
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
        write_text(out, json.dumps(doc, ensure_ascii=False, indent=1), protected)
        return [out]
    changed = [0]
    graph = nx.MultiDiGraph()
    for kind, df in nodes.items():
        for row in df.to_dict("records"):
            attrs = {c: _xml_safe(_clean(v), changed) for c, v in row.items()}
            graph.add_node(
                _xml_safe(f"{kind}:{row['key']}", changed),
                kind=kind,
                **{k: v for k, v in attrs.items() if v is not None},
            )
    for (rel, a, b), df in edges.items():
        for row in df.to_dict("records"):
            attrs = {
                c: _xml_safe(_clean(v), changed) for c, v in row.items() if c not in ("src", "dst")
            }
            graph.add_edge(
                _xml_safe(f"{a}:{row['src']}", changed), _xml_safe(f"{b}:{row['dst']}", changed),
                label=rel, **{k: v for k, v in attrs.items() if v is not None},
            )  # fmt: skip
    if changed[0]:
        notes.append(
            f"{changed[0]} values held characters XML cannot carry (control characters); "
            "they read U+FFFD (\ufffd) in this file; the JSON and CSV exports keep them"
        )
    if fmt == "graphml":
        write_bytes(out, lambda fh: nx.write_graphml(graph, fh, encoding="utf-8"), protected)
    else:
        write_bytes(out, lambda fh: nx.write_gexf(graph, fh, encoding="utf-8"), protected)
    return [out]


def _admin_csv(
    nodes: dict[str, pd.DataFrame],
    edges: dict[tuple[str, str, str], pd.DataFrame],
    out: Path,
    protected: list[Path],
) -> list[Path]:
    if out.exists() and not out.is_dir():
        raise GraphthbError(f"-o {out} is a file; the csv export writes a folder of files")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    args: list[str] = []
    for kind, df in nodes.items():
        props = SCHEMA.node(kind).properties
        header = (
            [f"key:ID({kind})"] + [f"{p}{_ADMIN_TYPES[t]}" for p, t in props.items()] + [":LABEL"]
        )
        path = out / f"nodes_{kind}.csv"

        def fill(fh: Any, df: pd.DataFrame = df, header: list[str] = header, kind: str = kind,
                 props: Any = props) -> None:  # fmt: skip
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in df.to_dict("records"):
                writer.writerow([row["key"], *[_cell(row.get(p)) for p in props], kind])

        write_text(path, fill, protected, newline="")
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

        def fill_rels(fh: Any, df: pd.DataFrame = df, header: list[str] = header,
                      rel: str = rel, cols: Any = cols) -> None:  # fmt: skip
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in df.to_dict("records"):
                writer.writerow([row["src"], row["dst"], *[_cell(row.get(p)) for p in cols], rel])

        write_text(path, fill_rels, protected, newline="")
        written.append(path)
        args.append(f"--relationships={path.name}")
    script = out / "IMPORT.txt"
    write_text(
        script,
        "Import into an empty Neo4j database (run from this folder, server stopped):\n\n"
        "neo4j-admin database import full neo4j --multiline-fields=true \\\n  "
        + " \\\n  ".join(args)
        + "\n",
        protected,
    )
    written.append(script)
    return written


def _cell(value: Any) -> Any:
    value = _clean(value)
    return "" if value is None else value
