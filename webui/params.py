"""Reading the search parameters of a request into an :class:`indexer.results.Query`.

The page and the JSON API share these parameters (and this parser), so the same
URL query string works against ``/search`` and ``/api/search``::

    q            the query text (control characters are dropped; text longer than
                 MAX_QUERY_CHARS is not an error: the engine cuts it and says so)
    from, to     a date, both inclusive: YYYY-MM-DD, or as readers type it
                 (20200101, 2020/1/1, 2020.1.1, 2020年1月1日: see :mod:`webui.dates`)
    range        week | month | year | 3years: a preset ending today (Asia/Shanghai);
                 an explicit ``from`` or ``to`` replaces it
    dept         a department, repeatable
    column       a site column, repeatable
    site         a site, repeatable
    sort         relevance | date (newest first) | oldest (default: relevance, or date
                 when q is empty)
    page         1, 2, …
    size         1 … MAX_PAGE_SIZE
    title_only   1 to search titles only
    fold         0 to list near-duplicate articles one by one (default: one result a
                 story, the others folded under it; see :mod:`indexer.stories`)
    near         an article id (16 hex digits): that story's articles, one a result
                 (the fold's 查看全部 link; folding is then off)

Every way a parameter can be wrong raises :class:`ParamError` with one message in
Chinese and English; nothing else is raised for any input.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Protocol
from urllib.parse import urlencode

from webui.dates import FORMAT, DateFormatError, InvalidDate, parse_date
from webui.filters import NO_DEPARTMENT

from indexer.results import (MAX_FILTER_VALUES, MAX_PAGE_SIZE, MAX_RESULT_WINDOW, SORTS,
                             Query)

#: The longest query text accepted at all. Longer than MAX_QUERY_CHARS is fine (the engine
#: cuts it); beyond this the request is refused rather than carried around.
MAX_TEXT_PARAM_CHARS = 10_000
#: The longest value of any other parameter (a department name, a date, a number).
MAX_PARAM_CHARS = 200
DEFAULT_SIZE = 10
#: one result a story unless the address says fold=0
DEFAULT_FOLD = True
#: Dates outside these are refused: no news is that old, and the far end of the
#: calendar overflows date arithmetic.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)

#: The sizes the page offers (any of 1 … MAX_PAGE_SIZE is accepted).
SIZES = (10, 20, 50)
#: Date presets: name → (label, how far back).
RANGES = {"week": "一周内", "month": "一月内", "year": "一年内", "3years": "近三年"}
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

FILTER_PARAMS = (("dept", "departments", "部门"), ("column", "columns", "栏目"),
                 ("site", "sites", "站点"))
#: What the query form sends besides the search: the query the page was showing
#: (``prev``), the 在结果中搜索 box (``within``), the 应用筛选 button (``apply``).
FORM_MARKERS = ("prev", "within", "apply")
#: The parameters that narrow a search. A new query typed into the box starts
#: without them, unless 在结果中搜索 is ticked.
NARROWING = ("range", "from", "to", "dept", "column", "site", "title_only")

#: what each parameter is called on the page (its messages name no URL parameter)
LABELS = {"q": "搜索词", "from": "起始日期", "to": "截止日期", "range": "日期范围", "dept": "部门",
          "column": "栏目", "site": "学校", "sort": "排序方式", "page": "页码", "size": "每页条数",
          "title_only": "“只搜标题”", "typed": "“仍然搜索”", "fold": "“合并相似新闻”", "near": "相似新闻的编号"}
_INT_RE = re.compile(r"[+]?\d{1,9}", re.ASCII)
_ID_RE = re.compile(r"[0-9a-f]{16}", re.ASCII)
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"", "0", "false", "off", "no"}


class Args(Protocol):
    """What is needed of ``request.args`` (a Werkzeug ``MultiDict``)."""

    def get(self, key: str, default: str | None = None) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


class ParamError(ValueError):
    """A request parameter is wrong. ``zh`` and ``en`` say the same thing; ``param``
    names the parameter at fault."""

    def __init__(self, zh: str, en: str, param: str | None = None) -> None:
        super().__init__(f"{zh}（{en}）")
        self.zh = zh
        self.en = en
        self.param = param

    @property
    def message(self) -> str:
        return str(self)


def clean_text(value: str) -> str:
    """Drop control and format characters (NUL, escapes, bidi overrides …); tabs and
    line breaks become spaces; runs of white space become one space."""
    out = []
    for ch in value:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r\x0b\x0c\x85\u2028\u2029":
            out.append(" ")
        elif cat in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\u200d":
            # \u200d (zero-width joiner) holds emoji sequences together: keep it.
            continue
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def _single(args: Args, name: str, limit: int = MAX_PARAM_CHARS) -> str:
    values = args.getlist(name)
    if len(values) > 1:
        raise ParamError(f"{LABELS.get(name, name)}只能填写一个", f"parameter '{name}' may appear only once",
                         name)
    value = values[0] if values else ""
    if len(value) > limit:
        raise ParamError(f"{LABELS.get(name, name)}过长（最多 {limit} 个字符）",
                         f"parameter '{name}' is too long (at most {limit} characters)", name)
    return value.strip()


def _date(args: Args, name: str, label: str) -> date | None:
    raw = _single(args, name)
    if not raw:
        return None
    try:
        day = parse_date(raw)
    except DateFormatError:
        raise ParamError(f"{label}“{raw}”无法识别，请按 {FORMAT} 填写，例如 2023-09-01",
                         f"'{name}' must be a date written {FORMAT}, got {raw!r}", name) from None
    except InvalidDate:
        raise ParamError(f"{label}“{raw}”不是有效的日期",
                         f"'{name}' is not a valid date: {raw!r}", name) from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise ParamError(f"{label}“{raw}”超出范围（{MIN_DATE} 至 {MAX_DATE}）",
                         f"'{name}' must be between {MIN_DATE} and {MAX_DATE}, got {raw}", name)
    return day


def _int(args: Args, name: str, label: str, default: int) -> int:
    raw = _single(args, name)
    if not raw:
        return default
    if not _INT_RE.fullmatch(raw):
        raise ParamError(f"{label}必须是正整数，收到“{raw}”",
                         f"'{name}' must be a positive whole number, got {raw!r}", name)
    return int(raw)


def _values(args: Args, name: str, label: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for raw in args.getlist(name):
        if len(raw) > MAX_PARAM_CHARS:
            raise ParamError(f"{label}名称过长（最多 {MAX_PARAM_CHARS} 个字符）",
                             f"a '{name}' value is too long (at most {MAX_PARAM_CHARS} "
                             "characters)", name)
        value = clean_text(raw)
        if name in ("dept", "column") and value == NO_DEPARTMENT:
            seen.setdefault("", None)   # the articles that name none
        elif value:
            seen.setdefault(value, None)
    if len(seen) > MAX_FILTER_VALUES:
        raise ParamError(f"最多同时选择 {MAX_FILTER_VALUES} 个{label}",
                         f"at most {MAX_FILTER_VALUES} '{name}' values may be given", name)
    return tuple(seen)


def today_in_beijing() -> date:
    return datetime.now(BEIJING).date()


def range_start(name: str, today: date) -> date:
    """The first day of the preset ``name`` (week, month, year, 3years) ending ``today``."""
    if name == "week":
        return today - timedelta(days=7)
    if name == "month":
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return _clamped(year, month, today.day)
    if name == "year":
        return _clamped(today.year - 1, today.month, today.day)
    if name == "3years":
        return _clamped(today.year - 3, today.month, today.day)
    raise KeyError(name)


def _clamped(year: int, month: int, day: int) -> date:
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


@dataclass(frozen=True)
class SearchParams:
    """What a request asks: the engine's :class:`Query` (a date preset already turned
    into ``date_from``), and the preset's name so that links keep it relative."""

    query: Query
    range: str | None = None


def parse_params(args: Args, today: date | None = None) -> SearchParams:
    """Read :class:`SearchParams` from request arguments, or raise :class:`ParamError`."""
    query = parse_query(args)
    raw_range = _single(args, "range")
    if not raw_range:
        return SearchParams(query)
    if raw_range not in RANGES:
        raise ParamError(f"日期范围“{raw_range}”无效，可选：{'、'.join(RANGES.values())}",
                         f"'range' must be one of {', '.join(RANGES)}, got {raw_range!r}", "range")
    if query.date_from or query.date_to:
        return SearchParams(query)  # a custom range typed into the form wins over the preset
    start = range_start(raw_range, today or today_in_beijing())
    return SearchParams(replace(query, date_from=max(start, MIN_DATE)), raw_range)


def parse_query(args: Args) -> Query:
    """Read a :class:`Query` from request arguments, or raise :class:`ParamError`.
    (``range`` is read by :func:`parse_params`.)"""
    text = clean_text(_single(args, "q", MAX_TEXT_PARAM_CHARS))

    date_from = _date(args, "from", "起始日期")
    date_to = _date(args, "to", "截止日期")
    if date_from and date_to and date_from > date_to:
        raise ParamError(f"起始日期 {date_from} 晚于截止日期 {date_to}",
                         f"'from' ({date_from}) is after 'to' ({date_to})", "from")

    filters = {field: _values(args, name, label) for name, field, label in FILTER_PARAMS}

    raw_sort = _single(args, "sort")
    sort = raw_sort or ("relevance" if text else "date")
    if sort not in SORTS:
        raise ParamError(f"排序方式“{raw_sort}”无效，只能按相关度、最新或最早排序",
                         f"'sort' must be one of {', '.join(SORTS)}, got {raw_sort!r}", "sort")

    page = _int(args, "page", "页码", 1)
    if page < 1:
        raise ParamError("页码必须从 1 开始", "'page' must be 1 or more", "page")
    size = _int(args, "size", "每页条数", DEFAULT_SIZE)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ParamError(f"每页条数必须在 1 到 {MAX_PAGE_SIZE} 之间",
                         f"'size' must be between 1 and {MAX_PAGE_SIZE}", "size")
    if page * size > MAX_RESULT_WINDOW:
        raise ParamError(f"最多只能翻看前 {MAX_RESULT_WINDOW} 条结果，请缩小搜索范围",
                         f"page × size may not exceed {MAX_RESULT_WINDOW}; narrow the search",
                         "page")

    title_only = _flag(args, "title_only", False)
    near = _single(args, "near").lower() or None
    if near is not None and not _ID_RE.fullmatch(near):
        raise ParamError(f"相似新闻的编号“{near[:40]}”无效，应为 16 位十六进制数字",
                         f"'near' must be an article id of 16 hex digits, got {near[:40]!r}", "near")
    # listing one story whole is the fold undone: near implies fold=0
    fold = _flag(args, "fold", DEFAULT_FOLD) and near is None

    # a typo is fixed in place unless the reader asked for what was typed (仍然搜索)
    correct = not _flag(args, "typed", False)

    return Query(text=text, date_from=date_from, date_to=date_to, sort=sort, page=page,
                 size=size, title_only=title_only, fold=fold, near=near, correct=correct, **filters)


def _flag(args: Args, name: str, default: bool) -> bool:
    raw = _single(args, name).lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    label = LABELS[name]
    raise ParamError(f"{label}的取值只能是 1 或 0", f"'{name}' must be 1 or 0", name)


def new_query(**fields: object) -> Query:
    """A :class:`Query` with the defaults of the page and the API (folded), for a
    search that starts afresh (a suggestion, 热门搜索, 清除全部)."""
    return Query(**{"fold": DEFAULT_FOLD, "correct": True, **fields})  # type: ignore[arg-type]


def query_pairs(query: Query, range: str | None = None, **changes: object) -> list[tuple[str, str]]:
    """The canonical URL parameters of ``query`` (defaults left out), after applying
    ``changes`` (field names of :class:`Query`); the inverse of :func:`parse_query`.
    With ``range`` (a preset), ``range=…`` stands for the dates."""
    values = {f: getattr(query, f) for f in Query.__dataclass_fields__}
    values.update(changes)
    pairs: list[tuple[str, str]] = []
    if values["text"]:
        pairs.append(("q", str(values["text"])))
    if range:
        pairs.append(("range", range))
    else:
        for name, key in (("from", "date_from"), ("to", "date_to")):
            if values[key]:
                pairs.append((name, values[key].isoformat()))  # type: ignore[union-attr]
    for name, field, _label in FILTER_PARAMS:
        pairs.extend((name, v or NO_DEPARTMENT) for v in values[field])  # type: ignore[union-attr]
    if values["title_only"]:
        pairs.append(("title_only", "1"))
    if values["near"]:
        pairs.append(("near", str(values["near"])))   # (fold=0 implied)
    elif values["fold"] != DEFAULT_FOLD:
        pairs.append(("fold", "1" if values["fold"] else "0"))
    if values["text"] and not values["correct"]:
        pairs.append(("typed", "1"))   # what was typed, not its correction
    default_sort = "relevance" if values["text"] else "date"
    if values["sort"] != default_sort:
        pairs.append(("sort", str(values["sort"])))
    if values["size"] != DEFAULT_SIZE:
        pairs.append(("size", str(values["size"])))
    if values["page"] != 1:
        pairs.append(("page", str(values["page"])))
    return pairs


def from_form(pairs: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The search a submission of the query form asks for, as URL parameters, from
    the ``pairs`` it sent; None when they are not a form's (a link, a typed address).
    Empty fields and the form's own markers are left out; the narrowing parameters
    are left out too when the box holds a new query, unless the 应用筛选 button sent
    the form or 在结果中搜索 is ticked; ``near`` (one story) always is then."""
    sent = {k for k, _ in pairs}
    if not sent & set(FORM_MARKERS):
        return None

    def first(name: str) -> str:
        return next((v for k, v in pairs if k == name), "")

    new_query = clean_text(first("q")) != clean_text(first("prev"))
    keep = bool(sent & {"apply", "within"}) or not new_query
    # one story's list (near, kept by the sort of its page) belongs to the query it came from
    return [(k, v) for k, v in pairs
            if k not in FORM_MARKERS and v.strip() and (keep or k not in NARROWING)
            and not (new_query and k == "near")]


def encode(pairs: Iterable[tuple[str, str]]) -> str:
    return urlencode(list(pairs))
