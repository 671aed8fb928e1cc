"""``news-web``: serve the search page and the JSON API with waitress; read the query log.

    news-web serve [--host 127.0.0.1] [--port 8000] [--threads 8] [--data-dir DIR]
                   [--config FILE] [--title TEXT]
    news-web top-queries [--days 30] [--zero] [--limit 20] [--data-dir DIR]

``--data-dir`` goes before or after the command (``news-web --data-dir D serve``
or ``news-web serve --data-dir D``), as with ``news-indexer``.

Exit codes: 0 after a clean stop (Ctrl-C), 2 for a bad option, a bad configuration
file or an address that cannot be listened on (port in use, host unknown, no permission).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from indexer.paths import ENV_DATA_DIR, default_data_dir, index_path

EXIT_USAGE = 2


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, got {port}")
    return port


def _threads(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 1 <= n <= 256:
        raise argparse.ArgumentTypeError(f"threads must be between 1 and 256, got {n}")
    return n


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="news-web", description="Serve the college news search page and its JSON API.")
    _data_dir_option(parser, None)
    common = argparse.ArgumentParser(add_help=False)
    _data_dir_option(common, argparse.SUPPRESS)   # after the command: does not undo one given before it
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="serve the web UI with waitress", parents=[common],
                           description="Serve the web UI with waitress (a production WSGI server).")
    serve.add_argument("--host", default=None,
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    serve.add_argument("--port", type=_port, default=None, help="port (default 8000)")
    serve.add_argument("--threads", type=_threads, default=None,
                       help="worker threads (default 8)")
    serve.add_argument("--config", type=Path, default=None, metavar="FILE",
                       help="a TOML file with the college's name, logo, colour and site names "
                            "(see webui/config.py); options given here win over it")
    serve.add_argument("--title", default=None, help="site title shown on the pages")

    top = sub.add_parser("top-queries", help="what people search for, and what finds nothing", parents=[common],
                         description="Print the most searched queries from the query log "
                                     "(DATA_DIR/queries.sqlite3), which keeps no personal data.")
    top.add_argument("--days", type=_days, default=30, help="look back this many days (default 30)")
    top.add_argument("--zero", action="store_true", help="only queries that found nothing")
    top.add_argument("--limit", type=_threads, default=20, help="how many to print (default 20)")
    top.add_argument("--json", action="store_true", help="one JSON object a line")
    return parser


def _data_dir_option(p: argparse.ArgumentParser, default: object) -> None:
    p.add_argument("--data-dir", type=Path, default=default,
                   help=f"data directory holding index/ and the query log (default ${ENV_DATA_DIR} or data/var)")


def _days(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 1 <= n <= 3660:
        raise argparse.ArgumentTypeError(f"days must be between 1 and 3660, got {n}")
    return n


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(args: argparse.Namespace) -> int:
    from waitress import create_server

    from webui.app import create_app

    from webui.config import ConfigError, load_file

    config: dict[str, object] = {}
    server_opts: dict[str, object] = {}
    try:
        if args.config:
            config, server_opts = load_file(args.config)
        if args.data_dir:
            config["DATA_DIR"] = args.data_dir
        config.setdefault("DATA_DIR", default_data_dir())
        data_dir = Path(str(config["DATA_DIR"]))
        if args.title:
            config["SITE_TITLE"] = args.title
        app = create_app(config)
    except ConfigError as exc:
        print(f"news-web: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    host = args.host or str(server_opts.get("host", "127.0.0.1"))
    port = args.port or server_opts.get("port", 8000)
    threads = args.threads or server_opts.get("threads", 8)
    for name, value, check in (("port", port, _port), ("threads", threads, _threads)):
        try:
            check(str(value))
        except argparse.ArgumentTypeError as exc:
            print(f"news-web: error: {args.config}: server.{name}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    args.host, args.port, args.threads = host, int(port), int(threads)  # type: ignore[arg-type]
    if not os.path.exists(index_path(data_dir)):
        print(f"news-web: warning: no index at {index_path(Path(data_dir))} yet; the pages say "
              "so until `news-indexer update` builds it", file=sys.stderr)
    try:
        server = create_server(app, host=args.host, port=args.port, threads=args.threads,
                               ident="news-web", clear_untrusted_proxy_headers=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(f"news-web: error: cannot listen on {args.host}:{args.port}: {reason}",
              file=sys.stderr)
        return EXIT_USAGE
    print(f"Serving on {_url(args.host, args.port)}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.extensions["news_engine"].close()
    return 0


def top_queries(args: argparse.Namespace) -> int:
    import json

    from webui.querylog import FILE_NAME, QueryLog

    path = Path(args.data_dir or default_data_dir()) / FILE_NAME
    stats = QueryLog(path).top(days=args.days, zero=args.zero, limit=args.limit)
    if args.json:
        for st in stats:
            print(json.dumps({"query": st.query, "searches": st.searches, "results": st.results},
                             ensure_ascii=False))
        return 0
    what = "没有结果的搜索" if args.zero else "热门搜索"
    print(f"{what}（最近 {args.days} 天，{path}）")
    if not stats:
        print("（暂无记录）")
        return 0
    print(f"{'次数':>6}  {'结果数':>6}  查询")
    for st in stats:
        print(f"{st.searches:>8}  {st.results:>9}  {st.query}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "top-queries":
        return top_queries(args)
    if args.command != "serve":
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return serve(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
