"""The editor: an entry's fields as a form in the user's words, the answer in Markdown with a preview,
problems next to the field they concern, and saving into a change request.

Everything behind the form — which entries one may edit, field values, the file written, its
checks and the save — is ``kb.editing`` (kb_app/editing.py); this page only lays out widgets.
"""

import datetime as dt
import hashlib

import streamlit as st

from kb_app.labels import (AUDIENCE_LABELS, CR_EVENT_LABELS as EVENT_LABELS, CR_STATE_LABELS,
                           ENTRY_KIND_LABELS as KIND_LABELS, LEVEL_LABELS, SELECT_PLACEHOLDER, audience_choice,
                           tier_scope)
from kb_app.ui.change_view import show_file
from kb_app.ui.diff import markdown_html, side_by_side
from kb_app.ui.errors import show_errors
from kb_app.ui.links import literal_warning
from kb_app.ui.resources import get_kb
from kb_app.ui.state import flash, require_user, show_flash
from kb_app.ui.style import list_box_height
from kb_app.ui.tables import when

DATES = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))

st.title("编辑条目")
user = require_user()


def remember_link():
    """Open what a link asked for (?entry=<id or path>, ?new=<kind>, ?task=<id>), once per link."""
    link = (st.query_params.get("entry"), st.query_params.get("new"), st.query_params.get("task"))
    if not any(link) or st.session_state.get("editor_linked") == link:
        return None
    st.session_state["editor_linked"] = link
    entry, new, task = link
    st.session_state["editor_target"] = "new"
    st.session_state["editor_mode"] = "new" if new in KIND_LABELS and not entry else "edit"
    if st.session_state["editor_mode"] == "new":
        st.session_state["editor_kind"] = new
    if task and task.isdigit():
        st.session_state["editor_task_link"] = int(task)
    return entry


def pick_target(ed):
    targets = ed.targets(user)
    options = ["new"] + [c.id for c in targets]
    wanted = st.session_state.pop("editor_cr", None)
    if wanted in options:
        st.session_state["editor_target"] = wanted
    if st.session_state.get("editor_target") not in options:
        st.session_state["editor_target"] = "new"
    # The labels are what the page remembers a choice by: nothing in them may change while one works
    # (a request's state does, when a reviewer acts), or the choice would be lost.
    names = {"new": "新建变更请求"} | {c.id: f"#{c.id} {c.title}" for c in targets}
    target = st.selectbox("保存到", options, format_func=names.get,
                          placeholder=SELECT_PLACEHOLDER, key="editor_target", on_change=open_request,
                          args=(ed,), help="几处修改可以放进同一个变更请求，一起审核、一起发布。")
    chosen = next((c for c in targets if c.id == target), None)
    if chosen is not None:
        conflict = "——主干上的同一条目已由他人修改并发布，请按下方说明更新后重新提交" if chosen.state == "conflicting" and chosen.conflicts else ""
        st.caption(f"该变更请求：{chosen.state_label}{conflict}")
        said = kb.review.reviewers_word(chosen) if chosen.state == "changes_requested" else None
        if said:
            # What the reviewer asked for, beside the form that mends it (as written: no Markdown).
            with st.container(border=True):
                st.caption(f":orange[:material/rate_review: 退回时的审核意见（{name_of(said['author'])}，"
                           f"{when(said['at'])}）]")
                st.text(said["body"])
    return target, chosen


def name_of(username: str) -> str:
    who = kb.users.get(username)
    return who.name if who else username


def show_redraft_origin(cr):
    """Above the form of a draft made from a request turned down or withdrawn (Review.redraft): which one, its
    state, and why reviewers sent it back or turned it down, as they wrote it: what the author now mends."""
    origin = kb.review.redraft_origin(cr) if cr is not None and cr.state == "draft" else None
    if origin is None:
        return
    with st.container(border=True):
        show_flash("editor_redraft")  # just made: said once, here rather than under the form
        st.markdown(f":orange[:material/history:] 本草稿以变更请求 **#{origin.id}**（{origin.state_label}）为底稿。")
        for e in kb.review.reasons(origin.id):
            st.caption(f":orange[:material/rate_review: {EVENT_LABELS.get(e['action'], e['action'])}理由"
                       f"（{name_of(e['actor'])}，{when(e['at'])}）]")
            st.text(e["detail"])    # as written: no Markdown
        st.page_link("app_pages/review.py", label=f"查看变更请求 #{origin.id}", icon=":material/rate_review:",
                     query_params={"cr": origin.id})


def pending(ed, path) -> str:
    """The author's open requests that already change this entry, named (#3（审核中）), or an empty string."""
    return "、".join(f"#{c.cr}（{CR_STATE_LABELS[c.state]}）" for c in ed.mine_on(user, path))


def pending_request(ed, path):
    """Point to the author's open requests that already change this entry: a new one beside them is seldom meant."""
    said = pending(ed, path)
    if said:
        st.caption(f":orange[:material/info: 本条目已在您的变更请求 {said}中修改：要接着改，在上方“保存到”中选择它；"
                   "否则会另起一个变更请求。]")


def others_editing(ed, path, target):
    """Say which other open requests (drafts too) change this entry, before the author starts: whichever is
    published first makes the others conflict. A warning only: a correction may be urgent."""
    said = ed.who_else(user, path, target)
    if said:
        literal_warning([said], ":material/group:")


def show_reconciled(found):
    """A request's entry that someone else published meanwhile: what the form starts from, and both versions."""
    who = found.published_by
    if found.clean:
        st.info(f"本条目在您起草后已由{who}修改并发布。表单已把两者自动合并：保留了已发布的修改，也保留了您的修改。"
                "请核对后点“保存并重新提交审核”。", icon=":material/merge:")
    else:
        st.warning(f"本条目在您起草后已由{who}修改并发布，且与您的修改改在了同一处，无法自动合并。表单现在是主干上的"
                   "现行版本：请在其上重新做出您的修改后再保存（保存您原来的版本会撤销已发布的内容）。"
                   "您原来的版本在下面，可以复制。", icon=":material/warning:")
    with st.expander("主干现行版本与您的版本对照", expanded=not found.clean):
        st.html(side_by_side(found.main, found.mine, "主干现行版本（已发布）", "您的变更请求中的版本"))
        if not found.clean:
            st.code(found.mine or "", language="markdown")


def second_request_confirmed(ed, path, button: str, message) -> bool:
    """A new request on an entry the author's open request already changes is made on a second click only: two
    requests changing one entry are reviewed twice, and the one published later must be mended."""
    said = pending(ed, path)
    if not said or st.session_state.get("editor_confirm_second") == path:
        return True
    st.session_state["editor_confirm_second"] = path
    message.warning(f"本条目已在您的变更请求 {said}中修改。要接着改它，请在上方“保存到”中选择它；确实要另起一个变更请求，"
                    f"再点一次“{button}”（两个请求改同一条目，后发布的需要按先发布的修改）。", icon=":material/content_copy:")
    return False


def open_request(ed):
    """A change request chosen to save into: open the entry it changes, unless it changes the open one."""
    paths = ed.paths_of(st.session_state.get("editor_target"))
    if paths and st.session_state.get("editor_entry") not in paths:
        st.session_state["editor_mode"], st.session_state["editor_entry"] = "edit", paths[0]


def pick_entry(ed, source, linked):
    refs = ed.entries(user, source)
    if not refs:
        st.info("没有您可以修改的条目。可以选择“新建条目”。")
        st.stop()
    paths = [r.path for r in refs]
    by_id = {r.entry_id: r.path for r in refs}
    linked = by_id.get(linked, linked)
    if linked in paths:
        st.session_state["editor_entry"] = linked
    labels = {r.path: r.label for r in refs}
    return st.selectbox("条目（可输入标题查找）", paths, format_func=lambda p: labels.get(p, p),
                        placeholder=SELECT_PLACEHOLDER, key="editor_entry")


def select(label, options, current, fmt, key, container=st, **kw):
    """A selectbox starting at ``current``; nothing chosen (with a Chinese placeholder) when absent."""
    options = list(options) + ([current] if current and current not in options else [])
    index = options.index(current) if current in options else None
    return container.selectbox(label, options, index=index, format_func=fmt, key=key,
                               placeholder=SELECT_PLACEHOLDER, **kw)


def basis_editor(choices, rows_key, k):
    """Legal basis as rows: regulation and article chosen from lists (the article's text shown), or a document."""
    rows = st.session_state[rows_key]
    out = []
    for n, row in enumerate(rows):
        uid = row["uid"]
        item = row["item"]
        regulation = isinstance(item, dict) and "regulation" in item
        document = isinstance(item, dict) and "document" in item and not regulation
        # One row: the kind, the regulation and its article (or the document's number, as wide as both), 移除.
        shown = st.session_state.get(k(f"bk{uid}"), "document" if document else "regulation")
        if shown == "document":
            (c1, c2, c4), c3 = st.columns([3, 7, 2], vertical_alignment="bottom"), None
        else:
            c1, c2, c3, c4 = st.columns([3, 4, 3, 2], vertical_alignment="bottom")  # readable at 1024 px
        if not regulation and not document:
            c2.caption(f"无法识别的依据（原样保留）：{item}")
            out.append(item)
        else:
            kind = c1.selectbox("类型", ["regulation", "document"], index=0 if regulation else 1,
                                format_func={"regulation": "条例条文", "document": "文件文号"}.get,
                                placeholder=SELECT_PLACEHOLDER, key=k(f"bk{uid}"),
                                label_visibility="visible" if n == 0 else "collapsed")
            if kind == "regulation":
                reg = select("条例", list(choices.regulations), str(item.get("regulation") or ""),
                             lambda r: choices.regulations.get(r, f"{r}（未收录）"), k(f"br{uid}"), c2,
                             label_visibility="visible" if n == 0 else "collapsed")
                numbers = list(choices.articles.get(reg, {}))
                art = select("条文", numbers, item.get("article") if reg == item.get("regulation") else None,
                             lambda a: choices.article_label(reg, a), k(f"ba{uid}_{reg}"), c3,
                             label_visibility="visible" if n == 0 else "collapsed")
                text = choices.article_text(reg, art)
                if text:
                    more = "……" if len(text) > 160 else ""
                    st.caption(f"{choices.article_label(reg, art)}：{text[:160]}{more}")
                if reg and art is None:
                    st.caption(":orange[请选择条文，否则这一条依据不会保存。]")
                if reg and art is not None:
                    out.append({**{key: v for key, v in item.items() if key != "document"}, "regulation": reg,
                                "article": art})
            else:
                doc = c2.text_input("文号", value=str(item.get("document") or ""), key=k(f"bd{uid}"),
                                    placeholder="如：示政办发〔2024〕12号",
                                    label_visibility="visible" if n == 0 else "collapsed")
                new = {key: v for key, v in item.items() if key not in ("regulation", "article")}
                new["document"] = doc.strip()
                out.append(new if doc.strip() else None)
        if c4.button("移除", key=k(f"bx{uid}")):
            st.session_state[rows_key] = [r for r in rows if r["uid"] != uid]
            st.rerun()
    a1, a2, _ = st.columns([1, 1, 2])
    if a1.button("添加条例条文", key=k("basis_add_regulation")):
        st.session_state[rows_key] = rows + [{"uid": _uid(rows), "item": {"regulation": "", "article": None}}]
        st.rerun()
    if a2.button("添加文件文号", key=k("basis_add_document")):
        st.session_state[rows_key] = rows + [{"uid": _uid(rows), "item": {"document": ""}}]
        st.rerun()
    return [b for b in out if b is not None]


def _uid(rows):
    return max((r["uid"] for r in rows), default=-1) + 1


#: What each date field's value means: set to a day still ahead, set to a day reached (see date_meaning), and not set.
DATE_MEANINGS = {"effective": ("将保存为：{} 起生效，此前公众看不到。", "将保存为：{} 起生效（这一天已到，发布即生效）。",
                               "未设生效日期：发布即生效。"),
                 "expires": ("将保存为：有效期至 {}（含这一天），次日起公众看不到。", "将保存为：有效期至 {}（已过，公众看不到）。",
                             "未设有效期：一直有效，直到停用。"),
                 "review_by": ("将保存为：{} 提醒单位复核。", "将保存为：{}（复核日期已到，单位会收到复核提醒）。",
                               "未设复核日期：不提醒复核。")}


#: A day still ahead for ``effective`` on an entry the public sees now: the version in force stays public
#: until the day before (see kb_app.content.versions).
EFFECTIVE_KEEPS_CURRENT = "将保存为：{} 起生效；此前公众看到的仍是现行版本（有效至 {}）。"


#: What retiring and deleting ask before they are submitted: the verb, the question and its icon.
CONFIRMATIONS = {
    "retire": ("停用", "确定停用“{title}”吗？停用同样要经过审核（只停用、别的不改的，审核规则可以定为任一方批准即可发布）；发布后公众查不到它（有效期设为到昨天为止），"
                       "坐席仍能查到并看到“已失效”。", ":material/block:"),
    "delete": ("删除", "确定删除“{title}”吗？删除同样要经过审核；发布后公众和坐席将查不到它"
                       "（历史版本仍可查看和恢复）。", ":material/delete:")}


def date_meaning(name: str, entered: dt.date | None, today: dt.date, kept_until=None) -> str | None:
    """The sentence under a date field saying what the date entered will mean, or None for another field.
    ``effective`` is reached on its day; ``expires`` is the last day in force, so only passed the day after.
    ``kept_until(day)``: the last day the version the public sees today stays in force if the entry takes
    effect on ``day`` (None when the public sees none)."""
    said = DATE_MEANINGS.get(name)
    if not said:
        return None
    ahead, reached, unset = said
    if entered is None:
        return unset
    passed = entered < today if name == "expires" else entered <= today
    last = kept_until(entered) if name == "effective" and not passed and kept_until is not None else None
    if last is not None:
        return EFFECTIVE_KEEPS_CURRENT.format(entered.isoformat(), last.isoformat())
    return (reached if passed else ahead).format(entered.isoformat())


def field_widget(field, draft, choices, ed, k, notes):
    """One field's widget; returns the value entered. A note area follows it for its problems."""
    value = draft.values.get(field.name)
    key, name = k(field.name), field.name
    help_text = field.hint or None
    if field.widget == "text":
        entered = st.text_input(field.label, value=value, key=key, help=help_text)
    elif field.widget == "lines":
        # Tall enough for every line it holds (up to a dozen): the one a reviewer asked about is not hidden below.
        entered = st.text_area(field.label + "（每行一个）", value=value, key=key, help=help_text,
                               height=list_box_height(value))
    elif field.widget == "words":
        entered = st.text_input(field.label, value=value, key=key, help=help_text, placeholder="用顿号分隔")
    elif field.widget == "unit":
        options = ed.unit_options(user, draft, choices) if name == "unit" else list(choices.units)
        label = "维护单位" if name == "unit" and draft.kind == "directory" else field.label
        fixed = name == "unit" and len(options) == 1
        entered = select(label, options, value, choices.unit_name, key, disabled=fixed, help=help_text) or ""
    elif field.widget == "units":
        options = list(choices.units) + [u for u in value if u not in choices.units]
        entered = st.multiselect(field.label, options, default=value, format_func=choices.unit_name, key=key,
                                 placeholder="可不选", select_all=False)
    elif field.widget == "level":
        entered = select(field.label, list(LEVEL_LABELS), value, lambda v: LEVEL_LABELS.get(v, v), key) or ""
    elif field.widget == "tier":
        start = value or (choices.default_tier if draft.is_new else "")
        # Which matters each tier is for (time_limits.yaml), so the tier is chosen by the matter, not by its hours.
        guide = "\n\n".join(f"**{choices.tier_name(t)}**：{choices.tier_note(t)}" for t in choices.tiers
                             if choices.tier_note(t))
        entered = select(field.label, list(choices.tiers), start, choices.tier_choice, key,
                         help="\n\n".join(filter(None, [help_text, guide])) or None) or ""
        if choices.tier_note(entered):
            st.caption(tier_scope(choices.tier_name(entered), choices.tier_note(entered)))
    elif field.widget == "audience":
        options = ["internal"] if draft.kind == "directory" else list(AUDIENCE_LABELS)
        entered = select(field.label, options, value, audience_choice, key) or ""
    elif field.widget == "date":
        if key not in st.session_state:  # the starting value, given once (清除日期 sets the state later)
            st.session_state[key] = value
        entered = st.date_input(field.label, min_value=DATES[0], max_value=DATES[1],
                                format="YYYY-MM-DD", key=key, help=help_text)
        # The date box itself cannot be emptied: no date is a choice too. The button is there, greyed, without a
        # date as well, so that the three date columns line up.
        st.button("清除日期", key=f"{key}_clear", icon=":material/close:", on_click=clear_date, args=(key,),
                  disabled=entered is None, help=f"不设{field.label}")
        # The date as it will be saved, in words: the box corrects a day that does not exist (2月30日) and drops
        # what it cannot read without a word, so the author sees what was taken.
        said = date_meaning(name, entered, kb.today(), lambda day: ed.kept_until(draft, day))
        if said:
            st.caption(said)
        if name == "expires" and (ending := kb.expiry_note(entered, draft.kind)):
            st.caption(f":orange[:material/event_busy: {ending}]")
        was = value if name == "expires" and isinstance(value, dt.date) else None
        public = draft.values.get("audience") == "public"
        if public and was is not None and was < kb.today() and (entered is None or entered >= kb.today()):
            # 重新 only of an entry the public has had: one never published is not seen again but for the first time.
            again = "重新" if ed.on_main(draft) else ""
            st.caption(f":orange[:material/public: 本条目有效期至 {was.isoformat()}，已过、公众看不到；"
                       f"{'清除' if entered is None else '推迟'}有效期后，发布时它将{again}对公众可见。]")
        if name in draft.unreadable:
            st.caption(f":orange[原值“{draft.unreadable[name]}”不是 YYYY-MM-DD 格式的日期：选择一个日期替换它；"
                       "不选则原样保留（校验会提示格式错误）。]")
    elif field.widget == "basis":
        st.markdown(f"**{field.label}**")
        rows_key = k("basis_rows")
        if rows_key not in st.session_state:
            st.session_state[rows_key] = [{"uid": n, "item": b} for n, b in enumerate(value)]
        entered = basis_editor(choices, rows_key, k)
        if draft.kind == "policy" and not entered:
            st.caption(":orange[:material/info: 提醒：没有列出政策依据。公众看到的答复会写“本答复未列出政策依据”；"
                       "请添加依据的条例条文或文件文号。]")
    elif field.widget == "facts":
        entered = st.text_area(field.label, value=value, key=key, help=help_text, height=90,
                               placeholder="咨询电话：12345")
    else:
        entered = st.text_area(field.label, value=value, key=key, help=help_text, height=90)
    notes[name] = st.container()
    return entered


def clear_date(key):
    st.session_state[key] = None


def show_notes(edit, notes, quiet=()):
    """Each problem under its field, except ``quiet`` ones (said otherwise); the problems of no field."""
    shown = set(quiet)
    for name, box in notes.items():
        for p in edit.problems_for(name):
            if p not in shown:
                box.caption(f":red[:material/error: {ed.in_words(p.message)}。{ed.in_words(p.fix)}。]")
            shown.add(p)
    return [p for p in edit.problems if p not in shown]


def resubmits(cr) -> bool:
    """Whether saving into the request puts it back in review: it was sent back or is in conflict."""
    return cr is not None and cr.state in ("changes_requested", "conflicting")


def saved_message(saved, verb, title, returned=False):
    """What saving did; ``returned``: the request had been sent back (or was in conflict) and is in review again."""
    cr = saved.cr
    # The request by its number, and by the name its author wrote when that is not the one made from the title.
    request = f"变更请求 #{cr.id}" + (f"“{cr.title}”" if cr.title not in (title, f"{verb}“{title}”") else "")
    if saved.submitted:
        done = "已重新提交审核" if returned else "已提交审核"
        waiting = f"，{saved.awaiting.words}" if saved.awaiting and saved.awaiting.words else ""
        text = f"{verb}“{title}”{done}：{request}{waiting}。"
    elif cr.state == "draft":
        text = f"{verb}“{title}”已保存为草稿：{request}。审核人还看不到它，改好后点“提交审核”。"
    else:
        text = f"{verb}“{title}”已保存到{request}（{cr.state_label}）。"
    if saved.tasks:
        text += f"\n\n发布后将关闭 {len(saved.tasks)} 个维护任务。"
    if cr.problems:
        text += f"\n\n注意：校验未通过（{len(cr.problems)} 个问题），修正前不能批准。"
    return text


def awaiting_advice(saved) -> list[str]:
    """What stands in the way of a request just submitted: parties no account can approve for, and what to do."""
    return saved.awaiting.advice if saved.submitted and saved.awaiting else []


def save(ed, target, changes, title, submit, tasks, verb, entry_title, keep=None):
    chosen, offered = tasks
    returned = resubmits(target_cr)  # the request saved into, as the page read it
    based_on = found.main_commit if found else None  # the form started from main's version
    saved = ed.save(user, target, changes, title, submit=submit, tasks=chosen, offered=offered, based_on=based_on)
    link = ("app_pages/review.py", "查看审核进度", {"cr": saved.cr.id})
    flash("editor", saved_message(saved, verb, entry_title, returned), link, awaiting_advice(saved))
    st.session_state["editor_cr"] = saved.cr.id
    st.session_state.pop("editor_confirm", None)
    st.session_state.pop("editor_confirm_second", None)
    if keep:  # go on editing the entry (widget state can only be set before the widgets exist)
        st.session_state["editor_next"] = {"editor_mode": "edit", "editor_entry": keep}
    st.rerun()


def submit_draft(ed, cr):
    """提交审核 on a saved draft with nothing new typed: the draft goes to review unless it has problems."""
    if cr.problems:
        st.error(f"还不能提交审核：变更请求 #{cr.id} 有 {len(cr.problems)} 个问题，改正后再提交。")
        return
    saved = ed.submit(user, cr.id)
    flash("editor", saved_message(saved, "", cr.title), ("app_pages/review.py", "查看审核进度", {"cr": cr.id}),
          awaiting_advice(saved))
    st.session_state["editor_cr"] = cr.id
    st.rerun()


def follow_default(key: str, default: str) -> str:
    """The key of a text box whose text follows ``default`` (新增“<title>” as the title is typed) until the
    user writes their own, which is kept."""
    shown = st.session_state.get(key)
    if shown is None or shown.strip() in ("", st.session_state.get(key + ":default", "")):
        st.session_state[key] = default
    st.session_state[key + ":default"] = default
    return key


def task_picker(ed, target_cr, entry_id, unit, k):
    """Tasks the author may mark as resolved by this change (none is marked unless the author does)."""
    tasks = ed.tasks_for(user, entry_id, unit)
    if not tasks:
        return [], []
    reports = ed.kb.feedback.reports(tasks)
    marked = set(target_cr.data.get("resolves") or []) if target_cr else set()
    marked.add(st.session_state.get("editor_task_link"))
    st.markdown("**本次修改处理的维护任务**")
    st.caption("勾选本次修改解决了的任务；发布后只关闭勾选的任务。")
    chosen = []
    for t in tasks:
        said = f"：“{reports[t.id]['text']}”" if t.id in reports else ""
        due = f"（期限 {t.due_label}）" if t.due else ""
        if st.checkbox(f"{t.heading}{due}{said}", value=t.id in marked, key=k(f"task{t.id}")):
            chosen.append(t.id)
    return chosen, [t.id for t in tasks]


with show_errors():
    kb = get_kb()
    ed = kb.editing
    st.session_state.update(st.session_state.pop("editor_next", {}))
    linked = remember_link()
    top1, top2 = st.columns([3, 2])
    with top1:
        target, target_cr = pick_target(ed)
    show_redraft_origin(target_cr)
    source = ed.source(target)
    mode = top2.radio("操作", ["edit", "new"], format_func={"edit": "修改现有条目", "new": "新建条目"}.get,
                      horizontal=True, key="editor_mode")
    found = None
    if mode == "edit":
        path = pick_entry(ed, source, linked)
        found = ed.reconciled(target, path)
        draft = ed.open_reconciled(found) if found else ed.open(path, source)
        others_editing(ed, path, target)
        if target == "new":
            pending_request(ed, path)
        if found:
            show_reconciled(found)
    else:
        kind = st.selectbox("类型", list(KIND_LABELS), format_func=KIND_LABELS.get,
                            placeholder=SELECT_PLACEHOLDER, key="editor_kind")
        draft = ed.new(kind, user)
    choices = ed.choices(source)
    sig = hashlib.sha1(f"{mode}|{draft.path}|{source}|{draft.kind}|{draft.text}".encode()).hexdigest()[:10]

    def k(name):
        """Widget keys are fresh for each file and version, so the form starts from what is saved."""
        return f"editor_{name}_{sig}"

    notes, entered = {}, {}
    st.markdown(f"##### {KIND_LABELS[draft.kind]}的内容")
    left, right = st.columns(2)
    with left:
        if draft.is_new:
            entry_id = st.text_input("编号（可不填：按标题生成）", key="editor_id", placeholder="如 sscard-reissue",
                                     help="小写字母、数字和连字符，2–80 个字符；是文件名和网址的一部分，建立后不能修改。"
                                          "不填时按标题的拼音生成")
        else:
            entry_id = draft.entry_id
            st.caption(f"编号：{entry_id}")
        notes["id"] = st.container()
    fields = {f.name: f for f in draft.fields}
    with left:
        for name in ("title", "questions", "examples", "category", "keywords"):
            if name in fields:
                entered[name] = field_widget(fields[name], draft, choices, ed, k, notes)
    with right:
        for name in ("unit", "audience", "regions", "handler", "co_handlers", "level", "time_limit"):
            if name in fields:
                entered[name] = field_widget(fields[name], draft, choices, ed, k, notes)
    # The three dates side by side across the page: within one column they are too narrow to read at 1024 px.
    for col, name in zip(st.columns(3), ("effective", "expires", "review_by")):
        with col:
            entered[name] = field_widget(fields[name], draft, choices, ed, k, notes)
    for name in ("basis", "facts", "agent_notes"):
        if name in fields:
            entered[name] = field_widget(fields[name], draft, choices, ed, k, notes)

    st.markdown("##### 正文")
    e_col, p_col = st.columns(2)
    # A catalogue entry's body says what the matter covers and where it goes; an answer's is read to callers.
    said = "写明职责边界：包括什么、不包括什么（派哪里）" if draft.kind == "directory" else "写成可以直接念给来电人的答复"
    body = e_col.text_area(f"正文（Markdown，{said}）", value=draft.body, height=360, key=k("body"))
    notes["正文"] = e_col.container()
    e_col.button("预览", key="editor_preview", help="更新右侧的预览（在正文框外点击一下也会更新）")
    with p_col:
        public = draft.kind == "policy" and entered.get("audience") == "public"
        st.caption("预览（公众和坐席看到的样子）" if public else "预览（坐席看到的样子）")
        with st.container(border=True):
            st.html(markdown_html(body) or "<p>（正文为空）</p>")

    edit = ed.compose(draft, entered, body, entry_id=entry_id, commit=source)
    quiet = []
    if draft.is_new and not entry_id.strip():
        if edit.entry_id:
            notes["id"].caption(f"编号将是 **{edit.entry_id}**（按标题生成；要用别的编号，在上面填写）")
        else:  # nothing typed yet: no error before the author has begun (saving still says what is missing)
            notes["id"].caption("填写标题后，编号按标题生成。")
            quiet = edit.problems_for("id")
    others = show_notes(edit, notes, quiet)
    for p in others:
        st.caption(f":red[:material/error: {ed.in_words(p.message)}。{ed.in_words(p.fix)}。]")
    if not edit.problems:
        st.caption(":green[:material/check_circle: 校验通过]")
    for n in ed.reminders(edit, source):
        st.caption(f":orange[:material/info: 提醒：{n.message}。建议：{n.fix}。]")
    published = ed.on_main(draft)   # a new entry's saved draft has no version in force: nothing to compare
    if published and st.toggle("与现行版本对比", key=k("compare"),
                                      help="对照公众现在看到的已发布版本，看看提交后审核人将看到哪些修改"):
        compared = ed.compared(edit)
        if compared is None:
            st.caption("主干上没有这个条目的现行版本（可能已被删除或改了位置）。")
        elif not compared.fields and not compared.body_changed:
            st.caption("与现行版本相同，没有修改。")
        else:
            with st.container(border=True):
                show_file(compared, ("现行版本（已发布）", "您的修改（发布后的样子）"))

    st.divider()
    unit = str((draft.meta.get("unit") if not draft.is_new else entered.get("unit")) or "")
    tasks = task_picker(ed, target_cr, edit.entry_id, unit, k)
    on_main = kb.snapshot().entries.get(edit.entry_id)
    title = edit.title if edit.title != edit.entry_id or on_main is None else on_main.title  # an emptied title
    if not draft.is_new and on_main is not None:
        default_title = f"修改“{title}”"
    else:  # before a title is typed (the id stands in for it), what is added (新增答复口径), not 新增“”
        typed = title.strip() if title != edit.entry_id else ""
        default_title = f"新增“{typed}”" if typed else f"新增{KIND_LABELS.get(draft.kind, '条目')}"
    new_cr = target == "new"
    said = "变更说明（一句话说明改了什么；即变更请求的名称）" if new_cr else \
        f"本次修改的说明（审核人在变更请求 #{target} 的名称旁看到它；请求的名称不变）"
    cr_title = st.text_input(said, key=follow_default(k("cr_title"), default_title)).strip() or default_title
    draft_cr = target_cr is not None and target_cr.state == "draft"
    message = st.container()  # confirmations and questions appear right above the buttons just pressed
    b = st.columns(4)
    if new_cr or draft_cr:
        submit = b[0].button("提交审核", key="editor_submit", type="primary")
        keep = b[1].button("保存草稿" if new_cr else "保存", key="editor_save")
    else:
        # Saving into a request sent back or in conflict puts it back in review: the button says so.
        keep = b[0].button("保存并重新提交审核" if resubmits(target_cr) else "保存修改", key="editor_save",
                           type="primary", help="保存到这个变更请求并重新提交审核" if resubmits(target_cr)
                           else "保存到这个变更请求；此前的批准会失效，需要重新审核")
        submit = False
    expired = ed.expired_on(draft)
    # Retiring and deleting are for what main holds: a new entry's draft is withdrawn with its request instead.
    retire = published and b[2].button(
        "停用", key="editor_retire", disabled=expired is not None,
        help=f"已于 {expired.isoformat()} 到期失效，公众已查不到，不必停用" if expired else "把有效期设为到昨天为止：发布后公众查不到它")
    delete = published and b[3].button("删除条目", key="editor_delete")
    if submit or keep:
        if edit.path is None:
            message.error("还不能保存：" + "；".join(f"{ed.in_words(p.message)}，{ed.in_words(p.fix)}" for p in edit.problems_for("id")
                                               + edit.problems_for("unit")) + "。")
        elif edit.unchanged and not draft.is_new and not tasks[0] and submit and draft_cr:
            submit_draft(ed, target_cr)  # the saved draft, as it stands
        elif found and not found.clean and edit.text == found.main and not tasks[0]:
            message.warning("表单中还是主干上的现行版本，没有您的修改：请在其上重新做出您的修改"
                            "（您原来的版本见上方对照）后再保存。")
        elif edit.unchanged and not draft.is_new and not tasks[0]:
            message.warning("没有任何改动：表单与主干上的现行版本相同，修改字段或正文后再保存。" if new_cr else
                            f"没有任何改动：表单与变更请求 #{target} 中保存的版本相同，修改字段或正文后再保存。")
        elif edit.problems and (submit or not (new_cr or draft_cr)):
            # Reviewers get only changes that pass the checks; a draft may be saved half done.
            later = f"，或先点“{'保存草稿' if new_cr else '保存'}”留待以后改" if submit else ""
            message.error(f"还不能{'提交审核' if submit else '保存到审核中的变更请求'}：有 {len(edit.problems)} 个问题"
                          f"（见各字段下的红字）。改正后再{'提交' if submit else '保存'}{later}。")
        elif new_cr and not draft.is_new and not second_request_confirmed(ed, draft.path,
                                                                          "提交审核" if submit else "保存草稿", message):
            pass  # asked first: the author's open request already changes this entry
        else:
            # A returned change that adds an entry is still an addition when it is edited again.
            verb = "新增" if draft.is_new or on_main is None else "修改"
            save(ed, target, {edit.path: edit.text}, cr_title, submit, tasks, verb, edit.title, keep=edit.path)
    # Retiring and deleting take an answer off the public site: each asks once more before it is submitted.
    for asked, action in ((retire, "retire"), (delete, "delete")):
        if asked:
            st.session_state["editor_confirm"] = (action, draft.path)
    action, path = st.session_state.get("editor_confirm") or ("", None)
    if path == draft.path and not draft.is_new:
        verb, question, icon = CONFIRMATIONS[action]
        with message:
            st.warning(question.format(title=draft.title), icon=icon)
            c1, c2, _ = st.columns([1, 1, 4])
            if c1.button(f"确认{verb}", key=f"editor_{action}_confirm", type="primary"):
                files = {draft.path: ed.retired(draft) if action == "retire" else None}
                # What the author wrote as the change's description, else what the change does.
                said = cr_title if cr_title != default_title else f"{verb}“{draft.title}”"
                save(ed, target, files, said, True, tasks, verb, draft.title,
                     keep=draft.path if action == "retire" else None)
            if c2.button("取消", key=f"editor_{action}_cancel"):
                st.session_state.pop("editor_confirm", None)
                st.rerun()
    with message:
        show_flash("editor")
