"""Assets by concept: landing and deliveries -> grid reference -> golden records -> published.

Each asset is a few lines over :mod:`hub.pipeline`; the logic lives in ``hub``.
"""

from __future__ import annotations

from dagster import AssetsDefinition

from pipelines.assets.deliveries import DELIVERIES, LANDING, delivery_key, landing_key
from pipelines.assets.publication import PUBLISHED_MODEL, published_model
from pipelines.assets.reference import GRID_REFERENCE, grid_reference
from pipelines.assets.resolution import GOLDEN_RECORDS, ResolutionConfig, golden_records

#: Every materialisable asset, upstream first.
ASSETS: list[AssetsDefinition] = [*DELIVERIES, grid_reference, golden_records, published_model]

__all__ = [
    "ASSETS",
    "DELIVERIES",
    "GOLDEN_RECORDS",
    "GRID_REFERENCE",
    "LANDING",
    "PUBLISHED_MODEL",
    "ResolutionConfig",
    "delivery_key",
    "landing_key",
]
