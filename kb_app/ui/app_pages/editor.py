"""The editor: front matter as form widgets, Markdown with live preview, validation next to each field.

Saving writes a commit on a change request (a new one, or one of mine, so several files can travel in
one CR); retiring sets ``expires`` to today; deleting removes the file. All pass review like any edit.
"""

import hashlib
import re

import streamlit as st
import yaml

from kb_app import frontmatter
from kb_app.model import AUDIENCES, Snapshot, as_date
from kb_app.review import entry_units
from kb_app.ui.diff import markdown_html
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb
from kb_app.ui.state import flash, require_user, show_flash
from kb_app.validate import LEVELS, validate

st.title("编辑条目")
user = require_user()
show_flash("editor")

KINDS = {"policy": "答复口径", "directory": "派单目录"}
AUDIENCE_LABELS = {"public": "公开（公众可查）", "internal": "内部（仅坐席）"}
LEVEL_LABELS = {"city": "市级", "district": "区级", "street": "街乡级"}
SPLIT = re.compile(r"[,，、;；\n]+")


def words(text):
    return [w.strip() for w in SPLIT.split(text or "") if w.strip()]


@st.cache_resource(max_entries=4)
def entry_paths(_kb, commit):
    """Entry paths at a commit (read once per commit)."""
    return sorted(p for p in _kb.store.ls_tree(commit, ("entries/",)) if p.endswith(".md"))


def editable(path, text):
    if user.role not in ("unit_editor", "unit_reviewer"):
        return True
    return user.unit in entry_units(path, text)


def problems_for(kb, path, text):
    """Problems of one file, checked against main's configuration and regulations."""
    files = kb.store.files_at(kb.store.head(), ("regulations/",))
    files[path] = text
    return [p for p in validate(Snapshot(files)) if p.path == path]


def field_note(problems, *fields):
    for p in problems:
        if p.field in fields:
            st.caption(f":red[⚠ {p.message}。{p.fix}。]")


def save(kb, target, title, changes, submit, label):
    review = kb.review
    if target == "new":
        cr = review.create(user, title, changes, submit=submit)
    else:
        cr = review.update(user, target, changes, title)
    flash("editor", f"{label}已保存到变更请求 #{cr.id}（{cr.state_label}）。" + (
        f"注意：校验未通过（{len(cr.problems)} 个问题），修正前不能批准。" if cr.problems else ""))
    st.session_state["editor_cr"] = cr.id
    st.rerun()


with show_errors():
    kb = get_kb()
    review = kb.review
    units = review.unit_names()
    main = kb.store.head()
    mine = [c for c in review.list(author=user.username) if c.is_open]
    targets = ["new"] + [c.id for c in mine]
    wanted = st.session_state.pop("editor_cr", None)
    if wanted in targets:
        st.session_state["editor_target"] = wanted
    names = {c.id: f"#{c.id} {c.title}（{c.state_label}）" for c in mine} | {"new": "新建变更请求"}
    target = st.selectbox("保存到", targets, format_func=names.get, key="editor_target")
    source = main if target == "new" else review.get(target).head
    mode = st.radio("操作", ["edit", "new"], format_func={"edit": "修改现有条目", "new": "新建条目"}.get,
                    horizontal=True, key="editor_mode")

    if mode == "edit":
        snap = kb.snapshot(source)
        paths = [p for p in entry_paths(kb, source)]
        if user.role in ("unit_editor", "unit_reviewer"):
            paths = [p for p in paths if editable(p, snap.files.get(p))]
        if not paths:
            st.info("没有您可以修改的条目。")
            st.stop()
        # ?entry= carries an entry id (links from the task inbox) or a path.
        linked = st.query_params.get("entry")
        linked = snap.entries[linked].path if linked in snap.entries else linked
        if linked in paths and st.session_state.get("editor_linked") != linked:
            st.session_state["editor_entry"] = st.session_state["editor_linked"] = linked
        titles = {e.path: f"{e.title}（{e.id}）" for e in snap.entry_list}
        path = st.selectbox("条目", paths, format_func=lambda p: titles.get(p, p), key="editor_entry")
        original = kb.store.read(path, source) or ""
        meta, body, _ = frontmatter.parse(original)
        kind = "directory" if path.startswith("entries/directory/") else "policy"
    else:
        kind = st.selectbox("类型", list(KINDS), format_func=KINDS.get, key="editor_kind")
        meta, body, original = {"kind": kind}, "", None
        path = None

    sig = hashlib.sha1(f"{mode}|{path}|{source}|{kind}".encode()).hexdigest()[:10]
    k = lambda name: f"editor_{name}_{sig}"  # noqa: E731 - fresh widget state per file and version
    unit_ids = list(units)
    left, right = st.columns(2)
    with left:
        if mode == "new":
            entry_id = st.text_input("编号（小写字母、数字、连字符）", key="editor_id")
        else:
            entry_id = str(meta.get("id") or "")
            st.text_input("编号", value=entry_id, disabled=True, key=k("id"))
        title = st.text_input("标题", value=str(meta.get("title") or ""), key=k("title"))
        t_note = st.container()
        fixed_unit = user.role in ("unit_editor", "unit_reviewer") and kind == "policy"
        current_unit = str(meta.get("unit") or (user.unit if user.unit in units else unit_ids[0]))
        unit_options = [user.unit] if fixed_unit and mode == "new" else unit_ids
        unit = st.selectbox("所属（维护）单位", unit_options, index=unit_options.index(current_unit) if current_unit in unit_options else 0,
                            format_func=lambda u: f"{units.get(u, u)}（{u}）", key=k("unit"))
        u_note = st.container()
        # Catalogue entries are staff material; an audience that cannot be read stays internal.
        audiences = ["internal"] if kind == "directory" else list(AUDIENCES)
        written = meta.get("audience") if meta.get("audience") not in (None, "") else "public"
        audience = st.selectbox("受众", audiences, format_func=AUDIENCE_LABELS.get,
                                index=audiences.index(written if written in audiences else "internal"),
                                key=k("audience"))
        category = st.text_input("分类（逗号分隔）", value="、".join(map(str, meta.get("category") or [])), key=k("category"))
        keywords = st.text_input("关键词（逗号分隔）", value="、".join(map(str, meta.get("keywords") or [])), key=k("keywords"))
    with right:
        if kind == "policy":
            questions = st.text_area("常见问法（每行一个）", value="\n".join(map(str, meta.get("questions") or [])), key=k("questions"))
            regions = st.text_input("适用区域（逗号分隔）", value="、".join(map(str, meta.get("regions") or [])), key=k("regions"))
        else:
            examples = st.text_area("市民描述（每行一个）", value="\n".join(map(str, meta.get("examples") or [])), key=k("examples"))
            handler = st.selectbox("主办单位", unit_ids, index=unit_ids.index(meta["handler"]) if meta.get("handler") in unit_ids else 0,
                                   format_func=lambda u: units.get(u, u), key=k("handler"))
            h_note = st.container()
            co = st.multiselect("协办单位", unit_ids, default=[u for u in meta.get("co_handlers") or [] if u in unit_ids],
                                format_func=lambda u: units.get(u, u), key=k("co"))
            level = st.selectbox("层级", LEVELS, format_func=LEVEL_LABELS.get,
                                 index=LEVELS.index(meta["level"]) if meta.get("level") in LEVELS else 0, key=k("level"))
            limits = yaml.safe_load(kb.store.read("regulations/time_limits.yaml", main) or "{}") or {}
            tiers = [str(t.get("id")) for t in limits.get("tiers", []) if isinstance(t, dict)]
            time_limit = st.selectbox("办理时限", tiers, index=tiers.index(str(meta.get("time_limit"))) if str(meta.get("time_limit")) in tiers else 0,
                                      key=k("time_limit"))
        dates = {}
        c1, c2, c3 = st.columns(3)
        for col, field, label in ((c1, "effective", "生效日期"), (c2, "expires", "失效日期"), (c3, "review_by", "复核日期")):
            value = meta.get(field)
            dates[field] = col.date_input(label, value=as_date(value), key=k(field))
            if value is not None and as_date(value) is None:
                col.caption(f"原值“{value}”不是 YYYY-MM-DD 日期：请选择日期，否则保留原值并提示格式错误。")
                dates[field] = dates[field] or value  # never dropped silently: a lost expiry would go public
        basis_text = st.text_area("依据（YAML 列表，如 - {regulation: beijing-2021, article: 31}）",
                                  value=yaml.safe_dump(meta.get("basis"), allow_unicode=True, sort_keys=False) if meta.get("basis") else "",
                                  key=k("basis"))
        b_note = st.container()
        notes = st.text_area("坐席提示（仅内部可见）", value=str(meta.get("agent_notes") or ""), key=k("notes"))

    e_col, p_col = st.columns(2)
    body = e_col.text_area("正文（Markdown）", value=body, height=320, key=k("body"))
    body_note = e_col.container()
    p_col.caption("预览")
    p_col.html(markdown_html(body) or "<p>（正文为空）</p>")

    new_meta = dict(meta)
    new_meta.update({"id": entry_id.strip(), "kind": kind, "title": title.strip(), "unit": unit, "audience": audience,
                     "category": words(category), "keywords": words(keywords)})
    if kind == "policy":
        new_meta.update({"questions": words(questions), "regions": words(regions)})
    else:
        new_meta.update({"examples": words(examples), "handler": handler, "co_handlers": co, "level": level,
                         "time_limit": time_limit})
    for field, value in dates.items():
        if value:
            new_meta[field] = value
        else:
            new_meta.pop(field, None)
    try:
        basis = yaml.safe_load(basis_text) if basis_text.strip() else None
        basis_error = None
    except yaml.YAMLError:
        basis, basis_error = meta.get("basis"), "依据不是合法的 YAML：请写成“- {regulation: beijing-2021, article: 31}”的列表"
    new_meta["basis"] = basis
    new_meta["agent_notes"] = notes.strip() or None
    new_meta = {key: v for key, v in new_meta.items() if v not in (None, "", [])}
    if mode == "new":
        path = f"entries/policy/{unit}/{entry_id.strip()}.md" if kind == "policy" else f"entries/directory/{entry_id.strip()}.md"
    text = frontmatter.dump(new_meta, body)
    problems = problems_for(kb, path, text) if (mode == "edit" or entry_id.strip()) else []
    with t_note:
        field_note(problems, "title", "id")
    with u_note:
        field_note(problems, "unit")
    if kind == "directory":
        with h_note:
            field_note(problems, "handler", "co_handlers", "time_limit", "level")
    with b_note:
        field_note(problems, "basis")
        if basis_error:
            st.caption(f":red[⚠ {basis_error}]")
    with body_note:
        field_note(problems, "正文", "")
    others = [p for p in problems if p.field not in ("title", "id", "unit", "handler", "co_handlers", "time_limit", "level",
                                                      "basis", "正文", "")]
    for p in others:
        st.caption(f":red[⚠ {p}]")
    if not problems and not basis_error:
        st.caption(":green[✓ 校验通过]")

    st.divider()
    cr_title = st.text_input("变更说明（标题）", value=f"修改“{new_meta.get('title') or entry_id}”" if mode == "edit"
                             else f"新增“{new_meta.get('title') or entry_id}”", key=k("cr_title"))
    submit = st.checkbox("保存后直接提交审核", value=True, key="editor_submit") if target == "new" else False
    b1, b2, b3 = st.columns(3)
    if b1.button("保存", key="editor_save", type="primary"):
        if mode == "new" and not entry_id.strip():
            st.error("缺少编号：请填写条目编号（小写字母、数字和连字符）。")
        elif basis_error:
            st.error(basis_error + "。")
        else:
            save(kb, target, cr_title, {path: text}, submit, "修改")
    if mode == "edit":
        if b2.button("停用（失效日期设为今天）", key="editor_retire"):
            retired = dict(meta, expires=kb.today())
            save(kb, target, f"停用“{meta.get('title') or entry_id}”", {path: frontmatter.dump(retired, frontmatter.parse(original)[1])},
                 submit, "停用")
        if b3.button("删除条目", key="editor_delete"):
            save(kb, target, f"删除“{meta.get('title') or entry_id}”", {path: None}, submit, "删除")
