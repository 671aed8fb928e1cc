"""One search engine per app: opened on first use, refreshed at most every few seconds.

The indexer commits a new index generation while the site is live; ``refresh()``
makes the next searches see it without a restart. While there is no index (or one
built by other analyzers) every request raises :class:`IndexMissing`, and the
holder tries to open it again, at most once per interval, until it appears.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from indexer.engines import EngineUnavailable
from indexer.search import IndexMissing, SearchEngine

log = logging.getLogger(__name__)

REFRESH_INTERVAL = 2.0  # seconds


class EngineHolder:
    def __init__(self, index_dir: Path, interval: float = REFRESH_INTERVAL) -> None:
        self.index_dir = Path(index_dir)
        self.interval = interval
        self._engine: SearchEngine | None = None
        self._missing: Exception | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def get(self) -> SearchEngine:
        """The open engine, refreshed if the last check is older than the interval.
        Raises :class:`IndexMissing` while there is no usable index."""
        now = time.monotonic()
        if now - self._checked < self.interval:
            if self._engine is not None:
                return self._engine
            if self._missing is not None:
                raise self._missing
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= self.interval:
                self._check()
                self._checked = time.monotonic()
            if self._engine is not None:
                return self._engine
            raise self._missing or IndexMissing(f"没有可用的索引：{self.index_dir}")

    def _check(self) -> None:
        if self._engine is None:
            try:
                self._engine = SearchEngine(self.index_dir)
                self._engine.warm()   # the first typo does not wait for the vocabulary
                self._missing = None
                log.info("opened the index at %s", self.index_dir)
            except (IndexMissing, EngineUnavailable) as exc:   # retried at the next interval
                if self._missing is None or str(self._missing) != str(exc):
                    log.warning("no usable index: %s", exc)
                self._missing = exc
            return
        try:
            self._engine.refresh()
        except IndexMissing as exc:
            log.warning("the index went away: %s", exc)
            self._close_engine()
            self._missing = exc

    def _close_engine(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            try:
                engine.close()
            except Exception:  # pragma: no cover - closing must not take the site down
                log.exception("closing the search engine failed")

    def close(self) -> None:
        with self._lock:
            self._close_engine()
            self._checked = float("-inf")
