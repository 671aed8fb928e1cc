"""The fast paths of the engine give the answers the plain ones would: one
evaluation for hits, facets and filters; column-based facets; the multi-process
build. (No timings: speed is measured by bench/perf.py.)"""
import random
from collections import Counter
from datetime import date

import pytest

from indexer.article import Article
from indexer.ids import article_id
from indexer.index import build_index
from indexer.results import Query
from indexer.search import SearchEngine

DEPTS = ["智能制造学院", "教务处", "学生处", None]
COLUMNS = ["学院新闻", "通知公告"]
WORDS = ["产教融合", "华中数控", "技能大赛", "校企合作", "人才培养", "现代学徒制", "渝芯智造", "1+X证书"]


def _articles(n: int, seed: int = 5) -> list[Article]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = rng.sample(WORDS, 3)
        published = None if i % 17 == 0 else f"{rng.randint(2016, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        out.append(Article(url=f"http://x/{i}", site=rng.choice(["a", "b"]), title=f"{words[0]}新闻{i}",
                           body="，".join(words) + "。" + "学院" * rng.randint(1, 5), published=published,
                           department=rng.choice(DEPTS), column=rng.choice(COLUMNS)))
    return out


ARTICLES = _articles(300)


@pytest.fixture(scope="module")
def engine(tmp_path_factory, engine_name):
    d = tmp_path_factory.mktemp("ix")
    build_index(ARTICLES, d)
    e = SearchEngine(d)
    yield e
    e.close()


def _contains(a: Article, q: str) -> bool:
    from indexer.analysis import normalise
    return all(normalise(w) in normalise(a.title + "\n" + a.body) for w in q.split())


def _passes(a: Article, query: Query, skip: str | None = None) -> bool:
    if skip != "department" and query.departments and a.department not in query.departments:
        return False
    if skip != "year" and (query.date_from or query.date_to):
        if not a.published:
            return False
        d = date.fromisoformat(a.published[:10])
        if (query.date_from and d < query.date_from) or (query.date_to and d > query.date_to):
            return False
    if skip != "column" and query.columns and a.column not in query.columns:
        return False
    return True


QUERIES = [
    Query(text="产教融合"), Query(text="华中数控 技能大赛"), Query(text=""),
    Query(text="校企合作", departments=("教务处", "学生处")),
    Query(text="人才培养", date_from=date(2019, 1, 1), date_to=date(2021, 12, 31), departments=("智能制造学院",)),
    Query(text="", date_from=date(2020, 3, 1), columns=("通知公告",)),
    Query(text="渝芯", sort="date", departments=("智能制造学院",), columns=("学院新闻",)),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.text or "(empty)")
def test_totals_facets_and_match_ids_are_exact(engine, query):
    res = engine.search(query)
    expected = [a for a in ARTICLES if _contains(a, query.text) and _passes(a, query)]
    assert res.total == len(expected)
    assert engine.match_ids(query) == {article_id(a.url) for a in expected}
    for name, attr in (("department", "department"), ("column", "column"), ("year", "published")):
        counts = Counter()
        for a in ARTICLES:
            if _contains(a, query.text) and _passes(a, query, skip=name):
                v = getattr(a, attr)
                counts[(v[:4] if v else None) if name == "year" else v] += 1
        assert {f.value: f.count for f in res.facets[name]} == dict(counts), name


def test_date_order_puts_undated_articles_last_and_pages_tile(engine):
    pages = [engine.search(Query(text="学院", sort="date", page=p, size=50)) for p in range(1, 8)]
    got = [h.published for r in pages for h in r.hits]
    assert len(got) == len(ARTICLES) == pages[0].total
    dated = [p for p in got if p]
    assert dated == sorted(dated, reverse=True)
    assert got[len(dated):] == [None] * (len(got) - len(dated))


def test_relevance_order_is_by_score_then_date(engine):
    res = engine.search(Query(text="产教融合", size=50))
    keys = [(h.score, h.published or "") for h in res.hits]
    assert keys == sorted(keys, reverse=True)


def test_a_multi_process_build_answers_like_a_single_process_one(tmp_path, engine_name):
    from indexer.index import build_into, _new_generation
    arts = _articles(240, seed=9)
    answers = []
    for procs in (1, 2):
        d = tmp_path / f"p{procs}"
        d.mkdir()
        gen = _new_generation(d)
        assert build_into(gen, arts, procs=procs) == len(arts)
        e = SearchEngine(gen)
        # documents land in other docnums, so only ties may change places
        answers.append([(r.total, sorted(h.id for h in r.hits), [(round(h.score, 6), h.published) for h in r.hits],
                         r.facets) for r in (e.search(q) for q in QUERIES)])
        e.close()
    assert answers[0] == answers[1]
