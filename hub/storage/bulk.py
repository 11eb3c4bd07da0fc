"""Bulk writes in batches: one statement per batch, never a round trip per row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: Rows per executemany batch.
BATCH = 5000
#: Values per ``IN (...)`` list: under SQLite's default limit of bound parameters.
IN_LIST = 900


def chunks(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, lazily."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
