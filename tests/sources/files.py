"""Hand-made delivery files for the reader tests: bytes exactly as a department might write."""

from __future__ import annotations

from pathlib import Path

from hub.sources import catalog
from hub.sources.reading import ReadResult

POP_HEADER = ",".join(catalog.POPULATION.columns)
PARTY_HEADER = ",".join(catalog.PARTY_MEMBERS.columns)


def person(record_id: str, name: str = "张三", **over: str) -> str:
    """One population CSV line (no line ending), contract column order."""
    row = {
        "人员编号": record_id,
        "公民身份号码": "350526198001011234",
        "姓名": name,
        "性别": "男",
        "民族": "汉族",
        "出生日期": "19800101",
        "户号": "350526001",
        "与户主关系": "户主",
        "人员类别": "户籍人口",
        "居住地址编码": "",
        "联系电话": "13812345678",
        "登记日期": "2020-01-01",
        "注销标志": "0",
    }
    row.update(over)
    return ",".join(row[c] for c in catalog.POPULATION.columns)


def member(record_id: str, name: str = "李四") -> str:
    """One party-member CSV line (no line ending)."""
    cells = [
        record_id,
        name,
        "350526198001011234",
        "女",
        "1980-01",
        "2005-07-01",
        "正式党员",
        "龙浔镇英山社区第二网格党支部",
        "否",
        "",
        "13812345678",
        "龙浔镇英山路8号",
    ]
    return ",".join(cells)


def write(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``folder/name`` and return the path."""
    path = folder / name
    path.write_bytes(data)
    return path


def crlf(lines: list[str], *, final_newline: bool = True) -> str:
    """Join CSV lines the way the departments do: CRLF, normally after the last line too."""
    return "\r\n".join(lines) + ("\r\n" if final_newline else "")


def reasons(result: ReadResult) -> list[tuple[int, str]]:
    """(line, reason) of every problem, for compact assertions."""
    assert result.reconciles, (result.rows_read, len(result.rows), len(result.problems))
    return [(p.line, p.reason.value) for p in result.problems]
