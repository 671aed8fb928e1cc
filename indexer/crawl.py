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

Nothing a page holds ends the run: whatever a page makes the list reader or the
extractor raise is recorded as that page's failure (``list-crash``,
``extract-crash``, with the exception) and the run goes on. A run that ends
abnormally all the same is recorded as ``error`` (or ``interrupted``), never
``ok``. An article URL that answers 404/410 before it was ever stored is a failure
(``http-404``); a configured list page with no article link is a warning
(``empty-list``). Pages failing the same way run after run become persistent
(:mod:`indexer.failures`): retried once a day, no longer counted as failed.

An article is read with the column of the list it was found on as a hint (the
``lists`` entry's ``column``, else the list page's own column name), used when
the article page names no column.
"""
from __future__ import annotations

import logging
import re
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit, urlunsplit

from indexer.article import ExtractError
from indexer.attachfetch import read_attachments
from indexer.charset import is_html
from indexer.extract import extract
from indexer.failures import FailureBook
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
    status: str = "ok"     # ok | partial (some pages failed) | error (the run stopped) | interrupted
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        c = self.counts
        line = (f"site={self.site} fetched={c.fetched} new={c.new} changed={c.changed} "
                f"removed={c.removed} failed={c.failed} persistent={c.persistent} "
                f"empty_lists={c.empty_lists} took={self.seconds:.1f}s")
        return line + (f" status={self.status}" if self.status not in ("ok", "partial") else "")


class Interrupted(KeyboardInterrupt):
    """The command line asked a crawl in another thread to stop (Ctrl-C)."""


def crash(exc: BaseException) -> str:
    """An exception as a one-line failure detail: its type, message and where it
    was raised (the innermost frame of this package, else the innermost one)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/indexer/" in f.filename.replace("\\", "/")]
    where = (ours or frames or [None])[-1]
    text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    if where is not None:
        name = where.filename.replace("\\", "/")
        name = name[name.rindex("/indexer/") + 1:] if "/indexer/" in name else name.rsplit("/", 1)[-1]
        text += f" (at {name}:{where.lineno})"
    return text[:500]


class Crawler:
    def __init__(self, site: SiteConfig, store: Store, fetcher: Fetcher | None = None,
                 progress: Callable[[str], None] | None = None,
                 stop: threading.Event | None = None) -> None:
        self.site = site
        self.store = store
        self.fetcher = fetcher
        self.progress = progress or (lambda event: None)
        self.stop = stop
        self.counts = RunCounts()
        self.pages = 0
        self.seen: set[str] = set()
        self.robots_noted: set[str] = set()
        self.run_id = 0
        self.book: FailureBook | None = None

    # -- the run ------------------------------------------------------------
    def run(self) -> CrawlReport:
        """Crawl the site once. Never raises for what a site serves; a run that
        stops on an error anyway is recorded (status ``error``) and reported, and
        an interrupted one recorded (``interrupted``) before the interrupt goes on."""
        t0 = time.monotonic()
        self.run_id = self.store.start_run(self.site.id)
        status, error = "running", None
        own_fetcher = self.fetcher is None
        try:
            self.book = FailureBook(self.store, self.site.id, self.run_id)
            if self.fetcher is None:
                self.fetcher = Fetcher.for_site(self.site)
            incremental = self.store.count_articles(self.site.id) > 0
            for list_url, column in self.site.list_entries:
                self._walk_column(list_url, column, incremental)
            if self.site.sitemap_url:
                self._sitemap(self.site.sitemap_url)
            if incremental:
                self._recheck_recent()
            status = "partial" if self.counts.failed else "ok"
        except Exception as exc:
            status, error = "error", crash(exc)
            log.error("site %s: the crawl stopped with an error: %s", self.site.id, error)
            log.info("site %s: the error's traceback", self.site.id, exc_info=True)
        except BaseException:
            status = "interrupted"
            raise
        finally:
            if own_fetcher and self.fetcher is not None:
                self.fetcher.close()
            self._finish(status, error, time.monotonic() - t0)
        return CrawlReport(self.site.id, self.run_id, self.counts, time.monotonic() - t0, status, error)

    def _finish(self, status: str, error: str | None, took: float) -> None:
        try:
            self.store.finish_run(self.run_id, self.counts, status, took_s=round(took, 3), error=error)
        except Exception as exc:
            if status in ("ok", "partial"):
                raise
            log.error("site %s: could not record the end of run #%d (%s): %s", self.site.id, self.run_id,
                      status, crash(exc))

    def _budget_left(self) -> bool:
        return self.pages < self.site.max_pages

    def _fetch(self, url: str, kind: str, conditional: bool = True) -> tuple[FetchResult, PageRecord | None]:
        if self.stop is not None and self.stop.is_set():
            raise Interrupted()
        assert self.fetcher is not None
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
        """Record a page's failure; one that failed the same way on several runs in a
        row is persistent, and counted apart."""
        if reason == "robots":
            self._note_robots(url, detail)
            return
        assert self.book is not None
        row = self.book.failed(url, reason, detail)
        self.store.record_failure(self.run_id, url, reason, detail)
        if row.persistent:
            self.counts.persistent += 1
            log.info("%s: %s (%s), failing for %d runs in a row", url, reason, detail, row.streak)
            return
        self.counts.failed += 1
        self.counts.failures.append((url, reason, detail))
        log.warning("%s: %s (%s)", url, reason, detail)

    def _read(self, url: str) -> None:
        """``url`` was read: a failure it had is over."""
        assert self.book is not None
        self.book.succeeded(url)

    def _resting(self, url: str) -> bool:
        """A persistent failure left alone this run (retried once a day)."""
        assert self.book is not None
        if self.book.resting(url):
            self.counts.skipped += 1
            log.info("%s: a persistent failure, not retried in this run", url)
            return True
        return False

    def _empty_list(self, url: str) -> None:
        """A configured list page with no article link: a warning, not a failure."""
        assert self.book is not None
        detail = (f"no link matches the article pattern {self.site.article_pattern!r}; "
                  f"check the list's path, or set article_pattern (news-indexer check-site shows the links)")
        self.counts.empty_lists += 1
        self.book.failed(url, "empty-list", detail, warning=True)
        self.store.record_failure(self.run_id, url, "empty-list", detail)
        log.warning("%s: empty-list (%s)", url, detail)

    def _note_robots(self, url: str, detail: str) -> None:
        """A page robots.txt disallows is the site's wish, not a failure: it is
        recorded (once per run) with the reason ``robots`` and not counted."""
        if url in self.robots_noted:
            return
        self.robots_noted.add(url)
        self.store.record_failure(self.run_id, url, "robots", detail)
        log.info("%s: disallowed by robots.txt", url)

    # -- list pages ---------------------------------------------------------
    def _walk_column(self, start: str, column: str | None, incremental: bool) -> None:
        """Walk one column from its configured list page; ``column`` is the one the
        configuration names for it, if any."""
        url: str | None = normalise_url(start)
        depth = 0
        visited: set[str] = set()
        if url and self._resting(url):
            return
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
                self._fail(url, "list-crash", crash(exc))
                return
            if depth == 0 and not page.article_links:
                self._empty_list(url)   # a warning; its next page (if any) is still followed
            else:
                self._read(url)
            hint = column or page.column
            links = list(dict.fromkeys(normalise_url(link.url) for link in page.article_links))
            known = self.store.known_urls(links) | self._known_links(links)
            fresh = [u for u in links if u not in known and u not in self.seen]
            failed_before = self._failed_before(fresh) if incremental else set()
            for article_url in fresh:
                if not self._budget_left():
                    return
                self._article(article_url, hint)
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
        if self._resting(url):
            return
        res, _ = self._fetch(url, "sitemap")
        if not res.ok:
            if res.status != 404:
                self._fail(url, res.error or f"http-{res.status}", res.error_detail or "")
            return
        locs = [self._rebase(normalise_url(m.decode("utf-8", "replace"))) for m in _LOC.findall(res.body)]
        self._read(url)
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
        try:
            parts, base = urlsplit(url), urlsplit(self.site.base_url)
        except ValueError:
            return url   # malformed: the host check leaves it out
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
            "SELECT url, column_name FROM articles WHERE site=? AND removed_at IS NULL AND published >= ?",
            (self.site.id, since)).fetchall()
        for (u, column) in rows:
            if u in self.seen or not self._budget_left():
                continue
            self._article(u, column)   # its column as the hint: a column it got from its list stays

    # -- articles -----------------------------------------------------------
    def _article(self, url: str, column_hint: str | None = None) -> None:
        """Fetch, read and store one article; whatever goes wrong is its failure."""
        self.seen.add(url)
        if self._resting(url):
            return
        try:
            self._read_article(url, column_hint)
        except Exception as exc:   # a bug on one page is that page's failure, not the run's end
            self._fail(url, "crawl-crash", crash(exc))

    def _read_article(self, url: str, column_hint: str | None) -> None:
        # conditional only for a stored article: a 304 for a page never read into
        # an article (it failed, or the store lost it) would leave it unread for good
        res, _ = self._fetch(url, "article", conditional=self.store.get_article(url) is not None)
        if res.not_modified:
            self._read(url)
            return
        if res.status in (404, 410) and self.store.has_article(url):
            if self.store.remove_article(url, f"http-{res.status}"):
                self.counts.removed += 1
            self._read(url)   # gone from the site: a removal, not a failure
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
            article = extract(url, res.body, self.site, header_charset=res.charset, column_hint=column_hint)
        except ExtractError as exc:
            if exc.reason == "redirect":
                page.kind, page.redirect_to = "redirect", exc.target
                self.store.save_page(page)
                self._read(url)
                return
            page.error, page.error_detail = exc.reason, exc.message
            self.store.save_page(page)
            self._fail(url, exc.reason, exc.message)
            return
        except Exception as exc:   # the extractor must not raise anything else; when it does, say so
            page.error, page.error_detail = "extract-crash", crash(exc)
            self.store.save_page(page)
            self._fail(url, "extract-crash", page.error_detail)
            return
        article.fetched_at = page.fetched_at
        self._read(url)
        read_attachments(self, article)   # its documents' text; may warn under url (no-text), so after _read
        outcome = self.store.upsert_article(article)
        self.store.save_page(page)
        if outcome == "new":
            self.counts.new += 1
        elif outcome == "changed":
            self.counts.changed += 1


def _decode(body: bytes, charset: str, site: SiteConfig) -> str:
    from indexer.charset import decode_html
    return decode_html(body, charset, site.encoding)[0]
