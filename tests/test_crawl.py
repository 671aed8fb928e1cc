"""The crawler against small VSB-like sites served by the hostile test server.

Every site here is built in the test: list pages with VSB's down-counting
pagination (``xwzx.htm``, ``xwzx/2.htm`` … ``xwzx/1.htm`` last), article pages,
and articles that misbehave. Nothing reaches beyond 127.0.0.1.
"""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, timedelta

import pytest

from indexer.crawl import Crawler
from indexer.sites import SiteConfig
from indexer.store import Store
from tests.hostile_server import HUGE_SIZE, PDF_BYTES, HostileServer, Response, _repeat

TODAY = date.today()
RECENT = (TODAY - timedelta(days=1)).isoformat()
OLD = "2023-03-01"


def article_html(title: str, when: str, body: str, unit: str = "教务处", extra: str = "") -> str:
    return (f'<html><head><meta charset="utf-8"><title>{title}-测试职业技术学院</title></head><body>'
            f'<div class="dqwz">当前位置: <a href="../../index.htm">首页</a> &gt; '
            f'<a href="../../xwzx.htm">新闻中心</a> &gt; 正文</div>'
            f'<form name="_newscontent_fromname"><h1 class="titlestyle1045">{title}</h1>'
            f'<div class="info">发布时间：{when}　来源：{unit}</div>'
            f'<div id="vsb_content"><p>{body}</p>{extra}</div></form></body></html>')


def list_html(column: str, links: list[tuple[str, str]], pages: list[str], next_href: str | None,
              current: int = 1, total: int | None = None) -> str:
    items = "".join(f'<li><a href="{href}" title="{title}">{title[:8]}...</a><span>2024-05-01</span></li>'
                    for href, title in links)
    nums = "".join(f'<span class="p_no"><a href="{p}">{i}</a></span>' for i, p in enumerate(pages, 1))
    nxt = (f'<span class="p_next"><a href="{next_href}">下页</a></span>'
           f'<span class="p_last"><a href="{pages[-1]}">尾页</a></span>') if next_href else \
        '<span class="p_next_d">下页</span><span class="p_last_d">尾页</span>'
    count = f"共{total}条 {current}/{len(pages)}" if total is not None else ""
    return (f'<html><head><meta charset="utf-8"><title>{column}-测试职业技术学院</title></head><body>'
            f'<div class="dqwz">当前位置: <a href="index.htm">首页</a> &gt; {column}</div>'
            f'<div class="list"><ul>{items}</ul></div>'
            f'<div class="pb_sys_common"><span class="p_pages"><span class="p_no_d">{current}</span>{nums}'
            f'{nxt}</span> {count}</div></body></html>')


def make_site(server: HostileServer, lists: list[str], **limits) -> SiteConfig:
    site = SiteConfig(id="test", name="测试职业技术学院", base_url=server.url("/"), lists=tuple(lists),
                      article_pattern=r"/info/\d+/\d+\.htm$|[?&]wbnewsid=\d+",
                      allowed_hosts=("127.0.0.1",), delay=0.0, timeout=1.0, retries=1)
    return replace(site, **limits)


def good(server: HostileServer, n: int, when: str = OLD, title: str | None = None, body: str | None = None,
         unit: str = "教务处") -> str:
    path = f"/info/1001/{n}.htm"
    server.static(path, article_html(title or f"测试新闻第{n}号", when,
                                     body or f"这是第{n}号新闻的正文，学院举办产教融合活动。", unit))
    return path


def rows(store: Store, sql: str, *args) -> list:
    return store.db.execute(sql, args).fetchall()


# ---------------------------------------------------------------------------
# the hostile site
# ---------------------------------------------------------------------------

@pytest.fixture()
def hostile():
    with HostileServer(defaults=False) as s:
        s.set_robots("User-agent: *\nDisallow: /mmlm\n")
        for n in (101, 102, 103, 104):
            good(s, n)
        s.redirect("/info/1001/201.htm", "/info/1001/201b.htm")
        s.redirect("/info/1001/201b.htm", "/info/1001/201.htm")

        @s.route("/info/1001/202.htm")
        def flaky(req):
            if s.next_count("flaky") == 1:
                return Response(500, b"<h1>500</h1>")
            return Response(200, article_html("失败一次后成功", OLD, "服务器第二次回答了。").encode())

        @s.route("/info/1001/203.htm")
        def limited(req):
            if s.next_count("limited") == 1:
                return Response(429, b"slow down", "text/plain", {"Retry-After": "1"})
            return Response(200, article_html("限流之后", OLD, "等待一秒后回答。").encode())

        @s.route("/info/1001/204.htm")
        def slow(req):
            s.pause(3.0)
            return Response(200, article_html("太慢了", OLD, "不会被读到。").encode())

        @s.route("/info/1001/205.htm")
        def huge(req):
            return Response(200, _repeat(b"<p>x</p>" * 8192, HUGE_SIZE), "text/html",
                            {"Content-Length": str(HUGE_SIZE)})

        s.static("/info/1001/206.htm", PDF_BYTES, content_type="application/pdf")
        s.static("/info/1001/207.htm", article_html("华中数控走进校园", OLD, "宜宾职业技术学院今日宜职报道。")
                 .replace('charset="utf-8"', 'charset="gbk"').encode("gbk"),
                 content_type="text/html; charset=utf-8")  # the header lies
        s.static("/info/1001/208.htm",
                 '<html><head><meta charset="utf-8"><title>转载文章-测试职业技术学院</title>'
                 '<script type="text/javascript">function newsSkip(data){if(data != ""){window.location.href'
                 ' = data;}}newsSkip("https://mp.weixin.qq.com/s/abc");</script></head><body>'
                 '<form name="_newscontent_fromname"><h1 class="titlestyle1045">转载文章</h1>'
                 '<div id="vsb_content"></div></form></body></html>')
        s.static("/info/1001/209.htm", "<h1>Not Found</h1>", status=404)
        p1 = ["xwzx.htm", "xwzx/2.htm", "xwzx/1.htm"]
        s.static("/xwzx.htm", list_html("新闻中心", [
            ("info/1001/101.htm", "测试新闻第101号"), ("info/1001/201.htm", "重定向循环"),
            ("info/1001/202.htm", "失败一次后成功"), ("info/1001/203.htm", "限流之后"),
            ("info/1001/102.htm", "测试新闻第102号")], p1, "xwzx/2.htm", 1, 12))
        s.static("/xwzx/2.htm", list_html("新闻中心", [
            ("../info/1001/204.htm", "太慢了"), ("../info/1001/205.htm", "很大"),
            ("../info/1001/206.htm", "一个PDF"), ("../info/1001/207.htm", "华中数控走进校园"),
            ("../info/1001/208.htm", "转载文章")], ["../xwzx.htm", "2.htm", "1.htm"], "1.htm", 2, 12))
        s.static("/xwzx/1.htm", list_html("新闻中心", [
            ("../info/1001/103.htm", "测试新闻第103号"), ("../info/1001/104.htm", "测试新闻第104号"),
            ("../info/1001/209.htm", "已删除")], ["../xwzx.htm", "2.htm", "1.htm"], None, 3, 12))
        s.static("/mmlm.htm", list_html("秘密栏目", [("info/1001/101.htm", "x")], ["mmlm.htm"], "mmlm/2.htm"))

        @s.route("/rl/", prefix=True)
        def calendar(req):  # an endless calendar: every day links to the next
            day = date.fromisoformat(req.path[len("/rl/"):].removesuffix(".htm"))
            nxt = (day + timedelta(days=1)).isoformat()
            return Response(200, list_html("日历", [], [f"{nxt}.htm"], f"{nxt}.htm").encode())
        s.redirect("/rl.htm", "/rl/2024-01-01.htm")
        yield s


def test_a_hostile_site_is_crawled_in_bounded_time_politely_and_cleanly(hostile, tmp_path):
    site = make_site(hostile, ["xwzx.htm", "mmlm.htm", "rl.htm"], delay=0.2, max_depth=4)
    with Store(tmp_path / "crawl.db") as store:
        t0 = time.monotonic()
        report = Crawler(site, store).run()
        took = time.monotonic() - t0
        assert took < 60  # bounded: the slow, huge and endless parts all end

        # the delay between request starts to the one host is kept
        starts = sorted(r.time for r in hostile.requests)
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        assert min(gaps) >= 0.2 - 0.05, gaps          # scheduling noise, as in test_fetch.py
        assert starts[-1] - starts[0] >= 0.2 * len(gaps) * 0.98

        # every failure is stored with its reason
        failures = {r["url"].rsplit("/", 1)[-1]: r["reason"] for r in rows(
            store, "SELECT url, reason FROM failures WHERE run_id=?", report.run_id)}
        assert failures["201.htm"] == "redirect-loop"
        assert failures["204.htm"] in ("timeout", "too-slow")
        assert failures["205.htm"] == "too-large"
        assert failures["206.htm"] == "not-html"
        assert "202.htm" not in failures and "203.htm" not in failures   # retried, then read
        first, second = [r.time for r in hostile.hits("/info/1001/203.htm")]
        assert second - first >= 1.0 - 0.05                               # Retry-After: 1 kept
        assert failures["209.htm"] == "http-404"   # linked, never stored, gone: a failure, not silence
        assert report.counts.failed == 5 and report.status == "partial"
        assert report.counts.empty_lists == 1 and failures["rl.htm"] == "empty-list"   # a warning
        # the column robots.txt disallows: recorded once, not a failure, not requested
        assert failures["mmlm.htm"] == "robots"
        assert hostile.count("/mmlm.htm") == 0 and hostile.count("/mmlm/2.htm") == 0
        # the endless calendar is stopped by max_depth
        assert 1 <= len([r for r in hostile.requests if r.path.startswith("/rl/")]) <= 4

        # what was read
        arts = {a.url.rsplit("/", 1)[-1]: a for a in store.articles()}
        assert set(arts) == {"101.htm", "102.htm", "103.htm", "104.htm", "202.htm", "203.htm", "207.htm"}
        assert arts["207.htm"].title == "华中数控走进校园"   # decoded as GBK despite the header
        assert arts["101.htm"].department == "教务处" and arts["101.htm"].column == "新闻中心"
        assert report.counts.new == 7
        # the newsSkip page is a link, not an article
        page = store.get_page(site.base_url + "info/1001/208.htm")
        assert page is not None and page.kind == "redirect"
        assert page.redirect_to == "https://mp.weixin.qq.com/s/abc"
        # a 404 on a first crawl is nothing to remove (it is a failure: see above)
        assert not store.has_article(site.base_url + "info/1001/209.htm")

        # nothing half-written
        for r in rows(store, "SELECT * FROM articles"):
            assert r["title"].strip() and (r["body"].strip() or r["images"] != "[]") and r["content_hash"]
        for r in rows(store, "SELECT * FROM pages WHERE kind='article'"):
            assert store.has_article(r["url"]) or r["error"], r["url"]
        for r in rows(store, "SELECT * FROM pages WHERE kind='redirect'"):
            assert r["redirect_to"] and not store.has_article(r["url"])
        for url in failures:
            assert not any(a.endswith("/" + url) for a in arts if url.startswith("2"))
        run = rows(store, "SELECT * FROM runs WHERE id=?", report.run_id)[0]
        assert run["finished_at"] and run["failed"] == 5 and run["new"] == 7 and run["empty_lists"] == 1

        # the next run: page 1 holds stored articles and one that failed before (tried
        # again, failing again): that ends the column; the newsSkip link is known too
        hostile.clear_log()
        again = Crawler(site, store).run()
        paths = [r.path for r in hostile.requests]
        assert "/xwzx.htm" in paths and "/xwzx/2.htm" not in paths
        assert "/info/1001/201.htm" in paths and "/info/1001/101.htm" not in paths
        assert again.counts.new == 0 and again.counts.failed == 1


def test_the_trap_guard_max_pages_bounds_a_run(hostile, tmp_path):
    site = make_site(hostile, ["rl.htm"], max_pages=6, max_depth=1000)
    with Store(tmp_path / "crawl.db") as store:
        Crawler(site, store).run()
    assert len([r for r in hostile.requests if r.path.startswith("/rl/")]) <= 6   # (/rl.htm redirects)


# ---------------------------------------------------------------------------
# incremental runs
# ---------------------------------------------------------------------------

def etag_article(server: HostileServer, n: int, html_of):
    """An article that answers 304 to a matching If-None-Match; ``html_of()`` is read per request."""
    path = f"/info/1001/{n}.htm"

    def handler(req):
        html = html_of()
        if html is None:
            return Response(404, b"<h1>Not Found</h1>")
        tag = f'"{abs(hash(html)) % 10**8}"'
        if req.headers.get("If-None-Match") == tag:
            return Response(304, b"", None, {"ETag": tag})
        return Response(200, html.encode(), headers={"ETag": tag})
    server.route(path, handler)
    return path


def test_incremental_runs_stop_early_recheck_edits_and_remove(tmp_path, engine_name):
    from indexer.index import current_generation, sync
    with HostileServer(defaults=False) as s:
        state = {
            301: article_html("新近新闻甲", RECENT, "最初的正文。"),
            302: article_html("新近新闻乙", RECENT, "不会改变的正文。"),
            303: article_html("新近新闻丙", RECENT, "这条以后会被删除。"),
        }
        for n in state:
            etag_article(s, n, lambda n=n: state.get(n))
        for n in (311, 312, 313, 314):
            good(s, n)
        pages = ["xwzx.htm", "xwzx/2.htm", "xwzx/1.htm"]
        page1 = [("info/1001/301.htm", "新近新闻甲"), ("info/1001/302.htm", "新近新闻乙"),
                 ("info/1001/303.htm", "新近新闻丙")]
        s.static("/xwzx.htm", list_html("新闻中心", page1, pages, "xwzx/2.htm"))
        s.static("/xwzx/2.htm", list_html("新闻中心", [("../info/1001/311.htm", "a"),
                                                        ("../info/1001/312.htm", "b")],
                                          ["../xwzx.htm", "2.htm", "1.htm"], "1.htm", 2))
        s.static("/xwzx/1.htm", list_html("新闻中心", [("../info/1001/313.htm", "c"),
                                                        ("../info/1001/314.htm", "d")],
                                          ["../xwzx.htm", "2.htm", "1.htm"], None, 3))
        site = make_site(s, ["xwzx.htm"])
        data_dir = tmp_path / "index"
        with Store(tmp_path / "crawl.db") as store:
            first = Crawler(site, store).run()
            assert first.counts.new == 7 and first.counts.failed == 0
            sync(store, data_dir)

            # the site changes: one new article on top, one edited, one deleted
            good(s, 300, when=RECENT, title="刚刚发布的新闻")
            state[301] = article_html("新近新闻甲", RECENT, "修改过的正文。")
            del state[303]
            s.static("/xwzx.htm", list_html("新闻中心", [("info/1001/300.htm", "刚刚发布的新闻")] + page1[:2],
                                           pages, "xwzx/2.htm"))
            s.clear_log()
            second = Crawler(site, store).run()
            paths = [r.path for r in s.requests]
            # page 1 had a new article, page 2 only known ones: the walk ends there
            assert "/xwzx/2.htm" in paths and "/xwzx/1.htm" not in paths
            assert "/info/1001/311.htm" not in paths           # old, known: not re-fetched
            assert second.counts.new == 1 and second.counts.changed == 1 and second.counts.removed == 1
            assert second.counts.failed == 0 and second.status == "ok"
            # the unchanged recent article was re-checked with a conditional GET
            recheck = [r for r in s.requests if r.path == "/info/1001/302.htm"]
            assert recheck and recheck[-1].headers.get("If-None-Match")
            assert store.get_article(site.base_url + "info/1001/301.htm").body == "修改过的正文。"
            assert store.get_article(site.base_url + "info/1001/303.htm") is None

            stats = sync(store, data_dir)
            assert stats.deleted >= 1
            from indexer.ids import article_id
            from indexer.search import SearchEngine
            engine = SearchEngine(current_generation(data_dir))
            ids = set(engine.article_ids())
            engine.close()
            assert article_id(site.base_url + "info/1001/303.htm") not in ids
            assert article_id(site.base_url + "info/1001/300.htm") in ids

            # a third run with nothing new: one list page, then only the re-checks
            s.clear_log()
            third = Crawler(site, store).run()
            assert [r.path for r in s.requests if not r.path.startswith(("/info/", "/robots.txt"))] \
                == ["/xwzx.htm"]
            assert third.counts.new == third.counts.changed == third.counts.removed == 0


def test_a_410_on_recheck_also_removes(tmp_path):
    with HostileServer(defaults=False) as s:
        alive = {"yes": True}

        def handler(req):
            if alive["yes"]:
                return Response(200, article_html("将被撤下", RECENT, "正文。").encode())
            return Response(410, b"gone")
        s.route("/info/1001/401.htm", handler)
        s.static("/xwzx.htm", list_html("新闻中心", [("info/1001/401.htm", "将被撤下")], ["xwzx.htm"], None))
        site = make_site(s, ["xwzx.htm"])
        with Store(tmp_path / "crawl.db") as store:
            Crawler(site, store).run()
            alive["yes"] = False
            report = Crawler(site, store).run()
            assert report.counts.removed == 1 and store.count_articles() == 0


# ---------------------------------------------------------------------------
# other CMS shapes
# ---------------------------------------------------------------------------

def test_webplus_list_pagination(tmp_path):
    with HostileServer(defaults=False) as s:
        def wp_list(links, nxt):
            items = "".join(f'<li class="news"><span class="news_title"><a href="{h}" title="{t}">{t}</a>'
                            f'</span><span class="news_meta">2024-05-01</span></li>' for h, t in links)
            more = f'<li><a class="next" href="{nxt}">下一页</a></li>' if nxt else ""
            return (f'<html><head><meta charset="utf-8"><title>新闻中心</title></head><body>'
                    f'<div id="wp_news_w6"><ul class="news_list">{items}</ul></div>'
                    f'<div id="wp_paging_w6"><ul class="wp_paging"><li><a class="first" href="/xwzx/list.htm">'
                    f'首页</a></li>{more}</ul></div></body></html>')
        for n, day in ((1, "0716"), (2, "0717"), (3, "0718")):
            s.static(f"/2021/{day}/c21558a53475{n}/page.htm",
                     article_html(f"网站新闻{n}", OLD, f"第{n}条新闻的正文。"))
        s.static("/xwzx/list.htm", wp_list([("/2021/0716/c21558a534751/page.htm", "网站新闻1"),
                                            ("/2021/0717/c21558a534752/page.htm", "网站新闻2")],
                                           "/xwzx/list2.htm"))
        s.static("/xwzx/list2.htm", wp_list([("/2021/0718/c21558a534753/page.htm", "网站新闻3")], None))
        site = replace(make_site(s, ["xwzx/list.htm"]), profile="webplus",
                       article_pattern=r"/c\d+a\d+/page\.htm$")
        with Store(tmp_path / "crawl.db") as store:
            report = Crawler(site, store).run()
            assert report.counts.new == 3 and report.counts.failed == 0


def test_older_vsb_jsp_links_and_a_sitemap_index(tmp_path):
    with HostileServer(defaults=False) as s:
        s.static("/content.jsp", article_html("老系统文章", OLD, "旧版博达系统的文章正文。"))
        s.static("/list.jsp", list_html("新闻中心", [
            ("content.jsp?urltype=news.NewsContentUrl&wbtreeid=1001&wbnewsid=1234", "老系统文章")],
            ["list.jsp?totalpage=1&PAGENUM=1&urltype=tree.TreeTempUrl&wbtreeid=1001"], None))
        good(s, 501)
        s.static("/sitemap.xml", '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                 f'sitemap/0.9"><sitemap><loc>{s.url("/sitemap-1.xml")}</loc></sitemap></sitemapindex>',
                 content_type="application/xml")
        s.static("/sitemap-1.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                 f'sitemap/0.9"><url><loc>{s.url("/info/1001/501.htm")}</loc></url></urlset>',
                 content_type="application/xml")
        site = replace(make_site(s, ["list.jsp?urltype=tree.TreeTempUrl&wbtreeid=1001"]), sitemap="sitemap.xml")
        with Store(tmp_path / "crawl.db") as store:
            report = Crawler(site, store).run()
            titles = sorted(a.title for a in store.articles())
            assert titles == ["测试新闻第501号", "老系统文章"], report.counts.failures
