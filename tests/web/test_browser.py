"""The public pages in headless Chromium: phone and desktop widths, keyboard focus, print, no JavaScript.

Screenshots go to the test's temporary directory, or to ``$WEB_SCREENSHOTS`` when set
(``WEB_SCREENSHOTS=docs/screenshots`` refreshes the README's pictures).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from ..browser import browser_page, free_port, requires_chromium
from ..conftest import PROJECT, TODAY

pytestmark = requires_chromium

PAGES = {"home": "/",
         "results": "/?q=%E5%A4%96%E5%9C%B0%E4%BA%BA%E6%80%8E%E4%B9%88%E5%8A%9E%E5%B1%85%E4%BD%8F%E8%AF%81",
         "answer": "/answers/residence-permit-apply", "article": "/articles/beijing-2021/11",
         "browse": "/browse"}


@contextlib.contextmanager
def running_web(root, data_dir, log_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_TODAY=TODAY, KB_WEB_RATE_ANONYMOUS="0", PYTHONPATH=str(PROJECT))
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "kb_app", "web", "--root", str(root), "--data-dir",
                                 str(data_dir),
                                 "--port", str(port), "--workers", "1"], env=env, stdout=log,
                                 stderr=subprocess.STDOUT,
                                start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(url + "/api/v1/health", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"kb web did not start; see {log_path}")
                    time.sleep(0.3)
            yield url
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)


@pytest.fixture
def site_url(web_kb, tmp_path):
    with running_web(web_kb.settings.root, web_kb.settings.data_path, tmp_path / "web.log") as url:
        yield url


def shots_dir(tmp_path) -> Path:
    target = Path(os.environ.get("WEB_SCREENSHOTS") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_pages_fit_and_render_chinese(site_url, tmp_path, width, height):
    out = shots_dir(tmp_path)
    with browser_page(viewport={"width": width, "height": height}, java_script_enabled=False) as page:
        for name, path in PAGES.items():
            response = page.goto(site_url + path)
            assert response.status == 200
            assert page.locator("html").get_attribute("lang") == "zh-CN"
            assert page.locator("h1").first.inner_text()
            page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
    with browser_page(viewport={"width": width, "height": height}) as page:
        for path in PAGES.values():
            page.goto(site_url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth"
                                     " - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways at {width} px"
            font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
            assert "Noto Sans CJK SC" in font or "sans-serif" in font


#: Each cell of a table whose text holds a digit, and the lines its text takes.
CELL_LINES = """() => [...document.querySelectorAll('.body td')].filter(td => /\\d/.test(td.textContent)).map(td => {
    const range = document.createRange(); range.selectNodeContents(td);
    return [td.textContent.trim(), new Set([...range.getClientRects()].map(r => Math.round(r.top))).size]; })"""


@pytest.mark.parametrize("width", [195, 320, 390])
def test_a_table_scrolls_in_its_box_and_keeps_numbers_with_their_units(site_url, tmp_path, width):
    """A phone at 200 % zoom is 195 px wide: the table of 门诊报销 scrolls sideways in a box of its own, and
    1800元 or 2.5万元 stays on one line rather than one character a line; the page itself does not scroll."""
    with browser_page(viewport={"width": width, "height": 800}) as page:
        page.goto(site_url + "/answers/medical-outpatient-reimbursement")
        page.screenshot(path=str(shots_dir(tmp_path) / f"table-{width}.png"), full_page=True)
        cells = page.evaluate(CELL_LINES)
        assert ["2.5万元", 1] in cells and ["1800元", 1] in cells
        assert [c for c in cells if c[1] > 1] == []
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        box = page.locator(".body .table-scroll").first
        assert box.evaluate("b => getComputedStyle(b).overflowX") == "auto"


@pytest.mark.parametrize("java_script", [True, False])
def test_a_table_wider_than_its_box_says_so(site_url, tmp_path, java_script):
    """At 195 px the table of 门诊报销 shows two of its four columns: a line above it says that it scrolls
    sideways, and a shadow marks the side with more columns; at 390 px the table fits and says nothing.
    CSS alone does it: the same without JavaScript."""
    for width, wider in ((195, True), (390, False)):
        with browser_page(viewport={"width": width, "height": 800}, java_script_enabled=java_script) as page:
            page.goto(site_url + "/answers/medical-outpatient-reimbursement")
            box = page.locator(".body .table-scroll").first
            sizes = box.evaluate("b => [b.clientWidth, b.scrollWidth]")
            assert (sizes[1] > sizes[0]) == wider
            hint = page.locator(".table-hint").first
            assert hint.text_content() == "表格较宽，可左右滑动查看"
            height = hint.evaluate("h => h.getBoundingClientRect().height")
            assert height > 10 if wider else height == 0
            backgrounds = box.evaluate("b => getComputedStyle(b).backgroundAttachment")
            assert "local" in backgrounds and "scroll" in backgrounds
            box.screenshot(path=str(shots_dir(tmp_path) / f"table-box-{width}.png"))


def test_the_skip_link_of_a_results_page_passes_the_search_form(site_url):
    """On a page of results the skip link lands on them, and the next Tab reaches the first result; elsewhere it
    lands on the page's main part."""
    with browser_page(viewport={"width": 390, "height": 844}) as page:
        page.goto(site_url + PAGES["results"])
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "跳到查询结果"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "results"
        page.keyboard.press("Tab")
        first = page.locator("ol.results h2 a").first
        assert first.evaluate("a => a === document.activeElement")
        page.goto(site_url + PAGES["answer"])
        page.keyboard.press("Tab")
        assert page.evaluate("[document.activeElement.textContent, document.activeElement.hash]") == ["跳到正文", "#main"]


#: Links that stand on their own (not inside a sentence): navigation, the way back, lists of answers and articles.
STANDALONE_LINKS = "header.site nav a, .back a, .basis a, .links a, .toc a, .pager a, .articles a"


def test_links_on_a_phone_are_a_finger_high(site_url):
    with browser_page(viewport={"width": 390, "height": 844}) as page:
        for path in (*PAGES.values(), "/answers/hotline-not-accepted"):
            page.goto(site_url + path)
            boxes = [link.bounding_box() for link in page.locator(STANDALONE_LINKS).all() if link.is_visible()]
            assert boxes, path
            low = [round(b["height"]) for b in boxes if b["height"] < 44]
            assert not low, f"{path}: links {low} px high"


#: Searches whose page opens with a box that may tell of danger: the emergency line, or a matter to report at once.
DANGER = {"crisis": "我不想活了", "fire": "楼上着火了，好大的烟", "gas": "家里煤气泄漏了"}


def test_the_line_to_call_is_in_the_first_screen_and_a_finger_wide(site_url, tmp_path):
    """A 375×740 phone, and the same at 200% zoom (188×370 CSS px): the box opens focused, without JavaScript,
    with its first call button inside the first screen; every number in it is a button of 44×44 px at least.
    So does the page after an error report whose words read as an emergency."""
    out = shots_dir(tmp_path)
    for width, height in ((188, 370), (375, 740)):
        with browser_page(viewport={"width": width, "height": height}, java_script_enabled=False) as page:
            for name, question in [*DANGER.items(), ("report", None)]:
                if question is None:
                    page.goto(site_url + PAGES["answer"])
                    page.locator("summary", has_text="报告错误").click()
                    page.get_by_label("哪里不对？").fill("办不下来居住证我不想活了，今晚就从楼上跳下去")
                    page.get_by_role("button", name="提交").click()
                    page.get_by_role("heading", name="报告错误").wait_for()
                else:
                    page.goto(site_url + "/?" + urllib.parse.urlencode({"q": question}))
                box = page.locator("main > :first-child")
                assert box.get_attribute("role") == "alert", name
                assert box.evaluate("box => document.activeElement === box"), name
                assert round(box.bounding_box()["y"]) >= 0
                calls = [link.bounding_box() for link in box.locator("a.tel").all()]
                assert calls and 0 <= round(calls[0]["y"]) and round(calls[0]["y"] + calls[0]["height"]) <= height, (name, width, calls)
                small = [(round(c["width"]), round(c["height"])) for c in calls if c["width"] < 44 or c["height"] < 44]
                assert not small, f"{name} at {width} px: call buttons of {small} px"
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{name} scrolls sideways at {width} px"
                page.screenshot(path=str(out / f"danger-{name}-{width}x{height}.png"))


def test_the_search_row_lines_up_on_a_desktop(site_url, tmp_path):
    """The question box, the topic list and the button stand on one line, top and bottom alike."""
    with browser_page(viewport={"width": 1280, "height": 900}) as page:
        page.goto(site_url + "/?q=社保卡")
        boxes = [page.locator(css).bounding_box() for css in ("#q", "#topic", "form.search button")]
        page.locator("form.search").screenshot(path=str(shots_dir(tmp_path) / "search-row-1280.png"))
    tops, bottoms = {round(b["y"]) for b in boxes}, {round(b["y"] + b["height"]) for b in boxes}
    assert len(tops) == 1 and len(bottoms) == 1, boxes


def test_search_and_feedback_work_without_javascript(site_url, web_kb):
    with browser_page(viewport={"width": 390, "height": 844}, java_script_enabled=False) as page:
        page.goto(site_url + "/")
        page.get_by_label("您想问什么？").fill("暖气不热")
        page.get_by_role("button", name="查询").click()
        page.wait_for_url("**/?q=*")
        page.get_by_role("link", name="暖气不热怎么报修").click()
        page.wait_for_url("**/answers/heating-not-warm-repair?q=*")
        answer_url = page.url
        page.get_by_role("button", name="有帮助").click()
        page.wait_for_url("**feedback=thanks*")
        assert page.get_by_text("感谢您的评价！").is_visible()
        assert page.get_by_role("button", name="有帮助").count() == 0  # voted: not offered again
        page.locator("summary", has_text="报告错误").click()
        page.get_by_label("哪里不对？").fill("热线电话写错了，应为 12345")
        page.get_by_role("button", name="提交").click()
        page.wait_for_url("**feedback=reported*")
        page.get_by_role("link", name="返回查询结果").click()  # the results survive the vote and the report
        page.wait_for_url("**/?q=*")
        assert page.get_by_label("您想问什么？").input_value() == "暖气不热"
        # Opened again, the answer says it has had this session's vote: not the page the browser kept from before
        page.goto(answer_url)
        assert page.get_by_text("您已经评价过，谢谢！").is_visible()
        assert page.get_by_role("button", name="有帮助").count() == 0
    assert [(v["entry"], v["query"]) for v in web_kb.db()["votes"].rows] == [("heating-not-warm-repair", "暖气不热")]
    assert [r["entry"] for r in web_kb.db()["reports"].rows] == ["heating-not-warm-repair"]


def test_keyboard_focus_is_visible(site_url):
    with browser_page(viewport={"width": 1280, "height": 900}) as page:
        page.goto(site_url + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "跳到正文"
        style = """() => { const s = getComputedStyle(document.activeElement);
            return [document.activeElement.tagName, s.outlineStyle, s.boxShadow, s.backgroundColor]; }"""
        page.keyboard.press("Tab")
        link = page.evaluate(style)
        assert link[0] == "A" and link[3] == "rgb(255, 221, 0)" and link[2] != "none", link
        for _ in range(3):
            page.keyboard.press("Tab")
        field = page.evaluate(style)
        assert field[0] == "INPUT" and field[1] == "solid" and field[2] != "none", field


def test_print_hides_navigation_and_forms(site_url):
    with browser_page(viewport={"width": 1280, "height": 900}) as page:
        page.goto(site_url + PAGES["answer"])
        page.emulate_media(media="print")
        assert not page.locator("#feedback").is_visible()
        assert not page.locator("header nav").is_visible()
        assert page.locator("article h1").is_visible()


def test_hostile_answer_is_inert_in_the_browser(web_kb, tmp_path):
    from .test_pages import add_hostile_answer

    add_hostile_answer(web_kb.settings.root)
    with running_web(web_kb.settings.root, web_kb.settings.data_path, tmp_path / "web.log") as url, \
            browser_page(viewport={"width": 390, "height": 844}) as page:
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url + "/answers/hostile-answer")
        page.get_by_role("heading", name="含有危险标记的答复").wait_for()
        page.get_by_text("正文结束。").wait_for()
        page.screenshot(path=str(shots_dir(tmp_path) / "hostile-390.png"), full_page=True)
        body = page.locator("article").inner_html()
        for marker in ("<script", "onerror", "onclick", "javascript:", "<iframe", 'action="https', "evil.example"):
            assert marker not in body
        assert page.locator("article b", has_text="粗体").count() == 1  # harmless raw HTML stays as formatting
        page.wait_for_timeout(500)  # give an injected handler the chance to fire
        assert dialogs == []
