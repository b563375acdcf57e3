"""Reading change requests: their records, the parties and approvals they need, and their files.

Nothing here changes anything. :class:`ReviewQueries` is the reading half of the review service;
:class:`kb_app.review.workflow.Review` adds the actions on top. The policy and the unit names come
from the parsed snapshot of main (``kb.snapshot``), so the registries are read once per commit.
"""

from __future__ import annotations

import contextlib
import re
from typing import Iterator

from .. import db as dbmod
from ..accounts.auth import User, Users
from ..cache import LruCache
from ..content.store import ZERO
from ..content.validate import validate
from ..exceptions import KbError
from ..labels import CR_EVENT_LABELS, PARTY_WAITING_LABELS
from .policy import Policy, approver_role, can_approve_for, party_gaps, required_parties, withdraws_only
from .records import Awaiting, ChangeRequest, FileChange, PartyState, Records, ReviewStatus

#: What declining a request does, by action: its new state and the event recorded (see Review._decline).
#: The problem of a change that touches files outside entries/ and regulations/ (never published).
OUTSIDE_CONTENT = ("改动了内容目录（entries/、regulations/）以外的文件：{paths}。变更请求只能修改答复口径、派单目录和"
                   "条例配置，这些改动不会发布；请从分支中去掉它们后重新推送（设置与程序文件由管理员另行维护）。")
DECLINES = {"request_changes": ("changes_requested", "request_changes"), "reject": ("rejected", "rejected")}
#: The event that put a request in each declined state.
DECLINED_STATES = {state: event for state, event in DECLINES.values()}


#: A numbered list item's number: an item renumbered by an insertion before it is the same line.
_ITEM_NUMBER = re.compile(r"^(\s*)\d{1,9}([.)]\s)")


def dropped_lines(base: str | None, main: str | None, new: str | None) -> list[str]:
    """The lines main gained since ``base`` that ``new`` does not have (blank lines aside), in main's order; a
    numbered item counts as had whatever its number (5. 代办 renumbered 6. 代办 on main is no new line)."""
    def lines(text):
        return {_ITEM_NUMBER.sub(r"\1#\2", ln) for ln in (text or "").splitlines()}

    before, kept = lines(base), lines(new)
    return [ln for ln in (main or "").splitlines()
            if ln.strip() and _ITEM_NUMBER.sub(r"\1#\2", ln) not in before | kept]


def published_by(publications: list[dict]) -> str:
    """Who published changes, in words: 变更请求 #7（李编辑，2026-12-05）, or 李编辑（2026-12-05，用 git 提交）."""
    said = []
    for p in publications:
        day = (p.get("at") or "")[:10]
        said.append(f"变更请求 #{p['cr']}（{p['author']}，{day}）" if p.get("cr") else f"{p['author']}（{day}，用 git 提交）")
    return "、".join(dict.fromkeys(said)) or "他人"


class ReviewQueries:
    """What change requests are, need and show; ``hooks.covered_paths`` narrows the parties needed."""

    def __init__(self, kb, hooks):
        self.kb, self.hooks = kb, hooks
        # Validation problems already on main, by main's commit (a CR is judged only on what it adds).
        self._main_problems = LruCache(2)

    @property
    def store(self):
        """The content store (git)."""
        return self.kb.store

    @property
    def users(self) -> Users:
        """The local accounts."""
        return Users(self.kb)

    def _now(self) -> str:
        return self.kb.now().isoformat()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Records]:
        """The records in one read transaction (one snapshot of the database), closed after."""
        with dbmod.transaction(self.kb.settings.db_path, write=False) as db:
            yield Records(db)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Records]:
        """The records in one write transaction: all of it lands, or none of it."""
        with dbmod.transaction(self.kb.settings.db_path) as db:
            yield Records(db, self._now())

    def read_many(self, commit: str | None, paths) -> dict[str, str]:
        """Texts of some files at a commit (absent files are left out), in two git calls."""
        paths = sorted(set(paths))
        if not commit or commit == ZERO or not paths:
            return {}
        files = self.store.files_at(commit, paths)
        return {p: t for p, t in files.items() if p in set(paths)}

    def policy(self, main: str | None = None) -> Policy:
        """The policy in force: the one on main."""
        return Policy.from_snapshot(self.kb.snapshot(main))

    def unit_names(self, main: str | None = None) -> dict[str, str]:
        """Unit ids to names, from ``units.yaml`` on main."""
        snap = self.kb.snapshot(main)
        return {unit: snap.unit_name(unit) for unit in snap.units}

    def get(self, cr_id: int, sync: bool = False) -> ChangeRequest:
        """The request numbered ``cr_id`` (after registering pushed branches, with ``sync``)."""
        if sync:
            self.sync()
        with self.reading() as rec:
            return rec.get(cr_id)

    def list(self, states=None, author: str | None = None, kind: str | None = None) -> list[ChangeRequest]:
        """Requests, newest first, optionally in some states, by one author or of one kind."""
        with self.reading() as rec:
            return rec.list(states, author, kind)

    def events(self, cr_id: int) -> list[dict]:
        """The request's history, oldest first."""
        with self.reading() as rec:
            return rec.rows_of("cr_events", cr_id)

    def comments(self, cr_id: int) -> list[dict]:
        """The request's comments, oldest first."""
        with self.reading() as rec:
            return rec.rows_of("comments", cr_id)

    def reasons(self, cr_id: int) -> list[dict]:
        """Why a request was sent back or turned down: each such decision's event (``actor``, ``at``,
        ``action``; ``detail`` is the reviewer's words, required when declining), oldest first."""
        return [e for e in self.events(cr_id) if e["action"] in DECLINED_STATES.values() and (e["detail"] or "").strip()]

    def redraft_origin(self, cr: ChangeRequest) -> ChangeRequest | None:
        """The request turned down or withdrawn that ``cr`` was made from (Review.redraft), or None: not a
        redraft, or a record that cannot be read."""
        origin = cr.data.get("redraft_of")
        if not isinstance(origin, int):
            return None
        try:
            return self.get(origin)
        except KbError:
            return None

    def same_as_origin(self, cr: ChangeRequest) -> ChangeRequest | None:
        """The request turned down that ``cr`` was redrafted from, when ``cr`` changes the same files to the
        very same text (nothing mended since), else None."""
        origin = self.redraft_origin(cr)
        if origin is None or origin.state != "rejected" or not (cr.head and origin.head):
            return None
        mine = self.store.changed_paths(cr.base, cr.head)
        if set(mine) != set(self.store.changed_paths(origin.base, origin.head)):
            return None
        return origin if self.read_many(cr.head, mine) == self.read_many(origin.head, mine) else None

    def latest_revision(self, cr: ChangeRequest) -> dict | None:
        """The author's note on the request's latest revision (an update after it was first saved), or None
        when it says nothing the name does not (none, the default note, the name itself): the request keeps
        its name, which may no longer say what it changes (仲裁时效改为3年, sent back, then changed otherwise)."""
        updates = [e for e in self.events(cr.id) if e["action"] == "update"]
        if not updates or (updates[-1].get("detail") or "").strip() in ("", cr.title, cr.default_update_note):
            return None
        return updates[-1]

    def reviewers_word(self, cr: ChangeRequest) -> dict | None:
        """The latest comment on a request by someone other than its author: what the reviewer asked for when
        it came back, or why it was turned down."""
        said = [c for c in self.comments(cr.id) if c["author"] != cr.author]
        return said[-1] if said else None

    def approvals(self, cr_id: int) -> list[dict]:
        """Every approval given on the request, dismissed ones included."""
        with self.reading() as rec:
            return rec.rows_of("approvals", cr_id)

    def conflicting(self, cr: ChangeRequest, main: str | None = None) -> list[str]:
        """The files of an open request that main changed since its base as well (publishing it is refused until
        its author updates them): the conflicts :meth:`status` reports, without its reading of the parties."""
        if not (cr.is_open and cr.head):
            return []
        return self.store.conflicting_paths(cr.base, cr.head, main or self.store.head())

    def status(self, cr: ChangeRequest, main: str | None = None) -> ReviewStatus:
        """Required parties (policy on main), approvals of the head commit, conflicts with main."""
        main = main or self.store.head()
        touched = self.store.changed_paths(cr.base, cr.head) if cr.head else {}
        base_files, head_files = self.read_many(cr.base, touched), self.read_many(cr.head, touched)
        snap = self.kb.snapshot(main)
        policy = Policy.from_snapshot(snap)
        covered = set()
        for hook in self.hooks.covered_paths:
            covered |= set(hook(self.kb, cr.base, cr.head, base_files, head_files) or ())
        reviewed = [p for p in touched if p not in covered]
        one_of = bool(policy.withdrawal) and withdraws_only(base_files, head_files, reviewed, self.kb.today())
        required = required_parties(policy, base_files, head_files, reviewed,
                                    (lambda _path: policy.withdrawal) if one_of else None)
        with self.reading() as rec:
            approvals = rec.approvals_of(cr.id, cr.head)
        conflicts = self.conflicting(cr, main)
        units = {unit: snap.unit_name(unit) for unit in snap.units}
        labels = {p: policy.party_label(p, units) for p in set(required) | set(approvals)}
        return ReviewStatus(required, approvals, touched, conflicts, labels, policy, units, one_of)

    def awaiting(self, cr: ChangeRequest, status: ReviewStatus | None = None) -> Awaiting:
        """The parties the request still needs approved (every required one, before any has approved), each
        flagged when no account can approve for it: none is active in the party (none made, or disabled),
        or its only ones wrote the change. Said at submission and on the review page, so that a request
        nobody can approve does not wait in silence."""
        status = status or self.status(cr)
        waiting = status.missing if cr.is_open else []
        with self.reading() as rec:
            writers = rec.writers(cr.id) | {cr.author}
        gaps = party_gaps(waiting, status.policy, self.users.list(), writers) if waiting else {}
        roles = {p: approver_role(p, status.policy, status.units) for p in gaps}
        return Awaiting(list(waiting), status.labels, gaps, roles, status.one_of)

    def new_comments(self, cr: ChangeRequest, reader: str | None = None) -> list[dict]:
        """Comments on the request by others since ``reader`` (its author by default) last acted on it (an event
        of theirs, or a comment), newest first. Nothing records what someone has read, so this is what came
        after their last step: a comment given in the same second as that step counts as new."""
        reader = reader or cr.author
        with self.reading() as rec:
            acted = [e["at"] for e in rec.rows_of("cr_events", cr.id) if e["actor"] == reader]
            comments = rec.rows_of("comments", cr.id)
        since = max(acted, default="")
        own = max((c["id"] for c in comments if c["author"] == reader), default=0)
        return [c for c in reversed(comments)
                if c["author"] != reader and c["id"] > own and (c["at"] or "") >= since]

    def files(self, cr: ChangeRequest, main: str | None = None) -> list[FileChange]:
        """Each touched file before and after. While the CR is open "before" is main's current version, so
        that what it would change now is what reviewers see, including text published since its base that
        it would take out again; a conflicting file names what was published to it meanwhile."""
        main = main or self.store.head()
        touched = self.store.changed_paths(cr.base, cr.head) if cr.head else {}
        old, new = self.read_many(cr.base, touched), self.read_many(cr.head, touched)
        moved = set(self.store.changed_paths(cr.base, main)) & set(touched) \
            if cr.is_open and main != cr.base else set()
        now = self.read_many(main, moved)
        files = []
        for p, s in sorted(touched.items()):
            current = now.get(p) if p in moved else old.get(p)
            change = FileChange(p, s, current if cr.is_open else old.get(p), new.get(p), current, p in moved,
                                old.get(p))
            if p in moved:
                change.published = self.published_since(cr.base, p, main)
                change.reverted = dropped_lines(old.get(p), current, new.get(p))
            files.append(change)
        return files

    def published_since(self, base: str, path: str, main: str | None = None) -> list[dict]:
        """The publications on main that changed ``path`` after ``base``, oldest first: ``{cr}`` (its number,
        or None for a commit made with git), ``author`` (a name), ``at`` (ISO time) and ``commit``."""
        found = []
        for commit, _parents, at, number, _paths in self.store.first_parent_changes(main, [path], since=base):
            name, _email, _subject = self.store.commit_meta(commit)
            found.append({"cr": int(number) if number.isdigit() else None, "author": name, "at": at,
                          "commit": commit})
        return found

    def is_author(self, cr: ChangeRequest, user: User) -> bool:
        """The CR's author, or anyone who wrote a commit on it."""
        if user.username == cr.author:
            return True
        with self.reading() as rec:
            return rec.wrote_on(cr.id, user.username)

    def declined(self, cr: ChangeRequest, status: ReviewStatus) -> dict[str, dict]:
        """Who sent a request back or turned it down, by the parties they did it for: the event (its
        ``actor``, ``at`` and ``action``) by each required party that had not approved its version, as an
        approval counts for those parties. Empty unless the request is returned or rejected."""
        if cr.state not in DECLINED_STATES:
            return {}
        with self.reading() as rec:
            events = rec.rows_of("cr_events", cr.id)
        last = next((e for e in reversed(events) if e["action"] == DECLINED_STATES[cr.state]), None)
        actor = self.users.get(last["actor"]) if last else None
        if actor is None:
            return {}
        return {p: last for p in status.required
                if p not in status.approvals and can_approve_for(actor, p, status.policy)}

    def party_states(self, cr: ChangeRequest, status: ReviewStatus | None = None,
                     awaiting: Awaiting | None = None) -> list[PartyState]:
        """Each required party of a request and where it stands: approved (by whom, when), sent back or turned
        down (by whom, when), else what it waits for by the request's state (— once nothing is awaited: a
        request withdrawn, turned down or published). One reading for the review page and ``kb cr show``."""
        status = status or self.status(cr)
        awaiting = awaiting or self.awaiting(cr, status)
        declined = self.declined(cr, status)
        waiting = PARTY_WAITING_LABELS.get(cr.state, "—")
        out = []
        for party in status.required:
            a, d = status.approvals.get(party), declined.get(party)
            said = "已批准" if a else CR_EVENT_LABELS[d["action"]] if d else waiting
            by = a["reviewer"] if a else d["actor"] if d else None
            out.append(PartyState(party, status.labels[party], said, by, (a or d)["at"] if a or d else None,
                                  awaiting.gaps.get(party)))
        return out

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

    def check(self, head: str, main: str) -> list[str]:
        """Validation problems at a CR head that are not already on main, and the files it changes
        outside the content folders (a branch pushed with git may carry any)."""
        problems = validate(self.kb.snapshot(head))
        if problems:
            known = self._main_problems.get_or_build(
                main, lambda: {(p.path, p.field, p.message) for p in validate(self.kb.snapshot(main))})
            problems = [p for p in problems if (p.path, p.field, p.message) not in known]
        base = self.store.merge_base(main, head)
        outside = self.store.paths_outside_content(base, head) if base else []
        return [str(p) for p in problems] + ([OUTSIDE_CONTENT.format(paths="、".join(outside[:10]) + (
            f"等 {len(outside)} 个文件" if len(outside) > 10 else ""))] if outside else [])

    def signature(self, author: str) -> str:
        """``Name <email>`` of a request's author for its merge commit."""
        user = self.users.get(author)
        return user.signature if user else (author if "<" in author else f"{author} <{author}@kb.local>")

    def publish_message(self, cr: ChangeRequest, status: ReviewStatus) -> str:
        """The merge commit's message: title, description and the trailers naming each reviewer."""
        names = {u.username: u.name for u in self.users.list()}
        trailers = [f"Change-Request: {cr.id}"]
        for party in status.required:
            if party not in status.approvals:   # a withdrawal any one party approved (ReviewStatus.one_of)
                continue
            reviewer = status.approvals[party]["reviewer"]
            trailers.append(f"Reviewed-by: {names.get(reviewer, reviewer)} <{status.labels[party]}>")
        body = f"\n\n{cr.description}" if cr.description else ""
        return f"{cr.title}{body}\n\n" + "\n".join(trailers) + "\n"
