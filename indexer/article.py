"""The records that flow from extraction to the store and the index."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any


_PLAIN = re.compile(r"[\s\u3000\xa0\W_]+")


@dataclass
class Attachment:
    """A file the article links to (or embeds as its body, ``embedded``).

    ``text`` is the file's text once the crawler has fetched and read it."""

    url: str
    name: str
    embedded: bool = False
    text: str = ""

    def record(self) -> dict[str, Any]:
        """The fields that are set: a plain link stays ``{"url", "name"}``, so adding
        a field changes no stored article's hash."""
        out: dict[str, Any] = {"url": self.url, "name": self.name}
        if self.embedded:
            out["embedded"] = True
        if self.text:
            out["text"] = self.text
        return out


@dataclass
class Image:
    url: str
    alt: str = ""


@dataclass
class Article:
    """One news article as read off its page.

    ``published`` is an ISO 8601 string in Asia/Shanghai local time: ``2023-04-22``
    when the page gives only a date, ``2023-04-22T10:30:00`` when it gives a time.
    ``body`` is clean text with paragraphs separated by a single newline.
    """

    url: str
    site: str
    title: str
    body: str
    published: str | None = None
    department: str | None = None
    source: str | None = None
    column: str | None = None
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    fetched_at: str | None = None
    #: every address the same story is published at, and every column it sits in
    #: (set by the store, which merges reposts; this page's own come first)
    urls: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str | None:
        """What reposts share: the title and the text with all whitespace and
        punctuation removed (a repost is the same story under another URL, in
        another column or on another college's site). ``None`` for an article too
        short to tell a repost from a namesake (a title over an image or a PDF)."""
        text = _PLAIN.sub("", self.body)
        if len(text) < 40:
            return None
        payload = _PLAIN.sub("", self.title) + "\x00" + text
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:20]

    @property
    def content_hash(self) -> str:
        """A hash of everything a reader sees, used to notice edits."""
        payload = json.dumps(
            [self.title, self.published, self.department, self.source, self.column, self.body,
             [asdict(i) for i in self.images], [a.record() for a in self.attachments]],
            ensure_ascii=False,
        )
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["attachments"] = [a.record() for a in self.attachments]
        data["content_hash"] = self.content_hash
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["images"] = [Image(**i) for i in known.get("images") or []]
        known["attachments"] = [Attachment(**a) for a in known.get("attachments") or []]
        return cls(**known)


class ExtractError(Exception):
    """A page could not be read as an article. ``reason`` is a short stable code
    (``no-title``, ``no-body``, ``not-html``, ``redirect`` …); the message says what
    was missing in words an operator understands."""

    def __init__(self, reason: str, message: str, target: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.target = target  # for ``redirect``: where the page sends the reader

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"
