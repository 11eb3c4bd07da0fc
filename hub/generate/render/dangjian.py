"""dangjian/: party members, with the branch named after the member's unit grid."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from hub.generate import noise
from hub.generate.addresses import free_text
from hub.generate.model import PartyMember
from hub.generate.render import Context, Rendered, people
from hub.sources.catalog import PARTY_MEMBERS
from hub.sources.problems import FieldCode

KEY = PARTY_MEMBERS.key
PROBATION = timedelta(days=365)


def members(ctx: Context, out: Rendered) -> Iterator[dict[str, Any]]:
    """One row per member on the snapshot date."""
    for member in ctx.world.members:
        if member.active(ctx.on):
            yield _row(ctx, out, member)


def _row(ctx: Context, out: Rendered, member: PartyMember) -> dict[str, Any]:
    rates = ctx.rates
    person = member.person
    rid = ctx.world.ids.party.real(member.serial)
    house = person.house
    township = house.building.village.township.name
    resp = house.building.resp
    branch = f"{township}{resp.unit.name}党支部" if resp is not None else f"{township}党委"
    u = ctx.dice.rolls(KEY + ":cells", rid, 4)
    dotted = u[0] < rates.month_variant
    if dotted:
        out.quirk("month_dotted")
    joined = f"{member.joined:%Y-%m-%d}"
    if u[1] < rates.invalid_date:
        out.issue(rid, "入党时间", FieldCode.INVALID_DATE)
        joined = noise.impossible_date(member.joined, u[2])
    phone = people.phone(ctx, out, rid, person, ctx.on)
    if len(phone) == 11 and u[3] < rates.invalid_phone:
        out.issue(rid, "联系电话", FieldCode.INVALID_PHONE)
        phone = noise.missing_digit(phone, u[2])
    address = free_text(house, ctx.dice.rolls(KEY + ":address", rid, 8), rates.address_variant)
    out.person(rid, person)
    out.house(rid, house)
    return {
        "党员编号": rid,
        "姓名": people.name(ctx, out, rid, person),
        "身份证号码": people.id_text(ctx, out, rid, "身份证号码", person.id_no),
        "性别": person.sex,
        "出生年月": noise.year_month(person.birth, dotted),
        "入党时间": joined,
        "党员类别": "预备党员" if ctx.on - member.joined < PROBATION else "正式党员",
        "所在党组织": branch,
        "流动党员": "是" if member.floating else "否",
        "网格职务": member.role,
        "联系电话": phone,
        "居住地址": address,
    }
