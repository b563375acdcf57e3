"""AppTest of the log-in, my-work, review and users pages, including their error paths."""

import re

import pytest

from .review_helpers import HRSS, PASSWORD, edited, make_users
from .ui_helpers import links, open_page, page_text


@pytest.fixture
def users(app_env):
    kb = app_env
    return make_users(kb)


def table_with(at, column):
    return next(t.value for t in at.table if column in t.value.columns)


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
    body = "\n<script>alert(1)</script>新句子。\n"
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, body)}, submit=True)
    at = open_page("app_pages/review.py", users["hrss-reviewer"])
    assert not at.exception
    assert at.subheader[0].value == f"#{cr.id} 补卡说明"
    assert at.caption[0].value.startswith("审核中 · 作者：李编辑（示例市人力资源和社会保障局） · 发起于 2026-11-22")
    assert list(table_with(at, "审核方")["状态"]) == ["待审核", "待审核"]
    page = page_text(at)
    assert "#### 修改答复口径：社会保障卡丢了怎么补办 · 示例市人力资源和社会保障局" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;新句子。" in page and "<script>" not in page
    accounts = [m.value for m in at.markdown if "hrss-editor" in m.value]          # people by name ...
    assert len(accounts) == 1 and accounts[0].startswith("- 分支：`cr/1`")        # ... accounts under 技术信息
    assert not any("hrss-editor" in c.value for c in at.caption)
    assert at.button(key="review_approve").label == "批准"
    at.button(key="review_approve").click().run()
    assert texts(at) == ([], ["已批准。还需要 热线中心校核 批准，之后才会发布。"])
    at = open_page("app_pages/review.py", users["center"])
    assert [i.value for i in at.info] == ["您是最后一个审核方：批准后本变更将**立即发布**，公众和坐席马上就能查到新内容。"]
    assert at.button(key="review_approve").label == "批准并发布"
    at.text_area(key="review_comment").input("核对无误")
    at.button(key="review_approve").click().run()
    assert texts(at) == ([], ["已批准并发布。\n\n“社会保障卡丢了怎么补办”的新版本已发布，查询到的就是它。"])
    assert ("查看发布后的答复", "answer", "id=sscard-reissue") in links(at)
    assert "新句子。" in kb.store.read(HRSS)
    assert list(table_with(at, "审核方")["审核人"]) == ["张校核", "王审核"]


def test_review_shows_changes_inside_lines_and_fields_by_label(kb, users):
    text = kb.store.read(HRSS).replace("当场领卡", "当场领取新卡")
    text = text.replace("review_by: 2027-06-30", "review_by: 2027-12-31")
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: text}, submit=True)
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    fields = table_with(at, "字段")
    assert list(fields["字段"]) == ["复核日期"]
    assert (list(fields["修改前"]), list(fields["修改后"])) == (["2027-06-30"], ["2027-12-31"])
    rendered = next(h.proto.body for h in at.get("html") if "kbrender" in h.proto.body)
    assert "<strong>当场领<ins>取新</ins>卡</strong>" in rendered    # marked inside the line, in its list item
    assert rendered.count("<ins>") == 1 and rendered.count("<del>") == 0


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
    assert texts(at) == ([], ["已退回作者修改。"])
    assert kb.review.get(cr.id).state == "changes_requested"


def test_review_page_shows_conflicts_with_both_versions(kb, users):
    a = kb.review.create(users["hrss-editor"], "甲", {HRSS: edited(kb, HRSS, "\n甲方案。\n")}, submit=True)
    b = kb.review.create(users["center"], "乙", {HRSS: edited(kb, HRSS, "\n乙方案。\n")}, submit=True)
    kb.review.approve(users["hrss-reviewer"], a.id)
    kb.review.approve(users["center"], a.id)
    at = open_page("app_pages/review.py", users["center2"])
    at.selectbox(key="review_select").set_value(b.id).run()
    assert "“社会保障卡丢了怎么补办”在本变更请求创建后已在主干上被修改（有冲突），发布前需要作者对照双方版本更新。" in [
        w.value for w in at.warning]
    # changes are marked inside lines: compare the text
    html = re.sub("<[^>]+>", "", "".join(h.proto.body for h in at.get("html")))
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
