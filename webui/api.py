"""The JSON twins of the pages, the suggestions, and the health check."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from indexer.engines import EngineUnavailable
from indexer.search import IndexMissing
from webui import related, search_view
from webui.errors import UNAVAILABLE, error_response
from webui.params import ParamError, clean_text

bp = Blueprint("api", __name__)

#: Suggestions are for what one types into a box: short.
MAX_SUGGEST_CHARS = 50
MAX_SUGGESTIONS = 10
DEFAULT_SUGGESTIONS = 8


@bp.get("/api/search")
def search() -> Response:
    sp = search_view.params(request.args)
    results = search_view.run(sp.query, log=True)
    data = search_view.results_json(sp.query, results)
    data["related"] = related.searches(results)
    return jsonify(data)


@bp.get("/api/article/<string(maxlength=100):article_id>")
def article(article_id: str) -> Response:
    eng = search_view.engine()
    found = eng.get(article_id)
    if found is None:
        return error_response(404, f"没有编号为 {article_id} 的文章")
    return jsonify(search_view.article_json(found, eng.related(article_id, limit=5)))


def _suggest_params() -> tuple[str, int, str]:
    args = request.args
    for name in ("q", "limit", "format"):
        if len(args.getlist(name)) > 1:
            raise ParamError(f"参数 {name} 只能出现一次", f"parameter '{name}' may appear only once",
                             name)
    raw = args.get("q", "")
    if len(raw) > MAX_SUGGEST_CHARS:
        raise ParamError(f"输入过长（最多 {MAX_SUGGEST_CHARS} 个字符）",
                         f"'q' is too long for suggestions (at most {MAX_SUGGEST_CHARS} characters)",
                         "q")
    raw_limit = args.get("limit", "").strip()
    if not raw_limit:
        limit = DEFAULT_SUGGESTIONS
    elif raw_limit.isascii() and raw_limit.isdigit() and 1 <= int(raw_limit) <= MAX_SUGGESTIONS:
        limit = int(raw_limit)
    else:
        raise ParamError(f"limit 必须是 1 到 {MAX_SUGGESTIONS} 之间的整数",
                         f"'limit' must be a whole number from 1 to {MAX_SUGGESTIONS}", "limit")
    fmt = args.get("format", "") or "json"
    if fmt not in ("json", "opensearch"):
        raise ParamError("format 只能是 json 或 opensearch",
                         "'format' must be json or opensearch", "format")
    return clean_text(raw), limit, fmt


@bp.get("/api/suggest")
def suggest() -> Response:
    """What the query box offers as one types: popular queries, then matching titles.
    ``format=opensearch`` answers ``[query, [texts]]`` for browsers' search bars."""
    prefix, limit, fmt = _suggest_params()
    found = search_view.suggestions(prefix, limit) if prefix else []
    if fmt == "opensearch":
        response = jsonify([prefix, [s["text"] for s in found]])
        response.mimetype = "application/x-suggestions+json"
    else:
        response = jsonify({"query": prefix, "suggestions": found})
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    try:
        info = search_view.engine().info()
    except (IndexMissing, EngineUnavailable):
        response = jsonify({"status": "no-index", "error": UNAVAILABLE})
        response.status_code = 503
        return response
    return jsonify({"status": "ok", "articles": info.articles,
                    "last_commit": info.last_commit, "version": info.version,
                    "engine": info.extra.get("engine"), "engine_library": info.extra.get("engine_library")})
