"""The column (栏目) a page sits in, read from the page's chrome: breadcrumbs and
VSB's 栏目名称 block."""
from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, Tag

from indexer.extract.text import JUNK_TAGS, finish_line, inline_text, norm, within, ws

_CRUMB_LABEL = re.compile(
    r"^\s*(?:您?(?:当前|现在|目前)?(?:的|所在)?(?:位置|所在位置)|当前位置|所在位置|当前栏目|位置导航|导航)\s*[:：]?\s*")
_CRUMB_SEP = re.compile(r"\s*(?:>>|>|»|›|＞|→|/|\\|\||｜|》|>|::)\s*|\s+[-—－]\s+")
CRUMB_SKIP = {"正文", "首页", "网站首页", "主页", "内容", "详情", "正文内容", "文章内容", "详细内容",
               "本站首页", "学校首页", "返回首页", "home", "index", "当前位置", "您现在的位置", "阅读",
               "新闻详情", "详情页", "内容页"}
_CRUMB_CLASSES = re.compile(
    r"(^|[-_])(dqwz|position|breadcrumbs?|crumbs?|location|col_path|path|weizhi|wz|dangqian|nav-?path|"
    r"current-?(?:pos|position|location)|site-?path|lujing|curpos|mbx)([-_]|\d|$)", re.I)


def _crumb_blocks(soup: BeautifulSoup, container: Tag | None = None) -> list[Tag]:
    """Elements that may hold the breadcrumb: named like one (``dqwz``, ``position``
    …) or labelled 当前位置, short, and never inside (or around) the article's own
    container, whose text is the article's, not the site's."""
    def chrome(el: Tag) -> bool:
        return container is None or not (within(el, container) or within(container, el))

    blocks: list[Tag] = []
    for el in soup.find_all(True):
        names = " ".join(el.get("class") or []) + " " + (el.get("id") or "")
        # a breadcrumb has a trail: two crumbs at least (首页 > 通知公告); one
        # link in an element named ``news_wz`` is a list item, not a trail
        if any(_CRUMB_CLASSES.search(tok) for tok in names.split()) and chrome(el) and \
                len(inline_text(el)) < 200 and len(crumbs_of(el)) >= 2:
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
        if isinstance(el, Tag) and el.name not in ("body", "html") and len(inline_text(el)) < 300 and \
                chrome(el):
            blocks.append(el)
    # no name and no label: a short trail that starts at the home page's link
    # (首页 - 图说清华 - 内容, 首页>>人物聚焦>>2005人物)
    for s in soup.find_all(string=_HOME):
        link = s.find_parent("a")
        el = link.parent if link is not None else None
        for _ in range(3):
            if not isinstance(el, Tag) or el.name in ("body", "html", "header", "footer"):
                break
            text = inline_text(el)
            if len(text) >= 200:
                break
            if _TRAIL.match(text) and 2 <= len(crumbs_of(el)) <= 6 and chrome(el):
                blocks.append(el)
                break
            el = el.parent
    return blocks


_HOME = re.compile(r"^\s*(?:首页|网站首页|学校首页|学院首页|本站首页|主页)\s*$")
_TRAIL = re.compile(r"^\s*(?:首页|网站首页|学校首页|学院首页|本站首页|主页)\s*(?:>>|>|»|›|＞|→|/|\\|\||｜|》|::|[-—－])")


def crumbs_of(block: Tag) -> list[str]:
    """The crumbs of a breadcrumb element, in order."""
    crumbs: list[str] = []
    pending = ""
    for piece in block.descendants:
        if isinstance(piece, Tag) and piece.name == "a":
            if pending.strip():
                crumbs.extend(_split_crumbs(pending))
            pending = ""
            crumbs.append(norm(piece.get_text("")))
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
        c = _CRUMB_LABEL.sub("", norm(c)).strip(" >»›＞:：")
        if c and not _CRUMB_SEP.fullmatch(c):
            out.append(c)
    return out


def _split_crumbs(text: str) -> list[str]:
    text = _CRUMB_LABEL.sub("", norm(text))
    return [p for p in (norm(x) for x in _CRUMB_SEP.split(text)) if p]


def useful_crumb(c: str, title: str, site_name: str | None) -> bool:
    if c.lower() in CRUMB_SKIP or c in CRUMB_SKIP:
        return False
    if len(c) > 30 or (title and len(c) > 8 and (c == title or title.startswith(c.rstrip(".…")))):
        return False
    if site_name and norm(c) == norm(site_name):
        return False
    return True


def breadcrumb_column(soup: BeautifulSoup, title: str = "", site_name: str | None = None,
                      path: bool = False, container: Tag | None = None) -> str | list[str] | None:
    """The column a page sits in: the last crumb that is not 首页/正文/the title
    and could be a column's name (see :func:`column_problem`)."""
    for block in _crumb_blocks(soup, container):
        crumbs = [c for c in crumbs_of(block) if useful_crumb(c, title, site_name)]
        crumbs = [c for c in crumbs if column_problem(c) is None]
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
            parts.append(inline_text(sib) if isinstance(sib, Tag) else finish_line(ws(str(sib))))
        text = norm(" ".join(p for p in parts if p))
        if text and len(text) <= 30:
            return text
    return None


# ---------------------------------------------------------------------------
# Section headings and the column's name
# ---------------------------------------------------------------------------

#: The heading of the section an article sits in, where there is no breadcrumb
#: (WebPlus ``col_title``, and the names other CMSes give it).
_SECTION_CLASSES = re.compile(
    r"^(col_title|col-title|col_name|colname|column-?title|column_name|lm_?title|lm_?name|lmmc|lanmu|"
    r"lmbt|sub_?title_?lm|channel-?title|channel_name|catalog-?title|cat-?title|cate-?title)$", re.I)

_DATE_LIKE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*日")
_FILE_LIKE = re.compile(r"\.(?:s?html?|jsp|php|aspx?|pdf|docx?|xlsx?|pptx?|jpe?g|png|gif|zip|rar)\b", re.I)
_URL_LIKE = re.compile(r"(?:https?://|www\.|\.(?:com|cn|net|org|edu)\b)", re.I)
_SENTENCE = re.compile(r"[，。！？；：,;!?:“”\"]|(?:^|\s)(?:的|了|和|与|及)|的(?:通知|公告|决定|报告)$")


def column_problem(name: str) -> str | None:
    """Why ``name`` cannot be a column's name (a date, an e-mail, a URL, a file
    name, a sentence fragment, more than a few words), or ``None`` when it can."""
    text = norm(name)
    if not text:
        return "empty"
    if "@" in text:
        return "an e-mail address"
    if _URL_LIKE.search(text):
        return "a web address"
    if _FILE_LIKE.search(text):
        return "a file name"
    if _DATE_LIKE.search(text) or re.fullmatch(r"[\d\s\-/.:]+", text):
        return "a date or a number"
    if _SENTENCE.search(text):
        return "a sentence fragment"
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    if len(text.split()) > 3 or cjk > 16 or len(text) > 30:
        return "too long for a column's name"
    return None


def section_heading(index_all: "Iterable[Tag]", container: Tag | None) -> str | None:
    """The section heading above the article (WebPlus ``col_title``): an element
    named like one, outside the article's container, with a short text."""
    for el in index_all:
        if container is not None and (within(el, container) or within(container, el)):
            continue
        text = norm(inline_text(el))
        if text and column_problem(text) is None:
            return text
    return None


def section_elements(soup: BeautifulSoup) -> list[Tag]:
    return [el for el in soup.find_all(True)
            if any(_SECTION_CLASSES.match(str(c)) for c in (el.get("class") or []))
            or _SECTION_CLASSES.match(str(el.get("id") or ""))]
