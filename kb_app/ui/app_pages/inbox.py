"""Maintenance tasks (维护任务): a unit's inbox; the hotline center sees every unit and assigns queries."""

import streamlit as st

from kb_app import suggest
from kb_app.feedback import CENTER_ROLES
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb

st.title("维护任务")
user = st.session_state.get("user")


def show_suggestion(t):
    """A suggested phrasing: the evidence, and the change request that adds it, ready to submit."""
    data = suggest.task_suggestion(t)
    st.markdown(f"建议把问法 **“{data['phrasing']}”** 加入条目的 `{data['field']}`：{data['evidence']} 次检索用这个问法"
                f"找到并确认了本条目（公众评价有帮助 {data['helpful']} 次，坐席采用 {data['adopted']} 次）。")
    if t.state != "open":
        return
    phrasing = st.text_input("问法（可修改后提交）", value=data["phrasing"], key=f"inbox_phrasing_{t.id}")
    if st.button("采纳：发起变更请求", key=f"inbox_accept_{t.id}", type="primary"):
        with show_errors():
            cr = suggest.accept(kb, user, t.id, phrasing)
            st.success(f"已发起变更请求 #{cr.id}，经单位审核人和热线中心校核后发布。")

with show_errors():
    kb = get_kb()
    snap = kb.snapshot()
    center = getattr(user, "role", None) in CENTER_ROLES
    if center:
        units = {"": "全部单位", **{u: snap.unit_name(u) for u in snap.units}}
        unit = st.selectbox("单位", list(units), format_func=units.get, key="inbox_unit")
    else:
        unit = getattr(user, "unit", "") or ""
        st.caption(f"单位：{snap.unit_name(unit)}")
    show_all = st.checkbox("包括已完成和已驳回的任务", value=False, key="inbox_all")
    if center and st.button("按到期、复核日期和评价生成任务", key="inbox_generate"):
        new = kb.feedback.generate_tasks()
        st.success(f"新生成 {len(new)} 个维护任务。")
    if not center and not unit:
        st.info("您的账号没有所属单位，没有维护任务。")
        tasks = []
    else:
        tasks = kb.feedback.list_tasks(unit or None, state=None if show_all else "open")
    overdue = sum(t.overdue for t in tasks)
    c1, c2 = st.columns(2)
    c1.metric("任务数", len(tasks))
    c2.metric("已超期", overdue)
    if not tasks:
        st.success("没有待处理的维护任务。")
    for t in tasks:
        mark = "🔴 已超期" if t.overdue else t.state_label
        due = t.due or "期限未定"
        with st.expander(f"#{t.id} ［{t.kind_label}］{t.title} · 期限 {due} · {mark}", expanded=t.overdue):
            st.caption(f"单位：{snap.unit_name(t.unit)}　创建：{t.created[:16].replace('T', ' ')}")
            if t.kind == suggest.KIND:
                show_suggestion(t)
            elif t.detail:
                st.text(t.detail)
            if t.state != "open":
                st.caption(f"处理：{t.closed[:16].replace('T', ' ')} {t.closed_by} {t.close_reason}")
                continue
            if t.entry:
                st.markdown(f"[✏️ 修改该条目（发起变更）](edit?entry={t.entry})")
            reason = st.text_input("驳回理由", key=f"inbox_reason_{t.id}")
            if st.button("驳回任务", key=f"inbox_dismiss_{t.id}"):
                with show_errors():
                    kb.feedback.dismiss(t.id, reason, user)
                    st.success(f"维护任务 #{t.id} 已驳回。")
                    st.rerun()

    if center:
        st.divider()
        st.subheader("缺失的答复")
        st.caption("近 30 天没有结果、或很少有人打开结果的查询，按内容相近归组；分派给单位补充或完善答复口径。")
        groups = [g for g in suggest.missing_answers(kb) if not g["assigned"]]
        if not groups:
            st.caption("近 30 天没有待分派的缺失答复。")
        else:
            st.dataframe([{"内容": g["label"], "代表查询": g["query"], "查询次数": g["searches"], "问法数": g["phrasings"],
                           "无结果次数": g["zero"], "打开结果比例": f"{g['success_rate']:.0%}", "最近一次": g["last"],
                           "示例": "；".join(g["examples"])} for g in groups], hide_index=True, key="inbox_missing_table")
            labels = {i: f"{g['query']}（{g['searches']} 次）" for i, g in enumerate(groups)}
            chosen = st.selectbox("查询组", list(labels), format_func=labels.get, key="inbox_missing_group")
            target = st.selectbox("分派给", list(snap.units), format_func=snap.unit_name, key="inbox_zero_unit")
            if st.button("分派", key="inbox_assign"):
                with show_errors():
                    pk = suggest.assign_missing(kb, groups[chosen], target, user)
                    st.success(f"已分派给{snap.unit_name(target)}：维护任务 #{pk}。")
