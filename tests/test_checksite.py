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


# ---------------------------------------------------------------------------
# every list, near misses, values that look wrong
# ---------------------------------------------------------------------------

def test_every_configured_list_is_tried_and_articles_are_taken_from_each():
    with HostileServer(defaults=False) as s:
        for n in (1, 2, 3, 4):
            good(s, n)
        s.static("/xyxw.htm", list_html("学院新闻", [("info/1001/1.htm", "测试新闻第1号"), ("info/1001/2.htm", "测试新闻第2号")],
                                        ["xyxw.htm"], None))
        s.static("/tzgg.htm", list_html("通知公告", [("info/1001/3.htm", "测试新闻第3号"), ("info/1001/4.htm", "测试新闻第4号")],
                                        ["tzgg.htm"], None))
        status, text = run(make_site(s, ["xyxw.htm", "tzgg.htm"]), articles=2)
        assert status == 0, text
        assert "list page " + s.url("/xyxw.htm") in text and "list page " + s.url("/tzgg.htm") in text
        assert "测试新闻第1号" in text and "测试新闻第3号" in text      # one from each list, in turn
        assert "2/2 list(s) read" in text
        # a list that cannot be fetched is named, and the others are still checked
        status, text = run(make_site(s, ["gone.htm", "tzgg.htm"]), articles=2)
        assert status == 1
        assert s.url("/gone.htm") + ": could not fetch it (http-404" in text
        assert "测试新闻第3号" in text and "测试新闻第4号" in text and "1/2 list(s) read" in text


def test_a_pattern_that_matches_nothing_shows_the_near_misses_decoded():
    with HostileServer(defaults=False) as s:
        items = [("info/1001/2862.html", "学院召开教学工作会议"),
                 ("news/%E9%80%9A%E7%9F%A5/12345.htm", "关于做好期末考试工作的通知"),
                 ("xwzx/2.htm", "2")]   # a page number: not a near miss
        s.static("/xwzx.htm", list_html("新闻中心", items, ["xwzx.htm"], None))
        status, text = run(make_site(s, ["xwzx.htm"]))
    assert status == 1
    assert "near misses" in text
    assert s.url("/info/1001/2862.html") in text
    assert s.url("/news/通知/12345.htm") in text and "%E9%80%9A" not in text
    assert s.url("/xwzx/2.htm") not in text.split("near misses")[1]
    assert "single quotes" in text


def test_columns_and_bodies_that_look_wrong_are_flagged_not_ok():
    with HostileServer(defaults=False) as s:
        def page(title, body):   # no breadcrumb: the column comes from the list
            return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
                    f'<div class="info">发布时间：{OLD} 来源：教务处</div><div id="vsb_content"><p>{body}</p></div>'
                    '</body></html>')
        s.static("/info/1001/1.htm", page("一篇正常的文章", "正文足够长，足够长，足够长，足够长，足够长，足够长。"))
        s.static("/info/1001/2.htm", page("一篇很短的正文", "活动圆满结束。"))
        s.static("/info/1001/3.htm", page("一篇页脚正文", "版权所有：测试职业技术学院</p><p>地址：某某市某某路1号 电话：0831-1234567"))
        links = [(f"info/1001/{n}.htm", t) for n, t in ((1, "一篇正常的文章"), (2, "一篇很短的正文"), (3, "一篇页脚正文"))]
        s.static("/xwzx.htm", list_html("新闻中心", links, ["xwzx.htm"], None))
        site = replace(make_site(s, ["xwzx.htm"]), list_columns=(("xwzx.htm", "2020年11月6日"),))
        status, text = run(site, articles=3)
    assert status == 1 and "PROBLEMS" in text and "result: ok" not in text
    assert "column looks wrong (a date): 2020年11月6日" in text   # the configured column: a mistake
    assert "body too short" in text or "no-body" in text
    # a body made of the site's footer: flagged, or refused by the extractor outright
    assert "body looks like" in text or s.url("/info/1001/3.htm") + ": extract no-body" in text


@pytest.mark.parametrize("value, problem", [
    ("2020年11月6日", "a date"), ("河南大学体育学院 2020年11月6日", "a date"), ("hdgfsys@126.com", "an e-mail address"),
    ("https://www.nuc.edu.cn/", "a URL"), ("附件1.docx", "a file name"), ("的通知", "a piece of a sentence"),
    ("现将有关事项通知如下：", "a piece of a sentence"), ("学院新闻学院新闻学院新闻学院新闻", "too long"),
])
def test_what_cannot_be_a_column_name(value, problem):
    from indexer.checksite import COLUMN_MAX, name_problem
    assert problem in (name_problem(value, COLUMN_MAX) or "")


@pytest.mark.parametrize("value", ["学院新闻", "通知公告", "今日宜职", "学术活动", "和谐校园", "在线课程"])
def test_column_names_that_are_fine(value):
    from indexer.checksite import COLUMN_MAX, name_problem
    assert name_problem(value, COLUMN_MAX) is None


def test_what_cannot_be_a_department():
    from indexer.checksite import DEPARTMENT_MAX, name_problem
    for fine in ("大数据学院团委", "党委学工部", "研究生招生办公室", "计算机科学技术学院"):
        assert name_problem(fine, DEPARTMENT_MAX) is None, fine
    assert name_problem("hdgfsys@126.com", DEPARTMENT_MAX) == "an e-mail address"
    assert name_problem("南开大学办公室 2025年3月15日", DEPARTMENT_MAX) == "a date"
    assert "too long" in name_problem("本次活动由学校党委宣传部与团委学生会联合主办并承办", DEPARTMENT_MAX)


def test_bodies_that_are_no_article():
    from indexer.checksite import body_problem
    assert "too short" in body_problem("浏览： 次")
    assert "footer" in body_problem("新闻热线：022-23508464\n投稿信箱：news@nankai.edu.cn\n版权所有 南开大学")
    assert body_problem("学院召开教学工作会议。会议由院长主持，全体教师参加。联系电话：0831-1234567。") is None
