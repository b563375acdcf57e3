"""Hot issues: topics, entries and regions of a period against the one before, on generated requests."""

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from kb_app.cli import cli
from kb_app.exceptions import KbError
from kb_app.search.textsim import content_words
from kb_app.usage.hot import (cluster_texts, flag, label_words, matter_terms, opened_from, periods, rising, spoken,
                              text_key, trend)
from kb_app.dispatch.regions import detect_region
from scripts import bench_hot

from ..conftest import TODAY

END = dt.date.fromisoformat(TODAY)
START = END - dt.timedelta(days=29)


@pytest.fixture(scope="module")
def generated():
    return bench_hot.generate(3000, END, seed=4)


@pytest.fixture
def hkb(kb, generated):
    """The sample knowledge base with 3,000 generated requests over the last 60 days."""
    bench_hot.insert(kb, generated)
    return kb


def is_bikes(topic):
    return "单车" in topic["label"] or all("共享单车" in e for e in topic["examples"])


def test_the_rising_topic_is_found_and_nothing_else_rises(hkb, generated):
    r = hkb.hot.report(START, END)
    assert (r.start, r.end, r.previous_start, r.previous_end) == (START, END, END - dt.timedelta(days=59),
                                                                  START - dt.timedelta(days=1))
    current = [g for g in generated if g["at"] >= START.isoformat()]
    assert r.totals["current"] == len(current)
    assert r.totals["previous"] == len(generated) - len(current)
    assert r.totals["searches"] + r.totals["dispatches"] == len(current)
    (bikes,) = [t for t in r.rising if is_bikes(t)]
    assert not [t for t in r.rising if not is_bikes(t)]
    generated_bikes = sum(g["topic"] == "共享单车" for g in current)
    assert bikes["current"] >= 0.8 * generated_bikes
    assert bikes["previous"] <= 5 and bikes["flag"] in ("上升", "新出现")
    assert all("共享单车" in e for e in bikes["examples"])
    assert bikes["rank"] == 1  # the rising topic is also the biggest of the period


def test_topics_group_paraphrases_of_one_matter(hkb, generated):
    r = hkb.hot.report(START, END)
    assert r.totals["clustered"] >= 0.95 * r.totals["current"]
    heating = [t for t in r.topics if "暖气" in t["label"]]
    assert heating and not any(t["rising"] for t in heating)
    for t in r.topics[:10]:
        assert t["label"] and len(t["examples"]) == 3
        assert t["searches"] + t["dispatches"] == t["current"]
        assert sum(t["regions"].values()) == t["current"]


def test_by_entry_and_by_region(hkb, generated):
    r = hkb.hot.report(START, END)
    current = [g for g in generated if g["at"] >= START.isoformat() and g["entry"]]
    by_entry = {row["entry"]: row for row in r.by_entry}
    expected = sum(g["entry"] == "wage-arrears" for g in current)
    assert by_entry["wage-arrears"]["current"] == expected
    assert by_entry["wage-arrears"]["title"] == hkb.entry("wage-arrears").title
    regions = {row["region"]: row for row in r.by_region}
    assert {"东湖区", "西山区", "南河区", "未标明区域"} <= set(regions)
    assert sum(row["current"] for row in r.by_region) == r.totals["current"]


def test_region_filter(hkb):
    r = hkb.hot.report(START, END, region="西山区")
    assert r.region == "西山区" and r.totals["current"] > 0
    assert [row["region"] for row in r.by_region] == ["西山区"]
    assert all(set(t["regions"]) == {"西山区"} for t in r.topics)


def test_an_unknown_region_is_refused_naming_the_valid_ones(kb, sample_root):
    """西山 for 西山区 would report nothing and say nothing: it is refused, with the regions there are."""
    with pytest.raises(KbError) as refused:
        kb.hot.report(START, END, region="西山")
    assert str(refused.value) == ("没有“西山”这个区域：可用 东湖区、南河区、西山区、未标明区域（全市或未写明区域的诉求）。")
    assert kb.hot.report(START, END, region="未标明区域").region == "未标明区域"
    res = CliRunner().invoke(cli, ["report", "hot", "--root", str(sample_root), "--data-dir",
                                   str(kb.settings.data_path), "--region", "西山"], env={"KB_TODAY": TODAY})
    assert res.exit_code == 1 and "没有“西山”这个区域：可用 东湖区、南河区、西山区、未标明区域" in res.output


def test_trend_and_csv(hkb):
    r = hkb.hot.report(START, END)
    bikes = next(t for t in r.rising if is_bikes(t))
    days = [row for row in r.trend if row["label"] == bikes["label"]]
    assert len(days) == 60 and sum(row["requests"] for row in days) == bikes["current"] + bikes["previous"]
    text = r.csv()
    assert text.startswith("# 热点议题\n统计期,对比期,区域范围,承办单位,序号,议题,本期,上期,变化,变化率,趋势,")
    for title in ("# 按事项", "# 按区域", "# 每日趋势"):
        assert title in text
    block = text.split("\n\n")[0].split("\n", 1)[1]
    rows = list(csv.DictReader(io.StringIO(block)))
    assert rows[0]["议题"] == bikes["label"] and rows[0]["趋势"] in ("上升", "新出现")


def sections(text: str) -> dict[str, list[dict]]:
    """The rows of each table of a report's CSV, by its title."""
    return {block.split("\n", 1)[0][2:]: list(csv.DictReader(io.StringIO(block.split("\n", 1)[1])))
            for block in text.split("\n\n")}


def test_every_row_of_the_csv_says_what_it_covers(hkb, sample_root, tmp_path):
    """A CSV saved and opened later tells itself apart from another: every row of every table, even of one without
    figures, says the period, the period compared with, the region and the unit; the file is named by them."""
    r = hkb.hot.report(START, END, "东湖区", "city-hrss")
    scope = {"统计期": f"{START} 至 {END}", "对比期": f"{END - dt.timedelta(days=59)} 至 {START - dt.timedelta(days=1)}",
             "区域范围": "东湖区", "承办单位": "示例市人力资源和社会保障局"}
    tables = sections(r.csv())
    assert list(tables) == ["热点议题", "按事项", "按区域", "每日趋势"]
    for title, rows in tables.items():
        assert rows and all({k: row[k] for k in scope} == scope for row in rows), title
    assert list(tables["热点议题"][0])[:6] == [*scope, "序号", "议题"]
    assert r.filename() == f"kb-hot-{START}-{END}-东湖区-city-hrss.csv"
    everyone = hkb.hot.report(START, END)
    assert {(row["区域范围"], row["承办单位"]) for row in sections(everyone.csv())["按区域"]} == {("全部区域", "全部单位")}
    assert everyone.filename() == f"kb-hot-{START}-{END}.csv"
    # A period without requests: each table has one row, saying what it covers and nothing more.
    empty = hkb.hot.report(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    for title, rows in sections(empty.csv()).items():
        assert [row["统计期"] for row in rows] == [f"{empty.start} 至 {empty.end}"], title
        assert not any(v for k, v in rows[0].items() if k not in scope), title
    # kb report hot --csv, and one table of it, the same.
    args = ["report", "hot", "--root", str(sample_root), "--data-dir", str(hkb.settings.data_path), "--region", "东湖区",
            "--unit", "city-hrss", "--from", str(START), "--to", str(END)]
    res = CliRunner().invoke(cli, [*args, "--csv"], env={"KB_TODAY": TODAY})
    assert res.exit_code == 0 and sections(res.stdout) == tables
    res = CliRunner().invoke(cli, [*args, "--table", "按事项", "--csv"], env={"KB_TODAY": TODAY})
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows == tables["按事项"]


def test_empty_period_and_bad_range(kb):
    r = kb.hot.report(START, END)
    assert r.topics == [] and r.by_entry == [] and r.totals["current"] == 0
    assert r.csv().startswith("# 热点议题\n统计期,")
    with pytest.raises(Exception, match="起始日期 2026-11-22 晚于结束日期 2026-11-01"):
        kb.hot.report(END, dt.date(2026, 11, 1))


def test_texts_are_the_masked_ones(kb):
    kb.feedback.log_search("共享单车乱停，我的电话13812345678", audience="public", hits=0)
    r = kb.hot.report(START, END)
    assert r.totals["current"] == 1
    assert kb.hot.requests(START, END)[0].text == "共享单车乱停，我的电话[手机号]"


@pytest.mark.parametrize("current, previous, expected", [
    (20, 0, "新出现"), (20, 5, "上升"), (20, 15, ""), (4, 0, ""), (12, 7, ""), (30, 12, "上升")])
def test_rising_is_a_real_rise(current, previous, expected):
    assert flag(current, previous) == expected
    assert rising(current, previous) == bool(expected)


def test_periods():
    assert periods(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == (dt.date(2026, 10, 2), dt.date(2026, 10, 31))


def test_cluster_texts_on_its_own():
    texts = ["暖气不热室温很低", "暖气片不热", "家里暖气一点都不热", "小区停水了", "家里停水了", "停水一整天",
             "路灯不亮"]
    labels, words = cluster_texts(texts, [3, 3, 3, 3, 3, 3, 1])
    assert labels[0] == labels[1] == labels[2] != -1
    assert labels[3] == labels[4] == labels[5] != -1 and labels[3] != labels[0]
    assert labels[6] == -1  # a single request is not a topic
    assert "暖气" in words[labels[0]] and "停水" in words[labels[3]]
    empty, none = cluster_texts([])
    assert len(empty) == 0 and none == []
    assert np.all(cluster_texts(["？？", "!!"])[0] == -1)


def test_detect_region(kb):
    snap = kb.snapshot()
    assert detect_region("东湖区人民路停水", snap) == "东湖区"
    assert detect_region("家里停水", snap) == ""


def test_cli_report_hot(hkb, sample_root, tmp_path):
    runner = CliRunner()
    args = ["report", "hot", "--root", str(sample_root), "--data-dir", str(hkb.settings.data_path)]
    res = runner.invoke(cli, [*args, "--from", START.isoformat(), "--to", END.isoformat()],
                        env={"KB_TODAY": TODAY})
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == f"热点议题：{START} 至 {END}（对比 {END - dt.timedelta(days=59)} 至 {START - dt.timedelta(days=1)}）"
    assert "上升的议题：1 个" in lines
    assert any(line.startswith("  ▲ ") and "单车" in line for line in lines)
    res = runner.invoke(cli, [*args, "--csv", "--region", "南河区"], env={"KB_TODAY": TODAY})
    assert res.exit_code == 0 and res.output.startswith("# 热点议题\n")
    res = runner.invoke(cli, [*args, "--table", "按区域", "--csv"], env={"KB_TODAY": TODAY})
    assert res.exit_code == 0 and res.output.startswith("统计期,对比期,区域范围,承办单位,区域,本期,上期,变化,趋势,最多的议题\n")
    res = runner.invoke(cli, [*args, "--from", "2026-11-30", "--to", "2026-11-01"])
    assert res.exit_code == 1 and "起始日期 2026-11-30 晚于结束日期 2026-11-01" in res.output
    res = runner.invoke(cli, [*args, "--unit", "city-hrss"], env={"KB_TODAY": TODAY})
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].endswith("，单位：示例市人力资源和社会保障局") and "上升的议题：无" in res.output
    res = runner.invoke(cli, [*args, "--unit", "city-hsrr"], env={"KB_TODAY": TODAY})
    assert res.exit_code != 0 and "没有编号为“city-hsrr”的承办单位" in res.output


#: Requests about other matters, so that the words of the ones under test are rare, as they are in use.
OTHERS = ["家里停水了", "停水一整天", "小区又停水了", "路灯不亮", "路灯坏了黑乎乎", "一排路灯都不亮", "暖气不热",
          "暖气片冰凉", "供暖温度不达标", "物业乱收费", "物业费涨价", "低保怎么申请"]


def cluster_among_others(texts, groups=()):
    labels, words = cluster_texts(texts + OTHERS, [3] * len(texts) + [4] * len(OTHERS), groups)
    return labels[:len(texts)], words


def test_topic_labels_name_the_matter_not_the_place():
    texts = ["万达广场共享单车乱停", "新华小区共享单车乱停", "万达广场共享单车堆满人行道", "新华小区共享单车挡路",
             "共享单车太多挡路"]
    groups = [["互联网租赁自行车", "共享单车"]]
    labels, words = cluster_among_others(texts, groups)
    assert len(set(labels)) == 1 and labels[0] >= 0
    words = words[labels[0]]
    # 共享 + 单车, written together and a synonym group's term, make one word of the label.
    assert words[0] == "共享单车"
    assert not {"万达", "广场", "新华", "小区", "互联网租赁自行车"} & set(words)


def test_label_words_join_only_known_terms_written_together():
    texts, weights = ["共享单车乱停", "共享单车挡路", "单车共享"], np.array([2.0, 2.0, 1.0])
    assert label_words(["共享", "单车", "乱停"], texts, weights, known={"共享单车"}.__contains__) == ["共享单车", "乱停"]
    assert label_words(["共享", "单车"], texts, weights) == ["共享", "单车"]  # not a known term
    assert label_words(["单车", "共享"], ["单车很多", "共享"], np.ones(2), {"共享单车"}.__contains__) == ["单车", "共享"]


#: What masking puts in place of personal details: never a word of a topic.
MASK_WORDS = {"姓名", "手机号", "身份证号", "银行卡号", "邮箱", "账号", "车牌", "门牌"}


def test_masking_labels_are_no_words_of_a_topic(kb):
    """A caller who gives a name and a phone number says nothing more about the matter: the labels
    masking leaves ([姓名], [手机号]) neither name a topic nor join texts into one."""
    log = [("社保卡丢了怎么补办", 4), ("社保卡补办需要什么材料", 3), ("社保卡丢了", 3), ("社保卡挂失补办", 2),
           ("我叫张三，电话13812345678，社保卡丢了", 1), ("我叫李四，身份证号110101199003071234，家里停水了", 1),
           ("我叫王五，手机13912345678，路灯不亮", 1),
           # 手机 that gave the number says nothing once the number is masked: no topic's word
           *[(f"我是赵{n}手机1370000111{n}社保卡丢了", 1) for n in range(6)], *[(t, 4) for t in OTHERS]]
    for text, n in log:
        for _ in range(n):
            kb.feedback.log_search(text, "public", 1)
    r = kb.hot.report(START, END)
    assert r.totals["current"] == sum(n for _t, n in log)
    sscard = next(t for t in r.topics if "社保卡" in t["label"])
    assert sscard["current"] == 19
    for t in r.topics:
        assert not MASK_WORDS & set(t["words"]) and not any(w in t["label"] for w in MASK_WORDS), t["label"]
        assert "手机" not in t["label"], t["label"]
    # Three requests share nothing but 我叫[姓名] and a number: they are not one topic.
    assert not [t for t in r.topics if all("[姓名]" in e for e in t["examples"])]


def test_unit_filter_counts_what_the_unit_statistics_count(hkb, generated):
    """Of one unit: the searches that opened one of its entries (an agent's, and a citizen's whose question
    opened one on the public site) and the dispatches to directory entries it leads, as the page's other
    figures count them; the others' requests are left out."""
    pk = hkb.feedback.log_search("社保卡丢了怎么补办", "agent", 2, username="a1")
    hkb.feedback.log_open("sscard-reissue", pk, audience="agent", username="a1")
    hkb.feedback.log_events([{"type": "search", "query": "社保卡补办要带什么", "hits": 3},
                             {"type": "open", "query": "社保卡补办要带什么", "entry": "sscard-reissue"}])
    pk = hkb.feedback.log_search("孩子打疫苗去哪", "agent", 2, username="a1")
    hkb.feedback.log_open("vaccination-children", pk, audience="agent", username="a1")
    snap = hkb.snapshot()
    led = {e.id for e in snap.directory() if e.lead_unit == "city-hrss"}
    assert "wage-arrears" in led and snap.entries["wage-arrears"].unit == "hotline-center"
    dispatched = sum(g["source"] == "dispatch" and g["entry"] in led and g["at"] >= START.isoformat()
                     for g in generated)
    everyone = hkb.hot.report(START, END)
    r = hkb.hot.report(START, END, unit="city-hrss")
    assert r.unit == "city-hrss" and everyone.unit is None
    assert (r.totals["searches"], r.totals["dispatches"]) == (2, dispatched) and dispatched
    assert r.totals["current"] < everyone.totals["current"]
    assert {row["unit"] for row in r.by_entry} == {"city-hrss"}
    assert not [t for t in r.topics if is_bikes(t)]
    # The hotline center keeps wage-arrears, but city-hrss handles it: its dispatches are not the center's.
    center = hkb.hot.report(START, END, unit="hotline-center")
    assert not {row["entry"] for row in center.by_entry} & led


@pytest.mark.parametrize("current, previous, expected", [
    (20, 0, "新出现"), (20, 5, "上升"), (20, 15, ""), (4, 0, "新出现（不足 5 件）"), (1, 0, "新出现（不足 5 件）"),
    (0, 0, ""), (0, 3, ""), (3, 1, "")])
def test_trend_never_leaves_a_new_count_without_one(current, previous, expected):
    assert trend(current, previous) == expected


def test_a_small_new_topic_reads_new_in_both_columns(kb):
    """A topic the previous period did not have reads 新 as its 变化率, and its 趋势 says it is new too
    (新出现, or 新出现（不足 5 件）: too few to call a rise), never nothing."""
    for text, n in [("护照丢了怎么补办", 2), ("护照过期了怎么换", 2), *[(t, 4) for t in OTHERS]]:
        for _ in range(n):
            kb.feedback.log_search(text, "public", 1)
    r = kb.hot.report(START, END)
    passport = next(t for t in r.topics if "护照" in t["label"])
    assert (passport["current"], passport["previous"], passport["change_rate"]) == (4, 0, "新")
    assert passport["flag"] == "新出现（不足 5 件）" and passport not in r.rising
    assert all(t["flag"].startswith("新出现") for t in r.topics if t["change_rate"] == "新")


def at(minute: int) -> str:
    return f"{TODAY}T09:{minute:02d}:00"


def test_answers_opened_from_the_results_are_counted_by_the_search_they_came_from(kb):
    """The public site and the API log a search and the answer opened from its results as rows of their own
    (the open carries the query, no hits); the staff app records the answer on the search. Either way the
    search counts under the answer opened: the topic's 涉及事项 and 按事项 name it (README: 检索按从结果中
    打开的条目统计)."""
    events = []
    for n in range(5):                  # five citizens: the search, then the answer opened from its results
        events += [{"type": "search", "at": at(2 * n), "query": "社保卡丢了怎么补办", "hits": 3},
                   {"type": "open", "at": at(2 * n + 1), "query": "社保卡丢了怎么补办", "entry": "sscard-reissue"}]
    # A second answer opened from the last search is no second request, and no other search's answer.
    events.append({"type": "open", "at": at(12), "query": "社保卡丢了怎么补办", "entry": "id-card-reissue"})
    events.append({"type": "search", "at": at(13), "query": "社保卡丢了怎么补办", "hits": 3})   # nothing opened
    # A partner's search through the API, and the answer fetched with its question.
    events += [{"type": "search", "at": at(14), "query": "社保卡补办要带什么", "hits": 3, "audience": "agent"},
               {"type": "open", "at": at(15), "query": "社保卡补办要带什么", "entry": "sscard-reissue",
                "audience": "agent"}]
    kb.feedback.log_events(events + [{"type": "search", "at": at(20), "query": t, "hits": 2} for t in OTHERS * 3])
    pk = kb.feedback.log_search("社保卡挂失补办", "agent", 2, username="a1")      # the staff app's
    kb.feedback.log_open("sscard-reissue", pk, audience="agent", username="a1")
    r = kb.hot.report(START, END)
    sscard = next(t for t in r.topics if "社保卡" in t["label"])
    assert (sscard["current"], sscard["searches"]) == (8, 8)
    assert sscard["entries"] == [{"entry": "sscard-reissue", "title": kb.entry("sscard-reissue").title, "requests": 7}]
    assert sscard["entries_text"] == f"{kb.entry('sscard-reissue').title} 7"
    assert [(row["entry"], row["current"]) for row in r.by_entry] == [("sscard-reissue", 7)]
    assert r.totals["searches"] == 8 + 3 * len(OTHERS)     # an open is no search


def test_opened_from_pairs_each_open_with_the_latest_search_waiting_for_one():
    log = [("a", "public", "", False), ("a", "public", "", False), ("a", "public", "x", True),
           ("a", "agent", "y", True),                      # no agent's search of it: nobody's
           ("b", "agent", "z", False), ("b", "agent", "w", True),   # the search has its answer already
           ("a", "public", "v", True), ("a", "public", "u", True)]
    assert opened_from(log) == ["v", "x", "z"]


def test_imported_work_orders_are_no_requests_of_the_period(kb, sample_root):
    """Work orders imported from the old system (kb dispatch --learn) are history, whatever their dates:
    the period's 派单 are the dispatches confirmed in it, as the usage report counts them; the imported ones
    are said apart, not counted."""
    for n in range(5):
        kb.dispatch_history.record(f"公司拖欠工资{n + 2}个月不发", "wage-arrears", "console", "agent", rank=1, at=at(n))
    # Dated the day before, in the period: an import refuses a time later than now, and on the suite's fixed
    # day now keeps the wall clock's hour, which may be before any hour of that day.
    yesterday = (END - dt.timedelta(days=1)).isoformat()
    imported = [{"text": f"工地老板欠薪跑路了，{n + 1}十个人的工钱没结", "entry": "wage-arrears",
                 "at": f"{yesterday}T09:{10 + n}:00"} for n in range(4)]
    assert kb.dispatch_history.import_lines(json.dumps(item, ensure_ascii=False) for item in imported).imported == 4
    r = kb.hot.report(START, END)
    assert (r.totals["current"], r.totals["dispatches"], r.totals["imported"]) == (5, 5, 4)
    assert [(row["entry"], row["current"]) for row in r.by_entry] == [("wage-arrears", 5)]
    assert all(t["dispatches"] <= 5 for t in r.topics)
    res = CliRunner().invoke(cli, ["report", "hot", "--root", str(sample_root), "--data-dir",
                                   str(kb.settings.data_path)], env={"KB_TODAY": TODAY})
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[1].startswith("  诉求 5 件（上期 0 件）：检索 0，派单 5；")
    assert res.output.splitlines()[2] == ("  另有导入的历史工单 4 件（kb dispatch --learn）：是以前受理的工单，"
                                          "不是本期的诉求，未计入。")


def test_an_upheld_objections_request_is_no_request_of_its_own(kb):
    """An objection re-routes a call dispatched before: the call was counted when the agent dispatched it, and the
    re-routing teaches the history without making it two dispatches (kb report counts it once)."""
    kb.dispatch_history.record("税务APP上灵活就业社保费交不上去", "social-insurance-payment", "console", "agent", rank=1,
                               at=at(0))
    kb.dispatch_history.record("税务APP上灵活就业社保费交不上去", "wage-arrears", "objection", "center", at=at(1))
    r = kb.hot.report(START, END)
    assert (r.totals["current"], r.totals["dispatches"]) == (1, 1)
    assert [(row["entry"], row["current"]) for row in r.by_entry] == [("social-insurance-payment", 1)]


def log_searches(kb, log):
    for text, n in log:
        for _ in range(n):
            kb.feedback.log_search(text, "public", 3)


def test_a_query_sharing_only_what_it_asks_is_no_part_of_a_topic(kb):
    """护照丢了怎么补办 shares only 丢了 and 补办 with the 社保卡 requests: what it is about is 护照, which the
    knowledge base does not mention. It is not in the 社保卡 topic, nor its name, nor 按区域's top topic."""
    log_searches(kb, [("社保卡坏了去哪换", 1), ("社保卡补办要多久", 4), ("社保卡丢了", 4), ("社保卡挂失", 2),
                      ("护照丢了怎么补办", 3), *[(t, 4) for t in OTHERS]])
    r = kb.hot.report(START, END)
    sscard = next(t for t in r.topics if "社保卡" in t["label"])
    assert sscard["current"] == 11 and not [e for e in sscard["examples"] if "护照" in e]
    assert not {"护照", "补办", "丢了", "哪换"} & set(sscard["words"]), sscard["label"]
    assert all("护照" not in t["label"] or t["examples"] == ["护照丢了怎么补办"] for t in r.topics)
    assert "护照" not in r.by_region[0]["top_topic"]
    rows = list(csv.DictReader(io.StringIO(r.csv().split("\n\n")[0].split("\n", 1)[1])))
    assert "护照" not in next(row for row in rows if row["议题"] == sscard["label"])["示例"]


def test_topics_are_named_by_the_knowledge_bases_own_terms(kb):
    """A topic is named as the knowledge base names the matter (its keywords, titles and synonyms), not by
    pieces of what callers wrote (居住、材料; 失业、能领; 工资、拖欠、老板); paraphrases it names alike are one topic."""
    log_searches(kb, [("外地人怎么办居住证", 3), ("居住证办理需要什么材料", 3), ("居住证到期怎么续签", 2),
                      ("失业了能领多少钱", 3), ("失业金怎么领", 2), ("失业了能领失业金吗", 2),
                      ("公司拖欠工资三个月不发", 3), ("工地老板欠薪跑路了", 3), ("老板不发工资怎么办", 2),
                      *[(t, 4) for t in OTHERS]])
    r = kb.hot.report(START, END)
    named = {t["words"][0]: t for t in r.topics}
    assert {"居住证", "失业金", "拖欠工资"} <= set(named), [t["label"] for t in r.topics]
    assert named["居住证"]["label"] == "居住证" and named["失业金"]["label"] == "失业金"
    assert (named["居住证"]["current"], named["失业金"]["current"], named["拖欠工资"]["current"]) == (8, 7, 8)
    for t in r.topics:
        assert not {"材料", "能领", "续签", "居住"} & set(t["words"]), t["label"]


WAGES = ["公司拖欠工资怎么办", "老板欠薪跑路了找谁", "我叫李明，身份证号110101199003074514，公司欠我工资三个月",
         "工地拖欠农民工工资投诉", "欠薪找哪个部门"]


def test_one_matter_in_different_synonyms_is_one_topic(kb):
    """Five requests about unpaid wages, each once and in the terms of one synonym group (拖欠工资, 欠薪, 欠工资 with
    a word inside: 欠我工资, 拖欠农民工工资), are one topic, not five requests too unlike each other to be any."""
    log_searches(kb, [*[(t, 1) for t in WAGES], ("暖气不热 供暖公司不管", 3), ("暖气不热怎么办", 3),
                      *[(t, 4) for t in OTHERS]])
    r = kb.hot.report(START, END)
    (wages,) = [t for t in r.topics if any("工资" in e or "欠薪" in e for e in t["examples"])]
    assert wages["current"] == 5 and wages["words"][0] in ("欠薪", "拖欠工资"), wages["label"]
    assert all("工资" not in e for t in r.topics if t is not wages for e in t["examples"])


def test_requests_in_no_topic_are_counted_and_said_why(kb, sample_root):
    log_searches(kb, [("asdfghjkl", 2), ("出租车拒载投诉", 1), *[(t, 4) for t in OTHERS]])
    r = kb.hot.report(START, END)
    assert r.totals["left_out"] == {"vague": 2, "apart": 1, "unlisted": 0}
    assert r.totals["clustered"] + 3 == r.totals["current"]
    note = "未归入所列议题的诉求 3 件：2 件没有说明事项的词（如“asdfghjkl”，或只有“办证”“怎么办”一类的词）；" \
           "1 件与其他诉求都不够相近（内容相近的不足 3 件，不成议题）。"
    assert note in r.notes
    assert kb.hot.report(START, END, limit=1).totals["left_out"]["unlisted"] == r.totals["clustered"] - r.topics[0]["current"]
    res = CliRunner().invoke(cli, ["report", "hot", "--root", str(sample_root), "--data-dir",
                                   str(kb.settings.data_path)], env={"KB_TODAY": TODAY})
    assert f"  {note}" in res.output.splitlines()


def test_a_period_after_today_says_so(kb):
    later = END + dt.timedelta(days=90)
    r = kb.hot.report(later, later + dt.timedelta(days=30))
    assert r.notes == [f"所选时段 {later} 至 {later + dt.timedelta(days=30)} 在今天（{END}）之后，还不会有诉求："
                       "请选择今天以前的日期。"]
    assert kb.hot.report(START, END).notes == []


def test_topic_names_are_no_pieces_of_questions_and_keep_with_a_region(kb):
    """哪补, 哪交, 想办 and 不让 are pieces of 去哪补, 在哪交, 想办 and 物业不让装: no words of a topic's name. A topic
    limited to one region keeps the name it has without the limit (暖气不热, not 暖气、不热)."""
    log_searches(kb, [("社保卡掉了去哪补", 4), ("社保卡掉了去哪里补", 2), ("灵活就业人员社保在哪交", 3),
                      ("灵活就业 社保 在哪交", 1), ("护照过期了在哪换", 1), ("想办护照", 1), ("护照怎么办理", 1),
                      ("小区充电桩物业不让装怎么办", 2), ("新能源车充电桩安装物业不让装", 2),
                      ("暖气不热怎么办", 2), ("家里暖气片不热找谁", 1), ("暖气冰凉的找哪个部门", 1),
                      ("暖气片上热下凉怎么回事", 1), ("西山区暖气不热屋里才16度", 1), ("东湖区暖气不热", 1)])
    r = kb.hot.report(START, END)
    for t in r.topics:
        assert not [w for w in t["words"] if w[0] == "哪" or w in ("想办", "不让")], t["label"]
    heating = next(t["label"] for t in r.topics if "暖气" in t["label"])
    region = kb.hot.report(START, END, "未标明区域")
    assert next(t["label"] for t in region.topics if "暖气" in t["label"]) == heating == "暖气不热"


def test_csv_sent_to_a_file_opens_in_excel_and_the_notes_go_to_stderr(kb, sample_root, tmp_path):
    """``kb report hot --csv > hot.csv`` writes a file as ``-o`` does (UTF-8 with a byte-order mark, for Excel);
    through a pipe the CSV stays plain text. What the figures leave out is said on stderr, not in the CSV."""
    log_searches(kb, [("asdfghjkl", 1), *[(t, 4) for t in OTHERS]])
    repo = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "kb_app", "report", "hot", "--csv", "--root", str(sample_root),
               "--data-dir", str(kb.settings.data_path)]
    env = {**os.environ, "KB_TODAY": TODAY, "PYTHONPATH": str(repo)}
    target = tmp_path / "hot.csv"
    with open(target, "wb") as fh:
        done = subprocess.run(command, stdout=fh, stderr=subprocess.PIPE, env=env, cwd=repo, check=True)
    assert target.read_bytes().startswith("\ufeff# 热点议题\n".encode())
    assert "未归入所列议题的诉求 1 件" in done.stderr.decode()
    piped = subprocess.run(command, capture_output=True, env=env, cwd=repo, check=True)
    assert piped.stdout.startswith("# 热点议题\n".encode())


def test_a_region_sees_the_city_wide_topics_with_the_counts_the_city_gives_it(hkb):
    """A district leader limiting the report to the district sees each topic the city-wide report lists, under
    the same name, with the count the city-wide report gives the district: even a topic with fewer than three
    requests there, which alone would be too few to make one."""
    city = hkb.hot.report(START, END, limit=200)
    for district in ("东湖区", "西山区", "未标明区域"):
        region = hkb.hot.report(START, END, district, limit=200)
        by_label = {t["label"]: t for t in city.topics}
        assert region.topics
        for t in region.topics:
            assert by_label[t["label"]]["regions"][district] == t["current"], (district, t["label"])
        assert sum(t["current"] for t in region.topics) == sum(t["regions"].get(district, 0) for t in city.topics)


def test_a_region_sees_a_topic_too_small_there_to_make_one(kb):
    # Alone, the three requests of 东湖区 about the heating would be too few to make a topic of their own.
    log_searches(kb, [("我叫张三，住东湖区新华小区3单元502，暖气不热，电话13812345678", 1), ("东湖区暖气不热怎么报修", 1),
                      ("东湖区和平街道暖气不热", 1), ("暖气不热怎么办", 3), ("家里暖气片不热找谁", 2),
                      *[(t, 4) for t in OTHERS]])
    heating = next(t for t in kb.hot.report(START, END).topics if "暖气" in t["label"])
    donghu = kb.hot.report(START, END, "东湖区")
    assert [(t["label"], t["current"]) for t in donghu.topics] == [(heating["label"], heating["regions"]["东湖区"])]
    assert heating["regions"]["东湖区"] >= 2


def test_the_headline_example_of_a_topic_is_one_without_masking_labels(kb):
    """The first example of a topic, the one shown beside it, is a request as people write it where there is
    one, not the one full of [姓名] and [门牌], however often that one was sent."""
    log_searches(kb, [("我叫张三，住东湖区新华小区3单元502，暖气不热，电话13812345678", 4), ("暖气不热怎么办", 2),
                      ("家里暖气片不热找谁", 1)])
    r = kb.hot.report(START, END)
    heating = next(t for t in r.topics if "暖气" in t["label"])
    assert heating["examples"][0] == "暖气不热怎么办"
    assert "我叫[姓名]，住东湖区新华小区[门牌]，暖气不热，电话[手机号]" in heating["examples"]


def test_a_period_ending_after_today_is_cut_at_today_and_compared_with_as_long_a_period(kb, sample_root):
    """Ending three months ahead, a period of one week of requests is not compared with three months before it:
    it ends today, the period before is a week too, and the report, page and CLI say so."""
    log_searches(kb, [(t, 4) for t in OTHERS])
    start, later = END - dt.timedelta(days=6), END + dt.timedelta(days=99)
    r = kb.hot.report(start, later)
    assert (r.start, r.end, r.previous_start, r.previous_end) == (start, END, start - dt.timedelta(days=7),
                                                                  start - dt.timedelta(days=1))
    note = (f"结束日期 {later} 晚于今天，按今天（{END}）计算：本期 {start} 至 {END}，与之前同样长的 "
            f"{start - dt.timedelta(days=7)} 至 {start - dt.timedelta(days=1)} 比较。")
    assert r.notes[0] == note
    assert kb.hot.report(start, END).notes == [] and r.totals == kb.hot.report(start, END).totals
    res = CliRunner().invoke(cli, ["report", "hot", "--from", str(start), "--to", str(later), "--root", str(sample_root),
                                   "--data-dir", str(kb.settings.data_path)], env={"KB_TODAY": TODAY})
    assert res.exit_code == 0 and f"  {note}" in res.output.splitlines()
    assert f"热点议题：{start} 至 {END}（对比 {start - dt.timedelta(days=7)} 至 {start - dt.timedelta(days=1)}）" in res.output


#: Heating requests across the districts, as the testers sent them.
HEATING = ["东湖区暖气不热", "西山区暖气不热屋里才16度", "南河区家里暖气片不热", "东湖区新华小区暖气不热找谁",
           "西山区滨河路暖气一直不热", "南河区建设街暖气不热怎么办", "暖气不热室温才十几度", "家里暖气片冰凉不热",
           "东湖区人民路暖气不热好几天了", "西山区阳光花园暖气不热", "南河区暖气温度不达标不热"]
#: Searches about other matters (fires, a robbery, lost cards), some in the same districts.
UNRELATED = ["小区着火了", "东湖区有人抢劫", "西山区仓库起火", "公交卡丢了", "有人抢包", "银行卡丢了"]


def test_a_districts_heating_count_does_not_depend_on_unrelated_searches(kb):
    """The same eleven heating searches are one topic of eleven, among three other searches or among nine: how
    rare a word is, and so which requests are alike, is not told by how many requests there are."""
    log_searches(kb, [(t, 1) for t in [*HEATING, "社保卡丢了怎么补办", "路灯不亮", "家里停水了"]])
    before = next(t for t in kb.hot.report(START, END).topics if "暖气" in t["label"])
    log_searches(kb, [(t, 1) for t in UNRELATED])
    after = next(t for t in kb.hot.report(START, END).topics if "暖气" in t["label"])
    assert before["current"] == after["current"] == len(HEATING)
    assert before["regions"] == after["regions"] == {"东湖区": 3, "西山区": 3, "南河区": 3, "未标明区域": 2}


#: Requests a topic is made of: paraphrases of a few matters, in the terms of one synonym group or another.
MATTERS = [*HEATING, *OTHERS, *WAGES, "社保卡丢了怎么补办", "社保卡补办要多久", "社保卡坏了去哪换", "护照丢了怎么补办",
           "小区充电桩物业不让装怎么办", "新能源车充电桩安装物业不让装", "共享单车乱停乱放", "共享单车堆满人行道"]
#: Requests about matters sharing no word with those: none is alike to any of them.
APART = ["宠物狗半夜一直叫", "楼上邻居养狗扰民", "养的猫走丢了", "出租车司机绕路多收钱", "网约车拒载乘客", "快递包裹被冒领",
         "外卖送餐超时", "图书馆周末开放时间", "游泳馆票价太贵", "医保报销比例是多少", "医保卡余额怎么查", "菜市场缺斤短两",
         "超市卖过期食品", "餐厅食物中毒", "火警 楼道着火", "仓库起火冒烟", "抢劫 报警", "电动车电瓶被偷"]
SYNONYMS = [["拖欠工资", "欠薪", "欠工资", "拖欠农民工工资"], ["互联网租赁自行车", "共享单车"], ["暖气", "供暖"]]


def words_of(texts) -> set[str]:
    return {w for t in texts for w in content_words(text_key(t)[:60], normalized=True)}


def test_the_unrelated_requests_share_no_word_with_the_matters():
    assert not words_of(MATTERS) & words_of(APART)


def members(texts, weights) -> set[frozenset[str]]:
    """Each topic as the set of its texts, and the texts in none as one set of their own, marked."""
    labels, _words = cluster_texts([text_key(t) for t in texts], weights, SYNONYMS)
    out: dict[int, set] = {}
    for text, label in zip(texts, labels):
        out.setdefault(int(label), set()).add(text)
    return {frozenset(group | ({"<none>"} if label < 0 else set())) for label, group in out.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(MATTERS), st.integers(1, 5)), min_size=3, max_size=30,
                unique_by=lambda p: p[0]),
       st.lists(st.tuples(st.sampled_from(APART), st.integers(1, 40)), min_size=1, max_size=len(APART),
                unique_by=lambda p: p[0]),
       st.randoms(use_true_random=False))
def test_requests_about_other_matters_never_change_a_topics_members(matters, apart, random):
    """However many requests about other matters come, and in whatever order, each topic of the requests alike to
    one another keeps its members, and the requests in no topic stay in none."""
    mixed = [*matters, *apart]
    random.shuffle(mixed)
    texts, weights = [t for t, _n in matters], [n for _t, n in matters]
    alone = members(texts, weights)
    together = members([t for t, _n in mixed], [n for _t, n in mixed])
    apart_texts = {t for t, _n in apart}
    assert {group - apart_texts for group in together if group - apart_texts - {"<none>"}} == {
        group for group in alone if group - {"<none>"}}


#: Calls as callers make them (a tester's walk): their topics were labelled 狗要、狂犬、疫苗, 还有、声音、吵得 and
#: 工地、老板、一分钱 — pieces the segmenter cut across words, and the words said around the matter.
CALLS = ["我们楼上天天晚上咚咚咚的，还有那个声音，吵得没法睡", "我在工地干了半年，老板到现在一分钱工资都没给，人也找不着了",
         "我想问一下我家狗要打狂犬疫苗，去哪打，要办狗证吗"]


def test_topics_are_labelled_by_words_people_use(kb):
    snap = kb.snapshot()
    for groups, terms in (((), ()), (snap.synonym_groups, matter_terms(snap))):
        labels, words = cluster_texts([text_key(t) for t in CALLS], [5, 5, 5], groups, terms)
        by_call = {call: words[n] for call, n in zip(CALLS, labels)}
        assert by_call[CALLS[0]] == ["声音"]
        # synonyms.yaml reads 老板 with 包工头: a term of its own, named first.
        assert by_call[CALLS[1]] == (["老板", "工地", "工资"] if groups else ["工地", "老板", "工资"])
        assert by_call[CALLS[2]] == ["狂犬", "疫苗", "狗证"]


@pytest.mark.parametrize("word, text, said", [
    ("分钱", "老板一分钱工资都没给", ""),          # a piece of 一分钱
    ("一分钱", "老板一分钱工资都没给", ""),        # an amount said for emphasis
    ("狗要", "我家狗要打狂犬疫苗", ""),           # guessed across 狗 and 要
    ("吵得", "还有那个声音吵得没法睡", ""),
    ("还有", "还有那个声音吵得没法睡", ""),
    ("咚咚", "楼上天天晚上咚咚咚的", ""),         # a sound
    ("办狗证", "要办狗证吗", "狗证"),             # the matter, without the doing
    ("垃圾", "垃圾桶满了没人收", "垃圾"),         # a word starting a longer one
    ("清运", "垃圾清运不及时", "清运"),
    ("暖气", "家里暖气不热", "暖气"),
    ("花钱", "社保卡补办要花钱吗", ""),           # what is asked of the matter, not a matter
    ("收费", "停车场乱收费", "收费"),             # ... where it is the matter
])
def test_a_label_word_is_one_a_person_says(word, text, said):
    assert spoken(word, [text]) == said
