"""The feedback loop: search logs, helpful votes, error reports and the units' maintenance tasks.

Everything a person typed is masked (``kb_app.privacy.mask``) before it is inserted. Rows written
for the public (``audience='public'``) carry no username and no role beyond ``public``; no address
or other identifier is ever stored.

Request outcomes (table ``request_outcomes``, ``log_outcome``): how the agent settled a request
taken in the console — 直接答复 with the answer used, 派单 with the catalogue entry, or 转接 to an
emergency line — with the masked request, the entry's topic (its first category) and unit (the
answer's unit, the catalogue entry's handler), and what the assistant had suggested. The
statistics' direct-answer rate is counted from it.

Maintenance tasks (table ``tasks``) belong to the unit that maintains an entry (its ``unit``):

=============  ==============================================================================
kind           opened when
=============  ==============================================================================
report         someone reports an error (纠错) in the entry
expiring       the entry's ``expires`` falls within the next 30 days
review_due     the entry's ``review_by`` is today or past
unhelpful      the entry got ``settings.unhelpful_threshold`` "not helpful" votes since its last
               task of this kind was closed
zero_result    the hotline center assigns a query that found nothing to the unit
invalid        the entry's file on main fails validation (格式错误; e.g. a date nobody can read)
suggested_     searches repeatedly found and confirmed the entry with a phrasing it lacks
question       (kb_app.suggest); accepting it opens the change request adding the phrasing
=============  ==============================================================================

A task is due ``settings.task_due_workdays`` working days after it was opened (on the statutory
calendar; when the calendar lacks the year the due date stays empty and the detail says why). It
is closed when a change whose author marked it as resolved by that change is published (the CR's
``resolves``; see ``after_publish``) — a change to the entry does not close tasks it was not meant
to settle — or dismissed with a reason. A ``basis_changed`` task closes with its flag
(``kb_app.reverify``). ``generate_tasks`` is idempotent: a task
is identified by (unit, kind, entry, source), and no second task is opened for a key that already
has one, whatever its state, so a dismissed task is not reopened until its cause changes (a new
expiry date, new votes, a new report).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import sqlite3

from .exceptions import AlreadyVoted, EntryNotFound, KbError, PermissionDenied
from .privacy import mask
from .validate import file_owner, invalid_files
from .workcalendar import CalendarMissing, WorkCalendar

EXPIRY_WINDOW_DAYS = 30
OPEN, CLOSED, DISMISSED = "open", "closed", "dismissed"
KIND_LABELS = {"report": "纠错", "expiring": "即将到期", "review_due": "到期复核", "unhelpful": "多次无帮助",
               "zero_result": "无结果查询", "basis_changed": "依据已变更，待核", "invalid": "格式错误",
               "suggested_question": "建议新增问法"}
STATE_LABELS = {OPEN: "待处理", CLOSED: "已完成", DISMISSED: "已驳回"}
CENTER_ROLES = {"center_reviewer", "admin"}
#: Task kinds that close on their own condition rather than on any published change to the entry.
SELF_CLOSING = {"suggested_question"}
AUDIENCES = {"public", "agent", "staff"}
OUTCOMES = {"direct_answer": "直接答复", "dispatch": "派单", "transfer": "转接"}
TRANSFER_TOPIC = "紧急转接"


class TaskError(KbError):
    """维护任务操作有误。"""


@dataclasses.dataclass
class Task:
    id: int
    unit: str
    kind: str
    entry: str
    title: str
    detail: str
    created: str
    due: str
    state: str
    closed: str
    closed_by: str
    close_reason: str
    source: str
    overdue: bool = False

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def state_label(self) -> str:
        return "已超期" if self.overdue else STATE_LABELS.get(self.state, self.state)


def _anonymous(audience: str, username: str | None) -> str | None:
    return None if audience == "public" else (username or None)


class Feedback:
    """Logs, votes, reports and tasks of one knowledge base (``kb.feedback``)."""

    def __init__(self, kb):
        self.kb = kb

    # -- logs --------------------------------------------------------------------------------

    def _now(self) -> str:
        return self.kb.now().isoformat(timespec="seconds")

    def _check_audience(self, audience: str):
        if audience not in AUDIENCES:
            raise KbError(f"受众“{audience}”无效：应为 public（公众）、agent（坐席）或 staff（工作人员）。")

    def log_search(self, query: str, audience: str, hits: int, username: str | None = None,
                   role: str | None = None) -> int:
        """Record a search; returns the row id (pass it to ``log_open`` when a result is opened)."""
        self._check_audience(audience)
        row = {"at": self._now(), "query": mask(query)[:500], "audience": audience,
               "role": "public" if audience == "public" else (role or audience),
               "username": _anonymous(audience, username), "hits": int(hits), "opened": None, "unit": None}
        with self._db() as db:
            return db["search_log"].insert(row).last_pk

    def log_open(self, entry_id: str, search_id: int | None = None, audience: str = "public",
                 username: str | None = None, role: str | None = None) -> int:
        """Record that an entry was opened, on the search row it came from or as a row of its own."""
        unit = self._entry_unit(entry_id, missing_ok=True)
        with self._db() as db:
            if search_id is not None and db["search_log"].count_where("id = ? and opened is null", [search_id]):
                db["search_log"].update(search_id, {"opened": entry_id, "unit": unit})
                return search_id
            self._check_audience(audience)
            row = {"at": self._now(), "query": "", "audience": audience,
                   "role": "public" if audience == "public" else (role or audience),
                   "username": _anonymous(audience, username), "hits": None, "opened": entry_id, "unit": unit}
            return db["search_log"].insert(row).last_pk

    def log_events(self, events) -> int:
        """Record many public searches and opened entries in one transaction (from the web tier).

        Each event is ``{"type": "search", "at", "query", "hits"}`` or ``{"type": "open", "at", "entry"}``,
        with ``at`` the time of the request and ``audience`` public (default) or agent; no username or
        address is stored. Returns the number of rows written.
        """
        rows = []
        units = {}
        for ev in events:
            audience = ev.get("audience") or "public"
            self._check_audience(audience)
            row = {"at": ev.get("at") or self._now(), "audience": audience,
                   "role": "public" if audience == "public" else audience, "username": None}
            if ev.get("type") == "open":
                entry = str(ev.get("entry") or "")
                if entry not in units:
                    units[entry] = self._entry_unit(entry, missing_ok=True)
                rows.append({**row, "query": "", "hits": None, "opened": entry, "unit": units[entry]})
            else:
                rows.append({**row, "query": mask(ev.get("query") or "")[:500], "hits": int(ev.get("hits") or 0),
                             "opened": None, "unit": None})
        if rows:
            with self._db() as db:
                db["search_log"].insert_all(rows)
        return len(rows)

    def log_use(self, entry_id: str, search_id: int | None, username: str | None = None) -> int | None:
        """An agent took an entry's answer for the call: the search it came from is marked ``used``."""
        self._entry_unit(entry_id)
        if search_id is None:
            return None
        with self._db() as db:
            row = db.execute("select opened from search_log where id = ?", [search_id]).fetchone()
            if row is None or row[0] not in (None, entry_id):
                return None
            db["search_log"].update(search_id, {"opened": entry_id, "unit": self._entry_unit(entry_id), "used": 1})
            return search_id

    def vote(self, entry_id: str, helpful: bool, audience: str = "public", username: str | None = None,
             search_id: int | None = None, voter: str | None = None) -> int:
        """Record a helpful / not helpful vote; may open an ``unhelpful`` task for the unit.

        ``search_id`` is the search the entry was opened from; it is kept only when that search did open it.
        ``voter`` is the browser session's secret key: a session votes once per entry (a second vote
        raises :class:`AlreadyVoted`); only its digest is stored.
        """
        self._check_audience(audience)
        unit = self._entry_unit(entry_id)
        row = {"at": self._now(), "entry": entry_id, "unit": unit, "helpful": int(bool(helpful)),
               "audience": audience, "username": _anonymous(audience, username),
               "voter": voter_digest(voter) if voter else None}
        with self._db() as db:
            if search_id is not None and not db["search_log"].count_where("id = ? and opened = ?", [search_id, entry_id]):
                search_id = None
            try:
                pk = db["votes"].insert(dict(row, search=search_id)).last_pk
            except sqlite3.IntegrityError:
                raise AlreadyVoted("您已经评价过这条答复，每次访问只计一次。谢谢！") from None
        if not helpful:
            self._check_unhelpful(entry_id, unit)
        return pk

    def report_error(self, entry_id: str, text: str, audience: str = "public",
                     username: str | None = None) -> int:
        """Record an error report (纠错) and open a task for the entry's unit; returns the report id.

        No contact is taken: whoever wants an answer calls 12345 (see README, privacy).
        """
        self._check_audience(audience)
        text = mask((text or "").strip())
        if not text:
            raise KbError("纠错内容不能为空：请写明哪里有误、正确的应当是什么。")
        unit = self._entry_unit(entry_id)
        with self._db() as db:
            pk = db["reports"].insert({"at": self._now(), "entry": entry_id, "unit": unit, "text": text[:2000],
                                       "audience": audience,
                                       "username": _anonymous(audience, username), "state": OPEN}).last_pk
        title = self._entry_title(entry_id)
        self.open_task(unit, "report", entry_id, f"纠错：{title}", text[:500], source=f"report:{pk}")
        return pk

    def log_outcome(self, text: str, outcome: str, entry: str = "", line: str = "", suggested: str = "",
                    urgency: str = "", username: str | None = None, role: str | None = None) -> int:
        """Record how a request ended (direct_answer / dispatch / transfer); returns the row id."""
        text = mask((text or "").strip())
        if not text:
            raise KbError("诉求内容为空：请先输入来电人的诉求，再记录处理结果。")
        if outcome not in OUTCOMES:
            raise KbError(f"处理结果“{outcome}”无效：应为 direct_answer（直接答复）、dispatch（派单）或 transfer（转接）。")
        topic, unit = TRANSFER_TOPIC, None
        if outcome == "transfer":
            if not line:
                raise KbError("记录转接时缺少专线号码：请写明转接到 110、119、120 还是 122。")
            entry = ""
        else:
            kind = "policy" if outcome == "direct_answer" else "directory"
            found = self.kb.snapshot().entries.get(entry or "")
            if found is None or found.kind != kind:
                what = "答复口径" if kind == "policy" else "派单目录条目"
                raise EntryNotFound(f"{what}“{entry}”不存在：请从派单助手列出的{what}中选择。")
            topic = found.category[0] if found.category else "未分类"
            unit = (found.handler or found.unit) if kind == "directory" else found.unit
        row = {"at": self._now(), "text": text[:1000], "outcome": outcome, "entry": entry or None, "line": line or None,
               "topic": topic, "unit": unit, "suggested": suggested or None, "urgency": urgency or None,
               "username": username or None, "role": role or None}
        with self._db() as db:
            return db["request_outcomes"].insert(row).last_pk

    # -- tasks -------------------------------------------------------------------------------

    def _db(self):
        return _Connection(self.kb)

    def _entry_unit(self, entry_id: str, missing_ok: bool = False) -> str | None:
        entry = self.kb.snapshot().entries.get(entry_id)
        if entry is None:
            if missing_ok:
                return None
            raise EntryNotFound(f"条目“{entry_id}”不存在：请检查编号，或刷新页面后重试。")
        return entry.unit

    def _entry_title(self, entry_id: str) -> str:
        entry = self.kb.snapshot().entries.get(entry_id)
        return entry.title if entry else entry_id

    def due_date(self, day: dt.date | None = None, calendar: WorkCalendar | None = None) -> tuple[str, str]:
        """(due date, problem) for a task opened on ``day``: due after ``task_due_workdays`` working days."""
        day = day or self.kb.today()
        calendar = calendar or self.kb.calendar()
        try:
            return calendar.workday_due(day, self.kb.settings.task_due_workdays).isoformat(), ""
        except CalendarMissing as e:
            return "", str(e)

    def open_task(self, unit: str, kind: str, entry: str = "", title: str = "", detail: str = "", source: str = "",
                  calendar: WorkCalendar | None = None) -> int | None:
        """Open a task unless one with the same (unit, kind, entry, source) exists; returns its id or None."""
        with self._db() as db:
            where = "unit = ? and kind = ? and coalesce(entry, '') = ? and coalesce(source, '') = ?"
            if db["tasks"].count_where(where, [unit, kind, entry or "", source or ""]):
                return None
            due, problem = self.due_date(calendar=calendar)
            detail = mask(detail) + (f"\n{problem}" if problem else "")
            return db["tasks"].insert({"unit": unit, "kind": kind, "entry": entry or None, "title": mask(title),
                                       "detail": detail, "created": self._now(), "due": due, "state": OPEN,
                                       "closed": None, "closed_by": None, "close_reason": None,
                                       "source": source or None}).last_pk

    def _check_unhelpful(self, entry_id: str, unit: str):
        with self._db() as db:
            last = db.execute("select max(closed) from tasks where kind = 'unhelpful' and entry = ? and state != ?",
                              [entry_id, OPEN]).fetchone()[0] or ""
            count, last_vote = db.execute("select count(*), max(id) from votes where entry = ? and helpful = 0 and at > ?",
                                          [entry_id, last]).fetchone()
            busy = db["tasks"].count_where("kind = 'unhelpful' and entry = ? and state = ?", [entry_id, OPEN])
        if count >= self.kb.settings.unhelpful_threshold and not busy:
            self.open_task(unit, "unhelpful", entry_id, f"多次无帮助：{self._entry_title(entry_id)}",
                           f"自上次处理以来有 {count} 人评价“没有帮助”，请检查答复是否准确、清楚。",
                           source=f"votes:{last_vote}")

    def generate_tasks(self, day: dt.date | None = None) -> list[int]:
        """Open the tasks that main's entries and the votes call for; returns the new task ids."""
        day = day or self.kb.today()
        snap = self.kb.snapshot()
        calendar = WorkCalendar.from_snapshot(snap)
        new = []
        horizon = day + dt.timedelta(days=EXPIRY_WINDOW_DAYS)
        for e in snap.entry_list:
            if e.expires and day <= e.expires <= horizon:
                new.append(self.open_task(e.unit, "expiring", e.id, f"即将到期：{e.title}",
                                          f"条目将于 {e.expires} 失效，请确认是否延续、更新或下线。",
                                          f"expires:{e.expires}", calendar))
            if e.review_by and e.review_by <= day:
                new.append(self.open_task(e.unit, "review_due", e.id, f"到期复核：{e.title}",
                                          f"条目的复核日期 {e.review_by} 已到，请核对内容并更新 review_by。",
                                          f"review_by:{e.review_by}", calendar))
        new.extend(self._format_tasks(snap, calendar))
        from . import suggest

        new.extend(suggest.open_tasks(self.kb))
        with self._db() as db:
            voted = [r[0] for r in db.execute("select distinct entry from votes where helpful = 0")]
        for entry_id in voted:
            if entry_id in snap.entries:
                before = self._max_task_id()
                self._check_unhelpful(entry_id, snap.entries[entry_id].unit)
                if self._max_task_id() != before:
                    new.append(self._max_task_id())
        return [t for t in new if t]

    def _format_tasks(self, snap, calendar) -> list[int | None]:
        """A 格式错误 task for the unit of every entry file on main that fails validation.

        Such a file reached main without review (pushed by hand, or an imported repository); an
        entry whose audience or dates cannot be read stays hidden from the public until it is fixed.
        A task is keyed by its problems, so a file that goes wrong differently opens a new one.
        """
        out, current = [], set()
        for path, problems in invalid_files(snap).items():
            owner = file_owner(snap, path)
            if owner is None:
                continue  # no registered unit to give it to: the center's health page lists it
            unit, entry_id, title = owner
            entry = snap.entry_by_path(path)
            hidden = "在改正之前公众看不到该条目。" if entry is None or entry.public_blocked else ""
            lines = "\n".join(str(p) for p in problems)
            source = "invalid:" + hashlib.sha1(lines.encode("utf-8")).hexdigest()[:12]
            current.add((entry_id, source))
            out.append(self.open_task(unit, "invalid", entry_id, f"格式错误：{title}",
                                      f"主干上的 {path} 未通过校验，请改正后经审核发布。{hidden}\n{lines}", source, calendar))
        with self._db() as db:
            rows = list(db["tasks"].rows_where("kind = 'invalid' and state = ?", [OPEN]))
        fixed = [self._task(r, self.kb.today()) for r in rows
                 if (r["entry"] or "", r["source"] or "") not in current]
        self._close(fixed, CLOSED, "kb_app", "主干上的文件已不再有这些问题。")
        return out

    def _max_task_id(self) -> int:
        with self._db() as db:
            return db.execute("select coalesce(max(id), 0) from tasks").fetchone()[0]

    def assign_query(self, query: str, unit: str, user=None, note: str = "") -> int:
        """The hotline center gives a query that found nothing to a unit as a task."""
        if user is not None and getattr(user, "role", None) not in CENTER_ROLES:
            raise PermissionDenied("只有热线中心校核人员或管理员可以分派无结果查询。")
        query = mask((query or "").strip())
        if not query:
            raise TaskError("查询内容为空：请选择一条无结果查询再分派。")
        if unit not in self.kb.snapshot().units:
            raise TaskError(f"单位“{unit}”不在 regulations/units.yaml 中：请从单位名录中选择。")
        detail = f"公众或坐席查询“{query}”没有找到结果，请补充或完善相应的答复口径。" + (f"\n{mask(note)}" if note else "")
        pk = self.open_task(unit, "zero_result", "", f"无结果查询：{query}", detail, source=f"query:{query}")
        if pk is None:
            raise TaskError(f"查询“{query}”已分派给该单位，无需重复分派。")
        return pk

    def assigned_queries(self) -> set[str]:
        with self._db() as db:
            return {r[0][len("query:"):] for r in db.execute("select source from tasks where kind = 'zero_result'")}

    def task(self, task_id: int) -> Task:
        with self._db() as db:
            rows = list(db["tasks"].rows_where("id = ?", [task_id]))
        if not rows:
            raise TaskError(f"维护任务 #{task_id} 不存在：请刷新任务列表后重试。")
        return self._task(rows[0], self.kb.today())

    def _task(self, row: dict, today: dt.date) -> Task:
        fields = {f.name for f in dataclasses.fields(Task)} - {"overdue"}
        t = Task(**{k: row.get(k) or ("" if k != "id" else row[k]) for k in fields})
        t.overdue = t.state == OPEN and bool(t.due) and t.due < today.isoformat()
        return t

    def list_tasks(self, unit: str | None = None, state: str | None = OPEN, overdue_only: bool = False) -> list[Task]:
        """Tasks of a unit (all units when None), by due date; ``state=None`` lists every state."""
        where, params = [], []
        if unit:
            where.append("unit = ?")
            params.append(unit)
        if state:
            where.append("state = ?")
            params.append(state)
        with self._db() as db:
            rows = list(db["tasks"].rows_where(" and ".join(where) or None, params,
                                               order_by="case when due = '' or due is null then 1 else 0 end, due, id"))
        today = self.kb.today()
        tasks = [self._task(r, today) for r in rows]
        return [t for t in tasks if t.overdue] if overdue_only else tasks

    def overdue(self, unit: str | None = None) -> list[Task]:
        return self.list_tasks(unit, OPEN, overdue_only=True)

    def check_owner(self, task: Task, user):
        """PermissionDenied unless the user's unit owns the task (the hotline center handles any)."""
        if user is None:
            return
        role, unit = getattr(user, "role", None), getattr(user, "unit", None)
        if role not in CENTER_ROLES and unit != task.unit:
            raise PermissionDenied(f"维护任务 #{task.id} 属于单位“{self.kb.snapshot().unit_name(task.unit)}”，"
                                   "只有该单位或热线中心可以处理。")

    def dismiss(self, task_id: int, reason: str, user=None) -> Task:
        """Dismiss an open task with a reason (e.g. the report was wrong)."""
        reason = mask((reason or "").strip())
        if not reason:
            raise TaskError("驳回维护任务必须填写理由：请说明为什么不需要修改条目。")
        task = self.task(task_id)
        self.check_owner(task, user)
        if task.state != OPEN:
            raise TaskError(f"维护任务 #{task_id} 的状态是“{STATE_LABELS.get(task.state, task.state)}”，"
                            "只能驳回待处理的任务：请刷新任务列表。")
        self._close([task], DISMISSED, getattr(user, "username", None) or "", reason)
        return self.task(task_id)

    def open_tasks_of(self, entry_ids, kinds=None) -> list[Task]:
        """The open tasks of some entries (of some kinds only, when given)."""
        ids = [e for e in dict.fromkeys(entry_ids) if e]
        if not ids:
            return []
        where, params = f"state = ? and entry in ({','.join('?' * len(ids))})", [OPEN, *ids]
        if kinds:
            where += f" and kind in ({','.join('?' * len(kinds))})"
            params += list(kinds)
        with self._db() as db:
            rows = list(db["tasks"].rows_where(where, params))
        return [self._task(r, self.kb.today()) for r in rows]

    def close_tasks(self, tasks: list[Task], reason: str, actor: str = "") -> list[int]:
        """Close tasks as done, with the reason; returns their ids."""
        self._close(tasks, CLOSED, actor, reason)
        return [t.id for t in tasks]

    def close_tasks_for_entries(self, entry_ids, commit: str, actor: str = "", kinds=None) -> list[int]:
        """Close the open tasks (of ``kinds``, default all) of entries; returns their ids.

        Without ``kinds`` suggested questions are left open: they close when the entry carries the
        phrasing (kb_app.suggest.after_publish), not on any change to it.
        """
        tasks = [t for t in self.open_tasks_of(entry_ids, kinds) if kinds or t.kind not in SELF_CLOSING]
        return self.close_tasks(tasks, f"已由发布的变更（提交 {commit[:10]}）处理。", actor or f"commit:{commit[:12]}")

    def close_resolved(self, cr, commit: str) -> list[int]:
        """Close the open tasks a published change request was marked as resolving."""
        tasks = []
        for task_id in cr.data.get("resolves") or []:
            try:
                task = self.task(int(task_id))
            except (TaskError, TypeError, ValueError):
                continue
            if task.state == OPEN:
                tasks.append(task)
        self._close(tasks, CLOSED, f"cr:{cr.id}", f"已由变更请求 #{cr.id}“{cr.title}”处理并发布（提交 {commit[:10]}）。")
        return [t.id for t in tasks]

    def reports(self, tasks) -> dict[int, dict]:
        """The error report (纠错) behind each report task, by task id."""
        wanted = {int(t.source.split(":", 1)[1]): t.id for t in tasks
                  if t.kind == "report" and t.source.startswith("report:") and t.source[7:].isdigit()}
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        with self._db() as db:
            rows = list(db["reports"].rows_where(f"id in ({marks})", list(wanted)))
        return {wanted[r["id"]]: r for r in rows}

    def _close(self, tasks: list[Task], state: str, by: str, reason: str):
        now = self._now()
        with self._db() as db:
            for t in tasks:
                db["tasks"].update(t.id, {"state": state, "closed": now, "closed_by": by, "close_reason": reason})
                if t.kind == "report" and t.source.startswith("report:"):
                    db["reports"].update(int(t.source.split(":", 1)[1]), {"state": state})


class _Connection:
    """``with`` block around one fresh database connection, committed and closed at the end."""

    def __init__(self, kb):
        self.db = kb.db()

    def __enter__(self):
        return self.db

    def __exit__(self, kind, exc, tb):
        conn = self.db.conn
        if kind is None:
            conn.commit()
        conn.close()
        return False


# Module-level entry points for the other parts of the product (review's on-publish hook, pages).

def log_search(kb, *args, **kwargs) -> int:
    return kb.feedback.log_search(*args, **kwargs)


def log_open(kb, *args, **kwargs) -> int:
    return kb.feedback.log_open(*args, **kwargs)


#: The cookie holding a browser session's voting key (set by the public site, read by the staff app).
VOTER_COOKIE = "kb_voter"


def voter_digest(voter: str) -> str:
    """What is stored of a browser session's voting key: its SHA-256, never the key."""
    return hashlib.sha256(f"kb-vote:{voter}".encode()).hexdigest()


def vote(kb, *args, **kwargs) -> int:
    return kb.feedback.vote(*args, **kwargs)


def report_error(kb, *args, **kwargs) -> int:
    return kb.feedback.report_error(*args, **kwargs)


def log_outcome(kb, *args, **kwargs) -> int:
    return kb.feedback.log_outcome(*args, **kwargs)


def generate_tasks(kb, day: dt.date | None = None) -> list[int]:
    return kb.feedback.generate_tasks(day)


def close_tasks_for_entries(kb, entry_ids, commit: str, actor: str = "") -> list[int]:
    return kb.feedback.close_tasks_for_entries(entry_ids, commit, actor)


def after_publish(kb, cr, commit: str):
    """on_publish hook: a published change closes the tasks its author marked as resolved by it."""
    return kb.feedback.close_resolved(cr, commit)
