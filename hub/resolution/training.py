"""Training the person model, then choosing its thresholds from measured precision and recall.

Training reads only the delivered records: u by random sampling of profile pairs, m by
expectation maximisation in two sessions (pairs blocked on name and birth month estimate the
other fields; pairs blocked on phone estimate the name and birth date), the prior from pairs of
profiles that share a trusted resident ID. The truth file is read afterwards, only to measure
each candidate threshold and ambiguity margin::

    python -m hub.resolution.training --db var/dev/hub50k.sqlite3 --truth var/dev/truth50k

The choice: the least costly candidate, a falsely merged pair costing :data:`FALSE_MERGE_COST`
missed ones (a wrong person would receive another's benefit); then, of the candidates costing
at most :data:`COST_TOLERANCE` of the true pairs more, the most conservative (highest threshold,
then widest margin): where the measurements cannot tell candidates apart, caution decides.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
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
COST_TOLERANCE = 1e-4  # of the true pairs: one more missed pair in ten thousand
#: No disagreement is proof on its own: the fields of unseen deliveries are dirtier than those
#: we train on, so a level's m never drops below this (EM sees no birth-date typos, say).
M_FLOOR = 1e-3


def train(records: pd.DataFrame, *, max_pairs: float = 1e7, seed: int = 1) -> PersonModel:
    """A model trained on ``records`` without any truth; its thresholds are still to choose."""
    prof = identity_profiles(records)
    table = prof[prof["uid"] == prof["rep"]].rename(columns={"rep": "unique_id"})
    sizes = table["trusted_id"].value_counts()
    prior = float((sizes * (sizes - 1)).sum() / (len(table) * (len(table) - 1)))
    counts = {str(k): int(v) for k, v in persons.name_counts(prof).items()}
    db = DuckDBAPI()
    linker = Linker(db.register(table[list(MODEL_COLUMNS)]), settings(prior), log_level=None)
    untrained = PersonModel({}, 1.0, 0.0, "", "", name_counts=counts)
    frequencies = db.register(persons.name_frequencies(persons.name_counts(prof), untrained))
    linker.table_management.register_term_frequency_lookup(frequencies, "name")
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for rule in TRAINING_RULES:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    trained = linker.misc.save_model_to_json()
    for comparison in trained["comparisons"]:
        _floor_m(comparison["comparison_levels"])
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    trained.pop("linker_uid", None)  # a random id per Linker: not part of the model
    digest = hashlib.sha256(json.dumps(trained, sort_keys=True).encode()).hexdigest()[:8]
    return PersonModel(trained, 1.0, 0.0, f"{now:%Y%m%d}-{digest}", now.isoformat(), counts)


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
            candidate = replace(model, match_probability=threshold, ambiguity_margin=margin)
            links = persons.cluster(records, pairs, persons.Constraints(), candidate)
            scores = pairwise_scores(links.cluster_of, truth)
            false_pairs = scores.predicted_pairs - scores.correct_pairs
            missed = scores.true_pairs - scores.correct_pairs
            rows.append({"threshold": threshold, "margin": margin,
                         "precision": scores.precision, "recall": scores.recall,
                         "true_pairs": scores.true_pairs, "false_pairs": false_pairs,
                         "missed_pairs": missed,
                         "cost": FALSE_MERGE_COST * false_pairs + missed})  # fmt: skip
    return pd.DataFrame(rows)


def choose(measured: pd.DataFrame) -> pd.Series:
    """The most conservative candidate whose cost is within the tolerance of the least."""
    tolerance = COST_TOLERANCE * measured["true_pairs"].max()
    fit = measured[measured["cost"] <= measured["cost"].min() + tolerance]
    return fit.sort_values(["threshold", "margin"], ascending=False).iloc[0]


def run(database_url: str, truth_dir: Path, out: Path = DEFAULT_MODEL_PATH) -> PersonModel:
    """Train on the records in ``database_url``, choose thresholds against the truth, save."""
    started = time.perf_counter()
    with session_factory(make_engine(database_url))() as session:
        records = load_person_records_for_linkage(session)
    model = train(records)
    truth = read_truth(truth_dir / "persons.csv", "person_key")
    measured = measure(records, truth, model)
    best = choose(measured)
    notes = {
        "trained_on": {
            "records": len(records),
            "database": database_url.split("?")[0].rsplit("/")[-1],
        },
        "choice": f"least {FALSE_MERGE_COST}*false_pairs + missed_pairs; of those within "
        f"{COST_TOLERANCE} of the true pairs of it, the highest threshold, then widest margin",
        "chosen": best.to_dict(),
        "measured": measured.to_dict("records"),
        "seconds": round(time.perf_counter() - started, 1),
    }
    chosen = replace(model, match_probability=float(best["threshold"]),
                     ambiguity_margin=float(best["margin"]), notes=notes)  # fmt: skip
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
