"""Person and house resolution, golden records and tags: built, validated, then published.

The publication is atomic. :func:`hub.pipeline.build_publication` resolves, writes the golden
records and validates them with the publication suite in **one** database transaction, and
commits (the new publication becoming ``CURRENT``) only when no blocking expectation failed;
otherwise it rolls back and records a ``FAILED`` publication with the report. Readers therefore
see the previous model whole while the step runs, after it fails and after a crash. The check
below reports that verdict; being blocking, it also stops ``published_model`` in this run.
"""

# No ``from __future__ import annotations`` here: Dagster reads ``ResolutionConfig`` from the
# asset's real (not stringified) annotation.
from dagster import AssetCheckSpec, AssetKey, Config, MaterializeResult, asset

from hub.pipeline import anchor_audit, build_publication
from pipelines.assets.deliveries import DELIVERIES
from pipelines.assets.reference import GRID_REFERENCE
from pipelines.metadata import PUBLICATION_CHECK, publication_check, publication_metadata
from pipelines.policies import TRANSIENT, retry_only_transient
from pipelines.resources import (
    AuditResource,
    DatabaseResource,
    DataDocsResource,
    MatchingResource,
)

GOLDEN_RECORDS = AssetKey("golden_records")
GROUP = "resolution"


class ResolutionConfig(Config):
    """``full``: score every record again (the nightly run), not only new and changed ones."""

    full: bool = False


@asset(
    key=GOLDEN_RECORDS,
    deps=[*(d.key for d in DELIVERIES), GRID_REFERENCE],
    group_name=GROUP,
    description="Golden persons and houses with stable ids, record links, provenance, tags and "
    "department facts; committed only if the publication suite passes.",
    check_specs=[
        AssetCheckSpec(
            PUBLICATION_CHECK,
            asset=GOLDEN_RECORDS,
            blocking=True,
            description="The publication suite on the build, inside its transaction; a "
            "blocking failure rolls the build back and keeps the previous model current.",
        )
    ],
    retry_policy=TRANSIENT,
)
def golden_records(
    config: ResolutionConfig,
    database: DatabaseResource,
    data_docs: DataDocsResource,
    matching: MatchingResource,
    audit: AuditResource,
) -> MaterializeResult:
    """Resolve and publish, atomically, if the publication suite allows it; then write the
    audit chain's head out of the database (the anchor file, and this run's metadata)."""
    with retry_only_transient():
        outcome = build_publication(database.factory(), full=config.full,
                                    docs_dir=data_docs.folder,
                                    backend=matching.match_backend())  # fmt: skip
    head = anchor_audit(database.factory(), audit.path)
    return MaterializeResult(
        metadata={**publication_metadata(outcome), "audit_head": head.line()},
        check_results=[publication_check(GOLDEN_RECORDS, outcome)],
    )
