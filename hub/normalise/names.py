"""Person names: spaces, traditional characters, middle dots, and a pinyin key for homophones.

Clinics serving relatives from Hong Kong and Taiwan type names in traditional characters, and
township clerks pad two-character names with spaces (``张  三``). Minority names join their
parts with whatever dot the input method offered. The pinyin key lets the linker see that a
clerk typed a homophone (``陈秀英`` / ``陈秀瑛``).
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


# Names repeat a lot (a county has a few thousand distinct given names per surname).
@functools.lru_cache(maxsize=1 << 16)
def _normalise(original: str) -> PersonName:
    compact = _compact(original)
    if not compact:
        return PersonName(original, None, None, False)
    simplified = to_simplified(compact)
    return PersonName(original, simplified, _pinyin(simplified), simplified != compact)


@functools.lru_cache(maxsize=1 << 16)
def _pinyin(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    words: list[str] = []
    for token in lazy_pinyin(text, style=Style.NORMAL, errors="default"):
        # lazy_pinyin returns runs of non-Chinese text as one token: keep their words only.
        cleaned = "".join(ch if ch.isalnum() else " " for ch in token.lower())
        words.extend(cleaned.split())
    return " ".join(words)
