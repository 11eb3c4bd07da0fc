"""Names as Dehua (Minnan, Quanzhou) registers them, and the ways other offices write them.

Surname weights follow the county's common surnames (陈 林 郑 黄 ... 涂 颜 连 苏 are typical of
Dehua); given-name characters change with the decade of birth (金水 and 秀英 for the old, 建华
and 丽芳 for the middle-aged, 梓涵 and 浩宇 for children), which makes namesakes such as 陈丽 or
林秀英 as common as they are in a real county.
"""

from __future__ import annotations

import functools
from typing import Any

from pypinyin import Style, lazy_pinyin

from evalset.seeds import Rng

SURNAMES: tuple[tuple[str, float], ...] = (
    ("陈", 13),
    ("林", 9),
    ("郑", 6.5),
    ("黄", 6),
    ("李", 4),
    ("王", 4),
    ("张", 4),
    ("苏", 3),
    ("连", 3),
    ("徐", 3),
    ("曾", 2.5),
    ("赖", 2.5),
    ("涂", 2.5),
    ("颜", 2),
    ("许", 2),
    ("刘", 2),
    ("吴", 2),
    ("蔡", 1.5),
    ("周", 1.2),
    ("杨", 1.2),
    ("邱", 1),
    ("方", 1),
    ("叶", 1),
    ("洪", 1),
    ("卢", 1),
    ("温", 0.8),
    ("潘", 0.8),
    ("肖", 0.8),
    ("余", 0.8),
    ("范", 0.6),
    ("孙", 0.6),
    ("何", 0.6),
    ("罗", 0.6),
    ("郭", 0.6),
    ("戴", 0.5),
    ("庄", 0.5),
    ("柯", 0.5),
    ("詹", 0.5),
    ("魏", 0.5),
    ("邓", 0.4),
    ("朱", 0.4),
    ("宋", 0.3),
    ("傅", 0.3),
    ("康", 0.3),
    ("欧阳", 0.08),
    ("司马", 0.02),
)
#: Surnames of floating workers from Guizhou, Sichuan, Jiangxi, Hunan.
FAR_SURNAMES: tuple[tuple[str, float], ...] = (
    ("杨", 5),
    ("王", 5),
    ("李", 5),
    ("张", 4),
    ("刘", 4),
    ("陈", 3),
    ("罗", 3),
    ("吴", 3),
    ("龙", 2),
    ("田", 2),
    ("彭", 2),
    ("熊", 2),
    ("谢", 2),
    ("赵", 2),
    ("胡", 2),
    ("邓", 2),
    ("蒋", 1),
    ("石", 1),
    ("韦", 1),
    ("袁", 1),
    ("代", 1),
    ("付", 1),
    ("毛", 1),
)

# Given-name characters by era and sex (weights: earlier in a string is more common).
GIVEN = {
    ("男", 0): "金水土木福禄财旺发清泉荣德春生明文章永兴进锦长顺成添丁炳坤振源宗火国仁义贵"
    "树林海山良才玉庆昌祥忠孝",
    ("女", 0): "秀英珍玉兰桂花美凤梅莲菊素月春娥琴霞妹柳碧淑惠彩金银爱丽治凤招宝芳雪",
    ("男", 1): "建国华伟强明辉志军平勇斌杰峰东海林涛鹏荣清文忠龙群新宏剑晓亮成俊锋福德"
    "春水金永红光荣泉斌智勇毅敏",
    ("女", 1): "丽美玲芳燕娟红霞琴萍秀珍华英莉敏静婷慧雪梅兰凤琼惠艳玉清春晓冬丹虹洁",
    ("男", 2): "子轩浩宇梓涵俊杰博文睿哲泽晨阳铭鑫磊凯航宸煜楷锦奕毅昊恒嘉诚晟翔辰宇航伟豪家乐思源",
    ("女", 2): "欣怡雨桐思琪梓萱诗涵佳悦可馨语嫣雅婷晨曦一诺依妍若彤紫芸淑颖瑶菲心",
}

#: Rare characters (生僻字) a name may hold, with what a GBK-era system or a clerk writes
#: instead (a look-alike; pinyin and ? / □ are drawn on top). Some are beyond the BMP or in
#: extension A: GB18030 stores them, most other systems cannot.
RARE: dict[str, str] = {
    "堃": "坤",
    "喆": "哲",
    "垚": "尧",
    "淼": "水",
    "燚": "炎",
    "昇": "升",
    "珺": "君",
    "玥": "月",
    "瑄": "宣",
    "犇": "奔",
    "翀": "冲",
    "祎": "伟",
    "赟": "云",
    "昉": "方",
    "璟": "景",
    "曌": "照",
    "頔": "迪",
    "彧": "或",
    "𠮷": "吉",
    "䶮": "岩",
    "鋆": "均",
    "琎": "进",
    "婳": "画",
    "槿": "堇",
}

#: Look-alike characters (形近字), both ways.
LOOKALIKE_PAIRS = (
    "己已",
    "未末",
    "王玉",
    "士土",
    "人入",
    "大太",
    "天夭",
    "明朋",
    "清请",
    "晴睛",
    "辉晖",
    "娟涓",
    "婷停",
    "琳淋",
    "玲铃",
    "秀季",
    "梅海",
    "英荚",
    "峰锋",
    "萍苹",
    "莉利",
    "建健",
    "俊浚",
    "静净",
    "慧惠",
    "芳芬",
    "燕雁",
    "凤风",
    "珍诊",
    "霞瑕",
    "琴芩",
    "金全",
    "水永",
    "华毕",
    "国囯",
    "林材",
    "春舂",
    "兰岚",
    "丽麗",
    "宇字",
    "杰木",
    "泉全",
    "斌赋",
    "锦棉",
)

#: Names of Uyghur and Yi floating workers, written with ·.
MINORITY = (
    ("阿依古丽·买买提", "女", "维吾尔族"),
    ("艾力·托合提", "男", "维吾尔族"),
    ("热依拉·阿不都", "女", "维吾尔族"),
    ("迪丽拜尔·吾斯曼", "女", "维吾尔族"),
    ("买买提江·艾海提", "男", "维吾尔族"),
    ("阿卜杜拉·吐尔逊", "男", "维吾尔族"),
    ("阿苦·日哈", "男", "彝族"),
    ("吉克·阿依", "女", "彝族"),
)
MINORITY_SEPARATORS = (" ", ".", "•", "-", "", "．")


def era(year: int) -> int:
    return 0 if year < 1960 else (1 if year < 1990 else 2)


def surname(rng: Rng, far: bool = False) -> str:
    table = FAR_SURNAMES if far else SURNAMES
    return rng.weighted([s for s, _ in table], [w for _, w in table])


def given_char(sex: str, year: int, rng: Rng) -> str:
    pool = GIVEN[(sex, era(year))]
    # Earlier characters are more common: a triangular pick towards the front.
    return pool[min(int(rng.triangular(0, len(pool), 0)), len(pool) - 1)]


def given_name(sex: str, year: int, rng: Rng, shared: str | None = None) -> str:
    """Two characters mostly, one for ~12% of the old and ~5% of the young; ``shared`` puts a
    parent's or sibling's character in (generation names)."""
    single = rng.chance(0.12 if year < 1970 else 0.05)
    if shared and not single:
        other = given_char(sex, year, rng)
        return shared + other if rng.chance(0.6) else other + shared
    first = given_char(sex, year, rng)
    if single:
        return first
    second = given_char(sex, year, rng)
    while second == first and rng.chance(0.8):
        second = given_char(sex, year, rng)
    return first + second


def with_rare(given: str, rng: Rng) -> str:
    """Replace one character of a given name by a rare one."""
    i = rng.randrange(len(given))
    return given[:i] + rng.pick(list(RARE)) + given[i + 1 :]


@functools.cache
def _homophones() -> dict[str, tuple[str, ...]]:
    """Every name character with the characters that sound the same (same toneless pinyin),
    from the pools above plus common characters a pinyin input method offers first."""
    extra = "瑛莹颖盈应鹰樱丽莉力立利历励秀修绣锈袖华化画桦滑明鸣铭名茗清青轻倾晴情庆"
    extra += "辉挥徽灰慧惠卉会汇蕙伟玮炜苇薇维卫为位芳方房放仿纺红洪鸿宏虹弘泓国果郭锅"
    extra += "建健剑见键坚金今津锦进晋近劲玲铃凌琳林霖临麟美梅玫媚枚妹珍真贞针臻振震镇"
    extra += "志智致芝枝治至平萍苹评屏凤峰锋丰风枫蜂娟捐鹃涓隽霞夏侠峡暇侠燕艳雁颜彦宴"
    extra += "杰洁婕捷节结文雯闻纹稳玉钰毓育誉昱煜宇语雨羽禹予淑书舒殊姝树德得英婴莺"
    pool = "".join(GIVEN.values()) + extra
    by_sound: dict[str, list[str]] = {}
    for char in dict.fromkeys(pool):  # ordered, de-duplicated
        by_sound.setdefault(lazy_pinyin(char, style=Style.NORMAL)[0], []).append(char)
    return {
        char: tuple(c for c in group if c != char)
        for group in by_sound.values()
        for char in group
        if len(group) > 1
    }


@functools.cache
def _lookalikes() -> dict[str, str]:
    table: dict[str, str] = {}
    for pair in LOOKALIKE_PAIRS:
        a, b = pair[0], pair[1]
        table.setdefault(a, b)
        table.setdefault(b, a)
    return table


def homophone(name: str, surname_len: int, rng: Rng) -> str | None:
    """The name with one given-name character swapped for a homophone, or None."""
    table = _homophones()
    spots = [i for i in range(surname_len, len(name)) if name[i] in table]
    if not spots:
        return None
    i = rng.pick(spots)
    return name[:i] + rng.pick(table[name[i]]) + name[i + 1 :]


def lookalike(name: str, rng: Rng) -> str | None:
    table = _lookalikes()
    spots = [i for i, c in enumerate(name) if c in table]
    if not spots:
        return None
    i = rng.pick(spots)
    return name[:i] + table[name[i]] + name[i + 1 :]


def rare_replaced(name: str, rng: Rng) -> str:
    """How a system without the character writes a name holding a rare one."""
    out = []
    how = rng.weighted(("lookalike", "pinyin", "?", "□"), (0.45, 0.15, 0.25, 0.15))
    for char in name:
        if char not in RARE:
            out.append(char)
        elif how == "lookalike":
            out.append(RARE[char])
        elif how == "pinyin":
            out.append(lazy_pinyin(char, style=Style.NORMAL)[0])
        else:
            out.append(how)
    return "".join(out)


def pinyin_of(name: str) -> str:
    return " ".join(lazy_pinyin(name, style=Style.NORMAL))


@functools.cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def traditional(name: str) -> str:
    return str(_converter().convert(name))


def spaced(name: str, rng: Rng) -> str:
    where = rng.randrange(3)
    if where == 0 and len(name) > 1:
        return name[0] + rng.pick((" ", "  ", "\u3000")) + name[1:]
    if where == 1:
        return " " + name
    return name + rng.pick((" ", "  "))


def nickname(given: str, rng: Rng) -> str:
    return rng.pick(("阿", "小")) + given[-1]
