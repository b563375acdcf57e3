"""Local accounts: argon2 hashes, roles bound to units, log-in, disabling, and the kb user commands."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb_app.accounts.auth import User
from kb_app.cli import cli
from kb_app.exceptions import AuthError, KbError


def test_add_and_authenticate(kb):
    user = kb.users.add("hrss-editor", "李编辑", "long-password", "unit_editor", "city-hrss", "li@example.invalid")
    assert user == User("hrss-editor", "李编辑", "unit_editor", "city-hrss", "li@example.invalid")
    assert user.role_label == "单位编辑·city-hrss"
    assert user.party is None
    assert kb.authenticate("hrss-editor", "long-password") == user


def test_password_hashes_are_salted_argon2(kb):
    kb.users.add("a1", "甲", "same-password", "agent")
    kb.users.add("a2", "乙", "same-password", "agent")
    hashes = [r["password_hash"] for r in kb.db()["users"].rows_where(order_by="username")]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert hashes[0] != hashes[1]
    assert "same-password" not in "".join(hashes)


@pytest.mark.parametrize("username, password", [("nobody", "long-password"), ("center", "wrong-password"), ("center", "")])
def test_wrong_credentials_get_one_message(kb, username, password):
    kb.users.add("center", "张校核", "long-password", "center_reviewer")
    with pytest.raises(AuthError) as e:
        kb.authenticate(username, password)
    assert str(e.value) == "用户名或密码不正确：请检查后重新输入；忘记密码请联系管理员重置。"


def test_disabled_account_cannot_log_in_and_can_be_enabled(kb):
    kb.users.add("center", "张校核", "long-password", "center_reviewer")
    kb.users.set_disabled("center")
    with pytest.raises(AuthError) as e:
        kb.authenticate("center", "long-password")
    assert str(e.value) == "账号“center”已停用：如需恢复，请联系管理员。"
    kb.users.set_disabled("center", False)
    assert kb.authenticate("center", "long-password").username == "center"


def test_change_password(kb):
    kb.users.add("center", "张校核", "long-password", "center_reviewer")
    kb.users.set_password("center", "another-password")
    with pytest.raises(AuthError):
        kb.authenticate("center", "long-password")
    assert kb.authenticate("center", "another-password").name == "张校核"


@pytest.mark.parametrize("args, message", [
    (("Bad Name", "某", "long-password", "agent"), "用户名“Bad Name”格式不对：请用 2 到 40 个小写字母、数字、点、下划线或连字符，以字母或数字开头。"),
    (("x1", "", "long-password", "agent"), "缺少姓名：请填写用户的姓名（会出现在审核记录和发布说明中）。"),
    (("x1", "某", "long-password", "boss"), "角色“boss”无效：可用的角色有 unit_editor、unit_reviewer、center_reviewer、legal_reviewer、agent、admin。"),
    (("x1", "某", "long-password", "unit_editor"), "角色“单位编辑”必须指定所属单位：请选择所属单位。"),
    (("x1", "某", "long-password", "unit_reviewer", "no-such-unit"), "单位“no-such-unit”未在 regulations/units.yaml 中登记：请填写已登记的单位编号。"),
    (("x1", "某", "short", "agent"), "密码太短：至少需要 8 个字符，请换一个更长的密码。"),
])
def test_invalid_accounts_are_refused(kb, args, message):
    with pytest.raises(KbError) as e:
        kb.users.add(*args)
    assert str(e.value) == message


def test_duplicate_username(kb):
    kb.users.add("center", "张校核", "long-password", "center_reviewer")
    with pytest.raises(KbError) as e:
        kb.users.add("center", "别人", "long-password", "agent")
    assert str(e.value) == "用户“center”已存在：请换一个用户名；要修改其密码，请用“重置密码”。"


def test_account_errors_name_no_command_and_the_command_line_adds_its_own_way(kb, monkeypatch):
    """The core's messages are read on the users page too: they tell no one to type a command; kb user
    adds how to do it there."""
    kb.users.add("center", "张校核", "long-password", "center_reviewer")
    for attempt in (lambda: kb.users.add("center", "别人", "long-password", "agent"),
                    lambda: kb.users.add("x1", "某", "long-password", "unit_reviewer"),
                    lambda: kb.users.add("x1", "某", "long-password", "unit_reviewer", "no-such-unit"),
                    lambda: kb.users.set_password("nobody", "long-password")):
        with pytest.raises(KbError) as e:
            attempt()
        assert "kb " not in str(e.value) and "--" not in str(e.value) and "命令行" not in str(e.value)
    runner = CliRunner()
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    monkeypatch.setenv("KB_PASSWORD", "long-password")
    result = runner.invoke(cli, ["user", "add", "center", "--name", "别人", "--role", "agent", *root])
    assert result.exit_code == 1
    assert result.output == ("错误：用户“center”已存在：请换一个用户名；要修改其密码，请用“重置密码”"
                             "（命令行用 kb user passwd center）。\n")
    result = runner.invoke(cli, ["user", "passwd", "nobody", *root])
    assert result.output == "错误：用户“nobody”不存在：请检查用户名（用 kb user list 查看全部用户）。\n"


@pytest.mark.parametrize("role, unit, party", [
    ("center_reviewer", "", "center"), ("legal_reviewer", "", "legal"), ("unit_reviewer", "city-hrss", "unit:city-hrss"),
    ("unit_editor", "city-hrss", None), ("admin", "", None), ("agent", "", None)])
def test_role_to_party(role, unit, party):
    assert User("u1", "某", role, unit).party == party


def test_find_by_email_or_username(kb):
    kb.users.add("hrss-editor", "李编辑", "long-password", "unit_editor", "city-hrss", "li@hrss.example.invalid")
    assert kb.users.find_by_email("LI@hrss.example.invalid").username == "hrss-editor"
    assert kb.users.find_by_email("hrss-editor@elsewhere.invalid").username == "hrss-editor"
    assert kb.users.find_by_email("someone@elsewhere.invalid") is None


def test_cli_user_commands(kb, monkeypatch):
    runner = CliRunner()
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    monkeypatch.setenv("KB_PASSWORD", "long-password")
    result = runner.invoke(cli, ["user", "add", "center", "--name", "张校核", "--role", "center_reviewer", *root])
    assert result.exit_code == 0, result.output
    assert result.output == "已建立账号 center（张校核，热线中心校核）。\n"
    result = runner.invoke(cli, ["user", "add", "hrss-editor", "--name", "李编辑", "--role", "unit_editor", *root])
    assert result.exit_code == 1
    assert result.output == "错误：角色“单位编辑”必须指定所属单位：请选择所属单位（命令行用 --unit 填写 units.yaml 中的单位编号）。\n"
    result = runner.invoke(cli, ["user", "disable", "center", *root])
    assert result.output == "账号 center 已停用，其会话已全部结束。\n"
    assert runner.invoke(cli, ["user", "disable", "center", *root]).output == "账号 center 本来就已停用，未作改动。\n"
    assert runner.invoke(cli, ["user", "list", *root]).output == "center\t张校核\t热线中心校核\t（已停用）\n"
    monkeypatch.setenv("KB_PASSWORD", "new-password-2")
    result = runner.invoke(cli, ["user", "passwd", "center", *root])
    assert result.output == "账号 center 的密码已修改，其会话已全部结束。\n"
    assert runner.invoke(cli, ["user", "disable", "--enable", "center", *root]).output == "账号 center 已恢复。\n"
    assert runner.invoke(cli, ["user", "disable", "--enable", "center", *root]).output == \
        "账号 center 本来就在使用中，未作改动。\n"
    assert kb.authenticate("center", "new-password-2").username == "center"


def test_cli_password_prompt(kb):
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    result = CliRunner().invoke(cli, ["user", "add", "agent1", "--name", "刘坐席", "--role", "agent", *root],
                                input="prompted-pass\nprompted-pass\n")
    assert result.exit_code == 0, result.output
    assert kb.authenticate("agent1", "prompted-pass").role == "agent"


def test_cli_password_from_a_pipe(kb, monkeypatch):
    """A script pipes the password: the first line of standard input is read, once, with no terminal
    prompt or warning; nothing piped is refused in Chinese."""
    monkeypatch.delenv("KB_PASSWORD", raising=False)
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    result = subprocess.run([sys.executable, "-m", "kb_app", "user", "add", "agent2", "--name", "王坐席", "--role",
                             "agent", *root], input="piped-password-1\n", capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "密码" not in result.stdout
    assert kb.authenticate("agent2", "piped-password-1").role == "agent"
    result = CliRunner().invoke(cli, ["user", "add", "agent3", "--name", "赵坐席", "--role", "agent", *root], input="")
    assert result.exit_code == 1
    assert "没有读到密码" in result.output and "KB_PASSWORD" in result.output


def test_account_commands_refuse_a_folder_that_is_not_a_knowledge_base(tmp_path, monkeypatch):
    """A mistyped --root is said so: no account or key is made in a new database beside the wrong folder,
    and a folder that does not exist is not created."""
    monkeypatch.setenv("KB_PASSWORD", "long-password")
    empty, missing = tmp_path / "empty", tmp_path / "missing"
    empty.mkdir()
    runner = CliRunner()
    for args in (["user", "add", "x1", "--name", "某人", "--role", "agent", "--root", str(empty)],
                 ["apikey", "add", "zz", "--role", "agent", "--root", str(empty)],
                 ["user", "list", "--root", str(empty)],
                 ["user", "unlock", "x1", "--root", str(missing)]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1, (args, result.output)
        assert "不是内容仓库（git 仓库）：请用 --root 或环境变量 KB_ROOT 指向内容仓库" in result.output
    assert list(empty.iterdir()) == [] and not missing.exists()


def test_making_an_account_is_audited_with_who_made_it_and_its_role(kb, monkeypatch):
    kb.users.add("center", "张校核", "long-password", "center_reviewer", actor="admin", via="app")
    made, = kb.audit.list("center")
    assert (made.event, made.label, made.actor, made.via, made.detail) == \
        ("created", "建立账号", "admin", "app", "角色：热线中心校核")
    monkeypatch.setenv("KB_PASSWORD", "long-password")
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    runner = CliRunner()
    assert runner.invoke(cli, ["user", "log", "nobody", *root]).output == "没有 nobody 的记录。\n"
    runner.invoke(cli, ["user", "add", "hrss-editor", "--name", "李编辑", "--role", "unit_editor", "--unit", "city-hrss", *root])
    line = runner.invoke(cli, ["user", "log", "hrss-editor", *root]).output
    assert "\t建立账号\thrss-editor\t-\t命令行\t" in line and line.rstrip().endswith("角色：单位编辑，单位：示例市人力资源和社会保障局（city-hrss）")


ADVICE = "请使用至少 8 位、包含字母和数字的组合。"


@pytest.mark.parametrize("password, problem", [
    ("12345678", "不能只用数字（生日、电话号码和连号最先被人猜到）"),
    ("88888888", "不能只用数字（生日、电话号码和连号最先被人猜到）"),
    ("20260101", "不能只用数字（生日、电话号码和连号最先被人猜到）"),
    ("aaaaaaaa", "不能是同一个字符或几个字符的重复"),
    ("abababab", "不能是同一个字符或几个字符的重复"),
    ("abcdefgh", "不能是连续的数字或字母（如 12345678、abcdefgh）"),
    ("HGFEDCBA", "不能是连续的数字或字母（如 12345678、abcdefgh）"),
    ("my-Center-2026", "不能包含用户名"),
    ("Password", "这是最常用的密码之一，很容易被猜中"),
    ("qwerty123", "这是最常用的密码之一，很容易被猜中"),
    ("a123456789", "这是最常用的密码之一，很容易被猜中"),
    ("1qaz2wsx", "这是最常用的密码之一，很容易被猜中"),
    ("woaini1314", "这是最常用的密码之一，很容易被猜中"),
    ("admin123", "这是最常用的密码之一，很容易被猜中"),
])
def test_weak_passwords_are_refused_wherever_a_password_is_set(kb, monkeypatch, password, problem):
    message = f"密码过于简单：{problem}。{ADVICE}"
    with pytest.raises(KbError) as e:
        kb.users.add("center", "张校核", password, "center_reviewer")
    assert str(e.value) == message
    assert kb.users.get("center") is None
    kb.users.add("center", "张校核", "long-password", "center_reviewer")
    with pytest.raises(KbError) as e:
        kb.users.set_password("center", password)
    assert str(e.value) == message
    monkeypatch.setenv("KB_PASSWORD", password)
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    result = CliRunner().invoke(cli, ["user", "passwd", "center", *root])
    assert (result.exit_code, result.output) == (1, f"错误：{message}\n")
    assert kb.authenticate("center", "long-password").username == "center"


@pytest.mark.parametrize("password", ["correct-horse-1", "long-password", "Zhang-2026-hotline", "li-ming-0815",
                                      "13579abc", "a1234567b"])
def test_passwords_that_are_not_easily_guessed_are_accepted(kb, password):
    kb.users.add("center", "张校核", password, "center_reviewer")
    assert kb.authenticate("center", password).username == "center"


def test_the_demo_password_is_accepted_for_every_demo_account(kb):
    import scripts.demo_users as demo
    from kb_app.accounts.auth import DEMO_PASSWORD

    for username, name, role, unit in demo.DEMO_USERS:
        assert kb.users.add(username, name, DEMO_PASSWORD, role, unit, demo=True).username == username


def test_the_published_demo_password_is_refused_for_any_other_account_and_as_a_new_password(kb, monkeypatch):
    """Everyone knows it (the README gives it): changing a demo account's password to it again, or giving it
    to an account, would leave that account open to anyone."""
    import scripts.demo_users as demo
    from kb_app.accounts.auth import DEMO_PASSWORD

    message = (f"不能使用公开的演示密码 {DEMO_PASSWORD}：它写在使用说明里，人人都知道，用它的账号谁都能登录。"
               f"请换一个只有本人知道的密码，{ADVICE}")
    with pytest.raises(KbError) as e:
        kb.users.add("center", "张校核", DEMO_PASSWORD, "center_reviewer")
    assert str(e.value) == message and kb.users.get("center") is None
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    assert demo.main(root) == 0
    kb.users.set_password("admin", "a-real-password")
    with pytest.raises(KbError) as e:
        kb.users.set_password("admin", DEMO_PASSWORD)
    assert str(e.value) == message
    monkeypatch.setenv("KB_PASSWORD", DEMO_PASSWORD)
    for command in (["user", "passwd", "admin"], ["user", "add", "agent-2", "--name", "吴坐席", "--role", "agent"]):
        result = CliRunner().invoke(cli, [*command, *root])
        assert (result.exit_code, result.output) == (1, f"错误：{message}\n")
    assert kb.authenticate("admin", "a-real-password").username == "admin"
    assert "admin" not in kb.users.with_demo_password() and kb.users.get("agent-2") is None


def test_an_account_gets_another_role_and_unit_checked_as_a_new_one_and_audited(kb):
    kb.users.add("hrss-editor", "李编辑", "long-password", "unit_editor", "city-hrss")
    moved = kb.users.set_role("hrss-editor", "unit_reviewer", "hotline-center", actor="admin", via="app")
    assert (moved.role, moved.unit, moved.party) == ("unit_reviewer", "hotline-center", "unit:hotline-center")
    assert kb.authenticate("hrss-editor", "long-password") == moved
    for role, unit, message in [
        ("unit_editor", "", "角色“单位编辑”必须指定所属单位：请选择所属单位。"),
        ("unit_editor", "no-such-unit", "单位“no-such-unit”未在 regulations/units.yaml 中登记：请填写已登记的单位编号。"),
        ("boss", "", "角色“boss”无效：可用的角色有 unit_editor、unit_reviewer、center_reviewer、legal_reviewer、agent、admin。")]:
        with pytest.raises(KbError) as e:
            kb.users.set_role("hrss-editor", role, unit)
        assert str(e.value) == message
    assert kb.users.set_role("hrss-editor", "agent").unit == ""
    assert kb.users.set_role("hrss-editor", "agent", actor="admin").role == "agent"     # as it was: nothing recorded
    changes = [(e.event, e.label, e.actor, e.via, e.detail) for e in reversed(kb.audit.list("hrss-editor"))
               if e.event == "role"]
    assert changes == [
        ("role", "修改角色", "admin", "app", "角色：单位编辑，单位：示例市人力资源和社会保障局（city-hrss） → 角色：单位审核人，单位：示例市12345市民服务热线中心（hotline-center）"),
        ("role", "修改角色", "", "cli", "角色：单位审核人，单位：示例市12345市民服务热线中心（hotline-center） → 角色：坐席")]
    with pytest.raises(KbError) as e:
        kb.users.set_role("nobody", "agent")
    assert str(e.value) == "用户“nobody”不存在：请检查用户名。"


LAST_ADMIN = ("不能{change}：“admin”是唯一在用的管理员账号，{change}后就没有人能管理账号了。"
              "请先把另一个账号设为管理员，再{change}。")


def test_the_last_active_administrator_keeps_the_role_and_stays_enabled(kb):
    kb.users.add("admin", "孙管理", "long-password", "admin")
    kb.users.add("admin2", "钱管理", "long-password", "admin")
    kb.users.set_disabled("admin2")                    # a disabled administrator manages nothing
    with pytest.raises(KbError) as e:
        kb.users.set_role("admin", "agent")
    assert str(e.value) == LAST_ADMIN.format(change="取消该账号的管理员角色")
    with pytest.raises(KbError) as e:
        kb.users.set_disabled("admin")
    assert str(e.value) == LAST_ADMIN.format(change="停用该账号")
    assert kb.users.require("admin") == User("admin", "孙管理", "admin")
    assert [e.event for e in kb.audit.list("admin")] == ["created"]
    kb.users.set_disabled("admin2", False)             # with another administrator, either may go
    assert kb.users.set_role("admin", "agent").role == "agent"
    with pytest.raises(KbError):
        kb.users.set_disabled("admin2")
    kb.users.set_role("admin", "admin")
    assert kb.users.set_disabled("admin2").disabled


def test_cli_user_role(kb):
    runner = CliRunner()
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    kb.users.add("hrss-editor", "李编辑", "long-password", "unit_editor", "city-hrss")
    kb.users.add("admin", "孙管理", "long-password", "admin")
    result = runner.invoke(cli, ["user", "role", "hrss-editor", "--role", "unit_reviewer", "--unit", "city-hrss", *root])
    assert (result.exit_code, result.output) == (0, "账号 hrss-editor 的角色已改为单位审核人·示例市人力资源和社会保障局（原为单位编辑·示例市人力资源和社会保障局）。\n")
    result = runner.invoke(cli, ["user", "role", "hrss-editor", "--role", "unit_reviewer", "--unit", "city-hrss", *root])
    assert result.output == "账号 hrss-editor 本来就是单位审核人·示例市人力资源和社会保障局，未作改动。\n"
    result = runner.invoke(cli, ["user", "role", "hrss-editor", "--role", "unit_editor", *root])
    assert (result.exit_code, result.output) == \
        (1, "错误：角色“单位编辑”必须指定所属单位：请选择所属单位（命令行用 --unit 填写 units.yaml 中的单位编号）。\n")
    result = runner.invoke(cli, ["user", "role", "admin", "--role", "agent", *root])
    assert (result.exit_code, result.output) == (1, f"错误：{LAST_ADMIN.format(change='取消该账号的管理员角色')}\n")
    result = runner.invoke(cli, ["user", "disable", "admin", *root])
    assert (result.exit_code, result.output) == (1, f"错误：{LAST_ADMIN.format(change='停用该账号')}\n")
    log = runner.invoke(cli, ["user", "log", "hrss-editor", *root]).output
    assert "\t修改角色\thrss-editor\t-\t命令行\t" in log
    assert log.splitlines()[0].endswith("角色：单位编辑，单位：示例市人力资源和社会保障局（city-hrss） → 角色：单位审核人，单位：示例市人力资源和社会保障局（city-hrss）")


def test_two_administrators_disabling_each_other_at_once_leave_one(kb, monkeypatch):
    """The check that an administrator stays and the change are one transaction: of two administrators
    disabled at the same moment (each by the other), the second is refused, however the two interleave."""
    import threading
    import time

    from kb_app.accounts.auth import Users

    kb.users.add("admin", "孙管理", "long-password", "admin")
    kb.users.add("admin2", "钱管理", "long-password", "admin")
    checked = Users._keep_an_admin

    def slow_check(db, user, change):
        checked(db, user, change)
        time.sleep(0.3)                                # the other change has every chance to pass its check

    monkeypatch.setattr(Users, "_keep_an_admin", staticmethod(slow_check))
    refused = []

    def disable(name):
        try:
            kb.users.set_disabled(name, actor="other")
        except KbError as e:
            refused.append(str(e))

    threads = [threading.Thread(target=disable, args=(name,)) for name in ("admin", "admin2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [u.username for u in kb.users.list() if u.role == "admin" and not u.disabled] != []
    assert len(refused) == 1 and "是唯一在用的管理员账号" in refused[0]
