"""条目详情 — one entry as staff see it: status marks, format problems, internal notes, the rendered
answer, its legal basis, the text to copy, and the public rendering on the public site when there is one."""

import streamlit as st

from kb_app import render
from kb_app.labels import chinese_date
from kb_app.ui.errors import show_errors
from kb_app.ui.links import entry_link, pending_notice, public_answer_link
from kb_app.ui.resources import get_kb
from kb_app.ui.state import log_open, require_user


def show_header(reader, entry, user):
    st.title(entry.title)
    kind = ":gray-badge[答复口径]" if entry.kind == "policy" else ":gray-badge[派单目录]"
    st.markdown(" ".join([kind, *(f":red-badge[{m}]" for m in reader.status_marks(entry))]))
    st.caption(" · ".join([f"答复单位：{reader.unit_name(entry.unit)}", *entry.category[:3]]))
    for problem in reader.format_problems(entry):
        st.error(f"**格式错误**：{render.markdown_literal(problem)}。请通知所属单位改正。", icon=":material/error:")
    pending_notice(reader, entry, user)
    why = reader.rechecking(entry)
    if why:
        st.warning(f"**依据已变更，待核**：{render.markdown_literal(why)}。答复前请核对现行条文。", icon=":material/rule:")
    if notes := render.agent_notes_markdown(entry):
        st.warning(notes, icon=":material/lock:")


def show_basis(reader, entry):
    items = reader.basis(entry)
    checked = reader.last_checked(entry)
    st.subheader("政策依据", divider="gray")
    if not items:
        st.caption("本条目未列出政策依据。")
    for item in items:
        if item.article_id:
            entry_link(item.article_id, item.label)
        else:
            st.markdown(f"- {render.markdown_literal(item.label)}", unsafe_allow_html=True)
    if checked:
        st.caption(f"最近核对：{chinese_date(checked)}")


def show_named(reader, entry):
    """The other answers the text names (请查看“…”答复), to open while the caller waits."""
    for target in dict.fromkeys(reader.answers_named(entry).values()):
        named = reader.entry(target)
        marks = reader.status_marks(named)
        entry_link(target, f"正文提到的答复：{named.title}" + (f"（{'、'.join(marks)}）" if marks else ""),
                   icon=":material/link:")


def show_copy(entry):
    with st.expander("复制答复文本", icon=":material/content_copy:"):
        st.caption("点右上角的复制图标，粘贴到工单中。")
        st.code(render.answer_text(entry), language=None, wrap_lines=True)


def main():
    user = require_user()
    kb = get_kb()
    reader = kb.reader(staff=True)
    entry = reader.entry(st.query_params.get("id", ""))  # not found: show_errors says so
    show_header(reader, entry, user)
    if not public_answer_link(kb, entry, "在公众网站上查看（市民看到的样子）"):
        st.caption("公众网站上看不到本条目（内部、未生效、已失效、格式错误或派单目录）。")
    st.html(render.to_html(entry.body))
    show_named(reader, entry)
    show_basis(reader, entry)
    show_copy(entry)
    st.page_link("app_pages/history.py", label="历史版本", icon=":material/history:",
                 query_params={"entry": entry.id})
    if kb.editing.may_edit(user, entry.path, entry.meta):  # the unit's own staff, and the center
        st.page_link("app_pages/editor.py", label="编辑此条目", icon=":material/edit:", query_params={"entry": entry.id})
    log_open(kb, user, entry.id)


with show_errors():
    main()
