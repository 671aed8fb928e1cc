"""PDF: pdfplumber over pdfminer.six.

pdfplumber puts a page's characters on lines by their position, not by the
order the content stream draws them: quotes set in a fallback font stay inside
their sentence (`推进“三教”改革`; pypdf moved them to the line's start and
pdfminer's own layout into boxes of their own, on a LibreOffice export) and a
table reads row by row (pdfminer's boxes read it column by column); pypdf also
put spaces inside justified Chinese lines (`配 置 文 件`). Each visual line then
joins its paragraph again where the layout shows that it wraps."""
from __future__ import annotations

import io
import logging
import re

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from .base import CJK, Output, Unreadable

# pdfminer warns on every odd font of every page (FontBBox, CMap): noise in a crawl log.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

# A gap wider than a fifth of the font size is a space: pdfplumber's fixed 3 points
# glues the words of tightly set Latin lines ("ThePXEinstallationuses").
_WORD_GAP = 0.2
_CID = re.compile(r"\(cid:\d+\)")  # glyphs of a font without a Unicode map
# Three or more Chinese characters with a space after each: letter-spaced or justified text.
_SPACED = re.compile(rf"(?:[{CJK}] ){{2,}}[{CJK}]")
# The thin gap layout puts around figures inside Chinese text (`举办 2023 年`, `3 至 4 人`),
# which is no space in the text; a figure after a table cell (`大数据技术 120`) keeps its space.
_FIGURES = re.compile(rf"(?:(?<=[{CJK}])|^) ?([0-9]+(?:[.:][0-9]+)?) ?(?=[{CJK}])")
_SECTION_NUMBER = re.compile(r"\d+(?:\.\d+)+ ")
_IS_CJK = re.compile(rf"[{CJK}]")
_ENDS_SENTENCE = "。！？!?；;：:…"
_CLOSING = "”’」』）)】》"


def read_pdf(data: bytes, out: Output, max_pages: int) -> str:
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as error:
        cause = error.args[0] if error.args else error
        raise Unreadable("encrypted" if isinstance(cause, (PDFEncryptionError, PDFPasswordIncorrect)) else "corrupt")
    with pdf:
        pages, failed = pdf.pages, 0
        for number, page in enumerate(pages):
            if number >= max_pages or not out.room():
                out.truncated = True
                break
            try:
                lines = page.extract_text_lines(return_chars=False, x_tolerance_ratio=_WORD_GAP)
                if _doubled(lines):  # text drawn twice for a bold effect: "关关于于"
                    lines = page.dedupe_chars().extract_text_lines(return_chars=False, x_tolerance_ratio=_WORD_GAP)
            except Exception:
                failed += 1
                continue
            finally:
                page.close()
            for paragraph in _paragraphs(lines):
                out.add(_respace(_CID.sub("", paragraph)))
        if pages and failed == len(pages):
            raise Unreadable("corrupt")
    return out.text()


def _doubled(lines: list[dict]) -> bool:
    text = "".join(line["text"] for line in lines)
    pairs = sum(1 for a, b in zip(text, text[1:]) if a == b and not a.isspace())
    return len(text) >= 8 and pairs >= 0.3 * len(text)


def _respace(line: str) -> str:
    line = _SPACED.sub(lambda match: match.group().replace(" ", ""), line)
    number = _SECTION_NUMBER.match(line)  # "6.3.5 安装过程" keeps its space
    head, rest = (number.group(), line[number.end():]) if number else ("", line)
    return head + _FIGURES.sub(r"\1", rest)


def _paragraphs(lines: list[dict]) -> list[str]:
    """A page's lines, a wrapped line joined to the next where the layout shows it
    wraps: it runs to the right margin, the next starts no further right and
    follows closely, and the text does not end a sentence there."""
    lines = [line for line in lines if line["text"].strip()]
    if not lines:
        return []
    # The right margin: where two lines end together (a long URL may stick out past it).
    ends = sorted((line["x1"] for line in lines), reverse=True)
    right = next((end for end, below in zip(ends, ends[1:]) if end - below <= 2), ends[0])
    paragraphs = [lines[0]["text"]]
    for previous, line in zip(lines, lines[1:]):
        height = max(previous["bottom"] - previous["top"], 1.0)
        wraps = (
            previous["x1"] >= right - 2 * height
            and line["x0"] <= previous["x0"] + height / 2
            and -height / 2 <= line["top"] - previous["bottom"] <= 1.5 * height
        )
        glue = _glue(paragraphs[-1], line["text"]) if wraps else None
        if glue is None:
            paragraphs.append(line["text"])
        else:
            paragraphs[-1] += glue + line["text"]
    return paragraphs


def _glue(before: str, after: str) -> str | None:
    """What joins a wrapped line to the next: nothing between Chinese (and
    figures next to it), a space between Latin words, or None to keep the break."""
    before, after = before.rstrip(), after.lstrip()
    if not before or not after or before.rstrip(_CLOSING)[-1:] in _ENDS_SENTENCE:
        return None
    last, first = before[-1], after[0]
    if _IS_CJK.match(last) and (_IS_CJK.match(first) or first.isdigit()) or last.isdigit() and _IS_CJK.match(first):
        return ""
    if (last.isascii() and (last.isalnum() or last in ",-")) and (first.isascii() and first.isalnum()):
        return " "
    return None
