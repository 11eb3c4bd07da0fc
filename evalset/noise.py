"""Every kind of real-world defect the set carries, with its rate, and the log of what was drawn.

A kind is tried once per *unit* (a record of some dataset, a person, a file); it applies with
probability ``rate × --noise × factor``, where ``factor`` is 1 except where reality correlates
defects (a township office that types badly, the records of one person's immunisation file).
``evalset/README.md`` lists the same table; a test holds the two together and checks that what
was drawn matches what is stated. Every trial is logged (``noise.csv`` in the truth folder), so
the rates can be read back from a generated set.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from evalset.seeds import Rng


@dataclass(frozen=True, slots=True)
class Kind:
    key: str
    rate: float  # probability per unit at --noise 1.0
    unit: str  # what one trial is
    what: str  # the defect, with an example


KINDS: tuple[Kind, ...] = (
    # --- names: the same person written differently ---------------------------------------
    Kind(
        "name.truncated",
        0.008,
        "record outside gongan (given name of 2+ characters)",
        "given name cut short: 王明杰 -> 王明",
    ),
    Kind("name.former", 0.05, "person born before 1975", "has a former name (曾用名)"),
    Kind(
        "name.former_used",
        0.30,
        "record outside gongan of a person with a former name",
        "the former name is written instead of the registered one",
    ),
    Kind(
        "name.nickname",
        0.002,
        "civil-affairs or party row",
        "the name people call them: 陈阿明, 林小芳 (阿 / 小 + a character of the given name)",
    ),
    Kind(
        "name.homophone",
        0.010,
        "civil-affairs or party row",
        "one given-name character replaced by a homophone (同音字): 陈秀英 -> 陈秀瑛",
    ),
    Kind(
        "name.homophone_file",
        0.004,
        "immunisation or health file",
        "homophone in the name of a health-system file (all its records carry it)",
    ),
    Kind(
        "name.lookalike",
        0.003,
        "record outside gongan",
        "a look-alike character (形近字): 王己 -> 王已",
    ),
    Kind(
        "name.rare",
        0.012,
        "person",
        "the registered name holds a rare character (生僻字) "
        "public security stores (GB18030), e.g. 堃, 喆, 𠮷",
    ),
    Kind(
        "name.rare_replaced",
        0.70,
        "record outside gongan of a person with a rare character",
        "rare character replaced: a look-alike (堃 -> 坤), pinyin (kun), ? or □",
    ),
    Kind(
        "name.traditional",
        0.015,
        "immunisation file",
        "traditional characters (clinic of Hong Kong / Taiwan relatives): 陳麗華",
    ),
    Kind(
        "name.minority_separator",
        0.8,
        "record outside gongan of a name with ·",
        "the · of a minority name written as a space, ., •, - or dropped",
    ),
    Kind("name.spaces", 0.04, "civil-affairs row", "stray spaces in the name: '陈 丽', ' 陈丽 '"),
    # --- duplicates and newborns ------------------------------------------------------------
    Kind(
        "gongan.duplicate",
        0.0025,
        "registered person",
        "public security holds the person twice (same ID and household, new 人员编号, "
        "the given name truncated on one row)",
    ),
    Kind(
        "gongan.reregistered",
        0.015,
        "registered person",
        "registered before under another 人员编号 (household split, floating worker settled): "
        "the old row stays, cancelled, with the old household number",
    ),
    Kind("gongan.no_address", 0.03, "person row", "居住地址编码 empty (x4 for floating people)"),
    Kind(
        "gongan.stale_address",
        0.01,
        "person row of someone who moved within the county",
        "居住地址编码 still the previous house",
    ),
    Kind("gongan.legacy_id", 0.01, "person born before 1982", "a 15-digit legacy ID on the row"),
    Kind("gongan.no_id", 0.04, "floating person", "公民身份号码 empty"),
    Kind(
        "weijian.duplicate_file",
        0.06,
        "child born since 2010",
        "a second immunisation file for the same child (one made at birth as 陈丽之子 with no "
        "ID, one later with name and ID): doses split between the two",
    ),
    Kind(
        "weijian.placeholder_kept",
        0.05,
        "birth file",
        "the birth file keeps the placeholder name (陈丽之子, 王芳之女, 之女, 宝宝) after the "
        "child is named",
    ),
    Kind("weijian.adult_no_id", 0.02, "adult immunisation file", "id_no empty"),
    Kind(
        "weijian.passport",
        0.004,
        "resident",
        "a relative from Hong Kong, Macao, Taiwan or "
        "abroad vaccinated in Dehua on a passport or permit (a person only health knows)",
    ),
    # --- resident IDs ------------------------------------------------------------------------
    Kind("minzheng.sex_empty", 0.08, "civil-affairs row", "性别 left empty"),
    Kind("id.check_digit", 0.003, "ID written outside gongan", "wrong check digit"),
    Kind("id.transposed", 0.003, "ID written outside gongan", "two adjacent digits swapped"),
    Kind("id.one_digit", 0.004, "ID written outside gongan", "one digit wrong"),
    Kind(
        "id.excel_number",
        0.025,
        "civil-affairs row",
        "ID typed as a number: the cell is 3.50526199001011E+17 or the text 3.50526E+17",
    ),
    Kind("id.x_dropped", 0.25, "civil-affairs row whose ID ends in X", "trailing X dropped"),
    Kind("id.x_lower", 0.12, "ID ending in X written outside gongan", "lower-case x"),
    Kind("id.spaces", 0.02, "civil-affairs or party row", "spaces inside: 350526 19900101 1234"),
    Kind("id.fullwidth", 0.008, "civil-affairs or party row", "full-width digits: ３５０５２６…"),
    Kind(
        "id.legacy",
        0.02,
        "record outside gongan of a person born before 1982",
        "the 15-digit legacy ID",
    ),
    Kind("id.missing", 0.01, "ID typed outside gongan", "ID left empty"),
    Kind(
        "id.household_member",
        0.002,
        "civil-affairs row",
        "the ID of another member of the household (the spouse's, a parent's)",
    ),
    # --- birth dates -------------------------------------------------------------------------
    Kind(
        "birth.day_month_swapped",
        0.003,
        "immunisation file of someone born on day 1-12",
        "day and month swapped",
    ),
    Kind("birth.wrong", 0.002, "immunisation file", "birth date off by days or a year"),
    Kind("birth.month_wrong", 0.005, "party row", "出生年月 one month off"),
    # --- phones ------------------------------------------------------------------------------
    Kind(
        "phone.changed",
        0.12,
        "person with a mobile",
        "changed number in the last years; older records keep the old one",
    ),
    Kind(
        "phone.old_kept",
        0.5,
        "record outside gongan of a person who changed number",
        "the old number is written",
    ),
    Kind("phone.two_numbers", 0.06, "civil-affairs row", "two numbers: 13812345678/0595-23123456"),
    Kind(
        "phone.landline", 0.08, "civil-affairs row (x0.2 party)", "the home landline 0595-23xxxxxx"
    ),
    Kind(
        "phone.format",
        0.03,
        "record outside gongan with a phone",
        "spaces or dashes: 138 1234 5678, 138-1234-5678",
    ),
    Kind("phone.plus86", 0.02, "immunisation file or report", "+86 / 86 prefix"),
    Kind("phone.missing", 0.05, "record outside gongan", "phone left empty"),
    Kind(
        "phone.family",
        0.6,
        "record of a person aged 70+ without a mobile",
        "records carry a child's mobile (family members sharing one phone)",
    ),
    # --- dates as typed (civil affairs 起始日期) ---------------------------------------------
    Kind("date.excel_date", 0.30, "civil-affairs row", "起始日期 is an Excel date cell"),
    Kind(
        "date.excel_serial", 0.05, "civil-affairs row", "起始日期 typed as a serial number: 44621"
    ),
    Kind("date.impossible", 0.003, "civil-affairs row", "an impossible date: 2021-2-30, 2021-13-5"),
    Kind("amount.typed", 0.35, "civil-affairs row", "月保障金额 as text: 650.00, 650元"),
    # --- free-text addresses -----------------------------------------------------------------
    Kind(
        "addr.short_form",
        0.35,
        "free-text address of a flat",
        "short forms: 37号1幢1单元-502, 4#2单元-102, 英山路8号3幢501, 30号 -101",
    ),
    Kind("addr.no_township", 0.25, "free-text address", "township left out"),
    Kind("addr.county_prefix", 0.30, "free-text address", "德化县 / 福建省德化县 in front"),
    Kind("addr.no_village", 0.15, "free-text address in a town", "village or community left out"),
    Kind("addr.abbreviated", 0.05, "free-text address", "社区 / 村 dropped: 英山路 in 英山"),
    Kind("addr.road_typo", 0.015, "free-text address with a road", "a homophone in the road name"),
    Kind(
        "addr.group_only",
        0.20,
        "free-text rural address",
        "only the villagers' group: 三班社区1组 (names no house: no truth row)",
    ),
    Kind(
        "addr.unit_dropped",
        0.08,
        "free-text address of a flat",
        "unit left out: 3幢501 (a building of several units: names the building only)",
    ),
    Kind(
        "addr.numerals", 0.02, "free-text address", "Chinese or full-width numerals: 十二号, １２号"
    ),
    Kind("addr.unusable", 0.005, "free-text address", "同上, 不详, 见户口本 (no truth row)"),
    Kind(
        "addr.stale",
        0.6,
        "civil-affairs or party row of someone who moved",
        "the previous address is kept (the row names the old house)",
    ),
    # --- party building ----------------------------------------------------------------------
    Kind("dangjian.duplicate", 0.004, "party member", "two rows after a transfer between branches"),
    # --- city management ---------------------------------------------------------------------
    Kind(
        "chengguan.gate_plate",
        0.5,
        "compound of several buildings",
        "one more door plate for the compound gate (names no single building: no truth row)",
    ),
    Kind("chengguan.unknown_reporter", 0.25, "citizen report", "a phone no record holds"),
    Kind("chengguan.worker_reporter", 0.10, "citizen report", "filed by a grid worker"),
    # --- grid reference ----------------------------------------------------------------------
    Kind("wangge.work_phone", 0.35, "grid worker", "a work mobile no other record holds"),
    Kind("wangge.name_typo", 0.005, "grid row with a worker", "homophone in the worker's name"),
    # --- the world's hard cases (real, not defects; scaled too) ------------------------------
    Kind(
        "world.twins",
        0.012,
        "child born",
        "twins: same birth date, household, phone, similar names",
    ),
    Kind(
        "world.namesake_same_day",
        0.002,
        "adult resident",
        "a namesake born the same day elsewhere in the county (common names: 陈丽, 林秀英)",
    ),
    Kind(
        "world.shared_char",
        0.3,
        "child",
        "given name shares a character with a parent's or sibling's (generation names 字辈)",
    ),
    # --- files and rows ----------------------------------------------------------------------
    Kind(
        "file.truncated",
        0.15,
        "line-based delivery (not the grid file)",
        "half-written: the last line cut in the middle",
    ),
    Kind("file.tmp", 0.3, "snapshot", "a copy in progress with a .tmp suffix"),
    Kind(
        "file.bad_name",
        0.3,
        "snapshot",
        "a copy whose name breaks the pattern: 人口_20261130(1).csv",
    ),
    Kind(
        "file.redelivered",
        0.5,
        "next snapshot",
        "one file of an earlier snapshot delivered again, byte for byte",
    ),
    Kind(
        "file.excel_lock", 0.3, "civil-affairs workbook", "Excel's lock file ~$救助对象_202611.xlsx"
    ),
    Kind("rows.sparse", 0.005, "civil-affairs row", "a row missing most cells"),
    Kind("rows.footer", 0.8, "civil-affairs workbook", "合计 and 制表人 rows under the table"),
    Kind(
        "rows.test",
        0.0005,
        "record",
        "a test row no system should accept: 测试, 123456… (listed in undecidable.csv)",
    ),
)

RATES: dict[str, Kind] = {kind.key: kind for kind in KINDS}


@dataclass(slots=True)
class Tally:
    trials: int = 0
    expected: float = 0.0
    applied: int = 0


@dataclass(slots=True)
class Noise:
    """Draws defects at ``scale`` (the ``--noise`` factor) and logs every trial."""

    scale: float
    rng: Rng
    tallies: dict[str, Tally] = field(default_factory=dict)

    def p(self, key: str, factor: float = 1.0) -> float:
        return min(1.0, RATES[key].rate * self.scale * factor)

    def hit(self, key: str, factor: float = 1.0, rng: Rng | None = None) -> bool:
        """One trial of ``key``; True when the defect applies."""
        p = self.p(key, factor)
        tally = self.tallies.get(key)
        if tally is None:
            tally = self.tallies[key] = Tally()
        tally.trials += 1
        tally.expected += p
        if (rng or self.rng).random() < p:
            tally.applied += 1
            return True
        return False

    def reset(self) -> None:
        self.tallies.clear()

    def csv_text(self, snapshot: str) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["snapshot", "kind", "unit", "stated_rate", "trials", "expected", "applied"]
        )
        for kind in KINDS:
            tally = self.tallies.get(kind.key, Tally())
            writer.writerow(
                [
                    snapshot,
                    kind.key,
                    kind.unit,
                    f"{kind.rate * self.scale:.6g}",
                    tally.trials,
                    f"{tally.expected:.2f}",
                    tally.applied,
                ]
            )
        return out.getvalue()
