"""``kb history`` and ``kb diff``: an entry's versions on main, the one in force on a day, what changed."""

import datetime as dt
import os
import subprocess

import pytest

from click.testing import CliRunner

from kb_app.cli import cli

from ..conftest import TODAY

SAMPLE_LINE = "初始化知识库（示例市示例内容）"


def run(kb, *args):
    return CliRunner().invoke(cli, [*args, "--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)],
                              env={"KB_TODAY": TODAY})


def commit(kb, message: str, at: str, offset: str = "+08:00") -> str:
    """Commit the working tree to main as 测试, dated ``at`` (hh:mm on the suite's day, +08:00 unless told)."""
    when = f"{TODAY}T{at}:00{offset}"
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    git = ["git", "-c", "user.name=测试", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "add", "-A"], cwd=kb.settings.root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", message], cwd=kb.settings.root, env=env, check=True)
    return kb.store.head()


def entry_in_force(kb):
    today = dt.date.fromisoformat(TODAY)
    return next(e for e in kb.snapshot().policies() if e.in_force_on(today))


def amend(kb, entry) -> str:
    path = kb.settings.root / entry.path
    path.write_text(path.read_text(encoding="utf-8") + "\n另行补充：以窗口告知为准。\n", encoding="utf-8")
    return commit(kb, "补充窗口说明", "10:00")


def test_history_lists_versions_newest_first(kb):
    entry = entry_in_force(kb)
    first = kb.store.head()
    second = amend(kb, entry)
    result = run(kb, "history", entry.id)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"{second[:10]}  {TODAY} 10:00  测试  补充窗口说明",
                                          f"{first[:10]}  {TODAY} 08:00  kb_app  {SAMPLE_LINE}"]


def test_history_on_a_day_prints_the_version_in_force(kb):
    entry = entry_in_force(kb)
    second = amend(kb, entry)
    result = run(kb, "history", entry.id, "--on", TODAY)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{TODAY} 有效的版本：{second[:10]}（{TODAY} 10:00 测试：补充窗口说明）"
    assert lines[1] == "---" and "另行补充：以窗口告知为准。" in result.output
    before = run(kb, "history", entry.id, "--on", "2026-11-21")
    assert before.exit_code == 1
    assert before.output == f"错误：2026-11-21 当天没有有效的“{entry.id}”版本。\n"


def test_times_are_the_hotlines_whatever_zone_a_commit_was_made_in(kb):
    # The app commits at 10:00 Beijing time; later, git on a server set to UTC commits at 03:19 +0000,
    # which is 11:19 in Beijing: listed above it, and told as 11:19.
    entry = entry_in_force(kb)
    second = amend(kb, entry)
    path = kb.settings.root / entry.path
    path.write_text(path.read_text(encoding="utf-8") + "\n以公告为准。\n", encoding="utf-8")
    third = commit(kb, "服务器上的修改", "03:19", "+00:00")
    lines = run(kb, "history", entry.id).output.splitlines()
    assert lines[:2] == [f"{third[:10]}  {TODAY} 11:19  测试  服务器上的修改",
                         f"{second[:10]}  {TODAY} 10:00  测试  补充窗口说明"]
    assert run(kb, "history", entry.id, "--on", TODAY).output.splitlines()[0] == (
        f"{TODAY} 有效的版本：{third[:10]}（{TODAY} 11:19 测试：服务器上的修改）")
    assert f"{kb.recent_versions(1)[0].version.date:%H:%M}" == "11:19"
    path.unlink()
    commit(kb, "删除条目", "23:30", "+00:00")                      # 07:30 the next day in Beijing
    assert f"{next(d for d in kb.deleted_entries() if d.id == entry.id).deleted:%Y-%m-%d %H:%M}" == "2026-11-23 07:30"


def test_history_of_a_deleted_entry_marks_the_deletion(kb):
    entry = entry_in_force(kb)
    (kb.settings.root / entry.path).unlink()
    gone = commit(kb, "删除条目", "11:00")
    result = run(kb, "history", entry.id)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"{gone[:10]}  {TODAY} 11:00  测试  删除条目（删除）"
    assert run(kb, "history", "no-such-entry").output == "错误：条目“no-such-entry”不存在：请检查编号。\n"


def test_diff_between_versions_and_against_main(kb):
    entry = entry_in_force(kb)
    first = kb.store.head()
    second = amend(kb, entry)
    result = run(kb, "diff", entry.id, first)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [f"--- a/{entry.path}@{first[:8]}", f"+++ b/{entry.path}@{second[:8]}"]
    assert "+另行补充：以窗口告知为准。" in lines
    assert run(kb, "diff", entry.id, first, second).output == result.output
    assert run(kb, "diff", entry.id, second).output == "两个版本没有差别。\n"


@pytest.mark.parametrize("versions", [["deadbeef"], ["main~5"], ["HEAD", "cr/999"]])
def test_a_version_that_does_not_exist_is_said_so_not_shown_as_added_or_deleted(kb, versions):
    entry = entry_in_force(kb)
    result = run(kb, "diff", entry.id, *versions)
    missing = next(v for v in versions if kb.store.rev(v) is None)
    assert result.exit_code == 1
    assert f"找不到版本“{missing}”：请使用 kb history {entry.id} 列出的提交号" in result.output
    assert "@@" not in result.output
