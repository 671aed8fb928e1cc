"""An attachment's bytes as plain text, for the index: a pure function, no network.

    attachment_text(data, "2023年招生计划.pdf")
    → AttachmentText(text='关于2023年招生计划的通知\\n各二级学院：…', kind='pdf', error=None, truncated=False)

The kind comes from the bytes first (see `detect`), then the name's extension,
then the Content-Type. It never raises: what cannot be read comes back with no
text and a short reason in `error`:

- "unsupported": a kind not read here (images, archives, HTML, OFD, …)
- "encrypted": it needs a password
- "corrupt": a reader could not make sense of it (truncated, not what its name says)
- "too-large": over max_bytes (or unzipping to over ten times that), or out of time
- "no-text": read, but no text inside (a scanned PDF, an empty document)
- "tool-missing": an old .doc, and neither antiword nor catdoc is installed

The work is bounded: max_bytes of input, max_pages of a PDF, max_chars of text
(then `truncated` is set), and `timeout` seconds, after which a reader stops
where it is (its subprocess is killed).

One module per family of formats; each reader fills an `Output` and raises
`Unreadable` with a reason when it must.
"""
from __future__ import annotations

from dataclasses import dataclass

from .base import Output, Unreadable, cut, tidy
from .detect import OLE_MAGIC, OOXML, kind_of, unzipped_size
from .pdf import read_pdf
from .plain import read_csv, read_text
from .sheets import read_xls, read_xlsx
from .slides import read_ppt, read_pptx
from .word import read_doc, read_docx, read_rtf

__all__ = ["AttachmentText", "attachment_text", "ERRORS"]

ERRORS = ("unsupported", "encrypted", "corrupt", "too-large", "no-text", "tool-missing")

_READERS = {
    "docx": read_docx, "doc": read_doc, "rtf": read_rtf,
    "xlsx": read_xlsx, "xls": read_xls,
    "pptx": read_pptx, "ppt": read_ppt,
    "txt": read_text, "csv": read_csv,
}


@dataclass(frozen=True)
class AttachmentText:
    text: str
    kind: str
    error: str | None = None
    truncated: bool = False


def attachment_text(
    data: bytes,
    name: str = "",
    content_type: str | None = None,
    *,
    max_chars: int = 200_000,
    max_pages: int = 300,
    max_bytes: int = 50_000_000,
    timeout: float = 60.0,
) -> AttachmentText:
    kind = "unknown"
    try:
        data = bytes(data)
        if len(data) > max_bytes:
            return AttachmentText("", kind_of(data[:4096], name or "", content_type), "too-large")
        kind = kind_of(data, name or "", content_type)
        if kind in OOXML and unzipped_size(data) > 10 * max_bytes:  # a zip bomb
            return AttachmentText("", kind, "too-large")
        if kind == "ooxml" or kind in OOXML and data.startswith(OLE_MAGIC):
            return AttachmentText("", kind, "encrypted")
        if kind != "pdf" and kind not in _READERS:
            return AttachmentText("", kind, "unsupported")
        out = Output(max_chars, timeout)
        raw = read_pdf(data, out, max_pages) if kind == "pdf" else _READERS[kind](data, out)
        text = tidy(raw)
        if not text:  # nothing inside, or the limits ran out before anything was read
            return AttachmentText("", kind, "too-large" if out.truncated else "no-text")
        short = cut(text, max_chars)
        return AttachmentText(short, kind, None, out.truncated or len(short) < len(text))
    except Unreadable as unreadable:
        return AttachmentText("", kind, unreadable.reason)
    except MemoryError:
        return AttachmentText("", kind, "too-large")
    except Exception:  # whatever a library raises on a broken file
        return AttachmentText("", kind, "corrupt")
