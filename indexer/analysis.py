"""Chinese text analysis, independent of any search engine.

Two token streams are made from the same normalised text:

* **words**: jieba's precise-mode segmentation, for ranking (BM25 needs words);
* **grams**: overlapping character bigrams of every run of Chinese characters,
  for recall. Any string of two or more Chinese characters that occurs in a text
  occurs as a run of consecutive bigrams, so a phrase query over the grams finds
  every verbatim occurrence, whatever jieba makes of it.

Latin letters and digits are kept whole in both streams (``1+x``, ``2023``,
``plc``). Positions are sequential, so phrase queries are exact.

Normalisation (full-width to half-width, case, traditional to simplified) is one
function used on both sides (index and query) and keeps the
text's length, so offsets found in normalised text are offsets in the original.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from typing import NamedTuple

import jieba

#: Bump when tokens change for the same input: an index built by another version
#: is detected and must be rebuilt with ``news-indexer reindex``.
ANALYSIS_VERSION = "1"

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A run of Chinese characters, or a Latin/digit word with inner + . - (1+x, 3.5, c++, covid-19).
_RUN = re.compile(rf"([{_HAN}]+)|([a-z0-9]+(?:[+.\-][a-z0-9]+)*\+*)")

_jieba_lock = threading.Lock()
_jieba_ready = False


def init_jieba() -> None:
    """Load jieba's dictionary once per process (call before forking workers)."""
    global _jieba_ready
    if _jieba_ready:
        return
    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            from indexer import userdict   # institutions, programmes, policy terms
            userdict.load()
            _jieba_ready = True


_T2S: dict[str, str] | None = None


def _t2s() -> dict[str, str]:
    """Traditional → simplified, character for character, from OpenCC's table.

    A character that is also a simplified character in its own right (乾 → 干 or
    乾) is left alone, so no meaning is merged away.
    """
    global _T2S
    if _T2S is None:
        from importlib.resources import files
        table: dict[str, str] = {}
        text = files("opencc").joinpath("dictionary/TSCharacters.txt").read_text(encoding="utf-8")
        for line in text.splitlines():
            src, _, targets = line.partition("\t")
            cands = targets.split()
            if len(src) == 1 and cands and src not in cands and len(cands[0]) == 1:
                table[src] = cands[0]
        _T2S = table
    return _T2S


def _fold_char(c: str) -> str:
    simp = _t2s().get(c)
    if simp is not None:
        return simp
    o = ord(c)
    if 0xFF01 <= o <= 0xFF5E:          # full-width ASCII
        c = chr(o - 0xFEE0)
    elif o == 0x3000:                  # ideographic space
        return " "
    low = c.lower()
    return low if len(low) == 1 else c


_FOLD_TABLE: dict[int, str] | None = None
_FOLD_LOCK = threading.Lock()


def _fold_table() -> dict[int, str]:
    """Every character :func:`_fold_char` changes, for ``str.translate``: built once
    (about 0.2 s) from the basic and supplementary planes and the OpenCC table."""
    global _FOLD_TABLE
    if _FOLD_TABLE is None:
        with _FOLD_LOCK:
            if _FOLD_TABLE is None:
                table: dict[int, str] = {}
                codes = set(range(0x20000)) | {ord(c) for c in _t2s()}
                for o in codes:
                    if 0xD800 <= o <= 0xDFFF:
                        continue
                    c = chr(o)
                    f = _fold_char(c)
                    if f != c:
                        table[o] = f
                _FOLD_TABLE = table
    return _FOLD_TABLE


def normalise(text: str) -> str:
    """Full-width to half-width, case folding and traditional to simplified
    characters, one character for one.

    The result has the same length as ``text``, so a match found in the
    normalised text can be highlighted at the same offsets in the original.
    """
    return text.translate(_FOLD_TABLE if _FOLD_TABLE is not None else _fold_table())


class Tok(NamedTuple):
    text: str
    pos: int
    start: int
    end: int


def runs(text: str) -> Iterator[tuple[bool, int, int]]:
    """(is_chinese, start, end) of each indexable run of normalised ``text``."""
    for m in _RUN.finditer(text):
        yield m.group(1) is not None, m.start(), m.end()


def word_tokens(text: str, start_pos: int = 0) -> Iterator[Tok]:
    """jieba precise-mode words of Chinese runs, and whole Latin/digit words."""
    init_jieba()
    norm = normalise(text)
    pos = start_pos
    for han, s, e in runs(norm):
        if not han:
            yield Tok(norm[s:e], pos, s, e)
            pos += 1
            continue
        offset = s
        for w in jieba.cut(norm[s:e], HMM=True):
            yield Tok(w, pos, offset, offset + len(w))
            offset += len(w)
            pos += 1


def gram_tokens(text: str, start_pos: int = 0, query: bool = False) -> Iterator[Tok]:
    """Character bigrams of Chinese runs, and whole Latin/digit words.

    A run ``abc`` gives ``ab``@p, ``bc``@p+1 and, at index time, the final
    character ``c`` also at p+1, so that a one-character query (a prefix of some
    gram) finds characters at the end of a run too. ``query=True`` leaves that
    final character out: a phrase of bigrams must match consecutive positions.
    """
    norm = normalise(text)
    pos = start_pos
    for han, s, e in runs(norm):
        n = e - s
        if not han or n == 1:
            yield Tok(norm[s:e], pos, s, e)
            pos += 1
            continue
        for i in range(n - 1):
            yield Tok(norm[s + i:s + i + 2], pos + i, s + i, s + i + 2)
        if not query:
            yield Tok(norm[e - 1], pos + n - 2, e - 1, e)
        pos += n - 1


def query_grams(text: str) -> list[str]:
    """The bigram sequence a phrase query for ``text`` must match."""
    return [t.text for t in gram_tokens(text, query=True)]


def query_words(text: str) -> list[str]:
    """The distinct jieba words of ``text``, in order, for ranking."""
    return list(dict.fromkeys(t.text for t in word_tokens(text)))


# -- the same streams as postings, for indexing (no token objects) ------------------
def gram_postings(text: str) -> dict[str, list[int]]:
    """``gram_tokens(text)`` (index side) as text → positions, built without a
    token object per gram: what the index stores, several times faster."""
    norm = normalise(text)
    out: dict[str, list[int]] = {}
    get = out.get
    pos = 0
    for m in _RUN.finditer(norm):
        s, e = m.span()
        n = e - s
        if m.group(1) is None or n == 1:
            w = norm[s:e]
            lst = get(w)
            if lst is None:
                out[w] = [pos]
            else:
                lst.append(pos)
            pos += 1
            continue
        for i in range(s, e - 1):
            w = norm[i:i + 2]
            lst = get(w)
            if lst is None:
                out[w] = [pos]
            else:
                lst.append(pos)
            pos += 1
        w = norm[e - 1]
        lst = get(w)
        if lst is None:
            out[w] = [pos - 1]
        else:
            lst.append(pos - 1)
    return out


def word_counts(text: str) -> dict[str, int]:
    """``word_tokens(text)`` as text → frequency."""
    init_jieba()
    norm = normalise(text)
    out: dict[str, int] = {}
    get = out.get
    cut = jieba.cut
    for m in _RUN.finditer(norm):
        if m.group(1) is None:
            w = m.group(2)
            out[w] = get(w, 0) + 1
            continue
        for w in cut(m.group(1), HMM=True):
            out[w] = get(w, 0) + 1
    return out


def gram_sequence(text: str) -> list[str]:
    """The tokens of :func:`gram_postings` as one ordered list, for an engine that
    takes a token stream of consecutive positions: bigrams of each Chinese run
    followed by the run's last character, and Latin/digit words (or a lone
    Chinese character) as themselves. A phrase of bigrams of one run is found
    exactly as in the postings, since the last character only ever follows the
    run's last bigram."""
    norm = normalise(text)
    out: list[str] = []
    add = out.append
    for m in _RUN.finditer(norm):
        s, e = m.span()
        if m.group(1) is None or e - s == 1:
            add(norm[s:e])
            continue
        out.extend(norm[i:i + 2] for i in range(s, e - 1))
        add(norm[e - 1])
    return out
