"""The contract every search engine implements.

An engine is one module of this package holding one :class:`Engine`. It keeps
records of :mod:`indexer.documents` and answers the nodes of
:mod:`indexer.plan`; it decides nothing a reader could notice (what matches,
how a clause or a filter behaves, the order of ties, snippets are all decided
outside it). Generations, ``engine.json`` and the store's sequence are kept by
:mod:`indexer.index`; the reading and ranking around the engine by
:mod:`indexer.search`.

A *ref* is an engine's own handle of one document in one :class:`Snapshot`
(valid for that snapshot only).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from indexer.plan import Node


class EngineBusy(Exception):
    """Another process holds the index's writer for longer than the engine waits."""


class EngineUnavailable(Exception):
    """The engine's service (a cluster) cannot answer now: unreachable, red, or
    refusing. Temporary: the web answers 503, ``news-indexer update`` exits 75
    touching nothing, and the next run goes on."""


class Writer(Protocol):
    def replace(self, article_id: str, rec: dict | None) -> None:
        """Delete the document of ``article_id`` and (when ``rec`` is given) add ``rec``
        in its place; seen by readers at the next commit."""

    def commit(self) -> None:
        """Make every change so far visible and durable, atomically."""

    def rollback(self) -> None:
        """Forget every change since the last commit."""

    def close(self) -> None:
        """Let go of the writer (after a commit or a rollback)."""


class Snapshot(Protocol):
    """One point-in-time view of an index, for one request."""

    num_docs: int

    def top(self, node: Node, limit: int) -> list[tuple[float, object]]:
        """The ``limit`` best (score, ref) of ``node``'s matches, best first."""

    def newest(self, node: Node, limit: int) -> list[object]:
        """The refs of the ``limit`` newest matches (by ``published``), newest first."""

    def oldest(self, node: Node, limit: int) -> list[object]:
        """The refs of the ``limit`` oldest matches (by ``published``), oldest first."""

    def count(self, node: Node) -> int: ...

    def refs(self, node: Node) -> list[object]:
        """Every match, in any order."""

    def facet_counts(self, node: Node, names: list[str]) -> dict[str, dict[str, int]]:
        """For each facet of ``names``: value → how many of ``node``'s matches hold it."""

    def published(self, refs: list[object]) -> list[int]: ...

    def ids(self, refs: list[object]) -> list[str]: ...

    def stored(self, ref: object) -> dict:
        """The displayed fields (:func:`indexer.documents.stored_fields`)."""

    def find(self, article_id: str) -> object | None: ...

    def terms(self, field: str) -> Iterator[tuple[str, int]]:
        """(term, document frequency) of every term of ``field``."""

    # Optional: ``signatures(refs)``, each ref's :func:`indexer.stories.signature`
    # read from columns (the record's ``fold``) instead of its stored document;
    # without it a page is folded from the stored documents.
    # Optional: ``concurrent = True`` when two threads may ask one snapshot at
    # once (the facets are then counted while the page is ranked, on a large
    # index); ``round_trips = True`` when each pass is a request to a service
    # (overlapped at any size).
    # Optional: ``facet_groups(required, [(filter nodes, names), ...])``, each
    # group's ``facet_counts`` over ``required``'s matches passing its filters, all
    # in one pass (without it, one ``facet_counts`` a group).
    # Optional: ``date_keys(refs, oldest)``, the numbers ``newest``/``oldest``
    # ordered the refs by when the engine orders articles of one date by more
    # than ``published`` (without it, ``published`` is the order).


class Reader(Protocol):
    def snapshot(self) -> Snapshot: ...

    def reload(self) -> None:
        """See the latest commit."""

    def close(self) -> None: ...


class Engine(Protocol):
    name: str
    schema_version: str   # bumped when what the engine writes changes

    def library_version(self) -> str: ...

    def create(self, path: Path) -> None:
        """An empty index in the (existing, empty) directory ``path``."""

    def exists(self, path: Path) -> bool:
        """Whether ``path`` holds an index of this engine."""

    def writer(self, path: Path, heap_mb: int = 128, wait: float = 60.0) -> Writer:
        """The index's one writer, waiting up to ``wait`` seconds for another
        process to let go of it; :class:`EngineBusy` after that."""

    def build(self, path: Path, records: Iterable[dict], procs: int = 1) -> int:
        """Add ``records`` to the new, empty index at ``path`` in one commit; how
        many. ``procs``: the processes a large build may use (the records are
        already tokenised by as many)."""

    def open(self, path: Path) -> Reader:
        """A reader of the index at ``path`` (``OSError``/``ValueError`` when it cannot be read)."""

    # Optional, for engines whose index lives in a service rather than in ``path``:
    # ``check(path)`` raises EngineUnavailable when the service cannot take writes now;
    # ``publish(path)`` makes the generation the one other clients of the service see;
    # ``drop(path)`` removes what the generation holds in the service.
