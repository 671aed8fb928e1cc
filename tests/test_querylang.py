"""The query language and query-time synonyms: every rule, and no input that raises."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.article import Article
from indexer.index import build_index
from indexer.querylang import clean, parse
from indexer.results import MAX_QUERY_CHARS, Query
from indexer.search import SearchEngine
from indexer.synonyms import Synonyms, SynonymTable


def groups(p):
    return [[c.text for c in g] for g in p.groups]


def test_words_are_anded_and_or_joins_neighbours():
    assert groups(parse("产教融合 年会")) == [["产教融合"], ["年会"]]
    assert groups(parse("献血 OR 义诊 年会")) == [["献血", "义诊"], ["年会"]]
    assert groups(parse("献血 | 义诊")) == [["献血", "义诊"]]
    assert groups(parse("献血 or 义诊")) == [["献血", "义诊"]]
    assert groups(parse("献血 AND 义诊")) == [["献血"], ["义诊"]]


def test_quotes_make_exact_phrases_ascii_chinese_and_unbalanced():
    for q in ('"计算机学院"', "“计算机学院”", "「计算机学院」", '"计算机学院', "“计算机学院"):
        p = parse(q)
        assert groups(p) == [["计算机学院"]] and p.groups[0][0].phrase, q


def test_text_glued_to_a_quote_is_kept_as_its_own_word():
    p = parse("我院召开“双高”建设推进会")
    assert groups(p) == [["我院召开"], ["双高"], ["建设推进会"]]
    assert [c.phrase for g in p.groups for c in g] == [False, True, False]


def test_exclusions_title_only_and_not():
    p = parse('专利 -成果转化 NOT 通知 -"校企 合作"')
    assert groups(p) == [["专利"]]
    assert [c.text for c in p.excludes] == ["成果转化", "通知", "校企 合作"]
    p = parse('title:签约 标题:"产教融合"')
    assert all(c.title_only for g in p.groups for c in g)
    assert p.groups[1][0].phrase


def test_normalised_full_width_case_and_traditional():
    assert groups(parse("ＰＬＣ　產教融合")) == [["plc"], ["产教融合"]]
    assert groups(parse("1+X 证书")) == [["1+x"], ["证书"]]


@pytest.mark.parametrize("odd", ['"', '""', "“", "AND", "OR", "NOT", "*", "**", "?", "title:", "标题:",
                                 "title:\"", "-", "--", "- -", "OR OR", "AND OR NOT", "😀", "😀 *",
                                 "\x00\x1f\x7f", "\u200b\u200e", "\ud7ff", "<script>", "%", "\\", "'",
                                 "title:title:", "-title:", "NOT", "a" * 5000, "产" * 5000,
                                 "\"" * 301, "(", ")", "[]", "{}", "^", "~2", "产教~", "x:y"])
def test_odd_input_parses_without_error(odd):
    p = parse(odd)
    for g in p.groups:
        assert g and all(c.text.strip() for c in g)


def test_what_cannot_be_indexed_leaves_an_empty_query():
    for q in ("😀", "*", "\"\"", "title:", "- --", "？！。，"):
        assert parse(q).empty, q


def test_clean_drops_control_and_format_characters():
    assert clean("产教\x00融合\u200b 年会\t\n") == "产教融合 年会"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parse_never_raises(text):
    p = parse(text)
    p.needles()


# -- the engine never raises, whatever is typed ----------------------------------
ARTICLES = [
    ("马克思主义学院举办讲座", "马克思主义学院今日举办理论讲座，计算机学院师生参加。", "2023-04-22", "马克思主义学院"),
    ("华中数控校企合作", "我院与武汉华中数控股份有限公司签约，深化产教融合。1+X 证书 PLC", "2022-01-02", "智能制造学院"),
    ("产教融合年会召开", "成渝地区双城经济圈智能制造产教融合发展共同体年会开幕。", "2023-04-21", None),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory, engine_name):
    d = tmp_path_factory.mktemp("ix")
    build_index([Article(url=f"http://x/{i}", site="demo", title=t, body=b, published=p, department=dep)
                 for i, (t, b, p, dep) in enumerate(ARTICLES)], d)
    e = SearchEngine(d)
    yield e
    e.close()


_alphabet = st.sampled_from(list('产教融合年会马克思学院"“”-: *?|()ORANDNOTtitle标题1+xX ') + ["😀", "\x00", "ｔ", "產"])
_queries = st.one_of(st.text(max_size=80), st.lists(_alphabet, max_size=60).map("".join))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_queries, title_only=st.booleans(), page=st.integers(min_value=-3, max_value=40))
def test_search_never_raises(engine, text, title_only, page):
    res = engine.search(Query(text=text, title_only=title_only, page=page, size=5))
    assert res.total >= 0
    for h in res.hits:
        assert "<script" not in h.snippet_html


def test_long_queries_are_cut_and_said_so(engine):
    res = engine.search(Query(text="产教融合 " * 1000))
    assert res.truncated_query and len("产教融合 " * 1000) > MAX_QUERY_CHARS


# -- synonyms -----------------------------------------------------------------------
TABLE = SynonymTable.parse("""
# comment
宜职 宜宾职业技术学院
信工学院，信息工程学院
双高 双高计划
招聘会 => 双选会
人工智能 AI
lonely
=> nothing
""")


def test_synonym_groups_expand_both_ways():
    assert TABLE.expand("宜职") == ["宜宾职业技术学院"]
    assert TABLE.expand("宜宾职业技术学院") == ["宜职"]
    assert TABLE.expand("信工学院") == ["信息工程学院"]


def test_one_way_rules_expand_one_way():
    assert TABLE.expand("招聘会") == ["双选会"]
    assert TABLE.expand("双选会") == []


def test_a_variant_containing_the_term_is_left_out():
    assert TABLE.expand("双高") == []            # 双高 already finds 双高计划
    assert TABLE.expand("双高计划") == ["双高"]


def test_occurrences_inside_a_clause_are_replaced():
    assert TABLE.expand("信工学院团委") == ["信息工程学院团委"]
    assert "宜宾职业技术学院信息工程学院" in TABLE.expand("宜职信工学院")


def test_latin_terms_match_whole_words_and_input_is_normalised():
    assert TABLE.expand("ＡＩ") == ["人工智能"]
    assert TABLE.expand("email") == []           # no 'ai' inside a longer Latin word
    assert TABLE.expand("") == [] and TABLE.expand("无关") == []


def test_synonym_file_reloads_when_it_changes(tmp_path):
    f = tmp_path / "syn.txt"
    syn = Synonyms(f)
    assert syn.expand("宜职") == []              # no file: no synonyms, no error
    f.write_text("宜职 宜宾职业技术学院\n", encoding="utf-8")
    assert syn.expand("宜职") == ["宜宾职业技术学院"]
    f.write_text("宜职 宜宾职业技术学院 宜宾职院\n", encoding="utf-8")
    assert syn.expand("宜职") == ["宜宾职业技术学院", "宜宾职院"]
    f.unlink()
    assert syn.expand("宜职") == []


def test_the_shipped_synonyms_load():
    from indexer import synonyms
    assert synonyms.expand("宜职") == ["宜宾职业技术学院"]
    assert synonyms.expand("信工学院") == ["信息工程学院"]


def test_a_bar_without_spaces_is_or():
    assert groups(parse("献血|义诊")) == [["献血", "义诊"]]
    assert groups(parse("献血||义诊 年会")) == [["献血", "义诊"], ["年会"]]
    assert groups(parse("|献血|")) == [["献血"]]


def test_title_with_a_space_after_the_colon_applies_to_the_next_word():
    p = parse("title: 签约 产教融合")
    assert groups(p) == [["签约"], ["产教融合"]]
    assert [c.title_only for g in p.groups for c in g] == [True, False]
    assert parse('标题: "产教融合"').groups[0][0].title_only
    p = parse("-title: 通知 专利")
    assert [(c.text, c.title_only) for c in p.excludes] == [("通知", True)]
    assert parse("title:").empty


# -- snippets --------------------------------------------------------------------------
def test_snippet_picks_the_passage_with_most_query_words_and_escapes():
    from indexer.highlight import snippet
    body = "产教" + "无关文字" * 60 + "<b>产教融合年会</b>在宜宾召开" + "其他" * 80
    out = snippet(body, ["产教融合", "年会"])
    assert "<mark>产教融合</mark><mark>年会</mark>" in out or "<mark>产教融合年会</mark>" in out
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert out.startswith("…") and out.endswith("…")


def test_snippet_of_many_matches_is_one_window():
    from indexer.highlight import snippet
    out = snippet("院" * 20000, ["院"], width=50)
    assert len(out) < 50 * 15 and out.endswith("…")   # the window, not the whole body


def test_a_run_of_overlapping_matches_does_not_swallow_the_body():
    from indexer.highlight import snippet
    out = snippet("院" * 5000, ["院院"], width=60)
    assert out.count("院") <= 60 + 30 and out.endswith("…")
