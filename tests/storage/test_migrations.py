"""Migrations build the schema the models describe, on every backend, and go back down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from hub.storage import migrate
from hub.storage.models import metadata
from hub.storage.session import make_engine


def test_upgrade_creates_every_table_and_matches_the_models(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), metadata
            )
        assert diff == [], f"models and migrations drifted: {diff}"
        assert migrate.is_current(engine)
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_downgrade_empties(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    migrate.upgrade(empty_db_url)
    migrate.downgrade(empty_db_url, "base")
    engine = make_engine(empty_db_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert migrate.current_revision(engine) is None
    finally:
        engine.dispose()
