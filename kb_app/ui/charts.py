"""Charts of the statistics pages: every day of the period on the axis, counts as whole numbers,
rates as percentages, labels in Chinese; a period without data says so instead of an empty chart.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"


def days(start: dt.date, end: dt.date) -> list[str]:
    """Every day from ``start`` to ``end`` as ``YYYY-MM-DD``."""
    return [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def daily_frame(rows: list[dict], start: dt.date, end: dt.date, series: dict[str, str]) -> pd.DataFrame:
    """One row per day and series (``{column: label}``), days without a row counted as 0."""
    by_day = {str(r.get("day")): r for r in rows}
    records = [{"日期": day, "类别": label, "次数": int(by_day.get(day, {}).get(column) or 0)}
               for day in days(start, end) for column, label in series.items()]
    return pd.DataFrame.from_records(records, columns=["日期", "类别", "次数"])


def _style(chart: alt.Chart, height: int = 260) -> alt.Chart:
    return (chart.properties(height=height)
            .configure_axis(labelFont=FONT, titleFont=FONT, labelFontSize=12, titleFontSize=12)
            .configure_legend(labelFont=FONT, titleFont=FONT, orient="bottom", title=None, labelFontSize=12))


def _day_axis(all_days: list[str]) -> alt.X:
    """Every day of the period as ``MM-DD`` (every other one labelled when they would overlap)."""
    return alt.X("日期:O", title="日期", sort=None, scale=alt.Scale(domain=all_days),
                 axis=alt.Axis(labelAngle=-45, labelExpr="slice(datum.label, 5)", labelOverlap="parity"))


def daily_counts(frame: pd.DataFrame, empty: str) -> bool:
    """Stacked bars of counts per day; says ``empty`` (and draws nothing) when every count is 0."""
    if frame.empty or int(frame["次数"].sum()) == 0:
        st.info(empty, icon=":material/bar_chart:")
        return False
    order = list(dict.fromkeys(frame["类别"]))
    chart = alt.Chart(frame).mark_bar().encode(
        x=_day_axis(list(dict.fromkeys(frame["日期"]))),
        y=alt.Y("sum(次数):Q", title="次数", axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("类别:N", sort=order, scale=alt.Scale(range=["#1f6feb", "#d1242f", "#8250df"])),
        tooltip=[alt.Tooltip("日期:O", title="日期"), alt.Tooltip("类别:N", title="类别"),
                 alt.Tooltip("次数:Q", title="次数", format="d")],
    )
    st.altair_chart(_style(chart), width="stretch", height=330)
    return True


def daily_rates(rows: list[dict], start: dt.date, end: dt.date, column: str, label: str, empty: str) -> bool:
    """A rate per day (0–100 %) as a line with a point on each day that has one; ``empty`` when none has.
    Points, not bars: a single day, or a day at 0 %, is still seen (a bar of 0 % is no bar at all)."""
    known = {str(r["day"]): r[column] for r in rows if r.get(column) is not None}
    if not known:
        st.info(empty, icon=":material/bar_chart:")
        return False
    frame = pd.DataFrame({"日期": list(known), label: list(known.values())})
    chart = alt.Chart(frame).mark_line(color="#1a7f37", point=alt.OverlayMarkDef(color="#1a7f37", size=60)).encode(
        x=_day_axis(days(start, end)),
        y=alt.Y(f"{label}:Q", title=label, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%")),
        tooltip=[alt.Tooltip("日期:O", title="日期"), alt.Tooltip(f"{label}:Q", title=label, format=".1%")],
    )
    st.altair_chart(_style(chart), width="stretch", height=330)
    return True


#: Fewer names than this and a bar chart says no more than the table of its figures under it: one
#: unit's tasks would be one bar across the page.
FEWEST_BARS = 3


def count_bars(values: dict[str, dict[str, int]], axis_title: str, horizontal: bool = False, stacked: bool = True,
               colors: list[str] | None = None, fewest: int = 1) -> None:
    """Bars of counts by name, one colour per series (``{series: {name: count}}``): stacked when the series
    add up (helpful + unhelpful), side by side when one is part of another (open, of which overdue).
    Nothing is drawn when every count is 0, or for fewer than ``fewest`` names with a count."""
    records = [{"名称": name, "类别": series, "次数": int(n or 0)}
               for series, by_name in values.items() for name, n in by_name.items()]
    frame = pd.DataFrame.from_records(records, columns=["名称", "类别", "次数"])
    if frame.empty or int(frame["次数"].sum()) == 0 or frame[frame["次数"] > 0]["名称"].nunique() < fewest:
        return
    count_axis = alt.Axis(format="d", tickMinStep=1)
    count = (alt.X if horizontal else alt.Y)("sum(次数):Q", title=axis_title, axis=count_axis,
                                             stack="zero" if stacked else None)
    if horizontal:
        encoding = dict(x=count, y=alt.Y("名称:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)))
        if not stacked:
            encoding["yOffset"] = alt.YOffset("类别:N", sort=list(values))
    else:
        encoding = dict(x=alt.X("名称:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=200)), y=count)
        if not stacked:
            encoding["xOffset"] = alt.XOffset("类别:N", sort=list(values))
    scale = alt.Scale(range=colors) if colors else alt.Undefined
    chart = alt.Chart(frame).mark_bar().encode(
        **encoding, color=alt.Color("类别:N", sort=list(values), scale=scale),
        tooltip=[alt.Tooltip("名称:N", title="名称"), alt.Tooltip("类别:N", title="类别"),
                 alt.Tooltip("次数:Q", title="次数", format="d")])
    rows = frame["名称"].nunique() * (1 if stacked else len(values))
    height = max(200, 40 * rows) if horizontal else 300
    st.altair_chart(_style(chart, height), width="stretch", height=height + 60)


def topic_trend(rows: list[dict], start: dt.date, end: dt.date, current_start: dt.date) -> None:
    """Daily requests of the hot topics (``HotReport.trend``): one line each, the legend in rows of
    three under the chart (six labels fit), and a dashed line where the current period starts."""
    frame = pd.DataFrame.from_records([{"日期": r["day"], "议题": r["label"], "诉求数": int(r["requests"])}
                                       for r in rows], columns=["日期", "议题", "诉求数"])
    if frame.empty:
        return
    axis = _day_axis(days(start, end))
    lines = alt.Chart(frame).mark_line(strokeWidth=1.8).encode(
        x=axis, y=alt.Y("诉求数:Q", title="诉求数", axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("议题:N", sort=list(dict.fromkeys(frame["议题"])),
                        legend=alt.Legend(columns=3, labelLimit=300, symbolType="stroke")),
        tooltip=[alt.Tooltip("日期:O", title="日期"), alt.Tooltip("议题:N", title="议题"),
                 alt.Tooltip("诉求数:Q", title="诉求数", format="d")])
    since = pd.DataFrame({"日期": [current_start.isoformat()], "说明": ["本期开始"]})
    rule = alt.Chart(since).mark_rule(strokeDash=[4, 4], color="#57606a").encode(x=axis)
    note = alt.Chart(since).mark_text(align="left", dx=4, dy=-6, color="#57606a", font=FONT).encode(
        x=axis, y=alt.value(0), text="说明:N")
    st.altair_chart(_style(alt.layer(lines, rule, note), 280), width="stretch", height=400)
