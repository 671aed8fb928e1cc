"""The OpenSearch engine: the index lives in an OpenSearch cluster (2.x), reached
through ``opensearch-py``; a generation directory holds only ``opensearch.json``,
which names the cluster index, so a reader and a writer find it again.

The same records as every engine (:mod:`indexer.documents`), under a mapping for
tokens that arrive cut: the bigram fields (``*_ng``) as ``text`` with positions
and the word fields with frequencies, both under a whitespace tokenizer (the
tokens never hold white space); ``id`` (keyword, also the document ``_id``),
``key`` and ``published`` (long), the facets as keywords (``column`` an array),
``stored`` (the displayed fields) an object kept in ``_source`` and not indexed.
The token fields are left out of ``_source`` (nothing reads them back, and the
index is rebuilt from the store, never from itself).

Reads: each plan node becomes the query DSL (:meth:`OpenSearchSnapshot.query`);
searches never accept partial results (a shard that cannot answer fails the
search, it does not shrink a total), scores use the index-wide statistics
(``dfs_query_then_fetch``) and every request of one reader goes to the same
shard copies (``preference``), so equal queries rank alike page after page.
The index refreshes only when a writer commits (``refresh_interval: -1``), so
a snapshot sees one commit unless a commit lands in the middle of a request.

Writes: ``Writer.commit`` sends the buffered changes as bulk requests (index
by ``_id`` = article id, delete), checks every item, retries the items a node
loss refused, then refreshes; any failure raises, so ``engine.json`` does not
record the batch (re-applying it is idempotent).

Every way the cluster cannot answer (no node reachable, a shard with no live
copy, the cluster refusing requests) raises :class:`EngineUnavailable`.

Settings (env overrides ``<data>/opensearch.toml``, which overrides the defaults):
``NEWS_OPENSEARCH_HOSTS`` (comma-separated URLs), ``_USER``, ``_PASSWORD``,
``_CA`` (a CA certificate file), ``_VERIFY`` (certificate verification, on by
default), ``_PREFIX`` (index names, ``college-news``), ``_SHARDS`` (3),
``_REPLICAS`` (1), ``_TIMEOUT`` (seconds a request may take, 10),
``_RETRIES`` (other nodes a failed request is tried on, 3), ``_RETRY_WAIT``
(seconds a search is asked again while the cluster moves shards, 5). Only
this module knows OpenSearch.
"""
from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import secrets
import time
import tomllib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from opensearchpy import OpenSearch
from opensearchpy import exceptions as osx

from indexer import plan as p
from indexer.documents import FACETS, GRAM_FIELDS, MULTI_VALUED, TEXT_FIELDS
from indexer.engines.base import EngineBusy

try:   # the lead may move it to base.py, next to EngineBusy
    from indexer.engines.base import EngineUnavailable
except ImportError:   # pragma: no cover - until then it lives here
    class EngineUnavailable(Exception):
        """The search engine's service cannot answer now (a cluster down, red or
        unreachable): try again later; nothing was changed."""

log = logging.getLogger(__name__)

CONFIG_FILE = "opensearch.toml"   # in the data directory
STATE_FILE = "opensearch.json"    # in each generation
LOCK_FILE = "writer.lock"
ENV_PREFIX = "NEWS_OPENSEARCH_"

PAGE = 10_000            # hits a search returns at most (the index's max_result_window)
WITH_SOURCE = 200        # top/newest of at most this many fetch the hits' stored fields too
STORED_BATCH = 100       # documents fetched at once when a stored field is missing
TERMS_SIZE = 10_000      # facet buckets in one terms aggregation
VOCAB_PAGE = 10_000      # vocabulary terms per composite aggregation page
BULK_DOCS = 500          # documents per bulk request
BULK_BYTES = 8 << 20     # and bytes at most
ITEM_RETRIES = 6         # rounds a bulk item a shard refused is sent again
WRITE_RETRY_WAIT = 30.0  # seconds a write keeps being retried while shards move (a node lost)
WRITE_TIMEOUT = 120.0    # seconds a bulk or refresh may take
PIT_KEEP_ALIVE = "2m"

_TOKEN_FIELDS = TEXT_FIELDS + GRAM_FIELDS
#: what the cluster answers when its shards or nodes are missing: worth another try
_TRANSIENT = ("no_shard_available", "unavailable_shards", "node_disconnected", "node_not_connected",
              "node_closed", "connect_transport", "receive_timeout_transport", "send_request_transport",
              "cluster_block", "primary_missing", "shard_not_found", "illegal_index_shard_state",
              "search_context_missing", "retry_on_primary", "no_node_available", "circuit_breaking",
              "es_rejected_execution", "rejected_execution", "process_cluster_event_timeout",
              "timeout_exception", "all shards failed", "transport_serialization")
_TOO_MANY = ("maxclausecount", "too_many_clauses", "too many clauses")


# -- settings --------------------------------------------------------------------------
@dataclass
class Settings:
    hosts: list[str] = field(default_factory=lambda: ["http://localhost:9200"])
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca: str | None = None
    verify: bool = True
    prefix: str = "college-news"
    shards: int = 3
    replicas: int = 1
    timeout: float = 10.0
    retries: int = 3
    #: seconds a search keeps being asked again while the cluster says its shards are moving
    retry_wait: float = 5.0
    #: where the values came from (for messages): "default", a file, "env"
    source: str = "default"


def _bool(v) -> bool:
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in ("1", "true", "yes", "on"):
        return True
    if s in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a yes/no value: {v!r}")


def _hosts(v) -> list[str]:
    items = v if isinstance(v, list) else str(v).split(",")
    out = [str(h).strip().rstrip("/") for h in items if str(h).strip()]
    if not out:
        raise ValueError("no OpenSearch host given")
    return [h if "://" in h else f"http://{h}" for h in out]


_CONVERT = {"hosts": _hosts, "user": str, "password": str, "ca": str, "verify": _bool, "prefix": str,
            "shards": int, "replicas": int, "timeout": float, "retries": int, "retry_wait": float}


def data_dir_of(path: Path) -> Path | None:
    """The data directory of a generation ``<data>/indexes/<gen>`` (None for an
    index elsewhere: a standalone one of ``build_index``)."""
    path = Path(path).absolute()
    return path.parent.parent if path.parent.name == "indexes" else None


def load_settings(path: Path | None = None, recorded: dict | None = None) -> Settings:
    """The settings for the generation at ``path``: the defaults, then what
    ``opensearch.json`` recorded (the hosts it was made on), then
    ``<data>/opensearch.toml``, then ``NEWS_OPENSEARCH_*``."""
    s = Settings()
    values: dict = {}
    sources = []
    if recorded and recorded.get("hosts"):
        values["hosts"] = recorded["hosts"]
        sources.append(STATE_FILE)
    data = data_dir_of(path) if path is not None else None
    if data is not None and (data / CONFIG_FILE).is_file():
        try:
            conf = tomllib.loads((data / CONFIG_FILE).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"cannot read {data / CONFIG_FILE}: {exc}") from None
        conf = conf.get("opensearch", conf)
        unknown = set(conf) - set(_CONVERT)
        if unknown:
            raise ValueError(f"{data / CONFIG_FILE}: unknown settings {', '.join(sorted(unknown))}")
        values.update(conf)
        sources.append(str(data / CONFIG_FILE))
    for name in _CONVERT:
        env = os.environ.get(ENV_PREFIX + name.upper())
        if env is not None and env.strip() != "":
            values[name] = env
            if "env" not in sources:
                sources.append("env")
    for name, v in values.items():
        try:
            setattr(s, name, _CONVERT[name](v))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"OpenSearch setting {name}: {exc}") from None
    if s.shards < 1 or s.replicas < 0 or s.timeout <= 0 or s.retries < 0 or s.retry_wait < 0:
        raise ValueError("OpenSearch settings: shards >= 1, replicas >= 0, timeout > 0, retries >= 0, "
                         "retry_wait >= 0")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_+-]*", s.prefix):
        raise ValueError(f"OpenSearch index prefix {s.prefix!r}: lower-case letters, digits, - _ + only")
    s.source = " + ".join(sources) or "default"
    return s


def client(s: Settings) -> OpenSearch:
    kwargs: dict = {}
    if any(h.startswith("https://") for h in s.hosts):
        kwargs.update(use_ssl=True, verify_certs=s.verify, ssl_show_warn=s.verify)
        if s.ca:
            kwargs["ca_certs"] = s.ca
        if not s.verify:
            log.warning("OpenSearch certificates are not verified (NEWS_OPENSEARCH_VERIFY=false)")
    if s.user:
        kwargs["http_auth"] = (s.user, s.password or "")
    return OpenSearch(s.hosts, timeout=s.timeout, max_retries=s.retries, retry_on_timeout=True,
                      retry_on_status=(502, 503, 504), dead_timeout=5.0, pool_maxsize=16, **kwargs)


# -- errors ------------------------------------------------------------------------------
def _reason(exc: Exception) -> str:
    info = getattr(exc, "info", None)
    if isinstance(info, dict):
        err = info.get("error")
        if isinstance(err, dict):
            causes = err.get("root_cause") or []
            parts = [f"{c.get('type')}: {c.get('reason')}" for c in causes if isinstance(c, dict)]
            return "; ".join(parts) or f"{err.get('type')}: {err.get('reason')}"
        return json.dumps(info, ensure_ascii=False)[:500]
    return str(exc)


def _text_of(exc: Exception) -> str:
    info = getattr(exc, "info", None)
    return (json.dumps(info, ensure_ascii=False) if isinstance(info, dict) else str(info or exc)).lower()


def _transient(exc: Exception) -> bool:
    """Whether the cluster may answer ``exc``'s request if asked again soon."""
    if isinstance(exc, (osx.ConnectionError, osx.ConnectionTimeout)):
        return True
    if isinstance(exc, osx.TransportError):
        status = exc.status_code
        if status in (429, 502, 503, 504):
            return True
        if isinstance(status, int) and status >= 500 or status == 404:
            text = _text_of(exc)
            return any(t in text for t in _TRANSIENT) and not any(t in text for t in _TOO_MANY)
    return False


def _too_many_clauses(exc: Exception) -> bool:
    return isinstance(exc, osx.TransportError) and any(t in _text_of(exc) for t in _TOO_MANY)


class OpenSearchError(RuntimeError):
    """The cluster refused a request for a reason another try will not change."""


def _call(fn, *args, what: str = "request", wait: float = 5.0, **kwargs):
    """``fn(*args, **kwargs)``, asked again while the cluster's failure is one a
    shard recovery or another node may end (the client has already tried the
    other nodes), up to ``wait`` seconds; :class:`EngineUnavailable` after."""
    deadline = time.monotonic() + wait
    delay = 0.1
    while True:
        try:
            return fn(*args, **kwargs)
        except (osx.ConnectionError, osx.ConnectionTimeout) as exc:
            # every node refused or timed out already: the cluster is not there
            raise EngineUnavailable(f"the OpenSearch cluster cannot be reached ({_reason(exc)})") from None
        except osx.TransportError as exc:
            if _too_many_clauses(exc):
                raise
            if not _transient(exc):
                if exc.status_code in (401, 403):
                    raise EngineUnavailable(f"OpenSearch refused the credentials ({_reason(exc)})") from None
                raise OpenSearchError(f"OpenSearch {what} failed: {_reason(exc)}") from None
            if time.monotonic() + delay > deadline:
                raise EngineUnavailable(f"OpenSearch cannot answer ({_reason(exc)})") from None
            log.info("OpenSearch %s: %s; again in %.1fs", what, _reason(exc), delay)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


# -- the index and its mapping ---------------------------------------------------------
def index_settings(s: Settings) -> dict:
    return {
        "number_of_shards": s.shards,
        "number_of_replicas": s.replicas,
        "refresh_interval": "-1",          # visible at a commit only
        "max_result_window": PAGE,
        "analysis": {
            # the tokens arrive cut and never hold white space; Lucene's whitespace
            # tokenizer would cut a token longer than 255 characters
            "tokenizer": {"cut": {"type": "whitespace", "max_token_length": 16383}},
            "analyzer": {"cut": {"type": "custom", "tokenizer": "cut"}},
        },
    }


def mapping() -> dict:
    props: dict = {
        "key": {"type": "long"},
        "id": {"type": "keyword"},
        "published": {"type": "long"},
        "stored": {"type": "object", "enabled": False},
    }
    for name in TEXT_FIELDS:
        # fielddata: the vocabulary of "did you mean" (loaded only when asked for)
        props[name] = {"type": "text", "analyzer": "cut", "index_options": "freqs", "fielddata": True}
        props[name + "_ng"] = {"type": "text", "analyzer": "cut", "index_options": "positions",
                               "fielddata": True}
    for name in FACETS:
        props[name] = {"type": "keyword", "eager_global_ordinals": True}
    return {"dynamic": "strict", "_source": {"excludes": list(_TOKEN_FIELDS)}, "properties": props}


def to_source(rec: dict) -> dict:
    doc = {"key": rec["key"], "id": rec["id"], "published": rec["published"],
           "stored": json.loads(rec["stored"])}
    for name in _TOKEN_FIELDS:
        doc[name] = rec[name]
    for name, values in zip(FACETS, rec["facets"]):
        doc[name] = list(values) if name in MULTI_VALUED or len(values) != 1 else values[0]
    return doc


def index_name(path: Path, s: Settings) -> str:
    """``<prefix>-<generation>``; an index outside a data directory's generations
    gets a hash of its path too, so two of them never share a name."""
    path = Path(path).absolute()
    gen = re.sub(r"[^a-z0-9_+-]+", "-", path.name.lower()).strip("-_+") or "index"
    if data_dir_of(path) is None:
        gen += "-" + hashlib.sha1(str(path).encode()).hexdigest()[:10]
    return f"{s.prefix}-{gen}"[:255]


def read_state(path: Path) -> dict:
    try:
        state = json.loads((Path(path) / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OSError(f"{path} holds no OpenSearch index ({STATE_FILE} is missing)") from None
    except ValueError as exc:
        raise ValueError(f"{Path(path) / STATE_FILE} cannot be read: {exc}") from None
    if not isinstance(state, dict) or not state.get("index"):
        raise ValueError(f"{Path(path) / STATE_FILE} names no index")
    return state


def _connect(path: Path) -> tuple[OpenSearch, str, Settings]:
    state = read_state(path)
    s = load_settings(path, state)
    return client(s), state["index"], s


# -- writing -----------------------------------------------------------------------------
def _actions(index: str, changes: Iterable[tuple[str, dict | None]]) -> Iterator[tuple[str, bytes]]:
    """(article id, the bulk request lines) of each change."""
    for aid, rec in changes:
        if rec is None:
            line = json.dumps({"delete": {"_index": index, "_id": aid}})
            yield aid, (line + "\n").encode("utf-8")
        else:
            head = json.dumps({"index": {"_index": index, "_id": aid}})
            body = json.dumps(to_source(rec), ensure_ascii=False, separators=(",", ":"))
            yield aid, (head + "\n" + body + "\n").encode("utf-8")


def _chunks(actions: Iterable[tuple[str, bytes]]) -> Iterator[list[tuple[str, bytes]]]:
    chunk: list[tuple[str, bytes]] = []
    size = 0
    for a in actions:
        if chunk and (len(chunk) >= BULK_DOCS or size + len(a[1]) > BULK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(a)
        size += len(a[1])
    if chunk:
        yield chunk


def _item_transient(item: dict) -> bool:
    status = item.get("status", 500)
    err = json.dumps(item.get("error") or {}).lower()
    return status in (429, 502, 503, 504) or (status >= 500 and any(t in err for t in _TRANSIENT)) \
        or "unavailable_shards" in err or "no_shard_available" in err


def _send(es: OpenSearch, chunk: list[tuple[str, bytes]]) -> int:
    """Send one chunk of bulk actions, again and again for the items a shard
    refused while it moved (a node lost); :class:`OpenSearchError` for an item
    refused for good. Every action is idempotent (by ``_id``): sending one twice,
    after a connection lost its answer, changes nothing."""
    todo = chunk
    for attempt in range(ITEM_RETRIES + 1):
        body = b"".join(lines for _, lines in todo)
        res = _call(es.bulk, body=body, what="bulk write", wait=WRITE_RETRY_WAIT,
                    params={"request_timeout": WRITE_TIMEOUT, "timeout": "60s"})
        if not res.get("errors"):
            return len(chunk)
        again = []
        for action, item in zip(todo, res["items"]):
            (op, r), = item.items()
            status = r.get("status", 500)
            if status < 300 or (op == "delete" and status == 404):
                continue
            if _item_transient(r):
                again.append(action)
                continue
            raise OpenSearchError(f"OpenSearch refused {op} of {action[0]}: {json.dumps(r.get('error'))[:500]}")
        if not again:
            return len(chunk)
        todo = again
        time.sleep(min(0.2 * 2 ** attempt, 3.0))
    raise EngineUnavailable(f"OpenSearch kept refusing {len(todo)} writes (shards unavailable)")


def _refresh(es: OpenSearch, index: str) -> None:
    res = _call(es.indices.refresh, index=index, what="refresh", wait=WRITE_RETRY_WAIT,
                params={"request_timeout": WRITE_TIMEOUT})
    shards = res.get("_shards", {})
    if shards.get("failed"):
        raise EngineUnavailable(f"OpenSearch could not refresh every shard of {index}: {shards}")


class _FileLock:
    """The one writer of a generation, across processes (``flock`` on a file in
    the generation's directory; the kernel lets go when the holder dies)."""

    def __init__(self, path: Path, wait: float) -> None:
        self._fd = os.open(Path(path) / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(self._fd)
                    raise EngineBusy(f"another process is writing the OpenSearch index of {path}") from None
                time.sleep(0.2)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class OpenSearchWriter:
    """Changes wait in memory (the latest of each id) until the commit sends them."""

    def __init__(self, path: Path, wait: float) -> None:
        self._lock = _FileLock(path, wait)
        try:
            self._es, self._index, _ = _connect(path)
        except BaseException:
            self._lock.release()
            raise
        self._pending: dict[str, dict | None] = {}

    def replace(self, article_id: str, rec: dict | None) -> None:
        self._pending.pop(article_id, None)
        self._pending[article_id] = rec

    def add(self, rec: dict) -> None:
        self.replace(rec["id"], rec)

    def commit(self) -> None:
        """Send every change, check every item, refresh. Raises on any failure
        (the changes are then kept for another ``commit`` or a ``rollback``)."""
        if self._pending:
            for chunk in _chunks(_actions(self._index, self._pending.items())):
                _send(self._es, chunk)
        _refresh(self._es, self._index)
        self._pending = {}

    def rollback(self) -> None:
        self._pending = {}

    def close(self) -> None:
        self._pending = {}
        self._lock.release()
        self._es.close()


# -- reading -------------------------------------------------------------------------------
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

    def __init__(self, reader: "OpenSearchReader") -> None:
        self._r = reader
        self._es, self._index = reader.es, reader.index
        self._pub: dict[str, int] = {}
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
                return _call(self._es.search, body=req, params=params, what="search",
                             wait=self._r.settings.retry_wait if wait is None else wait, **kwargs)
            except osx.TransportError as exc:
                patterns = set(_patterns_in(node)) - self._r.loose
                if not (_too_many_clauses(exc) and patterns):
                    raise OpenSearchError(f"OpenSearch search failed: {_reason(exc)}") from None
                self._r.loose.update(patterns)   # this reader matches them loosely from now on

    def _hits(self, node: p.Node, limit: int, sort: list, scored: bool, source: bool) -> list[dict]:
        """The first ``limit`` hits of ``node`` in the order of ``sort`` (a search,
        or pages of one point in time past :data:`PAGE`)."""
        body: dict = {"size": min(limit, PAGE), "track_total_hits": False, "sort": sort, "track_scores": scored}
        if source:
            body["_source"] = {"includes": ["published", "stored"]}
        else:
            body["_source"] = False
            body["docvalue_fields"] = ["published"]
        if limit <= PAGE:
            res = self._search(node, body, scored=scored)
            return self._keep(res["hits"]["hits"])
        return self._keep(list(self._pages(node, body, limit, sort)))

    def _pages(self, node: p.Node, body: dict, limit: int, sort: list) -> Iterator[dict]:
        """Up to ``limit`` hits by ``sort`` (ending in a unique key), a page at a
        time of one point in time; a page lost with a node starts them again."""
        for attempt in range(3):
            pit_id = _call(self._es.create_pit, index=self._index, what="point in time",
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
        return hits

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
        fields = "published,stored" if stored else "published"
        res = _call(self._es.mget, index=self._index, body={"ids": list(refs)}, what="get",
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
            if stored and "stored" in src:
                self._stored[d["_id"]] = src["stored"]

    def published(self, refs):
        missing = [r for r in dict.fromkeys(refs) if r not in self._pub]
        for i in range(0, len(missing), PAGE):
            self._fetch(missing[i:i + PAGE], stored=False)
        return [self._pub[r] for r in refs]

    def ids(self, refs):
        return list(refs)

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
        """(term, document frequency) of every term of ``field``, sorted: a
        composite aggregation, :data:`VOCAB_PAGE` terms a request, over the
        field's fielddata (loaded into the nodes' heap for it, and let go after)."""
        try:
            yield from self._composite(p.Everything(), field)
        finally:
            if field in _TOKEN_FIELDS:
                try:
                    self._es.indices.clear_cache(index=self._index, params={"fielddata": "true", "fields": field})
                except (osx.TransportError, osx.ConnectionError):
                    pass


class OpenSearchReader:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.es, self.index, self.settings = _connect(path)
        #: every request of this reader asks the same shard copies (equal scores, stable pages)
        self.preference = "r" + secrets.token_hex(6)
        #: mixed-clause patterns that expand to too many terms for a positional match
        self.loose: set[p.Patterns] = set()
        try:
            found = _call(self.es.indices.exists, index=self.index, what="open")
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


class OpenSearchEngine:
    name = "opensearch"
    schema_version = "o1"   # o1: cut tokens, whitespace tokenizer, stored in _source
    #: False: the records are tokenised by worker processes (indexer.index), and
    #: build() sends them from up to ``procs`` threads
    writes_in_parallel = False

    def library_version(self) -> str:
        return importlib.metadata.version("opensearch-py")

    def settings(self, path: Path) -> Settings:
        try:
            state = read_state(path)
        except OSError:
            state = None
        return load_settings(path, state)

    def create(self, path: Path) -> None:
        """The cluster index ``<prefix>-<generation>`` and ``path/opensearch.json``
        naming it and the hosts (never the password)."""
        path = Path(path)
        s = load_settings(path)
        es = client(s)
        name = index_name(path, s)
        try:
            info = _call(es.info, what="connect")
            try:
                _call(es.indices.create, index=name, body={"settings": index_settings(s), "mappings": mapping()},
                      what="create index", params={"request_timeout": WRITE_TIMEOUT})
            except OpenSearchError as exc:
                raise ValueError(f"cannot create the OpenSearch index {name}: {exc}") from None
            self._wait_ready(es, name, s)
            state = {"index": name, "hosts": s.hosts, "shards": s.shards, "replicas": s.replicas,
                     "server_version": info.get("version", {}).get("number"),
                     "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            tmp = path / (STATE_FILE + ".tmp")
            tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, path / STATE_FILE)
        finally:
            es.close()

    @staticmethod
    def _wait_ready(es: OpenSearch, name: str, s: Settings) -> None:
        """Every primary started; every replica too when the cluster has the nodes
        for them (a write acknowledged then survives a node's loss)."""
        nodes = int(_call(es.cluster.health, what="health")["number_of_data_nodes"])
        status = "green" if nodes > s.replicas else "yellow"
        if status == "yellow" and s.replicas:
            log.warning("the OpenSearch cluster has %d data node(s): the %d replica(s) of %s cannot be placed",
                        nodes, s.replicas, name)
        res = _call(es.cluster.health, index=name, what="health",
                    params={"wait_for_status": status, "timeout": "60s", "request_timeout": 70})
        if res.get("timed_out"):
            raise EngineUnavailable(f"the OpenSearch index {name} did not become {status}: {res.get('status')}")

    def exists(self, path: Path) -> bool:
        try:
            read_state(path)
            return True
        except (OSError, ValueError):
            return False

    def check(self, path: Path) -> None:
        """:class:`EngineUnavailable` unless the cluster answers and every primary
        of this generation's index is there (``news-indexer update`` asks first,
        so an unreachable cluster stops it before it crawls)."""
        es, name, _ = _connect(path)
        try:
            res = _call(es.cluster.health, index=name, what="health", wait=1.0,
                        params={"request_timeout": 10, "timeout": "5s", "wait_for_status": "yellow"})
            if res.get("status") == "red" or res.get("timed_out"):
                raise EngineUnavailable(f"the OpenSearch index {name} is {res.get('status')}")
        finally:
            es.close()

    def writer(self, path: Path, heap_mb: int = 128, wait: float = 60.0) -> OpenSearchWriter:
        return OpenSearchWriter(path, wait)

    def build(self, path: Path, records: Iterable[dict], procs: int = 1) -> int:
        """Bulk requests of :data:`BULK_DOCS` documents, ``procs`` (up to 4) in
        flight; every item checked, a refused one sent again; then one refresh,
        and the count checked against the distinct ids sent."""
        lock = _FileLock(path, 60.0)
        es, name, _ = _connect(path)
        n = 0
        ids: set[str] = set()

        def actions():
            nonlocal n
            for rec in records:
                n += 1
                ids.add(rec["id"])
                yield rec["id"], rec

        try:
            workers = max(1, min(procs, 4))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="opensearch-bulk") as pool:
                pending = []
                for chunk in _chunks(_actions(name, actions())):
                    pending.append(pool.submit(_send, es, chunk))
                    while len(pending) >= 2 * workers:
                        pending.pop(0).result()
                for f in pending:
                    f.result()
            _refresh(es, name)
            got = int(_call(es.count, index=name, what="count")["count"])
            if got != len(ids):
                raise OpenSearchError(f"the OpenSearch index {name} holds {got} documents, not the {len(ids)} sent")
        finally:
            es.close()
            lock.release()
        return n

    def open(self, path: Path) -> OpenSearchReader:
        return OpenSearchReader(path)

    # -- generations (for indexer.index) ----------------------------------------------
    def publish(self, path: Path) -> None:
        """Point the alias ``<prefix>`` at this generation's index, in one request
        (for other readers of the cluster; this program reads by generation)."""
        es, name, s = _connect(path)
        try:
            holders = _call(es.indices.get_alias, name=s.prefix, what="alias", params={"ignore": 404})
            actions = [{"remove": {"index": i, "alias": s.prefix}} for i in holders if i != name
                       and isinstance(holders.get(i), dict) and "aliases" in holders[i]]
            actions.append({"add": {"index": name, "alias": s.prefix}})
            _call(es.indices.update_aliases, body={"actions": actions}, what="alias")
        finally:
            es.close()

    def drop(self, path: Path) -> None:
        """Delete this generation's index from the cluster (before its directory goes)."""
        try:
            es, name, _ = _connect(path)
        except (OSError, ValueError):
            return
        try:
            _call(es.indices.delete, index=name, what="delete index", params={"ignore": 404})
        finally:
            es.close()


ENGINE = OpenSearchEngine()

__all__ = ["ENGINE", "EngineUnavailable", "OpenSearchEngine", "OpenSearchError", "Settings", "load_settings"]
