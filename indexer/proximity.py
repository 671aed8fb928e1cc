"""Query words standing together: a re-ranking factor for the top of a result list.

An article where 产教融合 and 年会 stand side by side (``产教融合年会``) is more
likely about that event than one that names them paragraphs apart. The engine
ranks every match by BM25 first; then the best ``RERANK`` of them are read
(title and body) and each gets :func:`factor`, from the shortest stretch of its
text that holds one occurrence of every query clause. Plain text in, a number
out: nothing here knows the index.
"""
from __future__ import annotations

from indexer.analysis import normalise

RERANK = 30           # how many of the best BM25 matches are re-ranked
TITLE_NEAR = 0.30     # score × 1.3 when the clauses stand together in the title
BODY_NEAR = 0.15      # × 1.15 when they do in the body
CLOSE, NEAR = 2, 8    # characters between the clauses: full bonus, half bonus
MAX_HITS = 200        # occurrences looked at per clause and text


def gap(text: str, groups: list[list[str]]) -> int | None:
    """The fewest characters between the clauses in ``text``, over every stretch
    holding one occurrence of each group (a group: a clause and its synonyms,
    normalised); None when some group does not occur."""
    if len(groups) < 2:
        return None
    occ: list[tuple[int, int, int]] = []   # (start, end, group)
    for gi, needles in enumerate(groups):
        found = False
        for needle in needles:
            if not needle:
                continue
            i = text.find(needle)
            n = 0
            while i >= 0 and n < MAX_HITS:
                occ.append((i, i + len(needle), gi))
                found = True
                n += 1
                i = text.find(needle, i + 1)
        if not found:
            return None
    occ.sort()
    last: dict[int, tuple[int, int]] = {}
    best: int | None = None
    for start, end, gi in occ:
        last[gi] = (start, end)
        if len(last) == len(groups):
            spans = last.values()
            width = max(e for _, e in spans) - min(s for s, _ in spans)
            g = max(0, width - sum(e - s for s, e in spans))
            if best is None or g < best:
                best = g
                if best == 0:
                    break
    return best


def factor(title: str, body: str, groups: list[list[str]]) -> float:
    """The score multiplier of one article: 1.0 unless the clauses stand together."""
    if len(groups) < 2:
        return 1.0
    for text, bonus in ((title, TITLE_NEAR), (body, BODY_NEAR)):
        g = gap(normalise(text), groups)
        if g is not None and g <= NEAR:
            return 1.0 + (bonus if g <= CLOSE else bonus / 2)
    return 1.0
