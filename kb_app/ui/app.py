"""The Streamlit entrypoint of the staff app: page config, role-based navigation, the signed-in user.

The user comes from the server-side session named by the session cookie (ui/state.py), checked on
every run; signing in and out are form posts to the routes in ui/auth_routes.py.

Pages live in ``app_pages/`` and are listed in ui/navigation.py with the roles that may open them;
a page whose file is absent is skipped. Every page keeps its address for everyone: somebody signed
out is asked to sign in there (and comes back after it), a role that may not open it is told so.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from kb_app import render
from kb_app.exceptions import KbError
from kb_app.ui.auth_routes import logout_form
from kb_app.ui.errors import said
from kb_app.ui.resources import get_kb
from kb_app.ui.navigation import APP_TITLE, LOGIN, PAGE_SPECS, landing, may_open
from kb_app.ui.signin import not_for_this_role, public_site_link, staff_page_signed_out
from kb_app.ui.state import signed_in_user
from kb_app.ui.style import app_chrome

PAGES = Path(__file__).parent / "app_pages"
#: The public site's icon, drawn as a bitmap (Streamlit's page icon takes an image, not SVG); a named
#: icon font would be fetched from the internet.
ICON = str(Path(__file__).parents[1] / "web" / "static" / "favicon.png")

st.set_page_config(page_title=APP_TITLE, page_icon=ICON, layout="wide", menu_items={})
app_chrome()

try:
    user = signed_in_user()
except KbError as e:  # the sessions cannot be read (a database without write permission, damaged)
    st.error(said(e))  # nobody is signed in: what is wrong, and where, is for the log
    st.stop()
role = getattr(user, "role", None)
specs = [s for s in PAGE_SPECS if (PAGES / s.file).exists()]
home = landing(role, {s.file for s in specs})


def stand_in(spec, landing_page):
    """The page at ``spec``'s address for somebody who may not open it."""
    if user is None:
        def ask_to_sign_in():
            staff_page_signed_out(spec.title, spec.url_path)
        return ask_to_sign_in

    def refuse():
        if spec.file == LOGIN:  # already signed in: go to work
            st.switch_page(landing_page)
        not_for_this_role(spec.title, user, landing_page)
    return refuse


pages, menu, later, landing_page = [], [], [], None
for spec in specs:
    if may_open(spec, role):
        page = st.Page(str(PAGES / spec.file), title=spec.title, url_path=spec.url_path, icon=spec.icon)
        pages.append(page)
        landing_page = page if spec.file == home else landing_page
        if spec.listed:
            menu.append(page)
    else:
        later.append(spec)
pages += [st.Page(stand_in(spec, landing_page), title=spec.title, url_path=spec.url_path, icon=spec.icon)
          for spec in later]


def go_to_work():
    """The app's root: the landing page of the signed-in role (the sign-in page when signed out)."""
    st.switch_page(landing_page)


#: Kept for the run of the landing page: the address asked for that no page has.
NOT_FOUND = "_address_not_found"


def unknown_address(addresses: set[str]) -> str:
    """The page name of the browser's address (``health`` of /health, a mistyped or old link) when no page has
    it, else "". st.navigation would tell the browser so in a dialog in English ("Page not found … Running the
    app's main page"); the address is therefore taken off the run before it, which then goes to the root as
    from the app's own address, and the landing page says so in Chinese. A run asked for by a page of the
    app (a click, a rerun) names its page by hash and is left as it is."""
    manager = getattr(get_script_run_ctx(), "pages_manager", None)
    name = getattr(manager, "intended_page_name", None) or ""
    if not name or getattr(manager, "intended_page_script_hash", None) or name in addresses:
        return ""
    manager.set_script_intent("", "")
    return name


# Every page keeps its own address (a default page would answer only at the root), and the root
# sends each role to its landing page, whose address then shows in the browser.
root = st.Page(go_to_work, title=landing_page.title, url_path="home", default=True)
if asked := unknown_address({page.url_path for page in [root, *pages]}):
    st.session_state[NOT_FOUND] = asked
current = st.navigation([root, *pages], position="hidden")
if current is root:  # before anything is drawn: nothing on the way there to click
    go_to_work()
if asked := st.session_state.pop(NOT_FOUND, None):
    st.info(f"没有这个页面（/{render.markdown_literal(asked)}），已打开“{current.title}”。", icon=":material/info:")
with st.sidebar:
    st.markdown(f"### {APP_TITLE}")  # no icon: a screen reader would say its English name (“call icon”)
    for page in menu:
        st.page_link(page)
    st.divider()
    public_site_link("公众网站")
    if user is not None:
        st.caption(f"已登录：{user.name}（{user.role_named(get_kb().snapshot().unit_name)}）")
        st.html(logout_form())
current.run()
