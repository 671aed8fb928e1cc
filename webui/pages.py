"""The HTML pages: the search page, the results page and the article snapshot."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for

from indexer.results import MAX_QUERY_CHARS, Query
from webui import search_view
from webui.params import encode, parse_query, query_pairs

bp = Blueprint("pages", __name__)

LATEST = 8


@bp.get("/")
def home() -> str:
    eng = search_view.engine()
    latest = eng.search(Query(sort="date", size=LATEST))
    return render_template("home.html", latest=latest, info=eng.info(), q="")


@bp.get("/search")
def search() -> str:
    query = parse_query(request.args)
    results = search_view.run(query)
    qs = encode(query_pairs(query))
    api_url = url_for("api.search") + ("?" + qs if qs else "")
    return render_template("search.html", max_query_chars=MAX_QUERY_CHARS, api_url=api_url,
                           **search_view.page_context(query, results))


@bp.get("/article/<string(maxlength=100):article_id>")
def article(article_id: str) -> str:
    found = search_view.engine().get(article_id)
    if found is None:
        abort(404)
    return render_template("article.html", article=found, q="")
