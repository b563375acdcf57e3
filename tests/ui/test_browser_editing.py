"""Headless Chromium journeys of a unit editor and of two reviewers, asserting what each person sees.

The editor changes one list item of an answer, ticks the citizen's report it settles and submits;
the confirmation appears under the buttons, and the review shows that one line changed, nothing
else. The reviewers see the answer rendered side by side with the change marked inside the line,
the changed field by its label and the author by name; the last one is told that approving
publishes, approves, and is given the link to the published answer on the public site.

Screenshots go to the test's temporary directory; with ``UPDATE_SCREENSHOTS=1`` the main page of
each role is also written to ``docs/`` for the README.
"""

import re

import pytest
from playwright.sync_api import expect

from .. import browser
from ..browser import log_out, requires_chromium
from ..review_helpers import HRSS, PASSWORD

pytestmark = requires_chromium
TITLE = "社会保障卡丢了怎么补办"
OLD_ITEM = "携带本人有效身份证件，到任一社保卡合作银行网点"
NEW_ITEM = "携带本人有效身份证件原件，到任一社保卡合作银行网点"
REPORT = "线下补卡要带身份证原件还是复印件？页面没说清楚。"


@pytest.fixture
def server(sample_root, tmp_path, built_index):
    with browser.sample_app(sample_root, tmp_path, built_index) as running:
        yield running


@pytest.fixture
def page():
    with browser.desktop_page() as pg:
        yield pg


def shot(page, tmp_path, name, docs=False, height=None):
    browser.screenshot(page, tmp_path, name, docs, height)


def main(page):
    return page.locator("[data-testid='stMain']")


def log_in(page, url, username):
    browser.log_in(page, url, username, PASSWORD)


def open_review(page, cr_id):
    page.get_by_role("link", name="变更校核").click()
    main(page).get_by_text(f"#{cr_id} ").first.wait_for()
    main(page).locator(".kbrender").first.wait_for()


def test_editor_changes_one_list_item_and_the_review_shows_only_that_line(server, page, tmp_path):
    url, kb = server
    kb.feedback.report_error("sscard-reissue", REPORT, "public")
    log_in(page, url, "hrss-editor")
    page.get_by_role("link", name="编辑条目").click()
    entry = page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text("条目（可输入标题查找）"))
    entry.locator("input").click()
    page.keyboard.type("社会保障卡")
    page.get_by_role("option", name=f"{TITLE}（答复口径·示例市人力资源和社会保障局）").click()
    # While the page reruns, the previous entry's editor may still be on screen: take this entry's.
    label = "正文（Markdown，写成可以直接念给来电人的答复）"
    body = page.get_by_label(label).filter(has_text="社会保障卡丢失或损坏")
    body.wait_for()
    expect(page.get_by_label(label)).to_have_count(1)
    # Fields in the user's words: names, not ids; no "YAML", no English placeholders.
    expect(page.get_by_role("combobox", name="所属单位")).to_have_value("示例市人力资源和社会保障局")
    english = re.compile("YAML|Choose|Press|Select|apply")
    expect(main(page)).not_to_contain_text(english, use_inner_text=True)
    # nor what a screen reader is told: a field's help, a date's button, a heading's link
    names = page.evaluate("() => [...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))")
    assert "“标题”的说明" in names and "选择日期" in names
    assert not [n for n in names if re.search(r"^Help|^Choose|Link to heading| icon$|^(year|month|day), ", n)], names

    body.fill(body.input_value().replace(OLD_ITEM, NEW_ITEM))
    expect(main(page)).not_to_contain_text(english, use_inner_text=True)     # no "Press ⌘+Enter to apply"
    page.get_by_role("button", name="预览", exact=True).click()
    preview = main(page).locator("li", has_text=NEW_ITEM)
    preview.first.wait_for()                                                  # the preview follows the text
    report = page.get_by_text(REPORT, exact=False)
    report.click()                                                            # this change settles the report
    expect(page.get_by_role("checkbox", name=REPORT, exact=False)).to_be_checked()
    page.get_by_role("button", name="提交审核").click()
    done = main(page).get_by_text(f"修改“{TITLE}”已提交审核：变更请求 #1")
    done.wait_for()
    shot(page, tmp_path, "editor-saved")
    expect(done).to_be_in_viewport()                                          # where the person is looking
    expect(main(page)).to_contain_text("发布后将关闭 1 个维护任务。")
    shot(page, tmp_path, "editor", docs=True, height=2400)

    cr = kb.review.get(1)
    assert cr.data == {"resolves": [kb.feedback.list_tasks("city-hrss")[0].id]}
    before, after = kb.store.read(HRSS).splitlines(), kb.store.read(HRSS, cr.head).splitlines()
    assert [line for line in after if line not in before] == [line.replace(OLD_ITEM, NEW_ITEM)
                                                               for line in before if OLD_ITEM in line]

    page.get_by_role("link", name="查看审核进度").click()
    main(page).locator(".kbrender").first.wait_for()
    rendered = main(page).locator(".kbrender")
    expect(rendered.locator("ins")).to_have_count(1)
    expect(rendered.locator("ins")).to_have_text("原件")
    expect(rendered.locator("del")).to_have_count(0)
    # The innermost item holding the change (the list is nested under 补办渠道).
    expect(rendered.locator("li", has=page.locator("ins")).last).to_contain_text("线下：携带本人有效身份证件原件")
    expect(main(page)).to_contain_text("字段没有变化。")
    main(page).get_by_text("源文本对照").click()
    expect(main(page).locator(".kbdiff td.add")).to_have_count(1)             # one source line, nothing else
    expect(main(page).locator(".kbdiff td.del")).to_have_count(1)
    expect(main(page)).to_contain_text(REPORT)                                # reviewers see what it resolves
    shot(page, tmp_path, "editor-review")


def test_reviewers_see_the_rendered_diff_approve_and_are_told_it_is_published(server, page, tmp_path):
    url, kb = server
    ed = kb.editing
    draft = ed.open(HRSS)
    values = dict(draft.values, review_by=draft.values["review_by"].replace(year=2028))
    edit = ed.compose(draft, values, draft.body.replace(OLD_ITEM, NEW_ITEM))
    saved = ed.save(kb.users.get("hrss-editor"), "new", {edit.path: edit.text}, "补卡须携带身份证原件", submit=True)
    assert saved.submitted

    log_in(page, url, "hrss-reviewer")
    open_review(page, saved.cr.id)
    area = main(page)
    expect(area).to_contain_text(f"修改答复口径：{TITLE} · 示例市人力资源和社会保障局")
    expect(area).to_contain_text("作者：李编辑（示例市人力资源和社会保障局）")
    expect(area.locator(".kbrender ins")).to_have_text("原件")
    fields = area.locator("table.kbfields").first
    expect(fields).to_contain_text("复核日期")
    expect(fields.locator("ins")).to_have_text("2028-06-30")      # what was added, marked as added
    # Accounts, branches and hashes only in the folded 技术信息.
    for technical in ("hrss-editor", "cr/1", saved.cr.head[:10]):
        assert not any(el.is_visible() for el in area.get_by_text(technical).all()), technical
    expect(area.get_by_role("button", name="批准", exact=True)).to_be_visible()
    area.get_by_role("button", name="批准", exact=True).click()
    told = area.get_by_text("已批准。还需要热线中心校核批准，之后才会发布。")
    told.wait_for()
    expect(told).to_be_in_viewport()
    log_out(page)

    log_in(page, url, "center")
    open_review(page, saved.cr.id)
    area = main(page)
    notice = area.get_by_text("您是最后一个审核方：批准后本变更将立即发布")
    notice.wait_for()
    shot(page, tmp_path, "review", docs=True, height=2000)
    area.get_by_role("button", name="批准并发布").click()
    published = area.get_by_text("已批准并发布。")
    published.wait_for()
    expect(published).to_be_in_viewport()
    expect(area).to_contain_text(f"“{TITLE}”的新版本已发布，查询到的就是它")
    assert NEW_ITEM in kb.store.read(HRSS)
    shot(page, tmp_path, "review-published")
    # The published answer is public: the link is its rendering on the public site (kb web).
    public = area.get_by_role("link", name="在公众网站上查看发布后的答复")
    expect(public).to_have_attribute("href", f"{kb.settings.public_site}/answers/sscard-reissue")
