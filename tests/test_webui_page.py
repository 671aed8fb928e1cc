"""The search page, from good to the best: the snapshot keeps the search, dates as
readers type them, suggestions that open articles, 热门搜索 counted per reader, the
page that finds nothing, the help, the subscribe page, errors in Chinese, and
addresses that carry only what differs from the defaults."""
from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, timedelta, timezone
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.highlight import highlight
from indexer.ids import article_id
from tests import webui_fixtures as fx
from webui import create_app
from webui.config import default_description
from webui.dates import HTML_PATTERN, DateFormatError, InvalidDate, parse_date
from webui.filters import NO_DEPARTMENT as NO_DEPT
from webui.pages import HELP_EXAMPLES
from webui.params import from_form, range_start
from webui.querylog import SCHEMA_VERSION, QueryLog

TODAY = date.fromisoformat(fx.TODAY)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, engine_name: str) -> Path:
    return fx.build(tmp_path_factory.mktemp("page-index") / "index")


def make_app(index_dir: Path, data_dir: Path, **config):
    return create_app({"DATA_DIR": data_dir, "INDEX_DIR": index_dir, "TESTING": True,
                       "TODAY": fx.TODAY, "SITES": fx.SITES, **config})


@pytest.fixture()
def app(index_dir: Path, tmp_path: Path):
    app = make_app(index_dir, tmp_path)   # the default SUGGEST_MIN_COUNT and SUGGEST_MIN_CLIENTS: 3
    yield app
    app.extensions["news_engine"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


def reader(n: int) -> dict:
    """Request options that make the test client the ``n``-th of several readers."""
    return {"environ_base": {"REMOTE_ADDR": f"192.0.2.{n}"}, "headers": {"User-Agent": f"reader {n}"}}


def page(client, url: str, status: int = 200, **kw) -> str:
    r = client.get(url, **kw)
    assert r.status_code == status, (url, r.status_code, r.headers.get("Location"), r.data[:300])
    return r.get_data(as_text=True)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(unescape(url)).query)


# -- A. the snapshot keeps the search ----------------------------------------------------
def test_snapshot_link_carries_the_search_and_lands_on_the_first_match(client):
    html = page(client, "/search?q=产教融合&dept=智能制造学院&page=2&size=3&sort=date")
    links = re.findall(r'<a class="snapshot" href="([^"]*)"', html)
    want = fx.containing("产教融合") & fx.ids_where(lambda a: a.department == fx.ZZ)
    assert len(links) == min(3, len(want) - 3) > 0
    for link in links:
        url = unescape(link)
        assert url.startswith("/article/") and url.endswith("#first-match")
        assert query_of(url) == {"q": ["产教融合"], "dept": ["智能制造学院"], "sort": ["date"],
                                 "size": ["3"], "page": ["2"]}
    # only what differs from the defaults: no sort=relevance, size=10, page=1, empty dates
    link = unescape(re.search(r'<a class="snapshot" href="([^"]*)"', page(client, "/search?q=华中数控")).group(1))
    assert urlsplit(link).query == "q=%E5%8D%8E%E4%B8%AD%E6%95%B0%E6%8E%A7"
    # a browse without words has nothing to land on; a plain snapshot link has no query at all
    link = re.search(r'<a class="snapshot" href="([^"]*)"', page(client, "/search?dept=团委")).group(1)
    assert "#" not in link and query_of(link) == {"dept": ["团委"]}


def test_snapshot_highlights_the_query_as_the_results_page_does(client):
    title = "学校召开2023年产教融合工作年会"
    aid = fx.id_of_title(title)
    article = next(a for a in fx.ARTICLES if a.title == title)
    html = page(client, f"/article/{aid}?q=产教融合&dept=智能制造学院&page=2")
    # the same escaping highlighter as the results page, the same words
    assert f"<h1>{highlight(title, ['产教融合'])}</h1>" in html
    first = article.body.split("\n")[0]
    marked = highlight(first, ["产教融合"]).replace("<mark>", '<mark id="first-match">', 1)
    assert f"<p>{marked}</p>" in html
    assert html.count('id="first-match"') == 1
    # the query in the box, a link back to the very page of results
    assert 'name="q" type="search" value="产教融合"' in html
    back = re.search(r'<p class="back-to-results"><a href="([^"]*)">返回“产教融合”的搜索结果</a>', html)
    assert back and query_of(back.group(1)) == {"q": ["产教融合"], "dept": ["智能制造学院"], "page": ["2"]}
    assert urlsplit(unescape(back.group(1))).path == "/search"
    assert '<a href="#first-match">跳到第一处匹配</a>' in html
    # 在结果中搜索 from the snapshot too: the filter rides along, dropped unless ticked
    assert '<input type="hidden" name="dept" value="智能制造学院">' in html
    assert 'name="within" value="1"' in html
    assert f'<link rel="canonical" href="/article/{aid}">' in html


def test_snapshot_marks_synonyms_and_escapes(client):
    aid = fx.id_of_title("信息工程学院与华为共建ICT学院")
    html = page(client, f"/article/{aid}?q=信工学院")     # a synonym, as on the results page
    assert "<mark>信息工程学院</mark>" in html
    aid = fx.id_of_title(fx.SCRIPT_TITLE)
    html = page(client, f"/article/{aid}?q=不应加粗")
    assert '&lt;b&gt;<mark id="first-match">不应加粗</mark>&lt;/b&gt;' in html and "<b>" not in html
    assert "<h1>&lt;script&gt;" in html


def test_plain_snapshot_and_a_broken_search_in_its_address(client):
    aid = fx.id_of_title("数控实训基地通过省级验收")
    for url in (f"/article/{aid}", f"/article/{aid}?size=0", f"/article/{aid}?from=abc"):
        html = page(client, url)
        assert "back-to-results" not in html and "<mark" not in html
        assert 'name="prev"' not in html and 'name="q" type="search" value=""' in html


# -- B. dates ------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["2020-01-01", "20200101", "2020/1/1", "2020-1-1", "2020.1.1",
                                   "2020年1月1日", "2020年1月1", " 2020 年 01 月 01 日 ", "２０２０－０１－０１",
                                   "２０２０年１月１日", "2020/01/01", "2020.01.01", "2020 - 1 - 1"])
def test_dates_as_readers_type_them(typed):
    assert parse_date(typed) == date(2020, 1, 1)
    assert re.fullmatch(HTML_PATTERN, typed), "the page's pattern accepts what the server reads"


@pytest.mark.parametrize("typed", ["abc", "2020", "2020-01", "202011", "2020101", "1/1/2020",
                                   "01-01-2020", "2020-01-01-01", "2020年1月", "2020--1-1", "二〇二〇年一月一日",
                                   "2020-01-01T00:00", "٢٠٢٠-٠١-٠١"])
def test_what_is_not_a_date(typed):
    with pytest.raises(DateFormatError):
        parse_date(typed)
    assert not re.fullmatch(HTML_PATTERN, typed)


@pytest.mark.parametrize("typed", ["2023-02-29", "20231345", "2023年13月1日", "2024/2/30", "2023.00.10"])
def test_dates_not_on_the_calendar(typed):
    with pytest.raises(InvalidDate):
        parse_date(typed)


def test_forgiving_dates_mean_the_same_in_page_and_api(client):
    want = client.get("/api/search?from=2023-01-01&to=2023-12-31&size=50").get_json()
    for typed_from, typed_to in (("20230101", "20231231"), ("2023/1/1", "2023/12/31"),
                                 ("2023.1.1", "2023年12月31日"), ("2023-1-1", "２０２３－１２－３１")):
        got = client.get("/api/search", query_string={"from": typed_from, "to": typed_to, "size": 50}).get_json()
        assert got["total"] == want["total"] and got["hits"] == want["hits"]
        r = client.get("/search", query_string={"q": "学院", "from": typed_from, "to": typed_to})
        assert r.status_code == 302
        assert query_of(r.headers["Location"]) == {"q": ["学院"], "from": ["2023-01-01"], "to": ["2023-12-31"]}
    html = page(client, "/search?q=学院&from=2023-01-01&to=2023-12-31")
    assert 'value="2023-01-01"' in html and 'value="2023-12-31"' in html


def test_date_inputs_are_text_in_the_page_format(client):
    html = page(client, "/search?q=学院")
    for name in ("from", "to"):
        field = re.search(rf'<input id="{name}" name="{name}"[^>]*>', html).group(0)
        assert 'type="text"' in field and 'inputmode="numeric"' in field
        assert 'placeholder="YYYY-MM-DD"' in field
        assert f'pattern="{HTML_PATTERN}"' in unescape(field)
    assert 'type="date"' not in html
    # the server says what is wrong, in Chinese, whatever the browser's language
    assert re.search(r'<form id="search-form"[^>]* novalidate>', html)


@pytest.mark.parametrize("typed,says", [("abc", "无法识别"), ("2023-02-30", "不是有效的日期"),
                                        ("0001-01-01", "超出范围")])
def test_a_date_that_cannot_be_read_is_said_on_the_page(client, typed, says):
    html = page(client, f"/search?q=实训&dept={fx.ZZ}&from={typed}", status=400)
    notice = re.search(r'<p class="notice date-error" role="alert">(.*?)</p>', html).group(1)
    assert f"起始日期“{typed}”" in notice and says in notice and "以下结果没有按日期筛选" in notice
    # what was typed stays in the field, marked, with the message beside it
    field = re.search(r'<input id="from"[^>]*>', html).group(0)
    assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
    assert '<span id="dates-error" class="field-error">' in html
    # the rest of the search still runs
    want = fx.containing("实训") & fx.ids_where(lambda a: a.department == fx.ZZ)
    assert f"找到约 {len(want)} 条结果" in html
    assert "Traceback" not in html and "lang=\"en\"" not in html
    # the API answers 400 with the same words
    r = client.get(f"/api/search?from={typed}")
    assert r.status_code == 400 and says in r.get_json()["error"]


def test_dates_in_the_wrong_order_are_said_on_the_page(client):
    html = page(client, "/search?q=实训&from=2023-05-01&to=2023-04-01", status=400)
    assert "起始日期 2023-05-01 晚于截止日期 2023-04-01" in html
    assert 'value="2023-05-01"' in html and 'value="2023-04-01"' in html
    assert html.count('aria-invalid="true"') == 2   # each reads: both are at fault
    html = page(client, "/search?q=实训&from=2023-05-01&to=2023-04-31", status=400)
    assert re.search(r'<input id="to"[^>]*aria-invalid="true"', html)
    assert not re.search(r'<input id="from"[^>]*aria-invalid', html)


def test_the_three_year_preset(client):
    assert range_start("3years", date(2024, 7, 15)) == date(2021, 7, 15)
    assert range_start("3years", date(2024, 2, 29)) == date(2021, 2, 28)
    data = client.get("/api/search?range=3years&size=50").get_json()
    want = fx.ids_where(lambda a: a.published[:10] >= "2021-07-15")
    assert {h["id"] for h in data["hits"]} == want and data["total"] == len(want) < len(fx.ARTICLES)
    html = unescape(page(client, "/search?q=学院"))
    pills = re.findall(r'<li><a href="([^"]*)"[^>]*>(一周内|一月内|一年内|近三年)</a></li>', html)
    assert [label for _, label in pills] == ["一周内", "一月内", "一年内", "近三年"]
    assert query_of(pills[-1][0]) == {"q": ["学院"], "range": ["3years"]}
    assert "近三年" in page(client, "/search?q=学院&range=3years")


# -- C. suggestions; 热门搜索 counted once per reader per day -------------------------------
def test_a_title_suggestion_opens_its_article(client):
    data = client.get("/api/suggest?q=华中").get_json()
    titles = [s for s in data["suggestions"] if s["kind"] == "title"]
    assert titles
    for s in titles:
        assert s["url"] == f"/article/{fx.id_of_title(s['text'])}"
        assert client.get(s["url"]).status_code == 200
    s = next(s for s in client.get("/api/suggest?q=<script>").get_json()["suggestions"]
             if s["text"] == fx.SCRIPT_TITLE)
    assert s["url"] == f"/article/{fx.id_of_title(fx.SCRIPT_TITLE)}"


def test_three_searches_from_one_reader_make_no_trending_query(client, app):
    for _ in range(3):
        client.get("/search", query_string={"q": "产教融合"}, **reader(1))
    kinds = [s["kind"] for s in client.get("/api/suggest?q=产教").get_json()["suggestions"]]
    assert "query" not in kinds
    assert "热门搜索" not in page(client, "/search?q=没有这样的词")
    stats = {s.query: (s.searches, s.clients) for s in app.extensions["news_query_log"].top()}
    assert stats["产教融合"] == (3, 1)


def test_three_readers_make_a_trending_query(client):
    for n in range(3):
        client.get("/search", query_string={"q": "产教融合"}, **reader(n))
    first = client.get("/api/suggest?q=产教").get_json()["suggestions"][0]
    assert first == {"text": "产教融合", "kind": "query"}
    html = page(client, "/search?q=没有这样的词")
    trending = re.search(r'<ul class="pills trending"[^>]*>(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r'<a href="([^"]*)">([^<]*)</a>', trending) == [
        ("/search?q=%E4%BA%A7%E6%95%99%E8%9E%8D%E5%90%88", "产教融合")]
    # and "did you mean" from what others searched
    assert client.get("/api/search?q=产教融和&typed=1").get_json()["suggestion"] == "产教融合"


def test_client_keys_are_daily_hmacs(tmp_path):
    log = QueryLog(tmp_path / "q.sqlite3")
    day = datetime(2024, 7, 15, 9, tzinfo=timezone.utc)
    a = log.client_key("192.0.2.1", "Firefox", when=day)
    assert len(a) == 16 and b"192.0.2.1" not in a
    assert log.client_key("192.0.2.1", "Firefox", when=day + timedelta(hours=10)) == a
    assert log.client_key("192.0.2.1", "Chrome", when=day) != a
    assert log.client_key("192.0.2.2", "Firefox", when=day) != a
    assert log.client_key("192.0.2.1", "Firefox", when=day + timedelta(days=1)) != a   # a new salt
    assert QueryLog(tmp_path / "q.sqlite3").client_key("192.0.2.1", "Firefox", when=day) != a


def test_a_reader_counts_once_a_day_and_only_today_is_kept(tmp_path):
    log = QueryLog(tmp_path / "q.sqlite3")
    day = datetime(2024, 7, 15, 9, tzinfo=timezone.utc)
    for hours in (0, 1, 2):
        when = day + timedelta(hours=hours)
        log.record("实训", 5, when=when, client=log.client_key("192.0.2.1", "x", when=when))
    when = day + timedelta(days=1)
    log.record("实训", 5, when=when, client=log.client_key("192.0.2.1", "x", when=when))
    now = day + timedelta(days=2)
    assert log.popular("实训", min_count=1, min_clients=2, now=now) == ["实训"]   # two reader-days
    assert log.popular("实训", min_count=1, min_clients=3, now=now) == []
    with sqlite3.connect(tmp_path / "q.sqlite3") as conn:
        assert [r[0] for r in conn.execute("SELECT day FROM seen")] == ["2024-07-16"]
    log.close()


def test_an_old_query_log_is_migrated(tmp_path):
    path = tmp_path / "queries.sqlite3"
    with sqlite3.connect(path) as conn:   # the file as the first version wrote it
        conn.executescript("""
            CREATE TABLE searches (query TEXT NOT NULL, hour TEXT NOT NULL, count INTEGER NOT NULL,
                results INTEGER NOT NULL, PRIMARY KEY (query, hour)) WITHOUT ROWID;
            CREATE INDEX searches_hour ON searches (hour);
            INSERT INTO searches VALUES ('实训', '2024-07-15T08', 7, 12);
        """)
    now = datetime(2024, 7, 15, 12, tzinfo=timezone.utc)
    log = QueryLog(path)
    assert [(s.query, s.searches, s.results, s.clients) for s in log.top(now=now)] == [("实训", 7, 12, 0)]
    # what was logged before names no reader: it does not make 实训 popular
    assert log.popular("实", min_count=1, now=now) == []
    for n in range(2):
        log.record("实训", 13, when=now, client=log.client_key(f"192.0.2.{n}", "x", when=now))
    assert log.popular("实", min_count=1, min_clients=2, now=now) == ["实训"]
    log.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = [c[1] for c in conn.execute("PRAGMA table_info(searches)")]
        assert columns == ["query", "hour", "count", "results", "clients"]
        assert conn.execute("SELECT SUM(count), SUM(clients) FROM searches").fetchone() == (9, 2)
    # opened again (by a second process, say): nothing to do, nothing lost
    again = QueryLog(path)
    assert again.top(now=now)[0].searches == 9
    again.close()


def test_the_web_app_opens_an_old_query_log(index_dir, tmp_path):
    with sqlite3.connect(tmp_path / "queries.sqlite3") as conn:
        conn.executescript("CREATE TABLE searches (query TEXT NOT NULL, hour TEXT NOT NULL, "
                           "count INTEGER NOT NULL, results INTEGER NOT NULL, PRIMARY KEY (query, hour)) "
                           "WITHOUT ROWID; INSERT INTO searches VALUES ('实训', '2024-07-15T08', 7, 12);")
    app = make_app(index_dir, tmp_path)
    client = app.test_client()
    assert client.get("/search?q=实训", **reader(1)).status_code == 200
    assert client.get("/api/suggest?q=实").status_code == 200
    stats = app.extensions["news_query_log"].top(days=3660)
    assert [(s.query, s.searches, s.clients) for s in stats] == [("实训", 8, 1)]
    app.extensions["news_engine"].close()


def test_min_clients_is_a_setting(index_dir, tmp_path):
    from webui.config import ConfigError
    for bad in (0, "3", True, 1001):
        with pytest.raises(ConfigError, match="SUGGEST_MIN_CLIENTS"):
            make_app(index_dir, tmp_path, SUGGEST_MIN_CLIENTS=bad)
    app = make_app(index_dir, tmp_path, SUGGEST_MIN_CLIENTS=1, SUGGEST_MIN_COUNT=1)
    client = app.test_client()
    client.get("/search?q=产教融合")
    assert client.get("/api/suggest?q=产教").get_json()["suggestions"][0]["kind"] == "query"
    app.extensions["news_engine"].close()


# -- D. the page that finds nothing ----------------------------------------------------------
def test_the_empty_page_offers_what_to_try(client):
    for n in range(3):
        client.get("/search", query_string={"q": "产教融合"}, **reader(n))
    html = unescape(page(client, f"/search?q=实训&dept={fx.TW}&range=year&size=20&sort=date"))
    assert "找到约" not in html and 'class="stats"' not in html
    assert 'id="sort"' not in html and 'id="size"' not in html and 'class="sortlinks"' not in html
    # the display settings ride along with a new query, unseen
    assert '<input type="hidden" name="sort" value="date">' in html
    assert '<input type="hidden" name="size" value="20">' in html
    tries = re.search(r'<ul class="try">(.*?)</ul>', html, re.S).group(1)
    dropped = re.search(r'<a class="clear-all" href="([^"]*)">去掉全部筛选条件</a>，可找到 (\d+) 条', tries)
    assert query_of(dropped.group(1)) == {"q": ["实训"], "sort": ["date"], "size": ["20"]}
    assert int(dropped.group(2)) == len(fx.containing("实训"))
    assert re.search(r'<li class="advice"><a href="[^"]*">去掉部门（团委）</a>', tries)
    assert "去掉日期" not in tries     # it would find nothing either
    # one filter: its own link says it all
    html = page(client, f"/search?q=实训&dept={fx.TW}")
    assert "去掉部门（团委）" in html and "去掉全部筛选条件" not in html
    assert re.search(r'<ul class="pills trending"[^>]*>\s*<li><a href="/search\?q=[^"]*">产教融合</a>', html)
    # not the query that found nothing itself
    html = page(client, "/search?q=产教融合&dept=" + fx.TW)
    assert "热门搜索" not in html


def test_the_empty_page_offers_the_words_alone(client):
    html = unescape(page(client, '/search?q=title:"华中数控 专家" -培训'))
    link = re.search(r'只搜其中的词：<a href="([^"]*)">([^<]*)</a>，可找到 (\d+) 条', html)
    assert link and link.group(2) == "华中数控 专家"
    assert query_of(link.group(1)) == {"q": ["华中数控 专家"]}
    assert int(link.group(3)) == len(fx.containing("华中数控") & fx.containing("专家"))


def test_the_empty_page_offers_did_you_mean(client):
    html = page(client, "/search?q=chanjiaoronghe&typed=1")   # as typed: not corrected in place
    assert re.search(r'<li class="suggestion">您是不是要找：<a href="[^"]*">产教融合</a></li>', html)
    assert "找到约" not in html


def test_a_page_with_results_keeps_its_controls(client):
    html = page(client, "/search?q=实训")
    assert "找到约" in html and 'id="sort"' in html and 'id="size"' in html
    assert 'class="try"' not in html


# -- E. help ----------------------------------------------------------------------------------
def test_help_page_explains_the_query_language_with_examples_that_run(client):
    html = unescape(page(client, "/help"))
    assert "<h1>搜索帮助</h1>" in html
    links = re.findall(r'<a class="example" href="([^"]*)"><code>([^<]*)</code></a>', html)
    want = [e.query for items in HELP_EXAMPLES.values() for e in items]
    assert [q for _, q in links] == want
    for url, q in links:
        assert query_of(url) == {"q": [q]}
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
    # what the query parser really takes
    for construct in ('"', "“", "-", "NOT", "title:", "标题:", "OR", "|"):
        assert any(construct in q for q in want), construct


def test_the_examples_do_what_the_help_says(client):
    def ids(q):
        return {h["id"] for h in client.get("/api/search", query_string={"q": q, "size": 50}).get_json()["hits"]}
    assert ids("实训 -泸州") == ids("实训 NOT 泸州") == fx.containing("实训") - fx.containing("泸州")
    assert ids("献血 OR 信息工程学院") == ids("献血|信息工程学院") == fx.containing("信息工程学院")
    assert ids("title:实训") == {i for i in fx.containing("实训")
                                 if "实训" in next(a.title for a in fx.ARTICLES if fx.id_of_title(a.title) == i)}
    assert fx.containing("信息工程学院") <= ids("信工学院")


def test_help_is_linked_from_the_search_box(client):
    aid = fx.id_of_title("数控实训基地通过省级验收")
    for url in ("/", "/search?q=实训", f"/article/{aid}", "/help"):
        assert '<a class="help-link" href="/help">搜索帮助</a>' in page(client, url)


# -- F. one college, errors in Chinese, the subscribe page ---------------------------------------
def test_a_one_college_site_never_says_all_colleges(index_dir, tmp_path):
    assert default_description({"demo": "蜀江职业技术学院"}) == "检索蜀江职业技术学院官网发布的新闻、通知与公告"
    assert "各高校" in default_description(fx.SITES)
    assert default_description({}) == ""
    one = make_app(index_dir, tmp_path, SITES={fx.SITE: "宜宾职业技术学院"})
    none = make_app(index_dir, tmp_path, SITES={})
    for app, says in ((one, "检索宜宾职业技术学院官网发布的新闻、通知与公告"), (none, None)):
        c = app.test_client()
        for url in ("/", "/search?q=实训", "/help", "/opensearch.xml", "/feed"):
            body = page(c, url)
            assert "各高校" not in body, url
            if says and url in ("/", "/search?q=实训"):
                assert says in body
        home = page(c, "/")
        assert ('class="hero-sub"' in home) == bool(says)
        app.extensions["news_engine"].close()


@pytest.mark.parametrize("url,status", [("/search?q=a&size=0", 400), ("/search?page=x", 400),
                                        ("/nope", 404), ("/feed?range=x", 400), ("/subscribe?sort=x", 400)])
def test_error_pages_speak_chinese_only(client, url, status):
    html = page(client, url, status=status)
    assert 'lang="en"' not in html
    main = re.search(r"<main[^>]*>(.*)</main>", html, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", main)
    assert not re.search(r"[A-Za-z]{4,}", text.replace("YYYY-MM-DD", "")), text


def test_the_no_index_page_speaks_chinese(tmp_path):
    app = create_app({"DATA_DIR": tmp_path})
    html = page(app.test_client(), "/search?q=x", status=503)
    assert 'lang="en"' not in html and "Search is unavailable" not in html
    assert "搜索暂不可用" in html


def test_other_http_errors_are_said_in_chinese(client):
    r = client.post("/search?q=x", data="x" * (65 * 1024))
    html = r.get_data(as_text=True)
    assert r.status_code in (405, 413) and "Method" not in html and "Entity" not in html


def test_the_feed_link_leads_to_a_page_that_says_what_a_feed_is(client):
    html = page(client, "/search?q=实训&dept=智能制造学院")
    link = re.search(r'<a href="([^"]*)">订阅这个搜索</a>', html).group(1)
    assert urlsplit(unescape(link)).path == "/subscribe"
    # the feed itself stays where readers' software finds it
    feed = re.search(r'<link rel="alternate" type="application/atom\+xml" href="([^"]*)"', html).group(1)
    assert urlsplit(unescape(feed)).path == "/feed"
    about = page(client, unescape(link))
    assert "新闻阅读器" in about and "订阅这个搜索" in about
    field = re.search(r'<input id="feed-url"[^>]*value="([^"]*)"', about).group(1)
    assert unescape(field) == "http://localhost" + unescape(feed)
    assert client.get(unescape(field)).status_code == 200
    back = re.search(r'<a href="([^"]*)">返回搜索结果</a>', about).group(1)
    assert query_of(back) == {"q": ["实训"], "dept": ["智能制造学院"]}
    home = page(client, "/")
    assert '<a href="/subscribe">订阅最新文章</a>' in home
    assert '<link rel="alternate" type="application/atom+xml" href="/feed"' in home
    assert "订阅最新文章" in page(client, "/subscribe")


# -- G. filters stay behind unless asked; addresses carry only what differs ----------------------
def test_from_form():
    def run(pairs):
        return from_form(pairs)
    # not a form: left alone
    assert run([("q", "实训"), ("dept", fx.ZZ)]) is None
    filters = [("dept", fx.ZZ), ("from", "2023-01-01"), ("to", ""), ("range", "year"), ("column", "通知公告"),
               ("site", fx.SITE), ("title_only", "1"), ("sort", "date"), ("size", "20")]
    # a new query: the filters stay behind, the display settings come along
    assert run([("q", "华为"), ("prev", "实训")] + filters) == [("q", "华为"), ("sort", "date"), ("size", "20")]
    # ticked, or the same query, or the 应用筛选 button: the filters apply
    kept = [("q", "华为")] + [p for p in filters if p[1]]
    assert run([("q", "华为"), ("prev", "实训"), ("within", "1")] + filters) == kept
    assert run([("q", "华为"), ("prev", "实训"), ("apply", "1")] + filters) == kept
    assert run([("q", " 华为 "), ("prev", "华为")] + filters) == [("q", " 华为 ")] + kept[1:]
    # a query typed where there was none starts afresh too
    assert run([("q", "华为"), ("prev", ""), ("dept", fx.ZZ)]) == [("q", "华为")]


def test_a_new_query_leaves_the_filters_behind(client):
    sent = {"q": "华为", "prev": "实训", "dept": fx.ZZ, "from": "2023-01-01", "to": "",
            "sort": "relevance", "size": "10"}
    r = client.get("/search", query_string=sent)
    assert r.status_code == 302 and query_of(r.headers["Location"]) == {"q": ["华为"]}
    r = client.get("/search", query_string={**sent, "within": "1"})
    assert query_of(r.headers["Location"]) == {"q": ["华为"], "dept": [fx.ZZ], "from": ["2023-01-01"]}
    r = client.get("/search", query_string={**sent, "q": "实训"})     # the sort or a filter changed
    assert query_of(r.headers["Location"]) == {"q": ["实训"], "dept": [fx.ZZ], "from": ["2023-01-01"]}
    # a bad date in a form: first the address without the markers, there the message
    r = client.get("/search", query_string={**sent, "q": "实训", "from": "abc"})
    assert r.status_code == 302
    assert query_of(r.headers["Location"]) == {"q": ["实训"], "dept": [fx.ZZ], "from": ["abc"]}


def test_a_bad_form_field_offers_the_search_without_it_and_without_the_markers(client):
    html = unescape(page(client, f"/search?q=实训&prev=实训&dept={fx.ZZ}&size=0&apply=1", status=400))
    link = re.search(r'<a href="([^"]*)">去掉这个条件，重新搜索</a>', html).group(1)
    assert query_of(link) == {"q": ["实训"], "dept": [fx.ZZ]}


def test_the_box_offers_search_within_results_only_when_filtered(client):
    html = page(client, "/search?q=实训")
    assert 'name="within"' not in html and '<input type="hidden" name="prev" value="实训">' in html
    html = page(client, f"/search?q=实训&dept={fx.ZZ}")
    box = re.search(r'<label class="check within"><input type="checkbox" name="within" value="1" form="search-form"> 在结果中搜索</label>', html)
    assert box and "checked" not in box.group(0)
    # the filter inputs are the sidebar's own, no hidden copy in the box
    form = re.search(r'<form id="search-form".*?</form>', html, re.S).group(0)
    assert 'name="dept"' not in form
    # the home page's box is a plain one
    home = page(client, "/")
    assert 'name="prev"' not in home and 'name="within"' not in home


@pytest.mark.parametrize("sent,canonical", [
    ("q=实训&sort=relevance&size=10&from=&to=&page=1", "q=实训"),
    ("sort=date", ""),
    ("q=实训&title_only=0&dept=", "q=实训"),
    ("q=实训&range=year&from=&to=", "q=实训&range=year"),
    ("q=实训&range=year&from=20230101", "q=实训&from=2023-01-01"),
    ("q=+实训++年会+", "q=实训+年会"),
    ("q=实训&dept=教务处&dept=教务处", "q=实训&dept=教务处"),
])
def test_addresses_carry_only_what_differs_from_the_defaults(client, sent, canonical):
    r = client.get(f"/search?{sent}")
    assert r.status_code == 302
    assert urlsplit(r.headers["Location"]).path == "/search"
    assert query_of(r.headers["Location"]) == parse_qs(canonical)
    assert client.get(r.headers["Location"]).status_code == 200


def test_links_on_the_page_carry_only_what_differs(client):
    html = unescape(page(client, f"/search?q=实训&dept={fx.ZZ}"))
    for url in re.findall(r'href="(/(?:search|article/[0-9a-f]+|subscribe|feed)\?[^"#]*)', html):
        got = query_of(url)
        for name, default in (("sort", "relevance"), ("size", "10"), ("page", "1"), ("title_only", "0")):
            assert got.get(name) != [default], url
        assert all(v != [""] for v in got.values()), url


# -- issue 16: the filters, quicker -----------------------------------------------------------
def year_links(html: str) -> list[tuple[str, str, str]]:
    """(year, its link, its count) of the year pills."""
    ul = re.search(r'<ul class="pills years".*?</ul>', html, re.S)
    return [(y, unescape(u), c) for u, y, c in re.findall(
        r'<a href="([^"]*)"[^>]*>(\d{4}) 年 <span class="count">(\d+)</span>', ul.group(0))] if ul else []


def test_year_and_date_links_keep_the_departments_and_the_rest(client):
    html = page(client, f"/search?q=实训&dept={fx.ZZ}&dept={fx.JW}&title_only=1&size=20&sort=date")
    years = year_links(html)
    assert years
    for _, url, _ in years:
        got = query_of(url)
        assert got["dept"] == [fx.ZZ, fx.JW] and got["title_only"] == ["1"]
        assert got["size"] == ["20"] and got["sort"] == ["date"]
    ranges = re.findall(r'<ul class="pills" aria-label="时间范围">(.*?)</ul>', html, re.S)[0]
    for url in re.findall(r'href="([^"]*)"', ranges):
        assert query_of(url)["dept"] == [fx.ZZ, fx.JW]


def _count(lo: str, hi: str) -> int:
    return len(fx.containing("实训") & fx.ids_where(lambda a: lo <= a.published[:10] <= hi))


def test_years_inside_a_custom_range_narrow_it(client):
    html = page(client, "/search?q=实训&from=2022-06-01&to=2023-06-30")
    years = year_links(html)
    assert sorted(y for y, _, _ in years) == ["2022", "2023"]      # not 2021, not 2024
    by_year = {y: (query_of(u), int(c)) for y, u, c in years}
    # each narrows the range to its own part of it, counted as such
    assert by_year["2022"][0] == {"q": ["实训"], "from": ["2022-06-01"], "to": ["2022-12-31"]}
    assert by_year["2023"][0] == {"q": ["实训"], "from": ["2023-01-01"], "to": ["2023-06-30"]}
    assert by_year["2022"][1] == _count("2022-06-01", "2022-12-31")
    assert by_year["2023"][1] == _count("2023-01-01", "2023-06-30")
    # from a start only: the years from it on
    years = year_links(page(client, "/search?q=实训&from=2023-09-01"))
    assert sorted(y for y, _, _ in years) == ["2023", "2024"]
    assert {y: query_of(u) for y, u, _ in years}["2023"] == {"q": ["实训"], "from": ["2023-09-01"], "to": ["2023-12-31"]}
    # a range within one year: that year is the chosen one, and its link takes the dates away
    html = page(client, "/search?q=实训&from=2023-01-01&to=2023-06-30")
    assert re.search(r'aria-current="true" class="active" title="取消年份筛选">2023 年', html)
    assert [query_of(u) for _, u, _ in year_links(html)] == [{"q": ["实训"]}]


def test_a_whole_year_chosen_still_offers_the_others(client):
    html = page(client, "/search?q=实训&from=2023-01-01&to=2023-12-31")
    years = {y: query_of(u) for y, u, _ in year_links(html)}
    assert set(years) == {"2021", "2022", "2023", "2024"}
    assert years["2022"] == {"q": ["实训"], "from": ["2022-01-01"], "to": ["2022-12-31"]}
    assert years["2023"] == {"q": ["实训"]}


def test_one_sort_control_and_the_apply_button_first(client):
    html = page(client, "/search?q=实训")
    assert html.count('name="sort"') == 1 and 'class="sortlinks"' not in html
    assert '<select id="sort" name="sort" form="search-form">' in html
    # without script: 应用排序 beside the sort, 应用筛选 at the top of the panel
    assert re.search(r'</select>\s*<noscript><button [^>]*>应用排序</button></noscript>', html)
    panel = html[html.index('<aside id="filters"'):]
    assert panel.index(">应用筛选<") < panel.index("<fieldset")
    # 筛选 is a link to the panel (the script makes it open a sheet on a phone)
    assert '<a class="to-filters" href="#filters" aria-controls="filters">筛选</a>' in html
    assert '/static/filters.js' in html


# -- oldest first ----------------------------------------------------------------------------
def hit_days(html: str) -> list[str]:
    return re.findall(r'<li class="hit">.*?<time datetime="([^"]+)"', html, re.S)


def test_the_sort_offers_relevance_newest_and_oldest(client):
    html = page(client, "/search?q=实训")
    select = re.search(r'<select id="sort".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', select) == [
        ("relevance", "相关度"), ("date", "最新"), ("oldest", "最早")]
    assert re.search(r'<option value="relevance" selected>', select)


@pytest.mark.parametrize("q", ["实训", ""])
def test_oldest_first_on_the_page(client, q):
    url = "/search?" + (f"q={q}&" if q else "") + "sort=oldest"
    html = page(client, url)        # (its canonical address: no redirect)
    assert re.search(r'<option value="oldest" selected>最早</option>', html)
    days = hit_days(html)
    assert len(days) == 10 and days == sorted(days)
    everything = fx.containing(q) if q else fx.ids_where(lambda a: True)
    oldest = min(a.published for a in fx.ARTICLES if article_id(a.url) in everything)
    assert days[0][:10] == oldest[:10]
    # the pager and the filters keep it; page 2 goes on from there
    nxt = unescape(re.search(r'<a rel="next" href="([^"]+)"', html).group(1))
    assert query_of(nxt).get("sort") == ["oldest"] and query_of(nxt)["page"] == ["2"]
    second = hit_days(page(client, nxt))
    assert second == sorted(second) and second[0] >= days[-1]
    for _year, link, _count in year_links(html):
        assert query_of(link).get("sort") == ["oldest"]
    # the API answers the same order
    api = client.get(url.replace("/search", "/api/search", 1)).get_json()
    assert [h["published"][:10] for h in api["hits"]] == [d[:10] for d in days]


def test_oldest_comes_through_the_form_and_a_new_query(client):
    r = client.get("/search?q=实训&prev=实训&sort=oldest&size=10&from=&to=&apply=1")
    assert r.status_code == 302 and query_of(r.headers["Location"]) == {"q": ["实训"], "sort": ["oldest"]}
    r = client.get(f"/search?q=数控&prev=实训&sort=oldest&dept={fx.ZZ}")
    assert r.status_code == 302 and query_of(r.headers["Location"]) == {"q": ["数控"], "sort": ["oldest"]}


def test_a_sort_that_is_none_of_the_three_says_which_are(client):
    html = page(client, "/search?q=实训&sort=random", status=400)
    assert "相关度" in html and "最新" in html and "最早" in html


# -- the JSON twin of a page -----------------------------------------------------------------
def twin_of(html: str) -> str:
    head = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)">', html).group(1)
    foot = re.search(r'<a href="([^"]+)">JSON 接口</a>', html).group(1)
    assert head == foot
    return unescape(head)


@pytest.mark.parametrize("extra,fold,near", [("fold=0", False, False), ("near", False, True)])
def test_the_json_twin_keeps_fold_near_typed_and_no_department(client, extra, fold, near):
    leader = fx.id_of_title("学校举行2023届毕业典礼")
    shown = f"near={leader}" if near else extra
    url = f"/search?q=学校&dept={NO_DEPT}&{shown}&typed=1&sort=oldest&page=1&size=2"
    r = client.get(url)
    if r.status_code == 302:
        url = r.headers["Location"]
    html = page(client, url)
    twin = twin_of(html)
    assert urlsplit(twin).path == "/api/search"
    want = {"q": ["学校"], "dept": [NO_DEPT], "typed": ["1"], "sort": ["oldest"], "size": ["2"]}
    want.update({"near": [leader]} if near else {"fold": ["0"]})
    assert query_of(twin) == want
    data = client.get(twin).get_json()
    assert data["fold"] is fold and data["near"] == (leader if near else None)
    assert data["corrected_from"] is None
    assert data["hits"] and all(h["department"] is None for h in data["hits"])
    # page 2's twin is page 2
    nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
    if nxt:
        assert query_of(twin_of(page(client, unescape(nxt.group(1)))))["page"] == ["2"]


def test_the_panel_says_what_the_filters_find(client):
    """(static/filters.js says it again when the filters apply in place)"""
    status = r'<p id="filters-count" class="filters-count" role="status" aria-live="polite">([^<]*)</p>'
    assert re.search(status, page(client, "/search?q=实训")).group(1) == \
        f"找到约 {len(fx.containing('实训'))} 条结果"
    assert re.search(status, page(client, f"/search?q=实训&dept={fx.TW}")).group(1) == "没有找到结果"
