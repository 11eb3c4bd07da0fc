"""Alembic environment: online migrations against the URL the hub was configured with."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from hub.storage.models import metadata
from hub.storage.session import make_engine

config = context.config


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is set by hub.storage.migrate.alembic_config"
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(url, poolclass=pool.NullPool)
        with engine.connect() as connection:
            _configure_and_run(connection, url)
        engine.dispose()
    else:
        _configure_and_run(connectable, url)


def _configure_and_run(connection: object, url: str) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=url.startswith("sqlite"),  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
