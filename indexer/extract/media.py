"""Images and attachments linked from the article."""
from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from bs4 import Tag

from indexer.article import Attachment, Image
from indexer.extract.text import inline_text, join_url, norm

_ATTACH_EXT = re.compile(r"\.(pdf|docx?|xlsx?|zip|rar|7z|pptx?|wps|et|dps|txt|csv|ofd|caj)$", re.I)
_ATTACH_URL = re.compile(r"(download\.jsp|DownloadAttachUrl|/_upload/article/files/|downloadfile|"
                         r"/attach(?:ment)?s?/)", re.I)
_ICON = re.compile(r"(/icon|icon_|_icon|fileicon|/_ueditor/themes/|/images/file|/ueditor/dialogs/|"
                   r"/system/resource/|/emotion|/smiley|spacer\.gif|blank\.gif|loading\.gif)", re.I)


def images_of(root: Tag, base: str) -> list[Image]:
    out: list[Image] = []
    seen: set[str] = set()
    for img in root.find_all("img"):
        src = ""
        for attr in ("data-src", "data-original", "original-src", "data-url", "src"):
            value = img.get(attr)
            if value and not str(value).startswith("data:"):
                src = str(value).strip()
                break
        if not src or _ICON.search(src):
            continue
        try:
            w, h = int(str(img.get("width", "99")).rstrip("px")), int(str(img.get("height", "99")).rstrip("px"))
            if w <= 24 or h <= 24:
                continue
        except ValueError:
            pass
        url = join_url(base, src)
        if url is None:
            continue
        if url in seen:
            continue
        seen.add(url)
        out.append(Image(url=url, alt=norm(str(img.get("alt") or img.get("title") or ""))))
    return out


def attachments_of(roots: Iterable[Tag], base: str) -> list[Attachment]:
    out: list[Attachment] = []
    seen: set[str] = set()
    for root in roots:
        for a in root.find_all("a", href=True):
            href = str(a["href"]).strip()
            if not href or href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = join_url(base, href)
            if url is None:
                continue
            path = urlsplit(url).path
            if not (_ATTACH_EXT.search(path) or _ATTACH_URL.search(url)):
                continue
            if url in seen:
                continue
            seen.add(url)
            name = inline_text(a)
            if not name:
                attr = str(a.get("sudyfile-attr") or "")
                m = re.search(r"'title'\s*:\s*'([^']+)'", attr)
                name = m.group(1) if m else str(a.get("title") or "") or path.rsplit("/", 1)[-1]
            name = re.sub(r"^附件\s*\d*\s*[:：]\s*", "", norm(name))
            out.append(Attachment(url=url, name=name))
    return out


_VSB_PDF = re.compile(r"showVsbpdfIframe\s*\(\s*[\"']([^\"']+)[\"']")
_PDF_PARAM = re.compile(r"[?&](?:file|src|url|pdf)=([^&#]+\.pdf)", re.I)
_NAME_ATTR = re.compile(r"'title'\s*:\s*'([^']+)'")


def embedded_documents(root: Tag, base: str) -> list[Attachment]:
    """Documents a page shows in place of its text: VSB's ``showVsbpdfIframe(…)``,
    WebPlus's ``<div pdfsrc=…>`` player, an ``<iframe>``/``<embed>``/``<object>``
    of a PDF (directly or through a viewer's ``?file=``). Read before scripts and
    frames are dropped; marked ``embedded``, so that the crawler reads them as the
    article's text."""
    found: list[tuple[str, str]] = []
    for script in root.find_all("script"):
        for m in _VSB_PDF.finditer(script.string or script.get_text() or ""):
            found.append((m.group(1), ""))
    for el in root.find_all(attrs={"pdfsrc": True}):
        name = _NAME_ATTR.search(str(el.get("sudyfile-attr") or ""))
        found.append((str(el["pdfsrc"]), name.group(1) if name else ""))
    for el in root.find_all(["iframe", "embed", "object"]):
        src = str(el.get("src") or el.get("data") or "")
        m = _PDF_PARAM.search(src)
        if m:
            found.append((unquote(m.group(1)), ""))
        elif re.search(r"\.pdf(?:$|[?#])", src, re.I):
            found.append((src, ""))
    out: list[Attachment] = []
    seen: set[str] = set()
    for src, name in found:
        url = join_url(base, src)
        if url is None or url in seen:
            continue
        seen.add(url)
        out.append(Attachment(url=url, name=norm(name) or urlsplit(url).path.rsplit("/", 1)[-1], embedded=True))
    return out
