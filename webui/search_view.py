"""Running a search for a request, and shaping its results for a page or for JSON.

Shared by the HTML pages and the JSON API so that the two always agree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import current_app, url_for

from indexer.results import MAX_RESULT_WINDOW, Query, SearchResults, StoredArticle
from indexer.search import SearchEngine
from webui.engine import EngineHolder
from webui.filters import NO_DEPARTMENT
from webui.params import encode, query_pairs

#: Departments shown before the rest fold away under "更多".
VISIBLE_DEPARTMENTS = 12
#: Numbered page links around the current one.
PAGE_WINDOW = 9


def engine() -> SearchEngine:
    holder: EngineHolder = current_app.extensions["news_engine"]
    return holder.get()


def run(query: Query) -> SearchResults:
    results = engine().search(query)
    if (query.page - 1) * query.size >= results.total:
        # Past the last page: nothing (Whoosh would repeat the last page instead).
        results.hits = []
    return results


# -- JSON ---------------------------------------------------------------------
def results_json(query: Query, results: SearchResults) -> dict[str, Any]:
    return {
        "query": query.text,
        "total": results.total,
        "page": query.page,
        "size": query.size,
        "took_ms": results.took_ms,
        "hits": [{
            "id": h.id, "url": h.url, "title": h.title_html, "published": h.published,
            "department": h.department, "column": h.column, "site": h.site,
            "snippet": h.snippet_html, "source": h.source,
        } for h in results.hits],
        "facets": {name: [{"value": f.value, "count": f.count}
                          for f in results.facets.get(name, [])]
                   for name in ("department", "year")},
        "partial": bool(results.partial),
        "suggestion": results.suggestion,
        "truncated_query": bool(results.truncated_query),
    }


def article_json(article: StoredArticle) -> dict[str, Any]:
    return {
        "id": article.id, "url": article.url, "title": article.title,
        "published": article.published, "department": article.department,
        "column": article.column, "site": article.site, "source": article.source,
        "body": article.body,
    }


# -- the results page ---------------------------------------------------------
def search_url(query: Query, **changes: object) -> str:
    """The page URL for ``query`` with ``changes``; any change but ``page`` goes back
    to the first page."""
    if "page" not in changes:
        changes["page"] = 1
    qs = encode(query_pairs(query, **changes))
    return url_for("pages.search") + ("?" + qs if qs else "")


@dataclass
class PageLink:
    number: int
    url: str
    current: bool


@dataclass
class Option:
    value: str | None
    label: str
    count: int | None
    checked: bool
    url: str = ""


def last_page(query: Query, total: int) -> int:
    return max(1, min(math.ceil(total / query.size), MAX_RESULT_WINDOW // query.size))


def pagination(query: Query, total: int) -> dict[str, Any]:
    last = last_page(query, total)
    start = max(1, min(query.page - PAGE_WINDOW // 2, last - PAGE_WINDOW + 1))
    end = min(last, start + PAGE_WINDOW - 1)
    return {
        "pages": [PageLink(n, search_url(query, page=n), n == query.page)
                  for n in range(start, end + 1)] if total else [],
        "prev": search_url(query, page=query.page - 1) if 1 < query.page <= last + 1 else None,
        "next": search_url(query, page=query.page + 1) if query.page < last and total else None,
        "first": search_url(query, page=1),
        "last": last,
        "beyond": bool(total) and query.page > last,
    }


def department_options(query: Query, results: SearchResults) -> list[Option]:
    options = [Option(f.value, f.value or NO_DEPARTMENT, f.count, f.value in query.departments)
               for f in results.facets.get("department", [])]
    listed = {o.value for o in options}
    # A chosen department the current query no longer finds stays visible and ticked.
    options[:0] = [Option(d, d, 0, True) for d in query.departments if d not in listed]
    return options


def split_visible(options: list[Option]) -> tuple[list[Option], list[Option]]:
    if len(options) <= VISIBLE_DEPARTMENTS + 2:
        return options, []
    visible = options[:VISIBLE_DEPARTMENTS]
    rest = options[VISIBLE_DEPARTMENTS:]
    # Ticked ones are always in sight.
    visible += [o for o in rest if o.checked]
    rest = [o for o in rest if not o.checked]
    return visible, rest


def year_options(query: Query, results: SearchResults) -> list[Option]:
    options = []
    for f in results.facets.get("year", []):
        if not f.value or not f.value.isdigit():
            continue
        year = int(f.value)
        if not 1 <= year <= 9999:
            continue
        first, last = date(year, 1, 1), date(year, 12, 31)
        active = query.date_from == first and query.date_to == last
        url = (search_url(query, date_from=None, date_to=None) if active
               else search_url(query, date_from=first, date_to=last))
        options.append(Option(f.value, f.value, f.count, active, url))
    return options


def page_context(query: Query, results: SearchResults) -> dict[str, Any]:
    departments = department_options(query, results)
    visible, more = split_visible(departments)
    filtered = bool(query.date_from or query.date_to or query.departments or query.columns
                    or query.sites or query.title_only)
    return {
        "query": query,
        "q": query.text,
        "results": results,
        "pager": pagination(query, results.total),
        "departments": visible,
        "more_departments": more,
        "years": year_options(query, results),
        "filtered": filtered,
        "clear_url": search_url(Query(text=query.text, sort=query.sort, size=query.size)),
        "sort_urls": {s: search_url(query, sort=s) for s in ("relevance", "date")},
        "suggestion_url": (search_url(replace(query, text=results.suggestion))
                           if results.suggestion else None),
        "first_rank": (query.page - 1) * query.size + 1,
    }
