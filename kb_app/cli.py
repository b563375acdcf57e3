"""The ``kb`` command: parse options, call the facade, print. No logic of its own."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys

import click

from .exceptions import KbError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


def root_options(fn):
    """--root / --data-dir / --config, shared by every command that opens a knowledge base."""

    @click.option("--root", type=click.Path(file_okay=False), default=None, help="内容仓库目录（默认当前目录或 KB_ROOT）。")
    @click.option("--data-dir", type=click.Path(file_okay=False), default=None, help="数据库与索引所在目录。")
    @click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, help="kb.toml 配置文件。")
    @functools.wraps(fn)
    def wrapper(root, data_dir, config_file, **kwargs):
        from .config import load_settings
        from .kb import open_kb

        with errors():
            kb = open_kb(load_settings(config_file, root=root, data_dir=data_dir))
            return fn(kb, **kwargs)

    return wrapper


class errors:
    """Turn a KbError into ``Error: …`` and exit status 1."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, KbError):
            raise click.ClickException(str(exc))
        return False


def parse_date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是有效日期，请按 YYYY-MM-DD 填写。")


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="kb_app")
def cli():
    """12345 接诉即办知识库：答复口径、派单目录与条例的管理、校核和检索。"""


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--empty", is_flag=True, help="只建立空白结构，不带示例内容。")
def init(directory, empty):
    """新建一个内容仓库（git 仓库，含一次提交）。

    \b
    示例：
        kb init ./kb            # 以“示例市”示例内容建立
        kb init ./kb --empty    # 空白知识库
    """
    from .kb import init_repo

    with errors():
        path = init_repo(directory, empty=empty)
    click.echo(f"已在 {path} 建立知识库{'（空白）' if empty else '（示例市示例内容）'}。")


@cli.command()
@root_options
def validate(kb):
    """校验内容仓库的全部文件，逐条列出问题；有问题时退出码为 1。

    \b
    示例：
        kb validate --root ./kb
    """
    problems = kb.validate_tree()
    for p in problems:
        click.echo(str(p))
    if problems:
        click.echo(f"共发现 {len(problems)} 个问题。", err=True)
        sys.exit(1)
    click.echo("校验通过：未发现问题。")


@cli.command(name="list")
@root_options
@click.option("--kind", type=click.Choice(["policy", "directory"]), default=None, help="只列出某类条目。")
@click.option("--unit", default=None, help="只列出某单位的条目。")
def list_entries(kb, kind, unit):
    """列出主干上的条目。

    \b
    示例：
        kb list --root ./kb --kind policy --unit hotline-center
    """
    snap = kb.snapshot()
    today = kb.today()
    for e in sorted(snap.entry_list, key=lambda e: e.path):
        if (kind and e.kind != kind) or (unit and e.unit != unit):
            continue
        status = {"in_force": "", "pending": "（未生效）", "expired": "（已失效）"}[e.status(today)]
        aud = "内部" if e.audience == "internal" else "公开"
        click.echo(f"{e.id}\t{e.kind}\t{e.unit}\t{aud}\t{e.title}{status}")


@cli.command()
@root_options
@click.argument("entry_id")
@click.option("--on", "on_date", callback=parse_date, default=None, help="显示该日期（YYYY-MM-DD）有效的版本。")
def history(kb, entry_id, on_date):
    """显示条目的发布历史，或某一日期有效的版本。

    \b
    示例：
        kb history residence-permit-apply
        kb history residence-permit-apply --on 2026-03-01
    """
    if on_date:
        version, entry = kb.version_on(entry_id, on_date)
        if version is None:
            raise click.ClickException(f"{on_date} 当天没有有效的“{entry_id}”版本。")
        click.echo(f"{on_date} 有效的版本：{version.commit[:10]}（{version.date:%Y-%m-%d %H:%M} {version.author}：{version.summary}）")
        click.echo(kb.store.read(version.path, version.commit))
        return
    for v in kb.history(entry_id):
        trailers = "；".join(f"{k}: {', '.join(vs)}" for k, vs in v.trailers.items())
        mark = "（删除）" if v.deleted else ""
        click.echo(f"{v.commit[:10]}  {v.date:%Y-%m-%d %H:%M}  {v.author}  {v.summary}{mark}" + (f"  [{trailers}]" if trailers else ""))


@cli.command()
@root_options
@click.argument("entry_id")
@click.argument("old")
@click.argument("new", required=False)
def diff(kb, entry_id, old, new):
    """比较条目的两个版本（提交号），默认与主干比较。

    \b
    示例：
        kb diff residence-permit-apply 3f2a1c0 main
    """
    path = kb.entry_path(entry_id)
    click.echo(kb.store.diff(path, kb.store.rev(old), kb.store.rev(new or "main")) or "两个版本没有差别。")


@cli.command()
@root_options
@click.option("--port", default=8501, show_default=True, help="端口。")
@click.option("--address", default="127.0.0.1", show_default=True, help="监听地址。")
def serve(kb, port, address):
    """启动网页应用（公众查询、坐席工作台、校核）。

    \b
    示例：
        kb serve --root ./kb --port 8501
    """
    import os
    import subprocess
    from pathlib import Path

    app = Path(__file__).parent / "ui" / "app.py"
    env = {**os.environ, "KB_ROOT": str(Path(kb.settings.root).resolve()), "KB_DATA_DIR": str(kb.settings.data_path.resolve())}
    click.echo(f"知识库应用已启动：http://{address}:{port}")
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.address", address,
           "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
           "--global.developmentMode", "false"]
    sys.exit(subprocess.call(cmd, env=env, cwd=app.parent))


def read_password(confirm=False):
    import os

    return os.environ.get("KB_PASSWORD") or click.prompt("密码", hide_input=True, confirmation_prompt=confirm)


@cli.group()
def user():
    """管理本地账号（用户名、姓名、角色、所属单位）。

    \b
    示例：
        kb user add center --name 张校核 --role center_reviewer
        kb user list
    """


@user.command(name="add")
@root_options
@click.argument("username")
@click.option("--name", required=True, help="姓名（出现在审核记录中）。")
@click.option("--role", required=True, help="角色：unit_editor、unit_reviewer、center_reviewer、legal_reviewer、agent、admin。")
@click.option("--unit", default="", help="所属单位编号（单位编辑、单位审核人必填）。")
@click.option("--email", default="", help="电子邮箱（用于识别 git 推送的作者）。")
def user_add(kb, username, name, role, unit, email):
    """新建账号；密码取自环境变量 KB_PASSWORD，否则提示输入。

    \b
    示例：
        KB_PASSWORD=secret123 kb user add hrss-editor --name 李编辑 --role unit_editor --unit city-hrss
    """
    u = kb.users.add(username, name, read_password(confirm=True), role, unit, email)
    click.echo(f"已建立账号 {u.username}（{u.name}，{u.role_label}）。")


@user.command(name="list")
@root_options
def user_list(kb):
    """列出全部账号。

    \b
    示例：
        kb user list --root ./kb
    """
    for u in kb.users.list():
        click.echo(f"{u.username}\t{u.name}\t{u.role_label}" + ("\t（已停用）" if u.disabled else ""))


@user.command(name="disable")
@root_options
@click.argument("username")
@click.option("--enable", is_flag=True, help="恢复已停用的账号。")
def user_disable(kb, username, enable):
    """停用（或用 --enable 恢复）账号。

    \b
    示例：
        kb user disable hrss-editor
    """
    u = kb.users.set_disabled(username, not enable)
    click.echo(f"账号 {u.username} 已{'恢复' if enable else '停用'}。")


@user.command(name="passwd")
@root_options
@click.argument("username")
def user_passwd(kb, username):
    """修改账号密码；新密码取自 KB_PASSWORD，否则提示输入。

    \b
    示例：
        kb user passwd hrss-editor
    """
    kb.users.set_password(username, read_password(confirm=True))
    click.echo(f"账号 {username} 的密码已修改。")


def as_user(fn):
    """--as USER: sign in (password from KB_PASSWORD or a prompt) before running the command."""

    @click.option("--as", "username", required=True, help="以该用户身份操作（密码取自 KB_PASSWORD 或提示输入）。")
    @functools.wraps(fn)
    def wrapper(kb, username, **kwargs):
        return fn(kb, kb.authenticate(username, read_password()), **kwargs)

    return wrapper


def collect_changes(kb, directory, sets, deletes):
    from pathlib import Path

    from .review import changes_from_tree

    changes = changes_from_tree(kb.store, directory) if directory else {}
    for item in sets:
        path, sep, file = item.partition("=")
        if not sep:
            raise click.BadParameter(f"“{item}”应写成 路径=文件，例如 entries/policy/city-hrss/a.md=./a.md", param_hint="--set")
        try:
            changes[path.strip()] = Path(file).read_text(encoding="utf-8")
        except OSError as e:
            raise click.BadParameter(f"无法读取文件“{file}”：{e.strerror}", param_hint="--set")
    for path in deletes:
        changes[path.strip()] = None
    return changes


def show_cr(kb, cr):
    status = kb.review.status(cr)
    click.echo(f"#{cr.id} {cr.title}\n状态：{cr.state_label}  作者：{cr.author}  分支：{cr.branch}  当前提交：{cr.head[:10]}")
    for path, s in sorted(status.touched.items()):
        click.echo(f"  {dict(A='新增', M='修改', D='删除').get(s, s)} {path}")
    for party in status.required:
        a = status.approvals.get(party)
        click.echo(f"  审核方 {status.labels[party]}：" + (f"已批准（{a['reviewer']}，{a['at']}）" if a else "待审核"))
    if status.conflicts:
        click.echo("  冲突：" + "、".join(status.conflicts))
    for p in cr.problems:
        click.echo(f"  校验问题：{p}")


@cli.group()
def cr():
    """变更请求（多方校核）：新建、更新、查看、审核、发布。

    \b
    示例：
        kb cr create --as hrss-editor --title 更新补卡说明 --dir ./changes --submit
        kb cr approve 3 --as center
    """


cr_file_options = [
    click.option("--dir", "directory", type=click.Path(file_okay=False, exists=True), default=None,
                 help="按内容仓库结构存放新文件的目录；与主干不同的文件都纳入变更。"),
    click.option("--set", "sets", multiple=True, help="路径=本地文件：设置一个文件的新内容（可重复）。"),
    click.option("--delete", "deletes", multiple=True, help="删除一个文件（可重复）。"),
]


def file_options(fn):
    for option in reversed(cr_file_options):
        fn = option(fn)
    return fn


@cr.command(name="create")
@root_options
@as_user
@file_options
@click.option("--title", required=True, help="变更标题。")
@click.option("--description", default="", help="变更说明。")
@click.option("--submit", is_flag=True, help="建立后直接提交审核（否则为草稿）。")
def cr_create(kb, user, directory, sets, deletes, title, description, submit):
    """新建变更请求（可同时修改、删除多个文件）。

    \b
    示例：
        KB_PASSWORD=… kb cr create --as hrss-editor --title 更新补卡说明 \\
            --set entries/policy/city-hrss/sscard-reissue.md=./sscard-reissue.md --submit
    """
    c = kb.review.create(user, title, collect_changes(kb, directory, sets, deletes), submit=submit, description=description)
    click.echo(f"已建立变更请求 #{c.id}（{c.state_label}，分支 {c.branch}）。")
    if c.problems:
        click.echo(f"注意：校验未通过，共 {len(c.problems)} 个问题，修正前不能批准。")


@cr.command(name="update")
@root_options
@as_user
@click.argument("number", type=int)
@file_options
@click.option("--message", default="", help="本次更新的说明。")
def cr_update(kb, user, number, directory, sets, deletes, message):
    """在变更请求上追加一次提交（并基于最新主干）；此前的批准失效。

    \b
    示例：
        kb cr update 3 --as hrss-editor --set entries/policy/city-hrss/sscard-reissue.md=./new.md
    """
    c = kb.review.update(user, number, collect_changes(kb, directory, sets, deletes), message)
    click.echo(f"变更请求 #{c.id} 已更新（{c.state_label}），此前的批准已失效，需要重新审核。")


@cr.command(name="show")
@root_options
@click.argument("number", type=int)
def cr_show(kb, number):
    """查看变更请求：涉及的文件、审核方与状态。

    \b
    示例：
        kb cr show 3
    """
    show_cr(kb, kb.review.get(number, sync=True))


@cr.command(name="list")
@root_options
@click.option("--state", default=None, help="只列出某状态：draft、in_review、changes_requested、approved、conflicting、published…")
def cr_list(kb, state):
    """列出变更请求（包括用 git 推送的 cr/* 分支）。

    \b
    示例：
        kb cr list --state in_review
    """
    kb.review.sync()
    for c in kb.review.list(state):
        click.echo(f"#{c.id}\t{c.state_label}\t{c.author}\t{c.title}")


def _decision(name, method, verb, needs_comment):
    @root_options
    @as_user
    @click.argument("number", type=int)
    @click.option("--comment", required=needs_comment, default="", help="意见。")
    def command(kb, user, number, comment):
        c = getattr(kb.review, method)(user, number, comment)
        click.echo(f"变更请求 #{c.id}：已{verb}，当前状态为“{c.state_label}”。")

    command.__doc__ = f"{verb}变更请求。\n\n    \b\n    示例：\n        kb cr {name} 3 --as center" + (" --comment 请补充依据" if needs_comment else "")
    cr.command(name=name)(command)


_decision("approve", "approve", "批准", False)
_decision("request-changes", "request_changes", "退回修改", True)
_decision("reject", "reject", "驳回", True)
_decision("withdraw", "withdraw", "撤回", False)


@cr.command(name="publish")
@root_options
@as_user
@click.argument("number", type=int)
def cr_publish(kb, user, number):
    """发布已获全部批准的变更请求（比较并交换主干）。

    \b
    示例：
        kb cr publish 3 --as center
    """
    commit = kb.review.publish(user, number)
    click.echo(f"变更请求 #{number} 已发布：主干提交 {commit[:10]}。")


def main():
    cli()
