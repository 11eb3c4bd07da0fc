"""Free-text addresses parsed into the standard address table's vocabulary.

The standard address (gongan/标准地址) writes 门牌号 ``12号``/``12-3号``, 楼栋号 ``3幢``,
单元号 ``2单元`` and 户室号 ``501室``. Clerks write ``3栋``, ``三幢``, ``3#``, ``501``,
spaces, and traditional characters. :func:`parse_address` reads the parts left to right in
the order addresses are written (township, village, group, road, number, building, unit,
room); the first text it cannot place ends the parse and is kept in ``rest``, unguessed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from hub.normalise.names import to_simplified
from hub.normalise.text import CN_NUMERAL_CHARS, collapse_spaces, numeral_to_int, to_text
from hub.sources.catalog import TOWNSHIPS

LEVELS = ("township", "village", "road", "number", "building", "unit", "room")
_RANK = {level: rank for rank, level in enumerate(LEVELS, start=1)}
_PREFIXES = ("中国", "福建省", "福建", "泉州市", "泉州", "德化县")
# A township written without 镇/乡; taken only when what follows cannot continue the word
# into a village or road name (浔中村 is a village, not 浔中镇 + 村).
_SHORT_TOWNSHIPS = {name[:-1]: name for name in TOWNSHIPS}
_NOT_AFTER_SHORT = tuple("村社居路街巷弄道组号幢栋")

_N = rf"(?:[0-9]+|[{CN_NUMERAL_CHARS}]+)"  # a number in digits or Chinese numerals
_CJK = r"[\u4e00-\u9fff]"
_VILLAGE = re.compile(
    rf"({_CJK}{{1,8}}?)(村民委员会|村委会|村|社区居民委员会|社区居委会|社区|居委会)"
    r"(?!路|街|巷|弄|大道|大街)"
)
_GROUP = re.compile(rf"第?({_N})(?:村民小组|小组|组)")
_ROAD = re.compile(rf"({_CJK}{{1,12}}?(?:大道|大街|路|街|巷|弄)(?:{_N}(?:巷|弄))?)")
_BUILDING = re.compile(rf"第?({_N}|[A-Za-z])(?:幢|栋|座|#|号楼)")
_NUMBER = re.compile(r"([0-9]+)(?:[-之]([0-9]+))?(号)?")
_UNIT = re.compile(rf"第?({_N})单元")
_ROOM = re.compile(rf"({_N})(室|号房|房|号)?")
_NOT_IN_ROAD = frozenset("号幢栋座室组元")
_SEPARATORS = " ,、;"
_DASHES = str.maketrans(dict.fromkeys("—–―~", "-"))
_INNER_SPACE = re.compile(r"(?<![0-9]) | (?![0-9])")  # a space only separates two numbers


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """An address split into the standard address table's parts."""

    original: str | None
    township: str | None = None  # one of catalog.TOWNSHIPS
    village: str | None = None  # "宝美村", "英山社区"
    group: str | None = None  # 村民小组 "3组" (free text only; not part of key())
    road: str | None = None  # "宝美路"
    number: str | None = None  # "12号", "12-3号"
    building: str | None = None  # "3幢"
    unit: str | None = None  # "2单元"
    room: str | None = None  # "501室"
    rest: str | None = None  # the unparsed tail, None when fully parsed

    @property
    def precision(self) -> str:
        """The finest level reached: room, building, number, road, village, township, none."""
        if self.room:
            return "room"
        if self.building or self.unit:
            return "building"
        for level in ("number", "road", "village", "township"):
            if getattr(self, level):
                return level
        return "village" if self.group else "none"

    def key(self, level: str = "room") -> str | None:
        """Canonical match key up to ``level`` (one of :data:`LEVELS`).

        Missing parts are empty and trailing empty parts dropped, so ``…|12号`` of a house
        without rooms equals its standard address. ``None`` when nothing was parsed, or when
        ``level`` is finer than what was parsed and an unparsed rest may have said more.
        """
        depth = _RANK[level]
        if self.precision == "none":
            return None
        if self.rest is not None and depth > _RANK.get(self.precision, 0):
            return None
        parts = [getattr(self, name) or "" for name in LEVELS[:depth]]
        while parts and not parts[-1]:
            parts.pop()
        return "|".join(parts)


def parse_address(text: object, *, default_township: str | None = None) -> ParsedAddress:
    """Parse a free-text address; ``default_township`` fills a township the text omits."""
    original = to_text(text)
    if original is None:
        return ParsedAddress(None, township=_township(default_township))
    s = _prepare(original)
    pos = _skip(s, _strip_prefixes(s))
    township, pos = _match_township(s, pos)
    pos = _skip(s, pos)
    parts: dict[str, str | None] = {"township": township or _township(default_township)}
    for slot, parse in _SLOTS:
        value, pos = parse(s, pos, parts)
        parts[slot] = value
        pos = _skip(s, pos)
    rest = s[pos:] or None
    return ParsedAddress(original, rest=rest, **parts)


def standard_address(
    township: object,
    village: object,
    road: object,
    number: object,
    building: object,
    unit: object,
    room: object,
) -> ParsedAddress:
    """An address from the standard address columns, in the vocabulary of :func:`parse_address`.

    The columns are authoritative: a value that does not follow the usual shape is kept as
    cleaned text rather than rejected.
    """
    texts = [to_text(value) for value in (township, village, road, number, building, unit, room)]
    parts = {
        level: None if text is None else _standard_part(level, text)
        for level, text in zip(LEVELS, texts, strict=True)
    }
    return ParsedAddress("|".join(text or "" for text in texts), **parts)


# Standard columns repeat heavily (every flat of a building shares six of seven values).
@functools.lru_cache(maxsize=1 << 14)
def _standard_part(level: str, text: str) -> str | None:
    value = _prepare(text).replace(" ", "")
    if not value:
        return None
    if level == "township":
        return _township(value)
    shape = _STANDARD_SHAPES.get(level)
    if shape is None:
        return value
    pattern, name, bare_suffix = shape
    m = pattern.fullmatch(value)
    if m is None and bare_suffix:  # "3" in the 楼栋号 column means "3幢"
        m = pattern.fullmatch(value + bare_suffix)
    return value if m is None else name(m)


def _prepare(original: str) -> str:
    text = to_simplified(collapse_spaces(original)).translate(_DASHES)
    return _INNER_SPACE.sub("", text)


def _skip(s: str, pos: int) -> int:
    while pos < len(s) and s[pos] in _SEPARATORS:
        pos += 1
    return pos


def _strip_prefixes(s: str) -> int:
    pos = 0
    for prefix in _PREFIXES:
        if s.startswith(prefix, pos):
            pos = _skip(s, pos + len(prefix))
    # "德化" alone is the county only when a township follows.
    if s.startswith("德化", pos) and _match_township(s, pos + 2)[0]:
        pos += 2
    return pos


def _township(name: str | None) -> str | None:
    if not name:
        return None
    return name if name in TOWNSHIPS else _SHORT_TOWNSHIPS.get(name, name)


def _match_township(s: str, pos: int) -> tuple[str | None, int]:
    for name in TOWNSHIPS:
        if s.startswith(name, pos):
            return name, pos + len(name)
    for short, name in _SHORT_TOWNSHIPS.items():
        end = pos + len(short)
        if s.startswith(short, pos) and end < len(s) and not s.startswith(_NOT_AFTER_SHORT, end):
            return name, end
    return None, pos


Parsed = tuple[str | None, int]


def _village(s: str, pos: int, parts: dict[str, str | None]) -> Parsed:
    m = _VILLAGE.match(s, pos)
    return (_village_name(m), m.end()) if m else (None, pos)


def _group(s: str, pos: int, parts: dict[str, str | None]) -> Parsed:
    m = _GROUP.match(s, pos)
    return (_numbered(m, "组"), m.end()) if m else (None, pos)


def _road(s: str, pos: int, parts: dict[str, str | None]) -> Parsed:
    m = _ROAD.match(s, pos)
    if not m or _NOT_IN_ROAD.intersection(m.group(1)):
        return None, pos
    return m.group(1), m.end()


def _number(s: str, pos: int, parts: dict[str, str | None]) -> Parsed:
    if _BUILDING.match(s, pos):  # "3号楼" is a building, not door number 3
        return None, pos
    m = _NUMBER.match(s, pos)
    if not m or s.startswith(("幢", "栋", "座", "#", "单元", "室", "房", "组"), m.end()):
        return None, pos
    return _number_name(m), m.end()


def _building(s: str, pos: int, parts: dict[str, str | None]) -> Parsed:
    m = _BUILDING.match(s, pos)
    return (_numbered(m, "幢"), m.end()) if m else (None, pos)


def _unit(s: str, pos: int, parts: dict[str, str | None]) -> Parsed:
    m = _UNIT.match(s, pos)
    return (_numbered(m, "单元"), m.end()) if m else (None, pos)


def _room(s: str, pos: int, parts: dict[str, str | None]) -> Parsed:
    m = _ROOM.match(s, pos)
    if not m:
        return None, pos
    suffix = m.group(2)
    in_building = bool(parts["building"] or parts["unit"])
    # A bare number ends the address as a room inside a building (8号3幢501), and after a
    # door number when it has the 3-4 digits of a room (英山路8号301: flat 301 of number 8,
    # how a flat in a building without a 幢 is written; likewise 39号101号). Otherwise "号"
    # means a room only in a building; elsewhere it is a door number.
    digits = m.group(1)
    room_shaped = bool(parts["number"]) and digits.isdigit() and 3 <= len(digits) <= 4
    explicit = suffix in ("室", "房", "号房") or (suffix == "号" and (in_building or room_shaped))
    bare = (
        suffix is None and m.end() == len(s) and digits.isdigit() and (in_building or room_shaped)
    )
    if explicit or bare:
        return _numbered(m, "室"), m.end()
    return None, pos


_SLOTS = (
    ("village", _village),
    ("group", _group),
    ("road", _road),
    ("number", _number),
    ("building", _building),
    ("unit", _unit),
    ("room", _room),
)


def _village_name(m: re.Match[str]) -> str:
    name, suffix = m.group(1), m.group(2)
    return name + ("村" if suffix.startswith("村") else "社区")


def _number_name(m: re.Match[str]) -> str:
    main, sub = m.group(1), m.group(2)
    return f"{int(main)}-{int(sub)}号" if sub else f"{int(main)}号"


def _numbered(m: re.Match[str], suffix: str) -> str:
    token = m.group(1)
    number = numeral_to_int(token)
    return f"{token.upper() if number is None else number}{suffix}"


_STANDARD_SHAPES: dict[str, tuple[re.Pattern[str], Callable[[re.Match[str]], str], str]] = {
    "village": (_VILLAGE, _village_name, ""),
    "number": (_NUMBER, _number_name, ""),  # "号" is optional in the pattern
    "building": (_BUILDING, lambda m: _numbered(m, "幢"), "幢"),
    "unit": (_UNIT, lambda m: _numbered(m, "单元"), "单元"),
    "room": (_ROOM, lambda m: _numbered(m, "室"), ""),
}
