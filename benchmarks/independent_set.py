"""The independent evaluation set (``evalset``): how fast and how big its generation is, and
what the hub scores on it. Everything runs through the command lines, as a user would.

    python benchmarks/independent_set.py --generate-only --residents 50000
    python benchmarks/independent_set.py --residents 3000 20000 --noise 1.0 1.5 --snapshots 2

Per size and noise: ``evalset generate`` (wall time, peak memory of the process), then, unless
``--generate-only``, ``hub run`` on an SQLite database of its own, ``hub evaluate --truth``
(pairwise persons / houses / buildings) and ``evalset answers`` against ``hub serve --dev`` on
a port from 8161-8179; with ``--snapshots 2`` the same again after ``--next-snapshot``. Data
goes under ``var/evalset-bench/<residents>-<noise>``, replaced on each run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from _machine import describe  # noqa: E402

BIN = Path(sys.executable).parent


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident MiB of the process, its output; exit on failure."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = code = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        text, error = out.read(), err.read()
    if code:
        sys.exit(f"{' '.join(args[:4])} failed ({code}): {error.strip()[-500:]}")
    return seconds, usage.ru_maxrss / 1024, text


def free_port() -> int:
    for port in range(8161, 8180):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit("no free port in 8161-8179")


@contextlib.contextmanager
def dev_server(env: dict[str, str]) -> Iterator[str]:
    """``hub serve --dev`` on a free port, the database from ``env``; yields its GraphQL URL."""
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "hub"), "serve", "--dev", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            if server.poll() is not None:
                raise SystemExit(
                    f"hub serve --dev exited with {server.returncode} before answering"
                )
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.terminate()
        server.wait(timeout=30)


def answers(env: dict[str, str], truth: Path) -> str:
    with dev_server(env) as url:
        _, _, out = timed(
            [sys.executable, "-m", "evalset", "answers", "--truth", str(truth), "--url", url], env
        )
    return out


def one(
    residents: int, noise: float, seed: int, snapshots: int, generate_only: bool, base: Path
) -> None:
    folder = base / f"{residents}-{noise:g}"
    shutil.rmtree(folder, ignore_errors=True)
    landing, truth, var = folder / "landing", folder / "truth", folder / "hub"
    (var / "dagster").mkdir(parents=True)
    env = {
        **os.environ,
        "HUB_VAR_DIR": str(var),
        "HUB_DATABASE_URL": f"sqlite:///{var / 'hub.sqlite3'}",
        "HUB_LANDING_DIR": str(landing),
        "DAGSTER_HOME": str(var / "dagster"),
        "HUB_MODE": "production",
    }
    for snapshot in range(1, snapshots + 1):
        args = [
            sys.executable,
            "-m",
            "evalset",
            "generate",
            "--out",
            str(landing),
            "--truth",
            str(truth),
        ]
        args += (
            ["--residents", str(residents), "--seed", str(seed), "--noise", str(noise)]
            if snapshot == 1
            else ["--next-snapshot"]
        )
        seconds, peak, _ = timed(args, env)
        print(f"\n== {residents} residents, noise {noise:g}, snapshot {snapshot}")
        print(f"evalset generate: {seconds:.1f} s, peak {peak:.0f} MiB")
        if generate_only:
            continue
        seconds, _, out = timed([str(BIN / "hub"), "run", "--landing", str(landing)], env)
        quarantined = re.findall(r"^\s+(\S+)\s+.*quarantined (\d+)(.*)$", out, flags=re.M)
        print(
            f"hub run: {seconds:.1f} s; quarantined: "
            + ", ".join(f"{d} {n}{r}" for d, n, r in quarantined if n != "0")
        )
        _, _, out = timed([str(BIN / "hub"), "evaluate", "--truth", str(truth)], env)
        print(out.rstrip())
        print(answers(env, truth).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--residents", type=int, nargs="+", default=[3000])
    parser.add_argument("--noise", type=float, nargs="+", default=[1.0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--snapshots", type=int, choices=(1, 2), default=1)
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "evalset-bench")
    args = parser.parse_args()
    print(describe())
    for residents in args.residents:
        for noise in args.noise:
            one(residents, noise, args.seed, args.snapshots, args.generate_only, args.out)


if __name__ == "__main__":
    main()
