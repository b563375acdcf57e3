"""AppTest of the log-in, my-work, review and users pages, including their error paths."""

import datetime as dt
import re

import pytest

from kb_app.accounts.throttle import MAX_CLIENT_FAILURES
from kb_app.labels import WITHDRAWAL_NOTE
from kb_app.exceptions import AuthError
from kb_app.ui.auth_routes import sign_notice

from ..review_helpers import HOTLINE, HRSS, PASSWORD, edited, make_users
from ..ui_helpers import links, open_page, page_text
from ..ui_helpers import table_with as plain_table


@pytest.fixture
def users(app_env):
    kb = app_env
    return make_users(kb)


def table_with(at, column):
    return next(t.value for t in at.table if column in t.value.columns)


def field_rows(at) -> list[dict]:
    """The rows of the first table of fields (kb_app.ui.diff.field_table) on the page, cells as HTML."""
    table = next(h.proto.body for h in at.get("html") if 'class="kbfields"' in h.proto.body)
    heads = re.findall(r"<th>(.*?)</th>", table)
    return [dict(zip(heads, re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)))
            for row in re.findall(r"<tr><td.*?</tr>", table, re.S)]


def texts(at):
    return [e.value for e in at.error], [s.value for s in at.success]


def test_login_page_is_a_form_posted_to_the_server(kb, users):
    at = open_page("app_pages/login.py", None)
    form = "".join(h.proto.body for h in at.get("html"))
    assert '<form class="kb-auth" method="post" action="/auth/login">' in form
    assert 'name="password" type="password"' in form and 'name="next"' not in form
    assert not at.error


def test_login_page_shows_the_servers_message_and_nothing_forged(kb, users):
    message = "登录失败次数过多，账号“center”已暂时锁定：请 15 分钟后再试；如需立即解锁，请联系管理员。"
    at = open_page("app_pages/login.py", None, notice=sign_notice(message), username='cen"ter',
                   next="/review")
    assert [e.value for e in at.error] == [message]
    form = "".join(h.proto.body for h in at.get("html"))
    assert 'value="cen&quot;ter"' in form and '<input type="hidden" name="next" value="/review">' in form
    # read once: the signed text leaves the address bar, and a reload does not repeat the message
    assert "notice" not in at.query_params and at.query_params["username"] == 'cen"ter'
    at.run()
    assert not at.error
    at = open_page("app_pages/login.py", None, notice="5LyB6YCg.0123456789abcdef0123456789abcdef")
    assert not at.error


def test_the_session_cookie_signs_in_and_signing_out_elsewhere_signs_out(kb, users):
    token = kb.sessions.start(users["center"])
    at = open_page("app_pages/history.py", None, session_token=token)
    assert at.session_state["user"] == users["center"]
    assert "已登录：张校核（热线中心校核）" in [c.value for c in at.sidebar.caption]
    assert 'action="/auth/logout"' in "".join(h.proto.body for h in at.sidebar.get("html"))
    kb.sessions.end(token)                                 # signed out in another tab
    at.run()
    assert at.session_state["user"] is None and at.session_state["session_token"] is None
    assert not any("已登录" in c.value for c in at.sidebar.caption)
    assert "登录" in [label for label, _page, _query in links(at)]


def test_a_disabled_user_is_signed_out_at_the_next_click(kb, users):
    token = kb.sessions.start(users["hrss-editor"])
    at = open_page("app_pages/history.py", None, session_token=token)
    assert at.session_state["user"].username == "hrss-editor"
    kb.users.set_disabled("hrss-editor", actor="admin")
    at.run()
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
    assert "- 类型：内容变更（`change`）" in accounts[0]
    assert list(table_with(at, "操作")["操作"]) == ["创建", "提交审核"]
    assert not any("hrss-editor" in c.value for c in at.caption)
    assert at.button(key="review_approve").label == "批准"
    at.button(key="review_approve").click().run()
    assert texts(at) == ([], ["已批准。还需要热线中心校核批准，之后才会发布。"])
    # Nothing more to approve for this party: the button is greyed and the page says why.
    assert at.button(key="review_approve").disabled and not at.button(key="review_request_changes").disabled
    assert "您所在的审核方已批准当前版本，等待其他审核方。" in " ".join(c.value for c in at.caption)
    at = open_page("app_pages/review.py", users["center"])
    assert not at.button(key="review_approve").disabled
    assert [i.value for i in at.info] == ["您是最后一个审核方：批准后本变更将**立即发布**，马上按新内容查询"
                                          "（设了生效日期或有效期的，公众按日期看到或看不到它）。"]
    assert at.button(key="review_approve").label == "批准并发布"
    at.text_area(key="review_comment").input("核对无误")
    at.button(key="review_approve").click().run()
    assert texts(at) == ([], ["已批准并发布。\n\n“社会保障卡丢了怎么补办”的新版本已发布，查询到的就是它。"])
    # a public answer in force: its public rendering, on the public site
    assert ("在公众网站上查看发布后的答复", "http://127.0.0.1:8080/answers/sscard-reissue", "") in links(at)
    assert "新句子。" in kb.store.read(HRSS)
    assert list(table_with(at, "审核方")["审核人"]) == ["张校核", "王审核"]
    rendered = next(h.proto.body for h in at.get("html") if "kbrender" in h.proto.body)
    assert "修改前（发布前的版本）" in rendered and "修改后（已发布）" in rendered and "现行版本" not in rendered
    # published: comments only, for the record, not a reviewer's 意见 for decisions no longer offered
    assert at.text_area(key="review_comment").label == "评论（仅作记录）"
    assert "本变更请求已发布，评论只记入它的记录（例如发布后核实的情况），不会重新打开它，也不会再送审。" in [
        c.value for c in at.caption]


def test_a_review_page_left_open_does_not_approve_what_was_saved_after_it(kb, users):
    cr = kb.review.create(users["hrss-editor"], "临时挂失", {HRSS: edited(kb, HRSS, "\n有效期改为7天。\n")}, submit=True)
    kb.review.approve(users["center"], cr.id)
    at = open_page("app_pages/review.py", users["hrss-reviewer"])
    assert at.button(key="review_approve").label == "批准并发布"
    # meanwhile the author adds a sentence, and the centre approves the new version
    kb.review.update(users["hrss-editor"], cr.id, {HRSS: edited(kb, HRSS, "\n有效期改为7天（加急制卡收取50元）。\n")})
    kb.review.approve(users["center"], cr.id)
    at.button(key="review_approve").click().run()
    errors, successes = texts(at)
    assert successes == [] and len(errors) == 1 and "在您查看之后又有了新的修改" in errors[0]
    assert "50元" not in kb.store.read(HRSS)
    # the page now shows the new version: approving it publishes it
    assert "加急制卡收取50元" in page_text(at)
    at.button(key="review_approve").click().run()
    assert texts(at)[1][0].startswith("已批准并发布。") and "50元" in kb.store.read(HRSS)


def test_a_withdrawal_is_published_by_the_first_party_to_approve_it(kb, users):
    yesterday = kb.today() - dt.timedelta(days=1)
    cr = kb.review.create(users["hrss-editor"], "紧急下线", {HRSS: edited(kb, HRSS, expires=yesterday)}, submit=True)
    at = open_page("app_pages/review.py", users["center"])
    assert any(c.value.endswith(WITHDRAWAL_NOTE) for c in at.caption)
    assert at.button(key="review_approve").label == "批准并发布"
    at.button(key="review_approve").click().run()
    assert texts(at)[1][0].startswith("已批准并发布。") and kb.review.get(cr.id).state == "published"


def test_review_page_opens_on_the_newest_request_under_review(kb, users):
    waiting = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n新句子。\n")},
                               submit=True)
    kb.review.create(users["hrss-editor"], "草稿", {HRSS: edited(kb, HRSS, "\n另一句。\n")})  # newer, a draft
    at = open_page("app_pages/review.py", users["hrss-reviewer"])
    assert not at.exception and at.subheader[0].value == f"#{waiting.id} 补卡说明"


def test_a_reviewer_lands_on_the_newest_request_waiting_for_their_approval(kb, users):
    ours = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n新句子。\n")}, submit=True)
    theirs = kb.review.create(users["center"], "热线隐私说明", {HOTLINE: edited(kb, HOTLINE, "\n另一句。\n")},
                              submit=True)  # newer, another unit's
    at = open_page("app_pages/review.py", users["hrss-reviewer"])
    assert not at.exception and at.subheader[0].value == f"#{ours.id} 补卡说明"
    kb.review.approve(users["hrss-reviewer"], ours.id)
    at = open_page("app_pages/review.py", users["hrss-reviewer"])
    assert "目前没有等待您审核的变更请求：可在下面选择要查看的变更请求。" in [i.value for i in at.info]
    assert at.selectbox(key="review_select").value is None
    at = open_page("app_pages/review.py", users["hotline-reviewer"])
    assert at.subheader[0].value == f"#{theirs.id} 热线隐私说明"


def test_review_shows_changes_inside_lines_and_fields_by_label(kb, users):
    text = kb.store.read(HRSS).replace("当场领卡", "当场领取新卡")
    text = text.replace("review_by: 2027-06-30", "review_by: 2027-12-31")
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: text}, submit=True)
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    # A short value is marked whole: struck through where removed, and the field named on one line.
    assert field_rows(at) == [{"字段": "复核日期", "修改前": "<del>2027-06-30</del>", "修改后": "<ins>2027-12-31</ins>"}]
    table = next(h.proto.body for h in at.get("html") if 'class="kbfields"' in h.proto.body)
    assert ".kbfields td.f{white-space:nowrap" in table and "text-decoration:line-through" in table
    rendered = next(h.proto.body for h in at.get("html") if "kbrender" in h.proto.body)
    assert "修改前（现行版本）" in rendered and "修改后（发布后的样子）" in rendered
    assert "<strong>当场领<ins>取新</ins>卡</strong>" in rendered    # marked inside the line, in its list item
    assert rendered.count("<ins>") == 1 and rendered.count("<del>") == 0


def test_a_changed_field_is_marked_inside_and_a_new_answer_shows_every_field(kb, users):
    original = kb.store.read(HRSS)
    changed = original.replace("questions: [", "questions: ['社保卡挂失[急]怎么办', ", 1)
    assert changed != original
    cr = kb.review.create(users["hrss-editor"], "补充问法", {HRSS: changed}, submit=True)
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    row = field_rows(at)[0]
    assert row["字段"] == "常见问法"
    # Only what was added is marked, and the text is text.
    assert row["修改后"].count("<ins>") == 1 and "社保卡挂失[急]怎么办" in row["修改后"]
    assert "<del>" not in row["修改前"]

    new = "entries/policy/city-hrss/sscard-notes.md"
    page = ("---\nid: sscard-notes\nkind: policy\ntitle: 社保卡挂失须知\nunit: city-hrss\naudience: public\n"
            "questions:\n- 社保卡怎么挂失\nagent_notes: 联系人王科长，内线8801\n---\n挂失后补办。\n")
    cr = kb.review.create(users["hrss-editor"], "新增“社保卡挂失须知”", {new: page}, submit=True)
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    rows = field_rows(at)
    assert list(rows[0]) == ["字段", "内容"]
    shown = {r["字段"]: r["内容"] for r in rows}
    assert shown["标题"] == "社保卡挂失须知" and "社保卡怎么挂失" in shown["常见问法"]
    assert "内线8801" in shown["坐席提示"]     # what only agents will read is reviewed too
    # The answer as readers will see it: nothing before it, said as such.
    text = page_text(at)
    assert "新增条目，无现行版本" in text and "修改前（现行版本）" not in text and "（无：新增或已删除）" not in text
    kb.review.approve(users["hrss-reviewer"], cr.id)
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    at.button(key="review_approve").click().run()
    assert texts(at) == ([], ["已批准并发布。\n\n“社保卡挂失须知”已首次发布，查询到的就是它。"])


def test_review_page_refuses_self_approval_and_empty_decline(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "x\n")}, submit=True)
    at = open_page("app_pages/review.py", users["hrss-editor"])
    # The author is told why before any click, and offered none of the reviewers' decisions.
    assert any(f"您是变更请求 #{cr.id} 的作者，不能审核自己的变更：请由其他审核人审核。" in c.value for c in at.caption)
    assert all(at.button(key=k).disabled for k in ("review_approve", "review_request_changes", "review_reject"))
    assert not at.button(key="review_withdraw").disabled
    # Neither is someone of no party the request needs (no legal review for this answer).
    at = open_page("app_pages/review.py", users["legal"], cr=str(cr.id))
    assert any("不属于变更请求" in c.value for c in at.caption)
    assert at.button(key="review_approve").disabled
    at = open_page("app_pages/review.py", users["center"])
    assert not at.button(key="review_approve").disabled
    at.button(key="review_request_changes").click().run()
    assert texts(at)[0] == ["请填写退回意见：说明需要修改什么、为什么。"]
    at.text_area(key="review_comment").input("请补充办理地点")
    at.button(key="review_request_changes").click().run()
    assert texts(at) == ([], ["已退回作者修改。"])
    assert kb.review.get(cr.id).state == "changes_requested"
    # What was said is on the record, and the box is empty: a second click cannot send it twice.
    assert at.text_area(key="review_comment").value == ""
    # Sent back, it waits for its author: it can still be turned down, not approved or sent back again; and
    # there is nothing to publish by hand.
    assert at.button(key="review_approve").disabled and at.button(key="review_request_changes").disabled
    assert not at.button(key="review_reject").disabled
    assert "review_publish" not in [b.key for b in at.button]
    # Nobody's review is waiting on a request sent back: the parties wait for the author, and the party
    # that sent it back says so, by whom and when.
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    parties = table_with(at, "审核方")
    assert "待审核" not in list(parties["状态"])
    rows = {r["审核方"]: (r["状态"], r["审核人"], r["时间"]) for r in parties.to_dict("records")}
    assert rows["热线中心校核"][:2] == ("退回修改", "张校核") and rows["热线中心校核"][2].startswith("2026-")
    assert [r[:2] for p, r in rows.items() if p != "热线中心校核"] == [("等作者修改后再审", "")]
    # Turned down for good, it says so too.
    at.text_area(key="review_comment").input("与现行政策不符")
    at.button(key="review_reject").click().run()
    # Closing a request for good is asked again: nothing happened yet.
    assert kb.review.get(cr.id).state == "changes_requested"
    assert at.button(key="review_reject").label == "确认驳回"
    assert any(w.value.startswith("驳回后本变更请求即关闭") for w in at.warning)
    at.button(key="review_reject").click().run()
    rows = {r["审核方"]: r["状态"] for r in table_with(at, "审核方").to_dict("records")}
    assert "review_confirm" not in at.session_state
    assert rows["热线中心校核"] == "驳回" and set(rows.values()) == {"驳回", "—"}


def test_review_page_shows_conflicts_with_both_versions(kb, users):
    a = kb.review.create(users["hrss-editor"], "甲", {HRSS: edited(kb, HRSS, "\n甲方案。\n")}, submit=True)
    b = kb.review.create(users["center"], "乙", {HRSS: edited(kb, HRSS, "\n乙方案。\n")}, submit=True)
    kb.review.approve(users["hrss-reviewer"], a.id)
    kb.review.approve(users["center"], a.id)
    at = open_page("app_pages/review.py", users["center2"])
    at.selectbox(key="review_select").set_value(b.id).run()
    assert "“社会保障卡丢了怎么补办”在本变更请求创建后已在主干上被修改（有冲突），发布前需要作者对照双方版本更新。" in [
        w.value for w in at.warning]
    # Nobody approves it before its author updates it (the update would discard the approval), and the page says why.
    assert at.button(key="review_approve").disabled and not at.button(key="review_request_changes").disabled
    assert any(c.value.startswith(f":material/block: 变更请求 #{b.id} 有冲突，现在不能批准：“社会保障卡丢了怎么补办”在它发起后"
                                  "已有新版本发布，作者须先对照已发布的版本更新它") for c in at.caption)
    # changes are marked inside lines: compare the text
    html = re.sub("<[^>]+>", "", "".join(h.proto.body for h in at.get("html")))
    assert "主干现行版本" in html and "甲方案。" in html and "乙方案。" in html


def test_review_page_is_not_reachable_without_login(kb, users):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("app_pages/review.py", None)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("app_pages/review.py", users["agent"])


def test_the_request_the_address_names_is_chosen_once_and_another_chosen_after_it_stands(kb, users):
    a = kb.review.create(users["hrss-editor"], "甲", {HRSS: edited(kb, HRSS, "\n甲方案。\n")}, submit=True)
    b = kb.review.create(users["center"], "乙", {HRSS: edited(kb, HRSS, "\n乙方案。\n")}, submit=True)
    at = open_page("app_pages/review.py", users["center2"], cr=str(a.id))
    assert at.selectbox(key="review_select").value == a.id
    at.selectbox(key="review_select").set_value(b.id).run()
    at.run()
    assert at.selectbox(key="review_select").value == b.id and at.query_params["cr"] == str(b.id)
    html = "".join(h.proto.body for h in at.get("html"))
    assert "乙方案。" in html and "甲方案。" not in html                      # the change shown is 乙's


@pytest.mark.parametrize("dates, said", [
    ({"expires": dt.date(2026, 11, 21)},
     "“社会保障卡丢了怎么补办”已发布，有效期至 2026-11-21，公众已查不到它；坐席仍能查到，标为“已失效”。"),
    ({"effective": dt.date(2027, 1, 1)},
     "“社会保障卡丢了怎么补办”的新版本已发布，2027-01-01 起生效；在此之前公众和坐席查到的仍是现行版本"
     "（有效至 2026-12-31），坐席另能看到标为“未生效”的新版本。")])
def test_publishing_says_when_the_public_sees_the_answer(kb, users, dates, said):
    cr = kb.review.create(users["hrss-editor"], "日期", {HRSS: edited(kb, HRSS, **dates)}, submit=True)
    if "expires" not in dates:  # a withdrawal is published by the first party to approve it
        kb.review.approve(users["hrss-reviewer"], cr.id)
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    at.button(key="review_approve").click().run()
    assert texts(at) == ([], [f"已批准并发布。\n\n{said}"])


@pytest.mark.parametrize("named", ["99", "abc"])
def test_an_address_naming_no_request_says_so(kb, users, named):
    a = kb.review.create(users["hrss-editor"], "甲", {HRSS: edited(kb, HRSS, "\n甲方案。\n")}, submit=True)
    at = open_page("app_pages/review.py", users["center"], cr=named)
    assert [w.value for w in at.warning] == [f"地址中的变更请求“{named}”不存在：请在下面选择要查看的变更请求。"]
    assert at.selectbox(key="review_select").value == a.id and at.query_params["cr"] == str(a.id)
    at.run()                                                              # said once: the address now names #1
    assert not at.warning


def test_my_work_lists_waiting_and_returned(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "x\n")}, submit=True)
    at = open_page("app_pages/my_work.py", users["hrss-reviewer"])
    assert at.subheader[0].value == "等待我审核（1）"
    assert any(f"#{cr.id} 补卡说明" in m.value for m in at.markdown)
    kb.review.request_changes(users["center"], cr.id, "请补充*办理地点*")
    at = open_page("app_pages/my_work.py", users["hrss-editor"])
    assert [s.value for s in at.subheader][:2] == ["等待我审核（0）", "退回给我的（1）"]
    # Who returned it and what they asked for, without opening it (their words shown as written).
    [said] = [t.value for t in at.text if t.value.startswith("张校核（")]
    assert said.endswith("）：请补充*办理地点*")
    at.button(key=f"work_returned_{cr.id}").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["变更校核"]
    assert at.selectbox(key="review_select").value == cr.id and at.query_params["cr"] == str(cr.id)
    # Its author goes straight to the editor to mend it, on the entry it changes.
    at = open_page("app_pages/my_work.py", users["hrss-editor"])
    at.button(key=f"work_returned_{cr.id}_edit").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["编辑条目"]
    assert at.selectbox(key="editor_target").value == cr.id and at.selectbox(key="editor_entry").value == HRSS


def test_a_request_changed_after_it_was_sent_back_shows_its_latest_note_beside_its_name(kb, users):
    """A request keeps its name (补卡说明) when its author changes it otherwise after it came back: the
    reviewer reads the author's note on the latest revision beside it, as written."""
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "x\n")}, submit=True)
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    assert "最近一次修改的说明" not in [c.value for c in at.caption]
    kb.review.request_changes(users["center"], cr.id, "补卡不需要写这句")
    kb.review.update(users["hrss-editor"], cr.id, {HRSS: edited(kb, HRSS, "y\n")}, "改为写*办理时限*")
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    assert "最近一次修改的说明" in [c.value for c in at.caption]
    [note] = [t.value for t in at.text if "办理时限" in t.value]
    assert note.startswith("改为写*办理时限*（李编辑，") and "T" not in note.split("，")[-1]
    # A later revision saying nothing the name does not (the editor's default) leaves no older note standing.
    kb.review.update(users["hrss-editor"], cr.id, {HRSS: edited(kb, HRSS, "z\n")}, "补卡说明")
    at = open_page("app_pages/review.py", users["center"], cr=str(cr.id))
    assert "最近一次修改的说明" not in [c.value for c in at.caption]


def test_my_work_shows_the_units_tasks_and_why_a_request_was_turned_down(kb, users):
    kb.feedback.report_error("sscard-reissue", "补卡要带户口本吗？页面没写", "public")
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "x\n")}, submit=True)
    kb.review.reject(users["center"], cr.id, "与现行办法不符，不予采纳")
    at = open_page("app_pages/my_work.py", users["hrss-editor"])
    assert "本单位的维护任务（1）" in [s.value for s in at.subheader]
    assert any("纠错：社会保障卡丢了怎么补办" in m.value and "期限 " in m.value for m in at.markdown)
    assert ("到“维护任务”处理（共 1 个）", "tasks", "") in links(at)
    # A request turned down says by whom and why, its times as people read them.
    assert any(m.value.startswith(f"**#{cr.id} 补卡说明** · 已驳回 · 更新于 2") and "T" not in m.value.split("更新于")[1]
               for m in at.markdown)
    [said] = [t.value for t in at.text if t.value.startswith("张校核（")]
    assert said.endswith("）：与现行办法不符，不予采纳")
    # Lately turned down, it is in view, not folded away among the ended ones.
    assert "最近被驳回的（1）" in [s.value for s in at.subheader] and not at.expander


def add_account(at, username, name, role, password):
    """Fill in 新建账号 and press 建立."""
    at.text_input(key="users_username").input(username)
    at.text_input(key="users_name").input(name)
    at.selectbox(key="users_role").set_value(role)
    at.text_input(key="users_password").input(password)
    at.button(key="users_add").click().run()


def test_users_page_add_and_errors(kb, users):
    at = open_page("app_pages/users.py", users["admin"])
    add_account(at, "new-editor", "新编辑", "unit_editor", "long-password")
    assert texts(at)[0] == ["角色“单位编辑”必须指定所属单位：请选择所属单位。"]
    at.selectbox(key="users_unit").set_value("city-hrss")
    at.button(key="users_add").click().run()
    assert texts(at) == ([], ["已建立账号 new-editor（单位编辑·示例市人力资源和社会保障局）。"])
    assert kb.authenticate("new-editor", "long-password").unit == "city-hrss"
    # The form is empty again: the password typed does not stay in its field.
    assert [at.text_input(key=k).value for k in ("users_username", "users_name", "users_email", "users_password")] \
        == ["", "", "", ""]


def test_users_page_says_every_problem_of_a_new_account_at_once(kb, users):
    at = open_page("app_pages/users.py", users["admin"])
    add_account(at, "Bad Name", "", "unit_editor", "abc")
    [error] = texts(at)[0]
    assert error.startswith("账号未建立，有 4 处要改：")
    for problem in ("用户名“Bad Name”格式不对", "缺少姓名", "角色“单位编辑”必须指定所属单位", "密码太短"):
        assert problem in error
    assert kb.users.get("bad name") is None and kb.users.get("Bad Name") is None


def test_the_audit_of_log_ins_wraps_its_notes_rather_than_cutting_them_off(kb, users):
    """说明 of a change of role is long: a plain table that wraps it, within the page's width."""
    kb.users.set_role("agent", "unit_reviewer", "city-hrss", actor="admin", via="app")
    at = open_page("app_pages/users.py", users["admin"])
    [changed] = [r for r in plain_table(at, "说明") if r["事件"] == "修改角色"]
    assert changed["说明"] == "角色：坐席 → 角色：单位审核人，单位：示例市人力资源和社会保障局（city-hrss）"
    assert not [d for d in at.dataframe if "说明" in d.value.columns]


def test_users_page_refuses_a_weak_password_and_says_what_to_use(kb, users):
    at = open_page("app_pages/users.py", users["admin"])
    add_account(at, "new-agent", "新坐席", "agent", "12345678")
    assert texts(at) == (["密码过于简单：不能只用数字（生日、电话号码和连号最先被人猜到）。"
                          "请使用至少 8 位、包含字母和数字的组合。"], [])
    assert kb.users.get("new-agent") is None
    assert at.text_input(key="users_username").value == "new-agent"     # kept to be corrected


def test_users_page_starts_with_no_account_chosen(kb, users):
    at = open_page("app_pages/users.py", users["admin"])
    assert at.selectbox(key="users_target").value is None
    assert at.selectbox(key="users_target").placeholder == "请选择"
    assert all(at.button(key=k).disabled for k in ("users_set_role", "users_disable", "users_enable", "users_passwd"))
    at.selectbox(key="users_target").set_value("admin").run()
    assert at.button(key="users_disable").disabled and at.button(key="users_set_role").disabled   # not oneself
    assert at.button(key="users_passwd").disabled              # until the reset is confirmed
    at.checkbox(key="users_confirm_passwd").check().run()
    assert not at.button(key="users_passwd").disabled


def test_users_page_changes_an_accounts_role_and_unit(kb, users):
    at = open_page("app_pages/users.py", users["admin"])
    at.selectbox(key="users_target").set_value("hrss-editor").run()
    # The fields start from what the account has.
    assert (at.selectbox(key="users_new_role").value, at.selectbox(key="users_new_unit").value) == \
        ("unit_editor", "city-hrss")
    assert "李编辑，现为单位编辑·示例市人力资源和社会保障局" in [c.value for c in at.caption]
    at.selectbox(key="users_new_role").set_value("unit_reviewer")
    at.button(key="users_set_role").click().run()
    assert texts(at) == ([], ["账号 hrss-editor 已改为单位审核人·示例市人力资源和社会保障局"
                              "（原为单位编辑·示例市人力资源和社会保障局）。"])
    assert kb.users.get("hrss-editor").party == "unit:city-hrss"
    change = kb.audit.list("hrss-editor")[0]
    assert (change.label, change.actor, change.via) == ("修改角色", "admin", "app")
    at.selectbox(key="users_new_role").set_value("unit_editor")
    at.selectbox(key="users_new_unit").set_value("")
    at.button(key="users_set_role").click().run()
    assert texts(at) == (["角色“单位编辑”必须指定所属单位：请选择所属单位。"], [])
    assert not any("命令行" in e or "kb " in e or "--" in e for e in texts(at)[0])
    assert kb.users.get("hrss-editor").role == "unit_reviewer"
    at.selectbox(key="users_new_role").set_value("agent").run()
    at.button(key="users_set_role").click().run()
    assert texts(at) == ([], ["账号 hrss-editor 已改为坐席（原为单位审核人·示例市人力资源和社会保障局）。"])
    assert (kb.users.get("hrss-editor").role, kb.users.get("hrss-editor").unit) == ("agent", "")
    assert not at.exception and not at.warning


def test_users_page_clears_the_new_password_after_a_reset(kb, users):
    at = open_page("app_pages/users.py", users["admin"])
    at.selectbox(key="users_target").set_value("agent").run()
    confirm = at.checkbox(key="users_confirm_passwd")
    assert confirm.label == "确认重置 刘坐席（agent） 的密码：该账号已登录的会话立即全部结束，须用新密码重新登录"
    confirm.check().run()
    at.text_input(key="users_new_password").input("agent")
    at.button(key="users_passwd").click().run()
    assert texts(at) == (["密码太短：至少需要 8 个字符，请换一个更长的密码。"], [])
    assert at.subheader[-1].value == "登录审计"               # the rest of the page is still there
    at.text_input(key="users_new_password").input("my-agent-2026")
    at.button(key="users_passwd").click().run()
    assert texts(at) == (["密码过于简单：不能包含用户名。请使用至少 8 位、包含字母和数字的组合。"], [])
    at.text_input(key="users_new_password").input("Hotline-desk-7")
    at.button(key="users_passwd").click().run()
    assert texts(at) == ([], ["账号 agent 的密码已重置，其会话已全部结束。"])
    assert at.text_input(key="users_new_password").value == ""
    assert not at.checkbox(key="users_confirm_passwd").value and at.button(key="users_passwd").disabled  # once
    assert kb.authenticate("agent", "Hotline-desk-7").username == "agent"


def test_users_page_is_for_admins_only(kb, users):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("app_pages/users.py", users["center"])


def test_users_page_shows_locks_sessions_and_the_audit_trail_and_unlocks(kb, users):
    for n in range(MAX_CLIENT_FAILURES - 5):          # others' typos at the address, then center's five
        with pytest.raises(AuthError):
            kb.authenticate(f"guess{n}", "wrong-password", "10.1.2.3", "app")
    for _ in range(5):
        with pytest.raises(AuthError):
            kb.authenticate("center", "wrong-password", "10.1.2.3", "app")
    kb.sessions.start(users["agent"], "10.7.7.7", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                                 "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
    at = open_page("app_pages/users.py", users["admin"])
    table = at.dataframe[0].value
    assert dict(zip(table["用户名"], table["状态"]))["center"] == "已锁定"
    assert list(at.dataframe[1].value["对象"]) == ["地址“10.1.2.3”", "账号“center”"]
    assert list(at.dataframe[2].value["账号"]) == ["agent"]
    assert list(at.dataframe[2].value["浏览器"]) == ["Chrome 131 · Windows"]    # not the raw User-Agent
    assert at.button(key="users_end_session").disabled                      # nothing chosen yet
    audit = plain_table(at, "说明")
    assert [r["事件"] for r in audit[:3]] == ["锁定", "锁定", "登录失败"] and {r["地址"] for r in audit[:7]} == {"10.1.2.3"}
    at.selectbox(key="users_lock").set_value(kb.throttle.active_locks()[1])
    at.button(key="users_unlock").click().run()
    assert texts(at) == ([], ["账号“center”已解锁。"])
    assert kb.authenticate("center", PASSWORD, "10.9.9.9", "app").username == "center"
    unlock = kb.audit.list("center")[1]
    assert (unlock.event, unlock.actor, unlock.via) == ("unlocked", "admin", "app")
    at.selectbox(key="users_target").set_value("agent").run()
    assert at.button(key="users_enable").disabled     # an account in use has nothing to restore
    assert at.button(key="users_disable").disabled    # one click does not disable: it waits for the tick
    confirm = at.checkbox(key="users_confirm_disable")
    assert confirm.label == "确认停用 刘坐席（agent）：该账号将不能登录，已登录的会话立即全部结束"
    confirm.check().run()
    at.button(key="users_disable").click().run()
    assert texts(at) == ([], ["账号 agent 已停用，其会话已全部结束。"])
    assert kb.sessions.active() == []
    assert at.button(key="users_disable").disabled and not at.button(key="users_enable").disabled
    at.selectbox(key="users_audit_user").set_value("agent").run()
    assert [r["事件"] for r in plain_table(at, "说明")] == ["停用账号", "建立账号"]


def test_an_administrator_ends_one_session_and_keeps_the_others(kb, users):
    """A computer left signed in: its session ends, the account's other browsers stay signed in."""
    office = kb.sessions.start(users["agent"], "10.7.7.7", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
                               "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
    phone = kb.sessions.start(users["agent"], "10.8.8.8", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
                              "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
    at = open_page("app_pages/users.py", users["admin"])
    chosen = next(s for s in kb.sessions.active() if s.client == "10.7.7.7")
    at.selectbox(key="users_session").set_value(chosen).run()
    at.button(key="users_end_session").click().run()
    assert texts(at) == ([], ["已结束 agent 在 Chrome 131 · Windows 上的会话：该浏览器需要重新登录。"])
    assert kb.sessions.resume(office) is None and kb.sessions.resume(phone).username == "agent"
    ended = kb.audit.list("agent")[0]
    assert (ended.event, ended.actor, ended.client) == ("ended", "admin", "10.7.7.7")
    assert kb.sessions.end_one(chosen.ref, actor="admin") is None           # already ended


def test_review_page_tells_of_an_answer_the_public_cannot_open(kb, users):
    suffix = "\n新标准请查看“2027年居民阶梯水价调整”答复。\n"
    kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, suffix)}, submit=True)
    at = open_page("app_pages/review.py", users["hrss-reviewer"])
    assert not at.exception
    warning = next(w.value for w in at.warning if "提醒（不影响批准）" in w.value)
    assert "“社会保障卡丢了怎么补办”：正文提到的“2027年居民阶梯水价调整”答复（即“2027年1月1日起居民阶梯水价调整”）2027-01-01 才生效" in warning
    assert "medical-resident-contribution" not in warning          # only what the change touches
    assert [b for b in at.button if b.key == "review_approve"][0].disabled is False


def test_review_page_tells_of_a_fact_given_otherwise(kb, users):
    """The fact says 免费, the changed text 20元: reviewers see both before they approve."""
    changed = kb.store.read(HRSS).replace("**免收工本费**", "收取工本费20元")
    kb.review.create(users["hrss-editor"], "补卡收费", {HRSS: changed}, submit=True)
    at = open_page("app_pages/review.py", users["hrss-reviewer"])
    assert not at.exception
    warning = next(w.value for w in at.warning if "结构化事实与正文" in w.value)
    assert "“社会保障卡丢了怎么补办”：结构化事实“补卡工本费：免费”与正文“4. 费用：补换社保卡收取工本费20元”不一致" in warning
    assert "燃气" not in warning                                   # only what the change touches
    assert [b for b in at.button if b.key == "review_approve"][0].disabled is False


def test_entry_page_links_the_answers_its_text_names(kb, users):
    at = open_page("app_pages/entry.py", users["agent"], id="water-bill-payment")
    assert not at.exception
    named = [(label, query) for label, _page, query in links(at) if label.startswith("正文提到的答复")]
    assert named == [("正文提到的答复：2027年1月1日起居民阶梯水价调整（未生效）", "id=water-tiered-price-2027")]


def test_entry_page_offers_an_edit_link_to_those_who_may_edit_it(kb, users):
    at = open_page("app_pages/entry.py", users["hrss-editor"], id="sscard-reissue")
    assert ("编辑此条目", "edit", "entry=sscard-reissue") in links(at)
    for who, entry in (("agent", "sscard-reissue"), ("hrss-editor", "water-bill-payment")):  # not theirs to edit
        at = open_page("app_pages/entry.py", users[who], id=entry)
        assert not [link for link in links(at) if link[0] == "编辑此条目"]


def test_the_review_page_says_another_open_request_changes_the_same_answer(kb, users):
    from kb_app import render

    first = kb.review.create(users["hrss-editor"], "更正补卡工本费", {HRSS: edited(kb, HRSS, "\n工本费 20 元。\n")},
                             submit=True)
    second = kb.review.create(users["center"], "补充办理地点", {HRSS: edited(kb, HRSS, "\n地点：市民中心。\n")})
    at = open_page("app_pages/review.py", users["hrss-reviewer"], cr=str(first.id))
    said = render.markdown_literal(f"“社会保障卡丢了怎么补办”同时在变更请求 #{second.id}“补充办理地点”（张校核，草稿）中修改："
                                   "批准发布本变更请求后，它们会“有冲突”，要由作者按发布后的版本更新、重新审核。")
    assert said in [w.value for w in at.warning]
    assert (f"查看变更请求 #{second.id}", "review", f"cr={second.id}") in links(at)
    kb.review.withdraw(users["center"], second.id)
    at = open_page("app_pages/review.py", users["hrss-reviewer"], cr=str(first.id))
    assert not any("同时在变更请求" in w.value for w in at.warning)


def test_a_regulation_change_shows_config_rewrites_moved_questions_and_deleted_citations_to_fix(app_env, users):
    from ..review.test_impact import REG, amend
    kb = app_env
    limits = "regulations/time_limits.yaml"
    kb.store.write_change("main", {limits: kb.store.read(limits).replace("article: 19}", "article: 42}", 1)},
                          "时限档位引用第四十二条")
    cr = kb.review.create(users["center2"], "保定条例修正", {REG: amend(kb.store.read(REG))}, submit=True)
    at = open_page("app_pages/review.py", users["legal"], cr=str(cr.id))
    errors = " ".join(e.value for e in at.error)
    assert "引用了已删除条文、需要人工改正的依据" in errors and f"{limits} tiers[2h].basis" in errors
    infos = " ".join(i.value for i in at.info)
    assert "配置中仅条号变化、已在本变更中改写的依据" in infos and "第十九条 → 第二十条" in infos
    assert "条例常见问法已随条号调整：保定市接诉即办工作条例 原第十三条 → 第十四条" in infos
    assert "已删除条文的常见问法已一并删除：保定市接诉即办工作条例 原第四十二条" in infos


def test_review_page_says_a_rule_changed_after_the_request_was_written(kb, users):
    """Approving it will not clear the entry's 依据已变更，待核: the reviewer is told before approving."""
    from kb_app.review import reverify

    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n新句子。\n")}, submit=True)
    from ..conftest import commit_all

    path = kb.settings.root / HOTLINE
    path.write_text(path.read_text(encoding="utf-8") + "\n另一句。\n", encoding="utf-8")
    commit_all(kb.settings.root, "主干上的另一次发布")
    later = kb.store.head()                                # a rule change published after the request was written
    reverify._write_flags(kb, {"sscard-reissue": {"entry": "sscard-reissue", "commit": later, "since": "2026-11-22",
                                                  "detail": "beijing-2021 第十一条内容已修改"}})
    at = open_page("app_pages/review.py", users["hrss-reviewer"])
    assert not at.exception
    assert any(w.value.startswith("“社会保障卡丢了怎么补办”的依据在本变更请求写成之后有了变更（beijing-2021 第十一条内容已修改）：")
               for w in at.warning), [w.value for w in at.warning]


def test_a_tier_change_lists_the_answers_stating_the_tier_and_those_only_mentioning_its_figure(app_env, users):
    kb = app_env
    limits = "regulations/time_limits.yaml"
    text = kb.store.read(limits).replace("amount: 3\n", "amount: 2\n", 1).replace("name: 3个工作日", "name: 2个工作日", 1)
    cr = kb.review.create(users["center2"], "一般诉求改为2个工作日", {limits: text}, submit=True)
    at = open_page("app_pages/review.py", users["legal"], cr=str(cr.id))
    assert not at.exception
    infos = " ".join(i.value for i in at.info)
    assert "提到原时限、但看不出是热线工单时限的条目（未标记待核，请核对）" in infos and "新华街道如何开具居住证明（东湖区新华街道办事处）" in infos
    # the change itself in words, tier by tier; its YAML only on request
    tables = " ".join(h.proto.body for h in at.get("html") if "kbfields" in h.proto.body)
    assert "时限档位“3个工作日” · 时限" in tables and "<ins>2个工作日</ins>" in tables
    reasons = [row for df in at.dataframe for row in df.value.to_dict("records") if "原因" in row]
    assert {"标题": kb.snapshot().entries["hotline-time-limits"].title, "所属单位": "示例市12345市民服务热线中心",
            "原因": "答复写明的时限“3个工作日”已变更，现为“2个工作日”"} in reasons


def test_an_intake_rule_change_shows_the_emergencies_it_would_no_longer_flag_first(app_env, users):
    """Taking 失火 out of the fire words: a fire call transferred this month would no longer be shown as one."""
    kb = app_env
    kb.feedback.log_outcome("厂房失火了", "transfer", line="119")
    kb.feedback.log_outcome("路灯坏了好几天，能不能公开一下维修进度", "dispatch", entry="street-light-out")
    rules = "regulations/intake_rules.yaml"
    text = kb.store.read(rules)
    edited_rules = text.replace(" 失火,", "", 1).replace("      - 公开政府信息\n", "      - 公开政府信息\n      - 公开\n", 1)
    cr = kb.review.create(users["center2"], "收窄火情说法、补充信息公开说法", {rules: edited_rules}, submit=True)
    at = open_page("app_pages/review.py", users["legal"], cr=str(cr.id))
    errors = [e.value for e in at.error]
    assert errors and "条以往的紧急来电将不再提示为紧急" in errors[0] and "厂房失火了" in errors[0], errors
    assert "紧急，转119（火灾和爆炸险情） → 普通诉求（按派单目录派单）" in errors[0]
    warnings = [w.value for w in at.warning]
    assert any("条来电的分类会改变" in w and "路灯坏了好几天，能不能公开一下维修进度" in w
               and "分类处置：政府信息公开申请" in w for w in warnings), warnings
    assert "配置变化：分类处置规则" in warnings and not any("regulations/intake_rules.yaml" in w for w in warnings)
    # approved only knowingly: the loss said again by the button, which waits for the reviewer's confirmation
    lost = kb.review.lost_emergencies(cr)
    assert lost and any(f"本变更会使 {lost} 条以往的紧急来电不再提示为紧急" in e for e in errors)
    [confirm] = [c for c in at.checkbox if c.key.startswith("review_accept_lost_")]
    assert confirm.label == f"我已核对这 {lost} 条来电：它们不再提示为紧急是有意的" and not confirm.value
    assert at.button(key="review_approve").disabled
    confirm.check().run()
    assert not at.button(key="review_approve").disabled
    at.button(key="review_approve").click().run()
    assert not at.exception and any("legal" == a["reviewer"] for a in kb.review.status(kb.review.get(cr.id)).approvals.values())


def test_the_author_of_a_rule_change_is_told_the_editor_cannot_change_it(app_env, users):
    """The editor edits answers and catalogue entries: for a request changing only rules, the review page
    says so instead of offering a button that would open some unrelated answer."""
    kb = app_env
    limits = "regulations/time_limits.yaml"
    text = kb.store.read(limits).replace("amount: 3\n", "amount: 2\n", 1)
    cr = kb.review.create(users["center2"], "一般诉求改为2个工作日", {limits: text}, submit=True)
    at = open_page("app_pages/review.py", users["center2"], cr=str(cr.id))
    assert not at.exception
    assert not [b for b in at.button if b.key == "review_edit"]
    assert any(c.value.startswith("本变更只修改条例或配置文件，编辑器只能修改答复口径和派单目录。需要再修改的，请由系统管理员")
               for c in at.caption)
    # the author comments; approving is not theirs to do
    assert at.text_area(key="review_comment").label.startswith("评论（审核人和您都会看到")
    answer = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n新句子。\n")}, submit=True)
    at = open_page("app_pages/review.py", users["hrss-editor"], cr=str(answer.id))
    assert [b for b in at.button if b.key == "review_edit"]
