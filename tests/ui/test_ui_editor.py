"""AppTest of the editor and history pages: saving, validation next to fields, retire, delete, restore."""

import datetime as dt
import re

import pytest

from ..review_helpers import HRSS, edited, make_users
from ..ui_helpers import links, open_page


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


def texts(at, kind):
    return [e.value for e in getattr(at, kind)]


def body_key(at):
    return key_of(at, "text_area", "editor_body_")


def test_editor_lists_only_the_units_entries(kb, users):
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    box = at.selectbox(key="editor_entry")
    snap = kb.snapshot()
    mine = [e for e in snap.entry_list if "city-hrss" in (e.path, e.unit, e.handler, *e.co_handlers)]
    assert sorted(box.options) == sorted(f"{e.title}（{'答复口径' if e.kind == 'policy' else '派单目录'}·"
                                         f"{snap.unit_name(e.unit)}）" for e in mine)
    assert "社会保障卡丢了怎么补办（答复口径·示例市人力资源和社会保障局）" in box.options


def test_edit_the_body_and_submit(kb, users):
    at = open_entry(users["hrss-editor"])
    old = at.text_area(key=body_key(at)).value
    at.text_area(key=body_key(at)).input(old.replace("当场领卡", "当场领取新卡")).run()
    assert "当场领取新卡" in "".join(h.proto.body for h in at.get("html"))       # the preview follows
    assert "校验通过" in "".join(texts(at, "caption"))
    at.button(key="editor_submit").click().run()
    assert not at.exception and texts(at, "error") == []
    cr = kb.review.list()[0]
    assert texts(at, "success") == [f"修改“社会保障卡丢了怎么补办”已提交审核：变更请求 #{cr.id}，等待热线中心校核、"
                                    "示例市人力资源和社会保障局审核。"]
    assert ("查看审核进度", "review", f"cr={cr.id}") in links(at)
    new = kb.store.read(HRSS, cr.head)
    changed = [line for line in new.splitlines() if line not in kb.store.read(HRSS).splitlines()]
    assert len(changed) == 1 and "当场领取新卡" in changed[0]    # one line; the front matter as it was
    assert at.selectbox(key="editor_target").value == cr.id     # further saves go to the same request


def test_save_a_draft(kb, users):
    at = open_entry(users["hrss-editor"])
    at.text_input(key=key_of(at, "text_input", "editor_title_")).input("社保卡丢了怎么补").run()
    at.button(key="editor_save").click().run()
    cr = kb.review.list()[0]
    assert cr.state == "draft"
    assert texts(at, "success") == [f"修改“社保卡丢了怎么补”已保存为草稿：变更请求 #{cr.id}。"
                                    "审核人还看不到它，改好后点“提交审核”。"]


def test_nothing_changed_is_not_saved(kb, users):
    at = open_entry(users["hrss-editor"])
    at.button(key="editor_submit").click().run()
    assert texts(at, "warning") == ["没有任何改动：表单与主干上的现行版本相同，修改字段或正文后再保存。"] and kb.review.list() == []


def test_validation_message_next_to_the_field(kb, users):
    at = open_entry(users["hrss-editor"])
    at.text_input(key=key_of(at, "text_input", "editor_title_")).input("").run()
    assert "缺少必填字段。在表单中填写“标题”。" in "".join(texts(at, "caption"))     # the form's words
    at.button(key="editor_submit").click().run()                  # reviewers get only what passes
    assert texts(at, "error") == ["还不能提交审核：有 1 个问题（见各字段下的红字）。改正后再提交，或先点“保存草稿”留待以后改。"]
    assert kb.review.list() == []
    at.button(key="editor_save").click().run()                    # a draft may be saved half done
    cr = kb.review.list()[0]
    assert not cr.valid and cr.state == "draft"
    assert "注意：校验未通过（1 个问题），修正前不能批准。" in at.success[0].value
    at = open_entry(users["hrss-editor"])
    at.text_area(key=body_key(at)).input("").run()
    assert "正文为空。在“正文”中写上答复内容或职责边界说明。" in "".join(texts(at, "caption"))  # no 前置信息


def test_validation_messages_name_the_choices_the_form_offers(kb, users):
    """The file's values (internal, public) are said as the select shows them."""
    at = open_entry(users["hrss-editor"])
    at.text_area(key=body_key(at)).input(at.text_area(key=body_key(at)).value + "\n内部口径：暂不受理。\n").run()
    said = "".join(texts(at, "caption"))
    assert "只给坐席看的答复把“受众”改为“内部（仅坐席）”" in said
    assert not re.search(r"\b(internal|public)\b", said)


def test_a_change_request_renaming_the_entry_keeps_it_chosen(kb, users):
    """The list names an entry by its title on main: the page remembers the choice by that name."""
    cr = kb.review.create(users["hrss-editor"], "补卡", {HRSS: edited(kb, HRSS, title="")}, submit=False)
    main = {r.path: r.label for r in kb.editing.entries(users["hrss-editor"])}
    in_request = {r.path: r.label for r in kb.editing.entries(users["hrss-editor"], cr.head)}
    assert in_request == main and main[HRSS].startswith("社会保障卡丢了怎么补办")


def test_the_body_is_asked_for_as_what_the_entry_is(kb, users):
    at = open_page("app_pages/editor.py", users["center"])
    at.selectbox(key="editor_entry").set_value("entries/directory/bus-route.md").run()
    assert at.text_area(key=body_key(at)).label == "正文（Markdown，写明职责边界：包括什么、不包括什么（派哪里））"
    assert "预览（坐席看到的样子）" in texts(at, "caption")
    at = open_entry(users["hrss-editor"])
    assert at.text_area(key=body_key(at)).label == "正文（Markdown，写成可以直接念给来电人的答复）"
    assert "预览（公众和坐席看到的样子）" in texts(at, "caption")


def test_fields_speak_the_users_language(kb, users):
    at = open_page("app_pages/editor.py", users["center"])
    at.selectbox(key="editor_entry").set_value("entries/directory/bus-route.md").run()
    tier = at.selectbox(key=key_of(at, "selectbox", "editor_time_limit_"))
    # Each tier with the kind of matter it is for; the chosen one's matters in full, and all of them in the help.
    tiers = kb.snapshot().tiers
    assert tier.value == "5wd" and "2小时（紧急诉求）" in tier.options
    assert "3个工作日（一般求助、投诉、举报）" in tier.options and "24小时（较急诉求）" in tier.options
    assert f"5个工作日适用于：{tiers['5wd']['description']}" in texts(at, "caption")
    assert all(t["description"] in tier.help for t in tiers.values())
    handler = at.selectbox(key=key_of(at, "selectbox", "editor_handler_"))
    assert handler.value == "city-transport" and kb.snapshot().unit_name("city-transport") in handler.options
    regulation = at.selectbox(key=key_of(at, "selectbox", "editor_br0_"))
    assert regulation.value == "beijing-2021" and "北京市接诉即办工作条例" in regulation.options
    article = at.selectbox(key=key_of(at, "selectbox", "editor_ba0_"))
    assert article.value == 12 and "第十二条" in article.options
    assert any(c.startswith("第十二条：") for c in texts(at, "caption"))          # the article's text is shown
    dates = [d for d in at.date_input if d.key.startswith("editor_")]
    assert [d.label for d in dates] == ["生效日期", "有效期至", "复核日期"]
    assert not any("YAML" in label for label in [t.label for t in at.text_area])


def test_cite_an_article_from_the_lists(kb, users):
    at = open_entry(users["hrss-editor"])
    at.button(key=key_of(at, "button", "editor_basis_add_regulation_")).click().run()
    at.selectbox(key=key_of(at, "selectbox", "editor_br1_")).set_value("baoding-2022").run()
    at.selectbox(key=key_of(at, "selectbox", "editor_ba1_baoding-2022_")).set_value(28).run()
    assert any(c.startswith("第二十八条：") for c in texts(at, "caption"))
    at.button(key="editor_submit").click().run()
    cr = kb.review.list()[0]
    new = kb.store.read(HRSS, cr.head).splitlines()
    assert [line for line in new if line not in kb.store.read(HRSS).splitlines()] == [
        "  - {regulation: baoding-2022, article: 28}"]


def test_an_answer_without_a_basis_is_pointed_out(kb, users):
    at = open_entry(users["hrss-editor"])
    assert not [c for c in texts(at, "caption") if "没有列出政策依据" in c]          # the sample answer cites one
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.radio(key="editor_mode").set_value("new").run()
    assert [c for c in texts(at, "caption") if "提醒：没有列出政策依据" in c]


def test_two_files_in_one_cr(kb, users):
    first = kb.review.create(users["hrss-editor"], "打包发布", {HRSS: edited(kb, HRSS, "x\n")})
    other = "entries/policy/city-hrss/labor-contract-basics.md"
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.selectbox(key="editor_target").set_value(first.id).run()
    at.selectbox(key="editor_entry").set_value(other).run()
    at.button(key="editor_retire").click().run()
    assert texts(at, "warning")[0].startswith("确定停用“单位不签劳动合同怎么办”吗？")     # asked first
    at.button(key="editor_retire_confirm").click().run()
    assert not at.exception and texts(at, "error") == []
    cr = kb.review.get(first.id)
    assert sorted(kb.review.status(cr).touched) == sorted([HRSS, other])
    assert "expires: 2026-11-21" in kb.store.read(other, cr.head)


def test_delete_asks_to_confirm(kb, users):
    at = open_entry(users["hrss-editor"])
    at.button(key="editor_delete").click().run()
    assert kb.review.list() == []
    assert texts(at, "warning")[0].startswith("确定删除“社会保障卡丢了怎么补办”吗？")
    at.button(key="editor_delete_cancel").click().run()
    assert texts(at, "warning") == [] and kb.review.list() == []
    at.button(key="editor_delete").click().run()
    at.button(key="editor_delete_confirm").click().run()
    cr = kb.review.list()[0]
    assert kb.review.status(cr).touched == {HRSS: "D"}
    assert texts(at, "success")[0].startswith(f"删除“社会保障卡丢了怎么补办”已提交审核：变更请求 #{cr.id}")


def test_retire_asks_to_confirm(kb, users):
    at = open_entry(users["hrss-editor"])
    at.button(key="editor_retire").click().run()
    assert kb.review.list() == []                                        # nothing submitted on one click
    [asked] = texts(at, "warning")
    assert asked.startswith("确定停用“社会保障卡丢了怎么补办”吗？") and "有效期设为到昨天为止" in asked
    at.button(key="editor_retire_cancel").click().run()
    assert texts(at, "warning") == [] and kb.review.list() == []
    at.button(key="editor_retire").click().run()
    at.button(key="editor_retire_confirm").click().run()
    cr = kb.review.list()[0]
    assert "expires: 2026-11-21" in kb.store.read(HRSS, cr.head)
    assert texts(at, "success")[0].startswith(f"停用“社会保障卡丢了怎么补办”已提交审核：变更请求 #{cr.id}")
    assert texts(at, "warning") == []


def test_new_entry_needs_an_id(kb, users):
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.radio(key="editor_mode").set_value("new").run()
    at.button(key="editor_submit").click().run()
    assert texts(at, "error") == ["还不能保存：缺少编号，先填写标题（编号会按标题的拼音生成），或自己填写由小写字母、数字和连字符"
                                  "组成的编号，如 sscard-reissue。"]
    at.text_input(key="editor_id").input("sscard-new").run()
    at.text_input(key=key_of(at, "text_input", "editor_title_")).input("新条目").run()
    at.text_area(key=key_of(at, "text_area", "editor_body_")).input("正文。").run()
    at.button(key="editor_submit").click().run()
    cr = kb.review.list()[0]
    assert kb.review.status(cr).touched == {"entries/policy/city-hrss/sscard-new.md": "A"}
    assert at.radio(key="editor_mode").value == "edit"                          # go on editing what was saved
    assert at.selectbox(key="editor_entry").value == "entries/policy/city-hrss/sscard-new.md"


def test_a_new_entrys_saved_draft_offers_nothing_for_a_version_it_does_not_have(kb, users):
    """Never published: no 停用, 删除条目 or 与现行版本对比, and a past 有效期至 cleared is not public 重新."""
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.radio(key="editor_mode").set_value("new").run()
    at.text_input(key="editor_id").input("sscard-new").run()
    at.text_input(key=key_of(at, "text_input", "editor_title_")).input("新条目").run()
    at.text_area(key=key_of(at, "text_area", "editor_body_")).input("正文。").run()
    expires = next(d for d in at.date_input if d.key.startswith("editor_expires_"))
    expires.set_value(dt.date(2025, 6, 1)).run()
    at.button(key="editor_save").click().run()
    assert at.selectbox(key="editor_entry").value == "entries/policy/city-hrss/sscard-new.md"   # the saved draft
    keys = {b.key for b in at.button}
    assert "editor_save" in keys and not keys & {"editor_retire", "editor_delete"}
    assert not [t for t in at.toggle if t.key.startswith("editor_compare_")]
    expires = next(d for d in at.date_input if d.key.startswith("editor_expires_"))
    at.button(key=f"{expires.key}_clear").click().run()
    said = [c for c in texts(at, "caption") if "本条目有效期至 2025-06-01" in c]
    assert said and "发布时它将对公众可见" in said[0] and "重新" not in said[0]


def test_a_new_entry_without_an_id_takes_one_from_its_title(kb, users):
    """Unit staff write a title; the id (file name and address) is spelt from it and shown before saving."""
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.radio(key="editor_mode").set_value("new").run()
    assert "填写标题后，编号按标题生成。" in texts(at, "caption")                # no error before typing
    assert not [c for c in texts(at, "caption") if "缺少编号" in c]
    at.text_input(key=key_of(at, "text_input", "editor_title_")).input("社会保障卡丢了怎么补办").run()
    assert "编号将是 **shehuibaozhang-ka-diu-buban**（按标题生成；要用别的编号，在上面填写）" in texts(at, "caption")
    at.text_area(key=key_of(at, "text_area", "editor_body_")).input("正文。").run()
    at.button(key="editor_submit").click().run()
    cr = kb.review.list()[0]
    assert kb.review.status(cr).touched == {"entries/policy/city-hrss/shehuibaozhang-ka-diu-buban.md": "A"}
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.radio(key="editor_mode").set_value("new").run()
    at.text_input(key="editor_id").input("sscard-lost").run()
    at.text_input(key=key_of(at, "text_input", "editor_title_")).input("社会保障卡丢了怎么补办").run()
    assert not [c for c in texts(at, "caption") if c.startswith("编号将是")]        # an id typed is the id


def test_the_request_is_named_after_the_title_as_typed(kb, users):
    """The change request's name follows the new entry's title until the editor writes their own."""
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.radio(key="editor_mode").set_value("new").run()
    name = key_of(at, "text_input", "editor_cr_title")
    assert at.text_input(key=name).value == "新增答复口径"                      # no empty 新增“” before a title
    at.text_input(key="editor_id").input("sscard-renamed").run()
    assert at.text_input(key=name).value == "新增答复口径"                      # an id is no title
    at.text_input(key=key_of(at, "text_input", "editor_title_")).input("社保卡更名").run()
    assert at.text_input(key=name).value == "新增“社保卡更名”"
    at.text_input(key=key_of(at, "text_input", "editor_title_")).input("社保卡更名办理").run()
    assert at.text_input(key=name).value == "新增“社保卡更名办理”"
    at.text_area(key=key_of(at, "text_area", "editor_body_")).input("正文。").run()
    at.button(key="editor_submit").click().run()
    assert kb.review.list()[0].title == "新增“社保卡更名办理”"


def test_a_request_name_written_by_hand_is_kept(kb, users):
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.radio(key="editor_mode").set_value("new").run()
    name = key_of(at, "text_input", "editor_cr_title")
    at.text_input(key=name).input("新增社保卡更名的答复").run()
    at.text_input(key=key_of(at, "text_input", "editor_title_")).input("社保卡更名").run()
    assert at.text_input(key=name).value == "新增社保卡更名的答复"
    at.text_area(key=key_of(at, "text_area", "editor_body_")).input("正文。").run()
    at.button(key="editor_submit").click().run()
    cr = kb.review.list()[0]
    assert cr.title == "新增社保卡更名的答复"
    # The message names the request as its author wrote it.
    assert texts(at, "success")[0].startswith(f"新增“社保卡更名”已提交审核：变更请求 #{cr.id}“新增社保卡更名的答复”，等待")


def test_a_task_link_marks_the_task(kb, users):
    kb.feedback.report_error("sscard-reissue", "补卡要带户口本吗？页面没写", "public")
    kb.feedback.report_error("sscard-reissue", "电话变了", "agent")
    marked, other = sorted(t.id for t in kb.feedback.list_tasks("city-hrss"))
    at = open_page("app_pages/editor.py", users["hrss-editor"], entry="sscard-reissue", task=str(marked))
    assert at.selectbox(key="editor_entry").value == HRSS
    boxes = {c.key.split("_")[1]: c for c in at.checkbox if c.key.startswith("editor_task")}
    assert boxes[f"task{marked}"].value and not boxes[f"task{other}"].value
    assert "补卡要带户口本吗？页面没写" in boxes[f"task{marked}"].label
    at.text_area(key=body_key(at)).input(at.text_area(key=body_key(at)).value + "\n无需户口本。\n").run()
    at.button(key="editor_submit").click().run()
    cr = kb.review.list()[0]
    assert cr.data == {"resolves": [marked]}
    assert "发布后将关闭 1 个维护任务。" in at.success[0].value


def test_history_page_versions_diff_and_restore(kb, users):
    original = kb.store.head()
    cr = kb.review.create(users["hrss-editor"], "改补卡", {HRSS: edited(kb, HRSS, "\n历史新句。\n")}, submit=True)
    kb.review.approve(users["hrss-reviewer"], cr.id)
    kb.review.approve(users["center"], cr.id)
    at = open_page("app_pages/history.py", users["hrss-editor"])
    at.text_input(key="history_typed").input("社保卡").run()       # a word of the title, as people say it
    assert at.selectbox(key="history_entry").value == "sscard-reissue"
    table = next(h.proto.body for h in at.get("html") if "kbtable" in h.proto.body)
    assert f">#{cr.id}</td>" in table
    assert "张校核（热线中心校核）；王审核（示例市人力资源和社会保障局）" in table
    assert "李编辑" in table and "系统（初始化或导入）" in table                  # authors by name
    published = kb.store.head()
    shown = [table, *at.selectbox(key=f"history_old_{HRSS}").options, *(m.value for m in at.markdown)]
    assert not any(sha[:7] in text for text in shown for sha in (original, published))  # hashes in 技术信息 only
    # The two versions compared as the review showed them: the answer as readers saw it, changes marked.
    rendered = next(h.proto.body for h in at.get("html") if "kbrender" in h.proto.body)
    assert "<ins>历史新句。</ins>" in rendered and "字段没有变化。" in [c.value for c in at.caption]
    assert at.expander[0].label == "源文本对照"
    at.selectbox(key=f"history_old_{HRSS}").set_value(published).run()
    assert "选择了同一个版本：请在“旧版本”中选一个更早的版本。" in [c.value for c in at.caption]
    at.selectbox(key=f"history_restore_to_{HRSS}").set_value(original).run()
    undone = [c.value for c in at.caption if c.value.startswith("恢复到这个版本会撤销此后发布的 1 次修改：")]
    assert undone and f"变更请求 #{cr.id} " in undone[0] and "请在审核前写回变更请求" in undone[0], undone
    at.button(key="history_restore").click().run()
    restore = kb.review.list()[0]
    assert at.success[0].value == f"已建立变更请求 #{restore.id}（审核中），审核通过后恢复为该版本。"
    assert kb.store.read(HRSS, restore.head) == kb.store.read(HRSS, original)


def test_history_page_opens_on_no_entry_and_lists_what_was_published_last(kb, users):
    cr = kb.review.create(users["hrss-editor"], "改补卡", {HRSS: edited(kb, HRSS, "\n历史新句。\n")}, submit=True)
    kb.review.approve(users["hrss-reviewer"], cr.id)
    kb.review.approve(users["center"], cr.id)
    at = open_page("app_pages/history.py", users["center"])
    assert at.selectbox(key="history_entry").value is None          # no entry chosen for the user
    table = next(h.proto.body for h in at.get("html") if "kbtable" in h.proto.body)
    first_row = table.split("<tbody>")[1].split("</tr>")[0]
    assert 'href="history?entry=sscard-reissue"' in first_row and ">社会保障卡丢了怎么补办</a>" in first_row
    assert "改补卡" in first_row and f">#{cr.id}</td>" in first_row and "李编辑" in first_row
    assert "#### 比较两个版本" not in "".join(m.value for m in at.markdown) and not at.date_input


def test_history_page_shows_a_version_as_readers_saw_it(kb, users):
    at = open_page("app_pages/history.py", users["hrss-editor"], entry="sscard-reissue")
    assert at.selectbox(key="history_entry").value == "sscard-reissue"
    table = next(h.proto.body for h in at.get("html") if "kbtable" in h.proto.body)
    assert "<th scope='col'>删除</th>" not in table                  # no column of dashes when nothing was deleted
    assert [e.label for e in at.expander if e.label == "查看该版本全文"]
    seen, source = at.tabs
    fields = next(h.proto.body for h in seen.get("html") if "kbfields" in h.proto.body)
    assert "<th>字段</th><th>内容</th>" in fields and '<td class="f">标题</td><td>社会保障卡丢了怎么补办</td>' in fields
    assert "audience:" not in fields and "<td class=\"f\">audience</td>" not in fields  # labels, not the file's keys
    assert any("当场领卡" in h.proto.body and "<p>" in h.proto.body for h in seen.get("html"))  # the answer rendered
    assert "audience:" in source.code[0].value                        # the file as written, on a tab of its own
    # One version: nothing to compare, nothing older to restore.
    assert "只有一个已发布的版本，还没有可比较的。" in texts(at, "caption")
    assert not [b for b in at.selectbox if b.key == f"history_old_{HRSS}"]
    assert not [b for b in at.button if b.key == "history_restore"]


def test_history_page_names_deleted_versions(kb, users):
    cr = kb.review.create(users["hrss-editor"], "删除补卡", {HRSS: None}, submit=True)
    kb.review.approve(users["hrss-reviewer"], cr.id)
    kb.review.approve(users["center"], cr.id)
    at = open_page("app_pages/history.py", users["center"])
    table = next(h.proto.body for h in at.get("html") if "kbtable" in h.proto.body)
    assert ">社会保障卡丢了怎么补办（删除）</a>" in table.split("</tr>")[1]
    at = open_page("app_pages/history.py", users["center"], entry="sscard-reissue")
    table = next(h.proto.body for h in at.get("html") if "kbtable" in h.proto.body)
    assert "<th scope='col'>删除</th>" in table and ">已删除</td>" in table


def test_history_of_an_unknown_entry(kb, users):
    at = open_page("app_pages/history.py", users["center"])
    at.text_input(key="history_typed").input("no-such-entry").run()
    assert not at.error
    assert [e.value for e in at.info] == ["没有标题或编号符合“no-such-entry”的条目：换一个词试试，或清空查找框从列表中选择。"]


def test_editor_opens_the_entry_named_in_the_link(kb, users):
    """The task inbox links to edit?entry=<id>; the editor opens that entry, shown by its title."""
    at = open_page("app_pages/editor.py", users["hrss-editor"], entry="sscard-reissue")
    box = at.selectbox(key="editor_entry")
    assert box.value == HRSS
    assert "社会保障卡丢了怎么补办（答复口径·示例市人力资源和社会保障局）" in box.options


def test_the_author_is_reminded_of_an_answer_the_public_cannot_open(kb, users):
    at = open_entry(users["hrss-editor"])
    old = at.text_area(key=body_key(at)).value
    at.text_area(key=body_key(at)).input(old + "\n新标准请查看“2027年居民阶梯水价调整”答复。\n").run()
    captions = "".join(texts(at, "caption"))
    assert "校验通过" in captions                                  # a reminder, not a problem
    assert "提醒：正文提到的“2027年居民阶梯水价调整”答复（即“2027年1月1日起居民阶梯水价调整”）2027-01-01 才生效" in captions
    at.text_area(key=body_key(at)).input(old).run()
    assert "提醒：" not in "".join(texts(at, "caption"))


def test_the_author_is_reminded_of_a_fact_the_text_now_gives_otherwise(kb, users):
    at = open_entry(users["hrss-editor"])
    old = at.text_area(key=body_key(at)).value
    at.text_area(key=body_key(at)).input(old.replace("**免收工本费**", "收取工本费20元")).run()
    captions = "".join(texts(at, "caption"))
    assert "校验通过" in captions                                  # a reminder, not a problem
    assert "提醒：结构化事实“补卡工本费：免费”与正文“4. 费用：补换社保卡收取工本费20元”不一致" in captions
    at.text_area(key=body_key(at)).input(old).run()
    assert "提醒：" not in "".join(texts(at, "caption"))


def test_the_author_compares_the_edit_with_the_version_in_force_before_submitting(kb, users):
    at = open_entry(users["hrss-editor"])
    compare = next(t for t in at.toggle if t.key.startswith("editor_compare_"))
    compare.set_value(True).run()
    assert "与现行版本相同，没有修改。" in texts(at, "caption")
    old = at.text_area(key=body_key(at)).value
    at.text_area(key=body_key(at)).input(old.replace("**免收工本费**", "收取工本费20元")).run()
    rendered = "".join(h.proto.body for h in at.get("html"))
    assert "现行版本（已发布）" in rendered and "您的修改（发布后的样子）" in rendered
    plain = rendered.replace("<strong>", "").replace("</strong>", "")
    assert "<del>免收</del>" in plain and "<ins>收取</ins>" in plain and "<ins>20元</ins>" in plain


def test_a_second_request_on_an_entry_is_made_only_when_asked_twice(kb, users):
    first = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n补充一句。\n")}, submit=True)
    at = open_entry(users["hrss-editor"])
    assert at.selectbox(key="editor_target").value == "new"
    at.text_area(key=body_key(at)).input(at.text_area(key=body_key(at)).value + "\n另一句。\n").run()
    at.button(key="editor_submit").click().run()
    assert [c.id for c in kb.review.list()] == [first.id]                # nothing made yet: asked first
    [warning] = texts(at, "warning")
    assert warning.startswith(f"本条目已在您的变更请求 #{first.id}（审核中）中修改。") and "再点一次“提交审核”" in warning
    at.button(key="editor_submit").click().run()
    assert len(kb.review.list()) == 2
    [warning] = texts(at, "warning")       # inside the new request, the first is one of the others on the entry
    assert warning.startswith(f"本条目已在变更请求 &#35;{first.id}“补卡说明”（李编辑，审核中）中修改。")


def test_a_date_ahead_and_a_date_reached_are_said_apart(kb, users):
    at = open_entry(users["hrss-editor"], "entries/policy/city-hrss/pension-adjustment-2025.md")
    expires = next(d for d in at.date_input if d.key.startswith("editor_expires_"))
    ahead = kb.today() + dt.timedelta(days=30)
    expires.set_value(ahead).run()
    assert f"将保存为：有效期至 {ahead.isoformat()}（含这一天），次日起公众看不到。" in texts(at, "caption")
    # The last day in force is today: the public still sees it today, so it has not passed.
    expires = next(d for d in at.date_input if d.key == expires.key)
    expires.set_value(kb.today()).run()
    assert f"将保存为：有效期至 {kb.today().isoformat()}（含这一天），次日起公众看不到。" in texts(at, "caption")
    yesterday = kb.today() - dt.timedelta(days=1)
    expires = next(d for d in at.date_input if d.key == expires.key)
    expires.set_value(yesterday).run()
    assert f"将保存为：有效期至 {yesterday.isoformat()}（已过，公众看不到）。" in texts(at, "caption")
    effective = next(d for d in at.date_input if d.key.startswith("editor_effective_"))
    effective.set_value(kb.today()).run()
    assert f"将保存为：{kb.today().isoformat()} 起生效（这一天已到，发布即生效）。" in texts(at, "caption")


def test_a_date_can_be_cleared(kb, users):
    at = open_entry(users["hrss-editor"], "entries/policy/city-hrss/pension-adjustment-2025.md")
    expires = next(d for d in at.date_input if d.key.startswith("editor_expires_"))
    assert expires.value is not None
    # The date is said back in words, as it will be saved: a day past is said to have come.
    assert f"将保存为：有效期至 {expires.value.isoformat()}（已过，公众看不到）。" in texts(at, "caption")
    at.button(key=f"{expires.key}_clear").click().run()
    assert next(d for d in at.date_input if d.key == expires.key).value is None
    assert "未设有效期：一直有效，直到停用。" in texts(at, "caption")
    # The answer expired in 2025: published without the date it is public again, and the author is told.
    assert any("本条目有效期至 2025-12-31，已过、公众看不到；清除有效期后，发布时它将重新对公众可见。" in c
               for c in texts(at, "caption"))
    assert at.button(key=f"{expires.key}_clear").disabled                # still there, greyed: the columns line up
    at.button(key="editor_save").click().run()
    cr = kb.review.list()[0]
    assert "expires" not in kb.store.read("entries/policy/city-hrss/pension-adjustment-2025.md", cr.head)


def test_a_saved_draft_is_submitted_as_it_stands_and_choosing_it_opens_its_entry(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n补充一句。\n")}, submit=False)
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    assert at.selectbox(key="editor_entry").value != HRSS                 # the first entry of the list
    at.selectbox(key="editor_target").set_value(cr.id).run()
    assert at.selectbox(key="editor_entry").value == HRSS                 # the request's entry
    assert "该变更请求：草稿" in texts(at, "caption")
    at.button(key="editor_submit").click().run()
    assert not at.exception and texts(at, "warning") == []
    assert kb.review.get(cr.id).state == "in_review"
    assert texts(at, "success") == [f"“补卡说明”已提交审核：变更请求 #{cr.id}，等待热线中心校核、"
                                    "示例市人力资源和社会保障局审核。"]


def test_review_opens_the_editor_on_the_requests_entry(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n补充一句。\n")}, submit=True)
    at = open_page("app_pages/review.py", users["hrss-editor"], cr=str(cr.id))
    at.button(key="review_edit").click().run()
    assert not at.exception
    assert at.selectbox(key="editor_entry").value == HRSS and at.selectbox(key="editor_target").value == cr.id


def test_a_request_adding_an_entry_is_still_an_addition_when_edited_again(kb, users):
    """A reviewer sends a new answer back; the author mends it: the message says 新增, not 修改."""
    new = "entries/policy/city-hrss/sscard-notes.md"
    page = ("---\nid: sscard-notes\nkind: policy\ntitle: 社保卡挂失须知\nunit: city-hrss\naudience: public\n"
            "---\n挂失后补办。\n")
    cr = kb.review.create(users["hrss-editor"], "新增“社保卡挂失须知”", {new: page}, submit=True)
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.selectbox(key="editor_target").set_value(cr.id).run()
    assert at.selectbox(key="editor_entry").value == new
    at.text_area(key=body_key(at)).input("挂失后到社保经办机构补办。").run()
    at.button(key="editor_save").click().run()
    assert not at.exception
    assert texts(at, "success")[0].startswith(f"新增“社保卡挂失须知”已提交审核：变更请求 #{cr.id}")


def test_mending_a_returned_request_shows_what_the_reviewer_asked_and_that_saving_resubmits(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n补充一句。\n")}, submit=True)
    kb.review.request_changes(users["center"], cr.id, "请补充*办理地点*")
    at = open_page("app_pages/editor.py", users["hrss-editor"])
    at.selectbox(key="editor_target").set_value(cr.id).run()
    assert any(c.startswith(":orange[:material/rate_review: 退回时的审核意见（张校核，2026-") for c in texts(at, "caption"))
    assert "请补充*办理地点*" in [t.value for t in at.text]                   # as written, not as Markdown
    assert at.button(key="editor_save").label == "保存并重新提交审核"
    at.text_area(key=body_key(at)).input("补充一句：到社保经办机构办理。").run()
    at.button(key="editor_save").click().run()
    assert kb.review.get(cr.id).state == "in_review"
    assert texts(at, "success")[0].startswith(f"修改“社会保障卡丢了怎么补办”已重新提交审核：变更请求 #{cr.id}“补卡说明”，等待")
    # Back in review, saving again keeps it there: the button says only that it saves.
    assert at.button(key="editor_save").label == "保存修改"
    assert not any("退回时的审核意见" in c for c in texts(at, "caption"))


def test_a_list_box_shows_every_line_it_holds():
    """The common questions of an answer are all in view: the one a reviewer asked about is not below the box."""
    from kb_app.ui.style import list_box_height

    assert list_box_height("") == list_box_height("甲\n乙") == 110                      # three lines at least
    four = "\n".join(["社保卡丢了怎么办", "社保卡怎么补办", "社保卡挂失", "社保卡去哪里补办"])
    assert list_box_height(four) == 5 * 26 + 32 > list_box_height("甲\n乙\n丙")            # each line, and one to type
    assert list_box_height("\n".join("甲" * 40)) == 12 * 26 + 32                        # at most twelve


def test_an_entry_already_changed_in_an_open_request_points_to_it(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n补充一句。\n")}, submit=True)
    kb.review.request_changes(users["center"], cr.id, "请补充办理地点")
    at = open_entry(users["hrss-editor"])
    assert at.selectbox(key="editor_target").value == "new"
    assert [c for c in texts(at, "caption") if f"本条目已在您的变更请求 #{cr.id}（退回修改）中修改" in c]
    at.selectbox(key="editor_target").set_value(cr.id).run()
    assert not [c for c in texts(at, "caption") if "本条目已在您的变更请求" in c]


def test_an_answer_already_expired_is_not_retired_again(kb, users):
    """停用 on 2025年养老金调整 (expires 2025-12-31) set its expiry to yesterday: a year later than it was in force."""
    at = open_entry(users["hrss-editor"], "entries/policy/city-hrss/pension-adjustment-2025.md")
    retire = at.button(key="editor_retire")
    assert retire.disabled and "已于 2025-12-31 到期失效，公众已查不到，不必停用" in retire.help


def test_retiring_keeps_an_earlier_expiry_and_the_description_written(kb, users):
    path = "entries/policy/city-hrss/pension-adjustment-2025.md"
    assert kb.editing.retired(kb.editing.open(path)).count("expires: 2025-12-31") == 1
    at = open_entry(users["hrss-editor"])
    at.text_input(key=key_of(at, "text_input", "editor_cr_title")).input("补卡政策调整，原口径停用").run()
    at.button(key="editor_retire").click().run()
    at.button(key="editor_retire_confirm").click().run()
    assert kb.review.list()[0].title == "补卡政策调整，原口径停用"


def test_a_later_effective_day_on_an_answer_in_force_says_the_current_version_stays_public(kb, users):
    """社会保障卡丢了怎么补办 is public today: a new version from a later day leaves it public until then."""
    at = open_entry(users["hrss-editor"])
    effective = next(d for d in at.date_input if d.key.startswith("editor_effective_"))
    ahead = kb.today() + dt.timedelta(days=4)
    effective.set_value(ahead).run()
    until = (ahead - dt.timedelta(days=1)).isoformat()
    assert f"将保存为：{ahead.isoformat()} 起生效；此前公众看到的仍是现行版本（有效至 {until}）。" in texts(at, "caption")
