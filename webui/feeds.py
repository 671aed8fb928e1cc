"""What is not a page: the Atom feed of a search (and the short page that says what
a feed is and gives its address), the OpenSearch description, the college's theme
stylesheet and logo."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file, url_for

from indexer.results import Hit
from webui import search_view
from webui.config import LOGO_TYPES, theme_css
from webui.filters import safe_url
from webui.params import BEIJING

bp = Blueprint("feeds", __name__)

FEED_SIZE = 20
ATOM = "application/atom+xml; charset=utf-8"
OPENSEARCH = "application/opensearchdescription+xml; charset=utf-8"
#: browsers cut the OpenSearch ShortName at 16 characters
SHORT_NAME_CHARS = 16


def external(path: str) -> str:
    """An absolute URL for an app path (from ``url_for``): under ``PUBLIC_URL`` when it
    is configured, else under the address the request came to."""
    public = current_app.config.get("PUBLIC_URL")
    if public:
        rel = path[len(request.script_root):] if path.startswith(request.script_root) else path
        return public.rstrip("/") + rel
    return request.host_url.rstrip("/") + path


def rfc3339(value: str | None) -> str | None:
    """``2023-04-22T10:30:00+08:00`` from a stored date or naive datetime (Beijing time)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value if "T" in value else value[:10] + "T00:00:00")
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.isoformat(timespec="seconds")


@dataclass
class Entry:
    id: str
    title: str
    link: str
    snapshot: str
    updated: str
    published: str | None
    author: str
    department: str | None
    column: str | None
    summary: str


def _entry(hit: Hit, fallback_updated: str) -> Entry:
    snapshot = external(url_for("pages.article", article_id=hit.id))
    original = safe_url(hit.url)
    published = rfc3339(hit.published)
    return Entry(id=original or snapshot, title=hit.title, link=original or snapshot,
                 snapshot=snapshot, updated=published or fallback_updated, published=published,
                 author=hit.department or search_view.college(hit.site) or current_app.config["SITE_TITLE"],
                 department=hit.department, column=hit.column, summary=hit.snippet_html)


def _feed_title(sp) -> str:
    q = sp.query
    parts = [q.text] if q.text else []
    parts += list(q.departments) + list(q.columns) + [search_view.college(s) for s in q.sites]
    label = search_view.date_label(sp)
    if label:
        parts.append(label)
    if q.title_only:
        parts.append("只搜标题")
    title = current_app.config["SITE_TITLE"]
    return f"{' · '.join(parts)} - {title}" if parts else f"最新文章 - {title}"


@bp.get("/feed")
def feed() -> Response:
    """The Atom feed of any search: the same parameters as /search, newest first."""
    sp = search_view.params(request.args)
    size = sp.query.size if request.args.get("size") else FEED_SIZE
    sp = replace(sp, query=replace(sp.query, sort="date", page=1, size=size))
    eng = search_view.engine()
    results = search_view.run(sp.query)
    info = eng.info()
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    fallback = rfc3339(info.last_commit) or now
    entries = [_entry(h, fallback) for h in results.hits]
    updated = max((e.updated for e in entries), default=fallback, key=_sort_key)
    self_url = external(search_view.search_url(sp, endpoint="feeds.feed",
                                               sort="relevance" if sp.query.text else "date"))
    page_url = external(search_view.search_url(sp, sort="date"))
    body = render_template("feed.xml", entries=entries, feed_title=_feed_title(sp),
                           self_url=self_url, page_url=page_url, updated=updated,
                           icon=external(url_for("static", filename="favicon.svg")),
                           total=results.total)
    response = Response(body, content_type=ATOM)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/subscribe")
def subscribe() -> str:
    """What the page links to as 订阅: a feed is for a feed reader, so a reader who
    clicks gets a few words on what it is and its address to copy; the feed itself
    stays at /feed, where the pages' ``<link rel="alternate">`` points readers' software."""
    sp = search_view.params(request.args)
    sort = "relevance" if sp.query.text else "date"
    feed_url = external(search_view.search_url(sp, endpoint="feeds.feed", sort=sort))
    return render_template("subscribe.html", feed_url=feed_url, feed_title=_feed_title(sp),
                           results_url=search_view.search_url(sp),
                           q=sp.query.text, searched=bool(search_view.search_pairs(sp)))


def _sort_key(stamp: str) -> datetime:
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:  # pragma: no cover - every stamp here comes from rfc3339()
        return datetime.min.replace(tzinfo=timezone.utc)


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Lets a browser offer the site as a search engine."""
    title = current_app.config["SITE_TITLE"]
    body = render_template(
        "opensearch.xml", short_name=title[:SHORT_NAME_CHARS], long_name=title,
        search_url=external(url_for("pages.search")), feed_url=external(url_for("feeds.feed")),
        suggest_url=external(url_for("api.suggest")),
        self_url=external(url_for("feeds.opensearch")),
        icon=external(url_for("static", filename="favicon.svg")), home=external(url_for("pages.home")))
    response = Response(body, content_type=OPENSEARCH)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/theme.css")
def theme() -> Response:
    """The college's colour as a stylesheet: no inline style, so the CSP stays strict."""
    color = current_app.config.get("PRIMARY_COLOR")
    if not color:
        abort(404)
    response = Response(theme_css(color), content_type="text/css; charset=utf-8")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/logo")
def logo() -> Response:
    path = current_app.config.get("LOGO")
    if not path:
        abort(404)
    try:
        return send_file(path, mimetype=LOGO_TYPES[path.suffix.lower()], max_age=3600)
    except OSError:
        abort(404)
