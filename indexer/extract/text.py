"""Text as a reader sees it: inline elements joined without spaces (dates are
often split across ``<span>``s), block elements and ``<br>`` breaking lines, a
line break in the source between two Chinese characters no space, ``&nbsp;`` a
space."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bs4 import Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
    "tbody", "thead", "tfoot", "section", "article", "header", "footer", "blockquote", "dd", "dt",
    "dl", "form", "center", "hr", "pre", "figure", "figcaption", "aside", "nav", "main", "address",
    "fieldset", "legend", "caption", "details", "summary", "body", "html", "title",
})
JUNK_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "select",
             "textarea", "button", "input", "svg", "canvas", "map", "link", "meta", "frame",
             "frameset", "applet", "audio", "video", "source", "param", "head",
             "title")   # a <title> left in the body by a document pasted whole into the content
_SOFT = "\x00"   # a line break in the source: a space, unless between Chinese characters
_HARD = "\x02"   # &nbsp;: always a space
MARK = "\x01"   # markers placed in the tree while reading the page

CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026\u2014\u00b7"
_SOFT_RUN = re.compile(r"[ \x00]+")
_ASCII_WS_NL = re.compile(r"[ \t\r\f\v]*\n[ \t\n\r\f\v]*")
_ASCII_WS = re.compile(r"[ \t\r\f\v]+")
_EDGE_SPACE = " \u3000\t"


def ws(text: str) -> str:
    text = text.replace("\xa0", _HARD).replace("\u200b", "").replace("\ufeff", "")
    text = _ASCII_WS_NL.sub(_SOFT, text)
    return _ASCII_WS.sub(" ", text)


def finish_line(line: str) -> str:
    def soft(m: re.Match[str]) -> str:
        run = m.group(0)
        if " " in run:
            return " "
        before = line[m.start() - 1] if m.start() > 0 else ""
        after = line[m.end()] if m.end() < len(line) else ""
        if before and after and re.match(f"[{CJK}]", before) and re.match(f"[{CJK}]", after):
            return ""
        return " "
    line = _SOFT_RUN.sub(soft, line)
    line = line.replace(_HARD, " ")
    line = re.sub(r" {2,}", " ", line)
    return line.strip(_EDGE_SPACE)


def render_parts(node: Tag | NavigableString) -> list[str]:
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
            out.append(ws(str(item)))
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
    text = "".join(render_parts(node))
    lines = (finish_line(line) for line in text.split("\n"))
    return [line for line in lines if line]


def inline_text(node: Tag | NavigableString | None) -> str:
    """All of a node's text on one line (block breaks become spaces)."""
    return " ".join(render_lines(node)).strip()




def norm(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\u3000", " ")
    return re.sub(r"\s+", " ", text).strip()


def squash(text: str) -> str:
    """For comparing headings: no spaces, no punctuation."""
    return re.sub(r"[\s\u3000\xa0·:：,，.。!！?？\"'“”‘’《》〈〉()（）\[\]【】\-—_|｜]+", "", text)


def join_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, or ``None`` when either is malformed
    (a link whose host is ``[Nucl. Phys. B 612 (2001) 25]`` makes urljoin raise)."""
    try:
        url = urljoin(base, href.strip())
        urlsplit(url).hostname  # noqa: B018 (raises on a malformed host)
        return url
    except ValueError:
        return None


_EVENT_TIME = re.compile(r"^(?:会议|活动)?(?:时间|日期)\s*[:：]")
_EVENT_DETAIL = re.compile(r"^(?:会议|活动)?(?:地点|地址|主持人?|参会人员|参加人员|出席人员|出席|列席|主题|议题|内容)"
                           r"\s*[:：]")


def event_details(line: str, next_line: str) -> bool:
    """Whether ``时间：…`` over ``地点：…`` opens a meeting's or an event's own details
    (text of the article), not the page's info line."""
    return bool(_EVENT_TIME.match(line.strip()) and _EVENT_DETAIL.match(next_line.strip()))
