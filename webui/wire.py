"""What the page costs on the wire: responses compressed, static files cached for good.

* Compression by ``flask-compress`` (a maintained Flask extension: brotli, gzip,
  zstd, chosen by the browser's ``Accept-Encoding``, with ``Vary`` set): HTML,
  JSON, CSS, JS, the feeds and the OpenSearch description.
* Static files get versioned URLs (``/static/style.css?v=<hash of the file>``),
  so a changed file has a new address, and are sent ``Cache-Control: public,
  max-age=31536000, immutable`` when asked for by their current version; an
  unversioned or stale request is answered with a short revalidating cache.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request
from flask_compress import Compress

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300, must-revalidate"
COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "application/atom+xml", "application/opensearchdescription+xml", "application/xml",
                    "application/x-suggestions+json", "image/svg+xml", "text/plain"]


def register(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    Compress(app)
    versions: dict[str, str] = {}

    def version(filename: str) -> str | None:
        if filename not in versions:
            path = Path(app.static_folder or "") / filename
            try:
                versions[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            except OSError:
                return None
        return versions[filename]

    @app.url_defaults
    def _versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and values.get("filename"):
            v = version(values["filename"])
            if v:
                values["v"] = v

    @app.after_request
    def _static_cache(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            current = version(request.view_args.get("filename", "")) if request.view_args else None
            asked = request.args.get("v")
            response.headers["Cache-Control"] = IMMUTABLE if asked and asked == current else REVALIDATE
        return response
