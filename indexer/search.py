"""The read side: parse a query, filter, rank, facet and highlight.

Every user clause must match verbatim: a clause of one Chinese run is a phrase
of its character bigrams, which finds every occurrence whatever jieba makes of
the words; a clause mixing runs (``5G中``, ``1+X证书``) takes the articles holding
all its pieces and keeps those whose text contains it. jieba's words then add
to the score (titles weigh more than bodies), and recency breaks ties. Filters
restrict; they never score.

Facets come from the index's fast columns in one aggregation per filter the
reader set (each facet ignores its own filter), so a request never walks its
matches in Python, and are kept with the total until the next commit; the
page is the index's top hits, the best
``proximity.RERANK`` of them re-ranked when the query's words stand together.

This module and :mod:`indexer.index` / :mod:`indexer.schema` are the only ones
that know tantivy; everything they return is a plain record of
:mod:`indexer.results`.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import tantivy

from indexer import highlight, proximity, synonyms, userdict
from indexer.didyoumean import DidYouMean
from indexer.analysis import gram_sequence, init_jieba, normalise, query_grams, query_words, runs
from indexer.index import IndexVersionError, attachment_text, check_version, dictionary_note, exists, read_meta
from indexer.index import ENGINE_VERSION
from indexer.schema import FACETS, id_of, seconds, stored_fields
from indexer.querylang import Clause, ParsedQuery, parse
from indexer.results import (MAX_PAGE_SIZE, MAX_QUERY_CHARS, MAX_RESULT_WINDOW, FacetValue, Hit,
                             IndexInfo, Query, SearchResults, StoredArticle)

TITLE_BOOST = 3.0
ATTACH_BOOST = 0.5   # a match in an attachment counts half a match in the body
REFRESH_EVERY = 1.0  # seconds between checks for a newer index commit
SUGGEST_BELOW = 3    # "did you mean" is looked for when a query finds fewer articles
VOCAB_FIELDS = ("body", "body_ng")   # what "did you mean" draws its words from
VOCAB_MAX_AGE = 600.0  # seconds an index's vocabulary is reused across commits
DYM_WAIT = 2.0       # seconds a request waits for the first vocabulary of a generation
TIE_SLACK = 10       # hits fetched beyond the page, so equal scores can be ordered by date
TERMS_SIZE = 100_000  # buckets a facet may return: more values than any facet has
FACET_CACHE = 1024   # queries whose total and facets are kept until the next commit
_OWN_FILTER = {"department": "department", "year": "date", "column": "column", "site": "site"}

_MUST, _SHOULD, _MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot

log = logging.getLogger(__name__)


class IndexMissing(Exception):
    """There is no usable index; the message says what to run."""


class SearchEngine:
    """Opens the index once and reloads it when the indexer commits or switches
    to a rebuilt generation; every request takes its own searcher (threads share
    nothing mutable but the caches, which are replaced whole)."""

    def __init__(self, index_dir: Path | str) -> None:
        init_jieba()
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._dym: tuple[Path, float, DidYouMean] | None = None
        self._dym_thread: threading.Thread | None = None
        self._open()

    # -- opening and refreshing --------------------------------------------
    def _open(self) -> None:
        target = self.index_dir.resolve() if self.index_dir.exists() else None
        if target is not None and read_meta(target):
            try:
                check_version(target)   # an index of another engine version: say what to run
            except IndexVersionError as exc:
                raise IndexMissing(str(exc)) from None
        if target is None or not exists(target):
            raise IndexMissing(f"no search index at {self.index_dir}: run `news-indexer update` "
                               "(or `news-indexer reindex`) first")
        try:
            ix = tantivy.Index.open(str(target))
        except (OSError, ValueError) as exc:
            raise IndexMissing(f"the search index at {self.index_dir} cannot be opened ({exc}): "
                               "run `news-indexer reindex` to rebuild it from the store") from None
        note = dictionary_note(target)
        if note:
            log.warning("%s", note)
        self._ix, self._schema, self._target = ix, ix.schema, target
        self._facet_cache: dict[tuple, tuple] = {}
        self._generation = self._read_generation()
        self._checked = time.monotonic()

    def _read_generation(self) -> tuple:
        """What identifies the index contents a searcher sees (for caches)."""
        meta = read_meta(self._target)
        return (self._target, meta.get("synced_seq"), meta.get("last_commit"))

    def refresh(self, force: bool = False) -> None:
        """See the indexer's latest commit (checked at most every ``REFRESH_EVERY``)."""
        now = time.monotonic()
        if not force and now - self._checked < REFRESH_EVERY:
            return
        with self._lock:
            if not force and now - self._checked < REFRESH_EVERY:
                return
            self._checked = now
            userdict.reload_if_changed()   # an edited dictionary applies to queries at once
            target = self.index_dir.resolve()
            if target != self._target:
                try:
                    self._open()
                except IndexMissing:
                    pass  # keep serving the old generation
                return
            generation = self._read_generation()
            self._ix.reload()
            if generation != self._generation:
                self._facet_cache = {}
                self._generation = generation

    def _searcher(self) -> tantivy.Searcher:
        self.refresh()
        return self._ix.searcher()

    def close(self) -> None:
        self._facet_cache = {}

    # -- reading ------------------------------------------------------------
    def info(self) -> IndexInfo:
        meta = read_meta(self._target)
        return IndexInfo(articles=self._searcher().num_docs, last_commit=meta.get("last_commit"),
                         version=ENGINE_VERSION)

    def _doc_of(self, searcher: tantivy.Searcher, article_id: str):
        try:
            q = tantivy.Query.term_query(self._schema, "id", article_id)
        except ValueError:
            return None
        hits = searcher.search(q, limit=1, count=False).hits
        return hits[0][1] if hits else None

    def get(self, article_id: str) -> StoredArticle | None:
        searcher = self._searcher()
        addr = self._doc_of(searcher, article_id)
        return _stored(stored_fields(searcher.doc(addr))) if addr is not None else None

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Articles most like this one (by the words of its title and body)."""
        searcher = self._searcher()
        addr = self._doc_of(searcher, article_id)
        if addr is None:
            return []
        fields = stored_fields(searcher.doc(addr))
        words = query_words(fields.get("title", "") + " " + fields.get("body", "")[:2000])
        terms = [w for w in words if len(w) > 1][:40]
        if not terms:
            return []
        subs = [(_SHOULD, self._word("title", w, TITLE_BOOST)) for w in terms]
        subs += [(_SHOULD, self._word("body", w)) for w in terms]
        subs.append((_MUST_NOT, tantivy.Query.term_query(self._schema, "id", article_id)))
        res = searcher.search(tantivy.Query.boolean_query(subs), limit=limit, count=False)
        return [_hit(stored_fields(searcher.doc(a)), score, []) for score, a in res.hits]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Titles that contain what the reader has typed so far, newest first."""
        parsed = parse(prefix[:MAX_QUERY_CHARS])
        if parsed.empty:
            return []
        searcher = self._searcher()
        q = _all([self._group(searcher, group, True) for group in parsed.groups])
        res = searcher.search(q, limit=limit, count=False, order_by_field="published",
                              order=tantivy.Order.Desc)
        return list(dict.fromkeys(stored_fields(searcher.doc(a))["title"] for _, a in res.hits))

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
        filters = self._filters(query)
        by_date = query.sort == "date" or parsed.empty
        required = self._positive(searcher, parsed, query.title_only)
        needles = _needles(parsed)
        # the total and facets of a query, kept until the next commit: its other
        # pages, and a query asked again, skip one pass over every match
        key = (repr(parsed), tuple(needles), _signature(query))
        facets, total = self._facets(searcher, required, filters, ("all",) + key)
        partial = False
        if not total and len(parsed.groups) > 1:
            relaxed = self._exclude(searcher, _any([self._group(searcher, g, query.title_only)
                                                   for g in parsed.groups]), parsed)
            facets, total = self._facets(searcher, relaxed, filters, ("some",) + key)
            if total:
                partial, by_date, required = True, False, relaxed
        start = (page - 1) * size
        hits: list[Hit] = []
        if start < total:
            q = _all([required] + list(filters.values()))
            if by_date:
                res = searcher.search(q, limit=size, offset=start, count=False,
                                      order_by_field="published", order=tantivy.Order.Desc)
                page_hits = [(0.0, a, None) for _, a in res.hits]
            else:
                q = _with_bonus(q, self._bonus(parsed, query.title_only))
                near = start < proximity.RERANK and len(parsed.groups) > 1 and not partial
                page_hits = self._ranked(searcher, q, parsed, start, size, near)
            for score, addr, fields in page_hits:
                hits.append(_hit(fields or stored_fields(searcher.doc(addr)), score, needles))
        suggestion = None
        if (total < SUGGEST_BELOW or partial) and not parsed.empty:
            suggestion = self._suggestion(text[:MAX_QUERY_CHARS], query, 0 if partial else total)
        return SearchResults(query, total, hits, dict(facets), _ms(t0), truncated_query=truncated,
                             partial=partial, suggestion=suggestion)

    def _ranked(self, searcher, q, parsed: ParsedQuery, start: int, size: int, near: bool) -> list[tuple]:
        """The page of ``q``'s hits by score, then date: (score, address, stored
        fields or None). With ``near``, the best ``proximity.RERANK`` are re-ranked
        by how closely the query's clauses stand together."""
        need = max(start + size, proximity.RERANK if near else 0)
        fetch = need + TIE_SLACK
        while True:
            # every hit scoring as much as the last one needed: ties are ordered by
            # date, the same way whatever page is asked for
            hits = searcher.search(q, limit=fetch, count=False).hits
            if len(hits) < fetch or hits[-1][0] < hits[min(need, len(hits)) - 1][0]:
                break
            fetch *= 4
        addrs = [a for _, a in hits]
        pubs = searcher.fast_field_values("published", addrs) if addrs else []
        ranked = sorted(((s, p or 0, i, a) for i, ((s, a), p) in enumerate(zip(hits, pubs))),
                        key=lambda r: (-r[0], -r[1], r[2]))
        stored: dict[int, dict] = {}
        if near:
            groups = [[c.text for c in g] + [alt for c in g for alt in _alternatives(c)] for g in parsed.groups]
            head = []
            for s, p, i, a in ranked[:proximity.RERANK]:
                fields = stored[i] = stored_fields(searcher.doc(a))
                head.append((s * proximity.factor(fields.get("title", ""), fields.get("body", ""), groups), p, i, a))
            head.sort(key=lambda r: (-r[0], -r[1], r[2]))
            ranked = head + ranked[proximity.RERANK:]
        return [(s, a, stored.get(i)) for s, _, i, a in ranked[start:start + size]]

    # -- "did you mean" -----------------------------------------------------------
    def vocabulary(self, fieldnames: tuple[str, ...] = VOCAB_FIELDS):
        """(term, document frequency) of every term of the word field and the
        bigram field: the words "did you mean" may offer."""
        searcher = self._ix.searcher()
        for name in fieldnames:
            yield from searcher.terms_with_prefix(name, "")

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
            return self.count(replace(query, text=candidate, page=1))
        dym = self.did_you_mean(wait=DYM_WAIT)
        if dym is None:
            return None
        fixed = dym.suggest(text, exists=exists)
        if fixed is None or normalise(fixed) == normalise(text):
            return None
        return fixed if exists(fixed) > found else None

    # -- whole match sets (tools, benchmarks, "did you mean") -------------------------
    def _matching(self, searcher, query: Query):
        """The query's every-word match, filters applied; None when it cannot match."""
        parsed = parse((query.text or "")[:MAX_QUERY_CHARS])
        if parsed.empty and (query.text or "").strip():
            return None
        return _all([self._positive(searcher, parsed, query.title_only)]
                    + list(self._filters(query).values()))

    def count(self, query: Query) -> int:
        """How many articles the query matches, filters applied, with no
        relaxation to "some of the words"."""
        searcher = self._searcher()
        q = self._matching(searcher, query)
        return 0 if q is None else searcher.search(q, limit=1, count=True).count

    def match_ids(self, query: Query | str) -> set[str]:
        """The ids of every article the query matches, filters applied, with no
        relaxation to "some of the words" (for benchmarks and tools)."""
        if isinstance(query, str):
            query = Query(text=query)
        searcher = self._searcher()
        q = self._matching(searcher, query)
        return set() if q is None else set(self._ids(searcher, q))

    def article_ids(self) -> list[str]:
        """The id of every live document, repeats included (for checks)."""
        searcher = self._searcher()
        return self._ids(searcher, tantivy.Query.all_query())

    @staticmethod
    def _ids(searcher, q) -> list[str]:
        if not searcher.num_docs:
            return []
        res = searcher.search(q, limit=searcher.num_docs, count=False)
        addrs = [a for _, a in res.hits]
        return [id_of(k) for k in searcher.fast_field_values("key", addrs)] if addrs else []

    # -- building engine queries -------------------------------------------------
    def _word(self, field: str, word: str, boost: float = 1.0):
        q = tantivy.Query.term_query(self._schema, field, word, index_option="freq")
        return q if boost == 1.0 else tantivy.Query.boost_query(q, boost)

    def _bonus(self, parsed: ParsedQuery, title_only: bool) -> list:
        """The clauses' jieba words, as optional scoring on top of the required clauses."""
        words = list(dict.fromkeys(w for g in parsed.groups for c in g for w in query_words(c.text)
                                   if w.strip()))
        bonus = [self._word("title", w, TITLE_BOOST) for w in words]
        if not title_only:
            bonus += [self._word("body", w) for w in words]
            bonus += [self._word("attach", w, ATTACH_BOOST) for w in words]
        return bonus

    def _filters(self, query: Query) -> dict[str, object]:
        """The request's filters by name (``date``, ``department``, ``column``,
        ``site``), as queries that score nothing."""
        out: dict[str, object] = {}
        if query.date_from or query.date_to:
            lo = seconds(datetime.combine(query.date_from, datetime.min.time())) if query.date_from else 0
            hi = seconds(datetime.combine(query.date_to, datetime.max.time())) if query.date_to else None
            out["date"] = tantivy.Query.range_query(self._schema, "published", tantivy.FieldType.Integer, lo, hi)
        for name, values in (("department", query.departments), ("column", query.columns),
                             ("site", query.sites)):
            if values:
                out[name] = tantivy.Query.term_set_query(self._schema, name, sorted(set(values)))
        return {n: tantivy.Query.const_score_query(q, 0.0) for n, q in out.items()}

    def _facets(self, searcher, required, filters: dict, cache: tuple | None = None) -> tuple[dict, int]:
        """Counts for each facet over the matches of ``required``, each ignoring
        its own filter (so a reader sees what choosing another value would give),
        and the total passing every filter: one aggregation per distinct set of
        filters that applies."""
        if cache is not None:
            hit = self._facet_cache.get(cache)
            if hit is not None:
                return hit
        plan: dict[str | None, list[str]] = {}
        for name in FACETS:
            own = _OWN_FILTER[name]
            plan.setdefault(own if own in filters else None, []).append(name)
        out: dict[str, list[FacetValue]] = {}
        total = None
        for skip, names in plan.items():
            q = _all([required] + [f for n, f in filters.items() if n != skip])
            agg = searcher.aggregate(q, {n: {"terms": {"field": n, "size": TERMS_SIZE}} for n in names})
            for n in names:
                counts = {b["key"]: b["doc_count"] for b in agg[n]["buckets"]}
                out[n] = _facet_values(n, counts)
                if skip is None and total is None:
                    total = sum(counts.values())
        if total is None:
            total = searcher.search(_all([required] + list(filters.values())), limit=1, count=True).count
        result = ({n: out[n] for n in FACETS}, total)
        if cache is not None:
            if len(self._facet_cache) >= FACET_CACHE:
                self._facet_cache = {}
            self._facet_cache[cache] = result
        return result

    def _positive(self, searcher, parsed: ParsedQuery, title_only: bool):
        groups = [self._group(searcher, g, title_only) for g in parsed.groups]
        return self._exclude(searcher, _all(groups) if groups else tantivy.Query.all_query(), parsed)

    def _exclude(self, searcher, q, parsed: ParsedQuery):
        if not parsed.excludes:
            return q
        return tantivy.Query.boolean_query(
            [(_MUST, q)] + [(_MUST_NOT, self._clause(searcher, c, c.title_only)) for c in parsed.excludes])

    def _group(self, searcher, group: list[Clause], title_only: bool):
        qs = []
        for c in group:
            qs.append(self._clause(searcher, c, title_only))
            qs.extend(self._clause(searcher, replace(c, text=alt), title_only) for alt in _alternatives(c))
        return _any(qs)

    def _clause(self, searcher, clause: Clause, title_only: bool):
        fields = [("title_ng", TITLE_BOOST)]
        if not (title_only or clause.title_only):
            fields += [("body_ng", 1.0), ("attach_ng", ATTACH_BOOST)]
        return _any([self._field_clause(searcher, clause.text, field, boost) for field, boost in fields])

    def _field_clause(self, searcher, text: str, field: str, boost: float):
        """``text`` verbatim in one bigram field.

        One run of Chinese characters is a phrase of its bigrams: exact, since the
        bigram across every pair of neighbours must be there. A clause of several
        runs (``5G中``, ``C语言``, ``产教，融合``) is not: the index keeps no position
        for punctuation or for where a Latin word ends, and its last Chinese
        character may begin a longer run in the article. Such a clause is a
        phrase of patterns over the index's token stream (:func:`_mixed_phrase`),
        which finds every article containing it and few others, and those are kept
        whose text contains it."""
        grams = query_grams(text)
        if not grams:
            return tantivy.Query.empty_query()
        if len(list(runs(normalise(text)))) > 1:
            q = tantivy.Query.regex_phrase_query(self._schema, field, _mixed_phrase(text))
            q = self._verified(searcher, q, field, text)
        elif len(grams) > 1:
            q = tantivy.Query.phrase_query(self._schema, field, grams)
        else:
            g = grams[0]
            if len(g) == 1 and "\u3400" <= g <= "\u9fff":   # one Chinese character: any gram it begins
                q = tantivy.Query.regex_query(self._schema, field, g + ".*")
            else:   # one bigram, or a Latin word or a number: itself, whole
                q = tantivy.Query.term_query(self._schema, field, g, index_option="position")
        return q if boost == 1.0 else tantivy.Query.boost_query(q, boost)

    def _verified(self, searcher, candidates, field: str, text: str):
        """``candidates`` restricted to the articles whose stored text of ``field``
        contains ``text`` (normalised), with the candidates' scores."""
        res = searcher.search(candidates, limit=max(1, searcher.num_docs), count=False)
        keep = [a for _, a in res.hits if text in normalise(_stored_text(stored_fields(searcher.doc(a)), field))]
        if not keep:
            return tantivy.Query.empty_query()
        keys = searcher.fast_field_values("key", keep)
        only = tantivy.Query.term_set_query(self._schema, "key", keys)
        return tantivy.Query.boolean_query([(_MUST, candidates),
                                            (_MUST, tantivy.Query.const_score_query(only, 0.0))])


def _stored_text(fields: dict, field: str) -> str:
    """The stored text a bigram field was cut from (an article's attachments: as
    much of their text as the stored document keeps)."""
    if field == "attach_ng":
        return attachment_text([(name, text) for name, text in fields.get("attachments") or ()])
    return fields.get(field[:-3], "")


def _mixed_phrase(text: str) -> list[str]:
    """The token patterns, position by position, of every occurrence of a clause
    of several runs in the stream of :func:`analysis.gram_sequence`: its own
    tokens, less the last character of a final Chinese run of two or more (the
    run may go on in the article); a leading Latin word may end a longer one
    (``X证书`` in ``1+X证书``) and a final Latin word or lone Chinese character may
    begin one (``5G中`` in ``5G中国``). Punctuation has no token, so ``5G，中`` and
    ``5G中`` have one pattern: the stored text decides."""
    norm = normalise(text)
    seq = gram_sequence(norm)
    spans = list(runs(norm))
    han, s, e = spans[-1]
    if han and e - s > 1:
        seq = seq[:-1]
    pats = [_regex_escape(t) for t in seq]
    if seq[0].isascii():
        pats[0] = ".*" + pats[0]
    if seq[-1].isascii() or (han and e - s == 1):
        pats[-1] += ".*"
    return pats


def _regex_escape(text: str) -> str:
    return "".join("\\" + c if not c.isalnum() else c for c in text)


def _all(qs: list):
    return qs[0] if len(qs) == 1 else tantivy.Query.boolean_query([(_MUST, q) for q in qs])


def _any(qs: list):
    return qs[0] if len(qs) == 1 else tantivy.Query.boolean_query([(_SHOULD, q) for q in qs])


def _with_bonus(required, bonus: list):
    if not bonus:
        return required
    return tantivy.Query.boolean_query([(_MUST, required)] + [(_SHOULD, b) for b in bonus])


def _signature(query: Query) -> tuple:
    return (query.date_from, query.date_to, tuple(sorted(set(query.departments))),
            tuple(sorted(set(query.columns))), tuple(sorted(set(query.sites))), query.title_only)


def _alternatives(clause: Clause) -> list[str]:
    """What else an unquoted clause finds: its synonyms and abbreviations
    (``data/dict/synonyms.txt``); a quoted phrase means exactly itself."""
    return [] if clause.phrase else synonyms.expand(clause.text)


def _needles(parsed: ParsedQuery) -> list[str]:
    """What to highlight: the clauses and the synonyms they found."""
    alts = [alt for g in parsed.groups for c in g for alt in _alternatives(c)]
    return list(dict.fromkeys(parsed.needles() + [p for a in alts for p in a.split() if p]))


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
    snippet, attachment = _snippet(body, fields.get("attachments") or (), needles)
    return Hit(
        id=fields["id"], url=fields["url"], site=fields.get("site", ""), title=title,
        title_html=highlight.highlight(title, needles),
        snippet_html=snippet,
        published=fields.get("published_text"), department=fields.get("department") or None,
        column=fields.get("column") or None, source=fields.get("source"), score=float(score) if isinstance(score, (int, float)) else 0.0,
        attachment=attachment,
    )


def _snippet(body: str, attachments, needles: list[str]) -> tuple[str, str | None]:
    """The hit's snippet, and the name of the attachment it comes from: the body's
    best passage, unless the body has no match and an attachment has (in its name
    or its text): then the attachment with the most distinct query words, its
    text's best passage (none when it has no text, only its name matched)."""
    if not needles or not attachments or highlight.find_spans(body, needles):
        return highlight.snippet(body, needles), None
    best, most = None, 0
    for name, text in attachments:
        spans = highlight.find_spans(text, needles) + highlight.find_spans(name, needles)
        distinct = len({k for _, _, k in spans})
        if distinct > most:
            best, most = (name, text), distinct
    if best is None:
        return highlight.snippet(body, needles), None
    name, text = best
    return highlight.snippet(text, needles), name


def _stored(fields: dict) -> StoredArticle:
    return StoredArticle(
        id=fields["id"], url=fields["url"], site=fields.get("site", ""), title=fields.get("title", ""),
        body=fields.get("body", ""), published=fields.get("published_text"),
        department=fields.get("department") or None, column=fields.get("column") or None,
        source=fields.get("source"))


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


__all__ = ["SearchEngine", "IndexMissing", "Query", "SearchResults", "date"]
