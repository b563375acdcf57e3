"""Review of a change request: side-by-side diffs, front-matter changes, parties, comments, decisions."""

import streamlit as st

from kb_app.exceptions import PublishConflict
from kb_app.review import EVENT_LABELS
from kb_app.ui.diff import meta_changes, side_by_side
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb
from kb_app.ui.state import flash, require_user, show_flash

STATUS = {"A": "新增", "M": "修改", "D": "删除"}
st.title("变更校核")
user = require_user()
show_flash("review")


def render_impact(impact, snap):
    """Per article what changed, and the entries resting on it, before anyone approves."""
    st.markdown("#### 条例变更的影响")
    for reg, changes in impact.changes.items():
        title = snap.regulations[reg].title if reg in snap.regulations else reg
        rows = [{"变化": {"added": "新增", "removed": "删除", "changed": "修改", "renumbered": "仅条号变化"}[c.status],
                 "原条号": c.old or "", "新条号": c.new or "", "说明": c.label} for c in changes]
        with st.expander(f"{title}：{len(changes)} 条有变化", expanded=len(changes) <= 10):
            st.dataframe(rows, hide_index=True, key=f"impact_{reg}")
    if impact.tier_changes or impact.config_changes:
        st.warning("配置变化：" + "、".join(impact.tier_changes + impact.config_changes))
    if impact.impacted:
        st.warning(f"依据已变更、发布后需要所属单位复核的条目（{len(impact.impacted)}）：")
        st.dataframe([{"条目": c.entry_id, "标题": c.title, "所属单位": snap.unit_name(c.unit), "原因": "；".join(c.reasons)}
                      for c in impact.impacted], hide_index=True, key="impact_entries")
    if impact.renumbered:
        st.info(f"仅条号变化、已在本变更中自动改写引用的条目（{len(impact.renumbered)}）：")
        st.dataframe([{"条目": c.entry_id, "标题": c.title, "所属单位": snap.unit_name(c.unit), "改写": "；".join(c.reasons)}
                      for c in impact.renumbered], hide_index=True, key="impact_renumbered")


def pick_cr(review):
    crs = review.list()
    if not crs:
        st.info("还没有变更请求。")
        st.stop()
    wanted = st.query_params.get("cr") or st.session_state.get("review_cr")
    ids = [c.id for c in crs]
    if wanted is not None and str(wanted).isdigit() and int(wanted) in ids:
        st.session_state["review_select"] = int(wanted)
        st.session_state.pop("review_cr", None)
    labels = {c.id: f"#{c.id} {c.title}（{c.state_label}）" for c in crs}
    return st.selectbox("变更请求", ids, format_func=labels.get, key="review_select")


def act(label, fn, *args):
    with show_errors():
        try:
            cr = fn(*args)
        except PublishConflict as e:
            st.session_state.pop("review_flash", None)
            st.error(str(e))
            return
        state = getattr(cr, "state_label", "已发布")
        flash("review", f"{label}成功，当前状态：{state}。")
        st.rerun()


with show_errors():
    kb = get_kb()
    review = kb.review
    review.sync()
    cr_id = pick_cr(review)
    cr = review.get(cr_id)
    main = kb.store.head()
    status = review.status(cr, main)
    files = review.files(cr, main)
    st.subheader(f"#{cr.id} {cr.title}")
    st.caption(f"状态：{cr.state_label} · 作者：{cr.author} · 类型：{cr.kind} · 分支：{cr.branch} · 当前提交：{cr.head[:10]}"
               f" · 基于主干：{cr.base[:10]}")
    if cr.description:
        st.write(cr.description)
    if cr.problems:
        st.error("校验未通过，修正前不能批准：\n\n" + "\n".join(f"- {p}" for p in cr.problems))
    if status.conflicts and cr.is_open:
        st.warning("以下文件在本变更请求创建后已在主干上被修改（有冲突），发布前需要作者对照双方版本更新："
                   + "、".join(status.conflicts))

    impact = kb.impact(cr)
    if impact is not None:
        render_impact(impact, kb.snapshot(cr.base))

    st.markdown("#### 审核方")
    rows = []
    for party in status.required:
        a = status.approvals.get(party)
        rows.append({"审核方": status.labels[party], "状态": "已批准" if a else "待审核",
                     "审核人": a["reviewer"] if a else "", "时间": a["at"][:16].replace("T", " ") if a else ""})
    st.dataframe(rows, hide_index=True, key="review_parties")

    st.markdown(f"#### 涉及的文件（{len(files)}）")
    for f in files:
        with st.expander(f"{STATUS.get(f.status, f.status)} {f.path}" + ("（有冲突）" if f.conflicting else ""), expanded=len(files) <= 3):
            changes = meta_changes(f.old, f.new)
            if changes:
                st.markdown("前置信息的变化")
                st.table(changes)
            st.html(side_by_side(f.old, f.new))
            if f.conflicting:
                st.markdown("**主干现行版本 与 本变更版本**")
                st.html(side_by_side(f.main, f.new, "主干现行版本", "本变更版本"))

    st.markdown("#### 评论")
    for c in review.comments(cr.id):
        st.markdown(f"**{c['author']}** · {c['at'][:16].replace('T', ' ')}")
        st.text(c["body"])
    comment = st.text_area("意见（批准时可不填；退回、驳回时必填）", key="review_comment")

    is_author = review.is_author(cr, user)
    cols = st.columns(6)
    if cols[0].button("批准", key="review_approve", type="primary", disabled=cr.state != "in_review"):
        act("批准", review.approve, user, cr.id, comment)
    if cols[1].button("退回修改", key="review_request_changes", disabled=not cr.is_open):
        act("退回", review.request_changes, user, cr.id, comment)
    if cols[2].button("驳回", key="review_reject", disabled=not cr.is_open):
        act("驳回", review.reject, user, cr.id, comment)
    if cols[3].button("发布", key="review_publish", disabled=cr.state != "approved"):
        act("发布", review.publish, user, cr.id)
    if cols[4].button("发表评论", key="review_add_comment"):
        act("评论", lambda *a: review.comment(*a) and cr, user, cr.id, comment)
    if is_author and cr.state in ("draft", "changes_requested"):
        if cols[5].button("提交审核", key="review_submit"):
            act("提交", review.submit, user, cr.id)
    elif (is_author or user.role == "admin") and cr.is_open:
        if cols[5].button("撤回", key="review_withdraw"):
            act("撤回", review.withdraw, user, cr.id, comment)
    if is_author and cr.is_open:
        if st.button("在编辑器中修改", key="review_edit"):
            st.session_state["editor_cr"] = cr.id
            st.switch_page("app_pages/editor.py")

    with st.expander("审核记录"):
        st.dataframe([{"时间": e["at"][:19].replace("T", " "), "操作人": e["actor"], "操作": EVENT_LABELS.get(e["action"], e["action"]),
                       "提交": (e["commit"] or "")[:10], "说明": e["detail"] or ""} for e in review.events(cr.id)],
                     hide_index=True, key="review_events")
