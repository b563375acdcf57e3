"""The whole review flow in headless Chromium: an editor changes an answer, a unit reviewer and a
center reviewer approve, the change is published and searches (public, and the agent's) find it."""

import pytest
from playwright.sync_api import expect

from kb_app.content import frontmatter

from .. import browser
from ..browser import browser_page, log_out, requires_chromium, users_app
from ..review_helpers import HRSS, PASSWORD

NEW_TEXT = "各区政务服务中心新设的自助补卡机可以当场制卡"
pytestmark = requires_chromium


@pytest.fixture
def server(kb, tmp_path):
    with users_app(kb, tmp_path) as url:
        yield url


@pytest.fixture
def page():
    with browser_page(viewport={"width": 1400, "height": 1000}) as pg:
        yield pg


def log_in(page, url, username):
    browser.log_in(page, url, username, PASSWORD)


def choose(page, label, option):
    box = page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text(label, exact=True))
    box.locator("input").click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option).click()


def approve(page, url, username, cr_id, button, told):
    log_in(page, url, username)
    page.get_by_role("link", name="变更校核").click()
    page.get_by_text(f"#{cr_id} ").first.wait_for()
    page.locator(".kbrender ins", has_text=NEW_TEXT).first.wait_for()    # the rendered diff marks the change
    page.get_by_role("button", name=button, exact=True).click()
    page.get_by_text(told).wait_for()
    log_out(page)


def test_edit_review_publish_and_search(kb, server, page):
    url = server
    log_in(page, url, "hrss-editor")
    page.get_by_role("link", name="编辑条目").click()
    title = frontmatter.parse(kb.store.read(HRSS))[0]["title"]
    choose(page, "条目（可输入标题查找）", f"{title}（答复口径·示例市人力资源和社会保障局）")
    # While the page reruns, the previous entry's editor may still be on screen: take this entry's.
    label = "正文（Markdown，写成可以直接念给来电人的答复）"
    body = page.get_by_label(label).filter(has_text="社会保障卡丢失或损坏")
    body.wait_for()
    expect(page.get_by_label(label)).to_have_count(1, timeout=60_000)
    body.fill(body.input_value() + f"\n{NEW_TEXT}。\n")
    body.press("Control+Enter")
    page.locator("p", has_text=NEW_TEXT).first.wait_for()               # the preview of the Markdown
    page.get_by_role("button", name="提交审核", exact=True).click()
    page.get_by_text(f"修改“{title}”已提交审核：变更请求 #1").wait_for()
    log_out(page)
    assert NEW_TEXT not in kb.store.read(HRSS)

    approve(page, url, "hrss-reviewer", 1, "批准", "已批准。还需要热线中心校核批准，之后才会发布。")
    approve(page, url, "center", 1, "批准并发布", "已批准并发布。")
    assert NEW_TEXT in kb.store.read(HRSS)

    # Published: the public search finds the new text, and an agent's console shows it at once.
    assert title in [h.title for h in kb.search("自助补卡机当场制卡", audience="public").hits]
    log_in(page, url, "agent")
    page.goto(f"{url}/agent?q=自助补卡机当场制卡")
    page.get_by_role("link", name=title).first.wait_for()
