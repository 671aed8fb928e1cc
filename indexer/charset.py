"""Turning the bytes of a college web page into text.

Chinese college sites still serve many pages in GBK/GB2312, often with an HTTP
header that says something else (or nothing). :func:`decode_html` weighs every
declaration it can find and never raises:

1. an encoding forced by the site configuration wins outright;
2. otherwise the candidates are, in this order, the HTTP ``charset``, the
   ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` declaration in the
   first 4 KB, and a byte-order mark;
3. the first candidate that decodes cleanly wins, with two corrections for
   declarations that are plainly wrong: a candidate that decodes with errors
   loses to one that decodes without, and text that is valid UTF-8 (and not
   plain ASCII) is read as UTF-8 even when a GBK or single-byte declaration
   comes first (GB18030 and Latin-1 accept almost any bytes, UTF-8 does not, so
   valid UTF-8 is the stronger evidence);
4. with no usable declaration, charset-normalizer guesses;
5. the last resort is UTF-8 with replacement characters.

GB2312, GBK and their aliases are decoded as GB18030, their superset: pages
labelled GB2312 routinely contain GBK-only characters (生僻字 in names).
"""
from __future__ import annotations

import codecs
import re

__all__ = ["decode_html", "is_html", "canonical_encoding"]

_GB_ALIASES = {
    "gb2312", "gb_2312", "gb_2312-80", "gb2312-80", "csgb2312", "gbk", "x-gbk", "cp936",
    "windows-936", "ms936", "euc-cn", "x-euc-cn", "chinese", "iso-ir-58", "csiso58gb231280",
    "gb18030", "gb-18030",
}
# Single-byte labels that servers send by default (Tomcat, IIS) without meaning it.
_WEAK = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}

_META_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def canonical_encoding(name: str | None) -> str | None:
    """The Python codec name for a declared charset label, or ``None`` if unknown.

    >>> canonical_encoding("GB2312"), canonical_encoding("UTF8"), canonical_encoding("nonsense")
    ('gb18030', 'utf-8', None)
    """
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if not label:
        return None
    if label in _GB_ALIASES:
        return "gb18030"
    if label in ("utf8", "utf-8", "unicode-1-1-utf-8", "x-unicode20utf8"):
        return "utf-8"
    if label in ("big5", "big5-hkscs", "x-x-big5", "cn-big5"):
        return "big5hkscs"
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if info.name in ("gbk", "gb2312", "gb18030", "cp936"):
        return "gb18030"
    return info.name


def _sniff_meta(raw: bytes) -> str | None:
    m = _META_RE.search(raw[:4096])
    return m.group(1).decode("ascii", "ignore") if m else None


def _sniff_bom(raw: bytes) -> str | None:
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    return None


def _errors(raw: bytes, encoding: str) -> int:
    """How many replacement characters decoding introduces (not counting any the
    document itself contains as valid UTF-8)."""
    try:
        raw.decode(encoding)
        return 0
    except UnicodeDecodeError:
        pass
    except LookupError:
        return 1 << 30
    text = raw.decode(encoding, "replace")
    own = raw.count(b"\xef\xbf\xbd") if encoding.startswith("utf-8") else 0
    return max(1, text.count("\ufffd") - own)


def _tolerable(errors: int, size: int) -> bool:
    # A page cut off mid-character (or with one stray byte) is still that encoding;
    # a page in the wrong encoding produces errors all through it.
    return errors == 0 or errors <= size // 20000


def decode_html(raw: bytes, header_charset: str | None = None,
                forced: str | None = None) -> tuple[str, str]:
    """Decode a page: ``(text, encoding used)``. Never raises."""
    if isinstance(raw, str):  # already text: nothing to decide
        return raw, "unicode"
    raw = bytes(raw or b"")
    forced_enc = canonical_encoding(forced)
    if forced_enc:
        return _decode(raw, forced_enc), forced_enc

    candidates: list[str] = []
    for label in (header_charset, _sniff_meta(raw), _sniff_bom(raw)):
        enc = canonical_encoding(label)
        if enc and enc not in candidates:
            candidates.append(enc)
    bom = _sniff_bom(raw)
    if bom and bom != "utf-8-sig":
        # UTF-16/32 text cannot be read as anything else.
        return _decode(raw, bom), bom

    ascii_only = raw.isascii()
    scored = [(enc, _errors(raw, enc)) for enc in candidates]
    clean = [(enc, err) for enc, err in scored if _tolerable(err, len(raw))]
    if clean:
        best_err = min(err for _, err in clean)
        ranked = [enc for enc, err in clean if err == best_err]
        choice = ranked[0]
        if not ascii_only:
            utf8 = next((e for e in ranked if e in ("utf-8", "utf-8-sig")), None)
            if utf8 and choice not in ("utf-8", "utf-8-sig"):
                choice = utf8
            elif choice in _WEAK:
                # Latin-1 decodes anything; a multi-byte declaration that also
                # decodes cleanly is what the author meant.
                strong = next((e for e in ranked if e not in _WEAK), None)
                choice = strong or choice
        if choice == "utf-8" and raw.startswith(codecs.BOM_UTF8):
            choice = "utf-8-sig"
        return _decode(raw, choice), choice

    # No declaration, or every declaration is wrong: valid UTF-8 first, then a guess.
    if _errors(raw, "utf-8") == 0:
        enc = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"
        return _decode(raw, enc), enc
    guess = _detect(raw)
    if guess and _tolerable(_errors(raw, guess), len(raw)):
        return _decode(raw, guess), guess
    # Least bad of what we have.
    pool = scored + ([(guess, _errors(raw, guess))] if guess else []) + [("gb18030", _errors(raw, "gb18030"))]
    enc, err = min(pool, key=lambda item: item[1])
    if _tolerable(err, len(raw)) or err < _errors(raw, "utf-8"):
        return _decode(raw, enc), enc
    return _decode(raw, "utf-8"), "utf-8"


def _detect(raw: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(raw[:200_000]).best()
    except Exception:  # a detector failure must not fail the page
        return None
    return canonical_encoding(best.encoding) if best is not None else None


def _decode(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding, "replace")
    except LookupError:
        return raw.decode("utf-8", "replace")


_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml+xhtml")
_NOT_HTML_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip",
                   "application/msword", "application/vnd.", "application/x-rar",
                   "application/octet-stream", "application/json", "text/css",
                   "application/javascript", "text/javascript", "application/x-")
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0",
                 b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf", b"BM", b"ID3", b"\x00\x00\x00")
_HTML_SNIFF = re.compile(rb"<\s*(!doctype\s+html|html|head|body|title|meta|div|p|table|script|a\s)", re.I)


def is_html(content_type: str | None, raw: bytes) -> bool:
    """Whether a response is an HTML page worth parsing.

    A declared HTML type is trusted unless the bytes are plainly a binary file; a
    declared non-HTML type (PDF, images, office files …) is not HTML; with no type,
    ``text/plain`` or ``application/octet-stream``, the first bytes decide.
    """
    raw = bytes(raw or b"")
    head = raw[:2048]
    for bom, _ in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    stripped = head.lstrip()
    binary = any(stripped.startswith(m) for m in _BINARY_MAGIC if m != b"\x00\x00\x00") or \
        head.startswith(b"\x00\x00\x00") or b"\x00" in head[:512]
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _HTML_TYPES:
        return not binary
    if media and media not in ("text/plain", "application/octet-stream") and \
            any(media.startswith(t) for t in _NOT_HTML_TYPES):
        return False
    if binary:
        return False
    return bool(_HTML_SNIFF.search(stripped[:2048]))
