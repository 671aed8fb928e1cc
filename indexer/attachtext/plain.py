"""Plain text and CSV: a byte-order mark, else UTF-8, else GB18030 (which reads
GB2312 and GBK), else what charset-normalizer makes of it."""
from __future__ import annotations

import codecs
import csv

import charset_normalizer

from .base import Output, Unreadable

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def read_text(data: bytes, out: Output) -> str:
    return _lines(decode(data[: out.max_chars * 4]), out)


def read_csv(data: bytes, out: Output) -> str:
    text = decode(data[: out.max_chars * 4])
    try:
        rows = [" ".join(cell.strip() for cell in row if cell.strip()) for row in csv.reader(text.splitlines())]
    except csv.Error:  # a NUL, a field over csv's limit: read it as plain text
        return _lines(text, out)
    return _lines("\n".join(rows), out)


def _lines(text: str, out: Output) -> str:
    for line in text.splitlines():
        if not out.add(line):
            break
    return out.text()


def decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom):], encoding)
    if b"\x00" in data[:4096]:
        raise Unreadable("corrupt")  # binary, not text
    for encoding in ("utf-8", "gb18030"):
        try:
            return _decode(data, encoding, strict=True)
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    return _decode(data, best.encoding if best else "utf-8")


def _decode(data: bytes, encoding: str, strict: bool = False) -> str:
    # Incremental, so that a character cut at the end of a bounded read is dropped, not an error.
    decoder = codecs.getincrementaldecoder(encoding)("strict" if strict else "replace")
    return decoder.decode(data, final=False)
