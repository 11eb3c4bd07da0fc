"""What one server process holds to keep any one client from starving the others: the
thread pools for database work, the token buckets, the subscription slots and the count of
open WebSockets; and the answers a request gets when a limit stops it.

Built once per app from :class:`hub.config.ApiLimits` (:meth:`Guard.of`). The database pool
is sized from the same limits (:func:`pool_options`): at most as many connections are in use
as there are worker threads, so a thread never waits for a connection unless one leaked, and
then the wait ends in a 503 after ``pool_timeout_seconds``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import anyio
from graphql import GraphQLError
from starlette.types import Send
from strawberry.http import GraphQLHTTPResponse

from hub.api.access import Viewer
from hub.api.limits import Quota, Quotas, Rate, RateLimited, StreamSlots
from hub.api.middleware import send_error
from hub.config import ApiLimits

#: Seconds a client is asked to wait after a 503 ``BUSY``.
RETRY_BUSY_SECONDS = 2
#: Objects and lists nested deeper than this in a request body are refused before parsing
#: (Python's JSON parser would recurse until it fails).
MAX_JSON_NESTING = 64
BUSY_MESSAGE = "The hub is busy: send the request again shortly."
BUSY: GraphQLHTTPResponse = {
    "data": None,
    "errors": [{"message": BUSY_MESSAGE, "extensions": {"code": "BUSY"}}],
}


@dataclass
class Guard:
    """The limits of one server process and what they count."""

    limits: ApiLimits
    quotas: Quotas
    streams: StreamSlots
    db_threads: anyio.CapacityLimiter
    stream_threads: anyio.CapacityLimiter
    websockets: int = 0  # open WebSocket connections

    @classmethod
    def of(cls, limits: ApiLimits) -> Guard:
        rates = {
            Quota.REQUEST: Rate(limits.requests_per_minute / 60, limits.request_burst),
            Quota.LOOKUP: Rate(limits.lookups_per_minute / 60, limits.lookup_burst),
            Quota.WRITE: Rate(limits.writes_per_minute / 60, limits.write_burst),
        }
        return cls(
            limits=limits,
            quotas=Quotas(rates),
            streams=StreamSlots(limits.subscriptions_per_token, limits.subscriptions_total),
            db_threads=anyio.CapacityLimiter(limits.db_threads),
            stream_threads=anyio.CapacityLimiter(limits.stream_threads),
        )


def pool_options(limits: ApiLimits) -> dict[str, Any]:
    """The engine's pool: a connection for every worker thread (and the token lookups of
    the Data Docs, which share HTTP's threads), no overflow, a bounded wait."""
    return {
        "pool_size": limits.db_threads + limits.stream_threads,
        "max_overflow": 0,
        "pool_timeout": limits.pool_timeout_seconds,
    }


def quota_key(viewer: Viewer) -> str:
    """Whose bucket a request draws on: the token's holder (names are unique among active
    tokens), or the role where no token names one (development)."""
    return viewer.actor or viewer.role


def rate_limited_error(limited: RateLimited) -> GraphQLError:
    return GraphQLError(str(limited), extensions={"code": "RATE_LIMITED"})


async def send_busy(send: Send) -> None:
    await send_error(send, 503, "BUSY", BUSY_MESSAGE,
                     ((b"retry-after", str(RETRY_BUSY_SECONDS).encode()),))  # fmt: skip


async def send_rate_limited(send: Send, limited: RateLimited) -> None:
    retry = str(max(math.ceil(limited.retry_after), 1)).encode()
    await send_error(send, 429, "RATE_LIMITED", str(limited), ((b"retry-after", retry),))


class BadBody(ValueError):
    """The request body is not JSON the API takes; the message says why."""


def decode_body(data: str | bytes) -> object:
    """``data`` as JSON: strict UTF-8 and nested at most :data:`MAX_JSON_NESTING` deep, an
    object or a list; :class:`BadBody` otherwise (the client's mistake: a 400)."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadBody("The request body is not UTF-8.") from None
    else:
        text = data
    opened = text.count("[") + text.count("{")  # at most this deep: most bodies stop here
    if opened > MAX_JSON_NESTING and _nesting(text) > MAX_JSON_NESTING:
        raise BadBody(f"The request body nests deeper than {MAX_JSON_NESTING} levels.")
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise BadBody("The request body is not valid JSON.") from None
    if not isinstance(value, dict | list):
        raise BadBody("The request body must be a JSON object.")
    return value


def _nesting(text: str) -> int:
    """How deep ``[`` and ``{`` nest in ``text`` outside strings (an upper bound of the JSON's
    depth, counted without parsing)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
