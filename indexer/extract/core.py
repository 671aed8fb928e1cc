"""``extract()``: one pure function over the field readers of this package."""
from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, Comment, Tag
from bs4.element import CData, ProcessingInstruction

from indexer.article import Article, Attachment, ExtractError, Image
from indexer.charset import decode_html, is_html
from indexer.extract.body import (centred_lead, clean_body_lines, drop_hidden, drop_junk_elements, is_chrome,
                                  reproduces_document)
from indexer.extract.column import (CRUMB_SKIP, breadcrumb_column, column_problem, crumbs_of, section_elements,
                                    section_heading, useful_crumb, vsb_editable)
from indexer.extract.dates import find_date, url_date
from indexer.extract.media import attachments_of, embedded_documents, images_of
from indexer.extract.parts import VSB_FORM, PageIndex, find_body, read_info_lines, select_first
from indexer.extract.redirects import js_redirect, meta_refresh, same_page
from indexer.extract.text import JUNK_TAGS, inline_text, join_url, norm, render_lines, within
from indexer.extract.title import find_title, heading_block, page_title, split_title_parts
from indexer.extract.credits import dateline_credit, labelled_fields
from indexer.extract.department import Context, department_and_source, is_reprint
from indexer.extract.tail import split_tail
from indexer.extract.units import institution_of
from indexer.sites import SiteConfig

def parse_html(html: bytes | str, header_charset: str | None = None,
               forced: str | None = None) -> BeautifulSoup:
    """Decode (see :mod:`indexer.charset`) and parse a page with lxml."""
    text = html if isinstance(html, str) else decode_html(html, header_charset, forced)[0]
    return BeautifulSoup(text, "lxml")


def unit_context(site: SiteConfig | None, doc_title: str, root: Tag, reprint: bool) -> Context:
    """What the department rules need to know of the page's institution: the
    site's (its configured ``institution``, else read off its name), else the one
    the page's <title> or copyright line names."""
    names: list[str] = []
    institution = None
    if site is not None:
        names.append(site.name)
        institution = getattr(site, "institution", None) or institution_of(site.name)
    if institution is None:
        for piece in reversed(split_title_parts(doc_title)):
            institution = institution_of(piece, strict=True)
            if institution:
                names.append(piece)
                break
    if institution is None:
        for line in render_lines(root)[-12:]:
            m = re.search(r"(?:版权所有|©|Copyright)\s*[:：]?\s*(?:\d{4}\s*[-—]?\s*(?:\d{4})?)?\s*"
                          r"([\u4e00-\u9fff]{4,30})", line, re.I)
            if m and institution_of(m.group(1), strict=True):
                institution = institution_of(m.group(1), strict=True)
                names.append(m.group(1))
                break
    return Context(institution=institution, site_names=tuple(names),
                   aliases=getattr(site, "department_aliases", None) or {},
                   default=getattr(site, "department", None), reprint=reprint)


def page_column(soup: BeautifulSoup, site: SiteConfig | None, title: str, body_el: Tag | None,
                vsb_column: str | None, column_hint: str | None) -> str | None:
    """The column, from the page's chrome and never from the article's text: the
    site's selector, the breadcrumb, VSB's 栏目名称 block, the section heading above
    the article, then the list page's column (``column_hint``) and the site's.
    A value that cannot be a column's name is passed over."""
    site_name = site.name if site is not None else None

    def candidates() -> Iterator[str | None]:
        if site is not None and site.selectors.column:
            el = select_first(soup, site.selectors.column)
            if el is not None:
                crumbs = [c for c in crumbs_of(el) if useful_crumb(c, title, site_name)]
                yield crumbs[-1] if crumbs else inline_text(el)
        yield breadcrumb_column(soup, title, site_name, container=body_el)  # type: ignore[misc]
        if vsb_column and vsb_column not in CRUMB_SKIP and vsb_column != title:
            yield vsb_column
        yield section_heading(section_elements(soup), body_el)
        yield column_hint
        yield site.column if site is not None else None

    for value in candidates():
        if value and column_problem(value) is None and not (site_name and norm(value) == norm(site_name)):
            return norm(value)
    return None


def base_url_of(soup: BeautifulSoup, url: str) -> str:
    base = soup.find("base", href=True)
    return (join_url(url, str(base["href"])) or url) if base is not None else url


def extract(url: str, html: bytes | str, site: SiteConfig | None = None, *,
            header_charset: str | None = None, column_hint: str | None = None) -> Article:
    """Read one article page. Raises :class:`ExtractError` when the page is not one,
    and for nothing else: a rule that trips over a page it did not foresee gives
    the reason ``internal-error`` (with the exception named), never a crash of the
    crawl."""
    try:
        return _extract(url, html, site, header_charset=header_charset, column_hint=column_hint)
    except ExtractError:
        raise
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, LookupError, RecursionError,
            UnicodeError, AssertionError) as exc:
        raise ExtractError("internal-error", f"{url}: the page could not be read "
                           f"({type(exc).__name__}: {exc}); please report it with the page") from exc


def _extract(url: str, html: bytes | str, site: SiteConfig | None = None, *,
             header_charset: str | None = None, column_hint: str | None = None) -> Article:
    """Read one article page. Raises :class:`ExtractError` when the page is not one.

    ``column_hint`` is the column of the list page the crawler found the article
    on: the column when the page itself names none."""
    site_id = site.id if site is not None else "unknown"
    if html is None or (isinstance(html, (bytes, bytearray)) and not bytes(html).strip()) or \
            (isinstance(html, str) and not html.strip()):
        raise ExtractError("empty", f"{url}: the page is empty (the server sent no content)")
    if isinstance(html, (bytes, bytearray)):
        raw = bytes(html)
        if not is_html(None, raw):
            raise ExtractError("not-html", f"{url}: the content is not an HTML page "
                               f"(it starts with {raw[:16]!r})")
        text, _enc = decode_html(raw, header_charset, site.encoding if site is not None else None)
    else:
        text = html
        if not re.search(r"<\s*[a-zA-Z!]", text[:4096]):
            raise ExtractError("not-html", f"{url}: the content is not an HTML page (no tags)")
    soup = BeautifulSoup(text, "lxml")
    base = base_url_of(soup, url)

    refresh = meta_refresh(soup)
    if refresh:
        target = join_url(base, refresh) or refresh
        if not same_page(target, url):
            raise ExtractError("redirect", f"{url}: the page only redirects (meta refresh) to {target}",
                               target=target)
    js_target = js_redirect(soup)
    doc_title = page_title(soup)
    vsb_column = vsb_editable(soup, ("栏目名称", "栏目名", "当前栏目"))

    embedded = embedded_documents(soup, base)   # before scripts and frames go
    player = soup.find(["video", "audio"]) is not None or \
        soup.find(["embed", "object", "iframe", "source"],
                  attrs={"src": re.compile(r"\.(mp4|flv|m3u8|mp3|wma|wmv|swf)(\?|$)", re.I)}) is not None

    for c in soup.find_all(string=lambda s: isinstance(s, (Comment, ProcessingInstruction, CData))):
        c.extract()
    for tag in soup.find_all(list(JUNK_TAGS)):
        tag.decompose()
    root = soup.body or soup
    drop_hidden(root)  # what a reader never sees (a hidden copy of the article …)

    index = PageIndex(root)
    body_el, _how = find_body(soup, site, index)
    title, title_el, title_shown = find_title(soup, site, doc_title, body_el, index)

    # -- the info line: text between the heading and the body -------------------
    info_lines = read_info_lines(root, title_el, body_el)
    block, block_title, block_info = heading_block(body_el, doc_title)
    if block:   # the content opens with a reprint's own heading and 来源 line
        if block_title and (title_el is None or not any(within(title_el, el) for el in block)):
            title, title_shown = block_title, True
        for el in block:
            el.decompose()
        title_el = None if title_el is not None and getattr(title_el, "decomposed", False) else title_el
        info_lines = info_lines + block_info
    fields = labelled_fields(info_lines)

    # -- column (before the body is cut out of the tree) -------------------------
    column = page_column(soup, site, title, body_el, vsb_column, column_hint)

    # -- the body ----------------------------------------------------------------
    images: list[Image] = []
    attachments: list[Attachment] = []
    lines: list[str] = []
    own_heading = False
    if body_el is not None:
        attach_roots = [body_el]
        form = index.first(VSB_FORM)
        if form is not None and within(body_el, form):
            attach_roots = [form]  # VSB lists attachments after the content, inside the form
        elif form is not None and not within(form, body_el):
            attach_roots.append(form)
        for el in soup.find_all(True, attrs={"class": re.compile(r"(attach|fujian|fj_|download)", re.I)}):
            if not any(within(el, r) for r in attach_roots):
                attach_roots.append(el)
        attachments = attachments_of(attach_roots, base)
    shown = {a.url for a in embedded}
    for a in attachments:
        a.embedded = a.url in shown    # a document both shown and linked
    attachments += [a for a in embedded if a.url not in {x.url for x in attachments}]
    if body_el is not None:
        if title_el is not None and within(body_el, title_el):
            title_el = None  # the "heading" holds the body: never cut it out
        if title_el is not None and title_shown and within(title_el, body_el):
            title_el.decompose()  # the CMS heading inside the content element
        drop_junk_elements(body_el)
        images = images_of(body_el, base)
        own_heading = centred_lead(body_el, title)
        lines = render_lines(body_el)
    own_heading = own_heading and reproduces_document(lines)
    lines = clean_body_lines(lines, title if title_shown and not own_heading else "", info_lines)
    tail = split_tail(lines, attachments)   # credits, attachment lines, the signature
    lines = tail.body

    if not title:
        if not lines and js_target:
            target = join_url(base, js_target) or js_target
            raise ExtractError("redirect", f"{url}: the page only redirects (script) to {target}",
                               target=target)
        raise ExtractError("no-title", f"{url}: no article title found (no heading element and an "
                           "empty <title>); set selectors.title in the site configuration if the "
                           "page is an article")
    body_chars = sum(len(line) for line in lines)
    if js_target and body_chars < 30 and not images:
        target = join_url(base, js_target) or js_target
        if not same_page(target, url):
            raise ExtractError("redirect", f"{url}: the page only redirects (script) to {target}",
                               target=target)
    if lines and is_chrome(lines):
        lines = []   # a player's page, or one whose article sits where nothing reads it
    if not lines and not images and not attachments:
        if player:
            raise ExtractError("player-only", f"{url}: “{title[:40]}” is a video or audio player with no "
                               "text of its own; nothing to index but its title")
        raise ExtractError("no-body", f"{url}: found the title “{title[:40]}” but no article text, "
                           "images or attachments; set selectors.body in the site configuration if "
                           "the content sits in an unusual element")

    # -- published ----------------------------------------------------------------
    published = None
    if site is not None and site.selectors.date:
        el = select_first(soup, site.selectors.date)
        if el is not None:
            published = find_date(inline_text(el))
    info_text = "\n".join(info_lines)
    # the page's own labelled date (发布时间：, [更新：…]) before a date in the info
    # line that belongs to the source it reprints (来源：新华网 2015-1-13)
    published = published or find_date(info_text, labelled=True) or \
        find_date("\n".join(render_lines(root)), labelled=True) or tail.stamped or find_date(info_text) or \
        url_date(url)
    published = published or tail.signed

    # -- department and source ------------------------------------------------------
    selected = None
    if site is not None and site.selectors.department:
        el = select_first(soup, site.selectors.department)
        if el is not None:
            value = inline_text(el)
            selected = labelled_fields([value]).get("来源") or value
    ctx = unit_context(site, doc_title, root, reprint=bool(lines) and is_reprint(lines[0]))
    closing = dict(tail.fields)
    for k, v in ((dateline_credit(lines[0]) if lines else None) or {}).items():
        closing.setdefault(k, v)
    department, source = department_and_source(fields, closing, tail.signer, ctx, selected)

    return Article(
        url=url, site=site_id, title=title, body="\n".join(lines), published=published,
        department=department, source=source, column=column, images=images,
        attachments=attachments,
    )
