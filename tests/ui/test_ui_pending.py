"""AppTest: the agent console and the entry page say when an answer is being corrected or was reported wrong."""

import pytest

from kb_app import render

from ..review_helpers import correction, quiet_users
from ..ui_helpers import links, open_page, page_text
from .test_ui_agent import console, dispatch, search

ENTRY = "sscard-reissue"


@pytest.fixture
def users(app_env, monkeypatch):
    return quiet_users(app_env, monkeypatch)


def test_the_console_and_the_entry_page_mark_an_answer_under_correction(app_env, users):
    agent = users["agent"]
    cr = correction(app_env, users)
    app_env.feedback.report_error(ENTRY, "工本费写错了")
    notice = "\n\n".join(map(render.markdown_literal, [    # shown as written: # is no heading
        f"这条答复有修改正在审核：变更请求 #{cr.id}“更正补卡工本费”（审核中），发布前这里仍是原来的答复，采用前请核对。",
        "有人报告这条答复有误：1 条纠错待处理（最早 2026-11-22），承办单位正在核实。"]))
    at = search(console(agent), "社保卡丢了怎么补办")
    badges = f":red-badge[修改审核中 #{cr.id}] :red-badge[有纠错待处理 1 条]"
    assert any(m.value.startswith(":gray-badge[答复口径]") and m.value.endswith(badges) for m in at.markdown)
    assert notice in [w.value for w in at.warning]
    at = dispatch(at, "社保卡丢了怎么补办")
    assert ":gray-badge[公开] " + badges in [m.value for m in at.markdown]
    assert [w.value for w in at.warning].count(notice) == 2    # the search's hit and the dispatch answer
    at = open_page("app_pages/entry.py", user=agent, id=ENTRY)
    assert ":gray-badge[答复口径] " + badges in [m.value for m in at.markdown]
    assert notice in [w.value for w in at.warning]
    app_env.review.withdraw(users["hrss-editor"], cr.id)
    at = open_page("app_pages/entry.py", user=agent, id=ENTRY)
    assert ":gray-badge[答复口径] :red-badge[有纠错待处理 1 条]" in [m.value for m in at.markdown]
    assert "正在更正" not in page_text(at) and "有修改正在审核" not in page_text(at)


def test_the_mark_of_a_correction_opens_its_review_page_for_staff_who_may_open_it(app_env, users):
    cr = correction(app_env, users)
    link = (f"修改审核中 #{cr.id}：查看变更请求“更正补卡工本费”", "review", f"cr={cr.id}")
    at = search(console(users["center"]), "社保卡丢了怎么补办")          # the hotline centre works at the console too
    assert link in links(at)
    at = dispatch(at, "社保卡丢了怎么补办")
    assert links(at).count(link) == 2                                    # the search's hit and the dispatch answer
    assert link in links(open_page("app_pages/entry.py", user=users["hrss-editor"], id=ENTRY))
    at = search(console(users["agent"]), "社保卡丢了怎么补办")           # agents may not open the review page
    assert not [lk for lk in links(at) if lk[1] == "review"]
    assert not [lk for lk in links(open_page("app_pages/entry.py", user=users["agent"], id=ENTRY)) if lk[1] == "review"]


def test_adopting_an_answer_under_correction_or_reported_wrong_comes_with_a_caution(app_env, users):
    def cautions(at):
        return [c.value for c in at.caption if "采用前请仔细核对" in c.value]

    at = search(console(users["agent"]), "社保卡丢了怎么补办")
    assert at.button(key=f"agent_adopt_{ENTRY}") and cautions(at) == []
    app_env.feedback.report_error(ENTRY, "工本费写错了")
    at = search(console(users["agent"]), "社保卡丢了怎么补办")
    assert cautions(at) == [":orange[:material/warning: 这条答复被报告有误（有纠错待处理 1 条）：采用前请仔细核对现行内容，"
                            "念给来电人时逐句确认。]"]
    cr = correction(app_env, users)
    at = search(console(users["agent"]), "社保卡丢了怎么补办")
    said = render.markdown_literal(f"这条答复正在更正（修改审核中 #{cr.id}、有纠错待处理 1 条）：采用前请仔细核对现行内容，"
                                   "念给来电人时逐句确认。")
    assert cautions(at) == [f":orange[:material/warning: {said}]"]
    at = dispatch(at, "社保卡丢了怎么补办")                               # 用此答复直接答复 too
    assert cautions(at) == [f":orange[:material/warning: {said}]"] * 2
    at.button(key=f"agent_adopt_{ENTRY}").click().run()                  # a caution, not a refusal
    assert not at.exception and any(c.value.startswith("已记为采用此答复。") for c in at.caption)
