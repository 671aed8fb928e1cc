"""Jinja filters and helpers for the templates."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import Flask, current_app, url_for

NO_DEPARTMENT = "未注明"
BEIJING = timezone(timedelta(hours=8), "北京时间")


def safe_url(url: str | None) -> str:
    """``url`` when it is an http(s) link, otherwise an empty string: an index fed
    from the web must never turn into a ``javascript:`` link on our page."""
    if not url:
        return ""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url.strip() if scheme in ("http", "https") else ""


def display_url(url: str | None, limit: int = 80) -> str:
    """A readable form of a link for under a result: no scheme, cut when long."""
    if not url:
        return ""
    text = url.split("://", 1)[-1]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def date_only(value: str | None) -> str:
    """``2023-04-22`` from ``2023-04-22`` or ``2023-04-22T10:30:00``."""
    return (value or "")[:10]


def date_time(value: str | None) -> str:
    """``2023-04-22 10:30`` when there is a time, else the date."""
    if not value:
        return ""
    if "T" in value:
        day, time = value.split("T", 1)
        return f"{day} {time[:5]}"
    return value


def beijing_time(value: str | None) -> str:
    """``2023-04-22 18:30`` (UTC+8) from an ISO UTC timestamp such as ``last_commit``."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def department(value: str | None) -> str:
    return value or NO_DEPARTMENT


def thousands(value: int) -> str:
    return f"{value:,}"


def seconds(took_ms: float) -> str:
    return f"{took_ms / 1000:.3f}"


def paragraphs(body: str | None) -> list[str]:
    return [p.strip() for p in (body or "").split("\n") if p.strip()]


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: object) -> str:
    """Text without the characters XML 1.0 forbids (an index fed from the web may hold
    them); still plain text, so the template escapes it."""
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


def college(site: str | None) -> str:
    """The display name of a site id, from ``SITES`` in the configuration."""
    if not site:
        return ""
    return current_app.config["SITES"].get(site, site)


def register(app: Flask) -> None:
    for name, fn in {
        "safe_url": safe_url, "display_url": display_url, "date_only": date_only,
        "date_time": date_time, "beijing_time": beijing_time, "department": department, "thousands": thousands,
        "seconds": seconds, "paragraphs": paragraphs, "xml_safe": xml_safe, "college": college,
    }.items():
        app.add_template_filter(fn, name)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site() -> dict[str, object]:
        return {
            "site_title": app.config["SITE_TITLE"],
            "site_description": app.config["SITE_DESCRIPTION"],
            "logo_url": url_for("feeds.logo") if app.config.get("LOGO") else None,
            "theme_url": url_for("feeds.theme") if app.config.get("PRIMARY_COLOR") else None,
        }
