"""AppTest of what reviewers and authors are told beyond the decision buttons: a request in conflict marked in the
reviewer's 我的工作, an answer about to expire (review page and editor), the unit's tasks counted in 我的工作 whichever
page is opened first, and a request turned down taken as the draft of a new one."""

import datetime as dt

import pytest

from kb_app.accounts.auth import User
from kb_app.exceptions import ReviewStateError
from kb_app.ui.tables import when

from ..review_helpers import HRSS, edited, make_users
from ..ui_helpers import open_page

EXPIRING = "本答复 {day} 到期（还有 24 天）：如需继续有效，请一并修改有效期或准备接续版本。"


@pytest.fixture
def users(app_env):
    return make_users(app_env)


def test_the_reviewers_inbox_marks_a_request_in_conflict_and_says_it_waits_for_its_author(kb, users):
    original = kb.store.read(HRSS)
    late = kb.review.create(users["hrss-editor"], "晚到的修改", {HRSS: original.replace("补卡。", "补办。")}, submit=True)
    first = kb.review.create(users["center"], "先发布的修改", {HRSS: original + "\n先发布的一句。\n"}, submit=True)
    kb.review.approve(users["hrss-reviewer"], first.id)
    kb.review.approve(users["center2"], first.id)
    at = open_page("app_pages/my_work.py", users["hrss-reviewer"])
    assert not at.exception and at.subheader[0].value == "等待我审核（1）"
    line = next(m.value for m in at.markdown if m.value.startswith(f"**#{late.id} "))
    assert "有冲突（等作者更新）" in line and "作者 李编辑" in line
    assert any(c.value.startswith("本变更请求中的条目在它发起后已有新版本发布：作者对照新版本更新之前不能批准") for c in at.caption)


def test_the_review_page_and_the_editor_say_the_answer_expires_soon(kb, users):
    soon = kb.today() + dt.timedelta(days=24)
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n补充。\n", expires=soon)},
                          submit=True)
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    assert not at.exception
    assert f"“社会保障卡丢了怎么补办”：{EXPIRING.format(day=soon.isoformat())}" in [w.value for w in at.warning]
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.selectbox(key="editor_entry").set_value("entries/policy/city-hrss/pension-adjustment-2025.md").run()
    expires = next(d for d in at.date_input if d.key.startswith("editor_expires_"))
    expires.set_value(soon).run()
    said = [c.value for c in at.caption]
    assert f":orange[:material/event_busy: {EXPIRING.format(day=soon.isoformat())}]" in said
    expires = next(d for d in at.date_input if d.key == expires.key)
    expires.set_value(kb.today() + dt.timedelta(days=31)).run()          # beyond the 即将到期 horizon: nothing said
    assert not any("到期（还有" in c.value for c in at.caption)


def test_my_work_counts_the_units_tasks_without_the_task_page_opened_first(kb, users):
    """The 南河区 notice gives another gas repair number than the gas group's answers: nobody generated tasks yet."""
    at = open_page("app_pages/my_work.py", User("nanhe-editor", "南河编辑", "unit_editor", "district-nanhe"))
    assert not at.exception
    heading = next(s.value for s in at.subheader if s.value.startswith("本单位的维护任务"))
    assert heading != "本单位的维护任务（0）"
    assert any("［与其他单位说法不一致］核对“燃气报修电话”" in m.value for m in at.markdown)


def test_a_rejected_request_is_opened_from_my_work_and_taken_as_the_draft_of_a_new_one(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明改写", {HRSS: edited(kb, HRSS, "\n驳回前的一句。\n")}, submit=True)
    kb.review.reject(users["center"], cr.id, "请先核实办理地点")
    at = open_page("app_pages/my_work.py", users["hrss-editor"])
    assert "最近被驳回的（1）" in [s.value for s in at.subheader]
    at.button(key=f"work_rejected_{cr.id}").click().run()                  # 查看: its review page
    assert not at.exception and [t.value for t in at.title] == ["变更校核"] and at.query_params["cr"] in (str(cr.id), [str(cr.id)])
    # Comments stay possible on a request that has ended, for the record, and the page says so.
    assert at.text_area(key="review_comment").label == "评论（仅作记录）"
    assert "本变更请求已驳回，评论只记入它的记录（例如说明为什么放弃、改由哪个变更请求接续），不会重新打开它，也不会再送审。" in [
        c.value for c in at.caption]
    # Nothing is left to decide on it: no greyed decisions, its state in one line, and the way on for its author
    # first (approving it stays refused in Review whoever asks).
    keys = [b.key for b in at.button]
    assert not {"review_approve", "review_request_changes", "review_reject", "review_withdraw"} & set(keys)
    assert [i.value for i in at.info] == [f"本变更请求已驳回（张校核，{when(kb.review.get(cr.id).updated)}），审核已结束："
                                          "不能再批准、退回或驳回。要继续修改，请点“以此为底稿新建变更请求”。"]
    assert keys[:2] == ["review_redraft", "review_add_comment"] and at.button(key="review_redraft").proto.type == "primary"
    # A reviewer reads the same line, without the author's way on, and no button of a decision either.
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    assert [i.value for i in at.info][0].endswith("审核已结束：不能再批准、退回或驳回。")
    assert [b.key for b in at.button] == ["review_add_comment"]
    with pytest.raises(ReviewStateError):
        kb.review.approve(users["hrss-reviewer"], cr.id)
    at = open_page("app_pages/my_work.py", users["hrss-editor"])
    at.button(key=f"work_rejected_{cr.id}_redraft").click().run()
    assert not at.exception and [t.value for t in at.title] == ["编辑条目"]
    new = kb.review.get(cr.id + 1)
    assert (new.state, new.data) == ("draft", {"redraft_of": cr.id}) and "驳回前的一句。" in kb.store.read(HRSS, new.head)
    assert at.selectbox(key="editor_target").value == new.id
    assert any(s.value.startswith(f"已以变更请求 #{cr.id}（已驳回）为底稿新建变更请求 #{new.id}（草稿）") for s in at.success)
    # Above the form: where the draft came from, and why it was turned down, as the reviewer wrote it.
    assert f":orange[:material/history:] 本草稿以变更请求 **#{cr.id}**（已驳回）为底稿。" in [m.value for m in at.markdown]
    reason = next(c.value for c in at.caption if "驳回理由" in c.value)
    assert reason.startswith(":orange[:material/rate_review: 驳回理由（张校核，") and "请先核实办理地点" in [t.value for t in at.text]
    assert f"查看变更请求 #{cr.id}" in [link.proto.label for link in at.get("page_link")]
    # Sent again unchanged it is refused, saying why (the test's next run stays on the editor).
    at.switch_page("app_pages/editor.py").run()
    assert at.selectbox(key="editor_target").value == new.id and not at.success
    at.button(key="editor_submit").click().run()
    assert any(f"与被驳回的变更请求 #{cr.id} 内容相同，不能提交审核：请先按驳回理由修改再提交" in e.value for e in at.error)
    assert kb.review.get(new.id).state == "draft"
    # The two requests lead to each other.
    at = open_page("app_pages/review.py", users["hrss-editor"], cr=str(cr.id))
    assert f"以此为底稿新建的变更请求 #{new.id}" in [link.proto.label for link in at.get("page_link")]
    at = open_page("app_pages/review.py", users["hrss-editor"], cr=str(new.id))
    assert f"底稿变更请求 #{cr.id}" in [link.proto.label for link in at.get("page_link")]
