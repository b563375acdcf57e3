"""What ``kb serve`` runs: the Streamlit app (app.py) as an ``st.App`` with the sign-in routes.

``streamlit run`` finds the module-level ``app`` and serves it with uvicorn. The routes run outside
any script run, so they open their own facade (settings from the KB_* variables ``kb serve`` sets)
rather than the pages' cached one.
"""

import functools
from pathlib import Path

import streamlit as st

from kb_app import load_settings, open_kb
from kb_app.ui.auth_routes import routes

facade = functools.cache(lambda: open_kb(load_settings()))
app = st.App(Path(__file__).with_name("app.py"), routes=routes(facade))
