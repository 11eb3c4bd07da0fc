"""Person linkage on small hand-built frames, and end to end on a generated county."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hub.generate import GenerateOptions, generate
from hub.ingest.service import ingest_landing
from hub.normalise import normalise_name
from hub.resolution.evaluation import pairwise_scores, read_truth
from hub.resolution.persons import (
    Constraints,
    PersonLinks,
    PersonModel,
    cluster,
    link_persons,
    load_model,
    near_ids,
    score_pairs,
)
from hub.resolution.records import PERSON_COLUMNS, load_person_records_for_linkage
from hub.storage import migrate
from hub.storage.session import make_engine, session_factory

POPULATION, ASSISTANCE = "gongan.population", "minzheng.assistance"
VACCINATION, HEALTH, PARTY = "weijian.vaccination", "weijian.health_group", "dangjian.member"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@pytest.fixture(autouse=True)
def quiet_splink() -> Iterator[None]:
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def model() -> PersonModel:
    return load_model()


def resident_id(birth: str, sequence: str = "123", region: str = "350526") -> str:
    """A valid GB 11643 ID: ``birth`` is YYYYMMDD, ``sequence`` three digits (odd: male)."""
    body = region + birth + sequence
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def record(dataset: str, record_id: str, name: str, **keys: str | None) -> dict[str, Any]:
    """One person record as ingest leaves it; the birth date comes from the ID if not given."""
    normalised = normalise_name(name)
    rid = keys.get("resident_id")
    birth = keys.get("birth_date") or (rid and f"{rid[6:10]}-{rid[10:12]}-{rid[12:14]}")
    row: dict[str, Any] = dict.fromkeys(PERSON_COLUMNS)
    row.update(keys, uid=f"{dataset}:{record_id}", dataset=dataset, record_id=record_id,
               valid_from="2026-11-15", name=normalised.value, name_pinyin=normalised.pinyin,
               birth_date=birth)  # fmt: skip
    return row


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(PERSON_COLUMNS))


def together(links: PersonLinks, *uids: str) -> bool:
    return len({links.cluster_of[u] for u in uids}) == 1


HOUSE = "龙浔镇|英山社区|英山路|28号|||301室"
ZHANG = resident_id("19650312", "151")
LI = resident_id("19720506", "242")


def zhang_and_li() -> list[dict[str, Any]]:
    return [
        record(POPULATION, "GA01", "张伟", resident_id=ZHANG, sex="男", phone="13800000001",
               address_code="35052610000100010001", address_key=HOUSE, household_no="1"),
        record(VACCINATION, "WJ01", "张伟", resident_id=ZHANG, phone="13800000001"),
        record(HEALTH, "WJK01", "張偉", resident_id=ZHANG, phone="13800000001"),
        record(POPULATION, "GA02", "李娜", resident_id=LI, sex="女", phone="13900000002",
               address_key="浔中镇|浔中村||12号|||101室", household_no="2"),
    ]  # fmt: skip


def test_records_sharing_a_valid_id_link_by_it(model: PersonModel) -> None:
    misheard = record(VACCINATION, "WJ02", "臧伟", resident_id=ZHANG)  # zang/zhang: a sound-alike
    links = link_persons(frame(*zhang_and_li(), misheard), model=model)

    zhang = ["gongan.population:GA01", "weijian.vaccination:WJ01", "weijian.health_group:WJK01",
             "weijian.vaccination:WJ02"]  # fmt: skip
    assert together(links, *zhang)
    assert not together(links, zhang[0], "gongan.population:GA02")
    assert links.cluster_of[zhang[1]] == min(zhang)
    assert set(links.edges["rule"]) == {"resident_id"}


def test_an_id_typo_with_a_contradicting_name_does_not_link_by_the_id(model: PersonModel) -> None:
    # A clerk typed Zhang's ID for Li: her birth date (from the ID) is wrong too, but her
    # phone and house are hers.
    typo = record(ASSISTANCE, "MZ01", "李娜", resident_id=ZHANG, sex="女",
                  phone="13900000002", address_key="浔中镇|浔中村||12号|||101室")  # fmt: skip
    links = link_persons(frame(*zhang_and_li(), typo), model=model)

    assert not together(links, "gongan.population:GA01", "minzheng.assistance:MZ01")
    assert together(links, "gongan.population:GA02", "minzheng.assistance:MZ01")
    assert together(links, "gongan.population:GA01", "weijian.vaccination:WJ01")


def test_different_valid_ids_never_merge(model: PersonModel) -> None:
    # Twins: one house, one phone, one birthday, IDs far apart, names one character apart.
    first = resident_id("20100704", "131")
    second = resident_id("20100704", "157")
    twins = [
        record(POPULATION, "GA11", "林一诺", resident_id=first, sex="男", phone="13700000007",
               address_key=HOUSE, household_no="7"),
        record(POPULATION, "GA12", "林一鸣", resident_id=second, sex="男", phone="13700000007",
               address_key=HOUSE, household_no="7"),
        # No ID, no given name to tell them apart: as like one as the other.
        record(VACCINATION, "WJ11", "林一", birth_date="2010-07-04", phone="13700000007"),
    ]  # fmt: skip
    links = link_persons(frame(*twins), model=model)

    assert not together(links, "gongan.population:GA11", "gongan.population:GA12")
    assert not together(links, "gongan.population:GA11", "weijian.vaccination:WJ11")
    assert not together(links, "gongan.population:GA12", "weijian.vaccination:WJ11")


def test_different_valid_ids_never_merge_through_records_without_one(model: PersonModel) -> None:
    # Namesakes born in one month; each has a party record without ID at one address, so the
    # two party records are alike enough to link to each other.
    first = resident_id("19800101", "222")
    second = resident_id("19800109", "248")
    rows = [
        record(HEALTH, "WJK13", "王芳", resident_id=first, sex="女", phone="13100000001"),
        record(HEALTH, "WJK14", "王芳", resident_id=second, sex="女", phone="13100000002"),
        record(PARTY, "DJ13", "王芳", birth_date="1980-01", sex="女", phone="13100000001",
               address_key=HOUSE),
        record(PARTY, "DJ14", "王芳", birth_date="1980-01", sex="女", phone="13100000002",
               address_key=HOUSE),
    ]  # fmt: skip
    links = link_persons(frame(*rows), model=model)

    assert together(links, "weijian.health_group:WJK13", "dangjian.member:DJ13")
    assert together(links, "weijian.health_group:WJK14", "dangjian.member:DJ14")
    assert not together(links, "weijian.health_group:WJK13", "weijian.health_group:WJK14")
    tempting = links.pairs[links.pairs["uid_l"] == "dangjian.member:DJ13"]
    assert tempting["match_probability"].max() >= model.match_probability


def test_a_register_row_without_id_is_a_person_of_its_own(model: PersonModel) -> None:
    # A floating resident registered without ID and a namesake born the same day with one.
    rid = resident_id("19960503", "111")
    rows = [
        record(POPULATION, "GA81", "叶剑锋", resident_id=rid, sex="男", household_no="81",
               address_key="雷峰镇|雷峰社区|雷峰路|162-1号"),
        record(VACCINATION, "WJ81", "叶剑锋", resident_id=rid, phone="13200000081"),
        record(POPULATION, "GA82", "叶剑锋", birth_date="1996-05-03", sex="男",
               household_no="82", address_key=HOUSE),
        # A dose without ID or phone: as like the one as the other.
        record(VACCINATION, "WJ82", "叶剑锋", birth_date="1996-05-03"),
    ]  # fmt: skip
    links = link_persons(frame(*rows), model=model)

    assert together(links, "gongan.population:GA81", "weijian.vaccination:WJ81")
    assert not together(links, "gongan.population:GA82", "weijian.vaccination:WJ81")
    assert not together(links, "weijian.vaccination:WJ82", "gongan.population:GA81")
    assert not together(links, "weijian.vaccination:WJ82", "gongan.population:GA82")
    tempting = links.pairs[links.pairs["uid_l"] == "gongan.population:GA82"]
    assert tempting["match_probability"].max() >= model.match_probability


def test_an_id_typo_between_valid_ids_links_only_with_a_shared_phone_or_house(
    model: PersonModel,
) -> None:
    right = resident_id("19800101", "331")
    slip = resident_id("19800101", "371")  # one digit, check character recomputed
    assert near_ids(right, slip)
    person = record(POPULATION, "GA21", "郑振兴", resident_id=right, sex="男",
                    phone="13600000006", address_key=HOUSE)  # fmt: skip
    same_phone = record(HEALTH, "WJK21", "郑振兴", resident_id=slip, phone="13600000006")
    namesake = record(HEALTH, "WJK22", "郑振兴", resident_id=slip, phone="13600000099")

    assert together(link_persons(frame(person, same_phone), model=model), person["uid"],
                    same_phone["uid"])  # fmt: skip
    assert not together(link_persons(frame(person, namesake), model=model), person["uid"],
                        namesake["uid"])  # fmt: skip


def test_two_chen_xiuying_of_one_township_born_years_apart_stay_apart(model: PersonModel) -> None:
    elder = record(POPULATION, "GA31", "陈秀英", resident_id=resident_id("19500210", "222"),
                   sex="女", phone="13500000005", address_key=HOUSE)  # fmt: skip
    younger = record(
        POPULATION,
        "GA32",
        "陈秀英",
        birth_date="1962-03-15",
        sex="女",
        phone="13500000050",
        address_key="龙浔镇|英山社区|英山路|30号|||201室",
    )
    party = record(PARTY, "DJ32", "陈秀英", birth_date="1962-03", sex="女",
                   address_key="龙浔镇|英山社区|英山路|30号|||201室")  # fmt: skip
    links = link_persons(frame(elder, younger, party), model=model)

    assert not together(links, elder["uid"], younger["uid"])
    assert not together(links, elder["uid"], party["uid"])
    assert together(links, younger["uid"], party["uid"])  # month-only date: same month


def test_a_traditional_homophone_variant_without_id_links_to_the_right_person(
    model: PersonModel,
) -> None:
    rows = [
        record(POPULATION, "GA41", "陈秀英", resident_id=resident_id("19680808", "246"),
               sex="女", phone="13300000003", address_key=HOUSE),
        record(POPULATION, "GA42", "陈秀英", resident_id=resident_id("19710101", "264"),
               sex="女", phone="13300000033"),
        record(VACCINATION, "WJ41", "陳秀瑛", birth_date="1968-08-08", phone="13300000003"),
    ]  # fmt: skip
    links = link_persons(frame(*rows), model=model)

    assert together(links, "gongan.population:GA41", "weijian.vaccination:WJ41")
    assert not together(links, "gongan.population:GA42", "weijian.vaccination:WJ41")
    assert links.edges.loc[links.edges["uid_r"] == "weijian.vaccination:WJ41", "rule"].tolist() == [
        "splink"
    ]


def test_steward_must_links_and_cannot_links_are_honoured(model: PersonModel) -> None:
    records = frame(*zhang_and_li())
    detached = Constraints(
        cannot_link=(("gongan.population:GA01", "weijian.health_group:WJK01"),
                     ("weijian.health_group:WJK01", "weijian.vaccination:WJ01")),
        must_link=(("weijian.health_group:WJK01", "gongan.population:GA02"),),
    )  # fmt: skip
    links = link_persons(records, detached, model)

    assert together(links, "gongan.population:GA01", "weijian.vaccination:WJ01")
    assert together(links, "weijian.health_group:WJK01", "gongan.population:GA02")
    assert not together(links, "gongan.population:GA01", "weijian.health_group:WJK01")
    steward = links.edges[links.edges["rule"] == "steward"]
    assert steward[["uid_l", "uid_r"]].values.tolist() == [
        ["gongan.population:GA02", "weijian.health_group:WJK01"]
    ]


def test_same_input_in_any_order_gives_the_same_clusters(model: PersonModel) -> None:
    rows = [
        *zhang_and_li(),
        record(VACCINATION, "WJ51", "张伟", birth_date="1965-03-12", phone="13800000001"),
        record(VACCINATION, "WJ52", "张伟", birth_date="1965-03-12", phone="13800000001"),
    ]
    shuffled = rows[:]
    random.Random(5).shuffle(shuffled)  # fmt: skip

    first = link_persons(frame(*rows), model=model)
    second = link_persons(frame(*shuffled), model=model)

    assert first.cluster_of == second.cluster_of
    assert first.cluster_of["weijian.vaccination:WJ52"] == "gongan.population:GA01"
    pd.testing.assert_frame_equal(first.pairs, second.pairs)


def test_incremental_scoring_with_stored_pairs_equals_a_full_run(model: PersonModel) -> None:
    before = frame(*zhang_and_li(),
                   record(VACCINATION, "WJ61", "张伟", birth_date="1965-03-12",
                          phone="13800000001"))  # fmt: skip
    stored = score_pairs(before, model)
    new = [
        record(VACCINATION, "WJ62", "李娜", birth_date="1972-05-06", phone="13900000002"),
        record(ASSISTANCE, "MZ62", "張偉", sex="男", phone="13800000001", address_key=HOUSE),
    ]
    after = pd.concat([before, frame(*new)], ignore_index=True)  # fmt: skip

    fresh = score_pairs(after, model, only={r["uid"] for r in new})
    incremental = cluster(after, pd.concat([stored, fresh]), Constraints(), model)
    full = cluster(after, score_pairs(after, model), Constraints(), model)

    assert incremental.cluster_of == full.cluster_of
    assert together(full, "gongan.population:GA02", "weijian.vaccination:WJ62")
    assert together(full, "gongan.population:GA01", "minzheng.assistance:MZ62")
    assert set(fresh["uid_l"]) | set(fresh["uid_r"]) >= {r["uid"] for r in new}
    assert len(fresh) < len(score_pairs(after, model))


def test_pairs_stored_without_profiles_are_matched_by_uid(model: PersonModel) -> None:
    before = frame(*zhang_and_li(),
                   record(VACCINATION, "WJ70", "张伟", birth_date="1965-03-12",
                          phone="13800000001"))  # fmt: skip
    stored = score_pairs(before, model).drop(columns=["profile_l", "profile_r"])
    assert len(stored)
    new = record(VACCINATION, "WJ71", "李娜", birth_date="1972-05-06", phone="13900000002")
    after = pd.concat([before, frame(new)], ignore_index=True)

    fresh = score_pairs(after, model, only={new["uid"]})
    links = cluster(after, pd.concat([stored, fresh], ignore_index=True), Constraints(), model)

    assert links.cluster_of == link_persons(after, model=model).cluster_of
    assert together(links, "gongan.population:GA02", "weijian.vaccination:WJ71")
    assert together(links, "gongan.population:GA01", "weijian.vaccination:WJ70")


RESIDENTS = 2000


@pytest.mark.slow
def test_a_generated_county_links_with_the_saved_model(tmp_path: Path, model: PersonModel) -> None:
    landing, truth = tmp_path / "landing", tmp_path / "truth"
    generate(GenerateOptions(residents=RESIDENTS, seed=11, out=landing, truth=truth))
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    migrate.upgrade(url)
    factory = session_factory(make_engine(url))
    ingest_landing(factory, landing)
    with factory() as session:
        records = load_person_records_for_linkage(session)

    links = link_persons(records, model=model)

    scores = pairwise_scores(links.cluster_of, read_truth(truth / "persons.csv", "person_key"))
    assert scores.records == len(records)
    assert scores.precision >= 0.998, scores.describe()
    assert scores.recall >= 0.99, scores.describe()
