"""The department (the unit that wrote or issued the article) and the source (an
outside outlet a reprint names), read from where pages name them: the info
line's labelled fields, the closing credit lines, and a notice's signature.

Precedence: the site's selector; 供稿 in the info line, then in the closing
credit lines; 来源 when it names a unit of the institution; 发布单位, 撰稿, 作者,
文 and reporters' credits when they name a unit; the notice's signature (the first
signing unit); the site's default department. A person's name, an empty
``来源：``, ``来源：本站`` and the institution itself give no department.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from indexer.extract.dates import DATE
from indexer.extract.text import squash
from indexer.extract.units import canonical, clean, institution_of, unit_in

_OUTLET_SUFFIX = re.compile(
    r"(日报|晚报|晨报|早报|商报|时报|周报|导报|青年报|法制报|教育报|科学报|报社|报|新闻网|网|电视台|广播电台|"
    r"电台|新华社|通讯社|人民网|新华网|客户端|杂志|周刊|期刊|频道|卫视|新闻|融媒体中心|在线|头条|公众号)$")
# An article that opens like a newspaper's own report is a reprint.
_REPRINT = re.compile(r"^\s*(本报讯|本刊讯|本台讯|本报记者|本刊记者|本报[^\s，。]{0,8}电|本报[^\s，。]{0,6}讯)")
_OUTLET_NAMES = ("新华社", "人民网", "新华网", "央视", "中央电视台", "中国新闻社", "中新社", "澎湃新闻",
                 "学习强国", "光明网", "中国青年网", "央广网", "中国教育在线", "人民日报", "光明日报",
                 "中国青年报", "中国教育报", "经济日报", "科技日报", "今日头条")
_OWN_SITE = re.compile(r"^(本站|本网|本网站|校园网|新闻网|新闻中心|网站|官网|学校|学院|本校|本院|原创|"
                       r"校报|院报|校新闻网|学校官网|学校新闻网|本站原创|本网原创)$")
#: A name that begins with an institution's (四川大学…, 宜宾职业技术学院…).
_INSTITUTION_PREFIX = re.compile(r"^(.{2,16}?(?:大学|职业技术学院|职业学院|师范学院|学院|学校|高等专科学校|职院|高专))")
_SITE_WORD = re.compile(r"(新闻网|网站|网|官网|新闻|微信公众号|公众号|微信|微博|融媒体|客户端)?")
#: Government and national bodies: an article they issued is a reprint from outside.
_GOVERNMENT = re.compile(r"^(中华人民共和国|中共中央|国务院|全国|中央|新华)|(教育部|教育厅|教育局|教委|人民政府|"
                         r"省委|市委|区委|县委|厅|省政府|市政府)$")
#: A channel an outlet publishes through, named after it (上海工商联公众号).
_CHANNEL = re.compile(r"(?:微信公众号|公众号|微信|客户端|微博|官微|视频号)$")
#: Names of a kind of channel, not of an outlet (专题网 alone names nobody).
_GENERIC_CHANNELS = {"专题网", "专题网站", "专题", "网站", "网", "新闻网", "官网", "主页"}
_CHANNEL_END = re.compile(r"(网|网站|专题|专栏|公众号|微信|微博|客户端|视频号)$")
_EDITION = re.compile(r"第?\s*[0-9０-９一二三四五六七八九十]+\s*版")
_ORIGIN_KEYS = ("信息来源", "文章来源", "稿件来源", "新闻来源", "来源")
_REPOST_KEYS = ("转载来源", "转载自", "转自", "图片及内容来源", "内容来源")
_SUPPLIER_KEYS = ("供稿单位", "供稿部门", "供稿", "投稿单位")
_AUTHOR_KEYS = ("发布单位", "发布部门", "发布机构", "发文单位", "作者单位", "撰稿", "撰稿人", "作者", "文字", "文",
                "记者", "通讯员", "发布者", "发布人", "供稿人")


@dataclass
class Context:
    """What the reading needs to know of the page: its institution (whose name
    is dropped in front of a unit, and is no department itself), the site's own
    aliases and default department, and whether the article reads as a reprint."""

    institution: str | None = None
    site_names: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None
    reprint: bool = False

    def unit(self, value: str | None, origin: bool = False, home_only: bool = False) -> str | None:
        """The canonical department a value names, if it names a unit. An
        ``origin`` (a 来源 value) that is the institution or its news site (本站,
        新闻中心, 南开大学新闻网) names none. With ``home_only`` (an author's
        affiliation), a unit of another institution names none: it says who the
        author is, not which unit here published the article."""
        if origin and value and self.own(value):
            return None
        found = unit_in(value)
        if not found or (origin and self.own(found)) or self.outside(found):
            return None
        if home_only and self.foreign(found):
            return None
        return canonical(found, self.institution, self.aliases)

    def own(self, value: str) -> bool:
        """The institution itself, or a college's news site: neither a unit nor a
        source (来源：本站, 来源：南开大学新闻网, 来源：重庆交通大学 on its own site)."""
        v = squash(value)
        if not v or _OWN_SITE.match(v):
            return True
        names = [squash(n) for n in (*self.site_names, self.institution or "") if n]
        if v in names:
            return True
        short = self.short_name
        if short and v.startswith(short) and len(v) > len(short) and not unit_in(v):
            return True   # 复旦统战, 清华新闻: the institution's own account
        m = _INSTITUTION_PREFIX.match(v)
        return bool(m) and v[m.end():] != "" and _SITE_WORD.fullmatch(v[m.end():]) is not None

    @property
    def short_name(self) -> str | None:
        """复旦大学 → 复旦, 清华大学 → 清华: how the institution names its own channels."""
        inst = squash(self.institution or "")
        m = re.match(r"^(.{2,6}?)(?:大学|学院|学校)$", inst)
        return m.group(1) if m else None

    def home(self, value: str) -> bool:
        """Whether a name begins with the institution's name, full or short."""
        v = squash(value)
        return any(n and v.startswith(n) for n in (squash(self.institution or ""), self.short_name))

    def foreign(self, unit: str) -> bool:
        """A unit of another institution than the page's (华东政法大学马克思主义学院 on
        复旦大学's site)."""
        other = institution_of(unit, strict=True)
        return bool(self.institution and other and squash(other) != squash(self.institution)
                    and not squash(unit).startswith(squash(self.institution)))

    def outside(self, unit: str) -> bool:
        """A government body (教育部, 四川省教育厅): what it issued is a reprint."""
        return bool(_GOVERNMENT.search(unit))


def outlet_name(value: str, reprint: bool = False, ctx: Context | None = None) -> str | None:
    """``2022年11月08日 天津日报 第1版`` → ``天津日报``; ``None`` when the value is not an
    outside outlet (a unit, the college's own site, a person). With ``reprint`` (the
    article reads 本报讯…, or the label says 转载) any name that is not a unit or the
    college is an outlet."""
    ctx = ctx or Context()
    text = DATE.sub(" ", value)
    text = re.sub(r"(?<!\d)\d{1,2}[-/.]\d{1,2}(?!\d)", " ", text)      # 人民日报 2-26
    text = _EDITION.sub(" ", text)
    text = re.sub(r"[（(][^）)]*[）)]", " ", text)
    edition = reprint or bool(_EDITION.search(value)) or bool(DATE.search(value))
    words = [w.strip("《》“”\"'：:") for w in re.split(r"[\s,，;；、|｜/&＆]+", text)]
    words = [w for w in words if w]
    inst = squash(ctx.institution or "")
    if inst and inst in squash(text) and _CHANNEL_END.search(squash(text)):
        return None   # the institution's own channel: 中共复旦大学第十五次代表大会 专题网
    words = [w for w in words if w not in _GENERIC_CHANNELS]
    for i, word in enumerate(words):
        if ctx.own(word):
            continue
        if _CHANNEL.fullmatch(word):   # 中国计算机学会 公众号: the outlet is the name before
            if i and not ctx.own(words[i - 1]):
                return words[i - 1]
            continue
        if word in _OUTLET_NAMES or (len(word) >= 2 and _OUTLET_SUFFIX.search(word)):
            bare = _CHANNEL.sub("", word)
            return bare if len(bare) >= 2 else word
        if _GOVERNMENT.search(word) and len(word) >= 3:
            return word
        if edition and len(word) >= 2 and not re.search(r"\d", word) and ctx.unit(word, origin=True) is None:
            return word
    return None


def department_and_source(info: Mapping[str, str], closing: Mapping[str, str], signature_unit: str | None,
                          ctx: Context, selected: str | None = None) -> tuple[str | None, str | None]:
    """The department and the source of an article, from the info line's fields
    (``info``), the closing credit lines' (``closing``), the signature, and what
    the site's selector found (``selected``)."""
    source: str | None = None
    department = ctx.unit(selected) if selected else None

    origins = [(k, d[k]) for d in (info, closing) for k in (*_REPOST_KEYS, *_ORIGIN_KEYS) if d.get(k)]
    reposted = any(key in _REPOST_KEYS for key, _ in origins)
    for key, origin in origins:
        repost = key in _REPOST_KEYS
        # reposted from one of the institution's own units (转载来源：复旦大学校友会):
        # that unit; from anywhere else: no unit of this site's
        unit = ctx.unit(origin, origin=True) if not repost or ctx.home(origin) else None
        if unit and reposted and not ctx.home(origin):
            # 文章来源：宝山统战部 over 转载来源：复旦统战: reposted from elsewhere, the
            # 来源 names the outside body that wrote it
            source = source or clean(origin)
            continue
        if unit:
            department = department or unit
            continue
        outlet = outlet_name(origin, ctx.reprint or repost, ctx)
        if outlet and source is None:
            source = outlet
    for fields in (info, closing):
        for key in _SUPPLIER_KEYS:
            department = department or ctx.unit(fields.get(key))
    if department is None:
        for fields in (info, closing):
            for key in _AUTHOR_KEYS:
                department = department or ctx.unit(fields.get(key), home_only=True)
    if department is None and signature_unit:
        department = ctx.unit(signature_unit)
    if department is None and ctx.default:
        department = ctx.default
    return department, source


def is_reprint(first_line: str) -> bool:
    return bool(_REPRINT.match(first_line))
