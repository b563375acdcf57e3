"""AppTest of the editor and history pages: saving, validation next to fields, retire, delete, restore."""

import pytest

from .review_helpers import HRSS, edited, make_users
from .ui_helpers import open_page


@pytest.fixture
def users(app_env):
    kb = app_env
    return make_users(kb)


def key_of(at, kind, prefix):
    return next(w.key for w in getattr(at, kind) if w.key and w.key.startswith(prefix))


def open_entry(user, path=HRSS):
    at = open_page("app_pages/editor.py", user)
    at.selectbox(key="editor_entry").set_value(path).run()
    return at


def test_editor_lists_only_the_units_entries(kb, users):
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    labels = at.selectbox(key="editor_entry").options
    snap = kb.snapshot()
    paths = [e.path for e in snap.entry_list if f"{e.title}（{e.id}）" in labels]
    assert len(paths) == len(labels) and HRSS in paths
    assert all(p.startswith("entries/policy/city-hrss/") or "directory" in p for p in paths)


def test_edit_and_save_creates_a_cr(kb, users):
    at = open_entry(users["hrss-editor"])
    body_key = key_of(at, "text_area", "editor_body_")
    at.text_area(key=body_key).input(at.text_area(key=body_key).value + "\n**新增**：可在自助终端补卡。\n").run()
    assert "<strong>新增</strong>" in "".join(h.proto.body for h in at.get("html"))
    assert "✓ 校验通过" in "".join(c.value for c in at.caption)
    at.button(key="editor_save").click().run()
    assert not at.exception and [e.value for e in at.error] == []
    cr = kb.review.list()[0]
    assert at.success[0].value == f"修改已保存到变更请求 #{cr.id}（审核中）。"
    assert "可在自助终端补卡" in kb.store.read(HRSS, cr.head)
    assert kb.review.status(cr).required == ["center", "unit:city-hrss"]


def test_validation_message_next_to_the_field(kb, users):
    at = open_entry(users["hrss-editor"])
    at.text_input(key=key_of(at, "text_input", "editor_title_")).input("").run()
    assert "⚠ 缺少必填字段。在前置信息中填写 title。" in "".join(c.value for c in at.caption)
    at.button(key="editor_save").click().run()
    cr = kb.review.list()[0]
    assert not cr.valid
    assert "注意：校验未通过（1 个问题），修正前不能批准。" in at.success[0].value


def test_two_files_in_one_cr(kb, users):
    first = kb.review.create(users["hrss-editor"], "打包发布", {HRSS: edited(kb, HRSS, "x\n")})
    other = "entries/policy/city-hrss/labor-contract-basics.md"
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.selectbox(key="editor_target").set_value(first.id).run()
    at.selectbox(key="editor_entry").set_value(other).run()
    at.button(key="editor_retire").click().run()
    assert not at.exception and [e.value for e in at.error] == []
    cr = kb.review.get(first.id)
    assert sorted(kb.review.status(cr).touched) == sorted([HRSS, other])
    assert "expires: 2026-11-22" in kb.store.read(other, cr.head)


def test_delete_from_the_editor(kb, users):
    at = open_entry(users["hrss-editor"])
    at.button(key="editor_delete").click().run()
    cr = kb.review.list()[0]
    assert kb.review.status(cr).touched == {HRSS: "D"}
    assert at.success[0].value == f"删除已保存到变更请求 #{cr.id}（审核中）。"


def test_new_entry_needs_an_id(kb, users):
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.radio(key="editor_mode").set_value("new").run()
    at.button(key="editor_save").click().run()
    assert [e.value for e in at.error] == ["缺少编号：请填写条目编号（小写字母、数字和连字符）。"]
    at.text_input(key="editor_id").input("sscard-new").run()
    at.text_input(key=key_of(at, "text_input", "editor_title_")).input("新条目").run()
    at.text_area(key=key_of(at, "text_area", "editor_body_")).input("正文。").run()
    at.button(key="editor_save").click().run()
    cr = kb.review.list()[0]
    assert kb.review.status(cr).touched == {"entries/policy/city-hrss/sscard-new.md": "A"}


def test_history_page_versions_diff_and_restore(kb, users):
    original = kb.store.head()
    cr = kb.review.create(users["hrss-editor"], "改补卡", {HRSS: edited(kb, HRSS, "\n历史新句。\n")}, submit=True)
    kb.review.approve(users["hrss-reviewer"], cr.id)
    kb.review.approve(users["center"], cr.id)
    at = open_page("app_pages/history.py", users["hrss-editor"])
    at.text_input(key="history_typed").input("sscard-reissue").run()
    table = at.dataframe[0].value
    assert list(table["变更请求"]) == [str(cr.id), ""]
    assert list(table["审核人"])[0] == "张校核 <热线中心校核>；王审核 <示例市人力资源和社会保障局>"
    assert "历史新句。" in "".join(h.proto.body for h in at.get("html"))
    at.selectbox(key=f"history_restore_to_{HRSS}").set_value(original).run()
    at.button(key="history_restore").click().run()
    restore = kb.review.list()[0]
    assert at.success[0].value == f"已建立变更请求 #{restore.id}（审核中），审核通过后恢复为该版本。"
    assert kb.store.read(HRSS, restore.head) == kb.store.read(HRSS, original)


def test_history_of_an_unknown_entry(kb, users):
    at = open_page("app_pages/history.py", users["center"])
    at.text_input(key="history_typed").input("no-such-entry").run()
    assert [e.value for e in at.error] == ["条目“no-such-entry”不存在：请检查编号。"]


def test_editor_opens_the_entry_named_in_the_link(kb, users):
    """The task inbox links to edit?entry=<id>; the editor opens that entry, shown by its title."""
    at = open_page("app_pages/editor.py", users["hrss-editor"], entry="sscard-reissue")
    box = at.selectbox(key="editor_entry")
    assert box.value == HRSS
    assert "社会保障卡丢了怎么补办（sscard-reissue）" in box.options
