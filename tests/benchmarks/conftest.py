"""The schema tests' small world, published into a database for the benchmarks' tests."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from hub.storage import migrate
from hub.storage.session import make_engine
from tests.schema import world


def world_database(url: str) -> str:
    """``url`` emptied (its PostgreSQL schema: other modules leave their tables behind),
    migrated, and holding the small world, committed."""
    if not url.startswith("sqlite"):
        admin = create_engine(url)
        with admin.begin() as conn:
            current = conn.execute(text("select current_schema()")).scalar_one()
            conn.execute(text(f'drop schema "{current}" cascade'))
            conn.execute(text(f'create schema "{current}"'))
        admin.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        world.populate(session)
    engine.dispose()
    return url
