"""Did you mean: homophone slips and pinyin, corrected from the index's own words."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.article import Article
from indexer.didyoumean import DidYouMean
from indexer.search import SearchEngine
from indexer.index import build_index

VOCAB = [("产教", 40), ("融合", 60), ("年会", 5), ("华中", 3), ("数控", 12), ("马克思主义", 20),
         ("学院", 300), ("专升本", 14), ("双高", 50), ("技能", 80), ("大赛", 45), ("订单", 30),
         ("班", 90), ("智能", 120), ("制造", 110), ("信息", 40), ("工程学院", 25), ("容", 1),
         ("plc", 17), ("python", 3), ("重庆", 30), ("计划", 70), ("稀有", 1)]


@pytest.fixture(scope="module")
def dym():
    return DidYouMean(VOCAB)


@pytest.mark.parametrize("typed,meant", [
    ("产教容合", "产教融合"),                 # 容 for 融: an input-method slip
    ("产教容合 年会", "产教融合 年会"),
    ("华中数空", "华中数控"),
    ("马克思主意学院", "马克思主义学院"),
    ("技能大塞", "技能大赛"),
    ("专生本", "专升本"),
    ("chanjiaoronghe", "产教融合"),           # pinyin, the IME switched off
    ("zhuanshengben", "专升本"),
    ("xinxigongchengxueyuan", "信息工程学院"),
    ("ZhiNengZhiZao", "智能制造"),
    ("chongqing", "重庆"),                    # a heteronym (重 zhong/chong) read right
    ("title:产教容合", "title:产教融合"),      # operators and quotes are kept
    ('"产教容合"', '"产教融合"'),
    ("-专生本", "-专升本"),
])
def test_suggests_the_indexed_words(dym, typed, meant):
    assert dym.suggest(typed) == meant


@pytest.mark.parametrize("typed", ["产教融合", "马克思主义学院 年会", "plc", "python", "1+X", "abcdefg",
                                   "产", "", "   ", "OR", "😀", "x" * 300, "蜀江"])
def test_no_suggestion_when_nothing_is_wrong_or_nothing_fits(dym, typed):
    assert dym.suggest(typed) is None


def test_rare_words_are_left_out_of_the_vocabulary():
    d = DidYouMean([("稀有", 1), ("西游", 9)], min_df=2)
    assert d.suggest("xiyou") == "西游"
    assert d.frequency("稀有") == 0 and d.frequency("西游") == 9


def test_a_slip_is_one_or_two_characters_not_a_different_word(dym):
    # same sound, but every character differs: not a slip, no suggestion
    assert DidYouMean([("产教", 40)]).suggest("铲叫") is None


def test_empty_vocabulary_suggests_nothing():
    assert DidYouMean([]).suggest("chanjiaoronghe") is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_never_raises(text):
    d = DidYouMean(VOCAB)
    out = d.suggest(text)
    assert out is None or isinstance(out, str)


def test_from_a_real_index(tmp_path, engine_name):
    arts = [Article(url=f"http://x/{i}", site="demo", title=t, body=b, published="2023-01-01")
            for i, (t, b) in enumerate([("产教融合年会", "深化产教融合，召开年会。"),
                                         ("产教融合工作会议", "产教融合平台建设。"),
                                         ("专升本考试", "专升本报名工作。"),
                                         ("专升本录取", "专升本录取人数创新高。")])]
    build_index(arts, tmp_path)
    engine = SearchEngine(tmp_path)
    d = DidYouMean(engine.vocabulary(("body",)))
    engine.close()
    assert d.suggest("产教容合") == "产教融合"
    assert d.suggest("zhuanshengben") == "专升本"


def test_candidates_are_checked_against_the_index_when_asked():
    d = DidYouMean([("华中", 3), ("话中", 30), ("数控", 12)])
    assert d.suggest("huazhongshukong") == "话中数控"          # the most frequent reading
    found = {"华中数控"}
    assert d.suggest("huazhongshukong", exists=lambda s: int(s in found)) == "华中数控"
    assert d.suggest("huazhongshukong", exists=lambda s: 0) is None
    assert d.candidates("产教融合") == []


def test_the_bigram_field_corrects_names_jieba_cuts_apart(tmp_path, engine_name):
    arts = [Article(url=f"http://x/{i}", site="demo", title="锐驰机器人订单班", body="川渝锐驰机器人科技有限公司。",
                    published="2023-01-01") for i in range(3)]
    build_index(arts, tmp_path)
    engine = SearchEngine(tmp_path)
    d = engine.did_you_mean()
    engine.close()
    assert d.suggest("锐持") == "锐驰"
