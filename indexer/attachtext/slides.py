"""Presentations: .pptx (python-pptx) and old .ppt, whose text atoms are read
from the "PowerPoint Document" stream (olefile) by walking its records: no
maintained Python library reads .ppt, and catppt misses text that is not in a
placeholder of the slide list."""
from __future__ import annotations

import io
import struct

import olefile
import pptx

from .base import Output, Unreadable


def read_pptx(data: bytes, out: Output) -> str:
    for slide in pptx.Presentation(io.BytesIO(data)).slides:
        texts = [text for shape in slide.shapes for text in _shape_texts(shape)]
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text if slide.notes_slide.notes_text_frame else "")
        if not all(out.add(text) for text in texts):
            break
    return out.text()


def _shape_texts(shape) -> list[str]:
    if hasattr(shape, "shapes"):  # a group
        return [text for inner in shape.shapes for text in _shape_texts(inner)]
    if getattr(shape, "has_table", False):
        return [" ".join(cell.text for cell in row.cells) for row in shape.table.rows]
    if getattr(shape, "has_text_frame", False):
        return [paragraph.text for paragraph in shape.text_frame.paragraphs]
    return []


_TEXT_CHARS, _TEXT_BYTES = 0x0FA0, 0x0FA8  # UTF-16 text; text of one byte a character
_MASTERS = {0x03F8, 0x0FC9}  # MainMaster, Handout: "Click to edit Master title style"
_CRYPT_SESSION = 0x2F14


def read_ppt(data: bytes, out: Output) -> str:
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if ole.exists("EncryptedSummary"):
            raise Unreadable("encrypted")
        stream = ole.openstream("PowerPoint Document").read()
    seen: set[str] = set()
    for text in _texts(stream, 0):
        text = text.replace("\r", "\n").replace("\x0b", "\n")
        if text.strip() not in seen and text.strip() != "*":  # "*": a slide number's field
            seen.add(text.strip())
            if not out.add(text):
                break
    return out.text()


def _texts(records: bytes, depth: int):
    """The text atoms of a run of records, in order, recursing into containers."""
    offset = 0
    while offset + 8 <= len(records) and depth < 16:
        version, kind, length = struct.unpack_from("<HHI", records, offset)
        body = records[offset + 8: offset + 8 + length]
        offset += 8 + length
        if kind == _CRYPT_SESSION:
            raise Unreadable("encrypted")
        if version & 0x0F == 0x0F:
            if kind not in _MASTERS:
                yield from _texts(body, depth + 1)
        elif kind == _TEXT_CHARS:
            yield body.decode("utf-16-le", "replace")
        elif kind == _TEXT_BYTES:
            yield body.decode("latin-1")
