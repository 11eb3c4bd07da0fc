"""Unique numbers drawn at random: record ids, household numbers, phones, resident IDs."""

from __future__ import annotations

from datetime import date

from evalset import idcard
from evalset.seeds import Rng

MOBILE_PREFIXES = (
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "187",
    "188",
    "182",
    "183",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "133",
    "153",
    "180",
    "181",
    "189",
    "177",
    "199",
    "173",
    "166",
)


class Unique:
    """Draws values no one drew before (per namespace)."""

    def __init__(self, rng: Rng) -> None:
        self.rng = rng
        self.used: dict[str, set[str]] = {}

    def _take(self, space: str, make: object) -> str:
        seen = self.used.setdefault(space, set())
        while True:
            value = make() if callable(make) else str(make)
            if value not in seen:
                seen.add(value)
                return value

    def code(self, prefix: str, digits: int, space: str | None = None) -> str:
        return self._take(space or prefix, lambda: prefix + self.rng.digits(digits))

    def claim(self, space: str, value: str) -> bool:
        """Mark a value taken; False when it already was."""
        seen = self.used.setdefault(space, set())
        if value in seen:
            return False
        seen.add(value)
        return True

    def mobile(self) -> str:
        return self._take("phone", lambda: self.rng.pick(MOBILE_PREFIXES) + self.rng.digits(8))

    def landline(self) -> str:
        return self._take("phone", lambda: "0595-23" + self.rng.digits(6))

    def resident_id(self, area: str, birth: date, sex: str) -> str:
        return self._take("rid", lambda: idcard.make_id(area, birth, sex, self.rng))

    def household(self) -> str:
        return self._take("household", lambda: str(self.rng.randint(100_000_000, 999_999_999)))
