"""条例条文 — one regulation article, its neighbours, and the answers that cite it."""

import streamlit as st

from kb_app import render
from kb_app.exceptions import KbError
from kb_app.labels import KIND_LABELS
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb


def article_link(article, label, icon):
    st.page_link("app_pages/article.py", label=label, icon=icon, query_params={"id": article.id})


def show_citing(reader, article):
    entries = reader.citing(article)
    st.subheader("引用本条的答复" if not reader.staff else "引用本条的条目", divider="gray")
    if not entries:
        st.caption("目前没有引用本条的公开答复。" if not reader.staff else "目前没有条目引用本条。")
    for entry in entries:
        marks = reader.status_marks(entry) if reader.staff else []
        kind = "" if entry.kind == "policy" else f"{KIND_LABELS[entry.kind]} · "
        suffix = f"（{'、'.join(marks)}）" if marks else ""
        st.page_link("app_pages/answer.py", label=f"{kind}{entry.title}{suffix}", icon=":material/article:",
                     query_params={"id": entry.id})
        st.caption(f"答复单位：{reader.unit_name(entry.unit)}")


def main():
    kb = get_kb()
    reader = kb.reader(staff=st.session_state.get("user") is not None)
    st.page_link("app_pages/search.py", label="返回查询", icon=":material/arrow_back:")
    try:
        article = reader.article(st.query_params.get("id", ""))
    except KbError as e:
        st.error(str(e))
        return
    reg = reader.regulation(article)
    st.title(f"{reg.title} {article.label}")
    details = [article.chapter, str(reg.meta.get("issuer") or ""), f"{reg.meta['effective']} 起施行" if reg.meta.get("effective") else ""]
    st.caption(" · ".join(d for d in details if d))
    st.html(render.to_html(article.text))
    before, after = reader.neighbours(article)
    left, right = st.columns(2)
    with left:
        if before:
            article_link(before, f"上一条：{before.label}", ":material/chevron_left:")
    with right:
        if after:
            article_link(after, f"下一条：{after.label}", ":material/chevron_right:")
    show_citing(reader, article)


with show_errors():
    main()
