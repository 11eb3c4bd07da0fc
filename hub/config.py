"""Settings: the only module that reads the environment.

Everything else receives a :class:`Settings` (or the values in it) from the edge: the CLI, the
Dagster resources, the web app. Relative paths are resolved against the working directory once,
here, so that a run started from anywhere writes to the same places.
"""

from __future__ import annotations

import dataclasses
import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_VAR_DIR = "var"
#: Bytes of the audit key (``hub audit create-key``): an HMAC-SHA256 key.
AUDIT_KEY_BYTES = 32
#: Engines person matching can run Splink on (see :mod:`hub.resolution.backends`).
MATCH_BACKENDS = ("duckdb", "spark")


class Mode(enum.StrEnum):
    """How the API runs. Production is the default; development must be asked for."""

    PRODUCTION = "production"  # tokens, purpose, audit, allow-listed operations only
    DEVELOPMENT = "development"  # GraphiQL, introspection, full access without a token


class SettingsError(ValueError):
    """An environment variable has a value the hub cannot use."""


@dataclass(frozen=True, slots=True)
class ApiLimits:
    """What the API accepts and how much of it, per request, per token and per server process
    (``docs/security.md`` explains each; the tests start servers with smaller ones)."""

    max_body_bytes: int = 64 * 1024  # a request body, counted while it is read
    max_variables_bytes: int = 16 * 1024  # the variables as JSON
    max_string: int = 2000  # characters of any string variable (narrower per argument)
    max_list: int = 100  # items of any list variable
    max_depth: int = 8  # nesting of objects and lists in the variables
    requests_per_minute: float = 600.0  # per token, with bursts of request_burst
    request_burst: int = 60
    lookups_per_minute: float = 6.0  # personByResidentId per token, bursts of lookup_burst
    lookup_burst: int = 20
    writes_per_minute: float = 30.0  # mutations per token, bursts of write_burst
    write_burst: int = 30
    subscriptions_per_token: int = 4
    subscriptions_total: int = 64
    websockets_total: int = 256  # open WebSocket connections, before and after connection_init
    db_threads: int = 8  # worker threads for HTTP requests' writes and token lookups
    stream_threads: int = 4  # worker threads for subscriptions' (apart)
    read_wait_seconds: float = 1.0  # reads run on the event loop: a lock not free by then: 503
    pool_timeout_seconds: float = 10.0  # a connection not free by then: HTTP 503
    busy_seconds: float = 10.0  # SQLite: the write lock not free by then: HTTP 503


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the hub keeps its data. Built once by :func:`load_settings`."""

    var_dir: Path
    database_url: str
    landing_dir: Path
    dagster_home: Path
    test_postgres_url: str
    mode: Mode = Mode.PRODUCTION
    match_backend: str = "duckdb"  # one of MATCH_BACKENDS
    spark_master: str = "local[2]"  # a Spark master URL, for match_backend "spark"
    spark_checkpoint_dir: Path = Path(DEFAULT_VAR_DIR) / "spark" / "checkpoints"
    #: Processes that normalise a delivery's rows while the loading process writes (0: none).
    ingest_workers: int = 0
    api_limits: ApiLimits = field(default_factory=ApiLimits)
    #: The key of the audit trail's MACs (HUB_AUDIT_KEY, else HUB_AUDIT_KEY_FILE); None: none.
    audit_key: bytes | None = field(default=None, repr=False)
    audit_key_file: Path = Path(DEFAULT_VAR_DIR) / "audit.key"
    #: Where the audit chain's head is written out of the database (``hub audit anchor``).
    audit_anchor_file: Path = Path(DEFAULT_VAR_DIR) / "audit" / "anchors.log"
    #: How often a server writes the head there when it moved (seconds).
    audit_anchor_seconds: float = 60.0

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
    """Read ``HUB_*`` variables (and ``DAGSTER_HOME``) with defaults under ``./var``.

    ValueError for a ``HUB_MATCH_BACKEND`` that is not one of :data:`MATCH_BACKENDS`."""
    env = os.environ if environ is None else environ
    mode_name = env.get("HUB_MODE") or Mode.PRODUCTION.value
    try:
        mode = Mode(mode_name)
    except ValueError:
        known = ", ".join(m.value for m in Mode)
        raise SettingsError(f"HUB_MODE={mode_name!r}: expected one of {known}") from None
    base = (cwd or Path.cwd()).resolve()
    var_dir = _path(env.get("HUB_VAR_DIR", DEFAULT_VAR_DIR), base)
    database_url = env.get("HUB_DATABASE_URL") or f"sqlite:///{var_dir / 'hub.sqlite3'}"
    key_file = _path(env.get("HUB_AUDIT_KEY_FILE", str(var_dir / "audit.key")), base)
    match_backend = env.get("HUB_MATCH_BACKEND", "duckdb").strip().lower()
    if match_backend not in MATCH_BACKENDS:
        raise ValueError(
            f"HUB_MATCH_BACKEND={match_backend!r}: expected one of {', '.join(MATCH_BACKENDS)}"
        )
    return Settings(
        var_dir=var_dir,
        database_url=database_url,
        landing_dir=_path(env.get("HUB_LANDING_DIR", str(var_dir / "landing")), base),
        dagster_home=_path(env.get("DAGSTER_HOME") or str(var_dir / "dagster"), base),
        test_postgres_url=env.get(
            "HUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        mode=mode,
        match_backend=match_backend,
        spark_master=env.get("HUB_SPARK_MASTER", "local[2]"),
        spark_checkpoint_dir=_path(
            env.get("HUB_SPARK_CHECKPOINT_DIR", str(var_dir / "spark" / "checkpoints")), base
        ),
        ingest_workers=_workers(env.get("HUB_INGEST_WORKERS")),
        api_limits=_limits(env),
        audit_key=_audit_key(env.get("HUB_AUDIT_KEY"), key_file),
        audit_key_file=key_file,
        audit_anchor_file=_path(
            env.get("HUB_AUDIT_ANCHOR_FILE", str(var_dir / "audit" / "anchors.log")), base
        ),
        audit_anchor_seconds=_positive(env, "HUB_AUDIT_ANCHOR_SECONDS", float) or 60.0,
    )


def _limits(env: Mapping[str, str]) -> ApiLimits:
    """The defaults, with the few a deployment (or a load test) tunes: HUB_RATE_PER_MINUTE,
    HUB_RATE_BURST, HUB_LOOKUPS_PER_MINUTE, HUB_WRITES_PER_MINUTE, HUB_SUBSCRIPTIONS_PER_TOKEN,
    HUB_SUBSCRIPTIONS_TOTAL, HUB_BUSY_SECONDS."""
    limits = ApiLimits()
    names = {"HUB_RATE_PER_MINUTE": ("requests_per_minute", float),
             "HUB_RATE_BURST": ("request_burst", int),
             "HUB_LOOKUPS_PER_MINUTE": ("lookups_per_minute", float),
             "HUB_WRITES_PER_MINUTE": ("writes_per_minute", float),
             "HUB_SUBSCRIPTIONS_PER_TOKEN": ("subscriptions_per_token", int),
             "HUB_SUBSCRIPTIONS_TOTAL": ("subscriptions_total", int),
             "HUB_BUSY_SECONDS": ("busy_seconds", float)}  # fmt: skip
    changed: dict[str, Any] = {}
    for variable, (name, kind) in names.items():
        number = _positive(env, variable, kind)
        if number is not None:
            changed[name] = number
    return dataclasses.replace(limits, **changed)


def _positive(env: Mapping[str, str], variable: str, kind: type[float] | type[int]
              ) -> float | int | None:  # fmt: skip
    """The number in ``variable`` (None when unset); SettingsError unless it is above 0."""
    value = env.get(variable)
    if value is None or not value.strip():
        return None
    try:
        number = kind(value)
    except ValueError:
        raise SettingsError(f"{variable} must be a number, not {value!r}") from None
    if number <= 0:
        raise SettingsError(f"{variable} must be more than 0, not {value}")
    return number


def _audit_key(value: str | None, key_file: Path) -> bytes | None:
    """The audit key: HUB_AUDIT_KEY (hex), else the key file's hex text, else none."""
    where = "HUB_AUDIT_KEY"
    if value is None or not value.strip():
        try:
            value = key_file.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{key_file}: cannot read the audit key: {exc}") from None
        where = str(key_file)
    try:
        key = bytes.fromhex(value.strip())
    except ValueError:
        raise SettingsError(f"{where}: the audit key must be hexadecimal") from None
    if len(key) < AUDIT_KEY_BYTES:
        raise SettingsError(f"{where}: the audit key must be at least {AUDIT_KEY_BYTES} bytes "
                            f"({2 * AUDIT_KEY_BYTES} hex digits)")  # fmt: skip
    return key


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
