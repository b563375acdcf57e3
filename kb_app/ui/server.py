"""What ``kb serve`` runs: the Streamlit app (app.py) as an ``st.App`` with the sign-in routes, its page
said in Chinese (ui/shell.py).

``streamlit run`` finds the module-level ``app`` and serves it with uvicorn. The routes run outside
any script run, so they open their own facade (settings from the KB_* variables ``kb serve`` sets)
rather than the pages' cached one.
"""

import functools
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from kb_app import load_settings, open_kb
from kb_app.ui.auth_routes import routes
from kb_app.ui.navigation import APP_TITLE
from kb_app.ui.shell import ChinesePage

facade = functools.cache(lambda: open_kb(load_settings()))
app = st.App(Path(__file__).with_name("app.py"), routes=routes(facade),
             middleware=[Middleware(ChinesePage, title=APP_TITLE)])
