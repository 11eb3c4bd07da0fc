"""``hub serve``: the GraphQL API under uvicorn."""

from __future__ import annotations

import click

from hub.cli.context import CliContext, pass_cli


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--dev", is_flag=True, help="Development: GraphiQL, introspection, full access.")
@pass_cli
def serve(cli: CliContext, host: str, port: int, dev: bool) -> None:
    """Serve the GraphQL API at /graphql (POST only unless --dev)."""
    import uvicorn

    from hub.api.app import create_app

    if dev and host not in ("127.0.0.1", "localhost", "::1"):
        raise click.UsageError("--dev grants full access: bind it to localhost only")
    app = create_app(cli.settings, development=dev)
    click.echo(f"GraphQL at http://{host}:{port}/graphql{' (development)' if dev else ''}")
    uvicorn.run(app, host=host, port=port, log_level="info")
