"""Every department's records of the world, one module per source.

Each record knows the real person it describes and the place it names (its truth); the files
(``evalset.files``) write what the departments deliver, the truth (``evalset.truth``) what they
do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evalset.datasets import chengguan, dangjian, gongan, minzheng, weijian

if TYPE_CHECKING:
    from evalset.world import World

#: Dataset names as the hub names them (``source.dataset``).
POPULATION = "gongan.population"
ADDRESS = "gongan.address"
ASSISTANCE = "minzheng.assistance"
VACCINATION = "weijian.vaccination"
HEALTH_GROUP = "weijian.health_group"
MEMBER = "dangjian.member"
DOOR_PLATE = "chengguan.door_plate"
REPORT = "chengguan.report"
GRID = "wangge.grid"


@dataclass(eq=False)
class Datasets:
    population: gongan.Population
    assistance: dict[str, minzheng.AssistanceRow]
    immunisation: weijian.Immunisation
    health_groups: weijian.HealthGroups
    members: dict[str, dangjian.MemberRow]
    plates: dict[str, chengguan.DoorPlate]
    reports: chengguan.Reports

    @classmethod
    def build(cls, world: World) -> Datasets:
        assistance = minzheng.build_assistance(world)
        poor = {
            r.person.key
            for r in assistance.values()
            if r.person is not None and r.category in minzheng.LOW_INCOME
        }
        return cls(
            population=gongan.build_population(world),
            assistance=assistance,
            immunisation=weijian.build_immunisation(world, poor),
            health_groups=weijian.build_health_groups(world),
            members=dangjian.build_members(world),
            plates=chengguan.build_plates(world),
            reports=chengguan.build_reports(world),
        )
