"""``hub token create / list / revoke`` as an administrator runs them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.api.tokens import hash_secret
from hub.cli import main
from hub.storage.models import ApiToken, Grid, GridLevel

GRID = "35052600100100101"


@pytest.fixture
def env(db_url: str, engine: Engine) -> dict[str, str]:
    with Session(engine) as session, session.begin():
        for code, level, parent in (
            ("350526001", GridLevel.TOWNSHIP, None),
            ("350526001001", GridLevel.FIRST, "350526001"),
            ("350526001001001", GridLevel.UNIT, "350526001001"),
            (GRID, GridLevel.RESPONSIBILITY, "350526001001001"),
        ):
            session.add(
                Grid(
                    code=code,
                    name=code,
                    level=level,
                    parent_code=parent,
                    snapshot_date=dt.date(2026, 11, 15),
                )
            )
            session.flush()  # fmt: skip
    return {"HUB_DATABASE_URL": db_url}


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def test_create_prints_the_token_once_and_stores_its_hash(env: dict[str, str],
                                                          engine: Engine) -> None:  # fmt: skip
    code, out = run(env, "token", "create", "--role", "grid_worker", "--grid", GRID,
                    "--name", "xunzhong/wang")  # fmt: skip
    assert code == 0, out
    secret = re.search(r"^hub_\S{43}$", out, re.M)
    assert secret is not None
    with Session(engine) as session:
        (row,) = session.scalars(select(ApiToken))
    assert (row.name, row.role, row.grid_code) == ("xunzhong/wang", "grid_worker", GRID)
    assert row.token_hash == hash_secret(secret.group()) and secret.group() not in row.token_hash
    code, listed = run(env, "token", "list")
    assert code == 0 and "xunzhong/wang  grid_worker  " + GRID in listed
    assert secret.group() not in listed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "grid_worker", "--name", "a"], "give its grid code"),
        (["--role", "health", "--grid", GRID, "--name", "a"], "takes no grid code"),
        (["--role", "mayor", "--name", "a"], "unknown role"),
        (["--role", "grid_worker", "--grid", "350526999", "--name", "a"], "no grid has"),
    ],
)
def test_create_refuses_what_the_policy_does_not_allow(
    env: dict[str, str], args: list[str], message: str
) -> None:
    code, out = run(env, "token", "create", *args)
    assert code == 1 and message in out


def test_revoke_by_name_or_id_and_names_are_unique_while_active(env: dict[str, str]) -> None:
    assert run(env, "token", "create", "--role", "health", "--name", "nurse")[0] == 0
    code, out = run(env, "token", "create", "--role", "health", "--name", "nurse")
    assert code == 1 and "already named" in out
    code, out = run(env, "token", "revoke", "nurse")
    assert code == 0 and "revoked token 1 (nurse)" in out
    assert run(env, "token", "create", "--role", "health", "--name", "nurse")[0] == 0
    assert run(env, "token", "revoke", "2") == (0, "revoked token 2 (nurse)\n")
    code, out = run(env, "token", "revoke", "nurse")
    assert code == 1 and "no active token" in out
    assert "no tokens" in run(env, "token", "list")[1]
    assert "revoked" in run(env, "token", "list", "--all")[1]


def test_revoke_refuses_a_name_that_is_another_tokens_id(env: dict[str, str]) -> None:
    """Issue 16, item 9: `hub token revoke 13` revoked both the token named "13" and token 13."""
    for name in ("nurse", "2"):  # token 1 "nurse", token 2 named "2"... and token 2 has id 2
        assert run(env, "token", "create", "--role", "health", "--name", name)[0] == 0
    assert run(env, "token", "create", "--role", "health", "--name", "1")[0] == 0  # id 3
    code, out = run(env, "token", "revoke", "1")
    assert code == 1 and "use --name or --id" in out
    assert "nurse" in run(env, "token", "list")[1]  # nothing was revoked
    assert run(env, "token", "revoke", "--id", "1") == (0, "revoked token 1 (nurse)\n")
    assert run(env, "token", "revoke", "--name", "1") == (0, "revoked token 3 (1)\n")
    assert run(env, "token", "revoke", "2") == (0, "revoked token 2 (2)\n")  # one token, both
    code, out = run(env, "token", "revoke", "--name", "x", "--id", "4")
    assert code == 1 and "a name or an id" in out
