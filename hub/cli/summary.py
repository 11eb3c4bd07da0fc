"""What the commands that run the pipeline print: per file, per dataset, the publication, the
checks, and one line per problem for the exit status.

Every figure reconciles on its line: ``read N = loaded + quarantined + not applied``. Rows
quarantined are counted by reason; field issues (a loaded row with a field that could not be
used) are counted apart, never added to the rows. A file refused by its blocking checks
applied none of its rows, so all of them are "not applied", and what its rows would have been
is said as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.runner import RunSummary

SAMPLE_IDS = 3
#: Step keys of the run that are not a dataset's delivery step.
_PUBLISHING_STEPS = ("golden_records", "published_model")


def counts(by_key: Mapping[str, int]) -> str:
    """``a 1, b 2`` in key order."""
    return ", ".join(f"{k} {v}" for k, v in sorted(by_key.items()))


def rows_line(figures: Mapping[str, Any]) -> str:
    """``read 10 = loaded 8 + quarantined 2 (missing_name 2)``, with ``+ not applied`` when
    rows were not applied."""
    text = (f"read {figures['rows_read']} = loaded {figures['rows_loaded']} + quarantined "
            f"{figures['rows_quarantined']}")  # fmt: skip
    reasons = figures.get("quarantined_by_reason") or {}
    if reasons:
        text += f" ({counts(reasons)})"
    if figures.get("rows_not_applied"):
        text += f" + not applied {figures['rows_not_applied']}"
    issues = figures.get("field_issues_by_code") or {}
    if issues:
        text += f"; field issues (rows loaded): {counts(issues)}"
    return text


def file_line(figures: Mapping[str, Any]) -> str:
    """One delivery: what became of it and its rows."""
    where = f"{figures['dataset']:<22} {figures['file']}"
    status = str(figures.get("status") or "skipped")
    if status == "rejected":
        text = f"REJECTED {where}: read {figures['rows_read']} = not applied " \
               f"{figures['rows_not_applied']}; {_reason(figures)}"  # fmt: skip
        would = figures.get("quarantined_by_reason") or {}
        if would and figures.get("error", "").startswith("blocking"):
            text += f" (rows that would have been quarantined: {counts(would)})"
        return text
    text = f"{status:<8} {where}: {rows_line(figures)}"
    records = figures.get("records")
    if records:
        text += (f"; records new {records['new']}, changed {records['changed']}, unchanged "
                 f"{records['unchanged']}, ended {records['ended']}")  # fmt: skip
    if figures.get("rows_not_applied") and status != "rejected":
        text += " (rows not applied: older than the current snapshot)"
    return text


def dataset_line(figures: Mapping[str, Any]) -> str:
    """One dataset's new deliveries, summed."""
    if not figures.get("new_deliveries"):
        return "no new deliveries"
    rejected = figures.get("deliveries_rejected") or 0
    head = f"{figures['new_deliveries']} new"
    if rejected:
        head += f" ({rejected} REJECTED)"
    return f"{head}: {rows_line(figures)}"


def print_run(summary: RunSummary, echo: Any, *, files: bool = False) -> None:
    """The run's result, per dataset (or per file: ``hub ingest``, which does not publish),
    the publication and every check."""
    echo(f"run {summary.run_id}: {'succeeded' if summary.success else 'FAILED'}")
    if files:
        for figures in delivery_files(summary):
            echo(file_line(figures))
    else:
        for asset, figures in sorted(summary.datasets.items()):
            echo(f"  {asset:<22} {dataset_line(figures)}")
    if summary.grid:
        grids = summary.grid.get("grids") or {}
        echo(f"grid reference: {counts(grids)}; {summary.grid.get('buildings', 0)} buildings "
             "assigned")  # fmt: skip
    if not files:
        echo(publication_line(summary))
    passed = sum(c.passed for c in summary.checks)
    echo(f"quality: {len(summary.checks)} checks, {passed} passed")
    for check in summary.checks:
        if not check.passed:
            echo(f"  FAILED {check.asset} {check.check} [{check.severity}]")
            for failure in check.failures:
                echo("    " + failure_line(failure))


def publication_line(summary: RunSummary) -> str:
    """What readers see after the run."""
    built = summary.publication
    if summary.published:
        p = summary.published
        return (f"published: publication {p.get('publication_id')}: {p.get('persons')} persons, "
                f"{p.get('houses')} houses, {p.get('tags')} tags")  # fmt: skip
    if built and not built.get("published"):
        return (f"published: nothing; the build (publication {built.get('publication_id')}) "
                "failed its blocking checks and the previous model stays current")  # fmt: skip
    return "published: nothing new"


def delivery_files(summary: RunSummary) -> list[dict[str, Any]]:
    """Every new delivery of the run, by dataset and file."""
    found = [f for figures in summary.datasets.values() for f in figures.get("files") or []]
    return sorted(found, key=lambda f: (f["dataset"], f["file"]))


def problems(summary: RunSummary) -> list[str]:
    """One line per problem that makes the command exit non-zero: a rejected file, a failed
    blocking check, a failed step."""
    lines = [f"{f['dataset']}/{f['file']} rejected: {_reason(f)}"
             for f in delivery_files(summary) if f.get("status") == "rejected"]  # fmt: skip
    built = summary.publication
    if built and not built.get("published"):
        blocking = [failure_line(f) for c in summary.checks if not c.passed
                    for f in c.failures if f.get("blocking")]  # fmt: skip
        lines += [f"publication refused: {b}" for b in blocking] or ["publication refused"]
    for step, error in summary.step_errors.items():
        if "blocking asset check" in error and (lines or step in _PUBLISHING_STEPS):
            continue  # said above, file by file or expectation by expectation
        lines.append(f"step {step} failed: {error}")
    if not summary.success and not lines:
        lines.append(f"run {summary.run_id} failed (see `dagster dev` for its events)")
    return lines


def failure_line(failure: Mapping[str, Any]) -> str:
    """A failed expectation: where, which, how many, and a few record ids."""
    where = f"{failure.get('delivery', '')} ".lstrip()
    column = f"({failure['column']})" if failure.get("column") else ""
    ids = ", ".join(failure.get("failing_record_ids", [])[:SAMPLE_IDS])
    blocking = "blocking " if failure.get("blocking") else ""
    example = f" (e.g. {ids})" if ids else ""
    return (f"{where}{blocking}{failure['expectation']}{column}: "
            f"{failure.get('unexpected_count')} unexpected{example}")  # fmt: skip


def _reason(figures: Mapping[str, Any]) -> str:
    error = str(figures.get("error") or "rejected")
    prefix = f"{figures['file']}: "
    return error.removeprefix(prefix)
