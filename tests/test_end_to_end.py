"""The whole path: the demo site over HTTP, the real crawler, the store, the
index and the search engine."""
from __future__ import annotations

import contextlib
import io
import json
import random
import sqlite3
from collections import Counter
from datetime import date

import pytest

from indexer import paths
from indexer.cli import main
from indexer.results import Query
from indexer.search import SearchEngine
from tests.conftest import DEMO_TOML


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def engine(crawled):
    e = SearchEngine(paths.index_path(crawled["dir"]))
    yield e
    e.close()


def url_of(crawled, item):
    return crawled["base"] + item["path"]


def good(truth):
    return [t for t in truth if "malformed" not in t.get("case", [])]


def test_first_update_stores_every_article_and_reports_the_malformed_page(crawled, demo_truth):
    assert crawled["code"] == 1, crawled["output"]   # finished, with a page that failed
    line = crawled["output"].strip().splitlines()[0]
    assert line.startswith("site=demo fetched=")
    counts = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    assert int(counts["new"]) == len(good(demo_truth))
    assert int(counts["failed"]) == len(demo_truth) - len(good(demo_truth))
    db = sqlite3.connect(paths.store_path(crawled["dir"]))
    reasons = [r[0] for r in db.execute("SELECT reason FROM failures")]
    assert reasons and all(r in ("no-title", "no-body", "empty") for r in reasons)


def test_every_article_is_found_by_a_phrase_from_its_body(crawled, demo_truth, engine):
    missed = []
    for t in good(demo_truth):
        for phrase in t.get("phrases", [])[:1]:
            res = engine.search(Query(text=f'"{phrase}"', size=50))
            urls = {h.url for h in res.hits}
            if url_of(crawled, t) not in urls:
                missed.append((t["path"], phrase, res.total))
    assert not missed


def test_extracted_fields_match_the_truth(crawled, demo_truth):
    db = sqlite3.connect(paths.store_path(crawled["dir"]))
    db.row_factory = sqlite3.Row
    wrong = []
    for t in good(demo_truth):
        row = db.execute("SELECT * FROM articles WHERE url=?", (url_of(crawled, t),)).fetchone()
        assert row is not None, t["path"]
        for field, col in (("title", "title"), ("published", "published"), ("department", "department"),
                           ("column", "column_name"), ("source", "source")):
            if t.get(field) != row[col]:
                wrong.append((t["path"], field, t.get(field), row[col]))
    assert not wrong


def test_gbk_pages_come_out_as_chinese(crawled, demo_truth):
    db = sqlite3.connect(paths.store_path(crawled["dir"]))
    gbk = [t for t in good(demo_truth) if t.get("encoding") == "gbk"]
    assert gbk
    for t in gbk:
        title, body = db.execute("SELECT title, body FROM articles WHERE url=?", (url_of(crawled, t),)).fetchone()
        assert title == t["title"]
        assert "\ufffd" not in body and body.startswith(t["body_starts"])


def test_department_filter_returns_exactly_its_articles(crawled, demo_truth, engine):
    by_dept = Counter(t["department"] for t in good(demo_truth))
    for dept, n in by_dept.items():
        if dept is None:
            continue
        res = engine.search(Query(text="", departments=(dept,), size=50))
        assert res.total == n, dept
        assert all(h.department == dept for h in res.hits)
    two = [d for d in by_dept if d][:2]
    res = engine.search(Query(text="", departments=tuple(two)))
    assert res.total == by_dept[two[0]] + by_dept[two[1]]


def test_date_filter_and_facets_add_up(crawled, demo_truth, engine):
    lo, hi = date(2019, 3, 1), date(2021, 8, 31)
    expected = [t for t in good(demo_truth) if lo.isoformat() <= t["published"][:10] <= hi.isoformat()]
    res = engine.search(Query(text="", date_from=lo, date_to=hi, size=50))
    assert res.total == len(expected)
    dept_sum = sum(f.count for f in res.facets["department"])
    assert dept_sum == res.total
    # the year facet ignores the date filter and covers every article
    assert sum(f.count for f in res.facets["year"]) == len(good(demo_truth))
    rnd = random.Random(7)
    for t in rnd.sample(good(demo_truth), 5):
        res = engine.search(Query(text=t["phrases"][0], sort="date", size=50))
        dates = [h.published for h in res.hits]
        assert dates == sorted(dates, reverse=True)


def test_second_update_finds_nothing_new(crawled):
    code, out = run("--data-dir", str(crawled["dir"]), "update", "--site", str(DEMO_TOML),
                    "--base-url", crawled["base"], "--quiet")
    counts = dict(kv.split("=", 1) for kv in out.split() if "=" in kv)
    assert counts["new"] == "0" and counts["changed"] == "0"
    assert int(counts["fetched"]) < 30   # one list page per column, not the whole site


def test_export_writes_every_article_as_json_lines(crawled, demo_truth, tmp_path):
    out = tmp_path / "all.jsonl"
    code, _ = run("--data-dir", str(crawled["dir"]), "export", "--jsonl", "-o", str(out))
    assert code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(good(demo_truth))
    assert set(rows[0]) == {"url", "site", "title", "published", "department", "column", "body", "source"}


def test_extract_command_prints_json_or_names_what_is_missing(demo_truth, capsys):
    t = good(demo_truth)[0]
    assert main(["extract", str(paths.DEMO_SITE_DIR / t["path"]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == t["title"]
    bad = [x for x in demo_truth if "malformed" in x.get("case", [])][0]
    assert main(["extract", str(paths.DEMO_SITE_DIR / bad["path"])]) == 1
    assert "not an article" in capsys.readouterr().err


def test_a_second_run_while_one_holds_the_lock_exits_75(crawled):
    from indexer.cli import run_lock
    with run_lock(crawled["dir"]):
        code, _ = run("--data-dir", str(crawled["dir"]), "index")
    assert code == 75


def test_configuration_errors_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\nname = "x"\nbase_url = "ftp://x"\nlists = ["a.htm"]\n', encoding="utf-8")
    assert main(["--data-dir", str(tmp_path), "update", "--site", str(bad)]) == 2
    assert "base_url" in capsys.readouterr().err
