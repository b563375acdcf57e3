"""What the agents' “修改审核中” and “有纠错待处理” marks cost a search.

Makes a copy of the sample in a temporary directory, indexes it and gives it a review history the size
of a busy year: ``--open`` change requests under review (each a real commit changing one answer, made
with git plumbing rather than through the review, to be quick), ``--closed`` finished ones and
``--tasks`` maintenance tasks, ``--reports`` of them open error reports. Then prints, in milliseconds:

* reading what is pending for the first time in a process (git lists each open request's files once),
* reading it again after the database changed (the two queries; the files are known),
* asking whether the database changed when it has not (what nearly every search pays),
* an agent search through the API (``/api/v1/search?audience=agent``, cached response) and the same
  search after every write to the database (the response is rendered again), against a public one.

    .venv/bin/python scripts/bench_pending.py [--open 300] [--closed 20000] [--tasks 20000] [--reports 500]

Nothing is timed in the tests; this only prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

TODAY = "2026-11-22"


def git(root, *args, input=None, env=None) -> str:
    return subprocess.run(["git", *args], cwd=root, input=input, capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})}).stdout.strip()


def open_requests(kb, n: int) -> list[dict]:
    """``n`` commits on top of main, each changing one answer (cycling over the sample's), as open requests."""
    root, main = kb.settings.root, kb.store.head()
    paths = sorted(e.path for e in kb.snapshot().policies())
    index = Path(tempfile.mkdtemp()) / "index"
    env = {"GIT_INDEX_FILE": str(index), "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.invalid"}
    git(root, "read-tree", main, env=env)
    rows = []
    for i in range(n):
        path = paths[i % len(paths)]
        blob = git(root, "hash-object", "-w", "--stdin", input=kb.store.read(path) + f"\n更正第{i}号。\n")
        git(root, "read-tree", main, env=env)
        git(root, "update-index", "--cacheinfo", f"100644,{blob},{path}", env=env)
        tree = git(root, "write-tree", env=env)
        head = git(root, "commit-tree", tree, "-p", main, "-m", f"更正第{i}号", env=env)
        rows.append({"title": f"更正第{i}号", "author": "bench", "author_unit": "city-hrss", "kind": "change",
                     "state": "in_review", "base": main, "head": head, "branch": f"cr/open-{i}",
                     "created": f"{TODAY}T09:00:00"})
    return rows


def history(kb, args):
    """The review history and the tasks, written straight into the database."""
    ids = [e.id for e in kb.snapshot().policies()]
    db = kb.db()
    try:
        db["change_requests"].insert_all(open_requests(kb, args.open))
        db["change_requests"].insert_all(
            [{"title": f"旧变更{i}", "author": "bench", "kind": "change", "state": ("published", "withdrawn", "rejected")[i % 3],
              "base": "", "head": "", "branch": f"cr/closed-{i}", "created": "2026-01-01T09:00:00"}
             for i in range(args.closed)])
        db["tasks"].insert_all(
            [{"unit": "city-hrss", "kind": ("report", "expiring", "review_due")[i % 3], "entry": ids[i % len(ids)],
              "title": "任务", "created": f"2026-{1 + i % 11:02d}-01T09:00:00",
              "state": "open" if i < args.reports * 3 and i % 3 == 0 else "closed", "source": f"bench:{i}"}
             for i in range(args.tasks)])
        db.conn.commit()
    finally:
        db.conn.close()


def ms(samples: list[float]) -> str:
    samples = sorted(samples)
    return (f"中位 {statistics.median(samples) * 1000:.3f} ms，p95 {samples[int(len(samples) * 0.95)] * 1000:.3f} ms"
            f"（{len(samples)} 次）")


def timed(fn, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def touch(kb):
    """A write to the database, as a batch of search logs is."""
    kb.feedback.log_search("bench", "agent", 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=300, help="审核中的变更请求数")
    parser.add_argument("--closed", type=int, default=20_000, help="已结束的变更请求数")
    parser.add_argument("--tasks", type=int, default=20_000, help="维护任务数")
    parser.add_argument("--reports", type=int, default=500, help="其中待处理的纠错数")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()

    from starlette.testclient import TestClient

    from kb_app import init_repo, load_settings, open_kb
    from kb_app.review.pending import PendingWatch
    from kb_app.web.app import create_app

    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as work:
        root = Path(work) / "kb"
        init_repo(root)
        kb = open_kb(load_settings(root=root, data_dir=Path(work) / "data", today=TODAY))
        kb.reindex()
        history(kb, args)
        print(f"审核中的变更请求 {args.open} 个，已结束的 {args.closed} 个；维护任务 {args.tasks} 个，"
              f"其中待处理的纠错 {args.reports} 个；示例库 {len(kb.snapshot().entries)} 个条目。")

        from kb_app.content import store as store_module
        store_module._changes.clear()
        cold = PendingWatch(kb)
        start = time.perf_counter()
        found = cold.current()
        print(f"一个进程第一次读取（一次 git 调用列出全部变更请求改动的文件）：{(time.perf_counter() - start) * 1000:.1f} ms，"
              f"{len(found.by_entry)} 个条目有标记")
        watch = PendingWatch(kb)
        watch.current()

        changed = []
        for _ in range(args.rounds // 3):
            touch(kb)
            changed += timed(watch.current, 1)
        print(f"数据库有改动后再读取：{ms(changed)}")
        print(f"数据库没有改动时（只问 data_version）：{ms(timed(watch.current, args.rounds * 10))}")

        key = kb.api_keys.add("bench", "agent", rate=1_000_000)
        with TestClient(create_app(kb)) as client:
            headers = {"Authorization": f"Bearer {key}"}
            params = {"q": "社保卡丢了怎么补办", "audience": "agent"}
            public = {"q": "社保卡丢了怎么补办"}
            client.get("/api/v1/search", params=params, headers=headers)
            client.get("/api/v1/search", params=public)
            print(f"公众检索（缓存的响应）：{ms(timed(lambda: client.get('/api/v1/search', params=public), args.rounds))}")
            print(f"坐席检索（缓存的响应）：{ms(timed(lambda: client.get('/api/v1/search', params=params, headers=headers), args.rounds))}")
            fresh = timed(lambda: (touch(kb), client.get("/api/v1/search", params=params, headers=headers)),
                          args.rounds // 3)
            print(f"坐席检索（每次之前写一次数据库，重新读取并渲染）：{ms(fresh)}（含写入）")
            hit = client.get("/api/v1/search", params=params, headers=headers).json()["hits"][0]
            print(f"第一条结果：{hit['title']}，marks = {hit['marks'][:3]}{' ……' if len(hit['marks']) > 3 else ''}")


if __name__ == "__main__":
    main()
