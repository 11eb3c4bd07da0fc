"""Writers of small hand-made delivery files in the contract's formats."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

from hub.sources import catalog

POP_HEADER = list(catalog.POPULATION.columns)


def person(record_id: str, name: str, rid: str = "", **over: str) -> list[str]:
    row = {
        "人员编号": record_id, "公民身份号码": rid, "姓名": name, "性别": "女", "民族": "汉族",
        "出生日期": "19800101", "户号": "350526001", "与户主关系": "户主",
        "人员类别": "户籍人口", "居住地址编码": "35052610010100010001", "联系电话": "13812345678",
        "登记日期": "2020-01-01", "注销标志": "0",
    }  # fmt: skip
    row.update(over)
    return [row[c] for c in POP_HEADER]


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[str]], *, encoding: str,
    truncate_last: bool = False,
) -> Path:  # fmt: skip
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if truncate_last:
        text = text[: -len("\r\n") - 6]  # a copy job stopped mid-line
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


WritePopulation = Callable[..., Path]
