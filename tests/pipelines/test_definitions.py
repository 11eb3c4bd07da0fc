"""The code location loads, validates and draws the lineage the UI must show."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, AssetSelection, Definitions

from hub.config import load_settings
from hub.sources.catalog import DATASETS, SOURCES
from pipelines.assets import (
    ASSETS,
    GOLDEN_RECORDS,
    GRID_REFERENCE,
    PUBLISHED_MODEL,
    delivery_key,
    landing_key,
)
from pipelines.definitions import build_definitions, defs
from pipelines.jobs import HUB_ALL, NIGHTLY
from pipelines.resources import DatabaseResource
from pipelines.schedules import nightly


def test_definitions_load_and_validate() -> None:
    Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    assert {delivery_key(d) for d in DATASETS} <= keys
    assert {GRID_REFERENCE, GOLDEN_RECORDS, PUBLISHED_MODEL} <= keys
    assert {HUB_ALL, NIGHTLY} <= {job.name for job in defs.resolve_all_job_defs()}


def test_each_of_the_six_sources_leads_to_the_published_model() -> None:
    assert len(SOURCES) == 6
    graph = defs.resolve_asset_graph()
    for source in SOURCES:
        downstream = AssetSelection.assets(landing_key(source)).downstream().resolve(graph)
        assert PUBLISHED_MODEL in downstream, source
    golden_parents = graph.get(GOLDEN_RECORDS).parent_keys
    assert golden_parents == {*(delivery_key(d) for d in DATASETS), GRID_REFERENCE}
    assert graph.get(GRID_REFERENCE).parent_keys == {AssetKey(["wangge", "grid"])}


def test_assets_are_grouped_by_concept() -> None:
    groups = {key.to_user_string(): a.group_names_by_key[key] for a in ASSETS for key in a.keys}
    assert groups["gongan/population"] == "deliveries"
    assert groups["grid_reference"] == "reference"
    assert groups["golden_records"] == "resolution"
    assert groups["published_model"] == "publication"


def test_steps_that_touch_files_or_the_database_retry() -> None:
    for assets_def in ASSETS:
        policy = assets_def.op.retry_policy
        assert policy is not None and policy.max_retries >= 1, assets_def.key


def test_guarding_checks_are_blocking() -> None:
    graph = defs.resolve_asset_graph()
    blocking = {k.asset_key for k in graph.asset_check_keys if graph.get_check_spec(k).blocking}
    assert blocking == {*(delivery_key(d) for d in DATASETS), GOLDEN_RECORDS}


def test_nightly_schedule_runs_at_two_in_county_time() -> None:
    assert nightly.cron_schedule == "0 2 * * *"
    assert nightly.execution_timezone == "Asia/Shanghai"
    assert nightly.job_name == NIGHTLY


def test_building_definitions_makes_no_engine(tmp_path: Path) -> None:
    settings = load_settings(environ={"HUB_DATABASE_URL": "postgresql+psycopg://nobody@nowhere/x"},
                             cwd=tmp_path)  # fmt: skip
    resources = build_definitions(settings).resources or {}
    database = resources["database"]
    assert isinstance(database, DatabaseResource)
    assert database._engine is None


@pytest.mark.slow
def test_dagster_cli_validates_the_code_location(tmp_path: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "HUB_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "definitions", "validate",
         "-m", "pipelines.definitions"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Validation successful" in done.stderr + done.stdout
