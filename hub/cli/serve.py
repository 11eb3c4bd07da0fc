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
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port (one per core: a process runs one request at a "
    "time between its awaits). Each reads the settings from the environment.",
)
@pass_cli
def serve(cli: CliContext, host: str, port: int, dev: bool, workers: int) -> None:
    """Serve the GraphQL API at /graphql: tokens, purpose and audit; published operations
    only, POST only (unless --dev or HUB_MODE=development)."""
    import uvicorn

    from hub.api.app import create_app

    development = dev or cli.settings.mode is Mode.DEVELOPMENT
    if development and host not in ("127.0.0.1", "localhost", "::1"):
        raise click.UsageError("development mode grants full access: bind it to localhost only")
    if not development and cli.settings.audit_key is None:
        raise click.UsageError(
            "production keys the audit trail: create a key with `hub audit create-key` (or set "
            f"HUB_AUDIT_KEY); looked for {cli.settings.audit_key_file}"
        )
    if workers > 1 and dev and cli.settings.mode is not Mode.DEVELOPMENT:
        raise click.UsageError("--workers builds each process's app from the environment: "
                               "set HUB_MODE=development rather than --dev")  # fmt: skip
    _check_database(cli)
    click.echo(f"GraphQL at http://{host}:{port}/graphql{' (development)' if development else ''}")
    if workers > 1:  # uvicorn starts the processes; each builds its app from the environment
        uvicorn.run(
            "hub.api.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
        return
    app = create_app(cli.settings, development=development)
    uvicorn.run(app, host=host, port=port, log_level="info")


def _check_database(cli: CliContext) -> None:
    """Refuse to start (one line) on a database that does not answer or is not migrated."""
    from hub.api.health import DatabaseUnavailable, check_database
    from hub.storage.session import make_engine

    engine = make_engine(cli.settings.database_url)
    try:
        check_database(engine)
    except DatabaseUnavailable as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.dispose()
