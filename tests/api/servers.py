"""Real servers for tests that talk to the API as a client on the network does: ``hub serve``
on a port of the tests' range, and a TCP proxy in front of PostgreSQL that a test can cut (the
database "goes away") and restore."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from benchmarks._server import HubServer

#: Ports the tests' own servers use (the hub serve under test, proxies).
PORTS = range(8121, 8140)


def free_port() -> int:
    """A port of :data:`PORTS` nothing listens on now."""
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def hub_server(database_url: str, var_dir: Path, **kwargs: object) -> HubServer:
    """``hub serve`` (production mode unless ``development=True``) on a port of the range."""
    return HubServer(database_url, var_dir=var_dir, log=var_dir / "serve.log", port=free_port(),
                     **kwargs)  # type: ignore[arg-type]  # fmt: skip


class Proxy:
    """Forwards 127.0.0.1:``port`` to ``target``; :meth:`cut` closes the listener and every
    connection (the database is gone), :meth:`restore` listens again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Proxy:
        self.restore()
        return self

    def __exit__(self, *_: object) -> None:
        self.cut()

    def restore(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.settimeout(0.2)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def cut_off(proxy: Proxy) -> Iterator[None]:
    """The database unreachable through ``proxy`` while the block runs."""
    proxy.cut()
    try:
        yield
    finally:
        proxy.restore()
