"""Errors a person can act on: the ``hub`` group turns the failures an operator meets (a
database that does not answer, a setting that cannot be used, a file that cannot be read) into
one line on stderr and exit status 1, never a traceback.

A bug still shows its traceback: only the errors named here are translated.
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError

from hub.config import SettingsError


class HubGroup(click.Group):
    """A click group whose commands fail with one line for the errors of :func:`one_line`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:
            message = one_line(error, _url(ctx))
            if message is None:
                raise
            raise click.ClickException(message) from error


def one_line(error: BaseException, url: str | None) -> str | None:
    """What went wrong, on one line, for an error an operator can act on; None for a bug."""
    where = f"the database {url}" if url else "the database"
    if isinstance(error, OperationalError | InterfaceError) and _missing_table(error):
        return f"{where} has no hub tables (or not all of them): run `hub db upgrade`"
    if isinstance(error, OperationalError | InterfaceError):
        return f"cannot reach {where}: {_cause(error)}"
    if isinstance(error, ProgrammingError) and _missing_table(error):
        return f"{where} has no hub tables (or not all of them): run `hub db upgrade`"
    if isinstance(error, DBAPIError):
        return f"{where} refused the command: {_cause(error)}"
    if isinstance(error, SettingsError | ValueError) and _from_settings(error):
        return str(error)
    if isinstance(error, FileNotFoundError | PermissionError | IsADirectoryError):
        name = error.filename or ""
        return f"{name}: {error.strerror or error}" if name else str(error)
    return None


def _cause(error: DBAPIError) -> str:
    """The driver's message, first line, without SQLAlchemy's wrapping."""
    text = str(error.orig) if error.orig is not None else str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _missing_table(error: DBAPIError) -> bool:
    text = str(error.orig).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _from_settings(error: Exception) -> bool:
    text = str(error)
    return isinstance(error, SettingsError) or text.startswith(("HUB_", "DAGSTER_"))


def _url(ctx: click.Context) -> str | None:
    from hub.cli.context import CliContext, redact

    obj = ctx.obj
    if isinstance(obj, CliContext):
        return redact(obj.settings.database_url)
    return None
