"""DataLoaders for every relation the schema follows, one batched query per relation.

Each loader wraps a plain function ``(session, keys) -> values`` (same order as ``keys``), so
a page of persons with their houses, grids, tags and facts costs one query per relation
whatever its size. :class:`Loaders` is built per request by the context.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, and_, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session
from strawberry.dataloader import DataLoader

from hub.storage.models import (
    Benefit,
    CitizenReport,
    Delivery,
    EntityKind,
    EntityRedirect,
    EntityStatus,
    Grid,
    HealthGroup,
    House,
    PartyMembership,
    Person,
    PersonTag,
    Provenance,
    QualityResult,
    RecordLink,
    ReportStep,
    SourceRecord,
    StewardDecision,
    Vaccination,
)
from schema.grids import rollups

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

#: Keys per batch: far below SQLite's bound-parameter limit, far above a page (100).
MAX_BATCH = 1000


class Db(Protocol):
    """How loaders reach the database: :meth:`schema.context.Context.db`."""

    def __call__(self, work: Callable[[Session], T]) -> Awaitable[T]: ...


def _loader(db: Db, fetch: Callable[[Session, list[K]], list[V]]) -> DataLoader[K, V]:
    async def load(keys: list[K]) -> list[V]:
        return await db(lambda session: fetch(session, list(keys)))

    return DataLoader(load_fn=load, max_batch_size=MAX_BATCH)


def _one(
    stmt: Select[Any], key: InstrumentedAttribute[Any]
) -> Callable[[Session, list[K]], list[Any]]:
    """Fetch one row per key (``None`` when missing)."""

    def fetch(session: Session, keys: list[K]) -> list[Any]:
        found = {getattr(row, key.key): row for row in session.scalars(stmt.where(key.in_(keys)))}
        return [found.get(k) for k in keys]

    return fetch


def _many(
    stmt: Select[Any], key: InstrumentedAttribute[Any]
) -> Callable[[Session, list[K]], list[list[Any]]]:
    """Fetch every row per key, in the statement's order (an empty list when none)."""

    def fetch(session: Session, keys: list[K]) -> list[list[Any]]:
        grouped: dict[Any, list[Any]] = defaultdict(list)
        for row in session.scalars(stmt.where(key.in_(keys))):
            grouped[getattr(row, key.key)].append(row)
        return [grouped.get(k, []) for k in keys]

    return fetch


def _redirects(session: Session, ids: list[str]) -> list[str | None]:
    stmt = select(EntityRedirect.old_id, EntityRedirect.new_id).where(
        EntityRedirect.old_id.in_(ids)
    )
    found = {old: new for old, new in session.execute(stmt)}
    return [found.get(i) for i in ids]


def _tags(session: Session, ids: list[str]) -> list[list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    rows = session.execute(
        select(PersonTag.person_id, PersonTag.tag)
        .where(PersonTag.person_id.in_(ids))
        .order_by(PersonTag.tag)
    )
    for person_id, tag in rows:
        grouped[person_id].append(tag)
    return [grouped.get(i, []) for i in ids]


def _source_records(
    session: Session, ids: list[str]
) -> list[list[tuple[RecordLink, SourceRecord]]]:
    rows = session.execute(
        select(RecordLink, SourceRecord)
        .join(
            SourceRecord,
            (SourceRecord.dataset == RecordLink.dataset)
            & (SourceRecord.record_id == RecordLink.record_id),
        )
        .where(RecordLink.kind == EntityKind.PERSON, RecordLink.entity_id.in_(ids))
        .order_by(RecordLink.dataset, RecordLink.record_id, SourceRecord.valid_from.desc())
    )
    grouped: dict[str, list[tuple[RecordLink, SourceRecord]]] = defaultdict(list)
    for link, record in rows:
        grouped[link.entity_id].append((link, record))
    return [grouped.get(i, []) for i in ids]


def _current_records(
    session: Session, uids: list[str]
) -> list[tuple[SourceRecord, RecordLink | None] | None]:
    keys = sorted({tuple(u.split(":", 1)) for u in uids if ":" in u})
    if not keys:
        return [None for _ in uids]
    link = and_(RecordLink.kind == EntityKind.PERSON, RecordLink.dataset == SourceRecord.dataset,
                RecordLink.record_id == SourceRecord.record_id)  # fmt: skip
    rows = session.execute(
        select(SourceRecord, RecordLink)
        .outerjoin(RecordLink, link)
        .where(tuple_(SourceRecord.dataset, SourceRecord.record_id).in_(keys),
               SourceRecord.valid_to.is_(None))
    )  # fmt: skip
    found = {f"{r.dataset}:{r.record_id}": (r, k) for r, k in rows}
    return [found.get(u) for u in uids]


def _facts(model: Any) -> Callable[[Session, list[str]], list[list[Any]]]:
    return _many(select(model).order_by(model.valid_from.desc(), model.id), model.person_id)


_active_persons = select(Person).where(Person.status == EntityStatus.ACTIVE).order_by(Person.id)


class Loaders:
    """One DataLoader per relation, for one request (``today`` dates overdue reports)."""

    def __init__(self, db: Db, today: dt.date | None = None) -> None:
        on = today or dt.date.today()
        self.person: DataLoader[str, Person | None] = _loader(db, _one(select(Person), Person.id))
        self.redirect: DataLoader[str, str | None] = _loader(db, _redirects)
        self.house: DataLoader[str, House | None] = _loader(db, _one(select(House), House.id))
        self.grid: DataLoader[str, Grid | None] = _loader(db, _one(select(Grid), Grid.code))
        self.tags: DataLoader[str, list[str]] = _loader(db, _tags)
        self.benefits: DataLoader[str, list[Benefit]] = _loader(db, _facts(Benefit))
        self.vaccinations: DataLoader[str, list[Vaccination]] = _loader(db, _facts(Vaccination))
        self.health_groups: DataLoader[str, list[HealthGroup]] = _loader(db, _facts(HealthGroup))
        self.party: DataLoader[str, list[PartyMembership]] = _loader(db, _facts(PartyMembership))
        self.reports: DataLoader[str, list[CitizenReport]] = _loader(
            db,
            _many(
                select(CitizenReport).order_by(CitizenReport.reported_at.desc(), CitizenReport.id),
                CitizenReport.person_id,
            ),
        )
        self.household: DataLoader[str, list[Person]] = _loader(
            db, _many(_active_persons, Person.household_no)
        )
        self.residents: DataLoader[str, list[Person]] = _loader(
            db, _many(_active_persons, Person.house_id)
        )
        self.children: DataLoader[str, list[Grid]] = _loader(
            db,
            _many(
                select(Grid).where(Grid.ended_on.is_(None)).order_by(Grid.code), Grid.parent_code
            ),
        )
        self.provenance: DataLoader[str, list[Provenance]] = _loader(
            db,
            _many(
                select(Provenance)
                .where(Provenance.entity_kind == EntityKind.PERSON)
                .order_by(Provenance.field),
                Provenance.entity_id,
            ),
        )
        self.source_records: DataLoader[str, list[tuple[RecordLink, SourceRecord]]] = _loader(
            db, _source_records
        )
        self.current_record: DataLoader[str, tuple[SourceRecord, RecordLink | None] | None] = (
            _loader(db, _current_records)
        )
        self.decision: DataLoader[int, StewardDecision | None] = _loader(
            db, _one(select(StewardDecision), StewardDecision.id)
        )
        self.delivery: DataLoader[int, Delivery | None] = _loader(
            db, _one(select(Delivery), Delivery.id)
        )
        self.quality_results: DataLoader[int, list[QualityResult]] = _loader(
            db, _many(select(QualityResult).order_by(QualityResult.id), QualityResult.run_id)
        )
        self.resident_count: DataLoader[str, int] = _loader(db, rollups.resident_counts)
        self.house_count: DataLoader[str, int] = _loader(db, rollups.house_counts)
        self.tag_counts: DataLoader[str, dict[str, int]] = _loader(db, rollups.tag_counts)
        self.report_counts: DataLoader[str, tuple[int, int]] = _loader(
            db, lambda s, codes: rollups.report_counts(s, codes, on)
        )
        self.report_steps: DataLoader[int, list[ReportStep]] = _loader(
            db, _many(select(ReportStep).order_by(ReportStep.at, ReportStep.id),
                      ReportStep.report_id),
        )  # fmt: skip


__all__ = ["Db", "Loaders"]
