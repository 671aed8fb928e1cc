"""Error pages and JSON errors: every failure becomes a readable answer, never a trace.
The pages speak Chinese only; the JSON errors (read by developers) add English."""
from __future__ import annotations

import logging

from urllib.parse import urlencode

from flask import Flask, Response, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, InternalServerError

from indexer.engines import EngineUnavailable
from indexer.search import IndexMissing
from webui.params import MAX_TEXT_PARAM_CHARS, ParamError, clean_text, from_form, parse_params

log = logging.getLogger(__name__)

ERROR_TITLES = {
    400: "请求参数有误",
    404: "页面不存在",
    405: "不支持的请求方法",
    413: "请求内容过大",
    414: "网址过长",
    429: "请求过于频繁",
    431: "请求头过大",
    500: "服务器内部错误",
    503: "搜索暂不可用",
}
UNAVAILABLE = ("搜索索引尚未建立或需要重建，请管理员运行 news-indexer update"
               "（索引由旧版本建立时运行 news-indexer reindex）。"
               "Search is unavailable: no usable index; run `news-indexer update`.")
ERROR_TEXTS = {
    404: "您要找的页面不存在，可能已被删除或链接有误。",
    405: "此地址不支持该请求方法。",
    413: "请求的内容超出了本站能接收的大小。",
    414: "网址太长，本站无法处理。请缩短搜索词或减少筛选条件后再试。",
    429: "请求过于频繁，请稍后再试。",
    431: "请求头太大，本站无法处理。",
    500: "服务器处理请求时出错了，请稍后再试。",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, message: str, q: str = "", retry_url: str | None = None) -> Response:
    """A JSON ``{"error", "status"}`` for the API, a Chinese page for everything else."""
    if wants_json():
        response = jsonify({"error": message, "status": status})
    else:
        response = Response(render_template(
            "error.html", status=status, title=ERROR_TITLES.get(status, "出错了"),
            message=message, q=q, retry_url=retry_url))
    response.status_code = status
    return response


def _retry_url(exc: ParamError) -> str | None:
    """The same search without the parameter at fault, when that one is the only fault."""
    if not exc.param or request.endpoint not in ("pages.search", "feeds.feed", "feeds.subscribe"):
        return None
    dropped = {exc.param, "page"} | ({"from", "to"} if exc.param in ("from", "to") else set())
    sent = list(request.args.items(multi=True))
    formed = from_form(sent)   # a form's submission: what it asked for, without its markers
    kept = [(k, v) for k, v in (sent if formed is None else formed) if k not in dropped]
    try:
        parse_params(MultiDict(kept))
    except ParamError:
        return None
    return url_for("pages.search") + ("?" + urlencode(kept) if kept else "")


def register(app: Flask) -> None:
    @app.errorhandler(ParamError)
    def bad_param(exc: ParamError) -> Response:
        if wants_json():
            return error_response(400, exc.message)
        # keep what the reader typed in the query box
        q = clean_text(request.args.get("q", "")[:MAX_TEXT_PARAM_CHARS])
        return error_response(400, exc.zh, q=q, retry_url=_retry_url(exc))

    @app.errorhandler(EngineUnavailable)   # a cluster down or red: the same page, temporary
    @app.errorhandler(IndexMissing)
    def index_missing(exc: Exception) -> Response:
        # The reason (with server paths) goes to the log, not to the public.
        log.warning("search unavailable: %s", exc)
        if wants_json():
            response = jsonify({"error": UNAVAILABLE, "status": 503})
            response.status_code = 503
        else:
            response = Response(render_template("unavailable.html"), status=503)
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if status >= 500:
            return error_response(status, ERROR_TEXTS[500])
        message = ERROR_TEXTS.get(status) or f"请求无法处理（错误代码 {status}）。"
        response = error_response(status, message)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):  # pragma: no cover - handled above
            return http_error(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, ERROR_TEXTS[500])

    # Flask calls this one when a handler itself fails; keep it plain and safe.
    @app.errorhandler(InternalServerError)
    def internal_error(exc: InternalServerError) -> Response:
        original = getattr(exc, "original_exception", None)
        if original is not None:
            log.error("unhandled error on %s %s", request.method, request.path,
                      exc_info=original)
        return error_response(500, ERROR_TEXTS[500])
