"""``hub audit``: the audit trail's key, its anchors out of the database, and its check.

::

    hub audit create-key          # a new key in HUB_AUDIT_KEY_FILE (var/audit.key), mode 0600
    hub audit anchor              # append the current head to the anchor file, and print it
    hub audit verify              # the chain, its MACs (with the key) and every anchor
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click

from hub.api import audit as chain
from hub.cli.context import CliContext, pass_cli
from hub.config import AUDIT_KEY_BYTES


@click.group()
def audit() -> None:
    """The audit trail of reads of personal data."""


@audit.command(name="create-key")
@click.option("--out", "out", type=click.Path(path_type=Path),
              help="Where to write it (default: HUB_AUDIT_KEY_FILE, var/audit.key).")  # fmt: skip
@pass_cli
def create_key(cli: CliContext, out: Path | None) -> None:
    """Write a new audit key (256 random bits, hex), readable by its owner only. Keep it off
    the database server: whoever holds it can forge the chain. It is never overwritten."""
    path = out or cli.settings.audit_key_file
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(
            f"{path} exists already: a key is never overwritten "
            "(the entries it signed could no longer be checked)"
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(AUDIT_KEY_BYTES) + "\n")
    click.echo(f"audit key written to {path} (mode 0600). Point HUB_AUDIT_KEY_FILE at it on the "
               "API servers and wherever `hub audit verify` runs.")  # fmt: skip


@audit.command()
@pass_cli
def anchor(cli: CliContext) -> None:
    """Append the chain's head to the anchor file (HUB_AUDIT_ANCHOR_FILE) and print it: keep
    a copy elsewhere too (a ticket, a mail); a chain cut short before it then shows."""
    settings = cli.settings
    with cli.session() as session:
        written = chain.anchor(session, settings.audit_anchor_file, settings.audit_key)
    click.echo(f"{written.line()}")
    click.echo(f"appended to {settings.audit_anchor_file}", err=True)


@audit.command()
@pass_cli
def verify(cli: CliContext) -> None:
    """Walk the hash chain, check each entry's MAC (with the audit key) and the chain against
    every anchor; exit 1 naming the first entry that breaks it."""
    settings = cli.settings
    try:
        anchors = chain.read_anchors(settings.audit_anchor_file)
    except chain.AuditError as exc:
        raise click.ClickException(str(exc)) from exc
    with cli.session() as session:
        result = chain.verify(session, settings.audit_key, anchors)
    if result.ok:
        keyed = (f"{result.keyed} with a valid MAC" if settings.audit_key is not None
                 else "MACs not checked: no audit key")  # fmt: skip
        click.echo(f"audit chain intact: {result.entries} entries ({keyed}), "
                   f"{result.anchors} anchors, head {result.head_hash}")  # fmt: skip
        return
    where = f"entry {result.broken_at}" if result.broken_at is not None else "the chain"
    click.echo(
        f"audit chain BROKEN at {where}: {result.reason} "
        f"({result.entries} entries verified before it)",
        err=True,
    )
    raise SystemExit(1)
