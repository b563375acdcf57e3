"""HTTP routes of the app's sign-in: log-in and sign-out forms post here; the session cookie is set here.

The log-in page (app_pages/login.py) is a plain HTML form that posts to ``/auth/login``: the password
is checked on the server (throttled, see kb_app.accounts.throttle), a server-side session is opened
(kb_app.accounts.sessions) and its token is set as an HttpOnly, ``SameSite=Strict`` cookie before the browser is
sent back. The page reads that cookie with ``st.context.cookies`` on every run (ui/state.py).
A failed log-in goes back to the log-in page with its message, signed so that nobody can put words
of their own on the page through a link.

The client address is the connection's peer, or the address a trusted reverse proxy forwards in
``X-Forwarded-For`` (uvicorn believes the proxies in FORWARDED_ALLOW_IPS, which ``kb serve`` sets from
the ``trusted_proxies`` setting).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from html import escape
from urllib.parse import quote, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from kb_app.exceptions import KbError
from kb_app.ui.errors import said

COOKIE = "kb_session"
LOGIN_PATH = "/auth/login"
LOGOUT_PATH = "/auth/logout"
LOGIN_PAGE = "/login"
MAX_NEXT = 2000
# Addresses of the public pages this app used to serve, now on the public site (kb web): old links and
# bookmarks are sent there (see moved_to).
MOVED = ("/search", "/answer", "/article")
# Signs the messages handed to the log-in page; new with every start of the server.
_NOTICE_KEY = secrets.token_bytes(32)


def sign_notice(text: str) -> str:
    """A message for the log-in page, with a signature only this server can make."""
    payload = base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")
    return f"{payload}.{_mac(payload)}"


def read_notice(value: str | None) -> str | None:
    """The message of a signed notice, or None when it is missing or was not made here."""
    payload, _, mac = (value or "").rpartition(".")
    if not payload or not hmac.compare_digest(mac, _mac(payload)):
        return None
    try:
        return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")
    except ValueError:
        return None


def _mac(payload: str) -> str:
    return hmac.new(_NOTICE_KEY, payload.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this app only (its pages), never another site.

    Anything that a browser could read as another host is refused: ``//host``, a backslash, a scheme,
    whitespace or control characters (browsers drop a tab or newline, which turns ``/<tab>/host`` into
    ``//host``), and the sign-in routes themselves. What is refused becomes ``/``: the signed-in
    user's landing page.
    """
    target = (target or "").strip()
    if (not target.startswith("/") or len(target) > MAX_NEXT or "\\" in target
            or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target)):
        return "/"
    parts = urlsplit(target)
    if target.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    if parts.path.rstrip("/") in (LOGIN_PAGE, LOGIN_PATH, LOGOUT_PATH) or parts.path.startswith("/_stcore"):
        return "/"
    return target


def same_origin(request) -> bool:
    """A form post from one of our own pages (browsers send Origin with every POST)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser: no cookie of a victim to abuse
    return urlsplit(origin).netloc == request.headers.get("host", "")


def client_address(request) -> str | None:
    return request.client.host if request.client else None


def routes(get_kb) -> list[Route]:
    """The sign-in routes, for ``st.App(routes=...)``; ``get_kb()`` gives the facade."""

    async def login(request):
        if not same_origin(request):
            return PlainTextResponse("拒绝跨站提交的登录请求：请在本站的登录页面登录。", status_code=403)
        form = await request.form()
        username = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        client, agent = client_address(request), request.headers.get("user-agent", "")
        kb = get_kb()
        try:
            user = await run_in_threadpool(kb.authenticate, username, password, client, "app")
            token = await run_in_threadpool(kb.sessions.start, user, client, agent)
        except KbError as e:  # a refused log-in, or a database that cannot be written: said on the page
            query = {"notice": sign_notice(said(e)), "username": username}
            if form.get("next"):
                query["next"] = safe_next(str(form.get("next")))
            return RedirectResponse(f"{LOGIN_PAGE}?{urlencode(query)}", status_code=303)
        response = RedirectResponse(safe_next(str(form.get("next", ""))), status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")
        return response

    async def logout(request):
        if not same_origin(request):
            return PlainTextResponse("拒绝跨站提交的退出请求。", status_code=403)
        kb = get_kb()
        try:
            await run_in_threadpool(kb.sessions.end, request.cookies.get(COOKIE), client_address(request))
        except KbError as e:  # the session could not be ended (a database that cannot be written)
            return PlainTextResponse(f"未能退出登录：{said(e)}", status_code=503)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                               secure=request.url.scheme == "https")
        return response

    async def login_page(request):
        target = request.query_params.get("next")
        query = f"?{urlencode({'next': safe_next(target)})}" if target else ""
        return RedirectResponse(LOGIN_PAGE + query, status_code=303)

    async def moved(request):
        return RedirectResponse(moved_to(get_kb().settings.public_site, request.url.path,
                                         request.query_params), status_code=301)

    return [Route(LOGIN_PATH, login, methods=["POST"]), Route(LOGIN_PATH, login_page, methods=["GET"]),
            Route(LOGOUT_PATH, logout, methods=["POST"]),
            *(Route(path, moved, methods=["GET", "HEAD"]) for path in MOVED)]


def moved_to(public_site: str, path: str, query) -> str:
    """Where an old public address of this app (``/search?q=``, ``/answer?id=``, ``/article?id=``) is now."""
    path = path.rstrip("/")
    if path == "/answer" and query.get("id"):
        return f"{public_site}/answers/{quote(query['id'], safe='')}"
    if path == "/article" and query.get("id"):
        regulation, _, number = query["id"].partition("/")
        return f"{public_site}/articles/{quote(regulation, safe='')}/{quote(number, safe='')}"
    if path == "/search" and query.get("q"):
        return f"{public_site}/?{urlencode({'q': query['q']})}"
    return f"{public_site}/"


_FORM_STYLE = (
    "<style>.kb-auth label{display:block;font-size:.875rem;margin:.75rem 0 .25rem}"
    ".kb-auth input{box-sizing:border-box;width:100%;max-width:28rem;padding:.5rem .75rem;font-size:1rem;"
    "border:1px solid rgba(49,51,63,.2);border-radius:.5rem;background:#f0f2f6}"
    ".kb-auth input:focus{outline:2px solid #ff4b4b;border-color:transparent}"
    ".kb-auth button{display:block;margin-top:1rem;padding:.45rem 1rem;font-size:1rem;border-radius:.5rem;"
    "cursor:pointer;border:1px solid #ff4b4b;background:#ff4b4b;color:#fff}"
    ".kb-auth.kb-logout button{margin-top:0;padding:.25rem .75rem;font-size:.875rem;background:transparent;"
    "color:inherit;border-color:rgba(49,51,63,.2)}"
    "</style>")


def login_form(username: str = "", next_path: str = "") -> str:
    """The log-in form (HTML that posts to ``/auth/login``), pre-filled with a user name."""
    hidden = f'<input type="hidden" name="next" value="{escape(safe_next(next_path))}">' if next_path else ""
    autofocus = " autofocus" if username else ""
    return (f'{_FORM_STYLE}<form class="kb-auth" method="post" action="{LOGIN_PATH}">'
            f'<label for="kb-login-username">用户名</label>'
            f'<input id="kb-login-username" name="username" autocomplete="username" required'
            f' value="{escape(username)}">'
            f'<label for="kb-login-password">密码</label>'
            f'<input id="kb-login-password" name="password" type="password" autocomplete="current-password"'
            f' required{autofocus}>{hidden}<button type="submit">登录</button></form>')


def logout_form() -> str:
    """The sign-out button (HTML that posts to ``/auth/logout``)."""
    return (f'{_FORM_STYLE}<form class="kb-auth kb-logout" method="post" action="{LOGOUT_PATH}">'
            '<button type="submit">退出登录</button></form>')
