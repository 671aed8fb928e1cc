"""The Whoosh engine (``whoosh-reloaded``): pure Python, nothing compiled on the
server, for one college's few thousand articles a year.

The same records as every engine (:mod:`indexer.documents`): the word fields
with frequencies and the bigram fields with positions, both split on white
space (the tokens arrive cut), so phrases are exact over positions; ``id``
(unique, a column) to replace, get and list; ``published`` as a sortable number
for ranges and dates; the facets as keyword columns; ``fold``, a column of an
article's fold signature (:mod:`indexer.stories`), so that folding a page reads
no stored document; ``stored``, the JSON of the displayed fields.

Whoosh reads its postings in Python, so this module keeps what a request would
otherwise read again and again per searcher (a searcher sees one commit): the
facet, date and id columns as lists, the documents of each leaf node of a plan
(a phrase, a term, a filter value) as sorted docnum lists, so counts and facets
are set operations and a query's every match is never scored, only its best
candidates are. Only this module knows Whoosh.
"""
from __future__ import annotations

import heapq
from itertools import accumulate
from pickle import loads
import importlib.metadata
import json
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from pathlib import Path

from whoosh import columns as wcolumns
from whoosh import index as windex
from whoosh import query as wq
from whoosh.codec import base as wcodec
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import StorageError
from whoosh.filedb.structfile import BufferFile
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import COLUMN, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Frequency, Positions
from whoosh.index import LockError
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE, pack_uint

from indexer import plan as p
from indexer.documents import FACETS, GRAM_FIELDS as _GRAM_FIELDS, MULTI_VALUED, TEXT_FIELDS
from indexer.engines.base import EngineBusy
from indexer.stories import Signature, from_columns

#: what the searchers of one commit keep of the leaf results they have read, shared by
#: every thread: at most this many entries, and this many documents in all (a leaf of
#: a common word holds most of the corpus; 8 threads each keeping 4,096 leaves held
#: gigabytes at 20,000 articles)
LEAF_CACHE = 4096
LEAF_CACHE_DOCS = 4_000_000
PEEK = 256          # bytes a look ahead copies: a block header is a few dozen
_SEP = "\x1f"       # between the values of a multi-valued facet in its column
_ANALYZER = SpaceSeparatedTokenizer()


# -- reading a compound segment without copying it -----------------------------------
class _SliceReader:
    """A read-only file over a memoryview (one part of a segment's memory map)."""

    def __init__(self, buf: memoryview) -> None:
        self._buf, self._pos = buf, 0

    def read(self, n: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if n is None or n < 0 else min(len(self._buf), start + n)
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def peek(self, n: int = 1) -> bytes:
        """What follows, without moving: at most ``PEEK`` bytes. With it C's
        unpickler reads a posting block's header in two calls, not one per opcode
        (Whoosh unpickles a header for every block of postings it visits)."""
        return bytes(self._buf[self._pos:self._pos + max(1, min(n, PEEK))])

    def readline(self, limit: int = -1) -> bytes:
        rest = self._buf[self._pos:] if limit is None or limit < 0 else self._buf[self._pos:self._pos + limit]
        data = bytes(rest)
        cut = data.find(b"\n")
        line = data if cut < 0 else data[:cut + 1]
        self._pos += len(line)
        return line

    def __iter__(self):
        while self._pos < len(self._buf):
            yield self.readline()

    def seek(self, pos: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = memoryview(b"")


class _ViewFile(BufferFile):
    """Whoosh's in-memory file, over a view of the map instead of a copy of it."""

    def __init__(self, buf: memoryview, name=None, onclose=None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _SliceReader(buf)


class _MappedCompoundStorage(CompoundStorage):
    """A compound segment file whose parts are read straight from its memory map.
    Whoosh's own copies each part it opens (the postings, the term index) into a
    BytesIO, for every searcher: one searcher a thread, each held a private copy
    of the whole index (2.7 GB at 20,000 articles with 8 threads)."""

    def open_file(self, name, *args, **kwargs):
        if self.is_closed:
            raise StorageError("Storage was closed")
        if not self._source:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return _ViewFile(memoryview(self._source)[offset:offset + length], name=name)


wcodec.CompoundStorage = _MappedCompoundStorage   # what Segment.open_compound_file opens


class CutPositions(Positions):
    """Positions of tokens that arrive cut, joined by spaces: the i-th token is at
    position i (as in Whoosh's space tokenizer), read without a token object each."""

    def word_values(self, value, analyzer, **kwargs):
        poses: dict[str, list[int]] = {}
        get = poses.get
        for i, t in enumerate(value.split()):
            lst = get(t)
            if lst is None:
                poses[t] = [i]
            else:
                lst.append(i)
        fb = self.field_boost
        for w, poslist in poses.items():
            yield (w, len(poslist), len(poslist) * fb, self.encode(poslist))


    def decode_positions(self, valuestring):
        # the encoding of Positions (a count, then pickled deltas), decoded without a Python loop
        if not valuestring.endswith(b"."):
            valuestring += b"."
        return list(accumulate(loads(valuestring[_INT_SIZE:])))


class CutFrequency(Frequency):
    """Frequencies of tokens that arrive cut, joined by spaces."""

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        return ((w, n, n * fb, pack_uint(n)) for w, n in Counter(value.split()).items())


def _text(positions: bool) -> TEXT:
    field = TEXT(analyzer=_ANALYZER, phrase=positions)
    field.format = CutPositions(field_boost=1.0) if positions else CutFrequency(field_boost=1.0)
    return field


def make_schema() -> Schema:
    fields = {
        "id": ID(unique=True, sortable=True),
        "published": NUMERIC(numtype=int, bits=64, signed=True, sortable=True),
        "stored": STORED(),
        "fold": COLUMN(wcolumns.FixedBytesColumn(16, default=bytes(16))),
    }
    for name in TEXT_FIELDS:
        fields[name] = _text(positions=False)
        fields[name + "_ng"] = _text(positions=True)
    for name in FACETS:
        fields[name] = ID(sortable=True)
    return Schema(**fields)


def _fields(rec: dict) -> dict:
    tkey, sim = rec["fold"]
    out = {"id": rec["id"], "published": rec["published"], "stored": rec["stored"],
           "fold": tkey.to_bytes(8, "big") + sim.to_bytes(8, "big")}
    for name in TEXT_FIELDS:
        out[name] = rec[name]
        out[name + "_ng"] = rec[name + "_ng"]
    for name, values in zip(FACETS, rec["facets"]):
        out[name] = _SEP.join(values)   # several: one column value, split when read
    return out


class WhooshWriter:
    """Changes wait in memory until the commit: every replaced id is deleted from
    the committed segments, then the latest record of each is added, so an
    article changed twice in one batch is there once."""

    def __init__(self, ix, wait: float) -> None:
        self._ix, self._wait = ix, wait
        self._w = None
        self._open()
        self._pending: dict[str, dict | None] = {}

    def _open(self) -> None:
        try:
            self._w = self._ix.writer(timeout=self._wait, delay=0.2)
        except LockError as exc:
            raise EngineBusy(f"another process is writing the Whoosh index ({exc})") from None

    def replace(self, article_id: str, rec: dict | None) -> None:
        self._pending.pop(article_id, None)   # the latest change of an id is the one applied
        self._pending[article_id] = rec

    def add(self, rec: dict) -> None:
        self._w.add_document(**_fields(rec))

    def commit(self) -> None:
        for aid, rec in self._pending.items():
            self._w.delete_by_term("id", aid)
        for rec in self._pending.values():
            if rec is not None:
                self._w.add_document(**_fields(rec))
        self._pending = {}
        self._w.commit()
        self._w = None
        self._open()   # the next batch's writer; the lock is held throughout

    def rollback(self) -> None:
        self._pending = {}
        if self._w is not None:
            self._w.cancel()
            self._w = None

    def close(self) -> None:
        if self._w is not None:
            self._w.cancel()
            self._w = None


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
                col = [tuple(v.split(_SEP)) for v in col]
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
                ids = _block_ids(leaf)
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
            for ids, weights in _postings_blocks(sub.reader(), field, text):
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


def _postings_blocks(reader, field: str, text: str):
    """(ids, weights) of a term's postings in one segment, block by block
    (Whoosh's W3 codec keeps them as arrays per block; reading them whole is
    much cheaper than a call per posting), deleted documents left out."""
    try:
        m = reader.postings(field, text)
    except TermNotFound:
        return
    deleted = reader.deleted_docs_set if reader.has_deletions() else None
    leaf = m.child if isinstance(m, FilterMatcher) else m
    if isinstance(leaf, W3LeafMatcher):
        while leaf.is_active():
            ids, weights = _block_ids(leaf), _block_weights(leaf)
            if deleted:
                kept = [(d, w) for d, w in zip(ids, weights) if d not in deleted]
                ids, weights = [d for d, _ in kept], [w for _, w in kept]
            yield ids, weights
            leaf._next_block()
        return
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    yield ids, weights


def _block_ids(leaf: W3LeafMatcher):
    """The document numbers of the leaf's current block, the deltas Whoosh stores
    summed in C (its own ``_read_ids`` sums them in a Python generator)."""
    if leaf._data is None:
        leaf._read_data()
    ids = leaf._data[0]
    return ids if leaf._byteids else list(accumulate(ids))


def _block_weights(leaf: W3LeafMatcher):
    """The weights of the leaf's current block (one value for the whole block when
    Whoosh stored them so)."""
    if leaf._data is None:
        leaf._read_data()
    weights = leaf._data[1]
    if weights is None or isinstance(weights, float):
        return [1.0 if weights is None else weights] * leaf._blocklength
    return weights


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


class WhooshEngine:
    name = "whoosh"
    #: a large build's records come from one process: Whoosh's writer processes take the cores
    writes_in_parallel = True
    schema_version = "w2"   # w1: cut tokens, multi-valued column; w2: the fold column

    def library_version(self) -> str:
        return importlib.metadata.version("whoosh-reloaded")

    def create(self, path: Path) -> None:
        windex.create_in(str(path), make_schema())

    def exists(self, path: Path) -> bool:
        try:
            return Path(path).is_dir() and windex.exists_in(str(path))
        except (OSError, ValueError):
            return False

    def writer(self, path: Path, heap_mb: int = 128, wait: float = 60.0) -> WhooshWriter:
        return WhooshWriter(windex.open_dir(str(path)), wait)

    def build(self, path: Path, records: Iterable[dict], procs: int = 1) -> int:
        """With ``procs`` > 1, Whoosh's own multi-process writer: each process writes
        a segment of its share of the records, kept as they are (no final merge)."""
        ix = windex.open_dir(str(path))
        parallel = {"procs": procs, "multisegment": True, "batchsize": 50} if procs > 1 else {}
        try:
            w = ix.writer(timeout=60.0, delay=0.2, limitmb=256 // max(procs, 1), **parallel)
        except LockError as exc:
            raise EngineBusy(str(exc)) from None
        n = 0
        tasks = list(getattr(w, "tasks", ()))   # the writer's processes, once started
        try:
            for rec in records:
                w.add_document(**_fields(rec))
                n += 1
                if procs > 1 and n % 50 == 0:
                    _check_writers(w)
            if procs > 1:
                _check_writers(w)
            w.commit()
        except BaseException:
            # Whoosh's own cancel only flags its processes in this one: they would
            # wait on their queue for ever (and this process with them, at exit)
            for task in {*tasks, *getattr(w, "tasks", ())}:
                if task.is_alive():
                    task.terminate()
                task.join(5)
            w.cancel()
            raise
        return n

    def open(self, path: Path) -> WhooshReader:
        return WhooshReader(path)


def _check_writers(w) -> None:
    """Fail the build, rather than wait for ever, when a writer process has died."""
    dead = [t for t in getattr(w, "tasks", ()) if not t.is_alive()]
    if dead:
        raise RuntimeError(f"a Whoosh writer process died (exit code {dead[0].exitcode}) during the build; "
                           "nothing was switched to: run `news-indexer reindex` again")


ENGINE = WhooshEngine()
