import datetime as dt

import pytest

from kb_app.workcalendar import CalendarMissing, UnknownTier, WorkCalendar


@pytest.fixture
def cal(kb):
    return WorkCalendar.from_snapshot(kb.snapshot())


def at(text):
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize("start,tier,due,counted", [
    # Friday → the next Monday is day 1 (weekend skipped)
    ("2026-11-20 16:00", "3wd", "2026-11-25 23:59:59", ["2026-11-23", "2026-11-24", "2026-11-25"]),
    # received on a Saturday: counting starts on Monday
    ("2026-11-21 09:00", "3wd", "2026-11-25 23:59:59", ["2026-11-23", "2026-11-24", "2026-11-25"]),
    # National Day holiday 10-01..10-07, make-up working day Saturday 10-10
    ("2026-09-30 10:00", "5wd", "2026-10-13 23:59:59",
     ["2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12", "2026-10-13"]),
    # Spring Festival: Saturday 02-14 is a make-up working day, 02-15..02-23 off
    ("2026-02-13 11:00", "3wd", "2026-02-25 23:59:59", ["2026-02-14", "2026-02-24", "2026-02-25"]),
    # year boundary: New Year 01-01..01-03 off, Sunday 01-04 a make-up working day
    ("2025-12-31 17:30", "3wd", "2026-01-06 23:59:59", ["2026-01-04", "2026-01-05", "2026-01-06"]),
    # received during a holiday: the first working day after it is day 1
    ("2026-10-03 12:00", "3wd", "2026-10-10 23:59:59", ["2026-10-08", "2026-10-09", "2026-10-10"]),
])
def test_workday_tiers(cal, start, tier, due, counted):
    d = cal.due(at(start), tier)
    assert d.at == at(due)
    assert [x.isoformat() for x in d.workdays] == counted
    assert not d.clock and d.unit == "workdays"


@pytest.mark.parametrize("start,tier,due", [
    ("2026-10-01 22:30", "2h", "2026-10-02 00:30"),  # clock hours run through the night and the holiday
    ("2026-11-21 10:00", "24h", "2026-11-22 10:00"),  # and through the weekend
    ("2026-12-31 23:00", "24h", "2027-01-01 23:00"),  # no calendar needed for clock hours
])
def test_clock_tiers(cal, start, tier, due):
    d = cal.due(at(start), tier)
    assert d.at == at(due)
    assert d.clock and d.workdays == ()


def test_due_label(cal):
    assert cal.due(at("2026-11-20 16:00"), "3wd").label() == "2026-11-25 23:59 前（3个工作日，按法定工作日计算）"
    assert cal.due(at("2026-11-20 16:00"), "2h").label() == "2026-11-20 18:00 前（2小时，自然小时连续计算）"


def test_year_without_data_is_reported(cal):
    with pytest.raises(CalendarMissing) as e:
        cal.due(at("2026-12-28 09:00"), "5wd")
    assert e.value.year == 2027
    assert str(e.value) == (
        "工作日历缺少 2027 年的数据（regulations/calendar.yaml 和 chinesecalendar 包都没有），无法按工作日计算期限："
        "请在 regulations/calendar.yaml 的 years 下增加 2027 年的法定节假日（holidays）和调休上班日（workdays），"
        "依据国务院办公厅当年的节假日安排通知。")
    assert cal.source(2027) == "missing"


def test_days_before_the_missing_year_still_work(cal):
    assert cal.due(at("2026-12-28 09:00"), "3wd").at == at("2026-12-31 23:59:59")


def test_year_from_the_package(cal):
    # 2024 is not in calendar.yaml: National Day 10-01..10-07 off, Saturday 10-12 a make-up working day
    assert cal.source(2024) == "chinesecalendar"
    assert cal.due(at("2024-09-30 09:00"), "3wd").at == at("2024-10-10 23:59:59")
    assert cal.is_workday(dt.date(2024, 10, 12))
    assert not cal.is_workday(dt.date(2024, 10, 7))


def test_package_fallback_can_be_turned_off(kb):
    cal = WorkCalendar.from_snapshot(kb.snapshot(), use_package=False)
    with pytest.raises(CalendarMissing):
        cal.is_workday(dt.date(2024, 10, 8))
    assert cal.is_workday(dt.date(2026, 10, 10))


def test_calendar_yaml_wins_over_the_package():
    cal = WorkCalendar({"years": {2025: {"holidays": [{"date": dt.date(2025, 3, 3), "name": "测试"}],
                                         "workdays": [dt.date(2025, 3, 8)]}}})
    assert not cal.is_workday(dt.date(2025, 3, 3))  # a Monday the package calls a working day
    assert cal.is_workday(dt.date(2025, 3, 8))  # a Saturday
    assert not cal.is_workday(dt.date(2025, 3, 9))
    assert cal.source(2025) == "calendar.yaml"


def test_an_empty_year_in_calendar_yaml_means_weekdays_only():
    cal = WorkCalendar({"years": {2030: {}}}, use_package=False)
    assert cal.workday_due(dt.date(2030, 1, 4), 1) == dt.date(2030, 1, 7)


def test_unknown_tier(cal):
    with pytest.raises(UnknownTier) as e:
        cal.due(at("2026-11-20 16:00"), "10wd")
    assert str(e.value) == "时限档位“10wd”未在 regulations/time_limits.yaml 中定义：请改为已定义的档位（2h、24h、3wd、5wd）。"


def test_a_year_without_data_gives_a_provisional_due_date_when_asked(cal):
    d = cal.due(at("2026-12-31 17:00"), "3wd", provisional=True)
    # 2027-01-01 is New Year's Day in every year; the weekend 01-02, 01-03 may be make-up working days
    assert [x.isoformat() for x in d.workdays] == ["2027-01-02", "2027-01-03", "2027-01-04"]
    assert d.provisional == (2027,)
    assert d.note == "暂定：2027年节假日安排尚未公布，暂按周末也上班推算，公布后期限可能推后、不会提前"
    assert d.to_dict()["provisional"] is True and d.to_dict()["note"] == d.note
    assert d.label() == f"2027-01-04 23:59 前（3个工作日，{d.note}）"
    assert d.label(brief=True) == "2027-01-04 23:59 前（3个工作日，暂定）"
    # a count that stays in years with data is not provisional
    sure = cal.due(at("2026-12-28 09:00"), "3wd", provisional=True)
    assert sure.provisional == () and sure.note == "" and sure.label().endswith("按法定工作日计算）")


@pytest.mark.parametrize("year", [2025, 2026])
def test_a_provisional_due_date_is_never_later_than_the_published_one(kb, year):
    """Each year of calendar.yaml, read as if its arrangement were not yet published: for every day of
    receipt and every working-day tier the provisional due date is the same or earlier."""
    config = kb.snapshot().config("calendar", {})
    known = WorkCalendar(config, use_package=False)
    unknown = WorkCalendar({"years": {y: v for y, v in config["years"].items() if y != year}}, use_package=False)
    # from the last days of the year before (when calendar.yaml has it) to the first of December
    day = dt.datetime(year - 1, 12, 20, 10, 0) if year - 1 in config["years"] else dt.datetime(year, 1, 1, 10, 0)
    earlier = 0
    while day < dt.datetime(year, 12, 1):
        for n in (1, 3, 5, 10):
            tier = {"id": f"{n}wd", "name": f"{n}个工作日", "amount": n, "unit": "workdays"}
            published = known.due(day, tier).at
            if published.year == year:
                provisional = unknown.due(day, tier, provisional=True)
                assert provisional.provisional == (year,)
                assert provisional.at <= published, (day, n)
                earlier += provisional.at < published
        day += dt.timedelta(days=1)
    assert earlier  # make-up working days are why weekends count
