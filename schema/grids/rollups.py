"""Grid roll-ups computed in the database: counts over a grid's subtree, grouped by the code
prefix of the grids asked for.

A subtree is a code prefix, and the grids of one level have codes of one length, so the
counts of any number of grids of one level are one ``GROUP BY substr(grid_code, 1, n)`` (a
township's forty first-level grids: one query, not forty). The range condition on the code
lets the database use its grid-code index instead of reading every resident.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.reports.status import OPEN_STATUSES, overdue_before
from hub.storage.grid import _AFTER_DIGITS, in_subtree
from hub.storage.models import CitizenReport, EntityStatus, House, Person, PersonTag

__all__ = [
    "house_counts",
    "in_subtree",
    "report_counts",
    "resident_counts",
    "resident_ids",
    "tag_counts",
]


def resident_counts(session: Session, codes: list[str]) -> list[int]:
    """Active residents whose grid lies in each grid's subtree."""
    counts: dict[str, int] = {}
    for prefix, where in _by_length(Person.grid_code, codes):
        stmt = (
            select(prefix, func.count())
            .where(Person.status == EntityStatus.ACTIVE, *where)
            .group_by(prefix)
        )
        counts.update({code: n for code, n in session.execute(stmt)})
    return [counts.get(code, 0) for code in codes]


def resident_ids(session: Session, codes: list[str]) -> list[list[str]]:
    """The ids of the active residents of each grid's subtree (ask it of small subtrees
    only: the persons behind a small count, for the audit trail)."""
    found: dict[str, list[str]] = defaultdict(list)
    for prefix, where in _by_length(Person.grid_code, codes):
        stmt = (
            select(prefix, Person.id)
            .where(Person.status == EntityStatus.ACTIVE, *where)
            .order_by(Person.id)
        )
        for code, person_id in session.execute(stmt):
            found[code].append(person_id)
    return [found.get(code, []) for code in codes]


def house_counts(session: Session, codes: list[str]) -> list[int]:
    """Active houses whose grid lies in each grid's subtree."""
    counts: dict[str, int] = {}
    for prefix, where in _by_length(House.grid_code, codes):
        stmt = (
            select(prefix, func.count())
            .where(House.status == EntityStatus.ACTIVE, *where)
            .group_by(prefix)
        )
        counts.update({code: n for code, n in session.execute(stmt)})
    return [counts.get(code, 0) for code in codes]


def tag_counts(session: Session, codes: list[str]) -> list[dict[str, int]]:
    """Active residents per tag in each grid's subtree."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for prefix, where in _by_length(Person.grid_code, codes):
        stmt = (
            select(prefix, PersonTag.tag, func.count())
            .join(PersonTag, PersonTag.person_id == Person.id)
            .where(Person.status == EntityStatus.ACTIVE, *where)
            .group_by(prefix, PersonTag.tag)
        )
        for code, tag, count in session.execute(stmt):
            counts[code][tag] = count
    return [dict(counts.get(code, {})) for code in codes]


def report_counts(session: Session, codes: list[str], today: dt.date) -> list[tuple[int, int]]:
    """Open and overdue citizen reports (:mod:`hub.reports.status`) in each grid's subtree."""
    late = CitizenReport.reported_at < overdue_before(today)
    counts: dict[str, tuple[int, int]] = {}
    for prefix, where in _by_length(CitizenReport.grid_code, codes):
        stmt = (
            select(prefix, func.count(), func.sum(case((late, 1), else_=0)))
            .where(CitizenReport.status.in_([s.value for s in OPEN_STATUSES]), *where)
            .group_by(prefix)
        )
        counts.update({code: (n, int(overdue or 0)) for code, n, overdue in session.execute(stmt)})
    return [counts.get(code, (0, 0)) for code in codes]


def _by_length(
    column: InstrumentedAttribute[Any], codes: list[str]
) -> Iterator[tuple[ColumnElement[str], list[ColumnElement[bool]]]]:
    """Per code length: the prefix expression and the conditions that select the subtrees."""
    lengths: dict[int, list[str]] = defaultdict(list)
    for code in dict.fromkeys(codes):
        lengths[len(code)].append(code)
    for length, group in sorted(lengths.items()):
        prefix = func.substr(column, 1, length)
        yield (
            prefix,
            [
                column >= min(group),
                column < max(group) + _AFTER_DIGITS,
                prefix.in_(group),
            ],
        )
