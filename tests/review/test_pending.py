"""What agents see pending on an answer: an open change request changing it, open error reports (纠错)."""

import pytest

from ..review_helpers import HOTLINE, HRSS, correction, edited, quiet_users

ENTRY = "sscard-reissue"


@pytest.fixture
def users(kb, monkeypatch):
    return quiet_users(kb, monkeypatch)


def marks(kb, entry_id=ENTRY):
    reader = kb.reader(staff=True)
    return reader.status_marks(reader.entry(entry_id))


def test_an_agent_sees_a_correction_under_review_until_it_is_published(kb, users):
    assert marks(kb) == []
    cr = correction(kb, users)
    assert marks(kb) == [f"修改审核中 #{cr.id}"]
    found = kb.reader(staff=True).pending(kb.entry(ENTRY))
    assert found.sentences() == [f"这条答复有修改正在审核：变更请求 #{cr.id}“更正补卡工本费”（审核中），发布前这里仍是原来的答复，采用前请核对。"]
    kb.review.approve(users["hrss-reviewer"], cr.id)
    assert marks(kb) == [f"修改审核中 #{cr.id}"]          # approved by one party, still under review
    assert kb.review.approve(users["center"], cr.id).state == "published"
    assert marks(kb) == []


def test_the_mark_goes_when_the_request_is_withdrawn(kb, users):
    cr = correction(kb, users)
    kb.review.withdraw(users["hrss-editor"], cr.id)
    assert marks(kb) == []


def test_a_draft_nobody_submitted_is_no_correction_under_way(kb, users):
    cr = correction(kb, users, submit=False)
    assert marks(kb) == []
    kb.review.submit(users["hrss-editor"], cr.id)
    assert marks(kb) == [f"修改审核中 #{cr.id}"]


def test_a_request_deleting_an_answer_says_so(kb, users):
    cr = kb.review.create(users["hrss-editor"], "停办补卡答复", {HRSS: None}, submit=True)
    assert marks(kb) == [f"删除审核中 #{cr.id}"]
    assert kb.reader(staff=True).pending(kb.entry(ENTRY)).sentences() == [
        f"这条答复正在撤下：变更请求 #{cr.id}“停办补卡答复”（审核中）要删除它。"]


def test_an_open_error_report_is_marked_with_its_count_and_day_until_its_task_is_closed(kb, users):
    kb.feedback.report_error(ENTRY, "工本费写错了，现在是 20 元")
    kb.feedback.report_error(ENTRY, "电话打不通", audience="agent", username="agent")
    assert marks(kb) == ["有纠错待处理 2 条"]
    found = kb.reader(staff=True).pending(kb.entry(ENTRY))
    assert found.sentences() == ["有人报告这条答复有误：2 条纠错待处理（最早 2026-11-22），承办单位正在核实。"]
    for task in kb.tasks.list_tasks(state="open"):
        if task.entry == ENTRY:
            kb.tasks.dismiss(task.id, "已核实，答复无误", users["center"])
    assert marks(kb) == []


def test_the_public_reader_carries_nothing_pending(kb, users):
    correction(kb, users)
    kb.feedback.report_error(ENTRY, "工本费写错了")
    reader = kb.reader(staff=False)
    assert reader.pending(reader.entry(ENTRY)) is None and reader.status_marks(reader.entry(ENTRY)) == []


def test_kb_search_and_dispatch_mark_it_for_agents_only(kb, users, built_index):
    import json
    import shutil

    from click.testing import CliRunner

    from kb_app.cli import cli

    shutil.copytree(built_index, kb.settings.index_dir)
    cr = correction(kb, users)
    kb.feedback.report_error(ENTRY, "工本费写错了")
    base = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_dir)]

    def run(*args):
        return CliRunner().invoke(cli, [*args, *base], catch_exceptions=False).stdout.splitlines()

    out = run("search", "--audience", "agent", "--limit", "3", "社保卡丢了怎么补办")
    assert out[1].startswith(f"1\t{ENTRY}\t") and out[1].endswith(f"\t有效、修改审核中 #{cr.id}、有纠错待处理 1 条")
    assert out[-2:] == [
        f"1. 社会保障卡丢了怎么补办：这条答复有修改正在审核：变更请求 #{cr.id}“更正补卡工本费”（审核中），发布前这里仍是原来的答复，采用前请核对。",
        "1. 社会保障卡丢了怎么补办：有人报告这条答复有误：1 条纠错待处理（最早 2026-11-22），承办单位正在核实。"]
    [hit] = [h for h in json.loads(run("search", "--audience", "agent", "--json", "社保卡丢了怎么补办")[0])["hits"]
             if h["id"] == ENTRY]
    assert hit["pending"]["change_requests"][0]["id"] == cr.id and hit["pending"]["reports"]["open"] == 1
    public = run("search", "--limit", "3", "社保卡丢了怎么补办")
    assert public[1].endswith("\t有效") and not any("更正" in line or "纠错" in line for line in public)
    assert "pending" not in run("search", "--json", "社保卡丢了怎么补办")[0]
    out = run("dispatch", "社保卡丢了怎么补办")
    assert any(line.startswith(f"建议直接答复：社会保障卡丢了怎么补办 [{ENTRY}]（公开、修改审核中 #{cr.id}、有纠错待处理 1 条，")
               for line in out)
    assert f"   这条答复有修改正在审核：变更请求 #{cr.id}“更正补卡工本费”（审核中），发布前这里仍是原来的答复，采用前请核对。" in out


# -- several requests on one entry: what somebody starting on it is told ------------------------------------


def test_under_way_names_every_open_request_on_an_entry_drafts_too_but_the_one_being_edited(kb, users):
    from kb_app.review.pending import under_way_note

    draft = correction(kb, users, submit=False)
    other = kb.review.create(users["center"], "补充办理地点", {HRSS: edited(kb, HRSS, "\n地点：市民中心。\n")},
                             submit=True)
    found = kb.under_way([HRSS, HOTLINE])
    assert [(c.cr, c.title, c.state, c.change, c.author) for c in found[HRSS]] == [
        (draft.id, "更正补卡工本费", "draft", "M", "hrss-editor"), (other.id, "补充办理地点", "in_review", "M", "center")]
    assert HOTLINE not in found                                      # nobody else is changing that one
    assert [c.cr for c in kb.under_way([HRSS], exclude=[draft.id])[HRSS]] == [other.id]
    assert under_way_note("本条目", found[HRSS], {"hrss-editor": "李编辑", "center": "张校核"}) == (
        f"本条目已在变更请求 #{draft.id}“更正补卡工本费”（李编辑，草稿）、变更请求 #{other.id}“补充办理地点”（张校核，审核中）"
        "中修改。其中一个发布后，其余的会“有冲突”，要按发布后的版本更新、重新审核：请先与对方沟通。")
    kb.review.withdraw(users["center"], other.id)
    assert kb.under_way([HRSS], exclude=[draft.id]) == {}
    assert marks(kb) == []                                           # the agents' marks still leave drafts out


def test_the_editor_warns_of_others_requests_and_of_ones_own_other_than_the_current_one(kb, users):
    editor = users["hrss-editor"]
    mine = correction(kb, users, submit=False)
    assert kb.editing.who_else(editor, HRSS) == ""                  # a new request: one's own is offered instead
    assert [c.cr for c in kb.editing.mine_on(editor, HRSS)] == [mine.id]
    other = kb.review.create(users["center"], "补充办理地点", {HRSS: edited(kb, HRSS, "\n地点：市民中心。\n")})
    assert kb.editing.who_else(editor, HRSS) == (
        f"本条目已在变更请求 #{other.id}“补充办理地点”（张校核，草稿）中修改。其中一个发布后，其余的会“有冲突”，"
        "要按发布后的版本更新、重新审核：请先与对方沟通。")
    assert [c.cr for c in kb.editing.others_editing(editor, HRSS, mine.id)] == [other.id]
    assert [c.cr for c in kb.editing.others_editing(users["center"], HRSS, other.id)] == [mine.id]


def test_an_answer_under_correction_or_reported_wrong_is_taken_with_a_caution(kb, users):
    assert kb.reader(staff=True).pending(kb.entry(ENTRY)) is None
    kb.feedback.report_error(ENTRY, "工本费写错了")
    found = kb.reader(staff=True).pending(kb.entry(ENTRY))
    assert found.caution() == ("这条答复被报告有误（有纠错待处理 1 条）：采用前请仔细核对现行内容，"
                               "念给来电人时逐句确认。")
    cr = correction(kb, users)
    assert kb.reader(staff=True).pending(kb.entry(ENTRY)).caution() == (
        f"这条答复正在更正（修改审核中 #{cr.id}、有纠错待处理 1 条）：采用前请仔细核对现行内容，念给来电人时逐句确认。")
