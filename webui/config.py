"""The site's configuration: the college's name, logo and colour, the names of the
indexed sites, and a TOML file that sets them for ``news-web serve --config FILE``.

App config keys (all optional)::

    SITE_TITLE        the name shown on every page ("蜀江职业技术学院新闻搜索")
    SITE_DESCRIPTION  the line under the title on the home page; by default it names
                      the college when SITES holds one, says 各高校 when it holds
                      several, and is left out when it holds none
    LOGO              a local image file (svg, png, jpg, webp, gif; at most 512 KB),
                      served by the app at /logo; never a URL on another host
    PRIMARY_COLOR     "#RRGGBB"; emitted into /theme.css (so the CSP stays strict)
    SITES             {site id: display name}, e.g. {"demo": "蜀江职业技术学院"};
                      by default the ``name`` of each data/sites/*.toml
    PUBLIC_URL        "https://news.example.edu.cn/": the address used in the feed and
                      the OpenSearch document (by default the address of the request)
    QUERY_LOG         False turns the query log (DATA_DIR/queries.sqlite3) off
    SUGGEST_MIN_COUNT how many times a query must have been searched before
                      /api/suggest offers it to others (default 3)
    SUGGEST_MIN_CLIENTS how many clients (each counted once a day, see
                      webui/querylog.py) must have searched it (default 3): one
                      reader repeating a search makes nothing popular

The TOML file uses lower-case names for the same settings, and a ``[colleges]``
table for ``SITES``; a relative ``logo`` or ``data_dir`` is read from the file's
own folder::

    title = "蜀江职业技术学院新闻搜索"
    logo = "logo.svg"
    primary_color = "#0b5cab"

    [colleges]
    demo = "蜀江职业技术学院"

    [server]
    host = "0.0.0.0"
    port = 8000
    threads = 8
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from indexer.paths import SITES_DIR

DEFAULT_TITLE = "高校新闻搜索"
DEFAULT_DESCRIPTION = "检索各高校官网发布的新闻、通知与公告"
#: the default description of a site that indexes one college
ONE_COLLEGE_DESCRIPTION = "检索{name}官网发布的新闻、通知与公告"
DEFAULT_COLOR = "#1d4ed8"
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif"}
MAX_LOGO_BYTES = 512 * 1024
MAX_TITLE_CHARS = 60

_COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")

#: TOML key → (app config key, type)
FILE_KEYS: dict[str, tuple[str, type]] = {
    "title": ("SITE_TITLE", str),
    "description": ("SITE_DESCRIPTION", str),
    "logo": ("LOGO", str),
    "primary_color": ("PRIMARY_COLOR", str),
    "public_url": ("PUBLIC_URL", str),
    "data_dir": ("DATA_DIR", str),
    "query_log": ("QUERY_LOG", bool),
    "suggest_min_count": ("SUGGEST_MIN_COUNT", int),
    "suggest_min_clients": ("SUGGEST_MIN_CLIENTS", int),
}
SERVER_KEYS = {"host": str, "port": int, "threads": int}


class ConfigError(ValueError):
    """A setting is wrong; the message names it and says what would be right."""


# -- checking the app config ------------------------------------------------------
def check(config: dict[str, Any]) -> None:
    """Check and normalise the site settings in a Flask config, in place."""
    title = config.get("SITE_TITLE") or DEFAULT_TITLE
    if not isinstance(title, str) or len(title) > MAX_TITLE_CHARS:
        raise ConfigError(f"SITE_TITLE must be text of at most {MAX_TITLE_CHARS} characters")
    config["SITE_TITLE"] = title.strip() or DEFAULT_TITLE

    color = config.get("PRIMARY_COLOR")
    if color is not None:
        if not isinstance(color, str) or not _COLOR_RE.fullmatch(color):
            raise ConfigError(f"PRIMARY_COLOR must be written #RRGGBB (such as #0b5cab), got {color!r}")
        config["PRIMARY_COLOR"] = color.lower()

    logo = config.get("LOGO")
    if logo:
        config["LOGO"] = check_logo(logo)
    else:
        config["LOGO"] = None

    public = config.get("PUBLIC_URL")
    if public:
        if not isinstance(public, str) or not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", public):
            raise ConfigError(f"PUBLIC_URL must be an http(s) address such as "
                              f"https://news.example.edu.cn/, got {public!r}")
        config["PUBLIC_URL"] = public if public.endswith("/") else public + "/"

    sites = config.get("SITES")
    if sites is None:
        sites = sites_from_configs(SITES_DIR)
    if not isinstance(sites, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in sites.items()):
        raise ConfigError("SITES must map site ids to display names, "
                          "such as {\"demo\": \"蜀江职业技术学院\"}")
    config["SITES"] = dict(sites)
    config["SITE_DESCRIPTION"] = str(config.get("SITE_DESCRIPTION") or default_description(config["SITES"]))

    for key in ("SUGGEST_MIN_COUNT", "SUGGEST_MIN_CLIENTS"):
        n = config.get(key, 3)
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 1000:
            raise ConfigError(f"{key} must be a whole number from 1 to 1000, got {n!r}")
        config[key] = n


def default_description(sites: dict[str, str]) -> str:
    """The line under the title when none is configured: never 各高校 on the site of
    one college."""
    names = list(dict.fromkeys(sites.values()))
    if len(names) == 1:
        return ONE_COLLEGE_DESCRIPTION.format(name=names[0])
    return DEFAULT_DESCRIPTION if names else ""


def check_logo(logo: object) -> Path:
    text = str(logo)
    if "://" in text or text.startswith("//"):
        raise ConfigError(f"LOGO must be a file on this server (it is served from /logo; "
                          f"no asset comes from another host), got {text!r}")
    path = Path(text).expanduser()
    suffix = path.suffix.lower()
    if suffix not in LOGO_TYPES:
        raise ConfigError(f"LOGO must be one of {', '.join(sorted(LOGO_TYPES))}, got {text!r}")
    if not path.is_file():
        raise ConfigError(f"LOGO file not found: {text}")
    if path.stat().st_size > MAX_LOGO_BYTES:
        raise ConfigError(f"LOGO is larger than {MAX_LOGO_BYTES // 1024} KB: {text}")
    return path.resolve()


def sites_from_configs(folder: Path) -> dict[str, str]:
    """``{id: name}`` from the site configurations, read leniently: a display name is
    a nicety, and a broken site file is the indexer's to report."""
    names: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        site_id, name = raw.get("id"), raw.get("name")
        if isinstance(site_id, str) and isinstance(name, str) and name.strip():
            names[site_id] = name.strip()
    return names


# -- the TOML file ------------------------------------------------------------------
def load_file(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(app config, server options) from a TOML file, or :class:`ConfigError`."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    base = Path(path).resolve().parent
    config: dict[str, Any] = {}
    server: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "colleges":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ConfigError(f"{path}: [colleges] must map site ids to names, "
                                  'such as demo = "蜀江职业技术学院"')
            config["SITES"] = dict(value)
        elif key == "server":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: [server] must be a table")
            for k, v in value.items():
                if k not in SERVER_KEYS:
                    raise ConfigError(f"{path}: unknown key server.{k} "
                                      f"(known: {', '.join(SERVER_KEYS)})")
                if not isinstance(v, SERVER_KEYS[k]) or isinstance(v, bool):
                    raise ConfigError(f"{path}: server.{k} must be {SERVER_KEYS[k].__name__}")
                server[k] = v
        elif key in FILE_KEYS:
            name, kind = FILE_KEYS[key]
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ConfigError(f"{path}: {key} must be {kind.__name__}, got {value!r}")
            if key in ("logo", "data_dir") and "://" not in value:
                value = str(base / Path(value).expanduser())
            config[name] = value
        else:
            known = ", ".join([*FILE_KEYS, "[colleges]", "[server]"])
            raise ConfigError(f"{path}: unknown key {key!r} (known: {known})")
    return config, server


# -- colours ---------------------------------------------------------------------------
def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _luminance(color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(color: str, other: str, t: float) -> str:
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(_rgb(color), _rgb(other)))


def readable_on(bg: str, color: str, minimum: float = 4.5) -> str:
    """``color`` darkened (on a light ``bg``) or lightened (on a dark one) until its
    contrast with ``bg`` reaches ``minimum`` (WCAG AA for text)."""
    target = "#000000" if _luminance(bg) > 0.5 else "#ffffff"
    for step in range(0, 21):
        candidate = _mix(color, target, step / 20)
        if contrast(candidate, bg) >= minimum:
            return candidate
    return target


def theme_css(color: str) -> str:
    """The stylesheet that applies the college's colour, readable in light and dark mode."""
    fg = "#ffffff" if contrast(color, "#ffffff") >= contrast(color, "#111111") else "#111111"
    light_link = readable_on("#ffffff", color)
    dark_link = readable_on("#16181c", color)
    return (f"/* the college's colour ({color}), from the site configuration */\n"
            f":root {{ --accent: {color}; --accent-fg: {fg}; --link: {light_link}; "
            f"--brand: {light_link}; --ring: {light_link}; }}\n"
            f"@media (prefers-color-scheme: dark) {{\n"
            f"  :root {{ --link: {dark_link}; --brand: {dark_link}; --ring: {dark_link}; }}\n}}\n")
