"""Mapping chunks of rows in worker processes while the loading process writes.

Normalising a county file is most of its ingest; the loading process also reads the file and
writes the versions. :class:`MappingPool` hands chunks of raw rows to worker processes and
gives back their :func:`~hub.ingest.mapping.map_chunk` results **in the order the chunks were
given**, so the rows, their order and their line numbers are the same whatever the pool does;
with no workers it maps in the loading process itself.

At most ``workers + 1`` chunks are out at a time, so memory stays flat however long the file.
Workers come from a fork server (a clean process that imported the mappers once), not from a
fork of the loading process: that one holds database connections and, under Dagster, threads.
Leaving the ``with`` block, normally or by an error, shuts the workers down. As in any
program that starts processes this way, a script that ingests with workers must guard its
entry point with ``if __name__ == "__main__":`` (workers import the main module).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import TypeVar

from hub.ingest.fields import Rejection
from hub.ingest.mapping import MappedRow, map_chunk
from hub.types import RawRow

T = TypeVar("T")

Results = list[MappedRow | Rejection]


class MappingPool:
    """``workers`` processes mapping chunks (0: map in this process)."""

    def __init__(self, workers: int) -> None:
        self.workers = max(0, workers)
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> MappingPool:
        if self.workers:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["hub.ingest.mapping"])
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def map(
        self,
        dataset: str,
        today: dt.date,
        chunks: Iterable[tuple[T, Sequence[RawRow]]],
    ) -> Iterator[tuple[T, Results]]:
        """``(tag, results)`` for each ``(tag, raws)`` of ``chunks``, in their order; ``tag``
        is whatever the caller needs beside the results (the chunk's source rows)."""
        if self._executor is None:
            for tag, raws in chunks:
                yield tag, map_chunk(dataset, today, raws)
            return
        pending: deque[tuple[T, Future[Results]]] = deque()
        for tag, raws in chunks:
            pending.append((tag, self._executor.submit(map_chunk, dataset, today, list(raws))))
            if len(pending) > self.workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
