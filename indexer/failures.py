"""What fails now, and for how long: the crawler's bookkeeping of failing pages.

Every failure of a run is kept in the store's ``failures`` table (the history).
Beside it, ``failing`` holds one row per URL whose last try failed: its reason,
and how many runs in a row it failed with that reason (its *streak*). A page read
again clears its row; a page failing another way starts a new streak.

A page that failed the same way on :data:`PERSISTENT_AFTER` runs in a row is
*persistent*. It is something the operator already knows about (a page the site
really serves empty, an article it deleted before it was ever read): it no longer
counts toward the run's ``failed`` nor makes ``news-indexer update`` exit 1, so
that exit 1 always means something new went wrong. It stays listed in
``news-indexer stats --failures``, and it is retried once every
:data:`RETRY_AFTER` (a day): when it reads again, its row goes.

Warnings (a configured list page with no article link) are kept the same way,
marked as warnings: they never count toward ``failed`` and are never skipped.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from indexer.store import Store

log = logging.getLogger(__name__)

#: Runs in a row a page must fail the same way to be persistent.
PERSISTENT_AFTER = 3
#: How long a persistent failure rests between tries.
RETRY_AFTER = timedelta(days=1)


@dataclass
class Failing:
    url: str
    reason: str
    detail: str
    streak: int
    first_run: int
    last_run: int
    last_at: str
    warning: bool = False

    @property
    def persistent(self) -> bool:
        return not self.warning and self.streak >= PERSISTENT_AFTER

    def due(self, now: datetime) -> bool:
        """Whether a persistent failure has rested long enough to be tried again."""
        try:
            last = datetime.fromisoformat(self.last_at)
        except ValueError:
            return True
        return now - last >= RETRY_AFTER


def is_persistent(row) -> bool:
    """For a row of the store's ``failing`` table."""
    return not row["warning"] and row["streak"] >= PERSISTENT_AFTER


class FailureBook:
    """The ``failing`` rows of one site, read at the start of a run and kept up to
    date as the run goes."""

    def __init__(self, store: Store, site: str, run_id: int) -> None:
        self.store = store
        self.site = site
        self.run_id = run_id
        self.rows: dict[str, Failing] = {
            r["url"]: Failing(r["url"], r["reason"], r["detail"] or "", r["streak"], r["first_run"],
                              r["last_run"], r["last_at"], bool(r["warning"]))
            for r in store.failing(site)}
        self.now = datetime.now(timezone.utc)

    def resting(self, url: str) -> bool:
        """A persistent failure not yet due for another try: leave it alone this run."""
        row = self.rows.get(url)
        return row is not None and row.persistent and not row.due(self.now)

    def failed(self, url: str, reason: str, detail: str, warning: bool = False) -> Failing:
        """Record that ``url`` failed in this run; returns its row (``persistent`` says
        whether it is an old story)."""
        row = self.rows.get(url)
        if row is not None and row.last_run == self.run_id and row.reason == reason:
            return row                                    # twice in one run: one failure
        if row is not None and row.reason == reason and row.warning == warning:
            streak, first = row.streak + 1, row.first_run
        else:
            streak, first = 1, self.run_id
        was_persistent = row is not None and row.persistent and row.reason == reason
        self.store.set_failing(url, self.site, reason, detail, streak, first, self.run_id, warning)
        row = Failing(url, reason, detail, streak, first, self.run_id, self.now.isoformat(), warning)
        self.rows[url] = row
        if row.persistent and not was_persistent:
            log.warning("%s: failed the same way (%s) on %d runs in a row: now persistent, retried once "
                        "a day, and no longer counted as failed", url, reason, streak)
        return row

    def succeeded(self, url: str) -> None:
        """``url`` was read: whatever failed before is over."""
        if self.rows.pop(url, None) is not None:
            self.store.clear_failing(url)
