"""The Whoosh schema and the Whoosh wrappers around :mod:`indexer.analysis`.

Whoosh pickles the schema, analyzers included, into the index, so the tokenizers
are module-level classes; the analysis version is recorded beside the index
(see :mod:`indexer.index`) so that an index made by other analyzers is detected.
"""
from __future__ import annotations

from array import array
from itertools import accumulate

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from indexer import analysis

#: Bump when fields change.
SCHEMA_VERSION = "2"


class _StreamTokenizer(Tokenizer):
    """Adapts an :mod:`indexer.analysis` token stream to Whoosh's Token protocol."""

    def _stream(self, value: str):  # pragma: no cover - overridden
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = analysis.normalise(value)
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for tok in self._stream(value):
            t.text = tok.text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = tok.text
            if positions:
                t.pos = start_pos + tok.pos
            if chars:
                t.startchar, t.endchar = start_char + tok.start, start_char + tok.end
            yield t


class WordTokenizer(_StreamTokenizer):
    """jieba words, for ranking."""

    def _stream(self, value: str):
        return analysis.word_tokens(value)


class GramTokenizer(_StreamTokenizer):
    """Character bigrams, for recall and exact phrases."""

    def _stream(self, value: str):
        return analysis.gram_tokens(value)


class WordFrequency(Frequency):
    """Frequency postings of :class:`WordTokenizer` fields, counted straight from
    :func:`analysis.word_counts` when indexing (the same words, no Token objects)."""

    def word_values(self, value, analyzer, **kwargs):
        if kwargs.get("mode") != "index" or not isinstance(analyzer, WordTokenizer) \
                or not isinstance(value, str) or kwargs.get("start_pos"):
            return super().word_values(value, analyzer, **kwargs)
        fb = self.field_boost
        return ((w, f, f * fb, self.encode(f)) for w, f in analysis.word_counts(value).items())

    def encode(self, freq):
        return pack_uint(freq)


class GramPositions(Positions):
    """Positional postings of :class:`GramTokenizer` fields, built straight from
    :func:`analysis.gram_postings` when indexing."""

    def word_values(self, value, analyzer, **kwargs):
        if kwargs.get("mode") != "index" or not isinstance(analyzer, GramTokenizer) \
                or not isinstance(value, str) or kwargs.get("start_pos"):
            return super().word_values(value, analyzer, **kwargs)
        fb = self.field_boost
        enc = self.encode
        return ((w, len(p), len(p) * fb, enc(p)) for w, p in analysis.gram_postings(value).items())

    # Positions as a tag byte and 16- or 32-bit deltas (Whoosh pickles a list with
    # a 4-byte count: 12 bytes for one position, 3 here), decoded in C.
    def encode(self, poslist):
        deltas = [poslist[0]] + [b - a for a, b in zip(poslist, poslist[1:])] if poslist else []
        if not deltas or max(deltas) < 0x10000:
            return b"H" + array("H", deltas).tobytes()
        return b"I" + array("I", deltas).tobytes()

    def decode_positions(self, valuestring):
        return list(accumulate(array(chr(valuestring[0]), valuestring[1:])))

    def decode_frequency(self, valuestring):
        return (len(valuestring) - 1) // (2 if valuestring[:1] == b"H" else 4)

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost


def _text(analyzer, fast_format, **kw) -> TEXT:
    field = TEXT(analyzer=analyzer, **kw)
    field.format = fast_format(field_boost=field.format.field_boost)
    return field


def make_schema() -> Schema:
    words = WordTokenizer()
    grams = GramTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=STORED(),
        site=ID(stored=True, sortable=True),
        title=_text(words, WordFrequency, stored=True, phrase=False),
        title_ng=_text(grams, GramPositions, phrase=True),
        body=_text(words, WordFrequency, stored=True, phrase=False),
        body_ng=_text(grams, GramPositions, phrase=True),
        published=DATETIME(sortable=True),
        published_text=STORED(),
        year=ID(stored=True, sortable=True),
        department=ID(stored=True, sortable=True),
        column=ID(stored=True, sortable=True),
        source=STORED(),
    )
