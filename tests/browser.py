"""Shared by the headless-Chromium tests: the app started with ``kb serve``, and a browser page."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import TODAY

CHROMIUM = Path("/usr/bin/chromium")
DOCS = Path(__file__).resolve().parent.parent / "docs"
requires_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="需要 Debian 的 chromium（/usr/bin/chromium）：请运行 ./scripts/test"
                                                     "（会用 apt 安装），或 apt-get install -y chromium fonts-noto-cjk"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def stop_process_group(proc, seconds: float = 15) -> bool:
    """SIGTERM to a server started in its own session, SIGKILL after ``seconds``; whether it stopped."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return False
    except ProcessLookupError:
        return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def port_in_use():
    """A port of 127.0.0.1 that a socket listens on until the block ends (another program's); yields it."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        yield taken.getsockname()[1]


@contextlib.contextmanager
def running_app(root, data_dir, today=TODAY, log_path=None, seconds=120):
    """``kb serve`` on a free port until the block ends; yields its URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env["KB_TODAY"] = today
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "kb_app", "serve", "--root", str(root), "--data-dir", str(data_dir),
                             "--port", str(port), "--address", "127.0.0.1"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + seconds
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"kb serve exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{url} did not start in {seconds} s")
                time.sleep(0.3)
        yield url
    finally:
        stop_process_group(proc)
        if log_path:
            log.close()


@contextlib.contextmanager
def browser_page(timeout_ms=60_000, **context_options):
    """A page of a fresh headless Chromium (Debian's, driven by Playwright)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(locale="zh-CN", **context_options)
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def log_in(page, url, username, password):
    """Sign in on the log-in page and wait until the app says who is signed in."""
    page.goto(url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("已登录：").wait_for()


def log_out(page):
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("link", name="登录").wait_for()


def screenshot(page, tmp_path, name, docs=False, height=None):
    """A screenshot to look at (in the test's directory); with ``UPDATE_SCREENSHOTS=1`` the main page of
    a role (``docs=True``) also goes to docs/ for the README. ``height`` enlarges the window for it."""
    width = page.viewport_size["width"]
    old_height = page.viewport_size["height"]
    if height:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(500)
    page.screenshot(path=str(tmp_path / f"{name}.png"))
    if docs and os.environ.get("UPDATE_SCREENSHOTS"):
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / f"{name}.png"))
    if height:
        page.set_viewport_size({"width": width, "height": old_height})


@contextlib.contextmanager
def sample_app(sample_root, tmp_path, built_index, prepare=None):
    """``kb serve`` on the sample with its index and the review helpers' users; yields (URL, kb).

    ``prepare(kb, users)`` runs before the app starts (publishing changes, logging searches …).
    """
    from kb_app import load_settings, open_kb

    from .review_helpers import make_users

    data = tmp_path / "data"
    shutil.copytree(built_index, data / "index")
    kb = open_kb(load_settings(root=sample_root, data_dir=data, today=TODAY))
    users = make_users(kb)
    if prepare:
        prepare(kb, users)
    with running_app(sample_root, data, TODAY, tmp_path / "serve.log") as url:
        yield url, kb


@contextlib.contextmanager
def users_app(kb, tmp_path, built_index=None):
    """``kb serve`` over a test knowledge base with the review helpers' users; yields its URL.

    The index is copied from ``built_index`` when given, else built.
    """
    from .review_helpers import make_users

    make_users(kb)
    if built_index is not None:
        shutil.copytree(built_index, kb.settings.index_dir)
    else:
        kb.reindex()
    settings = kb.settings
    with running_app(settings.root, settings.data_path, settings.today, tmp_path / "serve.log") as url:
        yield url


@contextlib.contextmanager
def desktop_page():
    """A browser page the size of an office screen."""
    with browser_page(viewport={"width": 1400, "height": 1000}) as page:
        yield page
