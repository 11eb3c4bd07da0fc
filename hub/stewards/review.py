"""Uncertain matches for stewards: scored pairs of person records near the model's threshold,
with the evidence of each comparison in words.

A pair's *distance* is how far its match weight (log2 of the odds, in bits) lies from the
weight of the model's threshold probability: a pair 1 bit below was half as likely as needed
to be linked. Pairs within ``within_bits`` are listed, nearest first. A pair a steward
already ruled on (the two records named together by a decision not revoked) is left out.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, not_, select, tuple_
from sqlalchemy.orm import Session

from hub.resolution.decisions import DecisionKind
from hub.resolution.splink_model import PersonModel
from hub.storage.models import MatchPair, StewardDecision

#: Pairs listed by default: within 4 bits of the threshold (odds 16 times lower or higher).
DEFAULT_WITHIN_BITS = 4.0
_NULL_LEVEL = "no evidence either way"


@dataclass(frozen=True, slots=True)
class Comparison:
    """One comparison of a pair: the level it reached, in words, and its weight in bits."""

    name: str  # the comparison, e.g. ``name``, ``birth_month``, ``contact``
    description: str  # what the comparison looks at
    level: str  # e.g. ``same pinyin``
    gamma: int | None  # Splink's level number (-1: a value missing)
    weight: float | None  # bits for (+) or against (-) one person, frequency adjustment included


@dataclass(frozen=True, slots=True)
class UncertainPair:
    uid_l: str
    uid_r: str
    match_probability: float
    match_weight: float
    distance: float  # bits from the threshold, always >= 0
    comparisons: tuple[Comparison, ...]


#: A page position: (distance, uid_l, uid_r) of the last pair seen.
Position = tuple[float, str, str]


def threshold_weight(model: PersonModel) -> float:
    """The match weight (bits) of the model's threshold probability."""
    p = model.match_probability
    return math.log2(p / (1 - p))


def describe(evidence: Mapping[str, Any], model: PersonModel) -> tuple[Comparison, ...]:
    """The ``gamma_*`` / ``mw_*`` evidence of a stored pair in the words of the model."""
    out = []
    for comparison in model.settings.get("comparisons", []):
        name = str(comparison["output_column_name"])
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        gamma = evidence.get(f"gamma_{name}")
        if gamma is None or gamma < 0 or gamma >= len(levels):
            label = _NULL_LEVEL
        else:  # Splink numbers the non-null levels from the last (0) to the first
            label = str(levels[len(levels) - 1 - int(gamma)].get("label_for_charts", gamma))
        weight = evidence.get(f"mw_{name}")
        adjustment = evidence.get(f"mw_tf_adj_{name}")
        if weight is not None and adjustment is not None:
            weight = float(weight) + float(adjustment)
        out.append(Comparison(
            name=name, description=str(comparison.get("comparison_description", name)),
            level=label, gamma=None if gamma is None else int(gamma),
            weight=None if weight is None else round(float(weight), 3),
        ))  # fmt: skip
    return tuple(out)


def _band(
    session: Session, model: PersonModel, within_bits: float, include_reviewed: bool
) -> tuple[ColumnElement[float], list[ColumnElement[bool]]]:
    distance = func.abs(MatchPair.match_weight - threshold_weight(model))
    where: list[ColumnElement[bool]] = [distance <= within_bits]
    if not include_reviewed:
        reviewed = _reviewed(session)
        if reviewed:
            where.append(not_(tuple_(MatchPair.uid_l, MatchPair.uid_r).in_(reviewed)))
    return distance, where


def count_uncertain(
    session: Session, model: PersonModel, *, within_bits: float = DEFAULT_WITHIN_BITS,
    include_reviewed: bool = False,
) -> int:  # fmt: skip
    """How many pairs :func:`uncertain_pairs` lists in all."""
    _, where = _band(session, model, within_bits, include_reviewed)
    return session.scalar(select(func.count()).select_from(MatchPair).where(*where)) or 0


def uncertain_pairs(
    session: Session,
    model: PersonModel,
    *,
    within_bits: float = DEFAULT_WITHIN_BITS,
    first: int = 20,
    after: Position | None = None,
    include_reviewed: bool = False,
) -> tuple[list[UncertainPair], bool]:
    """Up to ``first`` pairs within ``within_bits`` of the threshold, nearest first, after
    ``after``; and whether more follow."""
    distance, where = _band(session, model, within_bits, include_reviewed)
    stmt = select(MatchPair, distance.label("distance")).where(*where)
    if after is not None:
        stmt = stmt.where(_after(distance, after))
    rows = session.execute(
        stmt.order_by(distance, MatchPair.uid_l, MatchPair.uid_r).limit(first + 1)
    ).all()
    pairs = [
        UncertainPair(
            pair.uid_l,
            pair.uid_r,
            pair.match_probability,
            pair.match_weight,
            float(d),
            describe(pair.evidence, model),
        )
        for pair, d in rows[:first]
    ]
    return pairs, len(rows) > first


def _after(distance: ColumnElement[float], after: Position) -> ColumnElement[bool]:
    d, left, right = after
    return tuple_(distance, MatchPair.uid_l, MatchPair.uid_r) > tuple_(d, left, right)


def _reviewed(session: Session) -> Sequence[tuple[str, str]]:
    """Record pairs a decision not revoked rules on (``uid_l < uid_r``): any two records it
    says are one person, or any two it keeps apart."""
    pairs: set[tuple[str, str]] = set()
    decisions = session.scalars(
        select(StewardDecision).where(
            StewardDecision.entity_kind == "person", StewardDecision.revoked_at.is_(None)
        )
    )
    for decision in decisions:
        named = sorted(str(r) for r in decision.subject.get("records", []))
        others = [str(r) for r in decision.subject.get("others", [])]
        if decision.kind == DecisionKind.DETACH:
            found: Iterable[tuple[str, str]] = itertools.product(named, others)
        else:
            found = itertools.combinations(named, 2)
        pairs |= {(min(a, b), max(a, b)) for a, b in found if a != b}
    return sorted(pairs)
