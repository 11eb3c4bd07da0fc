from __future__ import annotations

from pathlib import Path

import pytest

from hub.sources.catalog import Encoding
from hub.sources.encoding import decode, decode_text
from hub.sources.problems import DeliveryRejected

TEXT = "人员编号,姓名\r\nGA0000000001,张三\r\nGA0000000002,李四\r\n"


def test_gb18030_is_detected_after_utf8_fails() -> None:
    text, encoding = decode(TEXT.encode("gb18030"), "人口.csv", expected=Encoding.GB18030)
    assert (text, encoding) == (TEXT, Encoding.GB18030)


def test_bom_means_utf8_sig_and_is_removed() -> None:
    decoded = decode_text(TEXT.encode("utf-8-sig"), "党员.csv", expected=Encoding.UTF8_BOM)
    assert decoded.text == TEXT
    assert decoded.encoding is Encoding.UTF8_BOM
    assert not decoded.mismatch


def test_utf8_where_gb18030_was_expected_is_read_as_utf8_and_flagged() -> None:
    # Decoded as GB18030 these bytes would not fail: they would silently become garbage.
    assert TEXT.encode("utf-8").decode("gb18030") != TEXT
    decoded = decode_text(TEXT.encode("utf-8"), "人口.csv", expected=Encoding.GB18030)
    assert (decoded.text, decoded.encoding, decoded.mismatch) == (TEXT, Encoding.UTF8, True)


def test_plain_ascii_matches_a_gb18030_contract() -> None:
    decoded = decode_text(b"a,b\r\n1,2\r\n", "x.csv", expected=Encoding.GB18030)
    assert (decoded.encoding, decoded.mismatch) == (Encoding.GB18030, False)


def test_missing_bom_is_a_mismatch_but_readable() -> None:
    decoded = decode_text(TEXT.encode("utf-8"), "党员.csv", expected=Encoding.UTF8_BOM)
    assert (decoded.text, decoded.encoding, decoded.mismatch) == (TEXT, Encoding.UTF8, True)


@pytest.mark.parametrize("codec", ["utf-8", "gb18030"])
def test_a_character_cut_at_the_end_is_a_cut_tail_not_a_rejection(codec: str) -> None:
    data = (TEXT + "GA0000000003,王五").encode(codec)
    data = data[:-1]  # half of 五
    decoded = decode_text(data, "人口.csv")
    assert decoded.encoding == codec
    assert decoded.cut_tail
    assert decoded.text == TEXT + "GA0000000003,王\ufffd"


def test_utf8_with_a_cut_tail_does_not_fall_through_to_gb18030() -> None:
    data = (TEXT + "GA0000000003,王五").encode("utf-8")[:-2]
    assert decode_text(data, "人口.csv", expected=Encoding.GB18030).encoding is Encoding.UTF8


def test_complete_text_has_no_cut_tail() -> None:
    assert not decode_text(TEXT.encode("utf-8"), "x.csv").cut_tail


def test_undecodable_bytes_reject_the_file_naming_it_and_the_offset() -> None:
    data = b"abc\r\n\xff\xfe\x80\x80\r\n"
    with pytest.raises(DeliveryRejected) as caught:
        decode(data, "人口_20261115.csv")
    assert caught.value.file == "人口_20261115.csv"
    assert "offset 5" in caught.value.reason


def test_a_bad_byte_in_the_middle_of_a_utf8_file_rejects_it() -> None:
    data = TEXT.encode("utf-8") + b"GA0000000003,\xe7\x8e\r\n" + "GA4,赵六\r\n".encode()
    with pytest.raises(DeliveryRejected, match="corrupt"):
        decode_text(data, "人口.csv", expected=Encoding.GB18030)


def test_a_bad_bom_file_is_rejected() -> None:
    with pytest.raises(DeliveryRejected, match="byte-order mark"):
        decode(b"\xef\xbb\xbfabc\xff\r\n", "党员.csv")


def test_a_big5_export_is_rejected_as_wrong_encoding_not_as_mojibake_columns(
    tmp_path: Path,
) -> None:
    """Big5 bytes decode as GB18030 without an error: the header is then mojibake, and the
    rejection must say what is wrong (the encoding), not list garbled column names."""
    from opencc import OpenCC

    from hub.sources import catalog
    from hub.sources.reading import read_delivery

    traditional = OpenCC("s2t")
    header = ",".join(traditional.convert(c) for c in catalog.POPULATION.columns)
    row = "GA0000000001,,陳秀英,女,漢族,19900101,350526001,戶主,戶籍人口,,13812345678,2020-01-01,0"
    path = tmp_path / catalog.POPULATION.file_name("20261116")
    path.write_bytes(f"{header}\r\n{row}\r\n".encode("big5"))
    with pytest.raises(DeliveryRejected) as rejected:
        read_delivery(catalog.POPULATION, path)
    assert str(rejected.value) == (
        f"{path.name}: wrong encoding: the file is Big5 (traditional Chinese), the contract "
        "says GB18030; the department must export it again"
    )
    path.write_bytes(f"{header}\r\n{row}\r\n".encode("utf-16"))
    with pytest.raises(DeliveryRejected, match="wrong encoding: UTF-16"):
        read_delivery(catalog.POPULATION, path)
    # A header that is simply wrong (another file) is still said to be one.
    path.write_bytes("编号,名字\r\nGA0000000001,陈秀英\r\n".encode("gb18030"))
    with pytest.raises(DeliveryRejected, match="the header lacks the column"):
        read_delivery(catalog.POPULATION, path)
