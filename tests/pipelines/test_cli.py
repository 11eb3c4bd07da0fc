"""``hub run`` and ``hub quality`` as an operator uses them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from dagster import DagsterInstance

from hub.cli.context import CliContext
from hub.cli.run import quality, run
from hub.config import Settings
from hub.pipeline import data_docs_dir
from hub.storage.models import QualityResult, QualityRun
from hub.storage.session import make_engine, session_factory, transaction
from tests.pipelines.published import copy_landing


def _failed_run(suite: str, at: dt.datetime) -> QualityRun:
    run = QualityRun(suite=suite, target=suite, started_at=at, success=False,
                     blocking_failed=True, statistics={})  # fmt: skip
    run.results = [
        QualityResult(expectation="expect_column_values_to_be_between", column="quarantine_rate",
                      kwargs={}, blocking=True, success=False, observed_value={},
                      unexpected_count=1, failing_record_ids=["41", "42", "43", "44"]),
        QualityResult(expectation="expect_column_values_to_be_unique", column="record_id",
                      kwargs={}, blocking=True, success=True, observed_value={},
                      unexpected_count=0, failing_record_ids=[]),
    ]  # fmt: skip
    return run


def test_quality_prints_the_latest_run_of_each_suite(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    noon = dt.datetime(2026, 11, 16, 12, tzinfo=dt.UTC)
    with transaction(session_factory(engine)) as session:
        old = _failed_run("gongan.population", noon - dt.timedelta(days=1))
        old.success, old.blocking_failed, old.results = True, False, []
        session.add_all([old, _failed_run("gongan.population", noon)])
    engine.dispose()

    result = CliRunner().invoke(quality, [], obj=CliContext(settings))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("BLOCKED  gongan.population")
    assert "2 expectations, 1 failed" in lines[0]
    assert lines[1] == (
        "  blocking expect_column_values_to_be_between(quarantine_rate): 1 unexpected "
        "(e.g. 41, 42, 43)"
    )
    assert lines[-1] == f"Data Docs: {data_docs_dir(settings) / 'index.html'} (not built yet)"


@pytest.mark.slow
def test_hub_run_materialises_the_graph_and_summarises(
    settings: Settings, generated: Path, tmp_path: Path
) -> None:
    landing = tmp_path / "elsewhere"
    copy_landing(generated, landing)
    runner = CliRunner()
    result = runner.invoke(run, ["--landing", str(landing)], obj=CliContext(settings))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "start    gongan__population" in result.stderr
    assert "done     published_model" in result.stderr
    assert "succeeded" in out.splitlines()[0]
    assert "gongan/population" in out and "1 new: read" in out
    assert "published: publication 1:" in out
    assert any(line.startswith("quality: ") and "checks" in line for line in out.splitlines())
    with DagsterInstance.from_config(str(settings.dagster_home)) as instance:  # what the UI reads
        assert [r.job_name for r in instance.get_runs()] == ["hub_all"]

    shown = runner.invoke(quality, [], obj=CliContext(settings))
    assert shown.exit_code == 0, shown.output
    assert "gongan.population" in shown.output and "published" in shown.output
    assert f"Data Docs: {data_docs_dir(settings) / 'index.html'}\n" in shown.output
