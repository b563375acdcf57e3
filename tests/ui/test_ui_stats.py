"""AppTest: the statistics page."""

import dataclasses

import pytest

from kb_app import open_kb
from kb_app.accounts.auth import User

from .. import ui_helpers

HRSS = User("hrss-editor", "人社编辑", "unit_editor", "city-hrss")
ADMIN = User("admin", "孙管理", "admin", "")


@pytest.fixture
def app_env(app_env):
    """The app on the sample, with a few days of searches, an open entry and a vote."""
    kb = app_env
    day = open_kb(dataclasses.replace(kb.settings, today="2026-11-10"))
    pk = day.feedback.log_search("社保卡补办", "agent", 1, username="a1")
    day.feedback.log_open("sscard-reissue", pk)
    day.feedback.log_search("居住证", "public", 2)
    day.feedback.log_search("失业金", "public", 0)
    day.feedback.vote("sscard-reissue", False)
    return kb


def open_page(user):
    return ui_helpers.open_page("app_pages/stats.py", user)


def test_admin_sees_all_units(app_env):
    at = open_page(ADMIN)
    assert at.metric[0].value == "3"
    assert at.metric[1].value == "33.3%"
    # tables in page order: per day, top queries, zero-result queries, most viewed, ...
    assert list(at.dataframe[1].value["查询内容"]) == ["失业金", "居住证", "社保卡补办"]
    assert list(at.dataframe[2].value["查询内容"]) == ["失业金"]
    assert "无结果查询" in [h.value for h in at.subheader]


def test_unit_sees_its_own(app_env):
    at = open_page(HRSS)
    assert at.metric[0].value == "1"
    assert list(at.dataframe[1].value["查询内容"]) == ["社保卡补办"]
    assert "无结果查询" not in [h.value for h in at.subheader]
    assert list(at.dataframe[4].value["没有帮助"]) == [1]


def test_date_range_filters(app_env):
    import datetime as dt

    at = open_page(ADMIN)
    at.date_input(key="stats_start").set_value(dt.date(2026, 11, 11)).run()
    assert not at.exception
    assert at.metric[0].value == "0"


def test_direct_answer_rate(app_env):
    day = open_kb(dataclasses.replace(app_env.settings, today="2026-11-10"))
    day.feedback.log_outcome("退休金什么时候涨", "direct_answer", entry="pension-adjustment-2026")
    day.feedback.log_outcome("路灯坏了", "dispatch", entry="street-light-out")
    at = open_page(ADMIN)
    metric = next(m for m in at.metric if m.label == "直接答复率")
    assert metric.value == "50.0%"
    assert "直接答复率" in [h.value for h in at.subheader]
    per_day = next(d.value for d in at.dataframe if "受理诉求" in d.value.columns and "日期" in d.value.columns)
    assert per_day.iloc[0].to_dict() == {"日期": "2026-11-10", "受理诉求": 2, "直接答复": 1, "派单": 1, "转接": 0,
                                         "直接答复率": 0.5}
    by_topic = next(d.value for d in at.dataframe if "主题" in d.value.columns)
    assert set(by_topic["主题"]) == {"社保", app_env.entry("street-light-out").category[0]}


def test_hot_issues_for_the_center(app_env):
    import datetime as dt

    from scripts import bench_hot

    bench_hot.insert(app_env, bench_hot.generate(1500, dt.date(2026, 11, 22), seed=4))
    at = open_page(ADMIN)
    assert not at.exception
    assert "热点议题（每月一题候选）" in [h.value for h in at.subheader]
    rising = [w.value for w in at.warning if "本期" in w.value]
    assert rising and all("单车" in w for w in rising)
    topics = table(at, "议题")
    assert list(topics.columns[:4]) == ["序号", "议题", "本期", "上期"]
    assert topics["趋势"].iloc[0] in ("上升", "新出现")
    at.selectbox(key="hot_region").set_value("东湖区").run()
    assert not at.exception
    assert list(table(at, "区域")["区域"]) == ["东湖区"]


def table(at, column):
    """The first table with a column of that name."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_units_do_not_see_hot_issues(app_env):
    at = open_page(HRSS)
    assert "热点议题（每月一题候选）" not in [h.value for h in at.subheader]
