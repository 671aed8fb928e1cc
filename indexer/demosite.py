"""Serve ``data/demo-site/`` on loopback, as a college web server would.

Static files with ``ETag`` and ``Last-Modified`` (and ``304 Not Modified``), and
``text/html`` without a charset parameter, as many college servers send it, so
the crawler must read the ``<meta>`` declaration of GBK pages itself.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from email.utils import formatdate, parsedate_to_datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

log = logging.getLogger(__name__)


class _Handler(SimpleHTTPRequestHandler):
    quiet = False

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.htm"
        if not path.is_file():
            self.send_error(404, "Not Found")
            return None
        st = path.stat()
        etag = '"%s"' % hashlib.md5(f"{st.st_mtime_ns}-{st.st_size}".encode()).hexdigest()[:16]
        if self.headers.get("If-None-Match") == etag:
            return self._not_modified(etag)
        ims = self.headers.get("If-Modified-Since")
        if ims and not self.headers.get("If-None-Match"):
            try:
                if int(st.st_mtime) <= parsedate_to_datetime(ims).timestamp():
                    return self._not_modified(etag)
            except (TypeError, ValueError):
                pass
        ctype = self.guess_type(str(path))
        if ctype.startswith("text/html"):
            ctype = "text/html"
        f = open(path, "rb")
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(st.st_size))
        self.send_header("Last-Modified", formatdate(st.st_mtime, usegmt=True))
        self.send_header("ETag", etag)
        self.end_headers()
        return f

    def _not_modified(self, etag: str):
        self.send_response(304)
        self.send_header("ETag", etag)
        self.end_headers()
        return None

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        if not self.quiet:
            log.info("%s %s", self.address_string(), format % args)


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8001, quiet: bool = True) -> ThreadingHTTPServer:
    handler = type("DemoHandler", (_Handler,), {"quiet": quiet})
    server = ThreadingHTTPServer((host, port), partial(handler, directory=str(root)))
    server.daemon_threads = True
    return server


def serve_in_thread(root: Path, host: str = "127.0.0.1", port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Start a server on a free port in a daemon thread; returns it and its base URL."""
    server = make_server(root, host, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}/"
