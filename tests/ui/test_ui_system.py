"""The administrators' page of system health (系统状态): the checks of kb doctor, and its repairs."""

from kb_app.search.index import DAMAGE_MARK
from kb_app.ui.navigation import may_open_file

from ..ui_helpers import open_page


def admin(app_env):
    return app_env.users.add("admin", "赵管理", "correct-horse-1", "admin")


def test_only_administrators_see_the_system_health(app_env):
    assert [role for role in ("agent", "unit_editor", "unit_reviewer", "center_reviewer", "legal_reviewer", "admin")
            if may_open_file("system.py", role)] == ["admin"]
    at = open_page("app_pages/system.py", admin(app_env))
    assert at.title[0].value == "系统状态" and [i.value for i in at.info] == ["还没有运行检查。"]


def test_the_checks_run_when_asked_and_say_each_outcome(app_env):
    at = open_page("app_pages/system.py", admin(app_env))
    at.button(key="system_check").click().run()
    assert not at.exception and not at.error
    outcome = (at.success[0].value if at.success else at.warning[0].value)
    assert outcome.startswith("检查完毕（") and "未发现问题" in outcome
    shown = [m.value for m in at.markdown]
    for title in ("流程数据库", "检索索引", "工作日历"):
        assert any(m.startswith(f"**{title}") for m in shown), (title, shown)
    # a title naming branches is said as written, not read as Markdown (cr/* made the rest italic)
    assert "**变更请求与 cr/&#42; 分支**：正常" in shown
    assert "system_repair" not in [b.key for b in at.button]     # nothing to repair


def test_a_problem_is_said_with_what_to_do_and_repaired_with_one_click(app_env):
    gen = app_env.index.read_state()["gen"]
    (app_env.settings.index_dir / gen / DAMAGE_MARK).write_text("公众索引无法读取", encoding="utf-8")
    at = open_page("app_pages/system.py", admin(app_env))
    at.button(key="system_check").click().run()
    [summary, *problems] = [e.value for e in at.error]
    assert summary.endswith("发现 1 个问题，其中 1 个可以在下方一键修复。")
    assert problems == [f"公众网站检索时读到过无法读取的索引文件（{gen}，详见 kb web 的日志），重建之前它的健康检查"
                        "（/api/v1/health）都返回 503（可以在下方一键修复）"]
    at.button(key="system_repair").click().run()
    assert not at.error
    assert any(s.value.startswith("已修复：重建检索索引") for s in at.success)
    assert app_env.index.read_state()["gen"] != gen
