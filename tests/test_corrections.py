"""Typos fixed in place: a query that finds nothing is answered with its
correction's results, saying so, and the reader can still search for what was
typed; letters standing for a college's name (``ybzy``) are corrected too."""
from __future__ import annotations

import pytest

from indexer.article import Article
from indexer.index import build_index
from indexer.results import Query
from indexer.search import SearchEngine

ARTICLES = [
    ("宜宾职业技术学院召开产教融合推进会", "宜宾职业技术学院召开产教融合推进会，校企代表参加会议。"),
    ("产教融合年会在我院举行", "来自华中数控等企业的代表参加了产教融合年会，共同探讨人才培养。"),
    ("我院举行技能大赛", "学院举行第十届技能大赛，产教融合成果丰硕。"),
    ("学校举行田径运动会", "学校举行第十届田径运动会，两千余名运动员参加比赛。"),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory, engine_name):
    d = tmp_path_factory.mktemp("corrections")
    build_index([Article(url=f"http://www.example.edu.cn/info/1/{i}.htm", site="demo", title=t, body=b,
                         published=f"2024-0{i + 1}-01") for i, (t, b) in enumerate(ARTICLES)], d / "index")
    e = SearchEngine(d / "index")
    e.warm()
    yield e
    e.close()


def test_a_typo_gives_the_corrected_results_and_the_way_back(engine):
    typed = engine.search(Query(text="产教熔合"))
    assert typed.total == 0 and typed.suggestion == "产教融合" and typed.corrected_from is None
    fixed = engine.search(Query(text="产教熔合", correct=True))
    assert fixed.corrected_from == "产教熔合" and fixed.query.text == "产教融合"
    assert fixed.total == 3 and fixed.suggestion is None
    assert fixed.total == engine.search(Query(text="产教融合")).total


def test_a_quoted_phrase_is_meant_as_typed(engine):
    res = engine.search(Query(text='"产教熔合"', correct=True))
    assert res.total == 0 and res.corrected_from is None


def test_a_query_that_finds_results_is_left_alone(engine):
    res = engine.search(Query(text="运动会", correct=True))
    assert res.total == 1 and res.corrected_from is None


def test_letters_for_a_college_name_find_it(engine):
    res = engine.search(Query(text="ybzy", correct=True))
    assert res.corrected_from == "ybzy" and res.total == 1
    assert res.query.text in ("宜宾职业技术学院", "宜职")
