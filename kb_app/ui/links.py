"""Links from staff pages to entries: the staff view in this app, and the public site's rendering.

The public self-service is ``kb web`` (kb_app.web); its address is the ``public_url`` setting. A staff
page links an entry's public rendering only when the public may open it (a public answer in force
today): anything else would be the public site's "not found".
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import streamlit as st

from kb_app import render
from kb_app.content.model import parse_article_id
from kb_app.ui.navigation import may_open_file
from kb_app.ui.state import flash
from kb_app.ui.tables import Link

ENTRY_PAGE = "app_pages/entry.py"
ARTICLE_PAGE = "app_pages/article.py"
REVIEW_PAGE = "app_pages/review.py"
#: The addresses of those pages (kb_app.ui.navigation), for links in table cells.
ENTRY_ADDRESS, ARTICLE_ADDRESS = "entry", "provision"


def public_site(kb) -> str:
    """The public site's base URL (the ``public_url`` setting)."""
    return kb.settings.public_site


def public_answer_url(kb, entry) -> str | None:
    """``{public_url}/answers/{id}`` for an entry the public may open today, else None."""
    if entry is None or not entry.is_public_on(kb.today()):
        return None
    return f"{public_site(kb)}/answers/{quote(entry.id, safe='')}"


def public_article_url(kb, article_id: str) -> str:
    """``{public_url}/articles/{regulation}/{n}``: regulation texts are public."""
    regulation, _, number = str(article_id).partition("/")
    return f"{public_site(kb)}/articles/{quote(regulation, safe='')}/{quote(number, safe='')}"


def public_search_url(kb, query: str = "") -> str:
    """The public site's results for ``query`` (its home page without one)."""
    return f"{public_site(kb)}/" + (f"?{urlencode({'q': query})}" if query else "")


def is_article(doc_id) -> bool:
    """Whether an id that statistics, tasks and votes keep beside entry ids is a regulation article's
    (``beijing-2021/20``): it opens on the article page, not the entry page ("未找到该答复")."""
    return parse_article_id(doc_id) is not None


def entry_cell(doc_id: str, label: str) -> Link:
    """A table cell opening the staff view of an entry, or of an article for an article's id."""
    return Link(label, ARTICLE_ADDRESS if is_article(doc_id) else ENTRY_ADDRESS, {"id": doc_id})


def entry_link(entry_id: str, label: str, icon: str | None = None, container=st):
    """The staff view of an entry (marks, internal notes, copy text) in this app, or of a regulation
    article for an article's id: every staff link to an entry id goes through here."""
    article = is_article(entry_id)
    container.page_link(ARTICLE_PAGE if article else ENTRY_PAGE, label=label,
                        icon=icon or (":material/gavel:" if article else ":material/article:"),
                        query_params={"id": entry_id})


def public_answer_link(kb, entry, label: str = "公众网站上的答复", container=st) -> bool:
    """A link to the entry's public rendering when the public may open it; whether one was shown."""
    url = public_answer_url(kb, entry)
    if url:
        container.page_link(url, label=label, icon=":material/public:")
    return url is not None


def literal_warning(sentences, icon: str, container=st):
    """Sentences naming titles and people as one warning, each shown exactly as written (# is no heading)."""
    container.warning("\n\n".join(render.markdown_literal(s) for s in sentences), icon=icon)


def literal_lines(text: str, container=st):
    """A text written by a person (a request's description) exactly as written, each line on its own line."""
    container.markdown(render.markdown_literal(text).replace("\n", "  \n"), unsafe_allow_html=True)


def pending_notice(reader, entry, user=None, container=st):
    """For agents, above an answer: that a change request under review corrects it, or that error reports
    on it are open (kb_app.review.pending), so it is not read to a caller as if nothing were amiss. Each
    修改审核中 #12 mark opens that request's review page for the staff who may open it (not agents)."""
    found = reader.pending(entry) if entry is not None else None
    if not found:
        return
    literal_warning(found.sentences(), ":material/pending_actions:", container)
    if user is not None and may_open_file("review.py", user.role):
        for change in found.changes:
            container.page_link(REVIEW_PAGE, label=f"{change.mark}：查看变更请求“{change.title}”",
                                icon=":material/rate_review:", query_params={"cr": change.cr})


def adopt_caution(reader, entry, container=st):
    """Beside 采用此答复 on an answer being corrected or reported wrong: read it with care (its marks say why)."""
    found = reader.pending(entry) if entry is not None else None
    if found and (said := found.caution()):
        container.caption(f":orange[:material/warning: {render.markdown_literal(said)}]")


def show_reference_notices(kb, cr):
    """For reviewers: answers the change touches, or that name what it touches, pointing to an answer
    the public cannot open (kb_app.content.references), and answers whose structured facts their text or
    other answers give otherwise (kb_app.facts). Reminders: approving stays possible."""
    for notices, said, icon in (
            (kb.reference_notices(cr), "答复里提到的其他答复，公众打不开", ":material/link_off:"),
            (kb.fact_notices(cr), "结构化事实与正文或其他答复的说法不一致，公众会看到两种说法", ":material/rule:")):
        if not notices:
            continue
        head = kb.snapshot(cr.head)
        lines = []
        for n in notices:
            entry = head.entry_by_path(n.path)
            title = entry.title if entry is not None else n.path
            lines.append(f"- “{render.markdown_literal(title)}”：{render.markdown_literal(n.message)}。"
                         f"建议：{render.markdown_literal(n.fix)}。")
        st.warning(f"**提醒（不影响批准）**：{said}：\n\n" + "\n".join(lines), icon=icon)


def review_link(cr, container=st):
    """A link to the review page of a change request, to follow its review."""
    container.page_link(REVIEW_PAGE, label=f"查看变更请求 #{cr.id} 的审核进度", icon=":material/rate_review:",
                        query_params={"cr": cr.id})


#: A new change request starting from one turned down or withdrawn (Review.redraft).
REDRAFT = "以此为底稿新建变更请求"
REDRAFT_HELP = ("新建一个草稿，内容是本变更请求的修改，放在现行版本之上（此后发布的新版本能合并的自动合并），"
                "在编辑器中打开；本变更请求保持原状，两者在审核记录中互相注明。")


def redraft(kb, user, cr):
    """Make the new request from ``cr`` and open it in the editor, saying what was made (errors to the caller)."""
    new = kb.review.redraft(user, cr.id)
    # Shown above the editor's form, with why it was turned down and a link to it (editor.show_redraft_origin).
    flash("editor_redraft", f"已以变更请求 #{cr.id}（{cr.state_label}）为底稿新建变更请求 #{new.id}（{new.state_label}）："
                            "请修改后提交审核。")
    open_in_editor(kb, new.id)


def open_in_editor(kb, cr_id: int):
    """Go to the editor on a change request, opening what it changes."""
    st.session_state["editor_cr"] = cr_id
    paths = kb.editing.paths_of(cr_id)
    if paths:
        st.session_state["editor_next"] = {"editor_mode": "edit", "editor_entry": paths[0]}
    st.switch_page("app_pages/editor.py")
