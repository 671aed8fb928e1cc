"""Stable short ids for articles, shared by the index and the web UI."""
from __future__ import annotations

import hashlib


def article_id(url: str) -> str:
    """16 hex characters derived from the canonical URL."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]
