"""File formats exactly as the contract describes them, and the ways files arrive broken.

CSVs: standard quoting, CRLF; GB18030 for public security, UTF-8 with BOM for party building,
UTF-8 for the grid file. JSON lines: UTF-8, ``\\n``. GeoJSON: one FeatureCollection, GCJ-02, no
``crs``. The civil-affairs workbook: sheet ``救助对象``, a title on row 1, the header on row 2.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

CsvRow = Sequence[str]


def csv_bytes(header: CsvRow, rows: Iterable[CsvRow], encoding: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def jsonl_bytes(objects: Iterable[dict[str, object]]) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode("utf-8")


def geojson_bytes(features: Sequence[dict[str, object]]) -> bytes:
    body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    return ('{"type": "FeatureCollection", "features": [\n' + body + "\n]}\n").encode("utf-8")


def truncate_last_line(data: bytes, encoding: str, cut: float) -> bytes:
    """The file as a copy interrupted inside its last line: every line before it intact, the
    last one cut at a character boundary (``cut`` of the way in), no line ending after it."""
    text = data.decode(encoding)
    ending = "\r\n" if text.endswith("\r\n") else "\n"
    body = text[: -len(ending)] if text.endswith(ending) else text
    start = body.rfind(ending) + len(ending)
    last = body[start:]
    keep = max(1, min(len(last) - 1, int(len(last) * cut)))
    return (body[:start] + last[:keep]).encode(encoding)


def xlsx_bytes(
    sheet: str,
    title: str,
    header: CsvRow,
    rows: Iterable[Sequence[object]],
    footer: Sequence[Sequence[object]],
    saved: datetime,
) -> bytes:
    """A workbook as township offices keep it: a title row, the header, the rows (Excel dates
    as date cells), then whatever was typed under the table. ``saved`` stamps the file (and
    its zip entries), so the same rows give the same bytes."""
    book = Workbook(write_only=True)
    book.properties.creator = "县民政局"
    book.properties.created = saved
    ws = book.create_sheet(sheet)
    ws.append([title])
    ws.append(list(header))
    for row in rows:
        cells: list[object] = []
        for value in row:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "yyyy/m/d"
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
    for row in footer:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return _stamped(out.getvalue(), saved)


def _stamped(data: bytes, saved: datetime) -> bytes:
    """The zip rewritten with every entry dated ``saved`` and the core properties' modified
    time set to it (openpyxl writes the time of saving)."""
    stamp = saved.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = re.sub(
                    r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rf"\g<1>{stamp}\g<2>",
                    content.decode("utf-8"),
                )
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=saved.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, content)
    return out.getvalue()


def excel_lock_bytes(owner: str) -> bytes:
    """Excel's owner file (~$name.xlsx): the user's name padded, as Excel leaves it."""
    name = owner.encode("utf-16-le")[:108]
    return (
        bytes([len(owner)])
        + owner.encode("gbk", "replace")[:53].ljust(53, b" ")
        + name.ljust(108, b"\x00")[:108]
        + b"\x00" * 2
    )


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
