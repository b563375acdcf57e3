"""System health (administrators): the checks of ``kb doctor`` — the workflow database, the git repository, the
change requests and their branches, the 待核 marks, the search index, the content on main and the working-day
calendar — with what to do about each problem, and the repairs that derived state allows (``kb doctor --repair``).

The checks read the index's segments and every file on main: they run when asked, not on every visit, and the
page says when they last ran."""

import streamlit as st

from kb_app.ui.errors import show_errors
from kb_app.ui.health_report import show_report
from kb_app.ui.resources import get_kb

#: The last report and when it was made, kept for the session.
REPORT = "system_report"

st.title("系统状态")
user = st.session_state.get("user")
if user is None or user.role != "admin":
    st.warning("只有管理员可以查看系统状态。")
    st.stop()
st.caption("检查工作流数据库、git 仓库、变更请求与分支、待核标记、检索索引、主干上的文件和工作日历，与命令 kb doctor 相同。"
           "检查要读取索引和全部文件，点按钮时才运行。")

with show_errors():
    kb = get_kb()
    if st.button("运行检查", key="system_check", type="primary"):
        with st.spinner("正在检查……"):
            st.session_state[REPORT] = (kb.doctor(), kb.now())
    kept = st.session_state.get(REPORT)
    if kept is None:
        st.info("还没有运行检查。", icon=":material/info:")
        st.stop()
    report, at = kept
    show_report(report, at)
    if any(f.repairable for f in report.findings):
        st.subheader("修复", divider="gray")
        st.caption("登记用 git 推送的分支、处理中断的发布、重建检索索引、按主干历史重新计算待核标记，然后再检查一遍；"
                   "需要人处理的问题（丢失的分支、格式错误的文件、损坏的数据库）不会自动修复。")
        if st.button("一键修复", key="system_repair"):
            with st.spinner("正在修复……"):
                st.session_state[REPORT] = (kb.doctor(repair=True), kb.now())
            st.rerun()
