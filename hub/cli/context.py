"""What every sub-command receives: the settings, read once by the group; and the database,
opened the one way every command opens it (reachable and migrated, or one line saying not)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.storage import migrate
from hub.storage.session import make_engine, session_factory, transaction


@dataclass(slots=True)
class CliContext:
    settings: Settings

    @contextmanager
    def engine(self, *, migrated: bool = True) -> Iterator[Engine]:
        """An engine on the hub's database, disposed after; with ``migrated``, refused (one
        line: run ``hub db upgrade``) unless the database is at the current revision."""
        engine = make_engine(self.settings.database_url)
        try:
            if migrated:
                require_current(engine, self.settings.database_url)
            yield engine
        finally:
            engine.dispose()

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session on the migrated database; ``write``: one transaction, committed at the end."""
        with self.engine() as engine:
            factory = session_factory(engine)
            if write:
                with transaction(factory) as session:
                    yield session
            else:
                with factory() as session:
                    yield session


def require_current(engine: Engine, url: str) -> None:
    """:class:`click.ClickException` unless the database is at the head revision."""
    current, head = migrate.current_revision(engine), migrate.head_revision()
    if current != head:
        state = "has no hub tables" if current is None else f"is at revision {current}"
        raise click.ClickException(
            f"the database {redact(url)} {state} (the code needs {head}): run `hub db upgrade`"
        )


def redact(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


pass_cli = click.make_pass_decorator(CliContext)
