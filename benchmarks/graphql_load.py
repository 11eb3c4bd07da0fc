"""GraphQL latency: `hub serve` under load from N concurrent clients, per operation, reporting
requests per second and p50/p95/p99 latency (issue 6's closing note; issue 9's API targets).

    python benchmarks/graphql_load.py --residents 334400 --create-token ROLE --purpose benchmark \\
        --concurrency 1,4,8,16 --duration 20 --repeat 3 --json var/bench/graphql.json

The server is a real `hub serve` process (uvicorn, production mode: POST only, no GraphiQL)
on a free port against the database; the clients are one asyncio process (httpx) on the same
machine, so both share its cores: read the figures as what one server process sustains with
a local load generator beside it. Each operation runs at each concurrency level for a fixed
time (``--duration``) or request count (``--requests``) after a warm-up that is not counted.

The database: ``--database-url``, or the published database a `build.py --keep` run left for
``--residents``/``--seed``/``--backend``, or (when there is none) one built now the same way.

Access as in production: ``--token`` (or ``--create-token ROLE``, which asks `hub token
create`), a purpose header (``--purpose``, ``--purpose-header``) and any ``--header``. Until
tokens exist (issue 7), ``--dev`` serves in development mode (full access, no tokens, no
audit): such figures say so.

Operations (``--operation``, repeatable) are read from ``schema/operations/`` and then
``benchmarks/operations/``; the defaults are issue 9's everyday ones. A missing one (the change
feed of issue 8) is skipped with a note.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # import ``benchmarks`` as a package; never shadow a library

from benchmarks._harness import (  # noqa: E402
    BACKENDS,
    POSTGRES_URL,
    WORK,
    Banner,
    BenchmarkError,
    cached_landing,
    hub,
    remembered_database,
    safe_url,
    say,
    table,
    write_json,
)
from benchmarks._load import Measurement, Operation, Pools, find_operation, measure  # noqa: E402
from benchmarks._server import HubServer  # noqa: E402
from benchmarks._stats import Summary  # noqa: E402

FOLDERS = (ROOT / "schema" / "operations", ROOT / "benchmarks" / "operations")
#: Issue 9's everyday operations: person by id with house and facts (PersonEverything), by
#: resident ID, a grid page of 100 residents, a township's grid roll-ups, the change feed (a
#: page of ``changes`` over HTTP, as a department's sync job reads it; ``ChangeFeed`` is the
#: same feed as a WebSocket subscription, which a request/response load cannot time).
DEFAULT_OPERATIONS = (
    "PersonEverything",
    "PersonByResidentId",
    "GridResidents",
    "GridRollups",
    "ChangesSince",
)
#: Issue 9's API targets at 8 concurrent clients on the county database (p99, ms).
TARGETS = {"PersonEverything": 20.0, "GridResidents": 100.0}
TARGET_CLIENTS = 8
COUNTY_PERSONS = 300_000


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if not (args.dev or args.token or args.create_token):
        raise BenchmarkError(
            "production mode needs a token: --token, --create-token ROLE, or "
            "--dev (development mode, until tokens exist)"
        )
    banner = Banner("GraphQL latency: hub serve under concurrent clients")
    url = database(args)
    say(f"database: {safe_url(url)}")
    if args.server_root != ROOT:
        say(f"server code: {args.server_root}")
    rng = random.Random(args.seed)
    from hub.storage.session import make_engine

    engine = make_engine(url)
    try:
        pools = Pools.from_database(engine, rng, page_size=args.page_size)
    finally:
        engine.dispose()
    persons = len(pools.values["person"])
    say(
        f"variables drawn from {persons:,} sampled persons, "
        f"{len(pools.values['page_grid'])} grids with full pages, "
        f"{len(pools.values['township_code'])} townships"
    )
    for note in pools.notes:
        say(f"note: {note}")
    operations, skipped = _operations(args.operation or DEFAULT_OPERATIONS, args, pools)
    for name, reason in skipped.items():
        say(f"skipped {name}: {reason}")
    published = ROOT / "schema" / "operations"
    for operation, _ in operations:
        if not args.dev and operation.path.parent != published:
            say(
                f"note: {operation.name} is not in schema/operations; a production server runs "
                "published operations only (issue 7) and will refuse it"
            )
    headers = _headers(args, url)
    mode = "development (--dev: full access, no token, no audit)" if args.dev else "production"
    say(f"server mode: {mode}; headers: {', '.join(sorted(headers)) or 'none'}")
    levels = [int(c) for c in args.concurrency.split(",")]
    results: list[Measurement] = []
    var_dir = args.work / "serve" / uuid.uuid4().hex[:8]
    server_at = HubServer(
        url,
        var_dir=var_dir,
        log=var_dir / "serve.log",
        development=args.dev,
        root=args.server_root,
        workers=args.workers,
    )
    with server_at as server:
        say(
            f"hub serve (pid {server.process.pid if server.process else '?'}, "
            f"{args.workers} worker process(es)) at {server.url}"
        )
        for operation, draw in operations:
            for clients in levels:
                for _ in range(args.repeat):
                    result = asyncio.run(
                        measure(
                            server.url,
                            operation,
                            draw,
                            concurrency=clients,
                            duration=None if args.requests else args.duration,
                            requests=args.requests,
                            warmup=args.warmup,
                            headers=headers,
                            rng=rng,
                            server_cpu=server.cpu_seconds,
                        )
                    )
                    results.append(result)
                    say(_line(result))
        server_peak = server.peak_rss_mib()
    say("")
    say(report(results))
    if server_peak:
        say(f"server peak memory: {server_peak:,.0f} MiB")
    say("")
    _targets(results, persons_total(url), args.dev)
    machine = banner.close()
    write_json(
        args.json,
        {
            "benchmark": "graphql",
            **machine,
            "database": safe_url(url),
            "mode": mode,
            "headers": sorted(headers),
            "skipped": skipped,
            "server_peak_mib": server_peak,
            "results": [r.figures() for r in results],
        },
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="serve this database (SQLAlchemy URL)")
    parser.add_argument(
        "--residents",
        type=int,
        default=10_000,
        help="otherwise: the published database of this generated size",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument(
        "--operation",
        action="append",
        help=f"operation name (repeatable; default {', '.join(DEFAULT_OPERATIONS)})",
    )
    parser.add_argument(
        "--operations-dir",
        type=Path,
        action="append",
        help="where to look for <name>.graphql (default schema/operations, benchmarks/operations)",
    )
    parser.add_argument("--concurrency", default="1,4,8,16", help="client counts, comma-separated")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--requests", type=int, help="requests per measurement, not a duration")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds not counted, first")
    parser.add_argument("--repeat", type=int, default=1, help="measurements per operation/level")
    parser.add_argument(
        "--page-size",
        type=int,
        default=100,
        help="grid pages: pick grids holding at least this many residents",
    )
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="send this value for variable NAME in every operation declaring it, e.g. first=100",
    )
    parser.add_argument(
        "--dev",
        action="store_true",
        help="development mode: full access, no tokens (until issue 7 lands)",
    )
    parser.add_argument("--token", help="bearer token for the Authorization header")
    parser.add_argument(
        "--create-token", metavar="ROLE", help="create one with `hub token create --role ROLE`"
    )
    parser.add_argument("--token-grid", metavar="CODE", help="grid scope of the created token")
    parser.add_argument(
        "--purpose",
        default="performance benchmark",
        help="purpose of use, sent in --purpose-header ('' sends none)",
    )
    parser.add_argument("--purpose-header", default="X-Hub-Purpose")
    parser.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (`hub serve --workers`); the clients share the cores with them",
    )
    parser.add_argument(
        "--server-root",
        type=Path,
        default=ROOT,
        help="serve (and create tokens) with the hub package of this checkout (default: this "
        "one), e.g. to compare two branches against one database",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    return parser


def database(args: argparse.Namespace) -> str:
    """The database to serve: given, kept by `build.py --keep`, or built now and kept."""
    if args.database_url:
        return str(args.database_url)
    url = remembered_database(args.work, args.backend, args.residents, args.seed)
    if url is not None:
        return url
    from benchmarks.build import build_once

    say(
        f"no published database of {args.residents:,} residents yet: building one "
        f"(as `build.py --keep` would)"
    )
    landing = cached_landing(args.work, args.residents, args.seed)
    build_once(landing, args.backend, args.work, args.postgres_url, keep=True)
    found = remembered_database(args.work, args.backend, args.residents, args.seed)
    if found is None:
        raise BenchmarkError("the build kept no database")
    return found


def _operations(
    names: Sequence[str], args: argparse.Namespace, pools: Pools
) -> tuple[list[tuple[Operation, Any]], dict[str, str]]:
    folders = args.operations_dir or list(FOLDERS)
    found, skipped = [], {}
    for name in names:
        operation = find_operation(name, folders)
        if operation is None:
            where = " or ".join(
                str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f) for f in folders
            )
            skipped[name] = f"no {name}.graphql in {where}"
            continue
        draw, reason = pools.sampler(operation, fixed_variables(args.var))
        if draw is None:
            skipped[name] = reason
            continue
        found.append((operation, draw))
    return found, skipped


def fixed_variables(pairs: Sequence[str]) -> dict[str, str]:
    """``--var first=100`` as ``{"first": "100"}`` (typed per operation when sent)."""
    fixed: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise BenchmarkError(f"--var {pair!r}: expected NAME=VALUE")
        fixed[name] = value
    return fixed


def create_token(url: str, role: str, *, grid: str | None = None, root: Path = ROOT) -> str:
    """A new token of ``role`` (``hub token create``, with the ``hub`` of ``root``)."""
    # A name of its own per run: a second run on the same database must not collide.
    name = f"benchmark/{uuid.uuid4().hex[:8]}"
    command = ["token", "create", "--role", role, "--name", name]
    if grid:
        command += ["--grid", grid]
    try:
        output = hub(command, env={"HUB_DATABASE_URL": url}, root=root)
    except BenchmarkError as err:
        raise BenchmarkError(f"{err} (`hub token create` comes with issue 7)") from err
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        raise BenchmarkError("`hub token create` printed no token")
    return lines[-1].split()[-1]


def _headers(args: argparse.Namespace, url: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    token = args.token
    if args.create_token:
        token = create_token(url, args.create_token, grid=args.token_grid, root=args.server_root)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if args.purpose:
        headers[args.purpose_header] = args.purpose
    for header in args.header:
        name, sep, value = header.partition(":")
        if not sep:
            raise BenchmarkError(f"--header {header!r}: expected 'Name: value'")
        headers[name.strip()] = value.strip()
    return headers


def _line(m: Measurement) -> str:
    p50, p99 = m.ms(50), m.ms(99)
    text = f"  {m.operation} x{m.concurrency}: {m.requests} requests in {m.seconds:.1f} s"
    if p50 is not None and p99 is not None:
        text += f", {m.rps:,.0f}/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    if m.errors:
        text += f", {m.errors} errors (e.g. {m.error_sample})"
    return text


def report(results: Sequence[Measurement]) -> str:
    """Medians over repeats (ranges when repeated), one row per operation and level."""
    groups: dict[tuple[str, int], list[Measurement]] = {}
    for m in results:
        groups.setdefault((m.operation, m.concurrency), []).append(m)
    rows = []
    for (name, clients), ms in groups.items():
        figures = [m.figures() for m in ms]
        rows.append(
            [
                name,
                str(clients),
                f"{sum(m.requests for m in ms):,}",
                str(sum(m.errors for m in ms)),
                _median(figures, "rps", 0),
                _median(figures, "p50_ms"),
                _median(figures, "p95_ms"),
                _median(figures, "p99_ms"),
                _median(figures, "server_cpu_ms_per_request", 2),
                _median(figures, "mean_page_items", 0),
            ]
        )
    header = [
        "operation",
        "clients",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "server CPU ms/req",
        "items/page",
    ]
    return table(header, rows)


def _median(figures: Sequence[Mapping[str, Any]], key: str, digits: int = 1) -> str:
    values = [float(f[key]) for f in figures if f.get(key) is not None]
    return Summary.of(values).text(digits=digits) if values else "-"


def persons_total(url: str) -> int:
    from sqlalchemy import text

    from hub.storage.session import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.scalar(text("select count(*) from person where status = 'active'")) or 0
            )
    finally:
        engine.dispose()


def _targets(results: Sequence[Measurement], persons: int, dev: bool) -> None:
    scale = (
        ""
        if persons >= COUNTY_PERSONS
        else (f" (targets are for the county database; this one has {persons:,} persons)")
    )
    caveat = " (development mode: without tokens and audit)" if dev else ""
    for name, limit in TARGETS.items():
        p99s = [
            m.ms(99)
            for m in results
            if m.operation == name and m.concurrency == TARGET_CLIENTS and m.latencies
        ]
        if not p99s:
            say(f"target {name} p99 < {limit:.0f} ms at {TARGET_CLIENTS} clients: not measured")
            continue
        p99 = Summary.of([p for p in p99s if p is not None]).median
        verdict = "met" if p99 < limit else "NOT met"
        say(
            f"target {name} p99 < {limit:.0f} ms at {TARGET_CLIENTS} clients: {p99:.1f} ms, "
            f"{verdict}{scale}{caveat}"
        )


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as err:
        sys.exit(f"graphql benchmark failed: {err}")
