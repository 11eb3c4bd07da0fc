"""Writing a resolution's result, in the caller's transaction, so readers see the previous
result until it commits: only what changed is written, and every change to a golden person or
house is recorded for the change feed (:mod:`hub.resolution.changes`).

Entities are never deleted: an id whose records are gone is ended, an absorbed id redirects.
A run that resolved only some persons (incremental) passes their previous ids as the *scope*:
persons outside it are left exactly as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, delete, select, tuple_, update
from sqlalchemy.orm import Session

from hub.resolution.changes import ChangeKind, ChangeLog, plain
from hub.resolution.golden import GoldenPersons
from hub.resolution.tags import OWN_TAGS, shared_tags
from hub.storage.bulk import BATCH, chunks, insert_rows, record_batches
from hub.storage.frames import LITERAL_IN, isin, read_frame, read_in, read_in_uids
from hub.storage.jsoncodec import dumps
from hub.storage.models import (
    EntityKind,
    EntityRedirect,
    EntityStatus,
    House,
    MatchPair,
    Person,
    PersonTag,
    Provenance,
    RecordLink,
)

PERSON_COLUMNS = (
    "id", "name", "name_pinyin", "resident_id", "sex", "birth_date", "birth_precision",
    "ethnicity", "phone", "house_id", "grid_code", "household_no", "relation_to_head",
    "registration_type", "lives_alone", "status",
)  # fmt: skip
HOUSE_COLUMNS = (
    "id", "address_code", "building_code", "township", "village", "road", "number", "building",
    "unit", "room", "use", "address_key", "grid_code", "status",
)  # fmt: skip
#: Golden person columns derived from another field: their provenance is that field's.
DERIVED_FROM = {"name_pinyin": "name", "birth_precision": "birth_date", "grid_code": "house_id"}
LINK_COLUMNS = ("dataset", "record_id", "entity_id", "rule", "score", "precision", "version_id")

Entity = type[House] | type[Person]


@dataclass(frozen=True, slots=True)
class EntityCounts:
    new: int = 0
    updated: int = 0
    ended: int = 0
    merged: int = 0


# -- golden entities -----------------------------------------------------------------------------


def sync_entities(
    session: Session,
    model: Entity,
    rows: pd.DataFrame,
    log: ChangeLog,
    now: dt.datetime,
    *,
    scope: Collection[str] | None = None,
    merged: Mapping[str, str] | None = None,
    provenance: pd.DataFrame | None = None,
) -> EntityCounts:
    """Make the published ``model`` rows agree with ``rows`` (one per live entity of the
    run), for the entities in ``scope`` (previous ids; ``None``: every published one).

    New ids are inserted, changed ones updated (``version`` + 1), ids of the scope the run no
    longer produced are ``merged`` (redirected elsewhere) or ended. ``provenance`` (entity_id,
    field, dataset, record_id, valid_from, rule) names where changed values came from.
    """
    kind = EntityKind.PERSON if model is Person else EntityKind.HOUSE
    columns = PERSON_COLUMNS if model is Person else HOUSE_COLUMNS
    table = model.__table__
    wanted = [*columns, "version"]
    stmt = select(*(getattr(model, c) for c in wanted))
    dates = ["birth_date"] if model is Person else []
    if scope is None:
        old = read_frame(session, stmt, dates=dates)
    else:
        ids = sorted({*scope, *rows["id"]})
        old = read_in(session, stmt, model.id, ids, dates=dates)
    old = old.set_index("id")
    new = rows[list(columns)].set_index("id")
    fresh = new.index[~isin(new.index, old.index)]
    common = new.index[isin(new.index, old.index)]
    # New entities: every value they start with (their events are built when the log is
    # written, from these rows).
    inserted = new.loc[fresh].reset_index()
    insert_rows(session, table, wanted, (
        (*values, 1) for values in inserted[list(columns)].itertuples(index=False, name=None)
    ))  # fmt: skip
    log.created(kind, inserted, provenance, source_of=DERIVED_FROM, version=1)
    del inserted
    # Known entities: only the fields that differ.
    before, after = old.loc[common, list(columns[1:])], new.loc[common, list(columns[1:])]
    differs = pd.DataFrame({c: ~_same(before[c], after[c]) for c in columns[1:]}, index=common)
    touched = differs.index[differs.any(axis=1)]
    where = _provenance_lookup(provenance, touched) if provenance is not None else {}
    updates: list[dict[str, Any]] = []
    for entity_id in touched:
        fields = [c for c in columns[1:] if differs.at[entity_id, c]]
        version = _version(old, entity_id) + 1
        new_values: dict[str, Any] = {c: after.at[entity_id, c] for c in fields}
        updates.append({"id": entity_id, **new_values, "version": version, "updated_at": now})
        changed = {c: (before.at[entity_id, c], new_values[c]) for c in fields}
        log.change(kind, entity_id, ChangeKind.UPDATED, changed,
                   _named(where, entity_id, changed), version=version)  # fmt: skip
    for batch in chunks(updates, 500):
        session.execute(update(model), batch)
    # Entities of the scope the run did not produce.
    merged = merged or {}
    gone = old.index[~isin(old.index, new.index)]
    ended_ids = [i for i in gone if i not in merged and old.at[i, "status"] == EntityStatus.ACTIVE]
    merged_ids = [i for i in gone if i in merged and old.at[i, "status"] != EntityStatus.MERGED]
    for status, ids_, change in ((EntityStatus.ENDED, ended_ids, ChangeKind.ENDED),
                                 (EntityStatus.MERGED, merged_ids, ChangeKind.MERGED)):  # fmt: skip
        batch_rows = [
            {"id": i, "status": status, "version": _version(old, i) + 1, "updated_at": now}
            for i in ids_
        ]  # fmt: skip
        for batch in chunks(batch_rows, 500):
            session.execute(update(model), batch)
        for row in batch_rows:
            ended: dict[str, tuple[object, object]] = {
                "status": (old.at[row["id"], "status"], status)
            }
            if change is ChangeKind.MERGED:
                ended["merged_into"] = (None, merged[row["id"]])
            log.change(kind, row["id"], change, ended, version=row["version"])
    return EntityCounts(len(fresh), len(updates), len(ended_ids), len(merged_ids))


def _version(old: pd.DataFrame, entity_id: str) -> int:
    value: Any = old.at[entity_id, "version"]
    return int(value)


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Elementwise equality in which two missing values are equal."""
    values_a, values_b = a.to_numpy(dtype=object), b.to_numpy(dtype=object)
    missing_a, missing_b = pd.isna(values_a), pd.isna(values_b)
    both = ~missing_a & ~missing_b
    equal = np.zeros(len(values_a), bool)
    equal[both] = values_a[both] == values_b[both]  # elementwise, as ``x == y``
    return pd.Series((missing_a & missing_b) | equal, index=a.index)


def _provenance_lookup(
    provenance: pd.DataFrame, ids: pd.Index
) -> dict[tuple[str, str], dict[str, Any]]:
    rows = provenance[isin(provenance["entity_id"], ids)]
    columns = ("entity_id", "field", "dataset", "record_id", "valid_from", "rule", "recorded_by")
    return {
        (e, f): {"dataset": d, "record_id": r, "snapshot_date": plain(s), "rule": rule,
                 **({"recorded_by": by} if isinstance(by, str) else {})}
        for e, f, d, r, s, rule, by in zip(*(rows[c].tolist() for c in columns), strict=True)
    }  # fmt: skip


def _named(
    where: Mapping[tuple[str, str], dict[str, Any]],
    entity_id: str,
    changed: Mapping[str, object],
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in changed:
        found = where.get((entity_id, DERIVED_FROM.get(name, name)))
        if found is not None:
            out[name] = found
    return out


def write_redirects(
    session: Session, kind: EntityKind, merged: Mapping[str, str], live: Collection[str]
) -> None:
    """Absorbed ids point at their survivor; an id alive again stops redirecting."""
    existing = {old: new for old, new in session.execute(
        select(EntityRedirect.old_id, EntityRedirect.new_id).where(EntityRedirect.kind == kind)
    )}  # fmt: skip
    revived = [old for old in existing if old in live]
    for batch in chunks(revived, 500):
        session.execute(delete(EntityRedirect).where(EntityRedirect.old_id.in_(batch)))
    for old, new in merged.items():
        if old in existing:
            session.execute(
                update(EntityRedirect).where(EntityRedirect.old_id == old).values(new_id=new)
            )
        else:
            session.add(EntityRedirect(old_id=old, new_id=new, kind=kind, reason="merged"))
    # Older redirects that pointed at an id absorbed now follow it to its survivor.
    for old, new in merged.items():
        session.execute(
            update(EntityRedirect).where(EntityRedirect.new_id == old).values(new_id=new)
        )
    session.flush()


# -- record links --------------------------------------------------------------------------------


def sync_links(
    session: Session,
    kind: EntityKind,
    links: pd.DataFrame,
    run_id: int,
    *,
    scope: Collection[str] | None = None,
) -> int:
    """Make the stored links of ``kind`` agree with ``links`` (:data:`LINK_COLUMNS`), for the
    record uids of ``scope`` (``None``: all); returns how many links were (re)written.

    A link is rewritten when its entity, rule, score, precision or record version changed; a
    stored link of the scope that ``links`` lacks (the record is gone) is deleted.
    """
    stmt = select(*(getattr(RecordLink, c) for c in LINK_COLUMNS)).where(RecordLink.kind == kind)
    if scope is None:
        old = read_frame(session, stmt)
    else:
        old = read_in_uids(session, stmt, RecordLink.dataset, RecordLink.record_id, scope)
    new = links[list(LINK_COLUMNS)].copy()
    key_old = old["dataset"] + ":" + old["record_id"]
    key_new = new["dataset"] + ":" + new["record_id"]
    merged = pd.DataFrame({"uid": key_new}).merge(
        old.assign(uid=key_old), on="uid", how="left", suffixes=("", "_old"), indicator=True
    )
    keep = merged["_merge"] == "both"
    for column in LINK_COLUMNS[2:]:
        keep &= _same(new[column].reset_index(drop=True).astype(object),
                      merged[column].astype(object))  # fmt: skip
    keep_uids = set(merged.loc[keep.to_numpy(), "uid"])
    stale = old.loc[~isin(key_old, keep_uids), ["dataset", "record_id"]]
    delete_uids(session, RecordLink, stale, extra=RecordLink.kind == kind)
    written = new[~isin(key_new, keep_uids)]
    rows = (
        (kind, d, r, e, rule, _float(score), precision, _int(version), run_id)
        for d, r, e, rule, score, precision, version in zip(
            *(written[c].tolist() for c in LINK_COLUMNS), strict=True
        )
    )
    columns = ("kind", *LINK_COLUMNS, "run_id")
    return insert_rows(session, RecordLink.__table__, columns, rows)


# -- provenance, tags and facts ------------------------------------------------------------------

PROVENANCE_COLUMNS = (
    "entity_kind", "entity_id", "field", "value", "dataset", "record_id", "snapshot_date",
    "rule", "alternatives", "recorded_by", "recorded_at", "publication_id",
)  # fmt: skip


def replace_provenance(
    session: Session, golden: GoldenPersons, scope: Collection[str] | None, publication_id: int
) -> int:
    """Provenance of the persons this run built, replacing what their ids had (all with
    ``scope`` None)."""
    person = Provenance.entity_kind == EntityKind.PERSON
    if scope is None:
        session.execute(delete(Provenance).where(person))
    else:
        for batch in chunks(sorted({*scope, *golden.persons["id"]}), LITERAL_IN):
            session.execute(delete(Provenance).where(person, Provenance.entity_id.in_(batch)))
    rows = _provenance_rows(golden.provenance, publication_id)
    return insert_rows(session, Provenance.__table__, PROVENANCE_COLUMNS, rows,
                       json_text=("alternatives",))  # fmt: skip


def _provenance_rows(prov: pd.DataFrame, publication_id: int) -> Iterator[tuple[Any, ...]]:
    """``provenance`` rows, a batch of the frame at a time (a county has millions), with the
    alternatives encoded once, as the column stores them."""
    for start in range(0, len(prov), BATCH):
        part = prov.iloc[start : start + BATCH]
        yield from zip(
            repeat(EntityKind.PERSON), part["entity_id"].tolist(), part["field"].tolist(),
            map(_text, part["value"].tolist()), part["dataset"].tolist(),
            part["record_id"].tolist(), part["valid_from"].tolist(), part["rule"].tolist(),
            map(dumps, part["alternatives"].tolist()), map(_none, part["recorded_by"].tolist()),
            map(_none, part["recorded_at"].tolist()), repeat(publication_id), strict=False,
        )  # fmt: skip


def sync_tags(
    session: Session,
    own: pd.DataFrame,
    scope: Collection[str] | None,
    as_of: dt.date,
    log: ChangeLog,
) -> dict[str, int]:
    """Make ``person_tag`` hold ``own`` (the tags of the persons this run built, whose ids and
    previous ids are ``scope``; ``None``: every person) and the shared tags of every person on
    ``as_of``; a person whose tags changed gets ``tags`` in their change event."""
    old = read_frame(session, select(PersonTag.person_id, PersonTag.tag))
    rebuilt = old["tag"].isin([t.value for t in OWN_TAGS])
    if scope is not None:
        rebuilt &= isin(old["person_id"], set(scope) | set(own["person_id"]))
    kept = old[~rebuilt & old["tag"].isin([t.value for t in OWN_TAGS])]
    persons = read_frame(
        session,
        select(Person.id, Person.status, Person.birth_date, Person.household_no,
               Person.lives_alone),
        dates=["birth_date"],
    )  # fmt: skip
    new = pd.concat([kept, own[["person_id", "tag"]], shared_tags(persons, as_of)],
                    ignore_index=True).drop_duplicates()  # fmt: skip
    key_old = old["person_id"] + "|" + old["tag"]
    key_new = new["person_id"] + "|" + new["tag"]
    removed = old[~isin(key_old, set(key_new))]
    added = new[~isin(key_new, set(key_old))]
    for batch in chunks(list(zip(removed["person_id"], removed["tag"], strict=True)), 500):
        session.execute(
            delete(PersonTag).where(tuple_(PersonTag.person_id, PersonTag.tag).in_(batch))
        )
    insert_rows(session, PersonTag.__table__, ("person_id", "tag"),
                zip(added["person_id"], added["tag"], strict=True))  # fmt: skip
    changed = set(removed["person_id"]) | set(added["person_id"])
    before, after = _tag_lists(old, changed), _tag_lists(new, changed)
    for person_id in sorted(changed):
        was, now = before.get(person_id, []), after.get(person_id, [])
        log.change(EntityKind.PERSON, person_id, ChangeKind.UPDATED, {"tags": (was, now)})
    return {"tags": len(new), "tags_added": len(added), "tags_removed": len(removed)}


def _tag_lists(tags: pd.DataFrame, persons: Collection[str]) -> dict[str, list[str]]:
    """Each of ``persons``' tags, sorted (one pass over the sorted rows, not a group each)."""
    part = tags[isin(tags["person_id"], persons)].sort_values(["person_id", "tag"])
    out: dict[str, list[str]] = {}
    for person_id, tag in zip(part["person_id"].tolist(), part["tag"].tolist(), strict=True):
        out.setdefault(person_id, []).append(tag)
    return out


# -- scored pairs --------------------------------------------------------------------------------

PAIR_COLUMNS = ("uid_l", "uid_r", "profile_l", "profile_r", "match_weight", "match_probability")


def store_pairs(
    session: Session,
    pairs: pd.DataFrame,
    run_id: int,
    *,
    touching: Collection[str] | None = None,
) -> int:
    """Keep ``pairs`` for the next run: all of them (``touching`` None), or, after an
    incremental run, the fresh ``pairs`` in place of the stored ones touching ``touching``
    (uids re-scored or gone) or sharing a key with a fresh pair."""
    table = MatchPair.__table__
    if touching is None:
        session.execute(delete(MatchPair))
    else:
        for batch in chunks(sorted(touching), LITERAL_IN):
            session.execute(
                delete(MatchPair).where(MatchPair.uid_l.in_(batch) | MatchPair.uid_r.in_(batch))
            )
        keys = list(zip(pairs["uid_l"], pairs["uid_r"], strict=True))
        for key_batch in chunks(keys, 500):
            session.execute(
                delete(MatchPair).where(tuple_(MatchPair.uid_l, MatchPair.uid_r).in_(key_batch))
            )
    evidence = [c for c in pairs.columns if c.startswith(("gamma_", "mw_"))]
    rows = (
        (row[0], row[1], str(row[2]), str(row[3]), float(row[4]), float(row[5]),
         {c: _plain(v) for c, v in zip(evidence, row[6:], strict=True)}, run_id)
        for row in pairs[[*PAIR_COLUMNS, *evidence]].itertuples(index=False, name=None)
    )  # fmt: skip
    return insert_rows(session, table, (*PAIR_COLUMNS, "evidence", "run_id"), rows)


# -- helpers -------------------------------------------------------------------------------------


def delete_uids(
    session: Session,
    model: type[Any],
    records: pd.DataFrame,
    *,
    extra: ColumnElement[bool] | None = None,
) -> None:
    """Delete ``model`` rows whose (dataset, record_id) are in ``records``."""
    keys = zip(records["dataset"], records["record_id"], strict=True)
    for name, batch in record_batches(keys, 500):
        stmt = delete(model).where(model.dataset == name, model.record_id.in_(batch))
        session.execute(stmt if extra is None else stmt.where(extra))


def _float(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if pd.isna(number) else number


def _int(value: object) -> int | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return int(value)  # type: ignore[call-overload]


def _plain(value: object) -> object:
    """A JSON-safe number: numpy scalars to Python, NaN to None."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return value.item() if hasattr(value, "item") else value


def _none(value: object) -> object:
    """``None`` for a frame's missing value (NaN, NA, NaT), else the value."""
    return None if value is None or pd.isna(value) else value  # type: ignore[call-overload]


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)
