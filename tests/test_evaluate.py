"""Evaluation against planted truth: each metric on hand-computed examples and a brute-force check."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphthb.analysis.evaluate import adjusted_rand_index, read_truth, score
from graphthb.errors import InputError, NotFoundError

# Two planted groups and three independents:
#   G1 = a b c d    G2 = e f g    independents: x y z
TRUTH = {
    "a": "G1", "b": "G1", "c": "G1", "d": "G1",
    "e": "G2", "f": "G2", "g": "G2",
    "x": None, "y": None, "z": None,
}  # fmt: skip


def test_perfect_prediction_scores_one_everywhere() -> None:
    found = {"a": "p", "b": "p", "c": "p", "d": "p", "e": "q", "f": "q", "g": "q",
             "x": "s1", "y": "s2", "z": "s3"}  # fmt: skip
    s = score(found, TRUTH, ["p", "q", "s1"])
    for name in ("pairwise_precision", "pairwise_recall", "pairwise_f1", "adjusted_rand_index",
                 "recovery_rate", "mean_best_jaccard", "precision_at_k"):  # fmt: skip
        assert s[name] == 1.0, name
    assert (s["groups_planted"], s["groups_recovered"], s["k"]) == (2, 2, 2)
    assert (s["records"], s["records_in_groups"], s["predicted_groups"]) == (10, 7, 2)


def test_all_singletons_recall_nothing() -> None:
    s = score({}, TRUTH, [])
    assert s["pairwise_recall"] == 0.0
    assert s["pairwise_precision"] == 1.0  # no pair claimed, none wrong
    assert s["pairwise_f1"] == 0.0
    assert s["groups_recovered"] == 0 and s["precision_at_k"] == 0.0
    assert s["adjusted_rand_index"] == 0.0  # expected index and index both 0
    assert s["mean_best_jaccard"] == pytest.approx((1 / 4 + 1 / 3) / 2)


def test_hand_computed_mixture() -> None:
    # p = a b c x   q = d e f g   r = y z
    found = {"a": "p", "b": "p", "c": "p", "x": "p", "d": "q", "e": "q", "f": "q", "g": "q",
             "y": "r", "z": "r"}  # fmt: skip
    s = score(found, TRUTH, ["q", "r", "p"])
    # True pairs: C(4,2) + C(3,2) = 9. Found and true: ab ac bc (3) + ef eg fg (3) = 6.
    # Claimed pairs with a planted record: in p, C(3,2) + 3*1 = 6; in q, C(4,2) = 6
    # (d is G1, the rest G2: 3 right, 3 wrong); in r, none (y-z are both independent).
    assert s["pairwise_recall"] == pytest.approx(6 / 9)
    assert s["pairwise_precision"] == pytest.approx(6 / 12)
    assert s["pairwise_f1"] == pytest.approx(2 * (1 / 2) * (2 / 3) / (1 / 2 + 2 / 3))
    # Jaccard(G1, p) = 3/5, Jaccard(G2, q) = 3/4: both recovered.
    assert s["groups_recovered"] == 2
    assert s["mean_best_jaccard"] == pytest.approx((3 / 5 + 3 / 4) / 2)
    # Top k=2 of the ranking: q recovers G2, r recovers nothing.
    assert s["precision_at_k"] == 0.5


def test_independents_grouped_together_change_no_pairwise_score() -> None:
    apart = {"a": "p", "b": "p", "c": "p", "d": "p", "e": "q", "f": "q", "g": "q"}
    together = {**apart, "x": "s", "y": "s", "z": "s"}
    a, b = score(apart, TRUTH), score(together, TRUTH)
    for name in ("pairwise_precision", "pairwise_recall", "pairwise_f1", "groups_recovered"):
        assert a[name] == b[name]
    # The whole-partition ARI counts them (independents are singletons in the truth).
    assert b["adjusted_rand_index"] < a["adjusted_rand_index"] == 1.0


def test_an_independent_pulled_into_a_group_costs_precision() -> None:
    found = {"a": "p", "b": "p", "c": "p", "d": "p", "x": "p", "e": "q", "f": "q", "g": "q"}
    s = score(found, TRUTH)
    assert s["pairwise_recall"] == 1.0
    assert s["pairwise_precision"] == pytest.approx(9 / 13)  # 6 + 4 claimed in p, 3 in q


def test_recovery_threshold_is_inclusive_at_one_half() -> None:
    truth = {"a": "G", "b": "G", "c": None, "d": None}
    s = score({"a": "p", "b": "p", "c": "p", "d": "p"}, truth, ["p"])  # Jaccard 2/4
    assert s["groups_recovered"] == 1 and s["precision_at_k"] == 1.0
    s = score({"a": "p", "b": "p", "c": "p", "d": "p", "e": "p"}, {**truth, "e": None}, ["p"])
    assert s["groups_recovered"] == 0 and s["precision_at_k"] == 0.0


def test_ranking_shorter_than_k_or_naming_unknown_groups() -> None:
    found = {"a": "p", "b": "p", "c": "p", "d": "p", "e": "q", "f": "q", "g": "q"}
    assert score(found, TRUTH, ["p"])["precision_at_k"] == 0.5
    assert score(found, TRUTH, ["nope", "p"])["precision_at_k"] == 0.5
    assert "precision_at_k" not in score(found, TRUTH)


def test_missing_and_extra_predictions() -> None:
    found = {"a": "p", "b": "p", "c": "p", "d": "p", "e": "q", "f": "q", "g": "q", "zz": "p"}
    s = score(found, TRUTH)
    assert s["unscored_predictions"] == 1
    assert s["pairwise_f1"] == 1.0  # x, y, z missing: singletons, as they are


def test_no_planted_groups() -> None:
    s = score({"x": "p", "y": "p"}, {"x": None, "y": None}, ["p"])
    assert s["pairwise_f1"] == 1.0 and s["groups_planted"] == 0
    assert s["precision_at_k"] is None and s["k"] == 0


def test_empty_group_string_is_independent() -> None:
    assert score({"a": "p", "b": "p"}, {"a": "", "b": ""})["groups_planted"] == 0


# -- adjusted Rand index ---------------------------------------------------------------------


def test_ari_hand_computed() -> None:
    # Contingency of [0,0,0,1,1,1] vs [0,0,1,1,2,2]: rows (2,1,0), (0,1,2).
    # index = C(2,2)+C(2,2) = 2; rows: 2*C(3,2) = 6; columns: 3*C(2,2) = 3; C(6,2) = 15.
    # expected = 6*3/15 = 1.2; max = (6+3)/2 = 4.5; ARI = (2-1.2)/(4.5-1.2) = 0.8/3.3.
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(0.8 / 3.3)
    assert adjusted_rand_index(list("aabb"), list("xxyy")) == 1.0
    assert adjusted_rand_index([1, 2, 3], [1, 2, 3]) == 1.0  # all singletons, both sides
    assert adjusted_rand_index([1, 1, 1], [2, 2, 2]) == 1.0  # one cluster, both sides
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)
    with pytest.raises(ValueError):
        adjusted_rand_index([1, 2], [1])


def brute_ari(a: list[int], b: list[int]) -> float:
    """ARI from every pair of items, the definition spelled out."""
    pairs = list(itertools.combinations(range(len(a)), 2))
    both = sum(a[i] == a[j] and b[i] == b[j] for i, j in pairs)
    in_a = sum(a[i] == a[j] for i, j in pairs)
    in_b = sum(b[i] == b[j] for i, j in pairs)
    if not pairs:
        return 1.0
    expected = in_a * in_b / len(pairs)
    top = (in_a + in_b) / 2
    return 1.0 if top == expected else (both - expected) / (top - expected)


def brute_pairwise(found: dict[str, str], truth: dict[str, str | None]) -> tuple[float, float]:
    ids = list(truth)
    tp = claimed = true = 0
    for i, j in itertools.combinations(ids, 2):
        same_t = truth[i] is not None and truth[i] == truth[j]
        same_p = i in found and j in found and found[i] == found[j]
        if truth[i] is None and truth[j] is None:
            continue
        tp += same_t and same_p
        claimed += same_p
        true += same_t
    return (tp / claimed if claimed else 1.0, tp / true if true else 1.0)


labels = st.lists(st.integers(0, 4), min_size=0, max_size=25)


@settings(max_examples=200, deadline=None)
@given(labels, labels)
def test_ari_matches_the_pair_by_pair_definition(a: list[int], b: list[int]) -> None:
    n = min(len(a), len(b))
    assert math.isclose(adjusted_rand_index(a[:n], b[:n]), brute_ari(a[:n], b[:n]), abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(["G1", "G2", "G3"])), max_size=20),
    st.lists(st.one_of(st.none(), st.sampled_from("pqrs")), max_size=20),
)
def test_scores_match_pair_by_pair_counting(planted: list, predicted: list) -> None:
    truth = {f"r{i}": g for i, g in enumerate(planted)}
    found = {f"r{i}": g for i, g in enumerate(predicted[: len(planted)]) if g is not None}
    s = score(found, truth, sorted(set(found.values())))
    precision, recall = brute_pairwise(found, truth)
    assert s["pairwise_precision"] == pytest.approx(precision)
    assert s["pairwise_recall"] == pytest.approx(recall)
    # Independents are singletons in the truth for the ARI; unpredicted records too.
    t_labels = [g if g is not None else f"i{i}" for i, g in enumerate(planted)]
    p_labels = [found.get(f"r{i}", f"s{i}") for i in range(len(planted))]
    assert s["adjusted_rand_index"] == pytest.approx(brute_ari(t_labels, p_labels))
    assert 0 <= s["groups_recovered"] <= s["groups_planted"]


def test_a_million_records_score_without_pair_enumeration() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    planted = rng.integers(0, 4000, n)
    ids = [f"R-{i:07d}" for i in range(n)]
    truth = {r: (f"G{g}" if g < 1300 else None) for r, g in zip(ids, planted.tolist(), strict=True)}
    found = {r: f"p{g}" for r, g in zip(ids, planted.tolist(), strict=True)}
    s = score(found, truth, [f"p{g}" for g in range(1300)])
    assert s["pairwise_f1"] == 1.0 and s["groups_recovered"] == s["groups_planted"] == 1300
    assert s["precision_at_k"] == 1.0


# -- reading truth files ----------------------------------------------------------------------


def test_read_truth(tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text("\ufeffGroup,Record_ID,note\nOCG-1,R-1,x\n,R-2,\nOCG-1,R-3,\n\n", "utf-8")
    assert read_truth(path) == {"R-1": "OCG-1", "R-2": None, "R-3": "OCG-1"}


def test_read_truth_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_truth(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,cluster\nR-1,G\n", "utf-8")
    with pytest.raises(InputError, match="record_id and group"):
        read_truth(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("record_id,group\nR-1,G1\nR-1,G2\n", "utf-8")
    with pytest.raises(InputError, match="two groups"):
        read_truth(twice)
    blank = tmp_path / "blank.csv"
    blank.write_text("record_id,group\n,G1\n", "utf-8")
    with pytest.raises(InputError, match="no record_id"):
        read_truth(blank)


def test_read_truth_of_a_generated_world(tmp_path: Path) -> None:
    from graphthb.synth import generate

    counts = generate(tmp_path, 600, seed=3)
    truth = read_truth(tmp_path / "truth.csv")
    assert len(truth) == 600
    assert sum(g is not None for g in truth.values()) == counts["records_in_groups"]
    assert score({}, truth)["groups_planted"] == counts["groups"]


def test_top_groups_mixing_two_planted_groups_are_counted() -> None:
    truth = {"a": "G1", "b": "G1", "c": "G2", "d": "G2", "e": None, "f": None}
    # x fuses G1 and G2; y holds G2 with an independent; z only independents.
    found = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y", "f": "z"}
    assert score(found, truth, ["x", "y", "z"])["top10_mixed"] == 1
    assert score(found, truth, ["y", "z"])["top10_mixed"] == 0  # x not among the top
    apart = {"a": "x", "b": "x", "c": "y", "d": "y"}
    assert score(apart, truth, ["x", "y"])["top10_mixed"] == 0
    # Only the ten top-ranked groups are looked at.
    many = {f"r{i}": f"g{i}" for i in range(12)} | {"m1": "fused", "m2": "fused"}
    planted = {f"r{i}": None for i in range(12)} | {"m1": "G1", "m2": "G2"}
    ranking = [f"g{i}" for i in range(12)]
    assert score(many, planted, [*ranking, "fused"])["top10_mixed"] == 0
    assert score(many, planted, ["fused", *ranking])["top10_mixed"] == 1
