"""``hub serve``: the GraphQL API under uvicorn."""

from __future__ import annotations

import click

from hub.cli.context import CliContext, pass_cli
from hub.config import Mode


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--dev",
    is_flag=True,
    help="Development mode: GraphiQL, introspection, full access without a token.",
)
@pass_cli
def serve(cli: CliContext, host: str, port: int, dev: bool) -> None:
    """Serve the GraphQL API at /graphql: tokens, purpose and audit; published operations
    only, POST only (unless --dev or HUB_MODE=development)."""
    import uvicorn

    from hub.api.app import create_app

    development = dev or cli.settings.mode is Mode.DEVELOPMENT
    if development and host not in ("127.0.0.1", "localhost", "::1"):
        raise click.UsageError("development mode grants full access: bind it to localhost only")
    app = create_app(cli.settings, development=development)
    click.echo(f"GraphQL at http://{host}:{port}/graphql{' (development)' if development else ''}")
    uvicorn.run(app, host=host, port=port, log_level="info")
