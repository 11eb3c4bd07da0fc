"""Identity numbers and phone numbers: resident IDs (GB 11643), legacy IDs, passes, phones."""

from __future__ import annotations

import operator
import random
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

#: Where floating residents' IDs were issued: other Quanzhou counties, Fujian, and the
#: provinces Dehua's ceramics industry recruits from.
FOREIGN_REGIONS: tuple[str, ...] = (
    "350521", "350524", "350525", "350583", "350582", "350502", "350426", "350481", "350128",
    "360730", "360731", "362330", "510722", "511324", "522121", "522425", "433130", "431124",
    "411323", "412726", "452123", "350622", "350823", "350925",
)  # fmt: skip
HOME_REGION = "350526"

MOBILE_PREFIXES: tuple[str, ...] = (
    "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157",
    "158", "159", "166", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "191", "198", "199",
)  # fmt: skip


def check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    total = sum(map(operator.mul, map(int, first17), _WEIGHTS))
    return _CHECK[total % 11]


def resident_id(region: str, birth: date, sequence: int) -> str:
    """An 18-character ID; ``sequence`` (0-999) is odd for men, even for women."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


def sequence_for(rng: random.Random, male: bool) -> int:
    """A random 3-digit order code of the right parity."""
    n = rng.randrange(0, 500) * 2
    return n + 1 if male else n


def legacy_id(id18: str) -> str:
    """The 15-digit first-generation form: no century, no check digit."""
    return id18[:6] + id18[8:17]


def wrong_check(id18: str, u: float) -> str:
    """The same ID with a different (wrong) check character."""
    others = [c for c in _CHECK if c != id18[17]]
    return id18[:17] + others[min(len(others) - 1, int(u * len(others)))]


def passport(rng: random.Random) -> str:
    """A Chinese ordinary passport number."""
    return "E" + f"{rng.randrange(10**8):08d}"


def hk_macau_permit(rng: random.Random) -> str:
    """A 港澳居民来往内地通行证 number (H for Hong Kong, M for Macau)."""
    return rng.choice("HHHM") + f"{rng.randrange(10**8):08d}"


class PhoneBook:
    """Hands out unique mobile and landline numbers."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def mobile(self) -> str:
        """A new 11-digit mobile number."""
        while True:
            number = self._rng.choice(MOBILE_PREFIXES) + f"{self._rng.randrange(10**8):08d}"
            if number not in self._used:
                self._used.add(number)
                return number

    def landline(self) -> str:
        """A new Dehua landline, ``0595-23xxxxxx``."""
        while True:
            number = f"0595-23{self._rng.randrange(10**6):06d}"
            if number not in self._used:
                self._used.add(number)
                return number
