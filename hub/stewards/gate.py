"""Would the next publication pass? A steward action is accepted only if it would.

Every steward action takes effect at once: its records are resolved again in the caller's
transaction, and the model it leaves is what the next pipeline run starts from. An action that
left the model failing a blocking expectation of the publication suite (two active persons
with one resident ID, a person without a name...) would make *every* later run refuse to
publish until someone undid it. So before the caller commits, :func:`check_next_publication`
runs the same publication suite the pipeline's gate runs, on the model the action left, and
refuses the action (:class:`~hub.stewards.actions.ActionRefused`, nothing stored) with the
expectations it would fail.

:func:`shared_resident_ids` says the commonest cause first and in words: records being kept
apart that carry one resident ID. A split, a detach or a "not the same" ruling that would do
that is refused before anything is resolved; the steward moves those records together, or has
the wrong ID corrected first (a release, or the department's next delivery). The hub refuses
rather than widening the steward's action on its own: what the records are is the steward's
ruling to make.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.quality import QualityReport
from hub.storage.bulk import record_batches, split_uid
from hub.storage.models import SourceRecord

SAMPLE_IDS = 3


class WouldBreakPublication(ValueError):
    """The model after the action fails a blocking expectation; the message names them."""

    def __init__(self, report: QualityReport) -> None:
        failures = [
            f"{o.expectation}({o.column})" if o.column else o.expectation
            for o in report.blocking_failures
        ]
        examples = sorted({str(i) for o in report.blocking_failures
                           for i in list(o.failing_record_ids)[:SAMPLE_IDS]})  # fmt: skip
        example = f" (e.g. {', '.join(examples[:SAMPLE_IDS])})" if examples else ""
        super().__init__(
            "the next publication would fail its blocking checks: "
            f"{', '.join(failures)}{example}; nothing was stored"
        )
        self.report = report


def check_next_publication(session: Session) -> QualityReport:
    """The publication suite on the model in the caller's transaction; raises
    :class:`WouldBreakPublication` when a blocking expectation fails."""
    from hub.quality.runner import check_publication, previous_tag_counts

    report = check_publication(session, previous_counts=previous_tag_counts(session))
    if report.blocking_failed:
        raise WouldBreakPublication(report)
    return report


def resident_ids(session: Session, uids: Iterable[str]) -> dict[str, str]:
    """The resident ID of each record's current version (records that carry one)."""
    found: dict[str, str] = {}
    keys = (split_uid(u) for u in uids if ":" in u)
    for dataset, ids in record_batches(keys):
        rows = session.execute(
            select(SourceRecord.record_id, SourceRecord.resident_id).where(
                SourceRecord.dataset == dataset,
                SourceRecord.record_id.in_(ids),
                SourceRecord.valid_to.is_(None),
                SourceRecord.resident_id.is_not(None),
            )
        )
        found.update({f"{dataset}:{r}": str(rid) for r, rid in rows if rid})
    return found


def shared_resident_ids(
    session: Session, left: Collection[str], right: Collection[str]
) -> tuple[list[str], list[str]]:
    """The records of ``left`` and of ``right`` that carry a resident ID the other side's
    records carry too (kept apart, they would be two persons with one ID); empty lists when
    none do. Record references only: the IDs themselves are personal values."""
    ids = resident_ids(session, [*left, *right])
    on_left = {ids[u] for u in left if u in ids}
    on_right = {ids[u] for u in right if u in ids}
    both = on_left & on_right
    return (sorted(u for u in left if ids.get(u) in both),
            sorted(u for u in right if ids.get(u) in both))  # fmt: skip
