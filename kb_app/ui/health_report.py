"""A report of the health checks (``kb doctor``) as the 系统状态 page shows it."""

import streamlit as st

from kb_app.render import markdown_literal


def show_report(report, at):
    """A report of ``kb doctor``, as the command prints it: the overall outcome, then each check."""
    if report.ok and not report.warnings:
        st.success(f"检查完毕（{at:%H:%M:%S}）：未发现问题。", icon=":material/check_circle:")
    elif report.ok:
        st.warning(f"检查完毕（{at:%H:%M:%S}）：未发现问题，有 {len(report.warnings)} 个提醒（见下）。",
                   icon=":material/schedule:")
    else:
        repairable = sum(f.repairable for f in report.findings)
        st.error(f"检查完毕（{at:%H:%M:%S}）：发现 {len(report.findings)} 个问题"
                 + (f"，其中 {repairable} 个可以在下方一键修复" if repairable else "") + "。",
                 icon=":material/error:")
    for kind, line in report.repair_lines():
        {"done": st.success, "needless": st.caption, "failed": st.error}[kind](markdown_literal(line))
    for check in report.checks:
        with st.container(border=True):
            # Titles and findings name branches and files (cr/*, entries/…): said as written, not as Markdown.
            st.markdown(f"**{markdown_literal(check.title)}**：{check.outcome}")
            if check.summary:
                st.caption(markdown_literal(check.summary))
            for finding in check.findings:
                hint = "（可以在下方一键修复）" if finding.repairable else ""
                (st.warning if finding.warning else st.error)(markdown_literal(finding.message) + hint)
