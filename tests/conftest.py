"""Shared fixtures: the demo site served over loopback HTTP, crawled and indexed
once per test session and engine by the real crawler into a real SQLite store
and a real search index on disk.

Every test that touches a search engine (builds, syncs, searches, crawls and
indexes, runs the indexer or the web UI in a subprocess) runs once per engine:
it asks for ``engine_name`` (directly, or through a fixture that builds an
index), a session fixture parametrised over :data:`ENGINES` that
sets ``NEWS_ENGINE`` while it is active, so ``build_index``, ``sync``, the CLI
and every subprocess they start use that engine. Its ids show the engine
(``test_x[whoosh]``). pytest orders the tests so that it is set up once per
engine.

A test that opens or builds an index in this process without ``engine_name``
fails with a message saying so (see :func:`_engine_guard`), so a new test
cannot silently run on one engine only. A test that is about tantivy by design
(it inspects tantivy's files) is marked ``@pytest.mark.tantivy_only`` and runs
with ``NEWS_ENGINE`` unset (the default, tantivy); one that builds every engine
itself, naming each (tests/test_engine_agreement.py), ``@pytest.mark.all_engines``.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from indexer import engines, paths
from indexer.demosite import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
DEMO_TOML = ROOT / "data" / "sites" / "demo.toml"
TRUTH = ROOT / "data" / "demo-truth.jsonl"

#: the engines every engine test runs on: tantivy and Whoosh, which need nothing
#: but this virtualenv (``NEWS_TEST_ENGINES=tantivy,whoosh,opensearch`` adds an
#: engine that needs a server, or runs one engine alone)
ENGINES = tuple(n.strip() for n in os.environ.get("NEWS_TEST_ENGINES", "tantivy,whoosh").split(",") if n.strip())
for _name in ENGINES:
    engines.get(_name)   # an unknown name stops the session here, with the choices


def pytest_configure(config):
    config.addinivalue_line("markers", "tantivy_only: asserts tantivy-specific behaviour by design; "
                                       "runs on tantivy only")
    config.addinivalue_line("markers", "all_engines: builds an index of every engine itself "
                                       "(names each one), so it does not run once per engine")
    config.addinivalue_line("markers", "whoosh_only: tests a part of the Whoosh engine's own module "
                                       "(it names the engine itself)")


@pytest.fixture(scope="session", params=ENGINES)
def engine_name(request) -> str:
    """The engine this test runs on; ``NEWS_ENGINE`` names it while the fixture is
    active (subprocesses inherit it)."""
    old = os.environ.get(engines.ENV)
    os.environ[engines.ENV] = request.param
    yield request.param
    if old is None:
        os.environ.pop(engines.ENV, None)
    else:
        os.environ[engines.ENV] = old


_CLUSTER_ENV = ("NEWS_OPENSEARCH_HOSTS", "NEWS_OPENSEARCH_PREFIX", "NEWS_OPENSEARCH_SHARDS",
                "NEWS_OPENSEARCH_REPLICAS")


@pytest.fixture(scope="session", autouse=True)
def _engine_cluster(tmp_path_factory):
    """Under ``NEWS_TEST_ENGINES=…,opensearch``: the cluster every engine test of the
    session runs on — three nodes on loopback started here (unless
    ``NEWS_OPENSEARCH_HOSTS`` names one), 2 primaries and 1 replica an index (many
    small indexes in one session), under an index prefix of the session's own;
    stopped (or, a runner's cluster, cleared of the session's indexes) at the end."""
    if "opensearch" not in ENGINES:
        yield
        return
    import secrets
    import shutil
    from tools import cluster as tc
    saved = {k: os.environ.get(k) for k in _CLUSTER_ENV}
    os.environ["NEWS_OPENSEARCH_PREFIX"] = "s" + secrets.token_hex(4)
    os.environ.setdefault("NEWS_OPENSEARCH_SHARDS", "2")
    os.environ.setdefault("NEWS_OPENSEARCH_REPLICAS", "1")
    cluster = None
    if not os.environ.get("NEWS_OPENSEARCH_HOSTS"):
        if not shutil.which("java"):
            pytest.exit("java is missing: NEWS_TEST_ENGINES names opensearch, whose tests need a JDK 17 "
                        "(make opensearch-node)", returncode=4)
        cluster = tc.Cluster(tmp_path_factory.mktemp("engine-cluster"), nodes=3, heap_mb=512)
        cluster.build()
        cluster.start(timeout=180)
        os.environ["NEWS_OPENSEARCH_HOSTS"] = ",".join(cluster.urls)
    yield
    if cluster is not None:
        cluster.stop()
    else:
        url = os.environ["NEWS_OPENSEARCH_HOSTS"].split(",")[0].rstrip("/")
        tc.http_json("DELETE", f"{url}/{os.environ['NEWS_OPENSEARCH_PREFIX']}-*", timeout=60)
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


# -- the guard: every engine use where it belongs -----------------------------------------
_current: dict = {"item": None}
_real_get = engines.get
_TOUCHED = pytest.StashKey[list]()


def _guarded_get(name):
    """:func:`indexer.engines.get`, noting for the running test (in the main thread:
    not a server thread of an earlier one) which engine it used."""
    item = _current["item"]
    if item is not None and threading.current_thread() is threading.main_thread():
        item.stash.setdefault(_TOUCHED, []).append(name)
    return _real_get(name)


engines.get = _guarded_get   # every engine use goes through it (indexer.index, indexer.search)


def pytest_runtest_setup(item):
    _current["item"] = item


def pytest_runtest_teardown(item):
    _current["item"] = None   # (runs before the teardown: what fixtures do then is nobody's)


@pytest.fixture(autouse=True)
def _engine_guard(request, monkeypatch):
    """A test with ``engine_name`` must use that engine only (in this process); one
    without runs with ``NEWS_ENGINE`` unset and fails if it (or a fixture it asks
    for) opens or builds an index: it would run on one engine only. Tests marked
    ``tantivy_only`` or ``all_engines`` say which engines they use themselves."""
    exempt = any(request.node.get_closest_marker(m) for m in ("tantivy_only", "all_engines", "whoosh_only"))
    if "engine_name" in request.fixturenames:
        name = request.getfixturevalue("engine_name")
        assert os.environ.get(engines.ENV) == name
        yield
        wrong = sorted(set(request.node.stash.get(_TOUCHED, [])) - {name})
        if wrong and not exempt:
            pytest.fail(f"{request.node.nodeid} runs on {name} but used the {wrong[0]} engine: a command or "
                        "a call names its engine where it should follow engine_name (NEWS_ENGINE)",
                        pytrace=False)
        return
    monkeypatch.delenv(engines.ENV, raising=False)
    yield
    touched = request.node.stash.get(_TOUCHED, [])
    if touched and not exempt:
        pytest.fail(f"{request.node.nodeid} used the {touched[0]} engine without the engine_name fixture: "
                    "ask for engine_name (or a fixture that depends on it) so that it runs on every "
                    "engine, or mark it tantivy_only (or all_engines when it builds each engine itself)",
                    pytrace=False)


# -- the demo site ----------------------------------------------------------------------
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
def crawled(tmp_path_factory, demo_server, engine_name):
    """A data directory holding the crawled and indexed demo site (one per engine),
    with the exit status and output of that first ``news-indexer update``."""
    from indexer.cli import main
    import contextlib
    import io
    data_dir = tmp_path_factory.mktemp(f"data-{engine_name}")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--data-dir", str(data_dir), "update", "--site", str(DEMO_TOML),
                     "--base-url", demo_server, "--quiet"])
    return {"dir": data_dir, "code": code, "output": out.getvalue(), "base": demo_server,
            "engine": engine_name}
