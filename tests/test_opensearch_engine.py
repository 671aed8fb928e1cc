"""The OpenSearch engine (:mod:`indexer.engines.opensearch`) on a real three-node
cluster (``tools/cluster.py``: one JVM per node on loopback, plain http).

1. The same articles built into tantivy and into OpenSearch answer alike: match
   sets, totals, facet counts, counts, the pages sorted by date, the whole page
   of a query that fits on one, stored articles and the vocabulary; including a
   mixed clause whose positional match expands to too many terms.
2. ``sync`` from a store applies new, changed and removed articles (and agrees
   with a tantivy sync of the same store); ``rebuild`` makes a new generation.
3. Faults: a node SIGKILLed during a stream of searches, and during a bulk build,
   loses nothing and duplicates nothing, and the cluster is green with the same
   counts after the node is back; with every node down the engine raises
   :class:`EngineUnavailable` promptly and a sync records nothing.

Skipped when there is no java (or no mvn to build the launcher). Every test
names its engines itself (``all_engines``): they do not run once per engine.
"""
from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from indexer.article import Article, Attachment
from indexer.ids import article_id
from indexer.index import build_index, read_meta, rebuild, sync
from indexer.paths import index_path, store_path
from indexer.results import Query
from indexer.search import SearchEngine
from indexer.store import Store

pytestmark = pytest.mark.all_engines

ENGINES = ("tantivy", "opensearch")
PAGE = 5

DEPTS = ["智能制造学院", "教务处", "学生处", None]
COLUMNS = ["学院新闻", "通知公告"]
WORDS = ["产教融合", "华中数控", "技能大赛", "校企合作", "人才培养", "现代学徒制", "渝芯智造", "1+X证书",
         "5G中国", "ICT学院"]


# -- the cluster ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def os_cluster(tmp_path_factory):
    if not (os.environ.get("JAVA_HOME") and Path(os.environ["JAVA_HOME"], "bin", "java").is_file()) \
            and not shutil.which("java"):
        pytest.skip("java is missing: the OpenSearch cluster tests need a JDK 17 (make opensearch-node)")
    from tools import cluster as tc
    if not tc.artifact_ready() and not shutil.which("mvn"):
        pytest.skip("mvn is missing: it builds tools/opensearch-node (make opensearch-node)")
    c = tc.Cluster(tmp_path_factory.mktemp("opensearch-cluster"), nodes=3, heap_mb=256)
    c.build()
    c.start(timeout=180)
    yield c
    c.stop()


@pytest.fixture
def os_env(os_cluster, monkeypatch):
    """``NEWS_OPENSEARCH_*`` pointing at the cluster, under an index prefix of this
    test's own (its indexes deleted after it)."""
    if not all(n.alive() for n in os_cluster.nodes):   # a test before stopped nodes: start again
        os_cluster.stop(grace=5)
        os_cluster.start(timeout=180)
    prefix = "t" + secrets.token_hex(4)
    for name, value in {"HOSTS": ",".join(os_cluster.urls), "PREFIX": prefix, "SHARDS": "3", "REPLICAS": "1",
                        "TIMEOUT": "5", "RETRIES": "3", "RETRY_WAIT": "10", "VERIFY": "true"}.items():
        monkeypatch.setenv("NEWS_OPENSEARCH_" + name, value)
    for name in ("USER", "PASSWORD", "CA"):
        monkeypatch.delenv("NEWS_OPENSEARCH_" + name, raising=False)
    yield prefix
    if any(n.alive() for n in os_cluster.nodes):
        os_cluster.request("DELETE", f"/{prefix}-*", timeout=60)


# -- corpora -------------------------------------------------------------------------------
def corpus(n: int, seed: int = 5, tag: str = "") -> list[Article]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = rng.sample(WORDS, 3)
        published = None if i % 17 == 0 else \
            f"{rng.randint(2019, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        column = rng.choice(COLUMNS)
        out.append(Article(url=f"http://x/{tag}{i}", site=rng.choice(["a", "b"]), title=f"{words[0]}新闻{tag}{i}",
                           body="，".join(words) + "。" + "学院" * rng.randint(1, 5) + f"第{i}篇",
                           published=published, department=rng.choice(DEPTS), column=column,
                           columns=[column] + (["专题报道"] if i % 11 == 0 else [])))
    return out


#: more bigrams beginning with 中 than a positional (span) match may expand to
MANY_GRAMS = "".join("中" + chr(0x4e00 + i) for i in range(1600))

HAND = [
    Article(url="http://h/5g", site="a", title="5G中国发展论坛在我院举行",
            body="学院承办5G中国论坛，华为ICT学院揭牌。产教融合走向深入。", published="2023-04-22",
            department="教务处", column="学院新闻", columns=["学院新闻", "通知公告"]),
    Article(url="http://h/1x", site="b", title="1+X证书制度试点启动",
            body="开展1+X证书制度试点，X证书考核同步进行。", published="2023-04-22T10:30:00",
            department="智能制造学院", column="通知公告"),
    Article(url="http://h/att", site="a", title="关于校企合作的通知", body="详见附件。", published="2023-04-22",
            department="教务处", column="通知公告",
            attachments=[Attachment(url="http://h/f/1.pdf", name="产教融合实施方案.pdf",
                                    text="校企合作协议全文，现代学徒制试点。")]),
    Article(url="http://h/trad", site="b", title="產教融合年會", body="華中數控與學院簽約。", published=None,
            department=None, column=None),
    Article(url="http://h/punct", site="a", title="通信技术讲座", body="讲座介绍5G，中国的通信标准。",
            published="2021-09-01", department="学生处", column="学院新闻"),
    Article(url="http://h/many", site="b", title="字表", body=MANY_GRAMS + "。我们迎来5G中国时代。",
            published="2024-01-01", department="学生处", column="学院新闻"),
]

ARTICLES = corpus(240) + HAND

TEXTS = ["产教融合", "学院", '"产教融合"', '"华中数控"', "产", "中", "5G中", "1+X证书", "X证书", '"5G中国"',
         "5G，中", "ICT", "学院 -华中数控", "-产教融合 学院", "title:技能大赛", "title:产教 学院",
         "产教融合 OR 华中数控", "校企合作协议", "產教融合", "第3篇", "zzzzqq", ""]


def filtered(q: Query) -> list[Query]:
    return [q, replace(q, departments=("教务处",)), replace(q, departments=("智能制造学院", "学生处")),
            replace(q, date_from=date(2021, 1, 1), date_to=date(2023, 6, 30)),
            replace(q, columns=("通知公告",)), replace(q, columns=("专题报道",)),
            replace(q, departments=("教务处",), date_from=date(2022, 1, 1), columns=("通知公告",)),
            replace(q, title_only=True)]


def answer(e: SearchEngine, q: Query) -> dict:
    """What must not depend on the engine (scores, and so the order of a page by
    relevance, may)."""
    res = e.search(q)
    out = {"total": res.total, "partial": res.partial, "match_ids": e.match_ids(q), "count": e.count(q),
           "facet_counts": e.facet_counts(q),
           "facets": {n: [(v.value, v.count) for v in vals] for n, vals in res.facets.items()}}
    if q.sort in ("date", "oldest") or not (q.text or "").strip():
        out["hits"] = [(h.id, h.published, h.title_html) for h in res.hits]
    elif q.page == 1 and res.total <= len(res.hits):
        out["hit_set"] = sorted(h.id for h in res.hits)
    return out


def assert_agree(engines: dict[str, SearchEngine], q: Query) -> dict:
    a, b = (answer(engines[n], q) for n in ENGINES)
    if a != b:
        diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
        raise AssertionError(f"tantivy and opensearch disagree on {q}:\n" + "\n".join(
            f"  {k}: tantivy={v[0]!r}\n  {' ' * len(k)}  opensearch={v[1]!r}" for k, v in diff.items()))
    return a


def open_both(articles: list[Article], root: Path) -> dict[str, SearchEngine]:
    out = {}
    for name in ENGINES:
        assert build_index(articles, root / name, engine=name) == len(articles)
        out[name] = SearchEngine(root / name, engine=name)
        assert out[name].info().extra["engine"] == name
    return out


# -- 1. the same answers as tantivy ----------------------------------------------------------
def test_opensearch_answers_like_tantivy(os_env, tmp_path):
    engines = open_both(ARTICLES, tmp_path)
    try:
        seen = set()
        for i, text in enumerate(TEXTS):
            base = Query(text=text, size=PAGE)
            got = assert_agree(engines, base)
            assert got["total"] > 0 or text == "zzzzqq", text
            # two of the filter sets for each text, each set used by several texts
            for q in [base] + [filtered(base)[1 + (i + k) % 7] for k in (0, 3)]:
                if q is not base:
                    assert_agree(engines, q)
                seen.add(filtered(base).index(q))
                for page in (1, 2):
                    assert_agree(engines, replace(q, sort="date", page=page))
        assert seen == set(range(8))
        # several groups of filters counted in one request, as each alone
        from indexer import plan
        snap = engines["opensearch"]._snap()
        f = plan.filters(Query(departments=("教务处", "学生处"), date_from=date(2021, 1, 1), columns=("通知公告",)))
        required = plan.Everything()
        groups = [([f["department"], f["column"]], ["year"]), ([], ["site", "department"]),
                  ([f["column"], f["date"]], ["department", "column"])]
        together = snap.facet_groups(required, groups)
        assert together == [snap.facet_counts(plan.all_of([required] + extra), names) for extra, names in groups]
        assert all(together) and together[0] != together[2]
        # the mixed clauses found what they should, the one with too many grams too
        ids = engines["opensearch"].match_ids('"5G中国"')
        assert {article_id("http://h/5g"), article_id("http://h/many")} <= ids
        assert article_id("http://h/punct") in engines["opensearch"].match_ids("5G，中")
        assert engines["opensearch"]._reader.loose, "the span match of 中* should have been too large"
        # browsing page by page, deep pages
        for page in (1, 2, 10, 49):
            assert_agree(engines, Query(text="", sort="date", page=page, size=5))
            assert_agree(engines, Query(text="", sort="oldest", page=page, size=5))
        for page in (1, 2):
            assert_agree(engines, Query(text="产教融合", sort="oldest", page=page, size=5))
        # stored articles and the vocabulary "did you mean" draws from
        for a in HAND + ARTICLES[:20]:
            aid = article_id(a.url)
            assert engines["opensearch"].get(aid) == engines["tantivy"].get(aid)
        assert engines["opensearch"].get("0123456789abcdef") is None
        vocab = {n: sorted(e.vocabulary()) for n, e in engines.items()}
        assert vocab["opensearch"] == vocab["tantivy"] and len(vocab["tantivy"]) > 1000
        assert engines["opensearch"].info().articles == len(ARTICLES)
        assert sorted(engines["opensearch"].article_ids()) == sorted(article_id(a.url) for a in ARTICLES)
    finally:
        for e in engines.values():
            e.close()


def test_scores_agree_where_articles_lack_a_body_or_attachments(os_env, tmp_path):
    """Lucene takes a field's BM25 statistics over the documents holding it, tantivy over
    every document: an article with no body (a notice that is only its attachment) and
    the many without attachments would part the scores, and with them the order of a
    page, unless an empty field still holds a token."""
    bare = [replace(a, url=a.url + "-bare", body="", attachments=[
        Attachment(url=a.url + "/f.pdf", name="附件.pdf", text=a.body)]) for a in corpus(60, seed=8, tag="e")[::3]]
    engines = open_both(corpus(120, seed=8) + bare, tmp_path)
    try:
        # words, in the title, the body and the attachments (a phrase found in an attachment
        # still scores a little differently: not this test's)
        for text in ("学院", "新闻", "技能大赛 学院"):
            pages = {n: {h.id: h.score for h in engines[n].search(Query(text=text, size=50)).hits} for n in ENGINES}
            assert pages["tantivy"].keys() == pages["opensearch"].keys(), text
            for aid, score in pages["tantivy"].items():
                assert pages["opensearch"][aid] == pytest.approx(score, rel=1e-4), (text, aid)
    finally:
        for e in engines.values():
            e.close()


def test_the_generation_records_its_index_and_never_the_password(os_env, tmp_path, monkeypatch):
    from indexer.engines.opensearch import ENGINE
    monkeypatch.setenv("NEWS_OPENSEARCH_USER", "reader")
    monkeypatch.setenv("NEWS_OPENSEARCH_PASSWORD", "s3cret-pw")   # the test cluster has no security: ignored
    monkeypatch.delenv("NEWS_OPENSEARCH_SHARDS")
    monkeypatch.delenv("NEWS_OPENSEARCH_REPLICAS")
    d = tmp_path / "data"
    (d / "indexes").mkdir(parents=True)
    (d / "opensearch.toml").write_text('shards = 2\nreplicas = 0\nprefix = "ignored-by-env"\n', encoding="utf-8")
    gen = d / "indexes" / "g20240101000000-1-2"
    gen.mkdir()
    ENGINE.create(gen)
    state = json.loads((gen / "opensearch.json").read_text(encoding="utf-8"))
    assert state["index"] == f"{os_env}-g20240101000000-1-2"
    assert state["shards"] == 2 and state["replicas"] == 0      # the file, where env says nothing
    assert "s3cret-pw" not in (gen / "opensearch.json").read_text(encoding="utf-8")
    assert ENGINE.exists(gen) and not ENGINE.exists(tmp_path)
    ENGINE.check(gen)
    ENGINE.publish(gen)
    ENGINE.drop(gen)
    with pytest.raises(ValueError, match="gone"):
        ENGINE.open(gen)


# -- 2. sync ------------------------------------------------------------------------------------
def test_sync_applies_new_changed_and_removed_articles(os_env, tmp_path):
    from indexer.engines import EngineBusy
    from indexer.engines.opensearch import ENGINE
    rng = random.Random(3)
    data, tdata = tmp_path / "data", tmp_path / "tdata"
    live = {a.url: a for a in corpus(80, seed=8, tag="s")}
    with Store(store_path(tmp_path / "store")) as store:
        for a in live.values():
            store.upsert_article(a)
        stats = sync(store, data, batch=30, engine="opensearch")
        assert (stats.engine, stats.added, stats.deleted, stats.commits) == ("opensearch", 80, 0, 3)
        e = SearchEngine(index_path(data), engine="opensearch")
        assert sorted(e.article_ids()) == sorted(article_id(u) for u in live)
        for rnd in range(3):
            urls = sorted(live)
            for url in rng.sample(urls, 6):            # changed: a new text
                live[url] = replace(live[url], body=live[url].body + f"修订版本{rnd}号")
                store.upsert_article(live[url])
            for url in rng.sample(sorted(set(urls) - {u for u in live if "修订" in live[u].body}), 4):
                store.remove_article(url, "gone")
                del live[url]
            for a in corpus(5, seed=100 + rnd, tag=f"n{rnd}-"):   # new
                live[a.url] = a
                store.upsert_article(a)
            one = sorted(live)[0]                        # one changed twice before the sync
            live[one] = replace(live[one], title=live[one].title + "甲")
            store.upsert_article(live[one])
            live[one] = replace(live[one], title=live[one].title + "乙")
            store.upsert_article(live[one])
            before = read_meta(index_path(data).resolve())["synced_seq"]
            stats = sync(store, data, batch=7)             # the generation's engine: opensearch
            assert stats.engine == "opensearch" and stats.deleted == 4 and stats.seq > before
            e.refresh(force=True)
            ids = e.article_ids()
            assert len(ids) == len(set(ids)) == len(live) == e.info().articles
            assert set(ids) == {article_id(u) for u in live}
            assert e.match_ids(f'"修订版本{rnd}号"') == {article_id(u) for u, a in live.items()
                                                        if f"修订版本{rnd}号" in a.body}
            assert e.match_ids('"新闻s"') >= {article_id(u) for u in live if "新闻s" in live[u].title}
            assert e.get(article_id(one)).title == live[one].title
            _counted_terms_are_the_index_own(index_path(data).resolve())
        assert sync(store, data).commits == 0             # nothing new: nothing sent
        # the same store synced into tantivy answers alike
        sync(store, tdata, engine="tantivy")
        t = SearchEngine(index_path(tdata), engine="tantivy")
        both = {"tantivy": t, "opensearch": e}
        for text in ["学院", "修订版本1号", '"5G中国"', "1+X证书", "产", ""]:
            for q in filtered(Query(text=text, size=PAGE))[:3]:
                assert_agree(both, q)
                assert_agree(both, replace(q, sort="date", page=2))
        # one writer at a time
        gen = index_path(data).resolve()
        w = ENGINE.writer(gen)
        with pytest.raises(EngineBusy):
            ENGINE.writer(gen, wait=0.5)
        w.rollback()
        w.close()
        # a rebuild: a new generation of the same engine, the same articles
        stats = rebuild(store, data)
        assert stats.engine == "opensearch" and index_path(data).resolve() != gen
        e.refresh(force=True)
        assert sorted(e.article_ids()) == sorted(article_id(u) for u in live)
        t.close()
        e.close()


def _counted_terms_are_the_index_own(gen: Path) -> None:
    """The document frequencies the writers keep (``terms.sqlite``) equal those the
    cluster counts itself over the field's fielddata (the live documents)."""
    from indexer import plan
    from indexer.engines.opensearch import ENGINE, counts
    assert counts.exists(gen)
    reader = ENGINE.open(gen)
    try:
        snap = reader.snapshot()
        for f in counts.COUNTED:
            kept = dict(counts.terms(gen, f))
            assert kept == dict(snap._composite(plan.Everything(), f)), f
            assert kept and dict(snap.terms(f)) == kept
    finally:
        reader.close()


# -- 3. faults ------------------------------------------------------------------------------------
QUERIES = [Query(text="产教融合"), Query(text="学院", departments=("教务处",)), Query(text='"5G中国"'),
           Query(text="", columns=("通知公告",), sort="date"), Query(text="华中数控 OR 技能大赛")]


def _expected(e: SearchEngine) -> dict:
    return {q: (e.search(q).total, e.match_ids(q), e.facet_counts(q)) for q in QUERIES}


def _manager(cluster) -> int:
    code, body = cluster.request("GET", "/_cat/cluster_manager?format=json")
    assert code == 200, body
    names = [n.name for n in cluster.nodes]
    return names.index(body[0]["node"])


def test_a_node_killed_during_searches_loses_no_hit(os_env, os_cluster, tmp_path):
    arts = corpus(300, seed=6)
    assert build_index(arts, tmp_path / "ix", engine="opensearch") == len(arts)
    e = SearchEngine(tmp_path / "ix", engine="opensearch")
    expected = _expected(e)
    victim = _manager(os_cluster)        # the elected cluster manager: the hardest one to lose
    killer = threading.Timer(1.0, os_cluster.kill, (victim,))
    killer.start()
    answered = 0
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < 6.0 or killer.is_alive():
            for q in QUERIES:
                res = e.search(q)
                assert (res.total, e.match_ids(q), e.facet_counts(q)) == expected[q], q
                answered += 1
    finally:
        killer.join()
    assert not os_cluster.nodes[victim].alive() and answered > 20
    os_cluster.wait_green(timeout=60, status="yellow", nodes=2)   # a copy of every shard on the other two
    assert _expected(e) == expected
    os_cluster.restart(victim)                           # back: green again
    assert _expected(e) == expected
    from indexer.engines.opensearch import ENGINE
    ENGINE.check(tmp_path / "ix")
    e.close()


def test_a_node_killed_during_a_bulk_build_leaves_exact_counts(os_env, os_cluster, tmp_path):
    from indexer.engines.opensearch import EngineUnavailable, OpenSearchError
    arts = corpus(3000, seed=7, tag="b")
    ids = sorted(article_id(a.url) for a in arts)
    victim = (_manager(os_cluster) + 1) % len(os_cluster.nodes)
    target = tmp_path / "ix"
    killed = threading.Event()

    def kill_when_writing():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                name = json.loads((target / "opensearch.json").read_text())["index"]
                code, body = os_cluster.request("GET", f"/{name}/_stats/indexing", timeout=5)
                done = body["_all"]["primaries"]["indexing"]["index_total"] if code == 200 else 0
            except (OSError, ValueError, KeyError):
                done = 0
            if done >= 600:
                os_cluster.kill(victim)
                killed.set()
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_when_writing, daemon=True)
    watcher.start()
    t0 = time.monotonic()
    try:
        n = build_index(arts, target, engine="opensearch")
    except (EngineUnavailable, OpenSearchError):     # the build may give up: a second one must be exact
        watcher.join()
        target = tmp_path / "ix2"
        n = build_index(arts, target, engine="opensearch")
    watcher.join()
    assert killed.is_set(), "the node was not killed during the build"
    assert n == len(arts)
    took = time.monotonic() - t0
    e = SearchEngine(target, engine="opensearch")
    got = e.article_ids()
    assert len(got) == len(set(got)) == len(arts) and sorted(got) == ids, took
    build_index(arts, tmp_path / "t", engine="tantivy")
    t = SearchEngine(tmp_path / "t", engine="tantivy")
    both = {"tantivy": t, "opensearch": e}
    for q in QUERIES:
        assert_agree(both, q)
    os_cluster.restart(victim)                       # back: green, the same counts
    assert sorted(e.article_ids()) == ids and e.info().articles == len(arts)
    for q in QUERIES:
        assert_agree(both, q)
    t.close()
    e.close()


def test_every_node_down_makes_the_engine_unavailable_promptly(os_env, os_cluster, tmp_path, monkeypatch):
    """Last: it kills the whole cluster (a later test would start it again)."""
    from indexer.engines.opensearch import ENGINE, EngineUnavailable
    from indexer.search import IndexMissing
    with Store(store_path(tmp_path / "data")) as store:
        for a in corpus(40, seed=9, tag="d"):
            store.upsert_article(a)
        sync(store, tmp_path / "data", engine="opensearch")
        gen = index_path(tmp_path / "data").resolve()
        e = SearchEngine(index_path(tmp_path / "data"), engine="opensearch")
        assert e.search(Query(text="学院")).total == 40
        w = ENGINE.writer(gen)
        w.replace(article_id("http://x/d1"), None)
        monkeypatch.setenv("NEWS_OPENSEARCH_TIMEOUT", "2")
        monkeypatch.setenv("NEWS_OPENSEARCH_RETRY_WAIT", "1")
        for i in range(len(os_cluster.nodes)):
            os_cluster.kill(i)
        for what, call in [("search", lambda: e.search(Query(text="产教融合"))),
                           ("search by date", lambda: e.search(Query(text="", sort="date"))),
                           ("get", lambda: e.get(article_id("http://x/d2"))),
                           ("commit", w.commit), ("check", lambda: ENGINE.check(gen)),
                           ("open", lambda: SearchEngine(index_path(tmp_path / "data"))),
                           ("sync", lambda: (w.rollback(), w.close(), store.remove_article("http://x/d3", "gone"),
                                             sync(store, tmp_path / "data")))]:
            t0 = time.monotonic()
            with pytest.raises(EngineUnavailable):
                call()
            assert time.monotonic() - t0 < 15, (what, time.monotonic() - t0)
            assert not isinstance(EngineUnavailable("x"), (OSError, ValueError, IndexMissing))
        assert read_meta(gen)["synced_seq"] < store.seq    # the failed sync recorded nothing
        e.close()


# -- the benchmark, kept honest at a small size ---------------------------------------------
def test_the_cluster_benchmark_measures_both_engines_alike(os_cluster, os_env, tmp_path):
    """``bench/cluster.py`` on the test cluster at a few hundred articles: both
    engines built by the real ``reindex``, the same query mix answered alike
    (totals, pages, facets), facets exact against FTS5, and every figure of the
    table and the JSON line there."""
    import sys
    bench = Path(__file__).resolve().parent.parent / "bench"
    sys.path.insert(0, str(bench))
    try:
        import cluster as cluster_bench
        import perf
    finally:
        sys.path.remove(str(bench))
    opt = perf.Options(queries=30, check=30, skip_stock=True, skip_floor=True, incremental=False,
                       skip_server=True, engines=cluster_bench.ENGINES)
    out = cluster_bench.measure(300, tmp_path / "data", opt, os_cluster)
    final = out["final"]
    assert final["cluster"]["answers"]["all_equal"], final["cluster"]["answers"]
    compared = {r["engine"]: r.get("compare", {}) for r in out["results"]}
    for engine in cluster_bench.ENGINES:
        figures = final["engines"][engine]
        assert figures["facets_exact"] is True and figures["totals_equal"] == 1.0, \
            (engine, compared[engine].get("facet_mismatches"), compared[engine].get("total_mismatches"))
        assert figures["p95_ms"] > 0 and figures["build_docs_per_s"] > 0
    current = SearchEngine(index_path(tmp_path / "data"))
    try:   # every story of the store (reposts merged), and the same as tantivy's count
        assert final["engines"]["opensearch"]["cluster_docs"] == current.info().articles > 0
        assert current.info().extra["engine"] == "opensearch"
    finally:
        current.close()
    assert final["engines"]["opensearch"]["index_bytes_per_text_byte"] > 0
    assert isinstance(final["targets"]["cluster_p95_le_tantivy"], bool)
    assert "cluster / tantivy" in out["table"]
    json.dumps(final, default=str)
