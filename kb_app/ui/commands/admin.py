"""Running and keeping a knowledge base: accounts, API keys, backup and restore, doctor, the two servers."""

from __future__ import annotations

import functools
import sys

import click

from ...exceptions import AccountError
from ...labels import VIA_LABELS, label
from ...cli import (CONFIG_HELP, DIRECTORY, ROOT_HELP, Refusal, cli, echo_table, errors, os_user, program,
                    read_password, root_options)


@cli.command()
@root_options
@click.option("--port", default=8501, show_default=True, envvar="KB_PORT", help="端口（或环境变量 KB_PORT）。")
@click.option("--address", default="127.0.0.1", show_default=True, envvar="KB_ADDRESS",
              help="监听地址（或环境变量 KB_ADDRESS），默认只有本机能访问；其他地址要求已没有账号使用演示密码。")
@click.option("--check", is_flag=True, help="只做启动前的检查（演示密码、端口是否可用），不启动。")
def serve(kb, port, address, check):
    """启动工作人员的网页应用（坐席工作台、编辑、校核、统计）；市民的公众网站是 kb web。

    默认只在本机（127.0.0.1）监听。要让其他机器访问（如 --address 0.0.0.0），
    先修改所有仍在使用演示密码的账号的密码，否则拒绝启动。端口已被占用时同样拒绝启动。
    页面上“公众网站”的链接指向设置项 public_url（kb.toml 或环境变量 KB_PUBLIC_URL）；
    未设置时指向本机为这个知识库运行的 kb web，没有时指向 http://127.0.0.1:8080。

    \b
    示例：
        kb serve --root ./kb --port 8501
        kb serve --root ./kb --address 0.0.0.0
        kb serve --root ./kb --check
    """
    import os
    from pathlib import Path

    from ...config import settings_environment
    from ...listening import answers, check_port

    # The database opens (and is brought up to this version) here: one that cannot be written or is damaged
    # stops the start with what to do, rather than every page of a running app.
    kb.prepare_database()
    kb.users.check_listen_address(address, program())
    check_port(address, port)  # before saying it has started: Streamlit's own refusal is in English
    if check:
        click.echo(f"检查通过：知识库应用可以在 http://{address}:{port} 启动。")
        return
    app = Path(__file__).resolve().parent.parent / "server.py"  # kb_app/ui/server.py
    # The server reads its settings afresh in another folder: it gets these ones (a kb.toml here, --config).
    env = {**os.environ, **settings_environment(kb.settings),
           # uvicorn believes X-Forwarded-For / -Proto only from these addresses.
           "FORWARDED_ALLOW_IPS": kb.settings.trusted_proxies}
    env.pop("KB_CONFIG", None)  # read here already (a relative path would be looked for in the wrong folder)
    click.echo(f"知识库应用已启动：http://{address}:{port}")
    site = public_site_answering(kb.settings, answers)
    if site:
        click.echo(f"提醒：页面上“公众网站”的链接指向 {site}，但那里没有响应。请先用 kb web 启动公众网站，"
                   f"或用设置项 public_url（环境变量 KB_PUBLIC_URL）写明它的地址。", err=True)
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--client.toolbarMode", "minimal", "--global.developmentMode", "false",
           # Streamlit's own English welcome and addresses: the address is said above, in Chinese.
           "--logger.hideWelcomeMessage", "true"]
    # The server takes this process's place: a stop signal (systemd, a container, kill) reaches it, and no
    # child is left serving after its parent has gone.
    sys.stdout.flush()
    os.chdir(app.parent)
    os.execve(sys.executable, cmd, env)


#: How long ``kb serve`` waits for the public site it links to before saying that nothing answers there: a
#: ``kb web`` started at the same moment notes its address (and listens) a few seconds later.
SITE_WAIT = 5.0
SITE_POLL = 0.25


def public_site_answering(settings, answers) -> str:
    """The address of the public site the staff pages link to when nothing answers there, or "" when it does.
    The address is read again on each try (a ``kb web`` starting notes its own), for ``SITE_WAIT`` seconds."""
    import time

    deadline = time.monotonic() + SITE_WAIT
    while True:
        site = settings.public_site
        if answers(site):
            return ""
        if time.monotonic() >= deadline:
            return site
        time.sleep(SITE_POLL)


@cli.group()
def user():
    """管理本地账号（用户名、姓名、角色、所属单位），解除登录锁定，查看登录审计记录。

    \b
    示例：
        kb user add center --name 张校核 --role center_reviewer
        kb user list
        kb user role hrss-editor --role unit_reviewer --unit city-hrss
        kb user unlock center
    """


#: How to do on the command line what an account error asks for, by the field it is about (the core's
#: messages name no channel: the users page shows them too).
ACCOUNT_HINTS = {"unit": "命令行用 --unit 填写 units.yaml 中的单位编号",
                 "exists": "命令行用 kb user passwd {username}",
                 "missing": "用 kb user list 查看全部用户"}


def account_hints(fn):
    """An account error of a ``kb user`` command, with how to put it right on the command line."""

    @functools.wraps(fn)
    def wrapper(kb, **kwargs):
        try:
            return fn(kb, **kwargs)
        except AccountError as e:
            hint = ACCOUNT_HINTS.get(e.field)
            if not hint:
                raise
            said = str(e).removesuffix("。")
            raise Refusal(f"{said}（{hint.format(username=kwargs.get('username') or '用户名')}）。") from None

    return wrapper


ROLE_HELP = "角色：unit_editor、unit_reviewer、center_reviewer、legal_reviewer、agent、admin。"
UNIT_HELP = "所属单位编号（单位编辑、单位审核人必填，须在 units.yaml 中登记）。"


@user.command(name="add")
@root_options
@click.argument("username")
@click.option("--name", required=True, help="姓名（出现在审核记录中）。")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--unit", default="", help=UNIT_HELP)
@click.option("--email", default="", help="电子邮箱（用于识别 git 推送的作者）。")
@account_hints
def user_add(kb, username, name, role, unit, email):
    """新建账号；密码取自环境变量 KB_PASSWORD，否则在终端提示输入，或读标准输入的第一行（脚本用管道传入）。

    \b
    示例：
        KB_PASSWORD=secret123 kb user add hrss-editor --name 李编辑 --role unit_editor --unit city-hrss
    """
    u = kb.users.add(username, name, read_password(confirm=True), role, unit, email, actor=os_user())
    click.echo(f"已建立账号 {u.username}（{u.name}，{u.role_named(kb.snapshot().unit_name)}）。")


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
    rows, names = [], kb.snapshot().unit_name
    for u in kb.users.list():
        marks = ["（已停用）"] if u.disabled else []
        if u.username in locked:
            marks.append(f"（已锁定，{locked[u.username].minutes_left(now)} 分钟后自动解锁）")
        rows.append([u.username, u.name, u.role_named(names), "".join(marks)])
    echo_table(rows, ["用户名", "姓名", "角色", "状态"])


@user.command(name="disable")
@root_options
@click.argument("username")
@click.option("--enable", is_flag=True, help="恢复已停用的账号。")
@account_hints
def user_disable(kb, username, enable):
    """停用（或用 --enable 恢复）账号。

    \b
    示例：
        kb user disable hrss-editor
    """
    before = kb.users.require(username)
    if before.disabled != enable:           # already as asked: nothing changes, and it is said so
        click.echo(f"账号 {username} 本来就{'在使用中' if enable else '已停用'}，未作改动。")
        return
    u = kb.users.set_disabled(username, not enable, actor=os_user())
    click.echo(f"账号 {u.username} 已恢复。" if enable else f"账号 {u.username} 已停用，其会话已全部结束。")


@user.command(name="role")
@root_options
@click.argument("username")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--unit", default="", help=UNIT_HELP + "其他角色不填则不属于任何单位。")
@account_hints
def user_role(kb, username, role, unit):
    """修改账号的角色和所属单位，要求与新建账号相同；唯一在用的管理员账号不能改为其他角色。

    该账号已登录的会话不必重新登录，下一次操作起按新角色办理。

    \b
    示例：
        kb user role hrss-editor --role unit_reviewer --unit city-hrss
        kb user role hrss-reviewer --role agent
    """
    before = kb.users.require(username)
    after = kb.users.set_role(username, role, unit, actor=os_user())
    if after == before:
        click.echo(f"账号 {username} 本来就是{after.role_named(kb.snapshot().unit_name)}，未作改动。")
    else:
        click.echo(f"账号 {username} 的角色已改为{after.role_named(kb.snapshot().unit_name)}（原为{before.role_named(kb.snapshot().unit_name)}）。")


@user.command(name="passwd")
@root_options
@click.argument("username")
@account_hints
def user_passwd(kb, username):
    """修改账号密码（该账号的会话随即全部结束）；新密码取自 KB_PASSWORD，否则在终端提示输入，或读标准输入的第一行。

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
    """登录与账号审计记录（登录、失败、锁定、解锁、退出、改密、停用、改角色），最新的在前。

    \b
    示例：
        kb user log
        kb user log hrss-editor --limit 20
    """
    events = kb.audit.list(username, limit)
    echo_table([[e.at.replace("T", " "), e.label, e.username or "-", e.client or "-", label(VIA_LABELS, e.via),
                 e.actor or "-", e.detail] for e in events], ["时间", "事件", "账号", "地址", "途径", "操作人", "说明"])
    if not events:
        click.echo(f"没有 {username} 的记录。" if username else "还没有记录。")


def human_size(n: int) -> str:
    """A byte count as people read it: 512 B, 3.2 MB."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


@cli.command(name="backup")
@root_options
@click.argument("out", type=click.Path(file_okay=False))
def backup_cmd(kb, out):
    """备份知识库（应用运行时也可执行）：流程数据库、全部分支（main 与 cr/*）和清单，写入新目录 OUT。

    复制出的数据库先核对完整性：数据库已损坏时不写出备份，退出码为 1（已有的备份保持不动）。
    检索索引不备份：恢复后用 kb index 重建。备份目录只有运行 kb 的用户能打开。

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

    先核对备份清单中的校验和与数据库的完整性（已损坏的拒绝恢复），恢复后核对分支与各表行数；
    之后用 kb index 建立检索索引。

    \b
    示例：
        kb restore /srv/backup/kb-2026-11-22 ./kb
        kb index --root ./kb
    """
    from ...kb import restore_backup

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
    """检查知识库：数据库（完整性与版本）、git 仓库、变更请求与 cr/* 分支、待核标记、检索索引、主干上的文件。

    有问题时退出码为 1；能自动修复的问题注明“--repair 可修复”。

    \b
    示例：
        kb doctor --root ./kb
        kb doctor --root ./kb --repair
    """
    report = kb.doctor(repair=repair)
    for _kind, line in report.repair_lines():
        click.echo(line)
    for check in report.checks:
        click.echo(f"{check.title}：{check.summary}——{check.outcome}")
        for f in check.findings:
            hint = "（kb doctor --repair 可修复）" if f.repairable and not repair else ""
            click.echo(f"  - {'提醒：' if f.warning else ''}{f.message}{hint}")
    if not report.ok:
        click.echo(f"发现 {len(report.findings)} 个问题。", err=True)
        sys.exit(1)
    click.echo("检查完毕：未发现问题" + (f"，有 {len(report.warnings)} 个提醒（见上）。" if report.warnings else "。"))


# -- the public site and API (kb web, kb apikey) ------------------------------------------------


@cli.command()
@click.option("--root", type=DIRECTORY, default=None, help=ROOT_HELP)
@click.option("--data-dir", type=DIRECTORY, default=None,
              help="数据库与索引所在目录；副本（--follow）在此保存主干的克隆，默认 ./kb-replica。")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, help=CONFIG_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option("--port", default=8080, show_default=True, help="端口。")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="工作进程数。")
@click.option("--follow", default=None, metavar="URL", help="作为只读副本跟随该仓库（任意 git 地址或路径）的主干。")
@click.option("--primary", default=None, metavar="URL",
              help="（副本）主站点的网址，用于转交评价、纠错和检索日志、核验 API 密钥；需要设置与主节点相同的 hook_secret。")
def web(root, data_dir, config_file, host, port, workers, follow, primary):
    """启动公众网站与 JSON API（多进程，不依赖 Streamlit）；--follow 时作为只读副本。

    \b
    示例：
        kb web --root ./kb --port 8080 --workers 2
        kb web --follow /srv/kb --data-dir /srv/replica --port 8081 --primary http://10.0.0.1:8080
    """
    from pathlib import Path

    from ...config import load_settings
    from ...kb import open_kb
    from ...listening import check_port
    from ...web import server

    with errors():
        if follow:
            data = Path(data_dir or "kb-replica").resolve()
            settings = load_settings(config_file, root=data / "repo", data_dir=data, follow=follow,
                                     primary_url=primary)
        else:
            settings = load_settings(config_file, root=root, data_dir=data_dir, primary_url=primary)
        kb = open_kb(settings)
        if port:
            # before the index is brought up to date, which on a large knowledge base takes a while
            check_port(host, port)
        stats = server.prepare(kb, echo=lambda m: click.echo(m, err=True))
        role = f"只读副本，跟随 {follow}" if follow else "主节点"
        server.run(kb, host, port, workers, ready=lambda: click.echo(
            f"公众网站与 API 已启动：http://{host}:{port}（{role}，{workers} 个工作进程，索引提交 {stats['commit'][:10]}）"))


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
    rows = [[k.name, k.role, f"{k.prefix}…", f"{k.rate}/分钟" if k.rate else "按角色默认",
             f"已吊销（{k.revoked}）" if k.revoked else "有效", k.created, k.note or ""] for k in keys]
    if rows:
        echo_table(rows, ["名称", "角色", "前缀", "限速", "状态", "签发时间", "备注"])


@apikey.command(name="revoke")
@root_options
@click.argument("name")
def apikey_revoke(kb, name):
    """吊销密钥；主节点和副本的各工作进程在 10 秒内停止接受它。

    副本暂时连不上主节点时，已核验的结果至多再沿用 30 秒（吊销后至多 40 秒），
    之后副本拒绝一切带密钥的请求，直到重新连上主节点。

    \b
    示例：
        kb apikey revoke city-portal
    """
    key = kb.api_keys.revoke(name)
    click.echo(f"已吊销密钥“{key.name}”（{key.revoked}）。")
