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
        poses: dict[str, list[int]] = {}
        get = poses.get
        for i, t in enumerate(value.split()):
            lst = get(t)
            if lst is None:
                poses[t] = [i]
            else:
                lst.append(i)
        fb = self.field_boost
        for w, poslist in poses.items():
            yield (w, len(poslist), len(poslist) * fb, self.encode(poslist))


    def decode_positions(self, valuestring):
        # the encoding of Positions (a count, then pickled deltas), decoded without a Python loop
        if not valuestring.endswith(b"."):
            valuestring += b"."
        return list(accumulate(loads(valuestring[_INT_SIZE:])))


class CutFrequency(Frequency):
    """Frequencies of tokens that arrive cut, joined by spaces."""

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        return ((w, n, n * fb, pack_uint(n)) for w, n in Counter(value.split()).items())


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
