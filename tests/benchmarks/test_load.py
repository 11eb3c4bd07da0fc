"""The GraphQL load generator: operation files, variables drawn from a published database,
and measurements that count what the server answered (errors included)."""

from __future__ import annotations

import asyncio
import base64
import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from benchmarks._load import (
    LeanConnection,
    Measurement,
    Operation,
    Pools,
    find_operation,
    measure,
    read_operation,
)
from benchmarks.graphql_load import FOLDERS
from hub.api.app import create_app
from hub.config import load_settings
from hub.storage.session import make_engine
from tests.api.conftest import headers, issue_tokens
from tests.conftest import BACKENDS
from tests.schema import world
from tests.schema.conftest import small_world

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module", params=BACKENDS)
def world_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The schema tests' small world, migrated and committed once per backend."""
    return small_world(str(request.param), tmp_path_factory.mktemp("world"), request)


@pytest.fixture(scope="module")
def world_engine(world_url: str) -> Iterator[Engine]:
    engine = make_engine(world_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def pools(world_engine: Engine) -> Pools:
    return Pools.from_database(world_engine, random.Random(1))


def operation(name: str) -> Operation:
    found = find_operation(name, FOLDERS)
    assert found is not None
    return found


def test_every_operation_file_parses_as_one_operation() -> None:
    files = [p for folder in FOLDERS for p in folder.glob("*.graphql")]
    assert len(files) > 10
    for path in files:
        assert read_operation(path.stem, path).query


def test_required_and_optional_variables() -> None:
    elderly = operation("ElderlyLivingAloneInGrid")
    assert elderly.required == ("gridCode",)
    assert elderly.optional == ("first", "after")  # `first` has a default
    assert operation("Ping").required == ()
    assert find_operation("NoSuchOperation", FOLDERS) is None


def test_pools_hold_real_values(pools: Pools) -> None:
    persons = pools.values["person"]
    assert len(persons) == world.RESIDENTS + 1  # the merged person is not active
    decoded = {base64.b64decode(p).decode() for p in persons}
    assert f"Person:{world.SUBJECT}" in decoded
    assert f"Person:{world.MERGED}" not in decoded
    assert pools.values["page_grid"] == [world.GRID]  # the only grid with a page of 100
    assert sorted(pools.values["township_code"]) == [world.TOWNSHIP, world.OTHER_TOWNSHIP]
    assert world.SUBJECT_ID in pools.values["resident_id"]


def test_grid_pages_fall_back_to_a_level_that_fills_them() -> None:
    pools = Pools()
    grids = pools._page_grids({"35052600100100101": 60, "35052600100100102": 60}, 100)
    assert grids == ["350526001001001"]  # the unit grid holding both
    assert "15-digit" in pools.notes[0]


def test_a_sampler_draws_every_required_variable(pools: Pools) -> None:
    draw, reason = pools.sampler(operation("GridResidents"))
    assert draw is not None and reason == ""
    assert draw(random.Random(2)) == {"gridCode": world.GRID}
    unknown = Operation(
        "X",
        Path("X.graphql"),
        "query X($since: String!) { __typename }",
        ("since",),
        (),
        {"since": "String"},
    )
    draw, reason = pools.sampler(unknown)
    assert draw is None and "$since" in reason


def _measure(
    url: str,
    tmp_path: Path,
    name: str,
    pools: Pools,
    *,
    development: bool,
    headers: dict[str, str] | None = None,
) -> Measurement:
    """Six requests from three clients against the app in this process (its lifespan run)."""
    settings = load_settings({"HUB_DATABASE_URL": url, "HUB_VAR_DIR": str(tmp_path)}, cwd=tmp_path)
    app = create_app(settings, development=development)
    draw, _ = pools.sampler(operation(name))
    assert draw is not None

    async def run() -> Measurement:
        async with app.router.lifespan_context(app):
            return await measure(
                "http://hub.test/graphql",
                operation(name),
                draw,
                concurrency=3,
                duration=None,
                requests=6,
                warmup=0,
                headers=headers or {},
                rng=random.Random(3),
                transport=httpx.ASGITransport(app=app),
            )

    return asyncio.run(run())


def test_measure_counts_every_request_and_page(
    world_url: str, tmp_path: Path, pools: Pools
) -> None:
    result = _measure(world_url, tmp_path, "GridResidents", pools, development=True)
    assert result.requests == 6 and result.errors == 0
    assert result.page_items == [100] * 6
    figures = result.figures()
    assert figures["p50_ms"] is not None and figures["p99_ms"] >= figures["p50_ms"] > 0
    assert figures["mean_page_items"] == 100


def test_an_answer_with_errors_counts_as_an_error(
    world_url: str, tmp_path: Path, pools: Pools
) -> None:
    # Production mode, the administrator's token: it may not read residents at all.
    token = issue_tokens(world_url)["administrator"]
    result = _measure(world_url, tmp_path, "PersonByResidentId", pools, development=False,
                      headers=headers(token))  # fmt: skip
    assert result.errors == 6 and result.latencies == []
    assert result.error_sample is not None and "FORBIDDEN" in result.error_sample


def test_a_refusal_without_a_body_counts_as_an_error(
    world_url: str, tmp_path: Path, pools: Pools
) -> None:
    # Production mode without a token: a bare HTTP 401, before any GraphQL.
    result = _measure(world_url, tmp_path, "PersonByResidentId", pools, development=False)
    assert result.errors == 6 and result.latencies == []
    assert result.error_sample is not None and result.error_sample.startswith("HTTP 401")


def test_messages_never_show_identifiers() -> None:
    from benchmarks._load import _masked

    masked = _masked(f"Variable '$residentId' got invalid value '{world.SUBJECT_ID}'")
    assert world.SUBJECT_ID not in masked and "<digits>" in masked
    assert "13812345678" not in _masked("phone 13812345678")


def test_fixed_variables_override_draws_and_defaults(pools: Pools) -> None:
    from benchmarks.graphql_load import fixed_variables

    fixed = fixed_variables(["first=100", f"gridCode={world.OTHER_GRID}", "unused=x"])
    draw, _ = pools.sampler(operation("ElderlyLivingAloneInGrid"), fixed)
    assert draw is not None
    # Typed as declared: an Int as a number, a grid code (all digits) still a String.
    assert draw(random.Random(1)) == {"gridCode": world.OTHER_GRID, "first": 100}
    draw, reason = pools.sampler(operation("ElderlyLivingAloneInGrid"), {"first": "many"})
    assert draw is None and "$first" in reason


def test_a_lean_connection_reads_sized_chunked_and_closing_answers() -> None:
    """Against a server that answers with a length, then in chunks, then closes: every answer
    is read whole, and the next request opens a new connection."""
    seen: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for count in range(1, 4):  # per connection
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            seen.append(head + await reader.readexactly(length))
            if count == 1:
                writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{"data":{}}')
            elif count == 2:
                writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             b'4\r\n{"da\r\n7\r\nta":{}}\r\n0\r\n\r\n')  # fmt: skip
            else:
                writer.write(b"HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n"
                             b"Content-Length: 2\r\n\r\nno")  # fmt: skip
                await writer.drain()
                writer.close()
                return
            await writer.drain()

    async def run() -> list[tuple[int, bytes]]:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        connection = LeanConnection(f"http://127.0.0.1:{port}/graphql", {"X-Hub-Purpose": "t"})
        answers = [await connection.post({"query": "{ a }"}) for _ in range(4)]
        await connection.close()
        server.close()
        return answers

    answers = asyncio.run(run())
    assert answers[:3] == [(200, b'{"data":{}}'), (200, b'{"data":{}}'), (401, b"no")]
    assert answers[3] == (200, b'{"data":{}}')  # a new connection after the close
    assert seen[0].startswith(b"POST /graphql HTTP/1.1\r\n")
    assert b"X-Hub-Purpose: t\r\n" in seen[0] and seen[0].endswith(b'{"query":"{ a }"}')
