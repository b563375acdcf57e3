"""The git store: content at any commit, history, diffs, change branches and publishing.

Change-request commits are written with git plumbing into a temporary index
(``GIT_INDEX_FILE``), so the working tree and the real index are never touched, and
publishing moves ``main`` by compare-and-swap (``update-ref NEW OLD``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import git

from ..cache import LruCache
from ..exceptions import PublishConflict, StoreError
from .model import CONTENT_PREFIXES, BlobFiles, Entry, Snapshot

ZERO = "0" * 40
#: The commit whose content the knowledge base started from (the sample, or a repository's history when kb took
#: it over): every commit on main after it came through a publication or went around the review. A tag, so that
#: backups and restores carry it with the branches.
START_REF = "refs/tags/kb-start"
#: How long moving a ref waits for another writer's lock on it (git's own default is 100 ms): a
#: publish that meets one in progress waits for it and then sees the main it made, instead of failing.
REF_LOCK_TIMEOUT_MS = 5000
#: Blob texts by sha, shared by every store of the process (a blob never changes), bounded in memory.
BLOB_CACHE_BYTES = 256 * 1024 * 1024
_blobs = LruCache(1_000_000, sizeof=sys.getsizeof, maxcost=BLOB_CACHE_BYTES)


#: The content files changed between two commits named by their shas (a commit never changes), shared like the
#: blobs: the editor and review pages ask it of every open change request on every rerun.
_changes = LruCache(4096)
_SHA = re.compile("[0-9a-f]{40}")


def limit_blob_cache(nbytes: int) -> None:
    """Bound the process's blob texts to ``nbytes`` (a web worker keeps few: its pages are cached)."""
    _blobs.resize(maxcost=nbytes)


@dataclasses.dataclass
class Version:
    """One commit that touched a file."""

    commit: str
    author: str
    email: str
    date: dt.datetime
    message: str
    trailers: dict[str, list[str]]
    path: str
    deleted: bool = False

    @property
    def summary(self) -> str:
        return self.message.splitlines()[0] if self.message else ""


@dataclasses.dataclass
class _Told:
    """A published version with its entry (None when it cannot be read)."""

    version: Version
    entry: Entry | None


def parse_trailers(message: str) -> dict[str, list[str]]:
    """``Key: value`` lines of the last paragraph of a commit message."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    out: dict[str, list[str]] = {}
    if len(paragraphs) < 2:
        return out
    for line in paragraphs[-1].splitlines():
        key, sep, value = line.partition(": ")
        if sep and key and " " not in key.strip():
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def run_git(cwd, *args, input: str | bytes | None = None, env: dict | None = None, check=True) -> str:
    """Run a git command in ``cwd`` and return its standard output (StoreError when it fails)."""
    full_env = {**os.environ, **(env or {})}
    data = input.encode("utf-8") if isinstance(input, str) else input
    proc = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, env=full_env)
    if check and proc.returncode != 0:
        why = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
        raise StoreError(f"git {args[0]} 失败：{why}")
    return proc.stdout.decode("utf-8", "replace")


def identity_env(author: str, date: str | None = None, committer: str = "kb_app <kb_app@localhost>") -> dict:
    """Environment naming the author (and committer) of a commit, ``Name <email>``, dated ``date``."""
    def split(who):
        name, _, email = who.partition("<")
        return name.strip() or "kb_app", email.rstrip(">").strip() or "kb_app@localhost"

    (a_name, a_email), (c_name, c_email) = split(author), split(committer)
    env = {"GIT_AUTHOR_NAME": a_name, "GIT_AUTHOR_EMAIL": a_email,
           "GIT_COMMITTER_NAME": c_name, "GIT_COMMITTER_EMAIL": c_email}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return env


def create_repository(target, message: str, author: str, now: dt.datetime | None = None,
                      branch: str = "main"):
    """Make the directory ``target`` a repository whose one commit holds every file in it.

    ``now`` dates the commit (the settings' clock); without it git takes the real time.
    """
    env = identity_env(author, now.isoformat() if now else None, committer=author)
    run_git(target, "init", "-q", "-b", branch)
    run_git(target, "add", "-A")
    run_git(target, "commit", "-q", "-m", message, env=env)


def restore_bundle(target, bundle, branch: str, prefixes=("refs/heads/", "refs/tags/")) -> dict[str, str]:
    """A new repository in ``target`` with every ref of a ``git bundle``, ``branch`` checked out; its refs."""
    run_git(target, "init", "--quiet", "-b", branch)
    run_git(target, "bundle", "verify", "--quiet", str(bundle))
    run_git(target, "fetch", "--quiet", "--update-head-ok", str(bundle), *[f"{p}*:{p}*" for p in prefixes])
    run_git(target, "reset", "--quiet", "--hard", f"refs/heads/{branch}")
    return refs_in(target, prefixes)


def refs_in(root, prefixes=("refs/heads/", "refs/tags/")) -> dict[str, str]:
    """Every ref of a repository under ``prefixes``: name -> commit."""
    out = run_git(root, "for-each-ref", "--format=%(refname) %(objectname)", *prefixes)
    return dict(line.split(" ", 1) for line in out.splitlines() if line)


def unreadable(sha: str, detail: str) -> StoreError:
    """The error of a git object that cannot be read: the repository is damaged or incomplete."""
    detail = "；".join(line.strip() for line in detail.splitlines() if line.strip())
    return StoreError(f"内容仓库中的 git 对象 {sha[:10]} 无法读取（{detail}）：仓库已损坏或不完整，"
                      "请停止应用，用 kb restore 从最近的备份恢复。")


class Store:
    """A content repository on disk, read and written through git objects only."""

    def __init__(self, root, main_branch: str = "main", author: str = "kb_app <kb_app@localhost>"):
        self.root = Path(root)
        try:
            self.repo = git.Repo(self.root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise StoreError(f"“{self.root.resolve()}”不是内容仓库（git 仓库）：请用 --root 或环境变量 KB_ROOT 指向内容仓库；"
                             f"要在这里新建，运行 kb init {self.root}。")
        self.main = main_branch
        self.author = author
        self._reading = threading.Lock()

    # -- plumbing -----------------------------------------------------------------------------

    def git(self, *args, input: str | bytes | None = None, env: dict | None = None, check=True) -> str:
        """Run a git command in the repository and return its standard output."""
        return run_git(self.root, *args, input=input, env=env, check=check)

    def refs(self, prefixes=("refs/heads/", "refs/tags/")) -> dict[str, str]:
        """Every branch and tag (or the refs under ``prefixes``): name -> commit."""
        return refs_in(self.root, prefixes)

    def bundle(self, path, refs) -> dict[str, str]:
        """Write the refs with their whole history as one ``git bundle`` at ``path``; the heads it holds."""
        self.git("bundle", "create", "--quiet", str(path), "--stdin", input="\n".join(refs) + "\n")
        out = self.git("bundle", "list-heads", str(path))
        return {name: sha for sha, name in (line.split(" ", 1) for line in out.splitlines() if line)}

    def rev(self, ref: str) -> str | None:
        """The commit a ref points at, or None."""
        out = self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).strip()
        return out or None

    def start(self) -> str | None:
        """The commit the knowledge base started from (``START_REF``), or None when none is tagged."""
        return self.rev(START_REF)

    def mark_start(self) -> bool:
        """Tag main's commit as the starting point, unless one is tagged already (or main has no commit yet);
        whether it was tagged now."""
        main = self.rev(f"refs/heads/{self.main}")
        return bool(main) and self.update_ref(START_REF, main, None)

    def head(self) -> str:
        sha = self.rev(f"refs/heads/{self.main}")
        if not sha:
            raise StoreError(f"仓库中没有 {self.main} 分支：请先运行 kb init 建立内容仓库。")
        return sha

    def ls_tree(self, commit: str, prefixes=CONTENT_PREFIXES) -> dict[str, str]:
        """path -> blob sha of the content files at a commit."""
        out = self.git("ls-tree", "-r", "-z", commit, "--", *prefixes)
        files = {}
        for item in out.split("\0"):
            if not item:
                continue
            info, path = item.split("\t", 1)
            _mode, kind, sha = info.split()
            if kind == "blob":
                files[path] = sha
        return files

    def read_blobs(self, shas) -> dict[str, str]:
        """Blob texts by sha, read with one ``git cat-file --batch`` and cached (blobs never change)."""
        shas = list(shas)
        found, missing = {}, []
        for sha in dict.fromkeys(shas):
            text = _blobs.get(sha)
            if text is None:
                missing.append(sha)
            else:
                found[sha] = text
        if len(missing) == 1:
            found[missing[0]] = self._read_blob(missing[0])
        elif missing:
            proc = subprocess.run(["git", "cat-file", "--batch"], cwd=self.root, input="\n".join(missing).encode() + b"\n",
                                  capture_output=True)
            data, pos = proc.stdout, 0
            for sha in missing:
                nl = data.find(b"\n", pos)
                header = data[pos:nl].split() if nl >= 0 else []
                if len(header) != 3 or len(data) < nl + 1 + int(header[2]):
                    raise unreadable(sha, proc.stderr.decode("utf-8", "replace").strip() or "对象缺失")
                size = int(header[2])
                found[sha] = data[nl + 1: nl + 1 + size].decode("utf-8", "replace")
                pos = nl + 1 + size + 1
        for sha in missing:
            _blobs.put(sha, found[sha])
        return {s: found[s] for s in shas}

    def _read_blob(self, sha: str) -> str:
        """One blob through gitpython's long-lived ``cat-file --batch`` (restarted after a failed read)."""
        with self._reading:                          # the long-lived process is not thread-safe
            try:
                _sha, _kind, size, data = self.repo.git.get_object_data(sha)
            except (OSError, ValueError, git.GitError) as e:
                self.repo.git.clear_cache()
                raise unreadable(sha, str(e) or type(e).__name__)
            if len(data) != size:                    # git died reading a damaged object: it sent nothing
                self.repo.git.clear_cache()
                raise unreadable(sha, f"读到 {len(data)} 字节，应为 {size} 字节")
        return data.decode("utf-8", "replace")

    def files_at(self, commit: str, prefixes=CONTENT_PREFIXES) -> dict[str, str]:
        tree = self.ls_tree(commit, prefixes)
        blobs = self.read_blobs(tree.values())
        return {p: blobs[s] for p, s in tree.items()}

    def snapshot(self, commit: str | None = None) -> Snapshot:
        """The content (entries, regulations, configuration) at a commit; main by default."""
        commit = commit or self.head()
        return Snapshot(BlobFiles(self.ls_tree(commit), self.read_blobs), commit=commit)

    def read(self, path: str, commit: str | None = None) -> str | None:
        """A file's text at a commit, or None when it does not exist there."""
        commit = commit or self.head()
        out = subprocess.run(["git", "cat-file", "-p", f"{commit}:{path}"], cwd=self.root, capture_output=True)
        return out.stdout.decode("utf-8", "replace") if out.returncode == 0 else None

    def first_parent(self, commit: str) -> str | None:
        """The first parent of a commit (main's previous commit for a publish), or None for a root."""
        return self.rev(f"{commit}^1")

    def mainline(self, ref: str | None = None) -> list[str]:
        """The commits of main's first-parent line up to ``ref`` (main by default), newest first."""
        return self.git("rev-list", "--first-parent", ref or self.head()).split()

    def commit_time(self, commit: str) -> int | None:
        """A commit's time in seconds since the epoch, or None when there is no such commit."""
        out = self.git("show", "-s", "--format=%ct", commit, check=False).strip()
        return int(out) if out.isdigit() else None

    def last_published(self, path: str, ref: str | None = None) -> dt.datetime | None:
        """When a file last changed on main's first-parent line (publish time), or None."""
        out = self.git("log", "-1", "--first-parent", "--format=%cI", ref or self.head(), "--", path,
                       check=False).strip()
        return dt.datetime.fromisoformat(out) if out else None

    def deleted_paths(self, pattern: str, ref: str | None = None) -> list[str]:
        """Paths matching a glob that were deleted in the history of ``ref`` (main), newest first."""
        deletions = self.deletions(pattern, ref, first_parent=False)
        return [path for _sha, _date, paths in deletions for path in paths]

    def deletions(self, pathspec: str, ref: str | None = None,
                  first_parent: bool = True) -> list[tuple[str, str, list[str]]]:
        """(commit, ISO date, deleted paths) of the commits of main (published ones by default) deleting
        files matching ``pathspec``, newest first."""
        out = self.git("log", *(["--first-parent"] if first_parent else []), "--diff-filter=D", "--name-only",
                       "--format=\x1e%H\x1f%cI", ref or self.head(), "--", pathspec, check=False)
        found = []
        for record in out.split("\x1e"):
            head, _, names = record.partition("\n")
            if "\x1f" in head:
                sha, date = head.split("\x1f")
                found.append((sha, date, [n.strip() for n in names.splitlines() if n.strip()]))
        return found

    def damaged_objects(self) -> list[str]:
        """What ``git fsck`` says is missing or damaged (empty when every object is whole and the refs
        reach only objects that are there). A full check: it reads every object and checks each pack's
        checksum, which ``--connectivity-only`` does not (0.2 s for 20,000 objects)."""
        proc = subprocess.run(["git", "fsck", "--no-dangling", "--no-progress"],
                              cwd=self.root, capture_output=True, text=True)
        if proc.returncode == 0:
            return []
        return [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()] or ["git fsck 失败"]

    def changed_paths(self, old: str | None, new: str) -> dict[str, str]:
        """path -> status letter (A, M, D) between two commits; renames come as D + A."""
        if not old or old == ZERO:
            return {p: "A" for p in self.ls_tree(new)}

        def diff():
            out = self.git("diff-tree", "-r", "-z", "--no-renames", "--name-status", old, new, "--", *CONTENT_PREFIXES)
            parts = [p for p in out.split("\0") if p]
            return {parts[i + 1]: parts[i][0] for i in range(0, len(parts) - 1, 2)}
        if _SHA.fullmatch(old) and _SHA.fullmatch(new):
            return dict(_changes.get_or_build((old, new), diff))
        return diff()

    def changed_paths_many(self, pairs) -> dict[tuple[str, str], dict[str, str]]:
        """``changed_paths`` of many (old, new) pairs of commits: those not known yet in one git call
        (``diff-tree --stdin``), so hundreds of open change requests cost one process, not hundreds."""
        out, wanted = {}, []
        for old, new in pairs:
            if not (old and old != ZERO and _SHA.fullmatch(old) and _SHA.fullmatch(new)):
                out[(old, new)] = self.changed_paths(old, new)
            elif (known := _changes.get((old, new))) is not None:
                out[(old, new)] = dict(known)
            else:
                wanted.append((old, new))
        wanted = list(dict.fromkeys(wanted))
        if wanted:
            # A line is a commit and the parent it is compared with (``new old``); --always gives every pair a
            # header (the commit), an empty diff too, so the pairs come back in order.
            text = self.git("diff-tree", "--stdin", "--always", "-r", "-z", "--no-renames", "--name-status", "--",
                            *CONTENT_PREFIXES, input="".join(f"{new} {old}\n" for old, new in wanted))
            tokens, found = [t for t in text.split("\0") if t], []
            i = 0
            while i < len(tokens):
                if _SHA.fullmatch(tokens[i]):
                    found.append({})
                    i += 1
                else:
                    found[-1][tokens[i + 1]] = tokens[i][0]
                    i += 2
            if len(found) != len(wanted):   # not as expected: one call each
                found = [self.changed_paths(old, new) for old, new in wanted]
            for pair, changes in zip(wanted, found):
                _changes.put(pair, changes)
                out[pair] = dict(changes)
        return out

    def paths_outside_content(self, old: str, new: str) -> list[str]:
        """Files changed between two commits outside the content folders (``CONTENT_PREFIXES``)."""
        out = self.git("diff-tree", "-r", "-z", "--no-renames", "--name-only", old, new)
        return sorted(p for p in out.split("\0") if p and not p.startswith(CONTENT_PREFIXES))

    def main_on(self, day: dt.date) -> str | None:
        """main's commit as published by the end of ``day`` (first parents only); None before the first."""
        out = self.git("rev-list", "-1", "--first-parent", f"--before={day.isoformat()} 23:59:59",
                       self.head(), check=False)
        return out.strip() or None

    # -- history ------------------------------------------------------------------------------

    def history(self, path: str, ref: str | None = None, first_parent: bool = True) -> list[Version]:
        """Versions of a file, newest first; on main, only what was published (first parents)."""
        ref = ref or self.head()
        args = ["log", "--format=%H%x1f%an%x1f%ae%x1f%cI%x1f%B%x1e"] + (["--first-parent"] if first_parent else [])
        out = self.git(*args, ref, "--", path)
        versions = []
        for record in out.split("\x1e"):
            if not record.strip():
                continue
            sha, author, email, date, message = record.lstrip("\n").split("\x1f", 4)
            exists = subprocess.run(["git", "cat-file", "-e", f"{sha}:{path}"], cwd=self.root).returncode == 0
            versions.append(Version(sha, author, email, dt.datetime.fromisoformat(date), message.strip(),
                                    parse_trailers(message), path, deleted=not exists))
        return versions

    def earlier_texts(self, paths, ref: str | None = None, limit: int = 6) -> dict[str, list[str]]:
        """The texts of the versions published before the one at ``ref`` (main's first parents), newest
        first and at most ``limit`` per file, back to the file's creation: one ``git log`` for all files.

        A file deleted and added again starts anew: what it said before the deletion is not an earlier version.
        """
        shas: dict[str, list[str]] = {}
        done: set[str] = set()
        paths = sorted(set(paths))
        for start in range(0, len(paths), 1000):                   # bounded command lines
            chunk = paths[start:start + 1000]
            out = self.git("log", "--first-parent", "--diff-merges=first-parent", "--no-renames", "--raw",
                           "--no-abbrev", "--format=", *([f"--max-count={limit + 1}"] if len(chunk) == 1 else []),
                           ref or self.head(), "--", *chunk)
            for line in out.splitlines():
                meta, _, path = line.partition("\t")
                parts = meta.split()
                if len(parts) != 5 or path in done:
                    continue
                status, new = parts[4], parts[3]
                if status == "D":
                    done.add(path)
                    continue
                got = shas.setdefault(path, [])
                got.append(new)
                if status == "A" or len(got) > limit:
                    done.add(path)
        wanted = [s for versions in shas.values() for s in versions[1:limit + 1]]
        texts = self.read_blobs(wanted) if wanted else {}
        return {p: [texts[s] for s in versions[1:limit + 1]] for p, versions in shas.items()}

    def recent(self, prefixes, limit: int = 20, ref: str | None = None) -> list[Version]:
        """The newest published versions (main's first parents) of the files under ``prefixes``, newest
        first: one for each file the last ``limit`` such commits touched, ``deleted`` where it was removed."""
        fmt = "%x1e%H%x1f%an%x1f%ae%x1f%cI%x1f%B%x1d"
        out = self.git("log", "--first-parent", "--diff-merges=first-parent", "--no-renames", "--name-status",
                       f"--max-count={limit}", f"--format={fmt}", ref or self.head(), "--", *prefixes)
        versions = []
        for record in out.split("\x1e"):
            if "\x1d" not in record:
                continue
            header, names = record.split("\x1d", 1)
            sha, author, email, date, message = header.split("\x1f", 4)
            for line in names.splitlines():
                status, _, path = line.partition("\t")
                if path:
                    versions.append(Version(sha, author, email, dt.datetime.fromisoformat(date), message.strip(),
                                            parse_trailers(message), path, deleted=status == "D"))
        return versions

    def diff(self, path: str, old: str | None, new: str | None, context: int = 3) -> str:
        """Unified diff of one file between two commits (None means absent)."""
        a = (self.read(path, old) if old else None) or ""
        b = (self.read(path, new) if new else None) or ""
        return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True),
                                            f"a/{path}@{(old or '')[:8]}", f"b/{path}@{(new or '')[:8]}", n=context))

    def version_on(self, path: str, day: dt.date, ref: str | None = None, at: dt.datetime | None = None):
        """The version of an entry in force on a day: (Version, Entry) or (None, None).

        Versions published after ``day`` (after the moment ``at`` of it, local time, when given) are not
        considered; among those published by then, the one in force is told by ``versions.in_force``:
        a newer version scheduled for a later day leaves the one before it in force until then, as the
        search and the public pages do. Days are the local time's (the hotline's).
        """
        from . import versions

        def published(version) -> bool:
            if at is not None:
                return version.date <= (at if at.tzinfo else at.astimezone())
            return version.date.astimezone().date() <= day

        def candidates():
            for version in self.history(path, ref):
                if not published(version):
                    continue
                if version.deleted:
                    return
                yield version, versions.parse(path, self.read(path, version.commit))

        found = versions.in_force((_Told(v, e) for v, e in candidates()), day)
        return (found.version, found.entry) if found else (None, None)

    # -- writing ------------------------------------------------------------------------------

    def _identity_env(self, author: str | None, date: str | None = None) -> dict:
        return identity_env(author or self.author, date)

    def write_tree(self, base: str | None, changes: dict[str, str | None]) -> str:
        """A tree: ``base``'s tree with files set (text) or removed (None), via a temporary index."""
        with tempfile.TemporaryDirectory(prefix="kb-index-") as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if base:
                self.git("read-tree", base, env=env)
            else:
                self.git("read-tree", "--empty", env=env)
            lines = []
            for path, text in sorted(changes.items()):
                if text is None:
                    self.git("update-index", "--force-remove", "--", path, env=env)
                    continue
                sha = self.git("hash-object", "-w", "--stdin", "--path", path, input=text).strip()
                lines.append(f"100644 {sha}\t{path}")
            if lines:
                self.git("update-index", "--add", "--index-info", input="\n".join(lines) + "\n", env=env)
            return self.git("write-tree", env=env).strip()

    def commit_tree(self, tree: str, parents, message: str, author: str | None = None, date: str | None = None) -> str:
        args = ["commit-tree", tree]
        for p in parents:
            args += ["-p", p]
        return self.git(*args, input=message, env=self._identity_env(author, date)).strip()

    def update_ref(self, ref: str, new: str, old: str | None) -> bool:
        """Compare-and-swap a ref; False when it no longer points at ``old``.

        A ref locked by another writer is waited for (REF_LOCK_TIMEOUT_MS), then compared.
        """
        args = ["-c", f"core.filesRefLockTimeout={REF_LOCK_TIMEOUT_MS}", "update-ref", ref, new, old or ZERO]
        return subprocess.run(["git", *args], cwd=self.root, capture_output=True).returncode == 0

    def write_change(self, branch: str, changes: dict[str, str | None], message: str, author: str | None = None,
                     base: str | None = None, date: str | None = None) -> str:
        """Commit changes on ``branch`` (created from ``base``, default main) without touching the work tree."""
        ref = f"refs/heads/{branch}"
        parent = self.rev(ref) or base or self.head()
        tree = self.write_tree(parent, changes)
        commit = self.commit_tree(tree, [parent], message, author, date)
        if not self.update_ref(ref, commit, self.rev(ref)):
            raise StoreError(f"分支 {branch} 同时被他人更新：请刷新后重试。")
        return commit

    def conflicting_paths(self, base: str, head: str, main: str) -> list[str]:
        """Files the change touches that also changed on main since ``base``."""
        if main == base:
            return []
        touched = self.changed_paths(base, head)
        moved = self.changed_paths(base, main)
        return sorted(set(touched) & set(moved))

    def merge_texts(self, ancestor: str | None, ours: str | None, theirs: str | None) -> str | None:
        """A file's two versions merged line by line from their common ``ancestor`` with ``git merge-file``,
        as git merges a branch; None when they overlap (or one side deletes the file the other changed)."""
        if ours == theirs or theirs == ancestor:
            return ours
        if ours == ancestor:
            return theirs
        if ours is None or theirs is None:
            return None
        with tempfile.TemporaryDirectory(prefix="kb-merge-") as tmp:
            names = []
            for name, text in (("ours", ours), ("ancestor", ancestor or ""), ("theirs", theirs)):
                Path(tmp, name).write_text(text, encoding="utf-8")
                names.append(str(Path(tmp, name)))
            proc = subprocess.run(["git", "merge-file", "-p", *names], cwd=self.root, capture_output=True)
        # The exit status is the number of overlapping hunks (negative on error).
        return proc.stdout.decode("utf-8") if proc.returncode == 0 else None

    def publish(self, head: str, base: str, message: str, author: str | None = None, date: str | None = None,
                retries: int = 5, verify=None) -> str:
        """Put a change onto main as a merge commit; refuse when a touched file moved on main.

        Main is moved by compare-and-swap; if another publish won the race, the check is made
        again against the new main, so a change is never applied over one it has not seen.
        When main moved since ``base``, ``verify(commit)`` (if given) checks the merged result
        before main moves, and may raise to refuse it.
        """
        for _ in range(retries):
            main = self.head()
            conflicts = self.conflicting_paths(base, head, main)
            if conflicts:
                raise PublishConflict(
                    "发布被拒绝：以下文件在本变更提交后已被他人修改并发布——" + "、".join(conflicts)
                    + "。请查看双方版本，在变更请求中更新后重新提交审核。", conflicts)
            # Only the content files the change touches are carried over: nothing else of a branch
            # (a settings file, a hook) reaches main, whatever was pushed.
            touched = self.changed_paths(base, head)
            files = self.files_at(head, [p for p, s in touched.items() if s != "D"]) if touched else {}
            tree = self.write_tree(main, {p: (None if s == "D" else files[p]) for p, s in touched.items()})
            commit = self.commit_tree(tree, [main, head], message, author, date)
            if verify is not None and main != base:
                verify(commit)
            if self.update_ref(f"refs/heads/{self.main}", commit, main):
                self._follow_checkout(main, commit)
                return commit
        raise StoreError("主干更新过于频繁，发布未完成：请稍后重试。")

    def _follow_checkout(self, old: str, new: str):
        """Keep a clean checkout of main in step with it; a checkout with local edits is left alone."""
        try:
            if self.repo.bare or self.repo.head.is_detached or self.repo.active_branch.name != self.main:
                return
        except (TypeError, ValueError):
            return
        # After update-ref, a clean checkout of `old` shows exactly old→new as staged changes.
        status = self.git("status", "--porcelain", "--untracked-files=no", "--no-renames", check=False)
        expected = set(self.changed_paths(old, new))
        lines = [ln for ln in status.splitlines() if ln]
        if all(ln[1] == " " and ln[3:] in expected for ln in lines):
            self.git("read-tree", "-m", "-u", old, new, check=False)

    def branches(self, prefix: str = "cr/") -> dict[str, str]:
        """Branch name -> commit, for branches under a prefix."""
        out = self.git("for-each-ref", "--format=%(refname:short) %(objectname)", f"refs/heads/{prefix}")
        return dict(line.split(" ", 1) for line in out.splitlines() if line)

    def merge_base(self, a: str, b: str) -> str | None:
        return self.git("merge-base", a, b, check=False).strip() or None

    def first_parent_changes(self, head: str | None, prefixes, since: str | None = None) -> list[tuple]:
        """Commits on main's first-parent line (up to ``head``, after ``since``), oldest first, touching
        ``prefixes``.

        Each is (commit, parents, committer date, its Change-Request trailer or "", paths touched
        relative to its first parent).
        """
        fmt = "%x1e%H%x1f%P%x1f%cI%x1f%(trailers:key=Change-Request,valueonly,separator=%x2C)%x1d"
        out = self.git("log", "--first-parent", "--reverse", "--diff-merges=first-parent", "--no-renames",
                       "--name-only", f"--format={fmt}",
                       f"{since}..{head or self.head()}" if since else head or self.head(), "--", *prefixes)
        found = []
        for record in out.split("\x1e"):
            if "\x1d" not in record:
                continue
            header, names = record.split("\x1d", 1)
            commit, parents, date, cr = header.split("\x1f")
            paths = [p for p in names.split("\n") if p.strip()]
            found.append((commit, parents.split(), date, cr.strip(), paths))
        return found

    def tree_of(self, commit: str) -> str:
        """The tree object of a commit."""
        return self.git("rev-parse", f"{commit}^{{tree}}").strip()

    def commit_meta(self, commit: str) -> tuple[str, str, str]:
        """(author name, author email, subject) of a commit."""
        out = self.git("log", "-1", "--format=%an%x1f%ae%x1f%s", commit)
        name, email, subject = out.strip().split("\x1f", 2)
        return name, email, subject

    def find_first_parent(self, pattern: str, ref: str | None = None) -> str | None:
        """The newest commit on ``ref``'s first-parent line (main by default) whose message matches a regex."""
        out = self.git("log", "--first-parent", "-1", "--format=%H", "-E", f"--grep={pattern}",
                       ref or self.head(), check=False)
        return out.strip() or None
