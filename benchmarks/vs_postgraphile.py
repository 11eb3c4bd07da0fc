"""The hub against PostGraphile 5 on the same PostgreSQL tables, side by side in one run.

    python benchmarks/vs_postgraphile.py --residents 50000 --json var/bench/vs-postgraphile.json

The database: ``--database-url`` (a published PostgreSQL database), or the one a `build.py
--keep` run left for ``--residents``/``--seed`` on PostgreSQL, or one built now (and kept).
PostGraphile serves views of the published tables in a schema of their own
(``benchmarks/postgraphile/views.sql``) with queries equivalent field for field to the hub's
published operations (``benchmarks/postgraphile/operations/``); before timing, the answers of
both servers to ``--check`` samples of each operation are compared in the hub's shape, and a
difference stops the run.

Three servers run at once: PostGraphile, the hub in production mode (a steward token, the
purpose header, the audit trail written: published operations only) and the hub in
development mode (``--dev``: no token; it still writes the audit). Each is pinned to
``--server-cpus`` together with the PostgreSQL backends that serve its connections (found by
application name in ``pg_stat_activity`` and pinned with ``sched_setaffinity``, as root can;
the server's background processes, WAL writer and checkpointer, are not pinned), and the load
generator (this process) to ``--load-cpus``. Per cell (operation, clients, server): a warm-up,
then ``--duration`` seconds; every server gets the same sequence of random variables (one seed
per operation, level and run; the client is :class:`benchmarks._load.LeanConnection`
unless ``--client httpx``); ``--repeat`` rounds run interleaved (each round measures every
cell of every server before the next round starts) and the table shows medians. CPU per
request is the server's processes plus its PostgreSQL backends, from ``/proc``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # import ``benchmarks`` as a package; never shadow a library

from benchmarks import _postgraphile as pgl  # noqa: E402
from benchmarks._harness import (  # noqa: E402
    POSTGRES_URL,
    WORK,
    Banner,
    BenchmarkError,
    safe_url,
    say,
    table,
    write_json,
)
from benchmarks._load import (  # noqa: E402
    Measurement,
    Operation,
    Pools,
    Variables,
    _masked,
    find_operation,
    measure,
    read_operation,
)
from benchmarks._server import HubServer, ServerProcess, cpu_seconds_of, free_port  # noqa: E402
from benchmarks._stats import Summary  # noqa: E402
from benchmarks.graphql_load import create_token, database  # noqa: E402

OPERATIONS = ("PersonByResidentId", "GridResidents", "PersonEverything")
PORTS = range(8181, 8200)
SERVERS = ("postgraphile", "hub", "hub-dev")
LABELS = {
    "postgraphile": "PostGraphile",
    "hub": "hub production (audit on)",
    "hub-dev": "hub --dev (no token; audits)",
}


class Backends:
    """The PostgreSQL backends serving one server's connections (by application name): each
    pinned to ``cpus`` when first seen, and their CPU time.

    A backend's CPU can be read only while it lives, and pools close connections (the hub's
    overflow connections on return, for one): a thread samples every backend's CPU every
    ``interval`` seconds, and a backend that has gone counts with its last sample.
    """

    def __init__(
        self, url: str, application_name: str, cpus: set[int] | None, interval: float = 0.2
    ) -> None:
        import psycopg

        self.admin = psycopg.connect(pgl.libpq_url(url, "bench-admin"), autocommit=True)
        self.application_name = application_name
        self.cpus = cpus
        self.seen: dict[int, float] = {}  # pid -> CPU seconds when last sampled
        self.refused: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.sample()

    def sample(self) -> None:
        with self._lock:
            rows = self.admin.execute(
                "select pid from pg_stat_activity where application_name = %s",
                (self.application_name,),
            ).fetchall()
            for (pid,) in rows:
                if pid not in self.seen and self.cpus is not None:
                    try:
                        os.sched_setaffinity(pid, self.cpus)
                    except OSError:  # another user's process and we are not root
                        self.refused.add(pid)
                cpu = cpu_seconds_of(pid)
                self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))

    def cpu_seconds(self) -> float:
        """CPU of every backend seen so far (the live ones sampled now)."""
        self.sample()
        with self._lock:
            return sum(self.seen.values())

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.admin.close()


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    # SIGTERM leaves through the with-blocks, so the servers are stopped with the benchmark.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped (SIGTERM)"))
    banner = Banner("the hub against PostGraphile 5: one PostgreSQL database, one machine")
    url = database(args)  # given, kept by build.py --keep, or built now
    if not url.startswith("postgresql"):
        raise BenchmarkError(f"PostGraphile needs PostgreSQL, not {safe_url(url)}")
    say(f"database: {safe_url(url)}")
    server_cpus, load_cpus = _cpus(args.server_cpus), _cpus(args.load_cpus)
    folder = pgl.install()
    api = pgl.create_views(url)
    say(f"PostGraphile's views: schema {api} (the hub's tables are not changed)")
    rng = random.Random(args.seed)
    from hub.storage.session import make_engine

    engine = make_engine(url)
    try:
        pools = Pools.from_database(engine, rng, page_size=100)
    finally:
        engine.dispose()
    cases = _cases(args.operation or OPERATIONS, pools)
    import psycopg

    token = create_token(url, args.role)
    purpose = {"X-Hub-Purpose": args.purpose}
    headers = {
        "postgraphile": {},
        "hub": {"Authorization": f"Bearer {token}", **purpose},
        "hub-dev": dict(purpose),
    }
    run_dir = args.work / "vs-postgraphile" / uuid.uuid4().hex[:8]
    names = {s: f"bench-{s}-{run_dir.name}" for s in SERVERS}
    cpu_list = ",".join(map(str, sorted(server_cpus))) if server_cpus else None
    ports = iter(_ports(3))
    servers: dict[str, ServerProcess] = {
        "postgraphile": pgl.PostGraphileServer(
            url,
            api,
            folder=folder,
            log=run_dir / "postgraphile.log",
            application_name=names["postgraphile"],
            port=next(ports),
            cpus=cpu_list,
        ),
        **{
            key: HubServer(
                _named(url, names[key]),
                var_dir=run_dir / key,
                log=run_dir / f"{key}.log",
                development=key == "hub-dev",
                port=next(ports),
                cpus=cpu_list,
            )
            for key in ("hub", "hub-dev")
        },
    }
    if load_cpus:
        os.sched_setaffinity(0, load_cpus)
    with psycopg.connect(pgl.libpq_url(url, "bench-admin"), autocommit=True) as admin:
        settings = _settings(admin)
        say(f"PostgreSQL: {settings}")
        say(
            f"servers pinned to CPU {cpu_list or 'any'} with their PostgreSQL backends; "
            f"load generator on CPU {','.join(map(str, sorted(load_cpus))) or 'any'}"
        )
        backends = {s: Backends(url, names[s], server_cpus) for s in SERVERS}
        results: list[dict[str, Any]] = []
        with servers["postgraphile"], servers["hub"], servers["hub-dev"]:
            for key, server in servers.items():
                pid = server.process.pid if server.process else "?"
                say(f"{LABELS[key]}: pid {pid}, {server.url}")
            checked = _check(cases, servers, headers, args.check, args.seed)
            for round_ in range(args.repeat):
                for index, (name, (hub_op, pgl_op, draw)) in enumerate(cases.items()):
                    for clients in args.concurrency:
                        seed = args.seed * 1_000_003 + round_ * 1009 + index * 31 + clients
                        for key in SERVERS:
                            server = servers[key]
                            op, sample = (
                                (pgl_op, _translated(name, draw))
                                if key == "postgraphile"
                                else (hub_op, draw)
                            )
                            cpu = _cpu_of(server, backends[key])
                            client_cpu = time.process_time()
                            m = asyncio.run(
                                measure(
                                    server.url,
                                    op,
                                    sample,
                                    concurrency=clients,
                                    duration=args.duration,
                                    requests=None,
                                    warmup=args.warmup,
                                    headers=headers[key],
                                    rng=random.Random(seed),
                                    server_cpu=cpu,
                                    lean=args.client == "lean",
                                )
                            )
                            # The load generator's own CPU (warm-up included) per second of
                            # the cell: near 1.0, it, not the server, set the pace.
                            busy = (time.process_time() - client_cpu) / (m.seconds + args.warmup)
                            results.append(
                                {
                                    "server": key,
                                    "round": round_ + 1,
                                    **m.figures(),
                                    "load_generator_busy": round(busy, 3),
                                }
                            )
                            say(f"  round {round_ + 1} {LABELS[key]}: {_line(m)}")
            for b in backends.values():
                b.close()
            refused = {k: sorted(b.refused) for k, b in backends.items() if b.refused}
            pinned = {k: len(b.seen) - len(b.refused) for k, b in backends.items()}
    say("")
    say(report(results, [c for c in cases], args.concurrency))
    busiest = max(results, key=lambda r: r["load_generator_busy"])
    say(
        f"load generator: at most {busiest['load_generator_busy']:.0%} of its core busy "
        f"({LABELS[busiest['server']]}, {busiest['operation']} x{busiest['concurrency']}); "
        "near 100% it, not the server, set that cell's rate"
    )
    say("")
    say(f"PostgreSQL backends seen and pinned per server: {pinned}")
    if refused:
        say(f"backends that could not be pinned (not root?): {refused}")
    machine = banner.close()
    write_json(
        args.json,
        {
            "benchmark": "vs_postgraphile",
            **machine,
            "database": safe_url(url),
            "postgresql": settings,
            "server_cpus": cpu_list,
            "load_cpus": sorted(load_cpus),
            "duration": args.duration,
            "warmup": args.warmup,
            "repeat": args.repeat,
            "client": args.client,
            "checked": checked,
            "results": results,
        },
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="a published PostgreSQL database (SQLAlchemy URL)")
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument(
        "--operation",
        action="append",
        choices=OPERATIONS,
        help=f"repeatable; default {', '.join(OPERATIONS)}",
    )
    parser.add_argument(
        "--concurrency",
        type=lambda text: [int(c) for c in text.split(",")],
        default=[1, 8],
        help="client counts, comma-separated (default 1,8)",
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per cell")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not counted, first")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds (medians)")
    parser.add_argument("--check", type=int, default=20, help="samples compared per operation")
    parser.add_argument("--role", default="steward", help="the hub token's role (production)")
    parser.add_argument("--purpose", default="performance benchmark")
    parser.add_argument("--server-cpus", default="0", help="CPUs of the servers ('' for any)")
    parser.add_argument("--load-cpus", default="1", help="CPUs of the load generator")
    parser.add_argument(
        "--client",
        choices=["lean", "httpx"],
        default="lean",
        help="the load generator's HTTP client: lean (default; one keep-alive connection per "
        "client, ~5x less CPU per request) or httpx (tops out near 450 requests/s on one core)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.set_defaults(backend="postgresql")  # what graphql_load.database builds, if needed
    return parser


def _cpus(text: str) -> set[int]:
    if not text:
        return set()
    cpus = {int(c) for c in text.split(",")}
    missing = cpus - os.sched_getaffinity(0)
    if missing:
        raise BenchmarkError(f"CPU {sorted(missing)} is not available to this process")
    return cpus


def _ports(count: int) -> list[int]:
    """``count`` free ports of :data:`PORTS`."""
    found: list[int] = []
    for port in PORTS:
        if len(found) == count:
            break
        try:
            found.append(free_port(range(port, port + 1)))
        except BenchmarkError:
            continue
    if len(found) < count:
        raise BenchmarkError(f"fewer than {count} free ports in {PORTS.start}-{PORTS.stop - 1}")
    return found


def _named(url: str, application_name: str) -> str:
    """``url`` with the connections' application name set (to find their backends)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url).update_query_dict({"application_name": application_name})
    return parsed.render_as_string(hide_password=False)


def _settings(admin: Any) -> str:
    names = ("server_version", "fsync", "synchronous_commit", "shared_buffers", "max_connections")
    values = [f"{n} {admin.execute(f'show {n}').fetchone()[0]}" for n in names]
    return ", ".join(values)


Case = tuple[Operation, Operation, Callable[[random.Random], Variables]]


def _cases(names: Sequence[str], pools: Pools) -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for name in dict.fromkeys(names):
        hub_op = find_operation(name, [ROOT / "schema" / "operations"])
        if hub_op is None:
            raise BenchmarkError(f"no schema/operations/{name}.graphql")
        pgl_op = read_operation(name, pgl.OPERATIONS / f"{name}.graphql")
        draw, reason = pools.sampler(hub_op, {"first": "100"})
        if draw is None:
            raise BenchmarkError(f"{name}: {reason}")
        cases[name] = (hub_op, pgl_op, draw)
    return cases


def _translated(
    name: str, draw: Callable[[random.Random], Variables]
) -> Callable[[random.Random], Variables]:
    """The same draws as the hub's, as PostGraphile's operation takes them."""
    translate = pgl.VARIABLES[name]
    return lambda rng: translate(draw(rng))


def _cpu_of(server: ServerProcess, backends: Backends) -> Callable[[], float]:
    return lambda: server.cpu_seconds() + backends.cpu_seconds()


def _check(
    cases: Mapping[str, Case],
    servers: Mapping[str, ServerProcess],
    headers: Mapping[str, Mapping[str, str]],
    samples: int,
    seed: int,
) -> dict[str, int]:
    """Both servers answer ``samples`` draws of each operation the same (in the hub's shape);
    a difference stops the benchmark."""
    checked: dict[str, int] = {}
    with httpx.Client(timeout=60.0) as client:
        for name, (hub_op, pgl_op, draw) in cases.items():
            rng = random.Random(seed)
            for _ in range(samples):
                variables = draw(rng)
                hub = _post(client, servers["hub"].url, hub_op, variables, headers["hub"])
                other = _post(
                    client, servers["postgraphile"].url, pgl_op, pgl.VARIABLES[name](variables), {}
                )
                mine = pgl.comparable_hub(name, hub)
                theirs = pgl.as_hub(name, other)
                where = pgl.first_difference(mine, theirs)
                if where is not None:
                    raise BenchmarkError(
                        f"{name}: the hub and PostGraphile answer differently at {where}: "
                        f"{_masked(str(pgl.value_at(mine, where)))} against "
                        f"{_masked(str(pgl.value_at(theirs, where)))}"
                    )
            checked[name] = samples
            say(f"checked: {name} answers the same on both servers ({samples} samples)")
    return checked


def _post(
    client: httpx.Client,
    url: str,
    operation: Operation,
    variables: Variables,
    headers: Mapping[str, str],
) -> dict[str, Any]:
    body = {"query": operation.query, "variables": variables, "operationName": operation.name}
    response = client.post(url, json=body, headers=dict(headers))
    answer = response.json() if response.status_code == 200 else None
    if not isinstance(answer, dict) or answer.get("errors") or "data" not in answer:
        detail = answer.get("errors") if isinstance(answer, dict) else response.text[:300]
        raise BenchmarkError(f"{url} {operation.name}: {response.status_code} {detail}")
    data: dict[str, Any] = answer["data"]
    return data


def _line(m: Measurement) -> str:
    text = f"{m.operation} x{m.concurrency}: {m.requests} requests in {m.seconds:.1f} s"
    p99 = m.ms(99)
    if p99 is not None:
        text += f", {m.rps:,.0f}/s, p99 {p99:.1f} ms"
    figures = m.figures()
    if figures["server_cpu_ms_per_request"] is not None:
        text += f", CPU {figures['server_cpu_ms_per_request']:.2f} ms/request"
    if m.errors:
        text += f", {m.errors} errors (e.g. {m.error_sample})"
    return text


def report(
    results: Sequence[Mapping[str, Any]], operations: Sequence[str], levels: Sequence[int]
) -> str:
    """The issue's table: per operation and level, each server's median req/s, p99 and CPU per
    request, and the hub's production req/s as a share of PostGraphile's."""

    def median(server: str, name: str, clients: int, key: str) -> float | None:
        values = [
            float(r[key])
            for r in results
            if r["server"] == server
            and r["operation"] == name
            and r["concurrency"] == clients
            and r.get(key) is not None
        ]
        return Summary.of(values).median if values else None

    rows = []
    for name in operations:
        for clients in levels:
            cells = []
            for server in SERVERS:
                rps = median(server, name, clients, "rps")
                p99 = median(server, name, clients, "p99_ms")
                cpu = median(server, name, clients, "server_cpu_ms_per_request")
                errors = sum(
                    int(r["errors"])
                    for r in results
                    if r["server"] == server
                    and r["operation"] == name
                    and r["concurrency"] == clients
                )
                cell = (
                    "-" if rps is None else f"{rps:,.0f}/s, {p99 or 0:,.1f} ms, {cpu or 0:.2f} ms"
                )
                cells.append(cell + (f" ({errors} errors)" if errors else ""))
            ours, theirs = (
                median("hub", name, clients, "rps"),
                median("postgraphile", name, clients, "rps"),
            )
            ratio = f"{ours / theirs:.2f}" if ours and theirs else "-"
            rows.append([name, str(clients), *cells, ratio])
    header = [
        "operation",
        "clients",
        *[f"{LABELS[s]}: req/s, p99, CPU/request" for s in SERVERS],
        "hub / PostGraphile",
    ]
    return table(header, rows)


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as err:
        sys.exit(f"vs_postgraphile benchmark failed: {err}")
