"""Session helpers shared by the pages: the signed-in user and one-shot messages."""

from __future__ import annotations

import streamlit as st

from kb_app.ui.auth_routes import COOKIE
from kb_app.ui.resources import get_kb


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


def flash(page: str, message: str, link: tuple | None = None):
    """Keep a message to show once on ``page`` after the next rerun, with an optional in-app link.

    ``link`` is ``(page file, label, query parameters)``: a page link stays in the signed-in session,
    where a Markdown link would open a new tab.
    """
    st.session_state[f"{page}_flash"] = (message, link)


def show_flash(page: str):
    """Show (and forget) the message kept for ``page``."""
    kept = st.session_state.pop(f"{page}_flash", None)
    message, link = kept if isinstance(kept, tuple) else (kept, None)
    if message:
        st.success(message)
    if link:
        st.page_link(link[0], label=link[1], query_params=link[2], icon=":material/arrow_forward:")
