"""The change feed's entries for one publication: what changed in golden persons and houses.

A publication compares what it writes with what readers saw before and records, per entity,
one event: ``created`` (every value it starts with), ``updated`` (each changed field with its
old and new value), ``ended`` (died, moved away, demolished) or ``merged`` (absorbed into
another entity, whose id it now redirects to). Each changed value names where it came from
(dataset, record, snapshot date and the survivorship rule), so a department syncing from the
feed can show why its copy changed. Events are written in entity order, after the publication's
other writes, in the same transaction: the feed never shows a change readers cannot see.

Readers resume from an event's ``seq``, so seqs must grow in commit order: a transaction that
took seq 100 and commits after one that took seq 101 would be skipped by a reader that already
saw 101. :func:`hold_feed_lock` makes publications write their events one after another (a
transaction-scoped lock on PostgreSQL; SQLite writers are serialised already). Each event
also notes the entity's grid after the change, and before it when the change moved it
(``grid_code``, ``grid_before``), so grid-scoped readers see their grid's events, a move out
included.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from hub.storage.bulk import insert_rows
from hub.storage.models import ChangeEvent, EntityKind, House, Person

CHANGE_EVENT_TABLE = ChangeEvent.metadata.tables["change_event"]
EVENT_COLUMNS = (
    "entity_kind", "entity_id", "kind", "entity_version", "changes", "provenance", "actor",
    "publication_id", "at", "grid_before",
)  # fmt: skip
#: The PostgreSQL advisory lock key every writer of change events holds until it commits.
FEED_LOCK_KEY = 0x6875_6266  # "hubf"


def hold_feed_lock(session: Session) -> None:
    """Take the change feed's write lock for the rest of the caller's transaction.

    A writer that holds it takes its seqs after every earlier holder committed, so seqs grow
    in commit order. PostgreSQL: ``pg_advisory_xact_lock``; SQLite serialises writers itself.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK_KEY})


class ChangeKind(enum.StrEnum):
    """What happened to a golden person or house: created, updated, ended or merged into
    another."""

    CREATED = "created"
    UPDATED = "updated"
    ENDED = "ended"
    MERGED = "merged"


@dataclass(slots=True)
class _Event:
    kind: ChangeKind
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int | None = None


def plain(value: object) -> Any:
    """A value as the feed's JSON carries it: dates as ISO text, enums as their value."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:  # the common cases first
        return value
    if kind is float:
        return None if value != value else value  # NaN from a frame
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    missing: Any = pd.isna(value)  # type: ignore[call-overload]
    return None if missing is True else value  # NaN, NA or NaT from a frame


class ChangeLog:
    """The events of one publication, one per entity, built up by the publishing steps."""

    def __init__(self) -> None:
        self._events: dict[tuple[EntityKind, str], _Event] = {}

    def __len__(self) -> int:
        return len(self._events)

    def counts(self) -> dict[str, int]:
        """Events per ``<entity kind>.<change kind>``."""
        out: dict[str, int] = {}
        for (entity, _), event in self._events.items():
            key = f"{entity.value}.{event.kind.value}"
            out[key] = out.get(key, 0) + 1
        return out

    def _event(self, entity: EntityKind, entity_id: str, kind: ChangeKind) -> _Event:
        event = self._events.get((entity, entity_id))
        if event is None:
            event = self._events[(entity, entity_id)] = _Event(kind)
        elif kind is not ChangeKind.UPDATED:
            event.kind = kind  # created / ended / merged say more than updated
        return event

    def change(
        self,
        entity: EntityKind,
        entity_id: str,
        kind: ChangeKind,
        values: Mapping[str, tuple[object, object]],
        provenance: Mapping[str, Mapping[str, Any]] | None = None,
        version: int | None = None,
    ) -> None:
        """Record ``values`` (field -> (old, new)) as changed on one entity; ``provenance``
        (field -> where the new value came from) holds JSON-ready values."""
        event = self._event(entity, entity_id, kind)
        changes = event.changes
        for name, (old, new) in values.items():
            earlier = changes.get(name)
            first = earlier["old"] if earlier is not None else plain(old)
            changes[name] = {"old": first, "new": plain(new)}
        if provenance:  # values already plain (the publishing steps make them so)
            for name in values:
                where = provenance.get(name)
                if where is not None:
                    event.provenance[name] = dict(where)
        if version is not None:
            event.version = version

    def write(self, session: Session, publication_id: int | None, actor: str | None) -> int:
        """Insert the events, in entity order, under the feed lock; returns how many.

        Call it after the publication's entities are written: each event takes the grid its
        entity has then.
        """
        if not self._events:
            return 0
        hold_feed_lock(session)
        after = session.scalar(select(func.max(ChangeEvent.seq))) or 0
        at = dt.datetime.now(dt.UTC)
        rows: Iterable[tuple[Any, ...]] = (
            (entity, entity_id, event.kind.value, event.version, event.changes,
             event.provenance, actor, publication_id, at, _grid_before(event))
            for (entity, entity_id), event in sorted(
                self._events.items(), key=lambda item: (item[0][0].value, item[0][1])
            )
        )  # fmt: skip
        written = insert_rows(session, CHANGE_EVENT_TABLE, EVENT_COLUMNS, rows)
        for kind, model in ((EntityKind.PERSON, Person), (EntityKind.HOUSE, House)):
            grid = select(model.grid_code).where(model.id == ChangeEvent.entity_id)
            session.execute(
                update(ChangeEvent)
                .where(ChangeEvent.seq > after, ChangeEvent.entity_kind == kind.value)
                .values(grid_code=grid.scalar_subquery())
                .execution_options(synchronize_session=False)
            )
        return written


def _grid_before(event: _Event) -> str | None:
    """The grid an entity left, when the event moved it to another."""
    moved = event.changes.get("grid_code")
    old = None if moved is None else moved.get("old")
    return str(old) if old is not None else None
