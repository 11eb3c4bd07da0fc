import functools
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.normalise.names import normalise_name, pinyin_key, to_simplified

if TYPE_CHECKING:
    from opencc import OpenCC


@functools.cache
def s2t() -> "OpenCC":
    from opencc import OpenCC

    return OpenCC("s2t")


def to_traditional(text: str) -> str:
    return s2t().convert(text)


@pytest.mark.parametrize(
    ("raw", "value", "pinyin", "converted"),
    [
        ("陈秀英", "陈秀英", "chen xiu ying", False),
        ("陳秀英", "陈秀英", "chen xiu ying", True),
        ("張 偉", "张伟", "zhang wei", True),
        (" 张  三 ", "张三", "zhang san", False),
        ("张\u3000三", "张三", "zhang san", False),
        ("李\u00a0娜", "李娜", "li na", False),
        ("歐陽曉燕", "欧阳晓燕", "ou yang xiao yan", True),
        ("阿依古丽·买买提", "阿依古丽·买买提", "a yi gu li mai mai ti", False),
        ("阿依古丽•买买提", "阿依古丽·买买提", "a yi gu li mai mai ti", False),
        ("阿依古丽‧买买提", "阿依古丽·买买提", "a yi gu li mai mai ti", False),
        ("阿依古丽･买买提", "阿依古丽·买买提", "a yi gu li mai mai ti", False),
        ("阿依古丽．买买提", "阿依古丽·买买提", "a yi gu li mai mai ti", False),
        ("阿依古麗．買買提", "阿依古丽·买买提", "a yi gu li mai mai ti", True),
        ("ＬＩ　Ｍｉｎｇ", "LI Ming", "li ming", False),
        (" John  Smith ", "John Smith", "john smith", False),
    ],
)
def test_examples(raw: str, value: str, pinyin: str, converted: bool) -> None:
    result = normalise_name(raw)
    assert result.original == raw
    assert (result.value, result.pinyin, result.converted) == (value, pinyin, converted)


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000"])
def test_blank_names(raw: object) -> None:
    result = normalise_name(raw)
    assert (result.value, result.pinyin, result.converted) == (None, None, False)


def test_homophones_share_the_key() -> None:
    assert normalise_name("陈秀英").pinyin == normalise_name("陈秀瑛").pinyin
    assert normalise_name("林志强").pinyin == normalise_name("林智强").pinyin
    assert normalise_name("林志强").pinyin != normalise_name("林志刚").pinyin


@pytest.mark.parametrize(
    ("name", "pinyin"),
    [
        ("曾伟", "zeng wei"),  # pypinyin alone: ceng wei
        ("曾经纬", "zeng jing wei"),  # not the word 曾经 (ceng jing)
        ("单雄信", "shan xiong xin"),
        ("解放军", "xie fang jun"),
        ("仇敏", "qiu min"),
        ("区志强", "ou zhi qiang"),
        ("區志強", "ou zhi qiang"),  # traditional: simplified first, then read
        ("查良镛", "zha liang yong"),
        ("朴正熙", "piao zheng xi"),
        ("覃明", "qin ming"),
        ("翟志刚", "zhai zhi gang"),
        ("盖伟", "ge wei"),
        ("缪明", "miao ming"),
        ("种师道", "chong shi dao"),
        ("秘书华", "bi shu hua"),
        ("繁荣", "po rong"),
        ("员工", "yun gong"),
        ("长明", "chang ming"),
        ("重阳", "chong yang"),
        ("藏明", "zang ming"),
        ("阚明", "kan ming"),
        ("尉明", "wei ming"),  # 尉 alone is Wei; Yu only in 尉迟
        ("尉迟恭", "yu chi gong"),
        ("长孙无忌", "zhang sun wu ji"),  # the compound is read whole, not 长 Chang
        ("欧阳修", "ou yang xiu"),
        ("司马光", "si ma guang"),
        ("万俟卨", "mo qi xie"),
        ("乐正明", "yue zheng ming"),
        ("李曾", "li ceng"),  # only the first character is a surname
        ("阿依古丽·曾", "a yi gu li ceng"),  # a minority name has no Han surname
    ],
)
def test_surnames_are_read_as_surnames(name: str, pinyin: str) -> None:
    assert normalise_name(name).pinyin == pinyin


def test_homophone_of_a_polyphonic_surname_shares_the_key() -> None:
    # The clerk's typo 增伟 for 曾伟 links at the pinyin level.
    assert normalise_name("曾伟").pinyin == normalise_name("增伟").pinyin == "zeng wei"
    assert normalise_name("单丽").pinyin == normalise_name("善丽").pinyin


def test_helpers() -> None:
    assert to_simplified("龍潯鎮英山社區") == "龙浔镇英山社区"
    assert to_simplified("abc") == "abc"
    assert pinyin_key("陳 秀英") == "chen xiu ying"


names = st.lists(
    st.sampled_from("陈林黄郑张王李刘苏叶钟秀英志强建国丽娜芳伟华明玉兰金水清"),
    min_size=2,
    max_size=4,
).map("".join)
spaces = st.sampled_from([" ", "  ", "\u3000", "\u00a0", "\t"])


@given(names, st.data())
def test_spaces_anywhere_do_not_change_the_name(name: str, data: st.DataObject) -> None:
    spaced = "".join(ch + data.draw(st.one_of(st.just(""), spaces)) for ch in name)
    assert normalise_name(spaced).value == name
    assert normalise_name(spaced).pinyin == normalise_name(name).pinyin


@given(names)
def test_traditional_form_normalises_to_the_same_name(name: str) -> None:
    traditional = to_traditional(name)
    result = normalise_name(traditional)
    assert result.value == name
    assert result.pinyin == normalise_name(name).pinyin
    assert result.converted is (traditional != name)
