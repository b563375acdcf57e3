"""The Streamlit entrypoint: page config, role-based navigation, the signed-in user.

The user comes from the server-side session named by the session cookie (ui/state.py), checked on
every run; signing in and out are form posts to the routes in ui/auth_routes.py.

Pages live in ``app_pages/``; each is listed here with the roles that may open it. A page whose
file is absent is skipped, so the navigation is exactly what this installation has.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from kb_app.ui.auth_routes import logout_form
from kb_app.ui.state import signed_in_user

PAGES = Path(__file__).parent / "app_pages"
STAFF = {"unit_editor", "unit_reviewer", "center_reviewer", "legal_reviewer", "admin"}
EVERYONE = None

# (file, title, url_path, icon, roles that may open it (None: anyone), shown in the menu)
PAGE_SPECS = [
    ("search.py", "查询", "search", ":material/search:", EVERYONE, True),
    ("answer.py", "答复详情", "answer", ":material/article:", EVERYONE, False),
    ("article.py", "条例条文", "article", ":material/gavel:", EVERYONE, False),
    ("agent.py", "坐席工作台", "agent", ":material/support_agent:", {"agent", "center_reviewer", "admin"}, True),
    ("my_work.py", "我的工作", "work", ":material/inbox:", STAFF, True),
    ("editor.py", "编辑条目", "edit", ":material/edit:", {"unit_editor", "center_reviewer", "legal_reviewer", "admin"}, True),
    ("review.py", "变更校核", "review", ":material/fact_check:", STAFF, True),
    ("history.py", "历史版本", "history", ":material/history:", STAFF | {"agent"}, True),
    ("inbox.py", "维护任务", "tasks", ":material/task:", STAFF, True),
    ("stats.py", "统计分析", "stats", ":material/monitoring:", STAFF, True),
    ("catalog.py", "目录健康", "catalog", ":material/health_and_safety:", {"center_reviewer", "legal_reviewer", "admin"}, True),
    ("objection.py", "派单异议", "objections", ":material/swap_horiz:", STAFF, True),
    ("users.py", "用户管理", "users", ":material/group:", {"admin"}, True),
    ("browse.py", "全部条目", "browse", ":material/list:", EVERYONE, True),
    ("login.py", "登录", "login", ":material/login:", EVERYONE, True),
]

st.set_page_config(page_title="示例市 12345 知识库", page_icon=":material/call:", layout="wide", menu_items={})
# Hide the developer menu and Deploy button but keep the toolbar: it holds the button that opens
# the sidebar (the menu) on a phone. Narrow screens get a smaller title and tighter margins.
st.markdown("<style>[data-testid='stToolbarActions'],[data-testid='stAppDeployButton'],[data-testid='stMainMenu'],"
            "#MainMenu{display:none !important}"
            "@media (max-width: 640px){[data-testid='stMainBlockContainer']{padding:3.5rem 1rem 2rem !important}"
            "h1{font-size:1.75rem !important}h2,h3{font-size:1.25rem !important}}</style>",
            unsafe_allow_html=True)

user = signed_in_user()
role = getattr(user, "role", None)

default_file = "search.py" if (PAGES / "search.py").exists() else "browse.py"
pages, menu = [], []
for file, title, url_path, icon, roles, listed in PAGE_SPECS:
    if not (PAGES / file).exists():
        continue
    if roles is not None and role not in roles:
        continue
    if file == "login.py" and user is not None:
        continue
    page = st.Page(str(PAGES / file), title=title, url_path=url_path, icon=icon, default=(file == default_file))
    pages.append(page)
    if listed:
        menu.append(page)

current = st.navigation(pages, position="hidden")
with st.sidebar:
    st.markdown("### :material/call: 示例市 12345 知识库")
    for page in menu:
        st.page_link(page)
    if user is not None:
        st.divider()
        st.caption(f"已登录：{user.name}（{user.role_label}）")
        st.html(logout_form())
current.run()
