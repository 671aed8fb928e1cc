"""Decoding college pages: GBK with wrong headers, meta declarations, BOMs, guesses."""
from __future__ import annotations

import pytest

from indexer.charset import canonical_encoding, decode_html, is_html

TEXT = "宜宾职业技术学院智能制造学院举办产教融合年会，华中数控参加。"


def page(charset_meta: str | None, body: str = TEXT) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' if charset_meta else ""
    return f"<html><head>{meta}<title>测试</title></head><body><p>{body}</p></body></html>"


def test_gbk_page_with_wrong_utf8_header_uses_meta():
    raw = page("gb2312").encode("gbk")
    text, enc = decode_html(raw, header_charset="utf-8")
    assert enc == "gb18030"
    assert TEXT in text and "\ufffd" not in text


def test_gbk_page_with_latin1_server_default_header():
    raw = page("gbk").encode("gbk")
    text, enc = decode_html(raw, header_charset="ISO-8859-1")
    assert enc == "gb18030" and TEXT in text


def test_utf8_page_wrongly_labelled_gbk_in_header():
    raw = page("utf-8").encode("utf-8")
    text, enc = decode_html(raw, header_charset="gbk")
    assert enc == "utf-8" and TEXT in text


def test_header_wins_when_it_decodes_cleanly():
    raw = page(None).encode("gbk")
    text, enc = decode_html(raw, header_charset="GBK")
    assert enc == "gb18030" and TEXT in text


def test_gbk_only_characters_in_a_gb2312_page():
    # 镕 and 堃 are outside GB2312: pages labelled gb2312 contain them anyway
    body = "朱镕基 王堃 " + TEXT
    raw = page("gb2312", body).encode("gbk")
    text, enc = decode_html(raw)
    assert enc == "gb18030" and body in text


def test_meta_charset_short_form():
    raw = f'<html><head><meta charset="GBK"></head><body>{TEXT}</body></html>'.encode("gbk")
    text, enc = decode_html(raw)
    assert enc == "gb18030" and TEXT in text


def test_forced_encoding_wins():
    raw = page("utf-8").encode("gbk")  # the meta lies; the site configuration knows
    text, enc = decode_html(raw, header_charset="utf-8", forced="gbk")
    assert enc == "gb18030" and TEXT in text


def test_bom():
    raw = b"\xef\xbb\xbf" + page(None).encode("utf-8")
    text, enc = decode_html(raw)
    assert enc == "utf-8-sig" and text.startswith("<html>") and TEXT in text
    raw16 = page(None).encode("utf-16")
    text, enc = decode_html(raw16)
    assert enc == "utf-16" and TEXT in text


def test_detection_without_any_declaration():
    raw = page(None, TEXT * 20).encode("gbk")
    text, enc = decode_html(raw)
    assert TEXT in text
    assert enc in ("gb18030", "gbk", "gb2312", "big5hkscs") or "\ufffd" not in text


def test_undeclared_utf8():
    text, enc = decode_html(page(None).encode("utf-8"))
    assert enc == "utf-8" and TEXT in text


def test_unknown_and_garbage_never_raise():
    raw = page("x-no-such-charset").encode("utf-8")
    text, enc = decode_html(raw, header_charset="bogus")
    assert TEXT in text
    text, enc = decode_html(bytes(range(256)) * 3, header_charset="utf-8")
    assert isinstance(text, str) and enc
    assert decode_html(b"")[0] == ""


def test_truncated_page_keeps_its_encoding():
    # a long page cut off in the middle of its last (three-byte) character
    cut = (page("utf-8") * 50 + "中").encode("utf-8")[:-1]
    text, enc = decode_html(cut, header_charset="utf-8")
    assert enc == "utf-8" and TEXT in text


@pytest.mark.parametrize("label,want", [("GB2312", "gb18030"), ("gb_2312-80", "gb18030"), ("x-gbk", "gb18030"),
                                        ("GBK", "gb18030"), ("UTF8", "utf-8"), ("utf-8", "utf-8"),
                                        ("nonsense", None), (None, None)])
def test_canonical_names(label, want):
    assert canonical_encoding(label) == want


def test_is_html():
    html = page("utf-8").encode()
    assert is_html("text/html; charset=utf-8", html)
    assert is_html(None, html)
    assert is_html("application/octet-stream", html)
    assert is_html("text/plain", b"  <!DOCTYPE html><html><body>x</body></html>")
    assert not is_html("application/pdf", b"%PDF-1.4 ...")
    assert not is_html("text/html", b"%PDF-1.4 ...")
    assert not is_html(None, b"\x89PNG\r\n\x1a\n....")
    assert not is_html("image/jpeg", html)
    assert not is_html(None, b"just some words, no markup")
    assert not is_html(None, b"")
