"""The web UI against a real search index built from a handmade corpus."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from tests import webui_fixtures as fx
from indexer.ids import article_id
from indexer.results import MAX_FILTER_VALUES, MAX_PAGE_SIZE, MAX_QUERY_CHARS, MAX_RESULT_WINDOW
from webui import create_app
from webui.app import CSP
from webui.params import ParamError, clean_text, parse_query, query_pairs
from werkzeug.datastructures import MultiDict


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, engine_name: str) -> Path:
    d = tmp_path_factory.mktemp("webui-data")
    fx.build(d / "index")
    return d


@pytest.fixture()
def app(data_dir: Path):
    app = create_app({"DATA_DIR": data_dir, "TESTING": True})
    yield app
    app.extensions["news_engine"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


def api(client, **params):
    r = client.get("/api/search", query_string=params)
    assert r.status_code == 200, r.data
    return r.get_json()


def hit_ids(data: dict) -> set[str]:
    return {h["id"] for h in data["hits"]}


# -- the JSON API ---------------------------------------------------------------
def test_api_shape_is_exact(client):
    data = api(client, q="华中数控")
    assert list(data) == ["query", "total", "stories", "page", "size", "fold", "near", "took_ms", "hits",
                          "facets", "partial", "suggestion", "corrected_from", "corrected_query",
                          "truncated_query", "related"]
    assert data["query"] == "华中数控"
    assert data["total"] == 3 and data["page"] == 1 and data["size"] == 10
    assert data["stories"] == 3 and data["fold"] is True and data["near"] is None
    assert isinstance(data["took_ms"], (int, float))
    assert data["partial"] is False and data["suggestion"] is None
    assert data["truncated_query"] is False
    for hit in data["hits"]:
        assert list(hit) == ["id", "url", "title", "published", "department", "column", "site",
                             "snippet", "attachment", "source", "college", "similar"]
        assert hit["similar"] == []
    assert list(data["facets"]) == ["department", "year", "column", "site"]
    for facet in data["facets"].values():
        for fv in facet:
            assert list(fv) == ["value", "count"]


def test_search_finds_every_article_containing_the_text(client):
    data = api(client, q="华中数控")
    assert hit_ids(data) == fx.containing("华中数控")
    data = api(client, q="产教融合", size=50)
    assert data["total"] == len(fx.containing("产教融合"))
    assert hit_ids(data) == fx.containing("产教融合")


def test_highlights_are_marks(client):
    data = api(client, q="华中数控")
    for hit in data["hits"]:
        assert "<mark>华中数控</mark>" in hit["title"] + hit["snippet"]
    first = data["hits"][0]
    stored = next(a for a in fx.ARTICLES if article_id(a.url) == first["id"])
    assert first["url"] == stored.url
    assert re.sub(r"</?mark>", "", first["title"]) == stored.title


def test_department_filter_with_two_departments(client):
    data = api(client, dept=[fx.JW, fx.TW], size=50)
    want = fx.ids_where(lambda a: a.department in (fx.JW, fx.TW))
    assert data["total"] == len(want)
    assert hit_ids(data) == want


def test_department_filter_with_query(client):
    data = api(client, q="产教融合", dept=[fx.ZZ, fx.XX], size=50)
    want = fx.containing("产教融合") & fx.ids_where(lambda a: a.department in (fx.ZZ, fx.XX))
    assert hit_ids(data) == want and data["total"] == len(want)


def test_date_filter_is_inclusive(client):
    data = api(client, **{"from": "2023-01-01", "to": "2023-12-31", "size": 50})
    want = fx.ids_where(lambda a: a.published[:4] == "2023")
    assert hit_ids(data) == want and data["total"] == len(want)
    # a single day, with an article that has a time of day
    data = api(client, **{"from": "2023-04-22", "to": "2023-04-22"})
    assert hit_ids(data) == fx.ids_where(lambda a: a.published.startswith("2023-04-22"))


def test_facet_counts_add_up_to_the_total(client):
    for q in ("产教融合", "学院", ""):
        data = api(client, q=q, size=5)
        assert sum(f["count"] for f in data["facets"]["department"]) == data["total"]
        assert sum(f["count"] for f in data["facets"]["year"]) == data["total"]
    everything = api(client)["facets"]["department"]
    assert {f["value"]: f["count"] for f in everything} == dict(fx.by_department())


def test_department_facet_ignores_its_own_filter(client):
    plain = api(client, q="产教融合")
    filtered = api(client, q="产教融合", dept=fx.JW)
    assert filtered["facets"]["department"] == plain["facets"]["department"]
    assert filtered["total"] == len(fx.containing("产教融合")
                                    & fx.ids_where(lambda a: a.department == fx.JW))


def test_sort_by_date_is_newest_first(client):
    data = api(client, sort="date", size=50)
    dates = [h["published"][:10] for h in data["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert data["total"] == len(fx.ARTICLES)


def test_past_the_last_page_is_empty(client):
    data = api(client, q="华中数控", page=50)
    assert data["total"] == 3 and data["hits"] == [] and data["page"] == 50
    html = client.get("/search", query_string={"q": "华中数控", "page": 50}).get_data(as_text=True)
    assert "这一页已经没有结果了" in html and 'class="hit"' not in html


def test_paging(client):
    first = api(client, q="产教融合", size=3, page=1)
    second = api(client, q="产教融合", size=3, page=2)
    assert second["page"] == 2 and second["size"] == 3
    assert len(first["hits"]) == 3
    assert not hit_ids(first) & hit_ids(second)


def test_api_article(client):
    aid = fx.id_of_title("数控实训基地通过省级验收")
    r = client.get(f"/api/article/{aid}")
    assert r.status_code == 200
    data = r.get_json()
    assert data["id"] == aid and data["title"] == "数控实训基地通过省级验收"
    assert "华中数控" in data["body"]
    r = client.get("/api/article/0000000000000000")
    assert r.status_code == 404
    assert r.get_json() == {"error": r.get_json()["error"], "status": 404}


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    data = r.get_json()
    assert data["status"] == "ok" and data["articles"] == len(fx.ARTICLES)
    assert data["last_commit"] and data["version"]


# -- the pages ------------------------------------------------------------------
def test_home_page(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert 'name="viewport"' in html
    assert 'action="/search"' in html and 'name="q"' in html
    assert "最新文章" in html
    newest = max(fx.ARTICLES, key=lambda a: a.published)
    assert unescape(html).count(newest.title) >= 1


def test_results_page(client):
    r = client.get("/search", query_string={"q": "华中数控"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'value="华中数控"' in html
    assert re.search(r"找到约 3 条结果，用时 \d+\.\d{3} 秒", html)
    assert "<mark>华中数控</mark>" in html
    assert 'href="https://www.example.edu.cn/info/0002.htm"' in html
    assert "智能制造学院" in html and "2023-05-10" in html
    # filters: department checkboxes with counts, year links, sort, dates
    assert 'name="dept" value="智能制造学院"' in html
    assert 'name="from" type="text"' in html and 'name="to" type="text"' in html
    assert 'placeholder="YYYY-MM-DD"' in html and 'inputmode="numeric"' in html
    assert 'from=2023-01-01&amp;to=2023-12-31' in html
    assert '<select id="sort" name="sort"' in html
    # every form control has a label
    for control_id in ("q", "sort", "from", "to"):
        assert f'for="{control_id}"' in html


def test_results_page_without_department_shows_placeholder(client):
    html = client.get("/search", query_string={"q": "学校"}).get_data(as_text=True)
    assert "未注明" in html


def test_page_keeps_parameters_in_pagination(client):
    r = client.get("/search", query_string={"q": "产教融合", "size": 3, "page": 2,
                                            "dept": [fx.ZZ, fx.JW], "sort": "date"})
    assert r.status_code == 200
    html = unescape(r.get_data(as_text=True))
    assert 'aria-current="page">2<' in html
    nav = html[html.index('<nav class="pager"'):html.index("</nav>")]
    links = re.findall(r'href="([^"]*)"', nav)
    assert len(links) >= 2  # 上一页, 1
    for link in links:
        path, _, qs = link.partition("?")
        params = parse_qs(qs)
        assert path == "/search" and params["q"] == ["产教融合"]
        assert params["size"] == ["3"] and params["sort"] == ["date"]
        assert params["dept"] == [fx.ZZ, fx.JW]
    assert 'rel="prev"' in html
    # the ticked departments stay ticked
    assert re.search(r'value="教务处" form="search-form" checked', html)


def test_partial_and_empty_results(client):
    html = client.get("/search", query_string={"q": "华中数控 不存在的词语"}).get_data(as_text=True)
    assert "没有同时包含所有词的结果，以下是部分匹配" in html
    html = client.get("/search", query_string={"q": "完全不存在的内容"}).get_data(as_text=True)
    assert "没有找到" in html and "找到约" not in html


def test_truncated_query_is_said(client):
    r = client.get("/search", query_string={"q": "产" * (MAX_QUERY_CHARS + 50)})
    assert r.status_code == 200
    assert f"只使用了前 {MAX_QUERY_CHARS} 个字符" in r.get_data(as_text=True)
    data = api(client, q="产" * (MAX_QUERY_CHARS + 50))
    assert data["truncated_query"] is True


def test_year_link_sets_the_range(client):
    r = client.get("/search", query_string={"q": "产教融合", "from": "2023-01-01",
                                            "to": "2023-12-31"})
    html = r.get_data(as_text=True)
    assert 'value="2023-01-01"' in html and 'value="2023-12-31"' in html
    assert 'aria-current="true" class="active"' in html


def test_script_title_is_escaped(client):
    for q in ("测试", "script"):
        html = client.get("/search", query_string={"q": q}).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html or "&lt;<mark>script</mark>&gt;" in html
    data = api(client, q="测试")
    assert any("&lt;script&gt;" in h["title"] for h in data["hits"])
    aid = fx.id_of_title(fx.SCRIPT_TITLE)
    html = client.get(f"/article/{aid}").get_data(as_text=True)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;测试" in html
    assert "&lt;b&gt;不应加粗&lt;/b&gt; &amp; 其他符号" in html
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html


def test_no_inline_script_or_style(client):
    aid = fx.id_of_title("数控实训基地通过省级验收")
    for url in ("/", "/search?q=产教融合", f"/article/{aid}", "/nope", "/search?page=0"):
        html = client.get(url).get_data(as_text=True)
        # scripts only from our own static files, never inline
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
        assert html.count("<script") == len(scripts)
        assert all(body == "" for body in scripts)
        scripts = re.findall(r"<script\b([^>]*)>", html)
        # suggest.js everywhere; filters.js on the results page
        assert 1 <= len(scripts) <= 2 and all(
            re.fullmatch(r' src="/static/(suggest|filters)\.js\?v=[0-9a-f]{12}" defer', s) for s in scripts)
        assert any("suggest.js" in s for s in scripts)
        assert "<style" not in html and " style=" not in html
        assert "http://" not in html.replace("https://www.example.edu.cn", "").replace(
            "http://www.w3.org", "") or url.startswith("/article")


def test_snapshot_page(client):
    a = next(a for a in fx.ARTICLES if a.title == "关于2023年秋季学期期末考试安排的通知")
    r = client.get(f"/article/{article_id(a.url)}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<h1>关于2023年秋季学期期末考试安排的通知</h1>" in html
    for para in a.body.split("\n"):
        assert f"<p>{para}</p>" in html
    assert f'href="{a.url}"' in html
    assert "教务处" in html and "通知公告" in html and "2023-12-20" in html
    assert "快照" in html


def test_snapshot_404(client):
    for path in ("/article/0000000000000000", "/article/" + "x" * 500, "/article/%00"):
        r = client.get(path)
        assert r.status_code == 404
        html = r.get_data(as_text=True)
        assert "页面不存在" in html and "Traceback" not in html


def test_unknown_page_and_method(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)
    r = client.post("/search")
    assert r.status_code == 405 and "不支持" in r.get_data(as_text=True)
    r = client.post("/api/search")
    assert r.status_code == 405 and r.get_json()["status"] == 405
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.get_json() == {"error": r.get_json()["error"], "status": 404}


# -- bad parameters: 400, never 500 ---------------------------------------------
BAD = [
    ({"from": "2023-13-45"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"from": "2023-05-01", "to": "2023-04-01"}, "from"),
    ({"page": "-1"}, "page"),
    ({"page": "0"}, "page"),
    ({"page": "abc"}, "page"),
    ({"page": "1.5"}, "page"),
    ({"size": "100000"}, "size"),
    ({"size": "0"}, "size"),
    ({"size": str(MAX_PAGE_SIZE + 1)}, "size"),
    ({"page": str(MAX_RESULT_WINDOW // 10 + 1)}, "page"),
    ({"sort": "xyz"}, "sort"),
    ({"title_only": "maybe"}, "title_only"),
    ({"dept": [f"部门{i}" for i in range(MAX_FILTER_VALUES + 1)]}, "dept"),
    ({"dept": "长" * 1000}, "dept"),
    ({"from": "2" * 1000}, "from"),
    ({"from": "2023-02-29"}, "from"),
    ({"to": "9999-12-31"}, "to"),
    ({"from": "0001-01-01"}, "from"),
    ({"from": "２０２３年13月01日"}, "from"),
    ({"from": "2023-01"}, "from"),
    ({"q": "x" * 20000}, "q"),
]


@pytest.mark.parametrize("params,name", BAD, ids=[n + str(i) for i, (_, n) in enumerate(BAD)])
def test_bad_parameters_are_400(client, params, name):
    page = client.get("/search", query_string={"q": "学院", **params})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    if name in ("from", "to"):   # the search without the dates, the message above it
        assert "以下结果没有按日期筛选" in html and 'aria-invalid="true"' in html
    else:
        assert "请求参数有误" in html
    assert "Traceback" not in html
    assert page.headers["Content-Security-Policy"] == CSP
    r = client.get("/api/search", query_string={"q": "学院", **params})
    assert r.status_code == 400
    data = r.get_json()
    assert list(data) == ["error", "status"] and data["status"] == 400 and data["error"]


def test_bad_date_message_is_readable(client):
    html = client.get("/search?q=a&from=2023-13-45").get_data(as_text=True)
    assert "2023-13-45" in html and "不是有效的日期" in html
    assert 'name="q" type="search" value="a"' in html  # the query box keeps the text
    err = client.get("/api/search?from=2023-05-01&to=2023-04-01").get_json()["error"]
    assert "晚于" in err and "after" in err


def test_result_window_edge_is_allowed(client):
    assert client.get("/api/search", query_string={"page": MAX_RESULT_WINDOW // 10}).status_code == 200
    assert client.get("/search", query_string={"page": 3, "q": "华中数控"}).status_code == 200


ODD = ['"', '""', "'", "AND", "OR", "NOT", "AND OR NOT", "*", "?", "title:", "title:产教",
       "body:(", "(", ")", "[", "]", "{", "}", "~", "^2", "-", "+", "\\", "/", "%", "%%",
       "a" * 5000, "产" * 5000, "😀", "🎓 产教融合 👩‍🎓", "ｈｔｍｌ　ＡＮＤ　产教融合", "＂产教融合＂",
       "產教融合", "a\x00b", "\x01\x02\x03", "产\u202e教", "\ufeff", "<script>", "&amp;",
       "' OR 1=1 --", "${jndi:ldap://x}", "{{7*7}}", " ", "\t\n", "-产教融合", '"产教 融合',
       "\U0010ffff"]


@pytest.mark.parametrize("q", ODD, ids=[f"odd{i}" for i in range(len(ODD))])
def test_odd_queries_never_fail(client, q):
    r = client.get("/search", query_string={"q": q}, follow_redirects=True)
    assert r.status_code == 200, r.data[:500]
    # (the static files' version hashes may hold any digits)
    assert "{{7*7}}" not in q or "49" not in re.sub(r"\?v=[0-9a-f]{12}", "", r.get_data(as_text=True)).split("找到约")[0]
    r = client.get("/api/search", query_string={"q": q, "sort": "date", "title_only": "1"})
    assert r.status_code == 200
    assert isinstance(r.get_json()["total"], int)


def test_raw_odd_query_strings(client):
    for qs in ("q=%ff%fe", "q=%", "q=%E4%BA", "q&q", "page=%00", "dept=&dept=", "from=&to=",
               "q=a&q=b", "size=", "=x", "&&&", "q=%0d%0aSet-Cookie:x=1"):
        for path in ("/search", "/api/search"):
            r = client.get(f"{path}?{qs}", follow_redirects=True)
            assert r.status_code in (200, 400), (path, qs, r.status_code)
            assert "Set-Cookie" not in r.headers


def test_control_characters_are_dropped():
    assert clean_text("产教\x00融合\x07") == "产教融合"
    assert clean_text(" a\tb\nc ") == "a b c"
    assert clean_text("产\u202e教") == "产教"
    assert clean_text("👩‍🎓") == "👩‍🎓"


def test_parse_query_round_trip():
    args = MultiDict([("q", " 产教融合 "), ("from", "2023-01-01"), ("to", "2023-12-31"),
                      ("dept", "教务处"), ("dept", "团委"), ("dept", "教务处"), ("column", "通知公告"),
                      ("sort", "date"), ("page", "2"), ("size", "20"), ("title_only", "1")])
    q = parse_query(args)
    assert q.text == "产教融合" and q.departments == ("教务处", "团委")
    assert q.columns == ("通知公告",) and q.page == 2 and q.size == 20 and q.title_only
    assert parse_query(MultiDict(query_pairs(q))) == q
    assert parse_query(MultiDict()).sort == "date"   # no text: newest first
    assert parse_query(MultiDict([("q", "x")])).sort == "relevance"
    with pytest.raises(ParamError) as err:
        parse_query(MultiDict([("page", "abc")]))
    assert err.value.param == "page" and "页码" in err.value.zh and "page" in err.value.en


# -- headers -------------------------------------------------------------------
def test_security_headers_everywhere(client):
    aid = fx.id_of_title("数控实训基地通过省级验收")
    for url in ("/", "/search?q=产教融合", "/api/search?q=x", f"/article/{aid}", "/healthz",
                "/nope", "/api/nope", "/search?page=x", "/static/style.css"):
        r = client.get(url)
        assert r.headers["Content-Security-Policy"] == CSP, url
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
        assert r.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP


def test_static_assets_are_served(client):
    r = client.get("/static/style.css")
    assert r.status_code == 200 and r.mimetype == "text/css"
    css = r.get_data(as_text=True)
    assert "@import" not in css and "url(http" not in css and "@font-face" not in css
    r.close()


# -- no index ------------------------------------------------------------------
def test_missing_index_is_503(tmp_path):
    app = create_app({"DATA_DIR": tmp_path})
    client = app.test_client()
    for url in ("/", "/search?q=产教融合", "/article/0123456789abcdef"):
        r = client.get(url)
        assert r.status_code == 503
        html = r.get_data(as_text=True)
        assert "搜索暂不可用" in html and "news-indexer update" in html
        assert str(tmp_path) not in html
        assert r.headers["Content-Security-Policy"] == CSP
    r = client.get("/api/search?q=x")
    assert r.status_code == 503
    assert r.get_json()["status"] == 503 and "news-indexer update" in r.get_json()["error"]
    r = client.get("/healthz")
    assert r.status_code == 503 and r.get_json()["status"] == "no-index"
    # bad parameters are still told apart from the missing index
    assert client.get("/api/search?page=abc").status_code == 400


def test_new_index_is_picked_up_without_restart(tmp_path, engine_name):
    app = create_app({"DATA_DIR": tmp_path, "REFRESH_INTERVAL": 0})
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    fx.build(tmp_path / "index")
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json()["articles"] == len(fx.ARTICLES)
    app.extensions["news_engine"].close()


def test_config_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWS_DATA_DIR", str(tmp_path))
    app = create_app()
    assert app.config["DATA_DIR"] == tmp_path
    assert app.config["INDEX_DIR"] == tmp_path / "index"
    assert app.config["SITE_TITLE"] == "高校新闻搜索"
    app2 = create_app({"SITE_TITLE": "宜宾职院新闻搜索", "INDEX_DIR": tmp_path / "elsewhere"})
    assert app2.config["INDEX_DIR"] == tmp_path / "elsewhere"
    assert "宜宾职院新闻搜索" in app2.test_client().get("/").get_data(as_text=True)


# -- the server command -----------------------------------------------------------
def test_cli_rejects_bad_port(capsys):
    from webui.cli import main
    for port in ("0", "70000", "http"):
        with pytest.raises(SystemExit) as exc:
            main(["serve", "--port", port])
        assert exc.value.code == 2
    assert "port" in capsys.readouterr().err


def test_cli_port_in_use(tmp_path, capsys):
    import socket
    from webui.cli import main
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["serve", "--port", str(port), "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "cannot listen" in err and str(port) in err


def test_cli_without_command_is_usage_error(capsys):
    from webui.cli import main
    assert main([]) == 2


def test_cli_serves_with_waitress(data_dir):
    """`news-web serve` as an operator runs it: a real process on a free loopback port."""
    import json
    import socket
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "webui.cli", "serve", "--port", str(port), "--threads", "2",
         "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parent.parent)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.strip() == f"Serving on http://127.0.0.1:{port}/"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as r:
            assert r.status == 200
            assert json.loads(r.read())["articles"] == len(fx.ARTICLES)
            assert r.headers["Content-Security-Policy"] == CSP
        with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/search?q=%E5%8D%8E%E4%B8%AD%E6%95%B0%E6%8E%A7",
                timeout=30) as r:
            assert json.loads(r.read())["total"] == len(fx.containing("华中数控"))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]


# -- anything at all: 200 or 400, never 500 --------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
_param = st.sampled_from(["q", "from", "to", "dept", "column", "site", "sort", "page", "size",
                          "title_only", "x"])
_value = st.one_of(_text, st.sampled_from(["", "1", "-1", "0", "2023-01-01", "2023-13-45", "date",
                                           "relevance", fx.JW, "99999999999999999999"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(_param, _value), max_size=8))
def test_any_parameters_never_500(client, pairs):
    for path in ("/search", "/api/search"):
        r = client.get(path, query_string=pairs, follow_redirects=True)
        assert r.status_code in (200, 400), (path, pairs, r.status_code)
        assert len(r.history) <= 1   # one step to the canonical address, never a loop
        if path == "/api/search":
            assert r.is_json
