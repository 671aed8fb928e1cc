"""What the synthetic corpus learns from real college news, and whether it does.

    .venv/bin/python bench/calibrate.py learn            # ../shared + the demo site -> bench/corpus-model.json.gz
    .venv/bin/python bench/calibrate.py check --n 100000 # a synthetic corpus against the real one

``learn`` reads the real copies beside the repository (``../shared/real-sites/``
through their configurations in ``data/sites/examples/``, ``../shared/real-pages/``
through its manifest) and the bundled demo site, every article page through the
project's own extractor (:func:`indexer.extract.extract`), and writes the model
``bench/corpus.py`` generates from:

* every story once (a page whose text another URL of the same site already
  gave is counted as a repost, not stored twice): its site, column, department,
  source, date, and its title and body as the token sequence the project's
  analysis cuts (jieba precise mode over each run of Chinese characters, Latin
  and digit words whole, punctuation and spaces one character a token), so that
  joining the tokens gives the text back;
* a vocabulary of those tokens, with the analysis form of those it changes
  (full-width, case, traditional characters) and, for Chinese words, jieba's
  part-of-speech tag, or ``?`` for a word its dictionary does not know (mostly
  people's names): the generator replaces rare unknown words by variants as the
  corpus grows, and the query mix draws its words, names and phrases by tag;
* the share of URLs that repost another URL's story, and of stories that
  nearly repeat an earlier one as the index folds them (:mod:`indexer.stories`:
  the same title, or a SimHash of the text a few bits apart).

``check`` generates a corpus (in memory, nothing written) and compares it with
the real one: document frequencies of the 1,000 most frequent words and of
1,000 random mid-frequency ones (within 2x of the real share), and the share of
the corpus each query of the benchmark's mix matches (within 2x of what the
same query matches in the real stories). :func:`check` is what
``bench/perf.py`` prints as its calibration step.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
for _p in (str(ROOT), str(BENCH)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import corpus  # noqa: E402

CONFIG_DIR = ROOT / "data" / "sites" / "examples"
DEMO_DIR = ROOT / "data" / "demo-site"
DEMO_CONFIG = ROOT / "data" / "sites" / "demo.toml"
#: sentence ends, where the generator may swap one sentence for another
SENTENCE_ENDS = frozenset("。！？；!?;")


def shared_dir() -> Path | None:
    """``../shared`` beside the repository, where the real copies live (None when absent)."""
    here = ROOT.parent / "shared"
    return here if here.is_dir() else None


# -- reading the real copies -----------------------------------------------------------
@dataclass
class RealDoc:
    """One article page as the extractor read it."""
    site: str
    url: str
    title: str
    body: str
    published: str | None
    department: str | None
    source: str | None
    column: str | None
    fingerprint: str | None
    origin: str          # real-sites, real-pages or demo


def _host_of(base_url: str, site_id: str) -> str:
    """The host articles of a site are written under (a loopback demo gets a name of its own)."""
    host = (urlsplit(base_url).hostname or "").lower()
    if not host or host.replace(".", "").isdigit() or host == "localhost":
        return f"{site_id}.example.edu.cn"
    return host


def _pages(folder: Path, site) -> Iterator[tuple[str, bytes]]:
    """(url, bytes) of every saved page of ``folder`` that is an article by the site's pattern."""
    for f in sorted(folder.rglob("*")):
        if f.suffix.lower() not in (".htm", ".html") or not f.is_file():
            continue
        url = site.base_url + f.relative_to(folder).as_posix()
        if site.is_article_url(url):
            yield url, f.read_bytes()


def _read(url: str, data: bytes, site, site_id: str, origin: str) -> RealDoc | None:
    from indexer.article import ExtractError
    from indexer.extract import extract
    try:
        a = extract(url, data, site)
    except ExtractError:
        return None
    return RealDoc(site_id, url, a.title, a.body, a.published, a.department, a.source,
                   a.column or (site.column if site is not None else None), a.fingerprint, origin)


def site_copies(shared: Path) -> list[tuple[object, Path]]:
    """(site configuration, folder) of every copy in ``shared/real-sites`` that has one."""
    from indexer.sites import load_site
    out = []
    root = shared / "real-sites"
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        conf = CONFIG_DIR / f"{folder.name}.toml"
        if conf.is_file():
            out.append((load_site(conf), folder))
    return out


def read_real(shared: Path | None = None, log=None, only: set[str] | None = None) -> list[RealDoc]:
    """Every article of the real copies and the demo site, as the extractor reads
    them (``only``: just these site copies, no demo site and no single pages)."""
    from indexer.sites import load_site
    log = log or (lambda msg: None)
    shared = shared if shared is not None else shared_dir()
    docs: list[RealDoc] = []
    sources: list[tuple[object, Path, str]] = []
    if shared is not None:
        sources += [(site, folder, "real-sites") for site, folder in site_copies(shared)
                    if only is None or site.id in only]
    if DEMO_DIR.is_dir() and only is None:
        sources.append((load_site(DEMO_CONFIG), DEMO_DIR, "demo"))
    for site, folder, origin in sources:
        t0 = time.perf_counter()
        got = [d for url, data in _pages(folder, site) if (d := _read(url, data, site, site.id, origin))]
        docs += got
        log(f"calibrate: {site.id}: {len(got)} articles read in {time.perf_counter() - t0:.1f}s")
    if shared is not None and only is None and (shared / "real-pages" / "manifest.json").is_file():
        docs += _real_pages(shared / "real-pages", [s for s, _, _ in sources])
        log(f"calibrate: real-pages: {sum(d.origin == 'real-pages' for d in docs)} articles read")
    return docs


def _real_pages(folder: Path, sites: list) -> list[RealDoc]:
    """The pages of ``real-pages/manifest.json``, each read with the configuration of
    its host when there is one."""
    by_host = {(urlsplit(s.base_url).hostname or "").lower(): s for s in sites}
    out = []
    for entry in json.loads((folder / "manifest.json").read_text(encoding="utf-8")):
        url = entry["url"]
        host = (urlsplit(url).hostname or "").lower()
        site = by_host.get(host)
        site_id = site.id if site is not None else host.split(".")[-3] if host.count(".") >= 2 else host
        doc = _read(url, (folder / entry["file"]).read_bytes(), site, site_id, "real-pages")
        if doc is not None:
            out.append(doc)
    return out


# -- stories, reposts, near-duplicates ---------------------------------------------------
def stories_of(docs: list[RealDoc]) -> tuple[list[RealDoc], dict]:
    """Every story once, and the repost and near-duplicate shares.

    A page with the fingerprint of one already read on the same site is a repost
    (the store merges it into that story); a saved single page that repeats an
    article of a site copy is the same page twice and counts for nothing."""
    seen: dict[str | None, RealDoc] = {}
    stories: list[RealDoc] = []
    reposts = urls = 0
    for d in docs:
        first = seen.get(d.fingerprint) if d.fingerprint else None
        if first is not None:
            if d.origin != "real-pages" and first.site == d.site:
                reposts += 1
                urls += 1
            continue
        urls += 1
        if d.fingerprint:
            seen[d.fingerprint] = d
        stories.append(d)
    near = _near_duplicates(stories)
    return stories, {"urls": urls, "reposts": reposts, "repost_share": reposts / urls if urls else 0.0,
                     "near_duplicates": near, "near_share": near / len(stories) if stories else 0.0}


def signatures(docs: Iterable[tuple[str, str]]) -> list[tuple[str | None, int | None]]:
    """(title key, SimHash) of each (title, body), as the index folds near-duplicate
    stories (:mod:`indexer.stories`)."""
    from indexer import stories
    from indexer.analysis import gram_sequence
    out = []
    for title, body in docs:
        grams = Counter(gram_sequence(body))
        try:
            sim = stories.fingerprint(grams)
        except OverflowError:       # simhash keeps weights in a byte: a gram counted 256 times or more
            sim = stories.fingerprint({g: min(c, 255) for g, c in grams.items()})
        out.append((stories.title_key(title), int(sim, 16) if sim else None))
    return out


def near_figures(docs: list[tuple[str, str]]) -> dict:
    """How the index would fold ``docs`` (title, body) into stories: the share of
    stories folded with another, and the share that repeat an earlier one."""
    from indexer import stories
    groups = stories.fold(signatures(docs))
    n = len(docs) or 1
    return {"folded_share": sum(len(g) for g in groups if len(g) > 1) / n,
            "repeat_share": sum(len(g) - 1 for g in groups) / n}


def _near_duplicates(stories: list[RealDoc]) -> int:
    """Stories that repeat an earlier one as the index sees it: the same title, or
    a text a few bits of SimHash apart."""
    return round(near_figures([(d.title, d.body) for d in stories])["repeat_share"] * len(stories))


# -- tokens ---------------------------------------------------------------------------
def tokens_of(text: str) -> list[str]:
    """``text`` cut as the project's analysis cuts it, in the original characters:
    jieba words of each Chinese run, Latin/digit words whole, every other character
    a token of its own. ``"".join(tokens_of(t)) == t``."""
    import jieba

    from indexer import analysis
    analysis.init_jieba()
    norm = analysis.normalise(text)      # same length as text
    out: list[str] = []
    at = 0
    for han, s, e in analysis.runs(norm):
        out.extend(text[at:s])
        if han:
            k = s
            for w in jieba.cut(norm[s:e], HMM=True):
                out.append(text[k:k + len(w)])
                k += len(w)
        else:
            out.append(text[s:e])
        at = e
    out.extend(text[at:])
    return out


def word_tags(words: Iterable[str]) -> dict[str, str]:
    """jieba's part-of-speech tag of each Chinese word of two characters or more
    (from its dictionary, the word alone), ``?`` for a word the dictionary does not
    know: what its HMM made of a name it had never seen (李俊华, 蜀匠学堂)."""
    import jieba
    import jieba.posseg as pseg

    from indexer import analysis
    analysis.init_jieba()
    han = re.compile(r"^[\u4e00-\u9fff]{2,}$")
    out: dict[str, str] = {}
    for w in words:
        if not han.match(w):
            continue
        if not jieba.dt.FREQ.get(w):
            out[w] = "?"
            continue
        tagged = pseg.lcut(w, HMM=False)
        out[w] = tagged[0].flag if len(tagged) == 1 else "?"
    return out


# -- the model ------------------------------------------------------------------------
def build_model(docs: list[RealDoc], sites: dict[str, str]) -> dict:
    """The model ``bench/corpus.py`` reads, from the extracted articles.

    ``sites`` maps a site id to the host its synthetic articles are written under."""
    stories, dup = stories_of(docs)
    stories = _with_column(_dated(stories))
    counts: Counter[str] = Counter()
    cut: list[tuple[list[str], list[str]]] = []
    for d in stories:
        t, b = tokens_of(d.title), tokens_of(d.body)
        cut.append((t, b))
        counts.update(t)
        counts.update(b)
    vocab = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    ids = {w: i for i, w in enumerate(vocab)}
    from indexer.analysis import normalise
    norm = {i: n for i, w in enumerate(vocab) if (n := normalise(w)) != w}
    tags = word_tags(vocab)
    site_ids = list(dict.fromkeys(d.site for d in stories))
    columns = [c for c, _ in Counter(d.column for d in stories).most_common()]
    depts = [c for c, _ in Counter(d.department for d in stories if d.department).most_common()]
    outlets = [c for c, _ in Counter(d.source for d in stories if d.source).most_common()]
    rows = []
    for d, (t, b) in zip(stories, cut):
        rows.append([site_ids.index(d.site), columns.index(d.column),
                     depts.index(d.department) if d.department else -1,
                     outlets.index(d.source) if d.source else -1,
                     d.published, [ids[w] for w in t], [ids[w] for w in b]])
    return {
        "version": corpus.MODEL_VERSION,
        "made_from": dict(sorted(Counter(f"{d.origin}:{d.site}" for d in docs).items())),
        "stories": len(stories), "urls": dup["urls"], "repost_share": round(dup["repost_share"], 4),
        "near_share": round(dup["near_share"], 4),
        "sites": [{"id": s, "host": sites.get(s, f"{s}.example.edu.cn")} for s in site_ids],
        "columns": columns, "departments": depts, "sources": outlets,
        "vocab": vocab, "norm": {str(k): v for k, v in norm.items()},
        "tags": {str(ids[w]): t for w, t in sorted(tags.items(), key=lambda kv: ids[kv[0]])},
        "rows": rows,
    }


def _dated(stories: list[RealDoc]) -> list[RealDoc]:
    """Stories whose page shows no date take the date of another story of their site
    (the next dated one), so every synthetic article has a date as stored ones mostly do."""
    by_site: dict[str, list[str]] = {}
    for d in stories:
        if d.published:
            by_site.setdefault(d.site, []).append(d.published)
    every = [d.published for d in stories if d.published]
    for k, d in enumerate(stories):
        if not d.published:
            pool = by_site.get(d.site) or every
            d.published = pool[k % len(pool)]
    return stories


def _with_column(stories: list[RealDoc]) -> list[RealDoc]:
    """A story whose page names no column sits in its site's most common one."""
    common: dict[str, Counter[str]] = {}
    for d in stories:
        if d.column:
            common.setdefault(d.site, Counter())[d.column] += 1
    for d in stories:
        if not d.column:
            d.column = common[d.site].most_common(1)[0][0] if d.site in common else "新闻"
    return stories


def learn(shared: Path | None = None, out: Path = corpus.MODEL_PATH, log=print) -> dict:
    """Read the real copies and write the model; returns the model."""
    from indexer.sites import load_site
    shared = shared if shared is not None else shared_dir()
    docs = read_real(shared, log)
    sites = {s.id: _host_of(s.base_url, s.id) for s, _ in (site_copies(shared) if shared else [])}
    demo = load_site(DEMO_CONFIG)
    sites[demo.id] = _host_of(demo.base_url, demo.id)
    for d in docs:
        sites.setdefault(d.site, (urlsplit(d.url).hostname or f"{d.site}.example.edu.cn").lower())
    model = build_model(docs, sites)
    write_model(model, out)
    log(f"calibrate: {model['stories']} stories ({model['urls']} URLs, {model['repost_share']:.1%} reposts, "
        f"{model['near_share']:.1%} near-duplicates), {len(model['vocab'])} tokens; "
        f"{out.stat().st_size / 1e6:.2f} MB written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return model


def write_model(model: dict, path: Path) -> None:
    """The model as gzipped JSON, byte for byte the same for the same model (no timestamp)."""
    data = json.dumps(model, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


# -- the check ------------------------------------------------------------------------
#: a figure within this factor of the real one is calibrated
FACTOR = 2.0
TOP_WORDS = MID_WORDS = 1000
#: the least document frequency (in the real stories) of a mid-frequency word
MID_MIN_DF = 5
#: the shares of words and of queries within 2x for the check to pass (a sample's
#: noise moves a few rare ones out)
PASS_WORDS, PASS_QUERIES = 0.95, 0.9


def real_texts(m: corpus.Model) -> list[tuple[str, str, str, str | None]]:
    """(title, body, published, department) of each real story of the model."""
    return [(m.text(r.title), m.text(r.body), r.published, m.departments[r.dept] if r.dept >= 0 else None)
            for r in m.stories]


def word_df(texts: Iterable[tuple[str, str]]) -> tuple[Counter[str], int]:
    """Document frequency of each word as the project's analysis cuts title + body."""
    from indexer.analysis import word_counts
    df: Counter[str] = Counter()
    n = 0
    for title, body in texts:
        df.update(word_counts(title + "\n" + body).keys())
        n += 1
    return df, n


def check_words(real_df: Counter[str], n_real: int, syn_df: Counter[str], n_syn: int,
                seed: int = 3) -> dict:
    """Top and mid-frequency words whose synthetic document share is within
    :data:`FACTOR` of their real share."""
    ranked = [w for w, _ in sorted(real_df.items(), key=lambda kv: (-kv[1], kv[0]))]
    top = ranked[:TOP_WORDS]
    mid_pool = [w for w in ranked[TOP_WORDS:] if real_df[w] >= MID_MIN_DF]
    mid = random.Random(seed).sample(mid_pool, min(MID_WORDS, len(mid_pool)))

    def within(words: list[str]) -> tuple[int, list]:
        ok, worst = 0, []
        for w in words:
            r = real_df[w] / n_real
            s = syn_df.get(w, 0) / n_syn
            if s and 1 / FACTOR <= s / r <= FACTOR:
                ok += 1
            else:
                worst.append((w, real_df[w], syn_df.get(w, 0)))
        return ok, worst

    top_ok, top_bad = within(top)
    mid_ok, mid_bad = within(mid)
    return {"top": [top_ok, len(top)], "mid": [mid_ok, len(mid)],
            "top_misses": top_bad[:20], "mid_misses": mid_bad[:20]}


def query_shares(queries: list[dict], docs: list[tuple[str, str, str, str | None]]) -> list[int]:
    """How many of ``docs`` (title, body, published, department) each query matches:
    every term in the title or the body (normalised as the analysis does), the
    date and department filters applied."""
    from indexer.analysis import normalise
    texts = [normalise(t + "\n" + b) for t, b, _, _ in docs]
    counts = []
    for q in queries:
        terms = [normalise(t) for t in q["terms"]]
        lo, hi = q.get("date_from") or "", (q.get("date_to") or "9999") + "\uffff"
        depts = set(q.get("depts") or ())
        n = 0
        for text, (_, _, published, dept) in zip(texts, docs):
            if depts and dept not in depts:
                continue
            if not lo <= (published or "") <= hi:
                continue
            if all(t in text for t in terms):
                n += 1
        counts.append(n)
    return counts


def check_queries(queries: list[dict], real_counts: list[int], n_real: int,
                  syn_counts: list[int], n_syn: int) -> dict:
    """Queries whose synthetic share is within :data:`FACTOR` of their real share
    (both nothing counts as within)."""
    ok = 0
    misses = []
    by_kind: dict[str, list[int]] = {}
    for q, r, s in zip(queries, real_counts, syn_counts):
        rs, ss = r / n_real, s / n_syn
        good = (r == 0 and s == 0) or (r > 0 and s > 0 and 1 / FACTOR <= ss / rs <= FACTOR)
        ok += good
        k = by_kind.setdefault(q["kind"], [0, 0])
        k[0] += good
        k[1] += 1
        if not good:
            misses.append({"q": " ".join(q["terms"]), "kind": q["kind"], "real": r, "synthetic": s})
    return {"queries": [ok, len(queries)], "by_kind": by_kind, "misses": misses[:20]}


Doc = tuple[str, str, str, str | None]   # title, body, published, department


def sample_stories(rows: Iterable[corpus.Row], n: int, size: int) -> list[Doc]:
    """An even sample of about ``size`` of the stories among ``n`` rows (reposts left out)."""
    every = max(1, n // max(1, min(size, n)))
    return [(r.title, r.body, r.published, r.department) for i, r in enumerate(rows)
            if i % every == 0 and r.canonical is None]


def check(n: int = 100000, seed: int = 1, queries: int = 1000, df_sample: int = 20000,
          query_sample: int = 20000, model: corpus.Model | None = None,
          docs: list[Doc] | None = None, log=None) -> dict:
    """The calibration check of a synthetic corpus of ``n`` articles against the
    real stories of the model.

    ``docs`` is an even sample of the corpus's stories (title, body, published,
    department), as read from a store; without it the corpus of ``seed`` is
    generated and sampled. Document frequencies are counted over ``df_sample`` of
    them (jieba is the cost), query shares over ``query_sample``: both are shares,
    so a sample estimates the whole corpus's."""
    log = log or (lambda msg: None)
    m = model or corpus.default_model()
    t0 = time.perf_counter()
    real = real_texts(m)
    real_df, n_real = word_df((t, b) for t, b, _, _ in real)
    if docs is None:
        docs = sample_stories(corpus.generate(n, seed, model=m), n, max(df_sample, query_sample))
        log(f"calibrate: {n} articles generated, {len(docs)} stories sampled in {time.perf_counter() - t0:.1f}s")
    df_docs = _even(docs, df_sample)
    q_docs = _even(docs, query_sample)
    t1 = time.perf_counter()
    syn_df, n_syn = word_df((t, b) for t, b, _, _ in df_docs)
    words = check_words(real_df, n_real, syn_df, n_syn)
    log(f"calibrate: word document frequencies over {n_syn} stories in {time.perf_counter() - t1:.1f}s")
    t2 = time.perf_counter()
    mix = corpus.draw_queries(m, queries, seed=7)
    qs = check_queries(mix, query_shares(mix, real), len(real), query_shares(mix, q_docs), len(q_docs))
    log(f"calibrate: {len(mix)} query shares over {len(q_docs)} stories in {time.perf_counter() - t2:.1f}s")
    top, mid, qq = words["top"], words["mid"], qs["queries"]
    return {
        "n": n, "real_stories": n_real, "df_sample": n_syn, "query_sample": len(q_docs),
        "words_top_within_2x": top, "words_mid_within_2x": mid, "queries_within_2x": qq,
        "queries_by_kind": qs["by_kind"],
        "top_ok": top[0] >= PASS_WORDS * top[1], "mid_ok": mid[0] >= PASS_WORDS * mid[1],
        "queries_ok": qq[0] >= PASS_QUERIES * qq[1],
        "misses": {"top": words["top_misses"], "mid": words["mid_misses"], "queries": qs["misses"]},
        "seconds": time.perf_counter() - t0,
    }


def _even(docs: list, size: int) -> list:
    """About ``size`` of ``docs``, evenly spaced."""
    step = max(1, len(docs) // max(1, size))
    return docs[::step]


def table(res: dict) -> str:
    """The check as a few lines: n/N within 2x for each figure."""
    def cell(pair: list[int]) -> str:
        return f"{pair[0]}/{pair[1]} ({pair[0] / pair[1]:.0%})" if pair[1] else "-"
    lines = [f"calibration at n={res['n']} against {res['real_stories']} real stories "
             f"(document frequencies over {res['df_sample']}, query shares over {res['query_sample']})",
             f"  top {TOP_WORDS} words, document frequency within 2x   {cell(res['words_top_within_2x'])}",
             f"  {MID_WORDS} mid-frequency words, within 2x          {cell(res['words_mid_within_2x'])}",
             f"  queries, share of the corpus within 2x        {cell(res['queries_within_2x'])}",
             "  by kind: " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(res["queries_by_kind"].items()))]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Learn the synthetic corpus from real college news, or check it.")
    sub = p.add_subparsers(dest="cmd", required=True)
    lp = sub.add_parser("learn", help="read the real copies and write the model")
    lp.add_argument("--shared", type=Path, default=None, help="the shared folder (default ../shared)")
    lp.add_argument("-o", "--out", type=Path, default=corpus.MODEL_PATH)
    cp = sub.add_parser("check", help="compare a generated corpus with the real one")
    cp.add_argument("--n", type=int, default=100000)
    cp.add_argument("--seed", type=int, default=1)
    cp.add_argument("--queries", type=int, default=1000)
    cp.add_argument("--df-sample", type=int, default=20000)
    cp.add_argument("--query-sample", type=int, default=20000)
    cp.add_argument("--details", action="store_true", help="also print the misses")
    args = p.parse_args(argv)
    if args.cmd == "learn":
        shared = args.shared or shared_dir()
        if shared is None:
            print("calibrate: ../shared is not beside the repository; only the demo site would be read. "
                  "Pass --shared DIR.", file=sys.stderr)
            return 2
        learn(shared, args.out, log=lambda m: print(m, file=sys.stderr))
        return 0
    res = check(args.n, args.seed, args.queries, args.df_sample, args.query_sample,
                log=lambda m: print(m, file=sys.stderr))
    print(table(res))
    if args.details:
        print(json.dumps(res["misses"], ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in res.items() if k != "misses"}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
