"""Write a stream of rows in a dataset's delivery format, byte for byte as the contract says.

CSV: the dataset's encoding (GB18030, or UTF-8 with BOM for the party file), CRLF, standard
quoting. JSON lines: UTF-8, ``\\n``, missing text as ``""``. GeoJSON: one FeatureCollection,
one feature per line. Workbooks: a title row above the header, cell types kept; the zip's
timestamps and the document's created/modified times are fixed so output is reproducible.

Files are written under a ``.tmp`` name and renamed when complete, as a copying department
would. Rows that are deliberately broken come as :class:`Raw` (text written as is) or
:class:`Cells` (CSV cells regardless of the header).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeAlias

from hub.sources.catalog import Dataset, FileFormat


@dataclass(frozen=True, slots=True)
class Raw:
    """A line written exactly as given; ``newline=False`` for a truncated last line."""

    text: str
    newline: bool = True


@dataclass(frozen=True, slots=True)
class Cells:
    """CSV cells written as given, however many the header has."""

    values: tuple[str, ...]


Item: TypeAlias = dict[str, Any] | Raw | Cells
CRLF = "\r\n"
DATE_FORMAT = "yyyy/m/d"  # how the township offices' Excel shows a date cell


def write(
    dataset: Dataset, path: Path, items: Iterable[Item], *, title: str, when: datetime
) -> int:
    """Write ``items`` to ``path`` in the dataset's format; returns the file's size in bytes.

    ``title`` is the workbook's first row (xlsx only); ``when`` its fixed timestamps.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if dataset.file_format is FileFormat.CSV:
        _write_csv(dataset, tmp, items)
    elif dataset.file_format is FileFormat.JSONL:
        _write_jsonl(tmp, items)
    elif dataset.file_format is FileFormat.GEOJSON:
        _write_geojson(tmp, items)
    else:
        _write_xlsx(dataset, tmp, items, title, when)
    os.replace(tmp, path)
    return path.stat().st_size


def csv_line(values: Sequence[object]) -> str:
    """One CSV record with standard quoting, without its line ending."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


def json_line(value: object) -> str:
    """One JSON value on one line, non-ASCII characters as they are."""
    return json.dumps(value, ensure_ascii=False)


def _write_csv(dataset: Dataset, path: Path, items: Iterable[Item]) -> None:
    columns = dataset.columns
    with path.open("w", encoding=dataset.encoding.value, newline="") as f:
        writer = csv.writer(f, lineterminator=CRLF)
        writer.writerow(columns)
        for item in items:
            if isinstance(item, Raw):
                f.write(item.text + (CRLF if item.newline else ""))
            elif isinstance(item, Cells):
                writer.writerow(item.values)
            else:
                writer.writerow([item[c] for c in columns])


def _write_jsonl(path: Path, items: Iterable[Item]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        for item in items:
            if isinstance(item, Raw):
                f.write(item.text + ("\n" if item.newline else ""))
            elif isinstance(item, Cells):
                raise TypeError("CSV cells in a JSON lines file")
            else:
                f.write(json_line(item) + "\n")


def _write_geojson(path: Path, items: Iterable[Item]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write('{"type": "FeatureCollection", "features": [')
        separator = "\n"
        for item in items:
            if not isinstance(item, dict):
                raise TypeError("a GeoJSON feature must be a JSON object")
            f.write(separator + json_line(item))
            separator = ",\n"
        f.write("\n]}\n")


def _write_xlsx(
    dataset: Dataset, path: Path, items: Iterable[Item], title: str, when: datetime
) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "德化县民政局"
    workbook.properties.created = when
    sheet = workbook.create_sheet(dataset.sheet)
    sheet.append([title])
    sheet.append(list(dataset.columns))
    for item in items:
        if not isinstance(item, dict):
            raise TypeError("workbook rows must be mappings")
        sheet.append([_cell(sheet, item[c]) for c in dataset.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_fixed_times(buffer.getvalue(), when))


def _cell(sheet: Any, value: object) -> object:
    if value is None or value == "":
        return None  # an empty cell, not an empty string
    if isinstance(value, date):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, int | float | str):
        return value
    raise TypeError(f"unexpected cell value {value!r}")


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_times(data: bytes, when: datetime) -> bytes:
    """The workbook with every timestamp set to ``when`` (openpyxl stamps the wall clock)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()
