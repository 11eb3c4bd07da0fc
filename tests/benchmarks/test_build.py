"""How the build benchmark groups its detailed stages into the stages issue 9 names."""

from __future__ import annotations

import pytest

from benchmarks.build import components, issue_stages


def test_probed_stages_sum_into_the_issue_stages() -> None:
    seconds = {
        "migrate": 1.0,
        "ingest.read": 2.0,
        "ingest.normalise": 3.0,
        "ingest.apply": 4.0,
        "ingest.other": 0.5,
        "ingest.file": 9.0,
        "grid": 0.5,
        "quality.deliveries": 6.0,
        "resolve.houses": 7.0,
        "resolve.score": 8.0,
        "resolve.cluster": 1.0,
        "resolve.golden": 2.0,
        "resolve.publish": 10.0,
        "resolve.other": 0.25,
        "publication.other": 0.75,
        "quality.publication": 3.0,
        "docs": 1.0,
    }
    stages = issue_stages(seconds)
    assert stages == {
        "ingest": 8.0,
        "normalise": 3.0,
        "resolve houses": 7.0,
        "resolve persons": 11.0,
        "quality": 10.0,
        "publish": 11.0,
    }
    # ingest.file is the probe the others are derived from: counting it would count twice.
    assert sum(stages.values()) == pytest.approx(sum(seconds.values()) - seconds["ingest.file"])


def test_a_breakdown_the_hub_reports_itself_is_placed_by_its_name() -> None:
    seconds = {"ingest.decode": 1.0, "ingest.normalise_rows": 2.0, "ingest.write": 3.0}
    found = components(seconds)
    assert found["ingest"] == ["ingest.decode", "ingest.write"]
    assert found["normalise"] == ["ingest.normalise_rows"]
    assert issue_stages(seconds) == {"ingest": 4.0, "normalise": 2.0}


def test_stages_without_figures_are_left_out() -> None:
    assert issue_stages({"resolve.houses": 1.5}) == {"resolve houses": 1.5}


def test_new_resolution_stages_are_placed_and_finer_splits_not_counted_twice() -> None:
    seconds = {
        "resolve.houses": 1.0,
        "resolve.house_links": 2.0,
        "resolve.publish": 10.0,
        "resolve.publish.links": 6.0,
        "resolve.publish_facts": 3.0,
        "resolve.blocking": 4.0,
    }
    assert issue_stages(seconds) == {"resolve houses": 3.0, "resolve persons": 4.0, "publish": 13.0}


def test_the_deliveries_checks_count_once_where_the_hub_times_them_itself() -> None:
    # The probe around check_delivery and the hub's own "quality" figure time the same calls.
    seconds = {"ingest.write": 9.0, "ingest.map": 8.0, "ingest.quality": 6.0,
               "quality.deliveries": 6.0, "quality.publication": 1.5, "docs": 0.5}  # fmt: skip
    assert issue_stages(seconds) == {"ingest": 9.0, "normalise": 8.0, "quality": 8.0}
    assert components(seconds)["quality"] == ["ingest.quality", "quality.publication", "docs"]
