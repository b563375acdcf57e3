"""kb doctor: finds what is out of step or damaged, and --repair fixes what can be derived."""

import datetime as dt
import os
import random
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from whoosh.filedb.filestore import FileStorage

from kb_app import load_settings, open_kb
from kb_app.review import reverify
from kb_app.cli import cli
from kb_app.workcalendar import NOTICE_DAYS

from .conftest import PROJECT, TODAY, commit_all, git
from .review_helpers import HOTLINE, HRSS, PASSWORD, edited, make_users
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
    names = ["database", "git", "change_requests", "flags", "index", "content", "calendar"]
    assert [c.name for c in report.checks] == names
    result = run(indexed)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "检查完毕：未发现问题，有 1 个提醒（见上）。"   # 2027 is 40 days ahead
    assert "检索索引：对应提交" in result.output
    assert "坐席 208 篇——正常" in result.output


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
    lines = result.output.splitlines()
    assert lines[0].startswith("已修复：重建检索索引（对应提交 ")
    assert lines[1:3] == ["无需修复：没有用 git 推送而未登记的分支或更新，也没有中断的发布",
                          "无需修复：待核标记与主干历史一致"]
    assert "登记 git 推送的分支" not in result.output
    assert lines[-1] == "检查完毕：未发现问题，有 1 个提醒（见上）。"
    assert [h.id for h in kb.search("居住证").hits] == expected


def test_damage_a_search_met_is_reported_and_repaired(indexed):
    """A worker of kb web that met a damaged file marks the index (every worker's health then says 503);
    what doctor reads itself may not reach that file, and the mark says it all the same."""
    from kb_app.search.index import DAMAGE_MARK

    kb = indexed
    gen = kb.index.read_state()["gen"]
    (kb.settings.index_dir / gen / DAMAGE_MARK).write_text("公众索引无法读取", encoding="utf-8")
    [found] = findings(kb.doctor(), "index")
    assert found.repairable and found.message == (
        f"公众网站检索时读到过无法读取的索引文件（{gen}，详见 kb web 的日志），重建之前它的健康检查（/api/v1/health）都返回 503")
    assert run(kb, "--repair").exit_code == 0
    assert findings(kb.doctor(), "index") == [] and kb.index.read_state()["gen"] != gen


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


def test_an_answer_with_a_new_version_scheduled_is_no_doubled_document(indexed):
    """The version in force until the new one's day is indexed beside it: expected, not a finding to repair."""
    import re

    kb = indexed
    path = kb.settings.root / HRSS
    later = (dt.date.fromisoformat(TODAY) + dt.timedelta(days=3)).isoformat()
    text = re.sub(r"^effective: .*$", f"effective: {later}", path.read_text(encoding="utf-8"), flags=re.M)
    path.write_text(text + "\n新版本的说明。\n", encoding="utf-8")
    commit_all(kb.settings.root, "社保卡补办：新版本")
    kb.index.update()
    assert kb.index.read_state()["commit"] == kb.store.head()
    assert not findings(kb.doctor(), "index")


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


def edit_directly(root, path, words, message):
    """Put ``words`` before a file's title and commit that on main with git, as in the server's checkout."""
    file = root / path
    file.write_text(file.read_text(encoding="utf-8").replace("title: ", f"title: {words}", 1), encoding="utf-8")
    return commit_all(root, message)


def test_a_commit_on_main_that_no_publication_made_is_named(indexed):
    """After kb init, main moves by publications only: a git commit in the server's checkout passes by the hooks
    that refuse pushes and goes public unreviewed, which doctor names (a warning: it cannot tell who meant what).
    The content kb init made is the starting point."""
    kb = indexed
    assert findings(kb.doctor(), "git") == []
    users = make_users(kb)
    publish_all(kb, users, regulation_cr(kb, users), "center", "legal")
    assert findings(kb.doctor(), "git") == []
    commit = edit_directly(kb.settings.root, HRSS, "未经审核的", "直接改了标题")
    [found] = findings(kb.doctor(), "git")
    assert found.warning and found.message.startswith(f"主干提交 {commit[:10]}（")
    assert f"“直接改了标题”）没有经过多方校核，改动的 {HRSS}已经发布" in found.message
    assert "没有经过多方校核" in run(kb).output


def test_every_direct_commit_is_named_with_publications_between(indexed):
    """A commit made directly on main before any publication went around the review as well: publications on top
    of it do not make it the starting point. The starting point is what kb init tagged."""
    kb = indexed
    users = make_users(kb)
    first = edit_directly(kb.settings.root, HRSS, "未经审核的", "第一次直接提交")
    publish_all(kb, users, regulation_cr(kb, users), "center", "legal")
    second = edit_directly(kb.settings.root, HOTLINE, "又未经审核的", "第二次直接提交")
    found = findings(kb.doctor(), "git")
    assert [f.message[:len("主干提交 ") + 10] for f in found] == [f"主干提交 {first[:10]}", f"主干提交 {second[:10]}"]
    assert all(f.warning for f in found)
    assert "“第一次直接提交”）没有经过多方校核" in found[0].message and HOTLINE in found[1].message
    assert "2 个提交未经发布流程" in run(kb).output
    # A repository taken over before kb tagged its starting point starts at its first publication.
    git(kb.settings.root, "tag", "-d", "kb-start")
    assert [f.message[:len("主干提交 ") + 10] for f in findings(kb.doctor(), "git")] == [f"主干提交 {second[:10]}"]


def test_a_repository_taken_over_starts_where_kb_found_it(tmp_path):
    """kb init --hooks-only tags the history it finds as the starting point; only what comes after is named."""
    root = tmp_path / "imported"
    shutil.copytree(PROJECT / "entries", root / "entries")
    shutil.copytree(PROJECT / "regulations", root / "regulations")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "导入原有内容")
    edit_directly(root, HRSS, "改过的", "原有历史中的修改")
    assert CliRunner().invoke(cli, ["init", str(root), "--hooks-only"]).exit_code == 0
    kb = open_kb(load_settings(root=root, data_dir=tmp_path / "data", today=TODAY))
    assert findings(kb.doctor(), "git") == []
    commit = edit_directly(root, HRSS, "接管后又改的", "接管后直接提交")
    [found] = findings(kb.doctor(), "git")
    assert found.message.startswith(f"主干提交 {commit[:10]}（")


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
    assert "登记 git 推送的分支与中断的发布（新登记变更请求 1 个，登记推送的更新 1 个）" in report.repairs
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


CHECK_TITLES = ["流程数据库：", "内容仓库：", "变更请求与 cr/* 分支：", "“依据已变更，待核”标记：", "检索索引：", "主干上的文件：",
                "工作日历："]


def check_lines(output):
    """The first line of each check, in order: every check ran."""
    lines = [ln for ln in output.splitlines() if any(ln.startswith(t) for t in CHECK_TITLES)]
    assert [next(t for t in CHECK_TITLES if ln.startswith(t)) for ln in lines] == CHECK_TITLES, output
    return lines


def damaged_object(kb):
    """Pack the repository and write garbage into the middle of one of main's blobs in the pack; the blob."""
    root = kb.settings.root
    git(root, "gc", "-q")
    [idx] = (root / ".git" / "objects" / "pack").glob("*.idx")
    index = subprocess.run(["git", "show-index"], input=idx.read_bytes(), capture_output=True, check=True).stdout
    objects = {sha.decode(): int(offset) for offset, sha, *_ in map(bytes.split, index.splitlines())}
    blob = kb.store.ls_tree(kb.store.head())[HRSS]
    at = objects[blob]
    end = min(o for o in objects.values() if o > at)
    with open(idx.with_suffix(".pack"), "r+b") as fh:
        fh.seek((at + end) // 2)
        fh.write(random.Random(1).randbytes(min(64, (end - at) // 3)))
    return blob


def run_afresh(kb, *args):
    """``kb doctor`` in a process of its own, as an operator runs it: no blob or entry read before."""
    env = {**os.environ, "KB_TODAY": TODAY, "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "kb_app", "doctor", "--root", str(kb.settings.root),
                           "--data-dir", str(kb.settings.data_path), *args], env=env, capture_output=True, text=True)


def test_a_damaged_pack_is_reported_and_the_other_checks_still_run(indexed):
    kb = indexed
    blob = damaged_object(kb)
    [damage] = findings(kb.doctor(), "git")
    assert damage.message.startswith("git 仓库的对象缺失或损坏（git fsck：")
    assert damage.message.endswith("）：请停止应用，用 kb restore 从最近的备份恢复，或从其他副本取回缺少的对象。")
    result = run_afresh(kb)
    assert result.returncode == 1, result.stderr
    assert result.stderr == "发现 4 个问题。\n"
    lines = check_lines(result.stdout)
    assert lines[1] == "内容仓库：对象缺失或损坏——1 个问题"
    assert [lines[i] for i in (4, 5)] == ["检索索引：检查未能完成——1 个问题", "主干上的文件：检查未能完成——1 个问题"]
    assert lines[0].endswith("——正常") and lines[2].endswith("——正常")
    unreadable = [ln for ln in result.stdout.splitlines() if ln.startswith(f"  - 内容仓库中的 git 对象 {blob[:10]} 无法读取（")]
    assert len(unreadable) == 3                                  # the index, the files and the calendar
    assert unreadable[0].endswith("）：仓库已损坏或不完整，请停止应用，用 kb restore 从最近的备份恢复。")


def test_a_damaged_pack_stops_the_repairs_but_not_the_checks(indexed):
    kb = indexed
    blob = damaged_object(kb)
    result = run_afresh(kb, "--repair")
    assert result.returncode == 1, result.stderr
    assert f"\n未能修复：内容仓库中的 git 对象 {blob[:10]} 无法读取（" in result.stdout
    check_lines(result.stdout)


@pytest.mark.parametrize("where,reason", [(1 / 3, "数据库文件的结构错乱"), (0, "文件已无法识别为数据库")])
def test_a_damaged_database_is_reported_and_the_other_checks_still_run(indexed, where, reason):
    kb = indexed
    kb.db().conn.close()                        # the database exists, with every table
    path = kb.settings.db_path
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(int(size * where))
        fh.write(random.Random(2).randbytes(size // 3))
    damaged = f"流程数据库损坏（{reason}）：请停止应用，用 kb restore 从最近的备份恢复。"
    report = kb.doctor()
    assert [f.message for f in findings(report, "database")] == [damaged]
    assert findings(report, "git") == [] and findings(report, "index") == [] and findings(report, "content") == []
    result = run(kb)
    assert result.exit_code == 1
    assert f"  - {damaged}" in result.output
    lines = check_lines(result.output)
    assert lines[0].startswith("流程数据库：") and lines[0].endswith("——1 个问题")
    assert lines[5].endswith("校验通过——正常")
    result = run(kb, "--repair")
    assert result.exit_code == 1 and f"  - {damaged}" in result.output


def test_a_database_others_may_read_is_a_warning(indexed):
    kb = indexed
    path = kb.settings.db_path
    kb.prepare_database()
    assert findings(kb.doctor(), "database") == []                     # made by kb: the owner's alone
    path.chmod(0o644)                                                   # made by an earlier version
    [warning] = findings(kb.doctor(), "database")
    assert warning.warning and warning.message == (
        "流程数据库的文件其他用户也能读取（kb.db 为 644），其中有密码摘要、API 密钥摘要和登录记录："
        f"请运行 chmod 600 {path}*，只让运行 kb 的用户读写（kb 新建的数据库和备份已是如此）。")
    assert run(kb).exit_code == 0


def doctor_on(kb, today):
    return CliRunner(env={"KB_TODAY": today}).invoke(
        cli, ["doctor", "--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)])


def test_a_year_the_calendar_lacks_is_a_warning_weeks_ahead(indexed):
    result = doctor_on(indexed, "2026-12-05")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("工作日历：2026 年取自 calendar.yaml，2027 年缺少数据——1 个提醒")
    assert lines[at + 1] == (
        "  - 提醒：工作日历缺少 2027 年的数据（regulations/calendar.yaml 和 chinesecalendar 包都没有）："
        "还有 27 天进入 2027 年，按工作日计算、期限跨入该年的派单只能给出暂定期限（该年周末也算作工作日，比实际偏早），"
        "维护任务将算不出期限。"
        "国务院办公厅公布 2027 年部分节假日安排后，请通过变更请求在 regulations/calendar.yaml 的 years 下增加“2027:”，"
        "holidays 逐日列出每个放假日（含放假期间的周六、周日），workdays 逐日列出调休上班的周六、周日，每天一行，"
        "如“- {date: 2027-MM-DD, name: 节日名称}”，并在 source 中写明通知的文号；"
        "或者把 chinesecalendar 包升级到含 2027 年数据的版本。")
    assert lines[-1] == "检查完毕：未发现问题，有 1 个提醒（见上）。"


def test_no_warning_while_the_next_year_is_far(indexed):
    result = doctor_on(indexed, "2026-06-01")
    assert result.exit_code == 0, result.output
    assert "工作日历：2026 年取自 calendar.yaml——正常" in result.output.splitlines()
    assert result.output.splitlines()[-1] == "检查完毕：未发现问题。"


def test_the_warning_begins_notice_days_before_the_year(indexed):
    first = dt.date(2027, 1, 1) - dt.timedelta(days=NOTICE_DAYS)
    assert "——1 个提醒" in doctor_on(indexed, first.isoformat()).output
    assert "提醒" not in doctor_on(indexed, (first - dt.timedelta(days=1)).isoformat()).output
