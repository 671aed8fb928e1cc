"""An article's closing tail: what follows its last sentence and is not its text.

From the end up: credit lines (（X供稿）, （文/… 图/…）, 来源：…, 审核：…), lines naming
the attachments, and a notice's signature — the signing unit (one line, or split
over two: 大数据学院 / 团委组织部) over its date (2023年5月6日, 2020.11.17,
二〇一九年十一月三日, 2019年10月), the date above the unit, the two on one line, or
a unit alone. What the tail names gives the department, the source and, failing
the page's own date, the date. A notice's contact lines (联系人：…, 电话：…) are
its text and stay.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.article import Attachment
from indexer.extract.credits import credit_fields
from indexer.extract.dates import to_iso
from indexer.extract.text import squash
from indexer.extract.units import looks_like_unit

_ATTACH_LINE = re.compile(r"^(?:附件|附表|附)\s*\d{0,2}\s*[:：【\[]|^附件\s*\d{0,2}\s*$|^附件\s*\d{1,2}\s*[.、．]|"
                          r"^附件\s+\S.{0,60}$")
_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_ARABIC_DATE = re.compile(r"^((?:19|20)\d{2})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*日?$")
_ARABIC_MONTH = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?:份)?$")
_CHINESE_DATE = re.compile(r"^([〇○零OＯ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
                           r"(?:\s*([一二三四五六七八九十]{1,3})\s*日)?$")


def _cn_number(text: str) -> int | None:
    """十一 → 11, 二十八 → 28, 三 → 3."""
    if not text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGIT.get(tens, 1) if tens else 1) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)
    return _CN_DIGIT.get(text)


def date_line(line: str) -> tuple[bool, str | None]:
    """Whether a line is only a date, and the date (``None`` for a month alone)."""
    text = line.replace(" ", "").replace("\u3000", "").strip()
    m = _ARABIC_DATE.match(text)
    if m:
        return True, to_iso(*m.groups())
    if _ARABIC_MONTH.match(text):
        return True, None
    m = _CHINESE_DATE.match(text)
    if m:
        year = "".join(str(_CN_DIGIT[c]) for c in m.group(1))
        month, day = _cn_number(m.group(2)), _cn_number(m.group(3) or "")
        if day is None:
            return True, None
        return True, to_iso(year, str(month), str(day))
    return False, None


def _unit_parts(line: str) -> list[str] | None:
    """The units a signature line names (``教务处、经济学院`` → two), or ``None``
    when the line is not one. Units split by spaces are one unit inside another
    (``大数据学院 团委 组织部`` → 大数据学院团委组织部)."""
    text = line.strip()
    if not 1 < len(text) <= 40 or re.search(r"[。！？；：:，,\d]", text):
        return None
    units = []
    for part in (p for p in re.split(r"[、/]+", text) if p.strip()):
        joined = re.sub(r"[\s\u3000]+", "", part)
        if not looks_like_unit(joined):
            return None
        units.append(joined)
    return units or None


_PARENT_UNIT = re.compile(r"(学院|大学|学校|分院|书院|研究院|共青团.*|中共.*)$")


def _first_signer(lines: list[list[str]]) -> str:
    """The first signing unit of signature lines read top-down: a line naming a
    college or institution (大数据学院, 共青团中北大学) continues into the line below
    it (团委组织部), which is its sub-unit; otherwise each line signs on its own."""
    unit = lines[0][0]
    for parts in lines[1:]:
        if len(lines[0]) == 1 and _PARENT_UNIT.search(unit) and not _PARENT_UNIT.search(parts[0]):
            unit += parts[0]
        else:
            break
    return unit


#: The page's own time stamp closing the article: a date with its clock time,
#: and at most the site's name after it (2013年03月21日 13:39:38　　清华新闻网).
_STAMP = re.compile(r"^[\[【（(]?\s*(?:(?:发布|发表|更新)(?:时间|日期)?\s*[:：]\s*)?"
                    r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*"
                    r"(\d{1,2})\s*[:：]\s*(\d{1,2})(?:\s*[:：]\s*(\d{1,2}))?\s*[\]】）)]?"
                    r"[\s\u3000]*[\u4e00-\u9fffA-Za-z]{0,16}$")
#: A reporter's byline run into the last sentence (…福建的媳妇。”本报记者黄世宏).
_TRAILING_BYLINE = re.compile(r"(?<=[。！？”」』])[\s\u3000\ue000-\uf8ff]*((?:本报|本刊|本台|本网)?(?:特约|见习|实习)?(?:记者|通讯员)"
                              r"\s*[\u4e00-\u9fff]{2,4}(?:[\s、，,]+[\u4e00-\u9fff]{2,4}){0,3})\s*$")


@dataclass
class Tail:
    body: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    signer: str | None = None
    signed: str | None = None
    stamped: str | None = None   # the page's own time stamp under the article


def split_tail(lines: list[str], attachments: list[Attachment]) -> Tail:
    """The body without its closing tail, and what the tail names."""
    out = list(lines)
    tail = Tail(out)
    names = {squash(a.name) for a in attachments if a.name}

    def attachment_line(line: str) -> bool:
        if len(line) > 160:
            return False
        sq = squash(re.sub(r"^\d{1,2}\s*[.、．]\s*", "", line))
        return bool(_ATTACH_LINE.match(line)) or (bool(sq) and sq in names)

    def take_signer(units_from: int) -> None:
        """Take the unit lines ending at ``out[units_from]`` (three at most)."""
        i = units_from
        while i >= 1 and units_from - i < 3 and _unit_parts(out[i]):
            i -= 1
        lines_ = [_unit_parts(x) or [] for x in out[i + 1:units_from + 1]]
        if lines_:
            tail.signer = tail.signer or _first_signer(lines_)
            del out[i + 1:units_from + 1]

    for _ in range(12):
        if len(out) <= 1:
            break
        last = out[-1]
        if not re.search(r"[\w\u3400-\u9fff]", last) and credit_fields(out[-2]) is not None:
            out.pop()   # a stray quote or bracket under a credit line, left by the page's markup
            continue
        credit = credit_fields(last)
        if credit is not None:
            for k, v in credit.items():
                tail.fields.setdefault(k, v)
            out.pop()
            continue
        if attachment_line(last):
            out.pop()
            continue
        m = _STAMP.match(last.strip())
        if m:
            tail.stamped = tail.stamped or to_iso(*m.groups())
            out.pop()
            continue
        m = _TRAILING_BYLINE.search(last)
        if m and m.start() > 0:
            tail.fields.setdefault("记者", m.group(1))
            out[-1] = last[:m.start()].rstrip()
            continue
        is_date, signed = date_line(last)
        if is_date:
            tail.signed = tail.signed or signed
            out.pop()
            take_signer(len(out) - 1)
            continue
        m = re.match(r"^(.{2,40}?)[\s\u3000]+((?:19|20)\d{2}\s*[年.\-/].{2,12}|[〇○零一二三四五六七八九]{4}年.{2,8})$",
                     last.strip())
        pieces = [m.group(1), m.group(2)] if m else []
        if len(pieces) == 2 and date_line(pieces[1])[0] and _unit_parts(pieces[0]):
            tail.signed = tail.signed or date_line(pieces[1])[1]
            tail.signer = tail.signer or _unit_parts(pieces[0])[0]  # type: ignore[index]
            out.pop()
            continue
        if _unit_parts(last) and len(out) > 1:
            # the unit below its date, or a unit signing alone
            above, signed = date_line(out[-2])
            take_signer(len(out) - 1)
            if above and out and out[-1] != last:
                tail.signed = tail.signed or signed
                out.pop()
            if out and out[-1] == last:
                break
            continue
        break
    tail.body = out
    return tail
