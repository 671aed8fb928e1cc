"""Labelled fields (``来源：教务处``, ``供稿单位：…``, ``发布时间：…``) and the credit lines
that close an article (（智能制造学院供稿）, （文/党委组织部 图/轻院新闻社）, （新闻中心记者
张三）, 来源：人民日报, 审核：…): read for the department and the source, and never
part of the article's text."""
from __future__ import annotations

import re
from collections.abc import Iterable

FIELD_LABELS = (
    "作者单位", "供稿人", "整理", "采写", "采访", "排版", "美编", "设计", "视频", "文字来源", "图片及内容来源", "内容来源", "图片来源", "信息来源", "文章来源", "稿件来源", "新闻来源", "转载来源", "转载自", "转自", "来源", "供稿单位", "供稿部门",
    "供稿", "投稿单位", "发布单位", "发布部门", "发布机构", "发文单位", "撰稿人", "撰稿", "作者", "文字", "文",
    "发布者", "发布人", "录入", "编辑", "责任编辑", "责编", "审核", "审稿", "初审", "复审", "终审", "校对",
    "摄影", "摄像", "图片", "图文", "图", "通讯员", "记者", "发布时间", "发布日期", "发稿时间", "更新时间",
    "发表时间", "时间", "日期", "浏览次数", "浏览量", "浏览", "点击数", "点击量", "点击", "阅读次数",
    "阅读量", "阅读", "访问量", "字号", "字体",
)
# Info lines are read as a reader sees them, so one span's value runs into the
# next span's label ("来源：教务处日期:2023-04-22"): labels of two or more
# characters are found anywhere, one-character ones (文, 图) only after a break.
_LABEL_RE = re.compile(
    r"(" + "|".join(sorted((x for x in FIELD_LABELS if len(x) > 1), key=len, reverse=True)) +
    r"|(?:(?<=^)|(?<=[\s|｜/【\[（(]))(?:" + "|".join(x for x in FIELD_LABELS if len(x) == 1) +
    r"))\s*[:：]")


def labelled_fields(lines: Iterable[str]) -> dict[str, str]:
    """``{"来源": "教务处", "发布时间": "2023-04-22"}`` from info lines (first value wins)."""
    found: dict[str, str] = {}
    for line in lines:
        matches = list(_LABEL_RE.finditer(line))
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            value = line[m.end():end]
            value = re.split(r"[|｜]|\s{2,}|【|】", value.strip(" \u3000"))[0]
            value = value.strip(" \u3000\t,，;；、（）()")
            found.setdefault(m.group(1), value)
    return found


# -- credit lines ------------------------------------------------------------------

_CREDIT_LABELS = ("文/图", "文图", "图文", "文字", "文", "图", "摄影", "摄", "撰稿人", "撰稿", "供稿人", "供稿",
                  "作者单位", "整理", "采访", "采写", "排版", "设计", "美编", "图片来源", "内容来源", "图片及内容来源", "文字来源", "审核", "审稿",
                  "编辑", "责任编辑", "责编", "初审", "复审", "终审", "校对", "通讯员", "记者", "作者", "来源",
                  "信息来源", "文章来源", "稿件来源", "转载来源", "转自", "供稿单位", "摄像", "图片", "视频")
_SLASH_LABEL = re.compile(r"(?:^|(?<=[\s（(]))(" + "|".join(
    sorted((re.escape(x) for x in _CREDIT_LABELS), key=len, reverse=True)) + r")\s*[/／]\s*")
_SUPPLIED = re.compile(r"^[（(]?\s*([^（）()：:]{2,40}?)\s*(供稿|撰稿|报道)\s*[）)]?$")
_REPORTER = re.compile(r"^[（(]\s*([^（）()：:]{0,30}?)(学生摄影记者|摄影记者|学生记者|见习记者|特约记者|记者|"
                       r"学生通讯员|通讯员)\s*([^（）()]{0,40})[）)]$")
_NAMES_ONLY = re.compile(r"^[（(]\s*[\u4e00-\u9fff]{2,4}(?:[\s、，,]+[\u4e00-\u9fff]{2,4}){0,3}\s*[）)]$")
_LABELLED_LINE = re.compile(r"^[（(]?\s*(?:" + "|".join(
    sorted((re.escape(x) for x in _CREDIT_LABELS), key=len, reverse=True)) + r")\s*[:：]")


_NOTE = re.compile(r"^[（(]\s*(作者系|作者为|作者简介[:：]?|本文系|本文为|本文|此文|该文|编者按[:：]?|编注[:：]?|注[:：])"
                   r"(.{2,160})[）)]$")
_AFFILIATED = re.compile(r"^[（(]\s*(\S{2,30}?(?:副?院长|副?主任|副?教授|副?研究员|副?书记|副?处长|副?部长|秘书长))"
                         r"\s+[\u4e00-\u9fff]{2,4}\s*[）)]$")
_PROVIDED = re.compile(r"^(?:图片|照片|图)(?:均)?由(.{2,30}?)(?:提供|拍摄)$")
_BYLINE = re.compile(r"^[—－-]{1,2}\s*([\u4e00-\u9fff][^，。！？]{1,30})$")
_BAR_LABEL = re.compile(r"^([（(]?\s*(?:供稿|来源|作者|编辑|责编|审核|校对|撰稿|摄影|文字|图片|图|文|排版|采访|整理|"
                        r"设计|美编|视频))\s*[|｜]\s*")
_LABEL_GROUP = re.compile(r"^(?:(?:采访|整理|文字|摄影|作者|撰稿|采写)、)+")


def credit_fields(line: str) -> dict[str, str] | None:
    """The fields a closing credit line names, or ``None`` when the line is not one.

    ``（智能制造学院供稿）`` → ``{"供稿": "智能制造学院"}``; ``（文/党委组织部 图/轻院新闻社）`` →
    ``{"文": "党委组织部", "图": "轻院新闻社"}``; ``（新闻中心记者 张三）`` → ``{"记者":
    "新闻中心记者 张三"}``; ``来源：人民日报`` → ``{"来源": "人民日报"}``; ``（袁源）`` →
    ``{"作者": "袁源"}``."""
    text = line.strip()
    m = _NOTE.match(text)
    if m:   # （本文系…的演讲）, （作者系清华大学教育研究院教授，…）
        return {"作者单位": m.group(2)} if m.group(1).startswith("作者") else {"注": m.group(2)}
    if not text or len(text) > 80 or re.search(r"[。！？]", text[:-1]):
        return None
    m = _AFFILIATED.match(text)
    if m:   # （国家服务外包人力资源研究院副院长 毛居华）
        return {"作者单位": m.group(1)}
    m = _SUPPLIED.match(text)
    if m and (text.startswith(("（", "(")) or len(text) <= 30):
        return {"供稿": m.group(1).strip()}
    m = _REPORTER.match(text)
    if m:
        return {"记者": (m.group(1) + m.group(2) + " " + m.group(3)).strip()}
    if _NAMES_ONLY.match(text):
        return {"作者": text.strip("（）() ")}
    m = _PROVIDED.match(text)
    if m:
        return {"图": m.group(1)}
    m = _BYLINE.match(text)
    if m:
        return {"作者": m.group(1)}
    text = _BAR_LABEL.sub(lambda m: m.group(1) + "：", text)
    text = _LABEL_GROUP.sub("", text)
    inner = text[1:-1] if text[:1] in "（(" and text[-1:] in "）)" else text
    if _SLASH_LABEL.search(inner):
        inner = _SLASH_LABEL.sub(lambda m: f" {m.group(1).split('/')[0]}：", inner)
    if _LABELLED_LINE.match(inner.strip()):
        fields = labelled_fields([inner.strip()])
        return fields or None
    return None


#: A news dateline with its credit: 清华新闻网3月21日电（新闻中心学生摄影记者 王皓冉 王涵）,
#: 本报讯（通讯员 张三）, 新华社北京3月5日电（记者 李四）.
_DATELINE = re.compile(r"^\s*(?:[^\s，。（）()]{0,16}?(?:\d{1,2}\s*月\s*\d{1,2}\s*日\s*)?(?:电|讯))\s*"
                       r"([（(][^（）()]{2,60}[）)])")


def dateline_credit(first_line: str) -> dict[str, str] | None:
    """The credit a news dateline opening the text carries (``清华新闻网3月21日电（记者
    李含）`` → ``{"记者": "记者 李含"}``); it stays in the text, as in the paper."""
    m = _DATELINE.match(first_line)
    return credit_fields(m.group(1)) if m else None
