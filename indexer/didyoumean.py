""""Did you mean": input-method slips and pinyin, corrected from the index's own words.

A reader who types 产教容合 (an input-method slip: 容 for 融, same sound) or
``chanjiaoronghe`` (pinyin, the IME switched off) should be offered 产教融合.
The suggestion is drawn from the vocabulary of the index (the word field's
terms and their document frequencies), never from an outside list, and it is
only a suggestion: results are never merged across homophones.

How: every vocabulary term of Chinese characters is keyed by its toneless
pinyin (``融合`` → ``ronghe``; heteronyms give several keys). A Chinese token
of the query is cut into syllables, and a Latin token into letters; dynamic
programming then covers the token with vocabulary terms whose pinyin matches,
preferring few, frequent terms and the reader's own characters. When the best
cover differs from what was typed, that is the suggestion.

    dym = DidYouMean(engine.vocabulary())   # (term, document frequency) pairs
    dym = DidYouMean(lexicon=vocabulary.open(gen))   # or the index's file of them
    dym.suggest("产教容合 年会")   # → "产教融合 年会"
    dym.suggest("chanjiaoronghe")  # → "产教融合"
"""
from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from indexer.analysis import normalise

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z]+|[^a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
MAX_TERM_CHARS = 8
MAX_TOKEN_CHARS = 40      # longer tokens are left alone
PER_KEY = 4               # how many terms are kept for one pinyin key
BEAM = 6                  # how many readings of a word are kept


@dataclass(frozen=True)
class Entry:
    term: str
    df: int


def _syllables(chars: str, heteronyms: bool = False) -> list[list[str]]:
    """Toneless pinyin of each character; with ``heteronyms`` all readings."""
    from pypinyin import Style, pinyin
    out = pinyin(chars, style=Style.NORMAL, heteronym=heteronyms, errors=lambda x: [[c] for c in x],
                 strict=False)
    return [[r.lower().replace("ü", "v") for r in readings] for readings in out]


@functools.lru_cache(maxsize=1 << 18)
def sound_key(term: str) -> str:
    """The toneless pinyin of a term, as pypinyin reads it as a whole (its phrase
    table knows 重庆 is chong qing; a lone character's rarer readings, 员 as yun,
    would only mislead)."""
    return "".join(r[0] for r in _syllables(term))


def kind_of(term: str, df: int, min_df: int = 2) -> str | None:
    """Whether a vocabulary term can be offered: ``"han"`` (a word of Chinese
    characters, keyed by its sound), ``"latin"`` (a Latin word, which pinyin
    never replaces) or None (too rare, too long, mixed)."""
    if df < min_df or not term:
        return None
    if term.isascii():
        return "latin"
    if len(term) > MAX_TERM_CHARS or not all(_HAN.match(c) for c in term):
        return None
    return "han"


class Lexicon(Protocol):
    """The words a corrector may offer, looked up by sound."""
    max_key: int      # the longest sound key, in letters

    def entries(self, key: str) -> Sequence[Entry]:
        """The terms of this sound, most frequent first (at most ``PER_KEY``)."""

    def frequency(self, term: str) -> int:
        """The document frequency of a Chinese term (0: not a word it offers)."""

    def is_latin(self, term: str) -> bool: ...

    def frequent(self, length: int, n: int) -> list[tuple[str, int]]:
        """The ``n`` most frequent Chinese terms of ``length`` characters."""

    def __len__(self) -> int: ...


class MemoryLexicon:
    """A lexicon built in memory from ``(term, document frequency)`` pairs (tests,
    and an index without its vocabulary file, :mod:`indexer.vocabulary`)."""

    def __init__(self, vocabulary: Iterable[tuple[str | bytes, int]], min_df: int = 2) -> None:
        self.by_key: dict[str, list[Entry]] = {}
        self.df: dict[str, int] = {}
        self.latin: set[str] = set()
        for term, df in vocabulary:
            if isinstance(term, bytes):
                term = term.decode("utf-8", "replace")
            df = int(df)
            kind = kind_of(term, df, min_df)
            if kind == "latin":
                self.latin.add(term.lower())
            elif kind == "han":
                self.df[term] = max(self.df.get(term, 0), df)
        for term, df in self.df.items():
            self.by_key.setdefault(sound_key(term), []).append(Entry(term, df))
        for lst in self.by_key.values():
            lst.sort(key=lambda e: (-e.df, e.term))
            del lst[PER_KEY:]
        self.max_key = max((len(k) for k in self.by_key), default=0)

    def entries(self, key: str) -> Sequence[Entry]:
        return self.by_key.get(key, ())

    def frequency(self, term: str) -> int:
        return self.df.get(term, 0)

    def is_latin(self, term: str) -> bool:
        return term in self.latin

    def frequent(self, length: int, n: int) -> list[tuple[str, int]]:
        return sorted(((t, f) for t, f in self.df.items() if len(t) == length), key=lambda x: (-x[1], x[0]))[:n]

    def __len__(self) -> int:
        return len(self.df)


class DidYouMean:
    """Suggestions from a lexicon: one given, or one built from an index
    vocabulary of ``(term, document frequency)``."""

    def __init__(self, vocabulary: Iterable[tuple[str, int]] = (), min_df: int = 2,
                 abbreviations: Mapping[str, list[str]] | None = None,
                 lexicon: Lexicon | None = None) -> None:
        #: letters a reader types for a name (``ybzy`` → 宜宾职业技术学院): from the
        #: synonym table (:func:`synonyms.abbreviations`), offered before pinyin covers
        self.abbreviations = {k.lower(): list(v) for k, v in (abbreviations or {}).items()}
        self.lexicon: Lexicon = lexicon if lexicon is not None else MemoryLexicon(vocabulary, min_df)

    def frequency(self, term: str) -> int:
        """How many articles hold the Chinese word ``term`` (0: not in the lexicon)."""
        return self.lexicon.frequency(term)

    # -- suggesting -------------------------------------------------------------
    def suggest(self, query: str, exists: Callable[[str], int] | None = None) -> str | None:
        """The query with slips corrected, or None when nothing would change.

        Words are corrected one by one; operators, quotes and what is not
        Chinese or pinyin are kept as typed. ``exists(text)``, when given,
        says how many articles contain ``text`` (the engine's phrase count):
        the best candidate that some article contains is taken, and a word
        no candidate of which is found is left as typed."""
        if not (len(self.lexicon) or self.abbreviations) or not query or len(query) > 200:
            return None
        changed = False
        out = []
        for token in re.split(r"(\s+)", query):
            fixed = self._token(token, exists) if token and not token.isspace() else None
            if fixed is not None and fixed != token:
                out.append(fixed)
                changed = True
            else:
                out.append(token)
        return "".join(out) if changed else None

    def candidates(self, word: str) -> list[str]:
        """Corrections of one word (no operators), best first; [] if none."""
        norm = normalise(word)
        runs = _HAN_RUN.findall(norm)
        if not runs or len(norm) > MAX_TOKEN_CHARS:
            return []
        options: list[list[str]] = []
        for run in runs:
            if _HAN.match(run[0]):
                alts = self._han(run)
            elif run.isascii() and run.isalpha():
                named = self.abbreviations.get(run, []) if not self.lexicon.is_latin(run) else []
                alts = list(dict.fromkeys(named + self._pinyin(run)))
            else:
                alts = []
            options.append(alts or [run])
        if all(len(o) == 1 and o[0] == r for o, r in zip(options, runs)):
            return []
        # the best of each run together first, then the first run's others
        out = ["".join(o[0] for o in options)]
        for i, o in enumerate(options):
            for alt in o[1:]:
                out.append("".join(alt if k == i else oo[0] for k, oo in enumerate(options)))
        return [c for c in dict.fromkeys(out) if c != norm][:BEAM]

    def _token(self, token: str, exists: Callable[[str], int] | None) -> str | None:
        norm = normalise(token)
        if len(norm) > MAX_TOKEN_CHARS or norm in ("or", "and", "not"):
            return None
        # keep an operator prefix (title:, -) and quotes as they are
        m = re.match(r'^(-?(?:title:|标题:)?["“「『]?)(.*?)(["”」』]?)$', norm)
        head, core, tail = (m.group(1), m.group(2), m.group(3)) if m else ("", norm, "")
        if not core:
            return None
        for cand in self.candidates(core):
            if exists is None or exists(cand) > 0:
                return head + cand + tail
        return None

    def _han(self, run: str) -> list[str]:
        """Covers of a run of Chinese characters by vocabulary terms of the same
        sound, best first, without the run as typed."""
        if len(run) < 2:
            return []
        syl = [r[0] for r in _syllables(run)]
        n = len(run)
        beams: list[list[tuple[float, str]]] = [[] for _ in range(n + 1)]
        beams[0] = [(0.0, "")]
        for i in range(n):
            for cost_i, text_i in beams[i]:
                _push(beams[i + 1], cost_i + 2.0, text_i + run[i])   # the typed character as it is
                for j in range(i + 2, min(n, i + MAX_TERM_CHARS) + 1):
                    typed = run[i:j]
                    for e in self.lexicon.entries("".join(syl[i:j])):
                        diff = sum(a != b for a, b in zip(e.term, typed))
                        if diff > max(1, (j - i) // 2):
                            continue   # a slip changes a character or two, not a whole word
                        _push(beams[j], cost_i + 1.0 + 1.5 * diff - 0.1 * math.log1p(e.df), text_i + e.term)
        out = [t for _, t in beams[n]]
        if not out or out[0] == run:
            return []        # what was typed is the best reading: nothing to suggest
        return [t for t in out if t != run]

    def _pinyin(self, run: str) -> list[str]:
        """Covers of a Latin run by vocabulary terms whose pinyin spells it, best first."""
        if len(run) < 4 or self.lexicon.is_latin(run) or len(run) > MAX_TOKEN_CHARS:
            return []
        n = len(run)
        beams: list[list[tuple[float, str]]] = [[] for _ in range(n + 1)]
        beams[0] = [(0.0, "")]
        for i in range(n):
            for cost_i, text_i in beams[i]:
                for j in range(i + 2, min(n, i + self.lexicon.max_key) + 1):
                    for e in self.lexicon.entries(run[i:j])[:2]:
                        _push(beams[j], cost_i + 1.0 - 0.1 * math.log1p(e.df), text_i + e.term)
        return [t for _, t in beams[n]]


def _push(beam: list[tuple[float, str]], cost: float, text: str) -> None:
    """Keep the BEAM cheapest distinct texts, cheapest first."""
    for k, (c, t) in enumerate(beam):
        if t == text:
            if cost >= c:
                return
            del beam[k]
            break
    if len(beam) >= BEAM and cost >= beam[-1][0]:
        return
    beam.append((cost, text))
    beam.sort()
    del beam[BEAM:]
