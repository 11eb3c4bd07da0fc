"""Derived tags on a person, computed once per publication."""

from __future__ import annotations

import datetime as dt
import enum

import pandas as pd


class Tag(enum.StrEnum):
    """Stored in ``person_tag.tag``; the GraphQL enum is derived from this one."""

    PARTY_MEMBER = "party_member"
    LOW_INCOME = "low_income"  # 低保 or 特困供养
    ELDERLY = "elderly"  # 65 or older on the publication's snapshot date
    LIVING_ALONE = "living_alone"  # the only active member of a household
    FLOATING = "floating"  # 流动人口: registered elsewhere, living here
    UNVACCINATED = "unvaccinated"  # no vaccination record at all
    KEY_HEALTH_GROUP = "key_health_group"


LOW_INCOME_CATEGORIES = frozenset({"低保", "特困供养"})
ELDERLY_AGE = 65


#: Tags that depend on other persons (a household's other members) or on the date, not on the
#: person's own records alone: computed over every published person, every run.
SHARED_TAGS = frozenset({Tag.ELDERLY, Tag.LIVING_ALONE})
#: Tags a person's own records decide: computed with the golden record.
OWN_TAGS = frozenset(Tag) - SHARED_TAGS


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def shared_tags(persons: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """``person_id``/``tag`` rows of :data:`SHARED_TAGS` for ``persons`` (every published
    person: ``id``, ``status``, ``birth_date``, ``household_no``, ``lives_alone``), sorted.

    Elderly: 65 or older on ``as_of``. Living alone: what the grid worker last reported
    (``lives_alone``), else being the only active member of a household.
    """
    active = persons[persons["status"] == "active"]
    cutoff = years_before(as_of, ELDERLY_AGE)
    old_enough = active["birth_date"].map(lambda d: isinstance(d, dt.date) and d <= cutoff)
    elderly = active.loc[old_enough.astype(bool), "id"]
    sizes = active.groupby("household_no")["id"].transform("size")
    by_household = (sizes == 1) & active["household_no"].notna()
    reported = active["lives_alone"].map(lambda v: None if v is None or pd.isna(v) else bool(v))
    alone = active.loc[reported.where(reported.notna(), by_household).astype(bool), "id"]
    rows = pd.concat([
        pd.DataFrame({"person_id": elderly.to_numpy(), "tag": Tag.ELDERLY.value}),
        pd.DataFrame({"person_id": alone.to_numpy(), "tag": Tag.LIVING_ALONE.value}),
    ], ignore_index=True)  # fmt: skip
    return rows.sort_values(["person_id", "tag"]).reset_index(drop=True)
