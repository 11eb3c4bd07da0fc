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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from hub.storage.bulk import BATCH, insert_rows
from hub.storage.frames import isin
from hub.storage.jsoncodec import dumps
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


#: Provenance columns a created entity's event names (``recorded_by`` only where set).
WHERE_COLUMNS = ("entity_id", "field", "dataset", "record_id", "valid_from", "rule",
                 "recorded_by")  # fmt: skip


#: Provenance columns with few distinct values (fields, datasets, rules, snapshot dates).
_FEW_VALUES = ("field", "dataset", "valid_from", "rule", "recorded_by")


@dataclass(slots=True)
class _Created:
    """Entities created by a publication, kept as the rows written, not as one event each:
    their events (every value they start with) are built and encoded a batch at a time, when
    the log is written."""

    rows: pd.DataFrame  # id and the entity's columns, sorted by id, missing values None
    provenance: pd.DataFrame  # WHERE_COLUMNS, sorted by entity id (no rows: none named)
    source_of: Mapping[str, str]  # a column whose provenance is another field's
    version: int
    ids: set[str]


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
        self._created: dict[EntityKind, _Created] = {}

    def __len__(self) -> int:
        also = sum(1 for entity, entity_id in self._events if self._is_created(entity, entity_id))
        return len(self._events) + sum(len(c.ids) for c in self._created.values()) - also

    def counts(self) -> dict[str, int]:
        """Events per ``<entity kind>.<change kind>``."""
        out: dict[str, int] = {}
        for entity, created in self._created.items():
            out[f"{entity.value}.{ChangeKind.CREATED.value}"] = len(created.ids)
        for (entity, entity_id), event in self._events.items():
            kind = event.kind
            if self._is_created(entity, entity_id):
                if kind is ChangeKind.UPDATED:
                    continue  # the created event it joins is counted
                out[f"{entity.value}.{ChangeKind.CREATED.value}"] -= 1
            key = f"{entity.value}.{kind.value}"
            out[key] = out.get(key, 0) + 1
        return out

    def _is_created(self, entity: EntityKind, entity_id: str) -> bool:
        created = self._created.get(entity)
        return created is not None and entity_id in created.ids

    def created(
        self,
        entity: EntityKind,
        rows: pd.DataFrame,
        provenance: pd.DataFrame | None = None,
        *,
        source_of: Mapping[str, str] | None = None,
        version: int = 1,
    ) -> None:
        """Record the entities of ``rows`` (``id`` and their columns, missing values None) as
        created with every value they have: the event :meth:`change` would record for each,
        with ``provenance`` (:data:`WHERE_COLUMNS`) naming where a column's value came from
        (the ``source_of`` field's, for a derived column). Once per entity kind, before any
        other change to these entities."""
        if entity in self._created:
            raise ValueError(f"created {entity.value} entities are recorded once per log")
        ids = set(rows["id"])
        if any(self._is_created(e, i) or (e is entity and i in ids) for e, i in self._events):
            raise ValueError("an entity's creation is recorded before its other changes")
        ordered = rows.sort_values("id", ignore_index=True) if len(rows) else rows
        if provenance is None or not len(provenance):
            where = pd.DataFrame({c: pd.Series(dtype=object) for c in WHERE_COLUMNS})
        else:
            where = provenance.loc[isin(provenance["entity_id"], ids), list(WHERE_COLUMNS)]
            where = where.sort_values("entity_id", kind="stable", ignore_index=True)
            # Kept until the log is written: the columns of few distinct values as codes.
            where = where.astype({c: "category" for c in _FEW_VALUES})
        self._created[entity] = _Created(ordered, where, dict(source_of or {}), version, ids)

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
        if not self._events and not self._created:
            return 0
        hold_feed_lock(session)
        after = session.scalar(select(func.max(ChangeEvent.seq))) or 0
        at = dt.datetime.now(dt.UTC)
        rows = (
            (entity, entity_id, kind.value, version, dumps(changes), dumps(provenance), actor,
             publication_id, at, _grid_before(changes))
            for entity, entity_id, kind, version, changes, provenance in self._ordered()
        )  # fmt: skip
        written = insert_rows(session, CHANGE_EVENT_TABLE, EVENT_COLUMNS, rows,
                              json_text=("changes", "provenance"))  # fmt: skip
        for kind, model in ((EntityKind.PERSON, Person), (EntityKind.HOUSE, House)):
            grid = select(model.grid_code).where(model.id == ChangeEvent.entity_id)
            session.execute(
                update(ChangeEvent)
                .where(ChangeEvent.seq > after, ChangeEvent.entity_kind == kind.value)
                .values(grid_code=grid.scalar_subquery())
                .execution_options(synchronize_session=False)
            )
        return written

    def _ordered(self) -> Iterator[tuple[EntityKind, str, ChangeKind, int | None, Any, Any]]:
        """Every event in (entity kind, entity id) order: a created entity's built from its
        row, with what later changes added to it."""
        explicit = sorted(self._events.items(), key=lambda item: (item[0][0].value, item[0][1]))
        created = sorted(self._created.items(), key=lambda item: item[0].value)
        pending = iter(explicit)
        after = next(pending, None)
        for entity, batch in created:
            for entity_id, changes, provenance in _created_events(batch):
                while after is not None and (after[0][0].value, after[0][1]) < (
                    entity.value, entity_id,
                ):  # fmt: skip
                    yield _explicit(after)
                    after = next(pending, None)
                if after is not None and after[0] == (entity, entity_id):
                    event = after[1]
                    yield (entity, entity_id, *_joined(event, batch.version, changes, provenance))
                    after = next(pending, None)
                else:
                    yield entity, entity_id, ChangeKind.CREATED, batch.version, changes, provenance
        while after is not None:
            yield _explicit(after)
            after = next(pending, None)


def _explicit(
    item: tuple[tuple[EntityKind, str], _Event],
) -> tuple[EntityKind, str, ChangeKind, int | None, Any, Any]:
    (entity, entity_id), event = item
    return entity, entity_id, event.kind, event.version, event.changes, event.provenance


def _joined(
    later: _Event, version: int, changes: dict[str, Any], provenance: dict[str, Any]
) -> tuple[ChangeKind, int | None, Any, Any]:
    """A created entity's event with the changes recorded after its creation (as
    :meth:`ChangeLog.change` would have merged them)."""
    for name, change in later.changes.items():
        earlier = changes.get(name)
        changes[name] = change if earlier is None else {"old": earlier["old"], "new": change["new"]}
    provenance.update(later.provenance)
    kind = ChangeKind.CREATED if later.kind is ChangeKind.UPDATED else later.kind
    return kind, later.version if later.version is not None else version, changes, provenance


def _created_events(
    batch: _Created,
) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(id, changes, provenance) of each created entity, in id order, built a batch of rows
    at a time."""
    rows, where = batch.rows, batch.provenance
    names = [c for c in rows.columns if c != "id"]
    owners = where["entity_id"].to_numpy(dtype=object)
    for start in range(0, len(rows), BATCH):
        part = rows.iloc[start : start + BATCH]
        ids = part["id"].tolist()
        columns = [part[name].tolist() for name in names]
        low = int(np.searchsorted(owners, ids[0], side="left"))
        high = int(np.searchsorted(owners, ids[-1], side="right"))
        named: dict[str, dict[str, dict[str, Any]]] = {}
        if high > low:
            found = where.iloc[low:high]
            for e, f, d, r, s, rule, by in zip(
                *(found[c].tolist() for c in WHERE_COLUMNS), strict=True
            ):
                named.setdefault(e, {})[f] = {
                    "dataset": d, "record_id": r, "snapshot_date": plain(s), "rule": rule,
                    **({"recorded_by": by} if isinstance(by, str) else {}),
                }  # fmt: skip
        for n, entity_id in enumerate(ids):
            changes = {
                name: {"old": None, "new": plain(column[n])}
                for name, column in zip(names, columns, strict=True)
                if column[n] is not None
            }
            fields = named.get(entity_id, {})
            provenance = {}
            for name in changes:
                found_where = fields.get(batch.source_of.get(name, name))
                if found_where is not None:
                    provenance[name] = dict(found_where)
            yield entity_id, changes, provenance


def _grid_before(changes: dict[str, Any]) -> str | None:
    """The grid an entity left, when the event moved it to another."""
    moved = changes.get("grid_code")
    old = None if moved is None else moved.get("old")
    return str(old) if old is not None else None
