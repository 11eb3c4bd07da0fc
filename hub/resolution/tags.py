"""Derived tags on a person, computed once per publication."""

from __future__ import annotations

import enum


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
