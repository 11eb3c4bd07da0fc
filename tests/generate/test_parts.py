"""The generator's parts: ids, ID numbers, noise, addresses, bad-row mixing, writers."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from hub.generate import NoiseRates
from hub.generate.addresses import building_label, canonical, free_text
from hub.generate.badrows import SMALL_FILE, BadRows
from hub.generate.dice import Dice, IdSpace
from hub.generate.geography import allocate
from hub.generate.idcard import check_digit, legacy_id, resident_id, wrong_check
from hub.generate.model import Building, House, Township, Village
from hub.generate.noise import excel_number, impossible_date, typed_amount, typed_date
from hub.generate.writers import write
from hub.sources.catalog import POPULATION, VACCINATIONS
from hub.sources.problems import Reason


def test_id_space_is_a_bijection_with_a_separate_junk_range() -> None:
    space = IdSpace("MZ", 4, seed=1, salt="t")
    real = {space.real(i) for i in range(5000)}
    junk = {space.junk(s, i) for s in range(3) for i in range(4)}
    assert len(real) == 5000 and len(junk) == 12 and not real & junk
    assert all(len(r) == 6 and r.startswith("MZ") for r in real)
    with pytest.raises(ValueError):
        space.real(5000)
    assert IdSpace("MZ", 4, seed=1, salt="t").real(7) == space.real(7)
    assert IdSpace("MZ", 4, seed=2, salt="t").real(7) != space.real(7)


def test_dice_are_stable_and_independent_of_order() -> None:
    dice = Dice(9)
    first = dice.rolls("name", "GA1", 3)
    dice.roll("other", "GA2")
    assert dice.rolls("name", "GA1", 3) == first
    assert all(0 <= u < 1 for u in first) and len(set(first)) == 3
    assert Dice(10).rolls("name", "GA1", 3) != first


def test_resident_ids_follow_gb11643() -> None:
    assert check_digit("11010519491231002") == "X"
    id18 = resident_id("350526", date(1980, 3, 5), 123)
    assert id18.startswith("35052619800305123") and check_digit(id18[:17]) == id18[17]
    assert legacy_id(id18) == "350526800305123"
    assert wrong_check(id18, 0.5)[:17] == id18[:17] and wrong_check(id18, 0.5) != id18


def test_excel_keeps_fifteen_digits() -> None:
    assert excel_number("350526198003051234") == 3.50526198003051e17
    assert excel_number("35052619800305123X") == 3.50526198003051e16


def test_typed_values() -> None:
    day = date(2021, 3, 5)
    forms = {typed_date(day, u / 100) for u in range(100)}
    assert forms == {"2021-3-5", "2021/03/05", "2021年3月5日", "20210305", day}
    assert {typed_amount(650, u / 10) for u in range(10)} == {"650.00", "650元", 650}
    for u in (0.1, 0.5, 0.9):
        with pytest.raises(ValueError):
            parts = [int(p) for p in impossible_date(day, u).split("-")]
            date(*parts)


def _house(room: str = "501", number: int = 3, group: int = 0, street: str = "英山路") -> House:
    township = Township("龙浔镇", "350526100", 118.24, 25.49)
    village = Village("英山社区", "350526100001", township, True, 0.1, 118.24, 25.49, (street,))
    building = Building(0, "3505261000010001", village, street, "8号", number, group, 6, "住宅",
                        118.24, 25.49)  # fmt: skip
    return House(0, "35052610000100010001", building, "8号", 2, room, "住宅")


def test_free_text_addresses() -> None:
    house = _house()
    assert canonical(house) == "龙浔镇英山社区英山路8号3幢2单元501室"
    assert free_text(house, [0.99] * 8, 0.7) == canonical(house)
    variants = {free_text(house, list(random.Random(i).random() for _ in range(8)), 1.0)
                for i in range(300)}  # fmt: skip
    assert any(v.startswith("德化县") for v in variants)
    assert any(" " in v for v in variants) and any(v.endswith("501") for v in variants)
    assert {building_label(3, u) for u in (0.1, 0.5, 0.8, 0.9)} == {"3幢", "3栋", "三幢", "3号楼"}
    rural = _house(room="", number=0, group=3, street="")
    texts = {free_text(rural, [0.0, 0.9, 0.9, 0.0, 0.0, 0.0, u / 20, 0.5], 1.0) for u in range(20)}
    assert "龙浔镇英山社区3组" in texts and "龙浔镇英山社区3组8号" in texts


def test_allocate_gives_everyone_at_least_one() -> None:
    counts = allocate(618, [5.0, 1.0, 0.01] * 72 + [1.0])
    assert sum(counts) == 618 and min(counts) == 1


def test_noise_rates_scale_and_cap() -> None:
    rates = NoiseRates().scaled(3.0)
    assert rates.address_variant == 1.0 and rates.name_typo == pytest.approx(0.03)
    assert NoiseRates().scaled(0).bad_duplicate_id == 0


def _rows(n: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(n):
        row: dict[str, object] = {c: f"{c}{i}" for c in VACCINATIONS.columns}
        row["record_id"] = f"WJ{i:012d}"
        rows.append(row)
    return rows


@pytest.mark.parametrize("n", [50, SMALL_FILE + 5000])
def test_bad_rows_are_mixed_in_with_duplicates_after_their_originals(n: int) -> None:
    rates = NoiseRates().scaled(4)
    mixer = BadRows(VACCINATIONS, rates, random.Random(1), lambda i: f"WJ9{i:011d}",
                    truncate=True)  # fmt: skip
    entries = list(mixer.stream(_rows(n)))
    good = [e for e in entries if e.reason is None]
    assert len(good) == n and [e.record_id for e in good] == [f"WJ{i:012d}" for i in range(n)]
    kinds = Counter(e.reason for e in entries if e.reason is not None)
    assert set(kinds) == {Reason.MISSING_NAME, Reason.UNREADABLE_JSON, Reason.NOT_AN_OBJECT,
                          Reason.DUPLICATE_RECORD_ID, Reason.MISSING_RECORD_ID,
                          Reason.MALFORMED_RECORD_ID, Reason.TRUNCATED_LINE}  # fmt: skip
    assert entries[-1].reason is Reason.TRUNCATED_LINE and kinds[Reason.TRUNCATED_LINE] == 1
    first: dict[str, int] = {}
    for i, e in enumerate(entries):
        if e.reason is None:
            first.setdefault(e.record_id, i)
        elif e.reason is Reason.DUPLICATE_RECORD_ID:
            assert first[e.record_id] < i


def test_csv_writer_uses_gb18030_crlf_and_standard_quoting(tmp_path: Path) -> None:
    row = dict.fromkeys(POPULATION.columns, "") | {"人员编号": "GA0000000001", "姓名": "刘䶮",
                                                   "民族": 'a,"b"'}  # fmt: skip
    path = tmp_path / "人口_20261115.csv"
    write(POPULATION, path, [row], title="", when=datetime(2026, 11, 15))
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")  # 䶮 is only in GB18030
    text = data.decode("gb18030")
    assert text.count("\r\n") == 2 and '"a,""b"""' in text and "刘䶮" in text
