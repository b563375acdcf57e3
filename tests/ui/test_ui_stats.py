"""AppTest: the statistics page."""

import dataclasses
import datetime as dt
import html
import json
import re

import pyarrow as pa

import pytest

from kb_app import open_kb
from kb_app.accounts.auth import User

from .. import ui_helpers
from ..review_helpers import published_requests

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
    tasks = at.metric[4]
    assert (tasks.label, tasks.value) == ("待处理任务（超期 0）", "0")   # one number: it fits its column
    # tables in page order: per day, top queries, zero-result queries, most viewed, ...
    found = ui_helpers.tables(at)
    assert [r["查询内容"] for r in found[1]] == ["失业金", "居住证", "社保卡补办"]
    assert [r["查询内容"] for r in found[2]] == ["失业金"]
    assert re.fullmatch(r"2026-11-10 \d\d:\d\d", found[2][0]["最近一次"])   # a time as people write it
    assert "无结果或结果无关的查询" in [h.value for h in at.subheader]
    assert not any("没有查询记录" in i.value for i in at.info)      # the daily chart has data
    daily = at.get("vega_lite_chart")[0].proto
    assert json.loads(daily.spec)["encoding"]["y"]["axis"]["format"] == "d"     # whole numbers on the axis
    data = pa.ipc.open_stream(daily.datasets[0].data.data).read_all().to_pylist()
    assert {(r["日期"], r["类别"]): r["次数"] for r in data if r["次数"]} == {("2026-11-10", "有结果"): 2,
                                                                         ("2026-11-10", "无结果"): 1}
    assert len({r["日期"] for r in data}) == 30                                 # every day of the period


def test_no_searches_says_so_instead_of_an_empty_chart(app_env):
    at = ui_helpers.open_page("app_pages/stats.py", ADMIN)
    at.date_input(key="stats_start").set_value(dt.date(2026, 11, 11)).run()
    assert "2026-11-11 至 2026-11-22 没有查询记录，所以没有每日查询量。" in [i.value for i in at.info]
    assert not any("有结果" in c.proto.spec for c in at.get("vega_lite_chart"))
    # No outcome recorded: said once, not once more by each of the empty tables under it.
    page = "".join(h.proto.body for h in at.get("html"))
    assert "没有记录处理结果的诉求" not in page and "没有按主题记录的处理结果" not in page


def test_unit_sees_its_own(app_env):
    at = open_page(HRSS)
    assert at.metric[0].value == "1"
    assert at.metric[0].help.startswith("从结果中打开过本单位条目的查询")  # what a unit's count of searches is
    found = ui_helpers.tables(at)
    assert [r["查询内容"] for r in found[1]] == ["社保卡补办"]
    assert "无结果或结果无关的查询" not in [h.value for h in at.subheader]
    assert [(r["没有帮助"], r["有用率"]) for r in ui_helpers.table_with(at, "有用率")] == [("1", "0.0%")]


def test_date_range_filters(app_env):
    at = open_page(ADMIN)
    at.date_input(key="stats_start").set_value(dt.date(2026, 11, 11)).run()
    assert not at.exception
    assert at.metric[0].value == "0"


def test_direct_answer_rate(app_env):
    day = open_kb(dataclasses.replace(app_env.settings, today="2026-11-10"))
    day.feedback.log_outcome("退休金什么时候涨", "direct_answer", entry="pension-adjustment-2026")
    day.feedback.log_outcome("路灯坏了", "dispatch", entry="street-light-out")
    day.feedback.log_outcome("有人晕倒了", "transfer", line="120")
    at = open_page(ADMIN)
    metric = next(m for m in at.metric if m.label == "直接答复率")
    # a call transferred to an emergency line is no request the hotline could have answered
    assert metric.value == "50.0%" and "转接紧急专线的来电（1 次）" in metric.help
    assert "直接答复率" in [h.value for h in at.subheader]
    assert metric.help.startswith("直接答复 1 ÷ 受理诉求 2（直接答复 1 + 派单 1）")
    per_day = ui_helpers.table_with(at, "受理诉求（直接答复+派单）")
    assert per_day[0] == {"日期": "2026-11-10", "受理诉求（直接答复+派单）": "2", "直接答复": "1", "派单": "1",
                          "直接答复率": "50.0%", "转接紧急专线（不计入受理）": "1"}
    by_topic = ui_helpers.table_with(at, "主题")
    assert {r["主题"] for r in by_topic} == {"社保", "紧急转接", app_env.entry("street-light-out").category[0]}


def test_hot_issues_for_the_center(app_env):
    import datetime as dt

    from scripts import bench_hot

    bench_hot.insert(app_env, bench_hot.generate(1500, dt.date(2026, 11, 22), seed=4))
    at = open_page(ADMIN)
    assert not at.exception
    assert "热点议题（每月一题候选）" in [h.value for h in at.subheader]
    rising = [w.value for w in at.warning if "本期" in w.value]
    assert rising and all("单车" in w for w in rising)
    topics = ui_helpers.table_with(at, "议题")
    assert list(topics[0])[:4] == ["序号", "议题", "本期", "上期"]
    assert topics[0]["趋势"] in ("上升", "新出现")
    assert "示例" not in topics[0]      # the table keeps to figures; examples are under it, topic by topic
    # The details of the first topic show first; choosing another shows its regions, entries and examples.
    details = topic_box(at)
    assert details.options[0].startswith(f"1. {topics[0]['议题']}（本期 {topics[0]['本期']} 件")
    assert "单车" in topic_examples(at)
    assert not [link for link in at.get("page_link") if "件）" in link.proto.label]   # only searches: no entry
    choose_topic(at, "油烟")
    assert "油烟" in topic_examples(at) and "单车" not in topic_examples(at)
    assert any("油烟" in link.proto.label and "件）" in link.proto.label for link in at.get("page_link"))
    at.selectbox(key="hot_region").set_value("东湖区").run()
    assert not at.exception
    assert [r["区域"] for r in ui_helpers.table_with(at, "最多的议题")] == ["东湖区"]



def test_hot_issues_name_the_answers_opened_from_public_searches(app_env):
    """The public site logs a search and the answer opened from its results apart: 涉及事项 and 按事项 name
    that answer all the same. An imported old work order is said apart, not counted as a dispatch."""
    import json

    events = []
    for n in range(5):
        events += [{"type": "search", "at": f"2026-11-20T09:0{n}:00", "query": "社保卡丢了怎么补办", "hits": 3},
                   {"type": "open", "at": f"2026-11-20T09:0{n}:30", "query": "社保卡丢了怎么补办",
                    "entry": "sscard-reissue"}]
    app_env.feedback.log_events(events)
    app_env.dispatch_history.import_lines([json.dumps({"text": "公司拖欠工资三个月不发", "entry": "wage-arrears",
                                                       "at": "2026-11-20T10:00:00"}, ensure_ascii=False)])
    at = open_page(ADMIN)
    assert not at.exception
    title = app_env.entry("sscard-reissue").title
    # and the agent's search the fixture logged, whose answer the staff app recorded on it
    assert [link.proto.label for link in at.get("page_link") if "件）" in link.proto.label] == [f"{title}（6 件）"]
    by_entry = ui_helpers.table_with(at, "主办/所属单位")
    assert [(r["主办/所属单位"], r["本期"]) for r in by_entry] == [("示例市人力资源和社会保障局", "6")]
    assert "检索 8、派单 0。另有导入的历史工单 1 件（kb dispatch --learn）" in hot_caption(at)


def hot_caption(at) -> str:
    return next(c.value for c in at.caption if "本期 2026-10-24 至 2026-11-22：" in c.value)


def test_hot_issues_follow_the_unit_filter(app_env):
    """With a unit chosen, hot issues count its requests only, as the figures above them do."""
    import datetime as dt

    from scripts import bench_hot

    bench_hot.insert(app_env, bench_hot.generate(1500, dt.date(2026, 11, 22), seed=4))
    at = open_page(ADMIN)
    everyone = hot_caption(at)
    assert [w for w in at.warning if "单车" in w.value]
    at.selectbox(key="stats_unit").set_value("city-hrss").run()
    assert not at.exception
    mine = hot_caption(at)
    assert mine.startswith("示例市人力资源和社会保障局的诉求，本期") and mine != everyone
    hrss = app_env.hot.report(dt.date(2026, 10, 24), dt.date(2026, 11, 22), unit="city-hrss")
    assert f"{hrss.totals['current']} 件（上期" in mine and hrss.totals["current"] > 0
    assert not [w for w in at.warning if "单车" in w.value]     # nobody dispatched shared bikes to the unit
    assert {r["主办/所属单位"] for r in ui_helpers.table_with(at, "主办/所属单位")} == {"示例市人力资源和社会保障局"}


def topic_examples(at) -> str:
    """The text of the chosen topic's masked examples."""
    return next(h.proto.body for h in at.get("html") if "<li>" in h.proto.body and "件" not in h.proto.body)


def test_emergency_hints_for_the_center(app_env):
    day = open_kb(dataclasses.replace(app_env.settings, today="2026-11-10"))
    day.feedback.log_outcome("有人在小区里打架了", "transfer", line="110", urgency="emergency")
    day.feedback.log_outcome("我爸突然说话不清楚了", "transfer", line="120")
    at = open_page(ADMIN)
    assert "紧急情况提示" in [h.value for h in at.subheader]
    # Only transfers were recorded: no request the hotline handled, so no direct-answer rate (not 0 %).
    assert next(m for m in at.metric if m.label == "直接答复率").value == "—"
    assert ui_helpers.table_with(at, "转接但未提示") == [
        {"专线": "110", "坐席转接": "1", "其中有提示": "1", "转接但未提示": "0", "提示后判断不是紧急": "0",
         "提示命中率": "100.0%"},
        {"专线": "120", "坐席转接": "1", "其中有提示": "0", "转接但未提示": "1", "提示后判断不是紧急": "0",
         "提示命中率": "0.0%"}]
    [missed] = ui_helpers.table_with(at, "转接专线")
    assert (missed["转接专线"], missed["诉求（已脱敏）"]) == ("120", "我爸突然说话不清楚了")
    assert "**转接但未提示的来电**" in [m.value for m in at.markdown]
    assert "**坐席判断不是紧急的提示**" not in [m.value for m in at.markdown]    # none yet: no empty table
    # The miss is offered to the example calls, as a change request reviewed like any other.
    app_env.users.add("admin", "孙管理", "secret-pass-1", "admin", "", "admin@example.invalid")
    assert any("有 1 条（漏报 1、误报 0）还不在来电示例中" in c.value for c in at.caption)
    at.button(key="propose_call_examples").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [cr] = [c for c in app_env.review.list() if c.data.get("intake_examples")]
    assert cr.title == "来电示例：补充 1 条（漏报 1、误报 0）" and cr.state == "in_review"
    assert at.success[0].value.startswith(f"已发起变更请求 #{cr.id}")
    assert any(f"查看变更请求 #{cr.id} 的审核进度" in str(link.proto) for link in at.get("page_link"))
    at = open_page(ADMIN)                                       # while it is in review, no second request is offered
    assert any(f"补充来电示例的变更请求 #{cr.id}" in c.value and "尚未发布（审核中）" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "propose_call_examples"]


def test_units_do_not_see_hot_issues(app_env):
    at = open_page(HRSS)
    assert "热点议题（每月一题候选）" not in [h.value for h in at.subheader]
    assert "紧急情况提示" not in [h.value for h in at.subheader]


def test_table_cells_wrap_by_length():
    """Short text stays on one line; long text wraps but keeps a width, so it is not one character a line."""
    from kb_app.ui.tables import Link, cell

    assert cell("共享单车、盲道、挡路")[0] == "nowrap"
    # A catalogue entry's title as a link: not one character a line beside the unit's name.
    assert cell(Link("暖气不热、供暖温度不达标", "answer"))[0] == "nowrap"
    assert cell(Link("小区内部道路破损、井盖缺失和绿化带损坏", "answer"))[0] == "long"
    assert cell("夜间施工噪声扰民（西山区学府路）")[0] == "long"
    assert cell("2026-11-22 09:30")[0] == "nowrap"
    assert cell("未标明区域 128；东湖区 31；西山区 26；南河区 17")[0] == "long"
    assert cell("共享单车停在盲道上，打了16次电话没人理 | 我想反映一下，共享单车停在盲道上，谢谢 | 你好，请问东湖区学府路地铁口共享单车太多挡路")[0] == "longer"
    assert cell(12)[0] == "num"


def test_times_read_alike_on_every_page():
    """The pages show times with one function: to the minute, without the T, and nothing for no time."""
    import datetime as dt

    from kb_app.ui.tables import when

    assert when("2026-11-22T09:30:15.123456") == when(dt.datetime(2026, 11, 22, 9, 30)) == "2026-11-22 09:30"
    assert when("2026-11-22T09:30:15+08:00") == "2026-11-22 09:30"
    assert when(None) == "" and when("") == "" and when("未定") == "未定"


def test_hot_topic_trend_marks_the_current_period(monkeypatch):
    """Six lines with a legend of three a row, and a dashed line where the current period starts."""
    import datetime as dt

    from kb_app.ui import charts

    drawn = []
    monkeypatch.setattr(charts.st, "altair_chart", lambda chart, **kw: drawn.append(chart.to_dict()))
    start, current, end = dt.date(2026, 9, 24), dt.date(2026, 10, 24), dt.date(2026, 11, 22)
    rows = [{"day": d, "label": f"议题{i}", "requests": 1} for i in range(6) for d in charts.days(start, end)]
    charts.topic_trend(rows, start, end, current)
    (spec,) = drawn
    lines, rule, note = spec["layer"]
    assert lines["encoding"]["color"]["legend"]["columns"] == 3
    assert lines["encoding"]["x"]["scale"]["domain"][0] == "2026-09-24"
    assert rule["mark"]["type"] == "rule" and spec["datasets"][rule["data"]["name"]][0]["日期"] == "2026-10-24"
    assert note["encoding"]["text"]["field"] == "说明"
    charts.topic_trend([], start, end, current)
    assert len(drawn) == 1  # nothing to draw


def test_a_small_new_topic_has_a_trend_that_agrees_with_its_change(app_env):
    """变化率 新 (none the period before) and a 趋势 that says so, though 4 requests are too few to call a rise."""
    day = open_kb(dataclasses.replace(app_env.settings, today="2026-11-20"))
    for text, n in [("护照丢了怎么补办", 2), ("护照过期了怎么换", 2), ("家里停水了", 4), ("小区又停水了", 4),
                    ("停水一整天", 4), ("路灯不亮", 4), ("路灯坏了黑乎乎", 4)]:
        for _ in range(n):
            day.feedback.log_search(text, "public", 1)
    at = open_page(ADMIN)
    passport = next(r for r in ui_helpers.table_with(at, "议题") if "护照" in r["议题"])
    assert (passport["本期"], passport["变化率"], passport["趋势"]) == ("4", "新", "新出现（不足 5 件）")
    assert not [w for w in at.warning if "护照" in w.value]          # no rise: not among the warnings


def test_review_turnaround_says_minutes_hours_and_days(app_env):
    """A review of one minute reads 1 分钟, not 0.0 小时; hours up to two days, days beyond."""
    published_requests(app_env, [(1, "city-hrss", "2026-11-02T09:00:00", "2026-11-02T09:01:00"),
                                 (2, "city-housing", "2026-11-02T09:00:00", "2026-11-02T12:30:00"),
                                 (3, "city-housing", "2026-11-02T09:00:00", "2026-11-07T09:00:00")])
    at = open_page(ADMIN)
    rows = {r["单位"]: r for r in ui_helpers.table_with(at, "已发布变更数")}
    hrss = rows["示例市人力资源和社会保障局"]
    assert (hrss["平均用时"], hrss["中位用时"], hrss["最长用时"]) == ("1 分钟", "1 分钟", "1 分钟")
    housing = next(r for name, r in rows.items() if name != "示例市人力资源和社会保障局")
    assert (housing["中位用时"], housing["最长用时"]) == ("2.6 天", "5.0 天")
    assert "平均用时（小时）" not in hrss


def task_chart(at) -> bool:
    """Whether the page draws the chart of tasks by unit."""
    return any("任务数" in json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("vega_lite_chart"))


def test_few_tasks_are_figures_not_a_chart(app_env):
    """One unit's task is one bar across the page: below three units the table's figures say it all."""
    day = open_kb(dataclasses.replace(app_env.settings, today="2026-11-10"))
    day.feedback.open_task("city-hrss", "review_due", "sscard-reissue", "复核", source="t1")
    at = open_page(ADMIN)
    assert not at.exception and not task_chart(at)
    assert [(r["单位"], r["待处理"]) for r in ui_helpers.table_with(at, "已超期")] == [("示例市人力资源和社会保障局", "1")]
    for unit in ("city-housing", "city-public-security"):
        day.feedback.open_task(unit, "review_due", "", "复核", source=f"t-{unit}")
    assert task_chart(open_page(ADMIN))


def hrefs(at) -> dict[str, str]:
    """The address of every link in the page's tables, by its text."""
    return {html.unescape(label): html.unescape(href) for h in at.get("html")
            for href, label in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', h.proto.body)}


def test_an_article_in_the_tables_opens_on_the_article_page(app_env):
    day = open_kb(dataclasses.replace(app_env.settings, today="2026-11-10"))
    pk = day.feedback.log_search("打热线骂接线员会怎么样", "agent", 3, username="a1")
    day.feedback.log_open("beijing-2021/20", pk, audience="agent", username="a1")
    day.feedback.vote("beijing-2021/20", False)
    at = open_page(ADMIN)
    found = hrefs(at)
    assert found["北京市接诉即办工作条例 第二十条"] == "provision?id=beijing-2021%2F20"
    assert found["社会保障卡丢了怎么补办"] == "entry?id=sscard-reissue"
    by_entry = ui_helpers.table_with(at, "有用率")
    assert by_entry is not None


def test_a_vote_on_an_article_is_no_units_helpfulness(app_env):
    """没帮助 on an article says the search picked the wrong article, not that the center answered badly."""
    day = open_kb(dataclasses.replace(app_env.settings, today="2026-11-10"))
    day.feedback.vote("beijing-2021/20", False)
    at = open_page(ADMIN)
    per_unit = next(t for t in ui_helpers.tables(at) if t and "有用率" in t[0] and "标题" not in t[0])
    assert [r["单位"] for r in per_unit] == ["示例市人力资源和社会保障局"]
    per_entry = next(t for t in ui_helpers.tables(at) if t and "有用率" in t[0] and "标题" in t[0])
    assert {r["标题"]: r["类型"] for r in per_entry} == {"北京市接诉即办工作条例 第二十条": "条例条文",
                                                       "社会保障卡丢了怎么补办": "答复口径"}
    assert any("条文的“没有帮助”" in c.value for c in at.caption)
    assert at.metric[3].value == "0 / 2"      # every vote is still counted above


def test_a_rate_of_one_day_is_drawn_as_a_point(monkeypatch):
    """One day of data at 0 %: a bar of height 0 showed nothing; a point on a line is seen."""
    from kb_app.ui import charts

    drawn = []
    monkeypatch.setattr(charts.st, "altair_chart", lambda chart, **kw: drawn.append(chart.to_dict()))
    start, end = dt.date(2026, 11, 7), dt.date(2026, 12, 6)
    assert charts.daily_rates([{"day": "2026-12-06", "rate": 0.0}], start, end, "rate", "直接答复率", "无")
    (spec,) = drawn
    assert spec["mark"]["type"] == "line" and spec["mark"]["point"]
    assert spec["datasets"][spec["data"]["name"]] == [{"日期": "2026-12-06", "直接答复率": 0.0}]
    assert spec["encoding"]["x"]["scale"]["domain"][0] == "2026-11-07"



def log_days(kb, log):
    """Searches of given days: (day, text, times)."""
    for day, text, n in log:
        on = open_kb(dataclasses.replace(kb.settings, today=day))
        for _ in range(n):
            on.feedback.log_search(text, "public", 1)


def topic_box(at):
    """The 议题详情 selector, whatever the report it belongs to."""
    return next(s for s in at.selectbox if s.label == "议题详情")


def choose_topic(at, word):
    """Choose the topic whose name holds ``word`` (the selector's values are the topics' ranks)."""
    box = topic_box(at)
    box.set_value(next(rank for rank, shown in enumerate(box.options, 1) if word in shown)).run()
    assert not at.exception


def shown_topic(at) -> str:
    box = topic_box(at)
    return box.options[box.index]


HOT_LOG = [("2026-11-02", "家里停水了", 4), ("2026-11-02", "小区又停水了", 4), ("2026-11-03", "路灯不亮", 4),
           ("2026-11-03", "路灯不亮好几天了", 2), ("2026-11-16", "暖气不热怎么办", 7), ("2026-11-16", "家里暖气片不热", 4),
           ("2026-11-18", "路灯不亮", 3), ("2026-11-18", "一排路灯都不亮", 1), ("2026-11-19", "楼下饭店油烟太大", 4),
           ("2026-11-19", "烧烤店油烟扰民", 2)]


@pytest.mark.parametrize("word, then", [("停水", "暖气"), ("路灯", "路灯")])
def test_the_topic_detail_follows_the_report_when_the_dates_change(app_env, word, then):
    """A topic chosen for its details stays chosen while the report still lists it, shown with the rank and count
    the report now gives it; once the report does not list it, the details go back to the first topic: never to
    the topic that took its place in the list, nor under a label of the period before."""
    log_days(app_env, HOT_LOG)
    at = open_page(ADMIN)
    assert [r["议题"][:2] for r in ui_helpers.table_with(at, "议题")] == ["暖气", "路灯", "停水", "油烟"]
    choose_topic(at, word)
    assert word in shown_topic(at) and word in topic_examples(at)
    at.date_input(key="stats_start").set_value(dt.date(2026, 11, 10)).run()
    assert not at.exception
    topics = ui_helpers.table_with(at, "议题")
    assert [r["议题"][:2] for r in topics] == ["暖气", "油烟", "路灯"]
    listed = next(r for r in topics if then in r["议题"])
    assert shown_topic(at).startswith(f"{listed['序号']}. {listed['议题']}（本期 {listed['本期']} 件")
    assert then in topic_examples(at) and not [t for t in ("停水", "油烟") if t != then and t in topic_examples(at)]


def test_the_hot_csv_download_says_what_it_covers(app_env, monkeypatch):
    """The download is named after the report's period (cut at today, as the report is) and region, opens in Excel
    (UTF-8 with a byte-order mark), and every row says the period, the period compared with, region and unit."""
    import csv
    import io

    import streamlit

    log_days(app_env, HOT_LOG)
    downloads = {}
    button = streamlit.download_button

    def keep(label, data, file_name=None, *args, **kwargs):
        downloads[kwargs.get("key")] = (file_name, data)
        return button(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", keep)
    at = open_page(ADMIN)
    at.date_input(key="stats_end").set_value(dt.date(2026, 12, 31)).run()
    at.selectbox(key="hot_region").set_value("未标明区域").run()
    assert not at.exception
    name, data = downloads["hot_csv"]
    assert name == "kb-hot-2026-10-24-2026-11-22-未标明区域.csv"
    assert data.startswith("\ufeff# 热点议题\n".encode())
    block = data.decode("utf-8-sig").split("\n\n")[0].split("\n", 1)[1]
    rows = list(csv.DictReader(io.StringIO(block)))
    assert rows and {(r["统计期"], r["对比期"], r["区域范围"], r["承办单位"]) for r in rows} == {
        ("2026-10-24 至 2026-11-22", "2026-09-24 至 2026-10-23", "未标明区域", "全部单位")}
