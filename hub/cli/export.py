"""``hub export``: files for stewards."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli.context import CliContext, pass_cli
from hub.ingest.quarantine import write_quarantine_csv


@click.group()
def export() -> None:
    """Write what the hub holds to files."""


@export.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--include-released", is_flag=True, help="Also rows a steward has released.")
@pass_cli
def quarantine(cli: CliContext, out: Path, include_released: bool) -> None:
    """Every quarantined row: source, file, line, record id, reason code, message, raw row."""
    with cli.session() as session:
        count = write_quarantine_csv(session, out, include_released=include_released)
    click.echo(f"{count} quarantined rows written to {out}")
