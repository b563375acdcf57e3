"""Concurrent writers: eight processes write votes, reports, search logs and approvals at once.

No "database is locked" (or any other error) may reach a user, and no row may be lost: every write a
process saw succeed is counted back from the database afterwards.
"""

import json
import multiprocessing
import time

import pytest

from kb_app import open_kb
from kb_app.db import migrations

from .review_helpers import HOTLINE, HRSS, PASSWORD, edited

#: How long the writers run; with the set-up the test takes about twenty seconds.
SECONDS = 15
ENTRIES = ["sscard-reissue", "residence-permit-apply", "hotline-privacy"]


def log_searches(kb, i):
    kb.feedback.log_search(f"并发查询 {i % 50} 我叫张三", "public" if i % 2 else "agent", i % 3, username="agent")
    return {"search_log": 1}


def vote(kb, i):
    kb.feedback.vote(ENTRIES[i % len(ENTRIES)], i % 3 != 0)
    return {"votes": 1}


def report(kb, i):
    kb.feedback.report_error(ENTRIES[i % len(ENTRIES)], f"第 {i} 条纠错：电话写错了")
    return {"reports": 1}


def approve_and_update(kb, i, cr_id, reviewer, author, path):
    """One approval of the CR's head, then a new commit by its author (which dismisses it)."""
    users = {u: kb.users.get(u) for u in (reviewer, author)}
    kb.review.approve(users[reviewer], cr_id, publish=False)
    kb.review.update(users[author], cr_id, {path: edited(kb, path, f"\n第 {i} 次补充。\n")})
    return {"approvals": 1, "updates": 1}


def _worker(settings, kind, args, seconds, out):
    kb = open_kb(settings)
    writers = {"search_log": log_searches, "votes": vote, "reports": report, "approvals": approve_and_update}
    writes = writers[kind]
    done, errors, i = {}, [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        i += 1
        try:
            for key, n in writes(kb, i, *args).items():
                done[key] = done.get(key, 0) + n
        except Exception as e:  # noqa: BLE001 - every error a user would see is a failure here
            errors.append(f"{type(e).__name__}: {e}")
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"kind": kind, "done": done, "errors": errors[:20], "calls": i}, fh, ensure_ascii=False)


@pytest.mark.slow
def test_eight_writers_lose_nothing_and_never_see_a_lock(kb, tmp_path):
    users = {u: kb.users.add(u, n, PASSWORD, r, unit) for u, n, r, unit in [
        ("hrss-editor", "李编辑", "unit_editor", "city-hrss"),
        ("hotline-editor", "何编辑", "unit_editor", "hotline-center"),
        ("center", "张校核", "center_reviewer", ""),
        ("hotline-reviewer", "周审核", "unit_reviewer", "hotline-center")]}
    a = kb.review.create(users["hrss-editor"], "并发审核甲", {HRSS: edited(kb, HRSS, "\n甲。\n")}, submit=True)
    b = kb.review.create(users["hotline-editor"], "并发审核乙", {HOTLINE: edited(kb, HOTLINE, "\n乙。\n")},
                         submit=True)
    jobs = [("search_log", ()), ("search_log", ()), ("votes", ()), ("votes", ()),
            ("reports", ()), ("reports", ()),
            ("approvals", (a.id, "center", "hrss-editor", HRSS)),
            ("approvals", (b.id, "hotline-reviewer", "hotline-editor", HOTLINE))]
    before = {t: kb.db()[t].count for t in ("search_log", "votes", "reports", "approvals", "tasks")}
    ctx = multiprocessing.get_context("fork")
    procs = []
    for n, (kind, args) in enumerate(jobs):
        p = ctx.Process(target=_worker, args=(kb.settings, kind, args, SECONDS, tmp_path / f"w{n}.json"))
        p.start()
        procs.append(p)
    for p in procs:
        p.join(SECONDS + 60)
        assert p.exitcode == 0
    results = [json.loads((tmp_path / f"w{n}.json").read_text(encoding="utf-8")) for n in range(len(jobs))]
    errors = [e for r in results for e in r["errors"]]
    assert errors == []
    done = {}
    for r in results:
        for key, n in r["done"].items():
            done[key] = done.get(key, 0) + n
    assert all(done.get(k, 0) > 0 for k in ("search_log", "votes", "reports", "approvals")), done
    db = kb.db()
    for table in ("search_log", "votes", "reports", "approvals"):
        assert db[table].count - before[table] == done[table], table
    assert db["tasks"].count_where("kind = 'report'") == done["reports"]
    assert db["cr_events"].count_where("action = 'approve'") == done["approvals"]
    assert db["cr_events"].count_where("action = 'update'") == done["updates"]
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def _open(settings, out):
    try:
        db = open_kb(settings).db()
        out.put(db["users"].count)
    except Exception as e:  # noqa: BLE001
        out.put(f"{type(e).__name__}: {e}")


def test_processes_starting_together_migrate_a_new_database_once(kb):
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_open, args=(kb.settings, out)) for _ in range(8)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(60)
    assert results == [0] * 8
    db = kb.db()
    names = [m.name for m in migrations.applied(db)]
    assert names and len(names) == len(set(names)) and migrations.pending(db) == []
