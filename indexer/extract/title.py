"""The article's title: the site's selector, then CMS title elements, then
``<h1>``, then any element whose text is how ``<title>`` begins, then ``<title>``
without its ``-栏目-网站`` suffix; a heading that ``<title>`` starts with is preferred."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from indexer.extract.parts import VSB_FORM, PageIndex, select_first
from indexer.extract.text import event_details, inline_text, norm, squash, within
from indexer.sites import SiteConfig

_TITLE_SEP = re.compile(r"\s*(?:——|--|—|_{1,2}|\||｜|::|(?<!\d)\s*-\s*(?!\d)|\s+-\s+)\s*")
_SITE_WORDS = re.compile(r"(大学|学院|学校|职院|高专|网站|网|首页|主页|中心|官网|Home|University|College)$", re.I)


def split_title_parts(title: str) -> list[str]:
    """The pieces of a <title>: ``标题-栏目-学校`` → ``["标题", "栏目", "学校"]``."""
    return [p for p in _TITLE_SEP.split(norm(title)) if p and p.strip()]


def split_site_title(title: str, site_name: str | None = None) -> str:
    """``校情通报（2025-9）-南开大学`` → ``校情通报（2025-9）``: the page heading without the
    column and site names that ``<title>`` appends (or prepends)."""
    title = norm(title)
    parts = [p for p in _TITLE_SEP.split(title) if p and p.strip()]
    if len(parts) <= 1:
        return title
    if site_name:
        parts = [p for p in parts if norm(p) != norm(site_name)] or parts
    if len(parts) == 1:
        return parts[0]
    if _SITE_WORDS.search(parts[0]) and len(parts[0]) <= 16 and not _SITE_WORDS.search(parts[-1]):
        # "宜宾职业技术学院-校情通报": the site first
        return max(parts[1:], key=len)
    return parts[0]



def _matches_title(text: str, doc_title: str) -> bool:
    """Whether ``doc_title`` (the page's <title>) is ``text`` plus a site suffix/prefix."""
    t, d = norm(text), norm(doc_title)
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
    st, sd = squash(t), squash(d)
    if len(st) >= 6 and sd.rstrip(".…") and len(sd) >= 6:
        if sd.rstrip(".…").startswith(st[: max(6, len(st) - 2)]) and d.endswith(("...", "…")):
            return True
    return False


def _holds_title(text: str, doc_title: str) -> bool:
    """Whether a heading is <title> with a few more words around it."""
    t, d = squash(text), squash(split_site_title(doc_title))
    return len(d) >= 6 and d in t and len(t) - len(d) <= 12 and len(t) <= 80


_GENERIC = {"新闻", "通知", "公告", "正文", "内容", "详情", "文章", "信息", "新闻详情", "文章详情", "内容页",
            "无标题", "无标题文档", "untitled", "untitled document", "index", "首页"}


def _generic(title: str) -> bool:
    """Whether a <title> piece names no article (``(新闻)``, ``正文``, ``Untitled``)."""
    bare = norm(re.sub(r"[()（）\[\]【】<>《》]", "", title)).lower()
    return len(bare) < 2 or bare in _GENERIC


def _title_above(body: Tag, index: PageIndex) -> Tag | None:
    """The element named like a title (``bt_title``, ``news-title``…) that comes
    last before the article's content, outside the page's header."""
    at = index.order.get(id(body))
    if at is None:
        return None
    best: Tag | None = None
    for el in index.all("[class*=title], [class*=Title], [class*=biaoti]"):
        n = index.order.get(id(el), -1)
        text = inline_text(el)
        if n >= at or within(body, el) or _is_header_like(el) or not 4 <= len(text) <= 100:
            continue
        if best is None or n > index.order.get(id(best), -1):
            best = el
    return best


def page_title(soup: BeautifulSoup) -> str:
    tag = soup.find("title")
    return norm(tag.get_text(" ")) if tag else ""




_TITLE_STRONG = (".arti_title", ".arti-title", ".content-title", ".content_title", ".article-title",
                 ".article_title", ".articleTitle", ".detail-title", ".detail_title", ".news-title",
                 ".news_title_detail", ".newstitle", ".news_tit", ".tit", "#title", ".title",
                 "[class^=titlestyle]", ".bt", ".biaoti")
_HEADER_LIKE = re.compile(r"(logo|header|head|top|banner|nav|menu|foot|site-?name|webname)", re.I)



def _is_header_like(el: Tag) -> bool:
    for anc in [el, *list(el.parents)[:4]]:
        if not isinstance(anc, Tag):
            continue
        tokens = " ".join(anc.get("class") or []) + " " + str(anc.get("id") or "")
        if anc.name in ("header", "nav", "aside", "footer") or _HEADER_LIKE.search(tokens):
            return True
    return False


def find_title(soup: BeautifulSoup, site: SiteConfig | None, doc_title: str,
                body: Tag | None, index: PageIndex) -> tuple[str, Tag | None, bool]:
    """``(title, its element, whether it is a heading of its own)``: a heading is an
    element other than the article's own paragraphs (a paragraph of the body that
    <title> names is the page's only visible heading, and stays in the body)."""
    site_name = site.name if site is not None else None

    def ok(text: str) -> bool:
        return 2 <= len(text) <= 200 and not (site_name and norm(text) == norm(site_name))

    if site is not None and site.selectors.title:
        el = select_first(soup, site.selectors.title)
        if el is not None and ok(inline_text(el)):
            return inline_text(el), el, True

    strong: list[Tag] = []
    form = index.first(VSB_FORM)
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
                    # a heading opening the content (an <h3>, a centred bold line)
                    # is the page's only heading: shown, and cut from the body
                    return text, el, shown or (el.name in HEADINGS or heading_styled(el, body)) \
                        and opens(body, el)
        # the content opens with a heading that holds <title> and a few words more
        # (<title> 俄克拉荷马…音乐会 over the heading 美国俄克拉荷马…音乐会)
        for el in inside:
            text = inline_text(el)
            if _holds_title(text, doc_title) and heading_styled(el, body) and opens(body, el):
                return text, el, True
    for el in h1s:
        if not _is_header_like(el) and len(inline_text(el)) >= 6:
            return inline_text(el), el, True
    fallback = split_site_title(doc_title, site_name) if doc_title else ""
    if _generic(fallback) and body is not None:
        # <title> names only the site and a word (北医新闻网_(新闻)): the
        # title-classed element nearest above the content (<td class=bt_title>)
        el = _title_above(body, index)
        if el is not None:
            return inline_text(el), el, True
    if fallback:
        return fallback, None, False
    for el in strong + h1s:
        return inline_text(el), el, True
    return "", None, False


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CENTRED = re.compile(r"text-align\s*:\s*center", re.I)
_BIG = re.compile(r"font-size\s*:\s*(\d+(?:\.\d+)?)\s*(px|pt)", re.I)


def heading_styled(el: Tag, container: Tag | None) -> bool:
    """Whether an element inside the content is set as a heading: an ``<h*>``, a
    centred line, bold or large type, on it or on an ancestor inside ``container``."""
    for node in [el, *el.parents]:
        if not isinstance(node, Tag) or node is container:
            break
        if node.name in HEADINGS or node.name == "center":
            return True
        if str(node.get("align") or "").lower() == "center" or _CENTRED.search(str(node.get("style") or "")):
            return True
        m = _BIG.search(str(node.get("style") or ""))
        if m and float(m.group(1)) >= (16 if m.group(2).lower() == "px" else 12):
            return True
    inner = el.find(["strong", "b"])
    return inner is not None and norm(inline_text(inner)) == norm(inline_text(el))


def opens(container: Tag | None, el: Tag) -> bool:
    """Whether ``el`` comes before any other text of ``container``, but for other
    heading lines (a kicker above the title, ●引题 lines)."""
    if container is None:
        return False
    for text in container.find_all(string=True):
        if not text.strip():
            continue
        if within(text, el):
            return True
        parent = text.parent
        if not (isinstance(parent, Tag) and heading_styled(parent, container) and len(text.strip()) < 80):
            return False
    return False


_INFO_START = re.compile(r"^[（(]?\s*(?:来源|信息来源|文章来源|作者|发布时间|发布日期|日期|时间|供稿|撰稿|记者|编辑)\s*[:：]")
#: A reprint's source note under its heading: the paper and its date, in brackets.
_SOURCE_NOTE = re.compile(r"^[（(]\s*([^（）()\d\s]{2,20})\s*((?:19|20)\d{2}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*"
                          r"\d{1,2}\s*日?)\s*[）)]$")
#: An author's line: a unit or institution and a name (清华大学 陈 旭, 文/张三).
_BYLINE_LINE = re.compile(r"^(?:(?:文|作者|记者|撰文)\s*[/／:：]\s*)?(?:[\u4e00-\u9fff]{2,20}\s+)?"
                          r"[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,3}$")
_LEAF_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "center", "li", "td")


def _headline(heads: list[Tag], doc_title: str) -> str | None:
    """The headline among a reprint's heading lines: the highest-ranked ``<h*>``
    (an ``<h3>`` over the ``<h4>`` kicker or subtitle), else the line <title> names."""
    doc = squash(doc_title)

    def named(x: Tag) -> bool:
        sq = squash(inline_text(x))
        return len(sq) >= 4 and sq in doc

    ranked = [x for x in heads if x.name in HEADINGS and len(squash(inline_text(x))) >= 2]
    if ranked:
        best = min(ranked, key=lambda x: (int(x.name[1]), not named(x), -len(inline_text(x))))
        return inline_text(best)
    texts = [inline_text(x) for x in heads]
    # a headline set over consecutive lines (…印发 / 《关于…的意见》) that <title> joins
    runs = ["".join(texts[i:j]) for i in range(len(texts)) for j in range(i + 1, len(texts) + 1)]
    names = [t for t in runs if len(squash(t)) >= 4 and squash(t) in doc]
    if names:
        return max(names, key=lambda t: len(squash(t)))
    # one heading line that <title> shortens (研究生担任“三助一辅”… for 担任助研、助教…)
    if len(texts) == 1 and doc and len(set(squash(texts[0])) & set(doc)) >= 0.6 * len(set(doc)):
        return texts[0]
    return None


def heading_block(container: Tag | None, doc_title: str) -> tuple[list[Tag], str | None, list[str]]:
    """Reprints often open their content with the newspaper's own heading: a
    kicker, the title, a subtitle (all centred, bold or large) and the 来源 line.
    Returns those elements (to be cut from the body), the title among them that
    <title> names (``杨振宁：科学之美与艺术之美`` shows ``科学之美与艺术之美``), and the
    info lines' text; nothing when the content opens with ordinary text."""
    if container is None:
        return [], None, []
    leaves: list[Tag] = []
    for el in container.find_all(_LEAF_BLOCKS):
        if el.find(_LEAF_BLOCKS) is not None or not inline_text(el):
            continue
        leaves.append(el)
        if len(leaves) >= 7:
            break
    for k, el in enumerate(leaves):
        text = inline_text(el)
        note = _SOURCE_NOTE.match(text)
        if note and k and heading_styled(el, container):
            text = f"来源：{note.group(1)} {note.group(2)}"   # （福建日报 2001年3月12日）
        if k + 1 < len(leaves) and event_details(text, inline_text(leaves[k + 1])):
            return [], None, []
        if (_INFO_START.match(text) or note and k and heading_styled(el, container)) and len(text) < 120:
            if k == 0 or not all(heading_styled(x, container) and len(inline_text(x)) < 80 for x in leaves[:k]):
                return [], None, []
            end = k + 1
            while end < len(leaves) and _BYLINE_LINE.match(inline_text(leaves[end])) and \
                    heading_styled(leaves[end], container):
                end += 1   # the author's line under the 来源 line (清华大学 陈 旭)
            return leaves[:end], _headline(leaves[:k], doc_title), [inline_text(x) for x in leaves[k:end]] \
                if end > k + 1 else [text]
        if not (heading_styled(el, container) and len(text) < 80):
            return [], None, []
    return [], None, []
