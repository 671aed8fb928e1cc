"""Reposts: the same story under several URLs (VSB cross-posting between columns,
two colleges of a consortium publishing one news) is one article in the store
with all its URLs and columns, one result in the index, and leaves the index only
when every URL is gone. A real SQLite store and a real index on disk."""
from __future__ import annotations

from indexer import paths
from indexer.article import Article
from indexer.index import sync
from indexer.results import Query
from indexer.search import SearchEngine
from indexer.store import Store

TEXT = "学院召开产教融合工作推进会，来自智能制造学院、信息工程学院的教师代表和合作企业负责人参加了会议，共商人才培养。"


def art(url: str, column: str, site: str = "demo", body: str = TEXT, title: str = "我院召开产教融合推进会") -> Article:
    return Article(url=url, site=site, title=title, body=body, published="2024-05-06", column=column,
                   department="智能制造学院")


def found(data_dir, text: str = "产教融合推进会") -> list:
    engine = SearchEngine(paths.index_path(data_dir))
    try:
        return engine.search(Query(text=text)).hits
    finally:
        engine.close()


def test_a_repost_is_one_story_with_both_urls_and_columns(tmp_path, engine_name):
    a, b = "http://x.edu.cn/info/1001/7.htm", "http://x.edu.cn/info/1003/9.htm"
    with Store(paths.store_path(tmp_path)) as store:
        assert store.upsert_article(art(a, "学院新闻")) == "new"
        # the same text with other spacing and punctuation, in another column
        assert store.upsert_article(art(b, "通知公告", body=TEXT.replace("，", ", ") + "\n")) == "new"
        assert store.count_articles() == 1 and store.count_reposts() == 1
        story = store.get_article(b)
        assert story.urls == [b, a] and set(story.columns) == {"学院新闻", "通知公告"}
        assert [x.url for x in store.articles()] == [a]
        sync(store, tmp_path)
        hits = found(tmp_path)
        assert [h.url for h in hits] == [a]
        # the first URL goes: the story stays, under the other one
        assert store.remove_article(a, "http-404")
        sync(store, tmp_path)
        assert [h.url for h in found(tmp_path)] == [b]
        assert store.get_article(b).urls == [b]
        # every URL gone: the story leaves the index
        assert store.remove_article(b, "http-404")
        sync(store, tmp_path)
        assert found(tmp_path) == []


def test_the_same_news_from_two_colleges_is_one_story(tmp_path, engine_name):
    with Store(paths.store_path(tmp_path)) as store:
        store.upsert_article(art("http://a.edu.cn/info/1/1.htm", "学院新闻", site="a"))
        store.upsert_article(art("http://b.edu.cn/info/2/2.htm", "媒体报道", site="b"))
        assert store.count_articles() == 1
        sync(store, tmp_path)
        assert len(found(tmp_path)) == 1


def test_namesakes_are_not_reposts(tmp_path):
    """Same title, other text (a notice republished every year) and title-only pages
    over an image or a PDF stay separate articles."""
    with Store(paths.store_path(tmp_path)) as store:
        store.upsert_article(art("http://x.edu.cn/info/1/1.htm", "通知公告"))
        store.upsert_article(art("http://x.edu.cn/info/1/2.htm", "通知公告", body=TEXT.replace("推进会", "总结会")))
        store.upsert_article(art("http://x.edu.cn/info/1/3.htm", "图片新闻", body=""))
        store.upsert_article(art("http://x.edu.cn/info/1/4.htm", "图片新闻", body=""))
        assert store.count_articles() == 4 and store.count_reposts() == 0


def test_an_edit_that_makes_a_repost_different_splits_it_off(tmp_path, engine_name):
    a, b = "http://x.edu.cn/info/1/1.htm", "http://x.edu.cn/info/2/1.htm"
    with Store(paths.store_path(tmp_path)) as store:
        store.upsert_article(art(a, "学院新闻"))
        store.upsert_article(art(b, "通知公告"))
        sync(store, tmp_path)
        assert len(found(tmp_path)) == 1
        assert store.upsert_article(art(b, "通知公告", body=TEXT + "会议还部署了下一阶段的工作。")) == "changed"
        assert store.count_articles() == 2
        sync(store, tmp_path)
        assert sorted(h.url for h in found(tmp_path)) == [a, b]


def test_a_version_3_store_merges_its_reposts_on_open(tmp_path, engine_name):
    import sqlite3
    path = paths.store_path(tmp_path)
    a, b = "http://x.edu.cn/info/1/1.htm", "http://x.edu.cn/info/2/1.htm"
    with Store(path) as store:
        store.upsert_article(art(a, "学院新闻"))
        store.upsert_article(art(b, "通知公告"))
    db = sqlite3.connect(path)            # back to what version 3 kept: no repost columns
    db.executescript("DROP INDEX articles_fingerprint; DROP INDEX articles_canonical;"
                     "ALTER TABLE articles DROP COLUMN fingerprint; ALTER TABLE articles DROP COLUMN canonical;"
                     "ALTER TABLE articles DROP COLUMN reposts; UPDATE meta SET value='3' WHERE key='store_version';")
    db.close()
    with Store(path) as store:
        assert store.count_articles() == 1 and store.get_article(a).urls == [a, b]
        sync(store, tmp_path)
        assert [h.url for h in found(tmp_path)] == [a]
