"""The tantivy prototype of bench/engines.py stays honest at a small size: it finds
exactly what FTS5 finds and what the Whoosh engine finds, its facet counts are
SQLite's, and its JSON line carries every figure. No timing is ever asserted."""
from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("tantivy")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import engines  # noqa: E402
import perf  # noqa: E402

from indexer.article import Article  # noqa: E402
from indexer.ids import article_id  # noqa: E402
from indexer.index import rebuild  # noqa: E402
from indexer.paths import index_path, store_path  # noqa: E402
from indexer.search import SearchEngine  # noqa: E402
from indexer.store import Store  # noqa: E402

N = 600
QUERIES = 60


def _whoosh_index(data_dir: Path) -> None:
    with Store(store_path(data_dir)) as store:
        rebuild(store, data_dir)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One small run through the command line, over a corpus the Whoosh engine has indexed too."""
    data_dir = tmp_path_factory.mktemp("engines") / "d"
    perf.ensure_corpus(data_dir, N, 1)
    _whoosh_index(data_dir)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = engines.main(["--n", str(N), "--data-dir", str(data_dir), "--queries", str(QUERIES),
                             "--floor-sample", "100", "--check", str(QUERIES), "--procs", "2"])
    lines = out.getvalue().strip().splitlines()
    return {"code": code, "json": json.loads(lines[-1]), "table": "\n".join(lines[:-1])}


def test_the_json_line_has_every_figure(run):
    assert run["code"] == 0
    final = run["json"]
    for key in engines.KEYS:
        assert key in final, key
        assert final[key] is not None, key
    assert final["n"] == N
    assert final["queries"] == QUERIES
    assert set(final["targets"]) >= {"build_ge_half_floor", "index_le_3x_text", "p50_le_fts5", "p95_le_fts5",
                                     "same_sets_as_fts5", "facets_exact"}
    assert "tantivy / fts5 p50 / p95 / p99" in run["table"]


def test_match_sets_equal_fts5_and_whoosh(run):
    final = run["json"]
    assert final["sets_checked_vs_fts5"] == QUERIES
    assert final["set_mismatches_vs_fts5"] == 0, final["examples"]
    assert final["whoosh_sets_checked"] == QUERIES
    assert final["set_mismatches_vs_whoosh"] == 0, final["examples"]
    assert final["totals_equal_vs_fts5"] == 1.0, final["examples"]


def test_facet_counts_equal_sqlite_counts(run):
    assert run["json"]["facets_exact"] is True, run["json"]["examples"]


# -- hand-made articles: the corners of the gram fields ---------------------------------
ARTICLES = [
    ("全省5G建设推进会", "产教融合5G基地揭牌。校企合作，共建实训基地。", "2021-03-04", "教务处"),
    ("5G国中，学生技能大赛", "中国职业教育1+X证书试点；学生获奖。", "2022-05-06T10:30:00", "学生处"),
    ("技能大赛通知", "融合。发展是主题，产教融合持续推进。中", "2020-01-02", None),
    ("校企合作签约仪式", "与渝芯智造签约，开展现代学徒制。PLC课程上线。", None, "教务处"),
    ("产教融合年会", "产教融合、校企合作与技能大赛同步推进。", "2023-11-30", "智能制造学院"),
]
QUERIES_BY_HAND = ["产教融合", "5G", "5G建设", "融合5G", "省5G", "中", "\"融合。发展\"",
                   "产教融合 -校企合作", "title:技能大赛", "1+X证书", "plc课程", "技能大赛 学生", "渝芯",
                   "合作 -title:签约"]
# Clauses of several runs: the engine checks them against the article's text; the
# prototype answers from positions alone, so it may find more.
QUIRK = "5G中"   # positions alone also find 5G国中 (the last-character token): --grams pretok does
PUNCT = "融合，发展"   # positions ignore punctuation: both prototypes also find 融合。发展


@pytest.fixture(scope="module")
def corners(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("corners")
    with Store(store_path(data_dir)) as store:
        for i, (title, body, published, dept) in enumerate(ARTICLES):
            store.upsert_article(Article(url=f"https://x.edu.cn/info/{i}.htm", site="x", title=title, body=body,
                                         published=published, department=dept, column="学院新闻"))
    _whoosh_index(data_dir)
    whoosh = SearchEngine(index_path(data_dir))
    built = {}
    for grams in ("text", "pretok"):
        b = engines.build_tantivy(data_dir, engines.BuildOptions(procs=1, grams=grams))
        built[grams] = engines.TantivyEngine(b["index"], b["ids"], grams=grams)
    yield whoosh, built
    whoosh.close()


@pytest.mark.parametrize("grams", ["text", "pretok"])
@pytest.mark.parametrize("q", QUERIES_BY_HAND)
def test_gram_fields_find_what_whoosh_finds(corners, grams, q):
    whoosh, built = corners
    spec = perf.Spec("hand", [q])
    want = perf.engine_ids(whoosh, spec)
    assert want, q                     # every query here finds something
    assert built[grams].match_ids(spec) == want


def _verbatim(text):
    return {article_id(f"https://x.edu.cn/info/{i}.htm") for i, (t, b, _, _) in enumerate(ARTICLES)
            if text.lower() in (t + "\n" + b).lower()}


def test_clauses_of_several_runs_where_positions_alone_find_more(corners):
    whoosh, built = corners
    spec = perf.Spec("hand", [QUIRK])
    assert perf.engine_ids(whoosh, spec) == _verbatim(QUIRK) == built["text"].match_ids(spec)
    assert built["pretok"].match_ids(spec) > _verbatim(QUIRK)
    spec = perf.Spec("hand", [PUNCT])
    assert perf.engine_ids(whoosh, spec) == _verbatim(PUNCT) == set()
    for grams in ("text", "pretok"):
        assert built[grams].match_ids(spec) == _verbatim("融合。发展")


def test_filters_sort_and_facets(corners):
    _, built = corners
    engine = built["text"]
    spec = perf.Spec("hand", ["产教融合"], date_from="2021-01-01", depts=["教务处"], sort="date")
    answer = engine.answer(spec)
    assert answer.total == 1
    assert answer.urls == ["https://x.edu.cn/info/0.htm"]
    # departments ignore the department filter, years the dates
    assert answer.facets["department"] == {"教务处": 1, "智能制造学院": 1}
    assert answer.facets["year"] == {"2021": 1}
