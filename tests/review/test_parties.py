"""Who a request waits for: every required party, flagged when no account can approve for it; and the
comments its author has not seen since last acting on it."""

import pytest
from click.testing import CliRunner

from kb_app.cli import cli
from kb_app.kb import Kb
from kb_app.review import objection

from ..review_helpers import HRSS, PASSWORD, edited, make_users

MEDICAL = "entries/policy/city-medical-security/medical-out-of-area-filing.md"
SYNONYMS = "regulations/synonyms.yaml"
NO_ACCOUNT = "目前没有可审核的账号"
AUTHOR_ONLY = "作者是该审核方唯一的审核人"


@pytest.fixture
def users(kb, monkeypatch):
    monkeypatch.setattr(Kb, "reindex", lambda self, *a, **k: None)
    return make_users(kb)


def medical_change(kb, users, submit=True):
    """A change to a medical-security answer, written by the hotline centre: no account reviews for that unit."""
    return kb.review.create(users["center"], "更正异地备案", {MEDICAL: edited(kb, MEDICAL, "\n备案可在线办理。\n")},
                            submit=submit)


def test_a_party_with_no_account_is_flagged_with_what_to_do(kb, users):
    cr = medical_change(kb, users)
    waiting = kb.review.awaiting(cr)
    assert waiting.parties == ["center", "unit:city-medical-security"]
    assert waiting.gaps == {"unit:city-medical-security": "no_account"}
    assert waiting.words == f"等待热线中心校核、示例市医疗保障局（{NO_ACCOUNT}）审核"
    assert waiting.advice == [f"审核方“示例市医疗保障局”{NO_ACCOUNT}：请管理员在“用户管理”中添加单位审核人（所属单位：示例市医疗保障局）"
                              "账号（已有账号被停用的，恢复它），否则本变更请求无法发布。"]


def test_only_an_active_reviewer_of_the_party_counts(kb, users):
    cr = medical_change(kb, users)
    # An editor of the unit, an agent and an administrator approve for no party.
    kb.users.add("med-editor", "医编辑", PASSWORD, "unit_editor", "city-medical-security")
    kb.users.add("med-admin", "医管理", PASSWORD, "admin", "city-medical-security")
    assert kb.review.awaiting(cr).gaps == {"unit:city-medical-security": "no_account"}
    kb.users.add("med-reviewer", "医审核", PASSWORD, "unit_reviewer", "city-medical-security")
    assert kb.review.awaiting(cr).gaps == {} and kb.review.awaiting(cr).advice == []
    kb.users.set_disabled("med-reviewer")
    assert kb.review.awaiting(cr).gaps == {"unit:city-medical-security": "no_account"}


def test_the_author_as_the_only_reviewer_of_a_party_is_flagged(kb, users):
    text = kb.store.read(SYNONYMS) + "\n# 补充说明\n"
    cr = kb.review.create(users["legal"], "同义词补充说明", {SYNONYMS: text}, submit=True)
    waiting = kb.review.awaiting(cr)
    assert waiting.gaps == {"legal": "author_only"}
    assert waiting.words == f"等待热线中心校核、法制审核（{AUTHOR_ONLY}）审核"
    assert waiting.advice == [f"审核方“法制审核”：{AUTHOR_ONLY}，而作者不能审核自己的变更。请管理员在“用户管理”中再添加一名法制审核账号，"
                              "否则本变更请求无法发布。"]
    # A second legal reviewer can approve it: nothing in the way.
    kb.users.add("legal2", "钱法制", PASSWORD, "legal_reviewer")
    assert kb.review.awaiting(cr).gaps == {}


def test_parties_that_approved_are_no_longer_waited_for(kb, users):
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "x\n")}, submit=True)
    assert kb.review.awaiting(cr).words == "等待热线中心校核、示例市人力资源和社会保障局审核"
    kb.review.approve(users["center"], cr.id)
    assert kb.review.awaiting(cr).parties == ["unit:city-hrss"]


def test_submitting_says_every_party_and_flags(kb, users):
    ed = kb.editing
    saved = ed.save(users["center"], "new", {MEDICAL: edited(kb, MEDICAL, "\n备案可在线办理。\n")}, "更正", submit=True)
    assert saved.awaiting.gaps == {"unit:city-medical-security": "no_account"}
    assert saved.waiting_for == ["热线中心校核", "示例市医疗保障局"]


def test_an_objection_names_every_party_it_waits_for(kb, users):
    cr = objection.file(kb, users["um-editor"], "street-light-out", "路灯所在道路为区管道路，养护责任在西山区。",
                        "district-xishan")
    waiting = kb.review.awaiting(cr)
    assert len(waiting.parties) > 2
    assert waiting.words.startswith(f"等待{len(waiting.parties)}方审核：热线中心校核、")
    assert all(kb.review.status(cr).labels[p] in waiting.words for p in waiting.parties)


def test_the_command_line_flags_parties_at_submission_and_in_show(kb, users, monkeypatch, tmp_path):
    monkeypatch.setenv("KB_PASSWORD", PASSWORD)
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    new = tmp_path / "a.md"
    new.write_text(edited(kb, MEDICAL, "\n备案可在线办理。\n"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["cr", "create", "--as", "center", "--title", "更正", "--set", f"{MEDICAL}={new}",
                                      "--submit", *root])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        f"等待热线中心校核、示例市医疗保障局（{NO_ACCOUNT}）审核。",
        f"注意：审核方“示例市医疗保障局”{NO_ACCOUNT}：请管理员在“用户管理”中添加单位审核人（所属单位：示例市医疗保障局）账号"
        "（已有账号被停用的，恢复它），否则本变更请求无法发布。"]
    show = CliRunner().invoke(cli, ["cr", "show", "1", *root]).output
    assert f"  审核方 示例市医疗保障局：待审核（{NO_ACCOUNT}）\n" in show
    assert f"  注意：审核方“示例市医疗保障局”{NO_ACCOUNT}：" in show
    # Updated, it is back in review: said again.
    new.write_text(edited(kb, MEDICAL, "\n备案可在线或线下办理。\n"), encoding="utf-8")
    updated = CliRunner().invoke(cli, ["cr", "update", "1", "--as", "center", "--set", f"{MEDICAL}={new}", *root]).output
    assert updated.splitlines()[1].startswith(f"注意：审核方“示例市医疗保障局”{NO_ACCOUNT}：")


def test_new_comments_are_those_since_the_authors_last_step(kb, users, monkeypatch):
    clock = iter(f"2026-11-20T10:{m:02d}:00" for m in range(60))
    monkeypatch.setattr(kb.review, "_now", lambda: next(clock))
    cr = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "x\n")}, submit=True)
    assert kb.review.new_comments(cr) == []
    kb.review.comment(users["center"], cr.id, "请确认办理地点")
    kb.review.comment(users["hrss-reviewer"], cr.id, "工本费要写清楚")
    assert [c["body"] for c in kb.review.new_comments(cr)] == ["工本费要写清楚", "请确认办理地点"]   # newest first
    # The author answers: what came before is no longer new, what comes after is.
    kb.review.comment(users["hrss-editor"], cr.id, "已补充")
    assert kb.review.new_comments(cr) == []
    kb.review.comment(users["center"], cr.id, "还缺电话")
    assert [c["body"] for c in kb.review.new_comments(cr)] == ["还缺电话"]
    kb.review.update(users["hrss-editor"], cr.id, {HRSS: edited(kb, HRSS, "y\n")}, "补充电话")
    assert kb.review.new_comments(cr) == []


@pytest.mark.parametrize("labels, said", [
    ({"legal": "法制审核"}, "等待法制审核"),
    ({"center": "热线中心校核", "legal": "法制审核"}, "等待热线中心校核、法制审核"),
    ({"unit:a": "示例市医疗保障局"}, "等待示例市医疗保障局审核"),
])
def test_a_party_named_for_its_review_is_not_said_twice(labels, said):
    from kb_app.review.records import Awaiting

    assert Awaiting(list(labels), labels).words == said


def test_an_objection_leaving_the_boundary_saying_who_leads_tells_its_reviewers(kb, users):
    """拖欠工资 moved to 住建委 with its text still saying 由人力资源社会保障部门（劳动保障监察）主办: the reviewers are told to
    check it, on the review page and in kb cr show; an objection proposing its own boundary is not."""
    cr = objection.file(kb, users["hrss-editor"], "wage-arrears", "工地拖欠农民工工资由住建部门督促总承包单位清偿。",
                        "city-housing")
    said = kb.stale_boundary(cr)
    assert said.startswith("改派后事项说明（职责边界）没有修改，仍写着“职责边界：用人单位拖欠、克扣劳动者工资的投诉，"
                           "由人力资源社会保障部门（劳动保障监察）主办")
    assert "请核对它与改派后的主办单位（示例市住房和城乡建设委员会）是否相符" in said
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    shown = CliRunner().invoke(cli, ["cr", "show", str(cr.id), *root])
    assert f"  注意：{said}" in shown.output.splitlines()
    kb.review.withdraw(users["hrss-editor"], cr.id)
    assert kb.stale_boundary(kb.review.get(cr.id)) is None
    body = kb.snapshot().entries["wage-arrears"].body.replace("由人力资源社会保障部门（劳动保障监察）主办",
                                                              "工程建设领域的由住房城乡建设部门主办")
    again = objection.file(kb, users["hrss-editor"], "wage-arrears", "工地拖欠农民工工资由住建部门督促总承包单位清偿。",
                           "city-housing", co_handle=True, boundary=body)
    assert kb.stale_boundary(again) is None
