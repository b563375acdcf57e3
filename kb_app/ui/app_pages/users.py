"""User management (administrators): accounts, roles, units, disabling, password resets, log-in locks,
signed-in sessions and the audit trail of log-ins."""

import streamlit as st

from kb_app.accounts.auth import DEMO_PASSWORD, UNIT_ROLES
from kb_app.labels import ROLE_LABELS as ROLES, SELECT_PLACEHOLDER
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb
from kb_app.ui.state import flash, show_flash
from kb_app.ui.tables import show_table

UNIT_FIELD = "所属单位（单位编辑、单位审核人必填）"
#: The confirmations an account's disabling and password reset wait for: ticked for one account, once.
CONFIRMATIONS = ("users_confirm_disable", "users_confirm_passwd")
#: Fields emptied after a change went through, by the flag its success leaves (confirmations unticked).
CLEARED_AFTER = {"users_added": dict.fromkeys(("users_username", "users_name", "users_email", "users_password"), ""),
                 "users_password_reset": {"users_new_password": "", **dict.fromkeys(CONFIRMATIONS, False)},
                 "users_disabled": dict.fromkeys(CONFIRMATIONS, False)}


def fill_role(by_name: dict, units: dict):
    """An account chosen: the role and unit fields start from what it has."""
    chosen = by_name.get(st.session_state.get("users_target"))
    st.session_state["users_new_role"] = chosen.role if chosen else None
    st.session_state["users_new_unit"] = chosen.unit if chosen and chosen.unit in units else ""
    st.session_state.update(dict.fromkeys(CONFIRMATIONS, False))    # a confirmation is for the account it names


def confirmed(key: str, text: str, shown: bool) -> bool:
    """A tick naming the account and what will happen, which the action waits for (when it may be taken)."""
    return shown and st.checkbox(text, key=key)


st.title("用户管理")
user = st.session_state.get("user")
if user is None or user.role != "admin":
    st.warning("只有管理员可以管理用户。")
    st.stop()
show_flash("users")

with show_errors():
    kb = get_kb()
    units = kb.review.unit_names()
    unit_name = kb.snapshot().unit_name

    def unit_choice(unit: str) -> str:
        return units.get(unit, "（无）")

    accounts = kb.users.list()
    now = kb.now()
    locks = kb.throttle.active_locks()
    locked = {lock.key for lock in locks if lock.scope == "account"}
    demo = kb.users.with_demo_password()
    if demo:
        st.warning(f"账号 {'、'.join(demo)} 仍在使用公开的演示密码（{DEMO_PASSWORD}），谁都能用它登录，"
                   "所以本应用只能在本机打开（kb serve 拒绝其他地址）。请在下方“重置密码”为这些账号逐个设新密码"
                   "（或由本人用 kb user passwd 修改），不用的账号请停用。", icon=":material/key:")
    st.dataframe([{"用户名": u.username, "姓名": u.name, "角色": ROLES.get(u.role, u.role),
                   "单位": units.get(u.unit, u.unit), "邮箱": u.email,
                   "状态": "已停用" if u.disabled else "已锁定" if u.username in locked
                   else "演示密码未改" if u.username in demo else "正常"}
                  for u in accounts], hide_index=True, key="users_table")

    # What was typed for a change that went through is cleared before its fields are drawn (a password
    # must not stay in a field), as the review page clears a comment once sent.
    for done, fields in CLEARED_AFTER.items():
        if st.session_state.pop(done, False):
            st.session_state.update(fields)

    st.subheader("新建账号")
    with st.form("users_add_form"):
        c1, c2 = st.columns(2)
        username = c1.text_input("用户名", key="users_username")
        name = c2.text_input("姓名", key="users_name")
        role = c1.selectbox("角色", list(ROLES), format_func=ROLES.get,
                            placeholder=SELECT_PLACEHOLDER, key="users_role")
        unit = c2.selectbox(UNIT_FIELD, [""] + list(units), format_func=unit_choice,
                            placeholder=SELECT_PLACEHOLDER, key="users_unit")
        email = c1.text_input("邮箱（可选）", key="users_email")
        password = c2.text_input("初始密码（至少 8 位）", type="password", key="users_password")
        if st.form_submit_button("建立", key="users_add"):
            with show_errors():
                u = kb.users.add(username, name, password, role, unit if role in UNIT_ROLES or unit else "", email,
                                 actor=user.username, via="app")
                st.session_state["users_added"] = True
                flash("users", f"已建立账号 {u.username}（{u.role_named(unit_name)}）。")
                st.rerun()

    st.subheader("修改角色和单位、停用、恢复、重置密码")
    by_name = {u.username: u for u in accounts}
    if by_name:
        disabled = {u.username for u in accounts if u.disabled}
        # Nothing is chosen until the administrator chooses: no account is changed by accident (their own least).
        target = st.selectbox("账号", list(by_name), index=None, placeholder=SELECT_PLACEHOLDER, key="users_target",
                              format_func=lambda u: f"{u}（已停用）" if u in disabled else u,
                              on_change=fill_role, args=(by_name, units))
        chosen = by_name.get(target)
        own = target == user.username
        if chosen is None:
            st.caption("请先选择账号。")
        else:
            st.caption(f"{chosen.name}，现为{chosen.role_named(unit_name)}"
                       + ("（自己的账号：角色和停用请由另一位管理员修改）" if own else ""))
        c1, c2 = st.columns(2)
        new_role = c1.selectbox("新角色", list(ROLES), index=None, format_func=ROLES.get,
                                placeholder=SELECT_PLACEHOLDER, key="users_new_role")
        new_unit = c2.selectbox(UNIT_FIELD, [""] + list(units), format_func=unit_choice,
                                placeholder=SELECT_PLACEHOLDER, key="users_new_unit")
        if st.button("修改角色和单位", key="users_set_role", disabled=chosen is None or own):
            with show_errors():
                u = kb.users.set_role(target, new_role, new_unit, actor=user.username, via="app")
                flash("users", f"账号 {target} 已改为{u.role_named(unit_name)}（原为{chosen.role_named(unit_name)}）。"
                      if u != chosen else f"账号 {target} 本来就是{u.role_named(unit_name)}，未作改动。")
                st.rerun()
        new_password = st.text_input("新密码", type="password", key="users_new_password")
        # Disabling and a reset end the account's sessions at once: each waits for a tick naming the account.
        who = f"{chosen.name}（{target}）" if chosen else ""
        may_disable = chosen is not None and not own and target not in disabled
        sure_disable = confirmed("users_confirm_disable", f"确认停用 {who}：该账号将不能登录，已登录的会话立即全部结束",
                                 may_disable)
        sure_passwd = confirmed("users_confirm_passwd", f"确认重置 {who} 的密码：该账号已登录的会话立即全部结束，"
                                "须用新密码重新登录", chosen is not None)
        c1, c2, c3 = st.columns(3)
        if c1.button("停用", key="users_disable", disabled=not sure_disable):
            with show_errors():
                kb.users.set_disabled(target, True, actor=user.username, via="app")
                st.session_state["users_disabled"] = True
                flash("users", f"账号 {target} 已停用，其会话已全部结束。")
                st.rerun()
        if c2.button("恢复", key="users_enable", disabled=target not in disabled):
            with show_errors():
                kb.users.set_disabled(target, False, actor=user.username, via="app")
                flash("users", f"账号 {target} 已恢复。")
                st.rerun()
        if c3.button("重置密码", key="users_passwd", disabled=not sure_passwd):
            with show_errors():
                kb.users.set_password(target, new_password, actor=user.username, via="app")
                st.session_state["users_password_reset"] = True
                flash("users", f"账号 {target} 的密码已重置，其会话已全部结束。")
                st.rerun()

    st.subheader("登录锁定")
    if not locks:
        st.caption("当前没有被锁定的账号或地址。")
    else:
        st.dataframe([{"对象": lock.label, "锁定时间": lock.since.replace("T", " "),
                       "自动解锁": lock.until.replace("T", " "), "剩余（分钟）": lock.minutes_left(now)}
                      for lock in locks], hide_index=True, key="users_locks")
        chosen = st.selectbox("要解锁的账号或地址", locks, format_func=lambda lock: lock.label,
                              placeholder=SELECT_PLACEHOLDER, key="users_lock")
        if st.button("解锁", key="users_unlock"):
            kb.throttle.unlock(chosen.scope, chosen.key, actor=user.username, via="app")
            flash("users", f"{chosen.label}已解锁。")
            st.rerun()

    st.subheader("在线会话")
    sessions = kb.sessions.active()
    st.caption(f"{len(sessions)} 个会话；超过 {kb.settings.session_idle_hours} 小时未操作的会话自动结束。")
    if sessions:
        st.dataframe([{"账号": s.username, "登录时间": s.created.replace("T", " "),
                       "最近操作": s.last_seen.replace("T", " "), "地址": s.client, "浏览器": s.browser}
                      for s in sessions], hide_index=True, key="users_sessions")
        # One session ended (a computer left signed in), the account's others kept.
        chosen = st.selectbox("要结束的会话", sessions, index=None, placeholder=SELECT_PLACEHOLDER,
                              format_func=lambda s: f"{s.username} · {s.browser} · {s.client or '未知地址'} · "
                                                    f"最近操作 {s.last_seen.replace('T', ' ')}",
                              key="users_session")
        if st.button("结束该会话", key="users_end_session", disabled=chosen is None):
            ended = kb.sessions.end_one(chosen.ref, actor=user.username)
            flash("users", f"已结束 {ended.username} 在 {ended.browser} 上的会话：该浏览器需要重新登录。" if ended
                  else "该会话已经结束（退出登录或超时）。")
            st.rerun()

    st.subheader("登录审计")
    who = st.selectbox("账号", [""] + list(by_name), format_func=lambda u: u or "（全部）",
                       placeholder=SELECT_PLACEHOLDER, key="users_audit_user")
    events = kb.audit.list(who or None)
    st.caption(f"最近 {len(events)} 条：登录、登录失败、锁定、解锁、退出、会话超时、管理员结束会话、修改密码、修改角色、停用与恢复账号。")
    # A plain table: the 说明 of a change of role is long, and wraps here rather than running off the grid's edge.
    with st.container(height=520 if len(events) > 12 else "content", key="users_audit"):
        show_table([e.row() for e in events], empty="没有记录。")
