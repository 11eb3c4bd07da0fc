"""Excel deliveries (civil affairs): a workbook typed by hand -> rows or problems.

The sheet is ``dataset.sheet``; a workbook with a single, differently named sheet is read
anyway (and noted). The header is found, not assumed: the first of the top rows that holds both
the record-id and the name column is the header, everything above it is title. Rows are
numbered by sheet row.

Read with python-calamine (ten times faster than openpyxl's read-only mode). Cells keep the
types Excel gave them: text stays text (not even stripped), numbers stay numbers, booleans stay
booleans. Excel stores every number as a float; a whole number that a float holds exactly (below
2**53) is given as ``int``, anything larger stays ``float``, so an ID number typed as a number
reaches the normaliser as the mangled float it is (``3.50526198001011e17``). Date and time cells
become ISO strings (``2021-03-05``, ``2021-03-05T10:30:00``, ``10:30:00``) so ``raw`` is
JSON-serialisable; an empty cell is ``""`` as in CSV. A row whose cells are all empty is a blank
line; empty rows after the last data row (formatted but unused) are not counted at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from hub.sources.catalog import Dataset
from hub.sources.problems import DeliveryRejected
from hub.sources.reading import (
    EXACT_INT,
    Header,
    ReadResult,
    RowCollector,
    as_text,
    clean_cell,
)

_HEADER_SCAN = 10  # rows searched for the header


def read_xlsx(dataset: Dataset, path: Path) -> ReadResult:
    """Read a workbook delivery of ``dataset``; raise DeliveryRejected if it is not readable."""
    out = RowCollector(dataset, path.name, unit="row")
    try:
        workbook = CalamineWorkbook.from_path(path)
    except OSError as err:
        raise DeliveryRejected(path.name, f"cannot be read: {err.strerror or err}") from err
    except CalamineError as err:
        raise DeliveryRejected(path.name, f"not an Excel workbook (.xlsx): {err}") from err
    with workbook:
        sheet = _sheet(dataset, path.name, workbook.sheet_names, out)
        try:
            rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except CalamineError as err:
            raise DeliveryRejected(path.name, f"the workbook is damaged: {err}") from err
    _read_rows(dataset, path.name, rows, out)
    return out.result(dataset.encoding.value, encoding_mismatch=False)


def _sheet(dataset: Dataset, file: str, sheets: list[str], out: RowCollector) -> str:
    wanted = dataset.sheet
    if wanted in sheets:
        return wanted
    stripped = [name for name in sheets if name.strip() == wanted]
    if len(stripped) == 1:
        return stripped[0]
    if len(sheets) == 1:
        out.note(f"no sheet {wanted!r}; read the only sheet, {sheets[0]!r}")
        return sheets[0]
    raise DeliveryRejected(file, f"no sheet {wanted!r} among {sheets}")


def _read_rows(
    dataset: Dataset, file: str, rows: Iterable[Sequence[Any]], out: RowCollector
) -> None:
    header: Header | None = None
    pending_blanks = 0
    dropping = False
    for number, values in enumerate(rows, 1):
        if header is None:
            if number > _HEADER_SCAN:
                break
            header = _header(dataset, file, values)
            if header is not None and number != dataset.header_row:
                out.note(f"header found on row {number}, not row {dataset.header_row}")
            continue
        if all(isinstance(value, str) and not value.strip() for value in values):
            pending_blanks += 1
            continue
        out.blank_lines += pending_blanks
        pending_blanks = 0
        first = values[0] if values else None
        if isinstance(first, str) and clean_cell(first) in header.name_set:
            texts = [as_text(value) for value in values[: header.width]]
            if header.same_names(texts + [""] * (header.width - len(texts))):
                out.repeated_headers += 1
                continue
        raw = {header.names[i]: _cell(values[i]) if i < len(values) else "" for i in header.named}
        if not dropping and header.drops_values(values):
            dropping = True
            out.note(f"row {number} (and maybe others) has values in columns without a header")
        out.row(number, raw, "\t".join(as_text(_cell(value)) for value in values).rstrip("\t"))
    if header is None:
        raise DeliveryRejected(
            file,
            f"no header row with {_header_columns(dataset)} in the first {_HEADER_SCAN} rows",
        )


def _header(dataset: Dataset, file: str, values: Sequence[Any]) -> Header | None:
    texts = [clean_cell(as_text(value)) for value in values]
    if not all(column in texts for column in _header_columns(dataset)):
        return None
    return Header.parse(dataset, file, texts)


def _header_columns(dataset: Dataset) -> tuple[str, ...]:
    if dataset.name_field is None:
        return (dataset.record_id_field,)
    return (dataset.record_id_field, dataset.name_field)


def _cell(value: Any) -> Any:
    """An Excel cell value as delivered, JSON-serialisable."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < EXACT_INT else value
    if isinstance(value, str | bool | int):
        return value
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    return str(value)  # a duration: keep it readable
