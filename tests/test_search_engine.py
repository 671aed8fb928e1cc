from datetime import date

import pytest

from indexer.article import Article
from indexer.index import build_index
from indexer.results import Query
from indexer.search import IndexMissing, SearchEngine

ARTICLES = [
    ("马克思主义学院举办讲座", "马克思主义学院今日举办理论讲座，计算机学院师生参加。", "2023-04-22", "马克思主义学院"),
    ("华中数控校企合作", "我院与武汉华中数控股份有限公司签约，深化产教融合。", "2022-01-02", "智能制造学院"),
    ("产教融合年会召开", "成渝地区双城经济圈智能制造产教融合发展共同体年会开幕。", "2023-04-21T10:30:00", None),
    ("<script>alert(1)</script>", "测试正文", "2020-01-01", "教务处"),
    ("蜀江数智装备公司来访", "蜀江数智装备有限公司与智能制造学院共建产业学院。", "2021-06-01", "智能制造学院"),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory, engine_name):
    d = tmp_path_factory.mktemp("ix")
    build_index([Article(url=f"http://x/{i}", site="demo", title=t, body=b, published=p, department=dep)
                 for i, (t, b, p, dep) in enumerate(ARTICLES)], d)
    e = SearchEngine(d)
    yield e
    e.close()


def titles(res):
    return [h.title for h in res.hits]


def test_subwords_and_phrases_are_found_verbatim(engine):
    assert titles(engine.search(Query(text='"计算机学院"'))) == ["马克思主义学院举办讲座"]
    assert titles(engine.search(Query(text="克思"))) == ["马克思主义学院举办讲座"]
    assert titles(engine.search(Query(text="数智装备"))) == ["蜀江数智装备公司来访"]
    assert engine.search(Query(text='"计算 机学院"')).total == 0


def test_title_matches_rank_above_body_matches(engine):
    res = engine.search(Query(text="产教融合"))
    assert titles(res)[0] == "产教融合年会召开"
    assert res.total == 2


def test_filters_and_facets(engine):
    res = engine.search(Query(text="", departments=("智能制造学院",)))
    assert res.total == 2
    dept = {f.value: f.count for f in res.facets["department"]}
    assert sum(dept.values()) == len(ARTICLES)  # the facet ignores its own filter
    res = engine.search(Query(text="", date_from=date(2023, 1, 1), date_to=date(2023, 4, 21)))
    assert titles(res) == ["产教融合年会召开"]


def test_and_then_partial(engine):
    res = engine.search(Query(text="华中数控 不存在的词"))
    assert res.partial and titles(res) == ["华中数控校企合作"]


def test_oldest_first_with_the_undated_last(tmp_path, engine_name):
    days = ["2023-05-01", None, "2021-01-01", "2023-05-01", None, "2022-07-01", "2021-01-01"]
    arts = [Article(url=f"http://x/{i}", site="demo", title=f"产教融合第{i}篇", body="产教融合。", published=d)
            for i, d in enumerate(days)]
    build_index(arts, tmp_path / "ix", engine=engine_name)
    e = SearchEngine(tmp_path / "ix")
    try:
        for text in ("产教融合", ""):
            whole = e.search(Query(text=text, sort="oldest", size=20))
            got = [h.published for h in whole.hits]
            assert [p for p in got if p] == sorted(p for p in days if p) and got[-2:] == [None, None]
            paged = [h.id for page in (1, 2, 3) for h in e.search(Query(text=text, sort="oldest", size=3,
                                                                          page=page)).hits]
            assert paged == [h.id for h in whole.hits]
            newest = [h.published for h in e.search(Query(text=text, sort="date", size=20)).hits]
            assert newest[:5] == sorted((p for p in days if p), reverse=True) and newest[-2:] == [None, None]
    finally:
        e.close()


def test_nothing_found_shows_the_facets_of_every_word(engine):
    """Neither every word nor some of them match in the chosen department: the
    facets are those of every word (what choosing another department would
    give), not of the some-of-the-words query that was tried and not shown."""
    q = Query(text="华中数控 讲座", departments=("教务处",))
    res = engine.search(q)
    assert res.total == 0 and not res.partial and res.hits == []
    dept = {f.value: f.count for f in res.facets["department"]}
    assert dept == {} and engine.facet_counts(q)["department"] == {}


def test_highlights_are_escaped(engine):
    res = engine.search(Query(text="script"))
    assert res.hits[0].title_html == "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"


@pytest.mark.parametrize("q", ['"', "AND", "*", "title:", "-", "x" * 5000, "😀", "\x00", "ＡＩ", "學院", "OR"])
def test_odd_queries_never_raise(engine, q):
    engine.search(Query(text=q))


def test_missing_index_says_what_to_run(tmp_path):
    with pytest.raises(IndexMissing, match="news-indexer update"):
        SearchEngine(tmp_path / "nothing")


def test_extreme_dates_and_pages_past_the_end(engine):
    assert engine.search(Query(text="", date_from=date(1, 1, 1), date_to=date(9999, 12, 31))).total == len(ARTICLES)
    res = engine.search(Query(text="", page=5, size=10))
    assert res.total == len(ARTICLES) and res.hits == []


def test_facets_for_columns_and_sites_and_related_and_suggest(engine):
    res = engine.search(Query(text=""))
    assert {f.value for f in res.facets["site"]} == {"demo"}
    assert set(res.facets) == {"department", "year", "column", "site"}
    first = engine.search(Query(text="华中数控")).hits[0]
    related = engine.related(first.id)
    assert related and first.id not in {h.id for h in related}
    assert engine.suggest("产教") == ["产教融合年会召开"]
    assert engine.suggest("😀") == [] and engine.related("nope") == []


# -- synonyms, "did you mean", the user dictionary ---------------------------------------
def test_an_abbreviation_finds_the_full_name_and_highlights_it(engine):
    res = engine.search(Query(text="马院 讲座"))            # data/dict/synonyms.txt: 马院 马克思主义学院
    assert titles(res) == ["马克思主义学院举办讲座"] and not res.partial
    assert "<mark>马克思主义学院</mark>" in res.hits[0].title_html
    assert engine.search(Query(text='"马院"')).total == 0   # a quoted phrase means itself only
    assert engine.search(Query(text="马院", title_only=True)).total == 1


def test_did_you_mean_a_homophone_slip_or_pinyin(engine):
    for typed in ("产教容合", "chanjiaoronghe"):
        res = engine.search(Query(text=typed))
        assert res.total == 0 and res.suggestion == "产教融合", typed
    assert engine.search(Query(text="产教融合")).suggestion is None     # nothing to correct
    # a correction must find something under the reader's own filters
    assert engine.search(Query(text="产教容合", departments=("教务处",))).suggestion is None


def test_a_changed_user_dictionary_says_to_reindex(tmp_path, monkeypatch, engine_name):
    import json
    from indexer import userdict
    from indexer.index import dictionary_note
    d = tmp_path / "ix"
    build_index([Article(url="http://x/1", site="demo", title="产教融合", body="产教融合", published="2023-01-01")], d)
    assert dictionary_note(d) is None
    meta = json.loads((d / "engine.json").read_text(encoding="utf-8"))
    assert meta["userdict"] == userdict.fingerprint(userdict.DEFAULT_PATH) != ""
    changed = tmp_path / "userdict.txt"
    changed.write_text("新词汇 10 n\n", encoding="utf-8")
    monkeypatch.setattr(userdict, "DEFAULT_PATH", changed)
    assert "news-indexer reindex" in dictionary_note(d)


def test_an_index_with_no_segment_yet_answers_empty(tmp_path, engine_name):
    build_index([], tmp_path)           # created, never given a document
    e = SearchEngine(tmp_path)
    for q in (Query(text=""), Query(text="学院"), Query(text="学院", sort="date")):
        res = e.search(q)
        assert res.total == 0 and res.hits == []
    assert e.match_ids("学院") == set() and e.suggest("学") == []
    e.close()


def test_articles_where_the_words_stand_together_rank_first(tmp_path, engine_name):
    from indexer import proximity
    assert proximity.gap("产教融合年会召开", [["产教融合"], ["年会"]]) == 0
    assert proximity.gap("年会上谈产教融合", [["产教融合"], ["年会"]]) == 2
    assert proximity.gap("产教融合", [["产教融合"], ["年会"]]) is None
    assert proximity.gap("宜宾职业技术学院年会", [["宜职", "宜宾职业技术学院"], ["年会"]]) == 0
    filler = "学校召开工作会议，研究部署下一阶段工作。" * 6
    far = Article(url="http://x/far", site="demo", title="工作动态", published="2024-01-01",
                  body="产教融合" + filler + "年会")
    near = Article(url="http://x/near", site="demo", title="工作动态", published="2020-01-01",
                   body=filler + "产教融合年会")   # the same words, as often, as long: a tie but for this
    build_index([far, near], tmp_path)
    e = SearchEngine(tmp_path)
    res = e.search(Query(text="产教融合 年会"))
    assert [h.url for h in res.hits] == ["http://x/near", "http://x/far"]
    assert res.hits[0].score > res.hits[1].score
    # sorted by date, nothing is re-ranked
    assert [h.url for h in e.search(Query(text="产教融合 年会", sort="date")).hits] == ["http://x/far", "http://x/near"]
    e.close()


# -- clauses of several runs: Latin words, digits, punctuation beside Chinese -----------------
MIXED = ["5G中国", "5G国中", "5G中", "5G 中文", "5G，中", "讲5G中心", "C语言程序设计", "产教，融合", "产教融合",
         "1+X证书试点", "第2023届毕业生", "AI赋能教学", "学习PLC编程", "AIM目标"]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, engine_name):
    d = tmp_path_factory.mktemp("mixed")
    build_index([Article(url=f"http://m/{i}", site="demo", title=f"标题{i}", body=b, published="2023-01-01")
                 for i, b in enumerate(MIXED)], d)
    e = SearchEngine(d)
    yield e
    e.close()


def verbatim(text):
    from indexer.analysis import normalise
    return {f"http://m/{i}" for i, b in enumerate(MIXED) if normalise(text) in normalise(b)}


@pytest.mark.parametrize("q", ["5G中", "中5G", "国中", "5G中心", "C语言", "产教，融合", "5G，中", "中", "G中国",
                               "1+X证", "X证书", "2023届", "第2023", "AI赋", "习PLC", "PLC编"])
def test_a_clause_of_several_runs_finds_exactly_the_articles_containing_it(mixed, q):
    res = mixed.search(Query(text=f'"{q}"', size=50))
    assert {h.url for h in res.hits} == verbatim(q), q


def test_a_latin_word_alone_is_matched_whole(mixed):
    assert {h.url for h in mixed.search(Query(text="AI")).hits} == {"http://m/11"}
    assert {h.url for h in mixed.search(Query(text="plc")).hits} == {"http://m/12"}


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def _substrings(draw):
    from indexer.analysis import normalise
    body = normalise(draw(st.sampled_from(MIXED)))
    i = draw(st.integers(0, len(body) - 2))
    j = draw(st.integers(i + 2, min(len(body), i + 6)))
    s = body[i:j]
    # a substring that begins and ends inside words, with something Chinese in it
    if not (s[0].isalnum() and s[-1].isalnum() and any("\u4e00" <= c <= "\u9fff" for c in s)):
        return draw(st.nothing())
    return s


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.filter_too_much])
@given(q=_substrings())
def test_any_quoted_substring_finds_exactly_the_articles_containing_it(mixed, q):
    assert {h.url for h in mixed.search(Query(text=f'"{q}"', size=50)).hits} == verbatim(q), q


def test_pages_of_equal_scores_are_ordered_by_date_and_never_repeat(tmp_path, engine_name):
    """Sixty articles scoring exactly alike: every page continues the one before,
    newest first, whatever page size is asked for."""
    from datetime import date as day, timedelta
    arts = [Article(url=f"http://t/{i}", site="demo", title="技能大赛通知", body="学院举办技能大赛。",
                    published=(day(2020, 1, 1) + timedelta(days=(i * 37) % 60)).isoformat())
            for i in range(60)]
    build_index(arts, tmp_path)
    e = SearchEngine(tmp_path)
    try:
        newest_first = sorted(arts, key=lambda a: a.published, reverse=True)
        for size in (7, 10, 25):
            seen = []
            for page in range(1, 60 // size + 2):
                res = e.search(Query(text="技能大赛", size=size, page=page))
                assert res.total == 60
                seen += [h.url for h in res.hits]
            assert seen == [a.url for a in newest_first], size
    finally:
        e.close()


def test_pages_by_date_of_days_holding_many_articles_follow_date_then_id(tmp_path, engine_name):
    """Ninety articles on three days (no times: every article of a day is a tie on
    its date): newest first and oldest first, folded or not, every page continues
    the one before, by date and then by id, whatever the page size."""
    from indexer.ids import article_id
    arts = [Article(url=f"http://t/{i}", site="demo", title=f"技能大赛第{i}号通知", body=f"学院举办技能大赛{i}。",
                    published=f"2020-01-0{1 + i % 3}") for i in range(90)]
    build_index(arts, tmp_path)
    e = SearchEngine(tmp_path)
    try:
        newest = sorted(arts, key=lambda a: (-int(a.published[-1]), article_id(a.url)))
        oldest = sorted(arts, key=lambda a: (int(a.published[-1]), article_id(a.url)))
        for sort, want in (("date", newest), ("oldest", oldest)):
            for size, fold in ((7, False), (25, False), (10, True)):
                seen = []
                for page in range(1, 90 // size + 2):
                    res = e.search(Query(text="技能大赛", size=size, page=page, sort=sort, fold=fold))
                    assert res.total == 90
                    seen += [h.url for h in res.hits]
                assert seen == [a.url for a in want], (sort, size, fold)
    finally:
        e.close()


def test_a_filter_tried_on_a_query_counts_only_what_the_filter_changes(tmp_path, engine_name):
    """The year counts ignore the date filter: after the same words without it, a
    date filter costs one aggregation (the filtered facets), not two, and every
    count equals a fresh engine's."""
    from datetime import date as day
    arts = [Article(url=f"http://f/{i}", site="demo", title=f"技能大赛通知{i}", body="学院举办技能大赛。",
                    published=f"{2019 + i % 4}-0{1 + i % 9}-01", department=("教务处", "学生处")[i % 2])
            for i in range(40)]
    build_index(arts, tmp_path)
    cached, fresh = SearchEngine(tmp_path), SearchEngine(tmp_path)
    try:
        snap = cached._snap()
        calls = []
        counts = snap.facet_counts
        snap.facet_counts = lambda node, names: calls.append(tuple(names)) or counts(node, names)
        cached._snap = lambda: snap
        plain = Query(text="技能大赛")
        dated = Query(text="技能大赛", date_from=day(2020, 1, 1), date_to=day(2020, 12, 31))
        both = Query(text="技能大赛", date_from=day(2020, 1, 1), date_to=day(2020, 12, 31), departments=("教务处",))
        for q, aggregations in ((plain, 1), (dated, 1), (both, 2), (dated, 0)):
            before = len(calls)
            got = cached.search(q)
            assert len(calls) - before == aggregations, (q, calls[before:])
            want = fresh.search(q)
            assert (got.total, got.facets) == (want.total, want.facets)
        assert got.total == 10 and {f.value: f.count for f in got.facets["year"]} == {
            "2019": 10, "2020": 10, "2021": 10, "2022": 10}
    finally:
        cached.close()
        fresh.close()


def test_a_query_asked_again_after_a_commit_counts_the_new_articles(tmp_path, engine_name):
    """Totals and facets are kept per query until the next commit, and no longer."""
    from indexer.index import sync
    from indexer.paths import index_path, store_path
    from indexer.store import Store

    def art(i, dept):
        return Article(url=f"http://c/{i}", site="demo", title=f"技能大赛通知{i}", body="学院举办技能大赛。",
                       published=f"2023-0{1 + i % 9}-01", department=dept)

    with Store(store_path(tmp_path)) as store:
        for i in range(5):
            store.upsert_article(art(i, "教务处"))
        sync(store, tmp_path)
        e = SearchEngine(index_path(tmp_path))
        try:
            first = e.search(Query(text="技能大赛", size=2))
            again = e.search(Query(text="技能大赛", size=2, page=2))
            assert first.total == again.total == 5 and first.facets == again.facets
            assert {h.url for h in first.hits}.isdisjoint(h.url for h in again.hits)
            store.upsert_article(art(5, "学生处"))
            sync(store, tmp_path)
            e.refresh(force=True)
            after = e.search(Query(text="技能大赛", size=2))
            assert after.total == 6
            assert {f.value: f.count for f in after.facets["department"]} == {"教务处": 5, "学生处": 1}
        finally:
            e.close()
