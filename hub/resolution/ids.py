"""Stable entity ids: a person's id survives re-runs, new snapshots, merges and splits.

Given this run's clusters and the ids the records carried before, each previous id is claimed
by the cluster that holds most of its records (a split: the larger part keeps the id; ties go
to the cluster with the smaller key). A cluster that claims several ids keeps the one with
most of its records (ties: the smaller id) and the others redirect to it (a merge). A cluster
that claims none gets a new id derived from its key, so a full re-run from scratch names the
same clusters the same way.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class IdAssignment:
    entity_of: dict[str, str]  # record uid -> entity id
    merged: dict[str, str] = field(default_factory=dict)  # absorbed id -> surviving id
    created: frozenset[str] = frozenset()
    vanished: frozenset[str] = frozenset()  # previous ids with no record left (ended)


def new_id(prefix: str, cluster_key: str) -> str:
    """A deterministic id for a new cluster (its key is its smallest record uid)."""
    digest = hashlib.sha1(cluster_key.encode("utf-8")).hexdigest()[:12].upper()
    return f"{prefix}{digest}"


def resolve_redirect(entity_id: str, redirects: Mapping[str, str]) -> str:
    """Follow merges to the id that names the entity now."""
    seen: set[str] = set()
    while entity_id in redirects and entity_id not in seen:
        seen.add(entity_id)
        entity_id = redirects[entity_id]
    return entity_id


def assign_ids(
    cluster_of: Mapping[str, str],
    previous: Mapping[str, str],
    redirects: Mapping[str, str],
    *,
    prefix: str,
) -> IdAssignment:
    """Name this run's clusters, keeping previous ids where the records say so."""
    members: dict[str, list[str]] = defaultdict(list)
    for uid, key in cluster_of.items():
        members[key].append(uid)
    # How many records of each previous id every cluster holds.
    holdings: dict[str, Counter[str]] = {}
    for key, uids in members.items():
        held = Counter(resolve_redirect(previous[u], redirects) for u in uids if u in previous)
        if held:
            holdings[key] = held
    # Each previous id goes to the cluster holding most of its records.
    claims: dict[str, tuple[int, str]] = {}  # id -> (count, cluster key)
    for key, held in holdings.items():
        for entity_id, count in held.items():
            best = claims.get(entity_id)
            if best is None or (count, _neg(key)) > (best[0], _neg(best[1])):
                claims[entity_id] = (count, key)
    won: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for entity_id, (count, key) in claims.items():
        won[key].append((count, entity_id))
    name_of: dict[str, str] = {}
    merged: dict[str, str] = {}
    created: set[str] = set()
    for key in members:
        ids = sorted(won.get(key, []), key=lambda item: (-item[0], item[1]))
        if ids:
            survivor = ids[0][1]
            for _, absorbed in ids[1:]:
                merged[absorbed] = survivor
        else:
            survivor = new_id(prefix, key)
            created.add(survivor)
        name_of[key] = survivor
    entity_of = {uid: name_of[key] for uid, key in cluster_of.items()}
    before = {resolve_redirect(v, redirects) for v in previous.values()}
    vanished = before - set(name_of.values()) - set(merged)
    return IdAssignment(entity_of, merged, frozenset(created), frozenset(vanished))


def _neg(key: str) -> tuple[int, ...]:
    """Order keys so that the smaller key compares greater (it wins ties)."""
    return tuple(-ord(c) for c in key)
