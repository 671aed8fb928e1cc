"""No page, however malformed, makes extract() raise anything but ExtractError:
real college pages (shared/real-pages, shared/field-samples, the demo site)
mutated by hypothesis — cut, spliced, bytes flipped, links with broken hosts,
markup left open, wrong charsets declared."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.article import Article, ExtractError
from indexer.extract import extract

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PAGES = sorted([*SHARED.glob("real-pages/*.html"), *SHARED.glob("field-samples/*article*.html")])[:30] or \
    sorted((ROOT / "data" / "demo-site" / "info").glob("*/*.htm"))[:30]
RAW = [p.read_bytes() for p in PAGES]

JUNK = [b'<a href="http://[Nucl. Phys. B 612 (2001) 25]/x.htm">x</a>',
        '<a href="http://天津日报：天工开物 向“新”而行/">y</a>'.encode(),
        b'<a href="javascript:void(0)">', b"<div><div><div><table><tr><td>", b"</body></html>",
        b'<meta charset="gbk">', b'<meta http-equiv="refresh" content="0;url=http://[::1">',
        b"\x00\xff\xfe", b'<img src="data:image/png;base64,AAAA">', b"<!--", b"<script>", b"<iframe src=x.pdf>",
        '<p>（供稿：</p><p>2023年13月40日</p>'.encode(), b'<div class="dqwz">' + b">" * 500 + b"</div>"]


@st.composite
def mutated(draw):
    raw = draw(st.sampled_from(RAW))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(raw)))
        j = draw(st.integers(i, min(len(raw), i + 4000)))
        how = draw(st.sampled_from(["cut", "junk", "flip", "truncate", "dup"]))
        if how == "cut":
            raw = raw[:i] + raw[j:]
        elif how == "junk":
            raw = raw[:i] + draw(st.sampled_from(JUNK)) + raw[i:]
        elif how == "flip":
            raw = raw[:i] + bytes((b ^ 0x5A) for b in raw[i:j][:64]) + raw[i + min(64, j - i):]
        elif how == "truncate":
            raw = raw[:i]
        else:
            raw = raw[:j] + raw[i:j] + raw[j:]
    return raw


def test_there_are_pages_to_mutate():
    assert RAW


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(mutated(), st.sampled_from(["http://www.example.edu.cn/info/1001/1.htm",
                                   "https://cs.fudan.edu.cn/16/d1/c24754a267985/page.htm",
                                   "http://[bad/x.htm"]))
def test_extract_returns_an_article_or_a_reason(raw, url):
    try:
        article = extract(url, raw)
    except ExtractError as exc:
        # a reason the rules gave, not the safety net catching a rule that broke
        assert exc.reason != "internal-error", exc.message
        assert exc.reason and exc.message
    else:
        assert isinstance(article, Article) and article.title
