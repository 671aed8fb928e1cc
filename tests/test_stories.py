"""One result per story: near-duplicates (the same title in other years, the same
text with a line changed) fold under the best-ranked one, on every engine."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.article import Article
from indexer.index import build_index
from indexer.results import Query
from indexer.search import SearchEngine
from indexer.stories import MAX_DISTANCE, fingerprint, fold, similar, title_key
from collections import Counter

from indexer.analysis import gram_sequence

TEXT = ("学院召开产教融合工作专题会议，研究部署校企合作、现代产业学院建设和实习实训基地建设等重点工作。"
        "会议听取了各二级学院关于订单班培养、双师型教师队伍建设和技能大赛备赛情况的汇报，"
        "要求各部门进一步完善校企协同育人机制，推动专业链与产业链精准对接，提升人才培养质量。"
        "会议强调，要以项目为抓手，落实责任分工，按时完成年度目标任务。")
OTHER = ("学校举行第十届田径运动会开幕式，来自全校各学院的两千余名运动员参加比赛。运动会设径赛、田赛和趣味项目，"
         "历时三天，共有十二人次打破校纪录。闭幕式上，校领导为获奖集体和个人颁奖，并对志愿者和裁判员表示感谢，"
         "号召全体师生积极参与体育锻炼，增强体质，以饱满的精神投入学习和工作。")


def art(n: int, title: str, body: str, day: str, column: str = "学院新闻") -> Article:
    return Article(url=f"http://www.example.edu.cn/info/1/{n}.htm", site="demo", title=title, body=body,
                   published=day, department="教务处", column=column)


ARTICLES = [
    art(1, "我院召开产教融合工作专题会议", TEXT, "2024-05-06"),
    art(2, "我院召开产教融合工作专题会议", TEXT.replace("年度目标", "全年目标"), "2023-05-08", "通知公告"),
    # the same story under another title, a few words changed
    art(3, "产教融合专题会议召开", TEXT.replace("按时完成", "如期完成"), "2022-05-09"),
    # the notice republished every year: the same title, another text
    art(4, "关于开展产教融合型企业推荐工作的通知", "各学院：现将产教融合型企业推荐工作有关事项通知如下。" * 2, "2024-03-01"),
    art(5, "关于开展产教融合型企业推荐工作的通知", "各学院：请于三月底前报送产教融合型企业推荐材料。" * 2, "2023-03-01"),
    art(6, "学校举行田径运动会", OTHER, "2024-04-20"),
    art(7, "产教融合年会在我院举行", "来自华中数控等企业的代表参加了产教融合年会，共同探讨人才培养。", "2024-01-10"),
]


def test_fingerprints_tell_near_from_far():
    def fp(text: str) -> str | None:
        return fingerprint(Counter(gram_sequence(text)))

    a, b, c = fp(TEXT), fp(TEXT.replace("按时完成", "如期完成")), fp(OTHER)
    assert a and b and c
    assert (int(a, 16) ^ int(b, 16)).bit_count() <= MAX_DISTANCE < (int(a, 16) ^ int(c, 16)).bit_count()
    assert fp("短讯。") is None          # too short to say
    # a gram repeated hundreds of times (a long table of 计算…) is weighed, never refused
    assert fp(TEXT + "计算机科学，" * 400) is not None
    assert title_key("通知") is None and title_key("关于 开展…工作的通知！") == "关于开展工作的通知"
    assert similar(("关于开展工作的通知", None), ("关于开展工作的通知", None))
    assert not similar((None, None), (None, None))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(alphabet="学院产教融合会议校企合作abc12", min_size=1, max_size=3),
                       st.integers(min_value=1, max_value=400), min_size=40, max_size=120))
def test_the_fingerprint_is_the_simhash_librarys_bit_for_bit(grams):
    """Indexes built before and after fingerprints were computed here hold the same
    values: the library's ``Simhash`` over the same weighted grams."""
    simhash = pytest.importorskip("simhash")
    want = format(simhash.Simhash([(g, min(c, 255)) for g, c in grams.items()], f=64).value, "016x")
    assert fingerprint(grams) == want


def test_the_fingerprint_of_real_text_is_the_librarys():
    simhash = pytest.importorskip("simhash")
    for text in (TEXT, OTHER, TEXT + "计算机科学，" * 400):
        grams = Counter(gram_sequence(text))
        assert fingerprint(grams) == format(
            simhash.Simhash([(g, min(c, 255)) for g, c in grams.items()], f=64).value, "016x")


def test_fold_joins_through_any_member_and_keeps_rank_order():
    far = (1 << 64) - 1
    sigs = [("aaaaaa", None), ("bbbbbb", 0b1111), ("cccccc", None), ("aaaaaa", 0b1111 ^ 0b111), ("dddddd", far),
            (None, far ^ (1 << 40) ^ (1 << 3))]
    # 0 and 3 share a title, 3 and 1 a fingerprint (3 bits apart): one story led by
    # 0; 5 stands 2 bits from 4 across two bands
    assert fold(sigs) == [[0, 1, 3], [2], [4, 5]]
    assert fold([]) == []


@pytest.fixture(scope="module")
def engine(tmp_path_factory, engine_name):
    d = tmp_path_factory.mktemp("stories")
    build_index(ARTICLES, d / "index", engine=engine_name)
    e = SearchEngine(d / "index")
    yield e
    e.close()


def test_a_page_shows_each_story_once_with_its_fold(engine):
    plain = engine.search(Query(text="产教融合", size=10))
    assert plain.total == 6 and len(plain.hits) == 6 and plain.stories is None
    folded = engine.search(Query(text="产教融合", size=10, fold=True))
    assert folded.total == 6 and folded.stories == 3     # six articles, three stories
    titles = [h.title for h in folded.hits]
    assert len(titles) == 3 and len(set(titles)) == 3
    by_title = {h.title: h for h in folded.hits}
    meeting = next(h for h in folded.hits if "专题会议" in h.title)
    assert {s["url"].rsplit("/", 1)[1] for s in meeting.similar} | {meeting.url.rsplit("/", 1)[1]} == \
        {"1.htm", "2.htm", "3.htm"}
    assert len(by_title["关于开展产教融合型企业推荐工作的通知"].similar) == 1
    assert by_title["产教融合年会在我院举行"].similar == []
    # the leader is the best-ranked of its story: the same hit the unfolded page ranks first among them
    first_of = [h.id for h in plain.hits if h.id in {meeting.id, *(s["id"] for s in meeting.similar)}][0]
    assert meeting.id == first_of
    # pages count stories: page 2 of size 2 holds the third
    assert [h.id for h in engine.search(Query(text="产教融合", size=2, page=2, fold=True)).hits] == \
        [folded.hits[2].id]
    # newest first, folded the same way
    by_date = engine.search(Query(text="产教融合", sort="date", fold=True))
    assert by_date.stories == 3 and [h.published for h in by_date.hits] == \
        sorted((h.published for h in by_date.hits), reverse=True)


def test_the_fold_lists_its_whole_story(engine):
    folded = engine.search(Query(text="产教融合", fold=True))
    meeting = next(h for h in folded.hits if "专题会议" in h.title)
    listed = engine.search(Query(text="产教融合", near=meeting.id))
    assert listed.total == 3 and {h.id for h in listed.hits} == {meeting.id, *(s["id"] for s in meeting.similar)}
    assert all(h.similar == [] for h in listed.hits)
    assert engine.search(Query(text="产教融合", near="0" * 16)).total == 0


def test_an_engine_with_fold_columns_reads_the_signatures_its_stored_documents_hold(engine):
    """Where the engine keeps the fold signature in columns, a page is folded from
    them without reading a stored document, and they equal the stored documents'."""
    from indexer import plan
    from indexer.stories import signature
    snap = engine._snap()
    refs = snap.refs(plan.Everything())
    assert len(refs) == len(ARTICLES)
    if not hasattr(snap, "signatures"):
        pytest.skip(f"{type(snap).__name__} folds from its stored documents")
    assert snap.signatures(refs) == [signature(snap.stored(r)) for r in refs]
    assert sum(s[1] is not None for s in snap.signatures(refs)) >= 4     # fingerprints, not only titles
    # and a folded page reads only the stored documents of the stories it shows
    calls = []
    stored = snap.stored
    snap.stored = lambda r: calls.append(r) or stored(r)
    engine._snap = lambda: snap
    try:
        page = engine.search(Query(text="产教融合", size=1, fold=True))
    finally:
        del engine._snap
    assert page.stories == 3 and len(page.hits) == 1
    assert len(calls) == 1 + len(page.hits[0].similar)


def test_an_engine_without_fold_columns_folds_the_same_pages(engine):
    """An engine that keeps no signature columns (no ``signatures``) folds from the
    stored documents: the same stories, in the same order, on every page."""
    class NoColumns:
        def __init__(self, snap):
            self._snap = snap

        def __getattr__(self, name):
            if name in ("signatures", "date_keys"):
                raise AttributeError(name)
            return getattr(self._snap, name)

    def pages(sort):
        return [[(h.id, [s["id"] for s in h.similar]) for h in
                 engine.search(Query(text="产教融合", size=2, page=n, fold=True, sort=sort)).hits] for n in (1, 2, 3)]

    with_columns = {sort: pages(sort) for sort in ("relevance", "date", "oldest")}
    real = engine._snap
    engine._snap = lambda: NoColumns(real())
    try:
        assert {sort: pages(sort) for sort in ("relevance", "date", "oldest")} == with_columns
    finally:
        del engine._snap


def test_facets_counted_beside_the_page_answer_as_one_after_the_other(engine, monkeypatch):
    """Where the engine's snapshot answers two threads at once (``concurrent``),
    a query's facets are counted in another thread while its page is ranked:
    every answer — totals, facets, hits, stories, the "all" link, a page past
    the end, the some-of-the-words fallback — equals the one-after-the-other one.
    Not while another search of the process runs (the cores are busy then)."""
    import threading

    import indexer.search
    monkeypatch.setattr(indexer.search, "BESIDE_FROM", 0)   # a large index's rule on a small one

    class Alone:
        concurrent = False
        round_trips = False   # whatever the engine's own snapshot says

        def __init__(self, snap):
            self._snap = snap

        def __getattr__(self, name):
            return getattr(self._snap, name)

    class Beside(Alone):
        concurrent = True

        def facet_counts(self, node, names):
            threads.add(threading.current_thread() is threading.main_thread())
            return self._snap.facet_counts(node, names)

    some = engine.search(Query(text="产教融合", fold=True)).hits[0].id
    queries = [Query(text="产教融合", fold=True), Query(text="产教融合", fold=True, page=2, size=1),
               Query(text="产教融合", fold=True, sort="date"), Query(text="产教融合", fold=True, sort="oldest", size=1),
               Query(text="产教融合", near=some), Query(text="产教融合 专题"), Query(text="会议", page=9),
               Query(text="产教融合 没有这个词组", fold=True), Query(text="没有这个词组"), Query(text="", fold=True)]

    def answers(kind):
        real = engine._snap
        engine._snap = lambda: kind(real())
        try:
            out = []
            for q in queries:
                engine._facet_cache = {}
                r = engine.search(q)
                out.append((r.total, r.stories, r.partial, r.facets, [(h.id, h.similar) for h in r.hits]))
            return out
        finally:
            del engine._snap

    threads: set[bool] = set()
    alone = answers(Alone)
    assert answers(Beside) == alone
    assert False in threads   # counted off the main thread
    threads.clear()
    monkeypatch.setattr(indexer.search, "BESIDE_FROM", 1 << 62)

    class Remote(Beside):
        round_trips = True    # a cluster's passes: overlapped at any size

    assert answers(Remote) == alone and False in threads
    threads.clear()
    assert answers(Beside) == alone and threads == {True}    # a small embedded index: one after the other
    monkeypatch.setattr(indexer.search, "BESIDE_FROM", 0)
    threads.clear()
    engine._searching += 1    # another request is being answered
    try:
        assert answers(Beside) == alone
    finally:
        engine._searching -= 1
    assert threads == {True}
    assert any(a[0] for a in alone) and any(a[2] for a in alone) and any(a[1] for a in alone)
