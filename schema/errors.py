"""Errors a client may see, and the rule that masks every other one.

Expected failures of a lookup are data (union results such as ``InvalidResidentId``). What is
left are errors in the request itself (``BAD_USER_INPUT``) and refusals (``FORBIDDEN``): both
are raised as :class:`ClientError` and reach the client as written. Anything else is a bug or
an outage and is replaced by "Unexpected error." so that no trace, SQL or path leaks out.
"""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.relay import GlobalIDValueError


class ClientError(GraphQLError):
    """An error the client caused or may know about, with a machine-readable ``code``."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class BadUserInput(ClientError):
    """An argument the schema accepts by type but not by value (a page too large...)."""


class Forbidden(ClientError):
    """The viewer may not read this: refused loudly, never answered with an empty value."""

    code = "FORBIDDEN"


class RateLimitedError(ClientError):
    """Over the token's rate for this kind of request (the answer is HTTP 429)."""

    code = "RATE_LIMITED"


class TooManySubscriptions(ClientError):
    """No subscription slot is free for this token, or on this server."""

    code = "TOO_MANY_SUBSCRIPTIONS"


def is_unexpected(error: GraphQLError) -> bool:
    """Whether ``error`` must be masked: anything but validation and :class:`ClientError`.

    Validation errors (syntax, unknown fields, depth limit) carry no original error and say
    only what the client sent.
    """
    original = error.original_error
    if original is None:
        return False
    return not isinstance(original, ClientError | GlobalIDValueError)
