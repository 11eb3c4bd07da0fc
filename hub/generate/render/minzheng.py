"""minzheng/: the monthly register of people receiving assistance (救助对象, a workbook).

Typed by hand in township offices: IDs typed into number cells, lower-case x, spaces; names
with stray spaces or homophones; landlines and two phones in one cell; amounts as ``650.00``
or ``650元``; start dates in five forms. Cell values keep their Excel types (numbers, dates).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hub.generate import noise
from hub.generate.addresses import free_text
from hub.generate.model import Benefit
from hub.generate.render import Context, Rendered, people
from hub.sources.catalog import ASSISTANCE
from hub.sources.problems import FieldCode

KEY = ASSISTANCE.key


def assistance(ctx: Context, out: Rendered) -> Iterator[dict[str, Any]]:
    """One row per benefit running on the snapshot date (a person may have two)."""
    for benefit in ctx.world.benefits:
        if benefit.active(ctx.on):
            yield _row(ctx, out, benefit)


def _row(ctx: Context, out: Rendered, benefit: Benefit) -> dict[str, Any]:
    rates = ctx.rates
    rid = ctx.world.ids.assistance.real(benefit.serial)
    person = benefit.person
    house = person.house
    u = ctx.dice.rolls(KEY + ":cells", rid, 8)
    id_cell, id_damaged = _id_cell(ctx, out, rid, person.id_no)
    sex = person.sex
    if u[0] < rates.sex_missing:
        out.quirk("sex_missing")
        sex = ""
    elif u[0] > 1 - rates.sex_conflict and not id_damaged:
        out.issue(rid, "性别", FieldCode.ID_CONFLICT)
        sex = "女" if person.male else "男"
    amount: int | str = benefit.amount
    if u[1] < rates.amount_variant:
        amount = noise.typed_amount(benefit.amount, u[2])
        out.quirk("amount_text" if isinstance(amount, str) else "amount_number")
    start: Any = f"{benefit.start:%Y-%m-%d}"
    if u[3] < rates.invalid_date:
        out.issue(rid, "起始日期", FieldCode.INVALID_DATE)
        start = noise.impossible_date(benefit.start, u[4])
    elif u[3] > 1 - rates.date_variant:
        start = noise.typed_date(benefit.start, u[4])
        out.quirk("date_cell" if not isinstance(start, str) else "date_text_variant")
    covered = len(person.household.living(ctx.on)) if benefit.kind == "低保" else 1
    address_rolls = ctx.dice.rolls(KEY + ":address", rid, 8)
    out.person(rid, person)
    out.house(rid, house)
    return {
        "救助编号": rid,
        "姓名": people.name(ctx, out, rid, person, spaces=True),
        "身份证号": id_cell,
        "性别": sex,
        "联系电话": _phones(ctx, out, rid, benefit, u[5:8]),
        "家庭住址": free_text(house, address_rolls, rates.address_variant),
        "救助类别": benefit.kind,
        "保障人数": max(1, covered),
        "月保障金额": amount,
        "起始日期": start,
        "所属乡镇": house.building.village.township.name,
        "备注": benefit.note,
    }


def _id_cell(ctx: Context, out: Rendered, rid: str, id_no: str) -> tuple[str | float, bool]:
    """The ID cell and whether it was damaged (then the ID is no reference for 性别)."""
    rates = ctx.rates
    u = ctx.dice.rolls(KEY + ":idcell", rid, 3)
    # IDs ending in X suffer more: Excel will not take the X, so the clerk leaves it out.
    if id_no and u[0] < rates.id_excel_number * (3 if id_no.endswith("X") else 1):
        out.issue(rid, "身份证号", FieldCode.EXCEL_MANGLED_ID)
        out.quirk("id_x_dropped" if id_no.endswith("X") else "id_number_cell")
        return noise.excel_number(id_no), True
    text = people.id_text(ctx, out, rid, "身份证号", id_no)
    if text.endswith("X") and u[1] < rates.id_lowercase_x:
        out.quirk("id_lowercase_x")
        text = text[:-1] + "x"
    if text and u[2] < rates.id_spaces:
        out.quirk("id_spaces")
        text = noise.spaced_id(text, u[1])
    return text, text != id_no and text.replace(" ", "").upper() != id_no


def _phones(ctx: Context, out: Rendered, rid: str, benefit: Benefit, u: list[float]) -> str:
    rates = ctx.rates
    person = benefit.person
    own = people.phone(ctx, out, rid, person, ctx.on) or people.family_phone(person, ctx.on)
    landline = person.household.landline
    if landline and (not own or u[0] < rates.landline):
        out.quirk("landline")
        own, landline = landline, own
    second = landline or people.family_phone(person, ctx.on)
    if own and second and second != own and u[1] < rates.two_phones:
        out.quirk("two_phones")
        return f"{own}/{second}"
    if own and len(own) == 11 and u[2] < rates.invalid_phone:
        out.issue(rid, "联系电话", FieldCode.INVALID_PHONE)
        return noise.missing_digit(own, u[0])
    return own
