"""The grid reference: the current 网格 snapshot -> the ``grid`` and ``grid_building`` tables.

Grids are never deleted (persons, houses and tokens point at them); a grid missing from the
newest reference gets ``ended_on``. A building listed by two responsibility grids is assigned
to the first (by code) and the conflict is reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from hub.sources import catalog
from hub.storage.models import Grid, GridBuilding, GridLevel, SourceRecord

LEVEL_ORDER = {
    GridLevel.TOWNSHIP: 0,
    GridLevel.FIRST: 1,
    GridLevel.UNIT: 2,
    GridLevel.RESPONSIBILITY: 3,
}
LEVEL_BY_LENGTH = {9: GridLevel.TOWNSHIP, 12: GridLevel.FIRST, 15: GridLevel.UNIT,
                   17: GridLevel.RESPONSIBILITY}  # fmt: skip


@dataclass(slots=True)
class GridSummary:
    grids: dict[str, int] = field(default_factory=dict)  # level -> count
    buildings: int = 0
    ended: int = 0
    problems: list[str] = field(default_factory=list)


def refresh_grid_reference(session: Session) -> GridSummary:
    """Rebuild the grid tables from the current grid snapshot (caller commits)."""
    summary = GridSummary()
    rows = session.execute(
        select(SourceRecord.record_id, SourceRecord.fields, SourceRecord.valid_from).where(
            SourceRecord.dataset == catalog.GRIDS.key, SourceRecord.valid_to.is_(None)
        )
    ).all()
    grids: dict[str, dict[str, Any]] = {}
    for code, fields, valid_from in rows:
        level = _level(fields.get("level"), code)
        if level is None:
            summary.problems.append(f"grid {code}: unknown level {fields.get('level')!r}; skipped")
            continue
        grids[code] = {
            "code": code,
            "name": fields.get("name") or code,
            "level": level,
            "parent_code": fields.get("parent_code"),
            "worker_name": fields.get("worker_name"),
            "worker_phone": _first_number(fields.get("worker_phones")),
            "snapshot_date": valid_from,
            "ended_on": None,
            "buildings": fields.get("buildings") or [],
        }
    for grid in grids.values():
        parent = grid["parent_code"]
        if parent is not None and parent not in grids:
            summary.problems.append(f"grid {grid['code']}: parent {parent} is not in the reference")
            grid["parent_code"] = None
    existing = set(session.scalars(select(Grid.code)))
    ordered = sorted(grids.values(), key=lambda g: (LEVEL_ORDER[g["level"]], g["code"]))
    columns = ("code", "name", "level", "parent_code", "worker_name", "worker_phone",
               "snapshot_date", "ended_on")  # fmt: skip
    inserts = [{c: g[c] for c in columns} for g in ordered if g["code"] not in existing]
    updates = [{c: g[c] for c in columns} for g in ordered if g["code"] in existing]
    if inserts:
        session.execute(insert(Grid), inserts)
    if updates:
        session.execute(update(Grid), updates)
    gone = sorted(existing - grids.keys())
    if gone:
        session.execute(
            update(Grid)
            .where(Grid.code.in_(gone), Grid.ended_on.is_(None))
            .values(ended_on=max((g["snapshot_date"] for g in grids.values()), default=None))
        )
    summary.ended = len(gone)
    summary.buildings = _assign_buildings(session, ordered, summary)
    for grid in ordered:
        key = grid["level"].value
        summary.grids[key] = summary.grids.get(key, 0) + 1
    return summary


def _assign_buildings(session: Session, grids: list[dict[str, Any]], summary: GridSummary) -> int:
    owner: dict[str, str] = {}
    for grid in grids:
        if grid["level"] is not GridLevel.RESPONSIBILITY:
            continue
        for building in grid["buildings"]:
            first = owner.setdefault(building, grid["code"])
            if first != grid["code"]:
                summary.problems.append(
                    f"building {building} listed by grids {first} and {grid['code']}; "
                    f"kept in {first}"
                )
    session.execute(delete(GridBuilding))
    if owner:
        session.execute(
            insert(GridBuilding),
            [{"building_code": b, "grid_code": g} for b, g in sorted(owner.items())],
        )
    return len(owner)


def _level(value: object, code: str) -> GridLevel | None:
    try:
        return GridLevel(str(value))
    except ValueError:
        return LEVEL_BY_LENGTH.get(len(code))


def _first_number(phones: object) -> str | None:
    if isinstance(phones, dict) and phones.get("numbers"):
        return str(phones["numbers"][0]["value"])
    return None


def current_reference_date(session: Session) -> dt.date | None:
    return session.scalar(select(Grid.snapshot_date).order_by(Grid.snapshot_date.desc()).limit(1))
