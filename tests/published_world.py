"""A generated county in miniature, ingested and resolved, for end-to-end tests of what runs
on a published database (steward actions, reports): generated and published once per test
session on SQLite (tests get a copy), and published afresh on PostgreSQL per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hub.generate import GenerateOptions, generate
from hub.ingest.service import ingest_landing
from hub.resolution.run import resolve
from hub.storage import migrate
from hub.storage.session import make_engine, session_factory

RESIDENTS = 200
SEED = 7


def publish(url: str, landing: Path) -> None:
    """Migrate, ingest ``landing`` and resolve into the database at ``url``."""
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    ingest_landing(factory, landing)
    with factory() as session, session.begin():
        resolve(session)
    engine.dispose()


def copy_sqlite(source: Path, into: Path) -> str:
    """A copy of the SQLite database ``source`` (with its WAL) in ``into``; its URL."""
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{source}{suffix}")
        if part.exists():
            shutil.copy(part, into / f"hub.sqlite3{suffix}")
    return f"sqlite:///{into / 'hub.sqlite3'}"


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The landing folder, and a SQLite database published from it."""
    base = tmp_path_factory.mktemp("published_world")
    generate(GenerateOptions(residents=RESIDENTS, seed=SEED, out=base / "landing",
                             truth=base / "truth"))  # fmt: skip
    publish(f"sqlite:///{base / 'hub.sqlite3'}", base / "landing")
    return base / "landing", base / "hub.sqlite3"


@pytest.fixture
def landing(generated: tuple[Path, Path], tmp_path: Path) -> Path:
    """A copy of the landing folder a test may add deliveries to."""
    shutil.copytree(generated[0], tmp_path / "landing")
    return tmp_path / "landing"


@pytest.fixture
def published(
    backend: str, generated: tuple[Path, Path], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Engine]:
    """An engine on a published database of the backend under test, the test's own."""
    if backend == "sqlite":
        url = copy_sqlite(generated[1], tmp_path)
    else:
        url = request.getfixturevalue("empty_db_url")
        publish(url, generated[0])
    engine = make_engine(url)
    yield engine
    engine.dispose()
