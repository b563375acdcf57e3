"""Where a request stands beyond approving it: one in conflict approved by nobody until its author updates it, an
answer about to expire said to whoever changes or reviews it, and a request turned down or withdrawn taken as the
draft of a new one (Review.redraft)."""

import datetime as dt

import pytest

from kb_app.exceptions import KbError, ReviewStateError

from ..review_helpers import HRSS, edited, make_users

HRSS_UNIT = "city-hrss"

WATER = "entries/policy/water-group/water-outage-notice-donghu-2026-11.md"


@pytest.fixture
def users(kb, monkeypatch):
    monkeypatch.setattr(kb, "reindex", lambda *a, **k: None)
    return make_users(kb)


def publish(kb, users, cr):
    kb.review.approve(users["hrss-reviewer"], cr.id)
    return kb.review.approve(users["center"], cr.id)


def test_a_request_in_conflict_says_why_nobody_may_approve_it_and_is_approvable_again_once_updated(kb, users):
    original = kb.store.read(HRSS)
    late = kb.review.create(users["hrss-editor"], "晚到的", {HRSS: original.replace("补卡。", "补办。")}, submit=True)
    assert kb.review.approval_refused(late) == ""
    publish(kb, users, kb.review.create(users["center2"], "先发布的", {HRSS: original + "\n先发布的一句。\n"}, submit=True))
    said = kb.review.approval_refused(late)
    assert said.startswith(f"变更请求 #{late.id} 有冲突，现在不能批准：“社会保障卡丢了怎么补办”在它发起后已有新版本发布")
    for who in ("hrss-reviewer", "center"):
        with pytest.raises(ReviewStateError) as e:
            kb.review.approve(users[who], late.id)
        assert str(e.value) == said
    assert kb.review.status(late).approvals == {}
    late = kb.review.update(users["hrss-editor"], late.id, {HRSS: kb.store.read(HRSS).replace("补卡。", "补办。")},
                            based_on=kb.store.head())
    assert kb.review.approval_refused(late) == "" and publish(kb, users, late).state == "published"


def test_an_answer_expiring_within_the_task_horizon_is_said_to_the_changes_reviewers(kb, users):
    soon = kb.today() + dt.timedelta(days=24)
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n补充。\n", expires=soon)},
                          submit=True)
    assert kb.expiring_in(cr) == {
        HRSS: f"本答复 {soon.isoformat()} 到期（还有 24 天）：如需继续有效，请一并修改有效期或准备接续版本。"}
    # An answer whose own end was left as it was is said too: publishing the change keeps that day.
    water = kb.review.create(users["center"], "停水说明", {WATER: edited(kb, WATER, "\n补充。\n")}, submit=True)
    assert kb.expiring_in(water) == {WATER: "本答复 2026-11-28 到期（还有 6 天）：如需继续有效，请一并修改有效期或准备接续版本。"}
    far = kb.review.create(users["center"], "停水延期", {WATER: edited(kb, WATER, expires=kb.today() + dt.timedelta(days=31))})
    assert kb.expiring_in(far) == {}
    assert kb.expiry_note(kb.today(), "directory") == \
        f"本条目 {kb.today().isoformat()} 到期（今天是有效的最后一天）：如需继续有效，请一并修改有效期或准备接续版本。"
    assert kb.expiry_note(kb.today() - dt.timedelta(days=1)) is None and kb.expiry_note(None) is None


def rejected(kb, users, text):
    cr = kb.review.create(users["hrss-editor"], "补卡说明改写", {HRSS: text}, submit=True, description="按来电改写")
    return kb.review.reject(users["center"], cr.id, "请先核实办理地点")


def test_a_rejected_request_is_the_draft_of_a_new_one_on_top_of_what_was_published_since(kb, users):
    original = kb.store.read(HRSS)
    old = rejected(kb, users, original.replace("请尽快办理正式挂失和补卡。", "请尽快办理正式挂失并补卡。"))
    publish(kb, users, kb.review.create(users["center2"], "先发布的", {HRSS: original + "\n先发布的一句。\n"}, submit=True))
    new = kb.review.redraft(users["hrss-editor"], old.id)
    text = kb.store.read(HRSS, new.head)
    assert "正式挂失并补卡" in text and "先发布的一句。" in text            # both: merged, nothing published taken out
    assert (new.state, new.title, new.author, new.base) == ("draft", old.title, "hrss-editor", kb.store.head())
    assert new.description == f"以变更请求 #{old.id}（已驳回）为底稿。\n\n按来电改写" and new.data == {"redraft_of": old.id}
    assert kb.review.redrafts(old.id) == [new.id] and kb.review.get(old.id).state == "rejected"
    assert [e["detail"] for e in kb.review.events(old.id) if e["action"] == "redraft"] == [f"以此为底稿新建变更请求 #{new.id}"]


def test_a_redraft_resolves_the_tasks_the_request_turned_down_was_to_resolve(kb, users):
    """An error report's task marked as resolved by a request turned down stays open; the redraft takes it on, and
    publishing the redraft closes it."""
    kb.feedback.report_error("sscard-reissue", "补卡地点写错了", "public")
    [task] = [t for t in kb.feedback.list_tasks(HRSS_UNIT) if t.entry == "sscard-reissue"]
    cr = kb.review.create(users["hrss-editor"], "补卡地点更正", {HRSS: edited(kb, HRSS, "\n补充。\n")}, submit=True,
                          data={"resolves": [task.id]})
    kb.review.reject(users["center"], cr.id, "请写明新地点")
    new = kb.review.redraft(users["hrss-editor"], cr.id)
    assert new.data == {"redraft_of": cr.id, "resolves": [task.id]}
    new = kb.review.update(users["hrss-editor"], new.id, {HRSS: edited(kb, HRSS, "\n补充：新地点。\n")})
    kb.review.submit(users["hrss-editor"], new.id)
    assert publish(kb, users, new).state == "published"
    assert kb.feedback.task(task.id).state == "closed"


def test_a_redraft_that_cannot_be_merged_is_not_made_and_says_why(kb, users):
    original = kb.store.read(HRSS)
    old = rejected(kb, users, original + "\n驳回前的一句。\n")
    publish(kb, users, kb.review.create(users["center2"], "先发布的", {HRSS: original + "\n先发布的一句。\n"}, submit=True))
    with pytest.raises(ReviewStateError) as e:
        kb.review.redraft(users["hrss-editor"], old.id)
    assert str(e.value).startswith(f"没有新建：变更请求 #{old.id} 的修改与已发布的新版本改在了同一处，无法自动合并"
                                   "（“社会保障卡丢了怎么补办”在它之后已由变更请求 #")
    assert len(kb.review.list()) == 2


def test_only_a_request_turned_down_or_withdrawn_is_redrafted(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n补充。\n")}, submit=True)
    with pytest.raises(ReviewStateError) as e:
        kb.review.redraft(users["hrss-editor"], cr.id)
    assert str(e.value) == f"变更请求 #{cr.id} 当前为“审核中”，不能以此为底稿新建变更请求：它还没有结束，请直接修改它。"
    kb.review.withdraw(users["hrss-editor"], cr.id)
    with pytest.raises(ReviewStateError) as e:
        kb.review.update(users["hrss-editor"], cr.id, {HRSS: edited(kb, HRSS, "\n再补充。\n")})
    assert "请以它为底稿新建变更请求（我的工作或审核页上的按钮，命令行 kb cr redraft）" in str(e.value)
    new = kb.review.redraft(users["hrss-editor"], cr.id)
    assert new.state == "draft" and kb.review.get(cr.id).state == "withdrawn"
    kb.review.submit(users["hrss-editor"], new.id)
    assert publish(kb, users, new).state == "published"
    with pytest.raises(KbError) as e:                                       # everything it changed is on main now
        kb.review.redraft(users["hrss-editor"], cr.id)
    assert str(e.value) == f"没有新建：变更请求 #{cr.id} 的修改已全部在现行版本中，没有要再提交的内容。"


def test_a_redraft_of_a_rejected_request_is_not_submitted_unchanged(kb, users):
    """Sent again as it was turned down, a redraft would only be turned down again: submitting refuses it, saying
    why, until the author changes something; the reasons are there to read beside it (Review.reasons)."""
    old = rejected(kb, users, edited(kb, HRSS, "\n驳回前的一句。\n"))
    new = kb.review.redraft(users["hrss-editor"], old.id)
    assert kb.review.redraft_origin(new).id == old.id and kb.review.redraft_origin(old) is None
    assert [(e["actor"], e["detail"]) for e in kb.review.reasons(old.id)] == [("center", "请先核实办理地点")]
    with pytest.raises(ReviewStateError) as e:
        kb.review.submit(users["hrss-editor"], new.id)
    assert str(e.value) == (f"变更请求 #{new.id} 与被驳回的变更请求 #{old.id} 内容相同，不能提交审核："
                            f"请先按驳回理由修改再提交（理由在变更请求 #{old.id} 的审核页上）。")
    assert kb.review.get(new.id).state == "draft"
    mended = kb.review.update(users["hrss-editor"], new.id, {HRSS: edited(kb, HRSS, "\n核实后的一句。\n")})
    assert kb.review.submit(users["hrss-editor"], mended.id).state == "in_review"
