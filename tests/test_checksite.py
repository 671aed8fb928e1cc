"""``news-indexer check-site`` against sites on 127.0.0.1, and the bundled site
configurations."""
from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.checksite import check_site
from indexer.sites import load_site, load_sites
from tests.hostile_server import PDF_BYTES, HostileServer, Response
from tests.test_crawl import OLD, good, list_html, make_site

ROOT = Path(__file__).resolve().parent.parent


def run(site, articles=5) -> tuple[int, str]:
    out = io.StringIO()
    status = check_site(site, articles=articles, out=out)
    return status, out.getvalue()


def test_a_good_site_reads_cleanly():
    with HostileServer(defaults=False) as s:
        for n in (1, 2, 3):
            good(s, n, unit="智能制造学院")
        s.static("/jryz.htm", list_html("今日宜职", [(f"info/1001/{n}.htm", f"测试新闻第{n}号") for n in (1, 2, 3)],
                                       ["jryz.htm", "jryz/1.htm"], "jryz/1.htm", 1, 30))
        status, text = run(make_site(s, ["jryz.htm"]), articles=2)
    assert status == 0, text
    assert "3 article links" in text and "column 今日宜职" in text and "jryz/1.htm" in text
    assert "30 items" in text
    assert "测试新闻第1号" in text and "测试新闻第2号" in text and "测试新闻第3号" not in text
    assert OLD in text and "智能制造学院" in text and "新闻中心" in text
    assert "result: ok" in text and "2/2 articles read" in text
    assert len(s.requests) <= 1 + 1 + 2   # robots.txt, the list page, two articles: nothing more


def test_what_could_not_be_read_is_listed_with_reasons():
    with HostileServer(defaults=False) as s:
        good(s, 1)
        s.static("/info/1001/2.htm", PDF_BYTES, content_type="application/pdf")
        s.static("/info/1001/3.htm", "<h1>gone</h1>", status=404)
        s.static("/info/1001/4.htm", "<html><head><title>没有日期</title></head><body><h1>没有日期</h1>"
                 "<div id='vsb_content'><p>这一篇没有写发布日期，正文足够长，足够长，足够长，足够长，足够长，足够长。</p>"
                 "</div></body></html>")
        s.static("/info/1001/5.htm", '<html><head><title>转载</title><script>function newsSkip(data){'
                 'window.location.href = data;}newsSkip("https://mp.weixin.qq.com/s/x");</script></head>'
                 '<body></body></html>')

        @s.route("/info/1001/6.htm")
        def broken(req):
            return Response(500, b"oops")
        links = [(f"info/1001/{n}.htm", f"文章{n}") for n in range(1, 7)]
        s.static("/xwzx.htm", list_html("新闻中心", links, ["xwzx.htm"], None))
        site = replace(make_site(s, ["xwzx.htm"]), retries=0)
        status, text = run(site, articles=6)
    assert status == 1
    could_not = text.split("could not read:")[1]
    assert "2.htm: not-html" in could_not and "application/pdf" in could_not
    assert "3.htm: fetch http-404" in could_not
    assert "6.htm: fetch http-500" in could_not
    assert "no date" in text
    assert "redirects to https://mp.weixin.qq.com/s/x" in text   # a link, not a failure
    assert "5.htm" not in could_not
    assert "PROBLEMS" in text and "2/6 articles read" in text and "1 link page" in text


def test_a_list_page_that_cannot_be_fetched_or_holds_no_articles():
    with HostileServer(defaults=False) as s:
        status, text = run(make_site(s, ["nowhere.htm"]))
        assert status == 1 and "could not fetch it (http-404" in text
        s.static("/empty.htm", "<html><body><p>本栏目暂无内容</p></body></html>")
        status, text = run(make_site(s, ["empty.htm"]))
        assert status == 1 and "no links matching the article pattern" in text
        s.set_robots("User-agent: *\nDisallow: /\n")
        status, text = run(make_site(s, ["empty.htm"]))
        assert status == 1 and "robots" in text


def test_the_command_line(capsys, tmp_path):
    from indexer.cli import main
    with HostileServer(defaults=False) as s:
        good(s, 7)
        s.static("/jryz.htm", list_html("今日宜职", [("info/1001/7.htm", "测试新闻第7号")], ["jryz.htm"], None))
        config = tmp_path / "site.toml"
        config.write_text('id = "t"\nname = "测试职业技术学院"\nbase_url = "https://www.example.edu.cn/"\n'
                          'lists = ["jryz.htm"]\n[politeness]\ndelay = 0\n', encoding="utf-8")
        status = main(["check-site", str(config), "--base-url", s.url("/"), "--articles", "1"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "测试新闻第7号" in out


# ---------------------------------------------------------------------------
# the bundled configurations
# ---------------------------------------------------------------------------

CONFIGS = sorted((ROOT / "data" / "sites").glob("*.toml")) + sorted((ROOT / "data" / "sites" / "examples").glob("*.toml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[str(p.relative_to(ROOT)) for p in CONFIGS])
def test_every_site_configuration_loads(path):
    site = load_site(path)
    assert site.list_urls and site.article_pattern
    assert site.delay >= (0.0 if site.id == "demo" else 1.0)   # real colleges get a polite delay


def test_the_examples_are_the_consortium_colleges_and_stay_out_of_update():
    examples = load_sites(sorted((ROOT / "data" / "sites" / "examples").glob("*.toml")))
    by_id = {s.id: s for s in examples}
    assert by_id["ybzy"].name == "宜宾职业技术学院" and by_id["ybzy"].list_urls == ("https://www.ybzy.cn/jryz.htm",)
    assert by_id["ybzy"].profile == "vsb" and by_id["ybzy"].column == "今日宜职"
    assert by_id["cqcvc"].name == "重庆城市职业学院" and by_id["cqcvc"].base_url == "https://www.cqcvc.edu.cn/"
    assert "check-site" in (ROOT / "data" / "sites" / "examples" / "cqcvc.toml").read_text(encoding="utf-8")
    # `news-indexer update` reads data/sites/*.toml only: no example reaches the network by itself
    top = [p.name for p in (ROOT / "data" / "sites").glob("*.toml")]
    assert not set(top) & {p.name for p in (ROOT / "data" / "sites" / "examples").glob("*.toml")}
