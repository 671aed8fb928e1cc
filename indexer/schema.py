"""The Whoosh schema and the Whoosh wrappers around :mod:`indexer.analysis`.

Whoosh pickles the schema, analyzers included, into the index, so the tokenizers
are module-level classes; the analysis version is recorded beside the index
(see :mod:`indexer.index`) so that an index made by other analyzers is detected.
"""
from __future__ import annotations

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from indexer import analysis

#: Bump when fields change.
SCHEMA_VERSION = "1"


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


def make_schema() -> Schema:
    words = WordTokenizer()
    grams = GramTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=STORED(),
        site=ID(stored=True, sortable=True),
        title=TEXT(analyzer=words, stored=True, phrase=False),
        title_ng=TEXT(analyzer=grams, phrase=True),
        body=TEXT(analyzer=words, stored=True, phrase=False),
        body_ng=TEXT(analyzer=grams, phrase=True),
        published=DATETIME(sortable=True),
        published_text=STORED(),
        year=ID(stored=True, sortable=True),
        department=ID(stored=True, sortable=True),
        column=ID(stored=True, sortable=True),
        source=STORED(),
    )
