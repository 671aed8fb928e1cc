"""The document frequencies of the fields "did you mean" draws from
(:data:`documents.VOCABULARY_FIELDS`), kept by this engine's writers in
``terms.sqlite`` beside the generation's ``opensearch.json``.

Lucene's term dictionary, which tantivy and Whoosh read directly, is not
readable through OpenSearch's API. The one way through the API, an aggregation
over the field's fielddata, loads every document's terms into the nodes' heap
(a million articles' bigrams are more than a small node's fielddata breaker
allows) and reads all of them again for each page of terms, so it does not
grow past a small index. The writers see every document's tokens anyway:

* a full build counts each record's distinct terms as it sends them and writes
  the file once the cluster has them all (the same counts as the term
  dictionary's);
* a commit takes away the terms of the versions it replaces or deletes (their
  stored text, read back from the cluster and cut again, as it was cut when
  written) and adds the new ones', in one transaction after the refresh.

A commit killed between its refresh and its transaction leaves its changes
uncounted until the next full build; did-you-mean checks every correction
against the index before offering it, so a count a few articles off offers
nothing wrong. An index without the file (built before it existed) is read
through the aggregation, as before.
"""
from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from indexer.analysis import gram_sequence
from indexer.documents import EMPTY, VOCABULARY_FIELDS, words_text

FILE = "terms.sqlite"
COUNTED = VOCABULARY_FIELDS
#: the stored fields the counted fields are cut from
SOURCES = tuple(dict.fromkeys(f[:-3] if f.endswith("_ng") else f for f in COUNTED))
BATCH = 50_000


def path(gen: Path) -> Path:
    return Path(gen) / FILE


def exists(gen: Path) -> bool:
    return path(gen).is_file()


def record_terms(rec: dict) -> dict[str, set[str]]:
    """The distinct terms of each counted field of a record (:func:`documents.tokenise`)."""
    return {f: set(rec[f].split()) for f in COUNTED}


def stored_terms(stored: dict) -> dict[str, set[str]]:
    """The same, cut again from a document's stored fields: what its record held."""
    out = {}
    for f in COUNTED:
        if f.endswith("_ng"):
            out[f] = set(gram_sequence(stored.get(f[:-3]) or "")) or {EMPTY}
        else:
            out[f] = set((words_text(stored.get(f) or "") or EMPTY).split())
    return out


class Tally:
    """Document frequencies being gathered: ``add`` and ``take`` a document's terms."""

    def __init__(self) -> None:
        self.counts = {f: Counter() for f in COUNTED}

    def add(self, terms: dict[str, set[str]]) -> None:
        for f, ts in terms.items():
            self.counts[f].update(ts)

    def take(self, terms: dict[str, set[str]]) -> None:
        for f, ts in terms.items():
            self.counts[f].subtract(ts)

    def rows(self) -> Iterator[tuple[str, str, int]]:
        for f, c in self.counts.items():
            for t, n in c.items():
                if n:
                    yield f, t, n


def _connect(file: Path) -> sqlite3.Connection:
    con = sqlite3.connect(file, timeout=60.0)
    con.execute("CREATE TABLE IF NOT EXISTS df (field TEXT, term TEXT, df INTEGER NOT NULL, "
                "PRIMARY KEY (field, term)) WITHOUT ROWID")
    return con


def _batches(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    batch = []
    for r in rows:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write(gen: Path, tally: Tally) -> None:
    """The file of a full build: ``tally``'s counts, replacing any earlier file at once."""
    final = path(gen)
    tmp = final.with_name(f"{FILE}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = _connect(tmp)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        for batch in _batches(sorted(tally.rows())):
            con.executemany("INSERT INTO df VALUES (?, ?, ?)", batch)
        con.commit()
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)


def apply(gen: Path, tally: Tally) -> None:
    """Add a commit's changes (``tally``: positive and negative counts) in one transaction."""
    con = _connect(path(gen))
    try:
        with con:
            for batch in _batches(tally.rows()):
                con.executemany("INSERT INTO df VALUES (?, ?, ?) ON CONFLICT (field, term) "
                                "DO UPDATE SET df = df + excluded.df", batch)
            con.execute("DELETE FROM df WHERE df <= 0")
    finally:
        con.close()


def terms(gen: Path, field: str) -> Iterator[tuple[str, int]]:
    """(term, document frequency) of every term of ``field``, in the terms' byte order."""
    con = sqlite3.connect(f"file:{path(gen)}?mode=ro", uri=True, timeout=60.0)
    try:
        yield from con.execute("SELECT term, df FROM df WHERE field = ? ORDER BY term", (field,))
    finally:
        con.close()
