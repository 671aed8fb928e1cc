"""The search page's newer parts: date presets and chips, columns and colleges, the
empty-result advice, suggestions and the query log, the Atom feed, OpenSearch, the
college's name, logo and colour, and the server command's configuration file."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from indexer.ids import article_id
from tests import webui_fixtures as fx
from webui import create_app
from webui.app import CSP
from webui.config import ConfigError, contrast, load_file, theme_css
from webui.params import ParamError, parse_params, query_pairs, range_start
from webui.querylog import QueryLog, normalise

ATOM = "{http://www.w3.org/2005/Atom}"
OS = "{http://a9.com/-/spec/opensearch/1.1/}"
TODAY = date.fromisoformat(fx.TODAY)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, engine_name: str) -> Path:
    return fx.build(tmp_path_factory.mktemp("features-index") / "index")


@pytest.fixture()
def app(index_dir: Path, tmp_path: Path):
    # a fresh data dir (and so a fresh query log) for each test, the shared index
    app = create_app({"DATA_DIR": tmp_path, "INDEX_DIR": index_dir, "TESTING": True,
                      "TODAY": fx.TODAY, "SITES": fx.SITES, "SUGGEST_MIN_COUNT": 2,
                      "SUGGEST_MIN_CLIENTS": 2})
    yield app
    app.extensions["news_engine"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


def api(client, path="/api/search", **params):
    r = client.get(path, query_string=params)
    assert r.status_code == 200, r.data[:300]
    return r.get_json()


def reader(n: int) -> dict:
    """Request options that make the test client the ``n``-th of several readers."""
    return {"environ_base": {"REMOTE_ADDR": f"192.0.2.{n}"}, "headers": {"User-Agent": f"reader {n}"}}


def text(client, url, **params) -> str:
    r = client.get(url, query_string=params) if params else client.get(url)
    assert r.status_code == 200, r.data[:300]
    return r.get_data(as_text=True)


# -- date presets -----------------------------------------------------------------------
def test_range_start():
    assert range_start("week", date(2024, 7, 15)) == date(2024, 7, 8)
    assert range_start("month", date(2024, 7, 15)) == date(2024, 6, 15)
    assert range_start("month", date(2024, 3, 31)) == date(2024, 2, 29)
    assert range_start("month", date(2024, 1, 10)) == date(2023, 12, 10)
    assert range_start("year", date(2024, 2, 29)) == date(2023, 2, 28)


@pytest.mark.parametrize("name,days", [("week", 7), ("month", 30), ("year", 366)])
def test_presets_filter_by_date(client, name, days):
    data = api(client, range=name, size=50)
    start = range_start(name, TODAY).isoformat()
    want = fx.ids_where(lambda a: a.published[:10] >= start)
    assert {h["id"] for h in data["hits"]} == want and data["total"] == len(want)
    assert TODAY - date.fromisoformat(start) <= timedelta(days=days)


def test_typed_dates_win_over_the_preset():
    sp = parse_params(MultiDict([("range", "week"), ("from", "2022-01-01")]), TODAY)
    assert sp.range is None and sp.query.date_from == date(2022, 1, 1)
    sp = parse_params(MultiDict([("range", "month"), ("from", ""), ("to", "")]), TODAY)
    assert sp.range == "month" and sp.query.date_from == date(2024, 6, 15)
    assert query_pairs(sp.query, range=sp.range) == [("range", "month")]


def test_preset_is_kept_by_links_and_the_form(client):
    html = text(client, "/search", q="实训", range="year", dept=fx.ZZ)
    assert '<input type="hidden" form="search-form" name="range" value="year">' in html
    nav_links = re.findall(r'href="(/search\?[^"]*)"', unescape(html))
    # (the sort is one select of the form now: a link that changes another filter)
    size_link = next(l for l in nav_links if "dept" not in parse_qs(urlsplit(l).query))
    assert parse_qs(urlsplit(size_link).query)["range"] == ["year"]
    # the date inputs stay empty: the preset is relative to today
    assert re.search(r'<input id="from" name="from" type="text" form="search-form"[^>]* value="">', html)
    assert 'aria-current="true" class="active">一年内<' in html


# -- chips -------------------------------------------------------------------------------
def test_chips_remove_one_filter_each(client):
    html = unescape(text(client, "/search", q="实训", dept=[fx.ZZ, fx.JW], column="学院动态",
                         site=fx.SITE2, title_only=1, **{"from": "2023-01-01", "to": "2023-12-31"}))
    chips = re.findall(r'<a class="chip" href="([^"]*)" aria-label="取消([^"]*)"', html)
    labels = [label for _, label in chips]
    assert labels == ["日期：2023 年", f"部门：{fx.ZZ}", f"部门：{fx.JW}", "栏目：学院动态",
                      "学校：泸州职业技术学院", "范围：只搜标题"]
    params = {label: parse_qs(urlsplit(url).query) for url, label in chips}
    assert "from" not in params["日期：2023 年"] and params["日期：2023 年"]["dept"] == [fx.ZZ, fx.JW]
    assert params[f"部门：{fx.ZZ}"]["dept"] == [fx.JW]
    assert "column" not in params["栏目：学院动态"]
    assert "site" not in params["学校：泸州职业技术学院"]
    assert "title_only" not in params["范围：只搜标题"]
    for p in params.values():
        assert p["q"] == ["实训"]
    assert "清除全部" in html


# -- columns, colleges, sizes --------------------------------------------------------------
def test_column_and_college_facets(client):
    data = api(client, q="实训")
    columns = {f["value"]: f["count"] for f in data["facets"]["column"]}
    assert columns["通知公告"] == len(fx.containing("实训") & fx.ids_where(lambda a: a.column == "通知公告"))
    sites = {f["value"]: f["count"] for f in data["facets"]["site"]}
    assert sites == {fx.SITE: len(fx.containing("实训") & fx.ids_where(lambda a: a.site == fx.SITE)),
                     fx.SITE2: len(fx.containing("实训") & fx.ids_where(lambda a: a.site == fx.SITE2))}
    assert {h["college"] for h in api(client, q="实训", size=50)["hits"]} == set(fx.SITES.values())
    data = api(client, q="实训", site=fx.SITE2, column="学院新闻", size=50)
    want = fx.containing("实训") & fx.ids_where(lambda a: a.site == fx.SITE2 and a.column == "学院新闻")
    assert {h["id"] for h in data["hits"]} == want
    html = text(client, "/search", q="实训")
    assert 'name="site" value="luzhou"' in html and "泸州职业技术学院" in html
    assert 'name="column" value="通知公告"' in html
    assert '<span class="college">宜宾职业技术学院</span>' in html


def test_college_facet_hidden_with_one_site(client):
    html = text(client, "/search", q="华中数控")   # all from one college
    assert 'name="site"' not in html


def test_page_sizes(client):
    html = text(client, "/search", q="学院", size=20)
    assert '<option value="20" selected>20 条</option>' in html
    assert re.findall(r'<option value="(\d+)"', html) == ["10", "20", "50"]
    assert '<option value="7" selected>' in text(client, "/search", q="学院", size=7)


# -- empty results -------------------------------------------------------------------------
def test_empty_result_says_which_filter_to_drop(client):
    html = unescape(text(client, "/search", q="实训", dept=fx.TW, column="学院动态"))
    assert "没有找到与“实训”并符合所选条件的新闻" in re.sub(r"<[^>]+>", "", html)
    advice = re.findall(r'<li class="advice"><a href="([^"]*)">去掉([^<]*)</a>，可找到 (\d+) 条</li>', html)
    # only the filter whose removal finds something is offered, with what it finds
    assert [label for _, label, _ in advice] == [f"部门（{fx.TW}）"]
    url, _, n = advice[0]
    assert int(n) == len(fx.containing("实训") & fx.ids_where(lambda a: a.column == "学院动态"))
    assert parse_qs(urlsplit(url).query) == {"q": ["实训"], "column": ["学院动态"]}
    assert re.search(r'<a class="clear-all" href="/search\?q=[^"&]*">去掉全部筛选条件</a>，可找到 \d+ 条', html)


def test_empty_result_with_title_only(client):
    html = unescape(text(client, "/search", q="考务安排", title_only=1))
    assert "去掉“只搜标题”</a>，可找到 1 条" in html


def test_empty_result_with_partial_matches(client):
    html = text(client, "/search", q="华中数控 不存在的词语")
    assert "以下是部分匹配" in html and 'class="hit"' in html


# -- suggestions and the query log --------------------------------------------------------
def test_suggest_titles(client):
    data = api(client, "/api/suggest", q="华中")
    assert data["query"] == "华中"
    assert {s["text"] for s in data["suggestions"]} == {
        a.title for a in fx.ARTICLES if "华中" in a.title}
    assert all(s["kind"] == "title" for s in data["suggestions"])
    assert api(client, "/api/suggest", q="")["suggestions"] == []
    assert api(client, "/api/suggest", q="  ")["suggestions"] == []
    assert len(api(client, "/api/suggest", q="学", limit=3)["suggestions"]) == 3


def test_popular_queries_are_suggested_once_searched_often(client):
    client.get("/search", query_string={"q": "产教融合"}, **reader(1))
    client.get("/search", query_string={"q": "产教融合"}, **reader(1))   # the same reader again
    assert all(s["kind"] == "title" for s in api(client, "/api/suggest", q="产教")["suggestions"])
    client.get("/api/search", query_string={"q": "产教融合"}, **reader(2))
    first = api(client, "/api/suggest", q="产教")["suggestions"][0]
    assert first == {"text": "产教融合", "kind": "query"}
    # a query that found nothing is not offered to others
    for n in range(3):
        client.get("/search", query_string={"q": "产教不存在"}, **reader(n))
    texts = [s["text"] for s in api(client, "/api/suggest", q="产教")["suggestions"]]
    assert "产教不存在" not in texts


def test_opensearch_suggestions(client):
    r = client.get("/api/suggest?q=华中&format=opensearch")
    assert r.status_code == 200 and r.mimetype == "application/x-suggestions+json"
    prefix, texts = json.loads(r.data)
    assert prefix == "华中" and "华中数控专家来校开展数控系统培训" in texts


def test_query_log_keeps_no_personal_data(app, client):
    client.get("/api/search", query_string={"q": "  ＨＵＡＷＥＩ　共建 "},
               headers={"User-Agent": "secret-agent", "X-Forwarded-For": "10.1.2.3"},
               environ_base={"REMOTE_ADDR": "192.0.2.7"})
    client.get("/search", query_string={"q": "13812345678"})
    client.get("/search", query_string={"q": "张三 zhangsan@example.com"})
    client.get("/search", query_string={"q": "实训", "page": 2})     # paging is not a new search
    client.get("/search", query_string={"q": "实训", "dept": fx.ZZ})  # nor is filtering
    path = app.config["DATA_DIR"] / "queries.sqlite3"
    import sqlite3
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT * FROM searches").fetchall()
        columns = [c[1] for c in conn.execute("PRAGMA table_info(searches)")]
        seen = conn.execute("SELECT * FROM seen").fetchall()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert columns == ["query", "hour", "count", "results", "clients"]
    assert tables == {"searches", "seen"}
    assert len(rows) == 1
    query, hour, count, results, clients = rows[0]
    assert query == "huawei 共建" and count == 1 and clients == 1
    assert results == api(client, q="huawei 共建")["total"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d", hour)
    # the client is a 16-byte key (an HMAC under a salt that is not in the file)
    assert len(seen) == 1 and seen[0][1] == "huawei 共建" and len(seen[0][2]) == 16
    raw = b"".join(p.read_bytes() for p in path.parent.glob("queries.sqlite3*"))
    for secret in (b"secret-agent", b"10.1.2.3", b"192.0.2.7", b"13812345678", b"zhangsan"):
        assert secret not in raw


def test_query_log_top_and_zero(tmp_path):
    log = QueryLog(tmp_path / "q.sqlite3")
    now = datetime(2024, 7, 15, 12)
    for n in range(3):
        log.record("产教融合", 12, when=now, client=log.client_key(f"192.0.2.{n}", "x", when=now))
    log.record("产教融合", 12, when=now - timedelta(days=1))
    log.record("华为", 0, when=now)
    log.record("华为", 0, when=now - timedelta(hours=2))
    log.record("旧的", 5, when=now - timedelta(days=60))
    top = log.top(days=30, now=now)
    assert [(t.query, t.searches, t.results) for t in top] == [("产教融合", 4, 12), ("华为", 2, 0)]
    assert [t.query for t in log.top(days=30, zero=True, now=now)] == ["华为"]
    assert [t.query for t in log.top(days=90, now=now)] == ["产教融合", "华为", "旧的"]
    assert log.popular("产教", min_count=4, now=now) == ["产教融合"]
    assert log.popular("产教", min_count=5, now=now) == []
    assert log.similar("产教融和", min_count=2, now=now) == "产教融合"
    assert log.similar("完全无关", min_count=2, now=now) is None
    assert normalise("＂产教　融合＂") == '"产教 融合"'
    log.close()


def test_query_log_never_breaks_search(tmp_path, index_dir):
    (tmp_path / "queries.sqlite3").mkdir()   # not a database
    app = create_app({"DATA_DIR": tmp_path, "INDEX_DIR": index_dir})
    assert app.test_client().get("/search?q=实训").status_code == 200
    assert app.test_client().get("/api/suggest?q=实训").status_code == 200
    app.extensions["news_engine"].close()


def test_query_log_can_be_off(tmp_path, index_dir):
    app = create_app({"DATA_DIR": tmp_path, "INDEX_DIR": index_dir, "QUERY_LOG": False})
    assert app.test_client().get("/search?q=实训").status_code == 200
    assert not (tmp_path / "queries.sqlite3").exists()
    app.extensions["news_engine"].close()


def test_top_queries_command(app, client, capsys):
    from webui.cli import main
    for q in ("实训", "实训", "不存在的东西"):
        client.get("/search", query_string={"q": q})
    data_dir = str(app.config["DATA_DIR"])
    assert main(["top-queries", "--data-dir", data_dir]) == 0
    out = capsys.readouterr().out
    assert "热门搜索" in out
    lines = out.splitlines()
    assert lines[1].split() == ["次数", "结果数", "查询"]
    assert lines[2].split() == ["2", str(len(fx.containing("实训"))), "实训"]
    assert main(["top-queries", "--data-dir", data_dir, "--zero", "--json"]) == 0
    rows = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert rows == [{"query": "不存在的东西", "searches": 1, "results": 0}]
    with pytest.raises(SystemExit) as exc:
        main(["top-queries", "--days", "0"])
    assert exc.value.code == 2


def test_did_you_mean_from_popular_queries(client):
    for n in range(2):
        client.get("/search", query_string={"q": "产教融合"}, **reader(n))
    # as typed (仍然搜索): the suggestion, and a link to it that corrects again
    data = api(client, q="产教融和", typed="1")
    assert data["total"] == 0 and data["suggestion"] == "产教融合"
    html = text(client, "/search", q="产教融和", typed="1")
    link = re.search(r'您是不是要找：<a href="([^"]*)">产教融合</a>', html)
    assert link and parse_qs(urlsplit(unescape(link.group(1))).query) == {"q": ["产教融合"], "typed": ["1"]}
    # by default the page shows the corrected results at once
    assert api(client, q="产教融和")["corrected_from"] == "产教融和"


def test_did_you_mean_from_the_index_vocabulary(client):
    data = api(client, q="chanjiaoronghe", typed="1")        # pinyin, never searched before
    assert data["total"] == 0 and data["suggestion"] == "产教融合"
    html = text(client, "/search", q="产教容合 实训", typed="1")
    assert re.search(r'您是不是要找：<a href="[^"]*">产教融合 实训</a>', html)


# -- the snapshot and its related news ------------------------------------------------------
def test_snapshot_shows_related_news(client):
    aid = fx.id_of_title("数控实训基地通过省级验收")
    html = text(client, f"/article/{aid}")
    assert "相关新闻" in html
    related = re.findall(r'<a href="/article/([0-9a-f]{16})">', html)
    assert related and aid not in related
    assert "学校</dt><dd>宜宾职业技术学院" in html
    data = api(client, f"/api/article/{aid}")
    assert [r["id"] for r in data["related"]] == related
    assert data["college"] == "宜宾职业技术学院"


# -- the Atom feed ---------------------------------------------------------------------------
def _rfc3339(stamp: str) -> datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", stamp), stamp
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def check_atom(body: bytes) -> ET.Element:
    """RFC 4287's requirements on a feed and its entries."""
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    _rfc3339(root.findtext(f"{ATOM}updated"))
    assert root.find(f"{ATOM}author/{ATOM}name").text
    self_links = [l for l in root.findall(f"{ATOM}link") if l.get("rel") == "self"]
    assert len(self_links) == 1 and self_links[0].get("href").startswith("http")
    ids = set()
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        ids.add(entry.findtext(f"{ATOM}id"))
        assert urlsplit(entry.findtext(f"{ATOM}id")).scheme in ("http", "https")
        _rfc3339(entry.findtext(f"{ATOM}updated"))
        alternates = [l for l in entry.findall(f"{ATOM}link") if l.get("rel") == "alternate"]
        assert len(alternates) == 1
        summary = entry.find(f"{ATOM}summary")
        assert summary is not None and summary.get("type") == "html"
    assert len(ids) == len(root.findall(f"{ATOM}entry"))
    return root


def test_feed_for_a_teacher(client):
    r = client.get("/feed", query_string={"q": "技能大赛", "dept": fx.ZZ})
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    assert r.headers["Content-Security-Policy"] == CSP
    root = check_atom(r.data)
    entries = root.findall(f"{ATOM}entry")
    want = fx.containing("技能大赛") & fx.ids_where(lambda a: a.department == fx.ZZ)
    assert len(entries) == len(want) == 1
    entry = entries[0]
    assert entry.findtext(f"{ATOM}title") == "我校学子在全国职业院校技能大赛中获一等奖"
    assert entry.find(f"{ATOM}link").get("href") == f"{fx.BASE}0005.htm"
    assert "<mark>技能大赛</mark>" in entry.findtext(f"{ATOM}summary")
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == [fx.ZZ, "今日宜职"]
    assert "技能大赛" in root.findtext(f"{ATOM}title") and fx.ZZ in root.findtext(f"{ATOM}title")
    assert entry.findtext(f"{ATOM}updated") == "2024-06-01T00:00:00+08:00"


def test_feed_is_newest_first_whatever_the_sort(client):
    r = client.get("/feed", query_string={"q": "实训", "sort": "relevance", "size": 50})
    root = check_atom(r.data)
    stamps = [_rfc3339(e.findtext(f"{ATOM}updated")) for e in root.findall(f"{ATOM}entry")]
    assert len(stamps) == len(fx.containing("实训"))
    assert stamps == sorted(stamps, reverse=True)
    assert root.findtext(f"{ATOM}updated") == root.find(f"{ATOM}entry").findtext(f"{ATOM}updated")
    default = check_atom(client.get("/feed").data)
    assert len(default.findall(f"{ATOM}entry")) == 20
    assert "最新文章" in default.findtext(f"{ATOM}title")


def test_feed_escapes_and_is_linked(client):
    root = check_atom(client.get("/feed?q=测试").data)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert fx.SCRIPT_TITLE in titles
    html = text(client, "/search", q="技能大赛", dept=fx.ZZ)
    link = re.search(r'<link rel="alternate" type="application/atom\+xml" href="([^"]*)"', html)
    assert link and parse_qs(urlsplit(unescape(link.group(1))).query) == {
        "q": ["技能大赛"], "dept": [fx.ZZ]}


def test_feed_uses_public_url(index_dir, tmp_path):
    app = create_app({"DATA_DIR": tmp_path, "INDEX_DIR": index_dir,
                      "PUBLIC_URL": "https://news.example.edu.cn"})
    root = check_atom(app.test_client().get("/feed?q=实训").data)
    assert root.findtext(f"{ATOM}id").startswith("https://news.example.edu.cn/feed?")
    app.extensions["news_engine"].close()


def test_feed_strips_what_xml_forbids():
    from webui.filters import xml_safe
    assert xml_safe("a\x00b\x0bc\x1fd\ufffee\n\tf") == "abcde\n\tf"


# -- OpenSearch ----------------------------------------------------------------------------
def test_opensearch_description(client):
    r = client.get("/opensearch.xml")
    assert r.status_code == 200 and r.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(r.data)
    assert root.tag == f"{OS}OpenSearchDescription"
    short = root.findtext(f"{OS}ShortName")
    assert short and len(short) <= 16
    assert len(root.findtext(f"{OS}Description")) <= 1024
    assert root.findtext(f"{OS}InputEncoding") == "UTF-8"
    urls = {u.get("type"): u.get("template") for u in root.findall(f"{OS}Url")}
    assert urls["text/html"] == "http://localhost/search?q={searchTerms}"
    assert urls["application/atom+xml"] == "http://localhost/feed?q={searchTerms}"
    assert urls["application/x-suggestions+json"].endswith("q={searchTerms}")
    html = text(client, "/")
    assert ('<link rel="search" type="application/opensearchdescription+xml" '
            'href="/opensearch.xml" title="高校新闻搜索">') in html
    # the templates work
    assert client.get(urls["text/html"].replace("{searchTerms}", "实训")).status_code == 200
    assert client.get(urls["application/x-suggestions+json"].replace("{searchTerms}", "实训")).status_code == 200


# -- the college's name, logo and colour ---------------------------------------------------------
def test_theme_logo_and_title(index_dir, tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4"/></svg>')
    app = create_app({"DATA_DIR": tmp_path, "INDEX_DIR": index_dir, "SITE_TITLE": "宜宾职院新闻搜索",
                      "LOGO": str(logo), "PRIMARY_COLOR": "#C8102E",
                      "SITE_DESCRIPTION": "宜宾职业技术学院新闻、通知检索"})
    client = app.test_client()
    html = text(client, "/")
    assert '<link rel="stylesheet" href="/theme.css">' in html
    assert '<img class="hero-logo" src="/logo" alt=""' in html and "宜宾职院新闻搜索" in html
    assert "宜宾职业技术学院新闻、通知检索" in html
    assert '<img class="logo" src="/logo"' in text(client, "/search", q="实训")
    css = client.get("/theme.css")
    assert css.mimetype == "text/css" and "--accent: #c8102e" in css.get_data(as_text=True)
    assert css.headers["Content-Security-Policy"] == CSP
    r = client.get("/logo")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    r.close()
    assert "宜宾职院新闻搜索" in ET.fromstring(client.get("/opensearch.xml").data).findtext(f"{OS}ShortName")
    app.extensions["news_engine"].close()
    # without them: no theme, no logo
    plain = create_app({"DATA_DIR": tmp_path, "INDEX_DIR": index_dir})
    c = plain.test_client()
    assert "theme.css" not in text(c, "/") and c.get("/theme.css").status_code == 404
    assert c.get("/logo").status_code == 404
    plain.extensions["news_engine"].close()


@pytest.mark.parametrize("color", ["#ffff00", "#1d4ed8", "#c8102e", "#00ff00", "#000000", "#ffffff"])
def test_theme_colours_stay_readable(color):
    css = theme_css(color)
    values = dict(re.findall(r"--(accent-fg|link): (#[0-9a-f]{6})", css.split("@media")[0]))
    assert contrast(values["accent-fg"], color) >= 4.5 or contrast("#111111", color) < 4.5
    assert contrast(values["link"], "#ffffff") >= 4.5
    dark = dict(re.findall(r"--(link): (#[0-9a-f]{6})", css.split("@media")[1]))
    assert contrast(dark["link"], "#16181c") >= 4.5


@pytest.mark.parametrize("config,word", [
    ({"PRIMARY_COLOR": "red"}, "PRIMARY_COLOR"),
    ({"PRIMARY_COLOR": "#12345"}, "PRIMARY_COLOR"),
    ({"PRIMARY_COLOR": "#1234567"}, "PRIMARY_COLOR"),
    ({"LOGO": "https://cdn.example.com/logo.png"}, "another host"),
    ({"LOGO": "//cdn.example.com/logo.png"}, "another host"),
    ({"LOGO": "/nonexistent/logo.png"}, "not found"),
    ({"LOGO": "/etc/passwd"}, "LOGO must be one of"),
    ({"SITES": ["demo"]}, "SITES"),
    ({"SITE_TITLE": "长" * 100}, "SITE_TITLE"),
    ({"PUBLIC_URL": "javascript:alert(1)"}, "PUBLIC_URL"),
    ({"SUGGEST_MIN_COUNT": 0}, "SUGGEST_MIN_COUNT"),
])
def test_bad_site_settings_are_refused(tmp_path, config, word):
    with pytest.raises(ConfigError) as err:
        create_app({"DATA_DIR": tmp_path, **config})
    assert word in str(err.value)


def test_site_names_default_to_the_site_configurations(tmp_path):
    app = create_app({"DATA_DIR": tmp_path})
    assert app.config["SITES"].get("demo") == "蜀江职业技术学院"


def test_config_file(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = tmp_path / "web.toml"
    path.write_text('title = "蜀江职院新闻搜索"\nlogo = "logo.png"\nprimary_color = "#0b5cab"\n'
                    'data_dir = "var"\nsuggest_min_count = 5\n[colleges]\ndemo = "蜀江职业技术学院"\n'
                    '[server]\nport = 8123\nthreads = 4\n', encoding="utf-8")
    config, server = load_file(path)
    assert config == {"SITE_TITLE": "蜀江职院新闻搜索", "LOGO": str(tmp_path / "logo.png"),
                      "PRIMARY_COLOR": "#0b5cab", "DATA_DIR": str(tmp_path / "var"),
                      "SUGGEST_MIN_COUNT": 5, "SITES": {"demo": "蜀江职业技术学院"}}
    assert server == {"port": 8123, "threads": 4}
    for bad, word in [('titel = "x"\n', "unknown key 'titel'"), ("title = 3\n", "title must be str"),
                      ("[server]\nworkers = 2\n", "server.workers"), ("title = \n", "not valid TOML"),
                      ("[colleges]\ndemo = 1\n", "[colleges]")]:
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            load_file(path)
        assert word in str(err.value)


def test_serve_with_a_bad_config_file_exits_2(tmp_path, capsys):
    from webui.cli import main
    path = tmp_path / "web.toml"
    path.write_text('primary_color = "blue"\n', encoding="utf-8")
    assert main(["serve", "--config", str(path), "--data-dir", str(tmp_path)]) == 2
    assert "PRIMARY_COLOR" in capsys.readouterr().err
    assert main(["serve", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    path.write_text("[server]\nport = 99999\n", encoding="utf-8")
    assert main(["serve", "--config", str(path), "--data-dir", str(tmp_path)]) == 2
    assert "server.port" in capsys.readouterr().err


# -- 400s for the new parameters ------------------------------------------------------------
BAD = [
    ("/search", {"range": "decade"}),
    ("/search", {"range": ["week", "month"]}),
    ("/search", {"range": "长" * 300}),
    ("/api/search", {"range": "WEEK"}),
    ("/feed", {"range": "x"}),
    ("/feed", {"size": "51"}),
    ("/feed", {"from": "2023-02-30"}),
    ("/feed", {"page": "0"}),
    ("/api/suggest", {"q": "长" * 51}),
    ("/api/suggest", {"limit": "0"}),
    ("/api/suggest", {"limit": "11"}),
    ("/api/suggest", {"limit": "x"}),
    ("/api/suggest", {"limit": "１"}),
    ("/api/suggest", {"format": "xml"}),
    ("/api/suggest", {"q": ["a", "b"]}),
]


@pytest.mark.parametrize("path,params", BAD, ids=[f"{p}-{i}" for i, (p, _) in enumerate(BAD)])
def test_new_bad_parameters_are_400(client, path, params):
    r = client.get(path, query_string=params)
    assert r.status_code == 400
    assert r.headers["Content-Security-Policy"] == CSP
    body = r.get_data(as_text=True)
    assert "Traceback" not in body
    if path.startswith("/api/"):
        assert list(r.get_json()) == ["error", "status"]
    else:
        assert "请求参数有误" in body


def test_400_page_offers_the_search_without_the_bad_parameter(client):
    html = unescape(client.get("/search", query_string={"q": "实训", "dept": fx.ZZ,
                                                         "size": "0", "page": "2"}).get_data(as_text=True))
    link = re.search(r'<a href="([^"]*)">去掉这个条件，重新搜索</a>', html)
    assert link and parse_qs(urlsplit(link.group(1)).query) == {"q": ["实训"], "dept": [fx.ZZ]}
    # two faults: no such link (it would lead to another 400)
    html = client.get("/search?size=0&page=x").get_data(as_text=True)
    assert "去掉这个条件" not in html


def test_every_page_has_a_json_twin(client):
    aid = fx.id_of_title("数控实训基地通过省级验收")
    for url, twin in [("/", "/api/search?sort=date&amp;size=8"),
                      ("/search?q=实训&range=week", "/api/search?q=%E5%AE%9E%E8%AE%AD&amp;range=week"),
                      (f"/article/{aid}", f"/api/article/{aid}")]:
        html = text(client, url)
        assert f'<link rel="alternate" type="application/json" href="{twin}">' in html
        assert client.get(unescape(twin)).status_code == 200


# -- random parameters, every endpoint: never a 5xx ---------------------------------------------
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_param = st.sampled_from(["q", "from", "to", "range", "dept", "column", "site", "sort", "page",
                          "size", "title_only", "limit", "format", "fold", "near"])
_value = st.one_of(_text, st.sampled_from(["", "1", "0", "50", "week", "month", "year", "date",
                                           "opensearch", "2024-07-01", "2023-02-29", fx.ZZ,
                                           "luzhou", "-1", "1e3", "９", "0" * 16,
                                           fx.id_of_title("数控实训基地通过省级验收").upper()]))


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/search", "/api/search", "/feed", "/api/suggest"]),
       pairs=st.lists(st.tuples(_param, _value), max_size=6))
def test_random_parameters_never_5xx(client, path, pairs):
    r = client.get(path, query_string=pairs, follow_redirects=True)
    assert r.status_code in (200, 400), (path, pairs, r.status_code)
    if r.status_code == 200 and path == "/feed":
        check_atom(r.data)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=120))
def test_random_article_ids_never_5xx(client, segment):
    from urllib.parse import quote
    for prefix in ("/article/", "/api/article/"):
        r = client.get(prefix + quote(segment, safe=""))
        # a "/" in the id (sent as %2F, decoded by the server) gives "//": a redirect
        allowed = (200, 404, 308) if "/" in segment else (200, 404)
        assert r.status_code in allowed, (prefix, segment, r.status_code)


def test_home_page_is_cached_per_index_commit(app, client, monkeypatch):
    from indexer.search import SearchEngine
    calls = []
    real = SearchEngine.search
    monkeypatch.setattr(SearchEngine, "search", lambda self, q: calls.append(q) or real(self, q))
    for _ in range(3):
        assert "最新文章" in text(client, "/")
    assert len(calls) == 1


def test_example_config_file_loads(tmp_path):
    example = Path(__file__).resolve().parent.parent / "webui" / "site.example.toml"
    config, server = load_file(example)
    assert config["SITES"] == {"demo": "蜀江职业技术学院"} and server["threads"] == 8
    app = create_app({**config, "DATA_DIR": tmp_path})
    assert app.config["PRIMARY_COLOR"] == "#0b5cab"


def test_security_headers_on_the_new_routes(client):
    for url in ("/feed", "/opensearch.xml", "/api/suggest?q=实训", "/theme.css", "/logo",
                "/feed?range=bad", "/api/suggest?limit=x", "/static/suggest.js"):
        r = client.get(url)
        assert r.headers["Content-Security-Policy"] == CSP, url
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.status_code < 500
        r.close()
    js = client.get("/static/suggest.js")
    assert js.mimetype in ("text/javascript", "application/javascript")
    body = js.get_data(as_text=True)
    assert "innerHTML" not in body and "http" not in body and "eval(" not in body
    js.close()
