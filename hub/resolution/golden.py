"""Golden persons: survivorship over each cluster's records, provenance for every value,
and the derived tags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hub.resolution.survivorship import FieldRule, recency, survive
from hub.resolution.tags import LOW_INCOME_CATEGORIES, Tag
from hub.sources import catalog
from hub.storage.models import EntityStatus

#: Golden columns that come straight from a record column of the same name (after rules).
RECORD_FIELDS = ("name", "resident_id", "sex", "birth_date", "phone", "household_no")
#: Golden columns that come from one dataset's facts (:mod:`hub.resolution.facts`).
EXTRA_FIELDS = {
    "ethnicity": catalog.POPULATION.key,
    "relation_to_head": catalog.POPULATION.key,
    "registration_type": catalog.POPULATION.key,
    "lives_alone": catalog.ENTRIES_KEY,
}
#: What a grid worker may report that makes a person no longer a resident of the county.
EXIT_EVENTS = frozenset({"died", "moved_away"})


@dataclass(frozen=True, slots=True)
class GoldenPersons:
    persons: pd.DataFrame  # one row per person id, columns of the ``person`` table
    provenance: (
        pd.DataFrame
    )  # entity_id, field, value, dataset, record_id, valid_from, rule, alternatives
    tags: pd.DataFrame  # person_id, tag


def build_persons(
    records: pd.DataFrame,
    entity_of: Mapping[str, str],
    house_of: Mapping[str, str],
    population: pd.DataFrame,
    facts: Mapping[str, pd.DataFrame],
    rules: Mapping[str, FieldRule],
    *,
    as_of: dt.date,
    grid_of_house: Mapping[str, str],
) -> GoldenPersons:
    """Build golden persons from current ``records`` and their clusters (``entity_of``).

    ``records`` carries ``trusted_id`` (:func:`~hub.resolution.records.trusted_ids`): only a
    trusted resident ID can become a person's, since an ID a typo made someone else's would
    give two persons one ID. ``tags`` holds the tags a person's own records decide; the ones
    that depend on other persons or on the date (:data:`~hub.resolution.tags.SHARED_TAGS`)
    are computed over the whole published model (:func:`~hub.resolution.tags.shared_tags`).
    """
    frame = records[["uid", "dataset", "record_id", "valid_from", "name_pinyin",
                     *(f for f in RECORD_FIELDS if f != "resident_id")]].copy()  # fmt: skip
    frame["resident_id"] = records["trusted_id"].astype(object)
    frame["entity_id"] = frame["uid"].map(entity_of)
    frame["house_id"] = frame["uid"].map(house_of)
    for column, dataset in EXTRA_FIELDS.items():
        source = population if dataset == catalog.POPULATION.key else facts[dataset]
        frame[column] = frame["uid"].map(source.set_index("uid")[column]).astype(object)
    base = frame[["entity_id", "dataset", "record_id", "valid_from"]].assign(
        recency=recency(frame["valid_from"]) - entry_moments(frame),
        entity_code=pd.factorize(frame["entity_id"], sort=True)[0],
        record_code=pd.factorize(frame["record_id"], sort=True)[0],
    )
    winners: dict[str, pd.DataFrame] = {}
    for name, rule in rules.items():
        winners[name] = survive(base.assign(value=frame[name]), rule)
    persons = pd.DataFrame({"id": sorted(frame["entity_id"].unique())}).set_index("id")
    for name, won in winners.items():
        persons[name] = won.set_index("entity_id")["value"]
    pinyin = frame.set_index(["dataset", "record_id"])["name_pinyin"]
    name_won = winners["name"]
    persons["name_pinyin"] = pd.Series(
        pinyin.reindex(list(zip(name_won["dataset"], name_won["record_id"], strict=True))).values,
        index=name_won["entity_id"],
    )
    persons["birth_precision"] = persons["birth_date"].map(
        lambda v: None if not isinstance(v, str) else ("day" if len(v) == 10 else "month")
    )
    persons["birth_date"] = persons["birth_date"].map(_as_date)
    persons["grid_code"] = persons["house_id"].map(grid_of_house)
    persons["status"] = _status(frame, population, facts[catalog.ENTRIES_KEY])
    persons = persons.reset_index().astype(object).where(lambda d: d.notna(), None)
    provenance = pd.concat(
        [won.assign(field=name, rule=rules[name].label) for name, won in winners.items()],
        ignore_index=True,
    )
    entries = facts[catalog.ENTRIES_KEY].set_index("record_id")
    entered = provenance["dataset"] == catalog.ENTRIES_KEY
    provenance["recorded_by"] = provenance["record_id"].map(entries["author"]).where(entered)
    provenance["recorded_at"] = (
        provenance["record_id"].map(entries["recorded_at"]).where(entered).map(_moment)
    )
    tags = _tags(frame, persons, facts)
    return GoldenPersons(persons, provenance, tags)


def _moment(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _as_date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    text = value if len(value) == 10 else f"{value}-01"
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _status(frame: pd.DataFrame, population: pd.DataFrame, entries: pd.DataFrame) -> pd.Series:
    """Ended when public security holds only cancelled records (died, moved away), or when a
    grid worker's latest entry says so and public security has said nothing newer."""
    pop = frame[frame["dataset"] == catalog.POPULATION.key][["entity_id", "uid", "valid_from"]]
    cancelled = pop["uid"].map(population.set_index("uid")["cancelled"]).fillna(False)
    all_cancelled = cancelled.astype(bool).groupby(pop["entity_id"]).all()
    status = pd.Series(EntityStatus.ACTIVE, index=sorted(frame["entity_id"].unique()))
    status[all_cancelled[all_cancelled].index] = EntityStatus.ENDED
    mine = frame[frame["dataset"] == catalog.ENTRIES_KEY]
    if len(mine):
        moment = recency(mine["valid_from"]) - entry_moments(mine)
        latest = (
            mine.assign(moment=moment, event=mine["uid"].map(entries.set_index("uid")["event"]))
            .sort_values(["entity_id", "moment", "record_id"], ascending=[True, True, False])
            .drop_duplicates("entity_id")
            .set_index("entity_id")
        )
        newest_register = pop.groupby("entity_id")["valid_from"].max()
        register = newest_register.reindex(latest.index)
        overtaken = [  # public security registered the person again after the entry
            isinstance(r, dt.date) and r > v
            for r, v in zip(register, latest["valid_from"], strict=True)
        ]
        exited = latest["event"].isin(EXIT_EVENTS).to_numpy() & ~np.array(overtaken, bool)
        status[latest.index[exited]] = EntityStatus.ENDED
    return status


def entry_moments(frame: pd.DataFrame) -> pd.Series:
    """Nanoseconds since midnight at which a grid worker's entry was made (its record id
    says: ``GE`` + YYYYMMDDHHMMSS + sequence), so later entries of one day win recency;
    zero for department records, whose snapshot has only a date."""
    entry = (frame["dataset"] == catalog.ENTRIES_KEY).to_numpy()
    moments = pd.Series(0, index=frame.index, dtype="int64")
    if entry.any():
        clock = frame.loc[entry, "record_id"].str.slice(10, 16)
        seconds = (clock.str.slice(0, 2).astype(int) * 3600 + clock.str.slice(2, 4).astype(int)
                   * 60 + clock.str.slice(4, 6).astype(int))  # fmt: skip
        sequence = frame.loc[entry, "record_id"].str.slice(16).astype(int)
        moments[entry] = (seconds * 1_000_000 + sequence % 1_000_000) * 1_000
    return moments


def _tags(
    frame: pd.DataFrame, persons: pd.DataFrame, facts: Mapping[str, pd.DataFrame]
) -> pd.DataFrame:
    """The tags a person's own records decide (:data:`~hub.resolution.tags.OWN_TAGS`)."""
    by_dataset = frame.groupby("dataset")["entity_id"]
    members = {name: set(group) for name, group in by_dataset}
    active = persons[persons["status"] == EntityStatus.ACTIVE]
    tagged: list[tuple[str, str]] = []

    def add(tag: Tag, ids: object) -> None:
        tagged.extend((pid, tag.value) for pid in sorted(set(ids)))  # type: ignore[call-overload]

    add(Tag.PARTY_MEMBER, members.get(catalog.PARTY_MEMBERS.key, ()))
    benefits = facts[catalog.ASSISTANCE.key]
    low = benefits[benefits["category"].isin(LOW_INCOME_CATEGORIES)]["uid"]
    add(Tag.LOW_INCOME, low.map(frame.set_index("uid")["entity_id"]).dropna())
    add(Tag.FLOATING, active["id"][active["registration_type"] == "流动人口"])
    vaccinated = members.get(catalog.VACCINATIONS.key, set())
    add(Tag.UNVACCINATED, [pid for pid in active["id"] if pid not in vaccinated])
    add(Tag.KEY_HEALTH_GROUP, members.get(catalog.HEALTH_GROUPS.key, ()))
    return pd.DataFrame(tagged, columns=["person_id", "tag"])
