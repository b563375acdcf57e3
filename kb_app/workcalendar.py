"""The statutory working-day calendar and the due dates of the time-limit tiers.

Where a year's data comes from, in order:

1. ``regulations/calendar.yaml`` (``years: {2026: {holidays: [...], workdays: [...]}}``): a day is
   a working day when it is Monday–Friday and not listed in ``holidays``, or when it is listed in
   ``workdays`` (make-up working days on a weekend);
2. the ``chinesecalendar`` package, which knows the State Council's arrangements of past years;
3. neither: :class:`CalendarMissing` is raised. A year without data is never treated as
   all-workdays.

Due dates (``WorkCalendar.due``):

- ``unit: hours`` tiers (2 h, 24 h) run on the clock from the moment of dispatch, nights, weekends
  and holidays included: due = start + amount hours.
- ``unit: workdays`` tiers (3, 5 working days) count working days. The day the request is received
  is not counted, whatever kind of day it is; day 1 is the first working day after it. The request
  is due at the end (23:59:59) of the N-th working day. A request received on Friday with a 3-day
  tier is due at the end of the following Wednesday; one received during a holiday counts from the
  first working day after it, make-up working days included.

A year without data (its arrangement not yet published, or not yet added) still gives the agent a due
date when asked for one (``due(..., provisional=True)``): the :class:`Due` is then *provisional*, its
label says so in plain words, and the instruction for administrators stays with ``kb doctor`` and the
hotline center's task. How the days of such a year are counted: see :func:`_assumed_workday`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from .exceptions import KbError
from .content.model import as_date

END_OF_DAY = dt.time(23, 59, 59)
MAX_WORKDAYS = 366
#: How many days ahead a year without data is announced (``kb doctor`` warns, the hotline center gets a
#: task): the State Council publishes the next year's arrangement in October or November, so there is
#: time to add it before deadlines run into the year.
NOTICE_DAYS = 45
#: The first words of every message about a year without data.
MISSING = "工作日历缺少 {year} 年的数据（regulations/calendar.yaml 和 chinesecalendar 包都没有）"


class CalendarMissing(KbError):
    """工作日历缺少某一年的数据。"""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            MISSING.format(year=year) + f"，无法按工作日计算期限：请在 regulations/calendar.yaml 的 years 下"
            f"增加 {year} 年的法定节假日（holidays）和调休上班日（workdays），依据国务院办公厅当年的节假日安排通知。")


def provisional_note(years) -> str:
    """What an agent (and the caller) are told about a due date counted through years without data."""
    named = "、".join(f"{y}年" for y in sorted(years))
    return f"暂定：{named}节假日安排尚未公布，暂按周末也上班推算，公布后期限可能推后、不会提前"


def coming_years(today: dt.date) -> range:
    """The years from today's to that of :data:`NOTICE_DAYS` days ahead: the calendar must have them."""
    return range(today.year, (today + dt.timedelta(days=NOTICE_DAYS)).year + 1)


def missing_years(calendar: "WorkCalendar", today: dt.date) -> list[int]:
    """The coming years (:func:`coming_years`) the calendar has no data for."""
    return [year for year in coming_years(today) if calendar.source(year) == "missing"]


def missing_year_notice(year: int, today: dt.date) -> str:
    """What a year without data will break from when, and exactly how to add it."""
    days = (dt.date(year, 1, 1) - today).days
    when = f"还有 {days} 天进入 {year} 年，按工作日计算、期限跨入该年的" if days > 0 else "按工作日计算的"
    return (MISSING.format(year=year) + f"：{when}派单只能给出暂定期限（该年周末也算作工作日，比实际偏早），"
            f"维护任务将算不出期限。国务院办公厅公布 {year} 年部分节假日安排后，"
            f"请通过变更请求在 regulations/calendar.yaml 的 years 下增加“{year}:”，holidays 逐日列出每个放假日"
            f"（含放假期间的周六、周日），workdays 逐日列出调休上班的周六、周日，每天一行，"
            f"如“- {{date: {year}-MM-DD, name: 节日名称}}”，并在 source 中写明通知的文号；"
            f"或者把 chinesecalendar 包升级到含 {year} 年数据的版本。")


class UnknownTier(KbError):
    """时限档位未定义。"""


@dataclasses.dataclass(frozen=True)
class Due:
    """When a request dispatched at ``start`` under ``tier`` must be finished."""

    at: dt.datetime
    start: dt.datetime
    tier: str
    tier_name: str
    amount: int
    clock: bool  # True: clock hours; False: working days
    workdays: tuple[dt.date, ...] = ()  # the working days counted (workday tiers)
    #: The years without calendar data the count ran through (see :func:`_assumed_workday`): the due date
    #: is provisional, never later than the one the published arrangement will give.
    provisional: tuple[int, ...] = ()

    @property
    def unit(self) -> str:
        return "hours" if self.clock else "workdays"

    @property
    def note(self) -> str:
        """Why the due date may still change, in words for the agent; empty when it will not."""
        return provisional_note(self.provisional) if self.provisional else ""

    def label(self, brief: bool = False) -> str:
        """The due moment for people; ``brief``: a provisional one marked 暂定 only, where its note is said
        beside it."""
        way = ("暂定" if brief else self.note) if self.provisional else "自然小时连续计算" if self.clock else "按法定工作日计算"
        return f"{self.at:%Y-%m-%d %H:%M} 前（{self.tier_name}，{way}）"

    def to_dict(self) -> dict:
        return {"at": self.at.isoformat(), "start": self.start.isoformat(), "tier": self.tier,
                "tier_name": self.tier_name, "amount": self.amount, "unit": self.unit,
                "workdays": [d.isoformat() for d in self.workdays], "label": self.label(),
                "provisional": bool(self.provisional), "note": self.note}


def _package_is_workday(day: dt.date) -> bool | None:
    """The chinesecalendar package's answer, or None when it has no data for the year."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a pinned dependency
        return None
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


class WorkCalendar:
    """Working days from calendar.yaml first and the chinesecalendar package second."""

    def __init__(self, config: dict | None = None, tiers: dict[str, dict] | None = None, use_package: bool = True):
        self.years: dict[int, tuple[set, set]] = {}
        years = config.get("years") if isinstance(config, dict) else None
        for year, spec in (years or {}).items():
            if not isinstance(year, int) or not isinstance(spec, dict):
                continue
            holidays = {d for d in map(_item_date, spec.get("holidays") or []) if d}
            workdays = {d for d in map(_item_date, spec.get("workdays") or []) if d}
            self.years[year] = (holidays, workdays)
        self.tiers = tiers or {}
        self.use_package = use_package

    @classmethod
    def from_snapshot(cls, snap, use_package: bool = True) -> "WorkCalendar":
        return cls(snap.config("calendar", {}), snap.tiers, use_package)

    def source(self, year: int) -> str:
        """Where the data of a year comes from: ``calendar.yaml``, ``chinesecalendar`` or ``missing``."""
        if year in self.years:
            return "calendar.yaml"
        if self.use_package and _package_is_workday(dt.date(year, 1, 1)) is not None:
            return "chinesecalendar"
        return "missing"

    def is_workday(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        if day.year in self.years:
            holidays, workdays = self.years[day.year]
            return day in workdays or (day.weekday() < 5 and day not in holidays)
        answer = _package_is_workday(day) if self.use_package else None
        if answer is None:
            raise CalendarMissing(day.year)
        return answer

    def add_workdays(self, day: dt.date, n: int, assumed: set[int] | None = None) -> list[dt.date]:
        """The ``n`` working days after ``day`` (``day`` itself never counts), in order.

        A year without data raises :class:`CalendarMissing`, unless ``assumed`` is given: then its days are
        counted as :func:`_assumed_workday` says and the year is added to ``assumed``."""
        counted, current = [], day
        for _ in range(MAX_WORKDAYS * 2):
            if len(counted) >= n:
                break
            current += dt.timedelta(days=1)
            if self._counts(current, assumed):
                counted.append(current)
        return counted

    def _counts(self, day: dt.date, assumed: set[int] | None) -> bool:
        try:
            return self.is_workday(day)
        except CalendarMissing:
            if assumed is None:
                raise
            assumed.add(day.year)
            return _assumed_workday(day)

    def workday_due(self, day: dt.date, n: int) -> dt.date:
        """The last day of a period of ``n`` working days that starts after ``day``."""
        return self.add_workdays(day, n)[-1] if n > 0 else day

    def tier(self, tier) -> dict:
        if isinstance(tier, dict):
            return tier
        if str(tier) in self.tiers:
            return self.tiers[str(tier)]
        known = "、".join(self.tiers) or "（无）"
        raise UnknownTier(f"时限档位“{tier}”未在 regulations/time_limits.yaml 中定义：请改为已定义的档位（{known}）。")

    def due(self, start: dt.datetime, tier, provisional: bool = False) -> Due:
        """The due moment of a request received at ``start`` under ``tier`` (an id or a tier dict).

        A count that runs into a year without data raises :class:`CalendarMissing`; with ``provisional`` it
        gives a provisional due date instead (``Due.provisional``, see :func:`_assumed_workday`)."""
        spec = self.tier(tier)
        amount = int(spec.get("amount") or 0)
        tier_id = str(spec.get("id") or "")
        name = str(spec.get("name") or tier_id)
        if spec.get("unit") == "hours":
            return Due(start + dt.timedelta(hours=amount), start, tier_id, name, amount, True)
        assumed: set[int] | None = set() if provisional else None
        days = self.add_workdays(start.date(), amount, assumed)
        last = days[-1] if days else start.date()
        return Due(dt.datetime.combine(last, END_OF_DAY), start, tier_id, name, amount, False, tuple(days),
                   tuple(sorted(assumed or ())))


#: The holidays on fixed dates of 《全国年节及纪念日放假办法》 (元旦 1月1日, 劳动节 5月1日、2日, 国庆节
#: 10月1日至3日): days off in every year, whatever the year's arrangement moves around them.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


def _assumed_workday(day: dt.date) -> bool:
    """Whether a day of a year without data counts toward a provisional due date: every day does,
    weekends included, but the holidays on fixed dates (:data:`FIXED_HOLIDAYS`), which are days off
    whatever the arrangement.

    Why not Monday-Friday only, the likelier reading: a due date must never be later than the one the
    published arrangement will give, or a unit would be told it has days it does not have. Holidays can only
    push a due date later, so leaving them out errs on the early side. But make-up working days (调休上班,
    a Saturday or Sunday next to a holiday, such as 2026-01-04 and 2026-02-14) pull it earlier, and which
    weekend days they will be is not known before the arrangement is published: counted on weekdays only,
    the due date of a request received on Saturday 2026-01-03 (3 working days) would be 01-07 against 01-06
    under the published calendar, and in 2005 a count on weekdays only ended up to two days late. Counting
    every day is the only count that is never late whatever the arrangement; it differs from the weekday
    count only when a weekend falls inside the period, and the label says the date may still move later."""
    return (day.month, day.day) not in FIXED_HOLIDAYS


def _item_date(item) -> dt.date | None:
    return as_date(item.get("date") if isinstance(item, dict) else item)
