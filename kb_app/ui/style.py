"""Page-level styling shared by the staff pages."""

from __future__ import annotations

import streamlit as st

#: Streamlit's own hints under inputs are in English ("Press Enter to apply"): not for our users,
#: who apply a value by leaving the field or pressing a button.
_HIDE_HINTS = "<style>[data-testid='InputInstructions']{display:none !important}</style>"
#: The toolbar over charts and tables (Fullscreen, Download as CSV, Search …) speaks English only.
_HIDE_TOOLBARS = "<style>[data-testid='stElementToolbar']{display:none !important}</style>"


#: Streamlit marks a page link to the page shown as the current one (bold on grey). Links to another
#: record on the same page (an article's neighbours) are not the current page: show them plain.
_PLAIN_LINKS = ("<style>.st-key-{key} [data-testid='stPageLink-NavLink']:not(:hover)"
                "{{background-color:transparent !important}}"
                ".st-key-{key} [data-testid='stPageLink-NavLink'] *{{font-weight:400 !important}}</style>")


def plain_page_links(key: str):
    """Show the page links inside the container keyed ``key`` as ordinary links, not as the current page."""
    st.html(_PLAIN_LINKS.format(key=key))


def hide_input_hints():
    """Hide Streamlit's English input hints on this page."""
    st.html(_HIDE_HINTS)


def hide_element_toolbars():
    """Hide the English toolbar Streamlit puts over charts and tables on this page."""
    st.html(_HIDE_TOOLBARS)
