"""The datasets the departments deliver, as described in ``shared/contracts/README.md``.

One :class:`Dataset` per file kind: where it lands, how its files are named, how they are
encoded and which column is the source's record id. The generator writes these files and the
readers accept them; both take names and patterns from here so they cannot drift apart.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass


class FileFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSONL = "jsonl"
    GEOJSON = "geojson"


class Encoding(enum.StrEnum):
    GB18030 = "gb18030"
    UTF8 = "utf-8"
    UTF8_BOM = "utf-8-sig"


@dataclass(frozen=True, slots=True)
class Dataset:
    """One kind of delivery file."""

    key: str  # stable identifier used in the database, e.g. "gongan.population"
    source: str  # landing sub-folder
    stem: str  # file-name stem before the date, e.g. "人口"
    file_format: FileFormat
    encoding: Encoding  # what the contract says the department writes
    record_id_field: str
    date_digits: int = 8  # 8 = YYYYMMDD, 6 = YYYYMM (civil affairs, monthly)
    sheet: str | None = None  # workbook sheet (xlsx only)
    header_row: int = 1  # 1-based row of the header (xlsx: row 2, under a title row)
    name_field: str | None = None  # the person's name column, for datasets about people
    columns: tuple[str, ...] = ()  # expected columns, in delivery order
    record_id_pattern: str = r".+"  # what the contract promises a record id looks like
    #: Columns a row must have a value in, at least; fewer and the row lost most of its cells
    #: (a row typed half-way, a JSON line missing most members). None: half the columns.
    min_values: int | None = None

    @property
    def values_needed(self) -> int:
        """:attr:`min_values`, or half the columns (rounded up)."""
        return self.min_values if self.min_values is not None else (len(self.columns) + 1) // 2

    @property
    def pattern(self) -> re.Pattern[str]:
        ext = {
            FileFormat.CSV: "csv",
            FileFormat.XLSX: "xlsx",
            FileFormat.JSONL: "jsonl",
            FileFormat.GEOJSON: "geojson",
        }[self.file_format]
        return re.compile(rf"^{re.escape(self.stem)}_(\d{{{self.date_digits}}})\.{ext}$")

    @property
    def record_id_regex(self) -> re.Pattern[str]:
        return _compiled(self.record_id_pattern)

    def file_name(self, date_token: str) -> str:
        """The delivery file name for a snapshot date token (YYYYMMDD or YYYYMM)."""
        return f"{self.stem}_{date_token[: self.date_digits]}.{self.file_format.value}"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:{pattern})$")


POPULATION = Dataset(
    key="gongan.population",
    source="gongan",
    stem="人口",
    file_format=FileFormat.CSV,
    encoding=Encoding.GB18030,
    record_id_field="人员编号",
    record_id_pattern=r"GA[0-9]{10}",
    name_field="姓名",
    columns=(
        "人员编号",
        "公民身份号码",
        "姓名",
        "性别",
        "民族",
        "出生日期",
        "户号",
        "与户主关系",
        "人员类别",
        "居住地址编码",
        "联系电话",
        "登记日期",
        "注销标志",
    ),
)
ADDRESSES = Dataset(
    key="gongan.address",
    source="gongan",
    stem="标准地址",
    file_format=FileFormat.CSV,
    encoding=Encoding.GB18030,
    record_id_field="地址编码",
    record_id_pattern=r"[0-9]{20}",
    columns=(
        "地址编码",
        "乡镇",
        "村社区",
        "街路巷",
        "门牌号",
        "楼栋号",
        "单元号",
        "户室号",
        "楼栋编码",
        "房屋用途",
    ),
)
ASSISTANCE = Dataset(
    key="minzheng.assistance",
    source="minzheng",
    stem="救助对象",
    file_format=FileFormat.XLSX,
    encoding=Encoding.UTF8,  # xlsx is zipped XML; the encoding is the format's own
    record_id_field="救助编号",
    record_id_pattern=r"MZ[0-9]{8}",
    date_digits=6,
    sheet="救助对象",
    header_row=2,
    name_field="姓名",
    columns=(
        "救助编号",
        "姓名",
        "身份证号",
        "性别",
        "联系电话",
        "家庭住址",
        "救助类别",
        "保障人数",
        "月保障金额",
        "起始日期",
        "所属乡镇",
        "备注",
    ),
)
VACCINATIONS = Dataset(
    key="weijian.vaccination",
    source="weijian",
    stem="接种记录",
    file_format=FileFormat.JSONL,
    encoding=Encoding.UTF8,
    record_id_field="record_id",
    record_id_pattern=r"WJ[0-9]{12}",
    name_field="name",
    columns=(
        "record_id",
        "id_type",
        "id_no",
        "name",
        "phone",
        "birth_date",
        "vaccine",
        "dose",
        "vaccinated_at",
        "site",
    ),
)
HEALTH_GROUPS = Dataset(
    key="weijian.health_group",
    source="weijian",
    stem="重点人群",
    file_format=FileFormat.JSONL,
    encoding=Encoding.UTF8,
    record_id_field="record_id",
    record_id_pattern=r"WJK[0-9]{10}",
    name_field="name",
    columns=("record_id", "id_no", "name", "phone", "group", "family_doctor", "signed_at"),
)
PARTY_MEMBERS = Dataset(
    key="dangjian.member",
    source="dangjian",
    stem="党员",
    file_format=FileFormat.CSV,
    encoding=Encoding.UTF8_BOM,
    record_id_field="党员编号",
    record_id_pattern=r"DJ[0-9]{8}",
    name_field="姓名",
    columns=(
        "党员编号",
        "姓名",
        "身份证号码",
        "性别",
        "出生年月",
        "入党时间",
        "党员类别",
        "所在党组织",
        "流动党员",
        "网格职务",
        "联系电话",
        "居住地址",
    ),
)
DOOR_PLATES = Dataset(
    key="chengguan.door_plate",
    source="chengguan",
    stem="门牌",
    file_format=FileFormat.GEOJSON,
    encoding=Encoding.UTF8,
    record_id_field="门牌编码",
    record_id_pattern=r"MP[0-9]{12}",
    columns=("门牌编码", "地址", "建筑类型", "楼层数"),
)
REPORTS = Dataset(
    key="chengguan.report",
    source="chengguan",
    stem="随手拍",
    file_format=FileFormat.JSONL,
    encoding=Encoding.UTF8,
    record_id_field="event_id",
    record_id_pattern=r"CG[0-9]{14}",
    columns=(
        "event_id",
        "category",
        "description",
        "address",
        "lng",
        "lat",
        "reported_at",
        "reporter_phone",
        "status",
        "department",
        "rating",
        "points",
    ),
)
GRIDS = Dataset(
    key="wangge.grid",
    source="wangge",
    stem="网格",
    file_format=FileFormat.CSV,
    encoding=Encoding.UTF8,
    record_id_field="网格编码",
    record_id_pattern=r"350526[0-9]{3}(?:[0-9]{3}(?:[0-9]{3}(?:[0-9]{2})?)?)?",
    columns=("网格编码", "网格名称", "层级", "上级编码", "网格员", "网格员电话", "楼栋编码"),
    min_values=3,  # a township: code, name and level; no parent, worker or buildings
)

DATASETS: tuple[Dataset, ...] = (
    POPULATION,
    ADDRESSES,
    ASSISTANCE,
    VACCINATIONS,
    HEALTH_GROUPS,
    PARTY_MEMBERS,
    DOOR_PLATES,
    REPORTS,
    GRIDS,
)
BY_KEY: dict[str, Dataset] = {d.key: d for d in DATASETS}
SOURCES: tuple[str, ...] = ("gongan", "minzheng", "weijian", "dangjian", "chengguan", "wangge")

#: Grid workers' entries made through the API (:mod:`hub.entries`): one source record per
#: entry (register a resident, a new phone, a move, a death), not files in the landing folder.
ENTRIES_KEY = "grid.entry"
ENTRIES_SOURCE = "grid"
#: Entry record ids: ``GE`` + the moment it was made (YYYYMMDDHHMMSS, China time) + 6 digits.
ENTRY_ID_PATTERN = r"GE[0-9]{20}"

COUNTY_CODE = "350526"
TOWNSHIPS: tuple[str, ...] = (
    "龙浔镇",
    "浔中镇",
    "三班镇",
    "龙门滩镇",
    "雷峰镇",
    "南埕镇",
    "水口镇",
    "赤水镇",
    "上涌镇",
    "葛坑镇",
    "盖德镇",
    "美湖镇",
    "杨梅乡",
    "汤头乡",
    "桂阳乡",
    "国宝乡",
    "大铭乡",
    "春美乡",
)
