"""End to end on generated deliveries: nothing lost, every bad row quarantined for the right
reason, no good row quarantined, counts reconcile, a second load changes nothing."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from hub.generate import GenerateOptions, generate
from hub.ingest.service import IngestReport, ingest_landing
from hub.storage.models import Delivery, DeliveryStatus, FieldIssue, QuarantinedRow, metadata

pytestmark = pytest.mark.slow

RESIDENTS = 1500


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("generated")
    landing, truth = base / "landing", base / "truth"
    generate(GenerateOptions(residents=RESIDENTS, seed=7, out=landing, truth=truth))
    return landing, truth


def _read_truth(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _ingest(engine: Engine, landing: Path) -> IngestReport:
    return ingest_landing(sessionmaker(engine, expire_on_commit=False), landing)


def _fingerprint(engine: Engine) -> dict[str, str]:
    """A hash of every table's rows, in a stable order."""
    prints: dict[str, str] = {}
    with engine.connect() as conn:
        for name, table in metadata.tables.items():
            order = ", ".join(c.name for c in table.primary_key.columns)
            rows = conn.execute(text(f"select * from {name} order by {order}")).all()
            prints[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints


def test_generated_landing_loads_with_every_bad_row_quarantined(
    engine: Engine, generated: tuple[Path, Path]
) -> None:
    landing, truth = generated
    report = _ingest(engine, landing)
    assert report.new and all(d.status is DeliveryStatus.LOADED for d in report.new)
    assert all(d.reconciles for d in report.new)
    assert not report.ignored

    expected = {
        (row["dataset"], row["file"], int(row["line"])): row["reason"]
        for row in _read_truth(truth / "bad_rows.csv")
    }
    assert expected, "the generator wrote no bad rows"
    with Session(engine) as s:
        found = {
            (q.dataset, q.file_name, q.line): q.reason for q in s.scalars(select(QuarantinedRow))
        }
        deliveries = s.scalars(select(Delivery)).all()
        assert all(d.reconciles for d in deliveries)
        flagged = {(i.dataset, i.record_id, i.code) for i in s.scalars(select(FieldIssue))}
    missing = {k: v for k, v in expected.items() if found.get(k) != v}
    unexpected = {k: v for k, v in found.items() if k not in expected}
    assert missing == {}, f"bad rows not quarantined as expected: {list(missing.items())[:10]}"
    assert unexpected == {}, f"good rows quarantined: {list(unexpected.items())[:10]}"

    damaged = _read_truth(truth / "field_issues.csv")
    by_code = Counter(row["code"] for row in damaged)
    not_flagged = [
        row for row in damaged if (row["dataset"], row["record_id"], row["code"]) not in flagged
    ]
    assert not not_flagged, f"{len(not_flagged)} of {by_code} damaged fields not flagged: " + str(
        not_flagged[:5]
    )


def test_loading_the_generated_landing_twice_changes_nothing(
    engine: Engine, generated: tuple[Path, Path]
) -> None:
    landing, _ = generated
    _ingest(engine, landing)
    before = _fingerprint(engine)
    again = _ingest(engine, landing)
    assert again.new == []
    assert _fingerprint(engine) == before


def test_next_snapshot_ends_and_adds_records(
    engine: Engine, generated: tuple[Path, Path], tmp_path: Path
) -> None:
    landing, truth = generated
    # Work on a copy: the module's landing folder stays at its first snapshot.
    import shutil

    copy_landing, copy_truth = tmp_path / "landing", tmp_path / "truth"
    shutil.copytree(landing, copy_landing)
    shutil.copytree(truth, copy_truth)
    _ingest(engine, copy_landing)
    generate(GenerateOptions(residents=RESIDENTS, seed=7, out=copy_landing, truth=copy_truth,
                             next_snapshot=True))  # fmt: skip
    report = _ingest(engine, copy_landing)
    applied = [d for d in report.new if d.snapshot is not None]
    assert applied and all(d.reconciles for d in report.new)
    population = next(d for d in applied if d.dataset == "gongan.population")
    assert population.snapshot is not None
    assert population.snapshot.changed > 0 and population.snapshot.new > 0
    with Session(engine) as s:
        current = s.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.dataset == "gongan.population")
        )
    assert current == 2
