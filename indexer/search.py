"""The read side: parse a query, plan it, and answer it with whichever engine
wrote the index: filter, rank, facet and highlight.

What a query means is decided by :mod:`indexer.plan`; the engine
(:mod:`indexer.engines`) only answers the plan's nodes. This module does the
rest once for every engine: it resolves a mixed clause's candidates against the
stored text, counts facets (each ignoring its own filter, one engine
aggregation per distinct set of filters, kept with the total until the next
commit), orders ties (by score, then date, then id; by date, then id), re-ranks
the best ``proximity.RERANK`` when the query's words stand together, falls back
to "some of the words", offers "did you mean", and makes highlighted hits.
Everything it returns is a plain record of :mod:`indexer.results`.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path

from indexer import hits as hitmaker
from indexer import plan, proximity, stories, synonyms, userdict, vocabulary
from indexer.analysis import init_jieba, normalise
from indexer.didyoumean import DidYouMean, sound_key
from indexer.documents import FACETS, MULTI_VALUED, NO_DATE, stored_text
from indexer.engines import Snapshot
from indexer.index import (IndexVersionError, dictionary_note, engine_of, engine_version, exists,
                           expect_engine, read_meta)
from indexer.querylang import ParsedQuery, parse
from indexer.results import (MAX_PAGE_SIZE, MAX_QUERY_CHARS, MAX_RESULT_WINDOW, Hit, IndexInfo, Query,
                             SearchResults, StoredArticle)

REFRESH_EVERY = 1.0  # seconds between checks for a newer index commit
SUGGEST_BELOW = 3    # "did you mean" is looked for when a query finds fewer articles
VOCAB_FIELDS = vocabulary.FIELDS   # what "did you mean" draws its words from
VOCAB_MAX_AGE = 600.0  # seconds an index's vocabulary is reused across commits
DYM_WAIT = 2.0       # seconds a request waits for the first vocabulary of a generation
#: hits fetched beyond the page, so equal scores can be ordered by date: enough that
#: a tie at the page's end seldom needs a second pass over every match (BM25 scores
#: tie often: field lengths are kept in 256 steps)
TIE_SLACK = 40
FACET_CACHE = 1024   # queries whose total and facets are kept until the next commit
CORRECT_RATIO = 10   # a query that finds some is corrected in place when its correction finds 10× more
FOLD_FIRST = 30      # best matches first looked at to fold a page into stories
FOLD_FIRST_COLUMNS = 100   # the same where the signatures are columns (cheap to read)
FOLD_WINDOW = 1000   # best matches at most looked at to fold a page into stories
BESIDE_FROM = 300_000   # articles from which a lone request counts its facets beside its page

log = logging.getLogger(__name__)

#: where a request's facets are counted while its page is ranked, for an engine
#: whose snapshot answers from several threads at once (``concurrent``): the
#: engine's passes release the GIL, so a lone reader's page takes the longer of
#: the two passes, not their sum (under full load the cores are busy either way)
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="facets")


class IndexMissing(Exception):
    """There is no usable index; the message says what to run."""


class SearchEngine:
    """Opens the index once and reloads it when the indexer commits or switches
    to a rebuilt generation (of any engine); every request takes its own
    snapshot (threads share nothing mutable but the caches, which are replaced whole).

    ``engine``: refuse an index of another engine than this one (None: any)."""

    def __init__(self, index_dir: Path | str, engine: str | None = None) -> None:
        init_jieba()
        self.index_dir = Path(index_dir)
        self.expected = engine
        self._lock = threading.Lock()
        self._dym: tuple[Path, float, DidYouMean] | None = None
        self._dym_thread: threading.Thread | None = None
        self._disk: tuple[tuple, DidYouMean | None] | None = None
        self._reader = None
        self._searching = 0   # searches running in this process now
        self._open()

    # -- opening and refreshing --------------------------------------------
    def _open(self) -> None:
        target = self.index_dir.resolve() if self.index_dir.exists() else None
        engine = None
        if target is not None and read_meta(target):
            try:   # an index of another engine or version: say what to run
                if self.expected:
                    expect_engine(target, self.expected)
                engine = engine_of(target)
            except IndexVersionError as exc:
                raise IndexMissing(str(exc)) from None
        if target is None or engine is None or not exists(target):
            raise IndexMissing(f"no search index at {self.index_dir}: run `news-indexer update` "
                               "(or `news-indexer reindex`) first")
        try:
            reader = engine.open(target)
        except (OSError, ValueError) as exc:
            raise IndexMissing(f"the search index at {self.index_dir} cannot be opened ({exc}): "
                               "run `news-indexer reindex` to rebuild it from the store") from None
        note = dictionary_note(target)
        if note:
            log.warning("%s", note)
        old, self._reader = self._reader, reader
        self.engine, self._target = engine, target
        self._facet_cache: dict[tuple, tuple] = {}
        self._generation = self._read_generation()
        self._checked = time.monotonic()
        if old is not None:
            old.close()

    def _read_generation(self) -> tuple:
        """What identifies the index contents a snapshot sees (for caches)."""
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
            self._reader.reload()
            if generation != self._generation:
                self._facet_cache = {}
                self._generation = generation

    def _snap(self) -> Snapshot:
        self.refresh()
        return self._reader.snapshot()

    def close(self) -> None:
        self._facet_cache = {}
        if self._reader is not None:
            self._reader.close()

    # -- reading ------------------------------------------------------------
    def info(self) -> IndexInfo:
        meta = read_meta(self._target)
        return IndexInfo(articles=self._snap().num_docs, last_commit=meta.get("last_commit"),
                         version=engine_version(self.engine),
                         extra={"engine": self.engine.name,
                                "engine_library": meta.get("library_version") or self.engine.library_version()})

    def get(self, article_id: str) -> StoredArticle | None:
        snap = self._snap()
        ref = snap.find(article_id)
        return hitmaker.stored_article(snap.stored(ref)) if ref is not None else None

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Articles most like this one (by the words of its title and body)."""
        snap = self._snap()
        ref = snap.find(article_id)
        if ref is None:
            return []
        node = plan.related(snap.stored(ref), article_id)
        if node is None:
            return []
        return [hitmaker.hit(snap.stored(r), score, []) for score, r in snap.top(node, limit)]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Titles that contain what the reader has typed so far, newest first."""
        parsed = parse(prefix[:MAX_QUERY_CHARS])
        if parsed.empty:
            return []
        snap = self._snap()
        node = _resolve(snap, plan.all_of([plan.group(g, True) for g in parsed.groups]))
        refs = self._by_date(snap, node, 0, limit)
        return list(dict.fromkeys(snap.stored(r)["title"] for r in refs))

    def search(self, query: Query) -> SearchResults:
        with self._lock:
            self._searching += 1
        try:
            return self._search(query)
        finally:
            with self._lock:
                self._searching -= 1

    def _search(self, query: Query) -> SearchResults:
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
        snap = self._snap()
        filters = plan.filters(query)
        by_date = query.sort in ("date", "oldest") or parsed.empty
        oldest = query.sort == "oldest"
        required = _resolve(snap, plan.positive(parsed, query.title_only))
        needles = plan.needles(parsed)
        # the total and facets of a query, kept until the next commit: its other
        # pages, and a query asked again, skip one pass over every match
        key = (repr(parsed), tuple(needles), query.title_only)
        every = ("all",) + key
        start = (page - 1) * size
        found = None
        if self._beside(snap) and not self._counted(filters, every):
            # the facets counted in another thread while the page is ranked here: two
            # passes over the matches at once, on the engine's own threads
            job = _POOL.submit(self._facets, snap, required, filters, every)
            try:
                found = self._page(snap, query, parsed, required, filters, by_date, oldest, False, start, size)
            finally:
                facets, total = job.result()
        else:
            facets, total = self._facets(snap, required, filters, every)
        partial = False
        if not total and len(parsed.groups) > 1:
            relaxed = _resolve(snap, plan.some_of(parsed, query.title_only))
            some_facets, some_total = self._facets(snap, relaxed, filters, ("some",) + key)
            if some_total:   # the facets of what is shown: every word's when nothing is
                facets, total = some_facets, some_total
                partial, by_date, required, found = True, False, relaxed, None
        hits: list[Hit] = []
        stories_total = None
        if total:
            if found is None:
                found = self._page(snap, query, parsed, required, filters, by_date, oldest, partial, start, size,
                                   total)
            hits, groups, seen, near_total = found
            if query.near is not None:   # the fold's "all" link: its story, one article a hit
                total, stories_total = near_total, 1 if near_total else 0
            elif query.fold:
                stories_total = groups if seen >= total else None
        suggestion = None
        if (total < SUGGEST_BELOW or partial) and not parsed.empty and query.near is None:
            suggestion = self._suggestion(text[:MAX_QUERY_CHARS], query, 0 if partial else total)
        if suggestion and query.correct and not _quoted(parsed) and query.near is None:
            # fixed in place: the correction's results, with the way back to what was typed
            fixed = self._search(replace(query, text=suggestion, correct=False))
            if fixed.total and (total == 0 or partial or fixed.total >= CORRECT_RATIO * total):
                fixed.corrected_from, fixed.took_ms = text, _ms(t0)
                fixed.query = replace(fixed.query, correct=True)
                return fixed
        return SearchResults(query, total, hits, dict(facets), _ms(t0), truncated_query=truncated,
                             partial=partial, suggestion=suggestion, stories=stories_total)

    def _beside(self, snap: Snapshot) -> bool:
        """Whether to count the facets beside the page: where the engine's snapshot
        allows it, the index is large enough that a pass costs more than handing
        work to another thread (about a millisecond, measured at 100k articles),
        and no other search of this process is running (under load the cores are
        busy already, and two threads a request only contend for them). An
        engine whose every pass is a request to a service (``round_trips``)
        overlaps them at any size."""
        if not getattr(snap, "concurrent", False) or self._searching > 1:
            return False
        # a pass that is a request to a service (a cluster) is worth overlapping at
        # any size, and its number of articles would cost a request of its own
        return getattr(snap, "round_trips", False) or snap.num_docs >= BESIDE_FROM

    def _page(self, snap: Snapshot, query: Query, parsed: ParsedQuery, required, filters: dict, by_date: bool,
              oldest: bool, partial: bool, start: int, size: int, total: int | None = None) -> tuple:
        """The hits of the page from ``start``: (hits, how many stories the window
        folded, how many best matches it looked at, the articles of ``query.near``'s
        story). ``total`` None: not counted yet (the facets are being counted
        beside it); the window then stops where the matches end."""
        hits: list[Hit] = []
        needles = plan.needles(parsed)
        node = plan.all_of([required] + list(filters.values()))
        if query.fold or query.near:
            if not by_date:
                node = plan.scored(node, plan.bonus(parsed, query.title_only))
            rerank = len(parsed.groups) > 1 and not partial
            groups, seen = self._stories(snap, node, parsed, by_date, rerank, start + size, total,
                                         query.near, oldest)
            near_total = 0
            if query.near is not None:
                members = _group_of(snap, groups, query.near)
                near_total = len(members)
                groups = [[m] for m in members]
            for group in groups[start:start + size]:
                members = [(score, fields or snap.stored(ref)) for score, ref, fields in group]
                (score, fields), rest = members[0], members[1:]
                h = hitmaker.hit(fields, score, needles)
                h.similar = [{"id": f["id"], "url": f["url"], "title": f.get("title", ""),
                              "published": f.get("published_text")} for _, f in rest]
                hits.append(h)
            return hits, len(groups), seen, near_total
        if total is None or start < total:
            if by_date:
                page_hits = [(0.0, r, None) for r in self._by_date(snap, node, start, size, oldest)]
            else:
                node = plan.scored(node, plan.bonus(parsed, query.title_only))
                near = start < proximity.RERANK and len(parsed.groups) > 1 and not partial
                page_hits = self._ranked(snap, node, parsed, start, size, near)
            for score, ref, fields in page_hits:
                hits.append(hitmaker.hit(fields or snap.stored(ref), score, needles))
        return hits, 0, 0, 0

    def _stories(self, snap: Snapshot, node, parsed: ParsedQuery, by_date: bool, rerank: bool, need: int,
                 total: int | None, near: str | None, oldest: bool = False) -> tuple[list[list[tuple]], int]:
        """The query's best matches folded into stories (:func:`stories.fold`),
        enough of them for ``need`` stories (or, for ``near``, the whole window), and
        how many best matches the window looked at (the stories are all the
        matches make when that is at least the total; ``total`` None: not known).
        Each story: [(score, ref, stored fields or None)], best-ranked first; the
        signatures come from the engine's columns where it has them, so only the
        stories shown are read whole."""
        limit = FOLD_WINDOW if total is None else min(total, FOLD_WINDOW)
        columns = getattr(snap, "signatures", None)
        first = FOLD_FIRST if columns is None else FOLD_FIRST_COLUMNS
        window = limit if near is not None else min(limit, max(2 * need, first))
        memo: dict = {}   # the re-ranked head, read once however often the window widens
        while True:
            if by_date:
                ranked = [(0.0, r, None) for r in self._by_date(snap, node, 0, window, oldest)]
            else:
                ranked = self._ranked(snap, node, parsed, 0, window, rerank, memo)
            if columns is not None:
                sigs = columns([r for _, r, _ in ranked])
            else:
                ranked = [(s, r, f or snap.stored(r)) for s, r, f in ranked]
                sigs = [stories.signature(f) for _, _, f in ranked]
            groups = stories.fold(sigs)
            if len(groups) > need or window >= limit or len(ranked) < window:
                break
            window = min(limit, window * 3)
        folded = [[ranked[i] for i in g] for g in groups]
        return folded, window

    @staticmethod
    def _by_date(snap: Snapshot, node, start: int, size: int, oldest: bool = False) -> list:
        """The page of ``node``'s matches, newest (or ``oldest``) first; articles of
        the same date by id, the same way whatever page is asked for and whatever
        the engine. Articles without a date come last either way."""
        need = start + size
        if oldest:
            dated = plan.all_of([node, plan.Range("published", 0, None)])
            refs = SearchEngine._dated(snap, dated, need, snap.oldest, 1)
            if len(refs) < need:   # then the undated ones, by id
                undated = snap.refs(plan.all_of([node, plan.Range("published", None, NO_DATE)]))
                ids = snap.ids(undated)
                refs += [r for _, r in sorted(zip(ids, undated), key=lambda x: x[0])][:need - len(refs)]
            return refs[start:need]
        return SearchEngine._dated(snap, node, need, snap.newest, -1)[start:need]

    @staticmethod
    def _dated(snap: Snapshot, node, need: int, fetch_fn, sign: int) -> list:
        """The first ``need`` matches by ``published`` (``sign`` 1: ascending, -1:
        descending), ties by id: every match the engine orders no later than the
        last one needed is fetched, so that pages agree. An engine whose order
        already breaks most ties of a date (``date_keys``) is seldom asked twice
        where a day holds hundreds of articles."""
        fetch = need + TIE_SLACK
        keys_of = getattr(snap, "date_keys", None)
        while True:
            refs = fetch_fn(node, fetch)
            pubs = snap.published(refs)
            keys = keys_of(refs, sign > 0) if keys_of is not None else pubs
            if len(refs) < fetch or keys[-1] != keys[min(need, len(refs)) - 1]:
                break
            fetch *= 4
        ids = snap.ids(refs)
        order = sorted(range(len(refs)), key=lambda i: (sign * pubs[i], ids[i]))
        return [refs[i] for i in order[:need]]

    @staticmethod
    def _ranked(snap: Snapshot, node, parsed: ParsedQuery, start: int, size: int, near: bool,
                memo: dict | None = None) -> list[tuple]:
        """The page of ``node``'s hits by score, then date, then id: (score, ref,
        stored fields or None). With ``near``, the best ``proximity.RERANK`` are
        re-ranked by how closely the query's clauses stand together (``memo``,
        id → (fields, factor), keeps what was read for a wider window of the same
        query)."""
        need = max(start + size, proximity.RERANK if near else 0)
        fetch = need + TIE_SLACK
        while True:
            # every hit scoring as much as the last one needed: ties are ordered the
            # same way whatever page is asked for
            hits = snap.top(node, fetch)
            if len(hits) < fetch or hits[-1][0] < hits[min(need, len(hits)) - 1][0]:
                break
            fetch *= 4
        refs = [r for _, r in hits]
        pubs = snap.published(refs)
        ids = snap.ids(refs)
        ranked = sorted(((s, p, i, r) for (s, r), p, i in zip(hits, pubs, ids)),
                        key=lambda x: (-x[0], -x[1], x[2]))
        stored: dict[str, dict] = {}
        if near:
            groups = plan.rerank_groups(parsed)
            memo = {} if memo is None else memo
            head = []
            for s, p, i, r in ranked[:proximity.RERANK]:
                if i not in memo:
                    fields = snap.stored(r)
                    memo[i] = fields, proximity.factor(fields.get("title", ""), fields.get("body", ""), groups)
                stored[i], f = memo[i]
                head.append((s * f, p, i, r))
            head.sort(key=lambda x: (-x[0], -x[1], x[2]))
            ranked = head + ranked[proximity.RERANK:]
        return [(s, r, stored.get(i)) for s, _, i, r in ranked[start:start + size]]

    # -- "did you mean" -----------------------------------------------------------
    def vocabulary(self, fieldnames: tuple[str, ...] = VOCAB_FIELDS):
        """(term, document frequency) of every term of the word field and the
        bigram field: the words "did you mean" may offer."""
        snap = self._reader.snapshot()
        for name in fieldnames:
            yield from snap.terms(name)

    def warm(self) -> None:
        """Make the first typo after a start as quick as the next (a server calls
        this when it opens the index): the vocabulary file opened, pypinyin's
        tables loaded in the background; for an index without that file, the
        vocabulary built in the background."""
        if self._disk_dym() is not None:
            threading.Thread(target=sound_key, args=("预热",), name="pinyin-tables", daemon=True).start()
        else:
            self.did_you_mean(wait=0)

    def did_you_mean(self, wait: float | None = None) -> DidYouMean | None:
        """The corrector over this index's vocabulary: the generation's vocabulary
        file (:mod:`indexer.vocabulary`), reopened whenever the indexer rewrites it.
        An index without one (written by an older version) has its vocabulary built
        in a background thread on first use, and again after a switch to another
        generation or after ``VOCAB_MAX_AGE``; meanwhile the previous one serves.
        ``wait``: seconds to wait for such a build (None: until it is done); None if not ready."""
        disk = self._disk_dym()
        if disk is not None:
            return disk
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

    def _disk_dym(self) -> DidYouMean | None:
        target = self._target
        stamp = vocabulary.stamp(target)
        if stamp is None:
            return None
        cached = self._disk
        if cached is not None and cached[0] == (target, stamp):
            return cached[1]   # an unreadable file is tried (and logged) once, not every request
        lexicon = vocabulary.open_lexicon(target)
        dym = None if lexicon is None else DidYouMean(lexicon=lexicon, abbreviations=synonyms.abbreviations())
        self._disk = ((target, stamp), dym)   # the one it replaces closes when no request holds it
        return dym

    def _build_dym(self, target: Path) -> None:
        try:
            dym = DidYouMean(self.vocabulary(), abbreviations=synonyms.abbreviations())
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
    def _matching(self, snap: Snapshot, query: Query):
        """The query's every-word match, filters applied; None when it cannot match."""
        parsed = parse((query.text or "")[:MAX_QUERY_CHARS])
        if parsed.empty and (query.text or "").strip():
            return None
        return plan.all_of([_resolve(snap, plan.positive(parsed, query.title_only))]
                           + list(plan.filters(query).values()))

    def count(self, query: Query) -> int:
        """How many articles the query matches, filters applied, with no
        relaxation to "some of the words"."""
        snap = self._snap()
        node = self._matching(snap, query)
        return 0 if node is None else snap.count(node)

    def match_ids(self, query: Query | str) -> set[str]:
        """The ids of every article the query matches, filters applied, with no
        relaxation to "some of the words" (for benchmarks and tools)."""
        if isinstance(query, str):
            query = Query(text=query)
        snap = self._snap()
        node = self._matching(snap, query)
        return set() if node is None else set(snap.ids(snap.refs(node)))

    def facet_counts(self, query: Query) -> dict[str, dict[str, int]]:
        """Each facet's counts for ``query`` as the page shows them (value "" for
        none), each ignoring its own filter (for checks across engines)."""
        snap = self._snap()
        parsed = parse((query.text or "")[:MAX_QUERY_CHARS])
        facets, _ = self._facets(snap, _resolve(snap, plan.positive(parsed, query.title_only)),
                                 plan.filters(query))
        return {n: {fv.value or "": fv.count for fv in values} for n, values in facets.items()}

    def article_ids(self) -> list[str]:
        """The id of every live document, repeats included (for checks)."""
        snap = self._snap()
        return snap.ids(snap.refs(plan.Everything())) if snap.num_docs else []

    def _facets(self, snap: Snapshot, required, filters: dict, cache: tuple | None = None) -> tuple[dict, int]:
        """Counts for each facet over the matches of ``required``, each ignoring
        its own filter (so a reader sees what choosing another value would give),
        and the total passing every filter: one aggregation per distinct set of
        filters that applies.

        ``cache`` (what ``required`` was made of): the result, and each
        aggregation apart, are kept until the next commit. A query with a date
        filter then reads its year counts (which ignore that filter) from the same
        query asked without one, and its other pages read everything: a common
        name matching a fifth of a million articles is passed over once, not
        once for each filter a reader tries."""
        def keyed(used: dict, *extra) -> tuple | None:
            return None if cache is None else _facet_key(cache + extra, used)

        whole = keyed(filters)
        hit = self._facet_cache.get(whole) if whole is not None else None
        if hit is not None:
            return hit
        groups: dict[str | None, list[str]] = {}
        for name in FACETS:
            own = plan.OWN_FILTER[name]
            groups.setdefault(own if own in filters else None, []).append(name)
        out: dict[str, list] = {}
        total = None
        todo = []
        for skip, names in groups.items():
            used = {n: f for n, f in filters.items() if n != skip}
            key = keyed(used, "agg")     # the facets counted over these matches so far
            counts = (self._facet_cache.get(key) if key is not None else None) or {}
            todo.append((skip, names, used, key, counts, [n for n in names if n not in counts]))
        asked = iter(_count_groups(snap, required, [(list(used.values()), missing)
                                                    for _, _, used, _, _, missing in todo if missing]))
        for skip, names, used, key, counts, missing in todo:
            if missing:
                counts = {**counts, **next(asked)}
                self._keep(key, counts)
            for n in names:
                out[n] = hitmaker.facet_values(n, counts[n])
                if skip is None and total is None and n not in MULTI_VALUED:
                    total = sum(counts[n].values())   # each match holds one value of it
        if total is None:
            total = snap.count(plan.all_of([required] + list(filters.values())))
        result = ({n: out[n] for n in FACETS}, total)
        self._keep(whole, result)
        return result

    def _counted(self, filters: dict, cache: tuple) -> bool:
        """Whether :meth:`_facets` has this query's facets kept already."""
        return self._facet_cache.get(_facet_key(cache, filters)) is not None

    def _keep(self, key: tuple | None, value) -> None:
        if key is None:
            return
        if len(self._facet_cache) >= FACET_CACHE:
            self._facet_cache = {}
        self._facet_cache[key] = value


def _count_groups(snap: Snapshot, required, asks: list[tuple[list, list[str]]]) -> list[dict]:
    """For each (filters, facet names) of ``asks``: the facets' counts over the
    matches of ``required`` passing those filters. An engine whose every pass is a
    request (``facet_groups``) counts them all in one; any other, one pass each."""
    if len(asks) > 1 and hasattr(snap, "facet_groups"):
        return snap.facet_groups(required, asks)
    return [snap.facet_counts(plan.all_of([required] + extra), names) for extra, names in asks]


def _facet_key(cache: tuple, filters: dict) -> tuple:
    return cache + (tuple(sorted((n, repr(f)) for n, f in filters.items())),)


def _resolve(snap: Snapshot, node):
    """``node`` with every :class:`plan.Verified` replaced by its candidates
    restricted to the documents whose stored text holds the clause."""
    if isinstance(node, plan.Verified):
        keep = tuple(r for r in snap.refs(node.candidates)
                     if node.text in normalise(stored_text(snap.stored(r), node.field)))
        if not keep:
            return plan.Nothing()
        return plan.And((node.candidates, plan.Only(keep)))
    if isinstance(node, (plan.And, plan.Or)):
        return type(node)(tuple(_resolve(snap, c) for c in node.children))
    if isinstance(node, plan.Not):
        return plan.Not(_resolve(snap, node.positive), tuple(_resolve(snap, c) for c in node.negatives))
    if isinstance(node, plan.Boost):
        return plan.Boost(_resolve(snap, node.node), node.factor)
    if isinstance(node, plan.Filter):
        return plan.Filter(_resolve(snap, node.node))
    if isinstance(node, plan.Scored):
        return plan.Scored(_resolve(snap, node.required), tuple(_resolve(snap, b) for b in node.bonus))
    return node


def _group_of(snap: Snapshot, groups: list[list[tuple]], article_id: str) -> list[tuple]:
    """The story of ``groups`` that holds the article ``article_id`` ([] if none)."""
    flat = [(g, r) for g, group in enumerate(groups) for _, r, _ in group]
    for (g, _), aid in zip(flat, snap.ids([r for _, r in flat])):
        if aid == article_id:
            return groups[g]
    return []


def _quoted(parsed: ParsedQuery) -> bool:
    """Whether the reader quoted a phrase: what is quoted is meant as typed."""
    return any(c.phrase for g in parsed.groups for c in g) or any(c.phrase for c in parsed.excludes)


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)


__all__ = ["SearchEngine", "IndexMissing", "Query", "SearchResults", "date"]
