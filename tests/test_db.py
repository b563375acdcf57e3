"""kb_app.db.transaction: one connection, one transaction, committed or rolled back, always closed."""

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kb_app import db as dbmod
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
