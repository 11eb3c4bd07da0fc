"""The suite on one delivery's own figures, run beside its dataset's suite.

The batch has one row: ``delivery_id``, ``status``, ``rows_read``, ``rows_quarantined``,
``rows_accounted`` (loaded + quarantined + not applied) and ``quarantine_rate`` (quarantined /
read; empty, so not judged, when no more than ``QUARANTINE_NOISE_ROWS`` rows were quarantined).
"""

from __future__ import annotations

from expectations import thresholds as t
from expectations.base import between, gx, in_set, pair_equal, suite
from hub.storage.ingest import DeliveryStatus

NAME = "delivery"


def delivery() -> gx.ExpectationSuite:
    """Reconciliation and quarantine rate of one delivery."""
    return suite(NAME, [
        pair_equal("rows_read", "rows_accounted", blocking=True, why="Every row read is "
                   "loaded, quarantined or (late delivery) not applied: otherwise rows were "
                   "lost silently."),
        between("quarantine_rate", 0, t.MAX_QUARANTINE_RATE, blocking=True, why="A delivery "
                "with this many unreadable rows comes from a changed export; applying it "
                "would end the unreadable records as absent."),
        in_set("status", [s.value for s in DeliveryStatus if s is not DeliveryStatus.REJECTED],
               blocking=False, why="A rejected file leaves the previous snapshot in place; "
               "the department must deliver again."),
    ])  # fmt: skip
