"""The six landing folders (external sources) and one asset per dataset's deliveries.

A delivery asset ingests the dataset's files not loaded yet, oldest snapshot first, each
validated before it commits (see :func:`hub.pipeline.ingest_checked`). Its blocking check
reports the expectation suite's verdict on every file it loaded.
"""

from __future__ import annotations

from dagster import AssetCheckSpec, AssetKey, AssetsDefinition, AssetSpec, MaterializeResult, asset

from hub.pipeline import ingest_dataset
from hub.sources.catalog import DATASETS, SOURCES, Dataset
from pipelines.metadata import DELIVERY_CHECK, delivery_check, delivery_metadata
from pipelines.policies import TRANSIENT, retry_only_transient
from pipelines.resources import DatabaseResource, DataDocsResource, LandingResource

GROUP = "deliveries"


def landing_key(source: str) -> AssetKey:
    """The external asset of one department's landing folder."""
    return AssetKey(["landing", source])


def delivery_key(dataset: Dataset) -> AssetKey:
    """``gongan.population`` -> ``gongan/population``."""
    return AssetKey(dataset.key.split("."))


LANDING = [
    AssetSpec(
        landing_key(source),
        group_name="landing",
        description=f"Files the {source} department writes into <landing>/{source}/.",
    )
    for source in SOURCES
]


def delivery_asset(dataset: Dataset) -> AssetsDefinition:
    """The asset that turns ``dataset``'s new files into source records (or quarantine)."""
    key = delivery_key(dataset)

    @asset(
        key=key,
        deps=[landing_key(dataset.source)],
        group_name=GROUP,
        description=(
            f"{dataset.source}/{dataset.file_name('YYYYMMDD')}: new "
            "deliveries -> normalised source records; bad rows quarantined with a reason."
        ),
        check_specs=[
            AssetCheckSpec(
                DELIVERY_CHECK,
                asset=key,
                blocking=True,
                description=f"The {dataset.key} expectation suite on each new delivery; a "
                "blocking failure rolls the delivery back and stops publication.",
            )
        ],
        retry_policy=TRANSIENT,
    )
    def _deliveries(
        landing: LandingResource, database: DatabaseResource, data_docs: DataDocsResource
    ) -> MaterializeResult:
        with retry_only_transient():
            checked = ingest_dataset(database.factory(), landing.folder, dataset,
                                     docs_dir=data_docs.folder,
                                     options=landing.ingest_options)  # fmt: skip
        return MaterializeResult(
            metadata=delivery_metadata(checked), check_results=[delivery_check(key, checked)]
        )

    return _deliveries


DELIVERIES = [delivery_asset(dataset) for dataset in DATASETS]
