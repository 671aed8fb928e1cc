"""The crawl store: one SQLite file with raw pages, extracted articles and runs.

Every change to an article (new, edited, removed) takes the next value of a
store-wide sequence number, so the index can be brought up to date by reading
only what changed since the sequence number it last applied.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from indexer.article import Article

#: Reasons recorded in ``failures`` that are warnings, not failures: they count
#: toward no run's ``failed`` and no exit status. So is every reason that begins
#: with :data:`ATTACHMENT_WARNING` (an attachment that could not be fetched or read).
WARNING_REASONS = ("empty-list", "no-text")
ATTACHMENT_WARNING = "attachment-"

#: Version of the tables below; older stores are migrated forward on open.
STORE_VERSION = 4

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,              -- list | article | redirect | attachment
    status INTEGER,
    etag TEXT,
    last_modified TEXT,
    content_type TEXT,
    encoding TEXT,
    body BLOB,
    body_hash TEXT,
    fetched_at TEXT,
    error TEXT,
    error_detail TEXT,
    redirect_to TEXT
);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT,
    department TEXT,
    source TEXT,
    column_name TEXT,
    body TEXT NOT NULL,
    images TEXT NOT NULL DEFAULT '[]',
    attachments TEXT NOT NULL DEFAULT '[]',
    content_hash TEXT NOT NULL,
    fetched_at TEXT,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    removed_at TEXT,
    removed_by TEXT,                 -- site | operator
    removed_reason TEXT,
    seq INTEGER NOT NULL,
    fingerprint TEXT,                -- since 4: what reposts of one story share (Article.fingerprint)
    canonical TEXT,                  -- since 4: the URL of the story this row reposts, NULL for a story
    reposts INTEGER NOT NULL DEFAULT 0   -- since 4: how many live rows repost this one
);
CREATE INDEX IF NOT EXISTS articles_seq ON articles(seq);
CREATE INDEX IF NOT EXISTS articles_site ON articles(site);
CREATE INDEX IF NOT EXISTS articles_site_published ON articles(site, published);
CREATE INDEX IF NOT EXISTS articles_fingerprint ON articles(fingerprint);
CREATE INDEX IF NOT EXISTS articles_canonical ON articles(canonical);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    fetched INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    changed INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'running',   -- running | ok | partial | error | interrupted
    took_s REAL,                     -- since store version 2
    persistent INTEGER NOT NULL DEFAULT 0,    -- since 3: failures that had failed before, the same way
    empty_lists INTEGER NOT NULL DEFAULT 0,   -- since 3: configured list pages with no article link
    error TEXT                       -- since 3: why a run ended abnormally
);
CREATE TABLE IF NOT EXISTS failures (
    run_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS failures_run ON failures(run_id);
CREATE INDEX IF NOT EXISTS failures_url ON failures(url);
CREATE TABLE IF NOT EXISTS failing (  -- since 3: what fails now, one row a URL
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT,
    streak INTEGER NOT NULL,         -- runs in a row it failed with this reason
    first_run INTEGER NOT NULL,
    last_run INTEGER NOT NULL,
    last_at TEXT NOT NULL,
    warning INTEGER NOT NULL DEFAULT 0   -- 1: a warning (an empty list), not a failure
);
CREATE INDEX IF NOT EXISTS failing_site ON failing(site);
"""


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class StoreError(Exception):
    """The store cannot be opened or used; the message says why."""


@dataclass
class PageRecord:
    url: str
    site: str
    kind: str
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    encoding: str | None = None
    body: bytes | None = None
    fetched_at: str | None = None
    error: str | None = None
    error_detail: str | None = None
    redirect_to: str | None = None
    body_hash: str | None = None   # an attachment's: the SHA-1 of its bytes (which are not kept)


@dataclass
class Change:
    seq: int
    url: str
    article: Article | None   # None: removed


@dataclass
class RunCounts:
    fetched: int = 0
    new: int = 0
    changed: int = 0
    removed: int = 0
    failed: int = 0          # pages that failed, not counting persistent ones
    persistent: int = 0      # pages that failed the same way on several runs in a row
    empty_lists: int = 0     # configured list pages that gave no article link (a warning)
    skipped: int = 0         # persistent failures not retried this run
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # url, reason, detail


class Store:
    """The crawl store. One connection per instance; use from one thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the crawl store {self.path}: {exc}") from None
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a usable crawl store: {exc}") from None

    # -- schema -------------------------------------------------------------
    def _migrate(self) -> None:
        """Create the tables, or bring an older store forward one version at a
        time, in one transaction: nothing in it is lost or half-migrated."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            has_meta = self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
            row = self.db.execute("SELECT value FROM meta WHERE key='store_version'").fetchone() \
                if has_meta else None
            version = int(row[0]) if row else 0
            if version > STORE_VERSION:
                raise StoreError(f"{self.path} was made by a newer version (store version {version}, "
                                 f"this program knows {STORE_VERSION}); upgrade news-indexer")
            if 0 < version < 2:
                self.db.execute("ALTER TABLE runs ADD COLUMN took_s REAL")   # v2: runs record their time
            if 0 < version < 3:                                              # v3: persistent failures, warnings
                for column in ("persistent INTEGER NOT NULL DEFAULT 0", "empty_lists INTEGER NOT NULL DEFAULT 0",
                               "error TEXT"):
                    self.db.execute(f"ALTER TABLE runs ADD COLUMN {column}")
            if 0 < version < 4:                                              # v4: reposts merged
                for column in ("fingerprint TEXT", "canonical TEXT", "reposts INTEGER NOT NULL DEFAULT 0"):
                    self.db.execute(f"ALTER TABLE articles ADD COLUMN {column}")
            for statement in _SCHEMA.split(";"):                            # tables and indexes still missing
                if statement.strip():
                    self.db.execute(statement)
            if 0 < version < 4:
                self._fingerprint_all()
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('store_version', ?)", (str(STORE_VERSION),))
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('seq', '0')")
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    def _fingerprint_all(self) -> None:
        """Migration to v4: every stored article's fingerprint, then its reposts merged."""
        rows = self.db.execute("SELECT * FROM articles").fetchall()
        for row in rows:
            self.db.execute("UPDATE articles SET fingerprint=? WHERE url=?",
                            (_row_article(row).fingerprint, row["url"]))
        for (fp,) in self.db.execute("SELECT fingerprint FROM articles WHERE fingerprint IS NOT NULL "
                                     "GROUP BY fingerprint HAVING COUNT(*) > 1").fetchall():
            self._merge(fp)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _next_seq(self) -> int:
        self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='seq'")
        return int(self.db.execute("SELECT value FROM meta WHERE key='seq'").fetchone()[0])

    @property
    def seq(self) -> int:
        return int(self.db.execute("SELECT value FROM meta WHERE key='seq'").fetchone()[0])

    # -- pages --------------------------------------------------------------
    def get_page(self, url: str) -> PageRecord | None:
        row = self.db.execute("SELECT * FROM pages WHERE url=?", (url,)).fetchone()
        if row is None:
            return None
        return PageRecord(**{k: row[k] for k in row.keys()})

    def save_page(self, page: PageRecord) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO pages (url, site, kind, status, etag, last_modified, content_type,"
                " encoding, body, fetched_at, error, error_detail, redirect_to, body_hash)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (page.url, page.site, page.kind, page.status, page.etag, page.last_modified,
                 page.content_type, page.encoding, page.body, page.fetched_at or now_iso(),
                 page.error, page.error_detail, page.redirect_to, page.body_hash))

    # -- articles -----------------------------------------------------------
    def has_article(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE url=?", (url,)).fetchone() is not None

    def known_urls(self, urls: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            q = "SELECT url FROM articles WHERE url IN (%s)" % ",".join("?" * len(chunk))
            found.update(r[0] for r in self.db.execute(q, chunk))
        return found

    def upsert_article(self, article: Article) -> str:
        """Store an article; returns ``new``, ``changed``, ``unchanged`` or ``blocked``
        (an operator took it down, and it stays down). An article with the same
        text as one stored under another URL is stored as its repost: one story,
        with all its URLs and columns (see :meth:`_merge`)."""
        h = article.content_hash
        fp = article.fingerprint
        now = now_iso()
        with self.db:
            row = self.db.execute("SELECT content_hash, removed_at, removed_by, fingerprint FROM articles "
                                  "WHERE url=?", (article.url,)).fetchone()
            if row is not None and row["removed_by"] == "operator":
                return "blocked"
            if row is not None and row["content_hash"] == h and row["removed_at"] is None:
                return "unchanged"
            seq = self._next_seq()
            values = (article.site, article.title, article.published, article.department,
                      article.source, article.column, article.body,
                      json.dumps([i.__dict__ for i in article.images], ensure_ascii=False),
                      json.dumps([a.record() for a in article.attachments], ensure_ascii=False),
                      h, article.fetched_at or now, now, seq, fp)
            if row is None:
                self.db.execute(
                    "INSERT INTO articles (site, title, published, department, source, column_name, body,"
                    " images, attachments, content_hash, fetched_at, updated_at, seq, fingerprint, url,"
                    " first_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", values + (article.url, now))
                outcome = "new"
            else:
                self.db.execute(
                    "UPDATE articles SET site=?, title=?, published=?, department=?, source=?, column_name=?,"
                    " body=?, images=?, attachments=?, content_hash=?, fetched_at=?, updated_at=?, seq=?,"
                    " fingerprint=?, canonical=NULL, removed_at=NULL, removed_by=NULL, removed_reason=NULL"
                    " WHERE url=?", values + (article.url,))
                outcome = "changed"
            for old_fp in {fp, row["fingerprint"] if row is not None else None} - {None}:
                self._merge(old_fp)
            return outcome

    def remove_article(self, url: str, reason: str, by: str = "site") -> bool:
        """Mark an article removed (it leaves the index at the next sync; a story
        reposted elsewhere stays, under its other URLs). Returns False when there
        is no such article or it was already removed."""
        with self.db:
            row = self.db.execute("SELECT removed_at, removed_by, fingerprint FROM articles WHERE url=?",
                                  (url,)).fetchone()
            if row is None:
                return False
            if row["removed_at"] is not None and (row["removed_by"] == by or by == "site"):
                return False
            seq = self._next_seq()
            self.db.execute("UPDATE articles SET removed_at=?, removed_by=?, removed_reason=?, seq=?, "
                            "canonical=NULL, reposts=0 WHERE url=?", (now_iso(), by, reason, seq, url))
            if row["fingerprint"]:
                self._merge(row["fingerprint"])
            return True

    def _merge(self, fp: str) -> None:
        """Make the live articles sharing a fingerprint one story: the first stored
        is the story (``canonical`` NULL), the others point at it. Rows whose role
        changes, and the story whose set of reposts changes, take a new sequence
        number, so the index drops the reposts and shows the story with all its
        URLs and columns."""
        rows = self.db.execute(
            "SELECT url, canonical, reposts FROM articles WHERE fingerprint=? AND removed_at IS NULL "
            "ORDER BY first_seen, url", (fp,)).fetchall()
        if not rows:
            return
        head = rows[0]["url"]
        for i, r in enumerate(rows):
            canonical = None if i == 0 else head
            reposts = len(rows) - 1 if i == 0 else 0
            if r["canonical"] != canonical or r["reposts"] != reposts:
                self.db.execute("UPDATE articles SET canonical=?, reposts=?, seq=? WHERE url=?",
                                (canonical, reposts, self._next_seq(), r["url"]))

    def get_article(self, url: str) -> Article | None:
        """The article stored under ``url`` (a repost too), with the story's URLs
        and columns."""
        row = self.db.execute("SELECT * FROM articles WHERE url=? AND removed_at IS NULL", (url,)).fetchone()
        return self._story(row) if row else None

    def articles(self, site: str | None = None) -> Iterator[Article]:
        """Every story once (reposts are folded into it)."""
        q = "SELECT * FROM articles WHERE removed_at IS NULL AND canonical IS NULL"
        args: tuple = ()
        if site:
            q += " AND site=?"
            args = (site,)
        for row in self.db.execute(q + " ORDER BY url", args).fetchall():
            yield self._story(row)

    def count_articles(self, site: str | None = None) -> int:
        """Stories (an article reposted under several URLs counts once)."""
        q = "SELECT COUNT(*) FROM articles WHERE removed_at IS NULL AND canonical IS NULL"
        if site:
            return self.db.execute(q + " AND site=?", (site,)).fetchone()[0]
        return self.db.execute(q).fetchone()[0]

    def count_reposts(self, site: str | None = None) -> int:
        """Live URLs that repost a story stored under another URL."""
        q = "SELECT COUNT(*) FROM articles WHERE removed_at IS NULL AND canonical IS NOT NULL"
        if site:
            return self.db.execute(q + " AND site=?", (site,)).fetchone()[0]
        return self.db.execute(q).fetchone()[0]

    def changes_since(self, seq: int, batch: int = 1000) -> Iterator[Change]:
        """Every article whose state changed after ``seq``, oldest change first. A
        repost is a removal (of its URL's document): the story it reposts carries it."""
        last = seq
        while True:
            rows = self.db.execute("SELECT * FROM articles WHERE seq > ? ORDER BY seq LIMIT ?",
                                   (last, batch)).fetchall()
            if not rows:
                return
            for row in rows:
                last = row["seq"]
                live = row["removed_at"] is None and row["canonical"] is None
                yield Change(row["seq"], row["url"], self._story(row) if live else None)

    def _story(self, row: sqlite3.Row) -> Article:
        """The article of a row, with the URLs and columns of its story."""
        article = _row_article(row)
        head = row["canonical"] or row["url"]
        urls, columns = [head], []
        if row["canonical"] is not None or row["reposts"]:
            if row["canonical"] is not None:
                first = self.db.execute("SELECT column_name FROM articles WHERE url=?", (head,)).fetchone()
                columns.append(first[0] if first else None)
            else:
                columns.append(row["column_name"])
            for r in self.db.execute("SELECT url, column_name FROM articles WHERE canonical=? AND "
                                     "removed_at IS NULL ORDER BY first_seen, url", (head,)):
                urls.append(r["url"])
                columns.append(r["column_name"])
        else:
            columns.append(row["column_name"])
        if row["url"] != head:   # this page's own first
            urls.remove(row["url"])
            urls.insert(0, row["url"])
        article.urls = urls
        article.columns = list(dict.fromkeys(c for c in [article.column, *columns] if c))
        return article

    # -- runs ---------------------------------------------------------------
    def start_run(self, site: str) -> int:
        with self.db:
            cur = self.db.execute("INSERT INTO runs (site, started_at) VALUES (?, ?)", (site, now_iso()))
            return int(cur.lastrowid)

    def record_failure(self, run_id: int, url: str, reason: str, detail: str = "") -> None:
        with self.db:
            self.db.execute("INSERT INTO failures VALUES (?,?,?,?,?)", (run_id, url, reason, detail, now_iso()))

    def finish_run(self, run_id: int, counts: RunCounts, status: str, took_s: float | None = None,
                   error: str | None = None) -> None:
        with self.db:
            self.db.execute(
                "UPDATE runs SET finished_at=?, fetched=?, new=?, changed=?, removed=?, failed=?, status=?,"
                " took_s=?, persistent=?, empty_lists=?, error=? WHERE id=?",
                (now_iso(), counts.fetched, counts.new, counts.changed, counts.removed, counts.failed, status,
                 took_s, counts.persistent, counts.empty_lists, error, run_id))

    def recent_runs(self, limit: int = 10) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()

    # -- what fails now (see indexer/failures.py for the policy) -----------------
    def failing(self, site: str | None = None, urls: list[str] | None = None) -> list[sqlite3.Row]:
        """The rows of ``failing``: every URL whose last try failed (or warned)."""
        q, args = "SELECT * FROM failing WHERE 1=1", []
        if site:
            q += " AND site=?"
            args.append(site)
        if urls is None:
            return self.db.execute(q + " ORDER BY site, warning, streak DESC, url", args).fetchall()
        rows: list[sqlite3.Row] = []
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            rows += self.db.execute(q + " AND url IN (%s)" % ",".join("?" * len(chunk)), args + chunk).fetchall()
        return rows

    def set_failing(self, url: str, site: str, reason: str, detail: str, streak: int, first_run: int,
                    run_id: int, warning: bool = False) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO failing VALUES (?,?,?,?,?,?,?,?,?)",
                            (url, site, reason, detail, streak, first_run, run_id, now_iso(), int(warning)))

    def clear_failing(self, url: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM failing WHERE url=?", (url,))

    def failure_counts(self, site: str | None = None, warnings: bool = False) -> list[tuple[str, int]]:
        """Failures recorded in every run, by reason; ``warnings``: the warnings instead."""
        marks = ",".join("?" * len(WARNING_REASONS))
        q = ("SELECT f.reason, COUNT(*) FROM failures f JOIN runs r ON r.id=f.run_id WHERE "
             + ("" if warnings else "NOT ") + f"(f.reason IN ({marks}) OR f.reason LIKE ?)"
             + (" AND r.site=?" if site else "") + " GROUP BY f.reason ORDER BY 2 DESC, 1")
        args = (*WARNING_REASONS, ATTACHMENT_WARNING + "%", *((site,) if site else ()))
        return [(r[0], r[1]) for r in self.db.execute(q, args)]


def _row_article(row: sqlite3.Row) -> Article:
    return Article.from_dict({
        "url": row["url"], "site": row["site"], "title": row["title"], "body": row["body"],
        "published": row["published"], "department": row["department"], "source": row["source"],
        "column": row["column_name"], "images": json.loads(row["images"]),
        "attachments": json.loads(row["attachments"]), "fetched_at": row["fetched_at"],
    })
