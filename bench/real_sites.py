"""The real `news-indexer update` over copies of real college sites, and how right
it reads the articles a person labelled.

    .venv/bin/python bench/real_sites.py                 # every site copy found
    .venv/bin/python bench/real_sites.py --site tsinghua-news --misses

The copies live in ``shared/real-sites/`` beside the repository (or
``$REAL_SITES_DIR``); their configurations in ``data/sites/examples/`` name the
sites' real addresses, and the labels (title, date, department, column, source,
where the text begins and ends, read off the pages by a person before the
extractor was run on them) are in ``data/eval/real-sites/<site>.json``.

Each copy is served by a loopback HTTP proxy: the crawler asks for
``http://cst.nuc.edu.cn/…`` through ``HTTP_PROXY=http://127.0.0.1:PORT`` and the
proxy answers from the copy, so the site's own absolute and relative links work
and nothing leaves the machine. The politeness delay is set to 0 for the run.

Per site it prints: the articles the configured lists link to (and how many of
those the copy lacks), the articles stored, reposts (labelled articles published
under several URLs) merged into one story, failures by reason,
and per-field accuracy on the labelled articles; then one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.extract_accuracy import FIELDS, compare, got_field, want_field  # noqa: E402
from indexer import paths  # noqa: E402
from indexer.article import Article  # noqa: E402
from indexer.listpage import normalise_url, parse_list  # noqa: E402
from indexer.sites import load_site  # noqa: E402
from indexer.store import Store  # noqa: E402

SITES = ("nuc-cst", "fudan-cs", "tsinghua-news")
CONFIG_DIR = ROOT / "data" / "sites" / "examples"
LABEL_DIR = ROOT / "data" / "eval" / "real-sites"


def copies_dir() -> Path | None:
    here = ROOT.parent / "shared" / "real-sites"
    if here.is_dir():
        return here
    env = os.environ.get("REAL_SITES_DIR")
    return Path(env) if env and Path(env).is_dir() else None


# -- the loopback proxy ------------------------------------------------------------

def copy_file(folder: Path, path: str) -> Path | None:
    """The saved file for a URL path: as named, or as the copier saved it (``.htm``
    saved as ``.html``, a folder's ``index.html``)."""
    rel = unquote(path).lstrip("/")
    target = (folder / rel).resolve()
    if folder.resolve() not in target.parents and target != folder.resolve():
        return None
    candidates = [target]
    if rel.endswith(".htm"):
        candidates.append(target.with_name(target.name + "l"))
    if rel.endswith("/") or not rel:
        candidates += [target / "index.html", target / "index.htm"]
    return next((c for c in candidates if c.is_file()), None)


def make_proxy(hosts: dict[str, Path]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            folder = hosts.get((parts.hostname or "").lower())
            found = copy_file(folder, parts.path) if folder is not None else None
            if found is None:
                self.send_error(404)
                return
            data = found.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html" if found.suffix in (".htm", ".html") else
                             "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# -- one site ----------------------------------------------------------------------

@dataclass
class SiteResult:
    site: str
    linked: int
    missing: int
    stored: int
    labelled: int
    reposts: int
    reposts_merged: int
    failures: dict[str, int]
    repost_urls: int
    right: dict[str, int]
    seen: dict[str, int]
    exit_status: int

    def score(self, name: str) -> float | None:
        return self.right[name] / self.seen[name] if self.seen[name] else None


def stored_article(store: Store, base_url: str, path: str) -> Article | None:
    """The stored article of a labelled file, under the address the site's links
    gave it (a copy saved as ``page.html`` may be linked as ``page.htm``)."""
    url = normalise_url(base_url + path)
    found = store.get_article(url)
    if found is None and url.endswith(".html"):
        found = store.get_article(url[:-1])
    return found


def linked_articles(site, folder: Path) -> tuple[set[str], int]:
    """Article URLs the configured lists (and their pages) link to, and how many
    of them the copy lacks: walked here over the files, as a reader would."""
    seen_lists: set[str] = set()
    links: set[str] = set()
    for start in site.list_urls:
        url: str | None = start
        while url and url not in seen_lists and len(seen_lists) < 5000:
            seen_lists.add(url)
            found = copy_file(folder, urlsplit(url).path)
            if found is None:
                break
            page = parse_list(url, found.read_bytes(), site)
            links.update(normalise_url(x.url) for x in page.article_links)
            url = page.next_page
    missing = sum(1 for u in links if copy_file(folder, urlsplit(u).path) is None)
    return links, missing


def run_site(name: str, folder: Path, work: Path, misses: bool) -> SiteResult:
    config = CONFIG_DIR / f"{name}.toml"
    text = re.sub(r"(?m)^delay\s*=.*$", "delay = 0.0", config.read_text(encoding="utf-8"))
    fast = work / f"{name}.toml"
    fast.write_text(text, encoding="utf-8")
    site = load_site(fast)
    host = (urlsplit(site.base_url).hostname or "").lower()
    proxy = make_proxy({host: folder})
    env = {**os.environ, "HTTP_PROXY": f"http://127.0.0.1:{proxy.server_address[1]}",
           "http_proxy": f"http://127.0.0.1:{proxy.server_address[1]}", "NO_PROXY": "", "no_proxy": ""}
    data_dir = work / f"data-{name}"
    if data_dir.exists():   # a first crawl every time: a second would re-read nothing
        shutil.rmtree(data_dir)
    try:
        done = subprocess.run([sys.executable, "-m", "indexer.cli", "--data-dir", str(data_dir), "update",
                               "--site", str(fast), "--quiet"], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=3600)
    finally:
        proxy.shutdown()
        proxy.server_close()
    if done.returncode not in (0, 1):
        print(done.stdout + done.stderr, file=sys.stderr)
    links, missing = linked_articles(site, folder)
    labels = json.loads((LABEL_DIR / f"{name}.json").read_text(encoding="utf-8"))
    right = {f: 0 for f in FIELDS}
    seen = {f: 0 for f in FIELDS}
    reposts = merged = 0
    with Store(paths.store_path(data_dir)) as store:
        stored = store.count_articles(site.id)
        repost_urls = store.count_reposts(site.id)
        failures = dict(store.db.execute(
            "SELECT reason, COUNT(*) FROM failures f JOIN runs r ON r.id=f.run_id WHERE r.site=? "
            "GROUP BY reason", (site.id,)).fetchall())
        for label in labels:
            article = stored_article(store, site.base_url, label["path"])
            truth = {k: v for k, v in label.items() if v is not None or k not in ("body_starts", "body_ends")}
            truth["source"] = label.get("source")
            others = [stored_article(store, site.base_url, p) for p in label.get("also_at") or []]
            if others and article is not None and all(o is not None for o in others):
                # a labelled repost whose every URL the crawl reached
                reposts += 1
                merged += int(all(set(o.urls) == set(article.urls) for o in others))  # type: ignore[union-attr]
            result = compare(article, truth)
            for field_name, ok in result.items():
                if ok is None:
                    continue
                seen[field_name] += 1
                right[field_name] += int(bool(ok))
                if misses and ok is False:
                    print(f"  miss {name}:{label['path']} {field_name}: got {got_field(article, field_name, 'not stored')!r}, "
                          f"want {want_field(label, field_name)!r}")
    return SiteResult(name, len(links), missing, stored, len(labels), reposts, merged, failures, repost_urls, right, seen,
                      done.returncode)


def table(results: list[SiteResult]) -> str:
    head = f"{'':<22}" + "".join(f"{r.site:>16}" for r in results)
    rows = [head, "-" * len(head)]

    def row(label: str, values: list[str]) -> None:
        rows.append(f"{label:<22}" + "".join(f"{v:>16}" for v in values))

    row("linked from lists", [f"{r.linked} ({r.missing} absent)" for r in results])
    row("stored (stories)", [str(r.stored) for r in results])
    row("stored as reposts", [str(r.repost_urls) for r in results])
    row("labelled reposts merged", [f"{r.reposts_merged}/{r.reposts}" for r in results])
    row("failures", [",".join(f"{k}={v}" for k, v in sorted(r.failures.items())) or "0" for r in results])
    row("update exit status", [str(r.exit_status) for r in results])
    for f in FIELDS:
        row(f, [("-" if r.score(f) is None else f"{r.score(f):.3f} {r.right[f]}/{r.seen[f]}") for r in results])
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", action="append", choices=SITES, help="only this site copy (repeatable)")
    parser.add_argument("--misses", action="store_true", help="print every labelled field read wrong")
    parser.add_argument("--work", type=Path, help="keep the data directories here (default: a temporary one)")
    args = parser.parse_args(argv)
    copies = copies_dir()
    if copies is None:
        print("no site copies: shared/real-sites is not beside the repository and REAL_SITES_DIR is not set")
        print(json.dumps({"sites": {}}))
        return 1
    names = [n for n in (args.site or SITES) if (copies / n).is_dir()]
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        results = [run_site(n, copies / n, work, args.misses) for n in names]
    print(table(results))
    print(json.dumps({"sites": {r.site: {
        "linked": r.linked, "absent": r.missing, "stored": r.stored, "labelled": r.labelled,
        "repost_urls": r.repost_urls, "labelled_reposts": r.reposts, "labelled_reposts_merged": r.reposts_merged, "failures": r.failures,
        "exit_status": r.exit_status,
        "fields": {f: round(r.score(f), 4) for f in FIELDS if r.score(f) is not None}} for r in results}},
        ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
