"""gongan/: the population register (人口) and the standard addresses (标准地址).

Public security is the authority: names and addresses are clean. Its quirks are of another
kind: legacy 15-digit IDs, floating people without an ID number, a few missing address codes,
and people who re-registered (an old cancelled row under another 人员编号).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hub.generate import noise
from hub.generate.idcard import legacy_id
from hub.generate.model import Person
from hub.generate.render import Context, Rendered
from hub.sources.problems import FieldCode

ID_COLUMN = "公民身份号码"


def population(ctx: Context, out: Rendered) -> Iterator[dict[str, Any]]:
    """One row per registration: the current one, plus cancelled earlier ones."""
    for person in ctx.world.persons:
        if person.registered > ctx.on:
            continue  # born, but not registered yet
        if person.old_registration is not None:
            yield _old_row(ctx, out, person)
        yield _row(ctx, out, person)


def _row(ctx: Context, out: Rendered, person: Person) -> dict[str, Any]:
    world = ctx.world
    rates = ctx.rates
    rid = world.ids.population.real(person.ga_serial)
    household = person.household
    u = ctx.dice.rolls("gongan.population", rid, 4)
    id_no = person.id_no
    if not id_no:
        out.quirk("floating_without_id")
    elif household.floating and u[0] < rates.floating_without_id:
        out.quirk("floating_without_id")
        id_no = ""
    elif person.birth.year < 1985 and u[1] < rates.legacy_id:
        out.issue(rid, ID_COLUMN, FieldCode.LEGACY_ID_UPGRADED)
        id_no = legacy_id(id_no)
    elif u[1] > 1 - rates.population_checksum:
        out.issue(rid, ID_COLUMN, FieldCode.INVALID_ID_CHECKSUM)
        id_no = noise.bad_checksum(id_no, u[3])
    house = person.house
    missing = rates.address_code_missing * (3 if household.floating else 1)
    address = "" if u[2] < missing else house.code
    if address:
        out.house(rid, house)
    else:
        out.quirk("address_code_missing")
    gone = person.gone
    out.person(rid, person)
    return {
        "人员编号": rid,
        "公民身份号码": id_no,
        "姓名": person.name,
        "性别": person.sex,
        "民族": person.ethnicity,
        "出生日期": f"{person.birth:%Y%m%d}",
        "户号": household.number,
        "与户主关系": person.relation,
        "人员类别": "流动人口" if household.floating else "户籍人口",
        "居住地址编码": address,
        "联系电话": person.phone,
        "登记日期": f"{person.registered:%Y-%m-%d}",
        "注销标志": "1" if gone is not None and gone <= ctx.on else "0",
    }


def _old_row(ctx: Context, out: Rendered, person: Person) -> dict[str, Any]:
    old = person.old_registration
    assert old is not None
    rid = ctx.world.ids.population.real(old.ga_serial)
    id_no = person.id_no
    if old.legacy_id:
        out.issue(rid, ID_COLUMN, FieldCode.LEGACY_ID_UPGRADED)
        id_no = legacy_id(id_no)
    if old.house is not None:
        out.house(rid, old.house)
    out.person(rid, person)
    out.quirk("reregistered")
    return {
        "人员编号": rid,
        "公民身份号码": id_no,
        "姓名": person.name,
        "性别": person.sex,
        "民族": person.ethnicity,
        "出生日期": f"{person.birth:%Y%m%d}",
        "户号": old.household_number,
        "与户主关系": person.relation,
        "人员类别": "户籍人口",
        "居住地址编码": old.house.code if old.house is not None else "",
        "联系电话": person.old_phone,
        "登记日期": f"{old.registered:%Y-%m-%d}",
        "注销标志": "1",
    }


def addresses(ctx: Context, out: Rendered) -> Iterator[dict[str, Any]]:
    """One row per house, non-residential units included."""
    for building in ctx.world.buildings:
        village = building.village
        for house in building.houses:
            out.house(house.code, house)
            yield {
                "地址编码": house.code,
                "乡镇": village.township.name,
                "村社区": village.name,
                "街路巷": building.street,
                "门牌号": house.door,
                "楼栋号": f"{building.number}幢" if building.number else "",
                "单元号": f"{house.stair}单元" if house.stair else "",
                "户室号": f"{house.room}室" if house.room else "",
                "楼栋编码": building.code,
                "房屋用途": house.purpose,
            }
