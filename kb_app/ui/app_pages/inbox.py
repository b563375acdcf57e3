"""Maintenance tasks (维护任务): a unit's inbox with what citizens and agents reported; the hotline
center sees every unit and assigns queries that found nothing."""

import streamlit as st

from kb_app.usage import suggest
from kb_app.labels import REPORTER_LABELS as REPORTERS, ROLE_LABELS, SELECT_PLACEHOLDER
from kb_app.usage.tasks import BASIS_CHANGED, CALENDAR, CENTER_ROLES
from kb_app.ui.errors import show_errors
from kb_app.ui.links import entry_link, public_answer_link, review_link
from kb_app.ui.resources import get_kb
from kb_app.ui.state import flash, show_flash
from kb_app.ui.tables import show_table, when


st.title("维护任务")
show_flash("inbox")
user = st.session_state.get("user")


def show_task(kb, snap, t, report, pending):
    """One task: what it is about, what was reported, and the ways to settle it."""
    entry = snap.entries.get(t.entry) if t.entry else None
    st.caption(f"单位：{snap.unit_name(t.unit)}　创建：{when(t.created)}　期限：{t.due_label}")
    if report:
        who = REPORTERS.get(report.get("audience"), "来电人")
        st.markdown(f"**{who}的纠错**（{when(report['at'])}）")
        if report.get("alarm"):
            line = f"拨打 {report['alarm_line']}" if report.get("alarm_line") else "拨打紧急专线"
            st.warning(f"这条纠错读来像紧急情况（{report['alarm']}）：网页已请报告人立即{line}。报告人没有留下联系方式，"
                       "无法回访；答复确有错误的照常修改，没有错误的驳回并写明理由。", icon=":material/emergency:")
        st.info(report["text"], icon=":material/feedback:")
    elif t.kind == suggest.KIND:
        if show_suggestion(kb, t, pending) and t.state == "open":
            return  # its change request is under review: it settles the task, nothing else to do here
    elif t.detail:
        st.text(t.detail)
    if t.state != "open":
        st.caption(f"处理：{when(t.closed)} {t.closed_by} {t.close_reason}")
        return
    editor = "app_pages/editor.py"
    if entry is not None:
        c1, c2 = st.columns(2)
        c1.page_link(editor, label=f"修改“{entry.title}”", icon=":material/edit:",
                     query_params={"entry": entry.id, "task": t.id})
        entry_link(entry.id, "查看条目", container=c2)
        public_answer_link(kb, entry, container=c2)
    elif t.kind != suggest.KIND and snap.find_article(t.entry) is not None:
        entry_link(t.entry, snap.title_of(t.entry))    # a suggestion shows its article by itself
    elif t.kind == CALENDAR:  # regulations/calendar.yaml, which the app's editor does not edit
        st.caption("补上该年的数据并发布后（见上文），任务自动完成。")
    elif not t.entry:
        st.page_link(editor, label="新建答复口径", icon=":material/add:", query_params={"new": "policy", "task": t.id})
    if entry is not None or not t.entry and t.kind != CALENDAR:
        st.caption("在编辑器中勾选此任务：修改发布后，任务自动完成。")
    if t.kind == BASIS_CHANGED and entry is not None:
        # The mark clears only on a reviewed check: no dismissing it away.
        note = st.text_input("核对说明（内容无需修改时填写，随变更请求提交）", key=f"inbox_note_{t.id}",
                             placeholder="例如：已核对新第十七条，职责边界不变")
        if st.button("确认无需修改（提交审核）", key=f"inbox_confirm_{t.id}"):
            with show_errors():
                cr = kb.confirm_unchanged(user, t.id, note)
                flash("inbox", f"已发起变更请求 #{cr.id}（{cr.state_label}）：审核通过发布后，“依据已变更，待核”标记清除，任务完成。",
                      None, kb.review.awaiting(cr).advice)   # a party no account can approve for, and what to do
                st.rerun()
        return
    reason = st.text_input("驳回理由（内容无误、无需修改时填写）", key=f"inbox_reason_{t.id}")
    if st.button("驳回任务", key=f"inbox_dismiss_{t.id}"):
        with show_errors():
            kb.feedback.dismiss(t.id, reason, user)
            flash("inbox", f"维护任务 #{t.id} 已驳回。")
            st.rerun()


def assign_missing_answers(kb, snap):
    """Queries that found nothing, found nothing about what they named, or were seldom opened, grouped,
    for the center to assign to a unit."""
    st.divider()
    st.subheader("缺失的答复")
    st.caption("近 30 天没有结果、结果与问的事无关（知识库里没有提到）、或很少有人打开结果的查询，按内容相近归组，"
               "说到同一件知识库里没有提到的事的归为一组（问同一件事、找到的结果只和部分词语有关的其他问法也计入）；"
               "没有答复的排在前面。分派给单位补充或完善答复口径。已分派的组不再列出，"
               "打开下面的开关可以一并列出。")
    show_flash("inbox_missing")
    with_assigned = st.toggle("一并列出已分派的组", key="inbox_missing_assigned")
    report = kb.missing_report(limit=50, assigned=with_assigned)
    if left_out := report.left_out_text():
        st.caption(left_out)
    groups = report.groups
    if not groups:
        st.caption("近 30 天没有待分派的缺失答复。")
        return
    # What lacks an answer first; the groups whose queries found related results and were only seldom opened
    # apart, after a word that an answer may be there already.
    lacking = [g for g in groups if g["lacking"]]
    if lacking:
        show_missing_table(lacking, with_assigned)
    if low_click := [g for g in groups if not g["lacking"]]:
        st.caption(suggest.LOW_CLICK_NOTE)
        show_missing_table(low_click, with_assigned)
    # Chosen by the group's representative query: the page remembers a choice by its label, and a
    # count or a place in the list changes as searches come in and groups are assigned. A group given to a
    # unit already is listed, not offered again.
    by_query = {g["query"]: g for g in groups if not g["assigned"]}
    # Nothing is chosen until somebody chooses: one click must not assign the first group to the first unit.
    chosen = st.selectbox("查询组（按代表查询）", list(by_query), index=None, placeholder=SELECT_PLACEHOLDER,
                          key="inbox_missing_group")
    assign, ignore = st.columns(2)
    target = assign.selectbox("分派给", list(snap.units), index=None, format_func=snap.unit_name,
                              placeholder=SELECT_PLACEHOLDER, key="inbox_zero_unit")
    if assign.button("分派", key="inbox_assign", disabled=chosen is None or target is None):
        with show_errors():
            group = by_query[chosen]
            pk = suggest.assign_missing(kb, group, target, user)
            # Said here, where the group was, as well as at the top of the page.
            message = (f"已分派给{snap.unit_name(target)}（维护任务 #{pk}）：“{chosen}”这组 {group['searches']} 次查询、"
                       f"{group['phrasings']} 种问法。")
            flash("inbox", message)
            flash("inbox_missing", message)
            st.rerun()  # the task joins the list above, and the group leaves this one
    if st.session_state.pop("inbox_ignored", False):
        st.session_state["inbox_ignore_reason"] = ""     # a reason is for the group it was written for
    reason = ignore.text_input("忽略理由（无意义的输入、不属于热线的事等）", key="inbox_ignore_reason")
    if ignore.button("忽略这组查询", key="inbox_ignore", disabled=chosen is None):
        with show_errors():
            suggest.ignore_missing(kb, by_query[chosen], reason, user)
            flash("inbox", f"已忽略“{chosen}”这组查询：同样的问法不再列入缺失的答复。")
            st.session_state["inbox_ignored"] = True
            st.rerun()
    if chosen is None:
        st.caption("请先选择查询组，再选择承办单位分派，或填写理由后忽略。")


def show_missing_table(groups, with_assigned: bool):
    """Groups of missing answers as a table narrow enough for a laptop's screen: the examples (the group's
    representative query first) wrap beside the counts, the most useful column not pushed out of sight."""
    show_table([{"内容": g["label"], "示例（首个为代表查询）": "；".join(g["examples"]), "次数": g["searches"],
                 "问法": g["phrasings"], "无结果": g["zero"], "结果无关": g["weak"],
                 "打开结果": f"{g['success_rate']:.0%}", "最近一次": g["last"][5:],
                 **({"状态": "已分派" if g["assigned"] else ""} if with_assigned else {})} for g in groups])


def show_suggestion(kb, t, pending) -> bool:
    """A suggested phrasing: the evidence, and the change request that adds it, ready to submit
    (``pending``: the change requests already made from suggestions, by task id). Whether one is open."""
    data = suggest.task_suggestion(t)
    snap = kb.snapshot()
    article = snap.find_article(t.entry)
    where, what = ("条文的常见问法", "本条文") if article else (f"条目的“{data['field_label']}”", "本条目")
    st.markdown(f"建议把问法 **“{data['phrasing']}”** 加入{where}：{data['evidence']} 次检索用这个问法"
                f"找到并确认了{what}（公众评价有帮助 {data['helpful']} 次，坐席采用 {data['adopted']} 次"
                + (f"；{sources}" if (sources := suggest.sources_text(data)) else "") + "）。")
    if article is not None:
        entry_link(article.id, snap.title_of(article.id))
    if t.state != "open":
        return False
    who = "热线中心和法制审核人员" if article else "单位审核人和热线中心"
    cr = pending.get(t.id)
    if cr is None:
        # Once adopted, the box and the button go: only what was done stays (it cannot be adopted twice).
        form = st.empty()
        with form.container():
            if getattr(user, "role", None) in ("center_reviewer", "legal_reviewer"):
                # The author of a change may not review it: a reviewer who adopts leaves the review to a colleague.
                st.caption(f"采纳后您是这一变更请求的作者，不能再审核它：{ROLE_LABELS[user.role]}需由另一位同事完成；"
                           f"也可以请{snap.unit_name(t.unit)}的编辑采纳。")
            phrasing = st.text_input("问法（可修改后提交）", value=data["phrasing"], key=f"inbox_phrasing_{t.id}")
            clicked = st.button("采纳：发起变更请求", key=f"inbox_accept_{t.id}", type="primary")
        if not clicked:
            return False
        with show_errors():
            cr = suggest.accept(kb, user, t.id, phrasing)
            form.empty()
            st.success(f"已发起变更请求 #{cr.id}，经{who}校核后发布；发布后本任务自动完成。")
            for advice in kb.review.awaiting(cr).advice:
                st.warning(advice, icon=":material/person_off:")
        if cr is None:
            return False
    else:
        st.caption(f"已发起变更请求 #{cr.id}（{cr.state_label}），经{who}校核后发布；发布后本任务自动完成。")
    review_link(cr)
    return True


with show_errors():
    kb = get_kb()
    snap = kb.snapshot()
    center = getattr(user, "role", None) in CENTER_ROLES
    if center:
        units = {"": "全部单位", **{u: snap.unit_name(u) for u in snap.units}}
        unit = st.selectbox("单位", list(units), format_func=units.get,
                            placeholder=SELECT_PLACEHOLDER, key="inbox_unit")
    else:
        unit = getattr(user, "unit", "") or ""
        st.caption(f"单位：{snap.unit_name(unit)}")
    show_all = st.checkbox("包括已完成和已驳回的任务", value=False, key="inbox_all")
    # What dates, votes and searches called for since the tasks were last looked at (at most every few minutes).
    kb.feedback.refresh()
    if center and st.button("立即按到期、复核、评价、检索和事实一致性生成任务", key="inbox_generate"):
        new = kb.feedback.generate_tasks()
        st.success(f"新生成 {len(new)} 个维护任务。")
    if not center and not unit:
        st.info("您的账号没有所属单位，没有维护任务。")
        tasks = []
    else:
        tasks = kb.feedback.list_tasks(unit or None, state=None if show_all else "open")
    reports = kb.feedback.reports(tasks)
    pending = suggest.pending_changes(kb) if any(t.kind == suggest.KIND for t in tasks) else {}
    c1, c2, c3 = st.columns(3)
    c1.metric("任务数", len(tasks))
    c2.metric("已超期", sum(t.overdue for t in tasks))
    c3.metric("来自纠错", len(reports))
    if not tasks:
        st.success("没有待处理的维护任务。")
    for t in tasks:
        mark = "已超期" if t.overdue else t.state_label
        with st.expander(f"#{t.id} {t.heading} · 期限 {t.due_label} · {mark}",
                         expanded=t.overdue or t.id in reports, icon=":material/error:" if t.overdue else None):
            show_task(kb, snap, t, reports.get(t.id), pending)

    if center:
        assign_missing_answers(kb, snap)
