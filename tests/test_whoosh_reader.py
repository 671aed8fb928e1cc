"""The Whoosh engine's reader: the searchers of one commit, one per thread, share
what they have read (columns and leaf results), within a bound, and a new commit
starts afresh."""
from __future__ import annotations

import io
import threading
import time
import tracemalloc
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.article import Article
from indexer import plan as p
from indexer.engines.whoosh.reads import LeafCache, WhooshReader
from indexer.engines.whoosh.storage import _SliceReader
from indexer.ids import article_id
from indexer.index import build_index
from indexer.results import Query
from indexer.search import SearchEngine

pytestmark = pytest.mark.whoosh_only


def _articles(n: int):
    for i in range(n):
        yield Article(url=f"http://news.example.edu.cn/info/{i}.htm", site="example",
                      title=f"学院召开第{i}次产教融合工作会议", body=f"会议强调产教融合。第{i}条。",
                      published=date(2024, 1, 1 + i % 28).isoformat(), department="教务处" if i % 2 else "团委")


def test_leaf_cache_is_bounded_in_entries_and_documents():
    cache = LeafCache(entries=3, docs=10)
    assert cache.get("a", lambda: [1, 2, 3]) == [1, 2, 3]
    assert cache.get("a", lambda: ["never made"]) == [1, 2, 3]      # kept
    cache.get("b", lambda: list(range(6)))                          # 9 documents in all
    cache.get("c", lambda: [7, 8])                                  # 11 > 10: the oldest goes
    assert len(cache) == 2 and cache.docs == 8
    assert cache.get("a", lambda: ["made again"]) == ["made again"]
    cache.get("d", lambda: [1])
    cache.get("e", lambda: [1])                                     # 4 entries > 3
    assert len(cache) <= 3


def test_threads_share_one_commits_leaves_and_a_new_commit_starts_afresh(tmp_path):
    path = tmp_path / "ix"
    build_index(_articles(40), path, engine="whoosh")
    engine = SearchEngine(path)
    try:
        engine.search(Query(text="产教融合"))
        reader = engine._reader
        snaps = []

        def work():
            engine.search(Query(text="产教融合"))
            snaps.append(reader.snapshot())

        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        mine = reader.snapshot()
        assert {id(s._leaves) for s in snaps} == {id(mine._leaves)}      # one cache for all threads
        assert {id(s._columns) for s in snaps} == {id(mine._columns)}
        assert len({id(s._s) for s in snaps}) == 3                          # a searcher each
        assert len(mine._leaves) > 0
        first = mine._leaves
        reader._commit_state("another commit")
        assert reader.snapshot()._leaves is not first                   # a newer commit: a new cache
    finally:
        engine.close()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.lists(st.tuples(st.sampled_from(["read", "readline", "seek", "tell"]),
                                                     st.integers(-5, 250), st.sampled_from([0, 1, 2])),
                                           max_size=12))
def test_a_view_of_the_map_reads_as_a_copy_would(data, ops):
    view, copy = _SliceReader(memoryview(data)), io.BytesIO(data)
    for op, n, whence in ops:
        if op == "read":
            assert view.read(n) == copy.read(n)
        elif op == "readline":
            assert view.readline(n) == copy.readline(n)
        elif op == "seek":
            target = max(0, n) if whence == 0 else n
            if (whence == 1 and copy.tell() + n < 0) or (whence == 2 and len(data) + n < 0):
                continue    # BytesIO refuses a negative position
            assert view.seek(target, whence) == copy.seek(target, whence)
        assert view.tell() == copy.tell()
    assert list(_SliceReader(memoryview(data))) == list(io.BytesIO(data))


def test_a_threads_searcher_reads_the_index_from_its_map_not_a_copy(tmp_path):
    build_index(_articles(600), tmp_path, engine="whoosh")
    segment = max(tmp_path.glob("*.seg"), key=lambda f: f.stat().st_size)   # one compound segment
    reader = WhooshReader(tmp_path)
    held, go = [], threading.Event()

    def search():
        snap = reader.snapshot()
        held.append(snap.count(p.Term("body_ng", "产教")))
        go.wait()

    tracemalloc.start()
    threads = [threading.Thread(target=search) for _ in range(4)]
    for t in threads:
        t.start()
    while len(held) < 4:
        time.sleep(0.01)
    traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    go.set()
    for t in threads:
        t.join()
    reader.close()
    assert held == [600] * 4
    # four searchers, four copies of the postings and term index, before: here, less than one
    assert traced < segment.stat().st_size, (traced, segment.stat().st_size)


def test_a_searcher_opened_after_an_unseen_commit_does_not_share_the_older_columns(tmp_path):
    """A commit made since the reader's last reload: a thread's new searcher opens it,
    and must not be handed the columns a searcher of the commit before read."""
    from indexer import index as ix
    from indexer.documents import record
    build_index(_articles(10), tmp_path, engine="whoosh")
    reader = WhooshReader(tmp_path)
    everything = p.Everything()
    before = reader.snapshot()                       # this thread: the first commit
    assert before.facet_counts(everything, ["department"])["department"] == {"教务处": 5, "团委": 5}
    writer = ix.engine_of(tmp_path).writer(tmp_path)
    for a in list(_articles(16))[10:]:
        writer.replace(article_id(a.url), record(a))
    writer.commit()
    writer.close()                                   # no reload: the reader still names the first commit
    seen: list = []

    def other_thread():
        snap = reader.snapshot()                     # a new searcher: it opens the newest commit
        seen.append(snap.facet_counts(everything, ["department"])["department"])

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    reader.close()
    assert seen == [{"教务处": 8, "团委": 8}]
