"""Pairwise precision, recall and F1 of a clustering against a truth clustering.

Computed from the contingency of the two partitions (sums of n·(n-1)/2), never by listing
pairs, so it runs on the county in a second. Only records present in both are compared.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class PairwiseScores:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    predicted_clusters: int
    true_clusters: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def describe(self) -> str:
        return (
            f"precision {self.precision:.4f}, recall {self.recall:.4f}, F1 {self.f1:.4f} "
            f"({self.records} records; {self.predicted_clusters} clusters predicted, "
            f"{self.true_clusters} true; pairs {self.correct_pairs} correct of "
            f"{self.predicted_pairs} predicted, {self.true_pairs} true)"
        )


def _pairs(counts: Counter[object]) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def pairwise_scores(predicted: Mapping[str, str], truth: Mapping[str, str]) -> PairwiseScores:
    """Compare two record -> cluster mappings on the records both contain."""
    common = predicted.keys() & truth.keys()
    predicted_counts: Counter[object] = Counter(predicted[k] for k in common)
    truth_counts: Counter[object] = Counter(truth[k] for k in common)
    both: Counter[object] = Counter((predicted[k], truth[k]) for k in common)
    return PairwiseScores(
        records=len(common),
        true_pairs=_pairs(truth_counts),
        predicted_pairs=_pairs(predicted_counts),
        correct_pairs=_pairs(both),
        predicted_clusters=len(predicted_counts),
        true_clusters=len(truth_counts),
    )


def read_truth(path: Path, key_column: str) -> dict[str, str]:
    """A generator truth file (``dataset,record_id,<key_column>``) as uid -> key; rows with an
    empty key (e.g. a door plate known only to its building) are left out."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            f"{row['dataset']}:{row['record_id']}": row[key_column]
            for row in csv.DictReader(handle)
            if row.get(key_column)
        }
