"""Synonyms and abbreviations, applied to a query at search time.

``data/dict/synonyms.txt`` holds one group a line::

    宜职 宜宾职业技术学院          # a group: each finds the others
    招聘会 => 双选会               # one way: 招聘会 also finds 双选会

:func:`expand` gives the other texts a query clause should also match; the
engine ORs them into the clause (each still a verbatim match over the bigram
field). The file is read again when it changes (its mtime or size), so an
edit takes effect on the next query, with no reindex: synonyms never touch the
index.

A variant that contains the clause itself is left out (``双高`` already finds
``双高计划`` as a substring), and occurrences inside a clause are replaced too
(``信工学院团委`` → ``信息工程学院团委``), longest first, never overlapping.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from indexer.analysis import normalise
from indexer.paths import DATA_DIR

DEFAULT_PATH = DATA_DIR / "dict" / "synonyms.txt"
MAX_VARIANTS = 8

log = logging.getLogger(__name__)


@dataclass
class SynonymTable:
    """term → the terms it also finds (normalised)."""

    table: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, source: str = "synonyms") -> "SynonymTable":
        table: dict[str, list[str]] = {}

        def add(src: str, dsts: list[str]) -> None:
            lst = table.setdefault(src, [])
            for d in dsts:
                if d != src and d not in lst:
                    lst.append(d)

        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if "=>" in line:
                left, _, right = line.partition("=>")
                srcs = _terms(left)
                dsts = _terms(right)
                if not srcs or not dsts:
                    log.warning("%s:%d: a one-way rule needs terms on both sides of =>", source, n)
                    continue
                for s in srcs:
                    add(s, dsts)
            else:
                group = _terms(line)
                if len(group) < 2:
                    log.warning("%s:%d: a group needs two or more terms", source, n)
                    continue
                for s in group:
                    add(s, group)
        return cls(table)

    def expand(self, clause_text: str) -> list[str]:
        """Other texts ``clause_text`` should also match, most specific first;
        never the clause itself, never a text that contains it."""
        text = normalise(clause_text).strip()
        if not text or not self.table:
            return []
        out: list[str] = []

        def keep(v: str) -> None:
            if v and v != text and text not in v and v not in out and len(out) < MAX_VARIANTS:
                out.append(v)

        for alt in self.table.get(text, []):
            keep(alt)
        # occurrences inside the clause, longest terms first, not overlapping
        spans: list[tuple[int, int, str]] = []
        taken = [False] * len(text)
        for term in sorted(self.table, key=len, reverse=True):
            if term == text or len(term) >= len(text):
                continue
            start = text.find(term)
            while start >= 0:
                end = start + len(term)
                if not any(taken[start:end]) and _whole(text, start, end):
                    spans.append((start, end, term))
                    for i in range(start, end):
                        taken[i] = True
                start = text.find(term, start + 1)
        for start, end, term in sorted(spans):
            for alt in self.table[term]:
                keep(text[:start] + alt + text[end:])
        if len(spans) > 1:  # every occurrence replaced by its first alternative
            v = text
            for start, end, term in sorted(spans, reverse=True):
                v = v[:start] + self.table[term][0] + v[end:]
            keep(v)
        return out


def _terms(s: str) -> list[str]:
    return [normalise(t) for t in s.replace(",", " ").replace("，", " ").split() if t.strip()]


def _whole(text: str, start: int, end: int) -> bool:
    """A Latin term (ai, plc) only where it is not part of a longer Latin word."""
    def alnum(c: str) -> bool:
        return c.isascii() and c.isalnum()
    if alnum(text[start]) and start > 0 and alnum(text[start - 1]):
        return False
    if alnum(text[end - 1]) and end < len(text) and alnum(text[end]):
        return False
    return True


class Synonyms:
    """A synonym file, read again when it changes."""

    def __init__(self, path: Path | str = DEFAULT_PATH) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._table = SynonymTable()
        self._lock = threading.Lock()

    def table(self) -> SynonymTable:
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    if stamp is None:
                        self._table = SynonymTable()
                    else:
                        try:
                            text = self.path.read_text(encoding="utf-8")
                        except (OSError, UnicodeDecodeError) as exc:
                            log.warning("cannot read synonyms %s: %s", self.path, exc)
                            return self._table
                        self._table = SynonymTable.parse(text, str(self.path))
                    self._stamp = stamp
        return self._table

    def expand(self, clause_text: str) -> list[str]:
        return self.table().expand(clause_text)


_default: Synonyms | None = None


def default() -> Synonyms:
    global _default
    if _default is None:
        _default = Synonyms(DEFAULT_PATH)
    return _default


def expand(clause_text: str) -> list[str]:
    """The texts a query clause should also match, from ``data/dict/synonyms.txt``
    (read again when the file changes). The engine ORs each into the clause."""
    return default().expand(clause_text)


#: What colleges drop when they abbreviate their names to letters (宜宾职业技术学院 →
#: ybzy, the initials of 宜宾职业).
_NAME_ENDINGS = ("技术学院", "学院", "大学", "学校")


def initials(term: str) -> str:
    """``宜职`` → ``yz``: the first letter of each character's pinyin."""
    from pypinyin import Style, lazy_pinyin
    return "".join(p[:1] for p in lazy_pinyin(term, style=Style.FIRST_LETTER, errors="ignore")).lower()


def abbreviations() -> dict[str, list[str]]:
    """Letters a reader types for a term of the synonym table (``ybzy`` for
    宜宾职业技术学院, ``yz`` for 宜职): the initials of each Chinese term, and of
    a college name without the ending it drops (技术学院, 学院 …)."""
    out: dict[str, list[str]] = {}
    table = default().table().table
    for term in dict.fromkeys([*table, *(t for ts in table.values() for t in ts)]):
        if not term or not all("\u4e00" <= ch <= "\u9fff" for ch in term):
            continue
        keys = {initials(term)}
        for ending in _NAME_ENDINGS:
            if term.endswith(ending) and len(term) - len(ending) >= 2:
                keys.add(initials(term[: len(term) - len(ending)]))
        for key in keys:
            if len(key) >= 2 and term not in out.setdefault(key, []):
                out[key].append(term)
    return out
