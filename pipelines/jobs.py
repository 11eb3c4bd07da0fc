"""Jobs: selections of the one asset graph, each with the blocking checks of its assets.

- ``hub_all``: the whole graph (``hub run``, ``hub demo``, the delivery sensor);
- ``hub_ingest``: the delivery assets and the grid reference (``hub ingest``), each delivery
  validated by its blocking suite before it commits;
- ``hub_publish``: resolution, the publication suite and the published model (``hub resolve``);
- ``nightly_full_check``: the whole graph with a full re-resolution (the schedule).

There is no other way to publish: every command and the UI run one of these, so every
publication passes the same blocking checks.
"""

from __future__ import annotations

from dagster import AssetSelection, RunConfig, define_asset_job

from pipelines.assets import ResolutionConfig
from pipelines.assets.deliveries import GROUP as DELIVERIES_GROUP
from pipelines.assets.publication import GROUP as PUBLICATION_GROUP
from pipelines.assets.reference import GROUP as REFERENCE_GROUP
from pipelines.assets.resolution import GROUP as RESOLUTION_GROUP

HUB_ALL = "hub_all"
HUB_INGEST = "hub_ingest"
HUB_PUBLISH = "hub_publish"
NIGHTLY = "nightly_full_check"

hub_all = define_asset_job(
    HUB_ALL,
    selection=AssetSelection.all(),
    description="Ingest new deliveries, refresh the grid reference, resolve and publish.",
)

hub_ingest = define_asset_job(
    HUB_INGEST,
    selection=AssetSelection.groups(DELIVERIES_GROUP, REFERENCE_GROUP),
    description="Ingest new deliveries (each validated before it commits) and refresh the grid "
    "reference; publishes nothing.",
)

hub_publish = define_asset_job(
    HUB_PUBLISH,
    selection=AssetSelection.groups(RESOLUTION_GROUP, PUBLICATION_GROUP),
    description="Resolve persons and houses and publish, if the publication suite passes.",
)

nightly_full_check = define_asset_job(
    NIGHTLY,
    selection=AssetSelection.all(),
    description="Every step and check again, with every record re-scored (full resolution).",
    config=RunConfig(ops={"golden_records": ResolutionConfig(full=True)}),
)

JOBS = [hub_all, hub_ingest, hub_publish, nightly_full_check]
