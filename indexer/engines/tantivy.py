"""The tantivy engine: a Lucene-like index in Rust, through its Python bindings.

Fields, from the records of :mod:`indexer.documents`: the word fields
(``title``, ``body``, ``attach``; frequencies) and the bigram fields
(``*_ng``; positions) under tantivy's ``whitespace`` tokenizer, since the
tokens arrive cut; ``key`` (fast) to read many matches' ids without their
stored documents, ``id`` (raw) to delete and get; ``published`` and the facets
as fast fields for filters, sorting and aggregations; ``tkey`` and ``sim``
(fast), an article's fold signature (:mod:`indexer.stories`), so that folding a
page into stories reads columns, not stored documents; ``stored``, the JSON of
the displayed fields. Only this module knows tantivy.
"""
from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Iterable
from pathlib import Path

import tantivy

from indexer import plan as p
from indexer.documents import FACETS, TEXT_FIELDS, id_of, stored_fields
from indexer.engines.base import EngineBusy
from indexer.stories import Signature, from_columns

TERMS_SIZE = 100_000   # buckets a facet may return: more values than any facet has
_MUST, _SHOULD, _MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot


def make_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("key", indexed=True, fast=True)
    sb.add_text_field("id", tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
        sb.add_text_field(name + "_ng", tokenizer_name="whitespace", index_option="position")
    sb.add_integer_field("published", indexed=True, fast=True)
    sb.add_integer_field("newest", fast=True)
    sb.add_integer_field("oldest", fast=True)
    sb.add_unsigned_field("tkey", fast=True)
    sb.add_unsigned_field("sim", fast=True)
    for name in FACETS:
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_bytes_field("stored", stored=True)
    return sb.build()


def to_tantivy(rec: dict) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_integer("key", rec["key"])
    doc.add_text("id", rec["id"])
    for name in TEXT_FIELDS:
        doc.add_text(name, rec[name])
        doc.add_text(name + "_ng", rec[name + "_ng"])
    doc.add_integer("published", rec["published"])
    doc.add_integer("newest", newest_key(rec["published"], rec["key"]))
    doc.add_integer("oldest", oldest_key(rec["published"], rec["key"]))
    tkey, sim = rec["fold"]
    doc.add_unsigned("tkey", tkey)
    doc.add_unsigned("sim", sim)
    for name, values in zip(FACETS, rec["facets"]):
        for value in values:   # several: a multi-valued fast field, each value counted
            doc.add_text(name, value)
    doc.add_bytes("stored", rec["stored"])
    return doc


#: bits of an article's id below its date in the ``newest``/``oldest`` sort keys
TIE_BITS = 26


def oldest_key(published: int, key: int) -> int:
    """One number ordering articles by date, then by the first bits of their id
    (ascending): what the oldest-first page sorts on, so that the hundreds of
    articles of one day are not all a tie (``published`` < 2^36, 26 bits of id: < 2^63)."""
    return (published << TIE_BITS) | ((key % (1 << 64)) >> (64 - TIE_BITS))


def newest_key(published: int, key: int) -> int:
    """Descending, newest first with the id's first bits ascending (the page's tie rule)."""
    return (published << TIE_BITS) | ((1 << TIE_BITS) - 1 - ((key % (1 << 64)) >> (64 - TIE_BITS)))


class TantivyWriter:
    def __init__(self, ix: tantivy.Index, heap_mb: int, wait: float) -> None:
        deadline = time.monotonic() + wait
        while True:
            try:
                self._w = ix.writer(heap_size=heap_mb * 1_000_000, num_threads=1)
                return
            except ValueError as exc:
                if "lock" not in str(exc).lower():
                    raise
                if time.monotonic() > deadline:
                    raise EngineBusy(str(exc)) from None
                time.sleep(0.2)

    def replace(self, article_id: str, rec: dict | None) -> None:
        # the delete comes first in the operation order, so it removes only older copies
        self._w.delete_documents_by_term("id", article_id)
        if rec is not None:
            self._w.add_document(to_tantivy(rec))

    def add(self, rec: dict) -> None:
        self._w.add_document(to_tantivy(rec))

    def commit(self) -> None:
        self._w.commit()

    def rollback(self) -> None:
        self._w.rollback()

    def close(self) -> None:
        self._w.wait_merging_threads()


class TantivySnapshot:
    #: one searcher, safe to share; its searches run in Rust without the GIL
    concurrent = True

    def __init__(self, ix: tantivy.Index) -> None:
        self._schema = ix.schema
        self._s = ix.searcher()
        self.num_docs = self._s.num_docs

    # -- translating a plan -------------------------------------------------------
    def query(self, node: p.Node) -> tantivy.Query:
        return self._translate(node)

    def _translate(self, n: p.Node):
        Q, schema = tantivy.Query, self._schema
        if isinstance(n, p.Term):
            option = "position" if n.field.endswith("_ng") else ("freq" if n.field in TEXT_FIELDS else "basic")
            return Q.term_query(schema, n.field, n.text, index_option=option)
        if isinstance(n, p.Phrase):
            return Q.phrase_query(schema, n.field, list(n.tokens))
        if isinstance(n, p.Prefix):
            return Q.regex_query(schema, n.field, _escape(n.prefix) + ".*")
        if isinstance(n, p.Patterns):
            return Q.regex_phrase_query(schema, n.field, [_pattern(x) for x in n.patterns])
        if isinstance(n, p.And):
            return Q.boolean_query([(_MUST, self._translate(c)) for c in n.children])
        if isinstance(n, p.Or):
            return Q.boolean_query([(_SHOULD, self._translate(c)) for c in n.children])
        if isinstance(n, p.Not):
            return Q.boolean_query([(_MUST, self._translate(n.positive))]
                                   + [(_MUST_NOT, self._translate(c)) for c in n.negatives])
        if isinstance(n, p.Scored):
            return Q.boolean_query([(_MUST, self._translate(n.required))]
                                   + [(_SHOULD, self._translate(b)) for b in n.bonus])
        if isinstance(n, p.Boost):
            return Q.boost_query(self._translate(n.node), n.factor)
        if isinstance(n, p.Filter):
            return Q.const_score_query(self._translate(n.node), 0.0)
        if isinstance(n, p.Range):
            return Q.range_query(schema, n.field, tantivy.FieldType.Integer,
                                 n.lo if n.lo is not None else -(1 << 63), n.hi if n.hi is not None else (1 << 63) - 1)
        if isinstance(n, p.AnyOf):
            return Q.term_set_query(schema, n.field, list(n.values))
        if isinstance(n, p.Only):
            if not n.refs:
                return Q.empty_query()
            keys = self._s.fast_field_values("key", list(n.refs))
            return Q.const_score_query(Q.term_set_query(schema, "key", keys), 0.0)
        if isinstance(n, p.Everything):
            return Q.all_query()
        if isinstance(n, p.Nothing):
            return Q.empty_query()
        raise TypeError(f"the tantivy engine cannot answer {type(n).__name__} (resolve it first)")

    # -- answering ---------------------------------------------------------------
    def top(self, node, limit: int):
        if limit <= 0:
            return []
        return [(float(s), a) for s, a in self._s.search(self.query(node), limit=limit, count=False).hits]

    def newest(self, node, limit: int):
        return self._by_key(node, limit, "newest", tantivy.Order.Desc)

    def oldest(self, node, limit: int):
        return self._by_key(node, limit, "oldest", tantivy.Order.Asc)

    def _by_key(self, node, limit: int, field: str, order) -> list:
        if limit <= 0:
            return []
        res = self._s.search(self.query(node), limit=limit, count=False, order_by_field=field, order=order)
        return [a for _, a in res.hits]

    def date_keys(self, refs, oldest: bool) -> list[int]:
        """The numbers :meth:`newest` / :meth:`oldest` ordered ``refs`` by."""
        return self._s.fast_field_values("oldest" if oldest else "newest", list(refs)) if refs else []

    def count(self, node) -> int:
        return self._s.search(self.query(node), limit=1, count=True).count

    def refs(self, node):
        if not self.num_docs:
            return []
        return [a for _, a in self._s.search(self.query(node), limit=self.num_docs, count=False).hits]

    def facet_counts(self, node, names):
        agg = self._s.aggregate(self.query(node), {n: {"terms": {"field": n, "size": TERMS_SIZE}} for n in names})
        return {n: {b["key"]: int(b["doc_count"]) for b in agg[n]["buckets"]} for n in names}

    def published(self, refs):
        return [v or 0 for v in self._s.fast_field_values("published", list(refs))] if refs else []

    def ids(self, refs):
        return [id_of(k) for k in self._s.fast_field_values("key", list(refs))] if refs else []

    def signatures(self, refs) -> list[Signature]:
        if not refs:
            return []
        refs = list(refs)
        return [from_columns(t, s) for t, s in zip(self._s.fast_field_values("tkey", refs),
                                                   self._s.fast_field_values("sim", refs))]

    def stored(self, ref) -> dict:
        return stored_fields(self._s.doc(ref).get_first("stored"))

    def find(self, article_id: str):
        try:
            q = tantivy.Query.term_query(self._schema, "id", article_id)
        except ValueError:
            return None
        hits = self._s.search(q, limit=1, count=False).hits
        return hits[0][1] if hits else None

    def terms(self, field: str):
        yield from self._s.terms_with_prefix(field, "")


def _escape(text: str) -> str:
    return "".join("\\" + c if not c.isalnum() else c for c in text)


def _pattern(x: p.Pattern) -> str:
    return (".*" if x.open_before else "") + _escape(x.text) + (".*" if x.open_after else "")


class TantivyReader:
    def __init__(self, path: Path) -> None:
        self._ix = tantivy.Index.open(str(path))

    def snapshot(self) -> TantivySnapshot:
        return TantivySnapshot(self._ix)

    def reload(self) -> None:
        self._ix.reload()

    def close(self) -> None:
        pass


class TantivyEngine:
    name = "tantivy"
    schema_version = "t3"   # t2: attachments (attach, attach_ng); t3: the fold columns (tkey, sim)

    def library_version(self) -> str:
        return importlib.metadata.version("tantivy")

    def create(self, path: Path) -> None:
        tantivy.Index(make_schema(), path=str(path), reuse=False)

    def exists(self, path: Path) -> bool:
        try:
            return Path(path).is_dir() and tantivy.Index.exists(str(path))
        except (OSError, ValueError):
            return False

    def writer(self, path: Path, heap_mb: int = 128, wait: float = 60.0) -> TantivyWriter:
        return TantivyWriter(tantivy.Index.open(str(path)), heap_mb, wait)

    def build(self, path: Path, records: Iterable[dict], procs: int = 1) -> int:
        w = self.writer(path, heap_mb=256)   # tantivy's writer has its own threads: procs is not needed
        n = 0
        try:
            for rec in records:
                w.add(rec)
                n += 1
            w.commit()
        except BaseException:
            w.rollback()
            raise
        finally:
            w.close()
        return n

    def open(self, path: Path) -> TantivyReader:
        return TantivyReader(path)


ENGINE = TantivyEngine()
