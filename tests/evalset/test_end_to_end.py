"""The set through the hub as the README runs it: generate, ``hub run``, ``hub evaluate``,
``hub serve --dev`` and ``evalset answers`` over HTTP, for two snapshots. It checks that the
hub takes the set and that every figure is printed and sane; it asserts nothing about how
good the hub is (that is what the figures are for)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.independent_set import dev_server

pytestmark = pytest.mark.slow
HUB = str(Path(sys.executable).parent / "hub")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    var = tmp_path / "var"
    (var / "dagster").mkdir(parents=True)
    return {
        **os.environ,
        "HUB_VAR_DIR": str(var),
        "HUB_DATABASE_URL": f"sqlite:///{var / 'hub.sqlite3'}",
        "HUB_LANDING_DIR": str(tmp_path / "landing"),
        "DAGSTER_HOME": str(var / "dagster"),
        "HUB_MODE": "production",
    }


def call(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False, timeout=900)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def figures(text: str, label: str) -> tuple[float, float]:
    found = re.search(rf"{label}.*?precision ([0-9.]+).*?recall ([0-9.]+)", text)
    assert found, text
    precision, recall = float(found.group(1)), float(found.group(2))
    assert 0 <= precision <= 1 and 0 <= recall <= 1
    return precision, recall


def test_two_snapshots_through_the_hub(tmp_path: Path, env: dict[str, str]) -> None:
    landing, truth = tmp_path / "landing", tmp_path / "truth"
    evalset = [sys.executable, "-m", "evalset"]
    call(
        [
            *evalset,
            "generate",
            "--residents",
            "600",
            "--seed",
            "11",
            "--out",
            str(landing),
            "--truth",
            str(truth),
        ],
        env,
    )
    for snapshot in (1, 2):
        if snapshot == 2:
            call(
                [
                    *evalset,
                    "generate",
                    "--next-snapshot",
                    "--out",
                    str(landing),
                    "--truth",
                    str(truth),
                ],
                env,
            )
        run = call([HUB, "run", "--landing", str(landing)], env)
        assert "succeeded" in run and "failed" not in run.lower().replace("0 failed", ""), run
        evaluation = call([HUB, "evaluate", "--truth", str(truth)], env)
        for label in ("persons:", "houses:", "buildings:"):
            figures(evaluation, label)


def test_answers_over_http(tmp_path: Path, env: dict[str, str]) -> None:
    landing, truth = tmp_path / "landing", tmp_path / "truth"
    call(
        [
            sys.executable,
            "-m",
            "evalset",
            "generate",
            "--residents",
            "600",
            "--seed",
            "12",
            "--out",
            str(landing),
            "--truth",
            str(truth),
        ],
        env,
    )
    call([HUB, "run", "--landing", str(landing)], env)
    # The server starts on the published database: `hub serve` refuses one it cannot use.
    with dev_server(env) as server:
        out = call(
            [sys.executable, "-m", "evalset", "answers", "--truth", str(truth), "--url", server],
            env,
        )
    _, elderly_recall = figures(out, "ElderlyLivingAloneInGrid")
    figures(out, "LowIncomeWithoutVaccination")
    assert re.search(r"ElderlyLivingAloneInGrid \(\d+ gridCode scopes\)", out)
    assert re.search(r"LowIncomeWithoutVaccination \(1[0-8] township scopes\)", out)
    assert elderly_recall > 0  # the answers did come back through the published operation
