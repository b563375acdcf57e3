"""Multi-party review (多方校核): the review policy, permissions and the change-request state machine.

A change request (CR) is a branch ``cr/<n>`` whose commits are written with git plumbing; its
workflow state lives in the tables ``change_requests``, ``cr_events``, ``approvals`` and
``comments``. The parties that must approve are computed from the files the CR touches, with the
review policy in force on main (never the one inside the CR). An approval counts only for the
commit it was given on, and publishing is a compare-and-swap of main.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import fnmatch
import json
import logging
import re
import threading
from pathlib import Path, PurePosixPath

import yaml

from ..content import frontmatter
from ..accounts.auth import AUTHOR_ROLES, UNIT_ROLES, User, Users, require_role
from ..exceptions import KbError, PermissionDenied, PublishConflict, ReviewStateError
from ..labels import CR_STATE_LABELS as STATES, PARTY_LABELS as PARTY_NAMES
from ..content.store import ZERO
from ..content.validate import validate

log = logging.getLogger(__name__)

POLICY_PATH = "regulations/review_policy.yaml"
UNITS_PATH = "regulations/units.yaml"
OPEN = ("draft", "in_review", "changes_requested", "approved", "conflicting")
UPDATABLE = OPEN
DEFAULT_POLICY = {
    "rules": [{"paths": ["entries/policy/**"], "require": ["owner", "center"]},
              {"paths": ["entries/directory/**"], "require": ["center", "handlers"]},
              {"paths": ["regulations/**"], "require": ["center", "legal"]}],
}
SAFE_PATH = re.compile(r"^(entries|regulations)/[A-Za-z0-9_\-./]+\.(md|ya?ml)$")

#: A CR still "publishing" after this long was left behind by a process that died.
STALE_PUBLISHING = dt.timedelta(minutes=2)
#: Callbacks run after a CR is published, each called as ``hook(kb, cr, commit)``.
on_publish: list = []
#: Callbacks that complete a CR's new commit, each called as ``hook(kb, base, head)`` and returning
#: ``{path: text}`` to add in a follow-up commit (e.g. citations renumbered by a regulation change).
commit_followups: list = []
#: Callbacks naming touched paths whose change needs no approval of its own, each called as
#: ``hook(kb, base, head, base_files, head_files)`` and returning a set of paths (e.g. citations
#: rewritten only to follow a renumbered regulation, which the regulation's reviewers check).
covered_paths: list = []

_main_problems: dict[str, set] = {}


class MergeInvalid(ReviewStateError):
    """The CR is valid alone but not together with what main has become."""

    def __init__(self, message, problems):
        super().__init__(message)
        self.problems = list(problems)


_lock_depth = threading.local()


@contextlib.contextmanager
def branch_lock(kb):
    """Held while a ``cr/*`` branch and its record change together, and while both are read as one.

    The app moves a CR's branch and then writes its record; without the lock a concurrent
    :meth:`Review.sync` (or a backup) would see the branch alone and take it for a git push. A file
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


# -- the policy ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Policy:
    """The review policy: which parties each path needs (from ``review_policy.yaml``)."""

    rules: list[dict]
    parties: dict[str, dict]

    @classmethod
    def from_text(cls, text: str | None) -> "Policy":
        """Parse the policy file; a missing or malformed file falls back to the strict default."""
        try:
            data = yaml.safe_load(text) if text else None
        except yaml.YAMLError:
            data = None
        rules = data.get("rules") if isinstance(data, dict) else None
        if not isinstance(rules, list) or not rules:
            return cls(DEFAULT_POLICY["rules"], {})
        rules = [r for r in rules if isinstance(r, dict) and isinstance(r.get("paths"), list)
                 and isinstance(r.get("require"), list)]
        parties = data.get("parties") if isinstance(data.get("parties"), dict) else {}
        return cls(rules or DEFAULT_POLICY["rules"], {str(k): v for k, v in parties.items() if isinstance(v, dict)})

    @classmethod
    def from_snapshot(cls, snap) -> "Policy":
        return cls.from_text(snap.files.get(POLICY_PATH))

    def tokens(self, path: str) -> list[str]:
        """Party tokens (owner, handlers, center, legal, …) of the rules matching a path."""
        found = [str(t) for r in self.rules if any(fnmatch.fnmatchcase(path, str(p)) for p in r["paths"])
                 for t in r["require"]]
        # A path no rule covers is still reviewed, by the strictest pair.
        return list(dict.fromkeys(found)) or ["center", "legal"]

    def party_role(self, party: str) -> str | None:
        spec = self.parties.get(party)
        return str(spec.get("role")) if isinstance(spec, dict) and spec.get("role") else None


def _strings(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v]


def owners(path: str, versions) -> set[str]:
    """Units owning a file: the policy folder and the ``unit`` field of every version."""
    units = set()
    parts = PurePosixPath(path).parts
    if path.startswith("entries/policy/") and len(parts) >= 4:
        units.add(parts[2])
    for text in versions:
        units.update(_strings(frontmatter.meta_or_empty(text).get("unit")))
    return units


def handlers(versions) -> set[str]:
    """Units named as handler or co-handler in any version of a directory entry."""
    units = set()
    for text in versions:
        meta = frontmatter.meta_or_empty(text)
        units.update(_strings(meta.get("handler")) + _strings(meta.get("co_handlers")))
    return units


def party_order(party: str):
    return ({"center": 0, "legal": 1}.get(party, 2 if not party.startswith("unit:") else 3), party)


def required_parties(main, base_files: dict, head_files: dict, touched) -> list[str]:
    """The parties that must approve a change: ``center``, ``legal``, ``unit:<id>``, …

    ``main`` is the snapshot (or :class:`Policy`) whose policy is in force; ``base_files`` and
    ``head_files`` map touched paths to their text before and after (absent: None). Both versions
    count, so removing a handler or deleting an entry still needs that unit's approval.
    """
    policy = main if isinstance(main, Policy) else Policy.from_snapshot(main)
    parties: set[str] = set()
    for path in touched:
        versions = [t for t in (base_files.get(path), head_files.get(path)) if t is not None]
        for token in policy.tokens(path):
            if token == "owner":
                parties.update(f"unit:{u}" for u in owners(path, versions))
            elif token == "handlers":
                parties.update(f"unit:{u}" for u in handlers(versions))
            else:
                parties.add(token)
    if not parties:
        parties.add("center")
    return sorted(parties, key=party_order)


def can_approve_for(user: User, party: str, policy: Policy) -> bool:
    """Whether a user belongs to a party (admins belong to none)."""
    if user.party == party:
        return True
    role = policy.party_role(party)
    return (party not in ("owner", "handlers", "center", "legal") and not party.startswith("unit:")
            and role is not None and role == user.role and user.role not in UNIT_ROLES)


def entry_units(path: str, text: str | None) -> set[str]:
    """Units that may propose changes to a file: owner, maintainer, handler and co-handlers."""
    return units_of_entry(path, frontmatter.meta_or_empty(text))


def units_of_entry(path: str, meta: dict) -> set[str]:
    """:func:`entry_units` from front matter already read."""
    units = set(_strings(meta.get("unit")))
    parts = PurePosixPath(path).parts
    if path.startswith("entries/policy/") and len(parts) >= 4:
        units.add(parts[2])
    return units | set(_strings(meta.get("handler")) + _strings(meta.get("co_handlers")))


def check_author(user: User, path: str, old: str | None, new: str | None):
    """PermissionDenied unless the user may propose this change to this file."""
    if not SAFE_PATH.match(path) or ".." in PurePosixPath(path).parts:
        raise KbError(f"路径“{path}”无效：只能修改 entries/ 或 regulations/ 下的 .md / .yaml 文件。")
    if user.role not in ("unit_editor", "unit_reviewer"):
        return
    if path.startswith("regulations/"):
        raise PermissionDenied(f"单位编辑不能修改“{path}”：regulations/ 下的条例与配置只能由热线中心或法制审核人员发起变更。")
    if path.startswith("entries/policy/"):
        units = owners(path, [t for t in (old, new) if t is not None])
        if units != {user.unit}:
            others = "、".join(sorted(units - {user.unit})) or "其他单位"
            raise PermissionDenied(f"“{path}”属于 {others}，您所在单位（{user.unit}）不能修改：请联系该单位的编辑。")
        return
    units = entry_units(path, old if old is not None else new)
    if user.unit not in units:
        raise PermissionDenied(f"您所在单位（{user.unit}）既不维护也不承办“{path}”，不能发起对它的变更：请联系热线中心。")


# -- records ------------------------------------------------------------------------------------


@dataclasses.dataclass
class ChangeRequest:
    id: int
    title: str
    author: str
    author_unit: str
    kind: str
    state: str
    base: str
    head: str
    branch: str
    created: str
    updated: str
    published_commit: str | None
    published: str | None
    data: dict
    description: str
    problems: list[str]
    conflicts: list[str]
    valid: bool

    @classmethod
    def from_row(cls, row: dict) -> "ChangeRequest":
        return cls(row["id"], row["title"] or "", row["author"] or "", row["author_unit"] or "", row["kind"] or "change",
                   row["state"], row["base"] or "", row["head"] or "", row["branch"], row["created"] or "",
                   row["updated"] or "", row.get("published_commit"), row.get("published"),
                   json.loads(row.get("data") or "{}"), row.get("description") or "",
                   json.loads(row.get("problems") or "[]"), json.loads(row.get("conflicts") or "[]"),
                   bool(row.get("valid")))

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN


@dataclasses.dataclass
class ReviewStatus:
    """Who must approve a CR's head commit, who has, and what else stands in the way."""

    required: list[str]
    approvals: dict[str, dict]
    touched: dict[str, str]
    conflicts: list[str]
    labels: dict[str, str]
    policy: Policy

    @property
    def missing(self) -> list[str]:
        return [p for p in self.required if p not in self.approvals]

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclasses.dataclass
class FileChange:
    path: str
    status: str          # A, M or D
    old: str | None      # at the CR's base
    new: str | None      # at the CR's head
    main: str | None     # on main now (differs from old when main moved)
    conflicting: bool = False


def _normalise(changes: dict) -> dict[str, str | None]:
    out = {}
    for path, text in (changes or {}).items():
        path = str(path).strip()
        path = path[2:] if path.startswith("./") else path
        out[path] = None if text is None else str(text).replace("\r\n", "\n")
    return out


class Review:
    """The change-request workflow of one knowledge base."""

    def __init__(self, kb):
        self.kb = kb

    @property
    def store(self):
        return self.kb.store

    @property
    def users(self) -> Users:
        return Users(self.kb)

    # -- reading ------------------------------------------------------------------------------

    def read_many(self, commit: str | None, paths) -> dict[str, str]:
        """Texts of some files at a commit (absent files are left out), in two git calls."""
        paths = sorted(set(paths))
        if not commit or commit == ZERO or not paths:
            return {}
        files = self.store.files_at(commit, paths)
        return {p: t for p, t in files.items() if p in set(paths)}

    def policy(self, main: str | None = None) -> Policy:
        """The policy in force: the one on main."""
        return Policy.from_text(self.store.read(POLICY_PATH, main or self.store.head()))

    def unit_names(self, main: str | None = None) -> dict[str, str]:
        try:
            data = yaml.safe_load(self.store.read(UNITS_PATH, main or self.store.head()) or "[]")
        except yaml.YAMLError:
            return {}
        return {str(u["id"]): str(u.get("name") or u["id"]) for u in data if isinstance(u, dict) and u.get("id")} \
            if isinstance(data, list) else {}

    def party_label(self, party: str, units: dict | None = None, policy: Policy | None = None) -> str:
        if party.startswith("unit:"):
            unit = party[5:]
            return (units or {}).get(unit, unit)
        spec = (policy.parties.get(party) if policy else None) or {}
        return str(spec.get("name") or PARTY_NAMES.get(party, party))

    def get(self, cr_id: int, sync: bool = False) -> ChangeRequest:
        if sync:
            self.sync()
        try:
            row = self.kb.db()["change_requests"].get(int(cr_id))
        except Exception:  # sqlite_utils NotFoundError, or a non-number
            raise KbError(f"变更请求 #{cr_id} 不存在：请检查编号，或用 kb cr list 查看全部变更请求。")
        return ChangeRequest.from_row(row)

    def list(self, states=None, author: str | None = None) -> list[ChangeRequest]:
        where, args = ["state != 'creating'"], []
        if states:
            states = [states] if isinstance(states, str) else list(states)
            where.append(f"state in ({', '.join('?' for _ in states)})")
            args += states
        if author:
            where.append("author = ?")
            args.append(author)
        rows = self.kb.db()["change_requests"].rows_where(" and ".join(where), args, order_by="id desc")
        return [ChangeRequest.from_row(r) for r in rows]

    def events(self, cr_id: int) -> list[dict]:
        return list(self.kb.db()["cr_events"].rows_where("cr = ?", [cr_id], order_by="id"))

    def comments(self, cr_id: int) -> list[dict]:
        return list(self.kb.db()["comments"].rows_where("cr = ?", [cr_id], order_by="id"))

    def approvals(self, cr_id: int) -> list[dict]:
        return list(self.kb.db()["approvals"].rows_where("cr = ?", [cr_id], order_by="id"))

    def status(self, cr: ChangeRequest, main: str | None = None) -> ReviewStatus:
        """Required parties (policy on main), approvals of the head commit, conflicts with main."""
        main = main or self.store.head()
        touched = self.store.changed_paths(cr.base, cr.head) if cr.head else {}
        base_files, head_files = self.read_many(cr.base, touched), self.read_many(cr.head, touched)
        policy = self.policy(main)
        covered = set()
        for hook in list(covered_paths):
            covered |= set(hook(self.kb, cr.base, cr.head, base_files, head_files) or ())
        required = required_parties(policy, base_files, head_files, [p for p in touched if p not in covered])
        approvals = {}
        for a in self.kb.db()["approvals"].rows_where("cr = ? and [commit] = ? and dismissed = 0", [cr.id, cr.head],
                                                      order_by="id"):
            approvals.setdefault(a["party"], a)
        conflicts = self.store.conflicting_paths(cr.base, cr.head, main) if cr.is_open and cr.head else []
        units = self.unit_names(main)
        labels = {p: self.party_label(p, units, policy) for p in set(required) | set(approvals)}
        return ReviewStatus(required, approvals, touched, conflicts, labels, policy)

    def files(self, cr: ChangeRequest, main: str | None = None) -> list[FileChange]:
        """Each touched file before and after, and main's version when it moved since the base."""
        main = main or self.store.head()
        touched = self.store.changed_paths(cr.base, cr.head) if cr.head else {}
        old, new = self.read_many(cr.base, touched), self.read_many(cr.head, touched)
        moved = set(self.store.changed_paths(cr.base, main)) & set(touched) if cr.is_open and main != cr.base else set()
        now = self.read_many(main, moved)
        return [FileChange(p, s, old.get(p), new.get(p), now.get(p) if p in moved else old.get(p), p in moved)
                for p, s in sorted(touched.items())]

    def is_author(self, cr: ChangeRequest, user: User) -> bool:
        """The CR's author, or anyone who wrote a commit on it."""
        if user.username == cr.author:
            return True
        return bool(self.kb.db()["cr_events"].count_where(
            "cr = ? and actor = ? and action in ('create', 'update', 'adopt')", [cr.id, user.username]))

    def would_publish(self, user: User, cr: ChangeRequest, status: ReviewStatus | None = None) -> bool:
        """Whether the user's approval is the last one the CR needs (approving it then publishes it)."""
        if cr.state != "in_review" or not cr.valid or self.is_author(cr, user):
            return False
        status = status or self.status(cr)
        mine = {p for p in status.missing if can_approve_for(user, p, status.policy)}
        return bool(mine) and mine == set(status.missing) and not status.conflicts

    def waiting_for(self, user: User) -> list[ChangeRequest]:
        """CRs in review that need an approval the user can give."""
        out = []
        if user.party is None and user.role in ("agent", "admin", "unit_editor"):
            return out
        main = self.store.head()
        for cr in self.list("in_review"):
            if self.is_author(cr, user):
                continue
            status = self.status(cr, main)
            if any(can_approve_for(user, p, status.policy) for p in status.missing):
                out.append(cr)
        return out

    # -- writing ------------------------------------------------------------------------------

    def _actor(self, user: User | None, *roles) -> User:
        """The user as stored now (role changes and disabling take effect at once)."""
        require_role(user)
        fresh = self.users.get(user.username)
        if fresh is None:
            raise PermissionDenied(f"用户“{user.username}”不存在：请重新登录。")
        require_role(fresh, *roles)
        return fresh

    def _now(self) -> str:
        return self.kb.now().isoformat()

    def _event(self, db, cr_id, actor, action, commit=None, detail=""):
        db["cr_events"].insert({"cr": cr_id, "at": self._now(), "actor": actor, "action": action,
                                "commit": commit, "detail": detail})

    def _set(self, db, cr_id, **values):
        values["updated"] = self._now()
        for key in ("data", "problems", "conflicts"):
            if key in values and not isinstance(values[key], str):
                values[key] = json.dumps(values[key], ensure_ascii=False)
        db["change_requests"].update(cr_id, values)

    def check(self, head: str, main: str) -> list[str]:
        """Validation problems at a CR head that are not already on main."""
        problems = validate(self.kb.snapshot(head))
        if problems:
            if main not in _main_problems:
                _main_problems.clear()
                _main_problems[main] = {(p.path, p.field, p.message) for p in validate(self.kb.snapshot(main))}
            problems = [p for p in problems if (p.path, p.field, p.message) not in _main_problems[main]]
        return [str(p) for p in problems]

    def _next_id(self, db) -> int:
        numbers = [int(b[3:]) for b in self.store.branches("cr/") if b[3:].isdigit()]
        top = db.execute("select max(id) from change_requests").fetchone()[0] or 0
        return max([top, *numbers]) + 1

    def create(self, user: User, title: str, changes: dict, *, kind: str = "change", data: dict | None = None,
               submit: bool = False, description: str = "") -> ChangeRequest:
        """Open a CR with a first commit (``changes``: path -> new text, or None to delete)."""
        user = self._actor(user, *AUTHOR_ROLES)
        title = (title or "").strip()
        if not title:
            raise KbError("缺少标题：请用一句话说明这次变更的内容。")
        self.sync()
        main = self.store.head()
        changes = _normalise(changes)
        old = self.read_many(main, changes)
        for path, text in changes.items():
            check_author(user, path, old.get(path), text)
        changes = {p: t for p, t in changes.items() if t != old.get(p)}
        if not changes and kind == "change":
            raise KbError("没有任何改动：所提交的内容与主干上的现行版本相同，无需发起变更请求。")
        message = title + (f"\n\n{description.strip()}" if description.strip() else "")
        tree = self.store.write_tree(main, changes)
        commit = self._follow_up(main, self.store.commit_tree(tree, [main], message, user.signature, self._now()))
        problems = self.check(commit, main)
        db = self.kb.db()
        with branch_lock(self.kb):
            for _ in range(20):
                cr_id = self._next_id(db)
                branch = f"cr/{cr_id}"
                if self.store.update_ref(f"refs/heads/{branch}", commit, None):
                    break
            else:
                raise ReviewStateError("无法分配变更请求编号：请稍后重试。")
            now = self._now()
            db["change_requests"].insert({
                "id": cr_id, "title": title, "author": user.username, "author_unit": user.unit, "kind": kind,
                "state": "in_review" if submit else "draft", "base": main, "head": commit, "branch": branch,
                "created": now, "updated": now, "data": json.dumps(data or {}, ensure_ascii=False),
                "description": description.strip(), "problems": json.dumps(problems, ensure_ascii=False),
                "conflicts": "[]", "valid": int(not problems)})
            self._event(db, cr_id, user.username, "create", commit, f"{len(changes)} 个文件")
            if submit:
                self._event(db, cr_id, user.username, "submit", commit)
        return self.get(cr_id)

    def update(self, user: User, cr_id: int, changes: dict, message: str | None = None,
               data: dict | None = None) -> ChangeRequest:
        """A new commit on the CR, rebased onto current main; earlier approvals are dismissed.

        ``data`` is merged into the CR's data (e.g. the maintenance tasks it resolves).
        """
        user = self._actor(user, *AUTHOR_ROLES)
        cr = self.get(cr_id, sync=True)
        if user.username != cr.author:
            raise PermissionDenied(f"只有作者（{cr.author}）可以更新变更请求 #{cr.id}：请在评论中提出修改意见。")
        if cr.state not in UPDATABLE:
            raise ReviewStateError(f"变更请求 #{cr.id} 当前为“{cr.state_label}”，不能再更新：如需继续修改，请新建变更请求。")
        changes = _normalise(changes)
        main = self.store.head()
        conflicts = self.store.conflicting_paths(cr.base, cr.head, main)
        unresolved = [p for p in conflicts if p not in changes]
        db = self.kb.db()
        if unresolved:
            self._set(db, cr.id, state="conflicting", conflicts=conflicts)
            raise ReviewStateError("以下文件在本变更请求创建后已在主干上被修改：" + "、".join(unresolved)
                                   + "。请对照主干上的现行版本，在这次更新中给出这些文件的最终内容。")
        old = self.read_many(main, changes)
        for path, text in changes.items():
            check_author(user, path, old.get(path), text)
        carried = {}
        if cr.base != main:
            touched = self.store.changed_paths(cr.base, cr.head)
            kept = self.read_many(cr.head, [p for p, s in touched.items() if s != "D"])
            carried = {p: kept.get(p) for p in touched}
        parent = main if cr.base != main else cr.head
        tree = self.store.write_tree(parent, {**carried, **changes})
        if tree == self.store.git("rev-parse", f"{cr.head}^{{tree}}").strip() and cr.base == main:
            raise KbError("没有任何改动：更新的内容与变更请求当前版本相同。")
        text = (message or "").strip() or f"更新：{cr.title}"
        commit = self._follow_up(main, self.store.commit_tree(tree, [parent], text, user.signature, self._now()))
        with branch_lock(self.kb):
            if not self.store.update_ref(f"refs/heads/{cr.branch}", commit, cr.head):
                raise ReviewStateError(f"变更请求 #{cr.id} 刚被他人更新：请刷新页面后重试。")
            self._after_commit(db, cr, user.username, commit, main, "update", text)
            if data:
                self._set(db, cr.id, data={**cr.data, **data})
        return self.get(cr.id)

    def _follow_up(self, base: str, head: str) -> str:
        """Run the commit_followups hooks; their changes become one more commit on top of ``head``."""
        extra = {}
        for hook in list(commit_followups):
            extra.update(hook(self.kb, base, head) or {})
        if not extra:
            return head
        tree = self.store.write_tree(head, extra)
        message = f"自动改写 {len(extra)} 个条目中因条例条号变化而改变的引用条号"
        return self.store.commit_tree(tree, [head], message, self.kb.settings.git_author, self._now())

    def _after_commit(self, db, cr, actor, commit, base, action, detail=""):
        dismissed = db.execute("update approvals set dismissed = 1 where cr = ? and dismissed = 0", [cr.id]).rowcount
        db.conn.commit()
        problems = self.check(commit, self.store.head())
        state = "draft" if cr.state == "draft" else "in_review"
        self._set(db, cr.id, head=commit, base=base, state=state, problems=problems, valid=int(not problems),
                  conflicts=[])
        self._event(db, cr.id, actor, action, commit, detail)
        if dismissed:
            self._event(db, cr.id, actor, "invalidate", commit, f"新的提交使此前 {dismissed} 项批准失效，需要重新审核")

    def submit(self, user: User, cr_id: int) -> ChangeRequest:
        user = self._actor(user)
        cr = self.get(cr_id, sync=True)
        if user.username != cr.author:
            raise PermissionDenied(f"只有作者（{cr.author}）可以提交变更请求 #{cr.id}。")
        if cr.state not in ("draft", "changes_requested"):
            raise ReviewStateError(f"变更请求 #{cr.id} 当前为“{cr.state_label}”，不能提交审核：只有草稿或退回修改的变更请求可以提交。")
        db = self.kb.db()
        self._set(db, cr.id, state="in_review")
        self._event(db, cr.id, user.username, "submit", cr.head)
        return self.get(cr.id)

    def comment(self, user: User, cr_id: int, body: str, path: str | None = None) -> dict:
        user = self._actor(user)
        cr = self.get(cr_id)
        body = (body or "").strip()
        if not body:
            raise KbError("评论内容为空：请写下您的意见。")
        row = {"cr": cr.id, "author": user.username, "at": self._now(), "body": body, "path": path}
        self.kb.db()["comments"].insert(row)
        return row

    def _reviewer_parties(self, user: User, cr: ChangeRequest, status: ReviewStatus, verb: str) -> list[str]:
        if self.is_author(cr, user):
            raise PermissionDenied(f"您是变更请求 #{cr.id} 的作者，不能{verb}自己的变更：请由其他审核人审核。")
        mine = [p for p in status.required if can_approve_for(user, p, status.policy)]
        if not mine:
            need = "、".join(status.labels[p] for p in status.required)
            raise PermissionDenied(f"您（{user.role_label}）不属于变更请求 #{cr.id} 所需的审核方（{need}），不能{verb}。")
        return mine

    def approve(self, user: User, cr_id: int, comment: str = "", party: str | None = None,
                publish: bool = True) -> ChangeRequest:
        """Approve the head commit for the user's party; the last approval publishes (``publish``)."""
        user = self._actor(user)
        cr = self.get(cr_id, sync=True)
        if cr.state != "in_review":
            raise ReviewStateError(f"变更请求 #{cr.id} 当前为“{cr.state_label}”，不能批准：只有“审核中”的变更请求可以批准。")
        status = self.status(cr)
        mine = self._reviewer_parties(user, cr, status, "批准")
        if party is not None:
            if party not in status.required:
                raise ReviewStateError(f"“{party}”不是变更请求 #{cr.id} 所需的审核方。")
            if party not in mine:
                raise PermissionDenied(f"您（{user.role_label}）不属于审核方“{status.labels[party]}”，不能代其批准。")
            mine = [party]
        if not cr.valid:
            raise ReviewStateError(f"变更请求 #{cr.id} 未通过校验，不能批准：请作者先修正以下问题——\n" + "\n".join(cr.problems[:10]))
        pending = [p for p in mine if p not in status.approvals]
        if not pending:
            raise ReviewStateError(f"您所在的审核方已批准过变更请求 #{cr.id} 的当前版本，无需重复批准。")
        db = self.kb.db()
        for p in pending:
            db["approvals"].insert({"cr": cr.id, "party": p, "reviewer": user.username, "commit": cr.head,
                                    "at": self._now(), "dismissed": 0})
        if comment.strip():
            self.comment(user, cr.id, comment)
        self._event(db, cr.id, user.username, "approve", cr.head, "、".join(status.labels[p] for p in pending))
        if self.status(cr).complete:
            db.execute("update change_requests set state = 'approved' where id = ? and state = 'in_review' and head = ?",
                       [cr.id, cr.head])
            db.conn.commit()
            if publish:
                try:
                    self.publish(user, cr.id)
                except (PublishConflict, ReviewStateError) as e:
                    log.info("CR %s approved but not published: %s", cr.id, e)
        return self.get(cr.id)

    def request_changes(self, user: User, cr_id: int, comment: str) -> ChangeRequest:
        return self._decline(user, cr_id, comment, "changes_requested", "退回")

    def reject(self, user: User, cr_id: int, comment: str) -> ChangeRequest:
        return self._decline(user, cr_id, comment, "rejected", "驳回")

    def _decline(self, user, cr_id, comment, state, verb) -> ChangeRequest:
        user = self._actor(user)
        cr = self.get(cr_id, sync=True)
        if cr.state not in ("in_review", "approved", "conflicting") + (("changes_requested",) if state == "rejected" else ()):
            raise ReviewStateError(f"变更请求 #{cr.id} 当前为“{cr.state_label}”，不能{verb}。")
        self._reviewer_parties(user, cr, self.status(cr), verb)
        if not (comment or "").strip():
            raise KbError(f"请填写{verb}意见：说明需要修改什么、为什么。")
        self.comment(user, cr.id, comment)
        db = self.kb.db()
        self._set(db, cr.id, state=state)
        self._event(db, cr.id, user.username, state if state == "rejected" else "request_changes", cr.head, comment.strip())
        return self.get(cr.id)

    def withdraw(self, user: User, cr_id: int, comment: str = "") -> ChangeRequest:
        user = self._actor(user)
        cr = self.get(cr_id, sync=True)
        if user.username != cr.author and user.role != "admin":
            raise PermissionDenied(f"只有作者（{cr.author}）或管理员可以撤回变更请求 #{cr.id}。")
        if not cr.is_open:
            raise ReviewStateError(f"变更请求 #{cr.id} 当前为“{cr.state_label}”，不能撤回。")
        db = self.kb.db()
        self._set(db, cr.id, state="withdrawn")
        self._event(db, cr.id, user.username, "withdraw", cr.head, (comment or "").strip())
        return self.get(cr.id)

    def publish(self, user: User, cr_id: int) -> str:
        """Put an approved CR on main by compare-and-swap; a moved file marks it conflicting."""
        user = self._actor(user)
        cr = self.get(cr_id, sync=True)
        if cr.state != "approved":
            raise ReviewStateError(f"变更请求 #{cr.id} 当前为“{cr.state_label}”，不能发布：需要所有审核方批准当前版本。")
        status = self.status(cr)
        if user.username != cr.author and user.role != "admin" and \
                not any(can_approve_for(user, p, status.policy) for p in status.required):
            raise PermissionDenied(f"您不是变更请求 #{cr.id} 的作者或审核人，不能发布它。")
        db = self.kb.db()
        if status.missing or not cr.valid:
            self._set(db, cr.id, state="in_review")
            need = "、".join(status.labels[p] for p in status.missing)
            raise ReviewStateError(f"变更请求 #{cr.id} 还缺少以下审核方对当前版本的批准：{need}。" if need else
                                   f"变更请求 #{cr.id} 未通过校验，不能发布。")
        claimed = db.execute("update change_requests set state = 'publishing', updated = ? where id = ? and state = 'approved'"
                             " and head = ?", [self._now(), cr.id, cr.head]).rowcount
        db.conn.commit()
        if not claimed:
            raise ReviewStateError(f"变更请求 #{cr.id} 正在由他人发布或刚被更新：请刷新后查看其状态。")
        try:
            commit = self.store.publish(cr.head, cr.base, self.publish_message(cr, status), self.signature(cr.author),
                                        self._now(), verify=self._verify_merge(cr))
        except PublishConflict as e:
            self._set(db, cr.id, state="conflicting", conflicts=e.paths)
            self._event(db, cr.id, user.username, "conflict", cr.head, "、".join(e.paths))
            raise
        except MergeInvalid as e:
            self._set(db, cr.id, state="conflicting", problems=e.problems, valid=0)
            self._event(db, cr.id, user.username, "conflict", cr.head, "；".join(e.problems[:3]))
            raise
        except Exception:
            self._set(db, cr.id, state="approved")
            raise
        self._set(db, cr.id, state="published", published_commit=commit, published=self._now(), conflicts=[])
        self._event(db, cr.id, user.username, "publish", commit)
        self._after_publish(self.get(cr.id), commit)
        return commit

    def _verify_merge(self, cr):
        """A check of the merged result when main moved since the CR's base (other files changed)."""
        def verify(commit):
            main = self.store.git("rev-parse", f"{commit}^1").strip()
            problems = self.check(commit, main)
            if problems:
                raise MergeInvalid(f"变更请求 #{cr.id} 与主干上的最新内容合并后校验未通过：{problems[0]}"
                                   + (f"（另有 {len(problems) - 1} 个问题）" if len(problems) > 1 else "")
                                   + "。请作者按主干现状更新变更请求后重新提交审核。", problems)
        return verify

    def _after_publish(self, cr, commit):
        try:
            self.kb.reindex()
        except Exception:  # noqa: BLE001 - the index is derived and can always be rebuilt with kb index
            log.exception("reindex after publishing CR %s failed", cr.id)
        for hook in list(on_publish):
            try:
                hook(self.kb, cr, commit)
            except Exception:  # noqa: BLE001 - a hook must not undo a publication
                log.exception("on_publish hook %r failed for CR %s", hook, cr.id)

    def signature(self, author: str) -> str:
        user = self.users.get(author)
        return user.signature if user else (author if "<" in author else f"{author} <{author}@kb.local>")

    def publish_message(self, cr: ChangeRequest, status: ReviewStatus) -> str:
        names = {u.username: u.name for u in self.users.list()}
        trailers = [f"Change-Request: {cr.id}"]
        for party in status.required:
            a = status.approvals[party]
            trailers.append(f"Reviewed-by: {names.get(a['reviewer'], a['reviewer'])} <{status.labels[party]}>")
        body = f"\n\n{cr.description}" if cr.description else ""
        return f"{cr.title}{body}\n\n" + "\n".join(trailers) + "\n"

    def restore(self, user: User, path: str, commit: str, title: str | None = None) -> ChangeRequest:
        """A new CR putting a file back as it was at an earlier commit."""
        text = self.store.read(path, commit)
        name = PurePosixPath(path).stem
        return self.create(user, title or f"恢复“{name}”到 {commit[:10]} 的版本", {path: text}, kind="restore",
                           data={"path": path, "commit": commit}, submit=True)

    # -- branches pushed with git -------------------------------------------------------------

    def sync(self):
        """Register ``cr/*`` branches pushed with git, and treat new commits on known ones as updates."""
        self.recover_interrupted()
        with branch_lock(self.kb):
            branches = self.store.branches("cr/")
            if not branches:
                return
            db = self.kb.db()
            rows = {r["branch"]: r
                    for r in db.query("select id, branch, head, state, base, author from change_requests")}
            for branch, sha in branches.items():
                row = rows.get(branch)
                if row is None:
                    self._adopt(db, branch, sha)
                elif row["head"] != sha and row["state"] in OPEN:
                    self._external_update(db, ChangeRequest.from_row(db["change_requests"].get(row["id"])), sha)

    def recover_interrupted(self, older_than: dt.timedelta = STALE_PUBLISHING) -> list[int]:
        """Settle CRs left "publishing" by a process that died between its claim and main moving.

        Main is the truth: if it holds the CR's merge commit, the CR is published (and its hooks
        run now); otherwise it goes back to approved, to be published again.
        """
        db = self.kb.db()
        limit = (self.kb.now() - older_than).isoformat()
        settled = []
        for row in db.query("select id from change_requests where state = 'publishing' and updated < ?", [limit]):
            cr = self.get(row["id"])
            merged = self.store.git("log", "--first-parent", "-1", "--format=%H", "-E",
                                    f"--grep=^Change-Request: {cr.id}$", self.store.head(), check=False).strip()
            if merged and self.store.git("rev-parse", f"{merged}^2", check=False).strip() == cr.head:
                self._set(db, cr.id, state="published", published_commit=merged, published=self._now())
                self._event(db, cr.id, "kb_app", "publish", merged, "发布过程中断后按主干确认已发布")
                self._after_publish(self.get(cr.id), merged)
            else:
                self._set(db, cr.id, state="approved")
                self._event(db, cr.id, "kb_app", "recover", cr.head, "发布过程中断，主干未变；已恢复为“已批准”，可重新发布")
            settled.append(cr.id)
        return settled

    def _git_author(self, sha: str):
        name, email, subject = self.store.git("log", "-1", "--format=%an%x1f%ae%x1f%s", sha).strip().split("\x1f", 2)
        user = self.users.find_by_email(email)
        return user, (user.username if user else f"{name} <{email}>"), subject

    def _adopt(self, db, branch, sha):
        main = self.store.head()
        base = self.store.merge_base(main, sha)
        if not base:
            log.warning("branch %s shares no history with main; not registered", branch)
            return
        user, author, subject = self._git_author(sha)
        number = branch[3:]
        cr_id = int(number) if number.isdigit() and not db["change_requests"].count_where("id = ?", [int(number)]) \
            else self._next_id(db)
        state, detail = "in_review", f"作者 {author} 用 git 推送了分支 {branch}"
        touched = self.store.changed_paths(base, sha)
        old, new = self.read_many(base, touched), self.read_many(sha, touched)
        if user is not None:
            try:
                if user.role not in AUTHOR_ROLES:
                    raise PermissionDenied(f"{user.role_label} 不能发起变更")
                for path in touched:
                    check_author(user, path, old.get(path), new.get(path))
            except (PermissionDenied, KbError) as e:
                state, detail = "rejected", f"{detail}；无权发起：{e}"
        problems = self.check(sha, main)
        now = self._now()
        db["change_requests"].insert({
            "id": cr_id, "title": subject or branch, "author": author, "author_unit": user.unit if user else "",
            "kind": "change", "state": state, "base": base, "head": sha, "branch": branch, "created": now,
            "updated": now, "data": "{}", "description": "", "problems": json.dumps(problems, ensure_ascii=False),
            "conflicts": "[]", "valid": int(not problems)})
        self._event(db, cr_id, user.username if user else author, "adopt", sha, detail)

    def _external_update(self, db, cr, sha):
        user, author, subject = self._git_author(sha)
        base = self.store.merge_base(self.store.head(), sha) or cr.base
        self._after_commit(db, cr, user.username if user else author, sha, base, "update", f"git 推送：{subject}")


def changes_from_tree(store, root) -> dict[str, str]:
    """Files under ``root/entries`` and ``root/regulations`` that differ from main (path -> text)."""
    from pathlib import Path

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
