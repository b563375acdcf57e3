"""kb_app.db.transaction: one connection, one transaction, committed or rolled back, always closed."""

import gc
import os
import pwd
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb_app import db as dbmod
from kb_app.cli import cli
from kb_app.exceptions import DatabaseUnusable
from kb_app.usage import tasks as tasks_module
from kb_app.web.timing import pause


def _count(path, table):
    conn = dbmod.connect(path).conn
    try:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        conn.close()


def test_a_block_is_committed_at_the_end_and_its_connection_closed(tmp_path):
    path = tmp_path / "kb.db"
    with dbmod.transaction(path) as db:
        db["votes"].insert({"entry": "a", "helpful": 1})
        db["votes"].insert({"entry": "b", "helpful": 0})
        assert db.conn.in_transaction          # sqlite-utils' own atomic() nested as a savepoint
    assert _count(path, "votes") == 2
    with pytest.raises(sqlite3.ProgrammingError):
        db.conn.execute("select 1")


def test_an_error_rolls_back_every_step(tmp_path):
    path = tmp_path / "kb.db"
    with pytest.raises(RuntimeError):
        with dbmod.transaction(path) as db:
            db["votes"].insert({"entry": "a", "helpful": 1})
            db["reports"].insert({"entry": "a", "text": "x"})
            raise RuntimeError("step three failed")
    assert _count(path, "votes") == 0 and _count(path, "reports") == 0


def test_a_write_transaction_holds_the_write_lock_from_its_start(tmp_path):
    path = tmp_path / "kb.db"
    dbmod.connect(path).conn.close()
    inside, release, order = threading.Event(), threading.Event(), []

    def first():
        with dbmod.transaction(path) as db:
            db.execute("select count(*) from votes").fetchone()   # read, then write later
            inside.set()
            pause(release, 5)
            db["votes"].insert({"entry": "first"})
            order.append("first")

    thread = threading.Thread(target=first)
    thread.start()
    pause(inside, 5)
    with dbmod.transaction(path, write=False) as db:      # a reader never waits for the writer
        assert db.execute("select count(*) from votes").fetchone()[0] == 0
    # Released from a thread that sleeps: threading.Timer's timed wait never ends under a shifted clock.
    threading.Thread(target=lambda: (time.sleep(0.3), release.set())).start()
    with dbmod.transaction(path) as db:                    # a second writer waits for the first
        order.append("second")
        db["votes"].insert({"entry": "second"})
    thread.join()
    assert order == ["first", "second"]


def test_an_error_report_and_its_task_are_written_together(kb, monkeypatch):
    def broken(self, db, *args):
        raise RuntimeError("task table unavailable")

    monkeypatch.setattr(tasks_module.Tasks, "_insert_task", broken)
    with pytest.raises(RuntimeError):
        kb.feedback.report_error("sscard-reissue", "电话变了", "agent")
    assert _count(kb.settings.db_path, "reports") == 0
    monkeypatch.undo()
    kb.feedback.report_error("sscard-reissue", "电话变了", "agent")
    assert _count(kb.settings.db_path, "reports") == 1
    assert [t.kind for t in kb.tasks.list_tasks()] == ["report"]


def test_the_core_and_the_public_tier_load_without_pandas_which_stays_importable():
    # sqlite-utils would import pandas (~70 MB per kb web worker) only to map its Timestamp type.
    code = ("import sys, kb_app.web.app, kb_app.kb\n"
            "assert 'pandas' not in sys.modules, 'pandas loaded'\n"
            "import pandas, sqlite_utils.db\n"
            "print(pandas.Timestamp('2026-11-30').year)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2026"


# -- a database that cannot be used is said so, with what to do -------------------------------------

def user_list(kb):
    return CliRunner().invoke(cli, ["user", "list", "--root", str(kb.settings.root),
                                    "--data-dir", str(kb.settings.data_path)])


def damage(path, table=None):
    """Overwrite the first page of a table (the file's header without one) with noise, as a disk error
    would, once everything written is in the file."""
    conn = sqlite3.connect(path)
    page = conn.execute("select rootpage from sqlite_master where name = ?", [table]).fetchone()[0] if table else 1
    size = conn.execute("pragma page_size").fetchone()[0]
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    with open(path, "r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\xab" * size)


def read_only(monkeypatch, not_writable=()):
    """Every connection refuses to write, as SQLite does without write permission (the tests run as root,
    who may write anything); ``not_writable`` are the paths the permission check finds locked."""
    opened = dbmod.open_connection

    def open_read_only(path, **options):
        conn = opened(path, **options)
        conn.execute("pragma query_only = 1")
        return conn

    monkeypatch.setattr(dbmod, "open_connection", open_read_only)
    monkeypatch.setattr(dbmod, "_writable", lambda p: Path(p) not in set(map(Path, not_writable)))


@pytest.mark.parametrize("where", ["users", "header"])
def test_a_damaged_database_is_said_so_with_the_file_and_what_to_do(kb, where):
    kb.users.add("center", "张校核", "demo-2026-pass", "center_reviewer")
    path = kb.settings.db_path
    damage(path, "users" if where == "users" else None)
    result = user_list(kb)
    said, english = (("文件已无法识别为数据库", "file is not a database") if where == "header" else
                     ("数据库文件的结构错乱", "database disk image is malformed"))
    assert result.exit_code == 1
    assert result.output == (f"错误：流程数据库“{path}”已损坏（{said}）：请停止应用，用 kb restore 从最近的备份恢复；"
                             "kb doctor 列出损坏之处和其余各项的检查结果。\n")
    with pytest.raises(DatabaseUnusable) as told:
        kb.users.list()
    assert told.value.damaged and told.value.reason == said
    assert told.value.detail == english and english not in str(told.value)     # SQLite's own words: the log's


@pytest.mark.parametrize("code, english, said", [
    (26, "file is not a database", "文件已无法识别为数据库"),
    (11, "database disk image is malformed", "数据库文件的结构错乱"),
    (5, "database is locked", "数据库正被其他进程占用"),
    (6, "database table is locked", "数据表正被占用"),
    (8, "attempt to write a readonly database", "数据库只能读、不能写"),
    (13, "database or disk is full", "磁盘空间已满"),
    (14, "unable to open database file", "数据库文件打不开"),
    (10, "disk I/O error", "磁盘读写出错"),
    (3, "access permission denied", "没有访问权限"),
    (7, "out of memory", "内存不足")])
def test_sqlites_failures_are_said_in_chinese_by_code_or_by_their_words(code, english, said):
    error = sqlite3.DatabaseError(english)
    assert dbmod.sqlite_reason(english) == said                 # its words alone (no code at hand)
    error.sqlite_errorcode = code | 0x100                        # an extended code says its primary one
    assert dbmod.sqlite_reason(error) == said


def test_an_sqlite_failure_of_no_known_kind_is_said_plainly_in_chinese():
    assert dbmod.sqlite_reason("vtable constructor failed: fts5") == dbmod.SQLITE_UNKNOWN
    error = sqlite3.DatabaseError("something new in SQLite 4")
    error.sqlite_errorcode = 99
    assert dbmod.sqlite_reason(error) == dbmod.SQLITE_UNKNOWN
    assert not any("a" <= c.lower() <= "z" for c in dbmod.SQLITE_UNKNOWN)


def test_a_database_that_may_not_be_written_names_what_to_give_whom(kb, monkeypatch):
    kb.users.add("agent", "刘坐席", "demo-2026-pass", "agent")
    data = kb.settings.data_path
    read_only(monkeypatch, [data])
    result = CliRunner(env={"KB_PASSWORD": "new-pass-2026"}).invoke(
        cli, ["user", "passwd", "agent", "--root", str(kb.settings.root), "--data-dir", str(data)])
    user = pwd.getpwuid(os.geteuid()).pw_name
    assert result.exit_code == 1
    assert result.output == (f"错误：无法写入流程数据库“{kb.settings.db_path}”：数据目录“{data}”没有写权限"
                             "（数据库要在其中写 kb.db-wal、kb.db-shm）。"
                             f"请让运行 kb 的用户（{user}）能读写数据目录和其中的文件（如 chown -R {user} {data}，"
                             f"chmod -R u+rwX {data}），然后重试。\n")
    read_only(monkeypatch, [kb.settings.db_path])
    with pytest.raises(DatabaseUnusable, match=f"^无法写入流程数据库“{kb.settings.db_path}”：文件没有写权限。"):
        kb.users.set_password("agent", "new-pass-2026")
    assert kb.users.get("agent").name == "刘坐席"          # reading still works


def modes_are_enforced(tmp_path) -> bool:
    """Whether this user is held to file modes (root is not, unless it gave up that capability)."""
    probe = tmp_path / "probe"
    probe.mkdir(mode=0o555)
    try:
        (probe / "x").touch()
    except PermissionError:
        return True
    finally:
        probe.chmod(0o755)
    return False


def test_a_data_directory_without_write_permission_stops_every_command_in_words(kb, tmp_path):
    if not modes_are_enforced(tmp_path):
        pytest.skip("file modes are not enforced for this user (root)")
    kb.users.add("center", "张校核", "demo-2026-pass", "center_reviewer")
    gc.collect()                  # no connection left open: the last one closed took kb.db-wal and -shm along
    data = kb.settings.data_path
    data.chmod(0o555)
    try:
        result = user_list(kb)
        doctor = CliRunner().invoke(cli, ["doctor", "--root", str(kb.settings.root), "--data-dir", str(data)])
    finally:
        data.chmod(0o755)
    told = f"无法写入流程数据库“{kb.settings.db_path}”：数据目录“{data}”没有写权限"
    assert result.exit_code == 1 and result.output.startswith(f"错误：{told}")
    assert f"  - {told}" in doctor.output and "检查中断" not in doctor.output


def mode(path) -> str:
    return f"{Path(path).stat().st_mode & 0o777:o}"


def test_the_database_and_its_wal_files_are_the_owners_alone(tmp_path):
    # They hold password hashes, API key digests and the log-in audit.
    old = os.umask(0o022)
    try:
        db = dbmod.connect(tmp_path / "data" / "kb.db")
        db["votes"].insert({"entry": "a", "helpful": 1})
        files = {p.name: mode(p) for p in dbmod.database_files(tmp_path / "data" / "kb.db")}
        db.conn.close()
    finally:
        os.umask(old)
    assert files == {"kb.db": "600", "kb.db-wal": "600", "kb.db-shm": "600"}


# -- upgrades ------------------------------------------------------------------------------------------

def test_a_command_that_upgrades_the_database_says_so_once(kb):
    import sqlite_utils

    kb.settings.data_path.mkdir()
    old = sqlite_utils.Database(kb.settings.db_path)
    dbmod.migrations.apply(old, stop_before=dbmod.known()[-2])   # as the version before the last two left it
    old.conn.close()
    n = len(dbmod.known())
    result = user_list(kb)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (f"已将流程数据库“{kb.settings.db_path}”从第 {n - 2} 版升级到第 {n} 版"
                                             f"（{dbmod.known()[-2]}、{dbmod.known()[-1]}）。")
    again = CliRunner().invoke(cli, ["doctor", "--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)])
    assert "流程数据库“" not in again.output.splitlines()[0]                      # said once
    assert again.output.splitlines()[0].startswith("流程数据库：完整性检查通过（") and f"第 {n} 版）" in again.output


def test_a_database_a_newer_version_upgraded_is_refused(kb):
    db = kb.db()
    db[dbmod.migrations.migrations_table].insert({"migration_set": "kb_app", "name": "m099_future_table",
                                                  "applied_at": "2027-03-01 08:00:00+00:00"})
    db.conn.close()
    n = len(dbmod.known())
    told = (f"流程数据库“{kb.settings.db_path}”由较新版本的 kb 升级过（第 {n + 1} 版，本版本不认识其中的 m099_future_table；"
            f"本版本只到第 {n} 版）：请改用新版本，或从升级前的备份恢复（kb restore）。同一个数据目录上不能同时运行新旧两个版本。")
    result = user_list(kb)
    assert result.exit_code == 1 and result.output == f"错误：{told}\n"
    with pytest.raises(DatabaseUnusable, match="由较新版本的 kb 升级过"):
        kb.users.list()
