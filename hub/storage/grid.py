"""The county's grid reference: townships down to responsibility grids, and their buildings."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ColumnElement, Date, ForeignKey, Index, String, and_
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base
from hub.storage.ingest import str_enum


class GridLevel(enum.StrEnum):
    """Levels as the grid centre names them; codes are 9, 12, 15 and 17 digits long."""

    TOWNSHIP = "乡镇"
    FIRST = "一级网格"
    UNIT = "单元网格"
    RESPONSIBILITY = "责任网格"


class Grid(Base):
    """A grid cell. Codes are hierarchical (each starts with its parent's), so a subtree is a
    prefix: ``code LIKE '350526001%'``."""

    __tablename__ = "grid"
    __table_args__ = (Index("ix_grid_parent_code", "parent_code"),)

    code: Mapped[str] = mapped_column(String(17), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[GridLevel] = mapped_column(str_enum(GridLevel))
    parent_code: Mapped[str | None] = mapped_column(String(17), ForeignKey("grid.code"))
    worker_name: Mapped[str | None] = mapped_column(String(64))
    worker_phone: Mapped[str | None] = mapped_column(String(20))
    snapshot_date: Mapped[dt.date] = mapped_column(Date)  # of the reference that last listed it
    ended_on: Mapped[dt.date | None] = mapped_column(Date)  # absent from a newer reference


class GridBuilding(Base):
    """A building (16-digit code from the standard address) and the responsibility grid that
    covers it."""

    __tablename__ = "grid_building"
    __table_args__ = (Index("ix_grid_building_grid_code", "grid_code"),)

    building_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    grid_code: Mapped[str] = mapped_column(String(17), ForeignKey("grid.code"))


# ':' sorts right after '9': every code that starts with a prefix is below prefix + ':'.
_AFTER_DIGITS = ":"


def in_subtree(column: Any, code: str) -> ColumnElement[bool]:
    """``column`` names a grid in the subtree of ``code`` (an index range, not a LIKE)."""
    return and_(column >= code, column < code + _AFTER_DIGITS)
