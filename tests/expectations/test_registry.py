"""The suite registry: one suite per dataset, every expectation says whether it blocks, and
each suite asks only for columns its batch has."""

from __future__ import annotations

import pytest

from expectations import SUITES, build_suite, published
from expectations.sources import SPECS
from hub.sources import catalog

# Columns hub.quality.frames.source_frame adds beside a spec's own values.
STANDARD = {"record_id"}
PERSON = {"name", "birth_date", "resident_id_valid"}


def _columns(name: str) -> set[str]:
    found: set[str] = set()
    for expectation in build_suite(name).expectations:
        config = expectation.configuration.kwargs
        found |= {config[k] for k in ("column", "column_A", "column_B") if k in config}
    return found


def test_every_dataset_and_the_published_model_have_suites() -> None:
    assert {d.key for d in catalog.DATASETS} <= set(SUITES)
    assert set(published.PARTS) <= set(SUITES)
    assert "delivery" in SUITES


@pytest.mark.parametrize("name", sorted(SUITES))
def test_every_expectation_says_whether_it_blocks_and_why(name: str) -> None:
    suite = build_suite(name)
    assert suite.name == name and suite.expectations
    for expectation in suite.expectations:
        blocking = (expectation.meta or {}).get("blocking")
        assert isinstance(blocking, bool)
        assert expectation.severity.value == ("critical" if blocking else "warning")
        assert expectation.notes


@pytest.mark.parametrize("dataset", sorted(SPECS))
def test_source_suites_ask_only_for_columns_their_batch_has(dataset: str) -> None:
    spec = SPECS[dataset]
    available = STANDARD | set(spec.values)
    available |= PERSON if spec.person else set()
    available |= {"sex"} if spec.sex else set()
    available |= {"phone_valid"} if spec.phone_field else set()
    assert _columns(dataset) <= available
    assert "record_id" in _columns(dataset)


def test_each_build_is_a_fresh_suite() -> None:
    first, second = build_suite(catalog.POPULATION.key), build_suite(catalog.POPULATION.key)
    assert first is not second
    with pytest.raises(KeyError):
        build_suite("no.such.dataset")
