"""The command line for when the rules change: cr show impact, report catalog, asof, objections."""

from click.testing import CliRunner

from kb_app.cli import cli

from .conftest import TODAY
from .review_helpers import PASSWORD, make_users
from .review.test_impact import REG, amend


def run(kb, *args, env=None):
    result = CliRunner().invoke(cli, [*args, "--root", str(kb.settings.root), "--data-dir", str(kb.settings.data_path)],
                                env={"KB_TODAY": TODAY, **(env or {})})
    return result


def test_cr_show_lists_the_article_changes_and_impacted_entries(kb):
    users = make_users(kb)
    cr = kb.review.create(users["center2"], "保定条例修正", {REG: amend(kb.store.read(REG))}, submit=True)
    result = run(kb, "cr", "show", str(cr.id))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "条例与配置变更的影响：" in out
    assert "新增第十三条" in out and "修改：原第十九条 → 现第二十条" in out and "删除原第四十二条" in out
    assert "依据已变更、需要复核的条目：" in out
    assert "仅条号变化、已在本变更中改写引用的条目：" in out


def test_report_catalog(kb):
    result = run(kb, "report", "catalog")
    assert result.exit_code == 0, result.output
    assert "多个目录条目认领同一事项、主办单位不同：2 项" in result.output
    assert "燃气报修电话" in result.output
    csv_out = run(kb, "report", "catalog", "--csv").output
    assert csv_out.splitlines()[0] == "类别,说明,条目,单位"


def test_asof_markdown_and_errors(kb, tmp_path):
    entry = kb.snapshot().policies()[0]
    result = run(kb, "asof", entry.id, "--on", TODAY)
    assert result.exit_code == 0, result.output
    assert f"条目编号：{entry.id}" in result.output
    out = tmp_path / "record.html"
    assert run(kb, "asof", entry.id, "--on", TODAY, "--format", "html", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    bad = run(kb, "asof", entry.id, "--on", "1999-01-01")
    assert bad.exit_code == 1 and "当天没有有效的" in bad.output


def test_objection_file_and_list(kb):
    make_users(kb)
    result = run(kb, "objection", "file", "street-light-out", "--as", "um-editor", "--to", "district-xishan",
                 "--reason", "路灯所在道路为区管道路，养护责任在西山区。", env={"KB_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "已提交派单异议" in result.output
    listed = run(kb, "objection", "list", "street-light-out").output
    assert "审核中" in listed and "区管道路" in listed
    # Units and people by name, the time as the pages show it.
    snap = kb.snapshot()
    said = f"{snap.unit_name('city-urban-management')} → {snap.unit_name('district-xishan')}（郑编辑，"
    assert said in listed and "um-editor" not in listed and "district-xishan" not in listed, listed
    every = run(kb, "objection", "list").output                 # every entry's, each named
    assert every.startswith("“路灯不亮” #1 审核中：") and said in every
    # Turned down with --reason, the word kb objection file takes for why.
    rejected = run(kb, "cr", "reject", "1", "--as", "center", "--reason", "请附上道路管养分工文件。",
                   env={"KB_PASSWORD": PASSWORD})
    assert rejected.exit_code == 0, rejected.output
    assert "请附上道路管养分工文件。" in run(kb, "objection", "list").output


def test_objection_keeping_the_unit_as_co_handler_with_a_boundary(kb, tmp_path):
    make_users(kb)
    boundary = tmp_path / "边界.md"
    boundary.write_text("区管道路的路灯由区政府负责；市管道路由城市管理委员会负责。\n", encoding="utf-8")
    result = run(kb, "objection", "file", "street-light-out", "--as", "um-editor", "--to", "district-xishan", "--co",
                 "--boundary", str(boundary), "--reason", "路灯所在道路为区管道路，养护责任在西山区。",
                 env={"KB_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    cr = kb.review.list(kind="objection")[0]
    head = kb.snapshot(cr.head).entries["street-light-out"]
    assert head.handler == "district-xishan" and head.co_handlers[0] == "city-urban-management"
    assert head.body.strip() == "区管道路的路灯由区政府负责；市管道路由城市管理委员会负责。"


def test_files_that_cannot_be_read_or_written_are_said_so_in_chinese(kb, tmp_path):
    """A CSV saved as GBK, an output folder that does not exist, a backup where nothing can be written:
    a message that says what is wrong and what to do, exit status 1, never a traceback."""
    gbk = tmp_path / "taxonomy.csv"
    gbk.write_bytes("一级分类,二级分类,三级分类\n城乡建设,住房,物业\n".encode("gbk"))
    questions = tmp_path / "questions.txt"
    questions.write_bytes("社保卡怎么补办\n".encode("gbk"))
    blocked = tmp_path / "blocked"
    blocked.write_text("", encoding="utf-8")                    # a file where a folder is needed
    entry = kb.snapshot().policies()[0].id
    cases = {("report", "catalog", "--taxonomy", str(gbk)): "请另存为 UTF-8 后重试",
             ("search", "--queries-file", str(questions)): "请另存为 UTF-8 后重试",
             ("asof", entry, "--on", TODAY, "-o", str(tmp_path / "no-such-folder" / "a.html")):
                 f"无法读写“{tmp_path / 'no-such-folder' / 'a.html'}”：文件或目录不存在。请检查路径和权限后重试。",
             ("backup", str(blocked / "b")): "请检查路径和权限后重试"}
    for args, message in cases.items():
        result = run(kb, *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("错误：") and message in result.output, (args, result.output)
        assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_the_command_lines_own_words_are_chinese(kb):
    """Mistakes in a command line (a missing option, a value of the wrong kind, an option before the
    command) are told in Chinese, as are the help's headings."""
    cases = {("asof", "x"): "错误：缺少选项 '--on'",
             ("dispatch", "--limit", "abc", "停水"): "错误：'--limit' 的值无效：'abc' 不是数字。",
             ("dispatch", "--limit", "0", "停水"): "错误：'--limit' 的值无效：0 不在允许的范围（1<=x<=20）内。",
             ("apikey", "add", "zz", "--role", "admin"): "错误：'--role' 的值无效：'admin' 不是可选的值",
             ("list", "extra"): "错误：多余的参数（extra）"}
    for args, message in cases.items():
        result = run(kb, *args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
        assert "用法: " in result.output and "查看帮助：" in result.output
    before = CliRunner().invoke(cli, ["--root", "x", "list"])
    assert "没有选项 '--root'：请用 --help 查看该命令可用的选项（选项写在子命令之后，例如 kb list --root 目录）" in before.output
    text = CliRunner().invoke(cli, ["backup", "-h"]).output
    assert "选项:" in text and "显示本帮助并退出。" in text and "Options" not in text and "Usage" not in text


def test_a_filter_that_matches_nothing_known_is_said_so_not_answered_with_silence(kb):
    """A mistyped unit or state would list nothing and say nothing; a search without words is asked for."""
    for args in (("list", "--unit", "nosuch"), ("task", "list", "--unit", "nosuch")):
        result = run(kb, *args)
        assert (result.exit_code, result.output) == (1, "错误：没有编号为“nosuch”的承办单位：请用 regulations/units.yaml 中的单位编号。\n")
    result = run(kb, "search", "--unit", "nosuch", "失业金")
    assert (result.exit_code, result.output) == (1, "错误：没有编号为“nosuch”的承办单位：请用 regulations/units.yaml 中的单位编号。\n")
    result = run(kb, "search", "--region", "火星区", "失业金")
    assert result.exit_code == 1 and result.output.startswith("错误：没有“火星区”这个区域：可用 ")
    result = run(kb, "cr", "list", "--state", "bogus")
    assert result.exit_code == 1 and result.output.startswith("错误：没有“bogus”这个状态：可用 draft（草稿）、")
    assert run(kb, "cr", "list", "--state", "已撤回").output == "没有“已撤回”的变更请求。\n"
    assert run(kb, "cr", "list", "--state", "withdrawn").output == "没有“已撤回”的变更请求。\n"
    assert run(kb, "list", "--kind", "policy", "--unit", "hotline-center").output != ""
    result = run(kb, "search")
    assert result.exit_code == 1 and result.output.startswith("错误：请写下要查询的内容，例如 kb search 失业金怎么领")


def test_tables_line_up_in_a_terminal_with_chinese_twice_as_wide_and_stay_tab_separated_in_a_pipe():
    from kb_app.cli import aligned, display_width

    rows = [["center", "张校核", "热线中心校核", ""], ["hrss-editor", "李编辑", "单位编辑", "（已停用）"]]
    lines = aligned(rows, ["用户名", "姓名", "角色", "状态"])
    assert lines[0].split() == ["用户名", "姓名", "角色", "状态"] and len(lines) == 3
    # every column starts at the same terminal column on every line
    for col in ("张校核", "热线中心校核"):
        assert len({display_width(line[:line.index(cell)]) for line, cell in
                    zip(lines[1:], [col, {"张校核": "李编辑", "热线中心校核": "单位编辑"}[col]])}) == 1
    assert display_width(lines[1][:lines[1].index("张校核")]) == display_width(lines[0][:lines[0].index("姓名")])
    assert not any(line.endswith(" ") for line in lines)
