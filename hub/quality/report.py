"""The hub's own account of a validation: what GX found, in plain, storable values.

GX objects never leave ``hub.quality``; everything here is JSON-friendly (``kwargs`` and
``observed_value`` are dicts of plain values) so a report can be stored in ``quality_run`` /
``quality_result`` and shown by the API without GX installed on the reading side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result on one batch."""

    expectation: str  # GX expectation type, e.g. "expect_column_values_to_be_unique"
    column: str | None
    kwargs: dict[str, Any]  # as validated, suite parameters filled in; "batch_id" names the batch
    blocking: bool
    success: bool
    observed_value: dict[str, Any]  # GX's result summary (counts, percentages, sample values)
    unexpected_count: int | None
    failing_record_ids: list[str]  # the first ids of failing rows (capped)


@dataclass(frozen=True)
class QualityReport:
    """One suite (or a named group of suites) validated against one target."""

    suite: str
    target: str  # dataset key for a delivery check, "published" for the published model
    success: bool  # every expectation passed
    blocking_failed: bool  # some blocking expectation failed: the data must not flow on
    outcomes: tuple[ExpectationOutcome, ...]
    statistics: dict[str, Any]

    @property
    def failures(self) -> tuple[ExpectationOutcome, ...]:
        """The outcomes that did not pass."""
        return tuple(o for o in self.outcomes if not o.success)

    @property
    def blocking_failures(self) -> tuple[ExpectationOutcome, ...]:
        """The failed outcomes that block."""
        return tuple(o for o in self.outcomes if o.blocking and not o.success)
