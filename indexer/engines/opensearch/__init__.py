"""The OpenSearch engine: the index lives in an OpenSearch cluster (2.x), reached
through ``opensearch-py``; a generation directory holds ``opensearch.json``,
which names the cluster index, so a reader and a writer find it again, and
``terms.sqlite``, the document frequencies "did you mean" draws from (:mod:`.counts`).

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
this package knows OpenSearch: :mod:`.settings` (where the cluster is),
:mod:`.calls` (asking it again), :mod:`.mapping`, :mod:`.writes`, :mod:`.reads`,
:mod:`.counts`.
"""
from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from opensearchpy import OpenSearch

from indexer.engines.base import EngineUnavailable
from indexer.engines.opensearch import counts
from indexer.engines.opensearch.calls import OpenSearchError, call
from indexer.engines.opensearch.mapping import index_settings, mapping
from indexer.engines.opensearch.reads import OpenSearchReader
from indexer.engines.opensearch.settings import (STATE_FILE, Settings, client, connect, index_name,
                                                 load_settings, read_state)
from indexer.engines.opensearch.writes import (WRITE_TIMEOUT, FileLock, OpenSearchWriter, actions, chunks,
                                               refresh, send)

log = logging.getLogger(__name__)


class OpenSearchEngine:
    name = "opensearch"
    schema_version = "o2"   # o1: cut tokens, whitespace tokenizer, stored in _source; o2: the fold doc values
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
            info = call(es.info, what="connect")
            try:
                call(es.indices.create, index=name, body={"settings": index_settings(s), "mappings": mapping()},
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
            counts.write(path, counts.Tally())   # an empty index: no terms; its writers count from here
        finally:
            es.close()

    @staticmethod
    def _wait_ready(es: OpenSearch, name: str, s: Settings) -> None:
        """Every primary started; every replica too when the cluster has the nodes
        for them (a write acknowledged then survives a node's loss)."""
        nodes = int(call(es.cluster.health, what="health")["number_of_data_nodes"])
        status = "green" if nodes > s.replicas else "yellow"
        if status == "yellow" and s.replicas:
            log.warning("the OpenSearch cluster has %d data node(s): the %d replica(s) of %s cannot be placed",
                        nodes, s.replicas, name)
        res = call(es.cluster.health, index=name, what="health",
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
        es, name, _ = connect(path)
        try:
            res = call(es.cluster.health, index=name, what="health", wait=1.0,
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
        lock = FileLock(path, 60.0)
        es, name, _ = connect(path)
        n = 0
        ids: set[str] = set()

        tally: counts.Tally | None = counts.Tally()

        def changes():
            nonlocal n, tally
            for rec in records:
                n += 1
                if tally is not None:
                    if rec["id"] in ids:
                        tally = None   # an id sent twice: its first version's terms are not known
                    else:
                        tally.add(counts.record_terms(rec))
                ids.add(rec["id"])
                yield rec["id"], rec

        try:
            workers = max(1, min(procs, 4))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="opensearch-bulk") as pool:
                pending = []
                for chunk in chunks(actions(name, changes())):
                    pending.append(pool.submit(send, es, chunk))
                    while len(pending) >= 2 * workers:
                        pending.pop(0).result()
                for f in pending:
                    f.result()
            refresh(es, name)
            got = int(call(es.count, index=name, what="count")["count"])
            if got != len(ids):
                raise OpenSearchError(f"the OpenSearch index {name} holds {got} documents, not the {len(ids)} sent")
            if tally is not None:
                counts.write(path, tally)
            else:
                counts.path(path).unlink(missing_ok=True)
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
        es, name, s = connect(path)
        try:
            holders = call(es.indices.get_alias, name=s.prefix, what="alias", params={"ignore": 404})
            moves = [{"remove": {"index": i, "alias": s.prefix}} for i in holders if i != name
                       and isinstance(holders.get(i), dict) and "aliases" in holders[i]]
            moves.append({"add": {"index": name, "alias": s.prefix}})
            call(es.indices.update_aliases, body={"actions": moves}, what="alias")
        finally:
            es.close()

    def drop(self, path: Path) -> None:
        """Delete this generation's index from the cluster (before its directory goes)."""
        try:
            es, name, _ = connect(path)
        except (OSError, ValueError):
            return
        try:
            call(es.indices.delete, index=name, what="delete index", params={"ignore": 404})
        finally:
            es.close()


ENGINE = OpenSearchEngine()

__all__ = ["ENGINE", "EngineUnavailable", "OpenSearchEngine", "OpenSearchError", "Settings", "load_settings"]
