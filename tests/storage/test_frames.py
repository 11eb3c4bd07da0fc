"""The frame helpers resolution leans on at county scale: ``isin`` must answer exactly as
pandas does (only faster), and scoped record lookups must batch by dataset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hub.storage.bulk import record_batches
from hub.storage.frames import isin

TEXT = pd.Series(["gongan:1", "gongan:2", None, "weijian:7", "gongan:1"])


@pytest.mark.parametrize(
    "values",
    [
        {"gongan:1", "weijian:7"},
        ["gongan:2", "nobody"],
        set(),
        {"gongan:1", None},
        pd.Index(["weijian:7"]),
        pd.Series(["gongan:2", "gongan:1"]),
        {"gongan:2", 3, float("nan")},
    ],
)
def test_isin_answers_as_pandas_does(values: object) -> None:
    wanted = list(values) if isinstance(values, set) else values
    expected = TEXT.isin(wanted).to_numpy()  # type: ignore[arg-type]
    assert isin(TEXT, values).tolist() == expected.tolist()  # type: ignore[arg-type]
    assert isin(pd.Index(TEXT), values).tolist() == expected.tolist()  # type: ignore[arg-type]


def test_isin_on_other_dtypes_is_pandas() -> None:
    numbers = pd.Series([1, 2, 3], dtype="UInt64")
    assert isin(numbers, {2, 3}).tolist() == [False, True, True]
    assert isin(pd.Series([], dtype=object), {"a"}).dtype == np.bool_


def test_record_batches_group_keys_by_dataset_in_order() -> None:
    keys = [("weijian", "9"), ("gongan", "2"), ("gongan", "1"), ("gongan", "2"), ("gongan", "3")]
    assert list(record_batches(keys, size=2)) == [
        ("gongan", ["1", "2"]),
        ("gongan", ["3"]),
        ("weijian", ["9"]),
    ]
