"""Pairwise scores from partitions, checked against brute-force pair counting."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from hub.resolution.evaluation import pairwise_scores


def _brute(predicted: dict[str, str], truth: dict[str, str]) -> tuple[int, int, int]:
    keys = sorted(predicted.keys() & truth.keys())
    pp = tp = cp = 0
    for a, b in itertools.combinations(keys, 2):
        same_p, same_t = predicted[a] == predicted[b], truth[a] == truth[b]
        pp += same_p
        tp += same_t
        cp += same_p and same_t
    return pp, tp, cp


@given(
    st.dictionaries(st.text("abcdefgh", min_size=1, max_size=2), st.sampled_from("xyz")),
    st.dictionaries(st.text("abcdefgh", min_size=1, max_size=2), st.sampled_from("pqrs")),
)
def test_matches_brute_force(predicted: dict[str, str], truth: dict[str, str]) -> None:
    scores = pairwise_scores(predicted, truth)
    assert (scores.predicted_pairs, scores.true_pairs, scores.correct_pairs) == _brute(
        predicted, truth
    )


def test_one_false_merge_lowers_precision_not_recall() -> None:
    truth = {"a": "1", "b": "1", "c": "2"}
    scores = pairwise_scores({"a": "X", "b": "X", "c": "X"}, truth)
    assert scores.recall == 1.0 and scores.precision == 1 / 3
    missed = pairwise_scores({"a": "X", "b": "Y", "c": "Z"}, truth)
    assert missed.recall == 0.0 and missed.precision == 1.0
