"""The read side: parse a query, filter, rank, facet and highlight.

Every user clause must match verbatim: it becomes a phrase query over the
character-bigram fields, which finds every occurrence whatever jieba makes of
the words. jieba's words then add to the score (titles weigh more than bodies),
and recency breaks ties. Filters restrict; they never score.

A request evaluates its query once: every match with its score (or, sorted by
date, just the docnums), then filters, facets (each ignoring its own filter),
total and the page all come from that one set and the sortable columns, read
as plain lists once per index generation and shared by every thread.

This module and :mod:`indexer.index` / :mod:`indexer.schema` are the only ones
that know Whoosh; everything they return is a plain record of
:mod:`indexer.results`.
"""
from __future__ import annotations

import functools
import heapq
import logging
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage
from whoosh import query as wq
from whoosh import collectors, matching, scoring, sorting
from whoosh.matching import binary
from whoosh.query.spans import SpanWrappingMatcher
from whoosh.util import make_binary_tree
from whoosh.searching import Searcher

from indexer import highlight, proximity, synonyms, userdict
from indexer.didyoumean import DidYouMean
from indexer.analysis import init_jieba, normalise, query_grams, query_words, runs
from indexer.index import IndexVersionError, check_version, dictionary_note, read_meta
from indexer.index import ENGINE_VERSION
from indexer.schema import make_schema
from indexer.querylang import Clause, ParsedQuery, parse
from indexer.results import (MAX_PAGE_SIZE, MAX_QUERY_CHARS, MAX_RESULT_WINDOW, FacetValue, Hit,
                             IndexInfo, Query, SearchResults, StoredArticle)

TITLE_BOOST = 3.0
REFRESH_EVERY = 1.0  # seconds between checks for a newer index commit
SUGGEST_BELOW = 3    # "did you mean" is looked for when a query finds fewer articles
VOCAB_FIELDS = ("body", "body_ng")   # what "did you mean" draws its words from
VOCAB_MAX_AGE = 600.0  # seconds an index's vocabulary is reused across commits
DYM_WAIT = 2.0       # seconds a request waits for the first vocabulary of a generation


log = logging.getLogger(__name__)


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
        self._views: dict[tuple, _View] = {}
        self._segment_columns: dict[tuple, dict[str, list]] = {}
        self._dym: tuple[Path, float, DidYouMean] | None = None
        self._dym_thread: threading.Thread | None = None
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
        note = dictionary_note(target)
        if note:
            log.warning("%s", note)
        # Plain file reads, not mmap: with mmap every thread's searcher mapped the
        # whole index and the server's RSS grew to GBs (4.4 GB at 20k articles, 8
        # threads); without, it stays near 120 MB, for about 5 % of query time.
        self._ix = FileStorage(str(target), supports_mmap=False).open_index()
        self._checked = time.monotonic()

    def refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < REFRESH_EVERY:
            return
        with self._lock:
            self._checked = now
            userdict.reload_if_changed()   # an edited dictionary applies to queries at once
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
        searcher = self._searcher()
        view = self._view(searcher)
        pub = view.published
        docs = heapq.nsmallest(limit, searcher.docs_for_query(q), key=lambda d: (-pub[d], d))
        return list(dict.fromkeys(searcher.stored_fields(d)["title"] for d in docs))

    def search(self, query: Query) -> SearchResults:
        t0 = time.perf_counter()
        text = query.text or ""
        truncated = len(text) > MAX_QUERY_CHARS
        parsed = parse(text[:MAX_QUERY_CHARS])
        size = max(1, min(query.size, MAX_PAGE_SIZE))
        page = max(1, min(query.page, MAX_RESULT_WINDOW // size))
        if parsed.empty and text.strip():
            # the user typed only what cannot be searched (punctuation, emoji)
            return SearchResults(query, 0, [], {"department": [], "year": []},
                                 _ms(t0), truncated_query=truncated)
        searcher = self._searcher()
        view = self._view(searcher)
        filters = _Filters(query, view)
        by_date = query.sort == "date" or parsed.empty
        q = _with_bonus(_positive(parsed, query.title_only), parsed, query.title_only)
        matched = self._match(searcher, view, q, parsed, scored=not by_date)
        partial = False
        facets, final = filters.facets(matched, view, cache=parsed.empty)
        if not final and len(parsed.groups) > 1:
            relaxed = _with_bonus(wq.Or([_group(g, query.title_only) for g in parsed.groups]),
                                  parsed, query.title_only)
            relaxed = _exclude(relaxed, parsed, query.title_only)
            matched = self._match(searcher, view, relaxed, parsed, scored=True)
            facets, final = filters.facets(matched, view)
            partial, by_date = bool(final), False
        total = len(final)
        start = (page - 1) * size
        needles = _needles(parsed)
        hits: list[Hit] = []
        if start < total:
            pub = view.published
            stored: dict[int, dict] = {}   # docnum → stored fields, read once
            if by_date:
                if final is view.live:
                    order = view.by_date[start:start + size]
                else:
                    order = heapq.nsmallest(start + size, final, key=lambda d: (-pub[d], d))[start:]
                scores = None
            elif start < proximity.RERANK and len(parsed.groups) > 1 and not partial:
                scores, order = _near_first(searcher, parsed, final, matched, pub, start, size, stored)
            else:
                scores = matched
                order = heapq.nsmallest(start + size, final,
                                        key=lambda d: (-scores[d], -pub[d], d))[start:]
            for d in order:
                fields = stored.get(d) or searcher.stored_fields(d)
                hits.append(_hit(fields, scores[d] if scores is not None else 0.0, needles))
        suggestion = None
        if (total < SUGGEST_BELOW or partial) and not parsed.empty:
            suggestion = self._suggestion(text[:MAX_QUERY_CHARS], query, 0 if partial else total)
        return SearchResults(query, total, hits, facets, _ms(t0), truncated_query=truncated,
                             partial=partial, suggestion=suggestion)

    # -- "did you mean" -----------------------------------------------------------
    def vocabulary(self, fieldnames: tuple[str, ...] = VOCAB_FIELDS):
        """(term, document frequency) of every term of the word field and the
        bigram field: the words "did you mean" may offer."""
        with self._ix.reader() as reader:
            for name in fieldnames:
                if name in reader.schema:
                    for t in reader.lexicon(name):
                        yield t.decode("utf-8") if isinstance(t, bytes) else t, reader.doc_frequency(name, t)

    def did_you_mean(self, wait: float | None = None) -> DidYouMean | None:
        """The corrector over this index's vocabulary. It is built in a background
        thread on first use, and again after a switch to another generation or
        after ``VOCAB_MAX_AGE``; meanwhile the previous one serves. ``wait``:
        seconds to wait for a build (None: until it is done); None if not ready."""
        now = time.monotonic()
        with self._lock:
            cached = self._dym
            fresh = cached is not None and cached[0] == self._target and now - cached[1] < VOCAB_MAX_AGE
            building = self._dym_thread
            if not fresh and (building is None or not building.is_alive()):
                building = threading.Thread(target=self._build_dym, args=(self._target,),
                                            name="did-you-mean", daemon=True)
                self._dym_thread = building
                building.start()
        if not fresh and (cached is None or cached[0] != self._target):
            building.join(wait)
            cached = self._dym
        return cached[2] if cached is not None else None

    def _build_dym(self, target: Path) -> None:
        try:
            dym = DidYouMean(self.vocabulary())
        except Exception:   # noqa: BLE001 - a closed or switched index: the next request retries
            log.exception("could not build the did-you-mean vocabulary")
            return
        self._dym = (target, time.monotonic(), dym)

    def _suggestion(self, text: str, query: Query, found: int) -> str | None:
        """A corrected query that finds more than the ``found`` articles the
        query found (with the same filters), or None."""
        @functools.lru_cache(maxsize=None)
        def exists(candidate: str) -> int:   # the corrector asks, then so do we: count once
            return len(self.match_ids(replace(query, text=candidate, page=1)))
        dym = self.did_you_mean(wait=DYM_WAIT)
        if dym is None:
            return None
        fixed = dym.suggest(text, exists=exists)
        if fixed is None or normalise(fixed) == normalise(text):
            return None
        return fixed if exists(fixed) > found else None

    def match_ids(self, query: Query | str) -> set[str]:
        """The ids of every article the query matches, filters applied, with no
        relaxation to "some of the words" (for benchmarks and tools)."""
        if isinstance(query, str):
            query = Query(text=query)
        parsed = parse((query.text or "")[:MAX_QUERY_CHARS])
        if parsed.empty and (query.text or "").strip():
            return set()
        searcher = self._searcher()
        view = self._view(searcher)
        filters = _Filters(query, view)
        matched = self._match(searcher, view, _positive(parsed, query.title_only), parsed, scored=False)
        final = [d for d in matched if filters.keep(d)] if filters.active else matched
        ids = view.ids(searcher)
        return {ids[d] for d in final}

    # -- matching -------------------------------------------------------------
    def _view(self, searcher: Searcher) -> "_View":
        """Column values of the index generation ``searcher`` reads, shared by all threads."""
        reader = searcher.reader()
        key = _reader_key(searcher)
        view = self._views.get(key)
        if view is None:
            with self._lock:
                view = self._views.get(key)
                if view is None:
                    view = _View(searcher, self._segment_columns)
                    self._views = {key: view}   # only the current generation
        return view

    def _match(self, searcher: Searcher, view: "_View", q: wq.Query, parsed: ParsedQuery,
               scored: bool):
        """Every live document ``q`` matches, evaluated once: a dict docnum → score
        when ``scored``, else a list of docnums (``view.live`` itself for the empty query)."""
        if parsed.empty:
            return view.live if not scored else dict.fromkeys(view.live, 0.0)
        if scored:
            c = _AllScores()
            searcher.search_with_collector(q, c)
            return c.scores
        return list(searcher.docs_for_query(q))


# -- building engine queries -------------------------------------------------
def _clause_query(clause: Clause, title_only: bool) -> wq.Query:
    fields = [("title_ng", TITLE_BOOST)] + ([] if (title_only or clause.title_only) else [("body_ng", 1.0)])
    parts = [_field_clause(clause.text, field, boost) for field, boost in fields]
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def _field_clause(text: str, field: str, boost: float) -> wq.Query:
    """``text`` verbatim in one bigram field.

    One run of Chinese characters is a phrase of its bigrams: exact, since the
    bigram across every pair of neighbours must be there. A clause of several
    runs (``5G中``, ``C语言``, ``产教，融合``) is not: the index keeps no position
    for punctuation or for where a Latin word ends, and its last Chinese
    character may begin a longer run in the article. Such a clause takes every
    article holding all its pieces and keeps those whose text contains it."""
    grams = query_grams(text)
    if not grams:
        return wq.NullQuery
    if len(list(runs(text))) > 1:
        pieces = [_piece(g, field, boost) for g in grams[:-1]] + [_piece(grams[-1], field, boost, last=True)]
        if grams[0].isascii():
            pieces = pieces[1:]   # a Latin word or number may end a longer one (X证书 in 1+X证书)
        return _Verified(wq.And(pieces) if len(pieces) > 1 else pieces[0], _STORED[field], text)
    if len(grams) > 1:
        return ExactPhrase(field, grams, boost=boost)
    g = grams[0]
    # one Chinese character: any gram it begins; a Latin word or a number: itself, whole
    return _piece(g, field, boost, last=not g.isascii())


def _piece(gram: str, field: str, boost: float, last: bool = False) -> wq.Query:
    if last and ((len(gram) == 1 and "\u3400" <= gram <= "\u9fff") or gram.isascii()):
        # one Chinese character: any gram it begins; a Latin word or number: any it begins
        return wq.Prefix(field, gram, boost=boost)
    return wq.Term(field, gram, boost=boost)


_STORED = {"title_ng": "title", "body_ng": "body"}


class _Verified(wq.WrappingQuery):
    """The child's matches whose stored ``stored`` field contains ``text``
    (normalised), with the child's scores."""

    def __init__(self, child: wq.Query, stored: str, text: str) -> None:
        super().__init__(child)
        self.stored, self.text = stored, text

    def _rewrap(self, child):
        return self.__class__(child, self.stored, self.text)

    def __eq__(self, other):
        return (type(other) is type(self) and self.child == other.child
                and (self.stored, self.text) == (other.stored, other.text))

    def __hash__(self):
        return hash((self.__class__.__name__, self.child, self.stored, self.text))

    def matcher(self, searcher, context=None):
        m = self.child.matcher(searcher, context)
        if not m.is_active():
            return m
        keep = {d for d in self.child.matcher(searcher, context).all_ids()
                if self.text in normalise(searcher.stored_fields(d).get(self.stored, ""))}
        return matching.FilterMatcher(m, keep)


def _alternatives(clause: Clause) -> list[str]:
    """What else an unquoted clause finds: its synonyms and abbreviations
    (``data/dict/synonyms.txt``); a quoted phrase means exactly itself."""
    return [] if clause.phrase else synonyms.expand(clause.text)


def _group(group: list[Clause], title_only: bool) -> wq.Query:
    qs = []
    for c in group:
        qs.append(_clause_query(c, title_only))
        qs.extend(_clause_query(replace(c, text=alt), title_only) for alt in _alternatives(c))
    return qs[0] if len(qs) == 1 else wq.Or(qs)


def _near_first(searcher: Searcher, parsed: ParsedQuery, final: list[int], scores: dict,
                pub: list[int], start: int, size: int, stored: dict) -> tuple[dict, list[int]]:
    """Re-rank the best ``proximity.RERANK`` matches: articles where the clauses
    stand together move up. Returns the scores of the page and its docnums; the
    stored fields it read are left in ``stored``."""
    top = heapq.nsmallest(max(proximity.RERANK, start + size), final, key=lambda d: (-scores[d], -pub[d], d))
    head = top[:proximity.RERANK]
    groups = [[c.text for c in g] + [alt for c in g for alt in _alternatives(c)] for g in parsed.groups]
    boosted: dict[int, float] = {}
    for d in head:
        fields = stored[d] = searcher.stored_fields(d)
        boosted[d] = scores[d] * proximity.factor(fields.get("title", ""), fields.get("body", ""), groups)
    head.sort(key=lambda d: (-boosted[d], -pub[d], d))
    order = (head + top[proximity.RERANK:])[start:start + size]
    return {d: boosted.get(d, scores[d]) for d in order}, order


def _needles(parsed: ParsedQuery) -> list[str]:
    """What to highlight: the clauses and the synonyms they found."""
    alts = [alt for g in parsed.groups for c in g for alt in _alternatives(c)]
    return list(dict.fromkeys(parsed.needles() + [p for a in alts for p in a.split() if p]))


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


class ExactPhrase(wq.Phrase):
    """Whoosh's Phrase with ``slop=1`` (every word right after the one before),
    checked with one set intersection per word on the positions of the current
    document instead of Whoosh's span objects: the same matches and scores."""

    def __init__(self, fieldname, words, boost=1.0):
        super().__init__(fieldname, words, slop=1, boost=boost)

    def matcher(self, searcher, context=None):
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[fieldname]
        reader = searcher.reader()
        ms = []
        for word in self.words:
            try:
                word = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, word) not in reader:
                return matching.NullMatcher()
            ms.append(wq.Term(fieldname, word).matcher(searcher, context))
        m = _ConsecutiveMatcher(ms)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


class _ConsecutiveMatcher(SpanWrappingMatcher):
    def __init__(self, ms):
        self.ms = ms
        super().__init__(make_binary_tree(binary.IntersectionMatcher, ms))

    def copy(self):
        return self.__class__([m.copy() for m in self.ms])

    def replace(self, minquality=0):
        if not self.is_active():
            return matching.NullMatcher()
        return self

    def _get_spans(self):
        ms = self.ms
        starts = set(ms[0].value_as("positions"))
        for i in range(1, len(ms)):
            starts.intersection_update([p - i for p in ms[i].value_as("positions")])
            if not starts:
                return ()
        return starts


# -- per-generation column values, filters and facets ------------------------------
FACETS = ("department", "year", "column", "site")
_COLUMNS = FACETS + ("published",)
_NO_DATE = -1          # the sort value of an article without a date: after every dated one


def _reader_key(searcher: Searcher) -> tuple:
    return tuple((_segment_key(s), off, s.reader().doc_count()) for s, off in searcher.leaf_searchers())


def _segment_key(sub: Searcher) -> tuple:
    r = sub.reader()
    seg = r.segment() if hasattr(r, "segment") else None
    return (getattr(seg, "segment_id", lambda: id(r))(), r.doc_count_all())


class _View:
    """The sortable columns of one index generation as plain lists indexed by
    docnum (deleted documents included; they never match), read once per segment
    and shared by every thread; plus what the empty query needs: the live
    documents, newest first, and their facet counts."""

    def __init__(self, searcher: Searcher, seg_cache: dict) -> None:
        cols: dict[str, list] = {n: [] for n in _COLUMNS}
        fresh: dict[tuple, dict[str, list]] = {}
        live: list[int] = []
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            key = _segment_key(sub)
            seg = seg_cache.get(key) or _read_columns(reader)
            fresh[key] = seg
            for n in _COLUMNS:
                cols[n].extend(seg[n])
            if reader.has_deletions():
                live.extend(d + offset for d in reader.all_doc_ids())
            else:
                live.extend(range(offset, offset + reader.doc_count_all()))
        seg_cache.clear()
        seg_cache.update(fresh)
        self.department, self.year = cols["department"], cols["year"]
        self.column, self.site = cols["column"], cols["site"]
        self.published: list[int] = cols["published"]
        self.live = live
        self._by_date: list[int] | None = None
        self.facet_cache: dict[tuple, tuple] = {}
        self._ids: list[str] | None = None
        self._lock = threading.Lock()

    @property
    def by_date(self) -> list[int]:
        """The live documents, newest first (made on first use: the empty query)."""
        if self._by_date is None:
            pub = self.published
            self._by_date = sorted(self.live, key=lambda d: (-pub[d], d))
        return self._by_date

    def column_of(self, name: str) -> list:
        return getattr(self, name)

    def ids(self, searcher: Searcher) -> list[str]:
        """docnum → article id, read once from the ``id`` field's postings."""
        if self._ids is None:
            with self._lock:
                if self._ids is None:
                    ids = [""] * len(self.published)
                    reader = searcher.reader()
                    for term in reader.lexicon("id"):
                        text = term.decode("utf-8") if isinstance(term, bytes) else term
                        for d in reader.postings("id", term).all_ids():
                            ids[d] = text
                    self._ids = ids
        return self._ids


def _read_columns(reader) -> dict[str, list]:
    out: dict[str, list] = {}
    if reader.doc_count_all() == 0:
        # an index with no segment yet (created, then killed before its first
        # commit) has a reader without columns
        return {n: [] for n in _COLUMNS}
    for n in FACETS:
        raw = list(reader.column_reader(n, translate=False))
        names = {b: (b.decode("utf-8") if isinstance(b, bytes) else str(b)) for b in set(raw)}
        out[n] = [names[b] for b in raw]
    missing = _published_missing()
    out["published"] = [_NO_DATE if v == missing else v
                        for v in reader.column_reader("published", translate=False)]
    return out


@functools.lru_cache(maxsize=1)
def _published_field():
    return make_schema()["published"]


def _published_missing() -> int:
    return _published_field().default_column()._default


def _date_value(dt: datetime) -> int:
    return _published_field().to_column_value(dt)


class _Filters:
    """The request's filters as tests on column values (never scoring)."""

    def __init__(self, query: Query, view: _View) -> None:
        tests: dict[str, tuple[list, object]] = {}
        if query.date_from or query.date_to:
            lo = _date_value(datetime.combine(query.date_from, datetime.min.time())) if query.date_from else 0
            hi = _date_value(datetime.combine(query.date_to, datetime.max.time())) if query.date_to else None
            tests["year"] = (view.published, (lo, hi))
        if query.departments:
            tests["department"] = (view.department, frozenset(query.departments))
        if query.columns:
            tests["column"] = (view.column, frozenset(query.columns))
        if query.sites:
            tests["site"] = (view.site, frozenset(query.sites))
        self.tests = tests
        self.active = bool(tests)
        self.signature = (query.date_from, query.date_to, tuple(sorted(set(query.departments))),
                          tuple(sorted(set(query.columns))), tuple(sorted(set(query.sites))))

    def _passes(self, name: str, docs) -> list[bool]:
        col, arg = self.tests[name]
        if name == "year":
            lo, hi = arg
            if hi is None:
                return [col[d] >= lo and col[d] != _NO_DATE for d in docs]
            return [lo <= col[d] <= hi for d in docs]
        return [col[d] in arg for d in docs]

    def keep(self, d: int) -> bool:
        return all(self._passes(n, (d,))[0] for n in self.tests)

    def facets(self, matched, view: _View, cache: bool = False) -> tuple[dict, list]:
        """Counts for each facet over ``matched``, each ignoring its own filter (so a
        reader sees what choosing another value would give), and the matches that
        pass every filter. One pass over the matches, whatever the filters."""
        if cache:
            hit = view.facet_cache.get(self.signature)
            if hit is not None:
                return hit
        docs = matched if isinstance(matched, list) else list(matched)
        if not self.tests:
            final = docs
            out = {n: _count(view.column_of(n), docs, n) for n in FACETS}
        else:
            passes = {n: self._passes(n, docs) for n in self.tests}
            flags = list(zip(*passes.values()))
            final = [d for d, f in zip(docs, flags) if all(f)]
            out = {}
            names = list(passes)
            for n in FACETS:
                if n in passes:
                    i = names.index(n)
                    sub = [d for d, f in zip(docs, flags) if all(f[:i]) and all(f[i + 1:])]
                else:
                    sub = final
                out[n] = _count(view.column_of(n), sub, n)
        result = (out, final)
        if cache:
            if len(view.facet_cache) > 256:
                view.facet_cache.clear()
            view.facet_cache[self.signature] = result
        return result


def _count(col: list, docs: list[int], name: str) -> list[FacetValue]:
    return _facet_values(name, Counter(map(col.__getitem__, docs)))


class _AllScores(collectors.ScoredCollector):
    """Every match with its score, in docnum order: no sorting, no heap."""

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.scores: dict[int, float] = {}

    def _collect(self, global_docnum, score):
        self.scores[global_docnum] = score
        return 0 - score

    def results(self):
        return self.scores


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
