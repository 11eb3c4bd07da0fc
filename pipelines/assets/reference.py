"""The grid reference: the grid tables rebuilt from the current 网格 snapshot."""

from __future__ import annotations

from dagster import AssetKey, MaterializeResult, asset

from hub.pipeline import refresh_grid
from hub.sources.catalog import GRIDS
from pipelines.assets.deliveries import delivery_key
from pipelines.metadata import grid_metadata
from pipelines.policies import TRANSIENT, retry_only_transient
from pipelines.resources import DatabaseResource

GRID_REFERENCE = AssetKey("grid_reference")
GROUP = "reference"


@asset(
    key=GRID_REFERENCE,
    deps=[delivery_key(GRIDS)],
    group_name=GROUP,
    description="Township, first-level, unit and responsibility grids, and the buildings each "
    "responsibility grid covers.",
    retry_policy=TRANSIENT,
)
def grid_reference(database: DatabaseResource) -> MaterializeResult:
    """Rebuild the grid tables from the current grid snapshot."""
    with retry_only_transient():
        summary = refresh_grid(database.factory())
    return MaterializeResult(metadata=grid_metadata(summary))
