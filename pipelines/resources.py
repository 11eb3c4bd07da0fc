"""The external systems the assets touch: the database, the landing folder, the Data Docs site,
and the engine person matching runs Splink on.

Configured from :class:`hub.config.Settings` in :mod:`pipelines.definitions`; the engine is
made on first use inside a run (never at import) and disposed of when the run ends.
"""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr
from sqlalchemy import Engine

from hub.config import Settings
from hub.ingest.service import IngestOptions
from hub.pipeline import Factory
from hub.resolution.backends import MatchBackend, MatchEngine, SparkOptions
from hub.storage import migrate
from hub.storage.session import make_engine, session_factory


class DatabaseResource(ConfigurableResource):
    """The hub's database (SQLite or PostgreSQL), migrated to head by ``hub db upgrade``."""

    url: str

    _engine: Engine | None = PrivateAttr(default=None)

    def factory(self) -> Factory:
        """Sessions on a lazily created engine; refuses a database that is not migrated."""
        if self._engine is None:
            engine = make_engine(self.url)
            if not migrate.is_current(engine):
                engine.dispose()
                raise RuntimeError(
                    "the database is not at the current schema: run `hub db upgrade`"
                )
            self._engine = engine
        return session_factory(self._engine)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


class LandingResource(ConfigurableResource):
    """The landing folder the departments deliver into, one sub-folder per source, and how
    many worker processes normalise its rows while they are loaded."""

    path: str
    ingest_workers: int = 0

    @property
    def ingest_options(self) -> IngestOptions:
        return IngestOptions(workers=self.ingest_workers)

    @property
    def folder(self) -> Path:
        return Path(self.path)


class DataDocsResource(ConfigurableResource):
    """Where the quality Data Docs site is written (``<var>/quality/docs``)."""

    path: str

    @property
    def folder(self) -> Path:
        return Path(self.path)


class AuditResource(ConfigurableResource):
    """Where the audit chain's head is written out of the database after each publication
    (``HUB_AUDIT_ANCHOR_FILE``; the key stays out of the run's configuration: these anchors
    are not signed, the servers' are)."""

    anchor_file: str

    @property
    def path(self) -> Path:
        return Path(self.anchor_file)


class MatchingResource(ConfigurableResource):
    """The engine Splink scores person pairs on: ``duckdb`` in the step's process, or ``spark``
    (``spark_master``: ``local[N]``, ``spark://host:7077``, ``yarn``)."""

    backend: str = "duckdb"
    spark_master: str = "local[2]"
    spark_checkpoint_dir: str = "var/spark/checkpoints"

    @classmethod
    def from_settings(cls, settings: Settings) -> MatchingResource:
        return cls(backend=settings.match_backend, spark_master=settings.spark_master,
                   spark_checkpoint_dir=str(settings.spark_checkpoint_dir))  # fmt: skip

    def match_backend(self) -> MatchBackend:
        spark = SparkOptions(
            master=self.spark_master, checkpoint_dir=Path(self.spark_checkpoint_dir)
        )
        return MatchBackend(MatchEngine(self.backend), spark)
