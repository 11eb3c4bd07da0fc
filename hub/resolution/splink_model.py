"""The person-linkage model: Splink comparisons and blocking rules, and the trained model file.

Configuration only; :mod:`hub.resolution.persons` runs it. Each comparison and blocking rule is
a named object, so the settings read as a list of evidence::

    NAME, BIRTH_MONTH, BIRTH_DAY, SEX, CONTACT, REGISTER      (comparisons)
    BY_PINYIN_BIRTH_MONTH, BY_PHONE, BY_HOUSE, BY_SURNAME_BIRTH_DATE   (candidate pairs)

The trained model is three files in ``models/``: Splink's own settings JSON
(``person_model.json``, loadable by ``splink.Linker``), our decision thresholds with the model
version (``person_model.meta.json``), and name counts for term frequencies
(``person_name_counts.csv``, a prior for small inputs).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

MODELS_DIR = Path(__file__).parent / "models"
DEFAULT_MODEL_PATH = MODELS_DIR / "person_model.json"

#: The columns Splink reads; ``unique_id`` is the uid that stands for an identity profile.
MODEL_COLUMNS = (
    "unique_id", "name", "name_pinyin", "birth_date", "sex", "phone", "address_code",
    "address_key", "household_no",
)  # fmt: skip


def _null(sql: str, label: str) -> ComparisonLevelCreator:
    return cll.CustomLevel(sql, label).configure(is_null_level=True)


NAME = cl.CustomComparison(
    output_column_name="name",
    comparison_description="name: exact (weighted by how common), homophone, one character",
    comparison_levels=[
        cll.NullLevel("name"),
        cll.ExactMatchLevel("name").configure(
            label_for_charts="same name", tf_adjustment_column="name", tf_adjustment_weight=1.0
        ),
        # Same toneless pinyin: a homophone typed by a clerk, or a conversion t2s missed.
        cll.CustomLevel("name_pinyin_l = name_pinyin_r", "same pinyin"),
        cll.CustomLevel(
            "length(name_l) = length(name_r) AND length(name_l) >= 3 "
            "AND levenshtein(name_l, name_r) = 1",
            "one character differs",
        ),
        cll.CustomLevel(
            "jaro_winkler_similarity(name_pinyin_l, name_pinyin_r) >= 0.9", "similar pinyin"
        ),
        cll.ElseLevel(),
    ],
)

# A month-only date ('YYYY-MM', party members) says nothing about the day: the month and the
# day are two comparisons, so a month-only date weighs as much as an equal month can.
BIRTH_MONTH = cl.CustomComparison(
    output_column_name="birth_month",
    comparison_description="birth year and month: same, one digit differs, same year",
    comparison_levels=[
        cll.NullLevel("birth_date"),
        cll.CustomLevel("substr(birth_date_l, 1, 7) = substr(birth_date_r, 1, 7)", "same month"),
        cll.CustomLevel(
            "damerau_levenshtein(substr(birth_date_l, 1, 7), substr(birth_date_r, 1, 7)) = 1",
            "one digit differs",
        ),
        cll.CustomLevel("substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)", "same year"),
        cll.ElseLevel(),
    ],
)

BIRTH_DAY = cl.CustomComparison(
    output_column_name="birth_day",
    comparison_description="day of the month, where both dates have one",
    comparison_levels=[
        _null(
            "birth_date_l IS NULL OR birth_date_r IS NULL "
            "OR length(birth_date_l) < 10 OR length(birth_date_r) < 10",
            "a day missing (month-only or no date)",
        ),
        cll.CustomLevel("substr(birth_date_l, 9, 2) = substr(birth_date_r, 9, 2)", "same day"),
        cll.ElseLevel(),
    ],
)

SEX = cl.ExactMatch("sex")


def _part(side: str, index: int) -> str:
    return f"split_part(address_key_{side}, '|', {index})"


# A landline and a mobile are different kinds of number, not a disagreement.
_MOBILE = "(length(phone_{0}) = 11 AND phone_{0} LIKE '1%')"
_SAME_PHONE = "phone_l = phone_r"
# address_key is township|village|road|number|building|unit|room; clerks leave parts out.
_SAME_HOUSE = (
    "(address_code_l = address_code_r OR address_key_l = address_key_r OR ("
    + " AND ".join(
        [f"{_part('l', i)} = {_part('r', i)}" for i in (2, 4, 7)]
        + [f"({_part('l', i)} = {_part('r', i)} OR {_part('l', i)} = '' OR {_part('r', i)} = '')"
           for i in (5, 6)]
        + [f"{_part('l', 7)} <> ''"]
    )
    + "))"
)  # fmt: skip

# One comparison for phone and house: a family shares both, so their evidence is not
# independent and must not be added up (brothers 陈建华 and 陈荣华 share both).
CONTACT = cl.CustomComparison(
    output_column_name="contact",
    comparison_description="phone and house: both, phone only, house only, door, village",
    comparison_levels=[
        _null(
            f"(phone_l IS NULL OR phone_r IS NULL OR {_MOBILE.format('l')} <> "
            f"{_MOBILE.format('r')}) AND (address_key_l IS NULL OR address_key_r IS NULL) "
            "AND (address_code_l IS NULL OR address_code_r IS NULL)",
            "no phone of one kind, no house on both sides",
        ),
        cll.CustomLevel(f"{_SAME_PHONE} AND {_SAME_HOUSE}", "same phone and house"),
        cll.CustomLevel(_SAME_PHONE, "same phone"),
        cll.CustomLevel(_SAME_HOUSE, "same house, building or unit maybe left out"),
        cll.CustomLevel(
            f"{_part('l', 2)} = {_part('r', 2)} AND {_part('l', 4)} = {_part('r', 4)} "
            f"AND {_part('l', 4)} <> ''",
            "same door number in the same village",
        ),
        cll.CustomLevel(f"{_part('l', 2)} = {_part('r', 2)} AND {_part('l', 2)} <> ''", "village"),
        cll.ElseLevel(),
    ],
)

# The population register has one current row per person (a re-registration keeps the ID):
# two register rows are rarely one person. Only pairs with no register row say nothing.
REGISTER = cl.CustomComparison(
    output_column_name="register",
    comparison_description="population register: same household, both registered, one",
    comparison_levels=[
        _null("household_no_l IS NULL AND household_no_r IS NULL", "neither registered"),
        cll.CustomLevel("household_no_l = household_no_r", "same household"),
        cll.CustomLevel(
            "household_no_l IS NOT NULL AND household_no_r IS NOT NULL", "both registered"
        ),
        cll.ElseLevel(),
    ],
)

COMPARISONS: tuple[ComparisonCreator, ...] = (
    NAME, BIRTH_MONTH, BIRTH_DAY, SEX, CONTACT, REGISTER,
)  # fmt: skip

# Only pairs that could reach a threshold need scoring: without a shared phone or house, a
# link needs the name's sound and the birth month. Popular baby names make pinyin alone
# quadratic at county size.
BY_PINYIN_BIRTH_MONTH = block_on("name_pinyin", "substr(birth_date, 1, 7)")
BY_PHONE = block_on("phone")
BY_HOUSE = block_on("address_key")
# A typo that changes the name's sound still leaves the surname and the birth date.
BY_SURNAME_BIRTH_DATE = block_on("substr(name, 1, 1)", "birth_date")

BLOCKING_RULES: tuple[BlockingRuleCreator, ...] = (
    BY_PINYIN_BIRTH_MONTH,
    BY_PHONE,
    BY_HOUSE,
    BY_SURNAME_BIRTH_DATE,
)

# Expectation maximisation: each session estimates the fields its blocking does not fix.
TRAIN_BY_NAME_AND_MONTH = block_on("name_pinyin", "substr(birth_date, 1, 7)")
TRAIN_BY_PHONE = block_on("phone")
TRAINING_RULES: tuple[BlockingRuleCreator, ...] = (TRAIN_BY_NAME_AND_MONTH, TRAIN_BY_PHONE)


def settings(probability_two_random_records_match: float = 1e-4) -> SettingsCreator:
    """The untrained settings: dedupe identity profiles (``unique_id``)."""
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=list(COMPARISONS),
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        probability_two_random_records_match=probability_two_random_records_match,
        # Splink keeps each comparison's level (gamma_) only beside the values compared, and
        # its match weight (mw_) as an intermediate column: the evidence a steward reviews.
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        unique_id_column_name="unique_id",
    )


@dataclass(frozen=True)
class PersonModel:
    """A trained model: Splink's settings and our decisions on top of its scores."""

    settings: dict[str, Any]  # Splink's settings JSON, m/u trained
    match_probability: float  # accept a Splink link at or above this
    ambiguity_margin: float  # bits by which the best person must beat the runner-up
    version: str
    trained_at: str
    name_counts: Mapping[str, int] = field(default_factory=dict)  # persons per name
    notes: Mapping[str, Any] = field(default_factory=dict)  # measured figures, for people


def _meta_path(path: Path) -> Path:
    return path.with_name(path.stem + ".meta.json")


def _counts_path(path: Path) -> Path:
    return path.with_name("person_name_counts.csv")


def load_model(path: Path = DEFAULT_MODEL_PATH) -> PersonModel:
    """Read a model saved by :func:`save_model` (settings JSON, meta JSON, name counts)."""
    splink_settings = json.loads(path.read_text(encoding="utf-8"))
    meta = json.loads(_meta_path(path).read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    counts_path = _counts_path(path)
    if counts_path.exists():
        with counts_path.open(encoding="utf-8", newline="") as handle:
            counts = {row["name"]: int(row["persons"]) for row in csv.DictReader(handle)}
    return PersonModel(
        settings=splink_settings,
        match_probability=float(meta["match_probability"]),
        ambiguity_margin=float(meta["ambiguity_margin"]),
        version=str(meta["version"]),
        trained_at=str(meta["trained_at"]),
        name_counts=counts,
        notes=meta.get("notes", {}),
    )


def save_model(model: PersonModel, path: Path = DEFAULT_MODEL_PATH) -> None:
    """Write the three model files next to each other."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.settings, indent=2, ensure_ascii=False) + "\n", "utf-8")
    meta = {
        "version": model.version,
        "trained_at": model.trained_at,
        "match_probability": model.match_probability,
        "ambiguity_margin": model.ambiguity_margin,
        "notes": dict(model.notes),
    }
    _meta_path(path).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", "utf-8")
    with _counts_path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["name", "persons"])
        writer.writerows(sorted(model.name_counts.items()))
