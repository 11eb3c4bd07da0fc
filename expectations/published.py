"""The suites on the published model, one per table-shaped batch.

- ``published.person``: one row per ACTIVE person: ``id``, ``name``, ``resident_id``, ``sex``,
  ``age`` (whole years on the as-of date) and ``missing_provenance`` (the golden fields that
  have a value but no provenance row, comma-separated; empty when complete).
- ``published.house``: one row per ACTIVE house: ``id``, ``grid_code``.
- ``published.tag``: one row per tag: ``tag``, ``count``, ``previous`` (the previous
  publication's count, when known) and ``change`` (relative change, empty when there is no
  previous count or the tag is too small to compare, see ``TAG_MIN_COUNT``).
"""

from __future__ import annotations

from expectations import thresholds as t
from expectations.base import between, gx, in_set, is_null, not_null, suite, unique

PERSON = "published.person"
HOUSE = "published.house"
TAG = "published.tag"
#: The name of the combined report over the three batches.
NAME = "published"
PARTS = (PERSON, HOUSE, TAG)


def persons() -> gx.ExpectationSuite:
    """Identity, names, provenance and ages of active golden persons."""
    low, high = t.AGE_RANGE
    return suite(PERSON, [
        unique("resident_id", blocking=True, why="A resident ID names one person: two active "
               "persons with one ID are a missed merge, and departments would see two people."),
        not_null("name", blocking=True, why="Every active person has a name."),
        is_null("missing_provenance", blocking=True, why="Every golden value says where it "
                "came from (record, rule, alternatives): stewards and auditors rely on it."),
        between("age", low, high, blocking=False, why="An age outside 0-120 means a wrong "
                "birth date won survivorship; stewards correct it."),
        in_set("sex", ["男", "女"], blocking=False, why="Golden sex, when known, is 男 or 女."),
    ])  # fmt: skip


def houses() -> gx.ExpectationSuite:
    """Every house lies in a responsibility grid (allowing for the reference's lag)."""
    return suite(HOUSE, [
        not_null("grid_code", mostly=1 - t.MAX_HOUSES_WITHOUT_GRID, blocking=True,
                 why="Grid workers are responsible for the houses of their grid; a house "
                 "without one is nobody's. New buildings may wait a month for the grid "
                 "centre, hence the allowance."),
    ])  # fmt: skip


def tags() -> gx.ExpectationSuite:
    """Tag counts plausible against the previous publication."""
    block, warn = t.TAG_CHANGE_BLOCK, t.TAG_CHANGE_WARN
    return suite(TAG, [
        between("change", -block, block, blocking=True, why="A tag halving or growing by "
                "half in one publication means a dataset went missing or a join broke."),
        between("change", -warn, warn, blocking=False, why="A tag moving by more than 20% "
                "deserves a steward's look before departments act on the list."),
    ])  # fmt: skip
