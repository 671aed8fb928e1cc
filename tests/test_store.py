import sqlite3

import pytest

from indexer.article import Article
from indexer.store import Store, StoreError


def art(url, body="正文", title="标题"):
    return Article(url=url, site="demo", title=title, body=body, published="2023-04-22", department="教务处")


def test_upsert_tracks_new_changed_unchanged_and_sequence(tmp_path):
    with Store(tmp_path / "s.db") as st:
        assert st.upsert_article(art("u1")) == "new"
        assert st.upsert_article(art("u1")) == "unchanged"
        assert st.upsert_article(art("u1", body="改过的正文")) == "changed"
        assert st.upsert_article(art("u2")) == "new"
        changes = list(st.changes_since(0))
        assert [c.url for c in changes] == ["u1", "u2"]
        assert changes[0].article.body == "改过的正文"
        seq = st.seq
        assert st.remove_article("u2", "http-404")
        assert [(c.url, c.article) for c in st.changes_since(seq)] == [("u2", None)]
        assert st.count_articles() == 1


def test_operator_removal_sticks(tmp_path):
    with Store(tmp_path / "s.db") as st:
        st.upsert_article(art("u1"))
        assert st.remove_article("u1", "taken down", by="operator")
        assert st.upsert_article(art("u1", body="again")) == "blocked"
        assert st.get_article("u1") is None


def test_a_file_that_is_not_a_store_is_reported(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable crawl store"):
        Store(bad)


def test_store_records_its_version(tmp_path):
    Store(tmp_path / "s.db").close()
    db = sqlite3.connect(tmp_path / "s.db")
    assert db.execute("SELECT value FROM meta WHERE key='store_version'").fetchone()[0] == "1"
