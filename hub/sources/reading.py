"""Reading a delivery file: bytes on disk -> rows with their line numbers, or problems.

:func:`read_delivery` is the one entry point; it picks the format reader from the dataset.
Every reader returns a :class:`ReadResult` that *reconciles*: each data row it saw is either a
:class:`SourceRow` or a :class:`~hub.sources.problems.RowProblem`, never silently dropped.
Header lines, the xlsx title, blank lines and header lines repeated inside the data are not
data rows; they are counted separately.

Whole-file failures (undecodable bytes, not a workbook, a missing header column, a GeoJSON file
that does not parse) raise :class:`~hub.sources.problems.DeliveryRejected`: the previous
snapshot of the dataset stays current.

Values are not normalised here: ``raw`` holds the cells exactly as delivered.

A new snapshot mostly repeats the current one. Given ``known`` (the :func:`content_hash` of
each current version's text -> its record id), a JSON Lines reader takes a line whose text is
known as that record, unchanged, without parsing it: it is counted, checked for a repeated id
like any row, and listed in ``ReadResult.unchanged`` instead of ``rows``.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hub.sources.catalog import Dataset, FileFormat
from hub.sources.encoding import Decoded, decode_text, encoding_name, header_encoding
from hub.sources.problems import DeliveryRejected, Reason, RowProblem
from hub.types import RawRow

#: Bytes kept of a file after decoding it: enough for any header line.
_HEAD_BYTES = 8192


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row as delivered, with where it was in the file."""

    line: int  # 1-based physical line (CSV/JSONL), sheet row (xlsx), feature index (GeoJSON)
    record_id: str  # the dataset's record id, stripped
    raw: RawRow  # column -> value as delivered; JSON-serialisable
    text: str  # the row as delivered, as text (quarantine display, hashing)


@dataclass
class ReadResult:
    """Everything read from one delivery file."""

    dataset: Dataset
    file: str
    encoding: str
    encoding_mismatch: bool
    rows: list[SourceRow]
    problems: list[RowProblem]
    rows_read: int  # data rows seen: not the header, title, blank or repeated header lines
    repeated_headers: int  # header lines found again inside the data (concatenated files)
    blank_lines: int
    notes: list[str] = field(default_factory=list)  # things worth telling a person
    #: Record ids of rows delivered exactly as a ``known`` current version (not parsed).
    unchanged: list[str] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        """Every data row seen became a row, an unchanged row or a problem."""
        return self.rows_read == len(self.rows) + len(self.unchanged) + len(self.problems)


def content_hash(text: str) -> str:
    """A hash of a row's text as delivered: two snapshots carry the same version of a record
    iff the department delivered the same row."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_delivery(
    dataset: Dataset, path: Path, *, known: Mapping[str, str] | None = None
) -> ReadResult:
    """Read one delivery file of ``dataset``; raise DeliveryRejected if it cannot be read.

    ``known`` maps the :func:`content_hash` of rows that need not be parsed to their record
    ids (see the module's docstring); JSON Lines only, the other formats read every row.
    """
    # Imported here because the format modules import this module's types.
    from hub.sources import csvfile, geojson, jsonlines, xlsxfile

    with _paused_gc():
        if dataset.file_format is FileFormat.XLSX:
            return xlsxfile.read_xlsx(dataset, path)
        try:
            data = path.read_bytes()
        except OSError as err:
            raise DeliveryRejected(path.name, f"cannot be read: {err.strerror or err}") from err
        decoded = decode_text(data, path.name, expected=dataset.encoding)
        head = data[:_HEAD_BYTES]  # to tell a wrong encoding from wrong columns, below
        del data  # the text is all we need; do not hold the file twice
        if dataset.file_format is FileFormat.CSV:
            try:
                return csvfile.read_csv(dataset, path.name, decoded)
            except DeliveryRejected as rejected:
                raise _wrong_encoding(dataset, path.name, head) or rejected from None
        if dataset.file_format is FileFormat.JSONL:
            return jsonlines.read_jsonl(dataset, path.name, decoded, known=known)
        return geojson.read_geojson(dataset, path.name, decoded)


def _wrong_encoding(dataset: Dataset, file: str, head: bytes) -> DeliveryRejected | None:
    """A rejection naming the encoding, when the header reads in one the contract does not
    name (a Big5 export decodes as GB18030 into a header of mojibake)."""
    found = header_encoding(head, (dataset.record_id_field, *dataset.columns))
    if found is None:
        return None
    return DeliveryRejected(
        file, f"wrong encoding: the file is {found}, the contract says "
        f"{encoding_name(dataset.encoding)}; the department must export it again"
    )  # fmt: skip


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file is read.

    Rows are acyclic, but creating hundreds of thousands of dicts makes the collector rescan the
    growing heap again and again: about 40% of the reading time. Process-wide, but brief.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Below this a float holds every whole number exactly (Excel stores every number as one).
EXACT_INT = 2**53


def as_text(value: object) -> str:
    """A cell value as text: None is empty, 12.0 is '12'. A float too large to hold every
    digit stays as stored (``3.505261990010112e+17``): an ID typed as a number into Excel lost
    its last digits, and writing it out as 18 digits would invent them."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < EXACT_INT:
        return str(int(value))
    return str(value)


class RowCollector:
    """Counts what a reader sees and applies the checks every dataset shares.

    A row is quarantined when its record id is empty or does not follow the contract's pattern
    (a cut or mistyped key cannot be followed across snapshots), when the id was already taken by an
    earlier row of the same file (the first occurrence wins, whatever became of it), when a
    dataset about people has a row with an empty name, or when fewer of its columns have a value
    than the dataset needs (:attr:`Dataset.values_needed`: an xlsx row with 3 of 12 cells, a
    JSON line missing most members), which would otherwise load as a record that lost its facts.
    """

    def __init__(self, dataset: Dataset, file: str, unit: str = "line") -> None:
        self.dataset = dataset
        self.file = file
        self.unit = unit  # how a position is named in messages: line, row, feature
        self.rows: list[SourceRow] = []
        self.problems: list[RowProblem] = []
        self.rows_read = 0
        self.repeated_headers = 0
        self.blank_lines = 0
        self.notes: list[str] = []
        self.unchanged: list[str] = []
        self._seen: dict[str, int] = {}
        self._needed = dataset.values_needed

    def problem(
        self,
        line: int,
        reason: Reason,
        detail: str,
        text: str,
        record_id: str | None = None,
        field: str | None = None,
    ) -> None:
        """Quarantine one data row."""
        self.rows_read += 1
        message = f"{self.file} {self.unit} {line}: {detail} ({reason})"
        self.problems.append(RowProblem(line, reason, message, text, record_id or None, field))

    def row(self, line: int, raw: RawRow, text: str) -> None:
        """Accept one structurally sound data row, or quarantine it by the shared checks."""
        # The hot path of every reader: plain str checks first, helpers only for odd values.
        id_field = self.dataset.record_id_field
        value = raw.get(id_field)
        if type(value) is not str:
            if isinstance(value, bool) or not isinstance(value, int | float | None):
                detail = f"{id_field} is {value!r}, not text or a number"
                self.problem(line, Reason.MALFORMED_RECORD_ID, detail, text, field=id_field)
                return
            value = as_text(value)
        record_id = value.strip()
        if not record_id:
            detail = f"{id_field} is empty"
            self.problem(line, Reason.MISSING_RECORD_ID, detail, text, field=id_field)
            return
        if not self.dataset.record_id_regex.match(record_id):
            pattern = self.dataset.record_id_pattern
            detail = f"{id_field} {record_id!r} does not follow the pattern {pattern}"
            self.problem(line, Reason.MALFORMED_RECORD_ID, detail, text, record_id, id_field)
            return
        first = self._seen.setdefault(record_id, line)
        if first != line:
            detail = f"{id_field} {record_id} already seen on {self.unit} {first}"
            self.problem(line, Reason.DUPLICATE_RECORD_ID, detail, text, record_id, id_field)
            return
        name_field = self.dataset.name_field
        if name_field is not None:
            name = raw.get(name_field)
            if not (name.strip() if type(name) is str else as_text(name).strip()):
                detail = f"{name_field} is empty"
                self.problem(line, Reason.MISSING_NAME, detail, text, record_id, name_field)
                return
        values = list(raw.values())  # counted in C; looked at closely only when few are filled
        if len(values) - values.count("") - values.count(None) < self._needed:
            empty = [c for c in self.dataset.columns if not as_text(raw.get(c)).strip()]
            filled = len(self.dataset.columns) - len(empty)
            if filled < self._needed:
                detail = (f"only {filled} of {len(self.dataset.columns)} columns have a value "
                          f"(empty or missing: {', '.join(empty)})")  # fmt: skip
                self.problem(line, Reason.MOSTLY_EMPTY, detail, text, record_id)
                return
        self.rows_read += 1
        self.rows.append(SourceRow(line, record_id, raw, text))

    def known_row(self, line: int, record_id: str, text: str) -> None:
        """A row whose text is a current version's (of ``record_id``): the checks of
        :meth:`row` that its text passed before hold again, but a repeated id is still one."""
        first = self._seen.setdefault(record_id, line)
        if first != line:
            id_field = self.dataset.record_id_field
            detail = f"{id_field} {record_id} already seen on {self.unit} {first}"
            self.problem(line, Reason.DUPLICATE_RECORD_ID, detail, text, record_id, id_field)
            return
        self.rows_read += 1
        self.unchanged.append(record_id)

    def note(self, text: str) -> None:
        """Remember something a person should know about this file."""
        self.notes.append(f"{self.file}: {text}")

    def result(self, encoding: str, encoding_mismatch: bool) -> ReadResult:
        """The finished result."""
        return ReadResult(
            dataset=self.dataset,
            file=self.file,
            encoding=encoding,
            encoding_mismatch=encoding_mismatch,
            rows=self.rows,
            problems=self.problems,
            rows_read=self.rows_read,
            repeated_headers=self.repeated_headers,
            blank_lines=self.blank_lines,
            notes=self.notes,
            unchanged=self.unchanged,
        )


@dataclass(frozen=True, slots=True)
class Header:
    """The header of a tabular delivery (CSV, xlsx): which column is which.

    Cells are stripped of spaces and byte-order marks. Every column of the dataset must be
    there, in any order, or the delivery is rejected; extra columns are kept, a column with an
    empty header cell is dropped, a repeated name is rejected.
    """

    names: tuple[str, ...]  # cleaned header cells; "" for a column without a name
    name_set: frozenset[str]
    named: tuple[int, ...]  # indexes of the columns with a name
    id_index: int

    @classmethod
    def parse(cls, dataset: Dataset, file: str, cells: list[str]) -> Header:
        names = tuple(clean_cell(cell) for cell in cells)
        required = dict.fromkeys((dataset.record_id_field, *dataset.columns))
        missing = [column for column in required if column not in names]
        if missing:
            raise DeliveryRejected(
                file, f"the header lacks the column(s) {', '.join(missing)}; found {list(names)}"
            )
        named = [name for name in names if name]
        duplicates = sorted({name for name in named if named.count(name) > 1})
        if duplicates:
            raise DeliveryRejected(
                file, f"the header repeats the column(s) {', '.join(duplicates)}"
            )
        indexes = tuple(i for i, name in enumerate(names) if name)
        return cls(names, frozenset(named), indexes, names.index(dataset.record_id_field))

    @property
    def width(self) -> int:
        return len(self.names)

    def same_names(self, cells: list[str]) -> bool:
        """Whether a row repeats the header (possibly in another column order)."""
        return (
            len(cells) == len(self.names) and {clean_cell(c) for c in cells} - {""} == self.name_set
        )

    def raw(self, cells: list[str]) -> dict[str, str]:
        """Column name -> cell, for a row with exactly one cell per header cell."""
        if len(self.named) == len(self.names):
            return dict(zip(self.names, cells, strict=True))
        return {self.names[i]: cells[i] for i in self.named}

    def drops_values(self, cells: Sequence[object]) -> bool:
        """Whether a row has values in columns without a name (which ``raw`` leaves out)."""
        if len(self.named) == len(self.names) and len(cells) <= len(self.names):
            return False
        width = len(self.names)
        dropped = [c for i, c in enumerate(cells) if i >= width or not self.names[i]]
        return any(not (isinstance(c, str) and not c.strip()) for c in dropped)

    def known_id(self, cells: list[str]) -> str | None:
        """The record id of a broken row, when its cell is there (cells may be shifted)."""
        if self.id_index >= len(cells):
            return None
        return cells[self.id_index].strip() or None


def clean_cell(cell: str) -> str:
    """A header cell without spaces (U+3000 included) and byte-order marks."""
    return cell.replace("\ufeff", "").strip()


def text_result(collector: RowCollector, decoded: Decoded) -> ReadResult:
    """Finish a text-format read, noting an unexpected encoding or a missing final newline."""
    if decoded.mismatch:
        collector.note(f"encoding is {decoded.encoding}, the contract says {decoded.expected}")
    if decoded.text and not decoded.text.endswith("\n"):
        collector.note("does not end with a newline: it may have been cut while being written")
    return collector.result(decoded.encoding.value, decoded.mismatch)
