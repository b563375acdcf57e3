"""User management (administrators): accounts, roles, units, disabling and password resets."""

import streamlit as st

from kb_app.auth import ROLES, UNIT_ROLES
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb
from kb_app.ui.state import flash, show_flash

st.title("用户管理")
user = st.session_state.get("user")
if user is None or user.role != "admin":
    st.warning("只有管理员可以管理用户。")
    st.stop()
show_flash("users")

with show_errors():
    kb = get_kb()
    units = kb.review.unit_names()
    accounts = kb.users.list()
    st.dataframe([{"用户名": u.username, "姓名": u.name, "角色": ROLES.get(u.role, u.role), "单位": units.get(u.unit, u.unit),
                   "邮箱": u.email, "状态": "已停用" if u.disabled else "正常"} for u in accounts], hide_index=True, key="users_table")

    st.subheader("新建账号")
    with st.form("users_add_form"):
        c1, c2 = st.columns(2)
        username = c1.text_input("用户名", key="users_username")
        name = c2.text_input("姓名", key="users_name")
        role = c1.selectbox("角色", list(ROLES), format_func=ROLES.get, key="users_role")
        unit = c2.selectbox("所属单位（单位编辑、单位审核人必填）", [""] + list(units),
                            format_func=lambda u: units.get(u, "（无）"), key="users_unit")
        email = c1.text_input("邮箱（可选）", key="users_email")
        password = c2.text_input("初始密码（至少 8 位）", type="password", key="users_password")
        if st.form_submit_button("建立", key="users_add"):
            with show_errors():
                u = kb.users.add(username, name, password, role, unit if role in UNIT_ROLES or unit else "", email)
                flash("users", f"已建立账号 {u.username}（{u.role_label}）。")
                st.rerun()

    st.subheader("停用、恢复、重置密码")
    names = [u.username for u in accounts]
    if names:
        target = st.selectbox("账号", names, key="users_target")
        new_password = st.text_input("新密码", type="password", key="users_new_password")
        c1, c2, c3 = st.columns(3)
        if c1.button("停用", key="users_disable", disabled=target == user.username):
            kb.users.set_disabled(target, True)
            flash("users", f"账号 {target} 已停用。")
            st.rerun()
        if c2.button("恢复", key="users_enable"):
            kb.users.set_disabled(target, False)
            flash("users", f"账号 {target} 已恢复。")
            st.rerun()
        if c3.button("重置密码", key="users_passwd"):
            kb.users.set_password(target, new_password)
            flash("users", f"账号 {target} 的密码已重置。")
            st.rerun()
