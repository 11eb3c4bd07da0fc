"""Fixtures: small hand-made landing folders in the contract's formats."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from hub.sources import catalog
from tests.ingest.files import POP_HEADER, WritePopulation, write_csv


@pytest.fixture
def write_population(tmp_path: Path) -> WritePopulation:
    def write(date: str, rows: Sequence[Sequence[str]], **kwargs: bool) -> Path:
        path = tmp_path / "landing" / "gongan" / catalog.POPULATION.file_name(date)
        return write_csv(path, POP_HEADER, rows, encoding="gb18030", **kwargs)

    return write


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir(exist_ok=True)
    return path
