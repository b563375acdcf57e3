"""kb backup / kb restore: a consistent copy of a running knowledge base brings up an equal one."""

import json
import multiprocessing
import os
import shutil
import subprocess
import time

import pytest
from click.testing import CliRunner

from kb_app import load_settings, open_kb, restore_backup
from kb_app.content import githooks
from kb_app.backup import BUNDLE, MANIFEST, BackupError, sha256
from kb_app.cli import cli
from kb_app.doctor import check_change_requests

from .conftest import TODAY
from .test_db import damage, mode
from .review_helpers import HRSS, PASSWORD, edited, make_users
from .review.test_reverify import publish_all, regulation_cr

TABLES = ("users", "change_requests", "cr_events", "approvals", "comments", "tasks", "entry_flags", "votes",
          "reports", "search_log")


def rows(kb, table):
    db = kb.db()
    try:
        return [tuple(r) for r in db.execute(f"select * from [{table}] order by rowid")]
    finally:
        db.conn.close()


def refs(root):
    args = ["git", "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags"]
    out = subprocess.run(args, cwd=root, capture_output=True, text=True, check=True).stdout
    return dict(line.split(" ") for line in out.splitlines())


def restored_kb(folder, target):
    restore_backup(folder, target)
    return open_kb(load_settings(root=target, today=TODAY))


def assert_equal_kb(a, b):
    assert a.store.head() == b.store.head()
    assert refs(a.settings.root) == refs(b.settings.root)
    for table in TABLES:
        assert rows(a, table) == rows(b, table), table
    assert {e: f.commit for e, f in a.flags().items()} == {e: f.commit for e, f in b.flags().items()}


@pytest.fixture
def busy_kb(kb, built_index):
    """The sample with users, a published edit, a published regulation change (flags and tasks), an
    open CR with one approval and a comment, votes, a report and search logs."""
    shutil.copytree(built_index, kb.settings.index_dir)
    users = make_users(kb)
    done = kb.review.create(users["hrss-editor"], "补卡说明", {HRSS: edited(kb, HRSS, "\n补卡当天可取。\n")},
                            submit=True)
    publish_all(kb, users, done, "hrss-reviewer", "center")
    publish_all(kb, users, regulation_cr(kb, users), "center", "legal")
    assert kb.flags()
    open_cr = kb.review.create(users["hrss-editor"], "再改补卡", {HRSS: edited(kb, HRSS, "\n另见窗口公告。\n")},
                               submit=True)
    kb.review.approve(users["center"], open_cr.id, "内容无误")
    kb.review.comment(users["hrss-reviewer"], open_cr.id, "请补充依据")
    kb.feedback.vote("sscard-reissue", False)
    kb.feedback.report_error("sscard-reissue", "电话写错了，我叫张三")
    kb.feedback.log_search("社保卡怎么补办", "public", 1)
    return kb


def test_restore_brings_up_an_equal_knowledge_base(busy_kb, tmp_path):
    kb = busy_kb
    manifest = kb.backup(tmp_path / "backup")
    assert manifest["main"] == kb.store.head()
    assert set(manifest["refs"]) == {"refs/heads/main", "refs/tags/kb-start", *(f"refs/heads/cr/{n}" for n in (1, 2, 3))}
    assert manifest["change_branches"] == 3 and manifest["tables"]["users"] == 14
    assert manifest["tables"]["change_requests"] == 3 and manifest["tables"]["entry_flags"] == len(kb.flags())
    assert set(manifest["files"]) == {"kb.db", BUNDLE}
    copy = restored_kb(tmp_path / "backup", tmp_path / "restored")
    assert_equal_kb(kb, copy)
    # A fresh machine: same accounts and passwords, same review state, a checked-out main.
    assert copy.authenticate("center", PASSWORD).name == "张校核"
    assert copy.review.get(3).state == "in_review" and copy.review.status(copy.review.get(3)).approvals
    assert (tmp_path / "restored" / HRSS).read_text(encoding="utf-8") == kb.store.read(HRSS)
    assert githooks.installed(tmp_path / "restored")  # pushes to main refused, as after kb init
    # Search works after kb index, with the results of an index built from the same main.
    copy.reindex()
    kb.reindex(rebuild=True)
    for query in ("社保卡补办", "居住证", "保定条例第十九条"):
        assert [h.id for h in copy.search(query).hits] == [h.id for h in kb.search(query).hits]
    assert copy.doctor().ok


def test_backup_refuses_a_used_directory_and_restore_a_damaged_backup(kb, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    with pytest.raises(BackupError, match="已存在且不为空：请指定一个新的目录"):
        kb.backup(tmp_path / "used")
    kb.backup(tmp_path / "backup")
    with pytest.raises(BackupError, match="已存在且不为空"):
        restore_backup(tmp_path / "backup", tmp_path / "used")
    with pytest.raises(BackupError, match="不是 kb backup 生成的备份"):
        restore_backup(tmp_path / "used", tmp_path / "nowhere")
    bundle = tmp_path / "backup" / BUNDLE
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bundle.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=f"备份文件 {BUNDLE} 已损坏"):
        restore_backup(tmp_path / "backup", tmp_path / "restored")
    assert not (tmp_path / "restored").exists()
    assert not list(tmp_path.glob(".*partial*"))


def test_a_damaged_database_is_not_backed_up_and_the_backups_before_it_stay(kb, tmp_path):
    kb.users.add("center", "张校核", PASSWORD, "center_reviewer")
    kb.backup(tmp_path / "monday")
    damage(kb.settings.db_path, "users")
    told = (f"错误：流程数据库“{kb.settings.db_path}”已损坏（完整性检查：数据库文件的结构错乱），没有写出备份："
            "已有的备份都是损坏之前的，请保留，不要删除或轮换掉。请运行 kb doctor 查看损坏之处，停止应用，"
            "用 kb restore 从最近的备份恢复（kb restore 会先核对备份中的数据库）。\n")
    result = CliRunner().invoke(cli, ["backup", "--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path),
                                      str(tmp_path / "tuesday")])
    assert result.exit_code == 1 and result.output == told
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "kb", "monday"]   # nothing half-written
    assert restored_kb(tmp_path / "monday", tmp_path / "restored").users.get("center").name == "张校核"


def test_restore_refuses_a_backup_of_a_damaged_database(kb, tmp_path):
    # As an earlier kb backup wrote it: the damaged database copied, its checksum in the manifest.
    kb.backup(tmp_path / "backup")
    damage(tmp_path / "backup" / "kb.db", "users")
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text(encoding="utf-8"))
    copy = tmp_path / "backup" / "kb.db"
    manifest["files"]["kb.db"] = {"size": copy.stat().st_size, "sha256": sha256(copy)}
    (tmp_path / "backup" / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(BackupError) as refused:
        restore_backup(tmp_path / "backup", tmp_path / "restored")
    assert str(refused.value) == (f"备份“{tmp_path / 'backup'}”中的数据库已损坏（完整性检查：数据库文件的结构错乱）："
                                  "它是从已经损坏的数据库做出的，不能用来恢复。请换用更早的一份备份。")
    assert not (tmp_path / "restored").exists()


def test_a_backup_and_a_restored_database_are_the_owners_alone(kb, tmp_path):
    kb.users.add("center", "张校核", PASSWORD, "center_reviewer")
    old = os.umask(0o022)
    try:
        kb.backup(tmp_path / "backup")
        restore_backup(tmp_path / "backup", tmp_path / "restored", data_dir=tmp_path / "data-restored")
    finally:
        os.umask(old)
    folder = tmp_path / "backup"
    assert {p.name: mode(p) for p in [folder, *folder.iterdir()]} == {
        "backup": "700", "kb.db": "600", BUNDLE: "600", MANIFEST: "600"}
    assert mode(tmp_path / "data-restored" / "kb.db") == "600"


def test_cli_backup_and_restore(kb, tmp_path):
    editor = kb.users.add("hrss-editor", "李编辑", PASSWORD, "unit_editor", "city-hrss")
    kb.review.create(editor, "补卡说明", {HRSS: edited(kb, HRSS, "\n补卡当天可取。\n")}, submit=True)
    runner = CliRunner(env={"KB_TODAY": TODAY})
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    result = runner.invoke(cli, ["backup", *root, str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"已备份到 {tmp_path / 'b'}：主干 {kb.store.head()[:10]}（")
    assert "3 个分支与标签（其中变更请求 1 个）" in result.output   # main, cr/1 and the tag kb-start
    again = runner.invoke(cli, ["backup", *root, str(tmp_path / "b")])
    assert again.exit_code == 1
    assert again.output == f"错误：备份目录“{tmp_path / 'b'}”已存在且不为空：请指定一个新的目录。\n"
    result = runner.invoke(cli, ["restore", str(tmp_path / "b"), str(tmp_path / "r"),
                                 "--data-dir", str(tmp_path / "rd")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"已在 {tmp_path / 'r'} 恢复知识库：主干 {kb.store.head()[:10]}")
    assert "账号 1 个，变更请求 1 个" in lines[0]
    assert lines[1] == f"请运行 kb index --root {tmp_path / 'r'} --data-dir {tmp_path / 'rd'} 建立检索索引。"
    assert (tmp_path / "rd" / "kb.db").is_file()


# -- backup while the app writes ------------------------------------------------------------------

def _writer(settings, kind, seconds):
    kb = open_kb(settings)
    end, i = time.monotonic() + seconds, 0
    editor = kb.users.get("hrss-editor")
    while time.monotonic() < end:
        i += 1
        if kind == "feedback":
            kb.feedback.log_search(f"查询 {i}", "public", i % 2)
            kb.feedback.vote("sscard-reissue", i % 2 == 0)
        elif i % 3:
            kb.review.create(editor, f"并发变更 {i}", {HRSS: edited(kb, HRSS, f"\n第 {i} 次。\n")}, submit=True)
        else:
            latest = kb.review.list("in_review", author="hrss-editor")[0]
            kb.review.update(editor, latest.id, {HRSS: edited(kb, HRSS, f"\n第 {i} 次更新。\n")})


@pytest.mark.slow
def test_backup_under_concurrent_writes_is_consistent(kb, tmp_path):
    kb.users.add("hrss-editor", "李编辑", PASSWORD, "unit_editor", "city-hrss")
    kb.review.create(kb.users.get("hrss-editor"), "起点", {HRSS: edited(kb, HRSS, "\n起点。\n")}, submit=True)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(kb.settings, kind, 6))
             for kind in ("feedback", "feedback", "review")]
    for p in procs:
        p.start()
    backups = []
    time.sleep(1.5)
    for n in range(3):
        backups.append(tmp_path / f"during-{n}")
        kb.backup(backups[-1])
        time.sleep(0.5)
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    for n, folder in enumerate(backups):
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        copy = restored_kb(folder, tmp_path / f"restored-{n}")
        # Branches and records agree, as after any crash-free moment of the running app.
        assert check_change_requests(copy).findings == []
        assert refs(copy.settings.root) == manifest["refs"]
        # What the copy holds of the append-only tables is exactly a prefix of what was written.
        for table in ("search_log", "votes", "cr_events"):
            copied = rows(copy, table)
            assert copied == rows(kb, table)[:len(copied)], table
    # Once the writers stop, a backup restores to an equal knowledge base.
    kb.backup(tmp_path / "after")
    final = restored_kb(tmp_path / "after", tmp_path / "restored-after")
    assert_equal_kb(kb, final)
    assert len(rows(final, "change_requests")) > 2
