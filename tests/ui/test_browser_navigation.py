"""Getting around the staff app in headless Chromium: a staff page opened signed out asks to sign in and
comes back to it; the agent console's search lives in the address, so paging and the back button work.

Screenshots go to the test's temporary directory (``NAV_SCREENSHOTS=dir`` keeps them elsewhere).
"""

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from ..browser import browser_page, log_in, requires_chromium, users_app
from ..review_helpers import PASSWORD

pytestmark = requires_chromium


@pytest.fixture
def server(kb, tmp_path, built_index):
    with users_app(kb, tmp_path, built_index) as url:
        yield url


@pytest.fixture
def page():
    with browser_page(viewport={"width": 1280, "height": 900}) as pg:
        yield pg


def shot(page, tmp_path, name):
    target = Path(os.environ.get("NAV_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")  # the run has finished
    page.screenshot(path=str(target / f"{name}.png"), full_page=True)


def main(page):
    return page.locator("[data-testid='stMain']")


def query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def test_a_staff_page_opened_signed_out_signs_in_and_comes_back(server, page, tmp_path):
    url = server
    page.goto(f"{url}/history?entry=residence-permit-apply")
    area = main(page)
    area.get_by_text("“历史版本”是工作人员页面：请先登录，登录后自动回到该页面。").wait_for()
    public = area.get_by_role("link", name="市民查询政策问答，请访问公众网站：http://127.0.0.1:8080")
    expect(public).to_be_visible()
    expect(page.get_by_text("已登录：")).to_have_count(0)
    # The page is said to be Chinese (a screen reader's voice, a browser's offer to translate), titled as the app,
    # and the menu's heading is read as its words alone (no icon's English name).
    assert page.evaluate("document.documentElement.lang") == "zh-CN" and page.title() == "示例市 12345 知识库"
    expect(page.get_by_role("heading", name="示例市 12345 知识库", exact=True)).to_be_visible()
    shot(page, tmp_path, "nav-1-signed-out")
    page.set_viewport_size({"width": 390, "height": 844})      # on a phone the address wraps, none of it cut
    cut = "el => [el, ...el.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1).length"
    expect(public).to_be_visible()
    assert public.evaluate(cut) == 0
    shot(page, tmp_path, "nav-1-signed-out-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    area.get_by_label("用户名").fill("center")
    area.get_by_label("密码").fill(PASSWORD)
    area.get_by_role("button", name="登录").click()
    page.locator("[data-testid='stSidebar']").get_by_text("已登录：张校核（热线中心校核）").wait_for()
    area.get_by_role("heading", name="历史版本").wait_for()
    assert urlsplit(page.url).path == "/history" and query(page) == {"entry": "residence-permit-apply"}
    area.get_by_text("个已发布版本，最新的在前").wait_for()  # the entry asked for, with its versions
    shot(page, tmp_path, "nav-2-back-on-the-page")

    # Signing in from the sign-in page itself lands where the role's work is.
    page.get_by_role("button", name="退出登录").click()
    area.get_by_role("heading", name="登录").wait_for()
    area.get_by_label("用户名").fill("agent")
    area.get_by_label("密码").fill(PASSWORD)
    area.get_by_role("button", name="登录").click()
    area.get_by_role("heading", name="坐席工作台").wait_for()


def results(page):
    return main(page).locator("a[href^='entry?id='], a[href^='provision?id=']")


def result_titles(page):
    """The titles of the results once the app has finished its run (no element left from the one before)."""
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
    expect(results(page)).to_have_count(10)  # a full page of results
    return [text.split("\n")[-1] for text in results(page).all_inner_texts()]


def test_console_search_pages_and_the_back_button_returns_to_the_results(server, page, tmp_path):
    url = server
    page.goto(url + "/login")
    page.get_by_label("用户名").fill("agent")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    area = main(page)
    area.get_by_role("heading", name="坐席工作台").wait_for()
    box = area.get_by_label("检索（含内部口径、派单目录和条文）")
    box.fill("办理")
    box.press("Enter")
    caption = area.get_by_text("共 ", exact=False).filter(has_text="条，第 1–10 条")
    caption.wait_for()
    page.wait_for_url("**/agent?q=*")
    assert query(page) == {"q": "办理"}
    first = result_titles(page)
    shot(page, tmp_path, "nav-3-console-page-1")

    area.get_by_role("button", name="下一页").click()
    area.get_by_text("条，第 11–", exact=False).wait_for()
    page.wait_for_url("**page=2*")
    assert query(page) == {"q": "办理", "page": "2"}
    expect(area.get_by_text("第 2/", exact=False)).to_be_visible()
    second = result_titles(page)
    assert not set(second) & set(first)
    shot(page, tmp_path, "nav-4-console-page-2")

    page.go_back()
    caption.wait_for()
    assert query(page) == {"q": "办理"}
    expect(area.get_by_text("条，第 11–", exact=False)).to_have_count(0)
    expect(results(page)).to_contain_text(first)  # the same results, in the same order
    expect(box).to_have_value("办理")
    shot(page, tmp_path, "nav-5-back-to-page-1")

    page.reload()  # the address alone brings the same results back
    area.get_by_role("heading", name="坐席工作台").wait_for()
    caption.wait_for()
    expect(results(page)).to_contain_text(first)


def test_an_articles_neighbour_links_keep_the_address_of_the_article_shown(server, page, tmp_path):
    log_in(page, server, "agent", PASSWORD)
    page.goto(server + "/provision?id=beijing-2021%2F9")
    area = main(page)
    area.get_by_role("heading", name="北京市接诉即办工作条例 第九条").wait_for()
    # The neighbours are other articles, not the page shown: plain links, not bold on grey.
    look = area.get_by_role("link", name="下一条：第十条").evaluate(
        "a => [getComputedStyle(a).backgroundColor, getComputedStyle(a.querySelector('p') || a).fontWeight]")
    assert look == ["rgba(0, 0, 0, 0)", "400"]
    area.get_by_role("link", name="下一条：第十条").click()
    area.get_by_role("heading", name="北京市接诉即办工作条例 第十条").wait_for()
    page.wait_for_url("**id=beijing-2021%2F10")
    page.reload()  # the address alone brings the same article back
    area.get_by_role("heading", name="北京市接诉即办工作条例 第十条").wait_for()
    shot(page, tmp_path, "nav-6-next-article")
    # The keyboard's skip link (shown on Tab) speaks Chinese, like the rest of the app, and so do the names
    # Streamlit gives a screen reader: a heading's link, a widget's help; an icon's name is not read out.
    said = page.evaluate("() => document.querySelector(\"[data-testid='stSkipToContent']\").textContent")
    assert said == "跳到主要内容"
    names = page.evaluate("() => [...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))")
    assert not [n for n in names if re.search(r"Link to heading|^Help|Skip to| icon$", n)], names


def test_an_address_no_page_has_opens_the_landing_page_and_says_so_in_chinese(server, page, tmp_path):
    """Not Streamlit's dialog "Page not found … Running the app's main page"."""
    page.goto(f"{server}/health")
    main(page).get_by_text("没有这个页面（/health），已打开“登录”。").wait_for()
    assert urlsplit(page.url).path == "/login"
    log_in(page, server, "agent", PASSWORD)
    page.goto(f"{server}/helth?q=1")
    main(page).get_by_text("没有这个页面（/helth），已打开“坐席工作台”。").wait_for()
    shot(page, tmp_path, "nav-unknown-address")
    assert "Page not found" not in page.inner_text("body") and "main page" not in page.inner_text("body")
    # an address below a page's (a public answer's address typed into the staff app) does not stay blank
    page.goto(f"{server}/answers/residence-permit-apply")
    main(page).get_by_text("没有这个页面（/answers），已打开“坐席工作台”。").wait_for()
    # the notice is said once: the next run of the page has none
    page.reload()
    page.get_by_text("已登录：").wait_for()
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
    expect(page.get_by_text("没有这个页面")).to_have_count(0)
