"""Settings read from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config import load_settings


def test_ingest_workers_default_leaves_a_core_to_the_loading_process(tmp_path: Path) -> None:
    workers = load_settings({}, cwd=tmp_path).ingest_workers
    assert 1 <= workers <= 2


@pytest.mark.parametrize(("value", "workers"), [("0", 0), ("3", 3), (" 1 ", 1)])
def test_ingest_workers_from_the_environment(tmp_path: Path, value: str, workers: int) -> None:
    settings = load_settings({"HUB_INGEST_WORKERS": value}, cwd=tmp_path)
    assert settings.ingest_workers == workers


@pytest.mark.parametrize("value", ["two", "-1"])
def test_bad_ingest_workers_are_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ValueError, match="HUB_INGEST_WORKERS"):
        load_settings({"HUB_INGEST_WORKERS": value}, cwd=tmp_path)
