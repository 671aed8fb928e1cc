"""An extracted article's attachments: fetched, read, and their text kept with it.

The crawler calls :func:`read_attachments` once for every article it has just
extracted, before storing it. For each attachment the extractor found (a
document the article links to, or the one it shows in place of its text,
``embedded``):

* only readable kinds are fetched: ``.pdf .doc .docx .xls .xlsx .ppt .pptx .wps
  .et .txt .csv`` by the URL's or the link's file name; a link that names no
  kind (``download.jsp?…``) is fetched and its Content-Type and bytes decide;
  archives, images and other kinds are left alone;
* only on the site's allowed hosts, at most :data:`MAX_PER_ARTICLE` an article
  (embedded documents first), each at most ``[limits] max_attachment_bytes``,
  and each fetch counts against the run's page budget (``max_pages``);
* with the site's own :class:`~indexer.fetch.Fetcher`, so robots.txt, the
  per-host delay and the retries are the pages' own; conditionally (ETag,
  Last-Modified) when the stored article already has the attachment's text: a
  ``304``, or the same bytes again, reuse that text instead of reading the file
  again;
* read by :func:`indexer.attachtext.attachment_text` into ``Attachment.text``.

Each attachment is a ``pages`` row of kind ``attachment`` holding its validators
and the SHA-1 of its bytes (``body_hash``), not the bytes themselves.

What goes wrong with an attachment (off the allowed hosts, too large, a 404, a
scanned PDF with no text, a corrupt file) is a *warning* recorded under the
attachment's URL with a reason ``attachment-<why>`` (``attachment-offsite``,
``attachment-too-large``, ``attachment-http-404``, ``attachment-no-text`` …): it
is listed in ``news-indexer stats``, and is never the article's failure nor a
reason for exit status 1.

Then the article's body: a page whose body is empty and that embeds a document
with text takes that text as its body (a PDF-only notice). A page with no text
at all (no body, no image, no readable document) is stored all the same, its
title and its attachments' names findable, with the warning ``no-text`` under
its URL; its body stays empty, never its title or its info line.
"""
from __future__ import annotations

import copy
import hashlib
import logging
import re
import weakref
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from indexer.article import Article, Attachment
from indexer.store import ATTACHMENT_WARNING, PageRecord, now_iso

if TYPE_CHECKING:
    from indexer.crawl import Crawler
    from indexer.fetch import Fetcher

log = logging.getLogger(__name__)

#: Attachments fetched for one article at most (embedded documents first).
MAX_PER_ARTICLE = 10
#: Kinds worth fetching, by file name extension.
READABLE = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "txt", "csv"})
#: Seconds one attachment may take to read (a reader stops where it is then).
READ_TIMEOUT = 60.0
#: Fetch errors after which the text read before is kept (the file is probably
#: still there); after others (404, 410) it is dropped.
_GONE = ("http-404", "http-410")
_EXT = re.compile(r"\.([a-z0-9]{1,5})$", re.I)
#: Kinds not fetched: archives, images, media, formats no reader here knows.
_OTHER_KINDS = frozenset({"zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz", "ofd", "caj", "dps", "jpg", "jpeg",
                          "png", "gif", "bmp", "tif", "tiff", "webp", "mp3", "mp4", "avi", "wmv", "flv", "mov",
                          "swf", "exe", "apk", "iso", "dwg", "psd"})
_WHY = {
    "unsupported": "not a kind of document that can be read",
    "encrypted": "it needs a password",
    "corrupt": "it could not be read (damaged, or not what its name says)",
    "too-large": "too large to read, or it took too long",
    "no-text": "no text inside (a scanned document, or an empty one)",
    "tool-missing": "an old Word file, and neither antiword nor catdoc is installed",
}

_limited: "weakref.WeakKeyDictionary[Fetcher, Fetcher]" = weakref.WeakKeyDictionary()


def read_attachments(crawler: "Crawler", article: Article) -> None:
    """Fetch and read ``article``'s attachments and fill its empty body from an
    embedded document (see the module docstring). Never raises for what a site
    serves; the crawler's stop (Ctrl-C) goes through."""
    previous = _previous_texts(crawler, article.url)
    wanted = sorted(article.attachments, key=lambda a: not a.embedded)   # embedded first, else in order
    fetched = 0
    for att in wanted:
        kind = _kind(att)
        if kind is not None and kind not in READABLE:
            continue                                         # an archive, an image …: nothing to read
        if not crawler.site.is_allowed_host(att.url):
            _warn(crawler, att.url, "offsite", f"{_label(att)} is not on the site's allowed hosts "
                  f"({', '.join(crawler.site.allowed_hosts)}); add its host to allowed_hosts to read it")
            continue
        if fetched >= MAX_PER_ARTICLE or not crawler._budget_left():
            att.text = previous.get(att.url, "")     # not fetched this time: what was read before stays
            log.info("%s: attachment %s not fetched (%s)", article.url, att.url,
                     f"more than {MAX_PER_ARTICLE} attachments" if fetched >= MAX_PER_ARTICLE else
                     f"the run's page budget, max_pages={crawler.site.max_pages}, is spent")
            continue
        fetched += 1
        try:
            _read_one(crawler, att, previous.get(att.url, ""))
        except Exception as exc:   # a bug on one attachment is that attachment's warning
            from indexer.crawl import crash
            _warn(crawler, att.url, "crash", crash(exc))
    if not article.body.strip():
        texts = [a.text for a in article.attachments if a.embedded and a.text]
        if texts:
            article.body = "\n".join(texts)
    if not article.body.strip() and not article.images and not any(a.text for a in article.attachments):
        shown = sum(a.embedded for a in article.attachments)
        _warning(crawler, article.url, "no-text",
                 f"“{article.title[:40]}” has no text of its own, no image, and no readable document "
                 f"({len(article.attachments)} attachment(s), {shown} shown in place of the text); "
                 "stored with its title and its attachments' names")


def _read_one(crawler: "Crawler", att: Attachment, old_text: str) -> None:
    store, site = crawler.store, crawler.site
    prev = store.get_page(att.url)
    if prev is not None and prev.kind != "attachment":
        prev = None
    cond = bool(old_text) and prev is not None and prev.error is None
    res = _fetcher(crawler).fetch(att.url, etag=prev.etag if cond else None,
                                  last_modified=prev.last_modified if cond else None)
    crawler.pages += 1
    if res.error != "robots":
        crawler.counts.fetched += 1
    crawler.progress("attachment")
    if res.error == "robots":
        crawler._note_robots(att.url, res.error_detail or "")
        return
    page = PageRecord(url=att.url, site=site.id, kind="attachment", status=res.status, etag=res.etag,
                      last_modified=res.last_modified, content_type=res.content_type,
                      fetched_at=now_iso())
    if res.not_modified and prev is not None:
        att.text = old_text
        page.content_type, page.body_hash = prev.content_type, prev.body_hash
        store.save_page(page)
        crawler.book.succeeded(att.url)
        return
    if not res.ok:
        reason = res.error or f"http-{res.status}"
        if reason == "too-large":
            detail = f"{_label(att)} is larger than max_attachment_bytes ({site.max_attachment_bytes:,} bytes)"
        else:
            detail = f"{_label(att)}: {res.error_detail or reason}"
        if old_text and reason not in _GONE:
            att.text = old_text          # read before, and probably still there: keep its text
        page.error, page.error_detail = reason, detail
        store.save_page(page)
        _warn(crawler, att.url, reason, detail)
        return
    digest = hashlib.sha1(res.body).hexdigest()
    page.body_hash = digest
    if old_text and prev is not None and prev.body_hash == digest:
        att.text = old_text              # the same bytes again: no need to read them again
        store.save_page(page)
        crawler.book.succeeded(att.url)
        return
    from indexer.attachtext import attachment_text   # its readers load in ~0.8 s: only when needed
    read = attachment_text(res.body, _file_name(att), res.content_type,
                           max_bytes=site.max_attachment_bytes, timeout=READ_TIMEOUT)
    if read.error:
        page.error = read.error
        page.error_detail = f"{_label(att)} ({read.kind}): {_WHY.get(read.error, read.error)}"
        store.save_page(page)
        _warn(crawler, att.url, read.error, page.error_detail)
        return
    att.text = read.text
    store.save_page(page)
    crawler.book.succeeded(att.url)
    if read.truncated:
        log.info("%s: %s read in part (the reader's limits on pages, characters or time)", att.url, _label(att))


def _previous_texts(crawler: "Crawler", url: str) -> dict[str, str]:
    """The attachments' texts the stored article already has, by URL."""
    stored = crawler.store.get_article(url)
    return {a.url: a.text for a in stored.attachments if a.text} if stored is not None else {}


def _fetcher(crawler: "Crawler") -> "Fetcher":
    """The site's fetcher with the attachments' size limit: a shallow copy that
    shares its hosts' politeness slots, robots.txt cache and sessions, so the
    delay between requests to a host holds across pages and attachments."""
    fetcher = crawler.fetcher
    assert fetcher is not None
    limit = crawler.site.max_attachment_bytes
    if getattr(fetcher, "max_bytes", limit) == limit:
        return fetcher
    limited = _limited.get(fetcher)
    if limited is None or limited.max_bytes != limit:
        limited = copy.copy(fetcher)
        limited.max_bytes = limit
        _limited[fetcher] = limited
    return limited


def _kind(att: Attachment) -> str | None:
    """The kind the URL's path, else the link's name, names by its extension
    (``pdf``, ``zip`` …), or None when neither names a known one
    (``download.jsp?id=…`` under a name without one): then the answer decides."""
    for name in (unquote(urlsplit(att.url).path), att.name):
        m = _EXT.search((name or "").strip())
        if m and m.group(1).lower() in READABLE | _OTHER_KINDS:
            return m.group(1).lower()
    return None


def _file_name(att: Attachment) -> str:
    """A name whose extension tells the reader the kind (the bytes decide first)."""
    path = unquote(urlsplit(att.url).path).rsplit("/", 1)[-1]
    for name in (path, att.name or ""):
        m = _EXT.search(name.strip())
        if m and m.group(1).lower() in READABLE:
            return name.strip()
    return path


def _label(att: Attachment) -> str:
    return f"the attachment “{att.name}”" if att.name else "the attachment"


def _warn(crawler: "Crawler", url: str, why: str, detail: str) -> None:
    _warning(crawler, url, ATTACHMENT_WARNING + why, detail)


def _warning(crawler: "Crawler", url: str, reason: str, detail: str) -> None:
    """A warning, kept as the crawler keeps an empty list's: listed in ``stats``,
    never counted as failed."""
    assert crawler.book is not None
    crawler.book.failed(url, reason, detail, warning=True)
    crawler.store.record_failure(crawler.run_id, url, reason, detail)
    log.warning("%s: %s (%s)", url, reason, detail)
