"""``hub resolve``: link records to houses and persons, keep ids stable, publish golden
records with provenance, tags and department facts, in the caller's transaction.

A run is *incremental* when an earlier run with the same model and survivorship rules left
its links and scored pairs: only records that are new or changed since then are scored
against everyone, and only the components they touch (:mod:`hub.resolution.scope`) are
clustered, named and rebuilt; every other person stays as it was published. What changed is
written, with one change-feed event per entity (:mod:`hub.resolution.changes`). A full run
resolves every record; both end in the same published state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.reports.publish import publish_reports
from hub.resolution import publish
from hub.resolution.assertions import combined, entry_constraints
from hub.resolution.backends import MatchBackend
from hub.resolution.changes import ChangeLog
from hub.resolution.decisions import load_constraints
from hub.resolution.fact_tables import replace_fact_tables
from hub.resolution.facts import FACT_FIELDS, load_facts
from hub.resolution.golden import build_persons
from hub.resolution.houses import link_houses, load_standard_addresses
from hub.resolution.ids import assign_ids, resolve_redirect
from hub.resolution.neighbourhood import (
    Neighbourhood,
    gone_links,
    name_counts,
    name_total,
    person_changes,
    unlinked,
)
from hub.resolution.persons import (
    EDGE_COLUMNS,
    Constraints,
    PersonLinks,
    PersonModel,
    cluster_profiles,
    load_model,
    score_profiles,
)
from hub.resolution.records import (
    ADDRESS_DATASETS,
    PERSON_DATASETS,
    identity_profiles,
    load_address_parts,
    load_person_records_for_linkage,
)
from hub.resolution.scope import Changes, affected_records
from hub.resolution.survivorship import RULES_PATH, load_rules
from hub.sources import catalog
from hub.storage.bulk import refresh_statistics
from hub.storage.frames import isin, read_frame
from hub.storage.indexes import create_missing_indexes
from hub.storage.models import (
    EntityKind,
    EntityRedirect,
    EntityStatus,
    GridBuilding,
    House,
    Person,
    Publication,
    PublicationStatus,
    RecordLink,
    ResolutionRun,
    SourceRecord,
)
from hub.storage.session import page_cache

#: Pairs below this probability are not kept between runs (nor used by clustering).
PAIR_FLOOR = 0.01
#: SQLite page cache while the result is written (see ``page_cache``): a county publication
#: writes about a gigabyte of pages, which spill to the WAL and back with the 2 MiB default.
PAGE_CACHE_MIB = 512


@dataclass(slots=True)
class ResolutionReport:
    run_id: int
    kind: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


Progress = Callable[[str], None]


def resolve(
    session: Session,
    *,
    full: bool = False,
    model: PersonModel | None = None,
    progress: Progress | None = None,
    actor: str | None = None,
    backend: MatchBackend | None = None,
) -> ResolutionReport:
    """Resolve the current source records and publish the result (caller commits).

    ``actor`` names who the change feed says made the changes (a pipeline run by default);
    Splink scores on ``backend`` (DuckDB in this process unless configured otherwise).
    """
    say = progress or (lambda _: None)
    clock = _Clock()
    model = model or load_model()
    rules = load_rules()
    settings = settings_hash(model)
    run = ResolutionRun(kind="full", model_version=model.version, settings_hash=settings,
                        counts={})  # fmt: skip
    _one_at_a_time(session, run)
    create_missing_indexes(session, SourceRecord.__table__)  # deferred by a first load
    previous_run = session.scalars(
        select(ResolutionRun)
        .where(ResolutionRun.finished_at.is_not(None), ResolutionRun.id != run.id)
        .order_by(ResolutionRun.id.desc())
        .limit(1)
    ).first()
    incremental = not full and previous_run is not None and previous_run.settings_hash == settings
    # The date the departments' newest snapshot describes (an entry does not move it).
    delivered = SourceRecord.dataset != catalog.ENTRIES_KEY
    as_of = session.scalar(select(func.max(SourceRecord.valid_from)).where(delivered))
    run.as_of = as_of or dt.date.today()
    run.kind = "incremental" if incremental else "full"
    as_of = run.as_of
    report = ResolutionReport(run.id, run.kind)

    say("houses: linking addresses to the standard address table")
    standard = load_standard_addresses(session)
    grid_of_building = dict(session.execute(select(GridBuilding.building_code,
                                                   GridBuilding.grid_code)).all())  # fmt: skip
    houses = _house_rows(standard, grid_of_building)
    # With the standard addresses as the last run linked them, a record's house link can
    # change only with the record or its person: the run links those alone, after clustering.
    scoped_houses = incremental and not _standard_changed(session)
    raw_house_links = None if scoped_houses else _link_addresses(session, standard)
    clock.lap(report, "houses")

    say("persons: scoring candidate pairs")
    redirects = dict(session.execute(select(EntityRedirect.old_id, EntityRedirect.new_id)).all())
    if incremental:
        work = _neighbourhood(session, model, backend, redirects, standard, houses,
                              raw_house_links)  # fmt: skip
        assert work.changes is not None
        report.counts["records_rescored"] = len(work.changes.changed)
        report.counts["records_read"] = len(work.records)
    else:
        work = _everything(session, model, backend, redirects)
    records, prof, pairs, fresh = work.records, work.prof, work.pairs, work.fresh
    changes, constraints, previous_entity = work.changes, work.constraints, work.previous_entity
    previous_of = work.previous_of
    clock.lap(report, "score")

    say("persons: clustering under steward constraints")
    sub = prof[work.affected].reset_index(drop=True)
    links = cluster_profiles(sub, pairs, constraints, model) if len(sub) else _no_links()
    ids = assign_ids(links.cluster_of, {u: previous_of[u] for u in sub["uid"] if u in previous_of},
                     redirects, prefix="P")  # fmt: skip
    entity_of = {**previous_of, **ids.entity_of}
    edges, sub_uids, pair_count = links.edges, set(sub["uid"]), len(pairs)
    del prof, sub, links, pairs, work
    house_scope: set[str] | None = None
    if raw_house_links is None:  # the records of re-resolved persons, and new door plates
        relink = {u for u in sub_uids if u.split(":", 1)[0] in ADDRESS_DATASETS}
        # Door plates and standard addresses without a link from their current version.
        relink |= unlinked(session, EntityKind.HOUSE, (catalog.ADDRESSES.key,
                                                        catalog.DOOR_PLATES.key))  # fmt: skip
        raw_house_links = _link_addresses(session, standard, relink)
        house_scope = relink | gone_links(session, EntityKind.HOUSE)
    del standard
    clock.lap(report, "cluster")

    say("golden records: survivorship, provenance, tags")
    house_links = refine_by_person(raw_house_links, entity_of)
    del raw_house_links
    house_of = _house_of(house_links)
    record_count = _count_records(session) if changes is not None else len(records)
    resolved = records[isin(records["uid"], sub_uids)]
    del records
    wanted = None if changes is None else resolved.groupby("dataset")["record_id"].agg(list)
    facts = {
        dataset: load_facts(session, dataset,
                            None if wanted is None else wanted.get(dataset, []))
        for dataset in FACT_FIELDS
    }  # fmt: skip
    golden = build_persons(
        resolved, ids.entity_of, house_of, facts[catalog.POPULATION.key], facts, rules,
        as_of=as_of, grid_of_house=dict(zip(houses["id"], houses["grid_code"], strict=True)),
    )  # fmt: skip
    del facts, house_of, wanted
    clock.lap(report, "golden")

    say("publishing")
    now = dt.datetime.now(dt.UTC)
    with page_cache(session, PAGE_CACHE_MIB):
        log = ChangeLog()
        publication = _open_publication(session)
        house_counts = publish.sync_entities(session, House, houses, log, now)
        gone = set() if changes is None else set(changes.gone)
        link_scope = None if changes is None else sub_uids | gone
        person_scope = (
            None if link_scope is None
            else {previous_entity[u] for u in link_scope if u in previous_entity.index}
        )  # fmt: skip
        person_counts = publish.sync_entities(
            session, Person, golden.persons, log, now, scope=person_scope, merged=ids.merged,
            provenance=golden.provenance,
        )  # fmt: skip
        live = set(golden.persons["id"])
        publish.replace_provenance(session, golden, person_scope, publication.id)
        own_tags = golden.tags
        del golden  # the provenance (millions of rows in a county) is written
        publish.write_redirects(session, EntityKind.PERSON, ids.merged, live)
        person_links = _person_links(resolved, ids.entity_of, edges)
        del resolved
        publish.sync_links(session, EntityKind.PERSON, person_links, run.id, scope=link_scope)
        del person_links
        publish.sync_links(session, EntityKind.HOUSE, _house_link_rows(house_links), run.id,
                           scope=house_scope)  # fmt: skip
        # Tags, facts and reports join what was just written: planned for its real size.
        refresh_statistics(session, [t.__table__ for t in (Person, House, RecordLink)])
        tag_scope = None if person_scope is None else person_scope | live
        tag_counts = publish.sync_tags(session, own_tags, tag_scope, as_of, log)
        replace_fact_tables(session, link_scope)
        publish_reports(session, now)  # citizen reports: placed, linked to reporters, steps kept
        touching = None if changes is None else {*changes.changed, *changes.gone}
        publish.store_pairs(session, fresh, run.id, touching=touching)
        log.write(session, publication.id, actor)
    clock.lap(report, "publish")

    active = Person.status == EntityStatus.ACTIVE
    report.counts.update(
        records=record_count, records_resolved=len(sub_uids), persons=_count(session, active),
        persons_resolved=len(live), persons_new=person_counts.new,
        persons_updated=person_counts.updated, persons_ended=person_counts.ended,
        persons_merged=len(ids.merged), houses=len(houses), houses_new=house_counts.new,
        houses_updated=house_counts.updated, houses_ended=house_counts.ended, pairs=pair_count,
        changes=len(log), **tag_counts,
    )  # fmt: skip
    for name, count in log.counts().items():
        report.counts[f"changes.{name}"] = count
    for rule, count in edges["rule"].value_counts().items():
        report.counts[f"edges.{rule}"] = int(count)
    for precision, count in house_links["precision"].value_counts().items():
        report.counts[f"house_links.{precision}"] = int(count)
    run.counts = dict(report.counts)
    run.finished_at = dt.datetime.now(dt.UTC)
    publication.counts = dict(report.counts)
    _make_current(session, publication)
    return report


#: The PostgreSQL advisory lock that lets one resolution run at a time.
RESOLUTION_LOCK = 0x48554252  # "HUBR"


def _one_at_a_time(session: Session, run: ResolutionRun) -> None:
    """Wait until no other resolution is writing, then start ``run``.

    Two runs at once (the pipeline and a grid worker's entry, two entries) would each rebuild
    from what the other has not committed. PostgreSQL: a transaction-level advisory lock.
    SQLite: writing the run's row takes the database's write lock before anything is read.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(RESOLUTION_LOCK)))
    session.add(run)
    session.flush()


def settings_hash(model: PersonModel) -> str:
    """What a run's results depend on besides the data: the model and the survivorship rules.
    A run whose settings differ from the previous run's resolves everything again."""
    digest = hashlib.sha256(model.version.encode("utf-8"))
    digest.update(str(model.match_probability).encode() + str(model.ambiguity_margin).encode())
    digest.update(RULES_PATH.read_bytes())
    return digest.hexdigest()[:16]


def _no_links() -> PersonLinks:
    """What clustering gives when no record needs resolving."""
    edges = pd.DataFrame({c: pd.Series(dtype=object) for c in EDGE_COLUMNS})
    return PersonLinks(cluster_of={}, edges=edges, pairs=pd.DataFrame())


def _floor(pairs: pd.DataFrame) -> pd.DataFrame:
    kept = pairs[pairs["match_probability"] >= PAIR_FLOOR]
    return kept.drop_duplicates(["uid_l", "uid_r"], keep="last").reset_index(drop=True)


def _decided(constraints: Constraints) -> set[str]:
    """Records named by steward decisions: re-resolved by every run (they are few)."""
    return {u for pair in (*constraints.must_link, *constraints.cannot_link) for u in pair}


@dataclass(slots=True)
class _Work:
    """What scoring leaves for clustering: the records read (all of them, or an incremental
    run's neighbourhood), their profiles, the pairs, and the last run's links."""

    records: pd.DataFrame
    prof: pd.DataFrame
    pairs: pd.DataFrame  # stored and fresh
    fresh: pd.DataFrame  # scored by this run (stored at the end)
    affected: np.ndarray  # over ``prof``: the records to resolve again
    previous_entity: pd.Series  # uid -> person id of the last run (redirects followed)
    previous_of: dict[str, str]  # the same, for the records read
    constraints: Constraints
    changes: Changes | None = None


def _everything(
    session: Session, model: PersonModel, backend: MatchBackend | None,
    redirects: dict[str, str],
) -> _Work:  # fmt: skip
    """A full run's work: every current person record scored against every other."""
    records = load_person_records_for_linkage(session)
    prof = identity_profiles(records)
    trusted = prof.set_index("uid")["trusted_id"]
    records = records.assign(trusted_id=trusted.reindex(records["uid"]).to_numpy())
    previous = _previous_links(session, EntityKind.PERSON)
    previous_entity = _resolved(previous, redirects)
    previous_links = dict(zip(previous["uid"], previous["entity_id"], strict=True))
    constraints = combined(
        load_constraints(session), entry_constraints(session, previous_links, redirects)
    )
    pairs = _floor(score_profiles(prof, model, backend=backend))
    current = previous_entity[isin(previous_entity.index, set(records["uid"]))]
    return _Work(
        records, prof, pairs, pairs, np.ones(len(prof), dtype=bool), previous_entity,
        {str(u): str(e) for u, e in current.items()}, constraints,
    )  # fmt: skip


def _neighbourhood(
    session: Session,
    model: PersonModel,
    backend: MatchBackend | None,
    redirects: dict[str, str],
    standard: pd.DataFrame,
    houses: pd.DataFrame,
    every_house_link: pd.DataFrame | None,
) -> _Work:
    """An incremental run's work: the changed records scored against their candidates, and
    the components they touch, read by index (:mod:`hub.resolution.neighbourhood`).

    ``every_house_link``: this run's links of every address (the standard addresses changed);
    records whose house they move are resolved again. Else only the persons of houses whose
    grid changed are.
    """
    changes = person_changes(session)
    keys = standard.dropna(subset=["address_code"]).drop_duplicates("address_code")
    hood = Neighbourhood(session, keys.set_index("address_code")["key"], redirects)
    constraints = combined(load_constraints(session), entry_constraints(session, None, redirects))
    seeds = {*changes.changed, *changes.gone, *_decided(constraints)}
    lost = {resolve_redirect(e, redirects) for e in hood.links(changes.gone).values()}
    hood.add(changes.changed | _decided(constraints))
    hood.add(hood.mates(lost))
    if every_house_link is not None:
        previous = _previous_links(session, EntityKind.PERSON)
        every = _resolved(previous, redirects)
        moved = _rehoused(session, every_house_link, {str(u): str(e) for u, e in every.items()})
    else:
        moved = hood.mates(_regridded(session, houses))
    seeds |= moved
    hood.add(moved)
    rows = hood.records
    changed = rows[isin(rows["uid"], changes.changed)]
    touched = rows[isin(rows["uid"], changes.changed)
                   | isin(rows["resident_id"], set(changed["resident_id"].dropna()))]  # fmt: skip
    hood.add_candidates(touched)
    prof = identity_profiles(hood.records)
    names = (name_counts(session, set(touched["name"].dropna())), name_total(session))
    fresh = (
        _floor(score_profiles(prof, model, only=set(changes.changed), backend=backend,
                              names=names))
        if changes.changed else pd.DataFrame(columns=list(publish.PAIR_COLUMNS))
    )  # fmt: skip
    # Walk out from the seeds until their components are read whole, then resolve them.
    hood.closure(seeds, fresh, changes.changed, constraints)
    prof = identity_profiles(hood.records)
    stored = _with_evidence(hood.stored_pairs(exclude=changes.changed))
    pairs = pd.concat([stored, fresh], ignore_index=True)
    pairs = pairs.drop_duplicates(["uid_l", "uid_r"], keep="last").reset_index(drop=True)
    previous_entity = hood.previous_entity(changes.gone)
    affected = affected_records(prof, pairs, constraints, previous_entity, seeds)
    records = hood.records.sort_values("uid", ignore_index=True)
    trusted = prof.set_index("uid")["trusted_id"]
    records = records.assign(trusted_id=trusted.reindex(records["uid"]).to_numpy())
    current = previous_entity[isin(previous_entity.index, set(records["uid"]))]
    return _Work(
        records, prof, pairs, fresh, affected, previous_entity,
        {str(u): str(e) for u, e in current.items()}, constraints, changes,
    )  # fmt: skip


def _resolved(links: pd.DataFrame, redirects: dict[str, str]) -> pd.Series:
    """uid -> entity id of stored ``links``, merges followed."""
    return pd.Series(
        [resolve_redirect(e, redirects) for e in links["entity_id"]],
        index=links["uid"].to_numpy(), dtype=object,
    )  # fmt: skip


def _link_addresses(
    session: Session, standard: pd.DataFrame, uids: set[str] | None = None
) -> pd.DataFrame:
    """Every current address-bearing record (or those of ``uids``) linked to a house, with
    its version."""
    addressed = load_address_parts(session, uids=uids)
    links = link_houses(standard, addressed).links
    links["version_id"] = links["uid"].map(addressed.set_index("uid")["version_id"]).to_numpy()
    return links


def _standard_changed(session: Session) -> bool:
    """Whether a standard address is new, changed or gone since the last run linked them."""
    standard = catalog.ADDRESSES.key
    coded = SourceRecord.address_code.is_not(None)
    return bool(
        unlinked(session, EntityKind.HOUSE, [standard], coded)
        or gone_links(session, EntityKind.HOUSE, RecordLink.dataset == standard)
    )


def _count_records(session: Session) -> int:
    stmt = select(func.count()).where(
        SourceRecord.dataset.in_(PERSON_DATASETS), SourceRecord.valid_to.is_(None)
    )
    return session.scalar(stmt) or 0


def _regridded(session: Session, houses: pd.DataFrame) -> set[str]:
    """Persons whose house is now in another grid: their golden records change."""
    old_grids = read_frame(session, select(House.id, House.grid_code)).set_index("id")["grid_code"]
    new_grids = houses.set_index("id")["grid_code"]
    common = old_grids.index.intersection(new_grids.index)
    regridded = common[(old_grids[common].fillna("") != new_grids[common].fillna("")).to_numpy()]
    if not len(regridded):
        return set()
    stmt = select(Person.id, Person.house_id)
    return set(publish.read_in(session, stmt, Person.house_id, regridded)["id"])


def _rehoused(session: Session, house_links: pd.DataFrame, previous_of: dict[str, str]) -> set[str]:
    """Person records whose house differs from the one their stored link names: their golden
    records change."""
    refined = _house_link_rows(refine_by_person(house_links, previous_of))
    now = pd.Series(refined["entity_id"].to_numpy(),
                    index=(refined["dataset"] + ":" + refined["record_id"]).to_numpy())  # fmt: skip
    before = _previous_links(session, EntityKind.HOUSE).set_index("uid")["entity_id"]
    every = now.index.union(before.index)
    moved = every[(now.reindex(every).fillna("") != before.reindex(every).fillna("")).to_numpy()]
    return {u for u in moved if u.split(":", 1)[0] in PERSON_DATASETS}


def _house_rows(standard: pd.DataFrame, grid_of_building: dict[str, str]) -> pd.DataFrame:
    frame = standard.rename(columns={"key": "address_key"}).copy()
    frame.insert(0, "id", "H" + frame["address_code"])
    frame["grid_code"] = frame["building_code"].map(grid_of_building)
    frame["status"] = EntityStatus.ACTIVE
    frame = frame.drop_duplicates("id")
    return frame[list(publish.HOUSE_COLUMNS)].astype(object).where(frame.notna(), None)


def refine_by_person(house_links: pd.DataFrame, entity_of: dict[str, str]) -> pd.DataFrame:
    """Settle a free-text address known only to its building with the person's own house.

    A clerk who writes 学府路56号2号楼102 without the unit names a building with two flats 102;
    when public security places the same person in one of that building's houses, that is the
    house the text means. Only a link to the same building is refined: a text naming another
    building may be a move, and stays as it is.
    """
    links = house_links.copy()
    person = links["uid"].map(entity_of)
    population = links["dataset"] == catalog.POPULATION.key
    housed = links[population & links["address_code"].notna()]
    home = (
        pd.DataFrame(
            {
                "person": person[housed.index],
                "address_code": housed["address_code"],
                "building_code": housed["building_code"],
            }
        )
        .drop_duplicates("person", keep=False)  # two houses in public security: no single home
        .set_index("person")
    )
    candidates = (links["precision"] == "building") & ~population & isin(person, home.index)
    home_code = person[candidates].map(home["address_code"])
    same_building = (
        person[candidates].map(home["building_code"]) == links.loc[candidates, "building_code"]
    )
    refine = same_building[same_building].index
    links.loc[refine, "address_code"] = home_code[refine]
    links.loc[refine, "precision"] = "room"
    links.loc[refine, "rule"] = "person_house"
    return links


def _house_of(house_links: pd.DataFrame) -> dict[str, str]:
    housed = house_links[house_links["address_code"].notna()]
    return dict(zip(housed["uid"], "H" + housed["address_code"], strict=True))


def _house_link_rows(house_links: pd.DataFrame) -> pd.DataFrame:
    linked = house_links[house_links["precision"] != "none"].copy()
    split = linked["uid"].str.split(":", n=1)
    linked["dataset"], linked["record_id"] = split.str[0], split.str[1]
    # A building-level link names the building code; a house-level one the house id.
    linked["entity_id"] = ("H" + linked["address_code"]).where(
        linked["address_code"].notna(), "B" + linked["building_code"]
    )
    linked["score"] = None
    return linked[list(publish.LINK_COLUMNS)].reset_index(drop=True)


def _person_links(
    records: pd.DataFrame, entity_of: dict[str, str], edges: pd.DataFrame
) -> pd.DataFrame:
    """Each record's link, with the strongest accepted edge that touched it as its reason."""
    touching = pd.concat(
        [
            edges.rename(columns={"uid_l": "uid"})[["uid", "rule", "match_probability"]],
            edges.rename(columns={"uid_r": "uid"})[["uid", "rule", "match_probability"]],
        ],
        ignore_index=True,
    ).sort_values("match_probability", ascending=False, na_position="first")
    best = touching.drop_duplicates("uid").set_index("uid")
    frame = records[["uid", "dataset", "record_id", "version_id"]].copy()
    frame["entity_id"] = frame["uid"].map(entity_of)
    frame["rule"] = frame["uid"].map(best["rule"]).astype(object).fillna("singleton")
    frame["score"] = frame["uid"].map(best["match_probability"])
    frame["precision"] = None
    return frame[list(publish.LINK_COLUMNS)].reset_index(drop=True)


def _previous_links(session: Session, kind: EntityKind) -> pd.DataFrame:
    """uid, entity_id and version_id of every stored link of ``kind``."""
    frame = read_frame(
        session,
        select(RecordLink.dataset, RecordLink.record_id, RecordLink.entity_id,
               RecordLink.version_id).where(RecordLink.kind == kind),
    )  # fmt: skip
    frame.insert(0, "uid", frame["dataset"] + ":" + frame["record_id"])
    return frame[["uid", "entity_id", "version_id"]]


def _with_evidence(frame: pd.DataFrame) -> pd.DataFrame:
    """Stored pairs with their ``evidence`` document spread into columns, as scored."""
    frame = frame.reset_index(drop=True)
    documents = [_json(e) for e in frame["evidence"]]
    evidence = pd.json_normalize(documents) if len(frame) else pd.DataFrame()
    return pd.concat([frame.drop(columns="evidence"), evidence], axis=1)


def _json(value: object) -> dict[str, object]:
    """A JSON column as read by the driver: text on SQLite, decoded on PostgreSQL."""
    if isinstance(value, str):
        decoded: dict[str, object] = json.loads(value)
        return decoded
    return dict(value) if isinstance(value, dict) else {}


def _open_publication(session: Session) -> Publication:
    publication = Publication(status=PublicationStatus.BUILDING, counts={})
    session.add(publication)
    session.flush()
    return publication


def _make_current(session: Session, publication: Publication) -> None:
    for previous in session.scalars(
        select(Publication).where(Publication.status == PublicationStatus.CURRENT)
    ):
        previous.status = PublicationStatus.SUPERSEDED
    publication.status = PublicationStatus.CURRENT
    publication.published_at = dt.datetime.now(dt.UTC)


def _count(session: Session, where: object) -> int:
    return session.scalar(select(func.count()).select_from(Person).where(where)) or 0  # type: ignore[arg-type]


class _Clock:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def lap(self, report: ResolutionReport, stage: str) -> None:
        now = time.perf_counter()
        report.seconds[stage] = round(now - self.started, 2)
        self.started = now
