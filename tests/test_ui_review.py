"""AppTest of the log-in, my-work, review and users pages, including their error paths."""

import pytest

from .review_helpers import HRSS, PASSWORD, edited, make_users
from .ui_helpers import open_page


@pytest.fixture
def users(app_env):
    kb = app_env
    return make_users(kb)


def texts(at):
    return [e.value for e in at.error], [s.value for s in at.success]


def test_login_and_logout(kb, users):
    at = open_page("app_pages/login.py", None)
    at.text_input(key="login_username").input("center")
    at.text_input(key="login_password").input("wrong-password")
    at.button(key="login_submit").click().run()
    assert texts(at)[0] == ["用户名或密码不正确：请检查后重新输入；忘记密码请联系管理员重置。"]
    assert at.session_state["user"] is None
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_submit").click().run()
    assert not at.exception
    assert at.session_state["user"].username == "center"
    assert "已登录：张校核（热线中心校核）" in [c.value for c in at.sidebar.caption]
    at.sidebar.button(key="logout").click().run()
    assert at.session_state["user"] is None


def test_review_page_approve_and_publish(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n<script>alert(1)</script>新句子。\n")}, submit=True)
    at = open_page("app_pages/review.py", users["hrss-reviewer"])
    assert not at.exception
    assert at.subheader[0].value == f"#{cr.id} 补卡说明"
    assert [r for r in at.dataframe[0].value["状态"]] == ["待审核", "待审核"]
    html = "".join(h.proto.body for h in at.get("html"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;新句子。" in html and "<script>" not in html.replace(
        "<style>", "").split("</style>")[-1]
    at.button(key="review_approve").click().run()
    assert texts(at) == ([], ["批准成功，当前状态：审核中。"])
    at = open_page("app_pages/review.py", users["center"])
    at.text_area(key="review_comment").input("核对无误")
    at.button(key="review_approve").click().run()
    assert texts(at) == ([], ["批准成功，当前状态：已发布。"])
    assert "新句子。" in kb.store.read(HRSS)


def test_review_page_refuses_self_approval_and_empty_decline(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "x\n")}, submit=True)
    at = open_page("app_pages/review.py", users["hrss-editor"])
    at.button(key="review_approve").click().run()
    assert texts(at)[0] == [f"您是变更请求 #{cr.id} 的作者，不能批准自己的变更：请由其他审核人审核。"]
    at = open_page("app_pages/review.py", users["center"])
    at.button(key="review_request_changes").click().run()
    assert texts(at)[0] == ["请填写退回意见：说明需要修改什么、为什么。"]
    at.text_area(key="review_comment").input("请补充办理地点")
    at.button(key="review_request_changes").click().run()
    assert texts(at) == ([], ["退回成功，当前状态：退回修改。"])
    assert kb.review.get(cr.id).state == "changes_requested"


def test_review_page_shows_conflicts_with_both_versions(kb, users):
    a = kb.review.create(users["hrss-editor"], "甲", {HRSS: edited(kb, HRSS, "\n甲方案。\n")}, submit=True)
    b = kb.review.create(users["center"], "乙", {HRSS: edited(kb, HRSS, "\n乙方案。\n")}, submit=True)
    kb.review.approve(users["hrss-reviewer"], a.id)
    kb.review.approve(users["center"], a.id)
    at = open_page("app_pages/review.py", users["center2"])
    at.selectbox(key="review_select").set_value(b.id).run()
    assert f"以下文件在本变更请求创建后已在主干上被修改（有冲突），发布前需要作者对照双方版本更新：{HRSS}" in [w.value for w in at.warning]
    html = "".join(h.proto.body for h in at.get("html"))
    assert "主干现行版本" in html and "甲方案。" in html and "乙方案。" in html


def test_review_page_is_not_reachable_without_login(kb, users):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("app_pages/review.py", None)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("app_pages/review.py", users["agent"])


def test_my_work_lists_waiting_and_returned(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "x\n")}, submit=True)
    at = open_page("app_pages/my_work.py", users["hrss-reviewer"])
    assert at.subheader[0].value == "等待我审核（1）"
    assert any(f"#{cr.id} 补卡说明" in m.value for m in at.markdown)
    kb.review.request_changes(users["center"], cr.id, "请补充")
    at = open_page("app_pages/my_work.py", users["hrss-editor"])
    assert [s.value for s in at.subheader][:2] == ["等待我审核（0）", "退回给我的（1）"]
    at.button(key=f"work_returned_{cr.id}").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["变更校核"]


def test_users_page_add_and_errors(kb, users):
    at = open_page("app_pages/users.py", users["admin"])
    at.text_input(key="users_username").input("new-editor")
    at.text_input(key="users_name").input("新编辑")
    at.selectbox(key="users_role").set_value("unit_editor")
    at.text_input(key="users_password").input("long-password")
    at.button(key="users_add").click().run()
    assert texts(at)[0] == ["角色“单位编辑”必须指定所属单位：请填写 units.yaml 中的单位编号。"]
    at.selectbox(key="users_unit").set_value("city-hrss")
    at.button(key="users_add").click().run()
    assert texts(at) == ([], ["已建立账号 new-editor（单位编辑·city-hrss）。"])
    assert kb.authenticate("new-editor", "long-password").unit == "city-hrss"


def test_users_page_is_for_admins_only(kb, users):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("app_pages/users.py", users["center"])
