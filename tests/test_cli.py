"""news-indexer's operator commands on a fresh crawl of the demo site."""
from __future__ import annotations

import contextlib
import io
import json

import pytest

from indexer import paths
from indexer.cli import main
from indexer.results import Query
from indexer.search import IndexMissing, SearchEngine
from tests.conftest import DEMO_TOML


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def data(tmp_path, demo_server, engine_name):
    d = tmp_path / "data"
    code, out, err = run("--data-dir", str(d), "update", "--site", str(DEMO_TOML), "--base-url", demo_server, "-q")
    assert code in (0, 1), err
    return d


def search_total(d, text):
    e = SearchEngine(paths.index_path(d))
    try:
        return e.search(Query(text=text)).total
    finally:
        e.close()


def test_removed_articles_leave_the_index_and_stay_out(data, demo_server, demo_truth):
    t = next(x for x in demo_truth if "malformed" not in x.get("case", []))
    url = demo_server + t["path"]
    phrase = f'"{t["phrases"][0]}"'
    before = search_total(data, phrase)
    code, out, _ = run("--data-dir", str(data), "remove", url, "--reason", "发布错误，已撤稿")
    assert code == 0 and "removed" in out
    assert search_total(data, phrase) == before - 1
    run("--data-dir", str(data), "update", "--site", str(DEMO_TOML), "--base-url", demo_server, "-q")
    code, _, _ = run("--data-dir", str(data), "reindex")
    assert code == 0
    assert search_total(data, phrase) == before - 1
    code, _, err = run("--data-dir", str(data), "remove", demo_server + "info/9999/1.htm", "--reason", "x")
    assert code == 1 and "not found" in err


def test_an_index_from_another_engine_version_names_reindex(data):
    meta_file = paths.index_path(data) / "engine.json"
    meta = json.loads(meta_file.read_text())
    meta["engine_version"] = "a0.s0"
    meta_file.write_text(json.dumps(meta))
    with pytest.raises(IndexMissing, match="news-indexer reindex"):
        SearchEngine(paths.index_path(data))
    code, _, err = run("--data-dir", str(data), "index")
    assert code == 2 and "news-indexer reindex" in err
    code, out, _ = run("--data-dir", str(data), "reindex")
    assert code == 0 and out.startswith("reindexed=")
    assert search_total(data, "") > 400


def test_stats_shows_counts_runs_and_errors(data):
    code, out, _ = run("--data-dir", str(data), "stats")
    assert code == 0
    assert "site demo:" in out and "by department:" in out and "by year:" in out
    assert "last runs:" in out and "errors by reason: no-title=1" in out


def test_usage_errors_exit_2_with_a_message(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    code, _, err = run("--data-dir", str(blocked / "sub"), "stats")
    assert code == 2 and "data directory" in err
    code, _, err = run("extract", str(tmp_path / "missing.htm"))
    assert code == 2 and "cannot read" in err


def test_sites_on_different_hosts_are_crawled_at_once_each_host_politely(tmp_path, engine_name):
    from tests.hostile_server import HostileServer
    from tests.test_crawl import good, list_html
    delay = 0.3
    with HostileServer(defaults=False) as server:
        links = [(good(server, n).lstrip("/"), f"测试新闻第{n}号") for n in range(1, 7)]
        server.static("/xwzx.htm", list_html("新闻中心", links, ["xwzx.htm"], None))
        confs = []
        for site_id, base in (("near", server.url("/")), ("far", server.alt_url("/"))):
            conf = tmp_path / f"{site_id}.toml"
            conf.write_text(f'id = "{site_id}"\nname = "测试职业技术学院"\nbase_url = "{base}"\n'
                            f'lists = ["xwzx.htm"]\n[politeness]\ndelay = {delay}\n', encoding="utf-8")
            confs += ["--site", str(conf)]
        code, out, err = run("--data-dir", str(tmp_path / "d"), "update", "--quiet", *confs)
        assert code == 0, err
        assert {line.split()[0] for line in out.splitlines()} == {"site=near", "site=far"}
        spans = {}
        for host in ("127.0.0.1", "localhost"):
            times = sorted(r.time for r in server.requests if r.host == host)
            assert len(times) >= 8                       # robots.txt, the list, six articles
            assert min(b - a for a, b in zip(times, times[1:])) >= delay - 0.02
            spans[host] = (times[0], times[-1])
        (a0, a1), (b0, b1) = spans.values()
        assert a0 < b1 and b0 < a1                       # the two hosts' crawls overlapped
