"""Session helpers shared by the pages: the signed-in user and one-shot messages."""

from __future__ import annotations

import streamlit as st


def require_user():
    """The signed-in user; a page for staff stops here, with a hint, for anyone else."""
    user = st.session_state.get("user")
    if user is None:
        st.warning("请先登录。")
        st.stop()
    return user


def flash(page: str, message: str):
    """Keep a message to show once on ``page`` after the next rerun."""
    st.session_state[f"{page}_flash"] = message


def show_flash(page: str):
    """Show (and forget) the message kept for ``page``."""
    message = st.session_state.pop(f"{page}_flash", None)
    if message:
        st.success(message)
