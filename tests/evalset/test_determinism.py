"""The same seed writes the same bytes, in any process (hash seeds differ), snapshot after
snapshot; a changed seed writes another set; wrong requests are refused in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from evalset.cli import main
from tests.evalset.conftest import generate


def run(*args: str, hash_seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-m", "evalset", "generate", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_across_processes_and_snapshots(tmp_path: Path) -> None:
    for name, hash_seed in (("a", "1"), ("b", "2")):
        out, truth = str(tmp_path / name / "landing"), str(tmp_path / name / "truth")
        run(
            "--residents", "400", "--seed", "5", "--out", out, "--truth", truth, hash_seed=hash_seed
        )
        run("--next-snapshot", "--out", out, "--truth", truth, hash_seed=hash_seed)
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) >= 2 * 9 + 6
    assert a == b


def test_another_seed_another_set(tmp_path: Path) -> None:
    generate(tmp_path / "l1", tmp_path / "t1", "--residents", "300", "--seed", "1")
    generate(tmp_path / "l2", tmp_path / "t2", "--residents", "300", "--seed", "2")
    persons1 = (tmp_path / "t1" / "residents.csv").read_text(encoding="utf-8")
    persons2 = (tmp_path / "t2" / "residents.csv").read_text(encoding="utf-8")
    assert persons1 != persons2


def test_refusals_are_one_line(tmp_path: Path) -> None:
    landing, truth = tmp_path / "landing", tmp_path / "truth"
    generate(landing, truth, "--residents", "300", "--seed", "1")
    runner = CliRunner()

    def refused(*args: str) -> str:
        result = runner.invoke(
            main, ["generate", "--out", str(landing), "--truth", str(truth), *args]
        )
        assert result.exit_code != 0
        lines = [line for line in result.output.splitlines() if line.startswith("Error")]
        assert len(lines) == 1 and "Traceback" not in result.output, result.output
        return lines[0]

    assert "is not empty" in refused("--residents", "300")
    assert "--seed 2 differs from the 1" in refused("--next-snapshot", "--seed", "2")
    assert "is not after the last snapshot" in refused("--next-snapshot", "--date", "20261130")
    assert "not a date YYYYMMDD" in refused("--next-snapshot", "--date", "2026-12-30")
    meta = json.loads((truth / "meta.json").read_text(encoding="utf-8"))
    meta["digests"][-1] = "0" * 64
    (truth / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert "does not give the truth it recorded" in refused("--next-snapshot")
    (truth / "meta.json").write_text("{", encoding="utf-8")
    assert "not a truth folder of this generator" in refused("--next-snapshot")
