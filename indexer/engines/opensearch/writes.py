"""Writing: bulk requests of the buffered changes, every item checked and a
refused one sent again, then a refresh; one writer a generation (a file lock);
the counted fields' document frequencies kept up (:mod:`.counts`)."""
from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from opensearchpy import OpenSearch

from indexer.engines.base import EngineBusy, EngineUnavailable
from indexer.engines.opensearch import counts
from indexer.engines.opensearch.calls import TRANSIENT, OpenSearchError, call
from indexer.engines.opensearch.mapping import to_source
from indexer.engines.opensearch.settings import connect

LOCK_FILE = "writer.lock"
BULK_DOCS = 500          # documents per bulk request
BULK_BYTES = 8 << 20     # and bytes at most
ITEM_RETRIES = 6         # rounds a bulk item a shard refused is sent again
WRITE_RETRY_WAIT = 30.0  # seconds a write keeps being retried while shards move (a node lost)
WRITE_TIMEOUT = 120.0    # seconds a bulk or refresh may take


def actions(index: str, changes: Iterable[tuple[str, dict | None]]) -> Iterator[tuple[str, bytes]]:
    """(article id, the bulk request lines) of each change."""
    for aid, rec in changes:
        if rec is None:
            line = json.dumps({"delete": {"_index": index, "_id": aid}})
            yield aid, (line + "\n").encode("utf-8")
        else:
            head = json.dumps({"index": {"_index": index, "_id": aid}})
            body = json.dumps(to_source(rec), ensure_ascii=False, separators=(",", ":"))
            yield aid, (head + "\n" + body + "\n").encode("utf-8")


def chunks(actions: Iterable[tuple[str, bytes]]) -> Iterator[list[tuple[str, bytes]]]:
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
    return status in (429, 502, 503, 504) or (status >= 500 and any(t in err for t in TRANSIENT)) \
        or "unavailable_shards" in err or "no_shard_available" in err


def send(es: OpenSearch, chunk: list[tuple[str, bytes]]) -> int:
    """Send one chunk of bulk actions, again and again for the items a shard
    refused while it moved (a node lost); :class:`OpenSearchError` for an item
    refused for good. Every action is idempotent (by ``_id``): sending one twice,
    after a connection lost its answer, changes nothing."""
    todo = chunk
    for attempt in range(ITEM_RETRIES + 1):
        body = b"".join(lines for _, lines in todo)
        res = call(es.bulk, body=body, what="bulk write", wait=WRITE_RETRY_WAIT,
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


def refresh(es: OpenSearch, index: str) -> None:
    res = call(es.indices.refresh, index=index, what="refresh", wait=WRITE_RETRY_WAIT,
               params={"request_timeout": WRITE_TIMEOUT})
    shards = res.get("_shards", {})
    if shards.get("failed"):
        raise EngineUnavailable(f"OpenSearch could not refresh every shard of {index}: {shards}")


class FileLock:
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


def stored_versions(es: OpenSearch, index: str, ids: list[str]) -> Iterator[tuple[str, dict]]:
    """(id, the stored fields the counted terms are cut from) of the ids the index holds."""
    for i in range(0, len(ids), BULK_DOCS):
        res = call(es.mget, index=index, body={"ids": ids[i:i + BULK_DOCS]}, what="get",
                   params={"_source_includes": ",".join("stored." + f for f in counts.SOURCES)})
        for d in res["docs"]:
            if d.get("error"):
                raise OpenSearchError(f"OpenSearch could not get {d.get('_id')}: {d['error']}")
            if d.get("found"):
                yield d["_id"], (d.get("_source") or {}).get("stored") or {}


class OpenSearchWriter:
    """Changes wait in memory (the latest of each id) until the commit sends them."""

    def __init__(self, path: Path, wait: float) -> None:
        self._lock = FileLock(path, wait)
        try:
            self._es, self._index, _ = connect(path)
        except BaseException:
            self._lock.release()
            raise
        self._gen = Path(path)
        self._pending: dict[str, dict | None] = {}
        #: the counted terms of the versions the pending changes replace, read before
        #: the first try to send them (a failed commit's retry must not read its own writes)
        self._replaced: dict[str, dict[str, set[str]] | None] = {}

    def replace(self, article_id: str, rec: dict | None) -> None:
        self._pending.pop(article_id, None)
        self._pending[article_id] = rec

    def add(self, rec: dict) -> None:
        self.replace(rec["id"], rec)

    def commit(self) -> None:
        """Send every change, check every item, refresh. Raises on any failure
        (the changes are then kept for another ``commit`` or a ``rollback``)."""
        tally = self._tally() if self._pending and counts.exists(self._gen) else None
        if self._pending:
            for chunk in chunks(actions(self._index, self._pending.items())):
                send(self._es, chunk)
        refresh(self._es, self._index)
        if tally is not None:
            counts.apply(self._gen, tally)
        self._pending, self._replaced = {}, {}

    def _tally(self) -> counts.Tally:
        """The pending changes' effect on the document frequencies."""
        unread = [aid for aid in self._pending if aid not in self._replaced]
        found = dict(stored_versions(self._es, self._index, unread))
        for aid in unread:
            self._replaced[aid] = counts.stored_terms(found[aid]) if aid in found else None
        tally = counts.Tally()
        for aid, rec in self._pending.items():
            if self._replaced[aid] is not None:
                tally.take(self._replaced[aid])
            if rec is not None:
                tally.add(counts.record_terms(rec))
        return tally

    def rollback(self) -> None:
        self._pending, self._replaced = {}, {}

    def close(self) -> None:
        self._pending, self._replaced = {}, {}
        self._lock.release()
        self._es.close()

