"""Communities of the analysis graph with NetworkX.

``components`` is the baseline: every chain of links is one group. ``louvain``
(and ``leiden``, where an installed NetworkX backend provides it) split a
component where it is only loosely held together, for instance two groups
joined by one shared picture.

Results depend only on the data and the seed: the graph is built from links
sorted by node id, because NetworkX's Louvain visits nodes in insertion order.
The NetworkX functions are called through their public, dispatchable API, so
the same code runs on a backend such as nx-cugraph where one is installed.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import networkx as nx
import numpy as np
import pandas as pd

from graphthb.analysis.graph import AnalysisGraph, components
from graphthb.errors import GraphthbError

__all__ = ["METHODS", "detect", "partition"]

METHODS = ("louvain", "leiden", "components")
#: components this small are never split: nothing in them is loosely held.
_SPLIT_MIN_NODES = 8
#: Louvain's null model is that of a collection of at most this many ads. In a
#: larger one, modularity's resolution limit would let two groups merge as soon
#: as the collection grows: the expected weight between them shrinks with the
#: whole graph's weight, while the one shared picture between them does not.
#: Judging every component as if the collection held this many ads keeps what
#: makes a group the same at ten thousand ads and at a million.
REFERENCE_ADS = 10_000


def detect(
    graph: AnalysisGraph,
    method: str = "louvain",
    *,
    resolution: float = 1.0,
    seed: int = 0,
    joins: list[dict] | None = None,
) -> np.ndarray:
    """A community label for every ad (labels are arbitrary integers).

    When ``joins`` is a list, each rejoin of two communities (see
    :func:`_rejoin`) is appended to it as a fact: the ads of each side and
    the identifiers that both sides' ads carry.
    """
    reference = None
    if graph.n_ads > REFERENCE_ADS:
        reference = float(graph.links["weight"].sum()) * REFERENCE_ADS / graph.n_ads
    labels = partition(
        graph.n_nodes,
        graph.links,
        method,
        resolution=resolution,
        seed=seed,
        reference_weight=reference,
        n_ads=graph.n_ads,
    )
    labels = labels[: graph.n_ads].copy()
    if method != "components":
        labels = _connected_pieces(graph, labels)
        labels = _rejoin(graph, labels, joins)
    return _keep_apart(graph, labels)


def _connected_pieces(graph: AnalysisGraph, labels: np.ndarray) -> np.ndarray:
    """Each community cut into the pieces its own links hold together.

    Louvain can leave a community whose parts are linked only through ads of
    other communities; such a group could not be explained fact by fact, so
    each piece becomes a group of its own.
    """
    links = graph.links
    src, dst = links["src"].to_numpy(), links["dst"].to_numpy()
    n_ads = graph.n_ads
    # An identifier belongs, for this purpose, to each community whose ads carry it:
    # node (community, identifier) keeps the pieces apart.
    ad_side = src < n_ads
    both_ads = ad_side & (dst < n_ads)
    label_of = np.where(ad_side, labels[np.minimum(src, n_ads - 1)], -1)
    ident_rows = ad_side & ~both_ads
    inside = both_ads & (labels[np.minimum(src, n_ads - 1)] == labels[np.minimum(dst, n_ads - 1)])
    held = pd.DataFrame({"label": label_of[ident_rows], "ident": dst[ident_rows]})
    ident_codes = pd.factorize(pd.MultiIndex.from_frame(held))[0] + n_ads
    pairs = [
        np.stack([src[ident_rows], ident_codes], axis=1),
        np.stack([src[inside], dst[inside]], axis=1),
    ]
    # An analyst's person-to-person fact ties the two persons' ads in a community.
    between = ~ad_side
    if between.any():
        nodes = held.assign(code=ident_codes).drop_duplicates(["label", "ident"])
        pp = pd.DataFrame({"x": src[between], "y": dst[between]})
        tied = pp.merge(nodes.rename(columns={"ident": "x", "code": "cx"}), on="x").merge(
            nodes.rename(columns={"ident": "y", "code": "cy"}), on=["y", "label"]
        )
        pairs.append(tied[["cx", "cy"]].to_numpy(np.int64))
    total = n_ads + (int(ident_codes.max()) - n_ads + 1 if len(ident_codes) else 0)
    pieces = components(total, pairs)[:n_ads]
    # Communities are unchanged where they are one piece; labels stay comparable.
    code = pd.factorize(pd.MultiIndex.from_arrays([labels, pieces]))[0]
    return code.astype(labels.dtype, copy=False)


def partition(
    n_nodes: int,
    links: pd.DataFrame,
    method: str = "louvain",
    *,
    resolution: float = 1.0,
    seed: int = 0,
    reference_weight: float | None = None,
    workers: int | None = None,
    n_ads: int | None = None,
) -> np.ndarray:
    """The community step on any weighted graph: a label per node ``0 .. n_nodes-1``.

    When ``n_ads`` says that nodes below it are ads (and the rest identifiers),
    a small component that no single node holds together (see
    :func:`_ring`) is kept whole.

    ``links`` has columns ``src``, ``dst`` and ``weight``. Connected components
    first; then, unless ``method`` is ``components``, each component is split by
    Louvain (or Leiden) judged against the whole graph's null model, or, when
    ``reference_weight`` is given and smaller than the graph's total weight,
    against the null model of a graph of that total weight. Components are
    split in ``workers`` processes (by default, as many as there are cores, up
    to four, when there are at least ``PARALLEL_MIN_LINKS`` links to split);
    the result does not depend on it.

    Examples
    --------
    >>> two_triangles = pd.DataFrame({"src": [0, 1, 2, 3, 4, 5], "dst": [1, 2, 0, 4, 5, 3], "weight": 1.0})
    >>> partition(6, two_triangles, "components").tolist()
    [0, 0, 0, 1, 1, 1]
    """
    if method not in METHODS:
        raise GraphthbError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if method == "leiden":
        _leiden_available()
    pairs = links[["src", "dst"]].to_numpy(np.int64)
    labels = components(n_nodes, [pairs])
    if method != "components" and len(links):
        labels = _split(links, labels, method, resolution, seed, reference_weight, workers, n_ads)
    return labels


def _leiden_available() -> None:
    """Fail at once, not only when a component happens to need splitting."""
    g = nx.path_graph(2)
    try:
        nx.community.leiden_communities(g, seed=0)
    except NotImplementedError:
        raise GraphthbError(
            "Leiden needs a NetworkX backend that implements it (such as nx-cugraph); "
            "none is installed here, so use --method louvain"
        ) from None


def _split(
    links: pd.DataFrame,
    labels: np.ndarray,
    method: str,
    resolution: float,
    seed: int,
    reference_weight: float | None,
    workers: int | None = None,
    n_ads: int | None = None,
) -> np.ndarray:
    a = np.minimum(links["src"].to_numpy(), links["dst"].to_numpy())
    b = np.maximum(links["src"].to_numpy(), links["dst"].to_numpy())
    links = (
        pd.DataFrame({"a": a, "b": b, "w": links["weight"].to_numpy(), "c": labels[a]})
        .groupby(["c", "a", "b"], sort=True)["w"]
        .sum()
        .reset_index()
    )
    sizes = np.bincount(labels, minlength=labels.max() + 1)
    total = float(links["w"].sum())
    if reference_weight is not None:
        total = min(total, reference_weight)
    per = links.groupby("c", sort=True)["w"].agg(["sum", "min"])
    # Louvain on one component alone would judge it against that component's
    # own weight and split even a tight group. Scaling the resolution by the
    # component's share of all weight keeps the null model of the whole graph,
    # so each component is split exactly as Louvain on the whole graph would.
    # (A component heavier than the reference total is judged on its own.)
    scaled = resolution * np.minimum(1.0, per["sum"].to_numpy() / total)
    # Louvain cannot split a component whose every cut weighs more than
    # 2 * resolution * weight: joining any community to its best-linked
    # neighbour then always gains modularity. Every cut holds at least one
    # link, so a component whose lightest link passes that bar stays whole.
    cannot = per["min"].to_numpy() > 2 * scaled * per["sum"].to_numpy()
    wanted = (sizes[per.index.to_numpy()] >= _SPLIT_MIN_NODES) & ~cannot
    comps = per.index.to_numpy()[wanted]
    if not len(comps):
        return labels
    bounds = np.searchsorted(links["c"].to_numpy(), np.stack([comps, comps + 1]))
    ea, eb, ew = links["a"].to_numpy(), links["b"].to_numpy(), links["w"].to_numpy()
    tasks = [
        (int(c), ea[lo:hi], eb[lo:hi], ew[lo:hi], float(r))
        for c, lo, hi, r in zip(comps, bounds[0], bounds[1], scaled[wanted], strict=True)
    ]
    if n_ads is not None:
        tasks = [t for t in tasks if not _ring(t[1], t[2], n_ads)]
    if method == "louvain":
        # Here, not in the workers: the test uses the linear-algebra library's
        # own threads, which worker processes would multiply.
        tasks = [t for t in tasks if not _stays_whole(*t[1:])]
    found = _run(tasks, method, seed, workers)
    out = labels.copy()
    next_label = labels.max() + 1
    for comp in sorted(found):
        # The largest community keeps the component's label; order is by smallest node.
        for members in sorted(found[comp], key=lambda m: (-len(m), int(m.min())))[1:]:
            out[members] = next_label
            next_label += 1
    return out


#: Below this many links in all the components to split, one process does it all.
PARALLEL_MIN_LINKS = 200_000


def _run(
    tasks: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, float]],
    method: str,
    seed: int,
    workers: int | None,
) -> dict[int, list[np.ndarray]]:
    """Louvain (or Leiden) on each component; the communities of those it split.

    Components are independent and each is given the same seed, so the result
    is the same whether they run in this process or in several.
    """
    if workers is None:
        n_links = sum(len(t[1]) for t in tasks)
        workers = min(os.cpu_count() or 1, 4) if n_links >= PARALLEL_MIN_LINKS else 1
    if workers <= 1 or len(tasks) < 2:
        return _split_some(tasks, method, seed)
    # Largest first, dealt round the workers, so that each gets a like share.
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i][1]))
    chunks = [[tasks[i] for i in order[k :: workers * 4]] for k in range(workers * 4)]
    found: dict[int, list[np.ndarray]] = {}
    # Forked workers start at once and need no importable main module; they
    # touch nothing but the arrays they are given and NetworkX.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for part in pool.map(_split_some, chunks, [method] * len(chunks), [seed] * len(chunks)):
                found.update(part)
    except BrokenProcessPool:
        # A worker could not start or died (out of memory, say): do it here.
        return _split_some(tasks, method, seed)
    return found


def _split_some(
    tasks: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, float]], method: str, seed: int
) -> dict[int, list[np.ndarray]]:
    found: dict[int, list[np.ndarray]] = {}
    for comp, a, b, w, scaled in tasks:
        g = nx.Graph()
        g.add_nodes_from(np.unique(np.concatenate([a, b])).tolist())
        g.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist(), strict=True))
        if method == "louvain":
            parts = nx.community.louvain_communities(
                g, weight="weight", resolution=scaled, seed=seed
            )
        else:
            try:
                parts = nx.community.leiden_communities(
                    g, weight="weight", resolution=scaled, seed=seed
                )
            except NotImplementedError:
                raise GraphthbError(
                    "Leiden needs a NetworkX backend that implements it (such as nx-cugraph); "
                    "none is installed here, so use --method louvain"
                ) from None
        if len(parts) > 1:
            found[comp] = [np.fromiter(m, dtype=np.int64, count=len(m)) for m in parts]
    return found


#: A component of at most this many ads may be a ring an analyst would draw.
RING_MAX_ADS = 25


def _ring(a: np.ndarray, b: np.ndarray, n_ads: int) -> bool:
    """Whether a component is a small ring that no single node holds together.

    A case an analyst draws by hand (ten ads, two phones, an agency and a
    handle) is small, and its parts are tied to each other in more than one
    way: take away any one phone, picture, handle or ad, and what falls off
    is one ad at most, never a part of two or more (it has no *joint*, see
    :func:`graphthb.analysis.chains.joints`). Modularity would still cut
    such a ring where it is thinnest; a component like this is kept whole.
    Two groups joined by one shared picture are not a ring: that picture
    alone holds them together, and they stay open to the split.
    """
    from graphthb.analysis.chains import cut_nodes

    nodes = np.unique(np.concatenate([a, b]))
    ads = nodes[nodes < n_ads]
    if len(ads) > RING_MAX_ADS or len(ads) < 3:
        return False
    return not cut_nodes(a, b, ads, n_ads)


#: Components up to this many nodes are tested by :func:`_stays_whole` (a dense
#: matrix of this many rows factorises in about a tenth of a second).
CERTIFY_MAX_NODES = 1500


def _stays_whole(a: np.ndarray, b: np.ndarray, w: np.ndarray, scaled: float) -> bool:
    """Whether Louvain at resolution ``scaled`` provably returns this component whole.

    When Louvain stops, no two adjacent communities A and B gain by merging:
    ``w_AB <= scaled * d_A * d_B / (2 W)``, where ``W`` is the component's
    weight and ``d`` the communities' weighted degrees (they sum to ``2 W``).
    Summed over the neighbours of the community A of least degree
    (``d_A <= W``): ``cut(A) <= scaled * d_A``, a part whose conductance is at
    most ``scaled``. Cheeger's inequality puts the conductance of any part at
    no less than half the second-smallest eigenvalue of the normalised
    Laplacian; so when that eigenvalue exceeds ``2 * scaled``, Louvain cannot
    end with two communities. The eigenvalue test is one Cholesky
    factorisation of the Laplacian shifted by ``2 * scaled``, its zero
    eigenvalue (the constant direction) lifted out of the way. Like the
    lightest-link test in :func:`_split`, this relies on Louvain running until
    no merge gains, not stopping on a gain below its threshold (1e-7).

    Most components of a large collection are one advertiser's ads, each tied
    to the next by several identifiers: they pass, in about a millisecond,
    and only those with a weak joint are given to Louvain.
    """
    nodes, where = np.unique(np.concatenate([a, b]), return_inverse=True)
    n = len(nodes)
    if n > CERTIFY_MAX_NODES or scaled >= 0.5:
        return False
    adj = np.zeros((n, n))
    adj[where[: len(a)], where[len(a) :]] = w  # pairs are distinct, a <= b
    adj += adj.T  # a self-loop counts twice in its node's degree, as in NetworkX
    root = np.sqrt(adj.sum(axis=1))
    shifted = -adj / np.outer(root, root)
    null = root / np.linalg.norm(root)
    shifted += np.outer(null, null)
    shifted[np.diag_indices(n)] += 1.0 - (2 * scaled * (1 + 1e-6) + 1e-9)
    try:
        np.linalg.cholesky(shifted)
    except np.linalg.LinAlgError:
        return False
    return True


#: Identifiers strong enough to hold a group together against Louvain's split.
STRONG_KINDS = ("Phone", "Email", "Handle", "Wallet", "Image", "Person")
#: ... when at least this share of each side's ads carry one that the other side carries,
REJOIN_SHARE = 0.2
#: ... and at least this many ads of each side (never one or two misplaced ads),
REJOIN_MIN_ADS = 3
#: ... or when they share at least this many identifiers that each at least
#: ``REJOIN_CARRIERS`` ads of each side carry, whatever their share.
REJOIN_DISTINCT = 2
REJOIN_CARRIERS = 2


def _rejoin(
    graph: AnalysisGraph, labels: np.ndarray, joins: list[dict] | None = None
) -> np.ndarray:
    """Undo Louvain's split of one operation: join two communities when a good
    part of each carries a non-generic contact, picture or asserted person that
    several ads of the other carry too.

    Modularity splits a large, loosely knit group (one booking handle in 228
    ads of two halves, say, or a victim's pictures reposted across two halves)
    as readily as two groups joined by one shared picture; an investigator
    would call the first one operation, and so does this rule. Two
    communities are joined when, on each side, at least ``REJOIN_SHARE`` of
    the ads and at least ``REJOIN_MIN_ADS`` of them carry an identifier the
    other side carries; or when they share ``REJOIN_DISTINCT`` or more
    identifiers that each at least ``REJOIN_CARRIERS`` ads of each side carry
    and no third community carries in several ads (two burner phones a persona took with
    her to another line, say). One
    or two ads that Louvain placed on the wrong side, carrying their own
    group's handle, share that handle with every ad of their group; they
    are not enough on their side, and do not fuse two groups. Each join is
    appended to ``joins`` as a fact.
    """
    carried = graph.carried
    if not len(carried):
        return labels
    idents = graph.idents
    strong = idents["kind"].isin(STRONG_KINDS).to_numpy() & ~idents["generic"].to_numpy()
    pos = carried["ident"].to_numpy() - graph.n_ads
    rows = pd.DataFrame(
        {
            "ad": carried["ad"].to_numpy()[strong[pos]],
            "ident": carried["ident"].to_numpy()[strong[pos]],
            "label": labels[carried["ad"].to_numpy()[strong[pos]]],
        }
    ).drop_duplicates()
    spans = rows.groupby("ident")["label"].transform("nunique") > 1
    rows = rows[spans]
    if not len(rows):
        return labels
    carriers = rows.groupby(["ident", "label"])["ad"].transform("size").to_numpy()
    # For each ordered pair of communities (a, b) sharing an identifier: the ads
    # of a that carry an identifier b carries too ...
    where = rows[["ident", "label"]].drop_duplicates()
    pairs = rows.merge(where.rename(columns={"label": "other"}), on="ident")
    pairs = pairs[pairs["label"] != pairs["other"]]
    crossing = pairs.drop_duplicates(["ad", "other"]).groupby(["label", "other"]).size()
    crossing = crossing.rename("ads").reset_index()
    # ... and how many distinct identifiers several ads of each carry.
    # (An identifier that several ads of a third community carry too is
    # noise-like, a badge or a desk the generic test missed: it does not count.)
    several = rows[carriers >= REJOIN_CARRIERS]
    several = several[several.groupby("ident")["label"].transform("nunique").to_numpy() == 2]
    where = several[["ident", "label"]].drop_duplicates()
    both = where.merge(where.rename(columns={"label": "other"}), on="ident")
    both = both[both["label"] != both["other"]]
    distinct = both.groupby(["label", "other"]).size()
    crossing["shared"] = (
        distinct.reindex(pd.MultiIndex.from_frame(crossing[["label", "other"]]))
        .fillna(0)
        .to_numpy()
    )
    sizes = np.bincount(labels)
    side = sizes[crossing["label"]]
    # (A community smaller than REJOIN_MIN_ADS needs all of its ads.)
    share_ok = crossing["ads"] >= np.maximum(np.minimum(REJOIN_MIN_ADS, side), REJOIN_SHARE * side)
    crossing = crossing[share_ok | (crossing["shared"] >= REJOIN_DISTINCT)]
    # Both directions must pass.
    one_way = set(zip(crossing["label"], crossing["other"], strict=True))
    both_ways = sorted((a, b) for a, b in one_way if a < b and (b, a) in one_way)
    if not both_ways:
        return labels
    if joins is not None:
        counted = crossing.set_index(["label", "other"])["ads"]
        for a, b in both_ways:
            shared = sorted(
                set(pairs.loc[(pairs["label"] == a) & (pairs["other"] == b), "ident"].tolist())
            )
            joins.append(
                {
                    "sides": (np.flatnonzero(labels == a), np.flatnonzero(labels == b)),
                    "carriers": (int(counted[(a, b)]), int(counted[(b, a)])),
                    "identifiers": [int(i) for i in shared],
                }
            )
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in both_ways:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    mapping = np.arange(labels.max() + 1)
    for x in parent:
        mapping[x] = find(x)
    return mapping[labels]


def _keep_apart(graph: AnalysisGraph, labels: np.ndarray) -> np.ndarray:
    """Split any group that holds both sides of an analyst's NOT_SAME_AS fact.

    Each ad of such a group goes to the side it is closer to (fewest links
    away); ads reached by neither stay with the first side.
    """
    if not graph.cannot_link:
        return labels
    labels = labels.copy()
    next_label = labels.max() + 1 if len(labels) else 0
    ad_links = graph.carried
    for left, right in graph.cannot_link:
        shared = np.intersect1d(labels[left], labels[right])
        for group in shared:
            members = np.nonzero(labels == group)[0]
            sub = _member_graph(graph, members, ad_links)
            dist_l = nx.multi_source_dijkstra_path_length(
                sub, [int(x) for x in left if labels[x] == group]
            )
            dist_r = nx.multi_source_dijkstra_path_length(
                sub, [int(x) for x in right if labels[x] == group]
            )
            for ad in members:
                if dist_r.get(int(ad), np.inf) < dist_l.get(int(ad), np.inf):
                    labels[ad] = next_label
            for ad in right:
                labels[ad] = next_label if labels[ad] == group else labels[ad]
            next_label += 1
    return labels


def _member_graph(graph: AnalysisGraph, members: np.ndarray, ad_links: pd.DataFrame) -> nx.Graph:
    inside = np.zeros(graph.n_nodes, dtype=bool)
    inside[members] = True
    links = graph.links
    keep = inside[links["src"].to_numpy()] | inside[links["dst"].to_numpy()]
    sub = nx.Graph()
    sub.add_nodes_from(members.tolist())
    sub.add_edges_from(links.loc[keep, ["src", "dst"]].itertuples(index=False, name=None))
    return sub
