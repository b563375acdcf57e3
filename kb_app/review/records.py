"""Change-request records: the request, its review status and files, and the rows they are kept in.

A change request's workflow state lives in the tables ``change_requests``, ``cr_events``,
``approvals`` and ``comments``; :class:`Records` is the only code reading or writing them. It works
on one connection handed in by the caller, who owns the transaction (see ``kb_app.db.transaction``).
"""

from __future__ import annotations

import dataclasses
import json

from ..exceptions import KbError
from ..labels import CR_STATE_LABELS as STATES, PARTY_GAP_ADVICE, PARTY_GAP_LABELS

OPEN = ("draft", "in_review", "changes_requested", "approved", "conflicting")
#: Columns holding JSON.
_JSON = ("data", "problems", "conflicts")


@dataclasses.dataclass
class ChangeRequest:
    """One change request as recorded: its branch, base and head commits, state and validation."""

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
        """The request of a ``change_requests`` row."""
        return cls(row["id"], row["title"] or "", row["author"] or "", row["author_unit"] or "",
                   row["kind"] or "change", row["state"], row["base"] or "", row["head"] or "", row["branch"],
                   row["created"] or "", row["updated"] or "", row.get("published_commit"),
                   row.get("published"),
                   json.loads(row.get("data") or "{}"), row.get("description") or "",
                   json.loads(row.get("problems") or "[]"), json.loads(row.get("conflicts") or "[]"),
                   bool(row.get("valid")))

    @property
    def state_label(self) -> str:
        """The state as users read it (草稿, 审核中, …)."""
        return STATES.get(self.state, self.state)

    @property
    def is_open(self) -> bool:
        """Whether the request may still change (not published, withdrawn or rejected)."""
        return self.state in OPEN

    @property
    def default_update_note(self) -> str:
        """What an update says of itself when its author wrote nothing (更新：补卡说明)."""
        return f"更新：{self.title}"


@dataclasses.dataclass
class ReviewStatus:
    """Who must approve a CR's head commit, who has, and what else stands in the way."""

    required: list[str]
    approvals: dict[str, dict]
    touched: dict[str, str]
    conflicts: list[str]
    labels: dict[str, str]
    policy: object
    #: Unit id → name, for saying who someone is (单位审核人·示例市人力资源和社会保障局).
    units: dict = dataclasses.field(default_factory=dict)
    #: The approval of any one of the required parties will do: the change only withdraws answers (停用)
    #: and the policy says so (``withdrawal``).
    one_of: bool = False

    def role_of(self, user) -> str:
        """A user's role as a person reads it, the unit by its name."""
        return user.role_named(lambda unit: self.units.get(unit, unit))

    @property
    def missing(self) -> list[str]:
        """Required parties that have not approved the head commit (all of them, while none has and the
        approval of any one will do)."""
        return [] if self.satisfied_by(self.approvals) else [p for p in self.required if p not in self.approvals]

    def satisfied_by(self, parties) -> bool:
        """Whether approvals of ``parties`` are all the head commit needs."""
        return any(p in parties for p in self.required) if self.one_of else all(p in parties for p in self.required)

    @property
    def complete(self) -> bool:
        """Whether every required party approved the head commit."""
        return not self.missing


@dataclasses.dataclass(frozen=True)
class PartyState:
    """Where one required party stands on a request, as the review page and ``kb cr show`` say it: ``said``
    (已批准, 驳回, 待审核, — for a request that waits for nobody's review), by whom and when (None: nobody
    acted for it), and ``gap`` when no account can approve for it (a key of labels.PARTY_GAP_LABELS)."""

    party: str
    label: str
    said: str
    by: str | None = None
    at: str | None = None
    gap: str | None = None


@dataclasses.dataclass
class Awaiting:
    """The parties a request still waits for, each flagged when nobody can approve for it, and what to do.

    ``gaps`` maps a party to why nobody can approve for it (a key of labels.PARTY_GAP_LABELS); ``roles``
    names the kind of account each flagged party needs. ``one_of``: any one party's approval will do.
    """

    parties: list[str]
    labels: dict[str, str]
    gaps: dict[str, str] = dataclasses.field(default_factory=dict)
    roles: dict[str, str] = dataclasses.field(default_factory=dict)
    one_of: bool = False

    def named(self, party: str) -> str:
        """A party by its name, with why nobody can approve for it when nobody can."""
        gap = self.gaps.get(party)
        return self.labels[party] + (f"（{PARTY_GAP_LABELS[gap]}）" if gap else "")

    @property
    def names(self) -> list[str]:
        """The parties waited for, by name (flagged)."""
        return [self.named(p) for p in self.parties]

    @property
    def words(self) -> str:
        """等待热线中心校核、示例市医疗保障局（目前没有可审核的账号）审核; more than two as 等待6方审核：…"""
        if not self.parties:
            return ""
        names = "、".join(self.names)
        if self.one_of and len(self.parties) > 1:
            return f"等待{names}中任一方审核"
        if len(self.parties) > 2:
            return f"等待{len(self.parties)}方审核：{names}"
        # 等待法制审核, not 等待法制审核审核
        return f"等待{names}" if names.endswith(("审核", "校核")) else f"等待{names}审核"

    @property
    def blocked(self) -> bool:
        """Whether the request cannot get the approvals it needs as the accounts stand."""
        flagged = [p for p in self.parties if p in self.gaps]
        return bool(flagged) and (not self.one_of or len(flagged) == len(self.parties))

    @property
    def advice(self) -> list[str]:
        """For each flagged party, why nobody can approve and what to do (nothing while the request is not
        held up by them: any one other party of a withdrawal will do)."""
        if not self.blocked:
            return []
        return [f"审核方“{self.labels[p]}”" + PARTY_GAP_ADVICE[gap].format(gap=PARTY_GAP_LABELS[gap], who=self.roles[p])
                + "，否则本变更请求无法发布。" for p, gap in self.gaps.items()]


@dataclasses.dataclass
class FileChange:
    """One file a CR touches: its text before (on main now, for an open CR), at the head, and on main now."""

    path: str
    status: str          # A, M or D
    old: str | None      # what the CR changes: on main now while it is open, at its base once closed
    new: str | None      # at the CR's head
    main: str | None     # on main now (differs from the base when main moved)
    conflicting: bool = False
    base: str | None = None          # at the CR's base (the version its author started from)
    #: What was published on main to this file since the CR's base, oldest first (see ReviewQueries.published_since).
    published: list = dataclasses.field(default_factory=list)
    #: Lines published on main since the base that the CR's version does not have: approving it removes them.
    reverted: list = dataclasses.field(default_factory=list)


def _encoded(values: dict) -> dict:
    return {k: json.dumps(v, ensure_ascii=False) if k in _JSON and not isinstance(v, str) else v
            for k, v in values.items()}


class Records:
    """The rows of change requests, their events, approvals and comments, over one connection.

    ``now`` is the time written into what changes (the caller's clock, ``kb.now()``).
    """

    def __init__(self, db, now: str = ""):
        self.db, self.now = db, now

    # -- reading ------------------------------------------------------------------------------

    def get(self, cr_id) -> ChangeRequest:
        """The request numbered ``cr_id``; KbError when there is none."""
        try:
            row = self.db["change_requests"].get(int(cr_id))
        except Exception:  # sqlite_utils NotFoundError, or a non-number
            raise KbError(f"变更请求 #{cr_id} 不存在：请检查编号，或在变更请求列表中查看全部变更请求。")
        return ChangeRequest.from_row(row)

    def list(self, states=None, author: str | None = None, kind: str | None = None) -> list[ChangeRequest]:
        """Requests, newest first, optionally in some states, by one author or of one kind."""
        where, args = ["state != 'creating'"], []
        if kind:
            where.append("kind = ?")
            args.append(kind)
        if states:
            states = [states] if isinstance(states, str) else list(states)
            where.append(f"state in ({', '.join('?' for _ in states)})")
            args += states
        if author:
            where.append("author = ?")
            args.append(author)
        rows = self.db["change_requests"].rows_where(" and ".join(where), args, order_by="id desc")
        return [ChangeRequest.from_row(r) for r in rows]

    def rows_of(self, table: str, cr_id: int) -> list[dict]:
        """The events, approvals or comments of a request, oldest first."""
        return list(self.db[table].rows_where("cr = ?", [cr_id], order_by="id"))

    def approvals_of(self, cr_id: int, commit: str) -> dict[str, dict]:
        """The standing approvals of a commit of the request, by party (the first one given counts)."""
        found: dict[str, dict] = {}
        where = "cr = ? and [commit] = ? and dismissed = 0"
        for row in self.db["approvals"].rows_where(where, [cr_id, commit], order_by="id"):
            found.setdefault(row["party"], row)
        return found

    def wrote_on(self, cr_id: int, username: str) -> bool:
        """Whether the user created, updated or pushed a commit of the request."""
        return username in self.writers(cr_id)

    def writers(self, cr_id: int) -> set[str]:
        """The users who created, updated or pushed a commit of the request (its authors)."""
        return {r["actor"] for r in self.db["cr_events"].rows_where(
            "cr = ? and action in ('create', 'update', 'adopt')", [cr_id], select="actor")}

    def heads(self) -> dict[str, dict]:
        """Branch -> (id, head, state) of every request."""
        return {r["branch"]: r for r in self.db.query("select id, branch, head, state from change_requests")}

    def publishing_since(self, limit: str) -> list[int]:
        """Requests claimed for publishing and not settled since before ``limit``."""
        return [r["id"] for r in self.db.query(
            "select id from change_requests where state = 'publishing' and updated < ?", [limit])]

    def top_id(self) -> int:
        """The highest request number recorded (0 for none)."""
        return self.db.execute("select max(id) from change_requests").fetchone()[0] or 0

    def exists(self, cr_id: int) -> bool:
        """Whether a request has this number."""
        return bool(self.db["change_requests"].count_where("id = ?", [cr_id]))

    # -- writing ------------------------------------------------------------------------------

    def insert(self, cr_id: int, **values):
        """Record a new request (``problems`` given, ``valid`` follows from them)."""
        row = {"id": cr_id, "kind": "change", "created": self.now, "updated": self.now, "data": {},
               "description": "", "conflicts": [], "published_commit": None, "published": None, **values}
        row["valid"] = int(not row["problems"])
        self.db["change_requests"].insert(_encoded(row))

    def set(self, cr_id: int, **values):
        """Change columns of a request (JSON columns take Python values); ``updated`` becomes now."""
        self.db["change_requests"].update(cr_id, _encoded({**values, "updated": self.now}))

    def event(self, cr_id: int, actor: str, action: str, commit: str | None = None, detail: str = ""):
        """Add an event to the request's history."""
        self.db["cr_events"].insert({"cr": cr_id, "at": self.now, "actor": actor, "action": action,
                                     "commit": commit, "detail": detail})

    def approve(self, cr_id: int, party: str, reviewer: str, commit: str):
        """Record a party's approval of a commit."""
        self.db["approvals"].insert({"cr": cr_id, "party": party, "reviewer": reviewer, "commit": commit,
                                     "at": self.now, "dismissed": 0})

    def dismiss_approvals(self, cr_id: int) -> int:
        """Dismiss every standing approval of the request (a new commit came); returns how many."""
        sql = "update approvals set dismissed = 1 where cr = ? and dismissed = 0"
        return self.db.execute(sql, [cr_id]).rowcount

    def comment(self, cr_id: int, author: str, body: str, path: str | None = None) -> dict:
        """Add a comment; returns its row."""
        row = {"cr": cr_id, "author": author, "at": self.now, "body": body, "path": path}
        self.db["comments"].insert(row)
        return row
