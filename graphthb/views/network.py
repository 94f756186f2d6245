"""The three network views: a group, the neighbourhood of one identifier, and all groups.

Each reads what it draws from the store (:mod:`graphthb.views.subgraph`), hides
potential victims' details unless asked (:mod:`graphthb.privacy`), and
writes one self-contained HTML file (:mod:`graphthb.views.page`).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from pyvis.network import Network

from graphthb.errors import GraphthbError, NotFoundError
from graphthb.privacy import Minimiser, minimiser
from graphthb.safefile import check_output, protected_paths
from graphthb.schema import SCHEMA
from graphthb.store.base import Store
from graphthb.views.layout import force_layout
from graphthb.views.page import (
    FALLBACK_STYLE,
    KIND_STYLES,
    legend_icon,
    max_score,
    render,
    score_colour,
    score_scale,
    write_page,
)
from graphthb.views.subgraph import (
    CONTEXT_KINDS,
    IDENTIFIER_TABLES,
    RECORD_TABLES,
    Edge,
    NodeId,
    ad_counts,
    ad_groups,
    clean,
    exists,
    induced_edges,
    neighbours,
    node_props,
    read_assertions,
)

__all__ = [
    "ViewInfo",
    "group_view",
    "around_view",
    "overview",
    "AROUND_MAX_NODES",
    "GROUP_MAX_ADS",
    "GROUP_MAX_NODES",
    "OVERVIEW_MAX_GROUPS",
    "OVERVIEW_MAX_GROUPS_PER_IDENTIFIER",
    "PHYSICS_MAX_NODES",
]

#: an around view stops growing at this many nodes (and says so)
AROUND_MAX_NODES = 1500
#: a group view draws at most this many nodes (and says so)
GROUP_MAX_NODES = 5000
#: ... of which at most this many ads, so that what binds them has room too
GROUP_MAX_ADS = 1500
#: the overview draws at most this many groups, the highest scores first
OVERVIEW_MAX_GROUPS = 3000
#: an identifier shared by more groups than this joins unrelated ads; the overview leaves it out
OVERVIEW_MAX_GROUPS_PER_IDENTIFIER = 25
#: every view is laid out in Python first; up to this many nodes the browser's physics
#: then polishes the layout briefly and stops, past it the page is drawn as computed
PHYSICS_MAX_NODES = 1500
#: how hard a link to a platform, city or domain pulls in the Python layout (1 for the others)
CONTEXT_PULL = 0.05

AD_PROPS = ["title", "posted_at", "city", "country", "platform", "url", "persona", "age", "text"]
SHOWN_PROPS: dict[str, list[str]] = {
    "Ad": AD_PROPS,
    "Person": ["role"],
    "Phone": ["region"],
    "Handle": ["service"],
    "Wallet": ["chain"],
    "Platform": ["name", "platform_type"],
    "Agency": ["name"],
    "Location": ["city", "country"],
}
PROP_LABELS = {
    "title": "title",
    "posted_at": "posted",
    "city": "city",
    "country": "country",
    "platform": "platform",
    "url": "URL",
    "persona": "persona",
    "age": "age",
    "text": "text",
    "role": "role",
    "region": "region",
    "service": "service",
    "chain": "chain",
    "name": "name",
    "platform_type": "type",
}
FACT_LABELS = {
    "source": "source",
    "observed_at": "observed",
    "collector": "collector",
    "origin": "file:line",
    "relation": "relation",
    "confidence": "confidence",
    "note": "note",
}
REL_LABELS = {
    "HAS_PHONE": "phone",
    "HAS_EMAIL": "e-mail",
    "HAS_HANDLE": "handle",
    "HAS_WALLET": "wallet",
    "HAS_IMAGE": "picture",
    "LINKS_TO": "links to",
    "ON_DOMAIN": "on domain",
    "POSTED_ON": "posted on",
    "NAMES_AGENCY": "names",
    "LOCATED_IN": "in",
    "MEMBER_OF": "member of",
}
TEXT_PREVIEW = 400
LABEL_MAX = 32
RECORD_EDGE = "#a8a8a8"
ASSERTED_EDGE = "#d62728"
KIND_ORDER = {kind: i for i, kind in enumerate(dict.fromkeys([*KIND_STYLES, *SCHEMA.nodes]))}


@dataclass
class ViewInfo:
    """What a view wrote: the file, how many nodes and links it draws, and any notes
    (a cap reached, details hidden) the page shows too."""

    path: Path
    nodes: int
    edges: int
    notes: list[str] = field(default_factory=list)


# -- the three views ----------------------------------------------------------------------


def group_view(store: Store, group_id: str, out: Path, *, reveal: bool = False) -> ViewInfo:
    """Draw one group: its ads, what they show, and what analysts asserted about them.

    Raises :class:`NotFoundError` when the store has no such group.
    """
    protected = check_output_for(store, out)
    res = store.query(
        "MATCH (g:Group) WHERE g.key = $key "
        "RETURN g.score AS score, g.size AS size, g.countries AS countries, "
        "g.summary AS summary, g.explanation AS explanation",
        {"key": group_id},
    )
    if not res.rows:
        raise NotFoundError(
            f"no group {group_id!r} in {store.location}; list them with: graphthb groups"
        )
    score, size, countries, summary, explanation = (clean(v) for v in res.rows[0])
    members = sorted(
        row[0]
        for row in store.query(
            "MATCH (a:Ad)-[:MEMBER_OF]->(g:Group) WHERE g.key = $key RETURN a.key AS key",
            {"key": group_id},
        ).rows
    )
    notes: list[str] = []
    if len(members) > GROUP_MAX_ADS:
        notes.append(
            f"capped: the group has {len(members):,} ads; the first {GROUP_MAX_ADS:,} "
            "by record id are drawn"
        )
        members = members[:GROUP_MAX_ADS]
    assertions = read_assertions(store)
    ads = {("Ad", a) for a in members}
    nodes = ads | neighbours(store, ads, assertions)
    # Then the domains of the ads' URLs, and what an analyst asserted about the identifiers
    # drawn (a person who USES a phone). Not onwards from persons: their other ads belong
    # to other views.
    on_domain = [t for t in RECORD_TABLES if t[0] == "ON_DOMAIN"]
    identifiers = {n for n in nodes if n[0] not in ("Ad", "Person")}
    nodes |= neighbours(store, identifiers, assertions, tables=on_domain)
    nodes, dropped = _cap(nodes, GROUP_MAX_NODES, first=ads)
    if dropped:
        notes.append(
            f"capped at {GROUP_MAX_NODES:,} nodes: {dropped:,} identifiers of this group's ads are not drawn"
        )
    mini = minimiser(store, assertions, reveal=reveal)
    vis_nodes, vis_edges, legend = _draw(store, nodes, assertions, mini, seeds=set())
    if note := mini.note():
        notes.append(note)

    facts = [("score", _score_text(score)), ("ads", f"{len(members):,}")]
    if countries:
        facts.append(("countries", str(countries)))
    if summary:
        facts.append(("summary", str(summary)))
    if why := _indicators_text(explanation):
        facts.append(("why", why))
    return _finish(
        out,
        protected,
        vis_nodes,
        vis_edges,
        legend,
        notes,
        title=f"graphthb: group {group_id}",
        heading=f"Group {group_id}",
        facts=facts,
        remarks=[
            "A score ranks what deserves a closer look; it is not a verdict. Ads ringed in "
            "the group's colour belong to it."
        ],
        swatch=score_colour(score),
    )


def around_view(
    store: Store, kind: str, key: str, hops: int, out: Path, *, reveal: bool = False
) -> ViewInfo:
    """Draw everything within ``hops`` links of one node (an identifier or an ad).

    Platforms, cities and domains are drawn but not walked through: they join
    ads that have nothing else in common. The view stops at
    :data:`AROUND_MAX_NODES` nodes and says so. Raises :class:`NotFoundError`
    when the store has no such node.
    """
    SCHEMA.node(kind)
    protected = check_output_for(store, out)
    if kind == "Group":
        return group_view(store, key, out, reveal=reveal)
    if hops < 1:
        raise GraphthbError(f"hops must be 1 or more, not {hops}")
    if not exists(store, kind, key):
        raise NotFoundError(f"no {kind.lower()} {key!r} in {store.location}")
    seed: NodeId = (kind, key)
    assertions = read_assertions(store)
    nodes: set[NodeId] = {seed}
    frontier: set[NodeId] = {seed}
    notes: list[str] = []
    reached = 0
    for hop in range(1, hops + 1):
        walk = {n for n in frontier if n == seed or n[0] not in CONTEXT_KINDS}
        new = neighbours(store, walk, assertions) - nodes if walk else set()
        if not new:
            break
        reached = hop
        if len(nodes) + len(new) > AROUND_MAX_NODES:
            kept, dropped = _cap(nodes | new, AROUND_MAX_NODES, first=nodes)
            notes.append(
                f"capped at {AROUND_MAX_NODES:,} nodes: {dropped:,} nodes {hop} link(s) away "
                f"(and anything farther) are not drawn; try fewer hops"
            )
            nodes = kept
            break
        nodes |= new
        frontier = new
    mini = minimiser(store, assertions, reveal=reveal)
    vis_nodes, vis_edges, legend = _draw(store, nodes, assertions, mini, seeds={seed})
    if note := mini.note():
        notes.append(note)
    shown_key = mini.image_key(key) if kind == "Image" else key
    label = KIND_STYLES.get(kind, FALLBACK_STYLE).label
    return _finish(
        out,
        protected,
        vis_nodes,
        vis_edges,
        legend,
        notes,
        title=f"graphthb: around {kind.lower()} {shown_key}",
        heading=f"Around {label} {shown_key}",
        facts=[("links followed", f"{hops} (reached {reached})"), ("nodes", f"{len(nodes):,}")],
        remarks=[
            "The starting node has a black ring. Platforms, cities and domains are drawn but "
            "not followed further: they join ads that have nothing else in common."
        ],
    )


def overview(store: Store, out: Path) -> ViewInfo:
    """Draw every group as one node, joined where two groups' ads share identifiers.

    Node size is the group's number of ads, colour its score; a link's label is
    how many identifiers the two groups share. Raises :class:`NotFoundError`
    when the store has no groups yet.
    """
    protected = check_output_for(store, out)
    res = store.query(
        "MATCH (g:Group) RETURN g.key AS key, g.score AS score, g.size AS size, "
        "g.countries AS countries, g.summary AS summary"
    )
    if not res.rows:
        raise NotFoundError(f"no groups in {store.location} yet; run: graphthb cluster")
    groups = [tuple(clean(v) for v in row) for row in res.rows]
    groups.sort(key=lambda g: (-(g[1] or 0.0), -(g[2] or 0), g[0]))
    notes: list[str] = []
    if len(groups) > OVERVIEW_MAX_GROUPS:
        notes.append(
            f"capped: {len(groups):,} groups; the {OVERVIEW_MAX_GROUPS:,} with the highest scores are drawn"
        )
        groups = groups[:OVERVIEW_MAX_GROUPS]
    shown = {g[0] for g in groups}

    holders: dict[NodeId, set[str]] = {}
    for rel, _, kind in IDENTIFIER_TABLES:
        rows = store.query(
            f"MATCH (g:Group)<-[:MEMBER_OF]-(a:Ad)-[:{rel}]->(x:{kind}) "
            "RETURN DISTINCT g.key AS grp, x.key AS key"
        ).rows
        for grp, key in rows:
            if grp in shown:
                holders.setdefault((kind, key), set()).add(grp)
    shared: dict[tuple[str, str], list[NodeId]] = {}
    busy = 0
    for ident, grps in sorted(holders.items()):
        if len(grps) < 2:
            continue
        if len(grps) > OVERVIEW_MAX_GROUPS_PER_IDENTIFIER:
            busy += 1
            continue
        for pair in combinations(sorted(grps), 2):
            shared.setdefault(pair, []).append(ident)
    if busy:
        notes.append(
            f"{busy:,} identifier(s) shared by more than {OVERVIEW_MAX_GROUPS_PER_IDENTIFIER} "
            "groups are not drawn as links: they join unrelated ads"
        )
    mini = minimiser(store, read_assertions(store), reveal=False)

    ids = {g[0]: i for i, g in enumerate(groups)}
    degree = Counter(g for pair in shared for g in pair)
    vis_nodes = []
    for key, score, size, countries, summary in groups:
        tip = [["#", f"Group {key}"], ["score", _score_text(score)], ["ads", size]]
        tip += [["countries", countries], ["summary", summary]]
        vis_nodes.append(
            {
                "id": ids[key],
                "label": key,
                "kind": "Group",
                "key": key,
                "shape": "dot",
                "size": 10 + 4 * math.sqrt(max(size or 1, 1)),
                "color": _colour(score_colour(score), "#555555"),
                "tip": _rows(tip),
                "links": degree.get(key, 0),
            }
        )
    vis_edges = []
    for (a, b), idents in sorted(shared.items()):
        tip = [["#", f"{a} and {b} share {len(idents)} identifier(s)"]]
        for kind, key in idents[:12]:
            shown_key = mini.image_key(key) if kind == "Image" else key
            tip.append([KIND_STYLES.get(kind, FALLBACK_STYLE).label, shown_key])
        if len(idents) > 12:
            tip.append(["…", f"and {len(idents) - 12} more"])
        vis_edges.append(
            {
                "from": ids[a],
                "to": ids[b],
                "label": str(len(idents)),
                "width": 1 + 1.5 * math.log2(len(idents)),
                "arrows": {"to": {"enabled": False}},
                "color": {"color": "#8c8c8c", "highlight": "#222222", "hover": "#444444"},
                "tip": _rows(tip),
            }
        )
    legend = [_legend_item("Group", len(vis_nodes))]
    if note := mini.note():
        notes.append(note)
    top = max_score()
    return _finish(
        out,
        protected,
        vis_nodes,
        vis_edges,
        legend,
        notes,
        title="graphthb: overview of groups",
        heading="All groups",
        facts=[("groups", f"{len(groups):,}"), ("links", f"{len(vis_edges):,}")],
        remarks=[
            f"Each circle is a group: size by its number of ads, colour by its score (0 to {top:g}). "
            "A link's number is how many phones, e-mails, handles, wallets, pictures, URLs or "
            "agency names the two groups' ads share. A score is not a verdict."
        ],
        scale=score_scale(),
        overview=True,
    )


# -- drawing ------------------------------------------------------------------------------


def _priority(node: NodeId) -> tuple[int, str, str]:
    return (KIND_ORDER.get(node[0], len(KIND_ORDER)), node[0], node[1])


def _cap(nodes: set[NodeId], limit: int, *, first: set[NodeId]) -> tuple[set[NodeId], int]:
    """At most ``limit`` nodes: ``first`` before the rest, then ads, then by kind and key."""
    if len(nodes) <= limit:
        return nodes, 0
    ordered = sorted(first & nodes, key=_priority) + sorted(nodes - first, key=_priority)
    return set(ordered[:limit]), len(nodes) - limit


def _draw(
    store: Store,
    nodes: set[NodeId],
    assertions: Any,
    mini: Minimiser,
    *,
    seeds: set[NodeId],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """vis-network nodes and edges (with tooltip rows) and the legend for ``nodes``."""
    ordered = sorted(nodes, key=_priority)
    ids = {n: i for i, n in enumerate(ordered)}
    edges = induced_edges(store, nodes, assertions)
    props = node_props(store, ordered, SHOWN_PROPS)
    counts = ad_counts(store, [n for n in ordered if n[0] != "Ad"])
    groups = ad_groups(store, [k for kind, k in ordered if kind == "Ad"])
    degree: Counter[NodeId] = Counter()
    ads_here: Counter[NodeId] = Counter()
    for e in edges:
        degree[e.src] += 1
        degree[e.dst] += 1
        if e.src[0] == "Ad":
            ads_here[e.dst] += 1
        if e.dst[0] == "Ad":
            ads_here[e.src] += 1

    vis_nodes = []
    for node in ordered:
        kind, key = node
        style = KIND_STYLES.get(kind, FALLBACK_STYLE)
        shown_key = mini.image_key(key) if kind == "Image" else key
        border, width = "#333333", 1
        if kind == "Ad":
            values = mini.ad(key, props[node])
            tip = [["#", f"Ad {key}"]]
            tip += [[PROP_LABELS[p], _preview(values.get(p))] for p in AD_PROPS]
            if key in mini.victim_ads and not mini.reveal:
                tip = [[k, "hidden" if k == "age" else v] for k, v in tip]
            if key in groups:
                gid, score = groups[key]
                tip.append(["group", f"{gid} (score {_score_text(score)})"])
                border, width = score_colour(score), 3
        else:
            tip = [["#", f"{style.label.capitalize()} {shown_key}"]]
            if node in counts:
                here = f", {ads_here[node]:,} drawn here" if node in ads_here else ""
                tip.append(["ads", f"in {counts[node]:,} ad(s) in the store{here}"])
            tip += [[PROP_LABELS.get(p, p), v] for p, v in props[node].items()]
        if node in seeds:
            border, width = "#000000", 4
        vis_nodes.append(
            {
                "id": ids[node],
                "label": _short(shown_key),
                "kind": kind,
                "key": shown_key,
                "shape": style.shape,
                "size": min(8 + 4 * math.sqrt(degree[node]), 48),
                "color": _colour(style.colour, border),
                "borderWidth": width,
                "tip": _rows(tip),
            }
        )

    vis_edges = []
    seen_pairs: Counter[tuple[int, int]] = Counter()
    for e in edges:
        a, b = ids[e.src], ids[e.dst]
        pair = (min(a, b), max(a, b))
        seen_pairs[pair] += 1
        asserted = SCHEMA.rel(e.rel).asserted
        label = _rel_label(e)
        tip = [
            ["#", f"{label}: {e.src[0]} {_shown(mini, e.src)} → {e.dst[0]} {_shown(mini, e.dst)}"]
        ]
        for i, fact in enumerate(e.facts):
            if i:
                tip.append(["-", ""])
            tip += [[FACT_LABELS.get(k, k), v] for k, v in fact.items()]
        edge: dict[str, Any] = {
            "from": a,
            "to": b,
            "label": label,
            "color": {
                "color": ASSERTED_EDGE if asserted else RECORD_EDGE,
                "highlight": "#222222",
                "hover": "#444444",
            },
            "dashes": asserted,
            "tip": _rows(tip),
        }
        if seen_pairs[pair] > 1:  # a second relation between the same two nodes: bend it
            edge["smooth"] = {
                "enabled": True,
                "type": "curvedCW",
                "roundness": 0.2 * (seen_pairs[pair] - 1),
            }
        vis_edges.append(edge)

    present = Counter(n[0] for n in ordered)
    legend = [
        _legend_item(kind, present[kind])
        for kind in sorted(present, key=lambda k: KIND_ORDER.get(k, 99))
    ]
    return vis_nodes, vis_edges, legend


def _finish(
    out: Path,
    protected: list[Path],
    vis_nodes: list[dict[str, Any]],
    vis_edges: list[dict[str, Any]],
    legend: list[dict[str, Any]],
    notes: list[str],
    *,
    title: str,
    heading: str,
    facts: list[tuple[str, str]],
    remarks: list[str],
    swatch: str | None = None,
    scale: list[tuple[str, str, str]] | None = None,
    overview: bool = False,
) -> ViewInfo:
    """Lay out, assemble the pyvis network, render and write the page."""
    physics = len(vis_nodes) <= PHYSICS_MAX_NODES
    if len(vis_nodes) > 1:
        index = {n["id"]: i for i, n in enumerate(vis_nodes)}
        pairs = np.array([[index[e["from"]], index[e["to"]]] for e in vis_edges], dtype=np.int64)
        context = np.array([n["kind"] in CONTEXT_KINDS for n in vis_nodes])
        ends = pairs.reshape(-1, 2)
        weak = context[ends[:, 0]] | context[ends[:, 1]]
        pos = force_layout(len(vis_nodes), ends, weights=np.where(weak, CONTEXT_PULL, 1.0))
        for n, (x, y) in zip(vis_nodes, pos.tolist(), strict=True):
            n["x"], n["y"] = round(x, 1), round(y, 1)
            if not physics:  # no physics to push overlapping nodes apart: draw them smaller
                n["size"] = round(n["size"] * 0.7, 1)

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for n in vis_nodes:
        n = dict(n)
        net.add_node(n.pop("id"), n.pop("label"), n.pop("shape"), n.pop("color"), **n)
    for e in vis_edges:
        e = dict(e)
        net.add_edge(e.pop("from"), e.pop("to"), **e)
    # A dict, not Network.set_options(): that strips every space out of the JSON it is given.
    net.options = _options(physics, len(vis_nodes), len(vis_edges))
    nodes, edges, *_ = net.get_network_data()

    html = render(
        nodes,
        edges,
        net.options,
        title=title,
        heading=heading,
        facts=[(k, v) for k, v in facts if v not in (None, "")],
        notes=notes + remarks,
        legend=legend,
        scale=scale,
        swatch=swatch,
        size_note=(
            "Size: how many ads a group has." if overview else "Size: how many links a node has."
        ),
        link_legend=not overview,
        physics=physics,
    )
    path = write_page(out, html, protected)
    return ViewInfo(path=path, nodes=len(nodes), edges=len(edges), notes=list(notes))


def check_output_for(store: Store, out: Path) -> list[Path]:
    """Refuse ``out`` before any work when it is one of the store's own files or
    not a regular file; returns the files the write must keep refusing."""
    protected = protected_paths(store.location)
    check_output(out, protected, create_parents=True)
    return protected


def _options(physics: bool, n_nodes: int, n_edges: int) -> dict[str, Any]:
    big = n_nodes > 400 or n_edges > 1000
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "multiselect": True,
        },
        "nodes": {
            # A white halo keeps a label readable where links cross it.
            "font": {
                "size": 12,
                "face": "DejaVu Sans, Helvetica, Arial, sans-serif",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "scaling": {"label": {"drawThreshold": 5}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
            "smooth": False,
            "width": 1,
            "font": {"size": 9, "color": "#555555", "strokeWidth": 2, "align": "middle"},
            "scaling": {"label": {"drawThreshold": 6}},
        },
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -45,
                "springLength": 70,
                "springConstant": 0.08,
                "avoidOverlap": 0.3,
            },
            "stabilization": {
                "enabled": physics,
                # Few: the nodes start from the Python layout, near where they settle.
                "iterations": 120,
                "updateInterval": 25,
                "fit": True,
            },
        },
    }


def _colour(fill: str, border: str) -> dict[str, Any]:
    return {
        "background": fill,
        "border": border,
        "highlight": {"background": fill, "border": "#000000"},
        "hover": {"background": fill, "border": "#000000"},
    }


def _legend_item(kind: str, count: int) -> dict[str, Any]:
    style = KIND_STYLES.get(kind, FALLBACK_STYLE)
    colour = style.colour
    return {
        "kind": kind,
        "label": style.label,
        "count": f"{count:,}",
        "colour": colour,
        "icon": legend_icon(style.shape),
    }


def _rel_label(edge: Edge) -> str:
    if edge.rel == "ASSERTED":
        words = [f.get("relation") for f in edge.facts if f.get("relation")]
        if words:
            return str(words[0]).lower().replace("_", " ")
    return REL_LABELS.get(edge.rel, edge.rel.lower().replace("_", " "))


def _shown(mini: Minimiser, node: NodeId) -> str:
    return mini.image_key(node[1]) if node[0] == "Image" else node[1]


def _short(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _preview(value: Any) -> Any:
    if isinstance(value, str) and len(value) > TEXT_PREVIEW:
        return value[: TEXT_PREVIEW - 1] + "…"
    return value


def _rows(rows: list[list[Any]]) -> list[list[str]]:
    """Tooltip rows without empty values, every value as text."""
    out = []
    for label, value in rows:
        value = clean(value)
        if value is None or value == "":
            if label == "-":
                out.append([label, ""])
            continue
        out.append([str(label), f"{value:g}" if isinstance(value, float) else str(value)])
    return out


def _score_text(score: Any) -> str:
    score = clean(score)
    if score is None:
        return "not scored"
    return f"{float(score):g} of {max_score():g}"


def _indicators_text(explanation: Any) -> str | None:
    """The group's strongest indicators, from the explanation JSON clustering stored."""
    if not isinstance(explanation, str):
        return None
    try:
        indicators = json.loads(explanation).get("indicators", {})
        items = sorted(
            (
                (float(v.get("points") or 0), str(v.get("detail") or name))
                for name, v in indicators.items()
            ),
            reverse=True,
        )
    except (ValueError, AttributeError, TypeError):
        return None
    parts = [f"{detail} (+{points:g})" for points, detail in items[:4] if points > 0]
    return "; ".join(parts) or None
