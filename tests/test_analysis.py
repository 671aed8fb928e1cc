from indexer.analysis import gram_tokens, normalise, query_grams, query_words, word_tokens
from indexer.highlight import highlight, snippet
from indexer.querylang import parse


def test_normalise_keeps_length_and_folds_width_and_case():
    s = "ＰＬＣ与ＡＩ　１＋Ｘ证书"
    n = normalise(s)
    assert len(n) == len(s)
    assert n == "plc与ai 1+x证书"


def test_grams_have_sequential_positions_and_cover_every_substring():
    text = "马克思主义学院，产教融合"
    toks = list(gram_tokens(text))
    assert [t.text for t in toks if len(t.text) == 2] == ["马克", "克思", "思主", "主义", "义学", "学院",
                                                          "产教", "教融", "融合"]
    # a query's grams occur at consecutive positions in the text's grams
    by_text = {}
    for t in toks:
        by_text.setdefault(t.text, []).append(t.pos)
    for sub in ("克思主", "主义学院", "教融合"):
        grams = query_grams(sub)
        starts = set(by_text[grams[0]])
        for i, g in enumerate(grams[1:], 1):
            starts &= {p - i for p in by_text.get(g, [])}
        assert starts, sub


def test_latin_and_digits_stay_whole():
    assert query_grams("1+X证书") == ["1+x", "证书"]
    assert "plc" in query_words("PLC编程")
    assert "2023" in [t.text for t in word_tokens("2023年")]


def test_words_are_jieba_precise_mode_with_offsets():
    toks = list(word_tokens("宜宾职业技术学院"))
    assert "".join(t.text for t in toks) == "宜宾职业技术学院"
    assert [t.pos for t in toks] == list(range(len(toks)))


def test_query_language():
    p = parse('产教融合 "计算机 学院" -华为 title:数控 A OR B')
    assert [[c.text for c in g] for g in p.groups] == [["产教融合"], ["计算机 学院"], ["数控"], ["a", "b"]]
    assert p.groups[1][0].phrase and p.groups[2][0].title_only
    assert [c.text for c in p.excludes] == ["华为"]
    for odd in ['"', "AND", "*", "title:", "-", "OR OR", "😀", "\x00\x1f", "“未闭合"]:
        parse(odd)  # never raises
    assert parse("😀 *").empty


def test_highlight_escapes_and_marks_whole_matches():
    assert highlight("<b>华中数控</b>", ["华中"]) == "&lt;b&gt;<mark>华中</mark>数控&lt;/b&gt;"
    assert highlight("AI said ai", ["ai"]) == "<mark>AI</mark> said <mark>ai</mark>"
    assert highlight("R&D PLCs中心", ["plc", "d"]) == "R&amp;<mark>D</mark> PLCs中心"  # Latin words stand alone
    s = snippet("前言" * 100 + "华中数控的产教融合" + "后记" * 100, ["华中", "产教融合"])
    assert "<mark>华中</mark>" in s and "<mark>产教融合</mark>" in s and s.startswith("…")


def test_traditional_characters_fold_to_simplified_one_for_one():
    assert normalise("計算機學院後勤") == "计算机学院后勤"
    assert normalise("乾隆") == "乾隆"   # also a simplified character: left alone


# -- the indexing fast paths give exactly the token streams' postings ---------------
_SAMPLES = ["", "a", "马", "马克", "马克思主义学院，产教融合", "ＰＬＣ与ＡＩ　１＋Ｘ证书 計算機學院後勤",
            "1+x证书，c++ 和 covid-19 3.5 。马 克思", "😀ab中文😀 Ünïcode İstanbul ǅ", "乾隆年间\n\n新闻" * 3]


def test_normalise_table_equals_the_per_character_fold():
    from indexer.analysis import _fold_char
    text = "".join(chr(c) for c in range(0x20, 0x3000, 7)) + "".join(chr(c) for c in range(0x4e00, 0x9fff, 13)) \
        + "".join(chr(c) for c in range(0xff00, 0xff70)) + "\U00010400\U0001d400\U00020000"
    assert normalise(text) == "".join(_fold_char(c) for c in text)
    assert len(normalise(text)) == len(text)


def test_gram_postings_and_word_counts_equal_the_token_streams():
    from collections import Counter

    from indexer.analysis import gram_postings, word_counts
    for text in _SAMPLES:
        expected: dict[str, list[int]] = {}
        for t in gram_tokens(text):
            expected.setdefault(t.text, []).append(t.pos)
        assert gram_postings(text) == expected, text
        assert word_counts(text) == dict(Counter(t.text for t in word_tokens(text))), text


def test_the_gram_sequence_is_the_postings_in_order():
    """What the index receives as one token stream is what ``gram_postings`` says:
    the same tokens, each run's last character right after its last bigram."""
    from indexer.analysis import gram_postings, gram_sequence
    for text in _SAMPLES:
        postings = gram_postings(text)
        expected = [g for _, g in sorted(((p, g) for g, ps in postings.items() for p in ps),
                                         key=lambda t: (t[0], -len(t[1])))]
        assert gram_sequence(text) == expected, text
