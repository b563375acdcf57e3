"""AppTest of what the pages say of who a request waits for (parties no account can approve for), of the
comments its author has not seen yet (我的工作), and of mending a request in conflict from 我的工作."""

import pytest

from ..review_helpers import HRSS, edited, make_users
from ..ui_helpers import open_page

MEDICAL = "entries/policy/city-medical-security/medical-out-of-area-filing.md"
SYNONYMS = "regulations/synonyms.yaml"
NO_ACCOUNT = "目前没有可审核的账号"
AUTHOR_ONLY = "作者是该审核方唯一的审核人"
MEDICAL_ADVICE = (f"审核方“示例市医疗保障局”{NO_ACCOUNT}：请管理员在“用户管理”中添加单位审核人（所属单位：示例市医疗保障局）账号"
                  "（已有账号被停用的，恢复它），否则本变更请求无法发布。")


@pytest.fixture
def users(app_env):
    return make_users(app_env)


def parties_table(at):
    return next(t.value for t in at.table if "审核方" in t.value.columns)


def test_the_review_page_flags_a_party_with_no_account_and_says_what_to_do(kb, users):
    cr = kb.review.create(users["center"], "更正异地备案", {MEDICAL: edited(kb, MEDICAL, "\n备案可在线办理。\n")},
                          submit=True)
    at = open_page("app_pages/review.py", users["center2"], cr=str(cr.id))
    assert not at.exception
    table = parties_table(at)
    assert list(table["审核方"]) == ["热线中心校核", "示例市医疗保障局"]
    assert list(table["状态"]) == ["待审核", "待审核"] and list(table["提示"]) == ["", NO_ACCOUNT]
    assert MEDICAL_ADVICE in [w.value for w in at.warning]


def test_my_work_tells_the_author_of_a_request_nobody_can_approve(kb, users):
    cr = kb.review.create(users["center"], "更正异地备案", {MEDICAL: edited(kb, MEDICAL, "\n备案可在线办理。\n")},
                          submit=True)
    at = open_page("app_pages/my_work.py", users["center"])
    assert not at.exception
    said = [c.value for c in at.caption if NO_ACCOUNT in c.value]
    assert len(said) == 1 and MEDICAL_ADVICE in said[0]
    other = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n新句子。\n")}, submit=True)
    at = open_page("app_pages/my_work.py", users["hrss-editor"])
    assert other.id and not [c.value for c in at.caption if NO_ACCOUNT in c.value]


def test_submitting_a_draft_on_the_review_page_flags_the_party(kb, users):
    cr = kb.review.create(users["center"], "更正异地备案", {MEDICAL: edited(kb, MEDICAL, "\n备案可在线办理。\n")})
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    assert list(parties_table(at)["提示"]) == ["", NO_ACCOUNT]          # said of a draft already
    at.button(key="review_submit").click().run()
    assert [s.value for s in at.success] == [f"已提交审核，等待热线中心校核、示例市医疗保障局（{NO_ACCOUNT}）审核。"]
    assert MEDICAL_ADVICE in [w.value for w in at.warning]


def test_the_review_page_tells_the_author_they_are_a_partys_only_reviewer(kb, users):
    cr = kb.review.create(users["legal"], "同义词补充说明", {SYNONYMS: kb.store.read(SYNONYMS) + "\n# 补充说明\n"},
                          submit=True)
    at = open_page("app_pages/review.py", users["legal"], cr=str(cr.id))
    assert list(parties_table(at)["提示"]) == ["", AUTHOR_ONLY]
    assert any(w.value.startswith(f"审核方“法制审核”：{AUTHOR_ONLY}，而作者不能审核自己的变更。请管理员在“用户管理”中再添加一名法制审核账号")
               for w in at.warning)
    # Nothing to flag: no column for it, no warning.
    other = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "x\n")}, submit=True)
    at = open_page("app_pages/review.py", users["center"], cr=str(other.id))
    assert "提示" not in parties_table(at).columns and not at.warning


def test_submitting_in_the_editor_flags_the_party_nobody_can_approve_for(kb, users):
    at = open_page("app_pages/editor.py", users["center"])
    at.selectbox(key="editor_entry").set_value(MEDICAL).run()
    body = next(w.key for w in at.text_area if w.key and w.key.startswith("editor_body_"))
    at.text_area(key=body).input(at.text_area(key=body).value + "\n备案可在线办理。\n").run()
    at.button(key="editor_submit").click().run()
    assert not at.exception and [e.value for e in at.error] == []
    [done] = [s.value for s in at.success]
    assert done.endswith(f"等待热线中心校核、示例市医疗保障局（{NO_ACCOUNT}）审核。")
    assert MEDICAL_ADVICE in [w.value for w in at.warning]


def test_my_work_shows_comments_made_since_the_author_last_acted(kb, users, monkeypatch):
    clock = iter(f"2026-11-22T10:{m:02d}:00" for m in range(60))
    monkeypatch.setattr(kb.review, "_now", lambda: next(clock))
    quiet = kb.review.create(users["hrss-editor"], "甲说明", {HRSS: edited(kb, HRSS, "x\n")}, submit=True)
    cr = kb.review.create(users["hrss-editor"], "补卡说明",
                          {"entries/policy/city-hrss/pension-adjustment-2026.md":
                           edited(kb, "entries/policy/city-hrss/pension-adjustment-2026.md", "y\n")}, submit=True)
    kb.review.comment(users["hrss-reviewer"], quiet.id, "先看这条")
    kb.review.comment(users["center"], cr.id, "请确认办理地点")
    kb.review.comment(users["hrss-reviewer"], cr.id, "请确认*工本费*")
    at = open_page("app_pages/my_work.py", users["hrss-editor"])
    assert not at.exception
    said = [t.value for t in at.text if t.value.startswith("新意见")]
    # Newest first: the request commented on last leads, with its count and its latest comment as written.
    assert said[0].startswith("新意见 2 条：王审核（") and said[0].endswith("）：请确认*工本费*")
    assert said[1].startswith("新意见 1 条：王审核（") and said[1].endswith("）：先看这条")
    rows = [m.value for m in at.markdown if m.value.startswith("**#")]
    assert rows[0].startswith(f"**#{cr.id} 补卡说明** · 审核中") and rows[1].startswith(f"**#{quiet.id} 甲说明**")
    assert any("上次在该变更请求上操作" in c.value for c in at.caption)
    # Once the author answers, those comments are no longer new.
    kb.review.comment(users["hrss-editor"], cr.id, "已补充")
    kb.review.comment(users["hrss-editor"], quiet.id, "收到")
    at = open_page("app_pages/my_work.py", users["hrss-editor"])
    assert not [t.value for t in at.text if t.value.startswith("新意见")]


def overtaken(kb, users):
    """The author's request in review on the 补卡 answer, after another change to it was published."""
    original = kb.store.read(HRSS)
    mine = kb.review.create(users["hrss-editor"], "报修提示补充地址", {HRSS: original + "\n补卡地点：各区政务服务中心。\n"},
                            submit=True)
    other = kb.review.create(users["center"], "补充说明", {HRSS: original + "\n另有说明。\n"}, submit=True)
    kb.review.approve(users["hrss-reviewer"], other.id)
    kb.review.approve(users["center2"], other.id)
    return mine


def test_a_request_in_conflict_can_be_mended_from_my_work(kb, users):
    """Approved by all but not published (publishing was refused: the answer was published anew meanwhile)."""
    from kb_app.exceptions import PublishConflict

    original = kb.store.read(HRSS)
    mine = kb.review.create(users["hrss-editor"], "报修提示补充地址", {HRSS: original + "\n补卡地点：各区政务服务中心。\n"},
                            submit=True)
    kb.review.approve(users["hrss-reviewer"], mine.id)
    kb.review.approve(users["center"], mine.id, publish=False)
    other = kb.review.create(users["center"], "补充说明", {HRSS: original + "\n另有说明。\n"}, submit=True)
    kb.review.approve(users["hrss-reviewer"], other.id)
    kb.review.approve(users["center2"], other.id)
    with pytest.raises(PublishConflict):
        kb.review.publish(users["center"], mine.id)
    assert kb.review.get(mine.id).state == "conflicting"
    at = open_page("app_pages/my_work.py", users["hrss-editor"])
    assert "退回给我的（1）" in [s.value for s in at.subheader]
    at.button(key=f"work_returned_{mine.id}_edit").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["编辑条目"]
    assert at.selectbox(key="editor_target").value == mine.id and at.selectbox(key="editor_entry").value == HRSS


def test_a_request_in_review_that_main_overtook_is_the_authors_to_mend_at_once(kb, users):
    """Main published another change to the same answer: the author sees it in 退回给我的 with 修改 now, not only
    after the last approval fails to publish."""
    mine = overtaken(kb, users)
    assert kb.review.get(mine.id).state == "in_review"
    at = open_page("app_pages/my_work.py", users["hrss-editor"])
    assert "退回给我的（1）" in [s.value for s in at.subheader] and "我提交的、审核中的（0）" in [s.value for s in at.subheader]
    line = next(m.value for m in at.markdown if m.value.startswith(f"**#{mine.id} "))
    assert "有冲突（审核中）" in line and "作者" not in line            # one's own request needs no author
    assert any(c.value.startswith("本变更请求中的条目在您提交后已有新版本发布") for c in at.caption)
    at.button(key=f"work_returned_{mine.id}_edit").click().run()
    assert not at.exception and [t.value for t in at.title] == ["编辑条目"]


def test_restoring_a_version_says_who_cannot_approve_it(kb, users):
    original = kb.store.head()
    kb.users.add("med-reviewer", "医审核", "secret-pass-1", "unit_reviewer", "city-medical-security")
    cr = kb.review.create(users["center"], "更正异地备案", {MEDICAL: edited(kb, MEDICAL, "\n备案可在线办理。\n")},
                          submit=True)
    kb.review.approve(kb.users.get("med-reviewer"), cr.id)
    assert kb.review.approve(users["center2"], cr.id).state == "published"
    kb.users.set_disabled("med-reviewer")                               # the unit's only reviewer left
    at = open_page("app_pages/history.py", users["center"], entry="medical-out-of-area-filing")
    at.selectbox(key=f"history_restore_to_{MEDICAL}").set_value(original).run()
    at.button(key="history_restore").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("已建立变更请求 #2（审核中）")
    assert MEDICAL_ADVICE in [w.value for w in at.warning]
