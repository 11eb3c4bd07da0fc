"""The purpose a request states for reading personal data (PIPL: purpose-bound processing).

Sent as ``X-Hub-Purpose``: a case number or a short reason, stored in the audit entry.
HTTP headers are Latin-1, so non-ASCII text (Chinese) is sent percent-encoded UTF-8
(``%E6%A1%88...``, what ``encodeURIComponent`` gives); raw UTF-8 bytes are accepted too.
Personal data does not belong in a purpose: one that holds a resident ID or phone number is
refused, since stewards and administrators read the audit trail. Numbers are found however
they are written: full-width or other Unicode digits, a country code (``+86``, ``0086``), and
any separators between the digits (spaces, dashes, dots, slashes, brackets).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from hub.normalise import normalise_resident_id

PURPOSE_HEADER = "X-Hub-Purpose"
MAX_PURPOSE = 200

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?(?:00)?86)?(1[3-9][0-9]{9})(?![0-9])")
#: What may stand between the digits of one number: "138 1234 5678", "138.1234.5678",
#: "(0595)", "350526-1956...", "+86-138...".
_SEPARATORS = re.compile(r"(?<=[0-9])[\s\-.\u00b7\u2010-\u2015/\\_,()\[\]]+(?=[0-9Xx+(])")


class PurposeError(ValueError):
    """The purpose header cannot be used; the message says why (no value is echoed)."""


def parse_purpose(header: str | None) -> str | None:
    """The purpose in ``header`` (as Starlette decodes it, Latin-1), or ``None`` if absent."""
    if header is None:
        return None
    try:
        text = unquote(header.encode("latin-1").decode("utf-8"), errors="strict")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise PurposeError(f"{PURPOSE_HEADER} must be UTF-8 (percent-encoded)") from None
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > MAX_PURPOSE:
        raise PurposeError(f"{PURPOSE_HEADER} is at most {MAX_PURPOSE} characters")
    if any(unicodedata.category(c).startswith("C") for c in text):
        raise PurposeError(f"{PURPOSE_HEADER} must be printable text")
    if holds_personal_number(text):
        raise PurposeError(f"{PURPOSE_HEADER} must not hold a resident ID or phone number")
    return text


def holds_personal_number(text: str) -> bool:
    """Whether ``text`` holds something that reads as a resident ID or a mobile number."""
    joined = _SEPARATORS.sub("", _ascii_digits(text))
    if _MOBILE.search(joined):
        return True
    return any(normalise_resident_id(m.group()).usable for m in _ID_LIKE.finditer(joined))


def _ascii_digits(text: str) -> str:
    """``text`` in NFKC (full-width letters and signs as ASCII), every decimal digit of any
    script as its ASCII digit."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in folded)
