"""An incremental run's working set: the neighbourhood of what changed, read by index.

A full run reads every current person record. An incremental run needs far less: the
components (:mod:`hub.resolution.scope`) that hold a new, changed or vanished record, and
whatever scoring a changed record against the county can find. Both are found here by
indexed lookups, so the run reads a number of rows that grows with the change, not with the
county:

- what changed: current records whose version is not the one their person link was made
  from, and links whose record is no longer current (two anti-joins in the database);
- each loaded record's *kin*, which the identity profiles need to come out as a full run
  builds them: every record with its resident ID (whether an ID is trusted depends on every
  name it is carried with) and every record with its profile (a profile's representative is
  its smallest uid);
- the *candidates* of the profiles a changed record touches: every record that shares a
  blocking key with one (:data:`hub.resolution.splink_model.BLOCKING_RULES`: the pinyin of the
  name with the birth month, the phone, the house, the surname with the birth date) or its
  name (IDs a slip apart are paired by name, and a name's term frequency counts every
  record of it). The lookups return a superset of what blocking pairs; scoring applies the
  rules themselves;
- the rest of each affected component: stored pairs, the other records of the persons they
  belonged to, and steward decisions, until the components are closed (:meth:`expand`).

Scoring, clustering, ids and survivorship then run on this part exactly as on the whole.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, exists, func, literal_column, or_, select
from sqlalchemy.orm import Session

from hub.resolution.ids import resolve_redirect
from hub.resolution.persons import Constraints, near_ids
from hub.resolution.publish import PAIR_COLUMNS
from hub.resolution.records import (
    PERSON_COLUMNS,
    PERSON_DATASETS,
    profile_hash,
    with_house_keys,
)
from hub.resolution.scope import Changes
from hub.storage.bulk import chunks
from hub.storage.frames import isin, read_in, read_in_uids
from hub.storage.models import EntityKind, MatchPair, RecordLink, SourceRecord

_KEYS = [getattr(SourceRecord, name) for name in PERSON_COLUMNS[5:]]
_PERSON_RECORDS = (
    select(SourceRecord.dataset, SourceRecord.record_id, SourceRecord.id.label("version_id"),
           SourceRecord.valid_from, *_KEYS)
    .where(SourceRecord.dataset.in_(PERSON_DATASETS), SourceRecord.valid_to.is_(None))
)  # fmt: skip
#: The match keys besides the name and the ID: what tells two ID-less records apart.
_LOOSE_KEYS = [c for c in PERSON_COLUMNS[6:] if c != "resident_id"]


def unlinked(
    session: Session, kind: EntityKind, datasets: Iterable[str], *also: ColumnElement[bool]
) -> set[str]:
    """uids of the current records of ``datasets`` (and ``also``) that have no link of
    ``kind`` made from their current version: new, changed, or linked to nothing last time."""
    record, link = SourceRecord, RecordLink
    linked = exists().where(
        link.kind == kind, link.dataset == record.dataset, link.record_id == record.record_id,
        link.version_id == record.id,
    )  # fmt: skip
    stmt = select(record.dataset, record.record_id).where(
        record.dataset.in_(list(datasets)), record.valid_to.is_(None), ~linked, *also
    )
    return {f"{d}:{r}" for d, r in session.execute(stmt)}


def gone_links(session: Session, kind: EntityKind, *also: ColumnElement[bool]) -> set[str]:
    """uids with a stored link of ``kind`` (and ``also``) and no current record."""
    record, link = SourceRecord, RecordLink
    current = exists().where(
        record.dataset == link.dataset, record.record_id == link.record_id,
        record.valid_to.is_(None),
    )  # fmt: skip
    stmt = select(link.dataset, link.record_id).where(link.kind == kind, ~current, *also)
    return {f"{d}:{r}" for d, r in session.execute(stmt)}


def person_changes(session: Session) -> Changes:
    """New or changed current person records and vanished ones, against the person links
    (what :func:`hub.resolution.scope.record_changes` finds, without reading every record)."""
    return Changes(
        frozenset(unlinked(session, EntityKind.PERSON, PERSON_DATASETS)),
        frozenset(gone_links(session, EntityKind.PERSON)),
    )


def absorbed(redirects: Mapping[str, str]) -> dict[str, set[str]]:
    """Each entity id that merges ended in -> the ids merged into it (itself included)."""
    out: dict[str, set[str]] = {}
    for old in redirects:
        out.setdefault(resolve_redirect(old, redirects), set()).add(old)
    return out


def links_of(
    session: Session, persons: Iterable[str], merged: Mapping[str, set[str]]
) -> dict[str, str]:
    """uid -> stored person id of every record linked to ``persons`` or to an id merged into
    one of them (``merged``: :func:`absorbed`)."""
    ids = {i for p in persons for i in (p, *merged.get(p, ()))}
    stmt = select(RecordLink.dataset, RecordLink.record_id, RecordLink.entity_id).where(
        RecordLink.kind == EntityKind.PERSON
    )
    frame = read_in(session, stmt, RecordLink.entity_id, ids)
    uids = frame["dataset"] + ":" + frame["record_id"]
    return dict(zip(uids, frame["entity_id"], strict=True))


def _person_key() -> ColumnElement[Any]:
    """Who a record is, for counting persons per name: its resident ID, else its match keys
    (what :func:`~hub.resolution.persons.name_counts` counts)."""
    loose: list[ColumnElement[Any]] = [
        func.coalesce(getattr(SourceRecord, c), literal_column("''")) for c in _LOOSE_KEYS
    ]
    keys = functools.reduce(lambda a, b: a + literal_column("'|'") + b, loose)
    return func.coalesce(SourceRecord.resident_id, keys)


def name_counts(session: Session, names: Iterable[str]) -> pd.Series:
    """Persons per name for ``names``, counted in the database over every current record
    (:func:`~hub.resolution.persons.name_counts` over the whole county)."""
    person = _person_key()
    stmt = (
        select(SourceRecord.name, func.count(person.distinct()).label("persons"))
        .where(SourceRecord.dataset.in_(PERSON_DATASETS), SourceRecord.valid_to.is_(None))
        .group_by(SourceRecord.name)
    )  # fmt: skip
    frame = read_in(session, stmt, SourceRecord.name, set(names))
    return pd.Series(frame["persons"].to_numpy(), index=frame["name"].astype(object),
                     dtype="int64")  # fmt: skip


def name_total(session: Session) -> int:
    """Persons per name summed over the county: distinct (name, resident ID) and, for records
    without an ID, distinct (name, match keys); what
    :func:`~hub.resolution.persons.name_counts` sums over every profile (an ID that a typo made
    another person's counts once here, which moves no term frequency measurably)."""
    persons = (
        select(SourceRecord.name, _person_key())
        .where(SourceRecord.dataset.in_(PERSON_DATASETS), SourceRecord.valid_to.is_(None),
               SourceRecord.name.is_not(None))
        .distinct()
        .subquery()
    )  # fmt: skip
    return int(session.scalar(select(func.count()).select_from(persons)) or 0)


class Neighbourhood:
    """The current person records an incremental run reads, loaded by index and kept with
    their kin (see the module); :attr:`records` is a frame as
    :func:`~hub.resolution.records.load_person_records_for_linkage` gives, for this part."""

    def __init__(self, session: Session, standard_keys: pd.Series, redirects: dict[str, str]):
        self.session = session
        self.standard_keys = standard_keys  # address_code -> address_key (standard table)
        self.redirects = redirects
        self._absorbed = absorbed(redirects)
        self._frames: list[pd.DataFrame] = [
            pd.DataFrame({c: pd.Series(dtype=object) for c in PERSON_COLUMNS})
        ]
        self._kin: dict[object, set[str]] = {}  # resident ID or (name, profile) -> uids
        self._key_of: dict[str, object] = {}  # uid -> its kin key
        self.asked: set[str] = set()  # uids looked up (found or not)
        self._loaded: set[str] = set()
        self._resident_ids: set[str] = set()
        self._profiles: set[tuple[str, int]] = set()  # (name, profile) of loaded ID-less rows
        self._links: dict[str, str] = {}  # uid -> person id of the last run (as stored)
        self._linked: set[str] = set()  # uids whose link was looked up
        self._mates: set[str] = set()  # person ids whose records were looked up
        self._pairs: list[pd.DataFrame] = []
        self._paired: set[str] = set()  # uids whose stored pairs were read

    @property
    def records(self) -> pd.DataFrame:
        """Every loaded record (:data:`~hub.resolution.records.PERSON_COLUMNS`)."""
        if len(self._frames) > 1:
            self._frames = [pd.concat(self._frames, ignore_index=True)]
        return self._frames[0]

    # -- loading ---------------------------------------------------------------------------

    def add(self, uids: Iterable[str]) -> None:
        """Load these records (those that are current) and their kin."""
        wanted = set(uids) - self.asked
        self.asked |= wanted
        if wanted:
            found = read_in_uids(self.session, _PERSON_RECORDS, SourceRecord.dataset,
                                 SourceRecord.record_id, wanted, dates=["valid_from"])  # fmt: skip
            self._take(found)

    def add_candidates(self, rows: pd.DataFrame) -> None:
        """Load every current record that shares a blocking key with ``rows``, or their name
        and a resident ID a slip apart from one of theirs."""
        record = SourceRecord
        found: list[pd.DataFrame] = []
        bar: ColumnElement[str] = literal_column("'|'")
        sound = rows["name_pinyin"] + "|" + rows["birth_date"].str[:7]
        month = record.name_pinyin + bar + func.substr(record.birth_date, 1, 7)
        found.append(self._where("pinyin_birth", record.name_pinyin, _texts(rows["name_pinyin"]),
                                 month.in_(sorted(_texts(sound)))))  # fmt: skip
        found.append(self._where("phone", record.phone, _texts(rows["phone"])))
        born = rows["birth_date"] + "|" + rows["name"].str[:1]
        surname = record.birth_date + bar + func.substr(record.name, 1, 1)
        found.append(self._where("birth_name", record.birth_date, _texts(rows["birth_date"]),
                                 surname.in_(sorted(_texts(born)))))  # fmt: skip
        houses = _texts(rows["address_key"])
        found.append(self._where("address_key", record.address_key, houses))
        codes = self.standard_keys[isin(self.standard_keys, houses)].index
        found.append(self._where("address_code", record.address_code, set(codes)))
        found.append(self._slips(rows))
        self._take(pd.concat(found, ignore_index=True).drop_duplicates(["dataset", "record_id"]))

    def _slips(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Records with the name of one of ``rows`` and a resident ID a slip apart from its
        (:func:`~hub.resolution.persons.near_ids`).

        A slip changes one digit of the first 17, or two adjacent ones: it lies inside one of
        the windows 0-4, 4-8, 8-12 and 12-16, so the digits outside that window agree. The
        database compares those among the records of the name and returns only the few that
        agree; each is checked against the IDs it agrees with.
        """
        held = rows.dropna(subset=["name", "resident_id"]).drop_duplicates(["name", "resident_id"])
        if not len(held):
            return self._rows(set())
        rid, name = SourceRecord.resident_id, SourceRecord.name
        bar: ColumnElement[str] = literal_column("'|'")
        windows = ((0, 4), (4, 8), (8, 12), (12, 16))

        def outside(i: str, first: int, last: int) -> str:
            return i[:first] + i[last + 1 : 17]

        def outside_sql(first: int, last: int) -> ColumnElement[str]:
            head = func.substr(rid, 1, first) if first else literal_column("''")
            key: ColumnElement[str] = name + bar + head + func.substr(rid, last + 2, 16 - last)  # type: ignore[assignment]
            return key

        uids: set[str] = set()
        pairs = list(zip(held["name"], held["resident_id"], strict=True))
        for batch in chunks(pairs, 300):
            keyed: list[dict[str, set[str]]] = [{} for _ in windows]  # per window: key -> IDs
            for n, i in batch:
                for w, (first, last) in enumerate(windows):
                    keyed[w].setdefault(f"{n}|{outside(i, first, last)}", set()).add(i)
            agree = [outside_sql(first, last).in_(sorted(keyed[w]))
                     for w, (first, last) in enumerate(windows)]  # fmt: skip
            stmt = select(SourceRecord.dataset, SourceRecord.record_id, name, rid).where(
                name.in_(sorted({n for n, _ in batch})), SourceRecord.valid_to.is_(None),
                rid.is_not(None), or_(*agree), rid.not_in(sorted({i for _, i in batch})),
            )  # fmt: skip
            for dataset, record_id, found_name, found_id in self.session.execute(
                _by_index(stmt, "name_id")
            ):
                found = str(found_id)
                mine = {
                    i
                    for w, (first, last) in enumerate(windows)
                    for i in keyed[w].get(f"{found_name}|{outside(found, first, last)}", ())
                }
                if any(near_ids(found, i) for i in mine if i != found):
                    uids.add(f"{dataset}:{record_id}")
        return self._rows(uids - self._loaded)

    def _where(
        self, index: str, column: Any, values: Collection[str], *also: ColumnElement[bool]
    ) -> pd.DataFrame:
        """Current person records not loaded yet whose ``column`` is one of ``values`` (and
        ``also``), by the current-versions index ``index``, which covers the lookup (SQLite
        would rather scan the current-records index): the versions first, then the rows of
        those that are new here (most of what a lookup finds is the changed records' own kin,
        read already)."""
        stmt = select(SourceRecord.dataset, SourceRecord.record_id).where(
            SourceRecord.valid_to.is_(None), *also
        )
        found = read_in(self.session, _by_index(stmt, index), column, values)
        return self._rows(set(found["dataset"] + ":" + found["record_id"]) - self._loaded)

    def _rows(self, uids: set[str]) -> pd.DataFrame:
        """The person records ``uids`` (those current), with house keys, read from the
        current-records index."""
        frame = read_in_uids(self.session, _PERSON_RECORDS, SourceRecord.dataset,
                             SourceRecord.record_id, uids, dates=["valid_from"])  # fmt: skip
        return with_house_keys(frame, self._standard_frame())

    def _standard_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"address_code": self.standard_keys.index, "address_key": self.standard_keys.values}
        )

    def _take(self, frame: pd.DataFrame) -> None:
        """Add loaded rows, then their kin, until every loaded row's kin is loaded."""
        while len(frame):
            if "uid" not in frame.columns:
                frame = with_house_keys(frame, self._standard_frame())
                frame.insert(0, "uid", frame["dataset"] + ":" + frame["record_id"])
            frame = frame[_absent(frame["uid"], self._loaded)]
            if not len(frame):
                return
            self.asked |= set(frame["uid"])
            self._loaded |= set(frame["uid"])
            self._frames.append(frame[list(PERSON_COLUMNS)].reset_index(drop=True))
            held = frame["resident_id"].notna()
            for rid, uid in zip(frame.loc[held, "resident_id"], frame.loc[held, "uid"],
                                strict=True):  # fmt: skip
                self._kin.setdefault(rid, set()).add(uid)
                self._key_of[uid] = rid
            rids = set(frame.loc[held, "resident_id"]) - self._resident_ids
            self._resident_ids |= rids
            kin = [self._where("resident_id", SourceRecord.resident_id, rids)]
            loose = frame[~held & frame["name"].notna()]
            keys = list(zip(loose["name"], profile_hash(loose), strict=True))
            for key, uid in zip(keys, loose["uid"], strict=True):
                self._kin.setdefault(key, set()).add(uid)
                self._key_of[uid] = key
            profiles = set(keys) - self._profiles
            self._profiles |= profiles
            if profiles:
                named = self._where("name_id", SourceRecord.name, {n for n, _ in profiles},
                                    SourceRecord.resident_id.is_(None))  # fmt: skip
                named = named[named["resident_id"].isna()]
                found = pd.Series(list(zip(named["name"], profile_hash(named), strict=True)))
                kin.append(named[isin(found, profiles)])
            frame = pd.concat(kin, ignore_index=True).drop_duplicates(["dataset", "record_id"])
            if len(frame):
                frame = frame.assign(uid=frame["dataset"] + ":" + frame["record_id"])

    def closure(
        self,
        start: Iterable[str],
        fresh: pd.DataFrame,
        exclude: Collection[str],
        constraints: Constraints,
    ) -> set[str]:
        """The components of ``start``, walked outwards and loaded: a record's kin, the other
        side of its stored pairs (but those touching ``exclude``, re-scored) and of its
        ``fresh`` pairs, the other records of the person it belonged to, and the records a
        decision ties it to. Each step reads only what is new to the walk."""
        fresh_partners: dict[str, set[str]] = {}
        for left, right in zip(fresh["uid_l"], fresh["uid_r"], strict=True):
            fresh_partners.setdefault(left, set()).add(right)
            fresh_partners.setdefault(right, set()).add(left)
        seen: set[str] = set()
        frontier = set(start)
        while frontier:
            seen |= frontier
            self.add(frontier)
            keys = {self._key_of[u] for u in frontier if u in self._key_of}
            kin = {u for key in keys for u in self._kin.get(key, ())}
            pairs = self._pairs_of(frontier, exclude)
            links = self.links(frontier)
            persons = {resolve_redirect(links[u], self.redirects) for u in frontier if u in links}
            step = kin | pairs | self.mates(persons) | decided_partners(constraints, frontier)
            step |= {v for u in frontier for v in fresh_partners.get(u, ())}
            frontier = step - seen
        return seen

    def _pairs_of(self, uids: set[str], exclude: Collection[str]) -> set[str]:
        """The other side of the stored pairs of ``uids``, read once per uid."""
        wanted = uids - self._paired
        self._paired |= wanted
        if wanted:
            stmt = select(*(getattr(MatchPair, c) for c in PAIR_COLUMNS), MatchPair.evidence)
            for side in (MatchPair.uid_l, MatchPair.uid_r):
                self._pairs.append(read_in(self.session, stmt, side, wanted))
        out: set[str] = set()
        for frame in self._pairs[-2:] if wanted else ():
            for left, right in zip(frame["uid_l"], frame["uid_r"], strict=True):
                if left in exclude or right in exclude:
                    continue
                if left in uids:
                    out.add(right)
                if right in uids:
                    out.add(left)
        return out

    # -- what the last run left -------------------------------------------------------------

    def links(self, uids: Iterable[str]) -> dict[str, str]:
        """The stored person id (as stored, redirects not followed) of each of ``uids``."""
        wanted = set(uids) - self._linked
        self._linked |= wanted
        if wanted:
            stmt = select(RecordLink.dataset, RecordLink.record_id, RecordLink.entity_id).where(
                RecordLink.kind == EntityKind.PERSON
            )
            frame = read_in_uids(self.session, stmt, RecordLink.dataset, RecordLink.record_id,
                                 wanted)  # fmt: skip
            self._links.update(
                zip(frame["dataset"] + ":" + frame["record_id"], frame["entity_id"], strict=True)
            )
        return self._links

    def mates(self, persons: Iterable[str]) -> set[str]:
        """Every uid linked to these persons (or to ids that redirect to them)."""
        wanted = set(persons) - self._mates
        self._mates |= wanted
        if not wanted:
            return set()
        found = links_of(self.session, wanted, self._absorbed)
        self._links.update(found)
        self._linked |= set(found)
        return set(found)

    def previous_entity(self, gone: Iterable[str]) -> pd.Series:
        """uid -> person id of the last run (redirects followed), for the loaded records and
        ``gone``, as :func:`hub.resolution.run.resolve` builds it from every link."""
        links = self.links([*self.records["uid"], *gone])
        uids = sorted(links)
        return pd.Series([resolve_redirect(links[u], self.redirects) for u in uids],
                         index=pd.Index(uids, dtype=object), dtype=object)  # fmt: skip

    def stored_pairs(self, exclude: Collection[str]) -> pd.DataFrame:
        """The stored pairs read by :meth:`closure` between loaded records, but those touching
        ``exclude`` (re-scored)."""
        loaded = self._loaded
        if not self._pairs:
            return pd.DataFrame(columns=[*PAIR_COLUMNS, "evidence"])
        frame = pd.concat(self._pairs, ignore_index=True).drop_duplicates(["uid_l", "uid_r"])
        self._pairs = [frame]
        keep = (
            isin(frame["uid_l"], loaded) & isin(frame["uid_r"], loaded)
            & ~isin(frame["uid_l"], exclude) & ~isin(frame["uid_r"], exclude)
        )  # fmt: skip
        return frame[keep].reset_index(drop=True)


def decided_partners(constraints: Constraints, uids: Collection[str]) -> set[str]:
    """Records a steward decision (or an entry's assertion) ties to any of ``uids``."""
    out: set[str] = set()
    for left, right in (*constraints.must_link, *constraints.cannot_link):
        if left in uids or right in uids:
            out |= {left, right}
    return out


def _by_index(stmt: Any, index: str) -> Any:
    """``stmt`` told to search the current-versions index ``index``
    (:data:`hub.storage.ingest.BLOCKING_KEYS`) on SQLite; other databases choose."""
    return stmt.with_hint(SourceRecord, f"INDEXED BY ix_current_{index}", "sqlite")


def _absent(uids: pd.Series, known: set[str]) -> np.ndarray:
    """Which of ``uids`` are not in ``known`` (a Python lookup: the frames here are small,
    the set large)."""
    return np.fromiter((u not in known for u in uids), dtype=bool, count=len(uids))


def _texts(values: Iterable[object]) -> set[str]:
    """The text values among ``values`` (missing ones left out)."""
    return {v for v in values if isinstance(v, str)}


def _pairs(left: pd.Series, right: pd.Series) -> pd.Series:
    return pd.Series(list(zip(left, right, strict=True)), index=left.index, dtype=object)
