"""``news-indexer check-site CONFIG``: try a site configuration on its live site.

It fetches every configured list page through the polite
:class:`~indexer.fetch.Fetcher` (robots.txt, delay, limits), reads each with
:func:`~indexer.listpage.parse_list`, fetches a few articles (taken in turn from
each list) and extracts each as the crawler would (with the list's column as the
hint), then prints a table of what it read (url, title, date, department, column,
body length, problems) and a list of what it could not read, with the reasons.
Nothing is stored.

A list page that gives no article link is shown with its *near misses*: links
that look like articles but that ``article_pattern`` does not take, decoded as a
person reads them. A value that looks wrong is a problem, not ``ok``: a column or
department that is a date, an e-mail address, a URL, a file name, a piece of a
sentence or too long to be a name; a body of a few characters, or one that is
mostly the site's footer (版权所有, 地址, 电话 …).

The exit status is 0 when every list page gave article links and every article
checked was read with a title, a date and a body and nothing that looks wrong;
1 otherwise (the table says why).
"""
from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from typing import TextIO

from indexer.article import Article, ExtractError
from indexer.charset import decode_html, is_html
from indexer.extract import extract
from indexer.fetch import Fetcher, FetchResult
from indexer.listpage import ListPage, near_misses, parse_list
from indexer.sites import SiteConfig

__all__ = ["check_site", "CheckRow"]

#: Problems that make the check fail; others (no department, no column) are shown
#: as notes: many real pages name no unit, and a column may come from the config.
_SERIOUS = ("fetch", "not-html", "extract", "no date", "empty body", "body too short", "body looks like",
            "column looks wrong", "department looks wrong")

#: How long a column name can be (characters); department names run longer (大数据学院团委).
COLUMN_MAX = 12
DEPARTMENT_MAX = 20
#: A body shorter than this (characters) is not an article's text.
BODY_MIN = 20

_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*日|^\d{4}$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"https?://|www\.|\.(?:com|cn|net|org|edu)(?:\.cn)?\b", re.I)
_FILE = re.compile(r"\.(?:s?html?|jsp|php|aspx?|pdf|docx?|xlsx?|pptx?|jpe?g|png|gif|zip|rar|txt)$", re.I)
_SENTENCE = re.compile(r"[，。；！？,;!?：:、“”\"]|^(?:的|了)|(?:的|了|吗|呢)$")
_FOOTER = ("版权所有", "Copyright", "©", "ICP", "备案", "地址", "电话", "邮编", "邮政编码", "传真",
           "技术支持", "投稿", "新闻热线", "联系我们", "E-mail", "Email")
_STRONG_FOOTER = ("版权所有", "Copyright", "©", "ICP备", "网安备")


def name_problem(value: str, longest: int) -> str | None:
    """Why ``value`` cannot be a column's or a unit's name, or None."""
    v = " ".join(value.split())
    if _EMAIL.search(v):
        return "an e-mail address"
    if _URL.search(v):
        return "a URL"
    if _FILE.search(v):
        return "a file name"
    if _DATE.search(v):
        return "a date"
    if _SENTENCE.search(v):
        return "a piece of a sentence"
    if len(v) > longest:
        return f"{len(v)} characters, too long for a name"
    return None


def body_problem(body: str) -> str | None:
    """Why ``body`` is not an article's text, or None."""
    text = body.strip()
    if not text:
        return None
    if len(text) < BODY_MIN:
        return f"body too short ({len(text)} chars)"
    lines = [line for line in text.splitlines() if line.strip()]
    footer = sum(len(line) for line in lines if any(m in line for m in _FOOTER))
    if footer >= 0.5 * sum(len(line) for line in lines) and sum(m in text for m in _FOOTER) >= 2:
        marks = [m for m in _FOOTER if m in text][:3]
        return f"body looks like the site's footer ({', '.join(marks)})"
    strong = [m for m in _STRONG_FOOTER if m in text]
    if strong:
        return f"body looks like it holds the site's footer ({', '.join(strong)})"
    return None


@dataclass
class CheckRow:
    url: str
    article: Article | None = None
    redirect_to: str | None = None
    problems: list[str] = field(default_factory=list)
    reason: str | None = None  # why it could not be read at all

    @property
    def serious(self) -> bool:
        return self.reason is not None or any(p.startswith(_SERIOUS) for p in self.problems)


def _reason(res: FetchResult) -> str:
    code = res.error or f"http-{res.status}"
    return f"{code}: {res.error_detail}" if res.error_detail else code


def _check_article(url: str, fetcher: Fetcher, site: SiteConfig, list_title: str,
                   column_hint: str | None = None) -> CheckRow:
    row = CheckRow(url)
    res = fetcher.fetch(url)
    if not res.ok:
        row.reason = "fetch " + _reason(res)
        return row
    if not is_html(res.content_type, res.body):
        row.reason = f"not-html: the article URL answered {res.content_type or 'unknown content'}"
        return row
    try:
        article = extract(url, res.body, site, header_charset=res.charset, column_hint=column_hint)
    except ExtractError as exc:
        if exc.reason == "redirect":
            row.redirect_to = exc.target
            return row
        row.reason = f"extract {exc.reason}: {exc.message}"
        return row
    except Exception as exc:  # the crawler records it as extract-crash; say so here too
        row.reason = f"extract-crash: {type(exc).__name__}: {exc}"
        return row
    row.article = article
    if not article.published:
        row.problems.append("no date")
    if not article.body.strip():
        row.problems.append("no text (images or attachments only)" if article.images or article.attachments
                            else "empty body")
    elif body_problem(article.body):
        row.problems.append(body_problem(article.body) or "")
    elif len(article.body) < 40:
        row.problems.append(f"short body ({len(article.body)} chars)")
    if article.source:
        row.problems.append(f"reprinted from {article.source}")
    elif not article.department:
        row.problems.append("no department")
    elif name_problem(article.department, DEPARTMENT_MAX):
        row.problems.append(f"department looks wrong ({name_problem(article.department, DEPARTMENT_MAX)}):"
                            f" {article.department[:30]}")
    if not article.column:
        row.problems.append("no column")
    elif name_problem(article.column, COLUMN_MAX):
        row.problems.append(f"column looks wrong ({name_problem(article.column, COLUMN_MAX)}): "
                            f"{article.column[:30]}")
    short = list_title.rstrip(".…").strip()
    if short and short not in article.title and article.title not in list_title:
        row.problems.append(f"list title differs: {list_title[:30]}")
    return row


# ---------------------------------------------------------------------------
# printing
# ---------------------------------------------------------------------------

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    if _width(text) > width:
        out, w = "", 0
        for c in text:
            cw = _width(c)
            if w + cw > width - 1:
                break
            out, w = out + c, w + cw
        text = out + "…"
    return text + " " * (width - _width(text))


_COLUMNS = (("url", 44), ("title", 30), ("date", 10), ("department", 14), ("column", 10), ("body", 6),
            ("problems", 0))


def _print_table(rows: list[CheckRow], out: TextIO) -> None:
    def line(values: list[str]) -> str:
        return "  ".join(v if w == 0 else _fit(v, w) for v, (_, w) in zip(values, _COLUMNS)).rstrip()

    out.write(line([name for name, _ in _COLUMNS]) + "\n")
    out.write(line(["-" * (w or 8) for _, w in _COLUMNS]) + "\n")
    for r in rows:
        a = r.article
        if a is not None:
            values = [r.url, a.title, (a.published or "")[:10], a.department or "", a.column or "",
                      str(len(a.body)), "; ".join(r.problems) or "ok"]
        elif r.redirect_to:
            values = [r.url, "(a link to another page)", "", "", "", "", f"redirects to {r.redirect_to}"]
        else:
            values = [r.url, "", "", "", "", "", "could not read"]
        out.write(line(values) + "\n")


def check_site(site: SiteConfig, articles: int = 5, out: TextIO = sys.stdout,
               fetcher: Fetcher | None = None) -> int:
    """Fetch the first list page and its first ``articles`` articles; print what was
    read. Returns the exit status: 0 when everything was read, 1 otherwise."""
    own = fetcher is None
    fetcher = fetcher or Fetcher.for_site(site)
    try:
        return _check(site, max(0, int(articles)), out, fetcher)
    finally:
        if own:
            fetcher.close()


def _check_list(list_url: str, column: str | None, site: SiteConfig, fetcher: Fetcher,
                out: TextIO) -> tuple[ListPage | None, list[str]]:
    """Read one list page; print its line. Returns the page (None when it could not
    be read) and what is wrong with it."""
    res = fetcher.fetch(list_url)
    if not res.ok:
        out.write(f"list page {list_url}: could not fetch it ({_reason(res)})\n")
        return None, [f"{list_url}: could not fetch it ({_reason(res)}); check base_url and lists"]
    if not is_html(res.content_type, res.body):
        what = res.content_type or "unknown content"
        out.write(f"list page {list_url}: not an HTML page ({what})\n")
        return None, [f"{list_url}: not an HTML page ({what})"]
    text = decode_html(res.body, res.charset, site.encoding)[0]
    where = res.final_url or list_url
    try:
        page: ListPage = parse_list(where, text, site)
    except Exception as exc:  # the crawler records it as list-crash
        out.write(f"list page {list_url}: could not be read ({type(exc).__name__}: {exc})\n")
        return None, [f"{list_url}: list-crash: {type(exc).__name__}: {exc}"]
    shown = column or page.column
    out.write(f"list page {list_url}: {len(page.article_links)} article links"
              f", column {shown or '(none)'}" + (" (configured)" if column else "")
              + f", next page {page.next_page or '(none)'}"
              + (f", {page.total} items in all" if page.total is not None else "") + "\n")
    problems: list[str] = []
    if page.article_links:
        if shown and name_problem(shown, COLUMN_MAX):
            problems.append(f"{list_url}: the list's column looks wrong ({name_problem(shown, COLUMN_MAX)}): "
                            f"{shown[:30]}; name it in lists: {{ path = \"...\", column = \"...\" }}")
        return page, problems
    problems.append(f"{list_url}: no links matching the article pattern {site.article_pattern!r}; "
                    "check `lists`, or set article_pattern for this CMS")
    misses = near_misses(where, text, site)
    if misses:
        out.write("  links that look like articles but are not taken (near misses):\n")
        for url, note in misses:
            out.write(f"    {url}  ({note})\n")
        out.write("  if these are the articles, write an article_pattern (in single quotes) that matches them\n")
    return page, problems


def _take_in_turn(lists: list[tuple[ListPage, str | None]], n: int) -> list[tuple[str, str, str | None]]:
    """``n`` articles taken in turn from each list (url, list title, column hint)."""
    queues = [[(link.url, link.title, column or page.column) for link in page.article_links]
              for page, column in lists]
    taken: list[tuple[str, str, str | None]] = []
    seen: set[str] = set()
    while len(taken) < n and any(queues):
        for q in queues:
            while q and q[0][0] in seen:
                q.pop(0)
            if q and len(taken) < n:
                item = q.pop(0)
                seen.add(item[0])
                taken.append(item)
    return taken


def _check(site: SiteConfig, articles: int, out: TextIO, fetcher: Fetcher) -> int:
    out.write(f"site {site.id} ({site.name}), profile {site.profile}, {len(site.lists)} list(s)\n")
    read_lists: list[tuple[ListPage, str | None]] = []
    list_problems: list[str] = []
    for list_url, column in site.list_entries:
        page, problems = _check_list(list_url, column, site, fetcher, out)
        list_problems += problems
        if page is not None and page.article_links:
            read_lists.append((page, column))
    rows = [_check_article(url, fetcher, site, title, hint)
            for url, title, hint in _take_in_turn(read_lists, articles)]
    if rows:
        out.write("\n")
        _print_table(rows, out)
    unread = [r for r in rows if r.reason]
    if unread or list_problems:
        out.write("\ncould not read:\n")
        for text in list_problems:
            out.write(f"  {text}\n")
        for r in unread:
            out.write(f"  {r.url}: {r.reason}\n")
    if not read_lists:
        out.write("result: FAILED — no list page gave an article link\n")
        return 1
    bad = [r for r in rows if r.serious]
    read = sum(1 for r in rows if r.article is not None)
    links = sum(1 for r in rows if r.redirect_to)
    lists_bad = len(site.lists) - len(read_lists)
    out.write(f"\nresult: {'ok' if not bad and not list_problems else 'PROBLEMS'} — "
              f"{len(read_lists)}/{len(site.lists)} list(s) read, {read}/{len(rows)} articles read"
              + (f", {links} link page(s)" if links else "")
              + (f", {lists_bad} list(s) not read or without articles" if lists_bad else "")
              + (f", {len(bad)} with problems" if bad else "") + "\n")
    return 1 if bad or list_problems else 0
