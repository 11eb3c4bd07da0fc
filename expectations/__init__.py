"""The Great Expectations suites of the hub, built in code.

:data:`SUITES` maps each suite's name to the function that builds it: one suite per source
dataset (named by its catalog key, e.g. ``gongan.population``) on the dataset's current
records, ``delivery`` on one delivery's own figures, and ``published.person`` /
``published.house`` / ``published.tag`` on the published model. The batch each suite expects
is described in its module; ``hub.quality`` builds the batches, runs the suites and turns the
results into its own report. Thresholds live in :mod:`expectations.thresholds`.
"""

from __future__ import annotations

from expectations import delivery, published, sources
from expectations.base import SuiteBuilder, gx

SUITES: dict[str, SuiteBuilder] = {
    **sources.BUILDERS,
    delivery.NAME: delivery.delivery,
    published.PERSON: published.persons,
    published.HOUSE: published.houses,
    published.TAG: published.tags,
}


def build_suite(name: str) -> gx.ExpectationSuite:
    """A fresh suite by its registry name; KeyError for an unknown name."""
    return SUITES[name]()


__all__ = ["SUITES", "build_suite"]
