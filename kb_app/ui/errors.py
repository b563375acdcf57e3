"""The one place where errors become what a person sees on a page."""

from __future__ import annotations

import contextlib
import logging

import streamlit as st

from kb_app.exceptions import DatabaseUnusable, KbError

log = logging.getLogger(__name__)

#: What anyone but an administrator is told while the workflow database cannot be used: the file's path and
#: the commands that repair it are for the log, ``kb doctor`` and the administrators.
SYSTEM_DOWN = "系统暂时无法使用，已记录。请稍后重试；如果问题持续，请联系管理员。"
#: The last trouble with the database written to the log (said once, not at every run of a page).
_logged: list[str] = []


def said(e: KbError, user=None) -> str:
    """What a person is shown of ``e``: its message; of a workflow database that cannot be used, the message
    (file, what to do) only to a signed-in administrator, :data:`SYSTEM_DOWN` to anyone else. The whole of it,
    with SQLite's own words, goes to the log."""
    if not isinstance(e, DatabaseUnusable):
        return str(e)
    if _logged != [str(e)]:
        _logged[:] = [str(e)]
        log.error("流程数据库无法使用：%s%s", e, f"（SQLite：{e.detail}）" if e.detail else "")
    return str(e) if getattr(user, "role", None) == "admin" else SYSTEM_DOWN


@contextlib.contextmanager
def show_errors():
    """A KbError becomes st.error with its Chinese message; anything else is logged and explained."""
    try:
        yield
    except KbError as e:
        st.error(said(e, st.session_state.get("user")))
    except Exception:  # noqa: BLE001 - a page must never show a traceback to citizens
        log.exception("页面出现意外错误")
        st.error("系统出现意外错误，已记录。请稍后重试；如果问题持续，请联系管理员。")
