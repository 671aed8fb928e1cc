"""The exact answers of a set of benchmark queries from one pass over the crawl
store: the reference ``bench/perf.py`` checks the engine against at sizes where
building SQLite FTS5's trigram table would take longer than the rest of the run
(16 minutes for a million articles, against about a minute for this pass).

For each query (a :class:`perf.Spec`): the ids of every article it matches, their
count, and the department and year facets as the engine defines them (each
ignoring its own filter). An article is what the index holds: a live row that
is not a repost (``canonical IS NULL``). A term matches as it does for FTS5 in
``perf.py``: a Chinese term (or one of its synonyms, unless quoted) verbatim in
the title or the body, a Latin/digit term as a whole word of the text as the
analysis cuts it (``perf.has_word``).

Every article's title and body go once through an Aho–Corasick automaton of all
the queries' terms (``pyahocorasick``, C): which terms each article holds is
known in one pass, whatever the number of queries.
"""
from __future__ import annotations

import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Sequence

import ahocorasick

from indexer.paths import store_path


@dataclass
class Answer:
    ids: set[str] = field(default_factory=set)
    department: Counter = field(default_factory=Counter)
    year: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return len(self.ids)

    def facets(self) -> dict[str, dict]:
        return {"department": dict(self.department), "year": dict(self.year)}


@dataclass
class _Query:
    alternatives: list[list[str]]      # per term: the texts any of which satisfies it (lowered)
    date_from: str | None
    date_before: str | None            # the day after ``date_to``: published < this
    depts: frozenset[str] | None


def _prepared(spec, alternatives: Callable) -> _Query:
    after = (date.fromisoformat(spec.date_to) + timedelta(days=1)).isoformat() if spec.date_to else None
    return _Query([[a.lower() for a in alternatives(spec, t)] for t in spec.terms], spec.date_from, after,
                  frozenset(spec.depts) if spec.depts else None)


def scan(data_dir: Path, specs: Sequence, alternatives: Callable, is_latin: Callable, has_word: Callable,
         article_id: Callable) -> dict:
    """``{"answers": [Answer per spec], "seconds", "articles"}`` for ``specs``.

    ``alternatives(spec, term)``, ``is_latin(text)`` and ``has_word(text, word)``
    are the benchmark's own rules for what a term matches, passed in so that this
    reference and the FTS5 one read a query the same way."""
    t0 = time.perf_counter()
    queries = [_prepared(s, alternatives) for s in specs]
    texts = sorted({a for q in queries for alts in q.alternatives for a in alts})
    automaton = ahocorasick.Automaton()
    for i, t in enumerate(texts):
        automaton.add_word(t, i)
    automaton.make_automaton()
    latin = [is_latin(t) for t in texts]
    answers = [Answer() for _ in specs]
    db = sqlite3.connect(f"file:{store_path(data_dir)}?mode=ro", uri=True)
    n = 0
    try:
        rows = db.execute("SELECT url, title, body, published, department FROM articles "
                          "WHERE removed_at IS NULL AND canonical IS NULL")
        for url, title, body, published, department in rows:
            n += 1
            title, body = title or "", body or ""
            # a Chinese term in the title or in the body, never across the two
            found = {i for _, i in automaton.iter(title.lower())} | {i for _, i in automaton.iter(body.lower())}
            if not found:
                continue
            have = {texts[i] for i in found if not latin[i] or has_word(title + "\n" + body, texts[i])}
            _add(queries, answers, have, article_id(url), published or "", department or None)
    finally:
        db.close()
    return {"answers": answers, "seconds": time.perf_counter() - t0, "articles": n}


def _add(queries: list[_Query], answers: list[Answer], have: set[str], aid: str, published: str,
         department: str | None) -> None:
    year = published[:4] or None
    for q, a in zip(queries, answers):
        if not all(any(x in have for x in alts) for alts in q.alternatives):
            continue
        in_date = ((q.date_from is None or published >= q.date_from)
                   and (q.date_before is None or published < q.date_before))
        in_dept = q.depts is None or department in q.depts
        if in_date and in_dept:
            a.ids.add(aid)
        if in_date:
            a.department[department] += 1
        if in_dept:
            a.year[year] += 1
