"""What people search for, kept without personal data.

One small SQLite file (``DATA_DIR/queries.sqlite3``) holds, per normalised query
text and hour, how many times it was searched and how many results it last found.
Nothing else: no address, no user agent, no cookie, no exact time. Queries that
look like personal numbers (phone, ID card, student numbers) or e-mail addresses
are not kept at all.

It feeds ``news-web top-queries`` (what is popular, what finds nothing) and the
popular queries of ``/api/suggest``.
"""
from __future__ import annotations

import logging
import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "queries.sqlite3"
MAX_LOGGED_CHARS = 100
#: phone, ID card and student numbers; e-mail addresses
_PERSONAL = re.compile(r"\d{7,}|[^\s@]+@[^\s@]+\.[^\s@]+")

SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    query   TEXT NOT NULL,
    hour    TEXT NOT NULL,          -- UTC, truncated to the hour: 2024-05-01T08
    count   INTEGER NOT NULL,
    results INTEGER NOT NULL,       -- how many results the last of them found
    PRIMARY KEY (query, hour)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS searches_hour ON searches (hour);
"""


def normalise(text: str) -> str:
    """NFKC, lower case, single spaces: ``＂产教　融合＂`` and ``"产教 融合"`` are one query."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(text.split())[:MAX_LOGGED_CHARS]


def keepable(text: str) -> bool:
    return bool(text) and not _PERSONAL.search(text)


def _hour(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H")


@dataclass
class QueryStat:
    query: str
    searches: int
    results: int   # the latest result count


class QueryLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._ready = False
        self._lock = threading.Lock()

    def _conn(self, create: bool) -> sqlite3.Connection | None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if not create and not self.path.exists():
            return None
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=2.0, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 2000")
        with self._lock:
            if not self._ready:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.executescript(SCHEMA)
                self._ready = True
        self._local.conn = conn
        return conn

    def record(self, text: str, results: int, when: datetime | None = None) -> None:
        """Count one search. Never raises: the log must not take the search down."""
        query = normalise(text)
        if not keepable(query):
            return
        hour = _hour(when or datetime.now(timezone.utc))
        try:
            conn = self._conn(create=True)
            assert conn is not None
            conn.execute(
                "INSERT INTO searches (query, hour, count, results) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (query, hour) DO UPDATE SET count = count + 1, results = excluded.results",
                (query, hour, int(results)))
        except (sqlite3.Error, OSError) as exc:
            log.warning("query log %s: %s", self.path, exc)

    def top(self, days: int = 30, zero: bool = False, limit: int = 20,
            now: datetime | None = None) -> list[QueryStat]:
        """The most searched queries of the last ``days`` days; with ``zero``, only
        those whose latest search found nothing."""
        since = _hour((now or datetime.now(timezone.utc)) - timedelta(days=days))
        try:
            conn = self._conn(create=False)
            if conn is None:
                return []
            rows = conn.execute(
                "SELECT query, SUM(count), "
                "  (SELECT s2.results FROM searches s2 WHERE s2.query = s.query "
                "   ORDER BY s2.hour DESC LIMIT 1) AS latest "
                "FROM searches s WHERE hour >= ? GROUP BY query "
                + ("HAVING latest = 0 " if zero else "")
                + "ORDER BY SUM(count) DESC, query LIMIT ?", (since, limit)).fetchall()
        except sqlite3.Error as exc:
            log.warning("query log %s: %s", self.path, exc)
            return []
        return [QueryStat(q, int(n), int(r)) for q, n, r in rows]

    def popular(self, prefix: str, limit: int = 3, min_count: int = 3, days: int = 90,
                now: datetime | None = None) -> list[str]:
        """Queries that start with ``prefix``, searched at least ``min_count`` times in
        the last ``days`` days, whose latest search found something; most searched first."""
        start = normalise(prefix)
        if not start:
            return []
        since = _hour((now or datetime.now(timezone.utc)) - timedelta(days=days))
        try:
            conn = self._conn(create=False)
            if conn is None:
                return []
            # a range scan on the primary key, not a LIKE over the whole table
            rows = conn.execute(
                "SELECT query, SUM(count) AS n, "
                "  (SELECT s2.results FROM searches s2 WHERE s2.query = s.query "
                "   ORDER BY s2.hour DESC LIMIT 1) AS latest "
                "FROM searches s WHERE query >= ? AND query < ? AND hour >= ? "
                "GROUP BY query HAVING n >= ? AND latest > 0 ORDER BY n DESC, query LIMIT ?",
                (start, start + "\U0010ffff", since, min_count, limit)).fetchall()
        except sqlite3.Error as exc:
            log.warning("query log %s: %s", self.path, exc)
            return []
        return [q for q, _, _ in rows]

    def similar(self, text: str, min_count: int = 3, days: int = 90,
                now: datetime | None = None) -> str | None:
        """A popular query that found something and shares most of its characters
        with ``text``: the "did you mean" when a search finds nothing."""
        query = normalise(text)
        if len(query) < 2:
            return None
        since = _hour((now or datetime.now(timezone.utc)) - timedelta(days=days))
        try:
            conn = self._conn(create=False)
            if conn is None:
                return None
            rows = conn.execute(
                "SELECT query, SUM(count) AS n, "
                "  (SELECT s2.results FROM searches s2 WHERE s2.query = s.query "
                "   ORDER BY s2.hour DESC LIMIT 1) AS latest "
                "FROM searches s WHERE hour >= ? GROUP BY query "
                "HAVING n >= ? AND latest > 0 ORDER BY n DESC LIMIT 500",
                (since, min_count)).fetchall()
        except sqlite3.Error as exc:
            log.warning("query log %s: %s", self.path, exc)
            return None
        grams = _bigrams(query)
        best: tuple[float, int, str] | None = None
        for candidate, n, _ in rows:
            if candidate == query:
                continue
            other = _bigrams(candidate)
            score = len(grams & other) / len(grams | other) if grams | other else 0.0
            if score >= 0.5 and (best is None or (score, n) > best[:2]):
                best = (score, int(n), candidate)
        return best[2] if best else None

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _bigrams(text: str) -> set[str]:
    text = text.replace(" ", "")
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}
