"""Dehua county: its 18 townships, their villages and communities, roads and map positions.

Codes follow the national statistical division codes' shape (township ``350526`` + 3 digits,
towns 1xx and townships 2xx; village ``+ 3`` digits, communities 0xx and villages 2xx); they are
plausible, not the official list. About 80% of people live in the two central towns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evalset.seeds import Rng

COUNTY = "德化县"
PROVINCE_CITY = "福建省泉州市"


@dataclass(frozen=True, slots=True)
class TownshipSpec:
    code: str
    name: str
    share: float  # of the county's residents
    lng: float  # GCJ-02
    lat: float
    villages: tuple[str, ...]  # communities (社区) first, then villages (村)
    roads: tuple[str, ...]


TOWNSHIPS: tuple[TownshipSpec, ...] = (
    TownshipSpec(
        "350526100",
        "龙浔镇",
        0.45,
        118.2425,
        25.4925,
        (
            "英山社区",
            "南门社区",
            "东门社区",
            "西门社区",
            "宝美社区",
            "丁墘社区",
            "园林社区",
            "城东社区",
            "金山社区",
            "龙翔社区",
            "凤凰社区",
            "瓷都社区",
            "鹏祥社区",
            "龙津社区",
            "土坂村",
            "高阳村",
            "宝美村",
            "丁溪村",
            "戴云村",
            "塔雅村",
            "英山村",
            "南埕坑村",
        ),
        (
            "英山路",
            "宝美路",
            "龙津路",
            "浔北路",
            "环城路",
            "瓷都大道",
            "金山路",
            "南环路",
            "东环路",
            "丁溪路",
            "土坂路",
            "鹏祥路",
            "兴业路",
            "城东大道",
            "凤凰路",
            "龙浔路",
            "园林路",
            "德新街",
            "南门街",
            "西门街",
            "唐寨路",
            "宝鑫路",
        ),
    ),
    TownshipSpec(
        "350526101",
        "浔中镇",
        0.35,
        118.2210,
        25.5040,
        (
            "浔中社区",
            "东埔社区",
            "凤洋社区",
            "乐陶社区",
            "浔南社区",
            "浔东社区",
            "石山社区",
            "祖厝社区",
            "陶瓷城社区",
            "蒲坂社区",
            "浔中村",
            "祖厝村",
            "石山村",
            "凤洋村",
            "乐陶村",
            "蒲坂村",
            "东头村",
            "诗敏村",
            "仙境村",
            "高坪村",
            "洞上村",
            "丰田村",
        ),
        (
            "浔中路",
            "东埔路",
            "祖厝路",
            "凤洋路",
            "石山路",
            "乐陶路",
            "蒲坂路",
            "浔兴路",
            "陶瓷街",
            "工业路",
            "浔南路",
            "浔东路",
            "陶瓷城大道",
            "石鼓路",
            "诗敏路",
            "高坪路",
            "东头路",
            "龙鹏路",
            "瓷都路",
            "世纪大道",
        ),
    ),
    TownshipSpec(
        "350526102",
        "三班镇",
        0.026,
        118.3010,
        25.4470,
        ("三班社区", "泗滨村", "蕉溪村", "奎斗村", "桥内村", "龙阙村", "锦山村", "东山村"),
        ("三班路", "泗滨路", "蕉溪路"),
    ),
    TownshipSpec(
        "350526103",
        "龙门滩镇",
        0.014,
        118.3630,
        25.3820,
        ("龙门滩社区", "苏洋村", "霞碧村", "硕儒村", "碗洋村", "大坂村"),
        ("龙门路",),
    ),
    TownshipSpec(
        "350526104",
        "雷峰镇",
        0.015,
        118.1700,
        25.5530,
        ("雷峰社区", "潘祠村", "李溪村", "朱紫村", "蕉溪村", "瑞坂村"),
        ("雷峰路",),
    ),
    TownshipSpec(
        "350526105",
        "南埕镇",
        0.013,
        118.4050,
        25.6010,
        ("南埕社区", "连山村", "塔兜村", "西安村", "许田村"),
        ("南埕路",),
    ),
    TownshipSpec(
        "350526106",
        "水口镇",
        0.014,
        118.4830,
        25.4210,
        ("水口社区", "湖坂村", "承当村", "淳湖村", "丘坂村", "昆坂村"),
        ("水口街",),
    ),
    TownshipSpec(
        "350526107",
        "赤水镇",
        0.012,
        118.0520,
        25.7010,
        ("赤水社区", "戴云村", "铭爱村", "小铭村", "西溪村", "苏坑村"),
        ("赤水街",),
    ),
    TownshipSpec(
        "350526108",
        "上涌镇",
        0.011,
        118.0030,
        25.5810,
        ("上涌社区", "曾坂村", "黄坑村", "刘坑村", "桂格村", "下涌村"),
        ("上涌街",),
    ),
    TownshipSpec(
        "350526109",
        "葛坑镇",
        0.012,
        117.9320,
        25.8010,
        ("葛坑社区", "邱田村", "龙塔村", "蓝田村", "湖头村"),
        ("葛坑街",),
    ),
    TownshipSpec(
        "350526110",
        "盖德镇",
        0.013,
        118.1420,
        25.5020,
        ("盖德社区", "凤山村", "吾华村", "上地村", "有济村", "福山村"),
        ("盖德路",),
    ),
    TownshipSpec(
        "350526111",
        "美湖镇",
        0.008,
        118.2220,
        25.3330,
        ("美湖社区", "上漈村", "小湖村", "阳山村"),
        ("美湖街",),
    ),
    TownshipSpec(
        "350526200",
        "杨梅乡",
        0.009,
        117.9530,
        25.6520,
        ("杨梅村", "云溪村", "亭坑村", "上寨村"),
        (),
    ),
    TownshipSpec(
        "350526201", "汤头乡", 0.007, 118.0830, 25.6420, ("汤头村", "福阳村", "桐岭村"), ()
    ),
    TownshipSpec(
        "350526202", "桂阳乡", 0.008, 118.0020, 25.7330, ("桂阳村", "王春村", "彭坑村"), ()
    ),
    TownshipSpec(
        "350526203",
        "国宝乡",
        0.009,
        118.1830,
        25.3720,
        ("国宝村", "佛岭村", "内坂村", "格头村"),
        (),
    ),
    TownshipSpec(
        "350526204", "大铭乡", 0.006, 118.1020, 25.8020, ("大铭村", "琼英村", "东山村"), ()
    ),
    TownshipSpec(
        "350526205",
        "春美乡",
        0.008,
        118.3030,
        25.3530,
        ("春美村", "双翰村", "古春村", "新洋村"),
        (),
    ),
)

CENTRAL = ("龙浔镇", "浔中镇")
#: Full-county figures the contract gives; grids and houses scale with the residents asked for.
COUNTY_RESIDENTS = 334_400
COUNTY_GRIDS = {"first": 217, "unit": 618, "responsibility": 794}
EXTRA_VILLAGE_PARTS = ("坑", "洋", "厝", "坂", "山", "溪", "林", "田", "岭", "美")
EXTRA_VILLAGE_HEADS = "上下东西南北前后新大小高"


@dataclass(slots=True)
class Village:
    code: str  # 12 digits: township + 3
    name: str  # e.g. 英山社区, 浔中村
    township: TownshipSpec
    community: bool  # 社区 (town streets) rather than 村
    share: float  # of the county's residents
    roads: list[str]
    groups: int  # villagers' groups (村民小组), rural places only
    lng: float
    lat: float
    units: list[str] = field(default_factory=list)  # unit-grid codes, filled by grids

    @property
    def short(self) -> str:
        """The name without 社区 / 村, as people abbreviate it."""
        return self.name.removesuffix("社区").removesuffix("村")

    @property
    def urban(self) -> bool:
        return self.community and self.township.name in CENTRAL


def allot(total: int, weights: list[float], minimum: list[int]) -> list[int]:
    """Split ``total`` into integer parts, each at least its minimum, the rest by weight
    (largest remainders)."""
    base = list(minimum)
    left = total - sum(base)
    if left <= 0:
        return base
    wsum = sum(weights)
    raw = [left * w / wsum for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: left - sum(parts)]:
        parts[i] += 1
    return [b + p for b, p in zip(base, parts, strict=True)]


def build_villages(residents: int, rng: Rng) -> list[Village]:
    """The villages (first-level grids) of each township, as many as the county's proportion
    of 217 first-level grids to 334,400 residents gives (at least 3 per central town, 1
    elsewhere), each with its share of the township's residents."""
    scale = residents / COUNTY_RESIDENTS
    minimum = [3 if t.name in CENTRAL else 1 for t in TOWNSHIPS]
    total = max(sum(minimum), round(COUNTY_GRIDS["first"] * scale))
    # Rural townships have many small villages: weight by share^0.6, not by share.
    counts = allot(total, [t.share**0.6 for t in TOWNSHIPS], minimum)
    villages: list[Village] = []
    for spec, count in zip(TOWNSHIPS, counts, strict=True):
        names = _village_names(spec, count, rng.child("names", spec.code))
        communities = [n for n in names if n.endswith("社区")]
        # Communities hold more people than villages; the first of a town the most.
        weights = [
            (2.2 if n.endswith("社区") else 1.0) * (1.3 if i == 0 else 1.0) * rng.uniform(0.7, 1.3)
            for i, n in enumerate(names)
        ]
        wsum = sum(weights)
        community_no, village_no = 1, 200
        for i, name in enumerate(names):
            community = name.endswith("社区")
            if community:
                code, community_no = f"{spec.code}{community_no:03d}", community_no + 1
            else:
                code, village_no = f"{spec.code}{village_no:03d}", village_no + 1
            roads = _roads(spec, name, community, communities, rng.child("roads", spec.code, i))
            villages.append(
                Village(
                    code=code,
                    name=name,
                    township=spec,
                    community=community,
                    share=spec.share * weights[i] / wsum,
                    roads=roads,
                    groups=0 if (community and spec.name in CENTRAL) else rng.randint(4, 14),
                    lng=spec.lng + rng.uniform(-0.03, 0.03),
                    lat=spec.lat + rng.uniform(-0.03, 0.03),
                )
            )
    return villages


def _village_names(spec: TownshipSpec, count: int, rng: Rng) -> list[str]:
    names = list(spec.villages[:count])
    while len(names) < count:
        made = rng.pick(EXTRA_VILLAGE_HEADS) + rng.pick(EXTRA_VILLAGE_PARTS) + "村"
        if made not in names:
            names.append(made)
    return names


def _roads(
    spec: TownshipSpec, name: str, community: bool, communities: list[str], rng: Rng
) -> list[str]:
    """Town communities share the town's roads (each gets a few); villages mostly have none
    (door numbers hang on the village itself), some a road named after the village."""
    if spec.name in CENTRAL and community:
        index = communities.index(name)
        pool = list(spec.roads)
        start = (index * 3) % len(pool)
        own = [pool[(start + k) % len(pool)] for k in range(rng.randint(2, 4))]
        return list(dict.fromkeys(own))
    if community and spec.roads:
        return list(spec.roads)
    return [name.removesuffix("村") + "路"] if rng.chance(0.3) else []
