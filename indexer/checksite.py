"""``news-indexer check-site CONFIG``: try a site configuration on its live site.

It fetches the first list page through the polite :class:`~indexer.fetch.Fetcher`
(robots.txt, delay, limits), reads it with :func:`~indexer.listpage.parse_list`,
fetches the first few articles and extracts each, then prints a table of what it
read (url, title, date, department, column, body length, problems) and a list of
what it could not read, with the reasons. Nothing is stored.

The exit status is 0 when the list page gave article links and every article
checked was read with a title, a date and a body; 1 otherwise (the table says why).
"""
from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass, field
from typing import TextIO

from indexer.article import Article, ExtractError
from indexer.charset import decode_html, is_html
from indexer.extract import extract
from indexer.fetch import Fetcher, FetchResult
from indexer.listpage import ListPage, parse_list
from indexer.sites import SiteConfig

__all__ = ["check_site", "CheckRow"]

#: Problems that make the check fail; others (no department, no column) are shown
#: as notes: many real pages name no unit, and a column may come from the config.
_SERIOUS = ("fetch", "not-html", "extract", "no date", "empty body")


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


def _check_article(url: str, fetcher: Fetcher, site: SiteConfig, list_title: str) -> CheckRow:
    row = CheckRow(url)
    res = fetcher.fetch(url)
    if not res.ok:
        row.reason = "fetch " + _reason(res)
        return row
    if not is_html(res.content_type, res.body):
        row.reason = f"not-html: the article URL answered {res.content_type or 'unknown content'}"
        return row
    try:
        article = extract(url, res.body, site, header_charset=res.charset)
    except ExtractError as exc:
        if exc.reason == "redirect":
            row.redirect_to = exc.target
            return row
        row.reason = f"extract {exc.reason}: {exc.message}"
        return row
    row.article = article
    if not article.published:
        row.problems.append("no date")
    if not article.body.strip():
        row.problems.append("no text (images or attachments only)" if article.images or article.attachments
                            else "empty body")
    elif len(article.body) < 40:
        row.problems.append(f"short body ({len(article.body)} chars)")
    if article.source:
        row.problems.append(f"reprinted from {article.source}")
    elif not article.department:
        row.problems.append("no department")
    if not article.column:
        row.problems.append("no column")
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


def _check(site: SiteConfig, articles: int, out: TextIO, fetcher: Fetcher) -> int:
    list_url = site.list_urls[0]
    out.write(f"site {site.id} ({site.name}), profile {site.profile}, {len(site.lists)} list(s)\n")
    res = fetcher.fetch(list_url)
    if not res.ok:
        out.write(f"list page {list_url}: could not fetch it ({_reason(res)})\n")
        out.write("result: FAILED — check base_url and lists in the configuration\n")
        return 1
    if not is_html(res.content_type, res.body):
        out.write(f"list page {list_url}: not an HTML page ({res.content_type or 'unknown content'})\n")
        out.write("result: FAILED\n")
        return 1
    text = decode_html(res.body, res.charset, site.encoding)[0]
    page: ListPage = parse_list(res.final_url or list_url, text, site)
    out.write(f"list page {list_url}: {len(page.article_links)} article links"
              f", column {page.column or '(none)'}"
              f", next page {page.next_page or '(none)'}"
              + (f", {page.total} items in all" if page.total is not None else "") + "\n")
    if not page.article_links:
        out.write("could not read:\n")
        out.write(f"  {list_url}: no links matching the article pattern {site.article_pattern!r}; "
                  "check `lists`, or set article_pattern for this CMS\n")
        out.write("result: FAILED\n")
        return 1
    rows = [_check_article(link.url, fetcher, site, link.title) for link in page.article_links[:articles]]
    out.write("\n")
    _print_table(rows, out)
    unread = [r for r in rows if r.reason]
    if unread:
        out.write("\ncould not read:\n")
        for r in unread:
            out.write(f"  {r.url}: {r.reason}\n")
    bad = [r for r in rows if r.serious]
    read = sum(1 for r in rows if r.article is not None)
    links = sum(1 for r in rows if r.redirect_to)
    out.write(f"\nresult: {'ok' if not bad else 'PROBLEMS'} — {read}/{len(rows)} articles read"
              + (f", {links} link page(s)" if links else "")
              + (f", {len(bad)} with problems" if bad else "") + "\n")
    return 1 if bad else 0
