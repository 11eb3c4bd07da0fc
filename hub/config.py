"""Settings: the only module that reads the environment.

Everything else receives a :class:`Settings` (or the values in it) from the edge: the CLI, the
Dagster resources, the web app. Relative paths are resolved against the working directory once,
here, so that a run started from anywhere writes to the same places.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_VAR_DIR = "var"


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the hub keeps its data. Built once by :func:`load_settings`."""

    var_dir: Path
    database_url: str
    landing_dir: Path
    dagster_home: Path
    test_postgres_url: str
    #: Processes that normalise a delivery's rows while the loading process writes (0: none).
    ingest_workers: int = 0

    @property
    def quality_docs_dir(self) -> Path:
        """Where the Great Expectations Data Docs site is built (and served from)."""
        return self.var_dir / "quality" / "docs"

    def ensure_dirs(self) -> None:
        """Create the local folders the defaults point at (never the landing folder's parent)."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        if self.database_url.startswith("sqlite:///"):
            db_path = Path(self.database_url.removeprefix("sqlite:///"))
            db_path.parent.mkdir(parents=True, exist_ok=True)


def load_settings(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Read ``HUB_*`` variables (and ``DAGSTER_HOME``) with defaults under ``./var``."""
    env = os.environ if environ is None else environ
    base = (cwd or Path.cwd()).resolve()
    var_dir = _path(env.get("HUB_VAR_DIR", DEFAULT_VAR_DIR), base)
    database_url = env.get("HUB_DATABASE_URL") or f"sqlite:///{var_dir / 'hub.sqlite3'}"
    return Settings(
        var_dir=var_dir,
        database_url=database_url,
        landing_dir=_path(env.get("HUB_LANDING_DIR", str(var_dir / "landing")), base),
        dagster_home=_path(env.get("DAGSTER_HOME", str(var_dir / "dagster")), base),
        test_postgres_url=env.get(
            "HUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        ingest_workers=_workers(env.get("HUB_INGEST_WORKERS")),
    )


def _workers(value: str | None) -> int:
    """``HUB_INGEST_WORKERS``, or one worker per core beside the loading process, at most two
    (past that the loading process, which reads and writes, is the bottleneck)."""
    if value is None or not value.strip():
        return min(2, max((os.cpu_count() or 1) - 1, 1))
    try:
        workers = int(value)
    except ValueError:
        raise ValueError(f"HUB_INGEST_WORKERS must be a whole number, not {value!r}") from None
    if workers < 0:
        raise ValueError(f"HUB_INGEST_WORKERS must be 0 or more, not {workers}")
    return workers


def _path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path)
