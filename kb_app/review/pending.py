"""What is pending on a published answer, for agents: a change request under review that changes it, and
error reports (纠错) its unit has not dealt with yet.

An agent reading a wrong fee to a caller while its correction waits for review is what these marks are
for: wherever staff see an entry (the agent console, the entry page, ``kb search --audience agent``, the
agent API) it carries “修改审核中 #12” and “有纠错待处理 2 条”, with the request's title and the date of
the oldest report beside them. The public never sees any of it.

Read from the database at request time (:class:`PendingWatch`): whether it changed is asked of SQLite at
every request, and only then are the two small queries run again (the open requests, by their state
index, and the open 纠错 tasks counted by entry). The files a request changes come from git once per
(base, head) pair (``Store.changed_paths`` keeps them), so hundreds of open requests cost a dictionary
lookup each after the first time.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import threading

from .. import db as dbmod
from ..cache import LruCache
from ..labels import (ADOPT_CAUTION, ADOPT_CAUTION_REASONS, CHANGE_LABELS, CR_STATE_LABELS, REQUEST_NAMED,
                      UNDER_WAY_NOTE, UNDER_WAY_REVIEW_NOTE)

#: Requests whose change is on its way: submitted and not yet published, withdrawn or rejected. A draft
#: nobody submitted says little (it may never be), so it is left out; one sent back to its author or in
#: conflict with main is still a correction under way.
SUBMITTED = ("in_review", "changes_requested", "approved", "conflicting", "publishing")
#: Requests that may still reach main, drafts too: what somebody starting on an entry should know of, since
#: whichever is published first makes the others need updating (kb_app.review.workflow: 有冲突).
UNDER_WAY = ("draft", *SUBMITTED)
#: How a request changes an entry, as its mark says (renaming shows as deleting the old id).
CHANGE_MARKS = {letter: f"{CHANGE_LABELS[letter]}审核中" for letter in ("M", "D")}
REPORT_MARK = "有纠错待处理"
#: What a replica tells agents when it cannot learn from its primary what is pending.
UNKNOWN_NOTICE = ("暂时无法从主节点取得修改审核和纠错的情况：结果中不会标出“修改审核中”“有纠错待处理”，"
                  "答复前如有疑问请到工作人员应用核实。")


@dataclasses.dataclass(frozen=True)
class PendingChange:
    """An open change request changing an entry."""

    cr: int
    title: str
    state: str
    change: str  # "M" or "D"
    author: str = dataclasses.field(default="", compare=False)  # username; staff pages only, not in as_dict

    @property
    def mark(self) -> str:
        return f"{CHANGE_MARKS[self.change]} #{self.cr}"

    @property
    def sentence(self) -> str:
        request = f"变更请求 #{self.cr}“{self.title}”（{CR_STATE_LABELS.get(self.state, self.state)}）"
        if self.change == "D":
            return f"这条答复正在撤下：{request}要删除它。"
        return f"这条答复有修改正在审核：{request}，发布前这里仍是原来的答复，采用前请核对。"

    def named(self, names: dict[str, str]) -> str:
        """The request for somebody about to change the same entry: 变更请求 #7“…”（吴编辑，审核中);
        ``names``: display names by username."""
        return REQUEST_NAMED.format(id=self.cr, title=self.title, author=names.get(self.author, self.author),
                                    state=CR_STATE_LABELS.get(self.state, self.state))

    def as_dict(self) -> dict:
        return {"id": self.cr, "title": self.title, "state": self.state,
                "state_label": CR_STATE_LABELS.get(self.state, self.state), "change": self.change,
                "change_label": CHANGE_LABELS[self.change]}


@dataclasses.dataclass(frozen=True)
class Pending:
    """What is pending on one entry: open change requests, and how many open 纠错 since when."""

    changes: tuple[PendingChange, ...] = ()
    reports: int = 0
    since: str | None = None  # the day of the oldest open report, YYYY-MM-DD

    def marks(self) -> list[str]:
        """Short marks, safe to show as badges: 修改审核中 #12, 有纠错待处理 2 条."""
        return [c.mark for c in self.changes] + ([f"{REPORT_MARK} {self.reports} 条"] if self.reports else [])

    def sentences(self) -> list[str]:
        """What each mark means, in a sentence for the agent (the request's title, the oldest report's day)."""
        out = [c.sentence for c in self.changes]
        if self.reports:
            out.append(f"有人报告这条答复有误：{self.reports} 条纠错待处理（最早 {self.since}），承办单位正在核实。")
        return out

    def caution(self) -> str:
        """What to mind before taking this answer for a call (beside 采用此答复): that it is being corrected
        or taken down, or was reported wrong, by its marks; "" when nothing is pending."""
        if not self.changes and not self.reports:
            return ""
        reason = ADOPT_CAUTION_REASONS[self.changes[0].change if self.changes else "report"]
        return ADOPT_CAUTION.format(reason=reason, marks="、".join(self.marks()))

    def as_dict(self) -> dict:
        return {"change_requests": [c.as_dict() for c in self.changes],
                "reports": {"open": self.reports, "since": self.since}}

    @classmethod
    def from_dict(cls, data: dict) -> "Pending":
        changes = tuple(PendingChange(int(c["id"]), str(c.get("title") or ""), str(c.get("state") or ""),
                                      c["change"] if c.get("change") in CHANGE_MARKS else "M")
                        for c in data.get("change_requests") or ())
        reports = data.get("reports") or {}
        return cls(changes, int(reports.get("open") or 0), reports.get("since") or None)


@dataclasses.dataclass(frozen=True)
class PendingMarks:
    """What is pending, by entry id; ``known`` is False where it could not be learnt (a replica cut off
    from its primary), and ``token`` changes whenever anything pending does (it keys cached responses)."""

    by_entry: dict[str, Pending] = dataclasses.field(default_factory=dict)
    known: bool = True

    def get(self, entry_id: str) -> Pending | None:
        return self.by_entry.get(entry_id)

    @functools.cached_property
    def token(self) -> str:
        if not self.known:
            return "unknown"
        return hashlib.sha1(json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]

    def as_dict(self) -> dict:
        return {eid: p.as_dict() for eid, p in sorted(self.by_entry.items())}

    def annotate(self, items: list[dict], key: str = "entry") -> list[dict]:
        """JSON items naming an entry under ``key`` (the dispatch assistant's answers), each with ``pending``
        added where something is; a note beside them is the caller's when it is not ``known``."""
        for item in items:
            if found := self.get(str(item.get(key) or "")):
                item["pending"] = found.as_dict()
        return items

    @classmethod
    def from_dict(cls, data: dict) -> "PendingMarks":
        return cls({str(eid): Pending.from_dict(p) for eid, p in data.items() if isinstance(p, dict)})


UNKNOWN = PendingMarks(known=False)


class PendingWatch:
    """What is pending, read again only when the database has changed since (``PRAGMA data_version`` on a
    connection kept for it: a few microseconds), so a search pays nothing while nobody writes.

    Any write counts (a batch of search logs too), so it is read at most about once per write; reading
    it is two small queries on the kept connection. Safe to share between threads; a process forked
    after it was opened opens its own connection.
    """

    def __init__(self, kb):
        self.kb = kb
        self._lock = threading.Lock()
        self._conn = None
        self._pid = None
        self._version = None
        self._found: PendingMarks | None = None

    def current(self) -> PendingMarks:
        with self._lock:
            conn = self._connection()
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            if self._found is None or version != self._version:
                self._found, self._version = read(conn, self.kb.store), version
            return self._found

    def _connection(self):
        if self._conn is None or self._pid != os.getpid():
            self._conn, self._pid = dbmod.connect(self.kb.settings.db_path).conn, os.getpid()
            self._version = self._found = None
        return self._conn

    def close(self):
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = self._found = None


def read(conn, store) -> PendingMarks:
    """What is pending on main's entries: open change requests (``SUBMITTED``) and open 纠错 tasks, read in
    one transaction on the connection ``conn``; the files a request changes come from ``store`` (git)."""
    conn.execute("BEGIN")
    try:
        requests = _requests(conn, SUBMITTED)
        reports = conn.execute("select entry, count(*), min(created) from tasks where state = 'open' and kind = 'report'"
                               " and entry is not null group by entry").fetchall()
    finally:
        conn.rollback()
    changes = _changes_by_entry(store, requests, corrections_only=True)
    counts = {entry: (n, (since or "")[:10] or None) for entry, n, since in reports}
    return PendingMarks({eid: Pending(tuple(changes.get(eid, ())), *counts.get(eid, (0, None)))
                         for eid in changes.keys() | counts.keys()})


def under_way(conn, store, entry_ids, exclude=()) -> dict[str, tuple[PendingChange, ...]]:
    """The requests ``UNDER_WAY`` (drafts too) changing or deleting each of ``entry_ids``, by entry id, other
    than the requests in ``exclude`` (the one being edited); entries nobody else is changing are left out."""
    wanted, skip = set(entry_ids), set(exclude)
    requests = [r for r in _requests(conn, UNDER_WAY) if r[0] not in skip]
    found = _changes_by_entry(store, requests)
    return {eid: tuple(found[eid]) for eid in sorted(wanted & found.keys())}


def under_way_note(what: str, changes, names: dict[str, str], review: bool = False) -> str:
    """The warning that other open requests (``changes``) change ``what`` (an entry's file or title) too, and
    that publishing one makes the others need updating; for a reviewer of one of them when ``review``."""
    requests = "、".join(c.named(names) for c in changes)
    return (UNDER_WAY_REVIEW_NOTE if review else UNDER_WAY_NOTE).format(what=what, requests=requests)


def _requests(conn, states) -> list[tuple]:
    """(id, title, state, base, head, author) of the requests in ``states`` that have a commit, oldest first."""
    marks = ",".join("?" * len(states))
    return conn.execute(f"select id, title, state, base, head, author from change_requests where state in ({marks})"
                        " and head is not null and head != '' order by id", tuple(states)).fetchall()


#: (base, head) → the entry files a regulation change only renumbers citations in (see _renumbered_only).
_RENUMBERED = LruCache(64)


def _renumbered_only(store, base: str, head: str, paths) -> set[str]:
    """The entry files whose only change is the citation rewrite of the regulation change ``base``..``head``
    (none unless it changes a regulation text): read once per pair."""
    if not any(p.startswith("regulations/texts/") for p in paths):
        return set()
    from .reverify import rewritten_only

    return _RENUMBERED.get_or_build((base, head), lambda: rewritten_only(store.snapshot(base), store.snapshot(head)))


def _changes_by_entry(store, requests, corrections_only: bool = False) -> dict[str, list[PendingChange]]:
    """The entries each request changes or deletes (git, once per (base, head) pair), by entry id; with
    ``corrections_only``, not those whose only change is a rewrite of citation numbers after a regulation
    was renumbered (their answer says the same: agents need no 修改审核中 on them)."""
    files = store.changed_paths_many((base, head) for _id, _title, _state, base, head, _author in requests)
    changes: dict[str, list[PendingChange]] = {}
    for cr, title, state, base, head, author in requests:
        same = _renumbered_only(store, base, head, files[(base, head)]) if corrections_only else set()
        for path, letter in files[(base, head)].items():
            if path in same:
                continue
            if letter in CHANGE_MARKS and path.startswith("entries/") and path.endswith(".md"):
                entry_id = path.rsplit("/", 1)[-1][:-3]
                changes.setdefault(entry_id, []).append(PendingChange(cr, title or "", state, letter, author or ""))
    return changes
