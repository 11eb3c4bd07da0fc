"""A GraphQL load generator: operation files, variables drawn from the database, and N
concurrent clients posting them for a fixed time or number of requests.

Operations are read from ``.graphql`` files (``schema/operations/`` first, then
``benchmarks/operations/``), exactly as departments send them. Each required variable is drawn
at random, per request, from a pool of real values read from the database before the load
starts (persons, resident IDs, grids whose pages fill, townships, buildings); optional
variables keep the operation's defaults. An operation whose file is missing, or which needs a
variable no pool provides, is skipped with the reason.

Latency is measured from sending the request to having the whole response; a response counts
as an error when its status is not 200 or its body carries GraphQL ``errors``. Error messages
are printed with long digit runs masked: a variable echoed in a message may be a resident ID.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import random
import re
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
from graphql import (
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    parse,
)
from sqlalchemy import text

from benchmarks._stats import percentile

Variables = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation file: its text and the variables it declares."""

    name: str
    path: Path
    query: str
    required: tuple[str, ...]  # non-null and without a default: must be given
    optional: tuple[str, ...]
    types: Mapping[str, str] = field(default_factory=dict)  # variable -> named type, e.g. Int


def find_operation(name: str, folders: Sequence[Path]) -> Operation | None:
    """``<name>.graphql`` from the first folder that has it; None when none has."""
    for folder in folders:
        path = folder / f"{name}.graphql"
        if path.is_file():
            return read_operation(name, path)
    return None


def read_operation(name: str, path: Path) -> Operation:
    query = path.read_text(encoding="utf-8")
    definitions = [d for d in parse(query).definitions if isinstance(d, OperationDefinitionNode)]
    if len(definitions) != 1:
        raise ValueError(f"{path}: expected one operation, found {len(definitions)}")
    required: list[str] = []
    optional: list[str] = []
    types: dict[str, str] = {}
    for variable in definitions[0].variable_definitions:
        needed = isinstance(variable.type, NonNullTypeNode) and variable.default_value is None
        (required if needed else optional).append(variable.variable.name.value)
        types[variable.variable.name.value] = _named_type(variable.type)
    return Operation(name, path, query, tuple(required), tuple(optional), types)


def _named_type(node: TypeNode) -> str:
    while isinstance(node, NonNullTypeNode | ListTypeNode):
        node = node.type
    assert isinstance(node, NamedTypeNode)
    return node.name.value


def coerce(text: str, type_name: str) -> Any:
    """A command-line value as a variable of ``type_name``: Int, Float and Boolean parsed,
    anything else (String, ID, enums, dates) sent as the text."""
    if type_name == "Int":
        return int(text)
    if type_name == "Float":
        return float(text)
    if type_name == "Boolean":
        if text not in ("true", "false"):
            raise ValueError(f"{text!r} is not a Boolean (true or false)")
        return text == "true"
    return text


def person_global_id(entity_id: str) -> str:
    """The Relay id of a person (``Person:<entity id>``, base64), as the API issues it."""
    return base64.b64encode(f"Person:{entity_id}".encode()).decode()


@dataclass(slots=True)
class Pools:
    """Real values to draw variables from, read from the published model."""

    values: dict[str, list[Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    #: Which pool feeds a variable, by the variable's name.
    VARIABLES: ClassVar[dict[str, str]] = {
        "id": "person",
        "personId": "person",
        "residentId": "resident_id",
        "gridCode": "page_grid",
        "code": "township_code",
        "township": "township",
        "buildingCode": "building",
        "name": "name",
        "dataset": "dataset",
    }

    @classmethod
    def from_database(
        cls, engine: Any, rng: random.Random, *, sample: int = 5000, page_size: int = 100
    ) -> Pools:
        pools = cls()
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "select id, resident_id, name from person where status = 'active' "
                    "order by random() limit :n"
                ),
                {"n": sample},
            ).all()
            pools.values["person"] = [person_global_id(r[0]) for r in rows]
            pools.values["resident_id"] = [r[1] for r in rows if r[1]]
            pools.values["name"] = [r[2] for r in rows if r[2]]
            per_grid = conn.execute(
                text(
                    "select grid_code, count(*) from person where status = 'active' "
                    "and grid_code is not null group by grid_code"
                )
            ).all()
            townships = conn.execute(
                text("select code, name from grid where level = '乡镇' and ended_on is null")
            ).all()
            pools.values["building"] = [
                r[0]
                for r in conn.execute(
                    text(
                        "select distinct building_code from house where status = 'active' "
                        "and building_code is not null order by building_code limit :n"
                    ),
                    {"n": sample},
                )
            ]
            pools.values["dataset"] = [
                r[0] for r in conn.execute(text("select distinct dataset from delivery"))
            ]
        pools.values["township_code"] = [r[0] for r in townships]
        pools.values["township"] = [r[1] for r in townships]
        pools.values["page_grid"] = pools._page_grids(dict(per_grid), page_size)
        rng.shuffle(pools.values["building"])
        return pools

    def _page_grids(self, residents_of: Mapping[str, int], page_size: int) -> list[str]:
        """Responsibility grids (the residents' own) with a full page of residents; failing
        that, the deepest level that has such grids; failing that, the most populous grids."""
        for length in (17, 15, 12, 9):  # responsibility, unit, first-level, township codes
            counts: defaultdict[str, int] = defaultdict(int)
            for code, count in residents_of.items():
                counts[code[:length]] += count
            full = sorted(code for code, count in counts.items() if count >= page_size)
            if full:
                if length != 17:
                    self.notes.append(
                        f"no responsibility grid holds {page_size} residents: "
                        f"grid pages use {length}-digit grids"
                    )
                return full
        self.notes.append(f"no grid holds {page_size} residents: grid pages are not full")
        return sorted(residents_of, key=lambda c: -residents_of[c])[:20]

    def sampler(
        self, operation: Operation, fixed: Mapping[str, str] | None = None
    ) -> tuple[Callable[[random.Random], Variables] | None, str]:
        """A function drawing the operation's variables, or None and the reason.

        ``fixed`` values (text, as given on the command line) are sent, as the declared type,
        for the variables of those names the operation declares (e.g. ``first=100``), instead
        of a draw or the default.
        """
        given: dict[str, Any] = {}
        for name, value in (fixed or {}).items():
            if name in operation.types:
                try:
                    given[name] = coerce(value, operation.types[name])
                except ValueError as err:
                    return None, f"${name}: {err}"
        sources: dict[str, list[Any]] = {}
        for variable in operation.required:
            if variable in given:
                continue
            pool = self.values.get(self.VARIABLES.get(variable, ""), [])
            if not pool:
                return None, f"no values for ${variable} (add a pool in benchmarks/_load.py)"
            sources[variable] = pool

        def draw(rng: random.Random) -> Variables:
            return {**{name: rng.choice(pool) for name, pool in sources.items()}, **given}

        return draw, ""


@dataclass(slots=True)
class Measurement:
    """One operation at one concurrency: what the clients saw."""

    operation: str
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    error_sample: str | None = None
    page_items: list[int] = field(default_factory=list)
    server_cpu: float | None = None

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, p: float) -> float | None:
        return percentile(self.latencies, p) * 1000 if self.latencies else None

    def figures(self) -> dict[str, Any]:
        """What the JSON keeps (percentiles, not every latency)."""
        items = self.page_items
        return {
            "operation": self.operation,
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 3),
            "requests": self.requests,
            "errors": self.errors,
            "rps": round(self.rps, 1),
            "p50_ms": self.ms(50),
            "p95_ms": self.ms(95),
            "p99_ms": self.ms(99),
            "max_ms": self.ms(100),
            "server_cpu_ms_per_request": (
                round(self.server_cpu * 1000 / self.requests, 3)
                if self.server_cpu is not None and self.requests
                else None
            ),
            "mean_page_items": round(sum(items) / len(items), 1) if items else None,
            "error_sample": self.error_sample,
        }


Send = Callable[[Mapping[str, Any]], Awaitable[tuple[int, bytes]]]


async def measure(
    url: str,
    operation: Operation,
    draw: Callable[[random.Random], Variables],
    *,
    concurrency: int,
    duration: float | None,
    requests: int | None,
    warmup: float,
    headers: Mapping[str, str],
    rng: random.Random,
    server_cpu: Callable[[], float] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    lean: bool = False,
) -> Measurement:
    """``concurrency`` clients posting ``operation`` for ``duration`` seconds (or until
    ``requests`` are done), after ``warmup`` seconds whose requests are not counted.

    Each client is an httpx connection, or with ``lean`` a :class:`LeanConnection` (several
    times less of the client's CPU per request: httpx in one process tops out at a few
    hundred requests a second, below what a fast server answers). ``transport`` replaces the
    network (tests pass an ASGI app's; httpx only).
    """
    if lean and transport is not None:
        raise ValueError("a lean client speaks to the network only")
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with contextlib.AsyncExitStack() as stack:
        if lean:
            connections = [LeanConnection(url, headers) for _ in range(concurrency)]
            for connection in connections:
                stack.push_async_callback(connection.close)
            senders: list[Send] = [c.post for c in connections]
        else:
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    limits=limits, timeout=60.0, headers=dict(headers), transport=transport
                )
            )

            async def send(body: Mapping[str, Any]) -> tuple[int, bytes]:
                response = await client.post(url, json=body)
                return response.status_code, response.content

            senders = [send] * concurrency
        if warmup > 0:
            await _run(senders, operation, draw, warmup, None, rng, None)
        cpu_before = server_cpu() if server_cpu else None
        result = Measurement(operation.name, concurrency, 0.0)
        started = time.perf_counter()
        await _run(senders, operation, draw, duration, requests, rng, result)
        result.seconds = time.perf_counter() - started
        if server_cpu is not None and cpu_before is not None:
            result.server_cpu = server_cpu() - cpu_before
    return result


async def _run(
    senders: Sequence[Send],
    operation: Operation,
    draw: Callable[[random.Random], Variables],
    duration: float | None,
    requests: int | None,
    rng: random.Random,
    into: Measurement | None,
) -> None:
    deadline = time.perf_counter() + duration if duration else None
    budget = [requests if requests is not None else -1]

    async def client_loop(send: Send) -> None:
        while True:
            if deadline is not None and time.perf_counter() >= deadline:
                return
            if budget[0] == 0:
                return
            budget[0] -= 1
            body = {
                "query": operation.query,
                "variables": draw(rng),
                "operationName": operation.name,
            }
            sent = time.perf_counter()
            try:
                status, content = await send(body)
                elapsed = time.perf_counter() - sent
                # A refusal before GraphQL (401 without a token) has no JSON body.
                ok = status == 200
                answer: Any = json.loads(content) if ok else content.decode(errors="replace")
                failure = _failure(status, answer)
            except (httpx.HTTPError, OSError, ValueError, asyncio.IncompleteReadError) as exc:
                elapsed, answer, failure = 0.0, None, f"{type(exc).__name__}: {exc}"
            if into is None:
                continue
            if failure is None:
                into.latencies.append(elapsed)
                items = _page_items(answer.get("data"))
                if items is not None:
                    into.page_items.append(items)
            else:
                into.errors += 1
                into.error_sample = into.error_sample or _masked(failure)

    await asyncio.gather(*(client_loop(send) for send in senders))


class LeanConnection:
    """One keep-alive HTTP/1.1 connection posting JSON, and no more: the request's bytes
    prepared once but for the body, the answer read by its ``Content-Length`` (or chunks).
    Reconnects when the server closes."""

    def __init__(self, url: str, headers: Mapping[str, str]) -> None:
        parsed = urlsplit(url)
        if parsed.scheme != "http" or parsed.hostname is None:
            raise ValueError(f"a lean connection speaks plain http, not {url}")
        self.host, self.port = parsed.hostname, parsed.port or 80
        lines = [
            f"POST {parsed.path or '/'} HTTP/1.1",
            f"Host: {parsed.netloc}",
            "Content-Type: application/json",
            "Accept: application/json",
            *(f"{name}: {value}" for name, value in headers.items()),
            "Content-Length: ",
        ]
        self.head = "\r\n".join(lines).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: Mapping[str, Any]) -> tuple[int, bytes]:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(b"%s%d\r\n\r\n%s" % (self.head, len(payload), payload))
        status_line = await self.reader.readline()
        if not status_line:
            await self.close()
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length, chunked, closing = None, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                closing = b"close" in value.lower()
        if chunked:
            content = await self._chunks()
        elif length is not None:
            content = await self.reader.readexactly(length)
        else:
            content, closing = await self.reader.read(), True
        if closing:
            await self.close()
        return status, content

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readline()).split(b";")[0], 16)
            if size == 0:
                await self.reader.readline()  # the blank line after the last chunk
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def _failure(status: int, answer: Any) -> str | None:
    if status != 200:
        return f"HTTP {status}: {str(answer)[:200]}"
    if not isinstance(answer, dict):
        return "response is not a JSON object"
    errors = answer.get("errors")
    if errors:
        first = errors[0] if isinstance(errors, list) and errors else {}
        code = (first.get("extensions") or {}).get("code", "") if isinstance(first, dict) else ""
        message = first.get("message", "") if isinstance(first, dict) else str(first)
        return f"{code} {message}".strip()
    return None


def _page_items(data: Any) -> int | None:
    """How many items the first connection in ``data`` returned (None: no connection)."""
    if isinstance(data, dict):
        if isinstance(data.get("edges"), list):
            return len(data["edges"])
        for value in data.values():
            found = _page_items(value)
            if found is not None:
                return found
    return None


def _masked(message: str) -> str:
    """No identifiers in output: runs of six or more digits (resident IDs, phones) masked."""
    return re.sub(r"\d{6,}[0-9Xx]?", "<digits>", message)[:300]
