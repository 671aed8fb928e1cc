"""The query language users type, parsed without any engine.

* words separated by spaces are ANDed: ``产教融合 年会``
* ``"exact phrase"`` (ASCII or Chinese quotes) matches verbatim
* ``-word`` or ``NOT word`` excludes
* ``title:word`` or ``title:"a phrase"`` searches titles only
* ``OR`` (or ``|``, spaced or not: ``献血|义诊``) between two clauses matches either
* ``title: word`` (a space after the colon) is ``title:word``
* text glued to a quote (``我院召开“双高”建设``) is a word of its own, not lost

Nothing a user types is an error: unbalanced quotes close at the end, lone or
doubled operators are ignored, and characters that cannot be indexed (emoji,
punctuation) simply drop out.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from indexer.analysis import normalise, query_grams

_QUOTES = {'"': '"', "“": "”", "”": "”", "「": "」", "『": "』"}


@dataclass(frozen=True)
class Clause:
    text: str            # normalised text to match verbatim
    phrase: bool = False
    title_only: bool = False
    exclude: bool = False


@dataclass
class ParsedQuery:
    groups: list[list[Clause]] = field(default_factory=list)  # AND of ORs
    excludes: list[Clause] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.groups and not self.excludes

    def needles(self) -> list[str]:
        """The literal strings to highlight: every positive clause, split on spaces."""
        out: list[str] = []
        for group in self.groups:
            for c in group:
                out.extend(p for p in c.text.split() if p)
        return list(dict.fromkeys(out))


def clean(text: str) -> str:
    """Drop control and format characters; fold runs of white space."""
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" " if ch in "\t\n\r\x0b\x0c" else "")
        else:
            kept.append(ch)
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def _lex(text: str) -> list[tuple[str, bool]]:
    """Split into (token, quoted) pairs; quotes may be unbalanced."""
    out: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    buf = ""
    while i < n:
        ch = text[i]
        if ch in _QUOTES:
            close = _QUOTES[ch]
            j = text.find(close, i + 1)
            if close == '"' and j < 0:
                j = -1
            inner = text[i + 1: j if j >= 0 else n]
            prefix = buf
            buf = ""
            out.append((prefix + "\x00" + inner, True))
            i = (j + 1) if j >= 0 else n
            continue
        if ch.isspace() or ch == "|":
            if buf:
                out.append((buf, False))
                buf = ""
            if ch == "|":      # 献血|义诊: OR, even without spaces
                out.append(("|", False))
        else:
            buf += ch
        i += 1
    if buf:
        out.append((buf, False))
    return out


def parse(text: str) -> ParsedQuery:
    text = normalise(clean(text))
    parsed = ParsedQuery()
    pending_or = False
    negate_next = False
    title_next = False
    for token, quoted in _lex(text):
        prefix, _, body = token.partition("\x00") if quoted else ("", "", token)
        word = body if quoted else token
        if not quoted and word in ("title:", "标题:", "-title:", "-标题:"):
            title_next = True   # "title: 签约": the field applies to the next word
            negate_next = negate_next or word.startswith("-")
            continue
        if not quoted:
            if word in ("or", "|", "||"):
                pending_or = bool(parsed.groups)
                continue
            if word in ("and", "&&", "&", "+"):
                continue
            if word == "not":
                negate_next = True
                continue
        head = prefix if quoted else word
        exclude = negate_next
        negate_next = False
        if head.startswith("-"):
            exclude = True
            head = head.lstrip("-")
            if not quoted:
                word = head
        title_only = title_next
        title_next = False
        if head.startswith("title:") or head.startswith("标题:"):
            title_only = True
            head = head.split(":", 1)[1]
            if not quoted:
                word = head
        if quoted:
            word = body
            if head.strip() and query_grams(head):
                # text glued before the quote (我院召开“双高”建设): a word of its own
                glued = Clause(text=head.strip(), title_only=title_only, exclude=exclude)
                if exclude:
                    parsed.excludes.append(glued)
                elif pending_or and parsed.groups:
                    parsed.groups[-1].append(glued)
                    pending_or = False
                else:
                    parsed.groups.append([glued])
        word = word.strip()
        if not word or not query_grams(word):
            pending_or = False
            continue
        clause = Clause(text=word, phrase=quoted, title_only=title_only, exclude=exclude)
        if exclude:
            parsed.excludes.append(clause)
        elif pending_or and parsed.groups:
            parsed.groups[-1].append(clause)
        else:
            parsed.groups.append([clause])
        pending_or = False
    return parsed
