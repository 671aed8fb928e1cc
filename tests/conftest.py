"""Shared fixtures: the demo site served over loopback HTTP, crawled and indexed
once per test session by the real crawler into a real SQLite store and a real
search index (tantivy) on disk."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer import paths
from indexer.demosite import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
DEMO_TOML = ROOT / "data" / "sites" / "demo.toml"
TRUTH = ROOT / "data" / "demo-truth.jsonl"


@pytest.fixture(scope="session")
def demo_server():
    server, url = serve_in_thread(paths.DEMO_SITE_DIR)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def demo_truth() -> list[dict]:
    return [json.loads(line) for line in TRUTH.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def crawled(tmp_path_factory, demo_server):
    """A data directory holding the crawled and indexed demo site, with the
    exit status and output of that first ``news-indexer update``."""
    from indexer.cli import main
    import contextlib
    import io
    data_dir = tmp_path_factory.mktemp("data")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--data-dir", str(data_dir), "update", "--site", str(DEMO_TOML),
                     "--base-url", demo_server, "--quiet"])
    return {"dir": data_dir, "code": code, "output": out.getvalue(), "base": demo_server}
