"""Session helpers shared by the pages: the signed-in user, one-shot messages, and the answers and
articles opened after a search."""

from __future__ import annotations

import logging
import secrets

import streamlit as st

from kb_app.ui.auth_routes import COOKIE
from kb_app.ui.navigation import AGENT_DESK
from kb_app.ui.resources import get_kb

log = logging.getLogger(__name__)


def signed_in_user():
    """The user of this browser session, from the server-side session the cookie names; checked every run.

    A session that was signed out (in another tab too), ran idle, or whose user was disabled or got a
    new password gives None at the next run. The token is also kept in the session state, so a
    reconnection that comes without the cookie is still checked against the server.
    """
    token = _cookie() or st.session_state.get("session_token")
    if token:
        user = get_kb().sessions.resume(token)
        st.session_state["session_token"] = token if user else None
        st.session_state["user"] = user
    return st.session_state.setdefault("user", None)


def _cookie() -> str | None:
    # Only a string is a cookie (AppTest's stand-in client has none to give).
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else None


def require_user():
    """The signed-in user; a page for staff stops here, with a hint, for anyone else."""
    user = st.session_state.get("user")
    if user is None:
        st.warning("请先登录。")
        st.stop()
    return user


def flash(page: str, message: str, link: tuple | None = None, warnings=()):
    """Keep a message to show once on ``page`` after the next rerun, with an optional in-app link.

    ``link`` is ``(page file, label, query parameters)``: a page link stays in the signed-in session,
    where a Markdown link would open a new tab. ``warnings`` are said after the message, each as a warning
    (what stands in the way of what was done).
    """
    st.session_state[f"{page}_flash"] = (message, link, list(warnings))


def show_flash(page: str):
    """Show (and forget) the message kept for ``page``."""
    kept = st.session_state.pop(f"{page}_flash", None)
    message, link, warnings = (*(kept if isinstance(kept, tuple) else (kept,)), None, None)[:3]
    if message:
        st.success(message)
    for warning in warnings or ():
        st.warning(warning, icon=":material/person_off:")
    if link:
        st.page_link(link[0], label=link[1], query_params=link[2], icon=":material/arrow_forward:")


def log_open(kb, user, doc_id: str):
    """Record once per search that ``user`` opened an entry or article (``doc_id``), on the row of the
    search it came from (the console's last), so the search counts as answered."""
    search_id = st.session_state.get("search_log_id")
    key = f"opened:{search_id}:{doc_id}"
    if st.session_state.get(key):
        return
    st.session_state[key] = True
    audience = "agent" if user.role in AGENT_DESK else "staff"  # the console's users are the agents
    try:
        kb.feedback.log_open(doc_id, search_id=search_id, audience=audience, role=user.role,
                             username=user.username)
    except Exception:  # noqa: BLE001 - a failed log must not cost the reader the page
        log.exception("记录打开条目失败")


# -- the call being taken -------------------------------------------------------------------------


def call(text: str | None = None) -> str:
    """The token of the call the agent is taking (random, naming no one): what is recorded for the call carries it,
    so that a call counts once however many times an answer was taken for it (``kb.feedback.log_outcome``).

    A call lasts until something was recorded for it (:func:`call_settled`); a request after that (``text``: a new
    search, another analysis) is the next call, unless the call was about it already (the search handed over to
    派单助手 and dispatched there is the call answered from the search, which ends dispatched)."""
    current = st.session_state.get("call")
    if current is None or (text and current["settled"] and text not in current["texts"]):
        current = st.session_state["call"] = {"token": secrets.token_hex(16), "settled": False, "texts": []}
    if text and text not in current["texts"]:
        current["texts"].append(text)
    return current["token"]


def call_settled(how: str):
    """Something was recorded for the call (``how``: direct_answer, dispatch or transfer)."""
    call()
    st.session_state["call"].update(settled=True, how=how)


def call_withdrawn(how: str | None = None):
    """What was recorded for the call was taken back (撤销本次派单): the call is not settled yet, or is settled as it
    was before (``how``: an answer taken from the search before the dispatch, direct_answer)."""
    current = st.session_state.get("call")
    if current:
        current.update(settled=bool(how), how=how)


def call_outcome() -> str | None:
    """What was recorded for the call being taken (see :func:`call_settled`), or None."""
    current = st.session_state.get("call")
    return current.get("how") if current else None
