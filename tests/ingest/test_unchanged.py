"""A new snapshot's rows delivered as before are taken without parsing: same load as parsing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hub.ingest.service import ingest_landing
from hub.ingest.snapshot import SnapshotWriter
from hub.sources import catalog, jsonlines
from tests.ingest.files import ingest_state, wipe


def shot(record_id: str, **over: Any) -> str:
    record = {"record_id": record_id, "id_type": "居民身份证", "id_no": "350526198001011236",
              "name": "曾伟", "phone": "13812345678", "birth_date": "1980-01-01",
              "vaccine": "乙肝疫苗", "dose": 2, "vaccinated_at": "2022-03-14T09:30:00+08:00",
              "site": "龙浔镇卫生院"}  # fmt: skip
    record.update(over)
    return json.dumps(record, ensure_ascii=False)


def _write(landing: Path, date: str, lines: list[str]) -> None:
    path = landing / "weijian" / catalog.VACCINATIONS.file_name(date)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def test_known_rows_load_as_parsed_rows_do(
    engine: Engine, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = [shot(f"WJ{i:012d}") for i in range(20)]
    first[3] = shot("WJ000000000003", phone="not a phone")  # an issue: mapped again next time
    _write(landing, "20261015", first)
    second = list(first)
    second[4] = shot("WJ000000000004", dose=3)  # changed
    del second[7]  # ended
    second.insert(9, first[2])  # a repeated line: quarantined as a repeated id
    second.append(shot("WJ000000000099"))  # new
    second.append(first[5])  # repeated on the last line, which is always parsed
    _write(landing, "20261115", second)
    factory = sessionmaker(engine, expire_on_commit=False)
    states = []
    parsed: list[int] = []
    loads = jsonlines.loads
    monkeypatch.setattr(jsonlines, "loads", lambda text: parsed.append(1) or loads(text))
    for fast in (True, False):
        wipe(engine)
        if not fast:
            monkeypatch.setattr(SnapshotWriter, "known", lambda self: {})
        parsed.clear()
        reports = ingest_landing(factory, landing).new
        assert [d.reconciles for d in reports] == [True, True]
        snapshot = reports[1].snapshot
        assert snapshot is not None
        assert (snapshot.new, snapshot.changed, snapshot.ended) == (1, 1, 1)
        states.append(ingest_state(engine))
        # Lines parsed over both files: all 20 of the first; of the second's 22, with known
        # lines taken as they are, the issue row, the changed, the new and the last one.
        assert len(parsed) == (20 + 4 if fast else 20 + 22)
    assert states[0] == states[1]
    assert [(q[1], q[3]) for q in states[0]["quarantined"]] == [
        ("WJ000000000002", "duplicate_record_id"),
        ("WJ000000000005", "duplicate_record_id"),
    ]
    assert {i[0] for i in states[0]["issues"]} == {"WJ000000000003"}
