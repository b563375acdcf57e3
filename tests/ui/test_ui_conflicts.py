"""AppTest of a change request whose entry someone else published meanwhile (editor and review pages), and of
the editor's word that another person has the entry open in a request."""

import re

import pytest

from kb_app import render

from ..review_helpers import HRSS, make_users
from ..ui_helpers import open_page

A_LINE = "（A补充）补卡申领期限为丢失之日起60日内。"


@pytest.fixture
def users(app_env):
    kb = app_env
    found = make_users(kb)
    kb.users.add("hrss-editor2", "吴编辑", "secret-pass-1", "unit_editor", "city-hrss", "e2@example.invalid")
    found["hrss-editor2"] = kb.users.get("hrss-editor2")
    return found


def publish(kb, users, cr):
    kb.review.approve(users["hrss-reviewer"], cr.id)
    return kb.review.approve(users["center"], cr.id)


def crossed(kb, users, b_text):
    """B's request (``b_text``), approved by its unit, overtaken by A's line published meanwhile: nobody may approve
    it before B updates it."""
    original = kb.store.read(HRSS)
    b = kb.review.create(users["hrss-editor2"], "B 的修改", {HRSS: b_text(original)}, submit=True)
    kb.review.approve(users["hrss-reviewer"], b.id)
    a = publish(kb, users, kb.review.create(users["hrss-editor"], "A 的补充", {HRSS: original + "\n" + A_LINE + "\n"},
                                            submit=True))
    b = kb.review.get(b.id)
    assert a.state == "published" and kb.review.approval_refused(b)
    return a, b


def open_request(user, cr):
    at = open_page("app_pages/editor.py", user)
    at.selectbox(key="editor_target").set_value(cr.id).run()
    return at


def body(at):
    return next(w for w in at.text_area if w.key and w.key.startswith("editor_body_"))


def test_a_conflicting_request_opens_merged_and_resubmitting_keeps_the_published_line(kb, users):
    a, b = crossed(kb, users, lambda t: t.replace("请尽快办理正式挂失和补卡。", "请尽快办理正式挂失并补卡。"))
    at = open_request(users["hrss-editor2"], b)
    assert any(f"已由变更请求 #{a.id}（李编辑，" in i.value and "自动合并" in i.value for i in at.info)
    assert A_LINE in body(at).value and "正式挂失并补卡" in body(at).value
    at.button(key="editor_save").click().run()                    # unchanged form: the merge is what is saved
    assert not at.exception and not at.warning and not at.error
    b = kb.review.get(b.id)
    assert b.state == "in_review" and A_LINE in kb.store.read(HRSS, b.head)


def test_an_unmergeable_request_starts_from_main_and_is_not_saved_unchanged(kb, users):
    a, b = crossed(kb, users, lambda t: t + "\nB 在末尾补充的一句。\n")
    at = open_request(users["hrss-editor2"], b)
    said = [w.value for w in at.warning]
    assert any(f"已由变更请求 #{a.id}（李编辑，" in w and "无法自动合并" in w for w in said)
    assert A_LINE in body(at).value and "B 在末尾补充的一句。" not in body(at).value     # main's version
    assert any("B 在末尾补充的一句。" in c.value for c in at.code)                     # B's own, to copy
    at.button(key="editor_save").click().run()
    assert "表单中还是主干上的现行版本，没有您的修改" in " ".join(w.value for w in at.warning)
    assert kb.review.get(b.id).head == b.head
    body(at).set_value(body(at).value + "\nB 在末尾补充的一句。\n").run()
    at.button(key="editor_save").click().run()
    b = kb.review.get(b.id)
    text = kb.store.read(HRSS, b.head)
    assert b.state == "in_review" and A_LINE in text and "B 在末尾补充的一句。" in text


def test_review_page_shows_the_change_against_main_and_the_published_line_it_removes(kb, users):
    a, b = crossed(kb, users, lambda t: t.replace("请尽快办理正式挂失和补卡。", "请尽快办理正式挂失并补卡。"))
    at = open_page("app_pages/review.py", users["center2"])
    at.selectbox(key="review_select").set_value(b.id).run()
    said = " ".join(w.value for w in at.warning)
    assert f"已由变更请求 #{a.id}（李编辑，" in said and "为免删去它们，本变更在作者基于现行版本更新" in said and A_LINE in said
    html = re.sub("<[^>]+>", "", "".join(h.proto.body for h in at.get("html")))
    assert "修改前（现行版本）" in html and "起草时依据的版本" in html


def test_the_editor_says_who_else_has_the_entry_open(kb, users):
    other = kb.review.create(users["hrss-editor"], "A 的补充", {HRSS: kb.store.read(HRSS) + "\n补充。\n"}, submit=True)
    at = open_page("app_pages/editor.py", users["hrss-editor2"])
    at.selectbox(key="editor_entry").set_value(HRSS).run()
    assert render.markdown_literal(f"本条目已在变更请求 #{other.id}“A 的补充”（李编辑，审核中）中修改。其中一个发布后，"
                                   "其余的会“有冲突”，要按发布后的版本更新、重新审核：请先与对方沟通。") \
        in [w.value for w in at.warning]
    mine = open_page("app_pages/editor.py", users["hrss-editor"])
    mine.selectbox(key="editor_entry").set_value(HRSS).run()
    assert not any("已在变更请求" in w.value for w in mine.warning)          # one's own is said otherwise


def test_the_editor_names_a_colleagues_draft_and_keeps_warning_inside_ones_own_request(kb, users):
    """Two editors of one unit on one answer: each is told of the other's request, a draft too, whoever began first."""
    mine = kb.review.create(users["hrss-editor"], "A 的补充", {HRSS: kb.store.read(HRSS) + "\n补充。\n"})
    theirs = kb.review.create(users["hrss-editor2"], "B 的更正", {HRSS: kb.store.read(HRSS) + "\n更正。\n"})
    at = open_request(users["hrss-editor"], mine)
    said = [w.value for w in at.warning if "已在变更请求" in w.value]
    assert said == [render.markdown_literal(f"本条目已在变更请求 #{theirs.id}“B 的更正”（吴编辑，草稿）中修改。其中一个发布后，"
                                            "其余的会“有冲突”，要按发布后的版本更新、重新审核：请先与对方沟通。")]
    assert f"#{mine.id}" not in said[0]                                     # not the request being edited


def test_the_published_lines_a_request_lacks_are_one_list():
    from kb_app.ui.change_view import listed
    assert listed(["1. 先挂失：拨打 12345。", "- 再补卡", "## 办理地点", "> 注意", "（A补充）补卡申领期限为60日内。"]) == (
        "- 先挂失：拨打 12345。\n- 再补卡\n- 办理地点\n- 注意\n- （A补充）补卡申领期限为60日内。")
