"""Running registry suites on pandas batches in an ephemeral GX context, and turning GX's
results into a :class:`QualityReport` at the boundary.

A context is made per call (never at import time) and keeps everything in memory: nothing is
written anywhere. Failing rows are reported by id, at most :data:`MAX_FAILING_IDS` per
expectation; the values of personal columns are never copied into a report.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from expectations import build_suite
from expectations.base import gx
from hub.quality.report import ExpectationOutcome, QualityReport

#: Failing record ids listed per expectation: enough for a steward to start, and small enough
#: to store per run at county scale, where an expectation may fail for thousands of rows.
MAX_FAILING_IDS = 100
#: Sample unexpected values kept per expectation (Data Docs show them).
SAMPLE_VALUES = 20
#: Columns whose values are personal data: reports keep counts and ids, not the values.
SENSITIVE_COLUMNS = frozenset({"name", "resident_id", "phone"})
DOCS_SITE = "hub"
_DROPPED = ("partial_unexpected_index_list", "unexpected_index_list", "unexpected_list",
            "unexpected_index_query", "unexpected_index_column_names")  # fmt: skip


@dataclass(frozen=True)
class Batch:
    """One frame to validate with one registry suite; ``id_column`` names its rows."""

    suite: str
    frame: pd.DataFrame
    id_column: str
    parameters: Mapping[str, Any] = field(default_factory=dict)


def ephemeral_context(docs_dir: Path | None = None) -> Any:
    """An in-memory GX context without progress bars; with ``docs_dir``, one Data Docs site
    (static HTML) written there and nowhere else."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    # GX's output here is its results, which become the report; its logger keeps to errors.
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    sites = {}
    if docs_dir is not None:
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(docs_dir.resolve())},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }  # fmt: skip
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites=sites,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def validate(
    suite: str,
    target: str,
    batches: Sequence[Batch],
    statistics: Mapping[str, Any],
) -> QualityReport:
    """Run each batch's suite; one report over all of them, named ``suite``."""
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    with _no_fingerprints():
        return _validate(suite, target, batches, statistics, started, clock)


@contextmanager
def _no_fingerprints() -> Iterator[None]:
    """Keep GX from fingerprinting each batch.

    GX hashes every value of an in-memory batch (``pandas.util.hash_pandas_object``) for a
    ``pandas_data_fingerprint`` in the batch markers, which nothing here reads; on the
    county's 900k vaccination records that was a third of the suite's time. GX skips it for
    frames over ``HASH_THRESHOLD`` bytes: the threshold is 0 while our suites run.
    """
    from great_expectations.execution_engine import pandas_execution_engine as engine

    threshold = engine.HASH_THRESHOLD
    engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = threshold


def _validate(
    suite: str,
    target: str,
    batches: Sequence[Batch],
    statistics: Mapping[str, Any],
    started: dt.datetime,
    clock: float,
) -> QualityReport:
    context = ephemeral_context()
    source = context.data_sources.add_pandas("hub")
    outcomes: list[ExpectationOutcome] = []
    parts: list[dict[str, Any]] = []
    for batch in batches:
        definition = source.add_dataframe_asset(batch.suite).add_batch_definition_whole_dataframe(
            "current"
        )
        result = definition.get_batch(batch_parameters={"dataframe": batch.frame}).validate(
            build_suite(batch.suite),
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": [batch.id_column],
                "partial_unexpected_count": MAX_FAILING_IDS,
            },
            expectation_parameters=dict(batch.parameters) or None,
        )
        document = result.to_json_dict()
        outcomes.extend(outcome(r, batch.id_column) for r in document["results"])
        parts.append({"suite": batch.suite, "rows": len(batch.frame), **document["statistics"]})
    failed = [o for o in outcomes if not o.success]
    summary = {
        "suites": parts,
        "evaluated_expectations": len(outcomes),
        "unsuccessful_expectations": len(failed),
        "blocking_failures": sum(o.blocking for o in failed),
        "started_at": started.isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        "validate_seconds": round(time.perf_counter() - clock, 3),
    }
    return QualityReport(
        suite=suite,
        target=target,
        success=not failed,
        blocking_failed=any(o.blocking for o in failed),
        outcomes=tuple(outcomes),
        statistics={**statistics, **summary},
    )


def outcome(result: Mapping[str, Any], id_column: str) -> ExpectationOutcome:
    """One GX expectation result (as a JSON dict) as our outcome."""
    config = result["expectation_config"]
    kwargs = dict(config["kwargs"])
    column = kwargs.get("column")
    summary = dict(result.get("result") or {})
    rows = summary.get("partial_unexpected_index_list") or []
    for key in _DROPPED:
        summary.pop(key, None)
    checked = {kwargs.get(k) for k in ("column", "column_A", "column_B")}
    for key in ("partial_unexpected_list", "partial_unexpected_counts"):
        if key in summary:
            sensitive = bool(checked & SENSITIVE_COLUMNS)
            summary[key] = [] if sensitive else summary[key][:SAMPLE_VALUES]
    error = _exception(result.get("exception_info"))
    if error is not None:
        summary["exception"] = error
    ids = dict.fromkeys(str(row[id_column]) for row in rows if row.get(id_column) is not None)
    return ExpectationOutcome(
        expectation=str(config["type"]),
        column=column,
        kwargs=kwargs,
        blocking=bool((config.get("meta") or {}).get("blocking", False)),
        success=bool(result["success"]) and error is None,
        observed_value=summary,
        unexpected_count=summary.get("unexpected_count"),
        failing_record_ids=list(ids)[:MAX_FAILING_IDS],
    )


def _exception(info: Any) -> str | None:
    """GX reports an expectation that raised either flat or keyed by metric."""
    if not isinstance(info, Mapping):
        return None
    if "raised_exception" in info:
        return str(info.get("exception_message")) if info["raised_exception"] else None
    messages = [str(v.get("exception_message")) for v in info.values()
                if isinstance(v, Mapping) and v.get("raised_exception")]  # fmt: skip
    return "; ".join(messages) or None
