"""Person names: spaces, traditional characters, middle dots, and a pinyin key for homophones.

Clinics serving relatives from Hong Kong and Taiwan type names in traditional characters, and
township clerks pad two-character names with spaces (``张  三``). Minority names join their
parts with whatever dot the input method offered. The pinyin key lets the linker see that a
clerk typed a homophone (``陈秀英`` / ``陈秀瑛``).

A surname is read as a surname: pypinyin reads 曾 as *ceng* (曾经), but the surname is *Zeng*,
so 曾伟 and its homophone typo 增伟 must share the key *zeng wei*. :data:`SURNAME_READINGS`
holds the surnames whose surname reading is not the character's everyday one (after the
《现代汉语词典》 entries marked 姓), :data:`COMPOUND_SURNAMES` the two-character surnames, which
are read as a whole (长孙 is *Zhangsun*, not 长 *Chang*).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.normalise.text import collapse_spaces, to_text

if TYPE_CHECKING:
    from opencc import OpenCC

MIDDLE_DOT = "·"
# NFKC has already folded U+FF65 to U+30FB and U+FF0E to ".".
_DOTS = str.maketrans(dict.fromkeys("•‧・∙⋅.", MIDDLE_DOT))
# A space survives only between two Latin letters ("John Smith" on a passport).
_INNER_SPACE = re.compile(r"(?<![A-Za-z]) | (?![A-Za-z])")
# A Han name: CJK ideographs only (a minority name's middle dot or Latin letters are not).
_HAN_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]{2,}")

#: Toneless surname readings that differ from what pypinyin reads for the character in a name
#: (or that it reads from a phrase the surname happens to start: 曾经 ceng jing).
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
    "乐": "yue", "覃": "qin", "翟": "zhai", "盖": "ge", "缪": "miao", "尉": "wei", "车": "che",
    "种": "chong", "秘": "bi", "繁": "po", "员": "yun", "华": "hua", "任": "ren", "沈": "shen",
    "长": "chang", "重": "chong", "万": "wan", "纪": "ji", "藏": "zang", "折": "she", "召": "shao",
    "隗": "wei", "宓": "fu", "句": "gou", "能": "nai", "祭": "zhai", "阚": "kan", "洗": "xian",
    "过": "guo", "谌": "chen", "牟": "mou", "褚": "chu",
}  # fmt: skip
#: Two-character surnames and their readings; they win over :data:`SURNAME_READINGS`.
COMPOUND_SURNAMES: dict[str, tuple[str, str]] = {
    "欧阳": ("ou", "yang"), "司马": ("si", "ma"), "上官": ("shang", "guan"),
    "诸葛": ("zhu", "ge"), "尉迟": ("yu", "chi"), "长孙": ("zhang", "sun"),
    "万俟": ("mo", "qi"), "令狐": ("ling", "hu"), "皇甫": ("huang", "fu"),
    "澹台": ("tan", "tai"), "乐正": ("yue", "zheng"), "公孙": ("gong", "sun"),
    "慕容": ("mu", "rong"), "宇文": ("yu", "wen"), "东方": ("dong", "fang"),
    "夏侯": ("xia", "hou"), "端木": ("duan", "mu"), "司徒": ("si", "tu"),
    "司空": ("si", "kong"), "钟离": ("zhong", "li"), "呼延": ("hu", "yan"),
    "轩辕": ("xuan", "yuan"), "淳于": ("chun", "yu"), "申屠": ("shen", "tu"),
    "赫连": ("he", "lian"), "拓跋": ("tuo", "ba"), "独孤": ("du", "gu"),
    "南宫": ("nan", "gong"), "闻人": ("wen", "ren"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PersonName:
    """A delivered name beside its normalised form."""

    original: str | None
    value: str | None  # no spaces (but between Latin words), simplified, NFKC, one middle dot
    pinyin: str | None  # toneless syllables joined by spaces, e.g. "chen xiu ying"
    converted: bool  # traditional characters were converted


def normalise_name(raw: object) -> PersonName:
    """Normalise a person's name; ``value`` is ``None`` when the name is blank."""
    original = to_text(raw)
    if original is None:
        return PersonName(None, None, None, False)
    return _normalise(original)


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese (OpenCC ``t2s``), for any free text."""
    if text.isascii():
        return text
    return _converter().convert(text)


def pinyin_key(text: str) -> str:
    """Toneless pinyin of ``text`` (spaces removed, simplified first), one space per syllable.

    Punctuation (the middle dot of minority names) is dropped; Latin letters and digits are
    kept as lower-case words.
    """
    return _pinyin(to_simplified(_compact(text)))


def _compact(text: str) -> str:
    compact = _INNER_SPACE.sub("", collapse_spaces(text))
    return compact if compact.isascii() else compact.translate(_DOTS)


@functools.cache
def _converter() -> OpenCC:
    from opencc import OpenCC

    return OpenCC("t2s")


# Names repeat a lot (a county has a few thousand distinct given names per surname), but the
# county's residents have more than 2**16 distinct names: the cache holds 2**18.
@functools.lru_cache(maxsize=1 << 18)
def _normalise(original: str) -> PersonName:
    compact = _compact(original)
    if not compact:
        return PersonName(original, None, None, False)
    simplified = to_simplified(compact)
    return PersonName(original, simplified, _name_pinyin(simplified), simplified != compact)


def _name_pinyin(name: str) -> str:
    """The pinyin key of a normalised name, its surname read as a surname."""
    key = _pinyin(name)
    if not _HAN_NAME.fullmatch(name):
        return key
    syllables = key.split(" ")
    if len(syllables) != len(name):  # a character without a reading: leave the key alone
        return key
    compound = COMPOUND_SURNAMES.get(name[:2])
    if compound is not None and len(name) > 2:
        syllables[:2] = compound
    elif name[0] in SURNAME_READINGS:
        syllables[0] = SURNAME_READINGS[name[0]]
    return " ".join(syllables)


@functools.lru_cache(maxsize=1 << 16)
def _pinyin(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    words: list[str] = []
    for token in lazy_pinyin(text, style=Style.NORMAL, errors="default"):
        # lazy_pinyin returns runs of non-Chinese text as one token: keep their words only.
        cleaned = "".join(ch if ch.isalnum() else " " for ch in token.lower())
        words.extend(cleaned.split())
    return " ".join(words)
