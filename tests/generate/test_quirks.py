"""Each quirk the contract promises (and the issue asks for) is in the files at least once."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime

import opencc
import pytest

from hub.generate.names import HOMOPHONES
from hub.sources.catalog import (
    ASSISTANCE,
    HEALTH_GROUPS,
    PARTY_MEMBERS,
    POPULATION,
    REPORTS,
    VACCINATIONS,
)
from tests.generate.conftest import Generated

TODAY = date(2026, 11, 15)
ID18 = re.compile(r"\d{17}[\dX]")


def _check_ok(id18: str) -> bool:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(id18[:17], weights, strict=True))
    return "10X98765432"[total % 11] == id18[17]


def _population_by_person(generated: Generated) -> dict[str, list[dict[str, object]]]:
    persons = generated.persons()
    rows: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in generated.good(POPULATION.key):
        rows[persons[(POPULATION.key, str(row["人员编号"]))]].append(row)
    return rows


def _column(generated: Generated, key: str, column: str) -> list[object]:
    return [row[column] for row in generated.good(key)]


# -- gongan ------------------------------------------------------------------------------------


def test_population_has_legacy_ids_floating_people_without_id_and_cancelled_rows(
    generated: Generated,
) -> None:
    rows = generated.good(POPULATION.key)
    ids = [str(r["公民身份号码"]) for r in rows]
    assert any(re.fullmatch(r"\d{15}", i) for i in ids)
    assert any(r["人员类别"] == "流动人口" and r["公民身份号码"] == "" for r in rows)
    assert any(r["人员类别"] == "户籍人口" for r in rows)
    assert any(r["注销标志"] == "1" for r in rows) and any(r["注销标志"] == "0" for r in rows)
    assert any(r["居住地址编码"] == "" for r in rows)
    assert all(re.fullmatch(r"\d{9}", str(r["户号"])) and r["与户主关系"] for r in rows)
    assert any(not _check_ok(i) for i in ids if ID18.fullmatch(i)), "no wrong check digit"


def test_a_reregistered_person_has_an_old_cancelled_row_under_another_number(
    generated: Generated,
) -> None:
    reregistered = [
        rows
        for rows in _population_by_person(generated).values()
        if len(rows) == 2 and {r["注销标志"] for r in rows} == {"0", "1"}
    ]
    assert reregistered
    old, new = sorted(reregistered[0], key=lambda r: str(r["注销标志"]), reverse=True)
    assert old["人员编号"] != new["人员编号"] and old["户号"] != new["户号"]
    assert str(old["登记日期"]) < str(new["登记日期"]) and old["出生日期"] == new["出生日期"]


def test_households_share_a_number_and_elderly_people_live_alone(generated: Generated) -> None:
    active = [r for r in generated.good(POPULATION.key) if r["注销标志"] == "0"]
    sizes = Counter(str(r["户号"]) for r in active)
    assert set(sizes.values()) == {1, 2, 3, 4, 5, 6}
    heads = Counter(str(r["户号"]) for r in active if r["与户主关系"] == "户主")
    assert all(n == 1 for n in heads.values())
    alone = [
        r
        for r in active
        if sizes[str(r["户号"])] == 1 and TODAY.year - int(str(r["出生日期"])[:4]) >= 70
    ]
    assert alone
    relations = {r["与户主关系"] for r in active}
    assert {"户主", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女"} <= relations
    ages = [TODAY.year - int(str(r["出生日期"])[:4]) for r in active]
    assert min(ages) <= 1 and max(ages) >= 90


def test_different_people_share_a_name(generated: Generated) -> None:
    births: dict[str, set[str]] = defaultdict(set)
    for r in generated.good(POPULATION.key):
        births[str(r["姓名"])].add(str(r["出生日期"]))
    assert sum(len(b) >= 2 for b in births.values()) >= 10
    surnames = Counter(name[0] for name in births)
    assert {"陈", "林", "黄"} <= {s for s, _ in surnames.most_common(8)}


# -- minzheng ----------------------------------------------------------------------------------


def test_assistance_id_cells_typed_as_numbers_lower_case_and_with_spaces(
    generated: Generated,
) -> None:
    ids = _column(generated, ASSISTANCE.key, "身份证号")
    numbers = [i for i in ids if isinstance(i, int | float)]
    assert any(n >= 1e17 for n in numbers), "no 18-digit ID in a number cell"
    assert any(1e16 <= n < 1e17 for n in numbers), "no ID whose X was dropped"
    texts = [i for i in ids if isinstance(i, str)]
    assert any(t.endswith("x") for t in texts)
    assert any(" " in t for t in texts)


def test_assistance_sex_phones_amounts_and_dates_as_typed(generated: Generated) -> None:
    rows = generated.good(ASSISTANCE.key)
    assert any(r["性别"] is None for r in rows)
    phones = [str(r["联系电话"]) for r in rows if r["联系电话"]]
    assert any(re.fullmatch(r"0595-23\d{6}", p) for p in phones)
    assert any(re.fullmatch(r"1\d{10}", p) for p in phones)
    assert any(re.fullmatch(r"[\d-]+/[\d-]+", p) for p in phones)
    amounts = [r["月保障金额"] for r in rows]
    assert any(isinstance(a, int) for a in amounts)
    assert any(isinstance(a, str) and re.fullmatch(r"\d+\.00", a) for a in amounts)
    assert any(isinstance(a, str) and re.fullmatch(r"\d+元", a) for a in amounts)
    starts = [r["起始日期"] for r in rows]
    assert any(isinstance(s, datetime) for s in starts), "no real Excel date cell"
    texts = [s for s in starts if isinstance(s, str)]
    for pattern in (r"\d{4}-\d{1,2}-\d{1,2}", r"\d{4}/\d{2}/\d{2}", r"\d{4}年\d{1,2}月\d{1,2}日",
                    r"\d{8}"):  # fmt: skip
        assert any(re.fullmatch(pattern, s) for s in texts), pattern
    assert any(re.fullmatch(r"\d{4}-\d-\d{1,2}|\d{4}-\d{1,2}-\d", s) for s in texts)
    assert any(str(r["姓名"]) != str(r["姓名"]).strip() or " " in str(r["姓名"]) for r in rows)


def test_assistance_kinds_and_household_counts(generated: Generated) -> None:
    rows = generated.good(ASSISTANCE.key)
    assert {r["救助类别"] for r in rows} >= {"低保", "高龄补贴", "残疾人两项补贴"}
    persons = generated.persons()
    kinds: dict[str, set[object]] = defaultdict(set)
    for r in rows:
        kinds[persons[(ASSISTANCE.key, str(r["救助编号"]))]].add(r["救助类别"])
    assert any(len(k) == 2 for k in kinds.values()), "nobody with two kinds of assistance"
    population = _population_by_person(generated)
    active = Counter(str(r["户号"]) for r in generated.good(POPULATION.key) if r["注销标志"] == "0")
    dibao = [r for r in rows if r["救助类别"] == "低保"]
    assert dibao
    for r in dibao:
        person = persons[(ASSISTANCE.key, str(r["救助编号"]))]
        current = next(p for p in population[person] if p["注销标志"] == "0")
        assert r["保障人数"] == active[str(current["户号"])]


def test_free_text_addresses_are_written_several_ways(generated: Generated) -> None:
    texts = [str(v) for v in _column(generated, ASSISTANCE.key, "家庭住址")]
    texts += [str(v) for v in _column(generated, PARTY_MEMBERS.key, "居住地址")]
    assert any(t.startswith("德化县") for t in texts) and any(
        t[:3] in ("龙浔镇", "浔中镇") for t in texts
    )
    assert any(" " in t for t in texts)
    assert any(re.search(r"\d+栋", t) for t in texts) and any(re.search(r"\d+幢", t) for t in texts)
    assert any(re.search(r"[一二三四五六七八九十]+幢", t) for t in texts)
    assert any(re.search(r"\d+室$", t) for t in texts) and any(
        re.search(r"号\d+$", t) for t in texts
    )
    assert any(re.search(r"村\d+组", t) for t in texts)


# -- weijian -----------------------------------------------------------------------------------


def test_vaccinations_carry_foreign_documents_and_children_without_id(
    generated: Generated,
) -> None:
    rows = generated.good(VACCINATIONS.key)
    types = Counter(str(r["id_type"]) for r in rows)
    assert set(types) == {"居民身份证", "护照", "港澳居民来往内地通行证", "无"}
    assert all(r["id_no"] == "" for r in rows if r["id_type"] == "无")
    assert all(r["id_no"] and not ID18.fullmatch(str(r["id_no"])) for r in rows
               if r["id_type"] in ("护照", "港澳居民来往内地通行证"))  # fmt: skip
    doses = Counter(str(r["record_id"])[:2] for r in rows)
    assert doses["WJ"] == len(rows)
    persons = generated.persons()
    per_person = Counter(persons[(VACCINATIONS.key, str(r["record_id"]))] for r in rows)
    assert max(per_person.values()) >= 15, "children get many doses"
    assert all(isinstance(r["dose"], int) for r in rows)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", str(r["vaccinated_at"]))
               for r in rows)  # fmt: skip


def test_some_names_are_in_traditional_characters_or_have_homophones(
    generated: Generated,
) -> None:
    to_simplified = opencc.OpenCC("t2s")
    persons = generated.persons()
    registered = {
        persons[(POPULATION.key, str(r["人员编号"]))]: str(r["姓名"])
        for r in generated.good(POPULATION.key)
    }
    traditional = typos = 0
    for key, id_field, name_field in (
        (VACCINATIONS.key, "record_id", "name"),
        (HEALTH_GROUPS.key, "record_id", "name"),
        (PARTY_MEMBERS.key, "党员编号", "姓名"),
    ):
        for r in generated.good(key):
            name = str(r[name_field])
            true = registered.get(persons[(key, str(r[id_field]))])
            if true is None or name == true:
                continue
            if to_simplified.convert(name) == true:
                traditional += 1
            elif len(name) == len(true):
                diff = [(a, b) for a, b in zip(true, name, strict=True) if a != b]
                assert len(diff) == 1 and HOMOPHONES[diff[0][0]] == diff[0][1], (true, name)
                typos += 1
    assert traditional and typos


def test_phones_differ_between_sources_and_children_carry_a_guardians(
    generated: Generated,
) -> None:
    persons = generated.persons()
    phones = {
        persons[(POPULATION.key, str(r["人员编号"]))]: str(r["联系电话"])
        for r in generated.good(POPULATION.key)
        if r["注销标志"] == "0"
    }
    changed = 0
    for r in generated.good(HEALTH_GROUPS.key):
        registered = phones.get(persons[(HEALTH_GROUPS.key, str(r["record_id"]))], "")
        if r["group"] != "0-6岁儿童" and r["phone"] and registered not in ("", r["phone"]):
            changed += 1
    assert changed > 0
    children = [r for r in generated.good(HEALTH_GROUPS.key) if r["group"] == "0-6岁儿童"]
    assert children and any(r["phone"] for r in children)
    assert {str(r["group"]) for r in generated.good(HEALTH_GROUPS.key)} == {
        "高血压", "糖尿病", "孕产妇", "严重精神障碍", "0-6岁儿童", "65岁以上老人",
    }  # fmt: skip


# -- dangjian, chengguan -----------------------------------------------------------------------


def test_party_members_birth_months_and_branches(generated: Generated) -> None:
    rows = generated.good(PARTY_MEMBERS.key)
    months = [str(r["出生年月"]) for r in rows]
    assert any(re.fullmatch(r"\d{4}-\d\d", m) for m in months)
    assert any(re.fullmatch(r"\d{4}\.\d\d", m) for m in months)
    assert all(re.fullmatch(r"\d{4}[-.]\d\d", m) for m in months)
    assert all(str(r["所在党组织"]).endswith("网格党支部") for r in rows)
    assert {r["党员类别"] for r in rows} <= {"正式党员", "预备党员"}
    assert {r["网格职务"] for r in rows} >= {"网格党组织负责人", ""}
    active = sum(1 for r in generated.good(POPULATION.key) if r["注销标志"] == "0")
    assert 0.04 < len(rows) / active < 0.09


def test_reports_have_statuses_and_null_ratings(generated: Generated) -> None:
    rows = generated.good(REPORTS.key)
    statuses = Counter(str(r["status"]) for r in rows)
    assert {"已反馈", "已评价"} <= set(statuses) and len(statuses) >= 3
    assert all((r["rating"] is None) == (r["status"] != "已评价") for r in rows)
    assert all(r["department"] == "" for r in rows if r["status"] == "已提交")
    assert all(re.fullmatch(r"CG\d{14}", str(r["event_id"])) for r in rows)
    assert all(str(r["event_id"])[2:10] == str(r["reported_at"])[:10].replace("-", "")
               for r in rows)  # fmt: skip


@pytest.mark.parametrize(
    "code",
    ["invalid_id_checksum", "invalid_id_format", "excel_mangled_id", "legacy_id_upgraded",
     "invalid_date", "invalid_phone", "id_conflict"],
)  # fmt: skip
def test_every_kind_of_damaged_field_occurs(generated: Generated, code: str) -> None:
    from tests.generate.reading import read_truth

    codes = Counter(r["code"] for r in read_truth(generated.truth / "field_issues.csv"))
    assert codes[code] > 0
