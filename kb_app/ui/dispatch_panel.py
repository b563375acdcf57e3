"""派单助手 in the agent console: emergency first, then the answers that settle the request, then dispatch.

The order is the order of the agent's decision (seed 004: 提高诉求直接答复率):

1. an emergency transfer (紧急 or 疑似紧急) is all that is shown — the script to read, the line, why it
   was recognised — with 已转接 and, to go on, 不是紧急情况; no dispatch candidate beside it;
2. an intake rule of another kind (other legal channels, privacy …) with its script;
3. the published answers (public and internal) that settle the request, with 直接答复 suggested when
   one matches well, and the text to read or copy — unless the request reports a matter of the shortest
   time limit (燃气异味): its safety advice is read, and the matter is dispatched at once;
4. the catalogue candidates with units, tier and due moment (7×24 and clock-hour tiers marked).

Whatever the agent does with the request is recorded with one click (直接答复 with the answer used,
派单 with the entry, 转接 with the line) for the direct-answer rate of the statistics. A call the
agent transfers though nothing was flagged is recorded from a fold under the analysis, and a hint
dismissed keeps its line: both are listed for the center (紧急情况提示), which the intake rules learn from. 派单 — to a
suggested entry or one picked from the whole catalogue — is also kept as dispatch history
(kb_app.dispatch.history), which re-ranks the candidates of similar requests later. A call that tells two
matters is two requests: the question answered and the rest dispatched, or each matter reported dispatched in
an order of its own (来电反映的另一件事), each recorded once and learnt from in its own words.
"""

import streamlit as st

from kb_app import render
from kb_app.labels import (LEVEL_LABELS as LEVELS, OUTCOME_LABELS as OUTCOMES, STATUS_LABELS, audience_label,
                            status_mark)
from kb_app.ui.errors import show_errors
from kb_app.ui.links import adopt_caution, entry_link, pending_notice, public_answer_link
from kb_app.ui.state import call, call_outcome, call_settled, call_withdrawn
from kb_app.ui.style import nowrap_headings

NO_RULE = "不属分类处置规则所列情形"
OUTCOME_HINTS = {"transfer": "转接紧急专线", "direct_answer": "直接答复（用下方答复口径）", "dispatch": "派单（见下方派单目录）"}


# -- the request's end ---------------------------------------------------------------------------


def record(kb, user, result, outcome, entry="", line="", label="", matter=0, text="", note=""):
    """Record how the request ended, once per analysed request, with the emergency hint it had (a dismissed
    hint keeps its line: the center reads the rules' false alarms by line). A call answered from the search and
    dispatched here counts once, as dispatched (see kb_app.ui.state.call). ``matter`` (1, 2 …) is another matter
    the call tells, in its own words (``text``): recorded apart, as an order of its own. ``note`` is said after
    what was recorded. Returns the outcome's row id."""
    outcome_id = kb.feedback.log_outcome(text or result.text, outcome, entry=entry, line=line or result.hint_line,
                            suggested=result.suggested_outcome, urgency=result.hint, username=user.username,
                            role=user.role, call=call(result.text), matter=matter)
    call_settled(outcome)
    message = f"已记录：{OUTCOMES[outcome]}{('（' + label + '）') if label else ''}{note}。"
    if matter:
        st.session_state.setdefault("dispatch_matters", {})[matter] = message
        return outcome_id
    st.session_state["dispatch_recorded"] = message
    st.session_state["dispatch_recorded_outcome"] = outcome
    return outcome_id


def recorded(matter=0, kb=None, user=None) -> bool:
    """Say what was recorded for the call's first matter (or another, ``matter``); whether anything was. With
    ``kb`` and ``user``, a dispatch recorded for the request is offered to be taken back (撤销本次派单)."""
    withdrawn = (st.session_state.get("dispatch_withdrawn") or {}).get(matter)
    if withdrawn:
        st.info(withdrawn, icon=":material/undo:")
    message = (st.session_state.get("dispatch_matters") or {}).get(matter) if matter \
        else st.session_state.get("dispatch_recorded")
    if message:
        st.success(message, icon=":material/task_alt:")
        if kb is not None:
            withdraw_button(kb, user, matter)
    return bool(message)


def withdraw_button(kb, user, matter=0):
    """撤销本次派单 beside what was recorded: a dispatch confirmed by mistake in this call leaves the dispatch history
    and the statistics (Kb.withdraw_dispatch), and the matter can be dispatched again."""
    held = (st.session_state.get("dispatch_withdrawable") or {}).get(matter)
    if not held or not st.button("撤销本次派单", key=f"dispatch_withdraw_{matter}", icon=":material/undo:",
                                 help="派错了：删除这条派单记录和派单历史，重新选择派单事项"):
        return
    history_id, outcome_id, label = held
    with show_errors():
        left = kb.withdraw_dispatch(user, history_id, outcome_id)["outcome"]
        st.session_state["dispatch_withdrawable"].pop(matter)
        if matter:
            st.session_state["dispatch_matters"].pop(matter, None)
        else:
            for key in ("dispatch_recorded", "dispatch_recorded_outcome"):
                st.session_state.pop(key, None)
        call_withdrawn(left)
        st.session_state.setdefault("dispatch_withdrawn", {})[matter] = \
            f"已撤销派单（{label}）：派单记录和派单历史中的这一条已删除，" + \
            ("本次来电恢复为派单前的直接答复；如仍需派单，请重新选择派单事项。" if left else "请重新选择派单事项。")
        st.rerun()


def rest_matter(result) -> int:
    """The number of the matter dispatched from the catalogue candidates: 1 where the answers settle what the call
    asks and the candidates are for what it tells besides (``rest``), else 0, the call's first."""
    return 1 if result.rest and any(a.settles for a in result.answers) else 0


# -- 1. emergencies -------------------------------------------------------------------------------


def show_transfer(kb, user, result):
    rule, finding = result.rule, result.emergency
    suspected = result.urgency == "suspected"
    # The event recognised names the situation (电梯困人 is 坍塌和被困, not the rule's 火灾和爆炸险情): see assistant.intake.
    name = render.markdown_literal(rule.name)
    # Both say which they are, 紧急 or 疑似紧急, as the search's banner does.
    head = (f"**疑似紧急 · {name}** — 请先向来电人确认是否正在发生；属实则立即转接" if suspected
            else f"**紧急 · {name}** — {rule.action_label}")
    channel = rule.line_name(finding)
    line = render.markdown_literal(f"{rule.transfer_to}（{channel}）" if channel else rule.transfer_to)
    lines = [head, f"转接：**{line}**"]
    if rule.script:
        lines.append(f"话术：{render.markdown_literal(rule.script)}")
    if finding is not None:
        lines.append(f"判断依据：{render.markdown_literal(finding.explanation())}")
        if finding.also:
            lines.append(f"同时需要：{render.markdown_literal('、'.join(finding.also))}")
    st.error("\n\n".join(lines), icon=":material/emergency:")
    # Every line the call needs (同时需要 110 too) is recorded as the agent puts it through, in either order.
    needed = [rule.transfer_to, *(finding.also if finding is not None else [])]
    transferred = st.session_state.setdefault("dispatch_transferred", [])
    done = recorded()
    todo = [line for line in needed if line not in transferred]
    if done and (not transferred or not todo):
        return
    columns = st.columns(len(todo) + (0 if done else 1))
    for n, (col, line) in enumerate(zip(columns, todo)):
        key = "outcome_transfer" if line == rule.transfer_to else f"outcome_transfer_{line}"
        if col.button(f"{'也' if done else ''}已转接 {line}", key=key, type="primary" if n == 0 and not done else "secondary",
                      width="stretch"):
            record(kb, user, result, "transfer", line=line, label="、".join([*transferred, line]))
            transferred.append(line)
            st.rerun()
    if done:
        return
    label = "确认不是紧急情况，继续" if suspected else "判断有误，不是紧急情况"
    if columns[-1].button(label, key="dispatch_not_emergency", width="stretch"):
        st.session_state["dispatch_result"] = kb.dispatch(result.text, not_emergency=True)
        st.rerun()


def missed_emergency(kb, user, result):
    """A transfer the console did not suggest: the agent heard an emergency the hints missed. Recorded like
    any transfer, it is listed for the hotline center as a phrasing the intake rules should learn."""
    with st.expander("来电人说的是正在发生的紧急情况？", icon=":material/emergency:"):
        st.caption("系统没有提示紧急情况，但坐席判断需要转接时：先转接，再在这里记录。热线中心据此补充识别紧急情况的说法。")
        lines = kb.emergency_lines()
        for col, (line, channel) in zip(st.columns(max(1, len(lines))), lines):
            if col.button(f"已转接 {line}", key=f"outcome_missed_{line}", help=channel, width="stretch"):
                record(kb, user, result, "transfer", line=line, label=channel)
                st.rerun()


# -- 2. other rules ---------------------------------------------------------------------------------


def show_rule(rule):
    lines = [f"**{rule.name}** — {rule.action_label}"]
    if rule.channel:
        lines.append(f"渠道：{render.markdown_literal(rule.channel)}")
    if rule.script:
        lines.append(f"话术：{render.markdown_literal(rule.script)}")
    lines.append(f"触发词：“{render.markdown_literal(rule.trigger)}”")
    st.warning("\n\n".join(lines), icon=":material/rule:")


def show_finding_note(result):
    finding = result.emergency
    if finding is None:
        return
    if result.confirmed_not_emergency:
        st.caption(f"坐席已确认不是紧急情况。{finding.explanation()}")
    else:
        st.caption(f"未按紧急处理：{finding.explanation()}")


# -- 3. answers ---------------------------------------------------------------------------------------


def answer_caption(a) -> str:
    """The unit, and how well the answer's wording matches the request — or, for an answer not in force,
    that it cannot be read to the caller (last year's answer matched 100 % beside this year's); an expired one
    is still good for comparing, and is what the caller asks about when the request names its year."""
    if a.status != "in_force":
        if a.status != "expired":
            use = "不能用来答复"
        elif a.named:
            use = "来电人问的正是这一条：可以告知，并说明已不再执行"
        else:
            use = "只供对照，不能用来答复"
        return f"{a.unit_name or a.unit} · {STATUS_LABELS.get(a.status, a.status)}，{use}"
    return f"{a.unit_name or a.unit} · 与诉求吻合 {a.coverage:.0%}"


def show_answers(kb, user, result, done):
    st.subheader("可直接答复的口径", divider="gray")
    if not result.answers:
        st.caption("诉求没有说是什么事，还找不到答复口径。" if result.vague
                   else "没有能答复这一诉求的口径：按下方派单目录派单。")
        return
    reader = kb.reader(staff=True)
    for a in result.answers:
        with st.container(border=True):
            if a.settles and result.rest:
                st.success("可直接答复来电所问；来电说的另一件事请在下方派单。", icon=":material/record_voice_over:")
            elif a.settles and a is result.answers[0]:
                if result.urgent:
                    st.warning("先向来电人口述这条答复的安全提示，再立即派单。", icon=":material/record_voice_over:")
                else:
                    st.success("建议：直接答复，不必派单。", icon=":material/record_voice_over:")
            entry_link(a.entry_id, a.title)
            entry = reader.snap.entries.get(a.entry_id)
            pending = reader.pending(entry) if entry is not None else None
            marks = [f":gray-badge[{audience_label(a.audience)}]"]
            marks += [f":red-badge[{status_mark(a.status)}]"] if status_mark(a.status) else []
            marks += [f":red-badge[{m}]" for m in pending.marks()] if pending else []
            st.markdown(" ".join(marks))
            st.caption(answer_caption(a))
            if a.region_note:
                st.caption(f":orange-badge[{render.markdown_literal(a.region_note)}]")
            if entry is None:
                continue
            entry = reader.current(entry)           # the version in force, as the answer was judged on
            pending_notice(reader, entry, user)
            public_answer_link(kb, entry)
            if notes := render.agent_notes_markdown(entry):
                st.warning(notes, icon=":material/lock:")
            # A matter to handle at once: the answer's safety steps open, to be read out before the order is made.
            first = a is result.answers[0]
            with st.expander("答复文本", icon=":material/content_copy:", expanded=first and (a.settles or result.urgent)):
                st.code(render.answer_text(entry), language=None, wrap_lines=True)
            if not done and a.status == "in_force":
                adopt_caution(reader, entry)
            if result.urgent:
                # Answered is no outcome for it: the order must still be made (燃气泄漏, 2小时).
                if first and not done:
                    st.caption("需要立即处置的事项不能只答复：口述安全提示后，请在下方派单。")
                continue
            if not done and a.status == "in_force" and st.button(
                    "用此答复直接答复", key=f"outcome_answer_{a.entry_id}",
                    type="primary" if a.settles and not result.rest else "secondary"):
                record(kb, user, result, "direct_answer", entry=a.entry_id, label=a.title)
                st.rerun()


# -- 4. catalogue ---------------------------------------------------------------------------------------


#: Columns shown only when some candidate fills them.
OPTIONAL_COLUMNS = ("参考", "7×24", "协办单位")


def candidate_rows(result):
    """The candidates as table rows, short enough to read beside the sidebar at 1024 px: how the time is
    counted is in the tier's name (2小时, 3个工作日), the due moment leaves out this year, the level goes
    with the handling unit (a column of two characters wraps one a line), why a candidate ranks comes
    before the long lists of co-handlers, and a column no candidate fills is left out."""
    rows = []
    for c in result.candidates:
        rows.append({
            "事项": c.title,
            "主办单位": (c.handler_name or c.handler) + (f"（{LEVELS.get(c.level, c.level)}）" if c.level else ""),
            "时限": c.tier_name,
            "办结期限": (f"{c.due.at:%m-%d %H:%M}" if c.due.at.year == result.now.year else f"{c.due.at:%Y-%m-%d %H:%M}")
                        + ("（暂定）" if c.due.provisional else "") if c.due else "无法计算",
            "参考": c.note,
            "7×24": "是" if c.round_the_clock else "",
            "协办单位": "、".join(name for _u, name in c.co_handlers) or "—",
        })
    empty = {name for name in OPTIONAL_COLUMNS if all(row[name] in ("", "—") for row in rows)}
    return [{k: v for k, v in row.items() if k not in empty} for row in rows]


def show_candidates(kb, user, result):
    number = rest_matter(result)
    # The rest of a call answered is an order of its own: answering the question leaves it to dispatch.
    done = recorded(number, kb, user) if number else bool(st.session_state.get("dispatch_recorded"))
    if result.round_the_clock:
        st.info(f"涉及 7×24 小时服务领域（{'、'.join(result.round_the_clock)}）：随时受理，立即派单。",
                icon=":material/schedule:")
    if not result.candidates:
        st.warning("派单目录中没有匹配的事项：请补充诉求细节，或按职责边界人工判断承办单位。")
        return
    for message in dict.fromkeys(c.due_error for c in result.candidates if c.due_error):
        st.warning(message, icon=":material/calendar_month:")
    for note in dict.fromkeys(c.due.note for c in result.candidates if c.due and c.due.note):
        st.info(f"办结期限{note}。", icon=":material/calendar_month:")
    answered = result.suggested_outcome == "direct_answer"
    if result.passing_note:
        st.warning(result.passing_note + "。", icon=":material/help:")
    if result.more_note:
        st.warning(result.more_note + "。", icon=":material/call_split:")
    # A request naming no matter: the words of its kind (投诉) are all the candidates share with it.
    closest = result.unmatched or result.vague
    st.subheader("派单目录参考（请先按上方规则处置）" if result.rule
                 else "派单目录参考（不能直接答复时）" if answered
                 else "派单目录参考（问清是什么事后再选）" if result.vague else "建议派单", divider="gray")
    top = result.candidates[0]
    due = top.due.label(brief=True) if top.due else "无法计算（见下方提示）"  # a provisional one's note is above
    co = "、".join(name for _u, name in top.co_handlers)
    # 7×24 is about when it is taken and dispatched (at night, on holidays), not about the time limit.
    badges = ("　:red-badge[7×24 随时派单]" if top.round_the_clock else "") + \
        (f"　:orange-badge[{render.markdown_literal(top.tier_name)}]" if top.due and top.due.clock else "")
    st.markdown(("如需派单，首选" if answered else "字词最接近" if closest else "首选")
                + f"：**{render.markdown_literal(top.title)}** → 主办 **{render.markdown_literal(top.handler_name)}**"
                + (f"，协办 {render.markdown_literal(co)}" if co else "")
                + f"\n\n办结期限：**{render.markdown_literal(due)}**" + badges
                # A note that keeps the candidate from being chosen (a boundary, another place) stands out.
                + (f"\n\n:{'orange' if top.left_out or top.region_note else 'gray'}-badge[{render.markdown_literal(top.note)}]"
                   if top.note else ""),
                unsafe_allow_html=True)
    # A static table: five rows need no sorting, and its cells wrap where a data grid cuts the lists of
    # co-handlers off beside the sidebar.
    with st.container(key="dispatch_candidates"):
        nowrap_headings("dispatch_candidates")
        st.table([{k: render.markdown_literal(v) for k, v in row.items()} for row in candidate_rows(result)],
                 hide_index=True, border="horizontal")
    # The matter's own instructions (派单要点, internal notes) where the order is written, not only on its page.
    matter = kb.reader(staff=True).snap.entries.get(top.entry_id)
    if matter is not None and (notes := render.agent_notes_markdown(matter)):
        st.warning(notes, icon=":material/lock:")
    if matter is not None and matter.body.strip():
        with st.expander(f"“{top.title}”的职责边界和派单要点", icon=":material/rule:"):
            st.html(render.to_html(matter.body))
    entry_link(top.entry_id, f"查看“{top.title}”的职责边界")
    if not done:
        dispatch_form(kb, user, result, result.candidates, number, result.rest if number else "")
    show_more(kb, user, result, number)


def show_more(kb, user, result, after):
    """Each other matter the call reports (来电还反映了), with its own choice and 派单: an order of its own."""
    for n, (part, candidate) in enumerate(result.more, after + 1):
        with st.container(border=True):
            st.markdown(f"**来电反映的另一件事**：“{render.markdown_literal(part)}”")
            if not recorded(n, kb, user):
                dispatch_form(kb, user, result, [candidate], n, part)


OTHER_ENTRY = "__other__"
#: How many of a catalogue entry's keywords the list to pick from shows (and searches) beside its title.
PICKER_KEYWORDS = 5
HISTORY_NOTE = "，并记入派单历史（今后相似诉求的派单会参考它）"


def dispatch_form(kb, user, result, offered, matter=0, text=""):
    """派单 to a suggested entry or one picked by hand: the request's outcome and a dispatch-history record.
    ``matter`` (1, 2 …) is another matter of the call, told in ``text``: recorded and learnt from in its words."""
    options = {c.entry_id: f"{i}. {c.title}（{c.handler_name or c.handler}）" for i, c in enumerate(offered, 1)}
    # Keys of their own per analysed request and matter: a choice made for the last caller never carries over.
    request = f"{st.session_state.get('dispatch_request', 0)}{f'_{matter}' if matter else ''}"
    # Where a direct answer is suggested, nothing is chosen for the agent: a dispatch is a decision of its own.
    # Nor where the first entry's boundary leaves out what the caller names: the agent reads the note and chooses;
    # nor where it matches only in passing (see DispatchResult.unmatched), said above the candidates.
    answered = result.suggested_outcome == "direct_answer" and not matter
    # What the analysis says of its candidates (vague, in passing) is not said of another matter's own entry.
    main = matter <= rest_matter(result)
    vague, unmatched = main and result.vague, main and result.unmatched
    left_out, elsewhere = offered[0].left_out, offered[0].region_note
    if vague and not answered:
        st.caption("诉求没有说是什么事，以上事项只是字词相近：问清后重新分析，或选择派单事项。")
    elif unmatched and not answered:
        st.caption("首选事项与诉求只是字词相近：请选择派单事项，或选“其他事项”从派单目录中查找。")
    elif left_out and not answered:
        st.caption(f"首选事项的职责边界不包括“{left_out}”：请核对来电所说，再选择派单事项。")
    elif elsewhere and offered[0].elsewhere and not answered:
        # Nothing that applies where the caller is matches half as well (assistant.ELSEWHERE_SHARE).
        st.caption(f"首选事项{elsewhere}：请按来电人所在地选择派单事项，或选“其他事项”从派单目录中查找。")
    elif elsewhere and not answered:
        st.caption(f"首选事项{elsewhere}，再选择派单事项。")
    choice = st.radio("确认派单事项", [*options, OTHER_ENTRY], key=f"dispatch_choice_{request}",
                      index=None if answered or left_out or elsewhere or unmatched or vague else 0,
                      format_func=lambda k: options.get(k, "其他事项（从派单目录中选择）"))
    titles = {c.entry_id: c.title for c in offered}
    # A hand pick stays one (source manual) though the entry picked is among the candidates: what was proposed is
    # learnt from as a proposal taken only when the agent took it.
    by_hand = choice == OTHER_ENTRY
    if by_hand:
        snap = kb.snapshot()
        titles = snap.titles_to_choose(snap.directory())
        # The agent types the caller's words (健身器材) as often as a matter's name: the keywords are searched too.
        shown = {k: f"{t}　·　{'、'.join(snap.entries[k].keywords[:PICKER_KEYWORDS])}" if snap.entries[k].keywords else t
                 for k, t in titles.items()}
        choice = st.selectbox("派单目录事项", list(titles), format_func=shown.get, index=None,
                              placeholder="输入事项名称或关键词查找", key=f"dispatch_manual_{request}")
    # An entry of another place, picked from the candidates or the catalogue, is said to be one before it is sent.
    if choice and (place := kb.dispatch_scope(choice, text or result.text, result.commit)).note:
        # Another place's (…来电说的是东湖区和平街道) is to be checked; a place not said, to be asked (…：请先问清…).
        st.warning(f"所选事项{place.note}" + ("：请确认来电人所在地后再派单。" if place.elsewhere else "，再派单。"),
                   icon=":material/location_off:")
    if st.button("派单", key=f"outcome_dispatch{f'_{matter}' if matter else ''}", disabled=not choice,
                 type="secondary" if answered else "primary"):
        rank = None if by_hand else list(options).index(choice) + 1
        history_id = kb.dispatch_history.confirm(user, text or result.text, choice, rank)
        outcome_id = record(kb, user, result, "dispatch", entry=choice, label=titles[choice], matter=matter, text=text,
                            note=HISTORY_NOTE)
        st.session_state.setdefault("dispatch_withdrawable", {})[matter] = (history_id, outcome_id, titles[choice])
        (st.session_state.get("dispatch_withdrawn") or {}).pop(matter, None)
        st.rerun()


# -- the panel ------------------------------------------------------------------------------------------


def show_dispatch(kb, user, result):
    st.caption(f"受理时间：{result.now:%Y-%m-%d %H:%M}")
    if result.corrected_note:
        st.info(f"{result.corrected_note}。", icon=":material/spellcheck:")
    if result.candidates_withheld:
        show_transfer(kb, user, result)
        return
    if st.session_state.get("dispatch_recorded") and st.session_state.get("dispatch_recorded_outcome") == "transfer":
        # Transferred although nothing was suggested: the call has left the hotline; no dispatch advice stays.
        recorded()
        return
    show_finding_note(result)
    if result.rule:
        show_rule(result.rule)
    elif result.urgent and result.candidates:
        top = result.candidates[0]
        # The closing ** before 。, not after it: after punctuation and before 先 it would not close.
        st.error(f"**需要立即处置：{render.markdown_literal(top.title)}（{render.markdown_literal(top.tier_name)}）**。"
                 f"{render.markdown_literal(result.urgent_steps)}", icon=":material/notification_important:")
    elif result.vague and not result.suggested_outcome:
        st.warning(f"{result.vague_note}。", icon=":material/help:")
    elif result.rest:
        st.info(f"{result.rest_note}。（{NO_RULE}）", icon=":material/info:")
    elif result.suggested_outcome:
        # Information, not a success: no rule matched says only that the words of none were heard. An
        # ordinary request reads as advice first, not as a miss.
        st.info(f"建议：{OUTCOME_HINTS[result.suggested_outcome]}。（{NO_RULE}）", icon=":material/info:")
    else:
        st.info(f"{NO_RULE}：按下方答复口径答复，或按派单目录派单。", icon=":material/info:")
    done = recorded(0, kb, user)
    call(result.text)  # a request other than the one answered already is the next call
    if not done and call_outcome() == "direct_answer":
        st.caption("本次来电已在检索中记为直接答复；如仍需派单，派单后改按派单计，不重复计数。")
    if not done:
        missed_emergency(kb, user, result)
    show_answers(kb, user, result, done)
    show_candidates(kb, user, result)


def analyse(kb, text: str):
    """A new request analysed: what was recorded for the one before is forgotten."""
    for key in ("dispatch_recorded", "dispatch_recorded_outcome", "dispatch_transferred", "dispatch_matters",
                "dispatch_withdrawable", "dispatch_withdrawn"):
        st.session_state.pop(key, None)
    st.session_state["dispatch_request"] = st.session_state.get("dispatch_request", 0) + 1
    st.session_state["dispatch_result"] = kb.dispatch(text) if text.strip() else None


def hand_over(kb, query: str, at_once: bool):
    """The caller's words searched go on to 派单助手 (unless the agent wrote something else there since), so they
    are not typed twice; ``at_once`` (an emergency): analysed already, the script and the reasons waiting there.
    Call before 派单助手 is drawn."""
    typed = (st.session_state.get("dispatch_text") or "").strip()
    if typed and typed != st.session_state.get("dispatch_handed"):
        return
    st.session_state["dispatch_text"] = st.session_state["dispatch_handed"] = query
    result = st.session_state.get("dispatch_result")
    if at_once and (result is None or result.text != query):
        analyse(kb, query)


def dispatch_tab(kb, user):
    # In a form, Ctrl+Enter in the box runs the analysis as the button does: an agent typing need not Tab to it.
    with st.form("dispatch_box", border=False):
        text = st.text_area("来电人诉求", key="dispatch_text", height=120,
                            placeholder="粘贴或输入来电人的原话，例如：楼道里有很大的煤气味")
        go = st.form_submit_button("分析诉求", key="dispatch_go", type="primary")
    if go:
        analyse(kb, text or "")
        if not (text or "").strip():
            st.warning("请先输入来电人的诉求。")
            return
    result = st.session_state.get("dispatch_result")
    if result is not None:
        with show_errors():
            show_dispatch(kb, user, result)
