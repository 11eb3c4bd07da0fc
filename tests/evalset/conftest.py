"""One small generated set per test session: a first snapshot (its truth kept aside) and the
next one added to it, through the command line as a user runs it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from evalset.cli import main

RESIDENTS = 2500
SEED = 7


@dataclass(frozen=True)
class Generated:
    landing: Path  # both snapshots
    truth: Path  # after the second snapshot
    first_truth: Path  # after the first snapshot
    first_date: str = "20261130"
    second_date: str = "20261230"


def generate(out: Path, truth: Path, *extra: str) -> None:
    result = CliRunner().invoke(
        main, ["generate", "--out", str(out), "--truth", str(truth), *extra]
    )
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    root = tmp_path_factory.mktemp("evalset")
    landing, truth = root / "landing", root / "truth"
    generate(
        landing, truth, "--residents", str(RESIDENTS), "--seed", str(SEED), "--date", "20261130"
    )
    shutil.copytree(truth, root / "truth-first")
    generate(landing, truth, "--next-snapshot")
    return Generated(landing=landing, truth=truth, first_truth=root / "truth-first")
