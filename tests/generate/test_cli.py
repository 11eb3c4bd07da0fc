"""``hub generate`` on the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner


def test_command_line(tmp_path: Path) -> None:
    from hub.cli import main  # the group imports every sub-command: only this test needs it

    runner = CliRunner()
    landing, truth = str(tmp_path / "landing"), str(tmp_path / "truth")
    first = runner.invoke(main, ["generate", "--residents", "300", "--seed", "4",
                                 "--out", landing, "--truth", truth])  # fmt: skip
    assert first.exit_code == 0, first.output
    assert "人口_20261115.csv" in first.output and "persons.csv" in first.output
    second = runner.invoke(main, ["generate", "--next-snapshot", "--out", landing,
                                  "--truth", truth])  # fmt: skip
    assert second.exit_code == 0, second.output
    assert "snapshot 1 (20261215)" in second.output
    wrong = runner.invoke(main, ["generate", "--next-snapshot", "--residents", "500",
                                 "--out", landing, "--truth", truth])  # fmt: skip
    assert wrong.exit_code != 0 and "--residents" in wrong.output
