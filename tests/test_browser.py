"""The search page in a real browser: Debian's Chromium driven by Playwright,
against the app served by waitress on 127.0.0.1 from a real index.

Screenshots go to tests/screenshots/ (ignored by git)."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import webui_fixtures as fx

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM} (install Debian's chromium: make browser)"),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory):
    from waitress import create_server

    from webui import create_app

    data_dir = tmp_path_factory.mktemp("browser-data")
    fx.build(data_dir / "index")
    app = create_app({"DATA_DIR": data_dir})
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)
    app.extensions["news_engine"].close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
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


def test_search_filter_and_page_without_javascript(browser, base_url, watch):
    # The page must work fully with JavaScript off: plain GET forms and links.
    context = browser.new_context(java_script_enabled=False, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    shot(page, "home-desktop")

    page.get_by_label("搜索关键词").fill("产教融合")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/search?**")
    assert params(page.url)["q"] == ["产教融合"]
    assert page.locator("#q").input_value() == "产教融合"
    total = len(fx.containing("产教融合"))
    assert f"找到约 {total} 条结果" in page.locator(".stats").inner_text()
    assert page.locator(".hit").count() == 10
    assert page.locator(".hit mark").count() >= 10
    assert page.locator(".hit mark").first.inner_text() == "产教融合"
    shot(page, "results-desktop")

    # page 2 keeps the query
    page.locator(".pager").get_by_role("link", name="下一页").click()
    page.wait_for_url("**page=2**")
    assert params(page.url)["q"] == ["产教融合"]
    assert page.locator(".pager [aria-current=page]").inner_text() == "2"
    assert page.locator(".hit").count() == total - 10

    # tick a department and apply: back to page 1, only that department
    page.get_by_label(fx.JW).check()
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_url("**dept=**")
    got = params(page.url)
    assert got["dept"] == [fx.JW] and got["q"] == ["产教融合"] and "page" not in got
    want = fx.containing("产教融合") & fx.ids_where(lambda a: a.department == fx.JW)
    assert page.locator(".hit").count() == len(want)
    for dept in page.locator(".hit .dept").all_inner_texts():
        assert dept == fx.JW
    assert page.get_by_label(fx.JW).is_checked()

    # a second department widens it
    page.get_by_label(fx.ZZ).check()
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_url(lambda url: len(params(url).get("dept", [])) == 2)
    depts = set(page.locator(".hit .dept").all_inner_texts())
    assert depts == {fx.JW, fx.ZZ}
    shot(page, "results-filtered")

    # a year from the facet sets the date range
    page.locator(".years a", has_text="2023").click()
    page.wait_for_url("**from=2023-01-01**")
    assert params(page.url)["to"] == ["2023-12-31"]
    assert page.locator("#from").input_value() == "2023-01-01"
    for day in page.locator(".hit time").all_inner_texts():
        assert day.startswith("2023")

    # the snapshot of a result
    page.locator(".hit .snapshot").first.click()
    page.wait_for_url("**/article/**")
    assert page.locator("h1").inner_text()
    shot(page, "article-desktop")
    assert watch.problems == []
    context.close()


def test_mobile_layout_has_no_horizontal_scroll(browser, base_url, watch):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = watch(context.new_page(), base_url)
    long_title = fx.id_of_title("智能制造学院与华中数控签订校企合作协议")
    for name, path in [("home-mobile", "/"),
                       ("results-mobile", "/search?q=产教融合"),
                       ("results-mobile-empty", "/search?q=没有这样的词语"),
                       ("article-mobile", f"/article/{long_title}"),
                       ("error-mobile", "/search?from=2023-13-45"),
                       ("notfound-mobile", "/nope")]:
        page.goto(base_url + path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
        shot(page, name)
    # the query box and the button are usable at this width
    page.goto(base_url + "/search?q=产教融合")
    box = page.locator("#q").bounding_box()
    assert box and box["width"] >= 200
    assert page.get_by_role("button", name="搜索").is_visible()
    assert watch.problems == []
    context.close()


def test_script_title_stays_text(browser, base_url, watch):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/search?q=测试")
    titles = page.locator(".hit-title").all_inner_texts()
    assert fx.SCRIPT_TITLE in titles
    assert page.locator(".hit-title mark").first.inner_text() == "测试"
    assert page.locator(".results script").count() == 0
    page.goto(base_url + "/article/" + fx.id_of_title(fx.SCRIPT_TITLE))
    assert page.locator("h1").inner_text() == fx.SCRIPT_TITLE
    assert "<b>不应加粗</b>" in page.locator(".article-body").inner_text()
    assert page.locator(".article-body b").count() == 0
    page.goto(base_url + "/")
    page.wait_for_timeout(200)
    assert watch.problems == []
    context.close()


def test_keyboard_focus_is_visible(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url + "/search?q=产教融合")
    page.keyboard.press("Tab")  # the skip link comes first
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == "跳到主要内容"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    context.close()
