"""Page-level styling shared by the staff pages."""

from __future__ import annotations

import streamlit as st

from kb_app.labels import EXPIRING

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


#: Column headings that stay on one line (办结期限, not 办结期/限) in the tables inside the container keyed ``key``.
_NOWRAP_HEADINGS = "<style>.st-key-{key} th,.st-key-{key} th *{{white-space:nowrap !important}}</style>"


def nowrap_headings(key: str):
    """Keep each column heading of the tables inside the container keyed ``key`` on one line: a heading of
    four characters broken after three reads as two words; the cells below wrap instead."""
    st.html(_NOWRAP_HEADINGS.format(key=key))


#: Hide the developer menu and Deploy button but keep the toolbar: it holds the button that opens the
#: sidebar (the menu) on a phone. A page link's label wraps
#: instead of being cut (the public site's address on a phone). Narrow screens get a smaller title and
#: tighter margins.
_APP = ("<style>[data-testid='stToolbarActions'],[data-testid='stAppDeployButton'],[data-testid='stMainMenu'],"
        "#MainMenu{display:none !important}"
        "[data-testid='stPageLink-NavLink'] *{white-space:normal !important;overflow:visible !important;"
        "text-overflow:clip !important;overflow-wrap:anywhere}"
        "@media (max-width: 640px){[data-testid='stMainBlockContainer']{padding:3.5rem 1rem 2rem !important}"
        "h1{font-size:1.75rem !important}h2,h3{font-size:1.25rem !important}}</style>")


def app_chrome():
    """What every staff page shows of Streamlit's own: no developer menu, and nothing in English (input
    hints, element toolbars) on any page."""
    st.markdown(_APP + _HIDE_HINTS + _HIDE_TOOLBARS, unsafe_allow_html=True)


def list_box_height(value: str) -> int:
    """Pixels for a one-per-line list box (common questions, examples): every line shown, from 3 lines to 12."""
    return min(12, max(3, (value or "").count("\n") + 2)) * 26 + 32


def badges(marks) -> list[str]:
    """A record's status marks as badges: red for what keeps it from being read out as it is (内部, 已失效, 修改审核中),
    orange for a time to tell the caller (即将到期（2026-12-20 止）)."""
    return [f":{'orange' if m.startswith(EXPIRING) else 'red'}-badge[{m}]" for m in marks]
