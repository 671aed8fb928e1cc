"""Reading an article off a college news page: a pure function of (url, html, site).

:func:`extract` returns an :class:`~indexer.article.Article` or raises
:class:`~indexer.article.ExtractError` with a stable ``reason`` and a message an
operator understands. It does no network and no disk I/O (the department aliases
are read once, by :mod:`indexer.departments`).

The rules are written for the CMS families college sites run on (VSB/博达,
WebPlus/SUDY, TRS, home-grown ones) and never for one page. One module a field,
as GeneralNewsExtractor and trafilatura keep them:

=============  ==================================================================
``text``       text as a reader sees it
``parts``      the page's parts: the article's container apart from the chrome,
               the info line between the heading and the body
``title``      the title
``dates``      dates in text and URLs
``units``      department and source
``column``     the column, from the chrome (breadcrumbs, section headings)
``body``       the body's clean lines
``media``      images and attachments
``redirects``  pages that only send the reader elsewhere
``core``       :func:`extract`, over all of them
=============  ==================================================================
"""
from indexer.extract.column import breadcrumb_column, vsb_editable
from indexer.extract.core import extract, parse_html
from indexer.extract.dates import find_date
from indexer.extract.text import JUNK_TAGS, inline_text, render_lines, within
from indexer.extract.title import page_title, split_site_title

__all__ = ["extract", "parse_html", "render_lines", "inline_text", "within", "find_date",
           "split_site_title", "breadcrumb_column", "page_title", "vsb_editable", "JUNK_TAGS"]
