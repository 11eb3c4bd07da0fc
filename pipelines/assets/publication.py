"""The published model: what the API serves once ``golden_records`` has committed.

Publication itself happened in ``golden_records`` (one transaction: build, validate, make
current). This asset records the model readers now see, rebuilds the quality Data Docs (the
latest run of each suite) and carries the checks that watch the published state (see
:mod:`pipelines.checks`).
"""

from __future__ import annotations

from dagster import AssetKey, MaterializeResult, asset

from hub.pipeline import published_model as read_published_model
from hub.pipeline import refresh_data_docs
from pipelines.assets.resolution import GOLDEN_RECORDS
from pipelines.metadata import model_metadata
from pipelines.policies import TRANSIENT, retry_only_transient
from pipelines.resources import DatabaseResource, DataDocsResource

PUBLISHED_MODEL = AssetKey("published_model")
GROUP = "publication"


@asset(
    key=PUBLISHED_MODEL,
    deps=[GOLDEN_RECORDS],
    group_name=GROUP,
    description="The current publication: golden persons, houses and tags as the API serves "
    "them, with the quality Data Docs.",
    retry_policy=TRANSIENT,
)
def published_model(database: DatabaseResource, data_docs: DataDocsResource) -> MaterializeResult:
    """Describe the model that is current now."""
    with retry_only_transient():
        factory = database.factory()
        with factory() as session:
            model = read_published_model(session)
        index = refresh_data_docs(factory, data_docs.folder)
    return MaterializeResult(metadata=model_metadata(model, str(index)))
