"""City management: door plates (门牌) and citizen reports (随手拍).

Door plates hang on every building of the two central towns and on some elsewhere: one per
building (its flats under it), plus a gate plate for some compounds (which names no single
building). Reports come from residents' phones (some report often), from grid workers, and from
phones no record holds; they name a door number, a spot near one, or a crossing, and move
through 已提交 -> 已转办 -> 办理中 -> 已反馈 -> 已评价 as snapshots go by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from evalset import addresses
from evalset.addresses import Target
from evalset.model import Building, Person
from evalset.places import CENTRAL
from evalset.seeds import Rng

if TYPE_CHECKING:
    from evalset.world import World

KIND_OF = {
    "apartment": "住宅",
    "house": "住宅",
    "shop": "商铺",
    "factory": "厂房",
    "public": "公共建筑",
}
CATEGORIES = (
    ("占道经营", 0.25),
    ("环境卫生", 0.25),
    ("市容秩序", 0.2),
    ("交通违法", 0.12),
    ("违章搭建", 0.08),
    ("其他", 0.1),
)
DESCRIPTIONS = {
    "占道经营": ("流动摊贩占道经营，影响通行", "店铺把货物摆到人行道上", "早市占用车道"),
    "环境卫生": ("垃圾桶满了没人清运", "路边有建筑垃圾堆放", "下水道堵塞有异味"),
    "市容秩序": ("广告牌松动有安全隐患", "乱贴小广告", "路灯不亮"),
    "交通违法": ("车辆乱停放堵住消防通道", "电动车逆行", "大货车占道停放"),
    "违章搭建": ("楼顶加盖铁皮房", "一楼私自扩建", "占用公共绿地搭棚"),
    "其他": ("噪音扰民", "树枝断裂挡路", "井盖破损"),
}
STATUSES = ("已提交", "已转办", "办理中", "已反馈", "已评价")
DEPARTMENTS = {
    "占道经营": "城管局",
    "环境卫生": "环卫站",
    "市容秩序": "城管局",
    "交通违法": "交警大队",
    "违章搭建": "住建局",
    "其他": "城管局",
}


@dataclass(slots=True, eq=False)
class DoorPlate:
    record_id: str
    building: Building
    address: str
    gate: bool  # a compound's gate plate: no single building
    target: Target
    why_undecidable: str = ""
    gone: bool = False  # the building was pulled down

    def feature(self) -> dict[str, object]:
        b = self.building
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [b.lng, b.lat]},
            "properties": {
                "门牌编码": self.record_id,
                "地址": self.address,
                "建筑类型": KIND_OF[b.kind],
                "楼层数": b.floors,
            },
        }


@dataclass(slots=True, eq=False)
class Report:
    event_id: str
    category: str
    description: str
    address: str
    lng: float
    lat: float
    reported: datetime
    phone: str
    reporter: Person | None  # the resident whose phone it is, when one is
    target: Target
    stage: int  # index into STATUSES
    rating: int | None
    points: int
    why_undecidable: str = ""

    def obj(self) -> dict[str, object]:
        return {
            "event_id": self.event_id,
            "category": self.category,
            "description": self.description,
            "address": self.address,
            "lng": self.lng,
            "lat": self.lat,
            "reported_at": self.reported.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
            "reporter_phone": self.phone,
            "status": STATUSES[self.stage],
            "department": DEPARTMENTS[self.category] if self.stage else "",
            "rating": self.rating,
            "points": self.points,
        }


def _plate_target(building: Building) -> Target:
    if len(building.houses) == 1:
        return (building.houses[0].code, building.code)
    return ("", building.code)


def build_plates(world: World) -> dict[str, DoorPlate]:
    plates: dict[str, DoorPlate] = {}
    rng = world.rng.child("chengguan-plates", 0)
    for building in world.buildings:
        add_plate(world, building, rng.child(building.code), plates)
    return plates


def add_plate(world: World, building: Building, rng: Rng, plates: dict[str, DoorPlate]) -> None:
    central = building.village.township.name in CENTRAL
    if not central and not rng.chance(0.4):
        return
    record_id = world.unique.code("MP", 12)
    plates[record_id] = DoorPlate(
        record_id=record_id,
        building=building,
        address=addresses.building_text(building, world.noise, rng),
        gate=False,
        target=_plate_target(building),
    )
    first = building.compound[0] if building.compound else building
    if (
        len(building.compound) > 1
        and first is building
        and world.noise.hit("chengguan.gate_plate", rng=rng)
    ):
        record_id = world.unique.code("MP", 12)
        plates[record_id] = DoorPlate(
            record_id=record_id,
            building=building,
            address=addresses.gate_text(building),
            gate=True,
            target=None,
        )


class Reports:
    def __init__(self) -> None:
        self.events: dict[str, Report] = {}
        self.frequent: list[Person] = []  # residents who report often


def _place(world: World, rng: Rng) -> tuple[str, float, float, Target]:
    """Where a report is: a door number (a building), near one, or a crossing."""
    buildings = world.buildings
    for _ in range(20):
        building = rng.pick(buildings)
        if building.village.township.name in CENTRAL or rng.chance(0.2):
            break
    road = building.road or building.village.name
    lng = round(building.lng + rng.gauss(0, 0.0003), 6)
    lat = round(building.lat + rng.gauss(0, 0.0003), 6)
    style = rng.weighted(("door", "near", "crossing", "building"), (0.45, 0.2, 0.2, 0.15))
    township = building.village.township.name
    single = len(building.compound) <= 1
    if style == "door":
        target: Target = _plate_target(building) if single else None
        return f"{township}{road}{building.door}", lng, lat, target
    if style == "near":
        return f"{road}{building.door}{rng.pick(('附近', '对面', '旁边'))}", lng, lat, None
    if style == "crossing" and building.village.roads:
        other = rng.pick(building.village.roads)
        if other != road:
            return f"{road}与{other}交叉口", lng, lat, None
    name = building.name if not single else ""
    return (
        f"{building.village.name}{road}{building.door}{name}{rng.pick(('楼下', '门口', ''))}",
        lng,
        lat,
        _plate_target(building),
    )


def new_report(world: World, reports: Reports, day: date, rng: Rng) -> Report:
    noise = world.noise
    reporter: Person | None = None
    phone = ""
    if noise.hit("chengguan.worker_reporter", rng=rng):
        grid = rng.pick([g for g in world.grids if g.worker is not None])
        reporter, phone = grid.worker, grid.worker_phone
    elif noise.hit("chengguan.unknown_reporter", rng=rng):
        phone = world.unique.mobile()
    else:
        if reports.frequent and rng.chance(0.3):
            reporter = rng.pick(reports.frequent)
        else:
            for _ in range(30):
                candidate = rng.pick(world.persons)
                if candidate.active and candidate.phone and 18 <= candidate.age_on(day) <= 70:
                    reporter = candidate
                    break
            if reporter is not None and rng.chance(0.1):
                reports.frequent.append(reporter)
        phone = reporter.phone if reporter else world.unique.mobile()
    if phone and noise.hit("phone.plus86", rng=rng):
        phone = "+86" + phone
    category = rng.weighted([c for c, _ in CATEGORIES], [w for _, w in CATEGORIES])
    address, lng, lat, target = _place(world, rng)
    moment = datetime(
        day.year, day.month, day.day, rng.randint(7, 21), rng.randrange(60), rng.randrange(60)
    )
    event_id = world.unique.code(f"CG{day:%Y%m%d}", 6, space="CG")
    report = Report(
        event_id=event_id,
        category=category,
        description=rng.pick(DESCRIPTIONS[category]),
        address=address,
        lng=lng,
        lat=lat,
        reported=moment,
        phone=phone,
        reporter=reporter,
        target=target,
        stage=0,
        rating=None,
        points=0,
    )
    reports.events[event_id] = report
    return report


def progress(report: Report, today: date, rng: Rng) -> None:
    """Move a report on to where its age puts it (each step takes a few days)."""
    age = (today - report.reported.date()).days
    target_stage = min(4, age // rng.randint(2, 6))
    while report.stage < target_stage:
        if report.stage == 3 and not rng.chance(0.6):  # many never rate
            break
        report.stage += 1
        if report.stage == 1:
            report.points = rng.pick((0, 5, 10, 10, 20))
        if report.stage == 4:
            report.rating = rng.weighted((1, 2, 3, 4, 5), (0.05, 0.05, 0.15, 0.3, 0.45))


def build_reports(world: World) -> Reports:
    reports = Reports()
    rng = world.rng.child("chengguan-reports", 0)
    count = max(5, round(len(world.persons) * 0.03))
    for _ in range(count):
        day = world.today - timedelta(days=rng.randrange(1, 180))
        report = new_report(world, reports, day, rng)
        progress(report, world.today, rng)
    return reports
