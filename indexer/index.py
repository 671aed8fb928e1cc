"""Keeping the search index (of any engine, :mod:`indexer.engines`) in step with the crawl store.

The index directory ``<data>/index`` is a symbolic link to one *generation*
under ``<data>/indexes/``. ``sync`` applies the store's changes to the current
generation in one commit (or one per bounded batch on a large first crawl);
``rebuild`` writes a whole new generation from the store and switches the link
atomically, so readers see the old index or the new, never half.

Beside each generation, ``engine.json`` records the engine that wrote it, the
analysis and schema versions it was built with and the store sequence number it
has applied. A generation is of one engine: ``sync`` goes on with the current
generation's, and ``rebuild`` (``news-indexer reindex --engine …``) is how an
index moves to another.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import chain, islice
from pathlib import Path

from indexer import engines, userdict, vocabulary
from indexer.analysis import ANALYSIS_VERSION, init_jieba, normalise
from indexer.article import Article
from indexer.documents import record
from indexer.engines import Engine
from indexer.ids import article_id
from indexer.paths import index_path
from indexer.store import Store

META_FILE = "engine.json"
LEGACY_ENGINE = "tantivy"   # an engine.json written before it named its engine

log = logging.getLogger(__name__)


class IndexVersionError(Exception):
    """The index on disk was built by another engine, other analyzers or another schema."""


@dataclass
class SyncStats:
    added: int = 0
    deleted: int = 0
    commits: int = 0
    seq: int = 0
    engine: str = ""


def engine_version(engine: Engine) -> str:
    """What an index must have been built with for this program to read it."""
    return f"a{ANALYSIS_VERSION}.s{engine.schema_version}"


def read_meta(gen_dir: Path) -> dict:
    try:
        return json.loads((gen_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_meta(gen_dir: Path, meta: dict) -> None:
    tmp = gen_dir / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, gen_dir / META_FILE)


def engine_name(gen_dir: Path) -> str:
    """The name of the engine that wrote ``gen_dir``."""
    return read_meta(gen_dir).get("engine") or LEGACY_ENGINE


def engine_of(gen_dir: Path) -> Engine:
    """The engine of the generation ``gen_dir``, its versions checked."""
    name = engine_name(gen_dir)
    try:
        engine = engines.get(name)
    except engines.UnknownEngine:
        raise IndexVersionError(
            f"the index at {gen_dir} was built by the engine {name!r}, which this program does not have: "
            f"run `news-indexer reindex --engine {engines.DEFAULT}` to rebuild it from the store "
            "(no re-crawl needed)") from None
    check_version(gen_dir, engine)
    return engine


def check_version(gen_dir: Path, engine: Engine | None = None) -> None:
    meta = read_meta(gen_dir)
    engine = engine or engines.get(meta.get("engine") or LEGACY_ENGINE)
    found, wanted = meta.get("engine_version"), engine_version(engine)
    if found != wanted:
        raise IndexVersionError(
            f"the index at {gen_dir} was built by {engine.name} engine version {found or 'unknown'}, this "
            f"program reads version {wanted}: run `news-indexer reindex` to rebuild it from the store "
            "(no re-crawl needed)")


def expect_engine(gen_dir: Path, name: str) -> None:
    """Refuse to read ``gen_dir`` as the engine ``name`` when another engine wrote it."""
    found = engine_name(gen_dir)
    if found != name:
        raise IndexVersionError(
            f"the index at {gen_dir} is a {found} index, not a {name} one: run "
            f"`news-indexer reindex --engine {name}` to build a {name} index from the store, "
            f"or open it as {found}")


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


def _new_generation(data_dir: Path, engine: Engine | None = None) -> Path:
    engine = engine or engines.get(engines.chosen(data_dir=data_dir))
    gens = data_dir / "indexes"
    gens.mkdir(parents=True, exist_ok=True)
    gen = gens / f"g{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 100000}"
    gen.mkdir()
    _create(gen, engine)
    return gen


def _create(path: Path, engine: Engine) -> None:
    """An empty index of ``engine`` at ``path`` with its ``engine.json``."""
    engine.create(path)
    _write_meta(path, {"engine": engine.name, "engine_version": engine_version(engine),
                       "library_version": engine.library_version(), "synced_seq": 0, "last_commit": None,
                       "userdict": userdict.fingerprint(userdict.DEFAULT_PATH)})


def exists(path: Path) -> bool:
    """Whether ``path`` holds an index (of the engine its ``engine.json`` names)."""
    try:
        return path.is_dir() and engines.get(engine_name(path)).exists(path)
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
        _drop(g)
        shutil.rmtree(g, ignore_errors=True)


def _drop(gen: Path) -> None:
    """Remove what an old generation holds outside its directory (a cluster's index)."""
    try:
        drop = getattr(engines.get(engine_name(gen)), "drop", None)
        if drop is not None:
            drop(gen)
    except Exception:   # noqa: BLE001 - an old generation never stops a rebuild
        pass


def current_generation(data_dir: Path, create: bool = False, engine: str | None = None) -> Path | None:
    """The generation ``<data>/index`` points at; with ``create``, a new empty one
    of ``engine`` (:func:`engines.chosen`) when there is none."""
    link = index_path(data_dir)
    if link.exists() and (exists(link) or (link / META_FILE).exists()):
        return link.resolve()   # of another version, maybe: the caller's check_version says so
    if not create:
        return None
    gen = _new_generation(data_dir, engines.get(engines.chosen(engine, data_dir)))
    _switch(data_dir, gen)
    return gen


WRITER_WAIT = 60.0   # seconds to wait for another writer of the same index


def check_available(data_dir: Path) -> None:
    """Raise :class:`engines.EngineUnavailable` when the current index's engine
    cannot take writes now (a cluster down): checked before a crawl, so a run
    that cannot index touches nothing."""
    gen = current_generation(data_dir)
    if gen is None:
        return
    check = getattr(engine_of(gen), "check", None)
    if check is not None:
        check(gen)


def sync(store: Store, data_dir: Path, batch: int = 5000, engine: str | None = None) -> SyncStats:
    """Apply every store change the index has not seen, ``batch`` changes a commit,
    to the current generation (a new one of ``engine`` when there is none).
    (jieba loads only when there is something to index.) A change applied twice,
    after a crash between a commit and ``engine.json``, gives the same index."""
    gen = current_generation(data_dir, create=True, engine=engine)
    assert gen is not None
    eng = engine_of(gen)
    meta = read_meta(gen)
    stats = SyncStats(seq=int(meta.get("synced_seq", 0)), engine=eng.name)
    pending = list(_take(store, stats.seq, batch))
    if not pending:
        return stats
    writer = eng.writer(gen, heap_mb=128, wait=WRITER_WAIT)
    try:
        while pending:
            for change in pending:
                article = change.article
                writer.replace(article_id(change.url), record(article) if article is not None else None)
                if article is None:
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
        writer.close()
    refresh_vocabulary(gen, stats.seq)
    return stats


def refresh_vocabulary(gen: Path, seq: int, force: bool = False) -> vocabulary.VocabularyStats:
    """Rewrite the did-you-mean vocabulary of ``gen`` (:mod:`indexer.vocabulary`)
    after a commit, when it is due (always with ``force``). Never raises: the
    commit is done whatever becomes of its vocabulary."""
    try:
        reader = engine_of(gen).open(gen)
    except Exception as exc:   # noqa: BLE001 - logged; the next commit tries again
        log.warning("the did-you-mean vocabulary of %s is not rewritten: %s", gen, exc)
        return vocabulary.VocabularyStats()
    try:
        return vocabulary.refresh(gen, reader.snapshot(), seq, force=force)
    except Exception as exc:   # noqa: BLE001
        log.warning("the did-you-mean vocabulary of %s is not rewritten: %s", gen, exc)
        return vocabulary.VocabularyStats()
    finally:
        reader.close()


def _take(store: Store, seq: int, n: int):
    for i, change in enumerate(store.changes_since(seq, batch=min(n, 1000))):
        if i >= n:
            return
        yield change


def rebuild(store: Store, data_dir: Path, engine: str | None = None) -> SyncStats:
    """Build a fresh generation from the whole store and switch to it atomically.
    ``engine``: the engine of the new generation (default: the current one's,
    else :func:`engines.chosen`)."""
    if not engines.asked(engine, data_dir):
        current = current_generation(data_dir)
        engine = engine_name(current) if current is not None else None
    eng = engines.get(engines.chosen(engine, data_dir))
    init_jieba()
    gen = _new_generation(data_dir, eng)
    seq = store.seq
    count = build_into(gen, store.articles(), seq=seq)
    meta = read_meta(gen)
    meta.update(synced_seq=seq, last_commit=_utcnow())
    _write_meta(gen, meta)
    _switch(data_dir, gen)
    publish = getattr(eng, "publish", None)
    if publish is not None:
        publish(gen)   # a cluster's alias now names the new index, for its other clients
    _prune(data_dir)
    # Changes made while the rebuild ran are applied by the next sync.
    return SyncStats(added=count, commits=1, seq=seq, engine=eng.name)


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
    return [record(a) for a in batch]


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
            yield record(a)
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


def build_into(gen: Path, articles: Iterable[Article], procs: int | None = None, seq: int = 0) -> int:
    """Add ``articles`` (the store at sequence ``seq``) to the empty generation
    ``gen`` in one commit, and write its vocabulary: worker processes tokenise,
    this one feeds the engine's writer."""
    articles = iter(articles)
    head = list(islice(articles, MP_MIN_DOCS))
    if procs is None:
        procs = build_procs() if len(head) >= MP_MIN_DOCS else 1   # small builds: no fork
    engine = engine_of(gen)
    if getattr(engine, "writes_in_parallel", False):
        # the engine's own writer processes take the cores: tokenise here, feed them
        count = engine.build(gen, _tokenised(chain(head, articles), 1), procs=procs)
    else:
        count = engine.build(gen, _tokenised(chain(head, articles), procs), procs=procs)
    refresh_vocabulary(gen, seq, force=True)
    return count


def build_index(articles: Iterable[Article], index_dir: Path, engine: str | None = None) -> int:
    """Build a standalone index of ``articles`` at ``index_dir`` (tests, tools)."""
    init_jieba()
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    _create(index_dir, engines.get(engines.chosen(engine)))
    n = build_into(index_dir, articles)
    meta = read_meta(index_dir)
    meta.update(last_commit=_utcnow())
    _write_meta(index_dir, meta)
    return n


def _utcnow() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
