"""One suite per source dataset, run on the dataset's current records (``valid_to IS NULL``).

The batch is built by ``hub.quality`` from :data:`SPECS`: it always has ``record_id``; person
datasets add ``name`` and ``birth_date`` (the match keys) and ``resident_id_valid`` (True or
False for a delivered ID, empty when none was delivered); datasets with a sex column add
``sex`` (as normalised, or as delivered when it could not be); datasets with phones add
``phone_valid``; each spec's ``values`` names the normalised fields its suite checks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from expectations import thresholds as t
from expectations.base import (
    Expectation,
    between,
    gx,
    in_set,
    matches,
    not_null,
    parameter,
    row_count_at_least,
    suite,
    unique,
)
from hub.ingest import vocabulary as vocab
from hub.ingest.records import GRID_CODE_LENGTHS
from hub.sources import catalog
from hub.sources.catalog import Dataset

ValueKind = Literal["str", "int", "float", "bool"]

#: The suite parameter holding the snapshot date of the dataset's current records.
SNAPSHOT_DATE = "snapshot_date"


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What the batch of one dataset's current records holds."""

    dataset: Dataset
    person: bool = False  # records about people: name, resident ID and birth date checks
    sex: bool = False  # the department delivers a sex column
    phone_field: str | None = None  # key of the phone document in ``fields``
    values: Mapping[str, tuple[str, ValueKind]] = field(default_factory=dict)  # column -> field
    #: The delivered column each batch column comes from, where it is named otherwise (the
    #: record id and name columns are the dataset's own): what stewards see in the files.
    delivered: Mapping[str, str] = field(default_factory=dict)


SPECS: dict[str, SourceSpec] = {
    spec.dataset.key: spec
    for spec in (
        SourceSpec(catalog.POPULATION, person=True, sex=True, phone_field="phones", values={
            "household_no": ("household_no", "str"), "relation": ("relation", "str"),
            "registration_type": ("registration_type", "str"),
        }, delivered={
            "resident_id_valid": "公民身份号码", "birth_date": "出生日期", "sex": "性别",
            "phone_valid": "联系电话", "household_no": "户号", "relation": "与户主关系",
            "registration_type": "人员类别",
        }),
        SourceSpec(catalog.ADDRESSES, values={
            "building_code": ("building_code", "str"), "township": ("township", "str"),
            "use": ("use", "str"),
        }, delivered={"building_code": "楼栋编码", "township": "乡镇", "use": "房屋用途"}),
        SourceSpec(catalog.ASSISTANCE, person=True, sex=True, phone_field="phones", values={
            "category": ("category", "str"), "covered_count": ("covered_count", "int"),
        }, delivered={
            "resident_id_valid": "身份证号", "birth_date": "身份证号", "sex": "性别",
            "phone_valid": "联系电话", "category": "救助类别", "covered_count": "保障人数",
        }),
        SourceSpec(catalog.VACCINATIONS, person=True, phone_field="phones", values={
            "vaccine": ("vaccine", "str"), "dose": ("dose", "int"),
            "vaccinated_at": ("vaccinated_at", "str"),
        }, delivered={"resident_id_valid": "id_no", "phone_valid": "phone"}),
        SourceSpec(catalog.HEALTH_GROUPS, person=True, phone_field="phones",
                   values={"group": ("group", "str")},
                   delivered={"resident_id_valid": "id_no", "birth_date": "id_no",
                              "phone_valid": "phone"}),
        SourceSpec(catalog.PARTY_MEMBERS, person=True, sex=True, phone_field="phones",
                   values={"category": ("category", "str")},
                   delivered={"resident_id_valid": "身份证号码", "birth_date": "出生年月",
                              "sex": "性别", "phone_valid": "联系电话", "category": "党员类别"}),
        SourceSpec(catalog.DOOR_PLATES, values={"lng": ("lng", "float"), "lat": ("lat", "float")},
                   delivered={"lng": "geometry", "lat": "geometry"}),
        SourceSpec(catalog.REPORTS, phone_field="phones", values={
            "category": ("category", "str"), "status": ("status", "str"),
            "reported_at": ("reported_at", "str"),
        }, delivered={"phone_valid": "reporter_phone"}),
        SourceSpec(catalog.GRIDS, phone_field="worker_phones", values={
            "name": ("name", "str"), "level": ("level", "str"),
        }, delivered={"name": "网格名称", "level": "层级", "phone_valid": "网格员电话"}),
    )
}  # fmt: skip


def delivered_columns(dataset_key: str) -> dict[str, str]:
    """Batch column -> the delivered column it comes from, for the columns named otherwise in
    the files (``record_id`` -> ``人员编号``, ``resident_id_valid`` -> ``公民身份号码``...); empty
    for a suite that is not a dataset's."""
    spec = SPECS.get(dataset_key)
    if spec is None:
        return {}
    dataset = spec.dataset
    named = {"record_id": dataset.record_id_field}
    if dataset.name_field is not None:
        named["name"] = dataset.name_field
    named |= spec.delivered
    return {column: header for column, header in named.items() if column != header}


def _common(spec: SourceSpec) -> list[Expectation]:
    dataset = spec.dataset
    checks: list[Expectation] = [
        row_count_at_least(1, blocking=True, why="A dataset without current records means a "
                           "delivery ended all of them: an empty or wrong file was applied."),
        unique("record_id", blocking=True, why="Each record id has one current version; two "
               "mean a snapshot was applied twice or an old version was not closed."),
        matches("record_id", f"^(?:{dataset.record_id_pattern})$", blocking=True,
                why="Malformed ids are quarantined at ingest; one here is a loader defect."),
    ]  # fmt: skip
    if spec.person:
        checks += [
            not_null("name", blocking=True, why="Rows without a name are quarantined at "
                     "ingest; a current record without one cannot be matched or shown."),
            in_set("resident_id_valid", [True], mostly=t.RESIDENT_ID_VALID_RATE[dataset.key],
                   blocking=True, why="Share of delivered resident IDs that are valid: below "
                   "it, ID matching fails broadly and people split into duplicates."),
            between("birth_date", t.EARLIEST_BIRTH, parameter(SNAPSHOT_DATE), blocking=False,
                    why="Nobody is born before 1900 or after the snapshot date."),
        ]  # fmt: skip
    if spec.sex:
        checks.append(in_set("sex", ["男", "女"], mostly=t.SEX_VALID_RATE, blocking=False,
                             why="Sex, when delivered, is 男 or 女."))  # fmt: skip
    if spec.phone_field:
        checks.append(in_set("phone_valid", [True], mostly=t.PHONE_VALID_RATE, blocking=False,
                             why="Phones, when delivered, are mobiles or landlines."))  # fmt: skip
    return checks


def _vocabulary(column: str, values: Collection[str], what: str) -> Expectation:
    return in_set(column, values, mostly=t.VOCABULARY_RATE, blocking=False,
                  why=f"{what} is one of the contract's values.")  # fmt: skip


def _promised(column: str, what: str) -> Expectation:
    return not_null(column, mostly=t.CONTRACT_RATE, blocking=False,
                    why=f"The contract promises {what} in every row.")  # fmt: skip


def population() -> gx.ExpectationSuite:
    """Public security's population register (人口)."""
    spec = SPECS[catalog.POPULATION.key]
    return suite(spec.dataset.key, [
        *_common(spec),
        _promised("household_no", "a 户号"),
        _vocabulary("relation", vocab.RELATIONS, "与户主关系"),
        _vocabulary("registration_type", vocab.REGISTRATION_TYPES, "人员类别"),
    ])  # fmt: skip


def addresses() -> gx.ExpectationSuite:
    """Public security's standard addresses (标准地址): the houses."""
    spec = SPECS[catalog.ADDRESSES.key]
    return suite(spec.dataset.key, [
        *_common(spec),
        _promised("building_code", "a 楼栋编码 (the first 16 digits of 地址编码)"),
        _vocabulary("township", catalog.TOWNSHIPS, "乡镇"),
        _vocabulary("use", vocab.HOUSE_USES, "房屋用途"),
    ])  # fmt: skip


def assistance() -> gx.ExpectationSuite:
    """Civil affairs' assistance roll (救助对象)."""
    spec = SPECS[catalog.ASSISTANCE.key]
    low, high = t.COVERED_COUNT_RANGE
    return suite(spec.dataset.key, [
        *_common(spec),
        _vocabulary("category", vocab.BENEFIT_CATEGORIES, "救助类别"),
        between("covered_count", low, high, mostly=t.VOCABULARY_RATE, blocking=False,
                why="保障人数 counts the members of one household."),
    ])  # fmt: skip


def vaccinations() -> gx.ExpectationSuite:
    """Health's vaccination records (接种记录)."""
    spec = SPECS[catalog.VACCINATIONS.key]
    low, high = t.DOSE_RANGE
    return suite(spec.dataset.key, [
        *_common(spec),
        not_null("vaccine", mostly=t.VOCABULARY_RATE, blocking=False,
                 why="A vaccination record names its vaccine."),
        not_null("vaccinated_at", mostly=t.VOCABULARY_RATE, blocking=False,
                 why="A vaccination record has a time with an offset."),
        between("dose", low, high, mostly=t.VOCABULARY_RATE, blocking=False,
                why="A dose is a small ordinal."),
    ])  # fmt: skip


def health_groups() -> gx.ExpectationSuite:
    """Health's key groups (重点人群)."""
    spec = SPECS[catalog.HEALTH_GROUPS.key]
    group = _vocabulary("group", vocab.HEALTH_GROUPS, "group")
    return suite(spec.dataset.key, [*_common(spec), group])


def party_members() -> gx.ExpectationSuite:
    """Party building's members (党员)."""
    spec = SPECS[catalog.PARTY_MEMBERS.key]
    category = _vocabulary("category", vocab.PARTY_CATEGORIES, "党员类别")
    return suite(spec.dataset.key, [*_common(spec), category])


def door_plates() -> gx.ExpectationSuite:
    """City management's door plates (门牌)."""
    spec = SPECS[catalog.DOOR_PLATES.key]
    return suite(spec.dataset.key, [
        *_common(spec),
        not_null("lng", mostly=t.LOCATED_RATE, blocking=False,
                 why="A door plate has a point inside Dehua."),
        not_null("lat", mostly=t.LOCATED_RATE, blocking=False,
                 why="A door plate has a point inside Dehua."),
    ])  # fmt: skip


def reports() -> gx.ExpectationSuite:
    """City management's citizen reports (随手拍)."""
    spec = SPECS[catalog.REPORTS.key]
    return suite(spec.dataset.key, [
        *_common(spec),
        _vocabulary("category", vocab.REPORT_CATEGORIES, "category"),
        _vocabulary("status", vocab.REPORT_STATUSES, "status"),
        not_null("reported_at", mostly=t.VOCABULARY_RATE, blocking=False,
                 why="A report has a time with an offset."),
    ])  # fmt: skip


def grids() -> gx.ExpectationSuite:
    """The grid-governance centre's grid hierarchy (网格)."""
    spec = SPECS[catalog.GRIDS.key]
    return suite(spec.dataset.key, [
        *_common(spec),
        not_null("name", blocking=True, why="Grids without a name are rejected at ingest; "
                 "one here is a loader defect."),
        in_set("level", GRID_CODE_LENGTHS, blocking=True, why="The level places a grid in "
               "the hierarchy that decides who is responsible for whom."),
    ])  # fmt: skip


BUILDERS = {
    catalog.POPULATION.key: population,
    catalog.ADDRESSES.key: addresses,
    catalog.ASSISTANCE.key: assistance,
    catalog.VACCINATIONS.key: vaccinations,
    catalog.HEALTH_GROUPS.key: health_groups,
    catalog.PARTY_MEMBERS.key: party_members,
    catalog.DOOR_PLATES.key: door_plates,
    catalog.REPORTS.key: reports,
    catalog.GRIDS.key: grids,
}
