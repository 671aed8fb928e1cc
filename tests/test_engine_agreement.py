"""The two engines answer alike: the same articles in one index of each engine
(``build_index(..., engine="tantivy")`` and ``engine="whoosh"``; every engine of
:data:`tests.conftest.ENGINES`, each compared with the first), the same
queries, and everything a reader can see must be equal: the match set, the
total, the facet counts (and their order on the page), the pages sorted by date,
"some of the words", the hits of a query that fits on one page. Only scores, and
so the order of equally relevant hits under sort=relevance, may differ.

And both find every article holding a verbatim substring (1–8 characters of the
articles' own text: Chinese, Latin, digits, mixed like ``5G中``, ``1+X证书``): a
quoted substring matches exactly the articles whose normalised title, body or
attachments contain it (a substring that is only a Latin or digit word matches
it as a whole word, :func:`indexer.analysis.gram_tokens`), and unquoted it
matches at least those (it may also find synonyms).

Corpora: (a) the crawled demo site, (b) corpora Hypothesis makes of mixed
Chinese/Latin/digit text, (c) the relevance queries of ``data/eval/queries.toml``,
(d) substrings sampled from the articles.

This module builds both engines itself, so its tests do not run once per
engine (the demo crawl is the first engine's session's one: the store is the
same whichever engine indexed it).
"""
from __future__ import annotations

import os
import random
import re
import tempfile
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import paths
from indexer.analysis import normalise, runs
from indexer.article import Article, Attachment
from indexer.documents import attachment_text, indexed_attachments
from indexer.ids import article_id
from indexer.index import build_index
from indexer.querylang import clean
from indexer.results import Query
from indexer.search import SearchEngine
from indexer.store import Store
from tests.conftest import ENGINES

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "data" / "eval" / "queries.toml"
PAGE = 5                                  # small pages, so that sort=date has a page 2
QUOTES = set('"“”「」『』')


# -- helpers ---------------------------------------------------------------------------
def open_all(articles: list[Article], root: Path) -> dict[str, SearchEngine]:
    out = {}
    for name in ENGINES:
        d = root / name
        assert build_index(articles, d, engine=name) == len(articles)
        e = SearchEngine(d, engine=name)
        assert e.info().extra["engine"] == name
        e.did_you_mean(wait=None)          # the vocabulary ready, so suggestions do not race it
        out[name] = e
    return out


def close_all(engines: dict[str, SearchEngine]) -> None:
    for e in engines.values():
        e.close()


def answer(e: SearchEngine, q: Query) -> dict:
    """Everything of ``q``'s answer that must not depend on the engine."""
    res = e.search(q)
    out = {"total": res.total, "partial": res.partial, "suggestion": res.suggestion,
           "facets": {n: [(v.value, v.count) for v in vals] for n, vals in res.facets.items()},
           "facet_counts": e.facet_counts(q), "match_ids": e.match_ids(q), "count": e.count(q)}
    if q.sort in ("date", "oldest") or not (q.text or "").strip():
        out["hits"] = [(h.id, h.published, h.title_html, h.snippet_html, h.attachment) for h in res.hits]
    elif res.total <= len(res.hits) + (q.page - 1) * q.size and q.page == 1:
        out["hit_set"] = sorted(h.id for h in res.hits)    # every hit on this page: the same ones
    return out


def assert_agree(engines: dict[str, SearchEngine], q: Query) -> dict:
    got = {name: answer(e, q) for name, e in engines.items()}
    first, a = next(iter(got.items()))
    for name, b in got.items():
        if a != b:
            diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
            raise AssertionError(f"the engines disagree on {q}:\n" + "\n".join(
                f"  {k}: {first}={v[0]!r}\n  {' ' * len(k)}  {name}={v[1]!r}" for k, v in diff.items()))
    return a


def other_than(name: str) -> str:
    """The next engine after ``name`` (the first after the last)."""
    return ENGINES[(ENGINES.index(name) + 1) % len(ENGINES)]


def variants(q: Query, depts: list[str], columns: list[str], dates: tuple[date, date],
             rnd: random.Random, k: int | None = None) -> list[Query]:
    """``q`` as it is, and with filters: a department, a date range, a column,
    titles only, sort=date and sort=oldest pages 1 and 2 (``k`` of them, drawn with ``rnd``)."""
    base = replace(q, size=PAGE)
    more = [replace(base, departments=(rnd.choice(depts),)),
            replace(base, departments=tuple(rnd.sample(depts, min(2, len(depts))))),
            replace(base, date_from=dates[0], date_to=dates[1]),
            replace(base, date_from=dates[0]),
            replace(base, columns=(rnd.choice(columns),)),
            replace(base, columns=tuple(rnd.sample(columns, min(2, len(columns))))),
            replace(base, title_only=True),
            replace(base, departments=(rnd.choice(depts),), date_from=dates[0], columns=(rnd.choice(columns),)),
            replace(base, sort="date"), replace(base, sort="date", page=2),
            replace(base, sort="date", page=2, departments=(rnd.choice(depts),)),
            replace(base, sort="oldest"), replace(base, sort="oldest", page=2)]
    if k is not None:
        more = rnd.sample(more, min(k, len(more)))
    return [base] + more


def texts(a: Article) -> dict[str, str]:
    """The normalised text of each searchable field of ``a``."""
    return {"title": normalise(a.title), "body": normalise(a.body),
            "attach": normalise(attachment_text(indexed_attachments(a)))}


def holds(text: str, s: str) -> bool:
    """Whether ``text`` holds the normalised substring ``s`` as the engines define it:
    verbatim; a Latin/digit word alone only as a whole word."""
    spans = list(runs(s))
    if len(spans) == 1 and not spans[0][0]:
        return any(text[st:en] == s for han, st, en in runs(text) if not han)
    return s in text


def substring_truth(articles: list[Article], s: str, title_only: bool = False) -> set[str]:
    out = set()
    for a in articles:
        t = texts(a)
        fields = ("title",) if title_only else ("title", "body", "attach")
        if any(holds(t[f], s) for f in fields):
            out.add(article_id(a.url))
    return out


def substring_of(text: str, rnd: random.Random) -> str | None:
    """A random substring of 1–8 characters of ``text`` as a reader could type it:
    trimmed to begin and end on a searchable character, no white space or quote
    inside, a Latin/digit word alone taken whole. None when there is none here."""
    if not text:
        return None
    i = rnd.randrange(len(text))
    spans = list(runs(normalise(text[i:i + rnd.randint(1, 8)])))
    if not spans:
        return None
    a, b = i + spans[0][1], i + spans[-1][2]
    if len(spans) == 1 and not spans[0][0]:        # a Latin/digit word: the whole word it is part of
        a, b = next((s, e) for han, s, e in runs(normalise(text)) if not han and s <= a < e)
    s = text[a:b]
    if any(c.isspace() for c in s) or QUOTES & set(normalise(s)) or clean(s) != s:
        return None
    return s


def sample_substrings(articles: list[Article], n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    out: list[str] = []
    for _ in range(n * 30):
        if len(out) >= n:
            break
        a = rnd.choice(articles)
        field = rnd.choices(["title", "body", "attach"], [2, 6, 1])[0]
        text = a.title if field == "title" else a.body if field == "body" else \
            attachment_text(indexed_attachments(a))
        s = substring_of(text, rnd)
        if s and s not in out:
            out.append(s)
    return out


def check_substring(engines: dict[str, SearchEngine], articles: list[Article], s: str,
                    extra: list[Query] = ()) -> None:
    """Quoted: exactly the articles holding ``s``; unquoted: at least those; the
    engines alike on both, with and without the filters of ``extra``."""
    quoted = f'"{s}"'
    for title_only in (False, True):
        truth = substring_truth(articles, normalise(s), title_only)
        got = assert_agree(engines, Query(text=quoted, title_only=title_only, size=PAGE))
        assert got["match_ids"] == truth, (quoted, title_only, sorted(got["match_ids"] ^ truth)[:5])
        assert got["total"] == len(truth) or (got["partial"] and not truth), (quoted, got["total"], len(truth))
        loose = assert_agree(engines, Query(text=s, title_only=title_only, size=PAGE))
        assert truth <= loose["match_ids"], (s, title_only, sorted(truth - loose["match_ids"])[:5])
    for q in extra:
        assert_agree(engines, replace(q, text=quoted))


# -- (a, c, d) the demo site -------------------------------------------------------------
def eval_queries() -> list[Query]:
    data = tomllib.loads(QUERIES.read_text(encoding="utf-8"))
    out = []
    for q in data["query"]:
        f = q.get("filters", {})
        out.append(Query(text=q["query"], title_only=bool(f.get("title_only", False)),
                         date_from=_day(f.get("date_from")), date_to=_day(f.get("date_to")),
                         departments=tuple(f.get("departments", ())), size=PAGE))
    return out


def _day(v) -> date | None:
    if v is None or isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


@pytest.fixture(scope="module")
def demo(tmp_path_factory, crawled):
    # the demo crawl of one engine's session (the tests ask for the first's, ONE_CRAWL):
    # the store is the same whichever engine indexed it
    with Store(paths.store_path(crawled["dir"])) as store:
        articles = list(store.articles())
    engines = open_all(articles, tmp_path_factory.mktemp("agree-demo"))
    depts = sorted({a.department for a in articles if a.department})
    columns = sorted({a.column for a in articles if a.column})
    yield {"articles": articles, "engines": engines, "depts": depts, "columns": columns}
    close_all(engines)


DEMO_DATES = (date(2023, 1, 1), date(2024, 6, 30))
#: the demo crawl of the first engine's session only: these tests build every engine themselves
def ONE_CRAWL(test):
    test = pytest.mark.parametrize("engine_name", [ENGINES[0]], indirect=True, ids=["demo-store"])(test)
    return pytest.mark.all_engines(test)


@ONE_CRAWL
def test_the_relevance_queries_agree_with_and_without_filters(engine_name, demo):
    rnd = random.Random(11)
    qs = eval_queries()
    assert len(qs) >= 80
    for q in qs:
        for v in variants(q, demo["depts"], demo["columns"], DEMO_DATES, rnd, k=4):
            assert_agree(demo["engines"], v)


@ONE_CRAWL
def test_browsing_without_a_query_agrees_page_by_page(engine_name, demo):
    rnd = random.Random(12)
    for q in variants(Query(text=""), demo["depts"], demo["columns"], DEMO_DATES, rnd):
        for page in (1, 2, 3):
            got = assert_agree(demo["engines"], replace(q, page=page))
            assert len(got["hits"]) == max(0, min(PAGE, got["total"] - (page - 1) * PAGE))


@ONE_CRAWL
def test_the_did_you_mean_vocabulary_is_the_same_from_every_engine(engine_name, demo):
    first, *others = demo["engines"].values()
    want = {f: dict(first.vocabulary((f,))) for f in ("body", "body_ng")}
    assert len(want["body_ng"]) > 1000
    for e in others:
        for f, terms in want.items():
            assert dict(e.vocabulary((f,))) == terms, (e.engine.name, f)
        # and so the file each indexer wrote: the same corrections
        assert e.did_you_mean().suggest("产教容合 zhuanshengben") == first.did_you_mean().suggest("产教容合 zhuanshengben")


@ONE_CRAWL
def test_every_verbatim_substring_is_found_by_both(engine_name, demo):
    articles, engines = demo["articles"], demo["engines"]
    strings = sample_substrings(articles, 150, seed=13)
    mixed = [s for s in strings if len(list(runs(normalise(s)))) > 1]
    latin = [s for s in strings if all(not han for han, _, _ in runs(normalise(s)))]
    assert len(strings) >= 120 and len(mixed) >= 10 and latin, (len(strings), mixed, latin)
    # the awkward ones a reader types, wherever the demo site has them
    for s in ("5G", "1+X证书", "X证书", "5G中", "ICT", "2023年", "C语言"):
        if substring_truth(articles, normalise(s)):
            strings.append(s)
    rnd = random.Random(14)
    for s in strings:
        extra = variants(Query(text=s), demo["depts"], demo["columns"], DEMO_DATES, rnd, k=2)[1:]
        check_substring(engines, articles, s, extra)


# -- (b, d) corpora Hypothesis makes ---------------------------------------------------------
HAN = "产教融合学院技能大赛数控中国证书實訓华为校企"      # few characters: they repeat, so queries match
LATIN = "abcgxICTX"
DIGITS = "012459"
PUNCT = "+-.，。、（）：!"
DEPTS = ["教务处", "智能制造学院", "团委"]
COLUMNS = ["通知公告", "学院新闻"]
DATES = ["2021-03-01", "2023-04-22", "2023-04-22T10:30:00", "2023-12-31", "2024-01-01", "2024-06-01"]

_chunk = st.one_of(st.text(HAN, min_size=1, max_size=6), st.text(LATIN, min_size=1, max_size=4),
                   st.text(DIGITS, min_size=1, max_size=3), st.sampled_from(list(PUNCT) + [" ", "\n", "5G", "1+X"]))
_text = st.lists(_chunk, max_size=18).map("".join)
_article = st.fixed_dictionaries({
    "title": st.lists(_chunk, min_size=1, max_size=6).map("".join),
    "body": _text,
    "department": st.sampled_from(DEPTS + [None]),
    "column": st.sampled_from(COLUMNS + [None]),
    "columns": st.lists(st.sampled_from(COLUMNS + ["媒体聚焦"]), max_size=2),   # a story in several columns
    "published": st.sampled_from(DATES + [None]),    # repeated dates: ties in sort=date
    "site": st.sampled_from(["a", "b"]),
    "attachment": st.one_of(st.none(), st.tuples(st.text(HAN + LATIN, min_size=1, max_size=5), _text)),
})
_query_word = st.one_of(_chunk, st.sampled_from(["OR", "-数控", "title:学院", '"产教融合"', "|", "NOT", "1+X证书"]))
_query = st.lists(_query_word, max_size=4).map(" ".join)


def make_articles(rows: list[dict]) -> list[Article]:
    out = []
    for i, r in enumerate(rows):
        atts = [Attachment(url=f"http://h/f/{i}.pdf", name=r["attachment"][0] + ".pdf", text=r["attachment"][1])] \
            if r["attachment"] else []
        out.append(Article(url=f"http://h/info/{i}.htm", site=r["site"], title=r["title"].strip() or "标题",
                           body=r["body"], published=r["published"], department=r["department"],
                           column=r["column"], columns=r["columns"], attachments=atts))
    return out


@pytest.mark.all_engines
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=st.lists(_article, min_size=1, max_size=25), queries=st.lists(_query, min_size=1, max_size=4),
       seed=st.integers(0, 2 ** 16))
def test_generated_corpora_agree_and_find_every_substring(rows, queries, seed):
    articles = make_articles(rows)
    rnd = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="agree-") as tmp:
        engines = open_all(articles, Path(tmp))
        try:
            dates = (date(2023, 4, 22), date(2023, 12, 31))
            for text in queries + ["", "学院", "5G中", "1+X证书"]:
                for v in variants(Query(text=text), DEPTS, COLUMNS, dates, rnd, k=3):
                    assert_agree(engines, v)
            for s in sample_substrings(articles, 6, seed):
                check_substring(engines, articles, s, variants(Query(text=s), DEPTS, COLUMNS, dates, rnd, k=1)[1:])
        finally:
            close_all(engines)


def test_the_substring_sampler_cuts_what_a_reader_types():
    rnd = random.Random(1)
    got = {substring_of("学院与华为共建ICT学院，5G中国1+X证书。", rnd) for _ in range(400)} - {None}
    assert all(1 <= len(s) <= 8 or re.fullmatch(r"[0-9A-Za-z+.\-]+", s) for s in got)
    assert {"ICT", "5G", "1+X"} <= got                    # Latin words whole
    assert any(len(list(runs(normalise(s)))) > 1 for s in got)   # mixed ones too
    assert not any(c.isspace() or c in "，。" for s in got for c in (s[0], s[-1]))


@ONE_CRAWL
def test_odd_requests_agree(engine_name, demo):
    """What readers type and send that is not a plain query: the same answer."""
    texts_ = ["", "   ", "😀", '"', '""', "-产教融合", "OR", "title:", "|", "产教融合 OR 华中数控 -年会",
              'title:"产教融合"', "NOT 学院", "学院 -学院", "產教融合 年會", "ｃ语言", "1+X 证书", "x" * 250,
              "学院" * 120, "年会|招生", "zzzzqqq", "产教容合", "马克思"]
    for text in texts_:
        for q in (Query(text=text), Query(text=text, sort="date", page=3, size=50),
                  Query(text=text, page=999, size=50), Query(text=text, size=999),
                  Query(text=text, date_from=date(2030, 1, 1)), Query(text=text, departments=("没有这个部门",)),
                  Query(text=text, date_from=date(2024, 1, 1), date_to=date(2023, 1, 1))):
            assert_agree(demo["engines"], q)


@pytest.mark.all_engines
def test_an_empty_index_answers_alike(tmp_path):
    """An index created and never given an article (a first sync of an empty store)."""
    engines = open_all([], tmp_path)
    try:
        for text in ("", "学院", "5G中", '"产教融合"', "学院 OR 年会", "-学院", "ICT"):
            for q in variants(Query(text=text), DEPTS, COLUMNS, (date(2023, 1, 1), date(2024, 1, 1)),
                              random.Random(3)):
                got = assert_agree(engines, q)
                assert got["total"] == 0 and got["match_ids"] == set()
        for name, e in engines.items():
            assert e.suggest("学") == [] and e.article_ids() == [] and e.info().articles == 0, name
    finally:
        close_all(engines)


@pytest.mark.all_engines
def test_an_index_of_one_engine_opened_as_the_other_names_the_reindex(tmp_path):
    from indexer.search import IndexMissing
    arts = [Article(url="http://x/1", site="demo", title="产教融合", body="产教融合年会。", published="2023-01-01")]
    for name in ENGINES:
        build_index(arts, tmp_path / name, engine=name)
    for name in ENGINES:
        other = other_than(name)
        if other == name:
            continue
        with pytest.raises(IndexMissing, match=f"news-indexer reindex --engine {other}"):
            SearchEngine(tmp_path / name, engine=other)
        e = SearchEngine(tmp_path / name)          # opened as whatever wrote it
        assert e.info().extra["engine"] == name and e.search(Query(text="年会")).total == 1
        e.close()
        with pytest.raises(IndexMissing, match="news-indexer update"):
            SearchEngine(tmp_path / "nothing", engine=name)


@pytest.mark.all_engines
def test_syncs_of_edits_and_removals_agree_and_rebuild_moves_engines(tmp_path):
    """One store synced into a data directory of each engine, round after round of
    new, edited, removed and restored articles (an article changed twice between
    two syncs, a batch of three changes a commit): the same index every time,
    and the same as a rebuild; ``rebuild(engine=...)`` moves an index to the other
    engine."""
    from indexer.index import current_generation, engine_name as gen_engine, rebuild, sync
    from indexer.paths import index_path, store_path
    rnd = random.Random(21)
    words = ["产教融合", "华中数控", "技能大赛", "5G中国", "1+X证书", "ICT学院", "校企合作", "年会"]

    def art(i: int, v: int) -> Article:
        w = rnd.sample(words, 2)
        return Article(url=f"http://s/{i}.htm", site=rnd.choice(["a", "b"]), title=f"{w[0]}第{i}号",
                       body=f"{w[1]}，第{v}版。" + "学院" * rnd.randint(0, 3),
                       published=rnd.choice(DATES + [None]), department=rnd.choice(DEPTS + [None]),
                       column=rnd.choice(COLUMNS + [None]))

    dirs = {name: tmp_path / name for name in ENGINES}
    queries = [Query(text=t, size=PAGE) for t in ["", "学院", "产教融合", '"5G中"', "1+X证书", "第3版", "ict"]]
    queries += [replace(q, sort="date", page=p) for q in queries[:3] for p in (1, 2)]
    live: dict[int, Article] = {}
    with Store(store_path(tmp_path / "store")) as store:
        engines: dict[str, SearchEngine] = {}
        try:
            for rnd_no in range(6):
                for _ in range(rnd.randint(3, 12)):
                    i = rnd.randrange(30)
                    if i in live and rnd.random() < 0.3:
                        store.remove_article(live.pop(i).url, "gone")
                    else:
                        live[i] = art(i, rnd_no * 100 + rnd.randrange(3))
                        store.upsert_article(live[i])
                for name, d in dirs.items():
                    stats = sync(store, d, batch=3, engine=name if rnd_no == 0 else None)
                    assert stats.engine == name
                    if name not in engines:
                        engines[name] = SearchEngine(index_path(d), engine=name)
                    engines[name].refresh(force=True)
                stories = {article_id(a.url) for a in store.articles()}
                for name, e in engines.items():
                    ids = e.article_ids()
                    assert len(ids) == len(set(ids)) and set(ids) == stories, (name, rnd_no)
                for q in queries:
                    assert_agree(engines, q)
            before = {q: answer(engines[ENGINES[0]], q) for q in queries}
            for name, d in dirs.items():        # each moves to the next engine
                other = other_than(name)
                assert rebuild(store, d, engine=other).engine == other
                assert gen_engine(current_generation(d)) == other
                engines[name].close()
                engines[name] = SearchEngine(index_path(d))
                assert engines[name].info().extra["engine"] == other
                for q in queries:
                    assert answer(engines[name], q) == before[q], (name, other, q)
        finally:
            close_all(engines)


@pytest.mark.all_engines
def test_the_data_directory_names_the_engine(tmp_path, monkeypatch):
    """``<data>/search.toml`` (``engine = "whoosh"``) chooses the engine of a new
    index; ``sync`` keeps an index's engine when the setting changes, and
    ``rebuild`` moves it to the setting's; ``--engine``/``NEWS_ENGINE`` win over it;
    a setting that cannot be one names the file and the choices."""
    from indexer import engines as engine_registry
    from indexer.index import current_generation, engine_name as gen_engine, rebuild, sync
    from indexer.paths import store_path
    monkeypatch.delenv(engine_registry.ENV, raising=False)
    first, second = ENGINES[0], other_than(ENGINES[0])
    data = tmp_path / "data"
    data.mkdir()
    setting = data / engine_registry.SETTING_FILE
    setting.write_text(f'engine = "{second}"\n', encoding="utf-8")
    with Store(store_path(tmp_path / "store")) as store:
        store.upsert_article(Article(url="http://s/1.htm", site="a", title="产教融合年会", body="产教融合年会。"))
        assert sync(store, data).engine == second
        setting.write_text(f'engine = "{first}"\n', encoding="utf-8")
        assert sync(store, data).engine == second          # an index keeps its engine
        assert rebuild(store, data).engine == first         # reindex moves it to the setting's
        assert gen_engine(current_generation(data)) == first
        if second != first:
            monkeypatch.setenv(engine_registry.ENV, second)
            assert engine_registry.chosen(None, data) == second
            assert engine_registry.chosen(first, data) == first
            monkeypatch.delenv(engine_registry.ENV)
    for text, message in (('engine = "lucene"', "unknown search engine 'lucene'"),
                          ('engin = "whoosh"', "unknown setting"), ("engine = 3", "a name in quotes"),
                          ("engine = whoosh", "cannot be read")):
        setting.write_text(text, encoding="utf-8")
        with pytest.raises(engine_registry.UnknownEngine, match=message) as info:
            engine_registry.chosen(None, data)
        assert str(setting) in str(info.value)


@pytest.mark.all_engines
def test_a_failing_whoosh_build_ends_at_once_and_leaves_no_process(tmp_path):
    """An error while its multi-process writer is fed (a record that cannot be
    made), and a writer process killed mid-build: the build fails promptly, with
    its processes gone, instead of waiting on them for ever."""
    import multiprocessing
    import signal
    import time as _time
    from indexer import engines as registry
    from indexer.documents import record
    eng = registry.get("whoosh")
    arts = [Article(url=f"http://s/{i}.htm", site="a", title=f"产教融合第{i}号", body="学院年会。" * 20)
            for i in range(400)]

    def failing():
        for i, a in enumerate(arts):
            if i == 300:
                raise ValueError("a record that cannot be made")
            yield record(a)

    def killing():
        for i, a in enumerate(arts):
            if i == 120:
                for child in multiprocessing.active_children():
                    os.kill(child.pid, signal.SIGKILL)
                _time.sleep(0.5)
            yield record(a)

    for n, (records, error) in enumerate(((failing(), ValueError), (killing(), RuntimeError))):
        d = tmp_path / f"ix{n}"
        d.mkdir()
        eng.create(d)
        t0 = _time.monotonic()
        with pytest.raises(error):
            eng.build(d, records, procs=2)
        assert _time.monotonic() - t0 < 60
        assert not [c for c in multiprocessing.active_children() if c.is_alive()]
