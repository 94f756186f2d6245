"""A force-directed layout computed in Python, so a view opens already laid out.

Every view's nodes get positions from here. Up to a threshold the browser's
physics then polishes them for a few iterations and stops; past it the view is
drawn as computed, physics off. Measured in headless Chromium on this
project's 2-core machine, vis-network's physics from random positions takes
about 4 s to settle 300 nodes and 15 s for 1,450; from these positions, a third
of that, and a 2,000-node group drawn as computed is ready in about a second
(benchmarks/bench_views.py).

Why not ``networkx.spring_layout``: above 500 nodes it switches to a sparse
variant that loops over nodes in Python; measured on this project's 2-core
machine it takes 15 s for 2,000 nodes, and an all-pairs numpy version still
takes 11 s. The loop below is the same Fruchterman-Reingold model in its grid
variant (repulsion only between near nodes), run only on the graph's core:
nodes with one neighbour (a picture seen in one ad, an ad's own URL) are placed
on a ring around that neighbour afterwards, which is where the force model
would have put them anyway.
"""

from __future__ import annotations

import numpy as np

__all__ = ["force_layout"]

# Repulsion reaches this far (in ideal edge lengths); beyond it, nodes ignore each other.
_CUTOFF = 2.5


def force_layout(
    n: int,
    edges: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    seed: int = 7,
    iterations: int = 60,
    spacing: float = 90.0,
) -> np.ndarray:
    """Positions (``n`` x 2, in pixels) for ``n`` nodes joined by ``edges`` (pairs of positions).

    ``weights`` (one per edge, default 1) scales each edge's pull: a view gives
    links to a platform or a city a small weight, so that hundreds of ads on
    one site are not all dragged into one knot around it. Deterministic for a
    given ``seed``. Direction is ignored; parallel edges count once.

    >>> pos = force_layout(3, np.array([[0, 1], [1, 2]]), seed=1)
    >>> pos.shape
    (3, 2)
    >>> bool(np.linalg.norm(pos[0] - pos[1]) > 0)
    True
    """
    rng = np.random.default_rng(seed)
    pos = np.zeros((n, 2), dtype=np.float64)
    if n == 0:
        return pos
    pairs, pull = _simple_edges(n, edges, weights)
    # Leaves: one strong neighbour, which is not itself a leaf (a lone pair stays in the
    # core). Weak links (to a platform, say) do not count: a URL's link to its domain
    # should not keep it out of a ring around its ad.
    strong = pairs[pull >= 1.0]
    degree = np.bincount(strong.ravel(), minlength=n)
    parent = np.full(n, -1, dtype=np.int64)
    if len(strong):
        a, b = strong[:, 0], strong[:, 1]
        leaf_a = (degree[a] == 1) & (degree[b] > 1)
        leaf_b = (degree[b] == 1) & (degree[a] > 1)
        parent[a[leaf_a]] = b[leaf_a]
        parent[b[leaf_b]] = a[leaf_b]
    core = np.flatnonzero(parent < 0)
    index = np.full(n, -1, dtype=np.int64)
    index[core] = np.arange(len(core))
    in_core = (parent[pairs[:, 0]] < 0) & (parent[pairs[:, 1]] < 0)
    m = len(core)
    core_pos = _fruchterman_reingold(m, index[pairs[in_core]], pull[in_core], rng, iterations)
    pos[core] = core_pos

    # Rings of leaves around their parent, radius growing with how many there are.
    leaves = np.flatnonzero(parent >= 0)
    if len(leaves):
        order = leaves[np.argsort(parent[leaves], kind="stable")]
        par = parent[order]
        starts = np.r_[0, np.flatnonzero(np.diff(par)) + 1]
        counts = np.diff(np.r_[starts, len(order)])
        rank = np.arange(len(order)) - np.repeat(starts, counts)
        total = np.repeat(counts, counts)
        turn = rng.uniform(0, 2 * np.pi, len(starts))
        angle = np.repeat(turn, counts) + 2 * np.pi * rank / total
        radius = 0.45 + 0.04 * np.sqrt(total)
        pos[order, 0] = pos[par, 0] + radius * np.cos(angle)
        pos[order, 1] = pos[par, 1] + radius * np.sin(angle)
    return (pos - pos.mean(axis=0)) * spacing


def _simple_edges(
    n: int, edges: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Undirected, de-duplicated pairs without self-loops, each with its largest weight."""
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    w = np.ones(len(edges)) if weights is None else np.asarray(weights, dtype=np.float64)
    lo = np.minimum(edges[:, 0], edges[:, 1])
    hi = np.maximum(edges[:, 0], edges[:, 1])
    keep = lo != hi
    code, inverse = np.unique(lo[keep] * n + hi[keep], return_inverse=True)
    pull = np.zeros(len(code))
    np.maximum.at(pull, inverse, w[keep])
    return np.stack([code // n, code % n], axis=1), pull


def _fruchterman_reingold(
    m: int, pairs: np.ndarray, weights: np.ndarray, rng: np.random.Generator, steps: int
) -> np.ndarray:
    """Fruchterman-Reingold with ideal edge length 1, in its grid variant.

    Repulsion acts only between nodes closer than ``_CUTOFF`` (found with a k-d
    tree), as in Fruchterman and Reingold's own grid method, so a step costs
    about linear time instead of quadratic. A weak pull to the centre keeps
    separate components on one screen instead of drifting apart.
    """
    from scipy.spatial import cKDTree

    if m == 1:
        return np.zeros((1, 2))
    side = np.sqrt(m)
    pos = rng.uniform(-side / 2, side / 2, (m, 2))
    temperature = side / 8
    cooling = temperature / (steps + 1)
    gravity = 0.5 / side
    cut2 = _CUTOFF * _CUTOFF
    for _ in range(steps):
        near = cKDTree(pos).query_pairs(_CUTOFF, output_type="ndarray")
        delta = pos[near[:, 0]] - pos[near[:, 1]]
        dist2 = np.maximum((delta * delta).sum(axis=1), 1e-4)
        push = delta * ((1.0 - dist2 / cut2) / dist2)[:, None]
        disp = _scatter(near[:, 0], push, m) - _scatter(near[:, 1], push, m)
        if len(pairs):
            delta = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            pull = delta * (weights * np.sqrt((delta * delta).sum(axis=1)))[:, None]
            disp += _scatter(pairs[:, 1], pull, m) - _scatter(pairs[:, 0], pull, m)
        disp -= gravity * pos * np.sqrt((pos * pos).sum(axis=1))[:, None]
        length = np.maximum(np.sqrt((disp * disp).sum(axis=1)), 1e-9)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cooling
    return pos


def _scatter(index: np.ndarray, vectors: np.ndarray, m: int) -> np.ndarray:
    """Sum 2-D ``vectors`` into ``m`` rows by ``index`` (bincount is far faster than add.at)."""
    return np.stack(
        [
            np.bincount(index, vectors[:, 0], minlength=m),
            np.bincount(index, vectors[:, 1], minlength=m),
        ],
        axis=1,
    )
