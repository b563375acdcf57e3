"""答复详情 — one answer: rendered safely, its legal basis, when it was checked, votes and error reports."""

import logging
import secrets

import streamlit as st

from kb_app import render
from kb_app.exceptions import AlreadyVoted, KbError
from kb_app.feedback import VOTER_COOKIE
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb

log = logging.getLogger(__name__)
AGENT_ROLES = {"agent", "center_reviewer", "admin"}


def back_link():
    st.page_link("app_pages/search.py", label="返回查询", icon=":material/arrow_back:")


def who():
    """(audience, role, username) of the person reading."""
    user = st.session_state.get("user")
    if user is None:
        return "public", "public", ""
    return ("agent" if user.role in AGENT_ROLES else "staff"), user.role, user.username


def log_open(kb, entry):
    key = f"opened:{entry.id}"
    if st.session_state.get(key):
        return
    st.session_state[key] = True
    audience, role, username = who()
    try:
        kb.feedback.log_open(entry.id, search_id=st.session_state.get("search_log_id"), audience=audience,
                             role=role, username=username)
    except Exception:  # noqa: BLE001 - a failed log must not cost the reader the answer
        log.exception("open log failed")


def show_header(reader, entry):
    st.title(entry.title)
    marks = reader.status_marks(entry) if reader.staff else []
    if marks:
        st.markdown(" ".join(f":red-badge[{m}]" for m in marks))
    st.caption(" · ".join([f"答复单位：{reader.unit_name(entry.unit)}", *entry.category[:3]]))
    if reader.staff:
        for problem in reader.format_problems(entry):
            st.error(f"**格式错误**：{render.markdown_literal(problem)}。请通知所属单位改正。", icon=":material/error:")
    why = reader.rechecking(entry)
    if why and reader.staff:
        st.warning(f"**依据已变更，待核**：{render.markdown_literal(why)}。答复前请核对现行条文。", icon=":material/rule:")
    elif why:
        st.info("本答复所依据的规定近期有修改，承办单位正在复核；如有疑问，请拨打 12345 咨询。", icon=":material/info:")
    if reader.staff and entry.agent_notes:
        notes = "\n\n".join(render.markdown_literal(line) for line in entry.agent_notes.splitlines() if line.strip())
        st.warning(f"**内部提示（仅坐席可见）**\n\n{notes}", icon=":material/lock:")


def show_basis(reader, entry):
    items = reader.basis(entry)
    checked = reader.last_checked(entry)
    st.subheader("政策依据", divider="gray")
    if not items:
        st.caption("本答复未列出政策依据。")
    for item in items:
        if item.article_id:
            st.page_link("app_pages/article.py", label=item.label, icon=":material/gavel:",
                         query_params={"id": item.article_id})
        else:
            st.markdown(f"- {render.markdown_literal(item.label)}", unsafe_allow_html=True)
    if checked:
        st.caption(f"最近核对：{checked:%Y年%m月%d日}")


def voter_key() -> str:
    """This browser session's voting key: the sign-in session's token, else the public site's voting
    cookie (``kb_voter``, so both count as one), else one kept for this visit."""
    token = st.session_state.get("session_token")
    if token:
        return f"session:{token}"
    cookie = st.context.cookies.get(VOTER_COOKIE)
    if isinstance(cookie, str) and cookie:
        return cookie
    return st.session_state.setdefault("voter_key", f"visit:{secrets.token_urlsafe(24)}")


def show_vote(kb, entry):
    st.subheader("这个回答有帮助吗？", divider="gray")
    voted = f"voted:{entry.id}"
    if st.session_state.get(voted):
        st.success(st.session_state[voted] if isinstance(st.session_state[voted], str) else "感谢您的反馈！")
        return
    audience, _role, username = who()
    yes, no = st.columns(2)
    for col, key, label, icon, helpful in ((yes, "vote_yes", "有帮助", ":material/thumb_up:", True),
                                           (no, "vote_no", "没帮助", ":material/thumb_down:", False)):
        if col.button(label, key=key, icon=icon, width="stretch"):
            try:
                kb.feedback.vote(entry.id, helpful, audience=audience, username=username,
                                 search_id=st.session_state.get("search_log_id"), voter=voter_key())
                st.session_state[voted] = "感谢您的反馈！"
            except AlreadyVoted as e:
                st.session_state[voted] = str(e)
            st.rerun()


def show_report(kb, entry):
    done = f"reported:{entry.id}"
    with st.expander("报告错误", icon=":material/flag:", expanded=bool(st.session_state.get(done))):
        if st.session_state.get(done):
            st.success("已收到您的报告，承办单位会尽快核实更正。谢谢！")
            return
        with st.form("report_form", clear_on_submit=False, border=False):
            text = st.text_area("哪里不对？", key="report_text", max_chars=1000,
                                placeholder="例如：材料清单已经变了，现在还需要……")
            st.caption("请不要填写姓名、电话等个人信息；需要答复的，请拨打 12345。")
            submitted = st.form_submit_button("提交", key="report_submit", type="primary")
        if submitted:
            audience, _role, username = who()
            kb.feedback.report_error(entry.id, text, audience=audience, username=username)
            st.session_state[done] = True
            st.rerun()


def show_copy(entry):
    with st.expander("复制答复文本", icon=":material/content_copy:"):
        st.caption("点右上角的复制图标，粘贴到工单中。")
        st.code(render.answer_text(entry), language=None, wrap_lines=True)


def main():
    kb = get_kb()
    user = st.session_state.get("user")
    reader = kb.reader(staff=user is not None)
    try:
        entry = reader.entry(st.query_params.get("id", ""))
    except KbError as e:
        st.error(str(e))
        back_link()
        return
    back_link()
    show_header(reader, entry)
    st.html(render.to_html(entry.body))
    show_basis(reader, entry)
    if user is not None and user.role in AGENT_ROLES:
        show_copy(entry)
    log_open(kb, entry)
    with show_errors():
        show_vote(kb, entry)
    with show_errors():
        show_report(kb, entry)


with show_errors():
    main()
