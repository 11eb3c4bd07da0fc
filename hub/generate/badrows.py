"""Rows a loader must quarantine, mixed into a stream of good rows.

Each bad row has exactly one defect, so its :class:`~hub.sources.problems.Reason` is never in
doubt. Bad rows are extra rows (a made-up record id from the upper half of the id space), so
every real record still has its one good row; the exception is a duplicate, which repeats a
good row's record id *after* it (the first occurrence is the good one). A file chosen to be
half-written ends with an extra row cut short, without a final newline.

Kinds per format (each at its rate per good row, and at least once per file when the rate is
above zero; files of fewer than 20,000 rows get ``round(rate x rows)`` of each, placed at
random, larger ones are streamed with geometric gaps):

    CSV      missing_name, wrong_column_count, duplicate_record_id, missing_record_id,
             malformed_record_id (+ truncated_line at the end of a half-written file)
    xlsx     missing_name, duplicate_record_id, missing_record_id, malformed_record_id
    JSONL    missing_name, unreadable_json, not_an_object, duplicate_record_id,
             missing_record_id, malformed_record_id (+ truncated_line)
    GeoJSON  duplicate_record_id, missing_record_id, invalid_geometry, not_an_object
"""

from __future__ import annotations

import copy
import itertools
import math
import random
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from hub.generate.options import NoiseRates
from hub.generate.writers import Cells, Item, Raw, csv_line, json_line
from hub.sources.catalog import Dataset, FileFormat
from hub.sources.problems import Reason

KINDS: dict[FileFormat, tuple[Reason, ...]] = {
    FileFormat.CSV: (Reason.MISSING_NAME, Reason.WRONG_COLUMN_COUNT, Reason.DUPLICATE_RECORD_ID,
                     Reason.MISSING_RECORD_ID, Reason.MALFORMED_RECORD_ID),
    FileFormat.XLSX: (Reason.MISSING_NAME, Reason.DUPLICATE_RECORD_ID, Reason.MISSING_RECORD_ID,
                      Reason.MALFORMED_RECORD_ID),
    FileFormat.JSONL: (Reason.MISSING_NAME, Reason.UNREADABLE_JSON, Reason.NOT_AN_OBJECT,
                       Reason.DUPLICATE_RECORD_ID, Reason.MISSING_RECORD_ID,
                       Reason.MALFORMED_RECORD_ID),
    FileFormat.GEOJSON: (Reason.DUPLICATE_RECORD_ID, Reason.MISSING_RECORD_ID,
                         Reason.INVALID_GEOMETRY, Reason.NOT_AN_OBJECT),
}  # fmt: skip
RATES: dict[Reason, Callable[[NoiseRates], float]] = {
    Reason.MISSING_NAME: lambda r: r.bad_missing_name,
    Reason.WRONG_COLUMN_COUNT: lambda r: r.bad_column_count,
    Reason.UNREADABLE_JSON: lambda r: r.bad_unreadable_json,
    Reason.NOT_AN_OBJECT: lambda r: r.bad_not_an_object,
    Reason.DUPLICATE_RECORD_ID: lambda r: r.bad_duplicate_id,
    Reason.MISSING_RECORD_ID: lambda r: r.bad_missing_id,
    Reason.MALFORMED_RECORD_ID: lambda r: r.bad_malformed_id,
    Reason.INVALID_GEOMETRY: lambda r: r.bad_geometry,
}
TRUNCATABLE = (FileFormat.CSV, FileFormat.JSONL)
DUPLICATE_DELAY = 40  # a duplicate follows its original within this many rows
SMALL_FILE = 20_000  # up to this many rows, bad rows are counted and placed, not streamed


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of a file: a good row (``reason`` None) or a bad one and why it is bad."""

    item: Item
    reason: Reason | None = None
    record_id: str = ""


class BadRows:
    """Mixes one dataset's bad rows into its stream of good rows."""

    def __init__(
        self,
        dataset: Dataset,
        rates: NoiseRates,
        rng: random.Random,
        junk_id: Callable[[int], str],
        *,
        truncate: bool,
    ) -> None:
        self.dataset = dataset
        self._rng = rng
        self._junk_id = junk_id
        self._junk = 0
        self._truncate = truncate and dataset.file_format in TRUNCATABLE
        self._kinds = [
            (reason, RATES[reason](rates))
            for reason in KINDS[dataset.file_format]
            if RATES[reason](rates) > 0
            and (reason is not Reason.MISSING_NAME or dataset.name_field is not None)
        ]

    def stream(self, rows: Iterable[dict[str, Any]]) -> Iterator[Entry]:
        """The good rows in order, with bad rows in between and, maybe, a truncated end."""
        iterator = iter(rows)
        head = list(itertools.islice(iterator, SMALL_FILE))
        if len(head) < SMALL_FILE:
            last = yield from self._placed(head)
        else:
            last = yield from self._streamed(itertools.chain(head, iterator))
        if self._truncate and last is not None:
            yield self._truncated(last)

    def _placed(self, rows: list[dict[str, Any]]) -> Generator[Entry, None, dict[str, Any] | None]:
        """A small file: ``rate x rows`` bad rows of each kind (at least one), placed at random."""
        if not rows:
            return None
        rng = self._rng
        after: dict[int, list[Entry]] = {}
        for reason, rate in self._kinds:
            for _ in range(max(1, round(rate * len(rows)))):
                i = rng.randrange(len(rows))
                if reason is Reason.DUPLICATE_RECORD_ID:
                    j = min(len(rows) - 1, i + rng.randint(0, DUPLICATE_DELAY))
                    after.setdefault(j, []).append(self._duplicate(copy.deepcopy(rows[i])))
                else:
                    after.setdefault(i, []).append(self._bad(reason, rows[i]))
        for i, row in enumerate(rows):
            yield Entry(row, None, self._id(row))
            yield from after.get(i, ())
        return rows[-1]

    def _streamed(
        self, rows: Iterable[dict[str, Any]]
    ) -> Generator[Entry, None, dict[str, Any] | None]:
        """A large file: bad rows at geometric gaps, decided as the rows go by."""
        countdown = {reason: self._gap(rate) for reason, rate in self._kinds}
        made = dict.fromkeys(countdown, 0)
        pending: list[tuple[int, dict[str, Any]]] = []
        seen = 0
        last: dict[str, Any] | None = None
        for row in rows:
            yield Entry(row, None, self._id(row))
            seen += 1
            last = row
            while pending and pending[0][0] <= seen:
                yield self._duplicate(pending.pop(0)[1])
            for reason, rate in self._kinds:
                countdown[reason] -= 1
                if countdown[reason] > 0:
                    continue
                countdown[reason] = self._gap(rate)
                made[reason] += 1
                if reason is Reason.DUPLICATE_RECORD_ID:
                    due = seen + self._rng.randint(0, DUPLICATE_DELAY)
                    pending.append((due, copy.deepcopy(row)))
                    pending.sort(key=lambda p: p[0])
                else:
                    yield self._bad(reason, row)
        for _, row in pending:
            yield self._duplicate(row)
        if last is not None:
            for reason, count in made.items():
                if count == 0:  # unlucky: still at least one of each kind
                    if reason is Reason.DUPLICATE_RECORD_ID:
                        yield self._duplicate(copy.deepcopy(last))
                    else:
                        yield self._bad(reason, last)
        return last

    def _gap(self, rate: float) -> int:
        """Rows until the next event of a kind (geometric, so no draw per row is needed)."""
        if rate >= 1:
            return 1
        return 1 + int(math.log(1.0 - self._rng.random()) / math.log(1.0 - rate))

    def _id(self, row: dict[str, Any]) -> str:
        return str(self._fields(row)[self.dataset.record_id_field])

    def _fields(self, row: dict[str, Any]) -> dict[str, Any]:
        if self.dataset.file_format is FileFormat.GEOJSON:
            properties: dict[str, Any] = row["properties"]
            return properties
        return row

    def _new_id(self) -> str:
        self._junk += 1
        return self._junk_id(self._junk - 1)

    def _copy(self, row: dict[str, Any], record_id: str) -> dict[str, Any]:
        made = copy.deepcopy(row)
        self._fields(made)[self.dataset.record_id_field] = record_id
        return made

    def _duplicate(self, row: dict[str, Any]) -> Entry:
        return Entry(row, Reason.DUPLICATE_RECORD_ID, self._id(row))

    def _bad(self, reason: Reason, row: dict[str, Any]) -> Entry:
        rng = self._rng
        if reason is Reason.MISSING_RECORD_ID:
            return Entry(self._copy(row, ""), reason, "")
        if reason is Reason.MALFORMED_RECORD_ID:
            rid = self._new_id()[:-3]
            return Entry(self._copy(row, rid), reason, rid)
        rid = self._new_id()
        made = self._copy(row, rid)
        if reason is Reason.MISSING_NAME:
            assert self.dataset.name_field is not None
            made[self.dataset.name_field] = ""
            return Entry(made, reason, rid)
        if reason is Reason.WRONG_COLUMN_COUNT:
            cells = [str(made[c]) for c in self.dataset.columns]
            if rng.random() < 0.5:
                cells.append(cells[-1] or "备注")
            else:
                cells.pop()
            return Entry(Cells(tuple(cells)), reason, rid)
        if reason is Reason.UNREADABLE_JSON:
            return Entry(Raw(_unreadable(made, rng.random())), reason, rid)
        if reason is Reason.INVALID_GEOMETRY:
            made["geometry"] = None if rng.random() < 0.5 else {"type": "Point", "coordinates": []}
            return Entry(made, reason, rid)
        if reason is Reason.NOT_AN_OBJECT:
            if self.dataset.file_format is FileFormat.GEOJSON:
                point = dict(made["geometry"])
                point["properties"] = made["properties"]
                return Entry(point, reason, rid)  # a bare geometry, not a Feature
            return Entry(Raw(json_line(list(made.values()))), reason, rid)
        raise ValueError(f"no bad row of kind {reason}")

    def _truncated(self, row: dict[str, Any]) -> Entry:
        rid = self._new_id()
        made = self._copy(row, rid)
        if self.dataset.file_format is FileFormat.CSV:
            text = csv_line([made[c] for c in self.dataset.columns])
            low, high = len(rid) + 2, text.rfind(",")
        else:
            text = json_line(made)
            low, high = text.index(rid) + len(rid) + 1, len(text) - 2
        cut = self._rng.randint(low, max(low, high))
        return Entry(Raw(text[:cut], newline=False), Reason.TRUNCATED_LINE, rid)


def _unreadable(row: dict[str, Any], u: float) -> str:
    """A JSON object broken the way export scripts break them."""
    text = json_line(row)
    if u < 0.4:
        return repr(row)  # a Python dict printed instead of serialised: single quotes, None
    if u < 0.7:
        return text.replace('", "', '" "', 1)  # a comma lost
    return text[:-1] + ", }"  # a trailing comma
