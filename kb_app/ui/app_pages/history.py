"""An entry's history: every published version with its author and reviewers by name, diffs, the
version in force on a date, and restoring an old version as a new change request.

Entries are found by a word of the title (synonyms too, deleted entries as well); commit hashes and
paths stay in the folded 技术信息.
"""

import streamlit as st

from kb_app.content import finder
from kb_app.labels import ENTRY_KIND_LABELS, SELECT_PLACEHOLDER
from kb_app.ui.change_view import show_file, show_version
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb
from kb_app.ui.state import flash, require_user, show_flash
from kb_app.ui.tables import Link, show_table

KINDS = ENTRY_KIND_LABELS

st.title("历史版本")
user = require_user()
show_flash("history")


@st.cache_resource(max_entries=4)
def deleted(_kb, commit):
    return _kb.deleted_entries(commit)


def candidates(kb):
    """(id, label, title) of every entry on main and every deleted one."""
    snap = kb.snapshot()
    out = [(e.id, f"{e.title}（{KINDS.get(e.kind, e.kind)}·{snap.unit_name(e.unit)}）", e.title)
           for e in sorted(snap.entry_list, key=lambda e: (e.kind, e.unit, e.title))]
    out += [(d.id, f"{d.title}（已于 {d.deleted:%Y-%m-%d} 删除）", d.title)
            for d in deleted(kb, kb.head()) if d.id not in snap.entries]
    return out


def label(v):
    """A version as the version boxes name it: when, by whom and through which request (the note is in the
    table above; a long one would be cut off in a box)."""
    cr = finder.change_request(v)
    return (f"{v.date:%Y-%m-%d %H:%M} · {finder.author_name(v)}" + (f" · 变更请求 {cr}" if cr else "")
            + ("（删除）" if v.deleted else ""))


def undone_note(versions, restore_to: str) -> str:
    """What restoring a version takes back: every version published after it, by request and note."""
    later = versions[:next(i for i, v in enumerate(versions) if v.commit == restore_to)]
    said = "；".join(f"{v.date:%Y-%m-%d %H:%M} " + (f"变更请求 {finder.change_request(v)} " if finder.change_request(v) else "")
                    + (f"“{v.summary}”" if v.summary else "") for v in later)
    return (f"恢复到这个版本会撤销此后发布的 {len(later)} 次修改：{said}。这些修改中仍然需要的内容，"
            "请在审核前写回变更请求。")


def show_recent(kb):
    """Before an entry is chosen: the versions published last, each opening its entry's history."""
    st.markdown("#### 最近发布的版本")
    show_table([{"发布时间": r.version.date,
                 "条目": Link(r.title + ("（删除）" if r.version.deleted else ""), "history", {"entry": r.id}),
                 "说明": r.version.summary, "作者": finder.author_name(r.version),
                 "变更请求": finder.change_request(r.version)} for r in kb.recent_versions(15)],
               empty="还没有发布过版本。")


def choose_entry(kb):
    """The entry chosen by title (or given as ``?entry=`` in the address); None when nothing matches."""
    everything = candidates(kb)
    wanted = st.query_params.get("entry")
    typed = st.text_input("按标题查找（也可输入编号；已删除的条目也能找到）", key="history_typed", max_chars=80,
                          placeholder="例如：社保、居住证")
    match = finder.TitleFinder(typed, kb.snapshot().synonym_groups)
    found = [c for c in everything if not match or match(c[2], c[0])]
    if not found:
        st.info(f"没有标题或编号符合“{typed.strip()}”的条目：换一个词试试，或清空查找框从列表中选择。")
        return None, None
    if match:
        found.sort(key=lambda c: match.rank(c[2]))
    ids = [c[0] for c in found]
    labels = {c[0]: c[1] for c in found}
    if wanted in ids and st.session_state.get("history_wanted") != wanted:
        st.session_state["history_wanted"] = wanted
        st.session_state["history_entry"] = wanted
    if st.session_state.get("history_entry") not in ids:
        st.session_state["history_entry"] = ids[0] if match else None   # nothing typed: nothing chosen for you
    st.caption(f"找到 {len(found)} 个条目。" if match else f"共 {len(found)} 个条目（含已删除的）。")
    chosen = st.selectbox("条目", ids, format_func=labels.get, key="history_entry", placeholder="选择一个条目")
    if chosen is None:
        return None, None
    return chosen, next(c[2] for c in found if c[0] == chosen)


def compare(kb, entry_id, commits, labels, path):
    """Two versions chosen (the newest and the one before it at first) compared as the review showed the change:
    the fields by label and the answer as readers saw it, the source folded."""
    c1, c2 = st.columns(2)
    old = c1.selectbox("旧版本", commits, index=1, format_func=labels.get,
                       placeholder=SELECT_PLACEHOLDER, key=f"history_old_{path}")
    new = c2.selectbox("新版本", commits, index=0, format_func=labels.get,
                       placeholder=SELECT_PLACEHOLDER, key=f"history_new_{path}")
    if old == new:
        st.caption("选择了同一个版本：请在“旧版本”中选一个更早的版本。")
    else:
        with st.container(border=True):
            show_file(kb.compare_versions(entry_id, old, new), (labels[old][:16], labels[new][:16]))


with show_errors():
    kb = get_kb()
    entry_id, title = choose_entry(kb)
    if entry_id is None:
        show_recent(kb)
        st.stop()
    path = kb.entry_path(entry_id)
    versions = kb.history(entry_id)
    st.caption(f"共 {len(versions)} 个已发布版本，最新的在前。")
    columns = ["发布时间", "说明", "作者", "审核人", "变更请求"] + (["删除"] if any(v.deleted for v in versions) else [])
    show_table([{"发布时间": v.date, "说明": v.summary, "作者": finder.author_name(v),
                 "审核人": "；".join(finder.reviewers(v)), "变更请求": finder.change_request(v),
                 "删除": "已删除" if v.deleted else ""} for v in versions], columns)

    st.markdown("#### 比较两个版本")
    commits = [v.commit for v in versions]
    labels = {v.commit: label(v) for v in versions}
    if len(commits) < 2:
        st.caption("只有一个已发布的版本，还没有可比较的。")
    else:
        compare(kb, entry_id, commits, labels, path)

    st.markdown("#### 某日有效的版本")
    day = st.date_input("日期", value=kb.today(), key="history_day", format="YYYY-MM-DD")
    version, entry = kb.version_on(entry_id, day)
    if version is None:
        st.info(f"{day} 当天没有有效的版本。")
    else:
        st.markdown(f"{day} 有效的是 {label(version)} 发布的版本：**{entry.title}**")
        with st.expander("查看该版本全文"):
            show_version(kb.version_view(entry_id, version.commit))

    with st.expander("技术信息（文件路径、提交号）"):
        st.markdown(f"文件：`{path}`")
        show_table([{"提交": v.commit[:10], "发布时间": f"{v.date:%Y-%m-%d %H:%M}", "作者邮箱": v.email}
                    for v in versions])

    if user.can_author and len(commits) > 1:
        st.markdown("#### 恢复旧版本")
        restore_to = st.selectbox("恢复到", commits[1:], format_func=labels.get,
                                  placeholder=SELECT_PLACEHOLDER, key=f"history_restore_to_{path}")
        if restore_to is not None:
            st.caption(undone_note(versions, restore_to))
        if st.button("以此版本发起变更请求", key="history_restore"):
            when = next(v.date for v in versions if v.commit == restore_to)
            cr = kb.review.restore(user, path, restore_to, f"恢复“{title}”到 {when:%Y-%m-%d %H:%M} 发布的版本")
            flash("history", f"已建立变更请求 #{cr.id}（{cr.state_label}），审核通过后恢复为该版本。", None,
                  kb.review.awaiting(cr).advice)   # a party no account can approve for, and what to do
            st.rerun()
