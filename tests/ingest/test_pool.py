"""Mapping in worker processes loads exactly what mapping in the loading process loads."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hub.ingest.mapping import map_chunk
from hub.ingest.pool import MappingPool
from hub.ingest.service import IngestOptions, ingest_landing
from hub.sources import catalog
from tests.ingest.files import WritePopulation, ingest_state, person, wipe

DATE = dt.date(2026, 11, 15)
NAMES = ["曾伟", "陈秀英", "林 志强", "黃美玲", "单雄信", "欧阳晓燕", "阿依古丽·买买提"]


def _rows(count: int) -> list[list[str]]:
    bad_id = "350526199001011234"  # a wrong check digit: a field issue
    rows = []
    for i in range(count):
        phone = "13812345678" if i % 4 else "not a phone"
        rows.append(person(f"GA{i:010d}", NAMES[i % len(NAMES)], bad_id if i % 5 == 3 else "",
                           联系电话=phone))  # fmt: skip
    rows.append(person("GA0000000001", "重复"))  # a repeated id: quarantined
    rows.append(person("GA0000000100", ""))  # no name: quarantined
    return rows


def test_workers_load_what_the_loading_process_loads(
    engine: Engine, landing: Path, write_population: WritePopulation
) -> None:
    # Two snapshots: the second changes, drops and adds rows, so skipping unchanged rows,
    # mapping, closing and ending versions all happen, in chunks smaller than the file.
    first = _rows(60)
    write_population("20261015", first)
    second = [row for i, row in enumerate(first) if i % 11]
    second[5] = person("GA0000000006", "单雄信", 联系电话="0595-23123456")
    second.append(person("GA0000009999", "曾经纬"))
    write_population("20261115", second)
    factory = sessionmaker(engine, expire_on_commit=False)
    states = []
    for workers in (0, 2):
        wipe(engine)
        options = IngestOptions(workers=workers, chunk_rows=7, pool_min_rows=0)
        reports = ingest_landing(factory, landing, options=options).new
        assert [d.reconciles for d in reports] == [True, True]
        states.append(ingest_state(engine))
    assert states[0] == states[1]
    assert all(states[0].values())  # versions, issues and quarantine were all exercised
    changed = [v for v in states[0]["versions"] if v[1] == "GA0000000006"]
    assert len(changed) == 2 and changed[0][4] == dt.date(2026, 11, 15)


def test_pool_keeps_the_order_of_chunks() -> None:
    raws = [dict(zip(catalog.POPULATION.columns, person(f"GA{i:010d}", NAMES[i % 7]),
                     strict=True)) for i in range(40)]  # fmt: skip
    chunks = [(n, raws[n : n + 3]) for n in range(0, len(raws), 3)]
    with MappingPool(2) as pool:
        pooled = list(pool.map(catalog.POPULATION.key, DATE, chunks))
    assert [tag for tag, _ in pooled] == [tag for tag, _ in chunks]
    assert [r for _, results in pooled for r in results] == map_chunk(
        catalog.POPULATION.key, DATE, raws
    )


def test_an_error_in_a_worker_reaches_the_caller_and_stops_the_workers() -> None:
    bad: list[tuple[int, list[Any]]] = [(0, [{"姓名": "陈秀英"}]), (1, [None])]
    pool = MappingPool(2)
    with pytest.raises(AttributeError), pool:
        for _ in pool.map(catalog.POPULATION.key, DATE, bad):
            workers = list(pool._executor._processes) if pool._executor else []
    assert pool._executor is None and workers
    assert not [pid for pid in workers if _alive(pid)]


def _alive(pid: int, wait: float = 10.0) -> bool:
    """Whether ``pid`` still runs after ``wait`` seconds (its parent may reap it late)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.05)
    return True


def test_no_workers_maps_in_this_process() -> None:
    raws = [dict(zip(catalog.POPULATION.columns, person("GA0000000001", "曾伟"), strict=True))]
    with MappingPool(0) as pool:
        [(tag, results)] = list(pool.map(catalog.POPULATION.key, DATE, [("only", raws)]))
    assert pool._executor is None and tag == "only"
    assert results == map_chunk(catalog.POPULATION.key, DATE, raws)
