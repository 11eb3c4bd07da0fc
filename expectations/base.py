"""The one door to Great Expectations, and the vocabulary every suite is written in.

GX 1.24 imports the standard library's deprecated ``sre_constants`` / ``sre_parse`` and so
warns once on import; the warning is about GX's code, not ours, and would break the test run
(warnings are errors there), so exactly that warning is silenced here. So is pyspark's warning
that it does not fully support pandas 3: GX imports pyspark when it is installed (the ``spark``
extra), and the hub hands GX pandas frames, never Spark ones. Every module of the hub imports
GX through this one.

Each expectation says whether failing it is *blocking* (``meta["blocking"]``, mirrored as GX
severity ``critical``; the data must not flow on) or a warning (severity ``warning``; stewards
look at the failing records), and why it exists (``notes``, shown in Data Docs).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection
from typing import Any

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"module 'sre_\w+' is deprecated", category=DeprecationWarning
    )
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    import great_expectations as gx
    import great_expectations.expectations as gxe

Expectation = gxe.Expectation
SuiteBuilder = Callable[[], gx.ExpectationSuite]


def _options(blocking: bool, why: str) -> dict[str, Any]:
    return {
        "meta": {"blocking": blocking},
        "severity": "critical" if blocking else "warning",
        "notes": why,
    }


def suite(name: str, expectations: list[Expectation]) -> gx.ExpectationSuite:
    """A named suite of ``expectations``."""
    return gx.ExpectationSuite(name=name, expectations=expectations)


def parameter(name: str) -> dict[str, str]:
    """A value the runner supplies when it validates (a GX suite parameter)."""
    return {"$PARAMETER": name}


def row_count_at_least(minimum: int, *, blocking: bool, why: str) -> Expectation:
    """The batch has at least ``minimum`` rows."""
    return gxe.ExpectTableRowCountToBeBetween(min_value=minimum, **_options(blocking, why))


def not_null(column: str, *, mostly: float = 1.0, blocking: bool, why: str) -> Expectation:
    """``column`` is filled in (in at least ``mostly`` of the rows)."""
    return gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=mostly,
                                             **_options(blocking, why))  # fmt: skip


def is_null(column: str, *, blocking: bool, why: str) -> Expectation:
    """``column`` is empty in every row (it names a problem when it is not)."""
    return gxe.ExpectColumnValuesToBeNull(column=column, **_options(blocking, why))


def unique(column: str, *, blocking: bool, why: str) -> Expectation:
    """No two rows share a value of ``column`` (empty values are not compared)."""
    return gxe.ExpectColumnValuesToBeUnique(column=column, **_options(blocking, why))


def in_set(
    column: str, values: Collection[Any], *, mostly: float = 1.0, blocking: bool, why: str
) -> Expectation:
    """Values of ``column``, when present, are in ``values`` (in at least ``mostly`` of the
    rows that have one)."""
    return gxe.ExpectColumnValuesToBeInSet(
        column=column, value_set=sorted(values, key=str), mostly=mostly,
        **_options(blocking, why),
    )  # fmt: skip


def matches(
    column: str, regex: str, *, mostly: float = 1.0, blocking: bool, why: str
) -> Expectation:
    """Values of ``column``, when present, match ``regex``."""
    return gxe.ExpectColumnValuesToMatchRegex(column=column, regex=regex, mostly=mostly,
                                              **_options(blocking, why))  # fmt: skip


def between(
    column: str, low: Any = None, high: Any = None, *, mostly: float = 1.0, blocking: bool,
    why: str,
) -> Expectation:  # fmt: skip
    """Values of ``column``, when present, lie in ``[low, high]``; a bound may be None or a
    :func:`parameter`."""
    return gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high, mostly=mostly, **_options(blocking, why)
    )


def pair_equal(column_a: str, column_b: str, *, blocking: bool, why: str) -> Expectation:
    """In every row, ``column_a`` equals ``column_b``."""
    return gxe.ExpectColumnPairValuesToBeEqual(column_A=column_a, column_B=column_b,
                                               **_options(blocking, why))  # fmt: skip
