"""The current source records that resolution works on, as pandas frames.

Only the match keys extracted at ingest are read (never the JSON documents), so loading the
county's ~1.4 million person records stays a single fast query per dataset.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.sources import catalog
from hub.storage.frames import isin, read_frame, read_in_uids
from hub.storage.models import SourceRecord

#: Datasets whose records describe a person (a reporter of 随手拍 is linked by phone, as a
#: fact, not as an identity record).
PERSON_DATASETS: tuple[str, ...] = (
    catalog.POPULATION.key,
    catalog.ASSISTANCE.key,
    catalog.VACCINATIONS.key,
    catalog.HEALTH_GROUPS.key,
    catalog.PARTY_MEMBERS.key,
    catalog.ENTRIES_KEY,
)

#: Datasets whose records carry an address to link to a house or a building.
ADDRESS_DATASETS: tuple[str, ...] = (
    catalog.ADDRESSES.key,
    catalog.POPULATION.key,
    catalog.ASSISTANCE.key,
    catalog.PARTY_MEMBERS.key,
    catalog.DOOR_PLATES.key,
    catalog.ENTRIES_KEY,
)

PERSON_COLUMNS = (
    "uid", "dataset", "record_id", "version_id", "valid_from", "name", "name_pinyin",
    "resident_id", "birth_date", "sex", "phone", "address_code", "address_key", "household_no",
)  # fmt: skip


def uid(dataset: str, record_id: str) -> str:
    """The record's key across datasets: record ids of different sources are unrelated."""
    return f"{dataset}:{record_id}"


def load_person_records(
    session: Session, datasets: tuple[str, ...] = PERSON_DATASETS
) -> pd.DataFrame:
    """One row per current person record, with the match keys extracted at ingest.

    ``birth_date`` is ``YYYY-MM-DD`` or ``YYYY-MM`` (month only); ``resident_id`` is set only
    for a valid, normalised ID.
    """
    keys = [getattr(SourceRecord, name) for name in PERSON_COLUMNS[5:]]
    version = SourceRecord.id.label("version_id")
    return _current(session, datasets, version, SourceRecord.valid_from, *keys)


def load_address_records(
    session: Session, datasets: tuple[str, ...] = ADDRESS_DATASETS
) -> pd.DataFrame:
    """One row per current record that carries an address code or a parsed address key."""
    return _current(session, datasets, SourceRecord.address_code, SourceRecord.address_key)


#: The parsed parts of a free-text address, as ingest stored them under ``fields.address``.
ADDRESS_PART_COLUMNS = (
    "township", "village", "group", "road", "number", "building", "unit", "room", "rest",
)  # fmt: skip


def load_address_parts(
    session: Session,
    datasets: tuple[str, ...] = ADDRESS_DATASETS,
    *,
    uids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Like :func:`load_address_records`, plus the parsed parts of free-text addresses.

    The key alone loses what resolution needs: whether the text named a 村民小组 (``group``)
    and the parts before an unparsed ``rest`` (the key is empty then). Parts are ``None`` for
    records without a free-text address (population, standard addresses). ``uids``: only
    these records (those of ``datasets`` that are current), looked up by index.
    """
    address = SourceRecord.fields["address"]
    parts = [address[name].as_string().label(name) for name in ADDRESS_PART_COLUMNS]
    version = SourceRecord.id.label("version_id")
    columns = (version, SourceRecord.address_code, SourceRecord.address_key, *parts)
    if uids is None:
        return _current(session, datasets, *columns)
    query = select(SourceRecord.dataset, SourceRecord.record_id, *columns).where(
        SourceRecord.dataset.in_(datasets), SourceRecord.valid_to.is_(None)
    )
    frame = read_in_uids(session, query, SourceRecord.dataset, SourceRecord.record_id, uids)
    frame = frame.sort_values(["dataset", "record_id"], ignore_index=True)
    frame.insert(0, "uid", frame["dataset"] + ":" + frame["record_id"])
    return frame


def with_house_keys(persons: pd.DataFrame, standard: pd.DataFrame) -> pd.DataFrame:
    """``persons`` with ``address_key`` filled from the standard address of ``address_code``
    where only the code was delivered (population), so that a registered house and a typed
    address compare. ``standard`` has ``address_code`` and ``address_key`` columns."""
    keys = standard.dropna(subset=["address_code"]).drop_duplicates("address_code")
    by_code = keys.set_index("address_code")["address_key"]
    missing = persons["address_key"].isna() & persons["address_code"].notna()
    out = persons.copy()
    out.loc[missing, "address_key"] = out.loc[missing, "address_code"].map(by_code)
    return out


def load_person_records_for_linkage(session: Session) -> pd.DataFrame:
    """:func:`load_person_records` with house keys (:func:`with_house_keys`): the input of
    :func:`hub.resolution.persons.link_persons`."""
    standard = load_address_records(session, (catalog.ADDRESSES.key,))
    return with_house_keys(load_person_records(session), standard)


# -- identity profiles --------------------------------------------------------------------------

#: The match keys: records equal on all of them share an identity profile.
PROFILE_COLUMNS = (
    "resident_id", "name", "name_pinyin", "birth_date", "sex", "phone", "address_code",
    "address_key", "household_no",
)  # fmt: skip


# Sounds that speakers of southern Mandarin (and the clerks who hear them) do not tell apart:
# zh/z ch/c sh/s, n/l, r/l, h/f, hu-/w- (黄王不分), -ng/-n.
_FUZZY = (
    (re.compile(r"\bhu(?=[aeiou])"), "w"),
    (re.compile(r"\b([zcs])h"), r"\1"),
    (re.compile(r"\b[nr]"), "l"),
    (re.compile(r"\bh"), "f"),
    (re.compile(r"(?<=[aei])ng\b"), "n"),
)


def fuzzy_pinyin(pinyin: str) -> str:
    """The pinyin key with sounds that are commonly confused made equal."""
    for pattern, replacement in _FUZZY:
        pinyin = pattern.sub(replacement, pinyin)
    return pinyin


def names_compatible(a: str, b: str, pinyin_a: str, pinyin_b: str) -> bool:
    """Could these be one person's name typed twice: equal, sound-alikes (same or fuzzy pinyin),
    the same Latin words in another order, or one character apart in a name of three or more."""
    if a == b or pinyin_a == pinyin_b or sorted(pinyin_a.split()) == sorted(pinyin_b.split()):
        return True
    if fuzzy_pinyin(pinyin_a) == fuzzy_pinyin(pinyin_b):
        return True
    return len(a) == len(b) >= 3 and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def trusted_ids(records: pd.DataFrame) -> pd.Series:
    """Each record's resident ID where it may link by it, else NA.

    An ID's reference name is its population (public security) name, else its most frequent
    one. A record whose name is not compatible with it does not keep the ID: a typo made it
    someone else's. With no clear reference (two names, equally frequent), only names
    compatible with all of them keep it.
    """
    held = records.loc[records["resident_id"].notna(), ["resident_id", "name", "name_pinyin"]]
    distinct = held.drop_duplicates(["resident_id", "name"])["resident_id"]
    held = held[isin(held["resident_id"], set(distinct[distinct.duplicated()]))]
    held = held.assign(authority=records.loc[held.index, "dataset"] == catalog.POPULATION.key)
    counted = held.groupby(["resident_id", "name", "name_pinyin"]).agg(
        authority=("authority", "max"), count=("authority", "size")
    )
    ranked = counted.reset_index().sort_values(
        ["resident_id", "authority", "count", "name"], ascending=[True, False, False, True]
    )
    contradicted: list[tuple[str, str]] = []
    rows: list[tuple[Any, ...]] = list(ranked.itertuples(index=False, name=None))
    for rid, group in itertools.groupby(rows, lambda row: row[0]):  # id, name, pinyin, rank
        named = list(group)
        refs = [r for r in named if r[3:] == named[0][3:]]
        for _, name, pinyin, *_rank in named:
            if not all(names_compatible(name, r[1], pinyin, r[2]) for r in refs):
                contradicted.append((rid, name))
    trusted = records["resident_id"].copy()
    if contradicted:
        keys = pd.MultiIndex.from_arrays([records["resident_id"], records["name"]])
        trusted[isin(keys, contradicted)] = pd.NA
    return trusted


def profile_hash(records: pd.DataFrame) -> pd.Series:
    """A hash of each record's match keys (as text), stable across runs: equal keys, equal
    profile."""
    text = records[list(PROFILE_COLUMNS)].astype("str").reset_index(drop=True)
    return pd.util.hash_pandas_object(text, index=False)


def identity_profiles(records: pd.DataFrame) -> pd.DataFrame:
    """Per record (in ``uid`` order): its match keys, ``profile`` (a hash of them, stable across
    runs), ``rep`` (the profile's smallest uid) and ``trusted_id`` (:func:`trusted_ids`)."""
    out = records[["uid", "dataset", *PROFILE_COLUMNS]].astype("str")
    if not out["uid"].is_monotonic_increasing:
        out = out.sort_values("uid")
    out = out.reset_index(drop=True)
    out["profile"] = profile_hash(out)
    out["rep"] = out["uid"].groupby(out["profile"]).transform("min")
    out["trusted_id"] = trusted_ids(out)
    return out


def _current(session: Session, datasets: tuple[str, ...], *columns: Any) -> pd.DataFrame:
    """``uid``, ``dataset``, ``record_id`` and ``columns`` of the datasets' current records,
    in a stable order (one query; columns are named by their labels)."""
    query = (
        select(SourceRecord.dataset, SourceRecord.record_id, *columns)
        .where(SourceRecord.dataset.in_(datasets), SourceRecord.valid_to.is_(None))
        .order_by(SourceRecord.dataset, SourceRecord.record_id)
    )
    dates = [c.key for c in query.selected_columns if c.key == "valid_from"]
    frame = read_frame(session, query, dates=dates)
    frame.insert(0, "uid", frame["dataset"] + ":" + frame["record_id"])
    return frame
