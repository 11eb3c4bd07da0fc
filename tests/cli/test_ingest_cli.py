"""``hub ingest`` and ``hub export quarantine`` as a steward runs them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hub.cli import main
from hub.sources import catalog
from tests.ingest.files import POP_HEADER, person, write_csv


@pytest.fixture
def env(tmp_path: Path, db_url: str) -> dict[str, str]:
    return {"HUB_DATABASE_URL": db_url, "HUB_VAR_DIR": str(tmp_path / "var")}


def test_ingest_prints_counts_and_export_writes_every_quarantined_row(
    tmp_path: Path, env: dict[str, str]
) -> None:
    landing = tmp_path / "landing"
    write_csv(
        landing / "gongan" / catalog.POPULATION.file_name("20261115"),
        POP_HEADER,
        [person("GA0000000001", "陈秀英"), person("GA0000000002", ""), ["GA0000000003", "x"]],
        encoding="gb18030",
    )
    (landing / "gongan" / "人口_20261116.csv.tmp").write_bytes(b"partial")
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", "--landing", str(landing)], env=env)
    assert result.exit_code == 0, result.output
    assert "read 3 = loaded 1 + quarantined 2 (missing_name 1, wrong_column_count 1)" in (
        result.output
    )
    assert "missing_name 1" in result.output and "wrong_column_count 1" in result.output
    assert "ignored" in result.output and ".tmp" in result.output

    again = runner.invoke(main, ["ingest", "--landing", str(landing)], env=env)
    assert "0 new deliveries (1 already loaded)" in again.output

    out = tmp_path / "quarantine.csv"
    exported = runner.invoke(main, ["export", "quarantine", "--out", str(out)], env=env)
    assert exported.exit_code == 0, exported.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["line"], r["reason"], r["record_id"]) for r in rows] == [
        ("3", "missing_name", "GA0000000002"),
        ("4", "wrong_column_count", "GA0000000003"),
    ]
    assert all(r["file"] == "人口_20261115.csv" and r["message"] for r in rows)


def test_ingest_refuses_a_missing_landing_folder(tmp_path: Path, env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["ingest", "--landing", str(tmp_path / "nope")], env=env)
    assert result.exit_code != 0 and "does not exist" in result.output


def test_a_fresh_dagster_home_gets_a_quiet_instance(tmp_path: Path, env: dict[str, str]) -> None:
    """Dagster prints a telemetry banner and a missing-dagster.yaml warning into the middle of
    the hub's output on a fresh DAGSTER_HOME; the hub writes its dagster.yaml first."""
    landing = tmp_path / "landing"
    write_csv(landing / "gongan" / catalog.POPULATION.file_name("20261115"), POP_HEADER,
              [person("GA0000000001", "陈秀英")], encoding="gb18030")  # fmt: skip
    home = tmp_path / "fresh-dagster-home"
    result = CliRunner().invoke(main, ["ingest", "--landing", str(landing)],
                                env={**env, "DAGSTER_HOME": str(home)})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Telemetry" not in result.output and "dagster.yaml" not in result.output
    assert yaml.safe_load((home / "dagster.yaml").read_text()) == {"telemetry": {"enabled": False}}
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")  # the operator's own
    again = CliRunner().invoke(main, ["ingest", "--landing", str(landing)],
                               env={**env, "DAGSTER_HOME": str(home)})  # fmt: skip
    assert again.exit_code == 0
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: true\n"


def test_a_file_in_the_wrong_encoding_is_rejected_and_ingest_exits_1(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """Cron runs ``hub ingest``: a rejected file must make it fail, with the file and why."""
    from opencc import OpenCC

    traditional = OpenCC("s2t")
    landing = tmp_path / "landing"
    name = catalog.POPULATION.file_name("20261115")
    (landing / "gongan").mkdir(parents=True)
    header = ",".join(traditional.convert(c) for c in POP_HEADER)
    (landing / "gongan" / name).write_bytes(f"{header}\r\n".encode("big5"))
    result = CliRunner().invoke(main, ["ingest", "--landing", str(landing)], env=env)
    assert result.exit_code == 1
    assert (f"error: gongan.population/{name} rejected: wrong encoding: the file is Big5 "
            "(traditional Chinese), the contract says GB18030; the department must export it "
            "again") in result.stderr.splitlines()  # fmt: skip
    assert "Traceback" not in result.output
