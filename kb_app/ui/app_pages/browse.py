"""List of the knowledge base's entries on main."""

import streamlit as st

from kb_app.labels import KIND_LABELS, STATUS_LABELS, audience_label
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb

st.title("示例市 12345 知识库")
with show_errors():
    kb = get_kb()
    snap = kb.snapshot()
    today = kb.today()
    staff = st.session_state.get("user") is not None
    visible = [e for e in snap.entry_list if staff or e.is_public_on(today)]
    rows = [{"编号": e.id, "类型": KIND_LABELS[e.kind], "标题": e.title,
             "单位": snap.unit_name(e.unit), "受众": audience_label(e.audience),
             "状态": STATUS_LABELS[e.status(today)]}
            for e in sorted(visible, key=lambda e: (e.kind, e.unit, e.id))]
    st.caption(f"主干提交 {snap.commit[:10]} · 共 {len(rows)} 条")
    st.dataframe(rows, hide_index=True, width="stretch")
