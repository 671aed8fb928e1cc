"""Measure the reading side again over indexes a ``bench/perf.py`` run left, without rebuilding.

A 1M run takes most of an hour to build; a change to the query path, the web
worker or did-you-mean can be measured over the same indexes in minutes. For
each data directory given (one of ``perf.py``'s, or any directory whose ``index``
links to an index generation), in this order and with ``perf.py``'s own code:

dym      the did-you-mean vocabulary file (written now, and timed, if the index has
         none), how soon a fresh process has it and what memory that adds, a slip it corrects
queries  the same deterministic query mix through ``/api/search``, warm (one pass first)
server   ``news-web serve`` on a loopback port: the slip right after the start, then
         8 client threads; requests/s, p50/p95 under load, private and mapped memory

Prints a table and a final JSON line; with two or more directories, the growth of
p95 and p50 from the first to the last.

    .venv/bin/python bench/requery.py bench/out/data-100k bench/out/data-1m
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import perf  # noqa: E402
from perf import log, r3, ratio  # noqa: E402


def beside(data_dir: Path, specs: list, rounds: int) -> dict:
    """The query mix with each query's facets counted beside its page (another
    thread) and after it, alternately in one process, ``rounds`` times each:
    what counting beside buys at this size, under the same conditions. The
    mean p50 and p95 of each way."""
    import indexer.search as search
    saved = search.BESIDE_FROM
    runs: dict = {"after": [], "beside": []}
    try:
        for _ in range(rounds):
            for way, start in (("after", 1 << 62), ("beside", 0)):
                search.BESIDE_FROM = start
                runs[way].append(perf.measure_queries(data_dir, specs))
    finally:
        search.BESIDE_FROM = saved
    return {way: {k: sum(q[k] for q in qs) / len(qs) for k in ("p50_ms", "p95_ms")} for way, qs in runs.items()}


def measure(data_dir: Path, queries: int, load_requests: int, load_seconds: float, rounds: int = 0) -> dict:
    out: dict = {"data_dir": str(data_dir)}
    out["dym"] = d = perf.measure_dym(data_dir)
    log(f"[{data_dir.name}] did-you-mean: {d['terms']} terms (written in {d['seconds']:.1f}s), ready in "
        f"{d['ready_s']:.2f}s with {d['private_mb']:.0f} MB; typo {d['typo']!r} -> {d['correction']!r}")
    specs = perf.make_queries(data_dir, queries)
    perf.measure_queries(data_dir, specs)              # the index's pages read once
    q = perf.measure_queries(data_dir, specs)
    out["query"] = {k: q[k] for k in ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "by_kind")}
    log(f"[{data_dir.name}] queries: p50 {q['p50_ms']:.1f} p95 {q['p95_ms']:.1f} p99 {q['p99_ms']:.1f} ms")
    if rounds:
        out["beside"] = b = beside(data_dir, specs, rounds)
        log(f"[{data_dir.name}] facets after the page: p50 {b['after']['p50_ms']:.1f} p95 {b['after']['p95_ms']:.1f}; "
            f"beside it: p50 {b['beside']['p50_ms']:.1f} p95 {b['beside']['p95_ms']:.1f} ms")
    server = perf.Server(data_dir)
    try:
        out["server_ready_s"] = server.wait_ready()
        if d.get("typo"):
            out["first_typo"] = perf.first_typo(server, d["typo"])
        lt = perf.load_test(server, specs, 8, load_requests, load_seconds)
        out["load"] = {k: v for k, v in lt.items() if not isinstance(v, (list, dict))}
        log(f"[{data_dir.name}] server: {lt['qps']:.1f} req/s, {lt['errors']} errors, "
            f"{lt['rss_anon_mb']:.0f} MB private, {lt['rss_file_mb']:.0f} MB mapped")
    finally:
        server.stop()
    return out


def flat(r: dict) -> dict:
    q, load, d, ft = r["query"], r.get("load") or {}, r["dym"], r.get("first_typo") or {}
    return {"p50_ms": r3(q["p50_ms"], 2), "p95_ms": r3(q["p95_ms"], 2), "p99_ms": r3(q["p99_ms"], 2),
            "qps": r3(load.get("qps"), 1), "server_p95_ms": r3(load.get("p95_ms"), 1),
            "server_errors": load.get("errors"), "rss_anon_mb": r3(load.get("rss_anon_mb"), 1),
            "rss_file_mb": r3(load.get("rss_file_mb"), 1), "dym_terms": d["terms"],
            "dym_build_s": r3(d["seconds"], 2), "dym_ready_s": r3(d["ready_s"], 3),
            "dym_private_mb": r3(d["private_mb"], 1), "first_typo_ms": r3(ft.get("ms"), 1),
            "first_typo_corrected": ft.get("corrected"),
            **{f"{way}_{k}": r3(v, 2) for way, ks in (r.get("beside") or {}).items() for k, v in ks.items()}}


ROWS = [("query p50 / p95 / p99 (ms)", ("p50_ms", "p95_ms", "p99_ms")),
        ("server req/s at concurrency 8", ("qps",)), ("  p95 under load (ms)", ("server_p95_ms",)),
        ("  errors", ("server_errors",)), ("web worker private / mapped (MB)", ("rss_anon_mb", "rss_file_mb")),
        ("did-you-mean terms", ("dym_terms",)), ("  written in (s)", ("dym_build_s",)),
        ("  ready in a fresh process (s)", ("dym_ready_s",)), ("  its private memory (MB)", ("dym_private_mb",)),
        ("first typo after a start (ms)", ("first_typo_ms",)), ("  corrected at once", ("first_typo_corrected",))]
BESIDE_ROWS = [("facets after the page p50 / p95", ("after_p50_ms", "after_p95_ms")),
               ("facets beside the page p50 / p95", ("beside_p50_ms", "beside_p95_ms"))]


def table(names: list[str], rows: list[dict]) -> str:
    lines = ["".ljust(36) + "".join(" " + n[-23:].rjust(23) for n in names)]
    for label, keys in ROWS + (BESIDE_ROWS if all("after_p95_ms" in r for r in rows) else []):
        lines.append(label.ljust(36) + "".join(" " + " / ".join(str(r[k]) for k in keys).rjust(23) for r in rows))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dirs", nargs="+", type=Path)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--load-requests", type=int, default=3000)
    ap.add_argument("--load-seconds", type=float, default=60.0)
    ap.add_argument("--beside-rounds", type=int, default=0,
                    help="also measure the mix with the facets counted beside the page and after it, "
                         "alternately, this many times each (search.BESIDE_FROM decides in service)")
    args = ap.parse_args(argv)
    results = [measure(d, args.queries, args.load_requests, args.load_seconds, args.beside_rounds)
               for d in args.data_dirs]
    rows = [flat(r) for r in results]
    final: dict = {"runs": [dict(row, data_dir=r["data_dir"]) for row, r in zip(rows, results)]}
    if len(rows) > 1:
        final["growth"] = {"p95": r3(ratio(rows[-1]["p95_ms"], rows[0]["p95_ms"])),
                           "p50": r3(ratio(rows[-1]["p50_ms"], rows[0]["p50_ms"]))}
    final["targets"] = {
        "private_memory_lt_500mb": all(r["rss_anon_mb"] is not None and r["rss_anon_mb"] < 500 for r in rows),
        "load_without_errors": all(r["server_errors"] == 0 for r in rows),
        "first_typo_without_waiting": all(bool(r["first_typo_corrected"]) for r in rows if r["first_typo_ms"] is not None),
    }
    if "growth" in final:
        final["targets"]["growth_p95_le_3x"] = final["growth"]["p95"] is not None and final["growth"]["p95"] <= 3.0
    print(table([str(d) for d in args.data_dirs], rows))
    print(json.dumps(final, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
