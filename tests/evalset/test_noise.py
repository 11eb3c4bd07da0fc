"""The defect rates: the README states the registry's; the draws match the rates stated; and
what the files carry, counted from the files alone, matches what was drawn."""

from __future__ import annotations

import csv
import functools
import json
import math
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from opencc import OpenCC

from evalset.noise import KINDS
from tests.evalset.conftest import Generated, generate
from tests.evalset.test_formats import PATTERNS, complete_lines, csv_rows, deliveries

README = Path(__file__).resolve().parents[2] / "evalset" / "README.md"
#: Kinds drawn with a factor other than 1 for some units (township offices, party rows,
#: floating people), and kinds whose probability is capped at 1 at --noise 1.5.
FACTORED = {
    "name.truncated",
    "name.former_used",
    "name.nickname",
    "name.homophone",
    "name.lookalike",
    "name.minority_separator",
    "name.spaces",
    "gongan.no_address",
    "minzheng.sex_empty",
    "id.check_digit",
    "id.transposed",
    "id.one_digit",
    "id.excel_number",
    "id.x_dropped",
    "id.x_lower",
    "id.spaces",
    "id.fullwidth",
    "id.legacy",
    "id.missing",
    "id.household_member",
    "phone.old_kept",
    "phone.two_numbers",
    "phone.landline",
    "phone.format",
    "phone.missing",
    "date.impossible",
    "amount.typed",
    "rows.sparse",
    "addr.short_form",
    "addr.no_township",
    "addr.county_prefix",
    "addr.no_village",
    "addr.abbreviated",
    "addr.road_typo",
    "addr.group_only",
    "addr.unit_dropped",
    "addr.numerals",
    "addr.unusable",
}


def noise_log(truth: Path) -> dict[str, dict[str, str]]:
    with (truth / "noise.csv").open(encoding="utf-8", newline="") as handle:
        return {row["kind"]: row for row in csv.DictReader(handle)}


def test_the_readme_lists_every_kind_with_its_rate() -> None:
    rows = re.findall(
        r"^\| `([a-z_.0-9]+)` \| ([0-9.e-]+) \| (.+?) \| (.+?) \|$",
        README.read_text(encoding="utf-8"),
        flags=re.M,
    )
    stated = {key: (float(rate), unit, what) for key, rate, unit, what in rows}
    assert stated == {k.key: (k.rate, k.unit, k.what) for k in KINDS}


def test_draws_match_the_stated_probabilities(generated: Generated) -> None:
    """Over every trial of the first snapshot, how many applied is within four standard
    deviations of the sum of the probabilities used; unfactored kinds used the stated rate."""
    log = noise_log(generated.first_truth)
    assert set(log) == {k.key for k in KINDS}
    tried = 0
    for kind in KINDS:
        row = log[kind.key]
        trials, expected, applied = int(row["trials"]), float(row["expected"]), int(row["applied"])
        if not trials:
            continue
        tried += 1
        assert abs(applied - expected) <= 4 * math.sqrt(expected) + 2, row
        if kind.key not in FACTORED:
            assert expected / trials == pytest.approx(
                min(1.0, kind.rate), rel=0.01, abs=0.01 / trials
            )
    assert tried >= len(KINDS) - 12  # next-snapshot-only and file-level kinds may not be tried


def test_noise_scales_every_rate(tmp_path: Path, generated: Generated) -> None:
    generate(tmp_path / "l", tmp_path / "t", "--residents", "600", "--seed", "3", "--noise", "1.5")
    log = noise_log(tmp_path / "t")
    for kind in KINDS:
        if kind.key in FACTORED or kind.rate * 1.5 >= 1:
            continue
        row = log[kind.key]
        assert float(row["stated_rate"]) == pytest.approx(kind.rate * 1.5)
        if int(row["trials"]):
            assert float(row["expected"]) / int(row["trials"]) == pytest.approx(
                kind.rate * 1.5, rel=0.02, abs=0.01 / int(row["trials"])
            )


def _within(count: int, row: dict[str, str], slack: int = 0) -> bool:
    expected = float(row["expected"])
    return abs(count - expected) <= 4 * math.sqrt(expected) + 2 + slack


def test_the_files_carry_what_was_drawn(generated: Generated) -> None:
    """Counted in the first snapshot's files, independently of the generator's code."""
    log = noise_log(generated.first_truth)
    day = generated.first_date
    landing = generated.landing

    _, population = csv_rows(landing / "gongan" / f"人口_{day}.csv", "gb18030")
    legacy = sum(1 for r in population if len(r[1]) == 15)
    floating_without = sum(1 for r in population if r[1] == "" and r[8] == "流动人口")
    assert _within(legacy, log["gongan.legacy_id"])
    assert _within(floating_without, log["gongan.no_id"])

    roster = deliveries(landing, PATTERNS["minzheng"])[0]
    rows = list(openpyxl.load_workbook(roster)["救助对象"].iter_rows(values_only=True))
    data = [r for r in rows[2:] if r[0] and str(r[0]).startswith("MZ") and r[1] != "测试"]
    excel_ids = sum(
        1
        for r in data
        if isinstance(r[2], float) or re.fullmatch(r"\d\.\d{5}E\+17", str(r[2] or ""))
    )
    date_cells = sum(1 for r in data if isinstance(r[9], datetime))
    typed_amounts = sum(1 for r in data if isinstance(r[8], str) and r[8])
    assert _within(excel_ids, log["id.excel_number"])
    assert _within(date_cells, log["date.excel_date"])
    assert _within(typed_amounts, log["amount.typed"], slack=2)  # sparse rows lose theirs

    files: dict[tuple[str, str, str], str] = {}
    for line in complete_lines(
        (landing / "weijian" / f"接种记录_{day}.jsonl").read_bytes(), "utf-8"
    )[1]:
        obj = json.loads(line)
        files[(obj["id_no"], obj["birth_date"], obj["phone"])] = obj["name"]
    traditional = sum(1 for name in files.values() if _has_traditional(name))
    assert traditional >= int(log["name.traditional"]["applied"]) * 0.5
    plus86 = sum(1 for (_, _, phone) in files if phone.startswith(("+86", "86")))
    assert plus86 >= int(log["phone.plus86"]["applied"]) * 0.5


@functools.cache
def _to_simplified() -> OpenCC:
    return OpenCC("t2s")


def _has_traditional(name: str) -> bool:
    return name != _to_simplified().convert(name)
