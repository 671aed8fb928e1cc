"""Changes applied to a Whoosh index: a batch of the store's changes in one commit."""
from __future__ import annotations

from whoosh.index import LockError

from indexer.engines.base import EngineBusy
from indexer.engines.whoosh.bulk import BulkSegmentWriter
from indexer.engines.whoosh.schema import fields_of


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
            self._w = BulkSegmentWriter(self._ix, timeout=self._wait, delay=0.2)
        except LockError as exc:
            raise EngineBusy(f"another process is writing the Whoosh index ({exc})") from None

    def replace(self, article_id: str, rec: dict | None) -> None:
        self._pending.pop(article_id, None)   # the latest change of an id is the one applied
        self._pending[article_id] = rec

    def add(self, rec: dict) -> None:
        self._w.add_document(**fields_of(rec))

    def commit(self) -> None:
        for aid, rec in self._pending.items():
            self._w.delete_by_term("id", aid)
        for rec in self._pending.values():
            if rec is not None:
                self._w.add_document(**fields_of(rec))
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
