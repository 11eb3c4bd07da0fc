"""The code location: ``dagster dev -m pipelines.definitions`` loads ``defs``.

:func:`build_definitions` is what both the UI and ``hub run`` use; only the resources differ
(the settings they are built from). Reading the settings at import reads the environment (that
is what :mod:`hub.config` is for); no engine or connection is made until a run needs one.
"""

from __future__ import annotations

from dagster import Definitions, in_process_executor, multiprocess_executor

from hub.config import Settings, load_settings
from hub.pipeline import data_docs_dir
from pipelines.assets import ASSETS, LANDING
from pipelines.checks import CHECKS
from pipelines.jobs import JOBS
from pipelines.resources import (
    AuditResource,
    DatabaseResource,
    DataDocsResource,
    LandingResource,
    MatchingResource,
)
from pipelines.schedules import SCHEDULES
from pipelines.sensors import SENSORS


def build_definitions(settings: Settings) -> Definitions:
    """Every asset, check, job, sensor and schedule, with resources from ``settings``."""
    # SQLite takes one writer at a time: parallel steps would only queue on its lock.
    sqlite = settings.database_url.startswith("sqlite")
    return Definitions(
        assets=[*LANDING, *ASSETS],
        asset_checks=CHECKS,
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources={
            "database": DatabaseResource(url=settings.database_url),
            "landing": LandingResource(
                path=str(settings.landing_dir), ingest_workers=settings.ingest_workers
            ),
            "data_docs": DataDocsResource(path=str(data_docs_dir(settings))),
            "matching": MatchingResource.from_settings(settings),
            "audit": AuditResource(anchor_file=str(settings.audit_anchor_file)),
        },
        executor=in_process_executor if sqlite else multiprocess_executor,
    )


defs = build_definitions(load_settings())
