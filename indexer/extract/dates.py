"""Dates in text and in URLs, as ISO 8601 (with the time where one is given)."""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?:[T ]|日)?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?")
_DATE_LABEL = re.compile(
    r"(?:发布|发表|发稿|发文|更新|上传|录入|创建|编辑|成文|印发)(?:时间|日期)\s*[:：]|"
    r"(?<![\u4e00-\u9fff])(?:时间|日期)\s*[:：]|"   # not 截止时间, 报名时间, 活动日期 …
    r"(?:发布|发表|发稿|更新)\s*[:：]|"
    r"(?:^|\s)(?:Date|Time|Published)\s*[:：]", re.I)
_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})[-/_]?(\d{2})[-/_]?(\d{2})/"),           # /2025/05/27/, /20250527/
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),                     # WebPlus /2021/0716/
    re.compile(r"[/_t]((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),              # TRS t20230422_123.html
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})/"),
)


def to_iso(y: str, mo: str, d: str, hh: str | None = None, mm: str | None = None,
         ss: str | None = None) -> str | None:
    try:
        day = date(int(y), int(mo), int(d))
    except ValueError:
        return None
    if not 1990 <= day.year <= 2100:
        return None
    if hh is not None and mm is not None:
        h, m, s = int(hh), int(mm), int(ss or 0)
        if h < 24 and m < 60 and s < 60:
            return f"{day.isoformat()}T{h:02d}:{m:02d}:{s:02d}"
    return day.isoformat()


def find_date(text: str, labelled: bool = False) -> str | None:
    """The first date in ``text`` as ISO 8601 (with the time when one is given).
    With ``labelled``, only a date right after a label such as ``发布时间：``."""
    if labelled:
        for lab in _DATE_LABEL.finditer(text):
            m = DATE.match(text, lab.end()) or DATE.match(text, _skip_space(text, lab.end()))
            if m:
                iso = to_iso(*m.groups())
                if iso:
                    return iso
        return None
    for m in DATE.finditer(text):
        iso = to_iso(*m.groups())
        if iso:
            return iso
    return None


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \u3000\t":
        pos += 1
    return pos


def url_date(url: str) -> str | None:
    try:
        path = urlsplit(url).path
    except ValueError:   # a malformed address names no date
        return None
    for pattern in _URL_DATES:
        m = pattern.search(path)
        if m:
            iso = to_iso(*m.groups())
            if iso:
                return iso
    return None
