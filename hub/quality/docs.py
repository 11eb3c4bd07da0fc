"""GX Data Docs (a static HTML site) for the latest quality reports.

Reports are turned back into GX validation results in an in-memory context whose only Data
Docs site is ``docs_dir``; GX renders the suite pages, one validation page per report and an
index listing them. Layout under ``docs_dir``::

    index.html
    expectations/<suite name split on ".">.html
    validations/<suite name split on ".">/<run name>/<run time>/<target>.html
    static/...          GX's images and styles
    static/vendor/...   the CDN assets GX's pages load, shipped with the hub (offline.py)

Pages link to everything by relative paths: the site works offline, from ``file://`` and from
the API's ``/quality/docs/`` mount.

GX writes the values it shows into the pages as they are: a delivered value such as
``<script>...`` in 性别 would run in a steward's browser. Every value of a result (samples of
unexpected values, observed values, exception messages) is HTML-escaped before GX sees it
(:func:`escaped`), and the site is served with a Content-Security-Policy that allows only
GX's own scripts (:mod:`hub.quality.csp`).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from expectations import SUITES
from expectations.base import gx
from expectations.sources import delivered_columns
from hub.quality.csp import write_policy
from hub.quality.offline import make_offline
from hub.quality.report import ExpectationOutcome, QualityReport
from hub.quality.validate import DOCS_SITE, ephemeral_context


def build_data_docs(reports: Iterable[QualityReport], docs_dir: Path) -> Path:
    """Render ``reports`` into ``docs_dir`` (created if needed); the index.html path.

    Pages of earlier builds stay where they are (stored ``docs_url`` values keep working);
    the index lists the reports of this build. Every page loads its scripts, styles and fonts
    from the site itself (:func:`hub.quality.offline.make_offline`).
    """
    from great_expectations.core import ExpectationSuiteValidationResult

    reports = list(reports)
    docs_dir.mkdir(parents=True, exist_ok=True)
    context = ephemeral_context(docs_dir)
    added: set[str] = set()
    for report in reports:
        if report.suite not in added:
            context.suites.add(_suite(report))
            added.add(report.suite)
        key = _key(report)
        labels = delivered_columns(report.suite)
        result = ExpectationSuiteValidationResult(
            success=report.success,
            results=[_result(o, labels) for o in report.outcomes],
            suite_name=report.suite,
            statistics=_statistics(report),
            meta={"run_id": key.run_id, "validation_time": key.run_id.run_time,
                  "batch_kwargs": {"data_asset_name": report.target}},
        )  # fmt: skip
        context.validation_results_store.set(key, result)
    context.build_data_docs(site_names=[DOCS_SITE])
    make_offline(docs_dir)
    index = docs_dir / "index.html"
    built = [index, *(validation_page(r, docs_dir) for r in reports)]
    built += [docs_dir.joinpath("expectations", *name.split(".")).with_suffix(".html")
              for name in added]  # fmt: skip
    write_policy(docs_dir, [page for page in built if page.is_file()])
    return index


def validation_page(report: QualityReport, docs_dir: Path) -> Path:
    """Where :func:`build_data_docs` puts ``report``'s validation page."""
    *parts, last = _key(report).to_tuple()
    return docs_dir.joinpath("validations", *parts, f"{last}.html")


def _suite(report: QualityReport) -> Any:
    """The suite as the report ran it: the expectations of each suite it combined."""
    names = [part["suite"] for part in report.statistics.get("suites", [])] or [report.suite]
    # A stored report may name a suite the registry has since dropped: its page goes without.
    labels = delivered_columns(report.suite)
    expectations = [
        _labelled(e, labels)
        for name in names
        if name in SUITES
        for e in SUITES[name]().expectations
    ]
    return gx.ExpectationSuite(name=report.suite, expectations=expectations)


def label(column: str, labels: Mapping[str, str]) -> str:
    """``resident_id_valid (公民身份号码)``: the batch column beside the delivered one, so a
    steward finds the column in the department's file; the column alone when named alike."""
    header = labels.get(column)
    return column if header is None else f"{column} ({header})"


def _labelled(expectation: Any, labels: Mapping[str, str]) -> Any:
    column = getattr(expectation, "column", None)
    if isinstance(column, str) and column in labels:
        return expectation.copy(update={"column": label(column, labels)})
    return expectation


def _key(report: QualityReport) -> Any:
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    started = report.statistics.get("started_at")
    run_time = dt.datetime.fromisoformat(started) if isinstance(started, str) else None
    run_id = RunIdentifier(run_name=str(report.statistics.get("run_name", report.target)),
                           run_time=run_time)  # fmt: skip
    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=report.suite),
        run_id=run_id,
        batch_identifier=report.target,
    )


def _result(outcome: ExpectationOutcome, labels: Mapping[str, str]) -> Any:
    from great_expectations.core import ExpectationValidationResult
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )
    from great_expectations.expectations.metadata_types import FailureSeverity

    kwargs = dict(outcome.kwargs)
    if isinstance(kwargs.get("column"), str):
        kwargs["column"] = label(kwargs["column"], labels)
    config = ExpectationConfiguration(
        type=outcome.expectation,
        kwargs=kwargs,
        meta={"blocking": outcome.blocking},
        severity=FailureSeverity.CRITICAL if outcome.blocking else FailureSeverity.WARNING,
    )
    error = outcome.observed_value.get("exception")
    return ExpectationValidationResult(
        success=outcome.success,
        expectation_config=config,
        result=escaped({k: v for k, v in outcome.observed_value.items() if k != "exception"}),
        exception_info={"raised_exception": error is not None,
                        "exception_message": escaped(error), "exception_traceback": None},
    )  # fmt: skip


def escaped(value: Any) -> Any:
    """``value`` with every string in it HTML-escaped (dict keys too), numbers as they are:
    what GX then writes into a page is text, never markup."""
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, dict):
        return {escaped(k): escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escaped(v) for v in value]
    return value


def _statistics(report: QualityReport) -> dict[str, Any]:
    evaluated = len(report.outcomes)
    passed = sum(o.success for o in report.outcomes)
    return {
        "evaluated_expectations": evaluated,
        "successful_expectations": passed,
        "unsuccessful_expectations": evaluated - passed,
        "success_percent": 100.0 * passed / evaluated if evaluated else None,
    }
