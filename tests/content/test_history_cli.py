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


def commit(kb, message: str, at: str) -> str:
    """Commit the working tree to main as 测试, dated ``at`` (hh:mm on the suite's day, +08:00)."""
    when = f"{TODAY}T{at}:00+08:00"
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
