"""``hub db``: migrate and inspect the database."""

from __future__ import annotations

import click

from hub.cli.context import CliContext, pass_cli, redact
from hub.storage import migrate


@click.group()
def db() -> None:
    """Database schema: upgrade, inspect."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Alembic revision.")
@pass_cli
def upgrade(cli: CliContext, revision: str) -> None:
    """Create or upgrade the hub's tables (safe to run repeatedly)."""
    cli.settings.ensure_dirs()
    migrate.upgrade(cli.settings.database_url, revision)
    click.echo(f"database at revision {revision}: {redact(cli.settings.database_url)}")


@db.command()
@pass_cli
def status(cli: CliContext) -> None:
    """Print the database's revision and whether it is current (exit 1 when it is not)."""
    with cli.engine(migrated=False) as engine:
        current = migrate.current_revision(engine)
    head = migrate.head_revision()
    state = "current" if current == head else "needs `hub db upgrade`"
    click.echo(f"{redact(cli.settings.database_url)}: revision {current} (head {head}, {state})")
    if current != head:
        raise SystemExit(1)
