"""House resolution: each address-bearing record linked to a standard address or a building.

The public-security standard address table (gongan/标准地址) is the authority: its rows are the
houses. Population records carry a house's code. A free-text address (civil affairs, party
members) links to the house when the text names exactly one, to the building when it names
one building but not which of its houses, and to nothing otherwise: never a guess between
candidates. A door plate covers a building.

    links = link_houses(load_standard_addresses(session), load_address_parts(session))

Rules (``links.rule``): ``standard``, ``address_code``; ``exact_key`` or ``key_without_<levels>``
(a house found although the text left those levels out); ``building_key``;
``door_plate_building``, ``door_plate_single_house``; ``unmatched`` (why: ``stats``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.normalise.addresses import LEVELS
from hub.resolution.addresses_index import BUILDING_LEVELS, StandardIndex, split_key
from hub.resolution.records import load_address_parts
from hub.sources import catalog
from hub.storage.models import SourceRecord

STANDARD_COLUMNS = ("address_code", "building_code", *LEVELS, "use", "key")
LINK_COLUMNS = (
    "uid", "dataset", "address_code", "building_code", "precision", "rule", "candidates",
)  # fmt: skip
# An unparsed tail that starts like a room or floor number ("12号3楼") refines the building
# the parsed part names; any other tail ("…12号对面") may point elsewhere.
_REFINING_REST = r"[0-9A-Za-z]"


@dataclass(frozen=True)
class HouseLinks:
    """One row per input record (:data:`LINK_COLUMNS`), and counts of how each was linked.

    ``precision`` is ``room`` (``address_code`` is the house), ``building`` (only
    ``building_code`` is known) or ``none``. ``candidates`` is how many standard addresses the
    record's address agreed with. ``stats`` counts ``records``, ``precision.<p>``,
    ``rule.<rule>``, ``unmatched.<reason>`` and ``<dataset>.<precision>``.
    """

    links: pd.DataFrame
    stats: dict[str, int]


def load_standard_addresses(session: Session) -> pd.DataFrame:
    """The current standard addresses (:data:`STANDARD_COLUMNS`), parts as normalised at ingest.

    ``building_code`` is the 楼栋编码 column, else the first 16 digits of 地址编码.
    """
    fields = SourceRecord.fields
    rows = session.execute(
        select(
            SourceRecord.address_code,
            fields["building_code"].as_string(),
            fields["use"].as_string(),
            SourceRecord.address_key,
        ).where(
            SourceRecord.dataset == catalog.ADDRESSES.key,
            SourceRecord.valid_to.is_(None),
            SourceRecord.address_code.is_not(None),
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["address_code", "building_code", "use", "key"])
    frame["building_code"] = frame["building_code"].fillna(frame["address_code"].str[:16])
    frame = pd.concat([frame, split_key(frame["key"])], axis=1)
    return frame[list(STANDARD_COLUMNS)]


def link_houses(standard: pd.DataFrame, records: pd.DataFrame) -> HouseLinks:
    """Link ``records`` (``uid``, ``dataset``, ``address_code``, ``address_key``; optionally
    the parsed parts one column per level with ``group`` and ``rest``, as
    :func:`~hub.resolution.records.load_address_parts` gives) to ``standard``
    (:func:`load_standard_addresses`). Pure: reads its inputs, writes nothing.
    """
    records = records.reset_index(drop=True)
    std = _standard_frame(standard)
    index = StandardIndex(std)
    out = pd.DataFrame(
        {"uid": records["uid"], "dataset": records["dataset"], "address_code": None,
         "building_code": None, "precision": "none", "rule": "unmatched", "candidates": 0,
         "reason": None},
        index=records.index,
    )  # fmt: skip
    dataset = records["dataset"]
    by_code = std.set_index("address_code")["building_code"]
    _link_codes(out, records.loc[dataset == catalog.ADDRESSES.key], by_code, "standard")
    # A grid worker's entry names the house picked from the hub's own list, or types it.
    coded = (dataset == catalog.POPULATION.key) | (
        (dataset == catalog.ENTRIES_KEY) & records["address_code"].notna()
    )
    _link_codes(out, records.loc[coded], by_code, "address_code")
    parts = _record_parts(records)
    plates = dataset == catalog.DOOR_PLATES.key
    texts = ~dataset.isin([catalog.ADDRESSES.key]) & ~coded & ~plates
    _link_texts(out, parts.loc[texts], index, std)
    _link_door_plates(out, parts.loc[plates], index, std)
    stats = _stats(out)
    return HouseLinks(out[list(LINK_COLUMNS)], stats)


def _standard_frame(standard: pd.DataFrame) -> pd.DataFrame:
    std = standard.dropna(subset=["address_code"]).drop_duplicates("address_code")
    if not set(LEVELS) <= set(std.columns):
        std = pd.concat([std, split_key(std["key"])], axis=1)
    std = std.assign(**{level: std[level].fillna("").astype(str) for level in LEVELS})
    prefix = std["address_code"].str[:16]
    building = std.get("building_code", prefix)
    std["building_code"] = building.where(building.fillna("").astype(str) != "", prefix)
    return std.reset_index(drop=True)


def _record_parts(records: pd.DataFrame) -> pd.DataFrame:
    if set(LEVELS) <= set(records.columns):
        parts = records[list(LEVELS)].fillna("").astype(str)
    else:
        parts = split_key(records["address_key"])
    none = pd.Series(None, index=records.index, dtype=object)
    group = records.get("group", none)
    rest = records.get("rest", none).fillna("").astype(str)
    return parts.assign(group=group.fillna("").astype(str) != "", rest=rest)


def _link_codes(out: pd.DataFrame, records: pd.DataFrame, by_code: pd.Series, rule: str) -> None:
    codes = records["address_code"].astype(object)
    missing = codes.isna() | (codes.fillna("").astype(str).str.strip() == "")
    building = codes.map(by_code)
    known = ~missing & building.notna()
    out.loc[codes.index[missing], "reason"] = "no_code"
    out.loc[codes.index[~missing & ~known], "reason"] = "unknown_code"
    _set(out, codes.index[known], codes[known], building[known], "room", rule, 1)


def _usable(out: pd.DataFrame, parts: pd.DataFrame) -> pd.Series:
    """Rows with a door number and no tail that may point elsewhere; the rest get a reason."""
    anything = (parts[list(LEVELS)] != "").any(axis=1)
    numbered = parts["number"] != ""
    refining = (parts["rest"] == "") | parts["rest"].str.match(_REFINING_REST)
    out.loc[parts.index[~anything], "reason"] = "no_address"
    out.loc[parts.index[anything & ~numbered], "reason"] = "no_door_number"
    out.loc[parts.index[anything & numbered & ~refining], "reason"] = "unparsed_rest"
    return anything & numbered & refining


def _constrained(parts: pd.DataFrame, *, empty_road_named: bool) -> pd.DataFrame:
    """Which levels a query pins down: the parts it names. A part a clerk left out is unknown,
    never empty; only a door plate, the building's own address, says "no road" by naming none
    (unless it names a 村民小组, which stands in for the road)."""
    constrained = parts[list(LEVELS)] != ""
    if empty_road_named:
        constrained["road"] |= ~parts["group"]
    return constrained


def _link_texts(
    out: pd.DataFrame, parts: pd.DataFrame, index: StandardIndex, std: pd.DataFrame
) -> None:
    query = parts.loc[_usable(out, parts)]
    constrained = _constrained(query, empty_road_named=False)
    house = index.agreeing(query, constrained)
    out.loc[query.index, "candidates"] = house["count"]
    # A tail left unparsed may hold the room: such a text names its building, not a house.
    one = (house["count"] == 1) & (query["rest"] == "")
    codes = house.loc[one, "address_code"]
    rules = _house_rules(query.loc[one], codes, std)
    _set(out, codes.index, codes, house.loc[one, "building_code"], "room", rules, None)
    found = index.agreeing(query.loc[~one], constrained.loc[~one, list(BUILDING_LEVELS)])
    _link_buildings(out, found, "building_key")


def _link_door_plates(
    out: pd.DataFrame, parts: pd.DataFrame, index: StandardIndex, std: pd.DataFrame
) -> None:
    query = parts.loc[_usable(out, parts)]
    found = index.agreeing(query, _constrained(query, empty_road_named=True)[list(BUILDING_LEVELS)])
    out.loc[query.index, "candidates"] = found["count"]
    _link_buildings(out, found, "door_plate_building")
    sizes = std.groupby("building_code")["address_code"].agg(["size", "first"])
    building = found["building_code"].dropna()
    single = building[building.map(sizes["size"]) == 1]
    _set(out, single.index, single.map(sizes["first"]), single, "room",
         "door_plate_single_house", None)  # fmt: skip


def _link_buildings(out: pd.DataFrame, found: pd.DataFrame, rule: str) -> None:
    one = found["buildings"] == 1
    out.loc[found.index[~one & (found["buildings"] > 1)], "reason"] = "ambiguous"
    out.loc[found.index[found["buildings"] == 0], "reason"] = "no_candidate"
    codes = found.loc[one, "building_code"]
    _set(out, codes.index, None, codes, "building", rule, None)


def _house_rules(query: pd.DataFrame, codes: pd.Series, std: pd.DataFrame) -> pd.Series:
    """``exact_key``, or ``key_without_<levels>`` naming the levels the text left out but the
    house it matched has."""
    matched = std.set_index("address_code").loc[codes.to_numpy(), list(LEVELS)]
    matched.index = query.index
    left_out = (query[list(LEVELS)] == "") & (matched != "")
    names = pd.Series("", index=query.index, dtype=object)
    for level in LEVELS:
        names = names.where(~left_out[level], names + "_" + level)
    return ("key_without" + names).where(names != "", "exact_key")


def _set(
    out: pd.DataFrame,
    index: pd.Index,
    address_code: pd.Series | None,
    building_code: pd.Series,
    precision: str,
    rule: str | pd.Series,
    candidates: int | None,
) -> None:
    if len(index) == 0:
        return
    out.loc[index, "address_code"] = address_code
    out.loc[index, "building_code"] = building_code
    out.loc[index, "precision"] = precision
    out.loc[index, "rule"] = rule
    out.loc[index, "reason"] = None
    if candidates is not None:
        out.loc[index, "candidates"] = candidates


def _stats(out: pd.DataFrame) -> dict[str, int]:
    stats = {"records": len(out)}
    for column, prefix in (("precision", "precision."), ("rule", "rule.")):
        stats.update({prefix + str(k): int(v) for k, v in out[column].value_counts().items()})
    reasons = out.loc[out["precision"] == "none", "reason"].fillna("not_linked")
    stats.update({f"unmatched.{k}": int(v) for k, v in reasons.value_counts().items()})
    per_dataset = (out["dataset"] + "." + out["precision"]).value_counts()
    stats.update({str(k): int(v) for k, v in per_dataset.items()})
    return stats


def resolve_houses(session: Session) -> HouseLinks:
    """Link the current address-bearing records of the database to its standard addresses."""
    return link_houses(load_standard_addresses(session), load_address_parts(session))
