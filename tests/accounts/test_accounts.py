"""Log-in throttling, unlocking, the audit trail, server-side sessions and the demo-password guard."""

import datetime as dt
import os

import pytest
from click.testing import CliRunner

from kb_app.accounts.auth import DEMO_PASSWORD, is_loopback
from kb_app.cli import cli
from kb_app.exceptions import AuthError, KbError
from kb_app.accounts.sessions import token_hash
from kb_app.accounts import throttle
from kb_app.accounts.throttle import LoginLocked

from ..browser import free_port
from ..conftest import PROJECT, TODAY

PASSWORD = "right-password-1"
WRONG = "用户名或密码不正确：请检查后重新输入；忘记密码请联系管理员重置。"


def locked_account(user, minutes):
    return f"登录失败次数过多，账号“{user}”已暂时锁定：请 {minutes} 分钟后再试；如需立即解锁，请联系管理员。"


def locked_address(client, minutes):
    return (f"登录失败次数过多，来自您所在地址（{client}）的登录已暂时停止：请 {minutes} 分钟后再试；"
            "如需立即解锁，请联系管理员。")


class Clock:
    """A clock for one knowledge base, moved by hand."""

    def __init__(self, kb, start=f"{TODAY}T09:00:00"):
        self.now = dt.datetime.fromisoformat(start)
        kb.now = lambda: self.now

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(kb):
    return Clock(kb)


@pytest.fixture
def center(kb):
    return kb.users.add("center", "张校核", PASSWORD, "center_reviewer")


def fail(kb, username, times, client=None, password="wrong-password"):
    """Log in with a wrong password ``times`` times; the messages seen."""
    messages = []
    for _ in range(times):
        with pytest.raises(AuthError) as e:
            kb.authenticate(username, password, client, "app" if client else "cli")
        messages.append(str(e.value))
    return messages


def refused(kb, username, client=None, password=PASSWORD):
    with pytest.raises(LoginLocked) as e:
        kb.authenticate(username, password, client, "app" if client else "cli")
    return str(e.value)


def test_five_failures_lock_the_account_for_fifteen_minutes_even_for_the_right_password(kb, clock, center):
    assert fail(kb, "center", 4) == [WRONG] * 4
    clock.advance(minutes=14)                 # all five within fifteen minutes
    assert fail(kb, "center", 1) == [locked_account("center", 15)]
    assert refused(kb, "center") == locked_account("center", 15)
    clock.advance(minutes=10, seconds=30)
    assert refused(kb, "center") == locked_account("center", 5)
    clock.advance(minutes=4, seconds=29)
    assert refused(kb, "center") == locked_account("center", 1)
    clock.advance(seconds=2)
    assert kb.authenticate("center", PASSWORD) == center
    # The lock's own failures no longer count: one more failure does not lock again.
    assert fail(kb, "center", 1) == [WRONG]


def test_failures_older_than_the_window_do_not_count(kb, clock, center):
    fail(kb, "center", 4)
    clock.advance(minutes=15, seconds=1)
    assert fail(kb, "center", 4) == [WRONG] * 4
    assert kb.authenticate("center", PASSWORD) == center


def test_a_successful_log_in_starts_the_account_count_afresh(kb, clock, center):
    fail(kb, "center", 4)
    kb.authenticate("center", PASSWORD)
    assert fail(kb, "center", 4) == [WRONG] * 4
    assert fail(kb, "center", 1) == [locked_account("center", 15)]


def test_spaces_around_a_name_count_against_the_same_account(kb, clock, center):
    for name in ("center", " center", "center ", "\tcenter", " center "):
        fail(kb, name, 1)
    assert refused(kb, "center") == locked_account("center", 15)
    assert refused(kb, " center") == locked_account("center", 15)


def test_unknown_user_names_lock_like_real_ones(kb, clock):
    assert fail(kb, "nobody", 5)[-1] == locked_account("nobody", 15)
    assert refused(kb, "nobody") == locked_account("nobody", 15)


def test_a_disabled_account_counts_its_failures_too(kb, clock, center):
    kb.users.set_disabled("center")
    assert fail(kb, "center", 5, password=PASSWORD)[-1] == locked_account("center", 15)


def test_many_failures_from_one_address_lock_the_address_for_any_account(kb, clock, center):
    kb.users.add("agent", "刘坐席", PASSWORD, "agent")
    for n in range(throttle.MAX_CLIENT_FAILURES - 1):
        fail(kb, f"a{n}", 1, client="10.1.2.3")
    kb.authenticate("agent", PASSWORD, "10.1.2.3", "app")   # a success does not reset the address
    assert fail(kb, "last", 1, client="10.1.2.3") == [locked_address("10.1.2.3", 15)]
    assert refused(kb, "center", "10.1.2.3") == locked_address("10.1.2.3", 15)
    assert kb.authenticate("center", PASSWORD, "10.9.9.9", "app") == center
    assert kb.authenticate("center", PASSWORD) == center           # the command line has no address


def test_one_persons_typos_lock_their_account_not_their_colleagues_at_the_same_address(kb, clock, center):
    """A call centre reaches the app from one address: an agent who mistypes five times is locked, the
    others at that address (an administrator among them) still log in."""
    fail(kb, "agent7", throttle.MAX_FAILURES, client="10.1.2.3")
    assert refused(kb, "agent7", "10.1.2.3") == locked_account("agent7", 15)
    assert kb.authenticate("center", PASSWORD, "10.1.2.3", "app") == center
    assert [lock.label for lock in kb.throttle.active_locks()] == ["账号“agent7”"]


def test_unlock_lifts_the_lock_and_starts_the_count_afresh(kb, clock, center):
    fail(kb, "center", 5)
    for n in range(4):
        fail(kb, f"x{n}", 5, client="10.1.2.3")
    assert [lock.label for lock in kb.throttle.active_locks()][:2] == ["地址“10.1.2.3”", "账号“x3”"]
    lifted = kb.throttle.unlock("account", "center", actor="root", via="cli")
    assert [lock.key for lock in lifted] == ["center"]
    assert kb.throttle.unlock("account", "center", actor="root", via="cli") == []
    assert kb.authenticate("center", PASSWORD) == center
    fail(kb, "center", 4)
    assert kb.authenticate("center", PASSWORD) == center
    assert refused(kb, "center", "10.1.2.3") == locked_address("10.1.2.3", 15)
    kb.throttle.unlock("client", "10.1.2.3", actor="admin", via="app")
    assert kb.authenticate("center", PASSWORD, "10.1.2.3") == center


def events(kb, username=None):
    """The audit log since the accounts were made, oldest first."""
    return [(e.event, e.username, e.client, e.via, e.actor) for e in reversed(kb.audit.list(username))
            if e.event != "created"]


def test_every_log_in_failure_lock_and_unlock_is_audited(kb, clock, center):
    fail(kb, "center", 5, client="10.1.2.3")
    refused(kb, "center", "10.1.2.3")
    kb.throttle.unlock("account", "center", actor="root", via="cli")
    assert kb.throttle.unlock("client", "10.1.2.3", actor="admin", via="app") == []   # five do not lock an address
    kb.authenticate("center", PASSWORD, "10.1.2.3", "app")
    token = kb.sessions.start(center, "10.1.2.3")
    kb.sessions.end(token, "10.1.2.3")
    kb.users.set_password("center", "another-password", actor="admin", via="app")
    kb.users.set_disabled("center", actor="root")
    kb.users.set_disabled("center", False, actor="root")
    assert events(kb) == [("failed", "center", "10.1.2.3", "app", "")] * 5 + [
        ("locked", "center", "10.1.2.3", "app", ""), ("refused", "center", "10.1.2.3", "app", ""),
        ("unlocked", "center", "", "cli", "root"),
        ("login", "center", "10.1.2.3", "app", ""), ("logout", "center", "10.1.2.3", "app", ""),
        ("password", "center", "", "app", "admin"), ("disabled", "center", "", "cli", "root"),
        ("enabled", "center", "", "cli", "root")]
    detail = {e.event: e.detail for e in kb.audit.list("center")}
    assert detail["locked"] == f"15 分钟内 5 次登录失败，账号“center”锁定至 {TODAY} 09:15"
    assert detail["failed"] == WRONG
    assert detail["refused"] == "账号“center”锁定中，还剩 15 分钟"
    assert [e.row()["事件"] for e in kb.audit.list("center", limit=2)] == ["恢复账号", "停用账号"]


def test_cli_as_is_throttled_and_kb_user_unlock_lifts_it(kb, clock, center, monkeypatch):
    runner = CliRunner()
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    monkeypatch.setenv("KB_PASSWORD", "wrong-password")
    outputs = [runner.invoke(cli, ["cr", "approve", "99", "--as", "center", *root]).output for _ in range(6)]
    assert outputs == [f"错误：{WRONG}\n"] * 4 + [f"错误：{locked_account('center', 15)}\n"] * 2
    monkeypatch.setenv("KB_PASSWORD", PASSWORD)
    result = runner.invoke(cli, ["cr", "approve", "99", "--as", "center", *root])
    assert (result.exit_code, result.output) == (1, f"错误：{locked_account('center', 15)}\n")
    listed = runner.invoke(cli, ["user", "list", *root]).output
    assert listed == "center\t张校核\t热线中心校核\t（已锁定，15 分钟后自动解锁）\n"
    assert runner.invoke(cli, ["user", "unlock", "center", *root]).output == "账号 center 已解锁。\n"
    assert runner.invoke(cli, ["user", "unlock", "center", *root]).output == "账号 center 没有被锁定。\n"
    result = runner.invoke(cli, ["cr", "approve", "99", "--as", "center", *root])
    assert "登录" not in result.output                          # signed in; the change request is missing
    log = runner.invoke(cli, ["user", "log", "center", "--limit", "3", *root]).output.splitlines()
    assert [line.split("\t")[1] for line in log] == ["登录成功", "解锁", "锁定期间拒绝登录"]
    assert log[1].split("\t")[2:5] == ["center", "-", "命令行"]


def test_cli_unlock_needs_exactly_one_target(kb):
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    for args in ([], ["center", "--client", "10.1.2.3"]):
        result = CliRunner().invoke(cli, ["user", "unlock", *args, *root])
        assert result.exit_code == 2 and "请指定一个账号，或用 --client 指定一个地址（二者选一）。" in result.output
    result = CliRunner().invoke(cli, ["user", "unlock", "--client", "10.1.2.3", *root])
    assert result.output == "地址 10.1.2.3 没有被锁定。\n"


# -- sessions -----------------------------------------------------------------------------------


def test_a_session_is_kept_on_the_server_and_only_its_hash_is_stored(kb, clock, center):
    token = kb.sessions.start(center, "10.1.2.3", "Chromium")
    assert len(token) >= 43
    rows = list(kb.db()["sessions"].rows)
    assert [r["token_hash"] for r in rows] == [token_hash(token)] and token not in str(rows)
    assert kb.sessions.resume(token) == center
    assert kb.sessions.resume(token + "x") is None and kb.sessions.resume("") is None
    active = [(s.username, s.client, s.user_agent) for s in kb.sessions.active()]
    assert active == [("center", "10.1.2.3", "Chromium")]
    assert kb.sessions.end(token) == "center"
    assert kb.sessions.resume(token) is None
    assert kb.sessions.end(token) is None


@pytest.mark.parametrize("user_agent, name", [
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
     "Chrome 131 · Linux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 "
     "Edg/120.0.0.0", "Edge 120 · Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
     "Mobile/15E148 Safari/604.1", "Safari 17 · iOS"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox 121 · macOS"),
    ("python-requests/2.31", "未知"), ("", "未知")])
def test_a_session_names_its_browser_as_a_person_would(user_agent, name):
    from kb_app.accounts.sessions import Session

    assert Session("center", "", "", "10.1.2.3", user_agent).browser == name


def test_enabling_an_account_in_use_changes_and_records_nothing(kb, center):
    kb.users.set_disabled("center", False, actor="admin", via="app")
    assert events(kb, "center") == [] and not kb.users.require("center").disabled
    kb.users.set_disabled("center", actor="admin")
    kb.users.set_disabled("center", actor="admin")
    assert [e[0] for e in events(kb, "center")] == ["disabled"]


def test_a_session_ends_after_eight_idle_hours_and_use_keeps_it(kb, clock, center):
    token = kb.sessions.start(center)
    clock.advance(hours=7, minutes=59)
    assert kb.sessions.resume(token) == center
    clock.advance(hours=7, minutes=59)
    assert kb.sessions.resume(token) == center            # used 7 h 59 min ago
    clock.advance(hours=8, seconds=1)
    assert kb.sessions.resume(token) is None
    assert kb.sessions.resume(token) is None
    assert events(kb, "center")[-1] == ("expired", "center", "", "app", "")
    assert kb.audit.list("center")[0].detail == "超过 8 小时未操作"


def test_idle_timeout_is_a_setting(sample_root, tmp_path):
    from kb_app import load_settings, open_kb

    settings = load_settings(root=sample_root, data_dir=tmp_path / "d", today=TODAY, session_idle_hours="1")
    kb = open_kb(settings)
    clock = Clock(kb)
    token = kb.sessions.start(kb.users.add("center", "张校核", PASSWORD, "center_reviewer"))
    clock.advance(minutes=61)
    assert kb.sessions.resume(token) is None


@pytest.mark.parametrize("change", ["password", "disable"])
def test_a_new_password_or_disabling_ends_every_session_of_the_user_at_once(kb, clock, center, change):
    other = kb.users.add("agent", "刘坐席", PASSWORD, "agent")
    tokens = [kb.sessions.start(center) for _ in range(2)]
    kept = kb.sessions.start(other)
    if change == "password":
        kb.users.set_password("center", "another-password", actor="admin")
    else:
        kb.users.set_disabled("center", actor="admin")
    assert [kb.sessions.resume(t) for t in tokens] == [None, None]
    assert kb.sessions.resume(kept) == other
    assert kb.audit.list("center")[0].detail == "结束 2 个会话"
    if change == "disable":   # enabling again does not bring old sessions back
        kb.users.set_disabled("center", False)
        assert kb.sessions.resume(tokens[0]) is None


# -- demo passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize("address, loopback", [
    ("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("unix:///tmp/kb.sock", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("", False)])
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback


def demo_accounts(kb):
    kb.users.add("admin", "孙管理", DEMO_PASSWORD, "admin", demo=True)
    kb.users.add("agent", "刘坐席", DEMO_PASSWORD, "agent", demo=True)
    kb.users.add("center", "张校核", PASSWORD, "center_reviewer")


@pytest.fixture
def port(monkeypatch):
    """A port free on this machine for ``kb serve`` (it checks that its port is free), also as KB_PORT."""
    port = free_port()
    monkeypatch.setenv("KB_PORT", str(port))
    return port


def test_serve_refuses_a_public_address_while_an_account_has_the_demo_password(kb, monkeypatch, port):
    demo_accounts(kb)
    calls = []
    monkeypatch.setattr(os, "execve", lambda path, cmd, env: calls.append((cmd, env)))
    monkeypatch.setattr(os, "chdir", lambda path: None)
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    result = CliRunner().invoke(cli, ["serve", "--address", "0.0.0.0", *root])
    assert result.exit_code == 1 and calls == []
    where = f"--root {kb.settings.root.resolve()} --data-dir {kb.settings.data_path.resolve()}"
    assert result.output == (
        "错误：不能在 0.0.0.0 上启动：账号 admin、agent 仍在使用公开的演示密码（demo-2026），其他机器上的任何人都能用它登录。"
        f"请先修改这些账号的密码（kb user passwd 用户名 {where}，按提示输入新密码；或由管理员在“用户管理”页面重置），"
        f"或停用不用的账号（kb user disable 用户名 {where}）；只在本机试用时请用 --address 127.0.0.1。\n")
    monkeypatch.setenv("KB_ADDRESS", "192.168.1.20")
    assert CliRunner().invoke(cli, ["serve", *root]).exit_code == 1 and calls == []

    # On this machine only, the demo passwords are fine; the default address is the loopback one.
    monkeypatch.delenv("KB_ADDRESS")
    assert CliRunner().invoke(cli, ["serve", "--port", str(port), *root]).exit_code == 0
    cmd, env = calls.pop()
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.port") + 1] == str(port)
    assert cmd[cmd.index("run") + 1].endswith("kb_app/ui/server.py")
    assert env["FORWARDED_ALLOW_IPS"] == "127.0.0.1,::1"

    kb.users.set_password("admin", "a-real-password")
    kb.users.set_disabled("agent")
    result = CliRunner().invoke(cli, ["serve", "--address", "0.0.0.0", *root])
    assert result.exit_code == 0, result.output
    assert calls[-1][0][calls[-1][0].index("--server.address") + 1] == "0.0.0.0"


def test_the_commands_the_refusal_gives_work_from_anywhere(sample_root, tmp_path, monkeypatch):
    """scripts/serve runs kb from the clone on data/kb: the commands of the refusal name that knowledge
    base, and change the password there when run in another folder (not the folder's own, nor a new one)."""
    from kb_app import load_settings, open_kb

    kb = open_kb(load_settings(root=sample_root, today=TODAY))        # its data in the default place
    demo_accounts(kb)
    with pytest.raises(KbError) as refused:
        kb.users.check_listen_address("0.0.0.0")
    command = str(refused.value).split("（kb ", 1)[1].split("，", 1)[0]
    assert command == f"user passwd 用户名 --root {sample_root.resolve()}"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("KB_PASSWORD", "a-real-password")
    for username in ("admin", "agent"):
        result = CliRunner().invoke(cli, command.replace("用户名", username).split())
        assert result.exit_code == 0, result.output
    assert kb.users.with_demo_password() == [] and list(elsewhere.iterdir()) == []
    kb.users.check_listen_address("0.0.0.0")


def test_commands_in_messages_name_the_kb_that_was_run(monkeypatch, tmp_path):
    """./scripts/serve runs the clone's .venv/bin/kb, which a person's shell may not find as kb."""
    from kb_app.cli import program

    clone = tmp_path / "clone"
    venv_kb = clone / ".venv" / "bin" / "kb"
    venv_kb.parent.mkdir(parents=True)
    venv_kb.write_text("#!/bin/sh\n")
    venv_kb.chmod(0o755)
    monkeypatch.chdir(clone)
    monkeypatch.setattr("sys.argv", [".venv/bin/kb", "serve"])
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert program() == str(venv_kb)
    monkeypatch.setenv("PATH", str(venv_kb.parent))    # the virtual environment activated
    assert program() == "kb"


def test_serve_refuses_a_port_in_use_before_saying_it_started(kb, monkeypatch, port):
    import socket

    calls = []
    monkeypatch.setattr(os, "execve", lambda path, cmd, env: calls.append((cmd, env)))
    monkeypatch.setattr(os, "chdir", lambda path: None)
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen(1)
        for check in ([], ["--check"]):
            result = CliRunner().invoke(cli, ["serve", *check, *root])
            assert (result.exit_code, result.output) == (
                1, f"错误：无法监听 127.0.0.1:{port}（地址已被占用）：端口可能已被占用，请换一个端口（--port）。\n")
    assert calls == []
    result = CliRunner().invoke(cli, ["serve", "--check", *root])
    assert (result.exit_code, result.output) == (0, f"检查通过：知识库应用可以在 http://127.0.0.1:{port} 启动。\n")
    assert calls == []
    result = CliRunner().invoke(cli, ["serve", *root])
    # (then, when nothing answers where its public-site links point, a reminder)
    assert (result.exit_code, result.output.splitlines()[0]) == (0, f"知识库应用已启动：http://127.0.0.1:{port}")
    assert len(calls) == 1


def test_check_listen_address_names_only_enabled_demo_accounts(kb):
    demo_accounts(kb)
    kb.users.set_disabled("agent")
    with pytest.raises(KbError, match="账号 admin 仍在使用公开的演示密码"):
        kb.users.check_listen_address("::")
    kb.users.check_listen_address("localhost")


def test_demo_script_uses_the_guarded_password_and_serve_script_defaults_to_loopback(kb):
    import scripts.demo_users as demo

    assert demo.PASSWORD == DEMO_PASSWORD
    assert demo.main(["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]) == 0
    assert len(kb.users.with_demo_password()) == len(demo.DEMO_USERS)
    serve = (PROJECT / "scripts" / "serve").read_text(encoding="utf-8")
    assert '--address "${KB_ADDRESS:-127.0.0.1}"' in serve or 'ADDRESS=${KB_ADDRESS:-127.0.0.1}' in serve


def test_serve_hands_the_staff_app_the_settings_it_was_started_with(kb, monkeypatch, tmp_path, port):
    """The staff app's server runs in the package's folder: a kb.toml beside the operator (the public
    site's address, the idle time) reaches it as KB_* variables, and reads back as the same settings."""
    from kb_app.config import load_settings

    here, elsewhere = tmp_path / "operator", tmp_path / "package"
    here.mkdir(), elsewhere.mkdir()
    (here / "kb.toml").write_text('public_url = "https://12345.example.gov.cn"\nsession_idle_hours = 4\n',
                                  encoding="utf-8")
    monkeypatch.chdir(here)
    move_to = os.chdir
    calls = []
    monkeypatch.setattr(os, "execve", lambda path, cmd, env: calls.append((cmd, env)))
    monkeypatch.setattr(os, "chdir", lambda path: None)
    monkeypatch.setenv("KB_CONFIG", "kb.toml")
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)]
    result = CliRunner().invoke(cli, ["serve", *root])
    assert result.exit_code == 0, result.output
    _cmd, env = calls.pop()
    assert env["KB_PUBLIC_URL"] == "https://12345.example.gov.cn" and env["KB_SESSION_IDLE_HOURS"] == "4"
    assert "KB_CONFIG" not in env and env["KB_ROOT"] == str(kb.settings.root.resolve())
    move_to(elsewhere)
    for name, value in env.items():
        if name.startswith("KB_"):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("KB_CONFIG")
    again = load_settings()
    assert (again.public_site, again.session_idle_hours, again.data_path) == (
        "https://12345.example.gov.cn", 4, kb.settings.data_path.resolve())
