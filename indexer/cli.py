"""``news-indexer``: a thin command line over the crawler, store and index.

Exit status, for cron: 0 success; 1 something new went wrong (pages failed
that had not failed the same way on the last runs, or a site's crawl stopped on
an error); 2 a configuration or usage error; 75 (EX_TEMPFAIL) another run holds
the lock, or the search engine's service (a cluster) is unavailable: nothing was
changed, and the next run goes on.

The global options (``--data-dir``, ``-v``) go before or after the command.
"""
from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from indexer import paths

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75
log = logging.getLogger("news-indexer")


class UsageError(Exception):
    pass


class Locked(Exception):
    pass


@contextmanager
def run_lock(data_dir: Path):
    """One writer at a time. ``flock`` is released by the kernel when the holder
    dies, so a killed run never blocks the next one."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / "indexer.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise Locked(f"another news-indexer run (pid {holder}) is using {data_dir}; "
                         "this one exits without touching anything") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def _data_dir(args: argparse.Namespace) -> Path:
    d = Path(args.data_dir) if args.data_dir else paths.default_data_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot use the data directory {d}: {exc.strerror}; "
                         "give a writable one with --data-dir or NEWS_DATA_DIR") from None
    if not os.access(d, os.W_OK):
        raise UsageError(f"the data directory {d} is not writable; give another with --data-dir")
    return d


def _sites(args: argparse.Namespace):
    from indexer.sites import load_sites
    files = args.site or sorted(str(p) for p in paths.SITES_DIR.glob("*.toml"))
    if not files:
        raise UsageError(f"no site configuration given (--site FILE) and none in {paths.SITES_DIR}")
    return load_sites(files, base_url=getattr(args, "base_url", None))


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except Exception:
            if time.monotonic() > deadline:
                raise UsageError(f"{url} did not answer within {seconds:g} s") from None
            time.sleep(0.1)


def _progress(quiet: bool, expected: int | None = None):
    """A tqdm bar on a terminal, with rates, and an ETA when the last runs tell
    how many pages to expect; nothing otherwise (the summary line is printed)."""
    if quiet or not sys.stderr.isatty():
        return None, (lambda kind: None)
    from tqdm import tqdm
    bar = tqdm(unit=" pages", desc="crawling", total=expected, dynamic_ncols=True, leave=False)

    def tick(kind: str) -> None:
        if bar.total is not None and bar.n >= bar.total:
            bar.total = None   # more than last time: no honest ETA left
        bar.update(1)
    return bar, tick


def _expected_pages(store, sites) -> int | None:
    """Pages the last finished run of every site fetched, or None if a site has none."""
    total = 0
    for site in sites:
        row = store.db.execute("SELECT fetched FROM runs WHERE site=? AND finished_at IS NOT NULL"
                               " ORDER BY id DESC LIMIT 1", (site.id,)).fetchone()
        if row is None:
            return None
        total += row[0]
    return total or None


# -- commands -------------------------------------------------------------
def cmd_crawl(args: argparse.Namespace, index_after: bool = False) -> int:
    """Crawl every site, sites on different hosts at once (each host keeps its
    own politeness delay; sites sharing a host take turns), indexing each site's
    changes as soon as its crawl ends."""
    from concurrent.futures import ThreadPoolExecutor, as_completed
    from urllib.parse import urlsplit

    from indexer.crawl import Crawler, CrawlReport
    from indexer.store import Store
    sites = _sites(args)
    data_dir = _data_dir(args)
    if index_after:
        from indexer.index import check_available
        check_available(data_dir)   # a cluster down: exit 75 before anything is fetched or stored
        _engine_note(data_dir, args.engine)
    if args.wait_for_site:
        for s in sites:
            _wait_for(s.base_url, args.wait_for_site)
    by_host: dict[str, list] = {}
    for site in sites:
        by_host.setdefault(urlsplit(site.base_url).netloc, []).append(site)
    with Store(paths.store_path(data_dir)) as store:
        bar, tick = _progress(args.quiet, _expected_pages(store, sites))

    stop = threading.Event()   # Ctrl-C: the crawls in the other threads stop at their next fetch

    def crawl_host(host_sites: list) -> list[CrawlReport]:
        with Store(paths.store_path(data_dir)) as store:
            return [Crawler(site, store, progress=tick, stop=stop).run() for site in host_sites]

    status = EXIT_OK
    with run_lock(data_dir), Store(paths.store_path(data_dir)) as store:
        with ThreadPoolExecutor(max_workers=min(4, len(by_host))) as pool:
            futures = [pool.submit(crawl_host, group) for group in by_host.values()]
            try:
                for future in as_completed(futures):
                    for report in future.result():
                        if _report(report, store, data_dir, bar, index_after,
                                   getattr(args, "engine", None)) != EXIT_OK:
                            status = EXIT_FAILURES
            except KeyboardInterrupt:
                stop.set()
                for future in futures:
                    future.cancel()
                raise
    if bar is not None:
        bar.close()
    return status


def _report(report, store, data_dir: Path, bar, index_after: bool, engine: str | None = None) -> int:
    """Print one site's summary line (and index its changes); its exit status."""
    from indexer.index import sync
    line = report.summary()
    if index_after:
        t0 = time.monotonic()
        st = sync(store, data_dir, engine=engine)
        line += f" indexed={st.added} deleted={st.deleted} index_took={time.monotonic() - t0:.1f}s"
    (bar.write if bar is not None else lambda text: print(text, flush=True))(line)
    if report.status == "error":
        print(f"news-indexer: site {report.site}: the crawl stopped with an error (run #{report.run_id}, "
              f"recorded as error; the other sites went on): {report.error}", file=sys.stderr, flush=True)
        return EXIT_FAILURES
    if report.counts.empty_lists:
        print(f"news-indexer: site {report.site}: {report.counts.empty_lists} configured list page(s) gave no "
              "article link; `news-indexer stats --failures` names them", file=sys.stderr, flush=True)
    return EXIT_FAILURES if report.counts.failed else EXIT_OK


def _engine_note(data_dir: Path, asked: str | None) -> None:
    """Warn when the engine asked for is not the current index's: ``update`` and
    ``index`` go on with the index there is; ``reindex --engine`` moves it."""
    from indexer import engines
    from indexer.index import current_generation, engine_name
    gen = current_generation(data_dir)
    if gen is None:
        return
    want, have = engines.chosen(asked, data_dir), engine_name(gen)
    if engines.asked(asked, data_dir) and want != have:
        print(f"news-indexer: the index is a {have} index; it stays one (run "
              f"`news-indexer reindex --engine {want}` to move it to {want})", file=sys.stderr, flush=True)


def cmd_index(args: argparse.Namespace) -> int:
    from indexer.index import sync
    from indexer.store import Store
    data_dir = _data_dir(args)
    _engine_note(data_dir, args.engine)
    with run_lock(data_dir), Store(paths.store_path(data_dir)) as store:
        t0 = time.monotonic()
        st = sync(store, data_dir, engine=args.engine)
        print(f"indexed={st.added} deleted={st.deleted} commits={st.commits} took={time.monotonic() - t0:.1f}s")
    return EXIT_OK


def cmd_reindex(args: argparse.Namespace) -> int:
    from indexer.index import rebuild, sync
    from indexer.store import Store
    data_dir = _data_dir(args)
    with run_lock(data_dir), Store(paths.store_path(data_dir)) as store:
        t0 = time.monotonic()
        st = rebuild(store, data_dir, engine=args.engine)
        sync(store, data_dir)
        print(f"reindexed={st.added} engine={st.engine} took={time.monotonic() - t0:.1f}s")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    from indexer.index import sync
    from indexer.listpage import normalise_url
    from indexer.store import Store
    data_dir = _data_dir(args)
    status = EXIT_OK
    with run_lock(data_dir), Store(paths.store_path(data_dir)) as store:
        for url in args.url:
            if store.remove_article(normalise_url(url), args.reason, by="operator"):
                print(f"removed {url}")
            else:
                print(f"not found or already removed: {url}", file=sys.stderr)
                status = EXIT_FAILURES
        sync(store, data_dir)
    return status


def cmd_stats(args: argparse.Namespace) -> int:
    from indexer.store import Store
    data_dir = _data_dir(args)
    with Store(paths.store_path(data_dir)) as store:
        db = store.db
        for (site, n) in db.execute("SELECT site, COUNT(*) FROM articles WHERE removed_at IS NULL GROUP BY site"
                                    ).fetchall():
            reposts = store.count_reposts(site)
            print(f"site {site}: {n - reposts} articles" +
                  (f" ({reposts} more URLs repost them)" if reposts else ""))
            for label, col in (("column", "column_name"), ("department", "department"),
                               ("year", "substr(published, 1, 4)")):
                rows = db.execute(f"SELECT {col}, COUNT(*) FROM articles WHERE site=? AND removed_at IS NULL "
                                  f"GROUP BY 1 ORDER BY 2 DESC", (site,)).fetchall()
                print(f"  by {label}: " + ", ".join(f"{v or '(none)'}={c}" for v, c in rows))
        _print_index(data_dir, store.seq)
        print("last runs:")
        for r in store.recent_runs(10):
            print(f"  #{r['id']} {r['site']} {r['started_at']} {r['status']}: fetched={r['fetched']} "
                  f"new={r['new']} changed={r['changed']} removed={r['removed']} failed={r['failed']} "
                  f"persistent={r['persistent']} empty_lists={r['empty_lists']}"
                  + (f" error: {r['error']}" if r["error"] else ""))
        errors = store.failure_counts()
        if errors:
            print("errors by reason: " + ", ".join(f"{k}={v}" for k, v in errors))
        warnings = store.failure_counts(warnings=True)
        if warnings:
            print("warnings by reason: " + ", ".join(f"{k}={v}" for k, v in warnings))
        if args.failures:
            _print_failing(store)
        elif store.failing():
            print(f"failing now: {len(store.failing())} page(s); `news-indexer stats --failures` lists them")
    return EXIT_OK


def _print_index(data_dir: Path, store_seq: int) -> None:
    """The current index: its engine and versions, and how far behind the store it is."""
    from indexer.index import current_generation, engine_name, read_meta
    gen = current_generation(data_dir)
    if gen is None:
        print("index: none yet (`news-indexer index` builds it)")
        return
    meta = read_meta(gen)
    behind = store_seq - int(meta.get("synced_seq") or 0)
    print(f"index: {engine_name(gen)} {meta.get('library_version') or ''}".rstrip()
          + f" (engine version {meta.get('engine_version') or 'unknown'}), last commit "
          f"{meta.get('last_commit') or 'never'}, " + (f"{behind} store change(s) not yet indexed"
                                                       if behind > 0 else "up to date with the store"))


def _print_failing(store) -> None:
    """Every URL whose last try failed: its reason, since when, and whether it is
    persistent (no longer counted as failed; retried once a day)."""
    from indexer.failures import PERSISTENT_AFTER, is_persistent
    rows = store.failing()
    print(f"failing now: {len(rows)} page(s)" + (" (none)" if not rows else ""))
    for r in rows:
        runs = "run" if r["streak"] == 1 else "runs"
        mark = ("warning" if r["warning"] else
                "persistent, retried once a day" if is_persistent(r) else
                f"counted as failed; persistent after {PERSISTENT_AFTER} runs in a row")
        print(f"  {r['site']} {r['url']}\n    {r['reason']}: {r['detail'] or ''}\n"
              f"    {r['streak']} {runs} in a row (last run #{r['last_run']}, {r['last_at']}); {mark}")


def cmd_export(args: argparse.Namespace) -> int:
    from indexer.store import Store
    data_dir = _data_dir(args)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    keys = ("url", "site", "title", "published", "department", "column", "body", "source")
    try:
        with Store(paths.store_path(data_dir)) as store:
            for a in store.articles():
                d = a.to_dict()
                out.write(json.dumps({k: d[k] for k in keys}, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from indexer.article import ExtractError
    from indexer.extract import extract
    from indexer.fetch import Fetcher
    from indexer.sites import load_site
    site = load_site(args.site) if args.site else None
    target = args.target
    charset = None
    if args.url and target.startswith(("http://", "https://")):
        raise UsageError("--url names the address of a saved page; give a file, not a URL, with it")
    if args.url and not args.url.startswith(("http://", "https://")):
        raise UsageError(f"--url {args.url}: give the page's http(s) address, such as "
                         "https://www.ybzy.cn/info/1012/34567.htm")
    if target.startswith(("http://", "https://")):
        fetcher = Fetcher.for_site(site) if site else Fetcher("CollegeNewsSearch/0.1 (extract)", delay=0)
        res = fetcher.fetch(target)
        if not res.ok:
            print(f"cannot fetch {target}: {res.error} {res.error_detail or ''}".strip(), file=sys.stderr)
            return EXIT_FAILURES
        raw, url, charset = res.body, target, res.charset
    else:
        try:
            raw = Path(target).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {target}: {exc.strerror}") from None
        # read as if fetched from --url: relative links, URL patterns and dates in the URL
        url = args.url or Path(target).resolve().as_uri()
    try:
        article = extract(url, raw, site, header_charset=charset)
    except ExtractError as exc:
        print(f"{target}: not an article: {exc}", file=sys.stderr)
        return EXIT_FAILURES
    d = article.to_dict()
    if args.json:
        print(json.dumps(d, ensure_ascii=False, indent=2))
    else:
        for k in ("title", "published", "department", "source", "column"):
            print(f"{k:>10}: {d[k]}")
        print(f"{'body':>10}: {len(article.body)} characters, starts {article.body[:40]!r}")
        print(f"{'images':>10}: {len(article.images)}   attachments: {len(article.attachments)}")
    return EXIT_OK


def cmd_check_site(args: argparse.Namespace) -> int:
    from indexer.checksite import check_site
    from indexer.sites import load_site
    site = load_site(args.config, base_url=args.base_url)
    return check_site(site, articles=args.articles, out=sys.stdout)


def cmd_demo_site(args: argparse.Namespace) -> int:
    from indexer.demosite import make_server
    root = Path(args.dir) if args.dir else paths.DEMO_SITE_DIR
    if not (root / "index.htm").is_file():
        raise UsageError(f"{root} holds no demo site (index.htm missing)")
    try:
        server = make_server(root, args.host, args.port, quiet=args.quiet)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    print(f"Demo site: http://{args.host}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def _global_options(p: argparse.ArgumentParser, default: object) -> None:
    """The options every command takes, before or after its name. After it, they
    default to SUPPRESS, so they do not undo one given before it."""
    p.add_argument("--data-dir", default=default,
                   help="where the crawl store and index live (default: $NEWS_DATA_DIR or data/var)")
    p.add_argument("-v", "--verbose", action="store_true", default=False if default is None else default,
                   help="log every page")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="news-indexer", description="Crawl, extract and index college news.")
    _global_options(p, None)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_parser_with(common))

    def site_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--site", action="append", metavar="CONFIG",
                        help="a site configuration (TOML); repeatable; default: every file in data/sites/")
        sp.add_argument("--base-url", help="crawl the site at this address instead of its configured one")
        sp.add_argument("--wait-for-site", type=float, default=0, metavar="SECONDS",
                        help="wait up to SECONDS for the site to answer first")
        sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    def engine_arg(sp: argparse.ArgumentParser, what: str) -> None:
        from indexer.engines import NAMES
        sp.add_argument("--engine", choices=NAMES, default=None,
                        help=f"the search engine {what} (default: $NEWS_ENGINE, else tantivy)")

    sp = sub.add_parser("update", help="crawl what is new or changed and index it (the cron job)")
    site_args(sp)
    engine_arg(sp, "of a first index (an existing one keeps its own)")
    sp.set_defaults(func=lambda a: cmd_crawl(a, index_after=True))
    sp = sub.add_parser("crawl", help="crawl into the store without indexing")
    site_args(sp)
    sp.set_defaults(func=cmd_crawl)
    sp = sub.add_parser("index", help="apply the store's changes to the index")
    engine_arg(sp, "of a first index (an existing one keeps its own)")
    sp.set_defaults(func=cmd_index)
    sp = sub.add_parser("reindex", help="rebuild the index from the store, no network; "
                                        "--engine builds it with another engine and switches to it")
    from indexer.engines import NAMES
    sp.add_argument("--engine", choices=NAMES, default=None,
                    help="the engine of the new index (default: the current index's, "
                         "else $NEWS_ENGINE, else tantivy)")
    sp.set_defaults(func=cmd_reindex)
    sp = sub.add_parser("stats", help="what the store holds and what the last runs did")
    sp.add_argument("--failures", action="store_true",
                    help="list the pages failing now, with their reasons and how many runs in a row")
    sp.set_defaults(func=cmd_stats)
    sp = sub.add_parser("export", help="write every stored article as JSON lines")
    sp.add_argument("--jsonl", action="store_true", default=True, help="JSON lines (the only format)")
    sp.add_argument("-o", "--output", help="a file (default: standard output)")
    sp.set_defaults(func=cmd_export)
    sp = sub.add_parser("extract", help="show what the extractor reads from one page")
    sp.add_argument("target", metavar="PATH_OR_URL")
    sp.add_argument("--site", help="the site configuration to apply")
    sp.add_argument("--url", help="for a saved page: the address it was fetched from (relative links, "
                                  "the article pattern and dates in the URL are read against it)")
    sp.add_argument("--json", action="store_true", help="print JSON")
    sp.set_defaults(func=cmd_extract)
    sp = sub.add_parser("check-site", help="fetch every list page and a few articles; show what was read")
    sp.add_argument("config", metavar="CONFIG")
    sp.add_argument("--base-url", help="check the site at this address instead of its configured one")
    sp.add_argument("--articles", type=int, default=5,
                    help="how many articles to read in all, taken in turn from each list (default 5)")
    sp.set_defaults(func=cmd_check_site)
    sp = sub.add_parser("remove", help="take articles down; they stay out of the index")
    sp.add_argument("url", nargs="+")
    sp.add_argument("--reason", required=True, help="why (kept in the store)")
    sp.set_defaults(func=cmd_remove)
    sp = sub.add_parser("demo-site", help="serve the bundled demo site on loopback")
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8001)
    sp.add_argument("--dir", help="serve another folder")
    sp.add_argument("-q", "--quiet", action="store_true", help="no request log")
    sp.set_defaults(func=cmd_demo_site)
    return p


def _parser_with(common: argparse.ArgumentParser) -> type[argparse.ArgumentParser]:
    """A parser class whose every instance (each command's) takes ``common``'s options."""
    class CommandParser(argparse.ArgumentParser):
        def __init__(self, *a, **kw) -> None:
            kw.setdefault("parents", [common])
            super().__init__(*a, **kw)
    return CommandParser


def _quiet_broken_pipe() -> int:
    """The reader of standard output went away (``news-indexer export | head``):
    stop quietly, as ``cat`` does, instead of with a traceback. Standard output is
    pointed at /dev/null so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass   # stdout is not a file (a test's StringIO): nothing to flush at exit
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from indexer.engines import EngineUnavailable, UnknownEngine
    from indexer.index import IndexVersionError
    from indexer.sites import ConfigError
    from indexer.store import StoreError
    try:
        return args.func(args)
    except (ConfigError, UsageError, IndexVersionError, UnknownEngine) as exc:
        print(f"news-indexer: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"news-indexer: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Locked as exc:
        print(f"news-indexer: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except EngineUnavailable as exc:
        print(f"news-indexer: the search engine is unavailable, nothing was changed; the next run "
              f"goes on: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:
        print("news-indexer: interrupted (the runs under way are recorded as interrupted)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
