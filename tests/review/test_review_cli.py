"""The kb cr commands, acting as a user (--as, password from KB_PASSWORD)."""

import re

import pytest
from click.testing import CliRunner

from kb_app.cli import cli
from kb_app.kb import Kb

from ..review_helpers import HRSS, PASSWORD, edited, make_users


@pytest.fixture
def run(kb, monkeypatch):
    make_users(kb)
    monkeypatch.setattr(Kb, "reindex", lambda self, *a, **k: None)
    monkeypatch.setenv("KB_PASSWORD", PASSWORD)
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]

    def invoke(*args):
        return CliRunner().invoke(cli, [*args, *root])

    return invoke


def test_create_approve_publish_from_the_command_line(kb, run, tmp_path):
    changes = tmp_path / "changes"
    (changes / HRSS).parent.mkdir(parents=True)
    (changes / HRSS).write_text(edited(kb, HRSS, "\n命令行修改。\n"), encoding="utf-8")
    result = run("cr", "create", "--as", "hrss-editor", "--title", "命令行修改", "--dir", str(changes), "--submit")
    assert result.output == "已建立变更请求 #1（审核中，分支 cr/1）。\n等待热线中心校核、示例市人力资源和社会保障局审核。\n"
    result = run("cr", "approve", "1", "--as", "hrss-editor")
    assert (result.exit_code, result.output) == (1, "错误：您是变更请求 #1 的作者，不能批准自己的变更：请由其他审核人审核。\n")
    head = kb.review.get(1).head
    result = run("cr", "approve", "1", "--as", "hrss-reviewer", "--seen", "0000000")
    assert result.exit_code == 1 and "在您查看之后又有了新的修改（李编辑于 " in result.output
    assert "0000000" not in result.output and head[:7] not in result.output
    assert run("cr", "approve", "1", "--as", "hrss-reviewer", "--seen", head[:7]).output == \
        "变更请求 #1：已批准，当前状态为“审核中”。\n"
    show = run("cr", "show", "1").output
    assert f"  修改 {HRSS}\n" in show and "  审核方 热线中心校核：待审核\n" in show
    assert "作者：李编辑（hrss-editor）" in show        # the person, and the account to name with --as
    assert re.search(r"：已批准（王审核（hrss-reviewer），\d{4}-\d{2}-\d{2} \d{2}:\d{2}）\n", show), show
    assert run("cr", "approve", "1", "--as", "center").output == \
        "变更请求 #1：已批准。所有审核方均已批准，已发布到主干（检索随即更新）。\n"
    assert "命令行修改。" in kb.store.read(HRSS)
    assert run("cr", "publish", "1", "--as", "center").output == \
        "错误：变更请求 #1 当前为“已发布”，不能发布：它已经发布，无需再次发布。\n"
    assert run("cr", "list").output == "#1\t已发布\t李编辑（hrss-editor）\t命令行修改\n"   # the person, as kb cr show


def test_set_delete_update_and_decisions(kb, run, tmp_path):
    new = tmp_path / "new.md"
    new.write_text(edited(kb, HRSS, "x\n"), encoding="utf-8")
    other = "entries/policy/city-hrss/labor-contract-basics.md"
    result = run("cr", "create", "--as", "hrss-editor", "--title", "打包", "--set", f"{HRSS}={new}", "--delete", other)
    assert result.output == "已建立变更请求 #1（草稿，分支 cr/1）。\n"
    assert kb.review.status(kb.review.get(1)).touched == {HRSS: "M", other: "D"}
    result = run("cr", "request-changes", "1", "--as", "center")
    assert result.exit_code == 2 and "错误：缺少选项 '--comment'" in result.output, result.output
    new.write_text(edited(kb, HRSS, "y\n"), encoding="utf-8")
    assert run("cr", "update", "1", "--as", "hrss-editor", "--set", f"{HRSS}={new}").output == \
        "变更请求 #1 已更新（草稿）。\n"      # a draft had no approvals to lose
    assert run("cr", "withdraw", "1", "--as", "hrss-editor").output == "变更请求 #1：已撤回，当前状态为“已撤回”。\n"
    result = run("cr", "publish", "1", "--as", "center")
    assert result.output == "错误：变更请求 #1 当前为“已撤回”，不能发布：如仍需修改，请以它为底稿新建变更请求。\n"


def test_a_change_that_does_not_validate_stays_a_draft_naming_its_problems(kb, run, tmp_path):
    """Reviewers receive only what validates: --submit keeps such a change a draft and lists why;
    once corrected, kb cr submit sends it to review."""
    new = tmp_path / "new.md"
    new.write_text(edited(kb, HRSS, "x\n", effective="2026/01/01"), encoding="utf-8")
    result = run("cr", "create", "--as", "hrss-editor", "--title", "改日期", "--set", f"{HRSS}={new}", "--submit")
    lines = result.output.splitlines()
    assert result.exit_code == 1 and lines[0] == "已建立变更请求 #1（草稿，分支 cr/1）。"   # not submitted
    assert lines[1] == "注意：校验未通过，所以保存为草稿，没有提交审核（审核人只收到通过校验的修改），共 1 个问题："
    assert lines[2].startswith(f"  - {HRSS}:") and "effective" in lines[2]
    assert lines[3] == "改正后用 kb cr update 1 --set …更新，再用 kb cr submit 提交审核。"
    assert kb.review.get(1).state == "draft" and kb.review.waiting_for(kb.users.get("center")) == []
    result = run("cr", "submit", "1", "--as", "hrss-editor")
    assert result.exit_code == 1 and result.output.startswith("错误：变更请求 #1 未通过校验，不能提交审核")
    new.write_text(edited(kb, HRSS, "x\n"), encoding="utf-8")
    assert run("cr", "update", "1", "--as", "hrss-editor", "--set", f"{HRSS}={new}").output == "变更请求 #1 已更新（草稿）。\n"
    result = run("cr", "submit", "1", "--as", "hrss-editor")
    assert result.output == "变更请求 #1 已提交审核，等待热线中心校核、示例市人力资源和社会保障局审核。\n"
    assert kb.review.get(1).state == "in_review"


def test_wrong_password_and_bad_set(kb, run, monkeypatch):
    monkeypatch.setenv("KB_PASSWORD", "not-the-password")
    result = run("cr", "approve", "1", "--as", "center")
    assert result.output == "错误：用户名或密码不正确：请检查后重新输入；忘记密码请联系管理员重置。\n"
    monkeypatch.setenv("KB_PASSWORD", PASSWORD)
    result = run("cr", "create", "--as", "hrss-editor", "--title", "t", "--set", "no-equals-sign")
    assert result.exit_code == 2 and "应写成 路径=文件" in result.output


def test_a_change_names_the_tasks_it_resolves(kb, run, tmp_path):
    kb.feedback.report_error("sscard-reissue", "电话变了", "agent")
    kb.feedback.report_error("residence-permit-apply", "地址变了", "agent")
    mine = kb.feedback.list_tasks("city-hrss")[0].id
    other = kb.feedback.list_tasks("city-public-security")[0].id
    new = tmp_path / "new.md"
    new.write_text(edited(kb, HRSS, "\n新电话。\n"), encoding="utf-8")
    result = run("cr", "create", "--as", "hrss-editor", "--title", "改电话", "--set", f"{HRSS}={new}",
                 "--task", str(other))
    assert result.output == f"错误：维护任务 #{other} 属于单位“示例市公安局”，只有该单位或热线中心可以处理。\n"
    result = run("cr", "create", "--as", "hrss-editor", "--title", "改电话", "--set", f"{HRSS}={new}",
                 "--task", str(mine), "--submit")
    assert result.output == (f"已建立变更请求 #1（审核中，分支 cr/1）。\n等待热线中心校核、示例市人力资源和社会保障局审核。\n"
                             f"发布后将关闭维护任务 #{mine}。\n")
    run("cr", "approve", "1", "--as", "hrss-reviewer")
    run("cr", "approve", "1", "--as", "center")
    assert kb.feedback.task(mine).state == "closed" and kb.feedback.task(other).state == "open"


def test_create_says_who_else_has_the_file_open(kb, run, tmp_path):
    changes = tmp_path / "changes"
    (changes / HRSS).parent.mkdir(parents=True)
    (changes / HRSS).write_text(edited(kb, HRSS, "\n甲的修改。\n"), encoding="utf-8")
    run("cr", "create", "--as", "hrss-editor", "--title", "甲", "--dir", str(changes), "--submit")
    (changes / HRSS).write_text(edited(kb, HRSS, "\n乙的修改。\n"), encoding="utf-8")
    result = run("cr", "create", "--as", "center", "--title", "乙", "--dir", str(changes))
    assert result.output == ("已建立变更请求 #2（草稿，分支 cr/2）。\n"
                             f"注意：条目 {HRSS} 已在变更请求 #1“甲”（李编辑，审核中）中修改。其中一个发布后，其余的会“有冲突”，"
                             "要按发布后的版本更新、重新审核：请先与对方沟通。\n")


def test_a_request_in_conflict_is_not_approved_from_the_command_line_either(kb, run):
    """As on the review page: a request whose entry was published anew since is approved by nobody until its
    author updates it (the update would discard the approval), and a script sees the refusal."""
    users = {u: kb.users.get(u) for u in ("hrss-editor", "hrss-reviewer", "center")}
    original = kb.store.read(HRSS)
    late = kb.review.create(users["hrss-editor"], "晚到的修改", {HRSS: original.replace("补卡。", "补办。")}, submit=True)
    first = kb.review.create(users["hrss-editor"], "先发布的修改", {HRSS: original.replace("补卡。", "补领。")},
                             submit=True)
    assert run("cr", "approve", str(late.id), "--as", "hrss-reviewer").exit_code == 0
    for who in ("hrss-reviewer", "center"):
        kb.review.approve(users[who], first.id)
    result = run("cr", "approve", str(late.id), "--as", "center")
    assert result.exit_code == 1 and result.output == (
        f"错误：变更请求 #{late.id} 有冲突，现在不能批准：“社会保障卡丢了怎么补办”在它发起后已有新版本发布，作者须先对照"
        "已发布的版本更新它（作者打开编辑即可合并）；更新会使此前的批准全部失效，"
        "所以请在作者更新之后再审核。\n")
    late = kb.review.get(late.id)
    assert late.state == "in_review" and list(kb.review.status(late).approvals) == ["unit:city-hrss"]
    assert f"  冲突：{HRSS}\n" in run("cr", "show", str(late.id)).output


def test_update_names_the_other_open_requests_on_its_entries_drafts_and_ones_own_too(kb, run, tmp_path):
    def request(who, title, words, *submit):
        path = tmp_path / f"{title}.md"
        path.write_text(edited(kb, HRSS, f"\n{words}\n"), encoding="utf-8")
        return run("cr", "create", "--as", who, "--title", title, "--set", f"{HRSS}={path}", *submit)

    request("hrss-editor", "甲的草稿", "甲的修改。")                          # #1, a draft nobody submitted
    request("center", "校核的更正", "校核的修改。", "--submit")               # #2
    request("hrss-editor", "甲的另一个", "甲的第二处修改。")                  # #3: one's own other request counts
    (tmp_path / "new.md").write_text(edited(kb, HRSS, "\n再改一次。\n"), encoding="utf-8")
    result = run("cr", "update", "3", "--as", "hrss-editor", "--set", f"{HRSS}={tmp_path / 'new.md'}")
    assert result.exit_code == 0, result.output
    assert result.output == ("变更请求 #3 已更新（草稿）。\n"
                             f"注意：条目 {HRSS} 已在变更请求 #1“甲的草稿”（李编辑，草稿）、变更请求 #2“校核的更正”"
                             "（张校核，审核中）中修改。其中一个发布后，其余的会“有冲突”，要按发布后的版本更新、重新审核："
                             "请先与对方沟通。\n")
    run("cr", "withdraw", "1", "--as", "hrss-editor")
    run("cr", "withdraw", "2", "--as", "center")
    assert run("cr", "update", "3", "--as", "hrss-editor", "--set", f"{HRSS}={tmp_path / '甲的草稿.md'}").output \
        == "变更请求 #3 已更新（草稿）。\n"                                   # withdrawn requests are no longer named


def test_show_names_the_other_open_requests_on_the_same_entry(kb, run):
    """As the review page does: approving this one makes the other conflict."""
    users = {u: kb.users.get(u) for u in ("hrss-editor", "hrss-reviewer", "center")}
    original = kb.store.read(HRSS)
    first = kb.review.create(users["hrss-editor"], "改补卡说明", {HRSS: original.replace("补卡。", "补办。")}, submit=True)
    assert "同时在变更请求" not in run("cr", "show", str(first.id)).output
    second = kb.review.create(users["hrss-editor"], "另一处修改", {HRSS: original.replace("补卡。", "补领。")})
    shown = run("cr", "show", str(first.id)).output
    assert f"  注意：“{HRSS}”同时在变更请求 #{second.id}" in shown and f"#{second.id}" in shown and "另一处修改" in shown, shown
    for who in ("hrss-reviewer", "center"):
        kb.review.approve(users[who], first.id)
    assert "同时在变更请求" not in run("cr", "show", str(first.id)).output      # published: nothing to warn of


def test_show_says_where_each_party_stands_on_a_request_turned_down_or_withdrawn(kb, run):
    """As the review page's table: 驳回 by whom for the party that turned it down, — for the others, never 待审核."""
    users = {u: kb.users.get(u) for u in ("hrss-editor", "center")}
    rejected = kb.review.create(users["hrss-editor"], "被驳回的", {HRSS: edited(kb, HRSS, "\n驳回。\n")}, submit=True)
    kb.review.reject(users["center"], rejected.id, "没有依据")
    show = run("cr", "show", str(rejected.id)).output
    assert re.search(r"  审核方 热线中心校核：驳回（张校核（center），\d{4}-\d{2}-\d{2} \d{2}:\d{2}）\n", show), show
    assert "  审核方 示例市人力资源和社会保障局：—\n" in show and "待审核" not in show
    withdrawn = kb.review.create(users["hrss-editor"], "撤回的", {HRSS: edited(kb, HRSS, "\n撤回。\n")}, submit=True)
    kb.review.withdraw(users["hrss-editor"], withdrawn.id)
    show = run("cr", "show", str(withdrawn.id)).output
    assert "  审核方 热线中心校核：—\n  审核方 示例市人力资源和社会保障局：—\n" in show


def test_kb_cr_submit_refuses_a_redraft_unchanged_from_the_rejected_request(kb, run):
    cr = kb.review.create(kb.users.get("hrss-editor"), "补卡说明", {HRSS: edited(kb, HRSS, "\n驳回前的一句。\n")},
                          submit=True)
    kb.review.reject(kb.users.get("center"), cr.id, "请先核实办理地点")
    assert run("cr", "redraft", str(cr.id), "--as", "hrss-editor").exit_code == 0
    result = run("cr", "submit", str(cr.id + 1), "--as", "hrss-editor")
    assert result.exit_code == 1 and result.output.startswith(
        f"错误：变更请求 #{cr.id + 1} 与被驳回的变更请求 #{cr.id} 内容相同，不能提交审核：请先按驳回理由修改再提交")
