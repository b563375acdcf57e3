"""Log-in: local accounts (username and password), checked on the server by ``/auth/login``.

The form posts to the server, which sets the session cookie and sends the browser back; a refused
log-in comes back here with its message (signed by the server) and the user name typed.
"""

import streamlit as st

from kb_app.accounts.throttle import LOCK_TIME, MAX_FAILURES, WINDOW
from kb_app.ui.auth_routes import login_form, read_notice

st.title("登录")
st.caption("单位编辑、审核人员、坐席和管理员登录后使用；公众查询无需登录。")
notice = read_notice(st.query_params.get("notice"))
if notice:
    st.error(notice)
st.html(login_form(st.query_params.get("username", ""), st.query_params.get("next", "")))
st.caption(f"{WINDOW.seconds // 60} 分钟内登录失败 {MAX_FAILURES} 次后，该账号（以及所在地址）暂停登录 "
           f"{LOCK_TIME.seconds // 60} 分钟；忘记密码请联系管理员重置。")
