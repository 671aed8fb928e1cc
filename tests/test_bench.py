"""The benchmark stays honest at a small size: its FTS5 baseline finds exactly the
verbatim matches, the engine agrees with it, and its JSON line carries every
figure. No timing is ever asserted. (Its corpus is tested in test_bench_corpus.py.)"""
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

import perf  # noqa: E402

from indexer.paths import store_path  # noqa: E402

N = 2000
QUERIES = 40


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
    cal = final["calibration"]       # the corpus against the real stories it was learned from
    assert cal["n"] == N and cal["words_top_within_2x"][1] == 1000 and cal["queries_within_2x"][1] == QUERIES
    assert {"calibration_words_within_2x", "calibration_queries_within_2x"} <= set(final["targets"])
    assert "within 2x" in bench["table"]
    # the did-you-mean vocabulary, measured in its own process, and a real slip it corrects
    assert final["dym_terms"] > 1000 and final["dym_build_s"] > 0
    assert final["typo_corrected_later"] is True     # the slip is one the search corrects
    assert final["first_typo_ms"] > 0
    assert {"private_memory_lt_500mb", "load_without_errors", "first_typo_without_waiting"} <= set(final["targets"])


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
    """Brute force over the store's stories: every term (or a synonym: a Latin one as a
    whole word) in the title or the body, filters applied."""
    data_dir = bench["dir"]
    db = sqlite3.connect(store_path(data_dir))
    rows = db.execute("SELECT url, title, body, published, department FROM articles "
                      "WHERE removed_at IS NULL AND canonical IS NULL").fetchall()   # stories: reposts are merged
    db.close()
    fts = perf.open_fts5(data_dir)
    specs = perf.make_queries(data_dir, QUERIES)
    kinds = Counter(s.kind for s in specs)
    assert {"word", "words", "phrase", "subword"} <= set(kinds)
    assert any(len(t) == 2 for s in specs for t in s.terms)     # the LIKE fallback is exercised
    for s in specs:
        want = set()
        for url, title, body, published, dept in rows:
            if not all(perf.term_matches(s, t, title, body) for t in s.terms):   # synonyms widened
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


def test_the_scan_reference_answers_exactly_as_fts5(bench):
    """The reference the larger size of a growth run checks against (one pass over
    the store) gives every query FTS5's match set, count and facets."""
    data_dir = bench["dir"]
    specs = perf.make_queries(data_dir, QUERIES)
    ref = perf.ScanReference(data_dir, specs, list(range(len(specs))))
    fts = perf.FTS5Reference(data_dir, specs, [None] * len(specs))
    assert ref.articles == perf.story_count(data_dir)
    matched = 0
    for i, s in enumerate(specs):
        want = fts.ids(i)
        matched += bool(want)
        assert ref.ids(i) == want, s.params()
        assert ref.answers[i]["total"] == len(want)
        assert ref.facets(i) == fts.facets(i), s.params()
    assert matched >= len(specs) // 2      # not a mix of queries that find nothing
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
            shown = {h["url"] for h in data["hits"]} | {x["url"] for h in data["hits"] for x in h.get("similar", [])}
            assert shown == urls, s.params()          # near-duplicates folded under their story count too
    fts.close()
    app.extensions["news_engine"].close()


def test_requery_measures_the_reading_side_again_without_a_rebuild(bench):
    import requery
    gen = (bench["dir"] / "index").resolve()
    before = sorted(p.name for p in gen.iterdir() if p.suffix != ".sqlite")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = requery.main([str(bench["dir"]), str(bench["dir"]), "--queries", "20",
                             "--load-requests", "24", "--load-seconds", "10", "--beside-rounds", "1"])
    lines = out.getvalue().strip().splitlines()
    final = json.loads(lines[-1])
    assert code == 0 and "query p50 / p95 / p99 (ms)" in "\n".join(lines[:-1])
    assert "facets beside the page p50 / p95" in "\n".join(lines[:-1])
    assert len(final["runs"]) == 2 and final["growth"]["p95"] > 0
    for run in final["runs"]:
        assert run["p95_ms"] >= run["p50_ms"] > 0 and run["server_errors"] == 0 and run["qps"] > 0
        assert run["dym_terms"] > 1000 and run["rss_anon_mb"] > 0
        assert run["beside_p95_ms"] >= run["beside_p50_ms"] > 0 and run["after_p95_ms"] >= run["after_p50_ms"] > 0
        if run["first_typo_ms"] is not None:
            assert run["first_typo_corrected"] is True
    assert set(final["targets"]) >= {"private_memory_lt_500mb", "load_without_errors", "growth_p95_le_3x"}
    # the index is read, never rebuilt
    assert (bench["dir"] / "index").resolve() == gen
    assert sorted(p.name for p in gen.iterdir() if p.suffix != ".sqlite") == before
