"""A real, threaded HTTP server on 127.0.0.1 that misbehaves on purpose.

It is a test helper for the fetcher and the crawler: every request is recorded
(with the time it arrived, its headers and how many body bytes were sent back),
and routes are plain functions that can be added by any test::

    from tests.hostile_server import HostileServer, Response

    with HostileServer() as server:              # default routes installed
        server.static("/hello.htm", "<p>你好</p>")
        @server.route("/echo")
        def echo(req):
            return Response(body=req.headers.get("User-Agent", "").encode())
        server.url("/hello.htm")                 # http://127.0.0.1:PORT/hello.htm
        server.alt_url("/hello.htm")             # http://localhost:PORT/hello.htm (another host)
        server.hits("/hello.htm")                # list of Request records

A route handler takes a :class:`Request` and returns a :class:`Response`. A
response body may be ``bytes`` or an iterable of ``bytes``, which is streamed:
with the ``Content-Length`` the handler gave, or chunked, or (neither) by
closing the connection at the end. Handlers may sleep, but should use
``server.pause(seconds)``, which returns early when the server stops.

The server binds to 127.0.0.1 only; nothing here reaches beyond loopback.
``localhost`` names the same server under a different host name, for tests of
off-site redirects.

Default routes (see :func:`install_default_routes`):

============================  ==================================================
``/page.htm``                 a normal UTF-8 HTML page
``/gbk.htm``                  a GBK page whose header wrongly says ``utf-8``
``/loop/a``, ``/loop/b``      a redirect loop
``/chain/N``                  a chain of N redirects ending at ``/page.htm``
``/offsite``                  a redirect to ``http://localhost:PORT/page.htm``
``/go-private``               a redirect to ``/private/secret.htm``
``/private/secret.htm``       a page that :data:`ROBOTS_TXT` disallows
``/flaky``                    500 on the first request, then 200
``/always-500``               500, every time
``/rate-limited``             429 with ``Retry-After: 1`` first, then 200
``/unavailable``              503 with ``Retry-After`` as an HTTP-date first, then 200
``/retry-after-long``         429 with ``Retry-After: 3600``
``/slow``                     waits 3 s before answering
``/drip``                     answers at once, then one byte every 0.1 s for 5 s
``/huge``                     50 MB with an honest ``Content-Length``
``/huge-chunked``             50 MB, chunked, no length
``/huge-close``               50 MB, no length, ended by closing the connection
``/gzip``                     the normal page, gzip-encoded
``/gzip-bomb``                50 MB of zeros, gzip-encoded (about 50 KB on the wire)
``/cond``                     ``ETag`` and ``Last-Modified``; answers 304 to a match
``/doc.pdf``                  binary ``application/pdf``
``/missing``                  404 (as is every unknown path)
``/calendar/YYYY-MM-DD.htm``  an endless calendar: each day links to the next
============================  ==================================================

``/robots.txt`` is 404 unless a test calls :meth:`HostileServer.set_robots`.
"""
from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import Message
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

__all__ = ["HostileServer", "Request", "Response", "Handler", "install_default_routes",
           "ROBOTS_TXT", "GBK_HTML", "PDF_BYTES", "HUGE_SIZE", "COND_ETAG", "COND_LAST_MODIFIED"]

#: A robots.txt for :meth:`HostileServer.set_robots`: /private/ is off limits, and
#: requests should be at least 0.3 s apart.
ROBOTS_TXT = "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\n"

PAGE_HTML = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>产教融合年会</title></head>"
             "<body><h1>产教融合年会</h1><p>智能制造学院供稿</p></body></html>").encode("utf-8")
GBK_HTML = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">"
            "<title>华中数控</title></head><body><p>宜宾职业技术学院今日宜职</p></body></html>"
            ).encode("gbk")
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256))
HUGE_SIZE = 50 * 1024 * 1024
COND_ETAG = '"v1-cafe"'
COND_LAST_MODIFIED = "Wed, 01 May 2024 08:00:00 GMT"


@dataclass
class Request:
    """One request as the server saw it."""

    method: str
    target: str  # the request target as sent: path and query
    path: str  # percent-decoded
    query: str
    headers: Message
    time: float  # time.monotonic() when the request line had been read
    host: str  # the Host header, without the port
    client_port: int = 0  # the client's source port: equal ports mean a reused connection
    bytes_sent: int = 0  # body bytes written back
    aborted: bool = False  # the client went away mid-response
    done: threading.Event = field(default_factory=threading.Event, repr=False)


@dataclass
class Response:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # for an iterable body without Content-Length


Handler = Callable[[Request], Response]


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections give up after this
    server: "_Server"

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch()

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch(head=True)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._dispatch()

    def _dispatch(self, head: bool = False) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        req = Request(self.command, self.path, unquote(parts.path), parts.query, self.headers,
                      time.monotonic(), host, self.client_address[1])
        owner._record(req)
        try:
            try:
                resp = owner._handler_for(req.path)(req)
            except Exception as exc:  # a broken test handler is a 500, not a hung client
                resp = Response(500, f"handler failed: {exc!r}".encode(), "text/plain")
            self._send(req, resp, head)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            req.aborted = True
            self.close_connection = True
        finally:
            req.done.set()

    def _send(self, req: Request, resp: Response, head: bool) -> None:
        self.send_response(resp.status)
        names = {k.lower() for k in resp.headers}
        if resp.content_type and "content-type" not in names:
            self.send_header("Content-Type", resp.content_type)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        body = resp.body
        no_body = head or resp.status in (204, 304) or 100 <= resp.status < 200
        if isinstance(body, (bytes, bytearray)):
            if "content-length" not in names and resp.status not in (204, 304):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not no_body:
                self._write(req, bytes(body))
            return
        # a streamed body
        chunked = False
        if "content-length" not in names and not no_body:
            if resp.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                chunked = True
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
        self.end_headers()
        if no_body:
            return
        for piece in body:
            if owner_stopping(self.server):
                self.close_connection = True
                return
            if not piece:
                continue
            if chunked:
                self.wfile.write(b"%x\r\n" % len(piece))
                self._write(req, piece)
                self.wfile.write(b"\r\n")
            else:
                self._write(req, piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _write(self, req: Request, data: bytes) -> None:
        self.wfile.write(data)
        req.bytes_sent += len(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet; the request log is the record


def owner_stopping(server: "_Server") -> bool:
    return server.owner._stopping.is_set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # server_close() must not wait for a handler asleep in /slow
    allow_reuse_address = True
    owner: "HostileServer"


class HostileServer:
    """A threaded HTTP server on 127.0.0.1 with a request log and pluggable routes."""

    def __init__(self, *, defaults: bool = True, host: str = "127.0.0.1") -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the hostile server serves loopback only")
        self._routes: dict[str, Handler] = {}
        self._prefix_routes: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._log: list[Request] = []
        self._counters: dict[str, int] = {}
        self._stopping = threading.Event()
        self._httpd = _Server((host, 0), _RequestHandler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None
        self.host = host
        self.port: int = self._httpd.server_address[1]
        if defaults:
            install_default_routes(self)

    # -- life -----------------------------------------------------------------
    def start(self) -> "HostileServer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            kwargs={"poll_interval": 0.05}, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "HostileServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}/{path.lstrip('/')}"

    def alt_url(self, path: str = "/") -> str:
        """The same server under the name ``localhost``: another host to a crawler."""
        return f"http://localhost:{self.port}/{path.lstrip('/')}"

    # -- routes ---------------------------------------------------------------
    def route(self, path: str, handler: Handler | None = None, *, prefix: bool = False):
        """Add (or replace) a route; usable directly or as a decorator. A prefix
        route answers every path that starts with ``path``; the longest wins."""
        def add(h: Handler) -> Handler:
            with self._lock:
                (self._prefix_routes if prefix else self._routes)[path] = h
            return h
        return add(handler) if handler is not None else add

    def static(self, path: str, body: bytes | str, *, status: int = 200,
               content_type: str | None = "text/html; charset=utf-8",
               headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.route(path, lambda req: Response(status, data, content_type, dict(headers or {})))

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.route(path, lambda req: Response(status, b"", None, {"Location": location}))

    def set_robots(self, text: str | None, status: int = 200) -> None:
        """Serve ``text`` as /robots.txt (``None``: 404, everything allowed)."""
        if text is None and status == 200:
            with self._lock:
                self._routes.pop("/robots.txt", None)
            return
        self.static("/robots.txt", text or "", status=status, content_type="text/plain")

    def remove(self, path: str) -> None:
        with self._lock:
            self._routes.pop(path, None)
            self._prefix_routes.pop(path, None)

    def _handler_for(self, path: str) -> Handler:
        with self._lock:
            if path in self._routes:
                return self._routes[path]
            best = max((p for p in self._prefix_routes if path.startswith(p)), key=len, default=None)
            if best is not None:
                return self._prefix_routes[best]
        return _not_found

    # -- helpers for handlers -------------------------------------------------
    def pause(self, seconds: float) -> None:
        """Sleep in a handler; returns early when the server stops."""
        self._stopping.wait(seconds)

    def next_count(self, key: str) -> int:
        """1 on the first call with ``key``, then 2, 3 …: for "fail, then succeed"."""
        with self._lock:
            self._counters[key] = self._counters.get(key, 0) + 1
            return self._counters[key]

    # -- the log ----------------------------------------------------------------
    def _record(self, req: Request) -> None:
        with self._lock:
            self._log.append(req)

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._log)

    def hits(self, path: str | None = None, host: str | None = None) -> list[Request]:
        """Requests for ``path`` (all when None), optionally only those naming ``host``."""
        return [r for r in self.requests
                if (path is None or r.path == path) and (host is None or r.host == host)]

    def count(self, path: str) -> int:
        return len(self.hits(path))

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()
            self._counters.clear()


def _not_found(req: Request) -> Response:
    return Response(404, b"<h1>404 Not Found</h1>")


def _repeat(chunk: bytes, total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        piece = chunk[: total - sent]
        sent += len(piece)
        yield piece


def calendar_page(day: date, prefix: str = "/calendar/") -> bytes:
    nxt, prev = day + timedelta(days=1), day - timedelta(days=1)
    return (f"<html><head><meta charset=\"utf-8\"><title>日历 {day.isoformat()}</title></head><body>"
            f"<h1>{day.isoformat()}</h1>"
            f"<a href=\"{prefix}{prev.isoformat()}.htm\">前一天</a> "
            f"<a href=\"{prefix}{nxt.isoformat()}.htm\">后一天</a>"
            f"</body></html>").encode("utf-8")


def install_default_routes(server: HostileServer) -> None:
    """The misbehaviours listed in the module docstring."""
    s = server
    s.static("/page.htm", PAGE_HTML)
    s.static("/gbk.htm", GBK_HTML, content_type="text/html; charset=utf-8")  # a lie, as many servers tell
    s.redirect("/loop/a", "/loop/b")
    s.redirect("/loop/b", "/loop/a")
    s.redirect("/go-private", "/private/secret.htm")
    s.static("/private/secret.htm", "<html><body>秘密</body></html>")
    s.static("/doc.pdf", PDF_BYTES, content_type="application/pdf")
    s.static("/missing", "<h1>404 Not Found</h1>", status=404)

    @s.route("/chain/", prefix=True)
    def chain(req: Request) -> Response:
        try:
            n = int(req.path.rsplit("/", 1)[1])
        except ValueError:
            return _not_found(req)
        location = f"/chain/{n - 1}" if n > 0 else "/page.htm"
        return Response(302, b"", None, {"Location": location})

    @s.route("/offsite")
    def offsite(req: Request) -> Response:
        return Response(302, b"", None, {"Location": s.alt_url("/page.htm")})

    @s.route("/flaky")
    def flaky(req: Request) -> Response:
        if s.next_count("/flaky") == 1:
            return Response(500, b"<h1>500 Internal Server Error</h1>")
        return Response(200, PAGE_HTML)

    s.static("/always-500", "<h1>500 Internal Server Error</h1>", status=500)

    @s.route("/rate-limited")
    def rate_limited(req: Request) -> Response:
        if s.next_count("/rate-limited") == 1:
            return Response(429, b"slow down", "text/plain", {"Retry-After": "1"})
        return Response(200, PAGE_HTML)

    @s.route("/unavailable")
    def unavailable(req: Request) -> Response:
        if s.next_count("/unavailable") == 1:
            when = formatdate(time.time() + 2, usegmt=True)
            return Response(503, b"maintenance", "text/plain", {"Retry-After": when})
        return Response(200, PAGE_HTML)

    s.static("/retry-after-long", "slow down", status=429, content_type="text/plain",
             headers={"Retry-After": "3600"})

    @s.route("/slow")
    def slow(req: Request) -> Response:
        s.pause(3.0)
        return Response(200, PAGE_HTML)

    @s.route("/drip")
    def drip(req: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(50):
                yield b"."
                s.pause(0.1)
        return Response(200, body(), headers={"Content-Length": "50"})

    @s.route("/huge")
    def huge(req: Request) -> Response:
        return Response(200, _repeat(b"x" * 65536, HUGE_SIZE), "application/octet-stream",
                        {"Content-Length": str(HUGE_SIZE)})

    @s.route("/huge-chunked")
    def huge_chunked(req: Request) -> Response:
        return Response(200, _repeat(b"<p>x</p>" * 8192, HUGE_SIZE), chunked=True)

    @s.route("/huge-close")
    def huge_close(req: Request) -> Response:
        return Response(200, _repeat(b"<p>y</p>" * 8192, HUGE_SIZE))

    s.static("/gzip", gzip.compress(PAGE_HTML), headers={"Content-Encoding": "gzip"})

    @s.route("/gzip-bomb")
    def gzip_bomb(req: Request) -> Response:
        def body() -> Iterator[bytes]:  # compressed as it is sent, so a client that stops stops it
            z = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
            block = bytes(1024 * 1024)
            for _ in range(HUGE_SIZE // len(block)):
                yield z.compress(block)
            yield z.flush()
        return Response(200, body(), headers={"Content-Encoding": "gzip"}, chunked=True)

    @s.route("/cond")
    def cond(req: Request) -> Response:
        headers = {"ETag": COND_ETAG, "Last-Modified": COND_LAST_MODIFIED}
        inm = req.headers.get("If-None-Match")
        ims = req.headers.get("If-Modified-Since")
        if (inm is not None and COND_ETAG in [t.strip() for t in inm.split(",")]) or \
                (inm is None and ims == COND_LAST_MODIFIED):
            return Response(304, b"", None, headers)
        return Response(200, PAGE_HTML, headers=headers)

    @s.route("/calendar/", prefix=True)
    def calendar(req: Request) -> Response:
        name = req.path[len("/calendar/"):]
        if not name:
            return Response(302, b"", None, {"Location": "/calendar/2024-01-01.htm"})
        try:
            day = date.fromisoformat(name.removesuffix(".htm"))
        except ValueError:
            return _not_found(req)
        return Response(200, calendar_page(day))
