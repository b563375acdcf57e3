"""One file's change as a reviewer reads it (a :class:`kb_app.review.changes.FileView`): the fields that
changed by label, the answer rendered side by side as readers will see it, the source folded away.
Shown by the review page for a change request and by the history page for two published versions."""

import re

import streamlit as st

from kb_app.review.queries import published_by
from kb_app.ui.diff import field_table, markdown_html, rendered_side_by_side, side_by_side


def show_file(v, captions: tuple[str, str] | None = None):
    """The change ``v``; ``captions`` name the two versions of its text (修改前/修改后 by default)."""
    captions = captions or ()
    st.markdown(f"#### {v.heading}" + ("（有冲突）" if v.conflicting else ""))
    if v.fields:
        st.caption("字段" if v.status == "A" else "删除前的字段" if v.status == "D" else "字段的变化")
        st.html(field_table(v.fields, v.status))
    elif v.status == "M" and v.kind != "config":
        st.caption("字段没有变化。")
    if v.has_body and (v.body_changed or v.status != "M"):
        st.html(rendered_side_by_side(v.old_body, v.new_body, *captions))
    elif v.has_body:
        st.caption("正文没有变化。")
    elif v.items:
        st.caption(f"新增 {sum(r['变化'] == '新增' for r in v.items)} 条、删除 {sum(r['变化'] == '删除' for r in v.items)} 条来电示例")
        st.table(v.items, hide_index=True)
        with st.expander("源文本对照"):
            st.html(side_by_side(v.old, v.new, *captions))
    elif v.fields:  # a configuration read in words (the time limits): its source on request
        with st.expander("源文本对照"):
            st.html(side_by_side(v.old, v.new, *captions))
    else:
        st.html(side_by_side(v.old, v.new, *captions))
    if v.conflicting:
        show_published_meanwhile(v)
    if v.has_body:
        with st.expander("源文本对照"):
            st.html(side_by_side(v.old, v.new, *captions))


#: A Markdown line's own block mark: a list item's bullet or number, a heading's #, a quote's >.
_BLOCK_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)]|#{1,6}|>)\s+")


def listed(lines) -> str:
    """Lines of an answer's source as one Markdown list, each without its own mark (1. 先挂失 is read as
    • 先挂失, not • 1. 先挂失)."""
    return "\n".join(f"- {_BLOCK_MARK.sub('', line, count=1)}" for line in lines)


def show_published_meanwhile(v):
    """What was published to the file since the request was written, and what the request's version lacks of it
    (publishing is refused until the author updates it, so nothing published is taken out)."""
    said = (f"本条目在本变更请求起草后已由{published_by(v.published)}修改并发布；上面的“修改前”就是主干现行版本，"
            "显示的是批准发布后对现行版本的全部改动。")
    if v.reverted:
        said += ("本变更的版本没有以下已发布的内容。为免删去它们，本变更在作者基于现行版本更新（编辑器能合并的自动合并，双方改在同一处的由作者对照改定）"
                 "并重新审核之前不会发布：\n\n" + listed(v.reverted))
    st.warning(said, icon=":material/history:")
    st.markdown("**起草时依据的版本 与 主干现行版本**（这期间发布的修改）")
    st.html(side_by_side(v.base, v.main, "起草时依据的版本", "主干现行版本"))


def show_version(v):
    """One version as readers saw it (``v`` a file as added): every field by label and the answer rendered;
    the source on a tab of its own."""
    seen, source = st.tabs(["如读者所见", "源文本"])
    seen.html(field_table(v.fields, "A"))
    if v.new_body is not None:
        seen.html(markdown_html(v.new_body))
    source.code(v.new or "", language="markdown")
