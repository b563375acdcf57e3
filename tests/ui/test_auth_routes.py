"""The app's sign-in routes over HTTP: cookie flags, throttling by client address, sign-out, forged input."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kb_app.accounts import throttle
from kb_app.exceptions import AuthError, DatabaseUnusable
from kb_app.ui.auth_routes import COOKIE, read_notice, routes, safe_next, sign_notice
from kb_app.ui.errors import SYSTEM_DOWN, said

from ..accounts.test_accounts import PASSWORD, WRONG, locked_address, locked_account
from ..test_db import read_only


@pytest.fixture
def center(kb):
    return kb.users.add("center", "张校核", PASSWORD, "center_reviewer")


def client_for(kb, address="10.1.2.3"):
    return TestClient(Starlette(routes=routes(lambda: kb)), client=(address, 50000), follow_redirects=False)


def log_in(http, username, password, **extra):
    return http.post("/auth/login", data={"username": username, "password": password, **extra})


def notice(response):
    """The message and the other parameters a refused log-in takes back to the log-in page."""
    location = urlsplit(response.headers["location"])
    assert location.path == "/login"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    return read_notice(query.pop("notice")), query


def test_log_in_sets_an_httponly_strict_session_cookie_and_goes_back(kb, center):
    response = log_in(client_for(kb), "center", PASSWORD, next="/review")
    assert response.status_code == 303 and response.headers["location"] == "/review"
    cookie = response.headers["set-cookie"]
    token = cookie.split(";")[0].removeprefix(f"{COOKIE}=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= flags
    assert not any(f.startswith(("max-age", "expires")) for f in flags)   # gone when the browser closes
    assert "secure" not in flags                                           # plain http on this machine
    assert kb.sessions.resume(token) == center
    assert [(s.client, s.user_agent) for s in kb.sessions.active()] == [("10.1.2.3", "testclient")]
    assert kb.audit.list()[0].event == "login" and kb.audit.list()[0].via == "app"


def test_the_cookie_is_secure_over_https(kb, center):
    app = Starlette(routes=routes(lambda: kb))
    http = TestClient(app, base_url="https://kb.example", follow_redirects=False)
    assert "secure" in log_in(http, "center", PASSWORD).headers["set-cookie"].lower()


def test_a_refused_log_in_returns_to_the_log_in_page_with_its_message(kb, center):
    response = log_in(client_for(kb), "center", "wrong-password", next="/review")
    assert response.status_code == 303 and "set-cookie" not in response.headers
    assert notice(response) == (WRONG, {"username": "center", "next": "/review"})


def test_a_database_that_may_not_be_written_is_said_plainly_on_the_log_in_page(kb, center, monkeypatch, caplog):
    """Who tries to sign in is told the system cannot be used now; the file and what to give whom, the log."""
    token = kb.sessions.start(center)
    read_only(monkeypatch)
    with caplog.at_level(logging.ERROR, logger="kb_app.ui.errors"):
        response = log_in(client_for(kb), "center", PASSWORD, next="/review")
        assert response.status_code == 303 and "set-cookie" not in response.headers
        message, query = notice(response)
        assert message == SYSTEM_DOWN and query == {"username": "center", "next": "/review"}
        http = client_for(kb)
        http.cookies.set(COOKIE, token)
        response = http.post("/auth/logout")
    assert response.status_code == 503 and response.text == f"未能退出登录：{SYSTEM_DOWN}"
    logged = {r.getMessage() for r in caplog.records if r.name == "kb_app.ui.errors"}
    assert logged and all(f"无法写入流程数据库“{kb.settings.db_path}”：没有写权限" in m for m in logged)


def test_an_administrator_signed_in_is_told_what_is_wrong_with_the_database(kb):
    damaged = DatabaseUnusable(f"流程数据库“{kb.settings.db_path}”已损坏（数据库文件的结构错乱）：请停止应用……",
                               "database disk image is malformed", damaged=True, reason="数据库文件的结构错乱")
    admin = kb.users.add("admin", "赵管理", PASSWORD, "admin")
    agent = kb.users.add("zuoxi01", "王坐席", PASSWORD, "agent")
    assert said(damaged, admin) == str(damaged)
    assert said(damaged, agent) == said(damaged) == SYSTEM_DOWN
    refused = AuthError("用户名或密码错误。")
    assert said(refused) == str(refused)                # what the person can put right is said as it is


def test_many_failures_from_one_address_lock_it_in_the_app(kb, center):
    http = client_for(kb, "10.1.2.3")
    tries = throttle.MAX_CLIENT_FAILURES
    results = [notice(log_in(http, f"guess{i}", "wrong-password"))[0] for i in range(tries)]
    assert results == [WRONG] * (tries - 1) + [locked_address("10.1.2.3", 15)]
    response = log_in(http, "center", PASSWORD)
    assert "set-cookie" not in response.headers
    assert notice(response)[0] == locked_address("10.1.2.3", 15)
    assert "set-cookie" in log_in(client_for(kb, "10.9.9.9"), "center", PASSWORD).headers
    kb.throttle.unlock("client", "10.1.2.3", actor="admin", via="app")
    assert "set-cookie" in log_in(http, "center", PASSWORD).headers


def test_five_failures_for_one_account_lock_it_from_every_address(kb, center):
    for i in range(5):
        log_in(client_for(kb, f"10.0.0.{i}"), "center", "wrong-password")
    assert notice(log_in(client_for(kb, "10.0.0.9"), "center", PASSWORD))[0] == locked_account("center", 15)


def test_sign_out_ends_the_session_and_clears_the_cookie(kb, center):
    http = client_for(kb)
    token = log_in(http, "center", PASSWORD).cookies[COOKIE]
    other = kb.sessions.start(center)           # another browser (other tabs share the cookie)
    response = http.post("/auth/logout", cookies={COOKIE: token})
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f'{COOKIE}=""') and "max-age=0" in cookie and "httponly" in cookie
    assert kb.sessions.resume(token) is None and kb.sessions.resume(other) == center
    assert kb.audit.list()[0].event == "logout"
    assert http.post("/auth/logout").status_code == 303       # signing out twice is harmless


def test_posts_from_another_site_are_refused(kb, center):
    http = client_for(kb)
    response = log_in(http, "center", PASSWORD)
    token = response.cookies[COOKIE]
    evil = {"origin": "https://evil.example"}
    response = http.post("/auth/login", data={"username": "center", "password": PASSWORD}, headers=evil)
    assert response.status_code == 403 and "set-cookie" not in response.headers
    assert http.post("/auth/logout", cookies={COOKIE: token}, headers=evil).status_code == 403
    assert kb.sessions.resume(token) == center
    ours = {"origin": "http://testserver"}
    assert http.post("/auth/logout", cookies={COOKIE: token}, headers=ours).status_code == 303


def test_get_on_the_log_in_route_goes_to_the_log_in_page(kb):
    response = client_for(kb).get("/auth/login")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    response = client_for(kb).get("/auth/login", params={"next": "/review?cr=3"})
    assert response.headers["location"] == "/login?next=%2Freview%3Fcr%3D3"
    assert client_for(kb).get("/auth/login", params={"next": "//evil.example"}).headers["location"] == \
        "/login?next=%2F"


@pytest.mark.parametrize("target, safe", [
    ("/review", "/review"), ("/entry?id=a-b", "/entry?id=a-b"),
    ("/agent?q=%E5%B1%85&page=2", "/agent?q=%E5%B1%85&page=2"),
    ("/agent?q=居住证", "/agent?q=居住证"), ("", "/"), (None, "/"), ("review", "/"),
    ("//evil.example/x", "/"), ("/\\evil.example", "/"), ("/review\\..\\", "/"),
    ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"), ("/\t/evil.example", "/"), ("/\n/evil.example", "/"),
    ("/ /evil.example", "/"),
    ("\t//evil.example", "/"), ("/%0a/x y", "/"), ("/login?next=/review", "/"), ("/auth/logout", "/"),
    ("/_stcore/health", "/"), ("/" + "a" * 3000, "/")])
def test_only_paths_of_this_site_are_followed_after_log_in(target, safe):
    assert safe_next(target) == safe


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/\\evil.example",
                                    "/\t/evil.example"])
def test_log_in_never_sends_the_browser_to_another_site(kb, center, target):
    response = log_in(client_for(kb), "center", PASSWORD, next=target)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert notice(log_in(client_for(kb, "10.7.7.7"), "center", "wrong", next=target))[1]["next"] == "/"


def test_log_in_goes_back_to_the_page_with_its_query(kb, center):
    response = log_in(client_for(kb), "center", PASSWORD, next="/agent?q=居住证&page=2")
    assert urlsplit(response.headers["location"]).path == "/agent"
    assert parse_qs(urlsplit(response.headers["location"]).query) == {"q": ["居住证"], "page": ["2"]}


@pytest.mark.parametrize("path, moved", [
    ("/answer?id=residence-permit-apply", "/answers/residence-permit-apply"),
    ("/article?id=beijing-2021/11", "/articles/beijing-2021/11"),
    ("/search?q=居住证", "/?q=%E5%B1%85%E4%BD%8F%E8%AF%81"), ("/search", "/"), ("/answer", "/"),
    ("/answer?id=../../x", "/answers/..%2F..%2Fx")])
def test_old_public_addresses_move_to_the_public_site(kb, path, moved):
    response = client_for(kb).get(path)
    assert response.status_code == 301
    assert response.headers["location"] == "http://127.0.0.1:8080" + moved


def test_notices_cannot_be_forged():
    signed = sign_notice("用户名或密码不正确。")
    assert read_notice(signed) == "用户名或密码不正确。"
    payload, _, mac = signed.rpartition(".")
    assert read_notice(sign_notice("别的话").rpartition(".")[0] + "." + mac) is None
    for forged in (None, "", "abc", payload, payload + ".0000", "." + mac):
        assert read_notice(forged) is None
