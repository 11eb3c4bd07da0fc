"""check_delivery: a dataset's suite on its current records, plus the delivery's own figures."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from hub.quality.report import ExpectationOutcome, QualityReport
from hub.quality.runner import check_delivery
from hub.sources import catalog
from hub.storage.models import DeliveryStatus
from tests.quality import factories as f


def _outcome(report: QualityReport, expectation: str, column: str | None) -> ExpectationOutcome:
    found = [o for o in report.outcomes if o.expectation == expectation and o.column == column]
    assert len(found) == 1, [(o.expectation, o.column) for o in report.outcomes]
    return found[0]


def _failed(report: QualityReport) -> set[tuple[str, str | None]]:
    return {(o.expectation, o.column) for o in report.failures}


def _population(session: Session, count: int = 20, **kwargs: object) -> int:
    item = f.delivery(session, rows=count, **kwargs)  # type: ignore[arg-type]
    for n in range(count):
        f.person_record(session, item, n)
    return item.id


def test_a_clean_delivery_passes(session: Session) -> None:
    report = check_delivery(session, _population(session))
    assert report.success, [(o.expectation, o.column, o.observed_value) for o in report.failures]
    assert not report.blocking_failed
    assert report.suite == report.target == catalog.POPULATION.key
    assert report.statistics["current_records"] == 20
    assert report.statistics["resident_id_status"] == {"valid": 20}
    suites = [part["suite"] for part in report.statistics["suites"]]
    assert suites == [catalog.POPULATION.key, "delivery"]


def test_invalid_resident_ids_fail_the_validity_rate_and_block(session: Session) -> None:
    item = f.delivery(session, rows=20)
    bad = {f.person_record(session, item, n, id_status="invalid_checksum").record_id
           for n in range(5)}  # fmt: skip
    for n in range(5, 18):
        f.person_record(session, item, n)
    for n in range(18, 20):  # empty IDs do not count against the rate
        f.person_record(session, item, n, id_status="empty")
    report = check_delivery(session, item.id)
    check = _outcome(report, "expect_column_values_to_be_in_set", "resident_id_valid")
    assert not check.success and check.blocking and report.blocking_failed
    assert set(check.failing_record_ids) == bad
    assert check.unexpected_count == 5
    assert check.observed_value["element_count"] == 20
    assert check.observed_value["missing_count"] == 2
    assert _failed(report) == {("expect_column_values_to_be_in_set", "resident_id_valid")}


def test_a_few_invalid_ids_stay_within_the_rate_but_are_listed(session: Session) -> None:
    item = f.delivery(session, rows=100)
    f.person_record(session, item, 0, id_status="excel_mangled")
    for n in range(1, 100):
        f.person_record(session, item, n)
    check = _outcome(check_delivery(session, item.id), "expect_column_values_to_be_in_set",
                     "resident_id_valid")  # fmt: skip
    assert check.success and check.failing_record_ids == ["GA0000000000"]


def test_a_sex_that_could_not_be_normalised_fails_as_a_warning(session: Session) -> None:
    item = f.delivery(session, rows=20)
    wrong = set()
    for n in range(20):
        record = f.person_record(session, item, n, sex=None if n < 3 else "男")
        if n < 3:
            f.issue(session, item, record.record_id, "invalid_sex", "M")
            wrong.add(record.record_id)
    report = check_delivery(session, item.id)
    check = _outcome(report, "expect_column_values_to_be_in_set", "sex")
    assert not check.success and not check.blocking
    assert set(check.failing_record_ids) == wrong
    assert check.observed_value["partial_unexpected_counts"] == [{"value": "M", "count": 3}]
    assert not report.success and not report.blocking_failed


def test_duplicate_current_record_ids_block_with_the_id(session: Session) -> None:
    item = f.delivery(session, rows=3)
    for n in range(3):
        f.person_record(session, item, n)
    # An old version left open next to the new one: the snapshot did not close it.
    f.person_record(session, item, 1, valid_from=f.SNAPSHOT - dt.timedelta(days=30))
    report = check_delivery(session, item.id)
    check = _outcome(report, "expect_column_values_to_be_unique", "record_id")
    assert not check.success and check.blocking and report.blocking_failed
    assert check.failing_record_ids == ["GA0000000001"]


def test_reconciliation_failure_blocks(session: Session) -> None:
    item_id = _population(session, 20, loaded=18, quarantined=1)  # one row unaccounted for
    report = check_delivery(session, item_id)
    check = _outcome(report, "expect_column_pair_values_to_be_equal", None)
    assert check.kwargs["column_A"] == "rows_read" and check.kwargs["column_B"] == "rows_accounted"
    assert not check.success and check.blocking and report.blocking_failed
    assert check.failing_record_ids == [str(item_id)]


def test_a_high_quarantine_rate_blocks(session: Session) -> None:
    item = f.delivery(session, rows=250, quarantined=50)  # 20%
    for n in range(20):
        f.person_record(session, item, n)
    report = check_delivery(session, item.id)
    check = _outcome(report, "expect_column_values_to_be_between", "quarantine_rate")
    assert not check.success and check.blocking and report.blocking_failed
    assert check.failing_record_ids == [str(item.id)]
    assert _failed(report) == {("expect_column_values_to_be_between", "quarantine_rate")}


def test_a_handful_of_bad_lines_in_a_small_file_is_not_judged(session: Session) -> None:
    item = f.delivery(session, rows=30, quarantined=10)  # a third, but only ten lines
    for n in range(20):
        f.person_record(session, item, n)
    report = check_delivery(session, item.id)
    assert report.success
    assert _outcome(report, "expect_column_values_to_be_between", "quarantine_rate").success


def test_a_rejected_delivery_warns(session: Session) -> None:
    item = f.delivery(session, rows=0, status=DeliveryStatus.REJECTED)
    report = check_delivery(session, item.id)
    assert ("expect_column_values_to_be_in_set", "status") in _failed(report)
    # and with no current records at all, the dataset's suite blocks
    assert ("expect_table_row_count_to_be_between", None) in _failed(report)
    assert report.blocking_failed


def test_bad_phones_and_birth_dates_are_listed(session: Session) -> None:
    item = f.delivery(session, rows=20)
    f.person_record(session, item, 0, birth="1899-12")
    f.person_record(session, item, 1, birth="2026-11-16")  # after the snapshot
    f.person_record(session, item, 2, birth="2026-11-15")  # the snapshot day itself is fine
    for n in range(3, 20):
        record = f.person_record(session, item, n, phone=None if n < 10 else "0595-2312")
        if n >= 10:
            f.issue(session, item, record.record_id, "invalid_phone", "0595-2312")
    report = check_delivery(session, item.id)
    births = _outcome(report, "expect_column_values_to_be_between", "birth_date")
    assert set(births.failing_record_ids) == {"GA0000000000", "GA0000000001"}
    assert not births.blocking
    phones = _outcome(report, "expect_column_values_to_be_in_set", "phone_valid")
    assert phones.unexpected_count == 10 and phones.observed_value["element_count"] == 20
    assert phones.observed_value["missing_count"] == 7  # records without a phone
    assert not report.blocking_failed


def test_unknown_vocabulary_and_missing_household_warn(session: Session) -> None:
    item = f.delivery(session, rows=20)
    f.person_record(session, item, 0, fields={"relation": "邻居"})
    f.person_record(session, item, 1, fields={"household_no": None})
    for n in range(2, 20):
        f.person_record(session, item, n)
    report = check_delivery(session, item.id)
    assert _failed(report) == {
        ("expect_column_values_to_be_in_set", "relation"),
        ("expect_column_values_to_not_be_null", "household_no"),
    }
    assert not report.blocking_failed


def test_personal_values_are_not_copied_into_the_report(session: Session) -> None:
    item = f.delivery(session, rows=2)
    f.person_record(session, item, 0, name=None)
    f.person_record(session, item, 1)
    check = _outcome(check_delivery(session, item.id), "expect_column_values_to_not_be_null",
                     "name")  # fmt: skip
    assert check.failing_record_ids == ["GA0000000000"] and check.blocking
    assert (
        "partial_unexpected_list" not in check.observed_value
        or not check.observed_value["partial_unexpected_list"]
    )


def test_an_unknown_delivery_is_a_lookup_error(session: Session) -> None:
    with pytest.raises(LookupError):
        check_delivery(session, 999_999)
