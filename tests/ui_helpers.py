"""Shared by the AppTest tests: open a page of the app as somebody, read what it shows."""

from pathlib import Path
from html.parser import HTMLParser
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


class _TableParser(HTMLParser):
    """Rows of the ``kbtable`` HTML tables (kb_app/ui/tables.py) as dicts keyed by header."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell, self._row, self._head = [], None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
            self._head = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            (self._head if tag == "th" else self._row).append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row:
            self.tables[-1].append(dict(zip(self._head, self._row)))
            self._row = None


def tables(at) -> list[list[dict]]:
    """Every plain table on the page, in page order: a list of rows, each {header: cell text}."""
    parser = _TableParser()
    for h in at.get("html"):
        if "kbtable" in h.proto.body:
            parser.feed(h.proto.body)
    return parser.tables


def table_with(at, column) -> list[dict]:
    """The rows of the first table with a column of that name."""
    return next(t for t in tables(at) if t and column in t[0])
