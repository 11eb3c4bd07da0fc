"""Person fields as the non-authoritative departments write them: names, IDs, phones.

Public security (gongan) is the authority and writes them cleanly; everyone else makes the
occasional homophone typo, has an old phone number on file, or mistypes an ID digit.
"""

from __future__ import annotations

from datetime import date

from hub.generate import noise
from hub.generate.model import Person
from hub.generate.names import homophone_typo, to_traditional, with_stray_spaces
from hub.generate.render import Context, Rendered
from hub.sources.problems import FieldCode


def name(
    ctx: Context,
    out: Rendered,
    record_id: str,
    person: Person,
    *,
    spaces: bool = False,
    traditional: bool = False,
) -> str:
    """The name, maybe in traditional characters, with a homophone, or with stray spaces."""
    rates = ctx.rates
    u = ctx.dice.rolls(out.dataset.key + ":name", record_id, 3)
    value = person.name
    if traditional and u[0] < rates.traditional_name:
        converted = to_traditional(value)
        if converted != value:
            out.quirk("traditional_name")
            return converted
    if u[1] < rates.name_typo:
        typo = homophone_typo(value, u[2])
        if typo is not None:
            out.quirk("name_typo")
            value = typo
    if spaces and u[2] < rates.name_spaces:
        out.quirk("name_spaces")
        value = with_stray_spaces(value, u[0])
    return value


def id_text(ctx: Context, out: Rendered, record_id: str, column: str, id_no: str) -> str:
    """The ID as text: now and then with a wrong check digit or a digit typed twice."""
    if not id_no:
        return ""
    rates = ctx.rates
    u = ctx.dice.rolls(out.dataset.key + ":id", record_id, 2)
    if u[0] < rates.id_checksum:
        out.issue(record_id, column, FieldCode.INVALID_ID_CHECKSUM)
        return noise.bad_checksum(id_no, u[1])
    if u[0] < rates.id_checksum + rates.id_format:
        out.issue(record_id, column, FieldCode.INVALID_ID_FORMAT)
        return noise.doubled_digit(id_no, u[1])
    return id_no


def phone(ctx: Context, out: Rendered, record_id: str, person: Person, on: date) -> str:
    """The person's mobile as the department has it: a guardian's for children, maybe old."""
    owner = person
    if person.age(on) < 14 and person.guardian is not None:
        owner = person.guardian
        out.quirk("guardian_phone")
    if owner.old_phone and ctx.dice.chance(
        ctx.rates.stale_phone, out.dataset.key + ":phone", record_id
    ):
        out.quirk("stale_phone")
        return owner.old_phone
    return owner.phone


def family_phone(person: Person, on: date) -> str:
    """Another household member's mobile, for people who have none."""
    for member in person.household.living(on):
        if member is not person and member.phone:
            return member.phone
    return ""
