"""How an office writes a person: the name, resident ID and phone as typed, defects drawn.

Each office has a *profile*: which defects its clerks or systems make and how much more or less
often than the county average (a township office that types badly has a factor above 1).
Public security is the authority and is not typed through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from evalset import idcard, names
from evalset.model import Person
from evalset.noise import Noise
from evalset.seeds import Rng


@dataclass(frozen=True, slots=True)
class Profile:
    """An office's habits. ``hand``: typed by hand (homophones, spaces, nicknames)."""

    hand: bool = True
    factor: float = 1.0
    excel: bool = False  # IDs typed into spreadsheet cells
    spaces: bool = False  # stray spaces in names
    landline: float = 0.0  # factor on phone.landline
    two_numbers: bool = False
    plus86: bool = False


def name(person: Person, noise: Noise, rng: Rng, profile: Profile) -> str:
    """The name as this office writes it."""
    f = profile.factor
    text = person.name
    if person.former and noise.hit("name.former_used", f):
        text = person.former
    if "·" in text:
        if noise.hit("name.minority_separator", f):
            text = text.replace("·", rng.pick(names.MINORITY_SEPARATORS))
        return text
    if person.rare and noise.hit("name.rare_replaced"):
        text = names.rare_replaced(text, rng)
    surname_len = len(person.surname)
    if len(text) - surname_len >= 2 and noise.hit("name.truncated", f):
        text = text[:-1]
    if profile.hand:
        if noise.hit("name.homophone", f):
            text = names.homophone(text, surname_len, rng) or text
        if noise.hit("name.nickname", f) and len(text) > surname_len:
            text = text[:surname_len] + names.nickname(text[surname_len:], rng)
    if noise.hit("name.lookalike", f):
        text = names.lookalike(text, rng) or text
    if profile.spaces and noise.hit("name.spaces", f):
        text = names.spaced(text, rng)
    return text


def resident_id(
    person: Person, noise: Noise, rng: Rng, profile: Profile, household: list[Person] | None = None
) -> str | float:
    """The ID as typed: a string, or a float where a spreadsheet cell took it as a number."""
    f = profile.factor
    rid = person.rid
    if not rid or noise.hit("id.missing", f):
        return ""
    if household and profile.excel and noise.hit("id.household_member", f):
        others = [p for p in household if p is not person and p.rid and p.active]
        if others:
            rid = rng.pick(others).rid
    if person.birth.year < 1982 and noise.hit("id.legacy", f):
        return idcard.legacy15(rid)
    if noise.hit("id.check_digit", f):
        rid = idcard.wrong_check(rid)
    elif noise.hit("id.transposed", f):
        rid = idcard.transposed(rid, rng)
    elif noise.hit("id.one_digit", f):
        rid = idcard.one_digit(rid, rng)
    if profile.excel and noise.hit("id.excel_number", f):
        return idcard.excel_float(rid) if rng.chance(0.6) else idcard.excel_text(rid)
    if rid.endswith("X"):
        if profile.excel and noise.hit("id.x_dropped", f):
            rid = rid[:17]
        elif noise.hit("id.x_lower", f):
            rid = rid[:17] + "x"
    if profile.hand and noise.hit("id.spaces", f):
        rid = idcard.spaced(rid, rng)
    if profile.hand and noise.hit("id.fullwidth", f):
        rid = rid.translate(idcard.FULLWIDTH)
    return rid


def phone(
    person: Person, today: date, noise: Noise, rng: Rng, profile: Profile, landline: str = ""
) -> str:
    """The phone as this office has it: own or a family member's mobile, an old number, the
    home landline, two numbers, with spaces, dashes or +86; or nothing."""
    f = profile.factor
    number = person.phone
    if not number and person.age_on(today) >= 70 and noise.hit("phone.family"):
        number = person.contact()
    if person.old_phone and noise.hit("phone.old_kept", f):
        number = person.old_phone
    if noise.hit("phone.missing", f):
        return ""
    if landline and profile.landline and noise.hit("phone.landline", f * profile.landline):
        number = landline if not number or rng.chance(0.5) else number
    if number and profile.two_numbers and noise.hit("phone.two_numbers", f):
        other = landline or person.old_phone or person.contact()
        if other and other != number:
            number = f"{number}{rng.pick(('/', '/', '、', ' / '))}{other}"
    if number and not number.startswith("0") and noise.hit("phone.format", f):
        number = rng.pick(
            (
                f"{number[:3]} {number[3:7]} {number[7:]}",
                f"{number[:3]}-{number[3:7]}-{number[7:]}",
                f"{number[:3]} {number[3:]}",
            )
        )
    if number and profile.plus86 and not number.startswith("0") and noise.hit("phone.plus86", f):
        number = rng.pick(("+86", "+86 ", "86", "+86-")) + number
    return number
