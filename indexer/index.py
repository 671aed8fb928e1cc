"""Keeping the search index (tantivy) in step with the crawl store.

The index directory ``<data>/index`` is a symbolic link to one *generation*
under ``<data>/indexes/``. ``sync`` applies the store's changes to the current
generation in one commit (or one per bounded batch on a large first
crawl); ``rebuild`` writes a whole new generation from the store and switches
the link atomically, so readers see the old index or the new, never half.

Beside each generation, ``engine.json`` records the analysis and schema versions
it was built with and the store sequence number it has applied.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable
from itertools import chain, islice
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import tantivy

from indexer import userdict
from indexer.analysis import ANALYSIS_VERSION, init_jieba, normalise
from indexer.article import Article
from indexer.ids import article_id
from indexer.paths import index_path
from indexer.schema import SCHEMA_VERSION, make_schema, to_tantivy, tokenise
from indexer.store import Store

META_FILE = "engine.json"
ENGINE_VERSION = f"a{ANALYSIS_VERSION}.s{SCHEMA_VERSION}"


class IndexVersionError(Exception):
    """The index on disk was built by other analyzers or another schema."""


@dataclass
class SyncStats:
    added: int = 0
    deleted: int = 0
    commits: int = 0
    seq: int = 0


def read_meta(gen_dir: Path) -> dict:
    try:
        return json.loads((gen_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_meta(gen_dir: Path, meta: dict) -> None:
    tmp = gen_dir / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, gen_dir / META_FILE)


def check_version(gen_dir: Path) -> None:
    meta = read_meta(gen_dir)
    found = meta.get("engine_version")
    if found != ENGINE_VERSION:
        raise IndexVersionError(
            f"the index at {gen_dir} was built by engine version {found or 'unknown'}, this program "
            f"reads version {ENGINE_VERSION}: run `news-indexer reindex` to rebuild it from the store "
            "(no re-crawl needed)")


def dictionary_note(gen_dir: Path) -> str | None:
    """What to run when the user dictionary changed since ``gen_dir`` was built, else None.

    Not an error: matching never depends on the dictionary, only the word
    (ranking) field of the articles indexed before the change does."""
    built = read_meta(gen_dir).get("userdict", "")
    now = userdict.fingerprint(userdict.DEFAULT_PATH)
    if built == now:
        return None
    return ("data/dict/userdict.txt changed since this index was built: queries use it now, "
            "and `news-indexer reindex` re-cuts the words of the articles already indexed "
            "(no re-crawl needed)")


#: Characters of attachment text kept in an article's stored document (for
#: snippets and the check of mixed clauses); all of it is indexed.
STORED_ATTACHMENT_CHARS = 50_000


def to_document(article: Article) -> dict:
    """What the index keeps of ``article``: the text fields it cuts into tokens,
    the column values it filters and counts on, and the fields a hit displays."""
    published = _parse_published(article.published)
    aid = article_id(article.url)
    attachments = indexed_attachments(article)
    stored = {"id": aid, "url": article.url, "site": article.site,
              "title": article.title, "body": article.body, "published_text": article.published,
              "department": article.department or "", "column": article.column or "",
              "source": article.source}
    if attachments:
        stored["attachments"] = _stored_attachments(attachments)
    return {
        "id": aid,
        "title": article.title,
        "body": article.body,
        "attach": attachment_text(attachments),
        "published": published,
        "year": str(published.year) if published else "",
        "department": article.department or "",
        "column": article.column or "",
        "site": article.site,
        "stored": stored,
    }


def indexed_attachments(article: Article) -> list[tuple[str, str]]:
    """(name, text) of the attachments indexed with ``article``: every one but a
    document shown in place of the text whose text is the body already."""
    return [(a.name or "", a.text or "") for a in article.attachments
            if not (a.embedded and a.text and a.text in article.body)]


def attachment_text(attachments: list[tuple[str, str]]) -> str:
    """The text of the attachments field: each one's name, then its text, a line
    apart (the stored document's ``attachments`` give the same text, cut)."""
    return "\n".join(f"{name}\n{text}" if text else name for name, text in attachments)


def _stored_attachments(attachments: list[tuple[str, str]]) -> list[list[str]]:
    """[name, text] of each, the texts cut to ``STORED_ATTACHMENT_CHARS`` in all."""
    out: list[list[str]] = []
    room = STORED_ATTACHMENT_CHARS
    for name, text in attachments:
        out.append([name, text[:room]])
        room = max(room - len(text), 0)
    return out


def _parse_published(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def _new_generation(data_dir: Path) -> Path:
    gens = data_dir / "indexes"
    gens.mkdir(parents=True, exist_ok=True)
    gen = gens / f"g{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 100000}"
    gen.mkdir()
    _create(gen)
    return gen


def _create(path: Path) -> None:
    """An empty index at ``path`` with its ``engine.json``."""
    tantivy.Index(make_schema(), path=str(path), reuse=False)
    _write_meta(path, {"engine_version": ENGINE_VERSION, "synced_seq": 0, "last_commit": None,
                       "userdict": userdict.fingerprint(userdict.DEFAULT_PATH)})


def exists(path: Path) -> bool:
    """Whether ``path`` holds an index (of any version)."""
    try:
        return path.is_dir() and tantivy.Index.exists(str(path))
    except (OSError, ValueError):
        return False


def _switch(data_dir: Path, gen: Path) -> None:
    """Point ``<data>/index`` at ``gen`` in one rename."""
    link = index_path(data_dir)
    tmp = data_dir / f".index-{os.getpid()}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(gen, data_dir), tmp)
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)  # a plain directory from an older layout
    os.replace(tmp, link)


def _prune(data_dir: Path, keep: int = 2) -> None:
    """Delete old generations, keeping the current one and the one before it
    (a reader may still hold it open)."""
    current = index_path(data_dir).resolve()
    gens = sorted((p for p in (data_dir / "indexes").glob("g*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    old = [g for g in gens if g.resolve() != current]
    for g in old[:-max(keep - 1, 0)] if keep > 1 else old:
        shutil.rmtree(g, ignore_errors=True)


def current_generation(data_dir: Path, create: bool = False) -> Path | None:
    link = index_path(data_dir)
    if link.exists() and (exists(link) or (link / META_FILE).exists()):
        return link.resolve()   # of another version, maybe: the caller's check_version says so
    if not create:
        return None
    gen = _new_generation(data_dir)
    _switch(data_dir, gen)
    return gen


WRITER_WAIT = 60.0   # seconds to wait for another writer of the same index


def _writer(ix: tantivy.Index, heap_mb: int, threads: int = 1) -> tantivy.IndexWriter:
    """The index's one writer, waiting up to ``WRITER_WAIT`` for another process
    to let go of it (the lock is released by the kernel when a holder dies)."""
    deadline = time.monotonic() + WRITER_WAIT
    while True:
        try:
            return ix.writer(heap_size=heap_mb * 1_000_000, num_threads=threads)
        except ValueError as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _apply(writer: tantivy.IndexWriter, article: Article | None, url: str) -> None:
    """Replace (or delete) the article's document: the delete comes first in
    the operation order, so it removes only the older copies."""
    writer.delete_documents_by_term("id", article_id(url))
    if article is not None:
        writer.add_document(to_tantivy(tokenise(to_document(article))))


def sync(store: Store, data_dir: Path, batch: int = 5000) -> SyncStats:
    """Apply every store change the index has not seen, ``batch`` changes a commit.
    (jieba loads only when there is something to index.) A change applied twice,
    after a crash between a commit and ``engine.json``, gives the same index."""
    gen = current_generation(data_dir, create=True)
    assert gen is not None
    check_version(gen)
    meta = read_meta(gen)
    stats = SyncStats(seq=int(meta.get("synced_seq", 0)))
    pending = list(_take(store, stats.seq, batch))
    if not pending:
        return stats
    ix = tantivy.Index.open(str(gen))
    writer = _writer(ix, heap_mb=128)
    try:
        while pending:
            for change in pending:
                _apply(writer, change.article, change.url)
                if change.article is None:
                    stats.deleted += 1
                else:
                    stats.added += 1
            writer.commit()
            stats.commits += 1
            stats.seq = pending[-1].seq
            meta.update(synced_seq=stats.seq, last_commit=_utcnow())
            _write_meta(gen, meta)
            pending = list(_take(store, stats.seq, batch))
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()
    return stats


def _take(store: Store, seq: int, n: int):
    for i, change in enumerate(store.changes_since(seq, batch=min(n, 1000))):
        if i >= n:
            return
        yield change


def rebuild(store: Store, data_dir: Path) -> SyncStats:
    """Build a fresh generation from the whole store and switch to it atomically."""
    init_jieba()
    gen = _new_generation(data_dir)
    seq = store.seq
    count = build_into(gen, store.articles())
    meta = read_meta(gen)
    meta.update(synced_seq=seq, last_commit=_utcnow())
    _write_meta(gen, meta)
    _switch(data_dir, gen)
    _prune(data_dir)
    # Changes made while the rebuild ran are applied by the next sync.
    return SyncStats(added=count, commits=1, seq=seq)


MP_MIN_DOCS = 1000   # a build of fewer articles stays in one process
BATCH = 32           # articles a worker tokenises per task


def build_procs() -> int:
    """Processes a full build tokenises with: every core, up to 4 (``NEWS_BUILD_PROCS``
    overrides; 1 tokenises in this process)."""
    env = os.environ.get("NEWS_BUILD_PROCS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _tokenise_batch(batch: list[Article]) -> list[dict]:
    return [tokenise(to_document(a)) for a in batch]


def _batches(items: Iterable, size: int):
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _tokenised(articles: Iterable[Article], procs: int):
    """The records of every article, in order: tokenised by ``procs`` worker
    processes (forked after jieba and the normalisation table are loaded), at
    most a few batches in flight so the store is read as fast as they go."""
    if procs <= 1:
        for a in articles:
            yield tokenise(to_document(a))
        return
    import multiprocessing
    from collections import deque
    init_jieba()
    normalise("")
    pending: deque = deque()
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        for batch in _batches(articles, BATCH):
            pending.append(pool.apply_async(_tokenise_batch, (batch,)))
            if len(pending) >= 4 * procs:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def build_into(gen: Path, articles: Iterable[Article], procs: int | None = None) -> int:
    """Add ``articles`` to the empty generation ``gen`` in one commit: worker
    processes tokenise, this one feeds tantivy's writer."""
    articles = iter(articles)
    head = list(islice(articles, MP_MIN_DOCS))
    if procs is None:
        procs = build_procs() if len(head) >= MP_MIN_DOCS else 1   # small builds: no fork
    ix = tantivy.Index.open(str(gen))
    writer = _writer(ix, heap_mb=256)
    n = 0
    try:
        for rec in _tokenised(chain(head, articles), procs):
            writer.add_document(to_tantivy(rec))
            n += 1
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()
    return n


def build_index(articles: Iterable[Article], index_dir: Path) -> int:
    """Build a standalone index of ``articles`` at ``index_dir`` (tests, tools)."""
    init_jieba()
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    _create(index_dir)
    n = build_into(index_dir, articles)
    meta = read_meta(index_dir)
    meta.update(last_commit=_utcnow())
    _write_meta(index_dir, meta)
    return n


def _utcnow() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
