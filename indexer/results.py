"""The read side's plain records: what a search asks and what it answers.

These carry no engine types, so the web UI (and any other engine behind
:mod:`indexer.search`) can rely on them alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SORTS = ("relevance", "date", "oldest")   # best first, newest first, oldest first
MAX_QUERY_CHARS = 200     # longer queries are cut, and the answer says so
MAX_PAGE_SIZE = 50
MAX_RESULT_WINDOW = 1000  # page * size may not reach past this
MAX_FILTER_VALUES = 20    # how many departments/columns/sites one request may name


@dataclass(frozen=True)
class Query:
    text: str = ""
    date_from: date | None = None
    date_to: date | None = None
    departments: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    title_only: bool = False
    sort: str = "relevance"
    page: int = 1
    size: int = 10
    #: one result per story: near-duplicates fold under the best-ranked one
    #: (:mod:`indexer.stories`); pages then count stories
    fold: bool = False
    #: only the articles of the story this article id stands in (the fold's "all" link)
    near: str | None = None
    #: a query that finds nothing (or far less than its correction) is answered
    #: with the correction's results (``SearchResults.corrected_from`` says so)
    correct: bool = False


@dataclass
class Hit:
    id: str                 # stable short id of the article (for /article/<id>)
    url: str
    site: str
    title: str              # plain text
    title_html: str         # escaped text with <mark>…</mark> around matches
    snippet_html: str       # escaped text with <mark>…</mark> around matches
    published: str | None   # ISO date or datetime, Asia/Shanghai
    department: str | None
    column: str | None
    source: str | None
    score: float
    attachment: str | None = None   # the name of the attachment the snippet comes from, if not the body
    #: the near-duplicates folded under this hit: [{id, url, title, published}], best first
    similar: list[dict] = field(default_factory=list)


@dataclass
class FacetValue:
    value: str | None       # None: articles that name no department
    count: int


@dataclass
class SearchResults:
    query: Query
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    took_ms: float
    truncated_query: bool = False   # the text was longer than MAX_QUERY_CHARS and was cut
    partial: bool = False           # nothing matched every word: these hits match some
    suggestion: str | None = None   # "did you mean"
    #: with ``fold``: how many stories the ``total`` articles make, when every match
    #: was looked at (None: more matches than one fold window)
    stories: int | None = None
    #: with ``correct``: the text the reader typed, when these are the results of
    #: its correction (``query.text``); "search for what I typed" sets correct=False
    corrected_from: str | None = None


@dataclass
class StoredArticle:
    """An article as the index keeps it, for the snapshot page."""

    id: str
    url: str
    site: str
    title: str
    body: str
    published: str | None
    department: str | None
    column: str | None
    source: str | None


@dataclass
class IndexInfo:
    articles: int
    last_commit: str | None   # ISO datetime (UTC) of the last index commit
    version: str
    extra: dict[str, str] = field(default_factory=dict)
