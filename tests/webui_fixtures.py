"""A small, handmade corpus of college news and a real index built from it,
shared by tests/test_webui*.py and tests/test_browser*.py; and what the browser
tests share: Chromium driven by Playwright, a watch on what must never happen on
a page, the app served by waitress, screenshots."""
from __future__ import annotations

import contextlib
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.article import Article
from indexer.ids import article_id
from indexer.index import build_index

SITE = "yibin"
SITE2 = "luzhou"
BASE = "https://www.example.edu.cn/info/"
BASE2 = "https://news.example2.edu.cn/xw/"
#: the display names the web UI is configured with
SITES = {SITE: "宜宾职业技术学院", SITE2: "泸州职业技术学院"}
#: "today" for the date presets (一周内, 一月内, 一年内)
TODAY = "2024-07-15"

ZZ = "智能制造学院"
JW = "教务处"
XX = "信息工程学院"
TW = "团委"
XC = "宣传部"

SCRIPT_TITLE = "<script>alert(1)</script>测试"

# (title, body, department, published, column)
_ROWS: list[tuple[str, str, str | None, str, str]] = [
    ("学校召开2023年产教融合工作年会", "4月22日，学校召开2023年产教融合工作年会。\n会议总结了校企合作成果，部署了下一阶段工作。", ZZ, "2023-04-22T10:30:00", "今日宜职"),
    ("智能制造学院与华中数控签订校企合作协议", "智能制造学院与武汉华中数控股份有限公司签订合作协议。\n双方将共建数控技术实训基地。", ZZ, "2023-05-10", "今日宜职"),
    ("华中数控专家来校开展数控系统培训", "华中数控工程师为教师讲解数控系统的调试与维护。\n培训持续三天。", ZZ, "2022-11-03", "学院动态"),
    ("产教融合共同体成立大会在成都召开", "成渝地区双城经济圈智能制造产教融合发展共同体成立。\n多所高职院校与企业参加。", ZZ, "2022-06-18", "今日宜职"),
    ("我校学子在全国职业院校技能大赛中获一等奖", "在全国职业院校技能大赛中，我校学生获得工业机器人赛项一等奖。\n指导教师来自智能制造学院。", ZZ, "2024-06-01", "今日宜职"),
    ("智能制造学院举办工业机器人操作培训", "学院面向企业员工举办工业机器人操作培训。\n产教融合助力区域产业发展。", ZZ, "2024-03-15", "学院动态"),
    ("数控实训基地通过省级验收", "我校数控实训基地顺利通过省级验收。\n基地由学校与华中数控共同建设。", ZZ, "2021-12-20", "今日宜职"),
    ("智能制造学院召开教学工作会议", "学院召开新学期教学工作会议，部署课程建设与产教融合项目。", ZZ, "2021-09-05", "学院动态"),
    ("关于2023年秋季学期期末考试安排的通知", "各二级学院：\n2023年秋季学期期末考试定于1月8日开始。\n请各单位做好考务安排。", JW, "2023-12-20", "通知公告"),
    ("教务处召开教学改革研讨会", "教务处组织召开教学改革研讨会，围绕产教融合课程改革展开讨论。", JW, "2023-03-08", "通知公告"),
    ("关于开展2024年教学能力比赛的通知", "为提升教师教学能力，学校决定开展2024年教学能力比赛。", JW, "2024-04-02", "通知公告"),
    ("教务处完成新学期教材发放工作", "教务处按时完成新学期教材发放工作，保障教学顺利开展。", JW, "2022-09-01", "通知公告"),
    ("学校推进产教融合型课程建设", "教务处发布产教融合型课程建设方案，首批立项二十门课程。", JW, "2022-03-22", "今日宜职"),
    ("关于做好2021年毕业生学籍审核的通知", "各学院须在规定时间内完成毕业生学籍审核工作。", JW, "2021-05-10", "通知公告"),
    ("信息工程学院举办网络安全宣传周活动", "信息工程学院举办网络安全宣传周系列活动，普及网络安全知识。", XX, "2023-09-12", "学院动态"),
    ("信息工程学院与华为共建ICT学院", "信息工程学院与华为技术有限公司共建ICT学院，深化产教融合。", XX, "2022-05-20", "今日宜职"),
    ("大数据技术专业开展企业实践周", "大数据技术专业学生赴合作企业开展实践周活动。", XX, "2024-05-08", "学院动态"),
    ("信息工程学院举办程序设计竞赛", "学院举办第三届程序设计竞赛，一百余名学生参赛。", XX, "2021-11-14", "学院动态"),
    ("软件技术专业通过专业认证", "软件技术专业顺利通过专业认证，产教融合成效显著。", XX, "2023-06-30", "今日宜职"),
    ("信息工程学院召开毕业生就业推进会", "学院召开毕业生就业推进会，部署就业工作。", XX, "2024-02-26", "学院动态"),
    ("团委组织青年志愿者开展社区服务", "校团委组织青年志愿者走进社区，开展志愿服务活动。", TW, "2023-03-05", "青春宜职"),
    ("团委举办五四青年节表彰大会", "校团委举办五四青年节表彰大会，表彰优秀团员和团干部。", TW, "2022-05-04", "青春宜职"),
    ("暑期三下乡社会实践活动启动", "团委组织学生开展暑期三下乡社会实践活动。", TW, "2024-07-10", "青春宜职"),
    ("团委开展团员教育评议工作", "校团委部署年度团员教育评议工作。", TW, "2021-12-01", "青春宜职"),
    ("学校举行2023届毕业典礼", "学校隆重举行2023届毕业典礼，三千余名毕业生参加。", None, "2023-06-20", "今日宜职"),
    ("学校召开新学期工作部署会", "学校召开新学期工作部署会，强调产教融合与内涵建设。", None, "2024-02-20", "今日宜职"),
    ("学校举办校园开放日活动", "学校举办校园开放日，欢迎考生和家长来校参观。", None, "2022-07-02", "今日宜职"),
    ("学校领导走访合作企业", "学校领导走访多家合作企业，调研产教融合需求。", None, "2021-10-18", "今日宜职"),
    ("学校获批省级产教融合示范项目", "学校申报的产教融合示范项目获省教育厅批准立项。", XX, "2024-09-10", "今日宜职"),
    ("智能制造学院开展产教融合现场观摩", "兄弟院校来校观摩产教融合实训教学现场。", ZZ, "2022-10-12", "学院动态"),
    ("宣传部举办新闻写作培训", "宣传部为各单位通讯员举办新闻写作培训。", XC, "2023-10-25", "今日宜职"),
    (SCRIPT_TITLE, "这是一篇用来测试转义的文章。\n<b>不应加粗</b> & 其他符号。", XC, "2024-01-09", "通知公告"),
]


# Articles about 实训 (practical training), some from a second college: enough of
# them in two departments for a filtered search to have a second page.
_MORE: list[tuple[str, str, str | None, str, str, str]] = [
    ("智能制造学院新建工业机器人实训室", "学院新建工业机器人实训室，可同时容纳四十名学生。", ZZ, "2024-06-20", "学院动态", SITE),
    ("教务处开展实训教学检查", "教务处对各学院实训教学开展专项检查。", JW, "2024-05-28", "通知公告", SITE),
    ("关于做好暑期实训安排的通知", "各学院须提前做好暑期实训安排。", JW, "2024-07-08", "通知公告", SITE),
    ("智能制造学院召开实训安全工作会", "学院召开实训安全工作会，强调安全规范。", ZZ, "2024-03-02", "学院动态", SITE),
    ("智能制造学院实训基地迎来企业参观", "多家企业代表参观学院实训基地。", ZZ, "2023-11-16", "学院动态", SITE),
    ("教务处发布实训课程标准", "教务处发布新版实训课程标准。", JW, "2023-08-30", "通知公告", SITE),
    ("泸州职院智能制造学院实训周开幕", "泸州职业技术学院智能制造学院实训周开幕。", ZZ, "2024-06-12", "学院新闻", SITE2),
    ("泸州职院教务处部署实训考核", "泸州职业技术学院教务处部署期末实训考核。", JW, "2024-01-05", "通知公告", SITE2),
    ("泸州职院数控实训中心投入使用", "泸州职业技术学院数控实训中心正式投入使用。", ZZ, "2023-09-01", "学院新闻", SITE2),
    ("泸州职院开展实训教师培训", "泸州职业技术学院教务处组织实训教师培训。", JW, "2023-04-18", "通知公告", SITE2),
    ("泸州职院举办实训技能展示", "泸州职业技术学院智能制造学院举办实训技能展示。", ZZ, "2022-12-09", "学院新闻", SITE2),
    ("泸州职院实训管理办法修订", "泸州职业技术学院教务处修订实训管理办法。", JW, "2022-04-26", "通知公告", SITE2),
    ("信息工程学院开展网络实训", "信息工程学院开展网络设备配置实训。", XX, "2024-04-11", "学院动态", SITE),
    ("泸州职院信息学院实训开放日", "泸州职业技术学院信息工程学院举办实训开放日。", XX, "2023-05-06", "学院新闻", SITE2),
]


def make_articles() -> list[Article]:
    first = [Article(url=f"{BASE}{i:04d}.htm", site=SITE, title=title, body=body,
                     published=published, department=dept, column=column)
             for i, (title, body, dept, published, column) in enumerate(_ROWS, start=1)]
    more = [Article(url=f"{BASE if site == SITE else BASE2}{i:04d}.htm", site=site, title=title,
                    body=body, published=published, department=dept, column=column)
            for i, (title, body, dept, published, column, site) in enumerate(_MORE, start=101)]
    return first + more


ARTICLES = make_articles()


def build(index_dir: Path) -> Path:
    n = build_index(make_articles(), index_dir)
    assert n == len(_ROWS) + len(_MORE)
    return index_dir


def ids_where(pred) -> set[str]:
    return {article_id(a.url) for a in ARTICLES if pred(a)}


def containing(text: str) -> set[str]:
    return ids_where(lambda a: text in a.title or text in a.body)


def by_department() -> Counter:
    return Counter(a.department for a in ARTICLES)


def id_of_title(title: str) -> str:
    return next(article_id(a.url) for a in ARTICLES if a.title == title)


def app_client(tmp_path_factory, name: str):
    """A Flask test client of the app over a fresh index of this corpus (a generator:
    yield it from a fixture; the engine is closed afterwards)."""
    from webui import create_app
    data = tmp_path_factory.mktemp(name)
    build(data / "index")
    app = create_app({"DATA_DIR": data, "TESTING": True, "QUERY_LOG": False, "TODAY": TODAY})
    yield app.test_client()
    app.extensions["news_engine"].close()


# -- the browser tests -------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        real_new_context = b.new_context

        def new_context(**kwargs):
            # fail within seconds, not the default 30 s, when something is missing
            context = real_new_context(**kwargs)
            context.set_default_timeout(8000)
            return context

        b.new_context = new_context  # type: ignore[method-assign]
        yield b
        b.close()


@pytest.fixture()
def watch():
    """Collects what must never happen on our pages: dialogs, CSP violations,
    console errors, requests that leave 127.0.0.1."""
    problems: list[str] = []

    def attach(page, base_url: str):
        def on_dialog(dialog):
            problems.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        def on_console(msg):
            # (error pages are visited on purpose: their status is not a problem)
            if msg.type == "error" and "the server responded with a status of 4" not in msg.text:
                problems.append(f"console: {msg.text}")

        def on_request(req):
            if not req.url.startswith(base_url) and not req.url.startswith("data:"):
                problems.append(f"request off-site: {req.url}")

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("request", on_request)
        page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
        return page

    attach.problems = problems  # type: ignore[attr-defined]
    return attach


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def no_sideways_scroll(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


#: the two widths every page is tried at: a desktop and a phone
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 360, "height": 740}}


def context_for(browser, width: str, **kwargs):
    """A browser context at one of :data:`WIDTHS` (a phone's touch and density at 360 px)."""
    options = {"viewport": WIDTHS[width], "locale": "zh-CN"}
    if width == "mobile":
        options.update(device_scale_factor=2, is_mobile=True, has_touch=True)
    options.update(kwargs)
    return browser.new_context(**options)


def fits(page, what: str) -> None:
    overflow = no_sideways_scroll(page)
    assert overflow <= 0, f"{what} scrolls sideways by {overflow}px"


@contextlib.contextmanager
def served(app, threads: int = 4):
    """``app`` served by waitress on 127.0.0.1 (a free port): its base URL."""
    from waitress import create_server
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)
