"""Log-in: local accounts (username and password)."""

import streamlit as st

from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb

st.title("登录")
st.caption("单位编辑、审核人员、坐席和管理员登录后使用；公众查询无需登录。")
with st.form("login_form"):
    username = st.text_input("用户名", key="login_username")
    password = st.text_input("密码", type="password", key="login_password")
    submitted = st.form_submit_button("登录", key="login_submit", type="primary")
if submitted:
    with show_errors():
        st.session_state["user"] = get_kb().authenticate(username, password)
        st.rerun()
