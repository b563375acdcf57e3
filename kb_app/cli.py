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
@click.option("--hooks-only", is_flag=True,
              help="不新建仓库，只在已有的内容仓库中安装钩子：拒绝直接推送到 main，接受 cr/* 分支。")
def init(directory, empty, hooks_only):
    """新建一个内容仓库（git 仓库，含一次提交），并安装拒绝直接推送到 main 的钩子。

    \b
    示例：
        kb init ./kb                 # 以“示例市”示例内容建立
        kb init ./kb --empty         # 空白知识库
        kb init ./kb --hooks-only    # 为已有的内容仓库安装钩子
    """
    from .content import githooks
    from .config import load_settings
    from .kb import Kb, init_repo

    with errors():
        settings = load_settings()
        if hooks_only:
            githooks.install(directory, settings.main_branch)
            click.echo(f"已在 {directory} 安装钩子：直接推送到 {settings.main_branch} 会被拒绝，cr/* 分支照常登记为变更请求。")
            return
        path = init_repo(directory, empty=empty, now=Kb(settings).now())
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
@click.option("--port", default=8501, show_default=True, envvar="KB_PORT", help="端口（或环境变量 KB_PORT）。")
@click.option("--address", default="127.0.0.1", show_default=True, envvar="KB_ADDRESS",
              help="监听地址（或环境变量 KB_ADDRESS），默认只有本机能访问；其他地址要求已没有账号使用演示密码。")
def serve(kb, port, address):
    """启动工作人员的网页应用（坐席工作台、编辑、校核、统计）；市民的公众网站是 kb web。

    默认只在本机（127.0.0.1）监听。要让其他机器访问（如 --address 0.0.0.0），
    先修改所有仍在使用演示密码的账号的密码，否则拒绝启动。

    \b
    示例：
        kb serve --root ./kb --port 8501
        kb serve --root ./kb --address 0.0.0.0
    """
    import os
    import subprocess
    from pathlib import Path

    kb.users.check_listen_address(address)
    app = Path(__file__).parent / "ui" / "server.py"
    env = {**os.environ, "KB_ROOT": str(Path(kb.settings.root).resolve()),
           "KB_DATA_DIR": str(kb.settings.data_path.resolve()),
           # uvicorn believes X-Forwarded-For / -Proto only from these addresses.
           "FORWARDED_ALLOW_IPS": kb.settings.trusted_proxies}
    click.echo(f"知识库应用已启动：http://{address}:{port}")
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.address", address,
           "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
           "--global.developmentMode", "false"]
    sys.exit(subprocess.call(cmd, env=env, cwd=app.parent))


def read_password(confirm=False):
    import os

    return os.environ.get("KB_PASSWORD") or click.prompt("密码", hide_input=True, confirmation_prompt=confirm)


def os_user() -> str:
    """Who ran the command, for the audit trail (the operating-system account)."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


@cli.group()
def user():
    """管理本地账号（用户名、姓名、角色、所属单位），解除登录锁定，查看登录审计记录。

    \b
    示例：
        kb user add center --name 张校核 --role center_reviewer
        kb user list
        kb user unlock center
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
    locked = {lock.key: lock for lock in kb.throttle.active_locks() if lock.scope == "account"}
    now = kb.now()
    for u in kb.users.list():
        marks = ["（已停用）"] if u.disabled else []
        if u.username in locked:
            marks.append(f"（已锁定，{locked[u.username].minutes_left(now)} 分钟后自动解锁）")
        click.echo("\t".join([u.username, u.name, u.role_label, *marks]))


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
    u = kb.users.set_disabled(username, not enable, actor=os_user())
    click.echo(f"账号 {u.username} 已恢复。" if enable else f"账号 {u.username} 已停用，其会话已全部结束。")


@user.command(name="passwd")
@root_options
@click.argument("username")
def user_passwd(kb, username):
    """修改账号密码（该账号的会话随即全部结束）；新密码取自 KB_PASSWORD，否则提示输入。

    \b
    示例：
        kb user passwd hrss-editor
    """
    kb.users.set_password(username, read_password(confirm=True), actor=os_user())
    click.echo(f"账号 {username} 的密码已修改，其会话已全部结束。")


@user.command(name="unlock")
@root_options
@click.argument("username", required=False)
@click.option("--client", default=None, help="解除对某个客户端地址的锁定（而不是账号）。")
def user_unlock(kb, username, client):
    """提前解除因多次登录失败而加的锁定（账号，或用 --client 指定的地址）。

    在服务器上运行本命令的人即管理员：管理员账号自己被锁定时也能解锁。

    \b
    示例：
        kb user unlock hrss-editor
        kb user unlock --client 10.1.2.3
    """
    if bool(username) == bool(client):
        raise click.UsageError("请指定一个账号，或用 --client 指定一个地址（二者选一）。")
    scope, key = ("account", username) if username else ("client", client)
    lifted = kb.throttle.unlock(scope, key, actor=os_user(), via="cli")
    what = f"账号 {username}" if username else f"地址 {client}"
    click.echo(f"{what} 已解锁。" if lifted else f"{what} 没有被锁定。")


@user.command(name="log")
@root_options
@click.argument("username", required=False)
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True, help="最多显示几条。")
def user_log(kb, username, limit):
    """登录与账号审计记录（登录、失败、锁定、解锁、退出、改密、停用），最新的在前。

    \b
    示例：
        kb user log
        kb user log hrss-editor --limit 20
    """
    from .accounts.audit import VIA

    for e in kb.audit.list(username, limit):
        parts = [e.at.replace("T", " "), e.label, e.username or "-", e.client or "-", VIA.get(e.via, e.via),
                 e.actor or "-", e.detail]
        click.echo("\t".join(parts).rstrip("\t"))


def as_user(fn):
    """--as USER: sign in (password from KB_PASSWORD or a prompt, throttled) before running the command."""

    @click.option("--as", "username", required=True, help="以该用户身份操作（密码取自 KB_PASSWORD 或提示输入）。")
    @functools.wraps(fn)
    def wrapper(kb, username, **kwargs):
        return fn(kb, kb.authenticate(username, read_password(), via="cli"), **kwargs)

    return wrapper


def collect_changes(kb, directory, sets, deletes):
    from pathlib import Path

    from .review.workflow import changes_from_tree

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
    impact = kb.impact(cr)
    if impact is not None:
        click.echo("条例与配置变更的影响：")
        for line in impact.summary_lines() or ["  （条文内容没有变化）"]:
            click.echo(f"  {line}")


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
    click.option("--task", "tasks", type=int, multiple=True,
                 help="本次变更处理的维护任务编号（可重复）；发布后只关闭这些任务。"),
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
def cr_create(kb, user, directory, sets, deletes, tasks, title, description, submit):
    """新建变更请求（可同时修改、删除多个文件）。

    \b
    示例：
        KB_PASSWORD=… kb cr create --as hrss-editor --title 更新补卡说明 \\
            --set entries/policy/city-hrss/sscard-reissue.md=./sscard-reissue.md --task 12 --submit
    """
    changes = collect_changes(kb, directory, sets, deletes)
    c = kb.editing.save(user, "new", changes, title, submit=submit, tasks=tasks, description=description).cr
    click.echo(f"已建立变更请求 #{c.id}（{c.state_label}，分支 {c.branch}）。")
    resolved_tasks(c)
    if c.problems:
        click.echo(f"注意：校验未通过，共 {len(c.problems)} 个问题，修正前不能批准。")


@cr.command(name="update")
@root_options
@as_user
@click.argument("number", type=int)
@file_options
@click.option("--message", default="", help="本次更新的说明。")
def cr_update(kb, user, number, directory, sets, deletes, tasks, message):
    """在变更请求上追加一次提交（并基于最新主干）；此前的批准失效。

    \b
    示例：
        kb cr update 3 --as hrss-editor --set entries/policy/city-hrss/sscard-reissue.md=./new.md
    """
    c = kb.editing.save(user, number, collect_changes(kb, directory, sets, deletes), message, tasks=tasks).cr
    click.echo(f"变更请求 #{c.id} 已更新（{c.state_label}），此前的批准已失效，需要重新审核。")
    resolved_tasks(c)


def resolved_tasks(cr):
    if cr.data.get("resolves"):
        click.echo("发布后将关闭维护任务 " + "、".join(f"#{t}" for t in cr.data["resolves"]) + "。")


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
    @click.option("--comment", help="意见。", **({"required": True} if needs_comment else {"default": ""}))
    def command(kb, user, number, comment):
        c = getattr(kb.review, method)(user, number, comment or "")
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


def parse_datetime(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是有效时间，请按 YYYY-MM-DDTHH:MM 填写。")


@cli.command()
@root_options
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供脚本和评测使用）。")
@click.option("--now", callback=parse_datetime, default=None, help="受理时间（YYYY-MM-DDTHH:MM），默认现在。")
@click.option("--limit", default=5, show_default=True, help="列出的目录条目数。")
@click.option("--not-emergency", is_flag=True, help="坐席已向来电人确认：疑似紧急的情况并非紧急，继续给出派单建议。")
@click.option("--learn", "learn_file", type=click.Path(dir_okay=False), default=None,
              help="导入历史工单：JSON Lines 文件，每行 {\"text\": 诉求, \"entry\": 派单目录事项编号}，可选 at、region。")
@click.option("--no-history", is_flag=True, help="只按派单目录匹配，不参考历史工单。")
def dispatch(kb, text, as_json, now, limit, not_emergency, learn_file, no_history):
    """派单助手：紧急情况、分类处置规则、可直接答复的口径、匹配的派单目录条目和办理期限；--learn 导入历史工单。

    排序参考相似的历史工单（坐席确认的派单、异议改派、导入的工单），但分类处置规则始终优先。

    \b
    示例：
        kb dispatch "小区旁边工地半夜还在打桩，吵得睡不着"
        kb dispatch --json --now 2026-11-20T16:00 "家里停水了"
        kb dispatch --not-emergency "楼下有人打架"
        kb dispatch --learn 工单导出.jsonl
    """
    if learn_file:
        return learn(kb, learn_file)
    if not (text or "").strip():
        raise click.UsageError("请给出来电人的诉求（TEXT），或用 --learn 导入历史工单。")
    result = kb.dispatch(text, now=now, limit=limit, not_emergency=not_emergency, history=not no_history)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    echo_intake(result)
    if result.candidates_withheld:
        if result.urgency == "suspected":
            click.echo("不列出派单目录：确认不是紧急情况后，加 --not-emergency 重新查询。")
        else:
            click.echo("不列出派单目录：请按话术转接。")
        return
    echo_answers(result)
    if result.round_the_clock:
        click.echo(f"7×24 小时服务事项（{'、'.join(result.round_the_clock)}）。")
    if not result.candidates:
        click.echo("派单目录中没有匹配的条目。")
    for i, c in enumerate(result.candidates, 1):
        flag = "【7×24】" if c.round_the_clock else ""
        click.echo(f"{i}. {c.title} [{c.entry_id}]{flag}")
        co = "、".join(name for _, name in c.co_handlers) or "无"
        click.echo(f"   主办：{c.handler_name or '未指定'}；协办：{co}；层级：{c.level or '未指定'}")
        click.echo(f"   时限：{c.due.label() if c.due else c.due_error}")
        if c.note:
            click.echo(f"   参考：{c.note}")


#: Rejected lines listed one by one before the rest are only counted.
MAX_REJECTS_SHOWN = 50


def learn(kb, path):
    """``kb dispatch --learn``: import past work orders with progress on stderr and a summary."""
    def progress(done):
        click.echo(f"已读取 {done} 行……", err=True)

    with errors():
        result = kb.dispatch_history.import_file(path, progress)
    click.echo(f"历史工单导入完成：读取 {result.lines} 行，新增 {result.imported} 条，"
               f"重复跳过 {result.duplicates} 条，拒绝 {len(result.rejected)} 行。")
    for number, reason in result.rejected[:MAX_REJECTS_SHOWN]:
        click.echo(f"  第 {number} 行：{reason}")
    if len(result.rejected) > MAX_REJECTS_SHOWN:
        click.echo(f"  ……另有 {len(result.rejected) - MAX_REJECTS_SHOWN} 行被拒绝。")
    click.echo(f"历史工单共 {kb.dispatch_history.count()} 条。")
    if result.rejected:
        raise SystemExit(1)


def echo_intake(result):
    """The emergency finding and the intake rule, as the first lines of ``kb dispatch``."""
    rule, finding = result.rule, result.emergency
    if rule:
        target = f" {rule.transfer_to}" if rule.transfer_to else (f"：{rule.channel}" if rule.channel else "")
        click.echo(f"分类处置：{rule.name}（{rule.action_label}{target}，触发词“{rule.trigger}”）")
    else:
        click.echo("分类处置：未命中，按派单目录派单。")
    if finding is not None:
        ask = "，请向来电人确认是否正在发生" if result.urgency == "suspected" else ""
        state = "不按紧急处理（坐席已确认）" if result.confirmed_not_emergency else finding.state_label
        click.echo(f"紧急程度：{state}{ask}。{finding.explanation()}"
                   + (f"；另需 {'、'.join(finding.also)}" if finding.also and result.urgency else ""))
    if rule:
        click.echo(f"答复话术：{rule.script}")


def echo_answers(result):
    """The answers that may settle the request, before the catalogue candidates."""
    for a in result.answers:
        marks = "、".join(x for x in ("内部" if a.audience == "internal" else "公开", STATUS_WORDS.get(a.status, "")) if x)
        lead = "建议直接答复：" if a.settles else "相关答复："
        click.echo(f"{lead}{a.title} [{a.entry_id}]（{marks}，{a.unit_name or a.unit}，覆盖 {a.coverage:.0%}）")


STATUS_WORDS = {"pending": "未生效", "expired": "已失效"}


@cli.command()
@root_options
@click.option("--unit", default=None, help="只统计某单位（默认全部单位）。")
@click.option("--from", "start", callback=parse_date, default=None, help="起始日期（YYYY-MM-DD），默认 30 天前。")
@click.option("--to", "end", callback=parse_date, default=None, help="结束日期（YYYY-MM-DD），默认今天。")
@click.option("--csv", "as_csv", is_flag=True, help="以 CSV 输出全部统计表。")
@click.option("--taxonomy", type=click.Path(dir_okay=False, exists=True), default=None,
              help="（catalog）事项分类表 CSV（一级,二级,三级），用于检查未覆盖的类别。")
@click.option("--threshold", type=float, default=None, help="（catalog）事项重叠的判定阈值，默认 0.35。")
@click.option("--region", default=None, help="（hot）只看某区域的诉求，如 东湖区；“未标明区域”为全市或未写明区域的诉求。")
@click.argument("topic", type=click.Choice(["usage", "catalog", "hot", "missing"]), default="usage")
def report(kb, unit, start, end, as_csv, taxonomy, threshold, region, topic):
    """统计报告：使用情况（默认）、catalog 派单目录健康检查、hot 热点议题（每月一题候选）或 missing 缺失的答复。

    使用情况：查询量、热门和无结果查询、浏览、有用率、维护任务、校核周期。
    目录健康：同一事项被多个主办单位认领、单位缺失或已撤销、分类未覆盖、缺少示例、跨单位事实矛盾。
    热点议题：检索与派单诉求按相似内容归并为议题、按事项和区域统计，与上一个同样长的时段比较，标出上升的议题。
    缺失的答复：没有结果或很少有人打开结果的查询，按内容相近归组，供热线中心分派给单位补充答复。

    \b
    示例：
        kb report --from 2026-11-01 --to 2026-11-30
        kb report --unit city-hrss --csv > hrss.csv
        kb report catalog --taxonomy ../shared/eval/matter_taxonomy.csv
        kb report hot --from 2026-11-01 --to 2026-11-30 --region 东湖区
        kb report missing --csv > 缺失答复.csv
    """
    if topic == "catalog":
        return catalog_report(kb, taxonomy, threshold, as_csv)
    if topic == "hot":
        return hot_report(kb, start, end, region, as_csv)
    if topic == "missing":
        return missing_report(kb, start, end, as_csv)
    from .usage.stats import SECTIONS

    if unit and unit not in kb.snapshot().units:
        raise click.ClickException(f"单位“{unit}”不在 regulations/units.yaml 中：请检查单位编号。")
    with errors():
        if as_csv:
            click.echo(kb.stats.report_csv(start, end, unit), nl=False)
            return
        start, end = kb.stats.range(start, end)
        who = kb.snapshot().unit_name(unit) if unit else "全部单位"
        click.echo(f"统计范围：{start} 至 {end}，{who}")
        for item in kb.stats.summary(start, end, unit).rows():
            click.echo(f"  {item['item']}：{item['value']}")
        for key, rows in kb.stats.report(start, end, unit).items():
            title, columns = SECTIONS[key]
            click.echo(f"\n{title}")
            if not rows:
                click.echo("  （无数据）")
                continue
            click.echo("  " + "\t".join(columns.values()))
            for row in rows:
                click.echo("  " + "\t".join("" if row.get(k) is None else str(row.get(k)) for k in columns))


@cli.group()
def task():
    """维护任务：列出、生成、驳回，以及分派无结果查询。

    \b
    示例：
        kb task list --unit city-hrss
        kb task assign "灵活就业社保补贴" --unit city-hrss
    """


@task.command(name="list")
@root_options
@click.option("--unit", default=None, help="只列出某单位的任务。")
@click.option("--all", "all_states", is_flag=True, help="包括已完成和已驳回的任务。")
def task_list(kb, unit, all_states):
    """列出维护任务（超期的标“已超期”）。

    \b
    示例：
        kb task list --unit city-hrss
    """
    tasks = kb.feedback.list_tasks(unit, state=None if all_states else "open")
    for t in tasks:
        click.echo(f"#{t.id}\t{t.state_label}\t{t.unit}\t{t.kind_label}\t{t.due or '期限未定'}\t{t.title}")
    if not tasks:
        click.echo("没有维护任务。")


@task.command(name="generate")
@root_options
def task_generate(kb):
    """按到期、复核日期和“没有帮助”评价生成维护任务（可重复运行，不会重复生成）。

    \b
    示例：
        kb task generate --root ./kb
    """
    new = kb.feedback.generate_tasks()
    click.echo(f"新生成 {len(new)} 个维护任务。")


@task.command(name="dismiss")
@root_options
@click.argument("task_id", type=int)
@click.option("--reason", required=True, help="驳回理由。")
def task_dismiss(kb, task_id, reason):
    """驳回一个维护任务（须说明理由）。

    \b
    示例：
        kb task dismiss 12 --reason "纠错内容与现行政策不符，条目无误"
    """
    t = kb.feedback.dismiss(task_id, reason)
    click.echo(f"维护任务 #{t.id} 已驳回。")


@task.command(name="assign")
@root_options
@click.argument("query")
@click.option("--unit", required=True, help="承办单位编号。")
def task_assign(kb, query, unit):
    """把一条无结果查询分派给单位，作为维护任务。

    \b
    示例：
        kb task assign "灵活就业社保补贴" --unit city-hrss
    """
    pk = kb.feedback.assign_query(query, unit)
    click.echo(f"已分派给{kb.snapshot().unit_name(unit)}：维护任务 #{pk}。")


@task.command(name="accept")
@root_options
@as_user
@click.argument("task_id", type=int)
@click.option("--phrasing", default=None, help="改用这个问法（默认采用建议的问法）。")
def task_accept(kb, user, task_id, phrasing):
    """采纳“建议新增问法”任务：发起把该问法加入条目的变更请求（提交审核）。

    \b
    示例：
        kb task accept 12 --as hrss-editor
    """
    from .usage import suggest

    cr = suggest.accept(kb, user, task_id, phrasing)
    click.echo(f"已发起变更请求 #{cr.id}（{cr.state_label}）：{cr.title}")


@cli.command(name="index")
@root_options
@click.option("--rebuild", is_flag=True, help="丢弃现有索引，从主干全部重建。")
def index_cmd(kb, rebuild):
    """更新检索索引：默认只重新索引自上次以来 git 中变化的文件。

    \b
    示例：
        kb index --root ./kb
        kb index --root ./kb --rebuild
    """
    last = [0.0]

    def progress(stage, done, total):
        import time

        now = time.monotonic()
        if now - last[0] >= 1 or (total and done >= total):
            last[0] = now
            click.echo(f"{stage}：{done}/{total}" if total else f"{stage}……", err=True)

    stats = kb.reindex(rebuild=rebuild, progress=progress)
    docs = stats["documents"]
    mode = {"rebuild": "全部重建", "incremental": "增量更新", "none": "已是最新，无需更新"}[stats["mode"]]
    click.echo(f"索引{mode}：新增 {stats['added']}、更新 {stats['updated']}、删除 {stats['deleted']} 个文件；"
               f"公众索引 {docs['public']} 篇、坐席索引 {docs['agent']} 篇；对应提交 {stats['commit'][:10]}；用时 {stats['seconds']} 秒。")


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


@cli.command(name="backup")
@root_options
@click.argument("out", type=click.Path(file_okay=False))
def backup_cmd(kb, out):
    """备份知识库（应用运行时也可执行）：流程数据库、全部分支（main 与 cr/*）和清单，写入新目录 OUT。

    检索索引不备份：恢复后用 kb index 重建。

    \b
    示例：
        kb backup --root ./kb /srv/backup/kb-2026-11-22
    """
    m = kb.backup(out)
    size = sum(f["size"] for f in m["files"].values())
    rows = sum(n for table, n in m["tables"].items() if not table.startswith("_"))
    click.echo(f"已备份到 {out}：主干 {m['main'][:10]}（{m['entries']} 个条目），{len(m['refs'])} 个分支与标签"
               f"（其中变更请求 {m['change_branches']} 个），数据库 {rows} 行；"
               f"共 {human_size(size)}，用时 {m['seconds']} 秒。")


@cli.command(name="restore")
@click.argument("backup_dir", type=click.Path(file_okay=False, exists=True))
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="数据库与索引所在目录（默认 DIRECTORY/.git/kb-data）。")
def restore_cmd(backup_dir, directory, data_dir):
    """从 kb backup 生成的备份 BACKUP_DIR 恢复出一个新的知识库 DIRECTORY。

    先核对备份清单中的校验和，恢复后核对分支与各表行数；之后用 kb index 建立检索索引。

    \b
    示例：
        kb restore /srv/backup/kb-2026-11-22 ./kb
        kb index --root ./kb
    """
    from .kb import restore_backup

    with errors():
        r = restore_backup(backup_dir, directory, data_dir)
    t = r["tables"]
    click.echo(f"已在 {directory} 恢复知识库：主干 {r['main'][:10]}（{r['entries']} 个条目），"
               f"{len(r['refs'])} 个分支与标签，账号 {t.get('users', 0)} 个，变更请求 {t.get('change_requests', 0)} 个，"
               f"维护任务 {t.get('tasks', 0)} 个。")
    where = f"--root {directory}" + (f" --data-dir {data_dir}" if data_dir else "")
    click.echo(f"请运行 kb index {where} 建立检索索引。")


@cli.command()
@root_options
@click.option("--repair", is_flag=True, help="重建检索索引、按主干历史重新计算待核标记、登记推送的分支，然后再检查一遍。")
def doctor(kb, repair):
    """检查知识库：数据库、git 仓库、变更请求与 cr/* 分支、待核标记、检索索引、主干上的文件。

    有问题时退出码为 1；能自动修复的问题注明“--repair 可修复”。

    \b
    示例：
        kb doctor --root ./kb
        kb doctor --root ./kb --repair
    """
    report = kb.doctor(repair=repair)
    for line in report.repairs:
        click.echo(f"已修复：{line}")
    for check in report.checks:
        state = f"{len(check.findings)} 个问题" if check.findings else "正常"
        click.echo(f"{check.title}：{check.summary}——{state}")
        for f in check.findings:
            hint = "（kb doctor --repair 可修复）" if f.repairable and not repair else ""
            click.echo(f"  - {f.message}{hint}")
    if not report.ok:
        click.echo(f"发现 {len(report.findings)} 个问题。", err=True)
        sys.exit(1)
    click.echo("检查完毕：未发现问题。")


@cli.command()
@root_options
@click.argument("query", nargs=-1)
@click.option("--audience", type=click.Choice(["public", "agent"]), default="public", show_default=True,
              help="以谁的身份查询：public 公众（只含公开且有效的条目），agent 坐席（全部，含内部提示）。")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True, help="最多返回几条。")
@click.option("--kind", type=click.Choice(["policy", "directory", "article"]), default=None, help="只查某类：答复口径、派单目录、条例条文。")
@click.option("--unit", default=None, help="只查某单位（单位编号）。")
@click.option("--category", default=None, help="只查某分类。")
@click.option("--region", default=None, help="只查适用于某区域的条目（含全市通用）。")
@click.option("--as-of", "as_of", callback=parse_date, default=None, help="坐席：按该日期（YYYY-MM-DD）有效的版本查询。")
@click.option("--queries-file", type=click.File("r", encoding="utf-8"), default=None, help="从文件读取查询，每行一个。")
@click.option("--json", "as_json", is_flag=True, help="每个查询输出一行 JSON：{\"query\", \"hits\": [...]}。")
def search(kb, query, audience, limit, kind, unit, category, region, as_of, queries_file, as_json):
    """检索答复口径、派单目录和条例条文，最相关的在前。

    \b
    示例：
        kb search --root ./kb 失业金怎么领
        kb search --audience agent --kind article 着火了能打12345吗
        kb search --json --queries-file questions.txt
    """
    queries = [line.rstrip("\n") for line in queries_file] if queries_file else [" ".join(query)]
    for q in queries:
        results = kb.search(q, audience=audience, limit=limit, kind=kind, unit=unit, category=category,
                            region=region, as_of=as_of)
        if as_json:
            click.echo(json.dumps(results.as_dict(), ensure_ascii=False))
            continue
        if queries_file:
            click.echo(f"查询：{q}")
        if not results.hits:
            click.echo("没有找到相关结果：请换个说法，或减少筛选条件。")
            continue
        click.echo("序号\t编号\t类型\t标题\t单位\t得分\t状态")
        kinds = {"policy": "答复口径", "directory": "派单目录", "article": "条例条文"}
        for i, h in enumerate(results.hits, 1):
            click.echo(f"{i}\t{h.id}\t{kinds.get(h.kind, h.kind)}\t{h.title}\t{h.unit_name or h.unit or '-'}\t{h.score:.3f}\t{h.status_label}")


MISSING_COLUMNS = {"label": "内容", "query": "代表查询", "searches": "查询次数", "phrasings": "问法数", "zero": "无结果次数",
                   "success_rate": "打开结果比例", "last": "最近一次", "examples_text": "示例", "assigned_text": "已分派"}


def missing_report(kb, start, end, as_csv):
    """``kb report missing``: zero-result and low-success queries grouped by similarity."""
    from .usage.stats import to_csv
    from .usage.suggest import missing_answers

    with errors():
        groups = missing_answers(kb, start, end, limit=200)
    for g in groups:
        g["examples_text"], g["assigned_text"] = "；".join(g["examples"]), "是" if g["assigned"] else ""
    if as_csv:
        click.echo(to_csv(groups, MISSING_COLUMNS), nl=False)
        return
    if not groups:
        click.echo("没有缺失的答复：所选时段内的查询都找到了结果并有人打开。")
    for i, g in enumerate(groups, 1):
        mark = "（已分派）" if g["assigned"] else ""
        click.echo(f"{i}. {g['query']}{mark}：{g['searches']} 次，{g['phrasings']} 种问法，无结果 {g['zero']} 次，"
                   f"打开结果 {g['success_rate']:.0%}")
        if len(g["examples"]) > 1:
            click.echo(f"   例：{'；'.join(g['examples'][1:])}")


def hot_report(kb, start, end, region, as_csv):
    """``kb report hot``: topics, entries and regions of the period against the one before."""
    with errors():
        r = kb.hot.report(start, end, region)
    if as_csv:
        click.echo(r.csv(), nl=False)
        return
    where = f"，区域：{r.region}" if r.region else ""
    click.echo(f"热点议题：{r.start} 至 {r.end}（对比 {r.previous_start} 至 {r.previous_end}）{where}")
    t = r.totals
    click.echo(f"  诉求 {t['current']} 件（上期 {t['previous']} 件）：检索 {t['searches']}，派单 {t['dispatches']}；"
               f"归入议题 {t['clustered']} 件；用时 {r.seconds} 秒")
    rising = r.rising
    click.echo(f"\n上升的议题：{len(rising)} 个" if rising else "\n上升的议题：无")
    for item in rising:
        click.echo(f"  ▲ {item['label']}：本期 {item['current']}，上期 {item['previous']}（{item['flag']}）")
    click.echo("\n热点议题")
    if not r.topics:
        click.echo("  （无数据）")
    for item in r.topics:
        mark = f"【{item['flag']}】" if item["flag"] else ""
        click.echo(f"  {item['rank']}. {item['label']}{mark}：本期 {item['current']}，上期 {item['previous']}，"
                   f"变化 {item['change']:+d}")
        if item["regions_text"]:
            click.echo(f"     区域：{item['regions_text']}")
        if item["entries_text"]:
            click.echo(f"     事项：{item['entries_text']}")
        for example in item["examples"]:
            click.echo(f"     例：{example}")
    for key in ("by_entry", "by_region"):
        from .usage.hot import SECTIONS

        title, columns = SECTIONS[key]
        click.echo(f"\n{title}")
        rows = getattr(r, key)
        if not rows:
            click.echo("  （无数据）")
            continue
        click.echo("  " + "\t".join(columns.values()))
        for row in rows[:30]:
            click.echo("  " + "\t".join("" if row.get(k) is None else str(row.get(k)) for k in columns))


def catalog_report(kb, taxonomy, threshold, as_csv):
    from . import health

    findings = health.report(kb.snapshot(), taxonomy, threshold or health.OVERLAP_THRESHOLD)
    if as_csv:
        click.echo(health.report_csv(findings), nl=False)
        return
    for kind, title in health.KIND_TITLES.items():
        items = [f for f in findings if f.kind == kind]
        click.echo(f"{title}：{len(items)} 项")
        for f in items:
            click.echo(f"  - {f.message}")


@cli.command()
@root_options
@click.argument("entry_id")
@click.option("--on", "on_date", callback=parse_date, required=True, help="日期（YYYY-MM-DD）。")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True, help="输出格式。")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="写入文件（默认输出到屏幕）。")
def asof(kb, entry_id, on_date, fmt, output):
    """某日有效的答复存档：当日版本、发布它的变更请求和审核人，可打印，用于投诉处理与督办。

    \b
    示例：
        kb asof residence-permit-apply --on 2026-03-01
        kb asof residence-permit-apply --on 2026-03-01 --format html -o 存档.html
    """
    from .content.asof import record

    rec = record(kb, entry_id, on_date)
    text = rec.html() if fmt == "html" else rec.markdown()
    if output:
        from pathlib import Path

        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"已写入 {output}")
    else:
        click.echo(text)


@cli.group()
def objection():
    """派单异议：主办单位对派单目录事项提出异议，建议改由其他单位主办。

    \b
    示例：
        kb objection file street-light-out --as um-editor --to district-xishan --reason "该路段为区管道路……"
        kb objection list street-light-out
    """


@objection.command(name="file")
@root_options
@as_user
@click.argument("entry_id")
@click.option("--to", "proposed", required=True, help="建议的承办单位编号。")
@click.option("--reason", required=True, help="异议理由与依据。")
@click.option("--request", default="", help="引发异议的工单原文（异议成立后记入派单历史）。")
def objection_file(kb, user, entry_id, proposed, reason, request):
    """提出派单异议（生成一个类型为 objection 的变更请求，由热线中心和建议的单位审核）。

    \b
    示例：
        kb objection file street-light-out --as um-editor --to district-xishan --reason "该路段为区管道路，养护在区里"
    """
    from .review import objection as objections

    cr = objections.file(kb, user, entry_id, reason, proposed, request)
    click.echo(f"已提交派单异议：变更请求 #{cr.id}")
    show_cr(kb, cr)


@objection.command(name="list")
@root_options
@click.argument("entry_id")
def objection_list(kb, entry_id):
    """列出某事项的全部派单异议及其结果和理由。

    \b
    示例：
        kb objection list street-light-out
    """
    from .review import objection as objections

    records = objections.history(kb, entry_id)
    if not records:
        click.echo("该事项没有派单异议记录。")
    for r in records:
        click.echo(f"#{r['cr']} {r['outcome']}：{r['from']} → {r['to']}（{r['filed_by']}，{r['filed'][:10]}）")
        click.echo(f"  理由：{r['reasons']}")
        for d in r["decisions"]:
            if d.get("detail"):
                click.echo(f"  {d['at'][:16]} {d['actor']}：{d['detail']}")


# -- the public site and API (kb web, kb apikey) ------------------------------------------------


@cli.command()
@click.option("--root", type=click.Path(file_okay=False), default=None, help="内容仓库目录（默认当前目录或 KB_ROOT）。")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="数据库与索引所在目录；副本（--follow）在此保存主干的克隆，默认 ./kb-replica。")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, help="kb.toml 配置文件。")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option("--port", default=8080, show_default=True, help="端口。")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="工作进程数。")
@click.option("--follow", default=None, metavar="URL", help="作为只读副本跟随该仓库（任意 git 地址或路径）的主干。")
@click.option("--primary", default=None, metavar="URL", help="（副本）主站点的网址，用于转交评价、纠错和检索日志。")
def web(root, data_dir, config_file, host, port, workers, follow, primary):
    """启动公众网站与 JSON API（多进程，不依赖 Streamlit）；--follow 时作为只读副本。

    \b
    示例：
        kb web --root ./kb --port 8080 --workers 2
        kb web --follow /srv/kb --data-dir /srv/replica --port 8081 --primary http://10.0.0.1:8080
    """
    from pathlib import Path

    from .config import load_settings
    from .kb import open_kb
    from .web import server

    with errors():
        if follow:
            data = Path(data_dir or "kb-replica").resolve()
            settings = load_settings(config_file, root=data / "repo", data_dir=data, follow=follow, primary_url=primary)
        else:
            settings = load_settings(config_file, root=root, data_dir=data_dir, primary_url=primary)
        kb = open_kb(settings)
        stats = server.prepare(kb, echo=lambda m: click.echo(m, err=True))
        role = f"只读副本，跟随 {follow}" if follow else "主节点"
        click.echo(f"公众网站与 API 已启动：http://{host}:{port}（{role}，{workers} 个工作进程，"
                   f"索引提交 {stats['commit'][:10]}）")
        server.run(kb, host, port, workers)


@cli.group()
def apikey():
    """API 密钥：供坐席系统（agent）和合作平台（partner）调用 JSON API。

    \b
    示例：
        kb apikey add call-center --role agent
        kb apikey list
        kb apikey revoke call-center
    """


@apikey.command(name="add")
@root_options
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["agent", "partner"]),
              help="agent：坐席系统（坐席检索、内部提示、派单助手）；partner：合作平台（公众接口，更高限额）。")
@click.option("--rate", type=int, default=None, help="每分钟请求数上限（默认按角色取设置中的值）。")
@click.option("--note", default="", help="备注（使用方、联系人）。")
def apikey_add(kb, name, role, rate, note):
    """签发密钥并打印一次（只保存其摘要，无法再次查看）。

    \b
    示例：
        kb apikey add city-portal --role partner --note 市政务服务网
    """
    key = kb.api_keys.add(name, role, rate=rate, note=note)
    click.echo(key)
    click.echo(f"已签发密钥“{name}”（{role}）。它只显示这一次，请妥善保存；调用时使用请求头 "
               f"Authorization: Bearer <密钥>。", err=True)


@apikey.command(name="list")
@root_options
def apikey_list(kb):
    """列出全部密钥（名称、角色、前缀、限额、状态），不显示密钥本身。

    \b
    示例：
        kb apikey list
    """
    keys = kb.api_keys.list()
    if not keys:
        click.echo("还没有签发任何密钥：用 kb apikey add 签发。")
    for k in keys:
        state = f"已吊销（{k.revoked}）" if k.revoked else "有效"
        rate = f"{k.rate}/分钟" if k.rate else "按角色默认"
        note = f"\t{k.note}" if k.note else ""
        click.echo(f"{k.name}\t{k.role}\t{k.prefix}…\t{rate}\t{state}\t{k.created}{note}")


@apikey.command(name="revoke")
@root_options
@click.argument("name")
def apikey_revoke(kb, name):
    """吊销密钥；各工作进程在 10 秒内停止接受它。

    \b
    示例：
        kb apikey revoke city-portal
    """
    key = kb.api_keys.revoke(name)
    click.echo(f"已吊销密钥“{key.name}”（{key.revoked}）。")


def main():
    cli()
