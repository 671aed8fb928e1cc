"""The parts of a page: the article's container (the CMS content element, else
the element holding the most paragraph text) and the info line between the
heading and the body."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from indexer.extract.text import MARK, finish_line, render_parts, within
from indexer.sites import SiteConfig

VSB_FORM = "form[name=_newscontent_fromname]"
_BODY_STRONG = ("#vsb_content", "#vsb_content_2", "#vsb_content_3", "#vsb_content_4",
                "#vsb_content_5", "#vsb_content_6", "#vsb_content_100", ".v_news_content",
                ".wp_articlecontent", "#contentText", ".TRS_Editor", ".TRS_UEDITOR", "#zoom",
                ".article-content", ".article_content", ".articleContent", ".news_content",
                ".news-content", ".newsContent", ".content_text", ".detail-content", ".detail_content",
                "#article_content", "#news_content", "#txt", "#Content", "#content_text")
_BODY_WEAK = (".content", "#content", ".article", "article", ".detail", ".text", ".main-content",
              ".main_content", ".con", ".entry")


class PageIndex:
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


def text_len(el: Tag) -> int:
    return len(re.sub(r"\s+", "", el.get_text("")))


def link_density(el: Tag) -> float:
    total = text_len(el)
    if not total:
        return 1.0
    links = sum(text_len(a) for a in el.find_all("a"))
    return links / total


def has_media(el: Tag) -> bool:
    return el.find("img") is not None


def select_first(root: Tag, selector: str) -> Tag | None:
    try:
        return root.select_one(selector)
    except Exception:  # a bad site selector is reported by sites.py; here it just misses
        return None


def find_body(soup: BeautifulSoup, site: SiteConfig | None, index: PageIndex) -> tuple[Tag | None, str]:
    if site is not None and site.selectors.body:
        el = select_first(soup, site.selectors.body)
        if el is not None:
            return el, "selector"
    form = index.first(VSB_FORM)
    for sel in _BODY_STRONG:
        el = index.first(sel)
        if el is not None and (text_len(el) or has_media(el)):
            return el, sel
    if form is not None and (text_len(form) or has_media(form)):
        return form, "vsb-form"
    weak: list[Tag] = []
    for sel in _BODY_WEAK:
        for el in index.all(sel):
            if text_len(el) >= 30 and link_density(el) < 0.3:
                weak.append(el)
    best = _densest_block(soup)
    if weak:
        # the smallest weak candidate that still holds the densest block's text
        if best is not None:
            holding = [el for el in weak if within(best, el)]
            if holding:
                return min(holding, key=text_len), "weak"
            inside = [el for el in weak if within(el, best)]
            if inside:
                return inside[0], "weak"
        return weak[0], "weak"
    if best is not None:
        return best, "densest"
    return None, ""


_DATED_ITEM = re.compile(r"[\[［(（]\d{4}-\d{1,2}-\d{1,2}[\]］)）]\s*$")


def _densest_block(soup: BeautifulSoup) -> Tag | None:
    """The element holding the most paragraph text (a readability-style score)."""
    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    root = soup.body or soup
    side: dict[int, bool] = {}
    for p in root.find_all(["p", "pre", "td", "div", "font", "span", "section", "li"]):
        if p.find(["p", "div", "td", "table", "li", "section"]) is not None and p.name != "p":
            continue  # only leaf-ish blocks carry text
        if _in_side_region(p, side):
            continue  # 相关新闻 and other asides: teasers of other articles, never this one
        n = text_len(p)
        if n < 10:
            continue
        density = min(link_density(p), 1.0)
        if density > 0.4 or (n < 100 and _DATED_ITEM.search(p.get_text(""))):
            continue   # a link with its date or a line of links (a list of neighbours), no paragraph
        weight = n * (1.0 - density)
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




#: Regions beside the article: related-news lists, recommendations, rankings.
_SIDE_TAGS = ("aside", "nav", "footer", "header")
_SIDE_NAMES = re.compile(r"(^|[-_])(relat\w*|relative\w*|xgxw|xgwz|xgyd|tuijian|recommend\w*|hot-?news|"
                         r"rank\w*|paihang|sidebar|side)([-_]|\d|$)", re.I)


def _in_side_region(el: Tag, memo: dict[int, bool]) -> bool:
    """Whether ``el`` sits in an ``<aside>``/``<nav>``/``<footer>``/``<header>`` or
    an element named like a related-news list or a sidebar."""
    seen: list[int] = []
    node: Tag | None = el.parent if isinstance(el.parent, Tag) else None
    verdict = False
    while node is not None and node.name not in ("body", "html", "[document]"):
        key = id(node)
        if key in memo:
            verdict = memo[key]
            break
        seen.append(key)
        names = " ".join(node.get("class") or []) + " " + str(node.get("id") or "")
        if node.name in _SIDE_TAGS or any(_SIDE_NAMES.search(t) for t in names.split()):
            verdict = True
            break
        node = node.parent if isinstance(node.parent, Tag) else None
    for key in seen:
        memo[key] = verdict
    return verdict


def read_info_lines(root: Tag, title_el: Tag | None, body_el: Tag | None) -> list[str]:
    """The lines between the heading and the body (the 日期/来源/作者 line), or the
    few lines before the body when the heading is unknown."""
    start = NavigableString(f"{MARK}T{MARK}")
    stop = NavigableString(f"{MARK}B{MARK}")
    placed: list[NavigableString] = []
    try:
        if title_el is not None and title_el.parent is not None:
            title_el.insert_after(start)
            placed.append(start)
        if body_el is not None and body_el.parent is not None:
            body_el.insert_before(stop)
            placed.append(stop)
        text = "".join(render_parts(root))
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
    lines = [finish_line(line) for line in chunk.split("\n")]
    lines = [line for line in lines if line]
    if t_pos < 0 and b_pos >= 0:
        lines = lines[-6:]
    return lines[:12]
