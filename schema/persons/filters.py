"""``PersonFilter``: the conditions departments combine, and the SQL they become.

Every condition given must hold. Filtering on personal data needs the grant to read the field
it filters on, and a tag filter needs every tag it names granted (a filter on tags answers "who
is low-income" as surely as the field does, and so does its ``totalCount``).
"""

from __future__ import annotations

import datetime as dt

import strawberry
from sqlalchemy import ColumnElement, select

from hub.api.access import DataCategory, Viewer
from hub.normalise import normalise_name, pinyin_key
from hub.storage import models
from schema.enums import EntityStatus, Tag
from schema.errors import BadUserInput, Forbidden
from schema.fields import input_type
from schema.grids.rollups import in_subtree


@input_type
class AgeRange:
    """Age in whole years, both ends included, on a reference date."""

    min: int | None = None
    max: int | None = None
    on: dt.date | None = strawberry.field(
        default=None,
        description="Reference date; null: the current publication's snapshot date.",
    )


@input_type
class TagFilter:
    """Conditions on tags: at least one of ``any``, all of ``all``, none of ``none``."""

    any: list[Tag] | None = None
    all: list[Tag] | None = None
    none: list[Tag] | None = None


@input_type
class PersonFilter:
    """Conditions on residents; every condition given must hold."""

    grid_code: str | None = strawberry.field(
        default=None, description="A grid code: residents anywhere in that grid's subtree."
    )
    township: str | None = strawberry.field(
        default=None, description="Township of the resident's house, e.g. 龙浔镇."
    )
    age: AgeRange | None = None
    sex: str | None = strawberry.field(default=None, description="男 or 女.")
    tags: TagFilter | None = None
    name: str | None = strawberry.field(
        default=None, description="Exact name (normalised: spaces, traditional characters)."
    )
    name_sounds_like: str | None = strawberry.field(
        default=None, description="Names with the same toneless pinyin (陈秀英 ~ 陈秀瑛)."
    )
    status: EntityStatus | None = strawberry.field(
        default=EntityStatus.ACTIVE, description="Null: any status."
    )


def years_before(on: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for a 29 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def person_conditions(
    where: PersonFilter, viewer: Viewer, age_on: dt.date
) -> list[ColumnElement[bool]]:
    """SQL conditions for ``where`` inside the viewer's grid scope; ``age_on`` is the
    reference date for an age range without its own."""
    person = models.Person
    conditions: list[ColumnElement[bool]] = []
    if viewer.grid_scope is not None:
        conditions.append(in_subtree(person.grid_code, viewer.grid_scope))
    if where.status is not None:
        conditions.append(person.status == where.status)
    if where.grid_code is not None:
        _require(viewer, DataCategory.RESIDENCE, "Person.grid", "gridCode")
    if where.township is not None:
        _require(viewer, DataCategory.RESIDENCE, "Person.house", "township")
    if where.grid_code is not None:
        conditions.append(in_subtree(person.grid_code, where.grid_code))
    if where.township is not None:
        houses = select(models.House.id).where(models.House.township == where.township)
        conditions.append(person.house_id.in_(houses))
    for value, coordinate, what in (
        (where.age, "Person.age", "age"),
        (where.sex, "Person.sex", "sex"),
        (where.name, "Person.name", "name"),
        (where.name_sounds_like, "Person.name", "nameSoundsLike"),
    ):
        if value is not None:
            _require(viewer, DataCategory.IDENTITY, coordinate, what)
    if where.sex is not None:
        conditions.append(person.sex == where.sex)
    if where.name is not None:
        conditions.append(person.name == (normalise_name(where.name).value or where.name))
    if where.name_sounds_like is not None:
        conditions.append(person.name_pinyin == pinyin_key(where.name_sounds_like))
    if where.age is not None:
        conditions.extend(_age(where.age, where.age.on or age_on))
    if where.tags is not None:
        conditions.extend(_tags(where.tags, viewer))
    return conditions


def _age(age: AgeRange, on: dt.date) -> list[ColumnElement[bool]]:
    born = models.Person.birth_date
    if age.min is not None and age.max is not None and age.min > age.max:
        raise BadUserInput("age.min must not exceed age.max.")
    conditions: list[ColumnElement[bool]] = []
    if age.min is not None:
        conditions.append(born <= years_before(on, age.min))
    if age.max is not None:
        conditions.append(born > years_before(on, age.max + 1))
    return conditions


def _tags(tags: TagFilter, viewer: Viewer) -> list[ColumnElement[bool]]:
    named = {*(tags.any or ()), *(tags.all or ()), *(tags.none or ())}
    _require(viewer, DataCategory.TAGS, "Person.tags", "tags")
    refused = sorted(tag.name for tag in named - viewer.tags)
    if refused:
        raise Forbidden(f"Filtering on tag {', '.join(refused)} is not granted to your role.")
    person_id = models.Person.id

    def tagged(*wanted: Tag) -> ColumnElement[bool]:
        chosen = select(models.PersonTag.person_id).where(models.PersonTag.tag.in_(wanted))
        return person_id.in_(chosen)

    conditions: list[ColumnElement[bool]] = []
    if tags.any is not None:
        conditions.append(tagged(*tags.any))
    conditions.extend(tagged(tag) for tag in tags.all or ())
    if tags.none:
        conditions.append(~tagged(*tags.none))
    return conditions


def _require(viewer: Viewer, category: DataCategory, coordinate: str, what: str) -> None:
    if not viewer.reads(category, coordinate):
        raise Forbidden(f"Filtering on {what} needs the `{category}` grant.")
