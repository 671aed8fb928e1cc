"""Walking a site's list pages (and sitemap) to its articles, and storing them.

For each column the crawler starts at the list page, follows the CMS's "next
page" links and fetches every article it has not stored yet. On a site it has
crawled before, a list page that holds only stored articles ends the walk of
that column: college news is published newest first. Recently published
articles are re-fetched (with conditional GET) to notice edits and removals.

What counts as "known" for that stop: stored articles, article URLs stored as
links elsewhere (VSB's newsSkip pages, ``kind=redirect``), and URLs that failed
in an earlier run (they are tried again, but one broken article must not make
every run walk the whole column). A page robots.txt disallows is recorded once
per run with the reason ``robots`` and is not counted as a failure. The trap
guard: at most ``max_pages`` fetches per run, at most ``max_depth`` list pages
per column, and a list page seen once per walk.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit, urlunsplit

from indexer.article import ExtractError
from indexer.charset import is_html
from indexer.extract import extract
from indexer.fetch import Fetcher, FetchResult
from indexer.listpage import normalise_url, parse_list
from indexer.sites import SiteConfig
from indexer.store import PageRecord, RunCounts, Store, now_iso

log = logging.getLogger(__name__)

_LOC = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>", re.I)
_SITEMAP_INDEX = re.compile(rb"<sitemapindex[\s>]", re.I)
_MAX_SITEMAPS = 50


@dataclass
class CrawlReport:
    site: str
    run_id: int
    counts: RunCounts
    seconds: float
    status: str = "ok"
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        c = self.counts
        return (f"site={self.site} fetched={c.fetched} new={c.new} changed={c.changed} "
                f"removed={c.removed} failed={c.failed} took={self.seconds:.1f}s")


class Crawler:
    def __init__(self, site: SiteConfig, store: Store, fetcher: Fetcher | None = None,
                 progress: Callable[[str], None] | None = None) -> None:
        self.site = site
        self.store = store
        self.fetcher = fetcher or Fetcher.for_site(site)
        self.progress = progress or (lambda event: None)
        self.counts = RunCounts()
        self.pages = 0
        self.seen: set[str] = set()
        self.robots_noted: set[str] = set()
        self.run_id = 0

    # -- the run ------------------------------------------------------------
    def run(self) -> CrawlReport:
        t0 = time.monotonic()
        self.run_id = self.store.start_run(self.site.id)
        incremental = self.store.count_articles(self.site.id) > 0
        status = "ok"
        try:
            for list_url in self.site.list_urls:
                self._walk_column(list_url, incremental)
            if self.site.sitemap_url:
                self._sitemap(self.site.sitemap_url)
            if incremental:
                self._recheck_recent()
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            if status == "ok" and self.counts.failed:
                status = "partial"
            self.store.finish_run(self.run_id, self.counts, status)
        return CrawlReport(self.site.id, self.run_id, self.counts, time.monotonic() - t0, status)

    def _budget_left(self) -> bool:
        return self.pages < self.site.max_pages

    def _fetch(self, url: str, kind: str, conditional: bool = True) -> tuple[FetchResult, PageRecord | None]:
        prev = self.store.get_page(url)
        cond = conditional and prev is not None and prev.error is None
        res = self.fetcher.fetch(url, etag=prev.etag if cond else None,
                                 last_modified=prev.last_modified if cond else None)
        self.pages += 1
        if res.error != "robots":
            self.counts.fetched += 1
        self.progress(kind)
        return res, prev

    def _fail(self, url: str, reason: str, detail: str) -> None:
        if reason == "robots":
            self._note_robots(url, detail)
            return
        self.counts.failed += 1
        self.counts.failures.append((url, reason, detail))
        self.store.record_failure(self.run_id, url, reason, detail)
        log.warning("%s: %s (%s)", url, reason, detail)

    def _note_robots(self, url: str, detail: str) -> None:
        """A page robots.txt disallows is the site's wish, not a failure: it is
        recorded (once per run) with the reason ``robots`` and not counted."""
        if url in self.robots_noted:
            return
        self.robots_noted.add(url)
        self.store.record_failure(self.run_id, url, "robots", detail)
        log.info("%s: disallowed by robots.txt", url)

    # -- list pages ---------------------------------------------------------
    def _walk_column(self, start: str, incremental: bool) -> None:
        url: str | None = normalise_url(start)
        depth = 0
        visited: set[str] = set()
        while url and url not in visited and depth < self.site.max_depth and self._budget_left():
            visited.add(url)
            res, prev = self._fetch(url, "list")
            if res.not_modified and prev is not None and prev.body is not None:
                body, charset = prev.body, prev.encoding
            elif res.ok and not res.not_modified:
                body, charset = res.body, res.charset
                self.store.save_page(PageRecord(
                    url=url, site=self.site.id, kind="list", status=res.status, etag=res.etag,
                    last_modified=res.last_modified, content_type=res.content_type, encoding=res.charset,
                    body=res.body, fetched_at=now_iso()))
            else:
                self._fail(url, res.error or f"http-{res.status}", res.error_detail or "")
                return
            try:
                where = normalise_url(res.final_url or url)  # relative links resolve against the page read
                page = parse_list(where, body if charset is None else _decode(body, charset, self.site), self.site)
            except Exception as exc:  # a list page we cannot read must not end the run
                self._fail(url, "bad-list-page", str(exc))
                return
            links = list(dict.fromkeys(normalise_url(link.url) for link in page.article_links))
            known = self.store.known_urls(links) | self._known_links(links)
            fresh = [u for u in links if u not in known and u not in self.seen]
            failed_before = self._failed_before(fresh) if incremental else set()
            for article_url in fresh:
                if not self._budget_left():
                    return
                self._article(article_url)
            if incremental and all(u in failed_before for u in fresh):
                # only stored articles (and links, and pages that failed before and
                # were tried again): the rest of the column is known
                log.info("%s holds only stored articles: column done", url)
                return
            url = normalise_url(page.next_page) if page.next_page else None
            depth += 1

    def _known_links(self, urls: list[str]) -> set[str]:
        """Article URLs stored as links to elsewhere (VSB's newsSkip pages)."""
        found: set[str] = set()
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            q = "SELECT url FROM pages WHERE kind='redirect' AND url IN (%s)" % ",".join("?" * len(chunk))
            found.update(r[0] for r in self.store.db.execute(q, chunk))
        return found

    def _failed_before(self, urls: list[str]) -> set[str]:
        """URLs that failed in an earlier run of this site: tried again, but they do
        not keep an incremental walk going (a broken article would otherwise make
        every run walk the whole column)."""
        found: set[str] = set()
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            q = ("SELECT DISTINCT f.url FROM failures f JOIN runs r ON r.id=f.run_id WHERE r.site=? AND "
                 "f.run_id<>? AND f.url IN (%s)" % ",".join("?" * len(chunk)))
            found.update(r[0] for r in self.store.db.execute(q, [self.site.id, self.run_id, *chunk]))
        return found

    def _sitemap(self, url: str, depth: int = 0) -> None:
        """Articles named by a sitemap; a sitemap index names sitemaps (followed one
        level down, at most ``_MAX_SITEMAPS`` of them)."""
        res, _ = self._fetch(url, "sitemap")
        if not res.ok:
            if res.status != 404:
                self._fail(url, res.error or f"http-{res.status}", res.error_detail or "")
            return
        locs = [self._rebase(normalise_url(m.decode("utf-8", "replace"))) for m in _LOC.findall(res.body)]
        if _SITEMAP_INDEX.search(res.body[:2048]):
            if depth >= 1:
                self._fail(url, "bad-sitemap", "a sitemap index names another sitemap index")
                return
            for child in [u for u in locs if self.site.is_allowed_host(u)][:_MAX_SITEMAPS]:
                if not self._budget_left():
                    return
                self._sitemap(child, depth + 1)
            return
        locs = [u for u in locs if self.site.is_allowed_host(u) and self.site.is_article_url(u)]
        known = self.store.known_urls(locs)
        for u in locs:
            if u in known or u in self.seen:
                continue
            if not self._budget_left():
                return
            self._article(u)

    def _rebase(self, url: str) -> str:
        """Sitemaps name the site's public address. When the site is served from
        another loopback address (the demo site, a test server), keep the path."""
        parts, base = urlsplit(url), urlsplit(self.site.base_url)
        loopback = ("127.0.0.1", "localhost", "::1")
        if parts.netloc != base.netloc and parts.hostname in loopback and base.hostname in loopback:
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
        return url

    def _recheck_recent(self) -> None:
        """Re-fetch articles published in the last ``recheck_days`` days."""
        if self.site.recheck_days <= 0:
            return
        since = (date.today() - timedelta(days=self.site.recheck_days)).isoformat()
        rows = self.store.db.execute(
            "SELECT url FROM articles WHERE site=? AND removed_at IS NULL AND published >= ?",
            (self.site.id, since)).fetchall()
        for (u,) in rows:
            if u in self.seen or not self._budget_left():
                continue
            self._article(u)

    # -- articles -----------------------------------------------------------
    def _article(self, url: str) -> None:
        self.seen.add(url)
        # conditional only for a stored article: a 304 for a page never read into
        # an article (it failed, or the store lost it) would leave it unread for good
        res, _ = self._fetch(url, "article", conditional=self.store.get_article(url) is not None)
        if res.not_modified:
            return
        if res.status in (404, 410):
            if self.store.remove_article(url, f"http-{res.status}"):
                self.counts.removed += 1
            return
        if not res.ok:
            self._fail(url, res.error or f"http-{res.status}", res.error_detail or "")
            return
        if not is_html(res.content_type, res.body):
            self._fail(url, "not-html", f"the article URL answered {res.content_type or 'unknown content'}")
            return
        page = PageRecord(url=url, site=self.site.id, kind="article", status=res.status, etag=res.etag,
                          last_modified=res.last_modified, content_type=res.content_type,
                          encoding=res.charset, body=res.body, fetched_at=now_iso())
        try:
            article = extract(url, res.body, self.site, header_charset=res.charset)
        except ExtractError as exc:
            if exc.reason == "redirect":
                page.kind, page.redirect_to = "redirect", exc.target
                self.store.save_page(page)
                return
            page.error, page.error_detail = exc.reason, exc.message
            self.store.save_page(page)
            self._fail(url, exc.reason, exc.message)
            return
        article.fetched_at = page.fetched_at
        outcome = self.store.upsert_article(article)
        self.store.save_page(page)
        if outcome == "new":
            self.counts.new += 1
        elif outcome == "changed":
            self.counts.changed += 1


def _decode(body: bytes, charset: str, site: SiteConfig) -> str:
    from indexer.charset import decode_html
    return decode_html(body, charset, site.encoding)[0]
