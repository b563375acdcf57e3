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
from ..labels import CHANGE_LABELS, CR_STATE_LABELS

#: Requests whose change is on its way: submitted and not yet published, withdrawn or rejected. A draft
#: nobody submitted says little (it may never be), so it is left out; one sent back to its author or in
#: conflict with main is still a correction under way.
SUBMITTED = ("in_review", "changes_requested", "approved", "conflicting", "publishing")
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

    @property
    def mark(self) -> str:
        return f"{CHANGE_MARKS[self.change]} #{self.cr}"

    @property
    def sentence(self) -> str:
        request = f"变更请求 #{self.cr}“{self.title}”（{CR_STATE_LABELS.get(self.state, self.state)}）"
        if self.change == "D":
            return f"这条答复正在撤下：{request}要删除它。"
        return f"这条答复正在更正：{request}，发布前这里仍是原来的答复，可能有误。"

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
    marks = ",".join("?" * len(SUBMITTED))
    conn.execute("BEGIN")
    try:
        requests = conn.execute(f"select id, title, state, base, head from change_requests where state in ({marks})"
                                " and head is not null and head != '' order by id", SUBMITTED).fetchall()
        reports = conn.execute("select entry, count(*), min(created) from tasks where state = 'open' and kind = 'report'"
                               " and entry is not null group by entry").fetchall()
    finally:
        conn.rollback()
    files = store.changed_paths_many((base, head) for _id, _title, _state, base, head in requests)
    changes: dict[str, list[PendingChange]] = {}
    for cr, title, state, base, head in requests:
        for path, letter in files[(base, head)].items():
            if letter in CHANGE_MARKS and path.startswith("entries/") and path.endswith(".md"):
                entry_id = path.rsplit("/", 1)[-1][:-3]
                changes.setdefault(entry_id, []).append(PendingChange(cr, title or "", state, letter))
    counts = {entry: (n, (since or "")[:10] or None) for entry, n, since in reports}
    return PendingMarks({eid: Pending(tuple(changes.get(eid, ())), *counts.get(eid, (0, None)))
                         for eid in changes.keys() | counts.keys()})
