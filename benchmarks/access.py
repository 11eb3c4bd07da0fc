"""Access overhead benchmark: the API with tokens, purpose and audit on, in-process (httpx over
ASGI, no network), on the tests' small world (120 residents in one grid). Prints p50/p99 of
a person by id and of a page of 100 residents at 8 concurrent clients, and the cost of one
audit append on its own.

    python benchmarks/access.py --backend sqlite --backend postgresql

Issue #9 benchmarks the county-sized database; this one shows what access control adds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from strawberry.relay import to_base64

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from _machine import describe  # noqa: E402

from hub.api import audit  # noqa: E402
from hub.api.app import create_app  # noqa: E402
from hub.config import load_settings  # noqa: E402
from hub.storage import migrate  # noqa: E402
from hub.storage.session import make_engine  # noqa: E402
from tests.api.conftest import headers, issue_tokens  # noqa: E402
from tests.schema.world import GRID, SUBJECT, populate  # noqa: E402

PERSON = "query($id: ID!) { person(id: $id) { name residentId phone tags } }"
PAGE = """query($grid: String!) { people(filter: {gridCode: $grid}, first: 100) {
  edges { node { id name age phone house { address } tags } } } }"""
CLIENTS = 8


async def _latencies(app: object, token: str, body: dict[str, object], n: int) -> list[float]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        sent = headers(token)
        await client.post("/graphql", json=body, headers=sent)  # warm up

        async def worker() -> list[float]:
            times = []
            for _ in range(n):
                started = time.perf_counter()
                response = await client.post("/graphql", json=body, headers=sent)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200 and "errors" not in response.json()
            return times

        return [t for ts in await asyncio.gather(*(worker() for _ in range(CLIENTS))) for t in ts]


def _report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"  {name}: p50 {statistics.median(ordered) * 1e3:.1f} ms, p99 {p99 * 1e3:.1f} ms "
          f"({len(ordered)} requests, {CLIENTS} clients)")  # fmt: skip


def _database(backend: str, work: Path, postgres_url: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{work / 'access.sqlite3'}"
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(postgres_url).begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)  # fmt: skip
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=100, help="per client")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    print(f"machine: {describe()}")
    for backend in args.backend or ["sqlite"]:
        with tempfile.TemporaryDirectory() as tmp:
            url = _database(backend, Path(tmp), args.postgres_url)
            migrate.upgrade(url)
            engine = make_engine(url)
            with Session(engine) as session, session.begin():
                populate(session)
            token = issue_tokens(url)["civil_affairs"]
            app = create_app(load_settings({"HUB_DATABASE_URL": url, "HUB_VAR_DIR": tmp}),
                             allow_listed_only=False)  # fmt: skip
            print(f"[{backend}] tokens, purpose and audit on:")
            person = {"query": PERSON, "variables": {"id": to_base64("Person", SUBJECT)}}
            _report("person by id", asyncio.run(_latencies(app, token, person, args.requests)))
            page = {"query": PAGE, "variables": {"grid": GRID}}
            _report("page of 100", asyncio.run(_latencies(app, token, page, args.requests // 4)))
            entry = audit.Entry.of(audit.ReadLog({"Person.name": True}, {f"P{i:07d}" for i in
                                   range(100)}), actor="bench", role="civil_affairs",
                                   purpose="bench", operation=None, refused=False)  # fmt: skip
            started, appends = time.perf_counter(), 200
            for _ in range(appends):
                with Session(engine) as session, session.begin():
                    audit.append(session, entry)
            per = (time.perf_counter() - started) / appends
            print(f"  one audit append (100 persons) + commit: {per * 1e3:.2f} ms")
            with Session(engine) as session:
                print(f"  chain: {audit.verify(session).entries} entries, intact")
            engine.dispose()


if __name__ == "__main__":
    main()
