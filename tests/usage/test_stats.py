import dataclasses
import datetime as dt
import re

import pytest
from click.testing import CliRunner

from kb_app import open_kb
from kb_app.cli import cli
from kb_app.exceptions import KbError
from kb_app.usage.stats import SECTIONS, duration, readable, to_csv

from ..conftest import TODAY
from ..conftest import commit_all
from ..review_helpers import HRSS, edited, published_requests

PS = "residence-permit-apply"  # city-public-security
HR = "sscard-reissue"  # city-hrss


def on(kb, day):
    return open_kb(dataclasses.replace(kb.settings, today=day))


@pytest.fixture
def logged(kb):
    """Searches, opens and votes on three days, and two tasks."""
    d1, d2, d3 = on(kb, "2026-11-01"), on(kb, "2026-11-02"), on(kb, "2026-11-20")
    for _ in range(3):
        pk = d1.feedback.log_search("居住证", "public", 2)
        d1.feedback.log_open(PS, pk)
    d1.feedback.log_search("失业金怎么领", "public", 0)
    d2.feedback.log_search("失业金怎么领", "agent", 0, username="a1")
    pk = d2.feedback.log_search("社保卡补办", "agent", 1, username="a1")
    d2.feedback.log_open(HR, pk)
    d2.feedback.vote(PS, True)
    d2.feedback.vote(PS, False)
    d2.feedback.vote(HR, True)
    d3.feedback.report_error(HR, "地址变了", "agent")  # a task due 2026-11-27
    d1.feedback.report_error(PS, "材料变了", "agent")  # a task due 2026-11-06: overdue on 11-22
    return kb


def test_searches_per_day(logged):
    assert logged.stats.searches_per_day(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == [
        {"day": "2026-11-01", "searches": 4, "zero": 1}, {"day": "2026-11-02", "searches": 2, "zero": 1}]
    assert logged.stats.searches_per_day(dt.date(2026, 11, 2), dt.date(2026, 11, 2)) == [
        {"day": "2026-11-02", "searches": 2, "zero": 1}]
    assert logged.stats.searches_per_day(dt.date(2026, 11, 1), None, unit="city-hrss") == [
        {"day": "2026-11-02", "searches": 1, "zero": 0}]


def test_queries(logged):
    start = dt.date(2026, 11, 1)
    assert logged.stats.top_queries(start) == [
        {"query": "居住证", "searches": 3, "zero": 0, "opened": 3},
        {"query": "失业金怎么领", "searches": 2, "zero": 2, "opened": 0},
        {"query": "社保卡补办", "searches": 1, "zero": 0, "opened": 1}]
    [zero] = logged.stats.zero_result_queries(start)
    assert (zero["query"], zero["searches"]) == ("失业金怎么领", 2)
    assert zero["last"].startswith("2026-11-02T")
    s = logged.stats.summary(start)
    assert (s.searches, s.zero, round(s.zero_rate, 3), s.views) == (6, 2, 0.333, 4)
    assert (s.weak, round(s.unanswered_rate, 3)) == (0, 0.333)


def test_weak_results_are_counted_with_the_queries_nothing_answers(logged):
    """护照怎么办理 finds 办理 in answers about other matters: it is no more answered than a search
    that found nothing, and the center sees it beside those."""
    day = on(logged, "2026-11-03")
    day.feedback.log_search("护照怎么办理", "public", 7, weak=True)
    day.feedback.log_search("护照怎么办理", "public", 7, weak=True)
    day.feedback.log_search("居住证", "public", 2)
    start = dt.date(2026, 11, 1)
    rows = logged.stats.zero_result_queries(start)
    assert [(r["query"], r["searches"], r["zero"], r["weak"]) for r in rows] == [
        ("护照怎么办理", 2, 0, 2), ("失业金怎么领", 2, 2, 0)]  # as often: the latest first
    s = logged.stats.summary(start)
    assert (s.searches, s.zero, s.weak, round(s.unanswered_rate, 3)) == (9, 2, 2, 0.444)
    assert {"item": "结果无关次数", "value": 2} in s.rows()
    assert logged.stats.summary(start, unit="city-hrss").weak == 0


def test_a_search_told_an_emergency_line_is_no_missing_answer(logged):
    """有人晕倒了快来人 is answered by the line to call: it is counted as a search, not as one that found
    nothing or nothing related, and the center's list of gaps leaves it out."""
    from kb_app.usage.suggest import missing_answers

    day = on(logged, "2026-11-03")
    start = dt.date(2026, 11, 1)
    before = logged.stats.summary(start)
    day.feedback.log_search("有人晕倒了快来人", "public", 0, alarm=True)
    day.feedback.log_events([{"type": "search", "query": "电梯卡住了里面有人", "hits": 3, "weak": True, "alarm": True}])
    after = logged.stats.summary(start)
    assert (after.searches, after.zero, after.weak) == (before.searches + 2, before.zero, before.weak)
    assert not {"有人晕倒了快来人", "电梯卡住了里面有人"} & {r["query"] for r in logged.stats.zero_result_queries(start)}
    assert not {"有人晕倒了快来人", "电梯卡住了里面有人"} & {g["query"] for g in missing_answers(logged, start)}


def test_entries_and_units(logged):
    start = dt.date(2026, 11, 1)
    assert [(r["entry"], r["views"], r["unit_name"]) for r in logged.stats.most_viewed(start)] == [
        (PS, 3, "示例市公安局"), (HR, 1, "示例市人力资源和社会保障局")]
    assert [(r["entry"], r["helpful"], r["unhelpful"], r["rate"]) for r in logged.stats.helpfulness_by_entry(start)] == [
        (PS, 1, 1, 0.5), (HR, 1, 0, 1.0)]
    assert [(r["unit"], r["rate"]) for r in logged.stats.helpfulness_by_unit(start, unit="city-hrss")] == [
        ("city-hrss", 1.0)]


def test_articles_and_removed_entries_are_named(logged):
    day = on(logged, "2026-11-20")
    pk = day.feedback.log_search("骂接线员会怎样", "public", 5)
    day.feedback.log_open("beijing-2021/9", pk)
    day.feedback.vote("beijing-2021/9", True, search_id=pk)
    day.feedback.log_open("an-entry-since-deleted")
    titles = {r["entry"]: r["title"] for r in logged.stats.most_viewed(dt.date(2026, 11, 1))}
    assert titles["beijing-2021/9"] == "北京市接诉即办工作条例 第九条"
    assert titles["an-entry-since-deleted"] == "an-entry-since-deleted（已删除）"
    rated = {r["entry"]: r["title"] for r in logged.stats.helpfulness_by_entry(dt.date(2026, 11, 1))}
    assert rated["beijing-2021/9"] == "北京市接诉即办工作条例 第九条"


def test_tasks_by_unit(logged):
    rows = logged.stats.tasks_by_unit(dt.date(2026, 11, 1))
    assert [(r["unit"], r["open"], r["overdue"]) for r in rows] == [("city-hrss", 1, 0), ("city-public-security", 1, 1)]
    assert logged.stats.tasks_by_unit(dt.date(2026, 11, 10)) == [
        {"unit": "city-hrss", "open": 1, "overdue": 0, "closed": 0, "dismissed": 0,
         "unit_name": "示例市人力资源和社会保障局"}]


def test_review_turnaround(kb):
    published_requests(kb, [
        (1, "city-hrss", "2026-11-02T09:00:00", "2026-11-03T09:00:00"),
        (2, "city-hrss", "2026-11-04T09:00:00", "2026-11-04T21:00:00"),
        (3, "city-hrss", "2026-11-01T09:00:00", "2026-11-10T09:00:00"),
        (4, "city-housing", "2026-11-04T09:00:00", None),
    ], [{"cr": 3, "at": "2026-11-09T09:00:00", "actor": "x", "action": "submit"}])  # CR 3 was a draft for a
    # week: its clock starts at submission
    assert kb.stats.review_turnaround(dt.date(2026, 11, 1)) == [
        {"unit": "city-hrss", "published": 3, "avg_hours": 20.0, "median_hours": 24.0, "max_hours": 24.0,
         "unit_name": "示例市人力资源和社会保障局"}]
    assert kb.stats.review_turnaround(dt.date(2026, 11, 5)) [0]["published"] == 1


def test_review_turnaround_counts_for_the_units_whose_entries_change(kb):
    """The center adopting a suggestion for a 人社局 answer: 人社局's review, not the center's; a request
    changing a 人社局 answer and an article counts for both, the article for the center."""
    root = kb.settings.root
    base = kb.store.rev("HEAD")
    (root / HRSS).write_text(edited(kb, HRSS, "\n补充一句。\n"), encoding="utf-8")
    one = commit_all(root, "adopt a suggestion")
    article = root / "regulations" / "texts" / "beijing-2021.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    two = commit_all(root, "and an article")
    published_requests(kb, [(1, "hotline-center", "2026-11-02T09:00:00", "2026-11-02T10:00:00"),
                            (2, "hotline-center", "2026-11-02T09:00:00", "2026-11-02T12:00:00")])
    db = kb.db()
    db["change_requests"].update(1, {"base": base, "head": one})
    db["change_requests"].update(2, {"base": base, "head": two})    # the answer and the article
    db.conn.commit()
    db.conn.close()
    rows = {r["unit"]: (r["published"], r["max_hours"]) for r in kb.stats.review_turnaround(dt.date(2026, 11, 1))}
    assert rows == {"city-hrss": (2, 3.0), "hotline-center": (1, 3.0)}
    assert [r["published"] for r in kb.stats.review_turnaround(dt.date(2026, 11, 1), unit="city-hrss")] == [2]


def test_bad_range(kb):
    with pytest.raises(KbError) as e:
        kb.stats.top_queries(dt.date(2026, 11, 30), dt.date(2026, 11, 1))
    assert str(e.value) == "起始日期 2026-11-30 晚于结束日期 2026-11-01：请调整日期范围。"


def test_csv(logged):
    text = to_csv(logged.stats.top_queries(dt.date(2026, 11, 1)), SECTIONS["top_queries"][1])
    assert text.splitlines() == ["查询内容,次数,无结果次数,打开条目次数", "居住证,3,0,3", "失业金怎么领,2,2,0",
                                 "社保卡补办,1,0,1"]
    full = logged.stats.report_csv(dt.date(2026, 11, 1))
    # Every row says what the report covers, so that a file saved and opened later still says it.
    assert full.startswith("# 每日查询量\n统计期,承办单位,日期,查询次数,无结果次数\n"
                           "2026-11-01 至 2026-11-22,全部单位,2026-11-01,4,1\n")
    assert "# 校核周期\n统计期,承办单位,单位编号,单位,已发布变更数" in full
    # A table without rows has one row saying what it covers.
    unit = logged.stats.report_csv(dt.date(2026, 11, 1), unit="city-hrss", section="zero_result_queries")
    assert unit.splitlines()[1] == "2026-11-01 至 2026-11-22,示例市人力资源和社会保障局," + "," * (unit.splitlines()[0].count(",") - 2)


def test_the_daily_table_has_every_day_of_the_period_as_the_chart_does(logged):
    daily = logged.stats.report_csv(dt.date(2026, 11, 1), dt.date(2026, 11, 5), section="searches_per_day")
    assert daily.splitlines() == [
        "统计期,承办单位,日期,查询次数,无结果次数",
        "2026-11-01 至 2026-11-05,全部单位,2026-11-01,4,1", "2026-11-01 至 2026-11-05,全部单位,2026-11-02,2,1",
        "2026-11-01 至 2026-11-05,全部单位,2026-11-03,0,0", "2026-11-01 至 2026-11-05,全部单位,2026-11-04,0,0",
        "2026-11-01 至 2026-11-05,全部单位,2026-11-05,0,0"]
    assert len(logged.stats.report(dt.date(2026, 11, 1))["searches_per_day"]) == 22     # to today, 11-22


def test_emergency_hints_count_what_the_console_flagged_missed_and_had_dismissed(kb):
    """Transfers with a hint (紧急, 疑似紧急), transfers without one (missed: the rules should learn the
    phrasing), hints the agent judged none (kept with their line); the texts masked, the center's only."""
    day = on(kb, "2026-11-20")
    log = day.feedback.log_outcome
    log("有人在小区里打架了", "transfer", line="110", urgency="emergency")
    log("楼下有人打架", "transfer", line="110", urgency="suspected")
    log("我爸突然说话不清楚了，电话13812345678", "transfer", line="120")           # nothing flagged
    log("楼下有人打架，昨天的事了", "dispatch", entry="street-light-out", line="110", urgency="dismissed")
    log("路灯坏了", "dispatch", entry="street-light-out")
    stats = day.stats
    assert stats.emergency_hints() == [
        {"line": "110", "transferred": 2, "hinted": 2, "missed": 0, "dismissed": 1, "recall": 1.0},
        {"line": "120", "transferred": 1, "hinted": 0, "missed": 1, "dismissed": 0, "recall": 0.0}]
    [missed] = stats.missed_emergencies()
    assert (missed["line"], missed["text"]) == ("120", "我爸突然说话不清楚了，电话[手机号]")
    assert [(r["line"], r["text"]) for r in stats.dismissed_hints()] == [("110", "楼下有人打架，昨天的事了")]
    report = stats.report()
    assert len(report["missed_emergencies"]) == 1 and report["emergency_hints"]
    unit = stats.report(unit="city-hrss")
    assert unit["emergency_hints"] == unit["missed_emergencies"] == unit["dismissed_hints"] == []
    assert "# 转接但未提示的来电\n统计期,承办单位,时间,转接专线,诉求（已脱敏）\n" in stats.report_csv()


def test_unit_report_leaves_out_other_units(logged):
    report = logged.stats.report(dt.date(2026, 11, 1), unit="city-hrss")
    assert [r["query"] for r in report["top_queries"]] == ["社保卡补办"]
    assert report["zero_result_queries"] == []
    assert {r["unit"] for r in report["tasks_by_unit"]} == {"city-hrss"}


def test_cli_report(logged, sample_root, tmp_path):
    runner = CliRunner(env={"KB_TODAY": TODAY})
    args = ["report", "--root", str(sample_root), "--data-dir", str(tmp_path / "data")]
    res = runner.invoke(cli, [*args, "--from", "2026-11-01", "--to", "2026-11-30"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "统计范围：2026-11-01 至 2026-11-30，全部单位"
    assert "  查询次数：6" in lines and "  无结果率：33.3%" in lines
    assert "  居住证\t3\t0\t3" in lines
    res = runner.invoke(cli, [*args, "--from", "2026-11-01", "--unit", "city-hrss", "--csv"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("# 每日查询量\n统计期,承办单位,日期,查询次数,无结果次数\n"
                                 "2026-11-01 至 2026-11-22,示例市人力资源和社会保障局,2026-11-01,0,0\n"
                                 "2026-11-01 至 2026-11-22,示例市人力资源和社会保障局,2026-11-02,1,0\n")
    res = runner.invoke(cli, [*args, "--unit", "nobody"])
    assert res.exit_code == 1
    assert res.output == "错误：没有编号为“nobody”的承办单位：请用 regulations/units.yaml 中的单位编号。\n"
    res = runner.invoke(cli, [*args, "--from", "2026-12-01", "--to", "2026-11-01"])
    assert res.output == "错误：起始日期 2026-12-01 晚于结束日期 2026-11-01：请调整日期范围。\n"


def test_cli_report_one_table_and_a_file_for_excel(logged, sample_root, tmp_path):
    """--table picks one section by its title or key (a plain CSV a spreadsheet opens whole); -o writes the
    CSV as UTF-8 with a byte-order mark, so that Excel reads the Chinese; a table that is not there is named."""
    runner = CliRunner(env={"KB_TODAY": TODAY})
    args = ["report", "--root", str(sample_root), "--data-dir", str(tmp_path / "data"), "--from", "2026-11-01"]
    res = runner.invoke(cli, [*args, "--table", "热门查询", "--csv"])
    assert res.exit_code == 0, res.output
    period = "2026-11-01 至 2026-11-22,全部单位,"
    assert res.output.splitlines() == ["统计期,承办单位,查询内容,次数,无结果次数,打开条目次数", period + "居住证,3,0,3",
                                       period + "失业金怎么领,2,2,0", period + "社保卡补办,1,0,1"]
    res = runner.invoke(cli, [*args, "--table", "top_queries"])
    assert "热门查询" in res.output and "居住证" in res.output and "校核周期" not in res.output
    target = tmp_path / "热门查询.csv"
    res = runner.invoke(cli, [*args, "--table", "热门查询", "-o", str(target)])
    assert res.exit_code == 0 and f"已写入 {target}" in res.output
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig").startswith("统计期,承办单位,查询内容,次数")
    res = runner.invoke(cli, [*args, "--table", "热门"])
    assert res.exit_code == 1 and "没有名为“热门”的表" in res.output and "热门查询" in res.output
    res = runner.invoke(cli, [*args, "-o", str(tmp_path / "missing" / "a.csv")])
    assert res.exit_code == 1 and res.output.startswith("错误：") and "Traceback" not in res.output


def test_cli_tasks(logged, sample_root, tmp_path):
    runner = CliRunner(env={"KB_TODAY": TODAY})
    common = ["--root", str(sample_root), "--data-dir", str(tmp_path / "data")]
    res = runner.invoke(cli, ["task", "list", *common, "--unit", "city-public-security"])
    assert res.exit_code == 0, res.output
    [line] = res.output.splitlines()
    task_id = line.split("\t")[0][1:]
    assert line.split("\t")[1:5] == ["已超期", "city-public-security", "纠错", "2026-11-06"]
    # Dismissed as a user, like every other write command: only the unit or the center, and recorded.
    from ..review_helpers import PASSWORD
    logged.users.add("ps-reviewer", "公安审核", PASSWORD, "unit_reviewer", "city-public-security")
    logged.users.add("hrss-reviewer", "人社审核", PASSWORD, "unit_reviewer", "city-hrss")
    runner = CliRunner(env={"KB_TODAY": TODAY, "KB_PASSWORD": PASSWORD})
    res = runner.invoke(cli, ["task", "dismiss", *common, task_id, "--reason", "条目无误"])
    assert res.exit_code == 2 and "--as" in res.output
    res = runner.invoke(cli, ["task", "dismiss", *common, task_id, "--as", "hrss-reviewer", "--reason", "条目无误"])
    assert res.exit_code == 1 and "只有该单位或热线中心可以处理" in res.output
    res = runner.invoke(cli, ["task", "dismiss", *common, task_id, "--as", "ps-reviewer", "--reason", "条目无误"])
    assert res.output == f"维护任务 #{task_id} 已驳回。\n"
    assert logged.feedback.task(int(task_id)).closed_by == "ps-reviewer"
    logged.users.add("center", "张校核", PASSWORD, "center_reviewer", None)
    res = runner.invoke(cli, ["task", "assign", *common, "失业金怎么领", "--unit", "city-hrss", "--as", "center"])
    assert res.exit_code == 0 and res.output.startswith("已分派给示例市人力资源和社会保障局：维护任务 #")


def test_a_units_searches_include_the_citizens_whose_results_opened_its_answers(kb):
    """The public site logs a search and the answer opened from it as two rows with the same query: the
    unit's figures count the searches of that query, and its answers' openings, not other units'."""
    day = on(kb, "2026-11-05")
    at = "2026-11-05T10:00:00"
    day.feedback.log_events(
        [{"type": "search", "at": at, "query": "社保卡掉了去哪补办", "hits": 3}] * 3
        + [{"type": "open", "at": at, "entry": HR, "query": "社保卡掉了去哪补办"}] * 2
        + [{"type": "search", "at": at, "query": "居住证", "hits": 2},
           {"type": "open", "at": at, "entry": PS, "query": "居住证"},
           {"type": "search", "at": at, "query": "护照", "hits": 0}])
    start = dt.date(2026, 11, 1)
    assert day.stats.top_queries(start, unit="city-hrss") == [
        {"query": "社保卡掉了去哪补办", "searches": 3, "zero": 0, "opened": 2}]
    assert day.stats.searches_per_day(start, unit="city-hrss") == [{"day": "2026-11-05", "searches": 3, "zero": 0}]
    summary = day.stats.summary(start, unit="city-hrss")
    assert (summary.searches, summary.views) == (3, 2)
    assert day.stats.summary(start).searches == 5  # the center's: every search, openings not counted
    # Searches in a range in which no answer of the unit was opened from them do not count for it.
    later = on(kb, "2026-11-09")
    later.feedback.log_events([{"type": "search", "at": "2026-11-09T10:00:00", "query": "社保卡掉了去哪补办", "hits": 3}])
    assert later.stats.top_queries(dt.date(2026, 11, 6), unit="city-hrss") == []
    assert later.stats.top_queries(start, unit="city-hrss")[0]["searches"] == 4


@pytest.mark.parametrize("hours, said", [(1 / 60, "1 分钟"), (0.2 / 60, "不到 1 分钟"), (0.5, "30 分钟"),
                                         (59.4 / 60, "59 分钟"), (1.0, "1.0 小时"), (20.0, "20.0 小时"),
                                         (47.9, "47.9 小时"), (48.0, "2.0 天"), (24 * 9.5, "9.5 天"), (None, "")])
def test_durations_are_said_as_people_say_them(hours, said):
    assert duration(hours) == said


def test_a_review_of_one_minute_is_one_minute_not_no_time(kb):
    published_requests(kb, [(1, "city-hrss", "2026-11-02T09:00:00", "2026-11-02T09:01:00")])
    rows = kb.stats.review_turnaround(dt.date(2026, 11, 1))
    assert rows[0]["avg_hours"] == 0.017            # the CSV keeps the hours, to the thousandth
    shown, columns = readable("review_turnaround", rows)
    assert [columns[k] for k in ("avg_hours", "median_hours", "max_hours")] == ["平均用时", "中位用时", "最长用时"]
    assert [shown[0][k] for k in ("avg_hours", "median_hours", "max_hours")] == ["1 分钟"] * 3
    assert readable("top_queries", rows) == (rows, SECTIONS["top_queries"][1])
    res = CliRunner().invoke(cli, ["report", "--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path),
                                   "--from", "2026-11-01"], env={"KB_TODAY": TODAY})
    assert res.exit_code == 0, res.output
    assert re.search(r"平均用时\s+中位用时\s+最长用时\n.*1 分钟\s+1 分钟\s+1 分钟", res.output)
