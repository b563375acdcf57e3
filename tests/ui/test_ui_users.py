"""The administrators' page of accounts (用户管理)."""

from kb_app.accounts.auth import DEMO_PASSWORD

from ..ui_helpers import open_page


def test_accounts_still_using_the_demo_password_are_flagged_with_what_to_do(app_env):
    admin = app_env.users.add("admin", "赵管理", "correct-horse-1", "admin")
    app_env.users.add("zuoxi01", "王坐席", DEMO_PASSWORD, "agent", demo=True)
    app_env.users.add("zuoxi02", "刘坐席", DEMO_PASSWORD, "agent", demo=True)
    app_env.users.add("zuoxi03", "钱坐席", DEMO_PASSWORD, "agent", demo=True)
    app_env.users.set_disabled("zuoxi03", True)  # a disabled account lets nobody in
    at = open_page("app_pages/users.py", admin)
    [warning] = at.warning
    assert warning.value == (
        f"账号 zuoxi01、zuoxi02 仍在使用公开的演示密码（{DEMO_PASSWORD}），谁都能用它登录，所以本应用只能在本机打开"
        "（kb serve 拒绝其他地址）。请在下方“重置密码”为这些账号逐个设新密码（或由本人用 kb user passwd 修改），"
        "不用的账号请停用。")
    table = at.dataframe[0].value
    assert dict(zip(table["用户名"], table["状态"])) == {
        "admin": "正常", "zuoxi01": "演示密码未改", "zuoxi02": "演示密码未改", "zuoxi03": "已停用"}
    # once every account has its own password, nothing is said
    app_env.users.set_password("zuoxi01", "correct-horse-2")
    app_env.users.set_password("zuoxi02", "correct-horse-3")
    at = open_page("app_pages/users.py", admin)
    assert not at.warning
    assert set(at.dataframe[0].value["状态"]) == {"正常", "已停用"}
