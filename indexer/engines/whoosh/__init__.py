"""The Whoosh engine (``whoosh-reloaded``): pure Python, nothing compiled on the
server, for one college's few thousand articles a year.

The same records as every engine (:mod:`indexer.documents`): the word fields
with frequencies and the bigram fields with positions, both split on white
space (the tokens arrive cut), so phrases are exact over positions; ``id``
(unique, a column) to replace, get and list; ``published`` as a sortable number
for ranges and dates; the facets as keyword columns; ``fold``, a column of an
article's fold signature (:mod:`indexer.stories`), so that folding a page reads
no stored document; ``stored``, the JSON of the displayed fields.

The engine's parts, one module each: :mod:`.schema` (the fields and formats),
:mod:`.storage` (segment files read from their memory map), :mod:`.writes` (a
batch of changes in one commit), :mod:`.bulk` (a whole build, in several
processes), :mod:`.postings` (a term's postings a block at a time) and
:mod:`.reads` (searching). Only this package knows Whoosh.
"""
from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from pathlib import Path

from whoosh import index as windex
from whoosh.index import LockError

from indexer.engines.base import EngineBusy
from indexer.engines.whoosh import storage   # noqa: F401  (segment parts read from their memory map)
from indexer.engines.whoosh.reads import WhooshReader
# the formats by the names the schemas of indexes written before the split pickled
from indexer.engines.whoosh.schema import CutFrequency, CutPositions, fields_of, make_schema   # noqa: F401
from indexer.engines.whoosh.writes import WhooshWriter


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
                w.add_document(**fields_of(rec))
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
