"""The "did you mean" vocabulary on disk: one SQLite file beside each index generation.

The indexer writes ``vocabulary.sqlite`` when it commits (:func:`refresh`): every
term of the word and bigram fields that "did you mean" may offer, with its
document frequency, each Chinese term under its toneless pinyin. A server opens
it (:func:`open_lexicon`) and corrects its first typo at once: nothing is built
at start and nothing is held in memory but a small cache of lookups (the pages
SQLite reads are the operating system's, shared by every worker).

A rebuild reuses the pinyin of the terms the previous file already had, so only
new words go through pypinyin. A commit soon after the last build that changed
few articles keeps the file: a correction is checked against the index before
it is offered, so a vocabulary a few minutes old offers nothing wrong.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path

from indexer.didyoumean import PER_KEY, Entry, kind_of, sound_key
from indexer.documents import VOCABULARY_FIELDS

FILE = "vocabulary.sqlite"
FORMAT = 1
FIELDS = VOCABULARY_FIELDS
MIN_DF = 2
REFRESH_AGE = 600.0    # seconds: a commit this soon after the last build ...
REFRESH_SHARE = 0.01   # ... changing fewer than this share of the articles keeps the file
BATCH = 20_000

log = logging.getLogger(__name__)


@dataclass
class VocabularyStats:
    terms: int = 0          # Chinese terms, keyed by sound
    latin: int = 0          # Latin words (never replaced by pinyin)
    new_sounds: int = 0     # terms pypinyin had to read (the rest came from the last file)
    seconds: float = 0.0
    built: bool = False


def path(gen: Path) -> Path:
    return Path(gen) / FILE


def read_meta(gen: Path) -> dict:
    """What the vocabulary file of ``gen`` says of itself ({} if it has none)."""
    try:
        con = sqlite3.connect(f"file:{path(gen)}?mode=ro", uri=True)
        try:
            return dict(con.execute("SELECT name, value FROM meta"))
        finally:
            con.close()
    except sqlite3.Error:
        return {}


def due(gen: Path, docs: int, seq: int, now: float | None = None) -> bool:
    """Whether the file should be rebuilt for an index of ``docs`` articles at
    store sequence ``seq``: it is missing or of another format, or it is older
    than ``REFRESH_AGE`` and behind, or it misses more than ``REFRESH_SHARE`` of the changes."""
    meta = read_meta(gen)
    if not meta or meta.get("format") != FORMAT:
        return True
    behind = seq - int(meta.get("seq", 0))
    if behind <= 0 and int(meta.get("docs", -1)) == docs:
        return False
    age = (time.time() if now is None else now) - float(meta.get("built", 0))
    return age >= REFRESH_AGE or abs(behind) >= max(1.0, REFRESH_SHARE * max(docs, 1))


def refresh(gen: Path, snapshot, seq: int, force: bool = False) -> VocabularyStats:
    """Rebuild the vocabulary file of ``gen`` from an engine ``snapshot`` when it is
    :func:`due` (always with ``force``). A failure is logged and leaves the old
    file: a vocabulary never stops an index commit."""
    docs = int(snapshot.num_docs)
    if not force and not due(gen, docs, seq):
        return VocabularyStats()
    try:
        terms = (t for name in FIELDS for t in snapshot.terms(name))
        return build(gen, terms, docs=docs, seq=seq)
    except Exception:   # noqa: BLE001 - the index is committed; the next commit tries again
        log.exception("could not write the did-you-mean vocabulary of %s", gen)
        return VocabularyStats()


def build(gen: Path, terms: Iterable[tuple[str | bytes, int]], docs: int = 0, seq: int = 0) -> VocabularyStats:
    """Write ``gen``'s vocabulary file from ``(term, document frequency)`` pairs
    (the same term from several fields keeps its highest frequency), atomically."""
    t0 = time.perf_counter()
    gen = Path(gen)
    for stale in gen.glob(FILE + ".*.tmp"):   # a build killed half-way
        stale.unlink(missing_ok=True)
    tmp = gen / f"{FILE}.{os.getpid()}.tmp"
    con = sqlite3.connect(tmp)
    try:
        con.executescript("""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE sound (term TEXT PRIMARY KEY, key TEXT, df INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE latin (term TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE meta (name TEXT PRIMARY KEY, value) WITHOUT ROWID;
        """)
        _insert_terms(con, terms)
        new_sounds = _fill_sounds(con, path(gen))
        con.execute("CREATE INDEX by_key ON sound (key, df DESC, term)")
        stats = VocabularyStats(terms=con.execute("SELECT count(*) FROM sound").fetchone()[0],
                                latin=con.execute("SELECT count(*) FROM latin").fetchone()[0],
                                new_sounds=new_sounds, built=True)
        max_key = con.execute("SELECT coalesce(max(length(key)), 0) FROM sound").fetchone()[0]
        stats.seconds = time.perf_counter() - t0
        con.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("format", FORMAT), ("docs", docs), ("seq", seq), ("built", time.time()),
            ("terms", stats.terms), ("latin", stats.latin), ("max_key", max_key),
            ("seconds", round(stats.seconds, 3))])
        con.commit()
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path(gen))
    return stats


def _insert_terms(con: sqlite3.Connection, terms: Iterable[tuple[str | bytes, int]]) -> None:
    han_sql = ("INSERT INTO sound (term, df) VALUES (?, ?) "
               "ON CONFLICT (term) DO UPDATE SET df = max(df, excluded.df)")
    it = iter(terms)
    while True:
        chunk = list(islice(it, BATCH))
        if not chunk:
            return
        han, latin = [], []
        for term, df in chunk:
            if isinstance(term, bytes):
                term = term.decode("utf-8", "replace")
            kind = kind_of(term, int(df), MIN_DF)
            if kind == "han":
                han.append((term, int(df)))
            elif kind == "latin":
                latin.append((term.lower(),))
        con.executemany(han_sql, han)
        con.executemany("INSERT OR IGNORE INTO latin VALUES (?)", latin)


def _fill_sounds(con: sqlite3.Connection, previous: Path) -> int:
    """Key every term by its sound, taking what the previous file already read;
    returns how many terms pypinyin had to read."""
    if previous.exists():
        try:
            con.execute("ATTACH DATABASE ? AS old", (f"file:{previous}?mode=ro",))
            con.execute("UPDATE sound SET key = (SELECT o.key FROM old.sound o WHERE o.term = sound.term)")
            con.commit()
            con.execute("DETACH DATABASE old")
        except sqlite3.Error as exc:   # an unreadable old file: read every sound again
            log.warning("the previous vocabulary of %s is unreadable (%s): rebuilding it whole",
                        previous.parent, exc)
    read = 0
    after = ""
    while True:
        rows = [r[0] for r in con.execute(
            "SELECT term FROM sound WHERE key IS NULL AND term > ? ORDER BY term LIMIT ?", (after, BATCH))]
        if not rows:
            return read
        con.executemany("UPDATE sound SET key = ? WHERE term = ?", [(sound_key(t), t) for t in rows])
        read += len(rows)
        after = rows[-1]


class DiskLexicon:
    """The lexicon of a vocabulary file, read through SQLite (thread-safe)."""

    def __init__(self, file: Path) -> None:
        self.file = Path(file)
        # immutable: the file is never changed in place, only replaced whole
        self._con = sqlite3.connect(f"file:{self.file}?mode=ro&immutable=1", uri=True,
                                    check_same_thread=False)
        self._lock = threading.Lock()
        meta = dict(self._con.execute("SELECT name, value FROM meta"))
        if meta.get("format") != FORMAT:
            self._con.close()
            raise ValueError(f"vocabulary format {meta.get('format')!r}, not {FORMAT}")
        self.meta = meta
        self.max_key = int(meta.get("max_key", 0))
        self._terms = int(meta.get("terms", 0))
        self.entries = lru_cache(maxsize=1 << 15)(self._entries)
        self.frequency = lru_cache(maxsize=1 << 14)(self._frequency)

    def _query(self, sql: str, args: tuple) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, args).fetchall()

    def _entries(self, key: str) -> Sequence[Entry]:
        rows = self._query("SELECT term, df FROM sound WHERE key = ? ORDER BY df DESC, term LIMIT ?",
                           (key, PER_KEY))
        return tuple(Entry(t, d) for t, d in rows)

    def _frequency(self, term: str) -> int:
        rows = self._query("SELECT df FROM sound WHERE term = ?", (term,))
        return rows[0][0] if rows else 0

    def is_latin(self, term: str) -> bool:
        return bool(self._query("SELECT 1 FROM latin WHERE term = ?", (term,)))

    def frequent(self, length: int, n: int) -> list[tuple[str, int]]:
        return self._query("SELECT term, df FROM sound WHERE length(term) = ? ORDER BY df DESC, term LIMIT ?",
                           (length, n))

    def __len__(self) -> int:
        return self._terms

    def close(self) -> None:
        with self._lock:
            self._con.close()


def stamp(gen: Path) -> tuple[int, int] | None:
    """What identifies the vocabulary file now in ``gen`` (None: there is none)."""
    try:
        st = path(gen).stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def open_lexicon(gen: Path) -> DiskLexicon | None:
    """The lexicon of ``gen``'s vocabulary file; None (logged) when it is
    missing, unreadable or of another format."""
    file = path(gen)
    if not file.exists():
        return None
    try:
        return DiskLexicon(file)
    except (sqlite3.Error, ValueError) as exc:
        log.warning("the did-you-mean vocabulary %s cannot be read (%s): `news-indexer reindex` rewrites it",
                    file, exc)
        return None
