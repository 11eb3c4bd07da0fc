"""Render the world as each department sees it: one module per landing sub-folder.

A renderer turns the world on a snapshot date into the good rows of one dataset, in delivery
order, and notes for the truth files which person and house each row is about and which
fields it damaged on purpose. Bad rows are added afterwards by :mod:`hub.generate.badrows`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hub.generate.dice import Dice
from hub.generate.model import House, Person
from hub.generate.options import NoiseRates
from hub.generate.world import World
from hub.sources.catalog import Dataset
from hub.sources.problems import FieldCode


@dataclass(frozen=True, slots=True)
class Context:
    """What every renderer needs: the world, its dice, the snapshot date and number."""

    world: World
    dice: Dice
    on: date
    snapshot: int

    @property
    def rates(self) -> NoiseRates:
        return self.world.rates


@dataclass(slots=True)
class Rendered:
    """What the truth files need about one dataset's snapshot (its rows are streamed)."""

    dataset: Dataset
    persons: list[tuple[str, str]] = field(default_factory=list)  # record id, person key
    houses: list[tuple[str, str, str]] = field(default_factory=list)  # id, house, building
    issues: list[tuple[str, str, str]] = field(default_factory=list)  # id, field, FieldCode
    quirks: Counter[str] = field(default_factory=Counter)

    def person(self, record_id: str, person: Person) -> None:
        """The record is about this person."""
        self.persons.append((record_id, person.key))

    def house(self, record_id: str, house: House) -> None:
        """The record is about (or gives the address of) this house."""
        self.houses.append((record_id, house.key, house.building.key))

    def issue(self, record_id: str, column: str, code: FieldCode) -> None:
        """A field of the record was damaged on purpose; a loader should flag it so."""
        self.issues.append((record_id, column, code.value))
        self.quirks[code.value] += 1

    def quirk(self, name: str) -> None:
        """Count a quirk that is no damage (a format variant), for the manifest."""
        self.quirks[name] += 1


#: Yields a dataset's good rows in delivery order, noting truth on the ``Rendered`` it is given.
Renderer = Callable[[Context, Rendered], Iterator[dict[str, Any]]]


def renderers() -> dict[str, Renderer]:
    """Catalog key -> renderer, in the catalog's order."""
    from hub.generate.render import chengguan, dangjian, gongan, minzheng, wangge, weijian

    return {
        "gongan.population": gongan.population,
        "gongan.address": gongan.addresses,
        "minzheng.assistance": minzheng.assistance,
        "weijian.vaccination": weijian.vaccinations,
        "weijian.health_group": weijian.health_groups,
        "dangjian.member": dangjian.members,
        "chengguan.door_plate": chengguan.door_plates,
        "chengguan.report": chengguan.reports,
        "wangge.grid": wangge.grids,
    }
