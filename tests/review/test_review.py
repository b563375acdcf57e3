"""Change requests: permissions, the state machine, stale approvals, conflicts, publishing and git branches."""

import datetime as dt
import multiprocessing
import time
from pathlib import Path

import pytest

from kb_app import load_settings, open_kb
from kb_app.review.workflow import Hooks, Review
from kb_app.exceptions import KbError, PermissionDenied, PublishConflict, ReviewStateError
from kb_app.labels import when

from ..conftest import TODAY
from ..review_helpers import HOTLINE, HRSS, PASSWORD, ROAD, add_directory_entry, directory_text, edited, make_users


@pytest.fixture
def users(kb):
    return make_users(kb)


@pytest.fixture(autouse=True)
def reindex_calls(kb, request, monkeypatch):
    """Publishing updates the search index; building it is kb_app.search.index's business (and slow), so
    tests other than the search one record the call instead."""
    calls = []
    if "searchable" not in request.node.name:
        monkeypatch.setattr(kb, "reindex", lambda *a, **k: calls.append(kb.store.head()))
    return calls


def new_cr(kb, users, author="hrss-editor", path=HRSS, suffix="\n补充说明。\n", submit=True, **meta):
    return kb.review.create(users[author], "修改补卡说明", {path: edited(kb, path, suffix, **meta)}, submit=submit)


def test_edit_approved_by_owner_and_center_is_published_with_trailers(kb, users, reindex_calls):
    cr = new_cr(kb, users)
    assert (cr.state, cr.branch, cr.valid) == ("in_review", f"cr/{cr.id}", True)
    assert kb.store.read(HRSS) != kb.store.read(HRSS, cr.head)
    cr = kb.review.approve(users["hrss-reviewer"], cr.id, "内容准确")
    assert cr.state == "in_review"
    cr = kb.review.approve(users["center"], cr.id)
    assert cr.state == "published"
    assert kb.store.head() == cr.published_commit
    assert "补充说明。" in kb.store.read(HRSS)
    version = kb.store.history(HRSS)[0]
    assert version.commit == cr.published_commit
    assert version.trailers == {"Change-Request": [str(cr.id)],
                                "Reviewed-by": ["张校核 <热线中心校核>", "王审核 <示例市人力资源和社会保障局>"]}
    assert version.author == "李编辑"
    assert reindex_calls == [cr.published_commit]
    actions = [(e["actor"], e["action"]) for e in kb.review.events(cr.id)]
    assert actions == [("hrss-editor", "create"), ("hrss-editor", "submit"), ("hrss-reviewer", "approve"),
                       ("center", "approve"), ("center", "publish")]
    assert all(e["at"].startswith(TODAY) for e in kb.review.events(cr.id))
    assert [c["body"] for c in kb.review.comments(cr.id)] == ["内容准确"]


def test_published_text_is_searchable(kb, users):
    kb.reindex()
    cr = new_cr(kb, users, suffix="\n新增内容：补卡可以在自助终端办理紫藤萝。\n")
    kb.review.approve(users["hrss-reviewer"], cr.id)
    kb.review.approve(users["center"], cr.id)
    results = kb.search("紫藤萝", audience="public")
    assert [h.id for h in results.hits] == ["sscard-reissue"]
    assert results.commit == kb.store.head()


def test_self_approval_is_refused(kb, users):
    cr = kb.review.create(users["center"], "修改隐私说明", {HOTLINE: edited(kb, HOTLINE, "\n补充。\n")}, submit=True)
    with pytest.raises(PermissionDenied) as e:
        kb.review.approve(users["center"], cr.id)
    assert str(e.value) == f"您是变更请求 #{cr.id} 的作者，不能批准自己的变更：请由其他审核人审核。"
    kb.review.approve(users["center2"], cr.id)
    assert kb.review.status(kb.review.get(cr.id)).missing == ["unit:hotline-center"]


def test_unit_editor_cannot_propose_for_another_unit(kb, users):
    with pytest.raises(PermissionDenied) as e:
        new_cr(kb, users, author="housing-editor")
    assert str(e.value) == f"“{HRSS}”属于 city-hrss，您所在单位（city-housing）不能修改：请联系该单位的编辑。"
    with pytest.raises(PermissionDenied) as e:
        kb.review.create(users["hrss-editor"], "改单位", {"regulations/units.yaml": "[]\n"})
    assert str(e.value) == "单位编辑不能修改“regulations/units.yaml”：regulations/ 下的条例与配置只能由热线中心或法制审核人员发起变更。"
    with pytest.raises(PermissionDenied) as e:
        kb.review.create(users["hrss-editor"], "抢条目", {"entries/policy/city-housing/x.md": edited(kb, HRSS)})
    assert "city-housing" in str(e.value)
    assert kb.review.list() == []


def test_unit_editor_may_propose_for_directory_entries_it_handles(kb, users):
    add_directory_entry(kb, handler="city-urban-management", co=("district-donghu",))
    objection = directory_text(handler="city-urban-management", co=())
    cr = kb.review.create(users["um-editor"], "职责异议", {ROAD: objection}, kind="objection", data={"task": 7}, submit=True)
    assert (cr.kind, cr.data) == ("objection", {"task": 7})
    assert kb.review.status(cr).required == ["center", "unit:city-urban-management", "unit:district-donghu"]
    with pytest.raises(PermissionDenied) as e:
        kb.review.create(users["housing-editor"], "不相干", {ROAD: objection})
    assert str(e.value) == f"您所在单位（city-housing）既不维护也不承办“{ROAD}”，不能发起对它的变更：请联系热线中心。"


@pytest.mark.parametrize("who, message", [
    ("legal", "您（法制审核）不属于变更请求 #{id} 所需的审核方（热线中心校核、示例市人力资源和社会保障局），不能批准。"),
    ("admin", "您（管理员）不属于变更请求 #{id} 所需的审核方（热线中心校核、示例市人力资源和社会保障局），不能批准。"),
    ("hotline-reviewer", "您（单位审核人·示例市12345市民服务热线中心）不属于变更请求 #{id} 所需的审核方（热线中心校核、示例市人力资源和社会保障局），不能批准。"),
])
def test_reviewer_cannot_approve_for_a_party_they_do_not_belong_to(kb, users, who, message):
    cr = new_cr(kb, users)
    with pytest.raises(PermissionDenied) as e:
        kb.review.approve(users[who], cr.id)
    assert str(e.value) == message.format(id=cr.id)


def test_an_editor_of_the_unit_is_told_that_its_reviewers_approve(kb, users):
    cr = new_cr(kb, users)
    colleague = kb.users.add("hrss-editor2", "吴编辑", PASSWORD, "unit_editor", "city-hrss", "x@example.invalid")
    with pytest.raises(PermissionDenied) as e:
        kb.review.approve(colleague, cr.id)
    assert str(e.value) == (f"您是单位编辑·示例市人力资源和社会保障局，不是审核人：“示例市人力资源和社会保障局”一方由本单位的审核人"
                            f"批准变更请求 #{cr.id}，请联系本单位的审核人。")


def test_explicit_party_must_be_the_reviewers(kb, users):
    cr = new_cr(kb, users)
    with pytest.raises(PermissionDenied) as e:
        kb.review.approve(users["center"], cr.id, party="unit:city-hrss")
    assert str(e.value) == "您（热线中心校核）不属于审核方“示例市人力资源和社会保障局”，不能代其批准。"


def test_disabled_reviewer_cannot_approve(kb, users):
    cr = new_cr(kb, users)
    kb.users.set_disabled("center")
    with pytest.raises(PermissionDenied) as e:
        kb.review.approve(users["center"], cr.id)
    assert str(e.value) == "账号“center”已停用：如需恢复，请联系管理员。"


def test_a_new_commit_dismisses_earlier_approvals(kb, users):
    cr = new_cr(kb, users)
    kb.review.approve(users["hrss-reviewer"], cr.id)
    first_head = cr.head
    cr = kb.review.update(users["hrss-editor"], cr.id, {HRSS: edited(kb, HRSS, "\n第二版。\n")})
    assert cr.head != first_head and cr.state == "in_review"
    status = kb.review.status(cr)
    assert status.approvals == {} and status.missing == ["center", "unit:city-hrss"]
    assert [a["dismissed"] for a in kb.review.approvals(cr.id)] == [1]
    assert kb.review.events(cr.id)[-1]["action"] == "invalidate"
    kb.review.approve(users["center"], cr.id)
    assert kb.review.get(cr.id).state == "in_review"   # the unit must approve the new version again
    kb.review.approve(users["hrss-reviewer"], cr.id)
    assert "第二版。" in kb.store.read(HRSS)


def test_an_approval_is_of_the_version_the_reviewer_saw(kb, users):
    cr = new_cr(kb, users)
    seen = cr.head
    kb.review.approve(users["center"], cr.id)
    cr = kb.review.update(users["hrss-editor"], cr.id, {HRSS: edited(kb, HRSS, "\n加急制卡收取50元。\n")})
    kb.review.approve(users["center"], cr.id)                      # the centre read the new version
    with pytest.raises(ReviewStateError) as e:
        kb.review.approve(users["hrss-reviewer"], cr.id, seen=seen)  # the unit's page still showed the first
    saved = [e for e in kb.review.events(cr.id) if e["action"] == "update"][-1]
    assert saved["commit"] == cr.head
    assert str(e.value) == (f"变更请求 #{cr.id} 在您查看之后又有了新的修改（李编辑于 {when(saved['at'])} 提交），"
                            "这次没有批准：批准只对您看过的版本有效。请先查看最新内容再审核。")
    assert seen[:7] not in str(e.value) and cr.head[:7] not in str(e.value)     # no commit ids said to people
    assert "50元" not in kb.store.read(HRSS) and kb.review.status(kb.review.get(cr.id)).missing == ["unit:city-hrss"]
    kb.review.approve(users["hrss-reviewer"], cr.id, seen=cr.head[:7])  # the first characters name it too
    assert "50元" in kb.store.read(HRSS)


def test_only_the_author_updates(kb, users):
    cr = new_cr(kb, users)
    with pytest.raises(PermissionDenied) as e:
        kb.review.update(users["center"], cr.id, {HRSS: edited(kb, HRSS, "x")})
    assert str(e.value) == f"只有作者（hrss-editor）可以更新变更请求 #{cr.id}：请在评论中提出修改意见。"


def test_deletion_needs_the_same_approvals_as_edits(kb, users):
    cr = kb.review.create(users["hrss-editor"], "删除", {HRSS: None}, submit=True)
    assert kb.review.status(cr).required == ["center", "unit:city-hrss"] and not kb.review.status(cr).one_of
    kb.review.approve(users["center"], cr.id)
    assert kb.store.read(HRSS) is not None
    kb.review.approve(users["hrss-reviewer"], cr.id)
    assert kb.review.get(cr.id).state == "published" and kb.store.read(HRSS) is None


@pytest.mark.parametrize("author, reviewer", [("hrss-editor", "center"), ("hrss-editor", "hrss-reviewer"),
                                              ("center", "hrss-reviewer")])
def test_withdrawing_an_answer_needs_one_party_of_the_policy(kb, users, author, reviewer):
    """A wrong answer comes off the public site with one approval (review_policy.yaml: withdrawal), the
    author's own party never counting; its correction is then reviewed as any change."""
    yesterday = kb.today() - dt.timedelta(days=1)
    cr = kb.review.create(users[author], "紧急下线", {HRSS: edited(kb, HRSS, expires=yesterday)}, submit=True)
    status = kb.review.status(cr)
    assert status.required == ["center", "unit:city-hrss"] and status.one_of and status.missing == status.required
    assert kb.review.would_publish(users[reviewer], cr, status)
    kb.review.approve(users[reviewer], cr.id)
    assert kb.review.get(cr.id).state == "published" and f"expires: {yesterday}" in kb.store.read(HRSS)


@pytest.mark.parametrize("change", ["body", "later", "other field"])
def test_a_change_that_does_more_than_withdraw_needs_every_party(kb, users, change):
    yesterday = kb.today() - dt.timedelta(days=1)
    text = {"body": edited(kb, HRSS, "\n另加一句。\n", expires=yesterday),
            "later": edited(kb, HRSS, expires=kb.today()),                    # in force today: nothing urgent
            "other field": edited(kb, HRSS, expires=yesterday, title="补卡")}[change]
    cr = kb.review.create(users["hrss-editor"], "停用", {HRSS: text}, submit=True)
    assert not kb.review.status(cr).one_of
    kb.review.approve(users["center"], cr.id)
    assert kb.review.get(cr.id).state == "in_review"


def test_directory_deletion_needs_every_handler(kb, users):
    add_directory_entry(kb, handler="city-urban-management", co=("district-donghu", "district-xishan"))
    cr = kb.review.create(users["center"], "删除目录", {ROAD: None}, submit=True)
    for who in ("um-reviewer", "dh-reviewer", "center2"):
        kb.review.approve(users[who], cr.id)
        assert kb.review.get(cr.id).state == "in_review"
    kb.review.approve(users["xs-reviewer"], cr.id)
    assert kb.review.get(cr.id).state == "published" and kb.store.read(ROAD) is None


def test_a_cr_that_does_not_validate_cannot_be_approved(kb, users):
    # Submitted, it stays a draft: reviewers receive only what validates.
    draft = new_cr(kb, users, audience="everyone")
    assert draft.state == "draft" and not draft.valid
    with pytest.raises(ReviewStateError, match="未通过校验，不能提交审核"):
        kb.review.submit(users["hrss-editor"], draft.id)
    # An update in review that does not validate cannot be approved.
    cr = new_cr(kb, users)
    cr = kb.review.update(users["hrss-editor"], cr.id, {HRSS: edited(kb, HRSS, "\n补充说明。\n", audience="everyone")})
    assert cr.state == "in_review" and not cr.valid
    assert cr.problems == [f"{HRSS}:7: 字段 audience：受众“everyone”无效，在改正之前公众看不到该条目。"
                           "修改方法：改为 public（公众可见）或 internal（仅坐席可见）。"]
    with pytest.raises(ReviewStateError) as e:
        kb.review.approve(users["center"], cr.id)
    assert str(e.value) == f"变更请求 #{cr.id} 未通过校验，不能批准：请作者先修正以下问题——\n{cr.problems[0]}"
    cr = kb.review.update(users["hrss-editor"], cr.id, {HRSS: edited(kb, HRSS, "\n改好了。\n")})
    assert cr.valid and cr.problems == []


def test_two_crs_on_one_entry_second_is_conflicting_and_nothing_is_overwritten(kb, users):
    first = new_cr(kb, users, suffix="\n第一份修改。\n")
    second = kb.review.create(users["center"], "另一处修改", {HRSS: edited(kb, HRSS, "\n第二份修改。\n")}, submit=True)
    kb.review.approve(users["hrss-reviewer"], second.id)
    kb.review.approve(users["hrss-reviewer"], first.id)
    kb.review.approve(users["center"], first.id)
    published = kb.store.head()
    with pytest.raises(ReviewStateError) as e:               # the last approval would be refused publishing
        kb.review.approve(users["center2"], second.id)
    assert "有冲突，现在不能批准：“社会保障卡丢了怎么补办”在它发起后已有新版本发布，作者须先对照已发布的版本更新它" in str(e.value)
    second = kb.review.get(second.id)
    assert second.state == "in_review" and kb.review.status(second).conflicts == [HRSS]
    assert kb.store.head() == published
    assert "第一份修改。" in kb.store.read(HRSS) and "第二份修改。" not in kb.store.read(HRSS)
    assert "第二份修改。" in kb.store.read(HRSS, second.head)
    files = kb.review.files(second)
    assert files[0].conflicting and "第一份修改。" in files[0].main and "第二份修改。" in files[0].new
    with pytest.raises(ReviewStateError) as e:
        kb.review.update(users["center"], second.id, {"entries/policy/hotline-center/hotline-privacy.md": edited(kb, HOTLINE, "x")})
    assert str(e.value) == (f"以下文件在本变更请求创建后已在主干上被修改：{HRSS}。"
                            "请对照主干上的现行版本，在这次更新中给出这些文件的最终内容。")
    second = kb.review.get(second.id)
    assert (second.state, second.conflicts) == ("conflicting", [HRSS])
    merged = edited(kb, HRSS, "\n第二份修改。\n")                  # built on main's current text
    second = kb.review.update(users["center"], second.id, {HRSS: merged})
    assert second.base == published and second.state == "in_review" and kb.review.status(second).approvals == {}
    kb.review.approve(users["hrss-reviewer"], second.id)
    kb.review.approve(users["center2"], second.id)
    text = kb.store.read(HRSS)
    assert "第一份修改。" in text and "第二份修改。" in text


def test_crs_on_different_files_both_publish(kb, users):
    a = new_cr(kb, users)
    b = kb.review.create(users["center"], "隐私", {HOTLINE: edited(kb, HOTLINE, "\n补充。\n")}, submit=True)
    for cr, reviewers in ((a, ("hrss-reviewer", "center")), (b, ("hotline-reviewer", "center2"))):
        for who in reviewers:
            kb.review.approve(users[who], cr.id)
    assert [kb.review.get(c.id).state for c in (a, b)] == ["published", "published"]
    assert "补充说明。" in kb.store.read(HRSS) and "补充。" in kb.store.read(HOTLINE)


def test_the_policy_in_force_is_the_one_on_main(kb, users):
    relaxed = kb.store.read("regulations/review_policy.yaml").replace("require: [owner, center]", "require: [center]")
    policy_cr = kb.review.create(users["center"], "放宽审核规则", {"regulations/review_policy.yaml": relaxed}, submit=True)
    assert kb.review.status(policy_cr).required == ["center", "legal"]
    edit = new_cr(kb, users)
    assert kb.review.status(edit).required == ["center", "unit:city-hrss"]
    kb.review.approve(users["legal"], policy_cr.id)
    kb.review.approve(users["center2"], policy_cr.id)
    assert kb.review.get(policy_cr.id).state == "published"
    assert kb.review.status(kb.review.get(edit.id)).required == ["center"]


@pytest.mark.parametrize("action, state, verb", [("request_changes", "changes_requested", "退回"), ("reject", "rejected", "驳回")])
def test_decline_needs_a_comment_from_a_party(kb, users, action, state, verb):
    cr = new_cr(kb, users)
    with pytest.raises(KbError) as e:
        getattr(kb.review, action)(users["center"], cr.id, " ")
    assert str(e.value) == f"请填写{verb}意见：说明需要修改什么、为什么。"
    with pytest.raises(PermissionDenied):
        getattr(kb.review, action)(users["hrss-editor"], cr.id, "作者自己")
    cr = getattr(kb.review, action)(users["center"], cr.id, "依据不足")
    assert cr.state == state
    assert kb.review.comments(cr.id)[-1]["body"] == "依据不足"


def test_returned_cr_is_updated_and_resubmitted(kb, users):
    cr = kb.review.create(users["hrss-editor"], "草稿", {HRSS: edited(kb, HRSS, "x\n")})
    assert cr.state == "draft"
    with pytest.raises(ReviewStateError) as e:
        kb.review.approve(users["center"], cr.id)
    assert str(e.value) == f"变更请求 #{cr.id} 当前为“草稿”，不能批准：只有“审核中”的变更请求可以批准。"
    cr = kb.review.submit(users["hrss-editor"], cr.id)
    cr = kb.review.request_changes(users["center"], cr.id, "请补充依据")
    cr = kb.review.update(users["hrss-editor"], cr.id, {HRSS: edited(kb, HRSS, "y\n")})
    assert cr.state == "in_review"


def test_withdraw(kb, users):
    cr = new_cr(kb, users)
    with pytest.raises(PermissionDenied):
        kb.review.withdraw(users["center"], cr.id)
    assert kb.review.withdraw(users["hrss-editor"], cr.id).state == "withdrawn"
    with pytest.raises(ReviewStateError) as e:
        kb.review.withdraw(users["hrss-editor"], cr.id)
    assert str(e.value) == (f"变更请求 #{cr.id} 当前为“已撤回”，不能撤回：只有“草稿”、“审核中”、“退回修改”、“已批准”"
                            "或“有冲突”的变更请求可以撤回。")


def test_no_change_is_refused(kb, users):
    with pytest.raises(KbError) as e:
        kb.review.create(users["hrss-editor"], "无改动", {HRSS: kb.store.read(HRSS)})
    assert str(e.value) == "没有任何改动：所提交的内容与主干上的现行版本相同，无需发起变更请求。"


def test_on_publish_hooks_receive_the_cr_and_commit(kb, users):
    seen = []
    review = Review(kb, Hooks(on_publish=(lambda k, cr, commit: seen.append((k, cr.id, cr.state, commit)),)))
    cr = new_cr(kb, users)
    review.approve(users["hrss-reviewer"], cr.id)
    review.approve(users["center"], cr.id)
    assert seen == [(kb, cr.id, "published", kb.store.head())]


def test_restore_an_old_version_as_a_new_cr(kb, users):
    original = kb.store.head()
    cr = new_cr(kb, users)
    kb.review.approve(users["hrss-reviewer"], cr.id)
    kb.review.approve(users["center"], cr.id)
    restore = kb.review.restore(users["hrss-editor"], HRSS, original)
    assert (restore.kind, restore.state, restore.data) == ("restore", "in_review", {"path": HRSS, "commit": original})
    assert kb.store.read(HRSS, restore.head) == kb.store.read(HRSS, original)


def test_git_pushed_branch_becomes_a_cr(kb, users):
    text = edited(kb, HRSS, "\n用 git 修改。\n")
    kb.store.write_change("cr/42", {HRSS: text}, "用 git 修改补卡说明", author="李四 <hrss-editor@example.invalid>")
    kb.store.write_change("cr/fix-typo", {HRSS: text}, "外部修改", author="外人 <who@else.invalid>")
    kb.review.sync()
    crs = {c.branch: c for c in kb.review.list()}
    assert (crs["cr/42"].id, crs["cr/42"].author, crs["cr/42"].state, crs["cr/42"].title) == (42, "hrss-editor", "in_review", "用 git 修改补卡说明")
    assert crs["cr/fix-typo"].author == "外人 <who@else.invalid>" and crs["cr/fix-typo"].id == 43
    with pytest.raises(PermissionDenied):
        kb.review.approve(users["hrss-editor"], 42)
    kb.review.approve(users["hrss-reviewer"], 42)
    # a later push is an update: the approval given before it no longer counts
    kb.store.write_change("cr/42", {HRSS: text + "再改。\n"}, "再改", author="李四 <hrss-editor@example.invalid>")
    cr = kb.review.get(42, sync=True)
    assert kb.review.status(cr).approvals == {}
    assert kb.review.create(users["hrss-editor"], "下一个", {HRSS: edited(kb, HRSS, "z\n")}).id == 44


def test_git_pushed_branch_outside_the_authors_unit_is_rejected(kb, users):
    kb.store.write_change("cr/50", {HRSS: edited(kb, HRSS, "x\n")}, "越权", author="吴 <housing-editor@example.invalid>")
    kb.review.sync()
    cr = kb.review.get(50)
    assert cr.state == "rejected"
    assert "无权发起" in kb.review.events(50)[0]["detail"]


def test_a_pushed_branch_changing_files_outside_the_content_is_shown_and_never_published(kb, users):
    """A settings file (kb.toml) or anything else beside entries/ and regulations/ is named to the
    reviewers as a problem, which blocks approval; publishing never carries such a file to main."""
    main = kb.store.head()
    kb.store.write_change("cr/60", {HRSS: edited(kb, HRSS, "x\n"), "kb.toml": 'metrics_from = "*"\n',
                                    "README.txt": "x\n"},
                          "补卡说明", author="李四 <hrss-editor@example.invalid>")
    kb.review.sync()
    cr = kb.review.get(60)
    assert cr.state == "in_review" and not cr.valid
    assert any("内容目录" in p and "README.txt、kb.toml" in p for p in cr.problems)
    with pytest.raises(KbError):
        kb.review.approve(users["hrss-reviewer"], 60)
    # Publishing itself takes only the content the change touches, even when main has not moved.
    commit = kb.store.publish(cr.head, main, "发布")
    assert kb.store.read(HRSS, commit) == kb.store.read(HRSS, cr.head)
    assert kb.store.paths_outside_content(main, commit) == []


def _publish_in_process(root, data_dir, username, cr_id, go):
    kb = open_kb(load_settings(root=root, data_dir=data_dir, today=TODAY))
    while not Path(go).exists():
        time.sleep(0.005)
    try:
        return "ok", kb.review.publish(kb.users.get(username), cr_id)
    except (PublishConflict, ReviewStateError) as e:
        return type(e).__name__, str(e)


def _race(kb, jobs, tmp_path):
    go = tmp_path / "go"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(len(jobs)) as pool:
        results = [pool.apply_async(_publish_in_process, (str(kb.settings.root), str(kb.settings.data_path), u, c, str(go)))
                   for u, c in jobs]
        time.sleep(1.0)
        go.write_text("go")
        return [r.get(timeout=120) for r in results]


def test_publishing_the_same_cr_from_two_processes(kb, users, tmp_path):
    cr = new_cr(kb, users)
    kb.review.approve(users["hrss-reviewer"], cr.id)
    kb.review.approve(users["center"], cr.id, publish=False)
    base = kb.store.head()
    results = _race(kb, [("center", cr.id), ("hrss-reviewer", cr.id)], tmp_path)
    assert sorted(r[0] for r in results) == ["ReviewStateError", "ok"]
    refused = next(r for r in results if r[0] != "ok")
    assert refused[1] in (f"变更请求 #{cr.id} 正在由他人发布或刚被更新：请刷新后查看其状态。",
                          f"变更请求 #{cr.id} 当前为“发布中”，不能发布：它正在发布，请稍后查看结果。",
                          f"变更请求 #{cr.id} 当前为“已发布”，不能发布：它已经发布，无需再次发布。")
    assert kb.review.get(cr.id).state == "published"
    assert kb.store.git("rev-list", "--count", f"{base}..main").strip() == "2"   # one merge (plus the CR commit)


def test_publishing_two_crs_on_one_base_from_two_processes(kb, users, tmp_path):
    a = new_cr(kb, users, suffix="\n甲。\n")
    b = kb.review.create(users["center"], "乙", {HRSS: edited(kb, HRSS, "\n乙。\n")}, submit=True)
    for cr, second in ((a, "center"), (b, "center2")):
        kb.review.approve(users["hrss-reviewer"], cr.id)
        kb.review.approve(users[second], cr.id, publish=False)
    results = _race(kb, [("center", a.id), ("center2", b.id)], tmp_path)
    assert sorted(r[0] for r in results) == ["PublishConflict", "ok"]
    states = sorted(kb.review.get(c.id).state for c in (a, b))
    assert states == ["conflicting", "published"]
    winner = a if kb.review.get(a.id).state == "published" else b
    assert kb.store.read(HRSS) == kb.store.read(HRSS, winner.head)


def test_a_change_valid_alone_but_not_with_the_new_main_is_not_published(kb):
    """Main moved on other files since the CR's base: the merged result is validated before main moves."""
    users = make_users(kb)
    new_path = "entries/policy/city-hrss/cites-last-article.md"
    text = ("---\nid: cites-last-article\nkind: policy\ntitle: 引用最后一条\nunit: city-hrss\naudience: public\n"
            "basis:\n  - {regulation: baoding-2022, article: 43}\n---\n正文。\n")
    cr = kb.review.create(users["hrss-editor"], "新增答复", {new_path: text}, submit=True)
    # Meanwhile the regulation loses its last article on main (another, already reviewed change).
    reg = "regulations/texts/baoding-2022.md"
    old = kb.store.read(reg)
    shorter = old[: old.index("## 第四十三条")]
    base = kb.store.head()
    head = kb.store.write_change("side/regulation", {reg: shorter}, "删除第四十三条", base=base)
    kb.store.publish(head, base, "删除第四十三条")
    main = kb.store.head()
    kb.review.approve(users["hrss-reviewer"], cr.id)
    cr = kb.review.approve(users["center"], cr.id)  # the last approval tries to publish
    assert kb.store.head() == main
    assert new_path not in kb.snapshot().files
    assert cr.state == "conflicting" and any("第四十三条" in p for p in cr.problems)
    with pytest.raises(ReviewStateError, match="不能发布"):
        kb.review.publish(users["center"], cr.id)
    events = [e for e in kb.review.events(cr.id) if e["action"] == "conflict"]
    assert "第四十三条" in events[-1]["detail"]


def interrupted(kb, cr, moved_main: bool):
    """Leave a CR as a process that died after claiming it would: state 'publishing', maybe main moved."""
    db = kb.db()
    if moved_main:
        status = kb.review.status(cr)
        kb.store.publish(cr.head, cr.base, kb.review.publish_message(cr, status))
    db["change_requests"].update(cr.id, {"state": "publishing", "updated": "2026-11-21T00:00:00"})


@pytest.mark.parametrize("moved_main, expected", [(False, "approved"), (True, "published")])
def test_an_interrupted_publication_is_settled_from_main(kb, users, moved_main, expected):
    cr = new_cr(kb, users)
    cr = kb.review.approve(users["hrss-reviewer"], cr.id)
    cr = kb.review.approve(users["center"], cr.id, publish=False)
    assert cr.state == "approved"
    interrupted(kb, cr, moved_main)
    assert kb.review.recover_interrupted() == [cr.id]
    cr = kb.review.get(cr.id)
    assert cr.state == expected
    if moved_main:
        assert cr.published_commit == kb.store.head()
    else:
        assert kb.review.publish(users["center"], cr.id) == kb.store.head()
    assert kb.review.recover_interrupted() == []


def test_a_missing_request_or_entry_is_told_without_naming_a_command(kb):
    """The staff app shows these messages too: they say what to do in words both the page and the CLI offer."""
    from kb_app.exceptions import KbError

    with pytest.raises(KbError) as cr:
        kb.review.get(9999)
    with pytest.raises(KbError) as entry:
        kb.entry("no-such-entry")
    assert str(cr.value) == "变更请求 #9999 不存在：请检查编号，或在变更请求列表中查看全部变更请求。"
    assert str(entry.value) == "条目“no-such-entry”不存在：请检查编号，或按标题检索该条目。"
