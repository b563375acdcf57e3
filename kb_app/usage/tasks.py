"""Maintenance tasks of the units: opened from reports, votes, dates and validation; closed or dismissed.

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
reference      a public answer names another that the public cannot open while it is shown
               (kb_app.content.references: missing, internal, not yet or no longer in force)
suggested_     searches repeatedly found and confirmed the entry with a phrasing it lacks
question       (kb_app.usage.suggest); accepting it opens the change request adding the phrasing
=============  ==============================================================================

A task is due ``settings.task_due_workdays`` working days after it was opened (on the statutory
calendar; when the calendar lacks the year the due date stays empty and the detail says why). It
is closed when a change whose author marked it as resolved by that change is published (the CR's
``resolves``; see ``after_publish``) — a change to the entry does not close tasks it was not meant
to settle — or dismissed with a reason. A ``basis_changed`` task closes with its flag
(``kb_app.review.reverify``). ``generate_tasks`` is idempotent: a task
is identified by (unit, kind, entry, source), and no second task is opened for a key that already
has one, whatever its state, so a dismissed task is not reopened until its cause changes (a new
expiry date, new votes, a new report).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from ..content.validate import file_owner, invalid_files
from ..exceptions import EntryNotFound, KbError, PermissionDenied
from ..labels import TASK_KIND_LABELS as KIND_LABELS, TASK_STATE_LABELS as STATE_LABELS
from ..privacy import mask
from ..workcalendar import CalendarMissing, WorkCalendar

EXPIRY_WINDOW_DAYS = 30
OPEN, CLOSED, DISMISSED = "open", "closed", "dismissed"
CENTER_ROLES = {"center_reviewer", "admin"}
#: Task kinds that close on their own condition rather than on any published change to the entry.
SELF_CLOSING = {"suggested_question"}


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
    def heading(self) -> str:
        """The title with its kind in brackets, unless the title already begins with the kind
        (建议新增问法：…, 到期复核：…)."""
        label = self.kind_label
        return self.title if self.title.startswith(label) else f"［{label}］{self.title}"

    @property
    def state_label(self) -> str:
        return "已超期" if self.overdue else STATE_LABELS.get(self.state, self.state)




class Tasks:
    """The maintenance tasks of one knowledge base (``kb.tasks``; ``kb.feedback`` builds on it)."""

    def __init__(self, kb):
        self.kb = kb

    def _now(self) -> str:
        return self.kb.now().isoformat(timespec="seconds")

    def _db(self, write: bool = True):
        """One transaction on a fresh connection (``write=False``: a consistent read that never waits)."""
        return self.kb.db_transaction(write=write)

    def _entry_unit(self, entry_id: str, missing_ok: bool = False) -> str | None:
        """The unit of an entry, or of a regulation article (``<regulation>/<n>``: the center's)."""
        snap = self.kb.snapshot()
        entry = snap.entries.get(entry_id)
        if entry is None and snap.find_article(entry_id) is not None:
            return self.kb.settings.center_unit
        if entry is None:
            if missing_ok:
                return None
            raise EntryNotFound(f"条目“{entry_id}”不存在：请检查编号，或刷新页面后重试。")
        return entry.unit

    def _entry_title(self, entry_id: str) -> str:
        return self.kb.snapshot().title_of(entry_id) or entry_id

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
        due = self.due_date(calendar=calendar)
        with self._db() as db:
            return self._insert_task(db, unit, kind, entry, title, detail, source, due)

    def _insert_task(self, db, unit: str, kind: str, entry: str, title: str, detail: str, source: str,
                     due: tuple[str, str]) -> int | None:
        """``open_task`` inside the caller's transaction; ``due`` is what ``due_date`` gave."""
        where = "unit = ? and kind = ? and coalesce(entry, '') = ? and coalesce(source, '') = ?"
        if db["tasks"].count_where(where, [unit, kind, entry or "", source or ""]):
            return None
        due, problem = due
        detail = mask(detail) + (f"\n{problem}" if problem else "")
        return db["tasks"].insert({"unit": unit, "kind": kind, "entry": entry or None, "title": mask(title),
                                   "detail": detail, "created": self._now(), "due": due, "state": OPEN,
                                   "closed": None, "closed_by": None, "close_reason": None,
                                   "source": source or None}).last_pk

    def _check_unhelpful(self, entry_id: str, unit: str):
        with self._db(write=False) as db:
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
                                          f"条目有效期至 {e.expires}，次日起公众看不到，请确认是否延续、更新或下线。",
                                          f"expires:{e.expires}", calendar))
            if e.review_by and e.review_by <= day:
                new.append(self.open_task(e.unit, "review_due", e.id, f"到期复核：{e.title}",
                                          f"条目的复核日期 {e.review_by} 已到，请核对内容并更新 review_by。",
                                          f"review_by:{e.review_by}", calendar))
        new.extend(self._format_tasks(snap, calendar))
        new.extend(self._reference_tasks(snap, calendar, day))
        from . import suggest

        new.extend(suggest.open_tasks(self.kb))
        with self._db(write=False) as db:
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
        found = []
        for path, problems in invalid_files(snap).items():
            owner = file_owner(snap, path)
            if owner is None:
                continue  # no registered unit to give it to: the center's health page lists it
            unit, entry_id, title = owner
            entry = snap.entry_by_path(path)
            hidden = "在改正之前公众看不到该条目。" if entry is None or entry.public_blocked else ""
            lines = "\n".join(str(p) for p in problems)
            found.append((unit, entry_id, f"格式错误：{title}",
                          f"主干上的 {path} 未通过校验，请改正后经审核发布。{hidden}\n{lines}", lines))
        return self._keep_in_step("invalid", found, calendar, "主干上的文件已不再有这些问题。")

    def _reference_tasks(self, snap, calendar, day) -> list[int | None]:
        """A task for the unit of every public answer on main naming an answer the public cannot open."""
        from ..content.references import notices

        by_path: dict[str, list] = {}
        for n in notices(snap, day):
            by_path.setdefault(n.path, []).append(n)
        found = []
        for path, items in by_path.items():
            entry = snap.entry_by_path(path)
            lines = "\n".join(f"第 {n.line} 行：{n.message}。建议：{n.fix}。" for n in items)
            found.append((entry.unit, entry.id, f"提到的答复打不开：{entry.title}",
                          f"本答复正文提到的答复，公众在本答复公开期间打不开：\n{lines}", lines))
        return self._keep_in_step("reference", found, calendar, "正文提到的答复公众已能打开，或已不再提到。")

    def _keep_in_step(self, kind: str, found: list[tuple], calendar, why_closed: str) -> list[int | None]:
        """Open a ``kind`` task for each (unit, entry, title, detail, what is wrong) found, keyed by
        what is wrong (so a new problem opens a new task), and close the open ones no longer found."""
        out, current = [], set()
        for unit, entry_id, title, detail, wrong in found:
            source = f"{kind}:" + hashlib.sha1(wrong.encode("utf-8")).hexdigest()[:12]
            current.add((entry_id, source))
            out.append(self.open_task(unit, kind, entry_id, title, detail, source, calendar))
        with self._db(write=False) as db:
            rows = list(db["tasks"].rows_where("kind = ? and state = ?", [kind, OPEN]))
        stale = [self._task(r, self.kb.today()) for r in rows if (r["entry"] or "", r["source"] or "") not in current]
        self._close(stale, CLOSED, "kb_app", why_closed)
        return out

    def _max_task_id(self) -> int:
        with self._db(write=False) as db:
            return db.execute("select coalesce(max(id), 0) from tasks").fetchone()[0]

    def assign_query(self, query: str, unit: str, user=None, note: str = "") -> int:
        """The hotline center gives a query that found no answer to a unit as a task (see
        ``suggest.missing_answers``: nothing found, nothing about what it named, or seldom opened)."""
        if user is not None and getattr(user, "role", None) not in CENTER_ROLES:
            raise PermissionDenied("只有热线中心校核人员或管理员可以分派缺失的答复。")
        query = mask((query or "").strip())
        if not query:
            raise TaskError("查询内容为空：请选择一条缺失答复的查询再分派。")
        if unit not in self.kb.snapshot().units:
            raise TaskError(f"单位“{unit}”不在 regulations/units.yaml 中：请从单位名录中选择。")
        detail = f"公众或坐席查询“{query}”没有找到相应的答复，请补充或完善答复口径。" + (f"\n{mask(note)}" if note else "")
        pk = self.open_task(unit, "zero_result", "", f"缺失的答复：{query}", detail, source=f"query:{query}")
        if pk is None:
            raise TaskError(f"查询“{query}”已分派给该单位，无需重复分派。")
        return pk

    def assigned_queries(self) -> set[str]:
        with self._db(write=False) as db:
            return {r[0][len("query:"):] for r in db.execute("select source from tasks where kind = 'zero_result'")}

    def task(self, task_id: int) -> Task:
        with self._db(write=False) as db:
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
        with self._db(write=False) as db:
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
        with self._db(write=False) as db:
            rows = list(db["tasks"].rows_where(where, params))
        return [self._task(r, self.kb.today()) for r in rows]

    def close_tasks(self, tasks: list[Task], reason: str, actor: str = "") -> list[int]:
        """Close tasks as done, with the reason; returns their ids."""
        self._close(tasks, CLOSED, actor, reason)
        return [t.id for t in tasks]

    def close_tasks_for_entries(self, entry_ids, commit: str, actor: str = "", kinds=None) -> list[int]:
        """Close the open tasks (of ``kinds``, default all) of entries; returns their ids.

        Without ``kinds`` suggested questions are left open: they close when the entry carries the
        phrasing (kb_app.usage.suggest.after_publish), not on any change to it.
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
        with self._db(write=False) as db:
            rows = list(db["reports"].rows_where(f"id in ({marks})", list(wanted)))
        return {wanted[r["id"]]: r for r in rows}

    def _close(self, tasks: list[Task], state: str, by: str, reason: str):
        now = self._now()
        with self._db() as db:
            for t in tasks:
                db["tasks"].update(t.id, {"state": state, "closed": now, "closed_by": by, "close_reason": reason})
                if t.kind == "report" and t.source.startswith("report:"):
                    db["reports"].update(int(t.source.split(":", 1)[1]), {"state": state})

