"""House resolution on hand-built standard addresses, and end to end on generated data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from hub.generate import GenerateOptions, generate
from hub.ingest.records import MAPPERS
from hub.ingest.service import ingest_landing
from hub.normalise.addresses import LEVELS, parse_address, standard_address
from hub.resolution.house_evaluation import evaluate_houses
from hub.resolution.houses import (
    LINK_COLUMNS,
    STANDARD_COLUMNS,
    link_houses,
    load_standard_addresses,
    resolve_houses,
)
from hub.sources import catalog
from hub.storage import migrate
from hub.storage.models import Delivery, DeliveryStatus, SourceRecord
from hub.storage.session import make_engine, session_factory

POP, ADDR = catalog.POPULATION.key, catalog.ADDRESSES.key
AID, PARTY, PLATE = catalog.ASSISTANCE.key, catalog.PARTY_MEMBERS.key, catalog.DOOR_PLATES.key

# building number -> the standard columns of its houses (乡镇 … 户室号)
BUILDINGS: dict[int, list[tuple[str, ...]]] = {
    1: [("龙浔镇", "英山社区", "英山路", "8号", "3幢", "1单元", "501室"),
        ("龙浔镇", "英山社区", "英山路", "8号", "3幢", "2单元", "501室"),
        ("龙浔镇", "英山社区", "英山路", "8号", "3幢", "1单元", "502室")],
    2: [("龙浔镇", "英山社区", "英山路", "10号", "", "", "")],
    3: [("龙浔镇", "英山社区", "英山路", "12号", "", "", "101室"),
        ("龙浔镇", "英山社区", "英山路", "12号", "", "", "201室")],
    4: [("浔中镇", "浔中村", "", "5号", "", "", ""), ("浔中镇", "浔中村", "", "5-1号", "", "", "")],
    5: [("浔中镇", "浔中村", "浔中路", "5号", "", "", "")],
    6: [("浔中镇", "浔中村", "浔中路", "7号", "", "", "")],
    7: [("龙浔镇", "宝美村", "中山路", "3号", "", "", "")],
    8: [("龙浔镇", "城东社区", "中山路", "3号", "", "", "")],
}  # fmt: skip


def building_code(number: int) -> str:
    return f"350526100001{number:04d}"


def house_code(number: int, index: int = 0) -> str:
    return f"{building_code(number)}{index + 1:04d}"


@pytest.fixture
def standard() -> pd.DataFrame:
    rows = []
    for number, houses in BUILDINGS.items():
        for index, columns in enumerate(houses):
            parsed = standard_address(*columns)
            parts = {level: getattr(parsed, level) or "" for level in LEVELS}
            rows.append({"address_code": house_code(number, index),
                         "building_code": building_code(number), **parts, "use": "住宅",
                         "key": parsed.key()})  # fmt: skip
    return pd.DataFrame(rows, columns=list(STANDARD_COLUMNS))


def record(uid: str, dataset: str, text: str | None = None, *, code: str | None = None,
           township: str | None = None) -> dict[str, object]:  # fmt: skip
    parsed = parse_address(text, default_township=township)
    parts = {level: getattr(parsed, level) for level in LEVELS}
    return {"uid": uid, "dataset": dataset, "address_code": code, "address_key": parsed.key(),
            **parts, "group": parsed.group, "rest": parsed.rest}  # fmt: skip


Link = dict[str, Any]


def by_uid(links: pd.DataFrame) -> dict[str, Link]:
    return {
        str(row["uid"]): {str(k): v for k, v in row.items()} for row in links.to_dict("records")
    }


def link_one(standard: pd.DataFrame, dataset: str, text: str, **kwargs: str) -> Link:
    links = link_houses(standard, pd.DataFrame([record("r", dataset, text, **kwargs)])).links
    return by_uid(links)["r"]


def assert_house(link: Link, code: str, rule: str) -> None:
    assert (link["precision"], link["address_code"], link["rule"]) == ("room", code, rule)
    assert link["building_code"] == code[:16]


def assert_building(link: Link, number: int, rule: str = "building_key") -> None:
    assert (link["precision"], link["address_code"]) == ("building", None)
    assert (link["building_code"], link["rule"]) == (building_code(number), rule)


def assert_unmatched(link: Link) -> None:
    assert (link["precision"], link["rule"]) == ("none", "unmatched")
    assert link["address_code"] is None and link["building_code"] is None


def test_standard_rows_and_population_codes(standard: pd.DataFrame) -> None:
    records = pd.DataFrame([
        record("a", ADDR, code=house_code(1)),
        record("p1", POP, code=house_code(3, 1)),
        record("p2", POP, code=""),
        record("p3", POP, code=None),
        record("p4", POP, code="35052699999999999999"),
    ])  # fmt: skip
    result = link_houses(standard, records)
    links = by_uid(result.links)
    assert tuple(result.links.columns) == LINK_COLUMNS
    assert_house(links["a"], house_code(1), "standard")
    assert_house(links["p1"], house_code(3, 1), "address_code")
    for uid in ("p2", "p3", "p4"):
        assert_unmatched(links[uid])
    assert result.stats["unmatched.no_code"] == 2
    assert result.stats["unmatched.unknown_code"] == 1
    assert result.stats["rule.address_code"] == 1 and result.stats["records"] == 5


@pytest.mark.parametrize(
    "text",
    ["德化县龙浔镇英山社区英山路8号3幢1单元501室", "龙浔镇 英山社区英山路8号三栋1单元501",
     "福建省德化县龙浔镇英山社区英山路8号3#1单元501号"],
)  # fmt: skip
def test_room_named_in_full_links_the_house(standard: pd.DataFrame, text: str) -> None:
    assert_house(link_one(standard, AID, text), house_code(1), "exact_key")


def test_unit_left_out_links_the_house_when_the_room_is_unique(standard: pd.DataFrame) -> None:
    link = link_one(standard, PARTY, "龙浔镇英山社区英山路8号3幢502")
    assert_house(link, house_code(1, 2), "key_without_unit")


def test_unit_left_out_and_room_in_two_units_links_only_the_building(
    standard: pd.DataFrame,
) -> None:
    link = link_one(standard, PARTY, "龙浔镇英山社区英山路8号3幢501室")
    assert_building(link, 1)
    assert link["candidates"] == 2


def test_no_room_links_the_building_or_its_only_house(standard: pd.DataFrame) -> None:
    assert_building(link_one(standard, AID, "龙浔镇英山社区英山路12号"), 3)
    assert_house(link_one(standard, AID, "龙浔镇英山社区英山路10号"), house_code(2), "exact_key")


def test_room_the_standard_does_not_know_links_the_building(standard: pd.DataFrame) -> None:
    link = link_one(standard, AID, "龙浔镇英山社区英山路12号3幢")
    assert_unmatched(link)  # a 幢 the door number does not have is no building of it
    link = link_one(standard, AID, "龙浔镇英山社区英山路12号301室")
    assert_building(link, 3)
    assert link["candidates"] == 0


def test_missing_township_and_village_are_tolerated_when_unique(standard: pd.DataFrame) -> None:
    assert_house(link_one(standard, AID, "龙浔镇英山路10号"), house_code(2), "key_without_village")
    link = link_one(standard, PARTY, "英山社区英山路12号201室")
    assert_house(link, house_code(3, 1), "key_without_township")
    link = link_one(standard, AID, "英山社区英山路12号201室", township="龙浔镇")
    assert_house(link, house_code(3, 1), "exact_key")


def test_missing_village_that_leaves_two_candidates_does_not_link(standard: pd.DataFrame) -> None:
    link = link_one(standard, AID, "龙浔镇中山路3号")
    assert_unmatched(link)
    assert link["candidates"] == 2


def test_a_township_that_contradicts_the_text_does_not_link(standard: pd.DataFrame) -> None:
    assert_unmatched(link_one(standard, AID, "英山社区英山路10号", township="浔中镇"))


def test_village_group_links_only_what_the_rest_identifies(standard: pd.DataFrame) -> None:
    only_group = link_one(standard, AID, "浔中镇 浔中村3组")
    assert_unmatched(only_group)
    # 5号 is both a house without a road and 浔中路5号: the group does not say which.
    assert_unmatched(link_one(standard, AID, "浔中镇浔中村3组5号"))
    assert_house(link_one(standard, AID, "浔中镇浔中村2组7号"), house_code(6), "key_without_road")
    link = link_one(standard, AID, "浔中村1组5-1号")
    assert_house(link, house_code(4, 1), "key_without_township")


def test_a_road_left_out_is_unknown_not_empty(standard: pd.DataFrame) -> None:
    assert_unmatched(link_one(standard, PARTY, "浔中镇浔中村5号"))
    assert_house(link_one(standard, PARTY, "浔中镇浔中村浔中路5号"), house_code(5), "exact_key")


def test_tail_after_the_address(standard: pd.DataFrame) -> None:
    assert_house(link_one(standard, PARTY, "龙浔镇英山社区英山路12号201号"), house_code(3, 1),
                 "exact_key")  # fmt: skip
    assert_unmatched(link_one(standard, PARTY, "龙浔镇英山社区英山路10号对面"))


def test_door_plates_link_the_building(standard: pd.DataFrame) -> None:
    texts = {
        "compound": "德化县龙浔镇英山社区英山路8号3幢",
        "self_built": "德化县龙浔镇英山社区英山路12号",
        "village": "德化县浔中镇浔中村5号",  # a door plate without a road has none
        "single": "德化县龙浔镇英山社区英山路10号",
        "unknown": "德化县龙浔镇英山社区英山路99号",
    }
    records = pd.DataFrame([record(uid, PLATE, text) for uid, text in texts.items()])
    result = link_houses(standard, records)
    links = by_uid(result.links)
    assert_building(links["compound"], 1, "door_plate_building")
    assert_building(links["self_built"], 3, "door_plate_building")
    assert_building(links["village"], 4, "door_plate_building")
    assert_house(links["single"], house_code(2), "door_plate_single_house")
    assert_unmatched(links["unknown"])
    assert result.stats["unmatched.no_candidate"] == 1


def test_duplicate_standard_keys_are_never_guessed_between(standard: pd.DataFrame) -> None:
    twin = standard[standard["address_code"] == house_code(2)].assign(
        address_code=house_code(9), building_code=building_code(9)
    )
    doubled = pd.concat([standard, twin], ignore_index=True)
    link = link_one(doubled, AID, "龙浔镇英山社区英山路10号")
    assert_unmatched(link)
    assert link["candidates"] == 2
    same_building = pd.concat([standard, twin.assign(building_code=building_code(2))])
    assert_building(link_one(same_building, AID, "龙浔镇英山社区英山路10号"), 2)


def test_keys_alone_are_enough(standard: pd.DataFrame) -> None:
    records = pd.DataFrame([record("r", AID, "龙浔镇英山社区英山路8号3幢1单元501室")])
    keys_only = records[["uid", "dataset", "address_code", "address_key"]]
    link = by_uid(link_houses(standard.drop(columns=list(LEVELS)), keys_only).links)["r"]
    assert_house(link, house_code(1), "exact_key")


def test_one_link_per_record_in_input_order(standard: pd.DataFrame) -> None:
    records = pd.DataFrame(
        [record(f"r{i}", AID, text) for i, text in enumerate(["英山路10号", None, "浔中村3组"])]
        + [record("p", POP, code=house_code(2))]
    )
    links = link_houses(standard, records).links
    assert links["uid"].tolist() == ["r0", "r1", "r2", "p"]
    assert links["precision"].tolist() == ["room", "none", "none", "room"]


def test_evaluation_counts_missing_and_false_links(tmp_path: Path) -> None:
    truth = tmp_path / "houses.csv"
    truth.write_text(
        "dataset,record_id,house_key,building_key\n"
        "d,a,H1,B1\nd,b,H1,B1\nd,c,H1,B1\nd,x,H2,B1\nd,plate,,B1\n",
        encoding="utf-8",
    )
    links = pd.DataFrame(
        {"uid": ["d:a", "d:b", "d:c", "d:x", "d:plate"], "dataset": "d",
         "address_code": ["A1", "A1", None, "A1", None],
         "building_code": ["X", "X", "X", "X", "X"],
         "precision": ["room", "room", "building", "room", "building"],
         "rule": "test", "candidates": 1}
    )  # fmt: skip
    scores = evaluate_houses(links, truth)
    # predicted pairs a-b, a-x, b-x; true pairs a-b, a-c, b-c
    assert (scores.houses.correct_pairs, scores.houses.predicted_pairs) == (1, 3)
    assert scores.houses.true_pairs == 3
    assert scores.linked_houses.true_pairs == 1
    assert scores.buildings.precision == 1.0 and scores.buildings.recall == 1.0
    assert scores.coverage == {"d": {"room": 3, "building": 2, "none": 0}}
    assert "coverage d: 5 records" in scores.describe()


def add_records(session: Session, dataset: str, raws: list[dict[str, str]]) -> None:
    """Rows mapped as ingest maps them, stored as the current versions of one delivery."""
    day = dt.date(2026, 11, 15)
    source = dataset.split(".")[0]
    delivery = Delivery(source=source, dataset=dataset, file_name=f"{dataset}.csv", path="-",
                        sha256=dataset.ljust(64, "0"), size_bytes=0, snapshot_date=day,
                        status=DeliveryStatus.LOADED)  # fmt: skip
    session.add(delivery)
    session.flush()
    for line, raw in enumerate(raws, start=2):
        mapped = MAPPERS[dataset](raw, day)
        keys = mapped.keys
        session.add(SourceRecord(
            source=source, dataset=dataset, record_id=raw["id"], delivery_id=delivery.id,
            line=line, valid_from=day, content_hash=str(line), raw=raw, fields=mapped.fields,
            address_code=keys.address_code, address_key=keys.address_key,
        ))  # fmt: skip
    session.flush()


def test_loaders_read_what_ingest_stored(session: Session) -> None:
    columns = ("乡镇", "村社区", "街路巷", "门牌号", "楼栋号", "单元号", "户室号")
    add_records(session, ADDR, [
        {"id": house_code(n, i), "地址编码": house_code(n, i), "房屋用途": "住宅",
         "楼栋编码": building_code(n) if n != 3 else "", **dict(zip(columns, parts, strict=True))}
        for n in (1, 3) for i, parts in enumerate(BUILDINGS[n])
    ])  # fmt: skip
    add_records(session, AID, [
        {"id": "MZ1", "家庭住址": "英山社区英山路8号3幢502", "所属乡镇": "龙浔镇"},
        {"id": "MZ2", "家庭住址": "龙浔镇英山社区英山路12号201号", "所属乡镇": "龙浔镇"},
    ])  # fmt: skip
    add_records(session, POP, [{"id": "GA1", "居住地址编码": house_code(3)}])
    standard = load_standard_addresses(session)
    assert tuple(standard.columns) == STANDARD_COLUMNS
    row = standard.set_index("address_code").loc[house_code(1, 2)]
    assert (row["building_code"], row["unit"], row["room"]) == (building_code(1), "1单元", "502室")
    assert standard.set_index("address_code").loc[house_code(3), "building_code"] == (
        building_code(3)  # 楼栋编码 left empty: the first 16 digits of 地址编码
    )
    links = by_uid(resolve_houses(session).links)
    assert_house(links[f"{AID}:MZ1"], house_code(1, 2), "key_without_unit")
    assert_house(links[f"{AID}:MZ2"], house_code(3, 1), "exact_key")
    assert_house(links[f"{POP}:GA1"], house_code(3), "address_code")
    assert_house(links[f"{ADDR}:{house_code(1)}"], house_code(1), "standard")


@pytest.mark.slow
def test_generated_county_meets_the_targets(tmp_path: Path) -> None:
    options = GenerateOptions(
        residents=2000, seed=1, out=tmp_path / "landing", truth=tmp_path / "truth"
    )
    generate(options)
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    ingest_landing(factory, options.out)
    with factory() as session:
        result = resolve_houses(session)
    engine.dispose()
    scores = evaluate_houses(result.links, options.truth / "houses.csv")
    assert scores.houses.precision >= 0.998, scores.describe()
    assert scores.houses.recall >= 0.99, scores.describe()
    assert scores.buildings.precision >= 0.998, scores.describe()
    assert scores.coverage[POP]["room"] > 0.95 * sum(scores.coverage[POP].values())
