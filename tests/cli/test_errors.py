"""Commands an operator runs against a database that is not there, not migrated, or with a
folder missing: one line saying what is wrong (and what to run), exit status 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hub.cli import main
from hub.storage import migrate
from tests.api.servers import free_port

UNREACHABLE = ["db status", "db upgrade", "ingest", "run", "resolve", "quality", "token list",
               "audit verify", "grids", "export quarantine --out {tmp}/q.csv"]  # fmt: skip
UNMIGRATED = ["audit verify", "token list", "quality", "grids", "export quarantine --out "
              "{tmp}/q.csv", "export links --kind person --out {tmp}/l.csv"]  # fmt: skip


def _hub(url: str, tmp: Path, command: str) -> Result:
    (tmp / "landing").mkdir(exist_ok=True)
    env = {
        "HUB_DATABASE_URL": url,
        "HUB_VAR_DIR": str(tmp),
        "HUB_LANDING_DIR": str(tmp / "landing"),
    }
    return CliRunner().invoke(main, command.format(tmp=tmp).split(), env=env)


def _one_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is not None
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("command", UNREACHABLE)
def test_an_unreachable_database_is_one_line(command: str, tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
    line = _one_line(_hub(url, tmp_path, command))
    assert line.startswith(f"Error: cannot reach the database {url}: connection failed")


@pytest.mark.parametrize("command", UNMIGRATED)
def test_an_unmigrated_database_says_to_upgrade(command: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    line = _one_line(_hub(url, tmp_path, command))
    assert line == (f"Error: the database {url} has no hub tables (the code needs "
                    f"{migrate.head_revision()}): run `hub db upgrade`")  # fmt: skip


def test_db_status_of_an_unmigrated_database_exits_1(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    result = _hub(url, tmp_path, "db status")
    assert result.exit_code == 1
    assert (
        result.output
        == f"{url}: revision None (head {migrate.head_revision()}, needs `hub db upgrade`)\n"
    )


def test_evaluate_names_a_missing_truth_folder_or_file(tmp_path: Path, db_url: str) -> None:
    line = _one_line(_hub(db_url, tmp_path, f"evaluate --truth {tmp_path / 'nope'}"))
    assert line == (f"Error: truth folder {tmp_path / 'nope'} does not exist (`hub generate "
                    "--truth DIR` writes one)")  # fmt: skip
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "persons.csv").write_text("dataset,record_id\n", encoding="utf-8")
    line = _one_line(_hub(db_url, tmp_path, f"evaluate --truth {tmp_path / 'truth'}"))
    assert (
        line
        == f"Error: truth folder {tmp_path / 'truth'} lacks {tmp_path / 'truth' / 'houses.csv'}"
    )
    (tmp_path / "truth" / "houses.csv").write_text("dataset,record_id\n", encoding="utf-8")
    line = _one_line(_hub(db_url, tmp_path, f"evaluate --truth {tmp_path / 'truth'}"))
    assert "is not a truth file: no column person_key" in line


def test_a_setting_that_cannot_be_used_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["db", "status"], env={"HUB_MODE": "staging"})
    assert _one_line(result) == "Error: HUB_MODE='staging': expected one of production, development"
