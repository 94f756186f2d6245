"""Why each ad is in its group: a chain of facts back to the group's core, and
the joints where a group could be two.

Every group is held together by its own links (the community step cuts any
group whose parts meet only through other groups' ads). So from one ad of the
group, its *core* (the ad with the most links inside the group), a search
along the group's own links (shortest chains, a shared contact or picture
preferred to an agency name, and both to a reused text) reaches every other ad: each ad is explained by
the link that first reached it (a shared identifier, a reused text, an
analyst's SAME_AS) and the ad on the other side of it, whose own chain leads
on to the core. The search runs once over all groups together, as arrays.

The *joints* of a group are the single identifiers (or single ads) whose
removal would leave parts of two or more ads each: the places where an
analyst should look first when asking whether the group is really one.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from graphthb.analysis.graph import AnalysisGraph

__all__ = ["member_chains", "joints", "cut_nodes", "JOINTS_MAX_GROUPS"]

#: Groups, best ranked first, whose joints are measured (each is a graph
#: search of its own; past this many, lower-ranked groups say "not measured").
JOINTS_MAX_GROUPS = 2000
#: Groups of more than this many ads and identifiers are not searched for joints.
JOINTS_MAX_NODES = 5000


def _group_edges(graph: AnalysisGraph, labels: np.ndarray) -> tuple[pd.DataFrame, int]:
    """The links inside groups as edges between ads and per-group identifier nodes.

    An identifier carried by ads of two groups becomes one node per group, so
    that no chain passes through another group. Returns edges (``u``, ``v``,
    ``why``, ``ident``) and the number of nodes (ads first).
    """
    n_ads = graph.n_ads
    links = graph.links
    src, dst = links["src"].to_numpy(), links["dst"].to_numpy()
    why = links["why"].to_numpy()
    ad_ident = (src < n_ads) & (dst >= n_ads)
    ad_ad = (src < n_ads) & (dst < n_ads)
    inside = ad_ad.copy()
    inside[ad_ad] = labels[src[ad_ad]] == labels[dst[ad_ad]]
    held = pd.DataFrame({"label": labels[src[ad_ident]], "ident": dst[ad_ident]})
    codes = pd.factorize(pd.MultiIndex.from_frame(held))[0] + n_ads
    frames = [
        pd.DataFrame({"u": src[ad_ident], "v": codes, "why": why[ad_ident],
                      "ident": dst[ad_ident]}),
        pd.DataFrame({"u": src[inside], "v": dst[inside], "why": why[inside], "ident": -1}),
    ]  # fmt: skip
    between = (src >= n_ads) & (dst >= n_ads)
    if between.any():
        nodes = held.assign(code=codes).drop_duplicates(["label", "ident"])
        pp = pd.DataFrame({"x": src[between], "y": dst[between]})
        tied = pp.merge(nodes.rename(columns={"ident": "x", "code": "cx"}), on="x").merge(
            nodes.rename(columns={"ident": "y", "code": "cy"}), on=["y", "label"]
        )
        frames.append(
            pd.DataFrame({"u": tied["cx"], "v": tied["cy"], "why": "asserted", "ident": -1})
        )
    total = n_ads + (int(codes.max()) - n_ads + 1 if len(codes) else 0)
    return pd.concat(frames, ignore_index=True), total


def member_chains(
    graph: AnalysisGraph, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For every ad: its group's core, the ad it was reached from, and how.

    Returns ``core`` (per label, the core ad's position, -1 for lone ads'
    labels), ``parent`` (per ad, the ad it hangs from; itself for a core or a
    lone ad; -1 if not reached, which the community step rules out),
    ``via_ident`` (per ad, the identifier node of that link, or -1) and
    ``via_why`` (per ad, the link's kind: an identifier kind, ``text``,
    ``same-as``, ``asserted``).
    """
    n_ads = graph.n_ads
    edges, total = _group_edges(graph, labels)
    n_labels = int(labels.max()) + 1 if n_ads else 0
    sizes = np.bincount(labels, minlength=n_labels)
    # The core: the ad with most links inside its group (the first such ad on ties).
    deg = np.bincount(edges["u"].to_numpy(), minlength=total)[:n_ads].astype(np.int64)
    deg += np.bincount(edges.loc[edges["v"] < n_ads, "v"].to_numpy(), minlength=n_ads)[:n_ads]
    order = np.lexsort((np.arange(n_ads), -deg, labels))
    first = np.ones(n_ads, dtype=bool)
    first[1:] = labels[order][1:] != labels[order][:-1]
    core = np.full(n_labels, -1, dtype=np.int64)
    core[labels[order][first]] = order[first]
    core[sizes < 2] = -1
    root = total
    cores = core[core >= 0]
    u = np.concatenate([edges["u"].to_numpy(np.int64), np.full(len(cores), root)])
    v = np.concatenate([edges["v"].to_numpy(np.int64), cores])
    # Shortest chains, a shared contact or picture (two steps of one) preferred
    # to an agency name or a link (two of two) and to a reused text (one of
    # three): an analyst checks a phone faster, and it says more.
    why = edges["why"].to_numpy()
    cost = np.where(why == "text", 3.0, np.where(np.isin(why, ("Agency", "Url")), 2.0, 1.0))
    cost = np.concatenate([cost, np.ones(len(cores))])
    matrix = coo_matrix((cost, (u, v)), shape=(total + 1, total + 1)).tocsr()
    _, pred = dijkstra(matrix, directed=False, indices=root, return_predecessors=True)
    parent = np.full(n_ads, -1, dtype=np.int64)
    via_ident = np.full(n_ads, -1, dtype=np.int64)
    via_why = np.full(n_ads, "", dtype=object)
    ads = np.arange(n_ads)
    step = pred[:n_ads]
    lone = sizes[labels] < 2
    parent[lone] = ads[lone]
    parent[cores] = cores
    # Reached straight from another ad (a reused text, a SAME_AS) ...
    direct = (step >= 0) & (step < n_ads)
    parent[direct] = step[direct]
    # ... or through an identifier node, itself reached from an ad.
    through = (step >= n_ads) & (step < root)
    parent[through] = pred[step[through]]
    # Each edge's kind and original identifier, looked up by its (ad, other end).
    key = edges["u"].to_numpy(np.int64) * (total + 1) + edges["v"].to_numpy(np.int64)
    kinds = pd.Series(edges["why"].to_numpy(), index=key)
    kinds = kinds[~kinds.index.duplicated()]
    idents = pd.Series(edges["ident"].to_numpy(), index=key)
    idents = idents[~idents.index.duplicated()]
    asked = np.where(through, ads * (total + 1) + step, -1)
    direct_key = np.where(direct, np.minimum(ads, step) * (total + 1) + np.maximum(ads, step), -1)
    direct_rev = np.where(direct, np.maximum(ads, step) * (total + 1) + np.minimum(ads, step), -1)
    for want in (asked, direct_key, direct_rev):
        hit = want >= 0
        found = kinds.reindex(want[hit]).to_numpy()
        ok = pd.notna(found)
        idx = np.flatnonzero(hit)[ok]
        via_why[idx] = found[ok]
        via_ident[idx] = idents.reindex(want[hit]).to_numpy()[ok]
    # An analyst's person-to-person fact: the step before the ad is a person node
    # reached from another person node; walk back to the ad that reached it.
    walk = through & (parent >= n_ads)
    for _ in range(8):
        if not walk.any():
            break
        parent[walk] = pred[parent[walk]]
        via_why[walk] = "asserted"
        walk &= parent >= n_ads
    parent[(parent >= n_ads) | (parent < -1)] = -1
    return core, parent, via_ident, via_why


def joints(
    graph: AnalysisGraph, labels: np.ndarray, label: int, members: np.ndarray
) -> list[dict[str, Any]] | None:
    """The single nodes (identifiers, or ads) that alone hold parts of the group
    together, weakest first; None when the group is too large to search.

    Each joint says what it is and the sizes, in ads, of the parts that would
    fall apart without it. Only joints that leave at least two parts of two or
    more ads each are listed: an ad hanging from the group by its one phone is
    not a place where the group could be two. Weakest first means the most
    even split first (the second-largest part largest).
    """
    n_ads = graph.n_ads
    links = graph.links
    inside = np.zeros(n_ads, dtype=bool)
    inside[members] = True
    src, dst = links["src"].to_numpy(), links["dst"].to_numpy()
    s_ad = np.where(src < n_ads, src, 0)
    d_ad = np.where(dst < n_ads, dst, 0)
    keep = (src < n_ads) & inside[s_ad] & ((dst >= n_ads) | inside[d_ad])
    a, b = src[keep], dst[keep]
    if len(np.unique(np.concatenate([a, b]))) > JOINTS_MAX_NODES:
        return None
    return cut_nodes(a, b, members, n_ads)


def cut_nodes(
    a: np.ndarray, b: np.ndarray, members: np.ndarray, n_ads: int
) -> list[dict[str, Any]]:
    """The joints of the graph of edges ``(a, b)`` over the ads ``members``
    (nodes below ``n_ads`` are ads): see :func:`joints`."""
    g = nx.Graph()
    g.add_nodes_from(members.tolist())
    g.add_edges_from(zip(a.tolist(), b.tolist(), strict=True))
    # Identifiers carried by one ad of the group alone say nothing here.
    g.remove_nodes_from([x for x in list(g.nodes) if x >= n_ads and g.degree(x) < 2])
    g.remove_edges_from(list(nx.selfloop_edges(g)))
    # The parts each cut node leaves, from the tree of blocks and cut nodes:
    # one search, not one per cut node.
    cuts = set(nx.articulation_points(g))
    if not cuts:
        return []
    tree = nx.Graph()
    weight: dict[Any, int] = {}
    for k, block in enumerate(nx.biconnected_components(g)):
        weight[("b", k)] = sum(1 for x in block if x < n_ads and x not in cuts)
        tree.add_edges_from((("b", k), ("c", x)) for x in block if x in cuts)
    for x in cuts:
        weight[("c", x)] = 1 if x < n_ads else 0
    total = len(members)
    out = []
    for piece in nx.connected_components(tree):
        root = next(iter(piece))
        below: dict[Any, int] = {}
        parent_of = {root: None}
        order = list(nx.dfs_preorder_nodes(tree, root))
        for u, v in nx.dfs_edges(tree, root):
            parent_of[v] = u
        for node in reversed(order):
            below[node] = weight[node] + sum(
                below[c] for c in tree.neighbors(node) if parent_of.get(c) == node
            )
        # Ads outside this piece of the tree (other components) do not exist:
        # the group is connected, so there is one piece.
        for node in order:
            if node[0] != "c":
                continue
            parts = [below[c] for c in tree.neighbors(node) if parent_of.get(c) == node]
            up = total - below[node]
            if parent_of[node] is not None:
                parts.append(up)
            parts = sorted((p for p in parts if p), reverse=True)
            if len(parts) >= 2 and parts[1] >= 2:
                out.append((node[1], parts))
    out.sort(key=lambda item: (-item[1][1], -item[1][0], item[0]))
    return [{"node": int(node), "parts": parts} for node, parts in out]
