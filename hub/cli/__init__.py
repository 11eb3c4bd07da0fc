"""The ``hub`` command: one group, one module per family of sub-commands."""

from __future__ import annotations

import click

from hub.cli.context import CliContext, pass_cli
from hub.cli.errors import HubGroup
from hub.config import load_settings


@click.group(cls=HubGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dehua-hub")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Dehua data hub: ingest department deliveries, resolve, publish, serve."""
    ctx.obj = CliContext(settings=load_settings())


def _register() -> None:
    from hub.cli import audit, db, demo, export, generate, grids, ingest, resolve, run, serve, token

    main.add_command(db.db)
    main.add_command(demo.demo)
    main.add_command(generate.generate)
    main.add_command(ingest.ingest)
    main.add_command(export.export)
    export.export.add_command(resolve.export_links)
    main.add_command(resolve.resolve)
    main.add_command(resolve.evaluate)
    main.add_command(serve.serve)
    main.add_command(run.run)
    main.add_command(run.quality)
    main.add_command(token.token)
    main.add_command(audit.audit)
    main.add_command(grids.grids)


_register()

__all__ = ["CliContext", "main", "pass_cli"]
