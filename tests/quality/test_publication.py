"""check_publication: the published-model suites, read inside the caller's transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from hub.quality.report import ExpectationOutcome, QualityReport
from hub.quality.runner import check_publication
from hub.resolution.tags import Tag
from hub.storage.models import EntityStatus
from tests.quality import factories as f

ID_A = "11010519491231002X"
ID_B = "350526198001184069"


def _outcome(
    report: QualityReport, column: str, blocking: bool | None = None
) -> ExpectationOutcome:
    found = [o for o in report.outcomes if o.column == column
             and (blocking is None or o.blocking == blocking)]  # fmt: skip
    assert len(found) == 1, [(o.expectation, o.column) for o in report.outcomes]
    return found[0]


def _world(session: Session, persons: int = 3, houses: int = 3) -> None:
    """A small clean published model (nothing committed: the session's transaction)."""
    f.grid(session)
    for n in range(houses):
        f.house(session, n)
    for n in range(persons):
        f.person(session, n)


def test_a_clean_publication_passes(session: Session) -> None:
    _world(session)
    f.person(session, 10, resident_id=ID_A)
    report = check_publication(session)
    assert report.success, [(o.expectation, o.column, o.observed_value) for o in report.failures]
    assert report.suite == report.target == "published"
    assert report.statistics["active_persons"] == 4
    assert report.statistics["active_houses"] == 3
    assert set(report.statistics["tag_counts"]) == {t.value for t in Tag}


def test_two_active_persons_with_one_resident_id_block(session: Session) -> None:
    _world(session)
    first = f.person(session, 10, resident_id=ID_A)
    second = f.person(session, 11, resident_id=ID_A)
    f.person(session, 12, resident_id=ID_B)
    f.person(session, 13, resident_id=ID_B, status=EntityStatus.ENDED)  # ended: not compared
    report = check_publication(session)
    check = _outcome(report, "resident_id")
    assert not check.success and check.blocking and report.blocking_failed
    assert set(check.failing_record_ids) == {first.id, second.id}
    assert check.observed_value["partial_unexpected_list"] == []  # IDs are not copied out
    assert [o.column for o in report.failures] == ["resident_id"]


def test_a_person_without_name_provenance_blocks(session: Session) -> None:
    _world(session)
    lacking = f.person(session, 10, provenance=False)
    f.person(session, 11, provenance=False, status=EntityStatus.MERGED)  # not active: ignored
    report = check_publication(session)
    check = _outcome(report, "missing_provenance")
    assert not check.success and check.blocking and report.blocking_failed
    assert check.failing_record_ids == [lacking.id]
    missing = check.observed_value["partial_unexpected_list"][0].split(",")
    assert "name" in missing and "birth_date" in missing and "resident_id" not in missing


def test_a_person_without_a_name_blocks(session: Session) -> None:
    _world(session)
    nameless = f.person(session, 10, name=None)
    report = check_publication(session)
    check = _outcome(report, "name")
    assert not check.success and check.blocking
    assert check.failing_record_ids == [nameless.id]


def test_implausible_ages_warn(session: Session) -> None:
    _world(session)
    old = f.person(session, 10, birth_date=dt.date(1880, 5, 1))
    report = check_publication(session)
    check = _outcome(report, "age")
    assert not check.success and not check.blocking and not report.blocking_failed
    assert check.failing_record_ids == [old.id]


def test_houses_without_grid_block_above_the_allowance(session: Session) -> None:
    f.grid(session)
    for n in range(100):
        f.house(session, n, grid_code=None if n < 2 else f.GRID)
    assert check_publication(session).success  # 2% may lag
    f.house(session, 100, grid_code=None)
    report = check_publication(session)
    check = _outcome(report, "grid_code")
    assert not check.success and check.blocking and report.blocking_failed
    assert len(check.failing_record_ids) == 3 and report.statistics["houses_without_grid"] == 3


def test_tag_counts_are_compared_with_the_previous_publication(session: Session) -> None:
    _world(session, persons=0)
    ids = [f.person(session, n).id for n in range(75)]
    f.tag(session, ids, Tag.PARTY_MEMBER.value)
    f.tag(session, ids[:10], Tag.ELDERLY.value)

    steady = check_publication(session, previous_counts={"party_member": 70, "elderly": 40})
    assert steady.success  # elderly is too small a tag to compare

    moved = check_publication(session, previous_counts={"party_member": 100})
    warn = _outcome(moved, "change", blocking=False)
    assert not warn.success and warn.failing_record_ids == ["party_member"]
    assert _outcome(moved, "change", blocking=True).success and not moved.blocking_failed

    halved = check_publication(session, previous_counts={"party_member": 160})
    block = _outcome(halved, "change", blocking=True)
    assert not block.success and halved.blocking_failed
    assert block.failing_record_ids == ["party_member"]


def test_without_previous_counts_tags_are_recorded_not_compared(session: Session) -> None:
    _world(session, persons=0)
    f.tag(session, [f.person(session, n).id for n in range(60)], Tag.FLOATING.value)
    report = check_publication(session)
    assert report.success
    assert report.statistics["tag_counts"]["floating"] == 60
    assert report.statistics["previous_tag_counts"] is None
