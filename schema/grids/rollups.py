"""Grid roll-ups computed in the database: counts over a grid's subtree, grouped by the code
prefix of the grids asked for.

A subtree is a code prefix, and the grids of one level have codes of one length, so the
counts of any number of grids of one level are one ``GROUP BY substr(grid_code, 1, n)`` (a
township's forty first-level grids: one query, not forty). The range condition on the code
lets the database use its grid-code index instead of reading every resident.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.storage.models import EntityStatus, House, Person, PersonTag

# ':' sorts right after '9': every code that starts with a prefix is below prefix + ':'.
_AFTER_DIGITS = ":"


def in_subtree(column: InstrumentedAttribute[Any], code: str) -> ColumnElement[bool]:
    """``column`` names a grid in the subtree of ``code`` (an index range, not a LIKE)."""
    return and_(column >= code, column < code + _AFTER_DIGITS)


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
