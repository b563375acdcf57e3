"""The calls a change of the intake rules reads otherwise, on the review page (kb_app.review.intake_replay)."""

import streamlit as st

from kb_app import render
from kb_app.review.intake_replay import RECENT_DAYS


def _listed(calls, shifts) -> str:
    """Each change (before → after, how many) with its example calls, every text shown exactly as written."""
    lines = []
    for s in shifts:
        lines.append(f"- {render.markdown_literal(calls.heading(s))}")
        lines += [f"    - {render.markdown_literal(x)}" for x in s.examples]
    return "\n".join(lines)


def show_call_impact(calls, container=st):
    """Emergencies no longer shown as such first (an error), then the other calls read otherwise (a warning)."""
    if calls is None:
        return
    if calls.lost:
        container.error(f"{render.markdown_literal(calls.lost_line())}\n\n{_listed(calls, calls.lost)}",
                        icon=":material/emergency:")
    if calls.changed:
        container.warning(f"{render.markdown_literal(calls.changed_line())}\n\n{_listed(calls, calls.changed)}",
                          icon=":material/call_split:")
    container.caption(f"按修改前后的分类处置规则和来电示例重放了 {calls.replayed} 条来电（来电示例和近 {RECENT_DAYS} 天"
                      "坐席记录的来电）：" + ("分类都没有改变。" if not calls.shifts else "分类改变的已列在上面。"))
