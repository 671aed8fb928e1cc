"""The read side: parse a query, filter, rank, facet and highlight.

Every user clause must match verbatim: it becomes a phrase query over the
character-bigram fields, which finds every occurrence whatever jieba makes of
the words. jieba's words then add to the score (titles weigh more than bodies),
and recency breaks ties. Filters restrict; they never score.

This module and :mod:`indexer.index` / :mod:`indexer.schema` are the only ones
that know Whoosh; everything they return is a plain record of
:mod:`indexer.results`.
"""
from __future__ import annotations

import threading
import time
from datetime import date, datetime
from pathlib import Path

from whoosh import index as windex
from whoosh import query as wq
from whoosh import scoring, sorting
from whoosh.searching import Searcher

from indexer import highlight
from indexer.analysis import init_jieba, query_grams, query_words
from indexer.index import IndexVersionError, check_version, read_meta
from indexer.index import ENGINE_VERSION
from indexer.querylang import Clause, ParsedQuery, parse
from indexer.results import (MAX_PAGE_SIZE, MAX_QUERY_CHARS, MAX_RESULT_WINDOW, FacetValue, Hit,
                             IndexInfo, Query, SearchResults, StoredArticle)

TITLE_BOOST = 3.0
REFRESH_EVERY = 1.0  # seconds between checks for a newer index commit


class IndexMissing(Exception):
    """There is no usable index; the message says what to run."""


def _weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=0.75, K1=1.2)


class SearchEngine:
    """Opens the index once; each thread gets its own searcher, refreshed when
    the indexer commits or switches to a rebuilt generation."""

    def __init__(self, index_dir: Path | str) -> None:
        init_jieba()
        self.index_dir = Path(index_dir)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open()

    # -- opening and refreshing --------------------------------------------
    def _open(self) -> None:
        target = self.index_dir.resolve() if self.index_dir.exists() else None
        if target is None or not windex.exists_in(str(target)):
            raise IndexMissing(f"no search index at {self.index_dir}: run `news-indexer update` "
                               "(or `news-indexer reindex`) first")
        try:
            check_version(target)
        except IndexVersionError as exc:
            raise IndexMissing(str(exc)) from None
        self._target = target
        self._ix = windex.open_dir(str(target))
        self._checked = time.monotonic()

    def refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < REFRESH_EVERY:
            return
        with self._lock:
            self._checked = now
            target = self.index_dir.resolve()
            if target != self._target:
                try:
                    self._open()
                except IndexMissing:
                    pass  # keep serving the old generation

    def _searcher(self) -> Searcher:
        s: Searcher | None = getattr(self._local, "searcher", None)
        ix = self._ix
        if s is None or getattr(self._local, "ix", None) is not ix:
            if s is not None:
                s.close()
            s = ix.searcher(weighting=_weighting())
            self._local.searcher, self._local.ix = s, ix
            self._local.checked = time.monotonic()
        elif time.monotonic() - getattr(self._local, "checked", 0) >= REFRESH_EVERY:
            s = s.refresh()
            self._local.searcher = s
            self._local.checked = time.monotonic()
        return s

    def close(self) -> None:
        s = getattr(self._local, "searcher", None)
        if s is not None:
            s.close()
        self._ix.close()

    # -- reading ------------------------------------------------------------
    def info(self) -> IndexInfo:
        meta = read_meta(self._target)
        return IndexInfo(articles=self._searcher().doc_count(), last_commit=meta.get("last_commit"),
                         version=ENGINE_VERSION)

    def get(self, article_id: str) -> StoredArticle | None:
        fields = self._searcher().document(id=article_id)
        return _stored(fields) if fields else None

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Articles most like this one (by the words of its title and body)."""
        searcher = self._searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return []
        fields = searcher.stored_fields(docnum)
        words = query_words(fields.get("title", "") + " " + fields.get("body", "")[:2000])
        terms = [w for w in words if len(w) > 1][:40]
        if not terms:
            return []
        q = wq.Or([wq.Term("title", w, boost=TITLE_BOOST) for w in terms] + [wq.Term("body", w) for w in terms])
        q = wq.AndNot(q, wq.Term("id", article_id))
        return [_hit(r.fields(), r.score, []) for r in searcher.search(q, limit=limit)]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Titles that contain what the reader has typed so far, newest first."""
        parsed = parse(prefix[:MAX_QUERY_CHARS])
        if parsed.empty:
            return []
        q = wq.And([_group(group, True) for group in parsed.groups])
        res = self._searcher().search(q, limit=limit, sortedby=_date_facet())
        return list(dict.fromkeys(r["title"] for r in res))

    def search(self, query: Query) -> SearchResults:
        t0 = time.perf_counter()
        text = query.text or ""
        truncated = len(text) > MAX_QUERY_CHARS
        parsed = parse(text[:MAX_QUERY_CHARS])
        size = max(1, min(query.size, MAX_PAGE_SIZE))
        page = max(1, min(query.page, MAX_RESULT_WINDOW // size))
        searcher = self._searcher()
        if parsed.empty and text.strip():
            # the user typed only what cannot be searched (punctuation, emoji)
            return SearchResults(query, 0, [], {"department": [], "year": []},
                                 _ms(t0), truncated_query=truncated)
        positive = _positive(parsed, query.title_only)
        partial = False
        q = _with_bonus(positive, parsed, query.title_only)
        filters = _filters(query)
        sortedby = _sort(query, parsed)
        results = searcher.search_page(q, page, pagelen=size, filter=_and(filters.values()),
                                       sortedby=sortedby, terms=False)
        total = results.total
        if total == 0 and len(parsed.groups) > 1:
            relaxed = _with_bonus(wq.Or([_group(g, query.title_only) for g in parsed.groups]),
                                  parsed, query.title_only)
            relaxed = _exclude(relaxed, parsed, query.title_only)
            results = searcher.search_page(relaxed, page, pagelen=size, filter=_and(filters.values()),
                                           sortedby=[sorting.ScoreFacet(), _date_facet()], terms=False)
            total, partial, q = results.total, results.total > 0, relaxed
        needles = parsed.needles()
        # Whoosh answers a page past the end with the last page: a reader asked for none
        past_end = (page - 1) * size >= total
        hits = [] if past_end else [_hit(r.fields(), r.score, needles) for r in results]
        facets = _facets(searcher, q, filters)
        return SearchResults(query, total, hits, facets, _ms(t0), truncated_query=truncated,
                             partial=partial)


# -- building engine queries -------------------------------------------------
def _clause_query(clause: Clause, title_only: bool) -> wq.Query:
    grams = query_grams(clause.text)
    fields = [("title_ng", TITLE_BOOST)] + ([] if (title_only or clause.title_only) else [("body_ng", 1.0)])
    parts = []
    for field, boost in fields:
        if len(grams) == 1:
            g = grams[0]
            if len(g) == 1 and "\u3400" <= g <= "\u9fff":
                parts.append(wq.Prefix(field, g, boost=boost))   # one Chinese character
            else:
                parts.append(wq.Term(field, g, boost=boost))
        else:
            parts.append(wq.Phrase(field, grams, slop=1, boost=boost))
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def _group(group: list[Clause], title_only: bool) -> wq.Query:
    qs = [_clause_query(c, title_only) for c in group]
    return qs[0] if len(qs) == 1 else wq.Or(qs)


def _exclude(q: wq.Query, parsed: ParsedQuery, title_only: bool) -> wq.Query:
    if not parsed.excludes:
        return q
    return wq.AndNot(q, wq.Or([_clause_query(c, c.title_only) for c in parsed.excludes]))


def _positive(parsed: ParsedQuery, title_only: bool) -> wq.Query:
    if not parsed.groups:
        base: wq.Query = wq.Every()
    else:
        groups = [_group(g, title_only) for g in parsed.groups]
        base = groups[0] if len(groups) == 1 else wq.And(groups)
    return _exclude(base, parsed, title_only)


def _with_bonus(required: wq.Query, parsed: ParsedQuery, title_only: bool) -> wq.Query:
    """Add jieba-word matches as optional scoring on top of the required clauses."""
    words: list[str] = []
    for group in parsed.groups:
        for c in group:
            words.extend(query_words(c.text))
    words = list(dict.fromkeys(w for w in words if w.strip()))
    if not words:
        return required
    bonus = [wq.Term("title", w, boost=TITLE_BOOST) for w in words]
    if not title_only:
        bonus += [wq.Term("body", w) for w in words]
    return wq.AndMaybe(required, wq.Or(bonus))


def _date_facet() -> sorting.FieldFacet:
    return sorting.FieldFacet("published", reverse=True)


def _sort(query: Query, parsed: ParsedQuery) -> list:
    if query.sort == "date" or parsed.empty:
        return [_date_facet()]
    return [sorting.ScoreFacet(), _date_facet()]


def _filters(query: Query) -> dict[str, wq.Query]:
    f: dict[str, wq.Query] = {}
    if query.date_from or query.date_to:
        start = datetime.combine(query.date_from, datetime.min.time()) if query.date_from else None
        end = (datetime.combine(query.date_to, datetime.max.time())) if query.date_to else None
        f["year"] = wq.DateRange("published", start, end)
    if query.departments:
        f["department"] = wq.Or([wq.Term("department", d) for d in query.departments])
    if query.columns:
        f["column"] = wq.Or([wq.Term("column", c) for c in query.columns])
    if query.sites:
        f["site"] = wq.Or([wq.Term("site", s) for s in query.sites])
    return f


def _and(qs) -> wq.Query | None:
    qs = list(qs)
    if not qs:
        return None
    return qs[0] if len(qs) == 1 else wq.And(qs)


FACETS = ("department", "year", "column", "site")


def _facets(searcher: Searcher, q: wq.Query, filters: dict[str, wq.Query]) -> dict[str, list[FacetValue]]:
    """Counts for each facet over the matches, ignoring that facet's own filter
    (so a reader sees what choosing another value would give). Facets whose own
    filter is not set share one pass."""
    passes: dict[str | None, list[str]] = {}
    for name in FACETS:
        passes.setdefault(name if name in filters else None, []).append(name)
    out: dict[str, list[FacetValue]] = {}
    for excluded, names in passes.items():
        flt = _and(v for k, v in filters.items() if k != excluded)
        res = searcher.search(q, filter=flt, limit=None, scored=False,
                              groupedby={n: sorting.FieldFacet(n, maptype=sorting.Count) for n in names})
        for n in names:
            out[n] = _facet_values(n, res.groups(n))
    return out


def _facet_values(name: str, counts: dict) -> list[FacetValue]:
    values = [FacetValue(value=(k or None), count=int(v)) for k, v in counts.items()]
    if name == "year":
        values.sort(key=lambda fv: fv.value or "", reverse=True)
    else:
        values.sort(key=lambda fv: (-fv.count, fv.value is None, fv.value or ""))
    return values


def _hit(fields: dict, score: object, needles: list[str]) -> Hit:
    if isinstance(score, tuple):  # a sort key when sorted by several facets
        score = next((x for x in score if isinstance(x, float)), 0.0)
    title = fields.get("title", "")
    body = fields.get("body", "")
    return Hit(
        id=fields["id"], url=fields["url"], site=fields.get("site", ""), title=title,
        title_html=highlight.highlight(title, needles),
        snippet_html=highlight.snippet(body, needles),
        published=fields.get("published_text"), department=fields.get("department") or None,
        column=fields.get("column") or None, source=fields.get("source"), score=float(score) if isinstance(score, (int, float)) else 0.0,
    )


def _stored(fields: dict) -> StoredArticle:
    return StoredArticle(
        id=fields["id"], url=fields["url"], site=fields.get("site", ""), title=fields.get("title", ""),
        body=fields.get("body", ""), published=fields.get("published_text"),
        department=fields.get("department") or None, column=fields.get("column") or None,
        source=fields.get("source"))


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


__all__ = ["SearchEngine", "IndexMissing", "Query", "SearchResults", "date"]
