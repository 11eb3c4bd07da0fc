"""Writers of small hand-made delivery files in the contract's formats."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from hub.sources import catalog
from hub.storage.models import Delivery, FieldIssue, QuarantinedRow, SourceRecord

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


def ingest_state(engine: Engine) -> dict[str, list[Any]]:
    """Everything ingest wrote, row ids left out (they come from the database's sequence)."""
    r, f, q, d = SourceRecord, FieldIssue, QuarantinedRow, Delivery
    queries = {
        "versions": select(r.dataset, r.record_id, r.line, r.valid_from, r.valid_to,
                           r.end_reason, r.content_hash, r.raw, r.fields, r.name, r.name_pinyin,
                           r.resident_id, r.birth_date, r.sex, r.phone, r.address_code,
                           r.address_key, r.household_no).order_by(r.id),
        "issues": select(f.record_id, f.line, f.field, f.code, f.message, f.value)
        .order_by(f.id),
        "quarantined": select(q.line, q.record_id, q.field, q.reason, q.message, q.raw)
        .order_by(q.id),
        "deliveries": select(d.file_name, d.status, d.rows_read, d.rows_loaded,
                             d.rows_quarantined, d.records_new, d.records_changed,
                             d.records_unchanged, d.records_ended).order_by(d.id),
    }  # fmt: skip
    with Session(engine) as s:
        return {name: [tuple(row) for row in s.execute(query)] for name, query in queries.items()}


def wipe(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        for model in (FieldIssue, QuarantinedRow, SourceRecord, Delivery):
            s.execute(delete(model))
