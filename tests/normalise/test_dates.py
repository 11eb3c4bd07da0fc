import calendar
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.normalise.dates import (
    CHINA_TZ,
    DatePrecision,
    date_to_excel_serial,
    excel_serial_to_date,
    parse_date,
    parse_timestamp,
)

D = datetime.date
FULL_WIDTH = str.maketrans("0123456789-/.", "０１２３４５６７８９－／．")

day_formats = [
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: f"{d:%Y-%m-%d}",
    lambda d: f"{d:%Y/%m/%d}",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d:%Y.%m.%d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d:%Y年%m月%d日}",
    lambda d: f"{d:%Y%m%d}",
    lambda d: f"{d:%Y-%m-%d}T09:30:00+08:00",
    lambda d: f"{d:%Y-%m-%d} 00:00:00",
    lambda d: f" {d:%Y-%m-%d}\u3000",
    lambda d: f"{d.year}-{d.month}-{d.day}".translate(FULL_WIDTH),
    lambda d: d,
    lambda d: datetime.datetime(d.year, d.month, d.day, 13, 5),
    lambda d: int(f"{d:%Y%m%d}"),
]
month_formats = [
    lambda d: f"{d:%Y-%m}",
    lambda d: f"{d.year}-{d.month}",
    lambda d: f"{d:%Y.%m}",
    lambda d: f"{d:%Y/%m}",
    lambda d: f"{d.year}年{d.month}月",
    lambda d: f"{d:%Y%m}",
]
dates = st.dates(D(1900, 1, 1), D(2100, 12, 31))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021-3-5", D(2021, 3, 5)),
        ("2021/03/05", D(2021, 3, 5)),
        ("2021.03.05", D(2021, 3, 5)),
        ("2021年3月5日", D(2021, 3, 5)),
        ("2021年3月5", D(2021, 3, 5)),
        ("20210305", D(2021, 3, 5)),
        ("2021-03-05T09:30:00+08:00", D(2021, 3, 5)),
        ("２０２１－０３－０５", D(2021, 3, 5)),
        (44260, D(2021, 3, 5)),
        (44260.75, D(2021, 3, 5)),  # a date with a time of day
        (20210305, D(2021, 3, 5)),  # YYYYMMDD typed into a number cell
        (20210305.0, D(2021, 3, 5)),
        (1, D(1900, 1, 1)),
        (59, D(1900, 2, 28)),
        (61, D(1900, 3, 1)),
    ],
)
def test_accepted_examples(raw: object, expected: D) -> None:
    result = parse_date(raw)
    assert (result.value, result.precision, result.error) == (expected, DatePrecision.DAY, None)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("21-3-5", "two-digit year"),
        ("21/03/05", "two-digit year"),
        ("210305", "two-digit year"),
        ("2021-02-30", "no such day 2021-02-30"),
        ("2021-13-01", "no such day 2021-13-01"),
        ("2021-03-00", "no such day 2021-03-00"),
        ("1899-12-31", "1899-12-31 is before 1900-01-01"),
        ("2021-03", "month only, day missing"),
        ("2021-3/5", "not a date: '2021-3/5'"),
        ("明天", "not a date: '明天'"),
        (60, "no such Excel date serial 60"),  # Lotus' 1900-02-29
        (0, "not a date: '0'"),
    ],
)
def test_rejected_examples(raw: object, error: str) -> None:
    result = parse_date(raw)
    assert (result.value, result.precision, result.error) == (None, None, error)
    assert result.original is not None


@pytest.mark.parametrize("raw", [None, "", "  ", float("nan")])
def test_missing_is_not_an_error(raw: object) -> None:
    result = parse_date(raw)
    assert (result.value, result.error, result.iso) == (None, None, None)


def test_bounds() -> None:
    assert parse_date("2030-01-01", latest=D(2026, 1, 1)).error == "2030-01-01 is after 2026-01-01"
    assert parse_date("1950-01-01", earliest=D(1960, 1, 1)).value is None
    assert parse_date("1960-01", allow_month=True, earliest=D(1960, 1, 15)).iso == "1960-01"
    assert parse_date("2026-02", allow_month=True, latest=D(2026, 1, 31)).value is None


@pytest.mark.parametrize(
    "text", ["2021-03", "2021.3", "2021/03", "2021年3月", "202103", "2021年03"]
)
def test_month_precision(text: str) -> None:
    result = parse_date(text, allow_month=True)
    assert (result.value, result.precision, result.iso) == (
        D(2021, 3, 1),
        DatePrecision.MONTH,
        "2021-03",
    )


def test_month_allowed_still_reads_days() -> None:
    assert parse_date("2021-03-05", allow_month=True).iso == "2021-03-05"
    assert parse_date("2021-13", allow_month=True).error == "no such month 2021-13"


@given(dates)
def test_every_day_format_round_trips(day: D) -> None:
    for render in day_formats:
        result = parse_date(render(day))
        assert result.value == day, render(day)
        assert result.iso == day.isoformat()


@given(dates)
def test_every_month_format_round_trips(day: D) -> None:
    first = day.replace(day=1)
    for render in month_formats:
        result = parse_date(render(day), allow_month=True)
        assert (result.value, result.precision) == (first, DatePrecision.MONTH), render(day)
        assert parse_date(render(day)).value is None  # not without allow_month


@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(29, 31))
def test_impossible_days_are_rejected(year: int, month: int, day: int) -> None:
    if day <= calendar.monthrange(year, month)[1]:
        return
    for text in (
        f"{year}-{month}-{day}",
        f"{year}{month:02d}{day:02d}",
        f"{year}年{month}月{day}日",
    ):
        result = parse_date(text)
        assert result.value is None
        assert result.error == f"no such day {year:04d}-{month:02d}-{day:02d}"


@given(st.dates(D(1900, 3, 1), D(2119, 1, 10)))
def test_excel_serial_round_trip(day: D) -> None:
    serial = date_to_excel_serial(day)
    assert excel_serial_to_date(serial) == day
    assert parse_date(serial).value == day
    assert parse_date(float(serial) + 0.5).value == day


@given(st.integers(61, 80_000))
def test_excel_serials_are_consecutive_days(serial: int) -> None:
    this, following = excel_serial_to_date(serial), excel_serial_to_date(serial + 1)
    if following is not None:
        assert this is not None and following - this == datetime.timedelta(days=1)


def test_excel_known_anchors() -> None:
    assert excel_serial_to_date(45000) == D(2023, 3, 15)
    assert excel_serial_to_date(80_001) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022-03-14T09:30:00+08:00", datetime.datetime(2022, 3, 14, 9, 30, tzinfo=CHINA_TZ)),
        ("2022-03-14T01:30:00Z", datetime.datetime(2022, 3, 14, 9, 30, tzinfo=CHINA_TZ)),
        ("2022-03-14 09:30:00", datetime.datetime(2022, 3, 14, 9, 30, tzinfo=CHINA_TZ)),
        (
            datetime.datetime(2022, 3, 14, 9, 30),
            datetime.datetime(2022, 3, 14, 9, 30, tzinfo=CHINA_TZ),
        ),
        ("2022-03-14", datetime.datetime(2022, 3, 14, tzinfo=CHINA_TZ)),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_timestamps(raw: object, expected: datetime.datetime | None) -> None:
    result = parse_timestamp(raw)
    assert result == expected
    if result is not None:
        assert result.utcoffset() is not None
        if isinstance(raw, str) and "+" not in raw and "Z" not in raw:
            assert result.utcoffset() == datetime.timedelta(hours=8)
