"""Jobs: the whole graph (what ``hub run`` and the delivery sensor launch) and the nightly
full check (the same graph with a full re-resolution)."""

from __future__ import annotations

from dagster import AssetSelection, RunConfig, define_asset_job

from pipelines.assets import ResolutionConfig

HUB_ALL = "hub_all"
NIGHTLY = "nightly_full_check"

hub_all = define_asset_job(
    HUB_ALL,
    selection=AssetSelection.all(),
    description="Ingest new deliveries, refresh the grid reference, resolve and publish.",
)

nightly_full_check = define_asset_job(
    NIGHTLY,
    selection=AssetSelection.all(),
    description="Every step and check again, with every record re-scored (full resolution).",
    config=RunConfig(ops={"golden_records": ResolutionConfig(full=True)}),
)

JOBS = [hub_all, nightly_full_check]
