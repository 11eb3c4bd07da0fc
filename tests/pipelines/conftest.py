"""Fixtures for the code location: a small generated landing folder, settings pointing at a
test database, and a throwaway Dagster instance."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterInstance, instance_for_test

from hub.config import Settings, load_settings
from hub.generate import GenerateOptions, generate

RESIDENTS = 300


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A landing folder generated once (300 residents, seed 3); tests copy it."""
    base = tmp_path_factory.mktemp("generated")
    generate(GenerateOptions(residents=RESIDENTS, seed=3, out=base / "landing",
                             truth=base / "truth"))  # fmt: skip
    return base / "landing"


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings for one test: its own var folder, empty landing folder and migrated database."""
    base = load_settings(environ={"HUB_VAR_DIR": str(tmp_path / "var")}, cwd=tmp_path)
    landing = tmp_path / "landing"
    landing.mkdir()
    return dataclasses.replace(base, database_url=db_url, landing_dir=landing)


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with instance_for_test() as instance:
        yield instance
