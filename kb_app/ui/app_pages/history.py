"""An entry's history: every published version with author and trailers, diffs, the version in force
on a date, and restoring an old version as a new change request."""

import streamlit as st

from kb_app.ui.diff import side_by_side
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb
from kb_app.ui.state import flash, require_user, show_flash

st.title("历史版本")
user = require_user()
show_flash("history")


@st.cache_resource(max_entries=4)
def entry_ids(_kb, commit):
    return _kb.entry_ids(commit)


def label(v):
    trailers = v.trailers.get("Change-Request")
    cr = f" · 变更请求 #{trailers[0]}" if trailers else ""
    return f"{v.date:%Y-%m-%d %H:%M} · {v.author} · {v.summary}{cr}" + ("（删除）" if v.deleted else "")


with show_errors():
    kb = get_kb()
    ids = entry_ids(kb, kb.head())
    wanted = st.query_params.get("entry")
    if wanted in ids and "history_entry" not in st.session_state:
        st.session_state["history_entry"] = wanted
    typed = st.text_input("条目编号（也可查已删除的条目）", key="history_typed")
    entry_id = typed.strip() or st.selectbox("条目", ids, key="history_entry")
    path = kb.entry_path(entry_id)
    versions = kb.history(entry_id)
    st.caption(f"{path} · 共 {len(versions)} 个已发布版本")
    st.dataframe([{"提交": v.commit[:10], "时间": f"{v.date:%Y-%m-%d %H:%M}", "作者": v.author, "说明": v.summary,
                   "变更请求": "、".join(v.trailers.get("Change-Request", [])),
                   "审核人": "；".join(v.trailers.get("Reviewed-by", [])), "删除": "是" if v.deleted else ""}
                  for v in versions], hide_index=True, key="history_table")

    st.markdown("#### 比较两个版本")
    commits = [v.commit for v in versions]
    labels = {v.commit: label(v) for v in versions}
    c1, c2 = st.columns(2)
    old = c1.selectbox("旧版本", commits, index=min(1, len(commits) - 1), format_func=labels.get, key=f"history_old_{path}")
    new = c2.selectbox("新版本", commits, index=0, format_func=labels.get, key=f"history_new_{path}")
    before, after = kb.file_text(path, old), kb.file_text(path, new)
    st.html(side_by_side(before, after, labels[old][:16], labels[new][:16]))

    st.markdown("#### 某日有效的版本")
    day = st.date_input("日期", value=kb.today(), key="history_day")
    version, entry = kb.version_on(entry_id, day)
    if version is None:
        st.info(f"{day} 当天没有有效的版本。")
    else:
        st.markdown(f"{day} 有效的是 **{version.commit[:10]}**（{label(version)}）：{entry.title}")
        with st.expander("查看该版本全文"):
            st.code(kb.file_text(path, version.commit), language="markdown")

    if user.can_author:
        st.markdown("#### 恢复旧版本")
        restore_to = st.selectbox("恢复到", commits[1:] or commits, format_func=labels.get, key=f"history_restore_to_{path}")
        if st.button("以此版本发起变更请求", key="history_restore"):
            cr = kb.review.restore(user, path, restore_to)
            flash("history", f"已建立变更请求 #{cr.id}（{cr.state_label}），审核通过后恢复为该版本。")
            st.rerun()
