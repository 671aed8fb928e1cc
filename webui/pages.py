"""The HTML pages: the search page, the results page and the article snapshot."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for

from indexer.results import MAX_QUERY_CHARS, Query
from webui import search_view

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
        latest = eng.search(Query(sort="date", size=LATEST))
        current_app.extensions["news_latest"] = (key, latest)
    return render_template("home.html", latest=latest, info=info, q="",
                           api_url=url_for("api.search", sort="date", size=LATEST))


@bp.get("/search")
def search() -> str:
    sp = search_view.params(request.args)
    results = search_view.run(sp.query, log=True)
    return render_template("search.html", max_query_chars=MAX_QUERY_CHARS,
                           **search_view.page_context(sp, results))


@bp.get("/article/<string(maxlength=100):article_id>")
def article(article_id: str) -> str:
    eng = search_view.engine()
    found = eng.get(article_id)
    if found is None:
        abort(404)
    related = eng.related(article_id, limit=RELATED)
    return render_template("article.html", article=found, related=related, q="",
                           college=search_view.college(found.site),
                           api_url=url_for("api.article", article_id=article_id))
