"""One result a story, on the results page: what the page says and links to about
the near-duplicates the engine folds (:mod:`indexer.stories`).

A folded hit shows 另有 N 篇相似新闻 (a ``<details>`` listing them) and a link
查看全部 N+1 篇 to the same search with ``near=<its id>``, which lists that story's
articles one a result; the total says how many stories the results make; a link
turns folding off (``fold=0``) and back on.
"""
from __future__ import annotations

from typing import Any

from indexer.results import Hit, SearchResults
from webui.search_view import SearchParams, search_url


def near_url(sp: SearchParams, hit: Hit) -> str:
    """The same search listing the story ``hit`` leads, one article a result."""
    return search_url(sp, near=hit.id, fold=False)


def stories_told(results: SearchResults) -> int | None:
    """How many stories the results make, when it is known and says something (fewer
    than the articles); else None."""
    q = results.query
    if q.fold and results.stories is not None and results.stories != results.total:
        return results.stories
    return None


def context(sp: SearchParams, results: SearchResults) -> dict[str, Any]:
    """What search.html needs about folding."""
    query = sp.query
    folded_url = search_url(sp, near=None, fold=True)
    return {
        "stories_told": stories_told(results),
        "near_url": lambda hit: near_url(sp, hit),
        # a story's page leads back to the folded results; the others toggle folding
        "folded_url": folded_url,
        "fold_toggle": (None if query.near else
                        ("不合并相似新闻", search_url(sp, fold=False)) if query.fold else
                        ("合并相似新闻", folded_url)),
    }
