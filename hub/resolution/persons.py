"""Person linkage: which source records describe the same person.

Records collapse into identity profiles (:func:`hub.resolution.records.identity_profiles`: a
child's many vaccination doses are one profile). A trusted resident ID links its records (rule
``resident_id``). Profiles without one are scored by Splink (DuckDB) against everyone; ID
holders meet each other only when their IDs are one slip apart. Clustering is a union-find over
the accepted links, strongest first, that never puts two resident IDs, or a steward's
cannot-link, into one person::

    links = link_persons(load_person_records_for_linkage(session), load_constraints(session))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from splink import Linker, block_on

from hub.resolution.backends import MatchBackend
from hub.resolution.records import identity_profiles
from hub.resolution.splink_model import (
    DEFAULT_MODEL_PATH,
    MODEL_COLUMNS,
    PersonModel,
    load_model,
)
from hub.storage.frames import isin

__all__ = ["DEFAULT_MODEL_PATH", "Constraints", "PersonLinks", "PersonModel", "cluster",
           "cluster_profiles", "link_persons", "load_model", "score_pairs",
           "score_profiles"]  # fmt: skip

EDGE_COLUMNS = ("uid_l", "uid_r", "rule", "match_probability")
#: Weight, in persons, of the trained name counts against the input's own: a small input
#: borrows the county's idea of a common name, a county-sized one speaks for itself.
PRIOR_PERSONS = 10_000


@dataclass(frozen=True)
class Constraints:
    must_link: tuple[tuple[str, str], ...] = ()  # steward: these record uids are one person
    cannot_link: tuple[tuple[str, str], ...] = ()  # steward: different people / detached


@dataclass(frozen=True)
class PersonLinks:
    cluster_of: dict[str, str]  # every input uid -> the smallest uid of its cluster
    edges: pd.DataFrame  # EDGE_COLUMNS; rule is 'resident_id', 'splink' or 'steward'
    pairs: pd.DataFrame  # every scored candidate pair, as score_pairs returns them


def link_persons(
    records: pd.DataFrame,
    constraints: Constraints = Constraints(),
    model: PersonModel | None = None,
    backend: MatchBackend | None = None,
) -> PersonLinks:
    """Score every candidate pair of ``records`` (:func:`load_person_records` columns, house
    keys filled) and cluster them."""
    model = model or load_model()
    profiles = identity_profiles(records)
    return _cluster(profiles, _score(profiles, model, None, backend), constraints, model)


def score_pairs(
    records: pd.DataFrame,
    model: PersonModel,
    *,
    only: set[str] | None = None,
    backend: MatchBackend | None = None,
) -> pd.DataFrame:
    """Splink's scores of candidate pairs of identity profiles: ``uid_l < uid_r`` (each the
    smallest uid of its profile), ``profile_l``/``profile_r`` (the profiles' hashes as text,
    stable across runs), ``match_weight``, ``match_probability``, and per comparison its level
    (``gamma_``) and match weight (``mw_``): the evidence a steward reviews.

    Candidates are profiles without a trusted ID against all others, each such profile of
    several records against itself, and ID holders whose IDs are a slip apart. With ``only``:
    just the pairs of the profiles holding those uids, or sharing a resident ID with them (new
    or changed records against everyone), to add to the pairs stored from earlier runs.
    Splink runs on ``backend`` (DuckDB in this process unless configured otherwise).
    """
    return _score(identity_profiles(records), model, only, backend)


def cluster(
    records: pd.DataFrame, pairs: pd.DataFrame, constraints: Constraints, model: PersonModel
) -> PersonLinks:
    """Cluster ``records`` by their trusted IDs, the scored ``pairs`` and the constraints.

    Links are taken strongest first: must-links (always), records of one trusted ID or of one
    profile that scores itself as one person, then Splink links at or above the model's
    threshold by probability. A link is refused that would put two resident IDs (but for an
    ID-typo pair) or a cannot-link pair into one person. A profile without a trusted ID links
    only to the ID holder it clearly matches best: to none when the runner-up is within the
    model's ambiguity margin. Pairs are matched to profiles by ``profile_l``/``profile_r``
    (pairs of profiles no longer present are ignored), else by their uids.
    """
    return _cluster(identity_profiles(records), pairs, constraints, model)


def score_profiles(
    prof: pd.DataFrame,
    model: PersonModel,
    *,
    only: set[str] | None = None,
    backend: MatchBackend | None = None,
    names: tuple[pd.Series, int] | None = None,
) -> pd.DataFrame:
    """:func:`score_pairs` on identity profiles already built
    (:func:`~hub.resolution.records.identity_profiles`), so a run builds them once.

    ``names``: persons per name (:func:`name_counts`) of at least the names of ``only``'s
    profiles, and their sum over every name, counted over the county when ``prof`` holds only
    part of it (an incremental run's neighbourhood). Term frequencies come from them.
    """
    return _score(prof, model, only, backend, names)


def cluster_profiles(
    prof: pd.DataFrame, pairs: pd.DataFrame, constraints: Constraints, model: PersonModel
) -> PersonLinks:
    """:func:`cluster` on identity profiles already built."""
    return _cluster(prof, pairs, constraints, model)


def near_ids(a: str, b: str) -> bool:
    """One of the first 17 digits mistyped (and the check character recomputed), or two
    adjacent ones swapped: the slips that turn one valid ID into another."""
    diff = [i for i in range(17) if a[i] != b[i]]
    i = diff[0] if len(diff) == 2 else -1
    return len(diff) == 1 or (diff == [i, i + 1] and a[i] == b[i + 1] and a[i + 1] == b[i])


# -- scoring -------------------------------------------------------------------------------------


def _score(
    prof: pd.DataFrame,
    model: PersonModel,
    only: set[str] | None,
    backend: MatchBackend | None,
    names: tuple[pd.Series, int] | None = None,
) -> pd.DataFrame:
    table = prof[prof["uid"] == prof["rep"]].set_index("rep", drop=False)
    table = table.rename(columns={"rep": "unique_id"})
    others = prof[prof["uid"] != prof["rep"]]
    table["second"] = table["profile"].map(others.groupby("profile")["uid"].min())
    touched = pd.Series(only is None, index=table.index)
    if only is not None:
        hit = prof[isin(prof["uid"], only)]
        kin = isin(prof["resident_id"], set(hit["resident_id"].dropna()))
        touched = table["profile"].isin(set(hit["profile"]) | set(prof.loc[kin, "profile"]))
    backend = backend or MatchBackend()
    db = backend.database_api()
    columns = [*MODEL_COLUMNS, "profile"]
    linker = Linker(db.register(table[columns]), backend.model_settings(model.settings),
                    log_level=None)  # fmt: skip
    counts, total = names if names is not None else (name_counts(prof), None)
    tf = db.register(name_frequencies(counts, model, total))
    linker.table_management.register_term_frequency_lookup(tf, "name")

    def predict(
        left: pd.DataFrame, right: pd.DataFrame | None = None, by: str = ""
    ) -> pd.DataFrame:
        if left.empty or (right is not None and right.empty):
            return pd.DataFrame()
        if right is None:
            found = linker.inference.predict_within(
                db.register(left[columns]), warning_mode="never"
            )
        else:
            found = linker.inference.predict_between(
                db.register(left[columns]), db.register(right[columns]),
                blocking_rules_to_generate_predictions=[block_on(by)] if by else None,
                warning_mode="never",
            )  # fmt: skip
        return found.as_pandas_dataframe()

    loose = table["trusted_id"].isna()
    # A record that lost its ID to a contradicting name keeps the birth date read from that ID.
    table.loc[loose & table["resident_id"].notna(), "birth_date"] = None
    fresh = table[touched & loose]
    twins = fresh[fresh["second"].notna()]
    typos = _typo_candidates(table, touched)
    found = [
        predict(fresh),
        predict(fresh, table[~(touched & loose)]),
        predict(table[touched & ~loose], table[~touched & loose]),
        predict(twins, twins.assign(unique_id=twins["second"]), by="profile"),
        predict(table.loc[typos["unique_id_l"].unique()],
                table.loc[typos["unique_id_r"].unique()], by="name"),
    ]  # fmt: skip
    if len(found[-1]):  # the name join also paired IDs that are not a slip apart
        found[-1] = found[-1].merge(typos)
    _release(db)  # the pairs are in pandas now: DuckDB's tables and buffers can go
    return _tidy_pairs([f for f in found if len(f)], prof.set_index("uid")["profile"])


def _release(db: Any) -> None:
    """Close an in-process DuckDB behind a Splink database API (a Spark one stays up)."""
    connection = getattr(db, "duckdb_con", None)
    if connection is not None:
        connection.close()


def name_counts(prof: pd.DataFrame) -> pd.Series:
    """Persons per name among identity profiles: distinct resident IDs, and profiles without.

    An ID a typo made another person's counts as one person here: a term frequency needs no
    more, and this count is one the database can make for a few names
    (:func:`hub.resolution.neighbourhood.name_counts`).
    """
    rid = prof["resident_id"].where(prof["resident_id"] != "None")
    person = rid.fillna(prof["profile"].astype("str"))
    held = pd.DataFrame({"name": prof["name"], "person": person}).dropna().drop_duplicates()
    return held.groupby("name").size()


def name_frequencies(
    counts: pd.Series, model: PersonModel, total: int | None = None
) -> pd.DataFrame:
    """Term frequencies of names (``name``, ``tf_name``): the share of persons with each name
    (``counts``, :func:`name_counts`), shrunk towards the model's counts (a name neither has
    seen counts as one person's). ``total``: the sum over every name, when ``counts`` holds a
    few."""
    prior = pd.Series(model.name_counts, dtype=float)
    share = prior.reindex(counts.index).fillna(1.0) / max(prior.sum(), 1.0)
    persons = counts.sum() if total is None else total
    tf = (counts + PRIOR_PERSONS * share) / (persons + PRIOR_PERSONS)
    return pd.DataFrame({"name": tf.index.astype("str"), "tf_name": tf.to_numpy()})


def _typo_candidates(table: pd.DataFrame, touched: pd.Series) -> pd.DataFrame:
    """Profiles of two trusted IDs a slip apart, with one name. Such IDs agree outside some
    window of two adjacent digits: an equi-join on the rest finds them."""
    held = table.loc[table["trusted_id"].notna(), ["unique_id", "trusted_id", "name"]]
    held = held.assign(touched=touched[held.index])
    with duckdb.connect() as connection:
        connection.register("held", held)
        found = connection.execute(
            "WITH ids AS (SELECT trusted_id AS id, name, bool_or(touched) AS touched FROM held "
            "GROUP BY ALL), keys AS (SELECT id, name, touched, i, "
            "left(id, i) || substr(id, i + 3, 15 - i) AS rest FROM ids, range(16) AS t(i)) "
            "SELECT DISTINCT l.id AS id_l, r.id AS id_r, l.name FROM keys l JOIN keys r "
            "ON l.name = r.name AND l.i = r.i AND l.rest = r.rest AND l.id < r.id "
            "WHERE l.touched OR r.touched"
        ).df()
    slips = [near_ids(a, b) for a, b in zip(found["id_l"], found["id_r"], strict=True)]
    found = found[np.array(slips, dtype=bool)]
    for side in ("l", "r"):
        named = held.rename(columns={"trusted_id": f"id_{side}", "unique_id": f"unique_id_{side}"})
        found = found.merge(named[[f"id_{side}", "name", f"unique_id_{side}"]])
    return found[["unique_id_l", "unique_id_r"]]


def _tidy_pairs(found: list[pd.DataFrame], profile_of: pd.Series) -> pd.DataFrame:
    if not found:
        columns = ["uid_l", "uid_r", "profile_l", "profile_r", "match_weight", "match_probability"]
        return pd.DataFrame(columns=columns)
    pairs = pd.concat(found, ignore_index=True)
    left, right = pairs["unique_id_l"], pairs["unique_id_r"]
    swap = left > right  # every comparison is symmetric: only the sides change
    out = pd.DataFrame({"uid_l": left.where(~swap, right), "uid_r": right.where(~swap, left)})
    out["profile_l"] = profile_of[out["uid_l"]].astype("str").to_numpy()
    out["profile_r"] = profile_of[out["uid_r"]].astype("str").to_numpy()
    scores = ["match_weight", "match_probability"]
    evidence = sorted(c for c in pairs.columns if c.startswith(("gamma_", "mw_")))
    for column in scores + evidence:
        out[column] = pairs[column].to_numpy()
    out = out.drop_duplicates(["uid_l", "uid_r"]).sort_values(["uid_l", "uid_r"])
    return out.reset_index(drop=True)


# -- clustering ----------------------------------------------------------------------------------


class _Components:
    """Union-find over record positions; a component knows its trusted IDs and the records a
    steward said it must not be with."""

    def __init__(
        self, parent: np.ndarray, ids: dict[int, frozenset[str]], registered: set[int]
    ) -> None:
        self.parent: list[int] = parent.tolist()
        self.ids = ids
        self.registered = registered  # roots holding a population register row
        self.avoid: dict[int, set[int]] = {}

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(
        self,
        a: int,
        b: int,
        *,
        check: bool = True,
        scored: bool = False,
        typo: frozenset[str] = frozenset(),
    ) -> bool:
        """Join unless (with ``check``) two IDs other than the ``typo`` pair, or a cannot-link,
        would end up together; or, for a ``scored`` link, two population register rows."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if scored and ra in self.registered and rb in self.registered:
            return False
        ia, ib = self.ids.get(ra, frozenset()), self.ids.get(rb, frozenset())
        if check:
            if ia and ib and not (ia <= ib or ib <= ia) and ia | ib != typo:
                return False
            avoid_a, avoid_b = self.avoid.get(ra, set()), self.avoid.get(rb, set())
            fewer, other = (avoid_a, rb) if len(avoid_a) <= len(avoid_b) else (avoid_b, ra)
            if any(self.find(x) == other for x in fewer):
                return False
        self.parent[rb] = ra
        if ia | ib:
            self.ids[ra] = ia | ib
        if rb in self.avoid:
            self.avoid.setdefault(ra, set()).update(self.avoid.pop(rb))
        if rb in self.registered:
            self.registered.add(ra)
        return True

    def roots(self) -> np.ndarray:
        parent = np.asarray(self.parent, dtype=np.int64)
        while not np.array_equal(parent, parent[parent]):
            parent = parent[parent]
        return parent


def _cluster(
    prof: pd.DataFrame, pairs: pd.DataFrame, constraints: Constraints, model: PersonModel
) -> PersonLinks:
    uids = prof["uid"].to_numpy()
    position = np.arange(len(uids))
    pairs = _current_pairs(prof, pairs)
    steward = sorted(
        {u for pair in (*constraints.must_link, *constraints.cannot_link) for u in pair}
    )
    at = dict(zip(steward, pd.Index(uids).get_indexer(steward).tolist(), strict=True))
    free = ~isin(prof["uid"], steward)
    anchor, rule, probability = _groups(prof, pairs, free, model.match_probability)
    parent = np.where(free, anchor, position)
    trusted = prof["trusted_id"].to_numpy()
    start = np.flatnonzero(prof["trusted_id"].notna().to_numpy() & (parent == position))
    # The register has one row per person (re-registrations share the ID): a Splink link
    # never joins two persons who each have one.
    registered = {int(i) for i in np.unique(parent[prof["household_no"].notna().to_numpy()])}
    parts = _Components(parent, {int(i): frozenset([trusted[i]]) for i in start}, registered)
    for a, b in constraints.cannot_link:
        if at.get(a, -1) >= 0 and at.get(b, -1) >= 0:
            parts.avoid.setdefault(at[a], set()).add(at[b])
            parts.avoid.setdefault(at[b], set()).add(at[a])
    bulk = free & (anchor != position)
    edges = [pd.DataFrame({"uid_l": uids[anchor[bulk]], "uid_r": uids[bulk], "rule": rule[bulk],
                           "match_probability": probability[bulk]})]  # fmt: skip
    taken: list[tuple[str, str, str, float]] = []
    for a, b in constraints.must_link:
        if at.get(a, -1) >= 0 and at.get(b, -1) >= 0 and a != b:
            parts.union(at[a], at[b], check=False)
            taken.append((min(a, b), max(a, b), "steward", np.nan))
    for i in np.flatnonzero(~free & (anchor != position)):
        if parts.union(int(anchor[i]), int(i)):
            taken.append((uids[anchor[i]], uids[i], rule[i], probability[i]))
    for lo, hi, p, typo in _links(prof, pairs, parent, model).itertuples(index=False, name=None):
        if parts.union(lo, hi, scored=True, typo=typo):
            taken.append((uids[lo], uids[hi], "splink", p))
    edges.append(pd.DataFrame(taken, columns=list(EDGE_COLUMNS)))
    smallest = pd.Series(position).groupby(parts.roots()).transform("min").to_numpy()
    return PersonLinks(
        cluster_of=dict(zip(uids, uids[smallest], strict=True)),
        edges=pd.concat(edges, ignore_index=True).astype(
            {"uid_l": "str", "uid_r": "str", "rule": "str", "match_probability": "float64"}
        ),
        pairs=pairs.astype({"profile_l": "str", "profile_r": "str"}),
    )


def _current_pairs(prof: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs between current profiles, their hashes as numbers. A pair stored without
    profiles takes its uids' current ones."""
    known = pd.Index(prof["uid"])
    hashes = prof["profile"].to_numpy()
    pairs = pairs.reset_index(drop=True)
    for side in ("l", "r"):
        at = known.get_indexer(pairs[f"uid_{side}"])
        mapped = pd.array(np.where(at >= 0, hashes[at], 0), dtype="UInt64")
        mapped[at < 0] = pd.NA
        given = pairs.get(f"profile_{side}", pd.Series(pd.NA, index=pairs.index))
        pairs[f"profile_{side}"] = given.astype("UInt64").fillna(pd.Series(mapped))
    current = prof["profile"]
    alive = pairs["profile_l"].isin(current) & pairs["profile_r"].isin(current)
    return pairs[alive.fillna(False)].astype({"profile_l": "uint64", "profile_r": "uint64"})


def _groups(
    prof: pd.DataFrame, pairs: pd.DataFrame, free: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each record's group anchor (its smallest record free of steward decisions), the rule and
    the probability linking it there. A group is the records of one trusted ID, or of one
    profile that scores itself as one person (identical keys; a name alone is not enough)."""
    itself = pairs[pairs["profile_l"] == pairs["profile_r"]]
    score = prof["profile"].map(itself.groupby("profile_l")["match_probability"].max())
    held = prof["trusted_id"].notna().to_numpy()
    codes, n = pd.factorize(prof["profile"])[0], len(prof)
    alone = np.bincount(codes)[codes] == 1
    position = np.arange(n)
    grouped = score.ge(threshold).to_numpy() | alone
    key = np.where(held, pd.factorize(prof["trusted_id"])[0],
                   np.where(grouped, n + codes, 2 * n + position))  # fmt: skip
    first = pd.Series(np.where(free, position, 3 * n)).groupby(key).transform("min").to_numpy()
    anchor = np.where(first < 3 * n, first, pd.Series(position).groupby(key).transform("min"))
    rule = np.where(held, "resident_id", "splink")
    return anchor, rule, np.where(held, np.nan, score.to_numpy(dtype=float))


def _links(
    prof: pd.DataFrame, pairs: pd.DataFrame, parent: np.ndarray, model: PersonModel
) -> pd.DataFrame:
    """Accepted Splink links between group anchors (``lo`` < ``hi``), strongest first."""
    keys = ["trusted_id", "name", "phone", "address_code", "address_key", "household_no"]
    info = prof.drop_duplicates("profile").set_index("profile")[keys]
    cross = pairs[pairs["profile_l"] != pairs["profile_r"]]
    for side in ("l", "r"):
        looked = info.reindex(cross[f"profile_{side}"]).set_axis(cross.index)
        cross = cross.join(looked.add_suffix(f"_{side}"))
    cross = _unambiguous(cross, model.ambiguity_margin)
    cross = cross[cross["match_probability"] >= model.match_probability]
    handles = pd.DataFrame({"profile": prof["profile"], "h": parent}).drop_duplicates()
    for side in ("l", "r"):
        cross = cross.merge(handles.rename(columns={"profile": f"profile_{side}", "h": side}))
    cross = cross[cross["l"] != cross["r"]]
    lo, hi = np.minimum(cross["l"], cross["r"]), np.maximum(cross["l"], cross["r"])
    ids = zip(cross["trusted_id_l"], cross["trusted_id_r"], strict=True)
    typo = [frozenset([a, b]) if pd.notna(a) and pd.notna(b) else frozenset() for a, b in ids]
    cross = cross.assign(lo=lo, hi=hi, typo=pd.Series(typo, index=cross.index, dtype=object))
    order = cross.sort_values(["match_probability", "lo", "hi"], ascending=[False, True, True])
    return order.drop_duplicates(["lo", "hi"])[["lo", "hi", "match_probability", "typo"]]


def _unambiguous(cross: pd.DataFrame, margin: float) -> pd.DataFrame:
    """Links from a profile without a trusted ID to the person it clearly matches best (to
    none when torn between two), links between such profiles, and ID-typo pairs. A person is a
    trusted ID, or a register row without one (the register has one row per person)."""
    loose_l, loose_r = cross["trusted_id_l"].isna(), cross["trusted_id_r"].isna()
    key_l, key_r = (
        cross[f"trusted_id_{side}"].fillna(
            ("R" + cross[f"profile_{side}"].astype("str")).where(
                cross[f"household_no_{side}"].notna()
            )
        )
        for side in ("l", "r")
    )
    views = pd.concat([
        pd.DataFrame({"o": cross["profile_l"], "person": key_r, "w": cross["match_weight"]})[
            loose_l & key_r.notna()],
        pd.DataFrame({"o": cross["profile_r"], "person": key_l, "w": cross["match_weight"]})[
            loose_r & key_l.notna()],
    ])  # fmt: skip
    best = views.groupby(["o", "person"])["w"].max().reset_index()
    best = best.sort_values(["o", "w", "person"], ascending=[True, False, True])
    top = best.drop_duplicates("o").set_index("o")
    runner_up = best[best.duplicated("o")].drop_duplicates("o").set_index("o")["w"]
    close = top["w"] - runner_up.reindex(top.index) < margin
    clear, torn = top.loc[~close, "person"], top.index[close]
    chosen = (loose_l & (key_r == cross["profile_l"].map(clear))) | (
        loose_r & (key_l == cross["profile_r"].map(clear))
    )
    # Torn between two persons: merged into neither, not even through a third record.
    plain = key_l.isna() & key_r.isna()
    plain &= ~cross["profile_l"].isin(torn) & ~cross["profile_r"].isin(torn)
    # Namesakes born on one day hold IDs a digit apart: a typo needs a shared phone or house.
    typo = ~loose_l & ~loose_r & (cross["name_l"] == cross["name_r"])
    same = [cross[f"{k}_l"] == cross[f"{k}_r"] for k in ("phone", "address_code", "address_key")]
    typo &= same[0] | same[1] | same[2]
    slips = zip(cross["trusted_id_l"], cross["trusted_id_r"], typo, strict=True)
    typo &= np.array([bool(t) and near_ids(a, b) for a, b, t in slips], dtype=bool)
    return cross[plain | chosen.fillna(False) | typo]
