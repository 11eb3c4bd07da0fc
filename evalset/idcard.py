"""Resident ID numbers (GB 11643-1999) and the ways people and spreadsheets mangle them."""

from __future__ import annotations

from datetime import date

from evalset.seeds import Rng

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")

#: Dehua itself, then the places people marry or move in from (neighbouring counties) and the
#: provinces the ceramics workshops' floating workers come from.
DEHUA = "350526"
NEIGHBOURS = ("350524", "350525", "350583", "350582", "350425", "350426", "350322", "350521")
FAR_AWAY = (
    "522401",
    "522422",
    "522426",
    "520203",
    "510623",
    "513030",
    "511321",
    "362330",
    "362131",
    "360729",
    "433127",
    "431026",
    "452226",
    "412726",
    "341225",
    "532128",
)


def check_digit(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def make_id(area: str, birth: date, sex: str, rng: Rng) -> str:
    """An 18-character ID; the sequence's last digit is odd for men, even for women."""
    seq = rng.randrange(0, 100) * 10 + (rng.randrange(0, 10, 2) + (1 if sex == "男" else 0))
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def legacy15(rid: str) -> str:
    """The 15-digit ID the same person held before 1999 (two-digit year, no check digit)."""
    return rid[:6] + rid[8:17]


def wrong_check(rid: str) -> str:
    good = rid[17]
    return rid[:17] + next(c for c in "0123456789X" if c != good and c != CHECK[0])


def transposed(rid: str, rng: Rng) -> str:
    for _ in range(10):
        i = rng.randrange(6, 16)  # inside the birth date and sequence
        if rid[i] != rid[i + 1]:
            return rid[:i] + rid[i + 1] + rid[i] + rid[i + 2 :]
    return wrong_check(rid)


def one_digit(rid: str, rng: Rng) -> str:
    i = rng.randrange(0, 17)
    digit = str((int(rid[i]) + rng.randrange(1, 10)) % 10)
    return rid[:i] + digit + rid[i + 1 :]


def excel_float(rid: str) -> float:
    """What Excel keeps of an ID typed into a General cell: 15 significant digits."""
    digits = rid[:17] if rid.endswith("X") else rid
    return float(f"{digits[:15]}e{len(digits) - 15}")


def excel_text(rid: str) -> str:
    """The same number as the cell shows it, copied as text: ``3.50526E+17``."""
    return f"{excel_float(rid):.5E}".replace("E+", "E+")


def spaced(rid: str, rng: Rng) -> str:
    if rng.chance(0.5):
        return f"{rid[:6]} {rid[6:14]} {rid[14:]}"
    i = rng.randrange(1, len(rid))
    return rid[:i] + " " + rid[i:]


def is_valid(rid: str) -> bool:
    return len(rid) == 18 and rid[:17].isdigit() and check_digit(rid[:17]) == rid[17]
