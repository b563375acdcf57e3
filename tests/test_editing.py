"""The editor's core: form values, the file written (only changed fields), paths, checks, saving, tasks."""

import datetime as dt
import difflib

import pytest

from kb_app.choices import Choices
from kb_app.content.model import ID_PATTERN
from kb_app.editing import BY_NAME, changes_from_form, form_value, front_matter_value, id_from_title, in_words, path_for
from kb_app.exceptions import PermissionDenied
from kb_app.content.yamledit import DELETE

from .review_helpers import HRSS, make_users


@pytest.fixture
def users(kb):
    return make_users(kb)


def diff(a, b):
    return [line for line in difflib.unified_diff(a.splitlines(), b.splitlines(), n=0, lineterm="")
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_saving_an_untouched_form_writes_the_file_unchanged(kb):
    """Every sample entry: the form's starting values give back the file byte for byte."""
    ed = kb.editing
    for entry in kb.snapshot().entry_list:
        draft = ed.open(entry.path)
        edit = ed.compose(draft, dict(draft.values), draft.body)
        assert edit.text == draft.text, entry.path
        assert edit.unchanged


def test_one_sentence_edited_changes_one_line(kb):
    ed = kb.editing
    draft = ed.open(HRSS)
    body = draft.body.replace("   - 线上：在", "   - 线上：在手机上的")
    edit = ed.compose(draft, dict(draft.values), body)
    assert diff(draft.text, edit.text) == [
        "-   - 线上：在\"示例市民服务\"APP申请补卡，卡片制作完成后邮寄到家；",
        "+   - 线上：在手机上的\"示例市民服务\"APP申请补卡，卡片制作完成后邮寄到家；"]
    assert (edit.changed, edit.body_changed, edit.problems) == ([], True, [])


def test_changed_fields_are_written_in_place(kb):
    ed = kb.editing
    draft = ed.open(HRSS)
    values = dict(draft.values, title="社保卡丢了怎么补办", keywords=draft.values["keywords"] + "、补办社保卡",
                  review_by=None, expires=dt.date(2027, 12, 31),
                  basis=draft.values["basis"] + [{"regulation": "beijing-2021", "article": 31}])
    edit = ed.compose(draft, values, draft.body)
    assert edit.changed == ["title", "keywords", "expires", "review_by", "basis"]
    assert diff(draft.text, edit.text) == [
        "-title: 社会保障卡丢了怎么补办", "+title: 社保卡丢了怎么补办",
        "-keywords: [社会保障卡, 社保卡, 补卡, 换卡, 挂失, 电子社保卡]",
        "+keywords: [社会保障卡, 社保卡, 补卡, 换卡, 挂失, 电子社保卡, 补办社保卡]",
        "-review_by: 2027-06-30", "+expires: 2027-12-31",
        "+  - {regulation: beijing-2021, article: 31}"]


@pytest.mark.parametrize("field, value, entered, meta", [
    ("questions", ["甲", "乙"], "甲\n乙\n\n丙 ", ["甲", "乙", "丙"]),
    ("keywords", ["甲"], "甲、乙, 丙；丁", ["甲", "乙", "丙", "丁"]),
    ("keywords", ["甲"], "", []),
    ("co_handlers", [], [], None),
    ("effective", dt.date(2026, 1, 1), None, DELETE),
    ("facts", {"电话": "12345"}, "电话：12345\n地址: 人民路 1 号\n备注", {"电话": "12345", "地址": "人民路 1 号", "备注": ""}),
    ("agent_notes", "第一行\n第二行\n", "第一行\n第二行", None),  # untouched: no phantom change
    ("agent_notes", "第一行\n第二行\n", "第一行\n第二行改", "第一行\n第二行改\n"),
    ("agent_notes", "一行", "", DELETE),
    ("title", "标题", " 新标题 ", "新标题"),
    # what the form shows as text stays as written: a number is not turned into a quoted string
    ("keywords", [2025, "养老金"], "2025、养老金、调整", [2025, "养老金", "调整"]),
    ("facts", {"电话": 12345, "费用": "免费"}, "电话：12345\n费用：10元", {"电话": 12345, "费用": "10元"}),
])
def test_form_values_and_front_matter(field, value, entered, meta):
    changes = changes_from_form([BY_NAME[field]], {field: value}, {field: entered})
    assert changes == ({} if meta is None else {field: meta})


def test_values_the_form_cannot_show_are_kept():
    """A date nobody can read stays as written unless a date is chosen (a lost expiry would go public)."""
    field = BY_NAME["expires"]
    assert form_value(field, "2026年1月1日") is None
    assert changes_from_form([field], {"expires": "2026年1月1日"}, {"expires": None}) == {}
    assert changes_from_form([field], {"expires": "2026年1月1日"}, {"expires": dt.date(2026, 1, 1)}) == \
        {"expires": dt.date(2026, 1, 1)}
    assert front_matter_value(BY_NAME["basis"], [{"document": "文号"}, {}]) == [{"document": "文号"}]


def test_facts_written_with_quotes_as_in_yaml_keep_no_quotes():
    """咨询电话: "12345" is the number 12345; quotes inside a value (办理“一件事”) stay."""
    entered = '咨询电话: "12345"\n\'工本费\'：免费\n办理方式：办理“一件事”'
    assert front_matter_value(BY_NAME["facts"], entered) == {"咨询电话": "12345", "工本费": "免费",
                                                            "办理方式": "办理“一件事”"}


def test_new_entry_path_and_checks(kb, users):
    ed = kb.editing
    draft = ed.new("policy", users["hrss-editor"])
    edit = ed.compose(draft, dict(draft.values, title="灵活就业社保补贴"), "正文。\n", entry_id="flexible-subsidy")
    assert edit.path == "entries/policy/city-hrss/flexible-subsidy.md" == path_for("policy", "city-hrss",
                                                                                   "flexible-subsidy")
    assert edit.text == ("---\nid: flexible-subsidy\nkind: policy\ntitle: 灵活就业社保补贴\nunit: city-hrss\n"
                         "audience: public\n---\n正文。\n")
    assert edit.problems == []
    taken = ed.compose(draft, dict(draft.values, title="x"), "正文。", entry_id="sscard-reissue")
    assert [p.message for p in taken.problems_for("id")] == ["编号“sscard-reissue”已被“社会保障卡丢了怎么补办”使用"]
    bad = ed.compose(draft, dict(draft.values, title="x"), "正文。", entry_id="No Such")
    assert bad.path is None and [p.message for p in bad.problems_for("id")] == ["编号“No Such”格式不对"]
    nothing = ed.compose(ed.new("policy", users["center"]), {"title": "x"}, "正文。", entry_id="abc")
    assert nothing.path is None and [p.message for p in nothing.problems_for("unit")] == ["还没有选择所属单位"]
    directory = ed.new("directory", users["center"])
    edit = ed.compose(directory, dict(directory.values, title="路灯不亮", unit="hotline-center",
                                      handler="city-urban-management", level="city", time_limit="5wd"),
                      "职责边界。", entry_id="street-light")
    assert edit.path == "entries/directory/street-light.md" and edit.problems == []


@pytest.mark.parametrize("title, taken, expected", [
    ("社会保障卡丢了怎么补办", (), "shehuibaozhang-ka-diu-buban"),
    ("绿化带里的树倒了", (), "lvhuadai-li-shu-dao"),
    ("12345工单多久能办完（办理时限）", (), "12345-gongdan-duojiu-banwan-banli"),   # whole words, ≤ 40 characters
    ("ABC证件 办理", (), "abc-zhengjian-banli"),
    ("重庆税务", ("chongqing-shuiwu", "chongqing-shuiwu-2"), "chongqing-shuiwu-3"),
    ("怎么办？", (), ""),
    ("", (), ""),
])
def test_an_id_spelt_from_the_title(title, taken, expected):
    entry_id = id_from_title(title, set(taken))
    assert entry_id == expected
    assert entry_id == "" or ID_PATTERN.match(entry_id)


def test_a_new_entry_without_an_id_is_named_from_its_title(kb, users):
    ed = kb.editing
    draft = ed.new("policy", users["hrss-editor"])
    edit = ed.compose(draft, dict(draft.values, title="灵活就业社保补贴"), "正文。\n")
    assert edit.entry_id == "linghuo-jiuye-shebao-butie" and edit.problems == []
    assert edit.path == "entries/policy/city-hrss/linghuo-jiuye-shebao-butie.md"
    assert edit.text.startswith("---\nid: linghuo-jiuye-shebao-butie\nkind: policy\n")
    assert "bus-route" in kb.snapshot().entries                                 # a catalogue entry's id
    assert ed.compose(draft, dict(draft.values, title="Bus Route"), "正文。\n").entry_id == "bus-route-2"
    untitled = ed.compose(draft, dict(draft.values), "正文。\n")
    assert untitled.path is None and [p.fix for p in untitled.problems_for("id")][0].startswith("先填写标题")


def test_validation_problems_name_the_field(kb):
    ed = kb.editing
    draft = ed.open(HRSS)
    broken = [{"regulation": "beijing-2021", "article": 999}]
    edit = ed.compose(draft, dict(draft.values, title="", basis=broken), draft.body)
    assert [p.field for p in edit.problems] == ["title", "basis"]
    assert edit.problems_for("title")[0].message == "缺少必填字段"


def test_who_may_edit_what(kb, users):
    ed = kb.editing
    mine = ed.entries(users["hrss-editor"])
    assert HRSS in [r.path for r in mine]
    assert all("city-hrss" in r.path or r.kind == "directory" for r in mine)
    assert len(ed.entries(users["center"])) == len(kb.snapshot().entry_list)
    assert ed.entries(users["agent"]) == []
    draft = ed.open(HRSS)
    # an answer stays in its unit's folder
    assert ed.unit_options(users["center"], draft, ed.choices()) == ["city-hrss"]


def test_choices_speak_by_name(kb):
    choices = Choices.from_snapshot(kb.snapshot())
    assert choices.tier_name("5wd") == "5个工作日"
    assert choices.unit_name("city-hrss") == "示例市人力资源和社会保障局"
    assert choices.basis_label({"regulation": "beijing-2021", "article": 11}) == "《北京市接诉即办工作条例》第十一条"
    assert choices.article_text("beijing-2021", 11).startswith("市民热线服务工作机构对咨询类诉求")
    assert choices.show("time_limit", "24h") == "24小时"
    assert choices.show("effective", dt.date(2026, 1, 1)) == "2026-01-01"


def test_save_marks_tasks_and_publishing_closes_only_those(kb, users):
    kb.feedback.report_error("sscard-reissue", "补卡地点写错了", "public")
    kb.feedback.report_error("sscard-reissue", "电话变了", "agent")
    [t1, t2] = sorted(t.id for t in kb.feedback.list_tasks("city-hrss"))
    ed = kb.editing
    draft = ed.open(HRSS)
    edit = ed.compose(draft, dict(draft.values), draft.body + "\n补卡地点：各区政务服务中心。\n")
    saved = ed.save(users["hrss-editor"], "new", {edit.path: edit.text}, "更正补卡地点", submit=True, tasks=[t1])
    assert saved.submitted and saved.tasks == [t1]
    assert saved.waiting_for == ["热线中心校核", "示例市人力资源和社会保障局"]
    assert saved.cr.data == {"resolves": [t1]}
    kb.review.approve(users["hrss-reviewer"], saved.cr.id)
    kb.review.approve(users["center"], saved.cr.id)
    assert kb.feedback.task(t1).state == "closed"
    assert kb.feedback.task(t1).close_reason.startswith(f"已由变更请求 #{saved.cr.id}“更正补卡地点”处理并发布")
    assert kb.feedback.task(t2).state == "open"  # the same entry's other report was not marked


def test_tasks_of_another_unit_cannot_be_marked(kb, users):
    kb.feedback.report_error("residence-permit-apply", "地址变了", "agent")
    [task] = kb.feedback.list_tasks("city-public-security")
    with pytest.raises(PermissionDenied):
        kb.editing.save(users["hrss-editor"], "new", {HRSS: kb.store.read(HRSS) + "x\n"}, "x",
                        tasks=[task.id])


def test_adding_to_an_open_change_request_keeps_its_tasks(kb, users):
    kb.feedback.assign_query("灵活就业补贴", "city-hrss")
    kb.feedback.report_error("sscard-reissue", "电话变了", "agent")
    zero, report = sorted(t.id for t in kb.feedback.list_tasks("city-hrss"))
    ed = kb.editing
    assert [t.id for t in ed.tasks_for(users["hrss-editor"], "sscard-reissue", "city-hrss")] == [report, zero]
    first = ed.save(users["hrss-editor"], "new", {HRSS: kb.store.read(HRSS) + "x\n"}, "草稿", tasks=[report])
    assert first.cr.state == "draft" and not first.submitted
    other = "entries/policy/city-hrss/labor-contract-basics.md"
    second = ed.save(users["hrss-editor"], first.cr.id, {other: kb.store.read(other) + "y\n"}, "再改",
                     submit=True, tasks=[zero])
    assert second.cr.id == first.cr.id and second.submitted
    assert second.cr.data["resolves"] == sorted([report, zero])


def test_retire_ends_the_entry_yesterday(kb):
    ed = kb.editing
    draft = ed.open(HRSS)
    # expires is the last day in force: yesterday, so that the public no longer finds it once published today
    assert diff(draft.text, ed.retired(draft)) == ["+expires: 2026-11-21"]


def test_messages_say_values_as_the_form_offers_them():
    assert in_words("只给坐席看的答复把 audience 改为 internal") == "只给坐席看的答复把“受众”改为“内部（仅坐席）”"
    assert in_words("个案信息写进 agent_notes 或改为 audience: internal") == "个案信息写进“坐席提示”或把“受众”改为“内部（仅坐席）”"
    assert in_words("改为 public（公众可见）或 internal（仅坐席可见）") == "改为“公开（公众可查）”或“内部（仅坐席）”"
    assert in_words("改为 city（市级）、district（区级）或 street（街乡级）") == "改为“市级”、“区级”或“街乡级”"
    # Ids and paths that contain such a word stay as they are.
    assert in_words("移到 entries/policy/city-public-security/") == "移到 entries/policy/city-public-security/"
