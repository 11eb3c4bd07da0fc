"""Surnames and given names as they occur in Dehua, and the ways clerks get them wrong.

Given names are drawn from short, top-heavy lists per generation, so different people share
names (several 陈秀英 born in different years), as in any real county.
"""

from __future__ import annotations

import random
from functools import cache
from itertools import accumulate
from typing import Protocol

#: Surname -> weight. Southern Fujian: 陈 and 林 lead; 涂, 赖, 连 are typical of Dehua.
SURNAMES: dict[str, float] = {
    "陈": 12, "林": 10, "黄": 7, "郑": 5, "李": 5, "王": 5, "张": 4, "刘": 3, "吴": 3,
    "苏": 3, "曾": 2.5, "涂": 2.5, "赖": 2, "徐": 2, "郭": 2, "许": 2, "连": 1.5, "邱": 1.5,
    "颜": 1.5, "杨": 1.5, "叶": 1.5, "蔡": 1.5, "孙": 1, "周": 1, "方": 1, "谢": 1, "罗": 1,
    "卢": 1, "柯": 0.8, "潘": 0.8, "庄": 0.8, "洪": 0.8, "温": 0.6, "戴": 0.5, "魏": 0.5,
    "余": 0.5, "钟": 0.5, "肖": 0.5, "邓": 0.4, "朱": 0.4, "胡": 0.4, "何": 0.4, "姚": 0.3,
}  # fmt: skip
#: Surnames of the She (畲族) people of Fujian.
SHE_SURNAMES: dict[str, float] = {"雷": 5, "蓝": 4, "钟": 3, "李": 1}

# Given names per generation (first birth year of the cohort), most common first.
_FEMALE: dict[int, tuple[str, ...]] = {
    0: ("秀英", "秀兰", "桂英", "玉兰", "淑珍", "美玉", "秀珍", "玉英", "月娥", "金花", "素珍",
        "秀琴", "玉珍", "宝珠", "秀云", "玉梅", "凤英", "淑英", "惠珍", "阿珠"),
    1960: ("丽娟", "秀梅", "美华", "丽华", "玉梅", "淑华", "春梅", "丽珍", "秀娟", "美玲",
           "惠玲", "月华", "雪梅", "丽琴", "秀云", "海燕", "红梅", "丽红", "晓红", "艳"),
    1980: ("丽萍", "婷婷", "晓燕", "丽丽", "燕", "静", "琳", "敏", "丹丹", "雅琴", "佳佳",
           "晓婷", "艳玲", "小燕", "淑婷", "雪芳", "秀芳", "美琴", "慧敏", "晓玲"),
    2000: ("欣怡", "雨婷", "诗琪", "佳怡", "思琪", "梦琪", "雅婷", "嘉怡", "子涵", "欣妍",
           "紫涵", "雨欣", "婧", "琪", "颖", "晓雯", "佳琪", "静怡"),
    2013: ("一诺", "梓涵", "依诺", "欣妍", "若汐", "语桐", "可馨", "梓萱", "沐晴", "诗涵",
           "芷若", "思妍", "语汐", "安琪", "雨桐", "梓玥", "嘉䶮"),
}  # fmt: skip
_MALE: dict[int, tuple[str, ...]] = {
    0: ("金水", "永福", "清水", "德胜", "国华", "建国", "文华", "明德", "福生", "荣华", "金山",
        "水生", "天赐", "振兴", "长庚", "炳辉", "国栋", "志坚", "金木", "德才"),
    1960: ("建华", "国强", "志明", "文斌", "建平", "志勇", "建明", "国平", "志强", "建新",
           "文杰", "伟民", "晓东", "振华", "建军", "荣辉", "清华", "国辉", "永强", "明辉"),
    1980: ("伟", "强", "杰", "斌", "鹏", "磊", "俊杰", "志伟", "晓峰", "建伟", "家豪", "志鹏",
           "少华", "伟强", "文龙", "剑锋", "毅", "辉", "峰", "凯"),
    2000: ("浩然", "子豪", "宇轩", "俊杰", "梓豪", "浩宇", "子轩", "博文", "文杰", "雨泽",
           "家乐", "俊熙", "皓轩", "天佑", "宇航", "嘉豪", "志豪"),
    2013: ("梓轩", "宇泽", "沐宸", "一鸣", "浩宇", "子墨", "宸睿", "奕辰", "锦程", "梓睿",
           "俊宇", "睿泽", "承泽", "亦辰", "子堃", "梓喆", "浩䶮"),
}  # fmt: skip

#: Character -> characters a clerk types for it (same or near-same sound in Mandarin or Minnan).
HOMOPHONES: dict[str, str] = {
    "英": "瑛", "兰": "岚", "华": "桦", "明": "铭", "丽": "莉", "玲": "琳", "辉": "晖",
    "伟": "玮", "静": "婧", "军": "君", "红": "虹", "金": "锦", "志": "智", "文": "雯",
    "建": "健", "梅": "玫", "珍": "贞", "娟": "鹃", "燕": "艳", "峰": "锋", "斌": "彬",
    "涵": "函", "宇": "雨", "浩": "皓", "琪": "祺", "婷": "亭", "怡": "仪", "欣": "馨",
    "俊": "骏", "秀": "琇", "玉": "钰", "桂": "贵", "凤": "风", "杰": "洁", "强": "祥",
    "陈": "程", "黄": "王", "张": "章", "李": "黎", "刘": "柳", "吴": "伍", "徐": "许",
    "许": "徐", "林": "琳", "郑": "正", "杨": "扬", "叶": "业", "曾": "增",
}  # fmt: skip

ETHNICITIES: dict[str, float] = {
    "汉族": 97.3, "畲族": 1.8, "回族": 0.3, "苗族": 0.2, "土家族": 0.15, "壮族": 0.1,
    "满族": 0.1, "彝族": 0.05,
}  # fmt: skip


class NamePicker:
    """Weighted draws of surnames and given names."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._surnames = _table(SURNAMES)
        self._she = _table(SHE_SURNAMES)
        self._ethnic = _table(ETHNICITIES)
        self._given = {
            (sex, start): _table({n: 1.0 / (i + 3) ** 0.8 for i, n in enumerate(names)})
            for sex, cohorts in (("男", _MALE), ("女", _FEMALE))
            for start, names in cohorts.items()
        }

    def surname(self, ethnicity: str = "汉族") -> str:
        """A surname; She people mostly carry their own."""
        if ethnicity == "畲族" and self._rng.random() < 0.8:
            return _draw(self._rng, self._she)
        return _draw(self._rng, self._surnames)

    def given(self, sex: str, birth_year: int) -> str:
        """A given name fashionable in the birth year."""
        cohorts = _MALE if sex == "男" else _FEMALE
        start = max(y for y in cohorts if y <= birth_year)
        return _draw(self._rng, self._given[(sex, start)])

    def ethnicity(self) -> str:
        """An ethnic group as registered."""
        return _draw(self._rng, self._ethnic)


def homophone_typo(name: str, u: float) -> str | None:
    """The name with one character swapped for a homophone, or None if none applies."""
    positions = [i for i, c in enumerate(name) if c in HOMOPHONES]
    if not positions:
        return None
    i = positions[min(len(positions) - 1, int(u * len(positions)))]
    return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]


def with_stray_spaces(name: str, u: float) -> str:
    """The name as typed with a space too many: inside, before or after."""
    if u < 0.5 and len(name) > 1:
        return name[0] + " " + name[1:]
    return " " + name if u < 0.75 else name + " "


def to_traditional(text: str) -> str:
    """Traditional-character form (OpenCC s2t)."""
    return _converter().convert(text)


@cache
def _converter() -> _Converter:
    import opencc

    converter: _Converter = opencc.OpenCC("s2t")
    return converter


class _Converter(Protocol):  # the part of opencc.OpenCC we use (opencc ships no type hints)
    def convert(self, text: str) -> str: ...


def _table(weights: dict[str, float]) -> tuple[tuple[str, ...], list[float]]:
    return tuple(weights), list(accumulate(weights.values()))


def _draw(rng: random.Random, table: tuple[tuple[str, ...], list[float]]) -> str:
    return rng.choices(table[0], cum_weights=table[1])[0]
