"""Searching a Whoosh index: one searcher per thread and commit, the columns and
the leaf results of a commit shared by all of them.

Whoosh reads its postings in Python, so this module keeps what a request would
otherwise read again and again per searcher (a searcher sees one commit): the
facet, date and id columns as lists, the documents of each leaf node of a plan
(a phrase, a term, a filter value) as sorted docnum lists, so counts and facets
are set operations and a query's every match is never scored, only its best
candidates are."""
from __future__ import annotations

import heapq
import json
import threading
from collections import Counter, OrderedDict
from pathlib import Path

from whoosh import index as windex
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from indexer import plan as p
from indexer.documents import GRAM_FIELDS as _GRAM_FIELDS, MULTI_VALUED, TEXT_FIELDS
from indexer.engines.whoosh.postings import block_ids, postings_blocks
from indexer.engines.whoosh.schema import SEP
from indexer.stories import Signature, from_columns

#: what the searchers of one commit keep of the leaf results they have read, shared by
#: every thread: at most this many entries, and this many documents in all (a leaf of
#: a common word holds most of the corpus; 8 threads each keeping 4,096 leaves held
#: gigabytes at 20,000 articles)
LEAF_CACHE = 4096
LEAF_CACHE_DOCS = 4_000_000


class LeafCache:
    """The leaf results of one commit, shared by its searchers in every thread:
    least recently used first out, bounded in entries and in documents held."""

    def __init__(self, entries: int = LEAF_CACHE, docs: int = LEAF_CACHE_DOCS) -> None:
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries, self._max_docs = entries, docs
        self.docs = 0

    def get(self, key, make):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found[0]
        value = make()      # outside the lock: another thread may read the same leaf meanwhile
        size = len(value) if hasattr(value, "__len__") else 1
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, size)
                self.docs += size
                while self._items and (len(self._items) > self._max_entries or self.docs > self._max_docs):
                    _, (_, old) = self._items.popitem(last=False)
                    self.docs -= old
        return value

    def __len__(self) -> int:
        return len(self._items)


class WhooshSnapshot:
    """One searcher (one commit) of one thread, with the columns and leaf
    results the searchers of that commit have read."""

    def __init__(self, searcher, columns: dict, leaves: LeafCache) -> None:
        self._s = searcher
        self._columns = columns
        self._leaves = leaves
        self.num_docs = searcher.doc_count()

    # -- columns --------------------------------------------------------------------
    def _column(self, name: str) -> list:
        col = self._columns.get(name)
        if col is None:
            reader = self._s.reader()
            col = list(reader.column_reader(name)) if reader.doc_count_all() else []
            if name == "fold":
                col = [from_columns(int.from_bytes(v[:8], "big"), int.from_bytes(v[8:], "big")) for v in col]
            elif name != "published":
                col = [v.decode("utf-8") if isinstance(v, bytes) else v for v in col]
            if name in MULTI_VALUED:
                col = [tuple(v.split(SEP)) for v in col]
            self._columns[name] = col
        return col

    # -- the leaves Whoosh's own queries answer ------------------------------------------
    @staticmethod
    def _leaf_query(n: p.Node):
        """A prefix, or a mixed clause's patterns: every pattern anywhere in the field,
        a superset of the positional pattern that the searcher narrows by the stored text."""
        if isinstance(n, p.Prefix):
            return wq.Prefix(n.field, n.prefix)
        return wq.And([_pattern_query(n.field, x) for x in n.patterns])

    # -- documents of a node, as set operations -----------------------------------------
    def _cached(self, key, make):
        return self._leaves.get(key, make)

    def docs(self, n: p.Node) -> list[int]:
        """The sorted global docnums of ``n``'s matches."""
        if isinstance(n, p.Term):
            return self._cached(("docs", n), lambda: sorted(self._tf(n.field, n.text)))
        if isinstance(n, (p.Phrase, p.Prefix, p.Patterns, p.Range, p.AnyOf, p.Everything)):
            return self._cached(("docs", n), lambda: self._leaf_docs(n))
        if isinstance(n, p.Nothing):
            return []
        if isinstance(n, p.Only):
            return sorted(n.refs)
        if isinstance(n, (p.Filter, p.Boost)):
            return self.docs(n.node)
        if isinstance(n, p.Scored):
            return self.docs(n.required)
        if isinstance(n, p.And):
            parts = sorted((self.docs(c) for c in n.children), key=len)
            acc = set(parts[0])
            for part in parts[1:]:
                if not acc:
                    break
                acc.intersection_update(part)
            return sorted(acc)
        if isinstance(n, p.Or):
            acc = set()
            for c in n.children:
                acc.update(self.docs(c))
            return sorted(acc)
        if isinstance(n, p.Not):
            acc = set(self.docs(n.positive))
            for c in n.negatives:
                acc.difference_update(self.docs(c))
            return sorted(acc)
        raise TypeError(f"the Whoosh engine cannot answer {type(n).__name__} (resolve it first)")

    def _live(self) -> list[int]:
        """Every live docnum, in order (read once per searcher)."""
        return self._cached(("live",), lambda: list(self._s.reader().all_doc_ids()))

    def _leaf_docs(self, n: p.Node) -> list[int]:
        s = self._s
        if isinstance(n, p.Everything):
            return self._live()
        if isinstance(n, p.Range):
            pub = self._column("published")
            lo = n.lo if n.lo is not None else float("-inf")
            hi = n.hi if n.hi is not None else float("inf")
            return [d for d in self._live() if lo <= pub[d] <= hi]
        if isinstance(n, p.AnyOf):
            col, values = self._column(n.field), set(n.values)
            if n.field in MULTI_VALUED:
                return [d for d in self._live() if not values.isdisjoint(col[d])]
            return [d for d in self._live() if col[d] in values]
        if isinstance(n, p.Phrase):
            return self._phrase_docs(n)
        return sorted(s.docs_for_query(self._leaf_query(n)))

    def _phrase_docs(self, n: p.Phrase) -> list[int]:
        """A phrase's documents: those whose word field holds the run as one jieba
        word certainly contain it; only the others are checked over positions."""
        word_field = n.field[:-3]
        sure = set(self._tf(word_field, n.text)) if word_field in TEXT_FIELDS else set()
        candidates = None
        for tok in sorted(set(n.tokens), key=lambda t: len(self._tf(n.field, t))):
            ds = self._tf(n.field, tok).keys()
            candidates = set(ds) if candidates is None else candidates.intersection(ds)
            if not candidates:
                break
        rest = (candidates or set()) - sure
        if rest:
            sure.update(self._at_consecutive_positions(n.field, n.tokens, sorted(rest)))
        return sorted(sure)

    def _at_consecutive_positions(self, field: str, tokens: tuple[str, ...], docs: list[int]):
        """Those of ``docs`` (each holding every token) where ``tokens`` stand at
        consecutive positions of ``field``. Each token's positions are read for
        those documents only, a posting block at a time, the rarest token first
        (Whoosh's span matching does the same with a skip and an object per span,
        several times slower)."""
        starts: dict[int, set[int]] | None = None
        wanted = set(docs)
        seen: dict[str, dict[int, list[int]]] = {}
        order = sorted(range(len(tokens)), key=lambda i: len(self._tf(field, tokens[i])))
        for i in order:
            tok = tokens[i]
            if tok not in seen:
                seen[tok] = self._positions(field, tok, wanted)
            at = seen[tok]
            if starts is None:
                starts = {d: {q - i for q in ps} for d, ps in at.items()}
            else:
                kept = {}
                for d, st in starts.items():
                    ps = at.get(d)
                    if ps:
                        st = st.intersection([q - i for q in ps])
                        if st:
                            kept[d] = st
                starts = kept
            if not starts:
                return []
            wanted = set(starts)
        return list(starts or ())

    def _positions(self, field: str, text: str, wanted: set[int]) -> dict[int, list[int]]:
        """docnum → positions of ``text`` in ``field``, for the ``wanted`` documents."""
        out: dict[int, list[int]] = {}
        decode = self._s.schema[field].format.decode_positions
        for sub, offset in self._s.leaf_searchers():
            reader = sub.reader()
            local = {d - offset for d in wanted if offset <= d < offset + reader.doc_count_all()}
            if not local:
                continue
            try:
                m = reader.postings(field, text)
            except TermNotFound:
                continue
            leaf = m.child if isinstance(m, FilterMatcher) else m
            first = min(local)
            if not isinstance(leaf, W3LeafMatcher):
                while m.is_active():
                    if m.id() in local:
                        out[m.id() + offset] = m.value_as("positions")
                    m.next()
                continue
            while leaf.is_active():
                ids = block_ids(leaf)
                if ids[-1] >= first and not local.isdisjoint(ids):
                    leaf._read_values()
                    values = leaf._values
                    for j, d in enumerate(ids):
                        if d in local:
                            out[d + offset] = decode(values[j])
                leaf._next_block()
        return out

    # -- scores -------------------------------------------------------------------------
    def _lengths(self, field: str) -> list[int]:
        def make():
            reader = self._s.reader()
            length = reader.doc_field_length
            return [length(d, field, 0) for d in range(reader.doc_count_all())]
        return self._cached(("len", field), make)

    def _tf(self, field: str, text: str) -> dict[int, float]:
        """docnum → the term's weight in each live document holding it (its
        frequency there): its postings, read once per commit, a block at a time
        in C (a dict from the block's arrays); BM25 is taken later, and only for
        the documents a query scores (:meth:`_add`)."""
        return self._cached(("tf", field, text), lambda: self._read_tf(field, text))

    def _read_tf(self, field: str, text: str) -> dict[int, float]:
        out: dict[int, float] = {}
        if not self._s.doc_count_all():
            return out   # an index with no segment yet
        for sub, offset in self._s.leaf_searchers():
            for ids, weights in postings_blocks(sub.reader(), field, text):
                out.update(zip(map(offset.__add__, ids) if offset else ids, weights))
        return out

    def _score(self, n: p.Node, allowed: set, boost: float, acc: dict) -> None:
        """Add to ``acc`` (docnum → score) what ``n`` scores on the ``allowed``
        documents: a term its BM25 weight, a phrase its grams', a prefix or a
        pattern a constant (as Lucene's multi-term queries), filters nothing;
        compound nodes the sum of their parts."""
        if isinstance(n, p.Term):
            self._add(n.field, n.text, allowed, boost, acc)
        elif isinstance(n, p.Phrase):
            for tok in dict.fromkeys(n.tokens):
                self._add(n.field, tok, allowed, boost, acc)
        elif isinstance(n, (p.Prefix, p.Patterns)):
            get = acc.get
            for d in allowed.intersection(self.docs(n)):
                acc[d] = get(d, 0.0) + boost
        elif isinstance(n, p.Boost):
            self._score(n.node, allowed, boost * n.factor, acc)
        elif isinstance(n, (p.And, p.Or)):
            for c in n.children:
                self._score(c, allowed, boost, acc)
        elif isinstance(n, p.Not):
            self._score(n.positive, allowed, boost, acc)
        elif isinstance(n, p.Scored):
            self._score(n.required, allowed, boost, acc)
            for b in n.bonus:
                self._score(b, allowed, boost, acc)
        # Filter, Only, Range, AnyOf, Everything, Nothing: they score nothing

    def _add(self, field: str, text: str, allowed: set, boost: float, acc: dict) -> None:
        """Add the term's BM25 weight (Whoosh's BM25F, B 0.75, K1 1.2) on each of
        the ``allowed`` documents that hold it to ``acc``, times ``boost``."""
        if field not in TEXT_FIELDS and field not in _GRAM_FIELDS:
            return   # a keyword: it matches, it scores nothing
        tf = self._tf(field, text)
        if not tf:
            return
        s = self._s
        idf, avg = s.idf(field, text), s.avg_field_length(field) or 1.0
        lengths = self._lengths(field)
        k1, b = 1.2, 0.75
        norm, per_length = k1 * (1 - b), k1 * b / avg
        get = acc.get
        for d in tf.keys() & allowed:   # the smaller of the two is iterated
            w = tf[d]
            acc[d] = get(d, 0.0) + idf * (w * (k1 + 1)) / (w + norm + per_length * lengths[d]) * boost

    # -- answering -------------------------------------------------------------------
    def top(self, node, limit: int):
        if limit <= 0:
            return []
        allowed = set(self.docs(node))
        if not allowed:
            return []
        scores: dict[int, float] = {}
        self._score(node, allowed, 1.0, scores)
        get = scores.get
        best = heapq.nlargest(limit, allowed, key=lambda d: (get(d, 0.0), -d))
        return [(get(d, 0.0), d) for d in best]

    def newest(self, node, limit: int):
        if limit <= 0:
            return []
        pub = self._column("published")
        return heapq.nlargest(limit, self.docs(node), key=pub.__getitem__)

    def oldest(self, node, limit: int):
        if limit <= 0:
            return []
        pub = self._column("published")
        return heapq.nsmallest(limit, self.docs(node), key=pub.__getitem__)

    def count(self, node) -> int:
        return len(self.docs(node))

    def refs(self, node):
        return self.docs(node)

    def facet_counts(self, node, names):
        docs = self.docs(node)
        out = {}
        for name in names:
            col = self._column(name)
            if name in MULTI_VALUED:
                out[name] = dict(Counter(v for d in docs for v in col[d]))
            else:
                out[name] = dict(Counter(map(col.__getitem__, docs)))
        return out

    def published(self, refs):
        pub = self._column("published")
        return [pub[r] for r in refs]

    def ids(self, refs):
        col = self._column("id")
        return [col[r] for r in refs]

    def signatures(self, refs) -> list[Signature]:
        col = self._column("fold")
        return [col[r] for r in refs]

    def stored(self, ref) -> dict:
        raw = self._s.stored_fields(ref)["stored"]
        return json.loads(raw)

    def find(self, article_id: str):
        return self._s.document_number(id=article_id)

    def terms(self, field: str):
        """Every term of ``field`` with its document frequency, summed over the
        segments: each segment's terms read on their own (Whoosh's merged listing of
        several segments, a heap in Python, took five times as long)."""
        reader = self._s.reader()
        if field not in reader.indexed_field_names():
            return
        df: dict = {}
        for leaf, _ in reader.leaf_readers():
            if field in leaf.indexed_field_names():
                for text, info in leaf.iter_field(field):
                    df[text] = df.get(text, 0) + info.doc_frequency()
        for text, n in df.items():
            yield (text.decode("utf-8") if isinstance(text, bytes) else text), n

def _pattern_query(field: str, x: p.Pattern):
    if x.open_before:
        return wq.Wildcard(field, "*" + x.text + ("*" if x.open_after else ""))
    if x.open_after:
        return wq.Prefix(field, x.text)
    return wq.Term(field, x.text)


class WhooshReader:
    """One searcher per thread (Whoosh's readers are not shared across threads),
    each refreshed when the index has a newer commit; the columns and leaf results
    of a commit are read once and shared by all of them."""

    def __init__(self, path: Path) -> None:
        self._ix = windex.open_dir(str(path))
        self._local = threading.local()
        self._version = self._ix.latest_generation()
        self._lock = threading.Lock()
        self._shared: tuple = (None, {}, LeafCache())

    def _commit_state(self, version) -> tuple[dict, LeafCache]:
        with self._lock:
            if self._shared[0] != version:
                self._shared = (version, {}, LeafCache())
            return self._shared[1], self._shared[2]

    def snapshot(self) -> WhooshSnapshot:
        local = self._local
        state = getattr(local, "state", None)
        with self._lock:
            version, ix = self._version, self._ix
        if state is None or state[0] != version:
            if state is not None:
                state[1].close()
            searcher = ix.searcher()
            # the commit the searcher really opened: the newest on disk, which a commit
            # made since the last reload makes newer than ``version``; what the
            # searchers of one commit share is keyed by it, never by ``version``
            state = local.state = (version, searcher, searcher.reader().generation())
        columns, leaves = self._commit_state(state[2])
        return WhooshSnapshot(state[1], columns, leaves)

    def reload(self) -> None:
        with self._lock:
            latest = self._ix.latest_generation()
            if latest != self._version:
                self._ix = windex.open_dir(self._ix.storage.folder)
                self._version = latest

    def close(self) -> None:
        state = getattr(self._local, "state", None)
        if state is not None:
            state[1].close()
            self._local.state = None
