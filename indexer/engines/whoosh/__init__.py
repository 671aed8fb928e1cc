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

from indexer.engines.whoosh import bulk, storage   # noqa: F401  (segment parts read from their memory map)
from indexer.engines.whoosh.reads import WhooshReader
# the formats by the names the schemas of indexes written before the split pickled
from indexer.engines.whoosh.schema import CutFrequency, CutPositions, make_schema   # noqa: F401
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
        return bulk.build(windex.open_dir(str(path)), records, procs)

    def open(self, path: Path) -> WhooshReader:
        return WhooshReader(path)


ENGINE = WhooshEngine()
