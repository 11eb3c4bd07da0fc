"""JSON Lines deliveries (health, city-management reports): decoded text -> rows or problems.

One JSON object per line; ``raw`` is the object with its native JSON types. A line that does
not parse is quarantined (``unreadable_json``), as is a value that is not an object. The last
line of a file that does not end in a newline and does not parse is the half-written line of a
file still being copied (``truncated_line``). ``NaN`` and ``Infinity`` are not JSON: a line
using them is unreadable, so ``raw`` stays serialisable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from json.scanner import make_scanner
from typing import Any, NoReturn

from hub.sources.catalog import Dataset
from hub.sources.encoding import Decoded
from hub.sources.problems import DeliveryRejected, Reason
from hub.sources.reading import ReadResult, RowCollector, content_hash, text_result


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
# The decoder's C scanner, called directly: JSONDecoder.decode adds two regex scans and a
# Python frame per line, about a fifth of the time spent on a line. (typeshed mistypes the
# argument of make_scanner: it takes the decoder whose settings it copies.)
_SCAN: Callable[[str, int], tuple[Any, int]] = make_scanner(_DECODER)  # type: ignore[arg-type]


def loads(text: str) -> Any:
    """Parse JSON text, refusing NaN and Infinity; raises ValueError."""
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        return _DECODER.decode(text)  # leading whitespace, or not JSON: let it say why
    if end != len(text) and not text[end:].isspace():
        return _DECODER.decode(text)  # raises "Extra data"
    return value


def read_jsonl(
    dataset: Dataset, file: str, decoded: Decoded, *, known: Mapping[str, str] | None = None
) -> ReadResult:
    """Read a decoded JSON Lines delivery of ``dataset``; lines whose text hashes to a key of
    ``known`` are that record, unchanged, and are not parsed (except the last line, which may
    have been cut).

    Raises DeliveryRejected when the file holds objects but none has the dataset's record-id
    member: that is the wrong file, and loading it would end every record of the dataset.
    """
    lines = decoded.text.split("\n")
    if not lines[-1]:
        lines.pop()  # the text ended with a newline (or was empty)
    open_end = bool(lines) and not decoded.text.endswith("\n")
    last = len(lines)
    out = RowCollector(dataset, file)
    id_field = dataset.record_id_field
    objects = objects_with_id = 0
    keys: dict[str, str] = {}  # one str per member name, shared by all rows: a third less memory
    for number, line in enumerate(lines, 1):
        if not line or line.isspace():
            out.blank_lines += 1
            continue
        text = line[:-1] if line.endswith("\r") else line
        if known and number != last:
            record_id = known.get(content_hash(text))
            if record_id is not None:  # an object with the record id, as it was delivered
                objects += 1
                objects_with_id += 1
                out.known_row(number, record_id, text)
                continue
        try:
            value = loads(line)
        except ValueError as err:
            if number == last and open_end:
                out.problem(number, Reason.TRUNCATED_LINE, "the last line is incomplete", text)
            else:
                out.problem(number, Reason.UNREADABLE_JSON, f"not valid JSON: {err}", text)
            continue
        if not isinstance(value, dict):
            detail = f"a JSON {json_type(value)} where an object was expected"
            out.problem(number, Reason.NOT_AN_OBJECT, detail, text)
            continue
        objects += 1
        objects_with_id += id_field in value
        if number == last and decoded.cut_tail:
            detail = "the last line is incomplete (it ends inside a character)"
            out.problem(number, Reason.TRUNCATED_LINE, detail, text)
            continue
        out.row(number, {keys.setdefault(k, k): v for k, v in value.items()}, text)
    if objects and not objects_with_id:
        raise DeliveryRejected(
            file, f"no object has a {id_field!r} member: not a {dataset.stem} file"
        )
    return text_result(out, decoded)


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
