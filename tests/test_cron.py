"""The indexer as a cron job: killed at any moment, run twice at once, run while
people search."""
from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexer import paths
from indexer.results import Query
from indexer.search import SearchEngine
from tests.conftest import DEMO_TOML


def indexer(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "indexer.cli", "--data-dir", str(data), *args]


def update_args(base: str, *extra: str) -> tuple[str, ...]:
    return ("update", "--site", str(DEMO_TOML), "--base-url", base, "--quiet", *extra)


def index_state(data: Path) -> tuple[int, int, int]:
    """(articles in the store, documents in the index, distinct ids in the index)."""
    db = sqlite3.connect(paths.store_path(data))
    stored = db.execute("SELECT COUNT(*) FROM articles WHERE removed_at IS NULL").fetchone()[0]
    db.close()
    engine = SearchEngine(paths.index_path(data))
    try:
        ids = engine.article_ids()
        return stored, engine.info().articles, len(set(ids))
    finally:
        engine.close()


def assert_searchable(data: Path) -> None:
    if not paths.index_path(data).exists():
        return  # killed before the first commit: nothing to open yet
    engine = SearchEngine(paths.index_path(data))
    try:
        engine.search(Query(text="学院"))
        engine.search(Query(text="", sort="date"))
    finally:
        engine.close()


def test_sigkill_at_random_points_never_breaks_the_index(demo_server, tmp_path, engine_name):
    rnd = random.Random(20261129)
    data = tmp_path / "data0"
    kills = {"update": 0, "reindex": 0}
    complete_runs = 0
    generation = 0
    for i in range(60):
        if sum(kills.values()) >= 24 and min(kills.values()) >= 8:
            break
        store_full = paths.store_path(data).exists() and complete_runs and i % 2
        mode = "reindex" if store_full else "update"
        if mode == "update" and complete_runs:
            generation += 1                       # a fresh data dir: a first crawl has most to kill
            data = tmp_path / f"data{generation}"
            complete_runs = 0
        argv = indexer(data, *(update_args(demo_server) if mode == "update" else ("reindex",)))
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rnd.uniform(0.3, 3.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills[mode] += 1
        proc.wait(timeout=60)
        assert_searchable(data)
        # the next run completes, and the index holds exactly what the store holds
        done = subprocess.run(indexer(data, *update_args(demo_server)), capture_output=True, text=True,
                              timeout=300)
        assert done.returncode in (0, 1), done.stderr
        stored, docs, distinct = index_state(data)
        assert stored == docs == distinct, (mode, stored, docs, distinct)
        complete_runs += 1
    assert sum(kills.values()) >= 20 and kills["update"] and kills["reindex"], kills


def test_two_runs_at_once_the_second_exits_75_touching_nothing(demo_server, tmp_path, engine_name):
    data = tmp_path / "data"
    first = subprocess.Popen(indexer(data, *update_args(demo_server)), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not (data / "indexer.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        second = subprocess.run(indexer(data, *update_args(demo_server)), capture_output=True, text=True)
        assert second.returncode == 75
        assert "another news-indexer run" in second.stderr
    finally:
        first.wait(timeout=300)
    db = sqlite3.connect(paths.store_path(data))
    assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def test_searches_while_update_and_reindex_run(demo_server, tmp_path, engine_name):
    from webui.app import create_app
    data = tmp_path / "data"
    limited = tmp_path / "limited.toml"
    limited.write_text(DEMO_TOML.read_text(encoding="utf-8") + "\n[limits]\nmax_pages = 60\n", encoding="utf-8")
    subprocess.run(indexer(data, "update", "--site", str(limited), "--base-url", demo_server, "--quiet"),
                   check=False, timeout=300)
    stored_before, _, _ = index_state(data)
    app = create_app({"DATA_DIR": str(data), "TESTING": True})
    errors: list[str] = []
    counts: list[int] = []
    stop = threading.Event()

    def searcher(seed: int) -> None:
        rnd = random.Random(seed)
        client = app.test_client()
        words = ["学院", "产教融合", "技能大赛", "招生", "党建", "数控", "2023", '"智能制造"']
        n = 0
        while not stop.is_set() and n < 2000:
            r = client.get("/api/search", query_string={"q": rnd.choice(words), "page": rnd.randint(1, 3)})
            if r.status_code != 200:
                errors.append(f"{r.status_code} {r.get_data(as_text=True)[:200]}")
            n += 1
        counts.append(n)

    threads = [threading.Thread(target=searcher, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    try:
        up = subprocess.run(indexer(data, *update_args(demo_server)), capture_output=True, text=True, timeout=300)
        assert up.returncode in (0, 1), up.stderr
        stored_after, docs, _ = index_state(data)
        assert stored_after > stored_before and docs == stored_after
        # the new articles are visible through the running app right after the commit
        client = app.test_client()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            total = client.get("/api/search", query_string={"q": ""}).get_json()["total"]
            if total == stored_after:
                break
            time.sleep(0.2)
        assert total == stored_after
        re = subprocess.run(indexer(data, "reindex"), capture_output=True, text=True, timeout=300)
        assert re.returncode == 0, re.stderr
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[:5]
    assert sum(counts) >= 200
