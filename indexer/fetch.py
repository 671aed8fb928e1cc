"""One polite HTTP client: robots.txt, per-host delay, retries, limits.

:class:`Fetcher` fetches one URL at a time (or several from threads) and returns
a :class:`FetchResult`; it never raises for a network or HTTP problem. It knows
nothing of HTML: the body is returned as bytes with the ``charset`` the
``Content-Type`` header named (or ``None``); ``indexer.charset.decode_html``
turns it into text.

Who does what:

* **requests** (over urllib3's connection pool) sends each request, with
  ``allow_redirects=False`` and ``stream=True``: one request per call, nothing
  hidden. Sessions are per thread.
* **urllib3** parses ``Retry-After`` (seconds or HTTP-date, via
  ``Retry.parse_retry_after``) and streams the body (``HTTPResponse.read1``,
  which returns as soon as any bytes arrive, so the wall-clock cap is checked
  often even against a server that drips one byte at a time).
* **protego** parses robots.txt (wildcards, ``$``, longest match, Crawl-delay).
* The retry and redirect loops are written here, not left to urllib3's
  ``Retry``, because every attempt and every redirect hop must pass through the
  per-host politeness slot, and each hop must be checked against robots.txt
  and ``allowed_hosts`` before it is requested.

Rules:

* **robots.txt** is fetched once per origin (scheme, host, port) and cached for
  the life of the Fetcher (one crawl run). Following Google's convention and
  RFC 9309: a 2xx robots.txt is obeyed; a 4xx one (404, 403 …, but not 429)
  or one behind a redirect loop means everything is allowed; a 429 or 5xx one,
  or a host that cannot be reached, means *nothing* on that origin is fetched
  during this run (error ``robots-unreachable``). At most 512 KiB of it is read.
  ``Crawl-delay`` for our user agent is honoured when it is larger than the
  configured delay (capped by ``max_crawl_delay``).
* **Politeness**: requests to one host reach it at least ``delay`` seconds
  apart (or Crawl-delay): each starts a delay after the previous one started
  and after its answer began to arrive (so a request slowed on its way cannot
  arrive just before the next); requests to one host are serialised; different
  hosts may be fetched at the same time from threads (:meth:`Fetcher.fetch_many`).
  Back-off waits and ``Retry-After`` waits push back the host's next slot, so
  they hold for every thread.
* **Retries**: timeouts, connection errors and 429/500/502/503/504 are retried
  up to ``retries`` times with exponential back-off and jitter; a
  ``Retry-After`` is honoured up to ``max_retry_after`` seconds, beyond which
  the fetch gives up at once (``retry-after-too-long``) and further requests to
  that host fail fast until the time asked for has passed.
* **Redirects** are followed by hand, at most ``max_redirects`` hops; a loop is
  ``redirect-loop``, a longer chain ``too-many-redirects``, a hop outside
  ``allowed_hosts`` ``offsite-redirect``; each hop is checked against robots.txt.
* **Limits**: connect and read timeouts (``timeout`` each) plus a wall-clock cap
  on reading one response (``max_time``, default ``4 * timeout``: ``too-slow``);
  at most ``max_bytes`` of body, counted as read (after content decoding), not
  trusted from Content-Length (``too-large``).
* Only ``http`` and ``https`` URLs are fetched (``invalid-url`` otherwise).

Error codes (``FetchResult.error``): ``invalid-url``, ``offsite-url``, ``robots``,
``robots-unreachable``, ``timeout``, ``connection``, ``dns``, ``tls``,
``too-large``, ``too-slow``, ``decoding``, ``too-many-redirects``,
``redirect-loop``, ``offsite-redirect``, ``invalid-redirect``,
``retry-after-too-long``, and ``http-NNN`` for any other non-2xx status.
"""
from __future__ import annotations

import http.client
import logging
import random
import threading
import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3.exceptions
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

if TYPE_CHECKING:
    from indexer.sites import SiteConfig

log = logging.getLogger(__name__)

__all__ = ["Fetcher", "FetchResult"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({429, 503})
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_MAX_REDIRECTS = 5
MAX_BACKOFF = 30.0
_CHUNK = 64 * 1024
_DRAIN_BYTES = 64 * 1024
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.5"

# urllib3's Retry-After parser (seconds or HTTP-date); the cap is applied here.
_RETRY_AFTER_PARSER = Retry(total=0, retry_after_max=10**9)


@dataclass
class FetchResult:
    """What came of fetching one URL. ``error`` is ``None`` or a short stable
    reason code (see the module docstring); ``error_detail`` a sentence."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int = 0  # 0: no HTTP response
    body: bytes = b""  # empty for errors, redirects and 304
    content_type: str | None = None  # media type only, lower case: "text/html"
    charset: str | None = None  # from the Content-Type header, lower case
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    error_detail: str | None = None
    elapsed: float = 0.0  # seconds, including politeness waits and retries
    attempts: int = 0  # HTTP requests sent for this URL (retries and hops; robots.txt not counted)
    redirects: tuple[str, ...] = ()  # the URLs that redirected, in order

    @property
    def ok(self) -> bool:
        return self.error is None and (self.not_modified or 200 <= self.status < 300)


@dataclass
class _Exchange:
    """One request and (maybe) its body."""

    status: int = 0
    reason: str = ""
    headers: Any = None  # requests' CaseInsensitiveDict
    body: bytes = b""
    error: str | None = None
    detail: str | None = None
    retryable: bool = False


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_start: float = float("-inf")
    crawl_delay: float = 0.0
    blocked_until: float = float("-inf")
    blocked_detail: str = ""


@dataclass
class _Robots:
    parser: Protego | None = None  # None: everything allowed
    unreachable: str | None = None  # why nothing is allowed


class Fetcher:
    """A polite HTTP client; see the module docstring for the rules it keeps.

    ``clock`` (monotonic seconds), ``sleep`` and ``rng`` may be replaced in tests.
    """

    def __init__(self, user_agent: str, *, delay: float = 1.0, timeout: float = 15.0,
                 retries: int = 3, max_bytes: int = 5_000_000, max_redirects: int = 5,
                 allowed_hosts: Collection[str] | None = None, respect_robots: bool = True,
                 backoff: float = 0.5, max_retry_after: float = 60.0,
                 max_time: float | None = None, max_crawl_delay: float = 60.0,
                 trust_env: bool = True,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None) -> None:
        if not user_agent or not user_agent.strip():
            raise ValueError("user_agent must name the crawler (and how to reach its operator)")
        for name, value in (("delay", delay), ("timeout", timeout), ("retries", retries),
                            ("max_bytes", max_bytes), ("max_redirects", max_redirects),
                            ("backoff", backoff), ("max_retry_after", max_retry_after),
                            ("max_crawl_delay", max_crawl_delay)):
            if value < 0:
                raise ValueError(f"{name} must not be negative (got {value})")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.user_agent = user_agent.strip()
        self.delay = float(delay)
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.max_bytes = int(max_bytes)
        self.max_redirects = int(max_redirects)
        self.allowed_hosts = (frozenset(h.lower() for h in allowed_hosts)
                              if allowed_hosts else None)
        self.respect_robots = respect_robots
        self.backoff = float(backoff)
        self.max_retry_after = float(max_retry_after)
        self.max_time = float(max_time) if max_time is not None else 4 * self.timeout
        self.max_crawl_delay = float(max_crawl_delay)
        self.trust_env = trust_env
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._local = threading.local()
        self._sessions: list[requests.Session] = []

    @classmethod
    def for_site(cls, site: "SiteConfig", **overrides: Any) -> "Fetcher":
        """A Fetcher with a site's politeness and limits; keywords override them.
        (``site.encoding`` is for the decoder, not the fetcher.)"""
        from indexer.sites import DEFAULT_USER_AGENT
        hosts = tuple(site.allowed_hosts) or ((urlsplit(site.base_url).hostname or "").lower(),)
        kwargs: dict[str, Any] = dict(
            delay=site.delay, timeout=site.timeout, retries=int(site.retries),
            max_bytes=int(site.max_bytes), allowed_hosts=hosts)
        kwargs.update(overrides)
        ua = site.user_agent or DEFAULT_USER_AGENT.format(contact=site.contact)
        return cls(kwargs.pop("user_agent", ua), **kwargs)

    # -- public ---------------------------------------------------------------
    def fetch(self, url: str, *, etag: str | None = None,
              last_modified: str | None = None) -> FetchResult:
        """GET ``url``, following redirects; conditional when ``etag`` or
        ``last_modified`` is given (sent on every hop; a 304 gives
        ``not_modified=True`` and ``ok``, with the validators kept)."""
        t0 = self._clock()
        result = FetchResult(url=url, final_url=url)
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            self._follow(result, headers, robots_fetch=False)
        finally:
            result.elapsed = self._clock() - t0
        if result.not_modified:
            result.etag = result.etag or etag
            result.last_modified = result.last_modified or last_modified
        if result.error:
            log.info("%s: %s (%s)", url, result.error, result.error_detail)
        return result

    def fetch_many(self, urls: Iterable[str], workers: int = 4) -> list[FetchResult]:
        """Fetch several URLs from ``workers`` threads; results in the order given.
        Different hosts proceed in parallel; each host still gets one request at a
        time, ``delay`` apart."""
        urls = list(urls)
        if not urls:
            return []
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(urls))),
                                thread_name_prefix="fetch") as pool:
            return list(pool.map(self.fetch, urls))

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for s in sessions:
            s.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- redirects ------------------------------------------------------------
    def _follow(self, result: FetchResult, headers: dict[str, str], *, robots_fetch: bool) -> None:
        current = result.url
        problem = _invalid_url(current)
        if problem:
            return _fail(result, "invalid-url", problem)
        host = _hostname(current)
        if not robots_fetch and self.allowed_hosts is not None and host not in self.allowed_hosts:
            return _fail(result, "offsite-url",
                         f"{host} is not one of the allowed hosts ({', '.join(sorted(self.allowed_hosts))})")
        max_hops = ROBOTS_MAX_REDIRECTS if robots_fetch else self.max_redirects
        limit = ROBOTS_MAX_BYTES if robots_fetch else self.max_bytes
        seen = {_defrag(current)}
        redirects: list[str] = []
        while True:
            result.final_url = current
            if not robots_fetch and self.respect_robots:
                verdict = self._robots_verdict(current)
                if verdict:
                    return _fail(result, *verdict)
            ex = self._request(current, headers, result, limit=limit, truncate=robots_fetch)
            result.status = ex.status
            if ex.status in REDIRECT_STATUSES and ex.error is None:
                location = (ex.headers.get("Location") or "").strip()
                if not location:
                    return _fail(result, "invalid-redirect",
                                 f"{current} answered {ex.status} without a Location header")
                target = _defrag(urljoin(current, location))
                problem = _invalid_url(target)
                if problem:
                    return _fail(result, "invalid-redirect", f"{current} redirected to {location!r}: {problem}")
                target_host = _hostname(target)
                if (not robots_fetch and self.allowed_hosts is not None
                        and target_host not in self.allowed_hosts):
                    return _fail(result, "offsite-redirect",
                                 f"{current} redirected to {target}, outside the allowed hosts")
                if target in seen:
                    return _fail(result, "redirect-loop", f"{current} redirected back to {target}")
                redirects.append(current)
                result.redirects = tuple(redirects)
                if len(redirects) > max_hops:
                    return _fail(result, "too-many-redirects",
                                 f"more than {max_hops} redirects, the last to {target}")
                seen.add(target)
                current = target
                continue
            self._finish(result, ex)
            return

    def _finish(self, result: FetchResult, ex: _Exchange) -> None:
        if ex.headers is not None:
            result.content_type, result.charset = _parse_content_type(ex.headers.get("Content-Type"))
            result.etag = ex.headers.get("ETag") or None
            result.last_modified = ex.headers.get("Last-Modified") or None
        if ex.error:
            return _fail(result, ex.error, ex.detail or ex.error)
        if ex.status == 304:
            result.not_modified = True
            result.content_type = result.charset = None
            return
        if 200 <= ex.status < 300:
            result.body = ex.body
            return
        _fail(result, f"http-{ex.status}", f"the server answered {ex.status} {ex.reason}".strip())

    # -- retries ---------------------------------------------------------------
    def _request(self, url: str, headers: dict[str, str], result: FetchResult, *,
                 limit: int, truncate: bool) -> _Exchange:
        """One hop: attempts with back-off until success, a final failure, or no retries left."""
        host = self._host(_hostname(url))
        attempt = 0
        while True:
            with host.lock:
                if self._clock() < host.blocked_until:
                    return _Exchange(error="retry-after-too-long", detail=host.blocked_detail)
            attempt += 1
            result.attempts += 1
            ex = self._attempt(url, headers, host, limit=limit, truncate=truncate)
            retry_after: float | None = None
            if ex.error is None and ex.status in RETRY_STATUSES:
                raw = ex.headers.get("Retry-After") if ex.headers is not None else None
                if raw is not None:
                    try:
                        retry_after = _RETRY_AFTER_PARSER.parse_retry_after(raw)
                    except Exception:  # an unreadable header: fall back to back-off
                        retry_after = None
                if retry_after is not None and retry_after > self.max_retry_after:
                    detail = (f"the server answered {ex.status} and asked to wait {retry_after:.0f} s "
                              f"(Retry-After: {raw}), more than the {self.max_retry_after:g} s allowed")
                    with host.lock:
                        host.blocked_until = max(host.blocked_until, self._clock() + retry_after)
                        host.blocked_detail = detail
                    ex.error, ex.detail = "retry-after-too-long", detail
                    return ex
                retryable = True
            else:
                retryable = ex.error is not None and ex.retryable
            if not retryable or attempt > self.retries:
                return ex
            wait = self._backoff_for(attempt)
            if retry_after is not None:
                wait = max(wait, retry_after)
            why = ex.error or f"http-{ex.status}"
            log.info("%s: %s, retry %d of %d in %.2f s", url, why, attempt, self.retries, wait)
            with host.lock:  # the wait holds for every request to this host
                host.next_start = max(host.next_start, self._clock() + wait)

    def _backoff_for(self, attempt: int) -> float:
        base = min(MAX_BACKOFF, self.backoff * (2 ** (attempt - 1)))
        with self._rng_lock:
            return base / 2 + self._rng.uniform(0, base / 2)

    # -- one attempt -------------------------------------------------------------
    def _attempt(self, url: str, headers: dict[str, str], host: _Host, *,
                 limit: int, truncate: bool) -> _Exchange:
        with host.lock:  # one request at a time per host, starts `delay` apart
            now = self._clock()
            if host.next_start > now:
                self._sleep(host.next_start - now)
                now = self._clock()
            start = max(now, host.next_start)
            gap = max(self.delay, host.crawl_delay)
            host.next_start = start + gap
            deadline = now + self.max_time
            try:
                resp = self._session().get(url, headers=headers, stream=True, allow_redirects=False,
                                           timeout=(self.timeout, self.timeout))
            except Exception as exc:  # noqa: BLE001 - sorted into codes below; unknown ones re-raised
                return _exchange_for_error(exc, url, self.timeout)
            finally:
                # the host has had this request by now (its answer has begun): the next
                # one reaches it at least a delay later, however slowly this one travelled
                host.next_start = max(host.next_start, self._clock() + gap)
            try:
                ex = _Exchange(status=resp.status_code, reason=resp.reason or "", headers=resp.headers)
                if not 200 <= resp.status_code < 300:
                    # Redirects and errors: the status is the answer and the body is not
                    # kept. A short declared body is read (briefly) so that the connection
                    # can be reused; a failure to read it changes nothing.
                    declared = resp.headers.get("Content-Length", "").strip()
                    if declared.isdigit() and int(declared) <= _DRAIN_BYTES:
                        self._read(resp, _DRAIN_BYTES, min(deadline, self._clock() + self.timeout),
                                   truncate=True)
                    return ex
                body, error, detail = self._read(resp, limit, deadline, truncate=truncate)
                ex.body = body
                if error:
                    ex.error, ex.detail = error, detail
                    ex.retryable = error in ("timeout", "connection")
                return ex
            finally:
                resp.close()

    def _read(self, resp: requests.Response, limit: int, deadline: float, *,
              truncate: bool) -> tuple[bytes, str | None, str | None]:
        """Stream the body: at most ``limit`` bytes, before ``deadline``.
        With ``truncate``, more than ``limit`` is cut off rather than an error."""
        declared = resp.headers.get("Content-Length", "")
        if not truncate and declared.strip().isdigit() and int(declared) > limit \
                and "Content-Encoding" not in resp.headers:
            return b"", "too-large", f"Content-Length is {int(declared)} bytes, more than the {limit} allowed"
        chunks: list[bytes] = []
        size = 0
        raw = resp.raw
        try:
            while True:
                if self._clock() > deadline:
                    return b"", "too-slow", (f"the response took more than {self.max_time:g} s "
                                             f"(read {size} bytes)")
                chunk = raw.read1(_CHUNK, decode_content=True)
                if not chunk:
                    raw.release_conn()  # read to the end: the connection may be reused
                    break
                size += len(chunk)
                if size > limit:
                    if truncate:
                        chunks.append(chunk[: len(chunk) - (size - limit)])
                        return b"".join(chunks), None, None
                    return b"", "too-large", f"the body is larger than the {limit} bytes allowed"
                chunks.append(chunk)
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
            return b"", "timeout", f"no data for {self.timeout:g} s while reading the body ({_short(exc)})"
        except urllib3.exceptions.DecodeError as exc:
            return b"", "decoding", f"the body could not be decompressed ({_short(exc)})"
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError,
                requests.RequestException) as exc:
            return b"", "connection", f"the connection broke while reading the body ({_short(exc)})"
        return b"".join(chunks), None, None

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = self.trust_env
            adapter = HTTPAdapter(max_retries=0, pool_connections=16, pool_maxsize=4)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers.update({"User-Agent": self.user_agent, "Accept": _ACCEPT,
                                    "Accept-Language": _ACCEPT_LANGUAGE})
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _host(self, hostname: str) -> _Host:
        with self._lock:
            host = self._hosts.get(hostname)
            if host is None:
                host = self._hosts[hostname] = _Host()
            return host

    # -- robots.txt ----------------------------------------------------------------
    def _robots_verdict(self, url: str) -> tuple[str, str] | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        robots = self._robots_for(origin)
        if robots.unreachable:
            return "robots-unreachable", robots.unreachable
        if robots.parser is not None and not robots.parser.can_fetch(url, self.user_agent):
            return "robots", f"{origin}/robots.txt disallows {parts.path or '/'} for this crawler"
        return None

    def _robots_for(self, origin: str) -> _Robots:
        with self._lock:
            cached = self._robots.get(origin)
            if cached is not None:
                return cached
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one thread fetches; the others wait for its answer
            with self._lock:
                cached = self._robots.get(origin)
            if cached is not None:
                return cached
            robots = self._load_robots(origin)
            with self._lock:
                self._robots[origin] = robots
            return robots

    def _load_robots(self, origin: str) -> _Robots:
        url = origin + "/robots.txt"
        res = FetchResult(url=url, final_url=url)
        self._follow(res, {}, robots_fetch=True)
        if res.error in ("redirect-loop", "too-many-redirects"):
            log.info("%s: %s, treated as absent (everything allowed)", url, res.error)
            return _Robots()
        if res.ok:
            text = res.body.decode("utf-8", "replace").lstrip("\ufeff")
            try:
                parser = Protego.parse(text)
            except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the crawl
                log.warning("%s: unparsable (%s), treated as absent", url, exc)
                return _Robots()
            delay = parser.crawl_delay(self.user_agent)
            if delay:
                host = self._host(_hostname(origin))
                with host.lock:
                    host.crawl_delay = min(float(delay), self.max_crawl_delay)
                    host.next_start = max(host.next_start, self._clock() + host.crawl_delay)
            return _Robots(parser=parser)
        if 400 <= res.status < 500 and res.status != 429:
            return _Robots()  # no robots.txt: everything allowed
        why = res.error_detail or res.error or f"status {res.status}"
        log.warning("%s unreachable (%s): nothing on %s is fetched this run", url, why, origin)
        return _Robots(unreachable=f"{url} could not be read ({why}), so nothing on {origin} "
                                   f"is fetched this run")


# -- helpers ----------------------------------------------------------------------
def _fail(result: FetchResult, code: str, detail: str) -> None:
    result.error = code
    result.error_detail = detail
    result.body = b""


def _hostname(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _defrag(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _invalid_url(url: object) -> str | None:
    """Why ``url`` cannot be fetched, or None."""
    if not isinstance(url, str) or not url:
        return "not a URL"
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return f"{url!r} contains white space or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"{url!r} is not an http or https URL"
    if not parts.hostname:
        return f"{url!r} names no host"
    if port == 0:
        return f"{url!r} names port 0"
    return None


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    mime, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip().lower() or None
    return mime.strip().lower() or None, charset


def _short(exc: BaseException, limit: int = 200) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _root(exc: BaseException) -> BaseException:
    """The innermost cause requests and urllib3 wrapped."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException) and exc.args and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]
        if not isinstance(inner, BaseException):
            break
        exc = inner
    return exc


def _exchange_for_error(exc: Exception, url: str, timeout: float) -> _Exchange:
    host = urlsplit(url).netloc
    root = _root(exc)
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidHeader,
                        urllib3.exceptions.LocationParseError, UnicodeError)):
        return _Exchange(error="invalid-url", detail=f"{url!r} cannot be requested ({_short(exc)})")
    if isinstance(exc, requests.exceptions.SSLError):
        return _Exchange(error="tls", detail=f"TLS with {host} failed ({_short(root)})")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return _Exchange(error="timeout", detail=f"connecting to {host} took more than {timeout:g} s",
                         retryable=True)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return _Exchange(error="timeout", detail=f"{host} sent no answer within {timeout:g} s",
                         retryable=True)
    if isinstance(root, urllib3.exceptions.NameResolutionError):
        return _Exchange(error="dns", detail=f"the name {urlsplit(url).hostname} could not be resolved",
                         retryable=True)
    if isinstance(exc, (requests.RequestException, urllib3.exceptions.HTTPError,
                        http.client.HTTPException, OSError)):
        return _Exchange(error="connection", detail=f"could not talk to {host} ({_short(root)})",
                         retryable=True)
    raise exc
