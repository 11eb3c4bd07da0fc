"""House links scored against a generator's truth (``houses.csv``), for evaluation only.

A record without a house-level link counts as a house of its own: a missing link costs recall,
a false one precision. Door plates have no house in the truth (they cover a building), so they
count only for buildings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hub.resolution.evaluation import PairwiseScores, pairwise_scores, read_truth

PRECISIONS = ("room", "building", "none")


@dataclass(frozen=True)
class HouseEvaluation:
    """Pairwise scores on houses and buildings, and how many records linked at each level."""

    houses: PairwiseScores  # every record with a true house; unlinked ones alone
    linked_houses: PairwiseScores  # only the records that have a house-level link
    buildings: PairwiseScores  # every record with a true building; unlinked ones alone
    coverage: dict[str, dict[str, int]]  # dataset -> precision -> records

    def describe(self) -> str:
        """A few lines for a terminal or a log."""
        lines = [
            f"houses:         {self.houses.describe()}",
            f"houses, linked: {self.linked_houses.describe()}",
            f"buildings:      {self.buildings.describe()}",
        ]
        for dataset, counts in sorted(self.coverage.items()):
            total = sum(counts.values())
            shares = ", ".join(f"{p} {counts[p]} ({counts[p] / total:.1%})" for p in PRECISIONS)
            lines.append(f"coverage {dataset}: {total} records: {shares}")
        return "\n".join(lines)


def evaluate_houses(links: pd.DataFrame, truth_csv: Path) -> HouseEvaluation:
    """Score ``links`` (:attr:`~hub.resolution.houses.HouseLinks.links`) against ``truth_csv``
    (``dataset,record_id,house_key,building_key``)."""
    uids = links["uid"]
    house = links["address_code"].where(links["precision"] == "room", None)
    predicted_houses = dict(zip(uids, house.fillna(uids), strict=True))
    has_house = house.notna()
    linked = dict(zip(uids[has_house], house[has_house], strict=True))
    predicted_buildings = dict(zip(uids, links["building_code"].fillna(uids), strict=True))
    true_houses = read_truth(truth_csv, "house_key")
    counts = links.groupby(["dataset", "precision"]).size()
    coverage = {
        str(dataset): {p: int(counts.get((dataset, p), 0)) for p in PRECISIONS}
        for dataset in links["dataset"].unique()
    }
    return HouseEvaluation(
        houses=pairwise_scores(predicted_houses, true_houses),
        linked_houses=pairwise_scores(linked, true_houses),
        buildings=pairwise_scores(predicted_buildings, read_truth(truth_csv, "building_key")),
        coverage=coverage,
    )
