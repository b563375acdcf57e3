"""全部条目 (staff) — the entries on main, found by a word of the title (synonyms too); rows open the entry."""

import streamlit as st

from kb_app.content.finder import find
from kb_app.labels import ENTRY_KIND_LABELS, STATUS_LABELS, audience_label, SELECT_PLACEHOLDER
from kb_app.ui.errors import show_errors
from kb_app.ui.links import entry_cell
from kb_app.ui.resources import get_kb
from kb_app.ui.state import require_user
from kb_app.ui.tables import Link, show_table

PAGE = 50
KINDS = {"": "全部类型", **ENTRY_KIND_LABELS}

st.title("全部条目")
with show_errors():
    user = require_user()
    kb = get_kb()
    snap = kb.snapshot()
    today = kb.today()
    visible = snap.entry_list
    c1, c2, c3 = st.columns([3, 1, 2])
    typed = c1.text_input("按标题查找", key="browse_q", max_chars=50, placeholder="例如：社保、居住证、路灯")
    kind = c2.selectbox("类型", list(KINDS), format_func=KINDS.get, placeholder=SELECT_PLACEHOLDER, key="browse_kind")
    units = {"": "全部单位", **{u: snap.unit_name(u) for u in sorted({e.unit for e in visible})}}
    if "browse_unit" not in st.session_state and user.unit in units:
        st.session_state["browse_unit"] = user.unit     # a unit's staff look after their own entries first
    unit = c3.selectbox("单位", list(units), format_func=units.get, placeholder=SELECT_PLACEHOLDER, key="browse_unit")
    chosen = [e for e in sorted(visible, key=lambda e: (e.kind, e.unit, e.title))
              if (not kind or e.kind == kind) and (not unit or e.unit == unit)]
    found = find(chosen, typed, snap.synonym_groups)
    asked = (typed.strip(), kind, unit)
    kept = st.session_state.get("browse_shown")
    shown = kept[1] if isinstance(kept, tuple) and kept[0] == asked else PAGE
    rows = []
    for e in found[:shown]:
        rows.append({"标题": entry_cell(e.id, e.title), "类型": KINDS[e.kind],
                     "单位": snap.unit_name(e.unit), "受众": audience_label(e.audience),
                     "状态": STATUS_LABELS[e.status(today)], "历史": Link("历史版本", "history", {"entry": e.id})})
    total = f"共 {len(found)} 条" + (f"，显示前 {len(rows)} 条" if len(rows) < len(found) else "")
    st.caption(f"“{typed.strip()}”：{total}（标题中的简称、同义说法也能找到）" if typed.strip() else total)
    show_table(rows, empty="没有标题符合的条目：换一个词试试，或清空查找框看全部条目。")
    if len(rows) < len(found) and st.button(f"再显示 {min(PAGE, len(found) - len(rows))} 条", key="browse_more"):
        st.session_state["browse_shown"] = (asked, shown + PAGE)
        st.rerun()
