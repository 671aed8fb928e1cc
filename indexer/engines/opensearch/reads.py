"""Reading: a plan node as the query DSL, and the searches, counts,
aggregations and documents of one request's snapshot."""
from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

from opensearchpy import exceptions as osx

from indexer import plan as p
from indexer.engines.base import EngineUnavailable
from indexer.engines.opensearch import counts
from indexer.engines.opensearch.calls import OpenSearchError, call, reason, too_many_clauses
from indexer.engines.opensearch.mapping import PAGE, TOKEN_FIELDS, unsigned
from indexer.engines.opensearch.settings import connect
from indexer.stories import Signature, from_columns

WITH_SOURCE = 200        # top/newest of at most this many fetch the hits' stored fields too
STORED_BATCH = 100       # documents fetched at once when a stored field is missing
TERMS_SIZE = 10_000      # facet buckets in one terms aggregation
VOCAB_PAGE = 10_000      # vocabulary terms per composite aggregation page
PIT_KEEP_ALIVE = "2m"
_FOLD = ("tkey", "sim")   # the fold signature's doc values


def _filter(q: dict) -> dict:
    return {"bool": {"filter": [q]}}   # matches what q matches, scoring 0


def _wildcard_escape(text: str) -> str:
    return re.sub(r"([\\*?])", r"\\\1", text)


def _pattern_span(fieldname: str, x: p.Pattern) -> dict:
    if x.open_before:
        value = "*" + _wildcard_escape(x.text) + ("*" if x.open_after else "")
        return {"span_multi": {"match": {"wildcard": {fieldname: {"value": value}}}}}
    if x.open_after:
        return {"span_multi": {"match": {"prefix": {fieldname: {"value": x.text}}}}}
    return {"span_term": {fieldname: {"value": x.text}}}


def _pattern_loose(fieldname: str, x: p.Pattern) -> dict:
    if x.open_before:
        value = "*" + _wildcard_escape(x.text) + ("*" if x.open_after else "")
        return {"wildcard": {fieldname: {"value": value}}}
    if x.open_after:
        return {"prefix": {fieldname: {"value": x.text}}}
    return {"term": {fieldname: {"value": x.text}}}


def _patterns_in(n: p.Node) -> Iterator[p.Patterns]:
    if isinstance(n, p.Patterns):
        yield n
    elif isinstance(n, (p.And, p.Or)):
        for c in n.children:
            yield from _patterns_in(c)
    elif isinstance(n, p.Not):
        yield from _patterns_in(n.positive)
        for c in n.negatives:
            yield from _patterns_in(c)
    elif isinstance(n, p.Scored):
        yield from _patterns_in(n.required)
        for c in n.bonus:
            yield from _patterns_in(c)
    elif isinstance(n, (p.Boost, p.Filter)):
        yield from _patterns_in(n.node)


class OpenSearchSnapshot:
    """One request's view: the searches of one reader, with the published dates
    and stored fields of the documents it has seen kept for the request."""

    #: requests from two threads at once: the client's connection pool is shared
    concurrent = True
    #: every pass is a request to the cluster, worth overlapping at any index size
    round_trips = True

    def __init__(self, reader: "OpenSearchReader") -> None:
        self._r = reader
        self._es, self._index = reader.es, reader.index
        self._pub: dict[str, int] = {}
        self._sig: dict[str, Signature] = {}
        self._stored: dict[str, dict] = {}
        self._order: list[str] = []          # the last list of refs handed out, for batched fetches
        self._pos: dict[str, int] = {}
        self._num_docs: int | None = None

    @property
    def num_docs(self) -> int:
        if self._num_docs is None:
            self._num_docs = self.count(p.Everything())
        return self._num_docs

    # -- translating a plan -------------------------------------------------------------
    def query(self, n: p.Node) -> dict:
        if isinstance(n, p.Term):
            return {"term": {n.field: {"value": n.text}}}
        if isinstance(n, p.Phrase):
            # the field's whitespace analyzer cuts the tokens again: a phrase of exactly them
            return {"match_phrase": {n.field: {"query": " ".join(n.tokens), "slop": 0}}}
        if isinstance(n, p.Prefix):
            return {"prefix": {n.field: {"value": n.prefix}}}
        if isinstance(n, p.Patterns):
            if n in self._r.loose:
                # too many terms for a positional match: every pattern anywhere, a
                # superset of the positional one (the searcher checks the text)
                return {"bool": {"must": [_pattern_loose(n.field, x) for x in n.patterns]}}
            spans = [_pattern_span(n.field, x) for x in n.patterns]
            if len(spans) == 1:
                return spans[0]
            return {"span_near": {"clauses": spans, "slop": 0, "in_order": True}}
        if isinstance(n, p.And):
            return {"bool": {"must": [self.query(c) for c in n.children]}}
        if isinstance(n, p.Or):
            return {"bool": {"should": [self.query(c) for c in n.children], "minimum_should_match": 1}}
        if isinstance(n, p.Not):
            return {"bool": {"must": [self.query(n.positive)], "must_not": [self.query(c) for c in n.negatives]}}
        if isinstance(n, p.Scored):
            return {"bool": {"must": [self.query(n.required)], "should": [self.query(b) for b in n.bonus]}}
        if isinstance(n, p.Boost):
            return {"bool": {"must": [self.query(n.node)], "boost": n.factor}}
        if isinstance(n, p.Filter):
            return _filter(self.query(n.node))
        if isinstance(n, p.Range):
            bounds = {}
            if n.lo is not None:
                bounds["gte"] = n.lo
            if n.hi is not None:
                bounds["lte"] = n.hi
            return _filter({"range": {n.field: bounds}} if bounds else {"exists": {"field": n.field}})
        if isinstance(n, p.AnyOf):
            return _filter({"terms": {n.field: list(n.values)}}) if n.values else {"match_none": {}}
        if isinstance(n, p.Only):
            return _filter({"ids": {"values": list(n.refs)}}) if n.refs else {"match_none": {}}
        if isinstance(n, p.Everything):
            return {"match_all": {}}
        if isinstance(n, p.Nothing):
            return {"match_none": {}}
        raise TypeError(f"the OpenSearch engine cannot answer {type(n).__name__} (resolve it first)")

    # -- searching ------------------------------------------------------------------------
    def _search(self, node: p.Node, body: dict, scored: bool = False, pit: dict | None = None,
                wait: float | None = None) -> dict:
        """One search of ``node`` (its query put into ``body``)."""
        while True:
            req = dict(body, query=self.query(node))
            params = {"allow_partial_search_results": "false"}
            if pit is None:
                params["preference"] = self._r.preference
                if scored:
                    params["search_type"] = "dfs_query_then_fetch"
                kwargs = {"index": self._index}
            else:
                req["pit"] = pit
                kwargs = {}
            try:
                return call(self._es.search, body=req, params=params, what="search",
                            wait=self._r.settings.retry_wait if wait is None else wait, **kwargs)
            except osx.TransportError as exc:
                patterns = set(_patterns_in(node)) - self._r.loose
                if not (too_many_clauses(exc) and patterns):
                    raise OpenSearchError(f"OpenSearch search failed: {reason(exc)}") from None
                self._r.loose.update(patterns)   # this reader matches them loosely from now on

    def _hits(self, node: p.Node, limit: int, sort: list, scored: bool, source: bool) -> list[dict]:
        """The first ``limit`` hits of ``node`` in the order of ``sort`` (a search,
        or pages of one point in time past :data:`PAGE`)."""
        body: dict = {"size": min(limit, PAGE), "track_total_hits": False, "sort": sort, "track_scores": scored}
        if source:
            body["_source"] = {"includes": ["published", "stored", *_FOLD]}
        else:
            body["_source"] = False
            body["docvalue_fields"] = ["published", *_FOLD]
        if limit <= PAGE:
            res = self._search(node, body, scored=scored)
            return self._keep(res["hits"]["hits"])
        return self._keep(list(self._pages(node, body, limit, sort)))

    def _pages(self, node: p.Node, body: dict, limit: int, sort: list) -> Iterator[dict]:
        """Up to ``limit`` hits by ``sort`` (ending in a unique key), a page at a
        time of one point in time; a page lost with a node starts them again."""
        for attempt in range(3):
            pit_id = call(self._es.create_pit, index=self._index, what="point in time",
                          wait=self._r.settings.retry_wait,
                          params={"keep_alive": PIT_KEEP_ALIVE, "preference": self._r.preference,
                                   "allow_partial_pit_creation": "false"})["pit_id"]
            out: list[dict] = []
            try:
                after = None
                while len(out) < limit:
                    page = dict(body, size=min(PAGE, limit - len(out)), sort=sort)
                    if after is not None:
                        page["search_after"] = after
                    try:
                        res = self._search(node, page, pit={"id": pit_id, "keep_alive": PIT_KEEP_ALIVE}, wait=2.0)
                    except EngineUnavailable:
                        if attempt == 2:
                            raise
                        out = None
                        break
                    hits = res["hits"]["hits"]
                    out.extend(hits)
                    pit_id = res.get("pit_id", pit_id)
                    if len(hits) < page["size"]:
                        break
                    after = hits[-1]["sort"]
            finally:
                try:
                    self._es.delete_pit(body={"pit_id": [pit_id]})
                except (osx.TransportError, osx.ConnectionError):
                    pass   # it expires by itself
            if out is not None:
                return iter(out)
        raise EngineUnavailable("OpenSearch lost the point in time of a long search")  # pragma: no cover

    def _keep(self, hits: list[dict]) -> list[dict]:
        for h in hits:
            aid = h["_id"]
            src = h.get("_source") or {}
            pub = src.get("published")
            if pub is None:
                pub = (h.get("fields") or {}).get("published", [None])[0]
            if pub is not None:
                self._pub[aid] = int(pub)
            if "stored" in src:
                self._stored[aid] = src["stored"]
            if _FOLD[0] in src:
                self._keep_signature(aid, src)
            elif "fields" in h:
                self._keep_signature(aid, {f: v[0] for f, v in h["fields"].items() if v})
        return hits

    def _keep_signature(self, aid: str, values: dict) -> None:
        self._sig[aid] = from_columns(*(unsigned(values.get(f)) for f in _FOLD))

    def _handed_out(self, refs: list[str]) -> list[str]:
        self._order = refs
        self._pos = {r: i for i, r in enumerate(refs)}
        return refs

    def top(self, node, limit: int):
        if limit <= 0:
            return []
        hits = self._hits(node, limit, [{"_score": "desc"}, {"key": "asc"}], scored=True,
                          source=limit <= WITH_SOURCE)
        self._handed_out([h["_id"] for h in hits])
        return [(float(h["_score"] or 0.0), h["_id"]) for h in hits]

    def newest(self, node, limit: int):
        return self._by_published(node, limit, "desc")

    def oldest(self, node, limit: int):
        return self._by_published(node, limit, "asc")

    def _by_published(self, node, limit: int, order: str) -> list:
        if limit <= 0:
            return []
        hits = self._hits(node, limit, [{"published": order}, {"key": "asc"}], scored=False,
                          source=limit <= WITH_SOURCE)
        for h in hits:
            self._pub[h["_id"]] = int(h["sort"][0])
        return self._handed_out([h["_id"] for h in hits])

    def count(self, node) -> int:
        res = self._search(node, {"size": 0, "track_total_hits": True})
        return int(res["hits"]["total"]["value"])

    def refs(self, node):
        body = {"_source": False}
        first = self._search(node, dict(body, size=PAGE, track_total_hits=True, sort=[{"key": "asc"}]))
        hits = first["hits"]["hits"]
        if first["hits"]["total"]["value"] > len(hits):
            hits = list(self._pages(node, body, 1 << 62, [{"key": "asc"}]))
        return self._handed_out([h["_id"] for h in hits])

    def facet_counts(self, node, names):
        aggs = {n: {"terms": {"field": n, "size": TERMS_SIZE, "min_doc_count": 1}} for n in names}
        res = self._search(node, {"size": 0, "track_total_hits": False, "aggs": aggs})
        out = {}
        for n in names:
            agg = res["aggregations"][n]
            if agg.get("sum_other_doc_count"):
                out[n] = self._all_buckets(node, n)   # more values than one aggregation returns
            else:
                out[n] = {b["key"]: int(b["doc_count"]) for b in agg["buckets"]}
        return out

    def facet_groups(self, required, groups):
        """:meth:`facet_counts` of ``required`` and each group's filters, for every
        group at once: one search of ``required`` whose aggregations each count
        the matches passing one group's filters (one request fanned out to the
        shards, not one a group)."""
        aggs: dict = {}
        for i, (extra, names) in enumerate(groups):
            terms = {n: {"terms": {"field": n, "size": TERMS_SIZE, "min_doc_count": 1}} for n in names}
            if extra:
                aggs[f"g{i}"] = {"filter": {"bool": {"filter": [self.query(x) for x in extra]}}, "aggs": terms}
            else:
                aggs.update({f"g{i}:{n}": t for n, t in terms.items()})
        res = self._search(required, {"size": 0, "track_total_hits": False, "aggs": aggs})["aggregations"]
        out = []
        for i, (extra, names) in enumerate(groups):
            counts = {}
            for n in names:
                agg = res[f"g{i}"][n] if extra else res[f"g{i}:{n}"]
                if agg.get("sum_other_doc_count"):   # more values than one aggregation returns
                    counts[n] = self._all_buckets(p.all_of([required] + list(extra)), n)
                else:
                    counts[n] = {b["key"]: int(b["doc_count"]) for b in agg["buckets"]}
            out.append(counts)
        return out

    def _all_buckets(self, node: p.Node | None, fieldname: str) -> dict[str, int]:
        return dict(self._composite(node or p.Everything(), fieldname))

    def _composite(self, node: p.Node, fieldname: str, page: int = VOCAB_PAGE) -> Iterator[tuple[str, int]]:
        after = None
        while True:
            comp: dict = {"size": page, "sources": [{"t": {"terms": {"field": fieldname}}}]}
            if after is not None:
                comp["after"] = after
            res = self._search(node, {"size": 0, "track_total_hits": False, "aggs": {"v": {"composite": comp}}})
            agg = res["aggregations"]["v"]
            for b in agg["buckets"]:
                yield b["key"]["t"], int(b["doc_count"])
            after = agg.get("after_key")
            if not agg["buckets"] or after is None or len(agg["buckets"]) < page:
                return

    # -- documents ---------------------------------------------------------------------
    def _fetch(self, refs: list[str], stored: bool) -> None:
        if not refs:
            return
        fields = ",".join(["published", *_FOLD] + (["stored"] if stored else []))
        res = call(self._es.mget, index=self._index, body={"ids": list(refs)}, what="get",
                   wait=self._r.settings.retry_wait,
                   params={"realtime": "false", "_source_includes": fields,
                            "preference": self._r.preference})
        for d in res["docs"]:
            if d.get("error"):
                raise EngineUnavailable(f"OpenSearch could not get {d.get('_id')}: {d['error']}")
            if not d.get("found"):
                continue
            src = d.get("_source") or {}
            if "published" in src:
                self._pub[d["_id"]] = int(src["published"])
            self._keep_signature(d["_id"], src)
            if stored and "stored" in src:
                self._stored[d["_id"]] = src["stored"]

    def published(self, refs):
        missing = [r for r in dict.fromkeys(refs) if r not in self._pub]
        for i in range(0, len(missing), PAGE):
            self._fetch(missing[i:i + PAGE], stored=False)
        return [self._pub[r] for r in refs]

    def ids(self, refs):
        return list(refs)

    def signatures(self, refs) -> list[Signature]:
        missing = [r for r in dict.fromkeys(refs) if r not in self._sig]
        for i in range(0, len(missing), PAGE):
            self._fetch(missing[i:i + PAGE], stored=False)
        return [self._sig[r] for r in refs]

    def stored(self, ref) -> dict:
        found = self._stored.get(ref)
        if found is None:
            # the refs handed out last are read in their order (a mixed clause's
            # candidates, a page of hits): fetch this one and the next ones with it
            batch = [ref]
            i = self._pos.get(ref)
            if i is not None:
                for r in self._order[i + 1:]:
                    if len(batch) >= STORED_BATCH:
                        break
                    if r not in self._stored:
                        batch.append(r)
            self._fetch(batch, stored=True)
            found = self._stored.get(ref)
            if found is None:
                raise KeyError(f"no document {ref} in the OpenSearch index {self._index}")
        return found

    def find(self, article_id: str):
        if article_id in self._stored:
            return article_id
        self._fetch([article_id], stored=True)
        return article_id if article_id in self._stored else None

    def terms(self, field: str):
        """(term, document frequency) of every term of ``field``, sorted: for the
        fields the writers count, their file (:mod:`.counts`); for any other, a
        composite aggregation, :data:`VOCAB_PAGE` terms a request, over the
        field's fielddata (loaded into the nodes' heap for it, and let go after)."""
        if field in counts.COUNTED and counts.exists(self._r.path):
            yield from counts.terms(self._r.path, field)
            return
        try:
            yield from self._composite(p.Everything(), field)
        finally:
            if field in TOKEN_FIELDS:
                try:
                    self._es.indices.clear_cache(index=self._index, params={"fielddata": "true", "fields": field})
                except (osx.TransportError, osx.ConnectionError):
                    pass


class OpenSearchReader:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.es, self.index, self.settings = connect(path)
        #: every request of this reader asks the same shard copies (equal scores, stable pages)
        self.preference = "r" + secrets.token_hex(6)
        #: mixed-clause patterns that expand to too many terms for a positional match
        self.loose: set[p.Patterns] = set()
        try:
            found = call(self.es.indices.exists, index=self.index, what="open")
        except OpenSearchError as exc:
            raise ValueError(str(exc)) from None
        if not found:
            self.es.close()
            raise ValueError(f"the OpenSearch index {self.index} (of {self.path}) is gone from the cluster "
                             f"{', '.join(self.settings.hosts)}")

    def snapshot(self) -> OpenSearchSnapshot:
        return OpenSearchSnapshot(self)

    def reload(self) -> None:
        pass   # every search sees the cluster's latest refresh (a commit)

    def close(self) -> None:
        self.es.close()

