"""JSON text for the JSON columns: compact UTF-8 by orjson, the standard library as fallback.

Every JSON column (``raw``, ``fields``, provenance, quality results) is written through
:func:`dumps`, set on the engine by :func:`hub.storage.session.make_engine`, so the stored text
has one form whoever writes it: no spaces, non-ASCII characters as themselves (``"陈秀英"``, not
``"\\u9648..."``: a third of the size for Chinese text). Readers see the same values either way:
JSON functions in SQL and :func:`loads` read both forms, and on PostgreSQL ``jsonb`` keeps no
text at all.

orjson refuses a few values the standard library takes (integers beyond 64 bits, non-string
keys); those documents are written by :mod:`json` in the same compact form.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_FALLBACK = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    """``value`` as compact JSON text."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError: a value orjson does not write
        return _FALLBACK.encode(value)


def dumps_bytes(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON (what psycopg sends to the server)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return _FALLBACK.encode(value).encode()


def loads(text: str | bytes) -> Any:
    """The value of JSON text written by :func:`dumps` or by the standard library."""
    try:
        return orjson.loads(text)
    except ValueError:  # orjson.JSONDecodeError: e.g. a big integer, or NaN written by json
        return json.loads(text)
