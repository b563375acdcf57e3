"""公众自助查询 — the public landing page: search public answers in force today, by topic."""

import logging

import streamlit as st

from kb_app import render
from kb_app.labels import KIND_LABELS
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb

log = logging.getLogger(__name__)
PAGE_SIZE = 10
ALL_TOPICS = "全部主题"


def topics(kb) -> list[str]:
    """The main topics (first category) of the public answers in force today."""
    today = kb.today()
    return sorted({e.category[0] for e in kb.snapshot().policies() if e.category and e.is_public_on(today)})


def log_search(kb, query: str, topic: str, total: int):
    """Log a search once per (query, topic), not on every rerun of the page."""
    key = (query, topic)
    if st.session_state.get("search_logged") == key:
        return
    st.session_state["search_logged"] = key
    user = st.session_state.get("user")
    try:
        st.session_state["search_log_id"] = kb.feedback.log_search(
            query, audience="public", hits=total, role=getattr(user, "role", "") or "public",
            username=getattr(user, "username", "") or "")
    except Exception:  # noqa: BLE001 - a failed log must not cost the reader the results
        log.exception("search log failed")


def show_hit(hit):
    with st.container(border=True):
        if hit.kind == "article":
            st.page_link("app_pages/article.py", label=hit.title, icon=":material/gavel:", query_params={"id": hit.id})
        else:
            st.page_link("app_pages/answer.py", label=hit.title, icon=":material/article:", query_params={"id": hit.id})
        if hit.snippet:
            st.markdown(render.snippet_html(hit.snippet), unsafe_allow_html=True)
        who = f"答复单位：{hit.unit_name}" if hit.kind != "article" else f"{KIND_LABELS['article']} · {hit.unit_name}"
        st.caption(" · ".join([who, *hit.category[:3]]))


def main():
    st.title("12345 政策问答自助查询")
    st.caption("输入您想问的事，像打电话时那样说就行。查到的都是各承办单位审核发布、现行有效的答复。")
    kb = get_kb()
    if "q" not in st.session_state and st.query_params.get("q"):
        st.session_state["q"] = st.query_params.get("q")
    query = st.text_input("您想问什么？", key="q", placeholder="例如：外地人怎么办居住证、暖气不热找谁",
                          max_chars=200)
    topic = st.selectbox("主题", [ALL_TOPICS, *topics(kb)], key="topic")
    query = (query or "").strip()
    if not query:
        st.info("在上面输入问题，按回车查询。也可以先选择主题缩小范围。")
        return
    limit = st.session_state.get("search_limit", PAGE_SIZE)
    if st.session_state.get("search_for") != (query, topic):
        st.session_state["search_for"], limit = (query, topic), PAGE_SIZE
    results = kb.search(query, audience="public", limit=limit,
                        category=None if topic == ALL_TOPICS else topic)
    if not results.hits:
        log_search(kb, query, topic, 0)
        st.warning("没有找到相关答复。请换个说法再试（比如用更简短的词），或拨打 12345 热线咨询。")
        return
    st.caption(f"找到 {results.total} 条相关结果")
    for hit in results.hits:
        show_hit(hit)
    log_search(kb, query, topic, results.total)
    if results.total > len(results.hits):
        if st.button("显示更多结果", key="more"):
            st.session_state["search_limit"] = limit + PAGE_SIZE
            st.rerun()
    st.session_state["search_limit"] = limit


with show_errors():
    main()
