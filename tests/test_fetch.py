"""The polite HTTP client against a real, hostile HTTP server on 127.0.0.1.

Nothing here leaves loopback: every URL is the test server's (as 127.0.0.1 or
as localhost, which the fetcher treats as another host) or a closed local port.
Time bounds below are generous upper limits that show a limit worked (a 50 MB
body was not downloaded, a 3 s answer was not waited for); lower bounds on
gaps between requests are what politeness promises.
"""
from __future__ import annotations

import random
import socket

import pytest

from indexer.fetch import Fetcher, FetchResult
from indexer.sites import DEFAULT_USER_AGENT, SiteConfig
from tests.hostile_server import (COND_ETAG, COND_LAST_MODIFIED, GBK_HTML, HUGE_SIZE, PDF_BYTES,
                                  ROBOTS_TXT, HostileServer, Request, Response)
from tests.hostile_server import PAGE_HTML

UA = "CollegeNewsSearch-test/0.1 (+mailto:webmaster@example.edu.cn)"
SLACK = 0.05  # seconds: scheduling noise between the client's start and the server's receipt


@pytest.fixture
def server():
    with HostileServer() as s:
        yield s


@pytest.fixture
def make_fetcher():
    made: list[Fetcher] = []

    def make(**kw) -> Fetcher:
        opts = dict(delay=0.0, timeout=0.5, retries=1, backoff=0.01, max_bytes=1_000_000,
                    max_time=2.0)
        opts.update(kw)
        f = Fetcher(opts.pop("user_agent", UA), **opts)
        made.append(f)
        return f

    yield make
    for f in made:
        f.close()


def gaps(times: list[float]) -> list[float]:
    times = sorted(times)
    return [b - a for a, b in zip(times, times[1:])]


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- ordinary pages ----------------------------------------------------------------

def test_normal_page(server, make_fetcher):
    f = make_fetcher()
    res = f.fetch(server.url("/page.htm"))
    assert res.ok and res.error is None and res.error_detail is None
    assert res.status == 200
    assert res.body == PAGE_HTML
    assert res.content_type == "text/html" and res.charset == "utf-8"
    assert res.final_url == res.url == server.url("/page.htm")
    assert res.attempts == 1 and res.redirects == ()
    assert res.elapsed > 0
    hit = server.hits("/page.htm")[0]
    assert hit.headers["User-Agent"] == UA
    assert "zh-CN" in hit.headers["Accept-Language"]
    assert "If-None-Match" not in hit.headers and "If-Modified-Since" not in hit.headers


def test_gbk_page_is_returned_as_bytes_with_the_header_charset(server, make_fetcher):
    res = make_fetcher().fetch(server.url("/gbk.htm"))
    assert res.ok
    assert res.body == GBK_HTML  # not decoded, not re-encoded
    assert res.charset == "utf-8"  # what the (lying) header said; the decoder judges


def test_binary_content_is_returned_with_its_type(server, make_fetcher):
    res = make_fetcher().fetch(server.url("/doc.pdf"))
    assert res.ok
    assert res.content_type == "application/pdf" and res.charset is None
    assert res.body == PDF_BYTES


def test_missing_content_type(server, make_fetcher):
    server.static("/bare", b"plain bytes", content_type=None)
    res = make_fetcher().fetch(server.url("/bare"))
    assert res.ok and res.body == b"plain bytes"
    assert res.content_type is None and res.charset is None


def test_chinese_path_is_percent_encoded(server, make_fetcher):
    server.static("/新闻/今日宜职.htm", "<p>今日宜职</p>")
    res = make_fetcher().fetch(server.url("/新闻/今日宜职.htm"))
    assert res.ok and "今日宜职".encode() in res.body
    assert "%E6%96%B0%E9%97%BB" in server.hits("/新闻/今日宜职.htm")[0].target


def test_404_is_not_retried(server, make_fetcher):
    res = make_fetcher(retries=3).fetch(server.url("/missing"))
    assert not res.ok
    assert res.status == 404 and res.error == "http-404" and "404" in res.error_detail
    assert res.attempts == 1 and server.count("/missing") == 1
    assert res.body == b""


def test_unknown_path_is_404(server, make_fetcher):
    assert make_fetcher().fetch(server.url("/no/such/page.htm")).error == "http-404"


@pytest.mark.parametrize("url", [
    "ftp://127.0.0.1/file.txt", "javascript:alert(1)", "mailto:a@example.edu.cn", "file:///etc/passwd",
    "http://", "http:///path-only", "http://[::1", "http://127.0.0.1:99999/", "not a url",
    "/relative/path.htm", "", "http://127.0.0.1/a b",
])
def test_invalid_urls(url, make_fetcher):
    res = make_fetcher().fetch(url)
    assert not res.ok
    assert res.error == "invalid-url" and res.error_detail
    assert res.status == 0 and res.attempts == 0 and res.url == url


# -- redirects -------------------------------------------------------------------

def test_redirect_chain_within_the_cap_is_followed(server, make_fetcher):
    res = make_fetcher(max_redirects=5).fetch(server.url("/chain/3"))
    assert res.ok and res.body == PAGE_HTML
    assert res.final_url == server.url("/page.htm")
    assert res.redirects == tuple(server.url(f"/chain/{n}") for n in (3, 2, 1, 0))
    assert res.attempts == 5


def test_redirect_chain_longer_than_the_cap(server, make_fetcher):
    res = make_fetcher(max_redirects=5).fetch(server.url("/chain/10"))
    assert not res.ok and res.error == "too-many-redirects" and res.error_detail
    assert res.body == b""
    requested = {r.path for r in server.requests}
    assert "/chain/5" in requested and "/chain/4" not in requested  # stopped at the cap
    assert "/page.htm" not in requested


def test_redirect_loop_is_detected(server, make_fetcher):
    res = make_fetcher(max_redirects=20).fetch(server.url("/loop/a"))
    assert res.error == "redirect-loop" and "loop/a" in res.error_detail
    assert server.count("/loop/a") == 1 and server.count("/loop/b") == 1


def test_redirect_to_another_host_is_refused(server, make_fetcher):
    res = make_fetcher(allowed_hosts=["127.0.0.1"]).fetch(server.url("/offsite"))
    assert res.error == "offsite-redirect" and "localhost" in res.error_detail
    assert server.hits(host="localhost") == []


def test_redirect_to_another_host_is_followed_without_a_host_list(server, make_fetcher):
    res = make_fetcher().fetch(server.url("/offsite"))
    assert res.ok and res.final_url == server.alt_url("/page.htm")
    assert len(server.hits("/page.htm", host="localhost")) == 1


def test_url_outside_the_allowed_hosts_is_refused(server, make_fetcher):
    res = make_fetcher(allowed_hosts=["127.0.0.1"]).fetch(server.alt_url("/page.htm"))
    assert res.error == "offsite-url" and res.attempts == 0
    assert server.requests == []


def test_redirect_without_location(server, make_fetcher):
    server.route("/bad-redirect", lambda req: Response(302, b"", None))
    res = make_fetcher().fetch(server.url("/bad-redirect"))
    assert res.error == "invalid-redirect" and res.status == 302


def test_redirect_to_another_scheme(server, make_fetcher):
    server.redirect("/to-ftp", "ftp://127.0.0.1/x")
    res = make_fetcher().fetch(server.url("/to-ftp"))
    assert res.error == "invalid-redirect" and "ftp://" in res.error_detail


# -- retries -----------------------------------------------------------------------

def test_500_then_success_is_retried(server, make_fetcher):
    res = make_fetcher(retries=2).fetch(server.url("/flaky"))
    assert res.ok and res.body == PAGE_HTML
    assert res.attempts == 2 and server.count("/flaky") == 2


def test_always_500_gives_up_after_the_retries(server, make_fetcher):
    res = make_fetcher(retries=2).fetch(server.url("/always-500"))
    assert not res.ok
    assert res.status == 500 and res.error == "http-500" and res.error_detail
    assert res.attempts == 3 and server.count("/always-500") == 3


def test_backoff_is_exponential_with_jitter(server, make_fetcher):
    sleeps: list[float] = []
    f = make_fetcher(retries=3, backoff=0.2, sleep=sleeps.append, rng=random.Random(7))
    res = f.fetch(server.url("/always-500"))
    assert res.attempts == 4
    assert len(sleeps) == 3
    for n, s in enumerate(sleeps):
        base = 0.2 * 2 ** n
        assert base / 2 - 0.05 <= s <= base + 0.01  # "equal jitter": between half and all of it


def test_429_with_retry_after_seconds_is_honoured(server, make_fetcher):
    res = make_fetcher(retries=2, max_retry_after=5).fetch(server.url("/rate-limited"))
    assert res.ok and res.attempts == 2
    (gap,) = gaps([r.time for r in server.hits("/rate-limited")])
    assert gap >= 1.0 - SLACK


def test_503_with_retry_after_as_http_date_is_honoured(server, make_fetcher):
    sleeps: list[float] = []
    res = make_fetcher(retries=2, max_retry_after=5, sleep=sleeps.append).fetch(server.url("/unavailable"))
    assert res.ok and res.attempts == 2
    # the date is whole seconds, 2 s ahead when it was written: between 1 and 2 s away
    assert len(sleeps) == 1 and 0.9 <= sleeps[0] <= 2.05


def test_retry_after_beyond_the_cap_gives_up_and_spares_the_host(server, make_fetcher):
    f = make_fetcher(retries=3, max_retry_after=5)
    res = f.fetch(server.url("/retry-after-long"))
    assert res.error == "retry-after-too-long" and "3600" in res.error_detail
    assert res.status == 429 and res.attempts == 1
    # the host asked for an hour's rest: no more requests to it in this run
    again = f.fetch(server.url("/page.htm"))
    assert again.error == "retry-after-too-long" and again.attempts == 0
    assert server.count("/page.htm") == 0
    # another host is not affected
    assert f.fetch(server.alt_url("/page.htm")).ok


def test_timeout_is_retried_then_reported(server, make_fetcher):
    res = make_fetcher(timeout=0.5, retries=1).fetch(server.url("/slow"))
    assert res.error == "timeout" and "0.5" in res.error_detail
    assert res.status == 0 and res.attempts == 2
    assert res.elapsed < 2.5  # the 3 s answers were not waited for


def test_slow_drip_hits_the_wall_clock_cap(server, make_fetcher):
    res = make_fetcher(timeout=0.5, max_time=1.0).fetch(server.url("/drip"))
    assert res.error == "too-slow" and res.status == 200 and res.body == b""
    assert res.elapsed < 3.0  # the drip lasts 5 s


def test_connection_refused(make_fetcher):
    url = f"http://127.0.0.1:{closed_port()}/page.htm"
    res = make_fetcher(retries=2, respect_robots=False).fetch(url)
    assert res.error == "connection" and res.error_detail
    assert res.status == 0 and res.attempts == 3


# -- size --------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/huge", "/huge-chunked", "/huge-close"])
def test_50_mb_body_is_cut_short(server, make_fetcher, path):
    res = make_fetcher(max_bytes=1_000_000, max_time=20).fetch(server.url(path))
    assert res.error == "too-large" and res.error_detail and res.body == b""
    assert res.elapsed < 10
    hit = server.hits(path)[0]
    assert hit.done.wait(10), "the server kept sending"
    assert hit.aborted and hit.bytes_sent < HUGE_SIZE // 4


@pytest.mark.parametrize("chunked", [False, True])
def test_size_cap_is_exact(server, make_fetcher, chunked):
    def body(n):
        return lambda req: Response(200, iter([b"a" * n]), "text/plain",
                                    {} if chunked else {"Content-Length": str(n)}, chunked=chunked)
    server.route("/exact", body(1000))
    server.route("/over", body(1001))
    f = make_fetcher(max_bytes=1000)
    assert f.fetch(server.url("/exact")).body == b"a" * 1000
    assert f.fetch(server.url("/over")).error == "too-large"


def test_content_length_is_not_trusted_alone(server, make_fetcher):
    # a server that declares nothing and sends too much is stopped by counting
    server.route("/no-length", lambda req: Response(200, iter([b"b" * 4096] * 100), "text/plain"))
    res = make_fetcher(max_bytes=10_000).fetch(server.url("/no-length"))
    assert res.error == "too-large"


def test_gzip_body_is_decoded(server, make_fetcher):
    res = make_fetcher().fetch(server.url("/gzip"))
    assert res.ok and res.body == PAGE_HTML
    assert "gzip" in server.hits("/gzip")[0].headers["Accept-Encoding"]


def test_gzip_bomb_is_cut_short(server, make_fetcher):
    # the cap counts bytes after decompression: 50 KB on the wire must not become 50 MB in memory
    res = make_fetcher(max_bytes=1_000_000).fetch(server.url("/gzip-bomb"))
    assert res.error == "too-large" and res.body == b""
    assert res.elapsed < 10


# -- conditional GET ----------------------------------------------------------------

def test_conditional_get(server, make_fetcher):
    f = make_fetcher()
    first = f.fetch(server.url("/cond"))
    assert first.ok and not first.not_modified
    assert first.etag == COND_ETAG and first.last_modified == COND_LAST_MODIFIED

    by_etag = f.fetch(server.url("/cond"), etag=first.etag, last_modified=first.last_modified)
    assert by_etag.ok and by_etag.not_modified and by_etag.status == 304
    assert by_etag.body == b"" and by_etag.error is None
    assert by_etag.etag == COND_ETAG
    hit = server.hits("/cond")[-1]
    assert hit.headers["If-None-Match"] == COND_ETAG
    assert hit.headers["If-Modified-Since"] == COND_LAST_MODIFIED

    by_date = f.fetch(server.url("/cond"), last_modified=COND_LAST_MODIFIED)
    assert by_date.not_modified and by_date.ok

    stale = f.fetch(server.url("/cond"), etag='"old"')
    assert stale.ok and not stale.not_modified and stale.body == PAGE_HTML


def test_304_without_validators_keeps_the_ones_sent(server, make_fetcher):
    server.route("/bare-304", lambda req: Response(304, b"", None))
    res = make_fetcher().fetch(server.url("/bare-304"), etag='"e1"', last_modified=COND_LAST_MODIFIED)
    assert res.not_modified and res.ok
    assert res.etag == '"e1"' and res.last_modified == COND_LAST_MODIFIED


# -- robots.txt ----------------------------------------------------------------------

def test_robots_disallow_and_crawl_delay(server, make_fetcher):
    server.set_robots(ROBOTS_TXT)  # Disallow: /private/, Crawl-delay: 0.3
    f = make_fetcher(delay=0.0)
    res = f.fetch(server.url("/private/secret.htm"))
    assert res.error == "robots" and "/private/secret.htm" in res.error_detail
    assert res.attempts == 0 and server.count("/private/secret.htm") == 0
    for _ in range(3):
        assert f.fetch(server.url("/page.htm")).ok
    assert server.count("/robots.txt") == 1  # fetched once, cached
    times = [r.time for r in server.requests]
    assert len(times) == 4
    assert all(g >= 0.3 - SLACK for g in gaps(times)), gaps(times)


def test_crawl_delay_smaller_than_the_delay_is_ignored(server, make_fetcher):
    server.set_robots("User-agent: *\nCrawl-delay: 0.05\n")
    f = make_fetcher(delay=0.25)
    for _ in range(2):
        f.fetch(server.url("/page.htm"))
    assert all(g >= 0.25 - SLACK for g in gaps([r.time for r in server.requests]))


def test_robots_rules_for_our_agent(server, make_fetcher):
    server.set_robots("User-agent: CollegeNewsSearch-test\nDisallow: /page.htm\n\n"
                      "User-agent: *\nDisallow: /\n")
    f = make_fetcher()
    assert f.fetch(server.url("/page.htm")).error == "robots"
    assert f.fetch(server.url("/doc.pdf")).ok  # our group allows it, though * does not


def test_robots_checked_on_every_redirect_hop(server, make_fetcher):
    server.set_robots(ROBOTS_TXT)
    res = make_fetcher().fetch(server.url("/go-private"))
    assert res.error == "robots"
    assert res.final_url == server.url("/private/secret.htm")
    assert server.count("/go-private") == 1 and server.count("/private/secret.htm") == 0


def test_robots_404_allows_everything(server, make_fetcher):
    res = make_fetcher().fetch(server.url("/private/secret.htm"))
    assert res.ok
    assert server.hits("/robots.txt")[0].headers["User-Agent"] == UA


@pytest.mark.parametrize("status", [500, 503, 429])
def test_robots_5xx_disallows_everything_for_the_run(server, make_fetcher, status):
    server.set_robots("User-agent: *\nAllow: /\n", status=status)
    f = make_fetcher(retries=1)
    res = f.fetch(server.url("/page.htm"))
    assert res.error == "robots-unreachable" and "robots.txt" in res.error_detail
    robots_requests = server.count("/robots.txt")
    assert f.fetch(server.url("/doc.pdf")).error == "robots-unreachable"
    assert server.count("/robots.txt") == robots_requests  # remembered, not asked again
    assert server.count("/page.htm") == 0 and server.count("/doc.pdf") == 0


def test_robots_unreachable_host(make_fetcher):
    url = f"http://127.0.0.1:{closed_port()}/page.htm"
    res = make_fetcher(retries=0).fetch(url)
    assert res.error == "robots-unreachable"
    assert "robots.txt could not be read" in res.error_detail and "could not talk to" in res.error_detail
    assert res.attempts == 0  # the page itself was never asked for


def test_robots_behind_a_redirect(server, make_fetcher):
    server.redirect("/robots.txt", "/real-robots.txt")
    server.static("/real-robots.txt", "User-agent: *\nDisallow: /doc.pdf\n", content_type="text/plain")
    f = make_fetcher()
    assert f.fetch(server.url("/doc.pdf")).error == "robots"
    assert f.fetch(server.url("/page.htm")).ok


def test_robots_can_be_ignored(server, make_fetcher):
    server.set_robots(ROBOTS_TXT)
    res = make_fetcher(respect_robots=False).fetch(server.url("/private/secret.htm"))
    assert res.ok and server.count("/robots.txt") == 0


# -- politeness ------------------------------------------------------------------------

def test_delay_between_requests_to_one_host(server, make_fetcher):
    f = make_fetcher(delay=0.25)
    for i in range(3):
        assert f.fetch(server.url(f"/page.htm?i={i}")).ok
    times = [r.time for r in server.requests]  # robots.txt (404) and three pages
    assert len(times) == 4
    assert all(g >= 0.25 - SLACK for g in gaps(times)), gaps(times)


def test_delay_applies_to_retries_and_redirect_hops(server, make_fetcher):
    f = make_fetcher(delay=0.2, backoff=0.0, respect_robots=False)
    assert f.fetch(server.url("/flaky")).ok
    assert f.fetch(server.url("/chain/1")).ok
    times = [r.time for r in server.requests]
    assert len(times) == 5
    assert all(g >= 0.2 - SLACK for g in gaps(times)), gaps(times)


def test_threads_share_out_hosts_but_serialise_each_host(server, make_fetcher):
    f = make_fetcher(delay=0.3)
    urls = [server.url(f"/page.htm?n={i}") for i in range(3)] + \
           [server.alt_url(f"/page.htm?n={i}") for i in range(3)]
    results = f.fetch_many(urls, workers=4)
    assert [r.url for r in results] == urls and all(r.ok for r in results)
    by_host = {h: [r.time for r in server.hits(host=h)] for h in ("127.0.0.1", "localhost")}
    for host, times in by_host.items():
        assert len(server.hits("/robots.txt", host=host)) == 1  # asked once, though threads raced
        assert len(times) == 4
        assert all(g >= 0.3 - SLACK for g in gaps(times)), (host, gaps(times))
    # the two hosts were fetched side by side, not one after the other: their spans overlap
    assert min(by_host["localhost"]) < max(by_host["127.0.0.1"])
    assert min(by_host["127.0.0.1"]) < max(by_host["localhost"])


def test_connections_are_reused(server, make_fetcher):
    f = make_fetcher()
    for path in ("/chain/2", "/missing", "/page.htm", "/cond"):
        f.fetch(server.url(path))
    assert len({r.client_port for r in server.requests}) == 1  # one keep-alive connection


def test_fetch_many_of_nothing(make_fetcher):
    assert make_fetcher().fetch_many([]) == []


# -- every failure says why ---------------------------------------------------------------

@pytest.mark.parametrize("path, options, code", [
    ("/missing", {}, "http-404"),
    ("/always-500", {}, "http-500"),
    ("/loop/a", {}, "redirect-loop"),
    ("/chain/10", {"max_redirects": 3}, "too-many-redirects"),
    ("/offsite", {"allowed_hosts": ["127.0.0.1"]}, "offsite-redirect"),
    ("/retry-after-long", {}, "retry-after-too-long"),
    ("/slow", {"retries": 0}, "timeout"),
    ("/drip", {"max_time": 0.6}, "too-slow"),
    ("/huge-chunked", {}, "too-large"),
])
def test_every_failure_carries_its_reason(server, make_fetcher, path, options, code):
    res = make_fetcher(**options).fetch(server.url(path))
    assert isinstance(res, FetchResult)
    assert not res.ok
    assert res.error == code
    assert isinstance(res.error_detail, str) and len(res.error_detail) > 10
    assert res.body == b""


def test_robots_failure_carries_its_reason(server, make_fetcher):
    server.set_robots(ROBOTS_TXT)
    res = make_fetcher().fetch(server.url("/private/secret.htm"))
    assert not res.ok and res.error == "robots" and res.error_detail


# -- construction ------------------------------------------------------------------------

def test_for_site_takes_the_site_politeness():
    site = SiteConfig(id="demo", name="演示学院", base_url="http://127.0.0.1:8001/", lists=("a.htm",),
                      allowed_hosts=("127.0.0.1",), delay=0.5, timeout=7.0, retries=2,
                      max_bytes=123_456, contact="web@example.edu.cn")
    f = Fetcher.for_site(site)
    assert f.user_agent == DEFAULT_USER_AGENT.format(contact="web@example.edu.cn")
    assert (f.delay, f.timeout, f.retries, f.max_bytes) == (0.5, 7.0, 2, 123_456)
    assert f.allowed_hosts == {"127.0.0.1"}
    g = Fetcher.for_site(site, delay=0, respect_robots=False)
    assert g.delay == 0 and not g.respect_robots
    bare = Fetcher.for_site(SiteConfig(id="x", name="x", base_url="http://Example.EDU.cn/", lists=("a",),
                                       user_agent="Bot/1"))
    assert bare.allowed_hosts == {"example.edu.cn"} and bare.user_agent == "Bot/1"


@pytest.mark.parametrize("bad", [{"user_agent": ""}, {"delay": -1}, {"timeout": 0}, {"retries": -1}])
def test_bad_settings_are_refused(bad):
    opts = {"user_agent": UA, **bad}
    with pytest.raises(ValueError):
        Fetcher(opts.pop("user_agent"), **opts)


# -- the server is reusable -------------------------------------------------------------

def test_endless_calendar_is_served(server, make_fetcher):
    f = make_fetcher(respect_robots=False)
    url = server.url("/calendar/")
    seen = []
    for _ in range(4):
        res = f.fetch(url)
        assert res.ok
        seen.append(res.final_url)
        nxt = res.body.decode().split('href="')[2].split('"')[0]  # the "next day" link
        url = server.url(nxt)
    assert seen[-1].endswith("/calendar/2024-01-04.htm")
    assert len(set(seen)) == 4


def test_routes_can_be_added(server, make_fetcher):
    @server.route("/echo-ua")
    def echo(req: Request) -> Response:
        return Response(body=req.headers.get("User-Agent", "").encode(), content_type="text/plain")

    server.route("/files/", lambda req: Response(body=req.path.encode()), prefix=True)
    f = make_fetcher()
    assert f.fetch(server.url("/echo-ua")).body == UA.encode()
    assert f.fetch(server.url("/files/a/b.htm")).body == b"/files/a/b.htm"
