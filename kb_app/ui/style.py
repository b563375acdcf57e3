"""Page-level styling shared by the staff pages."""

from __future__ import annotations

import streamlit as st

#: Streamlit's own hints under inputs are in English ("Press Enter to apply"): not for our users,
#: who apply a value by leaving the field or pressing a button.
_HIDE_HINTS = "<style>[data-testid='InputInstructions']{display:none !important}</style>"
#: The toolbar over charts and tables (Fullscreen, Download as CSV, Search …) speaks English only.
_HIDE_TOOLBARS = "<style>[data-testid='stElementToolbar']{display:none !important}</style>"


def hide_input_hints():
    """Hide Streamlit's English input hints on this page."""
    st.html(_HIDE_HINTS)


def hide_element_toolbars():
    """Hide the English toolbar Streamlit puts over charts and tables on this page."""
    st.html(_HIDE_TOOLBARS)
