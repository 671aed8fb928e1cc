import sqlite3

import pytest

from indexer.article import Article
from indexer.store import RunCounts, Store, StoreError


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
    assert db.execute("SELECT value FROM meta WHERE key='store_version'").fetchone()[0] == "4"


def test_a_version_1_store_migrates_forward_losing_nothing(tmp_path):
    from pathlib import Path
    from indexer.store import STORE_VERSION
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript((Path(__file__).parent / "data" / "store_v1.sql").read_text(encoding="utf-8"))
    db.close()
    with Store(path) as st:
        assert st.db.execute("SELECT value FROM meta WHERE key='store_version'").fetchone()[0] == str(STORE_VERSION)
        assert st.count_articles() == 1 and st.get_article("http://x/info/1/1.htm").title == "旧版本的文章"
        assert st.upsert_article(art("http://x/info/1/2.htm")) == "blocked"     # the take-down survives
        assert st.get_page("http://x/info/1/1.htm").body == b"<html>"
        assert st.seq == 2 and [c.url for c in st.changes_since(0)] == ["http://x/info/1/1.htm", "http://x/info/1/2.htm"]
        run = st.recent_runs(1)[0]
        assert run["new"] == 2 and run["took_s"] is None
        assert run["persistent"] == 0 and run["empty_lists"] == 0 and run["error"] is None   # v3 columns
        assert st.failure_counts() == [("no-title", 1)] and st.failing() == []
        st.finish_run(st.start_run("demo"), RunCounts(fetched=1, persistent=2), "error", took_s=0.5,
                      error="RuntimeError: boom")
    with Store(path) as st:    # opening again is a no-op
        run = st.recent_runs(1)[0]
        assert run["took_s"] == 0.5 and run["persistent"] == 2 and run["error"] == "RuntimeError: boom"


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "new.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='99' WHERE key='store_version'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer version"):
        Store(path)


def test_failing_rows_and_warnings_are_kept_apart(tmp_path):
    with Store(tmp_path / "s.db") as st:
        run = st.start_run("demo")
        st.record_failure(run, "http://x/a.htm", "http-404", "gone")
        st.record_failure(run, "http://x/list.htm", "empty-list", "no links")
        st.set_failing("http://x/a.htm", "demo", "http-404", "gone", 2, run, run)
        st.set_failing("http://x/list.htm", "demo", "empty-list", "no links", 1, run, run, warning=True)
        assert st.failure_counts() == [("http-404", 1)]
        assert st.failure_counts(warnings=True) == [("empty-list", 1)]
        assert [r["url"] for r in st.failing("demo")] == ["http://x/a.htm", "http://x/list.htm"]
        assert [r["streak"] for r in st.failing(urls=["http://x/a.htm"])] == [2]
        st.clear_failing("http://x/a.htm")
        assert [r["url"] for r in st.failing()] == ["http://x/list.htm"]
