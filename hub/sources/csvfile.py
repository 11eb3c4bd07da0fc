"""CSV deliveries (public security, party building, grids): decoded text -> rows or problems.

Standard quoting and CRLF, as the contract says; parsed with the :mod:`csv` module. A quoted
field may contain newlines: such a row is reported at the physical line where it starts.

The first non-blank line is the header. Its cells are stripped of spaces and byte-order marks;
the dataset's columns must all be there (in any order) or the delivery is rejected. Extra
columns are kept in ``raw``; a column with an empty header cell is dropped. A line equal to the
header (as a set of names) inside the data is a repeated header from a concatenated file: it
is skipped, counted, and its column order applies to the rows after it.
"""

from __future__ import annotations

import csv
import io

from hub.sources.catalog import Dataset
from hub.sources.encoding import Decoded
from hub.sources.problems import DeliveryRejected, Reason
from hub.sources.reading import Header, ReadResult, RowCollector, clean_cell, text_result


def read_csv(dataset: Dataset, file: str, decoded: Decoded) -> ReadResult:
    """Read a decoded CSV delivery of ``dataset``; raise DeliveryRejected on a bad header."""
    lines = io.StringIO(decoded.text, newline="\n").readlines()
    open_end = bool(lines) and not lines[-1].endswith("\n")
    last = len(lines)
    out = RowCollector(dataset, file)
    reader = csv.reader(lines)
    header: Header | None = None
    dropping = False  # noted that a column without a name holds values
    while True:
        start = reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            text = _joined(lines, start, reader.line_num)
            if header is None:
                raise DeliveryRejected(file, f"the header line cannot be parsed: {err}") from err
            if reader.line_num == last and open_end:
                out.problem(start + 1, Reason.TRUNCATED_LINE, "the last line is incomplete", text)
            else:
                out.problem(start + 1, Reason.UNREADABLE_LINE, f"not valid CSV: {err}", text)
            continue
        if not cells or (not cells[0].strip() and _blank(cells)):
            out.blank_lines += 1
            continue
        if header is None:
            header = Header.parse(dataset, file, cells)
            continue
        if clean_cell(cells[0]) in header.name_set and header.same_names(cells):
            header = Header.parse(dataset, file, cells)
            out.repeated_headers += 1
            continue
        line = start + 1
        end = reader.line_num
        text = lines[start].rstrip("\r\n") if end == start + 1 else _joined(lines, start, end)
        is_last = end == last
        if len(cells) != header.width:
            if is_last and open_end and len(cells) < header.width:
                detail = f"the last line is incomplete ({len(cells)} of {header.width} cells)"
                out.problem(line, Reason.TRUNCATED_LINE, detail, text, header.known_id(cells))
            else:
                detail = f"{len(cells)} cells where the header has {header.width}"
                out.problem(line, Reason.WRONG_COLUMN_COUNT, detail, text, header.known_id(cells))
        elif is_last and (decoded.cut_tail or open_end):
            # The contract's CSVs end every line with CRLF, so a last line without one was cut
            # by a copy in progress, even when its cells still count right (a cut after the
            # last comma, or inside the last cell, cannot be told from a complete row).
            detail = (
                "the last line is incomplete (it ends inside a character)"
                if decoded.cut_tail
                else "the last line has no line break: the file was cut while being written"
            )
            out.problem(line, Reason.TRUNCATED_LINE, detail, text, header.known_id(cells))
        else:
            if not dropping and header.drops_values(cells):
                dropping = True
                out.note(f"line {line} (and maybe others) has values in columns without a header")
            out.row(line, header.raw(cells), text)
    if header is None:
        raise DeliveryRejected(file, "the file is empty: no header line")
    return text_result(out, decoded)


def _blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _joined(lines: list[str], start: int, end: int) -> str:
    return "".join(lines[start:end]).rstrip("\r\n")
