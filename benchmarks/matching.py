"""Person-matching benchmark: Splink's scoring on DuckDB and on Spark (local mode) over the same
generated county, with the wall time of each, and whether both give the same persons.

    python benchmarks/matching.py --residents 2000 --residents 10000 --residents 50000

Needs the ``spark`` extra and Java 17 for the Spark half (``--engine duckdb`` alone without).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from _machine import describe, peak_rss_mib  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--residents", type=int, action="append")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "matching")
    parser.add_argument("--engine", action="append", choices=["duckdb", "spark"])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--shuffle-partitions", type=int, default=4)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)
    logging.getLogger("splink").setLevel(logging.ERROR)
    print(f"machine: {describe()}")
    engines = args.engine or ["duckdb", "spark"]
    for residents in args.residents or [2000]:
        measure(residents, args, engines)
    print(f"peak RSS of this process (the JVM is a child): {peak_rss_mib():.0f} MiB")


def measure(residents: int, args: argparse.Namespace, engines: list[str]) -> None:
    from hub.resolution.backends import MatchBackend, MatchEngine, SparkOptions, spark_session
    from hub.resolution.persons import Constraints, cluster, load_model, score_pairs
    from hub.resolution.records import load_person_records_for_linkage
    from hub.storage.session import make_engine, session_factory

    url = county(residents, args.seed, args.work)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        records = load_person_records_for_linkage(session)
    engine.dispose()
    model = load_model()
    persons = {}
    for name in engines:
        options = SparkOptions(master=args.master, shuffle_partitions=args.shuffle_partitions,
                               checkpoint_dir=args.work / "spark")  # fmt: skip
        backend = MatchBackend(MatchEngine(name), options)
        started = ""
        if name == "spark":
            clock = time.perf_counter()
            spark_session(options)
            started = f", session start {time.perf_counter() - clock:.1f} s"
        clock = time.perf_counter()
        pairs = score_pairs(records, model, backend=backend)
        seconds = time.perf_counter() - clock
        links = cluster(records, pairs, Constraints(), model)
        persons[name] = (links.cluster_of, pairs)
        found = len(set(links.cluster_of.values()))
        print(f"{residents} residents, {len(records)} records: {name} scored {len(pairs)} pairs "
              f"in {seconds:.1f} s{started}; {found} persons")  # fmt: skip
    if len(persons) == 2:
        (duck, duck_pairs), (spark, spark_pairs) = persons["duckdb"], persons["spark"]
        both = duck_pairs.merge(spark_pairs, on=["uid_l", "uid_r"], suffixes=("_d", "_s"))
        gap = (both["match_probability_d"] - both["match_probability_s"]).abs().max()
        same_pairs = len(both) == len(duck_pairs) == len(spark_pairs)
        print(f"  same persons: {duck == spark}; same pairs: {same_pairs}; "
              f"largest probability difference {gap:.3g}")  # fmt: skip


def county(residents: int, seed: int, work: Path) -> str:
    """A generated, ingested county under ``work`` (made once, then reused)."""
    from hub.generate import GenerateOptions, generate
    from hub.ingest.service import ingest_landing
    from hub.storage import migrate
    from hub.storage.session import make_engine, session_factory

    base = work / f"county-{residents}-{seed}"
    url = f"sqlite:///{base / 'hub.sqlite3'}"
    if not (base / "hub.sqlite3").exists():
        base.mkdir(parents=True, exist_ok=True)
        generate(GenerateOptions(residents=residents, seed=seed, out=base / "landing",
                                 truth=base / "truth"))  # fmt: skip
        migrate.upgrade(url)
        engine = make_engine(url)
        ingest_landing(session_factory(engine), base / "landing")
        engine.dispose()
    return url


if __name__ == "__main__":
    main()
