"""``hub serve``: uvicorn on the app the factory builds; development stays on localhost."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from starlette.applications import Starlette

from hub.cli.context import CliContext
from hub.cli.serve import serve
from hub.config import Settings


def test_serve_runs_the_app_under_uvicorn(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    result = CliRunner().invoke(serve, ["--port", "8123"], obj=CliContext(settings))
    assert result.exit_code == 0, result.output
    assert isinstance(calls[0].pop("app"), Starlette)
    assert calls == [{"host": "127.0.0.1", "port": 8123, "log_level": "info"}]


def test_development_mode_refuses_a_public_interface(settings: Settings) -> None:
    result = CliRunner().invoke(serve, ["--dev", "--host", "0.0.0.0"], obj=CliContext(settings))
    assert result.exit_code == 2
    assert "localhost only" in result.output
