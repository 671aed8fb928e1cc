"""Running a search for a request, and shaping its results for a page or for JSON.

Shared by the HTML pages, the JSON API and the feed so that they always agree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import current_app, has_request_context, request, url_for
from markupsafe import Markup

from indexer import highlight, plan
from indexer.analysis import normalise
from indexer.querylang import parse
from indexer.results import (MAX_QUERY_CHARS, MAX_RESULT_WINDOW, FacetValue, Hit, Query, SearchResults,
                             SORTS, StoredArticle)
from indexer.search import SearchEngine
from webui.dates import HTML_PATTERN as DATE_PATTERN
from webui.engine import EngineHolder
from webui.filters import NO_DEPARTMENT, college, paragraphs
from webui.params import (NARROWING, RANGES, SIZES, SearchParams, encode, new_query, parse_params,
                          query_pairs, today_in_beijing)
from webui.querylog import QueryLog

#: Departments (and columns) shown before the rest fold away under "更多".
VISIBLE_DEPARTMENTS = 12
#: Numbered page links around the current one.
PAGE_WINDOW = 9
#: 热门搜索 offered on a page that finds nothing
TRENDING = 5
#: the id of the first match in a snapshot's text, where a link from the results lands
FIRST_MATCH = "first-match"
#: how many articles holding a title are looked at to find the one its suggestion opens
SAME_TITLE = 20
_KEEP = object()


def engine() -> SearchEngine:
    holder: EngineHolder = current_app.extensions["news_engine"]
    return holder.get()


def query_log() -> QueryLog | None:
    return current_app.extensions.get("news_query_log")


def today() -> date:
    configured = current_app.config.get("TODAY")
    if isinstance(configured, str):
        return date.fromisoformat(configured)
    return configured or today_in_beijing()


def params(args: Any) -> SearchParams:
    return parse_params(args, today())


def run(query: Query, log: bool = False) -> SearchResults:
    results = engine().search(query)
    if (query.page - 1) * query.size >= results.total:
        # Past the last page: nothing (never a repeat of the last page).
        results.hits = []
    if query.near:
        # one story's articles: the words were searched (and counted) on the page it came from
        results.suggestion = None
        return results
    # Only a query's own first page is counted: its result count then says what the
    # words find, whatever filters a reader adds afterwards.
    unfiltered = not (query.date_from or query.date_to or query.departments or query.columns
                      or query.sites or query.title_only)
    if log and query.text and query.page == 1 and unfiltered:
        qlog = query_log()
        if qlog is not None:
            qlog.record(query.text, results.total, client=_client(qlog))
    if not results.suggestion and (results.total == 0 or results.partial) and query.text:
        qlog = query_log()
        if qlog is not None:
            results.suggestion = qlog.similar(query.text, **popularity())
    return results


def _client(qlog: QueryLog) -> bytes | None:
    """The anonymous key of the reader of this request (see :mod:`webui.querylog`)."""
    if not has_request_context():
        return None
    return qlog.client_key(request.remote_addr, request.headers.get("User-Agent"))


def popularity() -> dict[str, int]:
    """What makes a query popular enough to be shown to others."""
    return {"min_count": current_app.config["SUGGEST_MIN_COUNT"],
            "min_clients": current_app.config["SUGGEST_MIN_CLIENTS"]}


def trending(exclude: str = "", limit: int = TRENDING) -> list[str]:
    """热门搜索: what several readers searched lately and found something for."""
    qlog = query_log()
    if qlog is None:
        return []
    skip = normalise(exclude)
    return [t for t in qlog.trending(limit=limit + 1, **popularity()) if t != skip][:limit]


def suggestions(prefix: str, limit: int) -> list[dict[str, str]]:
    """Popular queries that start with ``prefix`` (searched often enough by several
    others), then titles that contain it, each with the ``url`` of its article."""
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    qlog = query_log()
    if qlog is not None:
        for text in qlog.popular(prefix, limit=min(3, limit), **popularity()):
            out.append({"text": text, "kind": "query"})
            seen.add(text)
    eng = engine()
    for title in eng.suggest(prefix, limit=limit):
        if len(out) >= limit:
            break
        if title not in seen:
            item = {"text": title, "kind": "title"}
            found = article_of_title(eng, title)
            if found:
                item["url"] = url_for("pages.article", article_id=found)
            out.append(item)
            seen.add(title)
    return out


def article_of_title(eng: SearchEngine, title: str) -> str | None:
    """The id of the newest article whose title is ``title`` (the one the title
    suggestion stands for), or None."""
    if '"' in title:
        return None   # it cannot be quoted as one phrase
    ids = sorted(eng.match_ids(Query(text=f'title:"{title}"')))
    best: tuple[str, str] | None = None
    for article_id in ids[:SAME_TITLE]:
        found = eng.get(article_id)
        if found is None or found.title != title:
            continue
        key = (found.published or "", article_id)
        if best is None or key > best:
            best = key
    return best[1] if best else None


# -- JSON ---------------------------------------------------------------------
def hit_json(h: Hit) -> dict[str, Any]:
    return {"id": h.id, "url": h.url, "title": h.title_html, "published": h.published,
            "department": h.department, "column": h.column, "site": h.site,
            "snippet": h.snippet_html, "attachment": h.attachment, "source": h.source,
            "college": college(h.site),
            "similar": [{"id": s["id"], "url": s["url"], "title": s.get("title") or "",
                         "published": s.get("published")} for s in h.similar]}


def results_json(query: Query, results: SearchResults) -> dict[str, Any]:
    return {
        "query": query.text,
        "total": results.total,
        "stories": results.stories,
        "page": query.page,
        "size": query.size,
        "fold": query.fold,
        "near": query.near,
        "took_ms": results.took_ms,
        "hits": [hit_json(h) for h in results.hits],
        "facets": {name: [{"value": f.value, "count": f.count}
                          for f in results.facets.get(name, [])]
                   for name in ("department", "year", "column", "site")},
        "partial": bool(results.partial),
        "suggestion": results.suggestion,
        "corrected_from": results.corrected_from,
        "corrected_query": results.query.text if results.corrected_from else None,
        "truncated_query": bool(results.truncated_query),
    }


def article_json(article: StoredArticle, related: list[Hit]) -> dict[str, Any]:
    return {
        "id": article.id, "url": article.url, "title": article.title,
        "published": article.published, "department": article.department,
        "column": article.column, "site": article.site, "source": article.source,
        "college": college(article.site), "body": article.body,
        "related": [{"id": h.id, "url": h.url, "title": h.title, "published": h.published,
                     "department": h.department, "site": h.site} for h in related],
    }


# -- the results page ---------------------------------------------------------
def search_url(sp: SearchParams, endpoint: str = "pages.search", range: object = _KEEP,
               **changes: object) -> str:
    """The URL of ``sp`` with ``changes`` (fields of :class:`Query`); any change but
    ``page`` goes back to the first page, and a change of dates drops the preset."""
    if "page" not in changes:
        changes["page"] = 1
    if range is _KEEP:
        range = None if ("date_from" in changes or "date_to" in changes) else sp.range
    qs = encode(query_pairs(sp.query, range=range, **changes))  # type: ignore[arg-type]
    return url_for(endpoint) + ("?" + qs if qs else "")


def search_pairs(sp: SearchParams) -> list[tuple[str, str]]:
    """The URL parameters of the search ``sp`` (page included), defaults left out."""
    return query_pairs(sp.query, range=sp.range)


def snapshot_url(sp: SearchParams, hit: Hit) -> str:
    """The snapshot of ``hit`` opened from the results of ``sp``: it carries the
    search (to highlight its words and lead back to this page) and lands on the
    first match when the snippet shows one in the body."""
    url = url_for("pages.article", article_id=hit.id)
    qs = encode(search_pairs(sp))
    if not qs:
        return url
    lands = bool(sp.query.text) and not hit.attachment and "<mark>" in hit.snippet_html
    return f"{url}?{qs}" + (f"#{FIRST_MATCH}" if lands else "")


@dataclass
class Snapshot:
    title_html: Markup
    paragraphs: list[Markup]
    matched: bool          # the body holds a match (the first has the id FIRST_MATCH)


def snapshot(article: StoredArticle, text: str) -> Snapshot:
    """The title and paragraphs of ``article`` with the words of the query ``text``
    marked, as the results page marks them: the same needles (:func:`indexer.plan.needles`)
    and the same escaping highlighter (:mod:`indexer.highlight`)."""
    needles = plan.needles(parse(text[:MAX_QUERY_CHARS])) if text else []
    out: list[Markup] = []
    matched = False
    for para in paragraphs(article.body):
        html = highlight.highlight(para, needles)
        if not matched and "<mark>" in html:
            html = html.replace("<mark>", f'<mark id="{FIRST_MATCH}">', 1)
            matched = True
        out.append(Markup(html))
    return Snapshot(Markup(highlight.highlight(article.title, needles)), out, matched)


def narrowing_pairs(sp: SearchParams) -> list[tuple[str, str]]:
    """The parameters of ``sp`` that narrow it (dates, departments, columns, colleges,
    只搜标题): what 在结果中搜索 keeps."""
    return [(k, v) for k, v in search_pairs(sp) if k in NARROWING]


#: the parameters that say how to show a search, not what it finds: a new query keeps them
DISPLAY = ("sort", "size", "fold")


def display_pairs(sp: SearchParams) -> list[tuple[str, str]]:
    """The parameters of ``sp`` that say how to show it (sort, size, fold=0): a new
    query keeps them (one story's list, ``near``, it does not)."""
    return [(k, v) for k, v in search_pairs(sp) if k in DISPLAY]


def words_only(sp: SearchParams) -> tuple[str, int] | None:
    """For a query with quotes, exclusions, ``title:`` or ``OR`` that finds nothing: its
    words alone (all of them, anywhere), and what they find under the same filters."""
    text = sp.query.text
    if not text:
        return None
    parsed = parse(text[:MAX_QUERY_CHARS])
    plain = " ".join(dict.fromkeys(c.text for g in parsed.groups for c in g))
    if not plain or plain == normalise(text):
        return None
    found = engine().count(replace(sp.query, text=plain, page=1))
    return (plain, found) if found else None


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


@dataclass
class Chip:
    kind: str      # 部门, 日期 …
    label: str
    url: str       # the same search without it


@dataclass
class Advice:
    label: str     # what to drop
    count: int     # what the search finds without it
    url: str


def last_page(query: Query, total: int) -> int:
    return max(1, min(math.ceil(total / query.size), MAX_RESULT_WINDOW // query.size))


def counted(results: SearchResults) -> int:
    """What the pages of ``results`` count: stories when they are folded and every
    match was folded, else articles (more than the stories: the last pages may be
    empty; :func:`pagination` stops at the first short page)."""
    if results.query.fold and results.stories is not None:
        return results.stories
    return results.total


def pagination(sp: SearchParams, results: SearchResults) -> dict[str, Any]:
    query = sp.query
    total = counted(results)
    last = last_page(query, total)
    if query.fold and total:   # the count may be the articles': a short or empty page is past it
        if not results.hits and query.page > 1:
            last = min(last, query.page - 1)
        elif len(results.hits) < query.size:
            last = min(last, query.page)
    start = max(1, min(query.page - PAGE_WINDOW // 2, last - PAGE_WINDOW + 1))
    end = min(last, start + PAGE_WINDOW - 1)
    return {
        "pages": [PageLink(n, search_url(sp, page=n), n == query.page)
                  for n in range(start, end + 1)] if total else [],
        "prev": search_url(sp, page=query.page - 1) if 1 < query.page <= last + 1 else None,
        "next": search_url(sp, page=query.page + 1) if query.page < last and total else None,
        "first": search_url(sp, page=1),
        "last": last,
        "beyond": bool(total) and query.page > last,
    }


def _options(chosen: tuple[str, ...], facet: list[FacetValue], label=lambda v: v) -> list[Option]:
    """The rows of a facet; the articles that name no value are a row too, chosen
    with the value ``未注明`` (in the query: "")."""
    options = [Option(f.value or NO_DEPARTMENT, label(f.value) if f.value else NO_DEPARTMENT, f.count,
                      (f.value or "") in chosen) for f in facet]
    listed = {(f.value or "") for f in facet}
    # A chosen value the current query no longer finds stays visible and ticked.
    options[:0] = [Option(v or NO_DEPARTMENT, label(v) if v else NO_DEPARTMENT, 0, True)
                   for v in chosen if v not in listed]
    return options


def department_options(query: Query, results: SearchResults) -> list[Option]:
    return _options(query.departments, results.facets.get("department", []))


def split_visible(options: list[Option]) -> tuple[list[Option], list[Option]]:
    if len(options) <= VISIBLE_DEPARTMENTS + 2:
        return options, []
    visible = options[:VISIBLE_DEPARTMENTS]
    rest = options[VISIBLE_DEPARTMENTS:]
    # Ticked ones are always in sight.
    visible += [o for o in rest if o.checked]
    rest = [o for o in rest if not o.checked]
    return visible, rest


def year_options(sp: SearchParams, results: SearchResults) -> list[Option]:
    """The year links. Each keeps the rest of the search (departments and all) and
    sets the dates to that year; within a custom range (``from``/``to`` typed or a
    year's part of one) only the years inside it are offered, each narrowing the
    range to its part of that year, counted as such; a whole year chosen is no such
    range (the other years replace it). The year the dates lie in is shown chosen:
    its link removes the dates."""
    query = sp.query
    lo = None if sp.range else query.date_from
    hi = None if sp.range else query.date_to
    # a whole year (a year link's) is no range to stay in: the others replace it
    whole_year = bool(lo and hi) and (lo.month, lo.day, hi.month, hi.day) == (1, 1, 12, 31) \
        and lo.year == hi.year
    custom = bool(lo or hi) and not whole_year
    options = []
    for f in results.facets.get("year", []):
        if not f.value or not f.value.isdigit():
            continue
        year = int(f.value)
        if not 1900 <= year <= 2999:
            continue
        first, last = date(year, 1, 1), date(year, 12, 31)
        if custom and ((lo and last < lo) or (hi and first > hi)):
            continue    # outside the range
        start, end = (max(first, lo) if lo else first, min(last, hi) if hi else last) if custom \
            else (first, last)
        active = bool(lo and hi) and first <= lo and hi <= last
        url = (search_url(sp, date_from=None, date_to=None) if active
               else search_url(sp, date_from=start, date_to=end))
        count = f.count
        if (start, end) != (first, last):
            # the facet counts whole years: a year cut by the range is counted again
            count = engine().count(replace(query, date_from=start, date_to=end, page=1))
            if not count and not active:
                continue
        options.append(Option(f.value, f.value, count, active, url))
    return options


def range_options(sp: SearchParams) -> list[Option]:
    custom = bool(not sp.range and (sp.query.date_from or sp.query.date_to))
    out = [Option(None, "不限", None, not sp.range and not custom,
                  search_url(sp, range=None, date_from=None, date_to=None))]
    out += [Option(name, label, None, sp.range == name,
                   search_url(sp, range=name, date_from=None, date_to=None))
            for name, label in RANGES.items()]
    return out


def date_label(sp: SearchParams) -> str | None:
    q = sp.query
    if sp.range:
        return RANGES[sp.range]
    if q.date_from and q.date_to:
        if (q.date_from.month, q.date_from.day, q.date_to.month, q.date_to.day) == (1, 1, 12, 31) \
                and q.date_from.year == q.date_to.year:
            return f"{q.date_from.year} 年"
        if q.date_from == q.date_to:
            return q.date_from.isoformat()
        return f"{q.date_from.isoformat()} 至 {q.date_to.isoformat()}"
    if q.date_from:
        return f"{q.date_from.isoformat()} 以后"
    if q.date_to:
        return f"{q.date_to.isoformat()} 以前"
    return None


def chips(sp: SearchParams) -> list[Chip]:
    q = sp.query
    out: list[Chip] = []
    label = date_label(sp)
    if label:
        out.append(Chip("日期", label, search_url(sp, range=None, date_from=None, date_to=None)))
    for d in q.departments:
        out.append(Chip("部门", d or NO_DEPARTMENT, search_url(sp, departments=tuple(x for x in q.departments if x != d))))
    for c in q.columns:
        out.append(Chip("栏目", c, search_url(sp, columns=tuple(x for x in q.columns if x != c))))
    for s in q.sites:
        out.append(Chip("学校", college(s), search_url(sp, sites=tuple(x for x in q.sites if x != s))))
    if q.title_only:
        out.append(Chip("范围", "只搜标题", search_url(sp, title_only=False)))
    return out


def advice(sp: SearchParams, results: SearchResults) -> list[Advice]:
    """For a search that finds nothing: what each filter costs. Each facet is counted
    without its own filter, so its sum is what the search finds without that filter."""
    q = sp.query
    out: list[Advice] = []

    def total(facet: str) -> int:
        return sum(f.count for f in results.facets.get(facet, []))

    label = date_label(sp)
    if label:
        out.append(Advice(f"日期（{label}）", total("year"),
                          search_url(sp, range=None, date_from=None, date_to=None)))
    if q.departments:
        out.append(Advice(f"部门（{'、'.join(q.departments)}）", total("department"),
                          search_url(sp, departments=())))
    if q.columns:
        out.append(Advice(f"栏目（{'、'.join(q.columns)}）", total("column"),
                          search_url(sp, columns=())))
    if q.sites:
        out.append(Advice(f"学校（{'、'.join(college(s) for s in q.sites)}）", total("site"),
                          search_url(sp, sites=())))
    if q.title_only and q.text:
        wider = engine().search(replace(q, title_only=False, page=1, size=1, fold=False, near=None))
        out.append(Advice("“只搜标题”", wider.total, search_url(sp, title_only=False)))
    return [a for a in out if a.count > 0]


def size_options(query: Query) -> list[int]:
    return sorted(set(SIZES) | {query.size})


def page_context(sp: SearchParams, results: SearchResults) -> dict[str, Any]:
    query = sp.query
    departments = department_options(query, results)
    visible, more = split_visible(departments)
    columns = _options(query.columns, results.facets.get("column", []))
    sites = _options(query.sites, results.facets.get("site", []), college)
    filtered = bool(query.date_from or query.date_to or query.departments or query.columns
                    or query.sites or query.title_only)
    pager = pagination(sp, results)
    empty = not results.hits and not pager["beyond"]
    plain = words_only(sp) if empty else None
    chip_list = chips(sp)
    advice_list = advice(sp, results) if empty and filtered else []
    # all the filters at once, when no single one says it (one filter, or none worth dropping)
    offer_clear = empty and filtered and (len(chip_list) > 1 or not advice_list)
    unfiltered = engine().count(new_query(text=query.text)) if offer_clear and query.text else 0
    return {
        "sp": sp,
        "query": query,
        "q": query.text,
        "page": query.page,
        "results": results,
        "pager": pager,
        "departments": visible,
        "more_departments": more,
        "columns": [c for c in columns if c.value],
        "sites": [s for s in sites if s.value] if len(sites) > 1 or query.sites else [],
        "years": year_options(sp, results),
        "ranges": range_options(sp),
        "chips": chip_list,
        "advice": advice_list,
        "offer_clear": offer_clear,
        "sizes": size_options(query),
        "filtered": filtered,
        "clear_url": search_url(SearchParams(new_query(text=query.text, sort=query.sort,
                                                       size=query.size, fold=query.fold or bool(query.near)))),
        "sort_urls": {s: search_url(sp, sort=s) for s in SORTS},
        "suggestion_url": (search_url(SearchParams(replace(query, text=results.suggestion)))
                           if results.suggestion else None),
        "typed_url": search_url(sp, correct=False) if results.corrected_from else None,
        "feed_url": search_url(sp, endpoint="feeds.feed", page=1,
                               sort="relevance" if query.text else "date"),
        "api_url": search_url(sp, endpoint="api.search", page=query.page),
        "first_rank": (query.page - 1) * query.size + 1,
        "custom_dates": not sp.range,
        "empty": empty,
        "snapshot_url": lambda hit: snapshot_url(sp, hit),
        "trending": [(t, search_url(SearchParams(new_query(text=t)))) for t in trending(query.text)]
                    if empty else [],
        "words_only": (plain[0], plain[1], search_url(sp, text=plain[0])) if plain else None,
        "unfiltered_count": unfiltered,
        "subscribe_url": search_url(sp, endpoint="feeds.subscribe", page=1,
                                    sort="relevance" if query.text else "date"),
        # the query box: the query it shows, and what a new query keeps
        "prev": query.text,
        "within": filtered,
        # (the sort and size fields are not shown on an empty page; fold=0 never is)
        "carry": display_pairs(sp) if empty else [(k, v) for k, v in display_pairs(sp) if k == "fold"],
        "date_pattern": DATE_PATTERN,
        "date_error": None,
        "typed_dates": {},
        "bad_dates": [],
    }
