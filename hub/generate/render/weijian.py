"""weijian/: vaccination records (one per dose) and key health groups (one per group).

Clinics write names in traditional characters now and then, small children's first doses
without an ID (``id_type`` ``无``), foreign-document holders with a passport or permit
number, and a guardian's phone for children.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from hub.generate.render import Context, Rendered, people
from hub.generate.vaccines import SLOTS, doses

NEWBORN_DAYS = 90  # doses given this young are often recorded before the child has an ID
NEWBORN_WITHOUT_ID = 0.5


def vaccinations(ctx: Context, out: Rendered) -> Iterator[dict[str, Any]]:
    """Every recorded dose up to the snapshot date, person by person."""
    ids = ctx.world.ids.vaccination
    for person in ctx.world.persons:
        for dose in doses(person, ctx.on, ctx.dice):
            rid = ids.real(person.serial * SLOTS + dose.slot)
            day = dose.at.date()
            id_type, id_no = person.doc_type, person.doc_no
            if id_type == "居民身份证":
                young = day - person.birth < timedelta(days=NEWBORN_DAYS)
                if young and ctx.dice.chance(NEWBORN_WITHOUT_ID, "weijian.newborn", rid):
                    id_type, id_no = "无", ""
                    out.quirk("id_type_none")
                else:
                    id_no = people.id_text(ctx, out, rid, "id_no", id_no)
            else:
                out.quirk("foreign_document")
            out.person(rid, person)
            yield {
                "record_id": rid,
                "id_type": id_type,
                "id_no": id_no,
                "name": people.name(ctx, out, rid, person, traditional=True),
                "phone": people.phone(ctx, out, rid, person, day),
                "birth_date": f"{person.birth:%Y-%m-%d}",
                "vaccine": dose.vaccine,
                "dose": dose.dose,
                "vaccinated_at": f"{dose.at:%Y-%m-%dT%H:%M:%S}+08:00",
                "site": dose.site,
            }


def health_groups(ctx: Context, out: Rendered) -> Iterator[dict[str, Any]]:
    """Key-group registrations current on the snapshot date."""
    ids = ctx.world.ids.health
    for record in ctx.world.health:
        if not record.active(ctx.on):
            continue
        person = record.person
        rid = ids.real(record.serial)
        if person.doc_type == "居民身份证":
            id_no = people.id_text(ctx, out, rid, "id_no", person.id_no)
        else:
            id_no = person.doc_no
            out.quirk("foreign_document")
        out.person(rid, person)
        row: dict[str, Any] = {
            "record_id": rid,
            "id_no": id_no,
            "name": people.name(ctx, out, rid, person),
            "phone": people.phone(ctx, out, rid, person, ctx.on),
            "group": record.group,
            "family_doctor": record.doctor,
            "signed_at": f"{record.signed:%Y-%m-%d}",
        }
        yield row
