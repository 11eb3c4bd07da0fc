"""Stable ids across re-runs, merges, splits and new records."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hub.resolution.ids import assign_ids, new_id, resolve_redirect


def test_first_run_names_clusters_from_their_keys() -> None:
    result = assign_ids({"a": "a", "b": "a", "c": "c"}, {}, {}, prefix="P")
    assert result.entity_of == {"a": new_id("P", "a"), "b": new_id("P", "a"), "c": new_id("P", "c")}
    assert result.created == {new_id("P", "a"), new_id("P", "c")}


def test_rerun_keeps_ids_and_new_record_joins_existing_person() -> None:
    previous = {"a": "P1", "b": "P1", "c": "P2"}
    result = assign_ids({"a": "a", "b": "a", "c": "c", "d": "a"}, previous, {}, prefix="P")
    assert result.entity_of == {"a": "P1", "b": "P1", "c": "P2", "d": "P1"}
    assert not result.created and not result.merged


def test_merge_keeps_the_larger_id_and_redirects_the_other() -> None:
    previous = {"a": "P2", "b": "P2", "c": "P1"}
    result = assign_ids({"a": "a", "b": "a", "c": "a"}, previous, {}, prefix="P")
    assert set(result.entity_of.values()) == {"P2"}
    assert result.merged == {"P1": "P2"}
    assert resolve_redirect("P1", result.merged) == "P2"


def test_merge_of_equal_sizes_keeps_the_smaller_id() -> None:
    result = assign_ids({"a": "a", "b": "a"}, {"a": "P9", "b": "P3"}, {}, prefix="P")
    assert result.merged == {"P9": "P3"}


def test_split_larger_part_keeps_the_id() -> None:
    previous = {"a": "P1", "b": "P1", "c": "P1"}
    result = assign_ids({"a": "a", "b": "a", "c": "c"}, previous, {}, prefix="P")
    assert result.entity_of["a"] == result.entity_of["b"] == "P1"
    assert result.entity_of["c"] == new_id("P", "c") and result.created == {new_id("P", "c")}


def test_previous_ids_are_followed_through_redirects() -> None:
    result = assign_ids(
        {"a": "a"}, {"a": "P_old"}, {"P_old": "P_mid", "P_mid": "P_new"}, prefix="P"
    )
    assert result.entity_of == {"a": "P_new"}


def test_ids_whose_records_are_gone_vanish() -> None:
    result = assign_ids({"a": "a"}, {"a": "P1", "z": "P7"}, {}, prefix="P")
    assert result.vanished == {"P7"}


@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from("abcdefgh"), min_size=1),
    st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from(["P1", "P2", "P3"])),
)
def test_every_cluster_gets_one_distinct_id_whatever_the_history(
    clusters: dict[str, str], previous: dict[str, str]
) -> None:
    result = assign_ids(clusters, previous, {}, prefix="P")
    by_cluster: dict[str, set[str]] = {}
    for uid, key in clusters.items():
        by_cluster.setdefault(key, set()).add(result.entity_of[uid])
    assert all(len(ids) == 1 for ids in by_cluster.values())
    names = [next(iter(ids)) for ids in by_cluster.values()]
    assert len(names) == len(set(names))
    assert not set(result.merged) & set(names)
