"""Read generated files back the way the contract describes them (a minimal, strict reader).

Each data row comes back with its position (CSV/JSONL line, sheet row, feature number), its
raw text and, when it parses into an object, its values by column name.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

from hub.sources.catalog import Dataset, Encoding, FileFormat


@dataclass
class Row:
    line: int
    raw: str
    values: dict[str, Any] | None  # None: not parseable into the dataset's columns
    cells: int = 0  # CSV: number of cells
    extra: dict[str, Any] = field(default_factory=dict)  # GeoJSON: the whole feature


@dataclass
class File:
    dataset: Dataset
    path: Path
    header: list[str]
    rows: list[Row]
    title: str | None = None  # xlsx first row
    final_newline: bool = True

    def by_line(self) -> dict[int, Row]:
        return {r.line: r for r in self.rows}

    def good(self, bad_lines: set[int]) -> list[Row]:
        return [r for r in self.rows if r.line not in bad_lines]


def read(dataset: Dataset, path: Path) -> File:
    """A delivery file read strictly in its contract encoding and format."""
    if dataset.file_format is FileFormat.CSV:
        return _csv(dataset, path)
    if dataset.file_format is FileFormat.JSONL:
        return _jsonl(dataset, path)
    if dataset.file_format is FileFormat.GEOJSON:
        return _geojson(dataset, path)
    return _xlsx(dataset, path)


def _csv(dataset: Dataset, path: Path) -> File:
    data = path.read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    assert bom == (dataset.encoding is Encoding.UTF8_BOM), f"{path.name}: BOM {bom}"
    text = data.decode(dataset.encoding.value)  # strict: raises on a wrong encoding
    assert "\n" not in text.replace("\r\n", ""), f"{path.name}: a line not ended by CRLF"
    lines = text.split("\r\n")
    final_newline = lines[-1] == ""
    if final_newline:
        lines.pop()
    header = next(csv.reader([lines[0]]))
    rows = []
    for number, raw in enumerate(lines[1:], start=2):
        cells = next(csv.reader([raw]))
        values = dict(zip(header, cells, strict=True)) if len(cells) == len(header) else None
        rows.append(Row(number, raw, values, len(cells)))
    return File(dataset, path, header, rows, final_newline=final_newline)


def _jsonl(dataset: Dataset, path: Path) -> File:
    text = path.read_bytes().decode("utf-8")
    assert "\r" not in text
    lines = text.split("\n")
    final_newline = lines[-1] == ""
    if final_newline:
        lines.pop()
    rows = []
    for number, raw in enumerate(lines, start=1):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = None
        rows.append(Row(number, raw, value if isinstance(value, dict) else None))
    return File(dataset, path, list(dataset.columns), rows, final_newline=final_newline)


def _geojson(dataset: Dataset, path: Path) -> File:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection" and "crs" not in document
    rows = []
    for number, feature in enumerate(document["features"], start=1):
        ok = isinstance(feature, dict) and feature.get("type") == "Feature"
        values = feature.get("properties") if ok else None
        rows.append(Row(number, json.dumps(feature, ensure_ascii=False), values, extra=feature))
    return File(dataset, path, list(dataset.columns), rows)


def _xlsx(dataset: Dataset, path: Path) -> File:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        assert workbook.sheetnames == [dataset.sheet]
        sheet = workbook[str(dataset.sheet)]
        all_rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    title = all_rows[0][0]
    header = [str(c) for c in all_rows[dataset.header_row - 1]]
    rows = []
    for number, cells in enumerate(all_rows[dataset.header_row :], start=dataset.header_row + 1):
        cells += [None] * (len(header) - len(cells))  # read-only mode drops trailing blanks
        values = dict(zip(header, cells, strict=True))
        rows.append(Row(number, repr(cells), values, len(cells)))
    return File(dataset, path, header, rows, title=str(title))


def read_truth(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
