"""store_report writes what reads back; Data Docs render the reports; previous tag counts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.quality.runner import (
    build_data_docs,
    check_delivery,
    check_publication,
    previous_tag_counts,
    store_report,
    validation_page,
)
from hub.resolution.tags import Tag
from hub.storage.models import Publication, PublicationStatus, QualityResult, QualityRun
from tests.quality import factories as f


def _failing_delivery(session: Session) -> int:
    item = f.delivery(session, rows=10)
    for n in range(10):
        f.person_record(session, item, n, id_status="invalid_checksum" if n < 4 else "valid")
    return item.id


def test_a_stored_report_reads_back(session: Session) -> None:
    delivery_id = _failing_delivery(session)
    report = check_delivery(session, delivery_id)
    run = store_report(session, report, delivery_id=delivery_id, docs_url="validations/x.html")
    session.expire_all()
    stored = session.scalars(select(QualityRun).where(QualityRun.id == run.id)).one()
    assert (stored.suite, stored.target, stored.delivery_id) == (
        "gongan.population", "gongan.population", delivery_id)  # fmt: skip
    assert stored.success is False and stored.blocking_failed is True
    assert stored.docs_url == "validations/x.html"
    assert stored.finished_at is not None and stored.finished_at >= stored.started_at
    assert stored.statistics["current_records"] == 10
    results = session.scalars(
        select(QualityResult).where(QualityResult.run_id == run.id).order_by(QualityResult.id)
    ).all()
    assert len(results) == len(report.outcomes)
    failed = [r for r in results if not r.success]
    assert [(r.column, r.blocking, r.unexpected_count) for r in failed] == [
        ("resident_id_valid", True, 4)
    ]
    assert sorted(failed[0].failing_record_ids) == [f"GA{n:010d}" for n in range(4)]
    assert failed[0].kwargs["mostly"] == 0.98


def test_previous_tag_counts_come_from_the_last_published_check(session: Session) -> None:
    assert previous_tag_counts(session) is None
    f.grid(session)
    f.tag(session, [f.person(session, n).id for n in range(3)], Tag.ELDERLY.value)
    published = Publication(status=PublicationStatus.SUPERSEDED, counts={})
    failed = Publication(status=PublicationStatus.FAILED, counts={})
    session.add_all([published, failed])
    session.flush()
    store_report(session, check_publication(session), publication_id=published.id)
    f.tag(session, [f.person(session, n).id for n in range(3, 5)], Tag.ELDERLY.value)
    store_report(session, check_publication(session), publication_id=failed.id)
    counts = previous_tag_counts(session)
    assert counts is not None and counts["elderly"] == 3  # the failed build is not a baseline


def test_data_docs_show_each_report(session: Session, tmp_path: Path) -> None:
    delivery = check_delivery(session, _failing_delivery(session))
    f.grid(session)
    f.person(session, 1)
    publication = check_publication(session)
    docs = tmp_path / "quality" / "docs"
    index = build_data_docs([delivery, publication], docs)
    assert index == docs / "index.html"
    text = index.read_text(encoding="utf-8")
    assert "gongan.population" in text and "published" in text
    page = validation_page(delivery, docs)
    assert page.is_file() and page.is_relative_to(docs / "validations")
    html = page.read_text(encoding="utf-8")
    assert "resident_id_valid" in html and "Failed" in html
    assert validation_page(publication, docs).is_file()
    assert (docs / "expectations" / "published.html").is_file()
    # GX wrote nothing outside the docs folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quality"]
