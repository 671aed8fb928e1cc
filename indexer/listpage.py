"""Reading a column's list page: its article links, its next page, its column name.

:func:`parse_list` is a pure function like :func:`indexer.extract.extract`. It
keeps only the links of the page's main list (the largest group of article links
that share one place in the page: sidebars, "hot news" boxes and footers of other
articles are left out), in page order, with absolute, normalised URLs.

:func:`normalise_url` is the one URL normaliser of the project: the crawler and
the store use it too, so one article has one URL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from indexer.charset import decode_html
from indexer.extract import (JUNK_TAGS, breadcrumb_column, find_date, inline_text, page_title,
                             split_site_title, vsb_editable, within)
from indexer.sites import SiteConfig

__all__ = ["ListLink", "ListPage", "parse_list", "normalise_url", "absolute_url", "looks_like_article_url",
           "near_misses"]


@dataclass
class ListLink:
    url: str
    title: str
    date: str | None = None


@dataclass
class ListPage:
    url: str
    article_links: list[ListLink] = field(default_factory=list)
    next_page: str | None = None
    page_links: list[str] = field(default_factory=list)
    column: str | None = None
    total: int | None = None


# ---------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------

_DROP_PARAMS = re.compile(
    r"^(utm_\w*|jsessionid|phpsessid|aspsessionid\w*|sid|sessionid|spm|from|isappinstalled|scene|"
    r"clicktime|enterid|share_token|share_from|sharer_\w+|fbclid|gclid|_t|timestamp|vd_source|"
    r"wxshare_count|nsukey|ref|refer)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/%:@!$&'()*+,;=~-._"
_QUERY_SAFE = "%:@!$'()*+,;/?~-._"


def normalise_url(url: str) -> str:
    """One spelling per page: no fragment, no default port, lower-case scheme and
    host, no tracking or session parameters (``utm_*``, ``jsessionid`` — also as a
    ``;jsessionid=`` path parameter —, ``spm``, ``from`` …), remaining query
    parameters sorted, unsafe characters percent-encoded."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"[{host}]" if ":" in host else host   # an IPv6 literal keeps its brackets
    if parts.username:
        cred = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{cred}@{host}"
    if port and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = re.sub(r";jsessionid=[^/?#;]*", "", parts.path, flags=re.I)
    path = quote(path, safe=_PATH_SAFE) or ("/" if netloc else "")
    query_items = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _DROP_PARAMS.match(k)]
    query_items.sort()
    query = urlencode(query_items, doseq=True, safe=_QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


_HOST_OK = re.compile(r"[\w.-]+|\[[0-9A-Fa-f:.]+\]")


def absolute_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` and normalised, or None when it is no
    usable URL: links in real pages carry citations and headlines where a host
    should be (``http://[Nucl. Phys. B 612 (2001) 25]``, ``//天津日报：天工开物``), which
    the URL parser refuses with ``ValueError``; such a link is skipped, not fatal."""
    try:
        url = normalise_url(urljoin(base, href.strip()))
        parts = urlsplit(url)
        parts.port   # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return None
    if parts.scheme in ("http", "https"):
        host = parts.netloc.rsplit("@", 1)[-1]
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if not parts.hostname or not _HOST_OK.fullmatch(host):
            return None
    return url


#: Article URL shapes of the CMSes college sites run on, for pages without a site
#: configuration.
GENERIC_ARTICLE = re.compile(
    r"/info/\d+/\d+(?:-\d+)?\.s?html?$"                 # VSB/博达
    r"|[?&]wbnewsid=\d+"                                # VSB, older content.jsp
    r"|/c\d+a\d+/page\.(?:html?|psp)$"                   # WebPlus/SUDY
    r"|/system/\d{4}/\d{2}/\d{2}/\d+\.s?html?$"         # ECMS (news.nankai …)
    r"|/t\d{8}_\d+\.s?html?$"                           # TRS WCM
    r"|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"   # 大汉
    r"|/content_\d+\.s?html?$|/\d{4}/\d{4}/\d+\.s?html?$"
    r"|/(?:news|article|show|detail|content|view)[/_-]?\d+\.(?:s?html?|jsp|php|aspx?)$"
    r"|[?&](?:newsid|articleid|article_id|news_id|aid|contentid)=\d+", re.I)


def looks_like_article_url(url: str, site: SiteConfig | None = None) -> bool:
    if site is not None and site.article_pattern:
        return site.is_article_url(url)
    split = urlsplit(url)
    return bool(GENERIC_ARTICLE.search(split.path + ("?" + split.query if split.query else "")))


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_ITEM_CLASS_NOISE = re.compile(r"\d+|^(first|last|odd|even|on|active|current|cur|selected|hot|top|new|"
                               r"clearfix|cf|fl|fr|left|right|item|wow|fadeInUp|animated)$", re.I)
_NEXT_TEXT = re.compile(r"^(下一页|下页|后页|下一頁|next|next page|»|›|>|>>)$", re.I)
_PAGE_TEXT = re.compile(r"^(\d{1,5}|首页|尾页|末页|上一页|上页|前页|下一页|下页|后页|第一页|最后一页|最末页|"
                        r"first|last|prev|previous|next|»|›|>|>>|<|<<|«|‹)$", re.I)
_PAGE_CLASS = re.compile(r"(^|[-_ ])(p_next|next|nextpage|next-page|p_no|p_fun|p_first|p_last|p_prev|"
                         r"first|last|prev|page|pages|pagination|paging|wp_paging|pagelink)([-_ ]|$)", re.I)
_TOTAL = re.compile(r"(?:总共|共有|共计|共)\s*(\d{1,7})\s*(?:条|记录|篇|项|则|个)")


def _host_ok(url: str, page_url: str, site: SiteConfig | None) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if site is not None and site.allowed_hosts:
        return host in site.allowed_hosts or host == (urlsplit(page_url).hostname or "").lower()
    return host == (urlsplit(page_url).hostname or "").lower()


def _signature(a: Tag) -> tuple[str, ...]:
    """Where a link sits in the page: tag names near the link (list items vary in
    class: ``first``, ``n1`` …), tag names with classes further up (the list itself)."""
    sig: list[str] = []
    for depth, anc in enumerate(a.parents):
        if not isinstance(anc, Tag) or anc.name in ("[document]",):
            break
        if depth < 3:
            sig.append(anc.name)
        else:
            classes = [c for c in (anc.get("class") or []) if not _ITEM_CLASS_NOISE.search(c)]
            sig.append(anc.name + "." + ".".join(sorted(classes)))
    return tuple(sig)


def _link_title(a: Tag) -> str:
    text = inline_text(a)
    attr = " ".join(str(a.get("title") or "").split())
    if attr and (not text or text.endswith(("...", "…", "..", "。。。")) or len(attr) > len(text)):
        return attr
    if not text:
        img = a.find("img")
        if img is not None:
            return " ".join(str(img.get("alt") or img.get("title") or "").split())
    return text


def _item_of(a: Tag, url_of: dict[int, str]) -> Tag:
    """The list item holding one link: the highest ancestor with no other article link."""
    mine = url_of[id(a)]
    item: Tag = a
    for anc in a.parents:
        if not isinstance(anc, Tag) or anc.name in ("body", "html", "[document]"):
            break
        others = [x for x in anc.find_all("a", href=True) if id(x) in url_of and url_of[id(x)] != mine]
        if others:
            break
        item = anc
    return item


def _of_this_column(link: str, list_url: str) -> bool:
    """Whether an article URL belongs to the column whose list is at ``list_url``."""
    try:
        lpath, apath = urlsplit(list_url).path, urlsplit(link).path
    except ValueError:
        return False
    folder = lpath.rsplit("/", 1)[0]
    if folder.count("/") >= 2 and apath.startswith(folder + "/"):
        return True
    ids = [t for t in re.findall(r"\d{4,}", lpath) if not re.fullmatch(r"(?:19|20)\d{2}", t)]
    return any(re.search(rf"(?<!\d){t}(?!\d)", apath) for t in ids)


def parse_list(url: str, html: bytes | str, site: SiteConfig | None = None) -> ListPage:
    """Read a list page. Never raises on odd HTML; an empty page gives an empty list."""
    if isinstance(html, (bytes, bytearray)):
        text = decode_html(bytes(html), None, site.encoding if site is not None else None)[0]
    else:
        text = html or ""
    soup = BeautifulSoup(text, "lxml")
    base_tag = soup.find("base", href=True)
    base = (absolute_url(url, str(base_tag["href"])) or url) if base_tag is not None else url
    doc_title = page_title(soup)
    vsb_column = vsb_editable(soup, ("栏目名称", "栏目名", "当前栏目"))
    for tag in soup.find_all([t for t in JUNK_TAGS if t not in ("head",)]):
        tag.decompose()
    page = ListPage(url=url)
    this = normalise_url(url)

    # -- article links, grouped by where they sit -------------------------------
    url_of: dict[int, str] = {}
    groups: dict[tuple[str, ...], list[Tag]] = {}
    order: list[tuple[str, ...]] = []
    anchors: list[tuple[Tag, tuple[str, ...]]] = []  # in page order
    for a in soup.find_all("a", href=True):
        href = str(a["href"]).strip()
        if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        absolute = absolute_url(base, href)
        if absolute is None or absolute == this or not _host_ok(absolute, url, site) or not looks_like_article_url(absolute, site):
            continue
        url_of[id(a)] = absolute
        sig = _signature(a)
        if sig not in groups:
            groups[sig] = []
            order.append(sig)
        groups[sig].append(a)
        anchors.append((a, sig))
    if groups:
        dated: dict[int, str | None] = {}

        def date_of(a: Tag) -> str | None:
            if id(a) not in dated:
                item = _item_of(a, url_of)
                dated[id(a)] = find_date(inline_text(item)) if item is not a else None
            return dated[id(a)]

        def score(sig: tuple[str, ...]) -> float:
            # the main list: the most distinct articles, list items with dates counting extra
            urls = {url_of[id(a)] for a in groups[sig]}
            with_date = {url_of[id(a)] for a in groups[sig] if date_of(a)}
            return len(urls) + 0.5 * len(with_date)

        # the column's own list before a sidebar of another column's: its links
        # carry the list's column id (WebPlus /35232/list.htm → c35232a…) or sit
        # under the list's folder (/xwzx/tzgg/ → /xwzx/tzgg/202301/t…)
        own = [sig for sig in order if any(_of_this_column(url_of[id(a)], url) for a in groups[sig])]
        main = max(own or order, key=lambda s: (score(s), -order.index(s)))

        def same_list(sig: tuple[str, ...]) -> bool:
            # a featured first item shaped differently, inside the same (classed) list
            return sig == main or (sig[3:] == main[3:] and any(not p.endswith(".") and "." in p
                                                               for p in main[3:]))
        chosen = [a for a, sig in anchors if same_list(sig)]
        seen: dict[str, ListLink] = {}
        for a in chosen:
            link_url = url_of[id(a)]
            title = _link_title(a)
            if link_url in seen:
                if len(title) > len(seen[link_url].title):
                    seen[link_url].title = title
                continue
            seen[link_url] = ListLink(url=link_url, title=title, date=date_of(a))
        page.article_links = list(seen.values())

    # -- pagination ----------------------------------------------------------------
    page.next_page, page.page_links = _pagination(soup, base, url_of)

    # -- column and total ----------------------------------------------------------
    column = breadcrumb_column(soup, "", site.name if site is not None else None)
    if column is None and vsb_column:
        column = vsb_column
    if column is None:
        for sel in (".col_title h2", ".Column_Anchor", ".column-name.selected", ".lmmc", ".lm_name",
                    ".column_name", ".col_name_text"):
            el = soup.select_one(sel)
            if el is not None and 1 < len(inline_text(el)) <= 20:
                column = inline_text(el)
                break
    if column is None and doc_title:
        head = split_site_title(doc_title, site.name if site is not None else None)
        if head and head != doc_title or (head and len(head) <= 12):
            column = head
    if column is None and site is not None:
        column = site.column
    page.column = column
    m = _TOTAL.search(" ".join(soup.get_text(" ").split()).replace(" ", ""))
    page.total = int(m.group(1)) if m else None
    return page


def _pagination(soup: BeautifulSoup, base: str, article: dict[int, str]) -> tuple[str | None, list[str]]:
    """The next page (by its words: 下一页/下页/next, else by its class: p_next, next) and
    the links of the pagination block that holds it."""
    by_text: list[Tag] = []
    by_class: list[Tag] = []
    candidates: list[Tag] = []
    for a in soup.find_all("a", href=True):
        if id(a) in article:
            continue
        href = str(a["href"]).strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        raw_text = inline_text(a).strip()
        text = re.sub(r"[\s<>《》«»‹›]+", "", raw_text) or raw_text
        parent = a.parent if isinstance(a.parent, Tag) else None
        classes = " ".join(list(a.get("class") or []) + list(parent.get("class") or [] if parent is not None else []))
        if _NEXT_TEXT.match(text) or _NEXT_TEXT.match(raw_text):
            by_text.append(a)
        elif re.search(r"(^|\s)(p_next|next|Next|nextpage|next-page)(\s|$)", classes):
            by_class.append(a)
        if _PAGE_TEXT.match(text) or _PAGE_CLASS.search(classes) or any(a is x for x in by_text + by_class):
            candidates.append(a)
    anchor = (by_text or by_class or [None])[0]
    next_url = absolute_url(base, str(anchor["href"])) if anchor is not None else None
    page_links: list[str] = []
    # only the pagination block: the nearest ancestor of the next link (or of the
    # first page-number link) holding two or more page links
    start = anchor or next((a for a in candidates if re.fullmatch(r"\d+", inline_text(a).strip())), None)
    block: Tag | None = None
    if start is not None:
        for anc in start.parents:
            if not isinstance(anc, Tag) or anc.name in ("body", "html", "[document]"):
                break
            if sum(1 for a in candidates if within(a, anc)) >= 2:
                block = anc
                break
    if block is not None:
        for a in candidates:
            if within(a, block):
                link = absolute_url(base, str(a["href"]))
                if link is not None and link not in page_links:
                    page_links.append(link)
    if next_url and next_url not in page_links:
        page_links.append(next_url)
    return next_url, page_links


# ---------------------------------------------------------------------------
# Near misses: what a configuration's pattern may have missed
# ---------------------------------------------------------------------------

#: Any URL shaped like an article page: a long number in its last segment, or an id parameter.
_ARTICLE_SHAPE = re.compile(r"/[^/]*\d{3,}[^/]*\.(?:s?html?|jsp|php|aspx?|psp)$|[?&]\w*id=\d+", re.I)


def near_misses(url: str, html: bytes | str, site: SiteConfig, limit: int = 10) -> list[tuple[str, str]]:
    """Links of a list page that look like articles although the site's article
    pattern takes none of them: ``(url, note)`` pairs, the URL percent-decoded as
    a person reads it. For ``check-site``, when a list gives no article link."""
    if isinstance(html, (bytes, bytearray)):
        text = decode_html(bytes(html), None, site.encoding)[0]
    else:
        text = html or ""
    soup = BeautifulSoup(text, "lxml")
    base_tag = soup.find("base", href=True)
    base = (absolute_url(url, str(base_tag["href"])) or url) if base_tag is not None else url
    this = normalise_url(url)
    found: dict[str, str] = {}
    for a in soup.find_all("a", href=True):
        href = str(a["href"]).strip()
        if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        absolute = absolute_url(base, href)
        if absolute is None or absolute == this or absolute in found or \
                urlsplit(absolute).scheme not in ("http", "https"):
            continue
        words = re.sub(r"[\s<>《》«»‹›]+", "", inline_text(a)) or str(a.get("title") or "")
        if _PAGE_TEXT.match(words) or len(words) < 4:
            continue   # pagination and navigation, not a headline
        split = urlsplit(absolute)
        shape = split.path + ("?" + split.query if split.query else "")
        if site.is_article_url(absolute):
            if not _host_ok(absolute, url, site):
                found[absolute] = f"on {split.hostname}, not in allowed_hosts"
            continue
        if GENERIC_ARTICLE.search(shape) or _ARTICLE_SHAPE.search(shape):
            found[absolute] = "not matched by article_pattern"
        if len(found) >= limit:
            break
    return [(unquote(u), note) for u, note in found.items()]
