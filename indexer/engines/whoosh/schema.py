"""The Whoosh schema of the records every engine receives (:mod:`indexer.documents`):
the fields, the formats of tokens that arrive cut, and a record as Whoosh's fields."""
from __future__ import annotations

from collections import Counter
from itertools import accumulate
from pickle import loads

from whoosh import columns as wcolumns
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import COLUMN, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Frequency, Positions
from whoosh.system import _INT_SIZE, pack_uint

from indexer.documents import FACETS, TEXT_FIELDS

SEP = "\x1f"       # between the values of a multi-valued facet in its column
_ANALYZER = SpaceSeparatedTokenizer()


class CutPositions(Positions):
    """Positions of tokens that arrive cut, joined by spaces: the i-th token is at
    position i (as in Whoosh's space tokenizer), read without a token object each."""

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        for w, poslist in _positions(value).items():
            yield (w, len(poslist), len(poslist) * fb, self.encode(poslist))

    def postings(self, value: str):
        """(btext, freq, weight, vbytes) of each token, as ``field.index`` gives them,
        with the encoding of a single position made once (most bigrams of an article
        stand in it once)."""
        fb, encode, single = self.field_boost, self.encode, _SINGLE
        for w, poslist in _positions(value).items():
            n = len(poslist)
            if n == 1:
                at = poslist[0]
                vbytes = single.get(at)
                if vbytes is None:
                    vbytes = encode(poslist)
                    if at < _SINGLE_MAX:
                        single[at] = vbytes
            else:
                vbytes = encode(poslist)
            yield w.encode("utf-8"), n, n * fb, vbytes

    def decode_positions(self, valuestring):
        # the encoding of Positions (a count, then pickled deltas), decoded without a Python loop
        if not valuestring.endswith(b"."):
            valuestring += b"."
        return list(accumulate(loads(valuestring[_INT_SIZE:])))


_SINGLE: dict[int, bytes] = {}   # position → the encoding of that one position
_SINGLE_MAX = 1 << 16


def _positions(value: str) -> dict[str, list[int]]:
    poses: dict[str, list[int]] = {}
    get = poses.get
    for i, t in enumerate(value.split()):
        lst = get(t)
        if lst is None:
            poses[t] = [i]
        else:
            lst.append(i)
    return poses


class CutFrequency(Frequency):
    """Frequencies of tokens that arrive cut, joined by spaces."""

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        return ((w, n, n * fb, pack_uint(n)) for w, n in Counter(value.split()).items())

    def postings(self, value: str):
        """(btext, freq, weight, vbytes) of each token, as ``field.index`` gives them."""
        fb = self.field_boost
        return ((w.encode("utf-8"), n, n * fb, _FREQ.get(n) or pack_uint(n))
                for w, n in Counter(value.split()).items())


_FREQ = {n: pack_uint(n) for n in range(1, 256)}


def _text(positions: bool) -> TEXT:
    field = TEXT(analyzer=_ANALYZER, phrase=positions)
    field.format = CutPositions(field_boost=1.0) if positions else CutFrequency(field_boost=1.0)
    return field


def make_schema() -> Schema:
    fields = {
        "id": ID(unique=True, sortable=True),
        "published": NUMERIC(numtype=int, bits=64, signed=True, sortable=True),
        "stored": STORED(),
        "fold": COLUMN(wcolumns.FixedBytesColumn(16, default=bytes(16))),
    }
    for name in TEXT_FIELDS:
        fields[name] = _text(positions=False)
        fields[name + "_ng"] = _text(positions=True)
    for name in FACETS:
        fields[name] = ID(sortable=True)
    return Schema(**fields)


def fields_of(rec: dict) -> dict:
    tkey, sim = rec["fold"]
    out = {"id": rec["id"], "published": rec["published"], "stored": rec["stored"],
           "fold": tkey.to_bytes(8, "big") + sim.to_bytes(8, "big")}
    for name in TEXT_FIELDS:
        out[name] = rec[name]
        out[name + "_ng"] = rec[name + "_ng"]
    for name, values in zip(FACETS, rec["facets"]):
        out[name] = SEP.join(values)   # several: one column value, split when read
    return out
