"""Highlighting and snippets, built from escaped text.

Matches are found in the normalised text (same length as the original), so a
``<mark>`` always wraps exactly the characters that matched, whole characters,
and never falls inside an HTML entity: text is escaped piece by piece.
"""
from __future__ import annotations

import re
from html import escape

from indexer.analysis import normalise

_ALNUM = re.compile(r"[a-z0-9]")


def find_spans(text: str, needles: list[str]) -> list[tuple[int, int, int]]:
    """(start, end, needle index) of every occurrence, overlaps merged."""
    norm = normalise(text)
    spans: list[tuple[int, int, int]] = []
    for k, needle in enumerate(needles):
        if not needle:
            continue
        latin_start = bool(_ALNUM.match(needle[0]))
        latin_end = bool(_ALNUM.match(needle[-1]))
        start = norm.find(needle)
        while start >= 0:
            end = start + len(needle)
            ok = not (latin_start and start > 0 and _ALNUM.match(norm[start - 1]))
            ok = ok and not (latin_end and end < len(norm) and _ALNUM.match(norm[end]))
            if ok:
                spans.append((start, end, k))
            start = norm.find(needle, start + 1)
    spans.sort()
    merged: list[tuple[int, int, int]] = []
    for s, e, k in spans:
        if merged and s < merged[-1][1]:   # overlapping: one mark (adjacent ones stay apart)
            ps, pe, pk = merged[-1]
            merged[-1] = (ps, max(pe, e), pk)
        else:
            merged.append((s, e, k))
    return merged


def mark(text: str, spans: list[tuple[int, int, int]], lo: int = 0, hi: int | None = None) -> str:
    hi = len(text) if hi is None else hi
    out = []
    pos = lo
    for s, e, _ in spans:
        if e <= lo or s >= hi:
            continue
        s, e = max(s, lo), min(e, hi)
        out.append(escape(text[pos:s]))
        out.append("<mark>" + escape(text[s:e]) + "</mark>")
        pos = e
    out.append(escape(text[pos:hi]))
    return "".join(out)


def highlight(text: str, needles: list[str]) -> str:
    return mark(text, find_spans(text, needles))


_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
#: white space between two Chinese characters or marks: a line break of the source, not a space
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_LEADING = "。，、；：！？,.;:!?）》」』】 "
_SENTENCE_END = "。！？；!?;"


def flowing(text: str) -> str:
    """``text`` as one line: lines joined, with no space where both sides are Chinese."""
    return re.sub(r"\s+", " ", _CJK_GAP.sub("", text)).strip()


def snippet(text: str, needles: list[str], width: int = 140) -> str:
    """The passage of about ``width`` characters with the most distinct query
    words (then the most matches), escaped and highlighted; it starts at a
    sentence when one starts a little before the first match, and never with a
    stray punctuation mark."""
    text = flowing(text)
    if not text:
        return ""
    spans = find_spans(text, needles)
    if not spans:
        return escape(text[:width]) + ("…" if len(text) > width else "")
    best = (-1, -1, 0)
    lead = width // 5
    # spans are sorted and do not overlap, so a window moving right is two pointers
    counts: dict[int, int] = {}
    a = b = 0
    for s, _, _ in spans:
        lo = max(0, s - lead)
        while b < len(spans) and spans[b][1] <= lo + width:
            counts[spans[b][2]] = counts.get(spans[b][2], 0) + 1
            b += 1
        while a < b and spans[a][0] < lo:
            k = spans[a][2]
            counts[k] -= 1
            if not counts[k]:
                del counts[k]
            a += 1
        key = (len(counts), b - a, -lo)
        if key > best:
            best = key
    lo = -best[2]
    hi = min(len(text), lo + width)
    if hi - lo < width:
        lo = max(0, hi - width)
    # never cut a match in two, unless it is longer than half the window (a run
    # of overlapping matches): then the window cuts it between two characters
    for s, e, _ in spans:
        if s < lo < e and lo - s <= width // 2:
            lo = s
        if s < hi < e and e - hi <= width // 2:
            hi = e
    first = next((s for s, _, _ in spans if s >= lo), hi)
    start = max((text.rfind(c, lo, first) for c in _SENTENCE_END), default=-1)
    if start >= 0:
        lo = start + 1   # the sentence holding the first match, from its start
    while lo < first and text[lo] in _LEADING:
        lo += 1
    hi = min(len(text), max(hi, lo + width))
    for s, e, _ in spans:
        if s < hi < e and e - hi <= width // 2:
            hi = e
    cut = lo > 0 and text[lo - 1] not in _SENTENCE_END
    return ("…" if cut else "") + mark(text, spans, lo, hi) + ("…" if hi < len(text) else "")
