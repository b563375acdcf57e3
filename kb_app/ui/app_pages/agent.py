"""坐席工作台 — search over everything with status marks and internal notes, and the dispatch assistant
(kb_app.ui.dispatch_panel)."""

import logging

import streamlit as st

from kb_app import render
from kb_app.labels import KIND_LABELS
from kb_app.ui.dispatch_panel import dispatch_tab
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb

log = logging.getLogger(__name__)
ROLES = {"agent", "center_reviewer", "admin"}
KINDS = {"全部类型": None} | {label: kind for kind, label in KIND_LABELS.items()}
LIMIT = 10


# -- search ------------------------------------------------------------------------------------


def log_search(kb, user, query, kind, total):
    key = (query, kind)
    if st.session_state.get("agent_logged") == key:
        return
    st.session_state["agent_logged"] = key
    try:
        st.session_state["search_log_id"] = kb.feedback.log_search(query, audience="agent", hits=total,
                                                                   role=user.role, username=user.username)
    except Exception:  # noqa: BLE001 - a failed log must not cost the agent the results
        log.exception("search log failed")


def report_form(kb, user, entry_id):
    done = f"agent_reported:{entry_id}"
    if st.session_state.get(done):
        st.success("已提交纠错，已转给承办单位核实。")
        return
    with st.form(f"agent_report_{entry_id}", border=False):
        text = st.text_area("报告错误：哪里不对？", key=f"agent_report_text_{entry_id}", max_chars=1000)
        submitted = st.form_submit_button("提交纠错", key=f"agent_report_submit_{entry_id}")
    if submitted:
        kb.feedback.report_error(entry_id, text, audience="agent", username=user.username)
        st.session_state[done] = True
        st.rerun()


def show_hit(kb, reader, user, hit):
    entry = reader.snap.entries.get(hit.id) if hit.kind != "article" else None
    with st.container(border=True):
        page = "app_pages/article.py" if hit.kind == "article" else "app_pages/answer.py"
        st.page_link(page, label=hit.title, icon=":material/article:", query_params={"id": hit.id})
        marks = reader.status_marks(entry) if entry else []
        st.markdown(" ".join([f":gray-badge[{KIND_LABELS.get(hit.kind, hit.kind)}]",
                              *(f":red-badge[{m}]" for m in marks)]))
        if hit.snippet:
            st.markdown(render.snippet_html(hit.snippet), unsafe_allow_html=True)
        st.caption(" · ".join([hit.unit_name or hit.unit, *hit.category[:3]]))
        if entry is None:
            return
        for problem in reader.format_problems(entry):
            st.error(f"**格式错误**：{render.markdown_literal(problem)}", icon=":material/error:")
        if entry.agent_notes:
            notes = "\n\n".join(render.markdown_literal(x) for x in entry.agent_notes.splitlines() if x.strip())
            st.warning(f"**内部提示（仅坐席可见）**\n\n{notes}", icon=":material/lock:")
        with st.expander("复制答复 · 报告错误", icon=":material/content_copy:"):
            st.caption("点右上角的复制图标，粘贴到工单中。")
            st.code(render.answer_text(entry), language=None, wrap_lines=True)
            adopt_button(kb, user, entry.id)
            with show_errors():
                report_form(kb, user, entry.id)


def adopt_button(kb, user, entry_id):
    """The agent takes this answer for the call: evidence that it answers the query (kb_app.usage.suggest)."""
    done = f"agent_adopted:{st.session_state.get('search_log_id')}:{entry_id}"
    if st.session_state.get(done):
        st.caption("已记为采用此答复。")
    elif st.button("采用此答复", key=f"agent_adopt_{entry_id}", icon=":material/done:"):
        kb.feedback.log_use(entry_id, st.session_state.get("search_log_id"), user.username)
        st.session_state[done] = True
        st.rerun()


def search_tab(kb, user):
    query = st.text_input("检索（含内部口径、派单目录和条文）", key="agent_q",
                          placeholder="输入来电人说的话或关键词")
    kind_label = st.segmented_control("类型", list(KINDS), key="agent_kind", default="全部类型")
    query = (query or "").strip()
    if not query:
        st.caption("检索范围包括全部条目；未生效、已失效和内部条目会标出。")
        return
    kind = KINDS.get(kind_label or "全部类型")
    results = kb.search(query, audience="agent", limit=LIMIT, kind=kind)
    log_search(kb, user, query, kind, results.total)
    if not results.hits:
        st.warning("没有找到相关条目：换个说法，或用派单助手按诉求内容查找承办单位。")
        return
    st.caption(f"共 {results.total} 条，显示前 {len(results.hits)} 条")
    reader = kb.reader(staff=True)
    for hit in results.hits:
        show_hit(kb, reader, user, hit)


def main():
    user = st.session_state.get("user")
    if user is None or user.role not in ROLES:
        st.error("坐席工作台仅对坐席开放：请先以坐席账号登录。")
        return
    st.title("坐席工作台")
    kb = get_kb()
    search, dispatch = st.tabs(["检索", "派单助手"])
    with search:
        with show_errors():
            search_tab(kb, user)
    with dispatch:
        with show_errors():
            dispatch_tab(kb, user)


with show_errors():
    main()
