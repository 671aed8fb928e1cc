"""Would tantivy reach the engine's targets? A benchmark prototype, not a replacement.

    .venv/bin/python bench/engines.py --n 20000 --data-dir DIR

For a corpus directory made by ``bench/perf.py`` (the same synthetic corpus,
reused or made by :func:`perf.ensure_corpus`), one run measures, side by side:

build    a tantivy index of the store's live articles (the articles
         ``news-indexer reindex`` indexes, through the engine's own
         ``to_document``): ``--procs`` worker processes (forked after jieba and the
         normalisation table are loaded) tokenise batches of articles with
         :mod:`indexer.analysis`; this process turns each into a tantivy document
         and feeds one ``IndexWriter`` (``--heap-mb``, ``--writer-threads``), commits
         and waits for the merges. Timed from the first read of the store to the
         end of the merges: documents/s, index bytes on disk against the UTF-8 bytes
         of title + body, peak RSS of this process and of the largest worker.
floor    ``perf.measure_floor``: jieba precise mode over a sample, one process.
queries  the query mix of ``perf.make_queries``, each answered by tantivy (exact
         total, the page of 10 hits with their stored URL, department and year
         facet counts) and by SQLite FTS5 trigram (``perf.fts5_answer``), one
         after the other for each query so both see the same machine; p50/p95/p99.
check    for every query, tantivy's match set (filters applied) against
         ``perf.fts5_ids``; for ``--check`` of them, its total and facets against
         ``perf.fts5_facets`` and, when the data directory holds a Whoosh index, its
         match set against ``SearchEngine.match_ids``.

How the tantivy fields mirror the Whoosh ones (``indexer/schema.py``):

* ``title_ng`` / ``body_ng``: the tokens of the engine's bigram fields, from
  ``analysis.gram_postings``: bigrams of Chinese runs and whole Latin/digit words
  at sequential positions, and the last character of each Chinese run, which the
  engine puts at the position of the run's last bigram (so that a one-character
  query finds it). Two ways to hand them to tantivy (``--grams``):

  - ``text`` (default): the tokens in order joined by spaces, under tantivy's
    ``whitespace`` tokenizer, each run's last character right after its last
    bigram (positions shift by one there); a clause's phrase is built the same
    way (less the last character of its final run, where the text may go on).
    A clause of one Chinese run matches exactly what the engine's does. A
    clause of several runs (``5G中``, ``融合，发展``) the engine checks against
    the article's text; here it is answered from positions alone, which ignore
    punctuation between runs (``融合。发展`` is found too), though the lone last
    character of ``5G中`` is not found at the end of ``5G国中``, as in FTS5.
  - ``pretok``: the engine's tokens at the engine's positions exactly, handed
    over pre-tokenised (``PreTokenizedString``; a Python object per token).

  Indexed with positions; a clause is a phrase query over the grams, a one-gram
  clause a term query, a lone Chinese character a prefix (regex) query.
* ``title`` / ``body``: the jieba words of ``analysis.word_counts``, each repeated
  by its count and joined by spaces, under tantivy's ``whitespace`` tokenizer with
  frequencies (no positions): BM25 ranking only, titles boosted as the engine does.
* ``published`` (i64 seconds since 0001-01-01, -1 without a date), ``year`` (i64,
  0 without a date), ``department`` / ``column`` / ``site`` (raw strings, "" for
  none): fast and indexed, for filters, sorting and facet counts (aggregations).
* ``id`` / ``url`` stored (raw); the original title stored as bytes; the body only
  with ``--store-body`` (the crawl store holds it too). ``key`` is a fast i64 that
  maps a hit to its article id in this process (for the match-set checks).

Queries are parsed by the engine's own parser (``indexer.querylang``): groups are
ANDed, the clauses of a group ORed (with their synonyms, as the engine does;
``--no-synonyms`` turns that off), excludes are MUST_NOT, ``title:`` restricts to
the title fields; jieba words of the clauses are optional scoring clauses; filters
never score. Facets ignore their own filter (as ``indexer.search._Filters.facets``
does) and come from one aggregation over the text query, which also gives the
total; a second search gives the page (by score, or by date with ``sort=date``).
The engine's relaxation to "some of the words" when nothing has them all is not
reproduced. Match sets are checked against FTS5, which ``perf`` widens with the
same synonyms (so ``--no-synonyms`` shows up as mismatches there), and against Whoosh.

The table, then one JSON line, go to stdout; a line per phase to stderr.
Absolute times on a shared machine are noise; the ratios in one run are the point.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import tantivy  # noqa: E402

import perf  # noqa: E402
from indexer import synonyms  # noqa: E402
from indexer.analysis import (gram_postings, init_jieba, normalise, query_grams,  # noqa: E402
                              query_words, word_counts)
from indexer.article import Article  # noqa: E402
from indexer.index import to_document  # noqa: E402
from indexer.paths import index_path, store_path  # noqa: E402
from indexer.querylang import Clause, ParsedQuery, parse  # noqa: E402
from indexer.store import Store  # noqa: E402

INDEX_DIR = "bench-tantivy"
TITLE_BOOST = 3.0          # as indexer.search.TITLE_BOOST
NO_DATE = -1               # ``published`` of an article without a date: before every dated one
EPOCH = datetime(1, 1, 1)
BATCH = 32                 # articles a worker tokenises per task
PAGE = 10
TERMS_SIZE = 10000         # buckets a terms aggregation may return: more than any facet has
KEYS = ("n", "build_docs_per_s", "floor_docs_per_s", "build_vs_floor", "index_bytes_per_text_byte",
        "p50_ms", "p95_ms", "p99_ms", "fts5_p50_ms", "fts5_p95_ms", "fts5_p99_ms", "p50_vs_fts5",
        "p95_vs_fts5", "p99_vs_fts5", "queries", "set_mismatches_vs_fts5", "totals_equal_vs_fts5",
        "facets_exact", "whoosh_sets_checked", "set_mismatches_vs_whoosh", "build_peak_rss_mb")
log = perf.log


# -- schema -----------------------------------------------------------------------
def make_schema(store_body: bool = False) -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("key", fast=True)
    sb.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("url", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_bytes_field("title_text", stored=True)
    if store_body:
        sb.add_bytes_field("body_text", stored=True)
    for name in ("title", "body"):
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
        sb.add_text_field(name + "_ng", tokenizer_name="whitespace", index_option="position")
    sb.add_integer_field("published", indexed=True, fast=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    for name in ("department", "column", "site"):
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


def seconds(dt: datetime | None) -> int:
    """The ``published`` value of a (naive) datetime: whole seconds since 0001-01-01."""
    return NO_DATE if dt is None else int((dt - EPOCH).total_seconds())


# -- tokenising: in worker processes ------------------------------------------------
def words_text(text: str) -> str:
    """The jieba words of ``text`` (as the engine's word fields hold them), each as
    often as it occurs, joined by spaces: tantivy's whitespace tokenizer gives
    back the same terms and frequencies."""
    return " ".join(" ".join([w] * c) if c > 1 else w for w, c in word_counts(text).items())


def gram_sequence(text: str) -> tuple[list[str], bool]:
    """The engine's gram tokens of ``text`` (``analysis.gram_postings``) in position
    order, with the last character of each Chinese run right after the run's last
    bigram instead of at its position; and whether the final token is such a
    character. (For ``--grams text``: positions shift by one after each run.)"""
    main: dict[int, str] = {}
    tails: dict[int, str] = {}
    for g, ps in gram_postings(text).items():
        for p in ps:
            if p in main:                       # two tokens at one position: a bigram and a tail
                if len(g) < len(main[p]):
                    tails[p] = g
                else:
                    tails[p], main[p] = main[p], g
            else:
                main[p] = g
    out: list[str] = []
    for p in range(len(main)):
        out.append(main[p])
        if p in tails:
            out.append(tails[p])
    return out, bool(main) and (len(main) - 1) in tails


def tokenise(article: Article, grams: str = "text", keep_body: bool = False) -> dict:
    """A plain, picklable record of everything the tantivy document holds: the gram
    fields as postings (``pretok``) or as space-joined tokens (``text``)."""
    doc = to_document(article)
    rec = {"id": doc["id"], "url": doc["url"], "title": doc["title"], "site": doc["site"],
           "department": doc["department"], "column": doc["column"],
           "year": int(doc["year"]) if doc["year"] else 0, "published": seconds(doc.get("published")),
           "title_words": words_text(doc["title"]), "body_words": words_text(doc["body"])}
    for name in ("title", "body"):
        if grams == "pretok":
            rec[name + "_ng"] = gram_postings(doc[name])
        else:
            rec[name + "_ng"] = " ".join(gram_sequence(doc[name])[0])
    if keep_body:
        rec["body"] = doc["body"]
    return rec


def tokenise_batch(batch: list[Article], grams: str, keep_body: bool) -> list[dict]:
    return [tokenise(a, grams, keep_body) for a in batch]


def batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def tokenised(articles: Iterable[Article], pool, window: int, args: tuple = ()) -> Iterator[dict]:
    """``tokenise`` of every article, in order, at most ``window`` batches in flight
    (so the store is read as fast as the workers go, not into memory at once)."""
    pending: deque = deque()
    for batch in batches(articles, BATCH):
        pending.append(pool.apply_async(tokenise_batch, (batch, *args)))
        if len(pending) >= window:
            yield from pending.popleft().get()
    while pending:
        yield from pending.popleft().get()


# -- writing: in this process ---------------------------------------------------------
def pre_tokenized(postings: dict[str, list[int]]) -> tantivy.PreTokenizedString:
    """The gram postings as tokens at the engine's positions (no text: not stored)."""
    return tantivy.PreTokenizedString("", [tantivy.Token(g, p, 0, 0) for g, ps in postings.items() for p in ps])


def to_tantivy(rec: dict, key: int, store_body: bool) -> tantivy.Document:
    """The record of :func:`tokenise` as a tantivy document."""
    doc = tantivy.Document()
    doc.add_integer("key", key)
    doc.add_text("id", rec["id"])
    doc.add_text("url", rec["url"])
    doc.add_bytes("title_text", rec["title"].encode("utf-8"))
    if store_body:
        doc.add_bytes("body_text", rec["body"].encode("utf-8"))
    for name in ("title", "body"):
        doc.add_text(name, rec[name + "_words"])
        grams = rec[name + "_ng"]
        if isinstance(grams, str):
            doc.add_text(name + "_ng", grams)
        else:
            doc.add_pre_tokenized_text(name + "_ng", pre_tokenized(grams))
    doc.add_integer("published", rec["published"])
    doc.add_integer("year", rec["year"])
    for name in ("department", "column", "site"):
        doc.add_text(name, rec[name])
    return doc


@dataclass
class BuildOptions:
    procs: int = 2
    writer_threads: int = 1
    heap_mb: int = 256
    store_body: bool = False
    grams: str = "text"             # or "pretok": see the module docstring


def default_procs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def build_tantivy(data_dir: Path, opt: BuildOptions) -> dict:
    """Index every live article of the store into ``<data>/bench-tantivy``;
    figures, and ``ids`` (key → article id)."""
    target = data_dir / INDEX_DIR
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    init_jieba()
    normalise("")                      # the folding table, built once before the fork
    t0 = time.perf_counter()
    index = tantivy.Index(make_schema(opt.store_body), path=str(target), reuse=False)
    writer = index.writer(heap_size=opt.heap_mb * 1_000_000, num_threads=opt.writer_threads)
    ids: list[str] = []
    ctx = multiprocessing.get_context("fork")
    with Store(store_path(data_dir)) as store, ctx.Pool(opt.procs) as pool:
        for rec in tokenised(store.articles(), pool, 4 * opt.procs, (opt.grams, opt.store_body)):
            writer.add_document(to_tantivy(rec, len(ids), opt.store_body))
            ids.append(rec["id"])
        t_fed = time.perf_counter()
        writer.commit()
        writer.wait_merging_threads()
    took = time.perf_counter() - t0
    index.reload()
    size = perf.dir_bytes(target)
    tb = perf.text_bytes(data_dir)
    return {"docs": len(ids), "seconds": took, "feed_s": t_fed - t0, "docs_per_s": len(ids) / took,
            "index_bytes": size, "text_bytes": tb, "index_bytes_per_text_byte": size / tb if tb else None,
            "segments": index.searcher().num_segments,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "index": index, "ids": ids, "grams": opt.grams}


# -- queries -------------------------------------------------------------------------
@dataclass
class Answer:
    total: int
    urls: list[str]
    facets: dict[str, dict]
    ms: float = 0.0
    expanded: bool = False          # a clause was widened by its synonyms


@dataclass
class TantivyEngine:
    """The engine's query semantics over the tantivy index of :func:`build_tantivy`."""

    index: tantivy.Index
    ids: list[str]
    use_synonyms: bool = True
    grams: str = "text"
    schema: tantivy.Schema = field(init=False)
    searcher: tantivy.Searcher = field(init=False)

    def __post_init__(self) -> None:
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    # building blocks
    def clause(self, c: Clause, title_only: bool) -> tantivy.Query:
        """A verbatim match of ``c`` in the title (boosted) or the body."""
        grams = self.query_grams(c.text)
        fields = [("title_ng", TITLE_BOOST)] + ([] if (title_only or c.title_only) else [("body_ng", 1.0)])
        parts = [tantivy.Query.boost_query(self.gram_query(name, grams), boost) for name, boost in fields]
        return parts[0] if len(parts) == 1 else _any(parts)

    def query_grams(self, text: str) -> list[str]:
        """The gram phrase of a clause: ``analysis.query_grams``, or with ``--grams text``
        the index's sequence of the clause less a final run's last character (the
        text may go on after it)."""
        if self.grams == "pretok":
            return query_grams(text)
        seq, tail_last = gram_sequence(text)
        return seq[:-1] if tail_last else seq

    def gram_query(self, name: str, grams: list[str]) -> tantivy.Query:
        if len(grams) > 1:
            return tantivy.Query.phrase_query(self.schema, name, grams)
        g = grams[0]
        if len(g) == 1 and "\u3400" <= g <= "\u9fff":      # one Chinese character: every gram it starts
            return tantivy.Query.regex_query(self.schema, name, g + ".*")
        return tantivy.Query.term_query(self.schema, name, g, index_option="position")

    def alternatives(self, c: Clause) -> list[str]:
        """What else an unquoted clause finds (``indexer.search._alternatives``)."""
        return [] if (c.phrase or not self.use_synonyms) else synonyms.expand(c.text)

    def group(self, group: list[Clause], title_only: bool) -> tantivy.Query:
        qs = []
        for c in group:
            qs.append(self.clause(c, title_only))
            qs += [self.clause(Clause(text=alt, title_only=c.title_only), title_only)
                   for alt in self.alternatives(c)]
        return qs[0] if len(qs) == 1 else _any(qs)

    def required(self, parsed: ParsedQuery, title_only: bool = False) -> tantivy.Query:
        """Every group, none of the excludes (the engine's ``_positive``)."""
        subs = [(tantivy.Occur.Must, self.group(g, title_only)) for g in parsed.groups]
        if not subs:
            subs = [(tantivy.Occur.Must, tantivy.Query.all_query())]
        subs += [(tantivy.Occur.MustNot, self.clause(c, c.title_only)) for c in parsed.excludes]
        return subs[0][1] if len(subs) == 1 else tantivy.Query.boolean_query(subs)

    def bonus(self, parsed: ParsedQuery, title_only: bool = False) -> list[tantivy.Query]:
        """The clauses' jieba words as optional scoring terms (the engine's ``_with_bonus``)."""
        words = list(dict.fromkeys(w for g in parsed.groups for c in g for w in query_words(c.text) if w.strip()))
        out = [tantivy.Query.boost_query(self.term("title", w), TITLE_BOOST) for w in words]
        if not title_only:
            out += [self.term("body", w) for w in words]
        return out

    def term(self, name: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, name, value, index_option="freq")

    def filters(self, spec: perf.Spec) -> list[tantivy.Query]:
        """Date and department filters, scoring nothing."""
        out = []
        lo, hi = date_bounds(spec)
        if lo is not None:
            out.append(tantivy.Query.range_query(self.schema, "published", tantivy.FieldType.Integer, lo, hi))
        if spec.depts:
            out.append(tantivy.Query.term_set_query(self.schema, "department", spec.depts))
        return [tantivy.Query.const_score_query(q, 0.0) for q in out]

    def expanded(self, parsed: ParsedQuery) -> bool:
        return any(self.alternatives(c) for g in parsed.groups for c in g)

    # answers
    def answer(self, spec: perf.Spec) -> Answer:
        """Total, the page of hits and the facet counts, as ``/api/search`` gives them."""
        t0 = time.perf_counter()
        parsed = parse(spec.q)
        required = self.required(parsed)
        facets, total = self.facets(required, spec)
        urls: list[str] = []
        start = (spec.page - 1) * PAGE
        if start < total:
            by_date = spec.sort == "date" or parsed.empty
            subs = [(tantivy.Occur.Must, required)] + [(tantivy.Occur.Must, f) for f in self.filters(spec)]
            if not by_date:
                subs += [(tantivy.Occur.Should, b) for b in self.bonus(parsed)]
            q = subs[0][1] if len(subs) == 1 else tantivy.Query.boolean_query(subs)
            res = self.searcher.search(q, limit=PAGE, offset=start, count=False,
                                       order_by_field="published" if by_date else None,
                                       order=tantivy.Order.Desc)
            urls = [self.searcher.doc(addr).get_first("url") for _, addr in res.hits]
        return Answer(total, urls, facets, (time.perf_counter() - t0) * 1000, self.expanded(parsed))

    def facets(self, required: tantivy.Query, spec: perf.Spec) -> tuple[dict[str, dict], int]:
        """Department and year counts, each ignoring its own filter, and the total,
        from one aggregation over the text query (see :func:`facet_aggs`)."""
        lo, hi = date_bounds(spec)
        agg = self.searcher.aggregate(required, facet_aggs(spec, lo, hi))
        return read_facets(agg, spec, lo is not None)

    def match_ids(self, spec: perf.Spec) -> set[str]:
        """The ids of every article matching ``spec``, filters applied (untimed)."""
        parsed = parse(spec.q)
        subs = [(tantivy.Occur.Must, self.required(parsed))] + [(tantivy.Occur.Must, f) for f in self.filters(spec)]
        q = subs[0][1] if len(subs) == 1 else tantivy.Query.boolean_query(subs)
        res = self.searcher.search(q, limit=max(1, self.searcher.num_docs), count=False)
        keys = self.searcher.fast_field_values("key", [addr for _, addr in res.hits])
        return {self.ids[k] for k in keys}


def _any(qs: list[tantivy.Query]) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in qs])


def date_bounds(spec: perf.Spec) -> tuple[int | None, int | None]:
    """``published`` bounds (inclusive) of the spec's dates, or (None, None): from the
    start of ``date_from`` to the last second of ``date_to``; undated articles never pass."""
    if not (spec.date_from or spec.date_to):
        return None, None
    lo = seconds(datetime.fromisoformat(spec.date_from)) if spec.date_from else 0
    hi = seconds(datetime.fromisoformat(spec.date_to)) + 86399 if spec.date_to else None
    return lo, hi


def facet_aggs(spec: perf.Spec, lo: int | None, hi: int | None) -> dict:
    """One aggregation request over the text query giving every facet count:

    * department counts must see the date filter, not the department filter: a
      range bucket of the dates, split by department (or, with no dates, the
      department terms at the top);
    * year counts must see the department filter, not the dates: the department
      terms split by year, summed over the chosen departments (or, with no
      departments, the year terms at the top).
    """
    terms = {"dept": {"terms": {"field": "department", "size": TERMS_SIZE}}}
    years = {"terms": {"field": "year", "size": TERMS_SIZE}}
    aggs: dict = {}
    if spec.depts:
        aggs["dept"] = {**terms["dept"], "aggs": {"year": years}}
    else:
        aggs["year"] = years
    if lo is not None:
        rng = {"from": lo} if hi is None else {"from": lo, "to": hi + 1}
        aggs["dates"] = {"range": {"field": "published", "ranges": [{"key": "in", **rng}]}, "aggs": terms}
    else:
        aggs.setdefault("dept", terms["dept"])
    return aggs


def read_facets(agg: dict, spec: perf.Spec, dated: bool) -> tuple[dict[str, dict], int]:
    """The facet counts (as ``perf.fts5_facets`` gives them) and the total of :func:`facet_aggs`."""
    if dated:
        bucket = next(b for b in agg["dates"]["buckets"] if b["key"] == "in")
        dept_buckets = bucket.get("dept", {}).get("buckets", [])
    else:
        dept_buckets = agg["dept"]["buckets"]
    dept = {b["key"] or None: b["doc_count"] for b in dept_buckets}
    if spec.depts:
        chosen = set(spec.depts)
        year: dict = {}
        for b in agg["dept"]["buckets"]:
            if b["key"] in chosen:
                for y in b["year"]["buckets"]:
                    year[y["key"]] = year.get(y["key"], 0) + y["doc_count"]
        total = sum(c for d, c in dept.items() if d in chosen)
    else:
        year = {y["key"]: y["doc_count"] for y in agg["year"]["buckets"]}
        total = sum(dept.values())
    years = {(str(int(y)) if y else None): c for y, c in year.items() if c}
    return {"department": dept, "year": years}, total


# -- timing and checking ---------------------------------------------------------------
def measure_queries(engine: TantivyEngine, data_dir: Path, specs: list[perf.Spec], warmup: int = 20) -> dict:
    """Each query by tantivy then by FTS5, in one loop; the answers and the times."""
    db = perf.open_fts5(data_dir)
    for s in specs[:warmup]:
        engine.answer(s)
        perf.fts5_answer(db, s)
    answers, fts = [], []
    for s in specs:
        answers.append(engine.answer(s))
        t0 = time.perf_counter()
        total, urls = perf.fts5_answer(db, s)
        fts.append({"total": total, "urls": urls, "ms": (time.perf_counter() - t0) * 1000})
    db.close()
    return {"answers": answers, "fts5": fts, "times": [a.ms for a in answers],
            "fts5_times": [f["ms"] for f in fts]}


def check(engine: TantivyEngine, data_dir: Path, specs: list[perf.Spec], answers: list[Answer],
          fts: list[dict], sample: int) -> dict:
    """How tantivy's answers agree with FTS5 (every query's match set; totals and
    facets of the first ``sample``) and with the Whoosh engine (match sets of the
    first ``sample``, when the data directory holds its index)."""
    db = perf.open_fts5(data_dir)
    whoosh = _open_whoosh(data_dir)
    out = {"sets_checked": 0, "set_mismatches": 0, "totals_checked": 0, "totals_equal": 0,
           "facets_checked": 0, "facet_mismatches": 0, "whoosh_sets_checked": 0, "whoosh_set_mismatches": 0,
           "expanded_queries": sum(a.expanded for a in answers), "examples": []}
    try:
        for i, (s, a, f) in enumerate(zip(specs, answers, fts)):
            got, want = engine.match_ids(s), perf.fts5_ids(db, s)
            out["sets_checked"] += 1
            if got != want:
                out["set_mismatches"] += 1
                _example(out, s, "fts5 set", len(got), len(want), sorted(got - want)[:3], sorted(want - got)[:3])
            if i >= sample:
                continue
            mine = a
            out["totals_checked"] += 1
            out["totals_equal"] += mine.total == f["total"]
            out["facets_checked"] += 1
            want_facets = perf.fts5_facets(db, s)
            if mine.facets != want_facets:
                out["facet_mismatches"] += 1
                _example(out, s, "facets", mine.facets, want_facets)
            if whoosh is not None:
                e = perf.engine_ids(whoosh, s)
                if e is not None:
                    mine_ids = engine.match_ids(s)
                    out["whoosh_sets_checked"] += 1
                    if mine_ids != e:
                        out["whoosh_set_mismatches"] += 1
                        _example(out, s, "whoosh set", len(mine_ids), len(e), sorted(mine_ids - e)[:3],
                                 sorted(e - mine_ids)[:3])
    finally:
        db.close()
        if whoosh is not None:
            whoosh.close()
    return out


def _example(out: dict, spec: perf.Spec, what: str, *detail) -> None:
    if len(out["examples"]) < 10:
        out["examples"].append({"what": what, "params": spec.params(), "detail": detail})


def _open_whoosh(data_dir: Path):
    """The Whoosh engine over the data directory's index, or None when there is none."""
    if not index_path(data_dir).exists():
        return None
    from indexer.search import IndexMissing, SearchEngine
    try:
        return SearchEngine(index_path(data_dir))
    except IndexMissing:
        return None


# -- the run ------------------------------------------------------------------------------
@dataclass
class Options:
    n: int = 20000
    data_dir: Path | None = None
    seed: int = 1
    queries: int = 1000
    floor_sample: int = 10000
    check: int = 200
    synonyms: bool = True
    build: BuildOptions = field(default_factory=BuildOptions)


def run(opt: Options) -> dict:
    data_dir = opt.data_dir or (perf.OUT_DIR / f"data-s{opt.seed}")
    n = opt.n
    c = perf.ensure_corpus(data_dir, n, opt.seed)
    log(f"[{n}] corpus: {'reused' if c['reused'] else 'generated'} in {c['seconds']:.1f}s")

    b = build_tantivy(data_dir, opt.build)
    log(f"[{n}] tantivy build: {b['seconds']:.1f}s, {b['docs_per_s']:.0f} docs/s, index "
        f"{b['index_bytes'] / 1e6:.1f} MB = {b['index_bytes_per_text_byte']:.2f}x text, {b['segments']} segments, "
        f"peak RSS {b['peak_rss_mb']:.0f} MB (workers {b['worker_peak_rss_mb']:.0f} MB)")

    rows = perf.live_rows(data_dir, min(n, opt.floor_sample), seed=11)
    floor = perf.measure_floor(rows)
    log(f"[{n}] floor: jieba.lcut {floor['docs_per_s']:.0f} docs/s on {len(rows)} docs")

    fb = perf.build_fts5(data_dir)
    log(f"[{n}] fts5: built in {fb['seconds']:.1f}s")
    engine = TantivyEngine(b["index"], b["ids"], use_synonyms=opt.synonyms, grams=b["grams"])
    specs = perf.make_queries(data_dir, opt.queries)
    q = measure_queries(engine, data_dir, specs)
    log(f"[{n}] queries: tantivy p50 {perf.pct(q['times'], 0.5):.2f} p95 {perf.pct(q['times'], 0.95):.2f} ms; "
        f"fts5 p50 {perf.pct(q['fts5_times'], 0.5):.2f} p95 {perf.pct(q['fts5_times'], 0.95):.2f} ms")

    cmp_ = check(engine, data_dir, specs, q["answers"], q["fts5"], opt.check)
    log(f"[{n}] agreement: {cmp_['set_mismatches']} of {cmp_['sets_checked']} match sets differ from FTS5, "
        f"{cmp_['whoosh_set_mismatches']} of {cmp_['whoosh_sets_checked']} from Whoosh, "
        f"{cmp_['facet_mismatches']} of {cmp_['facets_checked']} facet sets from SQLite")
    for ex in cmp_["examples"]:
        log(f"  mismatch: {json.dumps(ex, ensure_ascii=False, default=str)[:400]}")
    return summary(n, b, floor, fb, q, cmp_, specs)


def summary(n: int, b: dict, floor: dict, fb: dict, q: dict, cmp_: dict, specs: list[perf.Spec]) -> dict:
    r3, ratio, pct = perf.r3, perf.ratio, perf.pct
    t, f = q["times"], q["fts5_times"]
    by_kind: dict[str, list[float]] = {}
    for s, ms in zip(specs, t):
        by_kind.setdefault(s.kind, []).append(ms)
    out = {
        "n": n, "build_docs_per_s": r3(b["docs_per_s"], 1), "floor_docs_per_s": r3(floor["docs_per_s"], 1),
        "build_vs_floor": r3(ratio(b["docs_per_s"], floor["docs_per_s"])),
        "index_bytes_per_text_byte": r3(b["index_bytes_per_text_byte"]),
        "p50_ms": r3(pct(t, 0.5), 2), "p95_ms": r3(pct(t, 0.95), 2), "p99_ms": r3(pct(t, 0.99), 2),
        "fts5_p50_ms": r3(pct(f, 0.5), 2), "fts5_p95_ms": r3(pct(f, 0.95), 2), "fts5_p99_ms": r3(pct(f, 0.99), 2),
        "p50_vs_fts5": r3(ratio(pct(t, 0.5), pct(f, 0.5))), "p95_vs_fts5": r3(ratio(pct(t, 0.95), pct(f, 0.95))),
        "p99_vs_fts5": r3(ratio(pct(t, 0.99), pct(f, 0.99))), "queries": len(specs),
        "set_mismatches_vs_fts5": cmp_["set_mismatches"], "sets_checked_vs_fts5": cmp_["sets_checked"],
        "totals_equal_vs_fts5": r3(ratio(cmp_["totals_equal"], cmp_["totals_checked"]), 4),
        "facets_exact": cmp_["facet_mismatches"] == 0 if cmp_["facets_checked"] else None,
        "facets_checked": cmp_["facets_checked"],
        "whoosh_sets_checked": cmp_["whoosh_sets_checked"], "set_mismatches_vs_whoosh": cmp_["whoosh_set_mismatches"],
        "expanded_queries": cmp_["expanded_queries"],
        "build_s": r3(b["seconds"], 2), "build_feed_s": r3(b["feed_s"], 2),
        "build_peak_rss_mb": r3(b["peak_rss_mb"], 1), "build_worker_peak_rss_mb": r3(b["worker_peak_rss_mb"], 1),
        "index_mb": r3(b["index_bytes"] / 1e6, 1), "text_mb": r3(b["text_bytes"] / 1e6, 1),
        "segments": b["segments"], "fts5_build_s": r3(fb["seconds"], 2), "fts5_mb": r3(fb["bytes"] / 1e6, 1),
        "query_by_kind": {k: {"n": len(v), "p50_ms": r3(pct(v, 0.5), 2), "p95_ms": r3(pct(v, 0.95), 2)}
                          for k, v in sorted(by_kind.items())},
        "examples": cmp_["examples"],
    }
    out["targets"] = {
        "build_ge_half_floor": out["build_vs_floor"] >= 0.5,
        "index_le_3x_text": out["index_bytes_per_text_byte"] <= 3.0,
        "p50_le_fts5": out["p50_vs_fts5"] <= 1.0, "p95_le_fts5": out["p95_vs_fts5"] <= 1.0,
        "same_sets_as_fts5": cmp_["set_mismatches"] == 0, "facets_exact": out["facets_exact"],
    }
    return out


def table(s: dict) -> str:
    rows = [
        ("tantivy build (s)", "build_s"), ("tantivy build docs/s", "build_docs_per_s"),
        ("floor: jieba.lcut docs/s (1 proc)", "floor_docs_per_s"),
        ("build / floor (target >= 0.5)", "build_vs_floor"),
        ("peak RSS writer / worker (MB)", ("build_peak_rss_mb", "build_worker_peak_rss_mb")),
        ("text (MB)", "text_mb"), ("tantivy index (MB)", "index_mb"),
        ("index / text (target <= 3)", "index_bytes_per_text_byte"), ("segments", "segments"),
        ("tantivy p50 / p95 / p99 (ms)", ("p50_ms", "p95_ms", "p99_ms")),
        ("fts5 p50 / p95 / p99 (ms)", ("fts5_p50_ms", "fts5_p95_ms", "fts5_p99_ms")),
        ("tantivy / fts5 p50 / p95 / p99 (target <= 1)", ("p50_vs_fts5", "p95_vs_fts5", "p99_vs_fts5")),
        ("match sets differing from fts5", ("set_mismatches_vs_fts5", "sets_checked_vs_fts5")),
        ("match sets differing from whoosh", ("set_mismatches_vs_whoosh", "whoosh_sets_checked")),
        ("totals equal to fts5 (share)", "totals_equal_vs_fts5"), ("facets exact", "facets_exact"),
        ("queries widened by synonyms", "expanded_queries"),
    ]
    width = max(len(label) for label, _ in rows) + 2
    lines = [f"{'':{width}}n={s['n']}"]
    for label, key in rows:
        keys = key if isinstance(key, tuple) else (key,)
        lines.append(f"{label:{width}}" + " / ".join("-" if s.get(k) is None else str(s[k]) for k in keys))
    lines.append("query p50/p95 by kind (ms): " + ", ".join(
        f"{k} {v['p50_ms']}/{v['p95_ms']} (n={v['n']})" for k, v in s["query_by_kind"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Measure a tantivy prototype of the engine against FTS5 trigram.")
    p.add_argument("--n", type=int, default=20000, help="articles (default 20000)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="the corpus directory (default bench/out/data-s<seed>, as bench/perf.py; reused)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--queries", type=int, default=1000, help="queries in the mix (default 1000)")
    p.add_argument("--floor-sample", type=int, default=10000, help="documents for the jieba floor")
    p.add_argument("--check", type=int, default=200,
                   help="queries whose totals and facets (and Whoosh match sets) are checked; "
                        "every query's match set is checked against FTS5")
    p.add_argument("--procs", type=int, default=default_procs(), help="tokenising processes (default: cores)")
    p.add_argument("--writer-threads", type=int, default=1, help="tantivy indexing threads (default 1)")
    p.add_argument("--heap-mb", type=int, default=256, help="tantivy writer heap (default 256 MB)")
    p.add_argument("--grams", choices=("text", "pretok"), default="text",
                   help="gram fields as space-joined text, each run's last character after its last "
                        "bigram (default), or pre-tokenised at the engine's positions exactly")
    p.add_argument("--store-body", action="store_true", help="also store the body in tantivy")
    p.add_argument("--no-synonyms", action="store_true", help="answer clauses without their synonyms")
    a = p.parse_args(argv)
    opt = Options(n=a.n, data_dir=a.data_dir, seed=a.seed, queries=a.queries, floor_sample=a.floor_sample,
                  check=a.check, synonyms=not a.no_synonyms,
                  build=BuildOptions(procs=a.procs, writer_threads=a.writer_threads, heap_mb=a.heap_mb,
                                     store_body=a.store_body, grams=a.grams))
    s = run(opt)
    print(table(s))
    print(json.dumps(s, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
