"""The pages checked by axe-core in a real browser (Chromium driven by Playwright,
the app served by waitress on 127.0.0.1 from a real index): every state of the
page at 1280 and 360 px (the suggestions open, a date error, the story listed
whole, folding off and the filters applied in place among them), with axe's
default rules, photographed into tests/screenshots/; the focus ring's contrast;
相关搜索 under the results; the phone's bar without script.

axe-core comes from npm (``make axe``, part of ``make test``) into tests/.npm/;
without it these tests skip."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import webui_fixtures as fx
from tests.webui_fixtures import (CHROMIUM, WIDTHS, browser, context_for,  # noqa: F401
                                  no_sideways_scroll, params, shot, watch)

AXE = Path(__file__).resolve().parent / ".npm" / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM} (install Debian's chromium: make browser)"),
]



#: for the tests that run axe: they skip, before any server starts, when it is missing
needs_axe = pytest.mark.skipif(not AXE.exists(),
                               reason="axe-core is not installed: run `make axe` (part of `make test`), "
                                      "which puts it in tests/.npm/")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, engine_name: str):
    from webui import create_app

    data_dir = tmp_path_factory.mktemp("browser-axe-data")
    fx.build(data_dir / "index")
    app = create_app({"DATA_DIR": data_dir, "TODAY": fx.TODAY, "SITES": fx.SITES})
    # what earlier readers searched: 热门搜索, and 相关搜索 from what the same readers searched
    qlog = app.extensions["news_query_log"]
    for n in range(3):
        client = qlog.client_key(f"192.0.2.{n}", "a reader")
        for text in ("产教融合", "华中数控", "校企合作", "产教融合 年会"):
            qlog.record(text, len(fx.containing(text.split()[0])), client=client)
    with fx.served(app) as url:
        yield url
    app.extensions["news_engine"].close()


@pytest.fixture(scope="module")
def fold_url(tmp_path_factory: pytest.TempPathFactory, engine_name: str):
    """The app over the near-duplicates of tests/test_webui_fold.py: results with folds."""
    from tests import test_webui_fold as corpus
    from webui import create_app

    data_dir = tmp_path_factory.mktemp("browser-axe-fold")
    corpus.build(data_dir / "index")
    app = create_app({"DATA_DIR": data_dir, "TODAY": corpus.TODAY, "SITES": corpus.SITES,
                      "QUERY_LOG": False})
    with fx.served(app) as url:
        yield url
    app.extensions["news_engine"].close()




# -- axe ------------------------------------------------------------------------------------
def axe_violations(page) -> list[dict]:
    """What axe-core's default rules find on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                      summary: n.failureSummary}))}));
    }""")


def readable(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['url']})")
        for n in v["nodes"][:8]:
            lines.append(f"    {n['target']}\n        {n['html']}")
            lines.extend(f"        {s}" for s in (n["summary"] or "").splitlines())
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def check(page, name: str, width: str, full_page: bool = True) -> None:
    """No axe violation in this state of the page; its screenshot, and no sideways scroll."""
    if full_page:
        shot(page, f"axe-{name}-{width}")
    else:   # what is on the screen (a sheet over the page)
        fx.SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(fx.SHOTS / f"axe-{name}-{width}.png"))
    overflow = no_sideways_scroll(page)
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}"
    found = axe_violations(page)
    assert not found, f"axe finds {len(found)} kind(s) of violation on {name} at {width}:\n{readable(found)}"


def go(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")


@needs_axe
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe(browser, base_url, fold_url, width):
    # the CSP forbids inline scripts, and axe is added as one: the tests' pages only
    context = context_for(browser, width, bypass_csp=True, color_scheme="light")
    page = context.new_page()

    go(page, base_url + "/")
    check(page, "home", width)

    go(page, fold_url + "/search?q=产教融合")
    fold = page.locator("details.similar").first
    fold.locator("summary").click()
    assert fold.evaluate("d => d.open")
    check(page, "results-fold-open", width)

    go(page, base_url + "/search?q=产教融合")
    assert page.locator(".hit").count() == 10
    check(page, "results", width)

    go(page, base_url + f"/search?q=实训&dept={fx.ZZ}&range=year&sort=date")
    assert page.locator(".chip").count() == 2
    check(page, "results-filtered", width)

    if width == "mobile":
        page.get_by_role("link", name="筛选（2）").click()
        page.get_by_role("dialog", name="筛选").wait_for()
        check(page, "filter-sheet", width, full_page=False)

    go(page, base_url + f"/search?q=实训&dept={fx.TW}&range=3years")
    assert page.locator(".empty").count() == 1
    check(page, "no-results", width)

    go(page, base_url + "/search?q=产教熔合")
    assert page.locator(".corrected").count() == 1
    check(page, "corrected", width)

    go(page, base_url + "/search?q=华中数控 实训基地")
    page.locator(".hit .snapshot").first.click()
    page.wait_for_url("**/article/**")
    check(page, "snapshot", width)

    go(page, base_url + "/help")
    check(page, "help", width)

    go(page, base_url + "/subscribe")
    check(page, "subscribe", width)

    go(page, base_url + f"/subscribe?q=实训&dept={fx.ZZ}")
    assert page.get_by_label("订阅地址").input_value().startswith(base_url + "/feed?")
    check(page, "feed", width)

    response = page.goto(base_url + "/no-such-page")
    assert response.status == 404
    check(page, "not-found", width)

    response = page.goto(base_url + "/search?q=实训&fold=2")
    assert response.status == 400
    check(page, "bad-request", width)
    context.close()


@needs_axe
@pytest.mark.parametrize("width", WIDTHS)
def test_more_states_pass_axe(browser, base_url, fold_url, width):
    """The suggestions open, a date that cannot be read, the story listed whole, folding
    off, and the filters applied in place (on a phone, in the sheet)."""
    context = context_for(browser, width, bypass_csp=True, color_scheme="light")
    page = context.new_page()

    go(page, base_url + "/")
    box = page.get_by_role("combobox", name="搜索关键词")
    box.press_sequentially("华中", delay=20)
    page.get_by_role("listbox", name="搜索建议").wait_for()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "q-suggestion-0"
    check(page, "suggestions-open", width)

    response = page.goto(base_url + f"/search?q=实训&dept={fx.ZZ}&from=2023-02-30")
    assert response.status == 400
    assert "不是有效的日期" in page.get_by_role("alert").inner_text()
    check(page, "date-error", width)

    go(page, fold_url + "/search?q=产教融合")
    whole = page.locator("details.similar .similar-all a").first.get_attribute("href")
    go(page, fold_url + whole)
    assert "near" in params(page.url) and page.locator(".near-note").count() == 1
    check(page, "fold-story", width)

    go(page, fold_url + "/search?q=产教融合&fold=0")
    assert page.locator(".hit").count() == 6 and page.locator("details.similar").count() == 0
    check(page, "fold-off", width)

    go(page, base_url + "/search?q=实训")
    if width == "mobile":
        page.get_by_role("link", name="筛选").click()
        page.get_by_role("dialog", name="筛选").wait_for()
    page.locator(f'#filters input[name="dept"][value="{fx.ZZ}"]').check()
    page.wait_for_url(lambda url: params(url).get("dept") == [fx.ZZ])
    page.wait_for_function("() => document.getElementById('filters-count').textContent.startsWith('找到约')")
    if width == "mobile":
        assert page.get_by_role("dialog", name="筛选").is_visible()
    check(page, "filters-applied-in-place", width, full_page=width != "mobile")
    context.close()


# -- the focus ring ----------------------------------------------------------------------------
def _colours(css: str) -> list[tuple[float, float, float, float]]:
    """The rgb()/rgba() colours in a computed style value, in order."""
    import re
    out = []
    for m in re.finditer(r"rgba?\(([^)]*)\)", css):
        parts = [float(x) for x in re.split(r"[\s,/]+", m.group(1).strip()) if x]
        out.append((*parts[:3], parts[3] if len(parts) > 3 else 1.0))
    return out


def _over(colour: tuple[float, float, float, float], background: tuple[float, ...]) -> tuple[float, ...]:
    r, g, b, a = colour
    return tuple(c * a + bg * (1 - a) for c, bg in zip((r, g, b), background[:3]))


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """WCAG's contrast ratio of two opaque colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


RING = """() => {
    const box = document.getElementById('q'), form = box.form;
    box.focus();
    const own = getComputedStyle(box), around = getComputedStyle(form);
    return {focused: document.activeElement === box,
            outline: [own.outlineStyle, own.outlineWidth, own.outlineColor],
            shadow: around.boxShadow, page: getComputedStyle(document.body).backgroundColor};
}"""


def ring_of(page) -> tuple[tuple[float, ...], tuple[float, ...], str]:
    """The focused search box's ring (its outline, else the box shadow around its form)
    over the page's background: (ring, background, what it is)."""
    got = page.evaluate(RING)
    assert got["focused"]
    page_bg = _colours(got["page"])[0]
    style, width, colour = got["outline"]
    if style != "none" and float(width.rstrip("px") or 0) > 0:
        return _over(_colours(colour)[0], page_bg), page_bg, f"outline {width} {colour}"
    shadows = _colours(got["shadow"])
    assert shadows, f"the focused search box shows no ring (box-shadow: {got['shadow']})"
    return _over(shadows[0], page_bg), page_bg, f"box-shadow {got['shadow']}"


def test_the_contrast_ratio_is_wcags():
    white, black = (255, 255, 255), (0, 0, 0)
    assert round(contrast_ratio(white, black), 2) == 21.0
    assert round(contrast_ratio((29, 78, 216), white), 1) == 6.7
    assert _over((0, 0, 0, 0.5), white) == (127.5, 127.5, 127.5)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/", "/search?q=实训"])
def test_the_search_box_focus_ring_stands_out(browser, base_url, width, path):
    context = context_for(browser, width, color_scheme="light")
    page = context.new_page()
    page.goto(base_url + path)
    ring, background, what = ring_of(page)
    assert background == (255, 255, 255, 1.0), "the page's background is white"
    ratio = contrast_ratio(ring, background)
    assert ratio >= 3.0, f"the focus ring ({what}) has a contrast of {ratio:.2f}:1 against white"
    shot(page, f"focus-ring-{width}" + ("-results" if "search" in path else ""))
    context.close()


def test_the_focus_ring_stands_out_in_a_colleges_colours_and_in_the_dark(browser, tmp_path, engine_name):
    from webui import create_app

    fx.build(tmp_path / "index")
    # a light colour and a dark one
    for colour in ("#8b1538", "#f5c400"):
        app = create_app({"DATA_DIR": tmp_path, "TODAY": fx.TODAY, "SITES": fx.SITES,
                          "PRIMARY_COLOR": colour, "QUERY_LOG": False})
        try:
            with fx.served(app, threads=2) as url:
                for scheme in ("light", "dark"):
                    context = context_for(browser, "desktop", color_scheme=scheme)
                    page = context.new_page()
                    page.goto(url + "/search?q=实训")
                    ring, background, what = ring_of(page)
                    ratio = contrast_ratio(ring, background)
                    assert ratio >= 3.0, (f"with {colour} in the {scheme} scheme the focus ring ({what}) "
                                          f"has a contrast of {ratio:.2f}:1")
                    context.close()
        finally:
            app.extensions["news_engine"].close()


# -- 相关搜索 -----------------------------------------------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_related_searches_under_the_results(browser, base_url, watch, width):
    context = context_for(browser, width, color_scheme="light")
    page = watch(context.new_page(), base_url)
    page.goto(base_url + f"/search?q=产教融合&dept={fx.ZZ}")
    block = page.get_by_role("region", name="相关搜索")
    assert block.is_visible()
    links = block.get_by_role("link")
    texts = links.all_inner_texts()
    # what the same three readers searched first, then the query with words of its titles
    # (the order of the first three depends on what this browser searched before)
    assert sorted(texts[:3]) == ["产教融合 年会", "华中数控", "校企合作"]
    assert 3 < len(texts) <= 8 and all(t.startswith("产教融合 ") for t in texts[3:])
    # under the results, above the pages
    hits = page.locator(".hits").bounding_box()
    assert hits and block.bounding_box()["y"] >= hits["y"] + hits["height"]
    fx.SHOTS.mkdir(exist_ok=True)
    block.screenshot(path=str(fx.SHOTS / f"related-searches-{width}.png"))
    assert no_sideways_scroll(page) <= 0
    block.get_by_role("link", name="校企合作", exact=True).click()
    page.wait_for_url(lambda url: params(url).get("q") == ["校企合作"])
    assert params(page.url) == {"q": ["校企合作"]}       # the department left behind
    assert page.locator(".hit").count() > 0
    # on a page that finds nothing and has nothing to offer: none
    page.goto(base_url + "/search?q=没有这样的词语")
    assert page.get_by_role("region", name="相关搜索").count() == 0
    assert watch.problems == []
    context.close()
