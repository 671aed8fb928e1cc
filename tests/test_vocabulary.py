"""The did-you-mean vocabulary on disk: written by the indexer beside the index,
read by the server without building anything, the same suggestions as one built in memory."""
from __future__ import annotations

import logging
import sqlite3
import time

import pytest

from indexer import vocabulary
from indexer.article import Article
from indexer.didyoumean import DidYouMean
from indexer.index import build_index, read_meta, refresh_vocabulary, sync
from indexer.paths import index_path
from indexer.results import Query
from indexer.search import SearchEngine
from indexer.store import Store

TEXTS = [("产教融合年会", "深化产教融合，召开年会。"), ("产教融合工作会议", "产教融合平台建设，PLC 实训。"),
         ("专升本考试", "专升本报名工作。"), ("专升本录取", "专升本录取人数创新高，PLC 课程。"),
         ("锐驰机器人订单班", "川渝锐驰机器人科技有限公司。"), ("锐驰订单班开班", "锐驰机器人订单班开班。"),
         ("华中数控实训", "华中数控设备到校。"), ("华中数控合作", "与华中数控签约。")]
TYPOS = ["产教容合", "chanjiaoronghe", "zhuanshengben", "专生本", "锐持", "华中数空", "huazhongshukong",
         "plc", "产教融合", "毫无关系", "title:产教容合", "-专生本 年会"]


def _articles(texts=TEXTS, start=0):
    return [Article(url=f"http://x/{start + i}", site="demo", title=t, body=b, published="2023-01-01")
            for i, (t, b) in enumerate(texts)]


@pytest.fixture
def built(tmp_path, engine_name):
    build_index(_articles(), tmp_path)
    return tmp_path


def test_the_indexer_writes_it_and_the_server_reads_it_without_building(built):
    meta = vocabulary.read_meta(built)
    assert meta["format"] == vocabulary.FORMAT and meta["terms"] > 10 and meta["docs"] == len(TEXTS)
    engine = SearchEngine(built)
    try:
        engine.warm()
        dym = engine.did_you_mean(wait=0)       # ready at once: nothing to wait for
        assert isinstance(dym.lexicon, vocabulary.DiskLexicon)
        assert engine._dym_thread is None        # no vocabulary built in this process
        assert dym.suggest("产教容合") == "产教融合"
        assert dym.suggest("锐持") == "锐驰"      # a name jieba cuts apart: from the bigram field
        res = engine.search(Query(text="华中数空", correct=True))
        assert res.corrected_from == "华中数空" and res.total == 2
    finally:
        engine.close()


def test_the_same_suggestions_as_a_vocabulary_built_in_memory(built):
    engine = SearchEngine(built)
    try:
        memory = DidYouMean(engine.vocabulary())
        disk = DidYouMean(lexicon=vocabulary.open_lexicon(built))
    finally:
        engine.close()
    assert len(disk.lexicon) == len(memory.lexicon)
    for typed in TYPOS:
        assert disk.suggest(typed) == memory.suggest(typed), typed
        assert disk.candidates(typed) == memory.candidates(typed), typed
    assert disk.lexicon.frequent(2, 5) == memory.lexicon.frequent(2, 5)
    assert disk.frequency("产教") == memory.frequency("产教") > 0


def test_a_rebuild_reads_only_new_words_and_replaces_the_file_whole(built, engine_name):
    engine = SearchEngine(built)
    try:
        first = engine.did_you_mean()
        stamp = vocabulary.stamp(built)
        stats = refresh_vocabulary(built, 0, force=True)   # the same index: every sound known
        assert stats.built and stats.new_sounds == 0 and stats.terms == len(first.lexicon)
        assert vocabulary.stamp(built) != stamp
        again = engine.did_you_mean()                      # the server sees the new file
        assert again is not first and again.suggest("产教容合") == "产教融合"
        assert first.suggest("专生本") == "专升本"          # a request holding the old one still reads it
        assert not list(built.glob(vocabulary.FILE + ".*"))
    finally:
        engine.close()


def test_a_build_killed_half_way_leaves_the_old_file_and_no_debris(built, monkeypatch):
    before = vocabulary.read_meta(built)
    (built / f"{vocabulary.FILE}.999.tmp").write_bytes(b"half")   # from an earlier kill

    def boom(*_a):
        raise KeyboardInterrupt   # killed while reading sounds
    monkeypatch.setattr(vocabulary, "_fill_sounds", boom)
    with pytest.raises(KeyboardInterrupt):
        vocabulary.build(built, [("产教", 4)])
    assert vocabulary.read_meta(built) == before
    assert not list(built.glob(vocabulary.FILE + ".*"))


def test_an_unreadable_file_is_said_and_the_server_builds_its_own(built, caplog):
    vocabulary.path(built).write_bytes(b"not a database" * 100)
    caplog.set_level(logging.WARNING)
    assert vocabulary.open_lexicon(built) is None
    assert "news-indexer reindex" in caplog.text
    engine = SearchEngine(built)
    try:
        dym = engine.did_you_mean(wait=None)
        assert not isinstance(dym.lexicon, vocabulary.DiskLexicon)
        assert dym.suggest("产教容合") == "产教融合"
    finally:
        engine.close()
    # and the next commit's rebuild does not trip on it
    assert refresh_vocabulary(built, 0, force=True).built
    assert vocabulary.open_lexicon(built) is not None


def test_an_old_format_is_rebuilt_when_due(built):
    con = sqlite3.connect(vocabulary.path(built))
    con.execute("UPDATE meta SET value = 0 WHERE name = 'format'")
    con.commit()
    con.close()
    assert vocabulary.open_lexicon(built) is None
    assert vocabulary.due(built, len(TEXTS), 0)


def test_when_a_commit_rewrites_it(built):
    meta = vocabulary.read_meta(built)
    docs, built_at = meta["docs"], meta["built"]
    assert not vocabulary.due(built, docs, 0)                            # nothing changed
    assert not vocabulary.due(built, docs, 0, now=built_at + 10_000)     # old, but nothing changed
    assert vocabulary.due(built, docs + 1, 1, now=built_at + vocabulary.REFRESH_AGE + 1)   # old and behind
    assert vocabulary.due(built, 1000, 990, now=built_at + 1)            # far behind: at once
    assert not vocabulary.due(built, 1000, 5, now=built_at + 1)          # a few changes, just built


def test_sync_writes_it_and_a_later_large_change_rewrites_it(tmp_path, engine_name):
    data = tmp_path / "data"
    store = Store(data / "news.sqlite")
    try:
        for a in _articles()[:2]:
            store.upsert_article(a)
        sync(store, data)
        gen = index_path(data).resolve()
        assert vocabulary.read_meta(gen)["docs"] == 2
        engine = SearchEngine(index_path(data))
        try:
            assert engine.did_you_mean(wait=0).suggest("zhuanshengben") is None   # not indexed yet
            for a in _articles()[2:]:
                store.upsert_article(a)
            stats = sync(store, data)
            assert vocabulary.read_meta(gen)["seq"] == stats.seq == read_meta(gen)["synced_seq"]
            time.sleep(0.01)
            engine.refresh(force=True)
            assert engine.did_you_mean(wait=0).suggest("zhuanshengben") == "专升本"
        finally:
            engine.close()
    finally:
        store.close()
