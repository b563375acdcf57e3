"""Headless Chromium journeys of an administrator: the statistics page shows a month of searches as a
chart with data, rates as percentages and times as people write them; catalogue-health findings open
the entries to fix; 全部条目 finds an entry by a colloquial word of its title and opens it; its
history names authors and reviewers, without commit hashes or an English toolbar.

With ``UPDATE_SCREENSHOTS=1`` the statistics page (the administrator's main page) is written to
docs/admin.png.
"""

import dataclasses
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from kb_app import open_kb

from .. import browser
from ..browser import requires_chromium, screenshot
from ..conftest import TODAY
from ..review_helpers import HRSS, PASSWORD, edited

pytestmark = requires_chromium
ENGLISH = re.compile(r"Download|Search|Fullscreen|Choose|Press|Sort|Show/hide|[0-9]\.0{6}")
QUERIES = [("社保卡补办", "sscard-reissue"), ("居住证怎么办", "residence-permit-apply"), ("退休金什么时候涨", ""),
           ("暖气不热", "heating-not-warm-repair"), ("无人机禁飞区", "")]


def seed(kb):
    """Three weeks of searches, opened answers and votes, and a few recorded call outcomes."""
    today = dt.date.fromisoformat(TODAY)
    for back in range(0, 21, 2):
        day = open_kb(dataclasses.replace(kb.settings, today=(today - dt.timedelta(days=back)).isoformat()))
        for i, (query, entry) in enumerate(QUERIES[: 2 + back % 5]):
            pk = day.feedback.log_search(query, "public", 1 if entry else 0)
            if entry:
                day.feedback.log_open(entry, pk)
                day.feedback.vote(entry, (i + back) % 3 != 0, voter=f"seed-{back}-{i}")
    kb.feedback.log_outcome("退休金什么时候涨", "direct_answer", entry="pension-adjustment-2026")
    kb.feedback.log_outcome("路灯坏了", "dispatch", entry="street-light-out")
    kb.feedback.log_outcome("有人打架", "transfer", line="110")


def publish_and_seed(kb, users):
    """A published change (for the history) and three weeks of use (for the statistics)."""
    cr = kb.review.create(users["hrss-editor"], "补卡须携带身份证原件",
                          {HRSS: edited(kb, HRSS, "\n线下补卡请携带身份证原件。\n")}, submit=True)
    kb.review.approve(users["hrss-reviewer"], cr.id)
    kb.review.approve(users["center"], cr.id)
    seed(kb)


@pytest.fixture
def server(sample_root, tmp_path, built_index):
    with browser.sample_app(sample_root, tmp_path, built_index, publish_and_seed) as running:
        yield running


@pytest.fixture
def page():
    with browser.desktop_page() as pg:
        yield pg


def main(page):
    return page.locator("[data-testid='stMain']")


def test_admin_statistics_chart_has_data_and_findings_link_to_entries(server, page, tmp_path):
    url, kb = server
    browser.log_in(page, url, "admin", PASSWORD)
    page.get_by_role("link", name="统计分析").click()
    area = main(page)
    area.get_by_role("heading", name="每日查询量").wait_for()
    chart = area.locator("[data-testid='stVegaLiteChart']").first
    chart.wait_for()
    expect(chart.locator("canvas, svg").first).to_be_visible()
    expect(area).not_to_contain_text("没有查询记录")                              # the chart has data
    metric = area.locator("[data-testid='stMetric']").filter(has_text="无结果率")
    expect(metric).to_contain_text(re.compile(r"\d+\.\d%"))                        # a rate as a percentage
    expect(area.locator("[data-testid='stMetric']").filter(has_text="直接答复率")).to_contain_text("50.0%")  # the transfer left out
    zero = area.locator("table.kbtable").filter(has_text="最近一次")
    expect(zero).to_contain_text("退休金什么时候涨")
    expect(zero).to_contain_text(re.compile(r"2026-11-\d\d \d\d:\d\d(?!:)"))       # a time as people write it
    helpful = area.locator("table.kbtable").filter(has_text="有用率").first
    expect(helpful).to_contain_text(re.compile(r"\d+\.\d%"))
    expect(area.locator("[data-testid='stDataFrame']")).to_have_count(0)
    expect(area).not_to_contain_text(ENGLISH, use_inner_text=True)
    chart.hover()
    assert not any(t.is_visible() for t in area.locator("[data-testid='stElementToolbar']").all())
    screenshot(page, tmp_path, "admin", docs=True, height=1300)
    screenshot(page, tmp_path, "admin-full", height=4200)              # the whole page, to look at

    page.get_by_role("link", name="目录健康").click()
    fix = area.get_by_role("link", name="修改“小区停车管理（东湖区）”").first
    fix.wait_for()
    screenshot(page, tmp_path, "admin-catalog")
    fix.click()
    expect(page.get_by_role("combobox", name="条目（可输入标题查找）")).to_have_value(
        re.compile("小区停车管理（东湖区）"), timeout=60_000)


def find_by_title(area, word):
    """Search 全部条目 by a word of the title; the rows of the result table."""
    box = area.get_by_label("按标题查找")
    box.fill(word)
    box.press("Enter")
    area.get_by_text(f"“{word}”：共").wait_for()
    return area.locator("table.kbtable tbody tr")


def test_all_entries_found_by_a_colloquial_word_and_history_by_name(server, page, tmp_path):
    url, kb = server
    browser.log_in(page, url, "admin", PASSWORD)
    page.get_by_role("link", name="全部条目").click()
    area = main(page)
    rows = find_by_title(area, "社保")
    expect(rows.filter(has_text="社会保障卡丢了怎么补办")).to_have_count(1)     # 社保 → 社保卡 → 社会保障卡
    expect(area.locator("[data-testid='stDataFrame']")).to_have_count(0)
    expect(area).not_to_contain_text(ENGLISH, use_inner_text=True)
    screenshot(page, tmp_path, "browse")
    rows.filter(has_text="社会保障卡丢了怎么补办").get_by_role("link", name="社会保障卡丢了怎么补办").click()
    page.get_by_role("heading", name="社会保障卡丢了怎么补办").wait_for()
    expect(main(page)).to_contain_text("线下补卡请携带身份证原件")

    page.goto(f"{url}/browse")
    area = main(page)
    rows = find_by_title(area, "社保卡")
    expect(area.get_by_text("“社保卡”：共 1 条")).to_be_visible()
    expect(rows).to_have_count(1)                   # the caption can arrive before the table is redrawn
    rows.get_by_role("link", name="历史版本").click()
    expect(page.get_by_role("combobox", name="条目")).to_have_value(re.compile("社会保障卡丢了怎么补办"))
    main(page).get_by_text("某日有效的版本").wait_for()
    history = main(page).locator("table.kbtable").first
    expect(history).to_contain_text("李编辑")                                          # author by name
    expect(history).to_contain_text("王审核（示例市人力资源和社会保障局）")           # reviewers by name
    expect(history).to_contain_text("张校核（热线中心校核）")
    expect(history).to_contain_text("#1")
    head = kb.store.head()
    shown = main(page).inner_text()
    assert head[:7] not in shown and "hrss-editor" not in shown                       # no hashes, no accounts
    expect(main(page)).not_to_contain_text(ENGLISH, use_inner_text=True)
    screenshot(page, tmp_path, "history")


def test_the_users_page_says_nothing_in_english_while_typing(server, page, tmp_path):
    url, _kb = server
    browser.log_in(page, url, "admin", PASSWORD)
    page.get_by_role("link", name="用户管理").click()
    area = main(page)
    field = area.get_by_label("用户名")
    field.wait_for()
    field.fill("new-agent")                        # Streamlit would say "Press Enter to submit form"
    hints = area.locator("[data-testid='InputInstructions']")
    hints.first.wait_for(state="attached")
    assert not any(h.is_visible() for h in hints.all())
    expect(area).not_to_contain_text(ENGLISH, use_inner_text=True)
    screenshot(page, tmp_path, "users")
