"""``hub token``: API tokens for department users (shown once, stored as a hash)."""

from __future__ import annotations

import click

from hub.api import tokens
from hub.api.policy import Policy, PolicyError
from hub.cli.context import CliContext, pass_cli


def _policy() -> Policy:
    from hub.api.policy import DEFAULT_POLICY, load_policy
    from schema.permissions import gated_fields, write_fields
    from schema.root import build_schema

    try:
        schema = build_schema()
        return load_policy(DEFAULT_POLICY, gated_fields(schema), write_fields(schema))
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def token() -> None:
    """Create, list and revoke API tokens."""


@token.command()
@click.option("--role", required=True, help="A role of the policy file (hub/api/policy.yaml).")
@click.option("--grid", "grid_code", help="Grid code the token sees (grid-scoped roles).")
@click.option("--name", required=True, help="Who holds it, e.g. 'civil-affairs/li.wei'.")
@pass_cli
def create(cli: CliContext, role: str, grid_code: str | None, name: str) -> None:
    """Create a token and print it, once: the hub keeps only its hash."""
    policy = _policy()
    try:
        with cli.session(write=True) as session:
            issued = tokens.create(session, policy, name=name, role=role, grid_code=grid_code)
            token_id = issued.token.id
    except tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from exc
    scope = f", grid {grid_code}" if grid_code else ""
    click.echo(f"token {token_id} for {name} ({role}{scope}). Store it now; it is not shown again:")
    click.echo(issued.secret)


@token.command()
@click.argument("name_or_id", required=False)
@click.option("--name", help="The token's name.")
@click.option("--id", "token_id", type=int, help="The token's id (as `hub token list` shows).")
@pass_cli
def revoke(cli: CliContext, name_or_id: str | None, name: str | None, token_id: int | None) -> None:
    """Revoke one active token: --name NAME, --id N, or a name or id that is not both."""
    try:
        with cli.session(write=True) as session:
            revoked = tokens.revoke(session, name_or_id, name=name, token_id=token_id)
            token_id, name = revoked.id, revoked.name
    except tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"revoked token {token_id} ({name})")


@token.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include revoked tokens.")
@pass_cli
def list_tokens(cli: CliContext, show_all: bool) -> None:
    """Tokens (never their secrets): id, name, role, grid, created, last used, revoked."""
    with cli.session(write=True) as session:
        rows = tokens.listed(session, revoked=show_all)
        for t in rows:
            revoked = f"  revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else ""
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            click.echo(f"{t.id:>5}  {t.name}  {t.role}  {t.grid_code or '-'}  "
                       f"created {t.created_at:%Y-%m-%d}  used {used}{revoked}")  # fmt: skip
        if not rows:
            click.echo("no tokens")
