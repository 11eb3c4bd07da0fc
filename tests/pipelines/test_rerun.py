"""A run killed at any asset boundary leaves readers the previous model whole, and running
again ends in the same published state as a run that was never interrupted."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dagster import DagsterInstance, instance_for_test
from sqlalchemy.exc import OperationalError

import hub.pipeline
import pipelines.assets.publication
from hub.config import Settings, load_settings
from hub.storage import migrate
from pipelines.runner import run_all
from tests.pipelines.published import copy_landing, published_hash

pytestmark = pytest.mark.slow


class Killed(Exception):
    """Stands for the process dying: nothing after it runs, the transaction never commits."""


def _sqlite_settings(base: Path, generated: Path) -> Settings:
    settings = load_settings(environ={"HUB_VAR_DIR": str(base / "var")}, cwd=base)
    settings = dataclasses.replace(settings, landing_dir=base / "landing")
    copy_landing(generated, settings.landing_dir)
    settings.ensure_dirs()
    migrate.upgrade(settings.database_url)
    return settings


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, generated: Path) -> str:
    """The published state after one run that nothing interrupted."""
    settings = _sqlite_settings(tmp_path_factory.mktemp("uninterrupted"), generated)
    with instance_for_test() as instance:
        assert run_all(settings, instance=instance).success
    return published_hash(settings.database_url)


def _after(real: Callable[..., Any], when: Callable[..., bool]) -> Callable[..., Any]:
    """``real``, then a kill (when ``when`` says so for these arguments)."""

    def killed(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if when(*args, **kwargs):
            raise Killed(f"killed after {real.__name__}")
        return result

    return killed


def _always(*_: Any, **__: Any) -> bool:
    return True


def _population(_session: Any, item: Any, *_: Any, **__: Any) -> bool:
    return bool(item.dataset.key == "gongan.population")


BOUNDARIES = {
    # the population file applied in its transaction, the process dies before the commit
    "delivery": (hub.pipeline, "ingest_file", _population, "gongan__population"),
    "grid_reference": (hub.pipeline, "refresh_grid_reference", _always, "grid_reference"),
    # the whole model built and validated, the process dies before the commit
    "resolution": (hub.pipeline, "resolve", _always, "golden_records"),
    "publication": (pipelines.assets.publication, "read_published_model", _always,
                    "published_model"),
}  # fmt: skip


@pytest.mark.parametrize("boundary", list(BOUNDARIES))
def test_a_killed_run_then_a_rerun_equals_an_uninterrupted_run(
    boundary: str,
    tmp_path: Path,
    generated: Path,
    uninterrupted: str,
    instance: DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _sqlite_settings(tmp_path, generated)
    empty = published_hash(settings.database_url)
    module, name, when, step = BOUNDARIES[boundary]
    monkeypatch.setattr(module, name, _after(getattr(module, name), when))

    killed = run_all(settings, instance=instance)
    assert not killed.success and killed.failed_steps == [step]
    assert published_hash(settings.database_url) in {empty, uninterrupted}  # never half

    monkeypatch.undo()
    rerun = run_all(settings, instance=instance)
    assert rerun.success, rerun.failed_steps
    assert published_hash(settings.database_url) == uninterrupted


def test_a_transient_error_is_retried_and_the_run_succeeds(
    tmp_path: Path,
    generated: Path,
    uninterrupted: str,
    instance: DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _sqlite_settings(tmp_path, generated)
    real = hub.pipeline.refresh_grid_reference
    calls: list[int] = []

    def locked_once(session: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("update grid", {}, Exception("database is locked"))
        return real(session)

    monkeypatch.setattr(hub.pipeline, "refresh_grid_reference", locked_once)
    lines: list[str] = []
    summary = run_all(settings, instance=instance, progress=lines.append)
    assert summary.success, summary.failed_steps
    assert len(calls) == 2
    assert any(line.startswith("retry    grid_reference") for line in lines)
    assert published_hash(settings.database_url) == uninterrupted
