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

from sqlalchemy import BindParameter, Select, and_, bindparam, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from strawberry.dataloader import DataLoader

from hub.storage.bulk import record_batches, split_uid
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
#: The keys of a batch, one expanding parameter: each statement is built once, at import.
_KEYS: BindParameter[Any] = bindparam("keys", expanding=True)


R = TypeVar("R")


def now_or_later(loader: DataLoader[K, V], key: K, then: Callable[[V], R]) -> R | Awaitable[R]:
    """``then`` of what ``loader`` holds for ``key``: at once when it is loaded already, else
    an awaitable of it once loaded.

    A resolver that returns a value rather than a coroutine costs GraphQL no task: a page of
    100 persons whose houses and tags its query loaded in one batch each resolves them
    without 300 tasks on the event loop (about a third of a grid page's CPU).
    """
    future = loader.cache_map.get(key)
    loaded = future is not None and future.done() and not future.cancelled()
    if loaded and future is not None and future.exception() is None:
        return then(future.result())

    async def later() -> R:
        return then(await loader.load(key))

    return later()


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
    keyed = stmt.where(key.in_(_KEYS))

    def fetch(session: Session, keys: list[K]) -> list[Any]:
        found = {getattr(row, key.key): row for row in session.scalars(keyed, {"keys": keys})}
        return [found.get(k) for k in keys]

    return fetch


def _many(
    stmt: Select[Any], key: InstrumentedAttribute[Any]
) -> Callable[[Session, list[K]], list[list[Any]]]:
    """Fetch every row per key, in the statement's order (an empty list when none)."""
    keyed = stmt.where(key.in_(_KEYS))

    def fetch(session: Session, keys: list[K]) -> list[list[Any]]:
        grouped: dict[Any, list[Any]] = defaultdict(list)
        for row in session.scalars(keyed, {"keys": keys}):
            grouped[getattr(row, key.key)].append(row)
        return [grouped.get(k, []) for k in keys]

    return fetch


_REDIRECTS = select(EntityRedirect.old_id, EntityRedirect.new_id).where(
    EntityRedirect.old_id.in_(_KEYS)
)


def _redirects(session: Session, ids: list[str]) -> list[str | None]:
    found = {old: new for old, new in session.execute(_REDIRECTS, {"keys": ids})}
    return [found.get(i) for i in ids]


_TAGS = (
    select(PersonTag.person_id, PersonTag.tag)
    .where(PersonTag.person_id.in_(_KEYS))
    .order_by(PersonTag.tag)
)


def _tags(session: Session, ids: list[str]) -> list[list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    rows = session.execute(_TAGS, {"keys": ids})
    for person_id, tag in rows:
        grouped[person_id].append(tag)
    return [grouped.get(i, []) for i in ids]


# Unordered: with ``ORDER BY dataset, record_id`` SQLite walks the (kind, dataset, record_id)
# index through every person's links (50 ms at 50,000 residents) instead of looking the
# persons up in (kind, entity_id); a person's few versions are sorted here instead.
_SOURCE_RECORDS = (
    select(RecordLink, SourceRecord)
    .join(
        SourceRecord,
        (SourceRecord.dataset == RecordLink.dataset)
        & (SourceRecord.record_id == RecordLink.record_id),
    )
    .where(RecordLink.kind == EntityKind.PERSON, RecordLink.entity_id.in_(_KEYS))
)


def _by_record_newest_first(pair: tuple[RecordLink, SourceRecord]) -> tuple[str, str, int]:
    link, record = pair
    return link.dataset, link.record_id, -record.valid_from.toordinal()


def _source_records(
    session: Session, ids: list[str]
) -> list[list[tuple[RecordLink, SourceRecord]]]:
    rows = session.execute(_SOURCE_RECORDS, {"keys": ids})
    grouped: dict[str, list[tuple[RecordLink, SourceRecord]]] = defaultdict(list)
    for link, record in rows:
        grouped[link.entity_id].append((link, record))
    return [sorted(grouped.get(i, ()), key=_by_record_newest_first) for i in ids]


def _current_records(
    session: Session, uids: list[str]
) -> list[tuple[SourceRecord, RecordLink | None] | None]:
    link = and_(RecordLink.kind == EntityKind.PERSON, RecordLink.dataset == SourceRecord.dataset,
                RecordLink.record_id == SourceRecord.record_id)  # fmt: skip
    found: dict[str, tuple[SourceRecord, RecordLink | None]] = {}
    for dataset, ids in record_batches(split_uid(u) for u in uids if ":" in u):
        rows = session.execute(
            select(SourceRecord, RecordLink)
            .outerjoin(RecordLink, link)
            .where(SourceRecord.dataset == dataset, SourceRecord.valid_to.is_(None),
                   SourceRecord.record_id.in_(ids))
        )  # fmt: skip
        found.update({f"{r.dataset}:{r.record_id}": (r, k) for r, k in rows})
    return [found.get(u) for u in uids]


def _facts(model: Any) -> Callable[[Session, list[str]], list[list[Any]]]:
    return _many(select(model).order_by(model.valid_from.desc(), model.id), model.person_id)


_active_persons = select(Person).where(Person.status == EntityStatus.ACTIVE).order_by(Person.id)

# The fetch functions and their statements, built once: a request only makes the loaders.
_person = _one(select(Person), Person.id)
_house = _one(select(House), House.id)
_grid = _one(select(Grid), Grid.code)
_benefits = _facts(Benefit)
_vaccinations = _facts(Vaccination)
_health_groups = _facts(HealthGroup)
_party = _facts(PartyMembership)
_reports = _many(
    select(CitizenReport).order_by(CitizenReport.reported_at.desc(), CitizenReport.id),
    CitizenReport.person_id,
)
_household = _many(_active_persons, Person.household_no)
_residents = _many(_active_persons, Person.house_id)
_children = _many(select(Grid).where(Grid.ended_on.is_(None)).order_by(Grid.code), Grid.parent_code)
_provenance = _many(
    select(Provenance)
    .where(Provenance.entity_kind == EntityKind.PERSON)
    .order_by(Provenance.field),
    Provenance.entity_id,
)
_delivery = _one(select(Delivery), Delivery.id)
_decision = _one(select(StewardDecision), StewardDecision.id)
_quality_results = _many(select(QualityResult).order_by(QualityResult.id), QualityResult.run_id)


class Loaders:
    """One DataLoader per relation, for one request (``today`` dates overdue reports)."""

    def __init__(self, db: Db, today: dt.date | None = None) -> None:
        on = today or dt.date.today()
        self.person: DataLoader[str, Person | None] = _loader(db, _person)
        self.redirect: DataLoader[str, str | None] = _loader(db, _redirects)
        self.house: DataLoader[str, House | None] = _loader(db, _house)
        self.grid: DataLoader[str, Grid | None] = _loader(db, _grid)
        self.tags: DataLoader[str, list[str]] = _loader(db, _tags)
        self.benefits: DataLoader[str, list[Benefit]] = _loader(db, _benefits)
        self.vaccinations: DataLoader[str, list[Vaccination]] = _loader(db, _vaccinations)
        self.health_groups: DataLoader[str, list[HealthGroup]] = _loader(db, _health_groups)
        self.party: DataLoader[str, list[PartyMembership]] = _loader(db, _party)
        self.reports: DataLoader[str, list[CitizenReport]] = _loader(db, _reports)
        self.household: DataLoader[str, list[Person]] = _loader(db, _household)
        self.residents: DataLoader[str, list[Person]] = _loader(db, _residents)
        self.children: DataLoader[str, list[Grid]] = _loader(db, _children)
        self.provenance: DataLoader[str, list[Provenance]] = _loader(db, _provenance)
        self.source_records: DataLoader[str, list[tuple[RecordLink, SourceRecord]]] = _loader(
            db, _source_records
        )
        self.delivery: DataLoader[int, Delivery | None] = _loader(db, _delivery)
        self.quality_results: DataLoader[int, list[QualityResult]] = _loader(db, _quality_results)
        self.current_record: DataLoader[str, tuple[SourceRecord, RecordLink | None] | None] = (
            _loader(db, _current_records)
        )
        self.decision: DataLoader[int, StewardDecision | None] = _loader(db, _decision)
        self.resident_count: DataLoader[str, int] = _loader(db, rollups.resident_counts)
        self.resident_ids: DataLoader[str, list[str]] = _loader(db, rollups.resident_ids)
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
