"""``news-web``: serve the search page and the JSON API with waitress.

    news-web serve [--host 127.0.0.1] [--port 8000] [--threads 8] [--data-dir DIR]

Exit codes: 0 after a clean stop (Ctrl-C), 2 for a bad option or an address that
cannot be listened on (port in use, host unknown, no permission).
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="serve the web UI with waitress",
                           description="Serve the web UI with waitress (a production WSGI server).")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    serve.add_argument("--threads", type=_threads, default=8,
                       help="worker threads (default 8)")
    serve.add_argument("--data-dir", type=Path, default=None,
                       help=f"data directory holding index/ (default ${ENV_DATA_DIR} or data/var)")
    serve.add_argument("--title", default=None, help="site title shown on the pages")
    return parser


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(args: argparse.Namespace) -> int:
    from waitress import create_server

    from webui.app import create_app

    data_dir = args.data_dir or default_data_dir()
    config: dict[str, object] = {"DATA_DIR": data_dir}
    if args.title:
        config["SITE_TITLE"] = args.title
    app = create_app(config)
    if not os.path.exists(index_path(Path(data_dir))):
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "serve":
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return serve(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
