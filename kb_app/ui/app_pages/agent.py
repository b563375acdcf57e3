"""坐席工作台 — search over everything with status marks and internal notes, and the dispatch assistant
(kb_app.ui.dispatch_panel).

The search lives in the address (``/agent?q=…&kind=…&page=2``): every new query or page is a new
browser history entry, so a link or a reload shows the same results and the back button returns to
the results before. The address is the source of truth: when it changes from outside (back, forward,
a link), the search box follows it.
"""

import logging

import streamlit as st

from kb_app import render
from kb_app.labels import KIND_LABELS
from kb_app.ui.dispatch_panel import dispatch_tab, hand_over
from kb_app.ui.errors import show_errors
from kb_app.ui.links import adopt_caution, entry_link, pending_notice, public_answer_link
from kb_app.ui.navigation import AGENT_DESK
from kb_app.ui.resources import get_kb
from kb_app.ui.state import call, call_outcome, call_settled
from kb_app.ui.style import badges

log = logging.getLogger(__name__)
KINDS = {"全部类型": None} | {label: kind for kind, label in KIND_LABELS.items()}
KIND_NAMES = {value: label for label, value in KINDS.items()}
LIMIT = 10
MAX_QUERY = 500


# -- search ------------------------------------------------------------------------------------


def log_search(kb, user, query, kind, total, weak=False):
    key = (query, kind)
    if st.session_state.get("agent_logged") == key:
        return
    st.session_state["agent_logged"] = key
    try:
        # The same search again during the call (another type, back after another search) is one request.
        st.session_state["search_log_id"] = kb.feedback.log_search(query, audience="agent", hits=total,
                                                                   role=user.role, username=user.username,
                                                                   weak=weak, asker=f"call:{call(query)}")
    except Exception:  # noqa: BLE001 - a failed log must not cost the agent the results
        log.exception("记录检索日志失败")


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


def show_hit(kb, reader, user, hit, query):
    newest = reader.snap.entries.get(hit.id) if hit.kind != "article" else None
    # The version in force today, as the search found it: a new version scheduled for a later day is
    # shown beside it, marked 未生效, until then.
    entry = reader.current(newest) if newest is not None else None
    with st.container(border=True):
        entry_link(hit.id, hit.title)
        marks = reader.status_marks(entry) if entry else []
        st.markdown(" ".join([f":gray-badge[{KIND_LABELS.get(hit.kind, hit.kind)}]",
                              *badges(marks),
                              *([":gray-badge[关系较远]"] if hit.loose else [])]))
        if hit.snippet:
            st.markdown(render.snippet_html(hit.snippet), unsafe_allow_html=True)
        # A catalogue entry is read for who handles the matter (主办), not the unit keeping the entry.
        who = (f"主办：{reader.unit_name(entry.handler)}" if hit.kind == "directory" and entry is not None and entry.handler
               else hit.unit_name or hit.unit)
        st.caption(" · ".join([who, *hit.category[:3]]))
        if hit.kind == "article":
            adopt_button(kb, user, hit.id, query, "采用此条文")
        if entry is None:
            return
        pending_notice(reader, entry, user)
        public_answer_link(kb, entry)
        if upcoming := reader.upcoming(entry):
            with st.expander(f"新版本 {upcoming.effective.isoformat()} 起生效（未生效），此前仍按上面的答复",
                             icon=":material/schedule:"):
                st.markdown(render.snippet_html(render.answer_text(upcoming)), unsafe_allow_html=True)
        for problem in reader.format_problems(entry):
            st.error(f"**格式错误**：{render.markdown_literal(problem)}", icon=":material/error:")
        if notes := render.agent_notes_markdown(entry):
            st.warning(notes, icon=":material/lock:")
        # In view on every answer in force: the answers agents take are what teaches the search
        # (kb_app.usage.suggest); one expired or not yet in force, or a catalogue entry, is no answer to give.
        answer = hit.kind == "policy" and entry.status(kb.today()) == "in_force"
        if answer:
            adopt_caution(reader, entry)
            adopt_button(kb, user, entry.id, query)
        # Opened to copy the answer for the caller's work order: the call is answered with it, as by 采用此答复.
        # A catalogue entry is no answer to read out: what is copied is its boundary, for the order.
        copy = "复制答复" if hit.kind == "policy" else "复制职责边界"
        with st.expander(copy, icon=":material/content_copy:", key=f"agent_copy_{entry.id}",
                         on_change="rerun") as fold:
            if answer and fold.open:
                with show_errors():
                    answered(kb, user, entry.id, query)
                st.caption(f"点右上角的复制图标，粘贴到工单中。{answered_note()}")
            else:
                st.caption("点右上角的复制图标，粘贴到工单中。")
            st.code(render.answer_text(entry), language=None, wrap_lines=True)
        with st.expander("报告错误", icon=":material/flag:"):
            with show_errors():
                report_form(kb, user, entry.id)


def adopt_button(kb, user, entry_id, query, label="采用此答复"):
    """The agent takes this answer (or explains this article) for the call: evidence that it answers
    the query (kb_app.usage.suggest); an answer taken answers the call directly (once a call)."""
    done = f"agent_adopted:{st.session_state.get('search_log_id')}:{entry_id}"
    if st.session_state.get(done):
        st.caption(f"已记为{label}。" + ("" if label == "采用此条文" else answered_note()))
    elif st.button(label, key=f"agent_adopt_{entry_id}", icon=":material/done:"):
        if label == "采用此条文":  # an article explained is no answer of the knowledge base's: no outcome
            kb.feedback.log_use(entry_id, st.session_state.get("search_log_id"), user.username)
        else:
            answered(kb, user, entry_id, query)
        st.session_state[done] = True
        st.rerun()


def answered(kb, user, entry_id, query):
    """The call is answered with this answer: 直接答复 for the statistics, once a call (a dispatch of the same call
    later counts it as dispatched instead)."""
    token = call(query)
    done = f"agent_answered:{token}:{entry_id}"
    if st.session_state.get(done):
        return
    kb.feedback.answered(entry_id, query, token, st.session_state.get("search_log_id"), user.username, user.role)
    st.session_state[done] = True
    if call_outcome() is None:
        call_settled("direct_answer")


def answered_note() -> str:
    """What the statistics count the call as, said where an answer was taken."""
    if call_outcome() == "dispatch":
        return "本次来电已派单，按派单计。"
    return "本次来电计为直接答复（每个来电只计一次；之后在派单助手派单的，改按派单计）。"


def address() -> tuple[str, str | None, int]:
    """(query, kind, page) as the address has them; what cannot be read is left out."""
    params = st.query_params
    kind = params.get("kind")
    page = params.get("page", "")
    return ((params.get("q") or "").strip()[:MAX_QUERY], kind if kind in KIND_NAMES else None,
            int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1)


def follow_address():
    """When the address changed from outside (back, forward, a link), the search box follows it."""
    shown = address()
    if st.session_state.get("agent_address") == shown and "agent_kind" in st.session_state:
        return
    query, kind, page = shown
    st.session_state["agent_q"] = query
    st.session_state["agent_kind"] = KIND_NAMES[kind]
    st.session_state["agent_page"] = page
    st.session_state["agent_for"] = (query, kind)
    st.session_state["agent_address"] = shown


def keep_in_address(query: str, kind: str | None, page: int):
    """Write the search into the address: a new browser history entry when it changed."""
    wanted = (query, kind, page)
    if address() != wanted:
        params = {"q": query, "kind": kind or "", "page": str(page) if page > 1 else ""}
        st.query_params.from_dict({k: v for k, v in params.items() if v})
    st.session_state["agent_address"] = wanted


def turn_to(page: int):
    st.session_state["agent_page"] = page


def pager(page: int, pages: int):
    """上一页 / 第 n/N 页 / 下一页."""
    before, here, after = st.columns([1, 2, 1], vertical_alignment="center")
    before.button("上一页", key="agent_prev", icon=":material/chevron_left:", disabled=page <= 1,
                  on_click=turn_to, args=(page - 1,), width="stretch")
    here.caption(f"第 {page}/{pages} 页")
    after.button("下一页", key="agent_next", icon=":material/chevron_right:", disabled=page >= pages,
                 on_click=turn_to, args=(page + 1,), width="stretch")


def search_tab(kb, user):
    follow_address()
    query = st.text_input("检索（含内部口径、派单目录和条文）", key="agent_q",
                          placeholder="输入来电人说的话或关键词")
    kind_label = st.segmented_control("类型", list(KINDS), key="agent_kind")
    query, kind = (query or "").strip()[:MAX_QUERY], KINDS.get(kind_label or "全部类型")
    if st.session_state.get("agent_for") != (query, kind):  # a new search starts on its first page
        st.session_state["agent_for"], st.session_state["agent_page"] = (query, kind), 1
    page = st.session_state.get("agent_page", 1)
    if not query:
        keep_in_address("", kind, 1)
        st.caption("检索范围包括全部条目；未生效、已失效和内部条目会标出。")
        return
    alarm = kb.public_alarm(query)
    urgent = not alarm and kb.public_report(query) == "urgent"
    hand_over(kb, query, at_once=bool(alarm or urgent))
    if alarm:  # before any result: the caller may be in danger now (suspected counts: fail closed)
        # As 派单助手 says it, when it has read these words: an emergency told as happening now is put through
        # at once; a suspected one is asked about first.
        handed = st.session_state.get("dispatch_result")
        confirmed = handed is not None and handed.text == query and handed.urgency == "emergency"
        said = "正在发生的紧急情况（{}）：立即转接 " if confirmed else "可能是正在发生的紧急情况（{}）：请先向来电人确认，属实立即转接 "
        st.error(f"**{said.format(render.markdown_literal(alarm['event']))}"
                 f"{render.markdown_literal(alarm['line'])}（{render.markdown_literal(alarm['channel'])}）"
                 + (f"，同时需要 {render.markdown_literal('、'.join(alarm['also']))}" if alarm.get("also") else "")
                 + "。**\n\n"
                 "转接话术和判断依据在“派单助手”里：来电人的话已填入并分析好。", icon=":material/emergency:")
    elif urgent:  # 燃气异味, 水管爆裂: the shortest time limit
        # The safety steps are in an answer, which the catalogue's entry of the matter (燃气泄漏) may rank above: named.
        answer = kb.search(query, audience="agent", kind="policy", limit=1).hits
        where = f"（见答复口径“{render.markdown_literal(answer[0].title)}”）" if answer else ""
        st.error(f"**这类情况需要立即处置：请先提醒来电人注意安全{where}，再到“派单助手”立即派单"
                 "（来电人的话已填入并分析好）。**", icon=":material/notification_important:")
    results = kb.search(query, audience="agent", limit=LIMIT, kind=kind, offset=(page - 1) * LIMIT)
    pages = max(1, -(-results.total // LIMIT))
    if page > pages:  # an address with a page past the end: the last page
        page = st.session_state["agent_page"] = pages
        results = kb.search(query, audience="agent", limit=LIMIT, kind=kind, offset=(page - 1) * LIMIT)
    keep_in_address(query, kind, page)
    log_search(kb, user, query, kind, results.total, results.weak)
    if results.missing and alarm:  # the transfer is the answer: nothing is missing
        return
    if results.missing:
        st.warning(f"知识库里没有提到{results.unknown_quoted}，没有可用的答复口径：可用派单助手按诉求内容查找承办单位。"
                   "这次检索会记入“维护任务”页的“缺失的答复”，由热线中心交承办单位补充。", icon=":material/help:")
        return
    if not results.hits:
        st.warning("没有找到相关条目：换个说法，或用派单助手按诉求内容查找承办单位。")
        return
    if results.corrected:
        st.info(f"已按“{results.corrected}”查找（输入的是“{query}”，按同音字改正）。", icon=":material/spellcheck:")
    if results.weak:
        st.warning(f"知识库里没有提到{results.unknown_quoted}：下面的条目只和来电人说的部分词语有关，"
                   "不是对这个问题的答复。没有采用其中的答复时，这次检索会记入“维护任务”页的“缺失的答复”，由热线中心交承办单位补充。",
                   icon=":material/help:")
    first = (page - 1) * LIMIT + 1
    close = f"（关系较近的 {results.close} 条）" if results.close is not None and results.close < results.total else ""
    st.caption(f"共 {results.total} 条{close}，第 {first}–{first + len(results.hits) - 1} 条")
    reader = kb.reader(staff=True)
    for hit in results.hits:
        show_hit(kb, reader, user, hit, query)
    if pages > 1:
        pager(page, pages)


def main():
    user = st.session_state.get("user")
    if user is None or user.role not in AGENT_DESK:
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
