"""``hub resolve``: link records to houses and persons, keep ids stable, publish golden
records with provenance, tags and department facts, in the caller's transaction.

A run is *incremental* when an earlier run left its scored pairs: only records that are new or
changed since then are scored against everyone, and the stored pairs of unchanged records are
reused. Clustering always runs over all pairs, so the result equals a full run's.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from hub.resolution import publish
from hub.resolution.backends import MatchBackend
from hub.resolution.decisions import load_constraints
from hub.resolution.facts import FACT_FIELDS, load_facts
from hub.resolution.golden import build_persons
from hub.resolution.houses import link_houses, load_standard_addresses
from hub.resolution.ids import assign_ids
from hub.resolution.persons import PersonModel, cluster, load_model, score_pairs
from hub.resolution.records import load_address_parts, load_person_records
from hub.resolution.survivorship import load_rules
from hub.sources import catalog
from hub.storage.bulk import BATCH
from hub.storage.models import (
    EntityKind,
    EntityRedirect,
    EntityStatus,
    GridBuilding,
    MatchPair,
    Publication,
    PublicationStatus,
    RecordLink,
    ResolutionRun,
    SourceRecord,
)

#: Pairs below this probability are not kept between runs (nor used by clustering).
PAIR_FLOOR = 0.01
MATCH_PAIR_TABLE = MatchPair.metadata.tables["match_pair"]


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
    backend: MatchBackend | None = None,
) -> ResolutionReport:
    """Resolve the current source records and publish the result (caller commits); Splink
    scores on ``backend`` (DuckDB in this process unless configured otherwise)."""
    say = progress or (lambda _: None)
    clock = _Clock()
    model = model or load_model()
    rules = load_rules()
    previous_run = session.scalars(
        select(ResolutionRun).order_by(ResolutionRun.id.desc()).limit(1)
    ).first()
    incremental = not full and previous_run is not None and previous_run.as_of is not None
    as_of = session.scalar(select(func.max(SourceRecord.valid_from))) or dt.date.today()
    run = ResolutionRun(kind="incremental" if incremental else "full", as_of=as_of,
                        model_version=model.version, counts={})  # fmt: skip
    session.add(run)
    session.flush()
    report = ResolutionReport(run.id, run.kind)

    say("houses: linking addresses to the standard address table")
    standard = load_standard_addresses(session)
    house_links = link_houses(standard, load_address_parts(session)).links
    grid_of_building = dict(session.execute(select(GridBuilding.building_code,
                                                   GridBuilding.grid_code)).all())  # fmt: skip
    houses = _house_rows(standard, grid_of_building)
    clock.lap(report, "houses")

    say("persons: scoring candidate pairs")
    records = load_person_records(session)
    current = set(records["uid"])
    previous_links = _links(session, EntityKind.PERSON)
    if incremental and previous_run is not None:
        changed = _changed(records, previous_run.as_of, previous_links)
        stored = _stored_pairs(session, current, exclude=changed)
        fresh = (score_pairs(records, model, only=changed, backend=backend) if changed
                 else stored.iloc[0:0])  # fmt: skip
        pairs = pd.concat([stored, fresh], ignore_index=True)
        report.counts["records_rescored"] = len(changed)
    else:
        pairs = score_pairs(records, model, backend=backend)
    pairs = pairs[pairs["match_probability"] >= PAIR_FLOOR]
    pairs = pairs.drop_duplicates(["uid_l", "uid_r"], keep="last").reset_index(drop=True)
    clock.lap(report, "score")

    say("persons: clustering under steward constraints")
    links = cluster(records, pairs, load_constraints(session), model)
    redirects = dict(session.execute(select(EntityRedirect.old_id, EntityRedirect.new_id)).all())
    ids = assign_ids(links.cluster_of, previous_links, redirects, prefix="P")
    clock.lap(report, "cluster")

    say("golden records: survivorship, provenance, tags")
    house_links = refine_by_person(house_links, ids.entity_of)
    house_of = _house_of(house_links)
    facts = {dataset: load_facts(session, dataset) for dataset in FACT_FIELDS}
    golden = build_persons(
        records, ids.entity_of, house_of, facts[catalog.POPULATION.key], facts, rules,
        as_of=as_of, grid_of_house=dict(zip(houses["id"], houses["grid_code"], strict=True)),
    )  # fmt: skip
    clock.lap(report, "golden")

    say("publishing")
    now = dt.datetime.now(dt.UTC)
    publication = _open_publication(session)
    new_houses, _ = publish.upsert(session, publish.House, houses.to_dict("records"), now)
    publish.end_missing(session, publish.House, set(houses["id"]), {})
    person_rows = golden.persons[list(publish.PERSON_COLUMNS)].to_dict("records")
    new_persons, updated = publish.upsert(session, publish.Person, person_rows, now)
    live = set(golden.persons["id"])
    ended = publish.end_missing(session, publish.Person, live, ids.merged)
    publish.write_redirects(session, EntityKind.PERSON, ids.merged, live)
    publish.replace_links(
        session, EntityKind.PERSON, _person_links(records, ids.entity_of, links.edges), run.id
    )
    publish.replace_links(session, EntityKind.HOUSE, _house_link_rows(house_links), run.id)
    publish.replace_person_outputs(session, golden, facts, ids.entity_of, publication.id)
    _store_pairs(session, pairs, run.id)
    clock.lap(report, "publish")

    report.counts.update(
        records=len(records), persons=len(live), persons_new=new_persons,
        persons_updated=updated, persons_ended=ended, persons_merged=len(ids.merged),
        houses=len(houses), houses_new=new_houses, pairs=len(pairs),
    )  # fmt: skip
    for rule, count in links.edges["rule"].value_counts().items():
        report.counts[f"edges.{rule}"] = int(count)
    for precision, count in house_links["precision"].value_counts().items():
        report.counts[f"house_links.{precision}"] = int(count)
    run.counts = dict(report.counts)
    run.finished_at = dt.datetime.now(dt.UTC)
    publication.counts = dict(report.counts)
    _make_current(session, publication)
    return report


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
    candidates = (links["precision"] == "building") & ~population & person.isin(home.index)
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
    return linked[["dataset", "record_id", "entity_id", "rule", "score", "precision"]]


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
    frame = records[["uid", "dataset", "record_id"]].copy()
    frame["entity_id"] = frame["uid"].map(entity_of)
    frame["rule"] = frame["uid"].map(best["rule"]).fillna("singleton")
    frame["score"] = frame["uid"].map(best["match_probability"])
    frame["precision"] = None
    return frame


def _links(session: Session, kind: EntityKind) -> dict[str, str]:
    rows = session.execute(
        select(RecordLink.dataset, RecordLink.record_id, RecordLink.entity_id).where(
            RecordLink.kind == kind
        )
    ).all()
    return {f"{d}:{r}": e for d, r, e in rows}


def _changed(records: pd.DataFrame, since: dt.date | None, previous: dict[str, str]) -> set[str]:
    fresh = records["valid_from"] > since if since is not None else records["uid"].notna()
    unseen = ~records["uid"].isin(previous.keys())
    return set(records.loc[fresh | unseen, "uid"])


def _stored_pairs(session: Session, current: set[str], *, exclude: set[str]) -> pd.DataFrame:
    columns = ["uid_l", "uid_r", "profile_l", "profile_r", "match_weight", "match_probability"]
    rows = session.execute(
        select(*(getattr(MatchPair, c) for c in columns), MatchPair.evidence)
    ).all()
    frame = pd.DataFrame(rows, columns=[*columns, "evidence"])
    keep = (
        frame["uid_l"].isin(current) & frame["uid_r"].isin(current)
        & ~frame["uid_l"].isin(exclude) & ~frame["uid_r"].isin(exclude)
    )  # fmt: skip
    frame = frame[keep].reset_index(drop=True)
    evidence = pd.json_normalize(frame["evidence"].tolist()) if len(frame) else pd.DataFrame()
    return pd.concat([frame.drop(columns="evidence"), evidence], axis=1)


def _store_pairs(session: Session, pairs: pd.DataFrame, run_id: int) -> None:
    session.execute(delete(MatchPair))
    evidence = [c for c in pairs.columns if c.startswith(("gamma_", "mw_"))]
    columns = ["uid_l", "uid_r", "profile_l", "profile_r", "match_weight", "match_probability"]
    connection = session.connection()
    batch: list[dict[str, Any]] = []
    for row in pairs[columns + evidence].itertuples(index=False):
        batch.append({
            "uid_l": row[0], "uid_r": row[1], "profile_l": str(row[2]), "profile_r": str(row[3]),
            "match_weight": float(row[4]), "match_probability": float(row[5]), "run_id": run_id,
            "evidence": {c: _plain(v) for c, v in zip(evidence, row[6:], strict=True)},
        })  # fmt: skip
        if len(batch) >= BATCH:
            connection.execute(insert(MATCH_PAIR_TABLE), batch)
            batch = []
    if batch:
        connection.execute(insert(MATCH_PAIR_TABLE), batch)


def _plain(value: object) -> object:
    """A JSON-safe number: numpy scalars to Python, NaN to None."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return value.item() if hasattr(value, "item") else value


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


class _Clock:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def lap(self, report: ResolutionReport, stage: str) -> None:
        now = time.perf_counter()
        report.seconds[stage] = round(now - self.started, 2)
        self.started = now
