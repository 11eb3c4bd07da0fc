"""Checks on the published state, one property each.

The expectation suites run inside the steps that can still refuse the data (see
:mod:`pipelines.metadata`: ``delivery_expectations`` and ``publication_expectations``, both
blocking). These watch what readers see after the run; nothing is downstream of them.
"""

from __future__ import annotations

from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from hub.pipeline import published_model, unreconciled_deliveries
from pipelines.assets import PUBLISHED_MODEL
from pipelines.resources import DatabaseResource


@asset_check(asset=PUBLISHED_MODEL, description="Exactly one publication is CURRENT.")
def one_current_publication(database: DatabaseResource) -> AssetCheckResult:
    """Readers must always find one current model, never none or two."""
    with database.factory()() as session:
        model = published_model(session)
    return AssetCheckResult(
        passed=model.current_publications == 1,
        metadata={"current_publications": model.current_publications},
    )


@asset_check(
    asset=PUBLISHED_MODEL,
    description="Every delivery reconciles: rows read = loaded + quarantined + not applied.",
)
def deliveries_reconcile(database: DatabaseResource) -> AssetCheckResult:
    """No row of any delivery went missing on the way in."""
    with database.factory()() as session:
        files = unreconciled_deliveries(session)
    return AssetCheckResult(
        passed=not files,
        severity=AssetCheckSeverity.ERROR,
        metadata={"unreconciled": len(files), "files": MetadataValue.json(files[:50])},
    )


CHECKS = [one_current_publication, deliveries_reconcile]
