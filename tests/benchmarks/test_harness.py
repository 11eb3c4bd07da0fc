"""Throwaway databases (gone afterwards unless kept, and never kept after a failure), and
children measured by the kernel."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from benchmarks._harness import (
    BenchmarkError,
    drop_database,
    fresh_database,
    run_child,
    table,
)
from hub.config import load_settings
from tests.conftest import _postgres_unreachable_reason


@pytest.fixture
def postgres_url(backend: str) -> str:
    url = load_settings().test_postgres_url
    if backend == "postgresql" and (reason := _postgres_unreachable_reason()):
        pytest.skip(reason)
    return url


def _exists(url: str) -> bool:
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).exists()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            schema = conn.execute(text("select current_schema()")).scalar()
        return schema is not None
    finally:
        engine.dispose()


def _touch(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("create table t (x integer)"))
    engine.dispose()


def test_a_fresh_database_is_empty_and_dropped(
    backend: str, postgres_url: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path, postgres_url) as url:
        engine = create_engine(url)
        assert inspect(engine).get_table_names() == []
        engine.dispose()
        _touch(url)
        assert _exists(url)
    assert not _exists(url)


def test_a_kept_database_stays_until_dropped(
    backend: str, postgres_url: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path, postgres_url, keep=True) as url:
        _touch(url)
    assert _exists(url)
    drop_database(url)
    assert not _exists(url)


def test_a_failed_run_keeps_nothing(backend: str, postgres_url: str, tmp_path: Path) -> None:
    with (
        pytest.raises(RuntimeError),
        fresh_database(backend, tmp_path, postgres_url, keep=True) as url,
    ):
        _touch(url)
        raise RuntimeError("the build failed")
    assert not _exists(url)


def test_a_child_reports_its_result_and_its_own_peak() -> None:
    code = (
        "block = bytearray(80 * 1024 * 1024); block[::4096] = b'x' * len(block[::4096]);"
        "print('noise'); print('BENCH-RESULT {\"answer\": 42}')"
    )
    child = run_child([sys.executable, "-c", code])
    assert child.result == {"answer": 42}
    assert child.peak_mib > 80 and child.cpu >= 0 and child.wall > 0


def test_a_failing_child_raises_with_its_output() -> None:
    with pytest.raises(BenchmarkError, match="exited 3"):
        run_child([sys.executable, "-c", "import sys; print('why'); sys.exit(3)"])


def test_tables_align_columns() -> None:
    text_ = table(["stage", "s"], [["ingest", "1.0"], ["resolve persons", "12.5"]])
    lines = text_.splitlines()
    assert lines[0].startswith("stage") and lines[1].startswith("-----")
    assert lines[2].endswith(" 1.0") and lines[3].endswith("12.5")
    assert len({len(line) for line in lines[1:]}) == 1
