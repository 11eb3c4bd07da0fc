"""ASGI middleware around the whole app: a body size cap checked while the body is read, and
the security headers every response carries.

- :class:`BodyLimit` refuses a body over the cap with HTTP 413 before anything parses it: at
  once when ``Content-Length`` says so, else as soon as the bytes streamed in pass the cap (a
  chunked body has no length). A ``Content-Length`` that is not a number is a 400.
- :class:`SecurityHeaders` adds ``X-Content-Type-Options: nosniff``, ``X-Frame-Options:
  DENY``, ``Referrer-Policy: no-referrer``, ``Cache-Control: no-store`` (answers hold personal
  data) and a ``Content-Security-Policy`` to every HTTP response that does not set its own:
  nothing may load from an API answer, and no page may be framed.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The policy of every answer that is not a page: load nothing, be framed nowhere.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


async def send_error(send: Send, status: int, code: str, message: str,
                     headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:  # fmt: skip
    """A GraphQL-shaped JSON error answer (``{"errors": [...]}``) with ``status``."""
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]},
                      ensure_ascii=False).encode()  # fmt: skip
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    """The body read so far passed the cap."""


class BodyLimit:
    """HTTP 413 for a request body over ``max_bytes``, before the app parses any of it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared == -1:
            await send_error(send, 400, "BAD_REQUEST", "Content-Length is not a number.")
            return
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if started:  # the app answered before reading all of it: nothing left to say
                return
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        await send_error(send, 413, "PAYLOAD_TOO_LARGE",
                         f"The request body is over {self.max_bytes} bytes.")  # fmt: skip


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when absent, -1 when not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 19 else -1
    return None


class SecurityHeaders:
    """The security headers on every HTTP response; ``csp`` picks the policy by path (a
    page that sets its own keeps it)."""

    def __init__(self, app: ASGIApp, pages: dict[str, str] | None = None) -> None:
        self.app = app
        self.pages = pages or {}  # path prefix -> Content-Security-Policy of its pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = next((p for prefix, p in self.pages.items() if path.startswith(prefix)), API_CSP)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in HEADERS if n not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", csp.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
