"""Citizen reports (随手拍): what people report, where, and how far each report has got.

A report's status is not stored: it follows from its age and its drawn stage durations, so a
later snapshot shows the same report further along (提交 -> 转办 -> 办理 -> 反馈 -> 评价).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from hub.generate.addresses import report_address, report_place
from hub.generate.model import Person, Report

if TYPE_CHECKING:
    from hub.generate.world import World

REPORTS_PER_RESIDENT_YEAR = 0.03
RESIDENT_REPORTER_SHARE = 0.75  # the rest are visitors' phones
RATED_SHARE = 0.65
VALID_SHARE = 0.9
WINDOW_DAYS = 365  # a snapshot lists the reports of the last year
STATUSES = ("已提交", "已转办", "办理中", "已反馈", "已评价")

CATEGORIES: dict[str, float] = {
    "交通违法": 20, "环境卫生": 30, "市容秩序": 18, "占道经营": 15, "违章搭建": 7, "其他": 10,
}  # fmt: skip
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "交通违法": ("县公安局交警大队",),
    "环境卫生": ("县环境卫生服务中心", "{township}人民政府"),
    "市容秩序": ("县城市管理局", "{township}人民政府"),
    "占道经营": ("县城市管理局", "县市场监督管理局"),
    "违章搭建": ("县城市管理局", "县自然资源局"),
    "其他": ("{township}人民政府", "县住房和城乡建设局", "县水利局"),
}
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "交通违法": ("{place}有机动车违停，占用人行道", "{place}电动车逆行较多，存在安全隐患",
             "{place}货车乱停乱放堵塞通道"),
    "环境卫生": ("{place}垃圾堆放未及时清运", "{place}污水外溢，气味难闻",
             "{place}绿化带内有大量杂物"),
    "市容秩序": ("{place}广告牌破损有掉落风险", "{place}乱拉乱挂横幅", "{place}共享单车乱停放"),
    "占道经营": ("{place}有流动摊贩占道经营", "{place}店铺占用人行道摆放商品",
             "{place}夜市摊点占道"),
    "违章搭建": ("{place}疑似新建违章建筑", "{place}楼顶私自搭建铁皮房"),
    "其他": ("{place}路灯不亮", "{place}井盖缺失", "{place}道路破损积水"),
}  # fmt: skip
RATINGS = {5: 50, 4: 25, 3: 12, 2: 7, 1: 6}


def add_reports(world: World, start: date, end: date) -> None:
    """Reports made after ``start`` up to and including ``end``."""
    rng = world.rng
    present = world.present()
    reporters = [p for p in present if p.phone]
    days = (end - start).days
    count = max(1, round(len(present) * REPORTS_PER_RESIDENT_YEAR * days / 365))
    buildings = world.buildings
    if not buildings:
        return
    categories = list(CATEGORIES)
    moments = sorted(
        datetime.combine(start, time()) + timedelta(days=rng.randint(1, days), hours=_hour(rng))
        for _ in range(count)
    )
    for moment in moments:
        building = rng.choice(buildings)
        category = rng.choices(categories, list(CATEGORIES.values()))[0]
        township = building.village.township.name
        resident: Person | None = None
        if reporters and rng.random() < RESIDENT_REPORTER_SHARE:
            resident = rng.choice(reporters)
            phone = resident.phone
        else:
            phone = world.people.phones.mobile()
        rated = rng.random() < RATED_SHARE
        ratings = list(RATINGS)
        world.reports.append(
            Report(
                serial=world.counters.get("report", 0),
                category=category,
                description=rng.choice(DESCRIPTIONS[category]).format(
                    place=report_place(building, rng.random())
                ),
                address=report_address(building, rng.random()),
                lng=round(building.lng + rng.gauss(0, 0.0004), 6),
                lat=round(building.lat + rng.gauss(0, 0.0004), 6),
                reported=moment,
                reporter=resident,
                phone=phone,
                department=rng.choice(DEPARTMENTS[category]).format(township=township),
                stage_hours=(
                    rng.uniform(1, 48),
                    rng.uniform(2, 96),
                    rng.uniform(12, 240),
                    rng.uniform(12, 360),
                ),
                rating=rng.choices(ratings, list(RATINGS.values()))[0] if rated else None,
                valid=rng.random() < VALID_SHARE,
            )
        )
        world.counters["report"] = world.counters.get("report", 0) + 1


def _hour(rng: random.Random) -> float:
    return rng.choice((7, 8, 9, 10, 11, 14, 15, 16, 17, 19, 20, 21)) + rng.random()


def status(report: Report, now: datetime) -> str:
    """How far the report has got by ``now``."""
    elapsed = (now - report.reported).total_seconds() / 3600
    reached = 0
    for hours in report.stage_hours:
        if elapsed < hours:
            break
        elapsed -= hours
        reached += 1
    if reached == 4 and (report.rating is None or not report.valid):
        reached = 3  # never rated: the report rests as answered
    return STATUSES[reached]


def visible(report: Report, on: date) -> bool:
    """Listed in the snapshot of ``on``: made by then, within the last year."""
    day = report.reported.date()
    return day <= on and (on - day).days < WINDOW_DAYS


def points(report: Report, state: str) -> int:
    """Points earned so far: valid reports earn them once assigned."""
    if not report.valid or state == STATUSES[0]:
        return 0
    return 10 if report.category == "交通违法" else 5
