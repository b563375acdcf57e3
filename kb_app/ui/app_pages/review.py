"""Review of a change request: each entry rendered side by side as it will look, the fields that
changed by label, the parties and their decisions, comments; technical details folded away."""

import functools

import streamlit as st

from kb_app.review.changes import describe_all, people, person, problem_text, tiers_moved
from kb_app.exceptions import PublishConflict
from kb_app.labels import (CR_EVENT_LABELS as EVENT_LABELS, CR_KIND_LABELS, PARTY_GAP_LABELS,
                           SELECT_PLACEHOLDER, TIER_MENTIONS, WITHDRAWAL_NOTE, written_before_note)
from kb_app.ui.call_impact import show_call_impact
from kb_app.ui.change_view import show_file
from kb_app.ui.errors import show_errors
from kb_app.ui.links import (ENTRY_PAGE, REDRAFT, REDRAFT_HELP, literal_lines, literal_warning, open_in_editor,
                             public_answer_url, redraft, show_reference_notices)
from kb_app.ui.resources import get_kb
from kb_app.ui.state import flash, require_user, show_flash
from kb_app.ui.tables import when

#: Said instead of the editor's button to the author of a request changing no answer or catalogue entry.
EDITOR_CANNOT = ("本变更只修改条例或配置文件，编辑器只能修改答复口径和派单目录。需要再修改的，{who}用命令"
                 "“kb cr update”更新本变更请求；或撤回后重新发起。")
IMPACT_STATUS = {"added": "新增", "removed": "删除", "changed": "修改", "renumbered": "仅条号变化"}
st.title("变更校核")
user = require_user()


def render_impact(impact, snap, said=lambda reasons: reasons):
    """Per article what changed, and the entries resting on it, before anyone approves."""
    st.markdown("#### 条例与配置变更的影响")      # as kb cr show says it: the intake rules are no regulation
    show_call_impact(impact.calls)
    if impact.empty:
        st.caption("条文的正文和条号都没有变化（例如只改了常见问法），引用条文的条目不受影响。")
    for reg, changes in impact.changes.items():
        title = snap.regulations[reg].title if reg in snap.regulations else reg
        rows = [{"变化": IMPACT_STATUS[c.status], "原条号": c.old, "新条号": c.new, "说明": c.label}
                for c in changes]
        with st.expander(f"{title}：{len(changes)} 条有变化", expanded=len(changes) <= 10):
            st.dataframe(rows, hide_index=True, key=f"impact_{reg}")
    if impact.config_line():
        st.warning(impact.config_line())
    if impact.config_removed or impact.stale:
        st.error("引用了已删除条文、需要人工改正的依据（不会自动改指该条号现在的条文）：\n\n"
                 + "\n".join(f"- {c}" for c in impact.config_removed + impact.stale))
    if impact.config_rewritten:
        st.info("配置中仅条号变化、已在本变更中改写的依据：\n\n" + "\n".join(f"- {c}" for c in impact.config_rewritten))
    for label, items in (("条例常见问法已随条号调整", impact.questions_shifted),
                         ("已删除条文的常见问法已一并删除", impact.questions_dropped)):
        if items:
            st.info(f"{label}：" + "；".join(items))
    if impact.tier_mentions:
        st.info(f"{TIER_MENTIONS}：\n\n" + "\n".join(f"- {c}" for c in impact.tier_mentions))
    if impact.impacted:
        st.warning(f"依据已变更、发布后需要所属单位复核的条目（{len(impact.impacted)}）：")
        st.dataframe([{"标题": c.title, "所属单位": snap.unit_name(c.unit), "原因": said("；".join(c.reasons))}
                      for c in impact.impacted], hide_index=True, key="impact_entries")
    if impact.renumbered:
        st.info(f"仅条号变化、已在本变更中自动改写引用的条目（{len(impact.renumbered)}）：")
        st.dataframe([{"标题": c.title, "所属单位": snap.unit_name(c.unit), "改写": "；".join(c.reasons)}
                      for c in impact.renumbered], hide_index=True, key="impact_renumbered")


def pick_cr(review):
    crs = review.list()
    if not crs:
        st.info("还没有变更请求。")
        st.stop()
    wanted = st.query_params.get("cr")
    ids = [c.id for c in crs]
    # The request named in the address is chosen once, when the address names it; a choice made after
    # that stands, and goes into the address (a reload or a shared address shows the same request).
    asked = wanted is not None and wanted != st.session_state.get("review_wanted")
    if asked and wanted.isdigit() and int(wanted) in ids:
        st.session_state["review_select"] = int(wanted)
    elif asked:
        # A mistyped or stale address: said, so that nobody acts on the request shown instead.
        st.warning(f"地址中的变更请求“{wanted}”不存在：请在下面选择要查看的变更请求。", icon=":material/warning:")
    if st.session_state.get("review_select") is None:
        # Opened without a choice: for a reviewer, the newest request waiting for their approval (not another
        # unit's, whose buttons they could not press); for others, the newest still under review.
        if user.party is not None:
            waiting = [c.id for c in review.waiting_for(user)]
            if not waiting:
                st.info("目前没有等待您审核的变更请求：可在下面选择要查看的变更请求。", icon=":material/inbox:")
        else:
            waiting = [c.id for c in crs if c.state == "in_review"] or [c.id for c in crs if c.is_open]
        if waiting:
            st.session_state["review_select"] = waiting[0]
    # No state in the labels: the page remembers the choice by its label, and a state changes under it.
    labels = {c.id: f"#{c.id} {c.title}" for c in crs}
    unchosen = {} if st.session_state.get("review_select") is not None else {"index": None}
    chosen = st.selectbox("变更请求", ids, format_func=labels.get, placeholder=SELECT_PLACEHOLDER, key="review_select",
                          **unchosen)
    if chosen is None:
        st.stop()
    st.session_state["review_wanted"] = st.query_params["cr"] = str(chosen)
    return chosen


def published_answer(title, entry, today, current=None, added=False):
    """What publishing an answer did, by its dates and audience on ``today``: one that takes effect later or
    was retired is not what a search finds now. ``current``: the version the public sees today, which
    stays in force until a new version scheduled for a later day takes effect; ``added``: the answer is new
    (published for the first time, so no 新版本 of anything)."""
    status = entry.status(today) if entry is not None else "in_force"
    done = f"“{title}”已首次发布" if added else f"“{title}”的新版本已发布"
    if status == "pending" and current is not None and current is not entry and current.is_public_on(today):
        return (f"{done}，{entry.effective.isoformat()} 起生效；在此之前公众和坐席查到的仍是现行版本"
                f"（有效至 {current.expires.isoformat()}），坐席另能看到标为“未生效”的新版本。")
    if status == "pending":
        return (f"{done}，{entry.effective.isoformat()} 起生效；在此之前公众查不到它，"
                "坐席看到的标为“未生效”。")
    if status == "expired":
        return (f"“{title}”已发布，有效期至 {entry.expires.isoformat()}，公众已查不到它；"
                "坐席仍能查到，标为“已失效”。")
    if entry is not None and entry.audience != "public":
        return f"{done}，只有坐席能查到（内部口径）。"
    return f"{done}，查询到的就是它。"


def outcome(verb, cr, views, status_after, entries, today, current=lambda entry: None, awaiting=None):
    """What happened, in words: published (with where to read it, and when it is in force), or who is still to
    approve. ``entries``: the published entries by id, read for their dates and audience on ``today``;
    ``current(entry)``: the version of one the public sees today (see render.Reader.current); ``awaiting``:
    the parties waited for, flagged where no account can approve (ReviewQueries.awaiting)."""
    if cr.state == "published":
        lines = []
        for v in views:
            if v.status == "D":
                lines.append(f"“{v.title}”已从知识库中删除，查询中不再出现。")
            elif v.answer_id:
                entry = entries.get(v.answer_id)
                lines.append(published_answer(v.title, entry, today, current(entry) if entry is not None else None,
                                              added=v.status == "A"))
            else:
                lines.append(f"{v.kind_label}“{v.title}”已更新。")
        head = "已批准并发布。" if verb == "已批准" else f"{verb}。"
        return head + "\n\n".join(["", *lines])
    if cr.state == "conflicting":
        return (f"{verb}，但没有发布：发布时发现主干上的同一文件已被他人修改（有冲突）。"
                "请作者对照主干现行版本更新后重新提交审核。")
    waiting = "、".join(status_after.labels[p] for p in status_after.missing)
    if verb == "已批准" and cr.state == "in_review" and waiting:
        return f"已批准。还需要{waiting}批准，之后才会发布。"
    if verb == "已提交审核" and waiting:
        return f"已提交审核，{awaiting.words}。" if awaiting else f"已提交审核，等待{waiting}审核。"
    return f"{verb}。"


def published_link(kb, entry_id):
    """Where to read what was just published: public site (a public answer in force) or staff view."""
    entry = kb.snapshot().entries.get(entry_id)
    url = public_answer_url(kb, kb.reader().current(entry) if entry is not None else None)
    return (url, "在公众网站上查看发布后的答复", None) if url else (ENTRY_PAGE, "查看发布后的条目", {"id": entry_id})


def act(verb, fn, *args):
    st.session_state.pop("review_confirm", None)  # a decision taken ends any other asked again (see second_click)
    with show_errors():
        try:
            result = fn(*args)
        except PublishConflict as e:
            st.error(str(e))
            return
        cr = review.get(cr_id)
        shown = next((v.answer_id for v in views if v.answer_id), None) if cr.state == "published" else None
        kb = get_kb()
        link = published_link(kb, shown) if shown else None
        status_after = review.status(cr)
        awaiting = review.awaiting(cr, status_after) if verb == "已提交审核" else None
        flash("review", outcome(verb, cr, views, status_after, kb.snapshot().entries, kb.today(),
                                kb.reader().current, awaiting), link)   # what to do is said under the parties
        # What was said is now on the record: the box is emptied, so it cannot be sent twice.
        st.session_state["review_comment_sent"] = True
        st.rerun()


def show_others_on(kb, cr, views):
    """Other open requests (drafts too) changing this one's entries: approving this one makes them conflict,
    so the reviewer may want to look at them first (a reminder: approving stays possible)."""
    titles = {v.path: v.title for v in views}
    notes = kb.under_way_notes(list(titles), exclude=[cr.id], what=titles.get, review=True)
    if not notes:
        return
    literal_warning([n for _path, n in sorted(notes.items())], ":material/group:")
    for other in sorted({c.cr for changes in kb.under_way(list(notes), exclude=[cr.id]).values() for c in changes}):
        st.page_link("app_pages/review.py", label=f"查看变更请求 #{other}", icon=":material/rate_review:",
                     query_params={"cr": other})


def show_tasks(kb, cr):
    ids = cr.data.get("resolves") or []
    tasks = []
    for task_id in ids:
        with show_errors():
            tasks.append(kb.feedback.task(int(task_id)))
    if not tasks:
        return
    reports = kb.feedback.reports(tasks)
    st.markdown(f"#### 本变更处理的维护任务（{len(tasks)}）")
    for t in tasks:
        report = reports.get(t.id)
        said = f"：“{report['text']}”" if report else ""
        st.markdown(f"- {t.heading}（{t.state_label}）{said}")


#: The comment box of a request that has ended, and what a comment on it does.
CLOSED_COMMENT = "评论（仅作记录）"
CLOSED_COMMENT_NOTE = "本变更请求{state}，评论只记入它的记录（例如{example}），不会重新打开它，也不会再送审。"
#: What a comment on an ended request is for, by its state.
CLOSED_COMMENT_EXAMPLES = {"published": "发布后核实的情况"}
CLOSED_COMMENT_EXAMPLE = "说明为什么放弃、改由哪个变更请求接续"


#: What a decision that closes a request for good means, said before it is taken (a second click takes it).
FINAL = {"review_reject": "驳回后本变更请求即关闭，不能再修改或提交（作者可以以它为底稿新建变更请求）。确定驳回请再点一次“确认驳回”。",
         "review_withdraw": "撤回后本变更请求即关闭，不能再修改或提交；以后要改，可以以它为底稿新建变更请求。确定撤回请再点一次“确认撤回”。"}


#: The event that ended a request, by the state it ended in.
ENDED_BY = {"rejected": "rejected", "withdrawn": "withdraw", "published": "publish"}


def ended_line(cr, events, names, redraftable: bool) -> str:
    """One line for a request that has ended: its state, by whom and when, that no decision is left to take, and
    for its author (``redraftable``) how to go on."""
    last = next((e for e in reversed(events) if e["action"] == ENDED_BY.get(cr.state)), None)
    by = f"（{person(names, last['actor'])}，{when(last['at'])}）" if last else ""
    way_on = f"要继续修改，请点“{REDRAFT}”。" if redraftable else ""
    return f"本变更请求{cr.state_label}{by}，审核已结束：不能再批准、退回或驳回。{way_on}"


def second_click(where, label: str, key: str, cr_id: int, disabled: bool = False) -> bool:
    """A button of a decision that closes a request: the first click asks again (FINAL), the second decides."""
    asked = st.session_state.get("review_confirm") == (key, cr_id)
    if not where.button(f"确认{label}" if asked else label, key=key, disabled=disabled):
        return False
    if asked:
        st.session_state.pop("review_confirm", None)
        return True
    st.session_state["review_confirm"] = (key, cr_id)
    st.rerun()


with show_errors():
    kb = get_kb()
    review = kb.review
    review.sync()
    cr_id = pick_cr(review)
    cr = review.get(cr_id)
    main = kb.store.head()
    status = review.status(cr, main)
    views = describe_all(kb, cr, review.files(cr, main))
    names = people(kb)
    snap = kb.snapshot()
    st.subheader(f"#{cr.id} {cr.title}")
    unit = f"（{snap.unit_name(cr.author_unit)}）" if cr.author_unit else ""
    st.caption(f"{cr.state_label} · 作者：{person(names, cr.author)}{unit} · 发起于 {when(cr.created)}"
               f" · 最近更新 {when(cr.updated)}")
    if cr.description:
        # As written, line by line (异议单位…、建议承办单位…、异议理由… each on its own line), not read as Markdown.
        literal_lines(cr.description)
    # A request taken as the draft of a new one, and the new one: each leads to the other.
    origin = review.redraft_origin(cr)
    for other, said in [*([(origin.id, "底稿")] if origin is not None else []),
                        *((n, "以此为底稿新建的") for n in review.redrafts(cr.id))]:
        st.page_link("app_pages/review.py", label=f"{said}变更请求 #{other}", icon=":material/link:",
                     query_params={"cr": other})
    if revised := review.latest_revision(cr):
        # Read beside the name: a request sent back and changed otherwise keeps a name that may no longer fit.
        with st.container(border=True):
            st.caption("最近一次修改的说明")
            st.text(f"{revised['detail']}（{person(names, revised['actor'])}，{when(revised['at'])}）")  # as written
    if cr.problems:
        st.error("校验未通过，修正前不能批准：\n\n" + "\n".join(f"- {problem_text(p, views)}" for p in cr.problems))
    if status.conflicts and cr.is_open:
        titles = "、".join(f"“{v.title}”" for v in views if v.path in status.conflicts)
        st.warning(f"{titles}在本变更请求创建后已在主干上被修改（有冲突），发布前需要作者对照双方版本更新。")

    for note in tiers_moved(kb, cr, views):
        st.warning(note, icon=":material/schedule:")
    titles = {v.path: v.title for v in views}
    for path, note in sorted(kb.expiring_in(cr).items()):       # the day it ends stays as it is, unless changed
        st.warning(f"“{titles.get(path, path)}”：{note}", icon=":material/event_busy:")
    if stale := kb.stale_boundary(cr):
        st.warning(stale, icon=":material/rule:")
    if cr.is_open:
        show_others_on(kb, cr, views)
        for entry_id, why in kb.rechecks_written_before(cr).items():
            st.warning(written_before_note(snap.title_of(entry_id) or entry_id, why), icon=":material/gavel:")

    with st.spinner("正在按修改前后的分类处置规则重放来电……"):
        impact = kb.impact(cr)
    if impact is not None:
        render_impact(impact, kb.snapshot(cr.base), lambda reasons: kb.limits_now(reasons, cr.head))
    show_reference_notices(kb, cr)
    show_tasks(kb, cr)

    st.markdown(f"#### 修改的内容（{len(views)}）")
    for v in views:
        with st.container(border=True):
            # Once published, the old text is no longer the version in force.
            show_file(v, ("修改前（发布前的版本）", "修改后（已发布）") if cr.state == "published" else
                      ("修改前（起草时的版本）", "修改后（未发布）") if not cr.is_open else None)

    st.markdown("#### 审核方")
    if status.one_of and cr.is_open:
        st.caption(f":material/bolt: {WITHDRAWAL_NOTE}")
    # Parties no account can approve for (none active, or only the author): said here, not left 待审核 in silence.
    awaiting = review.awaiting(cr, status)
    rows = [{"审核方": s.label, "状态": s.said, "审核人": person(names, s.by) if s.by else "", "时间": when(s.at) if s.at else ""}
            | ({"提示": PARTY_GAP_LABELS.get(s.gap, "")} if awaiting.gaps else {})
            for s in review.party_states(cr, status, awaiting)]
    st.table(rows, hide_index=True)
    for advice in awaiting.advice:
        st.warning(advice, icon=":material/person_off:")

    is_author = review.is_author(cr, user)
    if not cr.is_open:
        # An ended request has no decision left to take: its state in one line, and for its author the way on.
        st.info(ended_line(cr, review.events(cr.id), names, is_author and review.may(cr, "redraft")),
                icon=":material/lock:")
        if is_author and review.may(cr, "redraft") and st.button(REDRAFT, key="review_redraft", type="primary",
                                                                 help=REDRAFT_HELP):
            with show_errors():
                redraft(kb, user, cr)

    st.markdown("#### 评论")
    for c in review.comments(cr.id):
        st.markdown(f"**{person(names, c['author'])}** · {when(c['at'])}")
        st.text(c["body"])
    if st.session_state.pop("review_comment_sent", False):
        st.session_state["review_comment"] = ""
    # A closed request takes comments only, for the record (why it was dropped, where it went on): nothing is
    # left to approve, return or withdraw, and a comment does not open it again.
    comment = st.text_area(CLOSED_COMMENT if not cr.is_open else
                           "评论（审核人和您都会看到；撤回时可写明原因）" if review.is_author(cr, user) else
                           "意见（批准时可不填；退回、驳回时必填）", key="review_comment")
    if not cr.is_open:
        st.caption(CLOSED_COMMENT_NOTE.format(state=cr.state_label,
                                              example=CLOSED_COMMENT_EXAMPLES.get(cr.state, CLOSED_COMMENT_EXAMPLE)))

    last = review.would_publish(user, cr, status)
    if last:
        st.info("您是最后一个审核方：批准后本变更将**立即发布**，马上按新内容查询"
                "（设了生效日期或有效期的，公众按日期看到或看不到它）。",
                icon=":material/publish:")
    # Approve, return and reject only for those who may: an author or someone of no party it needs is
    # told why instead of being refused after a click.
    refused = review.cannot_review(user, cr, status) if cr.is_open else ""
    if refused:
        st.caption(f":material/info: {refused}")
    # A request in conflict is approved by nobody until its author updates it (the update discards approvals).
    conflicted = review.approval_refused(cr, status) if review.may(cr, "approve") and not refused else ""
    if conflicted:
        st.caption(f":material/block: {conflicted}")
    approved = not refused and cr.state == "in_review" and review.approved_already(user, cr, status)
    if approved:
        st.caption(":material/check_circle: 您所在的审核方已批准当前版本，等待其他审核方。")
    # Emergencies the change would no longer show as such are approved only knowingly (Review.approve).
    lost = impact.calls.lost_count if impact is not None and impact.calls is not None else 0
    accept_lost = False
    if lost and review.may(cr, "approve") and not refused and not conflicted and not approved:
        st.error(f"本变更会使 {lost} 条以往的紧急来电不再提示为紧急（坐席不会先看到转接话术），来电见上方“条例变更的影响”。",
                 icon=":material/emergency:")
        accept_lost = st.checkbox(f"我已核对这 {lost} 条来电：它们不再提示为紧急是有意的", key=f"review_accept_lost_{cr.head}")
    cols = st.columns(6)
    # Each decision only where the request's state allows it (a request sent back waits for its author); on
    # one that has ended none is drawn (the line above says why; Review refuses them all the same).
    # The version this page shows, kept as the button is drawn: the click reruns the page, which reads the
    # request again, and an approval is of what the reviewer read, not of what was saved meanwhile.
    if cr.is_open and cols[0].button(
            "批准并发布" if last else "批准", key="review_approve", type="primary",
            disabled=not review.may(cr, "approve") or bool(refused or conflicted) or approved
            or bool(lost and not accept_lost),
            on_click=st.session_state.__setitem__, args=("review_approve_seen", cr.head)):
        seen = st.session_state.pop("review_approve_seen", None) or ""
        act("已批准", functools.partial(review.approve, seen=seen, accept_lost=accept_lost), user, cr.id, comment)
    if cr.is_open and cols[1].button("退回修改", key="review_request_changes",
                                     disabled=not review.may(cr, "request_changes") or bool(refused)):
        act("已退回作者修改", review.request_changes, user, cr.id, comment)
    if cr.is_open and second_click(cols[2], "驳回", "review_reject", cr.id,
                                   disabled=not review.may(cr, "reject") or bool(refused)):
        act("已驳回", review.reject, user, cr.id, comment)
    # Publishing by hand only for a request approved by all that was not published then (a conflict since).
    if review.may(cr, "publish") and cols[3].button("发布", key="review_publish"):
        act("已发布", review.publish, user, cr.id)
    if cols[0 if not cr.is_open else 4].button("发表评论", key="review_add_comment"):
        act("评论已发表", review.comment, user, cr.id, comment)
    if is_author and cr.state in ("draft", "changes_requested"):
        if cols[5].button("提交审核", key="review_submit"):
            act("已提交审核", review.submit, user, cr.id)
    elif (is_author or user.role == "admin") and cr.is_open:
        if second_click(cols[5], "撤回", "review_withdraw", cr.id):
            act("已撤回", review.withdraw, user, cr.id, comment)
    if (pending := st.session_state.get("review_confirm")) and pending[1] == cr.id:
        st.warning(FINAL[pending[0]], icon=":material/warning:")
    show_flash("review")
    if is_author and cr.is_open:
        if kb.editing.paths_of(cr.id):
            if st.button("在编辑器中修改", key="review_edit"):
                open_in_editor(kb, cr.id)
        else:
            st.caption(EDITOR_CANNOT.format(who="可在服务器上" if user.role == "admin" else "请由系统管理员"))

    with st.expander("审核记录"):
        st.table([{"时间": when(e["at"]), "操作人": person(names, e["actor"]),
                   "操作": EVENT_LABELS.get(e["action"], e["action"]), "说明": e["detail"] or ""}
                  for e in review.events(cr.id)], hide_index=True)
    with st.expander("技术信息"):
        st.markdown(f"- 分支：`{cr.branch}`\n- 当前提交：`{cr.head}`\n- 基于主干：`{cr.base}`\n"
                    f"- 作者账号：`{cr.author}`\n- 类型：{CR_KIND_LABELS.get(cr.kind, cr.kind)}（`{cr.kind}`）"
                    + (f"\n- 发布提交：`{cr.published_commit}`" if cr.published_commit else ""))
        st.table([{"文件": v.path, "变化": v.action} for v in views], hide_index=True)
        st.table([{"时间": when(e["at"]), "账号": e["actor"], "操作": EVENT_LABELS.get(e["action"], e["action"]),
                   "提交": e["commit"] or ""} for e in review.events(cr.id)], hide_index=True)
