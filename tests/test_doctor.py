"""kb doctor: finds what is out of step or damaged, and --repair fixes what can be derived."""

import shutil

import pytest
from click.testing import CliRunner
from whoosh.filedb.filestore import FileStorage

from kb_app.review import reverify
from kb_app.cli import cli

from .conftest import TODAY, commit_all, git
from .review_helpers import HRSS, PASSWORD, edited, make_users
from .review.test_reverify import publish_all, regulation_cr


@pytest.fixture
def indexed(kb, built_index):
    shutil.copytree(built_index, kb.settings.index_dir)
    return kb


def findings(report, name):
    return [f for c in report.checks if c.name == name for f in c.findings]


def run(kb, *args):
    return CliRunner(env={"KB_TODAY": TODAY}).invoke(
        cli, ["doctor", "--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path), *args])


def segment(kb, audience):
    state = kb.index.read_state()
    return next((kb.settings.index_dir / state["gen"] / audience).glob("*.seg"))


def test_a_healthy_knowledge_base(indexed):
    report = indexed.doctor()
    assert report.ok, report.findings
    names = ["database", "git", "change_requests", "flags", "index", "content"]
    assert [c.name for c in report.checks] == names
    result = run(indexed)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "检查完毕：未发现问题。"
    assert "检索索引：对应提交" in result.output
    assert "坐席 205 篇——正常" in result.output


def test_a_truncated_index_segment_is_found_and_repaired(indexed):
    kb = indexed
    expected = [h.id for h in kb.search("居住证").hits]
    seg = segment(kb, "agent")
    with open(seg, "r+b") as fh:
        fh.truncate(seg.stat().st_size // 2)
    [found] = findings(kb.doctor(), "index")
    assert found.repairable and found.message.startswith("坐席索引无法读取（")
    result = run(kb)
    assert result.exit_code == 1
    assert "检索索引：" in result.output and "坐席索引无法读取" in result.output
    assert "（kb doctor --repair 可修复）" in result.output
    result = run(kb, "--repair")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("已修复：登记 git 推送的分支与中断的发布\n已修复：重建检索索引（对应提交 ")
    assert result.output.splitlines()[-1] == "检查完毕：未发现问题。"
    assert [h.id for h in kb.search("居住证").hits] == expected


def test_an_index_that_lost_a_document_or_lags_main(indexed):
    kb = indexed
    state = kb.index.read_state()
    ix = FileStorage(str(kb.settings.index_dir / state["gen"] / "agent")).open_index()
    with ix.writer() as w:
        w.delete_by_term("id", "sscard-reissue")
    assert [f.message for f in findings(kb.doctor(), "index")] == [
        "坐席索引缺少主干上的 1 个文档（如 sscard-reissue）", "公众索引中有 1 个坐席索引没有的文档（如 sscard-reissue）"]
    path = kb.settings.root / HRSS
    path.write_text(path.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    commit_all(kb.settings.root, "直接提交到主干")
    messages = [f.message for f in findings(kb.doctor(), "index")]
    assert messages[0] == f"检索索引对应提交 {state['commit'][:10]}，主干已前进到 {kb.store.head()[:10]}"
    assert kb.doctor(repair=True).ok


def test_flags_are_checked_against_history_and_recomputed(indexed):
    kb = indexed
    users = make_users(kb)
    publish_all(kb, users, regulation_cr(kb, users), "center", "legal")
    flagged = reverify.flags(kb)
    assert flagged and kb.doctor().ok
    lost = sorted(flagged)[0]
    db = kb.db()
    db.execute("delete from entry_flags where entry = ?", [lost])
    db.execute("delete from tasks where entry = ? and kind = 'basis_changed'", [lost])
    db["entry_flags"].insert({"entry": "sscard-reissue", "flag": reverify.FLAG, "since": TODAY,
                              "commit": "0" * 40, "detail": "凭空多出的标记"})
    db.conn.commit()
    messages = [f.message for f in findings(kb.doctor(), "flags")]
    assert any(m.startswith(f"条目“{lost}”缺少标记：提交 ") for m in messages)
    assert "条目“sscard-reissue”有标记，但按主干历史它的依据未变更或已经复核" in messages
    report = kb.doctor(repair=True)
    assert report.ok, report.findings
    assert "按主干历史重新计算待核标记（补上 1 个，清除 1 个）" in report.repairs
    assert {e: f.commit for e, f in reverify.flags(kb).items()} == {e: f.commit for e, f in flagged.items()}
    open_tasks = "entry = ? and kind = 'basis_changed' and state = 'open'"
    assert kb.db()["tasks"].count_where(open_tasks, [lost]) == 1
    # A unit's published edit clears its entry's flag; the history says the same.
    assert set(reverify.flags_from_history(kb)) == set(flagged)


def test_change_requests_against_branches(indexed):
    kb = indexed
    editor = kb.users.add("hrss-editor", "李编辑", PASSWORD, "unit_editor", "city-hrss")
    one = kb.review.create(editor, "甲", {HRSS: edited(kb, HRSS, "\n甲。\n")}, submit=True)
    two = kb.review.create(editor, "乙", {HRSS: edited(kb, HRSS, "\n乙。\n")}, submit=True)
    root = kb.settings.root
    git(root, "update-ref", "-d", f"refs/heads/{one.branch}")
    pushed = kb.store.read(HRSS).replace("id: sscard-reissue", "id: pushed")
    kb.store.write_change("cr/77", {"entries/policy/city-hrss/pushed.md": pushed}, "用 git 推送的变更")
    git(root, "update-ref", f"refs/heads/{two.branch}", "cr/77")
    found = findings(kb.doctor(), "change_requests")
    messages = {f.message: f.repairable for f in found}
    lost = f"变更请求 #{one.id} 的分支 {one.branch} 不存在：请从备份恢复该分支（kb restore），或撤回该变更请求后重新提交。"
    assert messages == {
        lost: False,
        f"变更请求 #{two.id} 记录的提交 {two.head[:10]} 与分支 {two.branch} 的 {kb.store.rev('cr/77')[:10]} 不一致"
        "（分支被推送了新的提交，尚未登记）": True,
        "分支 cr/77 没有对应的变更请求记录（用 git 推送，尚未登记）": True,
    }
    report = kb.doctor(repair=True)
    assert "登记 git 推送的分支与中断的发布（新登记 1 个变更请求）" in report.repairs
    assert [f.message for f in findings(report, "change_requests")] == [lost]
    assert not report.ok
    assert kb.review.get(two.id).head == kb.store.rev("cr/77")


def test_invalid_content_on_main_is_reported_not_repaired(indexed):
    kb = indexed
    path = kb.settings.root / HRSS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("unit: city-hrss", "unit: no-such-unit"), encoding="utf-8")
    commit_all(kb.settings.root, "手工提交了错误的单位")
    report = kb.doctor(repair=True)
    content = findings(report, "content")
    assert content and all(not f.repairable and f.message.endswith("（请通过变更请求修正）") for f in content)
    assert any(HRSS in f.message and "no-such-unit" in f.message for f in content)
    assert findings(report, "index") == []
    result = run(kb)
    assert result.exit_code == 1 and "主干上的文件：" in result.output
