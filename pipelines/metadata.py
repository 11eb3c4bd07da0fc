"""Our reports as Dagster metadata and check results: what the UI shows for each step.

Severity follows the expectations: a failed *blocking* expectation is ``ERROR`` (and, on a
``blocking=True`` check, stops everything downstream in the run); any other failure is ``WARN``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue

from hub.ingest.grid import GridSummary
from hub.pipeline import CheckedDelivery, PublicationOutcome, PublishedModel
from hub.quality import QualityReport

#: The check of each delivery asset: the dataset's expectation suite on every new delivery.
DELIVERY_CHECK = "delivery_expectations"
#: The check of the golden records: the publication suite on the model before it commits.
PUBLICATION_CHECK = "publication_expectations"
SAMPLE_IDS = 5


def delivery_metadata(checked: Sequence[CheckedDelivery]) -> dict[str, Any]:
    """Rows read, loaded and quarantined (by reason), in total and per delivery."""
    reasons: Counter[str] = Counter()
    issues: Counter[str] = Counter()
    for c in checked:
        if c.applied:  # a rejected file's rows were not quarantined: none of them was applied
            reasons.update(c.report.quarantined_by_reason)
            issues.update(c.report.field_issues_by_code)
    rows = [
        f"| {c.report.file} | {c.report.snapshot_date} | {c.report.status} | {c.report.rows_read} "
        f"| {c.report.rows_loaded} | {c.report.rows_quarantined} | {c.report.rows_not_applied} | "
        f"{_reasons(c.report.quarantined_by_reason) if c.applied else c.report.error} |"
        for c in checked
    ]
    table = "| file | snapshot | status | read | loaded | quarantined | not applied | why |\n"
    table += "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows)
    return {
        "new_deliveries": len(checked),
        "files": MetadataValue.json([delivery_figures(c) for c in checked]),
        "rows_read": sum(c.report.rows_read for c in checked),
        "rows_loaded": sum(c.report.rows_loaded for c in checked),
        "rows_quarantined": sum(c.report.rows_quarantined for c in checked),
        "rows_not_applied": sum(c.report.rows_not_applied for c in checked),
        "deliveries_rejected": sum(1 for c in checked if not c.applied),
        "quarantined_by_reason": MetadataValue.json(dict(sorted(reasons.items()))),
        "field_issues_by_code": MetadataValue.json(dict(sorted(issues.items()))),
        "deliveries": MetadataValue.md(table if checked else "no new deliveries"),
    }


def delivery_figures(checked: CheckedDelivery) -> dict[str, Any]:
    """One delivery's figures, as the CLI prints them: rows read = loaded + quarantined + not
    applied; for a rejected file the reason, and what its rows would have been."""
    r = checked.report
    snapshot = r.snapshot
    return {
        "file": r.file, "dataset": r.dataset, "snapshot_date": r.snapshot_date.isoformat(),
        "status": r.status.value if r.status is not None else None, "applied": checked.applied,
        "rows_read": r.rows_read, "rows_loaded": r.rows_loaded,
        "rows_quarantined": r.rows_quarantined, "rows_not_applied": r.rows_not_applied,
        "quarantined_by_reason": dict(sorted(r.quarantined_by_reason.items())),
        "field_issues_by_code": dict(sorted(r.field_issues_by_code.items())),
        "records": None if snapshot is None else {
            "new": snapshot.new, "changed": snapshot.changed,
            "unchanged": snapshot.unchanged, "ended": snapshot.ended},
        "error": r.error, "notes": list(r.notes),
    }  # fmt: skip


def delivery_check(key: AssetKey, checked: Sequence[CheckedDelivery]) -> AssetCheckResult:
    """One result for every delivery the asset loaded in this step."""
    reports = [c.quality for c in checked if c.quality is not None]
    unreadable = {c.report.file: c.report.error or "" for c in checked if c.quality is None}
    failures = [
        {"delivery": c.report.file, "delivery_id": c.delivery_id, **row}
        for c in checked if c.quality is not None for row in _failures(c.quality)
    ]  # fmt: skip
    return AssetCheckResult(
        asset_key=key,
        check_name=DELIVERY_CHECK,
        passed=not unreadable and all(r.success for r in reports),
        severity=_severity(reports),
        metadata={
            "deliveries_checked": len(reports),
            "deliveries_rejected": sum(1 for c in checked if not c.applied),
            "failed_expectations": len(failures),
            "failures": MetadataValue.json(failures),
            "unreadable_files": MetadataValue.json(unreadable),
        },
    )


def grid_metadata(summary: GridSummary) -> dict[str, Any]:
    """Grids per level, buildings assigned and the problems found."""
    return {
        "grids": MetadataValue.json(summary.grids),
        "buildings": summary.buildings,
        "grids_ended": summary.ended,
        "problems": len(summary.problems),
        "first_problems": MetadataValue.json(summary.problems[:20]),
    }


def publication_metadata(outcome: PublicationOutcome) -> dict[str, Any]:
    """Whether the build became current, and the resolution's counts."""
    counts = outcome.counts
    return {
        "published": outcome.published,
        "publication_id": outcome.publication_id,
        "resolution": outcome.kind,
        "persons": counts.get("persons", 0),
        "houses": counts.get("houses", 0),
        "counts": MetadataValue.json(counts),
    }


def publication_check(key: AssetKey, outcome: PublicationOutcome) -> AssetCheckResult:
    """The publication suite's verdict on the build, before it was committed."""
    failures = _failures(outcome.quality)
    return AssetCheckResult(
        asset_key=key,
        check_name=PUBLICATION_CHECK,
        passed=outcome.quality.success,
        severity=_severity([outcome.quality]),
        metadata={
            "published": outcome.published,
            "publication_id": outcome.publication_id,
            "failed_expectations": len(failures),
            "failures": MetadataValue.json(failures),
            "statistics": MetadataValue.json(_plain(outcome.quality.statistics)),
        },
    )


def model_metadata(model: PublishedModel, docs: str) -> dict[str, Any]:
    """The model readers see: its publication and sizes."""
    return {
        "publication_id": model.publication_id if model.publication_id is not None else -1,
        "persons": model.persons,
        "houses": model.houses,
        "tags": model.tags,
        "counts": MetadataValue.json(_plain(model.counts)),
        "data_docs": MetadataValue.path(docs),
    }


def _failures(report: QualityReport) -> list[dict[str, Any]]:
    return [
        {
            "suite": report.suite,
            "expectation": o.expectation,
            "column": o.column,
            "blocking": o.blocking,
            "unexpected_count": o.unexpected_count,
            "failing_record_ids": [str(i) for i in list(o.failing_record_ids)[:SAMPLE_IDS]],
        }
        for o in report.outcomes
        if not o.success
    ]


def _severity(reports: Sequence[QualityReport]) -> AssetCheckSeverity:
    if any(r.blocking_failed for r in reports):
        return AssetCheckSeverity.ERROR
    return AssetCheckSeverity.WARN


def _reasons(by_reason: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(by_reason.items())) or "-"


def _plain(value: Any) -> Any:
    """JSON-safe copy (statistics may hold numpy numbers or dates)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)
