"""``hub serve`` as an attacker meets it: a real server process in production mode on a port
of its own (8101-8119), spoken to over HTTP and WebSocket, with a token per role.

The server runs with this interpreter (``python -m hub.cli serve`` in :data:`ROOT`), the
settings in its
environment only (as a deployment gives them), an audit key of its own, and its log in a file
the tests read (what the server wrote about a request is part of what an attack leaves).
It is stopped with SIGTERM (then SIGKILL) by its own pid.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from schema.export import OPERATIONS_DIR
from tests.api.conftest import PURPOSE, headers

#: The checkout whose ``hub`` serves: this one, or another named by HUB_TEST_SERVE_FROM (an
#: export of an earlier commit, to watch the attacks succeed there).
ROOT = Path(os.environ.get("HUB_TEST_SERVE_FROM") or Path(__file__).parents[2]).resolve()
#: The ports this branch's servers may use.
PORTS = range(8101, 8120)


class ServerError(RuntimeError):
    """The server did not start, or stopped."""


def free_port() -> int:
    """The first port of :data:`PORTS` nothing listens on."""
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ServerError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def operation(name: str) -> str:
    """The text of a published operation."""
    return (OPERATIONS_DIR / f"{name}.graphql").read_text(encoding="utf-8")


@dataclass
class LiveHub:
    """A running ``hub serve``: its URL, database, tokens (role -> secret) and log."""

    port: int
    database_url: str
    var_dir: Path
    log: Path
    audit_key: str
    tokens: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def post(self, query: str, variables: Mapping[str, Any] | None = None, *,
             token: str | None = None, purpose: str | None = PURPOSE,
             timeout: float = 60.0) -> httpx.Response:  # fmt: skip
        """POST a document (as text) with a token and a purpose."""
        return httpx.post(self.url, json={"query": query, "variables": dict(variables or {})},
                          headers=headers(token, purpose), timeout=timeout)  # fmt: skip

    def op(self, name: str, variables: Mapping[str, Any] | None = None, *, role: str,
           purpose: str | None = PURPOSE) -> httpx.Response:  # fmt: skip
        """POST the published operation ``name`` with the token of ``role``."""
        return self.post(operation(name), variables, token=self.tokens[role], purpose=purpose)

    def log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


@contextmanager
def live_hub(database_url: str, var_dir: Path, *, env: Mapping[str, str] | None = None,
             tokens: Mapping[str, str] | None = None) -> Iterator[LiveHub]:  # fmt: skip
    """``hub serve`` in production mode on ``database_url`` until the block ends."""
    var_dir.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):  # another process may take the port between check and bind
        hub = LiveHub(port=free_port(), database_url=database_url, var_dir=var_dir,
                      log=var_dir / f"serve-{attempt}.log", audit_key=secrets.token_hex(32),
                      tokens=dict(tokens or {}))  # fmt: skip
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HUB_")},
            "HUB_DATABASE_URL": database_url,
            "HUB_VAR_DIR": str(var_dir),
            "HUB_MODE": "production",
            "HUB_AUDIT_KEY": hub.audit_key,
            **(env or {}),
        }
        args = [sys.executable, "-m", "hub.cli", "serve", "--port", str(hub.port)]
        with hub.log.open("wb") as out:
            hub.process = subprocess.Popen(args, cwd=ROOT, env=environment, stdout=out,
                                           stderr=subprocess.STDOUT)  # fmt: skip
        try:
            if _wait_ready(hub):
                break
        except BaseException:
            _stop(hub)
            raise
        _stop(hub)
    else:
        raise ServerError(f"hub serve did not start:\n{hub.log_text()[-3000:]}")
    try:
        yield hub
    finally:
        _stop(hub)


def _wait_ready(hub: LiveHub, timeout: float = 120.0) -> bool:
    """True once the server answers; False when it exited because the port was taken."""
    assert hub.process is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            if "address already in use" in hub.log_text().lower():
                return False
            raise ServerError(f"hub serve exited {hub.process.returncode}:\n{hub.log_text()}")
        try:
            if httpx.post(hub.url, json={"query": "{ __typename }"}, timeout=2.0).status_code:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise ServerError(f"hub serve did not answer within {timeout:.0f} s:\n{hub.log_text()}")


def _stop(hub: LiveHub) -> None:
    process = hub.process
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
