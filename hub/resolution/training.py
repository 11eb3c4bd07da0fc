"""Training the person model, then choosing its thresholds from measured precision and recall.

Training reads only the delivered records: u by random sampling of profile pairs, m by
expectation maximisation in two sessions (pairs blocked on name and birth month estimate the
other fields; pairs blocked on phone estimate the name and birth date), the prior from pairs of
profiles that share a trusted resident ID. The truth file is read afterwards, only to measure
each candidate threshold and ambiguity margin::

    python -m hub.resolution.training --db var/dev/hub50k.sqlite3 --truth var/dev/truth50k

The choice: the least costly candidate, a false merged pair costing :data:`FALSE_MERGE_COST`
missed ones (a wrong person would receive another's benefit); of those within
:data:`COST_TOLERANCE` of it, the most conservative (highest threshold, then widest margin).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from splink import DuckDBAPI, Linker

from hub.resolution import persons
from hub.resolution.evaluation import pairwise_scores, read_truth
from hub.resolution.records import identity_profiles, load_person_records_for_linkage
from hub.resolution.splink_model import (
    DEFAULT_MODEL_PATH,
    MODEL_COLUMNS,
    TRAINING_RULES,
    PersonModel,
    save_model,
    settings,
)
from hub.storage.session import make_engine, session_factory

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
MARGINS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)
FALSE_MERGE_COST = 10
COST_TOLERANCE = 0.05
#: No disagreement is proof on its own: the fields of unseen deliveries are dirtier than those
#: we train on, so a level's m never drops below this (EM sees no birth-date typos, say).
M_FLOOR = 1e-3

log = logging.getLogger(__name__)


def name_counts(records: pd.DataFrame) -> dict[str, int]:
    """Persons per name: distinct trusted IDs, and profiles without one."""
    prof = identity_profiles(records)
    person = prof["trusted_id"].fillna(prof["profile"].astype("str"))
    held = pd.DataFrame({"name": prof["name"], "person": person}).dropna().drop_duplicates()
    return {str(k): int(v) for k, v in held.groupby("name").size().items()}


def train(records: pd.DataFrame, *, max_pairs: float = 1e7, seed: int = 1) -> dict[str, Any]:
    """Splink's settings JSON, trained on ``records`` without any truth."""
    prof = identity_profiles(records)
    table = prof[prof["uid"] == prof["rep"]].rename(columns={"rep": "unique_id"})
    sizes = table["trusted_id"].value_counts()
    n = len(table)
    prior = float((sizes * (sizes - 1)).sum() / (n * (n - 1)))
    provisional = PersonModel({}, 1.0, 0.0, "", "", name_counts=name_counts(records))
    db = DuckDBAPI()
    linker = Linker(db.register(table[list(MODEL_COLUMNS)]), settings(prior), log_level=None)
    frequencies = db.register(persons.name_frequencies(prof, provisional))
    linker.table_management.register_term_frequency_lookup(frequencies, "name")
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for rule in TRAINING_RULES:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    trained = linker.misc.save_model_to_json()
    for comparison in trained["comparisons"]:
        _floor_m(comparison["comparison_levels"])
    return trained


def _floor_m(levels: list[dict[str, Any]]) -> None:
    scored = [level for level in levels if not level.get("is_null_level")]
    for level in scored:
        level["m_probability"] = max(float(level.get("m_probability") or 0.0), M_FLOOR)
    total = sum(level["m_probability"] for level in scored)
    for level in scored:
        level["m_probability"] /= total


def measure(
    records: pd.DataFrame,
    truth: Mapping[str, str],
    model: PersonModel,
    thresholds: Sequence[float] = THRESHOLDS,
    margins: Sequence[float] = MARGINS,
) -> pd.DataFrame:
    """Pairwise precision and recall over all ``records`` at each threshold and margin."""
    pairs = persons.score_pairs(records, model)
    rows = []
    for threshold in thresholds:
        for margin in margins:
            candidate = _with(model, threshold, margin)
            links = persons.cluster(records, pairs, persons.Constraints(), candidate)
            scores = pairwise_scores(links.cluster_of, truth)
            false_pairs = scores.predicted_pairs - scores.correct_pairs
            missed = scores.true_pairs - scores.correct_pairs
            rows.append({"threshold": threshold, "margin": margin,
                         "precision": scores.precision, "recall": scores.recall,
                         "false_pairs": false_pairs, "missed_pairs": missed,
                         "cost": FALSE_MERGE_COST * false_pairs + missed})  # fmt: skip
    return pd.DataFrame(rows)


def choose(measured: pd.DataFrame) -> pd.Series:
    """The most conservative candidate whose cost is within the tolerance of the least."""
    fit = measured[measured["cost"] <= measured["cost"].min() * (1 + COST_TOLERANCE)]
    return fit.sort_values(["threshold", "margin"], ascending=False).iloc[0]


def _with(model: PersonModel, threshold: float, margin: float) -> PersonModel:
    return PersonModel(model.settings, threshold, margin, model.version, model.trained_at,
                       model.name_counts, model.notes)  # fmt: skip


def run(database_url: str, truth_dir: Path, out: Path = DEFAULT_MODEL_PATH) -> PersonModel:
    """Train on the records in ``database_url``, choose thresholds against the truth, save."""
    started = time.perf_counter()
    with session_factory(make_engine(database_url))() as session:
        records = load_person_records_for_linkage(session)
    trained = train(records)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    digest = hashlib.sha256(json.dumps(trained, sort_keys=True).encode()).hexdigest()[:8]
    model = PersonModel(trained, 1.0, 0.0, f"{now:%Y%m%d}-{digest}", now.isoformat(),
                        name_counts(records))  # fmt: skip
    truth = read_truth(truth_dir / "persons.csv", "person_key")
    measured = measure(records, truth, model)
    best = choose(measured)
    notes = {
        "trained_on": {"records": len(records), "database": database_url.split("?")[0]},
        "choice": "least 10*false_pairs + missed_pairs, then within 5% the highest threshold "
        "and widest margin",
        "chosen": best.to_dict(),
        "measured": measured.to_dict("records"),
        "seconds": round(time.perf_counter() - started, 1),
    }
    chosen = PersonModel(trained, float(best["threshold"]), float(best["margin"]),
                         model.version, model.trained_at, model.name_counts, notes)  # fmt: skip
    save_model(chosen, out)
    return chosen


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLite file (opened read-only) or URL")
    parser.add_argument("--truth", required=True, type=Path, help="folder with persons.csv")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    args = parser.parse_args(argv)
    path = Path(args.db).resolve()
    url = args.db if "://" in args.db else f"sqlite:///file:{path}?mode=ro&uri=true"
    model = run(url, args.truth, args.out)
    measured = pd.DataFrame(model.notes["measured"])
    print(measured.to_string(index=False))
    print(f"model {model.version}: threshold {model.match_probability}, "
          f"margin {model.ambiguity_margin} -> {args.out}")  # fmt: skip


if __name__ == "__main__":
    main()
