"""The cron job's common case: ``news-indexer update`` when nothing is new.

A synthetic corpus (bench/corpus.py) is loaded into a crawl store, and a
loopback server plays its colleges: every column's list page lists the newest 20
articles of that column, every article page is rendered from the store, and both
answer ``304 Not Modified`` to a conditional GET with the ETag they gave. The
real ``news-indexer update`` (a child process, all sites, politeness delay 0)
runs twice: the first run records the list pages and their ETags; the second is
the measured no-change run. Its cost should not grow with the store.

The index the update syncs is an empty generation marked as up to date with the
store (the no-change sync opens it and finds nothing to apply; building a real
100k index would take the rebuild time ``bench/perf.py`` measures).

    .venv/bin/python bench/noop_update.py --n 100000 [--reindex-s 2200]

prints a table, then one JSON line.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import corpus  # noqa: E402

from indexer import index as engine_index  # noqa: E402
from indexer.paths import store_path  # noqa: E402
from indexer.store import Store  # noqa: E402

LIST_SIZE = 20


def _etag(text: str) -> str:
    return '"%s"' % hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class CollegeSites(BaseHTTPRequestHandler):
    """Serves /<host>/<column slug>.htm list pages and /<host>/info/… articles from the store."""

    db_path: str = ""
    slugs: dict[str, str] = {}
    requests: list[tuple[str, int]] = []
    lists: dict[str, str] = {}   # list pages are made once: the server's own cost is not the crawler's

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        db = sqlite3.connect(self.db_path)
        try:
            page = self._page(db)
        finally:
            db.close()
        if page is None:
            self.requests.append((self.path, 404))
            self.send_error(404)
            return
        tag = _etag(page)
        if self.headers.get("If-None-Match") == tag:
            self.requests.append((self.path, 304))
            self.send_response(304)
            self.send_header("ETag", tag)
            self.end_headers()
            return
        body = page.encode("utf-8")
        self.requests.append((self.path, 200))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", tag)
        self.end_headers()
        self.wfile.write(body)

    def _page(self, db: sqlite3.Connection) -> str | None:
        parts = self.path.lstrip("/").split("/", 1)
        if len(parts) != 2:
            return None
        host, rest = parts
        base = f"http://{self.headers['Host']}/{host}/"
        if rest.endswith(".htm") and "/" not in rest:
            column = self.slugs.get(rest[:-4])
            if column is None:
                return None
            if self.path in self.lists:
                return self.lists[self.path]
            rows = db.execute("SELECT url, title, published FROM articles WHERE url LIKE ? AND column_name=?"
                              " ORDER BY published DESC LIMIT ?", (base + "%", column, LIST_SIZE)).fetchall()
            items = "".join(f'<li><a href="{escape(u[len(base):])}" title="{escape(t)}">{escape(t)}</a>'
                            f"<span>{(p or '')[:10]}</span></li>" for u, t, p in rows)
            page = (f"<html><head><meta charset='utf-8'><title>{escape(column)}</title></head><body>"
                    f"<div class='dqwz'>当前位置：首页 &gt; {escape(column)}</div><ul>{items}</ul>"
                    f"<span class='p_pages'><span class='p_no_d'>1</span></span></body></html>")
            self.lists[self.path] = page
            return page
        row = db.execute("SELECT title, published, body, column_name FROM articles WHERE url=?",
                         (base + rest,)).fetchone()
        if row is None:
            return None
        title, published, body, column = row
        paras = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n"))
        return (f"<html><head><meta charset='utf-8'><title>{escape(title)}</title></head><body>"
                f"<div class='dqwz'>当前位置：首页 &gt; {escape(column)} &gt; 正文</div>"
                f"<form name='_newscontent_fromname'><h1>{escape(title)}</h1><div>日期:{published[:10]}</div>"
                f"<div id='vsb_content'><div class='v_news_content'>{paras}</div></div></form></body></html>")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", type=Path, help="default: a temporary directory")
    p.add_argument("--reindex-s", type=float, help="a full reindex time of the same corpus (from bench/perf.py)")
    args = p.parse_args(argv)
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="noop-"))
    slugs = {f"c{i}": c for i, c in enumerate(corpus.COLUMNS)}
    CollegeSites.db_path, CollegeSites.slugs = str(store_path(data)), slugs
    server = ThreadingHTTPServer(("127.0.0.1", 0), CollegeSites)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    t0 = time.perf_counter()
    with Store(store_path(data)) as st:
        have = st.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    if have == 0:
        corpus.load(data, args.n)
        db = sqlite3.connect(store_path(data))
        db.execute("UPDATE articles SET url = ? || substr(url, 9)", (f"http://127.0.0.1:{port}/",))
        db.commit()
        db.close()
    else:
        # a store from an earlier run: move its URLs to this server's port
        db = sqlite3.connect(store_path(data))
        db.execute("UPDATE articles SET url = ? || substr(url, instr(substr(url, 8), '/') + 8)",
                   (f"http://127.0.0.1:{port}/",))
        db.execute("DELETE FROM pages")
        db.commit()
        db.close()
    load_s = time.perf_counter() - t0
    with Store(store_path(data)) as st:
        seq = st.seq
        n = st.count_articles()
    gen = engine_index.current_generation(data, create=True)
    meta = engine_index.read_meta(gen)
    meta["synced_seq"] = seq
    engine_index._write_meta(gen, meta)

    confs = []
    sites_dir = data / "sites"
    sites_dir.mkdir(exist_ok=True)
    for site, host, _ in corpus.SITES:
        conf = sites_dir / f"{site}.toml"
        conf.write_text(f'id = "{site}"\nname = "{site}"\nbase_url = "http://127.0.0.1:{port}/{host}/"\n'
                        f'lists = [{", ".join(repr(s + ".htm").replace(chr(39), chr(34)) for s in slugs)}]\n'
                        f"[politeness]\ndelay = 0.0\n", encoding="utf-8")
        confs += ["--site", str(conf)]
    cmd = [sys.executable, "-m", "indexer.cli", "--data-dir", str(data), "update", "--quiet", *confs]

    def timed_run() -> tuple[float, str, int]:
        CollegeSites.requests = []
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True)
        return time.perf_counter() - t, out.stdout + out.stderr, out.returncode

    first_s, first_out, first_rc = timed_run()
    first_requests = len(CollegeSites.requests)
    noop_s, noop_out, noop_rc = timed_run()
    statuses = [s for _, s in CollegeSites.requests]
    server.shutdown()
    new_total = sum(int(kv.split("=")[1]) for line in noop_out.splitlines() for kv in line.split()
                    if kv.startswith("new="))
    result = {
        "n": n, "sites": len(corpus.SITES), "load_s": round(load_s, 2),
        "first_update_s": round(first_s, 2), "first_requests": first_requests, "first_exit": first_rc,
        "noop_update_s": round(noop_s, 2), "noop_requests": len(statuses),
        "noop_304": statuses.count(304), "noop_new": new_total, "noop_exit": noop_rc,
    }
    if args.reindex_s:
        result["noop_share_of_reindex"] = round(noop_s / args.reindex_s, 5)
    print(f"{'measure':<28}{'value':>14}")
    for k, v in result.items():
        print(f"{k:<28}{v!s:>14}")
    print(json.dumps(result))
    return 0 if noop_rc == 0 and new_total == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
