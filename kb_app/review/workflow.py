"""The change-request workflow: which state allows which action, and the actions themselves.

A change request (CR) is a branch ``cr/<n>`` whose commits are written with git plumbing; its state
lives in the workflow database (:mod:`kb_app.review.records`). :data:`ACTIONS` is the transition
table: every action names the states it may start from, and a refusal is always the one message
built from it. Each action writes its rows in one transaction; the git work and validation it
needs happen before, so the write lock is held only for the rows. What other parts of the product
add (follow-up commits, parties a hook already covers, what publishing sets off) comes in as
:class:`Hooks`, wired by the facade (``Kb.review_hooks``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from pathlib import Path, PurePosixPath

from ..accounts.auth import AUTHOR_ROLES, User, require_role
from ..content import frontmatter
from ..exceptions import KbError, PermissionDenied, PublishConflict, ReviewStateError
from ..labels import PUBLISH_REFUSAL_HINTS, REDRAFT_REFUSAL_HINTS, when
from .branches import Branches, branch_lock, next_id
from .publishing import Publishing
from .policy import check_changes, require_author, require_publisher, reviewer_parties, can_approve_for
from .queries import DECLINES, ReviewQueries, dropped_lines, published_by
from .records import OPEN, STATES, ChangeRequest, ReviewStatus

log = logging.getLogger(__name__)


#: The events of a request's history that save a version of it (their commit is that version).
SAVES = ("create", "update", "adopt")


@dataclasses.dataclass(frozen=True)
class Action:
    """One row of the transition table: what the action is called and the states it may start from."""

    verb: str
    states: tuple[str, ...]
    #: What to do instead, said after a refusal (by the CR's state when a dict, its "" key for the
    #: others, as labels.PUBLISH_REFUSAL_HINTS); None names the states the action is allowed in.
    hint: str | dict | None = None

    def refusal(self, cr: ChangeRequest) -> str:
        """Why the action is refused on a CR in its current state, and what to do instead."""
        hint = self.hint.get(cr.state, self.hint[""]) if isinstance(self.hint, dict) else self.hint
        if hint is None:
            names = [f"“{STATES[s]}”" for s in self.states]
            allowed = "、".join(names[:-1]) + "或" + names[-1] if len(names) > 1 else names[0]
            hint = f"只有{allowed}的变更请求可以{self.verb}"
        return f"变更请求 #{cr.id} 当前为“{cr.state_label}”，不能{self.verb}" + (f"：{hint}。" if hint else "。")


#: The transition table. Approving moves a CR to "approved" once every party has; publishing goes
#: through "publishing" to "published" (or "conflicting"); updating keeps a draft a draft.
ACTIONS = {
    "submit": Action("提交审核", ("draft", "changes_requested")),
    "update": Action("更新", OPEN, {"": "如需继续修改，请新建变更请求",
                                   **dict.fromkeys(("rejected", "withdrawn"), "如需继续修改，请以它为底稿新建变更请求"
                                                   "（我的工作或审核页上的按钮，命令行 kb cr redraft）")}),
    "approve": Action("批准", ("in_review",)),
    "request_changes": Action("退回", ("in_review", "approved", "conflicting")),
    "reject": Action("驳回", ("in_review", "approved", "conflicting", "changes_requested")),
    "withdraw": Action("撤回", OPEN),
    "publish": Action("发布", ("approved",), PUBLISH_REFUSAL_HINTS),
    "redraft": Action("以此为底稿新建变更请求", ("rejected", "withdrawn"), REDRAFT_REFUSAL_HINTS),
}


def allows(state: str, action: str) -> bool:
    """Whether a CR in ``state`` may take ``action`` (a key of :data:`ACTIONS`)."""
    return state in ACTIONS[action].states


def require_state(cr: ChangeRequest, action: str):
    """ReviewStateError with the table's message unless the CR's state allows the action."""
    if not allows(cr.state, action):
        raise ReviewStateError(ACTIONS[action].refusal(cr))


@dataclasses.dataclass
class Hooks:
    """What other parts of the product add to the workflow (see ``Kb.review_hooks``)."""

    #: Run after a CR is published, each as ``hook(kb, cr, commit)``; a failing one is logged.
    on_publish: tuple = ()
    #: Complete a CR's new commit, each as ``hook(kb, base, head)`` returning ``{path: text}`` to add in a
    #: follow-up commit (e.g. citations renumbered by a regulation change).
    commit_followups: tuple = ()
    #: Touched paths whose change needs no approval of its own, each as
    #: ``hook(kb, base, head, base_files, head_files)`` returning a set of paths (e.g. citations
    #: rewritten only to follow a renumbered regulation, which the regulation's reviewers check).
    covered_paths: tuple = ()


def _normalise(changes: dict) -> dict[str, str | None]:
    out = {}
    for path, text in (changes or {}).items():
        path = str(path).strip()
        path = path[2:] if path.startswith("./") else path
        out[path] = None if text is None else str(text).replace("\r\n", "\n")
    return out


class Review(ReviewQueries):
    """The change-request workflow of one knowledge base; ``hooks`` default to the facade's wiring."""

    allows = staticmethod(allows)

    def __init__(self, kb, hooks: Hooks | None = None):
        super().__init__(kb, kb.review_hooks() if hooks is None else hooks)
        self.branches, self.publishing = Branches(self), Publishing(self)

    def sync(self):
        """Register ``cr/*`` branches pushed with git, and treat new commits on known ones as updates."""
        self.branches.sync()

    def recover_interrupted(self, *args) -> list[int]:
        """Settle CRs left "publishing" by a dead process (see :meth:`Publishing.recover_interrupted`)."""
        return self.publishing.recover_interrupted(*args)

    def _actor(self, user: User | None, *roles) -> User:
        """The user as stored now (role changes and disabling take effect at once)."""
        require_role(user)
        fresh = self.users.get(user.username)
        if fresh is None:
            raise PermissionDenied(f"用户“{user.username}”不存在：请重新登录。")
        require_role(fresh, *roles)
        return fresh

    @contextlib.contextmanager
    def acting_on(self, cr: ChangeRequest, action: str):
        """A write transaction on a CR still at the head it was judged on, in a state allowing ``action``."""
        with self.writing() as rec:
            now = rec.get(cr.id)
            require_state(now, action)
            if now.head != cr.head:
                raise ReviewStateError(f"变更请求 #{cr.id} 刚被他人更新：请刷新页面后重试。")
            yield rec

    def _commit(self, parent: str, tree: str, message: str, author: str) -> str:
        """A commit of ``tree`` on ``parent``, followed by what the commit_followups hooks add to it."""
        head = self.store.commit_tree(tree, [parent], message, author, self._now())
        extra = {}
        for hook in self.hooks.commit_followups:
            extra.update(hook(self.kb, parent, head) or {})
        if not extra:
            return head
        message = f"自动改写 {len(extra)} 个条目中因条例条号变化而改变的引用条号"
        return self.store.commit_tree(self.store.write_tree(head, extra), [head], message,
                                      self.kb.settings.git_author, self._now())

    def create(self, user: User, title: str, changes: dict, *, kind: str = "change", data: dict | None = None,
               submit: bool = False, description: str = "") -> ChangeRequest:
        """Open a CR with a first commit (``changes``: path -> new text, or None to delete); ``submit``
        sends it to review, unless it does not validate: then it stays a draft with its problems."""
        user = self._actor(user, *AUTHOR_ROLES)
        title = (title or "").strip()
        if not title:
            raise KbError("缺少标题：请用一句话说明这次变更的内容。")
        self.sync()
        main = self.store.head()
        changes = _normalise(changes)
        old = self.read_many(main, changes)
        check_changes(user, old, changes)
        changes = {p: t for p, t in changes.items() if t != old.get(p)}
        if not changes and kind == "change":
            raise KbError("没有任何改动：所提交的内容与主干上的现行版本相同，无需发起变更请求。")
        message = title + (f"\n\n{description.strip()}" if description.strip() else "")
        commit = self._commit(main, self.store.write_tree(main, changes), message, user.signature)
        problems = self.check(commit, main)
        with branch_lock(self.kb), self.writing() as rec:
            for _ in range(20):
                cr_id = next_id(self.store, rec)
                if self.store.update_ref(f"refs/heads/cr/{cr_id}", commit, None):
                    break
            else:
                raise ReviewStateError("无法分配变更请求编号：请稍后重试。")
            # Reviewers receive only what validates: a change with problems stays a draft until corrected.
            submit = submit and not problems
            rec.insert(cr_id, title=title, author=user.username, author_unit=user.unit, kind=kind,
                       state="in_review" if submit else "draft", base=main, head=commit, branch=f"cr/{cr_id}",
                       data=data or {}, description=description.strip(), problems=problems)
            rec.event(cr_id, user.username, "create", commit, f"{len(changes)} 个文件")
            if submit:
                rec.event(cr_id, user.username, "submit", commit)
            return rec.get(cr_id)

    def update(self, user: User, cr_id: int, changes: dict, message: str | None = None,
               data: dict | None = None, based_on: str | None = None) -> ChangeRequest:
        """A new commit on the CR, rebased onto current main; earlier approvals are dismissed.

        ``data`` is merged into the CR's data (e.g. the maintenance tasks it resolves). ``based_on`` is the
        main commit whose version of the files the texts were written from (the editor opens main's version
        of a file that moved on main); by default they were written from the CR's own version. A file that
        moved on main since is merged with main's version as git merges, so what was published meanwhile
        stays; a text that overlaps it is refused rather than taking it out again.
        """
        user = self._actor(user, *AUTHOR_ROLES)
        cr = self.get(cr_id, sync=True)
        require_author(user, cr, "更新", hint="请在评论中提出修改意见")
        require_state(cr, "update")
        changes = _normalise(changes)
        main = self.store.head()
        conflicts = self.store.conflicting_paths(cr.base, cr.head, main)
        unresolved = [p for p in conflicts if p not in changes]
        if unresolved:
            with self.acting_on(cr, "update") as rec:
                rec.set(cr.id, state="conflicting", conflicts=conflicts)
            raise ReviewStateError("以下文件在本变更请求创建后已在主干上被修改：" + "、".join(unresolved)
                                   + "。请对照主干上的现行版本，在这次更新中给出这些文件的最终内容。")
        changes = self._merged_with_main(cr, changes, main, based_on or cr.base, conflicts)
        check_changes(user, self.read_many(main, changes), changes)
        carried = {}
        if cr.base != main:
            touched = self.store.changed_paths(cr.base, cr.head)
            kept = self.read_many(cr.head, [p for p, s in touched.items() if s != "D"])
            carried = {p: kept.get(p) for p in touched}
        parent = main if cr.base != main else cr.head
        tree = self.store.write_tree(parent, {**carried, **changes})
        if tree == self.store.tree_of(cr.head) and cr.base == main:
            raise KbError("没有任何改动：更新的内容与变更请求当前版本相同。")
        if tree == self.store.tree_of(main):
            raise KbError(f"保存后变更请求 #{cr.id} 与主干上的现行版本完全相同，没有要审核的修改：请在现行版本上做出"
                          "您的修改后再保存；如不再需要这个变更请求，请撤回它。")
        text = (message or "").strip() or cr.default_update_note
        commit = self._commit(parent, tree, text, user.signature)
        problems = self.check(commit, main)
        with branch_lock(self.kb), self.acting_on(cr, "update") as rec:
            if not self.store.update_ref(f"refs/heads/{cr.branch}", commit, cr.head):
                raise ReviewStateError(f"变更请求 #{cr.id} 刚被他人更新：请刷新页面后重试。")
            self.record_commit(rec, cr, user.username, commit, main, problems, "update", text)
            if data:
                rec.set(cr.id, data={**cr.data, **data})
            return rec.get(cr.id)

    def _merged_with_main(self, cr, changes: dict, main: str, start: str, conflicts: list[str]) -> dict:
        """``changes`` with each file that moved on main since ``start`` merged with main's version.

        A text that cannot be merged is kept only if it already has what main gained (its author wrote
        it on main's version); otherwise the update is refused, naming who published what it overlaps.
        """
        moved = set(self.store.changed_paths(start, main)) & set(changes) if start != main else set()
        if not moved:
            return changes
        before, now = self.read_many(start, moved), self.read_many(main, moved)
        merged, refused = dict(changes), []
        for path in sorted(moved):
            text = self.store.merge_texts(before.get(path), changes[path], now.get(path))
            if text is None and keeps_changes(before.get(path), now.get(path), changes[path]):
                text = changes[path]
            if text is None:
                refused.append(path)
            else:
                merged[path] = text
        if refused:
            if cr.state != "conflicting" and set(refused) & set(conflicts):
                with self.acting_on(cr, "update") as rec:
                    rec.set(cr.id, state="conflicting", conflicts=conflicts)
            said = "；".join(f"“{entry_title(now.get(p) or before.get(p), p)}”已由{published_by(self.published_since(start, p, main))}"
                            "修改并发布" for p in refused)
            raise ReviewStateError(
                f"{said}。您保存的文本与这些已发布的修改改在了同一处，无法自动合并；为免撤销已发布的内容，这次没有保存。"
                "请以主干上的现行版本为底稿重新做出您的修改（在编辑器中打开本变更请求，表单会从现行版本开始，"
                "并列出您原来的文本供复制），再保存。")
        return merged

    def record_commit(self, rec, cr, actor, commit, base, problems, action, detail=""):
        """Record a CR's new head: standing approvals dismissed, back in review (a draft stays one)."""
        dismissed = rec.dismiss_approvals(cr.id)
        rec.set(cr.id, head=commit, base=base, state="draft" if cr.state == "draft" else "in_review",
                problems=problems, valid=int(not problems), conflicts=[])
        rec.event(cr.id, actor, action, commit, detail)
        if dismissed:
            rec.event(cr.id, actor, "invalidate", commit, f"新的提交使此前 {dismissed} 项批准失效，需要重新审核")

    def submit(self, user: User, cr_id: int) -> ChangeRequest:
        """Send a draft (or a CR returned for changes) to review."""
        user = self._actor(user)
        cr = self.get(cr_id, sync=True)
        require_author(user, cr, "提交")
        require_state(cr, "submit")
        if cr.problems:
            raise ReviewStateError(
                f"变更请求 #{cr.id} 未通过校验，不能提交审核（审核人只收到通过校验的修改）：请先修正以下问题——\n"
                + "\n".join(cr.problems[:5]) + (f"\n（另有 {len(cr.problems) - 5} 个问题）" if len(cr.problems) > 5 else ""))
        if origin := self.same_as_origin(cr):
            raise ReviewStateError(f"变更请求 #{cr.id} 与被驳回的变更请求 #{origin.id} 内容相同，不能提交审核："
                                   f"请先按驳回理由修改再提交（理由在变更请求 #{origin.id} 的审核页上）。")
        with self.acting_on(cr, "submit") as rec:
            rec.set(cr.id, state="in_review")
            rec.event(cr.id, user.username, "submit", cr.head)
            return rec.get(cr.id)

    def comment(self, user: User, cr_id: int, body: str, path: str | None = None) -> dict:
        """Add a comment (on the whole CR, or on one of its files with ``path``)."""
        user = self._actor(user)
        body = (body or "").strip()
        if not body:
            raise KbError("评论内容为空：请写下您的意见。")
        with self.writing() as rec:
            return rec.comment(rec.get(cr_id).id, user.username, body, path)

    def may(self, cr: ChangeRequest, action: str) -> bool:
        """Whether the request's state allows ``action`` (a key of ACTIONS: approve, request_changes …), whoever asks."""
        return allows(cr.state, action)

    def would_publish(self, user: User, cr: ChangeRequest, status: ReviewStatus | None = None) -> bool:
        """Whether the user's approval is the last one the CR needs (approving it then publishes it)."""
        if not allows(cr.state, "approve") or not cr.valid or self.is_author(cr, user):
            return False
        status = status or self.status(cr)
        mine = {p for p in status.missing if can_approve_for(user, p, status.policy)}
        return bool(mine) and status.satisfied_by({*status.approvals, *mine}) and not status.conflicts

    def approved_already(self, user: User, cr: ChangeRequest, status: ReviewStatus | None = None) -> bool:
        """Whether every party the user may approve for has approved the CR's current version (another approval
        would be refused: nothing is left for them to approve)."""
        status = status or self.status(cr)
        mine = [p for p in status.required if can_approve_for(user, p, status.policy)]
        return bool(mine) and all(p in status.approvals for p in mine)

    def cannot_review(self, user: User, cr: ChangeRequest, status: ReviewStatus | None = None) -> str:
        """Why the user may not approve, return or reject the CR, in words ("" when they may): its authors
        and those of no party it needs are refused, so a page need not offer them what would be."""
        try:
            reviewer_parties(user, cr, status or self.status(cr), "审核", self.is_author(cr, user))
        except PermissionDenied as e:
            return str(e)
        return ""

    def approval_refused(self, cr: ChangeRequest, status: ReviewStatus | None = None) -> str:
        """Why no approval of the request is taken now, whoever gives it ("" when nothing stands in the way): a
        file it changes was changed on main since it was based, so publishing it is refused until its author
        updates it against the published version, and that update discards every approval given before."""
        conflicts = (status.conflicts if status is not None else self.conflicting(cr)) if cr.is_open else []
        if not conflicts:
            return ""
        main = self.read_many(self.store.head(), conflicts)
        titles = "、".join(f"“{entry_title(main.get(p), p)}”" for p in conflicts)
        return (f"变更请求 #{cr.id} 有冲突，现在不能批准：{titles}在它发起后已有新版本发布，作者须先对照已发布的版本"
                "更新它（作者打开编辑即可合并）；更新会使此前的批准全部失效，"
                "所以请在作者更新之后再审核。")

    def _revised_by(self, cr: ChangeRequest) -> str:
        """Who saved the request's current version and when, in words: （李编辑于 2026-11-22 10:05 提交）, or
        "" when its history does not say (a branch pushed with git)."""
        from .changes import people, person

        saved = [e for e in self.events(cr.id) if e.get("commit") == cr.head and e["action"] in SAVES]
        if not saved:
            return ""
        return f"（{person(people(self.kb), saved[-1]['actor'])}于 {when(saved[-1]['at'])} 提交）"

    def lost_emergencies(self, cr: ChangeRequest) -> int:
        """How many past calls now shown to the agent as an emergency (or a suspected one) the request's intake rules
        would no longer show as one (kb_app.review.intake_replay); 0 for a request that changes no intake rule."""
        from .intake_replay import call_impact, changes_intake

        if not changes_intake(self.kb.store.changed_paths(cr.base, cr.head)):
            return 0
        calls = call_impact(self.kb, cr.base, cr.head)
        return calls.lost_count if calls is not None else 0

    def approve(self, user: User, cr_id: int, comment: str = "", party: str | None = None,
                publish: bool = True, seen: str | None = None, accept_lost: bool = False) -> ChangeRequest:
        """Approve the head commit for the user's party; the last approval publishes (``publish``).

        ``seen`` is the commit the reviewer was shown (a review page's, or named on the command line, in
        full or its first characters): when the request has changed since, nothing is approved, since an
        approval is of the version read (an editor adding 加急收取50元 while the page stood open).

        A request whose intake rules would no longer show past emergency calls as such (``lost_emergencies``) is
        approved only with ``accept_lost``: the reviewer has read those calls and means it."""
        user = self._actor(user)
        cr = self.get(cr_id, sync=True)
        require_state(cr, "approve")
        if seen is not None and not (len(seen.strip()) >= 7 and cr.head.startswith(seen.strip().lower())):
            raise ReviewStateError(
                f"变更请求 #{cr.id} 在您查看之后又有了新的修改{self._revised_by(cr)}，"
                "这次没有批准：批准只对您看过的版本有效。请先查看最新内容再审核。")
        status = self.status(cr)
        mine = reviewer_parties(user, cr, status, "批准", self.is_author(cr, user))
        if party is not None:
            if party not in status.required:
                raise ReviewStateError(f"“{party}”不是变更请求 #{cr.id} 所需的审核方。")
            if party not in mine:
                raise PermissionDenied(f"您（{status.role_of(user)}）不属于审核方“{status.labels[party]}”，不能代其批准。")
            mine = [party]
        if conflicted := self.approval_refused(cr, status):
            raise ReviewStateError(conflicted)
        if not cr.valid:
            raise ReviewStateError(f"变更请求 #{cr.id} 未通过校验，不能批准：请作者先修正以下问题——\n"
                                   + "\n".join(cr.problems[:10]))
        if not accept_lost and (lost := self.lost_emergencies(cr)):
            raise ReviewStateError(
                f"变更请求 #{cr.id} 会使 {lost} 条以往的紧急来电不再提示为紧急（坐席不会先看到转接话术），这次没有批准："
                "请先在审核页或用 kb cr show 核对这些来电；确认是有意的，在审核页勾选确认后批准，命令行加 --accept-lost。")
        with self.acting_on(cr, "approve") as rec:
            given = rec.approvals_of(cr.id, cr.head)
            pending = [p for p in mine if p not in given]
            if not pending:
                raise ReviewStateError(f"您所在的审核方已批准过变更请求 #{cr.id} 的当前版本，无需重复批准。")
            for p in pending:
                rec.approve(cr.id, p, user.username, cr.head)
            if comment.strip():
                rec.comment(cr.id, user.username, comment.strip())
            rec.event(cr.id, user.username, "approve", cr.head, "、".join(status.labels[p] for p in pending))
            complete = status.satisfied_by({*given, *pending})
            if complete:
                rec.set(cr.id, state="approved")
        if complete and publish:
            try:
                self.publish(user, cr.id)
            except (PublishConflict, ReviewStateError) as e:
                log.info("变更请求 #%s 已批准，但未能发布：%s", cr.id, e)
        return self.get(cr.id)

    def request_changes(self, user: User, cr_id: int, comment: str) -> ChangeRequest:
        """Return the CR to its author for changes (a comment saying what is required)."""
        return self._decline(user, cr_id, comment, "request_changes")

    def reject(self, user: User, cr_id: int, comment: str) -> ChangeRequest:
        """Reject the CR for good (a comment saying why is required)."""
        return self._decline(user, cr_id, comment, "reject")

    def _decline(self, user, cr_id, comment, action) -> ChangeRequest:
        user = self._actor(user)
        cr = self.get(cr_id, sync=True)
        require_state(cr, action)
        verb = ACTIONS[action].verb
        reviewer_parties(user, cr, self.status(cr), verb, self.is_author(cr, user))
        if not (comment or "").strip():
            raise KbError(f"请填写{verb}意见：说明需要修改什么、为什么。")
        state, event = DECLINES[action]
        with self.acting_on(cr, action) as rec:
            rec.comment(cr.id, user.username, comment.strip())
            rec.set(cr.id, state=state)
            rec.event(cr.id, user.username, event, cr.head, comment.strip())
            return rec.get(cr.id)

    def withdraw(self, user: User, cr_id: int, comment: str = "") -> ChangeRequest:
        """The author (or an admin) takes the CR back; it can no longer change."""
        user = self._actor(user)
        cr = self.get(cr_id, sync=True)
        require_author(user, cr, "撤回", admin=True)
        require_state(cr, "withdraw")
        with self.acting_on(cr, "withdraw") as rec:
            rec.set(cr.id, state="withdrawn")
            rec.event(cr.id, user.username, "withdraw", cr.head, (comment or "").strip())
            return rec.get(cr.id)

    def publish(self, user: User, cr_id: int) -> str:
        """Put an approved CR on main by compare-and-swap; a moved file marks it conflicting."""
        user = self._actor(user)
        cr = self.get(cr_id, sync=True)
        require_state(cr, "publish")
        status = self.status(cr)
        require_publisher(user, cr, status)
        if status.missing or not cr.valid:
            with self.acting_on(cr, "publish") as rec:
                rec.set(cr.id, state="in_review")
            need = "、".join(status.labels[p] for p in status.missing)
            raise ReviewStateError(f"变更请求 #{cr.id} 还缺少以下审核方对当前版本的批准：{need}。" if need else
                                   f"变更请求 #{cr.id} 未通过校验，不能发布。")
        return self.publishing.publish(user, cr, status)

    def redraft(self, user: User, cr_id: int) -> ChangeRequest:
        """A new draft carrying what a request turned down or withdrawn changed, on top of the versions published
        now: a file published anew since it was written is merged with that version as git merges (as a request
        in conflict is, ``_merged_with_main``); one that cannot be merged is refused, saying so, and nothing is
        made. Each request names the other in its history (the new one in its description and ``redraft_of``); the new one
        resolves the maintenance tasks the old one was marked as resolving."""
        user = self._actor(user, *AUTHOR_ROLES)
        cr = self.get(cr_id, sync=True)
        require_state(cr, "redraft")
        if cr.kind == "objection":
            raise ReviewStateError(f"变更请求 #{cr.id} 是派单异议，不能作为底稿：请重新提出派单异议（kb objection file）。")
        main = self.store.head()
        touched = self.store.changed_paths(cr.base, cr.head)
        before, mine, now = (self.read_many(c, touched) for c in (cr.base, cr.head, main))
        changes, refused = {}, []
        for path in sorted(touched):
            text = self.store.merge_texts(before.get(path), mine.get(path), now.get(path))
            if text is None:
                refused.append(path)
            elif text != now.get(path):
                changes[path] = text
        if refused:
            said = "；".join(f"“{entry_title(now.get(p) or before.get(p), p)}”在它之后已由"
                            f"{published_by(self.published_since(cr.base, p, main))}修改并发布" for p in refused)
            raise ReviewStateError(
                f"没有新建：变更请求 #{cr.id} 的修改与已发布的新版本改在了同一处，无法自动合并（{said}）。"
                f"请在编辑器中从现行版本开始修改，#{cr.id} 原来的文本可在它的审核页上复制。")
        if not changes:
            raise KbError(f"没有新建：变更请求 #{cr.id} 的修改已全部在现行版本中，没有要再提交的内容。")
        said = f"以变更请求 #{cr.id}（{cr.state_label}）为底稿。"
        # The maintenance tasks it was to resolve (a 纠错, an expiry) are still open: the new one resolves them.
        resolves = {"resolves": list(cr.data["resolves"])} if cr.data.get("resolves") else {}
        new = self.create(user, cr.title, changes, data={"redraft_of": cr.id, **resolves},
                          description=said + (f"\n\n{cr.description}" if cr.description else ""))
        with self.writing() as rec:
            rec.event(cr.id, user.username, "redraft", new.head, f"以此为底稿新建变更请求 #{new.id}")
        return new

    def redrafts(self, cr_id: int) -> list[int]:
        """The requests made with :meth:`redraft` from this one, oldest first."""
        return [int(e["detail"].rsplit("#", 1)[1]) for e in self.events(cr_id)
                if e["action"] == "redraft" and (e["detail"] or "").rsplit("#", 1)[-1].isdigit()]

    def restore(self, user: User, path: str, commit: str, title: str | None = None) -> ChangeRequest:
        """A new CR putting a file back as it was at an earlier commit."""
        text = self.store.read(path, commit)
        name = PurePosixPath(path).stem
        return self.create(user, title or f"恢复“{name}”到 {commit[:10]} 的版本", {path: text}, kind="restore",
                           data={"path": path, "commit": commit}, submit=True)


def keeps_changes(base: str | None, main: str | None, text: str | None) -> bool:
    """Whether ``text`` has what main gained since ``base``: every line added there, none of the lines taken out."""
    if main is None or text is None:
        return main == text
    removed = {ln for ln in set((base or "").splitlines()) - set(main.splitlines()) if ln.strip()}
    return not dropped_lines(base, main, text) and not removed & set(text.splitlines())


def entry_title(text: str | None, path: str) -> str:
    """An entry's title in its text (the file name when it has none or cannot be read)."""
    try:
        meta, _body, _ = frontmatter.parse(text or "")
    except frontmatter.FrontMatterError:
        meta = {}
    return str(meta.get("title") or PurePosixPath(path).stem)


def changes_from_tree(store, root) -> dict[str, str]:
    """Files under ``root/entries`` and ``root/regulations`` that differ from main (path -> text)."""
    root = Path(root)
    if not root.is_dir():
        raise KbError(f"目录“{root}”不存在：请指定按内容仓库结构（entries/、regulations/）存放文件的目录。")
    found = {}
    for prefix in ("entries", "regulations"):
        for p in sorted((root / prefix).rglob("*")) if (root / prefix).is_dir() else []:
            if p.is_file() and p.suffix in (".md", ".yaml", ".yml"):
                found[p.relative_to(root).as_posix()] = p.read_text(encoding="utf-8")
    if not found:
        raise KbError(f"目录“{root}”下没有 entries/ 或 regulations/ 中的文件：请按内容仓库的结构存放要提交的文件。")
    main = store.files_at(store.head(), sorted(found))
    return {p: t for p, t in found.items() if main.get(p) != t.replace("\r\n", "\n")}
