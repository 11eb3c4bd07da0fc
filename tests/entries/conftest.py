"""A small generated county, ingested and resolved once per module; each test works on a
copy of its database."""

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

RESIDENTS = 800


@pytest.fixture(scope="module")
def resolved_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("entries")
    generate(GenerateOptions(residents=RESIDENTS, seed=5, out=base / "landing",
                             truth=base / "truth"))  # fmt: skip
    url = f"sqlite:///{base / 'hub.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    ingest_landing(factory, base / "landing")
    with factory() as session, session.begin():
        resolve(session)
    engine.dispose()
    return base


@pytest.fixture
def world(resolved_world: Path, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a copy of the resolved world's database."""
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{resolved_world / 'hub.sqlite3'}{suffix}")
        if source.exists():
            shutil.copy(source, tmp_path / f"hub.sqlite3{suffix}")
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    yield engine
    engine.dispose()
