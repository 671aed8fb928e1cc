"""Reading an article off a college news page: a pure function of (url, html, site).

:func:`extract` returns an :class:`~indexer.article.Article` or raises
:class:`~indexer.article.ExtractError` with a stable ``reason`` and a message an
operator understands. It does no network and no disk I/O (the department list is
read once, by :mod:`indexer.departments`).

The rules are written for the CMS families college sites run on (VSB/博达,
WebPlus/SUDY, TRS, home-grown ones) and never for one page:

* **text** is read as a reader sees it: inline elements are joined without
  spaces (dates are often split across ``<span>``s), block elements and ``<br>``
  break lines, a line break in the source between two Chinese characters is no
  space, ``&nbsp;`` is a space;
* **title**: the site's selector, then CMS title elements, then ``<h1>``, then any
  element whose text is how ``<title>`` begins, then ``<title>`` without its
  ``-栏目-网站`` suffix; a heading that ``<title>`` starts with is preferred;
* **body**: the CMS content element (VSB ``#vsb_content*``/``.v_news_content``,
  WebPlus ``.wp_articlecontent``, TRS ``.TRS_Editor`` …), else the element holding
  the most paragraph text; counters, share bars, print/close links, previous/next
  links and copyright lines are dropped;
* **published**, **department**, **source** come first from the info line between
  the title and the body (``发布时间：``, ``来源：``, ``供稿单位：``, ``作者：`` …), then from
  the body's closing ``（X供稿）`` line or signature (unit over a date), then from
  the URL (dates only);
* **column** comes from the breadcrumb (``当前位置：首页 > 通知公告``), VSB's
  栏目名称 block, or the site configuration.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from indexer import departments
from indexer.article import Article, Attachment, ExtractError, Image
from indexer.charset import decode_html, is_html
from indexer.sites import SiteConfig

__all__ = ["extract", "parse_html", "render_lines", "find_date", "split_site_title",
           "breadcrumb_column", "page_title"]

# ---------------------------------------------------------------------------
# Reading text as a reader sees it
# ---------------------------------------------------------------------------

BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
    "tbody", "thead", "tfoot", "section", "article", "header", "footer", "blockquote", "dd", "dt",
    "dl", "form", "center", "hr", "pre", "figure", "figcaption", "aside", "nav", "main", "address",
    "fieldset", "legend", "caption", "details", "summary", "body", "html", "title",
})
JUNK_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "select",
             "textarea", "button", "input", "svg", "canvas", "map", "link", "meta", "frame",
             "frameset", "applet", "audio", "video", "source", "param", "head")
_SOFT = "\x00"   # a line break in the source: a space, unless between Chinese characters
_HARD = "\x02"   # &nbsp;: always a space
_MARK = "\x01"   # markers placed in the tree while reading the page

_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026\u2014\u00b7"
_SOFT_RUN = re.compile(r"[ \x00]+")
_ASCII_WS_NL = re.compile(r"[ \t\r\f\v]*\n[ \t\n\r\f\v]*")
_ASCII_WS = re.compile(r"[ \t\r\f\v]+")
_EDGE_SPACE = " \u3000\t"


def _ws(text: str) -> str:
    text = text.replace("\xa0", _HARD).replace("\u200b", "").replace("\ufeff", "")
    text = _ASCII_WS_NL.sub(_SOFT, text)
    return _ASCII_WS.sub(" ", text)


def _finish_line(line: str) -> str:
    def soft(m: re.Match[str]) -> str:
        run = m.group(0)
        if " " in run:
            return " "
        before = line[m.start() - 1] if m.start() > 0 else ""
        after = line[m.end()] if m.end() < len(line) else ""
        if before and after and re.match(f"[{_CJK}]", before) and re.match(f"[{_CJK}]", after):
            return ""
        return " "
    line = _SOFT_RUN.sub(soft, line)
    line = line.replace(_HARD, " ")
    line = re.sub(r" {2,}", " ", line)
    return line.strip(_EDGE_SPACE)


def _render_parts(node: Tag | NavigableString) -> list[str]:
    """Text pieces of a subtree with ``\\n`` at block boundaries (iterative: deep
    pages must not exhaust the recursion limit)."""
    out: list[str] = []
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and not isinstance(item, NavigableString):
            out.append(item)  # a pending block end
            continue
        if isinstance(item, (Comment, ProcessingInstruction, Doctype, Declaration, CData)):
            continue
        if isinstance(item, NavigableString):
            out.append(_ws(str(item)))
            continue
        if not isinstance(item, Tag):
            continue
        name = item.name
        if name in JUNK_TAGS:
            continue
        if name == "br":
            out.append("\n")
            continue
        if name == "img":
            continue
        block = name in BLOCK_TAGS
        if block:
            out.append("\n")
            stack.append("\n")
        stack.extend(reversed(item.contents))
    return out


def within(el: object, ancestor: object) -> bool:
    """Whether ``el`` is ``ancestor`` or lies inside it (by identity: bs4 compares
    tags by their markup, which is slow and calls equal-looking elements the same)."""
    if el is None or ancestor is None:
        return False
    if el is ancestor:
        return True
    return any(p is ancestor for p in getattr(el, "parents", ()))


def render_lines(node: Tag | NavigableString | None) -> list[str]:
    """The non-empty lines of text a reader sees in ``node``."""
    if node is None:
        return []
    text = "".join(_render_parts(node))
    lines = (_finish_line(line) for line in text.split("\n"))
    return [line for line in lines if line]


def inline_text(node: Tag | NavigableString | None) -> str:
    """All of a node's text on one line (block breaks become spaces)."""
    return " ".join(render_lines(node)).strip()


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?:[T ]|日)?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?")
_DATE_LABEL = re.compile(
    r"(?:发布|发表|发稿|发文|更新|上传|录入|创建|编辑|成文|印发)?(?:时间|日期)\s*[:：]|"
    r"(?:^|\s)(?:Date|Time|Published)\s*[:：]", re.I)
_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})[-/_]?(\d{2})[-/_]?(\d{2})/"),           # /2025/05/27/, /20250527/
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),                     # WebPlus /2021/0716/
    re.compile(r"[/_t]((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),              # TRS t20230422_123.html
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})/"),
)


def _iso(y: str, mo: str, d: str, hh: str | None = None, mm: str | None = None,
         ss: str | None = None) -> str | None:
    try:
        day = date(int(y), int(mo), int(d))
    except ValueError:
        return None
    if not 1990 <= day.year <= 2100:
        return None
    if hh is not None and mm is not None:
        h, m, s = int(hh), int(mm), int(ss or 0)
        if h < 24 and m < 60 and s < 60:
            return f"{day.isoformat()}T{h:02d}:{m:02d}:{s:02d}"
    return day.isoformat()


def find_date(text: str, labelled: bool = False) -> str | None:
    """The first date in ``text`` as ISO 8601 (with the time when one is given).
    With ``labelled``, only a date right after a label such as ``发布时间：``."""
    if labelled:
        for lab in _DATE_LABEL.finditer(text):
            m = _DATE.match(text, lab.end()) or _DATE.match(text, _skip_space(text, lab.end()))
            if m:
                iso = _iso(*m.groups())
                if iso:
                    return iso
        return None
    for m in _DATE.finditer(text):
        iso = _iso(*m.groups())
        if iso:
            return iso
    return None


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \u3000\t":
        pos += 1
    return pos


def url_date(url: str) -> str | None:
    path = urlsplit(url).path
    for pattern in _URL_DATES:
        m = pattern.search(path)
        if m:
            iso = _iso(*m.groups())
            if iso:
                return iso
    return None


# ---------------------------------------------------------------------------
# Titles
# ---------------------------------------------------------------------------

_TITLE_SEP = re.compile(r"\s*(?:——|--|—|_{1,2}|\||｜|::|(?<!\d)\s*-\s*(?!\d)|\s+-\s+)\s*")
_SITE_WORDS = re.compile(r"(大学|学院|学校|职院|高专|网站|网|首页|主页|中心|官网|Home|University|College)$", re.I)


def split_site_title(title: str, site_name: str | None = None) -> str:
    """``校情通报（2025-9）-南开大学`` → ``校情通报（2025-9）``: the page heading without the
    column and site names that ``<title>`` appends (or prepends)."""
    title = _norm(title)
    parts = [p for p in _TITLE_SEP.split(title) if p and p.strip()]
    if len(parts) <= 1:
        return title
    if site_name:
        parts = [p for p in parts if _norm(p) != _norm(site_name)] or parts
    if len(parts) == 1:
        return parts[0]
    if _SITE_WORDS.search(parts[0]) and len(parts[0]) <= 16 and not _SITE_WORDS.search(parts[-1]):
        # "宜宾职业技术学院-校情通报": the site first
        return max(parts[1:], key=len)
    return parts[0]


def _norm(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\u3000", " ")
    return re.sub(r"\s+", " ", text).strip()


def _squash(text: str) -> str:
    """For comparing headings: no spaces, no punctuation."""
    return re.sub(r"[\s\u3000\xa0·:：,，.。!！?？\"'“”‘’《》〈〉()（）\[\]【】\-—_|｜]+", "", text)


def _matches_title(text: str, doc_title: str) -> bool:
    """Whether ``doc_title`` (the page's <title>) is ``text`` plus a site suffix/prefix."""
    t, d = _norm(text), _norm(doc_title)
    if len(t) < 2 or not d:
        return False
    if t == d:
        return True
    if d.startswith(t):
        rest = d[len(t):]
        return bool(re.match(r"\s*(?:——|--|—|_|\||｜|-|::)", rest))
    if d.endswith(t):
        rest = d[: len(d) - len(t)]
        return bool(re.search(r"(?:——|--|—|_|\||｜|-|::)\s*$", rest))
    # <title> truncated by the CMS ("…"), or the heading carries a subtitle
    st, sd = _squash(t), _squash(d)
    if len(st) >= 6 and sd.rstrip(".…") and len(sd) >= 6:
        if sd.rstrip(".…").startswith(st[: max(6, len(st) - 2)]) and d.endswith(("...", "…")):
            return True
    return False


def page_title(soup: BeautifulSoup) -> str:
    tag = soup.find("title")
    return _norm(tag.get_text(" ")) if tag else ""


# ---------------------------------------------------------------------------
# Breadcrumbs and columns
# ---------------------------------------------------------------------------

_CRUMB_LABEL = re.compile(
    r"^\s*(?:您?(?:当前|现在|目前)?(?:的|所在)?(?:位置|所在位置)|当前位置|所在位置|当前栏目|位置导航|导航)\s*[:：]?\s*")
_CRUMB_SEP = re.compile(r"\s*(?:>>|>|»|›|＞|→|/|\\|\||｜|》|>)\s*")
_CRUMB_SKIP = {"正文", "首页", "网站首页", "主页", "内容", "详情", "正文内容", "文章内容", "详细内容",
               "本站首页", "学校首页", "返回首页", "home", "index", "当前位置", "您现在的位置", "阅读",
               "新闻详情", "详情页", "内容页"}
_CRUMB_CLASSES = re.compile(
    r"(^|[-_])(dqwz|position|breadcrumbs?|crumbs?|location|col_path|path|weizhi|wz|dangqian|nav-?path|"
    r"current-?(?:pos|position|location)|site-?path|lujing|curpos|mbx)([-_]|\d|$)", re.I)


def _crumb_blocks(soup: BeautifulSoup) -> list[Tag]:
    blocks: list[Tag] = []
    for el in soup.find_all(True):
        names = " ".join(el.get("class") or []) + " " + (el.get("id") or "")
        if any(_CRUMB_CLASSES.search(tok) for tok in names.split()):
            blocks.append(el)
    for s in soup.find_all(string=re.compile(r"(当前位置|现在的位置|当前的位置|所在位置|目前的位置|位置\s*[:：])")):
        el = s.parent
        # climb to the element holding the crumbs (links), but not to the whole page
        for _ in range(4):
            if el is None or el.name in ("body", "html"):
                break
            if el.find("a") is not None and len(inline_text(el)) < 200:
                break
            el = el.parent
        if isinstance(el, Tag) and el.name not in ("body", "html") and len(inline_text(el)) < 300:
            blocks.append(el)
    return blocks


def crumbs_of(block: Tag) -> list[str]:
    """The crumbs of a breadcrumb element, in order."""
    crumbs: list[str] = []
    pending = ""
    for piece in block.descendants:
        if isinstance(piece, Tag) and piece.name == "a":
            if pending.strip():
                crumbs.extend(_split_crumbs(pending))
            pending = ""
            crumbs.append(_norm(piece.get_text("")))
        elif isinstance(piece, NavigableString) and not isinstance(piece, (Comment, Doctype)):
            a = piece.find_parent("a")
            if a is not None and within(a, block):
                continue
            if piece.parent is not None and piece.parent.name in JUNK_TAGS:
                continue
            pending += str(piece).replace("\xa0", " ")
    if pending.strip():
        crumbs.extend(_split_crumbs(pending))
    out = []
    for c in crumbs:
        c = _CRUMB_LABEL.sub("", _norm(c)).strip(" >»›＞:：")
        if c and not _CRUMB_SEP.fullmatch(c):
            out.append(c)
    return out


def _split_crumbs(text: str) -> list[str]:
    text = _CRUMB_LABEL.sub("", _norm(text))
    return [p for p in (_norm(x) for x in _CRUMB_SEP.split(text)) if p]


def _useful_crumb(c: str, title: str, site_name: str | None) -> bool:
    if c.lower() in _CRUMB_SKIP or c in _CRUMB_SKIP:
        return False
    if len(c) > 30 or (title and len(c) > 8 and (c == title or title.startswith(c.rstrip(".…")))):
        return False
    if site_name and _norm(c) == _norm(site_name):
        return False
    return True


def breadcrumb_column(soup: BeautifulSoup, title: str = "", site_name: str | None = None,
                      path: bool = False) -> str | list[str] | None:
    """The column a page sits in: the last crumb that is not 首页/正文/the title."""
    for block in _crumb_blocks(soup):
        crumbs = [c for c in crumbs_of(block) if _useful_crumb(c, title, site_name)]
        # the first crumb is often the site or college name acting as 首页
        if len(crumbs) > 1 and re.search(r"(大学|学院|学校|网)$", crumbs[0]):
            crumbs = crumbs[1:]
        if crumbs:
            return crumbs if path else crumbs[-1]
    return None


def vsb_editable(soup: BeautifulSoup, names: Iterable[str]) -> str | None:
    """Text of a VSB ``<!--#begineditable name="栏目名称" …-->…<!--#endeditable-->`` block."""
    wanted = tuple(names)
    for c in soup.find_all(string=lambda s: isinstance(s, Comment) and "begineditable" in s):
        m = re.search(r'name="([^"]*)"', c)
        if not m or m.group(1) not in wanted:
            continue
        parts: list[str] = []
        for sib in c.next_siblings:
            if isinstance(sib, Comment):
                if "endeditable" in sib:
                    break
                continue
            if isinstance(sib, Tag) and sib.name in JUNK_TAGS:
                continue
            parts.append(inline_text(sib) if isinstance(sib, Tag) else _finish_line(_ws(str(sib))))
        text = _norm(" ".join(p for p in parts if p))
        if text and len(text) <= 30:
            return text
    return None


# ---------------------------------------------------------------------------
# Units, outlets and labelled fields
# ---------------------------------------------------------------------------

_FIELD_LABELS = (
    "信息来源", "文章来源", "稿件来源", "新闻来源", "来源", "供稿单位", "供稿部门", "供稿", "投稿单位",
    "发布单位", "发布部门", "发布机构", "发文单位", "撰稿人", "撰稿", "作者", "文字", "文",
    "发布者", "发布人", "录入", "编辑", "责任编辑", "责编", "审核", "审稿", "初审", "复审", "终审",
    "摄影", "摄像", "图片", "图", "通讯员", "记者", "发布时间", "发布日期", "发稿时间", "更新时间",
    "发表时间", "时间", "日期", "浏览次数", "浏览量", "浏览", "点击数", "点击量", "点击", "阅读次数",
    "阅读量", "阅读", "访问量", "字号", "字体",
)
# Info lines are read as a reader sees them, so one span's value runs into the
# next span's label ("来源：教务处日期:2023-04-22"): labels of two or more
# characters are found anywhere, one-character ones (文, 图) only after a break.
_LABEL_RE = re.compile(
    r"(" + "|".join(sorted((x for x in _FIELD_LABELS if len(x) > 1), key=len, reverse=True)) +
    r"|(?:(?<=^)|(?<=[\s|｜/【\[（(]))(?:" + "|".join(x for x in _FIELD_LABELS if len(x) == 1) +
    r"))\s*[:：]")
_OUTLET_SUFFIX = re.compile(
    r"(日报|晚报|晨报|早报|商报|时报|周报|导报|青年报|法制报|教育报|报社|报|新闻网|网|电视台|广播电台|"
    r"电台|新华社|通讯社|人民网|新华网|客户端|杂志|周刊|频道|卫视|新闻|融媒体中心|在线)$")
# An article that opens like a newspaper's own report is a reprint.
_REPRINT = re.compile(r"^\s*(本报讯|本刊讯|本台讯|本报记者|本刊记者|本报[^\s，。]{0,8}电|本报[^\s，。]{0,6}讯)")
_OUTLET_NAMES = ("新华社", "人民网", "新华网", "央视", "中央电视台", "中国新闻社", "中新社", "澎湃新闻",
                 "学习强国", "光明网", "中国青年网", "央广网", "中国教育在线", "人民日报", "光明日报",
                 "中国青年报", "中国教育报", "经济日报", "科技日报", "今日头条")
_OWN_SITE = re.compile(r"^(本站|本网|本网站|校园网|新闻网|新闻中心|网站|官网|学校|学院|本校|本院|原创|"
                       r"校报|院报|校新闻网|学校官网|学校新闻网)$")
_COLLEGE_WORD = re.compile(r"(大学|学院|学校|职院|高专|学院网|大学网)")


def labelled_fields(lines: Iterable[str]) -> dict[str, str]:
    """``{"来源": "教务处", "发布时间": "2023-04-22"}`` from info lines (first value wins)."""
    found: dict[str, str] = {}
    for line in lines:
        matches = list(_LABEL_RE.finditer(line))
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            value = line[m.end():end]
            value = re.split(r"[|｜]|\s{2,}|【|】", value.strip(" \u3000"))[0]
            value = value.strip(" \u3000\t,，;；、")
            found.setdefault(m.group(1), value)
    return found


def outlet_name(value: str, reprint: bool = False) -> str | None:
    """``2022年11月08日 天津日报 第1版`` → ``天津日报``; ``None`` when the value is not an
    outside outlet (a unit, the college's own site, a person). With ``reprint`` (the
    article reads 本报讯…) any name that is not a unit or the college is an outlet."""
    text = _DATE.sub(" ", value)
    text = re.sub(r"第?\s*[0-9０-９一二三四五六七八九十]+\s*版", " ", text)
    text = re.sub(r"[（(][^）)]*[）)]", " ", text)
    # a dated edition ("2023年08月11日 四川教育 第2版") is a newspaper or magazine
    # whatever its name ends with
    edition = reprint or bool(re.search(r"第?\s*[0-9０-９一二三四五六七八九十]+\s*版", value)) or \
        bool(_DATE.search(value))
    words = [w for w in re.split(r"[\s,，;；、|｜/]+", text) if w]
    for word in words:
        word = word.strip("《》“”\"'：:")
        if not word or _OWN_SITE.match(word) or _COLLEGE_WORD.search(word):
            continue
        if word in _OUTLET_NAMES or (len(word) >= 2 and _OUTLET_SUFFIX.search(word)):
            return word
        if edition and len(word) >= 2 and departments.normalise(word) is None and \
                not re.search(r"\d", word):
            return word
    return None


def _is_own_site(value: str, site: SiteConfig | None) -> bool:
    v = _squash(value)
    if not v:
        return True
    if _OWN_SITE.match(v):
        return True
    if site is not None and _squash(site.name) and _squash(site.name) in v:
        return True
    return bool(re.search(r"(大学|学院|学校|职院|高专)(新闻网|网站|网|新闻中心|官网|新闻|微信公众号|公众号)?$", v)) \
        and departments.normalise(v) is None


def unit_of(value: str | None) -> str | None:
    """The department a label value names, if the department list knows it.

    ``信工学院|0`` → 信息工程学院; ``智能制造学院 张三`` → 智能制造学院; ``张三`` → None."""
    if not value:
        return None
    value = value.strip()
    dept = departments.normalise(value)
    if dept:
        return dept
    for part in re.split(r"[\s|｜/,，;；、]+", value):
        part = part.strip("（）()【】[]《》“”:：")
        if len(part) >= 2:
            dept = departments.normalise(part)
            if dept:
                return dept
    return None


# ---------------------------------------------------------------------------
# Body cleaning
# ---------------------------------------------------------------------------

_NAV_WORDS = {"关闭", "返回", "打印", "关闭窗口", "打印本页", "打印此页", "打印文章", "返回顶部", "返回列表",
              "返回首页", "返回上页", "返回上一页", "收藏", "收藏本页", "加入收藏", "分享", "分享到", "大", "中", "小",
              "字号", "字体", "默认", "关闭本页", "[关闭]", "打印该页", "【", "】", "[", "]", "|", "｜", "×", "x",
              "top", "顶部"}
_PREV_NEXT = re.compile(r"^[【\[]?\s*(上一篇|下一篇|上一条|下一条|上篇|下篇|上一页|下一页|上一则|下一则|前一篇|后一篇)")
_COPYRIGHT = re.compile(r"(版权所有|copyright|©|ICP备|ICP证|公网安备|技术支持[:：])", re.I)
_COUNTER = re.compile(r"(浏览次数|点击次数|阅读次数|访问次数|浏览量|点击量|阅读量|点击数|访问量|_showDynClicks|"
                      r"WP_VisitCount|浏览[:：]\s*\d|点击[:：]\s*\d|阅读[:：]\s*\d)")
_META_LINE = re.compile(r"(发布时间|发布日期|发稿时间|更新时间|日期|时间|来源|作者|编辑|责任编辑|审核|供稿|"
                        r"发布者|发布人|发布单位|摄影|字号|字体|浏览|点击|阅读)\s*[:：]")
_JUNK_CLASS = re.compile(
    r"^(bdshare.*|.*share.*|jiathis.*|fenxiang|print.*|close.*|prev.*|next.*|pre_?next|dynclick.*|"
    r"wp_visitcount|visitcount|pagination|page_?nav|related.*|xgwz|xgxw|arti_metas|arti_views|"
    r"wp_share.*|qrcode|ewm)$", re.I)
_SIGNATURE_DATE = re.compile(
    r"^((?:19|20)\d{2})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*日?$")
_CLOSING_UNIT = re.compile(
    r"[（(]\s*([^（）()]{2,40}?)\s*供稿\s*[）)]\s*$|^\s*([^（）()：:]{2,40}?)\s*供稿\s*$|"
    r"[（(]\s*(?:供稿|供稿单位|来源|信息来源|稿件来源)\s*[:：]\s*([^（）()]{2,40}?)\s*[）)]\s*$|"
    r"^\s*(?:供稿|供稿单位|信息来源|稿件来源)\s*[:：]\s*(\S{2,40})\s*$")


def _is_nav_line(line: str) -> bool:
    tokens = [t for t in re.split(r"[\s【】\[\]|｜/]+", line) if t]
    return bool(tokens) and all(t in _NAV_WORDS or t.lower() in _NAV_WORDS for t in tokens)


def _is_junk_line(line: str) -> bool:
    if _is_nav_line(line) or _PREV_NEXT.match(line):
        return True
    if len(line) < 160 and _COPYRIGHT.search(line):
        return True
    if len(line) < 100 and _COUNTER.search(line):
        return True
    return False


def _is_meta_line(line: str) -> bool:
    if len(line) > 120:
        return False
    if _META_LINE.search(line) or _COUNTER.search(line):
        return True
    return bool(_DATE.fullmatch(line.strip()))


def _drop_junk_elements(root: Tag) -> None:
    for el in list(root.find_all(True)):
        if getattr(el, "decomposed", False) or el.attrs is None:
            continue  # inside an element already dropped
        tokens = list(el.get("class") or []) + ([el.get("id")] if el.get("id") else [])
        if any(_JUNK_CLASS.match(str(t)) for t in tokens):
            el.decompose()
            continue
        ident = str(el.get("id") or "")
        if ident.startswith("dynclicks") or "WP_VisitCount" in tokens:
            el.decompose()
            continue
        style = str(el.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style:
            el.decompose()


# ---------------------------------------------------------------------------
# Finding the parts of the page
# ---------------------------------------------------------------------------

_VSB_FORM = "form[name=_newscontent_fromname]"
_BODY_STRONG = ("#vsb_content", "#vsb_content_2", "#vsb_content_3", "#vsb_content_4",
                "#vsb_content_5", "#vsb_content_6", "#vsb_content_100", ".v_news_content",
                ".wp_articlecontent", "#contentText", ".TRS_Editor", ".TRS_UEDITOR", "#zoom",
                ".article-content", ".article_content", ".articleContent", ".news_content",
                ".news-content", ".newsContent", ".content_text", ".detail-content", ".detail_content",
                "#article_content", "#news_content", "#txt", "#Content", "#content_text")
_BODY_WEAK = (".content", "#content", ".article", "article", ".detail", ".text", ".main-content",
              ".main_content", ".con", ".entry")
_TITLE_STRONG = (".arti_title", ".arti-title", ".content-title", ".content_title", ".article-title",
                 ".article_title", ".articleTitle", ".detail-title", ".detail_title", ".news-title",
                 ".news_title_detail", ".newstitle", ".news_tit", ".tit", "#title", ".title",
                 "[class^=titlestyle]", ".bt", ".biaoti")
_HEADER_LIKE = re.compile(r"(logo|header|head|top|banner|nav|menu|foot|site-?name|webname)", re.I)


class _Index:
    """One walk over the page answering the simple selectors the rules use
    (``#id``, ``.class``, ``tag``, ``[class^=x]``, ``[class*=x]``, ``form[name=x]``):
    much faster than running soupsieve once per selector over the whole page."""

    def __init__(self, root: Tag) -> None:
        self.ids: dict[str, Tag] = {}
        self.classes: dict[str, list[Tag]] = {}
        self.tags: dict[str, list[Tag]] = {}
        self.order: dict[int, int] = {}
        for n, el in enumerate(root.find_all(True)):
            self.order[id(el)] = n
            ident = el.get("id")
            if isinstance(ident, str) and ident not in self.ids:
                self.ids[ident] = el
            for c in el.get("class") or []:
                self.classes.setdefault(c, []).append(el)
            self.tags.setdefault(el.name, []).append(el)

    def all(self, selector: str) -> list[Tag]:
        found: list[Tag] = []
        for sel in (x.strip() for x in selector.split(",")):
            if sel.startswith("#"):
                el = self.ids.get(sel[1:])
                found.extend([el] if el is not None else [])
            elif sel.startswith("."):
                found.extend(self.classes.get(sel[1:], []))
            elif m := re.fullmatch(r"\[class([\^*])=([\w-]+)\]", sel):
                op, word = m.groups()
                for cls, els in self.classes.items():
                    if (cls.startswith(word) if op == "^" else word in cls):
                        found.extend(els)
            elif m := re.fullmatch(r"(\w+)\[name=([\w-]+)\]", sel):
                found.extend(el for el in self.tags.get(m.group(1), []) if el.get("name") == m.group(2))
            elif re.fullmatch(r"\w+", sel):
                found.extend(self.tags.get(sel, []))
            else:
                raise ValueError(f"not a simple selector: {sel}")
        if len(found) > 1:
            found = sorted(dict.fromkeys(found), key=lambda el: self.order.get(id(el), 0))
        return found

    def first(self, selector: str) -> Tag | None:
        found = self.all(selector)
        return found[0] if found else None


def _text_len(el: Tag) -> int:
    return len(re.sub(r"\s+", "", el.get_text("")))


def _link_density(el: Tag) -> float:
    total = _text_len(el)
    if not total:
        return 1.0
    links = sum(_text_len(a) for a in el.find_all("a"))
    return links / total


def _has_media(el: Tag) -> bool:
    return el.find("img") is not None


def _select_first(root: Tag, selector: str) -> Tag | None:
    try:
        return root.select_one(selector)
    except Exception:  # a bad site selector is reported by sites.py; here it just misses
        return None


def _find_body(soup: BeautifulSoup, site: SiteConfig | None, index: _Index) -> tuple[Tag | None, str]:
    if site is not None and site.selectors.body:
        el = _select_first(soup, site.selectors.body)
        if el is not None:
            return el, "selector"
    form = index.first(_VSB_FORM)
    for sel in _BODY_STRONG:
        el = index.first(sel)
        if el is not None and (_text_len(el) or _has_media(el)):
            return el, sel
    if form is not None and (_text_len(form) or _has_media(form)):
        return form, "vsb-form"
    weak: list[Tag] = []
    for sel in _BODY_WEAK:
        for el in index.all(sel):
            if _text_len(el) >= 30 and _link_density(el) < 0.3:
                weak.append(el)
    best = _densest_block(soup)
    if weak:
        # the smallest weak candidate that still holds the densest block's text
        if best is not None:
            holding = [el for el in weak if within(best, el)]
            if holding:
                return min(holding, key=_text_len), "weak"
            inside = [el for el in weak if within(el, best)]
            if inside:
                return inside[0], "weak"
        return weak[0], "weak"
    if best is not None:
        return best, "densest"
    return None, ""


def _densest_block(soup: BeautifulSoup) -> Tag | None:
    """The element holding the most paragraph text (a readability-style score)."""
    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    root = soup.body or soup
    for p in root.find_all(["p", "pre", "td", "div", "font", "span", "section", "li"]):
        if p.find(["p", "div", "td", "table", "li", "section"]) is not None and p.name != "p":
            continue  # only leaf-ish blocks carry text
        n = _text_len(p)
        if n < 10:
            continue
        weight = n * (1.0 - min(_link_density(p), 1.0))
        if re.search(r"[，。；：！？]", p.get_text("")):
            weight *= 1.5
        parent = p.parent
        for factor in (1.0, 0.5, 0.25):
            if not isinstance(parent, Tag) or parent.name in ("body", "html", "[document]"):
                break
            scores[id(parent)] = scores.get(id(parent), 0.0) + weight * factor
            elements[id(parent)] = parent
            parent = parent.parent
    if not scores:
        return None
    return elements[max(scores, key=lambda k: scores[k])]


def _is_header_like(el: Tag) -> bool:
    for anc in [el, *list(el.parents)[:4]]:
        if not isinstance(anc, Tag):
            continue
        tokens = " ".join(anc.get("class") or []) + " " + str(anc.get("id") or "")
        if anc.name in ("header", "nav") or _HEADER_LIKE.search(tokens):
            return True
    return False


def _find_title(soup: BeautifulSoup, site: SiteConfig | None, doc_title: str,
                body: Tag | None, index: _Index) -> tuple[str, Tag | None, bool]:
    """``(title, its element, whether it is a heading of its own)``: a heading is an
    element other than the article's own paragraphs (a paragraph of the body that
    <title> names is the page's only visible heading, and stays in the body)."""
    site_name = site.name if site is not None else None

    def ok(text: str) -> bool:
        return 2 <= len(text) <= 200 and not (site_name and _norm(text) == _norm(site_name))

    if site is not None and site.selectors.title:
        el = _select_first(soup, site.selectors.title)
        if el is not None and ok(inline_text(el)):
            return inline_text(el), el, True

    strong: list[Tag] = []
    form = index.first(_VSB_FORM)
    if form is not None:
        strong.extend(form.find_all(["h1", "h2", "h3"]))
        strong.extend(el for el in index.all("[class*=title], [class*=Title], [class*=biaoti]")
                      if within(el, form))
    for sel in _TITLE_STRONG:
        strong.extend(index.all(sel))
    strong = [el for el in dict.fromkeys(strong) if ok(inline_text(el))]
    h1s = [el for el in soup.find_all(["h1", "h2"]) if ok(inline_text(el))]

    for group in (strong, h1s):
        for el in group:
            if doc_title and _matches_title(inline_text(el), doc_title):
                return inline_text(el), el, True
    for el in strong:
        if body is not None and within(body, el):
            continue  # a wrapper that holds the body is no heading
        if not _is_header_like(el) and len(inline_text(el)) >= 4:
            return inline_text(el), el, True
    # any element whose text is how <title> begins (tables with a big-font cell …)
    if doc_title:
        candidates = soup.find_all(["td", "div", "p", "span", "strong", "b", "font", "h3", "h4", "h5",
                                    "h6", "th", "li", "em", "center"])
        outside = [el for el in candidates if body is None or not (within(el, body) or within(body, el))]
        inside = [el for el in candidates if body is not None and within(el, body) and el is not body]
        for group, shown in ((outside, True), (inside, False)):
            for el in group:
                text = inline_text(el)
                if len(text) >= 4 and _matches_title(text, doc_title):
                    return text, el, shown
    for el in h1s:
        if not _is_header_like(el) and len(inline_text(el)) >= 6:
            return inline_text(el), el, True
    if doc_title:
        return split_site_title(doc_title, site_name), None, False
    for el in strong + h1s:
        return inline_text(el), el, True
    return "", None, False


# ---------------------------------------------------------------------------
# Redirects
# ---------------------------------------------------------------------------

_JS_REDIRECT = re.compile(
    r"(?:newsSkip\s*\(\s*|(?:window\.|document\.|self\.|top\.|parent\.)?location(?:\.href)?\s*=\s*|"
    r"location\.(?:replace|assign)\s*\(\s*)[\"']([^\"'\s]+)[\"']")


def _meta_refresh(soup: BeautifulSoup) -> str | None:
    for meta in soup.find_all("meta"):
        if str(meta.get("http-equiv", "")).lower() != "refresh":
            continue
        content = str(meta.get("content", ""))
        m = re.match(r"\s*(\d*(?:\.\d+)?)\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"]*)['\"]?\s*$", content, re.I)
        if not m or not m.group(2).strip():
            continue
        delay = float(m.group(1) or 0)
        if delay <= 5:
            return m.group(2).strip()
    return None


def _js_redirect(soup: BeautifulSoup) -> str | None:
    for script in soup.find_all("script"):
        code = script.string or script.get_text() or ""
        for m in _JS_REDIRECT.finditer(code):
            target = m.group(1)
            if target and not target.startswith(("javascript:", "#")) and target not in ("/", "about:blank"):
                return target
    return None


def _same_page(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.netloc.lower(), pa.path.rstrip("/"), pa.query) == (pb.netloc.lower(), pb.path.rstrip("/"), pb.query)


# ---------------------------------------------------------------------------
# Images and attachments
# ---------------------------------------------------------------------------

_ATTACH_EXT = re.compile(r"\.(pdf|docx?|xlsx?|zip|rar|7z|pptx?|wps|et|dps|txt|csv|ofd|caj)$", re.I)
_ATTACH_URL = re.compile(r"(download\.jsp|DownloadAttachUrl|/_upload/article/files/|downloadfile|"
                         r"/attach(?:ment)?s?/)", re.I)
_ICON = re.compile(r"(/icon|icon_|_icon|fileicon|/_ueditor/themes/|/images/file|/ueditor/dialogs/|"
                   r"/system/resource/|/emotion|/smiley|spacer\.gif|blank\.gif|loading\.gif)", re.I)


def _images(root: Tag, base: str) -> list[Image]:
    out: list[Image] = []
    seen: set[str] = set()
    for img in root.find_all("img"):
        src = ""
        for attr in ("data-src", "data-original", "original-src", "data-url", "src"):
            value = img.get(attr)
            if value and not str(value).startswith("data:"):
                src = str(value).strip()
                break
        if not src or _ICON.search(src):
            continue
        try:
            w, h = int(str(img.get("width", "99")).rstrip("px")), int(str(img.get("height", "99")).rstrip("px"))
            if w <= 24 or h <= 24:
                continue
        except ValueError:
            pass
        url = urljoin(base, src)
        if url in seen:
            continue
        seen.add(url)
        out.append(Image(url=url, alt=_norm(str(img.get("alt") or img.get("title") or ""))))
    return out


def _attachments(roots: Iterable[Tag], base: str) -> list[Attachment]:
    out: list[Attachment] = []
    seen: set[str] = set()
    for root in roots:
        for a in root.find_all("a", href=True):
            href = str(a["href"]).strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = urljoin(base, href)
            path = urlsplit(url).path
            if not (_ATTACH_EXT.search(path) or _ATTACH_URL.search(url)):
                continue
            if url in seen:
                continue
            seen.add(url)
            name = inline_text(a)
            if not name:
                attr = str(a.get("sudyfile-attr") or "")
                m = re.search(r"'title'\s*:\s*'([^']+)'", attr)
                name = m.group(1) if m else str(a.get("title") or "") or path.rsplit("/", 1)[-1]
            name = re.sub(r"^附件\s*\d*\s*[:：]\s*", "", _norm(name))
            out.append(Attachment(url=url, name=name))
    return out


# ---------------------------------------------------------------------------
# The extractor
# ---------------------------------------------------------------------------

#: Drop the first body line when it only repeats the title shown as a heading
#: elsewhere on the page (bold or not). When the page shows no heading of its own
#: (the title is known only from <title>, or the body's first paragraph is the
#: only visible heading), that first line is the heading a reader sees and stays.
DROP_REPEATED_TITLE = True


def parse_html(html: bytes | str, header_charset: str | None = None,
               forced: str | None = None) -> BeautifulSoup:
    """Decode (see :mod:`indexer.charset`) and parse a page with lxml."""
    text = html if isinstance(html, str) else decode_html(html, header_charset, forced)[0]
    return BeautifulSoup(text, "lxml")


def _base_url(soup: BeautifulSoup, url: str) -> str:
    base = soup.find("base", href=True)
    return urljoin(url, str(base["href"])) if base is not None else url


def extract(url: str, html: bytes | str, site: SiteConfig | None = None, *,
            header_charset: str | None = None) -> Article:
    """Read one article page. Raises :class:`ExtractError` when the page is not one."""
    site_id = site.id if site is not None else "unknown"
    if html is None or (isinstance(html, (bytes, bytearray)) and not bytes(html).strip()) or \
            (isinstance(html, str) and not html.strip()):
        raise ExtractError("empty", f"{url}: the page is empty (the server sent no content)")
    if isinstance(html, (bytes, bytearray)):
        raw = bytes(html)
        if not is_html(None, raw):
            raise ExtractError("not-html", f"{url}: the content is not an HTML page "
                               f"(it starts with {raw[:16]!r})")
        text, _enc = decode_html(raw, header_charset, site.encoding if site is not None else None)
    else:
        text = html
        if not re.search(r"<\s*[a-zA-Z!]", text[:4096]):
            raise ExtractError("not-html", f"{url}: the content is not an HTML page (no tags)")
    soup = BeautifulSoup(text, "lxml")
    base = _base_url(soup, url)

    refresh = _meta_refresh(soup)
    if refresh:
        target = urljoin(base, refresh)
        if not _same_page(target, url):
            raise ExtractError("redirect", f"{url}: the page only redirects (meta refresh) to {target}",
                               target=target)
    js_target = _js_redirect(soup)
    doc_title = page_title(soup)
    vsb_column = vsb_editable(soup, ("栏目名称", "栏目名", "当前栏目"))

    for c in soup.find_all(string=lambda s: isinstance(s, (Comment, ProcessingInstruction, CData))):
        c.extract()
    for tag in soup.find_all(list(JUNK_TAGS)):
        tag.decompose()
    root = soup.body or soup

    index = _Index(root)
    body_el, _how = _find_body(soup, site, index)
    title, title_el, title_shown = _find_title(soup, site, doc_title, body_el, index)

    # -- the info line: text between the heading and the body -------------------
    info_lines = _info_lines(root, title_el, body_el)
    fields = labelled_fields(info_lines)

    # -- column (before the body is cut out of the tree) -------------------------
    column = None
    if site is not None and site.selectors.column:
        el = _select_first(soup, site.selectors.column)
        if el is not None:
            crumbs = [c for c in crumbs_of(el) if _useful_crumb(c, title, site.name)]
            column = crumbs[-1] if crumbs else (inline_text(el) or None)
    if column is None:
        column = breadcrumb_column(soup, title, site.name if site is not None else None)  # type: ignore[assignment]
    if column is None and vsb_column and vsb_column not in _CRUMB_SKIP and vsb_column != title:
        column = vsb_column
    if column is None and site is not None and site.column:
        column = site.column

    # -- the body ----------------------------------------------------------------
    images: list[Image] = []
    attachments: list[Attachment] = []
    lines: list[str] = []
    if body_el is not None:
        attach_roots = [body_el]
        form = index.first(_VSB_FORM)
        if form is not None and within(body_el, form):
            attach_roots = [form]  # VSB lists attachments after the content, inside the form
        elif form is not None and not within(form, body_el):
            attach_roots.append(form)
        for el in soup.find_all(True, attrs={"class": re.compile(r"(attach|fujian|fj_|download)", re.I)}):
            if not any(within(el, r) for r in attach_roots):
                attach_roots.append(el)
        attachments = _attachments(attach_roots, base)
        if title_el is not None and within(body_el, title_el):
            title_el = None  # the "heading" holds the body: never cut it out
        if title_el is not None and title_shown and within(title_el, body_el):
            title_el.decompose()  # the CMS heading inside the content element
        _drop_junk_elements(body_el)
        images = _images(body_el, base)
        own_heading = _centred_lead(body_el, title)
        lines = render_lines(body_el)
    lines = _clean_body_lines(lines, title if title_shown and not own_heading else "", info_lines)
    signed_lines = lines  # the department and the date may come from the tail cut off below
    lines = _drop_notice_tail(lines, attachments)

    if not title:
        if not lines and js_target:
            target = urljoin(base, js_target)
            raise ExtractError("redirect", f"{url}: the page only redirects (script) to {target}",
                               target=target)
        raise ExtractError("no-title", f"{url}: no article title found (no heading element and an "
                           "empty <title>); set selectors.title in the site configuration if the "
                           "page is an article")
    body_chars = sum(len(line) for line in lines)
    if js_target and body_chars < 30 and not images:
        target = urljoin(base, js_target)
        if not _same_page(target, url):
            raise ExtractError("redirect", f"{url}: the page only redirects (script) to {target}",
                               target=target)
    if not lines and not images and not attachments:
        raise ExtractError("no-body", f"{url}: found the title “{title[:40]}” but no article text, "
                           "images or attachments; set selectors.body in the site configuration if "
                           "the content sits in an unusual element")

    # -- published ----------------------------------------------------------------
    published = None
    if site is not None and site.selectors.date:
        el = _select_first(soup, site.selectors.date)
        if el is not None:
            published = find_date(inline_text(el))
    info_text = "\n".join(info_lines)
    published = published or find_date(info_text, labelled=True) or find_date(info_text) or url_date(url)
    signature_unit, signature_date = _signature(signed_lines)
    if published is None:
        published = find_date("\n".join(render_lines(root)), labelled=True) or signature_date

    # -- department and source ------------------------------------------------------
    department, source = _department_and_source(fields, signed_lines, signature_unit, site, soup)

    return Article(
        url=url, site=site_id, title=title, body="\n".join(lines), published=published,
        department=department, source=source, column=column, images=images,
        attachments=attachments,
    )


def _info_lines(root: Tag, title_el: Tag | None, body_el: Tag | None) -> list[str]:
    """The lines between the heading and the body (the 日期/来源/作者 line), or the
    few lines before the body when the heading is unknown."""
    start = NavigableString(f"{_MARK}T{_MARK}")
    stop = NavigableString(f"{_MARK}B{_MARK}")
    placed: list[NavigableString] = []
    try:
        if title_el is not None and title_el.parent is not None:
            title_el.insert_after(start)
            placed.append(start)
        if body_el is not None and body_el.parent is not None:
            body_el.insert_before(stop)
            placed.append(stop)
        text = "".join(_render_parts(root))
    finally:
        for marker in placed:
            marker.extract()
    t_pos = text.find(str(start)) if start in placed else -1
    b_pos = text.find(str(stop)) if stop in placed else -1
    if t_pos >= 0 and b_pos > t_pos:
        chunk = text[t_pos + len(start):b_pos]
        chunk = chunk[:1500]
    elif t_pos >= 0:
        chunk = text[t_pos + len(start):t_pos + len(start) + 400]
    elif b_pos >= 0:
        chunk = text[max(0, b_pos - 600):b_pos]
    else:
        chunk = ""
    lines = [_finish_line(line) for line in chunk.split("\n")]
    lines = [line for line in lines if line]
    if t_pos < 0 and b_pos >= 0:
        lines = lines[-6:]
    return lines[:12]


def _clean_body_lines(lines: list[str], title: str, info_lines: list[str]) -> list[str]:
    out = [line for line in lines if not _is_junk_line(line)]
    # leading heading / info lines that belong to the page, not the article
    info = set(info_lines)
    squashed_title = _squash(title)
    while out:
        first = out[0]
        if DROP_REPEATED_TITLE and squashed_title and _squash(first) == squashed_title:
            out.pop(0)
            continue
        if first in info and _is_meta_line(first):
            out.pop(0)
            continue
        if _is_meta_line(first) and len(first) < 80 and len(out) > 1:
            out.pop(0)
            continue
        break
    return out


def _centred_lead(body_el: Tag, title: str) -> bool:
    """Whether the body opens with the title as a *centred* line: the text reproduces
    a document (a law, a regulation, a notice) under its own centred heading, which
    is part of that document. A template's echo of the title is an ordinary
    paragraph (bold or not) and is dropped by :func:`_clean_body_lines`."""
    squashed = _squash(title)
    if not squashed:
        return False
    first = next((t for t in body_el.find_all(string=True) if t.strip()), None)
    if first is None:
        return False
    block: Tag | None = None
    centred = False
    for anc in first.parents:
        if anc is body_el or not isinstance(anc, Tag):
            break
        if anc.name == "center" or str(anc.get("align") or "").lower() == "center" or \
                re.search(r"text-align\s*:\s*center", str(anc.get("style") or ""), re.I):
            centred = True
        if block is None and anc.name in BLOCK_TAGS:
            block = anc
    return centred and block is not None and _squash(inline_text(block)) == squashed


#: A heading that opens a notice's closing contact section.
_CONTACT_HEAD = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}\s*[、.．])?\s*"
    r"(?:联系方式|联系办法|联系人|联系电话|咨询电话|咨询方式|联系与咨询|咨询联系)\s*(?:[:：].{0,80})?$")
_SECTION_HEAD = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*、")  # a later section: not a closing tail
_ATTACH_LINE = re.compile(r"^(?:附件|附表|附)\s*\d{0,2}\s*[:：【\[]|^附件\s*\d{0,2}\s*$|^附件\s*\d{1,2}\s*[.、．]")


_UNIT_END = re.compile(r"(处|部|办|办公室|室|院|系|中心|委员会|委|会|馆|组|科|所|站|队|团|厂|公司|大学|学校|"
                       r"协会|社|局|厅|支部|总支|党委|工会|团委|学生会|研究会|联盟|共同体)$")


def _is_signature_unit_line(line: str) -> bool:
    """A signing unit (or several, 、-separated): short, no sentence punctuation
    or digits, and each part named like a unit (教务处, 经济学院, 校团委 …)."""
    line = line.strip()
    if not 1 < len(line) <= 40 or re.search(r"[。！？；：:，,\d]", line):
        return False
    parts = [p for p in re.split(r"[、\s/]+", line) if p]
    return bool(parts) and all(departments.normalise(p) or _UNIT_END.search(p) for p in parts)


def _drop_notice_tail(lines: list[str], attachments: list[Attachment]) -> list[str]:
    """A notice's closing tail is not body text: the signature (unit lines over a
    date), the lines naming its attachments (listed as attachments already) and a
    final contact section (联系方式/联系人/联系电话/咨询电话 and what follows it).
    A （X供稿） closing line is the article's own last line and stays."""
    out = list(lines)
    names = {_squash(a.name) for a in attachments if a.name}

    def is_attachment_line(line: str) -> bool:
        if len(line) > 160:
            return False
        if _ATTACH_LINE.match(line):
            return True
        sq = _squash(re.sub(r"^\d{1,2}\s*[.、．]\s*", "", line))
        return bool(sq) and sq in names

    changed = True
    while changed and len(out) > 1:
        changed = False
        # the signature: one or two unit lines over a date line
        if _SIGNATURE_DATE.match(out[-1].replace(" ", "")):
            units = 0
            while units < 3 and len(out) - 1 - units > 1 and _is_signature_unit_line(out[-2 - units]):
                units += 1
            if units:
                del out[len(out) - 1 - units:]
                changed = True
        # attachment-name lines
        while len(out) > 1 and is_attachment_line(out[-1]):
            out.pop()
            changed = True
        # a final contact section: its heading within the last few lines, short lines after it
        for i in range(len(out) - 1, max(0, len(out) - 7), -1):
            if i > 0 and _CONTACT_HEAD.match(out[i].strip()) and all(len(x) < 200 for x in out[i:]) \
                    and not any(_SECTION_HEAD.match(x) for x in out[i + 1:]):
                del out[i:]
                changed = True
                break
    return out


def _signature(lines: list[str]) -> tuple[str | None, str | None]:
    """A notice's closing signature: a unit line over a date line at the very end."""
    if len(lines) < 2:
        return None, None
    m = _SIGNATURE_DATE.match(lines[-1].replace(" ", ""))
    if not m:
        return None, None
    signed = _iso(*m.groups())
    unit_line = lines[-2].strip()
    if len(unit_line) > 40 or re.search(r"[。！？；]", unit_line):
        return None, signed
    for part in re.split(r"[、，,\s/；;]+", unit_line):  # 与/和 belong to names (国际交流与合作处)
        dept = departments.normalise(part)
        if dept:
            return dept, signed
        if part:
            break  # only the first signing unit names the department
    return None, signed


def _department_and_source(fields: dict[str, str], lines: list[str], signature_unit: str | None,
                           site: SiteConfig | None, soup: BeautifulSoup) -> tuple[str | None, str | None]:
    source = None
    department = None
    if site is not None and site.selectors.department:
        el = _select_first(soup, site.selectors.department)
        if el is not None:
            value = inline_text(el)
            department = unit_of(labelled_fields([value]).get("来源") or value)
    origin = next((fields[k] for k in ("信息来源", "文章来源", "稿件来源", "新闻来源", "来源") if k in fields), None)
    if origin:
        reprint = bool(lines) and bool(_REPRINT.match(lines[0]))
        outlet = outlet_name(origin, reprint)
        if outlet and not _is_own_site(outlet, site) and unit_of(origin) is None:
            source = outlet
    if department is None:
        for key in ("供稿单位", "供稿部门", "供稿", "投稿单位"):
            department = department or unit_of(fields.get(key))
    if department is None:
        department = _closing_unit(lines)
    if department is None and origin and source is None and not _is_own_site(origin, site):
        department = unit_of(origin)
    if department is None:
        for key in ("发布单位", "发布部门", "发布机构", "发文单位", "作者", "撰稿", "撰稿人", "文字", "文",
                    "发布者", "发布人"):
            department = department or unit_of(fields.get(key))
    if department is None:
        department = signature_unit
    return department, source


def _closing_unit(lines: list[str]) -> str | None:
    for line in reversed(lines[-3:]):
        m = _CLOSING_UNIT.search(line)
        if m:
            value = next(g for g in m.groups() if g)
            dept = unit_of(value)
            if dept:
                return dept
    return None
