"""When a step is tried again: transient errors only.

Every step is idempotent (see :mod:`hub.pipeline`), so retrying one after a dropped connection,
a locked SQLite file, a deadlock or a landing share that hiccupped is safe. Any other error is a
bug or bad data that the same attempt would meet again: :func:`retry_only_transient` turns it
into a failure that skips the retries. A failed blocking check is not an error at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dagster import Backoff, Failure, Jitter, RetryPolicy
from sqlalchemy.exc import InterfaceError, OperationalError

#: 3 more attempts after about 2, 4 and 8 seconds.
TRANSIENT = RetryPolicy(
    max_retries=3, delay=2, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
)
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, OSError)
_RAISE_AS_IS: tuple[type[Exception], ...] = (*TRANSIENT_ERRORS, Failure)


@contextmanager
def retry_only_transient() -> Iterator[None]:
    """Let transient errors reach the retry policy; fail at once on any other."""
    try:
        yield
    except _RAISE_AS_IS:
        raise
    except Exception as error:
        raise Failure(f"{type(error).__name__}: {error}", allow_retries=False) from error
