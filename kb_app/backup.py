"""Backup and restore: a consistent copy of a running knowledge base, brought up again elsewhere.

A backup is a directory of three files:

* ``kb.db`` — the workflow database (users, change requests, approvals, comments, logs, votes,
  reports, tasks, flags), copied with SQLite's online backup API while the app keeps writing;
* ``content.bundle`` — every branch and tag of the content repository (``main`` and each ``cr/*``)
  with their whole history, as one ``git bundle``;
* ``manifest.json`` — what the copy holds: main's commit, every ref, the rows of each table, and
  the size and SHA-256 of both files.

Only the user running kb may open the directory (700) and read its files (600): the database holds
password hashes, API key digests and the log-in audit. A restored database is 600 as well.

Consistency: the app moves a CR's branch and writes its record under the review's branch lock
(:func:`kb_app.review.branches.branch_lock`); the backup reads the refs and copies the database under the
same lock, then bundles exactly those refs, and starts again if a ref moved before the bundle was
written. The copy is written next to its destination and renamed into place when complete, so an
interrupted backup leaves nothing that looks like one. The search index is not copied: it is
derived from main, and ``kb index`` builds it after a restore.

The copy of the database must pass SQLite's integrity check, or there is no backup: a damaged
database never takes the place of a good backup (a nightly rotation removes old backups only after
``kb backup`` succeeded).

:func:`restore` checks the manifest's checksums and the database's integrity, clones the bundle into
a new repository (with a checked-out ``main``), puts the database in the new data directory and
verifies that refs and row counts are those the manifest names.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from importlib import metadata
from pathlib import Path

from .content.store import restore_bundle
from .db import RESTORE, create_private, integrity_problems, unusable
from .exceptions import KbError, StoreError
from .review.branches import branch_lock

FORMAT = 1
KIND = "kb_app-backup"
MANIFEST = "manifest.json"
DATABASE = "kb.db"
BUNDLE = "content.bundle"
REF_PREFIXES = ("refs/heads/", "refs/tags/")
ATTEMPTS = 5


class BackupError(KbError):
    """备份或恢复失败。"""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_database(source: Path, target: Path):
    """Copy a live SQLite database with the online backup API into a self-contained file."""
    create_private(target)
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        src.execute("pragma busy_timeout=30000")
        src.backup(dst)
        dst.execute("pragma journal_mode=delete")
    except sqlite3.DatabaseError as e:
        told = unusable(e, source)
        if told is not None and told.damaged:
            raise BackupError(damaged_database(source, [told.reason])) from e
        raise told or e
    finally:
        dst.close()
        src.close()


def damaged_database(source: Path, problems: list[str]) -> str:
    return (f"流程数据库“{source}”已损坏（完整性检查：{'；'.join(problems[:3])}），没有写出备份：已有的备份都是损坏之前的，"
            f"请保留，不要删除或轮换掉。请运行 kb doctor 查看损坏之处，{RESTORE.removeprefix('请')}"
            "（kb restore 会先核对备份中的数据库）。")


def table_counts(path: Path) -> dict[str, int]:
    """Rows of every table of a database file (SQLite's own tables left out)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' "
                                            "and name not like 'sqlite_%' order by name")]
        return {n: conn.execute(f"select count(*) from [{n}]").fetchone()[0] for n in names}
    finally:
        conn.close()


def _remove(path: Path, keep_dir: bool):
    """Undo a failed restore: remove what it wrote (the directory itself too unless it was there before)."""
    if not keep_dir:
        shutil.rmtree(path, ignore_errors=True)
    elif path.is_dir():
        for child in path.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)


def _fsync(path: Path):
    """Flush a file (or a directory's entries) to disk, so that a finished backup survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _empty_target(path: Path, what: str):
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(f"{what}“{path}”已存在且不为空：请指定一个新的目录。")


def backup(kb, out) -> dict:
    """Write a consistent backup of a (possibly running) knowledge base to the new directory ``out``."""
    started = time.perf_counter()
    out = Path(out).resolve()
    _empty_target(out, "备份目录")
    kb.prepare_database()
    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    partial.chmod(0o700)  # only the user running kb: the database holds password hashes and the log-in audit
    try:
        for _ in range(ATTEMPTS):
            (partial / DATABASE).unlink(missing_ok=True)
            with branch_lock(kb):
                refs = kb.store.refs(REF_PREFIXES)
                copy_database(kb.settings.db_path, partial / DATABASE)
            if kb.store.bundle(partial / BUNDLE, refs) == refs:
                break
        else:
            raise BackupError(f"备份期间分支一直在变化（已尝试 {ATTEMPTS} 次）：请稍后在写入较少时重试。")
        if problems := integrity_problems(partial / DATABASE):  # a damaged database is no backup
            raise BackupError(damaged_database(kb.settings.db_path, problems))
        manifest = _manifest(kb, refs, partial)
        manifest["seconds"] = round(time.perf_counter() - started, 3)
        text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
        (partial / MANIFEST).write_text(text, encoding="utf-8")
        for name in (DATABASE, BUNDLE, MANIFEST):
            (partial / name).chmod(0o600)
        for name in (DATABASE, BUNDLE, MANIFEST, "."):
            _fsync(partial / name)
        if out.exists():
            out.rmdir()
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, out)
        _fsync(out.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _manifest(kb, refs: dict[str, str], folder: Path) -> dict:
    main_ref = f"refs/heads/{kb.settings.main_branch}"
    try:
        version = metadata.version("kb_app")
    except metadata.PackageNotFoundError:
        version = ""
    return {
        "kind": KIND, "format": FORMAT, "kb_app": version,
        "created": kb.now().isoformat(timespec="seconds"),
        "main_branch": kb.settings.main_branch, "main": refs.get(main_ref, ""),
        "refs": refs, "change_branches": sum(1 for r in refs if r.startswith("refs/heads/cr/")),
        "entries": sum(1 for p in kb.store.ls_tree(refs[main_ref], ("entries/",)) if p.endswith(".md"))
        if main_ref in refs else 0,
        "tables": table_counts(folder / DATABASE),
        "files": {name: {"size": (folder / name).stat().st_size, "sha256": sha256(folder / name)}
                  for name in (DATABASE, BUNDLE)},
    }


def read_manifest(folder) -> dict:
    """The manifest of a backup, with both files checked against its sizes and checksums."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"“{folder}”不是 kb backup 生成的备份（缺少或无法读取 {MANIFEST}）：请检查路径。")
    if manifest.get("kind") != KIND or manifest.get("format") != FORMAT:
        raise BackupError(f"“{folder}”的备份格式（{manifest.get('kind')} {manifest.get('format')}）无法识别："
                          "请用生成它的 kb_app 版本恢复。")
    for name, info in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"备份缺少文件 {name}：请换用一份完整的备份。")
        if path.stat().st_size != info["size"] or sha256(path) != info["sha256"]:
            raise BackupError(f"备份文件 {name} 已损坏（大小或校验和与清单不符）：请换用其他备份。")
    return manifest


def restore(folder, target, data_dir=None) -> dict:
    """Bring a backup up as a new knowledge base in ``target`` (data in ``data_dir`` or the default);
    a backup whose database fails SQLite's integrity check is refused."""
    from .content import githooks
    from .config import Settings

    folder, target = Path(folder).resolve(), Path(target).resolve()
    manifest = read_manifest(folder)
    if problems := integrity_problems(folder / DATABASE):
        raise BackupError(f"备份“{folder}”中的数据库已损坏（完整性检查：{'；'.join(problems[:3])}）："
                          "它是从已经损坏的数据库做出的，不能用来恢复。请换用更早的一份备份。")
    _empty_target(target, "目标目录")
    data_dir = Path(data_dir).resolve() if data_dir else None
    settings = Settings(root=target, data_dir=data_dir,
                        main_branch=manifest["main_branch"])
    if data_dir:
        _empty_target(data_dir, "数据目录")
    created = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
        try:
            refs = restore_bundle(target, (folder / BUNDLE).resolve(), manifest["main_branch"], REF_PREFIXES)
        except StoreError as e:
            raise BackupError(str(e)) from e
        if refs != manifest["refs"]:
            raise BackupError("恢复后的分支与备份清单不一致：请换用其他备份。")
        githooks.install(target, manifest["main_branch"])  # main moves only by publishing, as after kb init
        db_path = settings.db_path
        db_path.parent.mkdir(parents=True, exist_ok=True)
        create_private(db_path)
        shutil.copyfile(folder / DATABASE, db_path)
        counts = table_counts(db_path)
        if counts != manifest["tables"]:
            raise BackupError("恢复后的数据库行数与备份清单不一致：请换用其他备份。")
    except BaseException:
        _remove(target, keep_dir=not created)
        if data_dir:
            _remove(data_dir, keep_dir=True)
        raise
    return {**manifest, "root": str(target), "data_dir": str(settings.data_path)}
