"""The benchmark stays honest at a small size: its corpus is what the store would
hold, its FTS5 baseline finds exactly the verbatim matches, the engine agrees with
it, and its JSON line carries every figure. No timing is ever asserted."""
from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402
import perf  # noqa: E402

from indexer.paths import store_path  # noqa: E402
from indexer.store import Store  # noqa: E402

N = 2000
QUERIES = 40


def test_corpus_is_deterministic_and_extends():
    small = list(corpus.generate(1500, seed=5))
    again = list(corpus.generate(1500, seed=5))
    assert small == again
    tail = list(corpus.generate(700, seed=5, start=800))
    assert tail == small[800:]
    assert list(corpus.generate(50, seed=6)) != small[:50]


def test_corpus_resembles_college_news():
    rows = list(corpus.generate(N, seed=1))
    assert len({r.url for r in rows}) == N
    assert all(corpus.MIN_TITLE <= len(r.title) <= corpus.MAX_TITLE for r in rows)
    assert all(corpus.MIN_BODY <= len(r.body) <= corpus.MAX_BODY for r in rows)
    assert max(len(r.body) for r in rows) > 3000          # a long tail
    assert len({r.site for r in rows}) >= 10
    depts = Counter(r.department for r in rows if r.department)
    assert len(depts) >= 30
    top, *_, bottom = [c for _, c in depts.most_common()]
    assert top > 10 * bottom                                # skewed
    assert len({r.column for r in rows}) >= 5
    years = {r.published[:4] for r in rows}
    assert len(years) == 10
    bodies = Counter(r.body[:200] for r in rows)
    assert any(c > 1 for c in bodies.values())              # near-duplicates
    names = corpus.build_vocab(1).names
    assert sum(any(n in r.body for n in names[:50]) for r in rows[:200]) > 20


def test_bulk_load_is_what_the_store_would_write(tmp_path):
    info = corpus.load(tmp_path, 300, seed=2)
    assert info["written"] == 300
    with Store(store_path(tmp_path)) as st:
        assert st.seq == 300
        changes = list(st.changes_since(0))
        assert [c.seq for c in changes] == list(range(1, 301))
        hashes = dict(st.db.execute("SELECT url, content_hash FROM articles"))
        for ch in changes:
            assert ch.article is not None
            assert hashes[ch.url] == ch.article.content_hash
            # the store itself sees nothing to change
            assert st.upsert_article(ch.article) == "unchanged"
    corpus.load(tmp_path, 100, seed=2, start=300)
    with Store(store_path(tmp_path)) as st:
        assert st.seq == 400
        assert [c.seq for c in st.changes_since(300)] == list(range(301, 401))


@pytest.fixture(scope="module")
def bench(tmp_path_factory, engine_name):
    """One small run of the whole benchmark, through its command line."""
    data_dir = tmp_path_factory.mktemp("bench")
    details = data_dir / "details.json"
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = perf.main(["--n", str(N), "--queries", str(QUERIES), "--data-dir", str(data_dir / "d"),
                          "--engine", engine_name,   # the bench names its engine (default tantivy)
                          "--floor-sample", "200", "--stock-sample", "200", "--check", str(QUERIES),
                          "--load-requests", "24", "--load-seconds", "10", "--details", str(details)])
    lines = out.getvalue().strip().splitlines()
    return {"code": code, "dir": data_dir / "d", "json": json.loads(lines[-1]), "table": "\n".join(lines[:-1]),
            "details": json.loads(details.read_text())}


def test_the_json_line_has_every_figure(bench):
    assert bench["code"] == 0
    final = bench["json"]
    for key in perf.KEYS:
        assert key in final, key
        assert final[key] is not None, key
    assert final["n"] == N
    assert final["queries"] == QUERIES
    assert set(final["targets"]) >= {"build_ge_half_floor", "build_ge_2x_stock", "index_le_3x_text",
                                     "full_substring_recall", "p50_le_fts5", "p95_le_fts5",
                                     "noop_lt_2pct_reindex", "facets_exact"}
    assert "query p95 (ms)" in bench["table"]
    assert final["server_errors"] == 0


def test_the_engine_finds_exactly_what_fts5_finds(bench):
    final = bench["json"]
    cmp_ = bench["details"]["compare"][0]
    assert cmp_["sets_checked"] == QUERIES, "the engine's match sets could not be read"
    assert final["recall_vs_fts5"] == 1.0, cmp_["set_mismatches"]
    assert final["extra_vs_fts5"] == 0, cmp_["set_mismatches"]
    assert final["totals_equal"] == 1.0, cmp_["total_mismatches"]


def test_facet_counts_equal_sqlite_counts(bench):
    assert bench["json"]["facets_exact"] is True, bench["details"]["compare"][0]["facet_mismatches"]


def test_the_fts5_baseline_finds_every_verbatim_occurrence(bench):
    """Brute force over the store: every term in the title or the body, filters applied."""
    data_dir = bench["dir"]
    db = sqlite3.connect(store_path(data_dir))
    rows = db.execute("SELECT url, title, body, published, department FROM articles "
                      "WHERE removed_at IS NULL").fetchall()
    db.close()
    fts = perf.open_fts5(data_dir)
    specs = perf.make_queries(data_dir, QUERIES)
    kinds = Counter(s.kind for s in specs)
    assert {"word", "words", "phrase", "subword"} <= set(kinds)
    assert any(len(t) == 2 for s in specs for t in s.terms)     # the LIKE fallback is exercised
    for s in specs:
        want = set()
        for url, title, body, published, dept in rows:
            if not all(t in title or t in body for t in s.terms):
                continue
            if s.date_from and published[:10] < s.date_from:
                continue
            if s.date_to and published[:10] > s.date_to:
                continue
            if s.depts and dept not in s.depts:
                continue
            want.add(url)
        got = {r[0] for r in fts.execute(
            "SELECT d.url FROM docs d WHERE " + perf._fts_where(s)[0], perf._fts_where(s)[1])}
        assert got == want, s.params()
        total, top = perf.fts5_answer(fts, s)
        assert total == len(want)
        assert set(top) <= want
    fts.close()


def test_the_api_totals_and_small_pages_equal_fts5(bench):
    data_dir = bench["dir"]
    app = perf.make_app(data_dir)
    client = app.test_client()
    fts = perf.open_fts5(data_dir)
    for s in perf.make_queries(data_dir, QUERIES):
        data = client.get(s.url()).get_json()
        total, _ = perf.fts5_answer(fts, s)
        if data.get("partial"):
            # nothing has every word, and the engine says it shows articles with some
            assert total == 0, s.params()
            continue
        assert data["total"] == total, s.params()
        if total <= 10 and s.page == 1:
            urls = {r[0] for r in fts.execute(
                "SELECT d.url FROM docs d WHERE " + perf._fts_where(s)[0], perf._fts_where(s)[1])}
            assert {h["url"] for h in data["hits"]} == urls, s.params()
    fts.close()
    app.extensions["news_engine"].close()
