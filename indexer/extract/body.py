"""Cleaning the article's text: counters, share bars, print/close links,
previous/next links and copyright lines dropped; a repeated title and the info line
cut from its start; a notice's signature, attachment lines and contact section
cut from its end."""
from __future__ import annotations

import re

from bs4 import Tag

from indexer.extract.dates import DATE
from indexer.extract.text import BLOCK_TAGS, event_details, inline_text, squash

_NAV_WORDS = {"关闭", "返回", "打印", "关闭窗口", "打印本页", "打印此页", "打印文章", "返回顶部", "返回列表",
              "返回首页", "返回上页", "返回上一页", "收藏", "收藏本页", "加入收藏", "分享", "分享到", "大", "中", "小",
              "字号", "字体", "默认", "关闭本页", "[关闭]", "打印该页", "【", "】", "[", "]", "|", "｜", "×", "x",
              "top", "顶部"}
_PREV_NEXT = re.compile(r"^[【\[]?\s*(上一篇|下一篇|上一条|下一条|上篇|下篇|上一页|下一页|上一则|下一则|前一篇|后一篇)")
_COPYRIGHT = re.compile(r"(版权所有|copyright|©|ICP备|ICP证|公网安备|技术支持[:：])", re.I)
_COUNTER = re.compile(r"(浏览次数|点击次数|阅读次数|访问次数|浏览量|点击量|阅读量|点击数|访问量|_showDynClicks|"
                      r"WP_VisitCount|浏览[:：]\s*\d|点击[:：]\s*\d|阅读[:：]\s*\d)")
_META_LINE = re.compile(r"(发布时间|发布日期|发稿时间|更新时间|日期|时间|来源|转载自|转自|作者|编辑|责任编辑|审核|供稿|"
                        r"发布者|发布人|发布单位|摄影|字号|字体|浏览|点击|阅读)\s*[:：]")
_JUNK_CLASS = re.compile(
    r"^(bdshare.*|.*share.*|jiathis.*|fenxiang|print.*|close.*|prev.*|next.*|pre_?next|dynclick.*|"
    r"wp_visitcount|visitcount|pagination|page_?nav|related.*|xgwz|xgxw|arti_metas|arti_views|"
    r"wp_share.*|qrcode|ewm)$", re.I)


def _is_nav_line(line: str) -> bool:
    tokens = [t for t in re.split(r"[\s【】\[\]|｜/]+", line) if t]
    return bool(tokens) and all(t in _NAV_WORDS or t.lower() in _NAV_WORDS for t in tokens)


#: Lines of a site's own chrome (its footer's contact block), never an article's.
_CHROME = re.compile(r"(新闻热线|投稿信箱|投稿邮箱|投稿电话|联系电话|电话[:：]|传真[:：]|地址[:：]|邮编[:：]|"
                     r"邮政编码|主办[:：]|承办[:：]|主管[:：]|技术支持|网站地图|联系我们|设为首页|加入收藏|"
                     r"版权所有|Copyright|ICP|公网安备|E-?mail[:：])", re.I)


def is_chrome(lines: list[str]) -> bool:
    """Whether the text read as the body is the site's chrome (a footer's
    hotline, mailbox and address lines), as on a page that is only a video or
    radio player: most of its characters are on such lines."""
    total = sum(len(x) for x in lines)
    chrome = sum(len(x) for x in lines if len(x) < 120 and _CHROME.search(x))
    return total > 0 and chrome >= 0.6 * total


#: A link to a neighbouring article with its date (相关新闻: 标题[2015-03-23]).
_DATED_LINK = re.compile(r"^.{4,80}[\[［(（]\d{4}-\d{1,2}-\d{1,2}[\]］)）]$")


def _is_junk_line(line: str) -> bool:
    if _is_nav_line(line) or _PREV_NEXT.match(line) or _DATED_LINK.match(line):
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
    return bool(DATE.fullmatch(line.strip()))


def drop_junk_elements(root: Tag) -> None:
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
        if is_hidden(el):
            el.decompose()


def is_hidden(el: Tag) -> bool:
    style = str(el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style or el.has_attr("hidden")


def drop_hidden(root: Tag) -> None:
    """Remove the elements a reader never sees: templates keep hidden copies of
    the article, menus and pop-ups. A hidden element holding the page's only
    paragraphs (revealed by a script) stays."""
    hidden = [el for el in root.find_all(True) if el.attrs is not None and is_hidden(el)]
    visible_text = len(re.sub(r"\s+", "", root.get_text(""))) - sum(
        len(re.sub(r"\s+", "", el.get_text(""))) for el in hidden if not any(
            p in hidden for p in el.parents))
    if visible_text < 50:
        return
    for el in hidden:
        if not getattr(el, "decomposed", False):
            el.decompose()




#: Drop the first body line when it only repeats the title shown as a heading
#: elsewhere on the page (bold or not). When the page shows no heading of its own
#: (the title is known only from <title>, or the body's first paragraph is the
#: only visible heading), that first line is the heading a reader sees and stays.
DROP_REPEATED_TITLE = True



def clean_body_lines(lines: list[str], title: str, info_lines: list[str]) -> list[str]:
    out = [line for line in lines if not _is_junk_line(line)]
    # leading heading / info lines that belong to the page, not the article
    info = set(info_lines)
    squashed_title = squash(title)
    while out:
        first = out[0]
        if DROP_REPEATED_TITLE and squashed_title and squash(first) == squashed_title:
            out.pop(0)
            continue
        if DROP_REPEATED_TITLE and squashed_title and len(out) > 2 and \
                squash(first) + squash(out[1]) == squashed_title:   # the title broken over two lines
            del out[:2]
            continue
        if len(out) > 1 and event_details(first, out[1]):
            break   # 时间：… over 地点：…: the meeting's own details, not the page's info line
        if first in info and _is_meta_line(first):
            out.pop(0)
            continue
        if _is_meta_line(first) and len(first) < 80 and len(out) > 1:
            out.pop(0)
            continue
        break
    return out


_DOCUMENT_PART = re.compile(r"^第[一二三四五六七八九十百]+[章条节编]")


def reproduces_document(lines: list[str]) -> bool:
    """Whether the text reproduces a document in chapters and articles (a law, a
    regulation), whose own heading is part of it."""
    return any(_DOCUMENT_PART.match(line) for line in lines[:12])


def centred_lead(body_el: Tag, title: str) -> bool:
    """Whether the body opens with the title as a *centred* line: the text reproduces
    a document (a law, a regulation, a notice) under its own centred heading, which
    is part of that document. A template's echo of the title is an ordinary
    paragraph (bold or not) and is dropped by :func:`clean_body_lines`."""
    squashed = squash(title)
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
    return centred and block is not None and squash(inline_text(block)) == squashed


