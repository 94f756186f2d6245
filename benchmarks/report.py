"""RESULTS.md from the benchmark results: machine, tables per size, references, targets.

The results themselves are kept as JSON beside the report (same name, ``.json``)
so that sizes measured in different runs (a million records takes long) end up
in one report, each with its own date, commit and command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["read_results", "write", "render", "failures", "INFOSHIELD", "TARGETS"]

#: InfoShield's published throughput: "about 8 hours for 4 million documents on a
#: stock laptop" (Lee et al.; see SOURCES below).
INFOSHIELD = {"documents": 4_000_000, "seconds": 8 * 3600}
INFOSHIELD_RATE = INFOSHIELD["documents"] / INFOSHIELD["seconds"]

MILLION = 1_000_000
TARGETS = {
    "e2e_seconds": 600.0,
    "e2e_peak_gb": 8.0,
    "neo4j_vs_load_csv": 0.8,
    "neo4j_rels_per_s": 50_000.0,
    "cluster_seconds": 120.0,
    "ingest_records_per_s": 20_000.0,
}

SOURCES = """\
InfoShield: Lee et al., "InfoShield: Generalizable Information-Theoretic
Human-Trafficking Detection", ICDE 2021. The figure used here is the abstract's
as repeated in the extended journal version, "DeltaShield: Information Theory for
Human-Trafficking Detection" (ACM Transactions on Knowledge Discovery from Data,
published 30 March 2023, doi:10.1145/3563040), whose abstract presents InfoShield
and says: "Moreover, it is scalable, requiring about 8 hours for 4 million
documents on a stock laptop." That is about 139 documents a second. InfoShield
groups ads by their text alone."""


def read_results(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write(results: dict[str, Any], out: Path, json_path: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    out.write_text(render(results), encoding="utf-8")


def failures(results: dict[str, Any], sizes: list[int]) -> list[str]:
    out = []
    for size in sizes:
        entry = results.get("sizes", {}).get(str(size), {})
        for name, step in entry.get("steps", {}).items():
            if step.get("error"):
                out.append(f"{size:,} records, {name}: {step['error'].splitlines()[0]}")
    return out


# ---------------------------------------------------------------------------------
# Numbers


def secs(x: float | None) -> str:
    if x is None:
        return "–"
    if x < 10:
        return f"{x:.2f}"
    if x < 100:
        return f"{x:.1f}"
    return f"{x:,.0f}"


def rate(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def mb(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def ratio(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.2f}×" if x < 10 else f"{x:,.0f}×"


def _ok(step: dict[str, Any] | None) -> bool:
    return bool(step) and not step.get("error")


def _err(step: dict[str, Any] | None) -> str:
    if not step:
        return "not run"
    first = step["error"].splitlines()[0]
    return f"**failed**: {first[:200]}"


# ---------------------------------------------------------------------------------
# The report


def render(results: dict[str, Any]) -> str:
    sizes = sorted(results.get("sizes", {}).values(), key=lambda e: e["size"])
    lines = [
        "# graphthb benchmarks",
        "",
        "Written by `python -m benchmarks` (benchmarks/run.py); edit the code, not this file.",
        "Every figure below was measured on the machine described, in one run per size;",
        "nothing is extrapolated unless it says so. Raw figures are in the JSON file of the",
        "same name.",
        "",
        "## Reproduce",
        "",
        "```sh",
        ".venv/bin/pip install -e '.[bench]'",
        *sorted({e["command"] for e in sizes}),
        "```",
        "",
    ]
    lines += _machine(results.get("machine") or (sizes[-1]["machine"] if sizes else {}), sizes)
    lines += _targets(sizes)
    lines += _method(results.get("runner_peak_rss_mb"))
    for entry in sizes:
        lines += _size(entry)
    lines += _image_scaling(results.get("image_scaling"), sizes)
    lines += ["## Sources", "", SOURCES, ""]
    return "\n".join(lines)


def _machine(m: dict[str, Any], sizes: list[dict[str, Any]]) -> list[str]:
    if not m:
        return []
    pk = m.get("packages", {})
    neo = m.get("neo4j", {})
    out = [
        "## Machine",
        "",
        f"- CPU: {m.get('cpu')}, {m.get('cores')} logical cores ({m.get('physical_cores')} physical)",
        f"- Memory: {m.get('memory_gb', 0):.1f} GB",
        f"- OS: {m.get('os')}",
        f"- Python {m.get('python')}; {m.get('java')}",
    ]
    if neo:
        out.append(
            f"- Neo4j {neo.get('version')} Community (tests/neo4j_server.py's server): heap "
            f"{neo.get('heap')}, page cache {neo.get('pagecache')}, JVM {neo.get('jvm')}"
        )
    out.append("- Packages: " + ", ".join(f"{k} {v}" for k, v in pk.items()))
    others = {json.dumps(e["machine"], sort_keys=True) for e in sizes if e.get("machine")} - {
        json.dumps(m, sort_keys=True)
    }
    if others:
        out.append("- Some sizes were measured on another machine or set-up; see each size.")
    return [*out, ""]


def _verdict(value: float | None, target: float, higher_is_better: bool, unit: str) -> str:
    """Met or missed, and by how much."""
    if value is None:
        return "not measured"
    good = value >= target if higher_is_better else value <= target
    gap = abs(value - target)
    amount = f"{gap:,.2f}{unit}" if gap < 10 else f"{gap:,.0f}{unit}"
    if good:
        return f"**met** ({value / target:.2f}× the target)"
    if higher_is_better:
        needed = f"needs {target / value:.1f}× more" if value > 0 else "nothing measured"
        return f"**missed** by {amount}: {value / target:.2f}× the target, {needed}"
    return f"**missed** by {amount}: {value / target:.1f}× the target"


def _targets(sizes: list[dict[str, Any]]) -> list[str]:
    by_size = {e["size"]: e for e in sizes}
    largest = sizes[-1] if sizes else None
    out = [
        "## Targets",
        "",
        "| target | measured at | measured | result |",
        "|---|---|---|---|",
    ]

    def extrapolate(key: str, value_of: Any) -> str:
        if largest is None or largest["size"] >= MILLION:
            return ""
        step = largest["steps"].get(key)
        if not _ok(step):
            return ""
        value = value_of(step)
        factor = MILLION / largest["size"]
        return (
            f"; {largest['size']:,} records took {secs(value)} s, so ×{factor:,.0f} linearly would "
            f"be about {value * factor:,.0f} s (an extrapolation, not a measurement)"
        )

    million = by_size.get(MILLION)
    e2e = million["steps"].get("end_to_end") if million else None
    if _ok(e2e):
        out.append(
            f"| 1,000,000 records, files → ranked groups on the embedded store ≤ "
            f"{TARGETS['e2e_seconds']:.0f} s | 1,000,000 | {secs(e2e['seconds'])} s | "
            f"{_verdict(e2e['seconds'], TARGETS['e2e_seconds'], False, ' s')} |"
        )
        peak = e2e["peak_rss_mb"] / 1000
        out.append(
            f"| ... and ≤ {TARGETS['e2e_peak_gb']:.0f} GB peak memory | 1,000,000 | {peak:.2f} GB | "
            f"{_verdict(peak, TARGETS['e2e_peak_gb'], False, ' GB')} |"
        )
    else:
        note = (
            _err(e2e) if e2e else "not measured" + extrapolate("end_to_end", lambda s: s["seconds"])
        )
        out.append(
            f"| 1,000,000 records, files → ranked groups ≤ 600 s and ≤ 8 GB | – | – | {note} |"
        )

    for entry in sizes:
        g, ref = entry["steps"].get("load_neo4j"), entry["steps"].get("load_csv_neo4j")
        if not (g or ref):
            continue
        if _ok(g) and _ok(ref):
            r = ref["seconds"] / g["seconds"]
            out.append(
                f"| Neo4j load ≥ {TARGETS['neo4j_vs_load_csv']}× LOAD CSV throughput | "
                f"{entry['size']:,} | {r:.2f}× ({secs(g['seconds'])} s vs {secs(ref['seconds'])} s) | "
                f"{_verdict(r, TARGETS['neo4j_vs_load_csv'], True, '×')} |"
            )
        else:
            out.append(
                f"| Neo4j load ≥ 0.8× LOAD CSV throughput | {entry['size']:,} | – | "
                f"{_err(g if not _ok(g) else ref)} |"
            )
        if _ok(g):
            rels = g["relationships"] / g["seconds"]
            out.append(
                f"| Neo4j load ≥ {TARGETS['neo4j_rels_per_s']:,.0f} relationships/s | "
                f"{entry['size']:,} | {rate(rels)} /s | "
                f"{_verdict(rels, TARGETS['neo4j_rels_per_s'], True, ' /s')} |"
            )

    target = TARGETS["ingest_records_per_s"]
    label = f"ingest (parse, normalise, extract; no store) ≥ {target:,.0f} records/s on one core"
    for entry in sizes:
        ing = entry["steps"].get("ingest")
        if ing is None:
            continue
        if _ok(ing):
            per_s = entry["size"] / ing["seconds"]
            out.append(
                f"| {label} | {entry['size']:,} | {rate(per_s)} /s | "
                f"{_verdict(per_s, target, True, ' /s')} |"
            )
        else:
            out.append(f"| {label} | {entry['size']:,} | – | {_err(ing)} |")

    cl = million["steps"].get("cluster") if million else None
    if _ok(cl):
        out.append(
            f"| clustering 1,000,000 records ≤ {TARGETS['cluster_seconds']:.0f} s | 1,000,000 | "
            f"{secs(cl['seconds'])} s | {_verdict(cl['seconds'], TARGETS['cluster_seconds'], False, ' s')} |"
        )
    else:
        note = _err(cl) if cl else "not measured" + extrapolate("cluster", lambda s: s["seconds"])
        out.append(f"| clustering 1,000,000 records ≤ 120 s | – | – | {note} |")
    return [*out, ""]


def _method(runner_peak: float | None) -> list[str]:
    floor = (
        [
            f"  The runner itself peaked at {runner_peak:,.0f} MB, a floor under every peak",
            "  below (Linux counts in a child's peak what it shared with its parent before",
            "  `exec`, so the runner runs even set-up in children and stays small).",
        ]
        if runner_peak
        else []
    )
    return [
        "## What is measured",
        "",
        "- **World**: `graphthb.synth.generate(folder, records, seed=1)`: records.csv, links.csv",
        "  (analyst assertions) and truth.csv (planted groups, used only to score groups).",
        "- **Each step runs in a fresh Python process.** *Seconds* is the step's own work",
        "  (`time.perf_counter` around it, without interpreter start and imports); *peak RSS*",
        "  is the whole process's peak resident memory (`wait4` → `ru_maxrss`). A Neo4j",
        "  server is a separate process: its peak (`VmHWM`) is given apart. *Records/s* counts",
        "  the world's records (the links file's few hundred rows are loaded too, not counted).",
        *floor,
        "- **Ingest**: `read_rows` + `record_rows` / `link_rows` into `GraphRows`, in the loader's",
        "  batches of 5,000, writing nowhere.",
        "- **Load**: `graphthb.ingest.loader.load` into a new store; *write* is the part of it",
        "  spent inside `store.write_batch`, the rest is ingest.",
        "- **Cluster**: `graphthb.analysis.groups.cluster(store, method='louvain', seed=0)` on",
        "  the loaded embedded store, with the time of its parts (reading the store, picture",
        "  and text near-duplicates, the rest of linking, community detection, scoring, writing",
        "  the groups back) and its pairwise F1 against the planted groups.",
        "- **Group view**: `graphthb.views.group_view` of the largest group; then, with",
        "  Chromium installed, the page opened headless until it reports ready",
        "  (benchmarks/bench_views.py).",
        "- **End to end**: `graphthb load records.csv --links links.csv`, `graphthb cluster`,",
        "  `graphthb groups --all --format json` on a new embedded store, as three commands;",
        "  seconds are the commands' wall time (imports included), memory the largest of the",
        "  three peaks.",
        "",
        "References, on the same data in the same run:",
        "",
        "- **Python's `csv` module**: the records file read with `csv.reader`, a dict made of",
        "  each row, nothing else: the floor under any ingest written in Python on this machine.",
        "- **Neo4j LOAD CSV**: graphthb's loader runs against a store that records what it is",
        "  asked to write (benchmarks/tables.py); those rows (the same per-batch",
        "  de-duplication, typed columns and empty `source` as graphthb/store/neo4j.py) go to",
        "  one CSV per table, and the server loads them with",
        "  `LOAD CSV WITH HEADERS FROM 'file:///…' AS r CALL { WITH r <graphthb's MERGE … SET …> }",
        "  IN TRANSACTIONS OF 5000 ROWS`, text cast back to numbers where graphthb sends numbers.",
        "  The ratio compares graphthb's whole load (reading and normalising the files",
        "  included) with LOAD CSV of rows already normalised; *write only* compares the write",
        "  part alone.",
        "- **One transaction per row**: the same MERGE statements, one row per",
        "  `session.execute_write`, for the rows of the first records until 2,000 rows, on a",
        "  fresh server; the full load's time is **extrapolated** from that rate.",
        "- **LadybugDB COPY**: the node and relationship tables graphthb stored, exported to",
        "  Parquet, then `COPY` into a new database with the same schema; only the COPY",
        "  statements are timed.",
        "- **Community detection**: `networkx.community.louvain_communities(seed=0)` and",
        "  igraph's `community_multilevel` on the raw ad–identifier graph (every ad and every",
        "  phone, e-mail, handle, wallet, picture, URL and agency linked to an ad; no weights,",
        "  nothing set aside, no near-duplicates), graph construction included. They do far",
        "  less than graphthb's clustering, which is why the table also gives pairwise F1",
        "  against the planted groups.",
        f"- **InfoShield**: its published rate, {INFOSHIELD_RATE:.0f} documents/s (see Sources),",
        "  against graphthb's end-to-end records/s. Different hardware, real data rather than",
        "  synthetic, text alone rather than identifiers: an order of magnitude, not a race.",
        "",
    ]


def _references_from(entry: dict[str, Any]) -> list[str]:
    kept = entry.get("references_from")
    if not kept:
        return []
    names = ", ".join(f"`{name}`" for name in kept["steps"])
    return [
        f"Reference steps ({names}) were not run again: their figures are those measured "
        f"{kept['date']} at commit {kept['commit']} on the same world."
    ]


def _size(entry: dict[str, Any]) -> list[str]:
    n = entry["size"]
    st = entry["steps"]
    w = entry["world"]
    out = [
        f"## {n:,} records",
        "",
        f"Measured {entry['date']} at commit {entry['commit']} with `{entry['command']}`; Neo4j: "
        f"{entry.get('neo4j_mode', '–')}.",
        f"World: {w['records']:,} records, {w['groups']:,} planted groups holding "
        f"{w['records_in_groups']:,} records, {w['links']:,} asserted links (generated in "
        f"{secs(w['seconds'])} s). Load average when the size began: "
        f"{', '.join(str(x) for x in entry.get('load_average', [])) or '–'} (1, 5, 15 min).",
        *_references_from(entry),
        "",
        "### graphthb",
        "",
        "| step | seconds | records/s | peak RSS (MB) | notes |",
        "|---|---:|---:|---:|---|",
    ]

    def row(
        label: str, step: dict[str, Any] | None, notes: str = "", records: int | None = n
    ) -> None:
        if step is None:
            return
        if not _ok(step):
            out.append(f"| {label} | – | – | {mb(step.get('peak_rss_mb'))} | {_err(step)} |")
            return
        r = rate(records / step["seconds"]) if records and step["seconds"] else "–"
        out.append(
            f"| {label} | {secs(step['seconds'])} | {r} | {mb(step['peak_rss_mb'])} | {notes} |"
        )

    s = st.get("ingest")
    row("ingest: parse, normalise, extract (no store)", s,
        f"{s['graph_rows']:,} graph rows" if _ok(s) else "")  # fmt: skip
    s = st.get("load_embedded")
    row("load → embedded store", s,
        f"write {secs(s['write_seconds'])} s; {s['nodes']:,} nodes, {s['relationships']:,} relationships"
        if _ok(s) else "")  # fmt: skip
    s = st.get("load_neo4j")
    if s is not None:
        row("load → Neo4j", s,
            f"write {secs(s['write_seconds'])} s; {s['relationships']:,} relationships = "
            f"{rate(s['relationships'] / s['seconds'])} /s; this process used "
            f"{secs(s.get('cpu_seconds'))} s of CPU, the server {secs(s.get('server_cpu_seconds'))} s; "
            f"server peak {mb(s.get('server_peak_rss_mb'))} MB"
            if _ok(s) else "")  # fmt: skip
    s = st.get("cluster")
    if s is not None:
        notes = ""
        if _ok(s):
            p = s["parts"]
            notes = (
                f"read {secs(p.get('read'))}, pictures {secs(p.get('image_pairs'))}, "
                + (
                    f"linking {secs(p.get('link'))} (texts {secs(p.get('text_pairs'))} of it, "
                    "on a thread alongside the rest)"
                    if p.get("texts_alongside")
                    else f"texts {secs(p.get('text_pairs'))}, other linking {secs(p.get('link'))}"
                )
                + f", communities "
                f"{secs(p.get('detect'))}, scores {secs(p.get('describe'))}, write "
                f"{secs(p.get('write'))} s; {s['organised']:,} groups of 2+ ads, largest "
                f"{s['largest']:,}; pairwise F1 {s['pairwise_f1']:.3f}, planted groups recovered "
                f"{s['groups_recovered']}"
            )
        row("cluster (embedded)", s, notes)
    s = st.get("group_view")
    if s is not None:
        row("group view of the largest group", s,
            f"{s['group']}: {s['ads']:,} ads → {s['nodes']:,} nodes, {s['edges']:,} links, "
            f"{s['html_mb']:.1f} MB of HTML" if _ok(s) else "", records=None)  # fmt: skip
    s = st.get("view_browser")
    if s is not None:
        row("... opened in headless Chromium until ready", s,
            f"page's own measure {secs(s['page_seconds'])} s; Chromium {s['chromium']} "
            "(its memory is not in the peak)" if _ok(s) else "", records=None)  # fmt: skip
    s = st.get("end_to_end")
    if s is not None:
        notes = ""
        if _ok(s):
            c = s["commands"]
            notes = (
                f"load {secs(c['load']['wall'])} s / {mb(c['load']['peak_rss_mb'])} MB, cluster "
                f"{secs(c['cluster']['wall'])} s / {mb(c['cluster']['peak_rss_mb'])} MB, groups "
                f"{secs(c['groups']['wall'])} s / {mb(c['groups']['peak_rss_mb'])} MB; "
                f"{s['organised']:,} groups of 2+ ads ranked"
            )
        row("**end to end**: `load` + `cluster` + `groups --all` (CLI, embedded)", s, notes)
    out.append("")
    out += _references(entry)
    out += _pictures(entry)
    return out


def _references(entry: dict[str, Any]) -> list[str]:
    n = entry["size"]
    st = entry["steps"]
    rows: list[str] = []

    def add(what: str, ours: str, ref: str, r: float | None, notes: str) -> None:
        rows.append(f"| {what} | {ours} | {ref} | {ratio(r)} | {notes} |")

    g, ref = st.get("load_neo4j"), st.get("load_csv_neo4j")
    if ref is not None:
        if _ok(g) and _ok(ref):
            add("Neo4j load vs `LOAD CSV`", f"{secs(g['seconds'])} s", f"{secs(ref['seconds'])} s",
                ref["seconds"] / g["seconds"],
                f"write only: {secs(g['write_seconds'])} s vs {secs(ref['seconds'])} s = "
                f"{ratio(ref['seconds'] / g['write_seconds'])}; {ref['rows']:,} rows each; LOAD CSV "
                f"made {ref['nodes']:,} nodes, {ref['relationships']:,} relationships "
                f"(graphthb {g['nodes']:,}, {g['relationships']:,}); server CPU "
                f"{secs(ref.get('server_cpu_seconds'))} s, peak {mb(ref.get('server_peak_rss_mb'))} MB")  # fmt: skip
        else:
            add("Neo4j load vs `LOAD CSV`", "–", "–", None, _err(ref if not _ok(ref) else g))
    pr = st.get("per_row_neo4j")
    if pr is not None:
        if _ok(g) and _ok(pr):
            extrapolated = pr["total_rows"] / pr["rows_per_second"]
            add("Neo4j load vs one transaction per row", f"{secs(g['seconds'])} s",
                f"≈ {secs(extrapolated)} s (extrapolated)", extrapolated / g["seconds"],
                f"measured on a sample of {pr['rows']:,} rows (the first {pr['sample_records']:,} "
                f"records): {rate(pr['rows_per_second'])} rows/s, then extrapolated to the load's "
                f"{pr['total_rows']:,} rows")  # fmt: skip
        else:
            add(
                "Neo4j load vs one transaction per row",
                "–",
                "–",
                None,
                _err(pr if not _ok(pr) else g),
            )
    ing, csv_only = st.get("ingest"), st.get("read_csv")
    if csv_only is not None:
        if _ok(ing) and _ok(csv_only):
            budget = 1e6 / TARGETS["ingest_records_per_s"]
            add("ingest vs Python's `csv` module reading the same file", f"{secs(ing['seconds'])} s",
                f"{secs(csv_only['seconds'])} s", csv_only["seconds"] / ing["seconds"],
                f"a dict a row and nothing else: {1e6 * csv_only['seconds'] / n:.1f} µs a record "
                f"of the {budget:.0f} µs that {TARGETS['ingest_records_per_s']:,.0f} records/s "
                f"allows; ingest takes {1e6 * ing['seconds'] / n:.0f} µs")  # fmt: skip
        else:
            add("ingest vs Python's `csv` module", "–", "–", None,
                _err(csv_only if not _ok(csv_only) else ing))  # fmt: skip
    e, cp = st.get("load_embedded"), st.get("copy_embedded")
    if cp is not None:
        if _ok(e) and _ok(cp):
            add("embedded load vs LadybugDB `COPY`", f"{secs(e['seconds'])} s", f"{secs(cp['seconds'])} s",
                cp["seconds"] / e["seconds"],
                f"write only: {secs(e['write_seconds'])} s = {ratio(cp['seconds'] / e['write_seconds'])}; "
                f"COPY of {cp['tables']} tables, {cp['nodes']:,} nodes, {cp['relationships']:,} "
                f"relationships into a new database")  # fmt: skip
        else:
            add("embedded load vs LadybugDB `COPY`", "–", "–", None, _err(cp if not _ok(cp) else e))
    c = st.get("cluster")
    for key, label in (("louvain_networkx", "NetworkX `louvain_communities`"),
                       ("louvain_igraph", "igraph `community_multilevel`")):  # fmt: skip
        b = st.get(key)
        if b is None:
            continue
        if _ok(c) and _ok(b):
            add(f"clustering vs {label}", f"{secs(c['seconds'])} s", f"{secs(b['seconds'])} s",
                b["seconds"] / c["seconds"],
                f"raw graph of {b['nodes']:,} nodes, {b['edges']:,} links → {b['communities']:,} "
                f"communities; pairwise F1 {b['pairwise_f1']:.3f} (graphthb {c['pairwise_f1']:.3f}), "
                f"planted groups recovered {b['groups_recovered']} (graphthb {c['groups_recovered']}); "
                f"peak {mb(b['peak_rss_mb'])} MB (graphthb {mb(c['peak_rss_mb'])} MB)")  # fmt: skip
        else:
            add(f"clustering vs {label}", "–", "–", None, _err(b if not _ok(b) else c))
    e2e = st.get("end_to_end")
    if _ok(e2e):
        ours = n / e2e["seconds"]
        add("end to end vs InfoShield's published rate", f"{rate(ours)} records/s",
            f"{rate(INFOSHIELD_RATE)} documents/s", ours / INFOSHIELD_RATE,
            "4 million documents in about 8 hours on a stock laptop (see Sources); other "
            "hardware and data")  # fmt: skip
    if not rows:
        return []
    return [
        "### Side by side with references",
        "",
        "*×* is graphthb's throughput over the reference's on the same work: above 1, graphthb",
        "is faster.",
        "",
        "| comparison | graphthb | reference | × | notes |",
        "|---|---:|---:|---:|---|",
        *rows,
        "",
    ]


def _pictures(entry: dict[str, Any]) -> list[str]:
    c = entry["steps"].get("cluster")
    if not _ok(c):
        return []
    exact = c["image_exact_bits"]
    mode = (
        "exact up to 10 bits"
        if exact >= 10
        else f"exact up to {exact} bits, most pairs from {exact + 1} to 10"
    )
    out = [
        f"Near-duplicate pictures: {c['images']:,} distinct picture hashes, {c['image_pairs']:,} "
        f"pairs within 10 bits found in {secs(c['parts'].get('image_pairs'))} s ({mode})."
    ]
    r = entry["steps"].get("image_recall")
    if _ok(r):
        missed = ", ".join(f"{n:,} at {d} bits" for d, n in r["missed_by_distance"].items())
        out.append(
            f"Searched exactly instead, the same hashes give {r['pairs_exact']:,} pairs in "
            f"{secs(r['exact_seconds'])} s (peak {mb(r['peak_rss_mb'])} MB for both searches): "
            f"the default search finds {r['recall']:.1%} of them"
            + (f"; it misses {missed}." if missed else ".")
        )
    elif r is not None:
        out.append(f"Exact search for comparison: {_err(r)}.")
    return [" ".join(out), ""]


def _image_scaling(scaling: dict[str, Any] | None, sizes: list[dict[str, Any]]) -> list[str]:
    if not scaling:
        return []
    runs = sorted(scaling["runs"].items(), key=lambda kv: int(kv[0]))
    out = [
        "## Near-duplicate picture search (`neardup.image_pairs`) by itself",
        "",
        "Uniformly random 64-bit hashes (no true near-duplicates, so every comparison is a",
        f"chance collision of blocks), distance 10; measured {scaling['date']} at commit",
        f"{scaling['commit']}. Per-size figures from real worlds are under each size above.",
        "",
        "| distinct hashes | seconds | peak RSS (MB) | pairs found | search |",
        "|---:|---:|---:|---:|---|",
    ]
    for n, r in runs:
        if _ok(r):
            out.append(
                f"| {int(n):,} | {secs(r['seconds'])} | {mb(r['peak_rss_mb'])} | {r['pairs']:,} | {r['plan']} |"
            )
        else:
            out.append(f"| {int(n):,} | – | – | – | {_err(r)} |")
    return [*out, ""]
