"""坐席工作台 — search over everything with status marks and internal notes, and the dispatch assistant."""

import logging

import streamlit as st

from kb_app import render
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb

log = logging.getLogger(__name__)
ROLES = {"agent", "center_reviewer", "admin"}
KINDS = {"全部类型": None, "答复口径": "policy", "派单目录": "directory", "条例条文": "article"}
KIND_LABELS = {"policy": "答复口径", "directory": "派单目录", "article": "条例条文"}
LEVELS = {"city": "市级", "district": "区级", "street": "街道（乡镇）"}
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
    """The agent takes this answer for the call: evidence that it answers the query (kb_app.suggest)."""
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


# -- dispatch ----------------------------------------------------------------------------------


def show_rule(rule):
    lines = [f"**{rule.name}** — {rule.action_label}"]
    if rule.transfer_to:
        lines.append(f"转接：**{render.markdown_literal(rule.transfer_to)}**")
    if rule.channel:
        lines.append(f"渠道：{render.markdown_literal(rule.channel)}")
    if rule.script:
        lines.append(f"话术：{render.markdown_literal(rule.script)}")
    lines.append(f"触发词：“{render.markdown_literal(rule.trigger)}”")
    body = "\n\n".join(lines)
    if rule.action == "transfer":
        st.error(body, icon=":material/emergency:")
    else:
        st.warning(body, icon=":material/rule:")


def candidate_rows(result):
    rows = []
    for c in result.candidates:
        rows.append({
            "事项": c.title, "主办单位": c.handler_name or c.handler, "时限": c.tier_name,
            "办结期限": f"{c.due.at:%Y-%m-%d %H:%M} 前" if c.due else "无法计算",
            "7×24": "是" if c.round_the_clock else "",
            "协办单位": "、".join(name for _u, name in c.co_handlers) or "—",
            "层级": LEVELS.get(c.level, c.level or "—"),
            "计时方式": ("自然小时" if c.due.clock else "法定工作日") if c.due else "—",
            "参考": c.note,
        })
    return rows


def show_dispatch(result):
    st.caption(f"受理时间：{result.now:%Y-%m-%d %H:%M}")
    if result.rule:
        show_rule(result.rule)
    else:
        st.success("未命中分类处置规则，可以按下列派单目录派单。", icon=":material/check_circle:")
    if result.round_the_clock:
        st.info(f"涉及 7×24 小时服务领域（{'、'.join(result.round_the_clock)}）：随时受理，立即派单。",
                icon=":material/schedule:")
    if not result.candidates:
        st.warning("派单目录中没有匹配的事项：请补充诉求细节，或按职责边界人工判断承办单位。")
        return
    for message in dict.fromkeys(c.due_error for c in result.candidates if c.due_error):
        st.warning(message, icon=":material/calendar_month:")
    st.subheader("派单目录参考（请先按上方规则处置）" if result.rule else "建议派单", divider="gray")
    top = result.candidates[0]
    due = top.due.label() if top.due else "无法计算（见下方提示）"
    co = "、".join(name for _u, name in top.co_handlers)
    st.markdown(f"首选：**{render.markdown_literal(top.title)}** → 主办 **{render.markdown_literal(top.handler_name)}**"
                + (f"，协办 {render.markdown_literal(co)}" if co else "")
                + f"\n\n办结期限：**{render.markdown_literal(due)}**" + ("　:red-badge[7×24]" if top.round_the_clock else "")
                + (f"\n\n:gray-badge[{render.markdown_literal(top.note)}]" if top.note else ""),
                unsafe_allow_html=True)
    st.dataframe(candidate_rows(result), hide_index=True, width="stretch")
    st.page_link("app_pages/answer.py", label=f"查看“{top.title}”的职责边界", icon=":material/article:",
                 query_params={"id": top.entry_id})


OTHER_ENTRY = "__other__"


def confirm_dispatch(kb, user, result):
    """Where the request finally goes — a suggested entry or one picked by hand — kept as dispatch history."""
    key = ("dispatch_confirmed", result.text, result.now.isoformat())
    if st.session_state.get("dispatch_confirmed") == key:
        st.success("已确认派单，并记入派单历史（今后相似诉求的派单会参考它）。", icon=":material/task_alt:")
        return
    options = {c.entry_id: f"{i}. {c.title}（{c.handler_name or c.handler}）" for i, c in enumerate(result.candidates, 1)}
    choice = st.radio("确认派单事项", [*options, OTHER_ENTRY], key="dispatch_choice",
                      format_func=lambda k: options.get(k, "其他事项（从派单目录中选择）"))
    if choice == OTHER_ENTRY:
        titles = {e.id: f"{e.title}（{e.id}）" for e in kb.snapshot().directory()}
        choice = st.selectbox("派单目录事项", list(titles), format_func=titles.get, index=None,
                              placeholder="输入事项名称查找", key="dispatch_manual")
    if st.button("确认派单", key="dispatch_confirm", disabled=not choice):
        rank = list(options).index(choice) + 1 if choice in options else None
        kb.dispatch_history.confirm(user, result.text, choice, rank)
        st.session_state["dispatch_confirmed"] = key
        st.rerun()


def dispatch_tab(kb, user):
    text = st.text_area("来电人诉求", key="dispatch_text", height=120,
                        placeholder="粘贴或输入来电人的原话，例如：楼道里有很大的煤气味")
    if st.button("分析派单", key="dispatch_go", type="primary"):
        if not (text or "").strip():
            st.session_state.pop("dispatch_result", None)
            st.warning("请先输入来电人的诉求。")
            return
        st.session_state["dispatch_result"] = kb.dispatch(text)
    result = st.session_state.get("dispatch_result")
    if result is not None:
        show_dispatch(result)
        confirm_dispatch(kb, user, result)


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
