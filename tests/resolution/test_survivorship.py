"""Survivorship rules: declared as data, validated at load, applied with provenance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from hub.resolution.survivorship import FieldRule, RulesError, load_rules, survive

D1, D2 = dt.date(2026, 10, 15), dt.date(2026, 11, 15)


def _candidates(rows: list[tuple[str, str | None, str, str, dt.date]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["entity_id", "value", "dataset", "record_id", "valid_from"])


def test_the_shipped_rules_load_and_name_public_security_first_for_identity() -> None:
    rules = load_rules()
    assert rules["name"].sources[0] == "gongan.population"
    assert rules["phone"].rule == "most_recent"
    assert rules["birth_date"].prefer_complete


def test_source_priority_beats_recency_and_lists_what_it_beat() -> None:
    rule = FieldRule("name", "source_priority", ("gongan.population", "minzheng.assistance"))
    frame = _candidates([
        ("P1", "陈秀瑛", "minzheng.assistance", "MZ00000001", D2),
        ("P1", "陈秀英", "gongan.population", "GA0000000001", D1),
        ("P1", None, "gongan.population", "GA0000000002", D2),
    ])  # fmt: skip
    (winner,) = survive(frame, rule).to_dict("records")
    assert (winner["value"], winner["record_id"]) == ("陈秀英", "GA0000000001")
    assert winner["alternatives"] == [
        {"value": "陈秀瑛", "dataset": "minzheng.assistance", "record_id": "MZ00000001",
         "snapshot_date": "2026-11-15"}
    ]  # fmt: skip


def test_most_recent_wins_for_phones() -> None:
    rule = FieldRule("phone", "most_recent", ("gongan.population", "weijian.vaccination"))
    frame = _candidates([
        ("P1", "13800000000", "gongan.population", "GA0000000001", D1),
        ("P1", "13900000000", "weijian.vaccination", "WJ000000000001", D2),
    ])  # fmt: skip
    assert survive(frame, rule)["value"].tolist() == ["13900000000"]


def test_a_full_birth_date_beats_a_month_from_a_preferred_source() -> None:
    rule = FieldRule("birth_date", "source_priority", ("dangjian.member", "weijian.vaccination"),
                     prefer_complete=True)  # fmt: skip
    frame = _candidates([
        ("P1", "1975-06", "dangjian.member", "DJ00000001", D2),
        ("P1", "1975-06-03", "weijian.vaccination", "WJ000000000001", D1),
    ])  # fmt: skip
    assert survive(frame, rule)["value"].tolist() == ["1975-06-03"]


def test_unlisted_sources_never_win() -> None:
    rule = FieldRule("ethnicity", "source_priority", ("gongan.population",))
    frame = _candidates([("P1", "汉族", "dangjian.member", "DJ00000001", D2)])
    assert survive(frame, rule).empty


def test_invalid_rules_are_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("person:\n  name:\n    rule: loudest\n    sources: [gongan.population]\n")
    with pytest.raises(RulesError, match="unknown rule"):
        load_rules(path)
    path.write_text("person:\n  name:\n    rule: most_recent\n    sources: [gongan.cars]\n")
    with pytest.raises(RulesError, match="unknown"):
        load_rules(path)
