"""The Flask application factory."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, request

from indexer.paths import default_data_dir, index_path
from webui import config as site_config
from webui import errors, filters, wire
from webui.config import DEFAULT_TITLE
from webui.engine import REFRESH_INTERVAL, EngineHolder
from webui.querylog import FILE_NAME as QUERY_LOG_FILE
from webui.querylog import QueryLog

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Make the web app. ``config`` may set ``DATA_DIR``, ``INDEX_DIR``,
    ``REFRESH_INTERVAL`` (seconds between index refreshes), the site settings of
    :mod:`webui.config` (``SITE_TITLE``, ``LOGO``, ``PRIMARY_COLOR``, ``SITES`` …),
    ``TODAY`` (a date standing for today, for tests) and any Flask setting.
    A wrong site setting raises :class:`webui.config.ConfigError`."""
    app = Flask(__name__)
    app.config.update(
        DATA_DIR=None,
        INDEX_DIR=None,
        SITE_TITLE=DEFAULT_TITLE,
        REFRESH_INTERVAL=REFRESH_INTERVAL,
        QUERY_LOG=True,
        TODAY=None,
        MAX_CONTENT_LENGTH=64 * 1024,   # nothing here takes a body
    )
    if config:
        app.config.update(config)
    data_dir = Path(app.config["DATA_DIR"] or default_data_dir())
    app.config["DATA_DIR"] = data_dir
    app.config["INDEX_DIR"] = Path(app.config["INDEX_DIR"] or index_path(data_dir))
    site_config.check(app.config)

    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False     # type: ignore[attr-defined]

    app.extensions["news_engine"] = EngineHolder(app.config["INDEX_DIR"],
                                                 float(app.config["REFRESH_INTERVAL"]))

    app.extensions["news_query_log"] = (QueryLog(data_dir / QUERY_LOG_FILE)
                                        if app.config["QUERY_LOG"] else None)

    filters.register(app)
    wire.register(app)

    from webui.api import bp as api_bp
    from webui.feeds import bp as feeds_bp
    from webui.pages import bp as pages_bp
    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(feeds_bp)

    app.after_request(_security_headers)
    errors.register(app)
    return app


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/api/"):
        # Integrators (a college portal, a mini-program) read the API from other origins;
        # it is public, read-only and sends no cookies.
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
    return response
