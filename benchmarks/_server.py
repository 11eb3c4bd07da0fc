"""GraphQL servers as real processes on a free port, for load generators: ``hub serve``
here, PostGraphile in :mod:`benchmarks._postgraphile`.

``hub serve`` is started with this interpreter (``python -m hub.cli serve``). A server's output
goes to a log file (uvicorn's access log included, as in production); it can be pinned to
CPUs (``taskset``), and it is stopped with SIGTERM (then SIGKILL) by its own pid when the
benchmark ends.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx

from benchmarks._harness import ROOT, BenchmarkError
from benchmarks._probes import status_mib

READY_QUERY = {"query": "{ __typename }"}
_TICK = os.sysconf("SC_CLK_TCK")


def free_port(ports: range | None = None) -> int:
    """A port nothing listens on: the first free one of ``ports``, or any the kernel picks."""
    for candidate in ports or [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port: int = sock.getsockname()[1]
            return port
    raise BenchmarkError(f"no free port in {ports.start}-{ports.stop - 1}" if ports else "no port")


def pinned(args: list[str], cpus: str | None) -> list[str]:
    """``args`` run on the CPUs ``cpus`` (``taskset -c``; every thread inherits it), or as
    they are when ``cpus`` is None."""
    return args if cpus is None else ["taskset", "-c", cpus, *args]


class ServerProcess:
    """A GraphQL server as a child process on ``port``, pinned to ``cpus`` when given; its
    output goes to ``log``. Subclasses say what to run (:meth:`command`)."""

    name = "server"

    def __init__(self, *, log: Path, port: int | None = None, cpus: str | None = None) -> None:
        self.log = log
        self.port = port or free_port()
        self.cpus = cpus  # ``taskset -c`` list the server runs on (None: anywhere)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        """The arguments, the environment and the working directory of the server."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        args, env, cwd = self.command()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                pinned(args, self.cpus), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchmarkError(
                    f"{self.name} exited {self.process.returncode}:\n{self.tail()}"
                )
            try:  # any answer will do: production refuses this query without a token
                response = httpx.post(self.url, json=READY_QUERY, timeout=2.0)
                if response.status_code < 500:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise BenchmarkError(f"{self.name} did not answer within {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def cpu_seconds(self) -> float:
        """User + system CPU the server process and its live worker processes have used."""
        assert self.process is not None
        return sum(cpu_seconds_of(pid) for pid in [self.process.pid, *_children(self.process.pid)])

    def peak_rss_mib(self) -> float | None:
        """The peak resident memory of the largest server process (a worker, with workers)."""
        assert self.process is not None
        pids = [self.process.pid, *_children(self.process.pid)]
        peaks = [status_mib("VmHWM", Path(f"/proc/{pid}/status")) for pid in pids]
        return max((p for p in peaks if p is not None), default=None)

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


#: The per-token rate limits lifted out of a load test's way (the limiter still runs on every
#: request; one token sends the whole load). A benchmark that measures the limits sets its own.
UNLIMITED_RATES = {
    "HUB_RATE_PER_MINUTE": "1e9",
    "HUB_RATE_BURST": "1000000000",
    "HUB_LOOKUPS_PER_MINUTE": "1e9",
    "HUB_WRITES_PER_MINUTE": "1e9",
}


class HubServer(ServerProcess):
    """``hub serve`` on ``database_url``; production mode unless ``development``."""

    name = "hub serve"

    def __init__(
        self,
        database_url: str,
        *,
        var_dir: Path,
        log: Path,
        development: bool = False,
        root: Path = ROOT,
        workers: int = 1,
        port: int | None = None,
        cpus: str | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        super().__init__(log=log, port=port, cpus=cpus)
        self.root = root  # the checkout whose ``hub`` package serves (``-m`` puts it first)
        self.database_url = database_url
        self.var_dir = var_dir
        self.development = development
        self.workers = workers  # ``hub serve --workers``: processes sharing the port
        self.environ = environ or {}  # more environment for the server (HUB_MODE, ...)

    def command(self) -> tuple[list[str], dict[str, str], Path]:
        args = [sys.executable, "-m", "hub.cli", "serve", "--port", str(self.port)]
        if self.development:
            args.append("--dev")
        if self.workers > 1:
            args += ["--workers", str(self.workers)]
        env = {
            "HUB_AUDIT_KEY": secrets.token_hex(32),  # production keys its audit trail
            **UNLIMITED_RATES,
            **os.environ,
            "HUB_DATABASE_URL": self.database_url,
            "HUB_VAR_DIR": str(self.var_dir),
            **self.environ,
        }
        return args, env, self.root


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (uvicorn's workers), as the kernel lists them."""
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in listed.split()]


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone since it was listed
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK
