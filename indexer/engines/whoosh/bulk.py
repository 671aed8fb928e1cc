"""Whoosh's segment writer with postings kept by term, not by posting.

Whoosh's own writer turns every posting into a tuple, sorts them all, spills the
sorted runs to temporary files a pickle per posting, merges them back and hands
them one by one to the codec (which looks up each one's field length on disk):
about 17 µs a posting, and an article has about a thousand. Here each term's
postings are appended to its own arrays as the documents arrive (they arrive in
document order, so each term's list is sorted); at the end the terms are sorted,
not the postings, and each block of 128 is handed to Whoosh's own W3 postings
writer whole. A pool that outgrows its share of memory is spilled to a temporary
file a term at a time, and the spills are merged term by term at the end.

The segment is Whoosh's W3 format, read by Whoosh's own reader: the same
postings, term statistics and per-document files its own writer makes of the
same documents (``tests/test_whoosh_bulk.py`` compares them). One thing differs
on disk: a block's data is pickled with native bytes and deflated with a small
window, which Whoosh's reader unpickles and inflates as it does its own (a third
smaller, and faster both ways). Locks, deletions, merges, the table of contents
and the codec are Whoosh's.
"""
from __future__ import annotations

import heapq
import marshal
import zlib
from array import array
from itertools import chain
from operator import sub
from pickle import dumps

from whoosh import multiproc
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, _lenfield
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.index import LockError
from whoosh.writing import SegmentWriter

from indexer.engines.base import EngineBusy
from indexer.engines.whoosh.schema import fields_of

_POSTING_BYTES = 8              # a document number and a weight
_OBJECT_BYTES = 41              # a bytes object's own cost, beside its content
_TERM_BYTES = 300               # a term's key, its arrays and its place in the dict
#: a block's data pickled with native bytes (protocol 3: Whoosh's protocol 2 pickles each
#: position list as a call that rebuilds it from a string), deflated with a window of
#: 1 KiB (a block is a few KiB; the default window's setup was most of each call)
_DATA_PROTOCOL = 3
_WBITS, _MEMLEVEL = 10, 4


class TermPool:
    """The postings of one segment by field and term: for each term its document
    numbers and weights as arrays, and its encoded values (a list of bytes, or one
    byte string when the format's values have a fixed size)."""

    def __init__(self, tempstore, limitmb: int, fixed: dict[str, bool]) -> None:
        self.fieldnames: set[str] = set()   # what Whoosh's writers ask a pool for
        self.runs: list[str] = []
        self._tempstore = tempstore
        self._limit = limitmb * 1024 * 1024
        self._fixed = fixed                  # field → its values have a fixed size
        self._fields: dict[str, dict[bytes, list]] = {}
        self._size = 0
        self._disordered: set[tuple[str, bytes]] = set()

    # -- adding ------------------------------------------------------------------
    def _terms(self, fieldname: str) -> dict:
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def _new(self, fieldname: str) -> list:
        return [array("I"), array("f"), bytearray() if self._fixed.get(fieldname) else []]

    def add_field(self, fieldname: str, docnum: int, items) -> int:
        """One document's postings of one field, (btext, freq, weight, vbytes) each;
        returns the field's length (the sum of the frequencies)."""
        terms = self._terms(fieldname)
        fixed = self._fixed.get(fieldname)
        length = added = 0
        grown = 0
        for btext, freq, weight, vbytes in items:
            post = terms.get(btext)
            if post is None:
                post = terms[btext] = self._new(fieldname)
                grown += _TERM_BYTES + len(btext)
            post[0].append(docnum)
            post[1].append(weight)
            if vbytes:
                if fixed:
                    post[2] += vbytes
                else:
                    post[2].append(vbytes)
                    grown += _OBJECT_BYTES + len(vbytes)
            length += freq
            added += 1
        self._grow(grown + added * _POSTING_BYTES)
        return length

    def add(self, item) -> None:
        """One posting (fieldname, btext, docnum, weight, vbytes), as Whoosh adds
        those of the segments it merges into a new one."""
        fieldname, btext, docnum, weight, vbytes = item
        post = self._fields.get(fieldname, {}).get(btext)
        if post is not None and post[0] and docnum < post[0][-1]:
            self._disordered.add((fieldname, btext))
        self.add_field(fieldname, docnum, ((btext, 0, weight, vbytes),))

    def _grow(self, nbytes: int) -> None:
        self._size += nbytes
        if self._size > self._limit:
            self.save()

    # -- spilling ------------------------------------------------------------------
    def _sorted_terms(self):
        """(fieldname, btext, ids, weights, values) of what is in memory, in order,
        each term's postings in document order."""
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for btext in sorted(terms):
                ids, weights, values = terms[btext]
                if (fieldname, btext) in self._disordered:
                    ids, weights, values = _in_doc_order(ids, weights, values, self._fixed.get(fieldname))
                yield fieldname, btext, ids, weights, values

    def save(self) -> None:
        """Spill what is in memory to a run file, a term at a time, in term order."""
        if not self._fields:
            return
        name = "%s.terms" % random_name()
        with self._tempstore.create_file(name).raw_file() as f:
            for fieldname, btext, ids, weights, values in self._sorted_terms():
                marshal.dump((fieldname, btext, ids.tobytes(), weights.tobytes(),
                              bytes(values) if isinstance(values, bytearray) else values), f)
        self.runs.append(name)
        self._fields, self._disordered, self._size = {}, set(), 0

    def _read_run(self, name: str):
        with self._tempstore.open_file(name).raw_file() as f:
            while True:
                try:
                    fieldname, btext, ids, weights, values = marshal.load(f)
                except EOFError:
                    return
                yield fieldname, btext, array("I", ids), array("f", weights), values

    def cleanup(self) -> None:
        for name in self.runs:
            try:
                self._tempstore.delete_file(name)
            except OSError:
                pass
        self.runs = []

    # -- reading back ------------------------------------------------------------------
    def terms(self):
        """Every term (fieldname, btext, ids, weights, values) in order, the parts of
        one term from the runs and from memory joined in document order (a run holds
        earlier documents than the runs after it)."""
        sources = [self._read_run(name) for name in self.runs] + [self._sorted_terms()]
        merged = heapq.merge(*sources, key=lambda t: (t[0], t[1])) if len(sources) > 1 else sources[0]
        pending = None
        for term in merged:
            if pending is not None and pending[:2] == term[:2]:
                fixed = self._fixed.get(term[0])
                values = (bytes(pending[4]) + bytes(term[4])) if fixed else list(pending[4]) + list(term[4])
                pending = (term[0], term[1], pending[2] + term[2], pending[3] + term[3], values)
                continue
            if pending is not None:
                yield pending
            pending = term
        if pending is not None:
            yield pending


def _in_doc_order(ids, weights, values, fixed):
    order = sorted(range(len(ids)), key=ids.__getitem__)
    ids2, weights2 = array("I", (ids[i] for i in order)), array("f", (weights[i] for i in order))
    if fixed:
        size = len(values) // max(1, len(ids))
        values2 = bytearray(b"".join(bytes(values[i * size:(i + 1) * size]) for i in order))
    else:
        values2 = [values[i] for i in order] if len(values) == len(ids) else values
    return ids2, weights2, values2


class BulkSegmentWriter(SegmentWriter):
    """Whoosh's segment writer with a :class:`TermPool` and the postings written a
    block at a time."""

    def __init__(self, ix, limitmb: int = 128, **kwargs) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        fixed = {name: bool(field.format and field.format.fixed_value_size())
                 for name, field in self.schema.items() if field.indexed}
        self.pool = TermPool(self._tempstorage, limitmb, fixed)

    def add_document(self, **fields):
        if any(name.startswith("_") for name in fields):
            # boosts and custom stored values: Whoosh's own path, its postings added one by one
            return SegmentWriter.add_document(self, **fields)
        self._check_state()
        schema, perdoc, docnum = self.schema, self.perdocwriter, self.docnum
        names = sorted(fields)
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                if field.vector or field.separate_spelling():
                    raise TypeError(f"the bulk writer does not write vectors or spellings ({name})")
                length = 0
                if field.indexed:
                    cut = getattr(field.format, "postings", None)   # the formats of tokens cut already
                    items = cut(value) if cut is not None and isinstance(value, str) else field.index(value)
                    length = self.pool.add_field(name, docnum, items)
                    if not field.scorable:
                        length = 0
                perdoc.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    perdoc.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        try:
            write_terms(self.fieldwriter, self.schema, self.pool.terms(), _Lengths(pdr))
        finally:
            self.fieldwriter.close()
            if pdr is not None:
                pdr.close()


class _Lengths:
    """Each field's document lengths, as Whoosh's codec records them (a byte each,
    decoded), read once per field rather than once per posting."""

    def __init__(self, pdr) -> None:
        self._pdr, self._cache = pdr, {}

    def of(self, fieldname: str) -> list[int] | None:
        if self._pdr is None:
            return None
        if fieldname not in self._cache:
            reader = self._pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            self._cache[fieldname] = None if reader is None else [
                byte_to_length(b) if b else 0 for b in reader]
        return self._cache[fieldname]


def write_terms(fieldwriter, schema, terms, lengths: _Lengths) -> None:
    """Hand each term's postings to Whoosh's W3 field writer a block at a time:
    the block's arrays and its statistics set as its own ``add_posting`` would
    have left them, then its own block writer called."""
    field = None
    for fieldname, btext, ids, weights, values in terms:
        if fieldname != field:
            if field is not None:
                fieldwriter.finish_field()
            field = fieldname
            fieldwriter.start_field(fieldname, schema[fieldname])
            lens = lengths.of(fieldname)
            fixed = schema[fieldname].format.fixed_value_size()
            pw = fieldwriter._postwriter                   # a new postings writer for each field
            if pw._inlinelimit > 1:
                raise TypeError("the bulk writer writes no inlined postings")
            pw._write_block = _block_writer(pw)
        fieldwriter.start_term(btext)
        limit, n = pw._blocklimit, len(ids)
        for start in range(0, n, limit):
            end = min(n, start + limit)
            block = ids[start:end]
            pw._ids, pw._weights = block, weights[start:end]
            pw._maxweight = max(pw._weights)
            if fixed:
                pw._values = [bytes(values[start * fixed:end * fixed])] if values else []
            else:
                pw._values = values[start:end]
            if lens is not None:
                present = [x for x in map(lens.__getitem__, block) if x]
                pw._minlength = min(present) if present else None
                pw._maxlength = max(present) if present else 0
            if end < n:
                pw._write_block()
        fieldwriter.finish_term()        # writes the last block, marked the last
    if field is not None:
        fieldwriter.finish_field()


def _block_writer(pw):
    """``pw``'s own ``_write_block`` in the same layout (the header magic, the block
    info, the data tuple of ids deltas, weights and values), its data pickled and
    deflated faster; Whoosh's reader unpickles and inflates any of them alike."""

    def write_block(last: bool = False) -> None:
        postfile = pw._postfile
        if not pw._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        pw._terminfo.add_block(pw)
        ids = pw._ids
        data = dumps((tuple(map(sub, ids, chain((0,), ids))), pw._mini_weights(), pw._mini_values()),
                     _DATA_PROTOCOL)
        comp = pw._compression
        if comp:
            deflate = zlib.compressobj(comp, zlib.DEFLATED, _WBITS, _MEMLEVEL)
            data = deflate.compress(data) + deflate.flush()
        info = dumps((len(ids), ids[-1], pw._maxweight, comp,
                      length_to_byte(pw._minlength), length_to_byte(pw._maxlength)), 2)
        size = len(info) + len(data)
        postfile.write_int(-size if last else size)
        postfile.write(info)
        postfile.write(data)
        pw._blockcount += 1
        pw._new_block()

    return write_block


class _BulkTask(SubWriterTask):
    """One of Whoosh's writer processes, writing with :class:`BulkSegmentWriter`:
    the name its loop looks up is rebound in this process only, after the fork."""

    def run(self):
        multiproc.SegmentWriter = BulkSegmentWriter
        super().run()


class BulkMpWriter(MpWriter):
    """Whoosh's multi-process writer whose processes write with the bulk writer."""

    def _new_task(self):
        task = _BulkTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                         self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


def build(ix, records, procs: int = 1) -> int:
    """Write ``records`` into ``ix`` in one commit. With ``procs`` > 1 in Whoosh's
    multi-process writer: each process writes a segment of its share of the
    records, kept as it is (no final merge)."""
    limitmb = 256 // max(procs, 1)
    try:
        if procs > 1:
            w = BulkMpWriter(ix, procs=procs, multisegment=True, batchsize=50,
                             timeout=60.0, delay=0.2, limitmb=limitmb)
        else:
            w = BulkSegmentWriter(ix, timeout=60.0, delay=0.2, limitmb=limitmb)
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


def _check_writers(w) -> None:
    """Fail the build, rather than wait for ever, when a writer process has died."""
    dead = [t for t in getattr(w, "tasks", ()) if not t.is_alive()]
    if dead:
        raise RuntimeError(f"a Whoosh writer process died (exit code {dead[0].exitcode}) during the build; "
                           "nothing was switched to: run `news-indexer reindex` again")
