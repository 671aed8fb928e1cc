"""A site's configuration, read from TOML and validated before anything runs.

A configuration is a few lines because the CMS profile supplies the rest::

    id = "ybzy"
    name = "宜宾职业技术学院"
    base_url = "https://www.ybzy.cn/"
    profile = "vsb"
    lists = ["jryz.htm", { path = "xwzx/tzgg.htm", column = "通知公告" }]

A ``lists`` entry is a path, or a table naming the column its articles sit in
(used when an article page names none; the list page's own column name comes
next, then the site-wide ``column``).

Every mistake is reported as a :class:`ConfigError` naming the file, the key and
what would fix it.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import soupsieve

#: URL patterns of article pages, per CMS family.
PROFILES: dict[str, str] = {
    # VSB/博达: info/<column id>/<article id>.htm (.html where a site saves it so, -1.htm
    # for some republished copies; not <id>_2.htm, an article's second page), or the
    # older content.jsp?wbnewsid=
    "vsb": r"/info/\d+/\d+(?:-\d+)?\.html?$|[?&]wbnewsid=\d+",
    # WebPlus (SUDY): /2021/0716/c21558a534756/page.htm (page.html, page.psp on some sites)
    "webplus": r"/c\d+a\d+/page\.(?:html?|psp)$",
    # anything else must name its own pattern
    "generic": r"",
}

DEFAULT_USER_AGENT = "CollegeNewsSearch/0.1 (+{contact})"


class ConfigError(Exception):
    """A configuration file is wrong; the message says where and how to fix it."""

    def __init__(self, path: Path | str, key: str | None, message: str) -> None:
        where = f"{path}" + (f": key '{key}'" if key else "")
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.key = key


@dataclass(frozen=True)
class Selectors:
    """Optional CSS selectors, used only where the profile's defaults fail."""

    title: str | None = None
    date: str | None = None
    body: str | None = None
    department: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class SiteConfig:
    id: str
    name: str
    base_url: str
    lists: tuple[str, ...]  # list-page paths, relative to base_url
    profile: str = "vsb"
    sitemap: str | None = None  # relative to base_url
    article_pattern: str = ""
    allowed_hosts: tuple[str, ...] = ()
    encoding: str | None = None
    column: str | None = None
    delay: float = 1.0
    contact: str = "webmaster@example.edu.cn"
    user_agent: str = ""
    timeout: float = 15.0
    retries: int = 3
    max_pages: int = 5000
    max_depth: int = 50
    max_bytes: int = 5_000_000
    #: the largest attachment fetched (a PDF, a Word file …): bigger ones are skipped with a warning
    max_attachment_bytes: int = 20_000_000
    recheck_days: int = 7
    selectors: Selectors = field(default_factory=Selectors)
    path: str = ""
    #: (list path, column) for the ``lists`` entries that name their column
    list_columns: tuple[tuple[str, str], ...] = ()
    #: the institution whose name is dropped in front of a unit (read off ``name``
    #: when not given: 中北大学大数据学院 → 中北大学)
    institution: str | None = None
    #: the unit a unit's own site belongs to: an article naming no unit is its
    department: str | None = None
    #: this site's own spellings of units: (spelling, name)
    department_alias_pairs: tuple[tuple[str, str], ...] = ()

    @property
    def department_aliases(self) -> dict[str, str]:
        return dict(self.department_alias_pairs)

    def is_article_url(self, url: str) -> bool:
        return bool(self.article_pattern) and re.search(self.article_pattern, url) is not None

    def is_allowed_host(self, url: str) -> bool:
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:   # a malformed URL (a host such as "[Nucl. Phys. B 612]") is no one's
            return False
        return host in self.allowed_hosts

    @property
    def list_urls(self) -> tuple[str, ...]:
        return tuple(urljoin(self.base_url, x) for x in self.lists)

    @property
    def list_entries(self) -> tuple[tuple[str, str | None], ...]:
        """Every list page's URL with the column its entry names (or None)."""
        named = dict(self.list_columns)
        return tuple((urljoin(self.base_url, x), named.get(x)) for x in self.lists)

    @property
    def sitemap_url(self) -> str | None:
        return urljoin(self.base_url, self.sitemap) if self.sitemap else None

    def with_base_url(self, base_url: str) -> "SiteConfig":
        """The same site served from another address (a test server, a mirror)."""
        if not base_url.endswith("/"):
            base_url += "/"
        old = (urlsplit(self.base_url).hostname or "").lower()
        new = (urlsplit(base_url).hostname or "").lower()
        hosts = tuple(dict.fromkeys([new, *(h for h in self.allowed_hosts if h != old)]))
        return replace(self, base_url=base_url, allowed_hosts=hosts)

_TOP_KEYS = {"id", "name", "base_url", "lists", "profile", "sitemap", "article_pattern",
             "allowed_hosts", "encoding", "column", "politeness", "limits", "selectors",
             "institution", "department", "departments"}
_POLITENESS_KEYS = {"delay", "contact", "user_agent", "timeout", "retries"}
_LIMITS_KEYS = {"max_pages", "max_depth", "max_bytes", "max_attachment_bytes", "recheck_days"}
_SELECTOR_KEYS = set(Selectors.__dataclass_fields__)


def load_site(path: str | Path, base_url: str | None = None) -> SiteConfig:
    """Read and validate one site configuration. ``base_url`` overrides the file's."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, None, "no such file; give the path of a site configuration "
                          "such as data/sites/demo.toml") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read the file ({exc})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, _key_at(text, str(exc)), f"not valid TOML: {exc}"
                          + _toml_hint(text, str(exc))) from None
    return _build(str(path), raw, base_url_override=base_url)


def load_sites(paths: list[str | Path], base_url: str | None = None) -> list[SiteConfig]:
    sites = [load_site(p, base_url) for p in paths]
    seen: dict[str, str] = {}
    for s in sites:
        if s.id in seen:
            raise ConfigError(s.path, "id", f"'{s.id}' is also the id of {seen[s.id]}; ids must be unique")
        seen[s.id] = s.path
    return sites


def _build(path: str, raw: dict[str, Any], base_url_override: str | None) -> SiteConfig:
    def fail(key: str | None, msg: str) -> ConfigError:
        return ConfigError(path, key, msg)

    unknown = set(raw) - _TOP_KEYS
    if unknown:
        key = sorted(unknown)[0]
        table = _table_of(key)
        if table:
            raise fail(key, f"belongs under [{table}]: move it below a [{table}] line "
                       f"(a table runs to the next [...] line or the end of the file)")
        raise fail(key, f"unknown key; known keys are {', '.join(sorted(_TOP_KEYS))}")
    for key in ("id", "name", "base_url", "lists"):
        if key not in raw:
            raise fail(key, "is required")
    site_id = _str(raw, "id", fail)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", site_id):
        raise fail("id", f"'{site_id}' must be 1-40 lower-case letters, digits, '-' or '_'")
    base_url = base_url_override or _str(raw, "base_url", fail)
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail("base_url", f"'{base_url}' is not an http(s) URL such as https://www.ybzy.cn/")
    if not base_url.endswith("/"):
        base_url += "/"
    lists, list_columns = _lists(raw["lists"], fail)
    profile = raw.get("profile", "vsb")
    if profile not in PROFILES:
        raise fail("profile", f"'{profile}' is not one of {', '.join(PROFILES)}")
    pattern = raw.get("article_pattern", PROFILES[profile])
    if not isinstance(pattern, str):
        raise fail("article_pattern", "must be a string (a regular expression)")
    if not pattern:
        raise fail("article_pattern", "is required for the generic profile: a regular expression "
                   "matching article URLs")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise fail("article_pattern", f"is not a valid regular expression: {exc}") from None
    host = parts.hostname.lower()
    hosts = raw.get("allowed_hosts", [host])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise fail("allowed_hosts", "must be a list of host names")
    hosts = tuple(dict.fromkeys([host, *(h.lower() for h in hosts)]))
    sitemap = raw.get("sitemap")
    if sitemap is not None and not isinstance(sitemap, str):
        raise fail("sitemap", "must be a path or URL string")
    encoding = raw.get("encoding")
    if encoding is not None:
        import codecs
        try:
            codecs.lookup(str(encoding))
        except LookupError:
            raise fail("encoding", f"'{encoding}' is not a known character encoding") from None

    pol = _table(raw, "politeness", _POLITENESS_KEYS, fail)
    lim = _table(raw, "limits", _LIMITS_KEYS, fail)
    sel = _table(raw, "selectors", _SELECTOR_KEYS, fail)
    for key, value in sel.items():
        if not isinstance(value, str):
            raise fail(f"selectors.{key}", "must be a CSS selector string")
        try:
            soupsieve.compile(value)
        except Exception as exc:  # soupsieve raises SelectorSyntaxError and friends
            raise fail(f"selectors.{key}", f"'{value}' is not a valid CSS selector: {exc}") from None

    delay = _number(pol, "delay", 1.0, 0.0, 3600.0, fail, "politeness.")
    contact = pol.get("contact", "webmaster@example.edu.cn")
    ua = pol.get("user_agent") or DEFAULT_USER_AGENT.format(contact=contact)
    config = SiteConfig(
        id=site_id,
        name=_str(raw, "name", fail),
        base_url=base_url,
        lists=lists,
        list_columns=list_columns,
        profile=profile,
        sitemap=sitemap,
        article_pattern=pattern,
        allowed_hosts=hosts,
        encoding=encoding,
        column=_optional_str(raw, "column", fail),
        delay=delay,
        contact=str(contact),
        user_agent=str(ua),
        timeout=_number(pol, "timeout", 15.0, 0.1, 600.0, fail, "politeness."),
        retries=int(_number(pol, "retries", 3, 0, 10, fail, "politeness.")),
        max_pages=int(_number(lim, "max_pages", 5000, 1, 10_000_000, fail, "limits.")),
        max_depth=int(_number(lim, "max_depth", 50, 1, 100_000, fail, "limits.")),
        max_bytes=int(_number(lim, "max_bytes", 5_000_000, 1024, 1_000_000_000, fail, "limits.")),
        max_attachment_bytes=int(_number(lim, "max_attachment_bytes", 20_000_000, 1024, 1_000_000_000,
                                         fail, "limits.")),
        recheck_days=int(_number(lim, "recheck_days", 7, 0, 3650, fail, "limits.")),
        selectors=Selectors(**sel),
        path=path,
        institution=_optional_str(raw, "institution", fail),
        department=_optional_str(raw, "department", fail),
        department_alias_pairs=_aliases(raw, fail),
    )
    return config


def _aliases(raw: dict[str, Any], fail: Any) -> tuple[tuple[str, str], ...]:
    """``[departments]``: ``"大数据团委" = "大数据学院团委"``, a spelling and the name it means."""
    table = raw.get("departments", {})
    if not isinstance(table, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                              for k, v in table.items()):
        raise fail("departments", 'must be a table of spellings and the unit they name, such as '
                   '[departments] "大数据团委" = "大数据学院团委"')
    return tuple((k.strip(), v.strip()) for k, v in table.items())


_LIST_ENTRY_KEYS = {"path", "column"}
_LISTS_FIX = ('must be a non-empty list of list-page paths, such as ["xwzx.htm"], or of tables '
              'such as { path = "xwzx/tzgg.htm", column = "通知公告" }')


def _lists(value: Any, fail: Any) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """``lists`` entries: a path, or ``{ path = "...", column = "..." }``."""
    if not isinstance(value, list) or not value:
        raise fail("lists", _LISTS_FIX)
    paths: list[str] = []
    columns: list[tuple[str, str]] = []
    for i, entry in enumerate(value):
        key = f"lists[{i}]"
        if isinstance(entry, str):
            if not entry.strip():
                raise fail(key, "is empty; " + _LISTS_FIX)
            paths.append(entry.strip())
            continue
        if not isinstance(entry, dict):
            raise fail(key, _LISTS_FIX)
        unknown = set(entry) - _LIST_ENTRY_KEYS
        if unknown:
            raise fail(f"{key}.{sorted(unknown)[0]}", "unknown key; a list entry has path and column")
        path = entry.get("path")
        if not isinstance(path, str) or not path.strip():
            raise fail(f"{key}.path", "is required: the list page's path, such as \"xwzx/tzgg.htm\"")
        paths.append(path.strip())
        if "column" in entry:
            column = entry["column"]
            if not isinstance(column, str) or not column.strip():
                raise fail(f"{key}.column", "must be a non-empty string: the column's name, such as \"通知公告\"")
            columns.append((path.strip(), column.strip()))
    return tuple(paths), tuple(columns)


def _table_of(key: str) -> str | None:
    """The table a top-level key that is not one belongs to."""
    for table, keys in (("politeness", _POLITENESS_KEYS), ("limits", _LIMITS_KEYS),
                        ("selectors", _SELECTOR_KEYS - _TOP_KEYS)):
        if key in keys:
            return table
    return None


_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml_line(text: str, message: str) -> str | None:
    m = _TOML_AT.search(message)
    if not m:
        return None
    lines = text.splitlines()
    n = int(m.group(1))
    return lines[n - 1] if 0 < n <= len(lines) else None


def _key_at(text: str, message: str) -> str | None:
    line = _toml_line(text, message)
    m = re.match(r"\s*([A-Za-z0-9_.-]+)\s*=", line or "")
    return m.group(1) if m else None


def _toml_hint(text: str, message: str) -> str:
    """What fixes the commonest TOML mistake in a site file: a regular expression
    in a double-quoted string, where a backslash starts an escape (\\d is none)."""
    line = _toml_line(text, message)
    if line is None or "\\" not in line or '"' not in line:
        return ""
    m = re.match(r'\s*([A-Za-z0-9_.-]+)\s*=\s*"(.*)"\s*(#.*)?$', line)
    example = f"{m.group(1)} = '{m.group(2)}'" if m else "article_pattern = '/info/\\d+/\\d+\\.htm$'"
    return ("; a regular expression must be written in single quotes ('…'), where a backslash "
            f"is an ordinary character: {example}")


def _optional_str(raw: dict[str, Any], key: str, fail: Any) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise fail(key, "must be a non-empty string")
    return value.strip()


def _str(raw: dict[str, Any], key: str, fail: Any) -> str:
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise fail(key, "must be a non-empty string")
    return value.strip()


def _table(raw: dict[str, Any], key: str, allowed: set[str], fail: Any) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise fail(key, f"must be a table ([{key}])")
    unknown = set(value) - allowed
    if unknown:
        name = sorted(unknown)[0]
        home = "the top level" if name in _TOP_KEYS else (f"[{_table_of(name)}]" if _table_of(name) else None)
        if home:
            raise fail(f"{key}.{name}", f"belongs under {home}, not [{key}]: move it there")
        raise fail(f"{key}.{name}", f"unknown key; known keys are {', '.join(sorted(allowed))}")
    return value


def _number(table: dict[str, Any], key: str, default: float, lo: float, hi: float,
            fail: Any, prefix: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise fail(prefix + key, f"must be a number from {lo:g} to {hi:g}")
    return float(value)
