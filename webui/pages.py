"""The HTML pages: the search page, the results page, the article snapshot and the help."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from indexer.results import MAX_QUERY_CHARS, Query
from webui import folding, related, search_view
from webui.params import MAX_PARAM_CHARS, ParamError, SearchParams, encode, from_form

bp = Blueprint("pages", __name__)

LATEST = 8
RELATED = 5


@bp.get("/")
def home() -> str:
    eng = search_view.engine()
    info = eng.info()
    # The newest articles change only when the indexer commits: one search per commit,
    # not one (with facets over the whole index) per visit.
    key = (info.last_commit, info.articles)
    cached = current_app.extensions.get("news_latest")
    if cached is not None and cached[0] == key and key[0] is not None:
        latest = cached[1]
    else:
        latest = eng.search(Query(sort="date", size=LATEST, fold=True))   # each story once
        current_app.extensions["news_latest"] = (key, latest)
    return render_template("home.html", latest=latest, info=info, q="",
                           api_url=url_for("api.search", sort="date", size=LATEST))


def _search_href(pairs: list[tuple[str, str]]) -> str:
    qs = encode(pairs)
    return url_for("pages.search") + ("?" + qs if qs else "")


@bp.get("/search")
def search() -> Response | str | tuple[str, int]:
    """The results page. Its address carries only what differs from the defaults:
    a form's submission (with its empty fields, its markers, a date as typed) is
    sent on to that address, and a new query typed into the box leaves the filters
    behind unless 在结果中搜索 is ticked (:func:`webui.params.from_form`)."""
    sent = list(request.args.items(multi=True))
    formed = from_form(sent)
    args = MultiDict(formed) if formed is not None else request.args
    try:
        sp = search_view.params(args)
    except ParamError as exc:
        if exc.param not in ("from", "to"):
            raise
        if formed is not None:   # the message at the form's address, the markers gone
            return redirect(_search_href(_canonical_but_dates(formed, exc)))
        return _bad_dates(args, exc)
    canonical = search_view.search_pairs(sp)
    if formed is not None or sorted(canonical) != sorted(sent):
        return redirect(_search_href(canonical))
    results = search_view.run(sp.query, log=True)
    return render_template("search.html", max_query_chars=MAX_QUERY_CHARS, **_results_context(sp, results))


def _results_context(sp: SearchParams, results) -> dict:
    context = {**search_view.page_context(sp, results), **folding.context(sp, results)}
    context.update(related.context(sp, results, shown=[text for text, _ in context["trending"]]))
    return context


def _canonical_but_dates(pairs: list[tuple[str, str]], exc: ParamError) -> list[tuple[str, str]]:
    """``pairs`` with everything but the dates as the canonical address writes it, the
    dates as typed."""
    dates = [(k, v) for k, v in pairs if k in ("from", "to")]
    try:
        sp = search_view.params(MultiDict([(k, v) for k, v in pairs if k not in ("from", "to")]))
    except ParamError:
        raise exc from None
    return search_view.search_pairs(sp) + dates


def _bad_dates(args: MultiDict, exc: ParamError) -> tuple[str, int]:
    """A date that cannot be read: the search without the dates, the message above
    the results and beside the date fields, what was typed still in them."""
    rest = MultiDict([(k, v) for k, v in args.items(multi=True) if k not in ("from", "to")])
    try:
        sp = search_view.params(rest)
    except ParamError:
        raise exc from None
    results = search_view.run(sp.query)
    context = _results_context(sp, results)
    typed = {name: (args.get(name) or "")[:MAX_PARAM_CHARS] for name in ("from", "to")}
    context["date_error"] = exc.zh
    context["typed_dates"] = typed
    # the field at fault; both when each reads but they are in the wrong order
    context["bad_dates"] = [name for name in typed if not _reads(name, args)] or list(typed)
    context["custom_dates"] = True
    return render_template("search.html", max_query_chars=MAX_QUERY_CHARS, **context), 400


def _reads(name: str, args: MultiDict) -> bool:
    try:
        search_view.params(MultiDict([(name, v) for v in args.getlist(name)]))
    except ParamError:
        return False
    return True


@bp.get("/article/<string(maxlength=100):article_id>")
def article(article_id: str) -> str:
    """The snapshot. Opened from a results page, its address carries that search:
    its words are marked in the text (the link lands on the first), it stands in
    the query box, and a link leads back to the very page of results."""
    eng = search_view.engine()
    found = eng.get(article_id)
    if found is None:
        abort(404)
    related = eng.related(article_id, limit=RELATED)
    try:
        sp: SearchParams | None = search_view.params(request.args)
    except ParamError:
        sp = None   # a broken search in the address does not hide the article
    if sp is not None and not search_view.search_pairs(sp):
        sp = None
    text = sp.query.text if sp else ""
    narrowing = search_view.narrowing_pairs(sp) if sp else []
    return render_template(
        "article.html", article=found, related=related, snap=search_view.snapshot(found, text),
        first_match=search_view.FIRST_MATCH, q=text,
        back_url=search_view.search_url(sp, page=sp.query.page) if sp else None,
        prev=text if sp else None, within=bool(narrowing),
        carry=narrowing + (search_view.display_pairs(sp) if sp else []),
        college=search_view.college(found.site),
        api_url=url_for("api.article", article_id=article_id))


@dataclass(frozen=True)
class Example:
    query: str
    says: str


#: The query language (indexer/querylang.py), one clickable example a rule.
HELP_EXAMPLES: dict[str, list[Example]] = {
    "words": [Example("产教融合 校企合作", "空格隔开的几个词：文章要同时包含每一个词（词序不限）。")],
    "phrase": [Example('"校企合作协议"', "加英文或中文引号：引号里的文字要原样连在一起出现。"),
               Example("“数控实训基地”", "中文引号“”、「」也可以。")],
    "exclude": [Example("实训 -泸州", "词前加减号：不要包含这个词的文章。"),
                Example("实训 NOT 泸州", "NOT 加在词前，意思相同。")],
    "title": [Example("title:招生", "title: 或 标题: 加在词前：只在标题中找这个词。"),
              Example('标题:"教学能力比赛"', "也可以只在标题中找一个词组。")],
    "or": [Example("献血 OR 义诊", "两个词之间写 OR（大写或小写）：包含其中任意一个即可。"),
           Example("献血|义诊", "竖线 | 与 OR 相同，可以不加空格。")],
    "alias": [Example("信工学院", "常用简称与全称互通：搜简称也能找到写全称的文章（加引号则只找原词）。"),
              Example("chanjiaoronghe", "输错字或输入拼音时，页面会给出“您是不是要找”的建议。")],
}


@bp.get("/help")
def help_page() -> str:
    """How to search: the query language, with examples that run the search."""
    examples = {section: [(e, url_for("pages.search", q=e.query)) for e in items]
                for section, items in HELP_EXAMPLES.items()}
    return render_template("help.html", examples=examples, q="")
