"""Pages that only send the reader elsewhere (meta refresh, a script)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

_JS_REDIRECT = re.compile(
    r"(?:newsSkip\s*\(\s*|(?:window\.|document\.|self\.|top\.|parent\.)?location(?:\.href)?\s*=\s*|"
    r"location\.(?:replace|assign)\s*\(\s*)[\"']([^\"'\s]+)[\"']")


def meta_refresh(soup: BeautifulSoup) -> str | None:
    for meta in soup.find_all("meta"):
        if str(meta.get("http-equiv", "")).lower() != "refresh":
            continue
        content = str(meta.get("content", ""))
        m = re.match(r"\s*(\d*(?:\.\d+)?)\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"]*)['\"]?\s*$", content, re.I)
        if not m or not m.group(2).strip():
            continue
        delay = float(m.group(1) or 0)
        if delay <= 5:
            return m.group(2).strip()
    return None


def js_redirect(soup: BeautifulSoup) -> str | None:
    for script in soup.find_all("script"):
        code = script.string or script.get_text() or ""
        for m in _JS_REDIRECT.finditer(code):
            target = m.group(1)
            if target and not target.startswith(("javascript:", "#")) and target not in ("/", "about:blank"):
                return target
    return None


def same_page(a: str, b: str) -> bool:
    try:
        pa, pb = urlsplit(a), urlsplit(b)
    except ValueError:   # a malformed target is no other page to go to
        return True
    return (pa.netloc.lower(), pa.path.rstrip("/"), pa.query) == (pb.netloc.lower(), pb.path.rstrip("/"), pb.query)
