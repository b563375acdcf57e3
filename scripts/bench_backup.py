"""Backup benchmark: time and size of ``kb backup`` (and ``kb restore``) on the sample and on generated entries.

For each size it prints the time and size of the backup (database through SQLite's online backup
API, every ref as one git bundle, the manifest with checksums) next to a baseline measured in the
same run: a plain recursive copy of the repository's ``.git`` directory and the database files — what
an administrator would do by hand, and which is not consistent while the app writes. Also the time
of a restore (checksums, clone, database, verification). The search index is not backed up: ``kb
index`` derives it from main. The workflow database gets a realistic load: two accounts, one change
request and 20,000 logged searches. The repository is packed first (``git gc``), as git's automatic
gc leaves a repository in use; otherwise a gc that ``git commit`` started in the background would
be measured along with the backup.

    .venv/bin/python scripts/bench_backup.py [--sizes sample,10000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from scripts.bench_search import dir_size, make_repo, sample_material  # noqa: E402

SEARCHES = 20_000


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:.2f} MB"


def load_workflow(kb):
    """Accounts, one change request and logged searches, written as the app writes them."""
    from kb_app.content import frontmatter

    editor = kb.users.add("bench-editor", "编辑", "bench-password", "unit_editor", "hotline-center")
    kb.users.add("bench-center", "校核", "bench-password", "center_reviewer")
    entry = next(e for e in kb.snapshot().entry_list if e.unit == "hotline-center" and e.kind == "policy")
    meta, body, _ = frontmatter.parse(kb.store.read(entry.path))
    kb.review.create(editor, "基准测试变更", {entry.path: frontmatter.dump(meta, body + "\n补充。\n")}, submit=True)
    db = kb.db()
    now = kb.now().isoformat(timespec="seconds")
    db["search_log"].insert_all({"at": now, "query": f"基准查询 {i % 997}", "audience": "public", "role": "public",
                                 "username": None, "hits": i % 5, "opened": None, "unit": None}
                                for i in range(SEARCHES))
    db.conn.close()


def bench(label: str, root: Path, work: Path) -> dict:
    from kb_app import load_settings, open_kb, restore_backup

    kb = open_kb(load_settings(root=root, data_dir=work / "data"))
    load_workflow(kb)
    subprocess.run(["git", "gc", "--quiet"], cwd=root, check=True)
    manifest, t_backup = timed(lambda: kb.backup(work / "backup"))
    size = sum(f["size"] for f in manifest["files"].values())

    def copy():
        shutil.copytree(root / ".git", work / "copy" / "git", ignore=shutil.ignore_patterns("kb-data"))
        for path in kb.settings.db_path.parent.glob("kb.db*"):   # with its -wal and -shm files
            shutil.copy2(path, work / "copy" / path.name)

    _, t_copy = timed(copy)
    copy_size = dir_size(work / "copy")
    _, t_restore = timed(lambda: restore_backup(work / "backup", work / "restored"))
    return {"label": label, "entries": manifest["entries"], "backup_s": t_backup, "size": size,
            "db": manifest["files"]["kb.db"]["size"], "bundle": manifest["files"]["content.bundle"]["size"],
            "copy_s": t_copy, "copy_size": copy_size, "restore_s": t_restore}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="sample,10000", help="sample 与/或生成的条目数，逗号分隔")
    args = parser.parse_args(argv)
    from kb_app import init_repo

    # git's automatic gc runs in the foreground, before the measurements, not beside them.
    os.environ.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="gc.autoDetach", GIT_CONFIG_VALUE_0="false")

    results = []
    for size in args.sizes.split(","):
        work = Path(tempfile.mkdtemp(prefix="kb-bench-backup-"))
        try:
            if size == "sample":
                root, label = init_repo(work / "kb"), "示例知识库"
            else:
                print(f"生成 {int(size)} 个条目……", flush=True)
                root, label = make_repo(work / "kb", int(size), sample_material()), f"生成的 {int(size)} 个条目"
            results.append(bench(label, root, work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n数据库另含 {SEARCHES} 行检索日志、2 个账号、1 个变更请求。")
    print(f"{'':18}{'条目':>7}{'kb backup':>11}{'备份大小':>11}{'（数据库 / git 包）':>22}"
          f"{'基线：直接复制':>14}{'基线大小':>11}{'比值':>8}{'kb restore':>12}")
    for r in results:
        print(f"{r['label']:18}{r['entries']:>7}{r['backup_s']:>10.2f}s{mb(r['size']):>13}"
              f"{mb(r['db']) + ' / ' + mb(r['bundle']):>24}{r['copy_s']:>13.2f}s{mb(r['copy_size']):>13}"
              f"{r['backup_s'] / r['copy_s']:>7.1f}×{r['restore_s']:>11.2f}s")


if __name__ == "__main__":
    main()
