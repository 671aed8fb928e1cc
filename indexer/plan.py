"""The plan of a query: what must match, what only scores, what filters, as a
small tree of engine-neutral nodes.

Everything a user could notice is decided here, once, for every engine: a
clause of one Chinese run is a phrase of its bigrams (exact); a clause mixing
runs (``5G中``, ``1+X证书``) is a phrase of token patterns whose matches are
kept only when their stored text holds the clause (:class:`Verified`); an
unquoted clause also finds its synonyms; titles weigh ``TITLE_BOOST`` and
attachments ``ATTACH_BOOST``; jieba's words only add to the score; filters
restrict and never score. An engine (:mod:`indexer.engines`) translates these
nodes into its own queries and decides nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from indexer import synonyms
from indexer.analysis import gram_sequence, normalise, query_grams, query_words, runs
from indexer.documents import seconds
from indexer.querylang import Clause, ParsedQuery
from indexer.results import Query

TITLE_BOOST = 3.0
ATTACH_BOOST = 0.5   # a match in an attachment counts half a match in the body
RELATED_TERMS = 40   # words of an article that find the ones like it


class Node:
    """A node of a query plan."""


@dataclass(frozen=True)
class Everything(Node):
    pass


@dataclass(frozen=True)
class Nothing(Node):
    pass


@dataclass(frozen=True)
class Term(Node):
    """One whole token of ``field``."""
    field: str
    text: str


@dataclass(frozen=True)
class Prefix(Node):
    """Any token of the bigram ``field`` that begins with ``prefix`` (one Chinese character)."""
    field: str
    prefix: str


@dataclass(frozen=True)
class Phrase(Node):
    """``tokens`` at consecutive positions of the bigram ``field``: the grams of
    ``text``, one Chinese run (an engine may use the run's word as a shortcut)."""
    field: str
    tokens: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Pattern:
    """A token that is ``text``, or ends with it (``open_before``), or begins with it (``open_after``)."""
    text: str
    open_before: bool = False
    open_after: bool = False


@dataclass(frozen=True)
class Patterns(Node):
    """Tokens matching ``patterns`` at consecutive positions of ``field``: the
    candidates of a mixed clause, a superset of its matches."""
    field: str
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True)
class Verified(Node):
    """The matches of ``candidates`` whose stored text of ``field`` contains
    ``text`` (normalised), with the candidates' scores. Resolved by the searcher
    (:func:`indexer.search`) into ``And(candidates, Only(...))`` before an engine sees it."""
    candidates: Node
    field: str
    text: str


@dataclass(frozen=True)
class Only(Node):
    """The documents ``refs`` of one snapshot (engine references), scoring nothing."""
    refs: tuple


@dataclass(frozen=True)
class And(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not(Node):
    """``positive`` without the matches of any of ``negatives``."""
    positive: Node
    negatives: tuple[Node, ...]


@dataclass(frozen=True)
class Boost(Node):
    node: Node
    factor: float


@dataclass(frozen=True)
class Scored(Node):
    """The matches of ``required``, each scored more for every ``bonus`` it matches too."""
    required: Node
    bonus: tuple[Node, ...]


@dataclass(frozen=True)
class Filter(Node):
    """The matches of ``node``, scoring nothing."""
    node: Node


@dataclass(frozen=True)
class Range(Node):
    """An integer field between ``lo`` and ``hi`` (inclusive; None: open)."""
    field: str
    lo: int | None
    hi: int | None


@dataclass(frozen=True)
class AnyOf(Node):
    """A keyword field holding one of ``values``."""
    field: str
    values: tuple[str, ...]


def all_of(nodes: list[Node]) -> Node:
    nodes = [n for n in nodes if not isinstance(n, Everything)]
    if not nodes:
        return Everything()
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def any_of(nodes: list[Node]) -> Node:
    nodes = [n for n in nodes if not isinstance(n, Nothing)]
    if not nodes:
        return Nothing()
    return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))


def boosted(node: Node, factor: float) -> Node:
    return node if factor == 1.0 else Boost(node, factor)


# -- clauses ---------------------------------------------------------------------------
def positive(parsed: ParsedQuery, title_only: bool) -> Node:
    """What every match must hold: each group (a clause, its alternatives, ORs), less the excluded."""
    groups = [group(g, title_only) for g in parsed.groups]
    return exclude(all_of(groups), parsed)


def some_of(parsed: ParsedQuery, title_only: bool) -> Node:
    """The fallback when nothing holds every group: any of them."""
    return exclude(any_of([group(g, title_only) for g in parsed.groups]), parsed)


def exclude(node: Node, parsed: ParsedQuery) -> Node:
    if not parsed.excludes:
        return node
    return Not(node, tuple(clause(c, c.title_only) for c in parsed.excludes))


def group(clauses: list[Clause], title_only: bool) -> Node:
    out = []
    for c in clauses:
        out.append(clause(c, title_only))
        out.extend(clause(replace(c, text=alt), title_only) for alt in alternatives(c))
    return any_of(out)


def clause(c: Clause, title_only: bool) -> Node:
    fields = [("title_ng", TITLE_BOOST)]
    if not (title_only or c.title_only):
        fields += [("body_ng", 1.0), ("attach_ng", ATTACH_BOOST)]
    return any_of([boosted(field_clause(c.text, f), b) for f, b in fields])


def field_clause(text: str, field: str) -> Node:
    """``text`` verbatim in one bigram field.

    One run of Chinese characters is a phrase of its bigrams: exact, since the
    bigram across every pair of neighbours must be there. A clause of several
    runs (``5G中``, ``C语言``, ``产教，融合``) is not: the index keeps no position
    for punctuation or for where a Latin word ends, and its last Chinese
    character may begin a longer run in the article. Such a clause is a phrase
    of patterns over the token stream (:func:`mixed_patterns`), which finds every
    article containing it and few others, and those are kept whose text contains it."""
    grams = query_grams(text)
    if not grams:
        return Nothing()
    norm = normalise(text)
    if len(list(runs(norm))) > 1:
        return Verified(Patterns(field, mixed_patterns(text)), field, norm)
    if len(grams) > 1:
        return Phrase(field, tuple(grams), norm)
    g = grams[0]
    if len(g) == 1 and "\u3400" <= g <= "\u9fff":   # one Chinese character: any gram it begins
        return Prefix(field, g)
    return Term(field, g)   # one bigram, or a Latin word or a number: itself, whole


def mixed_patterns(text: str) -> tuple[Pattern, ...]:
    """The token patterns, position by position, of every occurrence of a clause
    of several runs in the stream of :func:`analysis.gram_sequence`: its own
    tokens, less the last character of a final Chinese run of two or more (the
    run may go on in the article); a leading Latin word may end a longer one
    (``X证书`` in ``1+X证书``) and a final Latin word or lone Chinese character may
    begin one (``5G中`` in ``5G中国``). Punctuation has no token, so ``5G，中`` and
    ``5G中`` have one pattern: the stored text decides."""
    norm = normalise(text)
    seq = gram_sequence(norm)
    spans = list(runs(norm))
    han, s, e = spans[-1]
    if han and e - s > 1:
        seq = seq[:-1]
    pats = [Pattern(t) for t in seq]
    if seq[0].isascii():
        pats[0] = replace(pats[0], open_before=True)
    if seq[-1].isascii() or (han and e - s == 1):
        pats[-1] = replace(pats[-1], open_after=True)
    return tuple(pats)


def alternatives(c: Clause) -> list[str]:
    """What else an unquoted clause finds: its synonyms and abbreviations
    (``data/dict/synonyms.txt``); a quoted phrase means exactly itself."""
    return [] if c.phrase else synonyms.expand(c.text)


def needles(parsed: ParsedQuery) -> list[str]:
    """What to highlight: the clauses and the synonyms they found."""
    alts = [alt for g in parsed.groups for c in g for alt in alternatives(c)]
    return list(dict.fromkeys(parsed.needles() + [p for a in alts for p in a.split() if p]))


def rerank_groups(parsed: ParsedQuery) -> list[list[str]]:
    """Each group's texts (its clauses and their alternatives), for :mod:`indexer.proximity`."""
    return [[c.text for c in g] + [alt for c in g for alt in alternatives(c)] for g in parsed.groups]


# -- scoring-only words -------------------------------------------------------------
def bonus(parsed: ParsedQuery, title_only: bool) -> tuple[Node, ...]:
    """The clauses' jieba words, as optional scoring on top of the required clauses."""
    words = list(dict.fromkeys(w for g in parsed.groups for c in g for w in query_words(c.text)
                               if w.strip()))
    return tuple(word_nodes(words, title_only))


def word_nodes(words: list[str], title_only: bool = False) -> list[Node]:
    out = [boosted(Term("title", w), TITLE_BOOST) for w in words]
    if not title_only:
        out += [Term("body", w) for w in words]
        out += [boosted(Term("attach", w), ATTACH_BOOST) for w in words]
    return out


def scored(required: Node, extra: tuple[Node, ...]) -> Node:
    return Scored(required, extra) if extra else required


def related(fields: dict, article_id: str) -> Node | None:
    """Articles like the one whose stored ``fields`` are given (by the words of its
    title and body), itself excluded; None when it has no words to go by."""
    words = query_words(fields.get("title", "") + " " + fields.get("body", "")[:2000])
    terms = [w for w in words if len(w) > 1][:RELATED_TERMS]
    if not terms:
        return None
    return Not(any_of([boosted(Term("title", w), TITLE_BOOST) for w in terms]
                      + [Term("body", w) for w in terms]), (Term("id", article_id),))


# -- filters -------------------------------------------------------------------------
#: The filter each facet ignores, so that a reader sees what choosing another value would give.
OWN_FILTER = {"department": "department", "year": "date", "column": "column", "site": "site"}


def filters(query: Query) -> dict[str, Node]:
    """The request's filters by name (``date``, ``department``, ``column``, ``site``)."""
    out: dict[str, Node] = {}
    if query.date_from or query.date_to:
        lo = seconds(datetime.combine(query.date_from, datetime.min.time())) if query.date_from else 0
        hi = seconds(datetime.combine(query.date_to, datetime.max.time())) if query.date_to else None
        out["date"] = Range("published", lo, hi)
    for name, values in (("department", query.departments), ("column", query.columns),
                         ("site", query.sites)):
        if values:
            out[name] = AnyOf(name, tuple(sorted(set(values))))
    return {n: Filter(q) for n, q in out.items()}
