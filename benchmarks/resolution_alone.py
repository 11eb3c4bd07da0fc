"""Resolution and publication alone, on a copy of an ingested database: seconds per stage,
peak memory, and optionally a digest of what was published (to compare two branches).

    python benchmarks/resolution_alone.py SOURCE.sqlite3 --fresh [--steps] [--digest FILE]

The source (e.g. the database ``build.py --keep`` left) is copied to ``--work`` and never
written. ``--fresh`` empties the published tables of the copy first, so the run is a first
publication (every person, link, provenance row and change event created); without it the
run is a full rerun on top of what the source published. The run is
``hub.resolution.run.resolve(session, full=True)`` (``--incremental``: ``full=False``) in one
transaction, then the commit.
``--steps`` also prints each publishing step's seconds and memory (timers wrapped around the
hub's functions, in this process only). Peaks are the process's ``VmHWM`` and, per stage,
the highest ``VmRSS`` sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

#: Tables a publication writes, emptied by ``--fresh`` (children before parents).
PUBLISHED = (
    "change_event", "provenance", "person_tag", "record_link", "entity_redirect", "benefit",
    "vaccination", "health_group", "party_membership", "match_pair", "person", "house",
    "resolution_run",
)  # fmt: skip
#: Columns a digest leaves out: ids, timestamps and run numbers differ between any two runs.
BOOKKEEPING = {"id", "seq", "at", "created_at", "updated_at", "linked_at", "run_id",
               "publication_id"}  # fmt: skip


def _status(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) // 1024
    return 0


class _Sampler:
    """The highest resident set size since the last :meth:`take` (a stage) and since the
    last :meth:`take_step` (a publishing step), sampled in a thread."""

    def __init__(self) -> None:
        self.peak = self.step_peak = 0
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = _status("VmRSS")
            self.peak, self.step_peak = max(self.peak, rss), max(self.step_peak, rss)
            time.sleep(0.05)

    def take(self) -> int:
        peak, self.peak = max(self.peak, _status("VmRSS")), 0
        return peak

    def take_step(self) -> int:
        peak, self.step_peak = max(self.step_peak, _status("VmRSS")), 0
        return peak

    def stop(self) -> None:
        self._stop.set()


def empty_published(engine: Engine, *, vacuum: bool) -> None:
    with engine.begin() as conn:
        conn.execute(text("update publication set status = 'superseded' "
                          "where status = 'current'"))  # fmt: skip
        for table in PUBLISHED:
            conn.execute(text(f"delete from {table}"))
    if vacuum:
        with engine.connect() as conn:
            conn.execute(text("vacuum"))


def _wrap_steps(sampler: _Sampler) -> None:
    from hub.resolution import changes, publish
    from hub.resolution import run as run_module

    def wrap(owner: Any, name: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            before, started = _status("VmRSS"), time.perf_counter()
            sampler.take_step()
            result = original(*args, **kwargs)
            print(f"  {name:32s} {time.perf_counter() - started:7.2f} s  "
                  f"rss {before} -> {_status('VmRSS')}, peak {sampler.take_step()} MiB",
                  flush=True)  # fmt: skip
            return result

        setattr(owner, name, timed)

    for name in ("load_address_parts", "link_houses", "load_person_records_for_linkage",
                 "identity_profiles", "score_profiles", "cluster_profiles", "assign_ids",
                 "load_facts", "build_persons", "replace_fact_tables"):  # fmt: skip
        wrap(run_module, name)
    for name in ("sync_entities", "sync_links", "replace_provenance", "sync_tags",
                 "store_pairs"):  # fmt: skip
        wrap(publish, name)
    wrap(changes.ChangeLog, "write")


def digest(engine: Engine) -> str:
    """Per published table: rows and a hash of them (bookkeeping left out), and the same for
    the latest publication's change events, decoded and as the JSON text stored."""
    from hub.storage import models as m

    def line(name: str, rows: list[str]) -> str:
        return f"{name} {len(rows)} {hashlib.sha256(chr(10).join(rows).encode()).hexdigest()}"

    lines = []
    with Session(engine) as s:
        for model in (m.Person, m.House, m.PersonTag, m.Provenance, m.RecordLink,
                      m.EntityRedirect, m.Benefit, m.Vaccination, m.HealthGroup,
                      m.PartyMembership, m.MatchPair):  # fmt: skip
            table: Any = model.__table__
            columns = [c for c in table.columns if c.name not in BOOKKEEPING]
            lines.append(line(table.name, sorted(map(repr, s.execute(select(*columns))))))
        latest = s.scalar(select(func.max(m.ChangeEvent.publication_id)))
        events = s.execute(
            select(m.ChangeEvent.entity_kind, m.ChangeEvent.entity_id, m.ChangeEvent.kind,
                   m.ChangeEvent.entity_version, m.ChangeEvent.changes, m.ChangeEvent.provenance,
                   m.ChangeEvent.actor)
            .where(m.ChangeEvent.publication_id == latest).order_by(m.ChangeEvent.seq)
        )  # fmt: skip
        lines.append(line("change_event", [repr(tuple(e)) for e in events]))
        query = (
            "select changes, provenance from change_event where publication_id = :p order by seq"
        )
        stored = s.execute(text(query), {"p": latest})
        lines.append(line("change_event.text", [repr(tuple(r)) for r in stored]))
        stored = s.execute(text("select entity_id, field, alternatives from provenance "
                                "order by entity_id, field"))  # fmt: skip
        lines.append(line("provenance.text", [repr(tuple(r)) for r in stored]))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="SQLite database to copy (never written)")
    parser.add_argument("--work", default="var/resolution-alone.sqlite3", help="the copy")
    parser.add_argument("--fresh", action="store_true", help="empty the published tables")
    parser.add_argument("--no-vacuum", action="store_true", help="with --fresh: no VACUUM")
    parser.add_argument("--steps", action="store_true", help="time each publishing step")
    parser.add_argument("--incremental", action="store_true",
                        help="resolve incrementally where the source allows")  # fmt: skip
    parser.add_argument("--digest", help="write a digest of the published tables here")
    args = parser.parse_args()
    from hub.resolution import run as run_module
    from hub.storage.session import make_engine, session_factory

    work = Path(args.work)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copy(args.source, work)
    engine = make_engine(f"sqlite:///{work}")
    if args.fresh:
        empty_published(engine, vacuum=not args.no_vacuum)
    sampler = _Sampler()
    if args.steps:
        _wrap_steps(sampler)
    stage_peaks: dict[str, int] = {}
    lap = run_module._Clock.lap

    def lap_with_peak(clock: Any, report: Any, stage: str) -> None:
        lap(clock, report, stage)
        stage_peaks[stage] = sampler.take()

    run_module._Clock.lap = lap_with_peak  # type: ignore[method-assign,assignment]
    baseline, started = _status("VmRSS"), time.perf_counter()
    with session_factory(engine)() as session, session.begin():
        report = run_module.resolve(session, full=not args.incremental)
        resolved = time.perf_counter()
    total = time.perf_counter() - started
    sampler.stop()
    print("RESULT", json.dumps({
        "seconds": report.seconds, "commit": round(total - (resolved - started), 2),
        "total": round(total, 2), "baseline_mib": baseline, "stage_peak_mib": stage_peaks,
        "peak_mib": _status("VmHWM"),
        "kind": report.kind,
        "counts": {k: report.counts[k] for k in ("records", "persons", "changes", "houses")},
    }))  # fmt: skip
    if args.digest:
        Path(args.digest).write_text(digest(engine))
    engine.dispose()


if __name__ == "__main__":
    main()
