"""The staff app's pages: who may open which, where each role lands, what the menu lists.

The app is for staff only (the public self-service is ``kb web``). Signed out, the app's landing page
is the sign-in page, and every staff page's address asks to sign in and comes back after it; signed in,
each role lands where its work is.
"""

from __future__ import annotations

import dataclasses

#: The app's name: the browser tab's title and the menu's heading.
APP_TITLE = "示例市 12345 知识库"
STAFF = frozenset({"unit_editor", "unit_reviewer", "center_reviewer", "legal_reviewer", "admin"})
SIGNED_IN = STAFF | {"agent"}
AGENT_DESK = frozenset({"agent", "center_reviewer", "admin"})
AUTHORS = frozenset({"unit_editor", "center_reviewer", "legal_reviewer", "admin"})
CENTER = frozenset({"center_reviewer", "legal_reviewer", "admin"})
LOGIN = "login.py"


@dataclasses.dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    url_path: str
    icon: str
    #: roles that may open the page; None: only somebody signed out (the sign-in page)
    roles: frozenset | None
    #: listed in the menu (else reached by links only)
    listed: bool = True


PAGE_SPECS = [
    PageSpec("agent.py", "坐席工作台", "agent", ":material/support_agent:", AGENT_DESK),
    PageSpec("my_work.py", "我的工作", "work", ":material/inbox:", STAFF),
    PageSpec("editor.py", "编辑条目", "edit", ":material/edit:", AUTHORS),
    PageSpec("review.py", "变更校核", "review", ":material/fact_check:", STAFF),
    PageSpec("history.py", "历史版本", "history", ":material/history:", SIGNED_IN),
    PageSpec("inbox.py", "维护任务", "tasks", ":material/task:", STAFF),
    PageSpec("stats.py", "统计分析", "stats", ":material/monitoring:", STAFF),
    PageSpec("catalog.py", "目录健康", "catalog", ":material/health_and_safety:", CENTER),
    PageSpec("objection.py", "派单异议", "objections", ":material/swap_horiz:", STAFF),
    PageSpec("users.py", "用户管理", "users", ":material/group:", frozenset({"admin"})),
    PageSpec("system.py", "系统状态", "system", ":material/monitor_heart:", frozenset({"admin"})),
    PageSpec("browse.py", "全部条目", "browse", ":material/list:", SIGNED_IN),
    PageSpec("entry.py", "条目详情", "entry", ":material/article:", SIGNED_IN, listed=False),
    PageSpec("article.py", "条例条文", "provision", ":material/gavel:", SIGNED_IN, listed=False),
    PageSpec(LOGIN, "登录", "login", ":material/login:", None),
]

#: Where each role's work is: the page it lands on after signing in (and at the app's root).
LANDING = {
    "agent": "agent.py",
    "unit_editor": "my_work.py",
    "unit_reviewer": "review.py",
    "center_reviewer": "review.py",
    "legal_reviewer": "review.py",
    "admin": "stats.py",
}


def may_open(spec: PageSpec, role: str | None) -> bool:
    """Whether somebody of ``role`` (None: signed out) may open the page."""
    if spec.roles is None:
        return role is None
    return role in spec.roles


def may_open_file(file: str, role: str | None) -> bool:
    """Whether somebody of ``role`` may open the page of ``file`` (``review.py``); False for a page not listed."""
    return any(may_open(s, role) for s in PAGE_SPECS if s.file == file)


def landing(role: str | None, present: set[str]) -> str:
    """The file of the page ``role`` lands on, among the page files ``present``."""
    wanted = LANDING.get(role, LOGIN) if role is not None else LOGIN
    if wanted in present:
        return wanted
    # A role without its landing page here: its first page in menu order.
    return next((s.file for s in PAGE_SPECS if s.file in present and may_open(s, role) and s.listed), LOGIN)
