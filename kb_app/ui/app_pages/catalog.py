"""Catalog health (目录健康) for the hotline center: overlaps, units, coverage, contradictions."""

from pathlib import Path

import streamlit as st

from kb_app import health
from kb_app.export import spreadsheet_bytes
from kb_app.ui.errors import show_errors
from kb_app.ui.resources import get_kb

TAXONOMY = Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "matter_taxonomy.csv"



def fix_links(snap, finding):
    """Links that open each entry of a finding in the editor, by title."""
    known = [snap.entries[e] for e in finding.entries if e in snap.entries]
    if not known:
        return
    for entry in known:  # one per line: a title is never cut
        st.page_link("app_pages/editor.py", label=f"修改“{entry.title}”", icon=":material/edit:",
                     query_params={"entry": entry.id})


st.title("派单目录健康检查")
st.caption("找出认领同一事项的不同主办单位、失效的单位、未覆盖的事项类别、缺少示例的条目，以及各单位答复口径中相互矛盾的事实。")

with show_errors():
    kb = get_kb()
    snap = kb.snapshot()
    threshold = st.slider("事项重叠判定阈值", 0.2, 0.8, health.OVERLAP_THRESHOLD, 0.05, key="catalog_threshold",
                          help="关键词重合度与标题相似度中的较大者达到该值，即视为同一事项。")
    use_taxonomy = TAXONOMY.exists() and st.checkbox("对照事项分类（三级分类表）检查覆盖情况", value=False,
                                                     key="catalog_taxonomy")
    findings = health.report(snap, TAXONOMY if use_taxonomy else None, threshold)
    kinds = [k for k in health.KIND_TITLES if k != "uncovered" or use_taxonomy]  # coverage needs the taxonomy
    cols = st.columns(len(kinds))
    for col, kind in zip(cols, kinds):
        col.metric(health.KIND_SHORT[kind], sum(1 for f in findings if f.kind == kind), help=health.KIND_TITLES[kind])
    for kind in kinds:
        title = health.KIND_TITLES[kind]
        items = [f for f in findings if f.kind == kind]
        with st.expander(f"{title}（{len(items)}）", expanded=bool(items) and kind != "uncovered"):
            if not items:
                st.success("未发现问题。")
            for f in items:
                st.markdown(f"- {f.message}")
                fix_links(snap, f)
    st.download_button("导出 CSV", spreadsheet_bytes(health.report_csv(findings)), "catalog-health.csv", "text/csv",
                       key="catalog_csv")
