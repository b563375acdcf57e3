"""My work: my drafts, change requests returned to me, those in review, and those waiting for me."""

import datetime as dt

import streamlit as st

from kb_app.review.changes import people, person
from kb_app.ui.errors import show_errors
from kb_app.ui.links import REDRAFT, REDRAFT_HELP, open_in_editor, redraft
from kb_app.ui.resources import get_kb
from kb_app.ui.tables import when

st.title("我的工作")
user = st.session_state.get("user")
if user is None:
    st.warning("请先登录。")
    st.stop()


def open_review(cr_id):
    st.switch_page("app_pages/review.py", query_params={"cr": cr_id})


#: A request in review that conflicts with what was published since: its author's to update, and nobody's to
#: approve until then (Review.approval_refused).
CONFLICT_LABEL = "有冲突（审核中）"
CONFLICT_NOTE = ("本变更请求中的条目在您提交后已有新版本发布：请点“修改”。编辑器能合并的自动合并，双方改在同一处的请您对照新版本改定；"
                 "保存后审核继续。")
REVIEWER_CONFLICT_LABEL = "有冲突（等作者更新）"
REVIEWER_CONFLICT_NOTE = ("本变更请求中的条目在它发起后已有新版本发布：作者对照新版本更新之前不能批准"
                          "（更新会使此前的批准全部失效），可以先查看或评论。")
#: What "新意见" counts: nothing records what someone has read, so what came after their last step.
NEW_COMMENTS_NOTE = "“新意见”是您上次在该变更请求上操作（保存、提交、评论等）之后他人发表的评论。"


def section(title, crs, empty, key, names):
    st.subheader(f"{title}（{len(crs)}）")
    if not crs:
        st.caption(empty)
        return
    # Comments others made on the user's own requests since the user last acted on them, newest first.
    news = {cr.id: review.new_comments(cr, user.username) for cr in crs if cr.author == user.username}
    crs = sorted(crs, key=lambda c: news[c.id][0]["at"] if news.get(c.id) else "", reverse=True)
    for cr in crs:
        left, right = st.columns([5, 1])
        own = cr.author == user.username
        state = (CONFLICT_LABEL if own else REVIEWER_CONFLICT_LABEL) if cr.id in in_conflict else cr.state_label
        by = "" if own else f" · 作者 {person(names, cr.author)}"
        left.markdown(f"**#{cr.id} {cr.title}** · {state}{by} · 更新于 {when(cr.updated)}")
        if cr.id in in_conflict:
            left.caption(CONFLICT_NOTE if own else REVIEWER_CONFLICT_NOTE)
        if cr.author == user.username and cr.state in ("in_review", "approved"):
            # A request nobody can approve as the accounts stand waits in silence unless its author is told.
            awaiting = review.awaiting(cr)
            if awaiting.blocked:
                left.caption(f":orange[:material/person_off: {awaiting.words}。{''.join(awaiting.advice)}]")
        # What the reviewer asked for when it came back (a conflict comes back by itself, with no reviewer's word).
        said = review.reviewers_word(cr) if cr.state == "changes_requested" else None
        new = news.get(cr.id) or []
        if new and not (len(new) == 1 and said and said["id"] == new[0]["id"]):
            latest = new[0]
            # As written: no Markdown.
            left.text(f"新意见 {len(new)} 条：{person(names, latest['author'])}（{when(latest['at'])}）：{latest['body']}")
        elif said:
            left.text(f"{person(names, said['author'])}（{when(said['at'])}）：{said['body']}")
        if right.button("查看", key=f"work_{key}_{cr.id}"):
            open_review(cr.id)
        # A request sent back, or in conflict with what was published since (the editor merges it), is mended
        # in the editor.
        if (cr.state in ("changes_requested", "conflicting") or cr.id in in_conflict) and review.is_author(cr, user) \
                and right.button("修改", key=f"work_{key}_{cr.id}_edit", type="primary"):
            open_in_editor(kb, cr.id)
    if any(news.values()):
        st.caption(NEW_COMMENTS_NOTE)


def unit_tasks(tasks):
    """The unit's open maintenance tasks (citizens' error reports, expiring answers …), soonest due first:
    work with a deadline, kept on the 维护任务 page."""
    st.subheader(f"本单位的维护任务（{len(tasks)}）")
    if not tasks:
        st.caption("没有待处理的维护任务。")
        return
    for t in sorted(tasks, key=lambda t: (not t.overdue, t.due or "9999"))[:5]:
        due = "已超期" if t.overdue else f"期限 {t.due_label}"
        st.markdown(f"{':red[:material/error:] ' if t.overdue else ''}**#{t.id} {t.heading}** · {due}")
    st.page_link("app_pages/inbox.py", label=f"到“维护任务”处理（共 {len(tasks)} 个）", icon=":material/task:")


#: How long a request turned down stays in view of its author, above the fold of ended ones.
REJECTED_DAYS = 14


def when_changed(cr) -> dt.datetime:
    """When a request last changed, comparable with the knowledge base's clock."""
    changed = dt.datetime.fromisoformat(str(cr.updated).replace("Z", "+00:00"))
    return changed.astimezone().replace(tzinfo=None) if changed.tzinfo else changed


def ended(cr, names, key):
    """One ended request: its state and time, for one turned down by whom and why (as written), its page, and for
    one of the user's own turned down or withdrawn, a new request starting from it (Review.redraft)."""
    left, right = st.columns([5, 2])
    left.markdown(f"**#{cr.id} {cr.title}** · {cr.state_label} · 更新于 {when(cr.updated)}")
    said = review.reviewers_word(cr) if cr.state == "rejected" else None
    if said:
        left.text(f"{person(names, said['author'])}（{when(said['at'])}）：{said['body']}")
    if right.button("查看", key=f"work_{key}_{cr.id}"):
        open_review(cr.id)
    if cr.author == user.username and review.may(cr, "redraft") and right.button(
            REDRAFT, key=f"work_{key}_{cr.id}_redraft", help=REDRAFT_HELP):
        with show_errors():
            redraft(kb, user, cr)


with show_errors():
    kb = get_kb()
    review = kb.review
    review.sync()
    names = people(kb)
    mine = review.list(author=user.username)
    # A request in review whose files main changed since is the author's to update now, not when publishing fails.
    waiting = review.waiting_for(user)
    # ... and a request waiting for the user's approval is marked too: nobody approves it before its author updates it.
    in_conflict = {c.id for c in [*mine, *waiting] if c.state in ("in_review", "approved") and review.conflicting(c)}
    section("等待我审核", waiting, "暂时没有需要您审核的变更请求。", "waiting", names)
    section("退回给我的", [c for c in mine if c.state in ("changes_requested", "conflicting") or c.id in in_conflict],
            "没有被退回或发生冲突的变更请求。", "returned", names)
    section("我的草稿", [c for c in mine if c.state == "draft"], "没有草稿。", "draft", names)
    section("我提交的、审核中的", [c for c in mine if c.state in ("in_review", "approved") and c.id not in in_conflict],
            "没有正在审核的变更请求。", "open", names)
    unit = getattr(user, "unit", "") or ""
    if unit:
        # What dates, votes and searches called for since, as the 维护任务 page counts it, whichever page is opened
        # first (generated at most every few minutes).
        kb.feedback.refresh()
        unit_tasks(kb.feedback.list_tasks(unit, state="open"))
    done = [c for c in mine if not c.is_open][:10]
    # A request turned down lately is news to its author, not history: shown open, with why.
    since = kb.now() - dt.timedelta(days=REJECTED_DAYS)
    rejected = [c for c in done if c.state == "rejected" and when_changed(c) >= since]
    if rejected:
        st.subheader(f"最近被驳回的（{len(rejected)}）")
        for cr in rejected:
            ended(cr, names, "rejected")
    rest = [c for c in done if c not in rejected]
    if rest:
        with st.expander(f"最近结束的（{len(rest)}）"):
            for cr in rest:
                ended(cr, names, "ended")
