"""What each department knows about a person beyond identity, as GraphQL types.

Facts are rebuilt from the departments' current records at every publication; ``dataset``
and ``recordId`` name the record a fact came from.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from schema.fields import object_type


@object_type
class Registration:
    """Public security's household registration (户籍): type, household and relation."""

    registration_type: str | None  # 户籍人口 / 流动人口
    household_no: str | None
    relation_to_head: str | None


@object_type
class Benefit:
    """Civil affairs assistance (低保, 特困供养, 临时救助, 高龄补贴, 残疾人两项补贴)."""

    category: str
    monthly_amount: Decimal | None
    covered_count: int | None
    start_date: dt.date | None
    township: str | None
    note: str | None
    dataset: str
    record_id: str
    valid_from: dt.date
    valid_to: dt.date | None


@object_type
class Vaccination:
    """One vaccine dose from the provincial immunisation system (health data)."""

    vaccine: str
    dose: int | None
    vaccinated_at: dt.datetime | None
    site: str | None
    dataset: str
    record_id: str
    valid_from: dt.date
    valid_to: dt.date | None


@object_type
class HealthGroup:
    """Membership of a key health group, with the family doctor (health data)."""

    group: str
    family_doctor: str | None
    signed_at: dt.date | None
    dataset: str
    record_id: str
    valid_from: dt.date
    valid_to: dt.date | None


@object_type
class PartyMembership:
    """Party building: membership category, branch and role in the grid."""

    category: str | None
    joined_at: dt.date | None
    branch: str | None
    floating: bool | None
    grid_role: str | None
    dataset: str
    record_id: str
    valid_from: dt.date
    valid_to: dt.date | None
