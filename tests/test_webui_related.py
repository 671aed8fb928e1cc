"""相关搜索 under the results, and ``related`` in the JSON API: popular queries the
readers of this one searched too or that share a word with it (never what one
reader alone searched), then the query with words of its hits' titles; each a new
search without the filters; found without running another search."""
from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta, timezone
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import webui_fixtures as fx
from webui import create_app, related
from webui import querylog as qlog_module
from webui.querylog import SCHEMA_VERSION, QueryLog

DAY = datetime(2024, 7, 15, 9, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, engine_name: str) -> Path:
    return fx.build(tmp_path_factory.mktemp("related-index") / "index")


@pytest.fixture()
def app(index_dir: Path, tmp_path: Path, monkeypatch):
    # the popular queries read at each request (a server reads them every few minutes)
    monkeypatch.setattr(related, "POOL_SECONDS", 0.0)
    app = create_app({"DATA_DIR": tmp_path, "INDEX_DIR": index_dir, "TESTING": True, "TODAY": fx.TODAY,
                      "SITES": fx.SITES, "SUGGEST_MIN_COUNT": 2, "SUGGEST_MIN_CLIENTS": 2})
    yield app
    app.extensions["news_engine"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


def reader(n: int) -> dict:
    """Request options that make the test client the ``n``-th of several readers."""
    return {"environ_base": {"REMOTE_ADDR": f"192.0.2.{n}"}, "headers": {"User-Agent": f"reader {n}"}}


def searched(client, n: int, *texts: str) -> None:
    for text in texts:
        assert client.get("/search", query_string={"q": text}, **reader(n)).status_code == 200


def api_related(client, **params) -> list[str]:
    r = client.get("/api/search", query_string=params)
    assert r.status_code == 200
    return r.get_json()["related"]


def page_related(client, url: str) -> list[tuple[str, str]]:
    """The (url, text) of each link under 相关搜索, or [] when the page has none."""
    html = client.get(url).get_data(as_text=True)
    block = re.search(r'<section class="related-searches" aria-labelledby="([^"]+)">(.*?)</section>', html, re.S)
    if block is None:
        assert "相关搜索" not in html
        return []
    assert re.search(rf'<h2 id="{block.group(1)}"[^>]*>相关搜索</h2>', block.group(2))
    return [(unescape(u), unescape(t)) for u, t in re.findall(r'<a href="([^"]*)">([^<]*)</a>', block.group(2))]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# -- the log: what the same readers searched ---------------------------------------------------
def test_what_the_readers_of_a_query_searched_too(tmp_path):
    log = QueryLog(tmp_path / "q.sqlite3")
    for n in range(3):
        key = log.client_key(f"192.0.2.{n}", "x", when=DAY)
        for text in ("产教融合", "校企合作"):
            log.record(text, 5, when=DAY, client=key)
    one = log.client_key("192.0.2.9", "x", when=DAY)
    for _ in range(5):     # one reader, again and again
        log.record("产教融合", 5, when=DAY, client=one)
        log.record("华为", 5, when=DAY, client=one)
    assert log.co_searched("产教融合", min_clients=3, now=DAY) == [("校企合作", 3)]
    assert log.co_searched("产教融合", min_clients=1, now=DAY) == [("校企合作", 3), ("华为", 1)]
    assert log.co_searched("  产教融合 ", min_clients=2, now=DAY) == [("校企合作", 3)]   # normalised
    assert log.co_searched("校企合作", min_clients=3, now=DAY) == [("产教融合", 3)]
    assert log.co_searched("产教融合", min_clients=3, limit=0, now=DAY) == []
    assert log.co_searched("13812345678", now=DAY) == []
    # only today's keys are kept: tomorrow nothing is co-searched until readers search again
    later = DAY + timedelta(days=1)
    log.record("实训", 5, when=later, client=log.client_key("192.0.2.1", "x", when=later))
    assert log.co_searched("产教融合", now=later) == []
    log.close()


def test_a_key_with_more_queries_than_a_reader_searches_is_not_a_reader(tmp_path):
    log = QueryLog(tmp_path / "q.sqlite3")
    readers = [log.client_key(f"192.0.2.{n}", "x", when=DAY) for n in range(2)]
    for key in readers:
        log.record("产教融合", 5, when=DAY, client=key)
        log.record("校企合作", 5, when=DAY, client=key)
    shared = log.client_key("198.51.100.1", "x", when=DAY)   # a campus behind one address
    for n in range(qlog_module.MAX_READER_QUERIES):
        log.record(f"查询{n}", 5, when=DAY, client=shared)
    log.record("产教融合", 5, when=DAY, client=shared)        # its 51st query of the day
    assert log.co_searched("产教融合", now=DAY) == [("校企合作", 2)]
    # as many queries as a reader may search: still a reader
    busy = log.client_key("192.0.2.77", "x", when=DAY)
    log.record("产教融合", 5, when=DAY, client=busy)
    for n in range(qlog_module.MAX_READER_QUERIES - 1):
        log.record(f"查询{n}", 5, when=DAY, client=busy)
    assert log.co_searched("产教融合", now=DAY)[0] == ("校企合作", 2)
    assert ("查询0", 1) in log.co_searched("产教融合", now=DAY)
    log.close()


def test_a_query_log_of_the_last_version_gets_the_index_of_readers(tmp_path):
    path = tmp_path / "queries.sqlite3"
    log = QueryLog(path)
    log.record("实训", 5, when=DAY, client=log.client_key("192.0.2.1", "x", when=DAY))
    log.close()
    with sqlite3.connect(path) as conn:    # as version 1 left it
        conn.execute("DROP INDEX seen_client")
        conn.execute("PRAGMA user_version = 1")
    again = QueryLog(path)
    assert again.top(now=DAY)[0].query == "实训"
    assert again.co_searched("实训", now=DAY) == []
    again.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "seen_client" in indexes
        plan = " ".join(r[-1] for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT query FROM seen WHERE day = '2024-07-15' AND client = x'00'"))
        assert "seen_client" in plan


# -- words --------------------------------------------------------------------------------------
def test_the_words_of_a_query():
    assert related.words("产教融合 年会") == {"产教融合", "年会"}
    assert related.words('title:招生 -泸州 "数控 实训"') == {"招生", "数控", "实训"}
    assert "泸州" not in related.words("实训 -泸州")
    assert related.words("学校 召开 2023") == set()          # common words and numbers relate nothing


def test_phrases_from_the_titles_in_hand():
    titles = ["学校召开2023年产教融合工作年会", "产教融合共同体成立大会在成都召开",
              "学校获批省级产教融合示范项目", "信息工程学院与华为共建ICT学院",
              "智能制造学院开展产教融合现场观摩", "智能制造学院举办工业机器人操作培训"]
    got = related.from_titles("产教融合", titles)
    assert got[0] == "产教融合 智能制造学院"                 # in two titles: first
    assert "产教融合 ICT" in got                              # as the title writes it
    words = [g.split(" ", 1)[1] for g in got]
    assert all(g.startswith("产教融合 ") for g in got) and len(got) == len(set(got)) <= related.LIMIT
    for common in ("学校", "召开", "工作", "2023", "年", "产教融合", "在"):
        assert common not in words
    assert related.from_titles("产教融合", titles, limit=2) == got[:2]
    assert related.from_titles("", titles) == [] and related.from_titles("产教融合", []) == []
    # a word holding a term of the query is no new word
    assert related.from_titles("产教", ["产教融合共同体成立"]) == ["产教 共同体"]


# -- the page and the API -------------------------------------------------------------------------
def test_one_reader_cannot_plant_a_related_search(client):
    for _ in range(4):
        searched(client, 1, "产教融合", "校企合作")
    assert "校企合作" not in api_related(client, q="产教融合")


def test_what_several_readers_searched_too_comes_first(client, monkeypatch):
    for n in (1, 2):
        searched(client, n, "产教融合", "校企合作")
    texts = api_related(client, q="产教融合")
    assert texts[0] == "校企合作"
    assert len(texts) == related.LIMIT and len(set(texts)) == len(texts)
    # then the query with words of its hits' titles
    assert all(t.startswith("产教融合 ") for t in texts[1:])
    links = page_related(client, "/search?q=产教融合")
    assert [t for _, t in links] == texts
    assert links[0][0] == "/search?q=%E6%A0%A1%E4%BC%81%E5%90%88%E4%BD%9C"


def test_a_popular_query_that_shares_a_word(client):
    for n in (1, 2):
        searched(client, n, "华中数控")          # never together with 数控
    assert api_related(client, q="数控")[0] == "华中数控"
    assert "华中数控" not in api_related(client, q="团委")


def test_a_query_that_finds_nothing_is_never_offered(client):
    for n in (1, 2):
        searched(client, n, "产教融合", "产教融合没有的词")
    assert "产教融合没有的词" not in api_related(client, q="产教融合")


def test_each_phrase_finds_something_and_the_links_keep_no_filter(client):
    url = f"/search?q=实训&dept={fx.ZZ}&range=year&title_only=1&sort=date&size=20&fold=0"
    links = page_related(client, url)
    assert links and len(links) <= related.LIMIT
    for href, text in links:
        # as a query typed into the box: the filters left behind, how to show it kept
        assert query_of(href) == {"q": [text], "sort": ["date"], "size": ["20"], "fold": ["0"]}
        found = client.get("/api/search", query_string={"q": text}).get_json()
        assert found["total"] > 0 and not found["partial"], text


def test_none_on_a_page_with_nothing_to_offer(client):
    assert page_related(client, "/search?q=没有这样的词语") == []
    assert api_related(client, q="没有这样的词语") == []
    assert api_related(client, q="") == []                     # a search without words
    leader = fx.id_of_title("华中数控专家来校开展数控系统培训")
    assert api_related(client, q="华中数控", near=leader) == []    # one story's list


def test_on_a_page_that_finds_nothing_what_readers_searched_is_not_offered_twice(client):
    for n in (1, 2):
        searched(client, n, "产教融合", "华中数控")
    html = client.get("/search?q=实训&dept=团委").get_data(as_text=True)
    assert "热门搜索" in html
    assert page_related(client, "/search?q=实训&dept=团委") == []   # 热门搜索 says them already
    assert api_related(client, q="实训", dept="团委") == []


def test_a_corrected_query_relates_to_its_correction(client):
    texts = api_related(client, q="产教熔合")
    assert texts and all(t.startswith("产教融合 ") for t in texts)
    assert "产教熔合" not in texts and "产教融合" not in texts


def test_related_searches_run_no_search(app, client, monkeypatch):
    """The same engine calls with 相关搜索 as without: it reads what is in hand."""
    eng = app.extensions["news_engine"].get()
    calls: list[str] = []
    for name in ("search", "count", "match_ids", "facet_counts", "get", "suggest", "related"):
        real = getattr(eng, name)
        monkeypatch.setattr(eng, name, lambda *a, _real=real, _name=name, **k: (calls.append(_name), _real(*a, **k))[1])
    for n in (1, 2):
        searched(client, n, "产教融合", "校企合作")
    calls.clear()
    assert page_related(client, "/search?q=产教融合")
    with_related = list(calls)
    calls.clear()
    monkeypatch.setattr(related, "searches", lambda results, limit=related.LIMIT: [])
    assert page_related(client, "/search?q=产教融合") == []
    assert with_related == calls and calls.count("search") == 1


def test_the_popular_queries_are_read_once_in_a_while(app, client, monkeypatch):
    reads: list[int] = []
    real = QueryLog.trending

    def trending(self, *args, **kwargs):
        reads.append(kwargs.get("limit", 0))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(QueryLog, "trending", trending)
    monkeypatch.setattr(related, "POOL_SECONDS", 300.0)
    qlog = app.extensions["news_query_log"]
    for n in (1, 2):
        qlog.record("华中数控", 3, client=qlog.client_key(f"192.0.2.{n}", "x"))
    for text in ("数控", "实训", "产教融合"):
        api_related(client, q=text)
    assert reads == [related.POOL]                 # once for the three
    assert api_related(client, q="数控")[0] == "华中数控"
    monkeypatch.setattr(related, "POOL_SECONDS", 0.0)
    api_related(client, q="数控")
    api_related(client, q="数控")
    assert reads == [related.POOL] * 3
