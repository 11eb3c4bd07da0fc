"""``hub audit``: check the audit trail's hash chain."""

from __future__ import annotations

import click

from hub.api import audit as chain
from hub.cli.context import CliContext, pass_cli


@click.group()
def audit() -> None:
    """The audit trail of reads of personal data."""


@audit.command()
@pass_cli
def verify(cli: CliContext) -> None:
    """Walk the hash chain; exit 1 naming the first entry that breaks it."""
    with cli.session() as session:
        result = chain.verify(session)
    if result.ok:
        click.echo(f"audit chain intact: {result.entries} entries, head {result.head_hash}")
        return
    where = f"entry {result.broken_at}" if result.broken_at is not None else "the chain"
    click.echo(
        f"audit chain BROKEN at {where}: {result.reason} "
        f"({result.entries} entries verified before it)",
        err=True,
    )
    raise SystemExit(1)
