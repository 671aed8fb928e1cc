"""The synthetic corpus of bench/corpus.py: deterministic, fast, what the store
would hold, and calibrated on the real stories of its model (bench/calibrate.py).

Generating needs only the committed model; the test that learns a model from the
real copies skips where ../shared is absent. No timing is asserted beyond a
generous bound that only a broken generator would miss."""
from __future__ import annotations

import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import calibrate  # noqa: E402
import corpus  # noqa: E402

import indexer.store as store_module  # noqa: E402
from indexer.article import Article  # noqa: E402
from indexer.paths import store_path  # noqa: E402
from indexer.store import Store  # noqa: E402


@pytest.fixture(scope="module")
def model() -> corpus.Model:
    return corpus.default_model()


@pytest.fixture(scope="module")
def rows(model) -> list[corpus.Row]:
    return list(corpus.generate(5000, seed=1, model=model))


def test_the_corpus_is_deterministic_and_extends():
    small = list(corpus.generate(1500, seed=5))
    assert small == list(corpus.generate(1500, seed=5))
    assert list(corpus.generate(700, seed=5, start=800)) == small[800:]
    assert list(corpus.generate(50, seed=6)) != small[:50]


def test_generation_is_fast_at_a_small_size(model):
    t0 = time.perf_counter()
    n = sum(1 for _ in corpus.generate(10000, seed=3, model=model))
    assert n == 10000
    assert time.perf_counter() - t0 < 60      # about 1 s on a quiet machine


def test_articles_are_real_stories_varied(model, rows):
    """Sites, columns and departments per site, dates over the years, lengths and
    the share of reposts are the real ones; no two stories have the same text."""
    assert len({r.url for r in rows}) == len(rows)
    real_sites = Counter(model.sites[s.site]["id"] for s in model.stories)
    syn_sites = Counter(r.site for r in rows if r.canonical is None)
    for site, count in real_sites.items():
        if count >= 50:
            assert syn_sites[site] / len(rows) == pytest.approx(count / len(model.stories), rel=0.35), site
    per_site_columns: dict[str, set[str]] = {}
    per_site_depts: dict[str, set[str | None]] = {}
    for s in model.stories:
        site = model.sites[s.site]["id"]
        per_site_columns.setdefault(site, set()).add(model.columns[s.column])
        per_site_depts.setdefault(site, {None}).add(model.departments[s.dept] if s.dept >= 0 else None)
    assert all(r.column in per_site_columns[r.site] for r in rows)
    assert all(r.department in per_site_depts[r.site] for r in rows)
    real_years = Counter(s.published[:4] for s in model.stories)
    syn_years = Counter(r.published[:4] for r in rows)
    for year, count in real_years.most_common(5):
        assert syn_years[year] / len(rows) == pytest.approx(count / len(model.stories), rel=0.35), year
    real_len = statistics.median(len(model.text(s.body)) for s in model.stories)
    syn_len = statistics.median(len(r.body) for r in rows if r.canonical is None)
    assert 0.7 < syn_len / real_len < 1.4
    reposts = sum(r.canonical is not None for r in rows) / len(rows)
    assert reposts == pytest.approx(model.repost_share, rel=0.35)
    fps = Counter(r.fp for r in rows if r.canonical is None and r.fp)
    assert max(fps.values()) == 1
    assert all(r.fp == Article(r.url, r.site, r.title, r.body).fingerprint for r in rows[:500])


def test_rare_names_stay_rare_as_the_corpus_grows(model):
    """A name one real story gives is in a handful of articles of 30k (about
    1 + ln(30k / 2k)), not in 15 (30k / 2k) of them: the vocabulary of names grows
    with the corpus instead."""
    rows = list(corpus.generate(30000, seed=2, model=model))
    hapax = [model.vocab[i] for i in sorted(model.rare)
             if model.df[model.forms[i]] == 1 and re.match(r"^[\u4e00-\u9fff]{3,}$", model.vocab[i])]
    sample = hapax[::max(1, len(hapax) // 100)]
    texts = [r.title + "\n" + r.body for r in rows if r.canonical is None]
    counts = [sum(w in t for t in texts) for w in sample]
    scaled = len(rows) / len(model.stories)
    assert statistics.mean(counts) < scaled / 3
    assert sum(c > 0 for c in counts) > 0.8 * len(counts)     # still there, mostly in the first articles


def _ticking_clock(monkeypatch) -> None:
    """A store clock one second on at every call: the order of first sightings is the
    order of writes, as in a crawl."""
    from datetime import datetime, timedelta, timezone
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    ticks = iter(range(10 ** 9))
    monkeypatch.setattr(store_module, "now_iso", lambda: (start + timedelta(seconds=next(ticks))).isoformat())


def _table(path: Path) -> dict[str, tuple]:
    with Store(path) as st:
        rows = st.db.execute("SELECT url, seq, canonical, reposts, fingerprint, content_hash FROM articles")
        return {r[0]: tuple(r[1:]) for r in rows}, st.seq


def test_bulk_load_is_what_the_store_would_write(tmp_path, monkeypatch):
    """The same articles upserted one by one through Store.upsert_article give the same
    rows: sequence numbers, reposts merged into their story, fingerprints, hashes."""
    bulk = tmp_path / "bulk"
    info = corpus.load(bulk, 300, seed=2)
    assert info["written"] == 300 and info["reposts"] > 0
    corpus.load(bulk, 100, seed=2, start=300)
    _ticking_clock(monkeypatch)
    one = tmp_path / "one"
    with Store(store_path(one)) as st:
        for r in corpus.generate(400, seed=2):
            st.upsert_article(Article(r.url, r.site, r.title, r.body, r.published, r.department, r.source,
                                      r.column))
    assert _table(store_path(bulk)) == _table(store_path(one))
    with Store(store_path(bulk)) as st:
        changes = list(st.changes_since(0))
        assert [c.seq for c in changes] == sorted(c.seq for c in changes)
        stories = [c.article for c in changes if c.article is not None]
        assert len(stories) == st.count_articles()
        for a in stories:
            assert st.upsert_article(a) == "unchanged"


def test_the_query_mix_is_drawn_from_real_stories(model):
    mix = corpus.draw_queries(model, 1000, seed=7)
    assert mix == corpus.draw_queries(model, 1000, seed=7)
    kinds = Counter(q["kind"] for q in mix)
    assert set(kinds) == {"word", "words", "phrase", "subword", "name"}
    assert all(q["terms"] and all(q["terms"]) for q in mix)
    assert any(q["phrase"] for q in mix) and any(len(q["terms"]) >= 2 for q in mix)
    assert 0.1 < sum(bool(q["date_from"]) for q in mix) / 1000 < 0.4
    assert 0.05 < sum(bool(q["depts"]) for q in mix) / 1000 < 0.3
    assert 0.05 < sum(q["sort"] == "date" for q in mix) / 1000 < 0.3
    assert any(q["page"] >= 10 for q in mix) and any(1 < q["page"] < 10 for q in mix)
    real = calibrate.real_texts(model)
    matched = calibrate.query_shares(mix[:200], real)
    assert sum(c > 0 for c in matched) >= 0.9 * 200          # readers look for what is there
    assert sum(c > len(real) * 0.5 for c in matched) < 0.1 * 200   # and rarely for what is everywhere


def test_the_calibration_check_passes_at_20k(model):
    res = calibrate.check(20000, seed=1, queries=300, df_sample=8000, query_sample=20000, model=model)
    assert res["top_ok"], res["misses"]["top"]
    assert res["mid_ok"], res["misses"]["mid"]
    assert res["queries_ok"], res["misses"]["queries"]
    assert "within 2x" in calibrate.table(res)


def test_the_model_file_is_small_and_complete(model):
    assert corpus.MODEL_PATH.stat().st_size < 5_000_000
    assert len(model.stories) > 1000 and len(model.sites) >= 4
    assert 0 < model.repost_share < 0.5 and 0 < model.near_share < 0.5
    assert {s["id"] for s in model.sites} >= {"demo"}
    assert corpus.SITES and corpus.COLUMNS


needs_shared = pytest.mark.skipif(calibrate.shared_dir() is None or
                                  not (calibrate.shared_dir() / "real-sites" / "tsinghua-news").is_dir(),
                                  reason="../shared/real-sites/tsinghua-news not found beside the repository")


@needs_shared
def test_learning_reads_a_real_copy_through_the_extractor(tmp_path):
    docs = calibrate.read_real(calibrate.shared_dir(), only={"tsinghua-news"})
    assert len(docs) >= 100
    assert all(d.site == "tsinghua-news" and d.title and d.published for d in docs)
    assert sum(bool(d.source) for d in docs) > len(docs) / 2       # reprints name their outlet
    sites = {"tsinghua-news": "news.tsinghua.edu.cn"}
    m = calibrate.build_model(docs, sites)
    path = tmp_path / "model.json.gz"
    calibrate.write_model(m, path)
    again = tmp_path / "again.json.gz"
    calibrate.write_model(calibrate.build_model(docs, sites), again)
    assert path.read_bytes() == again.read_bytes()                    # no timestamp, no order noise
    learned = corpus.load_model(path)
    assert learned.text(learned.stories[0].body) == docs[0].body       # tokens give the text back
    rows = list(corpus.generate(200, seed=1, model=learned))
    assert {r.site for r in rows} == {"tsinghua-news"}
    assert all(r.url.startswith("https://news.tsinghua.edu.cn/") for r in rows)
