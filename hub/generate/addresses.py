"""Free-text addresses the way clerks type them.

One house can be written many ways: with or without ``德化县``, with spaces, ``3幢`` / ``3栋``
/ ``三幢`` / ``3号楼``, ``501`` / ``501室``, the stair (单元) left out, and in villages by the
villagers' group (``浔中村3组``) with or without the door number. The canonical form
(township, village, street, door, building, stair, room) is what :func:`free_text` writes when
the dice say "no variant".
"""

from __future__ import annotations

from hub.generate.model import Building, House
from hub.generate.places import chinese_number

COUNTY = "德化县"
PREFIXES = ("德化县", "德化县", "德化县", "福建省德化县", "泉州市德化县")


def building_label(number: int, u: float) -> str:
    """楼栋号 as typed: 3幢, 3栋, 三幢 or 3号楼."""
    if number == 0:
        return ""
    if u < 0.4:
        return f"{number}幢"
    if u < 0.7:
        return f"{number}栋"
    if u < 0.85:
        return f"{chinese_number(number)}幢"
    return f"{number}号楼"


def door_plate_address(building: Building) -> str:
    """The door plate's own address: full, with the county, down to the building."""
    village = building.village
    return (
        f"{COUNTY}{village.township.name}{village.name}{building.street}{building.door}"
        f"{building_label(building.number, 0.0)}"
    )


def canonical(house: House) -> str:
    """Township, village, street, door, building, stair and room, nothing left out."""
    b = house.building
    return (
        f"{b.village.township.name}{b.village.name}{b.street}{house.door}"
        f"{building_label(b.number, 0.0)}{f'{house.stair}单元' if house.stair else ''}"
        f"{f'{house.room}室' if house.room else ''}"
    )


def free_text(house: House, rolls: list[float], variant_rate: float) -> str:
    """The house as a clerk wrote it; ``rolls`` are 8 uniform numbers for the choices."""
    if rolls[0] >= variant_rate:
        return canonical(house)
    b = house.building
    village = b.village
    prefix = PREFIXES[int(rolls[1] * 10)] if rolls[1] < 0.5 else ""
    township = "" if rolls[7] < 0.05 else village.township.name
    gap = " " if rolls[2] < 0.25 and township else ""
    if b.group and (not b.street or rolls[6] < 0.5):
        return prefix + township + gap + village.name + _village_tail(house, rolls[6])
    building = building_label(b.number, rolls[3])
    stair = f"{house.stair}单元" if house.stair and rolls[4] < 0.5 else ""
    room = ""
    if house.room:
        room = house.room + ("室" if rolls[5] < 0.5 else "" if rolls[5] < 0.9 else "号")
    return f"{prefix}{township}{gap}{village.name}{b.street}{house.door}{building}{stair}{room}"


def _village_tail(house: House, u: float) -> str:
    """After the village name: the group, the door number, or both."""
    group = f"{house.building.group}组"
    if u < 0.2:
        return group
    if u < 0.4:
        return group + house.door
    return house.door if u < 0.45 else group + house.door


def report_place(building: Building, u: float) -> str:
    """Where a citizen says something is: a street and door, or a village group."""
    village = building.village
    if building.street:
        near = "附近" if u < 0.6 else "门口" if u < 0.8 else "对面"
        return f"{building.street}{building.door}{near}"
    return f"{village.name}{building.group or 1}组路口"


def report_address(building: Building, u: float) -> str:
    """The address the reporting app stores (from the phone's map, so fairly regular)."""
    village = building.village
    prefix = COUNTY if u < 0.7 else ""
    return f"{prefix}{village.township.name}{village.name}{building.street}{building.door}"
