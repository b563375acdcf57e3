"""条目详情 — one entry as staff see it: status marks, format problems, internal notes, the rendered
answer, its legal basis, the text to copy, and the public rendering on the public site when there is one.
A catalogue entry (派单目录) shows what agents and units dispatch by instead of a text to copy: the lead and
co-handling units, the level, the time limit with the matters its tier is for, and how citizens put it."""

import streamlit as st

from kb_app import render
from kb_app.labels import LEVEL_LABELS, chinese_date, label, tier_scope
from kb_app.ui.errors import show_errors
from kb_app.ui.links import entry_link, pending_notice, public_answer_link
from kb_app.ui.resources import get_kb
from kb_app.ui.state import log_open, require_user
from kb_app.ui.style import badges


def show_header(reader, entry, user):
    st.title(entry.title)
    kind = ":gray-badge[答复口径]" if entry.kind == "policy" else ":gray-badge[派单目录]"
    st.markdown(" ".join([kind, *badges(reader.status_marks(entry))]))
    unit = "维护单位" if entry.kind == "directory" else "答复单位"
    st.caption(" · ".join([f"{unit}：{reader.unit_name(entry.unit)}", *entry.category[:3]]))
    for problem in reader.format_problems(entry):
        st.error(f"**格式错误**：{render.markdown_literal(problem)}。请通知所属单位改正。", icon=":material/error:")
    pending_notice(reader, entry, user)
    why = reader.rechecking_said(entry)
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


def show_assignment(reader, entry):
    """A catalogue entry's dispatch: who handles it, at which level, within what time, and how callers put it."""
    told = reader.assignment(entry)
    if told is None:
        return
    st.subheader("派单信息", divider="gray")
    co = "、".join(name for _u, name in told.co_handlers) or "无"
    lines = [f"**主办**：{render.markdown_literal(told.handler_name or '未写明')}",
             f"**协办**：{render.markdown_literal(co)}",
             f"**层级**：{render.markdown_literal(label(LEVEL_LABELS, told.level) or '未写明')}"]
    limit = f"**办理时限**：{render.markdown_literal(told.tier_name or '未写明')}"
    if told.round_the_clock:
        limit += "　:red-badge[7×24 随时派单]"
    lines.append(limit)
    st.markdown("\n\n".join(lines), unsafe_allow_html=True)
    if told.tier_description:
        st.caption(render.markdown_literal(tier_scope(told.tier_name, told.tier_description)))
    elif not told.tier_known:
        st.warning(f"时限档位“{render.markdown_literal(told.tier)}”未在 regulations/time_limits.yaml 中定义："
                   "请维护单位改正本条目的办理时限。", icon=":material/schedule:")
    if entry.examples:
        st.markdown("**市民的说法**\n\n" + "\n".join(f"- {render.markdown_literal(x)}" for x in entry.examples),
                    unsafe_allow_html=True)
    if entry.keywords:
        st.caption("关键词：" + render.markdown_literal("、".join(entry.keywords)))


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
        st.caption(f"公众网站上看不到本条目：{reader.not_public_reason(entry) or '现在不对公众公开'}。")
    show_assignment(reader, entry)
    if entry.kind == "directory":
        st.subheader("事项说明", divider="gray")
    st.html(render.to_html(entry.body))
    show_named(reader, entry)
    show_basis(reader, entry)
    if entry.kind != "directory":   # a catalogue entry is dispatched by, not read to a caller
        show_copy(entry)
    st.page_link("app_pages/history.py", label="历史版本", icon=":material/history:",
                 query_params={"entry": entry.id})
    if kb.editing.may_edit(user, entry.path, entry.meta):  # the unit's own staff, and the center
        st.page_link("app_pages/editor.py", label="编辑此条目", icon=":material/edit:", query_params={"entry": entry.id})
    log_open(kb, user, entry.id)


with show_errors():
    main()
