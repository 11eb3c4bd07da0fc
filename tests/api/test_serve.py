"""``hub serve``: uvicorn on the app the factory builds; development stays on localhost."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from starlette.applications import Starlette

from hub.cli.context import CliContext
from hub.cli.serve import serve
from hub.config import Settings


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What ``uvicorn.run`` was asked to serve (it serves nothing here)."""
    asked: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: asked.append({"app": app, **kw}))
    return asked


def keyed(settings: Settings) -> Settings:
    return dataclasses.replace(settings, audit_key=b"k" * 32)


def test_serve_runs_the_app_under_uvicorn(settings: Settings, calls: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(serve, ["--port", "8123"], obj=CliContext(keyed(settings)))
    assert result.exit_code == 0, result.output
    assert isinstance(calls[0].pop("app"), Starlette)
    assert calls == [{"host": "127.0.0.1", "port": 8123, "log_level": "info"}]


def test_development_mode_refuses_a_public_interface(settings: Settings) -> None:
    result = CliRunner().invoke(serve, ["--dev", "--host", "0.0.0.0"], obj=CliContext(settings))
    assert result.exit_code == 2
    assert "localhost only" in result.output


def test_workers_each_build_the_app_from_the_environment(
    settings: Settings, calls: list[dict[str, Any]]
) -> None:
    result = CliRunner().invoke(serve, ["--workers", "2"], obj=CliContext(keyed(settings)))
    assert result.exit_code == 0, result.output
    assert calls == [{"app": "hub.api.app:app_from_environment", "factory": True,
                      "host": "127.0.0.1", "port": 8000, "workers": 2,
                      "log_level": "info"}]  # fmt: skip


def test_the_factory_builds_the_app_of_the_environment(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.api.app import app_from_environment

    monkeypatch.setenv("HUB_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HUB_VAR_DIR", str(settings.var_dir))
    monkeypatch.delenv("HUB_MODE", raising=False)
    app = app_from_environment()
    assert isinstance(app, Starlette)
    graphql = next(r for r in app.routes if getattr(r, "path", None) == "/graphql")
    assert getattr(graphql, "methods", None) == {"POST"}  # production: POST only


def test_production_without_an_audit_key_is_refused(
    settings: Settings, calls: list[dict[str, Any]]
) -> None:
    result = CliRunner().invoke(serve, [], obj=CliContext(settings))
    assert result.exit_code == 2 and "hub audit create-key" in result.output
    assert calls == []
    development = CliRunner().invoke(serve, ["--dev"], obj=CliContext(settings))
    assert development.exit_code == 0, development.output  # development keeps no trail keyed


def test_dev_with_workers_is_refused(settings: Settings) -> None:
    result = CliRunner().invoke(serve, ["--dev", "--workers", "2"], obj=CliContext(settings))
    assert result.exit_code == 2
    assert "HUB_MODE=development" in result.output
