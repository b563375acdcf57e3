"""Usage statistics as plain rows, for the ``kb report`` command and the statistics page.

Every figure is taken over a date range (both ends included; by default the last 30 days up to
today) and, when ``unit`` is given, limited to that unit: its entries' views, votes and tasks, the
searches of the questions that opened one of its entries (on the public site as well, where the opening
is logged apart from the search), and the change requests written by it.

Votes on a regulation article count in the per-entry table (marked 条例条文) and the totals, not in the
per-unit helpfulness: an article's 没帮助 says the search picked the wrong article (README), not that
the center answered badly.

The direct-answer rate (直接答复率) is the share of requests taken in the agent console that were
settled from the knowledge base (outcome 直接答复) among the requests the hotline handles (受理诉求 =
直接答复 + 派单), per day and per topic (the first category of the answer or catalogue entry used:
answers and the catalogue have categories of their own, 社保 beside 劳动和社会保障, with no mapping
between them in the content, so one field may take two rows). Calls transferred to an emergency line
are counted apart (a column of their own, the topic 紧急转接) but are no request the hotline could
have answered (条例第十一条: transferred at once, not taken in), so they are neither among the
requests nor in the rate. For a unit it counts the requests settled with its answers or dispatched to it.

Emergency hints (the center's only): of the calls agents transferred to an emergency line, how many
the console had flagged (紧急 or 疑似紧急) and how many it missed, with the missed calls' masked words,
and the hints agents dismissed as no emergency — the intake rules learn from both through a change
request, as any rule does.

Review turnaround is the time from a change request's submission (its first ``submit`` event, or
its creation when it has none) to its publication, in hours (to the thousandth: a review of one minute
is 0.017, not 0.0), per unit whose entries the request changes — not its author's: the center adopting
a suggestion for a 人社局 answer is 人社局's review. A request changing several units' entries counts for
each of them; a change to regulations/ (the articles, the intake rules) for the center
(``settings.center_unit``). What a request changed is read from git once per (base, head) and kept. Shown to people (:func:`readable`) a duration is said as
they say it: 1 分钟 under an hour, 3.5 小时 up to two days, 2.5 天 beyond; the CSV keeps the hours.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics

from ..exceptions import KbError
from ..export import csv_text
from ..labels import ALL_UNITS, KIND_LABELS, TASK_STATE_LABELS
from ..review.policy import owners

#: The figures of the request outcomes: 受理诉求 is 直接答复 + 派单 (the rate's denominator); the calls
#: transferred to an emergency line are counted apart, as no request the hotline took in.
OUTCOME_COLUMNS = {"requests": "受理诉求（直接答复+派单）", "direct": "直接答复", "dispatched": "派单",
                   "rate": "直接答复率", "transferred": "转接紧急专线（不计入受理）"}

#: Column labels, in display order, of every section.
SECTIONS = {
    "searches_per_day": ("每日查询量", {"day": "日期", "searches": "查询次数", "zero": "无结果次数"}),
    "top_queries": ("热门查询", {"query": "查询内容", "searches": "次数", "zero": "无结果次数", "opened": "打开条目次数"}),
    "zero_result_queries": ("无结果或结果无关的查询", {"query": "查询内容", "searches": "次数", "zero": "无结果次数",
                                               "weak": "结果无关次数", "last": "最近一次"}),
    "most_viewed": ("浏览最多的条目", {"entry": "条目编号", "title": "标题", "kind": "类型", "unit_name": "单位",
                                   "views": "浏览次数"}),
    "helpfulness_by_entry": ("条目有用率", {"entry": "条目编号", "title": "标题", "kind": "类型", "unit_name": "单位",
                                       "helpful": "有帮助",
                                       "unhelpful": "没有帮助", "rate": "有用率"}),
    "helpfulness_by_unit": ("单位有用率", {"unit": "单位编号", "unit_name": "单位", "helpful": "有帮助",
                                      "unhelpful": "没有帮助", "rate": "有用率"}),
    "tasks_by_unit": ("维护任务", {"unit": "单位编号", "unit_name": "单位", "open": TASK_STATE_LABELS["open"],
                                "overdue": "已超期", "closed": TASK_STATE_LABELS["closed"],
                                "dismissed": TASK_STATE_LABELS["dismissed"]}),
    "direct_answers_per_day": ("每日直接答复率", {"day": "日期", **OUTCOME_COLUMNS}),
    "direct_answers_by_topic": ("各主题直接答复率", {"topic": "主题", **OUTCOME_COLUMNS}),
    "emergency_hints": ("紧急情况提示", {"line": "专线", "transferred": "坐席转接", "hinted": "其中有提示",
                                     "missed": "转接但未提示", "dismissed": "提示后判断不是紧急",
                                     "recall": "提示命中率"}),
    "missed_emergencies": ("转接但未提示的来电", {"at": "时间", "line": "转接专线", "text": "诉求（已脱敏）"}),
    "dismissed_hints": ("坐席判断不是紧急的提示", {"at": "时间", "line": "提示的专线", "text": "诉求（已脱敏）"}),
    "review_turnaround": ("校核周期", {"unit": "单位编号", "unit_name": "单位", "published": "已发布变更数",
                                   "avg_hours": "平均用时（小时）", "median_hours": "中位用时（小时）",
                                   "max_hours": "最长用时（小时）"}),
}


#: Columns of hours, shown to people as durations (:func:`duration`) under these headings.
DURATIONS = {"avg_hours": "平均用时", "median_hours": "中位用时", "max_hours": "最长用时"}


def duration(hours: float | None) -> str:
    """A duration as people say it: 1 分钟 under an hour, 3.5 小时 up to 48 hours, 2.5 天 beyond."""
    if hours is None:
        return ""
    minutes = round(hours * 60)
    if minutes < 1:
        return "不到 1 分钟"
    if minutes < 60:
        return f"{minutes} 分钟"
    return f"{hours:.1f} 小时" if hours < 48 else f"{hours / 24:.1f} 天"


def readable(key: str, rows: list[dict]) -> tuple[list[dict], dict[str, str]]:
    """A section's rows and columns as shown on the page and in the terminal: hours as durations."""
    columns = SECTIONS[key][1]
    if not DURATIONS.keys() & columns.keys():
        return rows, columns
    return ([{**r, **{k: duration(r.get(k)) for k in DURATIONS if k in columns}} for r in rows],
            {k: DURATIONS.get(k, label) for k, label in columns.items()})


@dataclasses.dataclass
class Summary:
    searches: int
    zero: int
    views: int
    helpful: int
    unhelpful: int
    open_tasks: int
    overdue_tasks: int
    #: Requests the hotline itself answered or dispatched (calls transferred to an emergency line are not).
    requests: int = 0
    direct: int = 0
    #: Searches whose results are about none of what they name (SearchResults.weak): no answer either.
    weak: int = 0

    @property
    def zero_rate(self) -> float:
        return self.zero / self.searches if self.searches else 0.0

    @property
    def unanswered_rate(self) -> float:
        """Searches that found nothing or only results unrelated to what they asked, of all searches."""
        return (self.zero + self.weak) / self.searches if self.searches else 0.0

    #: Calls transferred to an emergency line: counted apart, not among the requests.
    transferred: int = 0

    @property
    def direct_rate(self) -> float:
        """Requests settled from the knowledge base, of those the hotline answered or dispatched."""
        return _direct_rate(self.direct, self.requests) or 0.0

    def rows(self) -> list[dict]:
        return [{"item": "查询次数", "value": self.searches}, {"item": "无结果次数", "value": self.zero},
                {"item": "无结果率", "value": f"{self.zero_rate:.1%}"}, {"item": "结果无关次数", "value": self.weak},
                {"item": "无结果或结果无关的比例", "value": f"{self.unanswered_rate:.1%}"},
                {"item": "条目浏览次数", "value": self.views},
                {"item": "有帮助 / 没有帮助", "value": f"{self.helpful} / {self.unhelpful}"},
                {"item": "待处理维护任务（其中超期）", "value": f"{self.open_tasks}（{self.overdue_tasks}）"},
                {"item": "受理诉求（直接答复 + 派单）", "value": self.requests},
                {"item": "直接答复 / 派单", "value": f"{self.direct} / {self.requests - self.direct}"},
                {"item": "转接紧急专线（不计入受理诉求）", "value": self.transferred},
                {"item": "直接答复率", "value": f"{self.direct_rate:.1%}"}]


#: Searches not told an emergency line to call: only they count as finding nothing (or nothing related) —
#: the knowledge base is not meant to answer 有人晕倒了 (the alarm is its answer).
NOT_ALARMED = "coalesce(alarm, 0) = 0"


def _direct_rate(direct: int, handled: int) -> float | None:
    """The direct-answer rate of ``direct`` answers among ``handled`` requests (rounded), None without any."""
    return round(direct / handled, 3) if handled else None


def _rate(helpful: int, unhelpful: int):
    total = helpful + unhelpful
    return round(helpful / total, 3) if total else None


def to_csv(rows: list[dict], columns: dict[str, str], scope: dict[str, str] | None = None) -> str:
    """Rows as CSV text with the Chinese column labels as the header (cells made formula-safe).

    ``scope`` ({column label: value}, e.g. 统计期 and 承办单位) says what the figures cover in the first columns
    of every row, so that a file saved and opened later, or a table copied out of it, still says it; a table
    without rows then has one row saying only that."""
    if not scope:
        return csv_text(columns.values(), ([row.get(k) for k in columns] for row in rows))
    return csv_text([*scope, *columns.values()],
                    ([*scope.values(), *(row.get(k) for k in columns)] for row in rows or [{}]))


class Stats:
    """Statistics of one knowledge base (``kb.stats``)."""

    def __init__(self, kb):
        self.kb = kb
        #: The units a change request's (base, head) changes: commits never change, so read once.
        self._changed_units: dict[tuple[str, str], tuple[str, ...]] = {}

    def range(self, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
        end = end or self.kb.today()
        start = start or end - dt.timedelta(days=29)
        if start > end:
            raise KbError(f"起始日期 {start} 晚于结束日期 {end}：请调整日期范围。")
        return start, end

    def _query(self, sql: str, params) -> list[dict]:
        with self.kb.db_transaction(write=False) as db:
            cur = db.execute(sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def _bounds(self, start, end):
        start, end = self.range(start, end)
        return start.isoformat(), (end + dt.timedelta(days=1)).isoformat()

    def _names(self, rows: list[dict]) -> list[dict]:
        snap = self.kb.snapshot()
        for r in rows:
            if "unit" in r:
                r["unit_name"] = snap.unit_name(r["unit"]) if r["unit"] else ""
            if "entry" in r:
                r["title"] = snap.title_of(r["entry"]) or f"{r['entry']}（已删除）"
                entry = snap.entries.get(r["entry"])
                kind = entry.kind if entry is not None else "article" if snap.find_article(r["entry"]) else None
                r["kind"] = KIND_LABELS.get(kind, "")
        return rows

    # -- searches ------------------------------------------------------------------------------

    def _search_filter(self, unit):
        return ("and unit = ?", [unit]) if unit else ("", [])

    def searches_of(self, unit, lo: str, hi: str):
        """The filter for a unit's searches: an agent's search carries the unit of the entry opened from
        it; a citizen's is a row of its own, and the answer opened from its results another row with the
        same query, so the searches of a query that opened one of the unit's entries in the range count."""
        if not unit:
            return "", []
        return ("and (unit = ? or (unit is null and query != '' and query in (select query from search_log "
                "where unit = ? and hits is null and opened is not null and at >= ? and at < ?)))", [unit, unit, lo, hi])

    def searches_per_day(self, start=None, end=None, unit=None) -> list[dict]:
        lo, hi = self._bounds(start, end)
        extra, params = self.searches_of(unit, lo, hi)
        return self._query(f"select substr(at, 1, 10) as day, count(*) as searches, "
                           f"sum(case when hits = 0 and {NOT_ALARMED} then 1 else 0 end) as zero from search_log "
                           f"where at >= ? and at < ? and hits is not null {extra} group by day order by day",
                           [lo, hi, *params])

    def top_queries(self, start=None, end=None, unit=None, limit: int = 20) -> list[dict]:
        lo, hi = self._bounds(start, end)
        extra, params = self.searches_of(unit, lo, hi)
        # An answer opened from the public site's results is a row of its own (no hits) with the query.
        return self._query(f"select query, sum(case when hits is not null then 1 else 0 end) as searches, "
                           f"sum(case when hits = 0 and {NOT_ALARMED} then 1 else 0 end) as zero, "
                           f"sum(case when opened is not null then 1 else 0 end) as opened from search_log "
                           f"where at >= ? and at < ? and query != '' {extra} group by query having searches > 0 "
                           f"order by searches desc, query limit ?", [lo, hi, *params, limit])

    def zero_result_queries(self, start=None, end=None, limit: int = 50) -> list[dict]:
        lo, hi = self._bounds(start, end)
        # Results about none of what was asked (weak) answer it no more than none: 护照怎么办理 finds 办理.
        # A search told an emergency line to call is no missing answer (有人晕倒了快来人).
        return self._query("select query, count(*) as searches, sum(case when hits = 0 then 1 else 0 end) as zero, "
                           "sum(case when hits > 0 and weak = 1 then 1 else 0 end) as weak, max(at) as last "
                           "from search_log where at >= ? and at < ? and (hits = 0 or (hits > 0 and weak = 1)) "
                           f"and {NOT_ALARMED} and query != '' group by query order by searches desc, last desc "
                           "limit ?", [lo, hi, limit])

    # -- entries -------------------------------------------------------------------------------

    def most_viewed(self, start=None, end=None, unit=None, limit: int = 20) -> list[dict]:
        lo, hi = self._bounds(start, end)
        extra, params = self._search_filter(unit)
        rows = self._query(f"select opened as entry, unit, count(*) as views from search_log "
                           f"where at >= ? and at < ? and opened is not null {extra} "
                           f"group by opened order by views desc, opened limit ?", [lo, hi, *params, limit])
        return self._names(rows)

    def helpfulness_by_entry(self, start=None, end=None, unit=None) -> list[dict]:
        lo, hi = self._bounds(start, end)
        extra, params = self._search_filter(unit)
        rows = self._query(f"select entry, unit, sum(helpful) as helpful, sum(1 - helpful) as unhelpful from votes "
                           f"where at >= ? and at < ? {extra} group by entry order by unhelpful desc, entry",
                           [lo, hi, *params])
        for r in rows:
            r["rate"] = _rate(r["helpful"], r["unhelpful"])
        return self._names(rows)

    def helpfulness_by_unit(self, start=None, end=None, unit=None) -> list[dict]:
        """Votes on the units' entries. A regulation article's votes are left out: its 没帮助 says the search
        picked the wrong article, not that the center (the articles' unit) answered badly; they stay in
        :meth:`helpfulness_by_entry`, marked as articles."""
        by_unit: dict[str, dict] = {}
        for r in self.helpfulness_by_entry(start, end, unit):
            if r["kind"] == KIND_LABELS["article"]:
                continue
            row = by_unit.setdefault(r["unit"] or "", {"unit": r["unit"] or "", "helpful": 0, "unhelpful": 0})
            row["helpful"] += r["helpful"]
            row["unhelpful"] += r["unhelpful"]
        rows = [by_unit[u] for u in sorted(by_unit)]
        for r in rows:
            r["rate"] = _rate(r["helpful"], r["unhelpful"])
        return self._names(rows)

    # -- request outcomes ------------------------------------------------------------------------

    def _outcomes(self, key: str, start, end, unit) -> list[dict]:
        lo, hi = self._bounds(start, end)
        extra, params = self._search_filter(unit)
        rows = self._query(
            f"select {key}, sum(outcome in ('direct_answer', 'dispatch')) as requests, "
            f"sum(outcome = 'direct_answer') as direct, "
            f"sum(outcome = 'dispatch') as dispatched, sum(outcome = 'transfer') as transferred "
            f"from request_outcomes where at >= ? and at < ? {extra} group by 1 order by 1", [lo, hi, *params])
        for r in rows:
            r["rate"] = _direct_rate(r["direct"], r["requests"])
        return rows

    def direct_answers_per_day(self, start=None, end=None, unit=None) -> list[dict]:
        """Requests and how they ended, per day, with the direct-answer rate."""
        return self._outcomes("substr(at, 1, 10) as day", start, end, unit)

    def direct_answers_by_topic(self, start=None, end=None, unit=None) -> list[dict]:
        """Requests and how they ended, per topic, with the direct-answer rate (highest volume first)."""
        rows = self._outcomes("coalesce(topic, '未分类') as topic", start, end, unit)
        return sorted(rows, key=lambda r: (-r["requests"], -r["transferred"], r["topic"]))

    # -- emergency hints -------------------------------------------------------------------------

    def emergency_hints(self, start=None, end=None) -> list[dict]:
        """Per emergency line: calls the agents transferred, how many of them the console had flagged (紧急 or
        疑似紧急) and how many it had not (missed), hints the agents dismissed, and the share flagged."""
        lo, hi = self._bounds(start, end)
        rows = self._query(
            "select line, sum(outcome = 'transfer') as transferred, "
            "sum(outcome = 'transfer' and coalesce(urgency, '') in ('emergency', 'suspected')) as hinted, "
            "sum(outcome = 'transfer' and coalesce(urgency, '') not in ('emergency', 'suspected')) as missed, "
            "sum(outcome != 'transfer' and coalesce(urgency, '') = 'dismissed') as dismissed from request_outcomes "
            "where at >= ? and at < ? and line is not null and line != '' group by line order by line", [lo, hi])
        for r in rows:
            r["recall"] = round(r["hinted"] / r["transferred"], 3) if r["transferred"] else None
        return rows

    def missed_emergencies(self, start=None, end=None, limit: int = 100) -> list[dict]:
        """Calls the agents transferred to an emergency line that the console had not flagged, newest first:
        the phrasings the intake rules should learn (masked, as every request text is stored)."""
        lo, hi = self._bounds(start, end)
        return self._query("select at, line, text from request_outcomes where at >= ? and at < ? and "
                           "outcome = 'transfer' and coalesce(urgency, '') not in ('emergency', 'suspected') "
                           "order by at desc limit ?", [lo, hi, limit])

    def dismissed_hints(self, start=None, end=None, limit: int = 100) -> list[dict]:
        """Emergency hints the agents judged to be none (the rules' false alarms), newest first."""
        lo, hi = self._bounds(start, end)
        return self._query("select at, line, text from request_outcomes where at >= ? and at < ? and "
                           "outcome != 'transfer' and urgency = 'dismissed' order by at desc limit ?", [lo, hi, limit])

    # -- tasks and reviews -----------------------------------------------------------------------

    def tasks_by_unit(self, start=None, end=None, unit=None) -> list[dict]:
        """Tasks opened in the range, by unit and state; ``overdue`` counts open tasks past due today."""
        lo, hi = self._bounds(start, end)
        extra, params = self._search_filter(unit)
        today = self.kb.today().isoformat()
        rows = self._query(
            f"select unit, sum(state = 'open') as open, "
            f"sum(state = 'open' and due != '' and due is not null and due < ?) as overdue, "
            f"sum(state = 'closed') as closed, sum(state = 'dismissed') as dismissed from tasks "
            f"where created >= ? and created < ? {extra} group by unit order by unit", [today, lo, hi, *params])
        return self._names(rows)

    def units_changed(self, base: str | None, head: str | None) -> tuple[str, ...]:
        """The units whose entries the commits from ``base`` to ``head`` change (owners of the files before
        and after; regulations/ is the center's); none when git cannot tell (no commits recorded)."""
        key = (base or "", head or "")
        if key not in self._changed_units:
            self._changed_units[key] = self._read_units(base, head) if head else ()
        return self._changed_units[key]

    def _read_units(self, base, head) -> tuple[str, ...]:
        store = self.kb.store
        try:
            paths = store.changed_paths(base, head)
            units = set()
            for path, status in paths.items():
                if path.startswith("regulations/"):
                    units.add(self.kb.settings.center_unit)
                    continue
                versions = [store.read(path, base) if status != "A" and base else None,
                            store.read(path, head) if status != "D" else None]
                units |= owners(path, [v for v in versions if v is not None])
        except KbError:       # commits gone (a restored copy without them): the author's unit stands in
            return ()
        return tuple(sorted(units))

    def review_turnaround(self, start=None, end=None, unit=None) -> list[dict]:
        """Hours from submission to publication of the change requests published in the range, per unit
        whose entries each changes (its author's unit when what it changed cannot be read)."""
        lo, hi = self._bounds(start, end)
        rows = self._query(
            "select cr.author_unit as unit, cr.base, cr.head, cr.created, cr.published, "
            "(select min(e.at) from cr_events e where e.cr = cr.id and e.action like 'submit%') as submitted "
            "from change_requests cr where cr.published is not null and cr.published >= ? and cr.published < ?",
            [lo, hi])
        by_unit: dict[str, list[float]] = {}
        for r in rows:
            began = r["submitted"] or r["created"]
            try:
                hours = (dt.datetime.fromisoformat(r["published"]) - dt.datetime.fromisoformat(began)).total_seconds() / 3600
            except (TypeError, ValueError):
                continue
            for u in self.units_changed(r["base"], r["head"]) or (r["unit"] or "",):
                if not unit or u == unit:
                    by_unit.setdefault(u, []).append(max(hours, 0.0))
        out = [{"unit": u, "published": len(h), "avg_hours": round(statistics.fmean(h), 3),
                "median_hours": round(statistics.median(h), 3), "max_hours": round(max(h), 3)}
               for u, h in sorted(by_unit.items())]
        return self._names(out)

    # -- all together --------------------------------------------------------------------------

    def summary(self, start=None, end=None, unit=None) -> Summary:
        per_day = self.searches_per_day(start, end, unit)
        views = sum(r["views"] for r in self.most_viewed(start, end, unit, limit=10 ** 9))
        votes = self.helpfulness_by_entry(start, end, unit)    # every vote, on articles too
        tasks = self.tasks_by_unit(start, end, unit)
        outcomes = self.direct_answers_per_day(start, end, unit)
        lo, hi = self._bounds(start, end)
        extra, params = self.searches_of(unit, lo, hi)
        weak = self._query(f"select count(*) as n from search_log where at >= ? and at < ? and hits > 0 "
                           f"and weak = 1 and {NOT_ALARMED} {extra}", [lo, hi, *params])[0]["n"]
        return Summary(sum(r["searches"] for r in per_day), sum(r["zero"] or 0 for r in per_day), views,
                       sum(r["helpful"] for r in votes), sum(r["unhelpful"] for r in votes),
                       sum(r["open"] for r in tasks), sum(r["overdue"] for r in tasks),
                       sum(r["requests"] for r in outcomes), sum(r["direct"] for r in outcomes), weak,
                       sum(r["transferred"] for r in outcomes))

    def every_day(self, rows: list[dict], start, end, nothing: dict) -> list[dict]:
        """``rows`` (one a day, ``day`` first) with a row of ``nothing`` for each day of the period they lack."""
        start, end = self.range(start, end)
        by_day = {r["day"]: r for r in rows}
        days = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
        return [by_day.get(day.isoformat()) or {"day": day.isoformat(), **nothing} for day in days]

    def report(self, start=None, end=None, unit=None) -> dict[str, list[dict]]:
        """Every section's rows, keyed as in SECTIONS. The zero-result queries are the center's only."""
        sections = {
            # Every day of the period, as the chart shows it: a day without a search is a row of zeros.
            "searches_per_day": self.every_day(self.searches_per_day(start, end, unit), start, end,
                                               {"searches": 0, "zero": 0}),
            "top_queries": self.top_queries(start, end, unit),
            "zero_result_queries": [] if unit else self.zero_result_queries(start, end),
            "most_viewed": self.most_viewed(start, end, unit),
            "helpfulness_by_entry": self.helpfulness_by_entry(start, end, unit),
            "helpfulness_by_unit": self.helpfulness_by_unit(start, end, unit),
            "tasks_by_unit": self.tasks_by_unit(start, end, unit),
            "direct_answers_per_day": self.direct_answers_per_day(start, end, unit),
            "direct_answers_by_topic": self.direct_answers_by_topic(start, end, unit),
            "review_turnaround": self.review_turnaround(start, end, unit),
            # What callers said is the center's to read, as are the intake rules it maintains.
            "emergency_hints": [] if unit else self.emergency_hints(start, end),
            "missed_emergencies": [] if unit else self.missed_emergencies(start, end),
            "dismissed_hints": [] if unit else self.dismissed_hints(start, end),
        }
        return sections

    def scope(self, start=None, end=None, unit=None) -> dict[str, str]:
        """What a report covers, as the first columns of its CSV: the period and the unit (by its name)."""
        start, end = self.range(start, end)
        name = self.kb.snapshot().unit_name(unit) if unit else ALL_UNITS
        return {"统计期": f"{start} 至 {end}", "承办单位": name}

    def report_csv(self, start=None, end=None, unit=None, section: str | None = None) -> str:
        """The whole report as CSV text, one block per section headed by the section title, or one ``section``'s
        table alone; every row starts with what the report covers (:meth:`scope`)."""
        scope = self.scope(start, end, unit)
        report = self.report(start, end, unit)
        if section:
            return to_csv(report[section], SECTIONS[section][1], scope)
        return "\n".join(f"# {SECTIONS[key][0]}\n" + to_csv(rows, SECTIONS[key][1], scope) for key, rows in report.items())
