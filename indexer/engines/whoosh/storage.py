"""Whoosh's compound segment files read straight from their memory map, without
the copy Whoosh makes of each part for every searcher."""
from __future__ import annotations

from whoosh.codec import base as wcodec
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import StorageError
from whoosh.filedb.structfile import BufferFile

PEEK = 256          # bytes a look ahead copies: a block header is a few dozen


class _SliceReader:
    """A read-only file over a memoryview (one part of a segment's memory map)."""

    def __init__(self, buf: memoryview) -> None:
        self._buf, self._pos = buf, 0

    def read(self, n: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if n is None or n < 0 else min(len(self._buf), start + n)
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def peek(self, n: int = 1) -> bytes:
        """What follows, without moving: at most ``PEEK`` bytes. With it C's
        unpickler reads a posting block's header in two calls, not one per opcode
        (Whoosh unpickles a header for every block of postings it visits)."""
        return bytes(self._buf[self._pos:self._pos + max(1, min(n, PEEK))])

    def readline(self, limit: int = -1) -> bytes:
        rest = self._buf[self._pos:] if limit is None or limit < 0 else self._buf[self._pos:self._pos + limit]
        data = bytes(rest)
        cut = data.find(b"\n")
        line = data if cut < 0 else data[:cut + 1]
        self._pos += len(line)
        return line

    def __iter__(self):
        while self._pos < len(self._buf):
            yield self.readline()

    def seek(self, pos: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = memoryview(b"")


class _ViewFile(BufferFile):
    """Whoosh's in-memory file, over a view of the map instead of a copy of it."""

    def __init__(self, buf: memoryview, name=None, onclose=None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _SliceReader(buf)


class _MappedCompoundStorage(CompoundStorage):
    """A compound segment file whose parts are read straight from its memory map.
    Whoosh's own copies each part it opens (the postings, the term index) into a
    BytesIO, for every searcher: one searcher a thread, each held a private copy
    of the whole index (2.7 GB at 20,000 articles with 8 threads)."""

    def open_file(self, name, *args, **kwargs):
        if self.is_closed:
            raise StorageError("Storage was closed")
        if not self._source:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return _ViewFile(memoryview(self._source)[offset:offset + length], name=name)


wcodec.CompoundStorage = _MappedCompoundStorage   # what Segment.open_compound_file opens
