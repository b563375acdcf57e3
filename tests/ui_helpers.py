"""Shared by the AppTest tests: open a page of the app as somebody, read what it shows."""

from pathlib import Path
from urllib.parse import unquote

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "kb_app" / "ui" / "app.py")


def open_page(page=None, user=None, session_token=None, **query_params) -> AppTest:
    """Run the app (signed in as ``user``, or by a server-side session's token as the session cookie
    would be), switch to ``page`` with the query parameters given."""
    at = AppTest.from_file(APP, default_timeout=90)
    if page is None:  # arriving on the landing page with parameters in the address
        for key, value in query_params.items():
            at.query_params[key] = value
    at.run()
    if user is not None:
        at.session_state["user"] = user
    if session_token is not None:
        at.session_state["session_token"] = session_token
    if user is not None or session_token is not None:
        at.run()  # the pages offered depend on the signed-in user
    if page:
        at.switch_page(page)
    for key, value in query_params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def links(at):
    """(label, page url, query string) of every page link on the page."""
    return [(p.proto.label, p.proto.page, unquote(p.proto.query_string)) for p in at.get("page_link")]


def page_text(at) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error",
                                  "success", "code") for e in getattr(at, kind)]
    parts += [h.proto.body for h in at.get("html")] + [label for label, _p, _q in links(at)]
    return "\n".join(str(p) for p in parts)


def rows(kb, table):
    db = kb.db()
    return list(db[table].rows) if db[table].exists() else []


def open_address(url_path, user=None, **query_params) -> AppTest:
    """Open the app at ``/{url_path}?{query}`` as a browser would (signed in as ``user`` or signed out),
    whatever the page the navigation puts there (a page file or a stand-in)."""
    from streamlit.util import calc_hash

    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    if user is not None:
        at.session_state["user"] = user
        at.run()
    at._page_hash = calc_hash(url_path)  # what the browser's address resolves to (st.Page hashes url_path)
    for key, value in query_params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at
