"""The closed vocabularies of the contract. A value outside them is kept and flagged."""

from __future__ import annotations

RELATIONS = frozenset(
    {
        "户主", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女", "外孙子", "外孙女",
        "儿媳", "女婿", "兄弟", "姐妹", "祖父", "祖母", "外祖父", "外祖母", "公公", "婆婆",
        "岳父", "岳母", "其他",
    }
)  # fmt: skip
REGISTRATION_TYPES = frozenset({"户籍人口", "流动人口"})
HOUSE_USES = frozenset({"住宅", "商住", "商铺", "厂房", "其他"})
BENEFIT_CATEGORIES = frozenset({"低保", "特困供养", "临时救助", "高龄补贴", "残疾人两项补贴"})
ID_TYPES = frozenset({"居民身份证", "护照", "港澳居民来往内地通行证", "无"})
HEALTH_GROUPS = frozenset(
    {"高血压", "糖尿病", "孕产妇", "严重精神障碍", "0-6岁儿童", "65岁以上老人"}
)
PARTY_CATEGORIES = frozenset({"正式党员", "预备党员"})
GRID_ROLES = frozenset({"网格党组织负责人", "楼栋长", "党员示范户"})
REPORT_CATEGORIES = frozenset({"交通违法", "环境卫生", "市容秩序", "占道经营", "违章搭建", "其他"})
REPORT_STATUSES = ("已提交", "已转办", "办理中", "已反馈", "已评价")  # in the order of the loop
CANCELLED_FLAGS = {"0": False, "1": True}
