"""The JSON twins of the pages, and the health check."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from indexer.search import IndexMissing
from webui import search_view
from webui.errors import UNAVAILABLE, error_response
from webui.params import parse_query

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search() -> Response:
    query = parse_query(request.args)
    results = search_view.run(query)
    return jsonify(search_view.results_json(query, results))


@bp.get("/api/article/<string(maxlength=100):article_id>")
def article(article_id: str) -> Response:
    found = search_view.engine().get(article_id)
    if found is None:
        return error_response(404, f"没有编号为 {article_id} 的文章")
    return jsonify(search_view.article_json(found))


@bp.get("/healthz")
def healthz() -> Response:
    try:
        info = search_view.engine().info()
    except IndexMissing:
        response = jsonify({"status": "no-index", "error": UNAVAILABLE})
        response.status_code = 503
        return response
    return jsonify({"status": "ok", "articles": info.articles,
                    "last_commit": info.last_commit, "version": info.version})
