"""Scores for found groups against the groups planted in a synthetic world.

A truth file (``record_id,group``, optionally with ``source``) names the organised group each record was
planted in, and leaves the group empty for records of independent
advertisers. It says nothing about which independent ads share an advertiser:
an independent's five reposts *are* one advertiser, and a tool that puts them
together is right to. So the scores are built to neither reward nor punish
what happens among independents alone:

* **Pairwise precision, recall and F1** count pairs of records with at least
  one record in a planted group. A true pair is two records of the same
  planted group. A predicted pair is two records in the same predicted group
  of which at least one is planted: pulling an independent ad into a group,
  or merging two groups, costs precision; splitting a group costs recall;
  two independent ads grouped together count for nothing. This is the
  primary measure (the bar is F1 >= 0.95).
* **Groups recovered**: a planted group is recovered when some predicted
  group has Jaccard similarity >= 0.5 with it (at most one can, so this is a
  one-to-one match).
* **Precision at k** of the ranking, k = the number of planted groups: the
  share of the k top-ranked groups that recover a planted group. Groups made
  of independents that rank high are what this catches.
* **Mixed top groups**: how many of the ten top-ranked groups hold records
  of two or more planted groups. A fused group ranked first is the worst
  outcome for an analyst: a wrong case, presented first.
* **Adjusted Rand index** over all records, with each independent record its
  own cluster in the truth. This is the usual whole-partition measure and is
  conservative here: it counts an independent's own ads grouped together as
  errors, so a perfect tool scores a little under 1 on it.

Every count comes from the contingency table of (planted group, predicted
group) pairs, never from enumerating record pairs, so a million records score
in a second or two. Records the truth lists but the prediction leaves out are
singletons; predictions for records the truth does not list are ignored (and
counted).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from graphthb.errors import InputError, NotFoundError
from graphthb.ingest.records import ad_key, split_ad_key

__all__ = [
    "score", "read_truth", "truth_by_ad", "adjusted_rand_index", "measure", "RECOVERED_JACCARD",
]  # fmt: skip

#: A planted group counts as recovered by a predicted group this similar to it.
RECOVERED_JACCARD = 0.5
#: The top-ranked groups checked for mixing two planted groups.
TOP_MIXED = 10


def _pairs(counts: np.ndarray) -> np.ndarray:
    """n choose 2, element-wise, as int64."""
    counts = np.asarray(counts, dtype=np.int64)
    return counts * (counts - 1) // 2


def _ari(index: float, sum_a: float, sum_b: float, n: int) -> float:
    """ARI from the three pair counts of a contingency table and the number of items."""
    total = n * (n - 1) / 2
    if total == 0:
        return 1.0
    expected = sum_a * sum_b / total
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        # Only when both partitions are all singletons or both one cluster.
        return 1.0
    return float((index - expected) / (maximum - expected))


def adjusted_rand_index(labels_a: Sequence[Any], labels_b: Sequence[Any]) -> float:
    """Adjusted Rand index of two labelings of the same items (Hubert and Arabie, 1985).

    1 for identical partitions, about 0 for independent ones, negative when
    they agree less than chance.

    Examples
    --------
    >>> adjusted_rand_index([0, 0, 1, 1], [5, 5, 7, 7])
    1.0
    >>> round(adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 4)
    0.2424
    """
    a = pd.factorize(np.array(list(labels_a), dtype=object))[0].astype(np.int64)
    b = pd.factorize(np.array(list(labels_b), dtype=object))[0].astype(np.int64)
    if len(a) != len(b):
        raise ValueError(f"labelings differ in length: {len(a)} and {len(b)}")
    if not len(a):
        return 1.0
    cells = np.unique(a * (b.max() + 1) + b, return_counts=True)[1]
    return _ari(
        float(_pairs(cells).sum()),
        float(_pairs(np.bincount(a)).sum()),
        float(_pairs(np.bincount(b)).sum()),
        len(a),
    )


def score(
    predicted: Mapping[str, str],
    truth: Mapping[str, str | None],
    ranking: Sequence[str] | None = None,
) -> dict[str, Any]:
    """How well predicted groups match the planted ones; see the module notes.

    ``predicted`` maps a record id to its predicted group id (records missing
    from it are singletons); ``truth`` maps every record id to its planted
    group, or to None (or ``""``) for an independent record; ``ranking`` lists
    predicted group ids best first.

    Examples
    --------
    >>> truth = {"a": "G1", "b": "G1", "c": "G1", "d": None, "e": None}
    >>> found = {"a": "x", "b": "x", "c": "y", "d": "x", "e": "z"}
    >>> s = score(found, truth, ["x", "z"])
    >>> s["pairwise_precision"], s["pairwise_recall"]  # a-b right; a-d, b-d wrong; a-c, b-c missed
    (0.3333333333333333, 0.3333333333333333)
    >>> s["groups_recovered"], s["precision_at_k"]  # Jaccard(G1, x) = 2/4
    (1, 1.0)
    """
    # Plain object arrays: pandas' arrow-backed strings are far slower for this.
    ids = list(truth)
    n = len(ids)
    planted_labels = np.array(
        [g if g not in (None, "") and g == g else None for g in truth.values()], dtype=object
    )
    t_codes, t_names = pd.factorize(planted_labels)
    unscored = sum(1 for r in predicted if r not in truth)
    get = predicted.get
    p_codes, p_names = pd.factorize(np.array([get(r) for r in ids], dtype=object))
    p_codes = p_codes.astype(np.int64)
    missing = p_codes < 0
    # Records without a prediction are singletons: give each a code of its own.
    p_codes[missing] = len(p_names) + np.arange(int(missing.sum()))
    n_pred = int(p_codes.max()) + 1 if n else 0
    n_planted = len(t_names)

    planted = t_codes >= 0
    ti = t_codes[planted].astype(np.int64)
    pj = p_codes[planted]
    cell_keys, n_ij = np.unique(ti * n_pred + pj, return_counts=True)
    cell_i, cell_j = cell_keys // max(n_pred, 1), cell_keys % max(n_pred, 1)
    size_t = np.bincount(ti, minlength=n_planted)  # planted group sizes
    size_p = np.bincount(p_codes, minlength=n_pred)  # predicted group sizes, all records
    planted_in_p = np.bincount(pj, minlength=n_pred)

    true_pos = int(_pairs(n_ij).sum())
    true_pairs = int(_pairs(size_t).sum())
    claimed = int(_pairs(planted_in_p).sum() + (planted_in_p * (size_p - planted_in_p)).sum())
    precision = true_pos / claimed if claimed else 1.0
    recall = true_pos / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    # Independents are singletons in the truth: they add no pairs on that side.
    ari = _ari(true_pos, true_pairs, float(_pairs(size_p).sum()), n)

    jaccard = n_ij / (size_t[cell_i] + size_p[cell_j] - n_ij)
    best_for_planted = np.zeros(n_planted)
    np.maximum.at(best_for_planted, cell_i, jaccard)
    best_for_pred = np.zeros(n_pred)
    np.maximum.at(best_for_pred, cell_j, jaccard)
    recovered = int((best_for_planted >= RECOVERED_JACCARD).sum())

    out: dict[str, Any] = {
        "pairwise_precision": float(precision),
        "pairwise_recall": float(recall),
        "pairwise_f1": float(f1),
        "adjusted_rand_index": ari,
        "groups_planted": n_planted,
        "groups_recovered": recovered,
        "recovery_rate": recovered / n_planted if n_planted else 1.0,
        "mean_best_jaccard": float(best_for_planted.mean()) if n_planted else 1.0,
    }
    if ranking is not None:
        k = n_planted
        top = list(ranking)[:k]
        position = {name: j for j, name in enumerate(p_names)}
        codes = [position.get(g, -1) for g in top]
        hits = sum(1 for c in codes if c >= 0 and best_for_pred[c] >= RECOVERED_JACCARD)
        out["precision_at_k"] = hits / k if k else None
        out["k"] = k
        # Planted groups per predicted group, counted over the contingency cells.
        mixes = np.bincount(cell_j, minlength=n_pred) >= 2
        out["top10_mixed"] = sum(
            1 for g in list(ranking)[:TOP_MIXED] if position.get(g, -1) >= 0 and mixes[position[g]]
        )
    out["records"] = n
    out["records_in_groups"] = int(planted.sum())
    out["predicted_groups"] = int((size_p >= 2).sum())
    out["unscored_predictions"] = unscored
    return out


def read_truth(path: Path | str) -> dict[str, str | None]:
    """A truth file as ``{record_id: group or None}``.

    CSV with a header naming ``record_id`` and ``group`` (any case, any order,
    other columns ignored); an empty group means an independent advertiser.
    With a ``source`` column as well, each record is named by its ad key
    (``source/record_id``) instead, so record_ids may repeat across sources.
    """
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no truth file at {path}")
    out: dict[str, str | None] = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.strip().lower() for h in next(reader, [])]
        if "record_id" not in header or "group" not in header:
            raise InputError(
                f"{path}: a truth file needs the columns record_id and group, found {header}"
            )
        at_id, at_group = header.index("record_id"), header.index("group")
        at_source = header.index("source") if "source" in header else None
        for line, row in enumerate(reader, start=2):
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) <= at_id or not row[at_id].strip():
                raise InputError(f"{path}:{line}: no record_id")
            rid = row[at_id].strip()
            if at_source is not None:
                source = row[at_source].strip() if len(row) > at_source else ""
                if not source:
                    raise InputError(f"{path}:{line}: no source (the file has a source column)")
                rid = ad_key(source, rid)
            group = row[at_group].strip() if len(row) > at_group else ""
            value = group or None
            if rid in out and out[rid] != value:
                raise InputError(
                    f"{path}:{line}: record {rid} is given two groups: {out[rid]} and {value}"
                )
            out[rid] = value
    return out


def truth_by_ad(truth: Mapping[str, str | None], ad_keys: Sequence[str]) -> dict[str, str | None]:
    """``truth`` re-keyed by the store's ad keys.

    A truth file names records by record_id, or by ``source/record_id`` when it
    has a source column (see :func:`read_truth`). A record_id that names two
    ads of the store cannot be scored honestly and is refused; records the
    store does not hold keep their name, and count as found alone.
    """
    by_id: dict[str, list[str]] = {}
    for key in ad_keys:
        parts = split_ad_key(key)
        if parts is not None:
            by_id.setdefault(parts[1], []).append(key)
    known = set(ad_keys)
    out: dict[str, str | None] = {}
    for name, group in truth.items():
        if name in known:
            out[name] = group
            continue
        keys = by_id.get(name, [])
        if len(keys) > 1:
            raise InputError(
                f"truth record {name!r} names {len(keys)} ads ({', '.join(sorted(keys)[:3])}); "
                "add a source column to the truth file"
            )
        out[keys[0] if keys else name] = group
    return out


def measure(
    folder: Path | str,
    records: int,
    seed: int,
    situations: Any = None,
    *,
    cluster_seed: int = 0,
) -> dict[str, Any]:
    """Generate a synthetic world, load it into a fresh embedded store, cluster
    it and score the groups: the figures docs/quality.md tabulates.

    ``situations`` is a :class:`graphthb.synth.Situations` (or None for the
    default world). The world and the store are written under ``folder``.
    """
    import time

    from graphthb.analysis.groups import cluster
    from graphthb.ingest.loader import load
    from graphthb.store import open_store
    from graphthb.synth import generate

    folder = Path(folder)
    generate(folder, records, seed, situations=situations)
    store = open_store(str(folder / "case.lbug"))
    try:
        load(
            store, [folder / "records.csv"], [folder / "links.csv"], rejects=folder / "rejects.csv"
        )
        began = time.perf_counter()
        result = cluster(store, seed=cluster_seed)
        took = time.perf_counter() - began
    finally:
        store.close()
    predicted = {m: g.group_id for g in result.groups for m in g.members}
    truth = truth_by_ad(read_truth(folder / "truth.csv"), list(predicted))
    figures = score(predicted, truth, [g.group_id for g in result.groups])
    figures["cluster_seconds"] = round(took, 2)
    figures["notes"] = result.notes
    return figures
