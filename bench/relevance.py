"""Relevance: this engine against what college sites ship, with numbers.

Three systems over the demo college site, crawled by the real crawler:

like    what a college CMS ships: ``LIKE '%word%'`` on title or body for every
        word (ANDed), newest first. Quotes and operators are dropped, ``-word``
        excludes, ``title:`` searches titles, the same filters as the others.
stock   Whoosh with jieba's stock ``ChineseAnalyzer`` on ``title`` and ``body``,
        ``MultifieldParser`` with default settings (BM25F, AND of terms); a query
        the parser rejects returns nothing.
engine  this engine (:class:`indexer.search.SearchEngine`) over the tantivy index
        that ``news-indexer update --engine tantivy`` built, through its public
        ``search`` call.
whoosh  the same, over a Whoosh index of the same store (``--engines``: the
        other engines measured this way; the same plan, so the same matches,
        with each engine's own BM25).

Measures (computed by ``ir-measures`` over the graded judgments in
``data/eval/``): ``nDCG@10`` (gains 0–3), ``MRR@10`` (``RR(rel=2)@10``: the
first result that is relevant, grade 2 or more), ``recall@100``
(``R(rel=1)@100``); and two that need no judgments:

substring_recall   for ``--substrings`` strings of 2–8 Chinese characters
                   sampled (seeded) from the corpus, the share of the articles
                   containing the string (after normalisation) that the system
                   returns for it, micro-averaged.
phrase_exactness   for every quoted query (the judged ones and the sampled
                   strings, quoted), the share of returned articles whose
                   normalised title or body contains the phrase verbatim.

    .venv/bin/python bench/relevance.py                # table, then one JSON line
    .venv/bin/python bench/relevance.py --pool         # list pooled docs that lack a judgment
    .venv/bin/python bench/relevance.py --prototypes   # also score ranking variants

The last line printed is one JSON object:
``{"queries": N, "systems": {"like": {...}, "stock": {...}, "engine": {...}, "whoosh": {...}}}``.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import random
import re
import shutil
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indexer import paths  # noqa: E402
from indexer.analysis import normalise  # noqa: E402

EVAL_DIR = ROOT / "data" / "eval"
QUERIES = EVAL_DIR / "queries.toml"
QRELS = EVAL_DIR / "qrels.txt"
POOL_DEPTH = 20
TOP = 100

log = logging.getLogger("relevance")


# -- corpus ---------------------------------------------------------------------
@dataclass
class Doc:
    path: str
    title: str
    body: str
    published: str
    department: str | None
    column: str | None
    norm: str = ""

    def __post_init__(self) -> None:
        self.norm = normalise(self.title + "\n" + self.body)


def doc_path(url: str) -> str:
    """``http://host:port/info/1001/1234.htm`` → ``info/1001/1234.htm``."""
    return re.sub(r"^[a-z]+://[^/]+/", "", url)


def crawl(workdir: Path) -> tuple[Path, list[Doc]]:
    """Serve the demo site on loopback, run ``news-indexer update`` and
    ``export`` into ``workdir``; the data directory and the articles."""
    from indexer.cli import main
    from indexer.demosite import serve_in_thread
    server, url = serve_in_thread(paths.DEMO_SITE_DIR)
    data_dir = workdir / "data"
    out = workdir / "demo.jsonl"
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            logging.disable(logging.WARNING)
            try:
                main(["--data-dir", str(data_dir), "update", "--site", str(ROOT / "data/sites/demo.toml"),
                      "--base-url", url, "--quiet", "--engine", "tantivy"])  # exit 1: the demo site's one malformed page
                rc = main(["--data-dir", str(data_dir), "export", "--jsonl", "-o", str(out)])
            finally:
                logging.disable(logging.NOTSET)
        if rc != 0:
            raise SystemExit(f"news-indexer export failed with {rc}")
    finally:
        server.shutdown()
        server.server_close()
    return data_dir, load_docs(out)


def other_engine_index(data_dir: Path, workdir: Path, engine: str) -> Path:
    """An index of ``engine`` over the crawl's store, built beside it."""
    from indexer.index import build_index
    from indexer.store import Store
    target = workdir / f"index-{engine}"
    with Store(paths.store_path(data_dir)) as store:
        build_index(store.articles(), target, engine=engine)
    return target


def load_docs(jsonl: Path) -> list[Doc]:
    docs = []
    for line in jsonl.read_text(encoding="utf-8").splitlines():
        if line.strip():
            a = json.loads(line)
            docs.append(Doc(doc_path(a["url"]), a["title"], a.get("body") or "", a.get("published") or "",
                            a.get("department"), a.get("column")))
    return docs


# -- queries and judgments --------------------------------------------------------
@dataclass
class Spec:
    id: str
    query: str
    kind: str
    need: str
    title_only: bool = False
    date_from: date | None = None
    date_to: date | None = None
    departments: tuple[str, ...] = ()

    def allows(self, d: Doc) -> bool:
        """The filters, applied the same way to every system."""
        day = d.published[:10]
        if self.date_from and (not day or day < self.date_from.isoformat()):
            return False
        if self.date_to and (not day or day > self.date_to.isoformat()):
            return False
        if self.departments and d.department not in self.departments:
            return False
        return True


def load_specs(path: Path = QUERIES) -> list[Spec]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    specs = []
    for q in data["query"]:
        f = q.get("filters", {})
        specs.append(Spec(q["id"], q["query"], q["kind"], q["need"], bool(f.get("title_only", False)),
                          _day(f.get("date_from")), _day(f.get("date_to")), tuple(f.get("departments", ()))))
    return specs


def _day(v) -> date | None:
    if v is None or isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def load_qrels(path: Path = QRELS) -> dict[str, dict[str, int]]:
    """TREC qrels: ``qid 0 path grade`` per line; ``#`` starts a comment."""
    out: dict[str, dict[str, int]] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            qid, _, doc, grade = line.split()
            out.setdefault(qid, {})[doc] = int(grade)
    return out


# -- the systems -------------------------------------------------------------------
Searcher = Callable[[Spec, str, int], list[str]]   # (spec, query text, limit) -> ranked paths

_OPS = {"and", "or", "not", "AND", "OR", "NOT", "|", "&"}
_QUOTE_CHARS = "\"“”「」『』"


class LikeSystem:
    """``WHERE (title LIKE '%w1%' OR body LIKE '%w1%') AND … ORDER BY published DESC``.

    SQLite's LIKE folds ASCII case only; there is no other normalisation."""

    name = "like"

    def __init__(self, docs: list[Doc]) -> None:
        self.docs = sorted(docs, key=lambda d: d.published, reverse=True)
        self.low = {d.path: (d.title.lower(), (d.title + "\n" + d.body).lower()) for d in docs}

    def __call__(self, spec: Spec, text: str, limit: int) -> list[str]:
        text = "".join(" " if c in _QUOTE_CHARS else c for c in text)
        need, avoid = [], []
        for tok in text.split():
            if tok in _OPS:
                continue
            title = spec.title_only
            neg = tok.startswith("-")
            tok = tok.lstrip("-")
            if tok.startswith("title:"):
                title, tok = True, tok[6:]
            if tok:
                (avoid if neg else need).append((tok.lower(), title))
        if not need:
            return []
        out = []
        for d in self.docs:
            if not spec.allows(d):
                continue
            t, tb = self.low[d.path]
            if all(w in (t if ti else tb) for w, ti in need) and not any(w in (t if ti else tb) for w, ti in avoid):
                out.append(d.path)
                if len(out) >= limit:
                    break
        return out


class StockSystem:
    """Whoosh + ``jieba.analyse.ChineseAnalyzer``, default parser and scoring."""

    name = "stock"

    def __init__(self, docs: list[Doc], workdir: Path) -> None:
        import jieba
        from jieba.analyse import ChineseAnalyzer
        from whoosh import index as windex
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.qparser import MultifieldParser, QueryParser
        import jieba.analyse.analyzer as stock_analyzer
        jieba.setLogLevel(logging.WARNING)
        # jieba's own dictionary only: this process has loaded data/dict/userdict.txt
        # into jieba's default tokenizer for the engine, and the stock set-up has no such file.
        plain = jieba.Tokenizer()
        plain.initialize()
        stock_analyzer.jieba = SimpleNamespace(tokenize=plain.tokenize)
        d = workdir / "stock-index"
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        an = ChineseAnalyzer()
        schema = Schema(path=ID(stored=True, unique=True), title=TEXT(stored=True, analyzer=an),
                        body=TEXT(stored=True, analyzer=an))
        self.ix = windex.create_in(str(d), schema)
        w = self.ix.writer()
        for doc in docs:
            w.add_document(path=doc.path, title=doc.title, body=doc.body)
        w.commit()
        self.by_path = {doc.path: doc for doc in docs}
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)
        self.title_parser = QueryParser("title", self.ix.schema)
        self.searcher = self.ix.searcher()

    def __call__(self, spec: Spec, text: str, limit: int) -> list[str]:
        try:
            q = (self.title_parser if spec.title_only else self.parser).parse(text)
            hits = self.searcher.search(q, limit=None)
        except Exception:  # noqa: BLE001 - a parser error is an empty answer
            return []
        out = []
        for h in hits:
            d = self.by_path[h["path"]]
            if spec.allows(d):
                out.append(d.path)
                if len(out) >= limit:
                    break
        return out

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


class EngineSystem:
    """This engine, through :meth:`SearchEngine.search`, page by page."""

    name = "engine"

    def __init__(self, index_dir: Path) -> None:
        from indexer.search import SearchEngine
        self.engine = SearchEngine(index_dir)

    def __call__(self, spec: Spec, text: str, limit: int) -> list[str]:
        from indexer.results import Query
        out: list[str] = []
        page = 1
        while len(out) < limit:
            res = self.engine.search(Query(text=text, title_only=spec.title_only, date_from=spec.date_from,
                                           date_to=spec.date_to, departments=spec.departments,
                                           size=50, page=page))
            out.extend(doc_path(h.url) for h in res.hits)
            if not res.hits or page * 50 >= res.total:
                break
            page += 1
        return out[:limit]

    def close(self) -> None:
        self.engine.close()


# -- measuring ----------------------------------------------------------------------
MEASURES = {"ndcg@10": "nDCG@10", "mrr@10": "RR(rel=2)@10", "recall@100": "R(rel=1)@100"}


def run_all(system: Searcher, specs: list[Spec], limit: int = TOP) -> dict[str, list[str]]:
    return {s.id: system(s, s.query, limit) for s in specs}


def judged_scores(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean of each measure over the judged queries; a query a system answers
    with nothing scores 0 (ir-measures would leave it out)."""
    return {k: round(sum(v.values()) / len(v), 4) if v else 0.0
            for k, v in ((k, per_query(run, qrels, m)) for k, m in MEASURES.items())}


def per_query(run: dict[str, list[str]], qrels: dict[str, dict[str, int]], measure: str = "nDCG@10") -> dict[str, float]:
    import ir_measures
    from ir_measures import Qrel, ScoredDoc
    qs = [Qrel(q, d, g) for q, docs in qrels.items() for d, g in docs.items()]
    rs = [ScoredDoc(q, d, float(len(docs) - i)) for q, docs in run.items() for i, d in enumerate(docs)]
    per = {r.query_id: r.value for r in ir_measures.iter_calc([ir_measures.parse_measure(measure)], qs, rs)}
    return {q: per.get(q, 0.0) for q, docs in qrels.items() if any(g > 0 for g in docs.values())}


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def sample_substrings(docs: list[Doc], n: int, seed: int) -> list[str]:
    """``n`` distinct strings of 2–8 Chinese characters, each cut from a random
    place in a random article (title or body)."""
    rng = random.Random(seed)
    out: list[str] = []
    seen = set()
    tries = 0
    while len(out) < n and tries < n * 50:
        tries += 1
        d = rng.choice(docs)
        runs = _HAN_RUN.findall(normalise(d.title if rng.random() < 0.2 else d.body))
        if not runs:
            continue
        run = rng.choice(runs)
        k = rng.randint(2, min(8, len(run)))
        i = rng.randint(0, len(run) - k)
        s = run[i:i + k]
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def substring_recall(system: Searcher, docs: list[Doc], strings: list[str]) -> float:
    spec = Spec("sub", "", "substring", "")
    found = total = 0
    for s in strings:
        truth = {d.path for d in docs if s in d.norm}
        got = set(system(spec, s, len(docs)))
        total += len(truth)
        found += len(truth & got)
    return round(found / total, 4) if total else 1.0


def phrase_exactness(system: Searcher, docs: list[Doc], specs: list[Spec], strings: list[str]) -> float:
    """Share of hits of quoted queries that contain every quoted phrase verbatim."""
    by_path = {d.path: d for d in docs}
    checks: list[tuple[Spec, str, list[str]]] = []
    for s in specs:
        phrases = [p for p in re.findall(r'"([^"]+)"', s.query) if p.strip()]
        negated = re.findall(r'-"([^"]+)"', s.query)
        phrases = [p for p in phrases if p not in negated]
        if phrases and " OR " not in s.query and "|" not in s.query:
            checks.append((s, s.query, phrases))
    plain = Spec("phrase", "", "phrase", "")
    checks += [(plain, f'"{p}"', [p]) for p in strings]
    good = total = 0
    for spec, text, phrases in checks:
        for path in system(spec, text, TOP):
            total += 1
            good += all(normalise(p) in by_path[path].norm for p in phrases)
    return round(good / total, 4) if total else 1.0


# -- pooling ------------------------------------------------------------------------
def unjudged(runs: dict[str, dict[str, list[str]]], qrels: dict[str, dict[str, int]],
             depth: int = POOL_DEPTH) -> dict[str, list[tuple[str, list[str]]]]:
    """Per query, the documents in the top ``depth`` of any system that have no
    judgment yet, with the systems that returned them."""
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for name, run in runs.items():
        for qid, docs in run.items():
            for d in docs[:depth]:
                if d not in qrels.get(qid, {}):
                    lst = out.setdefault(qid, [])
                    for entry in lst:
                        if entry[0] == d:
                            entry[1].append(name)
                            break
                    else:
                        lst.append((d, [name]))
    return out


def write_pool(out: Path, runs: dict[str, dict[str, list[str]]], specs: list[Spec], docs: list[Doc]) -> None:
    """The documents to judge per query: the top ``POOL_DEPTH`` of every
    system, and every article (within the filters) that contains one of the
    query's clauses, a synonym of one (``data/dict/synonyms.txt``, so the
    synonym prototype is judged too), or what an abbreviation stands for, so recall@100 is
    measured against all that a reader could want, not only what was found."""
    from indexer import synonyms
    from indexer.querylang import parse
    sys.path.insert(0, str(EVAL_DIR))
    import judge  # noqa: PLC0415  (data/eval/judge.py)
    pool: dict[str, list[str]] = {}
    for s in specs:
        parsed = parse(s.query)
        needles = [c.text for g in parsed.groups for c in g] + judge.EXTRA_NEEDLES.get(s.id, [])
        needles += [alt for g in parsed.groups for c in g if not c.phrase for alt in synonyms.expand(c.text)]
        cand: list[str] = []
        for run in runs.values():
            cand.extend(p for p in run[s.id][:POOL_DEPTH] if p not in cand)
        cand.extend(d.path for d in docs if d.path not in cand and s.allows(d)
                    and any(normalise(x) in d.norm for x in needles))
        pool[s.id] = cand
    out.write_text(json.dumps(pool, ensure_ascii=False, indent=0), encoding="utf-8")


# -- main ---------------------------------------------------------------------------
def evaluate(opt: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="relevance-"))
    try:
        data_dir, docs = crawl(workdir)
        print(f"corpus: {len(docs)} articles crawled from the demo site", file=sys.stderr)
        if opt.export:
            shutil.copy(workdir / "demo.jsonl", opt.export)
        specs = load_specs()
        qrels = load_qrels()
        paths_now = {d.path for d in docs}
        stale = sorted({d for q in qrels.values() for d in q} - paths_now)
        if stale:
            print(f"warning: {len(stale)} judged paths are not in the corpus (e.g. {stale[:3]})", file=sys.stderr)
        systems: dict[str, Searcher] = {"like": LikeSystem(docs), "stock": StockSystem(docs, workdir),
                                        "engine": EngineSystem(data_dir / "index")}
        others = [e for e in opt.engines.split(",") if e.strip() and e.strip() != "tantivy"]
        for name in others:
            systems[name] = EngineSystem(other_engine_index(data_dir, workdir, name.strip()))
        runs = {name: run_all(sys_, specs) for name, sys_ in systems.items()}
        if opt.write_pool:
            write_pool(Path(opt.write_pool), runs, specs, docs)
            print(f"pool written to {opt.write_pool}", file=sys.stderr)
            return {"unjudged": 0}
        if opt.pool:
            missing = unjudged(runs, qrels)
            by_path = {d.path: d for d in docs}
            n = 0
            for s in specs:
                for path, who in missing.get(s.id, []):
                    d = by_path[path]
                    print(f"{s.id}\t{s.query}\t{path}\t{','.join(who)}\t{d.published[:10]}\t{d.title}")
                    n += 1
            print(f"{n} pooled documents lack a judgment", file=sys.stderr)
            return {"unjudged": n}
        strings = sample_substrings(docs, opt.substrings, opt.seed)
        result: dict = {"queries": len(specs), "systems": {}}
        for name, sys_ in systems.items():
            m = judged_scores(runs[name], qrels)
            m["substring_recall"] = substring_recall(sys_, docs, strings)
            if name not in ("like",) or opt.all_exactness:
                m["phrase_exactness"] = phrase_exactness(sys_, docs, specs, strings[: opt.phrases])
            result["systems"][name] = m
        result["didyoumean"] = didyoumean_eval(data_dir / "index", docs, specs, opt.seed)
        pooled = {k: v for k, v in runs.items() if k in ("like", "stock", "engine")}
        missing = unjudged(pooled, qrels)
        result["unjudged_pooled"] = sum(len(v) for v in missing.values())
        for name in others:   # judged from the pool above: what the other engines' top 20 hold beyond it
            result[f"unjudged_{name}"] = sum(len(v) for v in unjudged({name: runs[name]}, qrels).values())
        if opt.prototypes:
            result["prototypes"] = prototypes(workdir, data_dir, docs, specs, qrels)
        if opt.per_kind:
            result["per_kind"] = {name: by_kind(specs, per_query(runs[name], qrels)) for name in runs}
        if opt.worst:
            eng = per_query(runs["engine"], qrels)
            for q in sorted(eng, key=eng.get)[: opt.worst]:
                s = next(x for x in specs if x.id == q)
                print(f"worst {q} {eng[q]:.3f} {s.query} top={runs['engine'][q][:5]}", file=sys.stderr)
        for sys_ in systems.values():
            close = getattr(sys_, "close", None)
            if close:
                close()
        return result
    finally:
        if not opt.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}", file=sys.stderr)


def by_kind(specs: list[Spec], per: dict[str, float]) -> dict[str, float]:
    acc: dict[str, list[float]] = {}
    for s in specs:
        if s.id in per:
            acc.setdefault(s.kind, []).append(per[s.id])
    return {k: round(sum(v) / len(v), 3) for k, v in sorted(acc.items())}


# -- did you mean -------------------------------------------------------------------
def didyoumean_eval(index_dir: Path, docs: list[Doc], specs: list[Spec], seed: int) -> dict:
    """Input-method slips and pinyin made from the evaluation queries' own words:
    for each unquoted Chinese clause, one character swapped for another of the
    same sound that the corpus uses (seeded), and the clause typed in pinyin.
    ``homophone_fixed`` / ``pinyin_fixed``: the share for which the suggestion
    is the clause; ``false_suggestions``: the share of correct clauses that get
    a suggestion at all. Built from the index's own word field."""
    import unicodedata
    from pypinyin import lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict
    from indexer.search import SearchEngine
    from indexer.querylang import parse

    def toneless(code: int) -> str:
        first = pinyin_dict.get(code, "").split(",")[0]
        return "".join(c for c in unicodedata.normalize("NFD", first) if not unicodedata.combining(c))

    used = {c for d in docs for c in d.norm if "\u4e00" <= c <= "\u9fff"}
    by_sound: dict[str, list[str]] = {}
    for c in sorted(used):
        by_sound.setdefault(toneless(ord(c)), []).append(c)
    clauses = sorted({c.text for sp in specs for g in parse(sp.query).groups for c in g
                      if not c.phrase and len(c.text) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in c.text)})
    engine = SearchEngine(index_dir)
    dym = engine.did_you_mean()
    engine.close()
    def exists(text: str) -> int:   # what the engine's phrase count answers (substring recall is 100 %)
        return sum(text in d.norm for d in docs)

    rng = random.Random(seed)
    slips = 0
    fixed = {"": 0, "verified": 0}
    pin_fixed = {"": 0, "verified": 0}
    false = {"": 0, "verified": 0}
    for word in clauses:
        spots = [i for i, ch in enumerate(word) if len(by_sound.get(toneless(ord(ch)), [])) > 1]
        slip = None
        if spots:
            i = rng.choice(spots)
            slip = word[:i] + rng.choice([c for c in by_sound[toneless(ord(word[i]))] if c != word[i]]) + word[i + 1:]
            slips += 1
        for mode, check in (("", None), ("verified", exists)):
            false[mode] += dym.suggest(word, check) is not None
            pin_fixed[mode] += dym.suggest("".join(lazy_pinyin(word)), check) == word
            if slip:
                fixed[mode] += dym.suggest(slip, check) == word
    n = len(clauses)
    out: dict = {"words": n, "slips": slips}
    for mode in ("", "verified"):
        sfx = "_" + mode if mode else ""
        out["homophone_fixed" + sfx] = round(fixed[mode] / slips, 4) if slips else None
        out["pinyin_fixed" + sfx] = round(pin_fixed[mode] / n, 4) if n else None
        out["false_suggestions" + sfx] = round(false[mode] / n, 4) if n else None
    return out


# -- ranking prototypes ------------------------------------------------------------
# Each variant patches :mod:`indexer.plan` or :mod:`indexer.search` in this
# process only (the modules are not edited) and is scored like the systems above. They show, with numbers,
# which changes to the engine's ranking are worth making.

@contextlib.contextmanager
def patched(module, **changes):
    """Set attributes of ``module`` for the duration."""
    old = {k: getattr(module, k) for k in changes}
    try:
        for k, v in changes.items():
            setattr(module, k, v)
        yield
    finally:
        for k, v in old.items():
            setattr(module, k, v)


class _NoProximity:
    """Stands in for :mod:`indexer.proximity`: no article moves up for its words standing together."""
    RERANK = 0

    @staticmethod
    def factor(title: str, body: str, groups: list) -> float:
        return 1.0


def prototypes(workdir: Path, data_dir: Path, docs: list[Doc], specs: list[Spec], qrels: dict) -> dict:
    """Ranking changes tried on the same index and queries, without changing the engine."""
    from indexer import plan, search
    variants: list[tuple[str, object, dict]] = [
        ("title2", plan, {"TITLE_BOOST": 2.0}),
        ("title5", plan, {"TITLE_BOOST": 5.0}),
        ("nosyn", plan, {"alternatives": lambda clause: []}),
        ("noprox", search, {"proximity": _NoProximity}),
    ]
    out: dict[str, dict] = {}
    for name, module, changes in variants:
        with patched(module, **changes):
            system = EngineSystem(data_dir / "index")
            run = run_all(system, specs)
            out[name] = judged_scores(run, qrels)
            out[name]["unjudged@20"] = sum(len(v) for v in unjudged({name: run}, qrels).values())
            system.close()
    return out


def table(result: dict) -> str:
    cols = ["ndcg@10", "mrr@10", "recall@100", "substring_recall", "phrase_exactness"]
    lines = [f"{'system':<10}" + "".join(f"{c:>18}" for c in cols)]
    for name, m in result["systems"].items():
        lines.append(f"{name:<10}" + "".join(f"{m[c]:>18.4f}" if c in m else f"{'-':>18}" for c in cols))
    for name, m in result.get("prototypes", {}).items():
        lines.append(f"{name:<10}" + "".join(f"{m[c]:>18.4f}" if c in m else f"{'-':>18}" for c in cols))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pool", action="store_true", help="list pooled documents that lack a judgment, then stop")
    ap.add_argument("--write-pool", metavar="FILE", help="write the documents to judge per query (JSON) and stop")
    ap.add_argument("--export", metavar="FILE", help="also copy the crawled articles (JSONL) to FILE")
    ap.add_argument("--substrings", type=int, default=300, help="sampled strings for substring recall")
    ap.add_argument("--phrases", type=int, default=100, help="of those, how many are also run quoted")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--prototypes", action="store_true", help="also score ranking variants of the engine")
    ap.add_argument("--per-kind", action="store_true", help="nDCG@10 per query kind")
    ap.add_argument("--worst", type=int, default=0, help="print the engine's N worst queries")
    ap.add_argument("--all-exactness", action="store_true", help="phrase exactness for the LIKE baseline too")
    ap.add_argument("--keep", action="store_true", help="keep the temporary crawl")
    ap.add_argument("--engines", default="whoosh",
                    help="other engines to score over the same store, comma-separated (default: whoosh; '' for none)")
    opt = ap.parse_args(argv)
    result = evaluate(opt)
    if opt.pool or opt.write_pool:
        return 1 if result["unjudged"] else 0
    print(table(result))
    if "didyoumean" in result:
        print("did you mean: " + " ".join(f"{k}={v}" for k, v in result["didyoumean"].items()))
    if "per_kind" in result:
        for name, kinds in result["per_kind"].items():
            print(f"{name:<10} " + " ".join(f"{k}={v:.3f}" for k, v in kinds.items()))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
