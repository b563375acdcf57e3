"""The sign-in page of the staff app: the log-in form, and what a signed-out visitor of a staff page sees.

Signed out, every staff page's address shows this sign-in (the page's own address is kept as ``next``,
so the log-in route sends the browser back to it); citizens are pointed to the public site.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from kb_app.accounts.throttle import LOCK_TIME, MAX_CLIENT_FAILURES, MAX_FAILURES, WINDOW
from kb_app.ui.auth_routes import login_form, read_notice, safe_next
from kb_app.ui.links import public_site
from kb_app.ui.resources import get_kb


def page_address(url_path: str) -> str:
    """This page's address in the app (path and query), to come back to after signing in."""
    query = {k: v for k, v in st.query_params.to_dict().items() if k not in ("notice", "username", "next")}
    return safe_next(f"/{url_path}" + (f"?{urlencode(query)}" if query else ""))


def public_site_link(label: str = ""):
    """The way to the public self-service (opens in a new tab), for citizens who arrive here."""
    url = public_site(get_kb())
    st.page_link(url, label=label or f"市民查询政策问答，请访问公众网站：{url}", icon=":material/public:")


def take_notice() -> str | None:
    """The log-in route's message (a failed log-in's reason), read once: it leaves the address, so the
    address bar shows no signed text and reloading or bookmarking the page does not repeat it."""
    if "notice" not in st.query_params:
        return None
    notice = read_notice(st.query_params["notice"])
    del st.query_params["notice"]
    return notice


def sign_in(next_path: str = "", asked_for: str = ""):
    """The log-in form; after signing in the browser goes to ``next_path`` (or the user's landing page)."""
    st.title("登录")
    if asked_for:
        st.info(f"“{asked_for}”是工作人员页面：请先登录，登录后自动回到该页面。", icon=":material/lock:")
    st.caption("单位编辑、审核人员、坐席和管理员登录后使用。")
    if notice := take_notice():
        st.error(notice)
    st.html(login_form(st.query_params.get("username", ""), next_path))
    st.caption(f"{WINDOW.seconds // 60} 分钟内某个账号登录失败 {MAX_FAILURES} 次（同一地址 {MAX_CLIENT_FAILURES} 次）后，"
               "该账号（该地址）暂停登录 "
               f"{LOCK_TIME.seconds // 60} 分钟；忘记密码请联系管理员重置。")
    public_site_link()


def staff_page_signed_out(title: str, url_path: str):
    """What a staff page's address shows to somebody signed out: sign in, then come back here."""
    sign_in(page_address(url_path), asked_for=title)


def not_for_this_role(title: str, user, landing):
    """What a staff page's address shows to a signed-in user whose role may not open it."""
    st.title(title)
    role = user.role_named(get_kb().snapshot().unit_name)
    st.warning(f"“{title}”不对{role}开放：如需使用，请联系管理员调整账号角色。", icon=":material/block:")
    if landing is not None:
        st.page_link(landing, label=f"回到{landing.title}", icon=":material/arrow_back:")
