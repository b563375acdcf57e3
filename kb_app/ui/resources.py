"""Shared, cached resources of the app: the knowledge base facade."""

from __future__ import annotations

import streamlit as st

from kb_app import load_settings, open_kb


@st.cache_resource
def get_kb():
    """One facade per server process (settings come from KB_* set by ``kb serve``)."""
    return open_kb(load_settings())
