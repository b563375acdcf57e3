"""派单异议: a handler unit objects to a directory entry; the list of objections and their outcomes."""

import streamlit as st

from kb_app.labels import SELECT_PLACEHOLDER
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb
from kb_app.ui.tables import when

st.title("派单异议")
st.caption("依据《北京市接诉即办工作条例》第十二条第三款、《保定市接诉即办工作条例》第二十条：承办单位认为派单目录中的事项"
           "不属于本单位职责的，可以提出异议，写明理由和建议的承办单位。异议由热线中心审核，并须经建议的承办单位同意后方可改派。")

user = st.session_state.get("user")
with show_errors():
    kb = get_kb()
    snap = kb.snapshot()
    mine = [e for e in snap.directory() if user is not None and e.handler == user.unit]
    if user is not None and user.role in ("unit_editor", "unit_reviewer"):
        st.subheader("提出异议")
        if not mine:
            st.info("本单位目前不是任何派单目录事项的主办单位。")
        else:
            labels = snap.titles_to_choose(mine)
            # Nothing chosen until the unit picks: a careless 提交异议 must not object to the first item in the list.
            entry_id = st.selectbox("事项", list(labels), format_func=labels.get, index=None,
                                    placeholder=SELECT_PLACEHOLDER, key="objection_entry")
            units = {u: info.get("name", u) for u, info in snap.units.items()
                     if u != user.unit and info.get("active", True) is not False}
            proposed = st.selectbox("建议的承办单位", list(units), format_func=units.get, index=None,
                                    placeholder=SELECT_PLACEHOLDER, key="objection_unit")
            co_handle = st.checkbox("本单位改为协办（仍参与办理）", key="objection_co",
                                    help="异议的是由谁主办、本单位仍应配合办理的，勾选此项；不勾选则本单位退出该事项。")
            reasons = st.text_area("异议理由与依据", key="objection_reasons",
                                   placeholder="说明该事项为什么不属于本单位职责，引用职责分工文件或法规条文。")
            chosen = snap.entries.get(entry_id) if entry_id else None
            boundary = st.text_area(
                "职责边界（选填：可修改事项说明，写明哪些情形归哪个单位）", value=chosen.body if chosen else "",
                key=f"objection_boundary_{entry_id}", height=160,
                help="审核人会看到您对事项说明的修改；不修改则只改派承办单位。") if chosen else None
            request = st.text_area("引发异议的工单（选填）", key="objection_request",
                                   placeholder="粘贴被派到本单位的来电诉求；异议成立后记入派单历史，供今后派单参考。")
            if st.button("提交异议", key="objection_submit", type="primary",
                         disabled=not (entry_id and proposed), help=None if entry_id and proposed else "请先选择事项和建议的承办单位。"):
                cr = kb.file_objection(user, entry_id, reasons, proposed, request, co_handle, boundary)
                awaiting = kb.review.awaiting(cr)
                st.success(f"已提交派单异议（变更请求 #{cr.id}）" + (f"，{awaiting.words}。" if awaiting.words else "。"))
                if stale := kb.stale_boundary(cr):
                    st.warning(stale, icon=":material/rule:")
                for advice in awaiting.advice:
                    st.warning(advice, icon=":material/person_off:")

    st.subheader("异议记录")
    shown = 0
    for e in snap.directory():
        records = kb.objections(e.id)
        if not records or (user is not None and user.role in ("unit_editor", "unit_reviewer")
                           and user.unit not in {e.handler, *(r["to"] for r in records), *(r["from"] for r in records)}):
            continue
        for r in records:
            shown += 1
            with st.container(border=True):
                st.markdown(f"**{e.title}** · 变更请求 #{r['cr']} · **{r['outcome']}**")
                st.markdown(f"{snap.unit_name(r['from'])} → {snap.unit_name(r['to'])}　提出人：{r['filed_by_name']}　{when(r['filed'])}")
                st.markdown(f"异议理由：{r['reasons']}")
                for d in r["decisions"]:
                    if d.get("detail"):
                        st.caption(f"{when(d['at'])} {d['actor_name']}：{d['detail']}")
    if not shown:
        st.info("暂无派单异议记录。")
