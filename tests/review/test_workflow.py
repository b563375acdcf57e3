"""The workflow's transition table, hooks passed in, and one transaction per action."""

import re
from pathlib import Path

import pytest

from kb_app.exceptions import PermissionDenied, ReviewStateError
from kb_app.review import workflow
from kb_app.review.records import STATES, ChangeRequest, Records
from kb_app.review.workflow import ACTIONS, Hooks, Review, allows, require_state

from ..review_helpers import HRSS, edited, make_users

OPEN = {"draft", "in_review", "changes_requested", "approved", "conflicting"}
#: Which state allows which action, written out here independently of the code's table.
ALLOWED = {
    "submit": {"draft", "changes_requested"},
    "update": OPEN,
    "approve": {"in_review"},
    "request_changes": {"in_review", "approved", "conflicting"},
    "reject": {"in_review", "approved", "conflicting", "changes_requested"},
    "withdraw": OPEN,
    "publish": {"approved"},
    "redraft": {"rejected", "withdrawn"},
}
#: The refusal of each action, for a CR #7 in the state labelled {label}.
REFUSALS = {
    "submit": "变更请求 #7 当前为“{label}”，不能提交审核：只有“草稿”或“退回修改”的变更请求可以提交审核。",
    "update": "变更请求 #7 当前为“{label}”，不能更新：如需继续修改，请{update}。",
    "approve": "变更请求 #7 当前为“{label}”，不能批准：只有“审核中”的变更请求可以批准。",
    "request_changes": "变更请求 #7 当前为“{label}”，不能退回：只有“审核中”、“已批准”或“有冲突”的变更请求可以退回。",
    "reject": "变更请求 #7 当前为“{label}”，不能驳回：只有“审核中”、“已批准”、“有冲突”或“退回修改”"
              "的变更请求可以驳回。",
    "withdraw": "变更请求 #7 当前为“{label}”，不能撤回：只有“草稿”、“审核中”、“退回修改”、“已批准”或“有冲突”的变更请求可以撤回。",
    "publish": "变更请求 #7 当前为“{label}”，不能发布：{hint}。",
    "redraft": "变更请求 #7 当前为“{label}”，不能以此为底稿新建变更请求：{redraft}。",
}
#: How a request turned down or withdrawn goes on: a new one, starting from it.
UPDATE_HINTS = dict.fromkeys(("rejected", "withdrawn"), "以它为底稿新建变更请求（我的工作或审核页上的按钮，命令行 kb cr redraft）")
#: What to do instead of taking a request not ended (or published) as a new one's draft.
REDRAFT_HINTS = {"published": "它已经发布，要再修改请在编辑器中打开条目", "publishing": "它正在发布，请稍后查看结果"}
#: What publishing instead asks, by state: what is really in the way.
PUBLISH_HINTS = {
    "in_review": "需要所有审核方批准当前版本", "published": "它已经发布，无需再次发布",
    "publishing": "它正在发布，请稍后查看结果", "draft": "请先提交审核，所有审核方批准当前版本后才能发布",
    "changes_requested": "请按审核意见修改后重新提交，所有审核方批准后才能发布",
    "conflicting": "它与主干上的新改动冲突：请更新后重新审核",
    "withdrawn": "如仍需修改，请以它为底稿新建变更请求", "rejected": "如仍需修改，请以它为底稿、按驳回意见新建变更请求",
}


def refusal(action: str, state: str) -> str:
    return REFUSALS[action].format(label=STATES[state], hint=PUBLISH_HINTS.get(state, ""),
                                   update=UPDATE_HINTS.get(state, "新建变更请求"),
                                   redraft=REDRAFT_HINTS.get(state, "它还没有结束，请直接修改它"))


def cr_in(state: str) -> ChangeRequest:
    return ChangeRequest(7, "t", "a", "", "change", state, "b", "h", "cr/7", "", "", None, None, {}, "", [], [], True)


def test_the_table_has_every_action_and_only_known_states():
    assert set(ACTIONS) == set(ALLOWED)
    assert all(set(a.states) <= set(STATES) for a in ACTIONS.values())


def test_the_readme_lists_the_same_table():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^  \| (\S+) \| ([^|]+) \|$", readme, re.M))
    assert {ACTIONS[a].verb: "、".join(STATES[s] for s in ACTIONS[a].states) for a in ACTIONS} == \
        {verb: rows.get(verb, "").strip() for verb in (a.verb for a in ACTIONS.values())}


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("state", sorted(STATES))
def test_every_state_and_action_is_allowed_or_refused_with_the_message(state, action):
    assert allows(state, action) == (state in ALLOWED[action])
    if state in ALLOWED[action]:
        require_state(cr_in(state), action)
    else:
        with pytest.raises(ReviewStateError) as e:
            require_state(cr_in(state), action)
        assert str(e.value) == refusal(action, state)


@pytest.fixture
def users(kb, monkeypatch):
    monkeypatch.setattr(kb, "reindex", lambda *a, **k: None)
    return make_users(kb)


def new_cr(review, users, suffix="\n补充说明。\n"):
    return review.create(users["hrss-editor"], "修改补卡说明", {HRSS: edited(review.kb, HRSS, suffix)}, submit=True)


@pytest.mark.parametrize("action, who, args", [
    ("submit", "hrss-editor", ()), ("update", "hrss-editor", ("CHANGES",)), ("approve", "center", ()),
    ("request_changes", "center", ("依据不足",)), ("reject", "center", ("依据不足",)),
    ("withdraw", "hrss-editor", ()), ("publish", "center", ())])
def test_each_action_refuses_a_withdrawn_cr_with_the_tables_message(kb, users, action, who, args):
    cr = new_cr(kb.review, users)
    kb.review.withdraw(users["hrss-editor"], cr.id)
    args = tuple({HRSS: edited(kb, HRSS, "x\n")} if a == "CHANGES" else a for a in args)
    with pytest.raises(ReviewStateError) as e:
        getattr(kb.review, action)(users[who], cr.id, *args)
    assert str(e.value) == refusal(action, "withdrawn").replace("#7", f"#{cr.id}")


def test_a_bare_review_has_the_facades_hooks(kb):
    hooks = Review(kb).hooks
    assert hooks == kb.review.hooks == kb.review_hooks()
    names = [h.__module__ + "." + h.__name__ for h in hooks.on_publish]
    assert names == ["kb_app.usage.feedback.after_publish", "kb_app.review.reverify.after_publish",
                     "kb_app.dispatch.history.after_publish", "kb_app.usage.suggest.after_publish",
                     "kb_app.web.follow.notify_replicas"]
    assert not hasattr(workflow, "on_publish")      # no module state left to patch


def test_hooks_passed_in_run_instead_of_the_facades(kb, users):
    seen = []
    review = Review(kb, Hooks(on_publish=(lambda k, cr, commit: seen.append((cr.id, commit)),)))
    kb.feedback.report_error("sscard-reissue", "电话变了", "agent")
    task = kb.feedback.list_tasks("city-hrss")[0].id
    cr = review.create(users["hrss-editor"], "改电话", {HRSS: edited(kb, HRSS, "\n新电话。\n")}, submit=True,
                       data={"resolves": [task]})
    review.approve(users["hrss-reviewer"], cr.id)
    review.approve(users["center"], cr.id)
    assert seen == [(cr.id, kb.store.head())]
    assert kb.feedback.task(task).state == "open"        # feedback's hook was not passed in


def test_a_failing_on_publish_hook_does_not_undo_the_publication(kb, users):
    def boom(*args):
        raise RuntimeError("hook failed")

    seen = []
    review = Review(kb, Hooks(on_publish=(boom, lambda k, cr, commit: seen.append(cr.state))))
    cr = new_cr(review, users)
    review.approve(users["hrss-reviewer"], cr.id)
    assert review.approve(users["center"], cr.id).state == "published"
    assert seen == ["published"]


def test_commit_followups_add_a_commit_on_top(kb, users):
    other = "entries/policy/city-hrss/labor-contract-basics.md"
    calls = []

    def followup(k, base, head):
        calls.append((base, head))
        return {other: edited(kb, other, "\n随之改写。\n")}

    review = Review(kb, Hooks(commit_followups=(followup,)))
    cr = new_cr(review, users)
    (base, first), = calls
    assert base == cr.base and kb.store.rev(f"{cr.head}^1") == first
    assert "随之改写。" in kb.store.read(other, cr.head) and "补充说明。" in kb.store.read(HRSS, cr.head)
    assert review.status(cr).touched == {HRSS: "M", other: "M"}


def test_covered_paths_need_no_approval_of_their_own(kb, users):
    review = Review(kb, Hooks(covered_paths=(lambda k, base, head, old, new: {HRSS},)))
    cr = new_cr(review, users)
    assert review.status(cr).required == ["center"]
    assert Review(kb, Hooks()).status(cr).required == ["center", "unit:city-hrss"]


def test_an_approval_is_one_transaction(kb, users, monkeypatch):
    cr = new_cr(kb.review, users)

    def fail(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Records, "event", fail)
    with pytest.raises(RuntimeError):
        kb.review.approve(users["hrss-reviewer"], cr.id, "内容准确")
    monkeypatch.undo()
    assert kb.review.approvals(cr.id) == [] and kb.review.comments(cr.id) == []
    assert kb.review.approve(users["hrss-reviewer"], cr.id).state == "in_review"


def test_a_stale_read_is_refused_inside_the_transaction(kb, users):
    cr = new_cr(kb.review, users)
    kb.review.withdraw(users["hrss-editor"], cr.id)
    with pytest.raises(ReviewStateError) as e, kb.review.acting_on(cr, "approve"):
        pass
    assert str(e.value) == REFUSALS["approve"].replace("#7", f"#{cr.id}").format(label="已撤回")


def test_only_the_author_or_an_admin_withdraws(kb, users):
    cr = new_cr(kb.review, users)
    with pytest.raises(PermissionDenied) as e:
        kb.review.withdraw(users["center"], cr.id)
    assert str(e.value) == f"只有作者（hrss-editor）或管理员可以撤回变更请求 #{cr.id}。"
    assert kb.review.withdraw(users["admin"], cr.id).state == "withdrawn"
