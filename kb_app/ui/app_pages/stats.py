"""Statistics (统计分析): the hotline center and administrators see all units, a unit sees its own."""

import datetime as dt
import hashlib
import html

import streamlit as st

from kb_app.export import spreadsheet_bytes
from kb_app.usage.tasks import CENTER_ROLES
from kb_app.usage.hot import SECTIONS as HOT_SECTIONS
from kb_app.usage.stats import SECTIONS, readable
from kb_app.ui import charts
from kb_app.labels import ALL_REGIONS, ALL_UNITS, SELECT_PLACEHOLDER
from kb_app.ui.errors import show_errors
from kb_app.ui.links import entry_cell, entry_link, review_link
from kb_app.ui.resources import get_kb
from kb_app.ui.tables import show_table

st.title("统计分析")
user = st.session_state.get("user")


def propose_call_examples(kb, user, start, end):
    """The misses and false alarms not yet among the example calls, offered as a change request."""
    learnable = kb.learnable_calls(start, end)
    if not learnable:
        return
    if (cr := kb.pending_call_examples()) is not None:
        st.caption(f"补充来电示例的变更请求 #{cr.id}“{cr.title}”尚未发布（{cr.state_label}）；"
                   "它发布后，再把其余的来电补充进去。")
        review_link(cr)
        return
    missed = sum(r["kind"] == "missed" for r in learnable)
    st.caption(f"上面的来电中有 {len(learnable)} 条（漏报 {missed}、误报 {len(learnable) - missed}）还不在来电示例中。"
               "加入后，派单助手会按与它们的相似程度识别没有事件词的紧急来电；加入同样经过校核。")
    if st.button("补充到来电示例（发起变更请求）", key="propose_call_examples"):
        with show_errors():
            cr = kb.propose_call_examples(user, start, end)
            st.success(f"已发起变更请求 #{cr.id}“{cr.title}”，请在变更校核中跟进。", icon=":material/task_alt:")
            for advice in kb.review.awaiting(cr).advice:
                st.warning(advice, icon=":material/person_off:")
            review_link(cr)


def labelled(rows, key, sections=SECTIONS):
    """Rows with the section's Chinese headers; entries by title (opening the entry), no ids of entries or units.

    The CSV export keeps the ids, for spreadsheets and other systems.
    """
    columns = {k: label for k, label in sections[key][1].items() if k not in ("entry", "unit")}
    out = []
    for r in rows:
        row = {label: r.get(k) for k, label in columns.items()}
        if "title" in columns and r.get("entry"):
            row[columns["title"]] = entry_cell(r["entry"], str(r.get("title") or r["entry"]))
        out.append(row)
    return out


def hot_rows(rows, key):
    return labelled(rows, key, HOT_SECTIONS)


#: The topics table keeps to the figures; where a topic comes from and what callers said is under it,
#: one topic at a time (the CSV has every column).
TOPIC_COLUMNS = [HOT_SECTIONS["topics"][1][k] for k in
                 ("rank", "label", "current", "previous", "change", "change_rate", "flag", "searches", "dispatches")]


def bullets(texts) -> str:
    """A list of plain texts (callers' words are shown as written, never as Markdown)."""
    return "<ul style='margin:0'>" + "".join(f"<li>{html.escape(t)}</li>" for t in texts) + "</ul>"


def show_topic(topics):
    """One topic's regions, directory entries and masked examples, chosen from the table's topics.

    The choice follows the report: the selector is a new one whenever what the report lists changes (other dates,
    region or unit, new requests), so that it never shows a label of the report before; it keeps the topic chosen
    (by its name) while the report still lists it, and otherwise starts at the first.
    """
    if not topics:
        return
    names = {t["rank"]: f"{t['rank']}. {t['label']}（本期 {t['current']} 件{'，' + t['flag'] if t['flag'] else ''}）"
             for t in topics}
    listed = hashlib.sha1("\n".join(names.values()).encode()).hexdigest()[:12]
    chosen = next((i for i, t in enumerate(topics) if t["label"] == st.session_state.get("hot_topic_label")), 0)
    rank = st.selectbox("议题详情", list(names), index=chosen, format_func=names.get, placeholder=SELECT_PLACEHOLDER,
                        key=f"hot_topic_{listed}")
    topic = next((t for t in topics if t["rank"] == rank), topics[0])
    st.session_state["hot_topic_label"] = topic["label"]
    with st.container(border=True):
        regions, entries = st.columns(2)
        regions.markdown("**区域分布**")
        regions.html(bullets(f"{name}：{n} 件" for name, n in topic["regions"].items()))
        entries.markdown("**涉及事项**")
        if not topic["entries"]:
            entries.caption("没有派单到事项、也没有从结果中打开条目的诉求。")
        for e in topic["entries"]:
            entry_link(e["entry"], f"{e['title']}（{e['requests']} 件）", container=entries)
        st.markdown("**示例**（已遮蔽个人信息）")
        st.html(bullets(topic["examples"]))


with show_errors():
    kb = get_kb()
    snap = kb.snapshot()
    today = kb.today()
    if getattr(user, "role", None) in CENTER_ROLES:
        units = {"": ALL_UNITS, **{u: snap.unit_name(u) for u in snap.units}}
        unit = st.selectbox("单位", list(units), format_func=units.get,
                            placeholder=SELECT_PLACEHOLDER, key="stats_unit") or None
    else:
        unit = getattr(user, "unit", "") or None
        if unit is None:
            st.info("您的账号没有所属单位，统计按单位显示。")
            st.stop()
        st.caption(f"单位：{snap.unit_name(unit)}")
    c1, c2 = st.columns(2)
    start = c1.date_input("起始日期", value=today - dt.timedelta(days=29), key="stats_start", format="YYYY-MM-DD")
    end = c2.date_input("结束日期", value=today, key="stats_end", format="YYYY-MM-DD")
    if end < start:
        st.warning("结束日期早于起始日期：请重新选择。")
        st.stop()
    stats = kb.stats
    summary = stats.summary(start, end, unit)
    # Two rows of three: a sixth of the page cuts a label such as 待处理任务（超期 2） short.
    m = [*st.columns(3), *st.columns(3)]
    m[0].metric("查询次数", summary.searches,
                help="从结果中打开过本单位条目的查询；直接浏览条目（不经查询）的只计入“条目浏览”" if unit else None)
    m[1].metric("无结果率", f"{summary.zero_rate:.1%}" if summary.searches else "—",
                help=f"另有 {summary.weak} 次查询的结果与所问无关（问到的事知识库里没有），"
                     f"合计占 {summary.unanswered_rate:.1%}；见下方“无结果或结果无关的查询”")
    m[2].metric("条目浏览", summary.views)
    m[3].metric("有帮助 / 没有帮助", f"{summary.helpful} / {summary.unhelpful}")
    m[4].metric(f"待处理任务（超期 {summary.overdue_tasks}）", summary.open_tasks)
    m[5].metric("直接答复率", f"{summary.direct_rate:.1%}" if summary.requests else "—",
                help=f"直接答复 {summary.direct} ÷ 受理诉求 {summary.requests}（直接答复 {summary.direct} + 派单 "
                     f"{summary.requests - summary.direct}）；转接紧急专线的来电（{summary.transferred} 次）"
                     "不是热线受理的诉求，另列，不计入")
    report = stats.report(start, end, unit)

    st.subheader(SECTIONS["searches_per_day"][0])
    per_day = report["searches_per_day"]
    found = [dict(r, found=r["searches"] - r["zero"]) for r in per_day]
    charts.daily_counts(charts.daily_frame(found, start, end, {"found": "有结果", "zero": "无结果"}),
                        f"{start} 至 {end} 没有查询记录，所以没有每日查询量。")
    with st.expander("按日明细"):
        show_table(labelled(per_day if any(r["searches"] for r in per_day) else [], "searches_per_day"),
                   empty="没有查询记录。")

    # One above the other: side by side, half the page cannot hold their five columns.
    st.subheader(SECTIONS["top_queries"][0])
    show_table(labelled(report["top_queries"], "top_queries"), empty="没有查询记录。")
    if not unit:
        st.subheader(SECTIONS["zero_result_queries"][0])
        show_table(labelled(report["zero_result_queries"], "zero_result_queries"),
                   empty="没有无结果或结果无关的查询。")

    st.subheader(SECTIONS["most_viewed"][0])
    viewed = report["most_viewed"]
    charts.count_bars({"浏览次数": {r["title"]: r["views"] for r in viewed}}, "浏览次数", horizontal=True)
    show_table(labelled(viewed, "most_viewed"), empty="没有浏览记录。")

    st.subheader("有用率")
    st.caption("单位有用率只计各单位答复口径和派单目录条目的评价；条例条文的“没有帮助”只说明检索找错了条，"
               "不算作哪个单位答得不好，所以不计入单位有用率，只列在条目有用率中（类型为“条例条文”）。")
    by_unit = report["helpfulness_by_unit"]
    charts.count_bars({"有帮助": {r["unit_name"]: r["helpful"] for r in by_unit},
                       "没有帮助": {r["unit_name"]: r["unhelpful"] for r in by_unit}}, "评价数", horizontal=True,
                      colors=["#1a7f37", "#d1242f"])
    if by_unit or report["helpfulness_by_entry"]:
        show_table(labelled(by_unit, "helpfulness_by_unit"), empty="没有按单位的评价记录。")
        show_table(labelled(report["helpfulness_by_entry"], "helpfulness_by_entry"), empty="没有按条目的评价记录。")
    else:
        st.caption("所选期间没有评价记录。")

    st.subheader("直接答复率")
    st.caption("坐席记录的处理结果：派单助手中的直接答复、派单和转接，以及检索中采用或复制答复（每通来电只计一次）。受理诉求 = 直接答复 + 派单，直接答复率 = 直接答复 ÷ 受理诉求；"
               "转接紧急专线的来电不是热线受理的诉求，单独一列，不计入受理诉求。"
               "主题取所用条目的第一个分类：直接答复按答复口径的分类（如“社保”），派单按派单目录条目的分类"
               "（如“劳动和社会保障”），两套分类不一一对应，所以同一领域可能分在两行。")
    outcomes = report["direct_answers_per_day"]
    charts.daily_rates(outcomes, start, end, "rate", "直接答复率",
                       f"{start} 至 {end} 没有记录由热线答复或派单的诉求（转接紧急专线的不计入），所以没有直接答复率。")
    if outcomes or report["direct_answers_by_topic"]:
        show_table(labelled(outcomes, "direct_answers_per_day"), empty="没有记录处理结果的诉求。")
        show_table(labelled(report["direct_answers_by_topic"], "direct_answers_by_topic"),
                   empty="没有按主题记录的处理结果。")

    if not unit:
        st.subheader(SECTIONS["emergency_hints"][0])
        st.caption("坐席转接到紧急专线的来电中，派单助手提示了紧急（或疑似紧急）的有多少、没有提示的有多少；"
                   "以及坐席判断不是紧急的提示。下面列出的来电是补充或收窄分类处置规则中紧急情况说法的依据（修改规则同样经过校核）。")
        show_table(labelled(report["emergency_hints"], "emergency_hints"), empty="没有转接紧急专线的记录。")
        for key in ("missed_emergencies", "dismissed_hints"):
            if report[key]:
                st.markdown(f"**{SECTIONS[key][0]}**")
                show_table(labelled(report[key], key))
        if getattr(user, "role", None) in CENTER_ROLES:
            propose_call_examples(kb, user, start, end)

    st.subheader(SECTIONS["tasks_by_unit"][0])
    tasks = report["tasks_by_unit"]
    charts.count_bars({"待处理": {r["unit_name"]: r["open"] for r in tasks},
                       "其中已超期": {r["unit_name"]: r["overdue"] for r in tasks}}, "任务数", horizontal=True,
                      stacked=False, colors=["#1f6feb", "#d1242f"], fewest=charts.FEWEST_BARS)
    show_table(labelled(tasks, "tasks_by_unit"), empty="没有维护任务。")

    st.subheader(SECTIONS["review_turnaround"][0])
    st.caption("从提交审核到发布的用时，按变更所改条目的所属单位统计（不看由谁发起）：一个变更改了几个单位的条目，"
               "各单位各计一次；条例条文和分类处置规则等 regulations/ 下的修改计入热线中心。")
    turnaround, columns = readable("review_turnaround", report["review_turnaround"])
    show_table(labelled(turnaround, "review_turnaround", {"review_turnaround": (None, columns)}),
               empty="这段时间没有发布的变更。")

    st.download_button("导出 CSV", spreadsheet_bytes(stats.report_csv(start, end, unit)),
                       "-".join(["kb-report", str(start), str(end), *filter(None, [unit])]) + ".csv", "text/csv",
                       key="stats_csv")

    if getattr(user, "role", None) in CENTER_ROLES:
        st.divider()
        st.subheader("热点议题（每月一题候选）")
        st.caption("检索和派单诉求按内容相近归为议题，与之前同样长的时段比较；件数明显上升的议题标“上升”或“新出现”。"
                   "选了单位时，只计打开过该单位条目的检索和派给该单位事项的诉求。")
        regions = ["", *kb.hot.regions()]
        region = st.selectbox("区域", regions, format_func=lambda r: r or ALL_REGIONS,
                              placeholder=SELECT_PLACEHOLDER, key="hot_region") or None
        hot = kb.hot.report(start, end, region, unit)
        st.caption((f"{snap.unit_name(unit)}的诉求，" if unit else "") +
                   f"本期 {hot.start} 至 {hot.end}：{hot.totals['current']} 件（上期 {hot.previous_start} 至 "
                   f"{hot.previous_end}：{hot.totals['previous']} 件），检索 {hot.totals['searches']}、派单 "
                   f"{hot.totals['dispatches']}。" + "".join(hot.notes))
        for item in hot.rising:
            st.warning(f"**{item['label']}**：本期 {item['current']} 件，上期 {item['previous']} 件（{item['flag']}）。"
                       f"例：{item['examples'][0]}", icon=":material/trending_up:")
        charts.topic_trend(hot.trend, hot.previous_start, hot.end, hot.start)
        st.markdown(f"**{HOT_SECTIONS['topics'][0]}**")
        show_table(hot_rows(hot.topics, "topics"), TOPIC_COLUMNS,
                   empty="这段时间的诉求内容各不相同，没有足以归成议题的。" if hot.totals["current"] else "这段时间没有诉求。")
        show_topic(hot.topics)
        # One above the other: side by side, half the page cannot hold their six columns.
        st.markdown(f"**{HOT_SECTIONS['by_entry'][0]}**")
        show_table(hot_rows(hot.by_entry, "by_entry"), empty="没有涉及事项的诉求。")
        st.markdown(f"**{HOT_SECTIONS['by_region'][0]}**")
        show_table(hot_rows(hot.by_region, "by_region"), empty="没有诉求。")
        st.download_button("导出热点议题 CSV", spreadsheet_bytes(hot.csv()), hot.filename(), "text/csv", key="hot_csv")
