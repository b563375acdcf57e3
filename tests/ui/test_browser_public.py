"""Headless Chromium on a phone-width window: a citizen searches, votes and reports an error, and the
owning unit's editor finds the (masked) report in the unit's inbox."""

import shutil

import pytest

from kb_app import load_settings, open_kb

from ..browser import browser_page, requires_chromium, running_app
from ..conftest import TODAY, commit_all
from .test_ui_public import HOSTILE

pytestmark = requires_chromium
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def server(sample_root, tmp_path, built_index):
    """``kb serve`` on a copy of the sample with a hostile answer, an editor of the police unit."""
    (sample_root / "entries/policy/city-civil-affairs/hostile-answer.md").write_text(HOSTILE, encoding="utf-8")
    commit_all(sample_root, "hostile answer")
    data = tmp_path / "data"
    shutil.copytree(built_index, data / "index")
    kb = open_kb(load_settings(root=sample_root, data_dir=data, today=TODAY))
    kb.users.add("gongan-bianji", "张编辑", "correct-horse-1", "unit_editor", "city-public-security")
    with running_app(sample_root, data, TODAY, tmp_path / "serve.log") as url:
        yield url, kb


@pytest.fixture
def page(tmp_path):
    with browser_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True) as page:
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        yield page


def shot(page, tmp_path, name):
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def main_area(page):
    return page.locator("[data-testid='stMain']")


def open_sidebar(page):
    sidebar = page.locator("[data-testid='stSidebar']")
    if sidebar.get_attribute("aria-expanded") != "true":
        page.locator("[data-testid='stExpandSidebarButton']").click()
    sidebar.wait_for(state="visible")


def sidebar_link(page, label):
    """Open the menu, follow a link and close the menu again (on a phone it covers the page)."""
    open_sidebar(page)
    page.locator("[data-testid='stSidebar']").get_by_role("link", name=label).click()
    collapse = page.locator("[data-testid='stSidebarCollapseButton'] button, button[data-testid='stSidebarCollapseButton']")
    page.locator("[data-testid='stSidebar']").hover()
    collapse.first.click()
    page.locator("[data-testid='stSidebar'][aria-expanded='false'], [data-testid='stSidebar'][data-collapsed='true']").wait_for(state="attached")


def test_citizen_on_a_phone_searches_votes_and_reports_and_the_unit_sees_it(server, page, tmp_path):
    url, kb = server
    page.goto(url)
    main = main_area(page)
    main.get_by_text("12345 政策问答自助查询").wait_for()
    # No developer chrome for citizens.
    for testid in ("stAppDeployButton", "stMainMenu", "stToolbarActions"):
        assert not page.locator(f"[data-testid='{testid}']").is_visible()
    # The page fits the phone: nothing wider than the window.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    box = page.get_by_label("您想问什么？")
    box.fill("外地人怎么办居住证")
    box.press("Enter")
    result = main.get_by_role("link", name="居住证如何申领")
    result.wait_for()
    main.locator("mark").first.wait_for()  # snippets arrive after the links within one rerun
    main.get_by_text("答复单位：示例市公安局").first.wait_for()
    shot(page, tmp_path, "1-results")

    result.click()
    main.get_by_role("heading", name="居住证如何申领").wait_for()
    main.get_by_text("这个回答有帮助吗？").wait_for()
    main.get_by_text("最近核对：").wait_for()
    main.get_by_role("link", name="返回查询").wait_for()
    shot(page, tmp_path, "2-answer")

    main.get_by_role("button", name="👍 有帮助").click()
    main.get_by_text("感谢您的反馈！").wait_for()

    main.get_by_text("报告错误").click()
    report = main.get_by_label("哪里不对？")
    report.fill("照片的要求已经变了，请回电 13812345678 核实")
    report.press("Tab")  # the form takes the text when the field loses focus; don't race the submit click
    main.get_by_role("button", name="提交").click()
    try:
        main.get_by_text("已收到您的报告，承办单位会尽快核实更正。谢谢！").wait_for()
    finally:
        shot(page, tmp_path, "3-after-report")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, tmp_path, "3-reported")

    db = kb.db()
    assert [(v["entry"], v["helpful"]) for v in db["votes"].rows] == [("residence-permit-apply", 1)]
    [report] = list(db["reports"].rows)
    assert report["text"] == "照片的要求已经变了，请回电 [手机号] 核实"

    # The police unit's editor signs in and finds the report in the unit's inbox.
    sidebar_link(page, "登录")
    main.get_by_label("用户名").fill("gongan-bianji")
    main.get_by_label("密码").fill("correct-horse-1")
    main.get_by_role("button", name="登录").click()
    page.locator("[data-testid='stSidebar']").get_by_text("已登录：张编辑").wait_for()
    sidebar_link(page, "维护任务")
    main.get_by_role("heading", name="维护任务").wait_for()
    task = main.get_by_text("纠错：居住证如何申领")
    task.wait_for()
    task.click()
    main.get_by_text("照片的要求已经变了，请回电 [手机号] 核实").wait_for()
    assert "13812345678" not in main.inner_text()
    shot(page, tmp_path, "4-inbox")


def test_hostile_answer_is_inert_in_the_browser(server, page, tmp_path):
    url, _kb = server
    page.goto(f"{url}/answer?id=hostile-answer")
    main = main_area(page)
    main.get_by_role("heading", name="含有危险标记的答复").wait_for()
    main.get_by_text("正文结束。").wait_for()
    shot(page, tmp_path, "5-hostile")
    body = main.inner_html()
    for marker in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<form", "evil.example"):
        assert marker not in body
    assert main.locator("b", has_text="粗体").count() == 1  # harmless raw HTML stays as text formatting
    page.wait_for_timeout(500)  # give an injected handler the chance to fire
    assert page.dialogs == []
