#!/usr/bin/env python3
"""Generate the bundled demo site: the static news site of the fictional
蜀江职业技术学院 in the markup of the VSB/博达 CMS, and its truth file.

    .venv/bin/python tools/make_demo_site.py                 # rewrite data/demo-site/ and data/demo-truth.jsonl
    .venv/bin/python tools/make_demo_site.py --out DIR --truth FILE

The output is a pure function of this script and tools/demo_corpus/: the same
bytes on every run (file modification times aside).

Truth file (one JSON object per article page, sorted by path):
``path``, ``title``, ``published`` (``2023-04-22`` or ``2023-04-22T10:30:00``),
``department`` (canonical, or null), ``source`` (an outside outlet, or null),
``column``, ``body_starts`` / ``body_ends`` (first / last 12 characters of the
body), ``encoding``, ``case`` (tags), ``phrases`` (3 rare substrings of the body).
The body is the text of every ``<p>`` of the content area in order, each
stripped of surrounding whitespace and ``&nbsp;``, empty ones dropped, joined
by ``\\n``. A closing credit line such as （智能制造学院供稿） or （记者 杨帆） names who wrote
the article and is not body text, and neither is a notice's signature (the unit over a
date, which still names the department) or the attachment list that follows the content
area; a notice's contact paragraph (联系人/联系电话/咨询电话…) is text a reader needs and
stays.
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import math
import random
import re
import shutil
import struct
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_corpus import media, names, specials  # noqa: E402
from demo_corpus.generic import GENERIC  # noqa: E402
from demo_corpus.notices import NOTICES  # noqa: E402
from demo_corpus.topics_news import COMP_EVENTS, NEWS  # noqa: E402
from demo_corpus.topics_other import ACADEMIC, CAMPAIGNS, PARTY  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "data" / "demo-site"
DEFAULT_TRUTH = ROOT / "data" / "demo-truth.jsonl"
BASE = "http://127.0.0.1:8001/"
SEED = 20230422
FIRST_DAY = dt.date(2015, 1, 4)
LAST_DAY = dt.date(2026, 11, 28)

COLUMNS = {  # id -> (name, list file stem)
    "1001": ("学院新闻", "xyxw"),
    "1002": ("通知公告", "tzgg"),
    "1003": ("媒体聚焦", "mtjj"),
    "1004": ("学术活动", "xshd"),
    "1005": ("党建工作", "djgz"),
}
PER_COLUMN = {"1001": 190, "1002": 86, "1004": 56, "1005": 62}   # 1003 holds reprints
N_REPRINTS = 50
PER_PAGE = 20
GBK_LISTS = {"1005"}          # the 党建工作 list pages are served in GBK
COLLEGE = names.COLLEGE


# ----------------------------------------------------------------------------- slots
def cn_date(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def short_company(name: str) -> str:
    s = name.replace("有限公司", "")
    for p in ("蜀江", "川渝", "宜宾", "成都", "重庆", "四川", "川南", "蜀南"):
        if s.startswith(p):
            s = s[len(p):]
            break
    for suf in ("科技", "集团", "管理", "信息技术"):
        if s.endswith(suf) and len(s) > len(suf) + 1:
            s = s[: -len(suf)]
    return s


class Slots(dict):
    """Slot values for one article; people and places stay the same within it,
    numbers are drawn afresh at each use."""

    def __init__(self, rng: random.Random, date: dt.date, dept: str | None, display: str | None,
                 extra: dict | None = None) -> None:
        super().__init__()
        self.rng, self.date, self.deptc = rng, date, dept
        self.extra = extra or {}
        self.used_people: set[str] = set()
        self["dept"] = display or dept or COLLEGE
        self["college"] = COLLEGE

    def person(self) -> str:
        while True:
            n = self.rng.choice(names.SURNAMES) + self.rng.choice(names.GIVEN)
            if n not in self.used_people:
                self.used_people.add(n)
                return n

    def __missing__(self, key: str):  # noqa: C901 - a flat table of slot kinds
        r, d, y = self.rng, self.date, self.date.year
        fresh = {"n1": lambda: str(r.randint(2, 9)), "n2": lambda: str(r.randint(10, 60)),
                 "n3": lambda: str(r.randint(100, 900)), "n4": lambda: str(r.randint(1000, 5000)),
                 "pct": lambda: f"{r.randint(85, 99)}.{r.randint(1, 9)}"}
        if key in fresh:
            return fresh[key]()
        if key in self.extra:
            vals = self.extra[key]
            if isinstance(vals, dict):
                vals = vals.get(self.deptc) or [v for vs in vals.values() for v in vs]
            if key in ("nth", "anniv") and len(vals) == 12:
                val = vals[min(max(y - 2015, 0), 11)]
            else:
                val = r.choice(vals)
            if "{" in val:
                val = val.format_map(self)
        elif re.fullmatch(r"[tsp]\d", key):
            val = self.person()
        elif key.startswith("head_"):
            val = names.DEPARTMENTS[key[5:]][1]
        elif key in ("dean", "head"):
            val = names.DEPARTMENTS.get(self.deptc or "", ("", "贺永刚", ""))[1]
        elif key == "dsecy":
            val = names.DEPARTMENTS.get(self.deptc or "", ("", "", "田晓丽"))[2]
        elif key in ("co", "co2"):
            pool = names.COMPANIES.get(self.deptc or "") or names.ALL_COMPANIES
            other = self.get("co2" if key == "co" else "co")
            choices = [c for c in pool if c != other] or [c for c in names.ALL_COMPANIES if c != other]
            val = r.choice(choices)
        elif key == "co2short":
            val = short_company(self["co2"])
        elif key == "prog":
            val = r.choice(names.PROGRAMMES)
        elif key == "coprog":
            val = r.choice(("匠心领航计划", "蜀匠学堂", "数智工匠产业学院", "云帆工作室"))
        elif key == "studio":
            val = r.choice(("“云帆工作室”", "“蜀匠学堂”", "学院技能大师工作室", "“匠心领航计划”"))
        elif key in ("major", "major2"):
            unit = self.deptc if self.deptc in names.MAJORS and self.deptc != "马克思主义学院" else \
                r.choice(names.TEACHING_UNITS[:7])
            pool = [m for m in names.MAJORS[unit] if m != self.get("major")] or list(names.MAJORS[unit])
            val = r.choice(pool)
        elif key == "cls":
            g = (y if d.month >= 9 else y - 1) % 100
            val = f"{names.CLASS_CODES[self['major']]}{g:02d}0{r.randint(1, 4)}"
        elif key == "venue":
            val = r.choice(names.VENUES)
        elif key == "city":
            val = r.choice(names.CITIES)
        elif key == "county":
            val = r.choice(names.COUNTIES)
        elif key in ("partner", "partner2"):
            val = r.choice([p for p in names.PARTNER_COLLEGES if p != self.get("partner")])
        elif key == "laos":
            val = r.choice(names.LAOS)
        elif key == "outlet":
            val = r.choice(names.OUTLETS)
        elif key == "reporter":
            val = r.choice(media.REPORTERS)
        elif key == "y":
            val = str(y)
        elif key == "ny":
            val = str(y + 1)
        elif key == "py":
            val = str(y - 1)
        elif key == "m2":
            val = str(r.randint(3, 11))
        elif key == "ev":
            val = cn_date(d - dt.timedelta(days=r.choice((0, 1, 1, 2, 3))))
        elif key == "ev2":
            val = cn_date(d - dt.timedelta(days=r.randint(5, 20)))
        elif key == "ev3":
            val = cn_date(d + dt.timedelta(days=r.randint(1, 2)))
        elif key in ("fut0", "fut", "fut2", "fut3"):
            base = {"fut0": 0, "fut": r.randint(4, 12), "fut2": r.randint(16, 26), "fut3": r.randint(28, 40)}[key]
            val = cn_date(d + dt.timedelta(days=base))
        elif key == "grade":
            val = f"{y if d.month >= 9 else y - 1}级"
        elif key == "grade_old":
            val = f"{(y if d.month >= 9 else y - 1) - 2}级"
        elif key in ("sec", "pres"):
            lead = next(le for le in names.LEADERS if le[0] <= y <= le[1])
            val = lead[2] if key == "sec" else lead[3]
        elif key == "dsec":
            val = names.DEPUTY_SECRETARY
        elif key in ("vp", "vp2"):
            val = r.choice([v for v in names.VICE_PRESIDENTS if v != self.get("vp")])
        elif key == "phone":
            val = f"{names.PHONE_AREA}-{r.randint(2300000, 2399999)}"
        elif key == "room":
            val = str(r.choice((201, 203, 305, 306, 412, 508)))
        elif key == "season":
            val = "春季" if d.month <= 6 else "秋季"
        elif key == "vacation":
            val = "寒假" if d.month in (11, 12, 1, 2) else "暑假"
        elif key == "acad":
            if d.month >= 8:
                val = f"{y}-{y + 1}学年第一学期"
            elif d.month <= 2:
                val = f"{y - 1}-{y}学年第一学期"
            else:
                val = f"{y - 1}-{y}学年第二学期"
        elif key == "term":
            val = "一" if d.month >= 8 or d.month <= 2 else "二"
        elif key == "event":
            val = r.choice(COMP_EVENTS.get(self.deptc or "", COMP_EVENTS["智能制造学院"]))
        else:
            raise KeyError(f"unknown slot {{{key}}}")
        self[key] = val
        return val

    def fill(self, text: str) -> str:
        out = text.format_map(self)
        return out.format_map(self) if "{" in out else out


# ----------------------------------------------------------------------------- composing text
def weighted(rng: random.Random, table: dict):
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def tagged(text: str) -> tuple[set[int] | None, str]:
    """``"@0,2|text"``: a title or paragraph that belongs to variants 0 and 2 only."""
    if text.startswith("@"):
        head, _, rest = text.partition("|")
        return {int(x) for x in head[1:].split(",")}, rest
    return None, text


def for_variant(alts: list[str], v: int) -> list[str]:
    out = []
    for t in alts:
        tags, text = tagged(t)
        if tags is None or v in tags:
            out.append(text)
    return out


def compose(rng: random.Random, items: list, slots: Slots, v: int = 0) -> list[str]:
    out: list[str] = []
    office = slots.deptc not in names.TEACHING_UNITS

    def fix(text: str) -> str:
        if office:   # an office has a 处长 or 负责人, not a 院长 or a 党总支
            text = (text.replace("{dept}院长{dean}", "{dept}负责人{dean}").replace("{dept}党总支书记", "{dept}负责人")
                    .replace("{dept}党总支", "{dept}党支部").replace("{dept}学生党支部", "{dept}党支部"))
        return text
    items = [fix(it) if isinstance(it, str) else [fix(x) for x in it] if isinstance(it, list) else
             (it[0], it[1], [fix(x) for x in it[2]]) if it[0] == "opt" else (it[0], it[1], it[2], [fix(x) for x in it[3]])
             for it in items]
    for n, it in enumerate(items):
        if isinstance(it, str):
            out.append(slots.fill(tagged(it)[1]))
        elif isinstance(it, list):
            if n == 0:   # the opening paragraph decides the variant
                out.append(slots.fill(it[v % len(it)]))
            else:
                out.append(slots.fill(rng.choice(for_variant(it, v) or it)))
        elif it[0] == "opt":
            alts = for_variant(it[2], v)
            if alts and rng.random() < it[1]:
                out.append(slots.fill(rng.choice(alts)))
        elif it[0] == "pool":
            pool = for_variant(it[3], v)
            lo = min(max(it[1], 3), len(pool))
            k = rng.randint(lo, min(it[2] + 2, len(pool)))
            idx = sorted(rng.sample(range(len(pool)), k))
            out.extend(slots.fill(pool[i]) for i in idx)
    return out


def pad(rng: random.Random, col: str, paras: list[str], slots: Slots, minimum: int = 300) -> list[str]:
    """Add closing paragraphs of the column's stock until the body is long enough."""
    stock = [slots.fill(x) for x in GENERIC.get(col, GENERIC["1001"])]
    rng.shuffle(stock)
    while sum(map(len, paras)) < minimum and stock:
        paras.append(stock.pop())
    return paras


def allowed(topic: dict, d: dt.date) -> bool:
    when = topic.get("when")
    return when is None or when(d.year, d.month)


def campaign_for(d: dt.date):
    ym = (d.year, d.month)
    for start, end, name, titles in CAMPAIGNS:
        if start <= ym <= end:
            return name, titles
    return CAMPAIGNS[-1][2], CAMPAIGNS[-1][3]


def alias_for(rng: random.Random, dept: str | None, p: float = 0.35) -> tuple[str | None, bool]:
    if not dept:
        return None, False
    aliases = names.DEPARTMENTS[dept][0]
    if aliases and rng.random() < p:
        return aliases[0], True
    return dept, False


# ----------------------------------------------------------------------------- schedule
def random_dates(rng: random.Random, n: int) -> list[dt.date]:
    """n dates between FIRST_DAY and LAST_DAY, every year present, later years a bit busier."""
    years = list(range(2015, 2027))
    weights = [0.75 + 0.05 * i for i in range(len(years))]
    chosen = list(years) + rng.choices(years, weights=weights, k=n - len(years))
    out = []
    for y in chosen:
        lo = max(dt.date(y, 1, 1), FIRST_DAY)
        hi = min(dt.date(y, 12, 31), LAST_DAY)
        out.append(lo + dt.timedelta(days=rng.randint(0, (hi - lo).days)))
    return sorted(out)


class Art(dict):
    """One article under construction (a dict with attribute access for brevity)."""
    __getattr__ = dict.get

    def __setattr__(self, k, v):
        self[k] = v


def pick_topic(rng: random.Random, topics: list[dict], d: dt.date) -> dict:
    ok = [t for t in topics if allowed(t, d)]
    return rng.choices(ok, weights=[t["weight"] for t in ok])[0]


IMG_ALTS = {
    "competition": ["参赛选手在比赛现场进行设备调试", "获奖师生合影"],
    "signing": ["校企合作签约现场", "双方代表交换合作协议"],
    "order_class": ["订单班开班仪式现场", "学生向企业师傅行拜师礼"],
    "sportsmeet": ["运动员在百米赛道上冲刺", "开幕式入场方阵"],
    "health": ["护生手捧烛光庄严宣誓", "志愿者为社区居民测量血压"],
    "agri": ["专家在茶园现场指导茶农", "培训学员在田间实操"],
    "intl": ["老挝学员在实训中心学习操作", "中老双方代表合影"],
    "opening": ["开学典礼现场", "新生代表发言"],
    "graduation": ["校领导为毕业生拨穗", "毕业生在校门前合影"],
    "jobfair": ["毕业生在招聘展位前咨询", "双选会现场"],
    "lecture": ["讲座现场", "专家与师生互动交流"],
    "campaign": ["专题会议现场", "党员集中学习"],
}


def build_topic_article(rng: random.Random, col: str, d: dt.date, topics: list[dict]) -> Art:
    topic = pick_topic(rng, topics, d)
    dept = weighted(rng, topic["depts"])
    display, used_alias = alias_for(rng, dept, 0.25)
    slots = Slots(rng, d, dept, display, topic.get("extra"))
    if topic["titles"] == "CAMPAIGN":
        camp, titles = campaign_for(d)
        slots["campaign"] = camp
        titles = [("@1|" if t.startswith("{dept}") else "@0|") + t for t in titles]
    else:
        titles = topic["titles"]
    if dept not in names.TEACHING_UNITS:
        titles = [t for t in titles if not tagged(t)[1].startswith("{dept}")] or titles
    first = topic["body"][0]
    n_var = len(first) if isinstance(first, list) else 1
    options = [(v, t) for v in range(n_var) for t in for_variant(titles, v)]
    vwhen = topic.get("vwhen", {})
    options = [(v, t) for v, t in options if v not in vwhen or vwhen[v](d.month)] or options
    v, title = rng.choice(options)
    title = slots.fill(title)
    paras = pad(rng, col, compose(rng, topic["body"], slots, v), slots)
    a = Art(column=col, date=d, title=title, paras=paras, dept=dept, topic=topic["key"], cases=[],
            alias_in_text=used_alias, slots=slots)
    return a


def build_notice(rng: random.Random, d: dt.date) -> Art:
    topic = pick_topic(rng, NOTICES, d)
    unit = topic["unit"]
    slots = Slots(rng, d, unit, unit, topic.get("extra"))
    title = slots.fill(rng.choice(topic["titles"]))
    paras = compose(rng, topic["body"], slots)
    a = Art(column="1002", date=d, title=title, paras=paras, dept=unit, topic=topic["key"], cases=["signature"],
            slots=slots)
    # the signature: the unit, then a date on or a day or two before publication
    sign = d - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2)))
    a.signature = [unit, f"{sign.year}年{sign.month}月{sign.day}日"]
    if topic.get("attach") and rng.random() < 0.7:
        a.attach_names = [slots.fill(x) for x in topic["attach"]]
    return a


def build_reprint(rng: random.Random, orig: Art, d: dt.date) -> Art:
    slots = orig.slots
    outlet = rng.choice(names.OUTLETS)
    slots["reporter"] = rng.choice(media.REPORTERS)
    titles = media.REPRINT_TITLES.get(orig.topic)
    if titles:
        title = slots.fill(rng.choice(titles))
    else:
        kw = {"lecture": "学术交流", "projects": "科研创新", "campaign": "党建引领", "students": "立德树人",
              "teaching": "教学改革", "library": "书香校园"}.get(orig.topic, "产教融合")
        title = rng.choice(media.GENERIC_TITLES).format(keyword=kw)
    first = orig.paras[0]
    summary = first if first.endswith("。") else first + "。"
    lead = rng.choice(media.LEADS)
    lead = lead.replace("{summary}", summary.replace("我院", "蜀江职业技术学院").replace("{", ""))
    lead = slots.fill(lead)
    middle = [p.replace("我院", "该院").replace("学院将", "该院将") for p in orig.paras[1:]]
    if len(middle) > 4:
        middle = middle[:4]
    ending = slots.fill(rng.choice(media.ENDINGS))
    padding = [slots.fill(x) for x in media.PADDING]
    rng.shuffle(padding)
    while sum(map(len, [lead] + middle)) < 330 and padding:
        middle.append(padding.pop())
    paras = [lead] + middle + [ending]
    a = Art(column="1003", date=d, title=title, paras=paras, dept=None, source=outlet, topic=orig.topic,
            cases=["reprint"], original=orig, slots=slots)
    return a


# ----------------------------------------------------------------------------- markup
FOOTER_ADDR = f"地址：{names.ADDRESS}  邮编：644000  电话：0831-2388888"


def nav_items(prefix: str) -> str:
    items = [f'<li><a href="{prefix}index.htm">首页</a></li>']
    for cid, (name, stem) in COLUMNS.items():
        items.append(f'<li><a href="{prefix}{stem}.htm">{name}</a></li>')
    return "".join(items)


def esc(s: str) -> str:
    return html.escape(s, quote=False)


def p_html(rng: random.Random, text: str, style: str, kind: str) -> str:
    """One body paragraph, in one of the ways VSB editors leave them."""
    t = esc(text)
    if kind == "closing":
        return f'<p style="text-align:right">{t}</p>'
    if style == "nbsp":
        return f'<p>&nbsp;&nbsp;&nbsp;&nbsp;{t}</p>'
    if style == "ideo":
        return f'<p class="vsbcontent_p">　　{t}</p>'
    if style == "span":
        return (f'<p style="text-indent:2em;line-height:1.75em"><span style="font-family:宋体;font-size:16px">'
                f'{t}</span></p>')
    return f'<p style="text-indent:2em">{t}</p>'


def content_html(rng: random.Random, a: Art) -> tuple[str, list[str]]:
    """The inside of the content area and the body lines it holds."""
    style = a.pstyle
    out, body = [], []
    blocks = a.blocks
    for i, (kind, val) in enumerate(blocks):
        if kind == "img":
            src, alt = val
            out.append(f'<p style="text-align:center"><img src="../../{src}" alt="{html.escape(alt)}" '
                       f'width="600" border="0" vspace="5" hspace="0"></p>')
        else:
            h = p_html(rng, val, style, kind)
            if i == 0 and a.template == "A" and kind == "p":
                h = h.replace("<p ", '<p class="vsbcontent_start" ', 1) if "class=" not in h else h
            out.append(h)
            body.append(val.strip().strip("\u00a0").strip())
    return "\n".join(out), [b for b in body if b]


def click_script(aid: int) -> str:
    return f'<script>_showDynClicks("wbnews", 1770000000, {aid})</script>'


HEAD_SCRIPT = ('<script>function _showDynClicks(t,o,i){document.write(String((i*37)%900+100));}</script>')


def attachments_html(a: Art) -> str:
    if not a.attachments:
        return ""
    lis = "".join(f'<li>附件【<a href="../../{href}">{esc(name)}</a>】</li>' for href, name in a.attachments)
    return f'<ul style="list-style-type:none;">{lis}</ul>'


def prevnext_html(a: Art) -> str:
    def link(label: str, other: Art | None) -> str:
        if other is None:
            return f"<p>{label}：没有了</p>"
        return f'<p>{label}：<a href="../../{other.path}">{esc(other.list_title)}</a></p>'
    return f'<div class="prevnext">{link("上一篇", a.prev)}{link("下一篇", a.next)}</div>'


def render_article(rng: random.Random, a: Art) -> str:
    name, stem = COLUMNS[a.column]
    inner, _ = content_html(rng, a)
    title = esc(a.title)
    info = a.info_spans
    if a.template == "A":
        spans = " ".join(f"<span>{s}</span>" for s in info)
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}-{COLLEGE}</title>'
            f'<link rel="stylesheet" href="../../css/style.css">{HEAD_SCRIPT}</head><body>\n'
            f'<div class="header"><div class="logo">{COLLEGE}</div><ul class="nav">{nav_items("../../")}</ul></div>\n'
            f'<div class="main"><div class="dqwz">当前位置：<a href="../../index.htm">首页</a> &gt; '
            f'<a href="../../{stem}.htm">{name}</a> &gt; 正文</div>\n'
            f'<form name="_newscontent_fromname">\n'
            f'<div class="content-title"><h1>{title}</h1></div>\n'
            f'<div class="content-info">{spans} <span>点击数:{click_script(a.id)}</span> '
            f'<a href="javascript:window.close()">关闭</a> <a href="javascript:history.back()">返回</a></div>\n'
            f'<div id="vsb_content"><div class="v_news_content">\n{inner}\n</div></div>\n'
            f'{attachments_html(a)}'
            f'<div id="div_vote_id"></div>\n</form>\n'
            f'{prevnext_html(a)}</div>\n'
            f'<div class="footer">版权所有 © 2026 {COLLEGE} {FOOTER_ADDR} 蜀ICP备00000000号</div></body></html>\n')
    if a.template == "B":
        spans = "&nbsp;&nbsp;".join(f"<span>{s}</span>" for s in info)
        return (
            f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{title}-{COLLEGE}</title>\n<link rel="stylesheet" href="../../css/style.css">\n{HEAD_SCRIPT}\n</head>\n<body>\n'
            f'<div class="top"><div class="wrap"><a class="logo" href="../../index.htm">{COLLEGE}</a></div></div>\n'
            f'<div class="navbar"><ul class="menu">{nav_items("../../")}</ul></div>\n'
            f'<div class="wrap page">\n<div class="position">您现在的位置: <a href="../../index.htm">网站首页</a> &gt;&gt; '
            f'<a href="../../{stem}.htm">{name}</a> &gt;&gt; 正文</div>\n'
            f'<form name="_newscontent_fromname">\n<div class="article">\n'
            f'<h2 class="arti-title">{title}</h2>\n'
            f'<p class="arti-metas">{spans}&nbsp;&nbsp;<span>浏览次数：{click_script(a.id)}</span></p>\n'
            f'<div id="vsb_content_2"><div class="v_news_content">\n{inner}\n</div></div>\n'
            f'{attachments_html(a)}\n</div>\n</form>\n'
            f'{prevnext_html(a)}\n</div>\n'
            f'<div class="footer"><p>Copyright © 2015-2026 {COLLEGE} All Rights Reserved.</p><p>{FOOTER_ADDR}</p>'
            f'<p>蜀ICP备00000000号</p></div>\n</body>\n</html>\n')
    # template C: the old table layout, often GBK
    charset = "gb2312" if a.encoding == "gbk" else "utf-8"
    spans = "&nbsp;&nbsp;".join(info)
    nav = " | ".join([f'<a href="../../index.htm">首页</a>'] +
                     [f'<a href="../../{s}.htm">{n}</a>' for n, s in COLUMNS.values()])
    att = attachments_html(a)
    att_row = f'<tr><td class="attach">{att}</td></tr>\n' if att else ""
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f'<title>{title}-{COLLEGE}</title>\n'
        '<link href="../../css/style.css" rel="stylesheet" type="text/css">\n'
        f'{HEAD_SCRIPT}\n</head>\n<body>\n'
        f'<table class="head" width="1000" align="center" cellpadding="0" cellspacing="0">'
        f'<tr><td class="logo">{COLLEGE}</td></tr><tr><td class="navtd">{nav}</td></tr></table>\n'
        '<table class="main" width="1000" align="center" cellpadding="0" cellspacing="0">\n'
        f'<tr><td class="dqwz">当前位置：<a href="../../index.htm">首页</a> &gt; <a href="../../{stem}.htm">{name}</a> '
        f'&gt; 正文</td></tr>\n<tr><td>\n<form name="_newscontent_fromname">\n'
        '<table width="96%" align="center" cellpadding="0" cellspacing="0">\n'
        f'<tr><td class="titlestyle1045" align="center">{title}</td></tr>\n'
        f'<tr><td class="info" align="center" height="30">{spans}&nbsp;&nbsp;点击：[{click_script(a.id)}]</td></tr>\n'
        f'<tr><td class="contentstyle1045">\n<div class="v_news_content">\n{inner}\n</div>\n</td></tr>\n'
        f'{att_row}</table>\n</form>\n</td></tr>\n'
        f'<tr><td class="prevnexttd">{prevnext_html(a)}</td></tr>\n</table>\n'
        f'<table class="foot" width="1000" align="center"><tr><td>版权所有 {COLLEGE} {FOOTER_ADDR} '
        '蜀ICP备00000000号</td></tr></table>\n</body>\n</html>\n')


MALFORMED = ('<!DOCTYPE html><html><head><meta charset="utf-8">\n'
             '<link rel="stylesheet" href="../../css/style.css"></head><body>\n'
             f'<div class="header"><div class="logo">{COLLEGE}</div><ul class="nav"><li><a href="../../index.htm">首页</a>'
             '</li><li><a href="../../xyxw.htm">学院新闻</a></li><li><a href="../../tzgg.h')


def list_title(t: str) -> str:
    return t[:22] + "..." if len(t) > 22 else t


def page_file(stem: str, k: int, total: int) -> str:
    """Site-relative file of display page k (1-based) of a VSB list counting down."""
    return f"{stem}.htm" if k == 1 else f"{stem}/{total - k + 1}.htm"


def pagination_html(stem: str, k: int, total: int, count: int) -> str:
    inside = k > 1

    def href(j: int) -> str:
        f = page_file(stem, j, total)
        if not inside:
            return f
        return "../" + f if j == 1 else f.split("/", 1)[1]

    parts = []
    if k == 1:
        parts.append('<span class="p_first_d">首页</span><span class="p_prev_d">上页</span>')
    else:
        parts.append(f'<span class="p_first"><a href="{href(1)}">首页</a></span>'
                     f'<span class="p_prev"><a href="{href(k - 1)}">上页</a></span>')
    lo, hi = max(1, k - 2), min(total, k + 2)
    if lo > 1:
        parts.append('<span class="p_dot">...</span>')
    for j in range(lo, hi + 1):
        parts.append(f'<span class="p_no_d">{j}</span>' if j == k else
                     f'<span class="p_no"><a href="{href(j)}">{j}</a></span>')
    if hi < total:
        parts.append(f'<span class="p_dot">...</span><span class="p_no"><a href="{href(total)}">{total}</a></span>')
    if k == total:
        parts.append('<span class="p_next_d">下页</span><span class="p_last_d">尾页</span>')
    else:
        parts.append(f'<span class="p_next"><a href="{href(k + 1)}">下页</a></span>'
                     f'<span class="p_last"><a href="{href(total)}">尾页</a></span>')
    return (f'<div class="pb_sys_common pb_sys_normal pb_sys_style1"><span class="p_pages">{"".join(parts)}</span> '
            f'<span class="p_t">共{count}条</span> <span class="p_t">{k}/{total}</span></div>')


def render_list(col: str, items: list[Art], k: int, total: int, count: int, gbk: bool) -> str:
    name, stem = COLUMNS[col]
    pre = "" if k == 1 else "../"
    lis = "\n".join(
        f'<li><a href="{pre}{a.path}" title="{html.escape(a.title)}">{esc(list_title(a.title))}</a>'
        f'<span>{a.date.isoformat()}</span></li>' for a in items)
    meta = ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' if gbk
            else '<meta charset="utf-8">')
    copy = "版权所有" if gbk else "版权所有 ©"
    return (f'<!DOCTYPE html><html><head>{meta}<title>{name}-{COLLEGE}</title>'
            f'<link rel="stylesheet" href="{pre}css/style.css"></head><body>\n'
            f'<div class="header"><div class="logo">{COLLEGE}</div><ul class="nav">{nav_items(pre)}</ul></div>\n'
            f'<div class="main"><div class="dqwz">当前位置：<a href="{pre}index.htm">首页</a> &gt; '
            f'<a href="{pre}{stem}.htm">{name}</a></div>\n'
            f'<div class="list"><h2 class="list-title">{name}</h2><ul class="news-list">\n{lis}\n</ul>\n'
            f'{pagination_html(stem, k, total, count)}\n</div></div>\n'
            f'<div class="footer">{copy} 2026 {COLLEGE} {FOOTER_ADDR} 蜀ICP备00000000号</div></body></html>\n')


def render_index(by_col: dict[str, list[Art]]) -> str:
    blocks = []
    for col, (name, stem) in COLUMNS.items():
        lis = "\n".join(f'<li><a href="{a.path}" title="{html.escape(a.title)}">{esc(list_title(a.title))}</a>'
                        f'<span>{a.date.isoformat()}</span></li>' for a in by_col[col][:8])
        blocks.append(f'<div class="box"><div class="box-head"><h2>{name}</h2><a class="more" href="{stem}.htm">更多&gt;&gt;</a>'
                      f'</div><ul class="news-list">\n{lis}\n</ul></div>')
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{COLLEGE}</title>'
            f'<link rel="stylesheet" href="css/style.css"></head><body>\n'
            f'<div class="header"><div class="logo">{COLLEGE}</div><ul class="nav">{nav_items("")}</ul></div>\n'
            f'<div class="main home">\n' + "\n".join(blocks) + "\n</div>\n"
            f'<div class="footer">版权所有 © 2026 {COLLEGE} {FOOTER_ADDR} 蜀ICP备00000000号 '
            f'<a href="admin/index.htm">管理登录</a></div></body></html>\n')


ADMIN = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>网站管理系统登录</title>'
         '<link rel="stylesheet" href="../css/style.css"></head><body><div class="main">'
         '<h1>网站群管理平台</h1><form method="post" action="#"><p>用户名：<input name="u"></p>'
         '<p>密码：<input name="p" type="password"></p><p><button type="submit">登录</button></p></form>'
         '<p>本页面仅供网站管理员使用。</p></div></body></html>\n')

CSS = """/* 蜀江职业技术学院 demo site: no external resources */
body{margin:0;font:15px/1.7 "Microsoft YaHei","PingFang SC",sans-serif;color:#333;background:#f5f5f5}
a{color:#1d4f91;text-decoration:none}a:hover{text-decoration:underline}
.header,.top,.navbar{background:#0b3d91;color:#fff}.logo{font-size:26px;font-weight:bold;padding:14px 24px;color:#fff}
.nav,.menu{list-style:none;margin:0;padding:0 16px;display:flex;flex-wrap:wrap}.nav li a,.menu li a{color:#fff;display:block;padding:8px 16px}
.main,.wrap{max-width:1000px;margin:0 auto;background:#fff;padding:16px 24px}
.dqwz,.position{font-size:13px;color:#666;border-bottom:1px solid #ddd;padding-bottom:6px;margin-bottom:12px}
.content-title h1,.arti-title,.titlestyle1045{font-size:22px;text-align:center;color:#0b3d91;font-weight:bold}
.content-info,.arti-metas,.info{text-align:center;font-size:13px;color:#888}.content-info span{margin:0 6px}
.v_news_content p{margin:0 0 10px}.v_news_content img{max-width:100%;height:auto}
.news-list{list-style:none;padding:0}.news-list li{display:flex;justify-content:space-between;border-bottom:1px dashed #ddd;padding:6px 0}
.news-list li span{color:#999;font-size:13px;margin-left:12px;white-space:nowrap}
.p_pages span{margin:0 3px}.p_no_d{color:#c00;font-weight:bold}.p_first_d,.p_prev_d,.p_next_d,.p_last_d{color:#aaa}
.prevnext{margin-top:20px;border-top:1px solid #ddd;font-size:14px}
.home .box{margin-bottom:18px}.box-head{display:flex;justify-content:space-between;border-bottom:2px solid #0b3d91}
.footer,.foot{text-align:center;font-size:12px;color:#777;padding:16px}
"""


# ----------------------------------------------------------------------------- binary assets
def png(seed: int, w: int = 64, h: int = 40) -> bytes:
    r, g, b = (seed * 97) % 200 + 30, (seed * 57) % 200 + 30, (seed * 23) % 200 + 30
    row = b"\x00" + bytes((r, g, b)) * w
    raw = row * h

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def tiny_pdf(text: str) -> bytes:
    content = f"BT /F1 14 Tf 40 760 Td ({text}) Tj ET".encode("ascii")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def tiny_doc(text: str) -> bytes:
    """An RTF document (Word opens it under a .doc name, as many college sites serve them)."""
    body = "".join(c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?" for c in text)
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 SimSun;}}\\f0\\fs24 " + body + "\\par}\n").encode("ascii")


# ----------------------------------------------------------------------------- the whole site
PUNCT = re.compile(r"[\s，。、；：？！“”‘’（）()《》【】〔〕…—,.;:?!\"'·%％/\-+\[\]0-9A-Za-z]")


CREDIT_LINE = re.compile(r"[（(](?:[^（）()]{2,40}供稿|(?:本报|本刊)?记者[^（）()]{1,40})[）)]")


def reading_body(a: "Art", body: str) -> str:
    """The body a reader reads: a closing credit line (（X供稿）, （记者 X）) and a
    notice's signature are its closing tail, not its text; a notice's contact
    paragraph is text a reader needs and stays."""
    lines = body.split("\n")
    if lines and CREDIT_LINE.fullmatch(lines[-1]):
        lines = lines[:-1]
    if "signature" not in a.cases or not body:
        return "\n".join(lines)
    if lines[-len(a.signature):] == list(a.signature):
        lines = lines[:-len(a.signature)]
    return "\n".join(lines)


def phrase_candidates(rng: random.Random, paras: list[str]) -> list[str]:
    cands = []
    for p in paras:
        for run in PUNCT.split(p):
            if len(run) >= 7:
                L = min(len(run), rng.choice((6, 7, 8, 9, 10)))
                s = rng.randint(0, len(run) - L)
                cands.append(run[s:s + L])
    return cands


def generate(out: Path, truth: Path) -> dict:
    rng = random.Random(SEED)
    arts: list[Art] = []

    # --- topic articles
    for col, topics in (("1001", NEWS), ("1004", ACADEMIC), ("1005", PARTY)):
        for d in random_dates(rng, PER_COLUMN[col]):
            arts.append(build_topic_article(rng, col, d, topics))
    for d in random_dates(rng, PER_COLUMN["1002"]):
        arts.append(build_notice(rng, d))

    # --- hand-made articles
    st, sp = specials.seed_paragraphs()
    seed = Art(column="1001", date=dt.date(2023, 4, 22), title=st, paras=sp + [specials.SEED_EXTRA],
               dept="智能制造学院", topic="seed", cases=["seed"], fixed=("A", "half"))
    arts.append(seed)
    rep = Art(column="1003", date=dt.date(2023, 4, 24), title=specials.REPRINT_TITLE,
              paras=[specials.REPRINT_LEAD] + sp[2:4] + [specials.REPRINT_END], dept=None, source="宜宾日报",
              topic="seed", cases=["reprint", "outlet-dated"], original=seed, fixed=("A", None))
    arts.append(rep)
    for r in specials.RELATED:
        arts.append(Art(column=r["column"], date=dt.date.fromisoformat(r["date"]), title=r["title"],
                        paras=list(r["paras"]), dept=r["dept"], topic="related", cases=["related-to-seed"],
                        fixed=(None, None)))
    io = specials.IMAGES_ONLY
    arts.append(Art(column=io["column"], date=dt.date.fromisoformat(io["date"]), title=io["title"], paras=[],
                    dept=None, topic="images-only", cases=["images-only", "no-department"],
                    image_alts=list(io["images"]), fixed=("A", None)))

    # --- reprints of news articles in 媒体聚焦
    news = [a for a in arts if a.column == "1001" and a.topic in media.REPRINT_TITLES or
            (a.column in ("1001", "1004") and a.topic in ("lecture", "students", "library") and rng.random() < 0.3)]
    news = [a for a in news if a.date < LAST_DAY - dt.timedelta(days=6)]
    picked = sorted(rng.sample(news, N_REPRINTS - 1), key=lambda a: a.date)
    for orig in picked:
        arts.append(build_reprint(rng, orig, orig.date + dt.timedelta(days=rng.randint(1, 5))))

    # --- order, ids, paths
    col_order = list(COLUMNS)
    arts.sort(key=lambda a: (a.date, col_order.index(a.column), a.title))
    aid = 1000
    for a in arts:
        aid += rng.randint(5, 40)
        a.id = aid
        a.path = f"info/{a.column}/{aid}.htm"
        a.list_title = a.title

    # --- the malformed page: a notice whose page was cut short
    mal_date = dt.date(2019, 12, 27)
    mal = Art(column="1002", date=mal_date, title="关于做好2020年元旦期间安全稳定工作的通知", paras=[], dept=None,
              topic="malformed", cases=["malformed"], malformed=True)
    before = [a for a in arts if a.date <= mal_date]
    i = len(before)
    mal.id = arts[i - 1].id + 1 if arts[i].id - arts[i - 1].id > 1 else None
    assert mal.id is not None
    mal.path = f"info/1002/{mal.id}.htm"
    mal.list_title = mal.title
    arts.insert(i, mal)

    # --- department markings, templates, dates, encodings
    decorate(rng, arts)

    # --- prev/next inside each column (newest first on lists: 上一篇 is the newer one)
    by_col: dict[str, list[Art]] = {c: [] for c in COLUMNS}
    for a in sorted(arts, key=lambda a: (a.date, a.id), reverse=True):
        by_col[a.column].append(a)
    for col, lst in by_col.items():
        for j, a in enumerate(lst):
            a.prev = lst[j - 1] if j > 0 else None
            a.next = lst[j + 1] if j + 1 < len(lst) else None
    choose_gbk(rng, arts)

    # --- write
    if out.exists():
        if any(out.iterdir()) and not (out / "robots.txt").exists():
            raise SystemExit(f"refusing to delete {out}: it does not look like a generated demo site")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    files: dict[str, bytes] = {}
    for a in arts:
        if a.malformed:
            files[a.path] = MALFORMED.encode("utf-8")
            continue
        page = render_article(rng, a)
        files[a.path] = page.encode("gbk") if a.encoding == "gbk" else page.encode("utf-8")
        for src, seed_no in a.image_files:
            files[src] = png(seed_no)
        for href, name in a.attachments or []:
            files[href] = tiny_pdf(f"Demo attachment {a.id}") if href.endswith(".pdf") else tiny_doc(name)

    for col, lst in by_col.items():
        name, stem = COLUMNS[col]
        total = math.ceil(len(lst) / PER_PAGE)
        for k in range(1, total + 1):
            page = render_list(col, lst[(k - 1) * PER_PAGE:k * PER_PAGE], k, total, len(lst), col in GBK_LISTS)
            if col in GBK_LISTS:
                page.encode("gb2312")   # fails loudly if a title is outside GB2312
            files[page_file(stem, k, total)] = page.encode("gbk" if col in GBK_LISTS else "utf-8")
    files["index.htm"] = render_index(by_col).encode("utf-8")
    files["admin/index.htm"] = ADMIN.encode("utf-8")
    files["css/style.css"] = CSS.encode("utf-8")
    files["robots.txt"] = f"User-agent: *\nDisallow: /admin/\n\nSitemap: {BASE}sitemap.xml\n".encode()
    sm = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for a in sorted(arts, key=lambda a: a.id):
        sm.append(f"<url><loc>{BASE}{a.path}</loc><lastmod>{a.date.isoformat()}</lastmod></url>")
    sm.append("</urlset>")
    files["sitemap.xml"] = ("\n".join(sm) + "\n").encode("utf-8")
    for rel in sorted(files):
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(files[rel])

    # --- truth
    rows = truth_rows(rng, arts)
    truth.parent.mkdir(parents=True, exist_ok=True)
    truth.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return {"articles": len(arts), "files": len(files)}


def decorate(rng: random.Random, arts: list[Art]) -> None:
    """Choose each page's template, info line, department marking, images, encoding."""
    n_img = 0
    for a in arts:
        if a.malformed:
            a.encoding, a.template = "utf-8", None
            continue
        tpl, closing_style = a.fixed or (None, None)
        if tpl is None:
            if a.column == "1002":
                tpl = rng.choices("ABC", weights=(3, 6, 1))[0]
            elif a.column == "1003":
                tpl = rng.choices("AB", weights=(5, 5))[0]
            else:
                old = a.date.year <= 2018
                tpl = rng.choices("ABC", weights=(5, 3, 5) if old else (6, 4, 1))[0]
        a.template = tpl
        a.pstyle = rng.choices(["indent", "nbsp", "ideo", "span"], weights=(6, 2, 2, 1))[0]
        if tpl == "C" and a.pstyle == "span":
            a.pstyle = "indent"
        info: list[str] = []
        closing: list[str] = []
        cases = a.cases
        # publication date
        if tpl == "A":
            info.append(f"日期:{a.date.isoformat()}")
            a.published = a.date.isoformat()
        elif tpl == "B":
            hh, mm = rng.randint(8, 18), rng.choice((0, 5, 10, 15, 20, 30, 35, 40, 45, 50))
            info.append(f"发布时间：{a.date.isoformat()} {hh:02d}:{mm:02d}")
            a.published = f"{a.date.isoformat()}T{hh:02d}:{mm:02d}:00"
            cases.append("date-time")
        else:
            info.append(f'<span class="timestyle1045">{a.date.year}年{a.date.month:02d}月{a.date.day:02d}日</span>')
            a.published = a.date.isoformat()
            cases.append("date-cn")
        # department / source
        dept = a.dept
        if a.column == "1003":
            if a.source is None:
                a.source = rng.choice(names.OUTLETS)
            dated = "outlet-dated" in cases or rng.random() < 0.3
            if dated:
                od = a.date - dt.timedelta(days=rng.choice((0, 1)))
                val = f"来源：{od.year}年{od.month:02d}月{od.day:02d}日 {a.source} 第{rng.randint(1, 8)}版"
                if "outlet-dated" not in cases:
                    cases.append("outlet-dated")
            else:
                val = f"来源：{a.source}"
            info.append(val if tpl != "C" else f"<span>{val}</span>")
            a.dept = None
        elif a.column == "1002":
            closing = list(a.signature)
            if rng.random() < 0.2 and tpl != "C":
                info.append(f"来源：{dept}")
                cases.append("source-line")
        elif a.topic == "images-only":
            pass
        else:
            r = rng.random()
            no_dept = a.fixed is None and r < 0.04
            display, alias = alias_for(rng, dept)
            if no_dept:
                a.dept = None
                cases.append("no-department")
                if rng.random() < 0.5 and tpl != "C":
                    info.append("来源：本站")
                    cases.append("own-site")
            elif tpl == "B" and a.fixed is None:
                how = rng.choices(["source", "supplier", "own+closing"], weights=(5, 3, 2))[0]
                if how == "source":
                    info.append(f"来源：{display}")
                    cases.append("source-line")
                elif how == "supplier":
                    info.append(f"供稿单位：{display}")
                    cases.append("supplier-line")
                else:
                    info.append("来源：本站")
                    closing.append(f"（{display}供稿）")
                    cases += ["own-site", "closing-fullwidth"]
            else:
                half = closing_style == "half" or (closing_style is None and rng.random() < 0.3)
                closing.append(f"({display}供稿)" if half else f"（{display}供稿）")
                cases.append("closing-halfwidth" if half else "closing-fullwidth")
            if alias and not no_dept and display != dept:
                cases.append("alias")
        # people in the info line
        if a.column != "1002" and a.topic not in ("images-only",) and rng.random() < 0.18:
            s = a.slots or Slots(rng, a.date, None, None)
            p1, p2, p3 = s.person(), s.person(), s.person()
            if tpl == "C":
                info.append(f'<span class="authorstyle1045">作者：{p1}</span>')
            else:
                info.append(f"作者：{p1} 摄影：{p2} 编辑：{p3}")
            cases.append("people-line")
        a.info_spans = info
        # content blocks
        blocks = [("p", t) for t in a.paras]
        a.image_files = []
        if a.topic == "images-only":
            blocks = []
            for j, alt in enumerate(a.image_alts, 1):
                src = f"images/{a.date.year}/{a.id}_{j}.png"
                a.image_files.append((src, a.id * 10 + j))
                blocks.append(("img", (src, alt)))
        elif a.topic in IMG_ALTS and rng.random() < 0.3 and a.column in ("1001", "1004", "1005"):
            alts = IMG_ALTS[a.topic]
            k = rng.randint(1, len(alts))
            pos = 1
            for j, alt in enumerate(alts[:k], 1):
                src = f"images/{a.date.year}/{a.id}_{j}.png"
                a.image_files.append((src, a.id * 10 + j))
                blocks.insert(pos, ("img", (src, alt)))
                blocks.insert(pos + 1, ("p", f"图为{alt}"))
                pos += 3
            cases.append("images")
            n_img += 1
        blocks += [("closing", c) for c in closing]
        a.blocks = blocks
        if a.attach_names:
            a.attachments = []
            for j, nm in enumerate(a.attach_names, 1):
                ext = nm.rsplit(".", 1)[1]
                a.attachments.append((f"files/{a.id}_{j}.{ext}", nm))
            cases.append("attachments")
        a.encoding = "utf-8"


def choose_gbk(rng: random.Random, arts: list[Art]) -> None:
    """About a tenth of the article pages, from the old template, are served in GBK."""
    real = [a for a in arts if not a.malformed]
    want = len(real) // 10 + 1
    cands = [a for a in real if a.template == "C" and gb2312_ok(a)]
    for a in rng.sample(cands, min(want, len(cands))):
        a.encoding = "gbk"
        a.cases.append("gbk")


def gb2312_ok(a: Art) -> bool:
    try:
        render_article(random.Random(0), a).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def truth_rows(rng: random.Random, arts: list[Art]) -> list[dict]:
    bodies = {}
    for a in arts:
        if a.malformed:
            bodies[a.path] = ""
            continue
        _, body = content_html(rng, a)
        bodies[a.path] = "\n".join(body)
    corpus = "\x00".join([bodies[a.path] for a in arts] + [a.title for a in arts if a.title])
    rows = []
    for a in sorted(arts, key=lambda a: a.id):
        body = reading_body(a, bodies[a.path])
        if a.malformed:
            rows.append({"path": a.path, "title": None, "published": a.date.isoformat(), "department": None,
                         "source": None, "column": COLUMNS[a.column][0], "body_starts": "", "body_ends": "",
                         "encoding": "utf-8", "case": ["malformed"], "phrases": []})
            continue
        prng = random.Random(a.id)
        kept = set(body.split("\n"))
        cands = (phrase_candidates(prng, [t for k, t in a.blocks if k == "p" and t.strip() in kept])
                 or phrase_candidates(prng, [a.title]))
        seen, scored = set(), []
        for c in cands:
            if c not in seen:
                seen.add(c)
                scored.append((corpus.count(c), len(scored), c))
        scored.sort()
        phrases = [c for _, _, c in scored[:3]]
        if not body:   # the images-only page: its only text is the title
            phrases = [a.title[5:11], a.title[5:9], a.title[:4]]
        rows.append({"path": a.path, "title": a.title, "published": a.published, "department": a.dept,
                     "source": a.source, "column": COLUMNS[a.column][0], "body_starts": body[:12],
                     "body_ends": body[-12:], "encoding": a.encoding, "case": sorted(set(a.cases)),
                     "phrases": phrases})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="site directory (deleted and rewritten)")
    ap.add_argument("--truth", type=Path, default=DEFAULT_TRUTH, help="truth file (JSON lines)")
    args = ap.parse_args(argv)
    stats = generate(args.out, args.truth)
    print(f"wrote {stats['articles']} article pages, {stats['files']} files to {args.out}; truth: {args.truth}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
