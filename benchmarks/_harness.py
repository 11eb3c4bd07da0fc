"""What every benchmark script shares: generated landings cached by size and seed, throwaway
databases, child processes measured by the kernel, and the machine banner.

Generated data lives under ``--work`` (default ``var/bench``):

    landing-<residents>-<seed>/       truth-<residents>-<seed>/        the first snapshot
    landing-<residents>-<seed>-next/  truth-<residents>-<seed>-next/   a copy plus the next one

A landing counts as complete once its truth folder holds ``manifest.json`` (the generator
writes it last); an incomplete one is removed and generated again.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks._machine import describe
from benchmarks._steps import RESULT_MARK

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "bench"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")
MANIFEST = "manifest.json"


class BenchmarkError(RuntimeError):
    """A benchmark could not take its figures (a child failed, data missing)."""


@dataclass(frozen=True, slots=True)
class Landing:
    """A landing folder and the truth folder the generator wrote beside it."""

    path: Path
    truth: Path

    @property
    def megabytes(self) -> float:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file()) / 1e6

    def manifest(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.truth / MANIFEST).read_text(encoding="utf-8"))
        return data

    @property
    def residents(self) -> int:
        return int(self.manifest()["options"]["residents"])


def cached_landing(work: Path, residents: int, seed: int) -> Landing:
    """The landing of ``residents`` and ``seed`` under ``work``, generated when missing."""
    landing = Landing(work / f"landing-{residents}-{seed}", work / f"truth-{residents}-{seed}")
    if (landing.truth / MANIFEST).is_file() and landing.path.is_dir():
        return landing
    for folder in (landing.path, landing.truth):
        shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    hub(
        [
            "generate",
            "--residents",
            str(residents),
            "--seed",
            str(seed),
            "--out",
            str(landing.path),
            "--truth",
            str(landing.truth),
        ]
    )
    say(f"generated {residents:,} residents (seed {seed}) in {time.perf_counter() - started:.0f} s")
    return landing


def next_landing(work: Path, first: Landing) -> Landing:
    """A copy of ``first`` with the following month's snapshot added (``--next-snapshot``).

    ``first`` is only read: the copy, under ``work``, is what the generator writes into.
    """
    name = first.path.name if first.path.name.startswith("landing-") else _key(first)
    stem = name.removeprefix("landing-")
    landing = Landing(work / f"landing-{stem}-next", work / f"truth-{stem}-next")
    if (landing.truth / MANIFEST).is_file():
        snapshots = len(landing.manifest()["snapshots"])
        if snapshots == len(first.manifest()["snapshots"]) + 1:
            return landing
    for folder in (landing.path, landing.truth):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(first.path, landing.path)
    shutil.copytree(first.truth, landing.truth)  # its manifest counts one snapshot fewer
    started = time.perf_counter()
    hub(["generate", "--next-snapshot", "--out", str(landing.path), "--truth", str(landing.truth)])
    say(f"generated the next snapshot in {time.perf_counter() - started:.0f} s")
    return landing


def given_landing(path: Path, truth: Path | None) -> Landing:
    """A landing folder named on the command line (read only), with its truth folder."""
    if not path.is_dir():
        raise BenchmarkError(f"landing folder {path} does not exist")
    truth = truth or path.parent / "truth"
    if not (truth / MANIFEST).is_file():
        raise BenchmarkError(f"{truth} holds no {MANIFEST}: pass the landing's --truth folder")
    return Landing(path, truth)


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """``--residents``, ``--seed``, ``--work``, ``--landing``, ``--truth``."""
    parser.add_argument(
        "--residents", type=int, default=10_000, help="generated residents (334400: the county)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work",
        type=Path,
        default=WORK,
        help="where landings, databases and run folders go (default var/bench)",
    )
    parser.add_argument(
        "--landing", type=Path, help="use this landing folder (read only) instead of generating one"
    )
    parser.add_argument(
        "--truth", type=Path, help="its truth folder (default: a `truth` folder beside it)"
    )


def resolve_landing(args: argparse.Namespace) -> Landing:
    if args.landing is not None:
        return given_landing(args.landing, args.truth)
    return cached_landing(args.work, args.residents, args.seed)


def _key(landing: Landing) -> str:
    options = landing.manifest()["options"]
    return f"landing-{options['residents']}-{options['seed']}"


@contextlib.contextmanager
def fresh_database(
    backend: str, work: Path, postgres_url: str = POSTGRES_URL, keep: bool = False
) -> Iterator[str]:
    """The URL of an empty database, removed afterwards unless ``keep`` (and all went well).

    SQLite: a file under ``work/db``. PostgreSQL: a schema of its own (``search_path`` in the
    URL) in the database of ``postgres_url``, dropped afterwards.
    """
    name = f"bench_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        path = work / "db" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    elif backend == "postgresql":
        base = make_url(postgres_url)
        admin = create_engine(base)
        try:
            with admin.begin() as conn:
                conn.execute(text(f'create schema "{name}"'))
        finally:
            admin.dispose()
        options = {"options": f"-csearch_path={name}"}
        url = base.update_query_dict(options).render_as_string(hide_password=False)
    else:
        raise BenchmarkError(f"unknown backend {backend!r}")
    kept = False
    try:
        yield url
        kept = keep
    finally:
        if not kept:
            drop_database(url)


def remembered_database(work: Path, backend: str, residents: int, seed: int) -> str | None:
    """The URL of the published database a ``--keep`` run left for this landing, if any."""
    pointer = _pointer(work, backend, residents, seed)
    if not pointer.is_file():
        return None
    url = str(json.loads(pointer.read_text(encoding="utf-8"))["url"])
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None
    return url


def remember_database(work: Path, backend: str, landing: Landing, url: str) -> None:
    """Point at ``url`` as this landing's published database, dropping the one before."""
    options = landing.manifest()["options"]
    pointer = _pointer(work, backend, int(options["residents"]), int(options["seed"]))
    if pointer.is_file():
        earlier = str(json.loads(pointer.read_text(encoding="utf-8"))["url"])
        if earlier != url:
            drop_database(earlier)
    pointer.write_text(
        json.dumps({"url": url, "landing": str(landing.path), "commit": _commit()}) + "\n",
        encoding="utf-8",
    )


def drop_database(url: str) -> None:
    """Remove a kept database: its SQLite files, or its PostgreSQL schema."""
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)
        return
    parsed = make_url(url)
    options = str(parsed.query.get("options", ""))
    schema = options.removeprefix("-csearch_path=")
    if not schema.startswith("bench_"):
        return  # only ever drop a schema this harness created
    admin = create_engine(parsed.difference_update_query(["options"]))
    with admin.begin() as conn:
        conn.execute(text(f'drop schema if exists "{schema}" cascade'))
    admin.dispose()


def _pointer(work: Path, backend: str, residents: int, seed: int) -> Path:
    return work / f"published-{backend}-{residents}-{seed}.json"


def safe_url(url: str) -> str:
    """A URL fit to print: no password."""
    return make_url(url).render_as_string(hide_password=True)


@dataclass(frozen=True, slots=True)
class ChildRun:
    """One child process as the kernel measured it, and the result line it printed."""

    wall: float
    cpu: float  # user + system seconds of the child and its waited-for children
    peak_mib: float  # ru_maxrss of the child (see ``result["peak_mib"]`` when it resets it)
    result: dict[str, Any] = field(default_factory=dict)
    stdout: str = ""


def run_child(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    merge_stderr: bool = False,
) -> ChildRun:
    """Run ``args``; wall time, CPU and peak RSS from ``wait4``; stderr passes through
    (or, with ``merge_stderr``, is read with stdout).

    The child's last ``BENCH-RESULT {json}`` line on stdout becomes ``result``.
    """
    environment = {**os.environ, **(env or {})}
    started = time.perf_counter()
    process = subprocess.Popen(
        list(args),
        cwd=cwd,
        env=environment,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else None,
    )
    assert process.stdout is not None
    with process.stdout:
        stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = "\n".join(stdout.splitlines()[-20:])
        raise BenchmarkError(f"{' '.join(args[:4])} ... exited {process.returncode}\n{tail}")
    result: dict[str, Any] = {}
    for line in stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result = json.loads(line.removeprefix(RESULT_MARK))
    return ChildRun(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, result, stdout)


def step(
    name: str, url: str, docs: Path, *, landing: Path | None = None, full: bool = False
) -> ChildRun:
    """One pipeline step (see :mod:`benchmarks._steps`) in a child process of its own."""
    args = [sys.executable, "-m", "benchmarks._steps", name, "--url", url, "--docs", str(docs)]
    if landing is not None:
        args += ["--landing", str(landing)]
    if full:
        args.append("--full")
    return run_child(args)


def hub(args: Sequence[str], *, env: Mapping[str, str] | None = None, root: Path = ROOT) -> str:
    """Run a ``hub`` command with this interpreter and the ``hub`` package in ``root`` (this
    checkout unless told otherwise), failing loudly; its stdout."""
    result = subprocess.run(
        [sys.executable, "-m", "hub.cli", *args],
        cwd=root,
        text=True,
        stdout=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    if result.returncode != 0:
        raise BenchmarkError(f"hub {' '.join(args[:2])} exited {result.returncode}")
    return result.stdout


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


class Banner:
    """The machine line and the load average, at start and at the end of a benchmark."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.start_load = load_average()
        self.started = time.time()
        say(f"{title}")
        say(f"machine: {describe()}")
        say(
            f"load average at start: {self.start_load} (1/5/15 min; the machine is shared, "
            f"other jobs' load is in these figures)"
        )

    def close(self) -> dict[str, Any]:
        end = load_average()
        say(f"load average at end: {end}; {time.time() - self.started:.0f} s in all")
        return {
            "machine": describe(),
            "load_start": self.start_load,
            "load_end": end,
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "commit": _commit(),
        }


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            text=True,
            capture_output=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "hub", "schema", "pipelines"],
            cwd=ROOT,
            text=True,
            capture_output=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out + (" (modified)" if dirty else "")


def say(line: str) -> None:
    print(line, flush=True)


def write_json(path: Path | None, payload: Mapping[str, Any]) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"figures written to {path}")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table, first column left-aligned and the rest right-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
