"""Free-text addresses as clerks type them, and what each one denotes.

The standard address spells a flat ``龙浔镇 英山社区 英山路 8号 3幢 2单元 501室``. Clerks write
``英山路8号3幢501``, ``8号3#2单元-501``, ``德化县龙浔镇英山社区英山路8号3幢2单元501室``,
``浔中村3组128号`` or only ``浔中村3组``. Every rendering returns the *target*: the house it
still names (``house_key``, ``building_key``), the building only (a flat whose unit was left out
of a building of several units), or nothing (a villagers' group, ``同上``).
"""

from __future__ import annotations

from evalset import grids, names
from evalset.model import Building, House
from evalset.noise import Noise
from evalset.places import COUNTY, PROVINCE_CITY
from evalset.seeds import Rng

Target = tuple[str, str] | None  # (house_key or '', building_key)
FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
UNUSABLE = ("同上", "不详", "见户口本", "本村", "无", "/")


def house_target(house: House) -> tuple[str, str]:
    return (house.code, house.building.code)


def _number(text: str, noise: Noise, rng: Rng, factor: float) -> str:
    """A door number, sometimes in Chinese or full-width numerals."""
    if noise.hit("addr.numerals", factor):
        digits = "".join(c for c in text if c.isdigit())
        if digits and rng.chance(0.5) and int(digits) <= 99:
            return text.replace(digits, grids.numeral(int(digits)), 1)
        return text.translate(FULLWIDTH_DIGITS)
    return text


def _road(road: str, noise: Noise, rng: Rng, factor: float) -> str:
    if road and noise.hit("addr.road_typo", factor):
        body = names.homophone(road, 0, rng)
        return body or road
    return road


def render(
    house: House, noise: Noise, rng: Rng, factor: float = 1.0, formal: bool = False
) -> tuple[str, Target]:
    """A clerk's free text for ``house`` and the target it denotes. ``formal``: a system
    that writes the whole standard address (door plates), with fewer liberties."""
    building = house.building
    village = building.village
    f = factor * (0.3 if formal else 1.0)
    if not formal and noise.hit("addr.unusable", f):
        return rng.pick(UNUSABLE), None
    parts: list[str] = []
    if formal or noise.hit("addr.county_prefix", factor):
        parts.append(rng.pick((COUNTY, COUNTY, "福建省" + COUNTY, PROVINCE_CITY + COUNTY)))
    if formal or not noise.hit("addr.no_township", f):
        parts.append(village.township.name)
    road = _road(building.road, noise, rng, f)
    village_name = village.name
    if noise.hit("addr.abbreviated", f):
        village_name = village.short
    keep_village = not road or not village.community or not noise.hit("addr.no_village", f)
    if keep_village:
        parts.append(village_name)
    # Rural houses: the villagers' group, sometimes only the group.
    if building.group and not road:
        group = f"{building.group}组"
        if not formal and noise.hit("addr.group_only", f):
            parts.append(group)
            return "".join(parts), None
        if rng.chance(0.5) and not formal:
            parts.append(group)
    parts.append(road)
    door = _number(building.door, noise, rng, f)
    target: Target = house_target(house)
    several_buildings = len(building.compound) > 1
    if len(building.houses) == 1:  # a family house, a shop
        if not formal and building.kind == "house" and noise.hit("addr.short_form", f):
            door = door.replace("号", "#")
        parts.append(door)
        return "".join(parts), target
    # A building of several units: name the building, then the flat.
    units = {h.unit for h in building.houses}
    room = house.room.removesuffix("室")
    short = not formal and noise.hit("addr.short_form", f)
    bname = building.name
    if short and bname and rng.chance(0.4):
        bname = bname.replace("幢", rng.pick(("#", "栋", "#楼")))
    unit = house.unit
    dropped = unit and not formal and noise.hit("addr.unit_dropped", f)
    if dropped:
        unit = ""
        same_room = sum(1 for h in building.houses if h.room == house.room)
        if same_room > 1:
            target = ("", building.code)
    if short:
        style = rng.randrange(4)
        if style == 0:
            tail = f"{bname}{unit}-{room}"
        elif style == 1:
            tail = f"{bname}{unit}{room}"
        elif style == 2:
            tail = f"{bname}{unit} -{room}" if bname else f" -{room}"
        else:
            tail = f"{bname}{unit}{room}室"
    else:
        tail = f"{bname}{unit}{house.room}"
    if not bname and building.name and several_buildings:
        target = None
    if not house.room:
        target = ("", building.code) if len(units) > 1 or len(building.houses) > 1 else target
    parts.append(door + tail)
    return "".join(parts), target


def building_text(building: Building, noise: Noise, rng: Rng, formal: bool = True) -> str:
    """A door plate's address: the standard address down to the building."""
    village = building.village
    parts = [COUNTY, village.township.name]
    if not building.road or not noise.hit("addr.no_village", 0.3):
        parts.append(village.name)
    parts.append(building.road)
    parts.append(_number(building.door, noise, rng, 0.3))
    if building.name and len(building.compound) > 1:
        parts.append(building.name)
    return "".join(parts)


def gate_text(building: Building) -> str:
    """A compound gate's plate: the door number only, no building."""
    village = building.village
    return f"{COUNTY}{village.township.name}{village.name}{building.road}{building.door}"
