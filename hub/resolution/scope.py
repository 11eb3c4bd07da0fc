"""Which person records a resolution run must resolve again.

A full run resolves every current record. An incremental run resolves the *components* that
hold something new, and leaves every other person as the previous run published it.

A component is a connected part of the graph whose nodes are current records and whose edges
are everything clustering and id assignment look at: scored candidate pairs, a shared resident
ID (trust in an ID depends on every record carrying it), a shared identity profile, a steward's
decision, and a shared previous person (so a person's old id is claimed with all its records
in view). Clustering, id assignment and survivorship of one component depend on that component
alone, so re-resolving every component that holds a new, changed or vanished record, or a
record whose house changed, gives what a full run would give.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hub.resolution.persons import Constraints
from hub.storage.frames import isin


@dataclass(frozen=True, slots=True)
class Changes:
    """What differs between the current records and the previous run's links."""

    changed: frozenset[str]  # current uids that are new, or whose version is another one
    gone: frozenset[str]  # uids the previous run linked that are no longer current


def record_changes(records: pd.DataFrame, previous: pd.DataFrame) -> Changes:
    """Compare ``records`` (``uid``, ``version_id``) with the ``previous`` links (``uid``,
    ``version_id``). A link without a version (made before versions were kept) counts as
    changed, so such a database is resolved once in full."""
    before = previous.set_index("uid")["version_id"]
    now = records.set_index("uid")["version_id"]
    known = isin(now.index, before.index)
    same = pd.Series(False, index=now.index)
    same[known] = now[known].to_numpy() == before.reindex(now.index[known]).to_numpy()
    changed = frozenset(now.index[~same.to_numpy()])
    gone = frozenset(before.index[~isin(before.index, now.index)])
    return Changes(changed, gone)


def affected_records(
    prof: pd.DataFrame,
    pairs: pd.DataFrame,
    constraints: Constraints,
    previous_entity: pd.Series,
    seeds: Iterable[str],
) -> np.ndarray:
    """A boolean mask over ``prof`` (identity profiles, one row per current record): the
    records in a component with any of ``seeds`` (uids).

    ``pairs`` has ``uid_l``/``uid_r`` (stored and fresh candidate pairs); ``previous_entity``
    maps a uid to the person id it had (redirects followed), for current and gone records.
    """
    uids = pd.Index(prof["uid"])
    n = len(uids)
    sources: list[np.ndarray] = []
    targets: list[np.ndarray] = []

    def connect(left: np.ndarray, right: np.ndarray) -> None:
        keep = (left >= 0) & (right >= 0)
        sources.append(left[keep])
        targets.append(right[keep])

    def group(keys: pd.Series) -> None:
        """Join every record to the first record with the same (non-missing) key."""
        present = keys.notna().to_numpy()
        position = np.flatnonzero(present)
        first = pd.Series(position).groupby(keys.to_numpy()[present]).transform("min")
        connect(position, first.to_numpy())

    connect(uids.get_indexer(pairs["uid_l"]), uids.get_indexer(pairs["uid_r"]))
    group(prof["resident_id"].where(prof["resident_id"] != "None"))
    group(prof["profile"])
    current_entity = previous_entity.reindex(uids)
    group(pd.Series(current_entity.to_numpy(), dtype=object))
    decided = [*constraints.must_link, *constraints.cannot_link]
    if decided:
        left, right = zip(*decided, strict=True)
        connect(uids.get_indexer(list(left)), uids.get_indexer(list(right)))
    graph = coo_matrix(
        (np.ones(sum(len(s) for s in sources), dtype=np.int8),
         (np.concatenate(sources), np.concatenate(targets))),
        shape=(n, n),
    )  # fmt: skip
    _, label = connected_components(graph, directed=False)
    seeds = set(seeds)
    # A vanished record pulls in the person it belonged to (their golden record changes).
    lost = set(previous_entity[isin(previous_entity.index, seeds)].dropna())
    start = isin(uids, seeds) | isin(current_entity, lost)
    return np.isin(label, np.unique(label[start]))
