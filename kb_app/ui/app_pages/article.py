"""条例条文 — one regulation article as staff see it: its neighbours, every entry citing it (internal and
catalogue entries too, with their marks), and the article on the public site."""

import streamlit as st

from kb_app import render
from kb_app.exceptions import KbError
from kb_app.labels import KIND_LABELS
from kb_app.ui.errors import show_errors
from kb_app.ui.links import entry_link, public_article_url
from kb_app.ui.resources import get_kb
from kb_app.ui.style import plain_page_links
from kb_app.ui.state import log_open, require_user


def show_citing(reader, article):
    entries = reader.citing(article)
    st.subheader("引用本条的条目", divider="gray")
    if not entries:
        st.caption("目前没有条目引用本条。")
    for entry in entries:
        marks = reader.status_marks(entry)
        kind = "" if entry.kind == "policy" else f"{KIND_LABELS[entry.kind]} · "
        suffix = f"（{'、'.join(marks)}）" if marks else ""
        entry_link(entry.id, f"{kind}{entry.title}{suffix}")
        st.caption(f"答复单位：{reader.unit_name(entry.unit)}")


def main():
    user = require_user()
    kb = get_kb()
    reader = kb.reader(staff=True)
    try:
        article = reader.article(st.query_params.get("id", ""))
    except KbError as e:
        st.error(str(e))
        return
    # The neighbour links lead to this same page: keep the address showing the article shown.
    st.query_params["id"] = article.id
    reg = reader.regulation(article)
    st.title(f"{reg.title} {article.label}")
    details = [article.chapter, str(reg.meta.get("issuer") or ""), f"{reg.meta['effective']} 起施行" if reg.meta.get("effective") else ""]
    st.caption(" · ".join(d for d in details if d))
    st.page_link(public_article_url(kb, article.id), label="在公众网站上查看", icon=":material/public:")
    st.html(render.to_html(article.text))
    before, after = reader.neighbours(article)
    plain_page_links("pager")
    left, right = st.container(key="pager").columns(2)
    with left:
        if before:
            entry_link(before.id, f"上一条：{before.label}", ":material/chevron_left:")
    with right.container(horizontal_alignment="right"):
        if after:
            entry_link(after.id, f"下一条：{after.label}", ":material/chevron_right:")
    show_citing(reader, article)
    log_open(kb, user, article.id)


with show_errors():
    main()
