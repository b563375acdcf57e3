"""The page Streamlit serves at every address of the staff app, said in Chinese by ui/shell.py: the language of
the document, its title before the app's script sets it, and the note for a browser without JavaScript."""

import gzip
import os
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit import file_util

from kb_app.ui.navigation import APP_TITLE
from kb_app.ui.shell import NO_SCRIPT, ChinesePage

#: Streamlit's own page, as its package installs it (English).
INDEX = Path(file_util.get_static_dir()) / "index.html"


def server(packed: bool) -> TestClient:
    """Streamlit's page at every address, from its file (compressed on the way when ``packed``, as Streamlit's
    server does at a page's address), behind the middleware as ui/server.py puts it."""
    async def shell(request):
        page = FileResponse(INDEX, media_type="text/html", stat_result=os.stat(INDEX))
        if request.headers.get("if-none-match") == page.headers["etag"]:    # as Streamlit's static files answer
            return Response(status_code=304, headers={"etag": page.headers["etag"]})
        return page

    async def other(request):
        return HTMLResponse('<html lang="en"><title>Component</title><body>elsewhere</body></html>')

    async def gone(request):
        return HTMLResponse('<html lang="en"><div id="root"></div></html>', status_code=404)

    async def script(request):
        return PlainTextResponse('"<html lang=\\"en\\">" <div id="root"></div>', media_type="application/javascript")

    inner = [Middleware(GZipMiddleware, minimum_size=0)] if packed else []
    app = Starlette(routes=[Route("/component", other), Route("/gone", gone), Route("/app.js", script),
                            Route("/{page:path}", shell, methods=["GET", "HEAD"])],
                    middleware=[Middleware(ChinesePage, title=APP_TITLE), *inner])
    return TestClient(app)


@pytest.mark.parametrize("packed", [False, True])
def test_every_address_of_the_app_is_a_chinese_page(packed):
    english = INDEX.read_text(encoding="utf-8")
    assert '<html lang="en">' in english and "<title>Streamlit</title>" in english   # what Streamlit installs
    client = server(packed)
    for address in ("/", "/login", "/history?entry=residence-permit-apply"):
        r = client.get(address, headers={"Accept-Encoding": "gzip" if packed else "identity"})
        assert r.status_code == 200 and r.headers.get("content-encoding") == ("gzip" if packed else None)
        page = r.text
        assert '<html lang="zh-CN">' in page and 'lang="en"' not in page
        assert f"<title>{APP_TITLE}</title>" in page and "<title>Streamlit</title>" not in page
        noscript = page[page.index("<noscript>"):page.index("</noscript>")]
        assert NO_SCRIPT in noscript and "JavaScript to run" not in noscript
        raw = len(gzip.compress(page.encode("utf-8"), mtime=0)) if packed else len(page.encode("utf-8"))
        assert int(r.headers["content-length"]) == raw
        # The rest of the page (the app's scripts and styles) is Streamlit's, as installed, with the script that
        # says in Chinese what Streamlit's names in English for a screen reader.
        script = page[page.index("<script>(() => {"):page.index("</script></head>") + len("</script>")]
        assert "跳到主要内容" in script and "Link to heading" in script
        assert (page.replace(script, "").split("</title>", 1)[1].split("<noscript>")[0]
                == english.split("</title>", 1)[1].split("<noscript>")[0])
    head = client.head("/login")
    assert head.status_code == 200 and head.text == "" and "content-length" not in head.headers


def test_what_is_not_streamlits_page_passes_as_it_is():
    client = server(packed=True)
    assert client.get("/component").text == '<html lang="en"><title>Component</title><body>elsewhere</body></html>'
    assert client.get("/gone").text == '<html lang="en"><div id="root"></div></html>'       # not a page served
    assert client.get("/app.js").text == '"<html lang=\\"en\\">" <div id="root"></div>'


@pytest.mark.parametrize("packed", [False, True])
def test_a_browser_that_kept_the_english_page_gets_the_chinese_one(packed):
    """The rewritten page has a tag of its own: a browser asking with Streamlit's tag (its English page, kept from
    before) is sent the page again; one asking with the new tag is told "not modified" while the page is unchanged."""
    client = server(packed)
    encoding = {"Accept-Encoding": "gzip" if packed else "identity"}
    plain = client.get("/login", headers=encoding)
    tag = plain.headers["etag"]
    assert tag.endswith('-zh-CN"')
    english_tag = tag.replace("-zh-CN", "")
    again = client.get("/login", headers={**encoding, "If-None-Match": english_tag})
    assert again.status_code == 200 and '<html lang="zh-CN">' in again.text
    assert client.get("/login", headers={**encoding, "If-None-Match": tag}).status_code == 304


@pytest.mark.parametrize("packed", [False, True])
def test_an_address_below_a_page_goes_to_the_page_instead_of_a_blank_one(packed):
    """Streamlit's page at /answers/x names its scripts relative to /answers/: none would load."""
    client = server(packed)
    r = client.get("/answers/residence-permit-apply?q=1", follow_redirects=False,
                   headers={"Accept-Encoding": "gzip" if packed else "identity"})
    assert (r.status_code, r.headers["location"], r.headers["cache-control"]) == (302, "/answers?q=1", "no-store")
    assert client.get("/review/3/", follow_redirects=False).headers["location"] == "/review"
    for address in ("/", "/login", "/review/"):
        assert client.get(address, follow_redirects=False).status_code == 200
    assert client.get("/component").status_code == 200      # what is not Streamlit's page passes as it is
