"""The OpenSearch engine on a real three-node cluster against tantivy, in one run.

    .venv/bin/python bench/cluster.py --n 1000000          # the full size
    .venv/bin/python bench/cluster.py --n 20000 --queries 400

One corpus (``bench/corpus.py``) in one crawl store is indexed twice with the real
``news-indexer reindex``: into tantivy, then into a three-node OpenSearch 2.19
cluster started on 127.0.0.1 from ``tools/cluster.py`` (one JVM per node, 3
primaries and 1 replica, as an operator's default), every node on the same two
cores as the benchmark and the web worker. For each engine, the phases of
``bench/perf.py``: build (articles/s, index size against the text: the cluster's
primaries alone and with their replicas), the query mix through ``/api/search``
(p50/p95/p99, facets and highlights included), the totals, match sets and facet
counts of a reference to check against (SQLite FTS5-trigram; above 100,000 articles
one pass over the store, ``--reference``), and ``news-web serve`` under 8 concurrent
clients. Then the two engines' answers are compared query by query (totals, pages,
facets), and the cluster's p95 is set against tantivy's (target: ratio <= 1.0).

It prints a table and, last, one JSON line. ``bench/README.md`` holds the written
model for ten million articles on five data nodes that these figures feed.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import perf  # noqa: E402

from tools.cluster import Cluster, http_json  # noqa: E402

from indexer.paths import index_path  # noqa: E402

ENGINES = ("tantivy", "opensearch")
HOSTS_ENV = "NEWS_OPENSEARCH_HOSTS"
SCAN_FROM = 100_000   # articles above which the reference is a pass over the store, not FTS5


def cluster_index_bytes(url: str, data_dir: Path) -> dict:
    """Bytes of the current generation's cluster index: primaries, and all copies."""
    state = json.loads((index_path(data_dir).resolve() / "opensearch.json").read_text(encoding="utf-8"))
    status, stats = http_json("GET", f"{url}/{state['index']}/_stats/store,docs")
    if status != 200:
        raise RuntimeError(f"the cluster's index statistics answered {status}: {stats}")
    return {"index": state["index"],
            "primary_bytes": stats["_all"]["primaries"]["store"]["size_in_bytes"],
            "total_bytes": stats["_all"]["total"]["store"]["size_in_bytes"],
            "docs": stats["_all"]["primaries"]["docs"]["count"]}


def same_answers(a: list[dict], b: list[dict]) -> dict:
    """How many queries two engines answered alike: total, the page's URLs, facets."""
    totals = sum(x["total"] == y["total"] for x, y in zip(a, b))
    pages = sum(x["urls"] == y["urls"] for x, y in zip(a, b))
    facets = sum(x["facets"] == y["facets"] for x, y in zip(a, b))
    n = len(a)
    return {"queries": n, "totals_equal": totals, "pages_equal": pages, "facets_equal": facets,
            "all_equal": totals == pages == facets == n}


def run(n: int, data_dir: Path, workdir: Path, opt: perf.Options, nodes: int, heap_mb: int) -> dict:
    """Start a cluster of ``nodes`` in ``workdir`` and measure both engines on it."""
    with Cluster(workdir, nodes=nodes, heap_mb=heap_mb) as c:
        return measure(n, data_dir, opt, c, heap_mb)


def measure(n: int, data_dir: Path, opt: perf.Options, c: Cluster, heap_mb: int | None = None) -> dict:
    """Both engines over one corpus of ``n`` articles, the cluster engine on ``c``
    (``NEWS_OPENSEARCH_HOSTS`` set to its nodes for the run)."""
    nodes = len(c.urls)
    before = os.environ.get(HOSTS_ENV)
    os.environ[HOSTS_ENV] = ",".join(c.urls)
    try:
        res = perf.run_engines(n, data_dir, opt)
        sizes = cluster_index_bytes(c.url, data_dir)
        memory = c.memory()
    finally:
        if before is None:
            os.environ.pop(HOSTS_ENV, None)
        else:
            os.environ[HOSTS_ENV] = before
    by_engine = {r["engine"]: r for r in res["results"]}
    final = res["final"]
    os_ = final["engines"]["opensearch"]
    tb = by_engine["opensearch"]["build"]["text_bytes"]
    os_["index_mb"] = perf.r3(sizes["primary_bytes"] / 1e6, 1)
    os_["index_bytes_per_text_byte"] = perf.r3(sizes["primary_bytes"] / tb) if tb else None
    os_["index_with_replicas_mb"] = perf.r3(sizes["total_bytes"] / 1e6, 1)
    os_["cluster_docs"] = sizes["docs"]
    os_["node_rss_mb"] = [perf.r3(m["peak_rss"] / 1e6, 1) for m in memory]   # peak, over the whole run
    t, o = final["engines"]["tantivy"], os_
    agree = same_answers(by_engine["tantivy"]["query"]["answers"], by_engine["opensearch"]["query"]["answers"])
    final["cluster"] = {
        "nodes": nodes, "heap_mb": heap_mb,
        "p50_vs_tantivy": perf.r3(perf.ratio(o["p50_ms"], t["p50_ms"])),
        "p95_vs_tantivy": perf.r3(perf.ratio(o["p95_ms"], t["p95_ms"])),
        "p99_vs_tantivy": perf.r3(perf.ratio(o["p99_ms"], t["p99_ms"])),
        "build_vs_tantivy": perf.r3(perf.ratio(o["build_docs_per_s"], t["build_docs_per_s"])),
        "qps_vs_tantivy": perf.r3(perf.ratio(o["qps"], t["qps"])),
        "answers": agree,
    }
    ratio95 = final["cluster"]["p95_vs_tantivy"]
    final["targets"]["cluster_p95_le_tantivy"] = None if ratio95 is None else ratio95 <= 1.0
    final["targets"]["cluster_same_answers"] = agree["all_equal"]
    final["targets"]["cluster_facets_exact"] = o.get("facets_exact")
    return {"final": final, "table": table(final), "results": res["results"]}


def table(final: dict) -> str:
    rows = [
        ("build: docs/s", "build_docs_per_s"), ("build: reindex wall (s)", "reindex_s"),
        ("build: peak RSS of the indexer (MB)", "build_peak_rss_mb"),
        ("text (MB)", "text_mb"), ("index (MB; cluster: primaries)", "index_mb"),
        ("index / text", "index_bytes_per_text_byte"), ("cluster index with replicas (MB)", "index_with_replicas_mb"),
        ("query p50 (ms)", "p50_ms"), ("query p95 (ms)", "p95_ms"), ("query p99 (ms)", "p99_ms"),
        ("fts5 p95 (ms), same queries", "fts5_p95_ms"), ("facets exact (vs the reference)", "facets_exact"),
        ("totals equal to the reference (share)", "totals_equal"), ("recall vs the reference", "recall_vs_fts5"),
        ("server req/s at concurrency 8", "qps"), ("server p95 under load (ms)", "server_p95_ms"),
        ("server errors", "server_errors"), ("web worker RSS (MB)", "rss_mb"),
        ("cluster nodes' peak RSS (MB)", "node_rss_mb"),
    ]
    engines = final["engines"]
    width = max(len(label) for label, _ in rows) + 2
    out = [f"{'n = ' + str(final['n']):{width}}" + "".join(f"{e:>22}" for e in ENGINES)]
    for label, key in rows:
        vals = []
        for e in ENGINES:
            v = engines[e].get(key)
            vals.append(f"{'-' if v is None else v!s:>22}")
        out.append(f"{label:{width}}" + "".join(vals))
    c = final["cluster"]
    out.append(f"cluster / tantivy: p50 {c['p50_vs_tantivy']}, p95 {c['p95_vs_tantivy']} (target <= 1.0), "
               f"p99 {c['p99_vs_tantivy']}, build {c['build_vs_tantivy']}, req/s {c['qps_vs_tantivy']}")
    a = c["answers"]
    out.append(f"same answers on {a['queries']} queries: totals {a['totals_equal']}, pages {a['pages_equal']}, "
               f"facets {a['facets_equal']}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=1_000_000, help="articles (default 1,000,000)")
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--check", type=int, default=200, help="queries whose match sets and facets are checked")
    p.add_argument("--nodes", type=int, default=3)
    p.add_argument("--heap-mb", type=int, default=1024, help="heap of each node (default 1024)")
    p.add_argument("--load-requests", type=int, default=3000)
    p.add_argument("--load-seconds", type=float, default=60.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", type=Path, default=None, help="keep (and reuse) the corpus and indexes here")
    p.add_argument("--skip-server", action="store_true", help="no load test")
    p.add_argument("--reference", choices=("fts5", "scan"), default=None,
                   help="what match sets and facets are checked against (default: an FTS5 table up to "
                        f"{SCAN_FROM:,} articles, one pass over the store above: at a million, FTS5's "
                        "table and its thousand queries take longer than both engines' builds)")
    args = p.parse_args(argv)
    reference = args.reference or ("scan" if args.n > SCAN_FROM else "fts5")

    opt = perf.Options(queries=args.queries, check=args.check, seed=args.seed, load_requests=args.load_requests,
                       load_seconds=args.load_seconds, skip_stock=True, skip_floor=True, incremental=False,
                       skip_server=args.skip_server, engines=ENGINES, reference=reference)
    tmp = None
    if args.data_dir is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    data_dir = args.data_dir or tmp / "data"
    # beside the data directory, never in it: a corpus made afresh empties that directory,
    # and with it the running nodes' data
    workdir = data_dir.with_name(data_dir.name + "-cluster")
    t0 = time.perf_counter()
    try:
        out = run(args.n, data_dir, workdir, opt, args.nodes, args.heap_mb)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    out["final"]["wall_s"] = perf.r3(time.perf_counter() - t0, 1)
    print(out["table"], flush=True)
    print(json.dumps(out["final"], ensure_ascii=False, default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
