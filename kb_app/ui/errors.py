"""The one place where errors become what a person sees on a page."""

from __future__ import annotations

import contextlib
import logging

import streamlit as st

from kb_app.exceptions import KbError

log = logging.getLogger(__name__)


@contextlib.contextmanager
def show_errors():
    """A KbError becomes st.error with its Chinese message; anything else is logged and explained."""
    try:
        yield
    except KbError as e:
        st.error(str(e))
    except Exception:  # noqa: BLE001 - a page must never show a traceback to citizens
        log.exception("页面出现意外错误")
        st.error("系统出现意外错误，已记录。请稍后重试；如果问题持续，请联系管理员。")
