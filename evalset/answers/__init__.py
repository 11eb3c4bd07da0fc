"""``evalset answers``: the departments' published questions asked of a running hub, scored
against ``residents.csv``. The only part of evalset that talks to the hub: through its CLI
(``hub export links``) and its GraphQL API."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from evalset.answers.check import ELDERLY_ALONE, LOW_INCOME, Checker, Score
from evalset.answers.client import AnswersError, Client
from evalset.answers.known import Links, Truth

__all__ = ["AnswersError", "Score", "default_operations", "export_links", "run"]


def default_operations() -> Path:
    """``schema/operations`` of the repository this package sits in, else of the current
    folder."""
    beside = Path(__file__).resolve().parents[2] / "schema" / "operations"
    return beside if beside.is_dir() else Path("schema/operations")


def export_links(out: Path) -> None:
    """``hub export links --kind person`` (the ``hub`` next to this Python, else on PATH);
    the hub reads its database from the environment (``HUB_DATABASE_URL``)."""
    hub = Path(sys.executable).parent / "hub"
    command = str(hub) if hub.exists() else shutil.which("hub")
    if command is None:
        raise AnswersError("`hub` not found: install the hub, or give --links FILE")
    done = subprocess.run(
        [command, "export", "links", "--kind", "person", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
        raise AnswersError(f"hub export links failed: {last[0]}")


def run(truth_dir: Path, client: Client, links_file: Path | None, operations: Path) -> list[Score]:
    truth = Truth.read(truth_dir)
    with tempfile.TemporaryDirectory() as tmp:
        path = links_file
        if path is None:
            path = Path(tmp) / "person_links.csv"
            export_links(path)
        links = Links.read(path, truth)
    checker = Checker(client=client, truth=truth, links=links, operations=operations)
    scores = [checker.ask(LOW_INCOME), checker.ask(ELDERLY_ALONE)]
    for score in scores:
        score.notes = list(dict.fromkeys(checker.notes))
    return scores
