"""AppTest: the maintenance-task inbox."""

import dataclasses

import pytest

from kb_app import open_kb
from kb_app.accounts.auth import User
from kb_app.usage import suggest

from .. import ui_helpers
from ..ui_helpers import links, table_with

PS_EDITOR = User("ps-editor", "公安编辑", "unit_editor", "city-public-security")
CENTER = User("center", "张校核", "center_reviewer", "")
EXAMPLES = "示例（首个为代表查询）"


def open_page(user):
    return ui_helpers.open_page("app_pages/inbox.py", user)


def test_unit_sees_its_tasks_with_overdue_marks(app_env):
    early = open_kb(dataclasses.replace(app_env.settings, today="2026-11-02"))
    early.feedback.report_error("residence-permit-apply", "办理地点搬迁了", "agent")  # due 2026-11-09
    app_env.feedback.report_error("sscard-reissue", "电话变了", "agent")  # another unit's
    at = open_page(PS_EDITOR)
    labels = [e.label for e in at.expander]
    assert len(labels) == 1
    assert labels[0].endswith(" 纠错：居住证如何申领 · 期限 2026-11-09 · 已超期")
    [task] = app_env.feedback.list_tasks("city-public-security")
    assert ("修改“居住证如何申领”", "edit", f"entry=residence-permit-apply&task={task.id}") in links(at)
    assert at.metric[1].value == "1"


def test_a_due_date_counted_through_a_year_the_calendar_lacks_is_marked_provisional(app_env):
    late = open_kb(dataclasses.replace(app_env.settings, today="2026-12-28"))
    late.feedback.report_error("residence-permit-apply", "办理地点搬迁了", "agent")
    at = open_page(PS_EDITOR)
    [label] = [e.label for e in at.expander]
    assert label.endswith(" 纠错：居住证如何申领 · 期限 2027-01-03（暂定） · 待处理"), label


def test_a_unit_opening_its_tasks_sees_what_the_knowledge_base_calls_for_without_anyone_generating_them(app_env):
    """The 南河区 notice gives another gas repair number than the gas group's answers: its editor is told on
    opening the task list, though nobody pressed the center's button."""
    at = open_page(User("nanhe-editor", "南河编辑", "unit_editor", "district-nanhe"))
    assert not at.exception
    assert any("［与其他单位说法不一致］核对“燃气报修电话”：南河区农村" in e.label for e in at.expander), \
        [e.label for e in at.expander]


def test_citizens_reports_are_shown_in_full(app_env):
    text = "网上说要带户口本，窗口说不用，到底要不要带？" * 3
    app_env.feedback.report_error("residence-permit-apply", text, "public")
    at = open_page(PS_EDITOR)
    assert [i.value for i in at.info] == [text]
    assert any(m.value.startswith("**市民的纠错**（2026-11-22") for m in at.markdown)
    assert at.metric[2].value == "1"


def test_a_report_reading_as_an_emergency_says_so_to_the_unit_and_the_center(app_env):
    text = "办不下来居住证我不想活了，今晚就从楼上跳下去"
    app_env.feedback.report_error("residence-permit-apply", text, "public", alarm=app_env.public_alarm(text))
    for user in (PS_EDITOR, CENTER):
        at = open_page(user)
        assert any("纠错（读来像紧急情况：有人要轻生）：居住证如何申领" in e.label for e in at.expander)
        assert [w.value for w in at.warning] == ["这条纠错读来像紧急情况（有人要轻生）：网页已请报告人立即拨打 110。"
                                                 "报告人没有留下联系方式，无法回访；答复确有错误的照常修改，没有错误的驳回并写明理由。"]
        assert [i.value for i in at.info] == [text]


def test_a_zero_result_task_links_to_a_new_answer(app_env):
    pk = app_env.feedback.assign_query("灵活就业社保补贴", "city-public-security")
    at = open_page(PS_EDITOR)
    assert ("新建答复口径", "edit", f"new=policy&task={pk}") in links(at)


def test_dismiss_needs_a_reason(app_env):
    task_id = app_env.feedback.open_task("city-public-security", "report", "residence-permit-apply", "纠错：居住证如何申领")
    at = open_page(PS_EDITOR)
    at.button(key=f"inbox_dismiss_{task_id}").click().run()
    assert at.error[0].value == "驳回维护任务必须填写理由：请说明为什么不需要修改条目。"
    at.text_input(key=f"inbox_reason_{task_id}").input("内容无误").run()
    at.button(key=f"inbox_dismiss_{task_id}").click().run()
    assert not at.exception
    assert app_env.feedback.task(task_id).state == "dismissed"
    assert [m.value for m in at.success] == [f"维护任务 #{task_id} 已驳回。", "没有待处理的维护任务。"]


def test_center_assigns_a_zero_result_query(app_env):
    app_env.feedback.log_search("灵活就业社保补贴", "public", 0)
    at = open_page(CENTER)
    # Nothing is chosen until somebody chooses: one click does not assign the first group to the first unit.
    assert at.selectbox(key="inbox_missing_group").value is None and at.selectbox(key="inbox_zero_unit").value is None
    assert at.button(key="inbox_assign").disabled
    assert [r[EXAMPLES] for r in table_with(at, EXAMPLES)] == ["灵活就业社保补贴"]
    at.selectbox(key="inbox_missing_group").set_value("灵活就业社保补贴").run()
    assert at.button(key="inbox_assign").disabled                   # the unit is still to be chosen
    at.selectbox(key="inbox_zero_unit").set_value("city-hrss").run()
    at.button(key="inbox_assign").click().run()
    assert not at.exception
    [task] = [t for t in app_env.feedback.list_tasks("city-hrss") if t.kind == "zero_result"]
    # Said at the top of the page and where the group was, which is where the center is looking.
    assert [m.value for m in at.success] == [f"已分派给示例市人力资源和社会保障局（维护任务 #{task.id}）：“灵活就业社保补贴”"
                                             "这组 1 次查询、1 种问法。"] * 2
    assert task.title == "缺失的答复：灵活就业社保补贴"
    # The page shows the task at once, and the group is no longer offered (it cannot be assigned twice).
    assert at.metric[0].value == str(len(app_env.feedback.list_tasks(None)))  # every unit's, as the center sees them
    assert any(task.heading in e.label for e in at.expander)
    assert "近 30 天没有待分派的缺失答复。" in [c.value for c in at.caption]
    # Listed again on asking, marked as assigned, and still not offered to assign.
    at.toggle(key="inbox_missing_assigned").set_value(True).run()
    assert [(r[EXAMPLES], r["状态"]) for r in table_with(at, EXAMPLES)] == [("灵活就业社保补贴", "已分派")]
    assert at.selectbox(key="inbox_missing_group").options == []


def test_center_ignores_a_junk_query_and_it_does_not_come_back(app_env):
    app_env.feedback.log_search("asdfghjkl", "public", 0)
    app_env.feedback.log_search("灵活就业社保补贴", "public", 0)
    at = open_page(CENTER)
    at.selectbox(key="inbox_missing_group").set_value("asdfghjkl").run()
    at.button(key="inbox_ignore").click().run()
    assert at.error[0].value.startswith("忽略缺失的答复必须填写理由")
    at.text_input(key="inbox_ignore_reason").input("无意义的输入").run()
    at.button(key="inbox_ignore").click().run()
    assert not at.exception
    assert at.success[0].value == "已忽略“asdfghjkl”这组查询：同样的问法不再列入缺失的答复。"
    assert [r[EXAMPLES] for r in table_with(at, EXAMPLES)] == ["灵活就业社保补贴"]
    assert at.text_input(key="inbox_ignore_reason").value == ""     # the next group's reason is written anew
    app_env.feedback.log_search("asdfghjkl", "public", 0)                # asked again: still set aside
    assert [g["query"] for g in suggest.missing_answers(app_env)] == ["灵活就业社保补贴"]
    assert not [t for t in app_env.feedback.list_tasks(None) if t.kind == "zero_result"]   # nobody's work


def test_unit_user_cannot_assign(app_env):
    app_env.feedback.log_search("灵活就业社保补贴", "public", 0)
    at = open_page(PS_EDITOR)
    with pytest.raises(KeyError):
        at.button(key="inbox_assign")


HRSS_EDITOR = User("hrss-editor", "李编辑", "unit_editor", "city-hrss")


def test_unit_accepts_a_suggested_question_as_a_change_request(app_env):
    app_env.users.add("hrss-editor", "李编辑", "secret-pass-1", "unit_editor", "city-hrss")
    for _ in range(3):
        sid = app_env.feedback.log_search("社保卡被偷了怎么重新办", "public", 3)
        app_env.feedback.log_open("sscard-reissue", sid)
        app_env.feedback.vote("sscard-reissue", True, search_id=sid)
    app_env.feedback.generate_tasks()
    [task_id] = [t.id for t in app_env.feedback.list_tasks("city-hrss") if t.kind == "suggested_question"]
    at = open_page(HRSS_EDITOR)
    assert any(e.label.endswith(" 建议新增问法“社保卡被偷了怎么重新办”：社会保障卡丢了怎么补办 · 期限 2026-11-27 · 待处理")
               for e in at.expander)
    assert any("**“社保卡被偷了怎么重新办”** 加入条目的“常见问法”" in m.value and "3 次检索" in m.value
               for m in at.markdown)
    at.text_input(key=f"inbox_phrasing_{task_id}").input("社保卡被偷了怎么补办").run()
    at.button(key=f"inbox_accept_{task_id}").click().run()
    assert not at.exception
    assert at.success[-1].value == "已发起变更请求 #1，经单位审核人和热线中心校核后发布；发布后本任务自动完成。"
    assert ("查看变更请求 #1 的审核进度", "cr=1") in [(label, q) for label, _p, q in links(at)]
    cr = app_env.review.get(1)
    assert cr.state == "in_review" and cr.data["phrasing"] == "社保卡被偷了怎么补办"
    assert not [b for b in at.button if b.key == f"inbox_dismiss_{task_id}"]   # settled by the change, not dismissed
    at.run()  # the task stays open until the change is published, and shows the change instead of the form
    assert not [b for b in at.button if b.key in (f"inbox_accept_{task_id}", f"inbox_dismiss_{task_id}")]
    assert not [label for label, _p, _q in links(at) if label.startswith("修改“")]
    assert f"已发起变更请求 #1（{cr.state_label}），经单位审核人和热线中心校核后发布；发布后本任务自动完成。" \
        in [c.value for c in at.caption]
    assert ("查看变更请求 #1 的审核进度", "cr=1") in [(label, q) for label, _p, q in links(at)]


def test_center_accepts_a_suggested_question_for_an_article(app_env):
    app_env.users.add("center", "张校核", "secret-pass-1", "center_reviewer", "")
    for agent in ("agent", "agent2", "agent3"):  # one agent's repeats would be one piece of evidence
        sid = app_env.feedback.log_search("打热线故意夸大事实会被追责吗", "agent", 3, username=agent)
        app_env.feedback.log_use("beijing-2021/9", sid, agent)
    app_env.feedback.generate_tasks()
    [task_id] = [t.id for t in app_env.feedback.list_tasks("hotline-center") if t.kind == "suggested_question"]
    at = open_page(CENTER)
    assert any("条文的常见问法" in m.value and "坐席采用 3 次；来自 3 名坐席）" in m.value for m in at.markdown)
    assert ("北京市接诉即办工作条例 第九条", "provision", "id=beijing-2021/9") in links(at)
    # A reviewer who adopts becomes the author, who may not review: said before the button.
    assert any(c.value.startswith("采纳后您是这一变更请求的作者，不能再审核它：热线中心校核需由另一位同事完成；"
                                  "也可以请示例市12345市民服务热线中心的编辑采纳") for c in at.caption)
    at.button(key=f"inbox_accept_{task_id}").click().run()
    assert not at.exception
    assert at.success[-1].value == "已发起变更请求 #1，经热线中心和法制审核人员校核后发布；发布后本任务自动完成。"
    # Adopted: only the message and the way to the request stay, not the box and the button to adopt again.
    assert not [b for b in at.button if b.key == f"inbox_accept_{task_id}"]
    assert not [i for i in at.text_input if i.key == f"inbox_phrasing_{task_id}"]
    assert ("查看变更请求 #1 的审核进度", "cr=1") in [(label, q) for label, _p, q in links(at)]
    cr = app_env.review.get(1)
    assert cr.state == "in_review" and cr.data["phrasing"] == "打热线故意夸大事实会被追责吗"
    assert "    - 打热线故意夸大事实会被追责吗" in app_env.store.read("regulations/texts/beijing-2021.md", cr.head)


def test_a_recheck_after_a_rule_change_is_confirmed_for_review_not_dismissed(app_env):
    """A “依据已变更，待核” task: a note and 确认无需修改, which starts the reviewed confirmation; no 驳回."""
    task_id = app_env.feedback.open_task("city-public-security", "basis_changed", "residence-permit-apply",
                                         "复核“居住证如何申领”：依据已变更，待核")
    editor = User("ps-editor", "公安编辑", "unit_editor", "city-public-security")
    app_env.users.add("ps-editor", "公安编辑", "secret-pass-1", "unit_editor", "city-public-security")
    at = open_page(editor)
    assert not [b for b in at.button if b.key == f"inbox_dismiss_{task_id}"]
    at.text_input(key=f"inbox_note_{task_id}").input("已核对新条文，无需修改").run()
    at.button(key=f"inbox_confirm_{task_id}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    confirm = app_env.review.list()[0]
    assert confirm.kind == "confirmation" and confirm.state == "in_review" and "已核对新条文" in confirm.description
    assert at.success[0].value.startswith(f"已发起变更请求 #{confirm.id}（审核中）")
    # nobody can approve for the unit yet (its only account wrote the confirmation): said, with what to do
    assert [w.value for w in at.warning if "目前没有可审核的账号" in w.value or "唯一的审核人" in w.value] == \
        app_env.review.awaiting(confirm).advice != []


def test_the_calendar_task_offers_no_new_answer(app_env, monkeypatch):
    """The calendar lacks a coming year: what to do is in the task; an answer written in the editor would not
    close it, so no 新建答复口径."""
    monkeypatch.setenv("KB_TODAY", "2026-12-05")
    at = open_page(CENTER)
    [task] = [t for t in open_kb(dataclasses.replace(app_env.settings, today="2026-12-05")).feedback.list_tasks(
        "hotline-center") if t.kind == "calendar"]
    assert not [q for label, _page, q in links(at) if f"task={task.id}" in q]
    assert "补上该年的数据并发布后（见上文），任务自动完成。" in [c.value for c in at.caption]


def test_groups_lacking_an_answer_are_listed_apart_from_those_only_seldom_opened_with_examples_in_view(app_env):
    """暖气不热-like groups (results found, seldom opened) come in a table of their own after the gaps, under a
    word that the answer may be there; the examples stand next to the group's name, not pushed off the right."""
    for _ in range(6):
        app_env.feedback.log_search("公积金提取", "public", 5)
    for query in ("护照怎么办理", "护照丢了怎么补办"):
        app_env.feedback.log_search(query, "public", 7, weak=True)
    at = open_page(CENTER)
    gaps, low_click = [t for t in ui_helpers.tables(at) if t and EXAMPLES in t[0]]
    assert [(r["内容"], r[EXAMPLES], r["次数"]) for r in gaps] == [("护照", "护照丢了怎么补办；护照怎么办理", "2")]
    assert list(gaps[0])[:2] == ["内容", EXAMPLES] and "代表查询" not in gaps[0]
    assert [r[EXAMPLES] for r in low_click] == ["公积金提取"]
    assert suggest.LOW_CLICK_NOTE in [c.value for c in at.caption]
