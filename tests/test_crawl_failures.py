"""Nothing a page holds ends a run, nothing is lost silently, and a page that keeps
failing the same way stops making cron exit 1.

Real loopback sites (the hostile test server), real SQLite stores; the command
line through ``indexer.cli.main``.
"""
from __future__ import annotations

import contextlib
import io
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from indexer import crawl, paths
from indexer.cli import main
from indexer.crawl import Crawler
from indexer.failures import PERSISTENT_AFTER
from indexer.store import Store
from tests.hostile_server import HostileServer, Response
from tests.test_crawl import OLD, article_html, good, list_html, make_site

#: hosts that make urllib.parse raise ValueError, as on news.nankai.edu.cn
BAD_HOSTS = ("http://[Nucl. Phys. B 612 (2001) 25]/abs", "http://天津日报：天工开物 向“新”而行/info/1001/9.htm",
             "//[2001:db8::zz]/info/1001/8.htm")


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def failures_of(store: Store, run_id: int) -> dict[str, tuple[str, str]]:
    return {r[0].rsplit("/", 1)[-1]: (r[1], r[2]) for r in store.db.execute(
        "SELECT url, reason, detail FROM failures WHERE run_id=?", (run_id,))}


def config(tmp_path, site_id: str, base: str, lists: str = '["xwzx.htm"]') -> str:
    path = tmp_path / f"{site_id}.toml"
    path.write_text(f'id = "{site_id}"\nname = "测试职业技术学院"\nbase_url = "{base}"\nlists = {lists}\n'
                    '[politeness]\ndelay = 0\nretries = 0\ntimeout = 2\n', encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------------------
# nothing crashes the run
# ---------------------------------------------------------------------------

def test_malformed_links_in_list_and_article_pages_are_skipped_not_fatal(tmp_path):
    with HostileServer(defaults=False) as s:
        for n in (1, 2):
            good(s, n)
        junk = "".join(f'<a href="{h}">一篇引用的文献或报纸的标题</a>' for h in BAD_HOSTS)
        s.static("/info/1001/3.htm", article_html("带坏链接的文章", OLD, "正文里有几个坏链接，照样读。", extra=junk))
        links = [(f"info/1001/{n}.htm", f"测试新闻第{n}号") for n in (1, 2, 3)] + [(h, "坏链接的文章") for h in BAD_HOSTS]
        s.static("/xwzx.htm", list_html("新闻中心", links, ["xwzx.htm"], None)
                 .replace("</ul>", '</ul><base href="http://[bad base]/">'))
        with Store(tmp_path / "crawl.db") as store:
            report = Crawler(make_site(s, ["xwzx.htm"]), store).run()
            assert report.status in ("ok", "partial") and report.error is None
            urls = {a.url.rsplit("/", 1)[-1] for a in store.articles()}
            assert {"1.htm", "2.htm"} <= urls
            # the article with bad links is read, or recorded with a reason: never a crash of the run
            assert "3.htm" in urls or "3.htm" in failures_of(store, report.run_id)
            assert not [r for r in s.requests if "Nucl" in r.target or "天津" in r.path]


def test_whatever_the_extractor_raises_is_the_pages_failure(tmp_path, monkeypatch):
    real = crawl.extract

    def fragile(url, html, site, **kw):   # the extractor's next bug, whatever it is
        if url.endswith("/2.htm"):
            raise ValueError("Invalid IPv6 URL")
        if url.endswith("/3.htm"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(url, html, site, **kw)
    monkeypatch.setattr(crawl, "extract", fragile)
    with HostileServer(defaults=False) as s:
        links = [(good(s, n).lstrip("/"), f"测试新闻第{n}号") for n in (1, 2, 3, 4)]
        s.static("/xwzx.htm", list_html("新闻中心", links, ["xwzx.htm"], None))
        with Store(tmp_path / "crawl.db") as store:
            report = Crawler(make_site(s, ["xwzx.htm"]), store).run()
            fails = failures_of(store, report.run_id)
            assert fails["2.htm"][0] == "extract-crash" and "ValueError: Invalid IPv6 URL" in fails["2.htm"][1]
            assert fails["3.htm"][0] == "extract-crash" and "RecursionError" in fails["3.htm"][1]
            assert report.status == "partial" and report.counts.failed == 2 and report.counts.new == 2
            page = store.get_page(s.url("/info/1001/2.htm"))
            assert page is not None and page.error == "extract-crash"   # stored, so it is known next time


def test_a_list_page_the_reader_chokes_on_is_a_failure_and_the_other_lists_go_on(tmp_path, monkeypatch):
    real = crawl.parse_list

    def fragile(url, html, site=None):
        if "bad" in url:
            raise UnicodeError("a broken list page")
        return real(url, html, site)
    monkeypatch.setattr(crawl, "parse_list", fragile)
    with HostileServer(defaults=False) as s:
        s.static("/bad.htm", list_html("坏栏目", [], ["bad.htm"], None))
        s.static("/xwzx.htm", list_html("新闻中心", [(good(s, 1).lstrip("/"), "测试新闻第1号")], ["xwzx.htm"], None))
        with Store(tmp_path / "crawl.db") as store:
            report = Crawler(make_site(s, ["bad.htm", "xwzx.htm"]), store).run()
            assert failures_of(store, report.run_id)["bad.htm"][0] == "list-crash"
            assert report.counts.new == 1 and report.status == "partial"


def test_a_run_that_stops_on_an_error_is_recorded_as_error_never_ok(tmp_path):
    def broken(kind):
        raise RuntimeError("the disk is full")
    with HostileServer(defaults=False) as s:
        s.static("/xwzx.htm", list_html("新闻中心", [(good(s, 1).lstrip("/"), "测试新闻第1号")], ["xwzx.htm"], None))
        with Store(tmp_path / "crawl.db") as store:
            report = Crawler(make_site(s, ["xwzx.htm"]), store, progress=broken).run()
            assert report.status == "error" and "RuntimeError: the disk is full" in report.error
            assert "status=error" in report.summary()
            run = store.recent_runs(1)[0]
            assert run["status"] == "error" and "the disk is full" in run["error"] and run["finished_at"]


def test_an_interrupted_run_is_recorded_as_interrupted(tmp_path):
    calls = []

    def ctrl_c(kind):
        calls.append(kind)
        if len(calls) == 2:
            raise KeyboardInterrupt
    with HostileServer(defaults=False) as s:
        links = [(good(s, n).lstrip("/"), f"测试新闻第{n}号") for n in (1, 2, 3)]
        s.static("/xwzx.htm", list_html("新闻中心", links, ["xwzx.htm"], None))
        with Store(tmp_path / "crawl.db") as store:
            with pytest.raises(KeyboardInterrupt):
                Crawler(make_site(s, ["xwzx.htm"]), store, progress=ctrl_c).run()
            run = store.recent_runs(1)[0]
            assert run["status"] == "interrupted" and run["finished_at"]


def test_an_errored_site_exits_1_naming_it_and_the_other_sites_are_crawled(tmp_path, monkeypatch, engine_name):
    real = Crawler._walk_column

    def walk(self, *args):
        if self.site.id == "bad":
            raise RuntimeError("a bug in the crawler")
        return real(self, *args)
    monkeypatch.setattr(Crawler, "_walk_column", walk)
    with HostileServer(defaults=False) as s:
        s.static("/xwzx.htm", list_html("新闻中心", [(good(s, 1).lstrip("/"), "测试新闻第1号")], ["xwzx.htm"], None))
        confs = ["--site", config(tmp_path, "bad", s.url("/")), "--site", config(tmp_path, "fine", s.alt_url("/"))]
        data = tmp_path / "data"
        code, out, err = run_cli("update", "--data-dir", str(data), "--quiet", *confs)
        assert code == 1
        assert "site bad: the crawl stopped with an error" in err and "a bug in the crawler" in err
        lines = {line.split()[0]: line for line in out.splitlines()}
        assert "status=error" in lines["site=bad"] and "new=1" in lines["site=fine"]
        code, out, _ = run_cli("stats", "--data-dir", str(data))
        assert " bad " in out and "error: RuntimeError: a bug in the crawler" in out


# ---------------------------------------------------------------------------
# nothing lost silently
# ---------------------------------------------------------------------------

def test_a_404_for_a_new_article_is_a_failure_and_for_a_stored_one_a_removal(tmp_path):
    with HostileServer(defaults=False) as s:
        alive = {"yes": True}

        def stored(req):
            if alive["yes"]:
                return Response(200, article_html("将被删除", OLD, "这一篇先在，后来被删除。").encode())
            return Response(404, b"<h1>404</h1>")
        s.route("/info/1001/1.htm", stored)
        s.static("/info/1001/2.htm", "<h1>Not Found</h1>", status=404)
        s.static("/xwzx.htm", list_html("新闻中心", [("info/1001/1.htm", "将被删除"), ("info/1001/2.htm", "从未存在")],
                                        ["xwzx.htm"], None))
        site = replace(make_site(s, ["xwzx.htm"]), recheck_days=100000)
        with Store(tmp_path / "crawl.db") as store:
            first = Crawler(site, store).run()
            assert failures_of(store, first.run_id)["2.htm"][0] == "http-404"
            assert first.counts.failed == 1 and first.counts.new == 1 and first.counts.removed == 0
            alive["yes"] = False
            second = Crawler(site, store).run()
            fails = failures_of(store, second.run_id)
            assert second.counts.removed == 1 and "1.htm" not in fails      # a removal, not a failure
            assert fails["2.htm"][0] == "http-404"


def test_an_empty_list_is_a_warning_in_the_summary_and_in_stats(tmp_path, engine_name):
    with HostileServer(defaults=False) as s:
        s.static("/xwzx.htm", list_html("新闻中心", [(good(s, 1).lstrip("/"), "测试新闻第1号")], ["xwzx.htm"], None))
        s.static("/tzgg.htm", "<html><body><ul><li><a href='tzgg/a.html'>通知一则，链接不合规则</a></li></ul></body></html>")
        data = tmp_path / "data"
        conf = config(tmp_path, "t", s.url("/"), '["xwzx.htm", "tzgg.htm"]')
        code, out, err = run_cli("--data-dir", str(data), "update", "--site", conf, "--quiet")
        assert code == 0, err                                  # a warning, not a failure
        assert "empty_lists=1" in out and "failed=0" in out
        assert "configured list page(s) gave no article link" in err
        code, out, _ = run_cli("stats", "--data-dir", str(data))
        assert "empty_lists=1" in out and "warnings by reason: empty-list=1" in out
        code, out, _ = run_cli("stats", "--data-dir", str(data), "--failures")
        assert s.url("/tzgg.htm") in out and "empty-list" in out and "warning" in out


# ---------------------------------------------------------------------------
# persistent failures
# ---------------------------------------------------------------------------

def test_a_page_failing_on_three_runs_no_longer_makes_the_exit_status_1(tmp_path, engine_name):
    with HostileServer(defaults=False) as s:
        state = {"broken": True}

        def article(req):
            if state["broken"]:
                return Response(200, b"<html><head><title></title></head><body></body></html>")  # really empty
            return Response(200, article_html("终于修好了", OLD, "网站修好了这一篇文章的页面。").encode())
        s.route("/info/1001/9.htm", article)
        links = [(good(s, 1).lstrip("/"), "测试新闻第1号"), ("info/1001/9.htm", "打不开的文章")]
        s.static("/xwzx.htm", list_html("新闻中心", links, ["xwzx.htm"], None))
        data = tmp_path / "data"
        argv = ("update", "--data-dir", str(data), "--site", config(tmp_path, "t", s.url("/")), "--quiet")
        codes = [run_cli(*argv)[0] for _ in range(PERSISTENT_AFTER)]
        assert codes == [1] * (PERSISTENT_AFTER - 1) + [0]     # the third failure is an old story
        assert s.count("/info/1001/9.htm") == PERSISTENT_AFTER

        code, out, _ = run_cli("stats", "--data-dir", str(data), "--failures")
        assert s.url("/info/1001/9.htm") in out and f"{PERSISTENT_AFTER} runs in a row" in out
        assert "persistent, retried once a day" in out
        code, out, _ = run_cli("stats", "--data-dir", str(data))
        assert "failed=0 persistent=1" in out.split("last runs:")[1].splitlines()[1]

        # it rests: the next run does not fetch it, and exits 0
        code, out, _ = run_cli(*argv)
        assert code == 0 and s.count("/info/1001/9.htm") == PERSISTENT_AFTER
        # a day later it is tried again; failing the same way, it is still no news
        db = sqlite3.connect(paths.store_path(data))
        day_ago = (datetime.now(timezone.utc) - timedelta(days=1, minutes=1)).isoformat()
        db.execute("UPDATE failing SET last_at=?", (day_ago,))
        db.commit()
        code, out, _ = run_cli(*argv)
        assert code == 0 and "persistent=1" in out and s.count("/info/1001/9.htm") == PERSISTENT_AFTER + 1
        # fixed by the site, and tried again a day later: read, and no longer listed
        state["broken"] = False
        db.execute("UPDATE failing SET last_at=?", (day_ago,))
        db.commit()
        db.close()
        code, out, _ = run_cli(*argv)
        assert code == 0 and "new=1" in out
        code, out, _ = run_cli("stats", "--data-dir", str(data), "--failures")
        assert "failing now: 0 page(s)" in out


def test_a_page_failing_another_way_is_news_again(tmp_path):
    with HostileServer(defaults=False) as s:
        state = {"status": 500}
        s.route("/info/1001/9.htm", lambda req: Response(state["status"], b"<h1>oops</h1>"))
        links = [(good(s, 1).lstrip("/"), "测试新闻第1号"), ("info/1001/9.htm", "打不开的文章")]
        s.static("/xwzx.htm", list_html("新闻中心", links, ["xwzx.htm"], None))
        site = replace(make_site(s, ["xwzx.htm"]), retries=0)
        with Store(tmp_path / "crawl.db") as store:
            reports = [Crawler(site, store).run() for _ in range(PERSISTENT_AFTER)]
            assert [r.counts.failed for r in reports] == [1] * (PERSISTENT_AFTER - 1) + [0]
            assert reports[-1].counts.persistent == 1
            store.db.execute("UPDATE failing SET last_at='2000-01-01T00:00:00+00:00'")
            store.db.commit()
            state["status"] = 403
            report = Crawler(site, store).run()
            assert report.counts.failed == 1 and report.counts.persistent == 0   # a new way to fail
            assert [(r["reason"], r["streak"]) for r in store.failing()] == [("http-403", 1)]


def test_a_stop_asked_from_another_thread_ends_the_crawl_as_interrupted(tmp_path):
    import threading
    stop = threading.Event()

    def press_ctrl_c_elsewhere(kind):
        stop.set()   # what the command line does on Ctrl-C, for the crawls in its worker threads
    with HostileServer(defaults=False) as s:
        links = [(good(s, n).lstrip("/"), f"测试新闻第{n}号") for n in (1, 2, 3)]
        s.static("/xwzx.htm", list_html("新闻中心", links, ["xwzx.htm"], None))
        with Store(tmp_path / "crawl.db") as store:
            with pytest.raises(KeyboardInterrupt):
                Crawler(make_site(s, ["xwzx.htm"]), store, progress=press_ctrl_c_elsewhere, stop=stop).run()
            assert store.recent_runs(1)[0]["status"] == "interrupted"
            assert s.count("/info/1001/1.htm") == 0    # it stopped at the next fetch
