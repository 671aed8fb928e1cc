"""What a unit (部门) is, by its shape, and how it is named.

The department filter needs the unit that wrote or issued an article as the page
names it, for any of the hundreds of units a college has, so a string is taken
for a unit by its shape (it ends in a unit word, is short, holds no digits,
e-mail, address or date, and is no person's name), never by a whitelist.
``data/departments.toml`` and a site's own aliases only merge spellings
(信工学院 → 信息工程学院). The institution's own name in front of a unit is dropped
only when it is the page's institution (河南大学人事处 → 人事处 on 河南大学's site);
a unit inside a unit stays whole (大数据学院团委).
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from indexer import departments

#: Endings of unit names, longest first.
UNIT_WORDS = (
    "委员会", "办公室", "研究院", "研究所", "研究中心", "实验室", "工作室", "工作站", "指导中心", "学院", "书院",
    "中心", "支部", "总支", "党委", "团委", "工会", "学生会", "研究生会", "研究会", "协会", "联合会", "联盟",
    "共同体", "基地", "医院", "公司", "集团", "校区", "分会", "编辑部", "新闻社", "记者团", "艺术团",
    "处", "部", "办", "室", "科", "馆", "委", "会", "所", "站", "队", "团", "组", "社", "系", "院", "局", "厅",
    "大学", "学校", "小组", "考点", "考试点",
)
_UNIT_END = re.compile("(" + "|".join(UNIT_WORDS) + ")$")
#: Roles that follow a unit in credit lines: 新闻中心记者, 大数据学院通讯员.
_ROLE_END = re.compile(r"(学生摄影记者|摄影记者|学生记者|见习记者|特约记者|记者|学生通讯员|通讯员|供稿|撰稿|报道|"
                       r"摄影|摄|文图|文|图|副教授|教授|副院长|院长|副主任|主任|特聘研究员|副研究员|研究员|副书记|书记|"
                       r"讲师|博士生|硕士生|学生)$")
#: One-character endings that also end given names (王会, 李科): with a common
#: surname in front, a two- or three-character string is a person.
_NAME_LIKE_END = "会科团院组队"
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
                "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
                "戴莫孔向汤")
_BAD = re.compile(r"[0-9０-９@#%&*=+<>{}\[\]【】|｜“”\"'《》。，！？；：:,!?;]|https?:|www\.|\.(?:com|cn|net)|"
                  r"第[一二三四五六七八九十百零〇]+次")
_INSTITUTION = re.compile(r"^(.{2,20}?(?:大学|学院|学校|职院|高专|研究院))")
#: Endings only institutions have (a bare 学院 is as often a college's own school).
_INSTITUTION_STRICT = re.compile(r"^(.{2,20}?(?:大学|职业技术学院|职业学院|师范学院|高等专科学校|专科学校|学校|职院|高专))")
_SPACE = re.compile(r"[\s\u3000\xa0]+")


def clean(value: str) -> str:
    """A candidate name without spaces, or punctuation and brackets around it; a
    bracket that belongs to the name stays (大数据学院党委（计算机科学与技术学院）)."""
    value = _SPACE.sub("", value).replace("(", "（").replace(")", "）")
    value = value.strip("【】[]《》“”\"'：:，,。.、;；|｜/-—")
    while value.startswith("（") and value.count("（") > value.count("）"):
        value = value[1:]
    while value.endswith("）") and value.count("）") > value.count("（"):
        value = value[:-1]
    if value.startswith("（") and value.endswith("）") and value.count("（") == 1:
        value = value[1:-1]
    return value


def looks_like_unit(name: str | None) -> bool:
    """Whether ``name`` is shaped like a unit (教务处, 大数据学院团委, 研招办, 党委学工部)
    rather than a person, a sentence or a date."""
    if not name:
        return False
    name = clean(name)
    if departments.normalise(name):
        return True
    m = re.fullmatch(r"(.{2,30}?)（([^（）]{2,20})）", name)
    if m:   # 大数据学院党委（计算机科学与技术学院）: the unit, and its other name
        return looks_like_unit(m.group(1))
    if not 2 <= len(name) <= 30 or _BAD.search(name) or re.search(r"[A-Za-z]{2,}", name):
        return False
    if not re.fullmatch(r"[\u3400-\u9fff（）·]+", name):
        return False
    m = _UNIT_END.search(name)
    if not m:
        return False
    if len(m.group(1)) == 1:
        if len(name) < 3:
            return False
        if len(name) <= 3 and name[0] in _SURNAMES and name[-1] in _NAME_LIKE_END:
            return False
    return True


def strip_role(part: str) -> str:
    """``新闻中心学生摄影记者`` → ``新闻中心``; a name that is only a role stays."""
    m = _ROLE_END.search(part)
    if m and m.start() >= 2 and looks_like_unit(part[:m.start()]):
        return part[:m.start()]
    return part


def unit_in(value: str | None) -> str | None:
    """The first unit a value names: ``智能制造学院 张三`` → 智能制造学院,
    ``新闻中心学生摄影记者 王皓冉`` → 新闻中心, ``张三`` → None."""
    if not value:
        return None
    whole = clean(value)
    if looks_like_unit(whole):
        return whole
    for part in re.split(r"[\s\u3000|｜/,，;；、]+", value):
        part = strip_role(clean(part))
        if looks_like_unit(part):
            return part
    return None


def institution_of(name: str | None, strict: bool = False) -> str | None:
    """The institution a site or page name belongs to: ``中北大学大数据学院`` → 中北大学,
    ``宜宾职业技术学院`` → 宜宾职业技术学院, ``清华大学新闻网`` → 清华大学. ``strict``
    (for names read off a page, not a site's configuration): only names that end
    as institutions do, so that ``大数据学院`` is not taken for one."""
    if not name:
        return None
    name = _SPACE.sub("", name)
    m = (_INSTITUTION_STRICT if strict else _INSTITUTION).match(name)
    return m.group(1) if m else None


def canonical(unit: str, institution: str | None = None,
              aliases: Mapping[str, str] | None = None) -> str | None:
    """A unit's name as the department filter shows it: the page's institution in
    front dropped (nothing left: the institution itself, no department), then
    spellings merged through the site's aliases and ``data/departments.toml``."""
    name = clean(unit)
    if institution and name.startswith(institution):
        name = name[len(institution):]
        if len(name) < 2:
            return None
    if aliases and name in aliases:
        return aliases[name]
    known = departments.load().lookup(name)
    return known or name
