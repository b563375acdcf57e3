"""AppTest of getting around the staff app: the landing page per role, signed-out visitors of staff
pages, the public site's address, and the agent console's search kept in the address."""

import logging

import pytest

from kb_app import load_settings
from kb_app.config import default_public_url
from kb_app.exceptions import ConfigError
from kb_app.ui.errors import SYSTEM_DOWN
from kb_app.ui.navigation import LANDING, PAGE_SPECS, landing

from ..review_helpers import make_users
from ..test_db import damage
from ..ui_helpers import links, open_address, open_page, page_text, rows

PUBLIC = "http://127.0.0.1:8080"


@pytest.fixture
def people(app_env):
    add = app_env.users.add
    return {"agent": add("zuoxi01", "王坐席", "correct-horse-1", "agent"),
            "unit_editor": add("bianji01", "李编辑", "correct-horse-1", "unit_editor", "city-hrss"),
            "unit_reviewer": add("shenhe01", "周审核", "correct-horse-1", "unit_reviewer", "city-hrss"),
            "center_reviewer": add("center", "张校核", "correct-horse-1", "center_reviewer"),
            "legal_reviewer": add("legal", "钱法制", "correct-horse-1", "legal_reviewer"),
            "admin": add("admin", "赵管理", "correct-horse-1", "admin")}


# -- where each role lands ---------------------------------------------------------------------


@pytest.mark.parametrize("role, title", [("agent", "坐席工作台"), ("unit_editor", "我的工作"),
                                         ("unit_reviewer", "变更校核"), ("center_reviewer", "变更校核"),
                                         ("legal_reviewer", "变更校核"), ("admin", "统计分析")])
def test_each_role_lands_where_its_work_is(people, role, title):
    at = open_page(user=people[role])  # the app's root: where /auth/login sends a user without ``next``
    assert at.title[0].value == title
    said = people[role].role_label.replace("·city-hrss", "·示例市人力资源和社会保障局")  # units by name
    assert f"已登录：{people[role].name}（{said}）" in [c.value for c in at.sidebar.caption]


def test_a_database_that_cannot_be_used_is_said_plainly_on_the_page_and_fully_in_the_log(app_env, people, caplog):
    """Whoever reaches the page is told the system cannot be used now; the file's path and the commands that
    repair it are for the log (and kb doctor), not for anyone who opens the sign-in page."""
    token = app_env.sessions.start(people["center_reviewer"])
    at = open_page(session_token=token)
    damage(app_env.settings.db_path)
    with caplog.at_level(logging.ERROR, logger="kb_app.ui.errors"):
        at.run()
        assert not at.exception
        assert [e.value for e in at.error] == [SYSTEM_DOWN]
    shown = page_text(at)
    assert str(app_env.settings.db_path) not in shown and "kb restore" not in shown
    [logged] = {r.getMessage() for r in caplog.records if r.name == "kb_app.ui.errors"}
    assert logged == (f"流程数据库无法使用：流程数据库“{app_env.settings.db_path}”已损坏（文件已无法识别为数据库）："
                      "请停止应用，用 kb restore 从最近的备份恢复；kb doctor 列出损坏之处和其余各项的检查结果。"
                      "（SQLite：file is not a database）")


def test_every_role_has_a_landing_page_it_may_open():
    files = {s.file: s for s in PAGE_SPECS}
    for role, file in LANDING.items():
        assert role in files[file].roles, (role, file)
        assert landing(role, set(files)) == file
    assert landing(None, set(files)) == "login.py"
    assert landing("agent", set(files) - {"agent.py"}) == "history.py"  # its first page present


def test_signed_out_the_app_is_the_sign_in_page_with_the_way_to_the_public_site(app_env):
    at = open_page()
    assert at.title[0].value == "登录"
    form = "".join(h.proto.body for h in at.get("html"))
    assert 'action="/auth/login"' in form and 'name="next"' not in form
    assert (f"市民查询政策问答，请访问公众网站：{PUBLIC}", PUBLIC, "") in links(at)
    menu = [(label, page) for label, page, _q in links(at.sidebar)]
    assert menu == [("登录", "login"), ("公众网站", PUBLIC)]  # no staff page is offered
    assert "12345 政策问答自助查询" not in page_text(at)


def test_the_public_pages_are_gone_from_the_app(people):
    at = open_page(user=people["admin"])
    for gone in ("app_pages/search.py", "app_pages/answer.py"):
        with pytest.raises(ValueError, match="Could not find page"):
            at.switch_page(gone)
    assert {p for _l, p, _q in links(at.sidebar)} >= {"stats", "users", "review", PUBLIC}
    assert "search" not in {p for _l, p, _q in links(at.sidebar)}


# -- a staff page opened while signed out -------------------------------------------------------


@pytest.mark.parametrize("url_path, title, query, back", [
    ("review", "变更校核", {"cr": "3"}, "/review?cr=3"),
    ("agent", "坐席工作台", {"q": "居住证", "page": "2"}, "/agent?q=%E5%B1%85%E4%BD%8F%E8%AF%81&page=2"),
    ("users", "用户管理", {}, "/users"),
    ("entry", "条目详情", {"id": "heating-peak-season-internal"}, "/entry?id=heating-peak-season-internal")])
def test_a_staff_page_opened_signed_out_asks_to_sign_in_and_comes_back(app_env, url_path, title, query, back):
    at = open_address(url_path, **query)
    assert at.title[0].value == "登录"
    assert at.info[0].value == f"“{title}”是工作人员页面：请先登录，登录后自动回到该页面。"
    form = "".join(h.proto.body for h in at.get("html"))
    assert f'<input type="hidden" name="next" value="{back.replace("&", "&amp;")}">' in form
    text = page_text(at)
    assert "内部提示" not in text and "供暖高峰期" not in text  # nothing of the page itself


def test_a_role_that_may_not_open_a_page_is_told_so(people):
    at = open_address("users", people["agent"])
    assert at.title[0].value == "用户管理"
    assert at.warning[0].value == "“用户管理”不对坐席开放：如需使用，请联系管理员调整账号角色。"
    assert ("回到坐席工作台", "agent", "") in links(at)
    assert not at.table and not at.dataframe
    # A unit's editor is told by the unit's name, not its code.
    at = open_address("users", people["unit_editor"])
    assert at.warning[0].value == "“用户管理”不对单位编辑·示例市人力资源和社会保障局开放：如需使用，请联系管理员调整账号角色。"


def test_signed_in_the_sign_in_page_goes_to_work(people):
    at = open_address("login", people["unit_editor"])
    assert at.title[0].value == "我的工作"


# -- the public site's address --------------------------------------------------------------------


def test_public_url_defaults_to_where_serve_starts_kb_web(monkeypatch, tmp_path):
    monkeypatch.delenv("KB_PUBLIC_URL", raising=False)
    for name in ("KB_WEB_ADDRESS", "KB_WEB_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert default_public_url() == PUBLIC
    assert load_settings(root=tmp_path).public_site == PUBLIC
    monkeypatch.setenv("KB_WEB_PORT", "9090")
    monkeypatch.setenv("KB_WEB_ADDRESS", "0.0.0.0")  # everywhere: this machine reaches it at loopback
    assert load_settings(root=tmp_path).public_site == "http://127.0.0.1:9090"
    monkeypatch.setenv("KB_WEB_ADDRESS", "::1")
    assert default_public_url() == "http://[::1]:9090"
    monkeypatch.setenv("KB_PUBLIC_URL", "https://12345.example.gov.cn/")
    assert load_settings(root=tmp_path).public_site == "https://12345.example.gov.cn"
    (tmp_path / "kb.toml").write_text('public_url = "https://kb.example.org/zixun"\n', encoding="utf-8")
    monkeypatch.delenv("KB_PUBLIC_URL")
    assert load_settings(tmp_path / "kb.toml").public_site == "https://kb.example.org/zixun"


def test_public_url_defaults_to_the_kb_web_running_for_this_knowledge_base(monkeypatch, tmp_path):
    """``kb web --port 8251`` started by hand: the staff app's links follow it, not port 8080."""
    import json
    import os
    import subprocess

    for name in ("KB_PUBLIC_URL", "KB_WEB_ADDRESS", "KB_WEB_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(root=tmp_path, data_dir=tmp_path / "data")
    settings.data_path.mkdir()
    note = settings.data_path / "web-address.json"
    note.write_text(json.dumps({"url": "http://127.0.0.1:8251", "pid": os.getpid()}), encoding="utf-8")
    assert settings.public_site == "http://127.0.0.1:8251"
    assert load_settings(root=tmp_path, data_dir=tmp_path / "data", public_url="https://a.example").public_site \
        == "https://a.example"
    ended = subprocess.Popen(["true"])
    ended.wait()
    note.write_text(json.dumps({"url": "http://127.0.0.1:8251", "pid": ended.pid}), encoding="utf-8")
    assert settings.public_site == PUBLIC  # the site that noted it has stopped
    for broken in ("", "{", '{"url": "http://127.0.0.1:8251"}', '["x"]', '{"url": 1, "pid": "x"}'):
        note.write_text(broken, encoding="utf-8")
        assert settings.public_site == PUBLIC


def test_kb_serve_says_when_the_public_site_it_links_to_does_not_answer(kb, monkeypatch):
    import os

    from click.testing import CliRunner

    from kb_app.cli import cli

    from ..browser import free_port, port_in_use

    monkeypatch.setattr(os, "execve", lambda path, cmd, env: None)
    monkeypatch.setattr(os, "chdir", lambda path: None)
    root = ["--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path), "--port", str(free_port())]
    with port_in_use() as port:
        monkeypatch.setenv("KB_PUBLIC_URL", f"http://127.0.0.1:{port}")
        result = CliRunner().invoke(cli, ["serve", *root])
        assert result.exit_code == 0 and "提醒" not in result.output
    nobody = free_port()
    monkeypatch.setenv("KB_PUBLIC_URL", f"http://127.0.0.1:{nobody}/")
    monkeypatch.setattr("kb_app.ui.commands.admin.SITE_WAIT", 0)
    result = CliRunner().invoke(cli, ["serve", *root])
    assert result.exit_code == 0
    assert (f"提醒：页面上“公众网站”的链接指向 http://127.0.0.1:{nobody}，但那里没有响应。请先用 kb web 启动公众网站，"
            "或用设置项 public_url（环境变量 KB_PUBLIC_URL）写明它的地址。") in result.output


def test_kb_serve_waits_for_a_public_site_started_with_it(kb, monkeypatch):
    """``kb web`` started at the same moment on another port notes its address a moment later: ``kb serve`` reads
    it again while it waits, and does not say that the default address does not answer."""
    import json
    import os

    from click.testing import CliRunner

    from kb_app import listening
    from kb_app.cli import cli

    from ..browser import free_port, port_in_use

    monkeypatch.setattr(os, "execve", lambda path, cmd, env: None)
    monkeypatch.setattr(os, "chdir", lambda path: None)
    monkeypatch.setattr("kb_app.ui.commands.admin.SITE_POLL", 0, raising=False)
    monkeypatch.setenv("KB_WEB_PORT", str(free_port()))   # the default address: nothing there
    asked, real = [], listening.answers
    with port_in_use() as port:
        def answers(url, timeout=1.0):
            asked.append(url)
            if len(asked) == 1:      # kb web notes where it listens after the first look
                kb.settings.site_record.parent.mkdir(parents=True, exist_ok=True)
                kb.settings.site_record.write_text(json.dumps({"url": f"http://127.0.0.1:{port}", "pid": os.getpid()}))
            return real(url, timeout)

        monkeypatch.setattr(listening, "answers", answers)
        result = CliRunner().invoke(cli, ["serve", "--root", str(kb.settings.root), "--data-dir",
                                          str(kb.settings.data_path), "--port", str(free_port())])
    assert result.exit_code == 0 and "提醒" not in result.output, result.output
    assert asked[-1] == f"http://127.0.0.1:{port}"


def test_kb_serve_says_its_address_in_chinese_only(kb, tmp_path):
    """The console shows the project's own line, not Streamlit's English welcome and URLs."""
    from ..browser import running_app

    log = tmp_path / "serve.log"
    with running_app(kb.settings.root, kb.settings.data_path, kb.settings.today, log) as url:
        said = log.read_text(encoding="utf-8")
    assert f"知识库应用已启动：{url}" in said
    assert "Streamlit" not in said and "URL:" not in said


@pytest.mark.parametrize("bad", ["12345.example.gov.cn", "javascript:alert(1)", "/answers"])
def test_public_url_must_be_a_web_address(tmp_path, bad):
    with pytest.raises(ConfigError, match="设置项 public_url 的值.*无效：应为公众网站的网址"):
        load_settings(root=tmp_path, public_url=bad)


# -- the agent console keeps its search in the address ------------------------------------------------


def result_links(at):
    return [q for _l, p, q in links(at) if p in ("entry", "provision")]


def test_the_console_search_comes_from_the_address(people):
    at = open_address("agent", people["agent"], q="居住证", kind="policy")
    assert at.text_input(key="agent_q").value == "居住证"
    assert at.segmented_control(key="agent_kind").value == "答复口径"
    assert "id=residence-permit-apply" in result_links(at)
    assert all(c.value != "检索范围包括全部条目；未生效、已失效和内部条目会标出。" for c in at.caption)


def test_the_console_writes_its_search_and_page_into_the_address(app_env, people):
    at = open_page("app_pages/agent.py", user=people["agent"])
    at.text_input(key="agent_q").input("办理").run()
    assert at.query_params["q"] == "办理" and "page" not in at.query_params
    first = result_links(at)
    assert len(first) == 10
    total = int(next(c.value for c in at.caption if c.value.startswith("共 ")).split()[1])
    assert total > 10
    assert at.button(key="agent_prev").disabled
    at.button(key="agent_next").click().run()
    assert at.query_params["page"] == "2"
    second = result_links(at)
    assert second and not set(second) & set(first)
    assert f"共 {total} 条，第 11–{10 + len(second)} 条" in [c.value for c in at.caption]
    at.segmented_control(key="agent_kind").set_value("答复口径").run()  # a new search: its first page
    assert at.query_params["kind"] == "policy" and "page" not in at.query_params
    # Turning pages is not a new search, nor is the same question narrowed during the same call: one request
    # (search_log.asker); another question is.
    assert [r["query"] for r in rows(app_env, "search_log")] == ["办理"]
    at.text_input(key="agent_q").input("社保卡").run()
    assert [r["query"] for r in rows(app_env, "search_log")] == ["办理", "社保卡"]


def test_going_back_in_the_address_shows_the_results_before(people):
    at = open_page("app_pages/agent.py", user=people["agent"])
    at.text_input(key="agent_q").input("办理").run()
    first = result_links(at)
    at.button(key="agent_next").click().run()
    at.query_params.pop("page")  # the back button: the address before, as the browser restores it
    at.run()
    assert result_links(at) == first and at.text_input(key="agent_q").value == "办理"
    at.query_params["q"] = "居住证"  # back once more, to another query
    at.run()
    assert at.text_input(key="agent_q").value == "居住证"
    assert "id=residence-permit-apply" in result_links(at)


@pytest.mark.parametrize("page", ["0", "abc", "-1", "99999"])
def test_a_page_past_the_end_or_unreadable_is_still_a_page(people, page):
    at = open_address("agent", people["agent"], q="居住证", page=page)
    assert result_links(at)
    assert not at.error


def test_all_entries_open_on_the_units_own_for_its_staff(app_env):
    users = make_users(app_env)
    snap = app_env.snapshot()
    own = [e for e in snap.entry_list if e.unit == "city-hrss"]
    at = open_page("app_pages/browse.py", users["hrss-editor"])
    assert at.selectbox(key="browse_unit").value == "city-hrss"
    assert any(c.value == f"共 {len(own)} 条" for c in at.caption)
    at.selectbox(key="browse_unit").set_value("").run()     # all units, when asked
    assert any(c.value.startswith(f"共 {len(snap.entry_list)} 条") for c in at.caption)
    at = open_page("app_pages/browse.py", users["center"])  # the center looks after every unit's
    assert at.selectbox(key="browse_unit").value == ""
