"""The HTML page a browser first loads from the staff app, said in Chinese.

Streamlit answers every page's address with the same page of its own (its package's ``index.html``), into
which its script then draws the app. That page says it is English (``<html lang="en">``: a screen reader
reads the app with an English voice, a browser offers to translate it), is titled “Streamlit” until the
script sets the title, and tells a browser without JavaScript so in English; Streamlit has no setting for
any of it. :class:`ChinesePage`, a middleware of the app (ui/server.py), rewrites that page on its way out:
``zh-CN``, the app's title, the note in Chinese; at an address below a page's, which would stay blank, it
sends the browser to the page's (:func:`nearest_page`). The files of Streamlit's package stay as installed.
"""

from __future__ import annotations

import gzip
import json
import re
from html import escape

from starlette.datastructures import MutableHeaders

#: What tells Streamlit's page from any other HTML the server may send (a component's, an error).
_SHELL = b'<div id="root"></div>'
_LANG = re.compile(rb'<html lang="[^"]*"')
_TITLE = re.compile(rb"<title>[^<]*</title>")
_NOSCRIPT = re.compile(rb"<noscript>.*?</noscript>", re.S)
NO_SCRIPT = "本应用需要 JavaScript：请在浏览器中启用 JavaScript 后重新打开本页面。"


#: What Streamlit's script names in English for a screen reader (and as tooltips), and the Chinese said instead:
#: (pattern of the whole name, replacement). A name that reads as an icon's (``check_circle icon``) says nothing
#: a reader needs and is hidden from screen readers instead.
SPOKEN = (
    (r"^Skip to main content$", "跳到主要内容"),
    (r"^Link to heading$", "本标题的链接"),
    (r"^Help for (.+)$", "“$1”的说明"),
    (r"^Help$", "说明"),
    (r"^Choose date( range)?$", "选择日期"),
    (r"^year, (.*)$", "年，$1"),
    (r"^month, (.*)$", "月，$1"),
    (r"^day, (.*)$", "日，$1"),
    (r"^Open$", "打开"),
    (r"^Close$", "关闭"),
)
_ICON_NAME = r"^[a-z0-9_]+ icon$"
#: Run in the page as it is drawn: every element added or renamed is read once (names already in Chinese
#: match no pattern, so renaming one does not call for another).
SPEAK_CHINESE = """<script>(() => {
const said = %s.map(([p, r]) => [new RegExp(p), r]), icon = new RegExp(%s);
const name = (el, attr) => {
  const v = el.getAttribute && el.getAttribute(attr);
  if (!v) return;
  if (attr === "aria-label" && icon.test(v)) { el.removeAttribute(attr); el.setAttribute("aria-hidden", "true"); return; }
  for (const [p, r] of said) if (p.test(v)) { el.setAttribute(attr, v.replace(p, r)); return; }
};
const text = el => {
  if (el.childElementCount === 0 && el.textContent) for (const [p, r] of said)
    if (p.test(el.textContent.trim())) { el.textContent = el.textContent.trim().replace(p, r); return; }
};
const read = root => {
  if (root.nodeType !== 1) return;
  for (const el of [root, ...root.querySelectorAll("[aria-label],[title],a,button")]) {
    name(el, "aria-label"); name(el, "title"); text(el);
  }
};
new MutationObserver(changes => { for (const c of changes) {
  if (c.type === "attributes") name(c.target, c.attributeName);
  else { c.addedNodes.forEach(read); text(c.target); }
} }).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                        attributeFilter: ["aria-label", "title"]});
})();</script>"""


def chinese_page(html: bytes, title: str) -> bytes:
    """Streamlit's page ``html`` said in Chinese, titled ``title``, with what its script names in English for a
    screen reader said in Chinese as it is drawn (SPOKEN); any other HTML as it is."""
    if _SHELL not in html:
        return html
    html = _LANG.sub(b'<html lang="zh-CN"', html, count=1)
    html = _TITLE.sub(f"<title>{escape(title)}</title>".encode("utf-8"), html, count=1)
    script = SPEAK_CHINESE % (json.dumps([list(s) for s in SPOKEN], ensure_ascii=False), json.dumps(_ICON_NAME))
    html = html.replace(b"</head>", script.encode("utf-8") + b"</head>", 1)
    return _NOSCRIPT.sub(f"<noscript><p>{NO_SCRIPT}</p></noscript>".encode("utf-8"), html, count=1)


#: Added inside the tag of the page as rewritten: a browser that kept Streamlit's English page under its own tag
#: asks with that tag, is not told "not modified", and gets the Chinese page.
_MARK = "-zh-CN"


def marked(etag: str) -> str:
    """The tag of a rewritten page: Streamlit's with the mark inside its quotes."""
    return etag[:-1] + _MARK + '"' if etag.endswith('"') else etag + _MARK


def asked_again(headers: list) -> list:
    """A request's headers as Streamlit is to read them: a tag of the rewritten page (see marked) back to
    Streamlit's own, so that an unchanged page is still "not modified"; any other tag (of the English page a
    browser kept from before) left out, so that the page is sent again."""
    out = []
    for name, value in headers:
        if name.lower() == b"if-none-match":
            tags = [t.strip() for t in value.decode("latin-1").split(",")]
            kept = [t.replace(_MARK, "") for t in tags if _MARK in t]
            if not kept:
                continue
            value = ", ".join(kept).encode("latin-1")
        out.append((name, value))
    return out


def nearest_page(path: str) -> str | None:
    """For an address below a page's (/answers/residence-permit-apply, /review/3: every page of the app is one
    name deep), the address of its first name; None for any other. Streamlit answers such an address with its
    page all the same, whose scripts, named relative to it, are then not found: the browser stays blank. Sent
    to the first name instead, the app opens that page, or says in Chinese that there is none (ui/app.py)."""
    names = [name for name in path.split("/") if name]
    return "/" + names[0] if len(names) > 1 else None


async def send_nearest(send, nearest: str, scope):
    query = scope.get("query_string", b"").decode("latin-1")
    location = nearest + (f"?{query}" if query else "")
    await send({"type": "http.response.start", "status": 302,
                "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0"),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


class ChinesePage:
    """ASGI middleware: the HTML pages of full responses (200) go through :func:`chinese_page`, unpacked first
    when the server compressed them (and packed again); every other response passes as it is."""

    def __init__(self, app, title: str):
        self.app = app
        self.title = title

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        # The page is read here, not handed to the server to send from its file.
        extensions = {k: v for k, v in scope.get("extensions", {}).items() if k != "http.response.pathsend"}
        scope = {**scope, "extensions": extensions}
        if "." not in scope.get("path", "").rsplit("/", 1)[-1]:
            # An address of a page, not a file of the app's scripts and styles (whose tags stay as they are).
            scope["headers"] = asked_again(scope.get("headers", []))
        nearest = nearest_page(scope.get("path", ""))
        held, parts = None, []

        async def sending(message):
            nonlocal held
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                if message["status"] == 200 and headers.get("content-type", "").startswith("text/html"):
                    held = message
                    return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            headers = MutableHeaders(raw=list(held.get("headers", [])))
            body = b"".join(parts)
            if scope["method"] == "HEAD":
                del headers["content-length"]     # the page's length is not known without reading it
            else:
                packed = headers.get("content-encoding", "") == "gzip"
                page = gzip.decompress(body) if packed else body
                if nearest and _SHELL in page:
                    await send_nearest(send, nearest, scope)
                    return
                page = chinese_page(page, self.title)
                body = gzip.compress(page, mtime=0) if packed else page
                headers["content-length"] = str(len(body))
                if "etag" in headers and _SHELL in page:
                    headers["etag"] = marked(headers["etag"])
            await send({**held, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, sending)
