"""Dates as readers type them: ``2020-01-01``, ``20200101``, ``2020/1/1``, ``2020-1-1``,
``2020.1.1``, ``2020年1月1日``, with full-width digits or spaces too, all mean
2020-01-01; the page always writes them back as ``YYYY-MM-DD``.

:data:`HTML_PATTERN` is the same grammar for an ``<input pattern>``, so a browser
can mark what the server would not read.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

#: 2020-1-1, 2020/1/1, 2020.1.1 (any of the three separators), 2020年1月1日, 20200101
_DATE_RE = re.compile(
    r"(?P<y>\d{4})\s*(?:"
    r"[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?"
    r"|(?P<m3>\d{2})(?P<d3>\d{2}))", re.ASCII)

_DIGIT = "[0-9０-９]"
_SEP = r"(?:-|\/|\.|－|／|．)"
#: what an ``<input pattern>`` accepts: the grammar above, before full-width forms are folded
HTML_PATTERN = (rf"\s*{_DIGIT}{{4}}\s*(?:{_SEP}\s*{_DIGIT}{{1,2}}\s*{_SEP}\s*{_DIGIT}{{1,2}}"
                rf"|年\s*{_DIGIT}{{1,2}}\s*月\s*{_DIGIT}{{1,2}}\s*日?|{_DIGIT}{{4}})\s*")
#: the format the page writes and asks for
FORMAT = "YYYY-MM-DD"


class DateFormatError(ValueError):
    """Text that is not a date in any accepted form."""


class InvalidDate(ValueError):
    """A date in an accepted form that is not on the calendar (2023-02-30)."""


def parse_date(text: str) -> date:
    """The date ``text`` means, or :class:`DateFormatError` (not a date at all) or
    :class:`InvalidDate` (no such day)."""
    folded = unicodedata.normalize("NFKC", text).strip()
    m = _DATE_RE.fullmatch(folded)
    if m is None:
        raise DateFormatError(text)
    year = int(m["y"])
    month = int(m["m"] or m["m2"] or m["m3"])
    day = int(m["d"] or m["d2"] or m["d3"])
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidDate(text) from None
