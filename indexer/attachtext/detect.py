"""What kind of file some bytes are: their magic bytes first (a server's name or
type is often wrong: `.doc` files that are RTF, HTML error pages served for a
`.pdf` link), then the name's extension, then the Content-Type."""
from __future__ import annotations

import io
import re
import zipfile

import olefile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML = ("docx", "xlsx", "pptx")

EXTENSIONS = {
    "pdf": "pdf", "doc": "doc", "dot": "doc", "wps": "doc", "rtf": "rtf",
    "docx": "docx", "xls": "xls", "xlt": "xls", "et": "xls", "xlsx": "xlsx", "xlsm": "xlsx",
    "ppt": "ppt", "pps": "ppt", "dps": "ppt", "pptx": "pptx",
    "txt": "txt", "text": "txt", "csv": "csv",
}
CONTENT_TYPES = {
    "application/pdf": "pdf", "application/x-pdf": "pdf",
    "application/msword": "doc", "application/rtf": "rtf", "text/rtf": "rtf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "text/plain": "txt", "text/csv": "csv",
}
# Formats that are recognised only to be refused.
_OTHER_MAGIC = (
    (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"), (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"), (b"\x1f\x8b", "gzip"), (b"FWS", "swf"), (b"CWS", "swf"),
)
_ZIP_MEMBERS = (
    ("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("ppt/presentation.xml", "pptx"),
    ("OFD.xml", "ofd"), ("content.xml", "odf"),
)
_OLE_STREAMS = (
    ("EncryptedPackage", "ooxml"), ("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"),
    ("PowerPoint Document", "ppt"),
)
_EXTENSION = re.compile(r"\.([a-z0-9]{2,4})(?![a-z0-9])")


def kind_of(data: bytes, name: str = "", content_type: str | None = None) -> str:
    hint = _by_name(name) or CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower())
    magic = _by_magic(data)
    if magic == "zip":
        return _zip_kind(data) or (hint if hint in OOXML else "zip")
    if magic == "ole":
        kind = _ole_kind(data) or (hint if hint in ("doc", "xls", "ppt") else "ole")
        # An Office 2007+ file with a password is an OLE file holding the encrypted package.
        return (hint if hint in OOXML else "ooxml") if kind == "ooxml" else kind
    return magic or hint or "unknown"


def _by_name(name: str) -> str | None:
    found = [EXTENSIONS[ext] for ext in _EXTENSION.findall(name.lower()) if ext in EXTENSIONS]
    return found[-1] if found else None


def _by_magic(data: bytes) -> str | None:
    head = data[:1024]
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if b"%PDF-" in head:
        return "pdf"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"{\\rtf"):
        return "rtf"
    if start.startswith(b"<"):
        lower = head.lower()
        if b"<html" in lower or b"<!doctype html" in lower:
            return "html"
        if start.startswith(b"<?xml"):
            return "xml"
    return next((kind for magic, kind in _OTHER_MAGIC if head.startswith(magic)), None)


def _zip_kind(data: bytes) -> str | None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except Exception:
        return None
    return next((kind for member, kind in _ZIP_MEMBERS if member in names), None)


def _ole_kind(data: bytes) -> str | None:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(path) for path in ole.listdir()}
    except Exception:
        return None
    return next((kind for stream, kind in _OLE_STREAMS if stream in streams), None)


def unzipped_size(data: bytes) -> int:
    """What a zip's members declare they unpack to (zipfile reads no more than that)."""
    try:
        return sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except Exception:
        return 0
