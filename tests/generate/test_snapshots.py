"""The next snapshot: stable record ids, realistic changes; runs are reproducible to the byte."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from hub.generate import GenerateError, GenerateOptions, generate
from hub.sources.catalog import (
    ASSISTANCE,
    BY_KEY,
    DOOR_PLATES,
    GRIDS,
    HEALTH_GROUPS,
    PARTY_MEMBERS,
    POPULATION,
    REPORTS,
    VACCINATIONS,
)
from tests.generate.conftest import Generated


def _by_id(generated: Generated, key: str, snapshot: int) -> dict[str, dict[str, object]]:
    field = BY_KEY[key].record_id_field
    return {str(row[field]): row for row in generated.good(key, snapshot)}


def test_population_rows_stay_and_change(generated: Generated) -> None:
    before = _by_id(generated, POPULATION.key, 0)
    after = _by_id(generated, POPULATION.key, 1)
    assert set(before) < set(after), "a 人口 row disappeared or nobody was added"
    for rid, row in before.items():
        assert (after[rid]["姓名"], after[rid]["出生日期"]) == (row["姓名"], row["出生日期"])
    cancelled = [r for r in before if before[r]["注销标志"] == "0" and after[r]["注销标志"] == "1"]
    moved = [r for r in before if before[r]["居住地址编码"] != after[r]["居住地址编码"]]
    new_phone = [r for r in before if before[r]["联系电话"] != after[r]["联系电话"]]
    assert cancelled and moved and new_phone
    new = set(after) - set(before)
    assert any(str(after[r]["出生日期"]) >= "20260901" for r in new), "no birth registered"
    assert any(after[r]["人员类别"] == "流动人口" for r in new), "nobody arrived"


@pytest.mark.parametrize("key", [ASSISTANCE.key, PARTY_MEMBERS.key])
def test_benefits_and_memberships_end_and_start(generated: Generated, key: str) -> None:
    before = _by_id(generated, key, 0)
    after = _by_id(generated, key, 1)
    assert set(before) - set(after), "nothing ended"
    assert set(after) - set(before), "nothing started"
    assert len(set(before) & set(after)) > len(before) / 2


def test_records_accumulate_and_reports_move_on(generated: Generated) -> None:
    for key in (VACCINATIONS.key, HEALTH_GROUPS.key):
        assert set(_by_id(generated, key, 1)) - set(_by_id(generated, key, 0)), key
    assert set(_by_id(generated, VACCINATIONS.key, 0)) <= set(
        _by_id(generated, VACCINATIONS.key, 1)
    )
    before = _by_id(generated, REPORTS.key, 0)
    after = _by_id(generated, REPORTS.key, 1)
    order = ["已提交", "已转办", "办理中", "已反馈", "已评价"]
    kept = set(before) & set(after)
    assert all(order.index(str(after[e]["status"])) >= order.index(str(before[e]["status"]))
               for e in kept)  # fmt: skip
    assert any(after[e]["status"] != before[e]["status"] for e in kept)
    assert any(e[2:10] > "20261115" for e in set(after) - set(before))
    assert set(_by_id(generated, DOOR_PLATES.key, 0)) == set(_by_id(generated, DOOR_PLATES.key, 1))
    assert generated.good(GRIDS.key, 0) == generated.good(GRIDS.key, 1)


def test_the_truth_covers_both_snapshots(generated: Generated) -> None:
    persons = generated.persons()
    for key in (POPULATION.key, ASSISTANCE.key, PARTY_MEMBERS.key):
        for snapshot in (0, 1):
            assert all((key, rid) in persons for rid in _by_id(generated, key, snapshot))
    files = {row["file"] for row in _truth(generated.truth / "bad_rows.csv")}
    assert {"人口_20261115.csv", "人口_20261215.csv", "救助对象_202612.xlsx"} <= files


def _truth(path: Path) -> list[dict[str, str]]:
    from tests.generate.reading import read_truth

    return read_truth(path)


def _contents(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def test_same_options_give_byte_identical_files(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        options = GenerateOptions(
            residents=600, seed=5, out=tmp_path / name / "landing", truth=tmp_path / name / "truth"
        )
        generate(options)
        generate(dataclasses.replace(options, next_snapshot=True))
        runs.append(options)
    a, b = runs
    assert _contents(a.out) == _contents(b.out)
    assert _contents(a.truth) == _contents(b.truth)
    manifests = [json.loads((o.truth / "manifest.json").read_text()) for o in runs]
    for m in manifests:
        m.pop("landing")
    assert manifests[0] == manifests[1]
    other = GenerateOptions(
        residents=600, seed=6, out=tmp_path / "c" / "l", truth=tmp_path / "c" / "t"
    )
    generate(other)
    assert _contents(other.out) != {k: v for k, v in _contents(a.out).items() if "1115" in k}


def test_next_snapshot_can_be_repeated_and_a_fresh_run_starts_over(tmp_path: Path) -> None:
    options = GenerateOptions(residents=300, seed=2, out=tmp_path / "l", truth=tmp_path / "t")
    generate(options)
    later = dataclasses.replace(options, next_snapshot=True)
    generate(later)
    third = generate(later)
    assert third.snapshot == 2 and third.date == "20270115"
    assert (options.out / "minzheng" / "救助对象_202701.xlsx").is_file()
    with pytest.raises(GenerateError, match="seed"):
        generate(dataclasses.replace(later, seed=3))
    generate(options)
    assert not (options.out / "gongan" / "人口_20270115.csv").exists()
    manifest = json.loads((options.truth / "manifest.json").read_text())
    assert len(manifest["snapshots"]) == 1


def test_next_snapshot_needs_a_manifest(tmp_path: Path) -> None:
    options = GenerateOptions(out=tmp_path / "l", truth=tmp_path / "t", next_snapshot=True)
    with pytest.raises(GenerateError, match=r"manifest\.json"):
        generate(options)


def test_output_does_not_depend_on_string_hashing(tmp_path: Path) -> None:
    """Python salts str hashes per process: iterating a set of strings would show here."""
    import os
    import subprocess
    import sys

    for seed in ("1", "2"):
        env = os.environ | {"PYTHONHASHSEED": seed}
        out, truth = str(tmp_path / seed / "l"), str(tmp_path / seed / "t")
        script = (
            "from pathlib import Path; from hub.generate import GenerateOptions, generate; "
            f"generate(GenerateOptions(residents=300, out=Path({out!r}), truth=Path({truth!r})))"
        )
        command = [sys.executable, "-c", script]
        subprocess.run(command, env=env, check=True, capture_output=True)
    assert _contents(tmp_path / "1") == _contents(tmp_path / "2")
