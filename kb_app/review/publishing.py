"""Publishing a change request: main moved by compare-and-swap, the merge checked, what it sets off.

A publisher first claims the CR ("publishing", in one transaction), then moves main, then records the
outcome (published, conflicting, or back to approved) in one more. A claim left behind by a process
that died is settled from main, which is the truth (:meth:`Publishing.recover_interrupted`).
"""

from __future__ import annotations

import datetime as dt
import logging

from ..accounts.auth import User
from ..exceptions import PublishConflict, ReviewStateError
from .records import ChangeRequest, ReviewStatus

log = logging.getLogger(__name__)

#: A CR still "publishing" after this long was left behind by a process that died.
STALE_PUBLISHING = dt.timedelta(minutes=2)


class MergeInvalid(ReviewStateError):
    """The CR is valid alone but not together with what main has become."""

    def __init__(self, message, problems):
        super().__init__(message)
        self.problems = list(problems)


class Publishing:
    """Putting approved CRs of one review on main, and what follows."""

    def __init__(self, review):
        self.review = review
        self.kb, self.store = review.kb, review.kb.store

    def publish(self, user: User, cr: ChangeRequest, status: ReviewStatus) -> str:
        """Claim the CR, merge it onto main and record the outcome; returns main's new commit."""
        with self.review.acting_on(cr, "publish") as rec:    # the claim: one publisher at a time
            rec.set(cr.id, state="publishing")
        message, author = self.review.publish_message(cr, status), self.review.signature(cr.author)
        try:
            commit = self.store.publish(cr.head, cr.base, message, author, rec.now,
                                        verify=self._verify_merge(cr))
        except (PublishConflict, MergeInvalid) as e:
            self._conflicting(cr, user, e)
            raise
        except Exception:
            with self.review.writing() as rec:
                rec.set(cr.id, state="approved")
            raise
        with self.review.writing() as rec:
            rec.set(cr.id, state="published", published_commit=commit, published=rec.now, conflicts=[])
            rec.event(cr.id, user.username, "publish", commit)
            cr = rec.get(cr.id)
        self.after_publish(cr, commit)
        return commit

    def _conflicting(self, cr: ChangeRequest, user: User, error: Exception):
        """Record a refused publication: the files that moved on main, or what the merge broke."""
        with self.review.writing() as rec:
            if isinstance(error, MergeInvalid):
                rec.set(cr.id, state="conflicting", problems=error.problems, valid=0)
                detail = "；".join(error.problems[:3])
            else:
                rec.set(cr.id, state="conflicting", conflicts=error.paths)
                detail = "、".join(error.paths)
            rec.event(cr.id, user.username, "conflict", cr.head, detail)

    def _verify_merge(self, cr):
        """A check of the merged result when main moved since the CR's base (other files changed)."""
        def verify(commit):
            problems = self.review.check(commit, self.store.rev(f"{commit}^1"))
            if problems:
                raise MergeInvalid(f"变更请求 #{cr.id} 与主干上的最新内容合并后校验未通过：{problems[0]}"
                                   + (f"（另有 {len(problems) - 1} 个问题）" if len(problems) > 1 else "")
                                   + "。请作者按主干现状更新变更请求后重新提交审核。", problems)
        return verify

    def after_publish(self, cr: ChangeRequest, commit: str):
        """Bring the search index up to the new main, then run the on_publish hooks (failures are logged)."""
        try:
            self.kb.reindex()
        except Exception:  # noqa: BLE001 - the index is derived and can always be rebuilt with kb index
            log.exception("变更请求 #%s 发布后更新检索索引失败：请运行 kb index（或 kb doctor --repair）", cr.id)
        for hook in self.review.hooks.on_publish:
            try:
                hook(self.kb, cr, commit)
            except Exception:  # noqa: BLE001 - a hook must not undo a publication
                log.exception("变更请求 #%s 发布后的后续动作 %r 失败", cr.id, hook)

    def recover_interrupted(self, older_than: dt.timedelta = STALE_PUBLISHING) -> list[int]:
        """Settle CRs left "publishing" by a process that died between its claim and main moving.

        Main is the truth: if it holds the CR's merge commit, the CR is published (and its hooks
        run now); otherwise it goes back to approved, to be published again.
        """
        with self.review.reading() as rec:
            stale = rec.publishing_since((self.kb.now() - older_than).isoformat())
        settled = []
        for cr_id in stale:
            published = self._settle(cr_id)
            if published is not None:
                self.after_publish(*published)
            settled.append(cr_id)
        return settled

    def _settle(self, cr_id: int):
        """Publish or re-approve one interrupted CR; (cr, commit) when main holds it."""
        head = self.review.get(cr_id).head
        merged = self.store.find_first_parent(f"^Change-Request: {cr_id}$")
        published = bool(merged) and self.store.rev(f"{merged}^2") == head
        with self.review.writing() as rec:
            cr = rec.get(cr_id)
            if cr.state != "publishing" or cr.head != head:
                return None         # settled meanwhile by another process
            if published:
                rec.set(cr.id, state="published", published_commit=merged, published=rec.now)
                rec.event(cr.id, "kb_app", "publish", merged, "发布过程中断后按主干确认已发布")
                return rec.get(cr.id), merged
            rec.set(cr.id, state="approved")
            rec.event(cr.id, "kb_app", "recover", cr.head, "发布过程中断，主干未变；已恢复为“已批准”，可重新发布")
        return None
