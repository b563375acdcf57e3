"""Change-request branches: the lock over a branch and its record, and branches pushed with git.

A ``cr/*`` branch pushed with git becomes a change request (refused when its author may not propose
it), and a new commit pushed onto a known one is an update. Request numbers follow both the records
and the numbered branches.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from pathlib import Path

from ..exceptions import KbError, PermissionDenied
from .policy import check_proposer

log = logging.getLogger(__name__)

_lock_depth = threading.local()


@contextlib.contextmanager
def branch_lock(kb):
    """Held while a ``cr/*`` branch and its record change together, and while both are read as one.

    The app moves a CR's branch and then writes its record; without the lock a concurrent
    :meth:`Branches.sync` (or a backup) would see the branch alone and take it for a git push. A file
    lock in the data directory, so it holds across processes; re-entering it in one thread is a no-op.
    """
    if getattr(_lock_depth, "n", 0):
        _lock_depth.n += 1
        try:
            yield
        finally:
            _lock_depth.n -= 1
        return
    path = Path(kb.settings.data_path) / "branches.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        _lock_depth.n = 1
        try:
            yield
        finally:
            _lock_depth.n = 0
            fcntl.flock(fh, fcntl.LOCK_UN)


def next_id(store, records) -> int:
    """The next free request number: above every recorded one and every numbered ``cr/<n>`` branch."""
    numbers = [int(b[3:]) for b in store.branches("cr/") if b[3:].isdigit()]
    return max([records.top_id(), *numbers]) + 1


class Branches:
    """``cr/*`` branches of one review moved outside the app: adopted, or taken as updates."""

    def __init__(self, review):
        self.review = review
        self.kb, self.store = review.kb, review.kb.store

    def sync(self):
        """Register ``cr/*`` branches pushed with git, and treat new commits on known ones as updates."""
        self.review.recover_interrupted()
        with branch_lock(self.kb):
            branches = self.store.branches("cr/")
            if not branches:
                return
            with self.review.reading() as rec:
                known = rec.heads()
            for branch, sha in branches.items():
                row = known.get(branch)
                if row is None:
                    self._adopt(branch, sha)
                elif row["head"] != sha and self.review.allows(row["state"], "update"):
                    self._pushed_update(row["id"], sha)

    def _git_author(self, sha: str):
        name, email, subject = self.store.commit_meta(sha)
        user = self.review.users.find_by_email(email)
        return user, (user.username if user else f"{name} <{email}>"), subject

    def _adopt(self, branch: str, sha: str):
        main = self.store.head()
        base = self.store.merge_base(main, sha)
        if not base:
            log.warning("分支 %s 与主干没有共同的历史，不登记为变更请求：请从主干新建 cr/ 分支后再推送", branch)
            return
        user, author, subject = self._git_author(sha)
        state, detail = "in_review", f"作者 {author} 用 git 推送了分支 {branch}"
        touched = self.store.changed_paths(base, sha)
        old, new = self.review.read_many(base, touched), self.review.read_many(sha, touched)
        if user is not None:
            try:
                check_proposer(user, old, {p: new.get(p) for p in touched})
            except (PermissionDenied, KbError) as e:
                state, detail = "rejected", f"{detail}；无权发起：{e}"
        problems = self.review.check(sha, main)
        number = branch[3:]
        with self.review.writing() as rec:
            taken = not number.isdigit() or rec.exists(int(number))
            cr_id = next_id(self.store, rec) if taken else int(number)
            rec.insert(cr_id, title=subject or branch, author=author, author_unit=user.unit if user else "",
                       state=state, base=base, head=sha, branch=branch, problems=problems)
            rec.event(cr_id, user.username if user else author, "adopt", sha, detail)

    def _pushed_update(self, cr_id: int, sha: str):
        user, author, subject = self._git_author(sha)
        cr = self.review.get(cr_id)
        base = self.store.merge_base(self.store.head(), sha) or cr.base
        problems = self.review.check(sha, self.store.head())
        with self.review.writing() as rec:
            self.review.record_commit(rec, cr, user.username if user else author, sha, base, problems,
                                      "update", f"git 推送：{subject}")
