"""The relevance benchmark and its judgments: the data is whole, the instrument
is honest, and the engine shows what the issue asks of it."""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "data" / "eval"))

from bench import relevance as rel  # noqa: E402

KINDS = {"navigational", "topical", "department", "date", "abbreviation", "subword", "phrase",
         "traditional", "operators"}


@pytest.fixture(scope="module")
def specs():
    return rel.load_specs()


@pytest.fixture(scope="module")
def qrels():
    return rel.load_qrels()


def test_at_least_80_queries_of_every_kind(specs):
    assert len(specs) >= 80
    assert len({s.id for s in specs}) == len(specs)
    kinds = Counter(s.kind for s in specs)
    assert set(kinds) == KINDS and min(kinds.values()) >= 5
    assert all(s.need.strip() and s.query.strip() for s in specs)


def test_every_query_is_judged_with_something_worth_finding(specs, qrels):
    assert set(qrels) == {s.id for s in specs}
    for s in specs:
        grades = qrels[s.id].values()
        assert set(grades) <= {0, 1, 2, 3}
        assert max(grades) >= 2, s.id


def test_judged_articles_are_in_the_demo_corpus(qrels):
    """If the demo site is regenerated, the judgments must be redone
    (``bench/relevance.py --write-pool``, then ``data/eval/judge.py``)."""
    truth = {json.loads(line)["path"] for line in (ROOT / "data" / "demo-truth.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()}
    judged = {p for q in qrels.values() for p in q}
    assert judged <= truth, sorted(judged - truth)[:5]


def test_every_query_has_grading_rules(specs):
    import judge
    assert {s.id for s in specs} <= set(judge.RULES)


# -- the instrument, on a toy corpus ------------------------------------------------
DOCS = [
    rel.Doc("a", "产教融合年会召开", "共同体年会在宜宾开幕。", "2023-04-22", "智能制造学院", "学院新闻"),
    rel.Doc("b", "校企合作签约", "深化产教融合，签约仪式。", "2024-01-01", "教务处", "学院新闻"),
    rel.Doc("c", "马克思主义学院集体备课", "马克思主义学院召开集体备课会。", "2022-05-01", None, "党建工作"),
]


def test_like_baseline_is_substring_and_newest_first():
    like = rel.LikeSystem(DOCS)
    spec = rel.Spec("q", "", "topical", "")
    assert like(spec, "产教融合", 10) == ["b", "a"]
    assert like(spec, '"产教融合" -签约', 10) == ["a"]
    assert like(rel.Spec("q", "", "x", "", title_only=True), "产教融合", 10) == ["a"]
    assert like(spec, "產教融合", 10) == []        # no normalisation in a CMS
    assert like(rel.Spec("q", "", "x", "", departments=("教务处",)), "产教融合", 10) == ["b"]


def test_measures_come_from_ir_measures():
    qrels = {"q1": {"a": 3, "b": 1}, "q2": {"c": 2}}
    perfect = rel.judged_scores({"q1": ["a", "b"], "q2": ["c"]}, qrels)
    assert perfect == {"ndcg@10": 1.0, "mrr@10": 1.0, "recall@100": 1.0}
    silent = rel.judged_scores({"q1": ["b", "a"]}, qrels)     # q2 answered with nothing counts 0
    assert silent["recall@100"] == 0.5 and silent["mrr@10"] == 0.25


def test_substring_sampling_is_seeded_and_recall_is_exact():
    s1 = rel.sample_substrings(DOCS, 10, seed=3)
    assert s1 == rel.sample_substrings(DOCS, 10, seed=3)
    assert all(2 <= len(s) <= 8 for s in s1)
    like = rel.LikeSystem(DOCS)
    assert rel.substring_recall(like, DOCS, s1) == 1.0
    assert rel.substring_recall(lambda spec, text, n: [], DOCS, s1) == 0.0


def test_phrase_exactness_counts_hits_without_the_phrase():
    everything = lambda spec, text, n: [d.path for d in DOCS]  # noqa: E731
    assert rel.phrase_exactness(everything, DOCS, [], ["产教融合"]) == pytest.approx(2 / 3, abs=1e-4)


def test_pooling_lists_unjudged_documents_once_with_their_systems():
    runs = {"like": {"q": ["a", "b"]}, "stock": {"q": ["b", "c"]}}
    missing = rel.unjudged(runs, {"q": {"a": 1}})
    assert missing == {"q": [("b", ["like", "stock"]), ("c", ["stock"])]}


# -- the run the issue asks for ---------------------------------------------------------
@pytest.mark.all_engines   # the bench scores tantivy ("engine") and each of --engines itself
def test_engine_finds_every_substring_exact_phrases_and_ranks_best(capsys):
    from tests.conftest import ENGINES
    others = [e for e in ENGINES if e != "tantivy"]
    assert rel.main(["--substrings", "60", "--phrases", "30", "--engines", ",".join(others)]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["queries"] >= 80 and result["unjudged_pooled"] == 0
    like, stock = (result["systems"][k] for k in ("like", "stock"))
    for name in ["engine"] + others:     # every engine: the same bar (only its scores are its own)
        engine = result["systems"][name]
        assert engine["substring_recall"] == 1.0 and engine["phrase_exactness"] == 1.0, name
        for m in ("ndcg@10", "mrr@10"):
            assert engine[m] > like[m] and engine[m] > stock[m], (name, m)
    dym = result["didyoumean"]
    assert dym["false_suggestions_verified"] == 0.0
    assert dym["homophone_fixed_verified"] >= 0.8 and dym["pinyin_fixed_verified"] >= 0.8


# -- the user dictionary -------------------------------------------------------------------
def test_userdict_parses_jieba_format_and_reloads(tmp_path):
    import jieba
    from indexer import userdict
    assert userdict.parse("产教融合 2000 n\n双高计划\n专升本 nz\n# note\nbad 1 2 3\n") == {
        "产教融合": (2000, "n"), "双高计划": (None, None), "专升本": (None, "nz")}
    tk = jieba.Tokenizer()
    f = tmp_path / "userdict.txt"
    f.write_text("蜀江锐驰 100 nz\n", encoding="utf-8")
    assert userdict.load(f, tk) == 1
    assert "蜀江锐驰" in tk.lcut("我院与蜀江锐驰签约")
    assert not userdict.reload_if_changed(f, tk)
    f.write_text("蜀江锐驰 100 nz\n数智工匠 100 nz\n", encoding="utf-8")
    assert userdict.reload_if_changed(f, tk)
    assert "数智工匠" in tk.lcut("数智工匠产业学院")
    assert userdict.fingerprint(f) and userdict.fingerprint(tmp_path / "none") == ""


def test_the_shipped_userdict_is_well_formed():
    from indexer import userdict
    words = userdict.parse(userdict.DEFAULT_PATH.read_text(encoding="utf-8"))
    assert {"产教融合", "双高计划", "专升本", "宜宾职业技术学院"} <= set(words)
    assert all(w == w.lower() and not w.isascii() for w in words)
