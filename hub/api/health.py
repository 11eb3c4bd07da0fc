"""The database under the API: checked when the app starts, and a clear 503 when it goes away.

``check_database`` is what ``hub serve`` (and each worker's lifespan) runs first: a server
that cannot reach its database, or finds it unmigrated, does not start, and says why in one
line. While serving, a request that finds the database gone (connection refused, dropped,
timed out) gets ``503`` with a JSON error instead of a bare 500; the next request that finds
it back is served as usual (the pool reconnects).
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.storage import migrate

logger = logging.getLogger(__name__)

#: The body of a request the database could not serve.
UNAVAILABLE = {
    "data": None,
    "errors": [
        {
            "message": "The hub's database is unavailable; nothing was read or written. "
            "Try again later.",
            "extensions": {"code": "DATABASE_UNAVAILABLE"},
        }
    ],
}


class DatabaseUnavailable(RuntimeError):
    """The database cannot serve the app: the message says why, on one line."""


def check_database(engine: Engine) -> None:
    """Raise :class:`DatabaseUnavailable` unless the database answers and is migrated."""
    where = make_url(str(engine.url)).render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        current = migrate.current_revision(engine)
    except DBAPIError as error:
        cause = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise DatabaseUnavailable(f"cannot reach the database {where}: {cause}") from None
    head = migrate.head_revision()
    if current != head:
        state = "has no hub tables" if current is None else f"is at revision {current}"
        raise DatabaseUnavailable(
            f"the database {where} {state} (the code needs {head}): run `hub db upgrade`"
        )


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database is gone (not a bad query)."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


class ServiceUnavailable:
    """ASGI middleware: an HTTP request that fails because the database is gone gets 503 and
    :data:`UNAVAILABLE`, if nothing of the response was sent yet."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            if started or not _caused_by_database(error):
                raise
            logger.warning("database unavailable: %s", " ".join(str(error).split())[:300])
            body = json.dumps(UNAVAILABLE).encode()
            await send({"type": "http.response.start", "status": 503,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"retry-after", b"30"),
                                    (b"content-length", str(len(body)).encode())]})  # fmt: skip
            await send({"type": "http.response.body", "body": body})


def _caused_by_database(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if is_unavailable(seen):
            return True
        if isinstance(seen, BaseExceptionGroup):
            return any(_caused_by_database(e) for e in seen.exceptions)
        seen = seen.__cause__ or seen.__context__
    return False
