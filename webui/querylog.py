"""What people search for, kept without personal data.

One small SQLite file (``DATA_DIR/queries.sqlite3``) holds, per normalised query
text and hour, how many times it was searched, by how many clients, and how many
results it last found. Nothing else: no address, no user agent, no cookie, no
exact time. Queries that look like personal numbers (phone, ID card, student
numbers) or e-mail addresses are not kept at all.

A *client* counts a query once a day: its key is an HMAC of the address and the
User-Agent under a salt drawn at random each day and held in memory only (never
written, so yesterday's keys cannot be recomputed or linked to today's); the keys
of the current day alone are kept, to tell a client's second search from
another client's first. (Each server process draws its own salt, and a restart
draws a new one: a client may then count twice that day.)

It feeds ``news-web top-queries`` (what is popular, what finds nothing), the
popular queries of ``/api/suggest``, the 热门搜索 of a search that finds nothing,
"did you mean" from what others searched, and 相关搜索 (:mod:`webui.related`,
which also asks what the readers of a query searched too that day): these need a
query searched by several clients (``min_clients``), so one reader repeating a
search puts nothing in front of others.

The file has a schema version (``PRAGMA user_version``); an older file is
migrated forward when it is opened.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "queries.sqlite3"
MAX_LOGGED_CHARS = 100
SCHEMA_VERSION = 2
#: bytes of the HMAC kept as a client's key
KEY_BYTES = 16
#: distinct queries a day beyond which a client key is many readers (or a robot),
#: not one reader: it feeds no 相关搜索
MAX_READER_QUERIES = 50
#: phone, ID card and student numbers; e-mail addresses
_PERSONAL = re.compile(r"\d{7,}|[^\s@]+@[^\s@]+\.[^\s@]+")

#: version 0 (the first) had ``searches`` without ``clients``, and no ``seen``;
#: version 1 no index of ``seen`` by client
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS searches (
        query   TEXT NOT NULL,
        hour    TEXT NOT NULL,          -- UTC, truncated to the hour: 2024-05-01T08
        count   INTEGER NOT NULL,
        results INTEGER NOT NULL,       -- how many results the last of them found
        clients INTEGER NOT NULL DEFAULT 0,  -- clients searching it for the first time that day
        PRIMARY KEY (query, hour)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS searches_hour ON searches (hour)",
    """CREATE TABLE IF NOT EXISTS seen (
        day    TEXT NOT NULL,           -- UTC: 2024-05-01; only the current day is kept
        query  TEXT NOT NULL,
        client BLOB NOT NULL,           -- HMAC under that day's salt, never the address
        PRIMARY KEY (day, query, client)
    ) WITHOUT ROWID""",
    # what else the readers of a query searched that day (related searches)
    "CREATE INDEX IF NOT EXISTS seen_client ON seen (day, client)",
)


def normalise(text: str) -> str:
    """NFKC, lower case, single spaces: ``＂产教　融合＂`` and ``"产教 融合"`` are one query."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(text.split())[:MAX_LOGGED_CHARS]


def keepable(text: str) -> bool:
    return bool(text) and not _PERSONAL.search(text)


def _hour(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H")


def _day(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d")


@dataclass
class QueryStat:
    query: str
    searches: int
    results: int   # the latest result count
    clients: int = 0   # clients that searched it, each counted once a day


#: the latest result count of a query, for the aggregates below
_LATEST = ("(SELECT s2.results FROM searches s2 WHERE s2.query = s.query "
           " ORDER BY s2.hour DESC LIMIT 1)")


class QueryLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._ready = False
        self._lock = threading.Lock()
        self._salt: tuple[str, bytes] | None = None   # (day, salt): memory only
        self._purged: str | None = None               # the day whose older keys are gone

    # -- opening, and the schema ------------------------------------------------------
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
        try:
            conn.execute("PRAGMA busy_timeout = 2000")
            # a count lost to a power cut is no loss; a disk flush in every search is
            conn.execute("PRAGMA synchronous = NORMAL")
            with self._lock:
                if not self._ready:
                    conn.execute("PRAGMA journal_mode = WAL")
                    migrate(conn)
                    self._ready = True
        except BaseException:
            conn.close()
            raise
        self._local.conn = conn
        return conn

    # -- clients --------------------------------------------------------------------
    def client_key(self, address: str | None, user_agent: str | None,
                   when: datetime | None = None) -> bytes:
        """The anonymous key of a client (its address and User-Agent) for the day of
        ``when``: an HMAC under that day's salt, which lives in this object only."""
        day = _day(when or datetime.now(timezone.utc))
        with self._lock:
            if self._salt is None or self._salt[0] != day:
                self._salt = (day, secrets.token_bytes(32))
            salt = self._salt[1]
        message = f"{address or ''}\n{user_agent or ''}".encode("utf-8", "replace")
        return hmac.new(salt, message, hashlib.sha256).digest()[:KEY_BYTES]

    # -- writing --------------------------------------------------------------------
    def record(self, text: str, results: int, when: datetime | None = None,
               client: bytes | None = None) -> None:
        """Count one search; with ``client`` (from :meth:`client_key`), count the
        client too if it has not searched this query yet today. Never raises: the
        log must not take the search down."""
        query = normalise(text)
        if not keepable(query):
            return
        moment = when or datetime.now(timezone.utc)
        hour, day = _hour(moment), _day(moment)
        try:
            conn = self._conn(create=True)
            assert conn is not None
            new_client = 0
            conn.execute("BEGIN IMMEDIATE")   # one transaction a search, both tables or neither
            try:
                if client:
                    if self._purged != day:
                        conn.execute("DELETE FROM seen WHERE day < ?", (day,))
                        self._purged = day
                    cur = conn.execute("INSERT OR IGNORE INTO seen (day, query, client) VALUES (?, ?, ?)",
                                       (day, query, bytes(client)))
                    new_client = cur.rowcount
                conn.execute(
                    "INSERT INTO searches (query, hour, count, results, clients) VALUES (?, ?, 1, ?, ?) "
                    "ON CONFLICT (query, hour) DO UPDATE SET count = count + 1, "
                    "results = excluded.results, clients = clients + excluded.clients",
                    (query, hour, int(results), new_client))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError) as exc:
            log.warning("query log %s: %s", self.path, exc)

    # -- reading --------------------------------------------------------------------
    def _rows(self, sql: str, args: tuple) -> list[tuple]:
        try:
            conn = self._conn(create=False)
            if conn is None:
                return []
            return conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            log.warning("query log %s: %s", self.path, exc)
            return []

    def top(self, days: int = 30, zero: bool = False, limit: int = 20,
            now: datetime | None = None) -> list[QueryStat]:
        """The most searched queries of the last ``days`` days; with ``zero``, only
        those whose latest search found nothing."""
        since = _hour((now or datetime.now(timezone.utc)) - timedelta(days=days))
        rows = self._rows(
            f"SELECT query, SUM(count), {_LATEST} AS latest, SUM(clients) "
            "FROM searches s WHERE hour >= ? GROUP BY query "
            + ("HAVING latest = 0 " if zero else "")
            + "ORDER BY SUM(count) DESC, query LIMIT ?", (since, limit))
        return [QueryStat(q, int(n), int(r), int(c)) for q, n, r, c in rows]

    def popular(self, prefix: str, limit: int = 3, min_count: int = 3, days: int = 90,
                now: datetime | None = None, min_clients: int = 1) -> list[str]:
        """Queries that start with ``prefix``, searched at least ``min_count`` times
        by at least ``min_clients`` clients in the last ``days`` days, whose latest
        search found something; most searched first."""
        start = normalise(prefix)
        if not start:
            return []
        since = _hour((now or datetime.now(timezone.utc)) - timedelta(days=days))
        # a range scan on the primary key, not a LIKE over the whole table
        rows = self._rows(
            f"SELECT query, SUM(count) AS n, {_LATEST} AS latest, SUM(clients) AS c "
            "FROM searches s WHERE query >= ? AND query < ? AND hour >= ? "
            "GROUP BY query HAVING n >= ? AND c >= ? AND latest > 0 "
            "ORDER BY c DESC, n DESC, query LIMIT ?",
            (start, start + "\U0010ffff", since, min_count, min_clients, limit))
        return [q for q, _, _, _ in rows]

    def trending(self, limit: int = 5, min_count: int = 3, days: int = 30,
                 now: datetime | None = None, min_clients: int = 1) -> list[str]:
        """热门搜索: the queries most clients searched in the last ``days`` days
        (as :meth:`popular`, whatever they start with)."""
        since = _hour((now or datetime.now(timezone.utc)) - timedelta(days=days))
        rows = self._rows(
            f"SELECT query, SUM(count) AS n, {_LATEST} AS latest, SUM(clients) AS c "
            "FROM searches s WHERE hour >= ? GROUP BY query "
            "HAVING n >= ? AND c >= ? AND latest > 0 ORDER BY c DESC, n DESC, query LIMIT ?",
            (since, min_count, min_clients, limit))
        return [q for q, _, _, _ in rows]

    def similar(self, text: str, min_count: int = 3, days: int = 90,
                now: datetime | None = None, min_clients: int = 1) -> str | None:
        """A popular query (as :meth:`popular`) that shares most of its characters
        with ``text``: the "did you mean" when a search finds nothing."""
        query = normalise(text)
        if len(query) < 2:
            return None
        since = _hour((now or datetime.now(timezone.utc)) - timedelta(days=days))
        rows = self._rows(
            f"SELECT query, SUM(count) AS n, {_LATEST} AS latest, SUM(clients) AS c "
            "FROM searches s WHERE hour >= ? GROUP BY query "
            "HAVING n >= ? AND c >= ? AND latest > 0 ORDER BY n DESC LIMIT 500",
            (since, min_count, min_clients))
        grams = _bigrams(query)
        best: tuple[float, int, str] | None = None
        for candidate, n, _, _ in rows:
            if candidate == query:
                continue
            other = _bigrams(candidate)
            score = len(grams & other) / len(grams | other) if grams | other else 0.0
            if score >= 0.5 and (best is None or (score, n) > best[:2]):
                best = (score, int(n), candidate)
        return best[2] if best else None

    def co_searched(self, text: str, limit: int = 8, min_count: int = 1, days: int = 90,
                    now: datetime | None = None, min_clients: int = 1) -> list[tuple[str, int]]:
        """The queries the clients who searched ``text`` today searched too, each with
        how many of those clients did (each once), at least ``min_clients``; the most
        shared first. Each is popular as :meth:`popular` has it (searched ``min_count``
        times by ``min_clients`` clients in the last ``days`` days, its latest search
        finding something). Only today's keys are kept, so only today is looked at.
        A key that searched more than ``MAX_READER_QUERIES`` queries today is not one
        reader (a campus behind one address, a crawler): what it searched is not
        "searched too", and reading it would cost every search a scan of its day."""
        query = normalise(text)
        if not keepable(query):
            return []
        moment = now or datetime.now(timezone.utc)
        since = _hour(moment - timedelta(days=days))
        rows = self._rows(
            "WITH readers AS MATERIALIZED (SELECT a.client FROM seen a WHERE a.day = ? AND a.query = ? "
            "  AND (SELECT COUNT(*) FROM (SELECT 1 FROM seen c WHERE c.day = a.day AND c.client = a.client "
            "       LIMIT ?)) <= ?), "
            "co AS MATERIALIZED (SELECT b.query AS query, COUNT(*) AS shared FROM readers r JOIN seen b "
            "  ON b.day = ? AND b.client = r.client AND b.query <> ? "
            "  GROUP BY b.query HAVING shared >= ?) "
            f"SELECT co.query, co.shared, {_LATEST} AS latest "
            "FROM co JOIN searches s ON s.query = co.query AND s.hour >= ? "
            "GROUP BY co.query HAVING SUM(s.count) >= ? AND SUM(s.clients) >= ? AND latest > 0 "
            "ORDER BY co.shared DESC, co.query LIMIT ?",
            (_day(moment), query, MAX_READER_QUERIES + 1, MAX_READER_QUERIES, _day(moment), query,
             min_clients, since, min_count, min_clients, limit))
        return [(q, int(c)) for q, c, _ in rows]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the file to :data:`SCHEMA_VERSION`, in one transaction (another process
    may be opening it too). A new file gets the whole schema; a version-0 file its
    ``clients`` column (0 for what was logged before: those searches name no client)
    and the ``seen`` table. A newer file is left alone."""
    if conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            conn.execute(SCHEMA[0])
            columns = {row[1] for row in conn.execute("PRAGMA table_info(searches)")}
            if "clients" not in columns:
                conn.execute("ALTER TABLE searches ADD COLUMN clients INTEGER NOT NULL DEFAULT 0")
            for statement in SCHEMA[1:]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _bigrams(text: str) -> set[str]:
    text = text.replace(" ", "")
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}
