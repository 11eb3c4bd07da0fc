"""Placing a report in the grid, and finding its reporter.

In order: the address text, linked like a department's free-text address to one house or one
building of the standard address table (:func:`hub.resolution.houses.link_houses`); else the
coordinates, to the nearest door plate within :data:`NEAR_METRES` whose building is known;
the building gives the responsibility grid (``grid_building``). A report no rule places has
no grid (it counts in no grid's roll-up). The reporter is the one active resident whose golden
phone is the reporter's phone; with none or several, the report names nobody.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub.ingest.fields import address_fields
from hub.normalise import parse_address
from hub.normalise.addresses import LEVELS
from hub.resolution.addresses_index import split_key
from hub.resolution.houses import STANDARD_COLUMNS, link_houses, load_standard_addresses
from hub.sources import catalog
from hub.storage.frames import read_frame
from hub.storage.models import (
    EntityKind,
    EntityStatus,
    GridBuilding,
    House,
    Person,
    RecordLink,
    SourceRecord,
)

#: A report's point names a door plate this near (GCJ-02 coordinates, both of them): reports
#: are taken standing in front of what they show; door plates lie a building apart.
NEAR_METRES = 60.0
_METRES_PER_DEGREE = 111_320.0
_PART_COLUMNS = (*LEVELS, "group", "rest")


@dataclass(frozen=True, slots=True)
class Place:
    grid_code: str | None
    house_id: str | None
    located_by: str | None  # address (a house), building, coordinates; None: not placed


class Locator:
    """Reference data for placing reports: standard addresses, door plates, grids."""

    def __init__(
        self,
        standard: pd.DataFrame,
        plates: pd.DataFrame,
        grid_of_building: dict[str, str],
        grid_of_house: dict[str, str],
    ) -> None:
        self.standard = standard
        self.plates = plates  # lng, lat, building_code
        self.grid_of_building = grid_of_building
        self.grid_of_house = grid_of_house

    @classmethod
    def load(cls, session: Session, townships: Iterable[str] | None = None) -> Locator:
        """The county's reference (or, for a few reports, their townships' standard
        addresses only)."""
        standard = (
            load_standard_addresses(session) if townships is None
            else _standard_in(session, sorted(set(townships)))
        )  # fmt: skip
        buildings = {
            str(b): str(g)
            for b, g in session.execute(select(GridBuilding.building_code, GridBuilding.grid_code))
        }
        houses = {
            str(h): str(g)
            for h, g in session.execute(
                select(House.id, House.grid_code).where(House.grid_code.is_not(None))
            )
        }
        return cls(standard, door_plates(session), buildings, houses)

    def locate(self, reports: pd.DataFrame) -> pd.DataFrame:
        """``uid``, ``grid_code``, ``house_id``, ``located_by`` for ``reports`` (``uid``,
        the address parts of ``fields.address``, ``lng``, ``lat``)."""
        out = pd.DataFrame({"uid": reports["uid"], "grid_code": None, "house_id": None,
                            "located_by": None}, index=reports.index)  # fmt: skip
        if reports.empty:
            return out
        texts = reports.assign(dataset=catalog.REPORTS.key, address_code=None)
        for column in ("address_key", *_PART_COLUMNS):
            if column not in texts:
                texts[column] = None
        links = link_houses(self.standard, texts).links.set_index(reports.index)
        room = links["precision"] == "room"
        house = ("H" + links["address_code"]).where(room)
        out.loc[room, "house_id"] = house[room]
        out.loc[room, "grid_code"] = house[room].map(self.grid_of_house)
        out.loc[room, "located_by"] = "address"
        building = (links["precision"] == "building") | (room & out["grid_code"].isna())
        out.loc[building, "grid_code"] = links.loc[building, "building_code"].map(
            self.grid_of_building
        )
        out.loc[building & ~room, "located_by"] = "building"
        unplaced = out["grid_code"].isna()
        if unplaced.any() and len(self.plates):
            nearest = self._nearest(reports.loc[unplaced, ["lng", "lat"]])
            grids = nearest.map(self.grid_of_building)
            found = grids.dropna().index
            out.loc[found, "grid_code"] = grids[found]
            out.loc[found, "located_by"] = "coordinates"
        out.loc[out["grid_code"].isna(), ["house_id", "located_by"]] = None
        return out

    def _nearest(self, points: pd.DataFrame) -> pd.Series:
        """The building of the nearest door plate within :data:`NEAR_METRES` of each point."""
        plates = self.plates
        lng, lat = plates["lng"].to_numpy(float), plates["lat"].to_numpy(float)
        found = pd.Series(None, index=points.index, dtype=object)
        for index, x, y in zip(points.index, points["lng"], points["lat"], strict=True):
            if x is None or y is None or pd.isna(x) or pd.isna(y):
                continue
            scale = math.cos(math.radians(float(y)))
            dx = (lng - float(x)) * scale * _METRES_PER_DEGREE
            dy = (lat - float(y)) * _METRES_PER_DEGREE
            distance = np.hypot(dx, dy)
            best = int(np.argmin(distance))
            if distance[best] <= NEAR_METRES:
                found[index] = plates["building_code"].iloc[best]
        return found


def _standard_in(session: Session, townships: list[str]) -> pd.DataFrame:
    """:func:`load_standard_addresses` of some townships only (their keys start with them)."""
    fields = SourceRecord.fields
    stmt = select(
        SourceRecord.address_code, fields["building_code"].as_string(), fields["use"].as_string(),
        SourceRecord.address_key,
    ).where(
        SourceRecord.dataset == catalog.ADDRESSES.key, SourceRecord.valid_to.is_(None),
        SourceRecord.address_code.is_not(None),
        or_(*(SourceRecord.address_key.startswith(f"{t}|", autoescape=True) for t in townships)),
    )  # fmt: skip
    frame = pd.DataFrame(session.execute(stmt).all(),
                         columns=["address_code", "building_code", "use", "key"])  # fmt: skip
    frame["building_code"] = frame["building_code"].fillna(frame["address_code"].str[:16])
    frame = pd.concat([frame, split_key(frame["key"])], axis=1)
    return frame[list(STANDARD_COLUMNS)]


def address_frame(
    uid: str, address: str | None, lng: float | None, lat: float | None
) -> pd.DataFrame:
    """One report as :meth:`Locator.locate` takes it, its address parsed as ingest would."""
    parsed = address_fields(parse_address(address))
    row = {"uid": uid, "address_key": parsed["key"], "lng": lng, "lat": lat,
           **{name: parsed[name] for name in _PART_COLUMNS}}  # fmt: skip
    return pd.DataFrame([row])


def door_plates(session: Session) -> pd.DataFrame:
    """Current door plates with coordinates and the building their address is linked to."""
    fields = SourceRecord.fields
    stmt = (
        select(
            fields["lng"].as_float().label("lng"),
            fields["lat"].as_float().label("lat"),
            RecordLink.entity_id,
            House.building_code,
        )
        .join(RecordLink, (RecordLink.dataset == SourceRecord.dataset)
              & (RecordLink.record_id == SourceRecord.record_id)
              & (RecordLink.kind == EntityKind.HOUSE))
        .outerjoin(House, House.id == RecordLink.entity_id)
        .where(SourceRecord.dataset == catalog.DOOR_PLATES.key, SourceRecord.valid_to.is_(None))
    )  # fmt: skip
    frame = read_frame(session, stmt)
    # A link to a building names it as ``B`` + its code; one to a house, the house.
    by_link = frame["entity_id"].where(frame["entity_id"].str.startswith("B")).str[1:]
    frame["building_code"] = frame["building_code"].fillna(by_link)
    frame = frame.dropna(subset=["lng", "lat", "building_code"])
    return frame[["lng", "lat", "building_code"]].reset_index(drop=True)


def reporters(session: Session, phones: Iterable[str]) -> dict[str, str]:
    """Phone -> the one active person whose golden phone it is (phones of several: none)."""
    wanted = sorted({p for p in phones if p})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        rows = session.execute(
            select(Person.phone, func.min(Person.id), func.count())
            .where(Person.status == EntityStatus.ACTIVE, Person.phone.in_(batch))
            .group_by(Person.phone)
        )
        found.update({str(phone): person for phone, person, n in rows if n == 1})
    return found
