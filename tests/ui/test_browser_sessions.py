"""Staying signed in, in headless Chromium: log in, reload, type an address, open a second tab, sign
out in one and the other is signed out; then five failed log-ins lock the account and the address."""

import urllib.request
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from kb_app.ui.auth_routes import COOKIE

from ..browser import desktop_page, requires_chromium, users_app
from ..review_helpers import PASSWORD
from ..accounts.test_accounts import WRONG, locked_account

pytestmark = requires_chromium


@pytest.fixture
def server(kb, tmp_path, built_index):
    with users_app(kb, tmp_path, built_index) as url:
        yield url


@pytest.fixture
def page():
    with desktop_page() as pg:
        yield pg


def log_in(page, url, username, password):
    page.goto(url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def signed_in(page):
    return page.locator("[data-testid='stSidebar']").get_by_text("已登录：张校核（热线中心校核）")


def signed_out(page):
    """Wait until the page shows the menu of somebody signed out."""
    page.locator("[data-testid='stSidebar']").get_by_role("link", name="登录").wait_for()
    expect(page.get_by_text("已登录：")).to_have_count(0)


def test_a_session_survives_reloads_and_tabs_and_signing_out_in_one_tab_signs_out_the_other(kb, server, page,
                                                                                          tmp_path):
    url = server
    log_in(page, url, "center", PASSWORD)
    signed_in(page).wait_for()
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] == -1
    assert COOKIE not in page.evaluate("document.cookie")          # out of reach of any script

    page.reload()
    signed_in(page).wait_for()
    page.goto(url + "/review")                                      # a typed address
    page.get_by_role("heading", name="变更校核").wait_for()
    signed_in(page).wait_for()
    page.screenshot(path=str(tmp_path / "signed-in.png"), full_page=True)

    second = page.context.new_page()
    second.goto(url + "/work")
    second.get_by_role("heading", name="我的工作").wait_for()
    signed_in(second).wait_for()
    second.get_by_role("button", name="退出登录").click()
    signed_out(second)
    assert COOKIE not in [c["name"] for c in page.context.cookies()]

    # The first tab still shows the review page; its next click finds the session ended.
    page.locator("[data-testid='stSidebar']").get_by_role("link", name="全部条目").click()
    signed_out(page)
    page.reload()
    signed_out(page)
    page.screenshot(path=str(tmp_path / "signed-out.png"), full_page=True)
    assert [e.event for e in reversed(kb.audit.list("center"))] == ["created", "login", "logout"]
    assert kb.sessions.active() == []


def test_five_failed_log_ins_in_the_app_lock_the_account_not_the_colleagues_at_its_address(kb, server, page, tmp_path):
    url = server
    log_in(page, url, "legal", "wrong-password")
    page.get_by_text(WRONG).wait_for()
    assert page.get_by_label("用户名").input_value() == "legal"      # typed again for the next try
    page.wait_for_url(lambda u: "notice=" not in u)                 # the message is not kept in the address
    page.reload()
    page.get_by_label("用户名").wait_for()
    expect(page.get_by_text(WRONG)).to_have_count(0)
    for _ in range(4):
        page.get_by_label("密码").fill("wrong-password")
        page.get_by_role("button", name="登录").click()
    page.get_by_text(locked_account("legal", 15)).wait_for()
    page.screenshot(path=str(tmp_path / "locked.png"), full_page=True)
    log_in(page, url, "center", PASSWORD)       # a colleague at the same address is not locked out
    signed_in(page).wait_for()
    events = [e.event for e in reversed(kb.audit.list()) if e.event != "created"]
    assert events == ["failed"] * 5 + ["locked", "login"]


def test_behind_a_proxy_on_this_machine_the_forwarded_address_is_the_clients(kb, server):
    """``trusted_proxies`` defaults to this machine: a local proxy's X-Forwarded-For names the client."""
    request = urllib.request.Request(server + "/auth/login", data=b"username=center&password=wrong-password",
                                     headers={"X-Forwarded-For": "203.0.113.7"}, method="POST")
    with urllib.request.urlopen(request) as response:                # follows the redirect to /login
        assert urlsplit(response.url).path == "/login"
    event = kb.audit.list("center")[0]
    assert (event.event, event.client, event.via) == ("failed", "203.0.113.7", "app")
