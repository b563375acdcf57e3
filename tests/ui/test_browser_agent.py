"""The agent's day in headless Chromium: an emergency is transferred with no dispatch candidate beside
it, a consultation is answered directly from the knowledge base, and a complaint is dispatched with
its due date; every outcome is recorded for the direct-answer rate.

With ``UPDATE_SCREENSHOTS=1`` the console answering a consultation is written to docs/agent.png.
"""

from ..browser import requires_chromium, screenshot
from .test_browser_review import log_in, page, server  # noqa: F401 - the same app and browser fixtures
from ..ui_helpers import rows

pytestmark = requires_chromium


def analyse(page, text):
    box = page.get_by_label("来电人诉求")
    box.fill(text)
    box.press("Control+Enter")  # commit the text before the click reruns the page
    page.get_by_role("button", name="分析诉求").click()


def assistant(page, server):
    """派单助手 of the agent signed in; the page's main part."""
    log_in(page, server, "agent")
    page.get_by_role("link", name="坐席工作台").click()
    page.get_by_role("tab", name="派单助手").click()
    return page.locator("[data-testid='stMain']")


def test_agent_transfers_answers_and_dispatches(kb, server, page, tmp_path):
    main = assistant(page, server)

    analyse(page, "有人在小区里打架了，你们快来")
    alert = main.locator("[data-testid='stAlertContentError']")
    alert.get_by_text("转接：110").wait_for()
    assert "判断依据：识别到打架斗殴" in alert.inner_text()
    assert main.get_by_text("建议派单").count() == 0 and main.get_by_text("宠物扰民").count() == 0
    # The transfer script comes first: above anything else the assistant says about the call.
    script_top = alert.bounding_box()["y"]
    alerts = main.locator("[data-testid='stAlert']").all()[1:]
    assert all(script_top <= el.bounding_box()["y"] for el in alerts)
    screenshot(page, tmp_path, "agent-emergency")
    page.get_by_role("button", name="已转接 110").click()
    main.get_by_text("已记录：转接（110）。").wait_for()

    analyse(page, "退休金什么时候涨")
    main.get_by_text("建议：直接答复，不必派单。").wait_for()
    main.get_by_role("link", name="2026年退休人员基本养老金调整").wait_for()
    main.get_by_text("调整水平").first.wait_for()  # the answer text, ready to read out
    screenshot(page, tmp_path, "agent", docs=True, height=1500)   # the agent's main page, for the README
    page.get_by_role("button", name="用此答复直接答复").first.click()
    main.get_by_text("已记录：直接答复（2026年退休人员基本养老金调整）。").wait_for()

    analyse(page, "小区门口的路灯坏了好几天了，晚上黑乎乎的")
    main.get_by_text("建议派单").wait_for()
    main.get_by_text("办结期限：2026-11-25 23:59 前（3个工作日，按法定工作日计算）").wait_for()
    screenshot(page, tmp_path, "agent-dispatch", height=1500)
    page.get_by_role("button", name="派单", exact=True).click()
    main.get_by_text("已记录：派单（").wait_for()

    outcomes = [(r["outcome"], r["entry"] or r["line"]) for r in rows(kb, "request_outcomes")]
    assert outcomes[:2] == [("transfer", "110"), ("direct_answer", "pension-adjustment-2026")]
    assert outcomes[2][0] == "dispatch" and len(outcomes) == 3


def test_agent_answers_one_matter_of_a_call_and_dispatches_the_other(kb, server, page, tmp_path):
    main = assistant(page, server)

    analyse(page, "我们小区门口路灯坏了，另外我还想问下社保卡丢了咋补办")
    main.get_by_text("可直接答复来电所问；来电说的另一件事请在下方派单。").wait_for()
    page.get_by_role("button", name="用此答复直接答复").first.click()
    main.get_by_text("已记录：直接答复（").wait_for()
    # The other matter is still to dispatch, its entry chosen.
    dispatch = page.get_by_role("button", name="派单", exact=True)
    dispatch.wait_for()
    screenshot(page, tmp_path, "agent-two-matters", height=1800)
    dispatch.click()
    main.get_by_text("已记录：派单（路灯不亮）").wait_for()
    assert [(r["outcome"], r["matter"]) for r in rows(kb, "request_outcomes")] == [("direct_answer", 0),
                                                                                  ("dispatch", 1)]


def test_ctrl_enter_in_the_box_runs_the_analysis(kb, server, page):
    """An agent typing the caller's words runs 分析诉求 with Ctrl+Enter, without Tabbing to the button."""
    main = assistant(page, server)
    box = page.get_by_label("来电人诉求")
    box.fill("退休金什么时候涨")
    box.press("Control+Enter")
    main.get_by_text("建议：直接答复，不必派单。").wait_for()
    main.get_by_role("link", name="2026年退休人员基本养老金调整").wait_for()
