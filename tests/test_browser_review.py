"""The whole review flow in headless Chromium: an editor changes an answer, a unit reviewer and a
center reviewer approve, the change is published and the public search shows the new text."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kb_app import frontmatter

from .review_helpers import HRSS, PASSWORD, make_users

CHROMIUM = "/usr/bin/chromium"
APP = Path(__file__).resolve().parent.parent / "kb_app" / "ui" / "app.py"
NEW_TEXT = "各区政务服务中心新设的自助补卡机可以当场制卡"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="需要 /usr/bin/chromium：请运行 ./scripts/test（会用 apt 安装 chromium），或 apt-get install chromium fonts-noto-cjk")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(kb):
    make_users(kb)
    kb.reindex()
    port = free_port()
    env = {**os.environ, "KB_ROOT": str(kb.settings.root), "KB_DATA_DIR": str(kb.settings.data_path),
           "KB_TODAY": kb.settings.today}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false", "--global.developmentMode", "false"],
                            cwd=APP.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("Streamlit 服务未能在 120 秒内启动")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.set_default_timeout(60_000)
        yield pg
        browser.close()


def log_in(page, url, username):
    page.goto(url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("已登录：").wait_for()


def choose(page, label, option):
    box = page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text(label, exact=True))
    box.locator("input").click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option).click()


def log_out(page):
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("link", name="登录").wait_for()


def approve(page, url, username, cr_id, expected_state):
    log_in(page, url, username)
    page.get_by_role("link", name="变更校核").click()
    page.get_by_text(f"#{cr_id} ").first.wait_for()
    page.get_by_text(NEW_TEXT).first.wait_for()          # the side-by-side diff shows the change
    page.get_by_role("button", name="批准").click()
    page.get_by_text(f"批准成功，当前状态：{expected_state}。").wait_for()
    log_out(page)


def test_edit_review_publish_and_search(kb, server, page):
    url = server
    log_in(page, url, "hrss-editor")
    page.get_by_role("link", name="编辑条目").click()
    choose(page, "条目", HRSS)
    body = page.get_by_label("正文（Markdown）")
    body.wait_for()
    page.get_by_text("社会保障卡丢失或损坏").first.wait_for()
    body.fill(body.input_value() + f"\n{NEW_TEXT}。\n")
    body.press("Control+Enter")
    page.locator("strong", has_text="当场领卡").first.wait_for()     # live preview of the Markdown
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("修改已保存到变更请求 #1（审核中）。").wait_for()
    log_out(page)
    assert NEW_TEXT not in kb.store.read(HRSS)

    approve(page, url, "hrss-reviewer", 1, "审核中")
    approve(page, url, "center", 1, "已发布")
    assert NEW_TEXT in kb.store.read(HRSS)

    title = frontmatter.parse(kb.store.read(HRSS))[0]["title"]
    page.goto(f"{url}/search?q=自助补卡机当场制卡")
    page.get_by_text(title).first.wait_for()
